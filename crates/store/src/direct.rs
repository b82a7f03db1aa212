//! SQLite's case writes on a connection of their own, driven synchronously (rusqlite).
//!
//! sqlx runs each SQLite statement on the connection's own thread: every statement a hand-off
//! there and back, and the one write connection held across all of them. Profiles of the engine
//! benchmark put half of all CPU time on those threads, much of it waking and parking (futexes,
//! channels), not in SQLite. The case writes (a creation, an action: most of what the server
//! writes) therefore run here: the whole transaction — BEGIN IMMEDIATE, the statements, COMMIT —
//! on the caller's thread through rusqlite, with prepared statements kept across transactions.
//!
//! Actions arriving together share one transaction, each under its own savepoint
//! ([`in_queued_write_tx`]): one COMMIT and one fsync for all of them.
//!
//! This is a second write connection beside sqlx's, so the two are kept from meeting on SQLite's
//! file lock (whose busy handler sleeps): every sqlx write transaction (`in_tx!`) takes this
//! connection's lock first. Both commit with synchronous=NORMAL, and every commit is acknowledged
//! only after the group commit's fsync of the one WAL they share (see `durability`).
//!
//! The dashboard's counters (统计计数) a write moves are summed over its whole transaction and
//! written once before the COMMIT ([`DirectTx::count`]): the writes of one moment mostly move the
//! same rows (a city's and a county's totals), each an upsert inside the one writer all wait for.
//!
//! Statements are the same text as on the sqlx path: [`DirectBatch`] has the builder methods the
//! row macros (`push_change_rows!`, `bind_case!`, …) call, so each statement is written once.

use std::cell::RefCell;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rusqlite::OpenFlags;
use rusqlite::types::{ToSql, ToSqlOutput, Value};
use tokio::sync::{Mutex, MutexGuard};
use tongban_domain::stats::counts::{self, OwnedTally, Tally};

use crate::durability::Durability;
use crate::{Result, StoreError};

/// Prepared statements kept per connection: a case write uses a few dozen distinct texts
/// (multi-row inserts differ by their row count; counters go in chunks of up to
/// `stats::CASE_COUNTER_ROWS` rows).
const STATEMENT_CACHE: usize = 128;

/// The case writes' own SQLite write connection (see the module's documentation).
#[derive(Clone)]
pub struct DirectWriter {
    conn: Arc<Mutex<rusqlite::Connection>>,
    /// Writes waiting to run in the next shared transaction (see [`in_queued_write_tx`]).
    queue: Arc<std::sync::Mutex<Queue>>,
}

/// A queued write: runs under its own savepoint in whichever transaction takes it, and returns
/// what to tell its caller once that transaction committed or failed.
/// It adds the counters it moved to the transaction's (see [`DirectTx::count`]).
type QueuedWrite = Box<dyn FnOnce(&rusqlite::Connection, &mut OwnedTally) -> Deliver + Send>;
type Deliver = Box<dyn FnOnce(std::result::Result<(), String>) + Send>;

#[derive(Default)]
struct Queue {
    next_id: u64,
    writes: Vec<(u64, QueuedWrite)>,
}

impl std::fmt::Debug for DirectWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DirectWriter")
    }
}

impl DirectWriter {
    /// Opens the database at `path` (already created and in WAL mode) with the writer's settings;
    /// `synchronous` as sqlx's writer has it (`NORMAL` for a server, `OFF` for a bulk load).
    pub(crate) fn open(path: &Path, synchronous: &str) -> Result<DirectWriter> {
        let conn = rusqlite::Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(direct_error)?;
        // No busy handler: it would sleep on the caller's runtime thread, perhaps the one the
        // holder of the lock (another store on this file) needs to finish; `in_write_tx` waits
        // for the lock asynchronously instead.
        conn.busy_timeout(Duration::ZERO).map_err(direct_error)?;
        // temp_store = MEMORY: each queued write runs under a savepoint, and SQLite keeps the
        // original of every page it changes there in a sub-journal — by default a temporary file,
        // one pwrite per page (≈ 9 % of the engine's CPU). In memory it holds one write's pages
        // and is emptied at each RELEASE.
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = {synchronous}; \
             PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;"
        ))
        .map_err(direct_error)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(DirectWriter {
            conn: Arc::new(Mutex::new(conn)),
            queue: Arc::default(),
        })
    }

    /// Waits for this connection to be free and keeps it so: taken by every write transaction,
    /// on this connection or sqlx's.
    pub(crate) async fn exclusive(&self) -> MutexGuard<'_, rusqlite::Connection> {
        self.conn.lock().await
    }

    fn queue(&self) -> std::sync::MutexGuard<'_, Queue> {
        // A panic while holding this lock leaves a plain list behind; it stays usable.
        self.queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Read connections for the direct path's point reads (one case and its rows): a read there
