//! 一件事 planning — from a bundle and its items to what an applicant fills in once, brings once,
//! and how long the whole thing may take.
//!
//! - **Order**: an item waits for the items it `needs`; [`BundlePlan::stages`] groups the items that
//!   can be handled in parallel (stage 0 needs nothing, stage k needs something from stage k-1).
//! - **Form**: the union of the items' fields, each key asked once (see [`plan_bundle`] for the
//!   merge rules).
//! - **Materials**: the union of the items' materials, each code asked once, strictest wins.
//! - **Limits**: the longest path through the dependency graph, summing the items' limits.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::Serialize;

use super::bundle::Bundle;
use super::item::{FormField, Item, ItemCode, Material, Requirement};
use super::problem::{Problem, Subject, codes};

/// What applying for a bundle means: order, one form, one material list, one time limit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BundlePlan {
    /// The bundle's code.
    pub code: String,
    pub name: String,
    /// A handling order that respects every `needs` (stage by stage, bundle order within a stage).
    pub order: Vec<ItemCode>,
    /// Items that can be handled in parallel, by depth in the dependency graph.
    pub stages: Vec<Vec<ItemCode>>,
    /// One entry per item, in bundle order.
    pub items: Vec<PlannedItem>,
    /// 合并表单 — each field key once, first item's fields first.
    pub form: Vec<FormField>,
    /// 合并材料清单 — each material code once, in order of first appearance.
    pub materials: Vec<MergedMaterial>,
    /// 承诺办结时限 of the bundle: the longest path of committed limits, in working days.
    pub committed_limit_days: u32,
    /// 法定办结时限 of the bundle: the longest path of legal limits, in working days.
    pub legal_limit_days: u32,
    /// The items along the longest committed path, first to last (关键路径).
    pub critical_path: Vec<ItemCode>,
}

/// One item's place in the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedItem {
    pub item: ItemCode,
    pub name: String,
    /// Index into [`BundlePlan::stages`].
    pub stage: usize,
    /// The items it waits for (duplicates removed).
    pub needs: Vec<ItemCode>,
    /// Working days after acceptance before it can start, if every item it waits for takes its full
    /// committed limit.
    pub starts_after_days: u32,
    /// `starts_after_days` plus its own committed limit.
    pub finishes_by_days: u32,
}

/// One material of the bundle's list, with the items that ask for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MergedMaterial {
    pub material: Material,
    pub items: Vec<ItemCode>,
}

/// Plans a bundle, looking its items up with `lookup` (usually [`super::Catalog::item`]).
///
/// Errors, all reported at once, with paths inside the bundle file: an empty bundle, an unknown or
/// repeated item, a `needs` naming an item outside the bundle, a dependency cycle (named item by
/// item), and fields that cannot be merged.
///
/// Merge rules for a field key asked by several items: the type and the set of options must agree;
/// the first item's label, order and options order win; it is required if any item requires it; the
/// tighter bound wins (smallest `max_length` and `max`, largest `min`), and bounds that leave no value
/// are a conflict.
///
/// Merge rules for a material code asked by several items (strictest wins): required beats
/// conditional (conditions of conditional ones are joined), original beats copy beats electronic,
/// the most copies; 容缺 only if every asking item tolerates it (fewest days); 告知承诺 only if every
/// asking item allows it; 免提交 only if every asking item names the same e-certificate type; the
/// first item's name; distinct notes joined.
pub fn plan_bundle<'a>(
    bundle: &Bundle,
    lookup: impl Fn(&str) -> Option<&'a Item>,
) -> Result<BundlePlan, Vec<Problem>> {
    plan_with(bundle, &lookup, &|_| false)
}

/// A bundle item resolved against the catalog.
struct Node<'a> {
    /// Position in `bundle.items`.
    pos: usize,
    code: &'a str,
    item: Option<&'a Item>,
    /// Node indexes it needs, without duplicates, in `needs` order.
    needs: Vec<usize>,
}

