//! 公民身份号码 (GB 11643-1999): the 18-character resident ID number.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::error::{Expected, IdKind, IdentityError, Problems};
use super::mask::mask_middle;

/// 公民身份号码 (GB 11643-1999): 6-digit region code (地址码) at the time of issue, birth date (出生日期码)
/// YYYYMMDD, 3-digit sequence (顺序码, odd for men) and a check character (校验码).
///
/// Always 18 characters, upper-case `X`. `Debug` prints the masked form so that a stray `{:?}` in a log
/// line does not leak the number; use [`ResidentId::as_str`] where the full number is needed.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ResidentId {
    number: String,
    birth_date: NaiveDate,
}

/// 性别, from the parity of the sequence code (顺序码).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// 男 (odd sequence code)
    Male,
    /// 女 (even sequence code)
    Female,
}

impl Sex {
    /// 男 / 女
    pub fn name_zh(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }
}

const LEN: usize = 18;
/// Weights 2^(17-i) mod 11 of ISO 7064 MOD 11-2, as printed in GB 11643.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// Province-level prefixes of GB/T 2260 (11 北京 … 82 澳门), plus two prefixes that real cards carry:
/// 83 (台湾居民居住证, since 2018) and 91–96 (the 2023 外国人永久居留身份证, whose number is `9`, the
/// two-digit province of issue, then the nationality code). Only the shape is checked: a county code
/// that has since been abolished is still a valid code for a card issued before.
const PROVINCE_PREFIXES: [u32; 41] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91, 92, 93, 94, 95, 96,
];

/// The earliest birth date accepted. GB 11643's own example (`440524188001010014`) is born in 1880, so
/// the bound is 1800 rather than 1900: it only refuses digits that cannot be anyone's birth date.
const EARLIEST_BIRTH: Option<NaiveDate> = NaiveDate::from_ymd_opt(1800, 1, 1);

impl ResidentId {
    /// Parses a resident ID number: surrounding whitespace is trimmed and a lower-case `x` accepted.
    /// The birth date must be a real date on or after 1800-01-01; see [`ResidentId::parse_on`] to also
    /// refuse birth dates in the future.
    pub fn parse(input: &str) -> Result<Self, IdentityError> {
        Self::diagnose(input, None).map_err(first_problem)
    }

    /// Like [`ResidentId::parse`], and also refuses a birth date after `today`.
    pub fn parse_on(input: &str, today: NaiveDate) -> Result<Self, IdentityError> {
        Self::diagnose(input, Some(today)).map_err(first_problem)
    }

    /// Every problem of `input`, not just the first (for the check report).
    pub(crate) fn diagnose(input: &str, today: Option<NaiveDate>) -> Result<Self, Problems> {
        let s = input.trim();
        let mut problems = Problems::default();
        let found = s.chars().count();
        if found != LEN {
            problems.push(IdentityError::WrongLength {
                kind: IdKind::ResidentId,
                expected: LEN,
                found,
            });
            return Err(problems);
        }

        let mut digits = [0u32; 17];
        let mut chars = s.chars();
        for (i, slot) in digits.iter_mut().enumerate() {
            let c = chars.next().unwrap_or(' ');
            match c.to_digit(10) {
                Some(d) => *slot = d,
                None => problems.push(IdentityError::InvalidChar {
                    kind: IdKind::ResidentId,
                    position: i + 1,
                    found: c,
                    expected: Expected::Digit,
                }),
            }
        }
        let last = chars.next().unwrap_or(' ').to_ascii_uppercase();
        if !(last.is_ascii_digit() || last == 'X') {
            problems.push(IdentityError::InvalidChar {
                kind: IdKind::ResidentId,
                position: LEN,
                found: last,
                expected: Expected::DigitOrX,
            });
        }
        // Without 17 digits, the region, date and checksum checks would only add noise.
        if !problems.is_empty() {
            return Err(problems);
        }

        let prefix = digits[0] * 10 + digits[1];
        if !PROVINCE_PREFIXES.contains(&prefix) {
            problems.push(IdentityError::BadRegionPrefix {
                prefix: format!("{prefix:02}"),
            });
        }

        let number = |range: std::ops::Range<usize>| {
            digits
                .get(range)
                .unwrap_or_default()
                .iter()
                .fold(0u32, |acc, d| acc * 10 + d)
        };
        let (year, month, day) = (number(6..10), number(10..12), number(12..14));
        let birth_date = i32::try_from(year)
            .ok()
            .and_then(|y| NaiveDate::from_ymd_opt(y, month, day));
        match birth_date {
            None => problems.push(IdentityError::ImpossibleDate {
                digits: s.get(6..14).unwrap_or_default().to_owned(),
            }),
            Some(date) if EARLIEST_BIRTH.is_some_and(|earliest| date < earliest) => {
                problems.push(IdentityError::BirthDateTooEarly { date });
            }
            Some(date) => {
                if let Some(today) = today.filter(|today| date > *today) {
                    problems.push(IdentityError::BirthDateInFuture { date, today });
                }
            }
        }

        let expected = check_char(&digits);
        if expected != last {
            problems.push(IdentityError::ChecksumMismatch {
                expected,
                found: last,
            });
        }

        match (birth_date, problems.is_empty()) {
            (Some(birth_date), true) => {
                let mut number = s.to_owned();
                number.make_ascii_uppercase();
                Ok(ResidentId { number, birth_date })
            }
            _ => Err(problems),
        }
    }

