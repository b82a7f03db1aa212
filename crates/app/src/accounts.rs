//! Accounts: password hashing (argon2, off the async threads) and first passwords.

use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
use argon2::{Argon2, PasswordHash, PasswordVerifier};
use rand::Rng;
use tongban_domain::catalog::Role;
use tongban_store::{NewUser, Store};

use crate::error::{AppError, AppResult};

/// The role's stored name (the serde name of [`Role`]).
pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Applicant => "applicant",
        Role::Clerk => "clerk",
        Role::Approver => "approver",
        Role::Supervisor => "supervisor",
        Role::CatalogAdmin => "catalog_admin",
        Role::SystemAdmin => "system_admin",
    }
}

/// A random password of 16 characters from an alphabet without look-alikes (no 0/O, 1/l/I).
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    (0..16)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect()
}

/// Hashes on a blocking thread: argon2 is deliberately slow and must not stall the async workers.
pub async fn hash_password(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(AppError::internal)
    })
    .await
    .map_err(AppError::internal)?
}

pub async fn verify_password(password: String, hash: String) -> AppResult<bool> {
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&hash).map_err(AppError::internal)?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(AppError::internal)?
}

/// Creates an account with a given password; returns its id.
pub async fn create_account(
    store: &Store,
    mut user: NewUser,
    password: String,
    now: i64,
) -> AppResult<i64> {
    if password.chars().count() < 10 {
        return Err(AppError::invalid(
            "account.password_too_short",
            "A password needs at least 10 characters.",
            "密码至少需要 10 个字符。",
        )
        .with_field("password"));
    }
    user.password_hash = hash_password(password).await?;
    store.create_user(&user, now).await.map_err(|e| match e {
        tongban_store::StoreError::Conflict { .. } => AppError::new(
            crate::error::ErrorKind::Conflict,
            "account.username_taken",
            format!("The user name {} is already taken.", user.username),
            format!("用户名 {} 已被使用。", user.username),
        )
        .with_field("username"),
        other => other.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_are_long_and_differ() {
        let a = generate_password();
        let b = generate_password();
        assert_eq!(a.len(), 16);
        assert_ne!(a, b);
        assert!(!a.contains(['0', 'O', '1', 'l', 'I']));
    }

    #[tokio::test]
    async fn hashes_verify_only_the_right_password() {
        let h = hash_password("correct horse".into()).await.unwrap();
        assert!(h.starts_with("$argon2"));
        assert!(
            verify_password("correct horse".into(), h.clone())
                .await
                .unwrap()
        );
        assert!(!verify_password("wrong horse".into(), h).await.unwrap());
    }
}
