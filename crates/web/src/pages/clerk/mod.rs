//! The clerk's workstation (窗口工作台): today's queue at the clerk's center, the cases received
//! there, and receiving an application for a walk-in person at the window (收件 → 受理 or 一次性告知).
//!
//! Every handler calls the service the JSON API calls: `clerk_desk` / `received_here` (read-only,
//! `tongban_app::workstation`), `call_next` / `queue_step` for the queue, `create_case` with the
//! window channel, and `act` for accepting or issuing the one-time notice.

use axum::Router;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::DateTime;
use tongban_app::error::AppError;
use tongban_domain::calendar::TimeStatus;
use tongban_domain::case::SubCaseStatus;
use tongban_domain::catalog::Role;

use super::PageError;
use super::session::PageUser;
use crate::AppState;
use crate::problem::Lang;

mod choose; // 窗口收件: find the item or bundle to receive, or type its code
mod home; // the workstation: today's queue and the cases received here
mod queue; // 叫号: call next, call again, skip
mod receive; // 收件: the window application form for an item or a bundle
mod received; // after receiving: 受理, 一次性告知 or 容缺受理

/// (key, zh-CN, English); keys start with `clerk.`.
pub(crate) const STRINGS: &[(&str, &str, &str)] = &[
    ("clerk.title", "窗口工作台", "Window workstation"),
    ("clerk.queue", "今日排队", "Today's queue"),
    ("clerk.window_type", "窗口类型", "Window type"),
    ("clerk.waiting", "等候人数", "Waiting"),
    ("clerk.counter", "窗口号", "Window number"),
    ("clerk.call_next", "叫下一号", "Call next"),
    ("clerk.serving", "正在办理", "Now serving"),
    (
        "clerk.nobody_serving",
        "当前没有正在办理的号码。",
        "You are not serving anyone now.",
    ),
    ("clerk.calls", "已呼叫次数", "Times called"),
    ("clerk.recall", "重呼", "Call again"),
    ("clerk.skip", "过号", "Skip (no-show)"),
    (
        "clerk.others_calling",
        "其他窗口正在呼叫",
        "Other windows calling",
    ),
    ("clerk.received", "本中心收件", "Cases received here"),
    ("clerk.receive", "窗口收件", "Receive an application"),
    (
        "clerk.receive_lead",
        "为到窗口办事的群众选择事项或一件事：输入名称、拼音或首字母，例如：养老保险、yanglao、ylbx。",
        "Choose the service or one-thing bundle for the person at the window: type its name in Chinese, pinyin or initials, e.g. 养老保险, yanglao, ylbx.",
    ),
    ("clerk.search", "查找", "Find"),
    (
        "clerk.search_label",
        "事项名称、拼音或首字母",
        "Service name, pinyin or initials",
    ),
    (
        "clerk.by_code",
        "已知编码时直接输入",
        "Or enter a known code",
    ),
    ("clerk.code", "事项或一件事编码", "Service or bundle code"),
    ("clerk.go", "开始收件", "Start"),
    (
        "clerk.unknown_code",
        "没有这个编码的事项或一件事，请核对后重新输入。",
        "No service or bundle has this code; check it and try again.",
    ),
    ("clerk.items", "事项", "Services"),
    ("clerk.bundles", "一件事", "One-thing bundles"),
    (
        "clerk.none_found",
        "没有找到相符的事项。请换个说法。",
        "Nothing matches. Try other words.",
    ),
    (
        "clerk.more",
        "结果较多，仅显示前 30 条，请细化搜索。",
        "Only the first 30 results are shown; narrow your search.",
    ),
    ("clerk.applicant", "申请人", "Applicant"),
    ("clerk.form", "申请表", "Application form"),
    ("clerk.materials", "材料核验", "Material check"),
    (
        "clerk.materials_lead",
        "勾选窗口当场核验的纸质材料。未勾选的材料记为缺少，受理时可一次性告知补正或容缺受理。",
        "Tick each paper material you have seen at the window. Unticked materials are recorded as missing: you can then issue a one-time notice or accept with tolerance.",
    ),
    ("clerk.seen", "已核验纸质材料", "Paper seen"),
    (
        "clerk.commit_instead",
        "以告知承诺替代",
        "Replaced by a commitment",
    ),
    (
        "clerk.e_cert_skip",
        "可通过电子证照免提交",
        "Can be skipped: fetched as an e-certificate",
    ),
    ("clerk.modes", "可用办理方式", "Handling modes"),
    ("clerk.submit", "提交收件", "Record the application"),
    ("clerk.required", "必填", "required"),
    ("clerk.choose", "请选择", "Choose"),
    (
        "clerk.fix",
        "请更正标出的内容后重新提交。",
        "Please correct what is marked and submit again.",
    ),
    ("clerk.case", "办件", "Case"),
    ("clerk.case_number", "办件编号", "Case number"),
    (
        "clerk.created",
        "已收件。请当场受理，或一次性告知需补正的材料。",
        "The application is recorded. Accept it now, or issue a one-time notice of what is missing.",
    ),
    ("clerk.applicant_id", "证件号码", "ID number"),
    ("clerk.item", "事项", "Service"),
    ("clerk.department", "办理部门", "Handled by"),
    ("clerk.status", "状态", "Status"),
    ("clerk.deadline", "办结期限", "Deadline"),
    ("clerk.prov.paper", "纸质（已核验）", "Paper (seen)"),
    ("clerk.prov.file", "电子文件", "File"),
    ("clerk.prov.commitment", "告知承诺", "Commitment"),
    ("clerk.prov.missing", "缺少", "Missing"),
    ("clerk.accept", "受理", "Accept"),
    (
        "clerk.accept_lead",
        "材料齐全、符合法定形式的，当场受理并打印受理通知书。",
        "If the materials are complete and in order, accept now and print the acceptance notice.",
    ),
    ("clerk.missing", "缺少的材料", "Missing materials"),
    (
        "clerk.missing_lead",
        "勾选需补正的材料，一次性告知；可容缺的材料也可容缺受理。",
        "Tick what must be supplied and issue one notice listing all of it; tolerable materials can instead be accepted with tolerance.",
    ),
    ("clerk.tolerable", "可容缺", "Tolerable"),
    (
        "clerk.note",
        "告知说明（可选）",
        "Note on the notice (optional)",
    ),
    ("clerk.notice", "一次性告知", "Issue one-time notice"),
    ("clerk.tolerance", "容缺受理", "Accept with tolerance"),
    (
        "clerk.tick_one",
        "请至少勾选一项材料。",
        "Tick at least one material.",
    ),
    ("clerk.print", "打印", "Print"),
    ("clerk.receipt", "受理通知书", "Acceptance notice"),
    ("clerk.notice_doc", "一次性告知书", "One-time notice"),
    ("clerk.open_case", "查看办件详情", "Open the case"),
    ("clerk.next", "继续收件", "Receive another"),
    (
        "clerk.no_cases",
        "本中心还没有收件。",
        "No cases have been received here yet.",
    ),
    ("clerk.received_at", "收件时间", "Received"),
    ("clerk.prev", "上一页", "Previous"),
    ("clerk.next_page", "下一页", "Next"),
    ("clerk.page", "页", "Page"),
    ("clerk.near", "临期", "Near due"),
    ("clerk.over", "超期", "Overdue"),
    ("clerk.case_closed", "已办结", "Closed"),
    (
        "clerk.st.waiting",
        "等待前置事项",
        "Waiting for another item",
    ),
    ("clerk.st.submitted", "待受理", "To accept"),
    (
        "clerk.st.awaiting_supplement",
        "补正中",
        "Awaiting supplement",
    ),
    ("clerk.st.accepted", "已受理", "Accepted"),
    ("clerk.st.reviewed", "已审查", "Reviewed"),
    ("clerk.st.decided", "已决定", "Decided"),
    ("clerk.st.concluded", "已办结", "Concluded"),
    ("clerk.st.delivered", "已送达", "Delivered"),
    ("clerk.st.rejected", "不予受理", "Rejected"),
    ("clerk.st.withdrawn", "已撤回", "Withdrawn"),
    ("clerk.st.cancelled", "已取消", "Cancelled"),
    ("clerk.st.terminated", "终止办理", "Terminated"),
    ("clerk.st.suspended", "中止办理", "Suspended"),
];

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/clerk", get(home::home))
        .route("/clerk/queue/call", post(queue::call_next))
        .route("/clerk/queue/{ticket}/recall", post(queue::recall))
        .route("/clerk/queue/{ticket}/skip", post(queue::skip))
        .route(
            "/clerk/receive",
            get(choose::choose).post(choose::choose_code),
        )
        .route(
            "/clerk/receive/items/{code}",
            get(receive::item_form).post(receive::item_submit),
        )
        .route(
            "/clerk/receive/bundles/{code}",
            get(receive::bundle_form).post(receive::bundle_submit),
        )
        .route("/clerk/received/{number}", get(received::received))
        .route("/clerk/received/{number}/accept", post(received::accept))
        .route("/clerk/received/{number}/missing", post(received::missing))
}

