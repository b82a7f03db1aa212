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
//!
//! [`Item::steps`]: crate::catalog::Item::steps
//! [`Calendar`]: crate::calendar::Calendar

mod action;
mod clock;
mod release;
mod rules;
mod status;
mod sub_case;
mod transition;

pub use action::{Action, ActionKind, CaseResult, DeliveryMethod};
pub use clock::{deadline, time_flag};
pub use release::{Release, apply_release, release_waiting};
pub use rules::allowed_actions;
pub use status::SubCaseStatus;
pub use sub_case::SubCaseState;
pub use transition::apply;
pub(super) use transition::close_pause;
