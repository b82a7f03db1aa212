//! 办件状态 — the state machine of one sub-case (one item of a case, handled by one department).
//!
//! The catalog decides which steps an item has ([`Item::steps`]); this module decides which action
//! is possible in which status, and which role may take it. *Which* clerk or approver may touch a
//! case (their center, their department) is the application's business.
//!
//! ```text
//! waiting ──(release)──▶ submitted ──accept──▶ accepted ──review──▶ reviewed ──approve/deny──▶ decided ──conclude──▶ concluded ──deliver──▶ delivered
//!    └─(cancel)▶ cancelled   │ │                  │                     │
//!                            │ └─reject▶ rejected  └──────request_supplement───▶ awaiting_supplement ──supplement──▶ (back where it paused)
//!                            └─request_supplement─┘
//! withdraw: from waiting, submitted, awaiting_supplement, accepted, reviewed
//! ```
//!
//! 容缺办 ([`super::tolerance`]): `accept_with_tolerance` accepts with tolerable materials pledged;
//! `conclude` waits for them; a missed deadline ends in `terminated` or `suspended`.
//!
//! Time (办结时限) runs in working days from the day of acceptance ([`Calendar`]). A supplement
//! requested after acceptance pauses it: the pause runs from the day of the request through the day
//! *before* the supplement arrives, both included, so the paused days are exactly the days the
//! case spent waiting for the applicant (a supplement on the day of the request pauses nothing).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, CalendarError, Counted, Pause, TimeStatus, time_status};
use crate::catalog::{Item, Role, StepKind};

use super::error::CaseError;

/// 办件状态 of one sub-case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubCaseStatus {
    /// 等待前置事项 — a bundle item waiting for results it needs.
    Waiting,
    /// 已提交 (待受理)
    Submitted,
    /// 补正中 — the clock is paused.
    AwaitingSupplement,
    /// 已受理
    Accepted,
    /// 已审查
    Reviewed,
    /// 已决定
    Decided,
    /// 已办结
    Concluded,
    /// 已送达
    Delivered,
    /// 不予受理
    Rejected,
    /// 已撤回
    Withdrawn,
    /// 已取消 — an item it needed ended without approval.
    Cancelled,
    // 容缺办 (see `super::tolerance`) ↓
    /// 终止办理 — a 容缺 supplement deadline passed on an item configured to terminate.
    Terminated,
    /// 中止办理 — a 容缺 supplement deadline passed on an item configured to suspend; supplying
    /// the pledged materials resumes it (the clock is paused meanwhile).
    Suspended,
    // 容缺办 ↑
}

impl SubCaseStatus {
    pub const ALL: [SubCaseStatus; 13] = [
        Self::Waiting,
        Self::Submitted,
        Self::AwaitingSupplement,
        Self::Accepted,
        Self::Reviewed,
        Self::Decided,
        Self::Concluded,
        Self::Delivered,
        Self::Rejected,
        Self::Withdrawn,
        Self::Cancelled,
        Self::Terminated,
        Self::Suspended,
    ];

    /// No action can follow, whatever the item: delivered, rejected, withdrawn, cancelled,
    /// terminated (容缺 deadline missed). `Suspended` is not terminal: a supplement resumes it.
    ///
    /// `Concluded` is not terminal here because an item with a deliver step goes on to delivery;
    /// use [`SubCaseState::is_finished`] to ask with the item.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Delivered | Self::Rejected | Self::Withdrawn | Self::Cancelled | Self::Terminated
        )
    }

    /// 已办结: the result exists (concluded or delivered).
    pub fn is_concluded(self) -> bool {
        matches!(self, Self::Concluded | Self::Delivered)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Submitted => "submitted",
            Self::AwaitingSupplement => "awaiting_supplement",
            Self::Accepted => "accepted",
            Self::Reviewed => "reviewed",
            Self::Decided => "decided",
            Self::Concluded => "concluded",
            Self::Delivered => "delivered",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
            Self::Cancelled => "cancelled",
            Self::Terminated => "terminated",
            Self::Suspended => "suspended",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Waiting => "等待前置事项",
            Self::Submitted => "待受理",
            Self::AwaitingSupplement => "补正中",
            Self::Accepted => "已受理",
            Self::Reviewed => "已审查",
            Self::Decided => "已决定",
            Self::Concluded => "已办结",
            Self::Delivered => "已送达",
            Self::Rejected => "不予受理",
            Self::Withdrawn => "已撤回",
            Self::Cancelled => "已取消",
            Self::Terminated => "终止办理",
            Self::Suspended => "中止办理",
        }
    }
}

