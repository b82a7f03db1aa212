//! Browser flows of the dashboard pages: a city supervisor signs in, lands on the dashboard with
//! real figures, drills down city → county → town by clicking, exports a table, and reads it in
//! English.

use fantoccini::Locator;
use serde_json::json;

use super::{
    Failure, body_text, check, html_lang, run_with, screenshot_for_docs, sign_in, wait_for,
    wait_for_query,
};

/// Three pension cases received at a village point in 衡南县, one of them concluded.
async fn cases(s: &super::harness::TestServer) -> Result<(), Failure> {
    let center = s.village_center("430422").await;
    let clerk = s
        .account("b.clerk", "clerk", |a| a.center_code = Some(center.clone()))
        .await;
    let approver = s
        .account("b.appr", "approver", |a| {
            a.department_code = Some("430481-hrss".into())
        })
        .await;
    for i in 0..3 {
        let resp = s
            .client
            .post(s.url("/api/v1/cases"))
            .bearer_auth(&clerk)
            .json(&json!({
                "item": "430400-RS-0001",
                "form": {"applicant_name": "李耒阳", "applicant_id": "430481199003150014",
                         "mobile": "13812345678", "hukou_region": "430481", "contribution_grade": "300"},
                "materials": [ { "material": "M-ID-CARD", "paper": true } ]
            }))
            .send()
            .await?;
        check(resp.status().as_u16() == 201, "case created")?;
        let case: serde_json::Value = resp.json().await?;
        let n = case["number"].as_str().unwrap_or_default().to_string();
        let path = s.url(&format!("/api/v1/cases/{n}/actions"));
        let mut steps = vec![(
            clerk.clone(),
            json!({"sub_case": 1, "version": 1, "action": "accept"}),
        )];
        if i == 0 {
            let today = s.app.clock.today().format("%Y-%m-%d").to_string();
            steps.push((
                approver.clone(),
                json!({"sub_case": 1, "version": 2, "action": "review", "opinion": "符合"}),
            ));
            steps.push((approver.clone(), json!({"sub_case": 1, "version": 3, "action": "conclude",
                "result": {"number": "LY-1", "content": "已参保", "issuer": "耒阳市人力资源和社会保障局",
                           "issued_on": today, "approved": true}})));
        }
        for (token, body) in steps {
            let r = s
                .client
                .post(&path)
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await?;
            check(r.status().as_u16() == 200, format!("{body} applied"))?;
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supervisor_drills_down_and_exports() {
    run_with("dashboard_supervisor", |b, server| async move {
        cases(&server).await?;
        let token = server
            .account("b.sup", "supervisor", |a| {
                a.region_code = Some("430400".into())
            })
            .await;
        let base = server.base.clone();
        sign_in(&b, &base, "b.sup").await?;
        check(
            b.current_url().await?.path() == "/dashboard",
            "lands on /dashboard",
        )?;
        wait_for(&b, "svg.dash-bars").await?;
        let text = body_text(&b).await?;
        check(
            text.contains("按时办结率") && text.contains("100.0%"),
            format!("on-time rate: {text}"),
        )?;
        check(text.contains("衡南县"), "the county row")?;
        screenshot_for_docs(&b, "supervisor").await?;

        // City → county, by the table's link.
        b.find(Locator::Css("#table-area a")).await?.click().await?;
        wait_for_query(&b, "county level", |q| q == "region=430422").await?;
        wait_for(&b, "nav.crumbs a").await?;
        let text = body_text(&b).await?;
        check(
            text.contains("统计分析 · 衡南县") && text.contains("按乡镇（街道）"),
            "county page",
        )?;
        // County → town.
        b.find(Locator::Css("#table-area a")).await?.click().await?;
        wait_for(&b, "#table-area").await?;
        let text = body_text(&b).await?;
        check(text.contains("按村（社区）"), format!("town page: {text}"))?;
        let row = b
            .find(Locator::Css("#table-area tbody tr"))
            .await?
            .text()
            .await?;
        check(
            row.ends_with('3'),
            format!("the village row counts 3: {row}"),
        )?;

        // The CSV behind the chart, fetched as the signed-in supervisor.
        let href = b
            .find(Locator::Css("#export-area-csv"))
            .await?
            .attr("href")
            .await?
            .unwrap_or_default();
        let csv = server
            .client
            .get(server.url(&href))
            .header("cookie", format!("tongban_session={token}"))
            .send()
            .await?
            .text()
            .await?;
        check(
            csv.starts_with('\u{feff}') && csv.contains(",3\r\n"),
            format!("csv: {csv}"),
        )?;

        // English, by the language switch.
        b.find(Locator::Css("#lang-en")).await?.click().await?;
        wait_for(&b, "#lang-zh").await?;
        check(html_lang(&b).await? == "en", "lang=en")?;
        let text = body_text(&b).await?;
        check(
            text.contains("Dashboard") && text.contains("By village"),
            "English page",
        )?;
        Ok(())
    })
    .await;
}
