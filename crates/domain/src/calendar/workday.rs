//! 工作日历: which days are working days, from the published schedules and one-off overrides.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::{Arc, OnceLock};

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::bundled;
use super::error::CalendarError;
use super::index::{DayIndex, index_of};
use super::schedule::{DayKind, YearSchedule};

/// What a one-off override makes of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OverrideKind {
    /// The day is worked (e.g. a local make-up day).
    Workday,
    /// The day is not worked (e.g. a city-wide closure for a typhoon, 停工停业).
    RestDay,
}

/// 临时调整: a one-off change to one day, set by an administrator; it beats every schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayOverride {
    pub kind: OverrideKind,
    /// Why, shown to clerks and applicants (e.g. 台风停工).
    pub name: String,
}

impl DayOverride {
    /// A day made a rest day.
    pub fn rest_day(name: impl Into<String>) -> Self {
        DayOverride {
            kind: OverrideKind::RestDay,
            name: name.into(),
        }
    }

    /// A day made a working day.
    pub fn workday(name: impl Into<String>) -> Self {
        DayOverride {
            kind: OverrideKind::Workday,
            name: name.into(),
        }
    }
}

/// Why a day is or is not a working day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "name", rename_all = "snake_case")]
pub enum DayReason {
    /// 工作日: Monday to Friday, not listed.
    Weekday,
    /// 周末: Saturday or Sunday, not listed.
    Weekend,
    /// 法定节假日 (with the festival's name).
    Holiday(String),
    /// 调休上班 (with the festival's name).
    MakeupWorkday(String),
    /// 临时调整 (with the administrator's reason).
    Override(String),
}

/// What the calendar says about one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayInfo {
    pub date: NaiveDate,
    pub is_workday: bool,
    pub reason: DayReason,
    /// Whether the date's year has a published schedule; when false, only weekends (and any listed
    /// late-December days or overrides) are known and the answer may change.
    pub year_published: bool,
}

/// 工作日历: the official schedules by year, one-off overrides, and a precomputed day index so that
/// counting is fast (see [`Calendar::deadline`]).
///
/// Cheap to clone: the data is shared until one of the clones changes. Changing it (a year, an
/// override) rebuilds the index, which takes a fraction of a millisecond.
#[derive(Clone)]
pub struct Calendar {
    years: Arc<BTreeMap<i32, YearSchedule>>,
    overrides: Arc<BTreeMap<NaiveDate, DayOverride>>,
    /// The effective listed days: for a date listed in two years' files, the later year's (the more
    /// recent notice) wins.
    marks: Arc<BTreeMap<NaiveDate, (DayKind, String)>>,
    pub(super) index: Arc<DayIndex>,
}

static OFFICIAL: OnceLock<Calendar> = OnceLock::new();

impl Calendar {
    /// An empty calendar: weekends only, no year published.
    pub fn new() -> Self {
        Calendar {
            years: Arc::default(),
            overrides: Arc::default(),
            marks: Arc::default(),
            index: Arc::new(DayIndex::build([])),
        }
    }

    /// The official State Council schedules bundled with this release (2019–2026).
    pub fn official() -> Self {
        Self::official_ref().clone()
    }

