//! `tongban calendar …`: deadlines and working days on the official calendar, and an
//! administrator's changes (a newly published year, a one-off day) without a new release.

use std::process::ExitCode;
use std::sync::Arc;

use clap::Subcommand;
use tongban_app::App;
use tongban_app::calendar::{Warning, deadline_on, load_calendar, parse_date, parse_days};
use tongban_app::clock::SystemClock;
use tongban_app::error::AppError;
use tongban_domain::calendar::Calendar;

use super::{Lang, Settings, lang, report};

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// Due date of an N-working-day limit from an acceptance on DATE (the day itself does not count).
    Deadline {
        /// Day of acceptance, YYYY-MM-DD.
        date: String,
        /// Working days, 0–3650.
        #[arg(allow_hyphen_values = true)]
        days: String,
    },
    /// Number of working days after FROM up to and including TO.
    Workdays { from: String, to: String },
    /// Load a newly published year's schedule (holiday-cn JSON: {year, papers, days[{name, date, isOffDay}]}).
    Load {
        /// The JSON file.
        file: std::path::PathBuf,
    },
    /// Make one day a working day or a day off (a one-off change, e.g. a local closure).
    Set {
        date: String,
        /// The day becomes a working day (default: a day off).
        #[arg(long)]
        workday: bool,
        /// What the change is (e.g. the notice it comes from).
        #[arg(long)]
        name: String,
    },
    /// Undo a one-off change.
    Clear { date: String },
}

fn print_warnings(warnings: &[Warning]) {
    for w in warnings {
        match lang() {
            Lang::En => eprintln!("warning: {} [{}]", w.message, w.code),
            Lang::Zh => eprintln!("提示：{} [{}]", w.message_zh, w.code),
        }
    }
}

/// The calendar with the administrator's changes when a database exists; the official schedules
/// alone otherwise (a read-only command must not create a database as a side effect).
async fn calendar_for_reading(settings: &Settings) -> Result<Calendar, AppError> {
    if !settings.database_exists() {
        return Ok(Calendar::official());
    }
    let store = settings.open_store().await?;
    let cal = load_calendar(&store).await;
    store.close().await;
    cal
}

async fn open_app(settings: &Settings) -> Result<App, AppError> {
    let store = settings.open_store().await?;
    App::load(store, Arc::new(SystemClock), settings.data_dir.clone()).await
}

pub async fn run(settings: &Settings, cmd: CalendarCommand) -> ExitCode {
    let result = match cmd {
        CalendarCommand::Deadline { date, days } => deadline(settings, &date, &days).await,
        CalendarCommand::Workdays { from, to } => workdays(settings, &from, &to).await,
        CalendarCommand::Load { file } => load(settings, &file).await,
        CalendarCommand::Set {
            date,
            workday,
            name,
        } => set(settings, &date, workday, &name).await,
        CalendarCommand::Clear { date } => clear(settings, &date).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report(&e),
    }
}

async fn deadline(settings: &Settings, date: &str, days: &str) -> Result<(), AppError> {
    // Parse first: bad input fails before touching any database.
    let start = parse_date(date, "date")?;
    let days = parse_days(days, "days")?;
    let cal = calendar_for_reading(settings).await?;
    let answer = deadline_on(&cal, start, days)?;
    print_warnings(&answer.warnings);
    println!("{}", answer.deadline.format("%Y-%m-%d"));
    Ok(())
}

async fn workdays(settings: &Settings, from: &str, to: &str) -> Result<(), AppError> {
    parse_date(from, "from")?;
    parse_date(to, "to")?;
    let cal = calendar_for_reading(settings).await?;
    let answer = tongban_app::calendar::workdays_on(&cal, from, to)?;
    print_warnings(&answer.warnings);
    println!("{}", answer.workdays);
    Ok(())
}

async fn load(settings: &Settings, file: &std::path::Path) -> Result<(), AppError> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        AppError::invalid(
            "file.unreadable",
            format!("Cannot read {}: {e}.", file.display()),
            format!("无法读取文件 {}：{e}。", file.display()),
        )
        .with_field("file")
    })?;
    let app = open_app(settings).await?;
    let year = app.load_calendar_year(&text).await?;
    app.store.close().await;
    match lang() {
        Lang::En => println!("loaded the {year} schedule"),
        Lang::Zh => println!("已载入 {year} 年节假日安排"),
    }
    Ok(())
}

async fn set(settings: &Settings, date: &str, workday: bool, name: &str) -> Result<(), AppError> {
    let app = open_app(settings).await?;
    app.set_calendar_day(date, workday, name).await?;
    app.store.close().await;
    let what = if workday { "working day" } else { "day off" };
    match lang() {
        Lang::En => println!("{date} is now a {what}: {name}"),
        Lang::Zh => println!(
            "{date} 已设为{}：{name}",
            if workday { "工作日" } else { "休息日" }
        ),
    }
    Ok(())
}

async fn clear(settings: &Settings, date: &str) -> Result<(), AppError> {
    let app = open_app(settings).await?;
    let removed = app.clear_calendar_day(date).await?;
    app.store.close().await;
    match (lang(), removed) {
        (Lang::En, true) => println!("{date} follows the official schedule again"),
        (Lang::En, false) => println!("{date} had no one-off change"),
        (Lang::Zh, true) => println!("{date} 已恢复为官方安排"),
        (Lang::Zh, false) => println!("{date} 没有单日调整"),
    }
    Ok(())
}
