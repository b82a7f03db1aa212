//! 节假日安排: one year's official schedule, in the holiday-cn JSON format.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::error::CalendarError;
use super::index::{FIRST_DATE, LAST_DATE};

/// What a listed day is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// 放假 (a public holiday, or a weekend day that is part of one): a rest day.
    Holiday,
    /// 调休上班: a make-up working day, usually a Saturday or Sunday.
    MakeupWorkday,
}

/// One day listed in a schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleDay {
    pub date: NaiveDate,
    /// The festival it belongs to, e.g. 国庆节、中秋节.
    pub name: String,
    pub kind: DayKind,
}

/// 年度节假日安排: the State Council notice for one year, published each autumn for the next.
///
/// `days` lists only exceptions to "Monday to Friday work, Saturday and Sunday rest"; it may include
/// late-December dates of the year before (a New Year holiday that starts early) and, in principle,
/// early-January dates of the year after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearSchedule {
    pub year: i32,
    /// Links to the notices (国务院办公厅通知) the schedule comes from.
    pub papers: Vec<String>,
    /// Sorted by date, each date once.
    pub days: Vec<ScheduleDay>,
}

#[derive(Deserialize)]
struct RawYear {
    year: i32,
    #[serde(default)]
    papers: Vec<String>,
    days: Vec<RawDay>,
}

#[derive(Deserialize)]
struct RawDay {
    name: String,
    date: String,
    #[serde(rename = "isOffDay")]
    is_off_day: bool,
}

impl YearSchedule {
    /// Reads a holiday-cn file (`{year, papers[], days[{name, date, isOffDay}]}`; other keys such as
    /// `$schema` are ignored) and checks it: every date parses, lies within `year - 1 ..= year + 1`,
    /// and is not listed twice with different flags (listed twice alike is tolerated, first name kept).
    pub fn from_holiday_cn_json(json: &str) -> Result<Self, CalendarError> {
        let raw: RawYear = serde_json::from_str(json).map_err(|e| CalendarError::InvalidJson {
            message: e.to_string(),
        })?;
        let mut days = Vec::with_capacity(raw.days.len());
        for day in raw.days {
            let date = NaiveDate::parse_from_str(day.date.trim(), "%Y-%m-%d").map_err(|_| {
                CalendarError::InvalidDate {
                    value: day.date.clone(),
                }
            })?;
            let kind = if day.is_off_day {
                DayKind::Holiday
            } else {
                DayKind::MakeupWorkday
            };
            days.push(ScheduleDay {
                date,
                name: day.name,
                kind,
            });
        }
        let schedule = YearSchedule {
            year: raw.year,
            papers: raw.papers,
            days,
        };
        schedule.validate()?;
        Ok(schedule.normalized())
    }

    /// The checks of [`YearSchedule::from_holiday_cn_json`], for a schedule built by hand.
    pub fn validate(&self) -> Result<(), CalendarError> {
        if !(FIRST_DATE.year()..=LAST_DATE.year()).contains(&self.year) {
            return Err(CalendarError::YearOutOfRange { year: self.year });
        }
        let mut seen: BTreeMap<NaiveDate, DayKind> = BTreeMap::new();
        for day in &self.days {
            if !(self.year - 1..=self.year + 1).contains(&day.date.year()) {
                return Err(CalendarError::DateOutsideYear {
                    date: day.date,
                    year: self.year,
                });
            }
            if !(FIRST_DATE..=LAST_DATE).contains(&day.date) {
                return Err(CalendarError::DateOutOfRange { date: day.date });
            }
            if seen
                .insert(day.date, day.kind)
                .is_some_and(|kind| kind != day.kind)
            {
                return Err(CalendarError::ConflictingDay { date: day.date });
            }
        }
        Ok(())
    }

    /// Sorted by date, duplicates dropped (the first kept).
    fn normalized(mut self) -> Self {
        // A stable sort keeps the first of equal dates first.
        self.days.sort_by_key(|d| d.date);
        self.days.dedup_by_key(|d| d.date);
        self
    }

    /// The listed entry for `date`, if any.
    pub fn day(&self, date: NaiveDate) -> Option<&ScheduleDay> {
        self.days
            .binary_search_by_key(&date, |d| d.date)
            .ok()
            .and_then(|i| self.days.get(i))
    }

