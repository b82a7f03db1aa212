//! The citizen portal's signed-in pages (applicants: citizens and companies): apply online for an
//! item or a bundle, my cases and one case, my appointments, my 帮代办 authorizations. Each handler
//! extracts, calls the `tongban_app` service the JSON API calls, and renders.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use tongban_app::error::AppError;
use tongban_app::files::MAX_FILE_BYTES;
use tongban_domain::calendar::TimeStatus;
use tongban_domain::case::SubCaseStatus;

use super::i18n::Tr;
use crate::AppState;
use crate::problem::Lang;

mod apply; // 网上办: the application form for an item or a bundle
mod cases; // 我的办件 and one case: supplement, withdraw, printable documents
mod services; // 预约办 appointments and 帮代办 authorizations

/// (key, zh-CN, English); keys start with `citizen.`.
pub(crate) const STRINGS: &[(&str, &str, &str)] = &[
    ("citizen.nav.cases", "我的办件", "My cases"),
    ("citizen.nav.appointments", "我的预约", "My appointments"),
    ("citizen.nav.authorizations", "帮代办授权", "Authorizations"),
    ("citizen.nav", "个人办事", "My services"),
    // Apply.
    ("citizen.apply", "在线申请", "Apply online"),
    ("citizen.apply.title", "在线申请", "Apply online"),
    (
        "citizen.apply.lead",
        "填写申请表并上传材料，提交后可在“我的办件”中查看进度。带 * 的为必填项。",
        "Fill in the form and upload your materials; after submitting, follow the case under “My cases”. Fields marked * are required.",
    ),
    ("citizen.apply.form", "申请表", "Application form"),
    ("citizen.apply.materials", "申请材料", "Materials"),
    (
        "citizen.apply.file_hint",
        "PDF、JPEG 或 PNG，单个文件不超过 10 MiB。",
        "PDF, JPEG or PNG, at most 10 MiB each.",
    ),
    ("citizen.apply.kept", "已上传：", "Uploaded:"),
    (
        "citizen.apply.replace",
        "重新选择可替换",
        "choose again to replace it",
    ),
    ("citizen.apply.mode", "办理方式", "How to apply"),
    (
        "citizen.apply.mode_online",
        "网上办：材料齐全，在线提交",
        "Online: all materials uploaded now",
    ),
    (
        "citizen.apply.mode_tolerance",
        "容缺办：标有“容缺”的材料可以暂缺，签署补交承诺后先受理",
        "Accepted with a material to follow: materials marked “may follow later” can be missing if you pledge to bring them",
    ),
    (
        "citizen.apply.mode_commitment",
        "承诺办：标有“承诺”的材料可以用书面承诺代替",
        "On a written commitment: materials marked “commitment instead” can be replaced by your signed commitment",
    ),
    (
        "citizen.apply.pledge",
        "我承诺在期限内补交暂缺的材料；逾期未补交的，按容缺受理承诺书处理。",
        "I pledge to bring the missing materials in time; if I do not, the supplement pledge applies.",
    ),
    (
        "citizen.apply.commit_this",
        "以书面承诺代替此材料",
        "Replace this material by my written commitment",
    ),
    (
        "citizen.apply.sign",
        "我已阅读并签署以下告知承诺书",
        "I have read and sign the commitment below",
    ),
    (
        "citizen.apply.center",
        "收件服务中心",
        "Receiving service center",
    ),
    (
        "citizen.apply.center_hint",
        "该事项由收件地办理，请选择服务中心。",
        "This service is handled where it is received: choose a service center.",
    ),
    ("citizen.apply.choose", "请选择", "Choose"),
    ("citizen.apply.submit", "提交申请", "Submit the application"),
    (
        "citizen.apply.region_hint",
        "填写行政区划代码，可从列表中选择，例如 430422（衡南县）",
        "Give the region code; pick from the list, e.g. 430422 (Hengnan County)",
    ),
    (
        "citizen.apply.not_online",
        "该事项不能网上申请，请到政务服务中心或便民服务站办理，也可以预约办理。",
        "This service cannot be applied for online; apply at a service center, or book an appointment.",
    ),
    (
        "citizen.apply.has_errors",
        "申请未提交，请按提示修改后重新提交。",
        "The application was not submitted; correct the marked entries and submit again.",
    ),
    (
        "citizen.apply.need_file",
        "请上传此材料。",
        "Upload this material.",
    ),
    (
        "citizen.apply.need_file_or_mode",
        "请上传此材料；标有“容缺”或“承诺”的材料可改选容缺办或承诺办。",
        "Upload this material; a material marked “may follow later” or “commitment instead” can go with the other ways to apply.",
    ),
    (
        "citizen.apply.need_pledge",
        "暂缺容缺材料时，请勾选补交承诺。",
        "With a material missing, tick the supplement pledge.",
    ),
    (
        "citizen.apply.need_sign",
        "以承诺代替材料时，请勾选签署告知承诺书。",
        "To replace a material by a commitment, tick that you sign the commitment.",
    ),
    (
        "citizen.apply.bad_mode",
        "该事项不支持所选的办理方式。",
        "This service cannot be applied for in the chosen way.",
    ),
    ("citizen.apply.used_by", "用于：", "For:"),
    // My cases.
    ("citizen.cases.title", "我的办件", "My cases"),
    (
        "citizen.cases.none",
        "您还没有办件。可以从首页搜索事项并在线申请。",
        "You have no cases yet. Search for a service on the home page and apply online.",
    ),
    ("citizen.cases.number", "办件编号", "Case number"),
    ("citizen.cases.item", "事项", "Service"),
    ("citizen.cases.status", "状态", "Status"),
    ("citizen.cases.center", "收件地", "Received at"),
    (
        "citizen.cases.deadline",
        "承诺办结日期",
        "Committed deadline",
    ),
    ("citizen.cases.submitted", "提交时间", "Submitted"),
    (
        "citizen.cases.after_accept",
        "受理后起算",
        "Counted from acceptance",
    ),
    ("citizen.cases.open", "办理中", "Open"),
    ("citizen.cases.closed", "已办结", "Closed"),
    ("citizen.cases.near", "即将到期", "Due soon"),
    ("citizen.cases.over", "已超期", "Overdue"),
    ("citizen.cases.normal", "正常", "On time"),
    ("citizen.cases.prev", "上一页", "Previous page"),
    ("citizen.cases.next", "下一页", "Next page"),
    ("citizen.cases.page", "第", "Page"),
    ("citizen.cases.of", "共", "of"),
    ("citizen.cases.total", "件", "cases"),
    (
        "citizen.cases.apply_more",
        "办理新事项",
        "Apply for another service",
    ),
    // One case.
    ("citizen.case.title", "办件详情", "Case"),
    ("citizen.case.channel", "渠道", "Channel"),
    ("citizen.case.online", "网上申请", "Online"),
    ("citizen.case.window", "窗口申请", "At a window"),
    ("citizen.case.applicant", "申请人", "Applicant"),
    ("citizen.case.items", "办理事项", "Services in this case"),
    (
        "citizen.case.department",
        "办理地（审批部门）",
        "Handled by",
    ),
    ("citizen.case.received", "收件地", "Received at"),
    ("citizen.case.accepted_on", "受理日期", "Accepted on"),
    (
        "citizen.case.deadline",
        "承诺办结日期",
        "Committed deadline",
    ),
    ("citizen.case.left", "剩余工作日", "Working days left"),
    (
        "citizen.case.requested",
        "需要补正的材料",
        "Materials to supplement",
    ),
    (
        "citizen.case.pledged",
        "容缺待补交的材料",
        "Pledged materials to bring",
    ),
    ("citizen.case.pledge_due", "补交期限", "Bring them by"),
    ("citizen.case.result", "办理结果", "Result"),
    ("citizen.case.approved", "准予", "Approved"),
    ("citizen.case.denied", "不予", "Refused"),
    ("citizen.case.revoked", "已撤销", "Revoked"),
    ("citizen.case.issuer", "出具单位", "Issued by"),
    (
        "citizen.case.supplement",
        "补正材料",
        "Supplement materials",
    ),
    (
        "citizen.case.supplement_lead",
        "请一次上传下列全部材料。",
        "Upload all of the materials below at once.",
    ),
    (
        "citizen.case.supplement_submit",
        "提交补正材料",
        "Send the materials",
    ),
    (
        "citizen.case.withdraw",
        "撤回申请",
        "Withdraw the application",
    ),
    (
        "citizen.case.withdraw_reason",
        "撤回原因",
        "Why you withdraw",
    ),
    (
        "citizen.case.need_reason",
        "请填写撤回原因。",
        "Give a reason for withdrawing.",
    ),
    (
        "citizen.case.need_files",
        "请选择要上传的材料文件。",
        "Choose the files to upload.",
    ),
    ("citizen.case.materials", "材料", "Materials"),
    ("citizen.case.provided", "提交情况", "Provided"),
    ("citizen.case.p.file", "已上传", "Uploaded"),
    ("citizen.case.p.paper", "纸质已核验", "On paper, checked"),
    (
        "citizen.case.p.commitment",
        "以承诺代替",
        "Replaced by a commitment",
    ),
    ("citizen.case.p.missing", "未提交", "Not provided"),
    ("citizen.case.timeline", "办理过程", "Timeline"),
    ("citizen.case.documents", "文书", "Documents"),
    (
        "citizen.case.doc.receipt",
        "受理通知书",
        "Acceptance receipt",
    ),
    ("citizen.case.doc.notice", "一次性告知书", "One-time notice"),
    (
        "citizen.case.doc.pledge",
        "容缺受理承诺书",
        "Supplement pledge",
    ),
    (
        "citizen.case.doc.commitment",
        "告知承诺书",
        "Written commitment",
    ),
    ("citizen.case.done", "已完成。", "Done."),
    ("citizen.case.item_col", "事项", "Service"),
    // Sub-case statuses.
    (
        "citizen.st.waiting",
        "等待前置事项",
        "Waiting for an earlier service",
    ),
    ("citizen.st.submitted", "待受理", "Waiting to be accepted"),
    (
        "citizen.st.awaiting_supplement",
        "补正中",
        "Waiting for your materials",
    ),
    ("citizen.st.accepted", "已受理", "Accepted"),
    ("citizen.st.reviewed", "已审查", "Reviewed"),
    ("citizen.st.decided", "已决定", "Decided"),
    ("citizen.st.concluded", "已办结", "Concluded"),
    ("citizen.st.delivered", "已送达", "Delivered"),
    ("citizen.st.rejected", "不予受理", "Not accepted"),
    ("citizen.st.withdrawn", "已撤回", "Withdrawn"),
    ("citizen.st.cancelled", "已取消", "Cancelled"),
    ("citizen.st.terminated", "终止办理", "Terminated"),
    ("citizen.st.suspended", "中止办理", "Suspended"),
    // Timeline events.
    (
        "citizen.ev.case.submitted",
        "提交申请",
        "Application submitted",
    ),
    ("citizen.ev.case.closed", "办件完结", "Case closed"),
    ("citizen.ev.sub_case.accept", "受理", "Accepted"),
    (
        "citizen.ev.sub_case.accept_with_tolerance",
        "容缺受理",
        "Accepted with materials to follow",
    ),
    ("citizen.ev.sub_case.reject", "不予受理", "Not accepted"),
    (
        "citizen.ev.sub_case.request_supplement",
        "一次性告知补正",
        "Materials requested",
    ),
    (
        "citizen.ev.sub_case.supplement",
        "补正材料",
        "Materials supplied",
    ),
    ("citizen.ev.sub_case.review", "审查", "Reviewed"),
    ("citizen.ev.sub_case.approve", "准予", "Approved"),
    ("citizen.ev.sub_case.deny", "不予", "Refused"),
    ("citizen.ev.sub_case.conclude", "办结", "Concluded"),
    ("citizen.ev.sub_case.deliver", "送达", "Delivered"),
    ("citizen.ev.sub_case.withdraw", "撤回", "Withdrawn"),
    (
        "citizen.ev.sub_case.released",
        "前置事项已办结，开始办理",
        "Released after an earlier service",
    ),
    ("citizen.ev.sub_case.cancelled", "取消", "Cancelled"),
    (
        "citizen.ev.sub_case.pledge_reminder",
        "补交提醒",
        "Supplement reminder",
    ),
    (
        "citizen.ev.sub_case.pledge_expired",
        "补交逾期",
        "Supplement deadline missed",
    ),
    ("citizen.ev.other", "办件更新", "Case updated"),
    ("citizen.ev.when", "时间", "When"),
    ("citizen.ev.what", "事项", "What"),
    ("citizen.ev.who", "经办", "By"),
    ("citizen.ev.where", "地点", "Where"),
    ("citizen.ev.note", "说明", "Note"),
    // Appointments.
    ("citizen.appt.title", "我的预约", "My appointments"),
    (
        "citizen.appt.none",
        "您还没有预约。",
        "You have no appointments.",
    ),
    ("citizen.appt.book", "预约办理", "Book an appointment"),
    ("citizen.appt.region", "地区", "Region"),
    ("citizen.appt.center", "服务中心", "Service center"),
    ("citizen.appt.item", "事项", "Service"),
    ("citizen.appt.date", "日期", "Date"),
    ("citizen.appt.find", "查找服务中心", "Find centers"),
    (
        "citizen.appt.show_slots",
        "查看可预约时段",
        "Show free times",
    ),
    ("citizen.appt.slot", "时段", "Time"),
    ("citizen.appt.window", "窗口", "Window"),
    ("citizen.appt.left", "余号", "left"),
    (
        "citizen.appt.no_slots",
        "当天没有可预约的时段。",
        "No free times on that day.",
    ),
    ("citizen.appt.closed", "当天不开放：", "Closed that day:"),
    ("citizen.appt.confirm", "确认预约", "Book this time"),
    ("citizen.appt.status", "状态", "Status"),
    ("citizen.appt.ticket", "取号", "Ticket"),
    ("citizen.appt.cancel", "取消预约", "Cancel"),
    ("citizen.appt.booked", "预约成功。", "Booked."),
    (
        "citizen.appt.cancelled_ok",
        "已取消预约。",
        "The appointment is cancelled.",
    ),
    ("citizen.appt.s.booked", "已预约", "Booked"),
    ("citizen.appt.s.cancelled", "已取消", "Cancelled"),
    ("citizen.appt.s.checked_in", "已签到", "Checked in"),
    ("citizen.appt.s.no_show", "未到", "Missed"),
    ("citizen.appt.s.other", "其他", "Other"),
    ("citizen.appt.no_shows", "爽约次数", "Missed appointments"),
    ("citizen.appt.open", "待办预约", "Open bookings"),
    (
        "citizen.appt.pick_all",
        "请选择服务中心、事项、日期和时段。",
        "Choose a center, a service, a date and a time.",
    ),
    // Authorizations.
    (
        "citizen.auth.title",
        "帮代办授权",
        "Authorizations for agents",
    ),
    (
        "citizen.auth.given",
        "我给出的授权",
        "Authorizations I gave",
    ),
    ("citizen.auth.held", "我受托的授权", "Authorizations I hold"),
    ("citizen.auth.none", "暂无。", "None."),
    ("citizen.auth.principal", "委托人", "Principal"),
    (
        "citizen.auth.agent",
        "受托人（用户名）",
        "Agent (user name)",
    ),
    ("citizen.auth.kind", "代办类型", "Kind"),
    ("citizen.auth.scope", "代办范围", "Scope"),
    ("citizen.auth.scope_all", "全部事项", "All services"),
    (
        "citizen.auth.scope_items",
        "指定事项编码（用逗号分隔）",
        "These item codes (comma separated)",
    ),
    ("citizen.auth.valid", "有效期", "Valid"),
    ("citizen.auth.valid_from", "起始日期", "From"),
    ("citizen.auth.valid_to", "截止日期", "Until"),
    (
        "citizen.auth.evidence",
        "签字的授权委托书（PDF/JPEG/PNG）",
        "The signed authorization (PDF/JPEG/PNG)",
    ),
    ("citizen.auth.status", "状态", "Status"),
    (
        "citizen.auth.document",
        "授权委托书",
        "Authorization document",
    ),
    ("citizen.auth.grant", "授权他人代办", "Authorize an agent"),
    ("citizen.auth.grant_submit", "授权", "Grant"),
    ("citizen.auth.revoke", "撤销", "Revoke"),
    ("citizen.auth.granted", "已授权。", "Granted."),
    (
        "citizen.auth.revoked_ok",
        "已撤销授权。",
        "The authorization is revoked.",
    ),
    ("citizen.auth.k.relative", "亲属代办", "A relative"),
    (
        "citizen.auth.k.power_of_attorney",
        "委托代理",
        "Power of attorney",
    ),
    (
        "citizen.auth.k.village_helper",
        "帮代办员代办",
        "Village helper",
    ),
    ("citizen.auth.s.valid", "有效", "Valid"),
    ("citizen.auth.s.revoked", "已撤销", "Revoked"),
    ("citizen.auth.s.not_yet_valid", "未生效", "Not yet valid"),
    ("citizen.auth.s.expired", "已过期", "Expired"),
    (
        "citizen.auth.need_agent",
        "请填写受托人的用户名。",
        "Give the agent's user name.",
    ),
    (
        "citizen.auth.need_date",
        "请填写有效的截止日期。",
        "Give a valid end date.",
    ),
    (
        "citizen.auth.need_file",
        "请上传签字的授权委托书。",
        "Upload the signed authorization.",
    ),
    (
        "citizen.auth.bad_date",
        "日期格式应为 YYYY-MM-DD。",
        "Dates look like YYYY-MM-DD.",
    ),
];

