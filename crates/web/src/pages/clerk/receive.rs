//! `GET/POST /clerk/receive/{items|bundles}/{code}`: the window application form (收件).

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use tongban_app::cases::{CreateCaseRequest, MaterialInput};
use tongban_app::error::{AppError, ErrorKind};
use tongban_domain::catalog::{FieldType, FormField, HandlingMode, Material, Requirement};

use super::{clerk, fail};
use crate::AppState;
use crate::pages::session::PageUser;
use crate::pages::{Chrome, PageLang, render};
use crate::problem::Lang;

/// A form field as the page shows it, with what was typed and its problem.
struct FieldView {
    key: String,
    label: String,
    /// `text`, `textarea`, `select`, `checkbox`, `date`, `tel`, `number`.
    input: &'static str,
    required: bool,
    value: String,
    options: Vec<String>,
    help: Option<String>,
    error: Option<String>,
    /// Where the cursor starts: the first field, or the first one with a problem.
    focus: bool,
}

impl FieldView {
    fn checked(&self) -> bool {
        matches!(self.value.as_str(), "on" | "true" | "1" | "yes")
    }

    /// The ids of the help text and the error that describe the input, for screen readers.
    fn describedby(&self) -> String {
        let mut ids = Vec::new();
        if self.help.is_some() {
            ids.push(format!("h-{}", self.key));
        }
        if self.error.is_some() {
            ids.push(format!("e-{}", self.key));
        }
        ids.join(" ")
    }
}

/// A material as the checklist shows it.
struct MaterialView {
    code: String,
    name: String,
    required: bool,
    condition: Option<String>,
    note: Option<String>,
    tolerable_days: Option<u32>,
    commitment: bool,
    e_cert: bool,
    paper: bool,
    committed: bool,
}

#[derive(Template)]
#[template(path = "clerk/receive.html")]
struct ReceivePage {
    c: Chrome,
    /// `items` or `bundles`, for the form's action.
    kind: &'static str,
    code: String,
    name: String,
    modes: Vec<&'static str>,
    applicant: Vec<FieldView>,
    fields: Vec<FieldView>,
    materials: Vec<MaterialView>,
    error: Option<String>,
    /// A fresh key per form shown, so a double click records one case.
    key: String,
}

/// The fields that say who applies; shown first, under 申请人.
const APPLICANT_KEYS: [&str; 4] = [
    "applicant_name",
    "applicant_id",
    "company_name",
    "credit_code",
];

/// What the form needs from the catalog: name, modes, fields, materials.
struct Spec {
    name: String,
    modes: Vec<HandlingMode>,
    fields: Vec<FormField>,
    materials: Vec<Material>,
}

async fn spec_of(app: &AppState, kind: &str, code: &str) -> Result<Spec, AppError> {
    if kind == "items" {
        let d = app.item_detail(code).await?;
        Ok(Spec {
            name: d.item.name.clone(),
            modes: d.item.modes.clone(),
            fields: d.item.fields.clone(),
            materials: d.item.materials.clone(),
        })
    } else {
        let d = app.bundle_detail(code)?;
        let mut modes: Vec<HandlingMode> = Vec::new();
        for i in &d.items {
            for m in &i.modes {
                if !modes.contains(m) {
                    modes.push(*m);
                }
            }
        }
        Ok(Spec {
            name: d.bundle.name.clone(),
            modes,
            fields: d.plan.form.clone(),
            materials: d
                .plan
                .materials
                .iter()
                .map(|m| m.material.clone())
                .collect(),
        })
    }
}

fn input_of(t: FieldType) -> &'static str {
    match t {
        FieldType::Textarea => "textarea",
        FieldType::Select => "select",
        FieldType::Bool => "checkbox",
        FieldType::Date => "date",
        FieldType::Mobile => "tel",
        FieldType::Number => "number",
        _ => "text",
    }
}

fn fresh_key(csrf: &str) -> String {
    let nanos = chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default();
    let d = Sha256::digest(format!("window\0{csrf}\0{nanos}").as_bytes());
    hex::encode(&d[..12])
}

/// The submitted form, as name/value pairs (field names are the catalog's keys).
type Pairs = Vec<(String, String)>;

