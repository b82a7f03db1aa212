//! The approver's workbench and the staff case page.
//!
//! - `GET /work`: 待办 — the sub-cases waiting for the signed-in approver, earliest deadline first,
//!   near-due rows yellow and overdue red (with a text badge), filtered and paged.
//! - `GET /cases/{number}`: one case for the staff who may see it (clerk, approver, supervisor):
//!   applicant, 收件地 and 办理地, sub-cases with deadlines, form, materials with a preview, the
//!   hash-chained timeline, the actions this user may take now, and the printable documents.
//! - `POST /cases/{number}/act`: one action through the same `act` service the API uses.
//! - `GET /cases/{number}/files/{sha256}`: a material's file, only from a case the user may see.

use axum::Router;
use axum::http::Uri;
use axum::routing::{get, post};
use tongban_domain::catalog::Role;

use super::PageError;
use super::session::PageUser;
use crate::AppState;
use crate::problem::Lang;

mod act; // POST /cases/{number}/act: the action form through the `act` service
mod case_page; // GET /cases/{number}: the staff case page and its action forms
mod files; // GET /cases/{number}/files/{sha256}: a material's file
mod labels; // status, action and event labels; times, dates, deadline flags
mod queue; // GET /work: 待办, the approver's to-do list

/// The roles that work on cases as staff and may open the staff case page.
const STAFF: &[Role] = &[Role::Clerk, Role::Approver, Role::Supervisor];

