//! Regions (行政区划), service centers and departments.

use chrono::NaiveDate;
use tongban_domain::catalog::DepartmentLevel;
use tongban_domain::region::{
    CenterLevel, Department, Region, RegionCode, RegionLevel, ServiceCenter,
};

use rusqlite::OptionalExtension;

use crate::{Result, Store, StoreError, in_tx, on_pool};

#[derive(sqlx::FromRow)]
struct RegionRow {
    code: String,
    name: String,
    level: String,
    parent_code: Option<String>,
    valid_from: Option<String>,
    valid_to: Option<String>,
}

impl TryFrom<RegionRow> for Region {
    type Error = StoreError;
    fn try_from(r: RegionRow) -> Result<Region> {
        let code = |s: &str| RegionCode::parse(s).map_err(|e| StoreError::Corrupt(e.to_string()));
        let date = |s: Option<String>| -> Result<Option<NaiveDate>> {
            s.map(|d| {
                NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                    .map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .transpose()
        };
        Ok(Region {
            code: code(&r.code)?,
            name: r.name,
            level: RegionLevel::parse(&r.level)
                .ok_or_else(|| StoreError::Corrupt(format!("region level {}", r.level)))?,
            parent: r.parent_code.as_deref().map(code).transpose()?,
            valid_from: date(r.valid_from)?,
            valid_to: date(r.valid_to)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct CenterRow {
    code: String,
    name: String,
    level: String,
    region_code: String,
    address: String,
    windows: i64,
}

impl TryFrom<CenterRow> for ServiceCenter {
    type Error = StoreError;
    fn try_from(r: CenterRow) -> Result<ServiceCenter> {
        Ok(ServiceCenter {
            code: r.code,
            name: r.name,
            level: CenterLevel::parse(&r.level)
                .ok_or_else(|| StoreError::Corrupt(format!("center level {}", r.level)))?,
            region: RegionCode::parse(&r.region_code)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            address: r.address,
            windows: u32::try_from(r.windows).unwrap_or(1),
        })
    }
}

#[derive(sqlx::FromRow)]
struct DepartmentRow {
    code: String,
    name: String,
    department_type: String,
    level: String,
    region_code: String,
}

impl TryFrom<DepartmentRow> for Department {
    type Error = StoreError;
    fn try_from(r: DepartmentRow) -> Result<Department> {
        Ok(Department {
            code: r.code,
            name: r.name,
            department_type: r.department_type,
            level: match r.level.as_str() {
                "city" => DepartmentLevel::City,
                "county" => DepartmentLevel::County,
                other => return Err(StoreError::Corrupt(format!("department level {other}"))),
            },
            region: RegionCode::parse(&r.region_code)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        })
    }
}

fn level_str(l: DepartmentLevel) -> &'static str {
    match l {
        DepartmentLevel::City => "city",
        DepartmentLevel::County => "county",
    }
}

fn day(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

const REGION_COLUMNS: &str = "code, name, level, parent_code, valid_from, valid_to";
const CENTER_COLUMNS: &str = "code, name, level, region_code, address, windows";

/// One center by code on SQLite's direct path, inside a read on `db` (alone, or in the snapshot
/// of a case record).
pub(crate) fn center_direct(
    db: &rusqlite::Connection,
    code: &str,
) -> Result<Option<ServiceCenter>> {
    db.prepare_cached(&format!(
        "SELECT {CENTER_COLUMNS} FROM service_centers WHERE code = ?1"
    ))
    .and_then(|mut s| {
        s.query_row([code], |r| {
            Ok(CenterRow {
                code: r.get(0)?,
                name: r.get(1)?,
                level: r.get(2)?,
                region_code: r.get(3)?,
                address: r.get(4)?,
                windows: r.get(5)?,
            })
        })
        .optional()
    })
    .map_err(crate::direct::direct_error)?
    .map(ServiceCenter::try_from)
    .transpose()
}
const DEPARTMENT_COLUMNS: &str = "code, name, department_type, level, region_code";

impl Store {
    /// Loads the places in one transaction: regions (parents before children), then departments and
    /// centers. Existing rows with the same code are updated.
    pub async fn upsert_places(
        &self,
        regions: &[Region],
        departments: &[Department],
        centers: &[ServiceCenter],
    ) -> Result<()> {
        in_tx!(self, tx => {
            for r in regions {
                sqlx::query(
                    "INSERT INTO regions (code, name, level, parent_code, valid_from, valid_to) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code) DO UPDATE SET \
                     name = excluded.name, level = excluded.level, parent_code = excluded.parent_code, \
                     valid_from = excluded.valid_from, valid_to = excluded.valid_to",
                )
                .bind(r.code.as_str())
                .bind(&r.name)
                .bind(r.level.as_str())
                .bind(r.parent.as_ref().map(|p| p.as_str()))
                .bind(day(r.valid_from))
                .bind(day(r.valid_to))
                .execute(&mut *tx)
                .await?;
            }
            for d in departments {
                sqlx::query(
                    "INSERT INTO departments (code, name, department_type, level, region_code) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO UPDATE SET \
                     name = excluded.name, department_type = excluded.department_type, \
                     level = excluded.level, region_code = excluded.region_code",
                )
                .bind(&d.code)
                .bind(&d.name)
                .bind(&d.department_type)
                .bind(level_str(d.level))
                .bind(d.region.as_str())
                .execute(&mut *tx)
                .await?;
            }
            for c in centers {
                sqlx::query(
                    "INSERT INTO service_centers (code, name, level, region_code, address, windows) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code) DO UPDATE SET \
                     name = excluded.name, level = excluded.level, region_code = excluded.region_code, \
                     address = excluded.address, windows = excluded.windows",
                )
                .bind(&c.code)
                .bind(&c.name)
                .bind(c.level.as_str())
                .bind(c.region.as_str())
                .bind(&c.address)
                .bind(i64::from(c.windows))
                .execute(&mut *tx)
                .await?;
            }
        });
        Ok(())
    }

    pub async fn regions(&self) -> Result<Vec<Region>> {
        let sql = format!("SELECT {REGION_COLUMNS} FROM regions ORDER BY code");
        let rows: Vec<RegionRow> =
            on_pool!(self, pool => sqlx::query_as(&sql).fetch_all(pool).await?);
        rows.into_iter().map(Region::try_from).collect()
    }

    pub async fn region(&self, code: &str) -> Result<Option<Region>> {
        let sql = format!("SELECT {REGION_COLUMNS} FROM regions WHERE code = $1");
        let row: Option<RegionRow> =
            on_pool!(self, pool => sqlx::query_as(&sql).bind(code).fetch_optional(pool).await?);
        row.map(Region::try_from).transpose()
    }

    pub async fn region_children(&self, code: &str) -> Result<Vec<Region>> {
        let sql =
            format!("SELECT {REGION_COLUMNS} FROM regions WHERE parent_code = $1 ORDER BY code");
        let rows: Vec<RegionRow> =
            on_pool!(self, pool => sqlx::query_as(&sql).bind(code).fetch_all(pool).await?);
        rows.into_iter().map(Region::try_from).collect()
    }

    pub async fn departments(&self) -> Result<Vec<Department>> {
        let sql = format!("SELECT {DEPARTMENT_COLUMNS} FROM departments ORDER BY code");
        let rows: Vec<DepartmentRow> =
            on_pool!(self, pool => sqlx::query_as(&sql).fetch_all(pool).await?);
        rows.into_iter().map(Department::try_from).collect()
    }

    /// Centers whose region code starts with `prefix` (a region's code without its trailing zero
    /// groups selects the region and everything below it), paginated by code.
    pub async fn centers_with_prefix(
        &self,
        prefix: &str,
        limit: i64,
        offset: i64,
    ) -> Result<(i64, Vec<ServiceCenter>)> {
        let pattern = format!("{prefix}%");
        let total: i64 = on_pool!(self, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM service_centers WHERE region_code LIKE $1",
        ).bind(&pattern).fetch_one(pool).await?);
        let sql = format!(
            "SELECT {CENTER_COLUMNS} FROM service_centers WHERE region_code LIKE $1 \
             ORDER BY code LIMIT $2 OFFSET $3"
        );
        let rows: Vec<CenterRow> = on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(&pattern).bind(limit).bind(offset).fetch_all(pool).await?);
        let centers = rows
            .into_iter()
            .map(ServiceCenter::try_from)
            .collect::<Result<_>>()?;
        Ok((total, centers))
    }

    /// One center by code. Every case view names its receiving center, so on SQLite this point
    /// read takes the direct path (see `crate::direct::DirectReaders`).
    pub async fn center(&self, code: &str) -> Result<Option<ServiceCenter>> {
        match &self.backend {
            crate::Backend::Sqlite { direct_read, .. } => {
                direct_read.read(|db| center_direct(db, code))
            }
            crate::Backend::Postgres(pool) => {
                let sql = format!("SELECT {CENTER_COLUMNS} FROM service_centers WHERE code = $1");
                let row: Option<CenterRow> =
                    sqlx::query_as(&sql).bind(code).fetch_optional(pool).await?;
                row.map(ServiceCenter::try_from).transpose()
            }
        }
    }

    pub async fn count_places(&self) -> Result<(i64, i64, i64)> {
        on_pool!(self, pool => {
            let r: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM regions").fetch_one(pool).await?;
            let d: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM departments").fetch_one(pool).await?;
            let c: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM service_centers").fetch_one(pool).await?;
            Ok((r, d, c))
        })
    }
}
