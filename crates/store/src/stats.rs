//! 统计: the supervisor dashboard's counts. Each case write adds its change to the counters of
//! `stats_counts` in its own transaction (the rules are in `tongban_domain::stats::counts`), so
//! reading a region's dashboard is one range read of that region's counters.
//!
//! The unit counted is the sub-case (one item of one application, 办件事项). A sub-case is in a
//! region when its case was received there (收件地, `cases.received_region`) or it is handled
//! there (办理地, `sub_cases.handling_region`): the same rule as `CaseScope::RegionPrefix`.
//!
//! The scan the dashboard used before the counters ([`Store::stats_scan`], one `GROUP BY` over
//! every sub-case of the region) is kept as the reference `tongban stats verify` checks them by.

use tongban_domain::stats::counts::{self, CaseFacts, RegionCounts, SubCaseFacts, Tally};

use crate::{NewCase, Result, Store, in_tx, on_pool};

/// The rows of a region: `$1` is the region's code prefix followed by `%`.
const IN_REGION: &str = "FROM sub_cases s JOIN cases c ON c.number = s.case_number \
    WHERE (c.received_region LIKE $1 OR s.handling_region LIKE $1)";

/// Still running: not concluded, not ended otherwise, with a deadline (accepted).
const OPEN_WITH_DEADLINE: &str = "s.concluded_on IS NULL AND s.deadline IS NOT NULL";

/// Counter shards on PostgreSQL (see migration 0011): enough that concurrent writers rarely
/// meet on one row, few enough that a region's read stays a short range.
const PG_SHARDS: u64 = 16;

/// The settings key set once the counters hold every case written before migration 0011.
const COUNTED: &str = "stats_counts.counted";

/// The columns of one case's facts, over `cases c`: `(channel, received_region,
/// applicant_user_id, submitted_by, commitment, tolerance)`, the last two 0 or 1.
pub(crate) const CASE_FACTS: &str = "c.channel, c.received_region, c.applicant_user_id, c.submitted_by, \
    CAST(CASE WHEN EXISTS (SELECT 1 FROM case_materials m WHERE m.case_number = c.number \
      AND m.provided = 'commitment') THEN 1 ELSE 0 END AS BIGINT), \
    CAST(CASE WHEN EXISTS (SELECT 1 FROM events e WHERE e.case_number = c.number \
      AND e.kind = 'sub_case.accept_with_tolerance') THEN 1 ELSE 0 END AS BIGINT)";

pub(crate) type CaseFactsRow = (String, Option<String>, Option<i64>, i64, i64, i64);
pub(crate) type SubFactsRow = (i64, String, String, String, Option<String>, Option<String>);

/// A [`CaseFactsRow`] followed by one of its sub-cases (`None`s for a case without any).
pub(crate) type JoinedFactsRow = (
    String,
    Option<String>,
    Option<i64>,
    i64,
    i64,
    i64,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The facts from the rows of `load_case_facts!`; `None` when the case does not exist.
pub(crate) fn facts_of_joined(rows: Vec<JoinedFactsRow>) -> Option<CaseFacts> {
    let first = rows.first()?;
    let case = (
        first.0.clone(),
        first.1.clone(),
        first.2,
        first.3,
        first.4,
        first.5,
    );
    let subs = rows
        .into_iter()
        .filter_map(|r| match (r.6, r.7, r.8, r.9) {
            (Some(seq), Some(item), Some(region), Some(status)) => {
                Some((seq, item, region, status, r.10, r.11))
            }
            _ => None,
        })
        .collect();
    Some(facts_of(case, subs))
}

pub(crate) fn facts_of(row: CaseFactsRow, subs: Vec<SubFactsRow>) -> CaseFacts {
    let (channel, received_region, applicant, submitted_by, commitment, tolerance) = row;
    CaseFacts {
        channel,
        received_region,
        by_agent: applicant.is_some_and(|a| a != submitted_by),
        has_commitment: commitment != 0,
        has_tolerance: tolerance != 0,
        sub_cases: subs.into_iter().map(sub_facts_of).collect(),
    }
}

fn sub_facts_of(r: SubFactsRow) -> SubCaseFacts {
    let (seq, item_code, handling_region, status, deadline, concluded_on) = r;
    SubCaseFacts {
        seq,
        item_code,
        handling_region,
        status,
        deadline,
        concluded_on,
    }
}

pub(crate) fn sub_case_facts(s: &crate::SubCaseRow) -> SubCaseFacts {
    SubCaseFacts {
        seq: s.seq,
        item_code: s.item_code.clone(),
        handling_region: s.handling_region.clone(),
        status: s.status.clone(),
        deadline: s.deadline.clone(),
        concluded_on: s.concluded_on.clone(),
    }
}

/// Whether a material of the case is still replaced by a commitment after change `ch`, when the
/// facts before it and the change tell; `None`: only the database, once `ch`'s materials are
/// written, can tell (rare: a commitment was replaced by a material handed in).
pub(crate) fn commitment_after(before: Option<&CaseFacts>, ch: &crate::CaseChange) -> Option<bool> {
    match before {
        None => Some(false),
        Some(_) if ch.materials.iter().any(|m| m.provided == "commitment") => Some(true),
        Some(b) if !b.has_commitment || ch.materials.is_empty() => Some(b.has_commitment),
        Some(_) => None,
    }
}

/// The case's counting facts after change `ch`.
pub(crate) fn facts_after(
    before: &CaseFacts,
    ch: &crate::CaseChange,
    commitment: bool,
) -> CaseFacts {
    before.changed(
        ch.sub_cases.iter().map(sub_case_facts),
        commitment,
        ch.events.iter().map(|e| e.kind.as_str()),
    )
}

/// The facts of a case about to be written whole (a new case or a generated copy).
pub(crate) fn new_case_facts(new: &NewCase) -> CaseFacts {
    let c = &new.case;
    CaseFacts {
        channel: c.channel.clone(),
        received_region: c.received_region.clone(),
        by_agent: c.applicant_user_id.is_some_and(|a| a != c.submitted_by),
        has_commitment: new.materials.iter().any(|m| m.provided == "commitment"),
        has_tolerance: new
            .events
            .iter()
            .any(|e| counts::is_tolerance_event(&e.kind)),
        sub_cases: new.sub_cases.iter().map(sub_case_facts).collect(),
    }
}

/// The counter shard a write of case `number` adds to: always 0 on SQLite.
pub(crate) fn shard_for(backend: &crate::Backend, number: &str) -> i64 {
    match backend {
        crate::Backend::Sqlite { .. } => 0,
        crate::Backend::Postgres(_) => {
            // FNV-1a: stable across processes and releases, unlike the std hasher.
            let h = number.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            });
            i64::try_from(h % PG_SHARDS).unwrap_or(0)
        }
    }
}

