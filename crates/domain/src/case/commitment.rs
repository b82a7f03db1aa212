//! 承诺办 (告知承诺) — pure rules: which sub-cases the post-verification (事后核查) samples, how
//! long a broken commitment (失信记录) bars an applicant, and revoking a result.
//!
//! - Sampling is deterministic: the first eight bytes of SHA-256(`"{case_number}:{seq}"`) as a
//!   big-endian number, modulo 100, below the item's `verification_percent`. An applicant with a
//!   broken commitment on record is always verified.
//! - A bar lasts `bar_days` **calendar** days from the day the verification failed: `barred_until`
//!   is that day plus `bar_days`, and the applicant is barred while `today < barred_until` (on
//!   `barred_until` itself 承诺办 is open again).

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::state::{SubCaseState, SubCaseStatus};

/// 撤销 — why and when a result was revoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    pub on: NaiveDate,
    /// The verifier's finding.
    pub note: String,
}

/// 核查状态 of one sampled sub-case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationStatus {
    Pending,
    Passed,
    Failed,
}

impl VerificationStatus {
    pub const ALL: [VerificationStatus; 3] = [Self::Pending, Self::Passed, Self::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Passed => "passed",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// Whether a concluded sub-case goes to 事后核查: always for an applicant with a broken commitment
/// on record, otherwise a deterministic `percent` sample (0 never, 100 or more always).
pub fn sampled(case_number: &str, seq: i64, percent: u32, broken_on_record: bool) -> bool {
    if broken_on_record || percent >= 100 {
        return true;
    }
    let digest = Sha256::digest(format!("{case_number}:{seq}").as_bytes());
    let mut head = [0u8; 8];
    head.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(head) % 100 < u64::from(percent)
}

/// The first day an applicant whose commitment broke on `today` may use 承诺办 again.
pub fn barred_until(today: NaiveDate, bar_days: u32) -> NaiveDate {
    today
        .checked_add_days(Days::new(u64::from(bar_days)))
        .unwrap_or(NaiveDate::MAX)
}

/// Whether a bar ending on `barred_until` still holds on `today`.
pub fn is_barred(barred_until: NaiveDate, today: NaiveDate) -> bool {
    today < barred_until
}

/// Why a result cannot be revoked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevokeError {
    /// Only an approving result that exists (concluded or delivered) can be revoked.
    NoApprovedResult {
        status: SubCaseStatus,
    },
    AlreadyRevoked,
    NoteRequired,
}

impl RevokeError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoApprovedResult { .. } => "commitment.no_result_to_revoke",
            Self::AlreadyRevoked => "commitment.already_revoked",
            Self::NoteRequired => "commitment.note_required",
        }
    }

    pub fn message(&self) -> (String, String) {
        match self {
            Self::NoApprovedResult { status } => (
                format!(
                    "Only an approving result can be revoked; this sub-case is {}.",
                    status.as_str()
                ),
                format!(
                    "只有准予的办结结果可以撤销；该子件状态为{}。",
                    status.name_zh()
                ),
            ),
            Self::AlreadyRevoked => (
                "This result has already been revoked.".into(),
                "该办结结果已被撤销。".into(),
            ),
            Self::NoteRequired => (
                "A failed verification needs a note saying what was found.".into(),
                "核查不通过须填写核查情况说明。".into(),
            ),
        }
    }
}

/// Revokes the approving result of a concluded (or delivered) sub-case after a failed verification.
pub fn revoke(
    state: &SubCaseState,
    today: NaiveDate,
    note: &str,
) -> Result<SubCaseState, RevokeError> {
    if state.revoked.is_some() {
        return Err(RevokeError::AlreadyRevoked);
    }
    let approved = state.result.as_ref().is_some_and(|r| r.approved);
    if !state.status.is_concluded() || !approved {
        return Err(RevokeError::NoApprovedResult {
            status: state.status,
        });
    }
    let note = note.trim();
    if note.is_empty() {
        return Err(RevokeError::NoteRequired);
    }
    let mut next = state.clone();
    next.revoked = Some(Revocation {
        on: today,
        note: note.to_string(),
    });
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::CaseResult;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn sampling_is_deterministic_and_follows_the_rate() {
        assert!(!sampled("TB20261128000001", 1, 0, false));
        assert!(sampled("TB20261128000001", 1, 100, false));
        assert!(
            sampled("TB20261128000001", 1, 0, true),
            "a record means always"
        );
        let a = sampled("TB20261128000007", 2, 30, false);
        assert_eq!(a, sampled("TB20261128000007", 2, 30, false));
        let hits = (0..2000)
            .filter(|n| sampled(&format!("TB20261128{n:06}"), 1, 30, false))
            .count();
        assert!((450..750).contains(&hits), "about 30 %: {hits}");
    }

    #[test]
    fn bar_counts_calendar_days_and_ends_on_barred_until() {
        let until = barred_until(day("2026-02-27"), 2);
        assert_eq!(until, day("2026-03-01"));
        assert!(is_barred(until, day("2026-02-28")));
        assert!(!is_barred(until, day("2026-03-01")));
    }

    #[test]
    fn only_an_approving_result_is_revoked_once() {
        let mut st = SubCaseState::new(false);
        assert!(matches!(
            revoke(&st, day("2026-03-01"), "x"),
            Err(RevokeError::NoApprovedResult { .. })
        ));
        st.status = SubCaseStatus::Concluded;
        st.approved = Some(true);
        st.result = Some(CaseResult {
            number: "N1".into(),
            content: "ok".into(),
            issuer: "dept".into(),
            issued_on: day("2026-03-01"),
            approved: true,
        });
        assert_eq!(
            revoke(&st, day("2026-03-02"), "  ").err(),
            Some(RevokeError::NoteRequired)
        );
        let next = revoke(&st, day("2026-03-02"), "地址不实").unwrap_or(st.clone());
        assert_eq!(next.revoked.as_ref().map(|r| r.on), Some(day("2026-03-02")));
        assert_eq!(
            revoke(&next, day("2026-03-03"), "again").err(),
            Some(RevokeError::AlreadyRevoked)
        );
    }
}
