//! 容缺办 — accept now, supplement later (rules in `tongban_domain::case::tolerance`).
//!
//! - `accept_with_tolerance` (`tolerated: [material codes]`): each code must be tolerable in the
//!   catalog *and* missing from the case right now; the pledge deadline is then computed on the
//!   working-day calendar and kept in the sub-case state and in `sub_cases.pledge_due`;
//! - [`App::run_deadline_jobs`]: reminds once when a deadline is at most one working day away
//!   (`sub_case.pledge_reminder`) and ends the sub-case when it has passed
//!   (`sub_case.pledge_expired`: terminated or suspended as the item says, with the written notice
//!   in the event), both by the actor `system`. Run on several nodes at once, the case version
//!   check lets exactly one of them apply each change; the others skip it silently.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use tongban_domain::calendar::Calendar;
use tongban_domain::case::tolerance as rules;
use tongban_domain::case::{
    self, Action, EventRecord, GENESIS, Release, SubCaseState, SubCaseStatus,
};
use tongban_domain::catalog::Item;
use tongban_store::{CaseChange, SubCaseRow};

use super::act::sub_row_with;
use super::{day_str, internal_json};
use crate::App;
use crate::error::{AppError, AppResult};

/// What one run of [`App::run_deadline_jobs`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DeadlineReport {
    /// Reminders recorded (`sub_case.pledge_reminder`).
    pub reminded: u32,
    /// Sub-cases terminated (终止办理) for a missed supplement deadline.
    pub terminated: u32,
    /// Sub-cases suspended (中止办理) for a missed supplement deadline.
    pub suspended: u32,
    /// Changes another node (or an action) made first: nothing done here, nothing lost.
    pub skipped: u32,
}

/// The `sub_cases.pledge_due` column: the deadline while a pledge is running, else NULL.
pub(super) fn pledge_due_column(state: &SubCaseState) -> Option<String> {
    if rules::pledge_open(state) {
        state.pledge_due.map(day_str)
    } else {
        None
    }
}

/// After an `accept_with_tolerance`: the pledge deadline on the working-day calendar.
pub(super) fn with_pledge_due(
    next: SubCaseState,
    item: &Item,
    cal: &Calendar,
) -> AppResult<SubCaseState> {
    if next.pledged.is_empty() || next.pledge_due.is_some() {
        return Ok(next);
    }
    rules::with_pledge_due(&next, item, cal).map_err(|e| {
        AppError::invalid(
            e.code(),
            format!("The supplement deadline cannot be computed: {e}."),
            format!("无法计算补交期限：{}。", e.message_zh()),
        )
    })
}

/// The written notice (终止/中止办理通知) that goes with an expiry.
fn expiry_notice(item: &Item, materials: &[String], due: NaiveDate, to: SubCaseStatus) -> String {
    let names: Vec<&str> = materials
        .iter()
        .map(|c| item.material(c).map_or(c.as_str(), |m| m.name.as_str()))
        .collect();
    let outcome = if to == SubCaseStatus::Suspended {
        "本事项自即日起中止办理，办理时限暂停计算；补齐上述材料后恢复办理"
    } else {
        "本事项自即日起终止办理，如需办理请重新申请"
    };
    format!(
        "您申请的“{}”已容缺受理，您承诺于 {due} 前补交的材料（{}）逾期未补交。根据容缺受理承诺书，{outcome}。",
        item.name,
        names.join("、"),
    )
}

impl App {
    /// `accept_with_tolerance`: every tolerated material must be missing from the case now (the
    /// domain checks that it is tolerable at all). Nothing is written when this fails.
    pub(super) fn check_tolerated(
        materials: &[tongban_store::MaterialRow],
        action: &Action,
    ) -> AppResult<()> {
        let Action::AcceptWithTolerance { tolerated } = action else {
            return Ok(());
        };
        let present: Vec<String> = tolerated
            .iter()
            .map(|c| c.trim())
            .filter(|c| {
                materials
                    .iter()
                    .any(|m| m.material_code == *c && m.provided != "missing")
            })
            .map(str::to_string)
            .collect();
        if !present.is_empty() {
            return Err(AppError::invalid(
                "case.material_not_missing",
                format!(
                    "Only missing materials can be tolerated; these were provided: {}.",
                    present.join(", ")
                ),
                format!(
                    "只有缺少的材料才能容缺，以下材料已提交：{}。",
                    present.join("、")
                ),
            )
            .with_field("tolerated"));
        }
        Ok(())
    }

    /// The 容缺 deadline job for `today`: one reminder per pledge due within a working day, and the
    /// configured ending (terminated or suspended) for every pledge whose deadline has passed.
    /// Idempotent, and safe to run on several nodes at once.
    pub async fn run_deadline_jobs(&self, today: NaiveDate) -> AppResult<DeadlineReport> {
        let cal = self.calendar();
        // Reminders look one working day ahead; expiries are among these too (due before today).
        let horizon = cal.deadline(today, 1).map_or(today, |c| c.value);
        let mut report = DeadlineReport::default();
        for (number, seq) in self.store.pledges_due_by(&day_str(horizon)).await? {
            self.pledge_job(&number, seq, today, &cal, &mut report)
                .await?;
        }
        Ok(report)
    }

