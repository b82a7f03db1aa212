//! 网上办: self-registration of an applicant account (a person with a resident ID, or an
//! organization with its unified social credit code), so that everything else can be done online.

use serde::{Deserialize, Serialize};

use crate::App;
use crate::accounts::{NewAccount, UserSummary};
use crate::error::{AppError, AppResult};

/// `POST /api/v1/accounts/register`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    pub username: String,
    pub password: String,
    /// The person's name, or the organization's.
    #[serde(default)]
    pub display_name: Option<String>,
    /// 18-digit resident ID (GB 11643) or 18-character credit code (GB 32100).
    #[serde(default)]
    pub id_number: Option<String>,
    /// `person` or `organization`; inferred from `id_number` when absent.
    #[serde(default)]
    pub applicant_kind: Option<String>,
    /// Mainland mobile number, for notices.
    #[serde(default)]
    pub mobile: Option<String>,
}

fn required(value: &Option<String>, field: &str, en: &str, zh: &str) -> AppResult<()> {
    if value.as_deref().is_some_and(|v| !v.trim().is_empty()) {
        return Ok(());
    }
    Err(AppError::invalid(
        format!("account.{field}_required"),
        format!("Registration needs {en}."),
        format!("注册须填写{zh}。"),
    )
    .with_field(field))
}

impl App {
    /// Creates an `applicant` account from a registration. The identity number and mobile are
    /// required here (an applicant created by an administrator may lack a mobile); everything is
    /// validated as for [`App::add_user`], each problem naming its field.
    pub async fn register(&self, r: &Registration) -> AppResult<UserSummary> {
        required(
            &r.id_number,
            "id_number",
            "a resident ID or unified social credit code",
            "公民身份号码或统一社会信用代码",
        )?;
        required(&r.mobile, "mobile", "a mobile number", "手机号码")?;
        let account = NewAccount {
            display_name: r.display_name.clone(),
            applicant_kind: r.applicant_kind.clone(),
            id_number: r.id_number.clone(),
            mobile: r.mobile.clone(),
            ..NewAccount::new(r.username.clone(), "applicant")
        };
        self.add_user(&account, r.password.clone()).await
    }
}
