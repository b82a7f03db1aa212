//! Signing in and out of the pages, the signed-in user as an extractor, and the CSRF token every
//! page form carries.
//!
//! A page session is the same `tongban_session` cookie the API accepts. A form that changes
//! anything posts a hidden `csrf` field: a digest of the session token, so a page on another site
//! cannot forge it (the cookie is also `SameSite=Lax`, this is the second lock).

use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tongban_app::accounts::CurrentUser;
use tongban_app::error::{AppError, ErrorKind};
use tongban_domain::catalog::Role;

use super::i18n::Tr;
use super::{Chrome, PageError, PageLang, render, safe_back};
use crate::AppState;
use crate::auth::{clear_session_cookie, client_key, request_token, set_session_cookie};
use crate::problem::Lang;

/// (key, zh-CN, English).
pub(crate) const STRINGS: &[(&str, &str, &str)] = &[
    ("session.title", "登录", "Sign in"),
    ("session.username", "用户名", "User name"),
    ("session.password", "密码", "Password"),
    ("session.submit", "登录", "Sign in"),
    ("session.logout", "退出", "Sign out"),
    ("session.signed_in_as", "当前用户", "Signed in as"),
    ("session.workspace", "我的工作台", "My workspace"),
    (
        "session.lead",
        "工作人员和已注册的群众、企业请登录。演示账号见 README。",
        "Staff and registered citizens and companies sign in here. The demo accounts are listed in the README.",
    ),
    (
        "session.missing",
        "请填写用户名和密码。",
        "Enter your user name and password.",
    ),
    (
        "session.expired",
        "页面已过期，请重新提交。",
        "This page has expired; please submit it again.",
    ),
];

/// The signed-in user of a page, with the CSRF token its forms must carry. Without a valid
/// session a page answers with a redirect to `/login?back=<this page>`.
#[derive(Debug, Clone)]
pub(crate) struct PageUser {
    pub user: CurrentUser,
    pub csrf: String,
}

impl std::ops::Deref for PageUser {
    type Target = CurrentUser;
    fn deref(&self) -> &CurrentUser {
        &self.user
    }
}

/// The CSRF token of a session: a digest of its token, so it needs no storage and dies with it.
pub(crate) fn csrf_token(session_token: &str) -> String {
    let digest = Sha256::digest(format!("tongban-csrf\0{session_token}").as_bytes());
    hex::encode(&digest[..16])
}

impl PageUser {
    /// Checks a submitted form's `csrf` field; a mismatch is a page error asking to submit again.
    pub fn check_csrf(&self, submitted: &str, lang: Lang, uri: &Uri) -> Result<(), PageError> {
        // Both sides are hex digests of the same length; equal-time comparison is not needed
        // for a value the attacker cannot observe, but it costs nothing.
        let a = self.csrf.as_bytes();
        let b = submitted.trim().as_bytes();
        let same =
            a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0;
        if same {
            Ok(())
        } else {
            Err(PageError {
                error: AppError::new(
                    ErrorKind::Forbidden,
                    "page.csrf",
                    "This page has expired; please submit it again.",
                    "页面已过期，请重新提交。",
                ),
                lang,
                uri: uri.clone(),
            })
        }
    }

    /// Fails with a human 403 page unless the user has one of `roles`.
    pub fn require(&self, roles: &[Role], lang: Lang, uri: &Uri) -> Result<(), PageError> {
        if roles.contains(&self.user.role) {
            Ok(())
        } else {
            Err(PageError {
                error: AppError::new(
                    ErrorKind::Forbidden,
                    "page.role",
                    "This page is for other roles. Your own workspace is linked at the top.",
                    "您的角色无权使用此页面。您的工作台链接在页面顶部。",
                ),
                lang,
                uri: uri.clone(),
            })
        }
    }
}

/// What a page without a session does: go to the sign-in page and come back afterwards.
pub(crate) struct SignInFirst(Response);

impl IntoResponse for SignInFirst {
    fn into_response(self) -> Response {
        self.0
    }
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = SignInFirst;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, SignInFirst> {
        let lang = PageLang::from_headers(&parts.headers);
        let here = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        let to_login = || {
            let back = if parts.method == axum::http::Method::GET {
                here.clone()
            } else {
                parts.uri.path().to_string()
            };
            SignInFirst(Redirect::to(&format!("/login?back={}", urlencode(&back))).into_response())
        };
        let Some(token) = request_token(&parts.headers) else {
            return Err(to_login());
        };
        match app.authenticate(&token).await {
            Ok(user) => Ok(PageUser {
                user,
                csrf: csrf_token(&token),
            }),
            Err(e) if e.kind == ErrorKind::Internal => Err(SignInFirst(
                PageError {
                    error: e,
                    lang,
                    uri: parts.uri.clone(),
                }
                .into_response(),
            )),
            Err(_) => Err(to_login()),
        }
    }
}

