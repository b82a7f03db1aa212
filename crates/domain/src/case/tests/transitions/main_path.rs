//! The main path of a sub-case and its errors: accept, review, decide, conclude, deliver, the
//! reasons deny and reject need, and who may act in which status; the bulk of the transition tests.

use super::super::*;

#[test]
fn the_full_path_to_delivery() {
    let item = full_item();
    let day = d(2025, 9, 1);
    let mut s = SubCaseState::new(false);
    assert_eq!(s.status, SubCaseStatus::Submitted);
    assert_eq!(
        allowed_actions(&s, &item, Role::Clerk),
        [
            ActionKind::Accept,
            ActionKind::Reject,
            ActionKind::RequestSupplement
        ]
    );
    assert_eq!(
        allowed_actions(&s, &item, Role::Applicant),
        [ActionKind::Withdraw]
    );
    s = apply(&s, &item, Role::Clerk, &Action::Accept, day).unwrap();
    assert_eq!(s.status, SubCaseStatus::Accepted);
    assert_eq!(s.accepted_on, Some(day));
    assert_eq!(
        allowed_actions(&s, &item, Role::Approver),
        [ActionKind::Review]
    );
    let review = Action::Review {
        opinion: "材料齐全".into(),
    };
    s = apply(&s, &item, Role::Approver, &review, day).unwrap();
    assert_eq!(s.status, SubCaseStatus::Reviewed);
    assert_eq!(
        allowed_actions(&s, &item, Role::Approver),
        [ActionKind::Approve, ActionKind::Deny]
    );
    let approve = Action::Approve {
        opinion: "同意".into(),
    };
    s = apply(&s, &item, Role::Approver, &approve, day).unwrap();
    assert_eq!((s.status, s.approved), (SubCaseStatus::Decided, Some(true)));
    assert!(allowed_actions(&s, &item, Role::Applicant).is_empty());
    let conclude = Action::Conclude {
        result: result(true, day),
    };
    s = apply(&s, &item, Role::Approver, &conclude, day).unwrap();
    assert_eq!(s.status, SubCaseStatus::Concluded);
    assert_eq!(s.result, Some(result(true, day)));
    assert!(!s.is_finished(&item));
    let deliver = Action::Deliver {
        method: DeliveryMethod::Electronic,
    };
    s = apply(&s, &item, Role::Clerk, &deliver, day).unwrap();
    assert_eq!(s.status, SubCaseStatus::Delivered);
    assert!(s.is_finished(&item));
    for role in [Role::Clerk, Role::Approver, Role::Applicant] {
        assert!(allowed_actions(&s, &item, role).is_empty());
    }
    let e = apply(&s, &item, Role::Clerk, &deliver, day).unwrap_err();
    assert_eq!(e.code(), "case.terminal");
}

#[test]
fn denial_is_concluded_and_delivered_too() {
    let item = full_item();
    let day = d(2025, 9, 1);
    let s = run(
        &item,
        &[
            (Role::Clerk, Action::Accept, day),
            (Role::Approver, Action::Review { opinion: "".into() }, day),
            (
                Role::Approver,
                Action::Deny {
                    reasons: strings(&["不符合条件"]),
                },
                day,
            ),
        ],
    )
    .unwrap();
    assert_eq!(s.approved, Some(false));
    let e = apply(
        &s,
        &item,
        Role::Approver,
        &Action::Conclude {
            result: result(true, day),
        },
        day,
    )
    .unwrap_err();
    assert_eq!(
        e,
        CaseError::ResultMismatch {
            decided: false,
            result: true
        }
    );
    assert_eq!(e.code(), "case.result_mismatch");
    assert!(e.message_zh().contains("不一致"));
    let s = apply(
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
        (s.status, s.approved),
        (SubCaseStatus::Concluded, Some(false))
    );
}

#[test]
fn deny_needs_reasons() {
    let item = full_item();
    let day = d(2025, 9, 1);
    let s = run(
        &item,
        &[
            (Role::Clerk, Action::Accept, day),
            (Role::Approver, Action::Review { opinion: "".into() }, day),
        ],
    )
    .unwrap();
    let e = apply(
        &s,
        &item,
        Role::Approver,
        &Action::Deny {
            reasons: strings(&["  "]),
        },
        day,
    )
    .unwrap_err();
    assert_eq!(
        e,
        CaseError::ReasonsRequired {
            action: ActionKind::Deny
        }
    );
}

#[test]
fn reject_needs_a_non_empty_reason() {
    let item = full_item();
    let day = d(2025, 9, 1);
    let s = SubCaseState::new(false);
    for reasons in [vec![], strings(&["", " "])] {
        let e = apply(&s, &item, Role::Clerk, &Action::Reject { reasons }, day).unwrap_err();
        assert_eq!(e.code(), "case.reasons_required");
        assert_eq!(e.message_zh(), "不予受理须说明理由");
    }
    let s = apply(
        &s,
        &item,
        Role::Clerk,
        &Action::Reject {
            reasons: strings(&["", "不属于本部门职权范围"]),
        },
        day,
    )
    .unwrap();
    assert_eq!(s.status, SubCaseStatus::Rejected);
    assert!(s.status.is_terminal());
    let e = apply(&s, &item, Role::Clerk, &Action::Accept, day).unwrap_err();
    assert_eq!(
        e,
        CaseError::Terminal {
            status: SubCaseStatus::Rejected
        }
    );
    assert!(e.to_string().contains("already ended"));
    assert!(e.message_zh().contains("不予受理"));
}

