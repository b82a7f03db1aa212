//! Creating accounts. A person's input (the CLI, an admin page) is checked here in full before
//! anything is stored, so that nobody can create a user with a malformed name, a binding their role
//! does not use, a place that does not exist, or an invalid ID or mobile number. First start, which
//! vouches for its own input, goes through the same path but only its password is checked.

use tongban_domain::catalog::Role;
use tongban_domain::identity::{CreditCode, IdentityError, Mobile, ResidentId};
use tongban_store::{NewUser, Store, UserProfile};

use super::passwords::{check_password, hash_password};
use super::{ApplicantKind, NewAccount, UserSummary, parse_role, role_name};
use crate::App;
use crate::clock::Clock;
use crate::error::{AppError, AppResult, ErrorKind};

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

pub(super) fn parse_username(name: &str) -> AppResult<String> {
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
pub(super) fn applicant_identity(
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

impl App {
    /// Creates a user from a person's input (see [`add_user`]).
    pub async fn add_user(&self, account: &NewAccount, password: String) -> AppResult<UserSummary> {
        add_user(&self.store, self.clock.as_ref(), account, password).await
    }
}
