//! 预约办: slots, bookings, check-in and the queue with its public display.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use tongban_app::appointments::{
    AppointmentView, BookRequest, CallResult, DaySlots, ExtendedDayRequest, MoveRequest,
    MyAppointments, QueueDisplay, TemplateView, TicketView,
};
use tongban_app::error::AppError;
use tongban_domain::appointment::{QueueAction, SlotTemplate};
use utoipa::IntoParams;

use crate::AppState;
use crate::auth::SignedIn;
use crate::extract::{ApiJson, ApiQuery};
use crate::problem::{ApiError, InLang, Lang, Problem};

#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct SlotsQuery {
    /// The day, `YYYY-MM-DD`.
    date: Option<String>,
}

/// The slots of one day at a center, per window type, with the places left. A closed day (a public
/// holiday not marked as an extended-service day) answers `open: false` with the reason.
#[utoipa::path(get, path = "/api/v1/centers/{code}/slots", tag = "appointments",
    params(("code" = String, Path, description = "service center code, e.g. C430481"), SlotsQuery),
    responses(
        (status = 200, description = "the day's slots", body = Object),
        (status = 400, description = "missing or impossible date", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "unknown center", body = Problem, content_type = "application/problem+json")
    ))]
pub(crate) async fn slots(
    State(app): State<AppState>,
    lang: Lang,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<SlotsQuery>,
) -> Result<Json<DaySlots>, ApiError> {
    let run = async {
        let date = tongban_app::require(q.date.as_deref(), "date")?;
        app.day_slots(&code, date).await
    };
    run.await.map(Json).in_lang(lang)
}

/// A center's slot template: the stored one, or the default of its tier (`stored: false`), and
/// its coming extended-service days.
#[utoipa::path(get, path = "/api/v1/centers/{code}/slot-template", tag = "appointments",
    params(("code" = String, Path, description = "service center code")),
    responses(
        (status = 200, description = "the template", body = Object),
        (status = 404, description = "unknown center", body = Problem, content_type = "application/problem+json")
    ))]
pub(crate) async fn get_template(
    State(app): State<AppState>,
    lang: Lang,
    Path(code): Path<String>,
) -> Result<Json<TemplateView>, ApiError> {
    app.slot_template(&code).await.map(Json).in_lang(lang)
}

/// Replace a center's slot template (a system administrator or a clerk of the center):
/// `{slot_minutes, workday: [{start: "08:30", end: "12:00"}, …], evening, saturday, sunday,
/// extended_day, window_types: [{key, name, prefix, capacity, department_types}],
/// max_open_bookings, horizon_days}`.
#[utoipa::path(put, path = "/api/v1/centers/{code}/slot-template", tag = "appointments",
    params(("code" = String, Path, description = "service center code")),
    request_body(content = Object, description = "the slot template"),
    responses(
        (status = 200, description = "stored", body = Object),
        (status = 400, description = "the template is not valid (the field is named)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "not an administrator or a clerk of this center", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "unknown center", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = [])))]
pub(crate) async fn put_template(
    State(app): State<AppState>,
    lang: Lang,
    SignedIn(user): SignedIn,
    Path(code): Path<String>,
    ApiJson(template): ApiJson<SlotTemplate>,
) -> Result<Json<TemplateView>, ApiError> {
    app.put_slot_template(&user, &code, template)
        .await
        .map(Json)
        .in_lang(lang)
}

/// Mark a day as an extended-service day (`{date, name}`): the center opens on it even when the
/// official calendar makes it a rest day.
#[utoipa::path(post, path = "/api/v1/centers/{code}/extended-days", tag = "appointments",
    params(("code" = String, Path, description = "service center code")),
    request_body(content = Object, description = "{date, name}"),
    responses(
        (status = 200, description = "the template with its extended days", body = Object),
        (status = 400, description = "bad date or no name", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "not an administrator or a clerk of this center", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = [])))]
pub(crate) async fn add_extended_day(
    State(app): State<AppState>,
    lang: Lang,
    SignedIn(user): SignedIn,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<ExtendedDayRequest>,
) -> Result<Json<TemplateView>, ApiError> {
    app.add_extended_day(&user, &code, req)
        .await
        .map(Json)
        .in_lang(lang)
}

/// Book a slot (applicants): `{center, item | bundle, date, time}`. The window type follows the
/// item's department (bundles go to the general window).
#[utoipa::path(post, path = "/api/v1/appointments", tag = "appointments",
    request_body(content = Object, description = "{center, item | bundle, date: YYYY-MM-DD, time: HH:MM}"),
    responses(
        (status = 201, description = "booked", body = Object),
        (status = 400, description = "closed day (appointment.day_closed), no such slot, past, beyond the horizon", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "not an applicant", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "unknown center, item or bundle", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "double-booked, full (appointment.slot_full) or too many open bookings", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = [])))]
