//! Tests of the case module: every transition and error, the audit chain, routing and forms, and a
//! property test of the state machine with its clock and chain.

use chrono::NaiveDate;
use serde_json::{Map, Value, json};

use super::CaseError;
use super::chain::*;
use super::form::*;
use super::routing::*;
use super::state::*;
use crate::calendar::{Calendar, Pause, TimeStatus};
use crate::catalog::*;
use crate::region::{Department, Region, RegionCode, RegionLevel, RegionTree};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn cal() -> &'static Calendar {
    Calendar::official_ref()
}

fn material(code: &str) -> Material {
    Material {
        code: code.into(),
        name: format!("材料 {code}"),
        form: MaterialForm::Copy,
        copies: 1,
        requirement: Requirement::Required,
        condition: None,
        tolerable_days: None,
        replaceable_by_commitment: false,
        e_certificate: None,
        note: None,
    }
}

fn step(kind: StepKind, role: Role, share_percent: u32) -> ProcessStep {
    ProcessStep {
        kind,
        name: String::new(),
        role,
        share_percent,
    }
}

fn item_with(steps: Vec<ProcessStep>, committed: u32) -> Item {
    Item {
        code: "430400-RS-0001".into(),
        name: "养老保险参保登记".into(),
        aliases: vec![],
        kind: ItemKind::Licence,
        department_type: "hrss".into(),
        department_level: DepartmentLevel::County,
        audience: Audience::Person,
        life_events: vec![],
        legal_limit_days: 20,
        committed_limit_days: committed,
        standard: ServiceStandard {
            conditions: "户籍在本市".into(),
            fee_yuan: 0.0,
            fee_basis: None,
            place: "各级政务服务中心".into(),
            result: ResultSpec {
                kind: ResultKind::Decision,
                name: "决定书".into(),
                certificate_type: None,
            },
            legal_basis: vec![],
        },
        materials: vec![material("M1"), material("M2"), material("M3")],
        fields: vec![],
        steps,
        modes: vec![HandlingMode::Online],
        scope: CrossRegionScope::City,
        jurisdiction: JurisdictionRule::Hukou,
        tolerance: None,
        commitment: None,
    }
}

/// A licence with every step: accept (clerk), review, decide (approver), conclude (approver),
/// deliver (clerk); 10 working days.
fn full_item() -> Item {
    use StepKind::*;
    item_with(
        vec![
            step(Accept, Role::Clerk, 10),
            step(Review, Role::Approver, 40),
            step(Decide, Role::Approver, 30),
            step(Conclude, Role::Approver, 10),
            step(Deliver, Role::Clerk, 10),
        ],
        10,
    )
}

/// 即办件: accept and conclude by the clerk, 0 days.
fn instant_item() -> Item {
    item_with(
        vec![
            step(StepKind::Accept, Role::Clerk, 50),
            step(StepKind::Conclude, Role::Clerk, 50),
        ],
        0,
    )
}

