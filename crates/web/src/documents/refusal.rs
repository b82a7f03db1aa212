//! 不予受理决定书 — the written decision not to accept an application, for each sub-case rejected
//! at acceptance: the item, the reasons as recorded in the `sub_case.reject` event, the date, and
//! the applicant's legal remedy.

use chrono::{DateTime, FixedOffset};
use tongban_app::cases::CaseView;
use tongban_domain::case::SubCaseStatus;

use super::{esc, page, place};

/// The decision, or `None` when no sub-case of the case was rejected at acceptance.
pub fn refusal(case: &CaseView) -> Option<String> {
    let mut sections = String::new();
    for s in case
        .sub_cases
        .iter()
        .filter(|s| s.status == SubCaseStatus::Rejected)
    {
        // The reject event of this sub-case (the last one, should there ever be more).
        let event = case.timeline.iter().rev().find(|e| {
            e.kind == "sub_case.reject" && e.payload.value()["sub_case"].as_i64() == Some(s.seq)
        });
        let mut reasons: Vec<String> = event
            .map(|e| e.payload.value())
            .and_then(|p| p["action"]["reasons"].as_array().cloned())
            .map(|a| {
                a.iter()
                    .filter_map(|r| r.as_str())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        if reasons.is_empty()
            && let Some(r) = event.and_then(|e| e.reason.clone())
        {
            reasons.push(r);
        }
        let list: String = reasons
            .iter()
            .map(|r| format!("<li>{}</li>", esc(r)))
            .collect();
        // The date as the applicant reads it: China Standard Time.
        let on = event
            .and_then(|e| DateTime::from_timestamp_millis(e.at))
            .zip(FixedOffset::east_opt(8 * 3600))
            .map(|(t, tz)| t.with_timezone(&tz).format("%Y年%m月%d日").to_string())
            .unwrap_or_default();
        sections.push_str(&format!(
            "<p>您申请的“{item}”（{dept}办理），经审查，不符合受理条件，\
             决定不予受理。理由如下：</p><ol>{list}</ol><p>决定日期：{on}</p>",
            item = esc(&s.item_name),
            dept = esc(&s.department.name),
        ));
    }
    if sections.is_empty() {
        return None;
    }
    let body = format!(
        "<p>{name}（证件号码 {id}）：</p><p>您于 {place} 提交的“{title}”申请，现作出如下决定。</p>{sections}\
         <p class=\"pledge\">如不服本决定，可依法申请行政复议或者提起行政诉讼。</p>\
         <p class=\"seal\">（受理专用章）<br>{place}</p>",
        name = esc(&case.applicant_name),
        id = esc(&case.applicant_id),
        place = esc(&place(case)),
        title = esc(&case.title),
    );
    Some(page("不予受理决定书", case, &body))
}
