//! The JSON API. Routes are registered together with their OpenAPI description (utoipa-axum), so a
//! route cannot exist undocumented.

mod accounts;
mod agency;
mod appointments;
mod calendar;
mod cases;
mod catalog;
mod commitments; // 承诺办
mod health;
mod places;
mod tolerance; // 容缺办 pledge, 网上办 registration

use axum::http::{Method, Uri};
use tongban_app::error::{AppError, ErrorKind};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::SecuritySchemes;
use crate::problem::{ApiError, Lang};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "tongban API",
        description = "一件事一次办 · 跨域通办 — catalog, places and calendar. Every error is \
                       application/problem+json with a stable `code` and the offending `field`.",
        version = "1"
    ),
    tags(
        (name = "catalog", description = "事项目录: service items and one-thing bundles"),
        (name = "places", description = "行政区划 and service centers"),
        (name = "calendar", description = "工作日历: working-day time limits"),
        (name = "accounts", description = "Signing in and out: session cookie or bearer token"),
        (name = "cases", description = "办件: receive anywhere, handle where competent"),
        (name = "appointments", description = "预约办: slots, bookings, check-in and the queue"),
        (name = "agency", description = "帮代办: authorizations for agents and village helpers"),
        (name = "commitments", description = "承诺办: 告知承诺, 事后核查 and 失信记录"),
        (name = "health", description = "Probes")
    ),
    modifiers(&SecuritySchemes)
)]
struct ApiDoc;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(catalog::list_items))
        .routes(routes!(catalog::get_item))
        .routes(routes!(catalog::list_bundles))
        .routes(routes!(catalog::get_bundle))
        .routes(routes!(places::get_region))
        .routes(routes!(places::list_centers))
        .routes(routes!(calendar::deadline))
        .routes(routes!(accounts::create_session, accounts::delete_session))
        .routes(routes!(accounts::me))
        .routes(routes!(cases::upload_file))
        .routes(routes!(cases::create_case, cases::list_cases))
        .routes(routes!(cases::get_case))
        .routes(routes!(cases::act))
        .routes(routes!(cases::receipt))
        .routes(routes!(cases::notice))
        .routes(routes!(cases::refusal))
        .routes(routes!(appointments::slots))
        .routes(routes!(
            appointments::get_template,
            appointments::put_template
        ))
        .routes(routes!(appointments::add_extended_day))
        .routes(routes!(appointments::book, appointments::mine))
        .routes(routes!(appointments::cancel))
        .routes(routes!(appointments::move_to))
        .routes(routes!(appointments::check_in))
        .routes(routes!(appointments::call_next))
        .routes(routes!(appointments::recall))
        .routes(routes!(appointments::skip))
        .routes(routes!(appointments::display))
        .routes(routes!(agency::grant, agency::list))
        .routes(routes!(agency::get))
        .routes(routes!(agency::revoke))
        .routes(routes!(agency::document))
        .routes(routes!(agency::appoint_helper))
        // 容缺办, 网上办
        .routes(routes!(tolerance::pledge))
        .routes(routes!(tolerance::register))
        // 承诺办
        .routes(routes!(commitments::list))
        .routes(routes!(commitments::verify))
        .routes(routes!(commitments::document))
}

/// Unknown paths answer in the same problem format as everything else.
pub(crate) async fn not_found(lang: Lang, uri: Uri) -> ApiError {
    ApiError::new(
        AppError::not_found(
            "route.not_found",
            format!("There is nothing at {}.", uri.path()),
            format!("找不到 {} 对应的资源。", uri.path()),
        ),
        lang,
    )
}

/// A known path with the wrong method.
pub(crate) async fn method_not_allowed(lang: Lang, method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        AppError::new(
            ErrorKind::MethodNotAllowed,
            "route.method_not_allowed",
            format!("{} does not accept {method}.", uri.path()),
            format!("{} 不支持 {method} 请求。", uri.path()),
        ),
        lang,
    )
}
