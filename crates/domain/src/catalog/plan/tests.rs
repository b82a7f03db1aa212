use proptest::prelude::*;

use super::*;
use crate::catalog::fixtures::*;
use crate::catalog::item::{FieldType, MaterialForm};

fn lookup<'a>(items: &'a [Item]) -> impl Fn(&str) -> Option<&'a Item> + 'a {
    move |code| items.iter().find(|i| i.code == code)
}

fn with_limit(code: &str, committed: u32) -> Item {
    let mut i = item(code, &format!("事项{code}"));
    i.committed_limit_days = committed;
    i.legal_limit_days = committed * 2;
    i
}

#[test]
fn longest_path_example_a5_b10_c3() {
    // A(5) → B(10) and A(5) → C(3): B and C each need A.
    let items = vec![with_limit("A", 5), with_limit("B", 10), with_limit("C", 3)];
    let b = bundle("YJS-T", &[("A", &[]), ("B", &["A"]), ("C", &["A"])]);
    let plan = plan_bundle(&b, lookup(&items)).unwrap();
    assert_eq!(plan.committed_limit_days, 15);
    assert_eq!(plan.legal_limit_days, 30);
    assert_eq!(plan.critical_path, ["A", "B"]);
    assert_eq!(
        plan.stages,
        vec![vec!["A".to_owned()], vec!["B".to_owned(), "C".to_owned()]]
    );
    assert_eq!(plan.order, ["A", "B", "C"]);
    let c = &plan.items[2];
    assert_eq!(
        (c.stage, c.starts_after_days, c.finishes_by_days),
        (1, 5, 8)
    );
}

#[test]
fn order_follows_needs_not_listing() {
    let items = vec![with_limit("A", 1), with_limit("B", 1), with_limit("C", 1)];
    let b = bundle("YJS-T", &[("C", &["B"]), ("B", &["A"]), ("A", &[])]);
    let plan = plan_bundle(&b, lookup(&items)).unwrap();
    assert_eq!(plan.order, ["A", "B", "C"]);
    assert_eq!(plan.stages.len(), 3);
    assert_eq!(plan.committed_limit_days, 3);
}

#[test]
fn cycle_is_named_by_code_and_name() {
    let items = vec![with_limit("A", 1), with_limit("B", 1), with_limit("C", 1)];
    let b = bundle("YJS-T", &[("A", &["B"]), ("B", &["C"]), ("C", &["A"])]);
    let problems = plan_bundle(&b, lookup(&items)).unwrap_err();
    assert_eq!(problems.len(), 1);
    let p = &problems[0];
    assert_eq!(p.code, codes::BUNDLE_CYCLE);
    assert_eq!(p.path, "items[0].needs[0]");
    assert!(
        p.message
            .contains("A (事项A) → B (事项B) → C (事项C) → A (事项A)"),
        "{}",
        p.message
    );
    assert!(
        p.message_zh.contains("A（事项A） → B（事项B）"),
        "{}",
        p.message_zh
    );
}

#[test]
fn self_need_and_two_separate_cycles() {
    let items: Vec<Item> = ["A", "B", "C", "D"]
        .iter()
        .map(|c| with_limit(c, 1))
        .collect();
    let b = bundle(
        "YJS-T",
        &[("A", &["A"]), ("B", &["C"]), ("C", &["B"]), ("D", &["B"])],
    );
    let problems = plan_bundle(&b, lookup(&items)).unwrap_err();
    let msgs: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(problems.len(), 2, "{msgs:?}");
    assert!(msgs[0].ends_with("A (事项A) → A (事项A)"));
    assert!(msgs[1].ends_with("B (事项B) → C (事项C) → B (事项B)"));
}

