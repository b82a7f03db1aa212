//! 事项目录维护 — the catalog administrators' pages: the list of items and bundles, one entry with
//! its TOML text and versions, a line diff between any two versions, and the editor that saves a
//! new version after the same validation as catalog files (`tongban_app::catalog_admin`).

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use similar::{ChangeTag, TextDiff};
use tongban_app::catalog_admin::{EntryKind, EntryRow, EntryText, Rejected, VersionInfo};
use tongban_app::error::{AppError, ErrorKind};
use tongban_domain::catalog::{Bundle, Item, Role};

use super::session::{PageUser, urlencode};
use super::{Chrome, PageError, PageLang, render};
use crate::AppState;
use crate::problem::Lang;

mod edit;
mod entry;
mod list;
mod versions;

use edit::{edit_form, edit_save, new_form, new_save};
use entry::entry;
use list::list;
use versions::versions;

/// (key, zh-CN, English); keys start with `admin.`.
pub(crate) const STRINGS: &[(&str, &str, &str)] = &[
    ("admin.title", "事项目录维护", "Catalog administration"),
    (
        "admin.lead",
        "事项和一件事的现行版本。修改会先按目录文件的全部规则校验，通过后保存为新版本；已受理的办件仍按其受理时的版本办理。",
        "The current versions of items and bundles. A change is checked against every rule catalog files must meet and then saved as a new version; cases already received keep the version they were received under.",
    ),
    ("admin.filter", "筛选", "Filter"),
    (
        "admin.q",
        "名称、拼音、首字母或编码",
        "Name, pinyin, initials or code",
    ),
    ("admin.kind", "类别", "Kind"),
    ("admin.kind_all", "全部", "All"),
    ("admin.kind_item", "事项", "Item"),
    ("admin.kind_bundle", "一件事", "Bundle"),
    ("admin.department", "部门类型", "Department type"),
    ("admin.department_all", "全部部门", "All departments"),
    ("admin.apply", "筛选", "Apply"),
    ("admin.count", "条", "entries"),
    ("admin.none", "没有相符的条目。", "Nothing matches."),
    ("admin.code", "编码", "Code"),
    ("admin.name", "名称", "Name"),
    (
        "admin.group",
        "部门类型 / 人生事件",
        "Department type / life event",
    ),
    ("admin.version", "现行版本", "Current version"),
    ("admin.updated", "更新时间", "Updated"),
    ("admin.new_item", "新建事项", "New item"),
    ("admin.new_bundle", "新建一件事", "New bundle"),
    (
        "admin.back_list",
        "返回目录列表",
        "Back to the catalog list",
    ),
    ("admin.summary", "概要", "Summary"),
    ("admin.public_page", "查看办事指南", "See the public guide"),
    ("admin.edit", "编辑", "Edit"),
    ("admin.toml", "TOML 文本", "TOML text"),
    (
        "admin.toml_hint",
        "与目录文件的规范格式一致（tongban catalog export 写出的内容）。",
        "As a catalog file holds it, in the canonical layout that tongban catalog export writes.",
    ),
    ("admin.file", "文件", "File"),
    ("admin.versions", "版本记录", "Versions"),
    ("admin.v_number", "版本", "Version"),
    ("admin.v_when", "保存时间", "Saved"),
    ("admin.v_digest", "摘要（SHA-256）", "Digest (SHA-256)"),
    ("admin.v_changes", "改动", "Changes"),
    (
        "admin.v_prev",
        "与上一版比较",
        "Compare with the previous version",
    ),
    ("admin.v_first", "首个版本", "First version"),
    ("admin.compare", "比较两个版本", "Compare two versions"),
    ("admin.from", "旧版本", "Older version"),
    ("admin.to", "新版本", "Newer version"),
    ("admin.show_diff", "显示差异", "Show the differences"),
    (
        "admin.diff_title",
        "版本差异",
        "Differences between versions",
    ),
    (
        "admin.diff_lead",
        "以“+ 新增”标出新版本增加的行，以“− 删除”标出删去的行；未改动的行只显示改动附近的几行。",
        "Lines added in the newer version are marked “+ added”, lines removed “− removed”; of the unchanged lines only those near a change are shown.",
    ),
    (
        "admin.diff_same",
        "两个版本的内容相同。",
        "The two versions have the same content.",
    ),
    ("admin.line_old", "旧行号", "Old line"),
    ("admin.line_new", "新行号", "New line"),
    ("admin.change", "改动", "Change"),
    ("admin.text", "内容", "Text"),
    ("admin.added", "+ 新增", "+ added"),
    ("admin.removed", "− 删除", "− removed"),
    ("admin.kept", "未改", "unchanged"),
    ("admin.gap", "……（未改动的行）", "… (unchanged lines)"),
    ("admin.edit_title", "编辑", "Edit"),
    ("admin.new_title_item", "新建事项", "New item"),
    ("admin.new_title_bundle", "新建一件事", "New bundle"),
    (
        "admin.edit_lead",
        "保存时按目录文件的全部规则校验整个目录（包括一件事引用的事项、部门类型和编码是否重复）。有问题时不会保存，并列出每个问题所在的行和字段。",
        "Saving checks the whole catalog with this text in place, by every rule catalog files must meet (including the items bundles refer to, department types and duplicate codes). With any problem nothing is saved, and each problem is listed with its line and field.",
    ),
    ("admin.based_on", "基于版本", "Based on version"),
    ("admin.save", "校验并保存", "Check and save"),
    ("admin.cancel", "取消", "Cancel"),
    (
        "admin.problems",
        "未保存：发现以下问题，请修改后重新保存。",
        "Not saved: please fix these problems and save again.",
    ),
    ("admin.line", "第 {} 行", "line {}"),
    ("admin.field", "字段", "field"),
    ("admin.colon", "：", ": "),
    ("admin.in_file", "涉及文件", "in file"),
    ("admin.saved", "已保存为第 {} 版。", "Saved as version {}."),
    (
        "admin.unchanged",
        "内容没有变化，未新建版本，仍为第 {} 版。",
        "Nothing changed, so no new version was made; this is still version {}.",
    ),
    ("admin.legal_limit", "法定办结时限", "Legal time limit"),
    (
        "admin.committed_limit",
        "承诺办结时限",
        "Committed time limit",
    ),
    ("admin.days", "个工作日", "working days"),
    ("admin.modes", "办理方式", "Ways to apply"),
    ("admin.scope", "通办范围", "Handled across"),
    ("admin.materials", "材料数", "Materials"),
    ("admin.steps", "办理环节", "Steps"),
    ("admin.life_event", "人生事件", "Life event"),
    ("admin.items", "包含事项", "Items"),
];

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/catalog", get(list))
        .route("/admin/catalog/{kind}/new", get(new_form).post(new_save))
        .route("/admin/catalog/{kind}/{code}", get(entry))
        .route("/admin/catalog/{kind}/{code}/versions", get(versions))
        .route(
            "/admin/catalog/{kind}/{code}/edit",
            get(edit_form).post(edit_save),
        )
}