/// Bound values per counter statement (5 per row): under both backends' limits.
pub(crate) const COUNTER_ROWS_PER_STATEMENT: usize = 6_000;

/// Counter rows per statement when one case is written: a case's tally has a varying number of
/// rows (tens to a few hundred), and a statement per row count would be prepared anew whenever
/// the connection's statement cache has let it go; fixed chunks keep the texts few.
pub(crate) const CASE_COUNTER_ROWS: usize = 32;

/// Pushes onto `$batch` the statements adding a tally to the counters, at most `$per` rows
/// (default [`COUNTER_ROWS_PER_STATEMENT`]) in one. The rows go in key order, so two PostgreSQL
/// writers lock shared counter rows in the same order and never deadlock.
macro_rules! push_counter_upserts {
    ($batch:ident, $tally:expr, $shard:expr) => {
        $crate::stats::push_counter_upserts!(
            $batch,
            $tally,
            $shard,
            $crate::stats::COUNTER_ROWS_PER_STATEMENT
        )
    };
    ($batch:ident, $tally:expr, $shard:expr, $per:expr) => {{
        let tally: &tongban_domain::stats::counts::Tally<'_> = $tally;
        let shard: i64 = $shard;
        let mut rows = tally.iter().peekable();
        while rows.peek().is_some() {
            $batch
                .statement("INSERT INTO stats_counts (region, dim, key, shard, n) ")
                .push_values(rows.by_ref().take($per), |mut b, (k, n)| {
                    b.push_bind(k.region)
                        .push_bind(k.dim.as_str())
                        .push_bind(k.key)
                        .push_bind(shard)
                        .push_bind(*n);
                })
                .push(
                    " ON CONFLICT (region, dim, key, shard) DO UPDATE \
                     SET n = stats_counts.n + excluded.n",
                );
        }
    }};
}

/// Adds a tally to the counters inside the open transaction `$tx`.
macro_rules! add_to_counters {
    ($tx:ident, $tally:expr, $shard:expr) => {{
        let mut batch = $crate::batch::Batch::new();
        $crate::stats::push_counter_upserts!(batch, $tally, $shard);
        $crate::batch::run_batch!($tx, batch);
    }};
}

/// The counting facts of case `$number` as stored, inside the open transaction `$tx`: one
/// statement (on SQLite each statement is a hand-off to the connection's thread and back).
macro_rules! load_case_facts {
    ($tx:ident, $number:expr) => {{
        let rows: Vec<$crate::stats::JoinedFactsRow> = sqlx::query_as(&format!(
            "SELECT {}, s.seq, s.item_code, s.handling_region, s.status, s.deadline, \
             s.concluded_on FROM cases c LEFT JOIN sub_cases s ON s.case_number = c.number \
             WHERE c.number = $1 ORDER BY s.seq",
            $crate::stats::CASE_FACTS
        ))
        .bind($number)
        .fetch_all(&mut *$tx)
        .await?;
        $crate::stats::facts_of_joined(rows)
    }};
}

