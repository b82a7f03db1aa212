//! `GET /cases/{number}/files/{sha256}`: a material's file, only from a case the user may see.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::pages::session::{PageUser, urlencode};
use crate::pages::{PageError, PageLang};

pub(super) async fn file(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    Path((number, sha256)): Path<(String, String)>,
    uri: Uri,
) -> Response {
    let f = match app.case_file(&user, &number, &sha256).await {
        Ok(f) => f,
        Err(error) => return PageError { error, lang, uri }.into_response(),
    };
    let mut resp = f.bytes.into_response();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&f.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    let name = f.file_name.unwrap_or_else(|| sha256.clone());
    if let Ok(v) = HeaderValue::from_str(&format!(
        "inline; filename*=UTF-8''{}",
        urlencode(&name).replace('/', "%2F")
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Personal documents: never kept by shared caches.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    resp
}
