//! 容缺受理 — accept now, supplement later.
//!
//! Only materials the catalog marks as tolerable ([`Material::tolerable_days`]) may be missing at
//! acceptance, and never on an instant item (即办件) or an item that does not allow the 容缺办 mode.
//! The clerk takes `accept_with_tolerance` with the tolerated material codes; the applicant signs a
//! supplement pledge (容缺受理承诺书) whose deadline is the smallest of their `tolerable_days` in
//! working days from acceptance, and never later than the committed limit ([`pledge_due`]).
//!
//! Review and decision proceed; `conclude` is refused with `case.pledge_outstanding` while any
//! pledged material is outstanding. A `supplement` delivers pledged materials (some or all).
//! When the deadline passes ([`expire_pledge`]: due on D, still in time on D, expired from D+1),
//! the sub-case ends as the item is configured ([`ToleranceExpiry`]): `terminated` (终止办理, final)
//! or `suspended` (中止办理: the clock is paused; supplying every pledged material resumes it).
//! A reminder is due once, when the deadline is at most one working day away ([`remind_pledge`]).

use chrono::NaiveDate;

use crate::calendar::{Calendar, CalendarError, Pause};
use crate::catalog::{HandlingMode, Item, Material, ToleranceExpiry};

use super::error::CaseError;
use super::state::{ActionKind, SubCaseState, SubCaseStatus, close_pause};

/// Whether an action the base machine refuses in this status is possible because of a pledge:
/// supplying pledged materials while the case proceeds (or is suspended), withdrawing a suspended
/// case.
pub(super) fn status_allows(state: &SubCaseState, kind: ActionKind) -> bool {
    use SubCaseStatus as S;
    match kind {
        ActionKind::Supplement => {
            !state.pledged.is_empty()
                && matches!(
                    state.status,
                    S::Accepted | S::Reviewed | S::Decided | S::Suspended
                )
        }
        ActionKind::Withdraw => state.status == S::Suspended,
        _ => false,
    }
}

/// Refusals that come from 容缺: accepting with tolerance where the item does not allow it, and
/// concluding while pledged materials are outstanding.
pub(super) fn check(state: &SubCaseState, item: &Item, kind: ActionKind) -> Result<(), CaseError> {
    match kind {
        ActionKind::AcceptWithTolerance => tolerance_allowed(item),
        ActionKind::Conclude if !state.pledged.is_empty() => Err(CaseError::PledgeOutstanding {
            materials: state.pledged.clone(),
        }),
        _ => Ok(()),
    }
}

/// `Ok` when the item may be accepted with missing materials at all.
pub fn tolerance_allowed(item: &Item) -> Result<(), CaseError> {
    if item.is_instant() {
        return Err(CaseError::ToleranceNotAllowed { instant: true });
    }
    if !item.allows(HandlingMode::Tolerance)
        || item.tolerance.is_none()
        || !item.materials.iter().any(Material::is_tolerable)
    {
        return Err(CaseError::ToleranceNotAllowed { instant: false });
    }
    Ok(())
}

/// The tolerated codes of an `accept_with_tolerance`: trimmed, deduplicated, at least one, all of
/// the item, all tolerable (`case.not_tolerable` names those that are not).
pub(super) fn tolerated_codes(item: &Item, tolerated: &[String]) -> Result<Vec<String>, CaseError> {
    let mut codes: Vec<String> = Vec::with_capacity(tolerated.len());
    for m in tolerated {
        let m = m.trim();
        if !m.is_empty() && !codes.iter().any(|c| c == m) {
            codes.push(m.to_owned());
        }
    }
    if codes.is_empty() {
        return Err(CaseError::MaterialsRequired {
            action: ActionKind::AcceptWithTolerance,
        });
    }
    let unknown: Vec<String> = codes
        .iter()
        .filter(|c| item.material(c).is_none())
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(CaseError::UnknownMaterial { codes: unknown });
    }
    let not_tolerable: Vec<String> = codes
        .iter()
        .filter(|c| item.material(c).is_some_and(|m| !m.is_tolerable()))
        .cloned()
        .collect();
    if !not_tolerable.is_empty() {
        return Err(CaseError::NotTolerable {
            codes: not_tolerable,
        });
    }
    Ok(codes)
}

