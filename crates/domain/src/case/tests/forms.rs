//! Application forms checked against their fields; separate because it tests
//! `case::form` with its own field fixtures.

use super::*;

fn field(key: &str, t: FieldType) -> FormField {
    FormField {
        key: key.into(),
        label: format!("{key}标签"),
        label_en: None,
        field_type: t,
        required: false,
        max_length: None,
        min: None,
        max: None,
        options: vec![],
        help: None,
    }
}

fn today() -> NaiveDate {
    d(2025, 9, 1)
}

fn data(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("not an object"),
    }
}

fn codes(r: Result<Map<String, Value>, Vec<FieldError>>) -> Vec<(String, &'static str)> {
    r.unwrap_err()
        .into_iter()
        .map(|e| (e.field, e.code))
        .collect()
}

#[test]
fn normalizes_every_type() {
    let mut name = field("name", FieldType::Text);
    name.required = true;
    name.max_length = Some(4);
    let mut age = field("age", FieldType::Number);
    age.min = Some(0.0);
    age.max = Some(150.0);
    let mut kind = field("kind", FieldType::Select);
    kind.options = strings(&["新办", "变更"]);
    let fields = vec![
        name,
        field("note", FieldType::Textarea),
        age,
        field("ratio", FieldType::Number),
        field("born", FieldType::Date),
        field("agree", FieldType::Bool),
        field("flag", FieldType::Bool),
        kind,
        field("id", FieldType::ResidentId),
        field("org", FieldType::CreditCode),
        field("phone", FieldType::Mobile),
        field("hukou_region", FieldType::Region),
        field("absent", FieldType::Text),
    ];
    let out = validate_form(
        &fields,
        &data(json!({
            "name": "  张三 ",
            "note": "多行\n说明",
            "age": "67",
            "ratio": 0.5,
            "born": "1958-03-01",
            "agree": true,
            "flag": "on",
            "kind": "新办",
            "id": "11010519491231002x",
            "org": "91350100m000100y43",
            "phone": "+86 138-0013-8000",
            "hukou_region": " 430481 ",
            "absent": "  ",
        })),
        today(),
    )
    .unwrap();
    assert_eq!(
        Value::Object(out),
        json!({
            "name": "张三",
            "note": "多行\n说明",
            "age": 67,
            "ratio": 0.5,
            "born": "1958-03-01",
            "agree": true,
            "flag": true,
            "kind": "新办",
            "id": "11010519491231002X",
            "org": "91350100M000100Y43",
            "phone": "13800138000",
            "hukou_region": "430481",
        })
    );
}

#[test]
fn reports_every_problem_at_once() {
    let mut name = field("name", FieldType::Text);
    name.required = true;
    let mut short = field("short", FieldType::Text);
    short.max_length = Some(2);
    let mut age = field("age", FieldType::Number);
    age.min = Some(0.0);
    age.max = Some(150.0);
    let mut kind = field("kind", FieldType::Select);
    kind.options = strings(&["新办", "变更"]);
    let mut agree = field("agree", FieldType::Bool);
    agree.required = true;
    let fields = vec![
        name,
        short,
        age,
        field("n2", FieldType::Number),
        field("born", FieldType::Date),
        field("born2", FieldType::Date),
        field("flag", FieldType::Bool),
        kind,
        field("id", FieldType::ResidentId),
        field("org", FieldType::CreditCode),
        field("phone", FieldType::Mobile),
        field("hukou_region", FieldType::Region),
        field("t", FieldType::Text),
        agree,
    ];
    let got = codes(validate_form(
        &fields,
        &data(json!({
            "name": null,
            "short": "三个字",
            "age": 151,
            "n2": "abc",
            "born": "2025-02-30",
            "born2": "2025-2-3",
            "flag": "maybe",
            "kind": "注销",
            "id": "110105194912310021",
            "org": "91350100M000100Y4",
            "phone": "12800138000",
            "hukou_region": "4304",
            "t": 5,
            "agree": false,
            "extra": "x",
        })),
        today(),
    ));
    let want: Vec<(String, &str)> = [
        ("name", "form.required"),
        ("short", "form.too_long"),
        ("age", "form.out_of_range"),
        ("n2", "form.wrong_type"),
        ("born", "form.invalid_date"),
        ("born2", "form.invalid_date"),
        ("flag", "form.wrong_type"),
        ("kind", "form.not_an_option"),
        ("id", "identity.checksum_mismatch"),
        ("org", "identity.wrong_length"),
        ("phone", "identity.mobile_bad_prefix"),
        ("hukou_region", "region.code_length"),
        ("t", "form.wrong_type"),
        ("extra", "form.unknown_field"),
    ]
    .into_iter()
    .map(|(f, c)| (f.to_owned(), c))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn messages_in_both_languages() {
    let mut name = field("name", FieldType::Text);
    name.required = true;
    name.label = "姓名".into();
    name.label_en = Some("Name".into());
    let mut born = field("id", FieldType::ResidentId);
    born.label = "身份证号".into();
    let errs = validate_form(
        &[name, born],
        &data(json!({"id": "11010520300101001X"})),
        today(),
    )
    .unwrap_err();
    assert_eq!(errs[0].message, "Name is required");
    assert_eq!(errs[0].message_zh, "姓名为必填项");
    assert_eq!(errs[1].code, "identity.birth_date_in_future");
    assert!(errs[1].message_zh.starts_with("身份证号："));
    let mut age = field("age", FieldType::Number);
    age.label = "年龄".into();
    age.min = Some(60.0);
    let e = validate_form(&[age], &data(json!({"age": 59})), today()).unwrap_err();
    assert_eq!(e[0].message_zh, "年龄应在 60 至 … 之间");
}

#[test]
fn credit_code_warnings_are_accepted() {
    // Well formed, but the check character does not verify: a warning, not an error.
    let parsed = crate::identity::CreditCode::parse("91350100M000100Y42").unwrap();
    assert!(!parsed.warnings.is_empty());
    let fields = [field("org", FieldType::CreditCode)];
    let out = validate_form(
        &fields,
        &data(json!({"org": "91350100M000100Y42"})),
        today(),
    );
    assert_eq!(out.unwrap()["org"], json!("91350100M000100Y42"));
}
