//! 办件 services: create a case anywhere, route it to the competent department, act on it step by
//! step against a working-day clock, and record every change as a hash-chained event in the same
//! transaction as the rows it updates.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tongban_domain::calendar::TimeStatus;
use tongban_domain::case::{
    self, Action, ActionKind, EventRecord, GENESIS, Release, SubCaseState, SubCaseStatus,
};
use tongban_domain::catalog::{FormField, HandlingMode, Item, Material, Role};
use tongban_domain::identity;
use tongban_domain::region::RegionCode;
use tongban_store::{CaseChange, CaseFilter, CaseRow, CaseScope, MaterialRow, NewCase, SubCaseRow};

use crate::accounts::{CurrentUser, role_name};
use crate::error::{AppError, AppResult, ErrorKind, FieldProblem};
use crate::{App, Page};

mod tolerance; // 容缺办: the pledge, its reminder and expiry (cases/tolerance.rs)
pub use tolerance::DeadlineReport;

/// Working days before the deadline at which a sub-case turns yellow (near-due).
pub const NEAR_DUE_DAYS: i64 = 2;

// ---------------------------------------------------------------------------------------------
// Requests and views

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct MaterialInput {
    /// The material code from the catalog.
    pub material: String,
    /// SHA-256 of a file uploaded through `POST /api/v1/files`.
    #[serde(default)]
    pub file: Option<String>,
    #[serde(default)]
    pub file_name: Option<String>,
    /// Brought on paper and checked by the clerk at the window.
    #[serde(default)]
    pub paper: bool,
    /// 承诺办: replaced by a signed commitment (the catalog's text); see `crate::commitments`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub commitment: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct CreateCaseRequest {
    /// One item code, or …
    #[serde(default)]
    pub item: Option<String>,
    /// … one bundle code.
    #[serde(default)]
    pub bundle: Option<String>,
    /// The application form (the item's fields, or the bundle's merged form).
    #[serde(default)]
    pub form: Map<String, Value>,
    #[serde(default)]
    pub materials: Vec<MaterialInput>,
    /// For an online application to an item handled where it is received: the chosen center.
    #[serde(default)]
    pub center: Option<String>,
    /// 帮代办: the principal's user name when an agent applies for them (see `crate::agency`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct ActionRequest {
    /// Which sub-case (1-based, as listed in the case).
    pub sub_case: i64,
    /// The case version the action is based on; a stale one changes nothing.
    pub version: i64,
    /// `"action": "accept"` plus the action's own fields (`reasons`, `materials`, `result` …).
    #[serde(flatten)]
    pub action: Action,
    /// Files or paper handed in with a supplement.
    #[serde(default)]
    pub files: Vec<MaterialInput>,
    /// 帮代办: the principal's user name when an agent acts for them (see `crate::agency`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseView {
    pub number: String,
    pub title: String,
    pub status: String,
    pub version: i64,
    pub channel: String,
    /// 收件地.
    pub center: Option<PlaceRef>,
    pub applicant_name: String,
    /// Masked for display.
    pub applicant_id: String,
    pub created_at: i64,
    pub form: Map<String, Value>,
    pub sub_cases: Vec<SubCaseView>,
    pub materials: Vec<MaterialView>,
    pub timeline: Vec<TimelineEntry>,
    /// Trips the applicant had to make (跑动次数): 0 online, 1 at a window.
    pub trips: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlaceRef {
    pub code: String,
    pub name: String,
    pub region: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubCaseView {
    pub seq: i64,
    pub item_code: String,
    pub item_name: String,
    pub item_version: i64,
    /// 办理地.
    pub department: PlaceRef,
    pub status: SubCaseStatus,
    pub status_name: &'static str,
    pub accepted_on: Option<NaiveDate>,
    pub deadline: Option<NaiveDate>,
    pub committed_limit_days: u32,
    pub remaining_workdays: Option<i64>,
    /// normal / near_due (yellow) / overdue (red), once accepted and while open.
    pub time_status: Option<TimeStatus>,
    pub requested_materials: Vec<String>,
    pub result: Option<case::CaseResult>,
    /// 承诺办: the result was revoked after a failed 事后核查.
    pub revoked: Option<case::commitment::Revocation>,
    /// 容缺办: materials pledged at acceptance and not yet supplied.
    pub pledged: Vec<String>,
    /// 容缺办: the supplement deadline of the pledge.
    pub pledge_due: Option<NaiveDate>,
    /// What the viewing user may do now.
    pub allowed_actions: Vec<ActionKind>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MaterialView {
    pub code: String,
    pub name: String,
    pub provided: String,
    pub file_sha256: Option<String>,
    pub file_name: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TimelineEntry {
    pub seq: i64,
    pub at: i64,
    pub kind: String,
    pub actor: String,
    pub role: String,
    pub acting_for: Option<String>,
    pub place: Option<String>,
    pub reason: Option<String>,
    pub payload: Value,
    /// The event's link in the audit chain.
    pub hash: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseSummary {
    pub number: String,
    pub title: String,
    pub status: String,
    pub channel: String,
    pub center_code: Option<String>,
    pub applicant_name: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Default)]
pub struct CaseQuery {
    pub status: Option<String>,
    pub department: Option<String>,
    pub center: Option<String>,
    pub region: Option<String>,
    pub text: Option<String>,
    /// `near_due` or `overdue`.
    pub flag: Option<String>,
    pub offset: u32,
    pub limit: u32,
}

/// What `create_case` did: a new case, or the one an earlier request with the same key made.
#[derive(Debug, Clone)]
pub struct Created {
    pub case: CaseView,
    pub replayed: bool,
}

// ---------------------------------------------------------------------------------------------
// Errors

pub(crate) fn not_found(number: &str) -> AppError {
    // The same answer whether the case does not exist or the user may not see it.
    AppError::not_found(
        "case.not_found",
        format!("There is no case {number} that you can see."),
        format!("找不到您可查看的办件 {number}。"),
    )
    .with_field("number")
}

fn forbidden(code: &str, en: impl Into<String>, zh: impl Into<String>) -> AppError {
    AppError::new(ErrorKind::Forbidden, code, en, zh)
}

fn domain_error(e: case::CaseError) -> AppError {
    let kind = match e.code() {
        "case.role_not_allowed" => ErrorKind::Forbidden,
        "case.action_not_allowed_in_status"
        | "case.terminal"
        | "case.waiting_for_dependencies"
        | "case.pledge_outstanding" => ErrorKind::Conflict,
        _ => ErrorKind::Invalid,
    };
    AppError::new(kind, e.code(), e.to_string(), e.message_zh())
}

fn internal_json(e: serde_json::Error) -> AppError {
    AppError::internal(e)
}

// ---------------------------------------------------------------------------------------------
// Access

/// What the user may see, as a store scope; `None` for roles that see no cases.
pub fn scope_of(user: &CurrentUser) -> Option<CaseScope> {
    match user.role {
        Role::Applicant => Some(CaseScope::Applicant(user.id)),
        Role::Clerk => user.center_code.clone().map(CaseScope::Center),
        Role::Approver => user.department_code.clone().map(CaseScope::Department),
        Role::Supervisor => user
            .region_code
            .as_deref()
            .and_then(|r| RegionCode::parse(r).ok())
            .map(|r| CaseScope::RegionPrefix(region_prefix(&r))),
        Role::SystemAdmin => Some(CaseScope::All),
        Role::CatalogAdmin => None,
    }
}

/// The code prefix shared by a region and everything below it.
pub fn region_prefix(code: &RegionCode) -> String {
    use tongban_domain::region::RegionLevel;
    let s = code.as_str();
    match code.shape_level() {
        RegionLevel::Province => s[..2].to_string(),
        RegionLevel::City => s[..4].to_string(),
        _ => s.to_string(),
    }
}

fn can_see(user: &CurrentUser, case: &CaseRow, subs: &[SubCaseRow]) -> bool {
    match scope_of(user) {
        None => false,
        Some(CaseScope::All) => true,
        Some(CaseScope::Applicant(id)) => case.applicant_user_id == Some(id),
        Some(CaseScope::Center(c)) => case.center_code.as_deref() == Some(c.as_str()),
        Some(CaseScope::Department(d)) => subs.iter().any(|s| s.department_code == d),
        Some(CaseScope::RegionPrefix(p)) => {
            case.received_region
                .as_deref()
                .is_some_and(|r| r.starts_with(&p))
                || subs.iter().any(|s| s.handling_region.starts_with(&p))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers

fn day_str(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn parse_day(s: &Option<String>) -> Option<NaiveDate> {
    s.as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

fn text_field<'a>(form: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    form.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// A canonical hash of a request, to tell a replay from a different request with a reused key.
fn request_hash(req: &CreateCaseRequest) -> AppResult<String> {
    let json = serde_json::to_value(req).map_err(internal_json)?;
    Ok(tongban_store::fingerprint(&json.to_string()))
}

/// What an event says, before it is sealed onto the chain.
pub(crate) struct Draft {
    pub(crate) kind: String,
    pub(crate) place: Option<String>,
    pub(crate) reason: Option<String>,
    pub(crate) payload: Value,
}

/// The item or bundle an application is for, resolved against the catalog.
struct Resolved {
    title: String,
    bundle_version: Option<i64>,
    items: Vec<ResolvedItem>,
    fields: Vec<FormField>,
    materials: Vec<Material>,
}

struct ResolvedItem {
    item: Item,
    version: i64,
    needs: Vec<String>,
}

impl App {
    /// Seals one event by `user` onto `prev` (the case's last event, if any).
    pub(crate) fn event(
        &self,
        number: &str,
        prev: Option<&EventRecord>,
        user: &CurrentUser,
        d: Draft,
    ) -> EventRecord {
        case::seal(EventRecord {
            case_number: number.to_string(),
            seq: prev.map_or(1, |p| p.seq + 1),
            kind: d.kind,
            // 帮代办: the agent acts, for the principal whose effective user this is.
            actor: user
                .agent
                .as_ref()
                .map_or_else(|| user.username.clone(), |a| a.username.clone()),
            role: role_name(user.role).to_string(),
            acting_for: user.agent.as_ref().map(|_| user.username.clone()),
            place: d.place,
            at: self.clock.now().timestamp_millis(),
            reason: d.reason,
            payload: d.payload,
            prev_hash: prev.map_or_else(|| GENESIS.to_string(), |p| p.hash.clone()),
            hash: String::new(),
        })
    }

    fn resolve(&self, req: &CreateCaseRequest) -> AppResult<Resolved> {
        let view = self.catalog();
        match (&req.item, &req.bundle) {
            (Some(code), None) => {
                let s = view.items.get(code).ok_or_else(|| {
                    AppError::not_found(
                        "catalog.unknown_item",
                        format!("There is no item with code {code}."),
                        format!("不存在编码为 {code} 的事项。"),
                    )
                    .with_field("item")
                })?;
                Ok(Resolved {
                    title: s.item.name.clone(),
                    bundle_version: None,
                    items: vec![ResolvedItem {
                        item: s.item.clone(),
                        version: s.version,
                        needs: Vec::new(),
                    }],
                    fields: s.item.fields.clone(),
                    materials: s.item.materials.clone(),
                })
            }
            (None, Some(code)) => {
                let b = view.bundles.get(code).ok_or_else(|| {
                    AppError::not_found(
                        "catalog.unknown_bundle",
                        format!("There is no one-thing bundle with code {code}."),
                        format!("不存在编码为 {code} 的一件事。"),
                    )
                    .with_field("bundle")
                })?;
                let plan = self.bundle_detail(code)?.plan;
                let mut items = Vec::new();
                for code in &plan.order {
                    let s = view
                        .items
                        .get(code)
                        .ok_or_else(|| AppError::internal(format!("bundle item {code} missing")))?;
                    let needs = b
                        .bundle
                        .items
                        .iter()
                        .find(|bi| &bi.item == code)
                        .map(|bi| bi.needs.clone())
                        .unwrap_or_default();
                    items.push(ResolvedItem {
                        item: s.item.clone(),
                        version: s.version,
                        needs,
                    });
                }
                let materials = plan.materials.iter().map(|m| m.material.clone()).collect();
                Ok(Resolved {
                    title: b.bundle.name.clone(),
                    bundle_version: Some(b.version),
                    items,
                    fields: plan.form.clone(),
                    materials,
                })
            }
            _ => Err(AppError::invalid(
                "case.item_or_bundle",
                "Name exactly one of item or bundle.",
                "请在 item 与 bundle 中二选一填写。",
            )
            .with_field("item")),
        }
    }

    /// Creates a case (online by an applicant, or at a window by a clerk for a person present).
    pub async fn create_case(
        &self,
        user: &CurrentUser,
        req: CreateCaseRequest,
        idempotency_key: Option<&str>,
    ) -> AppResult<Created> {
        // 帮代办: an agent applies as the principal, within a covering authorization.
        let effective;
        let user = match req.on_behalf_of.as_deref() {
            Some(principal) => {
                let r = self.resolve(&req)?;
                let items: Vec<&Item> = r.items.iter().map(|i| &i.item).collect();
                effective = self.acting_for(user, principal, &items).await?;
                &effective
            }
            None => user,
        };
        let submitter = user.agent.as_ref().map_or(user.id, |a| a.user_id);
        let hash = request_hash(&req)?;
        if let Some(key) = idempotency_key
            && let Some(found) = self.store.case_by_idempotency_key(submitter, key).await?
        {
            return self.replay(user, found, &hash).await;
        }
        let channel = match user.role {
            Role::Applicant => "online",
            Role::Clerk => "window",
            _ => {
                return Err(forbidden(
                    "case.create_forbidden",
                    "Only applicants (online) and clerks (at a window) create cases.",
                    "只有申请人（网上）和窗口工作人员可以提交办件。",
                ));
            }
        };
        let Resolved {
            title,
            bundle_version,
            items,
            fields,
            materials,
        } = self.resolve(&req)?;
        if channel == "online"
            && let Some(r) = items.iter().find(|r| !r.item.allows(HandlingMode::Online))
        {
            return Err(AppError::invalid(
                "case.mode_not_allowed",
                format!(
                    "{} cannot be applied for online; apply at a service center.",
                    r.item.name
                ),
                format!(
                    "{} 不支持网上办理，请到政务服务中心或便民服务站申请。",
                    r.item.name
                ),
            )
            .with_field("item"));
        }
        let today = self.clock.today();
        let form = case::validate_form(&fields, &req.form, today).map_err(|errors| {
            let n = errors.len();
            AppError::invalid(
                "case.form_invalid",
                format!("The form has {n} problem(s)."),
                format!("申请表有 {n} 处问题。"),
            )
            .with_field(
                errors
                    .first()
                    .map(|e| format!("form.{}", e.field))
                    .unwrap_or_default(),
            )
            .with_problems(
                errors
                    .into_iter()
                    .map(|e| FieldProblem {
                        field: format!("form.{}", e.field),
                        code: e.code.to_string(),
                        message: e.message,
                        message_zh: e.message_zh,
                    })
                    .collect(),
            )
        })?;

        // The applicant: the signed-in person online; at a window, the person in the form.
        let (applicant_user_id, applicant_name, applicant_id) = match user.role {
            Role::Applicant => (
                Some(user.id),
                text_field(&form, "applicant_name")
                    .unwrap_or(&user.display_name)
                    .to_string(),
                user.id_number
                    .clone()
                    .or_else(|| text_field(&form, "applicant_id").map(str::to_string))
                    .or_else(|| text_field(&form, "credit_code").map(str::to_string))
                    .unwrap_or_default(),
            ),
            _ => (
                None,
                text_field(&form, "applicant_name")
                    .or_else(|| text_field(&form, "company_name"))
                    .unwrap_or_default()
                    .to_string(),
                text_field(&form, "applicant_id")
                    .or_else(|| text_field(&form, "credit_code"))
                    .unwrap_or_default()
                    .to_string(),
            ),
        };
        if applicant_name.is_empty() || applicant_id.is_empty() {
            return Err(AppError::invalid(
                "case.applicant_missing",
                "Give the applicant's name and ID number (applicant_name and applicant_id, or company_name and credit_code).",
                "请填写申请人姓名与证件号码（applicant_name 与 applicant_id，或 company_name 与 credit_code）。",
            )
            .with_field("form.applicant_id"));
        }
        let check = identity::check(&applicant_id);
        if !check.valid {
            let first = check.errors.first();
            return Err(AppError::invalid(
                first
                    .map_or("identity.invalid", |e| e.code.as_str())
                    .to_string(),
                first.map_or_else(
                    || "The applicant's ID number is not valid.".to_string(),
                    |e| e.message.clone(),
                ),
                first.map_or_else(
                    || "申请人证件号码无效。".to_string(),
                    |e| e.message_zh.clone(),
                ),
            )
            .with_field("form.applicant_id"));
        }

        // 收件地.
        let center = match channel {
            "window" => {
                let code = user.center_code.clone().ok_or_else(|| {
                    forbidden(
                        "case.clerk_without_center",
                        "Your account is not bound to a service center.",
                        "您的账号未绑定服务中心。",
                    )
                })?;
                Some(
                    self.store
                        .center(&code)
                        .await?
                        .ok_or_else(|| AppError::internal("clerk's center is missing"))?,
                )
            }
            _ => match &req.center {
                Some(code) => Some(self.store.center(code).await?.ok_or_else(|| {
                    AppError::not_found(
                        "case.unknown_center",
                        format!("There is no service center {code}."),
                        format!("不存在服务中心 {code}。"),
                    )
                    .with_field("center")
                })?),
                None => None,
            },
        };

        // 办理地, per item.
        let tree = self.regions();
        let departments = self.store.departments().await?;
        let mut routed = Vec::new();
        for r in &items {
            let receiving = match (&center, r.item.jurisdiction.region_field()) {
                (Some(c), _) => c.region.clone(),
                // Online, no center chosen: the scope check has no place to compare, so the
                // jurisdiction region stands in (an online application is received everywhere).
                (None, Some(field)) => text_field(&form, field)
                    .and_then(|v| RegionCode::parse(v).ok())
                    .ok_or_else(|| {
                        AppError::invalid(
                            "case.jurisdiction_field_missing",
                            format!(
                                "The form field {field} decides where this is handled; fill it in."
                            ),
                            format!("表单字段 {field} 决定办理地，请填写。"),
                        )
                        .with_field(format!("form.{field}"))
                    })?,
                (None, None) => {
                    return Err(AppError::invalid(
                        "case.center_required",
                        format!(
                            "{} is handled where it is received: choose a service center.",
                            r.item.name
                        ),
                        format!("{} 由收件地办理，请选择服务中心。", r.item.name),
                    )
                    .with_field("center"));
                }
            };
            let route = case::route(&r.item, &form, &receiving, &tree, &departments)
                .map_err(domain_error)?;
            routed.push(route);
        }

        // An online application is taken in by the government service center of the place that
        // handles it (its department windows sit there): that center's clerks accept it.
        let center = match (center, routed.first()) {
            (None, Some(first)) => {
                let hall = tongban_domain::region::ServiceCenter::code_for(&first.handling_region);
                Some(self.store.center(&hall).await?.ok_or_else(|| {
                    AppError::internal(format!("no service center {hall} for an online case"))
                })?)
            }
            (c, _) => c,
        };

        // Materials: uploaded files must exist; paper only at a window; unknown codes refused.
        let now = self.clock.now().timestamp_millis();
        let known: BTreeMap<&str, &Material> =
            materials.iter().map(|m| (m.code.as_str(), m)).collect();
        let mut provided: BTreeMap<String, MaterialInput> = BTreeMap::new();
        for (i, m) in req.materials.iter().enumerate() {
            if !known.contains_key(m.material.as_str()) {
                return Err(AppError::invalid(
                    "case.unknown_material",
                    format!("{} is not a material of this application.", m.material),
                    format!("{} 不是本申请所需的材料。", m.material),
                )
                .with_field(format!("materials[{i}].material")));
            }
            if !m.commitment {
                self.check_material_input(m, channel, i).await?;
            }
            provided.insert(m.material.clone(), m.clone());
        }
        // 承诺办: commitments only where the catalog allows them, never for a barred applicant.
        let item_refs: Vec<&Item> = items.iter().map(|r| &r.item).collect();
        let signed = self
            .signed_commitments(&item_refs, &req.materials, &applicant_id)
            .await?;

        let serial = self.store.allocate_case_serial(&day_str(today)).await?;
        let number = format!("TB{}{serial:06}", today.format("%Y%m%d"));
        let material_rows: Vec<MaterialRow> = materials
            .iter()
            .map(|m| material_row(&number, m, provided.get(&m.code), now))
            .collect();

        let mut sub_rows = Vec::new();
        for (i, (r, route)) in items.iter().zip(&routed).enumerate() {
            let state = SubCaseState::new(!r.needs.is_empty());
            sub_rows.push(SubCaseRow {
                case_number: number.clone(),
                seq: i as i64 + 1,
                item_code: r.item.code.clone(),
                item_version: r.version,
                department_code: route.department_code.clone(),
                handling_region: route.handling_region.as_str().to_string(),
                status: state.status.as_str().to_string(),
                state: serde_json::to_string(&state).map_err(internal_json)?,
                accepted_on: None,
                deadline: None,
                concluded_on: None,
                pledge_due: None,
            });
        }
        let mut payload = serde_json::json!({
            "channel": channel,
            "item": req.item,
            "bundle": req.bundle,
            "sub_cases": sub_rows.iter().map(|s| serde_json::json!({
                "seq": s.seq, "item": s.item_code, "item_version": s.item_version,
                "department": s.department_code, "handling_region": s.handling_region,
            })).collect::<Vec<_>>(),
            "materials": material_rows.iter().map(|m| serde_json::json!({
                "code": m.material_code, "provided": m.provided, "file": m.file_sha256,
            })).collect::<Vec<_>>(),
        });
        if !signed.is_empty() {
            // 承诺办: what was signed is on the record.
            payload["commitments"] = serde_json::json!(signed);
        }
        let place = center.as_ref().map(|c| c.code.clone());
        let first = self.event(
            &number,
            None,
            user,
            Draft {
                kind: "case.submitted".into(),
                place,
                reason: None,
                payload,
            },
        );
        let new = NewCase {
            case: CaseRow {
                number: number.clone(),
                item_code: req.item.clone(),
                bundle_code: req.bundle.clone(),
                bundle_version,
                title,
                applicant_user_id,
                applicant_name,
                applicant_id,
                channel: channel.to_string(),
                center_code: center.as_ref().map(|c| c.code.clone()),
                received_region: center.as_ref().map(|c| c.region.as_str().to_string()),
                submitted_by: submitter,
                form: Value::Object(form).to_string(),
                status: "open".to_string(),
                version: 1,
                created_at: now,
                created_on: day_str(today),
                closed_at: None,
                idempotency_key: idempotency_key.map(str::to_string),
                request_hash: Some(hash.clone()),
            },
            sub_cases: sub_rows,
            materials: material_rows,
            events: vec![first],
        };
        match self.store.create_case(&new).await {
            Ok(()) => Ok(Created {
                case: self.case_view(user, &number).await?,
                replayed: false,
            }),
            // The same key raced in from a retry: answer like a replay.
            Err(tongban_store::StoreError::Conflict { .. }) if idempotency_key.is_some() => {
                let key = idempotency_key.unwrap_or_default();
                match self.store.case_by_idempotency_key(submitter, key).await? {
                    Some(found) => self.replay(user, found, &hash).await,
                    None => Err(AppError::internal("idempotency conflict without a case")),
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn replay(&self, user: &CurrentUser, found: CaseRow, hash: &str) -> AppResult<Created> {
        if found.request_hash.as_deref() != Some(hash) {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "case.idempotency_key_reused",
                "This Idempotency-Key was already used for a different request.",
                "该 Idempotency-Key 已用于另一个不同的请求。",
            )
            .with_field("Idempotency-Key"));
        }
        Ok(Created {
            case: self.case_view(user, &found.number).await?,
            replayed: true,
        })
    }

    async fn check_material_input(
        &self,
        m: &MaterialInput,
        channel: &str,
        i: usize,
    ) -> AppResult<()> {
        match (&m.file, m.paper) {
            (Some(sha), false) => {
                if self.store.file(sha).await?.is_none() {
                    return Err(AppError::invalid(
                        "case.unknown_file",
                        format!("No uploaded file has the hash {sha}; upload it first."),
                        format!("找不到哈希为 {sha} 的已上传文件，请先上传。"),
                    )
                    .with_field(format!("materials[{i}].file")));
                }
            }
            (None, true) if channel == "window" => {}
            (None, true) => {
                return Err(AppError::invalid(
                    "case.paper_online",
                    "Paper materials are checked by a clerk at a window; online, upload a file.",
                    "纸质材料须在窗口由工作人员核验；网上申请请上传文件。",
                )
                .with_field(format!("materials[{i}].paper")));
            }
            _ => {
                return Err(AppError::invalid(
                    "case.material_needs_file_or_paper",
                    "Each material given needs either a file or paper = true.",
                    "每份材料须提供文件，或标明为纸质材料（paper = true）。",
                )
                .with_field(format!("materials[{i}]")));
            }
        }
        Ok(())
    }

    async fn load_visible(
        &self,
        user: &CurrentUser,
        number: &str,
    ) -> AppResult<(CaseRow, Vec<SubCaseRow>)> {
        let case = self
            .store
            .case(number)
            .await?
            .ok_or_else(|| not_found(number))?;
        let subs = self.store.sub_cases(number).await?;
        if !can_see(user, &case, &subs) && !self.agent_may_see(user, &case).await? {
            return Err(not_found(number));
        }
        Ok((case, subs))
    }

    async fn item_at(&self, code: &str, version: i64) -> AppResult<Item> {
        self.store
            .item_version(code, version)
            .await?
            .ok_or_else(|| AppError::internal(format!("item {code} v{version} missing")))
    }

    /// Whether this user's binding lets them act on this sub-case for a role-level action.
    fn bound_to(&self, user: &CurrentUser, case: &CaseRow, sub: &SubCaseRow) -> bool {
        match user.role {
            Role::Applicant => case.applicant_user_id == Some(user.id),
            Role::Clerk => {
                case.center_code.is_some()
                    && case.center_code.as_deref() == user.center_code.as_deref()
            }
            Role::Approver => user.department_code.as_deref() == Some(sub.department_code.as_str()),
            Role::Supervisor | Role::CatalogAdmin | Role::SystemAdmin => false,
        }
    }

    /// Acts on one sub-case. The case version must match; the change and its event commit together.
    pub async fn act(
        &self,
        user: &CurrentUser,
        number: &str,
        req: ActionRequest,
    ) -> AppResult<CaseView> {
        // 帮代办: an agent acts as the principal, within a covering authorization.
        let effective;
        let user = match req.on_behalf_of.as_deref() {
            Some(principal) => {
                effective = self
                    .acting_for_case(user, principal, number, req.sub_case)
                    .await?;
                &effective
            }
            None => user,
        };
        let (case, subs) = self.load_visible(user, number).await?;
        if case.version != req.version {
            return Err(stale(number, case.version));
        }
        let Some(sub) = subs.iter().find(|s| s.seq == req.sub_case) else {
            return Err(AppError::not_found(
                "case.unknown_sub_case",
                format!("Case {number} has no sub-case {}.", req.sub_case),
                format!("办件 {number} 没有第 {} 项子件。", req.sub_case),
            )
            .with_field("sub_case"));
        };
        if !self.bound_to(user, &case, sub) {
            return Err(forbidden(
                "case.not_your_case",
                "This sub-case is received or handled somewhere your account is not bound to.",
                "该子件的收件地或办理地不在您账号的职责范围内。",
            ));
        }
        let item = self.item_at(&sub.item_code, sub.item_version).await?;
        let state: SubCaseState = serde_json::from_str(&sub.state).map_err(internal_json)?;
        let today = self.clock.today();
        let now = self.clock.now().timestamp_millis();

        // Materials handed in with a supplement are recorded first, so the rule can see them.
        let mut material_rows = Vec::new();
        for (i, m) in req.files.iter().enumerate() {
            let Some(spec) = item.material(&m.material) else {
                return Err(AppError::invalid(
                    "case.unknown_material",
                    format!("{} is not a material of {}.", m.material, item.name),
                    format!("{} 不是 {} 所需的材料。", m.material, item.name),
                )
                .with_field(format!("materials[{i}].material")));
            };
            self.check_material_input(m, &case.channel, i).await?;
            material_rows.push(material_row(number, spec, Some(m), now));
        }
        if let Action::Supplement { materials } = &req.action {
            let handed: Vec<&str> = req.files.iter().map(|m| m.material.as_str()).collect();
            if let Some(missing) = materials.iter().find(|c| !handed.contains(&c.as_str())) {
                return Err(AppError::invalid(
                    "case.supplement_without_material",
                    format!(
                        "Hand in {missing} with the supplement (a file, or on paper at a window)."
                    ),
                    format!("补正须同时提交材料 {missing}（上传文件，或在窗口提交纸质材料）。"),
                )
                .with_field("materials"));
            }
        }

        self.check_tolerated(number, &req.action).await?; // 容缺办
        let next =
            case::apply(&state, &item, user.role, &req.action, today).map_err(domain_error)?;
        let cal = self.calendar();
        let next = tolerance::with_pledge_due(next, &item, &cal)?; // 容缺办
        let mut changed = vec![sub_row_with(sub, &next, &item, &cal, today)?];

        let events_so_far = self.store.events(number).await?;
        let mut last = events_so_far.last().cloned();
        let place = match user.role {
            Role::Clerk => user.center_code.clone(),
            Role::Approver => user.department_code.clone(),
            _ => None,
        };
        let reason = action_reason(&req.action);
        let mut events = Vec::new();
        let e = self.event(
            number,
            last.as_ref(),
            user,
            Draft {
                kind: format!("sub_case.{}", req.action.kind().as_str()),
                place: place.clone(),
                reason,
                payload: serde_json::json!({
                    "sub_case": sub.seq,
                    "item": sub.item_code,
                    "from": state.status,
                    "to": next.status,
                    "action": req.action,
                    "materials": req.files,
                    "deadline": changed[0].deadline,
                }),
            },
        );
        last = Some(e.clone());
        events.push(e);

        // Bundle dependencies: a waiting item starts when everything it needs has concluded.
        if next.status.is_terminal() || next.status.is_concluded() {
            let mut states: BTreeMap<i64, SubCaseState> = BTreeMap::new();
            for s in &subs {
                let st: SubCaseState = if s.seq == sub.seq {
                    next.clone()
                } else {
                    serde_json::from_str(&s.state).map_err(internal_json)?
                };
                states.insert(s.seq, st);
            }
            if let Some(bundle_code) = &case.bundle_code {
                let view = self.catalog();
                let needs_of = |item_code: &str| -> Vec<String> {
                    view.bundles
                        .get(bundle_code)
                        .and_then(|b| b.bundle.items.iter().find(|bi| bi.item == item_code))
                        .map(|bi| bi.needs.clone())
                        .unwrap_or_default()
                };
                for s in &subs {
                    let Some(st) = states.get(&s.seq) else {
                        continue;
                    };
                    if st.status != SubCaseStatus::Waiting {
                        continue;
                    }
                    let needed: Vec<&SubCaseRow> = needs_of(&s.item_code)
                        .iter()
                        .filter_map(|code| subs.iter().find(|x| &x.item_code == code))
                        .collect();
                    let statuses: Vec<SubCaseStatus> = needed
                        .iter()
                        .filter_map(|n| states.get(&n.seq))
                        .map(|x| x.status)
                        .collect();
                    let approved: Vec<Option<bool>> = needed
                        .iter()
                        .filter_map(|n| states.get(&n.seq))
                        .map(|x| x.approved)
                        .collect();
                    let release = case::release_waiting(&statuses, &approved);
                    if release == Release::Stay {
                        continue;
                    }
                    let st2 = case::apply_release(st, release).map_err(domain_error)?;
                    let new_status = st2.status;
                    let dep_item = self.item_at(&s.item_code, s.item_version).await?;
                    changed.push(sub_row_with(s, &st2, &dep_item, &cal, today)?);
                    let kind = if new_status == SubCaseStatus::Cancelled {
                        "sub_case.cancelled"
                    } else {
                        "sub_case.released"
                    };
                    let e = self.event(number, last.as_ref(), user, Draft {
                        kind: kind.into(),
                        place: place.clone(),
                        reason: None,
                        payload: serde_json::json!({"sub_case": s.seq, "item": s.item_code, "to": new_status}),
                    });
                    last = Some(e.clone());
                    events.push(e);
                }
            }
        }

        // The case ends when every sub-case has finished (for its item: delivered, or concluded
        // when there is nothing to deliver; or ended otherwise).
        let mut all_done = true;
        for s in &subs {
            let row = changed.iter().find(|c| c.seq == s.seq).unwrap_or(s);
            let st: SubCaseState = serde_json::from_str(&row.state).map_err(internal_json)?;
            let it = if s.seq == sub.seq {
                item.clone()
            } else {
                self.item_at(&s.item_code, s.item_version).await?
            };
            all_done &= st.is_finished(&it);
        }
        let (status, closed_at) = if all_done {
            ("closed", Some(now))
        } else {
            ("open", None)
        };
        if all_done && case.status != "closed" {
            let e = self.event(
                number,
                last.as_ref(),
                user,
                Draft {
                    kind: "case.closed".into(),
                    place,
                    reason: None,
                    payload: serde_json::json!({}),
                },
            );
            events.push(e);
        }
        let change = CaseChange {
            number: number.to_string(),
            expected_version: req.version,
            status: status.to_string(),
            closed_at,
            sub_cases: changed,
            materials: material_rows,
            events,
        };
        // 承诺办: a conclusion may be sampled for 事后核查 in the same transaction.
        if !self.apply_change_sampling(user, &case, change).await? {
            let current = self
                .store
                .case(number)
                .await?
                .map_or(req.version, |c| c.version);
            return Err(stale(number, current));
        }
        self.case_view(user, number).await
    }

    /// One case with its sub-cases, deadlines, materials and timeline.
    pub async fn case_view(&self, user: &CurrentUser, number: &str) -> AppResult<CaseView> {
        let (case, subs) = self.load_visible(user, number).await?;
        let cal = self.calendar();
        let today = self.clock.today();
        let departments = self.store.departments().await?;
        let mut sub_views = Vec::new();
        for s in &subs {
            let item = self.item_at(&s.item_code, s.item_version).await?;
            let state: SubCaseState = serde_json::from_str(&s.state).map_err(internal_json)?;
            let remaining = state.accepted_on.and_then(|start| {
                cal.remaining_workdays(start, item.committed_limit_days, today, &state.pauses)
                    .ok()
                    .map(|c| c.value)
            });
            let allowed = if self.bound_to(user, &case, s) {
                case::allowed_actions(&state, &item, user.role)
            } else {
                Vec::new()
            };
            let dept = departments.iter().find(|d| d.code == s.department_code);
            sub_views.push(SubCaseView {
                seq: s.seq,
                item_code: s.item_code.clone(),
                item_name: item.name.clone(),
                item_version: s.item_version,
                department: PlaceRef {
                    code: s.department_code.clone(),
                    name: dept.map(|d| d.name.clone()).unwrap_or_default(),
                    region: s.handling_region.clone(),
                },
                status: state.status,
                status_name: state.status.name_zh(),
                accepted_on: state.accepted_on,
                deadline: parse_day(&s.deadline),
                committed_limit_days: item.committed_limit_days,
                remaining_workdays: remaining.filter(|_| !state.status.is_terminal()),
                time_status: case::time_flag(
                    &state,
                    item.committed_limit_days,
                    &cal,
                    today,
                    NEAR_DUE_DAYS,
                )
                .ok()
                .flatten(),
                requested_materials: state.requested_materials.clone(),
                result: state.result.clone(),
                revoked: state.revoked.clone(),
                pledged: state.pledged.clone(),
                pledge_due: state.pledge_due,
                allowed_actions: allowed,
            });
        }
        let center = match &case.center_code {
            Some(code) => self.store.center(code).await?.map(|c| PlaceRef {
                code: c.code,
                name: c.name,
                region: c.region.as_str().to_string(),
            }),
            None => None,
        };
        let materials = self
            .store
            .case_materials(number)
            .await?
            .into_iter()
            .map(|m| MaterialView {
                code: m.material_code,
                name: m.name,
                provided: m.provided,
                file_sha256: m.file_sha256,
                file_name: m.file_name,
            })
            .collect();
        let timeline = self
            .store
            .events(number)
            .await?
            .into_iter()
            .map(|e| TimelineEntry {
                seq: e.seq,
                at: e.at,
                kind: e.kind,
                actor: e.actor,
                role: e.role,
                acting_for: e.acting_for,
                place: e.place,
                reason: e.reason,
                payload: e.payload,
                hash: e.hash,
            })
            .collect();
        let form = match serde_json::from_str::<Value>(&case.form) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        };
        Ok(CaseView {
            trips: if case.channel == "online" { 0 } else { 1 },
            number: case.number,
            title: case.title,
            status: case.status,
            version: case.version,
            channel: case.channel,
            center,
            applicant_name: case.applicant_name,
            applicant_id: identity::mask_any(&case.applicant_id),
            created_at: case.created_at,
            form,
            sub_cases: sub_views,
            materials,
            timeline,
        })
    }

    /// Cases the user may see, filtered and paged.
    pub async fn list_cases(
        &self,
        user: &CurrentUser,
        q: CaseQuery,
    ) -> AppResult<Page<CaseSummary>> {
        let scope = scope_of(user).ok_or_else(|| {
            forbidden(
                "case.list_forbidden",
                "Your role does not work with cases.",
                "您的角色不处理办件。",
            )
        })?;
        let today = self.clock.today();
        let cal = self.calendar();
        let (deadline_by, deadline_before) = match q.flag.as_deref() {
            None | Some("") => (None, None),
            Some("overdue") => (None, Some(day_str(today))),
            Some("near_due") => {
                // Near-due: due within NEAR_DUE_DAYS working days (overdue included).
                let by = cal
                    .deadline(today, u32::try_from(NEAR_DUE_DAYS).unwrap_or(2))
                    .map(|c| c.value)
                    .unwrap_or(today);
                (Some(day_str(by)), None)
            }
            Some(other) => {
                return Err(AppError::invalid(
                    "query.out_of_range",
                    format!("flag must be near_due or overdue; got {other:?}."),
                    format!("flag 只能是 near_due 或 overdue，实际为 {other:?}。"),
                )
                .with_field("flag"));
            }
        };
        let region_prefix = match &q.region {
            Some(r) => Some(region_prefix(&crate::places::parse_region_code(
                r, "region",
            )?)),
            None => None,
        };
        if let Some(s) = &q.status
            && s != "open"
            && s != "closed"
        {
            return Err(AppError::invalid(
                "query.out_of_range",
                format!("status must be open or closed; got {s:?}."),
                format!("status 只能是 open 或 closed，实际为 {s:?}。"),
            )
            .with_field("status"));
        }
        let filter = CaseFilter {
            status: q.status,
            department: q.department,
            center: q.center,
            region_prefix,
            text: q.text.filter(|t| !t.trim().is_empty()),
            deadline_by,
            deadline_before,
            limit: i64::from(q.limit),
            offset: i64::from(q.offset),
        };
        let (total, rows) = self.store.list_cases(&scope, &filter).await?;
        Ok(Page {
            total: u64::try_from(total).unwrap_or(0),
            offset: q.offset,
            limit: q.limit,
            items: rows
                .into_iter()
                .map(|c| CaseSummary {
                    number: c.number,
                    title: c.title,
                    status: c.status,
                    channel: c.channel,
                    center_code: c.center_code,
                    applicant_name: c.applicant_name,
                    created_at: c.created_at,
                })
                .collect(),
        })
    }

    /// `tongban audit verify`: checks every case's chain; the first broken link, if any.
    pub async fn verify_audit(&self) -> AppResult<AuditReport> {
        let mut after = String::new();
        let mut cases = 0u64;
        let mut events = 0u64;
        loop {
            let numbers = self.store.case_numbers(&after, 500).await?;
            let Some(last) = numbers.last().cloned() else {
                break;
            };
            for n in &numbers {
                let chain = self.store.events(n).await?;
                cases += 1;
                events += chain.len() as u64;
                if let Err(broken) = case::verify_chain(&chain) {
                    return Ok(AuditReport {
                        cases,
                        events,
                        broken: Some(broken.to_string()),
                    });
                }
            }
            after = last;
        }
        Ok(AuditReport {
            cases,
            events,
            broken: None,
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditReport {
    pub cases: u64,
    pub events: u64,
    /// The first broken link, named.
    pub broken: Option<String>,
}

fn stale(number: &str, current: i64) -> AppError {
    AppError::new(
        ErrorKind::Conflict,
        "case.stale_version",
        format!("Case {number} has changed since you loaded it (now version {current}); reload and try again."),
        format!("办件 {number} 在您查看后已被更新（当前版本 {current}），请刷新后重试。"),
    )
    .with_field("version")
}

fn action_reason(a: &Action) -> Option<String> {
    match a {
        Action::Reject { reasons } | Action::Deny { reasons } => Some(reasons.join("；")),
        Action::Withdraw { reason } => Some(reason.clone()),
        Action::RequestSupplement { note, .. } => note.clone(),
        Action::Review { opinion } | Action::Approve { opinion } => Some(opinion.clone()),
        _ => None,
    }
}

fn material_row(
    number: &str,
    m: &Material,
    given: Option<&MaterialInput>,
    now: i64,
) -> MaterialRow {
    let (provided, sha, name) = match given {
        Some(g) if g.file.is_some() => ("file", g.file.clone(), g.file_name.clone()),
        Some(g) if g.paper => ("paper", None, None),
        Some(g) if g.commitment => ("commitment", None, None),
        _ => ("missing", None, None),
    };
    MaterialRow {
        case_number: number.to_string(),
        material_code: m.code.clone(),
        name: m.name.clone(),
        provided: provided.to_string(),
        file_sha256: sha,
        file_name: name,
        updated_at: now,
    }
}

fn sub_row_with(
    sub: &SubCaseRow,
    state: &SubCaseState,
    item: &Item,
    cal: &tongban_domain::calendar::Calendar,
    today: NaiveDate,
) -> AppResult<SubCaseRow> {
    let deadline = case::deadline(state, item.committed_limit_days, cal)
        .ok()
        .flatten()
        .and_then(|c| c.value)
        .map(day_str);
    // The day the sub-case stopped running (concluded or ended otherwise): the clock stops there.
    let concluded_on = if state.status == SubCaseStatus::Concluded || state.status.is_terminal() {
        Some(sub.concluded_on.clone().unwrap_or_else(|| day_str(today)))
    } else {
        None
    };
    Ok(SubCaseRow {
        status: state.status.as_str().to_string(),
        state: serde_json::to_string(state).map_err(internal_json)?,
        accepted_on: state.accepted_on.map(day_str),
        deadline,
        concluded_on,
        pledge_due: tolerance::pledge_due_column(state),
        ..sub.clone()
    })
}
