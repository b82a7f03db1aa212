//! The world the generator draws from: counties, centers, items, bundles, applicants, and the
//! disabled demo accounts (clerks, approvers) it makes on the way. Separate because it is set up
//! once per run and only read or extended by the rest.

use std::collections::HashMap;
use std::sync::Arc;

use rand::Rng;
use rand::rngs::StdRng;
use tongban_domain::catalog::Item;
use tongban_domain::region::{Region, ServiceCenter};
use tongban_store::{NewUser, UserProfile};

use super::people::{person_name, resident_id};
use crate::App;
use crate::accounts::{CurrentUser, generate_password, hash_password, role_name};
use crate::error::{AppError, AppResult};

/// The places and people the generator draws from.
pub(super) struct World {
    pub(super) counties: Vec<Region>,
    /// County code → its centers (county, towns, villages).
    pub(super) centers: HashMap<String, Vec<ServiceCenter>>,
    pub(super) items: Vec<Arc<Item>>,
    pub(super) bundles: Vec<String>,
    staff: HashMap<String, CurrentUser>,
    pub(super) applicants: Vec<CurrentUser>,
    password_hash: String,
    pub(super) pdf: String,
}

impl App {
    pub(super) async fn demo_world(&self, rng: &mut StdRng) -> AppResult<World> {
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

    pub(super) async fn demo_clerk(
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

    pub(super) async fn demo_approver(
        &self,
        world: &mut World,
        department: &str,
    ) -> AppResult<CurrentUser> {
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
}
