//! HTTP tests of the dashboard pages: real figures from cases made through the API (on-time rate
//! 1 of 2, an overdue and a near-due item), drill-down city → county → town, the due list, CSV
//! and xlsx exports, both languages, and who may see what.

use serde_json::{Value, json};

use crate::harness::TestServer;

crate::on_both_backends!(
    dashboard_shows_real_figures_drills_down_and_exports,
    dashboard_refuses_other_roles_anonymous_users_and_other_regions,
);

const LEIYANG_ID: &str = "430481199003150014";

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// GET as the holder of `token` (a page session), optionally in English.
async fn page(s: &TestServer, path: &str, token: Option<&str>, en: bool) -> reqwest::Response {
    let mut cookie = String::new();
    if let Some(t) = token {
        cookie.push_str(&format!("tongban_session={t}"));
    }
    if en {
        cookie.push_str("; tongban_lang=en");
    }
    client()
        .get(s.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
}

async fn text(s: &TestServer, path: &str, token: &str, en: bool) -> (u16, String) {
    let r = page(s, path, Some(token), en).await;
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

fn assert_page_budget(body: &str) {
    assert!(body.len() < 100_000, "page is {} bytes", body.len());
    for attr in ["src=\"http", "href=\"http"] {
        assert!(!body.contains(attr), "external URL in a page");
    }
}

async fn api(s: &TestServer, path: &str, token: &str, body: Value) -> Value {
    let resp = s
        .client
        .post(s.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let v: Value = resp.json().await.unwrap();
    assert!(status == 200 || status == 201, "{path}: {status} {v}");
    v
}

fn pension() -> Value {
    json!({
        "item": "430400-RS-0001",
        "form": {
            "applicant_name": "李耒阳", "applicant_id": LEIYANG_ID, "mobile": "13812345678",
            "hukou_region": "430481", "contribution_grade": "300"
        },
        "materials": [ { "material": "M-ID-CARD", "paper": true } ]
    })
}

/// Moves an accepted sub-case's deadline (there is no settable clock): a day in the past makes
/// it overdue (or a concluded one late), today makes it near-due.
async fn set_deadline(s: &TestServer, number: &str, deadline: &str) {
    let case = s.app.store.case(number).await.unwrap().unwrap();
    let mut subs = s.app.store.sub_cases(number).await.unwrap();
    for sub in &mut subs {
        sub.deadline = Some(deadline.to_string());
    }
    let applied = s
        .app
        .store
        .apply_case_change(&tongban_store::CaseChange {
            number: number.to_string(),
            expected_version: case.version,
            status: case.status,
            closed_at: case.closed_at,
            sub_cases: subs,
            materials: Vec::new(),
            events: Vec::new(),
            before: None,
        })
        .await
        .unwrap();
    assert!(applied);
}

struct World {
    supervisor: String,
    county_supervisor: String,
    clerk: String,
    numbers: Vec<String>,
}

/// Four pension cases received at a village point in 衡南县 and handled in 耒阳市: two concluded
/// (one on time, one late), one open and overdue, one open and near-due.
async fn world(s: &TestServer) -> World {
    let center = s.village_center("430422").await;
    let clerk = s
        .account("d.clerk", "clerk", |a| a.center_code = Some(center.clone()))
        .await;
    let approver = s
        .account("d.appr", "approver", |a| {
            a.department_code = Some("430481-hrss".into())
        })
        .await;
    let supervisor = s
        .account("d.sup", "supervisor", |a| {
            a.region_code = Some("430400".into())
        })
        .await;
    let county_supervisor = s
        .account("d.sup2", "supervisor", |a| {
            a.region_code = Some("430405".into())
        })
        .await;
    let today = s.app.clock.today().format("%Y-%m-%d").to_string();
    let mut numbers = Vec::new();
    for i in 0..4 {
        let c = api(s, "/api/v1/cases", &clerk, pension()).await;
        let n = c["number"].as_str().unwrap().to_string();
        let path = format!("/api/v1/cases/{n}/actions");
        api(
            s,
            &path,
            &clerk,
            json!({"sub_case": 1, "version": 1, "action": "accept"}),
        )
        .await;
        if i < 2 {
            api(
                s,
                &path,
                &approver,
                json!({"sub_case": 1, "version": 2, "action": "review", "opinion": "符合条件"}),
            )
            .await;
            api(s, &path, &approver, json!({"sub_case": 1, "version": 3, "action": "conclude",
                "result": {"number": format!("LY-{i}"), "content": "已参保", "issuer": "耒阳市人力资源和社会保障局",
                           "issued_on": today, "approved": true}})).await;
        }
        match i {
            1 | 2 => set_deadline(s, &n, "2001-01-05").await,
            3 => set_deadline(s, &n, &today).await,
            _ => {}
        }
        numbers.push(n);
    }
    World {
        supervisor,
        county_supervisor,
        clerk,
        numbers,
    }
}

async fn dashboard_shows_real_figures_drills_down_and_exports(s: &TestServer) {
    let w = world(s).await;

    // The city: 4 items, all received in 衡南县, on time 1 of 2, one overdue, one near-due.
    let (status, body) = text(s, "/dashboard", &w.supervisor, false).await;
    assert_eq!(status, 200, "{body}");
    assert_page_budget(&body);
    assert!(body.contains("<html lang=\"zh-CN\""));
    assert!(body.contains("统计分析 · 衡阳市"));
    assert!(
        body.contains("<strong class=\"kpi-value\">50.0%</strong>"),
        "on-time 1 of 2"
    );
    assert!(body.contains("1 / 2"));
    let kpi = |id: &str| {
        let from = body.find(&format!("id=\"{id}\"")).unwrap();
        let rest = &body[from..];
        let v = rest.split("<strong class=\"kpi-value\">").nth(1).unwrap();
        v.split('<').next().unwrap().to_string()
    };
    assert_eq!(kpi("kpi-overdue"), "1");
    assert_eq!(kpi("kpi-near-due"), "1");
    assert_eq!(
        kpi("kpi-cross"),
        "100.0%",
        "received in 衡南县, handled in 耒阳市"
    );
    assert_eq!(kpi("kpi-trips"), "4", "8 trips the old way, 4 made");
    assert!(body.contains("<svg") && body.contains("<title id=\"t-area\">"));
    assert!(
        body.contains(
            "<a href=\"/dashboard?region=430422\">衡南县</a></th><td class=\"num\">4</td>"
        ),
        "county row with 4 and a drill-down link"
    );
    assert!(body.contains("窗口办</th><td class=\"num\">4</td>"));
    assert!(body.contains("城乡居民基本养老保险参保登记</th><td class=\"num\">4</td>"));

    // English.
    let (status, en) = text(s, "/dashboard", &w.supervisor, true).await;
    assert_eq!(status, 200);
    assert!(en.contains("<html lang=\"en\""));
    assert!(en.contains("On-time rate") && en.contains("By county") && en.contains("At a window"));
    assert!(!en.contains("按时办结率"));

    // Drill down: county, then a town.
    let (status, county) = text(s, "/dashboard?region=430422", &w.supervisor, false).await;
    assert_eq!(status, 200);
    assert!(county.contains("按乡镇（街道）"));
    assert!(
        county.contains("<a href=\"/dashboard?region=430400\">衡阳市</a>"),
        "breadcrumb"
    );
    let town = county
        .split("<a href=\"/dashboard?region=430422")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .map(|rest| format!("430422{rest}"))
        .expect("a town link");
    assert_eq!(town.len(), 9, "{town}");
    assert!(county.contains("</a></th><td class=\"num\">4</td>"));
    let (status, town_page) = text(
        s,
        &format!("/dashboard?region={town}"),
        &w.supervisor,
        false,
    )
    .await;
    assert_eq!(status, 200);
    assert!(town_page.contains("按村（社区）"));
    assert_page_budget(&town_page);

    // The overdue list names the case and links to the case page.
    let (status, list) = text(
        s,
        "/dashboard/due?region=430400&flag=overdue",
        &w.supervisor,
        false,
    )
    .await;
    assert_eq!(status, 200);
    assert_page_budget(&list);
    assert!(list.contains(&format!("<a href=\"/cases/{0}\">{0}</a>", w.numbers[2])));
    assert!(list.contains("耒阳市人力资源和社会保障局") && list.contains("2001-01-05"));
    assert!(
        !list.contains(&w.numbers[1]),
        "a concluded late case is not overdue"
    );
    let (_, near) = text(s, "/dashboard/due?flag=near_due", &w.supervisor, true).await;
    assert!(near.contains("Near-due items") && near.contains(&w.numbers[3]));

    // Exports: CSV with a BOM and the header in the user's language; xlsx is a zip.
    let r = page(
        s,
        "/dashboard/export/area.csv?region=430400",
        Some(&w.supervisor),
        false,
    )
    .await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 BOM");
    let csv = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert_eq!(csv, "收件地,件数\r\n衡南县,4\r\n");
    let r = page(s, "/dashboard/export/mode.csv", Some(&w.supervisor), true).await;
    let csv = r.text().await.unwrap();
    assert!(
        csv.contains("Handling mode,Items\r\nAt a window,4\r\n"),
        "{csv}"
    );
    let r = page(s, "/dashboard/export/item.xlsx", Some(&w.supervisor), false).await;
    assert_eq!(r.status().as_u16(), 200);
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"), "an xlsx is a zip");
    assert!(
        bytes.windows(24).any(|w| w == b"xl/worksheets/sheet1.xml"),
        "with one sheet"
    );
    let _ = &w.clerk;
    s.assert_counters_match_a_scan(&["window"]).await;
}

async fn dashboard_refuses_other_roles_anonymous_users_and_other_regions(s: &TestServer) {
    let w = world(s).await;
    // Anonymous: to sign-in, and back here afterwards.
    for path in [
        "/dashboard",
        "/dashboard/due?flag=overdue",
        "/dashboard/export/area.csv",
    ] {
        let r = page(s, path, None, false).await;
        assert_eq!(r.status().as_u16(), 303, "{path}");
        let to = r.headers()["location"].to_str().unwrap().to_string();
        assert!(to.starts_with("/login?back="), "{to}");
    }
    // Another role: a human 403 in the user's language.
    for path in ["/dashboard", "/dashboard/export/area.csv"] {
        let (status, body) = text(s, path, &w.clerk, false).await;
        assert_eq!(status, 403, "{path}");
        assert!(body.contains("您的角色无权使用此页面"));
        let (status, body) = text(s, path, &w.clerk, true).await;
        assert_eq!(status, 403);
        assert!(body.contains("This page is for other roles"));
    }
    // 雁峰区's supervisor sees none of these cases and not 衡南县's figures.
    let (status, body) = text(s, "/dashboard", &w.county_supervisor, false).await;
    assert_eq!(status, 200);
    assert!(body.contains("<strong class=\"kpi-value\">0</strong>"));
    assert!(body.contains("暂无数据"));
    for path in [
        "/dashboard?region=430422",
        "/dashboard/export/area.csv?region=430400",
        "/dashboard/due?flag=overdue&region=430422",
    ] {
        let (status, body) = text(s, path, &w.county_supervisor, false).await;
        assert_eq!(status, 404, "{path}");
        assert!(body.contains("在您的辖区内找不到行政区划"), "{body}");
        assert_page_budget(&body);
    }
    let (status, body) = text(s, "/dashboard?region=430422", &w.county_supervisor, true).await;
    assert_eq!(status, 404);
    assert!(body.contains("There is no region 430422 within your region."));
    // Unknown export or flag: a human sentence, no stack trace.
    let (status, body) = text(s, "/dashboard/export/pie.pdf", &w.supervisor, false).await;
    assert_eq!(status, 404);
    assert!(body.contains("没有 pie.pdf 这个导出"));
    let (status, body) = text(s, "/dashboard/due?flag=soon", &w.supervisor, true).await;
    assert_eq!(status, 400);
    assert!(body.contains("flag must be near_due or overdue"));
}
