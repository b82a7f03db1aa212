//! The approver's workbench and the staff case page.
//!
//! - `GET /work`: 待办 — the sub-cases waiting for the signed-in approver, earliest deadline first,
//!   near-due rows yellow and overdue red (with a text badge), filtered and paged.
//! - `GET /cases/{number}`: one case for the staff who may see it (clerk, approver, supervisor):
//!   applicant, 收件地 and 办理地, sub-cases with deadlines, form, materials with a preview, the
//!   hash-chained timeline, the actions this user may take now, and the printable documents.
//! - `POST /cases/{number}/act`: one action through the same `act` service the API uses.
//! - `GET /cases/{number}/files/{sha256}`: a material's file, only from a case the user may see.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Deserialize;
use serde_json::Value;
use tongban_app::cases::{ActionRequest, CaseView};
use tongban_app::error::{AppError, ErrorKind};
use tongban_app::workbench::CasePage;
use tongban_domain::calendar::TimeStatus;
use tongban_domain::case::{Action, ActionKind, CaseResult, DeliveryMethod, SubCaseStatus};
use tongban_domain::catalog::Role;

use super::i18n::Tr;
use super::session::{PageUser, urlencode};
use super::{Chrome, PageError, PageLang, render};
use crate::AppState;
use crate::problem::Lang;

/// Rows per page of the to-do list.
const QUEUE_PAGE: u32 = 20;

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
        .route("/work", get(queue))
        .route("/cases/{number}", get(case_page))
        .route("/cases/{number}/act", post(act))
        .route("/cases/{number}/files/{sha256}", get(file))
}

fn status_label(tr: &Tr, s: SubCaseStatus) -> &'static str {
    tr.t(match s {
        SubCaseStatus::Waiting => "work.s_waiting",
        SubCaseStatus::Submitted => "work.s_submitted",
        SubCaseStatus::AwaitingSupplement => "work.s_awaiting_supplement",
        SubCaseStatus::Accepted => "work.s_accepted",
        SubCaseStatus::Reviewed => "work.s_reviewed",
        SubCaseStatus::Decided => "work.s_decided",
        SubCaseStatus::Concluded => "work.s_concluded",
        SubCaseStatus::Delivered => "work.s_delivered",
        SubCaseStatus::Rejected => "work.s_rejected",
        SubCaseStatus::Withdrawn => "work.s_withdrawn",
        SubCaseStatus::Cancelled => "work.s_cancelled",
        SubCaseStatus::Terminated => "work.s_terminated",
        SubCaseStatus::Suspended => "work.s_suspended",
    })
}

fn action_label(tr: &Tr, a: ActionKind) -> &'static str {
    tr.t(match a {
        ActionKind::Accept => "work.a_accept",
        ActionKind::AcceptWithTolerance => "work.a_accept_with_tolerance",
        ActionKind::Reject => "work.a_reject",
        ActionKind::RequestSupplement => "work.a_request_supplement",
        ActionKind::Supplement => "work.a_supplement",
        ActionKind::Review => "work.a_review",
        ActionKind::Approve => "work.a_approve",
        ActionKind::Deny => "work.a_deny",
        ActionKind::Conclude => "work.a_conclude",
        ActionKind::Deliver => "work.a_deliver",
        ActionKind::Withdraw => "work.a_withdraw",
    })
}

fn event_label(tr: &Tr, kind: &str) -> &'static str {
    if let Some(a) = kind
        .strip_prefix("sub_case.")
        .and_then(|k| ActionKind::ALL.into_iter().find(|a| a.as_str() == k))
    {
        return action_label(tr, a);
    }
    tr.t(match kind {
        "case.submitted" => "work.e_submitted",
        "case.closed" => "work.e_closed",
        "sub_case.released" => "work.e_released",
        "sub_case.cancelled" => "work.e_cancelled",
        "sub_case.pledge_reminder" => "work.e_pledge_reminder",
        "sub_case.pledge_expired" => "work.e_pledge_expired",
        "sub_case.verification_sampled" => "work.e_sampled",
        "sub_case.verification_passed" => "work.e_verified",
        "sub_case.result_revoked" => "work.e_revoked",
        _ => "work.e_other",
    })
}

