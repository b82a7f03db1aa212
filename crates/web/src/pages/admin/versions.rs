//! The line diff between two versions (`GET /admin/catalog/{kind}/{code}/versions`).

use super::*;

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
pub(super) struct DiffQuery {
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
pub(super) async fn versions(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Path((seg, code)): Path<(String, String)>,
    Query(q): Query<DiffQuery>,
) -> Result<Response, PageError> {
    let (kind, e) = admin_entry(&app, &user, lang, &uri, &seg, &code).await?;
    let err = PageError::on(lang, &uri);
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
