//! (pages to come)

use axum::Router;

use crate::AppState;

/// (key, zh-CN, English); keys start with `clerk.`.
pub(crate) const STRINGS: &[(&str, &str, &str)] = &[];

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
}
