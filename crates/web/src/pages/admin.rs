//! 事项目录维护 — the catalog administrators' pages: the list of items and bundles, one entry with
//! its TOML text and versions, a line diff between any two versions, and the editor that saves a
//! new version after the same validation as catalog files (`tongban_app::catalog_admin`).

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use similar::{ChangeTag, TextDiff};
use tongban_app::catalog_admin::{EntryKind, EntryRow, EntryText, Rejected, VersionInfo};
use tongban_app::error::{AppError, ErrorKind};
use tongban_domain::catalog::{Bundle, Item, Role};

use super::session::{PageUser, urlencode};
use super::{Chrome, PageError, PageLang, render};
use crate::AppState;
use crate::problem::Lang;

/// (key, zh-CN, English); keys start with `admin.`.
pub(crate) const STRINGS: &[(&str, &str, &str)] = &[
    ("admin.title", "事项目录维护", "Catalog administration"),
    (
        "admin.lead",
        "事项和一件事的现行版本。修改会先按目录文件的全部规则校验，通过后保存为新版本；已受理的办件仍按其受理时的版本办理。",
        "The current versions of items and bundles. A change is checked against every rule catalog files must meet and then saved as a new version; cases already received keep the version they were received under.",
    ),
    ("admin.filter", "筛选", "Filter"),
    (
        "admin.q",
        "名称、拼音、首字母或编码",
        "Name, pinyin, initials or code",
    ),
    ("admin.kind", "类别", "Kind"),
    ("admin.kind_all", "全部", "All"),
    ("admin.kind_item", "事项", "Item"),
    ("admin.kind_bundle", "一件事", "Bundle"),
    ("admin.department", "部门类型", "Department type"),
    ("admin.department_all", "全部部门", "All departments"),
    ("admin.apply", "筛选", "Apply"),
    ("admin.count", "条", "entries"),
    ("admin.none", "没有相符的条目。", "Nothing matches."),
    ("admin.code", "编码", "Code"),
    ("admin.name", "名称", "Name"),
    (
        "admin.group",
        "部门类型 / 人生事件",
        "Department type / life event",
    ),
    ("admin.version", "现行版本", "Current version"),
    ("admin.updated", "更新时间", "Updated"),
    ("admin.new_item", "新建事项", "New item"),
    ("admin.new_bundle", "新建一件事", "New bundle"),
    (
        "admin.back_list",
        "返回目录列表",
        "Back to the catalog list",
    ),
    ("admin.summary", "概要", "Summary"),
    ("admin.public_page", "查看办事指南", "See the public guide"),
    ("admin.edit", "编辑", "Edit"),
    ("admin.toml", "TOML 文本", "TOML text"),
    (
        "admin.toml_hint",
        "与目录文件的规范格式一致（tongban catalog export 写出的内容）。",
        "As a catalog file holds it, in the canonical layout that tongban catalog export writes.",
    ),
    ("admin.file", "文件", "File"),
    ("admin.versions", "版本记录", "Versions"),
    ("admin.v_number", "版本", "Version"),
    ("admin.v_when", "保存时间", "Saved"),
    ("admin.v_digest", "摘要（SHA-256）", "Digest (SHA-256)"),
    ("admin.v_changes", "改动", "Changes"),
    (
        "admin.v_prev",
        "与上一版比较",
        "Compare with the previous version",
    ),
    ("admin.v_first", "首个版本", "First version"),
    ("admin.compare", "比较两个版本", "Compare two versions"),
    ("admin.from", "旧版本", "Older version"),
    ("admin.to", "新版本", "Newer version"),
    ("admin.show_diff", "显示差异", "Show the differences"),
    (
        "admin.diff_title",
        "版本差异",
        "Differences between versions",
    ),
    (
        "admin.diff_lead",
        "以“+ 新增”标出新版本增加的行，以“− 删除”标出删去的行；未改动的行只显示改动附近的几行。",
        "Lines added in the newer version are marked “+ added”, lines removed “− removed”; of the unchanged lines only those near a change are shown.",
    ),
    (
        "admin.diff_same",
        "两个版本的内容相同。",
        "The two versions have the same content.",
    ),
    ("admin.line_old", "旧行号", "Old line"),
    ("admin.line_new", "新行号", "New line"),
    ("admin.change", "改动", "Change"),
    ("admin.text", "内容", "Text"),
    ("admin.added", "+ 新增", "+ added"),
    ("admin.removed", "− 删除", "− removed"),
    ("admin.kept", "未改", "unchanged"),
    ("admin.gap", "……（未改动的行）", "… (unchanged lines)"),
    ("admin.edit_title", "编辑", "Edit"),
    ("admin.new_title_item", "新建事项", "New item"),
    ("admin.new_title_bundle", "新建一件事", "New bundle"),
    (
        "admin.edit_lead",
        "保存时按目录文件的全部规则校验整个目录（包括一件事引用的事项、部门类型和编码是否重复）。有问题时不会保存，并列出每个问题所在的行和字段。",
        "Saving checks the whole catalog with this text in place, by every rule catalog files must meet (including the items bundles refer to, department types and duplicate codes). With any problem nothing is saved, and each problem is listed with its line and field.",
    ),
    ("admin.based_on", "基于版本", "Based on version"),
    ("admin.save", "校验并保存", "Check and save"),
    ("admin.cancel", "取消", "Cancel"),
    (
        "admin.problems",
        "未保存：发现以下问题，请修改后重新保存。",
        "Not saved: please fix these problems and save again.",
    ),
    ("admin.line", "第 {} 行", "line {}"),
    ("admin.field", "字段", "field"),
    ("admin.colon", "：", ": "),
    ("admin.in_file", "涉及文件", "in file"),
    ("admin.saved", "已保存为第 {} 版。", "Saved as version {}."),
    (
        "admin.unchanged",
        "内容没有变化，未新建版本，仍为第 {} 版。",
        "Nothing changed, so no new version was made; this is still version {}.",
    ),
    ("admin.legal_limit", "法定办结时限", "Legal time limit"),
    (
        "admin.committed_limit",
        "承诺办结时限",
        "Committed time limit",
    ),
    ("admin.days", "个工作日", "working days"),
    ("admin.modes", "办理方式", "Ways to apply"),
    ("admin.scope", "通办范围", "Handled across"),
    ("admin.materials", "材料数", "Materials"),
    ("admin.steps", "办理环节", "Steps"),
    ("admin.life_event", "人生事件", "Life event"),
    ("admin.items", "包含事项", "Items"),
];

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/catalog", get(list))
        .route("/admin/catalog/{kind}/new", get(new_form).post(new_save))
        .route("/admin/catalog/{kind}/{code}", get(entry))
        .route("/admin/catalog/{kind}/{code}/versions", get(versions))
        .route(
            "/admin/catalog/{kind}/{code}/edit",
            get(edit_form).post(edit_save),
        )
}

