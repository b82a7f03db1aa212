//! 承诺办 (告知承诺) services: a material the catalog marks as replaceable may be replaced by a
//! signed commitment whose text comes from the catalog; a concluded sub-case that relied on one may
//! be sampled for 事后核查 (post-verification); a failed verification revokes the result, records
//! the broken commitment (失信记录) and bars the applicant from 承诺办 for the item's `bar_days`
//! calendar days. The rules are in `tongban_domain::case::commitment`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tongban_domain::case::commitment::{self as rules, RevokeError, VerificationStatus};
use tongban_domain::case::{EventRecord, SubCaseState};
use tongban_domain::catalog::{HandlingMode, Item, Role};
use tongban_domain::identity;
use tongban_domain::region::RegionCode;
use tongban_store::{
    BrokenCommitmentRow, CaseChange, CaseRow, CommitmentWrites, SubCaseRow, VerificationRow,
    VerificationScope,
};

use crate::accounts::CurrentUser;
use crate::cases::{CaseView, Draft, MaterialInput, not_found, region_prefix};
use crate::error::{AppError, AppResult, ErrorKind};
use crate::{App, Page};

/// One commitment signed at application: recorded in the `case.submitted` event.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SignedCommitment {
    pub material: String,
    pub material_name: String,
    pub item: String,
    pub item_name: String,
    /// The catalog's commitment text (告知承诺书) as signed.
    pub text: String,
}

/// A verifier's finding: `passed`, or not (then `note` says what was found).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct VerifyRequest {
    pub passed: bool,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerificationView {
    pub case_number: String,
    pub seq: i64,
    pub item_code: String,
    pub department_code: String,
    pub handling_region: String,
    /// Masked for display.
    pub applicant_id: String,
    /// `sampled` (the item's rate) or `record` (a broken commitment on record).
    pub reason: String,
    pub status: String,
    pub sampled_at: i64,
    pub decided_at: Option<i64>,
    pub decided_by: Option<String>,
    pub note: Option<String>,
}

/// The printable 告知承诺书 of a case: its commitments grouped by item.
#[derive(Debug, Clone, Serialize)]
pub struct CommitmentDocument {
    pub case: CaseView,
    pub signed_at: i64,
    pub commitments: Vec<SignedCommitment>,
}

fn forbidden(code: &str, en: impl Into<String>, zh: impl Into<String>) -> AppError {
    AppError::new(ErrorKind::Forbidden, code, en, zh)
}

fn internal_json(e: serde_json::Error) -> AppError {
    AppError::internal(e)
}

fn view(v: VerificationRow) -> VerificationView {
    VerificationView {
        case_number: v.case_number,
        seq: v.seq,
        item_code: v.item_code,
        department_code: v.department_code,
        handling_region: v.handling_region,
        applicant_id: identity::mask_any(&v.applicant_id),
        reason: v.reason,
        status: v.status,
        sampled_at: v.sampled_at,
        decided_at: v.decided_at,
        decided_by: v.decided_by,
        note: v.note,
    }
}

fn revoke_error(e: RevokeError) -> AppError {
    let kind = match e {
        RevokeError::NoteRequired => ErrorKind::Invalid,
        _ => ErrorKind::Conflict,
    };
    let (en, zh) = e.message();
    let err = AppError::new(kind, e.code(), en, zh);
    if kind == ErrorKind::Invalid {
        err.with_field("note")
    } else {
        err
    }
}

fn day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

