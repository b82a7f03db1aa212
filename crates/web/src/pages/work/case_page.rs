//! `GET /cases/{number}`: the staff case page (办件详情) with its timeline and action forms.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value;
use tongban_app::cases::CaseView;
use tongban_app::workbench::CasePage;
use tongban_domain::case::{ActionKind, SubCaseStatus};

use super::act::ActForm;
use super::labels::{action_label, day, event_label, flag_marks, local_time, status_label};
use super::staff_only;
use crate::AppState;
use crate::pages::i18n::Tr;
use crate::pages::session::{PageUser, urlencode};
use crate::pages::{Chrome, PageError, PageLang, render};
use crate::problem::Lang;

struct SubRow {
    seq: i64,
    item_name: String,
    item_code: String,
    department: String,
    status: &'static str,
    deadline: String,
    left: String,
    limit: u32,
    class: &'static str,
    badge: Option<(&'static str, &'static str)>,
    result: Option<String>,
}

struct FormRow {
    label: String,
    value: String,
}

struct MaterialRow {
    name: String,
    provided: &'static str,
    /// `/cases/{n}/files/{sha}` for an attached file.
    href: Option<String>,
    file_name: String,
    image: bool,
    pdf: bool,
}

struct EventRow {
    seq: i64,
    at: String,
    what: &'static str,
    code: String,
    sub_case: Option<i64>,
    actor: String,
    role: String,
    acting_for: Option<String>,
    reason: Option<String>,
    hash: String,
}

/// A choice in a checkbox list.
struct Check {
    code: String,
    name: String,
    checked: bool,
}

/// One action form on the case page, with the user's input kept after a validation error.
struct ActionBox {
    seq: i64,
    item_name: String,
    action: &'static str,
    label: &'static str,
    error: Option<String>,
    text: String,
    note: String,
    checks: Vec<Check>,
    result_number: String,
    result_content: String,
    issuer: String,
    issued_on: String,
    approved: bool,
    method: String,
}

impl ActionBox {
    fn id(&self) -> String {
        format!("act-{}-{}", self.seq, self.action)
    }
}

#[derive(Template)]
#[template(path = "work/case.html")]
pub(super) struct CaseHtml {
    c: Chrome,
    number: String,
    title: String,
    version: i64,
    open: bool,
    applicant_name: String,
    applicant_id: String,
    online: bool,
    center: Option<String>,
    submitted_at: String,
    trips: u32,
    subs: Vec<SubRow>,
    form: Vec<FormRow>,
    materials: Vec<MaterialRow>,
    events: Vec<EventRow>,
    receipt: bool,
    notice: bool,
    refusal: bool,
    pledge: bool,
    commitment: bool,
    boxes: Vec<ActionBox>,
    done: Option<&'static str>,
    stale: bool,
    home: &'static str,
}

#[derive(Debug, Deserialize)]
pub(super) struct CaseQuery {
    done: Option<String>,
}

pub(super) async fn case_page(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    Path(number): Path<String>,
    Query(q): Query<CaseQuery>,
    uri: Uri,
) -> Response {
    if let Err(e) = staff_only(&user, lang, &uri) {
        return e.into_response();
    }
    let page = match app.case_page(&user, &number).await {
        Ok(p) => p,
        Err(error) => return PageError { error, lang, uri }.into_response(),
    };
    let tr = Tr { lang };
    let done = q
        .done
        .as_deref()
        .and_then(|d| ActionKind::ALL.into_iter().find(|a| a.as_str() == d))
        .map(|a| action_label(&tr, a));
    let view = case_html(&user, lang, &uri, page, done, None, false);
    render(&view, StatusCode::OK, lang)
}

/// What a failed action left: which form, its message, and the user's input.
pub(super) struct Failed<'a> {
    pub(super) seq: i64,
    pub(super) action: &'a str,
    pub(super) message: String,
    pub(super) form: &'a ActForm,
}