/// (key, zh-CN, English); keys start with `work.`.
pub(crate) const STRINGS: &[(&str, &str, &str)] = &[
    ("work.queue", "我的待办", "My to-do list"),
    (
        "work.queue_lead",
        "本部门等待您办理的事项，按办结期限排序。黄色为临近期限，红色为已超期。",
        "Sub-cases of your department waiting for you, by deadline. Yellow rows are near their deadline, red ones overdue.",
    ),
    ("work.filter", "筛选", "Filter"),
    ("work.filter_all", "全部", "All"),
    (
        "work.filter_near",
        "临近期限（含超期）",
        "Near due (incl. overdue)",
    ),
    ("work.filter_over", "已超期", "Overdue"),
    ("work.total", "条待办", "waiting"),
    (
        "work.empty",
        "没有等待您办理的事项。",
        "Nothing is waiting for you.",
    ),
    ("work.number", "办件编号", "Case number"),
    ("work.item", "事项", "Item"),
    ("work.applicant", "申请人", "Applicant"),
    ("work.status", "状态（环节）", "Status (step)"),
    ("work.deadline", "办结期限", "Deadline"),
    ("work.left", "剩余工作日", "Working days left"),
    ("work.can_do", "可办理", "You may"),
    ("work.badge_near", "临近期限", "Near due"),
    ("work.badge_over", "已超期", "Overdue"),
    ("work.prev", "上一页", "Previous page"),
    ("work.next", "下一页", "Next page"),
    ("work.page", "页码", "Page"),
    ("work.sep", "、", ", "),
    ("work.yes", "是", "yes"),
    ("work.no", "否", "no"),
    ("work.paging", "翻页", "Pages"),
    ("work.none", "—", "—"),
    // The case page.
    ("work.case", "办件", "Case"),
    ("work.version", "版本", "version"),
    ("work.open", "办理中", "open"),
    ("work.closed", "已结束", "closed"),
    ("work.to_queue", "返回我的工作台", "Back to my workspace"),
    (
        "work.applicant_part",
        "申请人与受理",
        "Applicant and receipt",
    ),
    ("work.id", "证件号码", "ID number"),
    ("work.channel", "申请渠道", "Channel"),
    ("work.channel_online", "网上申请", "Online"),
    ("work.channel_window", "窗口申请", "At a window"),
    ("work.center", "收件地", "Received at"),
    ("work.center_online", "网上办事大厅", "Online service hall"),
    ("work.submitted_at", "提交时间", "Submitted"),
    ("work.trips", "跑动次数", "Trips made"),
    ("work.sub_cases", "办理事项", "Sub-cases"),
    ("work.seq", "序号", "No."),
    ("work.department", "办理地（部门）", "Handled by"),
    ("work.limit", "承诺时限", "Committed limit"),
    ("work.days", "个工作日", "working days"),
    ("work.result", "办理结果", "Result"),
    ("work.form", "申请表", "Application form"),
    ("work.materials", "申请材料", "Materials"),
    ("work.material", "材料", "Material"),
    ("work.provided", "提交方式", "Provided as"),
    ("work.preview", "预览", "Preview"),
    ("work.open_file", "打开文件", "Open the file"),
    ("work.provided_file", "电子文件", "File"),
    (
        "work.provided_paper",
        "纸质（窗口核验）",
        "Paper (checked at a window)",
    ),
    ("work.provided_commitment", "告知承诺", "Commitment"),
    (
        "work.provided_certificate",
        "电子证照",
        "Electronic certificate",
    ),
    ("work.provided_missing", "尚未提交", "Not yet provided"),
    ("work.timeline", "办理过程", "Timeline"),
    (
        "work.timeline_lead",
        "每条记录都链接到上一条（哈希链），可核验、不可篡改。",
        "Each entry is chained to the one before (a hash chain), so the record can be verified.",
    ),
    ("work.hash", "核验码", "Verification code"),
    ("work.documents", "办件文书", "Documents"),
    ("work.doc_receipt", "受理通知书", "Acceptance receipt"),
    ("work.doc_notice", "一次性告知书", "One-time notice"),
    ("work.doc_pledge", "容缺受理承诺书", "Supplement pledge"),
    ("work.doc_commitment", "告知承诺书", "Commitment"),
    (
        "work.doc_refusal",
        "不予受理决定书",
        "Decision not to accept",
    ),
    ("work.actions", "办理操作", "Actions"),
    (
        "work.no_actions",
        "此办件当前没有需要您办理的操作。",
        "There is nothing for you to do on this case now.",
    ),
    ("work.done", "已办理：", "Done:"),
    (
        "work.stale",
        "在您查看期间，其他人已更新了此办件。页面已显示最新情况，请核对后再提交。",
        "Someone else changed this case while you were looking at it. The page now shows the case as it is; check it and submit again if still needed.",
    ),
    ("work.reload", "刷新页面", "Reload the page"),
    (
        "work.bad_form",
        "表单内容不完整，请刷新页面后重试。",
        "The form was incomplete; reload the page and try again.",
    ),
    (
        "work.bad_date",
        "请按“年-月-日”填写出具日期，例如 2026-11-28。",
        "Enter the issue date as year-month-day, e.g. 2026-11-28.",
    ),
    (
        "work.f_reasons",
        "理由（每行一条）",
        "Reasons (one per line)",
    ),
    ("work.f_opinion", "意见", "Opinion"),
    ("work.f_note", "说明", "Note"),
    ("work.f_missing", "需补正的材料", "Materials to supplement"),
    (
        "work.f_tolerated",
        "容缺的材料",
        "Materials to accept as missing",
    ),
    (
        "work.f_result_number",
        "文书或证照编号",
        "Document or certificate number",
    ),
    ("work.f_result_content", "结果内容", "What was decided"),
    ("work.f_issuer", "出具单位", "Issued by"),
    ("work.f_issued_on", "出具日期", "Issued on"),
    ("work.f_approved", "结论", "Outcome"),
    ("work.f_yes", "准予", "Granted"),
    ("work.f_no", "不予", "Refused"),
    ("work.f_method", "送达方式", "Delivery method"),
    ("work.m_electronic", "电子送达", "Electronically"),
    ("work.m_post", "邮寄送达", "By post"),
    ("work.m_at_center", "窗口领取", "Collected at the center"),
    // Sub-case statuses.
    ("work.s_waiting", "等待前置事项", "Waiting for another item"),
    ("work.s_submitted", "待受理", "Waiting for acceptance"),
    (
        "work.s_awaiting_supplement",
        "补正中",
        "Awaiting supplement",
    ),
    ("work.s_accepted", "已受理（待审查）", "Accepted"),
    ("work.s_reviewed", "已审查（待决定）", "Reviewed"),
    ("work.s_decided", "已决定（待办结）", "Decided"),
    ("work.s_concluded", "已办结", "Concluded"),
    ("work.s_delivered", "已送达", "Delivered"),
    ("work.s_rejected", "不予受理", "Not accepted"),
    ("work.s_withdrawn", "已撤回", "Withdrawn"),
    ("work.s_cancelled", "已取消", "Cancelled"),
    ("work.s_terminated", "终止办理", "Terminated"),
    ("work.s_suspended", "中止办理", "Suspended"),
    // Actions (buttons and timeline entries).
    ("work.a_accept", "受理", "Accept"),
    (
        "work.a_accept_with_tolerance",
        "容缺受理",
        "Accept with materials pledged",
    ),
    ("work.a_reject", "不予受理", "Do not accept"),
    (
        "work.a_request_supplement",
        "一次性告知补正",
        "Request a supplement",
    ),
    ("work.a_supplement", "补正材料", "Supplement"),
    ("work.a_review", "审查", "Review"),
    ("work.a_approve", "准予", "Approve"),
    ("work.a_deny", "不予许可", "Deny"),
    ("work.a_conclude", "办结", "Conclude"),
    ("work.a_deliver", "送达", "Deliver"),
    ("work.a_withdraw", "撤回", "Withdraw"),
    // Other timeline entries.
    ("work.e_submitted", "提交申请", "Application submitted"),
    ("work.e_closed", "办件结束", "Case closed"),
    (
        "work.e_released",
        "前置事项已办结，开始办理",
        "Released: what it needed is done",
    ),
    (
        "work.e_cancelled",
        "前置事项未获准予，已取消",
        "Cancelled: an item it needed was refused",
    ),
    (
        "work.e_pledge_reminder",
        "容缺补交提醒",
        "Pledge reminder sent",
    ),
    (
        "work.e_pledge_expired",
        "容缺补交期限已过",
        "Pledge deadline passed",
    ),
    (
        "work.e_sampled",
        "抽中事后核查",
        "Selected for verification",
    ),
    ("work.e_verified", "事后核查通过", "Verification passed"),
    ("work.e_revoked", "办理结果已撤销", "Result revoked"),
    ("work.e_other", "记录", "Record"),
    ("work.by", "办理人", "By"),
    ("work.for", "代", "for"),
];

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/work", get(queue::queue))
        .route("/cases/{number}", get(case_page::case_page))
        .route("/cases/{number}/act", post(act::act))
        .route("/cases/{number}/files/{sha256}", get(files::file))
}

/// The staff roles only: a citizen has their own case page, other roles none.
fn staff_only(user: &PageUser, lang: Lang, uri: &Uri) -> Result<(), PageError> {
    user.require(STAFF, lang, uri)
}
