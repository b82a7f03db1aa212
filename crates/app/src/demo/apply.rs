//! One application: picks the item (or bundle), the place, the applicant and the channel, fills
//! the form and materials, and files it through `create_case`. Separate because choosing who
//! applies for what, where, is its own concern from moving the case afterwards.

use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde_json::{Map, json};
use tongban_domain::catalog::{
    Audience, FormField, HandlingMode, JurisdictionRule, Material, Requirement,
};
use tongban_domain::region::{RegionLevel, ServiceCenter};

use super::DemoReport;
use super::lifecycle::{Open, pick_fate};
use super::people::{credit_code, demo_value, person_name, resident_id};
use super::world::World;
use crate::App;
use crate::cases::{CreateCaseRequest, MaterialInput};
use crate::error::AppResult;

impl App {
    /// One application; `None` when the rules refused every try.
    pub(super) async fn demo_case(
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
}
