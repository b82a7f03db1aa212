//! 事项目录: items and one-thing bundles.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use tongban_app::catalog::{BundleDetail, BundleSummary, ItemDetail, ItemSummary};
use tongban_app::{Page, parse_page};
use utoipa::IntoParams;

use crate::AppState;
use crate::extract::ApiQuery;
use crate::problem::{ApiError, InLang, Lang, Problem};

#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct CatalogQuery {
    /// Chinese text (养老保险), full pinyin (yanglaobaoxian) or initials (ylbx); empty lists all.
    q: Option<String>,
    /// Only items of this department type (e.g. `hrss`).
    department: Option<String>,
    /// Only items of this life event (e.g. `birth`).
    life_event: Option<String>,
    /// Default 0.
    offset: Option<String>,
    /// Default 20, at most 100.
    limit: Option<String>,
}

/// Search the service items.
#[utoipa::path(get, path = "/api/v1/items", tag = "catalog", params(CatalogQuery),
    responses(
        (status = 200, description = "a page of items, best match first", body = Object),
        (status = 400, description = "bad paging", body = Problem, content_type = "application/problem+json")
    ))]
pub(crate) async fn list_items(
    State(app): State<AppState>,
    lang: Lang,
    ApiQuery(q): ApiQuery<CatalogQuery>,
) -> Result<Json<Page<ItemSummary>>, ApiError> {
    let run = || {
        let (offset, limit) = parse_page(q.offset.as_deref(), q.limit.as_deref())?;
        app.search_items(
            q.q.as_deref().unwrap_or(""),
            q.department.as_deref(),
            q.life_event.as_deref(),
            offset,
            limit,
        )
    };
    run().map(Json).in_lang(lang)
}

/// One item with every standard element (事项要素).
#[utoipa::path(get, path = "/api/v1/items/{code}", tag = "catalog",
    params(("code" = String, Path, description = "item code, e.g. 430400-RS-0001")),
    responses(
        (status = 200, description = "the item, current version", body = Object),
        (status = 404, description = "unknown item", body = Problem, content_type = "application/problem+json")
    ))]
pub(crate) async fn get_item(
    State(app): State<AppState>,
    lang: Lang,
    Path(code): Path<String>,
) -> Result<Json<ItemDetail>, ApiError> {
    app.item_detail(&code).await.map(Json).in_lang(lang)
}

#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct BundleQuery {
    /// Chinese text, full pinyin or initials; empty lists all.
    q: Option<String>,
    /// Default 0.
    offset: Option<String>,
    /// Default 20, at most 100.
    limit: Option<String>,
}

/// Search the one-thing bundles (一件事).
#[utoipa::path(get, path = "/api/v1/bundles", tag = "catalog", params(BundleQuery),
    responses(
        (status = 200, description = "a page of bundles", body = Object),
        (status = 400, description = "bad paging", body = Problem, content_type = "application/problem+json")
    ))]
pub(crate) async fn list_bundles(
    State(app): State<AppState>,
    lang: Lang,
    ApiQuery(q): ApiQuery<BundleQuery>,
) -> Result<Json<Page<BundleSummary>>, ApiError> {
    let run = || {
        let (offset, limit) = parse_page(q.offset.as_deref(), q.limit.as_deref())?;
        app.search_bundles(q.q.as_deref().unwrap_or(""), offset, limit)
    };
    run().map(Json).in_lang(lang)
}

/// One bundle with its merged form, merged material list, stages and committed limit.
#[utoipa::path(get, path = "/api/v1/bundles/{code}", tag = "catalog",
    params(("code" = String, Path, description = "bundle code, e.g. YJS-XSRCS")),
    responses(
        (status = 200, description = "the bundle and its plan", body = Object),
        (status = 404, description = "unknown bundle", body = Problem, content_type = "application/problem+json")
    ))]
pub(crate) async fn get_bundle(
    State(app): State<AppState>,
    lang: Lang,
    Path(code): Path<String>,
) -> Result<Json<BundleDetail>, ApiError> {
    app.bundle_detail(&code).map(Json).in_lang(lang)
}
