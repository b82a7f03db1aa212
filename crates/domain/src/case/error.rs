//! The one error type of the case module (办件错误).

use crate::catalog::{CrossRegionScope, DepartmentLevel, Role, StepKind};

use super::state::{ActionKind, SubCaseStatus};

/// Why an action on a case, or routing it, was refused.
///
/// Every variant has a stable code ([`CaseError::code`], `case.*`), an English message (its
/// `Display`) and a Chinese one ([`CaseError::message_zh`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    /// 当前状态下不能进行该操作
    #[error("cannot {} a case that is {}", action.as_str(), status.as_str())]
    ActionNotAllowedInStatus {
        action: ActionKind,
        status: SubCaseStatus,
    },
    /// 无权进行该操作
    #[error(
        "the {} role may not {} this case: on this item it is done by {}",
        role_en(*role),
        action.as_str(),
        roles_en(needed)
    )]
    RoleNotAllowed {
        action: ActionKind,
        role: Role,
        needed: Vec<Role>,
    },
    /// 办件已结束
    #[error("the case has already ended ({}); no further action is possible", status.as_str())]
    Terminal { status: SubCaseStatus },
    /// 事项流程中没有该环节
    #[error(
        "this item's process has no {} step, so it cannot {}",
        step_en(*step),
        action.as_str()
    )]
    StepNotInProcess { action: ActionKind, step: StepKind },
    /// 须说明理由
    #[error("{} needs at least one non-empty reason", action.as_str())]
    ReasonsRequired { action: ActionKind },
    /// 须列明材料
    #[error("{} needs at least one material code", action.as_str())]
    MaterialsRequired { action: ActionKind },
    /// 材料不属于该事项
    #[error("not materials of this item: {}", codes.join(", "))]
    UnknownMaterial { codes: Vec<String> },
    /// 补正材料不齐
    #[error("the supplement lacks requested materials: {}", missing.join(", "))]
    SupplementIncomplete { missing: Vec<String> },
    /// 办结结果与决定不一致
    #[error(
        "the result says {} but the decision was {}",
        if *result { "approved" } else { "not approved" },
        if *decided { "approval" } else { "denial" }
    )]
    ResultMismatch { decided: bool, result: bool },
    /// 等待前置事项办结
    #[error("this item waits for the results of the items it needs; only withdrawal is possible")]
    WaitingForDependencies,
    /// 不在等待状态
    #[error("only a waiting case can be released or cancelled; this one is {}", status.as_str())]
    NotWaiting { status: SubCaseStatus },
    /// 表单缺少管辖地字段
    #[error("the form lacks the field {field}, which decides the competent department")]
    JurisdictionFieldMissing { field: String },
    /// 管辖地区划无法识别
    #[error("'{value}' is not a region code the competent department can be found for")]
    JurisdictionRegionUnknown { value: String },
    /// 无主管部门
    #[error(
        "no {} department of type {department_type} serves {region}",
        level_en(*level)
    )]
    NoCompetentDepartment {
        department_type: String,
        level: DepartmentLevel,
        region: String,
    },
    /// 超出通办范围
    #[error(
        "{} ({}): this item can be received only within {area_name} ({area_code}); the receiving center is in {receiving_name} ({receiving_code})",
        scope.name_zh(),
        scope_en(*scope)
    )]
    OutsideScope {
        scope: CrossRegionScope,
        area_code: String,
        area_name: String,
        receiving_code: String,
        receiving_name: String,
    },
    // 容缺办 (see `super::tolerance`) ↓
    /// 本事项不适用容缺受理
    #[error("{}", if *instant {
        "an instant item (即办件) is concluded on the spot: no material may be missing at acceptance"
    } else {
        "this item does not allow acceptance with missing materials (容缺受理)"
    })]
    ToleranceNotAllowed { instant: bool },
    /// 材料不可容缺
    #[error("not tolerable (the catalog does not allow them to be missing at acceptance): {}", codes.join(", "))]
    NotTolerable { codes: Vec<String> },
    /// 容缺材料尚未补齐
    #[error("pledged materials have not arrived yet: {}", materials.join(", "))]
    PledgeOutstanding { materials: Vec<String> },
    /// 非容缺承诺补交的材料
    #[error("not pledged materials of this case: {}", codes.join(", "))]
    NotPledged { codes: Vec<String> },
    // 容缺办 ↑
}