/// [`plan_bundle`] where unknown items for which `excused` holds are not reported (validation uses
/// it for items whose file could not be read, which have their own problem already).
pub(crate) fn plan_with<'a>(
    bundle: &Bundle,
    lookup: &dyn Fn(&str) -> Option<&'a Item>,
    excused: &dyn Fn(&str) -> bool,
) -> Result<BundlePlan, Vec<Problem>> {
    let subject = Subject::Bundle(bundle.code.clone());
    let mut problems = Vec::new();
    if bundle.items.is_empty() {
        problems.push(Problem::new(
            subject,
            "items",
            codes::BUNDLE_EMPTY,
            "a bundle must list at least one item",
            "一件事至少应包含一个事项",
        ));
        return Err(problems);
    }

    // Resolve items; a repeated item is reported and left out of the graph.
    let mut nodes: Vec<Node<'_>> = Vec::new();
    let mut node_of: BTreeMap<&str, usize> = BTreeMap::new();
    let mut missing = false;
    for (pos, entry) in bundle.items.iter().enumerate() {
        if let Some(&first) = node_of.get(entry.item.as_str()) {
            let first_pos = nodes.get(first).map_or(0, |n| n.pos);
            problems.push(Problem::new(
                subject.clone(),
                format!("items[{pos}].item"),
                codes::BUNDLE_DUPLICATE_ITEM,
                format!(
                    "item {} is already listed at items[{first_pos}]",
                    entry.item
                ),
                format!("事项 {} 已在 items[{first_pos}] 列出，不能重复", entry.item),
            ));
            continue;
        }
        let item = lookup(&entry.item);
        if item.is_none() {
            missing = true;
            if !excused(&entry.item) {
                problems.push(Problem::new(
                    subject.clone(),
                    format!("items[{pos}].item"),
                    codes::BUNDLE_UNKNOWN_ITEM,
                    format!("there is no item {} in the catalog", entry.item),
                    format!("目录中没有事项 {}", entry.item),
                ));
            }
        }
        node_of.insert(&entry.item, nodes.len());
        nodes.push(Node {
            pos,
            code: &entry.item,
            item,
            needs: Vec::new(),
        });
    }

    // Dependency edges.
    for n in 0..nodes.len() {
        let Some(pos) = nodes.get(n).map(|node| node.pos) else {
            continue;
        };
        let Some(entry) = bundle.items.get(pos) else {
            continue;
        };
        let mut needs = Vec::new();
        for (j, need) in entry.needs.iter().enumerate() {
            match node_of.get(need.as_str()) {
                Some(&m) => {
                    if !needs.contains(&m) {
                        needs.push(m);
                    }
                }
                None => {
                    let (en, zh) = if lookup(need).is_some() {
                        (
                            format!(
                                "{} needs {need}, which is not an item of this bundle",
                                entry.item
                            ),
                            format!("{} 依赖的 {need} 不在本一件事中", entry.item),
                        )
                    } else {
                        (
                            format!(
                                "{} needs {need}, which is not an item of the catalog",
                                entry.item
                            ),
                            format!("{} 依赖的 {need} 不是目录中的事项", entry.item),
                        )
                    };
                    problems.push(Problem::new(
                        subject.clone(),
                        format!("items[{pos}].needs[{j}]"),
                        codes::BUNDLE_UNKNOWN_NEED,
                        en,
                        zh,
                    ));
                }
            }
        }
        if let Some(node) = nodes.get_mut(n) {
            node.needs = needs;
        }
    }
    let graph: Vec<Vec<usize>> = nodes.iter().map(|n| n.needs.clone()).collect();

    // Cycles, one per strongly connected component, named item by item.
    let cycles = find_cycles(&graph);
    for cycle in &cycles {
        problems.push(cycle_problem(bundle, &subject, &nodes, cycle));
    }

    // The merged form (conflicts are problems).
    let known: Vec<(usize, &Item)> = nodes
        .iter()
        .filter_map(|n| n.item.map(|item| (n.pos, item)))
        .collect();
    let form = merge_fields(&known, &subject, &mut problems);

    if !problems.is_empty() || missing || !cycles.is_empty() {
        return Err(problems);
    }
    let items: Vec<&Item> = nodes.iter().filter_map(|n| n.item).collect();

    let order = topological_order(&graph);
    let depth = depths(&graph, &order);
    let stage_count = depth.iter().max().map_or(0, |d| d + 1);
    let mut stages: Vec<Vec<ItemCode>> = vec![Vec::new(); stage_count];
    for (n, item) in items.iter().enumerate() {
        if let Some(stage) = depth.get(n).and_then(|&d| stages.get_mut(d)) {
            stage.push(item.code.clone());
        }
    }
    let committed: Vec<u32> = items.iter().map(|i| i.committed_limit_days).collect();
    let legal: Vec<u32> = items.iter().map(|i| i.legal_limit_days).collect();
    let committed_path = longest_path(&graph, &order, &committed);
    let legal_path = longest_path(&graph, &order, &legal);

    let planned = items
        .iter()
        .enumerate()
        .map(|(n, item)| PlannedItem {
            item: item.code.clone(),
            name: item.name.clone(),
            stage: depth.get(n).copied().unwrap_or(0),
            needs: graph
                .get(n)
                .map(|ns| {
                    ns.iter()
                        .filter_map(|&m| items.get(m))
                        .map(|i| i.code.clone())
                        .collect()
                })
                .unwrap_or_default(),
            starts_after_days: committed_path.start.get(n).copied().unwrap_or(0),
            finishes_by_days: committed_path.finish.get(n).copied().unwrap_or(0),
        })
        .collect();

    Ok(BundlePlan {
        code: bundle.code.clone(),
        name: bundle.name.clone(),
        order: stages.iter().flatten().cloned().collect(),
        stages,
        items: planned,
        form,
        materials: merge_materials(&items),
        committed_limit_days: committed_path.total,
        legal_limit_days: legal_path.total,
        critical_path: committed_path
            .path
            .iter()
            .filter_map(|&n| items.get(n))
            .map(|i| i.code.clone())
            .collect(),
    })
}

