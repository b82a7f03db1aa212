//! Every string a page shows, in both languages, in one table. Catalog content (item names,
//! materials, notes) is data and stays as the catalog gives it; the words around it live here.

use tongban_domain::catalog::{
    CrossRegionScope, DepartmentLevel, FieldType, HandlingMode, ItemKind, JurisdictionRule,
    MaterialForm, ResultKind, Role, StepKind,
};

use tongban_domain::region::RegionLevel;

use crate::problem::Lang;

/// Every page module's table; keys are unique across all of them (a test checks).
pub(crate) const TABLES: &[&[(&str, &str, &str)]] = &[
    STRINGS,
    super::session::STRINGS,
    super::citizen::STRINGS,
    super::clerk::STRINGS,
    super::work::STRINGS,
    super::dashboard::STRINGS,
    super::admin::STRINGS,
];

/// Every string, from all tables.
pub(crate) fn all_strings()
-> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    TABLES.iter().flat_map(|t| t.iter())
}

/// The portal's and the layout's strings (key, zh-CN, English).
pub(crate) const STRINGS: &[(&str, &str, &str)] = &[
    (
        "site.name",
        "通办 · 政务服务",
        "Tongban · Government services",
    ),
    ("site.skip", "跳到正文", "Skip to main content"),
    ("site.home", "首页", "Home"),
    ("site.lang_switch", "语言", "Language"),
    (
        "site.footer",
        "一件事一次办 · 跨域通办",
        "One thing, one trip · handled anywhere",
    ),
    (
        "site.demo",
        "演示数据，非官方目录。",
        "Demonstration data, not the official catalog.",
    ),
    ("home.title", "办事指南", "Service guide"),
    (
        "home.lead",
        "输入事项名称、拼音或首字母，例如：养老保险、yanglao、ylbx。",
        "Type a service name in Chinese, pinyin or initials, e.g. 养老保险, yanglao, ylbx.",
    ),
    ("search.label", "搜索事项", "Search services"),
    ("search.button", "搜索", "Search"),
    ("search.title", "搜索结果", "Search results"),
    (
        "search.none",
        "没有找到相符的事项。请换个说法，或按人生事件、部门浏览。",
        "Nothing matches. Try other words, or browse by life event or department.",
    ),
    ("search.count", "条结果", "results"),
    ("search.items", "事项", "Services"),
    ("search.bundles", "一件事", "One-thing bundles"),
    (
        "search.more",
        "结果较多，仅显示前 100 条，请细化搜索。",
        "Only the first 100 results are shown; narrow your search.",
    ),
    (
        "browse.life_events",
        "按人生事件浏览",
        "Browse by life event",
    ),
    ("browse.departments", "按部门浏览", "Browse by department"),
    ("browse.bundles", "一件事一次办", "One-thing bundles"),
    ("browse.life_event", "人生事件", "Life event"),
    ("browse.department", "部门", "Department"),
    ("item.conditions", "办理条件", "Who can apply"),
    ("item.materials", "需要准备的材料", "What to bring"),
    ("item.material", "材料", "Material"),
    ("item.form_copies", "形式与份数", "Form and copies"),
    ("item.copies", "份", "copies"),
    ("item.requirement", "要求", "Required?"),
    (
        "item.how",
        "可否容缺、承诺或免提交",
        "Can it be missing, promised or skipped?",
    ),
    (
        "item.no_materials",
        "无需提交材料。",
        "No materials are needed.",
    ),
    ("item.limits", "办理时限", "Time limits"),
    ("item.legal_limit", "法定办结时限", "Legal time limit"),
    (
        "item.committed_limit",
        "承诺办结时限",
        "Committed time limit",
    ),
    ("item.working_days", "个工作日", "working days"),
    ("item.instant", "即办（当场办结）", "Done on the spot"),
    ("item.fee", "收费", "Fee"),
    ("item.free", "不收费", "Free of charge"),
    ("item.yuan", "元", "yuan"),
    ("item.where", "在哪里办", "Where to apply"),
    ("item.place", "办理地点", "Place"),
    ("item.scope", "通办范围", "Handled across"),
    (
        "item.jurisdiction",
        "审批部门由此确定",
        "Competent office decided by",
    ),
    ("item.department", "实施部门", "Department"),
    ("item.result", "办理结果", "Result"),
    ("item.steps", "办理流程", "Steps"),
    ("item.modes", "办理方式", "Ways to apply"),
    ("item.legal_basis", "设定依据", "Legal basis"),
    ("item.in_bundles", "所属一件事", "Part of these bundles"),
    ("item.code", "事项编码", "Item code"),
    ("item.version", "版本", "Version"),
    (
        "item.commitment",
        "告知承诺",
        "Approval on a written commitment",
    ),
    (
        "item.commitment_text",
        "需签署的告知承诺书",
        "The commitment you sign",
    ),
    ("mark.tolerance", "容缺", "May follow later (容缺)"),
    (
        "mark.tolerance_days",
        "可先受理，补交期限（工作日）：",
        "Accepted now; bring it within (working days):",
    ),
    ("mark.commitment", "承诺", "Commitment instead (承诺)"),
    (
        "mark.commitment_hint",
        "可以书面承诺代替",
        "A written commitment can replace it",
    ),
    ("mark.e_cert", "免提交", "Not needed (免提交)"),
    (
        "mark.e_cert_hint",
        "平台可调取电子证照，无需提交",
        "The platform already holds it as an e-certificate",
    ),
    ("mark.none", "须提交", "Must be brought"),
    ("req.required", "必须", "Required"),
    ("req.conditional", "视情形", "Only if"),
    ("form.electronic", "电子件", "Electronic"),
    ("form.copy", "复印件", "Copy"),
    ("form.original", "原件", "Original"),
    ("bundle.stages", "办理顺序", "Order of the services"),
    ("bundle.needs", "需先办结", "Needs first"),
    ("bundle.materials", "合并后的材料清单", "Materials, merged"),
    ("bundle.used_by", "用于", "Used by"),
    ("bundle.form", "合并后的申请表", "Application form, merged"),
    ("bundle.field", "填写项", "Field"),
    ("bundle.field_type", "类型", "Type"),
    (
        "bundle.committed_limit",
        "一件事承诺办结时限",
        "Committed time limit for the whole bundle",
    ),
    (
        "bundle.legal_limit",
        "法定时限合计（最长路径）",
        "Legal time limit (longest path)",
    ),
    ("bundle.item_count", "个事项", "services"),
    ("error.not_found", "找不到页面", "Page not found"),
    ("error.invalid", "请求有误", "The request could not be read"),
    ("error.forbidden", "无权访问", "Not allowed"),
    ("error.unauthorized", "请先登录", "Please sign in"),
    ("error.conflict", "无法完成", "This cannot be done now"),
    ("error.busy", "请求过于频繁", "Too many requests"),
    ("error.internal", "系统内部错误", "Internal error"),
    ("error.back_home", "返回首页", "Back to the home page"),
    ("kind.licence", "行政许可", "Licence"),
    ("kind.confirmation", "行政确认", "Confirmation"),
    ("kind.benefit", "行政给付", "Benefit"),
    ("kind.ruling", "行政裁决", "Ruling"),
    ("kind.reward", "行政奖励", "Reward"),
    ("kind.filing", "行政备案", "Filing"),
    ("kind.public_service", "公共服务", "Public service"),
    ("kind.other", "其他行政权力", "Other"),
    ("level.city", "市级", "City level"),
    ("level.county", "县级", "County level"),
    ("mode.online", "网上办", "Online"),
    (
        "mode.tolerance",
        "容缺办",
        "Accepted with a material to follow",
    ),
    ("mode.commitment", "承诺办", "On a written commitment"),
    ("mode.appointment", "预约办", "By appointment"),
    ("mode.agent", "帮代办", "Through an agent or village helper"),
    ("scope.county", "县域通办", "Anywhere in the county"),
    ("scope.city", "市域通办", "Anywhere in the city"),
    ("scope.province", "省内通办", "Anywhere in the province"),
    ("scope.nationwide", "跨省通办", "Anywhere in the country"),
    (
        "juris.hukou",
        "户籍所在地",
        "Household registration (hukou)",
    ),
    (
        "juris.registered_address",
        "登记住所地",
        "Registered address",
    ),
    (
        "juris.property_location",
        "不动产所在地",
        "Where the property is",
    ),
    ("juris.receiving_center", "受理地", "Where you apply"),
    ("step.accept", "受理", "Acceptance"),
    ("step.review", "审查", "Review"),
    ("step.decide", "决定", "Decision"),
    ("step.conclude", "办结", "Conclusion"),
    ("step.deliver", "送达", "Delivery"),
    ("role.applicant", "申请人", "applicant"),
    ("role.clerk", "窗口人员", "window clerk"),
    ("role.approver", "审批人员", "approver"),
    ("role.supervisor", "监督人员", "supervisor"),
    ("role.catalog_admin", "事项管理员", "catalog administrator"),
    ("role.system_admin", "系统管理员", "system administrator"),
    ("result.certificate", "证照", "Certificate"),
    ("result.decision", "决定书", "Decision"),
    ("result.notice", "告知/结果信息", "Notice"),
    ("field.text", "文字", "Text"),
    ("field.textarea", "多行文字", "Text (long)"),
    ("field.number", "数字", "Number"),
    ("field.date", "日期", "Date"),
    ("field.bool", "是/否", "Yes / no"),
    ("field.select", "选择", "Choice"),
    ("field.resident_id", "公民身份号码", "Resident ID number"),
    (
        "field.credit_code",
        "统一社会信用代码",
        "Unified social credit code",
    ),
    ("field.mobile", "手机号码", "Mobile number"),
    ("field.region", "行政区划", "Region"),
    ("field.required", "必填", "required"),
    ("browse.regions", "按地区浏览", "Browse by region"),
    (
        "region.anywhere",
        "跨域通办：在通办范围内，可以在任一便民服务中心（站）或网上提交申请，由有权部门办理，无需回户籍地。",
        "Handled anywhere: within an item's scope you can apply online or at any service center; the competent department handles it, with no trip back to your hukou region.",
    ),
    ("region.center", "本地服务中心", "Service center here"),
    ("region.center_name", "名称", "Name"),
    ("region.address", "地址", "Address"),
    ("region.windows", "服务窗口", "Service windows"),
    ("region.children", "下级区域", "Places within"),
    (
        "region.departments",
        "为本地群众办事的部门",
        "Departments handling services for people here",
    ),
    (
        "region.no_departments",
        "此区域没有对应的办事部门。",
        "No department handles services for this region.",
    ),
    ("region.items", "个事项", "services"),
    ("region.workdays", "个工作日", "working days"),
    ("region.level.province", "省级", "province"),
    ("region.level.city", "地级市", "city"),
    ("region.level.county", "县级", "county"),
    ("region.level.town", "乡镇（街道）", "town or subdistrict"),
    ("region.level.village", "村（社区）", "village or community"),
];

