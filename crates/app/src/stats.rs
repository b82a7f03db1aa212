//! 统计: the supervisor dashboard's figures for a region — on-time rate, near-due and overdue
//! counts, cases by place, handling mode and item, cross-region share and trips saved — and the
//! list behind the near-due and overdue counts. The counts are kept by the store as cases change
//! (`tongban_domain::stats::counts`); the working-day rules (today, the near-due day) come from
//! the app's calendar.

use chrono::{Days, NaiveDate};
use serde::Serialize;
use tongban_domain::catalog::Role;
use tongban_domain::region::{RegionCode, RegionLevel};
use tongban_domain::stats;
use tongban_domain::stats::counts;

use crate::App;
use crate::accounts::CurrentUser;
use crate::cases::{NEAR_DUE_DAYS, region_prefix};
use crate::error::{AppError, AppResult, ErrorKind};

/// How many items the by-item chart shows.
pub const TOP_ITEMS: i64 = 10;
/// The longest near-due or overdue list a page shows.
pub const DUE_LIST_LIMIT: i64 = 200;

/// The headline counts of a region.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatsTotals {
    /// Sub-cases in the region.
    pub items: i64,
    /// Distinct cases they belong to.
    pub cases: i64,
    /// Concluded (办结 or 送达).
    pub concluded: i64,
    /// Concluded on or before the committed deadline.
    pub on_time: i64,
    /// Open, deadline before today.
    pub overdue: i64,
    /// Open, deadline from today up to the near-due day.
    pub near_due: i64,
    /// Received at a place whose county differs from the handling department's county.
    pub cross_region: i64,
    /// Cases received at a window (one trip each).
    pub window_cases: i64,
}

/// A region as the dashboard names it.
#[derive(Debug, Clone, Serialize)]
pub struct RegionRef {
    pub code: String,
    pub name: String,
    pub level: RegionLevel,
}

/// One row of the by-place chart.
#[derive(Debug, Clone, Serialize)]
pub struct AreaRow {
    /// What the rows are keyed on; `None` for the two catch-all rows below.
    pub region: Option<RegionRef>,
    /// `online` (received at no center), `outside` (received outside this region, handled
    /// inside) or `here` (received at this region's own level, e.g. the county hall).
    pub bucket: Option<&'static str>,
    pub count: i64,
    /// Whether the row leads to a lower level (a region with its own breakdown).
    pub drills: bool,
}

/// One row of the by-mode or by-item chart.
#[derive(Debug, Clone, Serialize)]
pub struct KeyCount {
    /// A mode key (`online`, `window`, `tolerance`, `commitment`, `agency`) or an item code.
    pub key: String,
    /// The item name for items; the mode key again for modes.
    pub name: String,
    pub count: i64,
}

/// Everything the dashboard page shows for one region.
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub region: RegionRef,
    /// The regions above, up to the supervisor's own (for the breadcrumb), outermost first.
    pub trail: Vec<RegionRef>,
    pub today: NaiveDate,
    /// The last day a deadline counts as near-due.
    pub near_due_by: NaiveDate,
    pub totals: StatsTotals,
    /// On-time rate in tenths of a percent; `None` when nothing is concluded.
    pub on_time_per_mille: Option<i64>,
    /// Cross-region share of the sub-cases in tenths of a percent.
    pub cross_region_per_mille: Option<i64>,
    /// Trips the traditional process would need (baseline) and the trips saved.
    pub trips_baseline: i64,
    pub trips_saved: i64,
    pub by_area: Vec<AreaRow>,
    pub by_mode: Vec<KeyCount>,
    pub by_item: Vec<KeyCount>,
}

/// Near-due or overdue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DueFlag {
    NearDue,
    Overdue,
}

