//! 申请表单校验 — an application form checked against its (merged) fields.
//!
//! Every problem is reported at once (一次性告知), each with a stable code: `form.required`,
//! `form.unknown_field`, `form.wrong_type`, `form.too_long`, `form.out_of_range`,
//! `form.not_an_option`, `form.invalid_date`, and for identity and region fields the codes of
//! [`crate::identity`] (`identity.checksum_mismatch` …) and [`crate::region`] (`region.code_length`
//! …). HTML forms post strings, so numbers and booleans may also come as strings.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Map, Number, Value};

use crate::catalog::{FieldType, FormField};
use crate::identity::{CreditCode, Mobile, ResidentId};
use crate::region::RegionCode;

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's key.
    pub field: String,
    pub code: &'static str,
    pub message: String,
    pub message_zh: String,
}

/// Checks `data` against `fields` and returns it normalized: strings trimmed, numbers as JSON
/// numbers (integers when whole), booleans as JSON booleans, mobile numbers as their 11 digits,
/// resident IDs with an uppercase X, credit codes uppercase, region codes trimmed. Empty strings
/// and `null` count as absent and are left out. `today` bounds resident ID birth dates.
///
/// Credit codes whose doubts are only warnings (pilot-era check characters) are accepted.
pub fn validate_form(
    fields: &[FormField],
    data: &Map<String, Value>,
    today: NaiveDate,
) -> Result<Map<String, Value>, Vec<FieldError>> {
    let mut out = Map::new();
    let mut errors = Vec::new();
    for field in fields {
        let value = data.get(&field.key).filter(|v| !is_blank(v));
        let Some(value) = value else {
            if field.required {
                errors.push(err(
                    field,
                    "form.required",
                    format!("{} is required", label_en(field)),
                    format!("{}为必填项", field.label),
                ));
            }
            continue;
        };
        match check(field, value, today) {
            Ok(v) => {
                out.insert(field.key.clone(), v);
            }
            Err(e) => errors.push(e),
        }
    }
    for key in data.keys() {
        if !fields.iter().any(|f| &f.key == key) {
            errors.push(FieldError {
                field: key.clone(),
                code: "form.unknown_field",
                message: format!("{key} is not a field of this form"),
                message_zh: format!("{key} 不是本表单的字段"),
            });
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

fn label_en(field: &FormField) -> &str {
    field.label_en.as_deref().unwrap_or(&field.label)
}

fn err(field: &FormField, code: &'static str, message: String, message_zh: String) -> FieldError {
    FieldError {
        field: field.key.clone(),
        code,
        message,
        message_zh,
    }
}

fn type_en(t: FieldType) -> &'static str {
    match t {
        FieldType::Text | FieldType::Textarea => "text",
        FieldType::Number => "a number",
        FieldType::Date => "a date (YYYY-MM-DD)",
        FieldType::Bool => "yes or no",
        FieldType::Select => "one of the options",
        FieldType::ResidentId => "a resident ID number",
        FieldType::CreditCode => "a unified social credit code",
        FieldType::Mobile => "a mobile number",
        FieldType::Region => "a region code",
    }
}

fn type_zh(t: FieldType) -> &'static str {
    match t {
        FieldType::Text | FieldType::Textarea => "文本",
        FieldType::Number => "数字",
        FieldType::Date => "日期（YYYY-MM-DD）",
        FieldType::Bool => "是或否",
        FieldType::Select => "选项之一",
        FieldType::ResidentId => "公民身份号码",
        FieldType::CreditCode => "统一社会信用代码",
        FieldType::Mobile => "手机号码",
        FieldType::Region => "行政区划代码",
    }
}

fn check(field: &FormField, value: &Value, today: NaiveDate) -> Result<Value, FieldError> {
    let wrong_type = || {
        err(
            field,
            "form.wrong_type",
            format!("{} must be {}", label_en(field), type_en(field.field_type)),
            format!("{}应为{}", field.label, type_zh(field.field_type)),
        )
    };
    match field.field_type {
        FieldType::Number => {
            let n = match value {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => s.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
                _ => None,
            }
            .ok_or_else(wrong_type)?;
            let below = field.min.is_some_and(|min| n < min);
            let above = field.max.is_some_and(|max| n > max);
            if below || above {
                let bound = |b: Option<f64>| b.map_or_else(|| "…".to_owned(), |b| b.to_string());
                let (lo, hi) = (bound(field.min), bound(field.max));
                return Err(err(
                    field,
                    "form.out_of_range",
                    format!("{} must be between {lo} and {hi}", label_en(field)),
                    format!("{}应在 {lo} 至 {hi} 之间", field.label),
                ));
            }
            Ok(number(n))
        }
        FieldType::Bool => match value {
            Value::Bool(b) => Ok(Value::Bool(*b)),
            Value::String(s) => match s.trim() {
                "true" | "on" | "1" | "yes" | "是" => Ok(Value::Bool(true)),
                "false" | "off" | "0" | "no" | "否" => Ok(Value::Bool(false)),
                _ => Err(wrong_type()),
            },
            _ => Err(wrong_type()),
        },
        _ => {
            let s = value.as_str().ok_or_else(wrong_type)?.trim();
            check_text(field, s, today).map(Value::String)
        }
    }
}

fn number(n: f64) -> Value {
    // Whole numbers within ±2^53 are exact in f64 and become integers.
    if n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_992.0 {
        #[allow(clippy::cast_possible_truncation)]
        return Value::Number(Number::from(n as i64));
    }
    Number::from_f64(n).map_or(Value::Null, Value::Number)
}

fn check_text(field: &FormField, s: &str, today: NaiveDate) -> Result<String, FieldError> {
    match field.field_type {
        FieldType::Text | FieldType::Textarea => {
            let len = s.chars().count();
            if let Some(max) = field.max_length
                && len > max as usize
            {
                return Err(err(
                    field,
                    "form.too_long",
                    format!(
                        "{} may have at most {max} characters, got {len}",
                        label_en(field)
                    ),
                    format!("{}最多 {max} 个字，实际 {len} 个", field.label),
                ));
            }
            Ok(s.to_owned())
        }
        FieldType::Select => {
            if field.options.iter().any(|o| o == s) {
                Ok(s.to_owned())
            } else {
                Err(err(
                    field,
                    "form.not_an_option",
                    format!(
                        "{}: '{s}' is not one of {}",
                        label_en(field),
                        field.options.join(", ")
                    ),
                    format!(
                        "{}：“{s}”不是可选项（{}）",
                        field.label,
                        field.options.join("、")
                    ),
                ))
            }
        }
        FieldType::Date => {
            let ok = s.len() == 10
                && s.bytes().enumerate().all(|(i, b)| match i {
                    4 | 7 => b == b'-',
                    _ => b.is_ascii_digit(),
                });
            match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                Ok(d) if ok => Ok(d.format("%Y-%m-%d").to_string()),
                _ => Err(err(
                    field,
                    "form.invalid_date",
                    format!("{}: '{s}' is not a date (YYYY-MM-DD)", label_en(field)),
                    format!("{}：“{s}”不是有效日期（YYYY-MM-DD）", field.label),
                )),
            }
        }
        FieldType::ResidentId => ResidentId::parse_on(s, today)
            .map(|id| id.as_str().to_owned())
            .map_err(|e| {
                err(
                    field,
                    e.code(),
                    e.to_string(),
                    prefixed(field, e.message_zh()),
                )
            }),
        FieldType::CreditCode => CreditCode::parse(s)
            .map(|p| p.code.as_str().to_owned())
            .map_err(|e| {
                err(
                    field,
                    e.code(),
                    e.to_string(),
                    prefixed(field, e.message_zh()),
                )
            }),
        FieldType::Mobile => Mobile::parse(s)
            .map(|m| m.as_str().to_owned())
            .map_err(|e| {
                err(
                    field,
                    e.code(),
                    e.to_string(),
                    prefixed(field, e.message_zh()),
                )
            }),
        FieldType::Region => RegionCode::parse(s)
            .map(|c| c.as_str().to_owned())
            .map_err(|e| {
                err(
                    field,
                    e.code(),
                    e.to_string(),
                    prefixed(field, e.message_zh()),
                )
            }),
        // Handled by `check`.
        FieldType::Number | FieldType::Bool => Ok(s.to_owned()),
    }
}

/// The identity messages name the kind of number; prefix the field's label when it adds something.
fn prefixed(field: &FormField, message_zh: String) -> String {
    format!("{}：{message_zh}", field.label)
}