pub(crate) fn routes() -> Router<AppState> {
    // A form may carry several files of up to 10 MiB each.
    let uploads = DefaultBodyLimit::max(MAX_FILE_BYTES * 4 + 64 * 1024);
    Router::new()
        .route(
            "/apply/items/{code}",
            get(apply::item_page).post(apply::apply_item).layer(uploads),
        )
        .route(
            "/apply/bundles/{code}",
            get(apply::bundle_page)
                .post(apply::apply_bundle)
                .layer(uploads),
        )
        .route("/my/cases", get(cases::my_cases))
        .route("/my/cases/{number}", get(cases::case_page))
        .route(
            "/my/cases/{number}/supplement",
            post(cases::supplement).layer(uploads),
        )
        .route("/my/cases/{number}/withdraw", post(cases::withdraw))
        .route(
            "/my/appointments",
            get(services::appointments_page).post(services::book),
        )
        .route(
            "/my/appointments/{id}/cancel",
            post(services::cancel_appointment),
        )
        .route(
            "/my/authorizations",
            get(services::authorizations_page)
                .post(services::grant)
                .layer(uploads),
        )
        .route("/my/authorizations/{id}/revoke", post(services::revoke))
}

/// One uploaded file of a multipart form.
pub(crate) struct Upload {
    pub field: String,
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A multipart form read whole: its text fields (repeatable) and its non-empty files.
pub(crate) struct MultipartForm {
    pub texts: Vec<(String, String)>,
    pub files: Vec<Upload>,
}

impl MultipartForm {
    pub fn text(&self, name: &str) -> &str {
        self.texts
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    pub fn has(&self, name: &str) -> bool {
        self.texts.iter().any(|(k, _)| k == name)
    }
}

/// Reads a multipart form; a body that cannot be read (too large, cut off) is a human error.
pub(crate) async fn read_multipart(mut mp: Multipart) -> Result<MultipartForm, AppError> {
    let unreadable = || {
        AppError::invalid(
            "page.upload_unreadable",
            format!(
                "The form could not be read; each file may have at most {} MiB.",
                MAX_FILE_BYTES / 1024 / 1024
            ),
            format!(
                "无法读取提交的表单；每个文件不得超过 {} MiB。",
                MAX_FILE_BYTES / 1024 / 1024
            ),
        )
    };
    let mut form = MultipartForm {
        texts: Vec::new(),
        files: Vec::new(),
    };
    while let Some(field) = mp.next_field().await.map_err(|_| unreadable())? {
        let name = field.name().unwrap_or_default().to_string();
        match field.file_name().map(str::to_string) {
            Some(file_name) => {
                let declared = field.content_type().unwrap_or_default().to_string();
                let bytes = field.bytes().await.map_err(|_| unreadable())?;
                if file_name.is_empty() && bytes.is_empty() {
                    continue; // a file input left empty
                }
                form.files.push(Upload {
                    field: name,
                    content_type: content_type_of(&declared, &file_name),
                    file_name,
                    bytes: bytes.to_vec(),
                });
            }
            None => {
                let text = field.text().await.map_err(|_| unreadable())?;
                form.texts.push((name, text));
            }
        }
    }
    Ok(form)
}

/// The type to check a file as: what the browser declared, or for a generic declaration the
/// type its name suggests (the file service still checks the content).
fn content_type_of(declared: &str, file_name: &str) -> String {
    if !declared.is_empty() && declared != "application/octet-stream" {
        return declared.to_string();
    }
    let lower = file_name.to_ascii_lowercase();
    if lower.ends_with(".pdf") {
        "application/pdf".into()
    } else if lower.ends_with(".png") {
        "image/png".into()
    } else if lower.ends_with(".jpg") || lower.ends_with(".jpeg") {
        "image/jpeg".into()
    } else {
        declared.to_string()
    }
}

/// A service error's sentence in the user's language.
pub(crate) fn sentence(e: &AppError, lang: Lang) -> String {
    match lang {
        Lang::Zh => e.message_zh.clone(),
        Lang::En => e.message.clone(),
    }
}

/// Field-keyed messages shown next to inputs, plus one for the whole form.
#[derive(Default)]
pub(crate) struct Problems {
    pub by_field: HashMap<String, String>,
    pub general: Option<String>,
}

impl Problems {
    pub fn msg(&self, key: &str) -> Option<&str> {
        self.by_field.get(key).map(String::as_str)
    }

