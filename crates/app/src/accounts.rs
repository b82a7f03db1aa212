//! Accounts and access: users with their roles and bindings, passwords (argon2, off the async
//! threads), sign-in with throttling, and sessions kept in the database.
//!
//! A session token is 32 random bytes, given to the client once as 64 hex characters; the store
//! keeps only its SHA-256, so a copy of the database lets nobody sign in. Cookie sessions (pages)
//! end after 12 hours without use; bearer tokens (API clients) after 30 days. Five failed sign-ins
//! for one user name, or from one client, within 15 minutes refuse further attempts until the
//! window has passed.

use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
use argon2::{Argon2, PasswordHash, PasswordVerifier};
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use serde::Serialize;
use tongban_domain::catalog::Role;
use tongban_domain::identity::{CreditCode, IdentityError, Mobile, ResidentId, mask_any};
use tongban_store::{NewSession, NewUser, SessionUserRow, Store, UserProfile, UserRow};

use crate::App;
use crate::clock::Clock;
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

const ROLES: [Role; 6] = [
    Role::Applicant,
    Role::Clerk,
    Role::Approver,
    Role::Supervisor,
    Role::CatalogAdmin,
    Role::SystemAdmin,
];

/// The role with this stored name.
pub fn role_from_name(name: &str) -> Option<Role> {
    ROLES.into_iter().find(|r| role_name(*r) == name)
}

/// Parses a role given by a person, naming the field when it is unknown.
pub fn parse_role(name: &str, field: &str) -> AppResult<Role> {
    role_from_name(name.trim()).ok_or_else(|| {
        let known = ROLES.map(role_name).join(", ");
        AppError::invalid(
            "account.unknown_role",
            format!("There is no role {name:?}; the roles are {known}."),
            format!("不存在角色 {name:?}；可用角色为 {known}。"),
        )
        .with_field(field)
    })
}

/// Whether an applicant is a person or an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantKind {
    /// 自然人, identified by a resident ID number.
    Person,
    /// 法人或其他组织, identified by a unified social credit code.
    Organization,
}

impl ApplicantKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicantKind::Person => "person",
            ApplicantKind::Organization => "organization",
        }
    }

    pub fn parse(s: &str) -> Option<ApplicantKind> {
        match s.trim() {
            "person" => Some(ApplicantKind::Person),
            "organization" => Some(ApplicantKind::Organization),
            _ => None,
        }
    }
}

/// The signed-in user: who acts. Services take it as the actor; it carries no password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CurrentUser {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// A clerk's service center.
    pub center_code: Option<String>,
    /// An approver's department.
    pub department_code: Option<String>,
    /// A supervisor's region.
    pub region_code: Option<String>,
    /// An applicant's kind.
    pub applicant_kind: Option<ApplicantKind>,
    /// An applicant's resident ID number or unified social credit code.
    pub id_number: Option<String>,
    /// 帮代办: the agent really acting when this is a principal's effective user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<crate::agency::ActingAgent>,
}

/// How a session is carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    /// A browser cookie; ends after 12 hours without use.
    #[default]
    Cookie,
    /// `Authorization: Bearer`, for API clients; ends 30 days after sign-in.
    Bearer,
}

impl SessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Cookie => "cookie",
            SessionKind::Bearer => "bearer",
        }
    }

    pub fn parse(s: &str) -> Option<SessionKind> {
        match s {
            "cookie" => Some(SessionKind::Cookie),
            "bearer" => Some(SessionKind::Bearer),
            _ => None,
        }
    }
}

/// A new session: the token (shown this once), who it is for, and when it ends unless used.
#[derive(Debug, Clone, Serialize)]
pub struct Session {
    pub token: String,
    pub kind: SessionKind,
    pub expires_at: DateTime<Utc>,
    pub user: CurrentUser,
}

/// A user as listed for administrators: no password hash; ID and mobile numbers masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserSummary {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub center_code: Option<String>,
    pub department_code: Option<String>,
    pub region_code: Option<String>,
    pub applicant_kind: Option<String>,
    /// Masked (脱敏).
    pub id_number: Option<String>,
    /// Masked (脱敏).
    pub mobile: Option<String>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

