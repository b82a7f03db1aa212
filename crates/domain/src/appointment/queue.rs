//! The queue (排队叫号): ticket numbers and the ticket state machine.
//!
//! ```text
//! waiting ──call──▶ called ──serve──▶ served
//!                    │  ▲ recall (重呼)
//!                    ▼  │
//!                  skipped (过号, a no-show) ──recall──▶ called (a late arrival)
//! ```

use serde::{Deserialize, Serialize};

use super::error::AppointmentError;

/// A ticket's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    Waiting,
    Called,
    Served,
    Skipped,
}

impl TicketStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Called => "called",
            Self::Served => "served",
            Self::Skipped => "skipped",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "waiting" => Self::Waiting,
            "called" => Self::Called,
            "served" => Self::Served,
            "skipped" => Self::Skipped,
            _ => return None,
        })
    }
}

/// What a clerk does to a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueAction {
    Call,
    Recall,
    Skip,
    Serve,
}

impl QueueAction {
    fn as_str(self) -> &'static str {
        match self {
            Self::Call => "called",
            Self::Recall => "recalled",
            Self::Skip => "skipped",
            Self::Serve => "served",
        }
    }
}

/// The state after `action`, or why it does not apply.
pub fn next_status(
    from: TicketStatus,
    action: QueueAction,
) -> Result<TicketStatus, AppointmentError> {
    use QueueAction as A;
    use TicketStatus as S;
    match (from, action) {
        (S::Waiting, A::Call) => Ok(S::Called),
        (S::Called | S::Skipped, A::Recall) => Ok(S::Called),
        (S::Called, A::Skip) => Ok(S::Skipped),
        (S::Called, A::Serve) => Ok(S::Served),
        _ => Err(AppointmentError::BadQueueStep {
            from: from.as_str(),
            action: action.as_str(),
        }),
    }
}

/// `A023`: the window type's letter and the day's sequence of that type, at least three digits.
pub fn ticket_number(prefix: &str, seq: i64) -> String {
    format!("{prefix}{seq:03}")
}
