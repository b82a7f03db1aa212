//! Actions on a sub-case: [`Action`] with its data, [`ActionKind`] with its names, and what they
//! record ([`CaseResult`], [`DeliveryMethod`]); separate from the rules deciding when they apply.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// 办结结果 — what a conclusion issues (a certificate, a decision letter, a notice).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseResult {
    /// 文书 / 证照编号.
    pub number: String,
    pub content: String,
    /// 出具单位.
    pub issuer: String,
    pub issued_on: NaiveDate,
    /// 准予 (true) or 不予 (false).
    pub approved: bool,
}

/// 送达方式.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMethod {
    /// 电子送达
    Electronic,
    /// 邮寄送达
    Post,
    /// 窗口领取 (at the receiving center)
    AtCenter,
}

impl DeliveryMethod {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Electronic => "电子送达",
            Self::Post => "邮寄送达",
            Self::AtCenter => "窗口领取",
        }
    }
}

/// One action on a sub-case, with what it records. Serialized with an `action` tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// 受理
    Accept,
    /// 容缺受理: accepts with the listed tolerable materials missing, on a supplement pledge
    /// (see `super::tolerance`).
    AcceptWithTolerance { tolerated: Vec<String> },
    /// 不予受理, with at least one non-empty reason.
    Reject { reasons: Vec<String> },
    /// 一次性告知: every missing material code at once (at least one).
    RequestSupplement {
        materials: Vec<String>,
        note: Option<String>,
    },
    /// 补正: must cover every requested material; resumes where it paused. Also delivers pledged
    /// 容缺 materials (see `super::tolerance`).
    Supplement { materials: Vec<String> },
    /// 审查
    Review { opinion: String },
    /// 准予
    Approve { opinion: String },
    /// 不予, with at least one non-empty reason.
    Deny { reasons: Vec<String> },
    /// 办结: records the result.
    Conclude { result: CaseResult },
    /// 送达
    Deliver { method: DeliveryMethod },
    /// 撤回, with a non-empty reason.
    Withdraw { reason: String },
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Self::Accept => ActionKind::Accept,
            Self::AcceptWithTolerance { .. } => ActionKind::AcceptWithTolerance,
            Self::Reject { .. } => ActionKind::Reject,
            Self::RequestSupplement { .. } => ActionKind::RequestSupplement,
            Self::Supplement { .. } => ActionKind::Supplement,
            Self::Review { .. } => ActionKind::Review,
            Self::Approve { .. } => ActionKind::Approve,
            Self::Deny { .. } => ActionKind::Deny,
            Self::Conclude { .. } => ActionKind::Conclude,
            Self::Deliver { .. } => ActionKind::Deliver,
            Self::Withdraw { .. } => ActionKind::Withdraw,
        }
    }
}

/// The kinds of [`Action`], without their data (for permissions, menus and event kinds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Accept,
    AcceptWithTolerance,
    Reject,
    RequestSupplement,
    Supplement,
    Review,
    Approve,
    Deny,
    Conclude,
    Deliver,
    Withdraw,
}

impl ActionKind {
    pub const ALL: [ActionKind; 11] = [
        Self::Accept,
        Self::AcceptWithTolerance,
        Self::Reject,
        Self::RequestSupplement,
        Self::Supplement,
        Self::Review,
        Self::Approve,
        Self::Deny,
        Self::Conclude,
        Self::Deliver,
        Self::Withdraw,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::AcceptWithTolerance => "accept_with_tolerance",
            Self::Reject => "reject",
            Self::RequestSupplement => "request_supplement",
            Self::Supplement => "supplement",
            Self::Review => "review",
            Self::Approve => "approve",
            Self::Deny => "deny",
            Self::Conclude => "conclude",
            Self::Deliver => "deliver",
            Self::Withdraw => "withdraw",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Accept => "受理",
            Self::AcceptWithTolerance => "容缺受理",
            Self::Reject => "不予受理",
            Self::RequestSupplement => "一次性告知补正",
            Self::Supplement => "补正材料",
            Self::Review => "审查",
            Self::Approve => "准予",
            Self::Deny => "不予批准",
            Self::Conclude => "办结",
            Self::Deliver => "送达",
            Self::Withdraw => "撤回",
        }
    }
}
