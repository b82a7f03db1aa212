//! What the citizen pages need beyond the API's views: my cases with their nearest committed
//! deadline and its flag (the same near-due / overdue rule as a case's sub-cases), in one page.

use chrono::NaiveDate;
use serde::Serialize;
use tongban_domain::calendar::TimeStatus;
use tongban_domain::case::SubCaseStatus;

use crate::accounts::CurrentUser;
use crate::cases::CaseQuery;
use crate::error::AppResult;
use crate::{App, Page};

/// One row of 我的办件.
#[derive(Debug, Clone, Serialize)]
pub struct MyCaseRow {
    pub number: String,
    pub title: String,
    /// open or closed.
    pub status: String,
    /// Its items' statuses, each once, in item order.
    pub statuses: Vec<SubCaseStatus>,
    /// 收件地: the receiving center's name.
    pub center_name: Option<String>,
    pub created_at: i64,
    /// The earliest committed deadline of its open, accepted sub-cases.
    pub deadline: Option<NaiveDate>,
    /// The worst flag of its sub-cases (overdue beats near-due beats normal).
    pub time_status: Option<TimeStatus>,
}

impl App {
    /// The signed-in user's cases, newest first, each with its nearest deadline and flag. Reads
    /// each listed case's view (a page is at most `MAX_PAGE` rows), so the flags are exactly the
    /// case page's.
    pub async fn my_case_rows(
        &self,
        user: &CurrentUser,
        offset: u32,
        limit: u32,
    ) -> AppResult<Page<MyCaseRow>> {
        let page = self
            .list_cases(
                user,
                CaseQuery {
                    offset,
                    limit,
                    ..CaseQuery::default()
                },
            )
            .await?
            .page;
        let mut items = Vec::with_capacity(page.items.len());
        for c in page.items {
            let view = self.case_view(user, &c.number).await?;
            let deadline = view
                .sub_cases
                .iter()
                .filter(|s| s.time_status.is_some())
                .filter_map(|s| s.deadline)
                .min();
            let time_status = view.sub_cases.iter().filter_map(|s| s.time_status).max();
            let mut statuses: Vec<SubCaseStatus> = Vec::new();
            for s in &view.sub_cases {
                if !statuses.contains(&s.status) {
                    statuses.push(s.status);
                }
            }
            items.push(MyCaseRow {
                number: c.number,
                title: c.title,
                status: c.status,
                statuses,
                center_name: view.center.map(|p| p.name),
                created_at: c.created_at,
                deadline,
                time_status,
            });
        }
        Ok(Page {
            total: page.total,
            offset: page.offset,
            limit: page.limit,
            items,
        })
    }
}
