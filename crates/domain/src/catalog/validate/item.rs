//! 事项校验 — what one item must satisfy: its service standard, its materials (incl. 容缺 and
//! 承诺), its steps and who may act at them, its form fields and its jurisdiction rule.

use std::collections::{BTreeMap, BTreeSet};

use super::{
    At, Audience, CatalogIndex, FieldType, HandlingMode, Item, ItemKind, JurisdictionRule,
    Requirement, ResultKind, Role, StepKind, audience_en, audience_zh, bad_code, bad_key, codes,
    event_fits,
};

pub(super) fn check_item(index: Option<&CatalogIndex>, item: &Item, at: &mut At<'_>) {
    bad_code(at, "code".into(), &item.code);
    at.empty_name("name", &item.name, "the item name", "事项名称");
    if let Some(index) = index {
        check_item_against_index(index, item, at);
    }
    if item.committed_limit_days > item.legal_limit_days {
        at.push(
            "committed_limit_days",
            codes::COMMITTED_OVER_LEGAL,
            format!(
                "the committed limit ({} working days) is longer than the legal limit ({})",
                item.committed_limit_days, item.legal_limit_days
            ),
            format!(
                "承诺办结时限（{} 个工作日）超过法定办结时限（{} 个工作日）",
                item.committed_limit_days, item.legal_limit_days
            ),
        );
    }
    check_standard(item, at);
    check_materials(item, at);
    check_steps(item, at);
    check_fields(item, at);
    check_jurisdiction(item, at);
}

fn check_item_against_index(index: &CatalogIndex, item: &Item, at: &mut At<'_>) {
    match index
        .department_types
        .iter()
        .find(|d| d.key == item.department_type)
    {
        None => at.push(
            "department_type",
            codes::UNKNOWN_DEPARTMENT_TYPE,
            format!(
                "department type \"{}\" is not one of catalog.toml's department_types",
                item.department_type
            ),
            format!(
                "部门类型「{}」不在 catalog.toml 的 department_types 中",
                item.department_type
            ),
        ),
        Some(d) if !d.levels.contains(&item.department_level) => {
            let level = match item.department_level {
                crate::catalog::item::DepartmentLevel::City => ("city", "市级"),
                crate::catalog::item::DepartmentLevel::County => ("county", "县级"),
            };
            at.push(
                "department_level",
                codes::DEPARTMENT_LEVEL_NOT_AVAILABLE,
                format!("there is no {} department at {} level", d.key, level.0),
                format!("{}（{}）没有{}部门", d.name, d.key, level.1),
            );
        }
        Some(_) => {}
    }
    for (j, key) in item.life_events.iter().enumerate() {
        match index.life_events.iter().find(|e| &e.key == key) {
            None => at.push(
                format!("life_events[{j}]"),
                codes::UNKNOWN_LIFE_EVENT,
                format!("life event \"{key}\" is not one of catalog.toml's life_events"),
                format!("生活事件「{key}」不在 catalog.toml 的 life_events 中"),
            ),
            Some(e) if !event_fits(e.audience, item.audience) => at.push(
                format!("life_events[{j}]"),
                codes::LIFE_EVENT_AUDIENCE_MISMATCH,
                format!(
                    "life event {key} is for {} but the item is for {}",
                    audience_en(e.audience),
                    audience_en(item.audience)
                ),
                format!(
                    "生活事件 {key} 面向{}，事项却面向{}",
                    audience_zh(e.audience),
                    audience_zh(item.audience)
                ),
            ),
            Some(_) => {}
        }
    }
}

fn check_standard(item: &Item, at: &mut At<'_>) {
    let s = &item.standard;
    if !s.fee_yuan.is_finite() || s.fee_yuan < 0.0 {
        at.push(
            "standard.fee_yuan",
            codes::BAD_FEE,
            format!("the fee {} must be a number of yuan, 0 or more", s.fee_yuan),
            format!("收费金额 {} 须为不小于 0 的元数", s.fee_yuan),
        );
    } else if s.fee_yuan > 0.0 && s.fee_basis.as_deref().is_none_or(|b| b.trim().is_empty()) {
        at.push(
            "standard.fee_yuan",
            codes::FEE_WITHOUT_BASIS,
            "an item that charges a fee must state its basis in standard.fee_basis",
            "收费事项须在 standard.fee_basis 中写明收费依据",
        );
    }
    if s.result.kind == ResultKind::Certificate
        && s.result
            .certificate_type
            .as_deref()
            .is_none_or(|t| t.trim().is_empty())
    {
        at.push(
            "standard.result.certificate_type",
            codes::CERTIFICATE_WITHOUT_TYPE,
            "a certificate result must name its e-certificate type (certificate_type)",
            "办理结果为证照的，须写明电子证照类型（certificate_type）",
        );
    }
    if let Some(c) = &item.commitment
        && c.verification_percent > 100
    {
        at.push(
            "commitment.verification_percent",
            codes::VERIFICATION_PERCENT_OVER_100,
            format!(
                "verification_percent {} is more than 100",
                c.verification_percent
            ),
            format!("事后核查比例 {}% 超过 100%", c.verification_percent),
        );
    }
}

