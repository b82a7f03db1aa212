//! Service centers (收件地) and departments (办理地).

use serde::{Deserialize, Serialize};

use super::RegionCode;
use crate::catalog::DepartmentLevel;

/// The tier of a service center.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CenterLevel {
    /// 市政务服务中心
    City,
    /// 县（市、区）政务服务中心
    County,
    /// 乡镇（街道）便民服务中心
    Town,
    /// 村（社区）便民服务站
    Village,
}

impl CenterLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::City => "city",
            Self::County => "county",
            Self::Town => "town",
            Self::Village => "village",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "city" => Self::City,
            "county" => Self::County,
            "town" => Self::Town,
            "village" => Self::Village,
            _ => return None,
        })
    }

    /// The usual name suffix for a center of this tier.
    pub fn suffix_zh(self) -> &'static str {
        match self {
            Self::City | Self::County => "政务服务中心",
            Self::Town => "便民服务中心",
            Self::Village => "便民服务站",
        }
    }
}

/// 政务服务中心 / 便民服务中心: a place that receives applications.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceCenter {
    /// `C` + the region code, e.g. `C430422100001`.
    pub code: String,
    pub name: String,
    pub level: CenterLevel,
    pub region: RegionCode,
    pub address: String,
    /// Number of service windows (a village point has one).
    pub windows: u32,
}

impl ServiceCenter {
    /// The center code used for a region's own center.
    pub fn code_for(region: &RegionCode) -> String {
        format!("C{region}")
    }
}

/// 部门: a competent authority of one type at one level of government.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Department {
    /// `<region>-<type>`, e.g. `430481-hrss`.
    pub code: String,
    /// e.g. 耒阳市人力资源和社会保障局.
    pub name: String,
    /// A key of the catalog's department types.
    pub department_type: String,
    pub level: DepartmentLevel,
    /// The region it serves (a city or county code).
    pub region: RegionCode,
}

impl Department {
    pub fn code_for(region: &RegionCode, department_type: &str) -> String {
        format!("{region}-{department_type}")
    }
}