const ADMINS: &[Role] = &[Role::CatalogAdmin, Role::SystemAdmin];

/// "2026-11-28 10:15" in China Standard Time.
fn when(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| {
            t.with_timezone(&tongban_app::clock::china())
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// A translated string with one `{}` filled in.
fn fill(c: &Chrome, key: &str, value: impl std::fmt::Display) -> String {
    c.tr.t(key).replacen("{}", &value.to_string(), 1)
}

/// The entry an entry page is about (`/admin/catalog/{kind}/{code}…`), for an administrator:
/// the sign-in and role check, then 404 for an unknown kind or code.
async fn admin_entry(
    app: &AppState,
    user: &PageUser,
    lang: Lang,
    uri: &Uri,
    seg: &str,
    code: &str,
) -> Result<(EntryKind, EntryText), PageError> {
    user.require(ADMINS, lang, uri)?;
    let kind = kind_of(seg, lang, uri)?;
    let entry = app
        .admin_catalog_entry(user, kind, code)
        .await
        .map_err(PageError::on(lang, uri))?;
    Ok((kind, entry))
}

fn kind_of(seg: &str, lang: Lang, uri: &Uri) -> Result<EntryKind, PageError> {
    EntryKind::from_segment(seg).ok_or_else(|| PageError {
        error: AppError::not_found(
            "route.not_found",
            format!(
                "There is no page at {}. Check the address, or start from the home page.",
                uri.path()
            ),
            format!("找不到 {} 这个页面。请检查网址，或从首页开始。", uri.path()),
        ),
        lang,
        uri: uri.clone(),
    })
}
