//! Accounts. Password hashing happens in the app layer; the store keeps only the PHC string.

use crate::{Result, Store, in_tx, on_pool};

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub center_code: Option<String>,
    pub department_code: Option<String>,
    pub region_code: Option<String>,
    pub password_hash: String,
}

/// Who an applicant is, and how to reach a user; all optional (staff accounts have none of it).
#[derive(Debug, Clone, Default)]
pub struct UserProfile {
    /// `person` or `organization`.
    pub applicant_kind: Option<String>,
    /// Resident ID number (person) or unified social credit code (organization), normalized.
    pub id_number: Option<String>,
    pub mobile: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub center_code: Option<String>,
    pub department_code: Option<String>,
    pub region_code: Option<String>,
    pub password_hash: String,
    pub disabled: bool,
    pub created_at: i64,
    pub applicant_kind: Option<String>,
    pub id_number: Option<String>,
    pub mobile: Option<String>,
}

pub(crate) const USER_COLUMNS: &str = "id, username, display_name, role, center_code, \
     department_code, region_code, password_hash, disabled, created_at, applicant_kind, id_number, \
     mobile";

impl Store {
    pub async fn create_user(&self, u: &NewUser, now: i64) -> Result<i64> {
        self.create_user_with_profile(u, &UserProfile::default(), now)
            .await
    }

    /// Creates a user with an applicant profile; returns the id. A taken user name is a
    /// [`crate::StoreError::Conflict`].
    pub async fn create_user_with_profile(
        &self,
        u: &NewUser,
        p: &UserProfile,
        now: i64,
    ) -> Result<i64> {
        Ok(in_tx!(self, tx => sqlx::query_scalar(
            "INSERT INTO users (username, display_name, role, center_code, department_code, \
             region_code, password_hash, disabled, created_at, applicant_kind, id_number, mobile) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, FALSE, $8, $9, $10, $11) RETURNING id",
        )
        .bind(&u.username)
        .bind(&u.display_name)
        .bind(&u.role)
        .bind(&u.center_code)
        .bind(&u.department_code)
        .bind(&u.region_code)
        .bind(&u.password_hash)
        .bind(now)
        .bind(&p.applicant_kind)
        .bind(&p.id_number)
        .bind(&p.mobile)
        .fetch_one(&mut *tx)
        .await?))
    }

    pub async fn users(&self) -> Result<Vec<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY id");
        Ok(on_pool!(self, pool => sqlx::query_as(&sql).fetch_all(pool).await?))
    }

    pub async fn user_by_username(&self, username: &str) -> Result<Option<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
        Ok(on_pool!(self, pool => sqlx::query_as(&sql).bind(username).fetch_optional(pool).await?))
    }

    pub async fn user_by_id(&self, id: i64) -> Result<Option<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        Ok(on_pool!(self, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?))
    }

    /// Disables or re-enables a user; disabling also ends every session of the user, in the same
    /// transaction. Returns the user's id, `None` when there is no such user.
    pub async fn set_user_disabled(&self, username: &str, disabled: bool) -> Result<Option<i64>> {
        in_tx!(self, tx => {
            let id: Option<i64> = sqlx::query_scalar(
                "UPDATE users SET disabled = $1 WHERE username = $2 RETURNING id",
            )
            .bind(disabled)
            .bind(username)
            .fetch_optional(&mut *tx)
            .await?;
            if let (Some(id), true) = (id, disabled) {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            Ok(id)
        })
    }

    pub async fn count_users(&self) -> Result<i64> {
        Ok(
            on_pool!(self, pool => sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(pool).await?),
        )
    }

    /// Whether a department with this code exists (for binding an approver).
    pub async fn department_exists(&self, code: &str) -> Result<bool> {
        let n: i64 = on_pool!(self, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM departments WHERE code = $1",
        ).bind(code).fetch_one(pool).await?);
        Ok(n > 0)
    }
}