impl App {
    /// The commitments in an application, checked: each only for a material every item asking
    /// for it marks as replaceable, on an item that allows 承诺办, never together with the material
    /// itself, and never for an applicant barred by a broken commitment.
    pub(crate) async fn signed_commitments(
        &self,
        items: &[&Item],
        inputs: &[MaterialInput],
        applicant_id: &str,
    ) -> AppResult<Vec<SignedCommitment>> {
        let mut out = Vec::new();
        let mut first = None;
        for (i, m) in inputs.iter().enumerate() {
            if !m.commitment {
                continue;
            }
            first.get_or_insert(i);
            let field = format!("materials[{i}].commitment");
            if m.file.is_some() || m.paper {
                return Err(AppError::invalid(
                    "commitment.with_material",
                    format!(
                        "{}: give either the material or a commitment in its place, not both.",
                        m.material
                    ),
                    format!("{}：请提交材料或以承诺替代，二者只能选其一。", m.material),
                )
                .with_field(field));
            }
            for item in items {
                let Some(spec) = item.material(&m.material) else {
                    continue;
                };
                if !spec.replaceable_by_commitment {
                    return Err(AppError::invalid(
                        "commitment.not_replaceable",
                        format!(
                            "{} ({}) cannot be replaced by a commitment for {}; hand in the material.",
                            spec.name, spec.code, item.name
                        ),
                        format!(
                            "{}（{}）不属于{}可告知承诺替代的材料，请提交该材料。",
                            spec.name, spec.code, item.name
                        ),
                    )
                    .with_field(field));
                }
                let settings = match (&item.commitment, item.allows(HandlingMode::Commitment)) {
                    (Some(s), true) => s,
                    _ => {
                        return Err(AppError::invalid(
                            "commitment.mode_not_allowed",
                            format!("{} is not handled on a commitment (承诺办).", item.name),
                            format!("{} 不支持承诺办。", item.name),
                        )
                        .with_field(field));
                    }
                };
                out.push(SignedCommitment {
                    material: spec.code.clone(),
                    material_name: spec.name.clone(),
                    item: item.code.clone(),
                    item_name: item.name.clone(),
                    text: settings.text.clone(),
                });
            }
        }
        if let Some(i) = first {
            let today = self.clock.today();
            let bar = self
                .store
                .broken_commitments(applicant_id)
                .await?
                .into_iter()
                .filter_map(|r| day(&r.barred_until))
                .max();
            if let Some(until) = bar
                && rules::is_barred(until, today)
            {
                return Err(forbidden(
                    "commitment.barred",
                    format!(
                        "A broken commitment is on record for this applicant: 承诺办 is closed to them until {until}; hand in the materials."
                    ),
                    format!("申请人有失信记录，{until} 前不得适用承诺办，请提交材料原件。"),
                )
                .with_field(format!("materials[{i}].commitment")));
            }
        }
        Ok(out)
    }

    /// Writes a case change; a sub-case concluding with approval on a commitment is sampled for
    /// 事后核查 (always for an applicant with a broken commitment on record) in the same
    /// transaction, with a `sub_case.verification_sampled` event. `false` when the case moved on.
    /// `materials` are the case's materials as read with `case` (any difference from the stored
    /// ones means the case moved on, and the version check refuses the change). On return `change`
    /// holds every event written.
    pub(crate) async fn apply_change_sampling(
        &self,
        user: &CurrentUser,
        case: &CaseRow,
        materials: &[tongban_store::MaterialRow],
        change: &mut CaseChange,
    ) -> AppResult<bool> {
        let concluded: Vec<i64> = change
            .events
            .iter()
            .filter(|e| e.kind == "sub_case.conclude")
            .filter_map(|e| e.payload.value()["sub_case"].as_i64())
            .collect();
        let mut writes = CommitmentWrites::default();
        if !concluded.is_empty() {
            let committed: Vec<String> = materials
                .iter()
                .filter(|m| m.provided == "commitment")
                .map(|m| m.material_code.clone())
                .collect();
            let record = !committed.is_empty()
                && !self
                    .store
                    .broken_commitments(&case.applicant_id)
                    .await?
                    .is_empty();
            for seq in concluded {
                if committed.is_empty() {
                    break;
                }
                let Some(row) = change.sub_cases.iter().find(|s| s.seq == seq).cloned() else {
                    continue;
                };
                let st: SubCaseState = serde_json::from_str(&row.state).map_err(internal_json)?;
                if !st.result.as_ref().is_some_and(|r| r.approved) {
                    continue;
                }
                let item = self.item_of(&row).await?;
                let relied = committed.iter().any(|c| {
                    item.material(c)
                        .is_some_and(|m| m.replaceable_by_commitment)
                });
                let percent = item
                    .commitment
                    .as_ref()
                    .map_or(100, |c| c.verification_percent);
                if !relied || !rules::sampled(&case.number, seq, percent, record) {
                    continue;
                }
                let reason = if record { "record" } else { "sampled" };
                writes.enqueue.push(VerificationRow {
                    case_number: case.number.clone(),
                    seq,
                    item_code: row.item_code.clone(),
                    department_code: row.department_code.clone(),
                    handling_region: row.handling_region.clone(),
                    applicant_id: case.applicant_id.clone(),
                    reason: reason.to_string(),
                    status: VerificationStatus::Pending.as_str().to_string(),
                    sampled_at: self.clock.now().timestamp_millis(),
                    decided_at: None,
                    decided_by: None,
                    note: None,
                });
                let prev = change.events.last();
                let e = self.event(
                    &case.number,
                    prev,
                    user,
                    Draft {
                        kind: "sub_case.verification_sampled".into(),
                        place: prev.and_then(|p| p.place.clone()),
                        reason: None,
                        payload: json!({
                            "sub_case": seq, "item": row.item_code, "reason": reason,
                            "percent": percent,
                        }),
                    },
                );
                change.events.push(e);
            }
        }
        if writes.enqueue.is_empty() {
            return Ok(self.store.apply_case_change(change).await?);
        }
        Ok(self
            .store
            .apply_case_change_with_commitments(change, &writes)
            .await?)
    }

