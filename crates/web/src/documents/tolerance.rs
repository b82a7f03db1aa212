//! 容缺受理承诺书 — the supplement pledge the applicant signs at a 容缺 acceptance, and, once the
//! deadline has passed, the written notice of the ending (终止/中止办理通知) from the timeline.

use tongban_app::cases::CaseView;

use super::{esc, page, place};

/// 容缺受理承诺书 (with the expiry notice when there is one). The pledged materials come from the
/// `sub_case.accept_with_tolerance` events, so the document still lists them after they arrive.
pub fn pledge(case: &CaseView) -> String {
    let mut rows = String::new();
    let mut n = 0;
    let mut notices = String::new();
    for e in &case.timeline {
        let payload = e.payload.value();
        let seq = payload["sub_case"].as_i64();
        let sub = case.sub_cases.iter().find(|s| Some(s.seq) == seq);
        match (e.kind.as_str(), sub) {
            ("sub_case.accept_with_tolerance", Some(s)) => {
                let codes = payload["action"]["tolerated"].as_array().cloned();
                for code in codes.unwrap_or_default() {
                    let code = code.as_str().unwrap_or_default();
                    n += 1;
                    let name = case
                        .materials
                        .iter()
                        .find(|m| m.code == code)
                        .map_or(code, |m| m.name.as_str());
                    let state = if s.pledged.iter().any(|p| p == code) {
                        "待补交"
                    } else {
                        "已补交"
                    };
                    rows.push_str(&format!(
                        "<tr><td>{n}</td><td>{}</td><td>{}</td><td>{}</td><td>{state}</td></tr>",
                        esc(name),
                        esc(&s.item_name),
                        s.pledge_due
                            .map(|d| d.to_string())
                            .unwrap_or_else(|| "—".into()),
                    ));
                }
            }
            ("sub_case.pledge_expired", _) => {
                notices.push_str(&format!(
                    "<h2>{}</h2><p>{}</p>",
                    if payload["to"] == "suspended" {
                        "中止办理通知"
                    } else {
                        "终止办理通知"
                    },
                    esc(payload["notice"].as_str().unwrap_or_default()),
                ));
            }
            _ => {}
        }
    }
    if n == 0 {
        rows.push_str("<tr><td colspan=\"5\">本办件未容缺受理。</td></tr>");
    }
    let body = format!(
        "<p>{place}：</p><p>本人 {name}（证件号码 {id}）申请办理“{title}”，下列材料在受理时暂缺，经审查属于可容缺材料，\
         申请容缺受理。本人承诺在补交期限（按工作日计算，不超过承诺办结时限）内补齐下列材料，并对所提交材料的真实性负责。\
         知悉：材料补齐前不予办结、不出具办理结果；逾期未补交的，按事项规定终止或中止办理。</p>\
         <table><tr><th>序号</th><th>容缺材料</th><th>涉及事项</th><th>补交期限</th><th>状态</th></tr>{rows}</table>\
         <p class=\"seal\">承诺人（签名）：＿＿＿＿＿＿　　日期：＿＿＿＿＿＿<br>受理单位：{place}</p>{notices}",
        name = esc(&case.applicant_name),
        id = esc(&case.applicant_id),
        title = esc(&case.title),
        place = esc(&place(case)),
    );
    page("容缺受理承诺书", case, &body)
}
