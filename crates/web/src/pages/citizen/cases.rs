//! 我的办件 and one case as its applicant sees it: each item's status, where it is handled and
//! received, deadlines, what to supplement (with the upload form), the result, withdrawal, the
//! timeline and the printable documents.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tongban_app::cases::{ActionRequest, CaseView, MaterialInput};
use tongban_app::citizen_views::MyCaseRow;
use tongban_app::error::ErrorKind;
use tongban_domain::case::{Action, ActionKind, CaseResult};
use tongban_domain::catalog::Role;

use super::{Problems, flag_of, local_time, read_multipart, sentence, status_name};
use crate::AppState;
use crate::pages::i18n::Tr;
use crate::pages::session::{PageUser, urlencode};
use crate::pages::{Chrome, PageError, PageLang, render};
use crate::problem::Lang;

/// Rows per page of 我的办件.
const PAGE_SIZE: u32 = 20;

struct CaseRow {
    r: MyCaseRow,
    /// Its items' statuses in the user's language.
    statuses: String,
    submitted: String,
    flag: Option<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "citizen/cases.html")]
struct CasesPage {
    c: Chrome,
    rows: Vec<CaseRow>,
    total: u64,
    page: u32,
    pages: u32,
    prev: Option<u32>,
    next: Option<u32>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct PageQuery {
    offset: Option<String>,
}

/// `GET /my/cases`: my cases, newest first, 20 a page.
pub(crate) async fn my_cases(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Query(q): Query<PageQuery>,
) -> Response {
    if let Err(e) = user.require(&[Role::Applicant], lang, &uri) {
        return e.into_response();
    }
    let offset = q
        .offset
        .as_deref()
        .and_then(|o| o.trim().parse::<u32>().ok())
        .unwrap_or(0);
    let found = match app.my_case_rows(&user, offset, PAGE_SIZE).await {
        Ok(p) => p,
        Err(error) => return PageError { error, lang, uri }.into_response(),
    };
    let tr = Tr { lang };
    let total = found.total;
    let rows = found
        .items
        .into_iter()
        .map(|r| CaseRow {
            statuses: r
                .statuses
                .iter()
                .map(|s| status_name(&tr, *s))
                .collect::<Vec<_>>()
                .join(" · "),
            submitted: local_time(r.created_at),
            flag: flag_of(&tr, r.time_status),
            r,
        })
        .collect();
    let page = CasesPage {
        c: Chrome::signed_in(lang, &uri, &user),
        rows,
        total,
        page: offset / PAGE_SIZE + 1,
        pages: u32::try_from(total.div_ceil(u64::from(PAGE_SIZE)))
            .unwrap_or(1)
            .max(1),
        prev: (offset > 0).then(|| offset.saturating_sub(PAGE_SIZE)),
        next: (u64::from(offset + PAGE_SIZE) < total).then_some(offset + PAGE_SIZE),
    };
    render(&page, StatusCode::OK, lang)
}

/// A material as a case page lists it.
struct Named {
    code: String,
    name: String,
}

struct SubRow {
    seq: i64,
    item_name: String,
    status: &'static str,
    department: String,
    accepted_on: String,
    deadline: String,
    left: Option<i64>,
    flag: Option<(&'static str, &'static str)>,
    requested: Vec<Named>,
    pledged: Vec<Named>,
    pledge_due: String,
    result: Option<CaseResult>,
    revoked: bool,
    /// What may be uploaded now (requested and pledged), when a supplement is allowed.
    to_supplement: Vec<Named>,
    can_withdraw: bool,
}

struct MaterialRow {
    name: String,
    provided: &'static str,
    file_name: String,
}

struct EventRow {
    at: String,
    what: &'static str,
    who: String,
    place: String,
    note: String,
}

#[derive(Template)]
#[template(path = "citizen/case.html")]
struct CasePage {
    c: Chrome,
    v: CaseView,
    center: String,
    subs: Vec<SubRow>,
    materials: Vec<MaterialRow>,
    events: Vec<EventRow>,
    /// (path under /api/v1/cases/{n}/, words).
    docs: Vec<(&'static str, &'static str)>,
    problems: Problems,
    done: bool,
}

impl CasePage {
    fn problem(&self, key: &str, seq: &i64) -> Option<&str> {
        self.problems.msg(&format!("{key}.{seq}"))
    }
}

fn event_key(kind: &str) -> &'static str {
    match kind {
        "case.submitted" => "citizen.ev.case.submitted",
        "case.closed" => "citizen.ev.case.closed",
        "sub_case.accept" => "citizen.ev.sub_case.accept",
        "sub_case.accept_with_tolerance" => "citizen.ev.sub_case.accept_with_tolerance",
        "sub_case.reject" => "citizen.ev.sub_case.reject",
        "sub_case.request_supplement" => "citizen.ev.sub_case.request_supplement",
        "sub_case.supplement" => "citizen.ev.sub_case.supplement",
        "sub_case.review" => "citizen.ev.sub_case.review",
        "sub_case.approve" => "citizen.ev.sub_case.approve",
        "sub_case.deny" => "citizen.ev.sub_case.deny",
        "sub_case.conclude" => "citizen.ev.sub_case.conclude",
        "sub_case.deliver" => "citizen.ev.sub_case.deliver",
        "sub_case.withdraw" => "citizen.ev.sub_case.withdraw",
        "sub_case.released" => "citizen.ev.sub_case.released",
        "sub_case.cancelled" => "citizen.ev.sub_case.cancelled",
        "sub_case.pledge_reminder" => "citizen.ev.sub_case.pledge_reminder",
        "sub_case.pledge_expired" => "citizen.ev.sub_case.pledge_expired",
        _ => "citizen.ev.other",
    }
}

