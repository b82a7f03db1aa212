//! Persistence for tongban: one data-access path over SQLite (the embedded default) and PostgreSQL.
//!
//! Every query is written once. Both backends accept `$1` placeholders and `ON CONFLICT … DO UPDATE`,
//! and the schema uses only types the two share (TEXT, BIGINT, BOOLEAN), so the same SQL text runs on
//! either; the [`on_pool!`] and [`in_tx!`] macros expand a query block once per backend so that sqlx's
//! types line up. What truly differs — connecting, pragmas, migrations, id generation — lives in
//! [`backend`], the one visible place for backend-specific code.

mod agency;
mod appointments;
pub mod backend;
mod batch; // several statements, one query (SQLite)
mod bulk; // the history generator's bulk writes
mod calendar;
mod cases;
mod catalog;
mod catalog_versions; // old bundle versions for the admin pages
mod cluster; // several nodes: job leases, generation counters
mod commitments; // 承诺办
pub mod direct; // SQLite's case writes on their own connection (rusqlite)
pub mod durability; // SQLite group commit
mod places;
mod sessions;
mod settings;
mod stats; // 统计: the dashboard's counters
mod tolerance; // 容缺办
mod users;

pub use agency::{AuthorizationRow, NewAuthorization};
pub use appointments::{AppointmentRow, BookingRules, SlotRef, TicketRow};
pub use backend::{Backend, DatabaseUrl, WriteMode};
pub use bulk::CaseCopy;
pub use cases::{
    CaseChange, CaseFilter, CaseRecord, CaseRow, CaseScope, MaterialRow, NewCase, SubCaseRow,
};
pub use catalog::{CatalogImportReport, StoredBundle, StoredItem, VersionInfo};
pub use commitments::{BrokenCommitmentRow, CommitmentWrites, VerificationRow, VerificationScope}; // 承诺办
pub use sessions::{NewSession, SessionUserRow};
pub use stats::DueRow;
pub use users::{NewUser, UserProfile, UserRow};