    /// The bundled official calendar, built once per process.
    pub fn official_ref() -> &'static Calendar {
        OFFICIAL.get_or_init(|| {
            let mut calendar = Calendar::new();
            for (_, json) in bundled::FILES {
                // The bundled files are checked by tests; a bad one would only lose its year.
                if let Ok(schedule) = YearSchedule::from_holiday_cn_json(json) {
                    Arc::make_mut(&mut calendar.years).insert(schedule.year, schedule);
                }
            }
            calendar.rebuild();
            calendar
        })
    }

    /// This calendar with `schedule` added (see [`Calendar::add_year`]).
    pub fn with_year(mut self, schedule: YearSchedule) -> Self {
        self.add_year(schedule);
        self
    }

    /// Adds a year's schedule, replacing (and returning) any schedule for the same year — a newly
    /// published or corrected notice replaces the bundled one. Entries outside 1900–2200 are ignored;
    /// for a date listed in two years' files the later year's entry wins. Use
    /// [`YearSchedule::validate`] first for a schedule not read by
    /// [`YearSchedule::from_holiday_cn_json`].
    pub fn add_year(&mut self, schedule: YearSchedule) -> Option<YearSchedule> {
        let replaced = Arc::make_mut(&mut self.years).insert(schedule.year, schedule);
        self.rebuild();
        replaced
    }

    /// Removes a year's schedule; its days fall back to weekends only.
    pub fn remove_year(&mut self, year: i32) -> Option<YearSchedule> {
        if !self.years.contains_key(&year) {
            return None;
        }
        let removed = Arc::make_mut(&mut self.years).remove(&year);
        if removed.is_some() {
            self.rebuild();
        }
        removed
    }

    /// The schedule loaded for `year`.
    pub fn year(&self, year: i32) -> Option<&YearSchedule> {
        self.years.get(&year)
    }

    /// Years with a published schedule.
    pub fn published_years(&self) -> BTreeSet<i32> {
        self.years.keys().copied().collect()
    }

    /// Whether `year` has a published schedule.
    pub fn is_published(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    /// Sets a one-off change for `date`, returning the one it replaces.
    pub fn set_override(
        &mut self,
        date: NaiveDate,
        change: DayOverride,
    ) -> Result<Option<DayOverride>, CalendarError> {
        if index_of(date).is_none() {
            return Err(CalendarError::DateOutOfRange { date });
        }
        let replaced = Arc::make_mut(&mut self.overrides).insert(date, change);
        self.rebuild();
        Ok(replaced)
    }

    /// Removes the one-off change for `date`.
    pub fn remove_override(&mut self, date: NaiveDate) -> Option<DayOverride> {
        if !self.overrides.contains_key(&date) {
            return None;
        }
        let removed = Arc::make_mut(&mut self.overrides).remove(&date);
        if removed.is_some() {
            self.rebuild();
        }
        removed
    }

    /// All one-off changes, by date.
    pub fn overrides(&self) -> &BTreeMap<NaiveDate, DayOverride> {
        &self.overrides
    }

    /// Whether `date` is a working day. Outside 1900–2200 the same rules apply, just more slowly.
    pub fn is_workday(&self, date: NaiveDate) -> bool {
        match index_of(date) {
            Some(i) => self.index.is_set(i),
            None => self.day_info(date).is_workday,
        }
    }

    /// What `date` is and why: an override first, then the listed schedule, then the weekday rule.
    pub fn day_info(&self, date: NaiveDate) -> DayInfo {
        let (is_workday, reason) = if let Some(o) = self.overrides.get(&date) {
            (
                o.kind == OverrideKind::Workday,
                DayReason::Override(o.name.clone()),
            )
        } else if let Some((kind, name)) = self.marks.get(&date) {
            match kind {
                DayKind::Holiday => (false, DayReason::Holiday(name.clone())),
                DayKind::MakeupWorkday => (true, DayReason::MakeupWorkday(name.clone())),
            }
        } else if is_weekend(date) {
            (false, DayReason::Weekend)
        } else {
            (true, DayReason::Weekday)
        };
        DayInfo {
            date,
            is_workday,
            reason,
            year_published: self.is_published(date.year()),
        }
    }

    fn rebuild(&mut self) {
        let mut marks = BTreeMap::new();
        // Ascending years, later ones overwriting: the more recent notice wins.
        for schedule in self.years.values() {
            for day in &schedule.days {
                marks.insert(day.date, (day.kind, day.name.clone()));
            }
        }
        let listed = marks
            .iter()
            .map(|(date, (kind, _))| (*date, *kind == DayKind::MakeupWorkday));
        let overridden = self
            .overrides
            .iter()
            .map(|(date, o)| (*date, o.kind == OverrideKind::Workday));
        let changes = listed
            .chain(overridden)
            .filter_map(|(date, working)| Some((index_of(date)?, working)));
        self.index = Arc::new(DayIndex::build(changes));
        self.marks = Arc::new(marks);
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar::new()
    }
}

