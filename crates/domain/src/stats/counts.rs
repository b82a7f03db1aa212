//! 统计计数: the dashboard's counts kept up to date as cases change, instead of counted by
//! scanning every sub-case of a region on each request (17 s at 1.2 M cases, 518 s at 10 M).
//!
//! A case contributes a [`Tally`]: +1 to a set of counters for every region it lies in. A write
//! adds `tally(after) − tally(before)` to the stored counters in its own transaction, so the
//! counters are as durable and as consistent as the case rows. Reading a region's dashboard is
//! then a range read of that region's counters, whatever the number of cases.
//!
//! What a counter means is exactly what the dashboard showed when it scanned (the scan is kept as
//! the reference that `tongban stats verify` checks the counters against):
//! - a sub-case lies in region R when its case was received in R (收件地) or it is handled in R
//!   (办理地), R being a code prefix as in `CaseScope::RegionPrefix`;
//! - `cases` and `window_cases` count a case once per region any of its sub-cases lies in.

use std::collections::BTreeMap;

use crate::case::ActionKind;
use crate::region::RegionCode;

/// What a counter counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dim {
    /// Sub-cases (办件事项).
    Items,
    /// Distinct cases.
    Cases,
    /// Concluded (办结 or 送达).
    Concluded,
    /// Concluded on or before the committed deadline (or without one).
    OnTime,
    /// Received in a county other than the handling department's.
    CrossRegion,
    /// Distinct cases received at a window.
    WindowCases,
    /// Open sub-cases with a deadline, keyed by that deadline (ISO date): overdue and near-due
    /// are ranges of these keys, so the counters never depend on today.
    OpenDue,
    /// Sub-cases keyed by receiving place one level below the region (`""`: received online).
    Received,
    /// Sub-cases keyed by handling mode ([`mode`]).
    Mode,
    /// Sub-cases keyed by item code.
    Item,
}

impl Dim {
    pub const ALL: [Dim; 10] = [
        Dim::Items,
        Dim::Cases,
        Dim::Concluded,
        Dim::OnTime,
        Dim::CrossRegion,
        Dim::WindowCases,
        Dim::OpenDue,
        Dim::Received,
        Dim::Mode,
        Dim::Item,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Dim::Items => "items",
            Dim::Cases => "cases",
            Dim::Concluded => "concluded",
            Dim::OnTime => "on_time",
            Dim::CrossRegion => "cross_region",
            Dim::WindowCases => "window_cases",
            Dim::OpenDue => "open_due",
            Dim::Received => "received",
            Dim::Mode => "mode",
            Dim::Item => "item",
        }
    }

    pub fn parse(s: &str) -> Option<Dim> {
        Dim::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// One counter: a region (a code prefix), what is counted, and the key within it (`""` for the
/// plain totals). Borrowed from the facts it was counted from: a write counts two versions of a
/// case inside its transaction, and allocating every key would lengthen that critical section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CountKey<'a> {
    pub region: &'a str,
    pub dim: Dim,
    pub key: &'a str,
}

/// Counter changes; never holds a zero.
pub type Tally<'a> = BTreeMap<CountKey<'a>, i64>;

/// A tally that owns its keys: what a recount accumulates over cases it no longer holds, and
/// what a write transaction sums over its writes. May hold zeros (changes that cancelled out).
pub type OwnedTally = BTreeMap<(String, Dim, String), i64>;

/// A sub-case as far as the counters care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubCaseFacts {
    pub seq: i64,
    pub item_code: String,
    pub handling_region: String,
    pub status: String,
    pub deadline: Option<String>,
    pub concluded_on: Option<String>,
}

/// A case as far as the counters care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    pub channel: String,
    /// Where it was received (收件地); `None` online.
    pub received_region: Option<String>,
    /// Submitted by an agent for the applicant (帮代办).
    pub by_agent: bool,
    /// A material was replaced by a written commitment (承诺办).
    pub has_commitment: bool,
    /// A sub-case was accepted with materials to follow (容缺办).
    pub has_tolerance: bool,
    pub sub_cases: Vec<SubCaseFacts>,
}

