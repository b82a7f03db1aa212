//! 帮代办: an agent acts for an applicant (the principal) under a written authorization.
//!
//! An [`Authorization`] names the principal, the agent, what kind of agent this is (a relative, a
//! holder of a power of attorney, or a village's appointed helper 帮代办员), the scope (every item,
//! or some items — a bundle is covered when all its items are), the validity period (inclusive
//! dates) and its evidence document (the signed 授权委托书 or power of attorney, uploaded as a
//! file). It can be revoked. [`covers`] is the one rule every agent action goes through.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[cfg(test)]
mod tests;

/// Who the agent is to the principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentKind {
    /// 亲属代办
    Relative,
    /// 委托代理（授权委托书）
    PowerOfAttorney,
    /// 帮代办员: a helper appointed for a village.
    VillageHelper,
}

impl AgentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Relative => "relative",
            Self::PowerOfAttorney => "power_of_attorney",
            Self::VillageHelper => "village_helper",
        }
    }

    pub fn parse(s: &str) -> Option<AgentKind> {
        match s {
            "relative" => Some(Self::Relative),
            "power_of_attorney" => Some(Self::PowerOfAttorney),
            "village_helper" => Some(Self::VillageHelper),
            _ => None,
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Relative => "亲属代办",
            Self::PowerOfAttorney => "委托代理",
            Self::VillageHelper => "帮代办员代办",
        }
    }
}

/// What the agent may apply for: `"all"` or `{"items": ["430400-RS-0001", …]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    All,
    Items(Vec<String>),
}

impl Scope {
    pub fn includes(&self, item_code: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Items(codes) => codes.iter().any(|c| c == item_code),
        }
    }
}

/// One authorization (授权委托).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authorization {
    pub principal_user_id: i64,
    pub agent_user_id: i64,
    pub kind: AgentKind,
    pub scope: Scope,
    /// First day it is valid (inclusive).
    pub valid_from: NaiveDate,
    /// Last day it is valid (inclusive): the day after, the agent can no longer act.
    pub valid_to: NaiveDate,
    /// SHA-256 of the uploaded evidence document.
    pub evidence_file: Option<String>,
    /// When it was revoked (epoch ms), if it was.
    pub revoked_at: Option<i64>,
}

/// Why an authorization does not let the agent act (or cannot be granted).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgencyError {
    #[error("the authorization is valid only from {from}")]
    NotYetValid { from: NaiveDate },
    #[error("the authorization expired on {to} (its last valid day)")]
    Expired { to: NaiveDate },
    #[error("the authorization has been revoked")]
    Revoked,
    #[error("the authorization does not cover item {item}")]
    OutsideScope { item: String },
    #[error("the validity period is wrong: it must start no later than it ends ({from} … {to})")]
    BadPeriod { from: NaiveDate, to: NaiveDate },
    #[error("the validity period ended on {to}, before today")]
    EndsInPast { to: NaiveDate },
    #[error("the scope names no item; give \"all\" or at least one item code")]
    EmptyScope,
    #[error("an authorization must name someone other than the principal as the agent")]
    SelfAuthorization,
}

impl AgencyError {
    /// The stable code (`agency.*`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotYetValid { .. } => "agency.not_yet_valid",
            Self::Expired { .. } => "agency.expired",
            Self::Revoked => "agency.revoked",
            Self::OutsideScope { .. } => "agency.outside_scope",
            Self::BadPeriod { .. } => "agency.bad_period",
            Self::EndsInPast { .. } => "agency.ends_in_past",
            Self::EmptyScope => "agency.empty_scope",
            Self::SelfAuthorization => "agency.self_authorization",
        }
    }

    pub fn message_zh(&self) -> String {
        match self {
            Self::NotYetValid { from } => format!("授权委托自 {from} 起生效，目前尚未生效。"),
            Self::Expired { to } => format!("授权委托已于 {to}（最后有效日）到期。"),
            Self::Revoked => "授权委托已被撤销。".to_string(),
            Self::OutsideScope { item } => format!("授权委托的范围不包括事项 {item}。"),
            Self::BadPeriod { from, to } => {
                format!("有效期有误：开始日期不能晚于结束日期（{from} 至 {to}）。")
            }
            Self::EndsInPast { to } => format!("有效期已于 {to} 结束，早于今天。"),
            Self::EmptyScope => {
                "授权范围未列出任何事项；请填写 \"all\" 或至少一个事项编码。".to_string()
            }
            Self::SelfAuthorization => "受托人不能是委托人本人。".to_string(),
        }
    }

    /// The request field the problem is about.
    pub fn field(&self) -> &'static str {
        match self {
            Self::NotYetValid { .. } | Self::Expired { .. } | Self::Revoked => "on_behalf_of",
            Self::OutsideScope { .. } => "item",
            Self::BadPeriod { .. } | Self::EndsInPast { .. } => "valid_to",
            Self::EmptyScope => "scope",
            Self::SelfAuthorization => "agent",
        }
    }
}

/// Whether `a` lets its agent act on all of `item_codes` on day `on` (a bundle: all its items).
/// Checked in this order: revoked, not yet valid, expired, scope (naming the first item outside).
pub fn covers(a: &Authorization, item_codes: &[&str], on: NaiveDate) -> Result<(), AgencyError> {
    if a.revoked_at.is_some() {
        return Err(AgencyError::Revoked);
    }
    if on < a.valid_from {
        return Err(AgencyError::NotYetValid { from: a.valid_from });
    }
    if on > a.valid_to {
        return Err(AgencyError::Expired { to: a.valid_to });
    }
    if let Some(item) = item_codes.iter().find(|c| !a.scope.includes(c)) {
        return Err(AgencyError::OutsideScope {
            item: (*item).to_string(),
        });
    }
    Ok(())
}

/// Of several authorizations between the same two people (oldest first), the first that covers;
/// otherwise the refusal of the newest one, which is the one the people concerned have in mind.
pub fn best_cover<'a>(
    all: impl IntoIterator<Item = &'a Authorization>,
    item_codes: &[&str],
    on: NaiveDate,
) -> Option<Result<(), AgencyError>> {
    let mut newest: Option<AgencyError> = None;
    for a in all {
        match covers(a, item_codes, on) {
            Ok(()) => return Some(Ok(())),
            Err(e) => newest = Some(e),
        }
    }
    newest.map(Err)
}

/// The checks on a new authorization that need no lookups.
pub fn validate_grant(a: &Authorization, today: NaiveDate) -> Result<(), AgencyError> {
    if a.principal_user_id == a.agent_user_id {
        return Err(AgencyError::SelfAuthorization);
    }
    if a.valid_to < today {
        return Err(AgencyError::EndsInPast { to: a.valid_to });
    }
    if a.valid_from > a.valid_to {
        return Err(AgencyError::BadPeriod {
            from: a.valid_from,
            to: a.valid_to,
        });
    }
    if matches!(&a.scope, Scope::Items(codes) if codes.is_empty()) {
        return Err(AgencyError::EmptyScope);
    }
    Ok(())
}
