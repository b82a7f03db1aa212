//! 一件事 — a bundle of items applied for together.

use serde::{Deserialize, Serialize};

use super::item::{Audience, ItemCode};

/// 一件事: items across departments in one application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// e.g. `YJS-XSRCS`.
    pub code: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The life event (生活事件) key from the catalog index.
    pub life_event: String,
    pub audience: Audience,
    pub description: String,
    /// The items, each with the items whose results it needs (it waits for them).
    pub items: Vec<BundleItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleItem {
    pub item: ItemCode,
    /// Items of the same bundle whose results this one needs before it can be handled.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<ItemCode>,
}
