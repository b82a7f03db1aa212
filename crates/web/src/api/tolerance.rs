//! 容缺办 (the printable supplement pledge) and 网上办 self-registration.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use tongban_app::registration::Registration;

use crate::AppState;
use crate::auth::SignedIn;
use crate::documents;
use crate::extract::ApiJson;
use crate::problem::{ApiError, InLang, Lang, Problem};

/// The supplement pledge (容缺受理承诺书) of a case accepted with missing materials, printable on
/// A4: the pledged materials, their deadline and whether each has arrived; after a missed deadline
/// also the written notice of termination or suspension.
#[utoipa::path(get, path = "/api/v1/cases/{number}/pledge", tag = "cases",
    params(("number" = String, Path, description = "case number")),
    responses(
        (status = 200, description = "HTML with print CSS", content_type = "text/html"),
        (status = 404, description = "no such case that you can see", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = [])))]
pub(crate) async fn pledge(
    State(app): State<AppState>,
    lang: Lang,
    SignedIn(user): SignedIn,
    Path(number): Path<String>,
) -> Result<Response, ApiError> {
    let case = app.case_view(&user, &number).await.in_lang(lang)?;
    Ok((
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        Html(documents::tolerance::pledge(&case)),
    )
        .into_response())
}

/// 网上办: register an applicant account (no sign-in needed). Body: `username`, `password`,
/// `display_name`, `id_number` (resident ID, or a credit code for an organization), `mobile`,
/// optional `applicant_kind`. Answers 201 with the user (ID and mobile masked); sign in with
/// `POST /api/v1/session` afterwards. Each problem names its field.
#[utoipa::path(post, path = "/api/v1/accounts/register", tag = "accounts",
    request_body(content = Object, description = "the registration"),
    responses(
        (status = 201, description = "the new applicant account", body = Object),
        (status = 400, description = "a field is missing or invalid", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the user name is taken", body = Problem, content_type = "application/problem+json")
    ))]
pub(crate) async fn register(
    State(app): State<AppState>,
    lang: Lang,
    ApiJson(req): ApiJson<Registration>,
) -> Result<Response, ApiError> {
    let user = app.register(&req).await.in_lang(lang)?;
    Ok((StatusCode::CREATED, Json(user)).into_response())
}
