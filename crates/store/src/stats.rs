//! 统计: aggregate queries behind the supervisor dashboard. Each is one `GROUP BY` over the
//! sub-case rows of a region, joined to their case, never a load of cases into memory.
//!
//! The unit counted is the sub-case (one item of one application, 办件事项). A sub-case is in a
//! region when its case was received there (收件地, `cases.received_region`) or it is handled
//! there (办理地, `sub_cases.handling_region`): the same rule as `CaseScope::RegionPrefix`.

use crate::{Result, Store, on_pool};

/// The rows of a region: `$1` is the region's code prefix followed by `%`.
const IN_REGION: &str = "FROM sub_cases s JOIN cases c ON c.number = s.case_number \
    WHERE (c.received_region LIKE $1 OR s.handling_region LIKE $1)";

/// Still running: not concluded, not ended otherwise, with a deadline (accepted).
const OPEN_WITH_DEADLINE: &str = "s.concluded_on IS NULL AND s.deadline IS NOT NULL";

/// The headline counts of a region.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct StatsTotals {
    /// Sub-cases in the region.
    pub items: i64,
    /// Distinct cases they belong to.
    pub cases: i64,
    /// Concluded (办结 or 送达).
    pub concluded: i64,
    /// Concluded on or before the committed deadline.
    pub on_time: i64,
    /// Open, deadline before today.
    pub overdue: i64,
    /// Open, deadline from today up to the near-due day.
    pub near_due: i64,
    /// Received at a place whose county differs from the handling department's county.
    pub cross_region: i64,
    /// Cases received at a window (one trip each).
    pub window_cases: i64,
}

/// One open sub-case of the near-due or overdue list.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DueRow {
    pub case_number: String,
    pub seq: i64,
    pub item_code: String,
    pub department_code: String,
    pub deadline: String,
}

impl Store {
    /// The headline counts of the region with code prefix `prefix`: `today` and `near_by` (the
    /// last near-due day) are ISO dates from the app's calendar.
    pub async fn stats_totals(
        &self,
        prefix: &str,
        today: &str,
        near_by: &str,
    ) -> Result<StatsTotals> {
        let sql = format!(
            "SELECT COUNT(*) AS items, COUNT(DISTINCT c.number) AS cases, \
             COUNT(CASE WHEN s.status IN ('concluded', 'delivered') THEN 1 END) AS concluded, \
             COUNT(CASE WHEN s.status IN ('concluded', 'delivered') \
                   AND (s.deadline IS NULL OR s.concluded_on <= s.deadline) THEN 1 END) AS on_time, \
             COUNT(CASE WHEN {OPEN_WITH_DEADLINE} AND s.deadline < $2 THEN 1 END) AS overdue, \
             COUNT(CASE WHEN {OPEN_WITH_DEADLINE} AND s.deadline >= $2 AND s.deadline <= $3 \
                   THEN 1 END) AS near_due, \
             COUNT(CASE WHEN c.received_region IS NOT NULL \
                   AND substr(c.received_region, 1, 6) <> substr(s.handling_region, 1, 6) \
                   THEN 1 END) AS cross_region, \
             COUNT(DISTINCT CASE WHEN c.channel = 'window' THEN c.number END) AS window_cases \
             {IN_REGION}"
        );
        let pattern = format!("{prefix}%");
        Ok(on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(&pattern).bind(today).bind(near_by).fetch_one(pool).await?))
    }

    /// Sub-cases by receiving place, cut to its first `digits` digits (6: county, 9: town,
    /// 12: village); `None` for online cases received at no center. Largest first.
    pub async fn stats_by_received(
        &self,
        prefix: &str,
        digits: usize,
    ) -> Result<Vec<(Option<String>, i64)>> {
        // `digits` is a constant of the caller, never user input; inlined so that both backends
        // see a plain integer literal.
        let sql = format!(
            "SELECT substr(c.received_region, 1, {digits}) AS k, COUNT(*) AS n {IN_REGION} \
             GROUP BY substr(c.received_region, 1, {digits}) ORDER BY n DESC, k"
        );
        let pattern = format!("{prefix}%");
        Ok(on_pool!(self, pool => sqlx::query_as(&sql).bind(&pattern).fetch_all(pool).await?))
    }

    /// Sub-cases by handling mode, each case in one mode: `agency` (帮代办: submitted by an agent
    /// for the applicant), else `commitment` (承诺办: a material replaced by a commitment), else
    /// `tolerance` (容缺办: accepted with materials to follow), else `online` or `window`.
    pub async fn stats_by_mode(&self, prefix: &str) -> Result<Vec<(String, i64)>> {
        let sql = format!(
            "SELECT CASE \
               WHEN c.applicant_user_id IS NOT NULL AND c.submitted_by <> c.applicant_user_id \
                 THEN 'agency' \
               WHEN EXISTS (SELECT 1 FROM case_materials m WHERE m.case_number = c.number \
                 AND m.provided = 'commitment') THEN 'commitment' \
               WHEN EXISTS (SELECT 1 FROM events e WHERE e.case_number = c.number \
                 AND e.kind = 'sub_case.accept_with_tolerance') THEN 'tolerance' \
               WHEN c.channel = 'online' THEN 'online' \
               ELSE 'window' END AS k, COUNT(*) AS n {IN_REGION} GROUP BY 1 ORDER BY n DESC, k"
        );
        let pattern = format!("{prefix}%");
        Ok(on_pool!(self, pool => sqlx::query_as(&sql).bind(&pattern).fetch_all(pool).await?))
    }

    /// The `limit` items with the most sub-cases.
    pub async fn stats_by_item(&self, prefix: &str, limit: i64) -> Result<Vec<(String, i64)>> {
        let sql = format!(
            "SELECT s.item_code AS k, COUNT(*) AS n {IN_REGION} \
             GROUP BY s.item_code ORDER BY n DESC, k LIMIT $2"
        );
        let pattern = format!("{prefix}%");
        Ok(on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(&pattern).bind(limit).fetch_all(pool).await?))
    }

    /// Open sub-cases whose deadline is in `[from, until)` (ISO dates), earliest first.
    pub async fn stats_due(
        &self,
        prefix: &str,
        from: &str,
        until: &str,
        limit: i64,
    ) -> Result<Vec<DueRow>> {
        let sql = format!(
            "SELECT s.case_number, s.seq, s.item_code, s.department_code, s.deadline {IN_REGION} \
             AND {OPEN_WITH_DEADLINE} AND s.deadline >= $2 AND s.deadline < $3 \
             ORDER BY s.deadline, s.case_number, s.seq LIMIT $4"
        );
        let pattern = format!("{prefix}%");
        Ok(on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(&pattern).bind(from).bind(until).bind(limit).fetch_all(pool).await?))
    }
}