#[test]
fn structural_problems_are_all_reported() {
    let items = vec![with_limit("A", 1), with_limit("B", 1), with_limit("X", 1)];
    let b = bundle(
        "YJS-T",
        &[("A", &["Z", "X"]), ("B", &[]), ("A", &[]), ("Q", &[])],
    );
    let problems = plan_bundle(&b, lookup(&items)).unwrap_err();
    let got: Vec<(&str, &str)> = problems.iter().map(|p| (p.code, p.path.as_str())).collect();
    assert_eq!(
        got,
        [
            (codes::BUNDLE_DUPLICATE_ITEM, "items[2].item"),
            (codes::BUNDLE_UNKNOWN_ITEM, "items[3].item"),
            (codes::BUNDLE_UNKNOWN_NEED, "items[0].needs[0]"),
            (codes::BUNDLE_UNKNOWN_NEED, "items[0].needs[1]"),
        ]
    );
    assert!(problems[3].message.contains("not an item of this bundle"));
    assert!(problems[2].message.contains("not an item of the catalog"));
    let empty = bundle("YJS-E", &[]);
    let problems = plan_bundle(&empty, lookup(&items)).unwrap_err();
    assert_eq!(problems[0].code, codes::BUNDLE_EMPTY);
}

#[test]
fn shared_field_is_asked_once_with_the_tighter_rules() {
    let mut a = with_limit("A", 1);
    let mut b = with_limit("B", 1);
    let mut name_a = field("applicant_name", FieldType::Text);
    name_a.max_length = Some(50);
    let mut name_b = field("applicant_name", FieldType::Text);
    name_b.required = true;
    name_b.max_length = Some(30);
    name_b.label = "姓名（另一个标签）".into();
    let mut age_a = field("age", FieldType::Number);
    age_a.min = Some(0.0);
    age_a.max = Some(150.0);
    let mut age_b = field("age", FieldType::Number);
    age_b.min = Some(60.0);
    a.fields = vec![
        name_a.clone(),
        field("hukou_region", FieldType::Region),
        age_a,
    ];
    b.fields = vec![field("spouse", FieldType::Text), age_b, name_b];
    let items = vec![a, b];
    let plan = plan_bundle(&bundle("YJS-T", &[("A", &[]), ("B", &[])]), lookup(&items)).unwrap();
    let keys: Vec<&str> = plan.form.iter().map(|f| f.key.as_str()).collect();
    assert_eq!(keys, ["applicant_name", "hukou_region", "age", "spouse"]);
    let name = &plan.form[0];
    assert!(name.required);
    assert_eq!(name.max_length, Some(30));
    assert_eq!(name.label, name_a.label);
    assert_eq!(
        (plan.form[2].min, plan.form[2].max),
        (Some(60.0), Some(150.0))
    );
}

#[test]
fn conflicting_fields_name_both_items() {
    let mut a = with_limit("A", 1);
    let mut b = with_limit("B", 1);
    let mut c = with_limit("C", 1);
    let mut sel_a = field("marital", FieldType::Select);
    sel_a.options = vec!["未婚".into(), "已婚".into()];
    let mut sel_b = sel_a.clone();
    sel_b.options = vec!["已婚".into(), "未婚".into()]; // same set: fine
    let mut sel_c = sel_a.clone();
    sel_c.options = vec!["未婚".into(), "已婚".into(), "离异".into()];
    let mut n_a = field("n", FieldType::Number);
    n_a.max = Some(5.0);
    let mut n_b = field("n", FieldType::Number);
    n_b.min = Some(10.0);
    a.fields = vec![field("hukou_region", FieldType::Region), sel_a, n_a];
    b.fields = vec![field("hukou_region", FieldType::Text), sel_b, n_b];
    c.fields = vec![sel_c];
    let items = vec![a, b, c];
    let b = bundle("YJS-T", &[("A", &[]), ("B", &[]), ("C", &[])]);
    let problems = plan_bundle(&b, lookup(&items)).unwrap_err();
    let got: Vec<(&str, &str)> = problems.iter().map(|p| (p.code, p.path.as_str())).collect();
    assert_eq!(
        got,
        [
            (codes::BUNDLE_FIELD_CONFLICT, "items[1]"),
            (codes::BUNDLE_FIELD_CONFLICT, "items[1]"),
            (codes::BUNDLE_FIELD_CONFLICT, "items[2]"),
        ]
    );
    assert!(
        problems[0].message.contains("`region`"),
        "{}",
        problems[0].message
    );
    assert!(problems[0].message.contains("A (事项A) vs B (事项B)"));
    assert!(problems[1].message.contains("no valid value"));
    assert!(problems[2].message.contains("options differ"));
}

