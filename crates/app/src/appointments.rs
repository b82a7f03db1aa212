//! 预约办 services: a center's slot template (a default from its tier until someone replaces it),
//! extended-service days, the slots of a day, booking, cancelling and moving, check-in with a queue
//! ticket, and the clerk's queue (call next, recall, skip) with its public display.
//!
//! Times are China Standard Time; a slot is bookable until it ends, at most the template's horizon
//! ahead. Check-in opens an hour before the slot starts and closes when it ends. A booked slot never
//! checked in, and a ticket skipped at the window, count as no-shows.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use tongban_domain::appointment::{
    self as appt, AppointmentError, DayState, QueueAction, SlotTemplate, TicketStatus,
};
use tongban_domain::catalog::{HandlingMode, Role};
use tongban_domain::region::ServiceCenter;
use tongban_store::{AppointmentRow, BookingRules, SlotRef, TicketRow};

use crate::App;
use crate::accounts::CurrentUser;
use crate::calendar::parse_date;
use crate::clock::china;
use crate::error::{AppError, AppResult, ErrorKind};

/// Check-in opens this long before the slot starts.
pub const CHECK_IN_EARLY: Duration = Duration::minutes(60);

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

/// Epoch milliseconds of a China-time wall-clock instant.
fn millis_of(local: NaiveDateTime) -> i64 {
    (local - Duration::hours(8)).and_utc().timestamp_millis()
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

fn parse_time(s: &str) -> AppResult<String> {
    appt::parse_hhmm(s)
        .filter(|m| *m < 24 * 60)
        .map(appt::hhmm)
        .ok_or_else(|| {
            AppError::invalid(
                "appointment.bad_time",
                format!("{s:?} is not a time of day (HH:MM)."),
                format!("{s:?} 不是有效的时间（HH:MM）。"),
            )
            .with_field("time")
        })
}

fn view(a: &AppointmentRow, now: i64) -> AppointmentView {
    let status = if a.status == "booked" && a.end_at <= now {
        "no_show".to_owned()
    } else {
        a.status.clone()
    };
    AppointmentView {
        id: a.id,
        center: a.center_code.clone(),
        date: a.day.clone(),
        time: a.start_time.clone(),
        end: a.end_time.clone(),
        window_type: a.window_type.clone(),
        item: a.item_code.clone(),
        bundle: a.bundle_code.clone(),
        title: a.title.clone(),
        status,
        ticket: a.ticket.clone(),
    }
}

fn ticket_view(t: &TicketRow, template: &SlotTemplate) -> TicketView {
    TicketView {
        number: t.number.clone(),
        window_type: t.window_type.clone(),
        window_name: template
            .window_type(&t.window_type)
            .map(|w| w.name.clone())
            .unwrap_or_else(|| t.window_type.clone()),
        status: TicketStatus::parse(&t.status).unwrap_or(TicketStatus::Waiting),
        calls: t.calls,
        counter: t.counter,
        appointment: t.appointment_id,
        called_at: t.called_at,
    }
}

/// Who may change a center's template and extended days: a system administrator or a clerk of it.
fn may_manage(user: &CurrentUser, center: &str) -> AppResult<()> {
    let ok = user.role == Role::SystemAdmin
        || (user.role == Role::Clerk && user.center_code.as_deref() == Some(center));
    if ok {
        Ok(())
    } else {
        Err(forbidden(
            "appointment.manage_forbidden",
            "Only a system administrator or a clerk of this center may change its hours.",
            "只有系统管理员或本中心窗口工作人员可以调整预约时段。",
        ))
    }
}

fn clerk_of(user: &CurrentUser, center: &str) -> AppResult<()> {
    if user.role == Role::Clerk && user.center_code.as_deref() == Some(center) {
        Ok(())
    } else {
        Err(forbidden(
            "queue.clerk_only",
            "Only a clerk of this center runs its queue.",
            "只有本中心窗口工作人员可以叫号。",
        ))
    }
}

impl App {
    fn now_local(&self) -> NaiveDateTime {
        self.clock.now().with_timezone(&china()).naive_local()
    }

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

    async fn extended_set(&self, code: &str, from: NaiveDate) -> AppResult<BTreeSet<NaiveDate>> {
        Ok(self
            .store
            .extended_days(code, &iso(from))
            .await?
            .into_iter()
            .filter_map(|(d, _)| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
            .collect())
    }

    /// A center's template (stored, or its tier's default) and its coming extended-service days.
    pub async fn slot_template(&self, code: &str) -> AppResult<TemplateView> {
        let (center, template, stored) = self.center_with_template(code).await?;
        let extended_days = self
            .store
            .extended_days(code, &iso(self.clock.today()))
            .await?
            .into_iter()
            .map(|(date, name)| ExtendedDay { date, name })
            .collect();
        Ok(TemplateView {
            center: CenterRef {
                code: center.code,
                name: center.name,
            },
            stored,
            template,
            extended_days,
        })
    }

    /// Replaces a center's template. Existing bookings stay; new bookings follow the new hours.
    pub async fn put_slot_template(
        &self,
        user: &CurrentUser,
        code: &str,
        template: SlotTemplate,
    ) -> AppResult<TemplateView> {
        self.center_with_template(code).await?;
        may_manage(user, code)?;
        template.validate().map_err(domain_error)?;
        let doc = serde_json::to_string(&template).map_err(AppError::internal)?;
        let now = self.clock.now().timestamp_millis();
        self.store
            .put_appointment_template(code, &doc, now, user.id)
            .await?;
        self.slot_template(code).await
    }

    /// Marks a day as an extended-service day: the center opens on it even if it is a rest day.
    pub async fn add_extended_day(
        &self,
        user: &CurrentUser,
        code: &str,
        req: ExtendedDayRequest,
    ) -> AppResult<TemplateView> {
        self.center_with_template(code).await?;
        may_manage(user, code)?;
        let date = parse_date(&req.date, "date")?;
        if date < self.clock.today() {
            return Err(AppError::invalid(
                "appointment.date_past",
                format!("{date} has passed."),
                format!("{date} 已过去。"),
            )
            .with_field("date"));
        }
        if req.name.trim().is_empty() {
            return Err(AppError::invalid(
                "appointment.extended_day_needs_name",
                "Give the extended-service day a name.",
                "请填写延时服务日的名称。",
            )
            .with_field("name"));
        }
        let now = self.clock.now().timestamp_millis();
        self.store
            .put_extended_day(code, &iso(date), req.name.trim(), now)
            .await?;
        self.slot_template(code).await
    }

    /// The slots of one day at a center with what is left of each.
    pub async fn day_slots(&self, code: &str, date: &str) -> AppResult<DaySlots> {
        let date = parse_date(date, "date")?;
        let (center, template, _) = self.center_with_template(code).await?;
        let ext = self.extended_set(code, date).await?;
        let plan = appt::day_plan(&template, date, &self.calendar(), &ext);
        let booked: BTreeMap<(String, String), i64> = self
            .store
            .slot_bookings(code, &iso(date))
            .await?
            .into_iter()
            .map(|(t, w, n)| ((t, w), n))
            .collect();
        let slots = plan
            .slots
            .iter()
            .map(|s| {
                let time = s.time();
                let n = booked
                    .get(&(time.clone(), s.window_type.clone()))
                    .copied()
                    .unwrap_or(0);
                SlotView {
                    end: s.end.format("%H:%M").to_string(),
                    window_name: template
                        .window_type(&s.window_type)
                        .map(|w| w.name.clone())
                        .unwrap_or_default(),
                    window_type: s.window_type.clone(),
                    capacity: s.capacity,
                    booked: n,
                    available: (i64::from(s.capacity) - n).max(0),
                    time,
                }
            })
            .collect();
        Ok(DaySlots {
            center: CenterRef {
                code: center.code,
                name: center.name,
            },
            date,
            open: plan.state != DayState::Closed,
            state: plan.state,
            reason: plan.reason,
            reason_zh: plan.reason_zh,
            slots,
        })
    }

    /// The slot for a booking, checked against the calendar, the template, the clock and horizon.
    async fn resolve_slot(
        &self,
        center: &str,
        template: &SlotTemplate,
        window_type: &str,
        date: &str,
        time: &str,
    ) -> AppResult<SlotRef> {
        let date = parse_date(date, "date")?;
        let time = parse_time(time)?;
        let today = self.clock.today();
        if date > today + Duration::days(i64::from(template.horizon_days)) {
            return Err(domain_error(AppointmentError::BeyondHorizon {
                days: template.horizon_days,
            }));
        }
        let ext = self.extended_set(center, date).await?;
        let plan = appt::day_plan(template, date, &self.calendar(), &ext);
        let slot = plan.slot(&time, window_type).map_err(domain_error)?;
        if slot.end <= self.now_local() {
            return Err(domain_error(AppointmentError::SlotPast { date, time }));
        }
        Ok(SlotRef {
            center_code: center.to_owned(),
            day: iso(date),
            start_time: time,
            end_time: slot.end.format("%H:%M").to_string(),
            start_at: millis_of(slot.start),
            end_at: millis_of(slot.end),
            window_type: window_type.to_owned(),
            capacity: i64::from(slot.capacity),
        })
    }

    /// Books a slot for an item or a bundle (applicants only).
    pub async fn book_appointment(
        &self,
        user: &CurrentUser,
        req: BookRequest,
    ) -> AppResult<AppointmentView> {
        if user.role != Role::Applicant {
            return Err(forbidden(
                "appointment.applicant_only",
                "Only applicants book appointments.",
                "只有申请人可以预约。",
            ));
        }
        let catalog = self.catalog();
        let (title, department_type) = match (req.item.as_deref(), req.bundle.as_deref()) {
            (Some(code), None) => {
                let item = catalog.items.get(code).ok_or_else(|| {
                    AppError::not_found(
                        "catalog.item_not_found",
                        format!("There is no item {code}."),
                        format!("不存在事项 {code}。"),
                    )
                    .with_field("item")
                })?;
                if !item.item.allows(HandlingMode::Appointment) {
                    return Err(AppError::invalid(
                        "appointment.mode_not_allowed",
                        format!("{} does not take appointments.", item.item.name),
                        format!("{} 不支持预约办理。", item.item.name),
                    )
                    .with_field("item"));
                }
                (
                    item.item.name.clone(),
                    Some(item.item.department_type.clone()),
                )
            }
            (None, Some(code)) => {
                let bundle = catalog.bundles.get(code).ok_or_else(|| {
                    AppError::not_found(
                        "catalog.bundle_not_found",
                        format!("There is no bundle {code}."),
                        format!("不存在一件事 {code}。"),
                    )
                    .with_field("bundle")
                })?;
                (bundle.bundle.name.clone(), None)
            }
            _ => {
                return Err(AppError::invalid(
                    "appointment.item_or_bundle",
                    "Name exactly one item or one bundle.",
                    "请指定一个事项或一个一件事（二选一）。",
                )
                .with_field("item"));
            }
        };
        let (_, template, _) = self.center_with_template(&req.center).await?;
        let window = template
            .window_for(department_type.as_deref())
            .map(|w| w.key.clone())
            .unwrap_or_default();
        let slot = self
            .resolve_slot(&req.center, &template, &window, &req.date, &req.time)
            .await?;
        let now = self.clock.now().timestamp_millis();
        let rules = BookingRules {
            max_open: template.max_open_bookings,
            now,
        };
        let id = self
            .store
            .book_appointment(
                user.id,
                &slot,
                req.item.as_deref(),
                req.bundle.as_deref(),
                &title,
                rules,
            )
            .await
            .map_err(|e| match e {
                // Two requests for the same start at once: the unique index caught the second.
                tongban_store::StoreError::Conflict { .. } => {
                    domain_error(AppointmentError::DoubleBooked)
                }
                other => other.into(),
            })?
            .map_err(domain_error)?;
        let row = self
            .store
            .appointment(id)
            .await?
            .ok_or_else(|| AppError::internal("a booked appointment vanished"))?;
        Ok(view(&row, now))
    }

    async fn own_appointment(&self, user: &CurrentUser, id: i64) -> AppResult<AppointmentRow> {
        match self.store.appointment(id).await? {
            Some(a) if a.applicant_user_id == user.id => Ok(a),
            _ => Err(not_found_appointment(id)),
        }
    }

    /// The signed-in applicant's appointments, latest first, with the no-show count.
    pub async fn my_appointments(&self, user: &CurrentUser) -> AppResult<MyAppointments> {
        let now = self.clock.now().timestamp_millis();
        let rows = self.store.appointments_of(user.id, 200).await?;
        let open = rows
            .iter()
            .filter(|a| a.status == "booked" && a.end_at > now)
            .count();
        Ok(MyAppointments {
            items: rows.iter().map(|a| view(a, now)).collect(),
            open: u32::try_from(open).unwrap_or(u32::MAX),
            no_shows: self.store.count_no_shows(user.id, now).await?,
        })
    }

    pub async fn cancel_appointment(
        &self,
        user: &CurrentUser,
        id: i64,
    ) -> AppResult<AppointmentView> {
        let a = self.own_appointment(user, id).await?;
        let now = self.clock.now().timestamp_millis();
        if a.status != "booked"
            || a.end_at <= now
            || !self.store.cancel_appointment(id, now).await?
        {
            return Err(not_open());
        }
        let row = self.own_appointment(user, id).await?;
        Ok(view(&row, now))
    }

    /// Moves a booking to another slot at the same center (same window type).
    pub async fn move_appointment(
        &self,
        user: &CurrentUser,
        id: i64,
        req: MoveRequest,
    ) -> AppResult<AppointmentView> {
        let a = self.own_appointment(user, id).await?;
        let now = self.clock.now().timestamp_millis();
        if a.status != "booked" || a.end_at <= now {
            return Err(not_open());
        }
        let (_, template, _) = self.center_with_template(&a.center_code).await?;
        let window = match template.window_type(&a.window_type) {
            Some(w) => w.key.clone(),
            None => template
                .window_for(None)
                .map(|w| w.key.clone())
                .unwrap_or_default(),
        };
        let slot = self
            .resolve_slot(&a.center_code, &template, &window, &req.date, &req.time)
            .await?;
        let rules = BookingRules {
            max_open: template.max_open_bookings,
            now,
        };
        match self.store.move_appointment(id, &slot, rules).await {
            Ok(Some(Ok(()))) => {}
            Ok(Some(Err(e))) => return Err(domain_error(e)),
            Ok(None) => return Err(not_open()),
            Err(tongban_store::StoreError::Conflict { .. }) => {
                return Err(domain_error(AppointmentError::DoubleBooked));
            }
            Err(e) => return Err(e.into()),
        }
        let row = self.own_appointment(user, id).await?;
        Ok(view(&row, now))
    }

    /// Checks an appointment in and issues a queue ticket of its window type: the applicant
    /// (at the kiosk) or a clerk of the center, from an hour before the slot until it ends.
    pub async fn check_in(&self, user: &CurrentUser, id: i64) -> AppResult<TicketView> {
        let a = match self.store.appointment(id).await? {
            Some(a)
                if a.applicant_user_id == user.id
                    || (user.role == Role::Clerk
                        && user.center_code.as_deref() == Some(a.center_code.as_str())) =>
            {
                a
            }
            _ => return Err(not_found_appointment(id)),
        };
        let now = self.clock.now().timestamp_millis();
        if a.status != "booked" {
            return Err(not_open());
        }
        if now < a.start_at - CHECK_IN_EARLY.num_milliseconds() {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "appointment.check_in_too_early",
                format!(
                    "Check-in opens an hour before the slot ({} {}).",
                    a.day, a.start_time
                ),
                format!(
                    "签到于预约时段（{} {}）开始前一小时开放。",
                    a.day, a.start_time
                ),
            ));
        }
        if now >= a.end_at {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "appointment.check_in_closed",
                "The slot has ended; the appointment counts as missed.",
                "预约时段已结束，按爽约处理。",
            ));
        }
        let (_, template, _) = self.center_with_template(&a.center_code).await?;
        let prefix = template
            .window_type(&a.window_type)
            .or_else(|| template.window_for(None))
            .map(|w| w.prefix.clone())
            .unwrap_or_else(|| "A".to_owned());
        let ticket = self
            .store
            .check_in(id, &iso(self.clock.today()), &prefix, now)
            .await?
            .ok_or_else(not_open)?;
        Ok(ticket_view(&ticket, &template))
    }

    /// Calls the next waiting number of a window type (the clerk's current one counts as served).
    pub async fn call_next(
        &self,
        user: &CurrentUser,
        code: &str,
        window_type: &str,
        counter: Option<i64>,
    ) -> AppResult<CallResult> {
        let (_, template, _) = self.center_with_template(code).await?;
        clerk_of(user, code)?;
        if template.window_type(window_type).is_none() {
            let known: Vec<&str> = template
                .window_types
                .iter()
                .map(|w| w.key.as_str())
                .collect();
            return Err(AppError::invalid(
                "queue.unknown_window_type",
                format!(
                    "{window_type:?} is not a window type here; known: {}.",
                    known.join(", ")
                ),
                format!(
                    "{window_type:?} 不是本中心的窗口类型；可用：{}。",
                    known.join("、")
                ),
            )
            .with_field("window_type"));
        }
        let day = iso(self.clock.today());
        let now = self.clock.now().timestamp_millis();
        let ticket = self
            .store
            .call_next(code, &day, window_type, user.id, counter, now)
            .await?;
        let waiting = self
            .store
            .waiting_counts(code, &day)
            .await?
            .into_iter()
            .find(|(w, _)| w == window_type)
            .map(|(_, n)| n)
            .unwrap_or(0);
        Ok(CallResult {
            ticket: ticket.map(|t| ticket_view(&t, &template)),
            waiting,
        })
    }

    /// Recalls (重呼) or skips (过号, a no-show) one of today's tickets.
    pub async fn queue_step(
        &self,
        user: &CurrentUser,
        code: &str,
        number: &str,
        action: QueueAction,
        counter: Option<i64>,
    ) -> AppResult<TicketView> {
        let (_, template, _) = self.center_with_template(code).await?;
        clerk_of(user, code)?;
        let day = iso(self.clock.today());
        let ticket = self
            .store
            .ticket(code, &day, number)
            .await?
            .ok_or_else(|| {
                AppError::not_found(
                    "queue.ticket_not_found",
                    format!("There is no ticket {number} today."),
                    format!("今日没有号码 {number}。"),
                )
                .with_field("ticket")
            })?;
        let from = TicketStatus::parse(&ticket.status)
            .ok_or_else(|| AppError::internal(format!("ticket status {}", ticket.status)))?;
        let to = appt::next_status(from, action).map_err(domain_error)?;
        let now = self.clock.now().timestamp_millis();
        if !self
            .store
            .set_ticket_status(
                code,
                &day,
                number,
                from.as_str(),
                to.as_str(),
                user.id,
                counter,
                now,
            )
            .await?
        {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "queue.stale",
                "Someone else acted on this ticket first; reload the queue.",
                "该号码已被他人处理，请刷新。",
            ));
        }
        let ticket = self
            .store
            .ticket(code, &day, number)
            .await?
            .ok_or_else(|| AppError::internal("a ticket vanished"))?;
        Ok(ticket_view(&ticket, &template))
    }

    /// What the hall's screen shows: the numbers being called and how many wait (public).
    pub async fn queue_display(&self, code: &str) -> AppResult<QueueDisplay> {
        let (center, template, _) = self.center_with_template(code).await?;
        let date = self.clock.today();
        let day = iso(date);
        let calling = self
            .store
            .called_tickets(code, &day)
            .await?
            .iter()
            .map(|t| ticket_view(t, &template))
            .collect();
        let waiting = self
            .store
            .waiting_counts(code, &day)
            .await?
            .into_iter()
            .collect();
        Ok(QueueDisplay {
            center: CenterRef {
                code: center.code,
                name: center.name,
            },
            date,
            calling,
            waiting,
        })
    }
}
