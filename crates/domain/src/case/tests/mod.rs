//! Tests of the case module: every transition and error, the audit chain, routing and forms, and a
//! property test of the state machine with its clock and chain.

use chrono::NaiveDate;
use serde_json::{Map, Value, json};

use super::CaseError;
use super::chain::*;
use super::form::*;
use super::routing::*;
use super::state::*;
use crate::calendar::{Calendar, Pause, TimeStatus};
use crate::catalog::*;
use crate::region::{Department, Region, RegionCode, RegionLevel, RegionTree};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn cal() -> &'static Calendar {
    Calendar::official_ref()
}

fn material(code: &str) -> Material {
    Material {
        code: code.into(),
        name: format!("材料 {code}"),
        form: MaterialForm::Copy,
        copies: 1,
        requirement: Requirement::Required,
        condition: None,
        tolerable_days: None,
        replaceable_by_commitment: false,
        e_certificate: None,
        note: None,
    }
}

fn step(kind: StepKind, role: Role, share_percent: u32) -> ProcessStep {
    ProcessStep {
        kind,
        name: String::new(),
        role,
        share_percent,
    }
}

fn item_with(steps: Vec<ProcessStep>, committed: u32) -> Item {
    Item {
        code: "430400-RS-0001".into(),
        name: "养老保险参保登记".into(),
        aliases: vec![],
        kind: ItemKind::Licence,
        department_type: "hrss".into(),
        department_level: DepartmentLevel::County,
        audience: Audience::Person,
        life_events: vec![],
        legal_limit_days: 20,
        committed_limit_days: committed,
        standard: ServiceStandard {
            conditions: "户籍在本市".into(),
            fee_yuan: 0.0,
            fee_basis: None,
            place: "各级政务服务中心".into(),
            result: ResultSpec {
                kind: ResultKind::Decision,
                name: "决定书".into(),
                certificate_type: None,
            },
            legal_basis: vec![],
        },
        materials: vec![material("M1"), material("M2"), material("M3")],
        fields: vec![],
        steps,
        modes: vec![HandlingMode::Online],
        scope: CrossRegionScope::City,
        jurisdiction: JurisdictionRule::Hukou,
        tolerance: None,
        commitment: None,
    }
}

/// A licence with every step: accept (clerk), review, decide (approver), conclude (approver),
/// deliver (clerk); 10 working days.
fn full_item() -> Item {
    use StepKind::*;
    item_with(
        vec![
            step(Accept, Role::Clerk, 10),
            step(Review, Role::Approver, 40),
            step(Decide, Role::Approver, 30),
            step(Conclude, Role::Approver, 10),
            step(Deliver, Role::Clerk, 10),
        ],
        10,
    )
}

/// 即办件: accept and conclude by the clerk, 0 days.
fn instant_item() -> Item {
    item_with(
        vec![
            step(StepKind::Accept, Role::Clerk, 50),
            step(StepKind::Conclude, Role::Clerk, 50),
        ],
        0,
    )
}

fn result(approved: bool, on: NaiveDate) -> CaseResult {
    CaseResult {
        number: "衡人社决〔2025〕1号".into(),
        content: if approved {
            "准予登记"
        } else {
            "不予登记"
        }
        .into(),
        issuer: "耒阳市人力资源和社会保障局".into(),
        issued_on: on,
        approved,
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

fn run(item: &Item, steps: &[(Role, Action, NaiveDate)]) -> Result<SubCaseState, CaseError> {
    let mut s = SubCaseState::new(false);
    for (role, action, day) in steps {
        s = apply(&s, item, *role, action, *day)?;
    }
    Ok(s)
}

mod audit_chain;
mod forms;
mod machine_props;
mod routing_tests;
mod supplement;
mod transitions;
