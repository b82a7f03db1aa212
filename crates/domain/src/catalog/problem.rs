//! 目录问题 — what is wrong with a catalog, in a form both the command line and the admin pages can
//! show: a stable code, the file and line, the field path, and a message in English and Chinese.

use std::fmt;

use serde::Serialize;

/// One problem found in a catalog: a TOML syntax error, a key the format does not know, or a broken
/// rule of the catalog (`docs/CATALOG.md` lists every code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The catalog file, relative to the catalog folder (`items/hrss/430400-RS-0001.toml`); `None`
    /// when the catalog was checked in memory ([`super::validate_catalog`]).
    pub file: Option<String>,
    /// 1-based line in `file`.
    pub line: Option<u32>,
    /// What the problem is about.
    pub subject: Subject,
    /// Field path inside the file, e.g. `materials[2].tolerable_days` (indexes count from 0); empty
    /// for the whole file.
    pub path: String,
    /// Stable snake_case code, e.g. `catalog.tolerable_on_instant_item`; pages translate by it.
    pub code: &'static str,
    pub message: String,
    pub message_zh: String,
}

impl Problem {
    pub(crate) fn new(
        subject: Subject,
        path: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
        message_zh: impl Into<String>,
    ) -> Self {
        Self {
            file: None,
            line: None,
            subject,
            path: path.into(),
            code,
            message: message.into(),
            message_zh: message_zh.into(),
        }
    }
}

impl fmt::Display for Problem {
    /// `items/hrss/A.toml:12: materials[2].tolerable_days: message [code]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, "{file}:{line}: ")?,
            (Some(file), None) => write!(f, "{file}: ")?,
            (None, _) => write!(f, "{}: ", self.subject)?,
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        write!(f, "{} [{}]", self.message, self.code)
    }
}

/// The part of the catalog a problem belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "code", rename_all = "snake_case")]
pub enum Subject {
    /// The catalog as a whole (a missing `catalog.toml`, a stray file).
    Catalog,
    /// `catalog.toml`.
    Index,
    /// An item, by its code (the file name when the file could not be read).
    Item(String),
    /// A bundle, by its code (the file name when the file could not be read).
    Bundle(String),
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Catalog => f.write_str("catalog"),
            Self::Index => f.write_str("catalog.toml"),
            Self::Item(code) => write!(f, "item {code}"),
            Self::Bundle(code) => write!(f, "bundle {code}"),
        }
    }
}

/// The stable problem codes. `ALL` lists every one; a test checks that `docs/CATALOG.md` documents
/// each of them.
pub mod codes {
    macro_rules! codes {
        ($($name:ident = $code:literal;)*) => {
            $(pub const $name: &str = $code;)*
            /// Every code, in documentation order.
            pub const ALL: &[&str] = &[$($code),*];
        };
    }

