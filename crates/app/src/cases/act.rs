//! Acting on a sub-case: the rule, the bundle release, and one version-checked change.

use super::*;

impl App {
    /// Acts on one sub-case. The case version must match; the change and its event commit together.
    pub async fn act(
        &self,
        user: &CurrentUser,
        number: &str,
        req: ActionRequest,
    ) -> AppResult<CaseView> {
        // 帮代办: an agent acts as the principal, within a covering authorization.
        let effective;
        let user = match req.on_behalf_of.as_deref() {
            Some(principal) => {
                effective = self
                    .acting_for_case(user, principal, number, req.sub_case)
                    .await?;
                &effective
            }
            None => user,
        };
        // Read once, used for the rule, the 容缺 check, the chain link, 承诺办 sampling and the
        // answer. If anything changed since, so did the case version, and the version-checked
        // write below refuses the change (every event and material is written only by a
        // version-checked change or with the case itself).
        let mut record = self.load_visible(user, number).await?;
        let before = record.facts();
        let (case, subs, materials, timeline) = (
            &record.case,
            &record.sub_cases,
            &record.materials,
            &record.events,
        );
        if case.version != req.version {
            return Err(stale(number, case.version));
        }
        let Some(sub) = subs.iter().find(|s| s.seq == req.sub_case) else {
            return Err(AppError::not_found(
                "case.unknown_sub_case",
                format!("Case {number} has no sub-case {}.", req.sub_case),
                format!("办件 {number} 没有第 {} 项子件。", req.sub_case),
            )
            .with_field("sub_case"));
        };
        if !self.bound_to(user, case, sub) {
            return Err(forbidden(
                "case.not_your_case",
                "This sub-case is received or handled somewhere your account is not bound to.",
                "该子件的收件地或办理地不在您账号的职责范围内。",
            ));
        }
        let item = self.item_at(&sub.item_code, sub.item_version).await?;
        let state: SubCaseState = serde_json::from_str(&sub.state).map_err(internal_json)?;
        let today = self.clock.today();
        let now = self.clock.now().timestamp_millis();

        // Materials handed in with a supplement are recorded first, so the rule can see them.
        let mut material_rows = Vec::new();
        for (i, m) in req.files.iter().enumerate() {
            let Some(spec) = item.material(&m.material) else {
                return Err(AppError::invalid(
                    "case.unknown_material",
                    format!("{} is not a material of {}.", m.material, item.name),
                    format!("{} 不是 {} 所需的材料。", m.material, item.name),
                )
                .with_field(format!("materials[{i}].material")));
            };
            self.check_material_input(m, &case.channel, i).await?;
            material_rows.push(material_row(number, spec, Some(m), now));
        }
        if let Action::Supplement { materials } = &req.action {
            let handed: Vec<&str> = req.files.iter().map(|m| m.material.as_str()).collect();
            if let Some(missing) = materials.iter().find(|c| !handed.contains(&c.as_str())) {
                return Err(AppError::invalid(
                    "case.supplement_without_material",
                    format!(
                        "Hand in {missing} with the supplement (a file, or on paper at a window)."
                    ),
                    format!("补正须同时提交材料 {missing}（上传文件，或在窗口提交纸质材料）。"),
                )
                .with_field("materials"));
            }
        }

        Self::check_tolerated(materials, &req.action)?; // 容缺办
        let next =
            case::apply(&state, &item, user.role, &req.action, today).map_err(domain_error)?;
        let cal = self.calendar();
        let next = tolerance::with_pledge_due(next, &item, &cal)?; // 容缺办
        let mut changed = vec![sub_row_with(sub, &next, &item, &cal, today)?];

        let mut last = timeline.last().cloned();
        let place = match user.role {
            Role::Clerk => user.center_code.clone(),
            Role::Approver => user.department_code.clone(),
            _ => None,
        };
        let reason = action_reason(&req.action);
        let mut events = Vec::new();
        let e = self.event(
            number,
            last.as_ref(),
            user,
            Draft {
                kind: format!("sub_case.{}", req.action.kind().as_str()),
                place: place.clone(),
                reason,
                payload: serde_json::json!({
                    "sub_case": sub.seq,
                    "item": sub.item_code,
                    "from": state.status,
                    "to": next.status,
                    "action": req.action,
                    "materials": req.files,
                    "deadline": changed[0].deadline,
                }),
            },
        );
        last = Some(e.clone());
        events.push(e);

        // Bundle dependencies: a waiting item starts when everything it needs has concluded.
        if next.status.is_terminal() || next.status.is_concluded() {
            let mut states: BTreeMap<i64, SubCaseState> = BTreeMap::new();
            for s in subs {
                let st: SubCaseState = if s.seq == sub.seq {
                    next.clone()
                } else {
                    serde_json::from_str(&s.state).map_err(internal_json)?
                };
                states.insert(s.seq, st);
            }
            if let Some(bundle_code) = &case.bundle_code {
                let view = self.catalog();
                let needs_of = |item_code: &str| -> Vec<String> {
                    view.bundles
                        .get(bundle_code)
                        .and_then(|b| b.bundle.items.iter().find(|bi| bi.item == item_code))
                        .map(|bi| bi.needs.clone())
                        .unwrap_or_default()
                };
                for s in subs {
                    let Some(st) = states.get(&s.seq) else {
                        continue;
                    };
                    if st.status != SubCaseStatus::Waiting {
                        continue;
                    }
                    let needed: Vec<&SubCaseRow> = needs_of(&s.item_code)
                        .iter()
                        .filter_map(|code| subs.iter().find(|x| &x.item_code == code))
                        .collect();
                    let statuses: Vec<SubCaseStatus> = needed
                        .iter()
                        .filter_map(|n| states.get(&n.seq))
                        .map(|x| x.status)
                        .collect();
                    let approved: Vec<Option<bool>> = needed
                        .iter()
                        .filter_map(|n| states.get(&n.seq))
                        .map(|x| x.approved)
                        .collect();
                    let release = case::release_waiting(&statuses, &approved);
                    if release == Release::Stay {
                        continue;
                    }
                    let st2 = case::apply_release(st, release).map_err(domain_error)?;
                    let new_status = st2.status;
                    let dep_item = self.item_at(&s.item_code, s.item_version).await?;
                    changed.push(sub_row_with(s, &st2, &dep_item, &cal, today)?);
                    let kind = if new_status == SubCaseStatus::Cancelled {
                        "sub_case.cancelled"
                    } else {
                        "sub_case.released"
                    };
                    let e = self.event(number, last.as_ref(), user, Draft {
                        kind: kind.into(),
                        place: place.clone(),
                        reason: None,
                        payload: serde_json::json!({"sub_case": s.seq, "item": s.item_code, "to": new_status}),
                    });
                    last = Some(e.clone());
                    events.push(e);
                }
            }
        }

        // The case ends when every sub-case has finished (for its item: delivered, or concluded
        // when there is nothing to deliver; or ended otherwise).
        let mut all_done = true;
        for s in subs {
            let row = changed.iter().find(|c| c.seq == s.seq).unwrap_or(s);
            let st: SubCaseState = serde_json::from_str(&row.state).map_err(internal_json)?;
            let finished = if s.seq == sub.seq {
                st.is_finished(&item)
            } else {
                st.is_finished(&*self.item_at(&s.item_code, s.item_version).await?)
            };
            all_done &= finished;
        }
        let (status, closed_at) = if all_done {
            ("closed", Some(now))
        } else {
            ("open", None)
        };
        if all_done && case.status != "closed" {
            let e = self.event(
                number,
                last.as_ref(),
                user,
                Draft {
                    kind: "case.closed".into(),
                    place,
                    reason: None,
                    payload: serde_json::json!({}),
                },
            );
            events.push(e);
        }
        let mut change = CaseChange {
            number: number.to_string(),
            expected_version: req.version,
            status: status.to_string(),
            closed_at,
            sub_cases: changed,
            materials: material_rows,
            events,
            // Read with the case at the version this change is checked against.
            before: Some(before),
        };
        // 承诺办: a conclusion may be sampled for 事后核查 in the same transaction.
        if !self
            .apply_change_sampling(user, case, materials, &mut change)
            .await?
        {
            let current = self
                .store
                .case(number)
                .await?
                .map_or(req.version, |c| c.version);
            return Err(stale(number, current));
        }
        // The answer is the case as this change left it, built from the rows read above and what
        // was just written (no second read: the version check proved nothing came in between).
        // A change never moves the case's receiving center: the one read with it still holds.
        record.apply(&change);
        let CaseRecord {
            case,
            sub_cases: subs,
            materials,
            events: timeline,
            center,
        } = record;
        self.view_of(user, case, &subs, materials, timeline, center)
            .await
    }
}

