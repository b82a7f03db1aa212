//! The clerk's workstation (窗口工作台): today's queue at the clerk's center, the cases received
//! there, and receiving an application for a walk-in person at the window (收件 → 受理 or 一次性告知).
//!
//! Every handler calls the service the JSON API calls: `clerk_desk` / `received_here` (read-only,
//! `tongban_app::workstation`), `call_next` / `queue_step` for the queue, `create_case` with the
//! window channel, and `act` for accepting or issuing the one-time notice.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::DateTime;
use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use tongban_app::cases::{ActionRequest, CaseView, CreateCaseRequest, MaterialInput};
use tongban_app::catalog::{BundleSummary, ItemSummary};
use tongban_app::error::{AppError, ErrorKind};
use tongban_app::workstation::{Desk, ReceivedCase};
use tongban_domain::appointment::QueueAction;
use tongban_domain::calendar::TimeStatus;
use tongban_domain::case::{Action, ActionKind, SubCaseStatus};
use tongban_domain::catalog::{FieldType, FormField, HandlingMode, Material, Requirement, Role};

use super::session::PageUser;
use super::{Chrome, PageError, PageLang, render};
use crate::AppState;
use crate::problem::Lang;

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

/// Cases per page on the workstation.
const PAGE_SIZE: u32 = 20;
/// Search results shown when choosing what to receive.
const SEARCH_LIMIT: u32 = 30;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/clerk", get(home))
        .route("/clerk/queue/call", post(call_next))
        .route("/clerk/queue/{ticket}/recall", post(recall))
        .route("/clerk/queue/{ticket}/skip", post(skip))
        .route("/clerk/receive", get(choose).post(choose_code))
        .route(
            "/clerk/receive/items/{code}",
            get(item_form).post(item_submit),
        )
        .route(
            "/clerk/receive/bundles/{code}",
            get(bundle_form).post(bundle_submit),
        )
        .route("/clerk/received/{number}", get(received))
        .route("/clerk/received/{number}/accept", post(accept))
        .route("/clerk/received/{number}/missing", post(missing))
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

// ---------------------------------------------------------------------------------------------
// GET /clerk: the queue and the cases received here

/// One row of the received list, ready to show.
struct CaseRow {
    number: String,
    title: String,
    applicant: String,
    received_at: String,
    open: bool,
    statuses: Vec<&'static str>,
    deadline: String,
    /// `near`, `over` or empty.
    marker: &'static str,
}

#[derive(Template)]
#[template(path = "clerk/home.html")]
struct HomePage {
    c: Chrome,
    desk: Desk,
    cases: Vec<CaseRow>,
    page: u32,
    pages: u32,
    counter: String,
}

#[derive(Debug, Deserialize)]
struct HomeQuery {
    page: Option<u32>,
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

async fn home(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Query(q): Query<HomeQuery>,
) -> Response {
    if let Err(e) = clerk(&user, lang, &uri) {
        return e.into_response();
    }
    let page = q.page.unwrap_or(1).max(1);
    let desk = match app.clerk_desk(&user).await {
        Ok(d) => d,
        Err(e) => return fail(e, lang, uri),
    };
    let list = match app
        .received_here(&user, (page - 1).saturating_mul(PAGE_SIZE), PAGE_SIZE)
        .await
    {
        Ok(l) => l,
        Err(e) => return fail(e, lang, uri),
    };
    let tr = super::i18n::Tr { lang };
    let pages = u32::try_from(list.total.div_ceil(u64::from(PAGE_SIZE)))
        .unwrap_or(1)
        .max(1);
    let cases = list
        .items
        .into_iter()
        .map(|c: ReceivedCase| CaseRow {
            received_at: local_time(c.created_at),
            open: c.status == "open",
            statuses: c
                .sub_statuses
                .iter()
                .map(|s| tr.t(status_key(*s)))
                .collect(),
            deadline: c.deadline.map(|d| d.to_string()).unwrap_or_default(),
            marker: marker(c.time_status),
            number: c.number,
            title: c.title,
            applicant: c.applicant_name,
        })
        .collect();
    let counter = desk
        .serving
        .first()
        .and_then(|t| t.counter)
        .map(|n| n.to_string())
        .unwrap_or_default();
    let page = HomePage {
        c: Chrome::signed_in(lang, &uri, &user),
        desk,
        cases,
        page,
        pages,
        counter,
    };
    render(&page, StatusCode::OK, lang)
}

// ---------------------------------------------------------------------------------------------
// The queue: POST forms that call the appointment-queue services, then back to /clerk

#[derive(Debug, Deserialize)]
struct CallForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    window_type: String,
    #[serde(default)]
    counter: String,
}

