//! `tongban catalog validate|import|export DIR`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use tongban_app::catalog::{export_dir, import_sources, read_catalog_dir, validate_dir};
use tongban_app::error::AppError;
use tongban_store::CatalogImportReport;

use super::{Lang, Settings, lang, report};

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Check a catalog folder and report every problem (file, line, field path, reason).
    Validate { dir: PathBuf },
    /// Validate and import a catalog folder in one transaction; changed items get a new version.
    Import { dir: PathBuf },
    /// Write the current catalog into a new folder (files that validate and re-import unchanged).
    Export { dir: PathBuf },
}

pub async fn run(settings: &Settings, cmd: CatalogCommand) -> ExitCode {
    let result = match cmd {
        CatalogCommand::Validate { dir } => validate_dir(&dir).map(|c| match lang() {
            Lang::En => println!(
                "{}: valid — {} items, {} bundles",
                dir.display(),
                c.items.len(),
                c.bundles.len()
            ),
            Lang::Zh => println!(
                "{}：校验通过，共 {} 个事项、{} 个一件事",
                dir.display(),
                c.items.len(),
                c.bundles.len()
            ),
        }),
        CatalogCommand::Import { dir } => import(settings, &dir).await,
        CatalogCommand::Export { dir } => export(settings, &dir).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report(&e),
    }
}

async fn import(settings: &Settings, dir: &std::path::Path) -> Result<(), AppError> {
    // Read and validate before opening the database: a bad folder changes nothing anywhere.
    let sources = read_catalog_dir(dir)?;
    tongban_app::catalog::parse_sources(&sources)?;
    let store = settings.open_store().await?;
    let now = chrono::Utc::now().timestamp_millis();
    let result = import_sources(&store, &sources, now).await;
    store.close().await;
    print_report(&result?);
    Ok(())
}

fn print_report(r: &CatalogImportReport) {
    match lang() {
        Lang::En => {
            println!(
                "items: {} added, {} changed, {} unchanged",
                r.items_added.len(),
                r.items_changed.len(),
                r.items_unchanged
            );
            println!(
                "bundles: {} added, {} changed, {} unchanged",
                r.bundles_added.len(),
                r.bundles_changed.len(),
                r.bundles_unchanged
            );
        }
        Lang::Zh => {
            println!(
                "事项：新增 {}，变更 {}，未变 {}",
                r.items_added.len(),
                r.items_changed.len(),
                r.items_unchanged
            );
            println!(
                "一件事：新增 {}，变更 {}，未变 {}",
                r.bundles_added.len(),
                r.bundles_changed.len(),
                r.bundles_unchanged
            );
        }
    }
    for code in r.items_changed.iter().chain(&r.bundles_changed) {
        match lang() {
            Lang::En => println!("  new version: {code}"),
            Lang::Zh => println!("  新版本：{code}"),
        }
    }
}

async fn export(settings: &Settings, dir: &std::path::Path) -> Result<(), AppError> {
    let store = settings.open_store().await?;
    let result = export_dir(&store, dir).await;
    store.close().await;
    let n = result?;
    match lang() {
        Lang::En => println!("wrote {n} files to {}", dir.display()),
        Lang::Zh => println!("已写出 {n} 个文件到 {}", dir.display()),
    }
    Ok(())
}
