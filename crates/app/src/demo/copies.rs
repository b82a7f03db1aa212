//! Copies for a large history. A few thousand cases made by the services (create_case, act) are
//! the templates; every further case copies one of them: the same item, place, day, steps and
//! outcome, with its own number (from the day's counter), its own applicant (a new name and a valid
//! ID from the same county, unless the template's applicant has an account), its own times within
//! ±10 minutes, and its own hash chain, sealed as the engine seals one. What a copy cannot be is
//! a new combination of choices: the variety of a large history is that of its templates.
//!
//! Why: through the services a case costs milliseconds of CPU per step, so ten million would take
//! days; a copy is built in memory and written with a thousand others in one transaction.

use std::collections::BTreeMap;

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
        // Copies are written day by day, oldest first, each day's share in proportion to the
        // templates made on it. In that order every index (numbers, times, centers, search terms)
        // grows at its end, so the pages being written stay in memory however large the database
        // gets; random days made a 58 GB database re-read pages from disk for every batch.
        let mut by_day: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, t) in templates.iter().enumerate() {
            by_day
                .entry(t.case.created_on.as_str())
                .or_default()
                .push(i);
        }
        let shares = day_shares(&by_day, copies, rng);
        let mut writer = Writer {
            store: self.store.clone(),
            in_flight: Default::default(),
        };
        let mut batch = Vec::with_capacity(BATCH);
        for ((day, of_day), share) in by_day.iter().zip(shares) {
            if share == 0 {
                continue;
            }
            let first = self.store.allocate_case_serials(day, share as i64).await?;
            let compact = day.replace('-', "");
            for k in 0..share {
                let template = &templates[of_day[rng.gen_range(0..of_day.len())]];
                let number = format!("TB{compact}{:06}", first + k as i64);
                batch.push(copy_case(template, number, rng));
                let c = &template.case;
                if c.closed_at.is_none() {
                    report.open += 1;
                    *report.by_status.entry(c.status.clone()).or_default() += 1;
                }
                report.actions += (c.version - 1).max(0) as u64;
                if batch.len() == BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    writer.write(full, report, progress).await?;
                }
            }
        }
        if !batch.is_empty() {
            writer.write(batch, report, progress).await?;
        }
        writer.finish(report, progress).await?;
        Ok(())
    }
}

/// Writes batches in tasks of their own, two in flight: while one holds SQLite's writer, the next
/// binds its values (see [`tongban_store::Store::insert_case_copies`]) and the driver builds the
/// one after (hashing, JSON). Batches may commit out of order; each is all or nothing.
struct Writer {
    store: tongban_store::Store,
    in_flight:
        std::collections::VecDeque<(u64, tokio::task::JoinHandle<tongban_store::Result<()>>)>,
}

/// Batches written at once: one writing, one binding.
const IN_FLIGHT: usize = 2;

impl Writer {
    /// Starts writing `batch`, first waiting for the oldest batch if two are in flight.
    async fn write(
        &mut self,
        batch: Vec<CaseCopy>,
        report: &mut DemoReport,
        progress: &(dyn Fn(u64) + Sync),
    ) -> AppResult<()> {
        while self.in_flight.len() >= IN_FLIGHT {
            self.wait_oldest(report, progress).await?;
        }
        let store = self.store.clone();
        let n = batch.len() as u64;
        self.in_flight.push_back((
            n,
            tokio::spawn(async move { store.insert_case_copies(&batch).await }),
        ));
        Ok(())
    }

    /// Waits for every batch in flight and counts them.
    async fn finish(
        &mut self,
        report: &mut DemoReport,
        progress: &(dyn Fn(u64) + Sync),
    ) -> AppResult<()> {
        while !self.in_flight.is_empty() {
            self.wait_oldest(report, progress).await?;
        }
        Ok(())
    }

    async fn wait_oldest(
        &mut self,
        report: &mut DemoReport,
        progress: &(dyn Fn(u64) + Sync),
    ) -> AppResult<()> {
        if let Some((n, task)) = self.in_flight.pop_front() {
            task.await
                .map_err(|e| AppError::internal(format!("copy writer: {e}")))??;
            report.cases += n;
            report.copies += n;
            progress(report.cases);
        }
        Ok(())
    }
}

/// How many of `copies` fall on each day: in proportion to the day's templates, the remainder
/// given one at a time to days drawn with the same weights.
fn day_shares(by_day: &BTreeMap<&str, Vec<usize>>, copies: u64, rng: &mut StdRng) -> Vec<u64> {
    let total = by_day.values().map(Vec::len).sum::<usize>().max(1) as u128;
    let mut shares: Vec<u64> = by_day
        .values()
        .map(|t| (u128::from(copies) * t.len() as u128 / total) as u64)
        .collect();
    let mut left = copies - shares.iter().sum::<u64>();
    while left > 0 {
        let mut pick = rng.gen_range(0..total as usize);
        for (share, t) in shares.iter_mut().zip(by_day.values()) {
            if pick < t.len() {
                *share += 1;
                left -= 1;
                break;
            }
            pick -= t.len();
        }
    }
    shares
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
        let mut payload = e.payload.value();
        swap_strings(&mut payload, &swaps);
        events.push(seal(EventRecord {
            case_number: number.clone(),
            seq,
            at: e.at + shift,
            payload: payload.into(),
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

    #[test]
    fn day_shares_add_up_and_follow_the_templates() {
        use rand::SeedableRng;
        let mut by_day: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        by_day.insert("2026-05-01", vec![0]);
        by_day.insert("2026-05-02", vec![1, 2, 3]);
        by_day.insert("2026-05-03", vec![4, 5, 6, 7, 8, 9]);
        for (copies, seed) in [(0u64, 1u64), (1, 2), (7, 3), (10, 4), (1_000_001, 5)] {
            let mut rng = StdRng::seed_from_u64(seed);
            let shares = day_shares(&by_day, copies, &mut rng);
            assert_eq!(shares.iter().sum::<u64>(), copies, "{copies} copies");
            for (share, t) in shares.iter().zip(by_day.values()) {
                let exact = copies * t.len() as u64 / 10;
                assert!(
                    *share >= exact && *share <= exact + 1,
                    "{copies}: {share} vs {exact}"
                );
            }
        }
    }
}
