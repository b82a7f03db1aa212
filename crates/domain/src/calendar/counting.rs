//! 办结时限计算: counting working days from acceptance, with pauses.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::error::CalendarError;
use super::index::{date_of, index_of};
use super::workday::Calendar;

/// The longest time limit accepted, in working days (about 14 years): anything longer is a typo.
pub const MAX_DAYS: u32 = 3650;

/// From this day of December on, a date depends on the next year's notice too, which may move it
/// (the 2019 New Year holiday started on 2018-12-30, with 2018-12-29 worked in exchange).
const LATE_DECEMBER: u32 = 25;

/// A result, with the years it relied on that have no published schedule (未发布节假日安排的年份).
///
/// For those years the answer used weekends only and may move once the notice is out: show it as
/// provisional (暂定) and warn. A date from December 25 on also relies on the next year, whose New Year
/// holiday can reach back into December.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counted<T> {
    pub value: T,
    /// Ascending, each year once; empty when every year involved is published.
    pub unpublished_years: Vec<i32>,
}

impl<T> Counted<T> {
    /// Whether the value may change when a schedule is published.
    pub fn is_provisional(&self) -> bool {
        !self.unpublished_years.is_empty()
    }

    /// The same years, another value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Counted<U> {
        Counted {
            value: f(self.value),
            unpublished_years: self.unpublished_years,
        }
    }
}

/// 中止/扣除时间: calendar days, both ends included, during which the time limit does not run —
/// supplement by the applicant (补正), hearings (听证), testing (检测), expert review (专家评审) …
/// `to: None` means still paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Pause {
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

impl Pause {
    /// A finished pause, `from ..= to`.
    pub fn closed(from: NaiveDate, to: NaiveDate) -> Self {
        Pause { from, to: Some(to) }
    }

    /// A pause still running since `from`.
    pub fn open(from: NaiveDate) -> Self {
        Pause { from, to: None }
    }
}

/// A pause as day indexes, `to: None` for open.
type Span = (usize, Option<usize>);

impl Calendar {
    /// 办结期限: the end of the `days`-th working day after `start` (the day of acceptance, which does
    /// not count). A make-up working day counts; holidays and weekends do not.
    ///
    /// `days = 0` (即办件, an instant item) gives `start` itself when it is a working day, otherwise the
    /// next working day: an item accepted on a Saturday is due on Monday, not "yesterday".
    ///
    /// Errors: `calendar.days_out_of_range` above [`MAX_DAYS`], `calendar.date_out_of_range` for a
    /// start outside 1900–2200, `calendar.result_out_of_range` past 2200.
    pub fn deadline(
        &self,
        start: NaiveDate,
        days: u32,
    ) -> Result<Counted<NaiveDate>, CalendarError> {
        let s = checked_index(start)?;
        checked_days(days)?;
        let (first, end) = if days == 0 {
            (s, self.index.first_from(s))
        } else {
            (s + 1, self.index.nth_after(s, days))
        };
        let end = end.ok_or(CalendarError::ResultOutOfRange)?;
        self.counted(checked_date(end)?, first, end)
    }

    /// Working days after `from` up to and including `to` (0 when `to <= from`): how many days of a
    /// time limit have been used on `to` for a case accepted on `from`.
    pub fn workdays_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Counted<u32>, CalendarError> {
        let (f, t) = (checked_index(from)?, checked_index(to)?);
        self.counted(self.index.between(f, t), f + 1, t)
    }