/// An instant as people in the service area read it (China Standard Time).
fn local_time(millis: i64) -> String {
    DateTime::from_timestamp_millis(millis)
        .zip(FixedOffset::east_opt(8 * 3600))
        .map(|(t, tz)| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

fn day(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "—".into())
}

/// The row class and text badge of a time flag: colour plus words, never colour alone.
fn flag_marks(
    tr: &Tr,
    f: Option<TimeStatus>,
) -> (&'static str, Option<(&'static str, &'static str)>) {
    match f {
        Some(TimeStatus::NearDue) => ("due-near", Some(("near", tr.t("work.badge_near")))),
        Some(TimeStatus::Overdue) => ("due-over", Some(("over", tr.t("work.badge_over")))),
        _ => ("", None),
    }
}

// ---------------------------------------------------------------------------------------------
// GET /work

struct QueueRow {
    number: String,
    title: String,
    seq: i64,
    item_name: String,
    applicant: String,
    status: &'static str,
    deadline: String,
    left: String,
    class: &'static str,
    badge: Option<(&'static str, &'static str)>,
    actions: String,
}

struct FilterLink {
    key: &'static str,
    label: &'static str,
    current: bool,
}

#[derive(Template)]
#[template(path = "work/queue.html")]
struct QueuePage {
    c: Chrome,
    filters: Vec<FilterLink>,
    filter: &'static str,
    total: u64,
    rows: Vec<QueueRow>,
    page: u32,
    pages: u32,
    prev: Option<u32>,
    next: Option<u32>,
}

#[derive(Debug, Deserialize)]
struct QueueQuery {
    filter: Option<String>,
    offset: Option<String>,
}

async fn queue(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    Query(q): Query<QueueQuery>,
    uri: Uri,
) -> Response {
    if let Err(e) = user.require(&[Role::Approver], lang, &uri) {
        return e.into_response();
    }
    let tr = Tr { lang };
    // An unknown filter shows everything rather than an error: it only narrows a list.
    let filter = match q.filter.as_deref() {
        Some("near_due") => "near_due",
        Some("overdue") => "overdue",
        _ => "all",
    };
    let offset = q
        .offset
        .as_deref()
        .and_then(|o| o.parse::<u32>().ok())
        .unwrap_or(0);
    let flag = (filter != "all").then_some(filter);
    let page = match app.work_queue(&user, flag, offset, QUEUE_PAGE).await {
        Ok(p) => p,
        Err(error) => return PageError { error, lang, uri }.into_response(),
    };
    let rows = page
        .items
        .iter()
        .map(|w| {
            let (class, badge) = flag_marks(&tr, w.time_status);
            QueueRow {
                number: w.number.clone(),
                title: w.title.clone(),
                seq: w.seq,
                item_name: w.item_name.clone(),
                applicant: w.applicant_name.clone(),
                status: status_label(&tr, w.status),
                deadline: day(w.deadline),
                left: w
                    .remaining_workdays
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "—".into()),
                class,
                badge,
                actions: w
                    .actions
                    .iter()
                    .map(|a| action_label(&tr, *a))
                    .collect::<Vec<_>>()
                    .join(tr.t("work.sep")),
            }
        })
        .collect();
    let pages = u32::try_from(page.total.div_ceil(u64::from(QUEUE_PAGE)))
        .unwrap_or(u32::MAX)
        .max(1);
    let filters = [
        ("all", "work.filter_all"),
        ("near_due", "work.filter_near"),
        ("overdue", "work.filter_over"),
    ]
    .into_iter()
    .map(|(key, label)| FilterLink {
        key,
        label: tr.t(label),
        current: key == filter,
    })
    .collect();
    let view = QueuePage {
        c: Chrome::signed_in(lang, &uri, &user),
        filters,
        filter,
        total: page.total,
        rows,
        page: offset / QUEUE_PAGE + 1,
        pages,
        prev: (offset > 0).then(|| offset.saturating_sub(QUEUE_PAGE)),
        next: (u64::from(offset) + u64::from(QUEUE_PAGE) < page.total).then(|| offset + QUEUE_PAGE),
    };
    render(&view, StatusCode::OK, lang)
}

// ---------------------------------------------------------------------------------------------
// GET /cases/{number}

