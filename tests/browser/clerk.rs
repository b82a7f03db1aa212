//! Browser flows of the clerk pages: a clerk at a village service point calls the waiting number,
//! receives a walk-in person's application (a wrong ID number first), accepts it and prints the
//! acceptance notice; the case shows on the workstation, also in English.

use chrono::{Duration, Timelike, Utc};
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

use super::{Failure, body_text, check, html_lang, run_with, sign_in, wait_for};
use crate::harness::TestServer;

/// A valid resident ID issued in 耒阳市 (430481), and the same with a wrong check character.
const LEIYANG_ID: &str = "430481199003150014";
const BAD_ID: &str = "430481199003150015";
const ITEM: &str = "430400-RS-0001";

/// Opens round-the-clock slots at `center` (as its clerk), books as a citizen and checks in;
/// returns the waiting ticket's number.
async fn one_ticket(s: &TestServer, center: &str, clerk: &str) -> Result<String, Failure> {
    let citizen = s
        .account("bq.cit", "applicant", |a| {
            a.id_number = Some(LEIYANG_ID.into())
        })
        .await;
    let all_day = json!([{"start": "00:00", "end": "24:00"}]);
    let template = json!({
        "slot_minutes": 60, "workday": all_day, "saturday": all_day, "sunday": all_day,
        "window_types": [
            {"key": "general", "name": "综合窗口", "prefix": "A", "capacity": 5},
            {"key": "social_security", "name": "社保医保窗口", "prefix": "B", "capacity": 5, "department_types": ["hrss"]}
        ],
        "max_open_bookings": 3, "horizon_days": 30
    });
    let r = s
        .client
        .put(s.url(&format!("/api/v1/centers/{center}/slot-template")))
        .bearer_auth(clerk)
        .json(&template)
        .send()
        .await?;
    check(r.status().as_u16() == 200, "slot template stored")?;
    let at = (Utc::now() + Duration::hours(8) + Duration::minutes(2)).naive_utc();
    let (date, time) = (at.date(), format!("{:02}:00", at.hour()));
    for d in [date, date + Duration::days(1)] {
        let r = s
            .client
            .post(s.url(&format!("/api/v1/centers/{center}/extended-days")))
            .bearer_auth(clerk)
            .json(&json!({"date": d.to_string(), "name": "测试延时"}))
            .send()
            .await?;
        check(r.status().as_u16() == 200, "extended day")?;
    }
    let r = s
        .client
        .post(s.url("/api/v1/appointments"))
        .bearer_auth(&citizen)
        .json(&json!({"center": center, "item": ITEM, "date": date.to_string(), "time": time}))
        .send()
        .await?;
    check(r.status().as_u16() == 201, "booked")?;
    let id = r.json::<Value>().await?["id"].as_i64().unwrap_or_default();
    let r = s
        .client
        .post(s.url(&format!("/api/v1/appointments/{id}/check-in")))
        .bearer_auth(&citizen)
        .send()
        .await?;
    check(r.status().as_u16() == 201, "checked in")?;
    Ok(r.json::<Value>().await?["number"]
        .as_str()
        .unwrap_or_default()
        .to_string())
}

async fn type_into(b: &Client, css: &str, text: &str) -> Result<(), Failure> {
    let e = b.find(Locator::Css(css)).await?;
    e.clear().await?;
    e.send_keys(text).await?;
    Ok(())
}

async fn click(b: &Client, css: &str) -> Result<(), Failure> {
    b.find(Locator::Css(css)).await?.click().await?;
    Ok(())
}

