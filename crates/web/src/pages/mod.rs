//! The HTML pages: server-rendered with askama, no JavaScript needed, system fonts only, one small
//! stylesheet served from the binary. A handler extracts, calls the same `tongban_app` service the
//! JSON API calls, and renders a template; the words around the data come from [`i18n`].
//!
//! Language: zh-CN by default; the `tongban_lang` cookie (set by `GET /lang/{zh|en}`) beats
//! `Accept-Language`.

pub(crate) mod i18n;
mod portal;
pub(crate) mod session; // sign-in, the signed-in user, CSRF

// One module per role's pages; each owns its routes, templates (templates/<module>/) and strings.
mod admin; // catalog administrators: items, bundles, versions
mod citizen; // apply, my cases, my appointments, my authorizations
mod clerk; // the window: queue, receive for a walk-in, cases received here
mod dashboard; // supervisors: on-time rate, charts, drill-down, exports
mod work; // approvers' to-do list; the case page and printable documents for every role

use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use tongban_app::error::{AppError, ErrorKind};
use tongban_domain::catalog::{FormField, Material, Requirement};

use crate::AppState;
use crate::problem::{Lang, status_of};
use i18n::Tr;

/// The name of the language cookie.
pub const LANG_COOKIE: &str = "tongban_lang";

/// The stylesheet every page links, compiled into the binary: the shared rules, then each role's.
const APP_CSS: &str = concat!(
    include_str!("../../static/app.css"),
    include_str!("../../static/pages/citizen.css"),
    include_str!("../../static/pages/clerk.css"),
    include_str!("../../static/pages/work.css"),
    include_str!("../../static/pages/dashboard.css"),
    include_str!("../../static/pages/admin.css"),
);

/// The page routes (registered beside the API in [`crate::router`]).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(portal::home))
        .route("/search", get(portal::search))
        .route("/items/{code}", get(portal::item))
        .route("/bundles/{code}", get(portal::bundle))
        .route("/regions/{code}", get(portal::region))
        .route("/lang/{lang}", get(switch_lang))
        .route("/static/app.css", get(stylesheet))
        .merge(session::routes())
        .merge(citizen::routes())
        .merge(clerk::routes())
        .merge(work::routes())
        .merge(dashboard::routes())
        .merge(admin::routes())
}

/// The language of a page: the `tongban_lang` cookie, else `Accept-Language`, else Chinese.
#[derive(Debug, Clone, Copy)]
pub struct PageLang(pub Lang);

impl PageLang {
    pub fn from_headers(headers: &HeaderMap) -> Lang {
        let cookie = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == LANG_COOKIE)
            .map(|(_, value)| value.trim().trim_matches('"'));
        match cookie {
            Some("en") => Lang::En,
            Some("zh") => Lang::Zh,
            _ => Lang::from_headers(headers),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PageLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(PageLang(PageLang::from_headers(&parts.headers)))
    }
}

/// What every page's layout needs: the translator, where the language switch returns to, and
/// the signed-in user (for the top bar and the CSRF token of every form).
pub(crate) struct Chrome {
    pub tr: Tr,
    /// This page's path and query, for `/lang/…?back=`.
    pub here: String,
    pub user: Option<UserChip>,
    /// The token forms post as `csrf` (empty without a session).
    pub csrf: String,
}

/// The signed-in user as the top bar shows them.
pub(crate) struct UserChip {
    pub name: String,
    pub role: &'static str,
    pub home: &'static str,
}

impl Chrome {
    /// A page for anyone (no user in the top bar).
    pub fn new(lang: Lang, uri: &Uri) -> Chrome {
        Chrome {
            tr: Tr { lang },
            here: uri
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/".into()),
            user: None,
            csrf: String::new(),
        }
    }

    /// A page for a signed-in user: their name, role and workspace in the top bar, and the CSRF
    /// token for the page's forms.
    pub fn signed_in(lang: Lang, uri: &Uri, user: &session::PageUser) -> Chrome {
        let tr = Tr { lang };
        Chrome {
            user: Some(UserChip {
                name: user.display_name.clone(),
                role: tr.role(&user.role),
                home: session::home_of(user.role),
            }),
            csrf: user.csrf.clone(),
            ..Chrome::new(lang, uri)
        }
    }

    /// Either of the above, for pages anyone may see.
    pub fn maybe(lang: Lang, uri: &Uri, user: Option<&session::PageUser>) -> Chrome {
        match user {
            Some(u) => Chrome::signed_in(lang, uri, u),
            None => Chrome::new(lang, uri),
        }
    }

    /// A material that must always be brought (not only in some situations).
    pub fn required(&self, m: &Material) -> bool {
        m.requirement == Requirement::Required
    }

    /// A form field's label in the user's language, where the catalog gives an English one.
    pub fn label(&self, f: &FormField) -> String {
        match (self.tr.is_en(), &f.label_en) {
            (true, Some(en)) => en.clone(),
            _ => f.label.clone(),
        }
    }
}

