//! 政务服务事项 — one standardized service item and its standard elements (事项要素).
//!
//! These types are both the in-memory model and the catalog file format (one TOML file per item,
//! see `docs/CATALOG.md`); serde field names are the file's keys, so renaming one is a format change.

use serde::{Deserialize, Serialize};

/// 实施编码 — the code that identifies an item in this deployment, e.g. `430400-RS-0001`.
pub type ItemCode = String;
/// 材料编码 — one code per kind of material across the whole catalog, so bundles can deduplicate.
pub type MaterialCode = String;

/// 政务服务事项.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub code: ItemCode,
    pub name: String,
    /// Other names citizens search by (老年证 for 老年人优待证办理).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// 事项类型.
    pub kind: ItemKind,
    /// Which kind of department is competent (a key of the catalog's department types, e.g. `hrss`).
    pub department_type: String,
    /// 实施层级 — the level of government whose department handles it.
    pub department_level: DepartmentLevel,
    /// 服务对象.
    pub audience: Audience,
    /// Life events (生活事件) and company events this item belongs to, keys of the catalog's index.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub life_events: Vec<String>,
    /// 法定办结时限, working days.
    pub legal_limit_days: u32,
    /// 承诺办结时限, working days; 0 makes an instant item (即办件).
    pub committed_limit_days: u32,
    /// 服务标准.
    pub standard: ServiceStandard,
    /// 申请材料.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub materials: Vec<Material>,
    /// 申请表单.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FormField>,
    /// 办理流程 — the steps after the application is submitted.
    pub steps: Vec<ProcessStep>,
    /// 办理方式 allowed for this item.
    pub modes: Vec<HandlingMode>,
    /// 通办范围.
    pub scope: CrossRegionScope,
    /// 管辖规则 — which fact picks the competent authority.
    pub jurisdiction: JurisdictionRule,
    /// 容缺受理 settings; required when any material is tolerable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<ToleranceSettings>,
    /// 告知承诺 settings; required when any material may be replaced by a commitment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commitment: Option<CommitmentSettings>,
}

impl Item {
    /// 即办件: concluded on the spot.
    pub fn is_instant(&self) -> bool {
        self.committed_limit_days == 0
    }

    pub fn allows(&self, mode: HandlingMode) -> bool {
        self.modes.contains(&mode)
    }

    pub fn material(&self, code: &str) -> Option<&Material> {
        self.materials.iter().find(|m| m.code == code)
    }

    pub fn field(&self, key: &str) -> Option<&FormField> {
        self.fields.iter().find(|f| f.key == key)
    }
}

/// 事项类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// 行政许可
    Licence,
    /// 行政确认
    Confirmation,
    /// 行政给付
    Benefit,
    /// 行政裁决
    Ruling,
    /// 行政奖励
    Reward,
    /// 行政备案
    Filing,
    /// 公共服务
    PublicService,
    /// 其他行政权力
    Other,
}

impl ItemKind {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Licence => "行政许可",
            Self::Confirmation => "行政确认",
            Self::Benefit => "行政给付",
            Self::Ruling => "行政裁决",
            Self::Reward => "行政奖励",
            Self::Filing => "行政备案",
            Self::PublicService => "公共服务",
            Self::Other => "其他行政权力",
        }
    }
}

/// 实施层级.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DepartmentLevel {
    /// 市级
    City,
    /// 县级 (county, county-level city, district)
    County,
}

/// 服务对象.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// 自然人
    Person,
    /// 法人
    Organization,
    /// 自然人和法人
    Both,
}

/// 服务标准 — what, where, how much.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceStandard {
    /// 受理条件.
    pub conditions: String,
    /// 收费标准; `fee_yuan = 0` means free (不收费).
    #[serde(default)]
    pub fee_yuan: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_basis: Option<String>,
    /// 办理地点 — a description; the concrete place comes from routing.
    pub place: String,
    /// 办理结果.
    pub result: ResultSpec,
    /// 设定依据 — the legal basis.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub legal_basis: Vec<String>,
}

/// 办理结果 — what the conclusion issues.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultSpec {
    pub kind: ResultKind,
    /// e.g. 《食品经营许可证》, 参保登记信息.
    pub name: String,
    /// The e-certificate type the result is issued as, so later cases can reuse it (免提交).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_type: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultKind {
    /// 证照
    Certificate,
    /// 批准文书 / 决定书
    Decision,
    /// 办理结果告知 (record updated, benefit granted, no document)
    Notice,
}