fn check_materials(item: &Item, at: &mut At<'_>) {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let mut tolerable = None;
    let mut replaceable = None;
    for (j, m) in item.materials.iter().enumerate() {
        bad_code(at, format!("materials[{j}].code"), &m.code);
        if let Some(first) = seen.insert(&m.code, j) {
            at.push(
                format!("materials[{j}].code"),
                codes::DUPLICATE_MATERIAL,
                format!(
                    "material {} is already listed at materials[{first}]",
                    m.code
                ),
                format!("材料 {} 已在 materials[{first}] 列出", m.code),
            );
        }
        at.empty_name(
            format!("materials[{j}].name"),
            &m.name,
            "the material name",
            "材料名称",
        );
        if m.copies == 0 {
            at.push(
                format!("materials[{j}].copies"),
                codes::ZERO_COPIES,
                "copies must be 1 or more",
                "份数至少为 1",
            );
        }
        if m.requirement == Requirement::Conditional
            && m.condition.as_deref().is_none_or(|c| c.trim().is_empty())
        {
            at.push(
                format!("materials[{j}].condition"),
                codes::CONDITIONAL_WITHOUT_CONDITION,
                "a conditional material must state its condition (e.g. 委托他人办理的)",
                "情形性材料须写明适用情形（condition），如“委托他人办理的”",
            );
        }
        if let Some(days) = m.tolerable_days {
            tolerable.get_or_insert(j);
            let path = format!("materials[{j}].tolerable_days");
            if item.is_instant() {
                at.push(
                    path,
                    codes::TOLERABLE_ON_INSTANT_ITEM,
                    "an instant item (committed limit 0) is concluded on the spot and cannot \
                     accept a material later (容缺)",
                    "即办件（承诺时限为 0）当场办结，不能容缺后补",
                );
            } else if days == 0 {
                at.push(
                    path,
                    codes::TOLERABLE_DAYS_ZERO,
                    "tolerable_days must be 1 or more working days",
                    "容缺补正期限至少为 1 个工作日",
                );
            } else if days > item.committed_limit_days {
                at.push(
                    path,
                    codes::TOLERABLE_DAYS_OVER_LIMIT,
                    format!(
                        "{days} working days to supply it exceeds the committed limit of {}",
                        item.committed_limit_days
                    ),
                    format!(
                        "容缺补正期限 {days} 个工作日超过承诺办结时限 {} 个工作日",
                        item.committed_limit_days
                    ),
                );
            }
        }
        if m.replaceable_by_commitment {
            replaceable.get_or_insert(j);
        }
    }
    let mode_at = |mode: HandlingMode| item.modes.iter().position(|&m| m == mode);
    if let Some(j) = tolerable {
        let path = format!("materials[{j}].tolerable_days");
        if item.tolerance.is_none() {
            at.push(
                path.clone(),
                codes::TOLERABLE_WITHOUT_SETTINGS,
                "a tolerable material needs a [tolerance] table saying what happens when the \
                 supplement is late",
                "有容缺材料的事项须有 [tolerance] 设置，写明逾期未补正如何处理",
            );
        }
        if mode_at(HandlingMode::Tolerance).is_none() {
            at.push(
                path,
                codes::TOLERABLE_WITHOUT_MODE,
                "a tolerable material needs \"tolerance\" in modes",
                "有容缺材料的事项须在 modes 中包含 \"tolerance\"（容缺办）",
            );
        }
    } else if let Some(k) = mode_at(HandlingMode::Tolerance) {
        at.push(
            format!("modes[{k}]"),
            codes::TOLERANCE_MODE_WITHOUT_MATERIAL,
            "the item allows 容缺办 but no material has tolerable_days",
            "事项允许容缺办，但没有任何材料设置了 tolerable_days",
        );
    }
    if let Some(j) = replaceable {
        let path = format!("materials[{j}].replaceable_by_commitment");
        if item.commitment.is_none() {
            at.push(
                path.clone(),
                codes::REPLACEABLE_WITHOUT_SETTINGS,
                "a material replaceable by commitment needs a [commitment] table (text, \
                 verification_percent, bar_days)",
                "可告知承诺的材料须有 [commitment] 设置（承诺书文本、核查比例、限制天数）",
            );
        }
        if mode_at(HandlingMode::Commitment).is_none() {
            at.push(
                path,
                codes::REPLACEABLE_WITHOUT_MODE,
                "a material replaceable by commitment needs \"commitment\" in modes",
                "可告知承诺的材料须在 modes 中包含 \"commitment\"（承诺办）",
            );
        }
    } else if let Some(k) = mode_at(HandlingMode::Commitment) {
        at.push(
            format!("modes[{k}]"),
            codes::COMMITMENT_MODE_WITHOUT_MATERIAL,
            "the item allows 承诺办 but no material is replaceable_by_commitment",
            "事项允许承诺办，但没有任何材料可以告知承诺替代",
        );
    }
}

