//! 办结时限 and 电子监察: the deadline and time flag of a sub-case from its acceptance and pauses;
//! separate because it reads the state against the calendar and changes nothing.

use chrono::NaiveDate;

use crate::calendar::{Calendar, CalendarError, Counted, TimeStatus, time_status};

use super::sub_case::SubCaseState;

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
