//! Every API error as `application/problem+json` (RFC 9457), with the stable code and the offending
//! field, in the caller's language (Chinese unless the caller prefers English).

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tongban_app::error::{AppError, ErrorKind, FieldProblem};
use utoipa::ToSchema;

/// The user's language: zh-CN first, English on request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// Picks from `Accept-Language`: English only when it is preferred over Chinese.
    pub fn from_headers(headers: &HeaderMap) -> Lang {
        let Some(value) = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
        else {
            return Lang::Zh;
        };
        let mut best: Option<(f32, Lang)> = None;
        for part in value.split(',') {
            let mut bits = part.trim().split(';');
            let tag = bits.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = bits
                .find_map(|b| {
                    b.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            let lang = if tag.starts_with("zh") {
                Lang::Zh
            } else if tag.starts_with("en") {
                Lang::En
            } else {
                continue;
            };
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or(Lang::Zh)
    }
}

/// The problem document. `code` is stable; `detail` is for people.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// `urn:tongban:problem:<code>`.
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable code, e.g. `calendar.days_out_of_range`.
    pub code: String,
    /// The offending field (query parameter or body path), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every problem, for inputs that can have several (catalog files).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<ProblemItem>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemItem {
    pub field: String,
    pub code: String,
    pub detail: String,
}

/// An error on its way out: the service error plus the language to tell it in.
#[derive(Debug)]
pub struct ApiError {
    pub error: AppError,
    pub lang: Lang,
}

impl ApiError {
    pub fn new(error: AppError, lang: Lang) -> Self {
        ApiError { error, lang }
    }
}

/// A service result on its way out of an API handler: its error told in the caller's language.
pub trait InLang<T> {
    fn in_lang(self, lang: Lang) -> Result<T, ApiError>;
}

impl<T> InLang<T> for Result<T, AppError> {
    fn in_lang(self, lang: Lang) -> Result<T, ApiError> {
        self.map_err(|e| ApiError::new(e, lang))
    }
}

pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::Invalid => StatusCode::BAD_REQUEST,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn pick(lang: Lang, en: &str, zh: &str) -> String {
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => en.to_string(),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.error.into_data();
        let status = status_of(e.kind);
        let problem = Problem {
            type_: format!("urn:tongban:problem:{}", e.code),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: pick(self.lang, &e.message, &e.message_zh),
            code: e.code,
            field: e.field,
            problems: e
                .problems
                .iter()
                .map(|p: &FieldProblem| ProblemItem {
                    field: p.field.clone(),
                    code: p.code.clone(),
                    detail: pick(self.lang, &p.message, &p.message_zh),
                })
                .collect(),
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut resp = (status, body).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        resp.headers_mut().insert(
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(match self.lang {
                Lang::Zh => "zh-CN",
                Lang::En => "en",
            }),
        );
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(v: &str) -> Lang {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_str(v).unwrap());
        Lang::from_headers(&h)
    }

    #[test]
    fn chinese_unless_english_is_preferred() {
        assert_eq!(Lang::from_headers(&HeaderMap::new()), Lang::Zh);
        assert_eq!(lang("en-US,en;q=0.9"), Lang::En);
        assert_eq!(lang("zh-CN,zh;q=0.9,en;q=0.8"), Lang::Zh);
        assert_eq!(lang("en;q=0.5,zh;q=0.9"), Lang::Zh);
        assert_eq!(lang("fr"), Lang::Zh);
    }
}
