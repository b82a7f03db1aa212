//! 帮代办 services: grant, revoke and list authorizations (授权委托), appoint village helpers
//! (帮代办员), and the check every agent action goes through.
//!
//! An agent acts **as the principal** for access and role purposes (the case is the principal's,
//! the role is applicant) while each event records the agent as `actor` and the principal as
//! `acting_for`: see [`App::acting_for`] and `CurrentUser::agent`.
//!
//! Decisions:
//! - The agent and the principal are applicant accounts. A village helper is an applicant account
//!   appointed for one village by a system administrator or a clerk of that village's center; a
//!   helper still needs an authorization from each principal (kind `village_helper`).
//! - Every authorization needs its evidence document (the signed 授权委托书 or power of attorney,
//!   uploaded through `POST /api/v1/files`), helpers included: the printable 授权委托书 is what the
//!   principal signs.
//! - A principal grants online; a clerk records one at a window for a principal who is present.
//!   Only the principal or a system administrator revokes.
//! - The validity period is inclusive; it may not end before today when granted.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tongban_domain::agency::{self, AgencyError, AgentKind, Authorization, Scope};
use tongban_domain::catalog::{HandlingMode, Item, Role};
use tongban_store::{AuthorizationRow, CaseRow, NewAuthorization, UserRow};

use crate::App;
use crate::accounts::{ApplicantKind, CurrentUser};
use crate::error::{AppError, AppResult, ErrorKind};

