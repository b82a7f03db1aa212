//! 目录文件 — the catalog folder as text: reading it with every problem located to a file and line
//! (`read`), writing it back in one canonical form (`write`), and fingerprints for versioning.
//!
//! The folder is `catalog.toml` (the index), `items/**/*.toml` (one item each; canonically
//! `items/<department_type>/<code>.toml`) and `bundles/**/*.toml` (one bundle each; canonically
//! `bundles/<code>.toml`). Everything here is pure: the application walks the folder and hands the
//! files in as [`SourceFile`]s.

use serde::Serialize;

use super::bundle::Bundle;
use super::item::Item;

mod read;
mod write;

pub use read::{locate_problems, parse_bundle, parse_catalog, parse_index, parse_item};
pub use write::{render_bundle, render_catalog, render_index, render_item};

/// The index file's path inside the catalog folder.
pub const INDEX_FILE: &str = "catalog.toml";

/// One file of the catalog folder: its path relative to the folder (`/`-separated, e.g.
/// `items/hrss/430400-RS-0001.toml`) and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            text: text.into(),
        }
    }
}

/// The canonical path of an item's file: `items/<department_type>/<code>.toml`.
pub fn item_file_path(item: &Item) -> String {
    format!("items/{}/{}.toml", item.department_type, item.code)
}

/// The canonical path of a bundle's file: `bundles/<code>.toml`.
pub fn bundle_file_path(bundle: &Bundle) -> String {
    format!("bundles/{}.toml", bundle.code)
}

/// A canonical text of the content (compact JSON in the types' field order), equal for equal
/// values whatever the file's layout, comments or key order. The store hashes it: a changed item
/// gets a new version, an unchanged one does not. Works for [`Item`], [`Bundle`] and
/// [`CatalogIndex`]; optional keys left out of a file are left out here too, so adding an optional
/// key to the format does not change the fingerprints of existing items.
///
/// [`CatalogIndex`]: super::CatalogIndex
pub fn content_fingerprint<T: Serialize + ?Sized>(value: &T) -> String {
    // Serializing these plain data types cannot fail; the fallback keeps this function total.
    serde_json::to_string(value).unwrap_or_else(|e| format!("unserializable: {e}"))
}

#[cfg(test)]
mod tests;
