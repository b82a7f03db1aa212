//! The row macros of a case's writes: which statements a new case and a change write, built on
//! a [`crate::batch::Batch`] (sqlx, both backends) or a [`crate::direct::DirectBatch`] (SQLite's
//! direct path), so that each statement is written once.

/// Pushes the inserts of `$events` onto `$batch` (one multi-row statement).
macro_rules! push_events {
    ($batch:ident, $events:expr) => {
        let events: &[tongban_domain::case::chain::EventRecord] = $events;
        if !events.is_empty() {
            $batch
                .statement($crate::cases::INSERT_EVENTS)
                .push_values(events, |mut b, e| $crate::cases::bind_event!(b, e));
        }
    };
}

/// Pushes the upserts of `$materials` onto `$batch`: one statement per row, since a change may
/// hand in the same material twice (the last wins), which one multi-row upsert refuses.
macro_rules! push_materials {
    ($batch:ident, $materials:expr) => {
        for m in $materials {
            $batch
                .statement($crate::cases::INSERT_MATERIALS)
                .push_values([m], |mut b, m| $crate::cases::bind_material!(b, m))
                .push(
                    " ON CONFLICT (case_number, material_code) DO UPDATE SET \
                     provided = excluded.provided, file_sha256 = excluded.file_sha256, \
                     file_name = excluded.file_name, updated_at = excluded.updated_at",
                );
        }
    };
}

/// Pushes the rows change `$ch` writes once its version check passed onto `$batch` (a
/// [`crate::batch::Batch`] or, on SQLite, a [`crate::direct::DirectBatch`]): the sub-cases, the
/// materials, the events and `$change`, what it does to the counters (in `$shard`).
macro_rules! push_change_rows {
    ($batch:ident, $ch:expr, $change:expr, $shard:expr) => {{
        let ch: &$crate::CaseChange = $ch;
        let shard: i64 = $shard;
        for s in &ch.sub_cases {
            $batch
                .statement("UPDATE sub_cases SET status = ")
                .push_bind(&s.status)
                .push(", state = ")
                .push_bind(&s.state)
                .push(", accepted_on = ")
                .push_bind(&s.accepted_on)
                .push(", deadline = ")
                .push_bind(&s.deadline)
                .push(", concluded_on = ")
                .push_bind(&s.concluded_on)
                .push(", pledge_due = ")
                .push_bind(&s.pledge_due)
                .push(" WHERE case_number = ")
                .push_bind(&s.case_number)
                .push(" AND seq = ")
                .push_bind(s.seq);
        }
        $crate::cases::push_materials!($batch, &ch.materials);
        $crate::cases::push_events!($batch, &ch.events);
        if let Some(change) = $change {
            $crate::stats::push_counter_upserts!(
                $batch,
                change,
                shard,
                $crate::stats::CASE_COUNTER_ROWS
            );
        }
    }};
}