/// Whether a material of case `$number` is replaced by a commitment, inside `$tx`.
macro_rules! has_commitment {
    ($tx:ident, $number:expr) => {{
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM case_materials WHERE case_number = $1 AND provided = 'commitment'",
        )
        .bind($number)
        .fetch_one(&mut *$tx)
        .await?;
        n > 0
    }};
}
pub(crate) use {add_to_counters, has_commitment, load_case_facts, push_counter_upserts};

/// One open sub-case of the near-due or overdue list.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DueRow {
    pub case_number: String,
    pub seq: i64,
    pub item_code: String,
    pub department_code: String,
    pub deadline: String,
}

/// [`CaseFactsRow`] and [`SubFactsRow`] after the case number, as a recount reads them.
type NumberedFactsRow = (String, String, Option<String>, Option<i64>, i64, i64, i64);
type NumberedSubRow = (
    String,
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

/// Cases read per query of a recount.
const RECOUNT_PAGE: i64 = 5_000;

impl Store {
    /// The counters of the region with code prefix `prefix`, summed over shards.
    pub async fn stats_counts(&self, prefix: &str) -> Result<RegionCounts> {
        let rows: Vec<(String, String, i64)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT dim, key, CAST(SUM(n) AS BIGINT) FROM stats_counts WHERE region = $1 \
             GROUP BY dim, key",
        ).bind(prefix).fetch_all(pool).await?);
        Ok(RegionCounts::from_rows(rows))
    }

    /// The regions with counters whose prefix is at most `max_len` digits (6: down to counties).
    pub async fn stats_regions(&self, max_len: i64) -> Result<Vec<String>> {
        Ok(on_pool!(self, pool => sqlx::query_scalar(
            "SELECT DISTINCT region FROM stats_counts WHERE length(region) <= $1 ORDER BY region",
        ).bind(max_len).fetch_all(pool).await?))
    }

    /// Counts every case written before the counters existed, once: run after migrating. A
    /// database already counted (the usual case) costs one settings read.
    pub async fn ensure_stats_counts(&self) -> Result<()> {
        if self.setting(COUNTED).await?.is_none() {
            self.recount_stats().await?;
        }
        Ok(())
    }

    /// Throws the counters away and counts every case again (`tongban stats rebuild`), in one
    /// transaction: readers see the old counters until it commits. On PostgreSQL the counters are
    /// locked against writers meanwhile, so a case written during the recount is counted once.
    /// Returns the number of cases counted.
    pub async fn recount_stats(&self) -> Result<u64> {
        let postgres = matches!(self.backend, crate::Backend::Postgres(_));
        let counted = in_tx!(self, tx => {
            if postgres {
                sqlx::query("LOCK TABLE stats_counts IN EXCLUSIVE MODE")
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("DELETE FROM stats_counts").execute(&mut *tx).await?;
            let mut all = counts::OwnedTally::new();
            let mut counted = 0u64;
            let mut after = String::new();
            loop {
                let cases: Vec<NumberedFactsRow> =
                    sqlx::query_as(&format!(
                        "SELECT c.number, {CASE_FACTS} FROM cases c WHERE c.number > $1 \
                         ORDER BY c.number LIMIT $2"
                    ))
                    .bind(&after)
                    .bind(RECOUNT_PAGE)
                    .fetch_all(&mut *tx)
                    .await?;
                let Some(last) = cases.last().map(|c| c.0.clone()) else {
                    break;
                };
                let subs: Vec<NumberedSubRow> =
                    sqlx::query_as(
                        "SELECT case_number, seq, item_code, handling_region, status, deadline, \
                         concluded_on FROM sub_cases WHERE case_number > $1 AND case_number <= $2 \
                         ORDER BY case_number, seq",
                    )
                    .bind(&after)
                    .bind(&last)
                    .fetch_all(&mut *tx)
                    .await?;
                let mut subs = subs.into_iter().peekable();
                let mut page = Vec::with_capacity(cases.len());
                for (number, channel, received, applicant, submitted_by, commitment, tolerance) in
                    cases
                {
                    let mut mine = Vec::new();
                    while let Some(s) = subs.next_if(|s| s.0 == number) {
                        mine.push((s.1, s.2, s.3, s.4, s.5, s.6));
                    }
                    page.push(facts_of(
                        (channel, received, applicant, submitted_by, commitment, tolerance),
                        mine,
                    ));
                }
                // A page's counters borrow from its facts; only the page's sum is copied out.
                let mut page_tally = Tally::new();
                for facts in &page {
                    counts::merge(&mut page_tally, counts::tally(facts));
                }
                counts::merge_owned(&mut all, &page_tally);
                counted += page.len() as u64;
                after = last;
            }
            let all = counts::as_tally(&all);
            add_to_counters!(tx, &all, 0);
            sqlx::query(
                "INSERT INTO settings (key, value) VALUES ($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(COUNTED)
            .bind(counted.to_string())
            .execute(&mut *tx)
            .await?;
            counted
        });
        Ok(counted)
    }

    /// The region's figures the slow way, by scanning its sub-cases: the reference the counters
    /// are checked against (`tongban stats verify`). Never on a request path.
    pub async fn stats_scan(&self, prefix: &str) -> Result<RegionCounts> {
        let pattern = format!("{prefix}%");
        let totals = format!(
            "SELECT COUNT(*), COUNT(DISTINCT c.number), \
             COUNT(CASE WHEN s.status IN ('concluded', 'delivered') THEN 1 END), \
             COUNT(CASE WHEN s.status IN ('concluded', 'delivered') \
                   AND (s.deadline IS NULL OR s.concluded_on <= s.deadline) THEN 1 END), \
             COUNT(CASE WHEN c.received_region IS NOT NULL \
                   AND substr(c.received_region, 1, 6) <> substr(s.handling_region, 1, 6) \
                   THEN 1 END), \
             COUNT(DISTINCT CASE WHEN c.channel = 'window' THEN c.number END) {IN_REGION}"
        );
        let (items, cases, concluded, on_time, cross_region, window_cases): (
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
        ) = on_pool!(self, pool => sqlx::query_as(&totals)
            .bind(&pattern).fetch_one(pool).await?);
        let digits = counts::child_digits(prefix.len());
        let keyed = |key: &str| {
            format!("SELECT {key} AS k, COUNT(*) AS n {IN_REGION} GROUP BY 1 ORDER BY n DESC, k")
        };
        let open_due: Vec<(String, i64)> = on_pool!(self, pool => sqlx::query_as(&format!(
            "SELECT s.deadline, COUNT(*) {IN_REGION} AND {OPEN_WITH_DEADLINE} GROUP BY s.deadline"
        )).bind(&pattern).fetch_all(pool).await?);
        let by_received: Vec<(Option<String>, i64)> = on_pool!(self, pool => sqlx::query_as(
            &keyed(&format!("substr(c.received_region, 1, {digits})")),
        ).bind(&pattern).fetch_all(pool).await?);
        let by_mode: Vec<(String, i64)> = on_pool!(self, pool => sqlx::query_as(&keyed(
            "CASE \
               WHEN c.applicant_user_id IS NOT NULL AND c.submitted_by <> c.applicant_user_id \
                 THEN 'agency' \
               WHEN EXISTS (SELECT 1 FROM case_materials m WHERE m.case_number = c.number \
                 AND m.provided = 'commitment') THEN 'commitment' \
               WHEN EXISTS (SELECT 1 FROM events e WHERE e.case_number = c.number \
                 AND e.kind = 'sub_case.accept_with_tolerance') THEN 'tolerance' \
               WHEN c.channel = 'online' THEN 'online' \
               ELSE 'window' END",
        )).bind(&pattern).fetch_all(pool).await?);
        let by_item: Vec<(String, i64)> = on_pool!(self, pool => sqlx::query_as(
            &keyed("s.item_code"),
        ).bind(&pattern).fetch_all(pool).await?);
        let mut scanned = RegionCounts {
            items,
            cases,
            concluded,
            on_time,
            cross_region,
            window_cases,
            open_due: open_due.into_iter().collect(),
            by_received,
            by_mode,
            by_item,
        };
        // The counters' order, whatever the database's collation and NULL placement.
        counts::sort_largest_first(&mut scanned.by_received);
        counts::sort_largest_first(&mut scanned.by_mode);
        counts::sort_largest_first(&mut scanned.by_item);
        Ok(scanned)
    }

    /// Open sub-cases whose deadline is in `[from, until)` (ISO dates), earliest first.
    pub async fn stats_due(
        &self,
        prefix: &str,
        from: &str,
        until: &str,
        limit: i64,
    ) -> Result<Vec<DueRow>> {
        let sql = format!(
            "SELECT s.case_number, s.seq, s.item_code, s.department_code, s.deadline {IN_REGION} \
             AND {OPEN_WITH_DEADLINE} AND s.deadline >= $2 AND s.deadline < $3 \
             ORDER BY s.deadline, s.case_number, s.seq LIMIT $4"
        );
        let pattern = format!("{prefix}%");
        Ok(on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(&pattern).bind(from).bind(until).bind(limit).fetch_all(pool).await?))
    }
}
