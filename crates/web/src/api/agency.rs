//! 帮代办: authorizations (授权委托) from a principal to an agent, village helpers (帮代办员), and
//! the printable 授权委托书. Agents then apply and act with `on_behalf_of` on the case routes.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use tongban_app::agency::{
    AppointHelperRequest, AuthorizationList, AuthorizationView, GrantRequest, VillageHelperView,
};
use tongban_app::error::AppError;
use tongban_domain::agency::Scope;

use crate::AppState;
use crate::auth::SignedIn;
use crate::extract::ApiJson;
use crate::problem::{ApiError, InLang, Lang, Problem};

fn parse_id(id: &str) -> Result<i64, AppError> {
    id.trim().parse::<i64>().map_err(|_| {
        AppError::invalid(
            "agency.bad_id",
            format!("{id:?} is not an authorization id (a number)."),
            format!("{id:?} 不是授权委托编号（应为数字）。"),
        )
        .with_field("id")
    })
}

/// Grant an authorization: online by the principal (the signed-in applicant), or by a clerk at a
/// window for the principal present (`principal`). `scope` is `"all"` or `{"items": [...]}`; the
/// period is inclusive; `evidence_file` is the sha256 of the uploaded signed 授权委托书.
#[utoipa::path(post, path = "/api/v1/authorizations", tag = "agency",
    request_body(content = Object, description = "{agent, kind: relative | power_of_attorney | village_helper, scope, valid_from?, valid_to, evidence_file, principal?}"),
    responses(
        (status = 201, description = "granted", body = Object),
        (status = 400, description = "unknown agent or item, bad period or scope, missing evidence", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "neither the principal nor a clerk", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = [])))]
pub(crate) async fn grant(
    State(app): State<AppState>,
    lang: Lang,
    SignedIn(user): SignedIn,
    ApiJson(req): ApiJson<GrantRequest>,
) -> Result<(StatusCode, Json<AuthorizationView>), ApiError> {
    app.grant_authorization(&user, req)
        .await
        .map(|v| (StatusCode::CREATED, Json(v)))
        .in_lang(lang)
}

/// The authorizations you gave (`given`, as principal) and hold (`held`, as agent), each with its
/// status today: valid, not_yet_valid, expired or revoked.
#[utoipa::path(get, path = "/api/v1/authorizations", tag = "agency",
    responses(
        (status = 200, description = "given and held", body = Object),
        (status = 401, description = "not signed in", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = [])))]
pub(crate) async fn list(
    State(app): State<AppState>,
    lang: Lang,
    SignedIn(user): SignedIn,
) -> Result<Json<AuthorizationList>, ApiError> {
    app.authorizations(&user).await.map(Json).in_lang(lang)
}

/// One authorization (its principal, agent, whoever recorded it, or a system administrator).
#[utoipa::path(get, path = "/api/v1/authorizations/{id}", tag = "agency",
    params(("id" = String, Path, description = "authorization id")),
    responses(
        (status = 200, description = "the authorization", body = Object),
        (status = 404, description = "no such authorization that you can see", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = [])))]
pub(crate) async fn get(
    State(app): State<AppState>,
    lang: Lang,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
) -> Result<Json<AuthorizationView>, ApiError> {
    let run = async { app.authorization(&user, parse_id(&id)?).await };
    run.await.map(Json).in_lang(lang)
}

/// Revoke an authorization (the principal or a system administrator). The agent can no longer act
/// under it; what was done before stays on the cases' timelines.
#[utoipa::path(post, path = "/api/v1/authorizations/{id}/revoke", tag = "agency",
    params(("id" = String, Path, description = "authorization id")),
    responses(
        (status = 200, description = "revoked", body = Object),
        (status = 403, description = "not the principal", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such authorization that you can see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "already revoked", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = [])))]
pub(crate) async fn revoke(
    State(app): State<AppState>,
    lang: Lang,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
) -> Result<Json<AuthorizationView>, ApiError> {
    let run = async { app.revoke_authorization(&user, parse_id(&id)?).await };
    run.await.map(Json).in_lang(lang)
}

