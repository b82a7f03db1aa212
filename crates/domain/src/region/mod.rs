//! 行政区划 and the places built on it: regions, service centers (政务服务中心 / 便民服务中心) and
//! departments (部门).
//!
//! Codes: 6 digits (GB/T 2260) for province, city and county; 9 digits for a town and 12 for a village
//! (National Bureau of Statistics division codes). A code can be retired or reused over time, so a
//! region carries the dates it is valid for.

mod center;
mod tree;

pub use center::{CenterLevel, Department, ServiceCenter};
pub use tree::{Region, RegionTree};

use std::fmt;

use serde::{Deserialize, Serialize};

/// Levels of the division tree, from the top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    /// 省级
    Province,
    /// 地级
    City,
    /// 县级
    County,
    /// 乡级 (乡镇 / 街道)
    Town,
    /// 村级 (村委会 / 居委会)
    Village,
}

impl RegionLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::City => "city",
            Self::County => "county",
            Self::Town => "town",
            Self::Village => "village",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "province" => Self::Province,
            "city" => Self::City,
            "county" => Self::County,
            "town" => Self::Town,
            "village" => Self::Village,
            _ => return None,
        })
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Province => "省",
            Self::City => "市",
            Self::County => "县（市、区）",
            Self::Town => "乡镇（街道）",
            Self::Village => "村（社区）",
        }
    }
}

/// Why a string is not a region code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionCodeError {
    #[error("a region code has 6, 9 or 12 digits; got {0} characters")]
    Length(usize),
    #[error("a region code has only digits")]
    NotDigits,
    #[error("the province part {0} is not a province of China")]
    Province(String),
}

impl RegionCodeError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Length(_) => "region.code_length",
            Self::NotDigits => "region.code_not_digits",
            Self::Province(_) => "region.code_province",
        }
    }

    pub fn message_zh(&self) -> String {
        match self {
            Self::Length(n) => format!("区划代码应为 6、9 或 12 位数字，实际为 {n} 位"),
            Self::NotDigits => "区划代码只能包含数字".to_string(),
            Self::Province(p) => format!("区划代码的省级部分 {p} 不是有效的省份代码"),
        }
    }
}

/// Province-level prefixes of GB/T 2260 (31 mainland provinces, Taiwan, Hong Kong, Macao).
const PROVINCE_PREFIXES: [&str; 34] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71",
    "81", "82",
];

/// Whether a two-digit prefix names a province-level unit.
pub fn is_province_prefix(prefix: &str) -> bool {
    PROVINCE_PREFIXES.contains(&prefix)
}

/// A division code, parsed once: 6, 9 or 12 digits with a real province prefix.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

impl RegionCode {
    pub fn parse(s: &str) -> Result<Self, RegionCodeError> {
        let s = s.trim();
        if !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(RegionCodeError::NotDigits);
        }
        if !matches!(s.len(), 6 | 9 | 12) {
            return Err(RegionCodeError::Length(s.chars().count()));
        }
        let prefix = &s[..2];
        if !is_province_prefix(prefix) {
            return Err(RegionCodeError::Province(prefix.to_string()));
        }
        Ok(Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The level the code's shape implies (a 6-digit code ending in 0000 is a province, in 00 a city).
    pub fn shape_level(&self) -> RegionLevel {
        match self.0.len() {
            12 => RegionLevel::Village,
            9 => RegionLevel::Town,
            _ if self.0.ends_with("0000") => RegionLevel::Province,
            _ if self.0.ends_with("00") => RegionLevel::City,
            _ => RegionLevel::County,
        }
    }

    /// The prefix every code inside this region starts with: a province by 2 digits, a city by
    /// 4, any other region by its whole code.
    pub fn prefix(&self) -> &str {
        match self.shape_level() {
            RegionLevel::Province => &self.0[..2],
            RegionLevel::City => &self.0[..4],
            _ => &self.0,
        }
    }

    /// The 6-digit county-level code this code lies in, by shape.
    pub fn county_prefix(&self) -> &str {
        &self.0[..6]
    }

    /// The city code (`xxxx00`) this code lies in, by shape.
    pub fn city_code(&self) -> String {
        format!("{}00", &self.0[..4])
    }

    /// The province code (`xx0000`) this code lies in, by shape.
    pub fn province_code(&self) -> String {
        format!("{}0000", &self.0[..2])
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for RegionCode {
    type Error = RegionCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<RegionCode> for String {
    fn from(c: RegionCode) -> String {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes_of_every_level() {
        let cases = [
            ("430000", RegionLevel::Province),
            ("430400", RegionLevel::City),
            ("430406", RegionLevel::County),
            ("430406001", RegionLevel::Town),
            ("430406001001", RegionLevel::Village),
        ];
        for (code, level) in cases {
            let c = RegionCode::parse(code).unwrap();
            assert_eq!(c.shape_level(), level, "{code}");
        }
    }

    #[test]
    fn derives_enclosing_codes_by_shape() {
        let c = RegionCode::parse("430481101001").unwrap();
        assert_eq!(c.county_prefix(), "430481");
        assert_eq!(c.city_code(), "430400");
        assert_eq!(c.province_code(), "430000");
    }

    #[test]
    fn rejects_bad_codes_with_reasons() {
        assert_eq!(
            RegionCode::parse("4304").unwrap_err(),
            RegionCodeError::Length(4)
        );
        assert_eq!(
            RegionCode::parse("43040a").unwrap_err(),
            RegionCodeError::NotDigits
        );
        assert_eq!(
            RegionCode::parse("990000").unwrap_err(),
            RegionCodeError::Province("99".into())
        );
        assert_eq!(
            RegionCode::parse("990000").unwrap_err().code(),
            "region.code_province"
        );
    }
}
