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

/// `Json<T>` that answers an unreadable body with a problem naming what is wrong.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let lang = Lang::from_headers(req.headers());
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => {
                let detail = rejection.body_text();
                // serde's message names the path, e.g. "action: unknown variant `fly`".
                let field = detail
                    .split_once(": ")
                    .and_then(|(_, rest)| rest.split_once(':').map(|(f, _)| f.trim().to_string()))
                    .filter(|f| !f.contains(' '))
                    .unwrap_or_else(|| "body".to_string());
                Err(ApiError::new(
                    AppError::invalid(
                        "body.invalid",
                        format!("The request body cannot be read: {detail}."),
                        format!("请求内容无法解析：{detail}。"),
                    )
                    .with_field(field),
                    lang,
                ))
            }
        }
    }
}
