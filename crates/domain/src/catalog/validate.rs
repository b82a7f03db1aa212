//! 目录校验 — the semantic rules of a catalog, beyond what the file format itself enforces.
//!
//! [`validate_catalog`] reports every broken rule at once, each with a stable code (listed with
//! their reasons in `docs/CATALOG.md`) and a field path inside the item, bundle or index file.

use std::collections::{BTreeMap, BTreeSet};

use super::Catalog;
use super::bundle::Bundle;
use super::index::CatalogIndex;
use super::item::{
    Audience, FieldType, HandlingMode, Item, ItemKind, JurisdictionRule, Requirement, ResultKind,
    Role, StepKind,
};
use super::plan::plan_with;
use super::problem::{Problem, Subject, codes};

mod item;

use item::check_item;

/// Checks every rule of `docs/CATALOG.md` and returns every problem found (empty when the catalog is
/// valid). Problems carry no file or line here; [`super::parse_catalog`] adds them.
pub fn validate_catalog(catalog: &Catalog) -> Vec<Problem> {
    check(
        Some(&catalog.index),
        &catalog.items,
        &catalog.bundles,
        &BTreeSet::new(),
    )
    .into_iter()
    .map(|l| l.problem)
    .collect()
}

/// Where in the catalog a problem was found, so the file reader can give it a file and line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Locus {
    Index,
    Item(usize),
    Bundle(usize),
}

#[derive(Debug, Clone)]
pub(crate) struct Located {
    pub locus: Locus,
    pub problem: Problem,
}

/// The rules. `index` is `None` when `catalog.toml` could not be read (checks against it are
/// skipped); bundles do not report unknown items in `unreadable_items` (their files had problems).
pub(crate) fn check(
    index: Option<&CatalogIndex>,
    items: &[Item],
    bundles: &[Bundle],
    unreadable_items: &BTreeSet<String>,
) -> Vec<Located> {
    let mut out = Out::default();
    if let Some(index) = index {
        check_index(index, &mut out);
    }
    let mut first_item: BTreeMap<&str, usize> = BTreeMap::new();
    let mut material_names: BTreeMap<&str, (&str, &str, usize)> = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        let mut at = At::new(&mut out, Locus::Item(i), Subject::Item(item.code.clone()));
        if let Some(&first) = first_item.get(item.code.as_str()) {
            at.push(
                "code",
                codes::DUPLICATE_ITEM_CODE,
                format!(
                    "item code {} is also used by item #{} of the catalog",
                    item.code,
                    first + 1
                ),
                format!("事项编码 {} 与目录中第 {} 个事项重复", item.code, first + 1),
            );
        } else {
            first_item.insert(&item.code, i);
        }
        check_item(index, item, &mut at);
        // The same material code must mean the same material everywhere.
        for (j, m) in item.materials.iter().enumerate() {
            match material_names.get(m.code.as_str()) {
                None => {
                    material_names.insert(&m.code, (&m.name, &item.code, j));
                }
                Some(&(name, other, k)) if name != m.name => at.push(
                    format!("materials[{j}].name"),
                    codes::MATERIAL_NAME_CONFLICT,
                    format!(
                        "material {} is named \"{}\" here but \"{name}\" in item {other} \
                         (materials[{k}]); one code must name one material",
                        m.code, m.name
                    ),
                    format!(
                        "材料编码 {} 在此名为「{}」，在事项 {other}（materials[{k}]）中名为「{name}」；\
                         同一编码只能对应同一种材料",
                        m.code, m.name
                    ),
                ),
                Some(_) => {}
            }
        }
    }
    let lookup = |code: &str| first_item.get(code).and_then(|&i| items.get(i));
    let mut first_bundle: BTreeMap<&str, usize> = BTreeMap::new();
    for (b, bundle) in bundles.iter().enumerate() {
        let mut at = At::new(
            &mut out,
            Locus::Bundle(b),
            Subject::Bundle(bundle.code.clone()),
        );
        if let Some(&first) = first_bundle.get(bundle.code.as_str()) {
            at.push(
                "code",
                codes::DUPLICATE_BUNDLE_CODE,
                format!(
                    "bundle code {} is also used by bundle #{}",
                    bundle.code,
                    first + 1
                ),
                format!("一件事编码 {} 与第 {} 个一件事重复", bundle.code, first + 1),
            );
        } else {
            first_bundle.insert(&bundle.code, b);
        }
        check_bundle(index, bundle, &lookup, &mut at);
        if let Err(problems) = plan_with(bundle, &lookup, &|code: &str| {
            unreadable_items.contains(code)
        }) {
            for problem in problems {
                at.out.list.push(Located {
                    locus: Locus::Bundle(b),
                    problem,
                });
            }
        }
    }
    out.list
}

