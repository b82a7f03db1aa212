//! The plan and report types and the driver loop: walks the clock through the days, lets cases
//! arrive and moves open ones along. Separate so the shape of a run reads apart from the detail
//! of making and acting on one case.

use chrono::{Duration, NaiveDate, TimeZone};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::lifecycle::{Fate, Open};
use crate::App;
use crate::clock::{FixedClock, china};
use crate::error::AppResult;

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
}

fn set_clock(clock: &FixedClock, day: NaiveDate, minute_of_day: i64) {
    let local = day.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::minutes(minute_of_day);
    if let Some(t) = china().from_local_datetime(&local).single() {
        clock.set(t.with_timezone(&chrono::Utc));
    }
}
