//! 预约办: appointments at a service center and the queue they turn into.
//!
//! - [`SlotTemplate`] — a center's opening hours: working-day periods (the gap between them is the
//!   lunch break), evening hours on working days (延时服务), Saturday and Sunday hours (错时/周末服务),
//!   the hours of an extended-service day, the slot length, and per window type (综合窗口 A, 社保窗口 B …)
//!   the capacity of each slot;
//! - [`day_plan`] — the slots of one day at one center on the working-day calendar: working days
//!   (make-up days included) are open; public holidays and administrator closures are closed unless
//!   the center marked the day as an extended-service day; plain weekends have the template's weekend
//!   hours;
//! - [`check_booking`] — one person's bookings: no two overlapping, at most the configured number
//!   open; capacity is held by the store's counter row ([`has_room`]);
//! - the queue: [`ticket_number`] (`A023`) and the ticket state machine [`next_status`].

mod booking;
mod error;
mod queue;
mod template;

#[cfg(test)]
mod tests;

pub use booking::{BookedSpan, check_booking, has_room};
pub use error::AppointmentError;
pub use queue::{QueueAction, TicketStatus, next_status, ticket_number};
pub use template::{
    DayPlan, DayState, Period, Slot, SlotTemplate, WindowType, day_plan, default_template, hhmm,
    parse_hhmm,
};
