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

mod apply;
mod copies;
mod lifecycle;
mod people;
mod run;
mod world;

pub use run::{DemoPlan, DemoReport};

use people::{credit_code, person_name, resident_id};
