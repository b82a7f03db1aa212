//! The supervisor dashboard (统计分析): a region's on-time rate, near-due and overdue counts,
//! cases by place (drill-down city → county → town), by handling mode and by item, cross-region
//! share and trips saved; the list behind the near-due and overdue counts; and each chart's table
//! as CSV or Excel. Charts are SVG drawn here, with the numbers in a table under each.
//!
//! Every figure comes from `tongban_app::stats` (scope check, calendar); this module only lays
//! them out.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use tongban_app::error::AppError;
use tongban_app::stats::{AreaRow, Dashboard, DueFlag, DueList, KeyCount, RegionRef};
use tongban_domain::catalog::Role;
use tongban_domain::region::RegionLevel;
use tongban_domain::stats::{bar_length, percent_text};

use super::i18n::Tr;
use super::session::{PageUser, urlencode};
use super::{Chrome, PageError, PageLang, render};
use crate::AppState;

/// (key, zh-CN, English); keys start with `dashboard.`.
pub(crate) const STRINGS: &[(&str, &str, &str)] = &[
    ("dashboard.title", "统计分析", "Dashboard"),
    ("dashboard.as_of", "统计日期", "As of"),
    ("dashboard.levels", "辖区层级", "Region levels"),
    ("dashboard.figures", "主要指标", "Key figures"),
    ("dashboard.on_time", "按时办结率", "On-time rate"),
    (
        "dashboard.on_time_of",
        "期限内办结 / 已办结",
        "concluded on time / concluded",
    ),
    ("dashboard.near_due", "临期", "Near due"),
    ("dashboard.overdue", "超期", "Overdue"),
    ("dashboard.open_items", "件未办结", "open items"),
    ("dashboard.see_list", "查看清单", "See the list"),
    (
        "dashboard.cross_region",
        "跨域办件占比",
        "Cross-region share",
    ),
    (
        "dashboard.cross_of",
        "跨域 / 全部事项",
        "cross-region / all items",
    ),
    ("dashboard.trips_saved", "少跑次数", "Trips saved"),
    (
        "dashboard.trips_of",
        "传统方式需跑 / 实际跑动",
        "trips the traditional way / trips made",
    ),
    ("dashboard.items", "办件事项", "Items applied for"),
    ("dashboard.cases", "件办件", "cases"),
    ("dashboard.definitions", "口径说明", "How these are counted"),
    (
        "dashboard.def.unit",
        "统计单位为办件事项（一个办件中的一个事项）；收件地或办理地在本辖区内即计入。",
        "The unit is the item of an application (one case may hold several items); an item counts here when it was received or is handled in this region.",
    ),
    (
        "dashboard.def.on_time",
        "按时办结率：已办结的事项中，在承诺办结期限（工作日，补正期间顺延）内办结的比例。",
        "On-time rate: of the items concluded, the share concluded by the committed deadline (working days, supplement pauses added back).",
    ),
    (
        "dashboard.def.due",
        "临期：已受理未办结，距承诺期限不超过 2 个工作日；超期：已过承诺期限仍未办结。",
        "Near due: accepted, not concluded, deadline within 2 working days; overdue: past the deadline and not concluded.",
    ),
    (
        "dashboard.def.cross",
        "跨域：收件的服务中心与办理部门不在同一个县（市、区）。",
        "Cross-region: received at a service center in one county and handled by a department of another.",
    ),
    (
        "dashboard.def.trips",
        "少跑次数：传统方式每个事项跑 2 次（递交、领取），减去实际跑动（窗口收件 1 次，网上办 0 次）。",
        "Trips saved: the traditional 2 trips per item (hand in, collect), less the trips made (1 per case received at a window, none online).",
    ),
    ("dashboard.chart.area_city", "按市州", "By city"),
    ("dashboard.chart.area_county", "按县（市、区）", "By county"),
    ("dashboard.chart.area_town", "按乡镇（街道）", "By town"),
    ("dashboard.chart.area_village", "按村（社区）", "By village"),
    (
        "dashboard.chart.area_note",
        "按收件地统计；点击地名进入下一级。",
        "By where the application was received; follow a place to the level below.",
    ),
    ("dashboard.chart.mode", "按办理方式", "By handling mode"),
    (
        "dashboard.chart.mode_note",
        "每个办件只计一种方式：帮代办优先，其次承诺办、容缺办，其余按网上办或窗口办。",
        "Each case counts once: through a helper first, then on a commitment, then with materials to follow, else online or at a window.",
    ),
    ("dashboard.chart.item", "办件量前十的事项", "Top 10 items"),
    (
        "dashboard.chart.hint",
        "条形图，数字见下表",
        "Bar chart; the numbers are in the table below",
    ),
    ("dashboard.col.place", "收件地", "Received at"),
    ("dashboard.col.mode", "办理方式", "Handling mode"),
    ("dashboard.col.item", "事项", "Item"),
    ("dashboard.col.count", "件数", "Items"),
    ("dashboard.col.number", "办件编号", "Case number"),
    ("dashboard.col.department", "办理部门", "Department"),
    ("dashboard.col.deadline", "承诺期限", "Deadline"),
    (
        "dashboard.area.online",
        "网上申请（未选服务中心）",
        "Online, no service center chosen",
    ),
    (
        "dashboard.area.here",
        "本级中心收件",
        "Received at this level's own center",
    ),
    (
        "dashboard.area.outside",
        "辖区外收件",
        "Received outside this region",
    ),
    ("dashboard.mode.online", "网上办", "Online"),
    ("dashboard.mode.window", "窗口办", "At a window"),
    (
        "dashboard.mode.tolerance",
        "容缺办",
        "Materials to follow (容缺)",
    ),
    (
        "dashboard.mode.commitment",
        "承诺办",
        "On a commitment (承诺)",
    ),
    (
        "dashboard.mode.agency",
        "帮代办",
        "Through a helper (帮代办)",
    ),
    ("dashboard.export", "导出本表", "Export this table"),
    ("dashboard.export_csv", "CSV", "CSV"),
    ("dashboard.export_xlsx", "Excel", "Excel"),
    ("dashboard.no_data", "暂无数据。", "No data yet."),
    ("dashboard.due.near_title", "临期办件", "Near-due items"),
    ("dashboard.due.over_title", "超期办件", "Overdue items"),
    ("dashboard.due.none", "没有此类办件。", "There are none."),
    (
        "dashboard.due.truncated",
        "仅列出期限最早的 200 件。",
        "Only the 200 earliest are listed.",
    ),
    ("dashboard.back", "返回统计分析", "Back to the dashboard"),
];

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(dashboard))
        .route("/dashboard/due", get(due))
        .route("/dashboard/export/{file}", get(export))
}

