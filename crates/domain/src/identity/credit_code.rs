//! 统一社会信用代码 (GB 32100-2015): the 18-character unified social credit code of an organization.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::error::{Expected, IdKind, IdentityError, Problems};
use super::mask::mask_middle;

/// 统一社会信用代码 (GB 32100-2015): registration authority (登记管理部门代码, char 1), organization
/// category (机构类别代码, char 2), region code of the registering office (登记管理机关行政区划码,
/// chars 3–8), the organization code (主体标识码/组织机构代码, chars 9–17) and a check character (校验码).
///
/// A value of this type is well formed (length, alphabet, region digits) but its check character may not
/// verify: codes issued during the pilot years exist that fail it, so [`CreditCode::parse`] returns a
/// warning for them instead of refusing them. Ask for confirmation when [`ParsedCreditCode::warnings`]
/// is not empty.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

/// A credit code and what looked wrong with it without making it unusable (需人工确认的疑点).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParsedCreditCode {
    pub code: CreditCode,
    pub warnings: Vec<CreditCodeWarning>,
}

/// A doubt about a credit code that a clerk should confirm rather than a reason to refuse it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CreditCodeWarning {
    /// 校验码不符 (some pilot-era codes)
    #[error(
        "unified social credit code: check character mismatch: expected {expected}, got {found} (some early codes fail the check; confirm with the licence)"
    )]
    ChecksumMismatch { expected: char, found: char },
    /// 登记管理部门代码不在 GB 32100 中
    #[error(
        "unified social credit code: registration authority '{found}' is not one of GB 32100 (1-9, A, N, Y)"
    )]
    UnknownRegistrationAuthority { found: char },
    /// 机构类别代码与登记管理部门不匹配
    #[error(
        "unified social credit code: organization category '{found}' is not defined for registration authority '{authority}'"
    )]
    UnknownOrgCategory { authority: char, found: char },
    /// 行政区划码的省级代码未知
    #[error(
        "unified social credit code: region code starts with '{prefix}', which is not a province-level code"
    )]
    UnknownRegionPrefix { prefix: String },
}

impl CreditCodeWarning {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            CreditCodeWarning::ChecksumMismatch { .. } => "identity.credit_code_checksum_mismatch",
            CreditCodeWarning::UnknownRegistrationAuthority { .. } => {
                "identity.credit_code_unknown_authority"
            }
            CreditCodeWarning::UnknownOrgCategory { .. } => "identity.credit_code_unknown_category",
            CreditCodeWarning::UnknownRegionPrefix { .. } => {
                "identity.credit_code_unknown_region_prefix"
            }
        }
    }

    /// 中文提示
    pub fn message_zh(&self) -> String {
        match self {
            CreditCodeWarning::ChecksumMismatch { expected, found } => format!(
                "统一社会信用代码校验码不符：应为 {expected}，实际为 {found}（部分早期赋码不符合校验规则，请核对营业执照等证照）"
            ),
            CreditCodeWarning::UnknownRegistrationAuthority { found } => {
                format!("统一社会信用代码登记管理部门代码“{found}”不在 GB 32100 规定范围内")
            }
            CreditCodeWarning::UnknownOrgCategory { authority, found } => {
                format!("统一社会信用代码机构类别代码“{found}”不属于登记管理部门“{authority}”")
            }
            CreditCodeWarning::UnknownRegionPrefix { prefix } => {
                format!("统一社会信用代码行政区划码以“{prefix}”开头，不是已知的省级代码")
            }
        }
    }
}

const LEN: usize = 18;
/// The 31 characters of GB 32100 (I, O, S, V, Z are left out as too easily misread).
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// 3^i mod 31 (ISO 7064 MOD 31-3).
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Organization categories (机构类别) of one registration authority: code and name.
type Categories = &'static [(char, &'static str)];