    async fn item_of(&self, row: &SubCaseRow) -> AppResult<Item> {
        self.store
            .item_version(&row.item_code, row.item_version)
            .await?
            .ok_or_else(|| {
                AppError::internal(format!(
                    "item {} v{} missing",
                    row.item_code, row.item_version
                ))
            })
    }

    /// The 事后核查 queue: an approver sees their department's, a supervisor their region's (and
    /// below), a system administrator all. `status`: pending, passed or failed.
    pub async fn verifications(
        &self,
        user: &CurrentUser,
        status: Option<String>,
        offset: u32,
        limit: u32,
    ) -> AppResult<Page<VerificationView>> {
        let scope = match user.role {
            Role::Approver => user
                .department_code
                .clone()
                .map(VerificationScope::Department),
            Role::Supervisor => user
                .region_code
                .as_deref()
                .and_then(|r| RegionCode::parse(r).ok())
                .map(|r| VerificationScope::RegionPrefix(region_prefix(&r))),
            Role::SystemAdmin => Some(VerificationScope::All),
            _ => None,
        }
        .ok_or_else(|| {
            forbidden(
                "commitment.verifications_forbidden",
                "Only approvers, supervisors and system administrators see the verification queue.",
                "只有审批人员、监督人员和系统管理员可以查看事后核查清单。",
            )
        })?;
        let status = status.filter(|s| !s.trim().is_empty());
        if let Some(s) = &status
            && VerificationStatus::parse(s).is_none()
        {
            return Err(AppError::invalid(
                "query.out_of_range",
                format!("status must be pending, passed or failed; got {s:?}."),
                format!("status 只能是 pending、passed 或 failed，实际为 {s:?}。"),
            )
            .with_field("status"));
        }
        let (total, rows) = self
            .store
            .verifications(
                &scope,
                status.as_deref(),
                i64::from(limit),
                i64::from(offset),
            )
            .await?;
        Ok(Page {
            total: u64::try_from(total).unwrap_or(0),
            offset,
            limit,
            items: rows.into_iter().map(view).collect(),
        })
    }