/// Whether an event kind is a 容缺 acceptance.
pub fn is_tolerance_event(kind: &str) -> bool {
    kind.strip_prefix("sub_case.") == Some(ActionKind::AcceptWithTolerance.as_str())
}

/// The handling mode a case is counted under, one per case: `agency` (帮代办), else
/// `commitment` (承诺办), else `tolerance` (容缺办), else `online` or `window`.
pub fn mode(case: &CaseFacts) -> &'static str {
    if case.by_agent {
        "agency"
    } else if case.has_commitment {
        "commitment"
    } else if case.has_tolerance {
        "tolerance"
    } else if case.channel == "online" {
        "online"
    } else {
        "window"
    }
}

/// The region prefixes a stored region code lies in, outermost first: `430481101001` lies in
/// `43`, `4304`, `430481`, `430481101` and itself; `430400` (a city) in `43` and `4304`. The
/// same prefixes the dashboard asks for (a province by 2 digits, a city by 4, others whole).
pub fn region_keys(code: &str) -> Vec<&str> {
    let own_len = match RegionCode::parse(code) {
        Ok(c) => c.prefix().len(),
        // Not a division code (never written by the app): counted under itself only.
        Err(_) => return vec![code],
    };
    let code = code.trim();
    [2, 4, 6, 9, 12]
        .into_iter()
        .filter(|&k| k <= own_len)
        .filter_map(|k| code.get(..k))
        .collect()
}

/// The digits of the receiving place a region's by-place chart is keyed on: one level below it.
pub fn child_digits(region_key_len: usize) -> usize {
    match region_key_len {
        0..=2 => 4,
        3..=4 => 6,
        5..=6 => 9,
        _ => 12,
    }
}

fn bump<'a>(t: &mut Tally<'a>, region: &'a str, dim: Dim, key: &'a str, by: i64) {
    let k = CountKey { region, dim, key };
    let v = t.entry(k).or_insert(0);
    *v += by;
    if *v == 0 {
        t.remove(&k);
    }
}

fn is_concluded(status: &str) -> bool {
    matches!(status, "concluded" | "delivered")
}

/// Everything one case adds to the counters.
pub fn tally(case: &CaseFacts) -> Tally<'_> {
    let mut t = Tally::new();
    let received_keys = received_keys(case);
    let mode = mode(case);
    let mut case_regions: Vec<&str> = Vec::new();
    for s in &case.sub_cases {
        for r in sub_case_regions(&received_keys, s) {
            bump_sub_case(&mut t, case, mode, s, r, 1);
            if !case_regions.contains(&r) {
                case_regions.push(r);
            }
        }
    }
    for &r in &case_regions {
        bump(&mut t, r, Dim::Cases, "", 1);
        if case.channel == "window" {
            bump(&mut t, r, Dim::WindowCases, "", 1);
        }
    }
    t
}

fn received_keys(case: &CaseFacts) -> Vec<&str> {
    case.received_region
        .as_deref()
        .map(region_keys)
        .unwrap_or_default()
}

/// The regions a sub-case is counted in: where its case was received and where it is handled.
fn sub_case_regions<'a>(received_keys: &[&'a str], s: &'a SubCaseFacts) -> Vec<&'a str> {
    let mut regions = received_keys.to_vec();
    for k in region_keys(&s.handling_region) {
        if !regions.contains(&k) {
            regions.push(k);
        }
    }
    regions
}

/// What sub-case `s` of `case` (counted under `mode`) adds to region `r`'s counters, times `by`.
fn bump_sub_case<'a>(
    t: &mut Tally<'a>,
    case: &'a CaseFacts,
    mode: &'static str,
    s: &'a SubCaseFacts,
    r: &'a str,
    by: i64,
) {
    let concluded = is_concluded(&s.status);
    let on_time = concluded
        && match (&s.deadline, &s.concluded_on) {
            (None, _) => true,
            (Some(d), Some(c)) => c <= d,
            (Some(_), None) => false,
        };
    let cross = case
        .received_region
        .as_deref()
        .is_some_and(|p| prefix6(p) != prefix6(&s.handling_region));
    bump(t, r, Dim::Items, "", by);
    if concluded {
        bump(t, r, Dim::Concluded, "", by);
    }
    if on_time {
        bump(t, r, Dim::OnTime, "", by);
    }
    if cross {
        bump(t, r, Dim::CrossRegion, "", by);
    }
    if let (None, Some(d)) = (&s.concluded_on, &s.deadline) {
        bump(t, r, Dim::OpenDue, d, by);
    }
    let place = case
        .received_region
        .as_deref()
        .map_or("", |p| prefix(p, child_digits(r.len())));
    bump(t, r, Dim::Received, place, by);
    bump(t, r, Dim::Mode, mode, by);
    bump(t, r, Dim::Item, &s.item_code, by);
}