    /// Writes the schedule in the holiday-cn format, readable by [`YearSchedule::from_holiday_cn_json`]
    /// (pretty-printed; keys in alphabetical order).
    pub fn to_holiday_cn_json(&self) -> String {
        let days: Vec<serde_json::Value> = self
            .days
            .iter()
            .map(|d| {
                serde_json::json!({
                    "name": d.name,
                    "date": d.date.format("%Y-%m-%d").to_string(),
                    "isOffDay": d.kind == DayKind::Holiday,
                })
            })
            .collect();
        let value = serde_json::json!({
            "year": self.year,
            "papers": self.papers,
            "days": days,
        });
        format!("{value:#}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    const SMALL: &str = r#"{
        "$schema": "https://example.invalid/schema.json",
        "year": 2019,
        "papers": ["https://www.gov.cn/x.htm"],
        "days": [
            {"name": "元旦", "date": "2019-01-01", "isOffDay": true},
            {"name": "元旦", "date": "2018-12-29", "isOffDay": false},
            {"name": "元旦", "date": "2018-12-30", "isOffDay": true},
            {"name": "元旦", "date": "2018-12-30", "isOffDay": true}
        ]
    }"#;

    #[test]
    fn reads_sorts_and_dedups() {
        let s = YearSchedule::from_holiday_cn_json(SMALL).unwrap();
        assert_eq!(s.year, 2019);
        assert_eq!(s.papers, ["https://www.gov.cn/x.htm"]);
        let dates: Vec<_> = s.days.iter().map(|x| x.date).collect();
        assert_eq!(dates, [d(2018, 12, 29), d(2018, 12, 30), d(2019, 1, 1)]);
        assert_eq!(s.days[0].kind, DayKind::MakeupWorkday);
        assert_eq!(s.day(d(2019, 1, 1)).unwrap().name, "元旦");
        assert_eq!(s.day(d(2019, 1, 2)), None);
    }

    #[test]
    fn writes_the_same_format_back() {
        let s = YearSchedule::from_holiday_cn_json(SMALL).unwrap();
        let json = s.to_holiday_cn_json();
        assert!(json.contains("\"isOffDay\": false"));
        assert!(json.contains("\"date\": \"2018-12-29\""));
        assert_eq!(YearSchedule::from_holiday_cn_json(&json).unwrap(), s);
    }

    #[test]
    fn every_bundled_file_round_trips() {
        for (year, json) in super::super::bundled::FILES {
            let s = YearSchedule::from_holiday_cn_json(json).unwrap();
            assert_eq!(s.year, year);
            assert!(!s.papers.is_empty());
            assert_eq!(
                YearSchedule::from_holiday_cn_json(&s.to_holiday_cn_json()).unwrap(),
                s
            );
        }
    }

    fn err(json: &str) -> CalendarError {
        YearSchedule::from_holiday_cn_json(json).unwrap_err()
    }

    #[test]
    fn refuses_bad_files() {
        let e = err("{\"year\": 2025}");
        assert_eq!(e.code(), "calendar.invalid_json");
        assert_eq!(err("not json").code(), "calendar.invalid_json");
        let e = err(
            r#"{"year": 2021, "days": [{"name": "x", "date": "2021-02-29", "isOffDay": true}]}"#,
        );
        assert_eq!(
            e,
            CalendarError::InvalidDate {
                value: "2021-02-29".into()
            }
        );
        let e = err(
            r#"{"year": 2025, "days": [{"name": "x", "date": "2023-12-31", "isOffDay": true}]}"#,
        );
        assert_eq!(
            e,
            CalendarError::DateOutsideYear {
                date: d(2023, 12, 31),
                year: 2025
            }
        );
        let e = err(r#"{"year": 2025, "days": [
                {"name": "x", "date": "2025-10-01", "isOffDay": true},
                {"name": "y", "date": "2025-10-01", "isOffDay": false}]}"#);
        assert_eq!(
            e,
            CalendarError::ConflictingDay {
                date: d(2025, 10, 1)
            }
        );
        assert_eq!(
            err(r#"{"year": 2300, "days": []}"#),
            CalendarError::YearOutOfRange { year: 2300 }
        );
        let e = err(
            r#"{"year": 1900, "days": [{"name": "x", "date": "1899-12-31", "isOffDay": true}]}"#,
        );
        assert_eq!(e.code(), "calendar.date_out_of_range");
    }

    #[test]
    fn every_error_has_both_languages() {
        let date = d(2025, 1, 1);
        for e in [
            CalendarError::InvalidJson {
                message: "x".into(),
            },
            CalendarError::YearOutOfRange { year: 1 },
            CalendarError::InvalidDate { value: "x".into() },
            CalendarError::DateOutsideYear { date, year: 2020 },
            CalendarError::ConflictingDay { date },
            CalendarError::DateOutOfRange { date },
            CalendarError::DaysOutOfRange { days: 4000 },
            CalendarError::ResultOutOfRange,
            CalendarError::PauseInverted {
                from: date,
                to: date,
            },
        ] {
            assert!(e.code().starts_with("calendar."));
            assert!(!e.to_string().is_empty());
            assert!(!e.message_zh().is_empty());
        }
    }
}
