//! Signing in and out, and who is signed in.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Extensions, HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tongban_app::accounts::{self, SessionKind};
use tongban_app::error::AppError;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::{
    SignedIn, clear_session_cookie, client_key, request_token, session_kind, set_session_cookie,
};
use crate::problem::{ApiError, InLang, Lang, Problem};

/// Sign-in: user name and password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LoginRequest {
    username: String,
    password: String,
    /// `cookie` (default): also sets the `tongban_session` cookie; ends after 12 idle hours.
    /// `bearer`: a token for `Authorization: Bearer`, valid 30 days; no cookie.
    #[serde(default)]
    kind: Option<String>,
}

/// A JSON body, refused as a problem when it is not `application/json` or does not parse.
fn json_body<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<T, AppError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(AppError::invalid(
            "body.not_json",
            "The request body must be JSON (Content-Type: application/json).",
            "请求体必须为 JSON（Content-Type: application/json）。",
        )
        .with_field("body"));
    }
    serde_json::from_slice(body).map_err(|e| {
        AppError::invalid(
            "body.malformed",
            format!("The request body cannot be read: {e}."),
            format!("请求体无法解析：{e}。"),
        )
        .with_field("body")
    })
}

/// Sign in. Answers the session (token, kind, expiry, user); a cookie session also sets the
/// `tongban_session` cookie (HttpOnly, SameSite=Lax). An unknown user and a wrong password give the
/// same `account.bad_credentials`; five failures for a user name or from one client within 15
/// minutes make further attempts `account.throttled` (429) until the window has passed.
#[utoipa::path(post, path = "/api/v1/session", tag = "accounts", request_body = LoginRequest,
    responses(
        (status = 200, description = "signed in: {token, kind, expires_at, user}", body = Object),
        (status = 400, description = "malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "account.bad_credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "account.disabled", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "account.throttled", body = Problem, content_type = "application/problem+json")
    ))]
pub(crate) async fn create_session(
    State(app): State<AppState>,
    lang: Lang,
    extensions: Extensions,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let run = async {
        let req: LoginRequest = json_body(&headers, &body)?;
        let kind = session_kind(req.kind.as_deref())?;
        app.login_as(kind, &req.username, &req.password, &client_key(&extensions))
            .await
    };
    let session = run.await.in_lang(lang)?;
    let mut resp = Json(&session).into_response();
    if session.kind == SessionKind::Cookie
        && let Some(cookie) = set_session_cookie(&session.token)
    {
        resp.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    Ok(resp)
}

/// Sign out: ends the session of the cookie or bearer token sent, and removes the cookie. Always
/// 204, also when there was no session.
#[utoipa::path(delete, path = "/api/v1/session", tag = "accounts",
    security((), ("bearer" = []), ("cookie" = [])),
    responses((status = 204, description = "signed out")))]
pub(crate) async fn delete_session(
    State(app): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(token) = request_token(&headers) {
        app.logout(&token).await.in_lang(lang)?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, clear_session_cookie())],
    )
        .into_response())
}

/// The signed-in user: id, user name, role and where the user is bound (never a password hash).
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "the user", body = Object),
        (status = 401, description = "auth.required or auth.session_expired", body = Problem, content_type = "application/problem+json")
    ))]
pub(crate) async fn me(SignedIn(user): SignedIn) -> Json<accounts::CurrentUser> {
    Json(user)
}
