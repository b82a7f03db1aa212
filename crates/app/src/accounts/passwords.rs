//! Passwords in one place, so that every way of creating an account applies the same length rules
//! and the same argon2 cost, and so that sign-in can check an unknown user against a hash that
//! costs as much as a real one.

use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
use argon2::{Argon2, PasswordHash, PasswordVerifier};
use rand::Rng;

use crate::error::{AppError, AppResult};

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

/// An argon2 hash (default parameters) of a password nobody knows. Signing in as an unknown user
/// verifies against it, so that an unknown name costs as much time as a wrong password and the
/// answer's timing does not tell which user names exist.
pub(super) const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRmb3J0aW1pbmc$\
     3V9eTvTyqL8vrpG2o8vGh7C4Y9hSmS1cBkJ4yYwq2bA";

const PASSWORD_MIN: usize = 10;
const PASSWORD_MAX: usize = 1024;

pub(super) fn check_password(password: &str) -> AppResult<()> {
    let n = password.chars().count();
    if n < PASSWORD_MIN {
        return Err(AppError::invalid(
            "account.password_too_short",
            "A password needs at least 10 characters.",
            "密码至少需要 10 个字符。",
        )
        .with_field("password"));
    }
    if n > PASSWORD_MAX {
        return Err(AppError::invalid(
            "account.password_too_long",
            "A password may have at most 1024 characters.",
            "密码最多 1024 个字符。",
        )
        .with_field("password"));
    }
    Ok(())
}