/// The signed-in user if there is one (for pages anyone may see, like the portal's).
#[derive(Debug, Clone)]
pub(crate) struct MaybePageUser(pub Option<PageUser>);

impl FromRequestParts<AppState> for MaybePageUser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(token) = request_token(&parts.headers) else {
            return Ok(MaybePageUser(None));
        };
        Ok(MaybePageUser(app.authenticate(&token).await.ok().map(
            |user| PageUser {
                user,
                csrf: csrf_token(&token),
            },
        )))
    }
}

/// Percent-encodes a value for a query string.
pub(crate) fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Where each role starts: its main page.
pub(crate) fn home_of(role: Role) -> &'static str {
    match role {
        Role::Applicant => "/my/cases",
        Role::Clerk => "/clerk",
        Role::Approver => "/work",
        Role::Supervisor => "/dashboard",
        Role::CatalogAdmin | Role::SystemAdmin => "/admin/catalog",
    }
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/me", get(workspace))
}

#[derive(Template)]
#[template(path = "session/login.html")]
struct LoginPage {
    c: Chrome,
    back: String,
    username: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct LoginQuery {
    back: Option<String>,
}

async fn login_page(
    PageLang(lang): PageLang,
    MaybePageUser(user): MaybePageUser,
    Query(q): Query<LoginQuery>,
    uri: Uri,
) -> Response {
    if let Some(u) = user {
        let to = match q.back.as_deref() {
            Some(b) => safe_back(Some(b)),
            None => home_of(u.role).to_string(),
        };
        return Redirect::to(&to).into_response();
    }
    let page = LoginPage {
        c: Chrome::new(lang, &uri),
        back: safe_back(q.back.as_deref()),
        username: String::new(),
        error: None,
    };
    render(&page, StatusCode::OK, lang)
}

#[derive(Debug, Deserialize)]
pub(crate) struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    back: Option<String>,
}

async fn login(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    parts: axum::http::Extensions,
    axum::Form(form): axum::Form<LoginForm>,
) -> Response {
    // Back to the page that sent here, if it is on this site; else the role's workspace.
    let back = Some(safe_back(form.back.as_deref())).filter(|b| b != "/");
    let again = |error: String, status: StatusCode| {
        let page = LoginPage {
            c: Chrome::new(lang, &uri),
            back: safe_back(form.back.as_deref()),
            username: form.username.clone(),
            error: Some(error),
        };
        render(&page, status, lang)
    };
    if form.username.trim().is_empty() || form.password.is_empty() {
        return again(
            Tr { lang }.t("session.missing").to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    match app
        .login(&form.username, &form.password, &client_key(&parts))
        .await
    {
        Ok(session) => {
            let to = back.unwrap_or_else(|| home_of(session.user.role).to_string());
            let mut resp = Redirect::to(&to).into_response();
            if let Some(cookie) = set_session_cookie(&session.token) {
                resp.headers_mut().insert(header::SET_COOKIE, cookie);
            }
            resp
        }
        Err(e) if e.kind != ErrorKind::Internal => {
            let status = crate::problem::status_of(e.kind);
            let e = e.into_data();
            again(
                match lang {
                    Lang::Zh => e.message_zh,
                    Lang::En => e.message,
                },
                status,
            )
        }
        Err(e) => PageError {
            error: e,
            lang,
            uri,
        }
        .into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn logout(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    headers: axum::http::HeaderMap,
    axum::Form(form): axum::Form<CsrfForm>,
) -> Response {
    if let Err(e) = user.check_csrf(&form.csrf, lang, &uri) {
        return e.into_response();
    }
    if let Some(token) = request_token(&headers)
        && let Err(e) = app.logout(&token).await
    {
        return PageError {
            error: e,
            lang,
            uri,
        }
        .into_response();
    }
    let mut resp = Redirect::to("/").into_response();
    resp.headers_mut()
        .insert(header::SET_COOKIE, clear_session_cookie());
    resp
}

/// `GET /me`: the signed-in user's main page.
async fn workspace(user: PageUser) -> Redirect {
    Redirect::to(home_of(user.role))
}
