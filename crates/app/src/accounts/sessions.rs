//! Sign-in and sessions: the throttling of failed attempts, the tokens handed to clients (of which
//! the store keeps only a hash), and turning a token back into the user who acts. Every request
//! that needs a user passes through here, so the expiry rules live in one place.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use tongban_store::{NewSession, SessionUserRow, UserRow};

use super::passwords::{DUMMY_HASH, verify_password};
use super::{ApplicantKind, CurrentUser, Session, SessionKind, normalize_username, role_from_name};
use crate::App;
use crate::error::{AppError, AppResult, ErrorKind};

/// Failed sign-ins allowed per user name (and per client) within [`THROTTLE_WINDOW`].
pub const MAX_FAILURES: i64 = 5;
/// How far back failed sign-ins count.
pub const THROTTLE_WINDOW: Duration = Duration::minutes(15);
/// A cookie session ends after this long without a request.
pub const COOKIE_IDLE: Duration = Duration::hours(12);
/// A bearer token ends this long after it was issued.
pub const BEARER_LIFETIME: Duration = Duration::days(30);
/// A session's last use is written at most this often (not on every request).
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// A new session token: 32 random bytes from the operating system, as 64 hex characters.
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::rngs::OsRng.r#gen();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What the store keeps of a token: its SHA-256, hex.
pub fn token_hash(token: &str) -> String {
    tongban_store::fingerprint(token)
}

fn bad_credentials() -> AppError {
    AppError::new(
        ErrorKind::Unauthorized,
        "account.bad_credentials",
        "The user name or the password is wrong.",
        "用户名或密码错误。",
    )
}

fn session_expired() -> AppError {
    AppError::new(
        ErrorKind::Unauthorized,
        "auth.session_expired",
        "Your session has ended; sign in again.",
        "登录已失效，请重新登录。",
    )
}

/// No session or token came with a request that needs one.
pub fn auth_required() -> AppError {
    AppError::new(
        ErrorKind::Unauthorized,
        "auth.required",
        "Sign in first: this needs a session cookie or an Authorization: Bearer token.",
        "请先登录：此操作需要登录会话或 Bearer 令牌。",
    )
}

fn current_user(r: &SessionUserRow) -> AppResult<CurrentUser> {
    Ok(CurrentUser {
        id: r.user_id,
        username: r.username.clone(),
        display_name: r.display_name.clone(),
        role: role_from_name(&r.role).ok_or_else(|| {
            AppError::internal(format!("user {} has role {:?}", r.user_id, r.role))
        })?,
        center_code: r.center_code.clone(),
        department_code: r.department_code.clone(),
        region_code: r.region_code.clone(),
        applicant_kind: r.applicant_kind.as_deref().and_then(ApplicantKind::parse),
        id_number: r.id_number.clone(),
        agent: None,
    })
}

pub(crate) fn user_of(u: &UserRow) -> AppResult<CurrentUser> {
    current_user(&SessionUserRow {
        token_hash: String::new(),
        kind: String::new(),
        created_at: 0,
        expires_at: 0,
        last_seen_at: 0,
        user_id: u.id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role: u.role.clone(),
        center_code: u.center_code.clone(),
        department_code: u.department_code.clone(),
        region_code: u.region_code.clone(),
        disabled: u.disabled,
        applicant_kind: u.applicant_kind.clone(),
        id_number: u.id_number.clone(),
    })
}

fn expiry(kind: SessionKind, now: DateTime<Utc>) -> DateTime<Utc> {
    match kind {
        SessionKind::Cookie => now + COOKIE_IDLE,
        SessionKind::Bearer => now + BEARER_LIFETIME,
    }
}

