//! The history generator's bulk path (`tongban demo generate`): many new cases in one transaction,
//! and blocks of case numbers. Never used on a request path.
//!
//! Why multi-row statements: every statement is a round trip to the database, and a profile of
//! one-row-per-statement copies through sqlx showed about two thirds of the time in the hand-offs
//! to SQLite's connection thread and under one tenth in SQLite itself. On SQLite a batch now runs
//! on the direct connection (`crate::direct`), in one synchronous run with no hand-off at all.

use crate::cases::{
    INSERT_CASES, INSERT_EVENTS, INSERT_MATERIALS, INSERT_SUB_CASES, INSERT_TERMS, bind_case,
    bind_event, bind_material, bind_sub_case, search_terms,
};
use crate::{NewCase, Result, Store, in_tx};

/// A copy of a generated case: the new case's rows (built and sealed by the caller) and where its
/// 承诺办 rows come from.
#[derive(Debug, Clone)]
pub struct CaseCopy {
    pub case: NewCase,
    /// The case it copies: its post-verification and broken-commitment rows are copied too.
    pub template: String,
    /// Added to every instant copied from the template's rows (epoch milliseconds).
    pub shift_ms: i64,
}

/// Bound values per statement: well under SQLite's 32,766 and PostgreSQL's 65,535. Larger
/// statements were no faster (400 k copies, back to back) and held more memory (peak RSS 572 MB
/// at 30,000 against 432 MB).
const MAX_BINDS: usize = 6_000;

/// Pushes onto batch `$batch` (a [`crate::batch::Batch`] or a [`crate::direct::DirectBatch`])
/// one `INSERT … VALUES (…), (…)` per chunk of `rows`; `$push` binds one row's `$cols` values.
macro_rules! insert_rows {
    ($batch:ident, $head:expr, $cols:expr, $rows:expr, |$b:ident, $r:ident| $push:expr) => {
        let mut rows = $rows.peekable();
        while rows.peek().is_some() {
            $batch.statement($head).push_values(
                rows.by_ref().take((MAX_BINDS / $cols).max(1)),
                |mut $b, $r| {
                    $push;
                },
            );
        }
    };
}

/// Pushes onto `$batch` every row of `$copies` (`&[CaseCopy]`) and the counters' upserts of
/// `$counted`: the same rows as [`Store::insert_case`] writes for one case.
macro_rules! push_copy_rows {
    ($batch:ident, $copies:expr, $counted:expr) => {{
        let copies: &[CaseCopy] = $copies;
        insert_rows!(
            $batch,
            INSERT_CASES,
            20,
            copies.iter().map(|c| &c.case.case),
            |b, c| bind_case!(b, c)
        );
        let terms = copies.iter().flat_map(|copy| {
            let c = &copy.case.case;
            search_terms(&c.applicant_name, &c.title)
                .into_iter()
                .map(move |t| (t, c.created_at, &c.number))
        });
        insert_rows!($batch, INSERT_TERMS, 3, terms, |b, t| {
            b.push_bind(t.0).push_bind(t.1).push_bind(t.2)
        });
        insert_rows!(
            $batch,
            INSERT_SUB_CASES,
            12,
            copies.iter().flat_map(|c| &c.case.sub_cases),
            |b, s| bind_sub_case!(b, s)
        );
        insert_rows!(
            $batch,
            INSERT_MATERIALS,
            7,
            copies.iter().flat_map(|c| &c.case.materials),
            |b, m| bind_material!(b, m)
        );
        insert_rows!(
            $batch,
            INSERT_EVENTS,
            12,
            copies.iter().flat_map(|c| &c.case.events),
            |b, e| bind_event!(b, e)
        );
        crate::stats::push_counter_upserts!($batch, $counted, 0);
        // The 承诺办 rows of each template, once per copy: a join on a table of
        // (copy, template, applicant, shift), so two statements per chunk whatever the count.
        for chunk in copies.chunks(MAX_BINDS / 4) {
            for (head, tail) in COMMITMENT_COPIES {
                $batch
                    .statement("WITH m (new_number, template, applicant, shift) AS (")
                    .push_values(chunk, |mut b, copy| {
                        b.push_bind(&copy.case.case.number)
                            .push_bind(&copy.template)
                            .push_bind(&copy.case.case.applicant_id)
                            .push_bind(copy.shift_ms);
                    })
                    .push(") ")
                    .push(head)
                    .push(tail);
            }
        }
    }};
}

