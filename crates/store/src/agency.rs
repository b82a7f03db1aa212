//! 帮代办: authorizations from a principal to an agent, and village helpers (帮代办员).

use crate::{Result, Store, in_tx, on_pool};

/// A new authorization; `scope` is the domain `Scope` as JSON.
#[derive(Debug, Clone)]
pub struct NewAuthorization {
    pub principal_user_id: i64,
    pub agent_user_id: i64,
    pub kind: String,
    pub scope: String,
    pub valid_from: String,
    pub valid_to: String,
    pub evidence_file: Option<String>,
    pub granted_by: i64,
    pub granted_at: i64,
}

/// A stored authorization, with the user names of the people it names.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AuthorizationRow {
    pub id: i64,
    pub principal_user_id: i64,
    pub principal_username: String,
    pub principal_name: String,
    pub agent_user_id: i64,
    pub agent_username: String,
    pub agent_name: String,
    pub kind: String,
    pub scope: String,
    pub valid_from: String,
    pub valid_to: String,
    pub evidence_file: Option<String>,
    pub granted_by: i64,
    pub granted_at: i64,
    pub revoked_at: Option<i64>,
    pub revoked_by: Option<i64>,
}

const SELECT: &str = "SELECT a.id, a.principal_user_id, p.username AS principal_username, \
    p.display_name AS principal_name, a.agent_user_id, g.username AS agent_username, \
    g.display_name AS agent_name, a.kind, a.scope, a.valid_from, a.valid_to, a.evidence_file, \
    a.granted_by, a.granted_at, a.revoked_at, a.revoked_by \
    FROM authorizations a JOIN users p ON p.id = a.principal_user_id \
    JOIN users g ON g.id = a.agent_user_id";

impl Store {
    /// Stores a new authorization; returns its id.
    pub async fn insert_authorization(&self, a: &NewAuthorization) -> Result<i64> {
        Ok(in_tx!(self, tx => sqlx::query_scalar(
            "INSERT INTO authorizations (principal_user_id, agent_user_id, kind, scope, valid_from, \
             valid_to, evidence_file, granted_by, granted_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(a.principal_user_id)
        .bind(a.agent_user_id)
        .bind(&a.kind)
        .bind(&a.scope)
        .bind(&a.valid_from)
        .bind(&a.valid_to)
        .bind(&a.evidence_file)
        .bind(a.granted_by)
        .bind(a.granted_at)
        .fetch_one(&mut *tx)
        .await?))
    }

    pub async fn authorization(&self, id: i64) -> Result<Option<AuthorizationRow>> {
        let sql = format!("{SELECT} WHERE a.id = $1");
        Ok(on_pool!(self, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?))
    }

    /// Every authorization a user gave (as principal) or holds (as agent), newest first.
    pub async fn authorizations_of(&self, user_id: i64) -> Result<Vec<AuthorizationRow>> {
        let sql = format!(
            "{SELECT} WHERE a.principal_user_id = $1 OR a.agent_user_id = $1 ORDER BY a.id DESC"
        );
        Ok(on_pool!(self, pool => sqlx::query_as(&sql).bind(user_id).fetch_all(pool).await?))
    }

    /// Every authorization from `principal` to `agent`, revoked and expired ones included.
    pub async fn authorizations_between(
        &self,
        principal_user_id: i64,
        agent_user_id: i64,
    ) -> Result<Vec<AuthorizationRow>> {
        let sql = format!(
            "{SELECT} WHERE a.principal_user_id = $1 AND a.agent_user_id = $2 ORDER BY a.id"
        );
        Ok(on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(principal_user_id)
            .bind(agent_user_id)
            .fetch_all(pool)
            .await?))
    }

    /// Revokes an authorization that is not yet revoked; `false` when it already was (or is
    /// unknown).
    pub async fn revoke_authorization(&self, id: i64, by: i64, now: i64) -> Result<bool> {
        let n = in_tx!(self, tx => sqlx::query(
            "UPDATE authorizations SET revoked_at = $1, revoked_by = $2 \
             WHERE id = $3 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(by)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected());
        Ok(n > 0)
    }

    /// Rewrites an authorization's validity period, unchecked. For tests (an authorization that
    /// expired yesterday cannot be granted through the app) and for data repair by an operator;
    /// the app never calls it.
    pub async fn set_authorization_period(
        &self,
        id: i64,
        valid_from: &str,
        valid_to: &str,
    ) -> Result<bool> {
        let n = in_tx!(self, tx => sqlx::query(
            "UPDATE authorizations SET valid_from = $1, valid_to = $2 WHERE id = $3",
        )
        .bind(valid_from)
        .bind(valid_to)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected());
        Ok(n > 0)
    }

    /// Appoints (or re-appoints) a user as the helper (帮代办员) of a village.
    pub async fn appoint_village_helper(
        &self,
        user_id: i64,
        region_code: &str,
        by: i64,
        now: i64,
    ) -> Result<()> {
        in_tx!(self, tx => {
            sqlx::query(
                "INSERT INTO village_helpers (user_id, region_code, appointed_by, appointed_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO UPDATE SET \
                 region_code = excluded.region_code, appointed_by = excluded.appointed_by, \
                 appointed_at = excluded.appointed_at",
            )
            .bind(user_id)
            .bind(region_code)
            .bind(by)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// The village a user is the appointed helper of, if any.
    pub async fn village_helper_region(&self, user_id: i64) -> Result<Option<String>> {
        Ok(on_pool!(self, pool => sqlx::query_scalar(
            "SELECT region_code FROM village_helpers WHERE user_id = $1",
        ).bind(user_id).fetch_optional(pool).await?))
    }
}