    /// [`Calendar::deadline`] with pauses: every working day after `start` inside a pause is added
    /// back, so a pause extends the deadline by exactly its working days after acceptance (a pause
    /// that starts after the deadline changes nothing). Overlapping pauses count once.
    ///
    /// `None` while an open pause (`to: None`) began before the clock ran out: there is no deadline
    /// until the pause ends.
    pub fn deadline_with_pauses(
        &self,
        start: NaiveDate,
        days: u32,
        pauses: &[Pause],
    ) -> Result<Counted<Option<NaiveDate>>, CalendarError> {
        let s = checked_index(start)?;
        checked_days(days)?;
        let spans = merge(pauses)?;
        if days == 0 {
            return self.instant_with_pauses(s, &spans);
        }
        let (mut cur, mut remaining) = (s, days);
        for (from, to) in spans {
            if to.is_some_and(|to| to <= cur) {
                continue; // over before the clock started
            }
            let from = from.max(cur + 1);
            let before_pause = self.index.between(cur, from - 1);
            if remaining <= before_pause {
                break; // due before this pause starts
            }
            remaining -= before_pause;
            match to {
                Some(to) => cur = to,
                None => return self.counted(None, s + 1, from),
            }
        }
        let end = self
            .index
            .nth_after(cur, remaining)
            .ok_or(CalendarError::ResultOutOfRange)?;
        self.counted(Some(checked_date(end)?), s + 1, end)
    }

    /// Instant items with pauses: the first working day on or after `start` outside every pause.
    fn instant_with_pauses(
        &self,
        s: usize,
        spans: &[Span],
    ) -> Result<Counted<Option<NaiveDate>>, CalendarError> {
        let mut day = self
            .index
            .first_from(s)
            .ok_or(CalendarError::ResultOutOfRange)?;
        for &(from, to) in spans {
            if to.is_some_and(|to| to < day) {
                continue;
            }
            if from > day {
                break;
            }
            match to {
                Some(to) => {
                    day = self
                        .index
                        .first_from(to + 1)
                        .ok_or(CalendarError::ResultOutOfRange)?;
                }
                None => return self.counted(None, s, from.max(s)),
            }
        }
        self.counted(Some(checked_date(day)?), s, day)
    }

    /// 已用时: working days used from the day after `start` through `today`, paused days not counted
    /// (an open pause runs through `today`). 0 when `today <= start`.
    pub fn elapsed_workdays(
        &self,
        start: NaiveDate,
        today: NaiveDate,
        pauses: &[Pause],
    ) -> Result<Counted<u32>, CalendarError> {
        let (s, t) = (checked_index(start)?, checked_index(today)?);
        let spans = merge(pauses)?;
        let mut used = self.index.between(s, t);
        for (from, to) in spans {
            let (lo, hi) = (from.max(s + 1), to.unwrap_or(t).min(t));
            // Merged pauses are disjoint and clipped to (start, today]: no underflow, but be safe.
            used = used.saturating_sub(self.index.within(lo, hi));
        }
        self.counted(used, s + 1, t)
    }

    /// 剩余工作日: `days` minus [`Calendar::elapsed_workdays`]. 0 on the deadline day itself,
    /// negative once it has passed (−1 on the first working day after it).
    pub fn remaining_workdays(
        &self,
        start: NaiveDate,
        days: u32,
        today: NaiveDate,
        pauses: &[Pause],
    ) -> Result<Counted<i64>, CalendarError> {
        checked_days(days)?;
        let elapsed = self.elapsed_workdays(start, today, pauses)?;
        Ok(elapsed.map(|used| i64::from(days) - i64::from(used)))
    }

    /// Wraps `value` with the unpublished years among the dates `first ..= last` (by index).
    fn counted<T>(&self, value: T, first: usize, last: usize) -> Result<Counted<T>, CalendarError> {
        let mut unpublished_years = Vec::new();
        if first <= last {
            let (first, last) = (checked_date(first)?, checked_date(last)?);
            let mut years = first.year()..=last.year();
            if last.month() == 12 && last.day() >= LATE_DECEMBER {
                years = first.year()..=last.year() + 1;
            }
            unpublished_years.extend(years.filter(|y| !self.is_published(*y)));
        }
        Ok(Counted {
            value,
            unpublished_years,
        })
    }
}

fn checked_index(date: NaiveDate) -> Result<usize, CalendarError> {
    index_of(date).ok_or(CalendarError::DateOutOfRange { date })
}

fn checked_date(index: usize) -> Result<NaiveDate, CalendarError> {
    date_of(index).ok_or(CalendarError::ResultOutOfRange)
}

fn checked_days(days: u32) -> Result<(), CalendarError> {
    if days > MAX_DAYS {
        return Err(CalendarError::DaysOutOfRange { days });
    }
    Ok(())
}