struct SubRow {
    seq: i64,
    item_name: String,
    item_code: String,
    department: String,
    status: &'static str,
    deadline: String,
    left: String,
    limit: u32,
    class: &'static str,
    badge: Option<(&'static str, &'static str)>,
    result: Option<String>,
}

struct FormRow {
    label: String,
    value: String,
}

struct MaterialRow {
    name: String,
    provided: &'static str,
    /// `/cases/{n}/files/{sha}` for an attached file.
    href: Option<String>,
    file_name: String,
    image: bool,
    pdf: bool,
}

struct EventRow {
    seq: i64,
    at: String,
    what: &'static str,
    code: String,
    sub_case: Option<i64>,
    actor: String,
    role: String,
    acting_for: Option<String>,
    reason: Option<String>,
    hash: String,
}

/// A choice in a checkbox list.
struct Check {
    code: String,
    name: String,
    checked: bool,
}

/// One action form on the case page, with the user's input kept after a validation error.
struct ActionBox {
    seq: i64,
    item_name: String,
    action: &'static str,
    label: &'static str,
    error: Option<String>,
    text: String,
    note: String,
    checks: Vec<Check>,
    result_number: String,
    result_content: String,
    issuer: String,
    issued_on: String,
    approved: bool,
    method: String,
}

impl ActionBox {
    fn id(&self) -> String {
        format!("act-{}-{}", self.seq, self.action)
    }
}

#[derive(Template)]
#[template(path = "work/case.html")]
struct CaseHtml {
    c: Chrome,
    number: String,
    title: String,
    version: i64,
    open: bool,
    applicant_name: String,
    applicant_id: String,
    online: bool,
    center: Option<String>,
    submitted_at: String,
    trips: u32,
    subs: Vec<SubRow>,
    form: Vec<FormRow>,
    materials: Vec<MaterialRow>,
    events: Vec<EventRow>,
    receipt: bool,
    notice: bool,
    refusal: bool,
    pledge: bool,
    commitment: bool,
    boxes: Vec<ActionBox>,
    done: Option<&'static str>,
    stale: bool,
    home: &'static str,
}

#[derive(Debug, Deserialize)]
struct CaseQuery {
    done: Option<String>,
}

/// The staff roles only: a citizen has their own case page, other roles none.
fn staff_only(user: &PageUser, lang: Lang, uri: &Uri) -> Result<(), PageError> {
    user.require(STAFF, lang, uri)
}

async fn case_page(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    Path(number): Path<String>,
    Query(q): Query<CaseQuery>,
    uri: Uri,
) -> Response {
    if let Err(e) = staff_only(&user, lang, &uri) {
        return e.into_response();
    }
    let page = match app.case_page(&user, &number).await {
        Ok(p) => p,
        Err(error) => return PageError { error, lang, uri }.into_response(),
    };
    let tr = Tr { lang };
    let done = q
        .done
        .as_deref()
        .and_then(|d| ActionKind::ALL.into_iter().find(|a| a.as_str() == d))
        .map(|a| action_label(&tr, a));
    let view = case_html(&user, lang, &uri, page, done, None, false);
    render(&view, StatusCode::OK, lang)
}

/// What a failed action left: which form, its message, and the user's input.
struct Failed<'a> {
    seq: i64,
    action: &'a str,
    message: String,
    form: &'a ActForm,
}

