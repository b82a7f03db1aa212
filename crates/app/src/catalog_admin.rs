//! 事项目录维护 — a catalog administrator's work on single entries: the list with versions, one
//! item's or bundle's TOML text at any version, and saving an edited (or new) entry as a new
//! version after exactly the parsing and validation a catalog folder gets.
//!
//! An edit is checked as a catalog folder would be: every current entry rendered as its file, the
//! edited text in place of its own, and the whole set through [`files::parse_catalog`], so cross
//! references (bundle items, department types, duplicate codes) are checked and every problem has
//! its file, line and field path.

use tongban_domain::catalog::files::{self, SourceFile};
use tongban_domain::catalog::{Catalog, Problem, Role};
pub use tongban_store::VersionInfo;

use crate::App;
use crate::accounts::CurrentUser;
use crate::error::{AppError, AppResult, ErrorKind};

/// An item (事项) or a one-thing bundle (一件事).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    Item,
    Bundle,
}

impl EntryKind {
    /// The kind named by a URL segment (`items`, `bundles`).
    pub fn from_segment(s: &str) -> Option<EntryKind> {
        match s {
            "items" => Some(EntryKind::Item),
            "bundles" => Some(EntryKind::Bundle),
            _ => None,
        }
    }

    pub fn segment(self) -> &'static str {
        match self {
            EntryKind::Item => "items",
            EntryKind::Bundle => "bundles",
        }
    }
}

/// One line of the administrator's list.
#[derive(Debug, Clone)]
pub struct EntryRow {
    pub kind: EntryKind,
    pub code: String,
    pub name: String,
    /// Items: the department type key; bundles: the life event key.
    pub group: String,
    /// The department type's (or life event's) name.
    pub group_name: String,
    pub version: i64,
    /// Epoch milliseconds of the current version.
    pub updated_at: i64,
}

/// One entry as its file holds it, with its history.
#[derive(Debug, Clone)]
pub struct EntryText {
    pub kind: EntryKind,
    pub code: String,
    pub name: String,
    pub version: i64,
    pub updated_at: i64,
    /// The canonical TOML text (what `tongban catalog export` writes).
    pub toml: String,
    /// The file's canonical path in a catalog folder.
    pub path: String,
    pub versions: Vec<VersionInfo>,
}

/// A save that went through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    pub code: String,
    pub version: i64,
    /// False when the text meant the same as the current version: no version was added.
    pub changed: bool,
}

/// A save refused for the text's problems; nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// The path the edited text was checked under (problems with this `file` are in the text;
    /// others are in entries it affects, e.g. a bundle that no longer fits an edited item).
    pub file: String,
    pub problems: Vec<Problem>,
}

fn require_admin(user: &CurrentUser) -> AppResult<()> {
    if matches!(user.role, Role::CatalogAdmin | Role::SystemAdmin) {
        Ok(())
    } else {
        Err(AppError::new(
            ErrorKind::Forbidden,
            "catalog.admin_only",
            "Only catalog administrators may change the catalog.",
            "只有事项管理员可以维护事项目录。",
        ))
    }
}

fn unknown(kind: EntryKind, code: &str) -> AppError {
    match kind {
        EntryKind::Item => AppError::not_found(
            "catalog.unknown_item",
            format!("There is no item with code {code}."),
            format!("不存在编码为 {code} 的事项。"),
        ),
        EntryKind::Bundle => AppError::not_found(
            "catalog.unknown_bundle",
            format!("There is no one-thing bundle with code {code}."),
            format!("不存在编码为 {code} 的一件事。"),
        ),
    }
    .with_field("code")
}

fn file_stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".toml").unwrap_or(name)
}

