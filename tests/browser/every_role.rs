//! Every role's main page in the browser: under the 100 kB budget, no sideways scrolling on a
//! phone, and in English after the switch.

use std::time::Duration;

use fantoccini::Locator;

use super::{Failure, check, html_lang, run_with, sign_in, wait_for};

/// (user name, role, the page they land on).
const ROLES: &[(&str, &str, &str)] = &[
    ("every-citizen", "applicant", "/my/cases"),
    ("every-clerk", "clerk", "/clerk"),
    ("every-approver", "approver", "/work"),
    ("every-supervisor", "supervisor", "/dashboard"),
    ("every-catalog", "catalog_admin", "/admin/catalog"),
];

const BUDGET: u64 = 100 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_roles_main_page_fits_a_phone_the_budget_and_both_languages() {
    run_with("every_role", |b, server| async move {
        let base = server.base.clone();
        let center = server.village_center("430422").await;
        for (name, role, _) in ROLES {
            server
                .account(name, role, |a| match *role {
                    "applicant" => a.id_number = Some("430481199003150014".into()),
                    "clerk" => a.center_code = Some(center.clone()),
                    "approver" => a.department_code = Some("430481-hrss".into()),
                    "supervisor" => a.region_code = Some("430400".into()),
                    _ => {}
                })
                .await;
        }
        for (name, _, home) in ROLES {
            b.delete_all_cookies().await?;
            b.set_window_size(1366, 768).await?;
            sign_in(&b, &base, name).await?;
            let url = b.current_url().await?;
            check(
                url.path() == *home,
                format!("{name} lands on {home}, not {url}"),
            )?;
            check(html_lang(&b).await? == "zh-CN", "Chinese first")?;
            let size = b
                .execute(
                    "return new Blob([document.documentElement.outerHTML]).size",
                    vec![],
                )
                .await?
                .as_u64()
                .unwrap_or(u64::MAX);
            check(size < BUDGET, format!("{home} is {size} bytes"))?;

            // A phone: nothing wider than the screen.
            b.set_window_size(375, 740).await?;
            tokio::time::sleep(Duration::from_millis(200)).await;
            let overflow = b
                .execute(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
                    vec![],
                )
                .await?
                .as_i64()
                .unwrap_or(i64::MAX);
            check(
                overflow <= 1,
                format!("{home} scrolls sideways by {overflow}px on a phone"),
            )?;

            b.find(Locator::Id("lang-en")).await?.click().await?;
            wait_for(&b, "#lang-zh").await?;
            check(html_lang(&b).await? == "en", format!("{home} in English"))?;
            check(
                b.current_url().await?.path() == *home,
                "the switch returns to the page",
            )?;
            b.find(Locator::Id("lang-zh")).await?.click().await?;
            wait_for(&b, "#lang-en").await?;
        }
        Ok::<(), Failure>(())
    })
    .await;
}
