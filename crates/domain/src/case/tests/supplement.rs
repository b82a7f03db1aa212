//! 补正 and the clock: supplement requests and pauses, deadlines and time flags; separate from the
//! plain transitions because they test the state machine against the calendar.

use super::*;

fn request(codes: &[&str]) -> Action {
    Action::RequestSupplement {
        materials: strings(codes),
        note: Some("一次性告知".into()),
    }
}

fn supply(codes: &[&str]) -> Action {
    Action::Supplement {
        materials: strings(codes),
    }
}

#[test]
fn before_acceptance_no_pause() {
    let item = full_item();
    let s = SubCaseState::new(false);
    let s = apply(
        &s,
        &item,
        Role::Clerk,
        &request(&["M1", "M2", "M1"]),
        d(2025, 9, 1),
    )
    .unwrap();
    assert_eq!(s.status, SubCaseStatus::AwaitingSupplement);
    assert_eq!(s.resume_to, Some(SubCaseStatus::Submitted));
    assert_eq!(s.requested_materials, strings(&["M1", "M2"]));
    assert!(s.pauses.is_empty());
    let e = apply(&s, &item, Role::Applicant, &supply(&["M1"]), d(2025, 9, 3)).unwrap_err();
    assert_eq!(
        e,
        CaseError::SupplementIncomplete {
            missing: strings(&["M2"])
        }
    );
    assert_eq!(e.code(), "case.supplement_incomplete");
    assert!(e.to_string().contains("M2"));
    // A clerk records a supplement brought to the window.
    let s = apply(
        &s,
        &item,
        Role::Clerk,
        &supply(&["M2", "M1", "M3"]),
        d(2025, 9, 3),
    )
    .unwrap();
    assert_eq!(s.status, SubCaseStatus::Submitted);
    assert_eq!(s.resume_to, None);
    assert!(s.requested_materials.is_empty());
    assert!(s.pauses.is_empty());
    let e = apply(&s, &item, Role::Approver, &supply(&["M1"]), d(2025, 9, 3)).unwrap_err();
    assert_eq!(e.code(), "case.role_not_allowed");
}

#[test]
fn materials_must_be_listed_and_known() {
    let item = full_item();
    let s = SubCaseState::new(false);
    let day = d(2025, 9, 1);
    let e = apply(&s, &item, Role::Clerk, &request(&[]), day).unwrap_err();
    assert_eq!(
        e,
        CaseError::MaterialsRequired {
            action: ActionKind::RequestSupplement
        }
    );
    assert_eq!(e.code(), "case.materials_required");
    let e = apply(&s, &item, Role::Clerk, &request(&[" "]), day).unwrap_err();
    assert_eq!(e.code(), "case.materials_required");
    let e = apply(&s, &item, Role::Clerk, &request(&["M1", "X9", "Y8"]), day).unwrap_err();
    assert_eq!(
        e,
        CaseError::UnknownMaterial {
            codes: strings(&["X9", "Y8"])
        }
    );
    assert_eq!(e.code(), "case.unknown_material");
    assert_eq!(e.message_zh(), "以下材料不属于本事项：X9、Y8");
    let s = apply(&s, &item, Role::Clerk, &request(&["M1"]), day).unwrap();
    let e = apply(&s, &item, Role::Applicant, &supply(&[]), day).unwrap_err();
    assert_eq!(e.code(), "case.materials_required");
}

#[test]
fn after_acceptance_the_clock_pauses_for_exactly_the_waiting_days() {
    let item = full_item();
    // Monday 2025-09-01 accepted: 10 working days → 2025-09-15.
    let s = run(&item, &[(Role::Clerk, Action::Accept, d(2025, 9, 1))]).unwrap();
    assert_eq!(
        deadline(&s, 10, cal()).unwrap().unwrap().value,
        Some(d(2025, 9, 15))
    );
    // Requested on Wednesday 09-03, supplied on Monday 09-08: paused 09-03 ..= 09-07, three
    // working days (Wed, Thu, Fri).
    let s = apply(&s, &item, Role::Clerk, &request(&["M2"]), d(2025, 9, 3)).unwrap();
    assert_eq!(s.resume_to, Some(SubCaseStatus::Accepted));
    assert_eq!(s.pauses, [Pause::open(d(2025, 9, 3))]);
    assert_eq!(deadline(&s, 10, cal()).unwrap().unwrap().value, None);
    let s = apply(&s, &item, Role::Applicant, &supply(&["M2"]), d(2025, 9, 8)).unwrap();
    assert_eq!(s.status, SubCaseStatus::Accepted);
    assert_eq!(s.pauses, [Pause::closed(d(2025, 9, 3), d(2025, 9, 7))]);
    assert_eq!(
        deadline(&s, 10, cal()).unwrap().unwrap().value,
        Some(d(2025, 9, 18))
    );
    // Used: 09-02 only before the pause, then 09-08 → 2 days.
    assert_eq!(
        cal()
            .elapsed_workdays(d(2025, 9, 1), d(2025, 9, 8), &s.pauses)
            .unwrap()
            .value,
        2
    );
}

#[test]
fn same_day_supplement_pauses_nothing_and_reviewed_resumes_reviewed() {
    let item = full_item();
    let day = d(2025, 9, 2);
    let s = run(
        &item,
        &[
            (Role::Clerk, Action::Accept, d(2025, 9, 1)),
            (Role::Approver, Action::Review { opinion: "".into() }, day),
            (Role::Approver, request(&["M3"]), day),
        ],
    );
    // The request belongs to the accept step's role, not the reviewer.
    assert_eq!(s.unwrap_err().code(), "case.role_not_allowed");
    let s = run(
        &item,
        &[
            (Role::Clerk, Action::Accept, d(2025, 9, 1)),
            (Role::Approver, Action::Review { opinion: "".into() }, day),
            (Role::Clerk, request(&["M3"]), day),
            (Role::Applicant, supply(&["M3"]), day),
        ],
    )
    .unwrap();
    assert_eq!(s.status, SubCaseStatus::Reviewed);
    assert!(s.pauses.is_empty());
}

#[test]
fn time_flags() {
    let item = full_item();
    let s0 = SubCaseState::new(false);
    assert_eq!(time_flag(&s0, 10, cal(), d(2025, 9, 1), 3).unwrap(), None);
    assert_eq!(deadline(&s0, 10, cal()).unwrap(), None);
    let s = apply(&s0, &item, Role::Clerk, &Action::Accept, d(2025, 9, 1)).unwrap();
    let flag = |today| time_flag(&s, 10, cal(), today, 3).unwrap();
    assert_eq!(flag(d(2025, 9, 2)), Some(TimeStatus::Normal));
    assert_eq!(flag(d(2025, 9, 10)), Some(TimeStatus::NearDue));
    assert_eq!(flag(d(2025, 9, 15)), Some(TimeStatus::NearDue));
    assert_eq!(flag(d(2025, 9, 16)), Some(TimeStatus::Overdue));
    // Instant: near-due through its day, overdue after.
    let i = apply(
        &s0,
        &instant_item(),
        Role::Clerk,
        &Action::Accept,
        d(2025, 9, 6),
    )
    .unwrap();
    assert_eq!(
        time_flag(&i, 0, cal(), d(2025, 9, 8), 3).unwrap(),
        Some(TimeStatus::NearDue)
    );
    assert_eq!(
        time_flag(&i, 0, cal(), d(2025, 9, 9), 3).unwrap(),
        Some(TimeStatus::Overdue)
    );
}
