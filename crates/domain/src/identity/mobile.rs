//! 手机号码: a mainland China mobile number.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::error::{Expected, IdKind, IdentityError};
use super::mask::mask_middle;

/// 手机号码: a mainland mobile number, stored as its 11 digits (`1[3-9]` and nine more).
///
/// Accepts what people type: spaces and dashes anywhere, an optional `+86` or `0086` in front. `Debug`
/// prints the masked form.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Mobile(String);

const LEN: usize = 11;

impl Mobile {
    /// Parses a mobile number; see the type's documentation for what is accepted.
    pub fn parse(input: &str) -> Result<Self, IdentityError> {
        let s = input.trim();
        let mut digits = String::with_capacity(LEN + 4);
        let mut plus = false;
        for (i, c) in s.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' => {}
                '+' if i == 0 => plus = true,
                _ => {
                    return Err(IdentityError::InvalidChar {
                        kind: IdKind::Mobile,
                        position: i + 1,
                        found: c,
                        expected: Expected::PhoneChar,
                    });
                }
            }
        }
        // `+` and `00` both introduce a country code; only 86 is accepted.
        let national = if plus {
            digits
                .strip_prefix("86")
                .ok_or(IdentityError::MobileNotMainland)?
        } else if let Some(international) = digits.strip_prefix("00") {
            international
                .strip_prefix("86")
                .ok_or(IdentityError::MobileNotMainland)?
        } else {
            digits.as_str()
        };
        if national.len() != LEN {
            return Err(IdentityError::WrongLength {
                kind: IdKind::Mobile,
                expected: LEN,
                found: national.len(),
            });
        }
        let prefix = national.get(0..2).unwrap_or_default();
        let mut prefix_chars = prefix.chars();
        if prefix_chars.next() != Some('1') || prefix_chars.next().is_none_or(|c| c < '3') {
            return Err(IdentityError::MobileBadPrefix {
                prefix: prefix.to_owned(),
            });
        }
        Ok(Mobile(national.to_owned()))
    }

    /// The 11 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Masked for display and logs (脱敏): `138****5678`.
    pub fn masked(&self) -> String {
        mask_middle(&self.0, 3, 4)
    }
}

impl fmt::Debug for Mobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Mobile").field(&self.masked()).finish()
    }
}

impl FromStr for Mobile {
    type Err = IdentityError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Mobile {
    type Error = IdentityError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Mobile> for String {
    fn from(m: Mobile) -> String {
        m.0
    }
}

impl AsRef<str> for Mobile {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_common_spellings() {
        for s in [
            "13812345678",
            " 138 1234 5678 ",
            "138-1234-5678",
            "+8613812345678",
            "+86 138 1234 5678",
            "008613812345678",
        ] {
            assert_eq!(Mobile::parse(s).unwrap().as_str(), "13812345678", "{s}");
        }
        assert_eq!(
            Mobile::parse("19912345678").unwrap().as_str(),
            "19912345678"
        );
    }

    #[test]
    fn masks() {
        let m = Mobile::parse("13812345678").unwrap();
        assert_eq!(m.masked(), "138****5678");
        assert_eq!(format!("{m:?}"), "Mobile(\"138****5678\")");
    }

    #[test]
    fn errors() {
        assert_eq!(
            Mobile::parse("1381234567").unwrap_err(),
            IdentityError::WrongLength {
                kind: IdKind::Mobile,
                expected: 11,
                found: 10
            }
        );
        // 86 without + or 00 is not a country code.
        assert_eq!(
            Mobile::parse("8613812345678").unwrap_err().code(),
            "identity.wrong_length"
        );
        assert_eq!(
            Mobile::parse("12812345678").unwrap_err(),
            IdentityError::MobileBadPrefix {
                prefix: "12".into()
            }
        );
        assert_eq!(
            Mobile::parse("23812345678").unwrap_err().code(),
            "identity.mobile_bad_prefix"
        );
        assert_eq!(
            Mobile::parse("+85261234567").unwrap_err(),
            IdentityError::MobileNotMainland
        );
        assert_eq!(
            Mobile::parse("0085261234567").unwrap_err().code(),
            "identity.mobile_not_mainland"
        );
        assert_eq!(
            Mobile::parse("138a2345678").unwrap_err(),
            IdentityError::InvalidChar {
                kind: IdKind::Mobile,
                position: 4,
                found: 'a',
                expected: Expected::PhoneChar
            }
        );
        assert_eq!(
            Mobile::parse("138+12345678").unwrap_err().code(),
            "identity.invalid_char"
        );
        for e in [
            IdentityError::MobileNotMainland,
            IdentityError::MobileBadPrefix {
                prefix: "12".into(),
            },
        ] {
            assert!(!e.message_zh().is_empty());
        }
    }

    #[test]
    fn serde() {
        let m: Mobile = serde_json::from_str("\"+86 138-1234-5678\"").unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"13812345678\"");
        assert!(serde_json::from_str::<Mobile>("\"12345\"").is_err());
    }

    proptest! {
        #[test]
        fn matches_the_reference_pattern(s in "(\\+86|0086)?1[0-9]{10}") {
            // ^(?:(?:\+|00)86)?1[3-9]\d{9}$
            let national = s.trim_start_matches("+86").trim_start_matches("0086");
            let expected = national.as_bytes()[1] >= b'3';
            prop_assert_eq!(Mobile::parse(&s).is_ok(), expected);
            if expected {
                let parsed = Mobile::parse(&s).unwrap();
                prop_assert_eq!(parsed.as_str(), national);
            }
        }
    }
}
