//! `tongban demo generate --cases N`: fills the database with a realistic case history (see
//! `tongban_app::demo`), for trying the dashboard and for measuring.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use tongban_app::App;
use tongban_app::bootstrap;
use tongban_app::clock::{Clock, FixedClock, SystemClock};
use tongban_app::demo::DemoPlan;
use tongban_app::error::AppError;
use tongban_store::{DatabaseUrl, Store, WriteMode};

use super::{Lang, Settings, lang, report};

#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Write N cases over the demo catalog, through the real services, over the past days.
    Generate(GenerateArgs),
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// How many cases.
    #[arg(long, value_name = "N")]
    pub cases: u64,
    /// Over how many days before today they arrive.
    #[arg(long, default_value_t = 180, value_name = "DAYS")]
    pub days: u32,
    /// The random seed: the same seed on the same catalog gives the same history.
    #[arg(long, default_value_t = 1, value_name = "SEED")]
    pub seed: u64,
    /// Bulk load (SQLite only): write with `synchronous=OFF` and no fsync per commit while
    /// generating, then checkpoint the log into the database file with `synchronous=FULL` and
    /// fsync before reporting success. The generator acknowledges no user, so nothing promised is at risk; a power cut during the run
    /// can damage the file: start again with an empty data directory. Never used by `serve`.
    #[arg(long)]
    pub bulk: bool,
    /// At most this many cases go through the services (every step by the engine itself); the
    /// rest are copies of them, each with its own number, applicant, times and hash chain, written
    /// a thousand per transaction. `--templates N` or more makes every case through the services.
    #[arg(long, default_value_t = 2_000, value_name = "T")]
    pub templates: u64,
}

pub async fn run(settings: &Settings, cmd: DemoCommand) -> ExitCode {
    let DemoCommand::Generate(args) = cmd;
    let bulk = args.bulk && matches!(settings.database_url, DatabaseUrl::Sqlite(_));
    if args.bulk && !bulk {
        eprintln!("tongban: --bulk applies to SQLite only; generating with full durability");
    }
    let mode = if bulk {
        WriteMode::BulkLoad
    } else {
        WriteMode::Durable
    };
    let store = match settings.open_store_with(mode).await {
        Ok(s) => s,
        Err(e) => return report(&e),
    };
    let real = SystemClock;
    match bootstrap::first_start(&store, &real).await {
        Ok(Some(first)) => super::serve::print_first_start(&first),
        Ok(None) => {}
        Err(e) => return report(&e),
    }
    let today = real.today();
    let clock = Arc::new(FixedClock::new(real.now()));
    let app = match App::load(store, clock.clone(), settings.data_dir.clone()).await {
        Ok(a) => a,
        Err(e) => return report(&e),
    };
    let bar = ProgressBar::new(args.cases);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} cases  {per_sec}  eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let plan = DemoPlan {
        cases: args.cases,
        days: args.days,
        seed: args.seed,
        today,
        templates: args.templates,
    };
    let started = Instant::now();
    let result = app
        .generate_demo(&clock, &plan, &|n| bar.set_position(n))
        .await;
    bar.finish_and_clear();
    // Back to full durability, and every page the run wrote goes into the database file, fsynced,
    // before the run says it succeeded.
    let flushed = if bulk {
        flush_bulk(&app.store).await
    } else {
        Ok(())
    };
    app.store.close().await;
    if let Err(e) = flushed {
        return report(&e);
    }
    match result {
        Ok(r) => {
            let secs = started.elapsed().as_secs_f64();
            match lang() {
                Lang::En => println!(
                    "generated {} cases ({} of them copies) and {} actions over {} days in {:.1} s ({:.0} cases/s); {} still open; {} applications refused by the rules and tried again",
                    r.cases,
                    r.copies,
                    r.actions,
                    args.days,
                    secs,
                    r.cases as f64 / secs.max(0.001),
                    r.open,
                    r.refused
                ),
                Lang::Zh => println!(
                    "已生成 {} 个办件（其中 {} 个为复制件）、{} 次办理操作，跨 {} 天，用时 {:.1} 秒（每秒 {:.0} 件）；{} 件仍在办理中；{} 次申请被规则拒绝后已重试",
                    r.cases,
                    r.copies,
                    r.actions,
                    args.days,
                    secs,
                    r.cases as f64 / secs.max(0.001),
                    r.open,
                    r.refused
                ),
            }
            for (status, n) in &r.by_status {
                println!("  {status}: {n}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => report(&e),
    }
}

/// Ends a bulk load: `synchronous=FULL` again, then a truncating checkpoint, which copies the log
/// into the database file and fsyncs it.
async fn flush_bulk(store: &Store) -> Result<(), AppError> {
    for sql in [
        "PRAGMA synchronous = FULL",
        "PRAGMA wal_checkpoint(TRUNCATE)",
    ] {
        store
            .execute_raw(sql)
            .await
            .map_err(|e| AppError::internal(format!("bulk mode: {e}")))?;
    }
    Ok(())
}
