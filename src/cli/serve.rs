//! `tongban serve`.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use tongban_app::App;
use tongban_app::bootstrap::{self, FirstStart};
use tongban_app::clock::SystemClock;
use tongban_app::cluster::GenerationWatch;

use super::{GlobalArgs, Settings, report};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. Default 127.0.0.1:8080.
    #[arg(long, env = "TONGBAN_LISTEN", value_name = "ADDR")]
    pub listen: Option<String>,
    /// Seconds between checks whether another node changed the catalog or the calendar (then this
    /// node reloads them). Default 5.
    #[arg(
        long,
        env = "TONGBAN_RELOAD_POLL",
        value_name = "SECONDS",
        default_value_t = 5
    )]
    pub reload_poll: u64,
}

pub async fn run(global: &GlobalArgs, args: ServeArgs) -> ExitCode {
    let settings = match Settings::resolve(global, args.listen.as_deref()) {
        Ok(s) => s,
        Err(e) => return report(&e),
    };
    let store = match settings.open_store().await {
        Ok(s) => s,
        Err(e) => return report(&e),
    };
    let clock = Arc::new(SystemClock);
    match bootstrap::first_start(&store, clock.as_ref()).await {
        Ok(Some(first)) => print_first_start(&first),
        Ok(None) => {}
        Err(e) => return report(&e),
    }
    // Read before loading: a change made while loading moves it and the first poll reloads.
    let generation = match store.generation(tongban_app::cluster::REFERENCE).await {
        Ok(g) => GenerationWatch::starting_at(g),
        Err(e) => return report(&e.into()),
    };
    let app = match App::load(store, clock, settings.data_dir.clone()).await {
        Ok(a) => Arc::new(a),
        Err(e) => return report(&e),
    };
    let listener = match tokio::net::TcpListener::bind(settings.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("tongban: cannot listen on {}: {e}", settings.listen);
            return ExitCode::from(2);
        }
    };
    let addr = listener.local_addr().unwrap_or(settings.listen);
    println!(
        "tongban listening on http://{addr} ({} at {})",
        app.store.backend_name(),
        settings.database_url.display()
    );
    let jobs = tokio::spawn(deadline_jobs(app.clone())); // 容缺办
    let poll = Duration::from_secs(args.reload_poll.max(1));
    let reload = tokio::spawn(reload_poll(app.clone(), generation, poll));
    let store = app.store.clone();
    let result = tongban_web::serve(app, listener, shutdown_signal()).await;
    jobs.abort();
    reload.abort();
    store.close().await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tongban: server error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Every ten minutes (and once at start): 容缺 reminders and expiries for today
/// ([`App::run_deadline_jobs_once`]). Several nodes run this loop; whichever takes the lease first
/// does the work and the others skip that round.
async fn deadline_jobs(app: Arc<App>) {
    let mut every = tokio::time::interval(Duration::from_secs(600));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let today = app.clock.today();
        match app.run_deadline_jobs_once(today).await {
            Ok(Some(r)) if r.reminded + r.terminated + r.suspended > 0 => tracing::info!(
                reminded = r.reminded,
                terminated = r.terminated,
                suspended = r.suspended,
                "容缺 deadline job"
            ),
            Ok(Some(_)) => {}
            Ok(None) => tracing::debug!("容缺 deadline job: another node is running it"),
            Err(e) => tracing::error!(error = ?e, "容缺 deadline job failed"),
        }
    }
}

/// Every `every`: reloads the catalog and calendar when another node (or a CLI command) changed
/// them, as told by the reference generation in the database.
async fn reload_poll(app: Arc<App>, mut watch: GenerationWatch, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match watch.poll(&app).await {
            Ok(true) => tracing::info!(
                generation = watch.seen(),
                "catalog and calendar reloaded (changed elsewhere)"
            ),
            Ok(false) => {}
            Err(e) => tracing::error!(error = ?e, "reference reload poll failed"),
        }
    }
}

pub(super) fn print_first_start(first: &FirstStart) {
    println!(
        "First start: loaded {} regions, {} service centers, {} departments, {} items and {} bundles (demonstration catalog).",
        first.regions, first.centers, first.departments, first.items, first.bundles
    );
    println!("Accounts created (passwords are shown only this once):");
    for a in &first.accounts {
        println!(
            "  {:<14} {:<18} password {}   {}",
            a.role, a.username, a.password, a.note
        );
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
