//! Test fixtures: a small valid catalog built in code; tests change one thing and look for the
//! problem it causes.

use super::Catalog;
use super::bundle::{Bundle, BundleItem};
use super::index::{CatalogIndex, DepartmentType, LifeEvent};
use super::item::*;

pub fn index() -> CatalogIndex {
    let dept = |key: &str, name: &str, short: &str, levels: &[DepartmentLevel]| DepartmentType {
        key: key.into(),
        name: name.into(),
        short_name: short.into(),
        levels: levels.to_vec(),
    };
    let event = |key: &str, name: &str, audience| LifeEvent {
        key: key.into(),
        name: name.into(),
        name_en: None,
        audience,
    };
    CatalogIndex {
        name: "测试目录".into(),
        city: "430400".into(),
        department_types: vec![
            dept(
                "hrss",
                "人力资源和社会保障局",
                "人社",
                &[DepartmentLevel::City, DepartmentLevel::County],
            ),
            dept(
                "civil_affairs",
                "民政局",
                "民政",
                &[DepartmentLevel::City, DepartmentLevel::County],
            ),
            dept(
                "housing_fund",
                "住房公积金管理中心",
                "公积金",
                &[DepartmentLevel::City],
            ),
        ],
        life_events: vec![
            event("elderly", "养老", Audience::Person),
            event("birth", "出生", Audience::Person),
            event("business_start", "企业开办", Audience::Organization),
        ],
    }
}

pub fn material(code: &str, name: &str) -> Material {
    Material {
        code: code.into(),
        name: name.into(),
        form: MaterialForm::Copy,
        copies: 1,
        requirement: Requirement::Required,
        condition: None,
        tolerable_days: None,
        replaceable_by_commitment: false,
        e_certificate: None,
        note: None,
    }
}

pub fn field(key: &str, field_type: FieldType) -> FormField {
    FormField {
        key: key.into(),
        label: format!("{key} 标签"),
        label_en: None,
        field_type,
        required: false,
        max_length: None,
        min: None,
        max: None,
        options: Vec::new(),
        help: None,
    }
}

pub fn step(kind: StepKind, role: Role, share_percent: u32) -> ProcessStep {
    ProcessStep {
        kind,
        name: String::new(),
        role,
        share_percent,
    }
}

/// A valid committed item (10 of 20 working days) of the county 人社 for persons, by hukou.
pub fn item(code: &str, name: &str) -> Item {
    Item {
        code: code.into(),
        name: name.into(),
        aliases: Vec::new(),
        kind: ItemKind::PublicService,
        department_type: "hrss".into(),
        department_level: DepartmentLevel::County,
        audience: Audience::Person,
        life_events: vec!["elderly".into()],
        legal_limit_days: 20,
        committed_limit_days: 10,
        standard: ServiceStandard {
            conditions: "年满60周岁".into(),
            fee_yuan: 0.0,
            fee_basis: None,
            place: "户籍所在地县级人社部门".into(),
            result: ResultSpec {
                kind: ResultKind::Notice,
                name: "办理结果告知".into(),
                certificate_type: None,
            },
            legal_basis: vec!["《中华人民共和国社会保险法》".into()],
        },
        materials: vec![material("M-ID", "居民身份证")],
        fields: vec![
            field("applicant_name", FieldType::Text),
            field("hukou_region", FieldType::Region),
        ],
        steps: vec![
            step(StepKind::Accept, Role::Clerk, 20),
            step(StepKind::Review, Role::Approver, 40),
            step(StepKind::Decide, Role::Approver, 20),
            step(StepKind::Conclude, Role::Clerk, 20),
        ],
        modes: vec![HandlingMode::Online],
        scope: CrossRegionScope::City,
        jurisdiction: JurisdictionRule::Hukou,
        tolerance: None,
        commitment: None,
    }
}

/// A bundle of `(item, needs)` for persons in the `elderly` life event.
pub fn bundle(code: &str, entries: &[(&str, &[&str])]) -> Bundle {
    Bundle {
        code: code.into(),
        name: format!("{code} 一件事"),
        aliases: Vec::new(),
        life_event: "elderly".into(),
        audience: Audience::Person,
        description: "测试".into(),
        items: entries
            .iter()
            .map(|(item, needs)| BundleItem {
                item: (*item).into(),
                needs: needs.iter().map(|n| (*n).into()).collect(),
            })
            .collect(),
    }
}

pub fn catalog(items: Vec<Item>, bundles: Vec<Bundle>) -> Catalog {
    Catalog {
        index: index(),
        items,
        bundles,
    }
}