impl fmt::Debug for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calendar")
            .field("published_years", &self.published_years())
            .field("overrides", &self.overrides)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn official_has_every_bundled_year() {
        let cal = Calendar::official();
        assert_eq!(cal.published_years(), (2019..=2026).collect());
        assert!(cal.is_published(2025));
        assert!(!cal.is_published(2027));
        assert_eq!(cal.year(2025).unwrap().year, 2025);
        assert!(format!("{cal:?}").contains("2026"));
    }

    #[test]
    fn day_info_from_the_official_data() {
        let cal = Calendar::official();
        let info = cal.day_info(d(2025, 10, 1));
        assert!(!info.is_workday);
        assert_eq!(info.reason, DayReason::Holiday("国庆节、中秋节".into()));
        assert!(info.year_published);
        // 2025-10-11 is a Saturday worked in exchange (调休上班).
        let info = cal.day_info(d(2025, 10, 11));
        assert_eq!(d(2025, 10, 11).weekday(), Weekday::Sat);
        assert!(info.is_workday);
        assert_eq!(
            info.reason,
            DayReason::MakeupWorkday("国庆节、中秋节".into())
        );
        assert_eq!(cal.day_info(d(2025, 10, 9)).reason, DayReason::Weekday);
        assert_eq!(cal.day_info(d(2025, 10, 12)).reason, DayReason::Weekend);
        // 2020-02-03 (a Monday) is listed as a working day: harmless.
        let info = cal.day_info(d(2020, 2, 3));
        assert!(info.is_workday);
        assert_eq!(info.reason, DayReason::MakeupWorkday("春节".into()));
        // 2020's Spring Festival was extended to 02-02 by a later notice.
        assert!(!cal.is_workday(d(2020, 1, 31)));
        let info = cal.day_info(d(2027, 3, 1));
        assert!(info.is_workday && !info.year_published);
        let json = serde_json::to_value(cal.day_info(d(2025, 10, 1))).unwrap();
        assert_eq!(json["reason"]["type"], "holiday");
        assert_eq!(json["reason"]["name"], "国庆节、中秋节");
        assert_eq!(
            serde_json::to_value(cal.day_info(d(2025, 10, 9))).unwrap()["reason"],
            serde_json::json!({"type": "weekday"})
        );
    }

    #[test]
    fn december_dates_in_next_years_file() {
        let cal = Calendar::official();
        // From the 2019 file: 2018-12-29 (Saturday) worked, 12-30 and 12-31 off for New Year.
        assert!(cal.is_workday(d(2018, 12, 29)));
        assert!(!cal.is_workday(d(2018, 12, 31)));
        let info = cal.day_info(d(2018, 12, 31));
        assert_eq!(info.reason, DayReason::Holiday("元旦".into()));
        assert!(!info.year_published);
        // From the 2023 file: 2022-12-31 (a Saturday anyway) is part of New Year.
        assert_eq!(
            cal.day_info(d(2022, 12, 31)).reason,
            DayReason::Holiday("元旦".into())
        );
    }

    #[test]
    fn later_notice_wins_and_years_can_be_replaced() {
        let mut cal = Calendar::official();
        let mut corrected = cal.year(2025).unwrap().clone();
        corrected.days.retain(|day| day.date != d(2025, 10, 11));
        let old = cal.add_year(corrected).unwrap();
        assert_eq!(old.year, 2025);
        assert!(!cal.is_workday(d(2025, 10, 11)));
        // The shared official calendar is untouched (copy on write).
        assert!(Calendar::official_ref().is_workday(d(2025, 10, 11)));

        let y2027 = YearSchedule::from_holiday_cn_json(
            r#"{"year": 2027, "days": [
                {"name": "元旦", "date": "2026-12-31", "isOffDay": true},
                {"name": "元旦", "date": "2027-01-01", "isOffDay": true}]}"#,
        )
        .unwrap();
        let cal = cal.with_year(y2027);
        assert!(cal.is_published(2027));
        assert!(!cal.is_workday(d(2026, 12, 31)));
        let mut cal = cal;
        assert!(cal.remove_year(2027).is_some());
        assert!(cal.is_workday(d(2026, 12, 31)));
        assert!(cal.remove_year(2027).is_none());
    }

    #[test]
    fn overrides_beat_schedules() {
        let mut cal = Calendar::official();
        let typhoon = d(2025, 9, 24);
        assert!(cal.is_workday(typhoon));
        assert_eq!(
            cal.set_override(typhoon, DayOverride::rest_day("台风停工")),
            Ok(None)
        );
        assert!(!cal.is_workday(typhoon));
        assert_eq!(
            cal.day_info(typhoon).reason,
            DayReason::Override("台风停工".into())
        );
        cal.set_override(d(2025, 10, 1), DayOverride::workday("演练"))
            .unwrap();
        assert!(cal.is_workday(d(2025, 10, 1)));
        assert_eq!(cal.overrides().len(), 2);
        assert!(cal.remove_override(typhoon).is_some());
        assert!(cal.is_workday(typhoon));
        assert!(cal.remove_override(typhoon).is_none());
        assert_eq!(
            cal.set_override(d(1899, 1, 1), DayOverride::rest_day("x")),
            Err(CalendarError::DateOutOfRange {
                date: d(1899, 1, 1)
            })
        );
    }

    #[test]
    fn empty_calendar_is_weekends_only() {
        let cal = Calendar::new();
        assert!(cal.published_years().is_empty());
        assert!(cal.is_workday(d(2025, 10, 1)));
        assert!(!cal.is_workday(d(2025, 10, 4)));
        assert!(Calendar::default().is_workday(d(2025, 10, 1)));
        // Outside the index range the same rules apply.
        assert!(!cal.is_workday(d(1800, 1, 4)));
        assert!(cal.is_workday(d(2300, 1, 1)));
    }

    #[test]
    fn index_agrees_with_day_info_everywhere() {
        let mut cal = Calendar::official();
        cal.set_override(d(2024, 5, 6), DayOverride::rest_day("x"))
            .unwrap();
        let mut date = d(2018, 1, 1);
        while date < d(2028, 1, 1) {
            assert_eq!(
                cal.index.is_set(index_of(date).unwrap()),
                cal.day_info(date).is_workday,
                "{date}"
            );
            date = date.succ_opt().unwrap();
        }
    }
}
