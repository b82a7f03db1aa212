//! Group commit for SQLite: many write transactions, one fsync.
//!
//! The write connection runs WAL with `synchronous=NORMAL`, so `COMMIT` appends the transaction's
//! frames to the `-wal` file without waiting for the disk. Before the caller hears "ok" it awaits
//! [`Durability::wait`]: a barrier that returns once an `fdatasync` of the `-wal` file has *started*
//! after the commit returned — and so covers its frames — and has finished. Whoever finds no flush
//! in progress starts one (on the blocking pool) for every commit counted so far; callers arriving
//! while it runs wait for the next one. One fsync thus serves every transaction that committed
//! meanwhile, and no caller is acknowledged before its commit is on disk.
//!
//! Why this keeps SQLite's guarantees (see <https://www.sqlite.org/wal.html> and
//! <https://www.sqlite.org/pragma.html#pragma_synchronous>): in WAL mode a transaction is committed
//! once its frames, the last one marked as a commit frame, are in the WAL with valid checksums;
//! recovery replays exactly those. With `synchronous=NORMAL` SQLite still syncs the WAL before each
//! checkpoint copies pages back, syncs the database after it, and syncs the WAL header when the WAL
//! restarts from its beginning after a checkpoint — so the only thing NORMAL gives up is the sync
//! at commit, which this barrier puts back (batched). After a restart the new frames live in the
//! same file, which the next flush syncs as a whole. When the WAL file is (re)created, its folder
//! is synced too, so the file's name survives a power cut as well.
//!
//! A bulk load (`tongban demo generate --bulk`) makes the whole load durable once, at its end
//! ([`Durability::deferred`]): its commits wait for no fsync on the way.
//!
//! A failed fsync is sticky: Linux may drop the dirty pages it could not write, so a later fsync
//! that "succeeds" proves nothing. Every later write then fails until the process restarts (and
//! SQLite recovers from what is really on disk), the same choice PostgreSQL makes.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Notify;

use crate::{Result, StoreError};

/// The durability barrier of one SQLite database (shared by clones of the store).
#[derive(Clone, Debug)]
pub struct Durability {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    wal: PathBuf,
    dir: PathBuf,
    state: Mutex<State>,
    flushed: Notify,
    /// Nanoseconds write transactions held the one write connection (from the return of BEGIN
    /// to the return of COMMIT): how busy the writer is, which the engine benchmark reports.
    held_ns: AtomicU64,
    /// A bulk load's: commits are made durable together at its end, not one by one.
    deferred: bool,
}

#[derive(Debug, Default)]
struct State {
    /// Commits that returned so far (their frames are in the WAL, maybe not on disk).
    committed: u64,
    /// Every commit up to this count is on disk.
    synced: u64,
    flushing: bool,
    failed: Option<String>,
    /// The inode of the WAL file last synced; a new one means its folder entry needs syncing.
    wal_inode: Option<u64>,
    /// How many fsyncs ran, for the benchmark's report.
    flushes: u64,
}

impl Durability {
    /// The barrier for the database file at `db`; its WAL is `db` + `-wal`.
    pub fn new(db: &Path) -> Durability {
        Durability::with(db, false)
    }

    /// For a bulk load, which acknowledges no user and makes the whole load durable at its end
    /// (a checkpoint with `synchronous=FULL`): [`Durability::wait`] returns at once. Each wait
    /// used to run an fdatasync of megabytes of log that the end's checkpoint syncs anyway, and
    /// the generator's next batch waited for it.
    pub fn deferred(db: &Path) -> Durability {
        Durability::with(db, true)
    }

    fn with(db: &Path, deferred: bool) -> Durability {
        let mut wal = db.as_os_str().to_owned();
        wal.push("-wal");
        let dir = match db.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        Durability {
            inner: Arc::new(Inner {
                wal: PathBuf::from(wal),
                dir,
                state: Mutex::new(State::default()),
                flushed: Notify::new(),
                held_ns: AtomicU64::new(0),
                deferred,
            }),
        }
    }

