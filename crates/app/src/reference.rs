//! Reference and demonstration data shipped inside the binary, so a fresh machine needs nothing else.
//!
//! - `reference/divisions/`: the real division tree (NBS 2023 codes; WTFPL) — Hengyang down to its
//!   2,785 villages, and every county-level unit of China for applicants registered elsewhere.
//! - `demo/catalog/`: the DEMONSTRATION catalog for Hengyang (items and bundles modelled on real ones).
//! - Service centers and departments are generated from the tree and the catalog's department types:
//!   one center per city, county, town and village, one department per type and level.

use include_dir::{Dir, include_dir};
use tongban_domain::catalog::{CatalogIndex, DepartmentLevel};
use tongban_domain::region::{
    CenterLevel, Department, Region, RegionCode, RegionLevel, ServiceCenter,
};

use crate::error::{AppError, AppResult};

pub static DEMO_CATALOG: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../../demo/catalog");
const HENGYANG_DIVISIONS: &str = include_str!("../../../reference/divisions/hengyang-430400.csv");
const CHINA_COUNTIES: &str = include_str!("../../../reference/divisions/china-county-level.csv");

#[derive(serde::Deserialize)]
struct DivisionRow {
    code: String,
    name: String,
    level: String,
    parent_code: String,
}

/// Parses a division CSV (`code,name,level,parent_code`).
pub fn parse_divisions(csv_text: &str) -> AppResult<Vec<Region>> {
    let mut out = Vec::new();
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    for (i, row) in reader.deserialize::<DivisionRow>().enumerate() {
        let line = i + 2;
        let bad = |what: String| {
            AppError::invalid(
                "divisions.bad_row",
                format!("division row {line}: {what}"),
                format!("区划数据第 {line} 行：{what}"),
            )
        };
        let row = row.map_err(|e| bad(e.to_string()))?;
        let code = RegionCode::parse(&row.code).map_err(|e| bad(e.to_string()))?;
        let level = RegionLevel::parse(&row.level)
            .ok_or_else(|| bad(format!("unknown level {}", row.level)))?;
        let parent = if row.parent_code.is_empty() {
            None
        } else {
            Some(RegionCode::parse(&row.parent_code).map_err(|e| bad(e.to_string()))?)
        };
        out.push(Region {
            code,
            name: row.name,
            level,
            parent,
            valid_from: None,
            valid_to: None,
        });
    }
    Ok(out)
}

/// The bundled division tree: every county-level unit of China, with Hengyang's rows (down to the
/// villages) taking precedence where both list a code.
pub fn bundled_regions() -> AppResult<Vec<Region>> {
    let hengyang = parse_divisions(HENGYANG_DIVISIONS)?;
    let mut by_code: std::collections::BTreeMap<String, Region> = parse_divisions(CHINA_COUNTIES)?
        .into_iter()
        .map(|r| (r.code.as_str().to_string(), r))
        .collect();
    for r in hengyang {
        by_code.insert(r.code.as_str().to_string(), r);
    }
    Ok(by_code.into_values().collect())
}

/// The short place name used in a center's name: 和平村委会 → 和平村, 王江社区居委会 → 王江社区.
fn place_name(region: &Region) -> &str {
    let n = region.name.as_str();
    for suffix in ["村民委员会", "居民委员会", "居委会", "村委会"] {
        if let Some(stem) = n.strip_suffix(suffix) {
            // 村委会 drops back to the village name (…村); 居委会 leaves 社区 in place.
            return if suffix.starts_with('村') {
                // keep the 村 character: 和平村委会 → 和平村
                &n[..stem.len() + '村'.len_utf8()]
            } else {
                stem
            };
        }
    }
    n
}

/// One service center per city, county, town and village of `city` (收件地 everywhere).
pub fn centers_for(regions: &[Region], city: &str) -> Vec<ServiceCenter> {
    let tree_city = |r: &Region| r.code.as_str().starts_with(&city[..4]);
    regions
        .iter()
        .filter(|r| tree_city(r))
        .filter_map(|r| {
            let (level, windows) = match r.level {
                RegionLevel::City => (CenterLevel::City, 60),
                RegionLevel::County => (CenterLevel::County, 20),
                RegionLevel::Town => (CenterLevel::Town, 4),
                RegionLevel::Village => (CenterLevel::Village, 1),
                RegionLevel::Province => return None,
            };
            let name = format!("{}{}", place_name(r), level.suffix_zh());
            Some(ServiceCenter {
                code: ServiceCenter::code_for(&r.code),
                address: format!("{}（演示地址）", place_name(r)),
                name,
                level,
                region: r.code.clone(),
                windows,
            })
        })
        .collect()
}

/// One department per department type and level: the city's, and each county-level unit's.
pub fn departments_for(regions: &[Region], index: &CatalogIndex) -> Vec<Department> {
    let city = regions.iter().find(|r| r.code.as_str() == index.city);
    let counties: Vec<&Region> = regions
        .iter()
        .filter(|r| {
            r.level == RegionLevel::County
                && r.parent.as_ref().map(|p| p.as_str()) == Some(&index.city)
        })
        .collect();
    let mut out = Vec::new();
    for t in &index.department_types {
        for level in &t.levels {
            let places: Vec<&Region> = match level {
                DepartmentLevel::City => city.into_iter().collect(),
                DepartmentLevel::County => counties.clone(),
            };
            for r in places {
                out.push(Department {
                    code: Department::code_for(&r.code, &t.key),
                    name: format!("{}{}", r.name, t.name),
                    department_type: t.key.clone(),
                    level: *level,
                    region: r.code.clone(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_tree_has_every_hengyang_village() {
        let regions = bundled_regions().unwrap();
        let villages = regions
            .iter()
            .filter(|r| r.level == RegionLevel::Village && r.code.as_str().starts_with("4304"))
            .count();
        assert_eq!(villages, 2785);
        let towns = regions
            .iter()
            .filter(|r| r.level == RegionLevel::Town && r.code.as_str().starts_with("4304"))
            .count();
        assert_eq!(towns, 191);
        // Counties from elsewhere are there for applicants registered outside Hengyang.
        assert!(regions.iter().any(|r| r.code.as_str() == "110105"));
    }

    #[test]
    fn a_center_for_every_place_in_the_city() {
        let regions = bundled_regions().unwrap();
        let centers = centers_for(&regions, "430400");
        assert_eq!(centers.len(), 1 + 14 + 191 + 2785);
        let village = centers
            .iter()
            .find(|c| c.region.as_str() == "430405007006")
            .unwrap();
        assert_eq!(village.name, "王江社区便民服务站");
        assert_eq!(village.level, CenterLevel::Village);
    }

    #[test]
    fn place_names_drop_committee_suffixes() {
        let r = |name: &str| Region {
            code: RegionCode::parse("430405007006").unwrap(),
            name: name.into(),
            level: RegionLevel::Village,
            parent: None,
            valid_from: None,
            valid_to: None,
        };
        assert_eq!(place_name(&r("和平村委会")), "和平村");
        assert_eq!(place_name(&r("王江社区居委会")), "王江社区");
        assert_eq!(place_name(&r("东风社区")), "东风社区");
    }

    #[test]
    fn bad_division_rows_name_the_line() {
        let e = parse_divisions("code,name,level,parent_code\n43x,坏,city,\n").unwrap_err();
        assert!(e.message.contains("row 2"), "{}", e.message);
    }
}
