//! `tongban audit verify`: checks every case's hash chain and names the first broken link.

use std::process::ExitCode;
use std::sync::Arc;

use clap::Subcommand;
use tongban_app::App;
use tongban_app::clock::SystemClock;

use super::{Lang, Settings, lang, report};

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Verify every case's event chain (exit 0 intact, 1 broken).
    Verify,
}

pub async fn run(settings: &Settings, cmd: AuditCommand) -> ExitCode {
    let AuditCommand::Verify = cmd;
    let app = match settings.open_store().await {
        Ok(store) => match App::load(store, Arc::new(SystemClock), settings.data_dir.clone()).await
        {
            Ok(a) => a,
            Err(e) => return report(&e),
        },
        Err(e) => return report(&e),
    };
    let result = app.verify_audit().await;
    app.store.close().await;
    match result {
        Ok(r) => match (&r.broken, lang()) {
            (None, Lang::En) => {
                println!("audit chain intact: {} cases, {} events", r.cases, r.events);
                ExitCode::SUCCESS
            }
            (None, Lang::Zh) => {
                println!("审计链完整：{} 个办件，{} 条事件", r.cases, r.events);
                ExitCode::SUCCESS
            }
            (Some(b), Lang::En) => {
                println!("audit chain BROKEN: {b}");
                ExitCode::from(1)
            }
            (Some(b), Lang::Zh) => {
                println!("审计链已损坏：{b}");
                ExitCode::from(1)
            }
        },
        Err(e) => report(&e),
    }
}