/// 申请材料.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Material {
    pub code: MaterialCode,
    pub name: String,
    /// 材料形式.
    pub form: MaterialForm,
    /// 份数.
    #[serde(default = "one")]
    pub copies: u32,
    pub requirement: Requirement,
    /// When `requirement = "conditional"`: the condition, e.g. 委托他人办理的.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// 容缺: may be missing at acceptance, to be supplied within this many working days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerable_days: Option<u32>,
    /// 告知承诺: a written commitment may replace it.
    #[serde(default)]
    pub replaceable_by_commitment: bool,
    /// 免提交: the platform fetches it from an earlier e-certificate of this type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e_certificate: Option<String>,
    /// 填报须知 / source of the material.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

fn one() -> u32 {
    1
}

impl Material {
    pub fn is_tolerable(&self) -> bool {
        self.tolerable_days.is_some()
    }
}

/// 材料形式, ordered from least to most demanding (an original is the strictest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaterialForm {
    /// 电子件
    Electronic,
    /// 复印件
    Copy,
    /// 原件
    Original,
}

/// 必要性, ordered from least to most demanding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    /// 非必要 / 情形性 — only in the stated situation
    Conditional,
    /// 必要
    Required,
}

/// One field of the application form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormField {
    /// Stable key; a field with the same key in two items of a bundle is asked once.
    pub key: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    #[serde(default)]
    pub required: bool,
    /// For text: max characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// For number: inclusive bounds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// For select: the allowed values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

/// Field types; identity types are validated with the GB rules in [`crate::identity`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    Textarea,
    Number,
    Date,
    Bool,
    Select,
    /// 公民身份号码
    ResidentId,
    /// 统一社会信用代码
    CreditCode,
    /// 手机号码
    Mobile,
    /// A region code (e.g. 户籍所在地).
    Region,
}

/// 办理环节 kinds, in the only order they may appear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// 受理
    Accept,
    /// 审查
    Review,
    /// 决定
    Decide,
    /// 办结
    Conclude,
    /// 送达
    Deliver,
}

impl StepKind {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Accept => "受理",
            Self::Review => "审查",
            Self::Decide => "决定",
            Self::Conclude => "办结",
            Self::Deliver => "送达",
        }
    }
}

/// Who acts at a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 申请人
    Applicant,
    /// 窗口工作人员
    Clerk,
    /// 审批人员
    Approver,
    /// 监察人员
    Supervisor,
    /// 事项管理员
    CatalogAdmin,
    /// 系统管理员
    SystemAdmin,
}

/// 办理环节.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessStep {
    pub kind: StepKind,
    /// Display name; defaults to the standard name of the kind when empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    pub role: Role,
    /// This step's share of the committed limit, in percent; the shares of an item sum to 100.
    pub share_percent: u32,
}

/// 办理方式.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandlingMode {
    /// 网上办
    Online,
    /// 容缺办
    Tolerance,
    /// 承诺办
    Commitment,
    /// 预约办
    Appointment,
    /// 帮代办
    Agent,
}

impl HandlingMode {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Online => "网上办",
            Self::Tolerance => "容缺办",
            Self::Commitment => "承诺办",
            Self::Appointment => "预约办",
            Self::Agent => "帮代办",
        }
    }
}

/// 通办范围 — how far from the handling region an application may be received, widest last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrossRegionScope {
    /// 县域通办
    County,
    /// 市域通办
    City,
    /// 省内通办
    Province,
    /// 跨省通办
    Nationwide,
}

impl CrossRegionScope {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::County => "县域通办",
            Self::City => "市域通办",
            Self::Province => "省内通办",
            Self::Nationwide => "跨省通办",
        }
    }
}

/// 管辖规则 — which fact picks the competent authority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JurisdictionRule {
    /// 户籍所在地
    Hukou,
    /// 注册地 / 住所地 (organizations)
    RegisteredAddress,
    /// 不动产所在地
    PropertyLocation,
    /// 收件地 — the receiving center's own region.
    ReceivingCenter,
}

impl JurisdictionRule {
    /// The form field whose region value decides jurisdiction, when it is taken from the form.
    pub fn region_field(self) -> Option<&'static str> {
        match self {
            Self::Hukou => Some("hukou_region"),
            Self::RegisteredAddress => Some("registered_region"),
            Self::PropertyLocation => Some("property_region"),
            Self::ReceivingCenter => None,
        }
    }
}

/// 容缺受理 settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToleranceSettings {
    /// What happens to a sub-case whose supplement deadline passes.
    pub on_expiry: ToleranceExpiry,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToleranceExpiry {
    /// 终止办理
    Terminate,
    /// 中止办理 (suspended until supplied)
    Suspend,
}

/// 告知承诺 settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentSettings {
    /// The commitment text (告知承诺书) the applicant signs.
    pub text: String,
    /// 事后核查 sampling rate, percent of concluded cases.
    pub verification_percent: u32,
    /// Days an applicant with a broken commitment is barred from 承诺办.
    pub bar_days: u32,
}