    /// Call right after a write transaction committed: returns once that commit is on disk
    /// (at once when [`Durability::deferred`]).
    pub async fn wait(&self) -> Result<()> {
        let mine = {
            let mut st = self.inner.lock();
            st.committed += 1;
            st.committed
        };
        if self.inner.deferred {
            return Ok(());
        }
        loop {
            let notified = self.inner.flushed.notified();
            let mut notified = std::pin::pin!(notified);
            {
                let mut st = self.inner.lock();
                if let Some(e) = &st.failed {
                    return Err(StoreError::Durability(e.clone()));
                }
                if st.synced >= mine {
                    return Ok(());
                }
                // Registered before the lock is released, so a flush ending now still wakes us.
                notified.as_mut().enable();
                if !st.flushing {
                    st.flushing = true;
                    let target = st.committed;
                    drop(st);
                    let inner = self.inner.clone();
                    // The flush finishes (and wakes everyone) even if this caller goes away.
                    tokio::task::spawn_blocking(move || inner.flush(target));
                }
            }
            notified.await;
        }
    }

    /// Counts a write transaction's time on the write connection (see [`Durability::held`]).
    pub fn record_held(&self, d: Duration) {
        let ns = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.inner.held_ns.fetch_add(ns, Ordering::Relaxed);
    }

    /// How long write transactions have held the write connection so far, in total.
    pub fn held(&self) -> Duration {
        Duration::from_nanos(self.inner.held_ns.load(Ordering::Relaxed))
    }

    /// How many fsyncs have run, and how many commits they covered.
    pub fn stats(&self) -> (u64, u64) {
        let st = self.inner.lock();
        (st.flushes, st.synced)
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding this lock leaves plain counters behind; they stay usable.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Syncs the WAL (covering every commit up to `target`), then wakes all waiters.
    fn flush(&self, target: u64) {
        let known = self.lock().wal_inode;
        let outcome = sync_wal(&self.wal, &self.dir, known);
        let mut st = self.lock();
        st.flushing = false;
        st.flushes += 1;
        match outcome {
            Ok(inode) => {
                st.wal_inode = inode.or(st.wal_inode);
                st.synced = st.synced.max(target);
            }
            Err(e) => {
                tracing::error!(wal = %self.wal.display(), error = %e, "fsync of the SQLite WAL failed; refusing further writes");
                st.failed = Some(format!("fsync of {} failed: {e}", self.wal.display()));
            }
        }
        drop(st);
        self.flushed.notify_waiters();
    }
}

/// fdatasync of the WAL file, plus its folder when the file is new to us. A missing WAL means
/// SQLite checkpointed everything into the (synced) database file and removed it: nothing to do.
fn sync_wal(wal: &Path, dir: &Path, known: Option<u64>) -> std::io::Result<Option<u64>> {
    use std::os::unix::fs::MetadataExt;
    let file = match std::fs::File::open(wal) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    file.sync_data()?;
    let inode = file.metadata()?.ino();
    if known != Some(inode) {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(Some(inode))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_waiter_is_covered_by_a_flush_that_started_after_it() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("t.db");
        std::fs::write(dir.path().join("t.db-wal"), b"frames").unwrap();
        let d = Durability::new(&db);
        let mut tasks = Vec::new();
        for _ in 0..200 {
            let d = d.clone();
            tasks.push(tokio::spawn(async move { d.wait().await }));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        let (flushes, synced) = d.stats();
        assert_eq!(synced, 200, "every commit is covered");
        assert!((1..=200).contains(&flushes), "{flushes} flushes");
    }

    #[tokio::test]
    async fn a_missing_wal_is_nothing_to_sync() {
        let dir = tempfile::tempdir().unwrap();
        let d = Durability::new(&dir.path().join("none.db"));
        d.wait().await.unwrap();
        assert_eq!(d.stats().1, 1);
    }

    #[tokio::test]
    async fn a_bulk_load_waits_for_no_fsync() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("t.db");
        std::fs::write(dir.path().join("t.db-wal"), b"frames").unwrap();
        let d = Durability::deferred(&db);
        for _ in 0..3 {
            d.wait().await.unwrap();
        }
        assert_eq!(d.stats(), (0, 0), "no fsync ran, none is claimed");
        let d = Durability::new(&db);
        d.wait().await.unwrap();
        assert_eq!(d.stats(), (1, 1));
    }

    #[tokio::test]
    async fn a_failed_fsync_is_sticky() {
        let dir = tempfile::tempdir().unwrap();
        // The WAL's folder is a file: opening the WAL fails with something other than NotFound.
        let blocker = dir.path().join("blocker");
        std::fs::write(&blocker, b"x").unwrap();
        let d = Durability::new(&blocker.join("t.db"));
        assert!(matches!(d.wait().await, Err(StoreError::Durability(_))));
        assert!(matches!(d.wait().await, Err(StoreError::Durability(_))));
    }
}
