//! The one error type of the calendar module.

use chrono::NaiveDate;

/// Why a schedule could not be loaded or a count could not be made (工作日历错误).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// 节假日数据格式错误
    #[error("holiday schedule is not valid holiday-cn JSON: {message}")]
    InvalidJson { message: String },
    /// 年份超出范围
    #[error("year {year} is outside the supported range 1900-2200")]
    YearOutOfRange { year: i32 },
    /// 日期格式错误
    #[error("'{value}' is not a date (YYYY-MM-DD)")]
    InvalidDate { value: String },
    /// 日期不属于该年度安排
    #[error(
        "{date} cannot belong to the schedule of {year} (only {year}, December of the year before and January of the year after)"
    )]
    DateOutsideYear { date: NaiveDate, year: i32 },
    /// 同一日期安排冲突
    #[error("{date} is listed both as a holiday and as a make-up working day")]
    ConflictingDay { date: NaiveDate },
    /// 日期超出范围
    #[error("{date} is outside the supported range 1900-01-01 to 2200-12-31")]
    DateOutOfRange { date: NaiveDate },
    /// 时限天数超出范围
    #[error("{days} working days is more than the maximum of 3650")]
    DaysOutOfRange { days: u32 },
    /// 计算结果超出范围
    #[error("the result would fall after 2200-12-31")]
    ResultOutOfRange,
    /// 中止时段起止颠倒
    #[error("pause ends ({to}) before it starts ({from})")]
    PauseInverted { from: NaiveDate, to: NaiveDate },
}

impl CalendarError {
    /// Stable machine-readable code, for pages to translate and tests to match.
    pub fn code(&self) -> &'static str {
        match self {
            CalendarError::InvalidJson { .. } => "calendar.invalid_json",
            CalendarError::YearOutOfRange { .. } => "calendar.year_out_of_range",
            CalendarError::InvalidDate { .. } => "calendar.invalid_date",
            CalendarError::DateOutsideYear { .. } => "calendar.date_outside_year",
            CalendarError::ConflictingDay { .. } => "calendar.conflicting_day",
            CalendarError::DateOutOfRange { .. } => "calendar.date_out_of_range",
            CalendarError::DaysOutOfRange { .. } => "calendar.days_out_of_range",
            CalendarError::ResultOutOfRange => "calendar.result_out_of_range",
            CalendarError::PauseInverted { .. } => "calendar.pause_inverted",
        }
    }

    /// 中文提示
    pub fn message_zh(&self) -> String {
        match self {
            CalendarError::InvalidJson { message } => {
                format!("节假日安排不是有效的 holiday-cn JSON：{message}")
            }
            CalendarError::YearOutOfRange { year } => {
                format!("年份 {year} 超出支持范围（1900–2200）")
            }
            CalendarError::InvalidDate { value } => {
                format!("“{value}”不是有效日期（应为 YYYY-MM-DD）")
            }
            CalendarError::DateOutsideYear { date, year } => format!(
                "{date} 不属于 {year} 年的节假日安排（只能是该年、上一年 12 月或下一年 1 月的日期）"
            ),
            CalendarError::ConflictingDay { date } => {
                format!("{date} 同时被列为放假日和调休上班日")
            }
            CalendarError::DateOutOfRange { date } => {
                format!("{date} 超出支持范围（1900-01-01 至 2200-12-31）")
            }
            CalendarError::DaysOutOfRange { days } => {
                format!("{days} 个工作日超过上限 3650")
            }
            CalendarError::ResultOutOfRange => "计算结果晚于 2200-12-31".to_owned(),
            CalendarError::PauseInverted { from, to } => {
                format!("中止时段的结束日期（{to}）早于开始日期（{from}）")
            }
        }
    }
}
