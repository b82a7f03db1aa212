//! Time is injected: services ask a clock, so tests and the demo generator can move it.

use std::sync::Mutex;

use chrono::{DateTime, FixedOffset, NaiveDate, Offset, Utc};

pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;

    /// Today in China Standard Time (UTC+8), the zone every time limit is counted in.
    fn today(&self) -> NaiveDate {
        self.now().with_timezone(&china()).date_naive()
    }
}

/// UTC+8, no daylight saving.
pub fn china() -> FixedOffset {
    // 8 hours is always a valid offset; the fallback is unreachable but keeps clippy's no-expect rule.
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix())
}

#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until moved.
#[derive(Debug)]
pub struct FixedClock(Mutex<DateTime<Utc>>);

impl FixedClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        FixedClock(Mutex::new(at))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        if let Ok(mut t) = self.0.lock() {
            *t = at;
        }
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
            .lock()
            .map(|t| *t)
            .unwrap_or_else(|e| *e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn today_is_in_china_time() {
        // 2025-01-01 17:00 UTC is already 2025-01-02 in Hengyang.
        let c = FixedClock::new(Utc.with_ymd_and_hms(2025, 1, 1, 17, 0, 0).unwrap());
        assert_eq!(c.today(), NaiveDate::from_ymd_opt(2025, 1, 2).unwrap());
    }
}