/// What a change from `before` (`None`: a new case) to `after` adds to the counters.
pub fn delta<'a>(before: Option<&'a CaseFacts>, after: &'a CaseFacts) -> Tally<'a> {
    if let Some(b) = before
        && only_sub_cases_moved(b, after)
    {
        // A step of one sub-case (the common write): the other sub-cases and the case-level
        // counters cancel out, so only the sub-cases that changed are counted, out and back in.
        // This runs inside SQLite's one write transaction, so it is kept short.
        let mut t = Tally::new();
        let (keys_before, keys_after) = (received_keys(b), received_keys(after));
        let mode = mode(after);
        for (sb, sa) in b.sub_cases.iter().zip(&after.sub_cases) {
            if sb != sa {
                for r in sub_case_regions(&keys_after, sa) {
                    bump_sub_case(&mut t, after, mode, sa, r, 1);
                }
                for r in sub_case_regions(&keys_before, sb) {
                    bump_sub_case(&mut t, b, mode, sb, r, -1);
                }
            }
        }
        return t;
    }
    let mut t = tally(after);
    if let Some(b) = before {
        for (k, v) in tally(b) {
            bump(&mut t, k.region, k.dim, k.key, -v);
        }
    }
    t
}

/// Whether only sub-cases' own facts differ: the same receiving place, channel and mode, and the
/// same sub-cases handled in the same places (which decide the case-level counters).
fn only_sub_cases_moved(before: &CaseFacts, after: &CaseFacts) -> bool {
    before.channel == after.channel
        && before.received_region == after.received_region
        && mode(before) == mode(after)
        && before.sub_cases.len() == after.sub_cases.len()
        && before
            .sub_cases
            .iter()
            .zip(&after.sub_cases)
            .all(|(b, a)| b.handling_region == a.handling_region)
}

/// Adds one tally into another (many new cases written in one transaction).
pub fn merge<'a>(into: &mut Tally<'a>, more: Tally<'a>) {
    for (k, v) in more {
        bump(into, k.region, k.dim, k.key, v);
    }
}

/// Adds a tally into one that owns its keys (a recount's running sum; a write's counters).
/// Counters that cancel out stay, at zero: whoever writes the sum skips them.
pub fn merge_owned(into: &mut OwnedTally, more: &Tally<'_>) {
    for (k, v) in more {
        *into
            .entry((k.region.to_owned(), k.dim, k.key.to_owned()))
            .or_insert(0) += v;
    }
}

/// Adds one owned tally into another: a write's counters join its transaction's once the write
/// is released.
pub fn merge_owned_tallies(into: &mut OwnedTally, more: OwnedTally) {
    for (k, v) in more {
        *into.entry(k).or_insert(0) += v;
    }
}

/// An owned tally as a [`Tally`] borrowing its keys, leaving out the counters at zero: what the
/// counter upserts take.
pub fn as_tally(owned: &OwnedTally) -> Tally<'_> {
    owned
        .iter()
        .filter(|(_, n)| **n != 0)
        .map(|((region, dim, key), n)| {
            let dim = *dim;
            (CountKey { region, dim, key }, *n)
        })
        .collect()
}

/// SQL's `substr(s, 1, n)` on ASCII digits.
fn prefix(s: &str, n: usize) -> &str {
    s.get(..n).unwrap_or(s)
}

fn prefix6(s: &str) -> &str {
    prefix(s, 6)
}

