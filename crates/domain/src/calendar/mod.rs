//! The working-day calendar (工作日历) and time-limit counting (办结时限计算).
//!
//! - [`YearSchedule`] — one year's State Council holiday notice (节假日安排), read from and written to the
//!   holiday-cn JSON format;
//! - [`Calendar`] — the official schedules 2019–2026 bundled ([`Calendar::official`]), newer years and
//!   one-off changes (临时调整) loaded by an administrator, and what each day is ([`Calendar::day_info`]);
//! - counting — [`Calendar::deadline`], [`Calendar::workdays_between`], and with pauses (中止/扣除时间)
//!   [`Calendar::deadline_with_pauses`], [`Calendar::elapsed_workdays`], [`Calendar::remaining_workdays`];
//!   every result is [`Counted`], naming the years it relied on that have no published schedule;
//! - [`time_status`] — normal, near-due (黄牌) or overdue (红牌).
//!
//! Counting rule (行政许可法 Art. 82): the day of acceptance does not count; day 1 is the first working day
//! after it; the deadline is the end of day N. Weekends are rest days except make-up working days (调休上班);
//! public holidays are rest days.

mod bundled;
mod counting;
mod error;
mod index;
mod schedule;
mod status;
mod workday;

pub use counting::{Counted, MAX_DAYS, Pause};
pub use error::CalendarError;
pub use index::{FIRST_DATE, LAST_DATE};
pub use schedule::{DayKind, ScheduleDay, YearSchedule};
pub use status::{TimeStatus, time_status};
pub use workday::{Calendar, DayInfo, DayOverride, DayReason, OverrideKind};