    /// The check character (校验码) for the first 17 digits, or `None` if `first17` is not 17 digits.
    /// Handy for building test data.
    pub fn compute_check_char(first17: &str) -> Option<char> {
        let mut digits = [0u32; 17];
        let mut chars = first17.chars();
        for slot in &mut digits {
            *slot = chars.next()?.to_digit(10)?;
        }
        if chars.next().is_some() {
            return None;
        }
        Some(check_char(&digits))
    }

    /// The full 18-character number, upper-case.
    pub fn as_str(&self) -> &str {
        &self.number
    }

    /// 地址码: the 6-digit region code at the time of issue (not necessarily still current).
    pub fn region_code(&self) -> &str {
        self.number.get(0..6).unwrap_or_default()
    }

    /// 出生日期
    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }

    /// 顺序码: the 3-digit sequence number (000–999).
    pub fn sequence(&self) -> u16 {
        self.number
            .get(14..17)
            .and_then(|s| s.parse().ok())
            .unwrap_or_default()
    }

    /// 性别: odd sequence code for men, even for women.
    pub fn sex(&self) -> Sex {
        if self.sequence() % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// 校验码: the last character, `0`–`9` or `X`.
    pub fn check_char(&self) -> char {
        self.number.chars().last().unwrap_or('0')
    }

    /// Whole years of age on `today` (周岁), `None` if `today` is before the birth date.
    pub fn age_on(&self, today: NaiveDate) -> Option<u32> {
        today.years_since(self.birth_date)
    }

    /// Whether this is a 2023-style foreign permanent resident ID (外国人永久居留身份证), whose first six
    /// digits are `9`, the province of issue and a nationality code rather than a region code.
    pub fn is_foreign_permanent_resident(&self) -> bool {
        self.number.starts_with('9')
    }

    /// Masked for display and logs (脱敏): the region code and the last four characters stay, the birth
    /// date is hidden: `430406********123X`.
    pub fn masked(&self) -> String {
        mask_resident_like(&self.number)
    }

    /// The year of birth is used by some rules (e.g. 老年证 eligibility); exposed for convenience.
    pub fn birth_year(&self) -> i32 {
        self.birth_date.year()
    }
}

fn first_problem(problems: Problems) -> IdentityError {
    problems.first().unwrap_or(IdentityError::Unrecognized)
}

fn check_char(digits: &[u32; 17]) -> char {
    let sum: u32 = digits.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
    CHECK_CHARS.get((sum % 11) as usize).copied().unwrap_or('?')
}

/// First 6 and last 4 characters kept, 8 stars between; works on malformed input too (for reports).
pub(crate) fn mask_resident_like(s: &str) -> String {
    mask_middle(s, 6, 4)
}

impl fmt::Debug for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ResidentId").field(&self.masked()).finish()
    }
}

