//! The editor: a new entry or a new version, saved after the catalog files' validation.

use super::*;

/// A problem as the editor lists it.
struct ProblemLine {
    line: Option<String>,
    /// The text of that line, when the problem is in the edited text.
    source: Option<String>,
    field: String,
    /// Another file of the catalog the problem is in (a bundle that no longer fits the item).
    other_file: Option<String>,
    message: String,
}

#[derive(Template)]
#[template(path = "admin/edit.html")]
struct EditPage {
    c: Chrome,
    heading: String,
    /// Where the form posts and cancel returns to.
    action: String,
    cancel: String,
    base_version: Option<i64>,
    toml: String,
    error: Option<String>,
    problems: Vec<ProblemLine>,
}

#[derive(Debug, Deserialize)]
pub(super) struct EditForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    toml: String,
    #[serde(default)]
    base_version: String,
}

/// The problems of an edit, in the user's language, with the line's own text to find it by.
fn problem_lines(c: &Chrome, text: &str, rejected: Rejected) -> Vec<ProblemLine> {
    let lines: Vec<&str> = text.lines().collect();
    rejected
        .problems
        .into_iter()
        .map(|p| {
            let in_edited = p.file.as_deref() == Some(rejected.file.as_str());
            let source = p
                .line
                .filter(|_| in_edited)
                .and_then(|l| lines.get((l as usize).saturating_sub(1)))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty());
            ProblemLine {
                line: p
                    .line
                    .filter(|_| in_edited)
                    .map(|l| fill(c, "admin.line", l)),
                source,
                field: p.path.clone(),
                other_file: if in_edited { None } else { p.file.clone() },
                message: match c.tr.lang {
                    Lang::Zh => p.message_zh,
                    Lang::En => p.message,
                },
            }
        })
        .collect()
}

fn new_heading(c: &Chrome, kind: EntryKind) -> String {
    c.tr.t(match kind {
        EntryKind::Item => "admin.new_title_item",
        EntryKind::Bundle => "admin.new_title_bundle",
    })
    .to_string()
}

/// `GET /admin/catalog/{items|bundles}/new`: an empty editor.
pub(super) async fn new_form(
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Path(seg): Path<String>,
) -> Result<Response, PageError> {
    user.require(ADMINS, lang, &uri)?;
    let kind = kind_of(&seg, lang, &uri)?;
    let c = Chrome::signed_in(lang, &uri, &user);
    let page = EditPage {
        heading: new_heading(&c, kind),
        action: format!("/admin/catalog/{}/new", kind.segment()),
        cancel: "/admin/catalog".into(),
        base_version: None,
        toml: String::new(),
        error: None,
        problems: Vec::new(),
        c,
    };
    Ok(render(&page, StatusCode::OK, lang))
}

/// `GET /admin/catalog/{items|bundles}/{code}/edit`: the editor with the current text.
pub(super) async fn edit_form(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Path((seg, code)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (kind, e) = admin_entry(&app, &user, lang, &uri, &seg, &code).await?;
    let c = Chrome::signed_in(lang, &uri, &user);
    let base = format!("/admin/catalog/{}/{}", kind.segment(), urlencode(&e.code));
    let page = EditPage {
        heading: format!("{} · {}", c.tr.t("admin.edit_title"), e.name),
        action: format!("{base}/edit"),
        cancel: base,
        base_version: Some(e.version),
        toml: e.toml,
        error: None,
        problems: Vec::new(),
        c,
    };
    Ok(render(&page, StatusCode::OK, lang))
}

pub(super) async fn new_save(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Path(seg): Path<String>,
    axum::Form(form): axum::Form<EditForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&form.csrf, lang, &uri)?;
    user.require(ADMINS, lang, &uri)?;
    let kind = kind_of(&seg, lang, &uri)?;
    save(&app, lang, &user, &uri, kind, None, form).await
}

pub(super) async fn edit_save(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Path((seg, code)): Path<(String, String)>,
    axum::Form(form): axum::Form<EditForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&form.csrf, lang, &uri)?;
    user.require(ADMINS, lang, &uri)?;
    let kind = kind_of(&seg, lang, &uri)?;
    save(&app, lang, &user, &uri, kind, Some(&code), form).await
}

/// Saves and redirects to the entry's page; on problems shows the editor again with the text.
async fn save(
    app: &AppState,
    lang: Lang,
    user: &PageUser,
    uri: &Uri,
    kind: EntryKind,
    code: Option<&str>,
    form: EditForm,
) -> Result<Response, PageError> {
    // Browsers send a textarea with CRLF line ends; the files use LF.
    let text = form.toml.replace("\r\n", "\n");
    let base_version = form.base_version.trim().parse::<i64>().ok();
    let outcome = app
        .save_catalog_entry(user, kind, code, base_version, &text)
        .await;
    let c = Chrome::signed_in(lang, uri, user);
    let (error, problems) = match outcome {
        Ok(Ok(saved)) => {
            let flag = if saved.changed { "saved" } else { "unchanged" };
            return Ok(Redirect::to(&format!(
                "/admin/catalog/{}/{}?{flag}={}",
                kind.segment(),
                urlencode(&saved.code),
                saved.version
            ))
            .into_response());
        }
        Ok(Err(ps)) => (
            c.tr.t("admin.problems").to_string(),
            problem_lines(&c, &text, ps),
        ),
        // A stale version or the like: said next to the form, the text kept.
        Err(e) if matches!(e.kind, ErrorKind::Conflict | ErrorKind::Invalid) => {
            let e = e.into_data();
            (
                match lang {
                    Lang::Zh => e.message_zh,
                    Lang::En => e.message,
                },
                Vec::new(),
            )
        }
        Err(error) => {
            return Err(PageError {
                error,
                lang,
                uri: uri.clone(),
            });
        }
    };
    // The entry's name for the heading, as the editor showed it.
    let name = code.and_then(|code| {
        let view = app.catalog();
        match kind {
            EntryKind::Item => view.items.get(code).map(|s| s.item.name.clone()),
            EntryKind::Bundle => view.bundles.get(code).map(|s| s.bundle.name.clone()),
        }
    });
    let (heading, cancel) = match (code, name) {
        (Some(code), Some(name)) => (
            format!("{} · {name}", c.tr.t("admin.edit_title")),
            format!("/admin/catalog/{}/{}", kind.segment(), urlencode(code)),
        ),
        _ => (new_heading(&c, kind), "/admin/catalog".to_string()),
    };
    let page = EditPage {
        heading,
        action: uri.path().to_string(),
        cancel,
        base_version,
        toml: text,
        error: Some(error),
        problems,
        c,
    };
    Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY, lang))
}
