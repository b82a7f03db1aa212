//! [`apply`] — one action turned into the next state, with the validation of its data and the
//! closing of supplement pauses; separate from the permission rules it relies on.

use chrono::NaiveDate;

use crate::calendar::Pause;
use crate::case::error::CaseError;
use crate::catalog::{Item, Role};

use super::action::{Action, ActionKind};
use super::rules::check;
use super::status::SubCaseStatus;
use super::sub_case::SubCaseState;

/// Applies one action taken by someone acting as `role` on `today`, giving the new state.
///
/// Who may do what comes from the item's steps: accept / reject / request_supplement — the role of
/// the accept step; review — the review step's (only if the item has one); approve / deny — the
/// decide step's, or the conclude step's when the item has no decide step; conclude — the conclude
/// step's; deliver — the deliver step's (only if the item has one); supplement — the applicant or
/// the accept step's role (a supplement brought to the window); withdraw — the applicant (an agent
/// acting for them counts as the applicant; the app decides that).
///
/// Transitions: see the module documentation. Without a review step the decision follows
/// acceptance; without a decide step `conclude` may follow directly and its `result.approved` is
/// the decision (approve/deny by the conclude role is also possible); after a decision the result
/// must agree with it (`case.result_mismatch`). An instant item (即办件) may be accepted and
/// concluded the same day.
pub fn apply(
    state: &SubCaseState,
    item: &Item,
    role: Role,
    action: &Action,
    today: NaiveDate,
) -> Result<SubCaseState, CaseError> {
    let kind = action.kind();
    check(state, item, role, kind)?;
    let mut next = state.clone();
    match action {
        Action::Accept => {
            next.status = SubCaseStatus::Accepted;
            next.accepted_on = Some(today);
        }
        Action::AcceptWithTolerance { tolerated } => {
            next.pledged = crate::case::tolerance::tolerated_codes(item, tolerated)?;
            next.status = SubCaseStatus::Accepted;
            next.accepted_on = Some(today);
        }
        Action::Reject { reasons } => {
            require_reasons(kind, reasons)?;
            next.status = SubCaseStatus::Rejected;
        }
        Action::RequestSupplement { materials, .. } => {
            let materials = material_codes(item, kind, materials)?;
            next.resume_to = Some(state.status);
            next.requested_materials = materials;
            next.status = SubCaseStatus::AwaitingSupplement;
            if state.status != SubCaseStatus::Submitted {
                next.pauses.push(Pause::open(today));
            }
        }
        Action::Supplement { materials } if state.status != SubCaseStatus::AwaitingSupplement => {
            let given = material_codes(item, kind, materials)?;
            next = crate::case::tolerance::supplement_pledged(state, &given, today)?;
        }
        Action::Supplement { materials } => {
            let given = material_codes(item, kind, materials)?;
            next.pledged.retain(|m| !given.contains(m));
            let missing: Vec<String> = state
                .requested_materials
                .iter()
                .filter(|m| !given.contains(m))
                .cloned()
                .collect();
            if !missing.is_empty() {
                return Err(CaseError::SupplementIncomplete { missing });
            }
            close_pause(&mut next, today);
            next.status = state.resume_to.unwrap_or(SubCaseStatus::Submitted);
            next.resume_to = None;
            next.requested_materials.clear();
        }
        Action::Review { .. } => next.status = SubCaseStatus::Reviewed,
        Action::Approve { .. } => {
            next.status = SubCaseStatus::Decided;
            next.approved = Some(true);
        }
        Action::Deny { reasons } => {
            require_reasons(kind, reasons)?;
            next.status = SubCaseStatus::Decided;
            next.approved = Some(false);
        }
        Action::Conclude { result } => {
            if let Some(decided) = state.approved
                && decided != result.approved
            {
                return Err(CaseError::ResultMismatch {
                    decided,
                    result: result.approved,
                });
            }
            next.status = SubCaseStatus::Concluded;
            next.approved = Some(result.approved);
            next.result = Some(result.clone());
        }
        Action::Deliver { .. } => next.status = SubCaseStatus::Delivered,
        Action::Withdraw { reason } => {
            if reason.trim().is_empty() {
                return Err(CaseError::ReasonsRequired { action: kind });
            }
            close_pause(&mut next, today);
            next.status = SubCaseStatus::Withdrawn;
            next.resume_to = None;
            next.requested_materials.clear();
        }
    }
    Ok(next)
}

fn require_reasons(action: ActionKind, reasons: &[String]) -> Result<(), CaseError> {
    if reasons.iter().any(|r| !r.trim().is_empty()) {
        Ok(())
    } else {
        Err(CaseError::ReasonsRequired { action })
    }
}

/// Trimmed, deduplicated material codes, at least one, all of the item.
fn material_codes(
    item: &Item,
    action: ActionKind,
    materials: &[String],
) -> Result<Vec<String>, CaseError> {
    let mut codes: Vec<String> = Vec::with_capacity(materials.len());
    for m in materials {
        let m = m.trim();
        if !m.is_empty() && !codes.iter().any(|c| c == m) {
            codes.push(m.to_owned());
        }
    }
    if codes.is_empty() {
        return Err(CaseError::MaterialsRequired { action });
    }
    let unknown: Vec<String> = codes
        .iter()
        .filter(|c| item.material(c).is_none())
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(CaseError::UnknownMaterial { codes: unknown });
    }
    Ok(codes)
}

/// Ends the open pause: it covers the days from the request through yesterday; a supplement on
/// the day of the request (or a date before it) leaves no pause at all.
pub(in crate::case) fn close_pause(state: &mut SubCaseState, today: NaiveDate) {
    let Some(last) = state.pauses.last_mut() else {
        return;
    };
    if last.to.is_some() {
        return;
    }
    match today.pred_opt() {
        Some(yesterday) if yesterday >= last.from => last.to = Some(yesterday),
        _ => {
            state.pauses.pop();
        }
    }
}
