use super::read::line_at;
use super::*;
use crate::catalog::Catalog;
use crate::catalog::bundle::BundleItem;
use crate::catalog::fixtures::*;
use crate::catalog::item::*;
use crate::catalog::problem::{Problem, Subject, codes};

/// 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> u32 {
    let i = text.lines().position(|l| l.contains(needle));
    u32::try_from(i.unwrap_or_else(|| panic!("{needle:?} not in:\n{text}")) + 1).unwrap()
}

/// Replaces the `nth` (0-based) occurrence of `from`.
fn replace_nth(text: &str, from: &str, to: &str, nth: usize) -> String {
    let (i, _) = text
        .match_indices(from)
        .nth(nth)
        .unwrap_or_else(|| panic!("{from:?}"));
    format!("{}{}{}", &text[..i], to, &text[i + from.len()..])
}

fn rich_item() -> Item {
    let mut i = item("430400-RS-0001", "城乡居民基本养老保险参保登记");
    i.aliases = vec!["养老保险参保".into(), "居民养老保险登记".into()];
    i.life_events = vec!["elderly".into(), "birth".into()];
    i.standard.conditions = "年满16周岁（不含在校学生），非国家机关和事业单位工作人员，\n不属于职工基本养老保险制度覆盖范围的城乡居民".into();
    i.standard.fee_basis = Some("不收费".into());
    i.standard.result.certificate_type = Some("参保证明".into());
    i.standard
        .legal_basis
        .push("《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）".into());
    let mut hk = material("M-HK", "户口簿");
    hk.form = MaterialForm::Original;
    hk.tolerable_days = Some(5);
    hk.note = Some("户主页和本人页".into());
    let mut poa = material("M-POA", "授权委托书");
    poa.requirement = Requirement::Conditional;
    poa.condition = Some("委托他人办理的".into());
    poa.replaceable_by_commitment = true;
    poa.e_certificate = Some("授权委托书".into());
    i.materials.extend([hk, poa]);
    let mut sel = field("marital", FieldType::Select);
    sel.options = vec!["未婚".into(), "已婚".into(), "离异".into(), "丧偶".into()];
    sel.label_en = Some("Marital \"status\"".into());
    sel.help = Some("按户口簿\\填写".into());
    let mut age = field("age", FieldType::Number);
    age.min = Some(16.0);
    age.max = Some(120.5);
    i.fields.extend([sel, age]);
    i.steps[1].name = "初审".into();
    i.modes = vec![
        HandlingMode::Online,
        HandlingMode::Tolerance,
        HandlingMode::Commitment,
    ];
    i.tolerance = Some(ToleranceSettings {
        on_expiry: ToleranceExpiry::Suspend,
    });
    i.commitment = Some(CommitmentSettings {
        text: "本人承诺：\n所提供信息真实有效。".into(),
        verification_percent: 20,
        bar_days: 365,
    });
    i
}

fn valid_files() -> Vec<SourceFile> {
    let mut b = item("430400-MZ-0001", "老年人优待证办理");
    b.department_type = "civil_affairs".into();
    let c = catalog(
        vec![rich_item(), b],
        vec![bundle(
            "YJS-LN",
            &[
                ("430400-RS-0001", &[]),
                ("430400-MZ-0001", &["430400-RS-0001"]),
            ],
        )],
    );
    render_catalog(&c)
}

fn file<'a>(files: &'a [SourceFile], path: &str) -> &'a SourceFile {
    files.iter().find(|f| f.path == path).unwrap()
}

fn set(files: &mut [SourceFile], path: &str, text: String) {
    files.iter_mut().find(|f| f.path == path).unwrap().text = text;
}

const RS: &str = "items/hrss/430400-RS-0001.toml";
const MZ: &str = "items/civil_affairs/430400-MZ-0001.toml";
const YJS: &str = "bundles/YJS-LN.toml";