fn label_en(code: &str, item: Option<&Item>) -> String {
    match item {
        Some(item) => format!("{code} ({})", item.name),
        None => code.to_owned(),
    }
}

fn label_zh(code: &str, item: Option<&Item>) -> String {
    match item {
        Some(item) => format!("{code}（{}）", item.name),
        None => code.to_owned(),
    }
}

/// `A → B → C → A`, where each item needs the next.
fn cycle_problem(
    bundle: &Bundle,
    subject: &Subject,
    nodes: &[Node<'_>],
    cycle: &[usize],
) -> Problem {
    let names = |label: fn(&str, Option<&Item>) -> String| {
        let mut parts: Vec<String> = cycle
            .iter()
            .filter_map(|&n| nodes.get(n))
            .map(|node| label(node.code, node.item))
            .collect();
        if let Some(first) = parts.first().cloned() {
            parts.push(first);
        }
        parts.join(" → ")
    };
    // Point at the first edge of the cycle: items[first].needs[j] naming the second node.
    let first = cycle.first().and_then(|&n| nodes.get(n));
    let second = cycle.get(1).or(cycle.first()).and_then(|&n| nodes.get(n));
    let path = match (first, second) {
        (Some(a), Some(b)) => {
            let j = bundle
                .items
                .get(a.pos)
                .and_then(|entry| entry.needs.iter().position(|need| need == b.code));
            match j {
                Some(j) => format!("items[{}].needs[{j}]", a.pos),
                None => format!("items[{}].needs", a.pos),
            }
        }
        _ => "items".to_owned(),
    };
    Problem::new(
        subject.clone(),
        path,
        codes::BUNDLE_CYCLE,
        format!(
            "dependency cycle (each item needs the next): {}",
            names(label_en)
        ),
        format!("办理依赖形成循环（前者依赖后者）：{}", names(label_zh)),
    )
}

/// One cycle per strongly connected component that has one (including an item needing itself):
/// a shortest cycle through the component's first node, listed from that node.
fn find_cycles(needs: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = needs.len();
    let reach: Vec<Vec<bool>> = (0..n).map(|s| reachable(needs, s)).collect();
    let reaches = |a: usize, b: usize| {
        reach
            .get(a)
            .and_then(|r| r.get(b))
            .copied()
            .unwrap_or(false)
    };
    let mut done = vec![false; n];
    let mut cycles = Vec::new();
    for s in 0..n {
        if done.get(s).copied().unwrap_or(true) || !reaches(s, s) {
            continue;
        }
        let component: Vec<usize> = (0..n).filter(|&t| reaches(s, t) && reaches(t, s)).collect();
        for &t in &component {
            if let Some(d) = done.get_mut(t) {
                *d = true;
            }
        }
        // Breadth-first search from s back to s inside the component.
        let mut parent: Vec<Option<usize>> = vec![None; n];
        let mut queue = VecDeque::from([s]);
        let mut seen = vec![false; n];
        let mut last = None;
        'search: while let Some(u) = queue.pop_front() {
            for &v in needs.get(u).map(Vec::as_slice).unwrap_or_default() {
                if v == s {
                    last = Some(u);
                    break 'search;
                }
                if component.contains(&v) && !seen.get(v).copied().unwrap_or(true) {
                    if let Some(x) = seen.get_mut(v) {
                        *x = true;
                    }
                    if let Some(p) = parent.get_mut(v) {
                        *p = Some(u);
                    }
                    queue.push_back(v);
                }
            }
        }
        let mut cycle = Vec::new();
        let mut cursor = last;
        while let Some(u) = cursor {
            cycle.push(u);
            if u == s {
                break;
            }
            cursor = parent.get(u).copied().flatten();
        }
        cycle.reverse();
        cycles.push(cycle);
    }
    cycles
}