pub(crate) async fn book(
    State(app): State<AppState>,
    lang: Lang,
    SignedIn(user): SignedIn,
    ApiJson(req): ApiJson<BookRequest>,
) -> Result<(StatusCode, Json<AppointmentView>), ApiError> {
    app.book_appointment(&user, req)
        .await
        .map(|a| (StatusCode::CREATED, Json(a)))
        .in_lang(lang)
}

/// Your appointments, latest first, with how many are open and how many you missed.
#[utoipa::path(get, path = "/api/v1/appointments", tag = "appointments",
    responses(
        (status = 200, description = "your appointments", body = Object),
        (status = 401, description = "not signed in", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = [])))]
pub(crate) async fn mine(
    State(app): State<AppState>,
    lang: Lang,
    SignedIn(user): SignedIn,
) -> Result<Json<MyAppointments>, ApiError> {
    app.my_appointments(&user).await.map(Json).in_lang(lang)
}

/// Cancel a booking; its place is freed.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/cancel", tag = "appointments",
    params(("id" = i64, Path, description = "appointment id")),
    responses(
        (status = 200, description = "cancelled", body = Object),
        (status = 404, description = "no such appointment of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "no longer booked", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = [])))]
pub(crate) async fn cancel(
    State(app): State<AppState>,
    lang: Lang,
    SignedIn(user): SignedIn,
    Path(id): Path<i64>,
) -> Result<Json<AppointmentView>, ApiError> {
    app.cancel_appointment(&user, id)
        .await
        .map(Json)
        .in_lang(lang)
}

/// Move a booking to another slot at the same center (`{date, time}`); the old place is freed
/// only if the new one is taken.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/move", tag = "appointments",
    params(("id" = i64, Path, description = "appointment id")),
    request_body(content = Object, description = "{date, time}"),
    responses(
        (status = 200, description = "moved", body = Object),
        (status = 400, description = "closed day, no such slot, past", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such appointment of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "full, overlapping, or no longer booked", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = [])))]
pub(crate) async fn move_to(
    State(app): State<AppState>,
    lang: Lang,
    SignedIn(user): SignedIn,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<MoveRequest>,
) -> Result<Json<AppointmentView>, ApiError> {
    app.move_appointment(&user, id, req)
        .await
        .map(Json)
        .in_lang(lang)
}

/// Check in (the applicant, or a clerk of the center) from an hour before the slot until it ends:
/// issues a queue ticket of the booking's window type, e.g. `B001`.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/check-in", tag = "appointments",
    params(("id" = i64, Path, description = "appointment id")),
    responses(
        (status = 201, description = "the ticket", body = Object),
        (status = 404, description = "no such appointment you may check in", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "too early, ended, or not booked", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = [])))]
pub(crate) async fn check_in(
    State(app): State<AppState>,
    lang: Lang,
    SignedIn(user): SignedIn,
    Path(id): Path<i64>,
) -> Result<(StatusCode, Json<TicketView>), ApiError> {
    app.check_in(&user, id)
        .await
        .map(|t| (StatusCode::CREATED, Json(t)))
        .in_lang(lang)
}

#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct CallQuery {
    /// The window type whose queue to call from (e.g. `general`).
    window_type: Option<String>,
    /// The clerk's window number, shown on the display.
    counter: Option<i64>,
}

/// Call the next number of a window type (a clerk of the center); the number the clerk was
/// serving at that window type counts as served. `ticket: null` when nobody is waiting.
#[utoipa::path(post, path = "/api/v1/centers/{code}/queue/call-next", tag = "appointments",
    params(("code" = String, Path, description = "service center code"), CallQuery),
    responses(
        (status = 200, description = "the called ticket", body = Object),
        (status = 400, description = "unknown window type", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "not a clerk of this center", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = [])))]
pub(crate) async fn call_next(
    State(app): State<AppState>,
    lang: Lang,
    SignedIn(user): SignedIn,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<CallQuery>,
) -> Result<Json<CallResult>, ApiError> {
    let run = async {
        let wt = tongban_app::require(q.window_type.as_deref(), "window_type")?;
        app.call_next(&user, &code, wt, q.counter).await
    };
    run.await.map(Json).in_lang(lang)
}

#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct StepQuery {
    /// The clerk's window number, shown on the display.
    counter: Option<i64>,
}

