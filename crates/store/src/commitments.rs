//! 承诺办: the post-verification queue (事后核查, `verifications`) and broken commitments
//! (失信记录, `broken_commitments`). Every write goes with a [`CaseChange`] in one transaction, so
//! the case version check and the audit chain hold for them too.

use crate::cases::write_case_change;
use crate::{CaseChange, Result, Store, in_tx, on_pool};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct VerificationRow {
    pub case_number: String,
    pub seq: i64,
    pub item_code: String,
    pub department_code: String,
    pub handling_region: String,
    pub applicant_id: String,
    /// `sampled` (the item's rate) or `record` (a broken commitment on record).
    pub reason: String,
    /// `pending`, `passed` or `failed`.
    pub status: String,
    pub sampled_at: i64,
    pub decided_at: Option<i64>,
    pub decided_by: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct BrokenCommitmentRow {
    pub applicant_id: String,
    pub case_number: String,
    pub seq: i64,
    pub item_code: String,
    pub at: i64,
    pub recorded_on: String,
    /// The first day 承诺办 is open to the applicant again.
    pub barred_until: String,
}

/// What 承诺办 writes together with a case change.
#[derive(Debug, Clone, Default)]
pub struct CommitmentWrites {
    /// Sub-cases newly sampled for verification.
    pub enqueue: Vec<VerificationRow>,
    /// A decided verification (its status, decider, note and time; matched while still pending).
    pub decided: Option<VerificationRow>,
    pub broken: Option<BrokenCommitmentRow>,
}

const VERIFICATION_COLUMNS: &str = "case_number, seq, item_code, department_code, \
    handling_region, applicant_id, reason, status, sampled_at, decided_at, decided_by, note";

/// Which verifications a user may see, decided by the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerificationScope {
    All,
    Department(String),
    /// Handled in a region whose code starts with this prefix.
    RegionPrefix(String),
}

impl Store {
    /// [`Store::apply_case_change`] plus the 承诺办 rows, in one transaction: `false` (and nothing
    /// written) when the case moved on, or when the decided verification is no longer pending.
    pub async fn apply_case_change_with_commitments(
        &self,
        ch: &CaseChange,
        w: &CommitmentWrites,
    ) -> Result<bool> {
        let applied = in_tx!(self, tx => {
            let mut ok = write_case_change!(tx, ch, self);
            if ok {
                for v in &w.enqueue {
                    sqlx::query(&format!(
                        "INSERT INTO verifications ({VERIFICATION_COLUMNS}) VALUES ($1, $2, $3, \
                         $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                         ON CONFLICT (case_number, seq) DO NOTHING"
                    ))
                    .bind(&v.case_number)
                    .bind(v.seq)
                    .bind(&v.item_code)
                    .bind(&v.department_code)
                    .bind(&v.handling_region)
                    .bind(&v.applicant_id)
                    .bind(&v.reason)
                    .bind(&v.status)
                    .bind(v.sampled_at)
                    .bind(v.decided_at)
                    .bind(&v.decided_by)
                    .bind(&v.note)
                    .execute(&mut *tx)
                    .await?;
                }
                if let Some(v) = &w.decided {
                    let n = sqlx::query(
                        "UPDATE verifications SET status = $3, decided_at = $4, decided_by = $5, \
                         note = $6 WHERE case_number = $1 AND seq = $2 AND status = 'pending'",
                    )
                    .bind(&v.case_number)
                    .bind(v.seq)
                    .bind(&v.status)
                    .bind(v.decided_at)
                    .bind(&v.decided_by)
                    .bind(&v.note)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    ok = n == 1;
                }
                if ok && let Some(b) = &w.broken {
                    sqlx::query(
                        "INSERT INTO broken_commitments (applicant_id, case_number, seq, item_code, \
                         at, recorded_on, barred_until) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(&b.applicant_id)
                    .bind(&b.case_number)
                    .bind(b.seq)
                    .bind(&b.item_code)
                    .bind(b.at)
                    .bind(&b.recorded_on)
                    .bind(&b.barred_until)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            if !ok {
                // Dropping the transaction rolls back whatever was written.
                return Ok(false);
            }
            ok
        });
        if applied {
            self.recent_cases.advance(ch);
        }
        Ok(applied)
    }

    /// The broken commitments on record for an applicant (by ID number), latest bar first.
    pub async fn broken_commitments(&self, applicant_id: &str) -> Result<Vec<BrokenCommitmentRow>> {
        Ok(on_pool!(self, pool => sqlx::query_as(
            "SELECT applicant_id, case_number, seq, item_code, at, recorded_on, barred_until \
             FROM broken_commitments WHERE applicant_id = $1 ORDER BY barred_until DESC, at DESC",
        ).bind(applicant_id).fetch_all(pool).await?))
    }

    pub async fn verification(&self, number: &str, seq: i64) -> Result<Option<VerificationRow>> {
        let sql = format!(
            "SELECT {VERIFICATION_COLUMNS} FROM verifications WHERE case_number = $1 AND seq = $2"
        );
        Ok(on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(number).bind(seq).fetch_optional(pool).await?))
    }

    /// Verifications in scope, optionally of one status, oldest first.
    pub async fn verifications(
        &self,
        scope: &VerificationScope,
        status: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<(i64, Vec<VerificationRow>)> {
        let (cond, key) = match scope {
            VerificationScope::All => ("$1 = $1", String::new()),
            VerificationScope::Department(d) => ("department_code = $1", d.clone()),
            VerificationScope::RegionPrefix(p) => ("handling_region LIKE $1", format!("{p}%")),
        };
        let where_sql = format!("WHERE {cond} AND ($2 = '' OR status = $2)");
        let count_sql = format!("SELECT COUNT(*) FROM verifications {where_sql}");
        let list_sql = format!(
            "SELECT {VERIFICATION_COLUMNS} FROM verifications {where_sql} \
             ORDER BY sampled_at, case_number, seq LIMIT $3 OFFSET $4"
        );
        let status = status.unwrap_or("").to_string();
        on_pool!(self, pool => {
            let total: i64 = sqlx::query_scalar(&count_sql)
                .bind(&key).bind(&status).fetch_one(pool).await?;
            let rows: Vec<VerificationRow> = sqlx::query_as(&list_sql)
                .bind(&key).bind(&status).bind(limit).bind(offset).fetch_all(pool).await?;
            Ok((total, rows))
        })
    }
}