    /// Records the finding of one 事后核查 (an approver of the handling department). Failed: the
    /// result is revoked (`sub_case.result_revoked`), the broken commitment is recorded and the
    /// applicant is barred from 承诺办 until `today + bar_days` — with the verification, in one
    /// version-checked transaction.
    pub async fn verify(
        &self,
        user: &CurrentUser,
        number: &str,
        seq: i64,
        req: VerifyRequest,
    ) -> AppResult<CaseView> {
        if user.role != Role::Approver {
            return Err(forbidden(
                "commitment.verify_forbidden",
                "Only an approver of the handling department records a verification.",
                "只有办理部门的审批人员可以登记核查结果。",
            ));
        }
        let unknown = || {
            AppError::not_found(
                "commitment.not_sampled",
                format!("Sub-case {seq} of case {number} is not in your verification queue."),
                format!("办件 {number} 第 {seq} 项子件不在您的事后核查清单中。"),
            )
        };
        let v = self
            .store
            .verification(number, seq)
            .await?
            .ok_or_else(unknown)?;
        if user.department_code.as_deref() != Some(v.department_code.as_str()) {
            return Err(unknown());
        }
        if v.status != VerificationStatus::Pending.as_str() {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "commitment.already_verified",
                format!(
                    "Sub-case {seq} of case {number} was already verified ({}).",
                    v.status
                ),
                format!(
                    "办件 {number} 第 {seq} 项子件已登记核查结果（{}）。",
                    v.status
                ),
            ));
        }
        let case = self
            .store
            .case(number)
            .await?
            .ok_or_else(|| not_found(number))?;
        let subs = self.store.sub_cases(number).await?;
        let sub = subs
            .iter()
            .find(|s| s.seq == seq)
            .ok_or_else(unknown)?
            .clone();
        let item = self.item_of(&sub).await?;
        let state: SubCaseState = serde_json::from_str(&sub.state).map_err(internal_json)?;
        let today = self.clock.today();
        let now = self.clock.now().timestamp_millis();
        let note = req.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
        let mut last: Option<EventRecord> = self.store.last_event(number).await?;
        let place = user.department_code.clone();
        let mut events = Vec::new();
        let mut sub_cases = Vec::new();
        let mut writes = CommitmentWrites {
            decided: Some(VerificationRow {
                status: if req.passed {
                    VerificationStatus::Passed
                } else {
                    VerificationStatus::Failed
                }
                .as_str()
                .to_string(),
                decided_at: Some(now),
                decided_by: Some(user.username.clone()),
                note: note.map(str::to_string),
                ..v.clone()
            }),
            ..CommitmentWrites::default()
        };
        let (mut status, mut closed_at) = (case.status.clone(), case.closed_at);
        if req.passed {
            let e = self.event(
                number,
                last.as_ref(),
                user,
                Draft {
                    kind: "sub_case.verification_passed".into(),
                    place,
                    reason: note.map(str::to_string),
                    payload: json!({"sub_case": seq, "item": sub.item_code}),
                },
            );
            events.push(e);
        } else {
            let next =
                rules::revoke(&state, today, note.unwrap_or_default()).map_err(revoke_error)?;
            let bar_days = item.commitment.as_ref().map_or(0, |c| c.bar_days);
            let until = rules::barred_until(today, bar_days);
            let committed: Vec<String> = self
                .store
                .case_materials(number)
                .await?
                .into_iter()
                .filter(|m| m.provided == "commitment")
                .filter(|m| item.material(&m.material_code).is_some())
                .map(|m| m.material_code)
                .collect();
            let e = self.event(
                number,
                last.as_ref(),
                user,
                Draft {
                    kind: "sub_case.result_revoked".into(),
                    place: place.clone(),
                    reason: note.map(str::to_string),
                    payload: json!({
                        "sub_case": seq, "item": sub.item_code,
                        "result": state.result.as_ref().map(|r| r.number.clone()),
                        "materials": committed, "barred_until": until.to_string(),
                        "bar_days": bar_days,
                    }),
                },
            );
            last = Some(e.clone());
            events.push(e);
            sub_cases.push(SubCaseRow {
                state: serde_json::to_string(&next).map_err(internal_json)?,
                ..sub.clone()
            });
            writes.broken = Some(BrokenCommitmentRow {
                applicant_id: case.applicant_id.clone(),
                case_number: number.to_string(),
                seq,
                item_code: sub.item_code.clone(),
                at: now,
                recorded_on: today.to_string(),
                barred_until: until.to_string(),
            });
            // A revoked result ends the sub-case: the case may close with it.
            if case.status != "closed" {
                let mut states: BTreeMap<i64, bool> = BTreeMap::new();
                for s in &subs {
                    let done = if s.seq == seq {
                        true
                    } else {
                        let st: SubCaseState =
                            serde_json::from_str(&s.state).map_err(internal_json)?;
                        st.is_finished(&self.item_of(s).await?)
                    };
                    states.insert(s.seq, done);
                }
                if states.values().all(|d| *d) {
                    status = "closed".to_string();
                    closed_at = Some(now);
                    events.push(self.event(
                        number,
                        last.as_ref(),
                        user,
                        Draft {
                            kind: "case.closed".into(),
                            place,
                            reason: None,
                            payload: json!({}),
                        },
                    ));
                }
            }
        }
        let change = CaseChange {
            number: number.to_string(),
            expected_version: case.version,
            status,
            closed_at,
            sub_cases,
            materials: Vec::new(),
            events,
            before: None,
        };
        if !self
            .store
            .apply_case_change_with_commitments(&change, &writes)
            .await?
        {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "commitment.concurrent_change",
                format!("Case {number} changed while the verification was recorded; try again."),
                format!("登记核查结果时办件 {number} 已被更新，请重试。"),
            ));
        }
        self.case_view(user, number).await
    }

    /// The 告知承诺书 of a case (anyone who may see the case): the commitments as signed, from the
    /// case's `case.submitted` event. Not found when the case has none.
    pub async fn commitment_document(
        &self,
        user: &CurrentUser,
        number: &str,
    ) -> AppResult<CommitmentDocument> {
        let case = self.case_view(user, number).await?;
        let submitted = case.timeline.iter().find(|e| e.kind == "case.submitted");
        let commitments: Vec<SignedCommitment> = submitted
            .and_then(|e| e.payload.value().get_mut("commitments").map(Value::take))
            .map(serde_json::from_value)
            .transpose()
            .map_err(internal_json)?
            .unwrap_or_default();
        if commitments.is_empty() {
            return Err(AppError::not_found(
                "commitment.none",
                format!("Case {number} was not applied for on a commitment."),
                format!("办件 {number} 未适用告知承诺。"),
            )
            .with_field("number"));
        }
        Ok(CommitmentDocument {
            signed_at: submitted.map_or(case.created_at, |e| e.at),
            commitments,
            case,
        })
    }
}