/// runs synchronously on the caller's thread in one read transaction, instead of one hand-off to
/// a sqlx reader per query. Only short reads by key belong here: a scan would hold up the
/// caller's runtime thread.
#[derive(Clone)]
pub struct DirectReaders {
    conns: Arc<[std::sync::Mutex<rusqlite::Connection>]>,
}

impl std::fmt::Debug for DirectReaders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DirectReaders")
    }
}

/// Direct read connections: reads run on runtime threads (two on the reference machine) and hold
/// a connection only for microseconds, so a few are plenty.
const DIRECT_READERS: usize = 4;

impl DirectReaders {
    pub(crate) fn open(path: &Path) -> Result<DirectReaders> {
        let conns = (0..DIRECT_READERS)
            .map(|_| {
                let conn = rusqlite::Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                conn.busy_timeout(Duration::from_secs(10))?;
                // Never writes: the one writer is `DirectWriter` (and sqlx's, behind its lock).
                conn.execute_batch("PRAGMA query_only = ON;")?;
                conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
                Ok(std::sync::Mutex::new(conn))
            })
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(direct_error)?;
        Ok(DirectReaders {
            conns: conns.into(),
        })
    }

    /// Runs `body` in one read transaction (one snapshot) on a free connection.
    pub(crate) fn read<R>(
        &self,
        body: impl FnOnce(&rusqlite::Connection) -> Result<R>,
    ) -> Result<R> {
        let free = self.conns.iter().find_map(|c| c.try_lock().ok());
        let db = match free {
            Some(db) => db,
            // All busy: wait for the first (each is held only for one short read). A poisoned
            // lock only means a reader panicked mid-read; the connection itself is fine.
            None => self.conns[0]
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        };
        let tx = ReadTx::begin(&db)?;
        let out = body(tx.db)?;
        tx.commit()?;
        Ok(out)
    }
}

/// Runs a statement without parameters or rows (BEGIN, COMMIT, SAVEPOINT …) from the
/// connection's cache: `execute_batch` would parse it again each time (≈ 1.5 % of the engine's
/// CPU went to preparing reads' BEGIN and COMMIT).
fn run_cached(db: &rusqlite::Connection, sql: &str) -> Result<()> {
    exec_cached(db, sql).map_err(direct_error)
}

/// [`run_cached`] with SQLite's own error, for a caller that tells a busy database apart.
fn exec_cached(db: &rusqlite::Connection, sql: &str) -> rusqlite::Result<()> {
    db.prepare_cached(sql)
        .and_then(|mut s| s.execute([]))
        .map(drop)
}

/// A read transaction, rolled back when dropped uncommitted (a failed or panicking read), so
/// the connection is never left inside one.
struct ReadTx<'a> {
    db: &'a rusqlite::Connection,
}

impl<'a> ReadTx<'a> {
    fn begin(db: &'a rusqlite::Connection) -> Result<ReadTx<'a>> {
        run_cached(db, "BEGIN")?;
        Ok(ReadTx { db })
    }

    fn commit(self) -> Result<()> {
        run_cached(self.db, "COMMIT")
    }
}

impl Drop for ReadTx<'_> {
    fn drop(&mut self) {
        if !self.db.is_autocommit() {
            let _ = run_cached(self.db, "ROLLBACK");
        }
    }
}

