//! HTTP tests of the catalog admin pages: who may see them, both languages, the editor's
//! validation (line and field of each problem, nothing saved), a good edit making version 2 that
//! the public guide shows, the diff, idempotent saves, and CSRF.

use crate::harness::TestServer;

crate::on_both_backends!(
    admin_pages_render_in_both_languages_for_admins_only,
    a_broken_edit_names_the_line_and_saves_nothing,
    a_good_edit_makes_a_version_the_guide_and_the_diff_show,
);

const CODE: &str = "430400-RS-0001";
const BUDGET: usize = 100 * 1024;

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// GET as the holder of `token` (or nobody), in English when `en`: status, Location, body.
async fn get(s: &TestServer, path: &str, token: Option<&str>, en: bool) -> (u16, String, String) {
    let mut cookies = Vec::new();
    if let Some(t) = token {
        cookies.push(format!("tongban_session={t}"));
    }
    if en {
        cookies.push("tongban_lang=en".to_string());
    }
    let mut req = browser().get(s.url(path));
    if !cookies.is_empty() {
        req = req.header("cookie", cookies.join("; "));
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, location, resp.text().await.unwrap())
}

async fn post(
    s: &TestServer,
    path: &str,
    token: &str,
    en: bool,
    form: &[(&str, &str)],
) -> (u16, String, String) {
    let mut cookie = format!("tongban_session={token}");
    if en {
        cookie.push_str("; tongban_lang=en");
    }
    let resp = browser()
        .post(s.url(path))
        .header("cookie", cookie)
        .form(form)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, location, resp.text().await.unwrap())
}

fn csrf_of(body: &str) -> String {
    body.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a CSRF token")
        .to_string()
}

fn assert_page_ok(path: &str, body: &str) {
    assert!(body.len() < BUDGET, "{path} is {} bytes", body.len());
    for bad in ["http://", "https://", "src=\"//", "href=\"//", "url(//"] {
        assert!(!body.contains(bad), "{path} references {bad}");
    }
}

async fn admin(s: &TestServer) -> String {
    s.account("pa-admin", "catalog_admin", |_| {}).await
}

/// The item's current text as its file holds it, and its versions.
fn current_text(s: &TestServer) -> String {
    let view = s.app.catalog();
    tongban_domain::catalog::render_item(&view.items.get(CODE).unwrap().item)
}

async fn version_count(s: &TestServer) -> usize {
    s.app.store.item_versions(CODE).await.unwrap().len()
}

/// 1-based number of the first line of `text` starting with `prefix`.
fn line_of(text: &str, prefix: &str) -> usize {
    text.lines().position(|l| l.starts_with(prefix)).unwrap() + 1
}

async fn admin_pages_render_in_both_languages_for_admins_only(s: &TestServer) {
    let token = admin(s).await;
    let citizen = s
        .account("pa-citizen", "applicant", |a| {
            a.id_number = Some("430481199003150014".into());
        })
        .await;
    let pages = [
        "/admin/catalog".to_string(),
        "/admin/catalog?q=ylbx&kind=items".to_string(),
        "/admin/catalog?department=hrss".to_string(),
        format!("/admin/catalog/items/{CODE}"),
        format!("/admin/catalog/items/{CODE}/edit"),
        format!("/admin/catalog/items/{CODE}/versions?from=1&to=1"),
        "/admin/catalog/items/new".to_string(),
        "/admin/catalog/bundles/YJS-CXJMYLCB".to_string(),
        "/admin/catalog/bundles/YJS-CXJMYLCB/edit".to_string(),
    ];
    for path in &pages {
        let (status, _, zh) = get(s, path, Some(&token), false).await;
        assert_eq!(status, 200, "{path}: {zh}");
        assert!(zh.contains("lang=\"zh-CN\""), "{path}");
        assert_page_ok(path, &zh);
        let (status, _, en) = get(s, path, Some(&token), true).await;
        assert_eq!(status, 200, "{path}");
        assert!(en.contains("<html lang=\"en\""), "{path}");
        assert_page_ok(path, &en);

        // Another role: a human 403; nobody: to the sign-in page and back.
        let (status, _, body) = get(s, path, Some(&citizen), false).await;
        assert_eq!(status, 403, "{path}");
        assert!(body.contains("您的角色无权使用此页面"), "{path}: {body}");
        let (status, location, _) = get(s, path, None, false).await;
        assert_eq!(status, 303, "{path}");
        assert!(
            location.starts_with("/login?back=/admin/catalog"),
            "{location}"
        );
    }

    // A system administrator may use them too.
    let system = s.account("pa-system", "system_admin", |_| {}).await;
    let (status, _, _) = get(s, "/admin/catalog", Some(&system), false).await;
    assert_eq!(status, 200);

    let (_, _, list) = get(s, "/admin/catalog", Some(&token), false).await;
    assert!(list.contains("事项目录维护"));
    assert!(list.contains("城乡居民基本养老保险参保登记"));
    assert!(list.contains(&format!("href=\"/admin/catalog/items/{CODE}\"")));
    assert!(list.contains("href=\"/admin/catalog/bundles/YJS-CXJMYLCB\""));
    let (_, _, list) = get(s, "/admin/catalog", Some(&token), true).await;
    assert!(list.contains("Catalog administration"));
    // The search narrows the list: pinyin initials find the item, not unrelated ones.
    let (_, _, found) = get(s, "/admin/catalog?q=ylbx&kind=items", Some(&token), false).await;
    assert!(found.contains(CODE));
    assert!(!found.contains("YJS-CXJMYLCB"), "bundles filtered out");
    let (_, _, entry) = get(
        s,
        &format!("/admin/catalog/items/{CODE}"),
        Some(&token),
        true,
    )
    .await;
    assert!(entry.contains("Versions"));
    assert!(entry.contains("committed_limit_days = 3"), "the TOML text");
    let (status, _, body) = get(s, "/admin/catalog/items/NOPE", Some(&token), true).await;
    assert_eq!(status, 404);
    assert!(body.contains("There is no item with code NOPE."));
}

