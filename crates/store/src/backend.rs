//! The one place where SQLite and PostgreSQL differ: connecting, pragmas and migrations.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::direct::{DirectReaders, DirectWriter};
use crate::durability::Durability;
use crate::{Result, StoreError};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Where the data lives, parsed from `--database-url` (or the default SQLite file in the data dir).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    /// `sqlite:PATH`, `sqlite://PATH` or `postgres://…` / `postgresql://…`.
    pub fn parse(url: &str) -> Result<DatabaseUrl> {
        let bad = |reason: &str| StoreError::Url {
            url: redact(url),
            reason: reason.to_string(),
        };
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            PgConnectOptions::from_str(url).map_err(|e| bad(&e.to_string()))?;
            return Ok(DatabaseUrl::Postgres(url.to_string()));
        }
        if let Some(rest) = url.strip_prefix("sqlite:") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            let path = path.split('?').next().unwrap_or(path);
            if path.is_empty() {
                return Err(bad("the SQLite URL names no file"));
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        Err(bad("expected sqlite:PATH or postgres://…"))
    }

    /// The default: `tongban.db` in the data directory.
    pub fn default_in(data_dir: &std::path::Path) -> DatabaseUrl {
        DatabaseUrl::Sqlite(data_dir.join("tongban.db"))
    }

    /// For logs and messages: the URL without its password.
    pub fn display(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(p) => format!("sqlite:{}", p.display()),
            DatabaseUrl::Postgres(u) => redact(u),
        }
    }
}

fn redact(url: &str) -> String {
    // postgres://user:secret@host/db → postgres://user:***@host/db
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// The connection pools of the backend in use.
#[derive(Clone, Debug)]
pub enum Backend {
    /// SQLite allows one writer at a time; a one-connection write pool queues writers in-process
    /// instead of failing them with SQLITE_BUSY, and readers run in parallel thanks to WAL.
    /// The write connection commits without fsync (synchronous=NORMAL) and every write then awaits
    /// `durability`, which fsyncs the WAL once for all commits made meanwhile (group commit).
    Sqlite {
        read: SqlitePool,
        write: SqlitePool,
        durability: Durability,
        /// The case writes' own write connection (rusqlite, see `direct`); its lock is taken by
        /// every write transaction on `write` too.
        direct: DirectWriter,
        /// Point reads of one case in one snapshot, synchronously (see `direct`).
        direct_read: DirectReaders,
    },
    Postgres(PgPool),
}

/// How the SQLite writer runs. PostgreSQL ignores it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WriteMode {
    /// Every commit durable before it is acknowledged (group commit, see `durability`).
    #[default]
    Durable,
    /// The history generator's bulk load (`demo generate --bulk`), never a server: no fsync at
    /// commit (`synchronous=OFF`) and no group-commit fsync either ([`Durability::deferred`]):
    /// the generator makes the whole load durable once at the end.
    /// Measured and left out: a 1 GiB page cache made a 400 k-case load 25–35 % slower (more
    /// CPU in SQLite, not less), with or without rarer checkpoints.
    BulkLoad,
}