/// How long a write waits for SQLite's write lock held by another connection (another process
/// or store on the same file), as sqlx's connections do (`busy_timeout`).
const LOCK_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs `body` in one write transaction on the direct connection, committed and made durable
/// before this returns; rolled back when `body` fails.
pub(crate) async fn in_write_tx<R>(
    direct: &DirectWriter,
    durability: &Durability,
    body: impl FnOnce(&DirectTx<'_>) -> Result<R>,
) -> Result<R> {
    let out = {
        let tx = begin_write(direct).await?;
        let held = Instant::now();
        let write = DirectTx::new(&tx);
        let out = body(&write).and_then(|out| {
            write_counters(&tx, &write.counters.into_inner())?;
            Ok(out)
        });
        let out = tx.finish(out);
        durability.record_held(held.elapsed());
        out
    }?;
    // Group commit: the COMMIT did not fsync (synchronous=NORMAL); this waits until one fsync of
    // the WAL that started after it has finished.
    durability.wait().await?;
    Ok(out)
}

/// Takes the direct connection and begins an IMMEDIATE transaction on it: the write lock is taken
/// at BEGIN or not at all, so a busy database fails the BEGIN, never a statement halfway through.
/// While another connection (another process or store on the file) holds SQLite's write lock, it
/// waits without holding this thread or the connection, for up to [`LOCK_TIMEOUT`].
async fn begin_write(direct: &DirectWriter) -> Result<WriteTx<'_>> {
    let give_up = Instant::now() + LOCK_TIMEOUT;
    let mut pause = Duration::from_micros(500);
    loop {
        let db = direct.exclusive().await;
        match exec_cached(&db, "BEGIN IMMEDIATE") {
            Ok(()) => return Ok(WriteTx { db }),
            Err(e) if is_busy(&e) && Instant::now() < give_up => {}
            Err(e) => return Err(direct_error(e)),
        }
        drop(db);
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

/// A write transaction open on the direct connection, rolled back when dropped uncommitted —
/// also when a write panics, so the connection is never left inside a transaction.
struct WriteTx<'a> {
    db: MutexGuard<'a, rusqlite::Connection>,
}

impl WriteTx<'_> {
    /// COMMIT when `out` succeeded; otherwise (and when the COMMIT fails) the drop rolls back.
    fn finish<R>(self, out: Result<R>) -> Result<R> {
        let out = out?;
        run_cached(&self.db, "COMMIT")?;
        Ok(out)
    }
}

impl std::ops::Deref for WriteTx<'_> {
    type Target = rusqlite::Connection;
    fn deref(&self) -> &rusqlite::Connection {
        &self.db
    }
}

impl Drop for WriteTx<'_> {
    fn drop(&mut self) {
        // Unless committed, or rolled back by SQLite itself (a full disk, an I/O error). A failed
        // ROLLBACK leaves it to the next BEGIN to fail loudly rather than write inside it.
        if !self.db.is_autocommit() {
            let _ = exec_cached(&self.db, "ROLLBACK");
        }
    }
}

/// Like [`in_write_tx`], but the write may share its transaction (and its COMMIT and fsync) with
/// others queued at the same moment. Each runs under its own savepoint, so each is still all or
/// nothing — one failing leaves the others' rows in — and sees the ones before it, as if they had
/// run one after another. The caller hears "ok" only after the shared transaction committed and
/// the group commit's fsync covered it.
///
/// Whoever gets the connection next runs every write queued by then; the others find their
/// write done. A caller that goes away before its write ran takes it out of the queue.
pub(crate) async fn in_queued_write_tx<R: Send + 'static>(
    direct: &DirectWriter,
    durability: &Durability,
    body: impl FnOnce(&DirectTx<'_>) -> Result<R> + Send + 'static,
) -> Result<R> {
    let (send, outcome) = tokio::sync::oneshot::channel::<Result<R>>();
    let write: QueuedWrite = Box::new(move |db, counted| {
        let out = in_savepoint(db, |db| {
            let write = DirectTx::new(db);
            let out = body(&write)?;
            Ok((out, write.counters.into_inner()))
        })
        // Released: its counters join the transaction's (a failed write's went with it).
        .map(|(out, own)| {
            counts::merge_owned_tallies(counted, own);
            out
        });
        Box::new(move |committed| {
            let _ = send.send(match committed {
                Ok(()) => out,
                Err(e) => Err(StoreError::WriteFailed(e)),
            });
        })
    });
    let id = {
        let mut q = direct.queue();
        q.next_id += 1;
        let id = q.next_id;
        q.writes.push((id, write));
        id
    };
    let unqueue = Unqueue { direct, id };
    let mut outcome = outcome;
    // Lead (run the queue) unless another caller's transaction runs this write first: then there
    // is no need to take the connection just to find the queue empty.
    let out = tokio::select! {
        biased;
        out = &mut outcome => out,
        led = run_queue(direct, durability) => {
            led?;
            outcome.await
        }
    };
    drop(unqueue);
    let out = out.map_err(|_| {
        StoreError::WriteFailed("the transaction stopped before this write ran".into())
    })??;
    // Group commit: the shared COMMIT did not fsync; this waits for an fsync started after it.
    durability.wait().await?;
    Ok(out)
}