/// An optional window number typed by the clerk; anything not a number is left out.
fn counter_of(s: &str) -> Option<i64> {
    s.trim().parse().ok().filter(|n| *n > 0)
}

async fn call_next(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    axum::Form(form): axum::Form<CallForm>,
) -> Response {
    if let Err(e) = user
        .check_csrf(&form.csrf, lang, &uri)
        .and_then(|()| clerk(&user, lang, &uri))
    {
        return e.into_response();
    }
    let center = user.center_code.clone().unwrap_or_default();
    match app
        .call_next(&user, &center, &form.window_type, counter_of(&form.counter))
        .await
    {
        Ok(_) => Redirect::to("/clerk").into_response(),
        Err(e) => fail(e, lang, uri),
    }
}

async fn queue_step(
    app: AppState,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    ticket: String,
    form: CallForm,
    action: QueueAction,
) -> Response {
    if let Err(e) = user
        .check_csrf(&form.csrf, lang, &uri)
        .and_then(|()| clerk(&user, lang, &uri))
    {
        return e.into_response();
    }
    let center = user.center_code.clone().unwrap_or_default();
    match app
        .queue_step(&user, &center, &ticket, action, counter_of(&form.counter))
        .await
    {
        Ok(_) => Redirect::to("/clerk").into_response(),
        Err(e) => fail(e, lang, uri),
    }
}

async fn recall(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Path(ticket): Path<String>,
    axum::Form(form): axum::Form<CallForm>,
) -> Response {
    queue_step(app, lang, user, uri, ticket, form, QueueAction::Recall).await
}

async fn skip(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Path(ticket): Path<String>,
    axum::Form(form): axum::Form<CallForm>,
) -> Response {
    queue_step(app, lang, user, uri, ticket, form, QueueAction::Skip).await
}

// ---------------------------------------------------------------------------------------------
// GET/POST /clerk/receive: choosing what to receive

#[derive(Template)]
#[template(path = "clerk/choose.html")]
struct ChoosePage {
    c: Chrome,
    q: String,
    code: String,
    error: Option<&'static str>,
    items: Vec<ItemSummary>,
    bundles: Vec<BundleSummary>,
    searched: bool,
    truncated: bool,
}

#[derive(Debug, Deserialize)]
struct ChooseQuery {
    #[serde(default)]
    q: String,
}

async fn choose(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Query(query): Query<ChooseQuery>,
) -> Response {
    if let Err(e) = clerk(&user, lang, &uri) {
        return e.into_response();
    }
    let q = query.q.trim().to_string();
    let (items, bundles, truncated) = if q.is_empty() {
        (Vec::new(), Vec::new(), false)
    } else {
        let items = match app.search_items(&q, None, None, 0, SEARCH_LIMIT) {
            Ok(p) => p,
            Err(e) => return fail(e, lang, uri),
        };
        let bundles = match app.search_bundles(&q, 0, SEARCH_LIMIT) {
            Ok(p) => p.items,
            Err(e) => return fail(e, lang, uri),
        };
        let truncated = items.total > items.items.len() as u64;
        (items.items, bundles, truncated)
    };
    let page = ChoosePage {
        c: Chrome::signed_in(lang, &uri, &user),
        searched: !q.is_empty(),
        q,
        code: String::new(),
        error: None,
        items,
        bundles,
        truncated,
    };
    render(&page, StatusCode::OK, lang)
}

#[derive(Debug, Deserialize)]
struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

