//! `GET/POST /clerk/receive`: choosing what to receive (窗口收件) — search, or a known code.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tongban_app::catalog::{BundleSummary, ItemSummary};

use super::{clerk, fail};
use crate::AppState;
use crate::pages::session::PageUser;
use crate::pages::{Chrome, PageLang, render};

/// Search results shown when choosing what to receive.
const SEARCH_LIMIT: u32 = 30;

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
pub(super) struct ChooseQuery {
    #[serde(default)]
    q: String,
}

pub(super) async fn choose(
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
pub(super) struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

/// `POST /clerk/receive`: a code typed at the window goes straight to its form.
pub(super) async fn choose_code(
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
            crate::pages::session::urlencode(&code)
        ))
    } else if view.bundles.contains_key(&code) {
        Some(format!(
            "/clerk/receive/bundles/{}",
            crate::pages::session::urlencode(&code)
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
