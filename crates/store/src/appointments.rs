//! 预约办: slot templates, extended-service days, bookings and the queue.
//!
//! Capacity holds under concurrency: a booking takes its place with
//! `UPDATE appointment_slots SET booked = booked + 1 WHERE … AND booked < capacity` inside the write
//! transaction, so two bookings cannot both take the last place (PostgreSQL re-checks the condition
//! on the locked row; SQLite has one writer). One person's bookings are serialized by bumping a
//! per-person counter row first, so the overlap and maximum checks see every earlier booking.

use tongban_domain::appointment::{AppointmentError, BookedSpan, check_booking};

use crate::{Result, Store, in_tx, on_pool};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AppointmentRow {
    pub id: i64,
    pub applicant_user_id: i64,
    pub center_code: String,
    pub day: String,
    pub start_time: String,
    pub end_time: String,
    pub start_at: i64,
    pub end_at: i64,
    pub window_type: String,
    pub item_code: Option<String>,
    pub bundle_code: Option<String>,
    pub title: String,
    /// `booked`, `cancelled`, `checked_in`, `served` or `no_show`.
    pub status: String,
    pub ticket: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct TicketRow {
    pub center_code: String,
    pub day: String,
    pub number: String,
    pub window_type: String,
    pub seq: i64,
    pub appointment_id: Option<i64>,
    /// `waiting`, `called`, `served` or `skipped`.
    pub status: String,
    pub calls: i64,
    pub counter: Option<i64>,
    pub called_by: Option<i64>,
    pub issued_at: i64,
    pub called_at: Option<i64>,
    pub updated_at: i64,
}

/// Where a booking goes: one slot of one window type, with the capacity the template gives it.
#[derive(Debug, Clone)]
pub struct SlotRef {
    pub center_code: String,
    pub day: String,
    pub start_time: String,
    pub end_time: String,
    pub start_at: i64,
    pub end_at: i64,
    pub window_type: String,
    pub capacity: i64,
}

/// The rules a booking is checked against inside its transaction.
#[derive(Debug, Clone, Copy)]
pub struct BookingRules {
    pub max_open: u32,
    pub now: i64,
}

const APPOINTMENT_COLUMNS: &str = "id, applicant_user_id, center_code, day, start_time, end_time, \
    start_at, end_at, window_type, item_code, bundle_code, title, status, ticket, created_at, \
    updated_at";

const TICKET_COLUMNS: &str = "center_code, day, number, window_type, seq, appointment_id, status, \
    calls, counter, called_by, issued_at, called_at, updated_at";

/// Bumps a named counter and returns its new value; on PostgreSQL the row stays locked until the
/// transaction ends, which serializes whoever bumps the same name.
macro_rules! bump {
    ($tx:ident, $name:expr) => {{
        let n: i64 = sqlx::query_scalar(
            "INSERT INTO appointment_counters (name, n) VALUES ($1, 1) \
             ON CONFLICT (name) DO UPDATE SET n = appointment_counters.n + 1 RETURNING n",
        )
        .bind($name)
        .fetch_one(&mut *$tx)
        .await?;
        n
    }};
}

/// Takes one place in a slot; `false` when it is full.
macro_rules! take_place {
    ($tx:ident, $slot:expr) => {{
        let s = $slot;
        sqlx::query(
            "INSERT INTO appointment_slots (center_code, day, start_time, window_type, capacity, \
             booked) VALUES ($1, $2, $3, $4, $5, 0) ON CONFLICT (center_code, day, start_time, \
             window_type) DO UPDATE SET capacity = excluded.capacity",
        )
        .bind(&s.center_code)
        .bind(&s.day)
        .bind(&s.start_time)
        .bind(&s.window_type)
        .bind(s.capacity)
        .execute(&mut *$tx)
        .await?;
        sqlx::query(
            "UPDATE appointment_slots SET booked = booked + 1 WHERE center_code = $1 AND day = $2 \
             AND start_time = $3 AND window_type = $4 AND booked < capacity",
        )
        .bind(&s.center_code)
        .bind(&s.day)
        .bind(&s.start_time)
        .bind(&s.window_type)
        .execute(&mut *$tx)
        .await?
        .rows_affected()
            == 1
    }};
}

macro_rules! release_place {
    ($tx:ident, $a:expr) => {{
        let a = $a;
        sqlx::query(
            "UPDATE appointment_slots SET booked = booked - 1 WHERE center_code = $1 AND day = $2 \
             AND start_time = $3 AND window_type = $4 AND booked > 0",
        )
        .bind(&a.center_code)
        .bind(&a.day)
        .bind(&a.start_time)
        .bind(&a.window_type)
        .execute(&mut *$tx)
        .await?;
    }};
}

macro_rules! held_spans {
    ($tx:ident, $user:expr, $now:expr, $except:expr) => {{
        let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
            "SELECT id, start_at, end_at FROM appointments WHERE applicant_user_id = $1 AND \
             status = 'booked' AND end_at > $2 AND id <> $3",
        )
        .bind($user)
        .bind($now)
        .bind($except)
        .fetch_all(&mut *$tx)
        .await?;
        rows.into_iter()
            .map(|(id, start, end)| BookedSpan { id, start, end })
            .collect::<Vec<_>>()
    }};
}