fn build_case_page(
    lang: Lang,
    uri: &Uri,
    user: &PageUser,
    v: CaseView,
    problems: Problems,
) -> CasePage {
    let tr = Tr { lang };
    let names: HashMap<&str, &str> = v
        .materials
        .iter()
        .map(|m| (m.code.as_str(), m.name.as_str()))
        .collect();
    let named = |codes: &[String]| -> Vec<Named> {
        codes
            .iter()
            .map(|c| Named {
                code: c.clone(),
                name: names
                    .get(c.as_str())
                    .map_or_else(|| c.clone(), |n| n.to_string()),
            })
            .collect()
    };
    let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let subs: Vec<SubRow> = v
        .sub_cases
        .iter()
        .map(|s| {
            let mut to_supplement = Vec::new();
            if s.allowed_actions.contains(&ActionKind::Supplement) {
                to_supplement = named(&s.requested_materials);
                for p in named(&s.pledged) {
                    if !to_supplement.iter().any(|t| t.code == p.code) {
                        to_supplement.push(p);
                    }
                }
            }
            SubRow {
                seq: s.seq,
                item_name: s.item_name.clone(),
                status: status_name(&tr, s.status),
                department: s.department.name.clone(),
                accepted_on: day(s.accepted_on),
                deadline: day(s.deadline),
                left: s.remaining_workdays,
                flag: flag_of(&tr, s.time_status),
                requested: named(&s.requested_materials),
                pledged: named(&s.pledged),
                pledge_due: day(s.pledge_due),
                result: s.result.clone(),
                revoked: s.revoked.is_some(),
                to_supplement,
                can_withdraw: s.allowed_actions.contains(&ActionKind::Withdraw),
            }
        })
        .collect();
    let materials = v
        .materials
        .iter()
        .map(|m| MaterialRow {
            name: m.name.clone(),
            provided: tr.t(match m.provided.as_str() {
                "file" => "citizen.case.p.file",
                "paper" => "citizen.case.p.paper",
                "commitment" => "citizen.case.p.commitment",
                _ => "citizen.case.p.missing",
            }),
            file_name: m.file_name.clone().unwrap_or_default(),
        })
        .collect();
    let events = v
        .timeline
        .iter()
        .map(|e| EventRow {
            at: local_time(e.at),
            what: tr.t(event_key(&e.kind)),
            who: {
                let role = tongban_app::accounts::role_from_name(&e.role)
                    .map(|r| format!("（{}）", tr.role(&r)))
                    .unwrap_or_default();
                match &e.acting_for {
                    Some(p) => format!("{}{role} → {p}", e.actor),
                    None => format!("{}{role}", e.actor),
                }
            },
            // The receiving center by name; other places as recorded.
            place: match (&e.place, &v.center) {
                (Some(p), Some(c)) if *p == c.code => c.name.clone(),
                (p, _) => p.clone().unwrap_or_default(),
            },
            note: e.reason.clone().unwrap_or_default(),
        })
        .collect();
    // The printable documents that exist for this case.
    let mut docs = Vec::new();
    if v.sub_cases.iter().any(|s| s.accepted_on.is_some()) {
        docs.push(("receipt", tr.t("citizen.case.doc.receipt")));
    }
    if v.timeline
        .iter()
        .any(|e| e.kind == "sub_case.request_supplement")
    {
        docs.push(("notice", tr.t("citizen.case.doc.notice")));
    }
    if v.sub_cases
        .iter()
        .any(|s| !s.pledged.is_empty() || s.pledge_due.is_some())
    {
        docs.push(("pledge", tr.t("citizen.case.doc.pledge")));
    }
    if v.materials.iter().any(|m| m.provided == "commitment") {
        docs.push(("commitment", tr.t("citizen.case.doc.commitment")));
    }
    CasePage {
        c: Chrome::signed_in(lang, uri, user),
        center: v
            .center
            .as_ref()
            .map(|p| p.name.clone())
            .unwrap_or_default(),
        subs,
        materials,
        events,
        docs,
        problems,
        done: uri.query().is_some_and(|q| q.contains("done=1")),
        v,
    }
}

