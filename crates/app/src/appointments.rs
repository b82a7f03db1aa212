//! 预约办 services: a center's slot template (a default from its tier until someone replaces it),
//! extended-service days, the slots of a day, booking, cancelling and moving, check-in with a queue
//! ticket, and the clerk's queue (call next, recall, skip) with its public display.
//!
//! Times are China Standard Time; a slot is bookable until it ends, at most the template's horizon
//! ahead. Check-in opens an hour before the slot starts and closes when it ends. A booked slot never
//! checked in, and a ticket skipped at the window, count as no-shows.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tongban_domain::appointment::{
    self as appt, AppointmentError, DayState, SlotTemplate, TicketStatus,
};
use tongban_domain::region::ServiceCenter;

use crate::App;
use crate::error::{AppError, AppResult, ErrorKind};

mod booking; // booking, cancelling and moving appointments; the applicant's list
mod queue; // check-in with a ticket, the clerk's queue and the hall's display
mod slots; // a center's slot template, extended-service days and the slots of a day

pub use queue::CHECK_IN_EARLY;

// ---------------------------------------------------------------------------------------------
// Requests and views

#[derive(Debug, Clone, Deserialize)]
pub struct BookRequest {
    /// The service center's code (e.g. `C430481`).
    pub center: String,
    #[serde(default)]
    pub item: Option<String>,
    #[serde(default)]
    pub bundle: Option<String>,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// The slot's start, `HH:MM`.
    pub time: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MoveRequest {
    pub date: String,
    pub time: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ExtendedDayRequest {
    pub date: String,
    /// Why the center opens (e.g. 国庆假期延时服务).
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CenterRef {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SlotView {
    pub time: String,
    pub end: String,
    pub window_type: String,
    pub window_name: String,
    pub capacity: u32,
    pub booked: i64,
    pub available: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct DaySlots {
    pub center: CenterRef,
    pub date: NaiveDate,
    pub state: DayState,
    pub open: bool,
    pub reason: String,
    pub reason_zh: String,
    pub slots: Vec<SlotView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TemplateView {
    pub center: CenterRef,
    /// `false` while the center uses the default of its tier.
    pub stored: bool,
    pub template: SlotTemplate,
    pub extended_days: Vec<ExtendedDay>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExtendedDay {
    pub date: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AppointmentView {
    pub id: i64,
    pub center: String,
    pub date: String,
    pub time: String,
    pub end: String,
    pub window_type: String,
    pub item: Option<String>,
    pub bundle: Option<String>,
    pub title: String,
    /// booked, cancelled, checked_in, served or no_show (a booking whose slot ended unused).
    pub status: String,
    pub ticket: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MyAppointments {
    pub items: Vec<AppointmentView>,
    /// Open bookings (future, not cancelled).
    pub open: u32,
    /// Missed appointments (爽约): never checked in, or skipped at the window.
    pub no_shows: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TicketView {
    pub number: String,
    pub window_type: String,
    pub window_name: String,
    pub status: TicketStatus,
    pub calls: i64,
    /// The window number the clerk called to.
    pub counter: Option<i64>,
    pub appointment: Option<i64>,
    pub called_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CallResult {
    /// The ticket now called; `null` when nobody is waiting.
    pub ticket: Option<TicketView>,
    pub waiting: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct QueueDisplay {
    pub center: CenterRef,
    pub date: NaiveDate,
    /// The numbers being called, latest first.
    pub calling: Vec<TicketView>,
    /// People waiting per window type.
    pub waiting: BTreeMap<String, i64>,
}

// ---------------------------------------------------------------------------------------------
// Helpers

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn domain_error(e: AppointmentError) -> AppError {
    let (kind, field) = match &e {
        AppointmentError::InvalidTemplate { field, .. } => {
            (ErrorKind::Invalid, format!("template.{field}"))
        }
        AppointmentError::DayClosed { .. } | AppointmentError::BeyondHorizon { .. } => {
            (ErrorKind::Invalid, "date".to_owned())
        }
        AppointmentError::NoSuchSlot { .. } | AppointmentError::SlotPast { .. } => {
            (ErrorKind::Invalid, "time".to_owned())
        }
        AppointmentError::DoubleBooked
        | AppointmentError::TooManyOpen { .. }
        | AppointmentError::SlotFull => (ErrorKind::Conflict, "time".to_owned()),
        AppointmentError::BadQueueStep { .. } => (ErrorKind::Conflict, "ticket".to_owned()),
    };
    AppError::new(
        kind,
        e.code(),
        format!("{e}."),
        format!("{}。", e.message_zh()),
    )
    .with_field(field)
}

fn forbidden(code: &str, en: &str, zh: &str) -> AppError {
    AppError::new(ErrorKind::Forbidden, code, en, zh)
}

fn not_found_appointment(id: i64) -> AppError {
    AppError::not_found(
        "appointment.not_found",
        format!("There is no appointment {id} of yours."),
        format!("没有您的预约 {id}。"),
    )
}

fn not_open() -> AppError {
    AppError::new(
        ErrorKind::Conflict,
        "appointment.not_open",
        "The appointment is no longer booked (cancelled, checked in or past).",
        "该预约已取消、已签到或已过期。",
    )
}

impl App {
    async fn center_with_template(
        &self,
        code: &str,
    ) -> AppResult<(ServiceCenter, SlotTemplate, bool)> {
        let center = self.store.center(code).await?.ok_or_else(|| {
            AppError::not_found(
                "center.not_found",
                format!("There is no service center {code}."),
                format!("不存在服务中心 {code}。"),
            )
            .with_field("center")
        })?;
        match self.store.appointment_template(code).await? {
            Some(doc) => {
                let t = serde_json::from_str(&doc).map_err(AppError::internal)?;
                Ok((center, t, true))
            }
            None => {
                let t = appt::default_template(center.level);
                Ok((center, t, false))
            }
        }
    }
}
