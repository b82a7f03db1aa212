//! The catalog with its versions: a changed item gets a new version, an unchanged one does not, and
//! every version stays readable because cases keep the version they were applied under.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use serde::Serialize;
use tongban_domain::catalog::{Bundle, Catalog, CatalogIndex, Item};

use crate::{Result, Store, StoreError, fingerprint, in_tx, on_pool};

/// What one import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CatalogImportReport {
    pub items_added: Vec<String>,
    pub items_changed: Vec<String>,
    pub items_unchanged: usize,
    pub bundles_added: Vec<String>,
    pub bundles_changed: Vec<String>,
    pub bundles_unchanged: usize,
}

impl CatalogImportReport {
    pub fn changed_anything(&self) -> bool {
        !(self.items_added.is_empty()
            && self.items_changed.is_empty()
            && self.bundles_added.is_empty()
            && self.bundles_changed.is_empty())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StoredItem {
    pub item: Item,
    pub version: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StoredBundle {
    pub bundle: Bundle,
    pub version: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionInfo {
    pub version: i64,
    pub fingerprint: String,
    pub created_at: i64,
}

fn to_json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Parsed item versions by (code, version). Bounded: when full it is emptied and refills from
/// what is in use (the catalog has a few thousand items; cases refer to a handful of versions each).
#[derive(Debug, Default)]
pub(crate) struct ItemCache {
    map: RwLock<HashMap<(String, i64), Arc<Item>>>,
}

const ITEM_CACHE_MAX: usize = 8192;

impl ItemCache {
    fn get(&self, code: &str, version: i64) -> Option<Arc<Item>> {
        let map = self.map.read().unwrap_or_else(|p| p.into_inner());
        map.get(&(code.to_string(), version)).cloned()
    }

    fn put(&self, code: &str, version: i64, item: Arc<Item>) {
        let mut map = self.map.write().unwrap_or_else(|p| p.into_inner());
        if map.len() >= ITEM_CACHE_MAX {
            map.clear();
        }
        map.insert((code.to_string(), version), item);
    }
}

fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

#[derive(sqlx::FromRow)]
struct DocRow {
    document: String,
    version: i64,
    updated_at: i64,
}

/// Runs one versioned upsert (item or bundle) inside the caller's transaction; yields
/// `Some(true)` for added, `Some(false)` for changed, `None` for unchanged.
macro_rules! upsert_versioned {
    ($tx:ident, $table:literal, $versions:literal, $key:literal, $code:expr, $name:expr,
     $extra_col:literal, $extra_val:expr, $doc:expr, $now:expr) => {{
        let doc: String = $doc;
        let fp = fingerprint(&doc);
        let current: Option<(i64, String)> = sqlx::query_as(concat!(
            "SELECT t.current_version, v.fingerprint FROM ",
            $table,
            " t JOIN ",
            $versions,
            " v ON v.",
            $key,
            " = t.code AND v.version = t.current_version WHERE t.code = $1"
        ))
        .bind($code)
        .fetch_optional(&mut *$tx)
        .await?;
        match current {
            Some((_, old)) if old == fp => None,
            Some((version, _)) => {
                let next = version + 1;
                sqlx::query(concat!(
                    "INSERT INTO ",
                    $versions,
                    " (",
                    $key,
                    ", version, fingerprint, document, created_at) VALUES ($1, $2, $3, $4, $5)"
                ))
                .bind($code)
                .bind(next)
                .bind(&fp)
                .bind(&doc)
                .bind($now)
                .execute(&mut *$tx)
                .await?;
                sqlx::query(concat!(
                    "UPDATE ",
                    $table,
                    " SET name = $2, ",
                    $extra_col,
                    " = $3, current_version = $4, updated_at = $5 WHERE code = $1"
                ))
                .bind($code)
                .bind($name)
                .bind($extra_val)
                .bind(next)
                .bind($now)
                .execute(&mut *$tx)
                .await?;
                Some(false)
            }
            None => {
                sqlx::query(concat!(
                    "INSERT INTO ",
                    $table,
                    " (code, name, ",
                    $extra_col,
                    ", current_version, updated_at) VALUES ($1, $2, $3, 1, $4)"
                ))
                .bind($code)
                .bind($name)
                .bind($extra_val)
                .bind($now)
                .execute(&mut *$tx)
                .await?;
                sqlx::query(concat!(
                    "INSERT INTO ",
                    $versions,
                    " (",
                    $key,
                    ", version, fingerprint, document, created_at) VALUES ($1, 1, $2, $3, $4)"
                ))
                .bind($code)
                .bind(&fp)
                .bind(&doc)
                .bind($now)
                .execute(&mut *$tx)
                .await?;
                Some(true)
            }
        }
    }};
}

impl Store {
    /// Imports a validated catalog in one transaction: all of it or nothing. Entries missing from
    /// `catalog` are left as they are (an import adds and changes; it never deletes history).
    pub async fn import_catalog(&self, catalog: &Catalog, now: i64) -> Result<CatalogImportReport> {
        let index_doc = to_json(&catalog.index)?;
        let items: Vec<(String, String, String, String)> = catalog
            .items
            .iter()
            .map(|i| {
                Ok((
                    i.code.clone(),
                    i.name.clone(),
                    i.department_type.clone(),
                    to_json(i)?,
                ))
            })
            .collect::<Result<_>>()?;
        let bundles: Vec<(String, String, String, String)> = catalog
            .bundles
            .iter()
            .map(|b| {
                Ok((
                    b.code.clone(),
                    b.name.clone(),
                    b.life_event.clone(),
                    to_json(b)?,
                ))
            })
            .collect::<Result<_>>()?;

        let mut report = CatalogImportReport::default();
        in_tx!(self, tx => {
            sqlx::query(
                "INSERT INTO catalog_index (id, document, updated_at) VALUES (1, $1, $2) \
                 ON CONFLICT (id) DO UPDATE SET document = excluded.document, \
                 updated_at = excluded.updated_at",
            )
            .bind(&index_doc)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            for (code, name, dept, doc) in &items {
                match upsert_versioned!(tx, "items", "item_versions", "item_code", code, name,
                    "department_type", dept, doc.clone(), now)
                {
                    Some(true) => report.items_added.push(code.clone()),
                    Some(false) => report.items_changed.push(code.clone()),
                    None => report.items_unchanged += 1,
                }
            }
            for (code, name, life_event, doc) in &bundles {
                match upsert_versioned!(tx, "bundles", "bundle_versions", "bundle_code", code, name,
                    "life_event", life_event, doc.clone(), now)
                {
                    Some(true) => report.bundles_added.push(code.clone()),
                    Some(false) => report.bundles_changed.push(code.clone()),
                    None => report.bundles_unchanged += 1,
                }
            }
        });
        Ok(report)
    }

    pub async fn catalog_index(&self) -> Result<Option<CatalogIndex>> {
        let doc: Option<String> = on_pool!(self, pool => sqlx::query_scalar(
            "SELECT document FROM catalog_index WHERE id = 1",
        ).fetch_optional(pool).await?);
        doc.as_deref().map(from_json).transpose()
    }

    /// The current version of every item.
    pub async fn current_items(&self) -> Result<Vec<StoredItem>> {
        let rows: Vec<DocRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT v.document, t.current_version AS version, t.updated_at FROM items t \
             JOIN item_versions v ON v.item_code = t.code AND v.version = t.current_version \
             ORDER BY t.code",
        ).fetch_all(pool).await?);
        rows.into_iter()
            .map(|r| {
                Ok(StoredItem {
                    item: from_json(&r.document)?,
                    version: r.version,
                    updated_at: r.updated_at,
                })
            })
            .collect()
    }

    pub async fn current_bundles(&self) -> Result<Vec<StoredBundle>> {
        let rows: Vec<DocRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT v.document, t.current_version AS version, t.updated_at FROM bundles t \
             JOIN bundle_versions v ON v.bundle_code = t.code AND v.version = t.current_version \
             ORDER BY t.code",
        ).fetch_all(pool).await?);
        rows.into_iter()
            .map(|r| {
                Ok(StoredBundle {
                    bundle: from_json(&r.document)?,
                    version: r.version,
                    updated_at: r.updated_at,
                })
            })
            .collect()
    }