/// 办结结果 — what a conclusion issues (a certificate, a decision letter, a notice).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseResult {
    /// 文书 / 证照编号.
    pub number: String,
    pub content: String,
    /// 出具单位.
    pub issuer: String,
    pub issued_on: NaiveDate,
    /// 准予 (true) or 不予 (false).
    pub approved: bool,
}

/// 送达方式.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMethod {
    /// 电子送达
    Electronic,
    /// 邮寄送达
    Post,
    /// 窗口领取 (at the receiving center)
    AtCenter,
}

impl DeliveryMethod {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Electronic => "电子送达",
            Self::Post => "邮寄送达",
            Self::AtCenter => "窗口领取",
        }
    }
}

/// One action on a sub-case, with what it records. Serialized with an `action` tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// 受理
    Accept,
    /// 容缺受理: accepts with the listed tolerable materials missing, on a supplement pledge
    /// (see `super::tolerance`).
    AcceptWithTolerance { tolerated: Vec<String> },
    /// 不予受理, with at least one non-empty reason.
    Reject { reasons: Vec<String> },
    /// 一次性告知: every missing material code at once (at least one).
    RequestSupplement {
        materials: Vec<String>,
        note: Option<String>,
    },
    /// 补正: must cover every requested material; resumes where it paused. Also delivers pledged
    /// 容缺 materials (see `super::tolerance`).
    Supplement { materials: Vec<String> },
    /// 审查
    Review { opinion: String },
    /// 准予
    Approve { opinion: String },
    /// 不予, with at least one non-empty reason.
    Deny { reasons: Vec<String> },
    /// 办结: records the result.
    Conclude { result: CaseResult },
    /// 送达
    Deliver { method: DeliveryMethod },
    /// 撤回, with a non-empty reason.
    Withdraw { reason: String },
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Self::Accept => ActionKind::Accept,
            Self::AcceptWithTolerance { .. } => ActionKind::AcceptWithTolerance,
            Self::Reject { .. } => ActionKind::Reject,
            Self::RequestSupplement { .. } => ActionKind::RequestSupplement,
            Self::Supplement { .. } => ActionKind::Supplement,
            Self::Review { .. } => ActionKind::Review,
            Self::Approve { .. } => ActionKind::Approve,
            Self::Deny { .. } => ActionKind::Deny,
            Self::Conclude { .. } => ActionKind::Conclude,
            Self::Deliver { .. } => ActionKind::Deliver,
            Self::Withdraw { .. } => ActionKind::Withdraw,
        }
    }
}

/// The kinds of [`Action`], without their data (for permissions, menus and event kinds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Accept,
    AcceptWithTolerance,
    Reject,
    RequestSupplement,
    Supplement,
    Review,
    Approve,
    Deny,
    Conclude,
    Deliver,
    Withdraw,
}

impl ActionKind {
    pub const ALL: [ActionKind; 11] = [
        Self::Accept,
        Self::AcceptWithTolerance,
        Self::Reject,
        Self::RequestSupplement,
        Self::Supplement,
        Self::Review,
        Self::Approve,
        Self::Deny,
        Self::Conclude,
        Self::Deliver,
        Self::Withdraw,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::AcceptWithTolerance => "accept_with_tolerance",
            Self::Reject => "reject",
            Self::RequestSupplement => "request_supplement",
            Self::Supplement => "supplement",
            Self::Review => "review",
            Self::Approve => "approve",
            Self::Deny => "deny",
            Self::Conclude => "conclude",
            Self::Deliver => "deliver",
            Self::Withdraw => "withdraw",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Accept => "受理",
            Self::AcceptWithTolerance => "容缺受理",
            Self::Reject => "不予受理",
            Self::RequestSupplement => "一次性告知补正",
            Self::Supplement => "补正材料",
            Self::Review => "审查",
            Self::Approve => "准予",
            Self::Deny => "不予批准",
            Self::Conclude => "办结",
            Self::Deliver => "送达",
            Self::Withdraw => "撤回",
        }
    }
}