/// GB 32100 Table 1: registration authority → (name, organization categories with their names).
const AUTHORITIES: [(char, &str, Categories); 12] = [
    (
        '1',
        "机构编制",
        &[
            ('1', "机关"),
            ('2', "事业单位"),
            ('3', "中央编办直接管理机构编制的群众团体"),
            ('9', "其他"),
        ],
    ),
    ('2', "外交", &[('1', "外国常驻新闻机构"), ('9', "其他")]),
    (
        '3',
        "司法行政",
        &[
            ('1', "律师执业机构"),
            ('2', "公证处"),
            ('3', "基层法律服务所"),
            ('4', "司法鉴定机构"),
            ('5', "仲裁委员会"),
            ('9', "其他"),
        ],
    ),
    ('4', "文化", &[('1', "外国在华文化中心"), ('9', "其他")]),
    (
        '5',
        "民政",
        &[
            ('1', "社会团体"),
            ('2', "民办非企业单位"),
            ('3', "基金会"),
            ('9', "其他"),
        ],
    ),
    (
        '6',
        "旅游",
        &[
            ('1', "外国旅游部门常驻代表机构"),
            ('2', "港澳台地区旅游部门常驻内地（大陆）代表机构"),
            ('9', "其他"),
        ],
    ),
    (
        '7',
        "宗教",
        &[('1', "宗教活动场所"), ('2', "宗教院校"), ('9', "其他")],
    ),
    ('8', "工会", &[('1', "基层工会"), ('9', "其他")]),
    (
        '9',
        "工商",
        &[('1', "企业"), ('2', "个体工商户"), ('3', "农民专业合作社")],
    ),
    (
        'A',
        "中央军委改革和编制办公室",
        &[('1', "军队事业单位"), ('9', "其他")],
    ),
    (
        'N',
        "农业",
        &[
            ('1', "组级集体经济组织"),
            ('2', "村级集体经济组织"),
            ('3', "乡镇级集体经济组织"),
            ('9', "其他"),
        ],
    ),
    ('Y', "其他", &[('1', "其他")]),
];

/// Province-level prefixes a registering office can have: GB/T 2260 plus `10`, used by national-level
/// offices (e.g. `100000` for organizations registered with a central authority).
const REGION_PREFIXES: [u32; 35] = [
    10, 11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51,
    52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
];

fn value_of(c: char) -> Option<u32> {
    let byte = u8::try_from(c).ok()?;
    ALPHABET
        .iter()
        .position(|&a| a == byte)
        .and_then(|p| u32::try_from(p).ok())
}

fn char_of(value: u32) -> char {
    ALPHABET
        .get(value as usize)
        .map(|&b| char::from(b))
        .unwrap_or('?')
}

fn check_char(values: &[u32; 17]) -> char {
    let sum: u32 = values.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    char_of((31 - sum % 31) % 31)
}

impl CreditCode {
    /// Parses a credit code: whitespace trimmed, lower case accepted and upper-cased. Hard errors are
    /// the length, characters outside the alphabet and a region code (chars 3–8) that is not digits;
    /// anything else doubtful comes back as a warning.
    pub fn parse(input: &str) -> Result<ParsedCreditCode, IdentityError> {
        Self::diagnose(input).map_err(|p| p.first().unwrap_or(IdentityError::Unrecognized))
    }

