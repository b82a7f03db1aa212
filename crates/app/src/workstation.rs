//! The clerk's workstation (窗口工作台): what a clerk sees at a glance at their window — today's
//! queue at their center, and the cases received there with their deadline markers. Read-only: the
//! queue steps and case actions go through `appointments` and `cases` like the API's.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;
use tongban_domain::appointment::{self as appt, SlotTemplate, TicketStatus};
use tongban_domain::calendar::TimeStatus;
use tongban_domain::case::{self, SubCaseState, SubCaseStatus};
use tongban_domain::catalog::{Item, Role};
use tongban_store::{CaseFilter, CaseScope, TicketRow};

use crate::accounts::CurrentUser;
use crate::appointments::{CenterRef, TicketView};
use crate::cases::NEAR_DUE_DAYS;
use crate::error::{AppError, AppResult, ErrorKind};
use crate::{App, Page};

/// Today's queue at the clerk's center.
#[derive(Debug, Clone, Serialize)]
pub struct Desk {
    pub center: CenterRef,
    pub date: NaiveDate,
    /// Each window type with the number of people waiting for it.
    pub windows: Vec<WindowQueue>,
    /// The tickets this clerk has called and not finished (normally one).
    pub serving: Vec<TicketView>,
    /// Tickets other windows are calling now.
    pub others_calling: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct WindowQueue {
    pub key: String,
    pub name: String,
    pub waiting: i64,
}

/// One case received at the clerk's center, with the state of its sub-cases folded into what a
/// list needs: the least advanced status, the nearest deadline and the worst time marker.
#[derive(Debug, Clone, Serialize)]
pub struct ReceivedCase {
    pub number: String,
    pub title: String,
    pub applicant_name: String,
    pub created_at: i64,
    /// `open` or `closed`.
    pub status: String,
    /// Each sub-case's status, in order.
    pub sub_statuses: Vec<SubCaseStatus>,
    pub deadline: Option<NaiveDate>,
    pub time_status: Option<TimeStatus>,
}

fn not_a_window_clerk() -> AppError {
    AppError::new(
        ErrorKind::Forbidden,
        "workstation.clerk_only",
        "The workstation is for clerks bound to a service center.",
        "窗口工作台仅供绑定了服务中心的窗口工作人员使用。",
    )
}

fn center_of(user: &CurrentUser) -> AppResult<&str> {
    match (&user.role, &user.center_code) {
        (Role::Clerk, Some(c)) => Ok(c.as_str()),
        _ => Err(not_a_window_clerk()),
    }
}

fn ticket(t: &TicketRow, template: &SlotTemplate) -> TicketView {
    TicketView {
        number: t.number.clone(),
        window_type: t.window_type.clone(),
        window_name: template
            .window_type(&t.window_type)
            .map(|w| w.name.clone())
            .unwrap_or_else(|| t.window_type.clone()),
        status: TicketStatus::parse(&t.status).unwrap_or(TicketStatus::Called),
        calls: t.calls,
        counter: t.counter,
        appointment: t.appointment_id,
        called_at: t.called_at,
    }
}

/// How urgent a marker is, to pick the worst of several.
fn rank(t: Option<TimeStatus>) -> u8 {
    match t {
        None => 0,
        Some(TimeStatus::Normal) => 1,
        Some(TimeStatus::NearDue) => 2,
        Some(TimeStatus::Overdue) => 3,
    }
}

impl App {
    /// The clerk's queue today: waiting per window type and the tickets they are serving.
    pub async fn clerk_desk(&self, user: &CurrentUser) -> AppResult<Desk> {
        let code = center_of(user)?;
        let center = self
            .store
            .center(code)
            .await?
            .ok_or_else(|| AppError::internal("clerk's center is missing"))?;
        let template = match self.store.appointment_template(code).await? {
            Some(doc) => serde_json::from_str(&doc).map_err(AppError::internal)?,
            None => appt::default_template(center.level),
        };
        let date = self.clock.today();
        let day = date.format("%Y-%m-%d").to_string();
        let waiting: HashMap<String, i64> = self
            .store
            .waiting_counts(code, &day)
            .await?
            .into_iter()
            .collect();
        let called = self.store.called_tickets(code, &day).await?;
        let (mine, others): (Vec<&TicketRow>, Vec<&TicketRow>) =
            called.iter().partition(|t| t.called_by == Some(user.id));
        Ok(Desk {
            windows: template
                .window_types
                .iter()
                .map(|w| WindowQueue {
                    key: w.key.clone(),
                    name: w.name.clone(),
                    waiting: waiting.get(&w.key).copied().unwrap_or(0),
                })
                .collect(),
            serving: mine.iter().map(|t| ticket(t, &template)).collect(),
            others_calling: others.len(),
            center: CenterRef {
                code: center.code,
                name: center.name,
            },
            date,
        })
    }

    /// Cases received at the clerk's center, newest first, with deadline markers.
    pub async fn received_here(
        &self,
        user: &CurrentUser,
        offset: u32,
        limit: u32,
    ) -> AppResult<Page<ReceivedCase>> {
        let code = center_of(user)?;
        let filter = CaseFilter {
            status: None,
            department: None,
            center: None,
            region_prefix: None,
            text: None,
            deadline_by: None,
            deadline_before: None,
            limit: i64::from(limit),
            offset: i64::from(offset),
            count_cap: None,
        };
        let (total, rows) = self
            .store
            .list_cases(&CaseScope::Center(code.to_string()), &filter)
            .await?;
        let cal = self.calendar();
        let today = self.clock.today();
        let mut items_seen: HashMap<(String, i64), Item> = HashMap::new();
        let mut out = Vec::with_capacity(rows.len());
        for c in rows {
            let mut sub_statuses = Vec::new();
            let mut deadline: Option<NaiveDate> = None;
            let mut time_status = None;
            for s in self.store.sub_cases(&c.number).await? {
                let state: SubCaseState =
                    serde_json::from_str(&s.state).map_err(AppError::internal)?;
                let key = (s.item_code.clone(), s.item_version);
                if !items_seen.contains_key(&key) {
                    let item = self
                        .store
                        .item_version(&s.item_code, s.item_version)
                        .await?
                        .ok_or_else(|| AppError::internal("a case's item version is missing"))?;
                    items_seen.insert(key.clone(), item);
                }
                let days = items_seen.get(&key).map_or(0, |i| i.committed_limit_days);
                let flag = case::time_flag(&state, days, &cal, today, NEAR_DUE_DAYS)
                    .ok()
                    .flatten();
                if rank(flag) > rank(time_status) {
                    time_status = flag;
                }
                if flag.is_some()
                    && let Some(d) = s
                        .deadline
                        .as_deref()
                        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                {
                    deadline = Some(deadline.map_or(d, |x: NaiveDate| x.min(d)));
                }
                sub_statuses.push(state.status);
            }
            out.push(ReceivedCase {
                number: c.number,
                title: c.title,
                applicant_name: c.applicant_name,
                created_at: c.created_at,
                status: c.status,
                sub_statuses,
                deadline,
                time_status,
            });
        }
        Ok(Page {
            total: u64::try_from(total).unwrap_or(0),
            offset,
            limit,
            items: out,
        })
    }
}
