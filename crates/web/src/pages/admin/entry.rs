//! One entry: its TOML text and its versions (`GET /admin/catalog/{kind}/{code}`).

use super::*;

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
pub(super) struct EntryQuery {
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
pub(super) async fn entry(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Path((seg, code)): Path<(String, String)>,
    Query(q): Query<EntryQuery>,
) -> Result<Response, PageError> {
    let (kind, e) = admin_entry(&app, &user, lang, &uri, &seg, &code).await?;
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