/// Who may act at a step: staff only; an instant item's window may also decide (当场办结).
fn role_allowed(kind: StepKind, role: Role, instant: bool) -> bool {
    match role {
        Role::Approver => true,
        Role::Clerk => kind != StepKind::Decide || instant,
        Role::Applicant | Role::Supervisor | Role::CatalogAdmin | Role::SystemAdmin => false,
    }
}

fn check_steps(item: &Item, at: &mut At<'_>) {
    let steps = &item.steps;
    let Some(first) = steps.first() else {
        at.push(
            "steps",
            codes::NO_STEPS,
            "an item needs steps: at least accept and conclude",
            "事项须有办理环节，至少包括受理和办结",
        );
        return;
    };
    if first.kind != StepKind::Accept {
        at.push(
            "steps[0].kind",
            codes::FIRST_STEP_NOT_ACCEPT,
            format!(
                "the first step must be accept (受理), not {}",
                first.kind.name_zh()
            ),
            format!("第一个环节须为受理，而不是{}", first.kind.name_zh()),
        );
    }
    let mut highest = first.kind;
    for (k, s) in steps.iter().enumerate().skip(1) {
        if steps.iter().take(k).any(|p| p.kind == s.kind) {
            at.push(
                format!("steps[{k}].kind"),
                codes::DUPLICATE_STEP,
                format!("step {} appears twice", s.kind.name_zh()),
                format!("环节「{}」重复", s.kind.name_zh()),
            );
        } else if s.kind < highest {
            at.push(
                format!("steps[{k}].kind"),
                codes::STEP_OUT_OF_ORDER,
                format!(
                    "step {} cannot come after {}; the order is accept, review, decide, \
                     conclude, deliver",
                    s.kind.name_zh(),
                    highest.name_zh()
                ),
                format!(
                    "环节「{}」不能排在「{}」之后；顺序为受理、审查、决定、办结、送达",
                    s.kind.name_zh(),
                    highest.name_zh()
                ),
            );
        }
        highest = highest.max(s.kind);
    }
    if !steps.iter().any(|s| s.kind == StepKind::Conclude) {
        at.push(
            "steps",
            codes::MISSING_CONCLUDE_STEP,
            "the steps must include conclude (办结)",
            "办理环节须包括办结",
        );
    }
    let total: u64 = steps.iter().map(|s| u64::from(s.share_percent)).sum();
    if total != 100 {
        at.push(
            "steps",
            codes::STEP_SHARES_NOT_100,
            format!("the steps' share_percent add up to {total}, not 100"),
            format!("各环节时限占比之和为 {total}%，应为 100%"),
        );
    }
    for (k, s) in steps.iter().enumerate() {
        if !role_allowed(s.kind, s.role, item.is_instant()) {
            let (en, zh) = if s.role == Role::Clerk {
                (
                    "only an approver decides a committed item (a clerk may decide only instant \
                     items)"
                        .to_owned(),
                    "承诺件须由审批人员决定（窗口人员只能决定即办件）".to_owned(),
                )
            } else {
                (
                    "steps are acted on by clerks or approvers only".to_owned(),
                    "办理环节只能由窗口人员或审批人员办理".to_owned(),
                )
            };
            at.push(
                format!("steps[{k}].role"),
                codes::STEP_ROLE_NOT_ALLOWED,
                en,
                zh,
            );
        }
    }
    let decides =
        item.kind == ItemKind::Licence || item.standard.result.kind == ResultKind::Decision;
    if decides && !steps.iter().any(|s| s.kind == StepKind::Decide) {
        at.push(
            "steps",
            codes::DECISION_WITHOUT_DECIDE_STEP,
            "a licence or an item whose result is a decision needs a decide (决定) step",
            "行政许可或结果为决定书的事项须有决定环节",
        );
    }
}

