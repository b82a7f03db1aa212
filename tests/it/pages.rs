//! The HTML pages: language by default and by cookie, search, the item and bundle guides with their
//! 容缺 / 承诺 / 免提交 markers, human error pages, the 100 kB budget and no third-party files.

use crate::harness::TestServer;

crate::on_both_backends!(
    home_is_chinese_by_default_and_english_after_the_switch,
    language_switch_returns_only_to_this_site,
    search_finds_by_initials_and_browses,
    item_guide_shows_what_to_bring_and_the_markers,
    bundle_guide_shows_stages_materials_and_form,
    unknown_pages_are_human_404s_in_the_users_language,
    every_page_is_small_and_self_contained,
    browse_by_region_from_the_city_down_to_a_village,
);

const BUDGET: usize = 100 * 1024;

/// GET a page with an optional `tongban_lang` cookie: status, content type, body.
async fn page(s: &TestServer, path: &str, lang_cookie: Option<&str>) -> (u16, String, String) {
    let mut req = s.client.get(s.url(path));
    if let Some(l) = lang_cookie {
        req = req.header("cookie", format!("tongban_lang={l}"));
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let ctype = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, ctype, resp.text().await.expect("body"))
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn home_is_chinese_by_default_and_english_after_the_switch(s: &TestServer) {
    let (status, ctype, body) = page(s, "/", None).await;
    assert_eq!(status, 200);
    assert!(ctype.starts_with("text/html"), "{ctype}");
    assert!(body.contains("<html lang=\"zh-CN\">"), "{body}");
    assert!(body.contains("办事指南") && body.contains("按人生事件浏览"));
    assert!(body.contains("href=\"#main\""), "a skip link");
    assert!(
        body.contains("<label for=\"q\">"),
        "the search box has a label"
    );

    // The switch sets a cookie and goes back; with the cookie the page is English, even when the
    // browser asks for Chinese.
    let resp = no_redirects()
        .get(s.url("/lang/en?back=%2Fsearch%3Fq%3Dylbx"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(resp.headers()["location"], "/search?q=ylbx");
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("tongban_lang=en;"), "{cookie}");
    assert!(
        cookie.contains("Path=/") && cookie.contains("Max-Age="),
        "{cookie}"
    );

    let resp = s
        .client
        .get(s.url("/"))
        .header("cookie", "tongban_lang=en")
        .header("accept-language", "zh-CN")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-language"], "en");
    let body = resp.text().await.unwrap();
    assert!(body.contains("<html lang=\"en\">"), "{body}");
    assert!(body.contains("Service guide") && body.contains("Browse by life event"));
    assert!(!body.contains("按人生事件浏览"));
    // Without a cookie, Accept-Language decides.
    let body = s
        .client
        .get(s.url("/"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("Service guide"));
    // And back to Chinese.
    let resp = no_redirects()
        .get(s.url("/lang/zh?back=/"))
        .send()
        .await
        .unwrap();
    assert!(
        resp.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .starts_with("tongban_lang=zh;")
    );
}

async fn language_switch_returns_only_to_this_site(s: &TestServer) {
    let client = no_redirects();
    for back in [
        "https://evil.example/",
        "//evil.example/",
        "/%5Cevil.example",
        "javascript:alert(1)",
        "",
    ] {
        let resp = client
            .get(s.url(&format!("/lang/en?back={back}")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 303, "{back}");
        assert_eq!(resp.headers()["location"], "/", "{back}");
    }
    // No `back` at all: home.
    let resp = client.get(s.url("/lang/en")).send().await.unwrap();
    assert_eq!(resp.headers()["location"], "/");
    // A language we do not speak is a page, in the language the user has.
    let (status, _, body) = page(s, "/lang/fr", None).await;
    assert_eq!(status, 404);
    assert!(body.contains("只支持中文"), "{body}");
}

async fn search_finds_by_initials_and_browses(s: &TestServer) {
    for q in [
        "ylbx",
        "yanglaobaoxian",
        "%E5%85%BB%E8%80%81%E4%BF%9D%E9%99%A9",
    ] {
        let (status, _, body) = page(s, &format!("/search?q={q}"), None).await;
        assert_eq!(status, 200);
        assert!(
            body.contains("城乡居民基本养老保险参保登记"),
            "{q} did not list the item"
        );
        assert!(
            body.contains("href=\"/items/430400-RS-0001\""),
            "{q}: a link"
        );
    }
    // The query stays in the box.
    let (_, _, body) = page(s, "/search?q=ylbx", None).await;
    assert!(body.contains("value=\"ylbx\""));
    // Nothing found is a sentence, not an error.
    let (status, _, body) = page(s, "/search?q=zzzzqqq", Some("en")).await;
    assert_eq!(status, 200);
    assert!(body.contains("Nothing matches"), "{body}");
    // Browse by life event and by department (the links on the home page).
    let (_, _, home) = page(s, "/", None).await;
    assert!(home.contains("/search?life_event=birth"), "{home}");
    assert!(home.contains("/search?department=hrss"), "{home}");
    let (status, _, body) = page(s, "/search?life_event=birth", None).await;
    assert_eq!(status, 200);
    assert!(body.contains("新生儿出生一件事"), "the birth bundle");
    let (_, _, body) = page(s, "/search?department=hrss", None).await;
    assert!(body.contains("城乡居民基本养老保险参保登记"));
    assert!(body.contains("人力资源和社会保障局"));
}

async fn item_guide_shows_what_to_bring_and_the_markers(s: &TestServer) {
    let (status, _, body) = page(s, "/items/430400-RS-0001", None).await;
    assert_eq!(status, 200);
    for want in [
        "城乡居民基本养老保险参保登记",
        "需要准备的材料",
        "居民户口簿",
        "容缺",
        "免提交",
        "省内通办",
        "户籍所在地",
        "不收费",
        "办理流程",
        "网上办",
    ] {
        assert!(body.contains(want), "item page lacks {want}");
    }
    // 承诺 marker: some item in the demo catalog lets a commitment replace a material.
    let all = s.app.search_items("", None, None, 0, 100).unwrap();
    let mut with_commitment = None;
    for i in &all.items {
        let d = s.app.item_detail(&i.code).await.unwrap();
        if d.item.materials.iter().any(|m| m.replaceable_by_commitment) {
            with_commitment = Some(i.code.clone());
            break;
        }
    }
    let code = with_commitment.expect("the demo catalog has a material replaceable by commitment");
    let (_, _, body) = page(s, &format!("/items/{code}"), None).await;
    assert!(body.contains("class=\"mark com\">承诺<"), "{code}");
    let (_, _, body) = page(s, &format!("/items/{code}"), Some("en")).await;
    assert!(body.contains("Commitment instead"), "{code}");
    // In English, the words around the data are English.
    let (_, _, body) = page(s, "/items/430400-RS-0001", Some("en")).await;
    for want in [
        "What to bring",
        "May follow later",
        "Not needed",
        "Anywhere in the province",
    ] {
        assert!(body.contains(want), "English item page lacks {want}");
    }
}

async fn bundle_guide_shows_stages_materials_and_form(s: &TestServer) {
    let (status, _, body) = page(s, "/bundles/YJS-XSRCS", None).await;
    assert_eq!(status, 200);
    for want in [
        "新生儿出生一件事",
        "办理顺序",
        "合并后的材料清单",
        "合并后的申请表",
        "一件事承诺办结时限",
        "href=\"/items/",
    ] {
        assert!(body.contains(want), "bundle page lacks {want}");
    }
    let d = s.app.bundle_detail("YJS-XSRCS").unwrap();
    assert!(body.contains(&format!("{} 个工作日", d.plan.committed_limit_days)));
    for f in &d.plan.form {
        assert!(body.contains(&f.label), "form field {}", f.label);
    }
    // Every marker appears on some bundle page.
    let mut seen = [false; 3];
    for b in s.app.search_bundles("", 0, 100).unwrap().items {
        let (_, _, body) = page(s, &format!("/bundles/{}", b.code), None).await;
        for (i, m) in ["mark tol", "mark com", "mark ecert"].iter().enumerate() {
            seen[i] |= body.contains(m);
        }
    }
    assert_eq!(seen, [true; 3], "容缺 / 承诺 / 免提交 on the bundle pages");
}

async fn unknown_pages_are_human_404s_in_the_users_language(s: &TestServer) {
    let (status, ctype, body) = page(s, "/items/NO-SUCH-ITEM", None).await;
    assert_eq!(status, 404);
    assert!(ctype.starts_with("text/html"), "{ctype}");
    assert!(
        body.contains("不存在编码为 NO-SUCH-ITEM 的事项。"),
        "{body}"
    );
    assert!(!body.contains("catalog.unknown_item"), "no raw code");
    let (status, _, body) = page(s, "/items/NO-SUCH-ITEM", Some("en")).await;
    assert_eq!(status, 404);
    assert!(
        body.contains("There is no item with code NO-SUCH-ITEM."),
        "{body}"
    );
    let (status, _, body) = page(s, "/bundles/NOPE", Some("en")).await;
    assert_eq!(status, 404);
    assert!(body.contains("Page not found"));
    // Unknown paths: a page outside /api/, problem+json inside.
    let (status, ctype, body) = page(s, "/no/such/page", None).await;
    assert_eq!(status, 404);
    assert!(ctype.starts_with("text/html"));
    assert!(body.contains("找不到 /no/such/page 这个页面"), "{body}");
    assert!(body.contains("返回首页"));
    let (status, ctype, _) = page(s, "/api/v1/no-such-thing", Some("en")).await;
    assert_eq!(status, 404);
    assert_eq!(ctype, "application/problem+json");
}

/// Fails on an absolute URL to anywhere (a third-party file or link).
fn assert_self_contained(path: &str, body: &str) {
    for bad in ["http://", "https://", "src=\"//", "href=\"//", "url(//"] {
        assert!(!body.contains(bad), "{path} references {bad}");
    }
}

async fn every_page_is_small_and_self_contained(s: &TestServer) {
    let mut paths = vec![
        "/".to_string(),
        "/search?q=".to_string(),
        "/search?q=ylbx".to_string(),
        "/items/NOPE".to_string(),
        "/nowhere".to_string(),
    ];
    let view = s.app.catalog();
    if let Some(index) = &view.index {
        paths.extend(
            index
                .life_events
                .iter()
                .map(|e| format!("/search?life_event={}", e.key)),
        );
        paths.extend(
            index
                .department_types
                .iter()
                .map(|d| format!("/search?department={}", d.key)),
        );
    }
    paths.extend(view.items.keys().map(|c| format!("/items/{c}")));
    paths.extend(view.bundles.keys().map(|c| format!("/bundles/{c}")));
    assert!(paths.len() > 100, "{}", paths.len());
    let mut largest = (0, String::new());
    for path in &paths {
        for lang in ["zh", "en"] {
            let (status, _, body) = page(s, path, Some(lang)).await;
            assert!(status == 200 || status == 404, "{path}: {status}");
            assert!(
                body.len() < BUDGET,
                "{path} ({lang}) is {} bytes",
                body.len()
            );
            assert_self_contained(path, &body);
            assert!(
                body.contains("/static/app.css"),
                "{path} links the stylesheet"
            );
            if body.len() > largest.0 {
                largest = (body.len(), path.clone());
            }
        }
    }
    eprintln!("largest page: {} bytes ({})", largest.0, largest.1);
    let resp = s.client.get(s.url("/static/app.css")).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    let css = resp.text().await.unwrap();
    assert!(css.contains("@media print") && css.contains("@media (max-width"));
    assert_self_contained("/static/app.css", &css);
    // Page + stylesheet together stay under the budget too.
    assert!(largest.0 + css.len() < BUDGET);
}

async fn browse_by_region_from_the_city_down_to_a_village(s: &TestServer) {
    let (_, _, home) = page(s, "/", None).await;
    assert!(
        home.contains("按地区浏览"),
        "the home page browses by region"
    );
    assert!(
        home.contains("href=\"/regions/430481\""),
        "耒阳市 is listed"
    );

    let (status, _, county) = page(s, "/regions/430481", None).await;
    assert_eq!(status, 200);
    assert!(county.contains("<h1>耒阳市"), "{county}");
    assert!(
        county.contains("耒阳市人力资源和社会保障局"),
        "the county's departments"
    );
    assert!(
        county.contains("/items/430400-RS-0001"),
        "with the items they handle"
    );
    // Towns under the county, each a link one level down.
    let town = county
        .split("href=\"/regions/430481")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|tail| format!("430481{tail}"))
        .expect("a town link");
    assert_eq!(town.len(), 9, "a town code: {town}");
    let (status, _, town_page) = page(s, &format!("/regions/{town}"), Some("en")).await;
    assert_eq!(status, 200);
    assert!(
        town_page.contains("Places within"),
        "villages under the town"
    );
    assert!(
        town_page.contains("href=\"/regions/430481\""),
        "the breadcrumb leads back up"
    );
    assert!(
        town_page.contains("耒阳市人力资源和社会保障局"),
        "served by its county's departments"
    );
    assert!(town_page.len() < BUDGET);

    let (status, _, missing) = page(s, "/regions/439999", None).await;
    assert_eq!(status, 404);
    assert!(
        missing.contains("不存在代码为 439999 的行政区划"),
        "{missing}"
    );
    let (status, _, bad) = page(s, "/regions/abc", Some("en")).await;
    assert!(status == 400 || status == 422, "{status}");
    assert!(!bad.contains("region.invalid"), "no raw codes: {bad}");
}