#[test]
fn materials_merge_strictest_wins() {
    let mut a = with_limit("A", 10);
    let mut b = with_limit("B", 10);
    let mut c = with_limit("C", 10);
    let mut id_a = material("M-ID", "居民身份证");
    id_a.form = MaterialForm::Copy;
    id_a.requirement = Requirement::Conditional;
    id_a.condition = Some("委托他人办理的".into());
    id_a.tolerable_days = Some(5);
    id_a.replaceable_by_commitment = true;
    id_a.e_certificate = Some("身份证".into());
    let mut id_b = id_a.clone();
    id_b.form = MaterialForm::Original;
    id_b.copies = 2;
    id_b.requirement = Requirement::Required;
    id_b.condition = None;
    id_b.tolerable_days = Some(3);
    id_b.replaceable_by_commitment = false;
    let mut photo_a = material("M-PHOTO", "照片");
    photo_a.tolerable_days = Some(5);
    photo_a.e_certificate = Some("照片".into());
    photo_a.requirement = Requirement::Conditional;
    photo_a.condition = Some("首次办理的".into());
    let mut photo_c = photo_a.clone();
    photo_c.tolerable_days = None;
    photo_c.e_certificate = Some("证件照".into());
    photo_c.condition = Some("证件遗失的".into());
    a.materials = vec![id_a, photo_a];
    b.materials = vec![id_b, material("M-HK", "户口簿")];
    c.materials = vec![photo_c];
    let items = vec![a, b, c];
    let bun = bundle("YJS-T", &[("A", &[]), ("B", &["A"]), ("C", &[])]);
    let plan = plan_bundle(&bun, lookup(&items)).unwrap();
    let codes: Vec<&str> = plan
        .materials
        .iter()
        .map(|m| m.material.code.as_str())
        .collect();
    assert_eq!(codes, ["M-ID", "M-PHOTO", "M-HK"]);
    let id = &plan.materials[0];
    assert_eq!(id.items, ["A", "B"]);
    assert_eq!(id.material.requirement, Requirement::Required);
    assert_eq!(id.material.condition, None);
    assert_eq!(id.material.form, MaterialForm::Original);
    assert_eq!(id.material.copies, 2);
    assert_eq!(id.material.tolerable_days, Some(3));
    assert!(!id.material.replaceable_by_commitment);
    assert_eq!(id.material.e_certificate.as_deref(), Some("身份证"));
    let photo = &plan.materials[1];
    assert_eq!(photo.items, ["A", "C"]);
    assert_eq!(photo.material.tolerable_days, None);
    assert_eq!(photo.material.e_certificate, None);
    assert_eq!(photo.material.requirement, Requirement::Conditional);
    assert_eq!(
        photo.material.condition.as_deref(),
        Some("首次办理的；证件遗失的")
    );
    assert_eq!(plan.materials[2].items, ["B"]);
}

#[test]
fn plan_serializes_to_json() {
    let items = vec![with_limit("A", 1)];
    let plan = plan_bundle(&bundle("YJS-T", &[("A", &[])]), lookup(&items)).unwrap();
    let json = serde_json::to_value(&plan).unwrap();
    assert_eq!(json["committed_limit_days"], 1);
    assert_eq!(json["materials"][0]["items"][0], "A");
    assert!(json["materials"][0]["material"]["code"].is_string());
}

/// A random DAG: node i may need any node j < i; weights 0..20; then the listing is shuffled.
fn dag() -> impl Strategy<Value = (Vec<u32>, Vec<Vec<usize>>, Vec<usize>)> {
    (1usize..8)
        .prop_flat_map(|n| {
            let weights = proptest::collection::vec(0u32..20, n);
            let edges = proptest::collection::vec(proptest::collection::vec(any::<bool>(), n), n);
            let perm = Just((0..n).collect::<Vec<usize>>()).prop_shuffle();
            (weights, edges, perm)
        })
        .prop_map(|(w, e, perm)| {
            let needs = (0..w.len())
                .map(|i| (0..i).filter(|&j| e[i][j]).collect::<Vec<usize>>())
                .collect();
            (w, needs, perm)
        })
}

