//! Calendar changes made by an administrator after a release: newly published years and one-off days.

use crate::{Result, Store, in_tx, on_pool};

impl Store {
    /// Stores a year's schedule (holiday-cn JSON), replacing a stored one for the same year.
    pub async fn put_calendar_year(&self, year: i32, document: &str, now: i64) -> Result<()> {
        in_tx!(self, tx => {
            sqlx::query(
                "INSERT INTO calendar_years (year, document, loaded_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (year) DO UPDATE SET document = excluded.document, \
                 loaded_at = excluded.loaded_at",
            )
            .bind(i64::from(year))
            .bind(document)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// Stored years, as (year, holiday-cn JSON).
    pub async fn calendar_years(&self) -> Result<Vec<(i64, String)>> {
        Ok(on_pool!(self, pool => sqlx::query_as(
            "SELECT year, document FROM calendar_years ORDER BY year",
        ).fetch_all(pool).await?))
    }

    pub async fn put_calendar_override(
        &self,
        day: &str,
        is_workday: bool,
        name: &str,
        now: i64,
    ) -> Result<()> {
        in_tx!(self, tx => {
            sqlx::query(
                "INSERT INTO calendar_overrides (day, is_workday, name, created_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (day) DO UPDATE SET \
                 is_workday = excluded.is_workday, name = excluded.name, \
                 created_at = excluded.created_at",
            )
            .bind(day)
            .bind(is_workday)
            .bind(name)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// Removes a one-off change; returns whether there was one.
    pub async fn delete_calendar_override(&self, day: &str) -> Result<bool> {
        let n = in_tx!(self, tx => sqlx::query("DELETE FROM calendar_overrides WHERE day = $1")
            .bind(day)
            .execute(&mut *tx)
            .await?
            .rows_affected());
        Ok(n > 0)
    }

    /// One-off days, as (day, is_workday, name).
    pub async fn calendar_overrides(&self) -> Result<Vec<(String, bool, String)>> {
        Ok(on_pool!(self, pool => sqlx::query_as(
            "SELECT day, is_workday, name FROM calendar_overrides ORDER BY day",
        ).fetch_all(pool).await?))
    }
}