    /// Every hard error, not just the first (for the check report).
    pub(crate) fn diagnose(input: &str) -> Result<ParsedCreditCode, Problems> {
        let s = input.trim().to_ascii_uppercase();
        let mut problems = Problems::default();
        let found = s.chars().count();
        if found != LEN {
            problems.push(IdentityError::WrongLength {
                kind: IdKind::CreditCode,
                expected: LEN,
                found,
            });
            return Err(problems);
        }
        let mut values = [0u32; 17];
        let mut chars = s.chars();
        for (i, slot) in values.iter_mut().enumerate() {
            let c = chars.next().unwrap_or(' ');
            let position = i + 1;
            match value_of(c) {
                Some(_) if (3..=8).contains(&position) && !c.is_ascii_digit() => {
                    problems.push(IdentityError::RegionNotDigits { position, found: c });
                }
                Some(v) => *slot = v,
                None => problems.push(IdentityError::InvalidChar {
                    kind: IdKind::CreditCode,
                    position,
                    found: c,
                    expected: Expected::CreditCodeChar,
                }),
            }
        }
        let last = chars.next().unwrap_or(' ');
        if value_of(last).is_none() {
            problems.push(IdentityError::InvalidChar {
                kind: IdKind::CreditCode,
                position: LEN,
                found: last,
                expected: Expected::CreditCodeChar,
            });
        }
        if !problems.is_empty() {
            return Err(problems);
        }

        let code = CreditCode(s);
        let mut warnings = Vec::new();
        let authority = code.registration_authority();
        match AUTHORITIES.iter().find(|(a, _, _)| *a == authority) {
            None => {
                warnings.push(CreditCodeWarning::UnknownRegistrationAuthority { found: authority })
            }
            Some((_, _, categories)) => {
                let category = code.org_category();
                if !categories.iter().any(|(c, _)| *c == category) {
                    warnings.push(CreditCodeWarning::UnknownOrgCategory {
                        authority,
                        found: category,
                    });
                }
            }
        }
        let prefix = code.region_code().get(0..2).unwrap_or_default();
        if !prefix
            .parse::<u32>()
            .is_ok_and(|p| REGION_PREFIXES.contains(&p))
        {
            warnings.push(CreditCodeWarning::UnknownRegionPrefix {
                prefix: prefix.to_owned(),
            });
        }
        let expected = check_char(&values);
        if expected != last {
            warnings.push(CreditCodeWarning::ChecksumMismatch {
                expected,
                found: last,
            });
        }
        Ok(ParsedCreditCode { code, warnings })
    }

    /// The check character for the first 17 characters, or `None` if they are not 17 characters of
    /// the alphabet. Handy for building test data.
    pub fn compute_check_char(first17: &str) -> Option<char> {
        let mut values = [0u32; 17];
        let mut chars = first17.chars();
        for slot in &mut values {
            *slot = value_of(chars.next()?)?;
        }
        if chars.next().is_some() {
            return None;
        }
        Some(check_char(&values))
    }

    /// The full 18-character code, upper case.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// 登记管理部门代码 (char 1): `9` market regulation (工商), `1` institutional staffing (机构编制),
    /// `5` civil affairs (民政), `Y` other, …
    pub fn registration_authority(&self) -> char {
        self.0.chars().next().unwrap_or('?')
    }

    /// Name of the registration authority (登记管理部门), if GB 32100 defines it.
    pub fn registration_authority_name(&self) -> Option<&'static str> {
        let authority = self.registration_authority();
        AUTHORITIES
            .iter()
            .find(|(a, _, _)| *a == authority)
            .map(|(_, name, _)| *name)
    }

    /// 机构类别代码 (char 2), e.g. `1` enterprise (企业) under authority `9`.
    pub fn org_category(&self) -> char {
        self.0.chars().nth(1).unwrap_or('?')
    }

    /// Name of the organization category (机构类别), if GB 32100 defines it for this authority.
    pub fn org_category_name(&self) -> Option<&'static str> {
        let (authority, category) = (self.registration_authority(), self.org_category());
        AUTHORITIES
            .iter()
            .find(|(a, _, _)| *a == authority)
            .and_then(|(_, _, categories)| categories.iter().find(|(c, _)| *c == category))
            .map(|(_, name)| *name)
    }

    /// 登记管理机关行政区划码 (chars 3–8): the region of the office that registered the organization.
    pub fn region_code(&self) -> &str {
        self.0.get(2..8).unwrap_or_default()
    }

    /// 主体标识码 (chars 9–17): the GB 11714 organization code (组织机构代码).
    pub fn org_code(&self) -> &str {
        self.0.get(8..17).unwrap_or_default()
    }

    /// 校验码 (char 18).
    pub fn check_char(&self) -> char {
        self.0.chars().last().unwrap_or('?')
    }

    /// Masked for display and logs (脱敏): the first 8 characters (authority, category, region — the
    /// same for thousands of organizations) and the last 2 stay: `91350100********43`.
    pub fn masked(&self) -> String {
        mask_credit_like(&self.0)
    }
}

