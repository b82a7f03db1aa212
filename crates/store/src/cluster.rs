//! Several nodes on one database: job leases (one runner at a time) and generation counters
//! (telling every node that reference data it keeps in memory has changed).
//!
//! Both are plain rows, so the same SQL runs on SQLite (one node, where they are trivially true)
//! and PostgreSQL. A lease is taken with one upsert whose `DO UPDATE … WHERE` only fires when the
//! current lease has expired; concurrent takers on PostgreSQL serialize on the row lock and the
//! loser re-checks the condition against the winner's row, so exactly one of them gets it.

use crate::{Result, Store, in_tx, on_pool};

impl Store {
    /// Takes the lease `name` for `holder` until `expires_at` (epoch ms) if nobody holds an
    /// unexpired one at `now` (or `holder` already holds it); returns whether it was taken.
    pub async fn try_lease(
        &self,
        name: &str,
        holder: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<bool> {
        let n = in_tx!(self, tx => sqlx::query(
            "INSERT INTO cluster_leases (name, holder, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
             WHERE cluster_leases.expires_at <= $4 OR cluster_leases.holder = excluded.holder",
        )
        .bind(name)
        .bind(holder)
        .bind(expires_at)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected());
        Ok(n == 1)
    }

    /// Gives the lease back (only if `holder` still holds it).
    pub async fn release_lease(&self, name: &str, holder: &str) -> Result<()> {
        in_tx!(self, tx => {
            sqlx::query("DELETE FROM cluster_leases WHERE name = $1 AND holder = $2")
                .bind(name)
                .bind(holder)
                .execute(&mut *tx)
                .await?;
        });
        Ok(())
    }

    /// The current value of the generation counter `name` (0 when never bumped).
    pub async fn generation(&self, name: &str) -> Result<i64> {
        let g: Option<i64> = on_pool!(self, pool => sqlx::query_scalar(
            "SELECT generation FROM cluster_generations WHERE name = $1",
        ).bind(name).fetch_optional(pool).await?);
        Ok(g.unwrap_or(0))
    }

    /// Adds one to the generation counter `name` and returns the new value.
    pub async fn bump_generation(&self, name: &str) -> Result<i64> {
        let g: i64 = in_tx!(self, tx => sqlx::query_scalar(
            "INSERT INTO cluster_generations (name, generation) VALUES ($1, 1) \
             ON CONFLICT (name) DO UPDATE SET generation = cluster_generations.generation + 1 \
             RETURNING generation",
        )
        .bind(name)
        .fetch_one(&mut *tx)
        .await?);
        Ok(g)
    }
}