fn check_fields(item: &Item, at: &mut At<'_>) {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (j, f) in item.fields.iter().enumerate() {
        bad_key(at, format!("fields[{j}].key"), &f.key);
        if let Some(first) = seen.insert(&f.key, j) {
            at.push(
                format!("fields[{j}].key"),
                codes::DUPLICATE_FIELD_KEY,
                format!("field key {} is already used by fields[{first}]", f.key),
                format!("字段键 {} 已被 fields[{first}] 使用", f.key),
            );
        }
        at.empty_name(
            format!("fields[{j}].label"),
            &f.label,
            "the label",
            "字段标签",
        );
        let not_applicable = |at: &mut At<'_>, key: &str, applies: &str, applies_zh: &str| {
            at.push(
                format!("fields[{j}].{key}"),
                codes::CONSTRAINT_NOT_APPLICABLE,
                format!("{key} applies to {applies} fields only"),
                format!("{key} 只适用于{applies_zh}字段"),
            );
        };
        let is_select = f.field_type == FieldType::Select;
        if is_select && f.options.is_empty() {
            at.push(
                format!("fields[{j}].options"),
                codes::SELECT_WITHOUT_OPTIONS,
                "a select field needs options",
                "下拉选择字段须有 options 选项",
            );
        }
        if !is_select && !f.options.is_empty() {
            not_applicable(at, "options", "select", "下拉选择（select）");
        }
        let mut opts = BTreeSet::new();
        for (k, o) in f.options.iter().enumerate() {
            if !opts.insert(o.as_str()) {
                at.push(
                    format!("fields[{j}].options[{k}]"),
                    codes::DUPLICATE_OPTION,
                    format!("option \"{o}\" is listed twice"),
                    format!("选项「{o}」重复"),
                );
            }
        }
        if let Some(len) = f.max_length {
            if !matches!(f.field_type, FieldType::Text | FieldType::Textarea) {
                not_applicable(
                    at,
                    "max_length",
                    "text and textarea",
                    "文本（text、textarea）",
                );
            } else if len == 0 {
                at.push(
                    format!("fields[{j}].max_length"),
                    codes::MAX_LENGTH_ZERO,
                    "max_length must be 1 or more",
                    "max_length 至少为 1",
                );
            }
        }
        if f.field_type != FieldType::Number {
            if f.min.is_some() {
                not_applicable(at, "min", "number", "数字（number）");
            }
            if f.max.is_some() {
                not_applicable(at, "max", "number", "数字（number）");
            }
        }
        if let (Some(min), Some(max)) = (f.min, f.max)
            && min > max
        {
            at.push(
                format!("fields[{j}].min"),
                codes::MIN_OVER_MAX,
                format!("min {min} is greater than max {max}"),
                format!("最小值 {min} 大于最大值 {max}"),
            );
        }
    }
}

fn check_jurisdiction(item: &Item, at: &mut At<'_>) {
    let rule = item.jurisdiction;
    if let Some(key) = rule.region_field() {
        match item.fields.iter().position(|f| f.key == key) {
            None => at.push(
                "jurisdiction",
                codes::JURISDICTION_FIELD_MISSING,
                format!(
                    "jurisdiction {} is read from the form: add a region field with key `{key}`",
                    jurisdiction_key(rule)
                ),
                format!(
                    "管辖规则 {} 依据表单确定办理地：须有键为 `{key}` 的行政区划字段",
                    jurisdiction_key(rule)
                ),
            ),
            Some(j)
                if item
                    .fields
                    .get(j)
                    .is_some_and(|f| f.field_type != FieldType::Region) =>
            {
                at.push(
                    format!("fields[{j}].type"),
                    codes::JURISDICTION_FIELD_NOT_REGION,
                    format!("field `{key}` decides jurisdiction, so its type must be region"),
                    format!("字段 `{key}` 用于确定管辖地，类型须为 region（行政区划）"),
                );
            }
            Some(_) => {}
        }
    }
    let mismatch = match rule {
        JurisdictionRule::Hukou => item.audience == Audience::Organization,
        JurisdictionRule::RegisteredAddress => item.audience == Audience::Person,
        JurisdictionRule::PropertyLocation | JurisdictionRule::ReceivingCenter => false,
    };
    if mismatch {
        at.push(
            "jurisdiction",
            codes::JURISDICTION_AUDIENCE_MISMATCH,
            format!(
                "jurisdiction {} does not fit an item for {} (hukou is for persons, \
                 registered_address for organizations)",
                jurisdiction_key(rule),
                audience_en(item.audience)
            ),
            format!(
                "管辖规则 {} 不适用于面向{}的事项（户籍地适用于自然人，注册地适用于法人）",
                jurisdiction_key(rule),
                audience_zh(item.audience)
            ),
        );
    }
}

fn jurisdiction_key(rule: JurisdictionRule) -> &'static str {
    match rule {
        JurisdictionRule::Hukou => "hukou",
        JurisdictionRule::RegisteredAddress => "registered_address",
        JurisdictionRule::PropertyLocation => "property_location",
        JurisdictionRule::ReceivingCenter => "receiving_center",
    }
}
