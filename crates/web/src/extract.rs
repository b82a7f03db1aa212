//! Extractors whose rejections are problem+json like every other error.

use axum::extract::FromRequestParts;
use axum::extract::rejection::QueryRejection;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use tongban_app::error::AppError;

use crate::problem::{ApiError, Lang};

/// `Query<T>` that answers a malformed query string (e.g. a parameter given twice) with a problem.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let lang = Lang::from_headers(&parts.headers);
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(rejection) => Err(ApiError::new(query_problem(&rejection), lang)),
        }
    }
}

fn query_problem(rejection: &QueryRejection) -> AppError {
    let detail = rejection.body_text();
    AppError::invalid(
        "query.malformed",
        format!("The query string cannot be read: {detail}."),
        format!("查询参数无法解析：{detail}。"),
    )
    .with_field("query")
}
