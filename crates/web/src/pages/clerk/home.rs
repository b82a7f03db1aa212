//! `GET /clerk`: the workstation's home — today's queue (今日排队) and the cases received here.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tongban_app::workstation::{Desk, ReceivedCase};

use super::{clerk, fail, local_time, marker, status_key};
use crate::AppState;
use crate::pages::session::PageUser;
use crate::pages::{Chrome, PageLang, render};

/// Cases per page on the workstation.
const PAGE_SIZE: u32 = 20;

/// One row of the received list, ready to show.
struct CaseRow {
    number: String,
    title: String,
    applicant: String,
    received_at: String,
    open: bool,
    statuses: Vec<&'static str>,
    deadline: String,
    /// `near`, `over` or empty.
    marker: &'static str,
}

#[derive(Template)]
#[template(path = "clerk/home.html")]
struct HomePage {
    c: Chrome,
    desk: Desk,
    cases: Vec<CaseRow>,
    page: u32,
    pages: u32,
    counter: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct HomeQuery {
    page: Option<u32>,
}

pub(super) async fn home(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    uri: Uri,
    Query(q): Query<HomeQuery>,
) -> Response {
    if let Err(e) = clerk(&user, lang, &uri) {
        return e.into_response();
    }
    let page = q.page.unwrap_or(1).max(1);
    let desk = match app.clerk_desk(&user).await {
        Ok(d) => d,
        Err(e) => return fail(e, lang, uri),
    };
    let list = match app
        .received_here(&user, (page - 1).saturating_mul(PAGE_SIZE), PAGE_SIZE)
        .await
    {
        Ok(l) => l,
        Err(e) => return fail(e, lang, uri),
    };
    let tr = crate::pages::i18n::Tr { lang };
    let pages = u32::try_from(list.total.div_ceil(u64::from(PAGE_SIZE)))
        .unwrap_or(1)
        .max(1);
    let cases = list
        .items
        .into_iter()
        .map(|c: ReceivedCase| CaseRow {
            received_at: local_time(c.created_at),
            open: c.status == "open",
            statuses: c
                .sub_statuses
                .iter()
                .map(|s| tr.t(status_key(*s)))
                .collect(),
            deadline: c.deadline.map(|d| d.to_string()).unwrap_or_default(),
            marker: marker(c.time_status),
            number: c.number,
            title: c.title,
            applicant: c.applicant_name,
        })
        .collect();
    let counter = desk
        .serving
        .first()
        .and_then(|t| t.counter)
        .map(|n| n.to_string())
        .unwrap_or_default();
    let page = HomePage {
        c: Chrome::signed_in(lang, &uri, &user),
        desk,
        cases,
        page,
        pages,
        counter,
    };
    render(&page, StatusCode::OK, lang)
}
