//! The report behind `tongban check <number>`: what kind of identifier this is and what is wrong with it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::credit_code::{CreditCode, CreditCodeWarning, mask_credit_like};
use super::error::IdentityError;
use super::mask::{mask_any, mask_middle};
use super::mobile::Mobile;
use super::resident_id::{ResidentId, Sex, mask_resident_like};

/// The kind of identifier [`check`] recognized.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// 公民身份号码
    ResidentId,
    /// 统一社会信用代码
    CreditCode,
    /// 手机号码
    Mobile,
    /// 无法识别
    Unknown,
}

/// One error or warning of a report, with its stable code and both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckMessage {
    pub code: String,
    pub message: String,
    pub message_zh: String,
}

impl From<&IdentityError> for CheckMessage {
    fn from(e: &IdentityError) -> Self {
        CheckMessage {
            code: e.code().to_owned(),
            message: e.to_string(),
            message_zh: e.message_zh(),
        }
    }
}

impl From<&CreditCodeWarning> for CheckMessage {
    fn from(w: &CreditCodeWarning) -> Self {
        CheckMessage {
            code: w.code().to_owned(),
            message: w.to_string(),
            message_zh: w.message_zh(),
        }
    }
}

/// What a valid identifier tells about its holder; fields that do not apply are absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CheckDetails {
    /// 出生日期 (resident ID)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<NaiveDate>,
    /// 性别 (resident ID)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    /// 地址码 / 登记管理机关行政区划码 (resident ID, credit code)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region_code: Option<String>,
    /// 登记管理部门代码 and its name (credit code)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registration_authority: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registration_authority_name: Option<String>,
    /// 机构类别代码 and its name (credit code)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_category_name: Option<String>,
}

/// The result of [`check`]. `valid` means no errors; warnings (a credit code failing its checksum) are
/// allowed and should be confirmed by a person. The input appears only masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckReport {
    pub input_masked: String,
    pub kind: CheckKind,
    pub valid: bool,
    pub errors: Vec<CheckMessage>,
    pub warnings: Vec<CheckMessage>,
    pub details: CheckDetails,
}

/// Checks an identifier of unknown kind (号码校验), for `tongban check <number>`.
///
/// Detection: 18 ASCII letters/digits are a resident ID when the first 17 are digits (so an 18-digit
/// string is always a resident ID), otherwise a credit code; something that reads as a phone number
/// (digits, spaces, dashes, `+`, 10–12 national digits starting with 1, or a country prefix) is a
/// mobile number; anything else is unknown. Every problem found is listed, not just the first
/// (一次性告知). Birth dates in the future are not detected; see [`check_on`].
pub fn check(input: &str) -> CheckReport {
    check_inner(input, None)
}

/// [`check`], also refusing a resident ID whose birth date is after `today`.
pub fn check_on(input: &str, today: NaiveDate) -> CheckReport {
    check_inner(input, Some(today))
}

fn check_inner(input: &str, today: Option<NaiveDate>) -> CheckReport {
    let trimmed = input.trim();
    let kind = detect(trimmed);
    let mut report = CheckReport {
        input_masked: String::new(),
        kind,
        valid: false,
        errors: Vec::new(),
        warnings: Vec::new(),
        details: CheckDetails::default(),
    };
    match kind {
        CheckKind::ResidentId => {
            report.input_masked = mask_resident_like(trimmed);
            match ResidentId::diagnose(trimmed, today) {
                Ok(id) => {
                    report.details.birth_date = Some(id.birth_date());
                    report.details.sex = Some(id.sex());
                    report.details.region_code = Some(id.region_code().to_owned());
                }
                Err(problems) => report.errors = messages(&problems.into_vec()),
            }
        }
        CheckKind::CreditCode => {
            report.input_masked = mask_credit_like(trimmed);
            match CreditCode::diagnose(trimmed) {
                Ok(parsed) => {
                    let code = &parsed.code;
                    let details = &mut report.details;
                    details.region_code = Some(code.region_code().to_owned());
                    details.registration_authority =
                        Some(code.registration_authority().to_string());
                    details.registration_authority_name =
                        code.registration_authority_name().map(str::to_owned);
                    details.org_category = Some(code.org_category().to_string());
                    details.org_category_name = code.org_category_name().map(str::to_owned);
                    report.warnings = parsed.warnings.iter().map(CheckMessage::from).collect();
                }
                Err(problems) => report.errors = messages(&problems.into_vec()),
            }
        }
        CheckKind::Mobile => match Mobile::parse(trimmed) {
            Ok(mobile) => report.input_masked = mobile.masked(),
            Err(e) => {
                // Not a valid number, but still a phone number: hide the middle all the same.
                report.input_masked = mask_middle(trimmed, 3, 4);
                report.errors = messages(&[e]);
            }
        },
        CheckKind::Unknown => {
            report.input_masked = mask_any(trimmed);
            report.errors = messages(&[IdentityError::Unrecognized]);
        }
    }
    report.valid = report.errors.is_empty();
    report
}

fn messages(errors: &[IdentityError]) -> Vec<CheckMessage> {
    errors.iter().map(CheckMessage::from).collect()
}