fn case_html(
    user: &PageUser,
    lang: Lang,
    uri: &Uri,
    page: CasePage,
    done: Option<&'static str>,
    failed: Option<Failed<'_>>,
    stale: bool,
) -> CaseHtml {
    let tr = Tr { lang };
    let CasePage {
        case,
        file_types,
        fields,
        today,
    } = page;
    let subs = case
        .sub_cases
        .iter()
        .map(|s| {
            let (class, badge) = flag_marks(&tr, s.time_status);
            SubRow {
                seq: s.seq,
                item_name: s.item_name.clone(),
                item_code: s.item_code.clone(),
                department: s.department.name.clone(),
                status: status_label(&tr, s.status),
                deadline: day(s.deadline),
                left: s
                    .remaining_workdays
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "—".into()),
                limit: s.committed_limit_days,
                class,
                badge,
                result: s
                    .result
                    .as_ref()
                    .map(|r| format!("{} · {}", r.number, r.content)),
            }
        })
        .collect();
    let mut form: Vec<FormRow> = Vec::new();
    let label_of = |key: &str| {
        fields
            .iter()
            .find(|f| f.key == key)
            .map(|f| match (tr.is_en(), &f.label_en) {
                (true, Some(en)) => en.clone(),
                _ => f.label.clone(),
            })
            .unwrap_or_else(|| key.to_string())
    };
    // Catalog order first, then anything else the form holds.
    let mut keys: Vec<&str> = fields
        .iter()
        .map(|f| f.key.as_str())
        .filter(|k| case.form.contains_key(*k))
        .collect();
    for k in case.form.keys() {
        if !keys.contains(&k.as_str()) {
            keys.push(k);
        }
    }
    for k in keys {
        let value = match case.form.get(k) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Bool(true)) => tr.t("work.yes").to_string(),
            Some(Value::Bool(false)) => tr.t("work.no").to_string(),
            Some(Value::Null) | None => "—".into(),
            Some(v) => v.to_string(),
        };
        form.push(FormRow {
            label: label_of(k),
            value,
        });
    }
    let materials = case
        .materials
        .iter()
        .map(|m| {
            let ty = m
                .file_sha256
                .as_ref()
                .and_then(|sha| file_types.get(sha))
                .map(String::as_str)
                .unwrap_or("");
            MaterialRow {
                name: m.name.clone(),
                provided: tr.t(match m.provided.as_str() {
                    "file" => "work.provided_file",
                    "paper" => "work.provided_paper",
                    "commitment" => "work.provided_commitment",
                    "certificate" => "work.provided_certificate",
                    _ => "work.provided_missing",
                }),
                href: m.file_sha256.as_ref().map(|sha| {
                    format!(
                        "/cases/{}/files/{}",
                        urlencode(&case.number),
                        urlencode(sha)
                    )
                }),
                file_name: m.file_name.clone().unwrap_or_else(|| m.name.clone()),
                image: ty.starts_with("image/"),
                pdf: ty == "application/pdf",
            }
        })
        .collect();
    let events = case
        .timeline
        .iter()
        .map(|e| EventRow {
            seq: e.seq,
            at: local_time(e.at),
            what: event_label(&tr, &e.kind),
            code: e.kind.clone(),
            sub_case: e.payload["sub_case"].as_i64(),
            actor: e.actor.clone(),
            role: tongban_app::accounts::role_from_name(&e.role)
                .map_or_else(|| e.role.clone(), |r| tr.role(&r).to_string()),
            acting_for: e.acting_for.clone(),
            reason: e.reason.clone(),
            hash: e.hash.chars().take(12).collect(),
        })
        .collect();
    let boxes = action_boxes(&tr, &case, today, failed.as_ref());
    CaseHtml {
        c: Chrome::signed_in(lang, uri, user),
        receipt: case.sub_cases.iter().any(|s| s.accepted_on.is_some()),
        notice: case
            .sub_cases
            .iter()
            .any(|s| !s.requested_materials.is_empty())
            || case.materials.iter().any(|m| m.provided == "missing"),
        refusal: case
            .sub_cases
            .iter()
            .any(|s| s.status == SubCaseStatus::Rejected),
        pledge: case
            .timeline
            .iter()
            .any(|e| e.kind == "sub_case.accept_with_tolerance"),
        commitment: case.materials.iter().any(|m| m.provided == "commitment"),
        open: case.status == "open",
        online: case.channel == "online",
        center: case.center.as_ref().map(|c| c.name.clone()),
        submitted_at: local_time(case.created_at),
        trips: case.trips,
        number: case.number,
        title: case.title,
        version: case.version,
        applicant_name: case.applicant_name,
        applicant_id: case.applicant_id,
        subs,
        form,
        materials,
        events,
        boxes,
        done,
        stale,
        home: super::session::home_of(user.role),
    }
}