impl DueFlag {
    pub fn parse(s: &str) -> AppResult<DueFlag> {
        match s {
            "near_due" => Ok(DueFlag::NearDue),
            "overdue" => Ok(DueFlag::Overdue),
            other => Err(AppError::invalid(
                "query.out_of_range",
                format!("flag must be near_due or overdue; got {other:?}."),
                format!("flag 只能是 near_due 或 overdue，实际为 {other:?}。"),
            )
            .with_field("flag")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DueFlag::NearDue => "near_due",
            DueFlag::Overdue => "overdue",
        }
    }
}

/// One line of the near-due or overdue list.
#[derive(Debug, Clone, Serialize)]
pub struct DueCase {
    pub number: String,
    pub seq: i64,
    pub item_code: String,
    pub item_name: String,
    pub department_code: String,
    pub department_name: String,
    pub deadline: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DueList {
    pub region: RegionRef,
    pub flag: DueFlag,
    pub cases: Vec<DueCase>,
    /// More than [`DUE_LIST_LIMIT`] matched; only the earliest are listed.
    pub truncated: bool,
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

impl App {
    /// The region a supervisor asks for: their own by default; one outside their region (or
    /// unknown) is not found, revealing nothing about it.
    fn stats_region(&self, user: &CurrentUser, asked: Option<&str>) -> AppResult<RegionCode> {
        if user.role != Role::Supervisor {
            return Err(AppError::new(
                ErrorKind::Forbidden,
                "stats.forbidden",
                "The dashboard is for supervisors.",
                "统计分析仅供监督人员使用。",
            ));
        }
        let own = user
            .region_code
            .as_deref()
            .and_then(|r| RegionCode::parse(r).ok())
            .ok_or_else(|| {
                AppError::new(
                    ErrorKind::Forbidden,
                    "stats.no_region",
                    "Your account is not bound to a region.",
                    "您的账号未绑定行政区划。",
                )
            })?;
        let Some(asked) = asked.map(str::trim).filter(|s| !s.is_empty()) else {
            return Ok(own);
        };
        let not_yours = || {
            AppError::not_found(
                "stats.region_not_found",
                format!("There is no region {asked} within your region."),
                format!("在您的辖区内找不到行政区划 {asked}。"),
            )
            .with_field("region")
        };
        let code = RegionCode::parse(asked).map_err(|_| not_yours())?;
        if !code.as_str().starts_with(&region_prefix(&own)) || self.regions().get(asked).is_none() {
            return Err(not_yours());
        }
        Ok(code)
    }

    fn region_ref(&self, code: &str) -> RegionRef {
        let tree = self.regions();
        match tree.get(code) {
            Some(r) => RegionRef {
                code: code.to_string(),
                name: r.name.clone(),
                level: r.level,
            },
            None => RegionRef {
                code: code.to_string(),
                name: code.to_string(),
                level: RegionCode::parse(code)
                    .map(|c| c.shape_level())
                    .unwrap_or(RegionLevel::Village),
            },
        }
    }

    /// The dashboard of a region within the supervisor's own.
    pub async fn dashboard(
        &self,
        user: &CurrentUser,
        region: Option<&str>,
    ) -> AppResult<Dashboard> {
        let code = self.stats_region(user, region)?;
        let prefix = region_prefix(&code);
        let today = self.clock.today();
        let near_due_by = self
            .calendar()
            .deadline(today, u32::try_from(NEAR_DUE_DAYS).unwrap_or(2))
            .map(|c| c.value)
            .unwrap_or(today);
        let counts = self.store.stats_counts(&prefix).await?;
        let totals = StatsTotals {
            items: counts.items,
            cases: counts.cases,
            concluded: counts.concluded,
            on_time: counts.on_time,
            overdue: counts.overdue(&day(today)),
            near_due: counts.near_due(&day(today), &day(near_due_by)),
            cross_region: counts.cross_region,
            window_cases: counts.window_cases,
        };
        let here = self.region_ref(code.as_str());

        // By receiving place, one level down; the rest in catch-all rows.
        // The places the counters were keyed on: one level below this region's prefix.
        let digits = counts::child_digits(prefix.len());
        let mut by_area: Vec<AreaRow> = Vec::new();
        let mut outside = 0;
        let mut at_this_level = 0;
        for (key, count) in counts.by_received {
            let Some(key) = key else {
                by_area.push(AreaRow {
                    region: None,
                    bucket: Some("online"),
                    count,
                    drills: false,
                });
                continue;
            };
            let key = if here.level == RegionLevel::Province {
                format!("{key}00")
            } else {
                key
            };
            if !key.starts_with(&prefix) {
                outside += count;
            } else if key.len() < digits || key == code.as_str() {
                at_this_level += count;
            } else {
                let r = self.region_ref(&key);
                let drills = !matches!(r.level, RegionLevel::Village);
                by_area.push(AreaRow {
                    region: Some(r),
                    bucket: None,
                    count,
                    drills,
                });
            }
        }
        for (bucket, count) in [("here", at_this_level), ("outside", outside)] {
            if count > 0 {
                by_area.push(AreaRow {
                    region: None,
                    bucket: Some(bucket),
                    count,
                    drills: false,
                });
            }
        }
        by_area.sort_by_key(|a| std::cmp::Reverse(a.count));

        let by_mode = counts
            .by_mode
            .into_iter()
            .map(|(key, count)| KeyCount {
                name: key.clone(),
                key,
                count,
            })
            .collect();
        let catalog = self.catalog();
        let by_item = counts
            .by_item
            .into_iter()
            .take(usize::try_from(TOP_ITEMS).unwrap_or(10))
            .map(|(key, count)| KeyCount {
                name: catalog
                    .items
                    .get(&key)
                    .map_or_else(|| key.clone(), |s| s.item.name.clone()),
                key,
                count,
            })
            .collect();

        // The breadcrumb: from the supervisor's own region down to (not including) this one.
        let own_prefix = user
            .region_code
            .as_deref()
            .and_then(|r| RegionCode::parse(r).ok())
            .map(|o| region_prefix(&o))
            .unwrap_or_default();
        let mut trail: Vec<RegionRef> = self
            .regions()
            .lineage(code.as_str())
            .into_iter()
            .filter(|r| {
                r.code.as_str() != code.as_str() && r.code.as_str().starts_with(&own_prefix)
            })
            .map(|r| self.region_ref(r.code.as_str()))
            .collect();
        trail.reverse();

        Ok(Dashboard {
            on_time_per_mille: stats::on_time_rate(totals.on_time, totals.concluded),
            cross_region_per_mille: stats::per_mille(totals.cross_region, totals.items),
            trips_baseline: totals.items * stats::BASELINE_TRIPS_PER_ITEM,
            trips_saved: stats::trips_saved(totals.items, totals.window_cases),
            region: here,
            trail,
            today,
            near_due_by,
            totals,
            by_area,
            by_mode,
            by_item,
        })
    }

    /// The open sub-cases behind the near-due or overdue count of a region.
    pub async fn due_list(
        &self,
        user: &CurrentUser,
        region: Option<&str>,
        flag: DueFlag,
    ) -> AppResult<DueList> {
        let code = self.stats_region(user, region)?;
        let prefix = region_prefix(&code);
        let today = self.clock.today();
        let (from, until) = match flag {
            DueFlag::Overdue => (String::new(), day(today)),
            DueFlag::NearDue => {
                let by = self
                    .calendar()
                    .deadline(today, u32::try_from(NEAR_DUE_DAYS).unwrap_or(2))
                    .map(|c| c.value)
                    .unwrap_or(today);
                let after = by.checked_add_days(Days::new(1)).unwrap_or(by);
                (day(today), day(after))
            }
        };
        let mut rows = self
            .store
            .stats_due(&prefix, &from, &until, DUE_LIST_LIMIT + 1)
            .await?;
        let truncated = rows.len() as i64 > DUE_LIST_LIMIT;
        rows.truncate(usize::try_from(DUE_LIST_LIMIT).unwrap_or(200));
        let catalog = self.catalog();
        let departments = self.departments();
        let cases = rows
            .into_iter()
            .map(|r| DueCase {
                item_name: catalog
                    .items
                    .get(&r.item_code)
                    .map_or_else(|| r.item_code.clone(), |s| s.item.name.clone()),
                department_name: departments
                    .iter()
                    .find(|d| d.code == r.department_code)
                    .map_or_else(|| r.department_code.clone(), |d| d.name.clone()),
                number: r.case_number,
                seq: r.seq,
                item_code: r.item_code,
                department_code: r.department_code,
                deadline: r.deadline,
            })
            .collect();
        Ok(DueList {
            region: self.region_ref(code.as_str()),
            flag,
            cases,
            truncated,
        })
    }
}