/// First 8 and last 2 characters kept, 8 stars between; works on malformed input too (for reports).
pub(crate) fn mask_credit_like(s: &str) -> String {
    mask_middle(s, 8, 2)
}

impl fmt::Debug for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CreditCode").field(&self.masked()).finish()
    }
}

impl FromStr for CreditCode {
    type Err = IdentityError;

    /// Accepts codes with warnings, like [`CreditCode::parse`]; use `parse` to see them.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s).map(|parsed| parsed.code)
    }
}

impl TryFrom<String> for CreditCode {
    type Error = IdentityError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<CreditCode> for String {
    fn from(code: CreditCode) -> String {
        code.0
    }
}

impl AsRef<str> for CreditCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const EXAMPLE: &str = "91350100M000100Y43";

    #[test]
    fn official_example_parses_without_warnings() {
        let parsed = CreditCode::parse(EXAMPLE).unwrap();
        assert_eq!(parsed.warnings, []);
        let code = parsed.code;
        assert_eq!(code.as_str(), EXAMPLE);
        assert_eq!(code.registration_authority(), '9');
        assert_eq!(code.registration_authority_name(), Some("工商"));
        assert_eq!(code.org_category(), '1');
        assert_eq!(code.org_category_name(), Some("企业"));
        assert_eq!(code.region_code(), "350100");
        assert_eq!(code.org_code(), "M000100Y4");
        assert_eq!(code.check_char(), '3');
        assert_eq!(code.masked(), "91350100********43");
        assert_eq!(format!("{code:?}"), "CreditCode(\"91350100********43\")");
    }

    #[test]
    fn trims_and_uppercases() {
        let parsed = CreditCode::parse(" 91350100m000100y43 ").unwrap();
        assert_eq!(parsed.code.as_str(), EXAMPLE);
    }

    #[test]
    fn wrong_length() {
        let e = CreditCode::parse("91350100M000100Y4").unwrap_err();
        assert_eq!(
            e,
            IdentityError::WrongLength {
                kind: IdKind::CreditCode,
                expected: 18,
                found: 17
            }
        );
        assert!(
            e.to_string()
                .starts_with("a unified social credit code has 18")
        );
    }

    #[test]
    fn letters_outside_the_alphabet() {
        for (bad, position, found) in [
            ("91350100M0001I0Y43", 14, 'I'),
            ("91350100M000100Y4O", 18, 'O'),
            ("Z1350100M000100Y43", 1, 'Z'),
            ("91350100M000100Y4-", 18, '-'),
        ] {
            assert_eq!(
                CreditCode::parse(bad).unwrap_err(),
                IdentityError::InvalidChar {
                    kind: IdKind::CreditCode,
                    position,
                    found,
                    expected: Expected::CreditCodeChar
                },
                "{bad}"
            );
        }
    }

    #[test]
    fn region_must_be_digits() {
        let e = CreditCode::parse("9135A100M000100Y43").unwrap_err();
        assert_eq!(
            e,
            IdentityError::RegionNotDigits {
                position: 5,
                found: 'A'
            }
        );
        assert_eq!(e.code(), "identity.region_not_digits");
        assert!(e.message_zh().contains("第 5 位"));
    }

    fn with_check(first17: &str) -> String {
        format!(
            "{first17}{}",
            CreditCode::compute_check_char(first17).unwrap()
        )
    }

    #[test]
    fn checksum_failure_is_a_warning() {
        let parsed = CreditCode::parse("91350100M000100Y44").unwrap();
        assert_eq!(
            parsed.warnings,
            [CreditCodeWarning::ChecksumMismatch {
                expected: '3',
                found: '4'
            }]
        );
        assert_eq!(
            parsed.warnings[0].code(),
            "identity.credit_code_checksum_mismatch"
        );
        assert!(parsed.warnings[0].message_zh().contains("应为 3"));
        assert!(parsed.warnings[0].to_string().contains("expected 3, got 4"));
    }

