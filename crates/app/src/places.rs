//! Places: the division tree, service centers and departments, as the API shows them.

use serde::Serialize;
use tongban_domain::region::{Department, Region, RegionCode, RegionLevel, ServiceCenter};

use crate::catalog::ItemSummary;
use tongban_domain::catalog::DepartmentLevel;

use crate::error::{AppError, AppResult};
use crate::{App, Page};

/// A region with its parent chain and its children.
#[derive(Debug, Clone, Serialize)]
pub struct RegionView {
    pub region: Region,
    /// From the province down to the parent.
    pub ancestors: Vec<Region>,
    pub children: Vec<Region>,
}

/// Parses a region code from user input, naming the field when it is malformed.
pub fn parse_region_code(s: &str, field: &str) -> AppResult<RegionCode> {
    RegionCode::parse(s)
        .map_err(|e| AppError::invalid(e.code(), format!("{e}."), e.message_zh()).with_field(field))
}

fn unknown_region(code: &str, field: &str) -> AppError {
    AppError::not_found(
        "region.unknown",
        format!("There is no region with code {code}."),
        format!("不存在代码为 {code} 的行政区划。"),
    )
    .with_field(field)
}

/// The prefix shared by the codes of a region and everything below it (430400 → 4304).
/// Browsing by region (按地区浏览): a region, its own service center, and the departments that
/// handle services for people there with the items each handles.
#[derive(Debug, Clone, Serialize)]
pub struct RegionGuide {
    pub view: RegionView,
    /// The region's own center (市/县政务服务中心, 乡镇便民服务中心, 村便民服务站).
    pub center: Option<ServiceCenter>,
    /// City departments first, then the county's.
    pub departments: Vec<DepartmentItems>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DepartmentItems {
    pub department: Department,
    pub items: Vec<ItemSummary>,
}

fn subtree_prefix(code: &RegionCode) -> &str {
    let s = code.as_str();
    match code.shape_level() {
        RegionLevel::Province => &s[..2],
        RegionLevel::City => &s[..4],
        _ => s,
    }
}

impl App {
    pub async fn region(&self, code: &str) -> AppResult<RegionView> {
        let parsed = parse_region_code(code, "code")?;
        let region = self
            .store
            .region(parsed.as_str())
            .await?
            .ok_or_else(|| unknown_region(code, "code"))?;
        let children = self.store.region_children(parsed.as_str()).await?;
        let mut ancestors = Vec::new();
        let mut parent = region.parent.clone();
        while let Some(p) = parent {
            if ancestors.len() > 6 {
                break;
            }
            match self.store.region(p.as_str()).await? {
                Some(r) => {
                    parent = r.parent.clone();
                    ancestors.push(r);
                }
                None => break,
            }
        }
        ancestors.reverse();
        Ok(RegionView {
            region,
            ancestors,
            children,
        })
    }

    /// Service centers in a region and below it.
    /// The guide to one region: where to go and which departments handle what for it. A town or
    /// village is served by its county's departments and the city's.
    pub async fn region_guide(&self, code: &str) -> AppResult<RegionGuide> {
        let view = self.region(code).await?;
        let center = self
            .store
            .center(&ServiceCenter::code_for(&view.region.code))
            .await?;
        let serving: Vec<&RegionCode> = view
            .ancestors
            .iter()
            .map(|r| &r.code)
            .chain(std::iter::once(&view.region.code))
            .collect();
        let all = self.departments();
        let mut departments: Vec<DepartmentItems> = all
            .iter()
            .filter(|d| serving.contains(&&d.region))
            .map(|d| {
                let items = self
                    .search_items("", Some(&d.department_type), None, 0, 1000)
                    .map(|p| p.items)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|i| i.department_level == d.level)
                    .collect();
                DepartmentItems {
                    department: d.clone(),
                    items,
                }
            })
            .filter(|d| !d.items.is_empty())
            .collect();
        departments.sort_by_key(|d| {
            (
                d.department.level != DepartmentLevel::City,
                d.department.code.clone(),
            )
        });
        Ok(RegionGuide {
            view,
            center,
            departments,
        })
    }

    pub async fn centers(
        &self,
        region: &str,
        limit: u32,
        offset: u32,
    ) -> AppResult<Page<ServiceCenter>> {
        let parsed = parse_region_code(region, "region")?;
        if self.store.region(parsed.as_str()).await?.is_none() {
            return Err(unknown_region(region, "region"));
        }
        let (total, items) = self
            .store
            .centers_with_prefix(subtree_prefix(&parsed), i64::from(limit), i64::from(offset))
            .await?;
        Ok(Page {
            total: u64::try_from(total).unwrap_or(0),
            offset,
            limit,
            items,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtree_prefixes() {
        let p = |s: &str| subtree_prefix(&RegionCode::parse(s).unwrap()).to_string();
        assert_eq!(p("430000"), "43");
        assert_eq!(p("430400"), "4304");
        assert_eq!(p("430406"), "430406");
        assert_eq!(p("430406001"), "430406001");
    }
}
