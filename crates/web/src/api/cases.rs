//! 办件: create, list, show, act, and the printable receipt and one-time notice.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use tongban_app::cases::{ActionRequest, CasePage, CaseQuery, CaseView, CreateCaseRequest};
use tongban_app::error::AppError;
use tongban_app::files::{MAX_FILE_BYTES, StoredFile};
use tongban_app::parse_page;
use utoipa::IntoParams;

use crate::AppState;
use crate::auth::SignedIn;
use crate::documents;
use crate::extract::{ApiJson, ApiQuery};
use crate::problem::{ApiError, InLang, Lang, Problem};

/// Upload one material file (raw body; `Content-Type` application/pdf, image/jpeg or image/png;
/// at most 10 MiB). Stored content-addressed; the answer's `sha256` is what a case refers to.
#[utoipa::path(post, path = "/api/v1/files", tag = "cases",
    request_body(content = Vec<u8>, content_type = "application/pdf", description = "the file"),
    responses(
        (status = 201, description = "stored", body = Object),
        (status = 400, description = "empty, too large, or a type not accepted", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "not signed in", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = [])))]
pub(crate) async fn upload_file(
    State(app): State<AppState>,
    lang: Lang,
    SignedIn(_user): SignedIn,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<StoredFile>), ApiError> {
    let ctype = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // Stop reading at the limit rather than holding a huge body. (A client that disconnects
    // mid-upload also lands here; nobody reads that answer.)
    let bytes = axum::body::to_bytes(body, MAX_FILE_BYTES)
        .await
        .map_err(|_| {
            ApiError::new(
                AppError::invalid(
                    "file.too_large",
                    format!(
                        "The file is larger than the {} MiB limit.",
                        MAX_FILE_BYTES / 1024 / 1024
                    ),
                    format!("文件超过 {} MiB 的上限。", MAX_FILE_BYTES / 1024 / 1024),
                )
                .with_field("file"),
                lang,
            )
        })?;
    app.store_file(bytes.to_vec(), ctype)
        .await
        .map(|f| (StatusCode::CREATED, Json(f)))
        .in_lang(lang)
}

/// Apply for one item or one bundle — online as an applicant, or at a window as a clerk for the
/// person present. Send an `Idempotency-Key` header: a retry with the same key and body returns the
/// same case (200) instead of a second one.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases",
    params(("Idempotency-Key" = Option<String>, Header, description = "makes retries safe")),
    request_body(content = Object, description = "{item | bundle, form, materials[], center?}"),
    responses(
        (status = 201, description = "created", body = Object),
        (status = 200, description = "a replay of an earlier request with the same key", body = Object),
        (status = 400, description = "form, identity, material or routing problem", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "unknown item or bundle", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the key was used for a different request", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = [])))]
pub(crate) async fn create_case(
    State(app): State<AppState>,
    lang: Lang,
    SignedIn(user): SignedIn,
    headers: HeaderMap,
    ApiJson(req): ApiJson<CreateCaseRequest>,
) -> Result<(StatusCode, Json<CaseView>), ApiError> {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty());
    let created = app.create_case(&user, req, key).await.in_lang(lang)?;
    let status = if created.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(created.case)))
}

#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct CasesQuery {
    /// open or closed.
    status: Option<String>,
    /// Department code of a sub-case (e.g. 430481-hrss).
    department: Option<String>,
    /// Receiving center code (e.g. C430422100001).
    center: Option<String>,
    /// Receiving region (and below).
    region: Option<String>,
    /// near_due (yellow, due within 2 working days, overdue included) or overdue (red).
    flag: Option<String>,
    /// Case number, title or applicant name contains this.
    q: Option<String>,
    offset: Option<String>,
    limit: Option<String>,
}

/// The cases you may see (applicant: yours; clerk: received at your center; approver: your
/// department's; supervisor: your region and below), newest first. `total` is exact unless
/// `total_capped` is true: counting stops 200 cases past the requested page, and then at least
/// `total` cases match (a page costs the same however many cases match).
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(CasesQuery),
    responses(
        (status = 200, description = "a page of cases: {total, total_capped, offset, limit, items}", body = Object),
        (status = 400, description = "bad filter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "not signed in", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = [])))]
pub(crate) async fn list_cases(
    State(app): State<AppState>,
    lang: Lang,
    SignedIn(user): SignedIn,
    ApiQuery(q): ApiQuery<CasesQuery>,
) -> Result<Json<CasePage>, ApiError> {
    let run = async {
        let (offset, limit) = parse_page(q.offset.as_deref(), q.limit.as_deref())?;
        app.list_cases(
            &user,
            CaseQuery {
                status: q.status,
                department: q.department,
                center: q.center,
                region: q.region,
                text: q.q,
                flag: q.flag,
                offset,
                limit,
            },
        )
        .await
    };
    run.await.map(Json).in_lang(lang)
}

/// One case: sub-cases with 收件地 and 办理地, deadlines and flags, materials, and the timeline
/// (from the audit events). A case you may not see is reported as not found.
#[utoipa::path(get, path = "/api/v1/cases/{number}", tag = "cases",
    params(("number" = String, Path, description = "case number")),
    responses(
        (status = 200, description = "the case", body = Object),
        (status = 404, description = "no such case that you can see", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = [])))]