/// The forms for what the user may do now on each sub-case. A supplement needs files (the
/// clerk's window pages take them) and a withdrawal is the applicant's: neither is offered here.
fn action_boxes(
    tr: &Tr,
    case: &CaseView,
    today: NaiveDate,
    failed: Option<&Failed<'_>>,
) -> Vec<ActionBox> {
    let mut boxes = Vec::new();
    for s in &case.sub_cases {
        for a in &s.allowed_actions {
            if matches!(a, ActionKind::Supplement | ActionKind::Withdraw) {
                continue;
            }
            let kept = failed.filter(|f| f.seq == s.seq && f.action == a.as_str());
            let choices: Vec<(&str, &str)> = match a {
                ActionKind::AcceptWithTolerance => case
                    .materials
                    .iter()
                    .filter(|m| m.provided == "missing")
                    .map(|m| (m.code.as_str(), m.name.as_str()))
                    .collect(),
                ActionKind::RequestSupplement => case
                    .materials
                    .iter()
                    .map(|m| (m.code.as_str(), m.name.as_str()))
                    .collect(),
                _ => Vec::new(),
            };
            if *a == ActionKind::AcceptWithTolerance && choices.is_empty() {
                continue; // nothing is missing: a plain acceptance is the one to use
            }
            let checks = choices
                .into_iter()
                .map(|(code, name)| Check {
                    code: code.to_string(),
                    name: name.to_string(),
                    checked: kept.is_some_and(|k| k.form.materials.iter().any(|m| m == code)),
                })
                .collect();
            let mut b = ActionBox {
                seq: s.seq,
                item_name: s.item_name.clone(),
                action: a.as_str(),
                label: action_label(tr, *a),
                error: None,
                text: String::new(),
                note: String::new(),
                checks,
                result_number: String::new(),
                result_content: String::new(),
                issuer: s.department.name.clone(),
                issued_on: today.format("%Y-%m-%d").to_string(),
                approved: true,
                method: "electronic".into(),
            };
            if let Some(k) = kept {
                let f = k.form;
                b.error = Some(k.message.clone());
                b.text = f.text.clone();
                b.note = f.note.clone();
                b.result_number = f.result_number.clone();
                b.result_content = f.result_content.clone();
                b.issuer = f.issuer.clone();
                b.issued_on = f.issued_on.clone();
                b.approved = f.approved != "no";
                b.method = f.method.clone();
            }
            boxes.push(b);
        }
    }
    boxes
}

// ---------------------------------------------------------------------------------------------
// POST /cases/{number}/act

#[derive(Debug, Default, Deserialize)]
struct ActForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    sub_case: String,
    #[serde(default)]
    action: String,
    /// An opinion, or reasons one per line.
    #[serde(default)]
    text: String,
    #[serde(default)]
    note: String,
    /// Material codes (checkbox list).
    #[serde(default)]
    materials: Vec<String>,
    #[serde(default)]
    result_number: String,
    #[serde(default)]
    result_content: String,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    issued_on: String,
    /// `yes` or `no`.
    #[serde(default)]
    approved: String,
    #[serde(default)]
    method: String,
}

