//! 收件地 / 办理地 — which department handles a case received at a given center (收办分离).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::catalog::{CrossRegionScope, DepartmentLevel, Item};
use crate::region::{Department, RegionCode, RegionLevel, RegionTree};

use super::error::CaseError;

/// Where a sub-case is handled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Routed {
    /// The competent department's code, e.g. `430481-hrss`.
    pub department_code: String,
    /// 办理地: the region the department serves.
    pub handling_region: RegionCode,
}

/// Finds the competent department for `item` and checks the receiving center may take it.
///
/// 1. The jurisdiction region: the form field named by the item's jurisdiction rule
///    ([`crate::catalog::JurisdictionRule::region_field`], a region code string), or the receiving
///    center's own region for `receiving_center`.
/// 2. 通办范围: the receiving region must satisfy [`RegionTree::scope_allows`] for the item's scope
///    relative to the handling unit (the jurisdiction region's county or city); `case.outside_scope`
///    names the scope and the area it allows.
/// 3. The department: the one of the item's department type at its level whose region is that
///    unit (`case.no_competent_department` when that place has none on this platform).
pub fn route(
    item: &Item,
    form: &Map<String, Value>,
    receiving_region: &RegionCode,
    tree: &RegionTree,
    departments: &[Department],
) -> Result<Routed, CaseError> {
    let jurisdiction = match item.jurisdiction.region_field() {
        None => receiving_region.clone(),
        Some(field) => {
            let value = form
                .get(field)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| CaseError::JurisdictionFieldMissing {
                    field: field.to_owned(),
                })?;
            RegionCode::parse(value).map_err(|_| CaseError::JurisdictionRegionUnknown {
                value: value.to_owned(),
            })?
        }
    };
    let level = match item.department_level {
        DepartmentLevel::City => RegionLevel::City,
        DepartmentLevel::County => RegionLevel::County,
    };
    let unit = tree.enclosing(&jurisdiction, level).ok_or_else(|| {
        CaseError::JurisdictionRegionUnknown {
            value: jurisdiction.to_string(),
        }
    })?;
    // The scope is checked before looking for the department: an applicant registered outside
    // the scope learns that the item is not handled across that distance, which is the real
    // reason, rather than that no department there is on this platform.
    let handling = RegionCode::parse(&unit).map_err(|_| CaseError::JurisdictionRegionUnknown {
        value: unit.clone(),
    })?;
    if !tree.scope_allows(item.scope, receiving_region, &handling) {
        return Err(outside_scope(item.scope, receiving_region, &handling, tree));
    }
    let department = departments
        .iter()
        .find(|d| {
            d.department_type == item.department_type
                && d.level == item.department_level
                && d.region.as_str() == unit
        })
        .ok_or_else(|| CaseError::NoCompetentDepartment {
            department_type: item.department_type.clone(),
            level: item.department_level,
            region: unit.clone(),
        })?;
    Ok(Routed {
        department_code: department.code.clone(),
        handling_region: handling,
    })
}

fn outside_scope(
    scope: CrossRegionScope,
    receiving: &RegionCode,
    handling: &RegionCode,
    tree: &RegionTree,
) -> CaseError {
    let level = match scope {
        CrossRegionScope::County => RegionLevel::County,
        CrossRegionScope::City => RegionLevel::City,
        // Nationwide never fails; name the province for both.
        CrossRegionScope::Province | CrossRegionScope::Nationwide => RegionLevel::Province,
    };
    let unit = |code: &RegionCode| {
        let c = tree
            .enclosing(code, level)
            .unwrap_or_else(|| code.to_string());
        let name = tree.get(&c).map_or_else(|| c.clone(), |r| r.name.clone());
        (c, name)
    };
    let (area_code, area_name) = unit(handling);
    let (receiving_code, receiving_name) = unit(receiving);
    CaseError::OutsideScope {
        scope,
        area_code,
        area_name,
        receiving_code,
        receiving_name,
    }
}