/// A clerk calls the waiting number, receives a walk-in application, accepts it, prints the
/// acceptance notice and finds the case on the workstation, in Chinese and in English.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clerk_calls_receives_accepts_and_prints() {
    run_with("clerk", |b, server| async move {
        let base = server.base.clone();
        let center = server.village_center("430422").await;
        let c = center.clone();
        let token = server
            .account("b.clerk", "clerk", move |a| a.center_code = Some(c))
            .await;
        let ticket = one_ticket(&server, &center, &token).await?;

        // Signed in, the clerk lands on the workstation.
        sign_in(&b, &base, "b.clerk").await?;
        check(
            b.current_url().await?.path() == "/clerk",
            "the clerk lands on /clerk",
        )?;
        check(html_lang(&b).await? == "zh-CN", "Chinese by default")?;
        let h1 = wait_for(&b, "h1").await?.text().await?;
        check(h1.contains("窗口工作台"), format!("heading: {h1}"))?;
        super::screenshot_for_docs(&b, "clerk").await?;

        // The queue: one person waits; call them.
        let waiting = wait_for(&b, "#waiting-social_security")
            .await?
            .text()
            .await?;
        check(waiting == "1", format!("waiting: {waiting}"))?;
        type_into(&b, "#counter-social_security", "2").await?;
        click(&b, "#call-social_security").await?;
        wait_for(&b, &format!("#serving-{ticket}")).await?;

        // Receive: find the item by its initials, open its form.
        click(&b, "#receive").await?;
        type_into(&b, "#q", "ylbx").await?;
        click(&b, "#find").await?;
        wait_for(&b, &format!("a[href='/clerk/receive/items/{ITEM}']"))
            .await?
            .click()
            .await?;
        wait_for(&b, "#f-applicant_name").await?;
        type_into(&b, "#f-applicant_name", "李耒阳").await?;
        type_into(&b, "#f-applicant_id", BAD_ID).await?;
        type_into(&b, "#f-mobile", "13812345678").await?;
        type_into(&b, "#f-hukou_region", "430481").await?;
        b.find(Locator::XPath(
            "//select[@id='f-contribution_grade']/option[text()='300']",
        ))
        .await?
        .click()
        .await?;
        click(&b, "#paper-M-ID-CARD").await?;
        click(&b, "#paper-M-HUKOU-BOOK").await?;
        click(&b, "#submit").await?;

        // A wrong ID number: a human sentence next to the field, what was typed kept.
        let err = wait_for(&b, "#e-applicant_id").await?.text().await?;
        check(err.contains("校验码"), format!("ID error: {err}"))?;
        let kept = b
            .find(Locator::Css("#f-applicant_name"))
            .await?
            .prop("value")
            .await?
            .unwrap_or_default();
        check(kept == "李耒阳", "the name is kept")?;
        let ticked = b
            .find(Locator::Css("#paper-M-HUKOU-BOOK"))
            .await?
            .prop("checked")
            .await?;
        check(ticked.as_deref() == Some("true"), "the tick is kept")?;
        type_into(&b, "#f-applicant_id", LEIYANG_ID).await?;
        click(&b, "#submit").await?;

        // Created: accept at once, then print the acceptance notice.
        let number = wait_for(&b, "#case-number").await?.text().await?;
        check(number.starts_with("TB"), format!("case number: {number}"))?;
        click(&b, "#accept").await?;
        wait_for(&b, "#print-receipt").await?.click().await?;
        let mut title = String::new();
        for _ in 0..50 {
            title = b.title().await?;
            if title.contains("受理通知书") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        check(
            title.contains("受理通知书") && title.contains(&number),
            format!("receipt title: {title}"),
        )?;
        check(
            body_text(&b).await?.contains(&number),
            "the receipt names the case",
        )?;

        // Back at the workstation the case is listed; then in English.
        b.goto(&format!("{base}/clerk")).await?;
        let list = wait_for(&b, "#received").await?.text().await?;
        check(
            list.contains(&number) && list.contains("已受理"),
            format!("received list: {list}"),
        )?;
        click(&b, "#lang-en").await?;
        let h1 = wait_for(&b, "h1").await?.text().await?;
        check(
            h1.contains("Window workstation"),
            format!("English heading: {h1}"),
        )?;
        let list = wait_for(&b, "#received").await?.text().await?;
        check(
            list.contains(&number) && list.contains("Accepted"),
            format!("English list: {list}"),
        )?;
        Ok(())
    })
    .await;
}