impl Store {
    /// A center's stored template (JSON), if someone set one.
    pub async fn appointment_template(&self, center: &str) -> Result<Option<String>> {
        Ok(on_pool!(self, pool => sqlx::query_scalar(
            "SELECT document FROM appointment_templates WHERE center_code = $1",
        ).bind(center).fetch_optional(pool).await?))
    }

    pub async fn put_appointment_template(
        &self,
        center: &str,
        document: &str,
        now: i64,
        by: i64,
    ) -> Result<()> {
        in_tx!(self, tx => {
            sqlx::query(
                "INSERT INTO appointment_templates (center_code, document, updated_at, updated_by) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (center_code) DO UPDATE SET \
                 document = excluded.document, updated_at = excluded.updated_at, \
                 updated_by = excluded.updated_by",
            )
            .bind(center)
            .bind(document)
            .bind(now)
            .bind(by)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// The extended-service days of a center from `from` on (ISO dates), with their names.
    pub async fn extended_days(&self, center: &str, from: &str) -> Result<Vec<(String, String)>> {
        Ok(on_pool!(self, pool => sqlx::query_as(
            "SELECT day, name FROM appointment_extended_days WHERE center_code = $1 AND day >= $2 \
             ORDER BY day",
        ).bind(center).bind(from).fetch_all(pool).await?))
    }

    pub async fn put_extended_day(
        &self,
        center: &str,
        day: &str,
        name: &str,
        now: i64,
    ) -> Result<()> {
        in_tx!(self, tx => {
            sqlx::query(
                "INSERT INTO appointment_extended_days (center_code, day, name, created_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (center_code, day) DO UPDATE SET \
                 name = excluded.name",
            )
            .bind(center)
            .bind(day)
            .bind(name)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// Places taken per (start time, window type) on one day at one center.
    pub async fn slot_bookings(
        &self,
        center: &str,
        day: &str,
    ) -> Result<Vec<(String, String, i64)>> {
        Ok(on_pool!(self, pool => sqlx::query_as(
            "SELECT start_time, window_type, booked FROM appointment_slots WHERE center_code = $1 \
             AND day = $2",
        ).bind(center).bind(day).fetch_all(pool).await?))
    }

    /// Books a slot for a person in one transaction: the person's open bookings are checked
    /// (overlap, maximum), the slot's place taken, the appointment written. A refusal writes nothing.
    #[allow(clippy::too_many_arguments)]
    pub async fn book_appointment(
        &self,
        user: i64,
        slot: &SlotRef,
        item_code: Option<&str>,
        bundle_code: Option<&str>,
        title: &str,
        rules: BookingRules,
    ) -> Result<Result<i64, AppointmentError>> {
        Ok(in_tx!(self, tx => {
            bump!(tx, format!("person:{user}"));
            let held = held_spans!(tx, user, rules.now, 0_i64);
            if let Err(e) = check_booking(&held, slot.start_at, slot.end_at, rules.max_open) {
                return Ok(Err(e));
            }
            if !take_place!(tx, slot) {
                return Ok(Err(AppointmentError::SlotFull));
            }
            let id = bump!(tx, "appointment_id");
            sqlx::query(
                "INSERT INTO appointments (id, applicant_user_id, center_code, day, start_time, \
                 end_time, start_at, end_at, window_type, item_code, bundle_code, title, status, \
                 ticket, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
                 $11, $12, 'booked', NULL, $13, $13)",
            )
            .bind(id)
            .bind(user)
            .bind(&slot.center_code)
            .bind(&slot.day)
            .bind(&slot.start_time)
            .bind(&slot.end_time)
            .bind(slot.start_at)
            .bind(slot.end_at)
            .bind(&slot.window_type)
            .bind(item_code)
            .bind(bundle_code)
            .bind(title)
            .bind(rules.now)
            .execute(&mut *tx)
            .await?;
            Ok::<_, crate::StoreError>(Ok(id))
        }?))
    }

    /// Moves a booked appointment to another slot at the same center: the new place is taken and
    /// the old one released in one transaction. `None` when it is no longer booked.
    pub async fn move_appointment(
        &self,
        id: i64,
        slot: &SlotRef,
        rules: BookingRules,
    ) -> Result<Option<Result<(), AppointmentError>>> {
        Ok(in_tx!(self, tx => {
            let sql = format!("SELECT {APPOINTMENT_COLUMNS} FROM appointments WHERE id = $1");
            let current: Option<AppointmentRow> =
                sqlx::query_as(&sql).bind(id).fetch_optional(&mut *tx).await?;
            let Some(current) = current.filter(|a| a.status == "booked") else {
                return Ok(None);
            };
            bump!(tx, format!("person:{}", current.applicant_user_id));
            let held = held_spans!(tx, current.applicant_user_id, rules.now, id);
            if let Err(e) = check_booking(&held, slot.start_at, slot.end_at, rules.max_open) {
                return Ok(Some(Err(e)));
            }
            if !take_place!(tx, slot) {
                return Ok(Some(Err(AppointmentError::SlotFull)));
            }
            release_place!(tx, &current);
            sqlx::query(
                "UPDATE appointments SET day = $2, start_time = $3, end_time = $4, start_at = $5, \
                 end_at = $6, window_type = $7, updated_at = $8 WHERE id = $1",
            )
            .bind(id)
            .bind(&slot.day)
            .bind(&slot.start_time)
            .bind(&slot.end_time)
            .bind(slot.start_at)
            .bind(slot.end_at)
            .bind(&slot.window_type)
            .bind(rules.now)
            .execute(&mut *tx)
            .await?;
            Ok::<_, crate::StoreError>(Some(Ok(())))
        }?))
    }

    /// Cancels a booked appointment and frees its place; `false` when it was not booked.
    pub async fn cancel_appointment(&self, id: i64, now: i64) -> Result<bool> {
        Ok(in_tx!(self, tx => {
            let sql = format!("SELECT {APPOINTMENT_COLUMNS} FROM appointments WHERE id = $1");
            let current: Option<AppointmentRow> =
                sqlx::query_as(&sql).bind(id).fetch_optional(&mut *tx).await?;
            match current {
                Some(a) if a.status == "booked" => {
                    let n = sqlx::query(
                        "UPDATE appointments SET status = 'cancelled', updated_at = $2 \
                         WHERE id = $1 AND status = 'booked'",
                    )
                    .bind(id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if n == 1 {
                        release_place!(tx, &a);
                    }
                    n == 1
                }
                _ => false,
            }
        }))
    }

    pub async fn appointment(&self, id: i64) -> Result<Option<AppointmentRow>> {
        let sql = format!("SELECT {APPOINTMENT_COLUMNS} FROM appointments WHERE id = $1");
        Ok(on_pool!(self, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?))
    }

    /// A person's appointments, latest slot first.
    pub async fn appointments_of(&self, user: i64, limit: i64) -> Result<Vec<AppointmentRow>> {
        let sql = format!(
            "SELECT {APPOINTMENT_COLUMNS} FROM appointments WHERE applicant_user_id = $1 \
             ORDER BY start_at DESC, id DESC LIMIT $2"
        );
        Ok(
            on_pool!(self, pool => sqlx::query_as(&sql).bind(user).bind(limit).fetch_all(pool).await?),
        )
    }

    /// Appointments a person missed: skipped at the window, or booked and never checked in.
    pub async fn count_no_shows(&self, user: i64, now: i64) -> Result<i64> {
        Ok(on_pool!(self, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM appointments WHERE applicant_user_id = $1 AND \
             (status = 'no_show' OR (status = 'booked' AND end_at <= $2))",
        ).bind(user).bind(now).fetch_one(pool).await?))
    }

    /// Checks a booked appointment in and issues the next ticket of its window type for `day`
    /// (`prefix` + sequence). `None` when it is no longer booked.
    pub async fn check_in(
        &self,
        id: i64,
        day: &str,
        prefix: &str,
        now: i64,
    ) -> Result<Option<TicketRow>> {
        Ok(in_tx!(self, tx => {
            let sql = format!("SELECT {APPOINTMENT_COLUMNS} FROM appointments WHERE id = $1");
            let current: Option<AppointmentRow> =
                sqlx::query_as(&sql).bind(id).fetch_optional(&mut *tx).await?;
            let Some(a) = current.filter(|a| a.status == "booked") else {
                return Ok(None);
            };
            let seq = bump!(tx, format!("ticket:{}:{day}:{}", a.center_code, a.window_type));
            let number = tongban_domain::appointment::ticket_number(prefix, seq);
            let ticket = TicketRow {
                center_code: a.center_code.clone(),
                day: day.to_owned(),
                number: number.clone(),
                window_type: a.window_type.clone(),
                seq,
                appointment_id: Some(id),
                status: "waiting".into(),
                calls: 0,
                counter: None,
                called_by: None,
                issued_at: now,
                called_at: None,
                updated_at: now,
            };
            sqlx::query(
                "INSERT INTO queue_tickets (center_code, day, number, window_type, seq, \
                 appointment_id, status, calls, counter, called_by, issued_at, called_at, \
                 updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, NULL, NULL, $8, NULL, $8)",
            )
            .bind(&ticket.center_code)
            .bind(&ticket.day)
            .bind(&ticket.number)
            .bind(&ticket.window_type)
            .bind(seq)
            .bind(id)
            .bind(&ticket.status)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE appointments SET status = 'checked_in', ticket = $2, updated_at = $3 \
                 WHERE id = $1",
            )
            .bind(id)
            .bind(&number)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            Ok::<_, crate::StoreError>(Some(ticket))
        }?))
    }

    /// Calls the next waiting ticket of a window type: the clerk's ticket still being called at
    /// that window type counts as served, then the lowest waiting number is called. `None` when
    /// nobody is waiting.
    pub async fn call_next(
        &self,
        center: &str,
        day: &str,
        window_type: &str,
        clerk: i64,
        counter: Option<i64>,
        now: i64,
    ) -> Result<Option<TicketRow>> {
        Ok(in_tx!(self, tx => {
            bump!(tx, format!("queue:{center}:{day}:{window_type}"));
            let done: Vec<Option<i64>> = sqlx::query_scalar(
                "SELECT appointment_id FROM queue_tickets WHERE center_code = $1 AND day = $2 \
                 AND window_type = $3 AND status = 'called' AND called_by = $4",
            )
            .bind(center)
            .bind(day)
            .bind(window_type)
            .bind(clerk)
            .fetch_all(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE queue_tickets SET status = 'served', updated_at = $5 WHERE center_code = $1 \
                 AND day = $2 AND window_type = $3 AND status = 'called' AND called_by = $4",
            )
            .bind(center)
            .bind(day)
            .bind(window_type)
            .bind(clerk)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            for id in done.into_iter().flatten() {
                sqlx::query("UPDATE appointments SET status = 'served', updated_at = $2 WHERE id = $1")
                    .bind(id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            let sql = format!(
                "SELECT {TICKET_COLUMNS} FROM queue_tickets WHERE center_code = $1 AND day = $2 \
                 AND window_type = $3 AND status = 'waiting' ORDER BY seq LIMIT 1"
            );
            let next: Option<TicketRow> = sqlx::query_as(&sql)
                .bind(center)
                .bind(day)
                .bind(window_type)
                .fetch_optional(&mut *tx)
                .await?;
            match next {
                None => None,
                Some(mut t) => {
                    sqlx::query(
                        "UPDATE queue_tickets SET status = 'called', calls = calls + 1, \
                         counter = $4, called_by = $5, called_at = $6, updated_at = $6 \
                         WHERE center_code = $1 AND day = $2 AND number = $3",
                    )
                    .bind(center)
                    .bind(day)
                    .bind(&t.number)
                    .bind(counter)
                    .bind(clerk)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    t.status = "called".into();
                    t.calls += 1;
                    t.counter = counter;
                    t.called_by = Some(clerk);
                    t.called_at = Some(now);
                    t.updated_at = now;
                    Some(t)
                }
            }
        }))
    }

    pub async fn ticket(&self, center: &str, day: &str, number: &str) -> Result<Option<TicketRow>> {
        let sql = format!(
            "SELECT {TICKET_COLUMNS} FROM queue_tickets WHERE center_code = $1 AND day = $2 \
             AND number = $3"
        );
        Ok(on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(center).bind(day).bind(number).fetch_optional(pool).await?))
    }

    /// Moves a ticket from `from` to `to` (a recall counts one more call), with its appointment:
    /// skipped makes it a no-show, recalled a checked-in one again. `false` when the ticket is no
    /// longer in `from` (someone else acted first).
    #[allow(clippy::too_many_arguments)]
    pub async fn set_ticket_status(
        &self,
        center: &str,
        day: &str,
        number: &str,
        from: &str,
        to: &str,
        clerk: i64,
        counter: Option<i64>,
        now: i64,
    ) -> Result<bool> {
        Ok(in_tx!(self, tx => {
            let calls = i64::from(to == "called");
            let n = sqlx::query(
                "UPDATE queue_tickets SET status = $5, calls = calls + $6, \
                 called_by = $7, counter = COALESCE($8, counter), updated_at = $9, \
                 called_at = CASE WHEN $6 = 1 THEN $9 ELSE called_at END \
                 WHERE center_code = $1 AND day = $2 AND number = $3 AND status = $4",
            )
            .bind(center)
            .bind(day)
            .bind(number)
            .bind(from)
            .bind(to)
            .bind(calls)
            .bind(clerk)
            .bind(counter)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 1 {
                let appointment_status = match to {
                    "skipped" => "no_show",
                    "served" => "served",
                    _ => "checked_in",
                };
                sqlx::query(
                    "UPDATE appointments SET status = $4, updated_at = $5 WHERE id = \
                     (SELECT appointment_id FROM queue_tickets WHERE center_code = $1 AND day = $2 \
                     AND number = $3)",
                )
                .bind(center)
                .bind(day)
                .bind(number)
                .bind(appointment_status)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            n == 1
        }))
    }

    /// A day's tickets at a center that are being called, latest call first.
    pub async fn called_tickets(&self, center: &str, day: &str) -> Result<Vec<TicketRow>> {
        let sql = format!(
            "SELECT {TICKET_COLUMNS} FROM queue_tickets WHERE center_code = $1 AND day = $2 \
             AND status = 'called' ORDER BY called_at DESC, number"
        );
        Ok(
            on_pool!(self, pool => sqlx::query_as(&sql).bind(center).bind(day).fetch_all(pool).await?),
        )
    }

    /// Waiting tickets per window type.
    pub async fn waiting_counts(&self, center: &str, day: &str) -> Result<Vec<(String, i64)>> {
        Ok(on_pool!(self, pool => sqlx::query_as(
            "SELECT window_type, COUNT(*) FROM queue_tickets WHERE center_code = $1 AND day = $2 \
             AND status = 'waiting' GROUP BY window_type ORDER BY window_type",
        ).bind(center).bind(day).fetch_all(pool).await?))
    }
}
