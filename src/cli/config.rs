//! Settings, layered: command-line flag, then environment variable (both through clap), then the
//! config file, then the default.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use tongban_app::error::{AppError, AppResult};
use tongban_store::{DatabaseUrl, Store, WriteMode};

use super::GlobalArgs;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    listen: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: DatabaseUrl,
}

fn config_error(code: &str, en: String, zh: String, field: &str) -> AppError {
    AppError::invalid(code, en, zh).with_field(field)
}

impl Settings {
    pub fn resolve(global: &GlobalArgs, listen: Option<&str>) -> AppResult<Settings> {
        let file = match &global.config {
            Some(path) => read_file(path)?,
            None if Path::new("tongban.toml").exists() => read_file(Path::new("tongban.toml"))?,
            None => FileSettings::default(),
        };
        let data_dir = global
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("data"));
        let database_url = match global.database_url.clone().or(file.database_url) {
            Some(u) => DatabaseUrl::parse(&u).map_err(|e| {
                config_error(
                    "config.database_url",
                    format!("{e}."),
                    format!("数据库地址无效：{e}。"),
                    "database_url",
                )
            })?,
            None => DatabaseUrl::default_in(&data_dir),
        };
        let listen_text = listen
            .map(str::to_string)
            .or(file.listen)
            .unwrap_or_else(|| DEFAULT_LISTEN.to_string());
        let listen = listen_text.parse().map_err(|_| {
            config_error(
                "config.listen",
                format!("--listen must be an address like 127.0.0.1:8080; got {listen_text:?}."),
                format!("--listen 应为形如 127.0.0.1:8080 的地址，实际为 {listen_text:?}。"),
                "listen",
            )
        })?;
        Ok(Settings {
            listen,
            data_dir,
            database_url,
        })
    }

    /// Connects and migrates.
    pub async fn open_store(&self) -> AppResult<Store> {
        self.open_store_with(WriteMode::Durable).await
    }

    /// Connects and migrates, with the SQLite writer in `mode` (bulk only for `demo generate`).
    pub async fn open_store_with(&self, mode: WriteMode) -> AppResult<Store> {
        let store = Store::connect_with(&self.database_url, mode)
            .await
            .map_err(|e| {
                AppError::new(
                    tongban_app::error::ErrorKind::Internal,
                    "store.connect",
                    format!(
                        "Cannot open the database {}: {e}",
                        self.database_url.display()
                    ),
                    format!("无法打开数据库 {}：{e}", self.database_url.display()),
                )
            })?;
        store.migrate().await.map_err(|e| {
            AppError::new(
                tongban_app::error::ErrorKind::Internal,
                "store.migrate",
                format!("Migrating {} failed: {e}", self.database_url.display()),
                format!("数据库 {} 迁移失败：{e}", self.database_url.display()),
            )
        })?;
        Ok(store)
    }

    /// Whether there is a database to read (a SQLite file that exists, or any PostgreSQL URL); used
    /// by read-only commands that should not create a database as a side effect.
    pub fn database_exists(&self) -> bool {
        match &self.database_url {
            DatabaseUrl::Sqlite(p) => p.exists(),
            DatabaseUrl::Postgres(_) => true,
        }
    }
}

fn read_file(path: &Path) -> AppResult<FileSettings> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        config_error(
            "config.unreadable",
            format!("Cannot read the config file {}: {e}.", path.display()),
            format!("无法读取配置文件 {}：{e}。", path.display()),
            "config",
        )
    })?;
    toml::from_str(&text).map_err(|e| {
        config_error(
            "config.invalid",
            format!("The config file {} is not valid: {e}", path.display()),
            format!("配置文件 {} 无效：{e}", path.display()),
            "config",
        )
    })
}