impl FromStr for ResidentId {
    type Err = IdentityError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for ResidentId {
    type Error = IdentityError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<ResidentId> for String {
    fn from(id: ResidentId) -> String {
        id.number
    }
}

impl AsRef<str> for ResidentId {
    fn as_ref(&self) -> &str {
        &self.number
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn official_examples_parse() {
        let a = ResidentId::parse("11010519491231002X").unwrap();
        assert_eq!(a.region_code(), "110105");
        assert_eq!(a.birth_date(), d(1949, 12, 31));
        assert_eq!(a.sequence(), 2);
        assert_eq!(a.sex(), Sex::Female);
        assert_eq!(a.check_char(), 'X');
        assert_eq!(a.as_str(), "11010519491231002X");

        let b = ResidentId::parse("440524188001010014").unwrap();
        assert_eq!(b.region_code(), "440524");
        assert_eq!(b.birth_date(), d(1880, 1, 1));
        assert_eq!(b.sex(), Sex::Male);
    }

    #[test]
    fn birth_date_before_1800_is_refused() {
        // Year 0000 is a proleptic calendar date, so it is "too early" rather than impossible.
        assert_eq!(
            ResidentId::parse(&with_check("11010500000101002"))
                .unwrap_err()
                .code(),
            "identity.birth_date_too_early"
        );
        let e = ResidentId::parse(&with_check("44052417991231001")).unwrap_err();
        assert_eq!(
            e,
            IdentityError::BirthDateTooEarly {
                date: d(1799, 12, 31)
            }
        );
        assert!(ResidentId::parse(&with_check("44052418000101001")).is_ok());
    }

    #[test]
    fn trims_and_accepts_lowercase_x() {
        let id = ResidentId::parse("  11010519491231002x\n").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn wrong_length() {
        let e = ResidentId::parse("11010519491231002").unwrap_err();
        assert_eq!(
            e,
            IdentityError::WrongLength {
                kind: IdKind::ResidentId,
                expected: 18,
                found: 17
            }
        );
        assert_eq!(e.code(), "identity.wrong_length");
        assert!(e.to_string().contains("got 17"));
        assert!(e.message_zh().contains("17"));
        assert_eq!(
            ResidentId::parse("").unwrap_err().code(),
            "identity.wrong_length"
        );
        // 15-digit first-generation numbers are not accepted.
        assert_eq!(
            ResidentId::parse("110105491231002").unwrap_err().code(),
            "identity.wrong_length"
        );
    }

    #[test]
    fn bad_char_reports_position() {
        let e = ResidentId::parse("1101051949A231002X").unwrap_err();
        assert_eq!(
            e,
            IdentityError::InvalidChar {
                kind: IdKind::ResidentId,
                position: 11,
                found: 'A',
                expected: Expected::Digit
            }
        );
        assert!(e.to_string().contains("character 11"));
        let e = ResidentId::parse("11010519491231002Y").unwrap_err();
        assert_eq!(
            e,
            IdentityError::InvalidChar {
                kind: IdKind::ResidentId,
                position: 18,
                found: 'Y',
                expected: Expected::DigitOrX
            }
        );
        // Multi-byte characters count as one position.
        let e = ResidentId::parse("11010519491231002汉").unwrap_err();
        assert_eq!(e.code(), "identity.invalid_char");
    }

    fn with_check(first17: &str) -> String {
        format!(
            "{first17}{}",
            ResidentId::compute_check_char(first17).unwrap()
        )
    }

    #[test]
    fn bad_region_prefix() {
        let e = ResidentId::parse(&with_check("10010519491231002")).unwrap_err();
        assert_eq!(
            e,
            IdentityError::BadRegionPrefix {
                prefix: "10".into()
            }
        );
        // An abolished county code keeps working: only the province prefix is checked.
        assert!(ResidentId::parse(&with_check("43049919800101001")).is_ok());
        // Residence permits and foreign permanent resident cards.
        assert!(ResidentId::parse(&with_check("83000019800101001")).is_ok());
        let foreign = ResidentId::parse(&with_check("91184019800101001")).unwrap();
        assert!(foreign.is_foreign_permanent_resident());
    }

    #[test]
    fn impossible_dates() {
        let e = ResidentId::parse(&with_check("11010520210229002")).unwrap_err();
        assert_eq!(
            e,
            IdentityError::ImpossibleDate {
                digits: "20210229".into()
            }
        );
        assert!(ResidentId::parse(&with_check("11010520200229002")).is_ok());
        for bad in [
            "11010519491331002",
            "11010519491200002",
            "11010519490230002",
        ] {
            assert_eq!(
                ResidentId::parse(&with_check(bad)).unwrap_err().code(),
                "identity.impossible_date",
                "{bad}"
            );
        }
    }

    #[test]
    fn future_birth_date_only_with_today() {
        let s = with_check("11010520300101002");
        assert!(ResidentId::parse(&s).is_ok());
        let e = ResidentId::parse_on(&s, d(2025, 6, 1)).unwrap_err();
        assert_eq!(
            e,
            IdentityError::BirthDateInFuture {
                date: d(2030, 1, 1),
                today: d(2025, 6, 1)
            }
        );
        assert!(ResidentId::parse_on(&s, d(2030, 1, 1)).is_ok());
    }

    #[test]
    fn checksum_mismatch_names_both_characters() {
        let e = ResidentId::parse("110105194912310021").unwrap_err();
        assert_eq!(
            e,
            IdentityError::ChecksumMismatch {
                expected: 'X',
                found: '1'
            }
        );
        assert_eq!(e.code(), "identity.checksum_mismatch");
        assert!(e.to_string().contains("expected X, got 1"));
        assert!(e.message_zh().contains("应为 X"));
    }

    #[test]
    fn diagnose_lists_every_independent_problem() {
        let problems = ResidentId::diagnose("100105202102290021", None)
            .unwrap_err()
            .into_vec();
        let codes: Vec<_> = problems.iter().map(IdentityError::code).collect();
        assert_eq!(
            codes,
            [
                "identity.bad_region_prefix",
                "identity.impossible_date",
                "identity.checksum_mismatch"
            ]
        );
    }

    #[test]
    fn accessors_masking_and_serde() {
        let id = ResidentId::parse("11010519491231002X").unwrap();
        assert_eq!(id.masked(), "110105********002X");
        assert_eq!(format!("{id:?}"), "ResidentId(\"110105********002X\")");
        assert_eq!(id.age_on(d(2025, 12, 30)), Some(75));
        assert_eq!(id.age_on(d(2025, 12, 31)), Some(76));
        assert_eq!(id.birth_year(), 1949);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"11010519491231002X\"");
        let back: ResidentId = serde_json::from_str("\"11010519491231002x\"").unwrap();
        assert_eq!(back, id);
        assert!(serde_json::from_str::<ResidentId>("\"110105194912310021\"").is_err());
        assert_eq!("11010519491231002X".parse::<ResidentId>().unwrap(), id);
        assert_eq!(Sex::Male.name_zh(), "男");
    }

    #[test]
    fn compute_check_char_rejects_bad_input() {
        assert_eq!(ResidentId::compute_check_char("1101051949123100"), None);
        assert_eq!(ResidentId::compute_check_char("110105194912310021"), None);
        assert_eq!(ResidentId::compute_check_char("1101051949123100A"), None);
        assert_eq!(
            ResidentId::compute_check_char("11010519491231002"),
            Some('X')
        );
    }

    pub(crate) fn valid_id() -> impl Strategy<Value = String> {
        (
            prop::sample::select(PROVINCE_PREFIXES.to_vec()),
            0u32..10_000,
            0i64..(2100 - 1800) * 365,
            0u32..1000,
        )
            .prop_map(|(prefix, rest, offset, seq)| {
                let birth = d(1800, 1, 1) + chrono::Duration::days(offset);
                let first17 = format!("{prefix:02}{rest:04}{}{seq:03}", birth.format("%Y%m%d"));
                with_check(&first17)
            })
    }

    proptest! {
        #[test]
        fn generated_ids_parse_and_round_trip(s in valid_id()) {
            let id = ResidentId::parse(&s).unwrap();
            prop_assert_eq!(id.as_str(), s.as_str());
            prop_assert_eq!(id.birth_date().format("%Y%m%d").to_string(), &s[6..14]);
            let seq: u16 = s[14..17].parse().unwrap();
            prop_assert_eq!(id.sex() == Sex::Male, seq % 2 == 1);
            let back: ResidentId = serde_json::from_str(&serde_json::to_string(&id).unwrap()).unwrap();
            prop_assert_eq!(back, id);
        }

        #[test]
        fn changing_one_character_is_always_caught(s in valid_id(), pos in 0usize..18, new in 0u32..11) {
            let mut chars: Vec<char> = s.chars().collect();
            let replacement = if new == 10 { 'X' } else { char::from_digit(new, 10).unwrap() };
            prop_assume!(chars[pos] != replacement);
            chars[pos] = replacement;
            let changed: String = chars.into_iter().collect();
            prop_assert!(ResidentId::parse(&changed).is_err(), "{} accepted", changed);
        }
    }
}
