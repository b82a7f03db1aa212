//! Working-day time limits.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use tongban_app::calendar::DeadlineAnswer;
use utoipa::IntoParams;

use crate::AppState;
use crate::extract::ApiQuery;
use crate::problem::{ApiError, InLang, Lang, Problem};

#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct DeadlineQuery {
    /// Day of acceptance, YYYY-MM-DD (it does not count; day 1 is the next working day).
    start: Option<String>,
    /// The time limit in working days, 0 to 3650 (0: an instant item, due the same working day).
    days: Option<String>,
}

/// The due date of an N-working-day time limit on the official calendar. A result that reaches a
/// year with no published schedule carries a warning naming the year.
#[utoipa::path(get, path = "/api/v1/calendar/deadline", tag = "calendar", params(DeadlineQuery),
    responses(
        (status = 200, description = "the deadline", body = Object),
        (status = 400, description = "bad date or day count", body = Problem, content_type = "application/problem+json")
    ))]
pub(crate) async fn deadline(
    State(app): State<AppState>,
    lang: Lang,
    ApiQuery(q): ApiQuery<DeadlineQuery>,
) -> Result<Json<DeadlineAnswer>, ApiError> {
    let run = || {
        let start = tongban_app::require(q.start.as_deref(), "start")?;
        let days = tongban_app::require(q.days.as_deref(), "days")?;
        app.deadline(start, days)
    };
    run().map(Json).in_lang(lang)
}