impl App {
    /// Every item and bundle, filtered by words (as the portal's search: Chinese, pinyin,
    /// initials, codes), an item's department type, and kind; by code.
    pub fn admin_catalog_entries(
        &self,
        user: &CurrentUser,
        q: &str,
        department: Option<&str>,
        kind: Option<EntryKind>,
    ) -> AppResult<Vec<EntryRow>> {
        require_admin(user)?;
        let view = self.catalog();
        let q = q.trim();
        let mut rows = Vec::new();
        if kind != Some(EntryKind::Bundle) {
            let hits = self.search_items(q, department, None, 0, u32::MAX)?.items;
            let mut codes: Vec<String> = hits.into_iter().map(|s| s.code).collect();
            // A code typed in part finds its item even where the search index would not.
            if !q.is_empty() {
                let upper = q.to_uppercase();
                codes.extend(
                    view.items
                        .values()
                        .filter(|s| s.item.code.contains(&upper))
                        .filter(|s| department.is_none_or(|d| s.item.department_type == d))
                        .map(|s| s.item.code.clone()),
                );
            }
            codes.sort();
            codes.dedup();
            let dept_name = |key: &str| {
                view.index
                    .as_ref()
                    .and_then(|i| i.department_types.iter().find(|t| t.key == key))
                    .map(|t| t.name.clone())
                    .unwrap_or_else(|| key.to_string())
            };
            rows.extend(
                codes
                    .iter()
                    .filter_map(|c| view.items.get(c))
                    .map(|s| EntryRow {
                        kind: EntryKind::Item,
                        code: s.item.code.clone(),
                        name: s.item.name.clone(),
                        group: s.item.department_type.clone(),
                        group_name: dept_name(&s.item.department_type),
                        version: s.version,
                        updated_at: s.updated_at,
                    }),
            );
        }
        // Bundles have no department; a department filter lists items only.
        if kind != Some(EntryKind::Item) && department.is_none() {
            let hits = self.search_bundles(q, 0, u32::MAX)?.items;
            let mut codes: Vec<String> = hits.into_iter().map(|s| s.code).collect();
            if !q.is_empty() {
                let upper = q.to_uppercase();
                codes.extend(view.bundles.keys().filter(|c| c.contains(&upper)).cloned());
            }
            codes.sort();
            codes.dedup();
            let event_name = |key: &str| {
                view.index
                    .as_ref()
                    .and_then(|i| i.life_events.iter().find(|e| e.key == key))
                    .map(|e| e.name.clone())
                    .unwrap_or_else(|| key.to_string())
            };
            rows.extend(
                codes
                    .iter()
                    .filter_map(|c| view.bundles.get(c))
                    .map(|s| EntryRow {
                        kind: EntryKind::Bundle,
                        code: s.bundle.code.clone(),
                        name: s.bundle.name.clone(),
                        group: s.bundle.life_event.clone(),
                        group_name: event_name(&s.bundle.life_event),
                        version: s.version,
                        updated_at: s.updated_at,
                    }),
            );
        }
        Ok(rows)
    }

    /// One entry's current text and its versions.
    pub async fn admin_catalog_entry(
        &self,
        user: &CurrentUser,
        kind: EntryKind,
        code: &str,
    ) -> AppResult<EntryText> {
        require_admin(user)?;
        let view = self.catalog();
        match kind {
            EntryKind::Item => {
                let s = view.items.get(code).ok_or_else(|| unknown(kind, code))?;
                Ok(EntryText {
                    kind,
                    code: s.item.code.clone(),
                    name: s.item.name.clone(),
                    version: s.version,
                    updated_at: s.updated_at,
                    toml: files::render_item(&s.item),
                    path: files::item_file_path(&s.item),
                    versions: self.store.item_versions(code).await?,
                })
            }
            EntryKind::Bundle => {
                let s = view.bundles.get(code).ok_or_else(|| unknown(kind, code))?;
                Ok(EntryText {
                    kind,
                    code: s.bundle.code.clone(),
                    name: s.bundle.name.clone(),
                    version: s.version,
                    updated_at: s.updated_at,
                    toml: files::render_bundle(&s.bundle),
                    path: files::bundle_file_path(&s.bundle),
                    versions: self.store.bundle_versions(code).await?,
                })
            }
        }
    }

    /// The canonical TOML text of one stored version of an entry.
    pub async fn admin_catalog_version_text(
        &self,
        user: &CurrentUser,
        kind: EntryKind,
        code: &str,
        version: i64,
    ) -> AppResult<String> {
        require_admin(user)?;
        let text = match kind {
            EntryKind::Item => self
                .store
                .item_version(code, version)
                .await?
                .map(|i| files::render_item(&i)),
            EntryKind::Bundle => self
                .store
                .bundle_version(code, version)
                .await?
                .map(|b| files::render_bundle(&b)),
        };
        text.ok_or_else(|| {
            AppError::not_found(
                "catalog.unknown_version",
                format!("{code} has no version {version}."),
                format!("{code} 没有第 {version} 版。"),
            )
            .with_field("version")
        })
    }

