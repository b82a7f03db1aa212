use super::*;
use crate::catalog::fixtures::*;
use crate::catalog::item::{
    CommitmentSettings, DepartmentLevel, MaterialForm, ToleranceExpiry, ToleranceSettings,
};

fn problems_of(catalog: &Catalog) -> Vec<(&'static str, String)> {
    validate_catalog(catalog)
        .into_iter()
        .map(|p| (p.code, p.path))
        .collect()
}

/// Changes one item of a valid catalog and returns its problems as (code, path).
fn item_problems(change: impl FnOnce(&mut Item)) -> Vec<(&'static str, String)> {
    let mut it = item("430400-RS-0001", "养老保险参保登记");
    change(&mut it);
    problems_of(&catalog(vec![it], vec![]))
}

fn has(problems: &[(&'static str, String)], code: &str, path: &str) -> bool {
    problems.iter().any(|(c, p)| *c == code && p == path)
}

#[track_caller]
fn expect_only(problems: Vec<(&'static str, String)>, code: &str, path: &str) {
    assert_eq!(problems, vec![(code_static(code), path.to_owned())]);
}

fn code_static(code: &str) -> &'static str {
    codes::ALL
        .iter()
        .find(|c| **c == code)
        .copied()
        .unwrap_or("?")
}

#[test]
fn the_fixture_catalog_is_valid() {
    let items = vec![item("A", "甲"), item("B", "乙")];
    let c = catalog(items, vec![bundle("YJS-1", &[("A", &[]), ("B", &["A"])])]);
    assert_eq!(validate_catalog(&c), vec![]);
}

#[test]
fn index_rules() {
    let mut c = catalog(vec![], vec![]);
    c.index.name = " ".into();
    c.index.city = "4304".into();
    let mut dup = c.index.department_types[0].clone();
    dup.levels.clear();
    dup.short_name.clear();
    c.index.department_types.push(dup);
    c.index.life_events[1].key = "Birth Event".into();
    let mut ev = c.index.life_events[0].clone();
    ev.name.clear();
    c.index.life_events.push(ev);
    let got = problems_of(&c);
    let want = [
        (codes::EMPTY_NAME, "name"),
        (codes::BAD_CITY_CODE, "city"),
        (codes::DUPLICATE_DEPARTMENT_TYPE, "department_types[3].key"),
        (codes::EMPTY_NAME, "department_types[3].short_name"),
        (
            codes::DEPARTMENT_TYPE_WITHOUT_LEVELS,
            "department_types[3].levels",
        ),
        (codes::BAD_KEY, "life_events[1].key"),
        (codes::DUPLICATE_LIFE_EVENT, "life_events[3].key"),
        (codes::EMPTY_NAME, "life_events[3].name"),
    ];
    let want: Vec<(&str, String)> = want.iter().map(|(c, p)| (*c, p.to_string())).collect();
    assert_eq!(got, want);
}

#[test]
fn names_codes_and_limits() {
    expect_only(
        item_problems(|i| i.name = "".into()),
        codes::EMPTY_NAME,
        "name",
    );
    expect_only(
        item_problems(|i| i.code = "A/B".into()),
        codes::BAD_CODE,
        "code",
    );
    expect_only(
        item_problems(|i| i.committed_limit_days = 21),
        codes::COMMITTED_OVER_LEGAL,
        "committed_limit_days",
    );
    let c = catalog(vec![item("A", "甲"), item("A", "乙")], vec![]);
    let got = validate_catalog(&c);
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0].code, got[0].path.as_str()),
        (codes::DUPLICATE_ITEM_CODE, "code")
    );
    assert_eq!(got[0].subject, Subject::Item("A".into()));
}

#[test]
fn department_and_life_events() {
    expect_only(
        item_problems(|i| i.department_type = "police".into()),
        codes::UNKNOWN_DEPARTMENT_TYPE,
        "department_type",
    );
    expect_only(
        item_problems(|i| i.department_type = "housing_fund".into()),
        codes::DEPARTMENT_LEVEL_NOT_AVAILABLE,
        "department_level",
    );
    let ok = item_problems(|i| {
        i.department_type = "housing_fund".into();
        i.department_level = DepartmentLevel::City;
    });
    assert_eq!(ok, vec![]);
    expect_only(
        item_problems(|i| i.life_events.push("wedding".into())),
        codes::UNKNOWN_LIFE_EVENT,
        "life_events[1]",
    );
    expect_only(
        item_problems(|i| i.life_events = vec!["birth".into(), "business_start".into()]),
        codes::LIFE_EVENT_AUDIENCE_MISMATCH,
        "life_events[1]",
    );
}