/// The state of one sub-case as the engine needs it (the app stores and reloads this; every field
/// but `status` may be absent from stored JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubCaseState {
    pub status: SubCaseStatus,
    /// Where a supplement request paused from (Submitted, Accepted or Reviewed), to resume there.
    #[serde(default)]
    pub resume_to: Option<SubCaseStatus>,
    /// The materials of the open supplement request (empty otherwise).
    #[serde(default)]
    pub requested_materials: Vec<String>,
    /// 受理日期: the clock runs from here.
    #[serde(default)]
    pub accepted_on: Option<NaiveDate>,
    /// Supplement periods after acceptance: the clock does not run. At most the last one is open.
    #[serde(default)]
    pub pauses: Vec<Pause>,
    /// The decision, once made (by approve/deny, or by a conclusion without a decide step).
    #[serde(default)]
    pub approved: Option<bool>,
    #[serde(default)]
    pub result: Option<CaseResult>,
    // 容缺办 (see `super::tolerance`) ↓
    /// 容缺 materials pledged at acceptance and not yet supplied.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pledged: Vec<String>,
    /// The supplement deadline of the pledge (the last day to supply).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pledge_due: Option<NaiveDate>,
    /// Whether the reminder before the deadline went out.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pledge_reminded: bool,
    // 容缺办 ↑
    // 承诺办 (see `super::commitment`) ↓
    /// 撤销: the result was revoked after a failed 事后核查 of a commitment; nothing more follows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<super::commitment::Revocation>,
    // 承诺办 ↑
}

impl SubCaseState {
    /// A new sub-case: `Waiting` when it needs other items' results first, else `Submitted`.
    pub fn new(waiting: bool) -> Self {
        SubCaseState {
            status: if waiting {
                SubCaseStatus::Waiting
            } else {
                SubCaseStatus::Submitted
            },
            resume_to: None,
            requested_materials: Vec::new(),
            accepted_on: None,
            pauses: Vec::new(),
            approved: None,
            result: None,
            pledged: Vec::new(),
            pledge_due: None,
            pledge_reminded: false,
            revoked: None, // 承诺办
        }
    }

    /// Whether nothing more can happen to this sub-case of `item`: a terminal status, or concluded
    /// when the item has no deliver step.
    pub fn is_finished(&self, item: &Item) -> bool {
        self.status.is_terminal()
            || self.revoked.is_some() // 承诺办: a revoked result ends the sub-case
            || (self.status == SubCaseStatus::Concluded && step(item, StepKind::Deliver).is_none())
    }
}

fn step(item: &Item, kind: StepKind) -> Option<Role> {
    item.steps.iter().find(|s| s.kind == kind).map(|s| s.role)
}

/// The status from which the decision (or, without a decide step, the conclusion) is taken.
fn ready_to_decide(item: &Item) -> SubCaseStatus {
    if step(item, StepKind::Review).is_some() {
        SubCaseStatus::Reviewed
    } else {
        SubCaseStatus::Accepted
    }
}

