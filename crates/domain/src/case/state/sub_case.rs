//! [`SubCaseState`] — the stored state of one sub-case; separate from its status enum and from the
//! transitions that produce new states.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::Pause;
use crate::catalog::{Item, StepKind};

use super::action::CaseResult;
use super::rules::step;
use super::status::SubCaseStatus;

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
    pub revoked: Option<crate::case::commitment::Revocation>,
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