#[test]
fn fee_and_result() {
    expect_only(
        item_problems(|i| i.standard.fee_yuan = -1.0),
        codes::BAD_FEE,
        "standard.fee_yuan",
    );
    expect_only(
        item_problems(|i| i.standard.fee_yuan = 10.0),
        codes::FEE_WITHOUT_BASIS,
        "standard.fee_yuan",
    );
    assert_eq!(
        item_problems(|i| {
            i.standard.fee_yuan = 10.0;
            i.standard.fee_basis = Some("湘发改价费〔2020〕1号".into());
        }),
        vec![]
    );
    expect_only(
        item_problems(|i| i.standard.result.kind = ResultKind::Certificate),
        codes::CERTIFICATE_WITHOUT_TYPE,
        "standard.result.certificate_type",
    );
}

fn tolerable(i: &mut Item, days: u32) {
    i.materials[0].tolerable_days = Some(days);
    i.tolerance = Some(ToleranceSettings {
        on_expiry: ToleranceExpiry::Terminate,
    });
    i.modes.push(HandlingMode::Tolerance);
}

#[test]
fn tolerance_rules() {
    assert_eq!(item_problems(|i| tolerable(i, 5)), vec![]);
    let p = "materials[0].tolerable_days";
    expect_only(
        item_problems(|i| tolerable(i, 0)),
        codes::TOLERABLE_DAYS_ZERO,
        p,
    );
    expect_only(
        item_problems(|i| tolerable(i, 11)),
        codes::TOLERABLE_DAYS_OVER_LIMIT,
        p,
    );
    expect_only(
        item_problems(|i| {
            tolerable(i, 3);
            i.committed_limit_days = 0;
        }),
        codes::TOLERABLE_ON_INSTANT_ITEM,
        p,
    );
    expect_only(
        item_problems(|i| {
            tolerable(i, 3);
            i.tolerance = None;
        }),
        codes::TOLERABLE_WITHOUT_SETTINGS,
        p,
    );
    expect_only(
        item_problems(|i| {
            tolerable(i, 3);
            i.modes.retain(|m| *m != HandlingMode::Tolerance);
        }),
        codes::TOLERABLE_WITHOUT_MODE,
        p,
    );
    expect_only(
        item_problems(|i| i.modes.push(HandlingMode::Tolerance)),
        codes::TOLERANCE_MODE_WITHOUT_MATERIAL,
        "modes[1]",
    );
}

fn replaceable(i: &mut Item) {
    i.materials[0].replaceable_by_commitment = true;
    i.commitment = Some(CommitmentSettings {
        text: "本人承诺所填信息真实".into(),
        verification_percent: 10,
        bar_days: 365,
    });
    i.modes.push(HandlingMode::Commitment);
}

#[test]
fn commitment_rules() {
    assert_eq!(item_problems(replaceable), vec![]);
    let p = "materials[0].replaceable_by_commitment";
    expect_only(
        item_problems(|i| {
            replaceable(i);
            i.commitment = None;
        }),
        codes::REPLACEABLE_WITHOUT_SETTINGS,
        p,
    );
    expect_only(
        item_problems(|i| {
            replaceable(i);
            i.modes.retain(|m| *m != HandlingMode::Commitment);
        }),
        codes::REPLACEABLE_WITHOUT_MODE,
        p,
    );
    expect_only(
        item_problems(|i| i.modes.push(HandlingMode::Commitment)),
        codes::COMMITMENT_MODE_WITHOUT_MATERIAL,
        "modes[1]",
    );
    expect_only(
        item_problems(|i| {
            replaceable(i);
            if let Some(c) = &mut i.commitment {
                c.verification_percent = 101;
            }
        }),
        codes::VERIFICATION_PERCENT_OVER_100,
        "commitment.verification_percent",
    );
}

