//! Browser flows of the citizen pages: search, read the guide, apply with a real PDF, land on the
//! case, find it in 我的办件 — in Chinese, then in English.

use std::time::Duration;

use fantoccini::Locator;

use super::{body_text, check, html_lang, run_with, screenshot_for_docs, sign_in, wait_for};

const PDF: &[u8] = b"%PDF-1.4\n% browser test material\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn citizen_searches_applies_with_a_pdf_and_follows_the_case() {
    run_with("citizen_apply", |b, server| async move {
        let base = server.base.clone();
        server
            .account("browser-applicant", "applicant", |a| {
                a.display_name = Some("王五".into());
                a.id_number = Some("430481199003150014".into());
            })
            .await;
        let dir = tempfile::tempdir()?;
        let pdf = dir.path().join("hukou.pdf");
        std::fs::write(&pdf, PDF)?;

        sign_in(&b, &base, "browser-applicant").await?;
        check(
            b.current_url().await?.path() == "/my/cases",
            "an applicant lands on my cases",
        )?;
        check(
            body_text(&b).await?.contains("您还没有办件"),
            "no cases yet",
        )?;

        // Search on the home page, open the guide, apply.
        b.goto(&format!("{base}/")).await?;
        b.find(Locator::Css("input[name=q]"))
            .await?
            .send_keys("养老保险参保")
            .await?;
        b.find(Locator::Css("form.search button[type=submit]"))
            .await?
            .click()
            .await?;
        wait_for(&b, "p[role=status]").await?;
        b.find(Locator::LinkText("城乡居民基本养老保险参保登记"))
            .await?
            .click()
            .await?;
        wait_for(&b, "#apply").await?.click().await?;
        wait_for(&b, "#submit-application").await?;
        check(
            b.current_url().await?.path() == "/apply/items/430400-RS-0001",
            "on the apply page",
        )?;
        let name = b
            .find(Locator::Id("f-applicant_name"))
            .await?
            .prop("value")
            .await?
            .unwrap_or_default();
        check(
            name == "王五",
            format!("name filled in from the account: {name:?}"),
        )?;

        // The form, as a person fills it: a mobile number, the hukou region, a grade, a file.
        b.find(Locator::Id("f-mobile"))
            .await?
            .send_keys("13800138000")
            .await?;
        b.find(Locator::Id("f-hukou_region"))
            .await?
            .send_keys("430422")
            .await?;
        b.find(Locator::Css("#f-contribution_grade option[value='500']"))
            .await?
            .click()
            .await?;
        b.find(Locator::Id("file-M-HUKOU-BOOK"))
            .await?
            .send_keys(&pdf.display().to_string())
            .await?;
        b.find(Locator::Id("submit-application"))
            .await?
            .click()
            .await?;

        // The case page.
        let number = b
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Id("case-number"))
            .await?
            .text()
            .await?;
        check(number.starts_with("TB"), format!("a case number: {number}"))?;
        let text = body_text(&b).await?;
        for word in [
            "城乡居民基本养老保险参保登记",
            "待受理",
            "衡南县",
            "hukou.pdf",
            "提交申请",
        ] {
            check(text.contains(word), format!("the case page shows {word}"))?;
        }

        // The county hall accepts it (through the service: the clerk's pages are not ours), so
        // the list has a committed deadline.
        server
            .account("browser-hall", "clerk", |a| {
                a.center_code = Some("C430422".into())
            })
            .await;
        let token = server
            .login("browser-hall", super::harness::TEST_PASSWORD)
            .await;
        let clerk = server.app.authenticate(&token).await?;
        let version = server.app.case_view(&clerk, &number).await?.version;
        server
            .app
            .act(
                &clerk,
                &number,
                tongban_app::cases::ActionRequest {
                    sub_case: 1,
                    version,
                    action: tongban_domain::case::Action::Accept,
                    files: Vec::new(),
                    on_behalf_of: None,
                },
            )
            .await?;

        // My cases lists it; then the same list in English.
        b.find(Locator::LinkText("我的办件")).await?.click().await?;
        wait_for(&b, "table.my-cases").await?;
        let row = b
            .find(Locator::Css("table.my-cases tbody tr"))
            .await?
            .text()
            .await?;
        check(
            row.contains(&number) && row.contains("办理中") && row.contains("已受理"),
            format!("the case in the list: {row}"),
        )?;
        check(
            row.matches("-").count() >= 4,
            format!("a committed deadline date in the row: {row}"),
        )?;
        screenshot_for_docs(&b, "citizen").await?;
        b.find(Locator::Id("lang-en")).await?.click().await?;
        wait_for(&b, "#lang-zh").await?;
        check(html_lang(&b).await? == "en", "English after the switch")?;
        let text = body_text(&b).await?;
        check(
            text.contains("My cases") && text.contains("Committed deadline"),
            "the list in English",
        )?;
        let row = b
            .find(Locator::Css("table.my-cases tbody tr"))
            .await?
            .text()
            .await?;
        check(
            row.contains(&number) && row.contains("Open"),
            format!("the case in the English list: {row}"),
        )?;
        Ok(())
    })
    .await;
}