#[derive(Debug, Deserialize)]
struct RegionQuery {
    region: Option<String>,
}

/// SVG geometry: label column, longest bar, row height.
const LABEL_W: i64 = 230;
const BAR_MAX: i64 = 330;
const ROW_H: i64 = 30;

/// One row of a chart and of the table under it.
struct Bar {
    label: String,
    /// The label cut to fit the SVG (the table has it in full).
    short: String,
    count: i64,
    href: Option<String>,
    len: i64,
    y: i64,
}

/// A chart: its heading, the table's column names, and its rows.
struct Chart {
    id: &'static str,
    title: &'static str,
    note: &'static str,
    col: &'static str,
    count_col: &'static str,
    bars: Vec<Bar>,
    height: i64,
}

impl Chart {
    fn new(
        id: &'static str,
        tr: Tr,
        title: &str,
        note: Option<&str>,
        col: &str,
        rows: Vec<(String, i64, Option<String>)>,
    ) -> Chart {
        let max = rows.iter().map(|r| r.1).max().unwrap_or(0);
        let bars: Vec<Bar> = rows
            .into_iter()
            .enumerate()
            .map(|(i, (label, count, href))| Bar {
                short: shorten(&label, 13),
                label,
                count,
                href,
                len: bar_length(count, max, BAR_MAX),
                y: i64::try_from(i).unwrap_or(0) * ROW_H,
            })
            .collect();
        Chart {
            id,
            title: tr.t(title),
            note: note.map_or("", |n| tr.t(n)),
            col: tr.t(col),
            count_col: tr.t("dashboard.col.count"),
            height: (i64::try_from(bars.len()).unwrap_or(0) * ROW_H).max(ROW_H),
            bars,
        }
    }