/// The agent behind an effective user: who really acts when a principal's account is used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActingAgent {
    pub user_id: i64,
    pub username: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct GrantRequest {
    /// The principal's user name: only when a clerk records an authorization at a window for a
    /// principal who is present; online, the principal is the signed-in applicant.
    #[serde(default)]
    pub principal: Option<String>,
    /// The agent's user name.
    pub agent: String,
    pub kind: AgentKind,
    /// `"all"` or `{"items": ["430400-RS-0001"]}`.
    pub scope: Scope,
    /// First valid day (inclusive); today when left out.
    #[serde(default)]
    pub valid_from: Option<NaiveDate>,
    /// Last valid day (inclusive).
    pub valid_to: NaiveDate,
    /// SHA-256 of the uploaded evidence document (signed 授权委托书 / power of attorney).
    #[serde(default)]
    pub evidence_file: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonRef {
    pub username: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuthorizationView {
    pub id: i64,
    pub principal: PersonRef,
    pub agent: PersonRef,
    pub kind: AgentKind,
    pub kind_name: &'static str,
    pub scope: Scope,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    pub evidence_file: Option<String>,
    pub granted_at: i64,
    pub revoked_at: Option<i64>,
    /// `valid`, `not_yet_valid`, `expired` or `revoked`, today.
    pub status: &'static str,
}

/// Authorizations the user gave (as principal) and holds (as agent).
#[derive(Debug, Clone, Serialize)]
pub struct AuthorizationList {
    pub given: Vec<AuthorizationView>,
    pub held: Vec<AuthorizationView>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct AppointHelperRequest {
    pub username: String,
    /// The village (region code).
    pub region: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct VillageHelperView {
    pub username: String,
    pub region: String,
    pub region_name: String,
}

fn agency_error(e: AgencyError) -> AppError {
    let kind = match e {
        AgencyError::NotYetValid { .. }
        | AgencyError::Expired { .. }
        | AgencyError::Revoked
        | AgencyError::OutsideScope { .. } => ErrorKind::Forbidden,
        _ => ErrorKind::Invalid,
    };
    let field = e.field();
    AppError::new(kind, e.code(), format!("{e}."), e.message_zh()).with_field(field)
}

fn not_found(id: i64) -> AppError {
    AppError::not_found(
        "agency.not_found",
        format!("There is no authorization {id} that you can see."),
        format!("找不到您可查看的授权委托 {id}。"),
    )
    .with_field("id")
}

fn no_authorization(principal: &str) -> AppError {
    AppError::new(
        ErrorKind::Forbidden,
        "agency.no_authorization",
        format!("You hold no authorization from {principal}."),
        format!("您没有 {principal} 的授权委托。"),
    )
    .with_field("on_behalf_of")
}

fn day(s: &str) -> AppResult<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| AppError::internal(format!("stored date {s:?}: {e}")))
}

/// The domain authorization of a stored row.
fn authorization_of(r: &AuthorizationRow) -> AppResult<Authorization> {
    Ok(Authorization {
        principal_user_id: r.principal_user_id,
        agent_user_id: r.agent_user_id,
        kind: AgentKind::parse(&r.kind)
            .ok_or_else(|| AppError::internal(format!("authorization kind {:?}", r.kind)))?,
        scope: serde_json::from_str(&r.scope).map_err(AppError::internal)?,
        valid_from: day(&r.valid_from)?,
        valid_to: day(&r.valid_to)?,
        evidence_file: r.evidence_file.clone(),
        revoked_at: r.revoked_at,
    })
}

fn view_of(r: &AuthorizationRow, today: NaiveDate) -> AppResult<AuthorizationView> {
    let a = authorization_of(r)?;
    let status = match agency::covers(&a, &[], today) {
        Ok(()) => "valid",
        Err(AgencyError::Revoked) => "revoked",
        Err(AgencyError::NotYetValid { .. }) => "not_yet_valid",
        Err(_) => "expired",
    };
    Ok(AuthorizationView {
        id: r.id,
        principal: PersonRef {
            username: r.principal_username.clone(),
            name: r.principal_name.clone(),
        },
        agent: PersonRef {
            username: r.agent_username.clone(),
            name: r.agent_name.clone(),
        },
        kind: a.kind,
        kind_name: a.kind.name_zh(),
        scope: a.scope,
        valid_from: a.valid_from,
        valid_to: a.valid_to,
        evidence_file: a.evidence_file,
        granted_at: r.granted_at,
        revoked_at: r.revoked_at,
        status,
    })
}

/// An active applicant account, or `None`.
async fn applicant(app: &App, username: &str) -> AppResult<Option<UserRow>> {
    let name = crate::accounts::normalize_username(username);
    Ok(app
        .store
        .user_by_username(&name)
        .await?
        .filter(|u| u.role == "applicant" && !u.disabled))
}

impl App {
    /// Grants an authorization: online by the principal, or at a window by a clerk for a
    /// principal who is present.
    pub async fn grant_authorization(
        &self,
        user: &CurrentUser,
        req: GrantRequest,
    ) -> AppResult<AuthorizationView> {
        let principal_id = match (user.role, &req.principal) {
            (Role::Applicant, None) => user.id,
            (Role::Applicant, Some(p))
                if crate::accounts::normalize_username(p) == user.username =>
            {
                user.id
            }
            (Role::Clerk, Some(p)) => {
                applicant(self, p)
                    .await?
                    .ok_or_else(|| {
                        AppError::invalid(
                            "agency.unknown_principal",
                            format!("There is no applicant account {p}."),
                            format!("不存在申请人账号 {p}。"),
                        )
                        .with_field("principal")
                    })?
                    .id
            }
            (Role::Clerk, None) => {
                return Err(AppError::invalid(
                    "agency.principal_required",
                    "At a window, name the principal who is present (principal).",
                    "在窗口登记授权时，请填写到场的委托人（principal）。",
                )
                .with_field("principal"));
            }
            _ => {
                return Err(AppError::new(
                    ErrorKind::Forbidden,
                    "agency.grant_forbidden",
                    "Only the principal (online) or a clerk at a window (for the principal present) grants an authorization.",
                    "只有委托人本人（网上）或窗口工作人员（委托人到场时）可以登记授权委托。",
                )
                .with_field("principal"));
            }
        };
        let agent = applicant(self, &req.agent).await?.ok_or_else(|| {
            AppError::invalid(
                "agency.unknown_agent",
                format!(
                    "There is no applicant account {} to act as agent.",
                    req.agent
                ),
                format!("不存在可作为受托人的申请人账号 {}。", req.agent),
            )
            .with_field("agent")
        })?;
        let today = self.clock.today();
        let a = Authorization {
            principal_user_id: principal_id,
            agent_user_id: agent.id,
            kind: req.kind,
            scope: req.scope,
            valid_from: req.valid_from.unwrap_or(today),
            valid_to: req.valid_to,
            evidence_file: req.evidence_file,
            revoked_at: None,
        };
        agency::validate_grant(&a, today).map_err(agency_error)?;
        if let Scope::Items(codes) = &a.scope {
            let view = self.catalog();
            for (i, code) in codes.iter().enumerate() {
                let Some(s) = view.items.get(code) else {
                    return Err(AppError::invalid(
                        "agency.unknown_item",
                        format!("There is no item with code {code}."),
                        format!("不存在编码为 {code} 的事项。"),
                    )
                    .with_field(format!("scope.items[{i}]")));
                };
                if !s.item.allows(HandlingMode::Agent) {
                    return Err(mode_not_allowed(&s.item).with_field(format!("scope.items[{i}]")));
                }
            }
        }
        match &a.evidence_file {
            None => {
                return Err(AppError::invalid(
                    "agency.evidence_required",
                    "Upload the signed authorization (授权委托书) or power of attorney and give its sha256 as evidence_file.",
                    "请上传签字的授权委托书或委托证明，并在 evidence_file 中填写其 sha256。",
                )
                .with_field("evidence_file"));
            }
            Some(sha) if self.store.file(sha).await?.is_none() => {
                return Err(AppError::invalid(
                    "agency.unknown_file",
                    format!("No uploaded file has the hash {sha}; upload it first."),
                    format!("找不到哈希为 {sha} 的已上传文件，请先上传。"),
                )
                .with_field("evidence_file"));
            }
            Some(_) => {}
        }
        if a.kind == AgentKind::VillageHelper
            && self.store.village_helper_region(agent.id).await?.is_none()
        {
            return Err(AppError::invalid(
                "agency.not_a_village_helper",
                format!(
                    "{} is not an appointed village helper (帮代办员).",
                    agent.username
                ),
                format!("{} 不是已任命的帮代办员。", agent.username),
            )
            .with_field("kind"));
        }
        let id = self
            .store
            .insert_authorization(&NewAuthorization {
                principal_user_id: a.principal_user_id,
                agent_user_id: a.agent_user_id,
                kind: a.kind.as_str().to_string(),
                scope: serde_json::to_string(&a.scope).map_err(AppError::internal)?,
                valid_from: a.valid_from.to_string(),
                valid_to: a.valid_to.to_string(),
                evidence_file: a.evidence_file.clone(),
                granted_by: user.id,
                granted_at: self.clock.now().timestamp_millis(),
            })
            .await?;
        self.authorization(user, id).await
    }

    /// One authorization, for its principal, its agent, whoever recorded it, or a system
    /// administrator; anyone else is told it does not exist.
    pub async fn authorization(&self, user: &CurrentUser, id: i64) -> AppResult<AuthorizationView> {
        let r = self.visible_authorization(user, id).await?;
        view_of(&r, self.clock.today())
    }

    async fn visible_authorization(
        &self,
        user: &CurrentUser,
        id: i64,
    ) -> AppResult<AuthorizationRow> {
        let r = self
            .store
            .authorization(id)
            .await?
            .ok_or_else(|| not_found(id))?;
        let sees = user.role == Role::SystemAdmin
            || [r.principal_user_id, r.agent_user_id, r.granted_by].contains(&user.id);
        if sees { Ok(r) } else { Err(not_found(id)) }
    }

    /// Revokes an authorization (the principal, or a system administrator).
    pub async fn revoke_authorization(
        &self,
        user: &CurrentUser,
        id: i64,
    ) -> AppResult<AuthorizationView> {
        let r = self.visible_authorization(user, id).await?;
        if user.role != Role::SystemAdmin && user.id != r.principal_user_id {
            return Err(AppError::new(
                ErrorKind::Forbidden,
                "agency.revoke_forbidden",
                "Only the principal or a system administrator revokes an authorization.",
                "只有委托人本人或系统管理员可以撤销授权委托。",
            ));
        }
        let now = self.clock.now().timestamp_millis();
        if !self.store.revoke_authorization(id, user.id, now).await? {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "agency.already_revoked",
                format!("Authorization {id} has already been revoked."),
                format!("授权委托 {id} 已被撤销。"),
            ));
        }
        self.authorization(user, id).await
    }

    /// The authorizations the user gave and holds, newest first.
    pub async fn authorizations(&self, user: &CurrentUser) -> AppResult<AuthorizationList> {
        let today = self.clock.today();
        let mut list = AuthorizationList {
            given: Vec::new(),
            held: Vec::new(),
        };
        for r in self.store.authorizations_of(user.id).await? {
            let v = view_of(&r, today)?;
            if r.principal_user_id == user.id {
                list.given.push(v);
            } else {
                list.held.push(v);
            }
        }
        Ok(list)
    }

    /// Appoints an applicant account as a village's helper (帮代办员): a system administrator for
    /// any village, a clerk for the village of their own center.
    pub async fn appoint_village_helper(
        &self,
        user: &CurrentUser,
        req: AppointHelperRequest,
    ) -> AppResult<VillageHelperView> {
        let code = crate::places::parse_region_code(&req.region, "region")?;
        let region = self.store.region(code.as_str()).await?.ok_or_else(|| {
            AppError::not_found(
                "agency.unknown_region",
                format!("There is no region {}.", code.as_str()),
                format!("不存在行政区划 {}。", code.as_str()),
            )
            .with_field("region")
        })?;
        let allowed = match user.role {
            Role::SystemAdmin => true,
            Role::Clerk => match &user.center_code {
                Some(c) => self
                    .store
                    .center(c)
                    .await?
                    .is_some_and(|c| c.region == region.code),
                None => false,
            },
            _ => false,
        };
        if !allowed {
            return Err(AppError::new(
                ErrorKind::Forbidden,
                "agency.appoint_forbidden",
                "Village helpers are appointed by a system administrator or a clerk of that village's service point.",
                "帮代办员由系统管理员或该村（社区）便民服务点的工作人员任命。",
            )
            .with_field("region"));
        }
        let helper = applicant(self, &req.username).await?.ok_or_else(|| {
            AppError::invalid(
                "agency.unknown_agent",
                format!("There is no applicant account {}.", req.username),
                format!("不存在申请人账号 {}。", req.username),
            )
            .with_field("username")
        })?;
        self.store
            .appoint_village_helper(
                helper.id,
                region.code.as_str(),
                user.id,
                self.clock.now().timestamp_millis(),
            )
            .await?;
        Ok(VillageHelperView {
            username: helper.username,
            region: region.code.as_str().to_string(),
            region_name: region.name,
        })
    }

    /// The effective user when `agent` acts for `principal` on `items` (all of a bundle's items):
    /// the principal, as applicant, carrying the agent. Refused unless every item allows 帮代办 and
    /// an authorization from the principal to the agent is in force today and covers them all.
    pub async fn acting_for(
        &self,
        agent: &CurrentUser,
        principal: &str,
        items: &[&Item],
    ) -> AppResult<CurrentUser> {
        if agent.role != Role::Applicant {
            return Err(AppError::new(
                ErrorKind::Forbidden,
                "agency.agent_must_be_applicant",
                "Only an applicant account acts as an agent; at a window, apply for the person present instead.",
                "只有申请人账号可以作为代办人；在窗口请直接为到场人员办理。",
            )
            .with_field("on_behalf_of"));
        }
        if let Some(item) = items.iter().find(|i| !i.allows(HandlingMode::Agent)) {
            return Err(mode_not_allowed(item));
        }
        let Some(p) = applicant(self, principal).await? else {
            return Err(no_authorization(principal));
        };
        let rows = self.store.authorizations_between(p.id, agent.id).await?;
        let all = rows
            .iter()
            .map(authorization_of)
            .collect::<AppResult<Vec<_>>>()?;
        let codes: Vec<&str> = items.iter().map(|i| i.code.as_str()).collect();
        match agency::best_cover(&all, &codes, self.clock.today()) {
            None => return Err(no_authorization(principal)),
            Some(Err(e)) => return Err(agency_error(e)),
            Some(Ok(())) => {}
        }
        Ok(CurrentUser {
            id: p.id,
            username: p.username,
            display_name: p.display_name,
            role: Role::Applicant,
            center_code: None,
            department_code: None,
            region_code: None,
            applicant_kind: p.applicant_kind.as_deref().and_then(ApplicantKind::parse),
            id_number: p.id_number,
            agent: Some(ActingAgent {
                user_id: agent.id,
                username: agent.username.clone(),
            }),
        })
    }

    /// The effective user for an action on sub-case `seq` of case `number` by `agent` for
    /// `principal`. A case that is not the principal's is reported as not found.
    pub(crate) async fn acting_for_case(
        &self,
        agent: &CurrentUser,
        principal: &str,
        number: &str,
        seq: i64,
    ) -> AppResult<CurrentUser> {
        let case = self.store.case(number).await?;
        let principal_id = applicant(self, principal).await?.map(|p| p.id);
        let Some(case) =
            case.filter(|c| c.applicant_user_id.is_some() && c.applicant_user_id == principal_id)
        else {
            return Err(crate::cases::not_found(number));
        };
        let subs = self.store.sub_cases(number).await?;
        let mut items = Vec::new();
        for s in subs.iter().filter(|s| s.seq == seq) {
            items.push(
                self.item_version_of(&case, &s.item_code, s.item_version)
                    .await?,
            );
        }
        let refs: Vec<&Item> = items.iter().collect();
        self.acting_for(agent, principal, &refs).await
    }

    async fn item_version_of(&self, case: &CaseRow, code: &str, version: i64) -> AppResult<Item> {
        self.store
            .item_version(code, version)
            .await?
            .ok_or_else(|| {
                AppError::internal(format!("item {code} v{version} of {} missing", case.number))
            })
    }

    /// Whether an applicant who is not the case's applicant may still see it as the agent who
    /// filed it, under an authorization from the applicant that is in force today and covers it.
    pub(crate) async fn agent_may_see(
        &self,
        user: &CurrentUser,
        case: &CaseRow,
    ) -> AppResult<bool> {
        let Some(principal) = case.applicant_user_id else {
            return Ok(false);
        };
        if user.role != Role::Applicant || case.submitted_by != user.id || principal == user.id {
            return Ok(false);
        }
        let rows = self
            .store
            .authorizations_between(principal, user.id)
            .await?;
        let all = rows
            .iter()
            .map(authorization_of)
            .collect::<AppResult<Vec<_>>>()?;
        let codes: Vec<String> = self
            .store
            .sub_cases(&case.number)
            .await?
            .into_iter()
            .map(|s| s.item_code)
            .collect();
        let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
        Ok(matches!(
            agency::best_cover(&all, &codes, self.clock.today()),
            Some(Ok(()))
        ))
    }
}

fn mode_not_allowed(item: &Item) -> AppError {
    AppError::invalid(
        "agency.mode_not_allowed",
        format!(
            "{} ({}) cannot be handled by an agent (帮代办).",
            item.name, item.code
        ),
        format!("{}（{}）不支持帮代办。", item.name, item.code),
    )
    .with_field("item")
}
