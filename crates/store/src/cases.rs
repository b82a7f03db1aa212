//! Cases (办件): the case row, one sub-case per item, the materials, and the hash-chained events.
//! A change to a case is one transaction that checks the case version (optimistic concurrency),
//! updates the projection rows and appends the events: all of it or none of it.

use tongban_domain::case::{EventRecord, Payload};
use tongban_domain::region::ServiceCenter;
use tongban_domain::stats::counts::CaseFacts;

use crate::{Result, Store, StoreError, in_tx, on_pool};

mod direct; // the same writes on SQLite's direct path
mod list; // listing and searching cases
mod recent; // recently read and written cases, checked by version
mod rows; // the insert heads and row bindings shared with the generator's copies
mod writes; // the row macros of a case's writes, shared by both paths
pub(crate) use list::search_terms;
pub use list::{CaseFilter, CaseScope};
pub(crate) use recent::RecentCases;
pub(crate) use rows::{
    INSERT_CASES, INSERT_EVENTS, INSERT_MATERIALS, INSERT_SUB_CASES, INSERT_TERMS, bind_case,
    bind_event, bind_material, bind_sub_case,
};
use writes::insert_case;
pub(crate) use writes::{
    push_change_rows, push_events, push_materials, with_new_case_rows, write_case_change,
};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CaseRow {
    pub number: String,
    pub item_code: Option<String>,
    pub bundle_code: Option<String>,
    pub bundle_version: Option<i64>,
    pub title: String,
    pub applicant_user_id: Option<i64>,
    pub applicant_name: String,
    pub applicant_id: String,
    pub channel: String,
    pub center_code: Option<String>,
    pub received_region: Option<String>,
    pub submitted_by: i64,
    pub form: String,
    pub status: String,
    pub version: i64,
    pub created_at: i64,
    pub created_on: String,
    pub closed_at: Option<i64>,
    pub idempotency_key: Option<String>,
    pub request_hash: Option<String>,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SubCaseRow {
    pub case_number: String,
    pub seq: i64,
    pub item_code: String,
    pub item_version: i64,
    pub department_code: String,
    pub handling_region: String,
    pub status: String,
    /// The domain's `SubCaseState` as JSON.
    pub state: String,
    pub accepted_on: Option<String>,
    pub deadline: Option<String>,
    pub concluded_on: Option<String>,
    /// 容缺办: the supplement deadline of a running pledge (ISO date), else NULL.
    pub pledge_due: Option<String>,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct MaterialRow {
    pub case_number: String,
    pub material_code: String,
    pub name: String,
    /// `file`, `paper`, `certificate`, `commitment` or `missing`.
    pub provided: String,
    pub file_sha256: Option<String>,
    pub file_name: Option<String>,
    pub updated_at: i64,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    case_number: String,
    seq: i64,
    kind: String,
    actor: String,
    role: String,
    acting_for: Option<String>,
    place: Option<String>,
    at: i64,
    reason: Option<String>,
    payload: String,
    prev_hash: String,
    hash: String,
}

impl TryFrom<EventRow> for EventRecord {
    type Error = StoreError;
    fn try_from(r: EventRow) -> Result<EventRecord> {
        Ok(EventRecord {
            case_number: r.case_number,
            seq: r.seq,
            kind: r.kind,
            actor: r.actor,
            role: r.role,
            acting_for: r.acting_for,
            place: r.place,
            at: r.at,
            reason: r.reason,
            payload: Payload::from_stored(r.payload)
                .map_err(|e| StoreError::Corrupt(format!("event payload: {e}")))?,
            prev_hash: r.prev_hash,
            hash: r.hash,
        })
    }
}

/// A new case with everything that is written with it.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub case: CaseRow,
    pub sub_cases: Vec<SubCaseRow>,
    pub materials: Vec<MaterialRow>,
    pub events: Vec<EventRecord>,
}

impl CaseRecord {
    /// What the dashboard's counters count of this case (统计计数), as `stats` reads it from the
    /// tables.
    pub fn facts(&self) -> CaseFacts {
        let mut facts = crate::stats::facts_of(
            (
                self.case.channel.clone(),
                self.case.received_region.clone(),
                self.case.applicant_user_id,
                self.case.submitted_by,
                i64::from(self.materials.iter().any(|m| m.provided == "commitment")),
                i64::from(
                    self.events
                        .iter()
                        .any(|e| tongban_domain::stats::counts::is_tolerance_event(&e.kind)),
                ),
            ),
            Vec::new(),
        );
        // In `seq` order, as both are read.
        facts.sub_cases = self
            .sub_cases
            .iter()
            .map(crate::stats::sub_case_facts)
            .collect();
        facts
    }

    /// This case as change `ch` leaves it once its version check passed: what the change's
    /// statements (`push_change_rows!`) do to the rows, done to this copy, so that it equals a
    /// read of the case afterwards.
    pub fn apply(&mut self, ch: &CaseChange) {
        self.case.version = ch.expected_version + 1;
        self.case.status.clone_from(&ch.status);
        self.case.closed_at = ch.closed_at;
        for s in &ch.sub_cases {
            if let Some(x) = self.sub_cases.iter_mut().find(|x| x.seq == s.seq) {
                x.status.clone_from(&s.status);
                x.state.clone_from(&s.state);
                x.accepted_on.clone_from(&s.accepted_on);
                x.deadline.clone_from(&s.deadline);
                x.concluded_on.clone_from(&s.concluded_on);
                x.pledge_due.clone_from(&s.pledge_due);
            }
        }
        // An upsert on (case, material): a later row of the same material wins; a read returns
        // them by code. Found by a scan, not a binary search: a case has a handful of materials,
        // and a database collation other than byte order must not make one appear twice.
        for m in &ch.materials {
            match self
                .materials
                .iter_mut()
                .find(|x| x.material_code == m.material_code)
            {
                Some(x) => {
                    x.provided.clone_from(&m.provided);
                    x.file_sha256.clone_from(&m.file_sha256);
                    x.file_name.clone_from(&m.file_name);
                    x.updated_at = m.updated_at;
                }
                None => {
                    let at = self
                        .materials
                        .partition_point(|x| x.material_code < m.material_code);
                    self.materials.insert(at, m.clone());
                }
            }
        }
        self.events.extend(ch.events.iter().cloned());
    }
}

impl NewCase {
    /// This case under `number`: every row takes it and the events are linked and sealed anew
    /// (a case is built before its number is drawn, which happens inside the write).
    pub fn numbered(mut self, number: String) -> NewCase {
        for s in &mut self.sub_cases {
            s.case_number.clone_from(&number);
        }
        for m in &mut self.materials {
            m.case_number.clone_from(&number);
        }
        let mut prev: Option<&EventRecord> = None;
        let mut events = Vec::with_capacity(self.events.len());
        for mut e in std::mem::take(&mut self.events) {
            e.case_number.clone_from(&number);
            (e.seq, e.prev_hash) = tongban_domain::case::chain::next_link(prev);
            events.push(tongban_domain::case::chain::seal(e));
            prev = events.last();
        }
        self.events = events;
        self.case.number = number;
        self
    }
}

/// A case with all its rows, read in one go (see [`Store::case_record`]).
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRecord {
    pub case: CaseRow,
    pub sub_cases: Vec<SubCaseRow>,
    pub materials: Vec<MaterialRow>,
    /// The timeline, oldest first.
    pub events: Vec<EventRecord>,
    /// Where it was received (收件地), read with the rest: every view of the case names it.
    pub center: Option<ServiceCenter>,
}

/// One change to an existing case, applied only if the case is still at `expected_version`.
#[derive(Debug, Clone)]
pub struct CaseChange {
    pub number: String,
    pub expected_version: i64,
    pub status: String,
    pub closed_at: Option<i64>,
    pub sub_cases: Vec<SubCaseRow>,
    pub materials: Vec<MaterialRow>,
    pub events: Vec<EventRecord>,
    /// The case's counting facts at `expected_version`, when the caller read the case at that
    /// version ([`CaseRecord::facts`]); the write then does not read them again. The version
    /// check makes them the stored ones: every write to a case's rows is a version-checked
    /// change (or the case's creation). `None`: the write reads them.
    pub before: Option<CaseFacts>,
}

const CASE_COLUMNS: &str = "c.number, c.item_code, c.bundle_code, c.bundle_version, c.title, \
    c.applicant_user_id, c.applicant_name, c.applicant_id, c.channel, c.center_code, \
    c.received_region, c.submitted_by, c.form, c.status, c.version, c.created_at, c.created_on, \
    c.closed_at, c.idempotency_key, c.request_hash";

const MATERIAL_COLUMNS: &str =
    "case_number, material_code, name, provided, file_sha256, file_name, updated_at";

const EVENT_COLUMNS: &str = "case_number, seq, kind, actor, role, acting_for, place, at, reason, \
    payload, prev_hash, hash";

const SUB_COLUMNS: &str = "case_number, seq, item_code, item_version, department_code, \
    handling_region, status, state, accepted_on, deadline, concluded_on, pledge_due";

impl Store {
    /// The next serial number of the day (gaps are possible when a creation fails; numbers are
    /// unique, not dense).
    pub async fn allocate_case_serial(&self, day: &str) -> Result<i64> {
        Ok(in_tx!(self, tx => sqlx::query_scalar(
            "INSERT INTO case_counters (day, n) VALUES ($1, 1) \
             ON CONFLICT (day) DO UPDATE SET n = case_counters.n + 1 RETURNING n",
        )
        .bind(day)
        .fetch_one(&mut *tx)
        .await?))
    }

    pub async fn put_file(
        &self,
        sha256: &str,
        size: i64,
        content_type: &str,
        now: i64,
    ) -> Result<()> {
        in_tx!(self, tx => {
            sqlx::query(
                "INSERT INTO files (sha256, size, content_type, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (sha256) DO NOTHING",
            )
            .bind(sha256)
            .bind(size)
            .bind(content_type)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// (size, content type) of a stored file.
    pub async fn file(&self, sha256: &str) -> Result<Option<(i64, String)>> {
        Ok(on_pool!(self, pool => sqlx::query_as(
            "SELECT size, content_type FROM files WHERE sha256 = $1",
        ).bind(sha256).fetch_optional(pool).await?))
    }

    /// Writes a new case, its sub-cases, materials and first events in one transaction. A repeated
    /// idempotency key of the same submitter fails with `Conflict`.
    pub async fn create_case(&self, new: &NewCase) -> Result<()> {
        match &self.backend {
            crate::Backend::Sqlite {
                direct, durability, ..
            } => {
                crate::direct::in_write_tx(direct, durability, |db| direct::insert_case(db, new))
                    .await?
            }
            crate::Backend::Postgres(_) => in_tx!(self, tx => insert_case!(tx, new, self)),
        }
        // Its first action reads it next.
        self.recent_cases.keep_new(new);
        Ok(())
    }

    /// Allocates the day's next serial number and writes the case `build` makes with it. On
    /// SQLite both happen in one transaction (one commit, one group-commit wait instead of two;
    /// a failed creation rolls the counter back, so the number is simply used by the next case),
    /// queued like an action's write: it shares its transaction with the writes that arrive with
    /// it, under a savepoint of its own. `build` runs while SQLite's one writer is held, so it
    /// should do no more than number a case built beforehand ([`NewCase::numbered`]).
    /// On PostgreSQL the counter keeps its own short transaction: holding the day's counter row
    /// locked until the case commits would make concurrent creations wait for each other's WAL
    /// flush. Returns the case written.
    pub async fn create_case_numbered(
        &self,
        day: &str,
        build: impl FnOnce(i64) -> NewCase + Send + 'static,
    ) -> Result<NewCase> {
        match &self.backend {
            // `create_case` keeps it.
            crate::Backend::Postgres(_) => {
                let serial = self.allocate_case_serial(day).await?;
                let new = build(serial);
                self.create_case(&new).await?;
                Ok(new)
            }
            crate::Backend::Sqlite {
                direct, durability, ..
            } => {
                // Creations share transactions with actions and each other (see `direct`).
                let day = day.to_string();
                let new = crate::direct::in_queued_write_tx(direct, durability, move |db| {
                    let serial: i64 = db
                        .prepare_cached(
                            "INSERT INTO case_counters (day, n) VALUES ($1, 1) \
                             ON CONFLICT (day) DO UPDATE SET n = case_counters.n + 1 RETURNING n",
                        )
                        .and_then(|mut s| s.query_row([&day], |r| r.get(0)))
                        .map_err(crate::direct::direct_error)?;
                    let new = build(serial);
                    direct::insert_case(db, &new)?;
                    Ok(new)
                })
                .await?;
                self.recent_cases.keep_new(&new);
                Ok(new)
            }
        }
    }
}

impl Store {
    /// Applies a change if the case is still at the expected version; `false` (and nothing
    /// written) when someone else changed it first.
    pub async fn apply_case_change(&self, ch: &CaseChange) -> Result<bool> {
        let applied = match &self.backend {
            crate::Backend::Sqlite {
                direct, durability, ..
            } => {
                // Actions share transactions when they arrive together (see `direct`); the
                // queued write owns its copy of the change.
                let ch = ch.clone();
                crate::direct::in_queued_write_tx(direct, durability, move |db| {
                    direct::write_case_change(db, &ch)
                })
                .await?
            }
            crate::Backend::Postgres(_) => in_tx!(self, tx => write_case_change!(tx, ch, self)),
        };
        if applied {
            self.recent_cases.advance(ch);
        }
        Ok(applied)
    }

    /// A case with its sub-cases, materials and events, or `None`. The case's version is read
    /// first: when this process holds the case at that version (`cases/recent.rs`) the rest comes
    /// from there and only the receiving center is read. On SQLite one read transaction (one
    /// snapshot) on the direct path; on PostgreSQL the case, then the other three at once —
    /// consistent as far as callers rely on it, since every change to those rows is
    /// version-checked against the case read first.
    pub async fn case_record(&self, number: &str) -> Result<Option<CaseRecord>> {
        match &self.backend {
            crate::Backend::Sqlite { direct_read, .. } => {
                direct_read.read(|db| direct::case_record_or_recent(db, number, &self.recent_cases))
            }
            crate::Backend::Postgres(_) => {
                let Some(case) = self.case(number).await? else {
                    return Ok(None);
                };
                let center = async {
                    match &case.center_code {
                        Some(code) => self.center(code).await,
                        None => Ok(None),
                    }
                };
                if let Some(kept) = self.recent_cases.get(number, case.version) {
                    return Ok(Some(CaseRecord {
                        center: center.await?,
                        ..kept
                    }));
                }
                let (sub_cases, materials, events, center) = tokio::try_join!(
                    self.sub_cases(number),
                    self.case_materials(number),
                    self.events(number),
                    center
                )?;
                let record = CaseRecord {
                    case,
                    sub_cases,
                    materials,
                    events,
                    center,
                };
                self.recent_cases.keep(&record);
                Ok(Some(record))
            }
        }
    }

    /// What the dashboard's counters count of a case, read from the tables as a write reads it
    /// (compare [`CaseRecord::facts`]); `None` when there is no such case.
    pub async fn case_facts(&self, number: &str) -> Result<Option<CaseFacts>> {
        match &self.backend {
            crate::Backend::Sqlite { direct_read, .. } => {
                direct_read.read(|db| direct::case_facts(db, number))
            }
            crate::Backend::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                Ok(crate::stats::load_case_facts!(tx, number))
            }
        }
    }

    pub async fn case(&self, number: &str) -> Result<Option<CaseRow>> {
        let sql = format!("SELECT {CASE_COLUMNS} FROM cases c WHERE c.number = $1");
        Ok(on_pool!(self, pool => sqlx::query_as(&sql).bind(number).fetch_optional(pool).await?))
    }

    pub async fn case_by_idempotency_key(
        &self,
        submitted_by: i64,
        key: &str,
    ) -> Result<Option<CaseRow>> {
        // `$1` before `$2` in the text: SQLite numbers `$`-parameters by first appearance, so the
        // same text binds by position on the direct path.
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM cases c WHERE c.submitted_by = $1 AND c.idempotency_key = $2"
        );
        match &self.backend {
            // Every creation with a key asks first: a point read on the direct path.
            crate::Backend::Sqlite { direct_read, .. } => {
                direct_read.read(|db| direct::case_by_idempotency_key(db, &sql, submitted_by, key))
            }
            crate::Backend::Postgres(pool) => Ok(sqlx::query_as(&sql)
                .bind(submitted_by)
                .bind(key)
                .fetch_optional(pool)
                .await?),
        }
    }

    pub async fn sub_cases(&self, number: &str) -> Result<Vec<SubCaseRow>> {
        let sql =
            format!("SELECT {SUB_COLUMNS} FROM sub_cases WHERE case_number = $1 ORDER BY seq");
        Ok(on_pool!(self, pool => sqlx::query_as(&sql).bind(number).fetch_all(pool).await?))
    }

    pub async fn case_materials(&self, number: &str) -> Result<Vec<MaterialRow>> {
        let sql = format!(
            "SELECT {MATERIAL_COLUMNS} FROM case_materials WHERE case_number = $1 \
             ORDER BY material_code"
        );
        Ok(on_pool!(self, pool => sqlx::query_as(&sql).bind(number).fetch_all(pool).await?))
    }

    pub async fn events(&self, number: &str) -> Result<Vec<EventRecord>> {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM events WHERE case_number = $1 ORDER BY seq");
        let rows: Vec<EventRow> =
            on_pool!(self, pool => sqlx::query_as(&sql).bind(number).fetch_all(pool).await?);
        rows.into_iter().map(EventRecord::try_from).collect()
    }

    /// The newest event of a case: what the next event chains onto.
    pub async fn last_event(&self, number: &str) -> Result<Option<EventRecord>> {
        let row: Option<EventRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT case_number, seq, kind, actor, role, acting_for, place, at, reason, payload, \
             prev_hash, hash FROM events WHERE case_number = $1 ORDER BY seq DESC LIMIT 1",
        ).bind(number).fetch_optional(pool).await?);
        row.map(EventRecord::try_from).transpose()
    }

    /// Every case number, in order (for `tongban audit verify`).
    pub async fn case_numbers(&self, after: &str, limit: i64) -> Result<Vec<String>> {
        Ok(on_pool!(self, pool => sqlx::query_scalar(
            "SELECT number FROM cases WHERE number > $1 ORDER BY number LIMIT $2",
        ).bind(after).bind(limit).fetch_all(pool).await?))
    }
}

#[cfg(test)]
mod tests;