impl From<UserRow> for UserSummary {
    fn from(u: UserRow) -> Self {
        UserSummary {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            role: u.role,
            center_code: u.center_code,
            department_code: u.department_code,
            region_code: u.region_code,
            applicant_kind: u.applicant_kind,
            id_number: u.id_number.as_deref().map(mask_any),
            mobile: u.mobile.as_deref().map(mask_any),
            disabled: u.disabled,
            created_at: DateTime::from_timestamp_millis(u.created_at).unwrap_or_default(),
        }
    }
}

/// A user to create, as given by a person (the CLI, later an admin page): raw text, checked by
/// [`add_user`]. Empty strings count as absent.
#[derive(Debug, Clone, Default)]
pub struct NewAccount {
    pub username: String,
    pub role: String,
    pub display_name: Option<String>,
    pub center_code: Option<String>,
    pub department_code: Option<String>,
    pub region_code: Option<String>,
    /// `person` or `organization`; inferred from `id_number` when absent.
    pub applicant_kind: Option<String>,
    pub id_number: Option<String>,
    pub mobile: Option<String>,
}

impl NewAccount {
    pub fn new(username: impl Into<String>, role: impl Into<String>) -> Self {
        NewAccount {
            username: username.into(),
            role: role.into(),
            ..NewAccount::default()
        }
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

/// An argon2 hash (default parameters) of a password nobody knows. Signing in as an unknown user
/// verifies against it, so that an unknown name costs as much time as a wrong password and the
/// answer's timing does not tell which user names exist.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRmb3J0aW1pbmc$\
     3V9eTvTyqL8vrpG2o8vGh7C4Y9hSmS1cBkJ4yYwq2bA";

const PASSWORD_MIN: usize = 10;
const PASSWORD_MAX: usize = 1024;

fn check_password(password: &str) -> AppResult<()> {
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

/// Creates an account with a given password; returns its id. Checks only the password: the
/// caller vouches for the rest (first start); people's input goes through [`add_user`].
pub async fn create_account(
    store: &Store,
    user: NewUser,
    password: String,
    now: i64,
) -> AppResult<i64> {
    create_with_profile(store, user, UserProfile::default(), password, now).await
}

pub(crate) async fn create_with_profile(
    store: &Store,
    mut user: NewUser,
    profile: UserProfile,
    password: String,
    now: i64,
) -> AppResult<i64> {
    check_password(&password)?;
    user.password_hash = hash_password(password).await?;
    store
        .create_user_with_profile(&user, &profile, now)
        .await
        .map_err(|e| match e {
            tongban_store::StoreError::Conflict { .. } => AppError::new(
                ErrorKind::Conflict,
                "account.username_taken",
                format!("The user name {} is already taken.", user.username),
                format!("用户名 {} 已被使用。", user.username),
            )
            .with_field("username"),
            other => other.into(),
        })
}

/// User names are compared without case and surrounding blanks.
pub fn normalize_username(name: &str) -> String {
    name.trim().to_lowercase()
}

fn parse_username(name: &str) -> AppResult<String> {
    let name = normalize_username(name);
    let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@');
    let len = name.chars().count();
    if !(2..=64).contains(&len) || !name.chars().all(ok_char) {
        return Err(AppError::invalid(
            "account.bad_username",
            format!(
                "A user name has 2 to 64 characters: letters, digits and . _ - @; got {name:?}."
            ),
            format!("用户名应为 2 到 64 个字符，只能包含字母、数字和 . _ - @；实际为 {name:?}。"),
        )
        .with_field("username"));
    }
    Ok(name)
}

/// `Some(trimmed)` for a non-empty value.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn identity_problem(e: &IdentityError, field: &str) -> AppError {
    AppError::invalid(e.code(), format!("{e}."), format!("{}。", e.message_zh())).with_field(field)
}

fn not_allowed(role: Role, field: &str) -> AppError {
    let r = role_name(role);
    AppError::invalid(
        "account.binding_not_allowed",
        format!("A user with the role {r} cannot have {field}."),
        format!("角色为 {r} 的用户不能设置 {field}。"),
    )
    .with_field(field)
}

fn binding_missing(role: Role, field: &str, what: &str, what_zh: &str) -> AppError {
    let r = role_name(role);
    AppError::invalid(
        "account.binding_missing",
        format!("A user with the role {r} must be bound to {what} ({field})."),
        format!("角色为 {r} 的用户必须绑定{what_zh}（{field}）。"),
    )
    .with_field(field)
}

fn unknown_place(code: &str, field: &str, kind: &str, what: &str, what_zh: &str) -> AppError {
    AppError::invalid(
        format!("account.unknown_{kind}"),
        format!("There is no {what} with code {code}."),
        format!("不存在代码为 {code} 的{what_zh}。"),
    )
    .with_field(field)
}

/// Checks where a user is bound: a clerk to an existing service center, an approver to an existing
/// department, a supervisor to an existing region; nobody to a place their role does not use.
async fn check_bindings(
    store: &Store,
    role: Role,
    center: Option<&str>,
    department: Option<&str>,
    region: Option<&str>,
) -> AppResult<()> {
    let (needs_center, needs_department, needs_region) = (
        role == Role::Clerk,
        role == Role::Approver,
        role == Role::Supervisor,
    );
    match (needs_center, center) {
        (true, None) => {
            return Err(binding_missing(
                role,
                "center_code",
                "a service center",
                "服务中心",
            ));
        }
        (false, Some(_)) => return Err(not_allowed(role, "center_code")),
        (true, Some(c)) => {
            if store.center(c).await?.is_none() {
                return Err(unknown_place(
                    c,
                    "center_code",
                    "center",
                    "service center",
                    "服务中心",
                ));
            }
        }
        (false, None) => {}
    }
    match (needs_department, department) {
        (true, None) => {
            return Err(binding_missing(
                role,
                "department_code",
                "a department",
                "部门",
            ));
        }
        (false, Some(_)) => return Err(not_allowed(role, "department_code")),
        (true, Some(d)) => {
            if !store.department_exists(d).await? {
                return Err(unknown_place(
                    d,
                    "department_code",
                    "department",
                    "department",
                    "部门",
                ));
            }
        }
        (false, None) => {}
    }
    match (needs_region, region) {
        (true, None) => {
            return Err(binding_missing(role, "region_code", "a region", "行政区划"));
        }
        (false, Some(_)) => return Err(not_allowed(role, "region_code")),
        (true, Some(r)) => {
            let code = crate::places::parse_region_code(r, "region_code")?;
            if store.region(code.as_str()).await?.is_none() {
                return Err(unknown_place(
                    r,
                    "region_code",
                    "region",
                    "region",
                    "行政区划",
                ));
            }
        }
        (false, None) => {}
    }
    Ok(())
}

/// An applicant's kind and normalized ID number: the kind given, or inferred from the number (a
/// valid resident ID number is a person, else a unified social credit code an organization).
fn applicant_identity(
    kind: Option<&str>,
    id_number: Option<&str>,
    today: chrono::NaiveDate,
) -> AppResult<(ApplicantKind, Option<String>)> {
    let kind = kind
        .map(|k| {
            ApplicantKind::parse(k).ok_or_else(|| {
                AppError::invalid(
                    "account.unknown_applicant_kind",
                    format!("An applicant is a person or an organization; got {k:?}."),
                    format!(
                        "申请人类型应为 person（自然人）或 organization（法人）；实际为 {k:?}。"
                    ),
                )
                .with_field("applicant_kind")
            })
        })
        .transpose()?;
    let Some(number) = id_number else {
        return Ok((kind.unwrap_or(ApplicantKind::Person), None));
    };
    let person = || {
        ResidentId::parse_on(number, today)
            .map(|id| id.as_str().to_string())
            .map_err(|e| identity_problem(&e, "id_number"))
    };
    let organization = || {
        CreditCode::parse(number)
            .map(|p| p.code.as_str().to_string())
            .map_err(|e| identity_problem(&e, "id_number"))
    };
    match kind {
        Some(ApplicantKind::Person) => Ok((ApplicantKind::Person, Some(person()?))),
        Some(ApplicantKind::Organization) => {
            Ok((ApplicantKind::Organization, Some(organization()?)))
        }
        None => match person() {
            Ok(n) => Ok((ApplicantKind::Person, Some(n))),
            // Shaped like a resident ID number (17 digits, then a digit or X): a mistyped one,
            // whatever else it might parse as; say what is wrong with it as one.
            Err(person_error) if looks_like_resident_id(number) => Err(person_error),
            Err(_) => Ok((ApplicantKind::Organization, Some(organization()?))),
        },
    }
}

fn looks_like_resident_id(s: &str) -> bool {
    let s = s.trim();
    s.len() == 18
        && s.char_indices()
            .all(|(i, c)| c.is_ascii_digit() || (i == 17 && c.eq_ignore_ascii_case(&'x')))
}

/// Creates a user from a person's input, checking everything: user name, role, where the user is
/// bound (the place must exist), an applicant's kind and ID number, mobile, password.
pub async fn add_user(
    store: &Store,
    clock: &dyn Clock,
    account: &NewAccount,
    password: String,
) -> AppResult<UserSummary> {
    let username = parse_username(&account.username)?;
    let role = parse_role(&account.role, "role")?;
    let display_name = given(&account.display_name)
        .unwrap_or(&username)
        .to_string();
    if display_name.chars().count() > 64 || display_name.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "account.bad_display_name",
            "A display name has at most 64 characters and no control characters.",
            "显示名称最多 64 个字符，且不能包含控制字符。",
        )
        .with_field("display_name"));
    }
    let (center, department, region) = (
        given(&account.center_code),
        given(&account.department_code),
        given(&account.region_code),
    );
    check_bindings(store, role, center, department, region).await?;
    let (kind, id_number) = (given(&account.applicant_kind), given(&account.id_number));
    let (applicant_kind, id_number) = if role == Role::Applicant {
        let (k, n) = applicant_identity(kind, id_number, clock.today())?;
        (Some(k.as_str().to_string()), n)
    } else if kind.is_some() {
        return Err(not_allowed(role, "applicant_kind"));
    } else if id_number.is_some() {
        return Err(not_allowed(role, "id_number"));
    } else {
        (None, None)
    };
    let mobile = given(&account.mobile)
        .map(|m| {
            Mobile::parse(m)
                .map(|m| m.as_str().to_string())
                .map_err(|e| identity_problem(&e, "mobile"))
        })
        .transpose()?;
    check_password(&password)?;
    let user = NewUser {
        username,
        display_name,
        role: role_name(role).to_string(),
        center_code: center.map(str::to_string),
        department_code: department.map(str::to_string),
        region_code: region.map(str::to_string),
        password_hash: String::new(),
    };
    let profile = UserProfile {
        applicant_kind,
        id_number,
        mobile,
    };
    let id = create_with_profile(
        store,
        user,
        profile,
        password,
        clock.now().timestamp_millis(),
    )
    .await?;
    match store.user_by_id(id).await? {
        Some(u) => Ok(u.into()),
        None => Err(AppError::internal(format!(
            "user {id} vanished after creation"
        ))),
    }
}

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
    /// Creates a user from a person's input (see [`add_user`]).
    pub async fn add_user(&self, account: &NewAccount, password: String) -> AppResult<UserSummary> {
        add_user(&self.store, self.clock.as_ref(), account, password).await
    }

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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

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

    #[tokio::test]
    async fn the_dummy_hash_costs_what_a_real_one_does() {
        // Same algorithm and parameters as a freshly made hash, so verifying takes as long.
        let real = hash_password("whatever password".into()).await.unwrap();
        let params = |h: &str| h.rsplitn(3, '$').nth(2).map(str::to_string);
        assert_eq!(params(DUMMY_HASH), params(&real));
        assert!(!verify_password("".into(), DUMMY_HASH.into()).await.unwrap());
    }

    #[test]
    fn roles_round_trip() {
        for r in ROLES {
            assert_eq!(role_from_name(role_name(r)), Some(r));
        }
        let e = parse_role("admin", "role").unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.field.as_deref()),
            ("account.unknown_role", Some("role"))
        );
    }

    #[test]
    fn tokens_are_random_hex_and_stored_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }

    #[test]
    fn usernames_are_normalized_and_checked() {
        assert_eq!(parse_username("  Alice.W ").unwrap(), "alice.w");
        assert!(parse_username("a").is_err());
        assert!(parse_username("has space").is_err());
        assert!(parse_username("张三").is_err());
    }

    #[test]
    fn applicant_kind_is_inferred_from_the_number() {
        let today = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
        let (k, n) = applicant_identity(None, Some("11010519491231002x"), today).unwrap();
        assert_eq!(
            (k, n.as_deref()),
            (ApplicantKind::Person, Some("11010519491231002X"))
        );
        let (k, n) = applicant_identity(None, Some("91350100m000100y43"), today).unwrap();
        assert_eq!(
            (k, n.as_deref()),
            (ApplicantKind::Organization, Some("91350100M000100Y43"))
        );
        // A mistyped resident ID number is not taken for a credit code…
        let e = applicant_identity(None, Some("110105194912310021"), today).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.field.as_deref()),
            ("identity.checksum_mismatch", Some("id_number"))
        );
        // …unless the applicant is said to be an organization.
        let e = applicant_identity(Some("person"), Some("91350100M000100Y43"), today).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("id_number"));
        let e = applicant_identity(Some("robot"), None, today).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("applicant_kind"));
        assert_eq!(
            applicant_identity(None, None, today).unwrap(),
            (ApplicantKind::Person, None)
        );
    }

    /// An app on a fresh SQLite database with a clock the test moves, and one user.
    async fn app_with_clock() -> (
        tempfile::TempDir,
        App,
        std::sync::Arc<crate::clock::FixedClock>,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let url = tongban_store::DatabaseUrl::default_in(dir.path());
        let store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let start = DateTime::parse_from_rfc3339("2025-06-02T09:00:00+08:00")
            .unwrap()
            .with_timezone(&Utc);
        let clock = std::sync::Arc::new(crate::clock::FixedClock::new(start));
        let app = App::load(store, clock.clone(), dir.path().to_path_buf())
            .await
            .unwrap();
        app.add_user(
            &NewAccount::new("ops", "system_admin"),
            "long enough password".into(),
        )
        .await
        .unwrap();
        (dir, app, clock)
    }

    #[tokio::test]
    async fn throttling_lifts_when_the_window_has_passed() {
        let (_dir, app, clock) = app_with_clock().await;
        let t0 = clock.now();
        for i in 0..5 {
            clock.set(t0 + Duration::minutes(i));
            let e = app
                .login("ops", "wrong password!", "10.0.0.1")
                .await
                .unwrap_err();
            assert_eq!(e.code, "account.bad_credentials");
        }
        clock.set(t0 + Duration::minutes(10));
        let e = app
            .login("ops", "long enough password", "10.0.0.2")
            .await
            .unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.kind),
            ("account.throttled", ErrorKind::TooManyRequests)
        );
        assert!(e.message.contains("5 minutes"), "{}", e.message);
        // Refused attempts do not count: 15 minutes after the first failure only four remain.
        clock.set(t0 + Duration::minutes(15) + Duration::milliseconds(1));
        app.login("ops", "long enough password", "10.0.0.2")
            .await
            .unwrap();
        // Success cleared them: four more failures are still allowed.
        for _ in 0..4 {
            app.login("ops", "wrong password!", "10.0.0.1")
                .await
                .unwrap_err();
        }
        app.login("ops", "long enough password", "10.0.0.1")
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn the_client_is_throttled_across_user_names() {
        let (_dir, app, _clock) = app_with_clock().await;
        for i in 0..5 {
            app.login(&format!("ghost{i}"), "x", "10.0.0.9")
                .await
                .unwrap_err();
        }
        let e = app
            .login("ops", "long enough password", "10.0.0.9")
            .await
            .unwrap_err();
        assert_eq!(e.code, "account.throttled");
        // Another client is not; without a client key only the user name counts.
        app.login("ops", "long enough password", "10.0.0.8")
            .await
            .unwrap();
        app.login("ops", "long enough password", "").await.unwrap();
    }

    #[tokio::test]
    async fn cookie_sessions_end_when_idle_and_bearer_tokens_after_30_days() {
        let (_dir, app, clock) = app_with_clock().await;
        let t0 = clock.now();
        let cookie = app.login("ops", "long enough password", "").await.unwrap();
        let bearer = app
            .login_as(SessionKind::Bearer, "ops", "long enough password", "")
            .await
            .unwrap();
        assert_eq!(cookie.expires_at, t0 + COOKIE_IDLE);
        assert_eq!(bearer.expires_at, t0 + BEARER_LIFETIME);
        // Used every 11 hours, a cookie session goes on…
        for i in 1..=4 {
            clock.set(t0 + Duration::hours(11 * i));
            assert_eq!(
                app.authenticate(&cookie.token).await.unwrap().username,
                "ops"
            );
        }
        // …and ends 12 idle hours after its last use.
        clock.set(t0 + Duration::hours(44 + 12));
        let e = app.authenticate(&cookie.token).await.unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.kind),
            ("auth.session_expired", ErrorKind::Unauthorized)
        );
        // A bearer token does not slide.
        clock.set(t0 + Duration::days(30) - Duration::minutes(1));
        app.authenticate(&bearer.token).await.unwrap();
        clock.set(t0 + Duration::days(30));
        assert_eq!(
            app.authenticate(&bearer.token).await.unwrap_err().code,
            "auth.session_expired"
        );
    }
}
