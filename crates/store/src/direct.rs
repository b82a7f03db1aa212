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
//! Statements are the same text as on the sqlx path: [`DirectBatch`] has the builder methods the
//! row macros (`push_change_rows!`, `bind_case!`, …) call, so each statement is written once.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rusqlite::OpenFlags;
use rusqlite::types::{ToSql, ToSqlOutput, Value};
use tokio::sync::{Mutex, MutexGuard};

use crate::durability::Durability;
use crate::{Result, StoreError};

/// Prepared statements kept per connection: a case write uses about ten distinct texts (multi-row
/// inserts differ by their row count).
const STATEMENT_CACHE: usize = 64;

/// The case writes' own SQLite write connection (see the module's documentation).
#[derive(Clone)]
pub struct DirectWriter {
    conn: Arc<Mutex<rusqlite::Connection>>,
    /// Writes waiting to run in the next shared transaction (see [`in_queued_write_tx`]).
    queue: Arc<std::sync::Mutex<Queue>>,
}

/// A queued write: runs under its own savepoint in whichever transaction takes it, and returns
/// what to tell its caller once that transaction committed or failed.
type QueuedWrite = Box<dyn FnOnce(&rusqlite::Connection) -> Deliver + Send>;
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
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = {synchronous}; \
             PRAGMA foreign_keys = ON;"
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
        let mut db = match free {
            Some(db) => db,
            // All busy: wait for the first (each is held only for one short read). A poisoned
            // lock only means a reader panicked mid-read; the connection itself is fine.
            None => self.conns[0]
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        };
        let tx = db.transaction().map_err(direct_error)?;
        let out = body(&tx)?;
        tx.commit().map_err(direct_error)?;
        Ok(out)
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
    body: impl FnOnce(&rusqlite::Connection) -> Result<R>,
) -> Result<R> {
    let out = {
        let tx = begin_write(direct).await?;
        let held = Instant::now();
        let out = body(&tx);
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
        match db.execute_batch("BEGIN IMMEDIATE") {
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
        self.db.execute_batch("COMMIT").map_err(direct_error)?;
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
            let _ = self.db.execute_batch("ROLLBACK");
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
    body: impl FnOnce(&rusqlite::Connection) -> Result<R> + Send + 'static,
) -> Result<R> {
    let (send, outcome) = tokio::sync::oneshot::channel::<Result<R>>();
    let write: QueuedWrite = Box::new(move |db| {
        let out = in_savepoint(db, body);
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
    for (_, write) in writes {
        // An error that makes SQLite roll the whole transaction back (a full disk, an I/O error)
        // leaves no transaction to run the rest in: they are dropped unrun, and their callers hear
        // that the transaction stopped.
        if tx.is_autocommit() {
            break;
        }
        delivers.push(write(&tx));
    }
    let committed = tx.finish(Ok(())).map_err(|e| e.to_string());
    durability.record_held(held.elapsed());
    for deliver in delivers {
        deliver(committed.clone());
    }
    committed.map_err(StoreError::WriteFailed)
}

/// `body` under a savepoint of the open transaction on `db`: rolled back to it when it fails.
fn in_savepoint<R>(
    db: &rusqlite::Connection,
    body: impl FnOnce(&rusqlite::Connection) -> Result<R>,
) -> Result<R> {
    let run = |sql: &str| {
        db.prepare_cached(sql)
            .and_then(|mut s| s.execute([]))
            .map_err(direct_error)
    };
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
        });
        let last = self.statements.len() - 1;
        &mut self.statements[last]
    }

    /// Runs every statement, in order, in the open transaction on `db`.
    pub(crate) fn run(self, db: &rusqlite::Connection) -> Result<()> {
        for s in self.statements {
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
}

impl DirectStatement {
    pub(crate) fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    pub(crate) fn push_bind(&mut self, value: impl ToSql) -> &mut Self {
        self.sql.push('?');
        self.values.push(owned(&value));
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
fn owned(value: &impl ToSql) -> Value {
    match value.to_sql() {
        Ok(ToSqlOutput::Owned(v)) => v,
        Ok(ToSqlOutput::Borrowed(v)) => v.into(),
        // Only types with an infallible conversion (text, integers, options of them) are bound;
        // anything else binds NULL and the statement's constraints refuse it.
        Ok(_) | Err(_) => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_direct_batch_builds_the_same_text_as_the_sqlx_batch() {
        let mut b = DirectBatch::new();
        b.statement("UPDATE t SET a = ")
            .push_bind(1_i64)
            .push(" WHERE k = ")
            .push_bind("x");
        b.statement("INSERT INTO u (x, y) ")
            .push_values([("a", Some(1_i64)), ("b", None)], |mut r, (x, y)| {
                r.push_bind(x).push_bind(y);
            })
            .push(" ON CONFLICT DO NOTHING");
        let sql: Vec<&str> = b.statements.iter().map(|s| s.sql.as_str()).collect();
        assert_eq!(
            sql,
            [
                "UPDATE t SET a = ? WHERE k = ?",
                "INSERT INTO u (x, y) VALUES (?, ?), (?, ?) ON CONFLICT DO NOTHING"
            ]
        );
        assert_eq!(
            b.statements[1].values,
            [
                Value::Text("a".into()),
                Value::Integer(1),
                Value::Text("b".into()),
                Value::Null
            ]
        );
    }

    #[tokio::test]
    async fn a_direct_write_commits_durably_and_a_failing_one_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::test_store_with_table(dir.path()).await;
        let crate::Backend::Sqlite {
            write,
            durability,
            direct,
            ..
        } = &store.backend
        else {
            panic!("not SQLite")
        };
        let (_, before) = durability.stats();
        let n = in_write_tx(direct, durability, |db| {
            let mut b = DirectBatch::new();
            b.statement("INSERT INTO t (k, n) ").push_values(
                [("a", 1_i64), ("b", 2)],
                |mut r, (k, n)| {
                    r.push_bind(k).push_bind(n);
                },
            );
            b.statement("UPDATE t SET n = n + ")
                .push_bind(10_i64)
                .push(" WHERE k = ")
                .push_bind("b");
            b.run(db)?;
            db.query_row("SELECT SUM(n) FROM t", [], |r| r.get::<_, i64>(0))
                .map_err(direct_error)
        })
        .await
        .unwrap();
        assert_eq!(n, 13);
        let (_, after) = durability.stats();
        assert_eq!(
            after,
            before + 1,
            "the commit went through the group commit"
        );

        // A duplicate key fails the second statement: the first one is rolled back with it, and
        // the failure is the store's Conflict, as on the sqlx path.
        let failed = in_write_tx(direct, durability, |db| {
            let mut b = DirectBatch::new();
            b.statement("UPDATE t SET n = 0 WHERE k = ").push_bind("a");
            b.statement("INSERT INTO t (k, n) VALUES (")
                .push_bind("b")
                .push(", 0)");
            b.run(db)
        })
        .await;
        assert!(
            matches!(failed, Err(StoreError::Conflict { .. })),
            "{failed:?}"
        );
        let rows: Vec<(String, i64)> = sqlx::query_as("SELECT k, n FROM t ORDER BY k")
            .fetch_all(write)
            .await
            .unwrap();
        assert_eq!(rows, [("a".into(), 1), ("b".into(), 12)]);

        // sqlx's writer still writes (this connection's lock is free again).
        sqlx::query("INSERT INTO t (k, n) VALUES ('c', 3)")
            .execute(write)
            .await
            .unwrap();
        store.close().await;
    }

    /// Two stores on one file (two nodes in one test process, or a CLI command beside a server):
    /// a direct write must wait for the other's write lock without blocking the runtime thread
    /// that the other needs to commit — here the only one (a current-thread runtime).
    #[tokio::test(flavor = "current_thread")]
    async fn a_direct_write_waits_for_another_connections_lock_without_blocking_the_runtime() {
        let dir = tempfile::tempdir().unwrap();
        let a = crate::test_store_with_table(dir.path()).await;
        let url = crate::DatabaseUrl::Sqlite(dir.path().join("t.db"));
        let b = crate::Store::connect(&url).await.unwrap();
        let crate::Backend::Sqlite { write, .. } = &a.backend else {
            panic!("not SQLite")
        };
        let crate::Backend::Sqlite {
            direct, durability, ..
        } = &b.backend
        else {
            panic!("not SQLite")
        };
        // `a` holds the write lock until its task, on this same thread, commits.
        let mut tx = write.begin().await.unwrap();
        sqlx::query("INSERT INTO t (k) VALUES ('a')")
            .execute(&mut *tx)
            .await
            .unwrap();
        let holder = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            tx.commit().await.unwrap();
        });
        let started = Instant::now();
        in_write_tx(direct, durability, |db| {
            db.execute("INSERT INTO t (k) VALUES ('b')", [])
                .map_err(direct_error)
        })
        .await
        .unwrap();
        holder.await.unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "waited {:?}: the busy wait blocked the thread the lock holder needed",
            started.elapsed()
        );
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM t")
            .fetch_one(write)
            .await
            .unwrap();
        assert_eq!(n, 2);
    }

    /// Writes queued together share a transaction, yet each stays all or nothing: the one that
    /// fails (a duplicate key, after its first statement ran) leaves no row, the others all commit.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn queued_writes_commit_together_and_a_failing_one_takes_only_itself_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::test_store_with_table(dir.path()).await;
        let crate::Backend::Sqlite { write, .. } = &store.backend else {
            panic!("not SQLite")
        };
        sqlx::query("INSERT INTO t (k, n) VALUES ('taken', -1)")
            .execute(write)
            .await
            .unwrap();
        let writes = (0..40_i64).map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let crate::Backend::Sqlite {
                    direct, durability, ..
                } = &store.backend
                else {
                    panic!("not SQLite")
                };
                in_queued_write_tx(direct, durability, move |db| {
                    let mut b = DirectBatch::new();
                    b.statement("INSERT INTO t (k, n) VALUES (")
                        .push_bind(format!("k{i}"))
                        .push(", ")
                        .push_bind(i)
                        .push(")");
                    // Write 7 then tries a key already taken.
                    if i == 7 {
                        b.statement("INSERT INTO t (k, n) VALUES ('taken', 0)");
                    }
                    b.run(db)?;
                    Ok(i)
                })
                .await
            })
        });
        let mut failed = Vec::new();
        for (i, w) in writes.collect::<Vec<_>>().into_iter().enumerate() {
            match w.await.unwrap() {
                Ok(n) => assert_eq!(usize::try_from(n).unwrap(), i),
                Err(e) => failed.push((i, e)),
            }
        }
        assert_eq!(failed.len(), 1, "{failed:?}");
        assert!(
            matches!(failed[0], (7, StoreError::Conflict { .. })),
            "{failed:?}"
        );
        let keys: Vec<String> = sqlx::query_scalar("SELECT k FROM t ORDER BY n")
            .fetch_all(write)
            .await
            .unwrap();
        let expected: Vec<String> = std::iter::once("taken".to_string())
            .chain((0..40).filter(|i| *i != 7).map(|i| format!("k{i}")))
            .collect();
        assert_eq!(keys, expected);
        store.close().await;
    }

    /// A write that panics halfway leaves nothing behind and the connection usable: its
    /// transaction is rolled back as the panic unwinds.
    #[tokio::test]
    async fn a_panicking_write_is_rolled_back_and_the_next_write_works() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::test_store_with_table(dir.path()).await;
        let panicking = store.clone();
        let crashed = tokio::spawn(async move {
            let crate::Backend::Sqlite {
                direct, durability, ..
            } = &panicking.backend
            else {
                panic!("not SQLite")
            };
            in_write_tx(direct, durability, |db| {
                db.execute("INSERT INTO t (k, n) VALUES ('half', 1)", [])
                    .map_err(direct_error)?;
                panic!("a bug halfway through a write");
                #[allow(unreachable_code)]
                Ok(())
            })
            .await
        })
        .await;
        assert!(crashed.is_err(), "the write task panicked");
        let crate::Backend::Sqlite {
            write,
            direct,
            durability,
            ..
        } = &store.backend
        else {
            panic!("not SQLite")
        };
        in_write_tx(direct, durability, |db| {
            db.execute("INSERT INTO t (k, n) VALUES ('next', 2)", [])
                .map_err(direct_error)
        })
        .await
        .unwrap();
        let keys: Vec<String> = sqlx::query_scalar("SELECT k FROM t ORDER BY k")
            .fetch_all(write)
            .await
            .unwrap();
        assert_eq!(keys, ["next"]);
    }
}
