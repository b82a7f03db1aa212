//! 事项目录 services: catalog folders (validate, import, export), and the loaded catalog that the
//! API searches and shows.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use tongban_domain::catalog::files::{self, SourceFile};
use tongban_domain::catalog::{
    BundlePlan, Catalog, CatalogIndex, CrossRegionScope, DepartmentLevel, HandlingMode, Item,
    ItemKind, JurisdictionRule, Problem, plan_bundle,
};
use tongban_search::{Document, SearchIndex, SearchOptions};
use tongban_store::{CatalogImportReport, Store, StoredBundle, StoredItem, VersionInfo};

use crate::error::{AppError, AppResult, ErrorKind, FieldProblem};
use crate::{App, Page};

// ---------------------------------------------------------------------------------------------
// Folders

/// Reads every `.toml` file below `dir` (paths relative to it, `/`-separated, sorted).
pub fn read_catalog_dir(dir: &Path) -> AppResult<Vec<SourceFile>> {
    let unreadable = |path: &Path, e: std::io::Error| {
        AppError::invalid(
            "catalog.unreadable",
            format!("Cannot read {}: {e}.", path.display()),
            format!("无法读取 {}：{e}。", path.display()),
        )
        .with_field(path.display().to_string())
    };
    if !dir.is_dir() {
        return Err(AppError::invalid(
            "catalog.not_a_folder",
            format!("{} is not a folder.", dir.display()),
            format!("{} 不是文件夹。", dir.display()),
        )
        .with_field("dir"));
    }
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| unreadable(&d, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| unreadable(&d, e))?;
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                let text = std::fs::read_to_string(&path).map_err(|e| unreadable(&path, e))?;
                let rel = path
                    .strip_prefix(dir)
                    .unwrap_or(&path)
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                out.push(SourceFile { path: rel, text });
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Turns the domain's catalog problems into one error listing every one of them.
pub fn problems_error(problems: Vec<Problem>) -> AppError {
    let count = problems.len();
    let list = problems
        .into_iter()
        .map(|p| {
            let place = match (&p.file, p.line) {
                (Some(f), Some(l)) => format!("{f}:{l}"),
                (Some(f), None) => f.clone(),
                (None, _) => p.subject.to_string(),
            };
            let field = if p.path.is_empty() {
                place
            } else {
                format!("{place} {}", p.path)
            };
            FieldProblem {
                field,
                code: p.code.to_string(),
                message: p.message,
                message_zh: p.message_zh,
            }
        })
        .collect();
    AppError::invalid(
        "catalog.invalid",
        format!("The catalog has {count} problem(s); nothing was imported."),
        format!("目录共有 {count} 处问题，未导入任何内容。"),
    )
    .with_problems(list)
}

/// Parses and validates catalog files: the catalog, or every problem at once.
pub fn parse_sources(sources: &[SourceFile]) -> AppResult<Catalog> {
    files::parse_catalog(sources).map_err(problems_error)
}

pub fn validate_dir(dir: &Path) -> AppResult<Catalog> {
    parse_sources(&read_catalog_dir(dir)?)
}

/// The demonstration catalog shipped in the binary.
pub fn demo_sources() -> Vec<SourceFile> {
    let mut out = Vec::new();
    let mut stack = vec![&crate::reference::DEMO_CATALOG];
    while let Some(dir) = stack.pop() {
        for f in dir.files() {
            if f.path().extension().is_some_and(|e| e == "toml")
                && let Some(text) = f.contents_utf8()
            {
                out.push(SourceFile {
                    path: f.path().to_string_lossy().replace('\\', "/"),
                    text: text.to_string(),
                });
            }
        }
        stack.extend(dir.dirs());
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Validates and imports a catalog in one transaction.
pub async fn import_sources(
    store: &Store,
    sources: &[SourceFile],
    now: i64,
) -> AppResult<CatalogImportReport> {
    let catalog = parse_sources(sources)?;
    Ok(store.import_catalog(&catalog, now).await?)
}

/// Writes the current catalog as files (one per item and bundle) that validate and re-import
/// unchanged. Refuses a folder that already has files, so nothing is overwritten by accident.
pub async fn export_dir(store: &Store, dir: &Path) -> AppResult<usize> {
    let io = |path: &Path, e: std::io::Error| {
        AppError::invalid(
            "catalog.unwritable",
            format!("Cannot write {}: {e}.", path.display()),
            format!("无法写入 {}：{e}。", path.display()),
        )
        .with_field("dir")
    };
    if dir.exists()
        && std::fs::read_dir(dir)
            .map_err(|e| io(dir, e))?
            .next()
            .is_some()
    {
        return Err(AppError::invalid(
            "catalog.export_folder_not_empty",
            format!("{} is not empty; export into a new folder.", dir.display()),
            format!("{} 不是空文件夹，请导出到新文件夹。", dir.display()),
        )
        .with_field("dir"));
    }
    let index = store.catalog_index().await?.ok_or_else(|| {
        AppError::not_found(
            "catalog.empty",
            "There is no catalog in this database yet.",
            "数据库中还没有事项目录。",
        )
    })?;
    let mut written: Vec<(PathBuf, String)> =
        vec![(dir.join("catalog.toml"), files::render_index(&index))];
    for s in store.current_items().await? {
        written.push((
            dir.join(files::item_file_path(&s.item)),
            files::render_item(&s.item),
        ));
    }
    for s in store.current_bundles().await? {
        written.push((
            dir.join(files::bundle_file_path(&s.bundle)),
            files::render_bundle(&s.bundle),
        ));
    }
    for (path, text) in &written {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        std::fs::write(path, text).map_err(|e| io(path, e))?;
    }
    Ok(written.len())
}

// ---------------------------------------------------------------------------------------------
// The loaded catalog

/// The catalog in memory: current versions, bundle plans and the search index.
#[derive(Debug, Default)]
pub struct CatalogView {
    pub index: Option<CatalogIndex>,
    pub items: BTreeMap<String, StoredItem>,
    pub bundles: BTreeMap<String, StoredBundle>,
    pub plans: BTreeMap<String, BundlePlan>,
    search: SearchIndex,
}

const KIND_ITEM: &str = "item";
const KIND_BUNDLE: &str = "bundle";

impl CatalogView {
    pub async fn load(store: &Store) -> AppResult<CatalogView> {
        let index = store.catalog_index().await?;
        let items: BTreeMap<String, StoredItem> = store
            .current_items()
            .await?
            .into_iter()
            .map(|s| (s.item.code.clone(), s))
            .collect();
        let bundles: BTreeMap<String, StoredBundle> = store
            .current_bundles()
            .await?
            .into_iter()
            .map(|s| (s.bundle.code.clone(), s))
            .collect();
        let mut plans = BTreeMap::new();
        for (code, b) in &bundles {
            match plan_bundle(&b.bundle, |c| items.get(c).map(|s| &s.item)) {
                Ok(plan) => {
                    plans.insert(code.clone(), plan);
                }
                // Imports validate bundles against the whole catalog, so this means an item was
                // changed incompatibly later; serve the rest and say which bundle is affected.
                Err(problems) => {
                    tracing::error!(bundle = %code, ?problems, "bundle cannot be planned")
                }
            }
        }
        let dept_name = |key: &str| {
            index
                .as_ref()
                .and_then(|i| i.department_types.iter().find(|t| t.key == key))
                .map(|t| format!("{} {}", t.name, t.short_name))
                .unwrap_or_default()
        };
        let docs = items
            .values()
            .map(|s| Document {
                key: s.item.code.clone(),
                kind: KIND_ITEM.into(),
                title: s.item.name.clone(),
                aliases: s.item.aliases.clone(),
                body: format!("{} {}", dept_name(&s.item.department_type), s.item.code),
            })
            .chain(bundles.values().map(|s| Document {
                key: s.bundle.code.clone(),
                kind: KIND_BUNDLE.into(),
                title: s.bundle.name.clone(),
                aliases: s.bundle.aliases.clone(),
                body: s.bundle.description.clone(),
            }));
        let search = SearchIndex::build(docs);
        Ok(CatalogView {
            index,
            items,
            bundles,
            plans,
            search,
        })
    }

    fn department_type_name(&self, key: &str) -> String {
        self.index
            .as_ref()
            .and_then(|i| i.department_types.iter().find(|t| t.key == key))
            .map(|t| t.name.clone())
            .unwrap_or_else(|| key.to_string())
    }

    fn summary(&self, s: &StoredItem) -> ItemSummary {
        let i = &s.item;
        ItemSummary {
            code: i.code.clone(),
            name: i.name.clone(),
            kind: i.kind,
            department_type: i.department_type.clone(),
            department_type_name: self.department_type_name(&i.department_type),
            department_level: i.department_level,
            legal_limit_days: i.legal_limit_days,
            committed_limit_days: i.committed_limit_days,
            instant: i.is_instant(),
            modes: i.modes.clone(),
            scope: i.scope,
            jurisdiction: i.jurisdiction,
            life_events: i.life_events.clone(),
            version: s.version,
        }
    }

    fn bundle_summary(&self, s: &StoredBundle) -> BundleSummary {
        let plan = self.plans.get(&s.bundle.code);
        BundleSummary {
            code: s.bundle.code.clone(),
            name: s.bundle.name.clone(),
            life_event: s.bundle.life_event.clone(),
            item_count: s.bundle.items.len(),
            committed_limit_days: plan.map(|p| p.committed_limit_days),
            version: s.version,
        }
    }

    /// Keys matching `q` of one kind, best first.
    fn matching(&self, q: &str, kind: &str) -> Vec<String> {
        let results = self.search.search(
            q,
            &SearchOptions {
                kind: Some(kind.to_string()),
                offset: 0,
                limit: usize::MAX,
            },
        );
        results.hits.into_iter().map(|h| h.key).collect()
    }
}

/// An item in a list.
#[derive(Debug, Clone, Serialize)]
pub struct ItemSummary {
    pub code: String,
    pub name: String,
    pub kind: ItemKind,
    pub department_type: String,
    pub department_type_name: String,
    pub department_level: DepartmentLevel,
    pub legal_limit_days: u32,
    pub committed_limit_days: u32,
    /// 即办件.
    pub instant: bool,
    pub modes: Vec<HandlingMode>,
    pub scope: CrossRegionScope,
    pub jurisdiction: JurisdictionRule,
    pub life_events: Vec<String>,
    pub version: i64,
}

/// One item with all its standard elements and its history.
#[derive(Debug, Clone, Serialize)]
pub struct ItemDetail {
    pub item: Item,
    pub version: i64,
    pub department_type_name: String,
    pub versions: Vec<VersionInfo>,
    /// The one-thing bundles that include this item.
    pub bundles: Vec<BundleRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BundleRef {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct BundleSummary {
    pub code: String,
    pub name: String,
    pub life_event: String,
    pub item_count: usize,
    pub committed_limit_days: Option<u32>,
    pub version: i64,
}

/// One bundle with its plan: stages, merged form, merged materials, committed limit.
#[derive(Debug, Clone, Serialize)]
pub struct BundleDetail {
    pub bundle: tongban_domain::catalog::Bundle,
    pub version: i64,
    pub plan: BundlePlan,
    pub items: Vec<ItemSummary>,
}

fn page<T>(all: Vec<T>, offset: u32, limit: u32) -> Page<T> {
    let total = all.len() as u64;
    let items = all
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .collect();
    Page {
        total,
        offset,
        limit,
        items,
    }
}

impl App {
    pub fn search_items(
        &self,
        q: &str,
        department: Option<&str>,
        life_event: Option<&str>,
        offset: u32,
        limit: u32,
    ) -> AppResult<Page<ItemSummary>> {
        let view = self.catalog();
        let all: Vec<ItemSummary> = view
            .matching(q, KIND_ITEM)
            .iter()
            .filter_map(|k| view.items.get(k))
            .filter(|s| department.is_none_or(|d| s.item.department_type == d))
            .filter(|s| life_event.is_none_or(|e| s.item.life_events.iter().any(|x| x == e)))
            .map(|s| view.summary(s))
            .collect();
        Ok(page(all, offset, limit))
    }

    pub async fn item_detail(&self, code: &str) -> AppResult<ItemDetail> {
        let view = self.catalog();
        let stored = view.items.get(code).ok_or_else(|| {
            AppError::not_found(
                "catalog.unknown_item",
                format!("There is no item with code {code}."),
                format!("不存在编码为 {code} 的事项。"),
            )
            .with_field("code")
        })?;
        let versions = self.store.item_versions(code).await?;
        let bundles = view
            .bundles
            .values()
            .filter(|b| b.bundle.items.iter().any(|i| i.item == code))
            .map(|b| BundleRef {
                code: b.bundle.code.clone(),
                name: b.bundle.name.clone(),
            })
            .collect();
        Ok(ItemDetail {
            item: stored.item.clone(),
            version: stored.version,
            department_type_name: view.department_type_name(&stored.item.department_type),
            versions,
            bundles,
        })
    }

    pub fn search_bundles(
        &self,
        q: &str,
        offset: u32,
        limit: u32,
    ) -> AppResult<Page<BundleSummary>> {
        let view = self.catalog();
        let all = view
            .matching(q, KIND_BUNDLE)
            .iter()
            .filter_map(|k| view.bundles.get(k))
            .map(|s| view.bundle_summary(s))
            .collect();
        Ok(page(all, offset, limit))
    }

    pub fn bundle_detail(&self, code: &str) -> AppResult<BundleDetail> {
        let view = self.catalog();
        let unknown = || {
            AppError::not_found(
                "catalog.unknown_bundle",
                format!("There is no one-thing bundle with code {code}."),
                format!("不存在编码为 {code} 的一件事。"),
            )
            .with_field("code")
        };
        let stored = view.bundles.get(code).ok_or_else(unknown)?;
        let plan = view.plans.get(code).cloned().ok_or_else(|| {
            AppError::new(
                ErrorKind::Conflict,
                "catalog.bundle_unplannable",
                format!("The bundle {code} no longer fits the items it lists; a catalog administrator must fix it."),
                format!("一件事 {code} 与其包含的事项不一致，需由事项管理员修正。"),
            )
        })?;
        let items = stored
            .bundle
            .items
            .iter()
            .filter_map(|bi| view.items.get(&bi.item))
            .map(|s| view.summary(s))
            .collect();
        Ok(BundleDetail {
            bundle: stored.bundle.clone(),
            version: stored.version,
            plan,
            items,
        })
    }

    /// Validates and imports a catalog folder, then serves the new catalog.
    pub async fn import_catalog_dir(&self, dir: &Path) -> AppResult<CatalogImportReport> {
        let sources = read_catalog_dir(dir)?;
        let report =
            import_sources(&self.store, &sources, self.clock.now().timestamp_millis()).await?;
        self.reload().await?;
        Ok(report)
    }
}
