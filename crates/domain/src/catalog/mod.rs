//! 事项目录 — the standardized catalog: items, bundles and the vocabularies they use.

pub mod bundle;
pub mod files;
pub mod index;
pub mod item;
pub mod plan;
pub mod problem;
pub mod validate;

#[cfg(test)]
mod fixtures;

pub use bundle::{Bundle, BundleItem};
pub use files::{
    INDEX_FILE, SourceFile, bundle_file_path, content_fingerprint, item_file_path, locate_problems,
    parse_bundle, parse_catalog, parse_index, parse_item, render_bundle, render_catalog,
    render_index, render_item,
};
pub use index::{CatalogIndex, DepartmentType, LifeEvent};
pub use item::*;
pub use plan::{BundlePlan, MergedMaterial, PlannedItem, plan_bundle};
pub use problem::{Problem, Subject, codes};
pub use validate::validate_catalog;

/// A whole catalog as read from its folder: `catalog.toml`, `items/**/*.toml`, `bundles/**/*.toml`.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    pub index: CatalogIndex,
    pub items: Vec<Item>,
    pub bundles: Vec<Bundle>,
}

impl Catalog {
    /// The item with this code (the first, should the catalog wrongly hold two).
    pub fn item(&self, code: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.code == code)
    }

    /// The bundle with this code.
    pub fn bundle(&self, code: &str) -> Option<&Bundle> {
        self.bundles.iter().find(|b| b.code == code)
    }

    /// Plans one of the catalog's bundles (see [`plan_bundle`]).
    pub fn plan(&self, bundle: &Bundle) -> Result<BundlePlan, Vec<Problem>> {
        plan_bundle(bundle, |code| self.item(code))
    }
}