    async fn pledge_job(
        &self,
        number: &str,
        seq: i64,
        today: NaiveDate,
        cal: &Calendar,
        report: &mut DeadlineReport,
    ) -> AppResult<()> {
        let Some(case_row) = self.store.case(number).await? else {
            return Ok(());
        };
        let subs = self.store.sub_cases(number).await?;
        let Some(sub) = subs.iter().find(|s| s.seq == seq) else {
            return Ok(());
        };
        let item = self.item_at(&sub.item_code, sub.item_version).await?;
        let state: SubCaseState = serde_json::from_str(&sub.state).map_err(internal_json)?;
        let Some(due) = state.pledge_due else {
            return Ok(());
        };
        let (next, kind, payload, reason) =
            if let Some(next) = rules::expire_pledge(&state, &item, today) {
                let notice = expiry_notice(&item, &state.pledged, due, next.status);
                let payload = json!({
                    "sub_case": seq, "item": sub.item_code, "from": state.status,
                    "to": next.status, "materials": state.pledged, "due": due,
                    "notice": notice,
                });
                (next, "sub_case.pledge_expired", payload, Some(notice))
            } else if let Some(next) = rules::remind_pledge(&state, today, cal) {
                let payload = json!({
                    "sub_case": seq, "item": sub.item_code, "materials": state.pledged,
                    "due": due,
                });
                (next, "sub_case.pledge_reminder", payload, None)
            } else {
                return Ok(());
            };
        let to = next.status;
        let mut changed = vec![sub_row_with(sub, &next, &item, cal, today)?];
        let mut last = self.store.last_event(number).await?;
        let mut events = Vec::new();
        let mut push = |kind: &str, payload, reason, last: &mut Option<EventRecord>| {
            let e = self.system_event(number, last.as_ref(), kind, payload, reason);
            *last = Some(e.clone());
            events.push(e);
        };
        push(kind, payload, reason, &mut last);

        // A terminated item cancels the bundle items that wait for it.
        let mut states: Vec<(SubCaseRow, SubCaseState)> = Vec::new();
        for s in &subs {
            let st = if s.seq == seq {
                next.clone()
            } else {
                serde_json::from_str(&s.state).map_err(internal_json)?
            };
            states.push((s.clone(), st));
        }
        if to == SubCaseStatus::Terminated
            && let Some(bundle) = &case_row.bundle_code
        {
            let view = self.catalog();
            let waiting_on_this: Vec<i64> = states
                .iter()
                .filter(|(s, st)| {
                    st.status == SubCaseStatus::Waiting
                        && view.bundles.get(bundle).is_some_and(|b| {
                            b.bundle.items.iter().any(|bi| {
                                bi.item == s.item_code && bi.needs.contains(&sub.item_code)
                            })
                        })
                })
                .map(|(s, _)| s.seq)
                .collect();
            for (s, st) in states
                .iter_mut()
                .filter(|(s, _)| waiting_on_this.contains(&s.seq))
            {
                let cancelled = case::apply_release(st, Release::Cancel)
                    .map_err(|e| AppError::internal(e.to_string()))?;
                let dep_item = self.item_at(&s.item_code, s.item_version).await?;
                changed.push(sub_row_with(s, &cancelled, &dep_item, cal, today)?);
                push(
                    "sub_case.cancelled",
                    json!({"sub_case": s.seq, "item": s.item_code, "to": cancelled.status}),
                    None,
                    &mut last,
                );
                *st = cancelled;
            }
        }

        let mut all_done = true;
        for (s, st) in &states {
            let it = if s.seq == seq {
                item.clone()
            } else {
                self.item_at(&s.item_code, s.item_version).await?
            };
            all_done &= st.is_finished(&it);
        }
        let now = self.clock.now().timestamp_millis();
        if all_done && case_row.status != "closed" {
            push("case.closed", json!({}), None, &mut last);
        }
        let change = CaseChange {
            number: number.to_string(),
            expected_version: case_row.version,
            status: if all_done { "closed" } else { "open" }.to_string(),
            closed_at: if all_done {
                Some(case_row.closed_at.unwrap_or(now))
            } else {
                None
            },
            sub_cases: changed,
            materials: Vec::new(),
            events,
            // The write reads the counting facts itself (a rare path).
            before: None,
        };
        // Another node, or a clerk's action, changed the case first: its own run decides.
        if !self.store.apply_case_change(&change).await? {
            report.skipped += 1;
            return Ok(());
        }
        match (kind, to) {
            ("sub_case.pledge_reminder", _) => report.reminded += 1,
            (_, SubCaseStatus::Suspended) => report.suspended += 1,
            _ => report.terminated += 1,
        }
        Ok(())
    }

    /// An event of the platform itself (actor and role `system`).
    fn system_event(
        &self,
        number: &str,
        prev: Option<&EventRecord>,
        kind: &str,
        payload: serde_json::Value,
        reason: Option<String>,
    ) -> EventRecord {
        case::seal(EventRecord {
            case_number: number.to_string(),
            seq: prev.map_or(1, |p| p.seq + 1),
            kind: kind.to_string(),
            actor: "system".to_string(),
            role: "system".to_string(),
            acting_for: None,
            place: None,
            at: self.clock.now().timestamp_millis(),
            reason,
            payload: payload.into(),
            prev_hash: prev.map_or_else(|| GENESIS.to_string(), |p| p.hash.clone()),
            hash: String::new(),
        })
    }
}
