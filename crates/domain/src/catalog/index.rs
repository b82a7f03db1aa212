//! The catalog index (`catalog.toml`): vocabularies that items and bundles refer to.

use serde::{Deserialize, Serialize};

use super::item::{Audience, DepartmentLevel};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogIndex {
    /// e.g. 衡阳市政务服务事项目录.
    pub name: String,
    /// The city whose catalog this is (GB/T 2260 code, e.g. `430400`).
    pub city: String,
    pub department_types: Vec<DepartmentType>,
    pub life_events: Vec<LifeEvent>,
}

/// A kind of competent department (人社, 民政 …), present at some levels of government.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepartmentType {
    /// e.g. `hrss`.
    pub key: String,
    /// e.g. 人力资源和社会保障局.
    pub name: String,
    /// e.g. 人社.
    pub short_name: String,
    pub levels: Vec<DepartmentLevel>,
}

/// 生活事件 / 企业事件, used to browse the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LifeEvent {
    pub key: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    pub audience: Audience,
}