pub(crate) async fn get_case(
    State(app): State<AppState>,
    lang: Lang,
    SignedIn(user): SignedIn,
    Path(number): Path<String>,
) -> Result<Json<CaseView>, ApiError> {
    app.case_view(&user, &number).await.map(Json).in_lang(lang)
}

/// Act on one sub-case: accept, reject, request_supplement, supplement, review, approve, deny,
/// conclude, deliver, withdraw — each only by the right role at the right step. `version` must be
/// the case version you saw; a stale one gets 409 and changes nothing.
#[utoipa::path(post, path = "/api/v1/cases/{number}/actions", tag = "cases",
    params(("number" = String, Path, description = "case number")),
    request_body(content = Object, description = "{sub_case, version, action: {action: accept | …}, materials?}"),
    responses(
        (status = 200, description = "the case after the action", body = Object),
        (status = 400, description = "bad action data", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "not your role or not your case", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such case that you can see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "stale version, or not allowed in this status", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = [])))]
pub(crate) async fn act(
    State(app): State<AppState>,
    lang: Lang,
    SignedIn(user): SignedIn,
    Path(number): Path<String>,
    ApiJson(req): ApiJson<ActionRequest>,
) -> Result<Json<CaseView>, ApiError> {
    app.act(&user, &number, req).await.map(Json).in_lang(lang)
}

fn html(body: String) -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        Html(body),
    )
        .into_response()
}

/// The acceptance receipt (受理通知书), printable on A4.
#[utoipa::path(get, path = "/api/v1/cases/{number}/receipt", tag = "cases",
    params(("number" = String, Path, description = "case number")),
    responses(
        (status = 200, description = "HTML with print CSS", content_type = "text/html"),
        (status = 404, description = "no such case that you can see", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = [])))]
pub(crate) async fn receipt(
    State(app): State<AppState>,
    lang: Lang,
    SignedIn(user): SignedIn,
    Path(number): Path<String>,
) -> Result<Response, ApiError> {
    let case = app.case_view(&user, &number).await.in_lang(lang)?;
    Ok(html(documents::receipt(&case)))
}

/// The one-time notice (一次性告知书): every missing material at once, printable on A4.
#[utoipa::path(get, path = "/api/v1/cases/{number}/notice", tag = "cases",
    params(("number" = String, Path, description = "case number")),
    responses(
        (status = 200, description = "HTML with print CSS", content_type = "text/html"),
        (status = 404, description = "no such case that you can see", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = [])))]
pub(crate) async fn notice(
    State(app): State<AppState>,
    lang: Lang,
    SignedIn(user): SignedIn,
    Path(number): Path<String>,
) -> Result<Response, ApiError> {
    let case = app.case_view(&user, &number).await.in_lang(lang)?;
    Ok(html(documents::one_time_notice(&case)))
}

/// The not-accepted decision (不予受理决定书), printable on A4: for each sub-case rejected at
/// acceptance, the reasons and the legal remedy. Not found when nothing was rejected.
#[utoipa::path(get, path = "/api/v1/cases/{number}/refusal", tag = "cases",
    params(("number" = String, Path, description = "case number")),
    responses(
        (status = 200, description = "HTML with print CSS", content_type = "text/html"),
        (status = 404, description = "no such case that you can see, or nothing was rejected", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = [])))]
pub(crate) async fn refusal(
    State(app): State<AppState>,
    lang: Lang,
    SignedIn(user): SignedIn,
    Path(number): Path<String>,
) -> Result<Response, ApiError> {
    let case = app.case_view(&user, &number).await.in_lang(lang)?;
    match documents::refusal::refusal(&case) {
        Some(doc) => Ok(html(doc)),
        None => Err(ApiError::new(
            AppError::not_found(
                "case.not_rejected",
                format!(
                    "No part of case {number} was rejected at acceptance, so there is no decision not to accept."
                ),
                format!("办件 {number} 没有不予受理的事项，因此没有不予受理决定书。"),
            ),
            lang,
        )),
    }
}
