//! 网上办: apply online for one item or one bundle. The form is the item's fields (or the bundle's
//! merged form), each material gets a file input, and the way to apply (网上办 / 容缺办 / 承诺办)
//! decides which materials may be left out. What is sent is exactly the API's create-case
//! request: form values, uploaded files (through the file service) and commitment flags.

use std::collections::{HashMap, HashSet};

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Map, Value};
use tongban_app::cases::{CreateCaseRequest, MaterialInput};
use tongban_app::error::{AppError, ErrorKind};
use tongban_domain::catalog::{FieldType, FormField, HandlingMode, Material, Requirement, Role};

use super::{Problems, read_multipart, sentence};
use crate::AppState;
use crate::pages::session::PageUser;
use crate::pages::{Chrome, PageError, PageLang, render};
use crate::problem::Lang;

/// The ways to apply this page offers (those an online application can take).
const PAGE_MODES: [HandlingMode; 3] = [
    HandlingMode::Online,
    HandlingMode::Tolerance,
    HandlingMode::Commitment,
];

fn mode_key(m: HandlingMode) -> &'static str {
    match m {
        HandlingMode::Tolerance => "tolerance",
        HandlingMode::Commitment => "commitment",
        _ => "online",
    }
}

/// What is applied for: an item, or a bundle with its merged form and materials.
pub(crate) struct Target {
    /// `items` or `bundles` (the URL segment).
    pub kind: &'static str,
    pub code: String,
    pub title: String,
    pub fields: Vec<FormField>,
    pub materials: Vec<ApplyMaterial>,
    /// The ways every item of it allows, among [`PAGE_MODES`].
    pub modes: Vec<HandlingMode>,
    pub commitment_text: Option<String>,
    /// Handled where it is received: the applicant picks a center.
    pub needs_center: bool,
    pub tolerance_mode: bool,
    pub commitment_mode: bool,
    /// 网上办 allowed (by every item): without it the service refuses an online application.
    pub online: bool,
}

pub(crate) struct ApplyMaterial {
    pub m: Material,
    /// For a bundle: the names of the items that use it.
    pub used_by: Vec<String>,
}

impl Target {
    async fn load(app: &AppState, kind: &'static str, code: &str) -> Result<Target, AppError> {
        let mut t = Target::load_plain(app, kind, code).await?;
        t.tolerance_mode = t.modes.contains(&HandlingMode::Tolerance);
        t.commitment_mode = t.modes.contains(&HandlingMode::Commitment);
        t.online = t.modes.contains(&HandlingMode::Online);
        if !t.online {
            t.modes.clear();
        }
        Ok(t)
    }

    async fn load_plain(
        app: &AppState,
        kind: &'static str,
        code: &str,
    ) -> Result<Target, AppError> {
        if kind == "items" {
            let d = app.item_detail(code).await?;
            let item = d.item;
            Ok(Target {
                kind,
                code: item.code.clone(),
                title: item.name.clone(),
                fields: item.fields.clone(),
                materials: item
                    .materials
                    .iter()
                    .map(|m| ApplyMaterial {
                        m: m.clone(),
                        used_by: Vec::new(),
                    })
                    .collect(),
                modes: PAGE_MODES.into_iter().filter(|m| item.allows(*m)).collect(),
                commitment_text: item.commitment.as_ref().map(|c| c.text.clone()),
                needs_center: item.jurisdiction.region_field().is_none(),
                tolerance_mode: false,
                commitment_mode: false,
                online: false,
            })
        } else {
            let d = app.bundle_detail(code)?;
            let view = app.catalog();
            let items: Vec<_> = d
                .plan
                .order
                .iter()
                .filter_map(|c| view.items.get(c))
                .map(|s| s.item.clone())
                .collect();
            let name_of = |c: &str| {
                items
                    .iter()
                    .find(|i| i.code == c)
                    .map_or_else(|| c.to_string(), |i| i.name.clone())
            };
            Ok(Target {
                kind,
                code: d.bundle.code.clone(),
                title: d.bundle.name.clone(),
                fields: d.plan.form.clone(),
                materials: d
                    .plan
                    .materials
                    .iter()
                    .map(|m| ApplyMaterial {
                        m: m.material.clone(),
                        used_by: m.items.iter().map(|c| name_of(c)).collect(),
                    })
                    .collect(),
                modes: PAGE_MODES
                    .into_iter()
                    .filter(|m| items.iter().all(|i| i.allows(*m)))
                    .collect(),
                commitment_text: items
                    .iter()
                    .find_map(|i| i.commitment.as_ref().map(|c| c.text.clone())),
                needs_center: items
                    .iter()
                    .any(|i| i.jurisdiction.region_field().is_none()),
                tolerance_mode: false,
                commitment_mode: false,
                online: false,
            })
        }
    }

