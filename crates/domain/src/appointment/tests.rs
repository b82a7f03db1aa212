use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Weekday};
use proptest::prelude::*;

use super::template::{hhmm, parse_hhmm};
use super::*;
use crate::calendar::{Calendar, DayReason};
use crate::region::CenterLevel;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn county_hall_weekday_has_morning_and_afternoon_with_a_lunch_break() {
    let t = default_template(CenterLevel::County);
    t.validate().unwrap();
    // 2026-11-25 is a Wednesday.
    let plan = day_plan(
        &t,
        d(2026, 11, 25),
        Calendar::official_ref(),
        &BTreeSet::new(),
    );
    assert_eq!(plan.state, DayState::Workday);
    let general: Vec<String> = plan
        .slots
        .iter()
        .filter(|s| s.window_type == "general")
        .map(Slot::time)
        .collect();
    assert_eq!(general.first().map(String::as_str), Some("08:30"));
    assert!(general.contains(&"11:30".to_owned()));
    assert!(!general.contains(&"12:00".to_owned()), "lunch break");
    assert!(!general.contains(&"14:00".to_owned()), "lunch break");
    assert!(general.contains(&"14:30".to_owned()));
    assert_eq!(general.last().map(String::as_str), Some("17:00"));
    assert_eq!(general.len(), 7 + 6);
}

#[test]
fn makeup_workday_is_open_and_holiday_is_closed() {
    let t = default_template(CenterLevel::Village);
    let cal = Calendar::official_ref();
    // 2026-09-20 (Sunday) is a make-up working day before National Day 2026.
    let plan = day_plan(&t, d(2026, 9, 20), cal, &BTreeSet::new());
    assert_eq!(plan.state, DayState::MakeupWorkday);
    assert!(!plan.slots.is_empty());
    let holiday = day_plan(&t, d(2026, 10, 1), cal, &BTreeSet::new());
    assert_eq!(holiday.state, DayState::Closed);
    assert!(holiday.slots.is_empty());
    let e = holiday.slot("09:00", "general").unwrap_err();
    assert_eq!(e.code(), "appointment.day_closed");
    assert!(e.message_zh().contains("法定节假日"));
    // Marked as an extended-service day, the holiday opens.
    let open = day_plan(&t, d(2026, 10, 1), cal, &BTreeSet::from([d(2026, 10, 1)]));
    assert_eq!(open.state, DayState::ExtendedService);
    assert!(open.slot("09:00", "general").is_ok());
}

#[test]
fn weekend_hours_apply_to_ordinary_weekends_only() {
    let hall = default_template(CenterLevel::City);
    let village = default_template(CenterLevel::Village);
    let cal = Calendar::official_ref();
    // 2026-11-28 is an ordinary Saturday.
    let sat = day_plan(&hall, d(2026, 11, 28), cal, &BTreeSet::new());
    assert_eq!(sat.state, DayState::Weekend);
    assert!(sat.slot("09:00", "general").is_ok());
    assert!(sat.slot("14:30", "general").is_err());
    assert_eq!(
        day_plan(&village, d(2026, 11, 28), cal, &BTreeSet::new()).state,
        DayState::Closed
    );
    // 2026-10-03 is a Saturday inside the National Day holiday: closed even at the hall.
    assert_eq!(
        day_plan(&hall, d(2026, 10, 3), cal, &BTreeSet::new()).state,
        DayState::Closed
    );
}

#[test]
fn window_types_follow_department_types() {
    let t = default_template(CenterLevel::County);
    assert_eq!(t.window_for(Some("hrss")).unwrap().prefix, "B");
    assert_eq!(t.window_for(Some("tax")).unwrap().prefix, "C");
    assert_eq!(t.window_for(Some("civil_affairs")).unwrap().prefix, "A");
    assert_eq!(t.window_for(None).unwrap().key, "general");
}

#[test]
fn templates_are_validated_with_the_field_named() {
    let mut t = default_template(CenterLevel::Town);
    t.evening = vec![Period::new(1000, 1140)];
    let e = t.validate().unwrap_err();
    assert_eq!(e.code(), "appointment.invalid_template");
    assert!(e.to_string().starts_with("workday:"), "{e}");
    let mut t = default_template(CenterLevel::Town);
    t.window_types[0].prefix = "a".into();
    assert!(t.validate().unwrap_err().to_string().contains("prefix"));
    let mut t = default_template(CenterLevel::Town);
    t.slot_minutes = 3;
    assert!(t.validate().is_err());
    for level in [
        CenterLevel::City,
        CenterLevel::County,
        CenterLevel::Town,
        CenterLevel::Village,
    ] {
        default_template(level).validate().unwrap();
    }
}