    codes! {
        // Files and syntax.
        TOML_SYNTAX = "catalog.toml_syntax";
        UNKNOWN_KEY = "catalog.unknown_key";
        MISSING_KEY = "catalog.missing_key";
        WRONG_TYPE = "catalog.wrong_type";
        BAD_VALUE = "catalog.bad_value";
        MISSING_INDEX = "catalog.missing_index";
        DUPLICATE_FILE = "catalog.duplicate_file";
        UNEXPECTED_FILE = "catalog.unexpected_file";
        FILE_NAME_MISMATCH = "catalog.file_name_mismatch";
        // Names, codes and keys.
        EMPTY_NAME = "catalog.empty_name";
        BAD_CODE = "catalog.bad_code";
        BAD_KEY = "catalog.bad_key";
        BAD_CITY_CODE = "catalog.bad_city_code";
        DUPLICATE_DEPARTMENT_TYPE = "catalog.duplicate_department_type";
        DEPARTMENT_TYPE_WITHOUT_LEVELS = "catalog.department_type_without_levels";
        DUPLICATE_LIFE_EVENT = "catalog.duplicate_life_event";
        DUPLICATE_ITEM_CODE = "catalog.duplicate_item_code";
        DUPLICATE_BUNDLE_CODE = "catalog.duplicate_bundle_code";
        // Item: classification.
        UNKNOWN_DEPARTMENT_TYPE = "catalog.unknown_department_type";
        DEPARTMENT_LEVEL_NOT_AVAILABLE = "catalog.department_level_not_available";
        UNKNOWN_LIFE_EVENT = "catalog.unknown_life_event";
        LIFE_EVENT_AUDIENCE_MISMATCH = "catalog.life_event_audience_mismatch";
        // Item: limits, fee, result.
        COMMITTED_OVER_LEGAL = "catalog.committed_over_legal";
        BAD_FEE = "catalog.bad_fee";
        FEE_WITHOUT_BASIS = "catalog.fee_without_basis";
        CERTIFICATE_WITHOUT_TYPE = "catalog.certificate_without_type";
        // Item: materials.
        DUPLICATE_MATERIAL = "catalog.duplicate_material";
        MATERIAL_NAME_CONFLICT = "catalog.material_name_conflict";
        ZERO_COPIES = "catalog.zero_copies";
        CONDITIONAL_WITHOUT_CONDITION = "catalog.conditional_without_condition";
        TOLERABLE_ON_INSTANT_ITEM = "catalog.tolerable_on_instant_item";
        TOLERABLE_DAYS_ZERO = "catalog.tolerable_days_zero";
        TOLERABLE_DAYS_OVER_LIMIT = "catalog.tolerable_days_over_limit";
        TOLERABLE_WITHOUT_SETTINGS = "catalog.tolerable_without_settings";
        TOLERABLE_WITHOUT_MODE = "catalog.tolerable_without_mode";
        TOLERANCE_MODE_WITHOUT_MATERIAL = "catalog.tolerance_mode_without_material";
        REPLACEABLE_WITHOUT_SETTINGS = "catalog.replaceable_without_settings";
        REPLACEABLE_WITHOUT_MODE = "catalog.replaceable_without_mode";
        COMMITMENT_MODE_WITHOUT_MATERIAL = "catalog.commitment_mode_without_material";
        VERIFICATION_PERCENT_OVER_100 = "catalog.verification_percent_over_100";
        // Item: process steps.
        NO_STEPS = "catalog.no_steps";
        FIRST_STEP_NOT_ACCEPT = "catalog.first_step_not_accept";
        MISSING_CONCLUDE_STEP = "catalog.missing_conclude_step";
        DUPLICATE_STEP = "catalog.duplicate_step";
        STEP_OUT_OF_ORDER = "catalog.step_out_of_order";
        STEP_SHARES_NOT_100 = "catalog.step_shares_not_100";
        STEP_ROLE_NOT_ALLOWED = "catalog.step_role_not_allowed";
        DECISION_WITHOUT_DECIDE_STEP = "catalog.decision_without_decide_step";
        // Item: form fields and jurisdiction.
        DUPLICATE_FIELD_KEY = "catalog.duplicate_field_key";
        SELECT_WITHOUT_OPTIONS = "catalog.select_without_options";
        DUPLICATE_OPTION = "catalog.duplicate_option";
        CONSTRAINT_NOT_APPLICABLE = "catalog.constraint_not_applicable";
        MIN_OVER_MAX = "catalog.min_over_max";
        MAX_LENGTH_ZERO = "catalog.max_length_zero";
        JURISDICTION_FIELD_MISSING = "catalog.jurisdiction_field_missing";
        JURISDICTION_FIELD_NOT_REGION = "catalog.jurisdiction_field_not_region";
        JURISDICTION_AUDIENCE_MISMATCH = "catalog.jurisdiction_audience_mismatch";
        // Bundles.
        BUNDLE_EMPTY = "catalog.bundle_empty";
        BUNDLE_UNKNOWN_ITEM = "catalog.bundle_unknown_item";
        BUNDLE_DUPLICATE_ITEM = "catalog.bundle_duplicate_item";
        BUNDLE_UNKNOWN_NEED = "catalog.bundle_unknown_need";
        BUNDLE_CYCLE = "catalog.bundle_cycle";
        BUNDLE_FIELD_CONFLICT = "catalog.bundle_field_conflict";
        BUNDLE_AUDIENCE_MISMATCH = "catalog.bundle_audience_mismatch";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_and_documented() {
        let doc = include_str!("../../../../docs/CATALOG.md");
        let mut seen = std::collections::BTreeSet::new();
        for code in codes::ALL {
            assert!(seen.insert(*code), "duplicate code {code}");
            let rest = code.strip_prefix("catalog.").unwrap_or("");
            assert!(
                !rest.is_empty()
                    && rest
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{code} is not catalog.snake_case"
            );
            assert!(
                doc.contains(&format!("`{code}`")),
                "docs/CATALOG.md does not document {code}"
            );
        }
    }

    #[test]
    fn display_names_file_line_path_and_code() {
        let mut p = Problem::new(
            Subject::Item("A".into()),
            "materials[2].tolerable_days",
            codes::TOLERABLE_DAYS_ZERO,
            "zero",
            "零",
        );
        assert_eq!(
            p.to_string(),
            "item A: materials[2].tolerable_days: zero [catalog.tolerable_days_zero]"
        );
        p.file = Some("items/x/A.toml".into());
        p.line = Some(12);
        assert_eq!(
            p.to_string(),
            "items/x/A.toml:12: materials[2].tolerable_days: zero [catalog.tolerable_days_zero]"
        );
    }
}