#[derive(Default)]
struct Out {
    list: Vec<Located>,
}

/// Pushes problems about one part of the catalog.
struct At<'o> {
    out: &'o mut Out,
    locus: Locus,
    subject: Subject,
}

impl<'o> At<'o> {
    fn new(out: &'o mut Out, locus: Locus, subject: Subject) -> Self {
        Self {
            out,
            locus,
            subject,
        }
    }

    fn push(
        &mut self,
        path: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
        message_zh: impl Into<String>,
    ) {
        let problem = Problem::new(self.subject.clone(), path, code, message, message_zh);
        self.out.list.push(Located {
            locus: self.locus,
            problem,
        });
    }

    fn empty_name(&mut self, path: impl Into<String>, value: &str, what: &str, what_zh: &str) {
        if value.trim().is_empty() {
            self.push(
                path,
                codes::EMPTY_NAME,
                format!("{what} must not be empty"),
                format!("{what_zh}不能为空"),
            );
        }
    }
}

/// Codes become file names and URLs: ASCII letters, digits, `-`, `_`, `.`, not starting with `.`.
fn is_code(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('.')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Keys are snake_case: a lowercase ASCII letter, then lowercase letters, digits and `_`.
fn is_key(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn bad_code(at: &mut At<'_>, path: String, value: &str) {
    if !is_code(value) {
        at.push(
            path,
            codes::BAD_CODE,
            format!(
                "code \"{value}\" must be ASCII letters, digits, '-', '_' or '.' (it names files)"
            ),
            format!("编码「{value}」只能由英文字母、数字、“-”“_”“.”组成（它用作文件名）"),
        );
    }
}

fn bad_key(at: &mut At<'_>, path: String, value: &str) {
    if !is_key(value) {
        at.push(
            path,
            codes::BAD_KEY,
            format!("key \"{value}\" must be snake_case: a-z, 0-9 and '_', starting with a letter"),
            format!("键「{value}」须为小写英文字母、数字和下划线，并以字母开头"),
        );
    }
}

fn audience_en(a: Audience) -> &'static str {
    match a {
        Audience::Person => "persons",
        Audience::Organization => "organizations",
        Audience::Both => "persons and organizations",
    }
}

fn audience_zh(a: Audience) -> &'static str {
    match a {
        Audience::Person => "自然人",
        Audience::Organization => "法人",
        Audience::Both => "自然人和法人",
    }
}

/// A life event of `event` audience may hold items and bundles of audience `member`.
fn event_fits(event: Audience, member: Audience) -> bool {
    event == Audience::Both || member == Audience::Both || event == member
}