#[test]
fn rendered_item_reads_well_and_round_trips() {
    let item = rich_item();
    let text = render_item(&item);
    let order: Vec<u32> = [
        "code = ",
        "committed_limit_days",
        "jurisdiction = ",
        "[standard]",
        "[standard.result]",
        "[tolerance]",
        "[commitment]",
        "[[materials]]",
        "[[fields]]",
        "[[steps]]",
    ]
    .iter()
    .map(|n| line_of(&text, n))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}\n{text}");
    assert!(
        !text.contains("replaceable_by_commitment = false"),
        "{text}"
    );
    assert!(text.contains("replaceable_by_commitment = true"));
    assert!(!text.contains("= {"), "no inline tables:\n{text}");
    assert!(
        text.contains("legal_basis = [\n    \""),
        "long list wrapped:\n{text}"
    );
    assert!(
        text.contains("modes = [\"online\", \"tolerance\", \"commitment\"]\n"),
        "{text}"
    );
    let back = parse_item(&SourceFile::new(item_file_path(&item), text.clone())).unwrap();
    assert_eq!(back, item);
    assert_eq!(render_item(&back), text, "rendering is stable");
}

#[test]
fn whole_catalog_round_trips() {
    let files = valid_files();
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, [YJS, "catalog.toml", MZ, RS]);
    let catalog = parse_catalog(&files).unwrap();
    assert_eq!(
        catalog.items[0].code, "430400-MZ-0001",
        "items in path order"
    );
    assert_eq!(render_catalog(&catalog), files);
    // Order of the input does not matter; non-TOML files are ignored.
    let mut shuffled = files.clone();
    shuffled.reverse();
    shuffled.push(SourceFile::new("README.md", "# 目录"));
    assert_eq!(parse_catalog(&shuffled).unwrap(), catalog);
}

#[test]
fn fingerprint_ignores_layout_but_not_content() {
    let item = rich_item();
    let text = render_item(&item);
    let shuffled = format!("# 注释\n{}", text.replace("\n\n", "\n\n# more\n"));
    let again = parse_item(&SourceFile::new(RS, shuffled)).unwrap();
    assert_eq!(content_fingerprint(&again), content_fingerprint(&item));
    let mut changed = item.clone();
    changed.committed_limit_days = 9;
    assert_ne!(content_fingerprint(&changed), content_fingerprint(&item));
    assert!(content_fingerprint(&item).starts_with("{\"code\":\"430400-RS-0001\""));
}

#[test]
fn canonical_paths() {
    assert_eq!(item_file_path(&rich_item()), RS);
    assert_eq!(bundle_file_path(&bundle("YJS-LN", &[])), YJS);
}

#[test]
fn syntax_error_has_file_and_line() {
    let mut files = valid_files();
    let text = replace_nth(
        &file(&files, RS).text,
        "name = \"户口簿\"",
        "name = \"户口簿",
        0,
    );
    let line = line_of(&text, "name = \"户口簿");
    set(&mut files, RS, text);
    let problems = parse_catalog(&files).unwrap_err();
    let p = &problems[0];
    assert_eq!(
        (p.code, p.file.as_deref(), p.line),
        (codes::TOML_SYNTAX, Some(RS), Some(line))
    );
    assert_eq!(
        problems.len(),
        1,
        "the bundle does not also complain: {problems:?}"
    );
}