/// The step an action needs and the roles that may take it.
fn permission(item: &Item, kind: ActionKind) -> Result<Vec<Role>, CaseError> {
    let need = |k: StepKind| {
        step(item, k).ok_or(CaseError::StepNotInProcess {
            action: kind,
            step: k,
        })
    };
    Ok(match kind {
        ActionKind::Accept
        | ActionKind::AcceptWithTolerance
        | ActionKind::Reject
        | ActionKind::RequestSupplement => {
            vec![need(StepKind::Accept)?]
        }
        ActionKind::Supplement => {
            let clerk = need(StepKind::Accept)?;
            if clerk == Role::Applicant {
                vec![Role::Applicant]
            } else {
                vec![Role::Applicant, clerk]
            }
        }
        ActionKind::Review => vec![need(StepKind::Review)?],
        ActionKind::Approve | ActionKind::Deny => match step(item, StepKind::Decide) {
            Some(role) => vec![role],
            None => vec![
                need(StepKind::Conclude).map_err(|_| CaseError::StepNotInProcess {
                    action: kind,
                    step: StepKind::Decide,
                })?,
            ],
        },
        ActionKind::Conclude => vec![need(StepKind::Conclude)?],
        ActionKind::Deliver => vec![need(StepKind::Deliver)?],
        ActionKind::Withdraw => vec![Role::Applicant],
    })
}

/// Whether `kind` may be taken from `status` for this item (payload aside).
fn status_allows(item: &Item, status: SubCaseStatus, kind: ActionKind) -> bool {
    use SubCaseStatus as S;
    match kind {
        ActionKind::Accept | ActionKind::AcceptWithTolerance | ActionKind::Reject => {
            status == S::Submitted
        }
        ActionKind::RequestSupplement => matches!(status, S::Submitted | S::Accepted | S::Reviewed),
        ActionKind::Supplement => status == S::AwaitingSupplement,
        ActionKind::Review => status == S::Accepted,
        ActionKind::Approve | ActionKind::Deny => status == ready_to_decide(item),
        ActionKind::Conclude => {
            status == S::Decided
                || (step(item, StepKind::Decide).is_none() && status == ready_to_decide(item))
        }
        ActionKind::Deliver => status == S::Concluded,
        ActionKind::Withdraw => matches!(
            status,
            S::Waiting | S::Submitted | S::AwaitingSupplement | S::Accepted | S::Reviewed
        ),
    }
}

/// Everything about an action but its data, in the order errors are reported: ended, waiting,
/// step missing, role, status.
fn check(state: &SubCaseState, item: &Item, role: Role, kind: ActionKind) -> Result<(), CaseError> {
    if state.is_finished(item) {
        return Err(CaseError::Terminal {
            status: state.status,
        });
    }
    if state.status == SubCaseStatus::Waiting && kind != ActionKind::Withdraw {
        return Err(CaseError::WaitingForDependencies);
    }
    let needed = permission(item, kind)?;
    if !needed.contains(&role) {
        return Err(CaseError::RoleNotAllowed {
            action: kind,
            role,
            needed,
        });
    }
    if !status_allows(item, state.status, kind) && !super::tolerance::status_allows(state, kind) {
        return Err(CaseError::ActionNotAllowedInStatus {
            action: kind,
            status: state.status,
        });
    }
    super::tolerance::check(state, item, kind)
}

/// The actions `role` may take now, for the UI and the API (their data still has to be valid).
pub fn allowed_actions(state: &SubCaseState, item: &Item, role: Role) -> Vec<ActionKind> {
    ActionKind::ALL
        .into_iter()
        .filter(|k| check(state, item, role, *k).is_ok())
        .collect()
}

