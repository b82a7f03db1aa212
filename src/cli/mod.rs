//! Subcommands. Operators script these, so flag and variable names are contracts: keep them.

mod audit;
mod calendar;
mod catalog;
mod check;
mod config;
mod demo;
mod serve;
mod stats;
mod user;

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use tongban_app::error::{AppError, ErrorKind};

pub use config::Settings;

#[derive(Debug, Parser)]
#[command(
    name = "tongban",
    version,
    about = "一件事一次办 · 跨域通办 — government services, one application, any service center"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Where the data lives; every subcommand that touches the database takes these.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Data directory (SQLite file, uploads). Default ./data.
    #[arg(long, global = true, env = "TONGBAN_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<std::path::PathBuf>,
    /// Database URL: sqlite:PATH or postgres://…; default a SQLite file in the data directory.
    #[arg(long, global = true, env = "TONGBAN_DATABASE_URL", value_name = "URL")]
    pub database_url: Option<String>,
    /// Config file (TOML with listen, data_dir, database_url). Default ./tongban.toml if present.
    #[arg(long, global = true, env = "TONGBAN_CONFIG", value_name = "FILE")]
    pub config: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the HTTP server (migrates, and on first start loads the demo catalog and creates the
    /// administrator).
    Serve(serve::ServeArgs),
    /// Apply database migrations and exit (safe from several nodes at once on PostgreSQL).
    Migrate,
    /// Validate, import or export catalog folders.
    #[command(subcommand)]
    Catalog(catalog::CatalogCommand),
    /// Working-day arithmetic on the official calendar, and loading calendar changes.
    #[command(subcommand)]
    Calendar(calendar::CalendarCommand),
    /// Check the tamper-evident audit trail.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// The dashboard's counters: check them against the cases, or count again.
    #[command(subcommand)]
    Stats(stats::StatsCommand),
    /// Create, list and disable user accounts (passwords from standard input).
    #[command(subcommand)]
    User(user::UserCommand),
    /// Demonstration data: `demo generate --cases N` writes a realistic case history.
    #[command(subcommand)]
    Demo(demo::DemoCommand),
    /// Tell whether a resident ID, unified social credit code or mobile number is valid.
    Check(check::CheckArgs),
}

pub fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("TONGBAN_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// The language of the terminal: TONGBAN_LANG, else the locale; Chinese unless English is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

pub fn lang() -> Lang {
    let pick = |v: &str| {
        let v = v.to_ascii_lowercase();
        if v.starts_with("en") {
            Some(Lang::En)
        } else if v.starts_with("zh") {
            Some(Lang::Zh)
        } else {
            None
        }
    };
    for var in ["TONGBAN_LANG", "LC_ALL", "LC_MESSAGES", "LANG"] {
        if let Some(l) = std::env::var(var).ok().as_deref().and_then(pick) {
            return l;
        }
    }
    Lang::Zh
}

/// Prints a service error the way a person reads it, and picks the exit code.
pub fn report(e: &AppError) -> ExitCode {
    let lang = lang();
    let msg = match lang {
        Lang::Zh => &e.message_zh,
        Lang::En => &e.message,
    };
    match &e.field {
        Some(f) => eprintln!("tongban: {msg} [{}; {f}]", e.code),
        None => eprintln!("tongban: {msg} [{}]", e.code),
    }
    for p in &e.problems {
        let m = match lang {
            Lang::Zh => &p.message_zh,
            Lang::En => &p.message,
        };
        eprintln!("  {}: {m} [{}]", p.field, p.code);
    }
    match e.kind {
        ErrorKind::Internal => ExitCode::from(70),
        _ => ExitCode::from(2),
    }
}

pub async fn run(cli: Cli) -> ExitCode {
    let settings = match Settings::resolve(&cli.global, None) {
        Ok(s) => s,
        Err(e) => return report(&e),
    };
    match cli.command {
        Command::Serve(args) => serve::run(&cli.global, args).await,
        Command::Migrate => match settings.open_store().await {
            Ok(store) => {
                println!("migrated {}", settings.database_url.display());
                store.close().await;
                ExitCode::SUCCESS
            }
            Err(e) => report(&e),
        },
        Command::Catalog(c) => catalog::run(&settings, c).await,
        Command::Calendar(c) => calendar::run(&settings, c).await,
        Command::Check(c) => check::run(c),
        Command::User(c) => user::run(&settings, c).await,
        Command::Audit(c) => audit::run(&settings, c).await,
        Command::Stats(c) => stats::run(&settings, c).await,
        Command::Demo(c) => demo::run(&settings, c).await,
    }
}