#[test]
fn format_errors_from_all_files_in_one_run() {
    let mut files = valid_files();
    // Item RS: two bad materials, an unknown top-level key and a bad enum.
    let mut rs = file(&files, RS).text.clone();
    rs = replace_nth(&rs, "form = \"original\"", "form = \"scan\"", 0);
    rs = replace_nth(&rs, "code = \"M-POA\"", "code = \"M-POA\"\ncopise = 2", 0);
    rs = replace_nth(
        &rs,
        "kind = \"public_service\"",
        "kind = \"public_service\"\nowner = \"x\"",
        0,
    );
    rs = replace_nth(&rs, "scope = \"city\"", "scope = \"planet\"", 0);
    rs = replace_nth(&rs, "role = \"clerk\"", "role = 3", 0);
    // Item MZ: a missing key in [standard] and a missing top-level key.
    let mut mz = file(&files, MZ).text.clone();
    mz = replace_nth(&mz, "place = ", "# place = ", 0);
    mz = replace_nth(&mz, "audience = \"person\"\n", "", 0);
    // Bundle: a key of the wrong type inside [[items]].
    let yjs = replace_nth(&file(&files, YJS).text, "needs = [", "needs = 7\nx = [", 0);
    // Index: an unknown key in a department type.
    let idx = replace_nth(
        &file(&files, "catalog.toml").text,
        "short_name = \"人社\"",
        "short = \"人社\"",
        0,
    );
    set(&mut files, RS, rs.clone());
    set(&mut files, MZ, mz.clone());
    set(&mut files, YJS, yjs.clone());
    set(&mut files, "catalog.toml", idx.clone());

    let problems = parse_catalog(&files).unwrap_err();
    let got: Vec<(&str, &str, &str, u32)> = problems
        .iter()
        .map(|p| {
            (
                p.file.as_deref().unwrap(),
                p.code,
                p.path.as_str(),
                p.line.unwrap_or(0),
            )
        })
        .collect();
    let want = vec![
        (
            YJS,
            codes::WRONG_TYPE,
            "items[1].needs",
            line_of(&yjs, "needs = 7"),
        ),
        (
            YJS,
            codes::UNKNOWN_KEY,
            "items[1].x",
            line_of(&yjs, "x = ["),
        ),
        // A missing key points at its table's header.
        (
            "catalog.toml",
            codes::MISSING_KEY,
            "department_types[0].short_name",
            line_of(&idx, "[[department_types]]"),
        ),
        (
            "catalog.toml",
            codes::UNKNOWN_KEY,
            "department_types[0].short",
            line_of(&idx, "short = "),
        ),
        (MZ, codes::MISSING_KEY, "audience", 1),
        (
            MZ,
            codes::MISSING_KEY,
            "standard.place",
            line_of(&mz, "[standard]"),
        ),
        (RS, codes::UNKNOWN_KEY, "owner", line_of(&rs, "owner = ")),
        (RS, codes::BAD_VALUE, "scope", line_of(&rs, "planet")),
        (
            RS,
            codes::BAD_VALUE,
            "materials[1].form",
            line_of(&rs, "\"scan\""),
        ),
        (
            RS,
            codes::UNKNOWN_KEY,
            "materials[2].copise",
            line_of(&rs, "copise"),
        ),
        (
            RS,
            codes::WRONG_TYPE,
            "steps[0].role",
            line_of(&rs, "role = 3"),
        ),
    ];
    assert_eq!(got, want, "{problems:#?}");
    let unknown = problems.iter().find(|p| p.path == "owner").unwrap();
    assert!(
        unknown.message.contains("unknown field `owner`"),
        "{}",
        unknown.message
    );
    assert!(
        unknown.message_zh.contains("不认识的键 `owner`"),
        "{}",
        unknown.message_zh
    );
    assert_eq!(unknown.subject, Subject::Item("430400-RS-0001".into()));
}

#[test]
fn semantic_problems_get_file_and_line() {
    let mut files = valid_files();
    let mut rs = file(&files, RS).text.clone();
    rs = replace_nth(&rs, "tolerable_days = 5", "tolerable_days = 0", 0);
    rs = replace_nth(
        &rs,
        "committed_limit_days = 10",
        "committed_limit_days = 30",
        0,
    );
    let mut mz = file(&files, MZ).text.clone();
    mz = replace_nth(&mz, "name = \"居民身份证\"", "name = \"身份证\"", 0);
    mz = replace_nth(
        &mz,
        "department_type = \"civil_affairs\"",
        "department_type = \"police\"",
        0,
    );
    // A rule about a key that is absent points at its parent: the [[materials]] table.
    mz = replace_nth(
        &mz,
        "requirement = \"required\"",
        "requirement = \"conditional\"",
        0,
    );
    let yjs = replace_nth(
        &file(&files, YJS).text,
        "needs = [\"430400-RS-0001\"]",
        "needs = [\"430400-MZ-0001\"]",
        0,
    );
    set(&mut files, RS, rs.clone());
    set(&mut files, MZ, mz.clone());
    set(&mut files, YJS, yjs.clone());
    let problems = parse_catalog(&files).unwrap_err();
    let got: Vec<(&str, &str, &str, u32)> = problems
        .iter()
        .map(|p| {
            (
                p.file.as_deref().unwrap(),
                p.code,
                p.path.as_str(),
                p.line.unwrap_or(0),
            )
        })
        .collect();
    let want = vec![
        (
            YJS,
            codes::BUNDLE_CYCLE,
            "items[1].needs[0]",
            line_of(&yjs, "needs = [\"430400-MZ"),
        ),
        (
            MZ,
            codes::UNKNOWN_DEPARTMENT_TYPE,
            "department_type",
            line_of(&mz, "police"),
        ),
        (
            MZ,
            codes::CONDITIONAL_WITHOUT_CONDITION,
            "materials[0].condition",
            line_of(&mz, "[[materials]]"),
        ),
        (
            RS,
            codes::COMMITTED_OVER_LEGAL,
            "committed_limit_days",
            line_of(&rs, "committed_limit_days"),
        ),
        // MZ's file comes first, so RS's name is the one that conflicts.
        (
            RS,
            codes::MATERIAL_NAME_CONFLICT,
            "materials[0].name",
            line_of(&rs, "\"居民身份证\""),
        ),
        (
            RS,
            codes::TOLERABLE_DAYS_ZERO,
            "materials[1].tolerable_days",
            line_of(&rs, "tolerable_days = 0"),
        ),
    ];
    assert_eq!(got, want, "{problems:#?}");
}

