//! An applicant's appointments: booking a slot for an item or a bundle, cancelling, moving, and
//! the list with its no-shows. Every booking is checked against the template, the calendar and
//! the clock here; the store enforces capacity and the open-booking limit in its transaction.

use chrono::{Duration, NaiveDateTime};
use tongban_domain::appointment::{self as appt, AppointmentError, SlotTemplate};
use tongban_domain::catalog::{HandlingMode, Role};
use tongban_store::{AppointmentRow, BookingRules, SlotRef};

use super::{
    AppointmentView, BookRequest, MoveRequest, MyAppointments, domain_error, forbidden, iso,
    not_found_appointment, not_open,
};
use crate::App;
use crate::accounts::CurrentUser;
use crate::calendar::parse_date;
use crate::clock::china;
use crate::error::{AppError, AppResult};

/// Epoch milliseconds of a China-time wall-clock instant.
fn millis_of(local: NaiveDateTime) -> i64 {
    (local - Duration::hours(8)).and_utc().timestamp_millis()
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

impl App {
    fn now_local(&self) -> NaiveDateTime {
        self.clock.now().with_timezone(&china()).naive_local()
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
}
