//! A bit per day from 1900 to 2200 with a running count per 64-day word: "how many working days up to
//! here" (rank) and "which day is the k-th working day" (select) in constant and logarithmic time, so a
//! deadline costs a few dozen instructions whatever its length.

use chrono::{Datelike, Days, NaiveDate, Weekday};

const fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(date) => date,
        None => panic!("invalid constant date"),
    }
}

/// The first date the calendar counts with.
pub const FIRST_DATE: NaiveDate = ymd(1900, 1, 1);
/// The last date the calendar counts with.
pub const LAST_DATE: NaiveDate = ymd(2200, 12, 31);

/// Index of a date: days since [`FIRST_DATE`], if within range.
pub(super) fn index_of(date: NaiveDate) -> Option<usize> {
    if !(FIRST_DATE..=LAST_DATE).contains(&date) {
        return None;
    }
    usize::try_from(date.signed_duration_since(FIRST_DATE).num_days()).ok()
}

/// The date of an index (`None` past [`LAST_DATE`]).
pub(super) fn date_of(index: usize) -> Option<NaiveDate> {
    FIRST_DATE
        .checked_add_days(Days::new(u64::try_from(index).ok()?))
        .filter(|d| *d <= LAST_DATE)
}

/// Number of days in range.
pub(super) fn day_count() -> usize {
    index_of(LAST_DATE).map_or(0, |i| i + 1)
}

#[derive(Clone)]
pub(super) struct DayIndex {
    bits: Vec<u64>,
    /// Working days in all words before this one.
    rank_before: Vec<u32>,
    total: u32,
}

impl DayIndex {
    /// Builds the index from the weekday rule, then applies `changes` (index, is working day) in order,
    /// later ones winning.
    pub(super) fn build(changes: impl IntoIterator<Item = (usize, bool)>) -> Self {
        let days = day_count();
        let words = days.div_ceil(64);
        let mut bits = vec![0u64; words];
        // Walk the weekday pattern from the first date's weekday instead of asking chrono per day.
        let mut weekday = FIRST_DATE.weekday().num_days_from_monday();
        for i in 0..days {
            if weekday < Weekday::Sat.num_days_from_monday() {
                set(&mut bits, i, true);
            }
            weekday = (weekday + 1) % 7;
        }
        for (i, working) in changes {
            if i < days {
                set(&mut bits, i, working);
            }
        }
        let mut rank_before = Vec::with_capacity(words);
        let mut total = 0u32;
        for word in &bits {
            rank_before.push(total);
            total += word.count_ones();
        }
        DayIndex {
            bits,
            rank_before,
            total,
        }
    }

    pub(super) fn is_set(&self, i: usize) -> bool {
        self.bits
            .get(i / 64)
            .is_some_and(|word| word >> (i % 64) & 1 == 1)
    }

    /// Working days in `[0, i]`.
    pub(super) fn rank(&self, i: usize) -> u32 {
        let (w, b) = (i / 64, i % 64);
        let word = self.bits.get(w).copied().unwrap_or(0);
        let before = self.rank_before.get(w).copied().unwrap_or(self.total);
        before + (word & (u64::MAX >> (63 - b))).count_ones()
    }

    /// Working days in `(a, b]`; 0 when `b <= a`.
    pub(super) fn between(&self, a: usize, b: usize) -> u32 {
        if b <= a {
            0
        } else {
            self.rank(b) - self.rank(a)
        }
    }

    /// Working days in `[a, b]`; 0 when `b < a`.
    pub(super) fn within(&self, a: usize, b: usize) -> u32 {
        if b < a {
            0
        } else {
            self.rank(b) - self.rank(a) + u32::from(self.is_set(a))
        }
    }

    /// Index of the `k`-th working day (1-based), if there is one in range.
    pub(super) fn select(&self, k: u32) -> Option<usize> {
        if k == 0 || k > self.total {
            return None;
        }
        let w = self
            .rank_before
            .partition_point(|&r| r < k)
            .checked_sub(1)?;
        let mut word = *self.bits.get(w)?;
        let mut r = k - self.rank_before.get(w)?;
        while r > 1 {
            word &= word - 1; // drop the lowest set bit
            r -= 1;
        }
        Some(w * 64 + word.trailing_zeros() as usize)
    }

    /// Index of the `n`-th working day after `a` (n ≥ 1).
    pub(super) fn nth_after(&self, a: usize, n: u32) -> Option<usize> {
        self.select(self.rank(a).checked_add(n)?)
    }

    /// Index of the first working day on or after `a`.
    pub(super) fn first_from(&self, a: usize) -> Option<usize> {
        let before = self.rank(a) - u32::from(self.is_set(a));
        self.select(before + 1)
    }
}

fn set(bits: &mut [u64], i: usize, on: bool) {
    if let Some(word) = bits.get_mut(i / 64) {
        let mask = 1u64 << (i % 64);
        if on {
            *word |= mask;
        } else {
            *word &= !mask;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_round_trips_and_bounds() {
        assert_eq!(index_of(FIRST_DATE), Some(0));
        assert_eq!(date_of(0), Some(FIRST_DATE));
        let last = index_of(LAST_DATE).unwrap();
        assert_eq!(date_of(last), Some(LAST_DATE));
        assert_eq!(date_of(last + 1), None);
        assert_eq!(index_of(ymd(1899, 12, 31)), None);
        assert_eq!(index_of(ymd(2201, 1, 1)), None);
        assert_eq!(day_count(), last + 1);
    }

    #[test]
    fn weekday_pattern_rank_and_select() {
        let idx = DayIndex::build([]);
        // 1900-01-01 was a Monday.
        assert_eq!(FIRST_DATE.weekday(), Weekday::Mon);
        assert!(idx.is_set(0) && idx.is_set(4) && !idx.is_set(5) && !idx.is_set(6));
        assert_eq!(idx.rank(6), 5);
        assert_eq!(idx.select(6), Some(7));
        assert_eq!(idx.nth_after(4, 1), Some(7));
        assert_eq!(idx.first_from(5), Some(7));
        assert_eq!(idx.first_from(7), Some(7));
        assert_eq!(idx.between(0, 7), 5);
        assert_eq!(idx.within(0, 7), 6);
        assert_eq!(idx.select(0), None);
        assert_eq!(idx.select(idx.total + 1), None);
        // Every k-th working day selects back to rank k.
        for k in (1..idx.total).step_by(997) {
            let i = idx.select(k).unwrap();
            assert!(idx.is_set(i));
            assert_eq!(idx.rank(i), k);
        }
    }

    #[test]
    fn changes_apply_in_order() {
        let idx = DayIndex::build([(5, true), (0, false), (0, true), (1, false)]);
        assert!(idx.is_set(5) && idx.is_set(0) && !idx.is_set(1));
    }
}
