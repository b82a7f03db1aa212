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
}

impl Store {
    pub async fn create_user(&self, u: &NewUser, now: i64) -> Result<i64> {
        Ok(in_tx!(self, tx => sqlx::query_scalar(
            "INSERT INTO users (username, display_name, role, center_code, department_code, \
             region_code, password_hash, disabled, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, FALSE, $8) RETURNING id",
        )
        .bind(&u.username)
        .bind(&u.display_name)
        .bind(&u.role)
        .bind(&u.center_code)
        .bind(&u.department_code)
        .bind(&u.region_code)
        .bind(&u.password_hash)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?))
    }

    pub async fn users(&self) -> Result<Vec<UserRow>> {
        Ok(on_pool!(self, pool => sqlx::query_as(
            "SELECT id, username, display_name, role, center_code, department_code, region_code, \
             password_hash, disabled, created_at FROM users ORDER BY id",
        ).fetch_all(pool).await?))
    }

    pub async fn count_users(&self) -> Result<i64> {
        Ok(
            on_pool!(self, pool => sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(pool).await?),
        )
    }
}
