//! 行政区划 and service centers.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use tongban_app::places::RegionView;
use tongban_app::{Page, parse_page};
use tongban_domain::region::ServiceCenter;
use utoipa::IntoParams;

use crate::AppState;
use crate::extract::ApiQuery;
use crate::problem::{ApiError, InLang, Lang, Problem};

/// A region with its ancestors and children (`/api/v1/regions/430400` lists the 14 county-level
/// units of 衡阳市).
#[utoipa::path(get, path = "/api/v1/regions/{code}", tag = "places",
    params(("code" = String, Path, description = "6-, 9- or 12-digit division code")),
    responses(
        (status = 200, description = "the region", body = Object),
        (status = 400, description = "malformed code", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "unknown code", body = Problem, content_type = "application/problem+json")
    ))]
pub(crate) async fn get_region(
    State(app): State<AppState>,
    lang: Lang,
    Path(code): Path<String>,
) -> Result<Json<RegionView>, ApiError> {
    app.region(&code).await.map(Json).in_lang(lang)
}

#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct CentersQuery {
    /// Region code: centers in it and below it.
    region: Option<String>,
    /// Default 0.
    offset: Option<String>,
    /// Default 20, at most 100.
    limit: Option<String>,
}

/// Service centers (收件地) in a region and below it.
#[utoipa::path(get, path = "/api/v1/centers", tag = "places", params(CentersQuery),
    responses(
        (status = 200, description = "a page of centers", body = Object),
        (status = 400, description = "missing or malformed region", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "unknown region", body = Problem, content_type = "application/problem+json")
    ))]
pub(crate) async fn list_centers(
    State(app): State<AppState>,
    lang: Lang,
    ApiQuery(q): ApiQuery<CentersQuery>,
) -> Result<Json<Page<ServiceCenter>>, ApiError> {
    let run = async {
        let region = tongban_app::require(q.region.as_deref(), "region")?;
        let (offset, limit) = parse_page(q.offset.as_deref(), q.limit.as_deref())?;
        app.centers(region, limit, offset).await
    };
    run.await.map(Json).in_lang(lang)
}