/// Renders a template as a page; a template that fails to render is an internal error page.
pub(crate) fn render(t: &impl Template, status: StatusCode, lang: Lang) -> Response {
    match t.render() {
        Ok(body) => {
            let mut resp = (status, Html(body)).into_response();
            resp.headers_mut().insert(
                header::CONTENT_LANGUAGE,
                HeaderValue::from_static(Tr { lang }.html_lang()),
            );
            resp
        }
        Err(e) => {
            tracing::error!(error = %e, "page template failed");
            let tr = Tr { lang };
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html(format!(
                    "<!doctype html><html lang=\"{}\"><meta charset=\"utf-8\"><title>{}</title><p>{}</p></html>",
                    tr.html_lang(),
                    tr.t("error.internal"),
                    tr.t("error.internal")
                )),
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    c: Chrome,
    heading: &'static str,
    message: &'a str,
}

/// A service error shown as a page: a heading for its kind and the service's own sentence in the
/// user's language; internal causes stay in the log.
pub(crate) struct PageError {
    pub error: AppError,
    pub lang: Lang,
    pub uri: Uri,
}

impl PageError {
    /// Turns a service error into this page's error: `.map_err(PageError::on(lang, &uri))`.
    pub(crate) fn on(lang: Lang, uri: &Uri) -> impl Fn(AppError) -> PageError + Copy + '_ {
        move |error| PageError {
            error,
            lang,
            uri: uri.clone(),
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let e = self.error.into_data();
        let status = status_of(e.kind);
        let tr = Tr { lang: self.lang };
        let heading = tr.t(match e.kind {
            ErrorKind::NotFound | ErrorKind::MethodNotAllowed => "error.not_found",
            ErrorKind::Invalid => "error.invalid",
            ErrorKind::Unauthorized => "error.unauthorized",
            ErrorKind::Forbidden => "error.forbidden",
            ErrorKind::Conflict => "error.conflict",
            ErrorKind::TooManyRequests => "error.busy",
            ErrorKind::Internal => "error.internal",
        });
        let message = match self.lang {
            Lang::Zh => e.message_zh,
            Lang::En => e.message,
        };
        let page = ErrorPage {
            c: Chrome::new(self.lang, &self.uri),
            heading,
            message: &message,
        };
        render(&page, status, self.lang)
    }
}

/// Unknown paths: under `/api/` a problem+json document, elsewhere a page in the user's language.
pub(crate) async fn fallback(PageLang(lang): PageLang, headers: HeaderMap, uri: Uri) -> Response {
    if uri.path() == "/api" || uri.path().starts_with("/api/") {
        return crate::api::not_found(Lang::from_headers(&headers), uri)
            .await
            .into_response();
    }
    PageError {
        error: AppError::not_found(
            "route.not_found",
            format!(
                "There is no page at {}. Check the address, or start from the home page.",
                uri.path()
            ),
            format!("找不到 {} 这个页面。请检查网址，或从首页开始。", uri.path()),
        ),
        lang,
        uri,
    }
    .into_response()
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        APP_CSS,
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
pub(crate) struct BackQuery {
    back: Option<String>,
}

/// `GET /lang/{zh|en}?back=/path`: remembers the language for a year and returns to the page.
async fn switch_lang(
    PageLang(current): PageLang,
    Path(lang): Path<String>,
    Query(q): Query<BackQuery>,
    uri: Uri,
) -> Response {
    let value = match lang.as_str() {
        "zh" | "zh-CN" => "zh",
        "en" => "en",
        _ => {
            return PageError {
                error: AppError::not_found(
                    "lang.unknown",
                    format!("tongban speaks Chinese (zh) and English (en), not {lang:?}."),
                    format!("只支持中文（zh）和英文（en），不支持 {lang}。"),
                ),
                lang: current,
                uri,
            }
            .into_response();
        }
    };
    let back = safe_back(q.back.as_deref());
    let mut resp = StatusCode::SEE_OTHER.into_response();
    let headers = resp.headers_mut();
    if let Ok(loc) = HeaderValue::from_str(&back) {
        headers.insert(header::LOCATION, loc);
    }
    if let Ok(cookie) = HeaderValue::from_str(&format!(
        "{LANG_COOKIE}={value}; Path=/; Max-Age=31536000; SameSite=Lax"
    )) {
        headers.insert(header::SET_COOKIE, cookie);
    }
    resp
}

/// The page to return to: only a relative path on this site (`/…`, not `//host` or `/\host`),
/// percent-encoded so that it is a valid `Location`; anything else goes home.
pub(crate) fn safe_back(back: Option<&str>) -> String {
    let Some(b) = back else {
        return "/".into();
    };
    let ok = b.starts_with('/')
        && !b.starts_with("//")
        && !b.contains('\\')
        && !b.chars().any(|c| c.is_control());
    if !ok {
        return "/".into();
    }
    let mut out = String::with_capacity(b.len());
    for byte in b.bytes() {
        if byte.is_ascii_graphic() {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_stays_on_this_site() {
        assert_eq!(safe_back(None), "/");
        assert_eq!(safe_back(Some("/items/X?q=1")), "/items/X?q=1");
        assert_eq!(safe_back(Some("https://evil.example/")), "/");
        assert_eq!(safe_back(Some("//evil.example/")), "/");
        assert_eq!(safe_back(Some("/\\evil.example/")), "/");
        assert_eq!(safe_back(Some("/a\r\nSet-Cookie: x")), "/");
        assert_eq!(
            safe_back(Some("/search?q=养老")),
            "/search?q=%E5%85%BB%E8%80%81"
        );
        assert_eq!(safe_back(Some("/a b")), "/a%20b");
    }

    #[test]
    fn cookie_beats_accept_language() {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("en"));
        assert_eq!(PageLang::from_headers(&h), Lang::En);
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=b; tongban_lang=zh"),
        );
        assert_eq!(PageLang::from_headers(&h), Lang::Zh);
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("tongban_lang=en"));
        assert_eq!(PageLang::from_headers(&h), Lang::En);
        assert_eq!(PageLang::from_headers(&HeaderMap::new()), Lang::Zh);
    }
}
