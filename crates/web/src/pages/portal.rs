//! The citizen portal, catalog part: home with search, browsing by life event and department, and
//! the item and bundle guides. Every handler calls the catalog service the JSON API calls.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use tongban_app::catalog::{BundleDetail, BundleSummary, ItemDetail, ItemSummary};

use super::i18n::Tr;
use super::session::MaybePageUser;
use super::{Chrome, PageError, PageLang, render};
use crate::AppState;
use crate::problem::Lang;
use tongban_app::places::RegionGuide;

/// How many results a page lists (the services' largest page).
const LIST_LIMIT: u32 = tongban_app::MAX_PAGE;

/// A link in a browse list.
pub(crate) struct Choice {
    key: String,
    label: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: Chrome,
    q: String,
    life_events: Vec<Choice>,
    departments: Vec<Choice>,
    regions: Vec<Choice>,
    bundles: Vec<BundleSummary>,
}

pub(crate) async fn home(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    MaybePageUser(user): MaybePageUser,
    uri: Uri,
) -> Response {
    let (life_events, departments) = browse_choices(&app, lang);
    let bundles = match app.search_bundles("", 0, LIST_LIMIT) {
        Ok(p) => p.items,
        Err(error) => return PageError { error, lang, uri }.into_response(),
    };
    // Browse by region: the city's counties (the city itself first).
    let city = app.catalog().index.as_ref().map(|i| i.city.clone());
    let regions = match city {
        Some(city) => match app.region(&city).await {
            Ok(v) => std::iter::once(v.region)
                .chain(v.children)
                .map(|r| Choice {
                    key: r.code.to_string(),
                    label: r.name,
                })
                .collect(),
            Err(error) => return PageError { error, lang, uri }.into_response(),
        },
        None => Vec::new(),
    };
    let page = HomePage {
        regions,
        c: Chrome::maybe(lang, &uri, user.as_ref()),
        q: String::new(),
        life_events,
        departments,
        bundles,
    };
    render(&page, StatusCode::OK, lang)
}

