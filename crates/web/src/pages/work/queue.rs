//! `GET /work`: 待办 — the sub-cases waiting for the signed-in approver, filtered and paged.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tongban_domain::catalog::Role;

use super::labels::{action_label, day, flag_marks, status_label};
use crate::AppState;
use crate::pages::i18n::Tr;
use crate::pages::session::PageUser;
use crate::pages::{Chrome, PageError, PageLang, render};

/// Rows per page of the to-do list.
const QUEUE_PAGE: u32 = 20;

struct QueueRow {
    number: String,
    title: String,
    seq: i64,
    item_name: String,
    applicant: String,
    status: &'static str,
    deadline: String,
    left: String,
    class: &'static str,
    badge: Option<(&'static str, &'static str)>,
    actions: String,
}

struct FilterLink {
    key: &'static str,
    label: &'static str,
    current: bool,
}

#[derive(Template)]
#[template(path = "work/queue.html")]
struct QueuePage {
    c: Chrome,
    filters: Vec<FilterLink>,
    filter: &'static str,
    total: u64,
    rows: Vec<QueueRow>,
    page: u32,
    pages: u32,
    prev: Option<u32>,
    next: Option<u32>,
}

#[derive(Debug, Deserialize)]
pub(super) struct QueueQuery {
    filter: Option<String>,
    offset: Option<String>,
}

pub(super) async fn queue(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    Query(q): Query<QueueQuery>,
    uri: Uri,
) -> Response {
    if let Err(e) = user.require(&[Role::Approver], lang, &uri) {
        return e.into_response();
    }
    let tr = Tr { lang };
    // An unknown filter shows everything rather than an error: it only narrows a list.
    let filter = match q.filter.as_deref() {
        Some("near_due") => "near_due",
        Some("overdue") => "overdue",
        _ => "all",
    };
    let offset = q
        .offset
        .as_deref()
        .and_then(|o| o.parse::<u32>().ok())
        .unwrap_or(0);
    let flag = (filter != "all").then_some(filter);
    let page = match app.work_queue(&user, flag, offset, QUEUE_PAGE).await {
        Ok(p) => p,
        Err(error) => return PageError { error, lang, uri }.into_response(),
    };
    let rows = page
        .items
        .iter()
        .map(|w| {
            let (class, badge) = flag_marks(&tr, w.time_status);
            QueueRow {
                number: w.number.clone(),
                title: w.title.clone(),
                seq: w.seq,
                item_name: w.item_name.clone(),
                applicant: w.applicant_name.clone(),
                status: status_label(&tr, w.status),
                deadline: day(w.deadline),
                left: w
                    .remaining_workdays
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "—".into()),
                class,
                badge,
                actions: w
                    .actions
                    .iter()
                    .map(|a| action_label(&tr, *a))
                    .collect::<Vec<_>>()
                    .join(tr.t("work.sep")),
            }
        })
        .collect();
    let pages = u32::try_from(page.total.div_ceil(u64::from(QUEUE_PAGE)))
        .unwrap_or(u32::MAX)
        .max(1);
    let filters = [
        ("all", "work.filter_all"),
        ("near_due", "work.filter_near"),
        ("overdue", "work.filter_over"),
    ]
    .into_iter()
    .map(|(key, label)| FilterLink {
        key,
        label: tr.t(label),
        current: key == filter,
    })
    .collect();
    let view = QueuePage {
        c: Chrome::signed_in(lang, &uri, &user),
        filters,
        filter,
        total: page.total,
        rows,
        page: offset / QUEUE_PAGE + 1,
        pages,
        prev: (offset > 0).then(|| offset.saturating_sub(QUEUE_PAGE)),
        next: (u64::from(offset) + u64::from(QUEUE_PAGE) < page.total).then(|| offset + QUEUE_PAGE),
    };
    render(&view, StatusCode::OK, lang)
}