/// Nodes reachable from `start` by at least one edge.
fn reachable(needs: &[Vec<usize>], start: usize) -> Vec<bool> {
    let mut seen = vec![false; needs.len()];
    let mut stack: Vec<usize> = needs.get(start).cloned().unwrap_or_default();
    while let Some(u) = stack.pop() {
        if let Some(s) = seen.get_mut(u)
            && !*s
        {
            *s = true;
            stack.extend(needs.get(u).into_iter().flatten());
        }
    }
    seen
}

/// Kahn's algorithm, lowest index first among the ready nodes. Assumes no cycle.
fn topological_order(needs: &[Vec<usize>]) -> Vec<usize> {
    let n = needs.len();
    let mut waiting: Vec<usize> = needs.iter().map(Vec::len).collect();
    let mut needed_by: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (u, ns) in needs.iter().enumerate() {
        for &v in ns {
            if let Some(list) = needed_by.get_mut(v) {
                list.push(u);
            }
        }
    }
    let mut ready: BTreeSet<usize> = (0..n).filter(|&u| waiting.get(u) == Some(&0)).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(u) = ready.pop_first() {
        order.push(u);
        for &w in needed_by.get(u).map(Vec::as_slice).unwrap_or_default() {
            if let Some(c) = waiting.get_mut(w) {
                *c = c.saturating_sub(1);
                if *c == 0 {
                    ready.insert(w);
                }
            }
        }
    }
    order
}

/// Depth of each node: 0 if it needs nothing, else one more than the deepest node it needs.
fn depths(needs: &[Vec<usize>], order: &[usize]) -> Vec<usize> {
    let mut depth = vec![0usize; needs.len()];
    for &u in order {
        let d = needs
            .get(u)
            .into_iter()
            .flatten()
            .filter_map(|&v| depth.get(v))
            .map(|d| d + 1)
            .max()
            .unwrap_or(0);
        if let Some(x) = depth.get_mut(u) {
            *x = d;
        }
    }
    depth
}

struct LongestPath {
    total: u32,
    /// Per node: the latest finish of the nodes it needs.
    start: Vec<u32>,
    /// Per node: `start` plus its own weight.
    finish: Vec<u32>,
    /// Nodes of one longest path, first to last (lowest index wins ties).
    path: Vec<usize>,
}

fn longest_path(needs: &[Vec<usize>], order: &[usize], weight: &[u32]) -> LongestPath {
    let n = needs.len();
    let mut start = vec![0u32; n];
    let mut finish = vec![0u32; n];
    let mut via: Vec<Option<usize>> = vec![None; n];
    for &u in order {
        let mut best: Option<(u32, usize)> = None;
        for &v in needs.get(u).into_iter().flatten() {
            let f = finish.get(v).copied().unwrap_or(0);
            if best.is_none_or(|(b, bv)| f > b || (f == b && v < bv)) {
                best = Some((f, v));
            }
        }
        let s = best.map_or(0, |(f, _)| f);
        if let (Some(x), Some(y), Some(z)) = (start.get_mut(u), finish.get_mut(u), via.get_mut(u)) {
            *x = s;
            *y = s.saturating_add(weight.get(u).copied().unwrap_or(0));
            *z = best.map(|(_, v)| v);
        }
    }
    let mut end: Option<usize> = None;
    for u in 0..n {
        if end.is_none_or(|e| finish.get(u) > finish.get(e)) {
            end = Some(u);
        }
    }
    let total = end.and_then(|e| finish.get(e).copied()).unwrap_or(0);
    let mut path = Vec::new();
    let mut cursor = end;
    while let Some(u) = cursor {
        path.push(u);
        cursor = via.get(u).copied().flatten();
    }
    path.reverse();
    LongestPath {
        total,
        start,
        finish,
        path,
    }
}

