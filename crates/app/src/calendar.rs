//! The working-day calendar in force: the official schedules shipped in the binary, plus what an
//! administrator loaded later (a newly published year, a one-off change), without a new release.

use chrono::NaiveDate;
use serde::Serialize;
use tongban_domain::calendar::{Calendar, CalendarError, DayKind, DayOverride, YearSchedule};
use tongban_store::Store;

use crate::App;
use crate::error::{AppError, AppResult};

/// Builds the calendar from the bundled schedules and the stored changes.
pub async fn load_calendar(store: &Store) -> AppResult<Calendar> {
    let mut cal = Calendar::official();
    for (year, doc) in store.calendar_years().await? {
        match YearSchedule::from_holiday_cn_json(&doc) {
            Ok(s) => {
                cal.add_year(s);
            }
            // A stored year was validated when it was loaded; if it no longer parses, say so
            // loudly and keep serving with the bundled data rather than refusing to start.
            Err(e) => tracing::error!(year, error = %e, "stored calendar year is unreadable"),
        }
    }
    for (day, is_workday, name) in store.calendar_overrides().await? {
        match NaiveDate::parse_from_str(&day, "%Y-%m-%d") {
            Ok(d) => {
                let change = if is_workday {
                    DayOverride::workday(name)
                } else {
                    DayOverride::rest_day(name)
                };
                if let Err(e) = cal.set_override(d, change) {
                    tracing::error!(day, error = %e, "stored calendar override is out of range");
                }
            }
            Err(e) => tracing::error!(day, error = %e, "stored calendar override is unreadable"),
        }
    }
    Ok(cal)
}

/// A warning that does not stop the answer (e.g. a year with no published schedule).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    pub code: String,
    pub message: String,
    pub message_zh: String,
}

fn unpublished_warning(years: &[i32]) -> Option<Warning> {
    if years.is_empty() {
        return None;
    }
    let list = years
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    Some(Warning {
        code: "calendar.unpublished_year".into(),
        message: format!(
            "No official holiday schedule is loaded for {list}; weekends only were assumed there. \
             Load the schedule once the State Council publishes it."
        ),
        message_zh: format!(
            "{list} 年的法定节假日安排尚未载入，按仅周末休息计算；国务院公布后请载入该年安排。"
        ),
    })
}

/// `calendar deadline` / `GET /api/v1/calendar/deadline`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeadlineAnswer {
    pub start: NaiveDate,
    pub days: u32,
    pub deadline: NaiveDate,
    pub unpublished_years: Vec<i32>,
    pub warnings: Vec<Warning>,
}

/// `calendar workdays`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkdaysAnswer {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub workdays: u32,
    pub unpublished_years: Vec<i32>,
    pub warnings: Vec<Warning>,
}

/// Parses YYYY-MM-DD, rejecting impossible dates like 2021-02-29 with a message that says so.
pub fn parse_date(s: &str, field: &str) -> AppResult<NaiveDate> {
    let s = s.trim();
    let shaped = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shaped {
        return Err(AppError::invalid(
            "date.format",
            format!("{field} must be a date written YYYY-MM-DD; got {s:?}."),
            format!("{field} 应为 YYYY-MM-DD 格式的日期，实际为 {s:?}。"),
        )
        .with_field(field));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        AppError::invalid(
            "date.impossible",
            format!("{s} is not a date on the calendar."),
            format!("{s} 不是一个真实存在的日期。"),
        )
        .with_field(field)
    })
}

use tongban_domain::calendar::{FIRST_DATE, LAST_DATE, MAX_DAYS};

pub fn parse_days(s: &str, field: &str) -> AppResult<u32> {
    let s = s.trim();
    match s.parse::<i64>() {
        Ok(n) if (0..=i64::from(MAX_DAYS)).contains(&n) => Ok(u32::try_from(n).unwrap_or(0)),
        Ok(_) => Err(AppError::invalid(
            "calendar.days_out_of_range",
            format!("{field} must be between 0 and {MAX_DAYS} working days; got {s}."),
            format!("{field} 应在 0 到 {MAX_DAYS} 个工作日之间，实际为 {s}。"),
        )
        .with_field(field)),
        Err(_) => Err(AppError::invalid(
            "calendar.days_not_a_number",
            format!("{field} must be a whole number of working days; got {s:?}."),
            format!("{field} 应为工作日天数（整数），实际为 {s:?}。"),
        )
        .with_field(field)),
    }
}

fn calendar_error(e: CalendarError, field: &str) -> AppError {
    AppError::invalid(e.code(), e.to_string(), e.message_zh()).with_field(field)
}

/// The due date of an N-working-day limit from an acceptance on `start`.
pub fn deadline_on(cal: &Calendar, start: NaiveDate, days: u32) -> AppResult<DeadlineAnswer> {
    let counted = cal
        .deadline(start, days)
        .map_err(|e| calendar_error(e, "days"))?;
    Ok(DeadlineAnswer {
        start,
        days,
        deadline: counted.value,
        warnings: unpublished_warning(&counted.unpublished_years)
            .into_iter()
            .collect(),
        unpublished_years: counted.unpublished_years,
    })
}

