//! Administering users who already exist: listing them, and switching their sign-in off and on.
//! Kept apart from account creation, which is all input checking; these only look a user up.

use tongban_store::Store;

use super::{UserSummary, normalize_username};
use crate::error::{AppError, AppResult};

/// Every user, without password hashes, ID and mobile numbers masked.
pub async fn list_users(store: &Store) -> AppResult<Vec<UserSummary>> {
    Ok(store
        .users()
        .await?
        .into_iter()
        .map(UserSummary::from)
        .collect())
}

fn unknown_user(username: &str) -> AppError {
    AppError::not_found(
        "account.unknown_user",
        format!("There is no user {username}."),
        format!("不存在用户 {username}。"),
    )
    .with_field("username")
}

/// Disables a user (who can no longer sign in) and ends all of the user's sessions.
pub async fn disable_user(store: &Store, username: &str) -> AppResult<UserSummary> {
    set_disabled(store, username, true).await
}

/// Lets a disabled user sign in again.
pub async fn enable_user(store: &Store, username: &str) -> AppResult<UserSummary> {
    set_disabled(store, username, false).await
}

async fn set_disabled(store: &Store, username: &str, disabled: bool) -> AppResult<UserSummary> {
    let name = normalize_username(username);
    let id = store
        .set_user_disabled(&name, disabled)
        .await?
        .ok_or_else(|| unknown_user(&name))?;
    match store.user_by_id(id).await? {
        Some(u) => Ok(u.into()),
        None => Err(unknown_user(&name)),
    }
}
