//! Browser flows of the work pages: an approver works a case from the to-do list to its
//! conclusion, by clicking and typing.

use std::time::Duration;

use fantoccini::{Client, Locator};
use serde_json::{Value, json};

use super::{
    Failure, body_text, check, html_lang, run_with, screenshot_for_docs, sign_in, wait_for,
};

/// A 40×30 red PNG: the household register's "scan".
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0xd, 0xa, 0x1a, 0xa, 0x0, 0x0, 0x0, 0xd, 0x49, 0x48, 0x44, 0x52, 0x0,
    0x0, 0x0, 0x28, 0x0, 0x0, 0x0, 0x1e, 0x8, 0x2, 0x0, 0x0, 0x0, 0xd1, 0xbf, 0xcb, 0x8a, 0x0, 0x0,
    0x0, 0x2b, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0xed, 0xcd, 0x31, 0xd, 0x0, 0x0, 0x8, 0x3, 0xb0,
    0x29, 0x99, 0x7f, 0x29, 0xc8, 0x42, 0x6, 0x1c, 0x4d, 0xfa, 0x37, 0xd3, 0x9e, 0x88, 0x58, 0x2c,
    0x16, 0x8b, 0xc5, 0x62, 0xb1, 0x58, 0x2c, 0x16, 0x8b, 0xff, 0xc6, 0xb, 0xe4, 0xd9, 0xc2, 0xfd,
    0xbb, 0xfd, 0x12, 0x80, 0x0, 0x0, 0x0, 0x0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

async fn timeline_len(b: &Client) -> Result<usize, Failure> {
    Ok(b.find_all(Locator::Css("#events > li")).await?.len())
}

/// Submits one action form and waits for the page after it to show the new timeline entry.
async fn submit(b: &Client, form: &str, kind: &str) -> Result<(), Failure> {
    b.find(Locator::Css(&format!("#{form} button[type=submit]")))
        .await?
        .click()
        .await?;
    wait_for(b, &format!("#events > li[data-kind='sub_case.{kind}']")).await?;
    Ok(())
}

/// The Hengyang case, set up through the API: a village clerk in 衡南县 receives it with a scan of
/// the household register and accepts it; 耒阳市人社局's approver then works it in the browser.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approver_works_a_case_from_the_list_to_its_conclusion() {
    run_with("work_approver", |b, server| async move {
        let base = server.base.clone();
        let center = server.village_center("430422").await;
        let clerk = server
            .account("b.clerk", "clerk", |a| a.center_code = Some(center))
            .await;
        server
            .account("b.appr", "approver", |a| {
                a.department_code = Some("430481-hrss".into());
                a.display_name = Some("王审批".into());
            })
            .await;
        let http = &server.client;
        let file: Value = http
            .post(server.url("/api/v1/files"))
            .bearer_auth(&clerk)
            .header("content-type", "image/png")
            .body(PNG.to_vec())
            .send()
            .await?
            .json()
            .await?;
        let case: Value = http
            .post(server.url("/api/v1/cases"))
            .bearer_auth(&clerk)
            .json(&json!({
                "item": "430400-RS-0001",
                "form": {
                    "applicant_name": "李耒阳",
                    "applicant_id": "430481199003150014",
                    "mobile": "13812345678",
                    "hukou_region": "430481",
                    "contribution_grade": "300"
                },
                "materials": [
                    { "material": "M-ID-CARD", "paper": true },
                    { "material": "M-HUKOU-BOOK", "file": file["sha256"], "file_name": "hukou.png" }
                ]
            }))
            .send()
            .await?
            .json()
            .await?;
        let number = case["number"].as_str().ok_or("a case number")?.to_string();
        let accepted: Value = http
            .post(server.url(&format!("/api/v1/cases/{number}/actions")))
            .bearer_auth(&clerk)
            .json(&json!({"sub_case": 1, "version": 1, "action": "accept"}))
            .send()
            .await?
            .json()
            .await?;
        let deadline = accepted["sub_cases"][0]["deadline"]
            .as_str()
            .ok_or("a deadline after acceptance")?
            .to_string();

        // Signing in lands on the to-do list, with the case and its deadline.
        sign_in(&b, &base, "b.appr").await?;
        check(
            b.current_url().await?.path() == "/work",
            "the approver lands on /work",
        )?;
        let row = wait_for(&b, &format!("tr[data-case='{number}']")).await?;
        let row_text = row.text().await?;
        check(
            row_text.contains(&deadline) && row_text.contains("城乡居民基本养老保险参保登记"),
            format!("the row shows the item and deadline {deadline}: {row_text}"),
        )?;
        screenshot_for_docs(&b, "approver").await?;

        // Open the case: the scan is shown inline.
        b.find(Locator::LinkText(&number)).await?.click().await?;
        wait_for(&b, "#case-number").await?;
        let img = wait_for(&b, ".preview img").await?;
        let mut width = 0;
        for _ in 0..50 {
            let w = b
                .execute(
                    "return arguments[0].naturalWidth;",
                    vec![serde_json::to_value(&img)?],
                )
                .await?;
            width = w.as_u64().unwrap_or(0);
            if width > 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        check(width == 40, format!("the scan is previewed, width {width}"))?;
        let text = body_text(&b).await?;
        check(
            text.contains("430481********0014") && !text.contains("430481199003150014"),
            "the applicant's ID is masked",
        )?;
        let before = timeline_len(&b).await?;

        // Review, approve, conclude — each through its form; the timeline grows each time.
        b.find(Locator::Css("#act-1-review-text"))
            .await?
            .send_keys("材料齐全，符合参保条件")
            .await?;
        submit(&b, "act-1-review", "review").await?;
        check(
            timeline_len(&b).await? == before + 1,
            "the review is on the timeline",
        )?;
        b.find(Locator::Css("#act-1-approve-text"))
            .await?
            .send_keys("同意参保")
            .await?;
        submit(&b, "act-1-approve", "approve").await?;
        b.find(Locator::Css("#act-1-conclude-number"))
            .await?
            .send_keys("LY-2026-0001")
            .await?;
        b.find(Locator::Css("#act-1-conclude-content"))
            .await?
            .send_keys("已参保，缴费档次300元/年")
            .await?;
        submit(&b, "act-1-conclude", "conclude").await?;
        check(
            timeline_len(&b).await? >= before + 3,
            "review, approval and conclusion are on the timeline",
        )?;
        let status = b.find(Locator::Css("#sub-1 .status")).await?.text().await?;
        check(status == "已办结", format!("concluded, got {status:?}"))?;
        wait_for(&b, "#no-actions").await?;

        // The same page in English.
        b.find(Locator::Id("lang-en")).await?.click().await?;
        wait_for(&b, "#lang-zh").await?;
        check(html_lang(&b).await? == "en", "English after the switch")?;
        let status = b.find(Locator::Css("#sub-1 .status")).await?.text().await?;
        check(
            status == "Concluded",
            format!("English status, got {status:?}"),
        )?;
        check(
            body_text(&b).await?.contains("Timeline"),
            "the timeline heading in English",
        )?;

        // Back to the list: nothing is waiting any more.
        b.goto(&format!("{base}/work")).await?;
        wait_for(&b, "#queue-empty").await?;
        Ok(())
    })
    .await;
}
