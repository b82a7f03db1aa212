//! Small key–value settings (e.g. when the instance was first set up).

use crate::{Result, Store, in_tx, on_pool};

impl Store {
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(on_pool!(self, pool => sqlx::query_scalar(
            "SELECT value FROM settings WHERE key = $1",
        ).bind(key).fetch_optional(pool).await?))
    }

    /// Sets `key` only if it is not set yet; returns whether this call set it. Two nodes starting at
    /// once on one PostgreSQL database race here, and exactly one wins.
    pub async fn claim_setting(&self, key: &str, value: &str) -> Result<bool> {
        let n = in_tx!(self, tx => sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(value)
        .execute(&mut *tx)
        .await?
        .rows_affected());
        Ok(n == 1)
    }

    pub async fn put_setting(&self, key: &str, value: &str) -> Result<()> {
        in_tx!(self, tx => {
            sqlx::query(
                "INSERT INTO settings (key, value) VALUES ($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(value)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }
}