    /// Saves an entry's TOML text: `code` is the entry edited (`None` for a new one) and
    /// `base_version` the version the editor started from (a save over a newer version is
    /// refused, so nobody overwrites another's change unseen).
    ///
    /// `Ok(Err(rejected))` when the text does not validate: nothing is written. On success only
    /// the edited entry is imported (with the store's catalog import, in one transaction; an
    /// unchanged entry keeps its version), and the catalog in memory is reloaded.
    pub async fn save_catalog_entry(
        &self,
        user: &CurrentUser,
        kind: EntryKind,
        code: Option<&str>,
        base_version: Option<i64>,
        text: &str,
    ) -> AppResult<Result<Saved, Rejected>> {
        require_admin(user)?;
        let view = self.catalog();
        let index = view.index.clone().ok_or_else(|| {
            AppError::not_found(
                "catalog.empty",
                "There is no catalog in this database yet.",
                "数据库中还没有事项目录。",
            )
        })?;
        // Where the edited text goes in the folder. A new entry's file is named after the code
        // it gives (when it can be read), outside the canonical folders, so that a code already
        // taken is reported as a duplicate code rather than as a file given twice.
        let (edited_path, current) = match (kind, code) {
            (EntryKind::Item, Some(c)) => {
                let s = view.items.get(c).ok_or_else(|| unknown(kind, c))?;
                (files::item_file_path(&s.item), Some(s.version))
            }
            (EntryKind::Bundle, Some(c)) => {
                let s = view.bundles.get(c).ok_or_else(|| unknown(kind, c))?;
                (files::bundle_file_path(&s.bundle), Some(s.version))
            }
            (EntryKind::Item, None) => {
                let stem = files::parse_item(&SourceFile::new("items/new.toml", text))
                    .map(|i| i.code)
                    .unwrap_or_else(|_| "new".into());
                (format!("items/{stem}.toml"), None)
            }
            (EntryKind::Bundle, None) => {
                let stem = files::parse_bundle(&SourceFile::new("bundles/new/new.toml", text))
                    .map(|b| b.code)
                    .unwrap_or_else(|_| "new".into());
                (format!("bundles/new/{stem}.toml"), None)
            }
        };
        if let (Some(base), Some(now)) = (base_version, current)
            && base != now
        {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "catalog.stale_version",
                format!(
                    "Someone saved version {now} while you were editing version {base}. Copy your text, reopen the editor and apply your change again."
                ),
                format!(
                    "您编辑的是第 {base} 版，期间已有人保存了第 {now} 版。请复制您的修改，重新打开编辑页后再改。"
                ),
            ));
        }
        let mut sources = vec![SourceFile::new(
            files::INDEX_FILE,
            files::render_index(&index),
        )];
        for s in view.items.values() {
            if !(kind == EntryKind::Item && code == Some(s.item.code.as_str())) {
                sources.push(SourceFile::new(
                    files::item_file_path(&s.item),
                    files::render_item(&s.item),
                ));
            }
        }
        for s in view.bundles.values() {
            if !(kind == EntryKind::Bundle && code == Some(s.bundle.code.as_str())) {
                sources.push(SourceFile::new(
                    files::bundle_file_path(&s.bundle),
                    files::render_bundle(&s.bundle),
                ));
            }
        }
        sources.push(SourceFile::new(edited_path.clone(), text));
        let catalog = match files::parse_catalog(&sources) {
            Ok(c) => c,
            Err(problems) => {
                return Ok(Err(Rejected {
                    file: edited_path,
                    problems,
                }));
            }
        };
        // Parsing succeeded, so the file is named after its code: that is the entry saved.
        let saved_code = file_stem(&edited_path).to_string();
        // Only the edited entry is written: the rest is what this node has in memory, which
        // another node may have changed since.
        let subset = Catalog {
            index: catalog.index,
            items: catalog
                .items
                .into_iter()
                .filter(|i| kind == EntryKind::Item && i.code == saved_code)
                .collect(),
            bundles: catalog
                .bundles
                .into_iter()
                .filter(|b| kind == EntryKind::Bundle && b.code == saved_code)
                .collect(),
        };
        let report = self
            .store
            .import_catalog(&subset, self.clock.now().timestamp_millis())
            .await?;
        let changed = report.changed_anything();
        if changed {
            self.reload().await?;
        }
        let versions = match kind {
            EntryKind::Item => self.store.item_versions(&saved_code).await?,
            EntryKind::Bundle => self.store.bundle_versions(&saved_code).await?,
        };
        Ok(Ok(Saved {
            version: versions.last().map(|v| v.version).unwrap_or(1),
            code: saved_code,
            changed,
        }))
    }
}