async fn step(
    app: AppState,
    lang: Lang,
    user: tongban_app::accounts::CurrentUser,
    code: String,
    ticket: String,
    action: QueueAction,
    counter: Option<i64>,
) -> Result<Json<TicketView>, ApiError> {
    app.queue_step(&user, &code, &ticket, action, counter)
        .await
        .map(Json)
        .in_lang(lang)
}

/// Call a number again (重呼): one being called, or one skipped earlier who has now arrived.
#[utoipa::path(post, path = "/api/v1/centers/{code}/queue/tickets/{ticket}/recall", tag = "appointments",
    params(("code" = String, Path, description = "service center code"),
           ("ticket" = String, Path, description = "today's ticket number, e.g. A023"), StepQuery),
    responses(
        (status = 200, description = "called again", body = Object),
        (status = 403, description = "not a clerk of this center", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such ticket today", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the ticket is not called or skipped", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = [])))]
pub(crate) async fn recall(
    State(app): State<AppState>,
    lang: Lang,
    SignedIn(user): SignedIn,
    Path((code, ticket)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<StepQuery>,
) -> Result<Json<TicketView>, ApiError> {
    step(
        app,
        lang,
        user,
        code,
        ticket,
        QueueAction::Recall,
        q.counter,
    )
    .await
}

/// Skip a number being called (过号): the appointment counts as a no-show.
#[utoipa::path(post, path = "/api/v1/centers/{code}/queue/tickets/{ticket}/skip", tag = "appointments",
    params(("code" = String, Path, description = "service center code"),
           ("ticket" = String, Path, description = "today's ticket number, e.g. A023"), StepQuery),
    responses(
        (status = 200, description = "skipped", body = Object),
        (status = 403, description = "not a clerk of this center", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such ticket today", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the ticket is not being called", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = [])))]
pub(crate) async fn skip(
    State(app): State<AppState>,
    lang: Lang,
    SignedIn(user): SignedIn,
    Path((code, ticket)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<StepQuery>,
) -> Result<Json<TicketView>, ApiError> {
    step(app, lang, user, code, ticket, QueueAction::Skip, q.counter).await
}

#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct DisplayQuery {
    /// `html` for the hall's screen (refreshes itself every 5 seconds); JSON otherwise.
    format: Option<String>,
}

/// The hall's display (public): the numbers being called today and how many wait per window type.
#[utoipa::path(get, path = "/api/v1/centers/{code}/queue/display", tag = "appointments",
    params(("code" = String, Path, description = "service center code"), DisplayQuery),
    responses(
        (status = 200, description = "JSON, or HTML with format=html", body = Object),
        (status = 404, description = "unknown center", body = Problem, content_type = "application/problem+json")
    ))]
pub(crate) async fn display(
    State(app): State<AppState>,
    lang: Lang,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<DisplayQuery>,
) -> Result<Response, ApiError> {
    let d = app.queue_display(&code).await.in_lang(lang)?;
    match q.format.as_deref() {
        None | Some("json") => Ok(Json(d).into_response()),
        Some("html") => Ok(Html(display_html(&d)).into_response()),
        Some(other) => Err(ApiError::new(
            AppError::invalid(
                "query.out_of_range",
                format!("format must be json or html; got {other:?}."),
                format!("format 应为 json 或 html，实际为 {other:?}。"),
            )
            .with_field("format"),
            lang,
        )),
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn display_html(d: &QueueDisplay) -> String {
    let mut rows = String::new();
    for t in &d.calling {
        let counter = t
            .counter
            .map(|c| format!("{c} 号窗口"))
            .unwrap_or_else(|| esc(&t.window_name));
        rows.push_str(&format!(
            "<tr><td class=\"n\">{}</td><td>请到 {}</td></tr>\n",
            esc(&t.number),
            counter
        ));
    }
    if rows.is_empty() {
        rows.push_str("<tr><td colspan=\"2\">暂无叫号</td></tr>\n");
    }
    let waiting: Vec<String> = d
        .waiting
        .iter()
        .map(|(w, n)| format!("{} 等候 {n} 人", esc(w)))
        .collect();
    format!(
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"refresh\" content=\"5\"><title>{name} 叫号</title>\
         <style>body{{font-family:sans-serif;background:#002;color:#fff;margin:2em}}\
         td{{font-size:2.5em;padding:.2em .8em}}.n{{color:#fc0;font-weight:bold}}</style></head>\
         <body><h1>{name} · {date}</h1><table>\n{rows}</table><p>{waiting}</p></body></html>\n",
        name = esc(&d.center.name),
        date = d.date,
        waiting = waiting.join(" · "),
    )
}
