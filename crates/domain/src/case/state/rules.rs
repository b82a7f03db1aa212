//! Permission and status rules: which step and role an action needs and from which status it may
//! be taken; separate from applying an action so the checks can be read (and listed) on their own.

use crate::case::error::CaseError;
use crate::catalog::{Item, Role, StepKind};

use super::action::ActionKind;
use super::status::SubCaseStatus;
use super::sub_case::SubCaseState;

pub(super) fn step(item: &Item, kind: StepKind) -> Option<Role> {
    item.steps.iter().find(|s| s.kind == kind).map(|s| s.role)
}

/// The status from which the decision (or, without a decide step, the conclusion) is taken.
fn ready_to_decide(item: &Item) -> SubCaseStatus {
    if step(item, StepKind::Review).is_some() {
        SubCaseStatus::Reviewed
    } else {
        SubCaseStatus::Accepted
    }
}

/// The step an action needs and the roles that may take it.
fn permission(item: &Item, kind: ActionKind) -> Result<Vec<Role>, CaseError> {
    let need = |k: StepKind| {
        step(item, k).ok_or(CaseError::StepNotInProcess {
            action: kind,
            step: k,
        })
    };
    Ok(match kind {
        ActionKind::Accept
        | ActionKind::AcceptWithTolerance
        | ActionKind::Reject
        | ActionKind::RequestSupplement => {
            vec![need(StepKind::Accept)?]
        }
        ActionKind::Supplement => {
            let clerk = need(StepKind::Accept)?;
            if clerk == Role::Applicant {
                vec![Role::Applicant]
            } else {
                vec![Role::Applicant, clerk]
            }
        }
        ActionKind::Review => vec![need(StepKind::Review)?],
        ActionKind::Approve | ActionKind::Deny => match step(item, StepKind::Decide) {
            Some(role) => vec![role],
            None => vec![
                need(StepKind::Conclude).map_err(|_| CaseError::StepNotInProcess {
                    action: kind,
                    step: StepKind::Decide,
                })?,
            ],
        },
        ActionKind::Conclude => vec![need(StepKind::Conclude)?],
        ActionKind::Deliver => vec![need(StepKind::Deliver)?],
        ActionKind::Withdraw => vec![Role::Applicant],
    })
}

/// Whether `kind` may be taken from `status` for this item (payload aside).
fn status_allows(item: &Item, status: SubCaseStatus, kind: ActionKind) -> bool {
    use SubCaseStatus as S;
    match kind {
        ActionKind::Accept | ActionKind::AcceptWithTolerance | ActionKind::Reject => {
            status == S::Submitted
        }
        ActionKind::RequestSupplement => matches!(status, S::Submitted | S::Accepted | S::Reviewed),
        ActionKind::Supplement => status == S::AwaitingSupplement,
        ActionKind::Review => status == S::Accepted,
        ActionKind::Approve | ActionKind::Deny => status == ready_to_decide(item),
        ActionKind::Conclude => {
            status == S::Decided
                || (step(item, StepKind::Decide).is_none() && status == ready_to_decide(item))
        }
        ActionKind::Deliver => status == S::Concluded,
        ActionKind::Withdraw => matches!(
            status,
            S::Waiting | S::Submitted | S::AwaitingSupplement | S::Accepted | S::Reviewed
        ),
    }
}

/// Everything about an action but its data, in the order errors are reported: ended, waiting,
/// step missing, role, status.
pub(super) fn check(
    state: &SubCaseState,
    item: &Item,
    role: Role,
    kind: ActionKind,
) -> Result<(), CaseError> {
    if state.is_finished(item) {
        return Err(CaseError::Terminal {
            status: state.status,
        });
    }
    if state.status == SubCaseStatus::Waiting && kind != ActionKind::Withdraw {
        return Err(CaseError::WaitingForDependencies);
    }
    let needed = permission(item, kind)?;
    if !needed.contains(&role) {
        return Err(CaseError::RoleNotAllowed {
            action: kind,
            role,
            needed,
        });
    }
    if !status_allows(item, state.status, kind)
        && !crate::case::tolerance::status_allows(state, kind)
    {
        return Err(CaseError::ActionNotAllowedInStatus {
            action: kind,
            status: state.status,
        });
    }
    crate::case::tolerance::check(state, item, kind)
}

/// The actions `role` may take now, for the UI and the API (their data still has to be valid).
pub fn allowed_actions(state: &SubCaseState, item: &Item, role: Role) -> Vec<ActionKind> {
    ActionKind::ALL
        .into_iter()
        .filter(|k| check(state, item, role, *k).is_ok())
        .collect()
}
