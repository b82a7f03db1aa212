//! The one error type of the identity module.

use chrono::NaiveDate;
use serde::Serialize;

/// Which kind of identifier a message is about (证件类型).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    /// 公民身份号码
    ResidentId,
    /// 统一社会信用代码
    CreditCode,
    /// 手机号码
    Mobile,
}

impl IdKind {
    /// English name, as used in messages.
    pub fn name_en(self) -> &'static str {
        match self {
            IdKind::ResidentId => "resident ID number",
            IdKind::CreditCode => "unified social credit code",
            IdKind::Mobile => "mobile number",
        }
    }

    /// 中文名称
    pub fn name_zh(self) -> &'static str {
        match self {
            IdKind::ResidentId => "公民身份号码",
            IdKind::CreditCode => "统一社会信用代码",
            IdKind::Mobile => "手机号码",
        }
    }
}

/// What a position of an identifier may hold; carried by [`IdentityError::InvalidChar`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Expected {
    /// A digit 0–9.
    Digit,
    /// A digit or the letter X (the resident ID check character).
    DigitOrX,
    /// One of `0123456789ABCDEFGHJKLMNPQRTUWXY` (the credit code alphabet: no I, O, S, V, Z).
    CreditCodeChar,
    /// A digit, a space or a dash (a mobile number as typed).
    PhoneChar,
}

impl Expected {
    fn en(self) -> &'static str {
        match self {
            Expected::Digit => "a digit",
            Expected::DigitOrX => "a digit or X",
            Expected::CreditCodeChar => "a digit or one of ABCDEFGHJKLMNPQRTUWXY",
            Expected::PhoneChar => "a digit",
        }
    }

    fn zh(self) -> &'static str {
        match self {
            Expected::Digit => "数字",
            Expected::DigitOrX => "数字或 X",
            Expected::CreditCodeChar => "数字或 ABCDEFGHJKLMNPQRTUWXY 中的字母",
            Expected::PhoneChar => "数字",
        }
    }
}

/// Why an identifier was refused (证件号码校验错误).
///
/// Positions are 1-based and count characters of the trimmed input, as a clerk would count them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// 长度错误
    #[error("a {} has {expected} characters, got {found}", kind.name_en())]
    WrongLength {
        kind: IdKind,
        expected: usize,
        found: usize,
    },
    /// 含有非法字符
    #[error("{}: character {position} is '{found}', expected {}", kind.name_en(), expected.en())]
    InvalidChar {
        kind: IdKind,
        position: usize,
        found: char,
        expected: Expected,
    },
    /// 地址码省级代码错误
    #[error(
        "resident ID number: region code starts with '{prefix}', which is not a province-level code"
    )]
    BadRegionPrefix { prefix: String },
    /// 出生日期不存在
    #[error("resident ID number: birth date {digits} is not a calendar date")]
    ImpossibleDate { digits: String },
    /// 出生日期过早 (before 1800-01-01)
    #[error("resident ID number: birth date {date} is before 1800-01-01")]
    BirthDateTooEarly { date: NaiveDate },
    /// 出生日期晚于当前日期
    #[error("resident ID number: birth date {date} is after today ({today})")]
    BirthDateInFuture { date: NaiveDate, today: NaiveDate },
    /// 校验码错误
    #[error("resident ID number: check character mismatch: expected {expected}, got {found}")]
    ChecksumMismatch { expected: char, found: char },
    /// 统一社会信用代码的登记管理机关行政区划码（第 3–8 位）必须是数字
    #[error(
        "unified social credit code: character {position} is '{found}', but characters 3-8 are a region code and must be digits"
    )]
    RegionNotDigits { position: usize, found: char },
    /// 非中国大陆手机号码
    #[error("mobile number: only mainland China numbers (+86) are accepted")]
    MobileNotMainland,
    /// 号段错误
    #[error("mobile number: must start with 13-19, got {prefix}")]
    MobileBadPrefix { prefix: String },
    /// 无法识别的号码
    #[error("not a resident ID number, unified social credit code or mobile number")]
    Unrecognized,
}

impl IdentityError {
    /// Stable machine-readable code, for pages to translate and tests to match.
    pub fn code(&self) -> &'static str {
        match self {
            IdentityError::WrongLength { .. } => "identity.wrong_length",
            IdentityError::InvalidChar { .. } => "identity.invalid_char",
            IdentityError::BadRegionPrefix { .. } => "identity.bad_region_prefix",
            IdentityError::ImpossibleDate { .. } => "identity.impossible_date",
            IdentityError::BirthDateTooEarly { .. } => "identity.birth_date_too_early",
            IdentityError::BirthDateInFuture { .. } => "identity.birth_date_in_future",
            IdentityError::ChecksumMismatch { .. } => "identity.checksum_mismatch",
            IdentityError::RegionNotDigits { .. } => "identity.region_not_digits",
            IdentityError::MobileNotMainland => "identity.mobile_not_mainland",
            IdentityError::MobileBadPrefix { .. } => "identity.mobile_bad_prefix",
            IdentityError::Unrecognized => "identity.unrecognized",
        }
    }

    /// 中文提示
    pub fn message_zh(&self) -> String {
        match self {
            IdentityError::WrongLength {
                kind,
                expected,
                found,
            } => format!("{}应为 {expected} 位，实际为 {found} 位", kind.name_zh()),
            IdentityError::InvalidChar {
                kind,
                position,
                found,
                expected,
            } => format!(
                "{}第 {position} 位“{found}”无效，应为{}",
                kind.name_zh(),
                expected.zh()
            ),
            IdentityError::BadRegionPrefix { prefix } => {
                format!("公民身份号码地址码以“{prefix}”开头，不是有效的省级行政区划代码")
            }
            IdentityError::ImpossibleDate { digits } => {
                format!("公民身份号码中的出生日期 {digits} 不是有效日期")
            }
            IdentityError::BirthDateTooEarly { date } => {
                format!("公民身份号码中的出生日期 {date} 早于 1800-01-01")
            }
            IdentityError::BirthDateInFuture { date, today } => {
                format!("公民身份号码中的出生日期 {date} 晚于今天（{today}）")
            }
            IdentityError::ChecksumMismatch { expected, found } => {
                format!("公民身份号码校验码错误：应为 {expected}，实际为 {found}")
            }
            IdentityError::RegionNotDigits { position, found } => format!(
                "统一社会信用代码第 {position} 位“{found}”无效：第 3–8 位是行政区划码，必须为数字"
            ),
            IdentityError::MobileNotMainland => "仅支持中国大陆手机号码（+86）".to_owned(),
            IdentityError::MobileBadPrefix { prefix } => {
                format!("手机号码应以 13–19 开头，实际为 {prefix}")
            }
            IdentityError::Unrecognized => {
                "无法识别：不是公民身份号码、统一社会信用代码或手机号码".to_owned()
            }
        }
    }
}

/// Collects every problem found in one identifier, so a report can list them all at once
/// (一次性告知) while `parse` still returns just the first.
#[derive(Debug, Default)]
pub(crate) struct Problems(Vec<IdentityError>);

impl Problems {
    pub(crate) fn push(&mut self, e: IdentityError) {
        self.0.push(e);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first problem, if any: what `parse` reports.
    pub(crate) fn first(self) -> Option<IdentityError> {
        self.0.into_iter().next()
    }

    pub(crate) fn into_vec(self) -> Vec<IdentityError> {
        self.0
    }
}