impl Backend {
    pub(crate) async fn connect(url: &DatabaseUrl, mode: WriteMode) -> Result<Backend> {
        match url {
            DatabaseUrl::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|source| StoreError::DataDir {
                        path: dir.display().to_string(),
                        source,
                    })?;
                }
                let opts = SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    // FULL: a commit survives a power cut before it returns (the readers; any
                    // write that does not go through the write pool stays durable by itself).
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10));
                // The writer: NORMAL, so COMMIT does not fsync; `in_tx!` then awaits the group
                // commit barrier, which does — a commit still survives a power cut before we
                // acknowledge it, but one fsync serves many commits.
                let write = SqlitePoolOptions::new().max_connections(1);
                // Statement journals in memory, as on the direct writer (see `DirectWriter::open`):
                // the generator's multi-row inserts otherwise copy pages out to a temporary file.
                let opts_w = opts.clone().pragma("temp_store", "memory");
                let write = match mode {
                    WriteMode::Durable => {
                        write
                            .connect_with(opts_w.clone().synchronous(SqliteSynchronous::Normal))
                            .await?
                    }
                    // Set at connect, not afterwards with a PRAGMA: the pool replaces its
                    // connection after `max_lifetime` (30 min by default), and a PRAGMA run on the
                    // old one would be silently lost mid-load. The one connection is kept anyway.
                    WriteMode::BulkLoad => {
                        write
                            .max_lifetime(None)
                            .idle_timeout(None)
                            .connect_with(opts_w.synchronous(SqliteSynchronous::Off))
                            .await?
                    }
                };
                let read = SqlitePoolOptions::new()
                    .max_connections(8)
                    .connect_with(opts.read_only(false))
                    .await?;
                let direct = DirectWriter::open(
                    path,
                    match mode {
                        WriteMode::Durable => "NORMAL",
                        WriteMode::BulkLoad => "OFF",
                    },
                )?;
                Ok(Backend::Sqlite {
                    read,
                    write,
                    durability: match mode {
                        WriteMode::Durable => Durability::new(path),
                        WriteMode::BulkLoad => Durability::deferred(path),
                    },
                    direct,
                    direct_read: DirectReaders::open(path)?,
                })
            }
            DatabaseUrl::Postgres(u) => {
                let opts = PgConnectOptions::from_str(u).map_err(|e| StoreError::Url {
                    url: redact(u),
                    reason: e.to_string(),
                })?;
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(opts)
                    .await?;
                Ok(Backend::Postgres(pool))
            }
        }
    }

    pub(crate) async fn migrate(&self) -> Result<()> {
        match self {
            Backend::Sqlite {
                write, durability, ..
            } => {
                SQLITE_MIGRATIONS.run(write).await?;
                durability.wait().await?;
            }
            // The sqlx migrator takes a PostgreSQL advisory lock for the whole run.
            Backend::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_urls() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/t.db?mode=rwc").unwrap(),
            DatabaseUrl::Sqlite("data/t.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:/abs/t.db").unwrap(),
            DatabaseUrl::Sqlite("/abs/t.db".into())
        );
        assert!(matches!(
            DatabaseUrl::parse("postgres://u:p@localhost:5432/db").unwrap(),
            DatabaseUrl::Postgres(_)
        ));
        assert!(DatabaseUrl::parse("mysql://x").is_err());
        assert!(DatabaseUrl::parse("sqlite:").is_err());
    }

    #[tokio::test]
    async fn sqlite_writes_wait_for_the_group_commit_fsync() {
        let dir = tempfile::tempdir().unwrap();
        let url = DatabaseUrl::Sqlite(dir.path().join("t.db"));
        let store = crate::Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let (_, before) = store.durability_stats().unwrap();
        store.put_setting("k", "v").await.unwrap();
        let (flushes, after) = store.durability_stats().unwrap();
        assert!(flushes >= 1, "no fsync ran");
        assert!(
            after > before,
            "the write returned before an fsync covered it"
        );
        // The writer commits without its own fsync; readers keep FULL.
        let crate::SqliteParts { write, read, .. } = store.sqlite_parts();
        let sync = |pool: &SqlitePool| {
            let pool = pool.clone();
            async move {
                sqlx::query_scalar::<_, i64>("PRAGMA synchronous")
                    .fetch_one(&pool)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(sync(write).await, 1, "NORMAL on the writer");
        assert_eq!(sync(read).await, 2, "FULL on the readers");
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(write)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(store.setting("k").await.unwrap().as_deref(), Some("v"));
        store.close().await;
    }

    /// One pragma of the one writer connection and of a reader.
    async fn pragmas(store: &crate::Store, name: &str) -> (i64, i64) {
        let crate::SqliteParts { write, read, .. } = store.sqlite_parts();
        let sql = format!("PRAGMA {name}");
        let w = sqlx::query_scalar::<_, i64>(&sql).fetch_one(write).await;
        let r = sqlx::query_scalar::<_, i64>(&sql).fetch_one(read).await;
        (w.unwrap(), r.unwrap())
    }

    #[tokio::test]
    async fn bulk_load_relaxes_only_the_writer_and_only_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let url = DatabaseUrl::Sqlite(dir.path().join("t.db"));
        let store = crate::Store::connect_with(&url, WriteMode::BulkLoad)
            .await
            .unwrap();
        store.migrate().await.unwrap();
        assert_eq!(pragmas(&store, "synchronous").await, (0, 2), "OFF / FULL");
        // Journals of the writer's statements in memory (2), the readers' as built (0).
        assert_eq!(pragmas(&store, "temp_store").await, (2, 0));
        store.put_setting("k", "v").await.unwrap();
        assert_eq!(
            store.durability_stats(),
            Some((0, 0)),
            "no fsync per commit"
        );
        // Set at connect, so a connection the pool opens later is relaxed too.
        let crate::SqliteParts { write, .. } = store.sqlite_parts();
        assert_eq!(write.options().get_max_lifetime(), None);
        assert_eq!(write.options().get_idle_timeout(), None);
        store.close().await;

        // The same file opened as a server opens it: nothing of the bulk load carries over.
        let store = crate::Store::connect(&url).await.unwrap();
        assert_eq!(
            pragmas(&store, "synchronous").await,
            (1, 2),
            "NORMAL / FULL"
        );
        assert_eq!(pragmas(&store, "temp_store").await, (2, 0));
        assert_eq!(store.setting("k").await.unwrap().as_deref(), Some("v"));
        let (flushes, synced) = store.durability_stats().unwrap();
        store.put_setting("k", "w").await.unwrap();
        let (flushes_after, synced_after) = store.durability_stats().unwrap();
        assert!(
            flushes_after > flushes && synced_after > synced,
            "the commit was fsynced"
        );
        store.close().await;
    }

    #[test]
    fn hides_passwords() {
        let u = DatabaseUrl::Postgres("postgres://app:s3cret@db:5432/tongban".into());
        assert_eq!(u.display(), "postgres://app:***@db:5432/tongban");
    }
}