/// The translator a template holds: `tr.t("key")`, plus names for the catalog's enums (an
/// exhaustive match each, so a new variant cannot go unnamed).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tr {
    pub lang: Lang,
}

impl Tr {
    /// Looks a key up. A missing key is a bug: debug builds (and so every test) stop on it; a
    /// release build shows "?" rather than failing the page.
    pub fn t(&self, key: &str) -> &'static str {
        match all_strings().find(|(k, _, _)| *k == key) {
            Some((_, zh, en)) => match self.lang {
                Lang::Zh => zh,
                Lang::En => en,
            },
            None => {
                debug_assert!(false, "UI string {key:?} is in no page module's STRINGS");
                "?"
            }
        }
    }

    pub fn is_en(&self) -> bool {
        self.lang == Lang::En
    }

    pub fn html_lang(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn kind(&self, k: &ItemKind) -> &'static str {
        self.t(match k {
            ItemKind::Licence => "kind.licence",
            ItemKind::Confirmation => "kind.confirmation",
            ItemKind::Benefit => "kind.benefit",
            ItemKind::Ruling => "kind.ruling",
            ItemKind::Reward => "kind.reward",
            ItemKind::Filing => "kind.filing",
            ItemKind::PublicService => "kind.public_service",
            ItemKind::Other => "kind.other",
        })
    }

    pub fn level(&self, l: &DepartmentLevel) -> &'static str {
        self.t(match l {
            DepartmentLevel::City => "level.city",
            DepartmentLevel::County => "level.county",
        })
    }

    pub fn mode(&self, m: &HandlingMode) -> &'static str {
        self.t(match m {
            HandlingMode::Online => "mode.online",
            HandlingMode::Tolerance => "mode.tolerance",
            HandlingMode::Commitment => "mode.commitment",
            HandlingMode::Appointment => "mode.appointment",
            HandlingMode::Agent => "mode.agent",
        })
    }

    pub fn scope(&self, s: &CrossRegionScope) -> &'static str {
        self.t(match s {
            CrossRegionScope::County => "scope.county",
            CrossRegionScope::City => "scope.city",
            CrossRegionScope::Province => "scope.province",
            CrossRegionScope::Nationwide => "scope.nationwide",
        })
    }

    pub fn jurisdiction(&self, j: &JurisdictionRule) -> &'static str {
        self.t(match j {
            JurisdictionRule::Hukou => "juris.hukou",
            JurisdictionRule::RegisteredAddress => "juris.registered_address",
            JurisdictionRule::PropertyLocation => "juris.property_location",
            JurisdictionRule::ReceivingCenter => "juris.receiving_center",
        })
    }

    pub fn step(&self, s: &StepKind) -> &'static str {
        self.t(match s {
            StepKind::Accept => "step.accept",
            StepKind::Review => "step.review",
            StepKind::Decide => "step.decide",
            StepKind::Conclude => "step.conclude",
            StepKind::Deliver => "step.deliver",
        })
    }

    pub fn role(&self, r: &Role) -> &'static str {
        self.t(match r {
            Role::Applicant => "role.applicant",
            Role::Clerk => "role.clerk",
            Role::Approver => "role.approver",
            Role::Supervisor => "role.supervisor",
            Role::CatalogAdmin => "role.catalog_admin",
            Role::SystemAdmin => "role.system_admin",
        })
    }

    pub fn region_level(&self, l: &RegionLevel) -> &'static str {
        self.t(match l {
            RegionLevel::Province => "region.level.province",
            RegionLevel::City => "region.level.city",
            RegionLevel::County => "region.level.county",
            RegionLevel::Town => "region.level.town",
            RegionLevel::Village => "region.level.village",
        })
    }

    pub fn result(&self, r: &ResultKind) -> &'static str {
        self.t(match r {
            ResultKind::Certificate => "result.certificate",
            ResultKind::Decision => "result.decision",
            ResultKind::Notice => "result.notice",
        })
    }

    pub fn form(&self, f: &MaterialForm) -> &'static str {
        self.t(match f {
            MaterialForm::Electronic => "form.electronic",
            MaterialForm::Copy => "form.copy",
            MaterialForm::Original => "form.original",
        })
    }

    pub fn field_type(&self, f: &FieldType) -> &'static str {
        self.t(match f {
            FieldType::Text => "field.text",
            FieldType::Textarea => "field.textarea",
            FieldType::Number => "field.number",
            FieldType::Date => "field.date",
            FieldType::Bool => "field.bool",
            FieldType::Select => "field.select",
            FieldType::ResidentId => "field.resident_id",
            FieldType::CreditCode => "field.credit_code",
            FieldType::Mobile => "field.mobile",
            FieldType::Region => "field.region",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_both_languages_once() {
        let mut seen = std::collections::BTreeSet::new();
        for (key, zh, en) in all_strings() {
            assert!(seen.insert(*key), "{key} is listed twice");
            assert!(!zh.trim().is_empty(), "{key} has no Chinese text");
            assert!(!en.trim().is_empty(), "{key} has no English text");
        }
    }

    #[test]
    fn every_key_a_template_uses_exists() {
        let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/templates"));
        let mut checked = 0;
        let mut dirs = vec![dir.to_path_buf()];
        let mut files = Vec::new();
        while let Some(d) = dirs.pop() {
            for entry in std::fs::read_dir(d).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        for path in files {
            let text = std::fs::read_to_string(path).unwrap();
            for piece in text.split("t(\"").skip(1) {
                let key = piece.split('"').next().unwrap();
                assert!(
                    all_strings().any(|(k, _, _)| *k == key),
                    "template uses {key:?}, which is not in the table"
                );
                checked += 1;
            }
        }
        assert!(checked > 50, "only {checked} keys found in the templates");
    }

    #[test]
    fn lookups_pick_the_language() {
        assert_eq!(Tr { lang: Lang::Zh }.t("mark.tolerance"), "容缺");
        assert_eq!(Tr { lang: Lang::En }.t("site.home"), "Home");
    }
}
