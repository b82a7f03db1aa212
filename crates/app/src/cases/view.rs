//! Reading cases: one case with its timeline, filtered lists, and audit verification.

use super::*;

impl App {
    /// One case with its sub-cases, deadlines, materials and timeline.
    pub async fn case_view(&self, user: &CurrentUser, number: &str) -> AppResult<CaseView> {
        let r = self.load_visible(user, number).await?;
        self.view_of(user, r.case, &r.sub_cases, r.materials, r.events, r.center)
            .await
    }

    /// The view of a case from its rows, already read (or just written) and checked visible;
    /// `center` is the case's receiving center (`case.center_code`'s), read with them.
    pub(super) async fn view_of(
        &self,
        user: &CurrentUser,
        case: CaseRow,
        subs: &[SubCaseRow],
        materials: Vec<MaterialRow>,
        events: Vec<EventRecord>,
        center: Option<ServiceCenter>,
    ) -> AppResult<CaseView> {
        let cal = self.calendar();
        let today = self.clock.today();
        let departments = self.departments();
        let mut sub_views = Vec::new();
        for s in subs {
            let item = self.item_at(&s.item_code, s.item_version).await?;
            let state: SubCaseState = serde_json::from_str(&s.state).map_err(internal_json)?;
            let remaining = state.accepted_on.and_then(|start| {
                cal.remaining_workdays(start, item.committed_limit_days, today, &state.pauses)
                    .ok()
                    .map(|c| c.value)
            });
            let allowed = if self.bound_to(user, &case, s) {
                case::allowed_actions(&state, &item, user.role)
            } else {
                Vec::new()
            };
            let dept = departments.iter().find(|d| d.code == s.department_code);
            sub_views.push(SubCaseView {
                seq: s.seq,
                item_code: s.item_code.clone(),
                item_name: item.name.clone(),
                item_version: s.item_version,
                department: PlaceRef {
                    code: s.department_code.clone(),
                    name: dept.map(|d| d.name.clone()).unwrap_or_default(),
                    region: s.handling_region.clone(),
                },
                status: state.status,
                status_name: state.status.name_zh(),
                accepted_on: state.accepted_on,
                deadline: parse_day(&s.deadline),
                committed_limit_days: item.committed_limit_days,
                remaining_workdays: remaining.filter(|_| !state.status.is_terminal()),
                time_status: case::time_flag(
                    &state,
                    item.committed_limit_days,
                    &cal,
                    today,
                    NEAR_DUE_DAYS,
                )
                .ok()
                .flatten(),
                requested_materials: state.requested_materials.clone(),
                result: state.result.clone(),
                revoked: state.revoked.clone(),
                pledged: state.pledged.clone(),
                pledge_due: state.pledge_due,
                allowed_actions: allowed,
            });
        }
        let center = center.map(|c| PlaceRef {
            code: c.code,
            name: c.name,
            region: c.region.as_str().to_string(),
        });
        let materials = materials
            .into_iter()
            .map(|m| MaterialView {
                code: m.material_code,
                name: m.name,
                provided: m.provided,
                file_sha256: m.file_sha256,
                file_name: m.file_name,
            })
            .collect();
        let timeline = events
            .into_iter()
            .map(|e| TimelineEntry {
                seq: e.seq,
                at: e.at,
                kind: e.kind,
                actor: e.actor,
                role: e.role,
                acting_for: e.acting_for,
                place: e.place,
                reason: e.reason,
                payload: e.payload,
                hash: e.hash,
            })
            .collect();
        let form = match serde_json::from_str::<Value>(&case.form) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        };
        Ok(CaseView {
            trips: if case.channel == "online" { 0 } else { 1 },
            number: case.number,
            title: case.title,
            status: case.status,
            version: case.version,
            channel: case.channel,
            center,
            applicant_name: case.applicant_name,
            applicant_id: identity::mask_any(&case.applicant_id),
            created_at: case.created_at,
            form,
            sub_cases: sub_views,
            materials,
            timeline,
        })
    }

    /// Cases the user may see, filtered and paged, newest first. The total is counted up to
    /// [`CASE_COUNT_AHEAD`] cases past the page; beyond that it stops (`total_capped`), so a page
    /// costs an index range whatever the number of matches.
    pub async fn list_cases(&self, user: &CurrentUser, q: CaseQuery) -> AppResult<CasePage> {
        let scope = scope_of(user).ok_or_else(|| {
            forbidden(
                "case.list_forbidden",
                "Your role does not work with cases.",
                "您的角色不处理办件。",
            )
        })?;
        let today = self.clock.today();
        let cal = self.calendar();
        let (deadline_by, deadline_before) = match q.flag.as_deref() {
            None | Some("") => (None, None),
            Some("overdue") => (None, Some(day_str(today))),
            Some("near_due") => {
                // Near-due: due within NEAR_DUE_DAYS working days (overdue included).
                let by = cal
                    .deadline(today, u32::try_from(NEAR_DUE_DAYS).unwrap_or(2))
                    .map(|c| c.value)
                    .unwrap_or(today);
                (Some(day_str(by)), None)
            }
            Some(other) => {
                return Err(AppError::invalid(
                    "query.out_of_range",
                    format!("flag must be near_due or overdue; got {other:?}."),
                    format!("flag 只能是 near_due 或 overdue，实际为 {other:?}。"),
                )
                .with_field("flag"));
            }
        };
        let region_prefix = match &q.region {
            Some(r) => Some(region_prefix(&crate::places::parse_region_code(
                r, "region",
            )?)),
            None => None,
        };
        if let Some(s) = &q.status
            && s != "open"
            && s != "closed"
        {
            return Err(AppError::invalid(
                "query.out_of_range",
                format!("status must be open or closed; got {s:?}."),
                format!("status 只能是 open 或 closed，实际为 {s:?}。"),
            )
            .with_field("status"));
        }
        let count_cap = i64::from(q.offset) + i64::from(q.limit) + CASE_COUNT_AHEAD;
        let filter = CaseFilter {
            status: q.status,
            department: q.department,
            center: q.center,
            region_prefix,
            text: q.text.filter(|t| !t.trim().is_empty()),
            deadline_by,
            deadline_before,
            limit: i64::from(q.limit),
            offset: i64::from(q.offset),
            count_cap: Some(count_cap),
        };
        let (total, rows) = self.store.list_cases(&scope, &filter).await?;
        let page = Page {
            total: u64::try_from(total).unwrap_or(0),
            offset: q.offset,
            limit: q.limit,
            items: rows
                .into_iter()
                .map(|c| CaseSummary {
                    number: c.number,
                    title: c.title,
                    status: c.status,
                    channel: c.channel,
                    center_code: c.center_code,
                    applicant_name: c.applicant_name,
                    created_at: c.created_at,
                })
                .collect(),
        };
        Ok(CasePage {
            total_capped: total >= count_cap,
            page,
        })
    }

    /// `tongban audit verify`: checks every case's chain; the first broken link, if any.
    pub async fn verify_audit(&self) -> AppResult<AuditReport> {
        let mut after = String::new();
        let mut cases = 0u64;
        let mut events = 0u64;
        loop {
            let numbers = self.store.case_numbers(&after, 500).await?;
            let Some(last) = numbers.last().cloned() else {
                break;
            };
            for n in &numbers {
                let chain = self.store.events(n).await?;
                cases += 1;
                events += chain.len() as u64;
                if let Err(broken) = case::verify_chain(&chain) {
                    return Ok(AuditReport {
                        cases,
                        events,
                        broken: Some(broken.to_string()),
                    });
                }
            }
            after = last;
        }
        Ok(AuditReport {
            cases,
            events,
            broken: None,
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditReport {
    pub cases: u64,
    pub events: u64,
    /// The first broken link, named.
    pub broken: Option<String>,
}
