//! 办件 services: create a case anywhere, route it to the competent department, act on it step by
//! step against a working-day clock, and record every change as a hash-chained event in the same
//! transaction as the rows it updates.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tongban_domain::calendar::TimeStatus;
use tongban_domain::case::{
    self, Action, ActionKind, EventRecord, GENESIS, Payload, Release, SubCaseState, SubCaseStatus,
};
use tongban_domain::catalog::{FormField, HandlingMode, Item, Material, Role};
use tongban_domain::identity;
use tongban_domain::region::{RegionCode, ServiceCenter};
use tongban_store::{
    CaseChange, CaseFilter, CaseRecord, CaseRow, CaseScope, MaterialRow, NewCase, SubCaseRow,
};

use crate::accounts::{CurrentUser, role_name};
use crate::error::{AppError, AppResult, ErrorKind, FieldProblem};
use crate::{App, Page};

mod act; // acting on a sub-case: the version-checked change and its events
mod create; // creating a case: validation, routing, materials, idempotency
mod tolerance; // 容缺办: the pledge, its reminder and expiry (cases/tolerance.rs)
mod view; // reading: one case, lists, audit verification

pub use tolerance::DeadlineReport;
pub use view::AuditReport;

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
    /// As stored: written out as it is, parsed where a document looks into it.
    pub payload: Payload,
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

/// How many matching cases past the requested page a case list counts before it stops.
pub const CASE_COUNT_AHEAD: i64 = 200;

/// A page of the case list. `total` is exact unless `total_capped`: then at least that many cases
/// match (counting stops [`CASE_COUNT_AHEAD`] cases past the page; an exact count of a large
/// search would read every match).
#[derive(Debug, Clone, Serialize)]
pub struct CasePage {
    #[serde(flatten)]
    pub page: Page<CaseSummary>,
    pub total_capped: bool,
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
    code.prefix().to_string()
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
            payload: d.payload.into(),
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

    /// The case with all its rows, if this user may see it (else "not found", as for a case that
    /// does not exist).
    async fn load_visible(&self, user: &CurrentUser, number: &str) -> AppResult<CaseRecord> {
        let record = self
            .store
            .case_record(number)
            .await?
            .ok_or_else(|| not_found(number))?;
        if !can_see(user, &record.case, &record.sub_cases)
            && !self.agent_may_see(user, &record.case).await?
        {
            return Err(not_found(number));
        }
        Ok(record)
    }

    /// An item version (cached by the store: versions never change once written).
    async fn item_at(&self, code: &str, version: i64) -> AppResult<Arc<Item>> {
        self.store
            .item_version_shared(code, version)
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
