//! 容缺办: finding running supplement pledges by their deadline (`sub_cases.pledge_due`).

use crate::{Result, Store, on_pool};

impl Store {
    /// `(case number, sub-case seq)` of every running pledge due on or before `day` (ISO date), in
    /// case order: the candidates for a reminder or an expiry.
    pub async fn pledges_due_by(&self, day: &str) -> Result<Vec<(String, i64)>> {
        Ok(on_pool!(self, pool => sqlx::query_as(
            "SELECT case_number, seq FROM sub_cases WHERE pledge_due IS NOT NULL \
             AND pledge_due <= $1 ORDER BY case_number, seq",
        ).bind(day).fetch_all(pool).await?))
    }
}