/// The 承诺办 rows a copy takes from its template (see `push_copy_rows!`): each an `INSERT …`
/// head and a `SELECT … JOIN m` tail.
const COMMITMENT_COPIES: [(&str, &str); 2] = [
    (
        "INSERT INTO verifications (case_number, seq, item_code, department_code, \
         handling_region, applicant_id, reason, status, sampled_at, decided_at, decided_by, note) ",
        " SELECT m.new_number, v.seq, v.item_code, v.department_code, v.handling_region, \
         m.applicant, v.reason, v.status, v.sampled_at + m.shift, v.decided_at + m.shift, \
         v.decided_by, v.note FROM verifications v JOIN m ON v.case_number = m.template",
    ),
    (
        "INSERT INTO broken_commitments (applicant_id, case_number, seq, item_code, at, \
         recorded_on, barred_until) ",
        " SELECT m.applicant, m.new_number, b.seq, b.item_code, b.at + m.shift, b.recorded_on, \
         b.barred_until FROM broken_commitments b JOIN m ON b.case_number = m.template",
    ),
];

impl Store {
    /// Reserves `count` consecutive serial numbers of `day`; returns the first. The same counter
    /// as [`Store::allocate_case_serial`], so numbers never collide with live cases.
    pub async fn allocate_case_serials(&self, day: &str, count: i64) -> Result<i64> {
        let last: i64 = in_tx!(self, tx => sqlx::query_scalar(
            "INSERT INTO case_counters (day, n) VALUES ($1, $2) \
             ON CONFLICT (day) DO UPDATE SET n = case_counters.n + $2 RETURNING n",
        )
        .bind(day)
        .bind(count)
        .fetch_one(&mut *tx)
        .await?);
        Ok(last - count + 1)
    }

    /// Writes every copy in one transaction: all of them or none. The same rows as
    /// [`Store::insert_case`] writes for one case, a chunk of rows per statement.
    pub async fn insert_case_copies(&self, copies: &[CaseCopy]) -> Result<()> {
        if copies.is_empty() {
            return Ok(());
        }
        let facts: Vec<_> = copies
            .iter()
            .map(|c| crate::stats::new_case_facts(&c.case))
            .collect();
        let mut counted = tongban_domain::stats::counts::Tally::new();
        for f in &facts {
            tongban_domain::stats::counts::merge(
                &mut counted,
                tongban_domain::stats::counts::tally(f),
            );
        }
        // Every statement is built and its values bound before the transaction starts: about as
        // much work as SQLite inserting them, done here it overlaps the write of the batch before
        // (the generator keeps two in flight) instead of holding the one writer.
        match &self.backend {
            // SQLite: the whole transaction in one synchronous run on the direct connection, not
            // a hand-off to sqlx's connection thread and back per statement.
            crate::Backend::Sqlite {
                direct, durability, ..
            } => {
                let mut batch = crate::direct::DirectBatch::new();
                push_copy_rows!(batch, copies, &counted);
                crate::direct::in_write_tx(direct, durability, |tx| batch.run(tx)).await
            }
            crate::Backend::Postgres(pool) => {
                let mut batch = crate::batch::Batch::<sqlx::Postgres>::new();
                push_copy_rows!(batch, copies, &counted);
                let mut tx = pool.begin().await?;
                crate::batch::run_batch!(tx, batch);
                tx.commit().await?;
                Ok(())
            }
        }
    }
}
