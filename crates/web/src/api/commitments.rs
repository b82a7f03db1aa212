//! 承诺办: the 事后核查 queue, recording a verification, and the printable 告知承诺书.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use tongban_app::cases::CaseView;
use tongban_app::commitments::{CommitmentDocument, VerificationView, VerifyRequest};
use tongban_app::error::AppError;
use tongban_app::{Page, parse_page};
use utoipa::IntoParams;

use crate::AppState;
use crate::auth::SignedIn;
use crate::documents::{esc, page};
use crate::extract::{ApiJson, ApiQuery};
use crate::problem::{ApiError, InLang, Lang, Problem};

#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct VerificationsQuery {
    /// pending, passed or failed.
    status: Option<String>,
    offset: Option<String>,
    limit: Option<String>,
}

/// The 事后核查 queue: concluded sub-cases decided on a commitment and sampled at the item's rate
/// (every one for an applicant with a broken commitment on record). Approvers see their
/// department's, supervisors their region's, system administrators all.
#[utoipa::path(get, path = "/api/v1/verifications", tag = "commitments", params(VerificationsQuery),
    responses(
        (status = 200, description = "a page of verifications, oldest first", body = Object),
        (status = 400, description = "bad filter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "a role without a verification queue", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = [])))]
pub(crate) async fn list(
    State(app): State<AppState>,
    lang: Lang,
    SignedIn(user): SignedIn,
    ApiQuery(q): ApiQuery<VerificationsQuery>,
) -> Result<Json<Page<VerificationView>>, ApiError> {
    let run = async {
        let (offset, limit) = parse_page(q.offset.as_deref(), q.limit.as_deref())?;
        app.verifications(&user, q.status, offset, limit).await
    };
    run.await.map(Json).in_lang(lang)
}

fn parse_seq(seq: &str) -> Result<i64, AppError> {
    seq.trim().parse::<i64>().map_err(|_| {
        AppError::invalid(
            "commitment.bad_seq",
            format!("{seq:?} is not a sub-case number."),
            format!("{seq:?} 不是子件序号。"),
        )
        .with_field("seq")
    })
}

/// Record the finding of one verification (an approver of the handling department):
/// `{"passed": true}`, or `{"passed": false, "note": "…"}` — which revokes the result, records the
/// broken commitment (失信记录) and bars the applicant from 承诺办 for the item's `bar_days`
/// calendar days, all on the case's timeline.
#[utoipa::path(post, path = "/api/v1/verifications/{number}/{seq}", tag = "commitments",
    params(("number" = String, Path, description = "case number"), ("seq" = String, Path, description = "sub-case")),
    request_body(content = Object, description = "{passed: bool, note?}"),
    responses(
        (status = 200, description = "the case after the verification", body = Object),
        (status = 400, description = "a failed verification without a note", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "not an approver", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not in your verification queue", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "already verified, or the case changed meanwhile", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = [])))]
pub(crate) async fn verify(
    State(app): State<AppState>,
    lang: Lang,
    SignedIn(user): SignedIn,
    Path((number, seq)): Path<(String, String)>,
    ApiJson(req): ApiJson<VerifyRequest>,
) -> Result<Json<CaseView>, ApiError> {
    let run = async {
        let seq = parse_seq(&seq)?;
        app.verify(&user, &number, seq, req).await
    };
    run.await.map(Json).in_lang(lang)
}

/// The 告知承诺书 of a case, printable on A4: the materials replaced and the catalog's commitment
/// text as signed.
#[utoipa::path(get, path = "/api/v1/cases/{number}/commitment", tag = "commitments",
    params(("number" = String, Path, description = "case number")),
    responses(
        (status = 200, description = "HTML with print CSS", content_type = "text/html"),
        (status = 404, description = "no such case that you can see, or none on a commitment", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = [])))]
pub(crate) async fn document(
    State(app): State<AppState>,
    lang: Lang,
    SignedIn(user): SignedIn,
    Path(number): Path<String>,
) -> Result<Response, ApiError> {
    let doc = app
        .commitment_document(&user, &number)
        .await
        .in_lang(lang)?;
    Ok((
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        Html(render(&doc)),
    )
        .into_response())
}

/// 告知承诺书: per item, the replaced materials and the commitment text.
fn render(doc: &CommitmentDocument) -> String {
    let case = &doc.case;
    let mut items: Vec<(&str, &str, Vec<&str>)> = Vec::new();
    for c in &doc.commitments {
        match items.iter_mut().find(|(name, _, _)| *name == c.item_name) {
            Some(entry) => entry.2.push(&c.material_name),
            None => items.push((&c.item_name, &c.text, vec![&c.material_name])),
        }
    }
    let mut sections = String::new();
    for (name, text, materials) in items {
        let list: String = materials
            .iter()
            .enumerate()
            .map(|(i, m)| format!("<tr><td>{}</td><td>{}</td></tr>", i + 1, esc(m)))
            .collect();
        sections.push_str(&format!(
            "<h2>{}</h2><table><tr><th>序号</th><th>以承诺替代的材料</th></tr>{list}</table>\
             <p class=\"pledge\">{}</p>",
            esc(name),
            esc(text)
        ));
    }
    // Signed on the day of application, China time.
    let signed = chrono::FixedOffset::east_opt(8 * 3600)
        .zip(chrono::DateTime::from_timestamp_millis(doc.signed_at))
        .map(|(tz, t)| t.with_timezone(&tz).format("%Y年%m月%d日").to_string())
        .unwrap_or_default();
    let body = format!(
        "<p>申请人：{name}（证件号码 {id}）</p>\
         <p>本人申请“{title}”，自愿适用告知承诺制（承诺办），以书面承诺替代下列材料，并知悉：行政机关将依法\
         进行事后核查；承诺不实的，将撤销已作出的办理结果，记入失信记录，并在规定期限内不再适用告知承诺。</p>\
         {sections}<p class=\"seal\">承诺人（签字）：__________<br>{signed}</p>",
        name = esc(&case.applicant_name),
        id = esc(&case.applicant_id),
        title = esc(&case.title),
    );
    page("告知承诺书", case, &body)
}
