use super::*;
use tongban_domain::stats::counts::CountKey;

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

/// A value SQLite cannot hold is reported by `run`, not bound as NULL into a nullable column.
#[test]
fn a_value_that_does_not_convert_fails_the_batch_instead_of_binding_null() {
    let db = rusqlite::Connection::open_in_memory().unwrap();
    db.execute("CREATE TABLE t (k TEXT, n INTEGER)", [])
        .unwrap();
    let mut b = DirectBatch::new();
    b.statement("INSERT INTO t (k, n) ")
        .push_values([("big", u64::MAX)], |mut r, (k, n)| {
            r.push_bind(k).push_bind(n);
        });
    let failed = b.run(&db);
    assert!(
        matches!(
            failed,
            Err(StoreError::Direct(rusqlite::Error::ToSqlConversionFailure(
                _
            )))
        ),
        "{failed:?}"
    );
    let rows: i64 = db
        .query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 0, "nothing was written");
}

#[tokio::test]
async fn a_direct_write_commits_durably_and_a_failing_one_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = crate::test_store_with_table(dir.path()).await;
    let crate::SqliteParts {
        write,
        durability,
        direct,
        ..
    } = store.sqlite_parts();
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

/// Savepoints' sub-journals stay in memory (see `DirectWriter::open`): on a file, each page a
/// queued write changes was first copied out with a pwrite of its own.
#[tokio::test]
async fn the_writer_keeps_savepoint_journals_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let store = crate::test_store_with_table(dir.path()).await;
    let crate::SqliteParts {
        direct, durability, ..
    } = store.sqlite_parts();
    let temp_store = in_queued_write_tx(direct, durability, |db| {
        db.query_row("PRAGMA temp_store", [], |r| r.get::<_, i64>(0))
            .map_err(direct_error)
    })
    .await
    .unwrap();
    assert_eq!(temp_store, 2, "2 = MEMORY");
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
    let crate::SqliteParts { write, .. } = a.sqlite_parts();
    let crate::SqliteParts {
        direct, durability, ..
    } = b.sqlite_parts();
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

/// Queues writes 0 to 39 at once, each from a task of its own (so that they share transactions),
/// and returns their outcomes in that order.
async fn forty_queued_writes<R: Send + 'static>(
    store: &crate::Store,
    body: impl Fn(i64, &DirectTx<'_>) -> Result<R> + Send + Sync + Clone + 'static,
) -> Vec<Result<R>> {
    let writes: Vec<_> = (0..40_i64)
        .map(|i| {
            let store = store.clone();
            let body = body.clone();
            tokio::spawn(async move {
                let crate::SqliteParts {
                    direct, durability, ..
                } = store.sqlite_parts();
                in_queued_write_tx(direct, durability, move |db| body(i, db)).await
            })
        })
        .collect();
    let mut outcomes = Vec::with_capacity(writes.len());
    for w in writes {
        outcomes.push(w.await.unwrap());
    }
    outcomes
}

