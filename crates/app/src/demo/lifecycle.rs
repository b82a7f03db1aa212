//! Acting on a case through its lifecycle: its fate, who may move it, and the next action
//! (accept, supplement, review, approve or deny, conclude, deliver, withdraw). Separate because
//! it is the part that follows a case after it was filed.

use chrono::NaiveDate;
use rand::Rng;
use rand::rngs::StdRng;
use tongban_domain::case::{Action, ActionKind, CaseResult, DeliveryMethod};

use super::DemoReport;
use super::world::World;
use crate::App;
use crate::accounts::CurrentUser;
use crate::cases::{ActionRequest, CaseView, MaterialInput};
use crate::error::AppResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fate {
    Approved,
    Late,
    SupplementFirst,
    Denied,
    Rejected,
    Withdrawn,
}

pub(super) fn pick_fate(rng: &mut StdRng) -> Fate {
    match rng.gen_range(0..100) {
        0..=69 => Fate::Approved,
        70..=77 => Fate::Late,
        78..=87 => Fate::SupplementFirst,
        88..=92 => Fate::Denied,
        93..=96 => Fate::Rejected,
        _ => Fate::Withdrawn,
    }
}

/// A case on its way, and who may move it.
pub(super) struct Open {
    pub(super) number: String,
    pub(super) fate: Fate,
    pub(super) next: NaiveDate,
    pub(super) clerk: Option<CurrentUser>,
    pub(super) applicant: Option<CurrentUser>,
    pub(super) supplemented: bool,
    pub(super) tolerated: Vec<String>,
}

impl App {
    pub(super) async fn demo_view(&self, world: &World, o: &Open) -> Option<CaseView> {
        let _ = world;
        let who = o.clerk.as_ref().or(o.applicant.as_ref())?;
        self.case_view(who, &o.number).await.ok()
    }

    /// Moves a case one step; `false` when nothing is left to do.
    pub(super) async fn demo_step(
        &self,
        world: &mut World,
        rng: &mut StdRng,
        o: &mut Open,
        today: NaiveDate,
        report: &mut DemoReport,
    ) -> AppResult<bool> {
        // Everyone who might act now: the receiving clerk, the applicant, each department.
        let mut people: Vec<CurrentUser> =
            o.clerk.iter().chain(o.applicant.iter()).cloned().collect();
        let Some(first) = self.demo_view(world, o).await else {
            return Ok(false);
        };
        // An online case is accepted where the system placed it (its 收件地).
        if o.clerk.is_none()
            && let Some(place) = &first.center
            && let Some(c) = self.store.center(&place.code).await?
        {
            people.push(self.demo_clerk(world, &c).await?);
        }
        for s in &first.sub_cases {
            people.push(self.demo_approver(world, &s.department.code).await?);
        }
        for who in &people {
            let Ok(view) = self.case_view(who, &o.number).await else {
                continue;
            };
            for s in &view.sub_cases {
                let Some(action) = choose(o, s, rng, today, &view) else {
                    continue;
                };
                let files = match &action {
                    Action::Supplement { materials } => materials
                        .iter()
                        .map(|m| MaterialInput {
                            material: m.clone(),
                            file: o.clerk.is_none().then(|| world.pdf.clone()),
                            file_name: o.clerk.is_none().then(|| format!("{m}.pdf")),
                            paper: o.clerk.is_some(),
                            commitment: false,
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                let supplement = matches!(action, Action::Supplement { .. });
                let req = ActionRequest {
                    sub_case: s.seq,
                    version: view.version,
                    action,
                    files,
                    on_behalf_of: None,
                };
                match self.act(who, &o.number, req).await {
                    Ok(_) => {
                        report.actions += 1;
                        if supplement {
                            o.supplemented = true;
                            o.tolerated.clear();
                        }
                        return Ok(true);
                    }
                    Err(e) if e.kind == crate::error::ErrorKind::Internal => return Err(e),
                    Err(e) => tracing::debug!(error = %e, "demo action refused"),
                }
            }
        }
        Ok(false)
    }
}

/// The next action for a sub-case, given what the viewer may do and the case's fate.
fn choose(
    o: &Open,
    s: &crate::cases::SubCaseView,
    rng: &mut StdRng,
    today: NaiveDate,
    view: &CaseView,
) -> Option<Action> {
    let may = |k: ActionKind| s.allowed_actions.contains(&k);
    if o.fate == Fate::Withdrawn && may(ActionKind::Withdraw) {
        return Some(Action::Withdraw {
            reason: "申请人不再需要办理".into(),
        });
    }
    if may(ActionKind::Supplement) && (!s.requested_materials.is_empty() || !s.pledged.is_empty()) {
        let mut materials = s.requested_materials.clone();
        materials.extend(s.pledged.iter().cloned());
        return Some(Action::Supplement { materials });
    }
    if may(ActionKind::Accept) || may(ActionKind::AcceptWithTolerance) {
        if o.fate == Fate::Rejected && may(ActionKind::Reject) {
            return Some(Action::Reject {
                reasons: vec!["申请事项不属于本部门职权范围".into()],
            });
        }
        if o.fate == Fate::SupplementFirst && !o.supplemented && may(ActionKind::RequestSupplement)
        {
            let material = view.materials.first().map(|m| m.code.clone())?;
            return Some(Action::RequestSupplement {
                materials: vec![material],
                note: Some("复印件不清晰，请重新提交".into()),
            });
        }
        if !o.tolerated.is_empty() && may(ActionKind::AcceptWithTolerance) {
            return Some(Action::AcceptWithTolerance {
                tolerated: o.tolerated.clone(),
            });
        }
        if may(ActionKind::Accept) {
            return Some(Action::Accept);
        }
    }
    if may(ActionKind::Review) {
        return Some(Action::Review {
            opinion: "材料齐全，符合条件".into(),
        });
    }
    let deny = o.fate == Fate::Denied;
    if may(ActionKind::Approve) && !deny {
        return Some(Action::Approve {
            opinion: "准予办理".into(),
        });
    }
    if may(ActionKind::Deny) && deny {
        return Some(Action::Deny {
            reasons: vec!["不符合办理条件".into()],
        });
    }
    if may(ActionKind::Conclude) {
        let approved = !deny;
        return Some(Action::Conclude {
            result: CaseResult {
                number: format!("{}-{}", s.item_code, rng.gen_range(100_000..999_999)),
                content: if approved {
                    "准予办理"
                } else {
                    "不予办理"
                }
                .into(),
                issuer: s.department.name.clone(),
                issued_on: today,
                approved,
            },
        });
    }
    if may(ActionKind::Deliver) {
        return Some(Action::Deliver {
            method: if o.clerk.is_some() {
                DeliveryMethod::AtCenter
            } else {
                DeliveryMethod::Electronic
            },
        });
    }
    None
}
