//! Sessions and bearer tokens, and failed sign-ins. Both live in the database, not in memory, so
//! any node behind a load balancer can check a token and count failures.
//!
//! The store sees only the SHA-256 of a token (see [`crate::fingerprint`]); making and checking
//! tokens, expiry rules and throttling are the app layer's.

use rusqlite::OptionalExtension;

use crate::{Result, Store, in_tx, on_pool};

/// A session with the user it belongs to, as read when checking a token.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionUserRow {
    pub token_hash: String,
    /// `cookie` or `bearer`.
    pub kind: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub last_seen_at: i64,
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub center_code: Option<String>,
    pub department_code: Option<String>,
    pub region_code: Option<String>,
    pub disabled: bool,
    pub applicant_kind: Option<String>,
    pub id_number: Option<String>,
}

const SESSION_USER: &str = "SELECT s.token_hash, s.kind, s.created_at, s.expires_at, \
    s.last_seen_at, u.id AS user_id, u.username, u.display_name, u.role, u.center_code, \
    u.department_code, u.region_code, u.disabled, u.applicant_kind, u.id_number \
    FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1";

/// A row of [`SESSION_USER`] on the direct path, by column position.
fn session_user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SessionUserRow> {
    Ok(SessionUserRow {
        token_hash: r.get(0)?,
        kind: r.get(1)?,
        created_at: r.get(2)?,
        expires_at: r.get(3)?,
        last_seen_at: r.get(4)?,
        user_id: r.get(5)?,
        username: r.get(6)?,
        display_name: r.get(7)?,
        role: r.get(8)?,
        center_code: r.get(9)?,
        department_code: r.get(10)?,
        region_code: r.get(11)?,
        disabled: r.get(12)?,
        applicant_kind: r.get(13)?,
        id_number: r.get(14)?,
    })
}

#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub user_id: i64,
    pub kind: &'a str,
    pub now: i64,
    pub expires_at: i64,
}

impl Store {
    pub async fn create_session(&self, s: &NewSession<'_>) -> Result<()> {
        in_tx!(self, tx => sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, kind, created_at, expires_at, last_seen_at) \
             VALUES ($1, $2, $3, $4, $5, $4)",
        )
        .bind(s.token_hash)
        .bind(s.user_id)
        .bind(s.kind)
        .bind(s.now)
        .bind(s.expires_at)
        .execute(&mut *tx)
        .await?
        .rows_affected());
        Ok(())
    }

    /// The session with this token hash and its user, expired or not (the caller decides). Every
    /// signed-in request starts here, so on SQLite it is a point read on the direct path (see
    /// `crate::direct::DirectReaders`).
    pub async fn session_user(&self, token_hash: &str) -> Result<Option<SessionUserRow>> {
        match &self.backend {
            crate::Backend::Sqlite { direct_read, .. } => direct_read.read(|db| {
                db.prepare_cached(SESSION_USER)
                    .and_then(|mut s| s.query_row([token_hash], session_user_row).optional())
                    .map_err(crate::direct::direct_error)
            }),
            crate::Backend::Postgres(pool) => Ok(sqlx::query_as(SESSION_USER)
                .bind(token_hash)
                .fetch_optional(pool)
                .await?),
        }
    }

    /// Records a use of the session, and moves its expiry (an idle timeout slides).
    pub async fn touch_session(&self, token_hash: &str, now: i64, expires_at: i64) -> Result<()> {
        in_tx!(self, tx => sqlx::query(
            "UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3",
        )
        .bind(now)
        .bind(expires_at)
        .bind(token_hash)
        .execute(&mut *tx)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Sets when a session expires. For tests (which cannot move the server's clock) and for
    /// operators ending a session early; ordinary expiry is set by the app layer.
    pub async fn set_session_expiry(&self, token_hash: &str, expires_at: i64) -> Result<bool> {
        let n = in_tx!(self, tx => sqlx::query(
            "UPDATE sessions SET expires_at = $1 WHERE token_hash = $2",
        )
        .bind(expires_at)
        .bind(token_hash)
        .execute(&mut *tx)
        .await?
        .rows_affected());
        Ok(n > 0)
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        in_tx!(self, tx => sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *tx)
            .await?
            .rows_affected());
        Ok(())
    }

    pub async fn delete_user_sessions(&self, user_id: i64) -> Result<()> {
        in_tx!(self, tx => sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Removes sessions that expired before `before` and failures recorded before `failures_before`.
    pub async fn purge_sessions_and_failures(
        &self,
        before: i64,
        failures_before: i64,
    ) -> Result<()> {
        in_tx!(self, tx => {
            sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
                .bind(before)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM login_failures WHERE at < $1")
                .bind(failures_before)
                .execute(&mut *tx)
                .await?;
        });
        Ok(())
    }

    pub async fn record_login_failure(
        &self,
        username: &str,
        client_key: &str,
        at: i64,
    ) -> Result<()> {
        in_tx!(self, tx => sqlx::query(
            "INSERT INTO login_failures (username, client_key, at) VALUES ($1, $2, $3)",
        )
        .bind(username)
        .bind(client_key)
        .bind(at)
        .execute(&mut *tx)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Failures since `since` (inclusive) for the user name and for the client key; an empty client
    /// key counts nothing.
    pub async fn count_login_failures(
        &self,
        username: &str,
        client_key: &str,
        since: i64,
    ) -> Result<(i64, i64)> {
        on_pool!(self, pool => {
            let by_user: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM login_failures WHERE username = $1 AND at >= $2",
            ).bind(username).bind(since).fetch_one(pool).await?;
            let by_client: i64 = if client_key.is_empty() {
                0
            } else {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM login_failures WHERE client_key = $1 AND at >= $2",
                ).bind(client_key).bind(since).fetch_one(pool).await?
            };
            Ok((by_user, by_client))
        })
    }

    /// The earliest failure since `since` for the user name or the client key: the throttle lifts
    /// a window after it.
    pub async fn earliest_login_failure(
        &self,
        username: &str,
        client_key: &str,
        since: i64,
    ) -> Result<Option<i64>> {
        Ok(on_pool!(self, pool => sqlx::query_scalar(
            "SELECT MIN(at) FROM login_failures WHERE (username = $1 OR client_key = $2) AND at >= $3",
        ).bind(username).bind(client_key).bind(since).fetch_one(pool).await?))
    }

    pub async fn clear_login_failures(&self, username: &str) -> Result<()> {
        in_tx!(self, tx => sqlx::query("DELETE FROM login_failures WHERE username = $1")
            .bind(username)
            .execute(&mut *tx)
            .await?
            .rows_affected());
        Ok(())
    }
}
