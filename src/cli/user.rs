//! `tongban user …`: accounts for operators' scripts. The password of `user add` is read from
//! standard input (one line), never from a flag, so it stays out of shell history and `ps`.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use clap::Subcommand;
use tongban_app::accounts::{
    NewAccount, UserSummary, add_user, disable_user, enable_user, list_users,
};
use tongban_app::clock::SystemClock;
use tongban_app::error::AppError;

use super::{Lang, Settings, lang, report};

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password (at least 10 characters) is read from standard input.
    Add {
        /// User name: 2–64 letters, digits and . _ - @ (compared without case).
        username: String,
        /// applicant, clerk, approver, supervisor, catalog_admin or system_admin.
        #[arg(long)]
        role: String,
        /// Name shown to people; default the user name.
        #[arg(long, value_name = "NAME")]
        display_name: Option<String>,
        /// A clerk's service center (required for clerks).
        #[arg(long, value_name = "CODE")]
        center: Option<String>,
        /// An approver's department (required for approvers).
        #[arg(long, value_name = "CODE")]
        department: Option<String>,
        /// A supervisor's region (required for supervisors).
        #[arg(long, value_name = "CODE")]
        region: Option<String>,
        /// An applicant: person or organization (default: from --id-number, else person).
        #[arg(long, value_name = "KIND")]
        applicant_kind: Option<String>,
        /// An applicant's resident ID number or unified social credit code.
        #[arg(long, value_name = "N")]
        id_number: Option<String>,
        /// Mobile number.
        #[arg(long, value_name = "M")]
        mobile: Option<String>,
    },
    /// List users (no password hashes; ID and mobile numbers masked).
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Disable a user: no more sign-ins, and every session of the user ends.
    Disable { username: String },
    /// Let a disabled user sign in again.
    Enable { username: String },
}

pub async fn run(settings: &Settings, cmd: UserCommand) -> ExitCode {
    match execute(settings, cmd).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report(&e),
    }
}

async fn execute(settings: &Settings, cmd: UserCommand) -> Result<(), AppError> {
    match cmd {
        UserCommand::Add {
            username,
            role,
            display_name,
            center,
            department,
            region,
            applicant_kind,
            id_number,
            mobile,
        } => {
            let account = NewAccount {
                username,
                role,
                display_name,
                center_code: center,
                department_code: department,
                region_code: region,
                applicant_kind,
                id_number,
                mobile,
            };
            let password = read_password()?;
            let store = settings.open_store().await?;
            let added = add_user(&store, &SystemClock, &account, password).await;
            store.close().await;
            let u = added?;
            match lang() {
                Lang::En => println!("created user {} ({}), id {}", u.username, u.role, u.id),
                Lang::Zh => println!("已创建用户 {}（{}），编号 {}", u.username, u.role, u.id),
            }
            Ok(())
        }
        UserCommand::List { json } => {
            let store = settings.open_store().await?;
            let users = list_users(&store).await;
            store.close().await;
            let users = users?;
            if json {
                let text = serde_json::to_string_pretty(&users).map_err(AppError::internal)?;
                println!("{text}");
            } else {
                print_table(&users);
            }
            Ok(())
        }
        UserCommand::Disable { username } => {
            let store = settings.open_store().await?;
            let done = disable_user(&store, &username).await;
            store.close().await;
            let u = done?;
            match lang() {
                Lang::En => println!("disabled {}; their sessions have ended", u.username),
                Lang::Zh => println!("已停用 {}，其登录会话均已结束", u.username),
            }
            Ok(())
        }
        UserCommand::Enable { username } => {
            let store = settings.open_store().await?;
            let done = enable_user(&store, &username).await;
            store.close().await;
            let u = done?;
            match lang() {
                Lang::En => println!("enabled {}", u.username),
                Lang::Zh => println!("已启用 {}", u.username),
            }
            Ok(())
        }
    }
}

/// One line from standard input, without its line ending. A terminal gets a prompt (on stderr);
/// the input is not hidden, so scripts should pipe it.
fn read_password() -> Result<String, AppError> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!(
            "{}",
            match lang() {
                Lang::En => "password: ",
                Lang::Zh => "密码：",
            }
        );
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line).map_err(|e| {
        AppError::invalid(
            "account.password_unreadable",
            format!("Cannot read the password from standard input: {e}."),
            format!("无法从标准输入读取密码：{e}。"),
        )
        .with_field("password")
    })?;
    let password = line.strip_suffix('\n').unwrap_or(&line);
    let password = password.strip_suffix('\r').unwrap_or(password);
    Ok(password.to_string())
}

fn print_table(users: &[UserSummary]) {
    println!(
        "{:<24} {:<14} {:<8} {:<22} DISPLAY NAME",
        "USERNAME", "ROLE", "STATE", "BOUND TO"
    );
    for u in users {
        let bound = u
            .center_code
            .as_deref()
            .or(u.department_code.as_deref())
            .or(u.region_code.as_deref())
            .or(u.id_number.as_deref())
            .unwrap_or("-");
        let state = if u.disabled { "disabled" } else { "active" };
        println!(
            "{:<24} {:<14} {:<8} {:<22} {}",
            u.username, u.role, state, bound, u.display_name
        );
    }
}