fn build_page(
    c: Chrome,
    kind: &'static str,
    code: &str,
    spec: Spec,
    input: Option<&Pairs>,
    error: Option<&AppError>,
) -> ReceivePage {
    let tr = c.tr;
    let value_of = |name: &str| -> String {
        input
            .and_then(|p| p.iter().find(|(k, _)| k == name))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let all = |name: &str| -> Vec<String> {
        input
            .map(|p| {
                p.iter()
                    .filter(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
                    .collect()
            })
            .unwrap_or_default()
    };
    let en = tr.is_en();
    let message = |zh: &str, en_msg: &str| {
        if en {
            en_msg.to_string()
        } else {
            zh.to_string()
        }
    };
    // Problems next to their fields: `form.<key>`.
    let mut problems: BTreeMap<String, String> = BTreeMap::new();
    if let Some(e) = error {
        for p in &e.problems {
            problems.insert(p.field.clone(), message(&p.message_zh, &p.message));
        }
        if e.problems.is_empty()
            && let Some(f) = &e.field
        {
            problems.insert(f.clone(), message(&e.message_zh, &e.message));
        }
    }
    let mut applicant = Vec::new();
    let mut fields = Vec::new();
    for f in &spec.fields {
        let view = FieldView {
            label: c.label(f),
            input: input_of(f.field_type),
            required: f.required,
            value: value_of(&format!("f.{}", f.key)),
            options: f.options.clone(),
            help: f.help.clone(),
            error: problems.get(&format!("form.{}", f.key)).cloned(),
            key: f.key.clone(),
            focus: false,
        };
        if APPLICANT_KEYS.contains(&f.key.as_str()) {
            applicant.push(view);
        } else {
            fields.push(view);
        }
    }
    let first_error = applicant
        .iter_mut()
        .chain(fields.iter_mut())
        .position(|f| f.error.is_some());
    if let Some(f) = applicant
        .iter_mut()
        .chain(fields.iter_mut())
        .nth(first_error.unwrap_or(0))
    {
        f.focus = true;
    }
    let paper = all("paper");
    let committed = all("commit");
    let fresh = input.is_none();
    let materials = spec
        .materials
        .iter()
        .map(|m| MaterialView {
            code: m.code.clone(),
            name: m.name.clone(),
            required: m.requirement == Requirement::Required,
            condition: m.condition.clone(),
            note: m.note.clone(),
            tolerable_days: m.tolerable_days,
            commitment: m.replaceable_by_commitment,
            e_cert: m.e_certificate.is_some(),
            paper: !fresh && paper.contains(&m.code),
            committed: !fresh && committed.contains(&m.code),
        })
        .collect();
    let key = match value_of("key") {
        k if k.is_empty() => fresh_key(&c.csrf),
        k => k,
    };
    ReceivePage {
        kind,
        code: code.to_string(),
        name: spec.name,
        modes: spec.modes.iter().map(|m| tr.mode(m)).collect(),
        applicant,
        fields,
        materials,
        error: error.map(|e| message(&e.message_zh, &e.message)),
        key,
        c,
    }
}

async fn show_form(
    app: AppState,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    kind: &'static str,
    code: String,
) -> Response {
    if let Err(e) = clerk(&user, lang, &uri) {
        return e.into_response();
    }
    match spec_of(&app, kind, &code).await {
        Ok(spec) => {
            let page = build_page(
                Chrome::signed_in(lang, &uri, &user),
                kind,
                &code,
                spec,
                None,
                None,
            );
            render(&page, StatusCode::OK, lang)
        }
        Err(e) => fail(e, lang, uri),
    }
}

pub(super) async fn item_form(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Path(code): Path<String>,
) -> Response {
    show_form(app, lang, user, uri, "items", code).await
}

pub(super) async fn bundle_form(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Path(code): Path<String>,
) -> Response {
    show_form(app, lang, user, uri, "bundles", code).await
}

async fn submit(
    app: AppState,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    kind: &'static str,
    code: String,
    pairs: Pairs,
) -> Response {
    let csrf = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    if let Err(e) = user
        .check_csrf(csrf, lang, &uri)
        .and_then(|()| clerk(&user, lang, &uri))
    {
        return e.into_response();
    }
    let spec = match spec_of(&app, kind, &code).await {
        Ok(s) => s,
        Err(e) => return fail(e, lang, uri),
    };
    // The form: every filled field, as text (the service checks and converts types).
    let mut form = Map::new();
    for f in &spec.fields {
        let name = format!("f.{}", f.key);
        if let Some((_, v)) = pairs
            .iter()
            .find(|(k, v)| *k == name && !v.trim().is_empty())
        {
            form.insert(f.key.clone(), Value::String(v.trim().to_string()));
        }
    }
    let ticked = |name: &str, code: &str| pairs.iter().any(|(k, v)| k == name && v == code);
    let materials = spec
        .materials
        .iter()
        .filter_map(|m| {
            if ticked("commit", &m.code) && !ticked("paper", &m.code) {
                Some(MaterialInput {
                    material: m.code.clone(),
                    file: None,
                    file_name: None,
                    paper: false,
                    commitment: true,
                })
            } else if ticked("paper", &m.code) {
                Some(MaterialInput {
                    material: m.code.clone(),
                    file: None,
                    file_name: None,
                    paper: true,
                    commitment: false,
                })
            } else {
                None
            }
        })
        .collect();
    let req = CreateCaseRequest {
        item: (kind == "items").then(|| code.clone()),
        bundle: (kind == "bundles").then(|| code.clone()),
        form,
        materials,
        center: None,
        on_behalf_of: None,
    };
    let key = pairs
        .iter()
        .find(|(k, _)| k == "key")
        .map(|(_, v)| v.trim().to_string())
        .filter(|k| !k.is_empty());
    match app.create_case(&user, req, key.as_deref()).await {
        Ok(created) => Redirect::to(&format!(
            "/clerk/received/{}",
            crate::pages::session::urlencode(&created.case.number)
        ))
        .into_response(),
        Err(e) if e.kind == ErrorKind::Invalid => {
            let page = build_page(
                Chrome::signed_in(lang, &uri, &user),
                kind,
                &code,
                spec,
                Some(&pairs),
                Some(&e),
            );
            render(&page, StatusCode::UNPROCESSABLE_ENTITY, lang)
        }
        Err(e) => fail(e, lang, uri),
    }
}

pub(super) async fn item_submit(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Path(code): Path<String>,
    axum_extra::extract::Form(pairs): axum_extra::extract::Form<Pairs>,
) -> Response {
    submit(app, lang, user, uri, "items", code, pairs).await
}

pub(super) async fn bundle_submit(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Path(code): Path<String>,
    axum_extra::extract::Form(pairs): axum_extra::extract::Form<Pairs>,
) -> Response {
    submit(app, lang, user, uri, "bundles", code, pairs).await
}
