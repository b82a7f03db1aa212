//! The hall on the day: check-in turns a booking into a queue ticket, clerks call, recall and skip
//! numbers at their windows, and the public screen shows who is called. Only today's tickets of a
//! center are ever touched here.

use chrono::Duration;
use tongban_domain::appointment::{self as appt, QueueAction, SlotTemplate, TicketStatus};
use tongban_domain::catalog::Role;
use tongban_store::TicketRow;

use super::{
    CallResult, CenterRef, QueueDisplay, TicketView, domain_error, forbidden, iso,
    not_found_appointment, not_open,
};
use crate::App;
use crate::accounts::CurrentUser;
use crate::error::{AppError, AppResult, ErrorKind};

/// Check-in opens this long before the slot starts.
pub const CHECK_IN_EARLY: Duration = Duration::minutes(60);

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
