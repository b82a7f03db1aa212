//! tongban's services, one module per bounded context. Each takes the store, the clock and the
//! loaded reference data from [`App`]; the HTTP handlers and the CLI both call these, never the store
//! directly, so a rule lives in one place.
//!
//! - [`catalog`]: reading, validating, importing and exporting catalog folders; search and detail.
//! - [`calendar`]: the official calendar plus an administrator's changes; deadlines.
//! - [`places`]: regions and service centers.
//! - [`accounts`]: users and passwords.
//! - [`appointments`]: 预约办 slot templates, bookings, check-in and the queue.
//! - [`bootstrap`]: what happens on first start.
//! - [`reference`]: the division tree and demo catalog shipped inside the binary.

pub mod accounts;
pub mod agency;
pub mod appointments;
pub mod bootstrap;
pub mod calendar;
pub mod cases;
pub mod catalog;
pub mod catalog_admin; // 事项目录维护: the admin pages' edits
pub mod citizen_views; // the citizen pages: my cases with deadlines
pub mod clock;
pub mod cluster; // several nodes: the deadline-job lease, the reference generation
pub mod commitments; // 承诺办
pub mod demo; // tongban demo generate: a case history made by the real services
pub mod error;
pub mod files;
pub mod places;
pub mod reference;
pub mod registration; // 网上办: self-registration
pub mod stats; // 统计: the supervisor dashboard
pub mod workbench; // staff: to-do list, case page data, a case's files
pub mod workstation; // the clerk's window: queue and cases received here

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use serde::Serialize;
use tongban_domain::calendar::Calendar;
use tongban_domain::region::{Department, RegionTree};
use tongban_store::Store;

use crate::catalog::CatalogView;
use crate::clock::Clock;
use crate::error::{AppError, AppResult};

/// The running application: the store plus what is loaded from it at start.
#[derive(Debug)]
pub struct App {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub data_dir: PathBuf,
    calendar: RwLock<Arc<Calendar>>,
    catalog: RwLock<Arc<CatalogView>>,
    regions: Arc<RegionTree>,
    departments: Arc<Vec<Department>>,
}

impl App {
    /// Loads the calendar and the catalog from a migrated store.
    pub async fn load(store: Store, clock: Arc<dyn Clock>, data_dir: PathBuf) -> AppResult<App> {
        let calendar = calendar::load_calendar(&store).await?;
        let catalog = CatalogView::load(&store).await?;
        let regions = Arc::new(RegionTree::new(store.regions().await?));
        let departments = Arc::new(store.departments().await?);
        Ok(App {
            store,
            clock,
            data_dir,
            calendar: RwLock::new(Arc::new(calendar)),
            catalog: RwLock::new(Arc::new(catalog)),
            regions,
            departments,
        })
    }

    /// The calendar in force (official schedules plus the administrator's changes).
    pub fn calendar(&self) -> Arc<Calendar> {
        match self.calendar.read() {
            Ok(c) => c.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The division tree (loaded at start; divisions change with a new release of the data).
    /// The departments (loaded at start with the places they serve): routing and case views read
    /// them on every request, so they are not fetched from the database each time.
    pub fn departments(&self) -> Arc<Vec<Department>> {
        self.departments.clone()
    }

    pub fn regions(&self) -> Arc<RegionTree> {
        self.regions.clone()
    }

    pub fn catalog(&self) -> Arc<CatalogView> {
        match self.catalog.read() {
            Ok(c) => c.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Re-reads the calendar and catalog after a change (an import, a newly loaded year), and
    /// tells the other nodes to do the same ([`cluster::GenerationWatch`]).
    pub async fn reload(&self) -> AppResult<()> {
        self.announce_reference_change().await?;
        self.reload_local().await
    }

    /// Re-reads the calendar and catalog on this node only.
    pub async fn reload_local(&self) -> AppResult<()> {
        let calendar = Arc::new(calendar::load_calendar(&self.store).await?);
        let catalog = Arc::new(CatalogView::load(&self.store).await?);
        match self.calendar.write() {
            Ok(mut c) => *c = calendar,
            Err(poisoned) => *poisoned.into_inner() = calendar,
        }
        match self.catalog.write() {
            Ok(mut c) => *c = catalog,
            Err(poisoned) => *poisoned.into_inner() = catalog,
        }
        Ok(())
    }
}

/// One page of a longer list.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub total: u64,
    pub offset: u32,
    pub limit: u32,
    pub items: Vec<T>,
}

pub const DEFAULT_PAGE: u32 = 20;
pub const MAX_PAGE: u32 = 100;

/// Parses `offset` and `limit` from a query (`limit` defaults to 20, at most 100).
pub fn parse_page(offset: Option<&str>, limit: Option<&str>) -> AppResult<(u32, u32)> {
    let num = |v: Option<&str>, field: &str, default: u32, max: u32| -> AppResult<u32> {
        let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) else {
            return Ok(default);
        };
        match v.parse::<u32>() {
            Ok(n) if n <= max => Ok(n),
            _ => Err(AppError::invalid(
                "query.out_of_range",
                format!("{field} must be a whole number from 0 to {max}; got {v:?}."),
                format!("{field} 应为 0 到 {max} 之间的整数，实际为 {v:?}。"),
            )
            .with_field(field)),
        }
    };
    let offset = num(offset, "offset", 0, 1_000_000)?;
    let limit = num(limit, "limit", DEFAULT_PAGE, MAX_PAGE)?;
    Ok((offset, limit))
}

/// A required query parameter.
pub fn require<'a>(value: Option<&'a str>, field: &str) -> AppResult<&'a str> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            AppError::invalid(
                "query.missing",
                format!("The parameter {field} is required."),
                format!("缺少必填参数 {field}。"),
            )
            .with_field(field)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_defaults_and_limits() {
        assert_eq!(parse_page(None, None).unwrap(), (0, 20));
        assert_eq!(parse_page(Some("40"), Some("100")).unwrap(), (40, 100));
        let e = parse_page(None, Some("101")).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("limit"));
        let e = parse_page(Some("-1"), None).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("offset"));
    }

    #[test]
    fn required_parameters_name_the_field() {
        assert_eq!(require(Some(" x "), "q").unwrap(), "x");
        let e = require(Some("  "), "region").unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.field.as_deref()),
            ("query.missing", Some("region"))
        );
    }
}