/// Applies one action taken by someone acting as `role` on `today`, giving the new state.
///
/// Who may do what comes from the item's steps: accept / reject / request_supplement — the role of
/// the accept step; review — the review step's (only if the item has one); approve / deny — the
/// decide step's, or the conclude step's when the item has no decide step; conclude — the conclude
/// step's; deliver — the deliver step's (only if the item has one); supplement — the applicant or
/// the accept step's role (a supplement brought to the window); withdraw — the applicant (an agent
/// acting for them counts as the applicant; the app decides that).
///
/// Transitions: see the module documentation. Without a review step the decision follows
/// acceptance; without a decide step `conclude` may follow directly and its `result.approved` is
/// the decision (approve/deny by the conclude role is also possible); after a decision the result
/// must agree with it (`case.result_mismatch`). An instant item (即办件) may be accepted and
/// concluded the same day.
pub fn apply(
    state: &SubCaseState,
    item: &Item,
    role: Role,
    action: &Action,
    today: NaiveDate,
) -> Result<SubCaseState, CaseError> {
    let kind = action.kind();
    check(state, item, role, kind)?;
    let mut next = state.clone();
    match action {
        Action::Accept => {
            next.status = SubCaseStatus::Accepted;
            next.accepted_on = Some(today);
        }
        Action::AcceptWithTolerance { tolerated } => {
            next.pledged = super::tolerance::tolerated_codes(item, tolerated)?;
            next.status = SubCaseStatus::Accepted;
            next.accepted_on = Some(today);
        }
        Action::Reject { reasons } => {
            require_reasons(kind, reasons)?;
            next.status = SubCaseStatus::Rejected;
        }
        Action::RequestSupplement { materials, .. } => {
            let materials = material_codes(item, kind, materials)?;
            next.resume_to = Some(state.status);
            next.requested_materials = materials;
            next.status = SubCaseStatus::AwaitingSupplement;
            if state.status != SubCaseStatus::Submitted {
                next.pauses.push(Pause::open(today));
            }
        }
        Action::Supplement { materials } if state.status != SubCaseStatus::AwaitingSupplement => {
            let given = material_codes(item, kind, materials)?;
            next = super::tolerance::supplement_pledged(state, &given, today)?;
        }
        Action::Supplement { materials } => {
            let given = material_codes(item, kind, materials)?;
            next.pledged.retain(|m| !given.contains(m));
            let missing: Vec<String> = state
                .requested_materials
                .iter()
                .filter(|m| !given.contains(m))
                .cloned()
                .collect();
            if !missing.is_empty() {
                return Err(CaseError::SupplementIncomplete { missing });
            }
            close_pause(&mut next, today);
            next.status = state.resume_to.unwrap_or(SubCaseStatus::Submitted);
            next.resume_to = None;
            next.requested_materials.clear();
        }
        Action::Review { .. } => next.status = SubCaseStatus::Reviewed,
        Action::Approve { .. } => {
            next.status = SubCaseStatus::Decided;
            next.approved = Some(true);
        }
        Action::Deny { reasons } => {
            require_reasons(kind, reasons)?;
            next.status = SubCaseStatus::Decided;
            next.approved = Some(false);
        }
        Action::Conclude { result } => {
            if let Some(decided) = state.approved
                && decided != result.approved
            {
                return Err(CaseError::ResultMismatch {
                    decided,
                    result: result.approved,
                });
            }
            next.status = SubCaseStatus::Concluded;
            next.approved = Some(result.approved);
            next.result = Some(result.clone());
        }
        Action::Deliver { .. } => next.status = SubCaseStatus::Delivered,
        Action::Withdraw { reason } => {
            if reason.trim().is_empty() {
                return Err(CaseError::ReasonsRequired { action: kind });
            }
            close_pause(&mut next, today);
            next.status = SubCaseStatus::Withdrawn;
            next.resume_to = None;
            next.requested_materials.clear();
        }
    }
    Ok(next)
}

fn require_reasons(action: ActionKind, reasons: &[String]) -> Result<(), CaseError> {
    if reasons.iter().any(|r| !r.trim().is_empty()) {
        Ok(())
    } else {
        Err(CaseError::ReasonsRequired { action })
    }
}

/// Trimmed, deduplicated material codes, at least one, all of the item.
fn material_codes(
    item: &Item,
    action: ActionKind,
    materials: &[String],
) -> Result<Vec<String>, CaseError> {
    let mut codes: Vec<String> = Vec::with_capacity(materials.len());
    for m in materials {
        let m = m.trim();
        if !m.is_empty() && !codes.iter().any(|c| c == m) {
            codes.push(m.to_owned());
        }
    }
    if codes.is_empty() {
        return Err(CaseError::MaterialsRequired { action });
    }
    let unknown: Vec<String> = codes
        .iter()
        .filter(|c| item.material(c).is_none())
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(CaseError::UnknownMaterial { codes: unknown });
    }
    Ok(codes)
}

