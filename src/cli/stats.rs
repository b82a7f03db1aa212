//! `tongban stats verify` and `tongban stats rebuild`: the dashboard's counters, which every case
//! write keeps up to date, checked against a scan of the cases, or counted again from scratch.

use std::process::ExitCode;

use clap::Subcommand;
use tongban_app::error::AppError;
use tongban_domain::stats::counts;

use super::{Lang, Settings, lang, report};

#[derive(Debug, Subcommand)]
pub enum StatsCommand {
    /// Compare the counters of every region down to the counties (and of each --region) with a
    /// scan of their sub-cases (exit 0 equal, 1 different). Slow on a large database: each region
    /// is a full scan, which is what the counters exist to avoid.
    Verify {
        /// Also check this region (a division code, e.g. a town `430481101`); repeatable.
        #[arg(long, value_name = "CODE")]
        region: Vec<String>,
    },
    /// Throw the counters away and count every case again (one transaction).
    Rebuild,
}

pub async fn run(settings: &Settings, cmd: StatsCommand) -> ExitCode {
    let store = match settings.open_store().await {
        Ok(s) => s,
        Err(e) => return report(&e),
    };
    let out = match cmd {
        StatsCommand::Rebuild => match store.recount_stats().await {
            Ok(n) => {
                match lang() {
                    Lang::En => println!("dashboard counters rebuilt from {n} cases"),
                    Lang::Zh => println!("已按 {n} 个办件重新统计"),
                }
                ExitCode::SUCCESS
            }
            Err(e) => report(&AppError::from(e)),
        },
        StatsCommand::Verify { region } => verify(&store, &region).await,
    };
    store.close().await;
    out
}

async fn verify(store: &tongban_store::Store, extra: &[String]) -> ExitCode {
    let mut regions = match store.stats_regions(6).await {
        Ok(r) => r,
        Err(e) => return report(&AppError::from(e)),
    };
    for code in extra {
        // The prefix the dashboard asks by: a division code's innermost region key.
        if let Some(p) = counts::region_keys(code.trim()).pop()
            && !regions.iter().any(|r| r == p)
        {
            regions.push(p.to_string());
        }
    }
    let mut differ = 0;
    for r in &regions {
        let (kept, scanned) = match (store.stats_counts(r).await, store.stats_scan(r).await) {
            (Ok(k), Ok(s)) => (k, s),
            (Err(e), _) | (_, Err(e)) => return report(&AppError::from(e)),
        };
        if kept != scanned {
            differ += 1;
            println!("{r}: counters {kept:?}");
            println!("{r}: scan     {scanned:?}");
        }
    }
    match (differ, lang()) {
        (0, Lang::En) => {
            println!(
                "dashboard counters match the cases in {} regions",
                regions.len()
            );
            ExitCode::SUCCESS
        }
        (0, Lang::Zh) => {
            println!("统计计数与办件一致：{} 个行政区划", regions.len());
            ExitCode::SUCCESS
        }
        (n, Lang::En) => {
            println!(
                "dashboard counters DIFFER from the cases in {n} of {} regions",
                regions.len()
            );
            ExitCode::from(1)
        }
        (n, Lang::Zh) => {
            println!(
                "统计计数与办件不一致：{} 个行政区划中有 {n} 个",
                regions.len()
            );
            ExitCode::from(1)
        }
    }
}