/// `POST /clerk/receive`: a code typed at the window goes straight to its form.
async fn choose_code(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    axum::Form(form): axum::Form<CodeForm>,
) -> Response {
    if let Err(e) = user
        .check_csrf(&form.csrf, lang, &uri)
        .and_then(|()| clerk(&user, lang, &uri))
    {
        return e.into_response();
    }
    let code = form.code.trim().to_uppercase();
    let view = app.catalog();
    let to = if view.items.contains_key(&code) {
        Some(format!(
            "/clerk/receive/items/{}",
            super::session::urlencode(&code)
        ))
    } else if view.bundles.contains_key(&code) {
        Some(format!(
            "/clerk/receive/bundles/{}",
            super::session::urlencode(&code)
        ))
    } else {
        None
    };
    match to {
        Some(to) => Redirect::to(&to).into_response(),
        None => {
            let page = ChoosePage {
                c: Chrome::signed_in(lang, &uri, &user),
                q: String::new(),
                code: form.code,
                error: Some("clerk.unknown_code"),
                items: Vec::new(),
                bundles: Vec::new(),
                searched: false,
                truncated: false,
            };
            render(&page, StatusCode::UNPROCESSABLE_ENTITY, lang)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// GET/POST /clerk/receive/{items|bundles}/{code}: the window application form

/// A form field as the page shows it, with what was typed and its problem.
struct FieldView {
    key: String,
    label: String,
    /// `text`, `textarea`, `select`, `checkbox`, `date`, `tel`, `number`.
    input: &'static str,
    required: bool,
    value: String,
    options: Vec<String>,
    help: Option<String>,
    error: Option<String>,
    /// Where the cursor starts: the first field, or the first one with a problem.
    focus: bool,
}

impl FieldView {
    fn checked(&self) -> bool {
        matches!(self.value.as_str(), "on" | "true" | "1" | "yes")
    }

    /// The ids of the help text and the error that describe the input, for screen readers.
    fn describedby(&self) -> String {
        let mut ids = Vec::new();
        if self.help.is_some() {
            ids.push(format!("h-{}", self.key));
        }
        if self.error.is_some() {
            ids.push(format!("e-{}", self.key));
        }
        ids.join(" ")
    }
}

/// A material as the checklist shows it.
struct MaterialView {
    code: String,
    name: String,
    required: bool,
    condition: Option<String>,
    note: Option<String>,
    tolerable_days: Option<u32>,
    commitment: bool,
    e_cert: bool,
    paper: bool,
    committed: bool,
}

#[derive(Template)]
#[template(path = "clerk/receive.html")]
struct ReceivePage {
    c: Chrome,
    /// `items` or `bundles`, for the form's action.
    kind: &'static str,
    code: String,
    name: String,
    modes: Vec<&'static str>,
    applicant: Vec<FieldView>,
    fields: Vec<FieldView>,
    materials: Vec<MaterialView>,
    error: Option<String>,
    /// A fresh key per form shown, so a double click records one case.
    key: String,
}

/// The fields that say who applies; shown first, under 申请人.
const APPLICANT_KEYS: [&str; 4] = [
    "applicant_name",
    "applicant_id",
    "company_name",
    "credit_code",
];

/// What the form needs from the catalog: name, modes, fields, materials.
struct Spec {
    name: String,
    modes: Vec<HandlingMode>,
    fields: Vec<FormField>,
    materials: Vec<Material>,
}

async fn spec_of(app: &AppState, kind: &str, code: &str) -> Result<Spec, AppError> {
    if kind == "items" {
        let d = app.item_detail(code).await?;
        Ok(Spec {
            name: d.item.name.clone(),
            modes: d.item.modes.clone(),
            fields: d.item.fields.clone(),
            materials: d.item.materials.clone(),
        })
    } else {
        let d = app.bundle_detail(code)?;
        let mut modes: Vec<HandlingMode> = Vec::new();
        for i in &d.items {
            for m in &i.modes {
                if !modes.contains(m) {
                    modes.push(*m);
                }
            }
        }
        Ok(Spec {
            name: d.bundle.name.clone(),
            modes,
            fields: d.plan.form.clone(),
            materials: d
                .plan
                .materials
                .iter()
                .map(|m| m.material.clone())
                .collect(),
        })
    }
}

fn input_of(t: FieldType) -> &'static str {
    match t {
        FieldType::Textarea => "textarea",
        FieldType::Select => "select",
        FieldType::Bool => "checkbox",
        FieldType::Date => "date",
        FieldType::Mobile => "tel",
        FieldType::Number => "number",
        _ => "text",
    }
}

fn fresh_key(csrf: &str) -> String {
    let nanos = chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default();
    let d = Sha256::digest(format!("window\0{csrf}\0{nanos}").as_bytes());
    hex::encode(&d[..12])
}

/// The submitted form, as name/value pairs (field names are the catalog's keys).
type Pairs = Vec<(String, String)>;

fn build_page(
    c: Chrome,
    kind: &'static str,
    code: &str,
    spec: Spec,
    input: Option<&Pairs>,
    error: Option<&AppError>,
) -> ReceivePage {
    let tr = c.tr;
    let value_of = |name: &str| -> String {
        input
            .and_then(|p| p.iter().find(|(k, _)| k == name))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let all = |name: &str| -> Vec<String> {
        input
            .map(|p| {
                p.iter()
                    .filter(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
                    .collect()
            })
            .unwrap_or_default()
    };
    let en = tr.is_en();
    let message = |zh: &str, en_msg: &str| {
        if en {
            en_msg.to_string()
        } else {
            zh.to_string()
        }
    };
    // Problems next to their fields: `form.<key>`.
    let mut problems: BTreeMap<String, String> = BTreeMap::new();
    if let Some(e) = error {
        for p in &e.problems {
            problems.insert(p.field.clone(), message(&p.message_zh, &p.message));
        }
        if e.problems.is_empty()
            && let Some(f) = &e.field
        {
            problems.insert(f.clone(), message(&e.message_zh, &e.message));
        }
    }
    let mut applicant = Vec::new();
    let mut fields = Vec::new();
    for f in &spec.fields {
        let view = FieldView {
            label: c.label(f),
            input: input_of(f.field_type),
            required: f.required,
            value: value_of(&format!("f.{}", f.key)),
            options: f.options.clone(),
            help: f.help.clone(),
            error: problems.get(&format!("form.{}", f.key)).cloned(),
            key: f.key.clone(),
            focus: false,
        };
        if APPLICANT_KEYS.contains(&f.key.as_str()) {
            applicant.push(view);
        } else {
            fields.push(view);
        }
    }
    let first_error = applicant
        .iter_mut()
        .chain(fields.iter_mut())
        .position(|f| f.error.is_some());
    if let Some(f) = applicant
        .iter_mut()
        .chain(fields.iter_mut())
        .nth(first_error.unwrap_or(0))
    {
        f.focus = true;
    }
    let paper = all("paper");
    let committed = all("commit");
    let fresh = input.is_none();
    let materials = spec
        .materials
        .iter()
        .map(|m| MaterialView {
            code: m.code.clone(),
            name: m.name.clone(),
            required: m.requirement == Requirement::Required,
            condition: m.condition.clone(),
            note: m.note.clone(),
            tolerable_days: m.tolerable_days,
            commitment: m.replaceable_by_commitment,
            e_cert: m.e_certificate.is_some(),
            paper: !fresh && paper.contains(&m.code),
            committed: !fresh && committed.contains(&m.code),
        })
        .collect();
    let key = match value_of("key") {
        k if k.is_empty() => fresh_key(&c.csrf),
        k => k,
    };
    ReceivePage {
        kind,
        code: code.to_string(),
        name: spec.name,
        modes: spec.modes.iter().map(|m| tr.mode(m)).collect(),
        applicant,
        fields,
        materials,
        error: error.map(|e| message(&e.message_zh, &e.message)),
        key,
        c,
    }
}

async fn show_form(
    app: AppState,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    kind: &'static str,
    code: String,
) -> Response {
    if let Err(e) = clerk(&user, lang, &uri) {
        return e.into_response();
    }
    match spec_of(&app, kind, &code).await {
        Ok(spec) => {
            let page = build_page(
                Chrome::signed_in(lang, &uri, &user),
                kind,
                &code,
                spec,
                None,
                None,
            );
            render(&page, StatusCode::OK, lang)
        }
        Err(e) => fail(e, lang, uri),
    }
}

async fn item_form(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Path(code): Path<String>,
) -> Response {
    show_form(app, lang, user, uri, "items", code).await
}

async fn bundle_form(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Path(code): Path<String>,
) -> Response {
    show_form(app, lang, user, uri, "bundles", code).await
}

async fn submit(
    app: AppState,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    kind: &'static str,
    code: String,
    pairs: Pairs,
) -> Response {
    let csrf = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    if let Err(e) = user
        .check_csrf(csrf, lang, &uri)
        .and_then(|()| clerk(&user, lang, &uri))
    {
        return e.into_response();
    }
    let spec = match spec_of(&app, kind, &code).await {
        Ok(s) => s,
        Err(e) => return fail(e, lang, uri),
    };
    // The form: every filled field, as text (the service checks and converts types).
    let mut form = Map::new();
    for f in &spec.fields {
        let name = format!("f.{}", f.key);
        if let Some((_, v)) = pairs
            .iter()
            .find(|(k, v)| *k == name && !v.trim().is_empty())
        {
            form.insert(f.key.clone(), Value::String(v.trim().to_string()));
        }
    }
    let ticked = |name: &str, code: &str| pairs.iter().any(|(k, v)| k == name && v == code);
    let materials = spec
        .materials
        .iter()
        .filter_map(|m| {
            if ticked("commit", &m.code) && !ticked("paper", &m.code) {
                Some(MaterialInput {
                    material: m.code.clone(),
                    file: None,
                    file_name: None,
                    paper: false,
                    commitment: true,
                })
            } else if ticked("paper", &m.code) {
                Some(MaterialInput {
                    material: m.code.clone(),
                    file: None,
                    file_name: None,
                    paper: true,
                    commitment: false,
                })
            } else {
                None
            }
        })
        .collect();
    let req = CreateCaseRequest {
        item: (kind == "items").then(|| code.clone()),
        bundle: (kind == "bundles").then(|| code.clone()),
        form,
        materials,
        center: None,
        on_behalf_of: None,
    };
    let key = pairs
        .iter()
        .find(|(k, _)| k == "key")
        .map(|(_, v)| v.trim().to_string())
        .filter(|k| !k.is_empty());
    match app.create_case(&user, req, key.as_deref()).await {
        Ok(created) => Redirect::to(&format!(
            "/clerk/received/{}",
            super::session::urlencode(&created.case.number)
        ))
        .into_response(),
        Err(e) if e.kind == ErrorKind::Invalid => {
            let page = build_page(
                Chrome::signed_in(lang, &uri, &user),
                kind,
                &code,
                spec,
                Some(&pairs),
                Some(&e),
            );
            render(&page, StatusCode::UNPROCESSABLE_ENTITY, lang)
        }
        Err(e) => fail(e, lang, uri),
    }
}

async fn item_submit(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Path(code): Path<String>,
    axum_extra::extract::Form(pairs): axum_extra::extract::Form<Pairs>,
) -> Response {
    submit(app, lang, user, uri, "items", code, pairs).await
}

async fn bundle_submit(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Path(code): Path<String>,
    axum_extra::extract::Form(pairs): axum_extra::extract::Form<Pairs>,
) -> Response {
    submit(app, lang, user, uri, "bundles", code, pairs).await
}

// ---------------------------------------------------------------------------------------------
// /clerk/received/{number}: after receiving — accept, or the one-time notice; print

struct SubRow {
    item: String,
    department: String,
    status: &'static str,
    deadline: String,
    marker: &'static str,
}

struct ProvidedRow {
    name: String,
    provided: &'static str,
}

struct MissingRow {
    code: String,
    name: String,
    tolerable: bool,
    /// Ticked by default: required and not fetched from an e-certificate.
    ticked: bool,
}

#[derive(Template)]
#[template(path = "clerk/received.html")]
struct ReceivedPage {
    c: Chrome,
    number: String,
    title: String,
    applicant: String,
    applicant_id: String,
    version: i64,
    subs: Vec<SubRow>,
    provided: Vec<ProvidedRow>,
    missing: Vec<MissingRow>,
    can_accept: bool,
    can_notice: bool,
    can_tolerate: bool,
    accepted: bool,
    noticed: bool,
    /// Shown next to the forms, already in the user's language.
    error: Option<String>,
}

/// The catalog specs of a case's materials, with the items each belongs to.
async fn material_specs(app: &AppState, case: &CaseView) -> Vec<(Material, Vec<String>)> {
    let mut out: Vec<(Material, Vec<String>)> = Vec::new();
    for s in &case.sub_cases {
        let Ok(d) = app.item_detail(&s.item_code).await else {
            continue;
        };
        for m in d.item.materials {
            match out.iter_mut().find(|(x, _)| x.code == m.code) {
                Some((_, items)) => items.push(s.item_code.clone()),
                None => out.push((m, vec![s.item_code.clone()])),
            }
        }
    }
    out
}

async fn received_page(
    app: &AppState,
    lang: Lang,
    user: &PageUser,
    uri: &Uri,
    number: &str,
    error: Option<String>,
) -> Response {
    let case = match app.case_view(user, number).await {
        Ok(c) => c,
        Err(e) => return fail(e, lang, uri.clone()),
    };
    let tr = super::i18n::Tr { lang };
    let specs = material_specs(app, &case).await;
    let allowed = |k: ActionKind| {
        case.sub_cases
            .iter()
            .any(|s| s.allowed_actions.contains(&k))
    };
    let missing: Vec<MissingRow> = case
        .materials
        .iter()
        .filter(|m| m.provided == "missing")
        .map(|m| {
            let spec = specs.iter().find(|(s, _)| s.code == m.code).map(|(s, _)| s);
            MissingRow {
                code: m.code.clone(),
                name: m.name.clone(),
                tolerable: spec.is_some_and(Material::is_tolerable),
                ticked: spec.is_some_and(|s| {
                    s.requirement == Requirement::Required && s.e_certificate.is_none()
                }),
            }
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ReceivedPage {
        c: Chrome::signed_in(lang, uri, user),
        subs: case
            .sub_cases
            .iter()
            .map(|s| SubRow {
                item: s.item_name.clone(),
                department: s.department.name.clone(),
                status: tr.t(status_key(s.status)),
                deadline: s.deadline.map(|d| d.to_string()).unwrap_or_default(),
                marker: marker(s.time_status),
            })
            .collect(),
        provided: case
            .materials
            .iter()
            .map(|m| ProvidedRow {
                name: m.name.clone(),
                provided: tr.t(match m.provided.as_str() {
                    "paper" => "clerk.prov.paper",
                    "file" => "clerk.prov.file",
                    "commitment" => "clerk.prov.commitment",
                    _ => "clerk.prov.missing",
                }),
            })
            .collect(),
        can_accept: allowed(ActionKind::Accept),
        can_notice: allowed(ActionKind::RequestSupplement) && !missing.is_empty(),
        can_tolerate: allowed(ActionKind::AcceptWithTolerance)
            && missing.iter().any(|m| m.tolerable),
        accepted: case.sub_cases.iter().any(|s| s.accepted_on.is_some()),
        noticed: case
            .sub_cases
            .iter()
            .any(|s| !s.requested_materials.is_empty()),
        missing,
        number: case.number,
        title: case.title,
        applicant: case.applicant_name,
        applicant_id: case.applicant_id,
        version: case.version,
        error,
    };
    render(&page, status, lang)
}

async fn received(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Path(number): Path<String>,
) -> Response {
    if let Err(e) = clerk(&user, lang, &uri) {
        return e.into_response();
    }
    received_page(&app, lang, &user, &uri, &number, None).await
}

#[derive(Debug, Deserialize)]
struct ActForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: i64,
    #[serde(default)]
    material: Vec<String>,
    #[serde(default)]
    note: String,
    /// `notice` or `tolerance`.
    #[serde(default)]
    r#do: String,
}

/// Applies `action_for` to every sub-case that allows `kind`, one version after the other.
async fn act_on_each(
    app: &AppState,
    user: &PageUser,
    number: &str,
    version: i64,
    kind: ActionKind,
    action_for: impl Fn(&str) -> Option<Action>,
) -> Result<(), AppError> {
    let case = app.case_view(user, number).await?;
    let mut version = version;
    for s in &case.sub_cases {
        if !s.allowed_actions.contains(&kind) {
            continue;
        }
        let Some(action) = action_for(&s.item_code) else {
            continue;
        };
        let done = app
            .act(
                user,
                number,
                ActionRequest {
                    sub_case: s.seq,
                    version,
                    action,
                    files: Vec::new(),
                    on_behalf_of: None,
                },
            )
            .await?;
        version = done.version;
    }
    Ok(())
}

async fn accept(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Path(number): Path<String>,
    axum_extra::extract::Form(form): axum_extra::extract::Form<ActForm>,
) -> Response {
    if let Err(e) = user
        .check_csrf(&form.csrf, lang, &uri)
        .and_then(|()| clerk(&user, lang, &uri))
    {
        return e.into_response();
    }
    match act_on_each(
        &app,
        &user,
        &number,
        form.version,
        ActionKind::Accept,
        |_| Some(Action::Accept),
    )
    .await
    {
        Ok(()) => back_to(&number),
        Err(e) => fail(e, lang, uri),
    }
}

fn back_to(number: &str) -> Response {
    Redirect::to(&format!(
        "/clerk/received/{}",
        super::session::urlencode(number)
    ))
    .into_response()
}

async fn missing(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Path(number): Path<String>,
    axum_extra::extract::Form(form): axum_extra::extract::Form<ActForm>,
) -> Response {
    if let Err(e) = user
        .check_csrf(&form.csrf, lang, &uri)
        .and_then(|()| clerk(&user, lang, &uri))
    {
        return e.into_response();
    }
    if form.material.is_empty() {
        let message = super::i18n::Tr { lang }.t("clerk.tick_one").to_string();
        return received_page(&app, lang, &user, &uri, &number, Some(message)).await;
    }
    let case = match app.case_view(&user, &number).await {
        Ok(c) => c,
        Err(e) => return fail(e, lang, uri),
    };
    let specs = material_specs(&app, &case).await;
    // Each item is told only about its own materials.
    let of_item = |item: &str| -> Vec<String> {
        form.material
            .iter()
            .filter(|code| {
                specs
                    .iter()
                    .any(|(m, items)| &m.code == *code && items.iter().any(|i| i == item))
            })
            .cloned()
            .collect()
    };
    let note = Some(form.note.trim().to_string()).filter(|n| !n.is_empty());
    let result = if form.r#do == "tolerance" {
        act_on_each(
            &app,
            &user,
            &number,
            form.version,
            ActionKind::AcceptWithTolerance,
            |item| {
                // Every ticked material goes to the service, which refuses any not tolerable.
                let tolerated = of_item(item);
                Some(if tolerated.is_empty() {
                    Action::Accept
                } else {
                    Action::AcceptWithTolerance { tolerated }
                })
            },
        )
        .await
    } else {
        act_on_each(
            &app,
            &user,
            &number,
            form.version,
            ActionKind::RequestSupplement,
            |item| {
                let materials = of_item(item);
                (!materials.is_empty()).then(|| Action::RequestSupplement {
                    materials,
                    note: note.clone(),
                })
            },
        )
        .await
    };
    match result {
        Ok(()) => back_to(&number),
        // A refusal the clerk can correct (a material that may not be tolerated): said next to
        // the form, which is shown again.
        Err(e) if e.kind == ErrorKind::Invalid => {
            let e = e.into_data();
            let message = match lang {
                Lang::Zh => e.message_zh,
                Lang::En => e.message,
            };
            received_page(&app, lang, &user, &uri, &number, Some(message)).await
        }
        Err(e) => fail(e, lang, uri),
    }
}