/// Working days after `from` up to and including `to`.
pub fn workdays_on(cal: &Calendar, from: &str, to: &str) -> AppResult<WorkdaysAnswer> {
    let from = parse_date(from, "from")?;
    let to = parse_date(to, "to")?;
    let counted = cal
        .workdays_between(from, to)
        .map_err(|e| calendar_error(e, "to"))?;
    Ok(WorkdaysAnswer {
        from,
        to,
        workdays: counted.value,
        warnings: unpublished_warning(&counted.unpublished_years)
            .into_iter()
            .collect(),
        unpublished_years: counted.unpublished_years,
    })
}

impl App {
    pub fn deadline(&self, start: &str, days: &str) -> AppResult<DeadlineAnswer> {
        let start = parse_date(start, "start")?;
        let days = parse_days(days, "days")?;
        deadline_on(&self.calendar(), start, days)
    }

    pub fn workdays(&self, from: &str, to: &str) -> AppResult<WorkdaysAnswer> {
        workdays_on(&self.calendar(), from, to)
    }

    /// Loads a newly published year (holiday-cn JSON), replacing the bundled one for that year.
    pub async fn load_calendar_year(&self, json: &str) -> AppResult<i32> {
        let schedule =
            YearSchedule::from_holiday_cn_json(json).map_err(|e| calendar_error(e, "file"))?;
        let year = schedule.year;
        let now = self.clock.now().timestamp_millis();
        self.store.put_calendar_year(year, json, now).await?;
        self.reload().await?;
        Ok(year)
    }

    /// A one-off change to one day (`workday`: a make-up day; otherwise a day off).
    pub async fn set_calendar_day(&self, day: &str, is_workday: bool, name: &str) -> AppResult<()> {
        let d = parse_date(day, "date")?;
        if !(FIRST_DATE..=LAST_DATE).contains(&d) {
            return Err(calendar_error(
                CalendarError::DateOutOfRange { date: d },
                "date",
            ));
        }
        if name.trim().is_empty() {
            return Err(AppError::invalid(
                "calendar.override_needs_name",
                "Give the change a name (e.g. the notice it comes from).",
                "请为该调整填写名称（如所依据的通知）。",
            )
            .with_field("name"));
        }
        let now = self.clock.now().timestamp_millis();
        self.store
            .put_calendar_override(
                &d.format("%Y-%m-%d").to_string(),
                is_workday,
                name.trim(),
                now,
            )
            .await?;
        self.reload().await
    }

    /// Removes a one-off change; the day goes back to the official schedule.
    pub async fn clear_calendar_day(&self, day: &str) -> AppResult<bool> {
        let d = parse_date(day, "date")?;
        let removed = self
            .store
            .delete_calendar_override(&d.format("%Y-%m-%d").to_string())
            .await?;
        self.reload().await?;
        Ok(removed)
    }
}

/// Kept public for the CLI's day listing.
pub fn day_kind_name(kind: DayKind) -> &'static str {
    match kind {
        DayKind::Holiday => "holiday",
        DayKind::MakeupWorkday => "makeup_workday",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impossible_dates_are_named() {
        let e = parse_date("2021-02-29", "start").unwrap_err();
        assert_eq!(e.code, "date.impossible");
        assert_eq!(e.field.as_deref(), Some("start"));
        assert_eq!(
            parse_date("2021/02/28", "start").unwrap_err().code,
            "date.format"
        );
        assert!(parse_date("2024-02-29", "start").is_ok());
    }

    #[test]
    fn day_counts_are_bounded() {
        assert_eq!(parse_days("20", "days").unwrap(), 20);
        assert_eq!(
            parse_days("-1", "days").unwrap_err().code,
            "calendar.days_out_of_range"
        );
        assert_eq!(
            parse_days("99999", "days").unwrap_err().code,
            "calendar.days_out_of_range"
        );
        assert_eq!(
            parse_days("x", "days").unwrap_err().code,
            "calendar.days_not_a_number"
        );
    }

    #[test]
    fn deadlines_follow_the_official_calendar() {
        let cal = Calendar::official();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // National Day 2025: accepted on 30 Sep, 1 working day later is 9 Oct.
        let a = deadline_on(&cal, d("2025-09-30"), 1).unwrap();
        assert_eq!(a.deadline, d("2025-10-09"));
        assert!(a.warnings.is_empty());
        // 2026-12-30 + 5 working days reaches 2027, which has no published schedule yet.
        let a = deadline_on(&cal, d("2026-12-30"), 5).unwrap();
        assert_eq!(a.unpublished_years, vec![2027]);
        assert_eq!(a.warnings[0].code, "calendar.unpublished_year");
    }
}
