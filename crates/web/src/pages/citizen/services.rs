//! 预约办 (book a slot at a center, see the ticket, cancel) and 帮代办 (authorizations I gave and
//! hold; grant, revoke, the printable 授权委托书). Each calls the service the API calls.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use tongban_app::agency::{AuthorizationView, GrantRequest};
use tongban_app::appointments::{AppointmentView, BookRequest, DaySlots};
use tongban_app::error::{AppError, ErrorKind};
use tongban_domain::agency::{AgentKind, Scope};
use tongban_domain::catalog::{HandlingMode, Role};

use super::apply::{Opt, region_choices};
use super::{Problems, read_multipart, sentence};
use crate::AppState;
use crate::pages::i18n::Tr;
use crate::pages::session::PageUser;
use crate::pages::{Chrome, PageError, PageLang, render};
use crate::problem::Lang;

// ---------------------------------------------------------------------------------------------
// 预约办

/// What the booking form holds (from the query while choosing, from the form when booking).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Booking {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    center: String,
    #[serde(default)]
    item: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    booked: Option<String>,
    #[serde(default)]
    cancelled: Option<String>,
}

struct ApptRow {
    a: AppointmentView,
    center_name: String,
    status: &'static str,
    open: bool,
}

#[derive(Template)]
#[template(path = "citizen/appointments.html")]
struct AppointmentsPage {
    c: Chrome,
    rows: Vec<ApptRow>,
    open: u32,
    no_shows: i64,
    b: Booking,
    regions: Vec<Opt>,
    centers: Vec<Opt>,
    items: Vec<Opt>,
    slots: Option<DaySlots>,
    /// Free slots of that day.
    free: usize,
    closed_reason: String,
    problems: Problems,
    flash: Option<&'static str>,
}

fn appointment_status(tr: &Tr, s: &str) -> &'static str {
    tr.t(match s {
        "booked" => "citizen.appt.s.booked",
        "cancelled" => "citizen.appt.s.cancelled",
        "checked_in" => "citizen.appt.s.checked_in",
        "no_show" => "citizen.appt.s.no_show",
        _ => "citizen.appt.s.other",
    })
}

async fn appointments_view(
    app: &AppState,
    lang: Lang,
    uri: &Uri,
    user: &PageUser,
    b: Booking,
    mut problems: Problems,
    status: StatusCode,
) -> Response {
    let tr = Tr { lang };
    let mine = match app.my_appointments(user).await {
        Ok(m) => m,
        Err(error) => {
            return PageError {
                error,
                lang,
                uri: uri.clone(),
            }
            .into_response();
        }
    };
    let regions = region_choices(app).await;
    let region = if b.region.trim().is_empty() {
        "430400".to_string()
    } else {
        b.region.trim().to_string()
    };
    let centers: Vec<Opt> = match app.centers(&region, tongban_app::MAX_PAGE, 0).await {
        Ok(p) => p
            .items
            .into_iter()
            .map(|c| Opt {
                value: c.code,
                label: c.name,
            })
            .collect(),
        Err(e) => {
            problems.add("region", sentence(&e, lang));
            Vec::new()
        }
    };
    let names: HashMap<String, String> = centers
        .iter()
        .map(|c| (c.value.clone(), c.label.clone()))
        .collect();
    let view = app.catalog();
    let items: Vec<Opt> = view
        .items
        .values()
        .filter(|s| s.item.allows(HandlingMode::Appointment))
        .map(|s| Opt {
            value: s.item.code.clone(),
            label: s.item.name.clone(),
        })
        .collect();
    let mut slots = None;
    let mut closed_reason = String::new();
    if !b.center.is_empty() && !b.date.is_empty() {
        match app.day_slots(&b.center, &b.date).await {
            Ok(d) => {
                if !d.open {
                    closed_reason = match lang {
                        Lang::Zh => d.reason_zh.clone(),
                        Lang::En => d.reason.clone(),
                    };
                }
                slots = Some(d);
            }
            Err(e) => problems.add(
                e.field.clone().unwrap_or_else(|| "date".into()),
                sentence(&e, lang),
            ),
        }
    }
    let rows = mine
        .items
        .into_iter()
        .map(|a| ApptRow {
            center_name: names
                .get(&a.center)
                .cloned()
                .unwrap_or_else(|| a.center.clone()),
            status: appointment_status(&tr, &a.status),
            open: a.status == "booked",
            a,
        })
        .collect();
    let flash = if b.booked.is_some() {
        Some(tr.t("citizen.appt.booked"))
    } else if b.cancelled.is_some() {
        Some(tr.t("citizen.appt.cancelled_ok"))
    } else {
        None
    };
    let free = slots
        .as_ref()
        .map_or(0, |d| d.slots.iter().filter(|s| s.available > 0).count());
    let page = AppointmentsPage {
        c: Chrome::signed_in(lang, uri, user),
        free,
        rows,
        open: mine.open,
        no_shows: mine.no_shows,
        b: Booking { region, ..b },
        regions,
        centers,
        items,
        slots,
        closed_reason,
        problems,
        flash,
    };
    render(&page, status, lang)
}