#[test]
fn folder_problems() {
    let mut files = valid_files();
    files.retain(|f| f.path != "catalog.toml");
    files.push(SourceFile::new("notes/extra.toml", "a = 1"));
    files.push(file(&files, YJS).clone());
    let mut renamed = file(&files, MZ).clone();
    renamed.path = "items/civil_affairs/old-name.toml".into();
    files.retain(|f| f.path != MZ);
    files.push(renamed);
    let problems = parse_catalog(&files).unwrap_err();
    let got: Vec<(&str, &str)> = problems
        .iter()
        .map(|p| (p.file.as_deref().unwrap(), p.code))
        .collect();
    assert_eq!(
        got,
        [
            (YJS, codes::DUPLICATE_FILE),
            ("catalog.toml", codes::MISSING_INDEX),
            (
                "items/civil_affairs/old-name.toml",
                codes::FILE_NAME_MISMATCH
            ),
            ("notes/extra.toml", codes::UNEXPECTED_FILE),
        ],
        "{problems:#?}"
    );
}

#[test]
fn locate_problems_maps_paths_to_lines() {
    let text = render_item(&rich_item());
    let f = SourceFile::new(RS, text.clone());
    let mut ps = vec![
        Problem::new(
            Subject::Index,
            "fields[2].options[1]",
            codes::DUPLICATE_OPTION,
            "",
            "",
        ),
        Problem::new(
            Subject::Index,
            "steps[1].nothing",
            codes::EMPTY_NAME,
            "",
            "",
        ),
        Problem::new(Subject::Index, "", codes::EMPTY_NAME, "", ""),
    ];
    locate_problems(&f, &mut ps);
    let idx = text.lines().position(|l| l.contains("\"已婚\"")).unwrap();
    assert!(ps[0].line.unwrap() as usize <= idx + 1);
    let steps_1 = text
        .match_indices("[[steps]]")
        .nth(1)
        .map(|(i, _)| line_at(&text, i));
    assert_eq!(ps[1].line, steps_1);
    assert_eq!(ps[2].line, None);
    assert_eq!(ps[0].file.as_deref(), Some(RS));
}

#[test]
fn index_and_bundle_round_trip() {
    let idx = index();
    assert_eq!(
        parse_index(&SourceFile::new("catalog.toml", render_index(&idx))).unwrap(),
        idx
    );
    let b = bundle("YJS-1", &[("A", &[]), ("B", &["A"])]);
    let text = render_bundle(&b);
    assert!(
        text.contains("[[items]]\nitem = \"B\"\nneeds = [\"A\"]"),
        "{text}"
    );
    assert_eq!(
        parse_bundle(&SourceFile::new(bundle_file_path(&b), text)).unwrap(),
        b
    );
}

/// The examples in docs/CATALOG.md are in the format, and the index and item are valid.
#[test]
fn documented_examples_are_valid() {
    let doc = include_str!("../../../../../docs/CATALOG.md");
    let files: Vec<SourceFile> = doc
        .split("```toml\n")
        .skip(1)
        .filter_map(|block| {
            let block = block.split("```").next()?;
            let path = block.lines().next()?.strip_prefix("# file: ")?;
            Some(SourceFile::new(path, block))
        })
        .collect();
    assert_eq!(files.len(), 3);
    let index = parse_index(&files[0]).unwrap();
    let item = parse_item(&files[1]).unwrap();
    parse_bundle(&files[2]).unwrap();
    let catalog = Catalog {
        index,
        items: vec![item],
        bundles: vec![],
    };
    assert_eq!(crate::catalog::validate_catalog(&catalog), vec![]);
    assert_eq!(parse_catalog(&files[..2]).unwrap(), catalog);
}

mod props; // property: parse(render(x)) == x for any item or bundle
