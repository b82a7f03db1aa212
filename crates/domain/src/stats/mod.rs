//! 统计: the pure rules behind the supervisor dashboard — what is counted for a case and how a
//! change moves the counters ([`counts`]), and the arithmetic that turns counts into rates,
//! shares and trips saved.

pub mod counts; // 统计计数: the counters a case contributes

/// Trips the traditional process needs per item (事项): one to hand in the application and one
/// to collect the result (跑动次数 baseline, documented in docs/pages/dashboard.md).
pub const BASELINE_TRIPS_PER_ITEM: i64 = 2;

/// A share of a whole in tenths of a percent (`505` is 50.5 %); `None` when the whole is zero,
/// so that "no data" is never shown as 0 %.
pub fn per_mille(part: i64, whole: i64) -> Option<i64> {
    if whole <= 0 {
        return None;
    }
    let part = part.clamp(0, whole);
    // Rounded half up, in integers (no float drift in what is shown and exported).
    Some((part * 2000 + whole) / (2 * whole))
}

/// A per-mille figure as text: `50.5%`, or `—` without data.
pub fn percent_text(per_mille: Option<i64>) -> String {
    match per_mille {
        Some(p) => format!("{}.{}%", p / 10, p % 10),
        None => "—".to_string(),
    }
}

/// On-time rate (按时办结率): sub-cases concluded by their committed deadline ÷ sub-cases concluded.
pub fn on_time_rate(on_time: i64, concluded: i64) -> Option<i64> {
    per_mille(on_time, concluded)
}

/// Trips saved (少跑次数): the baseline for every item applied for, less the trips actually made
/// (one per case received at a window, none online).
pub fn trips_saved(items: i64, trips_made: i64) -> i64 {
    (items * BASELINE_TRIPS_PER_ITEM - trips_made).max(0)
}

/// The length of a bar of `value` on a scale whose longest bar (`max`) is `full` units.
pub fn bar_length(value: i64, max: i64, full: i64) -> i64 {
    if max <= 0 || value <= 0 {
        return 0;
    }
    // At least one unit, so a small non-zero count stays visible.
    (value.min(max) * full / max).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_round_and_know_no_data() {
        assert_eq!(on_time_rate(1, 2), Some(500));
        assert_eq!(on_time_rate(2, 3), Some(667));
        assert_eq!(on_time_rate(1, 3), Some(333));
        assert_eq!(on_time_rate(0, 0), None);
        assert_eq!(per_mille(5, 4), Some(1000), "never above the whole");
        assert_eq!(percent_text(Some(500)), "50.0%");
        assert_eq!(percent_text(Some(667)), "66.7%");
        assert_eq!(percent_text(None), "—");
    }

    #[test]
    fn trips_and_bars() {
        assert_eq!(trips_saved(3, 1), 5);
        assert_eq!(trips_saved(0, 0), 0);
        assert_eq!(bar_length(3, 3, 300), 300);
        assert_eq!(bar_length(1, 300, 300), 1);
        assert_eq!(bar_length(1, 1000, 300), 1, "small counts stay visible");
        assert_eq!(bar_length(0, 3, 300), 0);
    }
}