/// `GET /my/appointments?region=&center=&item=&date=`: my appointments, and the booking form
/// filled in step by step (region → center, service, date → free times).
pub(crate) async fn appointments_page(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Query(b): Query<Booking>,
) -> Response {
    if let Err(e) = user.require(&[Role::Applicant], lang, &uri) {
        return e.into_response();
    }
    appointments_view(
        &app,
        lang,
        &uri,
        &user,
        b,
        Problems::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /my/appointments`: books the chosen slot.
pub(crate) async fn book(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    axum::Form(b): axum::Form<Booking>,
) -> Response {
    if let Err(e) = user.check_csrf(&b.csrf, lang, &uri) {
        return e.into_response();
    }
    if let Err(e) = user.require(&[Role::Applicant], lang, &uri) {
        return e.into_response();
    }
    if [&b.center, &b.item, &b.date, &b.time]
        .iter()
        .any(|v| v.trim().is_empty())
    {
        let mut p = Problems::default();
        p.add("time", Tr { lang }.t("citizen.appt.pick_all"));
        return appointments_view(
            &app,
            lang,
            &uri,
            &user,
            b,
            p,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let req = BookRequest {
        center: b.center.trim().to_string(),
        item: Some(b.item.trim().to_string()),
        bundle: None,
        date: b.date.trim().to_string(),
        time: b.time.trim().to_string(),
    };
    match app.book_appointment(&user, req).await {
        Ok(_) => Redirect::to("/my/appointments?booked=1").into_response(),
        Err(e) if matches!(e.kind, ErrorKind::Invalid | ErrorKind::Conflict) => {
            let status = crate::problem::status_of(e.kind);
            let mut p = Problems::default();
            p.add(
                e.field.clone().unwrap_or_else(|| "time".into()),
                sentence(&e, lang),
            );
            appointments_view(&app, lang, &uri, &user, b, p, status).await
        }
        Err(error) => PageError { error, lang, uri }.into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

fn parse_id(id: &str) -> Result<i64, AppError> {
    id.trim().parse::<i64>().map_err(|_| {
        AppError::not_found(
            "page.bad_id",
            format!("There is nothing numbered {id:?} here."),
            format!("这里没有编号为 {id:?} 的记录。"),
        )
    })
}

/// `POST /my/appointments/{id}/cancel`.
pub(crate) async fn cancel_appointment(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<CsrfOnly>,
) -> Response {
    if let Err(e) = user.check_csrf(&f.csrf, lang, &uri) {
        return e.into_response();
    }
    if let Err(e) = user.require(&[Role::Applicant], lang, &uri) {
        return e.into_response();
    }
    let done = match parse_id(&id) {
        Ok(id) => app.cancel_appointment(&user, id).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(_) => Redirect::to("/my/appointments?cancelled=1").into_response(),
        Err(error) => PageError { error, lang, uri }.into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// 帮代办

/// The grant form as entered.
#[derive(Default)]
pub(crate) struct GrantEntered {
    agent: String,
    kind: String,
    scope: String,
    items: String,
    valid_from: String,
    valid_to: String,
}

struct AuthRow {
    a: AuthorizationView,
    kind: &'static str,
    status: &'static str,
    scope: String,
    revocable: bool,
}

struct AuthSection {
    heading: &'static str,
    rows: Vec<AuthRow>,
    /// Given by me (the other party is the agent).
    mine: bool,
}

#[derive(Template)]
#[template(path = "citizen/authorizations.html")]
struct AuthorizationsPage {
    c: Chrome,
    /// Given, then held.
    sections: [AuthSection; 2],
    g: GrantEntered,
    problems: Problems,
    flash: Option<&'static str>,
}

fn auth_row(tr: &Tr, a: AuthorizationView) -> AuthRow {
    AuthRow {
        kind: tr.t(match a.kind {
            AgentKind::Relative => "citizen.auth.k.relative",
            AgentKind::PowerOfAttorney => "citizen.auth.k.power_of_attorney",
            AgentKind::VillageHelper => "citizen.auth.k.village_helper",
        }),
        status: tr.t(match a.status {
            "valid" => "citizen.auth.s.valid",
            "revoked" => "citizen.auth.s.revoked",
            "not_yet_valid" => "citizen.auth.s.not_yet_valid",
            _ => "citizen.auth.s.expired",
        }),
        scope: match &a.scope {
            Scope::All => tr.t("citizen.auth.scope_all").to_string(),
            Scope::Items(codes) => codes.join(", "),
        },
        revocable: a.revoked_at.is_none(),
        a,
    }
}

async fn authorizations_view(
    app: &AppState,
    lang: Lang,
    uri: &Uri,
    user: &PageUser,
    g: GrantEntered,
    problems: Problems,
    status: StatusCode,
) -> Response {
    let tr = Tr { lang };
    let list = match app.authorizations(user).await {
        Ok(l) => l,
        Err(error) => {
            return PageError {
                error,
                lang,
                uri: uri.clone(),
            }
            .into_response();
        }
    };
    let flash = match uri.query() {
        Some(q) if q.contains("granted=1") => Some(tr.t("citizen.auth.granted")),
        Some(q) if q.contains("revoked=1") => Some(tr.t("citizen.auth.revoked_ok")),
        _ => None,
    };
    let page = AuthorizationsPage {
        c: Chrome::signed_in(lang, uri, user),
        sections: [
            AuthSection {
                heading: "citizen.auth.given",
                rows: list.given.into_iter().map(|a| auth_row(&tr, a)).collect(),
                mine: true,
            },
            AuthSection {
                heading: "citizen.auth.held",
                rows: list
                    .held
                    .into_iter()
                    .map(|a| AuthRow {
                        revocable: false,
                        ..auth_row(&tr, a)
                    })
                    .collect(),
                mine: false,
            },
        ],
        g,
        problems,
        flash,
    };
    render(&page, status, lang)
}

/// `GET /my/authorizations`.
pub(crate) async fn authorizations_page(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
) -> Response {
    if let Err(e) = user.require(&[Role::Applicant], lang, &uri) {
        return e.into_response();
    }
    let g = GrantEntered {
        kind: "relative".into(),
        scope: "all".into(),
        ..GrantEntered::default()
    };
    authorizations_view(
        &app,
        lang,
        &uri,
        &user,
        g,
        Problems::default(),
        StatusCode::OK,
    )
    .await
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// `POST /my/authorizations` (multipart, with the signed 授权委托书): grants an authorization.
pub(crate) async fn grant(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
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
    let tr = Tr { lang };
    let g = GrantEntered {
        agent: form.text("agent").trim().to_string(),
        kind: form.text("kind").to_string(),
        scope: form.text("scope").to_string(),
        items: form.text("items").to_string(),
        valid_from: form.text("valid_from").trim().to_string(),
        valid_to: form.text("valid_to").trim().to_string(),
    };
    let mut p = Problems::default();
    if g.agent.is_empty() {
        p.add("agent", tr.t("citizen.auth.need_agent"));
    }
    let valid_to = parse_day(&g.valid_to);
    if valid_to.is_none() {
        p.add("valid_to", tr.t("citizen.auth.need_date"));
    }
    let valid_from = parse_day(&g.valid_from);
    if !g.valid_from.is_empty() && valid_from.is_none() {
        p.add("valid_from", tr.t("citizen.auth.bad_date"));
    }
    let kind = AgentKind::parse(&g.kind).unwrap_or(AgentKind::Relative);
    let scope = if g.scope == "items" {
        Scope::Items(
            g.items
                .split([',', '，', ' ', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        )
    } else {
        Scope::All
    };
    let mut evidence = None;
    match form.files.iter().find(|f| f.field == "evidence") {
        Some(f) => match app.store_file(f.bytes.clone(), &f.content_type).await {
            Ok(stored) => evidence = Some(stored.sha256),
            Err(e) if e.kind == ErrorKind::Internal => {
                return PageError {
                    error: e,
                    lang,
                    uri,
                }
                .into_response();
            }
            Err(e) => p.add("evidence_file", sentence(&e, lang)),
        },
        None => p.add("evidence_file", tr.t("citizen.auth.need_file")),
    }
    let (Some(valid_to), true) = (valid_to, p.is_empty()) else {
        return authorizations_view(
            &app,
            lang,
            &uri,
            &user,
            g,
            p,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let req = GrantRequest {
        principal: None,
        agent: g.agent.clone(),
        kind,
        scope,
        valid_from,
        valid_to,
        evidence_file: evidence,
    };
    match app.grant_authorization(&user, req).await {
        Ok(_) => Redirect::to("/my/authorizations?granted=1").into_response(),
        Err(e) if e.kind == ErrorKind::Invalid => {
            let mut p = Problems::default();
            let msg = sentence(&e, lang);
            match e.field.as_deref() {
                Some(f @ ("agent" | "valid_to" | "valid_from" | "scope" | "evidence_file")) => {
                    p.add(f.to_string(), msg);
                }
                _ => p.general = Some(msg),
            }
            authorizations_view(
                &app,
                lang,
                &uri,
                &user,
                g,
                p,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => PageError { error, lang, uri }.into_response(),
    }
}

/// `POST /my/authorizations/{id}/revoke`.
pub(crate) async fn revoke(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<CsrfOnly>,
) -> Response {
    if let Err(e) = user.check_csrf(&f.csrf, lang, &uri) {
        return e.into_response();
    }
    if let Err(e) = user.require(&[Role::Applicant], lang, &uri) {
        return e.into_response();
    }
    let done = match parse_id(&id) {
        Ok(id) => app.revoke_authorization(&user, id).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(_) => Redirect::to("/my/authorizations?revoked=1").into_response(),
        Err(error) => PageError { error, lang, uri }.into_response(),
    }
}