#[test]
fn times_read_and_write_as_hh_mm() {
    assert_eq!(parse_hhmm("08:30"), Some(510));
    assert_eq!(parse_hhmm("24:00"), Some(1440));
    assert_eq!(parse_hhmm("24:01"), None);
    assert_eq!(parse_hhmm("8:30"), None);
    assert_eq!(parse_hhmm("08:60"), None);
    assert_eq!(hhmm(1050), "17:30");
    let p: Period = serde_json::from_str(r#"{"start":"08:30","end":"12:00"}"#).unwrap();
    assert_eq!(p, Period::new(510, 720));
    assert_eq!(
        serde_json::to_string(&p).unwrap(),
        r#"{"start":"08:30","end":"12:00"}"#
    );
}

#[test]
fn bookings_refuse_overlap_and_too_many() {
    let held = [BookedSpan {
        id: 1,
        start: 100,
        end: 200,
    }];
    assert_eq!(
        check_booking(&held, 150, 250, 3),
        Err(AppointmentError::DoubleBooked)
    );
    assert_eq!(
        check_booking(&held, 100, 200, 3),
        Err(AppointmentError::DoubleBooked)
    );
    assert!(
        check_booking(&held, 200, 300, 3).is_ok(),
        "back to back is fine"
    );
    assert_eq!(
        check_booking(&held, 300, 400, 1),
        Err(AppointmentError::TooManyOpen { open: 1 })
    );
    assert!(has_room(1, 2));
    assert!(!has_room(2, 2));
}

#[test]
fn queue_state_machine() {
    use QueueAction as A;
    use TicketStatus as S;
    assert_eq!(next_status(S::Waiting, A::Call), Ok(S::Called));
    assert_eq!(next_status(S::Called, A::Recall), Ok(S::Called));
    assert_eq!(next_status(S::Called, A::Skip), Ok(S::Skipped));
    assert_eq!(next_status(S::Skipped, A::Recall), Ok(S::Called));
    assert_eq!(next_status(S::Called, A::Serve), Ok(S::Served));
    for (from, action) in [
        (S::Waiting, A::Skip),
        (S::Waiting, A::Recall),
        (S::Served, A::Recall),
        (S::Skipped, A::Skip),
        (S::Called, A::Call),
    ] {
        assert_eq!(
            next_status(from, action).unwrap_err().code(),
            "queue.bad_step"
        );
    }
    assert_eq!(ticket_number("A", 23), "A023");
    assert_eq!(ticket_number("B", 1234), "B1234");
}

proptest! {
    /// Slots never fall on a closed day, always lie inside the template's periods for the day, and
    /// never carry more capacity than the window type allows.
    #[test]
    fn slots_respect_the_calendar_and_the_template(days in 0i64..1200, level in 0usize..4, extended in any::<bool>()) {
        let level = [CenterLevel::City, CenterLevel::County, CenterLevel::Town, CenterLevel::Village][level];
        let t = default_template(level);
        let date = d(2024, 1, 1) + chrono::Duration::days(days);
        let cal = Calendar::official_ref();
        let ext = if extended { BTreeSet::from([date]) } else { BTreeSet::new() };
        let plan = day_plan(&t, date, cal, &ext);
        let info = cal.day_info(date);
        let weekend_hours = info.reason == DayReason::Weekend && date.weekday() == Weekday::Sat && !t.saturday.is_empty();
        if !(info.is_workday || extended || weekend_hours) {
            prop_assert_eq!(plan.state.clone(), DayState::Closed);
            prop_assert!(plan.slots.is_empty());
        }
        if matches!(info.reason, DayReason::Holiday(_)) && !extended {
            prop_assert!(plan.slots.is_empty());
        }
        if info.is_workday {
            prop_assert!(!plan.slots.is_empty());
        }
        for s in &plan.slots {
            prop_assert_eq!(s.start.date(), date);
            prop_assert!(s.start < s.end);
            let w = t.window_type(&s.window_type).unwrap();
            prop_assert_eq!(s.capacity, w.capacity);
        }
    }

    /// An accepted booking never overlaps a held one, and never exceeds the maximum.
    #[test]
    fn accepted_bookings_never_overlap(spans in proptest::collection::vec((0i64..100, 1i64..10), 0..6), start in 0i64..100, len in 1i64..10, max in 1u32..5) {
        let held: Vec<BookedSpan> = spans.iter().enumerate().map(|(i, (s, l))| BookedSpan { id: i as i64, start: *s, end: s + l }).collect();
        if check_booking(&held, start, start + len, max).is_ok() {
            prop_assert!(held.iter().all(|h| h.end <= start || start + len <= h.start));
            prop_assert!((held.len() as u32) < max);
        }
    }
}