    fn material(&self, code: &str) -> Option<&Material> {
        self.materials.iter().map(|a| &a.m).find(|m| m.code == code)
    }
}

/// What the applicant entered, kept across a failed submission.
pub(crate) struct Entered {
    pub values: HashMap<String, String>,
    /// Files already stored: material code → (sha256, file name).
    pub kept: HashMap<String, (String, String)>,
    pub committed: HashSet<String>,
    pub mode: String,
    pub pledge: bool,
    pub sign: bool,
    pub center: String,
    /// Makes a double submission create one case.
    pub idem: String,
    pub problems: Problems,
}

impl Entered {
    pub fn value(&self, key: &str) -> &str {
        self.values.get(key).map_or("", String::as_str)
    }
    pub fn checked(&self, key: &str) -> bool {
        matches!(self.value(key), "on" | "true")
    }
    pub fn field_error(&self, key: &str) -> Option<&str> {
        self.problems.msg(&format!("form.{key}"))
    }
    pub fn file_error(&self, code: &str) -> Option<&str> {
        self.problems.msg(&format!("file.{code}"))
    }
    pub fn error(&self, key: &str) -> Option<&str> {
        self.problems.msg(key)
    }
    pub fn kept_name(&self, code: &str) -> Option<&str> {
        self.kept.get(code).map(|(_, n)| n.as_str())
    }
    pub fn kept_sha(&self, code: &str) -> &str {
        self.kept.get(code).map_or("", |(s, _)| s.as_str())
    }
    pub fn is_committed(&self, code: &str) -> bool {
        self.committed.contains(code)
    }
    pub fn mode_is(&self, m: &HandlingMode) -> bool {
        self.mode == mode_key(*m)
    }
}

/// One choice of a `<select>` or `<datalist>`.
pub(crate) struct Opt {
    pub value: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "citizen/apply.html")]
struct ApplyPage {
    c: Chrome,
    t: Target,
    e: Entered,
    centers: Vec<Opt>,
    regions: Vec<Opt>,
}

impl ApplyPage {
    fn is_select(f: &FormField) -> bool {
        f.field_type == FieldType::Select
    }
}

/// Counties and districts of the city, offered for region fields (any code may be typed).
pub(super) async fn region_choices(app: &AppState) -> Vec<Opt> {
    match app.region("430400").await {
        Ok(r) => std::iter::once(r.region)
            .chain(r.children)
            .map(|r| Opt {
                value: r.code.as_str().to_string(),
                label: r.name,
            })
            .collect(),
        Err(_) => Vec::new(),
    }
}

async fn center_choices(app: &AppState, t: &Target) -> Vec<Opt> {
    if !t.needs_center {
        return Vec::new();
    }
    match app.centers("430400", tongban_app::MAX_PAGE, 0).await {
        Ok(p) => p
            .items
            .into_iter()
            .map(|c| Opt {
                value: c.code,
                label: c.name,
            })
            .collect(),
        Err(_) => Vec::new(),
    }
}

async fn page(
    app: &AppState,
    lang: Lang,
    uri: &Uri,
    user: &PageUser,
    t: Target,
    e: Entered,
    status: StatusCode,
) -> Response {
    let centers = center_choices(app, &t).await;
    let regions = if t.fields.iter().any(|f| f.field_type == FieldType::Region) {
        region_choices(app).await
    } else {
        Vec::new()
    };
    let p = ApplyPage {
        c: Chrome::signed_in(lang, uri, user),
        t,
        e,
        centers,
        regions,
    };
    render(&p, status, lang)
}

