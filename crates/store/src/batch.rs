//! Several statements of one transaction sent as few queries as the backend allows.
//!
//! With sqlx every query is a round trip; on SQLite a hand-off to the connection's thread and
//! back, and the one write connection is held across all of them. The engine benchmark measured
//! that connection held for 85–91 % of the run with 8 or 64 submitters: the writer, one statement
//! at a time, was the limit. So the rows of a case write go as one multi-statement query on
//! SQLite (sqlx binds the `?` placeholders of consecutive statements in order), and the writer is
//! held for one hand-off instead of one per statement. PostgreSQL prepares one statement per
//! query, so there each statement stays its own query; its writers do not share a connection.
//!
//! Each statement is still written once, as text and bound values, for both backends.

use sqlx::{Database, Postgres, QueryBuilder, Sqlite};

/// Whether a backend runs several `;`-separated statements with bound values as one query.
pub(crate) trait Batching: Database {
    const MANY_STATEMENTS_PER_QUERY: bool;
}

impl Batching for Sqlite {
    const MANY_STATEMENTS_PER_QUERY: bool = true;
}

impl Batching for Postgres {
    const MANY_STATEMENTS_PER_QUERY: bool = false;
}

/// Statements to run in order inside an open transaction (see the module's documentation).
pub(crate) struct Batch<'args, DB: Database> {
    queries: Vec<QueryBuilder<'args, DB>>,
}

impl<'args, DB: Batching> Batch<'args, DB> {
    pub(crate) fn new() -> Self {
        Batch {
            queries: Vec::new(),
        }
    }

    /// Starts the next statement with `sql`; its values are bound on the builder returned.
    pub(crate) fn statement(&mut self, sql: &str) -> &mut QueryBuilder<'args, DB> {
        if DB::MANY_STATEMENTS_PER_QUERY && !self.queries.is_empty() {
            let last = self.queries.len() - 1;
            self.queries[last].push("; ").push(sql);
        } else {
            self.queries.push(QueryBuilder::new(sql));
        }
        let last = self.queries.len() - 1;
        &mut self.queries[last]
    }

    /// The queries to run, in order: one on SQLite, one per statement on PostgreSQL.
    pub(crate) fn into_queries(self) -> Vec<QueryBuilder<'args, DB>> {
        self.queries
    }
}

/// Runs a [`Batch`] in the open transaction `$tx`.
macro_rules! run_batch {
    ($tx:ident, $batch:expr) => {
        for mut q in $batch.into_queries() {
            q.build().execute(&mut *$tx).await?;
        }
    };
}
pub(crate) use run_batch;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_gets_one_query_postgres_one_per_statement() {
        let mut b: Batch<'_, Sqlite> = Batch::new();
        b.statement("UPDATE t SET a = ").push_bind(1_i64);
        b.statement("INSERT INTO u (x) VALUES (")
            .push_bind("y")
            .push(")");
        let q = b.into_queries();
        assert_eq!(q.len(), 1);
        assert_eq!(
            q[0].sql(),
            "UPDATE t SET a = ?; INSERT INTO u (x) VALUES (?)"
        );

        let mut b: Batch<'_, Postgres> = Batch::new();
        b.statement("UPDATE t SET a = ").push_bind(1_i64);
        b.statement("INSERT INTO u (x) VALUES (")
            .push_bind("y")
            .push(")");
        let q = b.into_queries();
        assert_eq!(q.len(), 2);
        assert_eq!(q[0].sql(), "UPDATE t SET a = $1");
        assert_eq!(q[1].sql(), "INSERT INTO u (x) VALUES ($1)");
    }

    #[tokio::test]
    async fn a_sqlite_batch_binds_each_statement_its_own_values_and_is_all_or_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::test_store_with_table(dir.path()).await;
        let write = store.sqlite_parts().write;
        let mut tx = write.begin().await.unwrap();
        let run = async {
            let mut b = Batch::new();
            b.statement("INSERT INTO t (k, n) VALUES (")
                .push_bind("a")
                .push(", ")
                .push_bind(1_i64)
                .push(")");
            b.statement("INSERT INTO t (k, n) ").push_values(
                [("b", 2_i64), ("c", 3)],
                |mut r, (k, n)| {
                    r.push_bind(k).push_bind(n);
                },
            );
            b.statement("UPDATE t SET n = n + ")
                .push_bind(10_i64)
                .push(" WHERE k = ")
                .push_bind("c");
            run_batch!(tx, b);
            Ok::<(), sqlx::Error>(())
        };
        run.await.unwrap();
        tx.commit().await.unwrap();
        let rows: Vec<(String, i64)> = sqlx::query_as("SELECT k, n FROM t ORDER BY k")
            .fetch_all(write)
            .await
            .unwrap();
        assert_eq!(rows, [("a".into(), 1), ("b".into(), 2), ("c".into(), 13)]);

        // A failing statement (a duplicate key) fails the batch; the transaction rolls back.
        let mut tx = write.begin().await.unwrap();
        let run = async {
            let mut b = Batch::new();
            b.statement("UPDATE t SET n = 0 WHERE k = ").push_bind("a");
            b.statement("INSERT INTO t (k, n) VALUES (")
                .push_bind("b")
                .push(", 0)");
            run_batch!(tx, b);
            Ok::<(), sqlx::Error>(())
        };
        assert!(run.await.is_err());
        drop(tx);
        let a: i64 = sqlx::query_scalar("SELECT n FROM t WHERE k = 'a'")
            .fetch_one(write)
            .await
            .unwrap();
        assert_eq!(
            a, 1,
            "the first statement was rolled back with the failing one"
        );
        store.close().await;
    }
}
