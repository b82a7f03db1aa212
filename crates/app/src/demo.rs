//! `tongban demo generate`: a realistic case history over the demo catalog, made by the real
//! services (create_case, act) under a clock that walks through the past days — so every case,
//! event, deadline and hash link is one the engine itself would have written.
//!
//! The mix: cases arrive on working days (a few online ones at weekends), spread over Hengyang's
//! counties, towns and villages; most applicants apply where their hukou is, some in another
//! county (跨域通办); windows and online, with 容缺 and 承诺 where the item allows them, some
//! bundles. Each case has a fate — approved, approved late, supplement first, denied, rejected,
//! withdrawn — and moves a step every few working days, so the newest cases are still open in
//! every stage and some are near-due or overdue.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Duration, NaiveDate, TimeZone};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value, json};
use tongban_domain::case::{Action, ActionKind, CaseResult, DeliveryMethod};
use tongban_domain::catalog::{
    Audience, FieldType, FormField, HandlingMode, Item, JurisdictionRule, Material, Requirement,
};
use tongban_domain::identity::{CreditCode, ResidentId};
use tongban_domain::region::{Region, RegionLevel, ServiceCenter};
use tongban_store::{NewUser, UserProfile};

use crate::App;
use crate::accounts::{CurrentUser, generate_password, hash_password, role_name};
use crate::cases::{ActionRequest, CaseView, CreateCaseRequest, MaterialInput};
use crate::clock::{FixedClock, china};
use crate::error::{AppError, AppResult};

mod copies;

/// What to generate.
#[derive(Debug, Clone)]
pub struct DemoPlan {
    pub cases: u64,
    /// Over how many days before `today` the cases arrive.
    pub days: u32,
    pub seed: u64,
    /// The last day of the history (usually today).
    pub today: NaiveDate,
    /// At most this many cases go through the services; the rest are copies of them
    /// (see `copies`).
    pub templates: u64,
}

/// What was generated.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct DemoReport {
    pub cases: u64,
    pub actions: u64,
    /// Applications the rules refused (out of scope, say), tried again with another applicant.
    pub refused: u64,
    /// Cases still open at the end, by status.
    pub open: u64,
    pub by_status: std::collections::BTreeMap<String, u64>,
    /// Of `cases`, how many are copies of the others.
    pub copies: u64,
    /// The numbers of the cases made through the services, in order.
    #[serde(skip)]
    pub numbers: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Approved,
    Late,
    SupplementFirst,
    Denied,
    Rejected,
    Withdrawn,
}

fn pick_fate(rng: &mut StdRng) -> Fate {
    match rng.gen_range(0..100) {
        0..=69 => Fate::Approved,
        70..=77 => Fate::Late,
        78..=87 => Fate::SupplementFirst,
        88..=92 => Fate::Denied,
        93..=96 => Fate::Rejected,
        _ => Fate::Withdrawn,
    }
}

/// A case on its way, and who may move it.
struct Open {
    number: String,
    fate: Fate,
    next: NaiveDate,
    clerk: Option<CurrentUser>,
    applicant: Option<CurrentUser>,
    supplemented: bool,
    tolerated: Vec<String>,
}

/// The places and people the generator draws from.
struct World {
    counties: Vec<Region>,
    /// County code → its centers (county, towns, villages).
    centers: HashMap<String, Vec<ServiceCenter>>,
    items: Vec<Arc<Item>>,
    bundles: Vec<String>,
    staff: HashMap<String, CurrentUser>,
    applicants: Vec<CurrentUser>,
    password_hash: String,
    pdf: String,
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗", "谭", "彭", "曾", "邓", "蒋", "廖", "肖", "欧阳",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超",
    "秀英", "建国", "国华", "志强", "海燕", "小红", "春梅", "立新", "文", "斌", "平", "红梅",
];

fn person_name(rng: &mut StdRng) -> String {
    format!(
        "{}{}",
        SURNAMES[rng.gen_range(0..SURNAMES.len())],
        GIVEN[rng.gen_range(0..GIVEN.len())]
    )
}

