//! The division tree: lookups up and down, and the enclosing unit at a level.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{RegionCode, RegionLevel};
use crate::catalog::CrossRegionScope;

/// One administrative division, valid over a period (codes change; old cases keep old codes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    pub code: RegionCode,
    pub name: String,
    pub level: RegionLevel,
    pub parent: Option<RegionCode>,
    /// First day the code is in force; `None` means since before the data begins.
    pub valid_from: Option<NaiveDate>,
    /// Last day the code is in force; `None` means still current.
    pub valid_to: Option<NaiveDate>,
}

impl Region {
    pub fn is_valid_on(&self, day: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| f <= day) && self.valid_to.is_none_or(|t| day <= t)
    }
}

/// Regions indexed by code, with children lists.
#[derive(Debug, Clone, Default)]
pub struct RegionTree {
    by_code: HashMap<String, Region>,
    children: HashMap<String, Vec<String>>,
}

impl RegionTree {
    pub fn new(regions: impl IntoIterator<Item = Region>) -> Self {
        let mut tree = Self::default();
        for r in regions {
            if let Some(p) = &r.parent {
                tree.children
                    .entry(p.as_str().to_string())
                    .or_default()
                    .push(r.code.as_str().to_string());
            }
            tree.by_code.insert(r.code.as_str().to_string(), r);
        }
        for kids in tree.children.values_mut() {
            kids.sort();
        }
        tree
    }

    pub fn len(&self) -> usize {
        self.by_code.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_code.is_empty()
    }

    pub fn get(&self, code: &str) -> Option<&Region> {
        self.by_code.get(code)
    }

    pub fn children(&self, code: &str) -> impl Iterator<Item = &Region> {
        self.children
            .get(code)
            .into_iter()
            .flatten()
            .filter_map(|c| self.by_code.get(c))
    }

    /// The region itself and its ancestors, nearest first.
    pub fn lineage(&self, code: &str) -> Vec<&Region> {
        let mut out = Vec::new();
        let mut cur = self.by_code.get(code);
        while let Some(r) = cur {
            // A malformed tree with a loop must not hang us.
            if out.len() > 8 {
                break;
            }
            out.push(r);
            cur = r.parent.as_ref().and_then(|p| self.by_code.get(p.as_str()));
        }
        out
    }

    /// The code of the enclosing unit at `level`: from the tree when the region is known, else from
    /// the code's shape (applicants from elsewhere in China have only county-level codes here).
    pub fn enclosing(&self, code: &RegionCode, level: RegionLevel) -> Option<String> {
        if let Some(found) = self
            .lineage(code.as_str())
            .into_iter()
            .find(|r| r.level == level)
        {
            return Some(found.code.as_str().to_string());
        }
        match level {
            RegionLevel::Province => Some(code.province_code()),
            RegionLevel::City => Some(code.city_code()),
            RegionLevel::County if code.shape_level() >= RegionLevel::County => {
                Some(code.county_prefix().to_string())
            }
            _ => None,
        }
    }

    /// Whether `inner` is `outer` or lies below it.
    pub fn is_within(&self, inner: &str, outer: &str) -> bool {
        self.lineage(inner).iter().any(|r| r.code.as_str() == outer)
    }

    /// 通办范围: may an application handled in `handling` be received at a center in `receiving`?
    pub fn scope_allows(
        &self,
        scope: CrossRegionScope,
        receiving: &RegionCode,
        handling: &RegionCode,
    ) -> bool {
        let level = match scope {
            CrossRegionScope::Nationwide => return true,
            CrossRegionScope::Province => RegionLevel::Province,
            CrossRegionScope::City => RegionLevel::City,
            CrossRegionScope::County => RegionLevel::County,
        };
        match (
            self.enclosing(receiving, level),
            self.enclosing(handling, level),
        ) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(code: &str, name: &str, level: RegionLevel, parent: Option<&str>) -> Region {
        Region {
            code: RegionCode::parse(code).unwrap(),
            name: name.into(),
            level,
            parent: parent.map(|p| RegionCode::parse(p).unwrap()),
            valid_from: None,
            valid_to: None,
        }
    }

    fn hengyang() -> RegionTree {
        use RegionLevel::*;
        RegionTree::new([
            region("430000", "湖南省", Province, None),
            region("430400", "衡阳市", City, Some("430000")),
            region("430422", "衡南县", County, Some("430400")),
            region("430481", "耒阳市", County, Some("430400")),
            region("430422100", "云集街道", Town, Some("430422")),
            region("430422100001", "某社区", Village, Some("430422100")),
            region("430481001", "蔡子池街道", Town, Some("430481")),
        ])
    }

    #[test]
    fn lineage_runs_to_the_province() {
        let t = hengyang();
        let names: Vec<_> = t
            .lineage("430422100001")
            .iter()
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(names, ["某社区", "云集街道", "衡南县", "衡阳市", "湖南省"]);
        assert!(t.is_within("430422100001", "430400"));
        assert!(!t.is_within("430422100001", "430481"));
        assert_eq!(t.children("430400").count(), 2);
    }

    #[test]
    fn scope_compares_the_enclosing_units() {
        let t = hengyang();
        let village = RegionCode::parse("430422100001").unwrap();
        let leiyang = RegionCode::parse("430481").unwrap();
        let changsha = RegionCode::parse("430102").unwrap();
        let beijing = RegionCode::parse("110105").unwrap();
        assert!(!t.scope_allows(CrossRegionScope::County, &village, &leiyang));
        assert!(t.scope_allows(CrossRegionScope::City, &village, &leiyang));
        assert!(!t.scope_allows(CrossRegionScope::City, &village, &changsha));
        assert!(t.scope_allows(CrossRegionScope::Province, &village, &changsha));
        assert!(!t.scope_allows(CrossRegionScope::Province, &village, &beijing));
        assert!(t.scope_allows(CrossRegionScope::Nationwide, &village, &beijing));
    }

    #[test]
    fn validity_is_inclusive() {
        let mut r = region("430406", "雁峰区", RegionLevel::County, Some("430400"));
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        r.valid_from = Some(d("2020-01-01"));
        r.valid_to = Some(d("2023-12-31"));
        assert!(r.is_valid_on(d("2020-01-01")));
        assert!(r.is_valid_on(d("2023-12-31")));
        assert!(!r.is_valid_on(d("2024-01-01")));
    }
}
