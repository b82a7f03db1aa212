//! Transitions beside the main path: instant items, items without a decide step, withdrawal,
//! waiting bundle items and their release, and the names of statuses and kinds; kept apart so the
//! main-path file stays readable.

use super::super::*;

#[test]
fn instant_item_concluded_on_the_day_of_acceptance() {
    let item = instant_item();
    let day = d(2025, 9, 3);
    let s = run(
        &item,
        &[
            (Role::Clerk, Action::Accept, day),
            (
                Role::Clerk,
                Action::Conclude {
                    result: result(true, day),
                },
                day,
            ),
        ],
    )
    .unwrap();
    assert_eq!(
        (s.status, s.approved),
        (SubCaseStatus::Concluded, Some(true))
    );
    assert_eq!(deadline(&s, 0, cal()).unwrap().unwrap().value, Some(day));
    assert_eq!(time_flag(&s, 0, cal(), day, 1).unwrap(), None);
}

#[test]
fn without_decide_step_conclude_decides_or_approve_first() {
    use StepKind::*;
    let item = item_with(
        vec![
            step(Accept, Role::Clerk, 20),
            step(Review, Role::Approver, 40),
            step(Conclude, Role::Approver, 40),
        ],
        5,
    );
    let day = d(2025, 9, 1);
    let s = run(
        &item,
        &[
            (Role::Clerk, Action::Accept, day),
            (Role::Approver, Action::Review { opinion: "".into() }, day),
        ],
    )
    .unwrap();
    assert_eq!(
        allowed_actions(&s, &item, Role::Approver),
        [ActionKind::Approve, ActionKind::Deny, ActionKind::Conclude]
    );
    let direct = apply(
        &s,
        &item,
        Role::Approver,
        &Action::Conclude {
            result: result(false, day),
        },
        day,
    )
    .unwrap();
    assert_eq!(
        (direct.status, direct.approved),
        (SubCaseStatus::Concluded, Some(false))
    );
    let decided = apply(
        &s,
        &item,
        Role::Approver,
        &Action::Approve { opinion: "".into() },
        day,
    )
    .unwrap();
    assert_eq!(decided.status, SubCaseStatus::Decided);
    assert_eq!(
        apply(
            &decided,
            &item,
            Role::Approver,
            &Action::Conclude {
                result: result(false, day)
            },
            day
        )
        .unwrap_err()
        .code(),
        "case.result_mismatch"
    );
}

#[test]
fn withdraw_from_every_open_status_with_a_reason() {
    let item = full_item();
    let day = d(2025, 9, 1);
    let withdraw = Action::Withdraw {
        reason: "已在他处办理".into(),
    };
    let mut states = vec![SubCaseState::new(true), SubCaseState::new(false)];
    let accepted = run(&item, &[(Role::Clerk, Action::Accept, day)]).unwrap();
    states.push(accepted.clone());
    let reviewed = apply(
        &accepted,
        &item,
        Role::Approver,
        &Action::Review { opinion: "".into() },
        day,
    )
    .unwrap();
    states.push(reviewed.clone());
    let awaiting = apply(
        &reviewed,
        &item,
        Role::Clerk,
        &Action::RequestSupplement {
            materials: strings(&["M1"]),
            note: None,
        },
        day,
    )
    .unwrap();
    states.push(awaiting);
    for s in &states {
        let out = apply(s, &item, Role::Applicant, &withdraw, d(2025, 9, 5)).unwrap();
        assert_eq!(out.status, SubCaseStatus::Withdrawn, "from {:?}", s.status);
        assert!(out.pauses.iter().all(|p| p.to.is_some()));
        let e = apply(
            s,
            &item,
            Role::Applicant,
            &Action::Withdraw { reason: " ".into() },
            day,
        )
        .unwrap_err();
        assert_eq!(e.code(), "case.reasons_required");
    }
    let decided = apply(
        &states[3],
        &item,
        Role::Approver,
        &Action::Approve { opinion: "".into() },
        day,
    )
    .unwrap();
    assert_eq!(
        apply(&decided, &item, Role::Applicant, &withdraw, day)
            .unwrap_err()
            .code(),
        "case.action_not_allowed_in_status"
    );
}