/// A valid resident ID number for someone whose hukou is `county`.
fn resident_id(rng: &mut StdRng, county: &str) -> String {
    let birth = NaiveDate::from_ymd_opt(
        rng.gen_range(1945..2004),
        rng.gen_range(1..13),
        rng.gen_range(1..29),
    )
    .unwrap_or_default();
    let first17 = format!(
        "{county}{}{:03}",
        birth.format("%Y%m%d"),
        rng.gen_range(0..999)
    );
    let check = ResidentId::compute_check_char(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

/// A valid unified social credit code registered in `county`.
fn credit_code(rng: &mut StdRng, county: &str) -> String {
    const CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let org: String = (0..9)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect();
    let first17 = format!("92{county}{org}");
    let check = CreditCode::compute_check_char(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

fn mobile(rng: &mut StdRng) -> String {
    format!(
        "1{}{:09}",
        [3, 5, 7, 8, 9][rng.gen_range(0..5)],
        rng.gen_range(0..1_000_000_000u32)
    )
}

impl App {
    /// Generates `plan.cases` cases through the real services, moving `clock` through the days.
    /// `progress` hears the number of cases created so far.
    pub async fn generate_demo(
        &self,
        clock: &FixedClock,
        plan: &DemoPlan,
        progress: &(dyn Fn(u64) + Sync),
    ) -> AppResult<DemoReport> {
        let mut rng = StdRng::seed_from_u64(plan.seed);
        let copies = plan.cases.saturating_sub(plan.templates.max(1));
        let made = plan.cases - copies;
        let mut world = self.demo_world(&mut rng).await?;
        let start = plan.today - Duration::days(i64::from(plan.days.max(1)));
        let cal = self.calendar();
        // Arrivals per day: working days weigh 1, other days 0.1 (online only).
        let days: Vec<(NaiveDate, f64)> = (0..=plan.days)
            .map(|i| start + Duration::days(i64::from(i)))
            .map(|d| (d, if cal.is_workday(d) { 1.0 } else { 0.1 }))
            .collect();
        let total_weight: f64 = days.iter().map(|(_, w)| w).sum();
        let mut report = DemoReport::default();
        let mut open: Vec<Open> = Vec::new();
        let mut carry = 0.0;
        for (day, weight) in &days {
            let workday = cal.is_workday(*day);
            carry += made as f64 * weight / total_weight;
            let mut today_n = carry.floor() as u64;
            carry -= today_n as f64;
            if *day == plan.today {
                today_n = made.saturating_sub(report.cases);
            }
            for k in 0..today_n {
                let minute = 8 * 60 + 30 + (k * 480 / today_n.max(1)) as i64;
                set_clock(clock, *day, minute);
                if let Some(o) = self
                    .demo_case(&mut world, &mut rng, !workday, &mut report)
                    .await?
                {
                    report.numbers.push(o.number.clone());
                    open.push(o);
                }
                report.cases += 1;
                if report.cases % 64 == 0 {
                    progress(report.cases);
                }
            }
            if workday {
                set_clock(clock, *day, 16 * 60);
                let mut still = Vec::with_capacity(open.len());
                for mut o in open.drain(..) {
                    if o.next > *day {
                        still.push(o);
                        continue;
                    }
                    if self
                        .demo_step(&mut world, &mut rng, &mut o, *day, &mut report)
                        .await?
                    {
                        let pause = match o.fate {
                            Fate::Late => rng.gen_range(3..9),
                            _ => rng.gen_range(1..4),
                        };
                        o.next = cal
                            .deadline(*day, pause)
                            .map(|c| c.value)
                            .unwrap_or(*day + Duration::days(7));
                        still.push(o);
                    }
                }
                open = still;
            }
        }
        progress(report.cases);
        report.open = open.len() as u64;
        for o in &open {
            if let Some(v) = self.demo_view(&world, o).await {
                *report.by_status.entry(v.status).or_default() += 1;
            }
        }
        if copies > 0 {
            self.demo_copies(&mut rng, &mut report, copies, progress)
                .await?;
        }
        Ok(report)
    }

    async fn demo_world(&self, rng: &mut StdRng) -> AppResult<World> {
        let view = self.catalog();
        let city = view
            .index
            .as_ref()
            .map(|i| i.city.clone())
            .ok_or_else(|| AppError::internal("no catalog loaded"))?;
        let tree = self.regions();
        let counties: Vec<Region> = tree.children(&city).cloned().collect();
        let mut centers = HashMap::new();
        for c in &counties {
            let page = self.centers(c.code.as_str(), 2000, 0).await?;
            centers.insert(c.code.to_string(), page.items);
        }
        let mut items = Vec::new();
        for s in self.search_items("", None, None, 0, 10_000)?.items {
            items.push(Arc::new(self.item_detail(&s.code).await?.item));
        }
        let bundles = self
            .search_bundles("", 0, 1000)?
            .items
            .into_iter()
            .map(|b| b.code)
            .collect();
        // Staff and applicants made here cannot sign in: disabled, with one unknown password.
        let password_hash = hash_password(generate_password()).await?;
        let pdf = self
            .store_file(
                b"%PDF-1.4\n% tongban demo material\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
                    .to_vec(),
                "application/pdf",
            )
            .await?
            .sha256;
        let mut world = World {
            counties,
            centers,
            items,
            bundles,
            staff: HashMap::new(),
            applicants: Vec::new(),
            password_hash,
            pdf,
        };
        for i in 0..200 {
            let county = world.counties[rng.gen_range(0..world.counties.len())]
                .code
                .to_string();
            let id = resident_id(rng, &county);
            let name = person_name(rng);
            let u = self
                .demo_user(
                    &mut world,
                    &format!("demo-applicant-{i:04}"),
                    &name,
                    "applicant",
                    |p, _| {
                        p.applicant_kind = Some("person".into());
                        p.id_number = Some(id.clone());
                    },
                )
                .await?;
            world.applicants.push(u);
        }
        Ok(world)
    }

    /// A disabled account made by the generator (or the one it made before).
    async fn demo_user(
        &self,
        world: &mut World,
        username: &str,
        display: &str,
        role: &str,
        f: impl FnOnce(&mut UserProfile, &mut NewUser),
    ) -> AppResult<CurrentUser> {
        if let Some(u) = world.staff.get(username) {
            return Ok(u.clone());
        }
        let row = match self.store.user_by_username(username).await? {
            Some(r) => r,
            None => {
                let mut user = NewUser {
                    username: username.to_string(),
                    display_name: display.to_string(),
                    role: role.to_string(),
                    center_code: None,
                    department_code: None,
                    region_code: None,
                    password_hash: world.password_hash.clone(),
                };
                let mut profile = UserProfile::default();
                f(&mut profile, &mut user);
                let now = self.clock.now().timestamp_millis();
                self.store
                    .create_user_with_profile(&user, &profile, now)
                    .await?;
                self.store.set_user_disabled(username, true).await?;
                self.store
                    .user_by_username(username)
                    .await?
                    .ok_or_else(|| AppError::internal("demo user vanished"))?
            }
        };
        let u = crate::accounts::user_of(&row)?;
        world.staff.insert(username.to_string(), u.clone());
        Ok(u)
    }

    async fn demo_clerk(
        &self,
        world: &mut World,
        center: &ServiceCenter,
    ) -> AppResult<CurrentUser> {
        let code = center.code.clone();
        self.demo_user(
            world,
            &format!("demo-clerk-{code}"),
            &format!("{}工作人员（演示）", center.name),
            role_name(tongban_domain::catalog::Role::Clerk),
            |_, u| u.center_code = Some(code.clone()),
        )
        .await
    }

    async fn demo_approver(&self, world: &mut World, department: &str) -> AppResult<CurrentUser> {
        let code = department.to_string();
        self.demo_user(
            world,
            &format!("demo-approver-{code}"),
            &format!("{code} 审批人员（演示）"),
            role_name(tongban_domain::catalog::Role::Approver),
            |_, u| u.department_code = Some(code.clone()),
        )
        .await
    }

    /// One application; `None` when the rules refused every try.
    async fn demo_case(
        &self,
        world: &mut World,
        rng: &mut StdRng,
        online_only: bool,
        report: &mut DemoReport,
    ) -> AppResult<Option<Open>> {
        for _ in 0..6 {
            let online = online_only || rng.gen_bool(0.4);
            let county = world.counties[rng.gen_range(0..world.counties.len())].clone();
            // Most people apply in their own county; some where they live or work now (跨域).
            let hukou = if rng.gen_bool(0.8) {
                county.code.to_string()
            } else {
                world.counties[rng.gen_range(0..world.counties.len())]
                    .code
                    .to_string()
            };
            let bundle = (rng.gen_bool(0.08))
                .then(|| world.bundles.choose(rng).cloned())
                .flatten();
            let item = world.items.choose(rng).cloned();
            let Some(item) = item else { return Ok(None) };
            let (fields, materials): (Vec<FormField>, Vec<Material>) = match &bundle {
                Some(code) => match self.bundle_detail(code) {
                    Ok(d) => (
                        d.plan.form.clone(),
                        d.plan
                            .materials
                            .iter()
                            .map(|m| m.material.clone())
                            .collect(),
                    ),
                    Err(_) => continue,
                },
                None => (item.fields.clone(), item.materials.clone()),
            };
            let organization = bundle.is_none() && item.audience == Audience::Organization;
            let centers = world
                .centers
                .get(county.code.as_str())
                .cloned()
                .unwrap_or_default();
            let center = {
                let level = match rng.gen_range(0..100) {
                    0..=59 => RegionLevel::Village,
                    60..=84 => RegionLevel::Town,
                    _ => RegionLevel::County,
                };
                let at: Vec<&ServiceCenter> = centers
                    .iter()
                    .filter(|c| c.region.shape_level() == level)
                    .collect();
                at.choose(rng)
                    .map(|c| (*c).clone())
                    .or_else(|| centers.first().cloned())
            };
            let Some(center) = center else { continue };

            let name = person_name(rng);
            let applicant = if online {
                world.applicants.choose(rng).cloned()
            } else {
                None
            };
            let (app_name, app_id, hukou) = match &applicant {
                Some(a) => (
                    a.display_name.clone(),
                    a.id_number.clone().unwrap_or_default(),
                    a.id_number
                        .as_deref()
                        .map_or(hukou.clone(), |id| id[..6].to_string()),
                ),
                None if organization => (
                    format!("衡阳市{name}商贸有限公司"),
                    credit_code(rng, &hukou),
                    hukou.clone(),
                ),
                None => (name.clone(), resident_id(rng, &hukou), hukou.clone()),
            };
            let mut form = Map::new();
            for f in &fields {
                form.insert(
                    f.key.clone(),
                    demo_value(f, rng, &app_name, &app_id, &hukou),
                );
            }
            if organization {
                form.insert("company_name".into(), json!(app_name));
                form.insert("credit_code".into(), json!(app_id));
            } else {
                form.insert("applicant_name".into(), json!(app_name));
                form.insert("applicant_id".into(), json!(app_id));
            }
            // 容缺 / 承诺 where the item allows them.
            let tolerance =
                bundle.is_none() && item.allows(HandlingMode::Tolerance) && rng.gen_bool(0.3);
            let commitment =
                bundle.is_none() && item.allows(HandlingMode::Commitment) && rng.gen_bool(0.3);
            let mut inputs = Vec::new();
            let mut tolerated = Vec::new();
            for m in materials
                .iter()
                .filter(|m| m.requirement == Requirement::Required)
            {
                if m.e_certificate.is_some() {
                    continue;
                }
                if tolerance && tolerated.is_empty() && m.tolerable_days.is_some() {
                    tolerated.push(m.code.to_string());
                    continue;
                }
                inputs.push(MaterialInput {
                    material: m.code.to_string(),
                    file: online.then(|| world.pdf.clone()),
                    file_name: online.then(|| format!("{}.pdf", m.name)),
                    paper: !online,
                    commitment: commitment && m.replaceable_by_commitment,
                });
            }
            let req = CreateCaseRequest {
                item: bundle.is_none().then(|| item.code.to_string()),
                bundle: bundle.clone(),
                form,
                materials: inputs,
                center: (online && item.jurisdiction == JurisdictionRule::ReceivingCenter)
                    .then(|| center.code.clone()),
                on_behalf_of: None,
            };
            let clerk = self.demo_clerk(world, &center).await?;
            let submitter = applicant.clone().unwrap_or_else(|| clerk.clone());
            match self.create_case(&submitter, req, None).await {
                Ok(created) => {
                    return Ok(Some(Open {
                        number: created.case.number,
                        fate: pick_fate(rng),
                        next: self.clock.today(),
                        clerk: (!online).then_some(clerk),
                        applicant,
                        supplemented: false,
                        tolerated,
                    }));
                }
                Err(e) if e.kind == crate::error::ErrorKind::Internal => return Err(e),
                Err(e) => {
                    tracing::debug!(error = %e, "demo application refused; trying another");
                    report.refused += 1;
                }
            }
        }
        Ok(None)
    }

    async fn demo_view(&self, world: &World, o: &Open) -> Option<CaseView> {
        let _ = world;
        let who = o.clerk.as_ref().or(o.applicant.as_ref())?;
        self.case_view(who, &o.number).await.ok()
    }

    /// Moves a case one step; `false` when nothing is left to do.
    async fn demo_step(
        &self,
        world: &mut World,
        rng: &mut StdRng,
        o: &mut Open,
        today: NaiveDate,
        report: &mut DemoReport,
    ) -> AppResult<bool> {
        // Everyone who might act now: the receiving clerk, the applicant, each department.
        let mut people: Vec<CurrentUser> =
            o.clerk.iter().chain(o.applicant.iter()).cloned().collect();
        let Some(first) = self.demo_view(world, o).await else {
            return Ok(false);
        };
        // An online case is accepted where the system placed it (its 收件地).
        if o.clerk.is_none()
            && let Some(place) = &first.center
            && let Some(c) = self.store.center(&place.code).await?
        {
            people.push(self.demo_clerk(world, &c).await?);
        }
        for s in &first.sub_cases {
            people.push(self.demo_approver(world, &s.department.code).await?);
        }
        for who in &people {
            let Ok(view) = self.case_view(who, &o.number).await else {
                continue;
            };
            for s in &view.sub_cases {
                let Some(action) = choose(o, s, rng, today, &view) else {
                    continue;
                };
                let files = match &action {
                    Action::Supplement { materials } => materials
                        .iter()
                        .map(|m| MaterialInput {
                            material: m.clone(),
                            file: o.clerk.is_none().then(|| world.pdf.clone()),
                            file_name: o.clerk.is_none().then(|| format!("{m}.pdf")),
                            paper: o.clerk.is_some(),
                            commitment: false,
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                let supplement = matches!(action, Action::Supplement { .. });
                let req = ActionRequest {
                    sub_case: s.seq,
                    version: view.version,
                    action,
                    files,
                    on_behalf_of: None,
                };
                match self.act(who, &o.number, req).await {
                    Ok(_) => {
                        report.actions += 1;
                        if supplement {
                            o.supplemented = true;
                            o.tolerated.clear();
                        }
                        return Ok(true);
                    }
                    Err(e) if e.kind == crate::error::ErrorKind::Internal => return Err(e),
                    Err(e) => tracing::debug!(error = %e, "demo action refused"),
                }
            }
        }
        Ok(false)
    }
}

/// The next action for a sub-case, given what the viewer may do and the case's fate.
fn choose(
    o: &Open,
    s: &crate::cases::SubCaseView,
    rng: &mut StdRng,
    today: NaiveDate,
    view: &CaseView,
) -> Option<Action> {
    let may = |k: ActionKind| s.allowed_actions.contains(&k);
    if o.fate == Fate::Withdrawn && may(ActionKind::Withdraw) {
        return Some(Action::Withdraw {
            reason: "申请人不再需要办理".into(),
        });
    }
    if may(ActionKind::Supplement) && (!s.requested_materials.is_empty() || !s.pledged.is_empty()) {
        let mut materials = s.requested_materials.clone();
        materials.extend(s.pledged.iter().cloned());
        return Some(Action::Supplement { materials });
    }
    if may(ActionKind::Accept) || may(ActionKind::AcceptWithTolerance) {
        if o.fate == Fate::Rejected && may(ActionKind::Reject) {
            return Some(Action::Reject {
                reasons: vec!["申请事项不属于本部门职权范围".into()],
            });
        }
        if o.fate == Fate::SupplementFirst && !o.supplemented && may(ActionKind::RequestSupplement)
        {
            let material = view.materials.first().map(|m| m.code.clone())?;
            return Some(Action::RequestSupplement {
                materials: vec![material],
                note: Some("复印件不清晰，请重新提交".into()),
            });
        }
        if !o.tolerated.is_empty() && may(ActionKind::AcceptWithTolerance) {
            return Some(Action::AcceptWithTolerance {
                tolerated: o.tolerated.clone(),
            });
        }
        if may(ActionKind::Accept) {
            return Some(Action::Accept);
        }
    }
    if may(ActionKind::Review) {
        return Some(Action::Review {
            opinion: "材料齐全，符合条件".into(),
        });
    }
    let deny = o.fate == Fate::Denied;
    if may(ActionKind::Approve) && !deny {
        return Some(Action::Approve {
            opinion: "准予办理".into(),
        });
    }
    if may(ActionKind::Deny) && deny {
        return Some(Action::Deny {
            reasons: vec!["不符合办理条件".into()],
        });
    }
    if may(ActionKind::Conclude) {
        let approved = !deny;
        return Some(Action::Conclude {
            result: CaseResult {
                number: format!("{}-{}", s.item_code, rng.gen_range(100_000..999_999)),
                content: if approved {
                    "准予办理"
                } else {
                    "不予办理"
                }
                .into(),
                issuer: s.department.name.clone(),
                issued_on: today,
                approved,
            },
        });
    }
    if may(ActionKind::Deliver) {
        return Some(Action::Deliver {
            method: if o.clerk.is_some() {
                DeliveryMethod::AtCenter
            } else {
                DeliveryMethod::Electronic
            },
        });
    }
    None
}

/// A plausible value for a form field.
fn demo_value(f: &FormField, rng: &mut StdRng, name: &str, id: &str, hukou: &str) -> Value {
    match f.key.as_str() {
        "applicant_name" | "company_name" => return json!(name),
        "applicant_id" | "credit_code" => return json!(id),
        _ => {}
    }
    match f.field_type {
        FieldType::Text | FieldType::Textarea => json!(format!("{}（演示）", f.label)),
        FieldType::Number => {
            let lo = f.min.unwrap_or(1.0);
            let hi = f.max.unwrap_or(lo + 100.0).max(lo);
            json!((lo + (hi - lo) * rng.gen_range(0.0..1.0)).round())
        }
        FieldType::Date => json!("2024-05-01"),
        FieldType::Bool => json!(true),
        FieldType::Select => json!(f.options.choose(rng).cloned().unwrap_or_default()),
        FieldType::ResidentId => json!(resident_id(rng, hukou)),
        FieldType::CreditCode => json!(credit_code(rng, hukou)),
        FieldType::Mobile => json!(mobile(rng)),
        FieldType::Region => json!(hukou),
    }
}

fn set_clock(clock: &FixedClock, day: NaiveDate, minute_of_day: i64) {
    let local = day.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::minutes(minute_of_day);
    if let Some(t) = china().from_local_datetime(&local).single() {
        clock.set(t.with_timezone(&chrono::Utc));
    }
}