/// Ends the open pause: it covers the days from the request through yesterday; a supplement on
/// the day of the request (or a date before it) leaves no pause at all.
pub(super) fn close_pause(state: &mut SubCaseState, today: NaiveDate) {
    let Some(last) = state.pauses.last_mut() else {
        return;
    };
    if last.to.is_some() {
        return;
    }
    match today.pred_opt() {
        Some(yesterday) if yesterday >= last.from => last.to = Some(yesterday),
        _ => {
            state.pauses.pop();
        }
    }
}

/// What to do with a waiting sub-case, given the sub-cases it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Release {
    /// Keep waiting.
    Stay,
    /// Every needed result is in: submit it.
    Release,
    /// A needed item ended without approval: cancel it.
    Cancel,
}

/// Decides a waiting sub-case from the sub-cases it needs (`needs_status[i]` with its decision
/// `approved[i]`; a missing decision counts as none): released when every one is concluded or
/// delivered with approval, cancelled as soon as any one ended without approval (rejected,
/// withdrawn, cancelled, or concluded with a denial), otherwise it stays. Needing nothing releases.
pub fn release_waiting(needs_status: &[SubCaseStatus], approved: &[Option<bool>]) -> Release {
    let mut all_done = true;
    for (i, status) in needs_status.iter().enumerate() {
        let approved = approved.get(i).copied().flatten() == Some(true);
        let done = status.is_concluded() && approved;
        if !done && (status.is_terminal() || status.is_concluded()) {
            return Release::Cancel;
        }
        all_done &= done;
    }
    if all_done {
        Release::Release
    } else {
        Release::Stay
    }
}

/// Applies a [`release_waiting`] decision: `Release` submits, `Cancel` cancels, `Stay` changes
/// nothing. Errors with `case.not_waiting` unless the sub-case is waiting (for `Release`/`Cancel`).
pub fn apply_release(state: &SubCaseState, release: Release) -> Result<SubCaseState, CaseError> {
    if release == Release::Stay {
        return Ok(state.clone());
    }
    if state.status != SubCaseStatus::Waiting {
        return Err(CaseError::NotWaiting {
            status: state.status,
        });
    }
    let mut next = state.clone();
    next.status = match release {
        Release::Cancel => SubCaseStatus::Cancelled,
        _ => SubCaseStatus::Submitted,
    };
    Ok(next)
}

/// 办结期限: `committed_days` working days from acceptance, supplement pauses added back
/// ([`Calendar::deadline_with_pauses`]). `Ok(None)` before acceptance; the inner value is `None`
/// while a supplement that began in time is awaited.
pub fn deadline(
    state: &SubCaseState,
    committed_days: u32,
    cal: &Calendar,
) -> Result<Option<Counted<Option<NaiveDate>>>, CalendarError> {
    let Some(accepted) = state.accepted_on else {
        return Ok(None);
    };
    cal.deadline_with_pauses(accepted, committed_days, &state.pauses)
        .map(Some)
}

/// 电子监察 flag on `today`: from the remaining working days ([`Calendar::remaining_workdays`],
/// paused days not counted) and [`time_status`]. `Ok(None)` before acceptance and once concluded
/// or ended. An instant item (0 days) is near-due up to its deadline day and overdue after it.
pub fn time_flag(
    state: &SubCaseState,
    committed_days: u32,
    cal: &Calendar,
    today: NaiveDate,
    near_due_days: i64,
) -> Result<Option<TimeStatus>, CalendarError> {
    let Some(accepted) = state.accepted_on else {
        return Ok(None);
    };
    if state.status.is_terminal() || state.status.is_concluded() {
        return Ok(None);
    }
    if committed_days == 0 {
        let due = cal.deadline_with_pauses(accepted, 0, &state.pauses)?.value;
        return Ok(Some(match due {
            Some(due) if today > due => TimeStatus::Overdue,
            _ => TimeStatus::NearDue,
        }));
    }
    let remaining = cal.remaining_workdays(accepted, committed_days, today, &state.pauses)?;
    Ok(Some(time_status(remaining.value, near_due_days)))
}