async fn a_broken_edit_names_the_line_and_saves_nothing(s: &TestServer) {
    let token = admin(s).await;
    let path = format!("/admin/catalog/items/{CODE}/edit");
    let (_, _, form) = get(s, &path, Some(&token), false).await;
    let csrf = csrf_of(&form);
    let good = current_text(s);
    assert!(good.contains("committed_limit_days = 3"));

    // Committed limit over the legal limit: the rule's sentence, its line and field.
    let over = good.replace("committed_limit_days = 3", "committed_limit_days = 9");
    let (status, _, body) = post(
        s,
        &path,
        &token,
        false,
        &[("csrf", &csrf), ("base_version", "1"), ("toml", &over)],
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("role=\"alert\""));
    let line = line_of(&over, "committed_limit_days");
    assert!(body.contains(&format!("第 {line} 行")), "{body}");
    assert!(body.contains("<code>committed_limit_days</code>"), "{body}");
    assert!(
        body.contains("committed_limit_days = 9"),
        "the text is kept"
    );

    // An unknown department type, in English.
    let dept = good.replace("department_type = \"hrss\"", "department_type = \"nope\"");
    let (status, _, body) = post(
        s,
        &path,
        &token,
        true,
        &[("csrf", &csrf), ("base_version", "1"), ("toml", &dept)],
    )
    .await;
    assert_eq!(status, 422);
    let line = line_of(&dept, "department_type");
    assert!(body.contains(&format!("line {line}")), "{body}");
    assert!(body.contains("Not saved"), "{body}");
    assert!(body.contains("nope"), "{body}");

    // Broken TOML syntax.
    let syntax = good.replace("legal_limit_days = 5", "legal_limit_days = = 5");
    let (status, _, body) = post(
        s,
        &path,
        &token,
        false,
        &[("csrf", &csrf), ("base_version", "1"), ("toml", &syntax)],
    )
    .await;
    assert_eq!(status, 422);
    let line = line_of(&syntax, "legal_limit_days");
    assert!(body.contains("TOML 语法错误"), "{body}");
    assert!(body.contains(&format!("第 {line} 行")), "{body}");

    // A bundle that lists an item that does not exist: the cross reference is checked.
    let bundle_path = "/admin/catalog/bundles/YJS-CXJMYLCB/edit";
    let bundle = tongban_domain::catalog::render_bundle(
        &s.app.catalog().bundles.get("YJS-CXJMYLCB").unwrap().bundle,
    );
    let broken = bundle.replacen(
        &format!("item = \"{CODE}\""),
        "item = \"430400-RS-9999\"",
        1,
    );
    assert_ne!(broken, bundle, "the bundle lists {CODE}: {bundle}");
    let (status, _, body) = post(
        s,
        bundle_path,
        &token,
        false,
        &[("csrf", &csrf), ("toml", &broken)],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("430400-RS-9999"), "{body}");

    // No token, or a wrong one: refused before anything is read.
    for bad in ["", "00000000000000000000000000000000"] {
        let (status, _, body) = post(
            s,
            &path,
            &token,
            false,
            &[("csrf", bad), ("toml", &good.replace("= 3", "= 2"))],
        )
        .await;
        assert_eq!(status, 403);
        assert!(body.contains("页面已过期"), "{body}");
    }
    // Another role with its own valid token: 403.
    let clerk = s
        .account("pa-citizen2", "applicant", |a| {
            a.id_number = Some("430481199003150014".into());
        })
        .await;
    let (_, _, home) = get(s, "/", Some(&clerk), false).await;
    let (status, _, _) = post(
        s,
        &path,
        &clerk,
        false,
        &[
            ("csrf", &csrf_of(&home)),
            ("toml", &good.replace("= 3", "= 2")),
        ],
    )
    .await;
    assert_eq!(status, 403);

    assert_eq!(version_count(s).await, 1, "nothing was saved");
    assert!(current_text(s).contains("committed_limit_days = 3"));
}