async fn show(
    app: AppState,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    kind: &'static str,
    code: String,
) -> Response {
    if let Err(e) = user.require(&[Role::Applicant], lang, &uri) {
        return e.into_response();
    }
    let t = match Target::load(&app, kind, &code).await {
        Ok(t) => t,
        Err(error) => return PageError { error, lang, uri }.into_response(),
    };
    // The signed-in applicant's own name and ID are the usual answers.
    let mut values = HashMap::new();
    values.insert("applicant_name".to_string(), user.display_name.clone());
    if let Some(id) = &user.id_number {
        values.insert("applicant_id".to_string(), id.clone());
    }
    let e = Entered {
        values,
        kept: HashMap::new(),
        committed: HashSet::new(),
        mode: "online".into(),
        pledge: false,
        sign: false,
        center: String::new(),
        idem: tongban_app::accounts::new_token(),
        problems: Problems::default(),
    };
    page(&app, lang, &uri, &user, t, e, StatusCode::OK).await
}

/// `GET /apply/items/{code}`.
pub(crate) async fn item_page(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Path(code): Path<String>,
) -> Response {
    show(app, lang, user, uri, "items", code).await
}

/// `GET /apply/bundles/{code}`.
pub(crate) async fn bundle_page(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Path(code): Path<String>,
) -> Response {
    show(app, lang, user, uri, "bundles", code).await
}

/// `POST /apply/items/{code}`.
pub(crate) async fn apply_item(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Path(code): Path<String>,
    mp: Multipart,
) -> Response {
    submit(app, lang, user, uri, "items", code, mp).await
}

/// `POST /apply/bundles/{code}`.
pub(crate) async fn apply_bundle(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Path(code): Path<String>,
    mp: Multipart,
) -> Response {
    submit(app, lang, user, uri, "bundles", code, mp).await
}

