//! tongban's HTTP layer (axum): the JSON API under `/api/v1` with its OpenAPI document, health
//! probes, problem+json errors, and the server-rendered HTML pages (`pages`). A handler extracts, calls one `tongban_app` service, and renders;
//! it runs no SQL and holds no rules.

mod api;
pub mod auth;
mod documents;
mod extract;
pub mod pages;
pub mod problem;

use std::sync::Arc;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use tokio::net::TcpListener;
use tongban_app::App;
use tower_http::trace::TraceLayer;

pub use auth::{CurrentUser, OptionalUser, SignedIn};
pub use problem::{ApiError, Lang};

/// Shared state of every handler.
pub type AppState = Arc<App>;

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang::from_headers(&parts.headers))
    }
}

/// The whole application router.
pub fn router(app: Arc<App>) -> Router {
    let (api, openapi) = api::routes().split_for_parts();
    let openapi = Arc::new(openapi);
    api.route(
        "/api/v1/openapi.json",
        axum::routing::get(move || {
            let doc = openapi.clone();
            async move { axum::Json(doc.as_ref().clone()) }
        }),
    )
    .merge(pages::routes())
    // Unknown paths: problem+json under /api/, a human page in the user's language elsewhere.
    .fallback(pages::fallback)
    .method_not_allowed_fallback(api::method_not_allowed)
    .layer(TraceLayer::new_for_http())
    .with_state(app)
}

/// The OpenAPI document, for snapshot tests and `tongban openapi`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api::routes().split_for_parts().1
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    app: Arc<App>,
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // With the peer address, so that sign-ins can be throttled per client.
    axum::serve(
        listener,
        router(app).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