    fn label_w(&self) -> i64 {
        LABEL_W
    }

    fn width(&self) -> i64 {
        LABEL_W + BAR_MAX + 70
    }
}

fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(n - 1).collect();
        out.push('…');
        out
    }
}

fn drill_href(r: &RegionRef) -> String {
    format!("/dashboard?region={}", urlencode(&r.code))
}

fn area_chart(tr: Tr, d: &Dashboard) -> Chart {
    let title = match d.region.level {
        RegionLevel::Province => "dashboard.chart.area_city",
        RegionLevel::City => "dashboard.chart.area_county",
        RegionLevel::County => "dashboard.chart.area_town",
        _ => "dashboard.chart.area_village",
    };
    let rows = d
        .by_area
        .iter()
        .map(|a: &AreaRow| match (&a.region, a.bucket) {
            (Some(r), _) => (r.name.clone(), a.count, a.drills.then(|| drill_href(r))),
            (None, Some(b)) => (
                tr.t(&format!("dashboard.area.{b}")).to_string(),
                a.count,
                None,
            ),
            (None, None) => (String::new(), a.count, None),
        })
        .collect();
    Chart::new(
        "area",
        tr,
        title,
        Some("dashboard.chart.area_note"),
        "dashboard.col.place",
        rows,
    )
}

fn mode_chart(tr: Tr, d: &Dashboard) -> Chart {
    let rows = d
        .by_mode
        .iter()
        .map(|m: &KeyCount| {
            (
                tr.t(&format!("dashboard.mode.{}", m.key)).to_string(),
                m.count,
                None,
            )
        })
        .collect();
    Chart::new(
        "mode",
        tr,
        "dashboard.chart.mode",
        Some("dashboard.chart.mode_note"),
        "dashboard.col.mode",
        rows,
    )
}

fn item_chart(tr: Tr, d: &Dashboard) -> Chart {
    let rows = d
        .by_item
        .iter()
        .map(|m| (m.name.clone(), m.count, None))
        .collect();
    Chart::new(
        "item",
        tr,
        "dashboard.chart.item",
        None,
        "dashboard.col.item",
        rows,
    )
}

/// The chart an export names.
fn chart_of(id: &str, tr: Tr, d: &Dashboard) -> Option<Chart> {
    match id {
        "area" => Some(area_chart(tr, d)),
        "mode" => Some(mode_chart(tr, d)),
        "item" => Some(item_chart(tr, d)),
        _ => None,
    }
}

#[derive(Template)]
#[template(path = "dashboard/index.html")]
struct DashboardPage {
    c: Chrome,
    d: Dashboard,
    /// `?region=…` for links that keep the region ("" for the supervisor's own).
    region_q: String,
    on_time: String,
    cross: String,
    charts: Vec<Chart>,
}

impl DashboardPage {
    fn crumb(&self, r: &RegionRef) -> String {
        drill_href(r)
    }
}

fn region_query(d: &RegionRef) -> String {
    format!("?region={}", urlencode(&d.code))
}

/// `GET /dashboard?region=<code>`: the figures and charts of a region within the supervisor's.
async fn dashboard(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    Query(q): Query<RegionQuery>,
    uri: Uri,
) -> Result<Response, PageError> {
    user.require(&[Role::Supervisor], lang, &uri)?;
    let d = app
        .dashboard(&user, q.region.as_deref())
        .await
        .map_err(PageError::on(lang, &uri))?;
    let tr = Tr { lang };
    let charts = vec![area_chart(tr, &d), mode_chart(tr, &d), item_chart(tr, &d)];
    let page = DashboardPage {
        c: Chrome::signed_in(lang, &uri, &user),
        region_q: region_query(&d.region),
        on_time: percent_text(d.on_time_per_mille),
        cross: percent_text(d.cross_region_per_mille),
        charts,
        d,
    };
    Ok(render(&page, StatusCode::OK, lang))
}