fn stale(number: &str, current: i64) -> AppError {
    AppError::new(
        ErrorKind::Conflict,
        "case.stale_version",
        format!("Case {number} has changed since you loaded it (now version {current}); reload and try again."),
        format!("办件 {number} 在您查看后已被更新（当前版本 {current}），请刷新后重试。"),
    )
    .with_field("version")
}

fn action_reason(a: &Action) -> Option<String> {
    match a {
        Action::Reject { reasons } | Action::Deny { reasons } => Some(reasons.join("；")),
        Action::Withdraw { reason } => Some(reason.clone()),
        Action::RequestSupplement { note, .. } => note.clone(),
        Action::Review { opinion } | Action::Approve { opinion } => Some(opinion.clone()),
        _ => None,
    }
}

pub(super) fn sub_row_with(
    sub: &SubCaseRow,
    state: &SubCaseState,
    item: &Item,
    cal: &tongban_domain::calendar::Calendar,
    today: NaiveDate,
) -> AppResult<SubCaseRow> {
    let deadline = case::deadline(state, item.committed_limit_days, cal)
        .ok()
        .flatten()
        .and_then(|c| c.value)
        .map(day_str);
    // The day the sub-case stopped running (concluded or ended otherwise): the clock stops there.
    let concluded_on = if state.status == SubCaseStatus::Concluded || state.status.is_terminal() {
        Some(sub.concluded_on.clone().unwrap_or_else(|| day_str(today)))
    } else {
        None
    };
    Ok(SubCaseRow {
        status: state.status.as_str().to_string(),
        state: serde_json::to_string(state).map_err(internal_json)?,
        accepted_on: state.accepted_on.map(day_str),
        deadline,
        concluded_on,
        pledge_due: tolerance::pledge_due_column(state),
        ..sub.clone()
    })
}