/// Why a form could not become an action (before the service sees it).
enum FormProblem {
    /// Hidden fields missing or altered: the page is out of date.
    Incomplete,
    BadDate,
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// The form as the service's action request; the rules stay in the service.
fn to_request(f: &ActForm) -> Result<ActionRequest, FormProblem> {
    let version = f
        .version
        .trim()
        .parse::<i64>()
        .map_err(|_| FormProblem::Incomplete)?;
    let sub_case = f
        .sub_case
        .trim()
        .parse::<i64>()
        .map_err(|_| FormProblem::Incomplete)?;
    let action = match f.action.as_str() {
        "accept" => Action::Accept,
        "accept_with_tolerance" => Action::AcceptWithTolerance {
            tolerated: f.materials.clone(),
        },
        "reject" => Action::Reject {
            reasons: lines(&f.text),
        },
        "request_supplement" => Action::RequestSupplement {
            materials: f.materials.clone(),
            note: Some(f.note.trim().to_string()).filter(|n| !n.is_empty()),
        },
        "review" => Action::Review {
            opinion: f.text.trim().to_string(),
        },
        "approve" => Action::Approve {
            opinion: f.text.trim().to_string(),
        },
        "deny" => Action::Deny {
            reasons: lines(&f.text),
        },
        "conclude" => Action::Conclude {
            result: CaseResult {
                number: f.result_number.trim().to_string(),
                content: f.result_content.trim().to_string(),
                issuer: f.issuer.trim().to_string(),
                issued_on: NaiveDate::parse_from_str(f.issued_on.trim(), "%Y-%m-%d")
                    .map_err(|_| FormProblem::BadDate)?,
                approved: f.approved != "no",
            },
        },
        "deliver" => Action::Deliver {
            method: match f.method.as_str() {
                "post" => DeliveryMethod::Post,
                "at_center" => DeliveryMethod::AtCenter,
                "electronic" => DeliveryMethod::Electronic,
                _ => return Err(FormProblem::Incomplete),
            },
        },
        _ => return Err(FormProblem::Incomplete),
    };
    Ok(ActionRequest {
        sub_case,
        version,
        action,
        files: Vec::new(),
        on_behalf_of: None,
    })
}

async fn act(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    Path(number): Path<String>,
    uri: Uri,
    axum_extra::extract::Form(form): axum_extra::extract::Form<ActForm>,
) -> Response {
    if let Err(e) = user.check_csrf(&form.csrf, lang, &uri) {
        return e.into_response();
    }
    if let Err(e) = staff_only(&user, lang, &uri) {
        return e.into_response();
    }
    let tr = Tr { lang };
    let seq = form.sub_case.trim().parse::<i64>().unwrap_or(0);
    let (message, status, stale) = match to_request(&form) {
        Ok(req) => {
            let kind = req.action.kind();
            match app.act(&user, &number, req).await {
                Ok(_) => {
                    return Redirect::to(&format!(
                        "/cases/{}?done={}#timeline",
                        urlencode(&number),
                        kind.as_str()
                    ))
                    .into_response();
                }
                Err(e) if e.code == "case.stale_version" => {
                    (tr.t("work.stale").to_string(), StatusCode::CONFLICT, true)
                }
                Err(e) if matches!(e.kind, ErrorKind::Invalid | ErrorKind::Conflict) => {
                    // A form sent back to be corrected: 422, as the sign-in form does.
                    let status = match e.kind {
                        ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
                        _ => StatusCode::CONFLICT,
                    };
                    let e = e.into_data();
                    let message = match lang {
                        Lang::Zh => e.message_zh,
                        Lang::En => e.message,
                    };
                    (message, status, false)
                }
                Err(error) => return PageError { error, lang, uri }.into_response(),
            }
        }
        Err(FormProblem::BadDate) => (
            tr.t("work.bad_date").to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            false,
        ),
        Err(FormProblem::Incomplete) => {
            return PageError {
                error: AppError::invalid(
                    "page.form_incomplete",
                    tr_en("work.bad_form"),
                    tr_zh("work.bad_form"),
                ),
                lang,
                uri,
            }
            .into_response();
        }
    };
    // Re-render the case as it is now, the message beside the form and the input kept.
    let page = match app.case_page(&user, &number).await {
        Ok(p) => p,
        Err(error) => return PageError { error, lang, uri }.into_response(),
    };
    let failed = Failed {
        seq,
        action: form.action.as_str(),
        message,
        form: &form,
    };
    let view = case_html(&user, lang, &uri, page, None, Some(failed), stale);
    render(&view, status, lang)
}

fn tr_en(key: &str) -> &'static str {
    Tr { lang: Lang::En }.t(key)
}

fn tr_zh(key: &str) -> &'static str {
    Tr { lang: Lang::Zh }.t(key)
}

// ---------------------------------------------------------------------------------------------
// GET /cases/{number}/files/{sha256}

async fn file(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    Path((number, sha256)): Path<(String, String)>,
    uri: Uri,
) -> Response {
    let f = match app.case_file(&user, &number, &sha256).await {
        Ok(f) => f,
        Err(error) => return PageError { error, lang, uri }.into_response(),
    };
    let mut resp = f.bytes.into_response();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&f.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    let name = f.file_name.unwrap_or_else(|| sha256.clone());
    if let Ok(v) = HeaderValue::from_str(&format!(
        "inline; filename*=UTF-8''{}",
        urlencode(&name).replace('/', "%2F")
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Personal documents: never kept by shared caches.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    resp
}