/// Shows the case, optionally with a failed action's message next to its form.
async fn show(
    app: &AppState,
    lang: Lang,
    uri: Uri,
    user: &PageUser,
    number: &str,
    problems: Problems,
    status: StatusCode,
) -> Response {
    match app.case_view(user, number).await {
        Ok(v) => render(
            &build_case_page(lang, &uri, user, v, problems),
            status,
            lang,
        ),
        Err(error) => PageError { error, lang, uri }.into_response(),
    }
}

/// `GET /my/cases/{number}`.
pub(crate) async fn case_page(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Path(number): Path<String>,
) -> Response {
    if let Err(e) = user.require(&[Role::Applicant], lang, &uri) {
        return e.into_response();
    }
    show(
        &app,
        lang,
        uri,
        &user,
        &number,
        Problems::default(),
        StatusCode::OK,
    )
    .await
}

fn back_to_case(number: &str) -> Response {
    Redirect::to(&format!("/my/cases/{}?done=1", urlencode(number))).into_response()
}

/// After a refused action: its sentence next to the form (bad input or a changed case), or an
/// error page (not yours, not found, internal).
async fn refused(
    app: &AppState,
    lang: Lang,
    uri: Uri,
    user: &PageUser,
    number: &str,
    key: String,
    error: tongban_app::error::AppError,
) -> Response {
    match error.kind {
        ErrorKind::Invalid | ErrorKind::Conflict => {
            let status = crate::problem::status_of(error.kind);
            let mut p = Problems::default();
            p.add(key, sentence(&error, lang));
            show(app, lang, uri, user, number, p, status).await
        }
        _ => PageError { error, lang, uri }.into_response(),
    }
}

/// `POST /my/cases/{number}/supplement` (multipart): the files asked for, sent with the same
/// `supplement` action the API takes.
pub(crate) async fn supplement(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Path(number): Path<String>,
    mp: Multipart,
) -> Response {
    let form = match read_multipart(mp).await {
        Ok(f) => f,
        Err(error) => return PageError { error, lang, uri }.into_response(),
    };
    if let Err(e) = user.check_csrf(form.text("csrf"), lang, &uri) {
        return e.into_response();
    }
    if let Err(e) = user.require(&[Role::Applicant], lang, &uri) {
        return e.into_response();
    }
    let seq = form.text("sub_case").trim().parse::<i64>().unwrap_or(0);
    let version = form.text("version").trim().parse::<i64>().unwrap_or(0);
    let key = format!("sup.{seq}");
    let mut files = Vec::new();
    for f in &form.files {
        let Some(code) = f.field.strip_prefix("file.") else {
            continue;
        };
        match app.store_file(f.bytes.clone(), &f.content_type).await {
            Ok(stored) => files.push(MaterialInput {
                material: code.to_string(),
                file: Some(stored.sha256),
                file_name: Some(f.file_name.clone()),
                paper: false,
                commitment: false,
            }),
            Err(error) => return refused(&app, lang, uri, &user, &number, key, error).await,
        }
    }
    if files.is_empty() {
        let mut p = Problems::default();
        p.add(key, Tr { lang }.t("citizen.case.need_files"));
        return show(
            &app,
            lang,
            uri,
            &user,
            &number,
            p,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let req = ActionRequest {
        sub_case: seq,
        version,
        action: Action::Supplement {
            materials: files.iter().map(|f| f.material.clone()).collect(),
        },
        files,
        on_behalf_of: None,
    };
    match app.act(&user, &number, req).await {
        Ok(_) => back_to_case(&number),
        Err(error) => refused(&app, lang, uri, &user, &number, key, error).await,
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct WithdrawForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    sub_case: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    reason: String,
}

/// `POST /my/cases/{number}/withdraw`: 撤回, with a reason.
pub(crate) async fn withdraw(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Path(number): Path<String>,
    axum::Form(form): axum::Form<WithdrawForm>,
) -> Response {
    if let Err(e) = user.check_csrf(&form.csrf, lang, &uri) {
        return e.into_response();
    }
    if let Err(e) = user.require(&[Role::Applicant], lang, &uri) {
        return e.into_response();
    }
    let seq = form.sub_case.trim().parse::<i64>().unwrap_or(0);
    let key = format!("wd.{seq}");
    let reason = form.reason.trim().to_string();
    if reason.is_empty() {
        let mut p = Problems::default();
        p.add(key, Tr { lang }.t("citizen.case.need_reason"));
        return show(
            &app,
            lang,
            uri,
            &user,
            &number,
            p,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let req = ActionRequest {
        sub_case: seq,
        version: form.version.trim().parse::<i64>().unwrap_or(0),
        action: Action::Withdraw { reason },
        files: Vec::new(),
        on_behalf_of: None,
    };
    match app.act(&user, &number, req).await {
        Ok(_) => back_to_case(&number),
        Err(error) => refused(&app, lang, uri, &user, &number, key, error).await,
    }
}