/// 补交 of pledged materials (outside a supplement request): every given code must be pledged
/// (`case.not_pledged`); they are cleared. A suspended sub-case needs every outstanding material
/// (pledged, and requested if a supplement request was open) and then resumes where it stopped.
pub(super) fn supplement_pledged(
    state: &SubCaseState,
    given: &[String],
    today: NaiveDate,
) -> Result<SubCaseState, CaseError> {
    let not_pledged: Vec<String> = given
        .iter()
        .filter(|c| !state.pledged.contains(c))
        .cloned()
        .collect();
    if !not_pledged.is_empty() {
        return Err(CaseError::NotPledged { codes: not_pledged });
    }
    let mut next = state.clone();
    next.pledged.retain(|m| !given.contains(m));
    if state.status == SubCaseStatus::Suspended {
        let missing: Vec<String> = next
            .pledged
            .iter()
            .chain(
                state
                    .requested_materials
                    .iter()
                    .filter(|m| !given.contains(m)),
            )
            .cloned()
            .collect();
        if !missing.is_empty() {
            return Err(CaseError::SupplementIncomplete { missing });
        }
        close_pause(&mut next, today);
        next.status = state.resume_to.unwrap_or(SubCaseStatus::Accepted);
        next.resume_to = None;
        next.requested_materials.clear();
    }
    Ok(next)
}

/// The supplement deadline of a pledge accepted on `accepted_on`: the smallest `tolerable_days` of
/// the pledged materials, at most the item's committed limit, in working days on `cal`.
pub fn pledge_due(
    item: &Item,
    pledged: &[String],
    accepted_on: NaiveDate,
    cal: &Calendar,
) -> Result<NaiveDate, CalendarError> {
    let days = pledged
        .iter()
        .filter_map(|c| item.material(c).and_then(|m| m.tolerable_days))
        .min()
        .unwrap_or(item.committed_limit_days)
        .min(item.committed_limit_days);
    Ok(cal.deadline(accepted_on, days)?.value)
}

/// Sets [`SubCaseState::pledge_due`] after an `accept_with_tolerance` (the engine has no calendar).
pub fn with_pledge_due(
    state: &SubCaseState,
    item: &Item,
    cal: &Calendar,
) -> Result<SubCaseState, CalendarError> {
    let mut next = state.clone();
    if let (false, Some(accepted)) = (state.pledged.is_empty(), state.accepted_on) {
        next.pledge_due = Some(pledge_due(item, &state.pledged, accepted, cal)?);
    }
    Ok(next)
}

/// Whether a pledge is running: materials outstanding on a sub-case that still proceeds (not
/// ended, not concluded, not already suspended).
pub fn pledge_open(state: &SubCaseState) -> bool {
    !state.pledged.is_empty()
        && state.pledge_due.is_some()
        && !state.status.is_terminal()
        && !state.status.is_concluded()
        && state.status != SubCaseStatus::Suspended
}

/// The deadline has passed on `today` (due on D: in time through D, expired from D+1): the
/// sub-case terminated or suspended as the item says (terminate when it says nothing). `None` when
/// nothing is to be done.
pub fn expire_pledge(state: &SubCaseState, item: &Item, today: NaiveDate) -> Option<SubCaseState> {
    let due = state.pledge_due?;
    if !pledge_open(state) || today <= due {
        return None;
    }
    let mut next = state.clone();
    match item
        .tolerance
        .as_ref()
        .map_or(ToleranceExpiry::Terminate, |t| t.on_expiry)
    {
        ToleranceExpiry::Terminate => {
            close_pause(&mut next, today);
            next.status = SubCaseStatus::Terminated;
            next.resume_to = None;
            next.requested_materials.clear();
        }
        ToleranceExpiry::Suspend => {
            // Waiting for a supplement already: its pause and resume point stand.
            if state.status != SubCaseStatus::AwaitingSupplement {
                next.resume_to = Some(state.status);
                next.pauses.push(Pause::open(today));
            }
            next.status = SubCaseStatus::Suspended;
        }
    }
    Some(next)
}

