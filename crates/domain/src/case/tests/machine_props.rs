//! Property tests of the state machine with its clock and chain; separate because they explore
//! random action sequences rather than named cases.

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
                    payload: serde_json::to_value(&act).unwrap().into(),
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
        8 => e.payload = json!({"forged": true}).into(),
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