/// Takes a queued write back out of the queue if its caller went away before it ran.
struct Unqueue<'a> {
    direct: &'a DirectWriter,
    id: u64,
}

impl Drop for Unqueue<'_> {
    fn drop(&mut self) {
        self.direct.queue().writes.retain(|(id, _)| *id != self.id);
    }
}

/// Runs every write queued so far in one transaction (an empty one when another caller already
/// ran them), then tells each its outcome.
async fn run_queue(direct: &DirectWriter, durability: &Durability) -> Result<()> {
    let tx = begin_write(direct).await?;
    let held = Instant::now();
    let writes = std::mem::take(&mut direct.queue().writes);
    let mut delivers: Vec<Deliver> = Vec::with_capacity(writes.len());
    let mut counted = OwnedTally::new();
    for (_, write) in writes {
        // An error that makes SQLite roll the whole transaction back (a full disk, an I/O error)
        // leaves no transaction to run the rest in: they are dropped unrun, and their callers hear
        // that the transaction stopped.
        if tx.is_autocommit() {
            break;
        }
        delivers.push(write(&tx, &mut counted));
    }
    // The counters go with the writes or not at all: when they fail, every write of the
    // transaction hears so and nothing of it is kept.
    let counters = if tx.is_autocommit() {
        Ok(())
    } else {
        write_counters(&tx, &counted)
    };
    let committed = tx.finish(counters).map_err(|e| e.to_string());
    durability.record_held(held.elapsed());
    for deliver in delivers {
        deliver(committed.clone());
    }
    committed.map_err(StoreError::WriteFailed)
}

/// A write transaction on the direct connection as a write sees it: the connection, and the
/// dashboard counters the write moves, written before the transaction's COMMIT.
pub(crate) struct DirectTx<'a> {
    db: &'a rusqlite::Connection,
    counters: RefCell<OwnedTally>,
}

impl<'a> DirectTx<'a> {
    fn new(db: &'a rusqlite::Connection) -> Self {
        DirectTx {
            db,
            counters: RefCell::default(),
        }
    }

    /// Adds `change` to the dashboard's counters (统计计数) as part of this write: written with
    /// the transaction if the write succeeds, dropped with it if it fails.
    pub(crate) fn count(&self, change: &Tally<'_>) {
        counts::merge_owned(&mut self.counters.borrow_mut(), change);
    }
}

impl std::ops::Deref for DirectTx<'_> {
    type Target = rusqlite::Connection;
    fn deref(&self) -> &rusqlite::Connection {
        self.db
    }
}

/// Upserts counter changes in the open transaction on `db`, skipping those that cancelled out.
fn write_counters(db: &rusqlite::Connection, counted: &OwnedTally) -> Result<()> {
    let tally = counts::as_tally(counted);
    let mut batch = DirectBatch::new();
    // SQLite keeps one counter shard (see `stats::shard_for`).
    crate::stats::push_counter_upserts!(batch, &tally, 0, crate::stats::CASE_COUNTER_ROWS);
    batch.run(db)
}

/// `body` under a savepoint of the open transaction on `db`: rolled back to it when it fails.
fn in_savepoint<R>(
    db: &rusqlite::Connection,
    body: impl FnOnce(&rusqlite::Connection) -> Result<R>,
) -> Result<R> {
    let run = |sql: &str| run_cached(db, sql);
    run("SAVEPOINT queued_write")?;
    match body(db).and_then(|out| run("RELEASE queued_write").map(|_| out)) {
        Ok(out) => Ok(out),
        Err(e) => {
            // Undo this write only; the transaction goes on with the others.
            run("ROLLBACK TO queued_write")?;
            run("RELEASE queued_write")?;
            Err(e)
        }
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.code == rusqlite::ErrorCode::DatabaseBusy || f.code == rusqlite::ErrorCode::DatabaseLocked)
}