impl CaseFacts {
    /// The facts after a change that replaces some sub-case rows (by `seq`; like the store's
    /// update, a `seq` the case does not have changes nothing), may change whether a commitment
    /// stands in for a material, and appends events of `event_kinds`.
    pub fn changed<'a>(
        &self,
        sub_cases: impl IntoIterator<Item = SubCaseFacts>,
        has_commitment: bool,
        event_kinds: impl IntoIterator<Item = &'a str>,
    ) -> CaseFacts {
        let mut next = self.clone();
        for s in sub_cases {
            if let Some(o) = next.sub_cases.iter_mut().find(|o| o.seq == s.seq) {
                *o = s;
            }
        }
        next.has_commitment = has_commitment;
        next.has_tolerance = self.has_tolerance || event_kinds.into_iter().any(is_tolerance_event);
        next
    }
}

/// A region's counters read back, ready for the dashboard.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegionCounts {
    pub items: i64,
    pub cases: i64,
    pub concluded: i64,
    pub on_time: i64,
    pub cross_region: i64,
    pub window_cases: i64,
    /// Open sub-cases by deadline day.
    pub open_due: BTreeMap<String, i64>,
    /// By receiving place (`None`: online), largest first.
    pub by_received: Vec<(Option<String>, i64)>,
    /// By mode, largest first.
    pub by_mode: Vec<(String, i64)>,
    /// By item, largest first.
    pub by_item: Vec<(String, i64)>,
}

fn largest_first<K: Ord>(map: BTreeMap<K, i64>) -> Vec<(K, i64)> {
    let mut v: Vec<(K, i64)> = map.into_iter().filter(|(_, n)| *n != 0).collect();
    sort_largest_first(&mut v);
    v
}

/// The dashboard's order of a breakdown: largest first, ties by key (as the scan's
/// `ORDER BY n DESC, k` did, whatever the database's collation and NULL placement).
pub fn sort_largest_first<K: Ord>(v: &mut [(K, i64)]) {
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
}

impl RegionCounts {
    /// From the summed `(dim, key, n)` rows of one region; unknown dimensions are ignored.
    pub fn from_rows(rows: impl IntoIterator<Item = (String, String, i64)>) -> RegionCounts {
        let mut c = RegionCounts::default();
        let mut received = BTreeMap::new();
        let mut modes = BTreeMap::new();
        let mut items = BTreeMap::new();
        for (dim, key, n) in rows {
            match Dim::parse(&dim) {
                Some(Dim::Items) => c.items += n,
                Some(Dim::Cases) => c.cases += n,
                Some(Dim::Concluded) => c.concluded += n,
                Some(Dim::OnTime) => c.on_time += n,
                Some(Dim::CrossRegion) => c.cross_region += n,
                Some(Dim::WindowCases) => c.window_cases += n,
                Some(Dim::OpenDue) => *c.open_due.entry(key).or_insert(0) += n,
                Some(Dim::Received) => {
                    *received
                        .entry((!key.is_empty()).then_some(key))
                        .or_insert(0) += n
                }
                Some(Dim::Mode) => *modes.entry(key).or_insert(0) += n,
                Some(Dim::Item) => *items.entry(key).or_insert(0) += n,
                None => {}
            }
        }
        c.open_due.retain(|_, n| *n != 0);
        c.by_received = largest_first(received);
        c.by_mode = largest_first(modes);
        c.by_item = largest_first(items);
        c
    }

    /// Open sub-cases whose deadline is before `today` (ISO date).
    pub fn overdue(&self, today: &str) -> i64 {
        self.open_due
            .iter()
            .filter(|(d, _)| d.as_str() < today)
            .map(|(_, n)| n)
            .sum()
    }

    /// Open sub-cases whose deadline is from `today` up to `near_by` (ISO dates, inclusive).
    pub fn near_due(&self, today: &str, near_by: &str) -> i64 {
        self.open_due
            .iter()
            .filter(|(d, _)| d.as_str() >= today && d.as_str() <= near_by)
            .map(|(_, n)| n)
            .sum()
    }
}

#[cfg(test)]
mod tests;