/// The body of [`Store::apply_case_change`] inside an open transaction `$tx`: the version-checked
/// case update, the sub-case rows, the materials and the events; evaluates to whether it applied.
/// Shared with `crate::commitments`, which writes its own rows in the same transaction.
macro_rules! write_case_change {
    ($tx:ident, $ch:expr, $store:expr) => {{
        let ch: &$crate::CaseChange = $ch;
        let n = sqlx::query(
            "UPDATE cases SET version = version + 1, status = $3, closed_at = $4 \
             WHERE number = $1 AND version = $2",
        )
        .bind(&ch.number)
        .bind(ch.expected_version)
        .bind(&ch.status)
        .bind(ch.closed_at)
        .execute(&mut *$tx)
        .await?
        .rows_affected();
        if n == 1 {
            // The dashboard's counters move by what this change does to the case (统计计数).
            let before = match &ch.before {
                Some(facts) => Some(facts.clone()),
                None => $crate::stats::load_case_facts!($tx, &ch.number),
            };
            let commitment = $crate::stats::commitment_after(before.as_ref(), ch);
            let after_of = |commitment: bool| {
                before
                    .as_ref()
                    .map(|before| $crate::stats::facts_after(before, ch, commitment))
            };
            let shard = $crate::stats::shard_for(&$store.backend, &ch.number);
            let after = commitment.and_then(after_of);
            let change = before
                .as_ref()
                .zip(after.as_ref())
                .map(|(b, a)| tongban_domain::stats::counts::delta(Some(b), a));
            let mut batch = $crate::batch::Batch::new();
            $crate::cases::push_change_rows!(batch, ch, change.as_ref(), shard);
            $crate::batch::run_batch!($tx, batch);
            if commitment.is_none() {
                let after = after_of($crate::stats::has_commitment!($tx, &ch.number));
                if let Some((b, a)) = before.as_ref().zip(after.as_ref()) {
                    let change = tongban_domain::stats::counts::delta(Some(b), a);
                    $crate::stats::add_to_counters!($tx, &change, shard);
                }
            }
        }
        n == 1
    }};
}
pub(crate) use {push_change_rows, push_events, push_materials, write_case_change};

/// Builds `$batch` from `$empty` (a [`crate::batch::Batch`] or a
/// [`crate::direct::DirectBatch`]) with the rows of new case `$new`, its counters in `$shard`,
/// then evaluates `$run` (the batch borrows what is computed here, so it runs in here too).
/// With `tally $counted => $run` instead of `$shard => $run`, the counters are left out of the
/// batch and `$run` gets them as `$counted` (SQLite's direct path writes them per transaction).
macro_rules! with_new_case_rows {
    ($batch:ident = $empty:expr, $new:expr, tally $counted:ident => $run:expr) => {{
        let new: &$crate::NewCase = $new;
        let facts = $crate::stats::new_case_facts(new);
        let $counted = tongban_domain::stats::counts::tally(&facts);
        $crate::cases::with_new_case_rows!(@rows $batch = $empty, new);
        $run
    }};
    ($batch:ident = $empty:expr, $new:expr, $shard:expr => $run:expr) => {
        $crate::cases::with_new_case_rows!($batch = $empty, $new, tally counted => {
            $crate::stats::push_counter_upserts!(
                $batch,
                &counted,
                $shard,
                $crate::stats::CASE_COUNTER_ROWS
            );
            $run
        })
    };
    (@rows $batch:ident = $empty:expr, $new:expr) => {
        let new: &$crate::NewCase = $new;
        let c = &new.case;
        let terms = $crate::cases::search_terms(&c.applicant_name, &c.title);
        let mut $batch = $empty;
        $batch
            .statement($crate::cases::INSERT_CASES)
            .push_values([c], |mut b, c| $crate::cases::bind_case!(b, c));
        if !terms.is_empty() {
            $batch
                .statement($crate::cases::INSERT_TERMS)
                .push_values(&terms, |mut b, term| {
                    b.push_bind(term)
                        .push_bind(c.created_at)
                        .push_bind(&c.number);
                });
        }
        if !new.sub_cases.is_empty() {
            $batch
                .statement($crate::cases::INSERT_SUB_CASES)
                .push_values(&new.sub_cases, |mut b, s| {
                    $crate::cases::bind_sub_case!(b, s)
                });
        }
        $crate::cases::push_materials!($batch, &new.materials);
        $crate::cases::push_events!($batch, &new.events);
    };
}
pub(crate) use with_new_case_rows;

/// The inserts of a new case inside an open transaction `$tx`.
macro_rules! insert_case {
    ($tx:ident, $new:expr, $store:expr) => {{
        let new: &$crate::NewCase = $new;
        $crate::cases::with_new_case_rows!(
            batch = $crate::batch::Batch::new(),
            new,
            $crate::stats::shard_for(&$store.backend, &new.case.number)
            => $crate::batch::run_batch!($tx, batch)
        );
    }};
}
pub(super) use insert_case;