    #[test]
    fn structure_doubts_are_warnings() {
        let parsed = CreditCode::parse(&with_check("B1350100M000100Y4")).unwrap();
        assert_eq!(
            parsed.warnings,
            [CreditCodeWarning::UnknownRegistrationAuthority { found: 'B' }]
        );
        let parsed = CreditCode::parse(&with_check("94350100M000100Y4")).unwrap();
        assert_eq!(
            parsed.warnings,
            [CreditCodeWarning::UnknownOrgCategory {
                authority: '9',
                found: '4'
            }]
        );
        let parsed = CreditCode::parse(&with_check("91990100M000100Y4")).unwrap();
        assert_eq!(
            parsed.warnings[0].code(),
            "identity.credit_code_unknown_region_prefix"
        );
        // National-level registering offices use 100000.
        let parsed = CreditCode::parse(&with_check("11100000M000100Y4")).unwrap();
        assert_eq!(parsed.warnings, []);
        for w in [
            CreditCodeWarning::UnknownRegistrationAuthority { found: 'B' },
            CreditCodeWarning::UnknownOrgCategory {
                authority: '9',
                found: '4',
            },
            CreditCodeWarning::UnknownRegionPrefix {
                prefix: "99".into(),
            },
        ] {
            assert!(!w.message_zh().is_empty());
            assert!(!w.to_string().is_empty());
        }
    }

    #[test]
    fn serde_and_from_str() {
        let code: CreditCode = EXAMPLE.parse().unwrap();
        assert_eq!(
            serde_json::to_string(&code).unwrap(),
            format!("\"{EXAMPLE}\"")
        );
        let back: CreditCode = serde_json::from_str(&format!("\"{EXAMPLE}\"")).unwrap();
        assert_eq!(back, code);
        assert!(serde_json::from_str::<CreditCode>("\"9135\"").is_err());
        assert_eq!(CreditCode::compute_check_char("91350100M000100Y"), None);
        assert_eq!(CreditCode::compute_check_char("91350100M000100YI"), None);
    }

    fn valid_code() -> impl Strategy<Value = String> {
        let pairs: Vec<(char, char)> = AUTHORITIES
            .iter()
            .flat_map(|(a, _, cats)| cats.iter().map(move |(c, _)| (*a, *c)))
            .collect();
        (
            prop::sample::select(pairs),
            prop::sample::select(REGION_PREFIXES.to_vec()),
            0u32..10_000,
            prop::collection::vec(prop::sample::select(ALPHABET.to_vec()), 9),
        )
            .prop_map(|((a, c), prefix, rest, org)| {
                let org: String = org.into_iter().map(char::from).collect();
                with_check(&format!("{a}{c}{prefix:02}{rest:04}{org}"))
            })
    }

    proptest! {
        #[test]
        fn generated_codes_parse_clean_and_round_trip(s in valid_code()) {
            let parsed = CreditCode::parse(&s).unwrap();
            prop_assert_eq!(&parsed.warnings, &vec![]);
            prop_assert_eq!(parsed.code.as_str(), s.as_str());
            let back: CreditCode =
                serde_json::from_str(&serde_json::to_string(&parsed.code).unwrap()).unwrap();
            prop_assert_eq!(back, parsed.code);
        }

        #[test]
        fn changing_one_character_is_always_caught(
            s in valid_code(),
            pos in 0usize..18,
            new in prop::sample::select(ALPHABET.to_vec()),
        ) {
            let mut chars: Vec<char> = s.chars().collect();
            prop_assume!(chars[pos] != char::from(new));
            chars[pos] = char::from(new);
            let changed: String = chars.into_iter().collect();
            // Caught = refused, or accepted with a checksum warning.
            match CreditCode::parse(&changed) {
                Err(_) => {}
                Ok(parsed) => prop_assert!(
                    parsed.warnings.iter().any(|w| matches!(w, CreditCodeWarning::ChecksumMismatch { .. })),
                    "{} accepted without a checksum warning", changed
                ),
            }
        }
    }
}