    pub fn add(&mut self, key: impl Into<String>, msg: impl Into<String>) {
        self.by_field
            .entry(key.into())
            .or_insert_with(|| msg.into());
    }

    pub fn is_empty(&self) -> bool {
        self.by_field.is_empty() && self.general.is_none()
    }
}

/// A sub-case status in the user's language.
pub(crate) fn status_name(tr: &Tr, s: SubCaseStatus) -> &'static str {
    tr.t(match s {
        SubCaseStatus::Waiting => "citizen.st.waiting",
        SubCaseStatus::Submitted => "citizen.st.submitted",
        SubCaseStatus::AwaitingSupplement => "citizen.st.awaiting_supplement",
        SubCaseStatus::Accepted => "citizen.st.accepted",
        SubCaseStatus::Reviewed => "citizen.st.reviewed",
        SubCaseStatus::Decided => "citizen.st.decided",
        SubCaseStatus::Concluded => "citizen.st.concluded",
        SubCaseStatus::Delivered => "citizen.st.delivered",
        SubCaseStatus::Rejected => "citizen.st.rejected",
        SubCaseStatus::Withdrawn => "citizen.st.withdrawn",
        SubCaseStatus::Cancelled => "citizen.st.cancelled",
        SubCaseStatus::Terminated => "citizen.st.terminated",
        SubCaseStatus::Suspended => "citizen.st.suspended",
    })
}

/// The marker of a deadline flag: (CSS class, words); nothing for a normal one.
pub(crate) fn flag_of(tr: &Tr, t: Option<TimeStatus>) -> Option<(&'static str, &'static str)> {
    match t {
        Some(TimeStatus::NearDue) => Some(("near", tr.t("citizen.cases.near"))),
        Some(TimeStatus::Overdue) => Some(("over", tr.t("citizen.cases.over"))),
        _ => None,
    }
}

/// An instant in China time, to the minute.
pub(crate) fn local_time(millis: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(millis)
        .map(|t| {
            t.with_timezone(&tongban_app::clock::china())
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}
