//! A case's writes on SQLite's direct path (`crate::direct`): the same statements as
//! `write_case_change!` and `insert_case!`, run synchronously in one hand-off of the writer.

use tongban_domain::stats::counts::{self, CaseFacts};

use super::RecentCases;
use super::{CASE_COLUMNS, EVENT_COLUMNS, EventRow, MATERIAL_COLUMNS, SUB_COLUMNS};
use crate::direct::{DirectBatch, DirectTx, direct_error};
use crate::stats::{CASE_FACTS, JoinedFactsRow, commitment_after, facts_after, facts_of_joined};
use crate::{CaseChange, CaseRecord, CaseRow, MaterialRow, NewCase, Result, SubCaseRow};

/// [`crate::Store::apply_case_change`] on SQLite: whether the change applied (the case was still
/// at the expected version); nothing is written when it did not.
pub(crate) fn write_case_change(db: &DirectTx<'_>, ch: &CaseChange) -> Result<bool> {
    let n = db
        .prepare_cached(
            // `?N`, not the sqlx path's `$N`: SQLite numbers `$`-parameters by first appearance
            // and rusqlite binds by that number.
            "UPDATE cases SET version = version + 1, status = ?3, closed_at = ?4 \
             WHERE number = ?1 AND version = ?2",
        )
        .and_then(|mut s| {
            s.execute(rusqlite::params![
                ch.number,
                ch.expected_version,
                ch.status,
                ch.closed_at
            ])
        })
        .map_err(direct_error)?;
    if n != 1 {
        return Ok(false);
    }
    // The dashboard's counters move by what this change does to the case (统计计数).
    let before = match &ch.before {
        Some(facts) => Some(facts.clone()),
        None => case_facts(db, &ch.number)?,
    };
    let commitment = commitment_after(before.as_ref(), ch);
    let after = before
        .as_ref()
        .zip(commitment)
        .map(|(b, c)| facts_after(b, ch, c));
    let change = before
        .as_ref()
        .zip(after.as_ref())
        .map(|(b, a)| counts::delta(Some(b), a));
    let mut batch = DirectBatch::new();
    // The counters are the transaction's to write (see `crate::direct`).
    crate::cases::push_change_rows!(batch, ch, None::<&counts::Tally<'_>>, 0);
    batch.run(db)?;
    if let Some(change) = &change {
        db.count(change);
    }
    if let (Some(before), None) = (&before, commitment) {
        let after = facts_after(before, ch, has_commitment(db, &ch.number)?);
        db.count(&counts::delta(Some(before), &after));
    }
    Ok(true)
}

/// The inserts of a new case (see `insert_case!`).
pub(crate) fn insert_case(db: &DirectTx<'_>, new: &NewCase) -> Result<()> {
    crate::cases::with_new_case_rows!(batch = DirectBatch::new(), new, tally counted => {
        batch.run(db)?;
        db.count(&counted);
        Ok(())
    })
}

/// `load_case_facts!` on this path.
pub(crate) fn case_facts(db: &rusqlite::Connection, number: &str) -> Result<Option<CaseFacts>> {
    let mut stmt = db
        .prepare_cached(&format!(
            "SELECT {CASE_FACTS}, s.seq, s.item_code, s.handling_region, s.status, s.deadline, \
             s.concluded_on FROM cases c LEFT JOIN sub_cases s ON s.case_number = c.number \
             WHERE c.number = $1 ORDER BY s.seq"
        ))
        .map_err(direct_error)?;
    let rows = stmt
        .query_map([number], |r| JoinedFactsRow::try_from(r))
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(direct_error)?;
    Ok(facts_of_joined(rows))
}

/// `has_commitment!` on this path.
fn has_commitment(db: &rusqlite::Connection, number: &str) -> Result<bool> {
    db.query_row(
        "SELECT COUNT(*) FROM case_materials WHERE case_number = $1 AND provided = 'commitment'",
        [number],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
    .map_err(direct_error)
}

/// [`crate::Store::case_record`] on SQLite, inside a read transaction on `db`: from `recent`
/// when it holds the case at the stored version, else read whole (and kept there).
pub(crate) fn case_record_or_recent(
    db: &rusqlite::Connection,
    number: &str,
    recent: &RecentCases,
) -> Result<Option<CaseRecord>> {
    use rusqlite::OptionalExtension;
    let stamp: Option<(i64, Option<String>)> = db
        .prepare_cached("SELECT version, center_code FROM cases WHERE number = ?1")
        .and_then(|mut s| {
            s.query_row([number], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })
        .map_err(direct_error)?;
    let Some((version, center_code)) = stamp else {
        return Ok(None);
    };
    let Some(kept) = recent.get(number, version) else {
        let record = case_record(db, number)?;
        if let Some(record) = &record {
            recent.keep(record);
        }
        return Ok(record);
    };
    let center = match &center_code {
        Some(code) => crate::places::center_direct(db, code)?,
        None => None,
    };
    let record = CaseRecord { center, ..kept };
    // Tests run debug builds: every use of a kept case there is checked against the tables, in
    // the same snapshot.
    #[cfg(debug_assertions)]
    {
        let stored = case_record(db, number)?;
        debug_assert_eq!(
            stored.as_ref(),
            Some(&record),
            "the case kept in the process differs from the stored one at the same version"
        );
    }
    Ok(Some(record))
}

/// The whole case, inside a read transaction on `db`.
fn case_record(db: &rusqlite::Connection, number: &str) -> Result<Option<CaseRecord>> {
    let case = db
        .prepare_cached(&format!(
            "SELECT {CASE_COLUMNS} FROM cases c WHERE c.number = ?1"
        ))
        .and_then(|mut s| {
            let mut rows = s.query_map([number], case_row)?;
            rows.next().transpose()
        })
        .map_err(direct_error)?;
    let Some(case) = case else {
        return Ok(None);
    };
    let sub_cases = all(
        db,
        &format!("SELECT {SUB_COLUMNS} FROM sub_cases WHERE case_number = ?1 ORDER BY seq"),
        number,
        sub_case_row,
    )?;
    let materials = all(
        db,
        &format!(
            "SELECT {MATERIAL_COLUMNS} FROM case_materials WHERE case_number = ?1 \
             ORDER BY material_code"
        ),
        number,
        material_row,
    )?;
    let events = all(
        db,
        &format!("SELECT {EVENT_COLUMNS} FROM events WHERE case_number = ?1 ORDER BY seq"),
        number,
        event_row,
    )?
    .into_iter()
    .map(tongban_domain::case::EventRecord::try_from)
    .collect::<Result<_>>()?;
    let center = match &case.center_code {
        Some(code) => crate::places::center_direct(db, code)?,
        None => None,
    };
    Ok(Some(CaseRecord {
        case,
        sub_cases,
        materials,
        events,
        center,
    }))
}

/// [`crate::Store::case_by_idempotency_key`] on this path (`sql` binds the submitter, then the key).
pub(crate) fn case_by_idempotency_key(
    db: &rusqlite::Connection,
    sql: &str,
    submitted_by: i64,
    key: &str,
) -> Result<Option<CaseRow>> {
    use rusqlite::OptionalExtension;
    db.prepare_cached(sql)
        .and_then(|mut s| {
            s.query_row(rusqlite::params![submitted_by, key], case_row)
                .optional()
        })
        .map_err(direct_error)
}

/// Every row of `sql` (one parameter: the case number), mapped by `row`.
fn all<T>(
    db: &rusqlite::Connection,
    sql: &str,
    number: &str,
    row: fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    db.prepare_cached(sql)
        .and_then(|mut s| s.query_map([number], row)?.collect())
        .map_err(direct_error)
}

// The row mappers follow the column lists (`CASE_COLUMNS`, …) in order, as sqlx's `FromRow`
// does by name on the other path.

fn case_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CaseRow> {
    Ok(CaseRow {
        number: r.get(0)?,
        item_code: r.get(1)?,
        bundle_code: r.get(2)?,
        bundle_version: r.get(3)?,
        title: r.get(4)?,
        applicant_user_id: r.get(5)?,
        applicant_name: r.get(6)?,
        applicant_id: r.get(7)?,
        channel: r.get(8)?,
        center_code: r.get(9)?,
        received_region: r.get(10)?,
        submitted_by: r.get(11)?,
        form: r.get(12)?,
        status: r.get(13)?,
        version: r.get(14)?,
        created_at: r.get(15)?,
        created_on: r.get(16)?,
        closed_at: r.get(17)?,
        idempotency_key: r.get(18)?,
        request_hash: r.get(19)?,
    })
}

fn sub_case_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SubCaseRow> {
    Ok(SubCaseRow {
        case_number: r.get(0)?,
        seq: r.get(1)?,
        item_code: r.get(2)?,
        item_version: r.get(3)?,
        department_code: r.get(4)?,
        handling_region: r.get(5)?,
        status: r.get(6)?,
        state: r.get(7)?,
        accepted_on: r.get(8)?,
        deadline: r.get(9)?,
        concluded_on: r.get(10)?,
        pledge_due: r.get(11)?,
    })
}

fn material_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MaterialRow> {
    Ok(MaterialRow {
        case_number: r.get(0)?,
        material_code: r.get(1)?,
        name: r.get(2)?,
        provided: r.get(3)?,
        file_sha256: r.get(4)?,
        file_name: r.get(5)?,
        updated_at: r.get(6)?,
    })
}

fn event_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<EventRow> {
    Ok(EventRow {
        case_number: r.get(0)?,
        seq: r.get(1)?,
        kind: r.get(2)?,
        actor: r.get(3)?,
        role: r.get(4)?,
        acting_for: r.get(5)?,
        place: r.get(6)?,
        at: r.get(7)?,
        reason: r.get(8)?,
        payload: r.get(9)?,
        prev_hash: r.get(10)?,
        hash: r.get(11)?,
    })
}