fn brute_force_longest(w: &[u32], needs: &[Vec<usize>], from: usize) -> u32 {
    w[from]
        + needs[from]
            .iter()
            .map(|&j| brute_force_longest(w, needs, j))
            .max()
            .unwrap_or(0)
}

proptest! {
    #[test]
    fn longest_path_and_order_on_random_dags((w, needs, perm) in dag()) {
        let name = |i: usize| format!("N{i}");
        let items: Vec<Item> = (0..w.len()).map(|i| with_limit(&name(i), w[i])).collect();
        let listing: Vec<(String, Vec<String>)> = perm
            .iter()
            .map(|&i| (name(i), needs[i].iter().map(|&j| name(j)).collect()))
            .collect();
        let refs: Vec<(&str, Vec<&str>)> = listing
            .iter()
            .map(|(c, ns)| (c.as_str(), ns.iter().map(String::as_str).collect()))
            .collect();
        let entries: Vec<(&str, &[&str])> = refs.iter().map(|(c, ns)| (*c, ns.as_slice())).collect();
        let plan = plan_bundle(&bundle("YJS-P", &entries), lookup(&items)).unwrap();

        let expected = (0..w.len()).map(|i| brute_force_longest(&w, &needs, i)).max().unwrap_or(0);
        prop_assert_eq!(plan.committed_limit_days, expected);
        prop_assert_eq!(plan.legal_limit_days, expected * 2);
        // The critical path is a real path with that length.
        let idx = |c: &str| c[1..].parse::<usize>().unwrap();
        let path: Vec<usize> = plan.critical_path.iter().map(|c| idx(c)).collect();
        prop_assert_eq!(path.iter().map(|&i| w[i]).sum::<u32>(), expected);
        for pair in path.windows(2) {
            prop_assert!(needs[pair[1]].contains(&pair[0]));
        }
        // The order holds every item once and respects every edge; so do the stages.
        prop_assert_eq!(plan.order.len(), w.len());
        let at = |c: &str| plan.order.iter().position(|o| o == c).unwrap();
        let stage_of = |c: &str| plan.stages.iter().position(|s| s.iter().any(|o| o == c)).unwrap();
        for (i, ns) in needs.iter().enumerate() {
            for &j in ns {
                prop_assert!(at(&name(j)) < at(&name(i)));
                prop_assert!(stage_of(&name(j)) < stage_of(&name(i)));
            }
        }
    }

    #[test]
    fn a_back_edge_is_always_a_named_cycle((w, needs, perm) in dag(), pick in any::<proptest::sample::Index>()) {
        // Close a cycle: find a path of length ≥ 1 and add the reverse edge.
        let edges: Vec<(usize, usize)> =
            needs.iter().enumerate().flat_map(|(i, ns)| ns.iter().map(move |&j| (i, j))).collect();
        prop_assume!(!edges.is_empty());
        let (i, j) = *pick.get(&edges);
        let name = |k: usize| format!("N{k}");
        let items: Vec<Item> = (0..w.len()).map(|k| with_limit(&name(k), w[k])).collect();
        let listing: Vec<(String, Vec<String>)> = perm
            .iter()
            .map(|&k| {
                let mut ns: Vec<String> = needs[k].iter().map(|&m| name(m)).collect();
                if k == j {
                    ns.push(name(i));
                }
                (name(k), ns)
            })
            .collect();
        let refs: Vec<(&str, Vec<&str>)> = listing
            .iter()
            .map(|(c, ns)| (c.as_str(), ns.iter().map(String::as_str).collect()))
            .collect();
        let entries: Vec<(&str, &[&str])> = refs.iter().map(|(c, ns)| (*c, ns.as_slice())).collect();
        let problems = plan_bundle(&bundle("YJS-P", &entries), lookup(&items)).unwrap_err();
        prop_assert!(!problems.is_empty());
        prop_assert!(problems.iter().all(|p| p.code == codes::BUNDLE_CYCLE));
        let (ni, nj) = (format!("{} (", name(i)), format!("{} (", name(j)));
        let named = problems.iter().any(|p| p.message.contains(&ni) && p.message.contains(&nj));
        prop_assert!(named, "{:?}", problems);
    }
}