#[test]
fn roles_come_from_the_steps() {
    let item = full_item();
    let day = d(2025, 9, 1);
    let s = SubCaseState::new(false);
    let e = apply(&s, &item, Role::Approver, &Action::Accept, day).unwrap_err();
    assert_eq!(
        e,
        CaseError::RoleNotAllowed {
            action: ActionKind::Accept,
            role: Role::Approver,
            needed: vec![Role::Clerk]
        }
    );
    assert_eq!(e.code(), "case.role_not_allowed");
    assert_eq!(
        e.to_string(),
        "the approver role may not accept this case: on this item it is done by clerk"
    );
    assert_eq!(
        e.message_zh(),
        "审批人员无权受理：本事项由窗口工作人员办理该环节"
    );
    let s = apply(&s, &item, Role::Clerk, &Action::Accept, day).unwrap();
    let review = Action::Review {
        opinion: "ok".into(),
    };
    let e = apply(&s, &item, Role::Clerk, &review, day).unwrap_err();
    assert_eq!(e.code(), "case.role_not_allowed");
    let withdraw = Action::Withdraw {
        reason: "不办了".into(),
    };
    let e = apply(&s, &item, Role::Clerk, &withdraw, day).unwrap_err();
    assert_eq!(
        e,
        CaseError::RoleNotAllowed {
            action: ActionKind::Withdraw,
            role: Role::Clerk,
            needed: vec![Role::Applicant]
        }
    );
    for role in [Role::Supervisor, Role::CatalogAdmin, Role::SystemAdmin] {
        assert!(allowed_actions(&s, &item, role).is_empty());
    }
}

#[test]
fn wrong_status_names_status_and_action() {
    let item = full_item();
    let day = d(2025, 9, 1);
    let s = SubCaseState::new(false);
    let e = apply(
        &s,
        &item,
        Role::Approver,
        &Action::Approve {
            opinion: "同意".into(),
        },
        day,
    )
    .unwrap_err();
    assert_eq!(
        e,
        CaseError::ActionNotAllowedInStatus {
            action: ActionKind::Approve,
            status: SubCaseStatus::Submitted
        }
    );
    assert_eq!(e.code(), "case.action_not_allowed_in_status");
    assert_eq!(e.to_string(), "cannot approve a case that is submitted");
    assert_eq!(e.message_zh(), "办件当前为“待受理”状态，不能准予");
    // With a review step, the decision needs the review first.
    let s = apply(&s, &item, Role::Clerk, &Action::Accept, day).unwrap();
    let e = apply(
        &s,
        &item,
        Role::Approver,
        &Action::Approve {
            opinion: "同意".into(),
        },
        day,
    )
    .unwrap_err();
    assert_eq!(e.code(), "case.action_not_allowed_in_status");
    // Supplement without a request.
    let e = apply(
        &s,
        &item,
        Role::Applicant,
        &Action::Supplement {
            materials: strings(&["M1"]),
        },
        day,
    )
    .unwrap_err();
    assert_eq!(e.code(), "case.action_not_allowed_in_status");
}

#[test]
fn steps_missing_from_the_process() {
    let item = instant_item();
    let day = d(2025, 9, 1);
    let s = apply(
        &SubCaseState::new(false),
        &item,
        Role::Clerk,
        &Action::Accept,
        day,
    )
    .unwrap();
    let e = apply(
        &s,
        &item,
        Role::Approver,
        &Action::Review { opinion: "".into() },
        day,
    )
    .unwrap_err();
    assert_eq!(
        e,
        CaseError::StepNotInProcess {
            action: ActionKind::Review,
            step: StepKind::Review
        }
    );
    assert_eq!(e.code(), "case.step_not_in_process");
    assert!(e.message_zh().contains("审查"));
    let s = apply(
        &s,
        &item,
        Role::Clerk,
        &Action::Conclude {
            result: result(true, day),
        },
        day,
    )
    .unwrap();
    // No deliver step: concluded is the end.
    assert!(s.is_finished(&item));
    let e = apply(
        &s,
        &item,
        Role::Clerk,
        &Action::Deliver {
            method: DeliveryMethod::Post,
        },
        day,
    )
    .unwrap_err();
    assert_eq!(e.code(), "case.terminal");
    // Deliver before conclusion on an item without a deliver step.
    let s = SubCaseState::new(false);
    let e = apply(
        &s,
        &item,
        Role::Clerk,
        &Action::Deliver {
            method: DeliveryMethod::Post,
        },
        day,
    )
    .unwrap_err();
    assert_eq!(e.code(), "case.step_not_in_process");
}