/// A rusqlite error as the store's: a unique violation is a [`StoreError::Conflict`], as on the
/// sqlx path.
pub(crate) fn direct_error(e: rusqlite::Error) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(f, msg)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
        {
            StoreError::Conflict {
                constraint: msg
                    .as_deref()
                    .and_then(|m| m.strip_prefix("UNIQUE constraint failed: "))
                    .unwrap_or("key")
                    .to_string(),
            }
        }
        _ => StoreError::Direct(e),
    }
}

/// The statements of one write, run in order by [`DirectBatch::run`]; built with the same calls
/// as a [`crate::batch::Batch`].
#[derive(Default)]
pub(crate) struct DirectBatch {
    statements: Vec<DirectStatement>,
}

impl DirectBatch {
    pub(crate) fn new() -> Self {
        DirectBatch::default()
    }

    /// Starts the next statement with `sql`; its values are bound on the builder returned.
    pub(crate) fn statement(&mut self, sql: &str) -> &mut DirectStatement {
        self.statements.push(DirectStatement {
            sql: sql.to_string(),
            values: Vec::new(),
            unbindable: None,
        });
        let last = self.statements.len() - 1;
        &mut self.statements[last]
    }

    /// Runs every statement, in order, in the open transaction on `db`.
    pub(crate) fn run(self, db: &rusqlite::Connection) -> Result<()> {
        for s in self.statements {
            if let Some(e) = s.unbindable {
                return Err(StoreError::Direct(e));
            }
            let mut stmt = db.prepare_cached(&s.sql).map_err(direct_error)?;
            stmt.execute(rusqlite::params_from_iter(s.values))
                .map_err(direct_error)?;
        }
        Ok(())
    }
}

/// One statement of a [`DirectBatch`]: text with `?` placeholders and their values.
pub(crate) struct DirectStatement {
    sql: String,
    values: Vec<Value>,
    /// The first value that could not be converted for SQLite; `run` reports it instead of
    /// running the statement.
    unbindable: Option<rusqlite::Error>,
}

impl DirectStatement {
    pub(crate) fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    pub(crate) fn push_bind(&mut self, value: impl ToSql) -> &mut Self {
        self.sql.push('?');
        match owned(&value) {
            Ok(v) => self.values.push(v),
            Err(e) => {
                self.values.push(Value::Null);
                self.unbindable.get_or_insert(e);
            }
        }
        self
    }

    /// ` VALUES (…), (…)`: one parenthesised row per item, its values bound by `row`.
    pub(crate) fn push_values<I>(
        &mut self,
        rows: impl IntoIterator<Item = I>,
        mut row: impl FnMut(DirectRow<'_>, I),
    ) -> &mut Self {
        self.sql.push_str("VALUES ");
        for (i, item) in rows.into_iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            self.sql.push('(');
            row(
                DirectRow {
                    statement: self,
                    first: true,
                },
                item,
            );
            self.sql.push(')');
        }
        self
    }
}

/// The values of one row of [`DirectStatement::push_values`], comma-separated.
pub(crate) struct DirectRow<'a> {
    statement: &'a mut DirectStatement,
    first: bool,
}

impl DirectRow<'_> {
    pub(crate) fn push_bind(&mut self, value: impl ToSql) -> &mut Self {
        if !self.first {
            self.statement.sql.push_str(", ");
        }
        self.first = false;
        self.statement.push_bind(value);
        self
    }
}

/// A bound value, owned: the batch outlives the rows it was built from in the row macros.
fn owned(value: &impl ToSql) -> rusqlite::Result<Value> {
    match value.to_sql()? {
        ToSqlOutput::Owned(v) => Ok(v),
        ToSqlOutput::Borrowed(v) => Ok(v.into()),
        // Zero-filled blobs and other outputs that are not plain values: nothing here binds them.
        _ => Err(rusqlite::Error::ToSqlConversionFailure(
            "a value that is not a plain SQLite value".into(),
        )),
    }
}

#[cfg(test)]
mod tests;
