//! Printable documents as HTML with A4 print CSS: the acceptance receipt (受理通知书) and the
//! one-time notice (一次性告知书). Each carries the case number and a verification code taken from
//! the case's audit chain, so a printed copy can be checked against the record.

use tongban_app::cases::CaseView;

pub mod refusal; // 不予受理决定书
pub mod tolerance; // 容缺受理承诺书

pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const STYLE: &str = "body{font-family:system-ui,'Noto Sans CJK SC','Microsoft YaHei',sans-serif;\
max-width:170mm;margin:12mm auto;color:#111;line-height:1.6}h1{text-align:center;font-size:22pt;\
letter-spacing:.3em}table{width:100%;border-collapse:collapse;margin:8px 0}td,th{border:1px solid #444;\
padding:4px 6px;text-align:left;vertical-align:top}.meta{display:flex;justify-content:space-between}\
.seal{margin-top:18mm;text-align:right}.pledge{text-indent:2em}.code{font-family:monospace}\
@page{size:A4;margin:18mm}@media print{body{margin:0}}";

pub(crate) fn page(title: &str, case: &CaseView, body: &str) -> String {
    // The latest link of the case's audit chain: a printed copy can be checked against the record.
    let code = case
        .timeline
        .last()
        .map(|e| format!("{}-{}", e.seq, &e.hash[..12.min(e.hash.len())]))
        .unwrap_or_default();
    format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{t} {n}</title>\
         <style>{STYLE}</style></head><body><h1>{t}</h1><div class=\"meta\"><span>办件编号：\
         <span class=\"code\">{n}</span></span><span>核验码：<span class=\"code\">{code}</span></span></div>\
         {body}</body></html>",
        t = esc(title),
        n = esc(&case.number),
    )
}

fn place(case: &CaseView) -> String {
    match (&case.center, case.channel.as_str()) {
        (Some(c), "online") => format!("网上办事大厅（{}受理）", c.name),
        (Some(c), _) => c.name.clone(),
        (None, _) => "网上办事大厅".to_string(),
    }
}

/// 受理通知书.
pub fn receipt(case: &CaseView) -> String {
    let mut rows = String::new();
    for s in &case.sub_cases {
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} 个工作日</td><td>{}</td></tr>",
            esc(&s.item_name),
            esc(&s.department.name),
            esc(s.status_name),
            s.accepted_on
                .map(|d| d.to_string())
                .unwrap_or_else(|| "—".into()),
            s.committed_limit_days,
            s.deadline
                .map(|d| d.to_string())
                .unwrap_or_else(|| "—".into()),
        ));
    }
    let body = format!(
        "<p>{name}（证件号码 {id}）：</p><p>您于 {place} 提交的“{title}”申请，经审查，现将受理情况告知如下。\
         办理时限按工作日计算，受理当日不计入；补正材料期间不计入办理时限。</p>\
         <table><tr><th>事项</th><th>办理部门（办理地）</th><th>状态</th><th>受理日期</th><th>承诺时限</th>\
         <th>承诺办结日期</th></tr>{rows}</table>\
         <p>收件地：{place}。您可凭办件编号在网上查询办理进度，无需往返户籍地。</p>\
         <p class=\"seal\">（受理专用章）<br>{place}</p>",
        name = esc(&case.applicant_name),
        id = esc(&case.applicant_id),
        place = esc(&place(case)),
        title = esc(&case.title),
    );
    page("受理通知书", case, &body)
}

/// 一次性告知书: every missing material, at once.
pub fn one_time_notice(case: &CaseView) -> String {
    let mut rows = String::new();
    let mut n = 0;
    for s in &case.sub_cases {
        for code in &s.requested_materials {
            n += 1;
            let name = case
                .materials
                .iter()
                .find(|m| &m.code == code)
                .map_or(code.as_str(), |m| m.name.as_str());
            rows.push_str(&format!(
                "<tr><td>{n}</td><td>{}</td><td>{}</td></tr>",
                esc(name),
                esc(&s.item_name)
            ));
        }
    }
    for m in case.materials.iter().filter(|m| m.provided == "missing") {
        if case
            .sub_cases
            .iter()
            .any(|s| s.requested_materials.contains(&m.code))
        {
            continue;
        }
        n += 1;
        rows.push_str(&format!(
            "<tr><td>{n}</td><td>{}</td><td>尚未提交</td></tr>",
            esc(&m.name)
        ));
    }
    if n == 0 {
        rows.push_str("<tr><td colspan=\"3\">材料齐全，无需补正。</td></tr>");
    }
    let body = format!(
        "<p>{name}：</p><p>您申请的“{title}”所需材料尚不齐全。根据一次性告知制度，现将需补正的全部材料一次性告知如下，\
         请补齐后提交（可网上上传或到任一便民服务站提交）。补正期间不计入办理时限。</p>\
         <table><tr><th>序号</th><th>材料</th><th>涉及事项</th></tr>{rows}</table>\
         <p class=\"seal\">（业务专用章）<br>{place}</p>",
        name = esc(&case.applicant_name),
        title = esc(&case.title),
        place = esc(&place(case)),
    );
    page("一次性告知书", case, &body)
}