/// Writes queued together share a transaction, yet each stays all or nothing: the one that
/// fails (a duplicate key, after its first statement ran) leaves no row, the others all commit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_writes_commit_together_and_a_failing_one_takes_only_itself_back() {
    let dir = tempfile::tempdir().unwrap();
    let store = crate::test_store_with_table(dir.path()).await;
    let crate::SqliteParts { write, .. } = store.sqlite_parts();
    sqlx::query("INSERT INTO t (k, n) VALUES ('taken', -1)")
        .execute(write)
        .await
        .unwrap();
    let outcomes = forty_queued_writes(&store, |i, db| {
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
    .await;
    let mut failed = Vec::new();
    for (i, w) in outcomes.into_iter().enumerate() {
        match w {
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

/// Counters moved by writes that share a transaction are summed and written with it, and a write
/// that fails takes its own counts back with its rows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_writes_sum_their_counters_and_a_failing_one_takes_its_counts_back() {
    use tongban_domain::stats::counts::Dim;
    let dir = tempfile::tempdir().unwrap();
    let store = crate::test_store_with_table(dir.path()).await;
    let crate::SqliteParts {
        write,
        direct,
        durability,
        ..
    } = store.sqlite_parts();
    // Counters of region 4304: `dim` under `key`, moved by `n`.
    fn by<'a>(dim: Dim, key: &'a str, n: i64) -> (CountKey<'a>, i64) {
        let region = "4304";
        (CountKey { region, dim, key }, n)
    }
    // Counters that cannot be written fail the write that moved them, rows and all.
    let failed = in_queued_write_tx(direct, durability, move |db| {
        db.execute("INSERT INTO t (k, n) VALUES ('lost', 1)", [])
            .map_err(direct_error)?;
        db.count(&[by(Dim::Items, "", 1)].into_iter().collect());
        Ok(())
    })
    .await;
    assert!(failed.is_err(), "{failed:?}");
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM t")
        .fetch_one(write)
        .await
        .unwrap();
    assert_eq!(n, 0);
    sqlx::query(
        "CREATE TABLE stats_counts (region TEXT NOT NULL, dim TEXT NOT NULL, key TEXT NOT NULL, \
         shard BIGINT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (region, dim, key, shard)) \
         WITHOUT ROWID",
    )
    .execute(write)
    .await
    .unwrap();
    let outcomes = forty_queued_writes(&store, |i, db| {
        let item = format!("i{i}");
        let change: Tally<'_> = [by(Dim::Items, "", 1), by(Dim::Item, &item, 1)]
            .into_iter()
            .collect();
        db.count(&change);
        // Write 7 fails after counting.
        if i == 7 {
            db.execute("INSERT INTO no_such_table VALUES (1)", [])
                .map_err(direct_error)?;
        }
        Ok(())
    })
    .await;
    let failed: Vec<usize> = outcomes
        .iter()
        .enumerate()
        .filter(|(_, w)| w.is_err())
        .map(|(i, _)| i)
        .collect();
    assert_eq!(failed, [7]);
    let items: i64 = sqlx::query_scalar(
        "SELECT n FROM stats_counts WHERE region = '4304' AND dim = 'items' AND key = ''",
    )
    .fetch_one(write)
    .await
    .unwrap();
    assert_eq!(items, 39);
    let keys: Vec<String> = sqlx::query_scalar(
        "SELECT key FROM stats_counts WHERE region = '4304' AND dim = 'item' AND n = 1 ORDER BY key",
    )
    .fetch_all(write)
    .await
    .unwrap();
    let mut expected: Vec<String> = (0..40)
        .filter(|i| *i != 7)
        .map(|i| format!("i{i}"))
        .collect();
    expected.sort();
    assert_eq!(keys, expected);
    // A plain write transaction writes its counters too.
    in_write_tx(direct, durability, |db| {
        db.count(&[by(Dim::Items, "", -4)].into_iter().collect());
        Ok(())
    })
    .await
    .unwrap();
    let items: i64 = sqlx::query_scalar(
        "SELECT n FROM stats_counts WHERE region = '4304' AND dim = 'items' AND key = ''",
    )
    .fetch_one(write)
    .await
    .unwrap();
    assert_eq!(items, 35);
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
        let crate::SqliteParts {
            direct, durability, ..
        } = panicking.sqlite_parts();
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
    let crate::SqliteParts {
        write,
        direct,
        durability,
        ..
    } = store.sqlite_parts();
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

/// A read that fails ends its transaction: the connection goes back to the pool outside one and
/// the next read on it sees later writes (a transaction left open would keep its old snapshot,
/// and the next BEGIN would fail).
#[tokio::test]
async fn a_failed_read_leaves_no_transaction_open() {
    let dir = tempfile::tempdir().unwrap();
    let store = crate::test_store_with_table(dir.path()).await;
    let crate::SqliteParts {
        write, direct_read, ..
    } = store.sqlite_parts();
    let count = |db: &rusqlite::Connection| {
        db.query_row("SELECT COUNT(*) FROM t", [], |r| r.get::<_, i64>(0))
            .map_err(direct_error)
    };
    for _ in 0..DIRECT_READERS {
        let failed = direct_read.read(|db| {
            count(db)?;
            db.query_row("SELECT no_such_column FROM t", [], |r| r.get::<_, i64>(0))
                .map_err(direct_error)
        });
        assert!(failed.is_err());
    }
    sqlx::query("INSERT INTO t (k, n) VALUES ('a', 1)")
        .execute(write)
        .await
        .unwrap();
    for _ in 0..DIRECT_READERS {
        assert_eq!(direct_read.read(count).unwrap(), 1, "a fresh snapshot");
    }
    store.close().await;
}
