//! `POST /cases/{number}/act`: one action (受理, 审查, 办结…) through the API's own `act` service.

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use tongban_app::cases::ActionRequest;
use tongban_app::error::{AppError, ErrorKind};
use tongban_domain::case::{Action, CaseResult, DeliveryMethod};

use super::case_page::{Failed, case_html};
use super::staff_only;
use crate::AppState;
use crate::pages::i18n::Tr;
use crate::pages::session::{PageUser, urlencode};
use crate::pages::{PageError, PageLang, render};
use crate::problem::Lang;

#[derive(Debug, Default, Deserialize)]
pub(super) struct ActForm {
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
    pub(super) text: String,
    #[serde(default)]
    pub(super) note: String,
    /// Material codes (checkbox list).
    #[serde(default)]
    pub(super) materials: Vec<String>,
    #[serde(default)]
    pub(super) result_number: String,
    #[serde(default)]
    pub(super) result_content: String,
    #[serde(default)]
    pub(super) issuer: String,
    #[serde(default)]
    pub(super) issued_on: String,
    /// `yes` or `no`.
    #[serde(default)]
    pub(super) approved: String,
    #[serde(default)]
    pub(super) method: String,
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

pub(super) async fn act(
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
