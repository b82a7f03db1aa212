//! HTTP tests of the citizen pages (both backends): each page for applicants in zh and en, refused
//! to other roles (human 403) and to anonymous users (to sign-in), forms refused without a valid
//! CSRF token with nothing changed, human validation sentences with the input kept, and the
//! apply → case → withdraw, appointment and authorization flows.

use chrono::Duration;

use crate::harness::{TEST_PASSWORD, TestServer};

crate::on_both_backends!(
    pages_render_for_applicants_only_in_both_languages,
    apply_refuses_forged_and_bad_input_then_creates_the_case,
    case_page_withdraws_with_a_reason_only,
    case_page_supplements_what_the_clerk_asked_for,
    a_bundle_is_one_application_with_each_item_listed,
    a_commitment_replaces_a_material_once_signed_and_a_double_submit_is_one_case,
    appointments_book_and_cancel_and_authorizations_grant_and_revoke,
);

const ITEM: &str = "430400-RS-0001";
const BUNDLE: &str = "YJS-CXJMYLCB";
const ID: &str = "430481199003150014";
const BUDGET: usize = 100 * 1024;
const PDF: &[u8] = b"%PDF-1.4\n% citizen page test\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Signs in through the sign-in page; returns the cookie header value (session, and language).
async fn cookie_for(s: &TestServer, username: &str, lang: &str) -> String {
    let resp = browser()
        .post(s.url("/login"))
        .form(&[("username", username), ("password", TEST_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 303, "sign in as {username}");
    let session = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("tongban_session="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_string();
    format!("{session}; tongban_lang={lang}")
}

async fn get(s: &TestServer, path: &str, cookie: Option<&str>) -> (u16, String, String) {
    let mut req = browser().get(s.url(path));
    if let Some(c) = cookie {
        req = req.header("cookie", c);
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

fn csrf_of(body: &str) -> String {
    body.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a csrf field")
        .to_string()
}

fn hidden(body: &str, name: &str) -> String {
    body.split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_default()
        .to_string()
}

fn assert_self_contained(path: &str, body: &str) {
    assert!(body.len() < BUDGET, "{path} is {} bytes", body.len());
    for attr in ["src=\"http", "href=\"http", "src=\"//", "href=\"//"] {
        assert!(!body.contains(attr), "{path} links outside: {attr}");
    }
}

/// A multipart/form-data body, built by hand: text fields and (field, file name, type, bytes).
fn multipart(texts: &[(&str, &str)], files: &[(&str, &str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----tongbanTestBoundary7MA4YWxk";
    let mut body = Vec::new();
    for (name, value) in texts {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, file, ctype, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: {ctype}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn post_multipart(
    s: &TestServer,
    path: &str,
    cookie: &str,
    texts: &[(&str, &str)],
    files: &[(&str, &str, &str, &[u8])],
) -> (u16, String, String) {
    let (ctype, body) = multipart(texts, files);
    let resp = browser()
        .post(s.url(path))
        .header("cookie", cookie)
        .header("content-type", ctype)
        .body(body)
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

async fn post_form(
    s: &TestServer,
    path: &str,
    cookie: &str,
    form: &[(&str, &str)],
) -> (u16, String, String) {
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

async fn citizen(s: &TestServer, name: &str) {
    s.account(name, "applicant", |a| {
        a.id_number = Some(ID.into());
        a.display_name = Some("张三".into());
    })
    .await;
}

async fn case_count(s: &TestServer, name: &str) -> u64 {
    let token = s.login(name, TEST_PASSWORD).await;
    let user = s.app.authenticate(&token).await.unwrap();
    s.app
        .list_cases(
            &user,
            tongban_app::cases::CaseQuery {
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .page
        .total
}

/// A valid application's text fields.
fn good_fields(csrf: &str) -> Vec<(&'static str, String)> {
    vec![
        ("csrf", csrf.to_string()),
        ("mode", "online".into()),
        ("f.applicant_name", "张三".into()),
        ("f.applicant_id", ID.into()),
        ("f.mobile", "13800138000".into()),
        ("f.hukou_region", "430422".into()),
        ("f.contribution_grade", "300".into()),
    ]
}

fn refs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Applies for the item as `cookie`; returns the new case number.
async fn apply(s: &TestServer, cookie: &str) -> String {
    let (_, _, page) = get(s, &format!("/apply/items/{ITEM}"), Some(cookie)).await;
    let fields = good_fields(&csrf_of(&page));
    let (status, location, body) = post_multipart(
        s,
        &format!("/apply/items/{ITEM}"),
        cookie,
        &refs(&fields),
        &[("file.M-HUKOU-BOOK", "hukou.pdf", "application/pdf", PDF)],
    )
    .await;
    assert_eq!(status, 303, "{body}");
    location
        .strip_prefix("/my/cases/")
        .expect("to the case page")
        .to_string()
}

async fn pages_render_for_applicants_only_in_both_languages(s: &TestServer) {
    citizen(s, "pc-citizen").await;
    s.account("pc-clerk", "clerk", |a| {
        a.center_code = Some("C430481".into())
    })
    .await;
    let zh = cookie_for(s, "pc-citizen", "zh").await;
    let en = cookie_for(s, "pc-citizen", "en").await;
    let clerk = cookie_for(s, "pc-clerk", "zh").await;
    let pages: [(String, &str, &str); 6] = [
        (
            format!("/apply/items/{ITEM}"),
            "城乡居民基本养老保险参保登记",
            "Apply online",
        ),
        (
            format!("/apply/bundles/{BUNDLE}"),
            "在线申请",
            "Apply online",
        ),
        ("/my/cases".into(), "我的办件", "My cases"),
        ("/my/appointments".into(), "预约办理", "Book an appointment"),
        (
            "/my/authorizations".into(),
            "授权他人代办",
            "Authorize an agent",
        ),
        ("/my/cases/TB20000101000001".to_string(), "", ""),
    ];
    for (path, zh_word, en_word) in &pages[..5] {
        let (status, _, body) = get(s, path, Some(&zh)).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert!(body.contains("lang=\"zh-CN\""), "{path}");
        assert!(body.contains(zh_word), "{path} in Chinese: {zh_word}");
        assert_self_contained(path, &body);
        let (status, _, body) = get(s, path, Some(&en)).await;
        assert_eq!(status, 200, "{path}");
        assert!(body.contains("<html lang=\"en\""), "{path}");
        assert!(body.contains(en_word), "{path} in English: {en_word}");
        assert_self_contained(path, &body);

        let (status, _, body) = get(s, path, Some(&clerk)).await;
        assert_eq!(status, 403, "{path} for a clerk");
        assert!(body.contains("您的角色无权使用此页面"), "{path}: {body}");
        let (status, location, _) = get(s, path, None).await;
        assert_eq!(status, 303, "{path} anonymous");
        assert!(location.starts_with("/login?back="), "{location}");
    }
    // The apply page shows the markers and the ways to apply the item allows.
    let (_, _, body) = get(s, &format!("/apply/items/{ITEM}"), Some(&zh)).await;
    for word in [
        "容缺",
        "免提交",
        "网上办",
        "容缺办",
        "type=\"file\"",
        "name=\"f.hukou_region\"",
    ] {
        assert!(body.contains(word), "apply page shows {word}");
    }
    assert!(
        !body.contains("value=\"commitment\""),
        "the item has no 承诺办"
    );
    // Someone else's (or no) case is a human 404.
    let (status, _, body) = get(s, &pages[5].0, Some(&zh)).await;
    assert_eq!(status, 404);
    assert!(body.contains("找不到您可查看的办件"), "{body}");
    // An item that cannot be applied for online says so instead of offering a form.
    let (status, _, body) = get(s, "/apply/items/430400-MZ-0003", Some(&zh)).await;
    assert_eq!(status, 200);
    assert!(body.contains("id=\"not-online\""), "{body}");
    assert!(!body.contains("id=\"submit-application\""));
    // The guide links to the apply page.
    let (_, _, guide) = get(s, &format!("/items/{ITEM}"), Some(&zh)).await;
    assert!(guide.contains(&format!("href=\"/apply/items/{ITEM}\"")));
}

async fn apply_refuses_forged_and_bad_input_then_creates_the_case(s: &TestServer) {
    citizen(s, "pa-citizen").await;
    let zh = cookie_for(s, "pa-citizen", "zh").await;
    let path = format!("/apply/items/{ITEM}");
    let (_, _, page) = get(s, &path, Some(&zh)).await;
    let csrf = csrf_of(&page);

    // Without the token, or with another: refused, nothing created.
    for bad in ["", "00000000000000000000000000000000"] {
        let mut fields = good_fields(bad);
        if bad.is_empty() {
            fields.remove(0);
        }
        let (status, _, body) = post_multipart(
            s,
            &path,
            &zh,
            &refs(&fields),
            &[("file.M-HUKOU-BOOK", "a.pdf", "application/pdf", PDF)],
        )
        .await;
        assert_eq!(status, 403, "{body}");
        assert!(body.contains("页面已过期"));
    }
    assert_eq!(case_count(s, "pa-citizen").await, 0);

    // A bad ID number and a file that is not what it says: sentences next to the inputs, the
    // input kept, nothing created.
    let mut fields = good_fields(&csrf);
    fields[3].1 = "430481199003150015".into();
    fields[4].1 = "13800138000".into();
    let (status, _, body) = post_multipart(
        s,
        &path,
        &zh,
        &refs(&fields),
        &[(
            "file.M-HUKOU-BOOK",
            "fake.pdf",
            "application/pdf",
            b"hello, not a pdf",
        )],
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("role=\"alert\""));
    assert!(
        body.contains("文件内容与声明的类型"),
        "bad file sentence: {body}"
    );
    assert!(body.contains("value=\"430481199003150015\""), "input kept");
    assert!(body.contains("value=\"13800138000\""), "input kept");
    assert_eq!(case_count(s, "pa-citizen").await, 0);

    // Missing required field, in English: a human sentence, in English.
    let en = cookie_for(s, "pa-citizen", "en").await;
    let (_, _, page) = get(s, &path, Some(&en)).await;
    let mut fields = good_fields(&csrf_of(&page));
    fields.retain(|(k, _)| *k != "f.mobile");
    let (status, _, body) = post_multipart(
        s,
        &path,
        &en,
        &refs(&fields),
        &[("file.M-HUKOU-BOOK", "hukou.pdf", "application/pdf", PDF)],
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("id=\"err-mobile\""), "{body}");
    assert!(body.contains("<html lang=\"en\""));
    // The good file is kept for the next try.
    let kept = hidden(&body, "kept.M-HUKOU-BOOK");
    assert!(kept.ends_with("|hukou.pdf"), "{kept}");
    assert_eq!(case_count(s, "pa-citizen").await, 0);

    // Valid: a case, and the case page.
    let number = apply(s, &zh).await;
    assert!(number.starts_with("TB"), "{number}");
    assert_eq!(case_count(s, "pa-citizen").await, 1);
    let (status, _, body) = get(s, &format!("/my/cases/{number}"), Some(&zh)).await;
    assert_eq!(status, 200);
    for word in [
        number.as_str(),
        "城乡居民基本养老保险参保登记",
        "待受理",
        "衡南县",
        "提交申请",
        "hukou.pdf",
    ] {
        assert!(body.contains(word), "case page shows {word}");
    }
    assert_self_contained("/my/cases/{n}", &body);
    let (_, _, list) = get(s, "/my/cases", Some(&zh)).await;
    assert!(list.contains(&format!("href=\"/my/cases/{number}\"")));
    assert!(list.contains("办理中"));
    assert_self_contained("/my/cases", &list);
}

async fn case_page_withdraws_with_a_reason_only(s: &TestServer) {
    citizen(s, "pw-citizen").await;
    citizen(s, "pw-other").await;
    let zh = cookie_for(s, "pw-citizen", "zh").await;
    let number = apply(s, &zh).await;
    let path = format!("/my/cases/{number}");
    let (_, _, page) = get(s, &path, Some(&zh)).await;
    assert!(page.contains("撤回申请"), "withdraw offered");
    let csrf = csrf_of(&page);
    let version = hidden(&page, "version");
    let action = format!("{path}/withdraw");

    // Another applicant cannot see it.
    let other = cookie_for(s, "pw-other", "zh").await;
    let (status, _, _) = get(s, &path, Some(&other)).await;
    assert_eq!(status, 404);

    let (status, _, _) = post_form(
        s,
        &action,
        &zh,
        &[
            ("csrf", "nope"),
            ("sub_case", "1"),
            ("version", &version),
            ("reason", "不办了"),
        ],
    )
    .await;
    assert_eq!(status, 403);
    let (status, _, body) = post_form(
        s,
        &action,
        &zh,
        &[
            ("csrf", &csrf),
            ("sub_case", "1"),
            ("version", &version),
            ("reason", "  "),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("请填写撤回原因"), "{body}");
    let (_, _, still) = get(s, &path, Some(&zh)).await;
    assert!(still.contains("待受理"), "unchanged");

    let (status, location, _) = post_form(
        s,
        &action,
        &zh,
        &[
            ("csrf", &csrf),
            ("sub_case", "1"),
            ("version", &version),
            ("reason", "不办了"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, _, body) = get(s, &location, Some(&zh)).await;
    assert!(body.contains("已撤回"), "{body}");
    assert!(body.contains("不办了"), "the reason is on the timeline");
}

async fn appointments_book_and_cancel_and_authorizations_grant_and_revoke(s: &TestServer) {
    citizen(s, "pb-citizen").await;
    s.account("pb-agent", "applicant", |a| {
        a.display_name = Some("李四".into())
    })
    .await;
    let zh = cookie_for(s, "pb-citizen", "zh").await;

    // A free slot in the coming days at the city hall of 耒阳.
    let center = "C430481";
    let today = chrono::Utc::now()
        .with_timezone(&tongban_app::clock::china())
        .date_naive();
    let mut found = None;
    for d in 1..15 {
        let date = (today + Duration::days(d)).to_string();
        if let Ok(day) = s.app.day_slots(center, &date).await
            && let Some(slot) = day.slots.iter().find(|x| x.available > 0)
        {
            found = Some((date, slot.time.clone()));
            break;
        }
    }
    let (date, time) = found.expect("a free slot within two weeks");
    let q = format!("/my/appointments?region=430481&center={center}&item={ITEM}&date={date}");
    let (status, _, page) = get(s, &q, Some(&zh)).await;
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!("value=\"{time}\"")),
        "the slot is offered"
    );
    assert_self_contained(&q, &page);
    let csrf = csrf_of(&page);
    let booking = |c: String| {
        vec![
            ("csrf", c),
            ("center", center.to_string()),
            ("item", ITEM.to_string()),
            ("date", date.clone()),
            ("time", time.clone()),
        ]
    };
    let (status, _, _) = post_form(s, "/my/appointments", &zh, &refs(&booking("x".into()))).await;
    assert_eq!(status, 403);
    let (status, _, body) = post_form(
        s,
        "/my/appointments",
        &zh,
        &[
            ("csrf", &csrf),
            ("center", center),
            ("item", ITEM),
            ("date", &date),
            ("time", ""),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("请选择服务中心、事项、日期和时段"));
    let (status, location, _) =
        post_form(s, "/my/appointments", &zh, &refs(&booking(csrf.clone()))).await;
    assert_eq!(status, 303);
    let (_, _, list) = get(s, &location, Some(&zh)).await;
    assert!(list.contains("预约成功"), "{list}");
    assert!(list.contains("城乡居民基本养老保险参保登记"));
    assert!(list.contains("已预约"));
    let id = list
        .split("action=\"/my/appointments/")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .expect("a cancel form")
        .to_string();
    let cancel = format!("/my/appointments/{id}/cancel");
    let (status, _, _) = post_form(s, &cancel, &zh, &[("csrf", "")]).await;
    assert_eq!(status, 403);
    let (status, location, _) = post_form(s, &cancel, &zh, &[("csrf", &csrf)]).await;
    assert_eq!(status, 303);
    let (_, _, list) = get(s, &location, Some(&zh)).await;
    assert!(list.contains("已取消预约"));

    // Authorizations: a missing agent and file are sentences; then granted, listed, revoked.
    let until = (today + Duration::days(30)).to_string();
    let (status, _, body) = post_multipart(
        s,
        "/my/authorizations",
        &zh,
        &[
            ("csrf", &csrf),
            ("agent", ""),
            ("kind", "relative"),
            ("scope", "all"),
            ("valid_to", &until),
        ],
        &[],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("请填写受托人的用户名"));
    assert!(body.contains("请上传签字的授权委托书"));
    let (status, _, _) = post_multipart(
        s,
        "/my/authorizations",
        &zh,
        &[
            ("csrf", "bad"),
            ("agent", "pb-agent"),
            ("scope", "all"),
            ("valid_to", &until),
        ],
        &[("evidence", "poa.pdf", "application/pdf", PDF)],
    )
    .await;
    assert_eq!(status, 403);
    let (status, location, body) = post_multipart(
        s,
        "/my/authorizations",
        &zh,
        &[
            ("csrf", &csrf),
            ("agent", "pb-agent"),
            ("kind", "relative"),
            ("scope", "items"),
            ("items", ITEM),
            ("valid_to", &until),
        ],
        &[("evidence", "poa.pdf", "application/pdf", PDF)],
    )
    .await;
    assert_eq!(status, 303, "{body}");
    let (_, _, page) = get(s, &location, Some(&zh)).await;
    assert!(page.contains("已授权"));
    assert!(page.contains("李四 (pb-agent)"), "{page}");
    assert!(
        page.contains("/document\""),
        "the printable 授权委托书 is linked"
    );
    assert_self_contained("/my/authorizations", &page);
    let id = page
        .split("action=\"/my/authorizations/")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .expect("a revoke form")
        .to_string();
    let (status, location, _) = post_form(
        s,
        &format!("/my/authorizations/{id}/revoke"),
        &zh,
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(status, 303);
    let (_, _, page) = get(s, &location, Some(&zh)).await;
    assert!(page.contains("已撤销授权"));
    // The agent sees it among those held, in English.
    let en = cookie_for(s, "pb-agent", "en").await;
    let (_, _, page) = get(s, "/my/authorizations", Some(&en)).await;
    assert!(page.contains("张三 (pb-citizen)"));
    assert!(page.contains("Revoked"));
}

/// A clerk of the receiving center acts on the case through the service (the clerk's own pages
/// are another module's).
async fn clerk_acts(
    s: &TestServer,
    clerk: &str,
    number: &str,
    action: tongban_domain::case::Action,
) {
    let token = s.login(clerk, TEST_PASSWORD).await;
    let user = s.app.authenticate(&token).await.unwrap();
    let version = s.app.case_view(&user, number).await.unwrap().version;
    s.app
        .act(
            &user,
            number,
            tongban_app::cases::ActionRequest {
                sub_case: 1,
                version,
                action,
                files: Vec::new(),
                on_behalf_of: None,
            },
        )
        .await
        .unwrap();
}

async fn case_page_supplements_what_the_clerk_asked_for(s: &TestServer) {
    citizen(s, "ps-citizen").await;
    // The online case is received by the hall of the county that handles it (衡南县).
    s.account("ps-clerk", "clerk", |a| {
        a.center_code = Some("C430422".into())
    })
    .await;
    let zh = cookie_for(s, "ps-citizen", "zh").await;
    let number = apply(s, &zh).await;
    let path = format!("/my/cases/{number}");
    let (_, _, page) = get(s, &path, Some(&zh)).await;
    assert!(!page.contains("/supplement\""), "nothing to supplement yet");

    clerk_acts(
        s,
        "ps-clerk",
        &number,
        tongban_domain::case::Action::RequestSupplement {
            materials: vec!["M-POA".into()],
            note: Some("请补交授权委托书".into()),
        },
    )
    .await;
    let (_, _, page) = get(s, &path, Some(&zh)).await;
    for word in [
        "补正中",
        "需要补正的材料",
        "补正材料",
        "name=\"file.M-POA\"",
        "/notice\"",
        "请补交授权委托书",
    ] {
        assert!(page.contains(word), "the case page shows {word}");
    }
    let csrf = csrf_of(&page);
    let version = hidden(&page, "version");
    let action = format!("{path}/supplement");
    let file = [("file.M-POA", "poa.pdf", "application/pdf", PDF)];
    let (status, _, _) = post_multipart(
        s,
        &action,
        &zh,
        &[("csrf", "x"), ("sub_case", "1"), ("version", &version)],
        &file,
    )
    .await;
    assert_eq!(status, 403);
    let (status, _, body) = post_multipart(
        s,
        &action,
        &zh,
        &[("csrf", &csrf), ("sub_case", "1"), ("version", &version)],
        &[],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("请选择要上传的材料文件"));
    assert!(body.contains("补正中"), "unchanged");

    let (status, location, body) = post_multipart(
        s,
        &action,
        &zh,
        &[("csrf", &csrf), ("sub_case", "1"), ("version", &version)],
        &file,
    )
    .await;
    assert_eq!(status, 303, "{body}");
    let (_, _, page) = get(s, &location, Some(&zh)).await;
    assert!(!page.contains("补正中"), "supplied");
    assert!(page.contains("poa.pdf"));
    assert!(page.contains("补正材料"), "on the timeline");

    // Accepted: the receipt, the deadline and the days left appear, on the list too.
    clerk_acts(s, "ps-clerk", &number, tongban_domain::case::Action::Accept).await;
    let (_, _, page) = get(s, &path, Some(&zh)).await;
    for word in ["已受理", "承诺办结日期", "剩余工作日", "/receipt\""] {
        assert!(page.contains(word), "the accepted case shows {word}");
    }
    let (_, _, list) = get(s, "/my/cases", Some(&zh)).await;
    assert!(!list.contains("受理后起算"), "the list has the deadline");
}

async fn a_bundle_is_one_application_with_each_item_listed(s: &TestServer) {
    citizen(s, "pn-citizen").await;
    let en = cookie_for(s, "pn-citizen", "en").await;
    let path = format!("/apply/bundles/{BUNDLE}");
    let (_, _, page) = get(s, &path, Some(&en)).await;
    let plan = s.app.bundle_detail(BUNDLE).unwrap().plan;
    // The merged form, answered as a person would, and a file for every material.
    let today = chrono::Utc::now().date_naive().to_string();
    let mut texts: Vec<(String, String)> = vec![
        ("csrf".into(), csrf_of(&page)),
        ("mode".into(), "online".into()),
    ];
    use tongban_domain::catalog::FieldType as F;
    for f in &plan.form {
        assert!(
            page.contains(&format!("name=\"f.{}\"", f.key)),
            "field {}",
            f.key
        );
        let v = match f.field_type {
            F::ResidentId => ID.to_string(),
            F::Mobile => "13800138000".into(),
            F::Region => "430422".into(),
            F::Select => f.options[0].clone(),
            F::Date => today.clone(),
            F::Number => f.min.unwrap_or(1.0).to_string(),
            F::Bool => "on".into(),
            F::CreditCode => "91430400MA4L0XXXX0".into(),
            F::Text | F::Textarea => "张三".into(),
        };
        if f.required {
            texts.push((format!("f.{}", f.key), v));
        }
    }
    let names: Vec<String> = plan
        .materials
        .iter()
        .map(|m| format!("file.{}", m.material.code))
        .collect();
    let files: Vec<(&str, &str, &str, &[u8])> = names
        .iter()
        .map(|n| (n.as_str(), "m.pdf", "application/pdf", PDF))
        .collect();
    // One item is handled where it is received: without a center, a sentence saying so.
    let texts_ref: Vec<(&str, &str)> = texts
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let (status, _, body) = post_multipart(s, &path, &en, &texts_ref, &files).await;
    assert_eq!(status, 422);
    assert!(body.contains("choose a service center"), "{body}");
    assert!(page.contains("id=\"center\""), "a center choice is offered");
    texts.push(("center".into(), "C430422".into()));
    let texts_ref: Vec<(&str, &str)> = texts
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let (status, location, body) = post_multipart(s, &path, &en, &texts_ref, &files).await;
    assert_eq!(status, 303, "{body}");
    let (_, _, case) = get(s, &location, Some(&en)).await;
    for item in &plan.items {
        assert!(case.contains(&item.name), "the case lists {}", item.name);
    }
    assert!(
        case.contains("Waiting for an earlier service"),
        "the dependent item waits"
    );
}

async fn a_commitment_replaces_a_material_once_signed_and_a_double_submit_is_one_case(
    s: &TestServer,
) {
    const SUBSIDY: &str = "430400-MZ-0007"; // 惠民殡葬补贴申领: 亲属关系证明 may be a commitment
    citizen(s, "pm-citizen").await;
    let zh = cookie_for(s, "pm-citizen", "zh").await;
    let path = format!("/apply/items/{SUBSIDY}");
    let (_, _, page) = get(s, &path, Some(&zh)).await;
    assert!(page.contains("value=\"commitment\""), "承诺办 offered");
    assert!(page.contains("name=\"commit.M-KINSHIP-PROOF\""));
    assert!(page.contains("name=\"sign\""), "the commitment to sign");
    let csrf = csrf_of(&page);
    let idem = hidden(&page, "idem");
    let yesterday = (chrono::Utc::now().date_naive() - Duration::days(1)).to_string();
    let base = [
        ("csrf", csrf.as_str()),
        ("idem", idem.as_str()),
        ("f.applicant_name", "张三"),
        ("f.applicant_id", ID),
        ("f.mobile", "13800138000"),
        ("f.hukou_region", "430422"),
        ("f.deceased_name", "张老三"),
        ("f.deceased_id", ID),
        ("f.death_date", yesterday.as_str()),
        ("f.relation_to_deceased", "子女"),
        ("f.bank_name", "中国工商银行衡阳分行"),
        ("f.bank_account", "6222000011112222"),
    ];
    let files = [
        (
            "file.M-CREMATION-CERT",
            "cremation.pdf",
            "application/pdf",
            PDF,
        ),
        ("file.M-BANK-CARD", "bank.pdf", "application/pdf", PDF),
    ];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut v: Vec<(&str, &str)> = base.to_vec();
        v.extend_from_slice(extra);
        v
    };

    // Online, the proof must be uploaded; as a commitment, it must be signed.
    let (status, _, body) =
        post_multipart(s, &path, &zh, &with(&[("mode", "online")]), &files).await;
    assert_eq!(status, 422);
    assert!(body.contains("请上传此材料；标有“容缺”或“承诺”"), "{body}");
    let (status, _, body) = post_multipart(
        s,
        &path,
        &zh,
        &with(&[("mode", "commitment"), ("commit.M-KINSHIP-PROOF", "on")]),
        &files,
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("请勾选签署告知承诺书"));
    assert!(body.contains("value=\"张老三\""), "input kept");
    assert_eq!(case_count(s, "pm-citizen").await, 0);

    // Signed: a case whose proof is a commitment, with the printable 告知承诺书. Sent twice (a
    // double click), it is still one case.
    let signed = with(&[
        ("mode", "commitment"),
        ("commit.M-KINSHIP-PROOF", "on"),
        ("sign", "on"),
    ]);
    let (status, first, body) = post_multipart(s, &path, &zh, &signed, &files).await;
    assert_eq!(status, 303, "{body}");
    let (status, second, _) = post_multipart(s, &path, &zh, &signed, &files).await;
    assert_eq!(status, 303);
    assert_eq!(first, second, "the same case");
    assert_eq!(case_count(s, "pm-citizen").await, 1);
    let (_, _, case) = get(s, &first, Some(&zh)).await;
    assert!(case.contains("以承诺代替"), "{case}");
    assert!(case.contains("/commitment\""), "the 告知承诺书 is linked");
}