/// The reminder before the deadline is due on `today` (the deadline is today or the next working
/// day) and has not gone out: the state with it marked sent. `None` otherwise.
pub fn remind_pledge(
    state: &SubCaseState,
    today: NaiveDate,
    cal: &Calendar,
) -> Option<SubCaseState> {
    let due = state.pledge_due?;
    if !pledge_open(state) || state.pledge_reminded || today > due {
        return None;
    }
    let next_workday = cal.deadline(today, 1).ok()?.value;
    if due > next_workday {
        return None;
    }
    let mut next = state.clone();
    next.pledge_reminded = true;
    Some(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Action, CaseResult, apply};
    use crate::catalog::Role;
    use crate::catalog::files::{SourceFile, parse_item};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// 城乡居民基本养老保险参保登记: M-HUKOU-BOOK tolerable 3 days, committed 3 days, terminate.
    fn pension() -> Item {
        let text = include_str!("../../../../demo/catalog/items/hrss/430400-RS-0001.toml");
        parse_item(&SourceFile::new("430400-RS-0001.toml", text)).unwrap()
    }

    fn suspending() -> Item {
        let mut item = pension();
        item.tolerance = Some(crate::catalog::ToleranceSettings {
            on_expiry: ToleranceExpiry::Suspend,
        });
        item
    }

    fn accepted(item: &Item, on: NaiveDate) -> SubCaseState {
        let s = SubCaseState::new(false);
        let action = Action::AcceptWithTolerance {
            tolerated: vec!["M-HUKOU-BOOK".into()],
        };
        let s = apply(&s, item, Role::Clerk, &action, on).unwrap();
        with_pledge_due(&s, item, Calendar::official_ref()).unwrap()
    }

    #[test]
    fn only_tolerable_materials_and_never_instant() {
        let item = pension();
        let s = SubCaseState::new(false);
        let bad = Action::AcceptWithTolerance {
            tolerated: vec!["M-ID-CARD".into(), "M-HUKOU-BOOK".into()],
        };
        let e = apply(&s, &item, Role::Clerk, &bad, d(2025, 9, 1)).unwrap_err();
        assert_eq!(e.code(), "case.not_tolerable");
        assert_eq!(
            e,
            CaseError::NotTolerable {
                codes: vec!["M-ID-CARD".into()]
            }
        );
        let mut instant = pension();
        instant.committed_limit_days = 0;
        let ok = Action::AcceptWithTolerance {
            tolerated: vec!["M-HUKOU-BOOK".into()],
        };
        let e = apply(&s, &instant, Role::Clerk, &ok, d(2025, 9, 1)).unwrap_err();
        assert_eq!(e, CaseError::ToleranceNotAllowed { instant: true });
        let mut no_mode = pension();
        no_mode.modes.retain(|m| *m != HandlingMode::Tolerance);
        let e = apply(&s, &no_mode, Role::Clerk, &ok, d(2025, 9, 1)).unwrap_err();
        assert_eq!(e.code(), "case.tolerance_not_allowed");
        assert!(
            !crate::case::allowed_actions(&s, &no_mode, Role::Clerk)
                .contains(&ActionKind::AcceptWithTolerance)
        );
    }

    #[test]
    fn deadline_skips_the_national_day_holiday() {
        // Accepted Tuesday 2025-09-30; 国庆/中秋 (Oct 1–8) are off: Oct 9 Thu is the 1st working
        // day, Oct 10 Fri the 2nd, Saturday Oct 11 (a make-up working day, 调休上班) the 3rd.
        let s = accepted(&pension(), d(2025, 9, 30));
        assert_eq!(s.pledge_due, Some(d(2025, 10, 11)));
        assert_eq!(s.pledged, vec!["M-HUKOU-BOOK".to_string()]);
        // Never later than the committed limit.
        let mut long = pension();
        if let Some(m) = long.materials.iter_mut().find(|m| m.code == "M-HUKOU-BOOK") {
            m.tolerable_days = Some(30);
        }
        let s = accepted(&long, d(2025, 9, 30));
        assert_eq!(s.pledge_due, Some(d(2025, 10, 11)), "capped at 3 days");
    }

    #[test]
    fn conclude_waits_for_the_pledge_and_expiry_turns_at_midnight() {
        let item = pension();
        let s = accepted(&item, d(2025, 9, 1));
        let due = s.pledge_due.unwrap();
        assert_eq!(due, d(2025, 9, 4));
        let conclude = Action::Conclude {
            result: CaseResult {
                number: "R1".into(),
                content: "已登记".into(),
                issuer: "人社局".into(),
                issued_on: d(2025, 9, 2),
                approved: true,
            },
        };
        let e = apply(&s, &item, Role::Approver, &conclude, d(2025, 9, 2));
        let reviewed = apply(
            &s,
            &item,
            Role::Approver,
            &Action::Review {
                opinion: "ok".into(),
            },
            d(2025, 9, 2),
        );
        // Whatever the item's steps, concluding with outstanding materials is refused.
        if let Ok(r) = &reviewed {
            let e2 = apply(r, &item, Role::Approver, &conclude, d(2025, 9, 2)).unwrap_err();
            assert!(matches!(
                e2,
                CaseError::PledgeOutstanding { .. } | CaseError::ActionNotAllowedInStatus { .. }
            ));
        }
        assert!(e.is_err());
        // The turn of a day: in time on the due day, expired the day after.
        assert_eq!(expire_pledge(&s, &item, due), None);
        let ended = expire_pledge(&s, &item, due.succ_opt().unwrap()).unwrap();
        assert_eq!(ended.status, SubCaseStatus::Terminated);
        assert!(ended.status.is_terminal());
        assert_eq!(expire_pledge(&ended, &item, d(2025, 9, 30)), None, "once");
        // Supplied in time: nothing expires and conclude is no longer blocked by the pledge.
        let supplied = apply(
            &s,
            &item,
            Role::Clerk,
            &Action::Supplement {
                materials: vec!["M-HUKOU-BOOK".into()],
            },
            d(2025, 9, 3),
        )
        .unwrap();
        assert!(supplied.pledged.is_empty());
        assert_eq!(supplied.status, SubCaseStatus::Accepted);
        assert_eq!(expire_pledge(&supplied, &item, d(2025, 9, 30)), None);
        // A material that was not pledged cannot be "supplied" outside a supplement request.
        let e = apply(
            &s,
            &item,
            Role::Clerk,
            &Action::Supplement {
                materials: vec!["M-ID-CARD".into()],
            },
            d(2025, 9, 3),
        )
        .unwrap_err();
        assert_eq!(e.code(), "case.not_pledged");
    }

    #[test]
    fn suspension_pauses_and_a_supplement_resumes() {
        let item = suspending();
        let s = accepted(&item, d(2025, 9, 1));
        let suspended = expire_pledge(&s, &item, d(2025, 9, 5)).unwrap();
        assert_eq!(suspended.status, SubCaseStatus::Suspended);
        assert!(!suspended.status.is_terminal());
        assert_eq!(suspended.resume_to, Some(SubCaseStatus::Accepted));
        assert_eq!(suspended.pauses, vec![Pause::open(d(2025, 9, 5))]);
        assert_eq!(
            crate::case::allowed_actions(&suspended, &item, Role::Clerk),
            vec![ActionKind::Supplement]
        );
        let resumed = apply(
            &suspended,
            &item,
            Role::Applicant,
            &Action::Supplement {
                materials: vec!["M-HUKOU-BOOK".into()],
            },
            d(2025, 9, 10),
        )
        .unwrap();
        assert_eq!(resumed.status, SubCaseStatus::Accepted);
        assert_eq!(
            resumed.pauses,
            vec![Pause::closed(d(2025, 9, 5), d(2025, 9, 9))]
        );
    }

    #[test]
    fn one_reminder_within_a_working_day() {
        let cal = Calendar::official_ref();
        let s = accepted(&pension(), d(2025, 9, 1));
        // Due Thursday 2025-09-04: not on Tuesday, yes on Wednesday, once.
        assert_eq!(remind_pledge(&s, d(2025, 9, 2), cal), None);
        let r = remind_pledge(&s, d(2025, 9, 3), cal).unwrap();
        assert!(r.pledge_reminded);
        assert_eq!(remind_pledge(&r, d(2025, 9, 4), cal), None);
    }
}