#[test]
fn material_rules() {
    expect_only(
        item_problems(|i| i.materials.push(material("M-ID", "居民身份证"))),
        codes::DUPLICATE_MATERIAL,
        "materials[1].code",
    );
    expect_only(
        item_problems(|i| i.materials[0].copies = 0),
        codes::ZERO_COPIES,
        "materials[0].copies",
    );
    expect_only(
        item_problems(|i| i.materials[0].requirement = Requirement::Conditional),
        codes::CONDITIONAL_WITHOUT_CONDITION,
        "materials[0].condition",
    );
    expect_only(
        item_problems(|i| i.materials[0].name = "".into()),
        codes::EMPTY_NAME,
        "materials[0].name",
    );
}

#[test]
fn material_name_conflict_names_both_places() {
    let a = item("A", "甲");
    let mut b = item("B", "乙");
    b.materials.insert(0, material("M-HK", "户口簿"));
    b.materials[1].name = "身份证".into();
    b.materials[1].form = MaterialForm::Original; // form may differ; the name may not
    let problems = validate_catalog(&catalog(vec![a, b], vec![]));
    assert_eq!(problems.len(), 1);
    let p = &problems[0];
    assert_eq!(
        (p.code, p.path.as_str()),
        (codes::MATERIAL_NAME_CONFLICT, "materials[1].name")
    );
    assert_eq!(p.subject, Subject::Item("B".into()));
    assert!(
        p.message
            .contains("\"身份证\" here but \"居民身份证\" in item A (materials[0])"),
        "{}",
        p.message
    );
}

#[test]
fn step_rules() {
    use StepKind::*;
    expect_only(item_problems(|i| i.steps.clear()), codes::NO_STEPS, "steps");
    let got = item_problems(|i| i.steps.swap(0, 1));
    assert!(
        has(&got, codes::FIRST_STEP_NOT_ACCEPT, "steps[0].kind"),
        "{got:?}"
    );
    let got = item_problems(|i| i.steps.swap(1, 2));
    expect_only(got, codes::STEP_OUT_OF_ORDER, "steps[2].kind");
    let got = item_problems(|i| {
        i.steps[2] = step(Review, Role::Approver, 20);
    });
    expect_only(got, codes::DUPLICATE_STEP, "steps[2].kind");
    let got = item_problems(|i| {
        i.steps.pop();
        i.steps.push(step(Deliver, Role::Clerk, 20));
    });
    expect_only(got, codes::MISSING_CONCLUDE_STEP, "steps");
    expect_only(
        item_problems(|i| i.steps[0].share_percent = 10),
        codes::STEP_SHARES_NOT_100,
        "steps",
    );
    expect_only(
        item_problems(|i| i.steps[2].role = Role::Clerk),
        codes::STEP_ROLE_NOT_ALLOWED,
        "steps[2].role",
    );
    expect_only(
        item_problems(|i| i.steps[3].role = Role::Applicant),
        codes::STEP_ROLE_NOT_ALLOWED,
        "steps[3].role",
    );
    // An instant item may be decided at the window, and may still have a review step.
    assert_eq!(
        item_problems(|i| {
            i.committed_limit_days = 0;
            i.steps[2].role = Role::Clerk;
        }),
        vec![]
    );
    let got = item_problems(|i| {
        i.kind = ItemKind::Licence;
        i.steps.remove(2);
        i.steps[1].share_percent = 60;
    });
    expect_only(got, codes::DECISION_WITHOUT_DECIDE_STEP, "steps");
}