#[derive(Debug, Deserialize)]
struct DueQuery {
    region: Option<String>,
    #[serde(default)]
    flag: String,
}

#[derive(Template)]
#[template(path = "dashboard/due.html")]
struct DuePage {
    c: Chrome,
    list: DueList,
    title: &'static str,
    region_q: String,
}

/// `GET /dashboard/due?flag=near_due|overdue&region=<code>`: the open items behind a count.
async fn due(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    Query(q): Query<DueQuery>,
    uri: Uri,
) -> Result<Response, PageError> {
    user.require(&[Role::Supervisor], lang, &uri)?;
    let err = PageError::on(lang, &uri);
    let flag = DueFlag::parse(&q.flag).map_err(err)?;
    let list = app
        .due_list(&user, q.region.as_deref(), flag)
        .await
        .map_err(err)?;
    let tr = Tr { lang };
    let page = DuePage {
        c: Chrome::signed_in(lang, &uri, &user),
        title: tr.t(match flag {
            DueFlag::NearDue => "dashboard.due.near_title",
            DueFlag::Overdue => "dashboard.due.over_title",
        }),
        region_q: region_query(&list.region),
        list,
    };
    Ok(render(&page, StatusCode::OK, lang))
}

/// `GET /dashboard/export/{chart}.csv|.xlsx?region=<code>`: the table behind a chart.
async fn export(
    State(app): State<AppState>,
    PageLang(lang): PageLang,
    user: PageUser,
    Path(file): Path<String>,
    Query(q): Query<RegionQuery>,
    uri: Uri,
) -> Result<Response, PageError> {
    user.require(&[Role::Supervisor], lang, &uri)?;
    let err = PageError::on(lang, &uri);
    let no_such = || {
        err(AppError::not_found(
            "stats.no_such_export",
            format!(
                "There is no export {file}; the charts are area, mode and item, as .csv or .xlsx."
            ),
            format!("没有 {file} 这个导出；可导出 area、mode、item 三张表，格式为 .csv 或 .xlsx。"),
        ))
    };
    let Some((id, ext)) = file.rsplit_once('.') else {
        return Err(no_such());
    };
    if ext != "csv" && ext != "xlsx" {
        return Err(no_such());
    }
    let tr = Tr { lang };
    // The chart name is checked before any figure is computed.
    if !matches!(id, "area" | "mode" | "item") {
        return Err(no_such());
    }
    let d = app
        .dashboard(&user, q.region.as_deref())
        .await
        .map_err(err)?;
    let Some(chart) = chart_of(id, tr, &d) else {
        return Err(no_such());
    };
    let name = format!("dashboard-{id}-{}.{ext}", d.region.code);
    let (body, content_type) = if ext == "csv" {
        (csv(&chart).into_bytes(), "text/csv; charset=utf-8")
    } else {
        let bytes = xlsx(&chart).map_err(|e| err(AppError::internal(e)))?;
        (
            bytes,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    };
    let mut resp = (StatusCode::OK, body).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

/// A CSV field, quoted when it must be.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The chart's table as CSV: UTF-8 with a byte-order mark so that Excel reads the Chinese.
fn csv(chart: &Chart) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(&format!(
        "{},{}\r\n",
        csv_field(chart.col),
        csv_field(chart.count_col)
    ));
    for b in &chart.bars {
        out.push_str(&format!("{},{}\r\n", csv_field(&b.label), b.count));
    }
    out
}

/// The chart's table as a one-sheet workbook: a header row, then names and counts as numbers.
fn xlsx(chart: &Chart) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(chart.id)?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    sheet.write_string_with_format(0, 0, chart.col, &bold)?;
    sheet.write_string_with_format(0, 1, chart.count_col, &bold)?;
    for (i, b) in chart.bars.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        sheet.write_string(row, 0, &b.label)?;
        // Counts are far below 2^53: exact as an f64.
        #[allow(clippy::cast_precision_loss)]
        sheet.write_number(row, 1, b.count as f64)?;
    }
    sheet.set_column_width(0, 40)?;
    book.save_to_buffer()
}