/// Life events and department types from the catalog index, named in the user's language where
/// the catalog gives an English name.
fn browse_choices(app: &AppState, lang: Lang) -> (Vec<Choice>, Vec<Choice>) {
    let view = app.catalog();
    let Some(index) = view.index.as_ref() else {
        return (Vec::new(), Vec::new());
    };
    let life_events = index
        .life_events
        .iter()
        .map(|e| Choice {
            key: e.key.clone(),
            label: match (lang, &e.name_en) {
                (Lang::En, Some(en)) => en.clone(),
                _ => e.name.clone(),
            },
        })
        .collect();
    let departments = index
        .department_types
        .iter()
        .map(|d| Choice {
            key: d.key.clone(),
            label: d.name.clone(),
        })
        .collect();
    (life_events, departments)
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    c: Chrome,
    q: String,
    /// What the list is filtered by, for the heading ("人生事件：出生").
    filter: Option<(&'static str, String)>,
    items: Vec<ItemSummary>,
    bundles: Vec<BundleSummary>,
    total: u64,
    truncated: bool,
}

/// `GET /search?q=…&life_event=…&department=…`: items (and bundles) matching Chinese, pinyin or
/// initials, optionally only of one life event or department.
pub(crate) async fn search(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    MaybePageUser(user): MaybePageUser,
    uri: Uri,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let q = params
        .get("q")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let life_event = params.get("life_event").filter(|s| !s.is_empty());
    let department = params.get("department").filter(|s| !s.is_empty());
    let items = match app.search_items(
        &q,
        department.map(String::as_str),
        life_event.map(String::as_str),
        0,
        LIST_LIMIT,
    ) {
        Ok(p) => p,
        Err(error) => return PageError { error, lang, uri }.into_response(),
    };
    let bundles = if department.is_some() {
        Vec::new()
    } else {
        match app.search_bundles(&q, 0, LIST_LIMIT) {
            Ok(p) => p
                .items
                .into_iter()
                .filter(|b| life_event.is_none_or(|e| &b.life_event == e))
                .collect(),
            Err(error) => return PageError { error, lang, uri }.into_response(),
        }
    };
    let (events, departments) = browse_choices(&app, lang);
    let label_of = |list: &[Choice], key: &str| {
        list.iter()
            .find(|c| c.key == key)
            .map(|c| c.label.clone())
            .unwrap_or_else(|| key.to_string())
    };
    let filter = match (life_event, department) {
        (Some(e), _) => Some(("browse.life_event", label_of(&events, e))),
        (None, Some(d)) => Some(("browse.department", label_of(&departments, d))),
        (None, None) => None,
    };
    let page = SearchPage {
        c: Chrome::maybe(lang, &uri, user.as_ref()),
        q,
        filter,
        truncated: items.total > items.items.len() as u64,
        total: items.total,
        items: items.items,
        bundles,
    };
    render(&page, StatusCode::OK, lang)
}

#[derive(Template)]
#[template(path = "item.html")]
struct ItemPage {
    c: Chrome,
    d: ItemDetail,
    fee: Option<String>,
}

/// `GET /items/{code}`: the guide to one item.
pub(crate) async fn item(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    MaybePageUser(user): MaybePageUser,
    uri: Uri,
    Path(code): Path<String>,
) -> Response {
    match app.item_detail(&code).await {
        Ok(d) => {
            let fee = (d.item.standard.fee_yuan > 0.0)
                .then(|| format!("{:.2}", d.item.standard.fee_yuan));
            let page = ItemPage {
                c: Chrome::maybe(lang, &uri, user.as_ref()),
                d,
                fee,
            };
            render(&page, StatusCode::OK, lang)
        }
        Err(error) => PageError { error, lang, uri }.into_response(),
    }
}

/// One stage of a bundle: the items that can be handled at the same time.
struct Stage {
    number: usize,
    items: Vec<StageItem>,
}

struct StageItem {
    code: String,
    name: String,
    needs: Vec<String>,
    finishes_by_days: u32,
}

#[derive(Template)]
#[template(path = "bundle.html")]
struct BundlePage {
    c: Chrome,
    d: BundleDetail,
    stages: Vec<Stage>,
}

/// `GET /bundles/{code}`: the guide to a one-thing bundle.
pub(crate) async fn bundle(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    MaybePageUser(user): MaybePageUser,
    uri: Uri,
    Path(code): Path<String>,
) -> Response {
    match app.bundle_detail(&code) {
        Ok(d) => {
            let name_of = |code: &str| {
                d.plan
                    .items
                    .iter()
                    .find(|p| p.item == code)
                    .map(|p| p.name.clone())
                    .unwrap_or_else(|| code.to_string())
            };
            let stages = d
                .plan
                .stages
                .iter()
                .enumerate()
                .map(|(i, codes)| Stage {
                    number: i + 1,
                    items: codes
                        .iter()
                        .filter_map(|code| d.plan.items.iter().find(|p| &p.item == code))
                        .map(|p| StageItem {
                            code: p.item.clone(),
                            name: p.name.clone(),
                            needs: p.needs.iter().map(|n| name_of(n)).collect(),
                            finishes_by_days: p.finishes_by_days,
                        })
                        .collect(),
                })
                .collect();
            let page = BundlePage {
                c: Chrome::maybe(lang, &uri, user.as_ref()),
                d,
                stages,
            };
            render(&page, StatusCode::OK, lang)
        }
        Err(error) => PageError { error, lang, uri }.into_response(),
    }
}

#[derive(Template)]
#[template(path = "region.html")]
struct RegionPage {
    c: Chrome,
    g: RegionGuide,
    level: &'static str,
}

/// `GET /regions/{code}`: browse by region — where to go there, the places under it, and which
/// departments handle what for people there.
pub(crate) async fn region(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    MaybePageUser(user): MaybePageUser,
    uri: Uri,
    Path(code): Path<String>,
) -> Response {
    match app.region_guide(&code).await {
        Ok(g) => {
            let tr = Tr { lang };
            let page = RegionPage {
                level: tr.region_level(&g.view.region.level),
                c: Chrome::maybe(lang, &uri, user.as_ref()),
                g,
            };
            render(&page, StatusCode::OK, lang)
        }
        Err(error) => PageError { error, lang, uri }.into_response(),
    }
}
