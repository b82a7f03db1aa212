//! Accounts and access: users with their roles and bindings, passwords (argon2, off the async
//! threads), sign-in with throttling, and sessions kept in the database.
//!
//! A session token is 32 random bytes, given to the client once as 64 hex characters; the store
//! keeps only its SHA-256, so a copy of the database lets nobody sign in. Cookie sessions (pages)
//! end after 12 hours without use; bearer tokens (API clients) after 30 days. Five failed sign-ins
//! for one user name, or from one client, within 15 minutes refuse further attempts until the
//! window has passed.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tongban_domain::catalog::Role;
use tongban_domain::identity::mask_any;
use tongban_store::UserRow;

use crate::error::{AppError, AppResult};

mod new_account; // creating users from people's input: user name, role, bindings, identity
mod passwords; // generating, checking and hashing passwords (argon2)
mod sessions; // sign-in with throttling, session tokens, authentication
#[cfg(test)]
mod tests;
mod users; // administering existing users: listing, disabling, enabling

pub(crate) use new_account::create_with_profile;
pub use new_account::{add_user, create_account, normalize_username};
pub use passwords::{generate_password, hash_password, verify_password};
pub(crate) use sessions::user_of;
pub use sessions::{
    BEARER_LIFETIME, COOKIE_IDLE, MAX_FAILURES, THROTTLE_WINDOW, auth_required, new_token,
    token_hash,
};
pub use users::{disable_user, enable_user, list_users};

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
