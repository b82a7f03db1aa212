//! Creating a case: the request is validated, routed and recorded with its first event.

use super::*;

impl App {
    /// Creates a case (online by an applicant, or at a window by a clerk for a person present).
    pub async fn create_case(
        &self,
        user: &CurrentUser,
        req: CreateCaseRequest,
        idempotency_key: Option<&str>,
    ) -> AppResult<Created> {
        // 帮代办: an agent applies as the principal, within a covering authorization.
        let effective;
        let user = match req.on_behalf_of.as_deref() {
            Some(principal) => {
                let r = self.resolve(&req)?;
                let items: Vec<&Item> = r.items.iter().map(|i| &i.item).collect();
                effective = self.acting_for(user, principal, &items).await?;
                &effective
            }
            None => user,
        };
        let submitter = user.agent.as_ref().map_or(user.id, |a| a.user_id);
        let hash = request_hash(&req)?;
        if let Some(key) = idempotency_key
            && let Some(found) = self.store.case_by_idempotency_key(submitter, key).await?
        {
            return self.replay(user, found, &hash).await;
        }
        let channel = match user.role {
            Role::Applicant => "online",
            Role::Clerk => "window",
            _ => {
                return Err(forbidden(
                    "case.create_forbidden",
                    "Only applicants (online) and clerks (at a window) create cases.",
                    "只有申请人（网上）和窗口工作人员可以提交办件。",
                ));
            }
        };
        let Resolved {
            title,
            bundle_version,
            items,
            fields,
            materials,
        } = self.resolve(&req)?;
        if channel == "online"
            && let Some(r) = items.iter().find(|r| !r.item.allows(HandlingMode::Online))
        {
            return Err(AppError::invalid(
                "case.mode_not_allowed",
                format!(
                    "{} cannot be applied for online; apply at a service center.",
                    r.item.name
                ),
                format!(
                    "{} 不支持网上办理，请到政务服务中心或便民服务站申请。",
                    r.item.name
                ),
            )
            .with_field("item"));
        }
        let today = self.clock.today();
        let form = case::validate_form(&fields, &req.form, today).map_err(|errors| {
            let n = errors.len();
            AppError::invalid(
                "case.form_invalid",
                format!("The form has {n} problem(s)."),
                format!("申请表有 {n} 处问题。"),
            )
            .with_field(
                errors
                    .first()
                    .map(|e| format!("form.{}", e.field))
                    .unwrap_or_default(),
            )
            .with_problems(
                errors
                    .into_iter()
                    .map(|e| FieldProblem {
                        field: format!("form.{}", e.field),
                        code: e.code.to_string(),
                        message: e.message,
                        message_zh: e.message_zh,
                    })
                    .collect(),
            )
        })?;

        // The applicant: the signed-in person online; at a window, the person in the form.
        let (applicant_user_id, applicant_name, applicant_id) = match user.role {
            Role::Applicant => (
                Some(user.id),
                text_field(&form, "applicant_name")
                    .unwrap_or(&user.display_name)
                    .to_string(),
                user.id_number
                    .clone()
                    .or_else(|| text_field(&form, "applicant_id").map(str::to_string))
                    .or_else(|| text_field(&form, "credit_code").map(str::to_string))
                    .unwrap_or_default(),
            ),
            _ => (
                None,
                text_field(&form, "applicant_name")
                    .or_else(|| text_field(&form, "company_name"))
                    .unwrap_or_default()
                    .to_string(),
                text_field(&form, "applicant_id")
                    .or_else(|| text_field(&form, "credit_code"))
                    .unwrap_or_default()
                    .to_string(),
            ),
        };
        if applicant_name.is_empty() || applicant_id.is_empty() {
            return Err(AppError::invalid(
                "case.applicant_missing",
                "Give the applicant's name and ID number (applicant_name and applicant_id, or company_name and credit_code).",
                "请填写申请人姓名与证件号码（applicant_name 与 applicant_id，或 company_name 与 credit_code）。",
            )
            .with_field("form.applicant_id"));
        }
        let check = identity::check(&applicant_id);
        if !check.valid {
            let first = check.errors.first();
            return Err(AppError::invalid(
                first
                    .map_or("identity.invalid", |e| e.code.as_str())
                    .to_string(),
                first.map_or_else(
                    || "The applicant's ID number is not valid.".to_string(),
                    |e| e.message.clone(),
                ),
                first.map_or_else(
                    || "申请人证件号码无效。".to_string(),
                    |e| e.message_zh.clone(),
                ),
            )
            .with_field("form.applicant_id"));
        }

        // 收件地.
        let center = match channel {
            "window" => {
                let code = user.center_code.clone().ok_or_else(|| {
                    forbidden(
                        "case.clerk_without_center",
                        "Your account is not bound to a service center.",
                        "您的账号未绑定服务中心。",
                    )
                })?;
                Some(
                    self.store
                        .center(&code)
                        .await?
                        .ok_or_else(|| AppError::internal("clerk's center is missing"))?,
                )
            }
            _ => match &req.center {
                Some(code) => Some(self.store.center(code).await?.ok_or_else(|| {
                    AppError::not_found(
                        "case.unknown_center",
                        format!("There is no service center {code}."),
                        format!("不存在服务中心 {code}。"),
                    )
                    .with_field("center")
                })?),
                None => None,
            },
        };

        // 办理地, per item.
        let tree = self.regions();
        let departments = self.departments();
        let mut routed = Vec::new();
        for r in &items {
            let receiving = match (&center, r.item.jurisdiction.region_field()) {
                (Some(c), _) => c.region.clone(),
                // Online, no center chosen: the scope check has no place to compare, so the
                // jurisdiction region stands in (an online application is received everywhere).
                (None, Some(field)) => text_field(&form, field)
                    .and_then(|v| RegionCode::parse(v).ok())
                    .ok_or_else(|| {
                        AppError::invalid(
                            "case.jurisdiction_field_missing",
                            format!(
                                "The form field {field} decides where this is handled; fill it in."
                            ),
                            format!("表单字段 {field} 决定办理地，请填写。"),
                        )
                        .with_field(format!("form.{field}"))
                    })?,
                (None, None) => {
                    return Err(AppError::invalid(
                        "case.center_required",
                        format!(
                            "{} is handled where it is received: choose a service center.",
                            r.item.name
                        ),
                        format!("{} 由收件地办理，请选择服务中心。", r.item.name),
                    )
                    .with_field("center"));
                }
            };
            let route = case::route(&r.item, &form, &receiving, &tree, &departments)
                .map_err(domain_error)?;
            routed.push(route);
        }

        // An online application is taken in by the government service center of the place that
        // handles it (its department windows sit there): that center's clerks accept it.
        let center = match (center, routed.first()) {
            (None, Some(first)) => {
                let hall = ServiceCenter::code_for(&first.handling_region);
                Some(self.store.center(&hall).await?.ok_or_else(|| {
                    AppError::internal(format!("no service center {hall} for an online case"))
                })?)
            }
            (c, _) => c,
        };

        // Materials: uploaded files must exist; paper only at a window; unknown codes refused.
        let now = self.clock.now().timestamp_millis();
        let known: BTreeMap<&str, &Material> =
            materials.iter().map(|m| (m.code.as_str(), m)).collect();
        let mut provided: BTreeMap<String, MaterialInput> = BTreeMap::new();
        for (i, m) in req.materials.iter().enumerate() {
            if !known.contains_key(m.material.as_str()) {
                return Err(AppError::invalid(
                    "case.unknown_material",
                    format!("{} is not a material of this application.", m.material),
                    format!("{} 不是本申请所需的材料。", m.material),
                )
                .with_field(format!("materials[{i}].material")));
            }
            if !m.commitment {
                self.check_material_input(m, channel, i).await?;
            }
            provided.insert(m.material.clone(), m.clone());
        }
        // 承诺办: commitments only where the catalog allows them, never for a barred applicant.
        let item_refs: Vec<&Item> = items.iter().map(|r| &r.item).collect();
        let signed = self
            .signed_commitments(&item_refs, &req.materials, &applicant_id)
            .await?;

        // Everything but the case number is made before the write transaction.
        let mut sub_drafts = Vec::new();
        for r in &items {
            let state = SubCaseState::new(!r.needs.is_empty());
            sub_drafts.push((
                state.status.as_str().to_string(),
                serde_json::to_string(&state).map_err(internal_json)?,
            ));
        }
        let place = center.as_ref().map(|c| c.code.clone());
        let form = Value::Object(form).to_string();
        // Everything but the number is built here, outside the write: the number comes from the
        // day's counter, in the same transaction as the case (SQLite), and is filled in there.
        let template = {
            let number = String::new();
            let material_rows: Vec<MaterialRow> = materials
                .iter()
                .map(|m| material_row(&number, m, provided.get(&m.code), now))
                .collect();
            let sub_rows: Vec<SubCaseRow> = items
                .iter()
                .zip(&routed)
                .zip(sub_drafts)
                .enumerate()
                .map(|(i, ((r, route), (status, state)))| SubCaseRow {
                    case_number: number.clone(),
                    seq: i as i64 + 1,
                    item_code: r.item.code.clone(),
                    item_version: r.version,
                    department_code: route.department_code.clone(),
                    handling_region: route.handling_region.as_str().to_string(),
                    status,
                    state,
                    accepted_on: None,
                    deadline: None,
                    concluded_on: None,
                    pledge_due: None,
                })
                .collect();
            let mut payload = serde_json::json!({
                "channel": channel,
                "item": req.item,
                "bundle": req.bundle,
                "sub_cases": sub_rows.iter().map(|s| serde_json::json!({
                    "seq": s.seq, "item": s.item_code, "item_version": s.item_version,
                    "department": s.department_code, "handling_region": s.handling_region,
                })).collect::<Vec<_>>(),
                "materials": material_rows.iter().map(|m| serde_json::json!({
                    "code": m.material_code, "provided": m.provided, "file": m.file_sha256,
                })).collect::<Vec<_>>(),
            });
            if !signed.is_empty() {
                // 承诺办: what was signed is on the record.
                payload["commitments"] = serde_json::json!(signed);
            }
            let first = self.event(
                &number,
                None,
                user,
                Draft {
                    kind: "case.submitted".into(),
                    place: place.clone(),
                    reason: None,
                    payload,
                },
            );
            NewCase {
                case: CaseRow {
                    number: number.clone(),
                    item_code: req.item.clone(),
                    bundle_code: req.bundle.clone(),
                    bundle_version,
                    title,
                    applicant_user_id,
                    applicant_name,
                    applicant_id: applicant_id.clone(),
                    channel: channel.to_string(),
                    center_code: center.as_ref().map(|c| c.code.clone()),
                    received_region: center.as_ref().map(|c| c.region.as_str().to_string()),
                    submitted_by: submitter,
                    form,
                    status: "open".to_string(),
                    version: 1,
                    created_at: now,
                    created_on: day_str(today),
                    closed_at: None,
                    idempotency_key: idempotency_key.map(str::to_string),
                    request_hash: Some(hash.clone()),
                },
                sub_cases: sub_rows,
                materials: material_rows,
                events: vec![first],
            }
        };
        let prefix = format!("TB{}", today.format("%Y%m%d"));
        let build = move |serial: i64| template.numbered(format!("{prefix}{serial:06}"));
        match self
            .store
            .create_case_numbered(&day_str(today), build)
            .await
        {
            // The answer is built from the rows just written: nothing to read back.
            Ok(new) => {
                if !can_see(user, &new.case, &new.sub_cases) {
                    // Not expected (the submitter sees what they submit); the full check decides.
                    return Ok(Created {
                        case: self.case_view(user, &new.case.number).await?,
                        replayed: false,
                    });
                }
                let NewCase {
                    case,
                    sub_cases,
                    mut materials,
                    events,
                } = new;
                // In the order the store reads them back.
                materials.sort_by(|a, b| a.material_code.cmp(&b.material_code));
                Ok(Created {
                    case: self
                        .view_of(user, case, &sub_cases, materials, events, center)
                        .await?,
                    replayed: false,
                })
            }
            // The same key raced in from a retry: answer like a replay.
            Err(tongban_store::StoreError::Conflict { .. }) if idempotency_key.is_some() => {
                let key = idempotency_key.unwrap_or_default();
                match self.store.case_by_idempotency_key(submitter, key).await? {
                    Some(found) => self.replay(user, found, &hash).await,
                    None => Err(AppError::internal("idempotency conflict without a case")),
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn replay(&self, user: &CurrentUser, found: CaseRow, hash: &str) -> AppResult<Created> {
        if found.request_hash.as_deref() != Some(hash) {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "case.idempotency_key_reused",
                "This Idempotency-Key was already used for a different request.",
                "该 Idempotency-Key 已用于另一个不同的请求。",
            )
            .with_field("Idempotency-Key"));
        }
        Ok(Created {
            case: self.case_view(user, &found.number).await?,
            replayed: true,
        })
    }
}