/// Checks the pauses and merges overlapping or adjacent ones, sorted by start.
fn merge(pauses: &[Pause]) -> Result<Vec<Span>, CalendarError> {
    let mut spans = Vec::with_capacity(pauses.len());
    for pause in pauses {
        let from = checked_index(pause.from)?;
        let to = match pause.to {
            Some(to) if to < pause.from => {
                return Err(CalendarError::PauseInverted {
                    from: pause.from,
                    to,
                });
            }
            Some(to) => Some(checked_index(to)?),
            None => None,
        };
        spans.push((from, to));
    }
    spans.sort_unstable();
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for (from, to) in spans {
        if let Some(last) = merged.last_mut() {
            match last.1 {
                // Open-ended: it swallows everything after it.
                None => continue,
                // Sorted by start, so overlapping or adjacent means extending the last one.
                Some(last_to) if from <= last_to + 1 => {
                    last.1 = to.map(|t| t.max(last_to));
                    continue;
                }
                Some(_) => {}
            }
        }
        merged.push((from, to));
    }
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn cal() -> &'static Calendar {
        Calendar::official_ref()
    }

    fn deadline(start: NaiveDate, days: u32) -> NaiveDate {
        cal().deadline(start, days).unwrap().value
    }

    /// Day by day, the way a clerk would count: the reference the fast paths must agree with.
    fn naive_deadline(
        cal: &Calendar,
        start: NaiveDate,
        days: u32,
        pauses: &[Pause],
    ) -> Option<NaiveDate> {
        let paused = |date: NaiveDate| {
            pauses
                .iter()
                .any(|p| date >= p.from && p.to.is_none_or(|to| date <= to))
        };
        let mut date = start;
        let mut counted = 0;
        loop {
            date = date.succ_opt()?;
            if paused(date) && pauses.iter().any(|p| p.to.is_none() && date >= p.from) {
                return None;
            }
            if cal.is_workday(date) && !paused(date) {
                counted += 1;
                if counted == days {
                    return Some(date);
                }
            }
        }
    }

    #[test]
    fn national_day_2025() {
        // 2025-10-01..08 off (国庆节、中秋节); 2025-09-28 (Sunday) and 2025-10-11 (Saturday) worked.
        let c = cal().deadline(d(2025, 9, 30), 1).unwrap();
        assert_eq!(c.value, d(2025, 10, 9));
        assert!(c.unpublished_years.is_empty());
        assert!(!c.is_provisional());
        // A make-up Saturday and a make-up Sunday count.
        assert_eq!(deadline(d(2025, 10, 10), 1), d(2025, 10, 11));
        assert_eq!(deadline(d(2025, 9, 26), 1), d(2025, 9, 28));
        // The default statutory 20 working days from 2025-09-30.
        assert_eq!(deadline(d(2025, 9, 30), 20), d(2025, 11, 4));
        // Accepted on a holiday: day 1 is still the first working day after it.
        assert_eq!(deadline(d(2025, 10, 3), 1), d(2025, 10, 9));
    }

    #[test]
    fn december_in_next_years_file() {
        // The 2019 file lists 2018-12-29 as worked and 2018-12-30/31 off; 2018 itself is not published.
        let c = cal().deadline(d(2018, 12, 28), 1).unwrap();
        assert_eq!(c.value, d(2018, 12, 29));
        assert_eq!(c.unpublished_years, [2018]);
        let c = cal().deadline(d(2018, 12, 29), 1).unwrap();
        assert_eq!(c.value, d(2019, 1, 2));
        assert_eq!(c.unpublished_years, [2018]);
    }

    #[test]
    fn instant_items() {
        assert_eq!(deadline(d(2025, 10, 9), 0), d(2025, 10, 9));
        assert_eq!(deadline(d(2025, 10, 4), 0), d(2025, 10, 9));
        assert_eq!(deadline(d(2025, 10, 11), 0), d(2025, 10, 11));
        assert_eq!(deadline(d(2025, 10, 12), 0), d(2025, 10, 13));
    }

    #[test]
    fn unpublished_years_are_reported() {
        let c = cal().deadline(d(2026, 12, 1), 40).unwrap();
        assert!(c.value.year() == 2027);
        assert_eq!(c.unpublished_years, [2027]);
        assert!(
            cal()
                .deadline(d(2026, 6, 1), 5)
                .unwrap()
                .unpublished_years
                .is_empty()
        );
        // Late December depends on the next year's New Year notice.
        let c = cal().deadline(d(2026, 12, 18), 4).unwrap();
        assert_eq!(c.value, d(2026, 12, 24));
        assert!(c.unpublished_years.is_empty());
        let c = cal().deadline(d(2026, 12, 18), 5).unwrap();
        assert_eq!(c.value, d(2026, 12, 25));
        assert_eq!(c.unpublished_years, [2027]);
        let c = Calendar::new().deadline(d(2030, 1, 1), 600).unwrap();
        assert_eq!(c.unpublished_years, [2030, 2031, 2032]);
        let c = cal()
            .workdays_between(d(2018, 6, 1), d(2028, 1, 5))
            .unwrap();
        assert_eq!(c.unpublished_years, [2018, 2027, 2028]);
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(
            json["unpublished_years"],
            serde_json::json!([2018, 2027, 2028])
        );
    }

    #[test]
    fn absurd_inputs_are_refused() {
        let e = cal().deadline(d(2025, 1, 1), 3651).unwrap_err();
        assert_eq!(e, CalendarError::DaysOutOfRange { days: 3651 });
        assert_eq!(e.code(), "calendar.days_out_of_range");
        assert!(cal().deadline(d(2025, 1, 1), MAX_DAYS).is_ok());
        assert_eq!(
            cal().deadline(d(1899, 12, 31), 1).unwrap_err(),
            CalendarError::DateOutOfRange {
                date: d(1899, 12, 31)
            }
        );
        assert_eq!(
            cal()
                .workdays_between(d(2025, 1, 1), d(2201, 1, 1))
                .unwrap_err()
                .code(),
            "calendar.date_out_of_range"
        );
        assert_eq!(
            cal().deadline(d(2200, 12, 1), 100).unwrap_err(),
            CalendarError::ResultOutOfRange
        );
        assert_eq!(
            cal()
                .remaining_workdays(d(2025, 1, 1), 5000, d(2025, 2, 1), &[])
                .unwrap_err()
                .code(),
            "calendar.days_out_of_range"
        );
    }

    #[test]
    fn workdays_between_counts_after_from_through_to() {
        let c = cal()
            .workdays_between(d(2025, 9, 30), d(2025, 10, 9))
            .unwrap();
        assert_eq!(c.value, 1);
        assert_eq!(
            cal()
                .workdays_between(d(2025, 10, 9), d(2025, 9, 30))
                .unwrap()
                .value,
            0
        );
        assert_eq!(
            cal()
                .workdays_between(d(2025, 10, 9), d(2025, 10, 9))
                .unwrap()
                .value,
            0
        );
        assert_eq!(
            cal()
                .workdays_between(d(2025, 9, 30), d(2025, 11, 4))
                .unwrap()
                .value,
            20
        );
    }

    #[test]
    fn pauses_extend_by_their_working_days() {
        let s = d(2025, 9, 1); // a Monday
        let none = cal().deadline_with_pauses(s, 5, &[]).unwrap();
        assert_eq!(none.value, Some(d(2025, 9, 8)));
        let p = [Pause::closed(d(2025, 9, 3), d(2025, 9, 4))];
        assert_eq!(
            cal().deadline_with_pauses(s, 5, &p).unwrap().value,
            Some(d(2025, 9, 10))
        );
        // Overlapping pauses count once.
        let p = [
            Pause::closed(d(2025, 9, 4), d(2025, 9, 5)),
            Pause::closed(d(2025, 9, 3), d(2025, 9, 4)),
        ];
        assert_eq!(
            cal().deadline_with_pauses(s, 5, &p).unwrap().value,
            Some(d(2025, 9, 11))
        );
        // A pause over a weekend only adds nothing; one before acceptance neither.
        let p = [
            Pause::closed(d(2025, 9, 6), d(2025, 9, 7)),
            Pause::closed(d(2025, 8, 1), d(2025, 9, 1)),
        ];
        assert_eq!(
            cal().deadline_with_pauses(s, 5, &p).unwrap().value,
            Some(d(2025, 9, 8))
        );
        // After the deadline: no effect.
        let p = [Pause::open(d(2025, 9, 9))];
        assert_eq!(
            cal().deadline_with_pauses(s, 5, &p).unwrap().value,
            Some(d(2025, 9, 8))
        );
        // Open and started in time: no deadline yet.
        let p = [
            Pause::open(d(2025, 9, 3)),
            Pause::closed(d(2025, 9, 10), d(2025, 9, 12)),
        ];
        assert_eq!(cal().deadline_with_pauses(s, 5, &p).unwrap().value, None);
        // Inverted.
        let p = [Pause::closed(d(2025, 9, 4), d(2025, 9, 3))];
        assert_eq!(
            cal().deadline_with_pauses(s, 5, &p).unwrap_err(),
            CalendarError::PauseInverted {
                from: d(2025, 9, 4),
                to: d(2025, 9, 3)
            }
        );
        assert_eq!(
            cal()
                .deadline_with_pauses(s, 5, &[Pause::open(d(1800, 1, 1))])
                .unwrap_err()
                .code(),
            "calendar.date_out_of_range"
        );
    }

    #[test]
    fn instant_items_with_pauses() {
        let s = d(2025, 9, 3);
        let p = [Pause::closed(d(2025, 9, 3), d(2025, 9, 4))];
        assert_eq!(
            cal().deadline_with_pauses(s, 0, &p).unwrap().value,
            Some(d(2025, 9, 5))
        );
        assert_eq!(
            cal().deadline_with_pauses(s, 0, &[]).unwrap().value,
            Some(s)
        );
        let p = [Pause::open(d(2025, 9, 1))];
        assert_eq!(cal().deadline_with_pauses(s, 0, &p).unwrap().value, None);
        let p = [Pause::open(d(2025, 9, 5))];
        assert_eq!(cal().deadline_with_pauses(s, 0, &p).unwrap().value, Some(s));
    }

    #[test]
    fn elapsed_and_remaining() {
        let s = d(2025, 9, 1);
        let p = [Pause::closed(d(2025, 9, 3), d(2025, 9, 4))];
        assert_eq!(
            cal().elapsed_workdays(s, d(2025, 9, 10), &p).unwrap().value,
            5
        );
        assert_eq!(
            cal()
                .elapsed_workdays(s, d(2025, 9, 10), &[])
                .unwrap()
                .value,
            7
        );
        assert_eq!(cal().elapsed_workdays(s, s, &p).unwrap().value, 0);
        assert_eq!(
            cal().elapsed_workdays(s, d(2025, 8, 1), &p).unwrap().value,
            0
        );
        assert_eq!(
            cal()
                .remaining_workdays(s, 5, d(2025, 9, 9), &p)
                .unwrap()
                .value,
            1
        );
        assert_eq!(
            cal()
                .remaining_workdays(s, 5, d(2025, 9, 10), &p)
                .unwrap()
                .value,
            0
        );
        assert_eq!(
            cal()
                .remaining_workdays(s, 5, d(2025, 9, 11), &p)
                .unwrap()
                .value,
            -1
        );
        // An open pause stops the clock through today.
        let open = [Pause::open(d(2025, 9, 3))];
        assert_eq!(
            cal()
                .elapsed_workdays(s, d(2025, 9, 30), &open)
                .unwrap()
                .value,
            1
        );
        assert_eq!(
            cal()
                .remaining_workdays(s, 5, d(2025, 9, 30), &open)
                .unwrap()
                .value,
            4
        );
        let c = cal()
            .remaining_workdays(d(2026, 12, 1), 20, d(2027, 1, 5), &[])
            .unwrap();
        assert_eq!(c.unpublished_years, [2027]);
    }

    #[test]
    fn counted_map() {
        let c = Counted {
            value: 2,
            unpublished_years: vec![2027],
        };
        let m = c.map(|v| v * 2);
        assert_eq!(m.value, 4);
        assert!(m.is_provisional());
    }

    fn any_date(from: NaiveDate, to: NaiveDate) -> impl Strategy<Value = NaiveDate> {
        let span = (to - from).num_days();
        (0..=span).prop_map(move |o| from + chrono::Duration::days(o))
    }

    fn start() -> impl Strategy<Value = NaiveDate> {
        any_date(d(2018, 6, 1), d(2028, 6, 30))
    }

    proptest! {
        #[test]
        fn adding_n_then_m_is_adding_n_plus_m(s in start(), n in 1u32..300, m in 1u32..300) {
            prop_assert_eq!(deadline(deadline(s, n), m), deadline(s, n + m));
        }

        #[test]
        fn a_deadline_is_a_working_day_and_matches_the_naive_count(s in start(), n in 0u32..400) {
            let due = deadline(s, n);
            prop_assert!(cal().is_workday(due));
            if n >= 1 {
                prop_assert_eq!(Some(due), naive_deadline(cal(), s, n, &[]));
            } else {
                prop_assert!(due >= s);
            }
        }

        #[test]
        fn workdays_between_inverts_deadline(s in start(), n in 1u32..1000) {
            let due = deadline(s, n);
            prop_assert_eq!(cal().workdays_between(s, due).unwrap().value, n);
        }

        #[test]
        fn years_past_2026_are_reported(s in any_date(d(2025, 1, 1), d(2026, 12, 31)), n in 1u32..800) {
            let c = cal().deadline(s, n).unwrap();
            let (y, late_december) = (c.value.year(), c.value.month() == 12 && c.value.day() >= 25);
            let last = if late_december { y + 1 } else { y };
            let expected: Vec<i32> = (2027..=last).collect();
            prop_assert_eq!(c.unpublished_years, expected);
        }

        #[test]
        fn a_pause_extends_by_exactly_its_working_days(
            s in start(),
            n in 1u32..60,
            offset in -20i64..90,
            len in 0i64..40,
        ) {
            let from = s + chrono::Duration::days(offset);
            let to = from + chrono::Duration::days(len);
            let plain = deadline(s, n);
            let paused = cal()
                .deadline_with_pauses(s, n, &[Pause::closed(from, to)])
                .unwrap()
                .value
                .unwrap();
            if from > plain {
                prop_assert_eq!(paused, plain);
            } else {
                let lo = from.max(s.succ_opt().unwrap());
                let inside = lo.iter_days().take_while(|day| *day <= to).filter(|day| cal().is_workday(*day)).count();
                let inside = u32::try_from(inside).unwrap();
                prop_assert_eq!(paused, deadline(s, n + inside));
            }
        }

        #[test]
        fn pauses_agree_with_the_naive_count(
            s in start(),
            n in 1u32..60,
            pauses in prop::collection::vec((-10i64..80, 0i64..15, prop::bool::weighted(0.15)), 0..4),
        ) {
            let pauses: Vec<Pause> = pauses
                .into_iter()
                .map(|(offset, len, open)| {
                    let from = s + chrono::Duration::days(offset);
                    if open { Pause::open(from) } else { Pause::closed(from, from + chrono::Duration::days(len)) }
                })
                .collect();
            let fast = cal().deadline_with_pauses(s, n, &pauses).unwrap().value;
            prop_assert_eq!(fast, naive_deadline(cal(), s, n, &pauses));
            if let Some(due) = fast {
                prop_assert!(cal().is_workday(due));
                prop_assert_eq!(cal().remaining_workdays(s, n, due, &pauses).unwrap().value, 0);
                let next = deadline(due, 1);
                let next_paused = pauses.iter().any(|p| next >= p.from && p.to.is_none_or(|to| next <= to));
                prop_assume!(!next_paused);
                prop_assert_eq!(cal().remaining_workdays(s, n, next, &pauses).unwrap().value, -1);
            }
        }
    }
}