impl App {
    /// Signs in for a cookie session (see [`App::login_as`]).
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        client_key: &str,
    ) -> AppResult<Session> {
        self.login_as(SessionKind::Cookie, username, password, client_key)
            .await
    }

    /// Signs in. `client_key` names the client for throttling (its address); empty when unknown,
    /// then only the user name is throttled.
    ///
    /// An unknown user and a wrong password give the same error, `account.bad_credentials`, after
    /// the same work; a disabled user learns so only with the right password. After
    /// [`MAX_FAILURES`] failures for the user name or the client within [`THROTTLE_WINDOW`], every
    /// attempt is refused with `account.throttled` (not counted as a failure) until the window has
    /// passed.
    pub async fn login_as(
        &self,
        kind: SessionKind,
        username: &str,
        password: &str,
        client_key: &str,
    ) -> AppResult<Session> {
        let username = normalize_username(username);
        let now = self.clock.now();
        let since = (now - THROTTLE_WINDOW).timestamp_millis();
        let (by_user, by_client) = self
            .store
            .count_login_failures(&username, client_key, since)
            .await?;
        if by_user >= MAX_FAILURES || by_client >= MAX_FAILURES {
            let earliest = self
                .store
                .earliest_login_failure(&username, client_key, since)
                .await?
                .unwrap_or(now.timestamp_millis());
            let wait_ms = (earliest - since).max(0);
            let minutes = (wait_ms + 59_999) / 60_000;
            return Err(AppError::new(
                ErrorKind::TooManyRequests,
                "account.throttled",
                format!("Too many failed sign-ins; try again in {minutes} minutes."),
                format!("登录失败次数过多，请 {minutes} 分钟后再试。"),
            ));
        }
        let user = self.store.user_by_username(&username).await?;
        let hash = user
            .as_ref()
            .map_or(DUMMY_HASH, |u| u.password_hash.as_str())
            .to_string();
        let matches = verify_password(password.to_string(), hash).await?;
        let user = match user {
            Some(u) if matches => u,
            _ => {
                self.store
                    .record_login_failure(&username, client_key, now.timestamp_millis())
                    .await?;
                return Err(bad_credentials());
            }
        };
        if user.disabled {
            return Err(AppError::new(
                ErrorKind::Forbidden,
                "account.disabled",
                "This account is disabled.",
                "该账号已停用。",
            ));
        }
        self.store.clear_login_failures(&username).await?;
        if let Err(e) = self
            .store
            .purge_sessions_and_failures(now.timestamp_millis(), since)
            .await
        {
            tracing::warn!(error = %e, "could not purge old sessions");
        }
        let token = new_token();
        let expires_at = expiry(kind, now);
        self.store
            .create_session(&NewSession {
                token_hash: &token_hash(&token),
                user_id: user.id,
                kind: kind.as_str(),
                now: now.timestamp_millis(),
                expires_at: expires_at.timestamp_millis(),
            })
            .await?;
        Ok(Session {
            token,
            kind,
            expires_at,
            user: user_of(&user)?,
        })
    }

    /// The user a token belongs to. An unknown, ended or expired token is `auth.session_expired`;
    /// a cookie session's idle timeout restarts with each use.
    pub async fn authenticate(&self, token: &str) -> AppResult<CurrentUser> {
        let token = token.trim();
        if token.is_empty() || token.len() > 256 {
            return Err(session_expired());
        }
        let hash = token_hash(token);
        let Some(row) = self.store.session_user(&hash).await? else {
            return Err(session_expired());
        };
        let now = self.clock.now();
        let now_ms = now.timestamp_millis();
        if row.expires_at <= now_ms || row.disabled {
            self.store.delete_session(&hash).await?;
            return Err(session_expired());
        }
        if now_ms - row.last_seen_at >= TOUCH_EVERY.num_milliseconds() {
            let expires_at = match SessionKind::parse(&row.kind) {
                Some(SessionKind::Cookie) => (now + COOKIE_IDLE).timestamp_millis(),
                _ => row.expires_at,
            };
            self.store.touch_session(&hash, now_ms, expires_at).await?;
        }
        current_user(&row)
    }

    /// Ends the session of this token (nothing happens for an unknown token).
    pub async fn logout(&self, token: &str) -> AppResult<()> {
        Ok(self.store.delete_session(&token_hash(token.trim())).await?)
    }
}