/// The clerk check every page starts with.
fn clerk(user: &PageUser, lang: Lang, uri: &Uri) -> Result<(), PageError> {
    user.require(&[Role::Clerk], lang, uri)
}

fn fail(error: AppError, lang: Lang, uri: Uri) -> Response {
    PageError { error, lang, uri }.into_response()
}

/// China time (UTC+8) for showing instants.
fn local_time(millis: i64) -> String {
    DateTime::from_timestamp_millis(millis)
        .map(|t| {
            t.with_timezone(&tongban_app::clock::china())
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

fn status_key(s: SubCaseStatus) -> &'static str {
    match s {
        SubCaseStatus::Waiting => "clerk.st.waiting",
        SubCaseStatus::Submitted => "clerk.st.submitted",
        SubCaseStatus::AwaitingSupplement => "clerk.st.awaiting_supplement",
        SubCaseStatus::Accepted => "clerk.st.accepted",
        SubCaseStatus::Reviewed => "clerk.st.reviewed",
        SubCaseStatus::Decided => "clerk.st.decided",
        SubCaseStatus::Concluded => "clerk.st.concluded",
        SubCaseStatus::Delivered => "clerk.st.delivered",
        SubCaseStatus::Rejected => "clerk.st.rejected",
        SubCaseStatus::Withdrawn => "clerk.st.withdrawn",
        SubCaseStatus::Cancelled => "clerk.st.cancelled",
        SubCaseStatus::Terminated => "clerk.st.terminated",
        SubCaseStatus::Suspended => "clerk.st.suspended",
    }
}

fn marker(t: Option<TimeStatus>) -> &'static str {
    match t {
        Some(TimeStatus::NearDue) => "near",
        Some(TimeStatus::Overdue) => "over",
        _ => "",
    }
}