/// The printable authorization (授权委托书), A4, for the principal to sign.
#[utoipa::path(get, path = "/api/v1/authorizations/{id}/document", tag = "agency",
    params(("id" = String, Path, description = "authorization id")),
    responses(
        (status = 200, description = "HTML with print CSS", content_type = "text/html"),
        (status = 404, description = "no such authorization that you can see", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = [])))]
pub(crate) async fn document(
    State(app): State<AppState>,
    lang: Lang,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let run = async { app.authorization(&user, parse_id(&id)?).await };
    let a = run.await.in_lang(lang)?;
    Ok((
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        Html(authorization_document(&a)),
    )
        .into_response())
}

/// Appoint an applicant account as a village's helper (帮代办员): a system administrator for any
/// village, a clerk for the village of their own service point.
#[utoipa::path(post, path = "/api/v1/village-helpers", tag = "agency",
    request_body(content = Object, description = "{username, region}"),
    responses(
        (status = 200, description = "appointed", body = Object),
        (status = 400, description = "unknown account or bad region code", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "not an administrator or a clerk of that village", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = [])))]
pub(crate) async fn appoint_helper(
    State(app): State<AppState>,
    lang: Lang,
    SignedIn(user): SignedIn,
    ApiJson(req): ApiJson<AppointHelperRequest>,
) -> Result<Json<VillageHelperView>, ApiError> {
    app.appoint_village_helper(&user, req)
        .await
        .map(Json)
        .in_lang(lang)
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const STYLE: &str = "body{font-family:system-ui,'Noto Sans CJK SC','Microsoft YaHei',sans-serif;\
max-width:170mm;margin:12mm auto;color:#111;line-height:1.8}h1{text-align:center;font-size:22pt;\
letter-spacing:.3em}table{width:100%;border-collapse:collapse;margin:8px 0}td,th{border:1px solid #444;\
padding:4px 6px;text-align:left;vertical-align:top}th{width:28%}.sign{margin-top:16mm;display:flex;\
justify-content:space-between}.code{font-family:monospace;word-break:break-all}\
@page{size:A4;margin:18mm}@media print{body{margin:0}}";

/// 授权委托书.
fn authorization_document(a: &AuthorizationView) -> String {
    let scope = match &a.scope {
        Scope::All => "全部可帮代办事项".to_string(),
        Scope::Items(codes) => esc(&codes.join("、")),
    };
    let status = match a.status {
        "valid" => "有效",
        "not_yet_valid" => "尚未生效",
        "expired" => "已过期",
        _ => "已撤销",
    };
    format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>授权委托书 {id}</title>\
         <style>{STYLE}</style></head><body><h1>授权委托书</h1>\
         <p>编号：<span class=\"code\">{id}</span>　状态：{status}</p>\
         <p>委托人 {pn}（账号 {pu}）现委托 {an}（账号 {au}）作为本人的代办人（{kind}），\
         在下列范围和期限内代为申请、办理政务服务事项。代办人在授权范围内所作的申请和操作，\
         均以本人名义进行并记录在案，本人可随时查询，并可随时撤销本授权。</p>\
         <table><tr><th>委托人</th><td>{pn}（{pu}）</td></tr>\
         <tr><th>受托人（代办人）</th><td>{an}（{au}）</td></tr>\
         <tr><th>代办类型</th><td>{kind}</td></tr>\
         <tr><th>授权范围</th><td>{scope}</td></tr>\
         <tr><th>有效期限</th><td>{from} 至 {to}（含首尾两日）</td></tr>\
         <tr><th>证明材料</th><td class=\"code\">{evidence}</td></tr></table>\
         <div class=\"sign\"><span>委托人（签字）：</span><span>受托人（签字）：</span>\
         <span>日期：　　年　　月　　日</span></div></body></html>",
        id = a.id,
        pn = esc(&a.principal.name),
        pu = esc(&a.principal.username),
        an = esc(&a.agent.name),
        au = esc(&a.agent.username),
        kind = a.kind_name,
        from = a.valid_from,
        to = a.valid_to,
        evidence = esc(a.evidence_file.as_deref().unwrap_or("—")),
    )
}