impl CaseError {
    /// Stable machine-readable code, for pages to translate and tests to match.
    pub fn code(&self) -> &'static str {
        match self {
            Self::ActionNotAllowedInStatus { .. } => "case.action_not_allowed_in_status",
            Self::RoleNotAllowed { .. } => "case.role_not_allowed",
            Self::Terminal { .. } => "case.terminal",
            Self::StepNotInProcess { .. } => "case.step_not_in_process",
            Self::ReasonsRequired { .. } => "case.reasons_required",
            Self::MaterialsRequired { .. } => "case.materials_required",
            Self::UnknownMaterial { .. } => "case.unknown_material",
            Self::SupplementIncomplete { .. } => "case.supplement_incomplete",
            Self::ResultMismatch { .. } => "case.result_mismatch",
            Self::WaitingForDependencies => "case.waiting_for_dependencies",
            Self::NotWaiting { .. } => "case.not_waiting",
            Self::JurisdictionFieldMissing { .. } => "case.jurisdiction_field_missing",
            Self::JurisdictionRegionUnknown { .. } => "case.jurisdiction_region_unknown",
            Self::NoCompetentDepartment { .. } => "case.no_competent_department",
            Self::OutsideScope { .. } => "case.outside_scope",
            Self::ToleranceNotAllowed { .. } => "case.tolerance_not_allowed",
            Self::NotTolerable { .. } => "case.not_tolerable",
            Self::PledgeOutstanding { .. } => "case.pledge_outstanding",
            Self::NotPledged { .. } => "case.not_pledged",
        }
    }

    /// 中文提示
    pub fn message_zh(&self) -> String {
        match self {
            Self::ActionNotAllowedInStatus { action, status } => {
                format!(
                    "办件当前为“{}”状态，不能{}",
                    status.name_zh(),
                    action.name_zh()
                )
            }
            Self::RoleNotAllowed {
                action,
                role,
                needed,
            } => format!(
                "{}无权{}：本事项由{}办理该环节",
                role_zh(*role),
                action.name_zh(),
                roles_zh(needed)
            ),
            Self::Terminal { status } => {
                format!("办件已结束（{}），不能再进行任何操作", status.name_zh())
            }
            Self::StepNotInProcess { action, step } => format!(
                "本事项的办理流程没有“{}”环节，不能{}",
                step.name_zh(),
                action.name_zh()
            ),
            Self::ReasonsRequired { action } => format!("{}须说明理由", action.name_zh()),
            Self::MaterialsRequired { action } => {
                format!("{}须列明至少一项材料", action.name_zh())
            }
            Self::UnknownMaterial { codes } => {
                format!("以下材料不属于本事项：{}", codes.join("、"))
            }
            Self::SupplementIncomplete { missing } => {
                format!("补正材料不齐，仍缺：{}", missing.join("、"))
            }
            Self::ResultMismatch { decided, result } => format!(
                "办结结果为“{}”，与{}决定不一致",
                if *result { "准予" } else { "不予" },
                if *decided { "准予" } else { "不予" }
            ),
            Self::WaitingForDependencies => "本事项须等待前置事项办结，目前只能撤回".to_owned(),
            Self::NotWaiting { status } => {
                format!(
                    "只有等待中的办件可以启动或取消，本办件为“{}”",
                    status.name_zh()
                )
            }
            Self::JurisdictionFieldMissing { field } => {
                format!("表单缺少确定主管部门所需的字段 {field}")
            }
            Self::JurisdictionRegionUnknown { value } => {
                format!("“{value}”不是可确定主管部门的行政区划代码")
            }
            Self::NoCompetentDepartment {
                department_type,
                level,
                region,
            } => format!(
                "{region} 没有类型为 {department_type} 的{}主管部门",
                level_zh(*level)
            ),
            Self::OutsideScope {
                scope,
                area_code,
                area_name,
                receiving_code,
                receiving_name,
            } => format!(
                "本事项为{}，只能在{area_name}（{area_code}）范围内收件，本中心位于{receiving_name}（{receiving_code}）",
                scope.name_zh()
            ),
            Self::ToleranceNotAllowed { instant: true } => {
                "即办件当场办结，受理时不得缺少材料".to_owned()
            }
            Self::ToleranceNotAllowed { instant: false } => "本事项不适用容缺受理".to_owned(),
            Self::NotTolerable { codes } => {
                format!("以下材料不可容缺受理：{}", codes.join("、"))
            }
            Self::PledgeOutstanding { materials } => {
                format!("容缺材料尚未补齐，不能办结：{}", materials.join("、"))
            }
            Self::NotPledged { codes } => {
                format!("以下材料不在容缺补交承诺之列：{}", codes.join("、"))
            }
        }
    }
}

pub(crate) fn role_en(role: Role) -> &'static str {
    match role {
        Role::Applicant => "applicant",
        Role::Clerk => "clerk",
        Role::Approver => "approver",
        Role::Supervisor => "supervisor",
        Role::CatalogAdmin => "catalog administrator",
        Role::SystemAdmin => "system administrator",
    }
}

pub(crate) fn role_zh(role: Role) -> &'static str {
    match role {
        Role::Applicant => "申请人",
        Role::Clerk => "窗口工作人员",
        Role::Approver => "审批人员",
        Role::Supervisor => "监察人员",
        Role::CatalogAdmin => "事项管理员",
        Role::SystemAdmin => "系统管理员",
    }
}

fn roles_en(roles: &[Role]) -> String {
    let names: Vec<_> = roles.iter().map(|r| role_en(*r)).collect();
    names.join(" or ")
}

fn roles_zh(roles: &[Role]) -> String {
    let names: Vec<_> = roles.iter().map(|r| role_zh(*r)).collect();
    names.join("或")
}

fn step_en(step: StepKind) -> &'static str {
    match step {
        StepKind::Accept => "accept",
        StepKind::Review => "review",
        StepKind::Decide => "decide",
        StepKind::Conclude => "conclude",
        StepKind::Deliver => "deliver",
    }
}

fn level_en(level: DepartmentLevel) -> &'static str {
    match level {
        DepartmentLevel::City => "city-level",
        DepartmentLevel::County => "county-level",
    }
}

fn level_zh(level: DepartmentLevel) -> &'static str {
    match level {
        DepartmentLevel::City => "市级",
        DepartmentLevel::County => "县级",
    }
}

pub(crate) fn scope_en(scope: CrossRegionScope) -> &'static str {
    match scope {
        CrossRegionScope::County => "county-wide",
        CrossRegionScope::City => "city-wide",
        CrossRegionScope::Province => "province-wide",
        CrossRegionScope::Nationwide => "nationwide",
    }
}
