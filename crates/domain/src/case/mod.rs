//! 办件 — cases and their sub-cases: the state machine, the audit chain, routing and forms.
//!
//! - [`state`] — the sub-case state machine (办件状态): who may do what at which step, supplement
//!   pauses (补正, the clock stops), bundle dependencies, deadlines and time flags;
//! - [`chain`] — the tamper-evident audit chain (审计链) of a case's events;
//! - [`routing`] — 收件地 / 办理地: the competent department and the 通办范围 check;
//! - [`form`] — application forms checked against their fields;
//! - [`tolerance`] — 容缺受理: the supplement pledge, its deadline, reminder and expiry.
//! - [`commitment`] — 承诺办: 事后核查 sampling, the bar after a broken commitment, revocation.
//!
//! Errors are [`CaseError`] (`case.*`), except forms ([`form::FieldError`], one per field) and the
//! chain ([`chain::BrokenLink`]).

pub mod chain;
pub mod commitment; // 承诺办: sampling, bars, revocation
mod error;
pub mod form;
pub mod routing;
pub mod state;
pub mod tolerance;

#[cfg(test)]
mod tests;

pub use chain::{
    BrokenLink, BrokenReason, EventRecord, GENESIS, Payload, event_hash, next_link, seal,
    verify_chain,
};
pub use error::CaseError;
pub use form::{FieldError, validate_form};
pub use routing::{Routed, route};
pub use state::{
    Action, ActionKind, CaseResult, DeliveryMethod, Release, SubCaseState, SubCaseStatus,
    allowed_actions, apply, apply_release, deadline, release_waiting, time_flag,
};
