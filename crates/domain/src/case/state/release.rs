//! Bundle dependencies: releasing or cancelling a waiting sub-case from the sub-cases it needs;
//! separate because it concerns several sub-cases rather than one action on one.

use serde::{Deserialize, Serialize};

use crate::case::error::CaseError;

use super::status::SubCaseStatus;
use super::sub_case::SubCaseState;

/// What to do with a waiting sub-case, given the sub-cases it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Release {
    /// Keep waiting.
    Stay,
    /// Every needed result is in: submit it.
    Release,
    /// A needed item ended without approval: cancel it.
    Cancel,
}

/// Decides a waiting sub-case from the sub-cases it needs (`needs_status[i]` with its decision
/// `approved[i]`; a missing decision counts as none): released when every one is concluded or
/// delivered with approval, cancelled as soon as any one ended without approval (rejected,
/// withdrawn, cancelled, or concluded with a denial), otherwise it stays. Needing nothing releases.
pub fn release_waiting(needs_status: &[SubCaseStatus], approved: &[Option<bool>]) -> Release {
    let mut all_done = true;
    for (i, status) in needs_status.iter().enumerate() {
        let approved = approved.get(i).copied().flatten() == Some(true);
        let done = status.is_concluded() && approved;
        if !done && (status.is_terminal() || status.is_concluded()) {
            return Release::Cancel;
        }
        all_done &= done;
    }
    if all_done {
        Release::Release
    } else {
        Release::Stay
    }
}

/// Applies a [`release_waiting`] decision: `Release` submits, `Cancel` cancels, `Stay` changes
/// nothing. Errors with `case.not_waiting` unless the sub-case is waiting (for `Release`/`Cancel`).
pub fn apply_release(state: &SubCaseState, release: Release) -> Result<SubCaseState, CaseError> {
    if release == Release::Stay {
        return Ok(state.clone());
    }
    if state.status != SubCaseStatus::Waiting {
        return Err(CaseError::NotWaiting {
            status: state.status,
        });
    }
    let mut next = state.clone();
    next.status = match release {
        Release::Cancel => SubCaseStatus::Cancelled,
        _ => SubCaseStatus::Submitted,
    };
    Ok(next)
}