fn detect(s: &str) -> CheckKind {
    let bytes = s.as_bytes();
    if s.chars().count() == 18 && bytes.iter().all(u8::is_ascii_alphanumeric) {
        return if bytes.iter().take(17).all(u8::is_ascii_digit) {
            CheckKind::ResidentId
        } else {
            CheckKind::CreditCode
        };
    }
    if looks_like_phone(s) {
        return CheckKind::Mobile;
    }
    CheckKind::Unknown
}

fn looks_like_phone(s: &str) -> bool {
    let body = s.strip_prefix('+');
    let with_country = body.is_some() || s.starts_with("00");
    let body = body.unwrap_or(s);
    if body.is_empty()
        || !body
            .chars()
            .all(|c| c.is_ascii_digit() || c == ' ' || c == '-')
    {
        return false;
    }
    let digits: String = body.chars().filter(char::is_ascii_digit).collect();
    with_country || ((10..=12).contains(&digits.len()) && digits.starts_with('1'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(messages: &[CheckMessage]) -> Vec<&str> {
        messages.iter().map(|m| m.code.as_str()).collect()
    }

    #[test]
    fn valid_resident_id() {
        let r = check("11010519491231002X");
        assert_eq!(r.kind, CheckKind::ResidentId);
        assert!(r.valid);
        assert_eq!(r.input_masked, "110105********002X");
        assert_eq!(r.details.sex, Some(Sex::Female));
        assert_eq!(r.details.birth_date, NaiveDate::from_ymd_opt(1949, 12, 31));
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["kind"], "resident_id");
        assert_eq!(json["details"]["sex"], "female");
        assert_eq!(json["details"]["birth_date"], "1949-12-31");
        assert_eq!(json["details"]["region_code"], "110105");
        assert!(json["details"].get("org_category").is_none());
        assert_eq!(json["errors"], serde_json::json!([]));
    }

    #[test]
    fn invalid_resident_id_lists_every_problem() {
        let r = check("100105202102290021");
        assert_eq!(r.kind, CheckKind::ResidentId);
        assert!(!r.valid);
        assert_eq!(
            codes(&r.errors),
            [
                "identity.bad_region_prefix",
                "identity.impossible_date",
                "identity.checksum_mismatch"
            ]
        );
        assert!(r.errors.iter().all(|e| !e.message_zh.is_empty()));
        assert_eq!(r.details, CheckDetails::default());
        let r = check("11010519491231002Z");
        assert_eq!(r.kind, CheckKind::ResidentId);
        assert_eq!(codes(&r.errors), ["identity.invalid_char"]);
    }

    #[test]
    fn check_on_refuses_future_birth_dates() {
        let s = "110105203001010020";
        let first17 = &s[..17];
        let s = format!(
            "{first17}{}",
            ResidentId::compute_check_char(first17).unwrap()
        );
        assert!(check(&s).valid);
        let r = check_on(&s, NaiveDate::from_ymd_opt(2025, 1, 1).unwrap());
        assert_eq!(codes(&r.errors), ["identity.birth_date_in_future"]);
    }

    #[test]
    fn credit_codes() {
        let r = check("91350100M000100Y43");
        assert_eq!(r.kind, CheckKind::CreditCode);
        assert!(r.valid);
        assert_eq!(r.input_masked, "91350100********43");
        assert_eq!(
            r.details.registration_authority_name.as_deref(),
            Some("工商")
        );
        assert_eq!(r.details.org_category_name.as_deref(), Some("企业"));
        assert_eq!(r.details.region_code.as_deref(), Some("350100"));

        let r = check("91350100M000100Y44");
        assert!(r.valid, "a checksum failure is only a warning");
        assert_eq!(
            codes(&r.warnings),
            ["identity.credit_code_checksum_mismatch"]
        );

        let r = check("91350100M0001I0YO3");
        assert!(!r.valid);
        assert_eq!(
            codes(&r.errors),
            ["identity.invalid_char", "identity.invalid_char"]
        );
    }

    #[test]
    fn mobiles() {
        let r = check("+86 138-1234-5678");
        assert_eq!(r.kind, CheckKind::Mobile);
        assert!(r.valid);
        assert_eq!(r.input_masked, "138****5678");
        assert_eq!(r.details, CheckDetails::default());

        let r = check("1381234567");
        assert_eq!(r.kind, CheckKind::Mobile);
        assert_eq!(codes(&r.errors), ["identity.wrong_length"]);
        assert_eq!(r.input_masked, "138***4567");

        let r = check("+85261234567");
        assert_eq!(codes(&r.errors), ["identity.mobile_not_mainland"]);
        let r = check("12812345678");
        assert_eq!(codes(&r.errors), ["identity.mobile_bad_prefix"]);
    }

    #[test]
    fn unknown() {
        for s in ["", "hello", "12345", "1101051949123100", "2025-000123"] {
            let r = check(s);
            assert_eq!(r.kind, CheckKind::Unknown, "{s}");
            assert!(!r.valid);
            assert_eq!(codes(&r.errors), ["identity.unrecognized"]);
        }
        let json = serde_json::to_value(check("x")).unwrap();
        assert_eq!(json["kind"], "unknown");
        assert_eq!(json["details"], serde_json::json!({}));
    }

    #[test]
    fn report_round_trips_through_json() {
        let r = check("91350100M000100Y44");
        let back: CheckReport = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(back, r);
    }
}
