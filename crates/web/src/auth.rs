//! Who is calling: the session cookie (pages) or an `Authorization: Bearer` token (API clients),
//! resolved through [`tongban_app::App::authenticate`]. Handlers take [`SignedIn`] (alias
//! [`CurrentUser`]) where a signed-in user is required and [`OptionalUser`] where one is merely
//! welcome; both hand over a [`tongban_app::accounts::CurrentUser`], the actor services take.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use tongban_app::accounts::{self, SessionKind, auth_required};
use utoipa::Modify;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::AppState;
use crate::problem::{ApiError, InLang, Lang};

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "tongban_session";

/// A signed-in user; rejects a request without a valid session with 401 (`auth.required`, or
/// `auth.session_expired` for an ended one). Derefs to [`accounts::CurrentUser`], which services
/// take as the actor. `SignedIn(user): SignedIn` in a handler's arguments.
#[derive(Debug, Clone)]
pub struct SignedIn(pub accounts::CurrentUser);

/// The extractor under the name of what it yields: `user: CurrentUser` (derefs to the user).
pub type CurrentUser = SignedIn;

impl SignedIn {
    pub fn into_inner(self) -> accounts::CurrentUser {
        self.0
    }
}

impl std::ops::Deref for SignedIn {
    type Target = accounts::CurrentUser;
    fn deref(&self) -> &accounts::CurrentUser {
        &self.0
    }
}

/// The signed-in user if there is one; a missing, unknown or expired session is simply `None`
/// (a stale cookie must not break a public page).
#[derive(Debug, Clone)]
pub struct OptionalUser(pub Option<accounts::CurrentUser>);

/// The token a request carries: the bearer token, else the session cookie.
pub fn request_token(headers: &HeaderMap) -> Option<String> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| rest.trim().to_string())
        })
        .filter(|t| !t.is_empty());
    bearer.or_else(|| session_cookie(headers))
}

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim().trim_matches('"').to_string())
        .filter(|t| !t.is_empty())
}

/// Who the client is, for throttling sign-ins: the peer address when the server knows it.
pub fn client_key(parts_extensions: &axum::http::Extensions) -> String {
    parts_extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_default()
}

/// `Set-Cookie` for a new cookie session: HttpOnly, SameSite=Lax, Path=/; a browser session
/// cookie (the server ends it after 12 idle hours).
pub fn set_session_cookie(token: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/"
    ))
    .ok()
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_session_cookie() -> HeaderValue {
    HeaderValue::from_static("tongban_session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0")
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        let lang = Lang::from_headers(&parts.headers);
        let Some(token) = request_token(&parts.headers) else {
            return Err(ApiError::new(auth_required(), lang));
        };
        app.authenticate(&token).await.map(SignedIn).in_lang(lang)
    }
}

impl FromRequestParts<AppState> for OptionalUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        let Some(token) = request_token(&parts.headers) else {
            return Ok(OptionalUser(None));
        };
        match app.authenticate(&token).await {
            Ok(u) => Ok(OptionalUser(Some(u))),
            Err(e) if e.kind == tongban_app::error::ErrorKind::Internal => {
                Err(ApiError::new(e, Lang::from_headers(&parts.headers)))
            }
            Err(_) => Ok(OptionalUser(None)),
        }
    }
}

/// The two ways to authenticate, in the OpenAPI document: `bearer` (a token from
/// `POST /api/v1/session` with `"kind": "bearer"`) and `cookie` (`tongban_session`).
pub(crate) struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A token from POST /api/v1/session (kind \"bearer\": 30 days; \"cookie\": \
                         12 hours idle)",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(SESSION_COOKIE))),
        );
    }
}

/// A session kind from a request body; cookie unless the client asks for a bearer token.
pub(crate) fn session_kind(
    kind: Option<&str>,
) -> Result<SessionKind, tongban_app::error::AppError> {
    match kind.map(str::trim).filter(|k| !k.is_empty()) {
        None => Ok(SessionKind::Cookie),
        Some(k) => SessionKind::parse(k).ok_or_else(|| {
            tongban_app::error::AppError::invalid(
                "session.unknown_kind",
                format!("A session is \"cookie\" or \"bearer\"; got {k:?}."),
                format!("会话类型应为 \"cookie\" 或 \"bearer\"；实际为 {k:?}。"),
            )
            .with_field("kind")
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn bearer_wins_over_the_cookie() {
        let h = headers(&[
            ("cookie", "a=b; tongban_session=fromcookie"),
            ("authorization", "Bearer fromheader"),
        ]);
        assert_eq!(request_token(&h).as_deref(), Some("fromheader"));
    }

    #[test]
    fn finds_the_cookie_among_others() {
        let h = headers(&[
            ("cookie", "x=1"),
            ("cookie", "lang=en; tongban_session=abc ; y=2"),
        ]);
        assert_eq!(request_token(&h).as_deref(), Some("abc"));
        let h = headers(&[
            ("authorization", "Basic Zm9vOmJhcg=="),
            ("cookie", "tongban_session="),
        ]);
        assert_eq!(request_token(&h), None);
    }
}
