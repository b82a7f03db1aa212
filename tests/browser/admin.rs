//! Browser flows of the admin pages: a catalog administrator finds an item, changes its committed
//! time limit in the editor, saves, and reads the new version and the diff (in English too).

use fantoccini::Locator;

use super::{
    body_text, check, html_lang, run_with, screenshot_for_docs, sign_in, wait_for, wait_for_query,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalog_admin_edits_a_time_limit_and_reads_the_diff() {
    run_with("admin_edit_time_limit", |b, server| async move {
        let base = server.base.clone();
        server.account("ba-admin", "catalog_admin", |_| {}).await;
        sign_in(&b, &base, "ba-admin").await?;
        let url = b.current_url().await?;
        check(
            url.path() == "/admin/catalog",
            format!("lands on the catalog list: {url}"),
        )?;
        check(html_lang(&b).await? == "zh-CN", "Chinese by default")?;
        screenshot_for_docs(&b, "catalog-admin").await?;

        // Find the item by its pinyin initials.
        b.find(Locator::Css("#q")).await?.send_keys("ylbx").await?;
        b.find(Locator::Css("#filter")).await?.click().await?;
        wait_for_query(&b, "the filter is in the address", |q| q.contains("q=ylbx")).await?;
        wait_for(&b, "#count").await?;
        b.find(Locator::LinkText("城乡居民基本养老保险参保登记"))
            .await?
            .click()
            .await?;
        wait_for(&b, "#edit").await?;
        check(
            b.find(Locator::Css("#current-version"))
                .await?
                .text()
                .await?
                == "1",
            "version 1 before the edit",
        )?;
        b.find(Locator::Css("#edit")).await?.click().await?;

        // Change the committed time limit in the TOML text, as typed.
        let area = wait_for(&b, "textarea#toml").await?;
        let text = area.prop("value").await?.unwrap_or_default();
        check(
            text.contains("committed_limit_days = 3"),
            "the editor holds the item's text",
        )?;
        area.clear().await?;
        area.send_keys(&text.replace("committed_limit_days = 3", "committed_limit_days = 4"))
            .await?;
        b.find(Locator::Css("#save")).await?.click().await?;

        let notice = wait_for(&b, "#notice").await?.text().await?;
        check(
            notice.contains("已保存为第 2 版"),
            format!("saved as version 2: {notice:?}"),
        )?;
        check(
            b.find(Locator::Css("#committed")).await?.text().await? == "4 个工作日",
            "the summary shows the new limit",
        )?;

        // The diff between versions 1 and 2 marks the changed line in words.
        b.find(Locator::LinkText("与上一版比较"))
            .await?
            .click()
            .await?;
        let diff = wait_for(&b, "#diff").await?.text().await?;
        check(
            diff.contains("− 删除 committed_limit_days = 3")
                && diff.contains("+ 新增 committed_limit_days = 4"),
            format!("the diff shows the change: {diff}"),
        )?;

        // The same page in English.
        b.find(Locator::Id("lang-en")).await?.click().await?;
        wait_for(&b, "#lang-zh").await?;
        check(html_lang(&b).await? == "en", "English after the switch")?;
        let body = body_text(&b).await?;
        check(
            body.contains("Differences between versions") && body.contains("+ added"),
            "the diff in English",
        )?;
        Ok(())
    })
    .await;
}