pub(super) fn case_html(
    user: &PageUser,
    lang: Lang,
    uri: &Uri,
    page: CasePage,
    done: Option<&'static str>,
    failed: Option<Failed<'_>>,
    stale: bool,
) -> CaseHtml {
    let tr = Tr { lang };
    let CasePage {
        case,
        file_types,
        fields,
        today,
    } = page;
    let subs = case
        .sub_cases
        .iter()
        .map(|s| {
            let (class, badge) = flag_marks(&tr, s.time_status);
            SubRow {
                seq: s.seq,
                item_name: s.item_name.clone(),
                item_code: s.item_code.clone(),
                department: s.department.name.clone(),
                status: status_label(&tr, s.status),
                deadline: day(s.deadline),
                left: s
                    .remaining_workdays
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "—".into()),
                limit: s.committed_limit_days,
                class,
                badge,
                result: s
                    .result
                    .as_ref()
                    .map(|r| format!("{} · {}", r.number, r.content)),
            }
        })
        .collect();
    let mut form: Vec<FormRow> = Vec::new();
    let label_of = |key: &str| {
        fields
            .iter()
            .find(|f| f.key == key)
            .map(|f| match (tr.is_en(), &f.label_en) {
                (true, Some(en)) => en.clone(),
                _ => f.label.clone(),
            })
            .unwrap_or_else(|| key.to_string())
    };
    // Catalog order first, then anything else the form holds.
    let mut keys: Vec<&str> = fields
        .iter()
        .map(|f| f.key.as_str())
        .filter(|k| case.form.contains_key(*k))
        .collect();
    for k in case.form.keys() {
        if !keys.contains(&k.as_str()) {
            keys.push(k);
        }
    }
    for k in keys {
        let value = match case.form.get(k) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Bool(true)) => tr.t("work.yes").to_string(),
            Some(Value::Bool(false)) => tr.t("work.no").to_string(),
            Some(Value::Null) | None => "—".into(),
            Some(v) => v.to_string(),
        };
        form.push(FormRow {
            label: label_of(k),
            value,
        });
    }
    let materials = case
        .materials
        .iter()
        .map(|m| {
            let ty = m
                .file_sha256
                .as_ref()
                .and_then(|sha| file_types.get(sha))
                .map(String::as_str)
                .unwrap_or("");
            MaterialRow {
                name: m.name.clone(),
                provided: tr.t(match m.provided.as_str() {
                    "file" => "work.provided_file",
                    "paper" => "work.provided_paper",
                    "commitment" => "work.provided_commitment",
                    "certificate" => "work.provided_certificate",
                    _ => "work.provided_missing",
                }),
                href: m.file_sha256.as_ref().map(|sha| {
                    format!(
                        "/cases/{}/files/{}",
                        urlencode(&case.number),
                        urlencode(sha)
                    )
                }),
                file_name: m.file_name.clone().unwrap_or_else(|| m.name.clone()),
                image: ty.starts_with("image/"),
                pdf: ty == "application/pdf",
            }
        })
        .collect();
    let events = case
        .timeline
        .iter()
        .map(|e| EventRow {
            seq: e.seq,
            at: local_time(e.at),
            what: event_label(&tr, &e.kind),
            code: e.kind.clone(),
            sub_case: e.payload.value()["sub_case"].as_i64(),
            actor: e.actor.clone(),
            role: tongban_app::accounts::role_from_name(&e.role)
                .map_or_else(|| e.role.clone(), |r| tr.role(&r).to_string()),
            acting_for: e.acting_for.clone(),
            reason: e.reason.clone(),
            hash: e.hash.chars().take(12).collect(),
        })
        .collect();
    let boxes = action_boxes(&tr, &case, today, failed.as_ref());
    CaseHtml {
        c: Chrome::signed_in(lang, uri, user),
        receipt: case.sub_cases.iter().any(|s| s.accepted_on.is_some()),
        notice: case
            .sub_cases
            .iter()
            .any(|s| !s.requested_materials.is_empty())
            || case.materials.iter().any(|m| m.provided == "missing"),
        refusal: case
            .sub_cases
            .iter()
            .any(|s| s.status == SubCaseStatus::Rejected),
        pledge: case
            .timeline
            .iter()
            .any(|e| e.kind == "sub_case.accept_with_tolerance"),
        commitment: case.materials.iter().any(|m| m.provided == "commitment"),
        open: case.status == "open",
        online: case.channel == "online",
        center: case.center.as_ref().map(|c| c.name.clone()),
        submitted_at: local_time(case.created_at),
        trips: case.trips,
        number: case.number,
        title: case.title,
        version: case.version,
        applicant_name: case.applicant_name,
        applicant_id: case.applicant_id,
        subs,
        form,
        materials,
        events,
        boxes,
        done,
        stale,
        home: crate::pages::session::home_of(user.role),
    }
}

/// The forms for what the user may do now on each sub-case. A supplement needs files (the
/// clerk's window pages take them) and a withdrawal is the applicant's: neither is offered here.
fn action_boxes(
    tr: &Tr,
    case: &CaseView,
    today: NaiveDate,
    failed: Option<&Failed<'_>>,
) -> Vec<ActionBox> {
    let mut boxes = Vec::new();
    for s in &case.sub_cases {
        for a in &s.allowed_actions {
            if matches!(a, ActionKind::Supplement | ActionKind::Withdraw) {
                continue;
            }
            let kept = failed.filter(|f| f.seq == s.seq && f.action == a.as_str());
            let choices: Vec<(&str, &str)> = match a {
                ActionKind::AcceptWithTolerance => case
                    .materials
                    .iter()
                    .filter(|m| m.provided == "missing")
                    .map(|m| (m.code.as_str(), m.name.as_str()))
                    .collect(),
                ActionKind::RequestSupplement => case
                    .materials
                    .iter()
                    .map(|m| (m.code.as_str(), m.name.as_str()))
                    .collect(),
                _ => Vec::new(),
            };
            if *a == ActionKind::AcceptWithTolerance && choices.is_empty() {
                continue; // nothing is missing: a plain acceptance is the one to use
            }
            let checks = choices
                .into_iter()
                .map(|(code, name)| Check {
                    code: code.to_string(),
                    name: name.to_string(),
                    checked: kept.is_some_and(|k| k.form.materials.iter().any(|m| m == code)),
                })
                .collect();
            let mut b = ActionBox {
                seq: s.seq,
                item_name: s.item_name.clone(),
                action: a.as_str(),
                label: action_label(tr, *a),
                error: None,
                text: String::new(),
                note: String::new(),
                checks,
                result_number: String::new(),
                result_content: String::new(),
                issuer: s.department.name.clone(),
                issued_on: today.format("%Y-%m-%d").to_string(),
                approved: true,
                method: "electronic".into(),
            };
            if let Some(k) = kept {
                let f = k.form;
                b.error = Some(k.message.clone());
                b.text = f.text.clone();
                b.note = f.note.clone();
                b.result_number = f.result_number.clone();
                b.result_content = f.result_content.clone();
                b.issuer = f.issuer.clone();
                b.issued_on = f.issued_on.clone();
                b.approved = f.approved != "no";
                b.method = f.method.clone();
            }
            boxes.push(b);
        }
    }
    boxes
}