async fn submit(
    app: AppState,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    kind: &'static str,
    code: String,
    mp: Multipart,
) -> Response {
    let form = match read_multipart(mp).await {
        Ok(f) => f,
        Err(error) => return PageError { error, lang, uri }.into_response(),
    };
    if let Err(e) = user.check_csrf(form.text("csrf"), lang, &uri) {
        return e.into_response();
    }
    if let Err(e) = user.require(&[Role::Applicant], lang, &uri) {
        return e.into_response();
    }
    let t = match Target::load(&app, kind, &code).await {
        Ok(t) => t,
        Err(error) => return PageError { error, lang, uri }.into_response(),
    };
    let tr = crate::pages::i18n::Tr { lang };
    let mut e = Entered {
        values: form
            .texts
            .iter()
            .filter_map(|(k, v)| k.strip_prefix("f.").map(|k| (k.to_string(), v.clone())))
            .collect(),
        kept: form
            .texts
            .iter()
            .filter_map(|(k, v)| {
                let code = k.strip_prefix("kept.")?;
                let (sha, name) = v.split_once('|')?;
                (t.material(code).is_some() && !sha.is_empty())
                    .then(|| (code.to_string(), (sha.to_string(), name.to_string())))
            })
            .collect(),
        committed: form
            .texts
            .iter()
            .filter_map(|(k, _)| k.strip_prefix("commit.").map(str::to_string))
            .collect(),
        mode: form.text("mode").to_string(),
        pledge: form.has("pledge"),
        sign: form.has("sign"),
        center: form.text("center").to_string(),
        idem: Some(form.text("idem").trim())
            .filter(|k| !k.is_empty())
            .map_or_else(tongban_app::accounts::new_token, str::to_string),
        problems: Problems::default(),
    };
    let Some(mode) = t.modes.iter().copied().find(|m| mode_key(*m) == e.mode) else {
        e.problems.add("mode", tr.t("citizen.apply.bad_mode"));
        return page(
            &app,
            lang,
            &uri,
            &user,
            t,
            e,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    if mode != HandlingMode::Commitment {
        e.committed.clear();
    }
    // Files: stored through the file service as they come; a bad one is named at its input.
    for f in &form.files {
        let Some(code) = f.field.strip_prefix("file.") else {
            continue;
        };
        if t.material(code).is_none() {
            continue;
        }
        match app.store_file(f.bytes.clone(), &f.content_type).await {
            Ok(stored) => {
                e.kept
                    .insert(code.to_string(), (stored.sha256, f.file_name.clone()));
            }
            Err(err) if err.kind == ErrorKind::Internal => {
                return PageError {
                    error: err,
                    lang,
                    uri,
                }
                .into_response();
            }
            Err(err) => e.problems.add(format!("file.{code}"), sentence(&err, lang)),
        }
    }
    // Which materials the chosen way lets the applicant leave out: those the platform holds
    // (免提交), conditional ones, tolerable ones under 容缺办 with the pledge, and replaceable ones
    // under 承诺办 with the signed commitment.
    let mut missing_tolerable = false;
    for a in &t.materials {
        let m = &a.m;
        let code = m.code.as_str();
        if e.kept.contains_key(code) || e.problems.msg(&format!("file.{code}")).is_some() {
            continue;
        }
        if mode == HandlingMode::Commitment && e.committed.contains(code) {
            if !m.replaceable_by_commitment {
                e.committed.remove(code);
            } else {
                continue;
            }
        }
        if m.requirement != Requirement::Required || m.e_certificate.is_some() {
            continue;
        }
        match mode {
            HandlingMode::Tolerance if m.is_tolerable() => missing_tolerable = true,
            HandlingMode::Online if m.is_tolerable() || m.replaceable_by_commitment => {
                e.problems.add(
                    format!("file.{code}"),
                    tr.t("citizen.apply.need_file_or_mode"),
                )
            }
            _ => e
                .problems
                .add(format!("file.{code}"), tr.t("citizen.apply.need_file")),
        }
    }
    if missing_tolerable && !e.pledge {
        e.problems.add("pledge", tr.t("citizen.apply.need_pledge"));
    }
    if !e.committed.is_empty() && !e.sign {
        e.problems.add("sign", tr.t("citizen.apply.need_sign"));
    }
    if !e.problems.is_empty() {
        e.problems.general = Some(tr.t("citizen.apply.has_errors").to_string());
        return page(
            &app,
            lang,
            &uri,
            &user,
            t,
            e,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }

    let mut values = Map::new();
    for f in &t.fields {
        let v = e.value(&f.key).trim();
        if f.field_type == FieldType::Bool {
            values.insert(f.key.clone(), Value::Bool(e.checked(&f.key)));
        } else if !v.is_empty() {
            values.insert(f.key.clone(), Value::String(v.to_string()));
        }
    }
    let mut materials: Vec<MaterialInput> = Vec::new();
    for a in &t.materials {
        let code = a.m.code.as_str();
        if let Some((sha, name)) = e.kept.get(code) {
            materials.push(MaterialInput {
                material: code.to_string(),
                file: Some(sha.clone()),
                file_name: Some(name.clone()),
                paper: false,
                commitment: false,
            });
        } else if e.committed.contains(code) {
            materials.push(MaterialInput {
                material: code.to_string(),
                file: None,
                file_name: None,
                paper: false,
                commitment: true,
            });
        }
    }
    let req = CreateCaseRequest {
        item: (kind == "items").then(|| t.code.clone()),
        bundle: (kind == "bundles").then(|| t.code.clone()),
        form: values,
        materials: materials.clone(),
        center: Some(e.center.trim().to_string()).filter(|c| !c.is_empty()),
        on_behalf_of: None,
    };
    match app.create_case(&user, req, Some(&e.idem)).await {
        Ok(created) => Redirect::to(&format!(
            "/my/cases/{}",
            crate::pages::session::urlencode(&created.case.number)
        ))
        .into_response(),
        Err(err) if err.kind == ErrorKind::Invalid => {
            for p in &err.problems {
                e.problems.add(
                    p.field.clone(),
                    match lang {
                        Lang::Zh => p.message_zh.clone(),
                        Lang::En => p.message.clone(),
                    },
                );
            }
            let msg = sentence(&err, lang);
            match err.field.as_deref() {
                Some(f) if f.starts_with("form.") || f == "center" => {
                    e.problems.add(f.to_string(), msg.clone());
                }
                Some(f) if f.starts_with("materials[") => {
                    let code = f
                        .trim_start_matches("materials[")
                        .split(']')
                        .next()
                        .and_then(|i| i.parse::<usize>().ok())
                        .and_then(|i| materials.get(i))
                        .map(|m| m.material.clone());
                    if let Some(code) = code {
                        e.kept.remove(&code);
                        e.problems.add(format!("file.{code}"), msg.clone());
                    }
                }
                _ => {}
            }
            // A fresh key: the failed request created nothing under the old one.
            e.idem = tongban_app::accounts::new_token();
            e.problems.general = Some(msg);
            page(
                &app,
                lang,
                &uri,
                &user,
                t,
                e,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => PageError { error, lang, uri }.into_response(),
    }
}