fn result(approved: bool, on: NaiveDate) -> CaseResult {
    CaseResult {
        number: "衡人社决〔2025〕1号".into(),
        content: if approved {
            "准予登记"
        } else {
            "不予登记"
        }
        .into(),
        issuer: "耒阳市人力资源和社会保障局".into(),
        issued_on: on,
        approved,
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

fn run(item: &Item, steps: &[(Role, Action, NaiveDate)]) -> Result<SubCaseState, CaseError> {
    let mut s = SubCaseState::new(false);
    for (role, action, day) in steps {
        s = apply(&s, item, *role, action, *day)?;
    }
    Ok(s)
}

mod transitions {
    use super::*;

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
}

mod supplement {
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
}

mod audit_chain {
    use super::*;

    fn event(seq: i64, prev: &str, payload: Value) -> EventRecord {
        seal(EventRecord {
            case_number: "TB2025090100001".into(),
            seq,
            kind: "accept".into(),
            actor: "clerk-1".into(),
            role: "clerk".into(),
            acting_for: None,
            place: Some("C430422100001".into()),
            at: 1_756_700_000_000 + seq,
            reason: None,
            payload,
            prev_hash: prev.into(),
            hash: String::new(),
        })
    }

    fn chain(n: i64) -> Vec<EventRecord> {
        let mut out: Vec<EventRecord> = Vec::new();
        for _ in 0..n {
            let (seq, prev) = next_link(out.last());
            out.push(event(
                seq,
                &prev,
                json!({"n": seq, "b": [1, {"z": 1, "a": 2}]}),
            ));
        }
        out
    }

    #[test]
    fn sealed_chain_verifies() {
        assert_eq!(GENESIS.len(), 64);
        assert!(GENESIS.bytes().all(|b| b == b'0'));
        let c = chain(4);
        assert_eq!(c[0].prev_hash, GENESIS);
        assert_eq!(c[0].hash.len(), 64);
        assert_eq!(c[1].prev_hash, c[0].hash);
        verify_chain(&c).unwrap();
        verify_chain(&[]).unwrap();
    }

    #[test]
    fn payload_key_order_does_not_matter() {
        let mut a = Map::new();
        a.insert("b".into(), json!(1));
        a.insert("a".into(), json!({"y": 1, "x": [true, null]}));
        let mut b = Map::new();
        b.insert("a".into(), json!({"x": [true, null], "y": 1}));
        b.insert("b".into(), json!(1));
        let ea = event(1, GENESIS, Value::Object(a));
        let eb = event(1, GENESIS, Value::Object(b));
        assert_eq!(ea.hash, eb.hash);
        assert!(canonical_json(&ea).contains(r#""payload":{"a":{"x":[true,null],"y":1},"b":1}"#));
        assert!(canonical_json(&ea).starts_with(r#"{"case_number":"TB2025090100001","seq":1,"#));
        // Array order does matter.
        let ec = event(
            1,
            GENESIS,
            json!({"a": {"x": [null, true], "y": 1}, "b": 1}),
        );
        assert_ne!(ea.hash, ec.hash);
        // The encoding is pinned: a change here invalidates every stored chain.
        assert_eq!(event_hash(&ea), ea.hash);
        assert_eq!(
            ea.hash,
            "0051b74e0d8b3595575c1e6fae165829c0c14cfbba760135f026676a33a22bbf"
        );
    }

    #[test]
    fn names_the_first_broken_link() {
        let c = chain(4);
        let mut t = c.clone();
        t[2].reason = Some("改了".into());
        let e = verify_chain(&t).unwrap_err();
        assert_eq!(
            e,
            BrokenLink {
                case_number: "TB2025090100001".into(),
                seq: 3,
                reason: BrokenReason::HashMismatch
            }
        );
        assert_eq!(
            e.to_string(),
            "audit chain of case TB2025090100001 broken at event 3: its content does not match its hash (changed after sealing)"
        );
        assert_eq!(e.code(), "case.chain_broken");
        assert!(e.message_zh().contains("第 3 个事件"));
        // Re-sealed after the edit: the next event no longer links.
        t[2] = seal(t[2].clone());
        let e = verify_chain(&t).unwrap_err();
        assert_eq!((e.seq, e.reason), (4, BrokenReason::PrevHashMismatch));
        // A missing event.
        let mut t = c.clone();
        t.remove(1);
        let e = verify_chain(&t).unwrap_err();
        assert_eq!((e.seq, e.reason), (3, BrokenReason::SeqGap { expected: 2 }));
        // Swapped.
        let mut t = c.clone();
        t.swap(1, 2);
        assert_eq!(verify_chain(&t).unwrap_err().seq, 3);
        // Another case's event spliced in.
        let mut t = c;
        t[3].case_number = "OTHER".into();
        let e = verify_chain(&t).unwrap_err();
        assert_eq!(
            e.reason,
            BrokenReason::CaseNumberMismatch {
                expected: "TB2025090100001".into()
            }
        );
    }
}

mod routing_tests {
    use super::*;

    fn region(code: &str, name: &str, level: RegionLevel, parent: Option<&str>) -> Region {
        Region {
            code: RegionCode::parse(code).unwrap(),
            name: name.into(),
            level,
            parent: parent.map(|p| RegionCode::parse(p).unwrap()),
            valid_from: None,
            valid_to: None,
        }
    }

    fn tree() -> RegionTree {
        use RegionLevel::*;
        RegionTree::new([
            region("430000", "湖南省", Province, None),
            region("430400", "衡阳市", City, Some("430000")),
            region("430422", "衡南县", County, Some("430400")),
            region("430481", "耒阳市", County, Some("430400")),
            region("430422100", "云集街道", Town, Some("430422")),
            region("430422100001", "某社区", Village, Some("430422100")),
            region("430481001", "蔡子池街道", Town, Some("430481")),
        ])
    }

    fn dept(region: &str, t: &str, level: DepartmentLevel) -> Department {
        let r = RegionCode::parse(region).unwrap();
        Department {
            code: Department::code_for(&r, t),
            name: format!("{region} {t}"),
            department_type: t.into(),
            level,
            region: r,
        }
    }

    fn departments() -> Vec<Department> {
        vec![
            dept("430400", "hrss", DepartmentLevel::City),
            dept("430422", "hrss", DepartmentLevel::County),
            dept("430481", "hrss", DepartmentLevel::County),
            dept("430481", "civil_affairs", DepartmentLevel::County),
        ]
    }

    fn form(pairs: &[(&str, &str)]) -> Map<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned())))
            .collect()
    }

    fn village() -> RegionCode {
        RegionCode::parse("430422100001").unwrap()
    }

    #[test]
    fn leiyang_hukou_at_a_hengnan_village_city_scope() {
        let item = full_item();
        let r = route(
            &item,
            &form(&[("hukou_region", "430481")]),
            &village(),
            &tree(),
            &departments(),
        )
        .unwrap();
        assert_eq!(r.department_code, "430481-hrss");
        assert_eq!(r.handling_region.as_str(), "430481");
        // A hukou given at town level finds the same county department.
        let r = route(
            &item,
            &form(&[("hukou_region", " 430481001 ")]),
            &village(),
            &tree(),
            &departments(),
        )
        .unwrap();
        assert_eq!(r.department_code, "430481-hrss");
    }

    #[test]
    fn county_scope_refuses_and_names_it() {
        let mut item = full_item();
        item.scope = CrossRegionScope::County;
        let e = route(
            &item,
            &form(&[("hukou_region", "430481")]),
            &village(),
            &tree(),
            &departments(),
        )
        .unwrap_err();
        assert_eq!(e.code(), "case.outside_scope");
        assert_eq!(
            e.to_string(),
            "县域通办 (county-wide): this item can be received only within 耒阳市 (430481); the receiving center is in 衡南县 (430422)"
        );
        assert_eq!(
            e.message_zh(),
            "本事项为县域通办，只能在耒阳市（430481）范围内收件，本中心位于衡南县（430422）"
        );
        // City scope from outside the city.
        item.scope = CrossRegionScope::City;
        let changsha = RegionCode::parse("430102").unwrap();
        let e = route(
            &item,
            &form(&[("hukou_region", "430481")]),
            &changsha,
            &tree(),
            &departments(),
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("市域通办 (city-wide)"));
        assert!(e.to_string().contains("衡阳市 (430400)"));
        assert!(e.message_zh().starts_with("本事项为市域通办"));
    }

    #[test]
    fn city_level_and_receiving_center_jurisdiction() {
        let mut item = full_item();
        item.department_level = DepartmentLevel::City;
        let r = route(
            &item,
            &form(&[("hukou_region", "430481")]),
            &village(),
            &tree(),
            &departments(),
        )
        .unwrap();
        assert_eq!(r.department_code, "430400-hrss");
        item.department_level = DepartmentLevel::County;
        item.jurisdiction = JurisdictionRule::ReceivingCenter;
        let r = route(&item, &Map::new(), &village(), &tree(), &departments()).unwrap();
        assert_eq!(r.department_code, "430422-hrss");
        assert_eq!(r.handling_region.as_str(), "430422");
    }

    #[test]
    fn routing_errors() {
        let item = full_item();
        let e = route(&item, &Map::new(), &village(), &tree(), &departments()).unwrap_err();
        assert_eq!(
            e,
            CaseError::JurisdictionFieldMissing {
                field: "hukou_region".into()
            }
        );
        assert_eq!(e.code(), "case.jurisdiction_field_missing");
        let mut f = Map::new();
        f.insert("hukou_region".into(), json!(430481));
        assert_eq!(
            route(&item, &f, &village(), &tree(), &departments())
                .unwrap_err()
                .code(),
            "case.jurisdiction_field_missing"
        );
        let e = route(
            &item,
            &form(&[("hukou_region", "99")]),
            &village(),
            &tree(),
            &departments(),
        )
        .unwrap_err();
        assert_eq!(e.code(), "case.jurisdiction_region_unknown");
        // Outside the scope, the scope is the reason given (checked before the department) …
        let e = route(
            &item,
            &form(&[("hukou_region", "430102")]),
            &village(),
            &tree(),
            &departments(),
        )
        .unwrap_err();
        assert_eq!(e.code(), "case.outside_scope");
        // … inside it, a place with no such department on this platform is named.
        let e = route(
            &item,
            &form(&[("hukou_region", "430482")]),
            &village(),
            &tree(),
            &departments(),
        )
        .unwrap_err();
        assert_eq!(
            e,
            CaseError::NoCompetentDepartment {
                department_type: "hrss".into(),
                level: DepartmentLevel::County,
                region: "430482".into()
            }
        );
        assert_eq!(e.code(), "case.no_competent_department");
        assert_eq!(e.message_zh(), "430482 没有类型为 hrss 的县级主管部门");
    }
}

mod forms {
    use super::*;

    fn field(key: &str, t: FieldType) -> FormField {
        FormField {
            key: key.into(),
            label: format!("{key}标签"),
            label_en: None,
            field_type: t,
            required: false,
            max_length: None,
            min: None,
            max: None,
            options: vec![],
            help: None,
        }
    }

    fn today() -> NaiveDate {
        d(2025, 9, 1)
    }

    fn data(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => panic!("not an object"),
        }
    }

    fn codes(r: Result<Map<String, Value>, Vec<FieldError>>) -> Vec<(String, &'static str)> {
        r.unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect()
    }

    #[test]
    fn normalizes_every_type() {
        let mut name = field("name", FieldType::Text);
        name.required = true;
        name.max_length = Some(4);
        let mut age = field("age", FieldType::Number);
        age.min = Some(0.0);
        age.max = Some(150.0);
        let mut kind = field("kind", FieldType::Select);
        kind.options = strings(&["新办", "变更"]);
        let fields = vec![
            name,
            field("note", FieldType::Textarea),
            age,
            field("ratio", FieldType::Number),
            field("born", FieldType::Date),
            field("agree", FieldType::Bool),
            field("flag", FieldType::Bool),
            kind,
            field("id", FieldType::ResidentId),
            field("org", FieldType::CreditCode),
            field("phone", FieldType::Mobile),
            field("hukou_region", FieldType::Region),
            field("absent", FieldType::Text),
        ];
        let out = validate_form(
            &fields,
            &data(json!({
                "name": "  张三 ",
                "note": "多行\n说明",
                "age": "67",
                "ratio": 0.5,
                "born": "1958-03-01",
                "agree": true,
                "flag": "on",
                "kind": "新办",
                "id": "11010519491231002x",
                "org": "91350100m000100y43",
                "phone": "+86 138-0013-8000",
                "hukou_region": " 430481 ",
                "absent": "  ",
            })),
            today(),
        )
        .unwrap();
        assert_eq!(
            Value::Object(out),
            json!({
                "name": "张三",
                "note": "多行\n说明",
                "age": 67,
                "ratio": 0.5,
                "born": "1958-03-01",
                "agree": true,
                "flag": true,
                "kind": "新办",
                "id": "11010519491231002X",
                "org": "91350100M000100Y43",
                "phone": "13800138000",
                "hukou_region": "430481",
            })
        );
    }

    #[test]
    fn reports_every_problem_at_once() {
        let mut name = field("name", FieldType::Text);
        name.required = true;
        let mut short = field("short", FieldType::Text);
        short.max_length = Some(2);
        let mut age = field("age", FieldType::Number);
        age.min = Some(0.0);
        age.max = Some(150.0);
        let mut kind = field("kind", FieldType::Select);
        kind.options = strings(&["新办", "变更"]);
        let mut agree = field("agree", FieldType::Bool);
        agree.required = true;
        let fields = vec![
            name,
            short,
            age,
            field("n2", FieldType::Number),
            field("born", FieldType::Date),
            field("born2", FieldType::Date),
            field("flag", FieldType::Bool),
            kind,
            field("id", FieldType::ResidentId),
            field("org", FieldType::CreditCode),
            field("phone", FieldType::Mobile),
            field("hukou_region", FieldType::Region),
            field("t", FieldType::Text),
            agree,
        ];
        let got = codes(validate_form(
            &fields,
            &data(json!({
                "name": null,
                "short": "三个字",
                "age": 151,
                "n2": "abc",
                "born": "2025-02-30",
                "born2": "2025-2-3",
                "flag": "maybe",
                "kind": "注销",
                "id": "110105194912310021",
                "org": "91350100M000100Y4",
                "phone": "12800138000",
                "hukou_region": "4304",
                "t": 5,
                "agree": false,
                "extra": "x",
            })),
            today(),
        ));
        let want: Vec<(String, &str)> = [
            ("name", "form.required"),
            ("short", "form.too_long"),
            ("age", "form.out_of_range"),
            ("n2", "form.wrong_type"),
            ("born", "form.invalid_date"),
            ("born2", "form.invalid_date"),
            ("flag", "form.wrong_type"),
            ("kind", "form.not_an_option"),
            ("id", "identity.checksum_mismatch"),
            ("org", "identity.wrong_length"),
            ("phone", "identity.mobile_bad_prefix"),
            ("hukou_region", "region.code_length"),
            ("t", "form.wrong_type"),
            ("extra", "form.unknown_field"),
        ]
        .into_iter()
        .map(|(f, c)| (f.to_owned(), c))
        .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn messages_in_both_languages() {
        let mut name = field("name", FieldType::Text);
        name.required = true;
        name.label = "姓名".into();
        name.label_en = Some("Name".into());
        let mut born = field("id", FieldType::ResidentId);
        born.label = "身份证号".into();
        let errs = validate_form(
            &[name, born],
            &data(json!({"id": "11010520300101001X"})),
            today(),
        )
        .unwrap_err();
        assert_eq!(errs[0].message, "Name is required");
        assert_eq!(errs[0].message_zh, "姓名为必填项");
        assert_eq!(errs[1].code, "identity.birth_date_in_future");
        assert!(errs[1].message_zh.starts_with("身份证号："));
        let mut age = field("age", FieldType::Number);
        age.label = "年龄".into();
        age.min = Some(60.0);
        let e = validate_form(&[age], &data(json!({"age": 59})), today()).unwrap_err();
        assert_eq!(e[0].message_zh, "年龄应在 60 至 … 之间");
    }

    #[test]
    fn credit_code_warnings_are_accepted() {
        // Well formed, but the check character does not verify: a warning, not an error.
        let parsed = crate::identity::CreditCode::parse("91350100M000100Y42").unwrap();
        assert!(!parsed.warnings.is_empty());
        let fields = [field("org", FieldType::CreditCode)];
        let out = validate_form(
            &fields,
            &data(json!({"org": "91350100M000100Y42"})),
            today(),
        );
        assert_eq!(out.unwrap()["org"], json!("91350100M000100Y42"));
    }
}

mod machine_props {
    use super::*;
    use proptest::prelude::*;

    const ROLES: [Role; 6] = [
        Role::Applicant,
        Role::Clerk,
        Role::Approver,
        Role::Supervisor,
        Role::CatalogAdmin,
        Role::SystemAdmin,
    ];

    /// Errors about who, when and which step — as opposed to the action's data.
    const STRUCTURAL: [&str; 7] = [
        "case.terminal",
        "case.waiting_for_dependencies",
        "case.step_not_in_process",
        "case.role_not_allowed",
        "case.action_not_allowed_in_status",
        // 容缺办: refused by the item or the pledge before any data is looked at.
        "case.tolerance_not_allowed",
        "case.pledge_outstanding",
    ];

    #[derive(Debug, Clone)]
    struct Move {
        guided: bool,
        role: usize,
        kind: usize,
        days: u64,
        approve: bool,
        pick: u8,
    }

    fn moves() -> impl Strategy<Value = Vec<Move>> {
        prop::collection::vec(
            (
                prop::bool::weighted(0.8),
                0..6usize,
                0..11usize,
                0..4u64,
                any::<bool>(),
                any::<u8>(),
            )
                .prop_map(|(guided, role, kind, days, approve, pick)| Move {
                    guided,
                    role,
                    kind,
                    days,
                    approve,
                    pick,
                }),
            0..40,
        )
    }

    /// An action of `kind`, usually with valid data, sometimes not.
    fn action(kind: ActionKind, state: &SubCaseState, m: &Move, today: NaiveDate) -> Action {
        let reasons = if m.pick.is_multiple_of(5) {
            vec![]
        } else {
            strings(&["不符合条件"])
        };
        match kind {
            ActionKind::Accept => Action::Accept,
            ActionKind::AcceptWithTolerance => Action::AcceptWithTolerance {
                tolerated: strings(&["M1"]),
            },
            ActionKind::Reject => Action::Reject { reasons },
            ActionKind::RequestSupplement => {
                let all = ["M1", "M2", "M3", "X9"];
                let mut materials: Vec<String> = all
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| m.pick & (1 << i) != 0 && (*i < 3 || m.pick & 0x80 != 0))
                    .map(|(_, c)| (*c).to_owned())
                    .collect();
                if materials.is_empty() && !m.pick.is_multiple_of(3) {
                    materials.push("M1".into());
                }
                Action::RequestSupplement {
                    materials,
                    note: None,
                }
            }
            ActionKind::Supplement => {
                let mut materials = state.requested_materials.clone();
                if m.pick.is_multiple_of(4) {
                    materials.truncate(1);
                }
                if materials.is_empty() {
                    materials.push("M2".into());
                }
                Action::Supplement { materials }
            }
            ActionKind::Review => Action::Review {
                opinion: "审查意见".into(),
            },
            ActionKind::Approve => Action::Approve {
                opinion: "同意".into(),
            },
            ActionKind::Deny => Action::Deny { reasons },
            ActionKind::Conclude => {
                let decided = state.approved.unwrap_or(m.approve);
                let approved = if m.pick.is_multiple_of(6) {
                    !decided
                } else {
                    decided
                };
                Action::Conclude {
                    result: result(approved, today),
                }
            }
            ActionKind::Deliver => Action::Deliver {
                method: DeliveryMethod::Electronic,
            },
            ActionKind::Withdraw => Action::Withdraw {
                reason: if m.pick.is_multiple_of(7) {
                    ""
                } else {
                    "不办了"
                }
                .into(),
            },
        }
    }

    /// Plays the moves, checking every step; returns the sealed events of the accepted actions.
    fn play(item: &Item, start: NaiveDate, moves: &[Move]) -> Vec<EventRecord> {
        let cal = cal();
        let days = item.committed_limit_days;
        let mut state = SubCaseState::new(false);
        let mut today = start;
        let mut events: Vec<EventRecord> = Vec::new();
        // The model of the clock: days spent waiting for a supplement after acceptance.
        let mut paused_days: Vec<NaiveDate> = Vec::new();
        let mut open_since: Option<NaiveDate> = None;
        for m in moves {
            today = today + chrono::Days::new(m.days);
            let (role, kind) = {
                // Guided moves pick an allowed (role, action), mostly one that moves forward.
                let pairs: Vec<(Role, ActionKind)> = ROLES
                    .iter()
                    .flat_map(|r| {
                        allowed_actions(&state, item, *r)
                            .into_iter()
                            .map(|k| (*r, k))
                    })
                    .collect();
                let forward: Vec<(Role, ActionKind)> = pairs
                    .iter()
                    .copied()
                    .filter(|(_, k)| !matches!(k, ActionKind::Withdraw | ActionKind::Reject))
                    .collect();
                let pool = if m.kind < 10 && !forward.is_empty() {
                    forward
                } else {
                    pairs
                };
                match pool.get((m.role + 6 * m.kind) % pool.len().max(1)) {
                    Some(pair) if m.guided => *pair,
                    _ => (ROLES[m.role], ActionKind::ALL[m.kind]),
                }
            };
            let act = action(kind, &state, m, today);
            let allowed = allowed_actions(&state, item, role).contains(&kind);
            match apply(&state, item, role, &act, today) {
                Ok(next) => {
                    assert!(!state.is_finished(item), "left a finished state: {state:?}");
                    assert!(allowed, "{kind:?} by {role:?} applied but not allowed");
                    let was_awaiting = state.status == SubCaseStatus::AwaitingSupplement;
                    let now_awaiting = next.status == SubCaseStatus::AwaitingSupplement;
                    if now_awaiting && !was_awaiting && state.accepted_on.is_some() {
                        open_since = Some(today);
                    }
                    if was_awaiting
                        && !now_awaiting
                        && let Some(from) = open_since.take()
                    {
                        paused_days.extend(from.iter_days().take_while(|d| *d < today));
                    }
                    let (seq, prev_hash) = next_link(events.last());
                    events.push(seal(EventRecord {
                        case_number: "TB-PROP".into(),
                        seq,
                        kind: kind.as_str().into(),
                        actor: format!("{role:?}"),
                        role: serde_json::to_value(role).unwrap().as_str().unwrap().into(),
                        acting_for: (m.pick.is_multiple_of(2)).then(|| "申请人".to_owned()),
                        place: Some("C430422100001".into()),
                        at: today
                            .and_hms_opt(9, 0, 0)
                            .unwrap()
                            .and_utc()
                            .timestamp_millis(),
                        reason: None,
                        payload: serde_json::to_value(&act).unwrap(),
                        prev_hash,
                        hash: String::new(),
                    }));
                    state = next;
                }
                Err(e) => {
                    if state.is_finished(item) {
                        assert_eq!(e.code(), "case.terminal");
                    }
                    assert_eq!(
                        STRUCTURAL.contains(&e.code()),
                        !allowed,
                        "{kind:?} by {role:?} in {:?}: {e}",
                        state.status
                    );
                }
            }
            // The clock never counts a paused day.
            let Some(accepted) = state.accepted_on else {
                continue;
            };
            let paused =
                |d: NaiveDate| paused_days.contains(&d) || open_since.is_some_and(|from| d >= from);
            let counted = |to: NaiveDate| {
                accepted
                    .iter_days()
                    .skip(1)
                    .take_while(|d| *d <= to)
                    .filter(|d| cal.is_workday(*d) && !paused(*d))
                    .count() as u32
            };
            let elapsed = cal
                .elapsed_workdays(accepted, today, &state.pauses)
                .unwrap();
            assert_eq!(elapsed.value, counted(today), "pauses {:?}", state.pauses);
            match deadline(&state, days, cal).unwrap().unwrap().value {
                None => assert!(open_since.is_some()),
                Some(due) if days == 0 => {
                    assert!(due >= accepted && cal.is_workday(due) && !paused(due));
                    assert!(
                        accepted
                            .iter_days()
                            .take_while(|d| *d < due)
                            .all(|d| !cal.is_workday(d) || paused(d))
                    );
                }
                Some(due) => {
                    assert!(cal.is_workday(due) && !paused(due));
                    assert_eq!(counted(due), days);
                    // = the deadline without pauses, extended by the paused working days.
                    let paused_workdays = accepted
                        .iter_days()
                        .skip(1)
                        .take_while(|d| *d <= due)
                        .filter(|d| cal.is_workday(*d) && paused(*d))
                        .count() as u32;
                    assert_eq!(
                        cal.deadline(accepted, days + paused_workdays)
                            .unwrap()
                            .value,
                        due
                    );
                }
            }
        }
        events
    }

    fn tamper(e: &mut EventRecord, field: usize) {
        match field {
            0 => e.case_number.push('X'),
            1 => e.kind.push('X'),
            2 => e.actor.push('X'),
            3 => e.role.push('X'),
            4 => {
                e.acting_for = if e.acting_for.is_some() {
                    None
                } else {
                    Some("X".into())
                }
            }
            5 => e.place = None,
            6 => e.at += 1,
            7 => e.reason = Some("X".into()),
            8 => e.payload = json!({"forged": true}),
            9 => e.prev_hash = "f".repeat(64),
            10 => e.hash = "0".repeat(64),
            _ => e.seq += 1,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn state_machine_clock_and_chain(
            instant in any::<bool>(),
            offset in 0..600u64,
            moves in moves(),
            which in any::<prop::sample::Index>(),
            field in 0..12usize,
            reseal_field in 0..8usize,
        ) {
            let item = if instant { instant_item() } else { full_item() };
            let start = d(2025, 1, 2) + chrono::Days::new(offset);
            let events = play(&item, start, &moves);
            prop_assert!(verify_chain(&events).is_ok());
            if events.is_empty() {
                return Ok(());
            }
            let k = which.index(events.len());
            let seq = events[k].seq;
            // Tampered without re-sealing: that event is named.
            let mut t = events.clone();
            tamper(&mut t[k], field);
            let e = verify_chain(&t).unwrap_err();
            if field == 11 {
                prop_assert_eq!(e.reason, BrokenReason::SeqGap { expected: seq });
            } else {
                prop_assert_eq!(e.seq, seq);
            }
            // Tampered and re-sealed: the next event no longer links (the newest event can only be
            // caught by keeping its hash elsewhere).
            let mut t = events.clone();
            tamper(&mut t[k], reseal_field + 1);
            t[k] = seal(t[k].clone());
            match verify_chain(&t) {
                Ok(()) => prop_assert_eq!(k + 1, events.len()),
                Err(e) => {
                    prop_assert_eq!(e.seq, seq + 1);
                    prop_assert_eq!(e.reason, BrokenReason::PrevHashMismatch);
                }
            }
        }
    }
}