#[test]
fn waiting_allows_only_withdrawal() {
    let item = full_item();
    let s = SubCaseState::new(true);
    assert_eq!(s.status, SubCaseStatus::Waiting);
    let e = apply(&s, &item, Role::Clerk, &Action::Accept, d(2025, 9, 1)).unwrap_err();
    assert_eq!(e, CaseError::WaitingForDependencies);
    assert_eq!(e.code(), "case.waiting_for_dependencies");
    assert_eq!(allowed_actions(&s, &item, Role::Clerk), []);
    assert_eq!(
        allowed_actions(&s, &item, Role::Applicant),
        [ActionKind::Withdraw]
    );
}

#[test]
fn release_and_cancel_waiting() {
    use SubCaseStatus::*;
    assert_eq!(release_waiting(&[], &[]), Release::Release);
    assert_eq!(
        release_waiting(&[Concluded, Delivered], &[Some(true), Some(true)]),
        Release::Release
    );
    assert_eq!(
        release_waiting(&[Concluded, Accepted], &[Some(true), None]),
        Release::Stay
    );
    assert_eq!(release_waiting(&[Decided], &[Some(false)]), Release::Stay);
    assert_eq!(
        release_waiting(&[Accepted, Concluded], &[None, Some(false)]),
        Release::Cancel
    );
    for ended in [Rejected, Withdrawn, Cancelled] {
        assert_eq!(release_waiting(&[ended], &[None]), Release::Cancel);
    }
    assert_eq!(release_waiting(&[Delivered], &[]), Release::Cancel);
    let w = SubCaseState::new(true);
    assert_eq!(
        apply_release(&w, Release::Release).unwrap().status,
        Submitted
    );
    assert_eq!(
        apply_release(&w, Release::Cancel).unwrap().status,
        Cancelled
    );
    assert_eq!(apply_release(&w, Release::Stay).unwrap(), w);
    let e = apply_release(&SubCaseState::new(false), Release::Release).unwrap_err();
    assert_eq!(e.code(), "case.not_waiting");
}

#[test]
fn statuses_and_kinds_round_trip() {
    for s in SubCaseStatus::ALL {
        assert_eq!(SubCaseStatus::parse(s.as_str()), Some(s));
        assert_eq!(
            serde_json::to_value(s).unwrap(),
            Value::String(s.as_str().into())
        );
        assert!(!s.name_zh().is_empty());
    }
    for k in ActionKind::ALL {
        assert_eq!(ActionKind::parse(k.as_str()), Some(k));
        assert_eq!(
            serde_json::to_value(k).unwrap(),
            Value::String(k.as_str().into())
        );
    }
    assert_eq!(SubCaseStatus::parse("nope"), None);
    let a = Action::RequestSupplement {
        materials: strings(&["M1"]),
        note: Some("请补充".into()),
    };
    let v = serde_json::to_value(&a).unwrap();
    assert_eq!(
        v,
        json!({"action": "request_supplement", "materials": ["M1"], "note": "请补充"})
    );
    assert_eq!(serde_json::from_value::<Action>(v).unwrap(), a);
    let a: Action = serde_json::from_value(json!({"action": "accept"})).unwrap();
    assert_eq!(a.kind(), ActionKind::Accept);
    let a: Action =
        serde_json::from_value(json!({"action": "deliver", "method": "at_center"})).unwrap();
    assert_eq!(
        a,
        Action::Deliver {
            method: DeliveryMethod::AtCenter
        }
    );
    let s = run(
        &full_item(),
        &[(Role::Clerk, Action::Accept, d(2025, 9, 1))],
    )
    .unwrap();
    let back: SubCaseState = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(back, s);
}