async fn a_good_edit_makes_a_version_the_guide_and_the_diff_show(s: &TestServer) {
    let token = admin(s).await;
    let path = format!("/admin/catalog/items/{CODE}/edit");
    let (_, _, form) = get(s, &path, Some(&token), false).await;
    let csrf = csrf_of(&form);
    let good = current_text(s);
    let edited = good
        .replace("committed_limit_days = 3", "committed_limit_days = 4")
        .replace('\n', "\r\n"); // as a browser sends a textarea

    let (status, location, body) = post(
        s,
        &path,
        &token,
        false,
        &[("csrf", &csrf), ("base_version", "1"), ("toml", &edited)],
    )
    .await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(location, format!("/admin/catalog/items/{CODE}?saved=2"));
    assert_eq!(version_count(s).await, 2);
    let (_, _, page) = get(s, &location, Some(&token), false).await;
    assert!(page.contains("已保存为第 2 版。"), "{page}");
    let (_, _, page) = get(s, &location, Some(&token), true).await;
    assert!(page.contains("Saved as version 2."));

    // The public guide serves the new version at once.
    let (_, _, guide) = get(s, &format!("/items/{CODE}"), None, false).await;
    assert!(guide.contains("<dd>4 个工作日</dd>"), "{guide}");

    // The diff marks the changed line in words, not colour alone.
    let (status, _, diff) = get(
        s,
        &format!("/admin/catalog/items/{CODE}/versions?from=1&to=2"),
        Some(&token),
        false,
    )
    .await;
    assert_eq!(status, 200);
    assert_page_ok("diff", &diff);
    assert!(
        diff.contains("<td>− 删除</td><td><code>committed_limit_days = 3</code>"),
        "{diff}"
    );
    assert!(diff.contains("<td>+ 新增</td><td><code>committed_limit_days = 4</code>"));
    assert!(!diff.contains("legal_basis"), "far-away lines are left out");

    // Saving the same text again (from version 2) makes no version.
    let (status, location, _) = post(
        s,
        &path,
        &token,
        false,
        &[("csrf", &csrf), ("base_version", "2"), ("toml", &edited)],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(location, format!("/admin/catalog/items/{CODE}?unchanged=2"));
    assert_eq!(version_count(s).await, 2);

    // A save based on the old version is refused with a sentence, the text kept.
    let (status, _, body) = post(
        s,
        &path,
        &token,
        false,
        &[("csrf", &csrf), ("base_version", "1"), ("toml", &good)],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("期间已有人保存了第 2 版"), "{body}");
    assert_eq!(version_count(s).await, 2);

    // A new item: a code already taken is a problem; a fresh one is saved as version 1.
    let taken = good.replace("name = \"城乡居民", "name = \"测试城乡居民");
    let (status, _, body) = post(
        s,
        "/admin/catalog/items/new",
        &token,
        false,
        &[("csrf", &csrf), ("toml", &taken)],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains(CODE), "{body}");
    let fresh = taken.replace(CODE, "430400-RS-0999");
    let (status, location, body) = post(
        s,
        "/admin/catalog/items/new",
        &token,
        false,
        &[("csrf", &csrf), ("toml", &fresh)],
    )
    .await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(location, "/admin/catalog/items/430400-RS-0999?saved=1");
    let (_, _, list) = get(s, "/admin/catalog?q=430400-RS-0999", Some(&token), false).await;
    assert!(list.contains("测试城乡居民"), "{list}");
}