    /// One version of an item (the version a case was applied under).
    /// One stored version of an item. Versions are immutable once committed (imports and edits
    /// insert the next version; nothing updates or deletes one), so what the read pool returned is
    /// kept in [`ItemCache`] and later calls need neither a query nor a JSON parse.
    pub async fn item_version(&self, code: &str, version: i64) -> Result<Option<Item>> {
        Ok(self
            .item_version_shared(code, version)
            .await?
            .map(|i| (*i).clone()))
    }

    /// [`Store::item_version`] without the copy.
    pub async fn item_version_shared(&self, code: &str, version: i64) -> Result<Option<Arc<Item>>> {
        if let Some(hit) = self.item_cache.get(code, version) {
            return Ok(Some(hit));
        }
        let doc: Option<String> = on_pool!(self, pool => sqlx::query_scalar(
            "SELECT document FROM item_versions WHERE item_code = $1 AND version = $2",
        ).bind(code).bind(version).fetch_optional(pool).await?);
        let Some(doc) = doc else {
            return Ok(None); // not cached: it may be committed later
        };
        let item: Arc<Item> = Arc::new(from_json(&doc)?);
        self.item_cache.put(code, version, item.clone());
        Ok(Some(item))
    }

    pub async fn item_versions(&self, code: &str) -> Result<Vec<VersionInfo>> {
        let rows: Vec<(i64, String, i64)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT version, fingerprint, created_at FROM item_versions WHERE item_code = $1 \
             ORDER BY version",
        ).bind(code).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|(version, fingerprint, created_at)| VersionInfo {
                version,
                fingerprint,
                created_at,
            })
            .collect())
    }

    pub async fn bundle_versions(&self, code: &str) -> Result<Vec<VersionInfo>> {
        let rows: Vec<(i64, String, i64)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT version, fingerprint, created_at FROM bundle_versions WHERE bundle_code = $1 \
             ORDER BY version",
        ).bind(code).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|(version, fingerprint, created_at)| VersionInfo {
                version,
                fingerprint,
                created_at,
            })
            .collect())
    }
}
