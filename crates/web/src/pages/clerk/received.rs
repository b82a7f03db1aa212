//! `/clerk/received/{number}`: after receiving — 受理, or 一次性告知 / 容缺受理 for what is missing.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tongban_app::cases::{ActionRequest, CaseView};
use tongban_app::error::{AppError, ErrorKind};
use tongban_domain::case::{Action, ActionKind};
use tongban_domain::catalog::{Material, Requirement};

use super::{clerk, fail, marker, status_key};
use crate::AppState;
use crate::pages::session::PageUser;
use crate::pages::{Chrome, PageLang, render};
use crate::problem::Lang;

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
    let tr = crate::pages::i18n::Tr { lang };
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

pub(super) async fn received(
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
pub(super) struct ActForm {
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

pub(super) async fn accept(
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
        crate::pages::session::urlencode(number)
    ))
    .into_response()
}

pub(super) async fn missing(
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
        let message = crate::pages::i18n::Tr { lang }
            .t("clerk.tick_one")
            .to_string();
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
