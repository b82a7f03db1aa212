//! The list of items and bundles (`GET /admin/catalog`).

use super::*;

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
pub(super) struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    department: String,
}

/// `GET /admin/catalog?q=&kind=items|bundles&department=`: every item and bundle.
pub(super) async fn list(
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
        .map_err(PageError::on(lang, &uri))?;
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
