//! 电子监察 time flags: normal, near-due (黄牌) and overdue (红牌).

use serde::{Deserialize, Serialize};

/// How close a case is to its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeStatus {
    /// 正常
    Normal,
    /// 黄牌预警: within the near-due threshold, including the deadline day itself.
    NearDue,
    /// 红牌: past the deadline.
    Overdue,
}

impl TimeStatus {
    /// 正常 / 黄牌 / 红牌
    pub fn name_zh(self) -> &'static str {
        match self {
            TimeStatus::Normal => "正常",
            TimeStatus::NearDue => "黄牌",
            TimeStatus::Overdue => "红牌",
        }
    }
}

/// Flags a case from its remaining working days ([`super::Calendar::remaining_workdays`]): overdue
/// when negative (the deadline day ended), near-due when at most `near_due_threshold` remain (0 means
/// "due today"), normal otherwise.
pub fn time_status(remaining: i64, near_due_threshold: i64) -> TimeStatus {
    if remaining < 0 {
        TimeStatus::Overdue
    } else if remaining <= near_due_threshold {
        TimeStatus::NearDue
    } else {
        TimeStatus::Normal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds() {
        assert_eq!(time_status(10, 3), TimeStatus::Normal);
        assert_eq!(time_status(4, 3), TimeStatus::Normal);
        assert_eq!(time_status(3, 3), TimeStatus::NearDue);
        assert_eq!(time_status(0, 3), TimeStatus::NearDue);
        assert_eq!(time_status(0, 0), TimeStatus::NearDue);
        assert_eq!(time_status(1, 0), TimeStatus::Normal);
        assert_eq!(time_status(-1, 3), TimeStatus::Overdue);
        assert_eq!(TimeStatus::Overdue.name_zh(), "红牌");
        assert_eq!(
            serde_json::to_string(&TimeStatus::NearDue).unwrap(),
            "\"near_due\""
        );
    }
}
