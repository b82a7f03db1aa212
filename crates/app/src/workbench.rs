//! The staff workbench over the case services: an approver's to-do list (待办) ordered by
//! deadline, the case page's data (the case plus its files' types), and the files of a case,
//! served only to someone who may see that case.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;
use tongban_domain::calendar::TimeStatus;
use tongban_domain::case::{ActionKind, SubCaseStatus};
use tongban_domain::catalog::{FieldType, FormField};
use tongban_domain::identity;

use crate::accounts::CurrentUser;
use crate::cases::{CaseQuery, CaseView};
use crate::error::{AppError, AppResult};
use crate::{App, MAX_PAGE, Page};

/// At most this many open cases are looked at for one to-do list: far more than one desk holds.
const SCAN_LIMIT: u32 = 2000;

/// One sub-case waiting for the user (a row of the to-do list).
#[derive(Debug, Clone, Serialize)]
pub struct WorkItem {
    pub number: String,
    pub title: String,
    pub applicant_name: String,
    pub version: i64,
    pub seq: i64,
    pub item_name: String,
    pub status: SubCaseStatus,
    pub accepted_on: Option<NaiveDate>,
    pub deadline: Option<NaiveDate>,
    pub remaining_workdays: Option<i64>,
    pub time_status: Option<TimeStatus>,
    /// What the user may do on it now (never empty).
    pub actions: Vec<ActionKind>,
}

/// What the staff case page shows: the case, the stored type of each attached file (for the
/// preview), and today's date on the service clock (to prefill a result's issue date).
#[derive(Debug, Clone)]
pub struct CasePage {
    pub case: CaseView,
    pub file_types: BTreeMap<String, String>,
    /// The form's fields from the catalog, in catalog order, for their labels.
    pub fields: Vec<FormField>,
    pub today: NaiveDate,
}

/// A file attached to a case, ready to send.
#[derive(Debug, Clone)]
pub struct CaseFile {
    pub bytes: Vec<u8>,
    pub content_type: String,
    pub file_name: Option<String>,
}

fn file_not_found(number: &str) -> AppError {
    AppError::not_found(
        "case.file_not_found",
        format!("Case {number} has no such file that you can see."),
        format!("办件 {number} 中没有您可查看的该文件。"),
    )
}

impl App {
    /// 待办: the open sub-cases the user may act on now, earliest deadline first (those without a
    /// deadline yet last), optionally only near-due (overdue included) or overdue ones.
    pub async fn work_queue(
        &self,
        user: &CurrentUser,
        flag: Option<&str>,
        offset: u32,
        limit: u32,
    ) -> AppResult<Page<WorkItem>> {
        let flag = flag.map(str::trim).filter(|f| !f.is_empty());
        let mut rows = Vec::new();
        let mut scanned = 0u32;
        loop {
            let page = self
                .list_cases(
                    user,
                    CaseQuery {
                        status: Some("open".into()),
                        department: user.department_code.clone(),
                        flag: flag.map(str::to_string),
                        offset: scanned,
                        limit: MAX_PAGE,
                        ..CaseQuery::default()
                    },
                )
                .await?
                .page;
            let n = u32::try_from(page.items.len()).unwrap_or(u32::MAX);
            for summary in page.items {
                let case = self.case_view(user, &summary.number).await?;
                for s in &case.sub_cases {
                    if s.allowed_actions.is_empty() {
                        continue;
                    }
                    let wanted = match flag {
                        Some("overdue") => s.time_status == Some(TimeStatus::Overdue),
                        Some(_) => matches!(
                            s.time_status,
                            Some(TimeStatus::NearDue | TimeStatus::Overdue)
                        ),
                        None => true,
                    };
                    if !wanted {
                        continue;
                    }
                    rows.push(WorkItem {
                        number: case.number.clone(),
                        title: case.title.clone(),
                        applicant_name: case.applicant_name.clone(),
                        version: case.version,
                        seq: s.seq,
                        item_name: s.item_name.clone(),
                        status: s.status,
                        accepted_on: s.accepted_on,
                        deadline: s.deadline,
                        remaining_workdays: s.remaining_workdays,
                        time_status: s.time_status,
                        actions: s.allowed_actions.clone(),
                    });
                }
            }
            scanned = scanned.saturating_add(n);
            if n < MAX_PAGE || scanned >= SCAN_LIMIT {
                break;
            }
        }
        rows.sort_by(|a, b| {
            (a.deadline.is_none(), a.deadline, &a.number, a.seq).cmp(&(
                b.deadline.is_none(),
                b.deadline,
                &b.number,
                b.seq,
            ))
        });
        let total = rows.len() as u64;
        let items = rows
            .into_iter()
            .skip(offset as usize)
            .take(limit as usize)
            .collect();
        Ok(Page {
            total,
            offset,
            limit,
            items,
        })
    }

    /// The staff case page's data: the case as the user may see it, and its files' types.
    pub async fn case_page(&self, user: &CurrentUser, number: &str) -> AppResult<CasePage> {
        let case = self.case_view(user, number).await?;
        let mut file_types = BTreeMap::new();
        for sha in case.materials.iter().filter_map(|m| m.file_sha256.as_ref()) {
            if let Some((_, ty)) = self.store.file(sha).await? {
                file_types.insert(sha.clone(), ty);
            }
        }
        // Labels from the current catalog (a field's label rarely changes between versions; a
        // key no longer in the catalog is shown as it is).
        let catalog = self.catalog();
        let mut fields: Vec<FormField> = Vec::new();
        for s in &case.sub_cases {
            for f in catalog
                .items
                .get(&s.item_code)
                .map(|i| i.item.fields.as_slice())
                .unwrap_or_default()
            {
                if !fields.iter().any(|x| x.key == f.key) {
                    fields.push(f.clone());
                }
            }
        }
        // The page shows resident ID numbers masked, in the form as in the header.
        let mut case = case;
        for f in fields
            .iter()
            .filter(|f| f.field_type == FieldType::ResidentId)
        {
            if let Some(Value::String(v)) = case.form.get_mut(&f.key) {
                *v = identity::mask_any(v);
            }
        }
        Ok(CasePage {
            case,
            file_types,
            fields,
            today: self.clock.today(),
        })
    }

    /// A file attached to a case the user may see; anything else is "not found", revealing
    /// nothing about other cases' files.
    pub async fn case_file(
        &self,
        user: &CurrentUser,
        number: &str,
        sha256: &str,
    ) -> AppResult<CaseFile> {
        let case = self.case_view(user, number).await?;
        let Some(material) = case
            .materials
            .iter()
            .find(|m| m.file_sha256.as_deref() == Some(sha256))
        else {
            return Err(file_not_found(number));
        };
        let Some((_, content_type)) = self.store.file(sha256).await? else {
            return Err(file_not_found(number));
        };
        let path = crate::files::file_path(&self.data_dir, sha256);
        let bytes = match tokio::fs::read(&path).await {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                tracing::warn!(sha256, "a case's file is missing on disk");
                return Err(file_not_found(number));
            }
            Err(e) => return Err(AppError::internal(e)),
        };
        Ok(CaseFile {
            bytes,
            content_type,
            file_name: material.file_name.clone(),
        })
    }
}
