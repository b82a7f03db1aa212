//! A case's writes on SQLite's direct path (`crate::direct`): the same statements as
//! `write_case_change!` and `insert_case!`, run synchronously in one hand-off of the writer.

use tongban_domain::stats::counts::{self, CaseFacts};

use crate::direct::{DirectBatch, direct_error};
use crate::stats::{CASE_FACTS, JoinedFactsRow, commitment_after, facts_after, facts_of_joined};
use crate::{CaseChange, NewCase, Result};

/// Counters of SQLite's one shard (see `stats::shard_for`).
const SHARD: i64 = 0;

/// [`crate::Store::apply_case_change`] on SQLite: whether the change applied (the case was still
/// at the expected version); nothing is written when it did not.
pub(crate) fn write_case_change(db: &rusqlite::Connection, ch: &CaseChange) -> Result<bool> {
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
    let before = case_facts(db, &ch.number)?;
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
    crate::cases::push_change_rows!(batch, ch, change.as_ref(), SHARD);
    batch.run(db)?;
    if let (Some(before), None) = (&before, commitment) {
        let after = facts_after(before, ch, has_commitment(db, &ch.number)?);
        let change = counts::delta(Some(before), &after);
        let mut batch = DirectBatch::new();
        crate::stats::push_counter_upserts!(batch, &change, SHARD);
        batch.run(db)?;
    }
    Ok(true)
}

/// The inserts of a new case (see `insert_case!`).
pub(crate) fn insert_case(db: &rusqlite::Connection, new: &NewCase) -> Result<()> {
    crate::cases::with_new_case_rows!(batch = DirectBatch::new(), new, SHARD => batch.run(db))
}

/// `load_case_facts!` on this path.
fn case_facts(db: &rusqlite::Connection, number: &str) -> Result<Option<CaseFacts>> {
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