const ADMINS: &[Role] = &[Role::CatalogAdmin, Role::SystemAdmin];

/// "2026-11-28 10:15" in China Standard Time.
fn when(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| {
            t.with_timezone(&tongban_app::clock::china())
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// A translated string with one `{}` filled in.
fn fill(c: &Chrome, key: &str, value: impl std::fmt::Display) -> String {
    c.tr.t(key).replacen("{}", &value.to_string(), 1)
}

fn kind_of(seg: &str, lang: Lang, uri: &Uri) -> Result<EntryKind, PageError> {
    EntryKind::from_segment(seg).ok_or_else(|| PageError {
        error: AppError::not_found(
            "route.not_found",
            format!(
                "There is no page at {}. Check the address, or start from the home page.",
                uri.path()
            ),
            format!("找不到 {} 这个页面。请检查网址，或从首页开始。", uri.path()),
        ),
        lang,
        uri: uri.clone(),
    })
}

// ---------------------------------------------------------------------------------------------
// The list

struct Row {
    href: String,
    code: String,
    name: String,
    kind: &'static str,
    group: String,
    version: i64,
    updated: String,
}

struct Choice {
    key: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "admin/list.html")]
struct ListPage {
    c: Chrome,
    q: String,
    kind: String,
    departments: Vec<Choice>,
    rows: Vec<Row>,
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    department: String,
}

/// `GET /admin/catalog?q=&kind=items|bundles&department=`: every item and bundle.
async fn list(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Query(f): Query<ListQuery>,
) -> Result<Response, PageError> {
    user.require(ADMINS, lang, &uri)?;
    let kind = EntryKind::from_segment(&f.kind);
    let department = Some(f.department.as_str()).filter(|d| !d.is_empty());
    let entries = app
        .admin_catalog_entries(&user, &f.q, department, kind)
        .map_err(|error| PageError {
            error,
            lang,
            uri: uri.clone(),
        })?;
    let c = Chrome::signed_in(lang, &uri, &user);
    let departments = app
        .catalog()
        .index
        .as_ref()
        .map(|i| {
            i.department_types
                .iter()
                .map(|d| Choice {
                    key: d.key.clone(),
                    label: d.name.clone(),
                    selected: department == Some(d.key.as_str()),
                })
                .collect()
        })
        .unwrap_or_default();
    let rows = entries.iter().map(|e| row(&c, e)).collect();
    let page = ListPage {
        c,
        q: f.q.trim().to_string(),
        kind: kind.map(|k| k.segment().to_string()).unwrap_or_default(),
        departments,
        rows,
    };
    Ok(render(&page, StatusCode::OK, lang))
}

fn row(c: &Chrome, e: &EntryRow) -> Row {
    Row {
        href: format!("/admin/catalog/{}/{}", e.kind.segment(), urlencode(&e.code)),
        code: e.code.clone(),
        name: e.name.clone(),
        kind: c.tr.t(match e.kind {
            EntryKind::Item => "admin.kind_item",
            EntryKind::Bundle => "admin.kind_bundle",
        }),
        group: e.group_name.clone(),
        version: e.version,
        updated: when(e.updated_at),
    }
}

// ---------------------------------------------------------------------------------------------
// One entry

struct VersionRow {
    number: i64,
    when: String,
    digest: String,
    short: String,
}

#[derive(Template)]
#[template(path = "admin/entry.html")]
struct EntryPage {
    c: Chrome,
    e: EntryText,
    base: String,
    public: String,
    notice: Option<String>,
    versions: Vec<VersionRow>,
    item: Option<Item>,
    bundle: Option<Bundle>,
    group: String,
    updated: String,
}

#[derive(Debug, Deserialize)]
struct EntryQuery {
    saved: Option<i64>,
    unchanged: Option<i64>,
}

fn version_rows(versions: &[VersionInfo]) -> Vec<VersionRow> {
    versions
        .iter()
        .map(|v| VersionRow {
            number: v.version,
            when: when(v.created_at),
            digest: v.fingerprint.clone(),
            short: v.fingerprint.chars().take(12).collect(),
        })
        .collect()
}

/// `GET /admin/catalog/{items|bundles}/{code}`: summary, TOML text, versions.
async fn entry(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Path((seg, code)): Path<(String, String)>,
    Query(q): Query<EntryQuery>,
) -> Result<Response, PageError> {
    user.require(ADMINS, lang, &uri)?;
    let kind = kind_of(&seg, lang, &uri)?;
    let err = |error| PageError {
        error,
        lang,
        uri: uri.clone(),
    };
    let e = app
        .admin_catalog_entry(&user, kind, &code)
        .await
        .map_err(err)?;
    let c = Chrome::signed_in(lang, &uri, &user);
    let notice = match (q.saved, q.unchanged) {
        (Some(n), _) => Some(fill(&c, "admin.saved", n)),
        (None, Some(n)) => Some(fill(&c, "admin.unchanged", n)),
        _ => None,
    };
    // The readable summary comes from the catalog in memory, the same as the public guide.
    let view = app.catalog();
    let item = match kind {
        EntryKind::Item => view.items.get(&code).map(|s| s.item.clone()),
        EntryKind::Bundle => None,
    };
    let bundle = match kind {
        EntryKind::Bundle => view.bundles.get(&code).map(|s| s.bundle.clone()),
        EntryKind::Item => None,
    };
    let group = match (&item, &bundle, view.index.as_ref()) {
        (Some(i), _, Some(ix)) => ix
            .department_types
            .iter()
            .find(|d| d.key == i.department_type)
            .map(|d| d.name.clone())
            .unwrap_or_else(|| i.department_type.clone()),
        (_, Some(b), Some(ix)) => ix
            .life_events
            .iter()
            .find(|l| l.key == b.life_event)
            .map(|l| match (lang, &l.name_en) {
                (Lang::En, Some(en)) => en.clone(),
                _ => l.name.clone(),
            })
            .unwrap_or_else(|| b.life_event.clone()),
        _ => String::new(),
    };
    let base = format!("/admin/catalog/{}/{}", kind.segment(), urlencode(&e.code));
    let public = format!("/{}/{}", kind.segment(), urlencode(&e.code));
    let page = EntryPage {
        versions: version_rows(&e.versions),
        updated: when(e.updated_at),
        c,
        e,
        base,
        public,
        notice,
        item,
        bundle,
        group,
    };
    Ok(render(&page, StatusCode::OK, lang))
}

// ---------------------------------------------------------------------------------------------
// The diff between two versions

struct DiffLine {
    old: String,
    new: String,
    /// `add`, `del`, `same` or `gap` (unchanged lines left out).
    class: &'static str,
    mark: &'static str,
    text: String,
}

#[derive(Template)]
#[template(path = "admin/diff.html")]
struct DiffPage {
    c: Chrome,
    e: EntryText,
    base: String,
    from: i64,
    to: i64,
    lines: Vec<DiffLine>,
    numbers: Vec<i64>,
}

#[derive(Debug, Deserialize)]
struct DiffQuery {
    from: Option<String>,
    to: Option<String>,
}

/// The changed lines with three lines of context, unchanged stretches elided.
fn diff_lines(c: &Chrome, old: &str, new: &str) -> Vec<DiffLine> {
    let diff = TextDiff::from_lines(old, new);
    let mut out = Vec::new();
    for (i, group) in diff.grouped_ops(3).iter().enumerate() {
        if i > 0 {
            out.push(DiffLine {
                old: String::new(),
                new: String::new(),
                class: "gap",
                mark: "",
                text: c.tr.t("admin.gap").to_string(),
            });
        }
        for op in group {
            for change in diff.iter_changes(op) {
                let (class, key) = match change.tag() {
                    ChangeTag::Insert => ("add", "admin.added"),
                    ChangeTag::Delete => ("del", "admin.removed"),
                    ChangeTag::Equal => ("same", "admin.kept"),
                };
                out.push(DiffLine {
                    old: change
                        .old_index()
                        .map(|n| (n + 1).to_string())
                        .unwrap_or_default(),
                    new: change
                        .new_index()
                        .map(|n| (n + 1).to_string())
                        .unwrap_or_default(),
                    class,
                    mark: c.tr.t(key),
                    text: change.value().trim_end_matches(['\n', '\r']).to_string(),
                });
            }
        }
    }
    out
}

/// `GET /admin/catalog/{items|bundles}/{code}/versions?from=N&to=M`: what changed between two
/// versions, as a line diff of their TOML texts (by default the last two).
async fn versions(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Path((seg, code)): Path<(String, String)>,
    Query(q): Query<DiffQuery>,
) -> Result<Response, PageError> {
    user.require(ADMINS, lang, &uri)?;
    let kind = kind_of(&seg, lang, &uri)?;
    let err = |error| PageError {
        error,
        lang,
        uri: uri.clone(),
    };
    let e = app
        .admin_catalog_entry(&user, kind, &code)
        .await
        .map_err(err)?;
    let number = |v: Option<&str>, field: &str, default: i64| -> Result<i64, PageError> {
        match v.map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(default),
            Some(v) => v.parse::<i64>().map_err(|_| {
                err(AppError::invalid(
                    "query.not_a_version",
                    format!("{field} must be a version number such as 1 or 2; got {v:?}."),
                    format!("{field} 应为版本号，例如 1 或 2，实际为 {v:?}。"),
                )
                .with_field(field.to_string()))
            }),
        }
    };
    let to = number(q.to.as_deref(), "to", e.version)?;
    let from = number(q.from.as_deref(), "from", (to - 1).max(1))?;
    let old = app
        .admin_catalog_version_text(&user, kind, &code, from)
        .await
        .map_err(err)?;
    let new = app
        .admin_catalog_version_text(&user, kind, &code, to)
        .await
        .map_err(err)?;
    let c = Chrome::signed_in(lang, &uri, &user);
    let lines = diff_lines(&c, &old, &new);
    let base = format!("/admin/catalog/{}/{}", kind.segment(), urlencode(&e.code));
    let numbers = e.versions.iter().map(|v| v.version).collect();
    let page = DiffPage {
        c,
        e,
        base,
        from,
        to,
        lines,
        numbers,
    };
    Ok(render(&page, StatusCode::OK, lang))
}

// ---------------------------------------------------------------------------------------------
// Editing

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
struct EditForm {
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
async fn new_form(
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
async fn edit_form(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Path((seg, code)): Path<(String, String)>,
) -> Result<Response, PageError> {
    user.require(ADMINS, lang, &uri)?;
    let kind = kind_of(&seg, lang, &uri)?;
    let e = app
        .admin_catalog_entry(&user, kind, &code)
        .await
        .map_err(|error| PageError {
            error,
            lang,
            uri: uri.clone(),
        })?;
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

async fn new_save(
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

async fn edit_save(
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
