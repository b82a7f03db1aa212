//! First start: an empty database gets the division tree, the service centers and departments, the
//! demonstration catalog, and the first accounts with random passwords (shown once).
//!
//! Every step is idempotent (upserts, versioned import, accounts only into an empty table), so two
//! nodes starting at once on one PostgreSQL database end with one consistent setup; the node that
//! loses a race on a unique key retries or leaves the accounts to the winner.

use tongban_domain::catalog::Role;
use tongban_domain::region::{Department, RegionLevel, ServiceCenter};
use tongban_store::{NewUser, Store, StoreError, UserProfile};

use crate::accounts::{create_with_profile, generate_password, role_name};
use crate::catalog::{demo_sources, parse_sources};
use crate::clock::Clock;
use crate::error::{AppResult, ErrorKind};
use crate::reference::{bundled_regions, centers_for, departments_for};

const INITIALIZED: &str = "initialized_at";

/// What the first start set up; the binary prints it once.
#[derive(Debug, Clone)]
pub struct FirstStart {
    pub regions: usize,
    pub centers: usize,
    pub departments: usize,
    pub items: usize,
    pub bundles: usize,
    pub accounts: Vec<CreatedAccount>,
}

#[derive(Debug, Clone)]
pub struct CreatedAccount {
    pub role: &'static str,
    pub username: String,
    pub password: String,
    /// Where the account is bound (center, department, region), for the printout.
    pub note: String,
}

/// Sets up an empty database; `None` when it was set up before.
pub async fn first_start(store: &Store, clock: &dyn Clock) -> AppResult<Option<FirstStart>> {
    if store.setting(INITIALIZED).await?.is_some() {
        return Ok(None);
    }
    let now = clock.now().timestamp_millis();
    let catalog = parse_sources(&demo_sources())?;
    let regions = bundled_regions()?;
    let departments = departments_for(&regions, &catalog.index);
    let centers = centers_for(&regions, &catalog.index.city);
    store
        .upsert_places(&regions, &departments, &centers)
        .await?;

    // The demo catalog goes only into a database without one: an operator who imported their own
    // catalog before the first `serve` keeps it.
    let (items, bundles) = if store.catalog_index().await?.is_none() {
        // A concurrent first start on another node may insert the same first versions: then ours
        // conflicts, and a second pass finds everything unchanged.
        match store.import_catalog(&catalog, now).await {
            Err(StoreError::Conflict { .. }) => {
                store.import_catalog(&catalog, now).await?;
            }
            other => {
                other?;
            }
        }
        (catalog.items.len(), catalog.bundles.len())
    } else {
        (0, 0)
    };

    let accounts = if store.count_users().await? == 0 {
        match create_first_accounts(store, &departments, &centers, now).await {
            Ok(a) => a,
            // Another node created them first and printed them.
            Err(e) if e.kind == ErrorKind::Conflict => Vec::new(),
            Err(e) => return Err(e),
        }
    } else {
        Vec::new()
    };
    store
        .claim_setting(INITIALIZED, &clock.now().to_rfc3339())
        .await?;
    Ok(Some(FirstStart {
        regions: regions.len(),
        centers: centers.len(),
        departments: departments.len(),
        items,
        bundles,
        accounts,
    }))
}

/// The administrator, plus one demo account per working role, bound to real places of the demo:
/// a clerk at a village service point in 衡南县, an approver at 耒阳市人社局, a supervisor for the city.
async fn create_first_accounts(
    store: &Store,
    departments: &[Department],
    centers: &[ServiceCenter],
    now: i64,
) -> AppResult<Vec<CreatedAccount>> {
    let village_in_hengnan = centers.iter().find(|c| {
        c.region.as_str().starts_with("430422") && c.region.shape_level() == RegionLevel::Village
    });
    let leiyang_hrss = departments.iter().find(|d| d.code == "430481-hrss");
    let mut plan = vec![
        FirstAccount::new(Role::SystemAdmin, "admin", "系统管理员"),
        FirstAccount::new(Role::CatalogAdmin, "catalog", "事项管理员（演示）"),
        FirstAccount {
            region: Some("430400".to_string()),
            note: "衡阳市".to_string(),
            ..FirstAccount::new(Role::Supervisor, "supervisor", "衡阳市监察人员（演示）")
        },
    ];
    if let Some(d) = leiyang_hrss {
        plan.push(FirstAccount {
            department: Some(d.code.clone()),
            note: d.name.clone(),
            ..FirstAccount::new(Role::Approver, "approver", "耒阳市人社局审批人员（演示）")
        });
    }
    if let Some(c) = village_in_hengnan {
        plan.push(FirstAccount {
            center: Some(c.code.clone()),
            note: c.name.clone(),
            ..FirstAccount::new(Role::Clerk, "clerk", "衡南县村级便民服务站工作人员（演示）")
        });
    }
    // A person with a hukou in 耒阳市, so that what they apply for online is handled by the demo
    // approver; the ID number is made up (valid check digit, no real person's).
    plan.push(FirstAccount {
        profile: UserProfile {
            applicant_kind: Some("person".into()),
            id_number: Some("430481199003150014".into()),
            mobile: None,
        },
        note: "户籍耒阳市".into(),
        ..FirstAccount::new(Role::Applicant, "citizen", "张建国（演示）")
    });

    let mut created = Vec::new();
    for a in plan {
        let password = generate_password();
        create_with_profile(
            store,
            NewUser {
                username: a.username.to_string(),
                display_name: a.display.to_string(),
                role: role_name(a.role).to_string(),
                center_code: a.center,
                department_code: a.department,
                region_code: a.region,
                password_hash: String::new(),
            },
            a.profile,
            password.clone(),
            now,
        )
        .await?;
        created.push(CreatedAccount {
            role: role_name(a.role),
            username: a.username.to_string(),
            password,
            note: a.note,
        });
    }
    Ok(created)
}

/// One account to create on first start, with where it is bound.
struct FirstAccount {
    role: Role,
    username: &'static str,
    display: &'static str,
    center: Option<String>,
    department: Option<String>,
    region: Option<String>,
    profile: UserProfile,
    note: String,
}

impl FirstAccount {
    fn new(role: Role, username: &'static str, display: &'static str) -> Self {
        FirstAccount {
            role,
            username,
            display,
            center: None,
            department: None,
            region: None,
            profile: UserProfile::default(),
            note: String::new(),
        }
    }
}