/// Errors from the store. Constraint violations are told apart so callers can turn them into field
/// errors; everything else is an internal error the caller logs.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("invalid database URL {url:?}: {reason}")]
    Url { url: String, reason: String },
    #[error("could not create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("a record with the same {constraint} already exists")]
    Conflict { constraint: String },
    #[error("a stored document could not be read: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("database error: {0}")]
    Direct(rusqlite::Error),
    #[error("the write transaction failed: {0}")]
    WriteFailed(String),
    #[error("the database could not be made durable: {0}")]
    Durability(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e
            && db.is_unique_violation()
        {
            return StoreError::Conflict {
                constraint: db.constraint().unwrap_or("key").to_string(),
            };
        }
        StoreError::Database(e)
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Runs `$body` with `$pool` bound to the reading pool of whichever backend is in use.
#[macro_export]
#[doc(hidden)]
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.backend {
            $crate::Backend::Sqlite { read: $pool, .. } => $body,
            $crate::Backend::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` inside one write transaction (`$tx`), committing when it finishes; an early return
/// through `?` drops the transaction, which rolls it back: nothing is half-applied.
#[macro_export]
#[doc(hidden)]
macro_rules! in_tx {
    ($store:expr, $tx:ident => $body:expr) => {
        $crate::in_tx!($store, _unprepared = (), $tx => $body)
    };
    // `$prep` runs first, outside the transaction, with its value bound to `$prepared` for the
    // body: work that needs no database (binding a bulk load's values, say) then does not hold
    // SQLite's one writer.
    ($store:expr, $prepared:ident = $prep:expr, $tx:ident => $body:expr) => {
        match &$store.backend {
            $crate::Backend::Sqlite {
                write,
                durability,
                direct,
                ..
            } => {
                #[allow(unused_mut)]
                let mut $prepared = $prep;
                // The case writes' own connection is kept idle meanwhile (see `direct`).
                let writer = direct.exclusive().await;
                let mut $tx = write.begin().await?;
                let held = std::time::Instant::now();
                let out = $body;
                $tx.commit().await?;
                drop(writer);
                durability.record_held(held.elapsed());
                // Group commit: the COMMIT did not fsync (synchronous=NORMAL); this waits until
                // one fsync of the WAL that started after it has finished. See `durability`.
                durability.wait().await?;
                out
            }
            $crate::Backend::Postgres(pool) => {
                #[allow(unused_mut)]
                let mut $prepared = $prep;
                let mut $tx = pool.begin().await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
        }
    };
}

/// The store: a handle to the database, cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) backend: Backend,
    /// Parsed item versions, keyed by (code, version): a stored version is never changed (an
    /// import only ever inserts the next one), so once read it can be kept. See `catalog.rs`.
    pub(crate) item_cache: std::sync::Arc<catalog::ItemCache>,
    /// Cases as last read or written here, used while the stored version is theirs. See
    /// `cases/recent.rs`.
    pub(crate) recent_cases: std::sync::Arc<cases::RecentCases>,
}

impl Store {
    /// Connects (creating the SQLite file and its folder when needed). Does not migrate.
    pub async fn connect(url: &DatabaseUrl) -> Result<Store> {
        Store::connect_with(url, WriteMode::Durable).await
    }

    /// Connects with the SQLite writer in `mode` ([`WriteMode::BulkLoad`] only for the history
    /// generator, which makes the load durable itself at the end).
    pub async fn connect_with(url: &DatabaseUrl, mode: WriteMode) -> Result<Store> {
        Ok(Store {
            backend: Backend::connect(url, mode).await?,
            item_cache: Default::default(),
            recent_cases: Default::default(),
        })
    }

    /// Applies the embedded migrations of this backend. On PostgreSQL the migrator holds an advisory
    /// lock, so several nodes may run it at once.
    pub async fn migrate(&self) -> Result<()> {
        self.backend.migrate().await?;
        // Migration 0011 added the dashboard's counters: cases from before it are counted once.
        self.ensure_stats_counts().await
    }

    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite { .. } => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// SQLite's group commit so far: (fsyncs, commits they covered); `None` on PostgreSQL.
    pub fn durability_stats(&self) -> Option<(u64, u64)> {
        match &self.backend {
            Backend::Sqlite { durability, .. } => Some(durability.stats()),
            Backend::Postgres(_) => None,
        }
    }

    /// How long SQLite's one write connection has been held by write transactions in total;
    /// `None` on PostgreSQL. Against wall time, how busy the writer is.
    pub fn writer_held(&self) -> Option<std::time::Duration> {
        match &self.backend {
            Backend::Sqlite { durability, .. } => Some(durability.held()),
            Backend::Postgres(_) => None,
        }
    }

    /// A cheap round trip, for `/readyz`.
    pub async fn ping(&self) -> Result<()> {
        on_pool!(self, pool => { sqlx::query("SELECT 1").execute(pool).await?; });
        Ok(())
    }

    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite { read, write, .. } => {
                write.close().await;
                read.close().await;
            }
            Backend::Postgres(p) => p.close().await,
        }
    }
}

/// Milliseconds since the epoch, the store's representation of an instant.
pub fn millis(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp_millis()
}

/// SHA-256 of a canonical document, hex; used to tell a changed catalog entry from an unchanged one.
pub fn fingerprint(canonical: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(canonical.as_bytes()))
}

impl Store {
    /// Runs one statement outside any transaction (e.g. `CREATE DATABASE` for test databases).
    /// Not for application data: that goes through the typed methods.
    pub async fn execute_raw(&self, sql: &str) -> Result<()> {
        use sqlx::Executor;
        match &self.backend {
            Backend::Sqlite {
                write, durability, ..
            } => {
                write.execute(sql).await?;
                durability.wait().await?;
            }
            Backend::Postgres(pool) => {
                pool.execute(sql).await?;
            }
        }
        Ok(())
    }
}

/// A SQLite store's connections, for the store's own tests of what lies under its API.
#[cfg(test)]
pub(crate) struct SqliteParts<'a> {
    pub read: &'a sqlx::SqlitePool,
    pub write: &'a sqlx::SqlitePool,
    pub durability: &'a durability::Durability,
    pub direct: &'a direct::DirectWriter,
    pub direct_read: &'a direct::DirectReaders,
}

#[cfg(test)]
impl Store {
    /// This store's SQLite parts; panics on PostgreSQL.
    pub(crate) fn sqlite_parts(&self) -> SqliteParts<'_> {
        let Backend::Sqlite {
            read,
            write,
            durability,
            direct,
            direct_read,
        } = &self.backend
        else {
            panic!("not SQLite")
        };
        SqliteParts {
            read,
            write,
            durability,
            direct,
            direct_read,
        }
    }
}

/// For the store's own tests: a SQLite store in `dir` (file `t.db`) with one table
/// `t (k TEXT PRIMARY KEY, n BIGINT)`.
#[cfg(test)]
pub(crate) async fn test_store_with_table(dir: &std::path::Path) -> Store {
    let store = Store::connect(&DatabaseUrl::Sqlite(dir.join("t.db")))
        .await
        .unwrap();
    sqlx::query("CREATE TABLE t (k TEXT PRIMARY KEY, n BIGINT)")
        .execute(store.sqlite_parts().write)
        .await
        .unwrap();
    store
}

/// SHA-256 of raw bytes, hex (content addresses of uploaded files).
pub fn fingerprint_bytes(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}