#[test]
fn field_rules() {
    let add = |f: crate::catalog::item::FormField| move |i: &mut Item| i.fields.push(f);
    expect_only(
        item_problems(add(field("applicant_name", FieldType::Text))),
        codes::DUPLICATE_FIELD_KEY,
        "fields[2].key",
    );
    expect_only(
        item_problems(add(field("Bad-Key", FieldType::Text))),
        codes::BAD_KEY,
        "fields[2].key",
    );
    expect_only(
        item_problems(add(field("marital", FieldType::Select))),
        codes::SELECT_WITHOUT_OPTIONS,
        "fields[2].options",
    );
    let mut sel = field("marital", FieldType::Select);
    sel.options = vec!["未婚".into(), "已婚".into(), "未婚".into()];
    expect_only(
        item_problems(add(sel)),
        codes::DUPLICATE_OPTION,
        "fields[2].options[2]",
    );
    let mut num = field("age", FieldType::Number);
    num.min = Some(10.0);
    num.max = Some(5.0);
    expect_only(
        item_problems(add(num)),
        codes::MIN_OVER_MAX,
        "fields[2].min",
    );
    let mut text = field("note", FieldType::Text);
    text.max_length = Some(0);
    expect_only(
        item_problems(add(text)),
        codes::MAX_LENGTH_ZERO,
        "fields[2].max_length",
    );
    let mut date = field("born", FieldType::Date);
    date.max_length = Some(10);
    date.min = Some(0.0);
    date.options = vec!["x".into()];
    let got = item_problems(add(date));
    for path in ["fields[2].options", "fields[2].max_length", "fields[2].min"] {
        assert!(has(&got, codes::CONSTRAINT_NOT_APPLICABLE, path), "{got:?}");
    }
    assert_eq!(got.len(), 3);
    expect_only(
        item_problems(|i| i.fields[0].label.clear()),
        codes::EMPTY_NAME,
        "fields[0].label",
    );
}

#[test]
fn jurisdiction_rules() {
    expect_only(
        item_problems(|i| {
            i.fields.pop();
        }),
        codes::JURISDICTION_FIELD_MISSING,
        "jurisdiction",
    );
    expect_only(
        item_problems(|i| i.fields[1].field_type = FieldType::Text),
        codes::JURISDICTION_FIELD_NOT_REGION,
        "fields[1].type",
    );
    assert_eq!(
        item_problems(|i| i.jurisdiction = JurisdictionRule::ReceivingCenter),
        vec![]
    );
    let got = item_problems(|i| {
        i.jurisdiction = JurisdictionRule::RegisteredAddress;
        i.fields[1].key = "registered_region".into();
    });
    expect_only(got, codes::JURISDICTION_AUDIENCE_MISMATCH, "jurisdiction");
}

#[test]
fn bundle_rules() {
    let mut org = item("C", "丙");
    org.audience = Audience::Organization;
    org.life_events = vec!["business_start".into()];
    org.jurisdiction = JurisdictionRule::ReceivingCenter;
    let items = vec![item("A", "甲"), item("B", "乙"), org];
    let mut b1 = bundle(
        "YJS-1",
        &[("A", &[]), ("B", &["A", "Z"]), ("C", &[]), ("Q", &[])],
    );
    b1.life_event = "business_start".into();
    b1.name.clear();
    let b2 = bundle("YJS-1", &[("A", &["B"]), ("B", &["A"])]);
    let b3 = bundle("YJS/3", &[]);
    let got = problems_of(&catalog(items, vec![b1, b2, b3]));
    let want = [
        (codes::EMPTY_NAME, "name"),
        (codes::LIFE_EVENT_AUDIENCE_MISMATCH, "life_event"),
        (codes::BUNDLE_AUDIENCE_MISMATCH, "items[2].item"),
        (codes::BUNDLE_UNKNOWN_ITEM, "items[3].item"),
        (codes::BUNDLE_UNKNOWN_NEED, "items[1].needs[1]"),
        (codes::DUPLICATE_BUNDLE_CODE, "code"),
        (codes::BUNDLE_CYCLE, "items[0].needs[0]"),
        (codes::BAD_CODE, "code"),
        (codes::BUNDLE_EMPTY, "items"),
    ];
    let want: Vec<(&str, String)> = want.iter().map(|(c, p)| (*c, p.to_string())).collect();
    assert_eq!(got, want);
}

#[test]
fn unreadable_items_are_not_reported_again_by_bundles() {
    let b = bundle("YJS-1", &[("A", &[]), ("B", &[])]);
    let unreadable = BTreeSet::from(["B".to_owned()]);
    let got = check(Some(&index()), &[item("A", "甲")], &[b], &unreadable);
    assert!(got.is_empty(), "{got:?}");
}
