//! [`SubCaseStatus`] — the 办件状态 values with their names; kept apart from the rules that move
//! between them so the vocabulary can be read on its own.

use serde::{Deserialize, Serialize};

/// 办件状态 of one sub-case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubCaseStatus {
    /// 等待前置事项 — a bundle item waiting for results it needs.
    Waiting,
    /// 已提交 (待受理)
    Submitted,
    /// 补正中 — the clock is paused.
    AwaitingSupplement,
    /// 已受理
    Accepted,
    /// 已审查
    Reviewed,
    /// 已决定
    Decided,
    /// 已办结
    Concluded,
    /// 已送达
    Delivered,
    /// 不予受理
    Rejected,
    /// 已撤回
    Withdrawn,
    /// 已取消 — an item it needed ended without approval.
    Cancelled,
    // 容缺办 (see `super::tolerance`) ↓
    /// 终止办理 — a 容缺 supplement deadline passed on an item configured to terminate.
    Terminated,
    /// 中止办理 — a 容缺 supplement deadline passed on an item configured to suspend; supplying
    /// the pledged materials resumes it (the clock is paused meanwhile).
    Suspended,
    // 容缺办 ↑
}

impl SubCaseStatus {
    pub const ALL: [SubCaseStatus; 13] = [
        Self::Waiting,
        Self::Submitted,
        Self::AwaitingSupplement,
        Self::Accepted,
        Self::Reviewed,
        Self::Decided,
        Self::Concluded,
        Self::Delivered,
        Self::Rejected,
        Self::Withdrawn,
        Self::Cancelled,
        Self::Terminated,
        Self::Suspended,
    ];

    /// No action can follow, whatever the item: delivered, rejected, withdrawn, cancelled,
    /// terminated (容缺 deadline missed). `Suspended` is not terminal: a supplement resumes it.
    ///
    /// `Concluded` is not terminal here because an item with a deliver step goes on to delivery;
    /// use [`SubCaseState::is_finished`](super::SubCaseState::is_finished) to ask with the item.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Delivered | Self::Rejected | Self::Withdrawn | Self::Cancelled | Self::Terminated
        )
    }

    /// 已办结: the result exists (concluded or delivered).
    pub fn is_concluded(self) -> bool {
        matches!(self, Self::Concluded | Self::Delivered)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Submitted => "submitted",
            Self::AwaitingSupplement => "awaiting_supplement",
            Self::Accepted => "accepted",
            Self::Reviewed => "reviewed",
            Self::Decided => "decided",
            Self::Concluded => "concluded",
            Self::Delivered => "delivered",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
            Self::Cancelled => "cancelled",
            Self::Terminated => "terminated",
            Self::Suspended => "suspended",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Waiting => "等待前置事项",
            Self::Submitted => "待受理",
            Self::AwaitingSupplement => "补正中",
            Self::Accepted => "已受理",
            Self::Reviewed => "已审查",
            Self::Decided => "已决定",
            Self::Concluded => "已办结",
            Self::Delivered => "已送达",
            Self::Rejected => "不予受理",
            Self::Withdrawn => "已撤回",
            Self::Cancelled => "已取消",
            Self::Terminated => "终止办理",
            Self::Suspended => "中止办理",
        }
    }
}
