//! Copies for a large history. A few thousand cases made by the services (create_case, act) are
//! the templates; every further case copies one of them: the same item, place, day, steps and
//! outcome, with its own number (from the day's counter), its own applicant (a new name and a valid
//! ID from the same county, unless the template's applicant has an account), its own times within
//! ±10 minutes, and its own hash chain, sealed as the engine seals one. What a copy cannot be is
//! a new combination of choices: the variety of a large history is that of its templates.
//!
//! Why: through the services a case costs milliseconds of CPU per step, so ten million would take
//! days; a copy is built in memory and written with a thousand others in one transaction.

use std::collections::HashMap;

use rand::Rng;
use rand::rngs::StdRng;
use serde_json::Value;
use tongban_domain::case::{EventRecord, next_link, seal};
use tongban_store::{CaseCopy, CaseRow, MaterialRow, NewCase, SubCaseRow};

use super::{DemoReport, credit_code, person_name, resident_id};
use crate::App;
use crate::error::{AppError, AppResult};

/// Copies written per transaction.
const BATCH: usize = 1_000;
/// Copies planned at a time (numbers are reserved per day for each round).
const ROUND: u64 = 100_000;

/// One case made by the services, as stored.
struct Template {
    case: CaseRow,
    sub_cases: Vec<SubCaseRow>,
    materials: Vec<MaterialRow>,
    events: Vec<EventRecord>,
}

impl App {
    /// Writes `copies` more cases, each a copy of one made so far (`report.numbers`).
    pub(super) async fn demo_copies(
        &self,
        rng: &mut StdRng,
        report: &mut DemoReport,
        copies: u64,
        progress: &(dyn Fn(u64) + Sync),
    ) -> AppResult<()> {
        let mut templates = Vec::with_capacity(report.numbers.len());
        for number in &report.numbers {
            let Some(case) = self.store.case(number).await? else {
                continue;
            };
            templates.push(Template {
                sub_cases: self.store.sub_cases(number).await?,
                materials: self.store.case_materials(number).await?,
                events: self.store.events(number).await?,
                case,
            });
        }
        if templates.is_empty() {
            return Err(AppError::internal(
                "no case to copy: the services made none",
            ));
        }
        let mut left = copies;
        while left > 0 {
            let round = left.min(ROUND);
            // Which template each copy follows, grouped by the day it was made on.
            let mut by_day: HashMap<String, Vec<usize>> = HashMap::new();
            for _ in 0..round {
                let t = rng.gen_range(0..templates.len());
                by_day
                    .entry(templates[t].case.created_on.clone())
                    .or_default()
                    .push(t);
            }
            let mut days: Vec<_> = by_day.into_iter().collect();
            days.sort_by(|a, b| a.0.cmp(&b.0));
            let mut batch = Vec::with_capacity(BATCH);
            for (day, picks) in days {
                let first = self
                    .store
                    .allocate_case_serials(&day, picks.len() as i64)
                    .await?;
                let compact = day.replace('-', "");
                for (k, t) in picks.into_iter().enumerate() {
                    let template = &templates[t];
                    let number = format!("TB{compact}{:06}", first + k as i64);
                    batch.push(copy_case(template, number, rng));
                    let c = &template.case;
                    if c.closed_at.is_none() {
                        report.open += 1;
                        *report.by_status.entry(c.status.clone()).or_default() += 1;
                    }
                    report.actions += (c.version - 1).max(0) as u64;
                    if batch.len() == BATCH {
                        self.store.insert_case_copies(&batch).await?;
                        report.cases += batch.len() as u64;
                        report.copies += batch.len() as u64;
                        batch.clear();
                        progress(report.cases);
                    }
                }
            }
            if !batch.is_empty() {
                self.store.insert_case_copies(&batch).await?;
                report.cases += batch.len() as u64;
                report.copies += batch.len() as u64;
                progress(report.cases);
            }
            left -= round;
        }
        Ok(())
    }
}

/// A copy of `t` numbered `number`: its own applicant, times and hash chain.
fn copy_case(t: &Template, number: String, rng: &mut StdRng) -> CaseCopy {
    let old = &t.case;
    let shift = rng.gen_range(-600_000i64..=600_000);
    let (name, id) = if old.applicant_user_id.is_some() {
        // An applicant with an account applies again: same person.
        (old.applicant_name.clone(), old.applicant_id.clone())
    } else if old.applicant_id.len() == 18
        && old.applicant_id.starts_with("92")
        && old.applicant_name.ends_with("有限公司")
    {
        let county = old.applicant_id.get(2..8).unwrap_or("430400");
        (
            format!("衡阳市{}商贸有限公司", person_name(rng)),
            credit_code(rng, county),
        )
    } else {
        let county = old.applicant_id.get(..6).unwrap_or("430400");
        (person_name(rng), resident_id(rng, county))
    };
    let swaps = [
        (old.number.as_str(), number.as_str()),
        (old.applicant_name.as_str(), name.as_str()),
        (old.applicant_id.as_str(), id.as_str()),
    ];
    let case = CaseRow {
        number: number.clone(),
        applicant_name: name.clone(),
        applicant_id: id.clone(),
        form: swap_json_text(&old.form, &swaps),
        created_at: old.created_at + shift,
        closed_at: old.closed_at.map(|t| t + shift),
        idempotency_key: None,
        request_hash: None,
        ..old.clone()
    };
    let sub_cases = t
        .sub_cases
        .iter()
        .map(|s| SubCaseRow {
            case_number: number.clone(),
            state: swap_json_text(&s.state, &swaps),
            ..s.clone()
        })
        .collect();
    let materials = t
        .materials
        .iter()
        .map(|m| MaterialRow {
            case_number: number.clone(),
            updated_at: m.updated_at + shift,
            ..m.clone()
        })
        .collect();
    let mut events: Vec<EventRecord> = Vec::with_capacity(t.events.len());
    for e in &t.events {
        let (seq, prev_hash) = next_link(events.last());
        let mut payload = e.payload.clone();
        swap_strings(&mut payload, &swaps);
        events.push(seal(EventRecord {
            case_number: number.clone(),
            seq,
            at: e.at + shift,
            payload,
            prev_hash,
            hash: String::new(),
            ..e.clone()
        }));
    }
    CaseCopy {
        case: NewCase {
            case,
            sub_cases,
            materials,
            events,
        },
        template: old.number.clone(),
        shift_ms: shift,
    }
}

/// Replaces every JSON string equal to a swap's first part by its second.
fn swap_strings(v: &mut Value, swaps: &[(&str, &str)]) {
    match v {
        Value::String(s) => {
            if let Some((_, new)) = swaps.iter().find(|(old, _)| old == s) {
                *s = (*new).to_string();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| swap_strings(i, swaps)),
        Value::Object(map) => map.values_mut().for_each(|i| swap_strings(i, swaps)),
        _ => {}
    }
}

/// [`swap_strings`] over stored JSON text; text that is not JSON is kept as it is.
fn swap_json_text(text: &str, swaps: &[(&str, &str)]) -> String {
    match serde_json::from_str::<Value>(text) {
        Ok(mut v) => {
            swap_strings(&mut v, swaps);
            v.to_string()
        }
        Err(_) => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn swaps_whole_strings_only() {
        let mut v = json!({"name": "王伟", "note": "王伟的材料", "ids": ["430421199001011234", 3]});
        swap_strings(
            &mut v,
            &[
                ("王伟", "李娜"),
                ("430421199001011234", "430481198505054321"),
            ],
        );
        assert_eq!(
            v,
            json!({"name": "李娜", "note": "王伟的材料", "ids": ["430481198505054321", 3]})
        );
    }
}