fn check_index(index: &CatalogIndex, out: &mut Out) {
    let mut at = At::new(out, Locus::Index, Subject::Index);
    at.empty_name("name", &index.name, "the catalog name", "目录名称");
    if index.city.len() != 6 || !index.city.chars().all(|c| c.is_ascii_digit()) {
        at.push(
            "city",
            codes::BAD_CITY_CODE,
            format!(
                "city \"{}\" must be a 6-digit GB/T 2260 code such as 430400",
                index.city
            ),
            format!(
                "city「{}」须为 6 位行政区划代码（GB/T 2260），如 430400",
                index.city
            ),
        );
    }
    let mut seen = BTreeSet::new();
    for (k, d) in index.department_types.iter().enumerate() {
        bad_key(&mut at, format!("department_types[{k}].key"), &d.key);
        if !seen.insert(d.key.as_str()) {
            at.push(
                format!("department_types[{k}].key"),
                codes::DUPLICATE_DEPARTMENT_TYPE,
                format!("department type {} is defined twice", d.key),
                format!("部门类型 {} 重复定义", d.key),
            );
        }
        at.empty_name(
            format!("department_types[{k}].name"),
            &d.name,
            "the name",
            "名称",
        );
        at.empty_name(
            format!("department_types[{k}].short_name"),
            &d.short_name,
            "the short name",
            "简称",
        );
        if d.levels.is_empty() {
            at.push(
                format!("department_types[{k}].levels"),
                codes::DEPARTMENT_TYPE_WITHOUT_LEVELS,
                format!("department type {} must exist at one level at least", d.key),
                format!("部门类型 {} 至少应有一个层级", d.key),
            );
        }
    }
    let mut seen = BTreeSet::new();
    for (k, e) in index.life_events.iter().enumerate() {
        bad_key(&mut at, format!("life_events[{k}].key"), &e.key);
        if !seen.insert(e.key.as_str()) {
            at.push(
                format!("life_events[{k}].key"),
                codes::DUPLICATE_LIFE_EVENT,
                format!("life event {} is defined twice", e.key),
                format!("生活事件 {} 重复定义", e.key),
            );
        }
        at.empty_name(
            format!("life_events[{k}].name"),
            &e.name,
            "the name",
            "名称",
        );
    }
}

fn check_bundle<'a>(
    index: Option<&CatalogIndex>,
    bundle: &Bundle,
    lookup: &dyn Fn(&str) -> Option<&'a Item>,
    at: &mut At<'_>,
) {
    bad_code(at, "code".into(), &bundle.code);
    at.empty_name("name", &bundle.name, "the bundle name", "一件事名称");
    if let Some(index) = index {
        match index
            .life_events
            .iter()
            .find(|e| e.key == bundle.life_event)
        {
            None => at.push(
                "life_event",
                codes::UNKNOWN_LIFE_EVENT,
                format!(
                    "life event \"{}\" is not one of catalog.toml's life_events",
                    bundle.life_event
                ),
                format!(
                    "生活事件「{}」不在 catalog.toml 的 life_events 中",
                    bundle.life_event
                ),
            ),
            Some(e) if !event_fits(e.audience, bundle.audience) => at.push(
                "life_event",
                codes::LIFE_EVENT_AUDIENCE_MISMATCH,
                format!(
                    "life event {} is for {} but the bundle is for {}",
                    e.key,
                    audience_en(e.audience),
                    audience_en(bundle.audience)
                ),
                format!(
                    "生活事件 {} 面向{}，一件事却面向{}",
                    e.key,
                    audience_zh(e.audience),
                    audience_zh(bundle.audience)
                ),
            ),
            Some(_) => {}
        }
    }
    for (k, entry) in bundle.items.iter().enumerate() {
        let Some(item) = lookup(&entry.item) else {
            continue;
        };
        if item.audience != Audience::Both && item.audience != bundle.audience {
            at.push(
                format!("items[{k}].item"),
                codes::BUNDLE_AUDIENCE_MISMATCH,
                format!(
                    "item {} ({}) is for {} but the bundle is for {}",
                    item.code,
                    item.name,
                    audience_en(item.audience),
                    audience_en(bundle.audience)
                ),
                format!(
                    "事项 {}（{}）面向{}，一件事却面向{}",
                    item.code,
                    item.name,
                    audience_zh(item.audience),
                    audience_zh(bundle.audience)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests;