/// Merges the fields of `items` (bundle position, item) in order; conflicts become problems.
fn merge_fields(
    items: &[(usize, &Item)],
    subject: &Subject,
    problems: &mut Vec<Problem>,
) -> Vec<FormField> {
    let mut form: Vec<FormField> = Vec::new();
    // key → (index in form, the item that first asked it)
    let mut first: BTreeMap<&str, (usize, &Item)> = BTreeMap::new();
    for &(pos, item) in items {
        let mut own = BTreeSet::new();
        for field in &item.fields {
            if !own.insert(field.key.as_str()) {
                continue; // a duplicate key inside one item is that item's problem
            }
            let Some(&(at, by)) = first.get(field.key.as_str()) else {
                first.insert(&field.key, (form.len(), item));
                form.push(field.clone());
                continue;
            };
            let Some(merged) = form.get_mut(at) else {
                continue;
            };
            let conflict = |en: String, zh: String| {
                Problem::new(
                    subject.clone(),
                    format!("items[{pos}]"),
                    codes::BUNDLE_FIELD_CONFLICT,
                    format!(
                        "field `{}`: {en} ({} vs {})",
                        field.key,
                        label_en(&by.code, Some(by)),
                        label_en(&item.code, Some(item))
                    ),
                    format!(
                        "表单字段 `{}`：{zh}（{} 与 {}）",
                        field.key,
                        label_zh(&by.code, Some(by)),
                        label_zh(&item.code, Some(item))
                    ),
                )
            };
            if merged.field_type != field.field_type {
                problems.push(conflict(
                    format!(
                        "its type is `{}` in one item and `{}` in the other",
                        type_name(merged),
                        type_name(field)
                    ),
                    format!(
                        "类型分别为 `{}` 和 `{}`",
                        type_name(merged),
                        type_name(field)
                    ),
                ));
                continue;
            }
            let a: BTreeSet<&String> = merged.options.iter().collect();
            let b: BTreeSet<&String> = field.options.iter().collect();
            if a != b {
                problems.push(conflict(
                    format!(
                        "its options differ: [{}] and [{}]",
                        merged.options.join(", "),
                        field.options.join(", ")
                    ),
                    format!(
                        "选项不一致：[{}] 与 [{}]",
                        merged.options.join("、"),
                        field.options.join("、")
                    ),
                ));
                continue;
            }
            merged.required |= field.required;
            merged.max_length = tighter(merged.max_length, field.max_length, u32::min);
            merged.min = tighter(merged.min, field.min, f64::max);
            merged.max = tighter(merged.max, field.max, f64::min);
            if merged.label_en.is_none() {
                merged.label_en.clone_from(&field.label_en);
            }
            if merged.help.is_none() {
                merged.help.clone_from(&field.help);
            }
            if let (Some(min), Some(max)) = (merged.min, merged.max)
                && min > max
            {
                problems.push(conflict(
                    format!("together the bounds leave no valid value (min {min} > max {max})"),
                    format!("合并后的取值范围为空（最小值 {min} 大于最大值 {max}）"),
                ));
            }
        }
    }
    form
}

fn type_name(field: &FormField) -> String {
    serde_json::to_value(field.field_type)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn tighter<T: Copy>(a: Option<T>, b: Option<T>, pick: fn(T, T) -> T) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(pick(a, b)),
        (a, b) => a.or(b),
    }
}

/// Merges the materials of `items` (in bundle order), strictest requirement winning.
fn merge_materials(items: &[&Item]) -> Vec<MergedMaterial> {
    let mut order: Vec<&str> = Vec::new();
    let mut asked: BTreeMap<&str, Vec<(&Item, &Material)>> = BTreeMap::new();
    for item in items {
        for material in &item.materials {
            let list = asked.entry(&material.code).or_default();
            if list.is_empty() {
                order.push(&material.code);
            }
            if !list.iter().any(|(i, _)| i.code == item.code) {
                list.push((item, material));
            }
        }
    }
    order
        .into_iter()
        .filter_map(|code| asked.get(code))
        .filter_map(|list| {
            let (_, first) = list.first()?;
            let all = || list.iter().map(|(_, m)| *m);
            let mut material = (*first).clone();
            material.requirement = all().map(|m| m.requirement).max()?;
            material.form = all().map(|m| m.form).max()?;
            material.copies = all().map(|m| m.copies).max()?;
            material.tolerable_days = all()
                .map(|m| m.tolerable_days)
                .collect::<Option<Vec<u32>>>()
                .and_then(|days| days.into_iter().min());
            material.replaceable_by_commitment = all().all(|m| m.replaceable_by_commitment);
            material.e_certificate = if all().all(|m| m.e_certificate == first.e_certificate) {
                first.e_certificate.clone()
            } else {
                None
            };
            material.condition = if material.requirement == Requirement::Required {
                None
            } else {
                join_distinct(all().filter_map(|m| m.condition.as_deref()))
            };
            material.note = join_distinct(all().filter_map(|m| m.note.as_deref()));
            Some(MergedMaterial {
                material,
                items: list.iter().map(|(i, _)| i.code.clone()).collect(),
            })
        })
        .collect()
}

fn join_distinct<'a>(texts: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut seen: Vec<&str> = Vec::new();
    for t in texts {
        if !t.is_empty() && !seen.contains(&t) {
            seen.push(t);
        }
    }
    if seen.is_empty() {
        None
    } else {
        Some(seen.join("；"))
    }
}

#[cfg(test)]
mod tests;
