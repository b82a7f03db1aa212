//! How codes and instants read on the pages: status, action and event labels, times, due flags.

use chrono::{DateTime, FixedOffset, NaiveDate};
use tongban_domain::calendar::TimeStatus;
use tongban_domain::case::{ActionKind, SubCaseStatus};

use crate::pages::i18n::Tr;

pub(super) fn status_label(tr: &Tr, s: SubCaseStatus) -> &'static str {
    tr.t(match s {
        SubCaseStatus::Waiting => "work.s_waiting",
        SubCaseStatus::Submitted => "work.s_submitted",
        SubCaseStatus::AwaitingSupplement => "work.s_awaiting_supplement",
        SubCaseStatus::Accepted => "work.s_accepted",
        SubCaseStatus::Reviewed => "work.s_reviewed",
        SubCaseStatus::Decided => "work.s_decided",
        SubCaseStatus::Concluded => "work.s_concluded",
        SubCaseStatus::Delivered => "work.s_delivered",
        SubCaseStatus::Rejected => "work.s_rejected",
        SubCaseStatus::Withdrawn => "work.s_withdrawn",
        SubCaseStatus::Cancelled => "work.s_cancelled",
        SubCaseStatus::Terminated => "work.s_terminated",
        SubCaseStatus::Suspended => "work.s_suspended",
    })
}

pub(super) fn action_label(tr: &Tr, a: ActionKind) -> &'static str {
    tr.t(match a {
        ActionKind::Accept => "work.a_accept",
        ActionKind::AcceptWithTolerance => "work.a_accept_with_tolerance",
        ActionKind::Reject => "work.a_reject",
        ActionKind::RequestSupplement => "work.a_request_supplement",
        ActionKind::Supplement => "work.a_supplement",
        ActionKind::Review => "work.a_review",
        ActionKind::Approve => "work.a_approve",
        ActionKind::Deny => "work.a_deny",
        ActionKind::Conclude => "work.a_conclude",
        ActionKind::Deliver => "work.a_deliver",
        ActionKind::Withdraw => "work.a_withdraw",
    })
}

pub(super) fn event_label(tr: &Tr, kind: &str) -> &'static str {
    if let Some(a) = kind
        .strip_prefix("sub_case.")
        .and_then(|k| ActionKind::ALL.into_iter().find(|a| a.as_str() == k))
    {
        return action_label(tr, a);
    }
    tr.t(match kind {
        "case.submitted" => "work.e_submitted",
        "case.closed" => "work.e_closed",
        "sub_case.released" => "work.e_released",
        "sub_case.cancelled" => "work.e_cancelled",
        "sub_case.pledge_reminder" => "work.e_pledge_reminder",
        "sub_case.pledge_expired" => "work.e_pledge_expired",
        "sub_case.verification_sampled" => "work.e_sampled",
        "sub_case.verification_passed" => "work.e_verified",
        "sub_case.result_revoked" => "work.e_revoked",
        _ => "work.e_other",
    })
}

/// An instant as people in the service area read it (China Standard Time).
pub(super) fn local_time(millis: i64) -> String {
    DateTime::from_timestamp_millis(millis)
        .zip(FixedOffset::east_opt(8 * 3600))
        .map(|(t, tz)| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

pub(super) fn day(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "—".into())
}

/// The row class and text badge of a time flag: colour plus words, never colour alone.
pub(super) fn flag_marks(
    tr: &Tr,
    f: Option<TimeStatus>,
) -> (&'static str, Option<(&'static str, &'static str)>) {
    match f {
        Some(TimeStatus::NearDue) => ("due-near", Some(("near", tr.t("work.badge_near")))),
        Some(TimeStatus::Overdue) => ("due-over", Some(("over", tr.t("work.badge_over")))),
        _ => ("", None),
    }
}
