//! The one error type of the appointment module.

use chrono::NaiveDate;

/// Why a template, a booking or a queue step is refused (预约错误).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppointmentError {
    /// 时段模板有误
    #[error("{field}: {message}")]
    InvalidTemplate {
        field: String,
        message: String,
        message_zh: String,
    },
    /// 当日不开放
    #[error("{date} is {reason}; the center takes no appointments that day")]
    DayClosed {
        date: NaiveDate,
        reason: String,
        reason_zh: String,
    },
    /// 不是可预约的时段
    #[error("there is no {window_type} slot starting at {date} {time}")]
    NoSuchSlot {
        date: NaiveDate,
        time: String,
        window_type: String,
    },
    /// 时段已过
    #[error("the slot {date} {time} has already ended")]
    SlotPast { date: NaiveDate, time: String },
    /// 超出可预约天数
    #[error("appointments can be made at most {days} days ahead")]
    BeyondHorizon { days: u32 },
    /// 重复预约
    #[error("you already have an appointment at an overlapping time")]
    DoubleBooked,
    /// 未完成的预约过多
    #[error("you already have {open} open appointments, the most allowed")]
    TooManyOpen { open: u32 },
    /// 号源已满
    #[error("the slot is fully booked")]
    SlotFull,
    /// 叫号操作不适用于当前状态
    #[error("a ticket that is {from} cannot be {action}")]
    BadQueueStep {
        from: &'static str,
        action: &'static str,
    },
}

impl AppointmentError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidTemplate { .. } => "appointment.invalid_template",
            Self::DayClosed { .. } => "appointment.day_closed",
            Self::NoSuchSlot { .. } => "appointment.no_such_slot",
            Self::SlotPast { .. } => "appointment.slot_past",
            Self::BeyondHorizon { .. } => "appointment.beyond_horizon",
            Self::DoubleBooked => "appointment.double_booked",
            Self::TooManyOpen { .. } => "appointment.too_many_open",
            Self::SlotFull => "appointment.slot_full",
            Self::BadQueueStep { .. } => "queue.bad_step",
        }
    }

    /// 中文提示
    pub fn message_zh(&self) -> String {
        match self {
            Self::InvalidTemplate {
                field, message_zh, ..
            } => format!("{field}：{message_zh}"),
            Self::DayClosed {
                date, reason_zh, ..
            } => format!("{date} 为{reason_zh}，当日不受理预约"),
            Self::NoSuchSlot {
                date,
                time,
                window_type,
            } => format!("{date} {time} 没有可预约的 {window_type} 时段"),
            Self::SlotPast { date, time } => format!("{date} {time} 的时段已结束"),
            Self::BeyondHorizon { days } => format!("最多可提前 {days} 天预约"),
            Self::DoubleBooked => "您在重叠的时间已有预约，不能重复预约".to_owned(),
            Self::TooManyOpen { open } => {
                format!("您已有 {open} 个未完成的预约，已达上限")
            }
            Self::SlotFull => "该时段号源已满".to_owned(),
            Self::BadQueueStep { from, action } => {
                format!("状态为 {from} 的号码不能执行 {action}")
            }
        }
    }
}
