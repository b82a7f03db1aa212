//! The queue (叫号): POST forms that call the appointment-queue services, then back to `/clerk`.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tongban_domain::appointment::QueueAction;

use super::{clerk, fail};
use crate::AppState;
use crate::pages::PageLang;
use crate::pages::session::PageUser;
use crate::problem::Lang;

#[derive(Debug, Deserialize)]
pub(super) struct CallForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    window_type: String,
    #[serde(default)]
    counter: String,
}

/// An optional window number typed by the clerk; anything not a number is left out.
fn counter_of(s: &str) -> Option<i64> {
    s.trim().parse().ok().filter(|n| *n > 0)
}

pub(super) async fn call_next(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    axum::Form(form): axum::Form<CallForm>,
) -> Response {
    if let Err(e) = user
        .check_csrf(&form.csrf, lang, &uri)
        .and_then(|()| clerk(&user, lang, &uri))
    {
        return e.into_response();
    }
    let center = user.center_code.clone().unwrap_or_default();
    match app
        .call_next(&user, &center, &form.window_type, counter_of(&form.counter))
        .await
    {
        Ok(_) => Redirect::to("/clerk").into_response(),
        Err(e) => fail(e, lang, uri),
    }
}

async fn queue_step(
    app: AppState,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    ticket: String,
    form: CallForm,
    action: QueueAction,
) -> Response {
    if let Err(e) = user
        .check_csrf(&form.csrf, lang, &uri)
        .and_then(|()| clerk(&user, lang, &uri))
    {
        return e.into_response();
    }
    let center = user.center_code.clone().unwrap_or_default();
    match app
        .queue_step(&user, &center, &ticket, action, counter_of(&form.counter))
        .await
    {
        Ok(_) => Redirect::to("/clerk").into_response(),
        Err(e) => fail(e, lang, uri),
    }
}

pub(super) async fn recall(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Path(ticket): Path<String>,
    axum::Form(form): axum::Form<CallForm>,
) -> Response {
    queue_step(app, lang, user, uri, ticket, form, QueueAction::Recall).await
}

pub(super) async fn skip(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Path(ticket): Path<String>,
    axum::Form(form): axum::Form<CallForm>,
) -> Response {
    queue_step(app, lang, user, uri, ticket, form, QueueAction::Skip).await
}
