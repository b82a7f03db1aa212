//! HTTP tests of the clerk pages: the workstation and its queue, receiving a walk-in person's
//! application (a wrong ID number is a human sentence next to the field, the input kept), accepting
//! it or issuing the one-time notice, roles, CSRF, the 100 kB budget and no external URLs.

use chrono::{Duration, Timelike, Utc};
use serde_json::{Value, json};

use crate::harness::{TEST_PASSWORD, TestServer};

crate::on_both_backends!(
    receive_a_walk_in_application_then_accept_it,
    the_queue_calls_recalls_and_skips,
    wrong_roles_anonymous_and_forged_forms_change_nothing,
    missing_materials_get_one_notice,
);

/// A valid resident ID issued in 耒阳市 (430481), by the GB 11643 checksum.
const LEIYANG_ID: &str = "430481199003150014";
/// The same with a wrong check digit.
const BAD_ID: &str = "430481199003150015";
/// 城乡居民基本养老保险参保登记.
const ITEM: &str = "430400-RS-0001";
const BUDGET: usize = 100 * 1024;

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A signed-in page visitor: the session cookie, its CSRF token (read from a page) and a language.
struct Visitor {
    cookie: String,
    csrf: String,
}

async fn visitor(s: &TestServer, username: &str) -> Visitor {
    let resp = browser()
        .post(s.url("/login"))
        .form(&[("username", username), ("password", TEST_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 303, "sign in as {username}");
    let cookie = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("tongban_session="))
        .and_then(|v| v.split(';').next())
        .unwrap()
        .to_string();
    let mut v = Visitor {
        cookie,
        csrf: String::new(),
    };
    let (_, _, html) = get(s, &v, "/login?back=/", "zh").await;
    // Signed in, /login redirects; take the token from the portal's sign-out form instead.
    let html = if html.is_empty() {
        get(s, &v, "/", "zh").await.2
    } else {
        html
    };
    v.csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_default()
        .to_string();
    assert!(!v.csrf.is_empty(), "a CSRF token on the page");
    v
}

/// GET as `v` in `lang`: status, Location, body.
async fn get(s: &TestServer, v: &Visitor, path: &str, lang: &str) -> (u16, String, String) {
    let resp = browser()
        .get(s.url(path))
        .header("cookie", format!("{}; tongban_lang={lang}", v.cookie))
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let loc = location(&resp);
    (status, loc, resp.text().await.unwrap())
}

async fn post(
    s: &TestServer,
    v: &Visitor,
    path: &str,
    lang: &str,
    form: &[(&str, &str)],
) -> (u16, String, String) {
    let resp = browser()
        .post(s.url(path))
        .header("cookie", format!("{}; tongban_lang={lang}", v.cookie))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let loc = location(&resp);
    (status, loc, resp.text().await.unwrap())
}

fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// Every page: under budget, no third-party files or links.
fn light_and_local(html: &str, path: &str) {
    assert!(html.len() < BUDGET, "{path} is {} bytes", html.len());
    for attr in ["src=\"http", "href=\"http", "src='http", "href='http"] {
        assert!(!html.contains(attr), "{path} refers to an external URL");
    }
}

/// A clerk at a village service point in 衡南县.
async fn village_clerk(s: &TestServer, name: &str) -> (String, Visitor) {
    let center = s.village_center("430422").await;
    let c = center.clone();
    s.account(name, "clerk", move |a| a.center_code = Some(c))
        .await;
    (center, visitor(s, name).await)
}

/// The pension application as the window form posts it.
fn pension_form<'a>(csrf: &'a str, id: &'a str, key: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("key", key),
        ("f.applicant_name", "李耒阳"),
        ("f.applicant_id", id),
        ("f.mobile", "13812345678"),
        ("f.hukou_region", "430481"),
        ("f.contribution_grade", "300"),
        ("paper", "M-ID-CARD"),
    ]
}

async fn cases_of(s: &TestServer, token: &str) -> Value {
    let resp = s
        .client
        .get(s.url("/api/v1/cases"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    resp.json().await.unwrap()
}

async fn receive_a_walk_in_application_then_accept_it(s: &TestServer) {
    let (_, v) = village_clerk(s, "w.clerk").await;

    // The workstation, in Chinese and English.
    let (st, _, zh) = get(s, &v, "/clerk", "zh").await;
    assert_eq!(st, 200);
    assert!(
        zh.contains("窗口工作台") && zh.contains("今日排队") && zh.contains("本中心还没有收件")
    );
    assert!(zh.contains("lang=\"zh-CN\""));
    light_and_local(&zh, "/clerk");
    let (_, _, en) = get(s, &v, "/clerk", "en").await;
    assert!(en.contains("Window workstation") && en.contains("Call next"));
    assert!(en.contains("lang=\"en\""));

    // Choose the item by pinyin; a wrong code is a human sentence.
    let (st, _, found) = get(s, &v, "/clerk/receive?q=yanglao", "zh").await;
    assert_eq!(st, 200);
    assert!(found.contains("城乡居民基本养老保险参保登记"));
    assert!(found.contains(&format!("/clerk/receive/items/{ITEM}")));
    light_and_local(&found, "/clerk/receive");
    let (st, _, wrong) = post(
        s,
        &v,
        "/clerk/receive",
        "en",
        &[("csrf", &v.csrf), ("code", "NOPE-1")],
    )
    .await;
    assert_eq!(st, 422);
    assert!(
        wrong.contains("No service or bundle has this code") && wrong.contains("role=\"alert\"")
    );
    let (st, to, _) = post(
        s,
        &v,
        "/clerk/receive",
        "zh",
        &[("csrf", &v.csrf), ("code", ITEM)],
    )
    .await;
    assert_eq!(
        (st, to.as_str()),
        (303, format!("/clerk/receive/items/{ITEM}").as_str())
    );

    // The form: applicant, fields, the material checklist with its markers.
    let path = format!("/clerk/receive/items/{ITEM}");
    let (st, _, form) = get(s, &v, &path, "zh").await;
    assert_eq!(st, 200);
    assert!(form.contains("id=\"f-applicant_id\"") && form.contains("for=\"f-applicant_id\""));
    assert!(
        form.contains("id=\"paper-M-ID-CARD\"") && form.contains("容缺") && form.contains("免提交")
    );
    light_and_local(&form, &path);
    let (_, _, form_en) = get(s, &v, &path, "en").await;
    assert!(form_en.contains("Applicant (agent) ID number") && form_en.contains("Paper seen"));

    // A one-thing bundle's form: the merged form and materials.
    let (st, _, bundle) = get(s, &v, "/clerk/receive/bundles/YJS-CXJMYLCB", "zh").await;
    assert_eq!(st, 200);
    assert!(bundle.contains("id=\"f-applicant_id\"") && bundle.contains("name=\"paper\""));
    light_and_local(&bundle, "/clerk/receive/bundles/YJS-CXJMYLCB");

    // A wrong ID number: a human sentence next to the field, the input kept, nothing created.
    let (st, _, again) = post(s, &v, &path, "zh", &pension_form(&v.csrf, BAD_ID, "k1")).await;
    assert_eq!(st, 422, "{again}");
    assert!(
        again.contains("id=\"e-applicant_id\"") && again.contains("校验码"),
        "{again}"
    );
    assert!(again.contains("value=\"李耒阳\"") && again.contains(BAD_ID));
    assert!(
        again.contains("checked"),
        "the ticked material stays ticked"
    );
    let (_, _, again_en) = post(s, &v, &path, "en", &pension_form(&v.csrf, BAD_ID, "k1")).await;
    assert!(again_en.contains("check character"), "{again_en}");

    // The right one: the case is created and the result page offers to accept.
    let (st, to, _) = post(s, &v, &path, "zh", &pension_form(&v.csrf, LEIYANG_ID, "k2")).await;
    assert_eq!(st, 303);
    assert!(to.starts_with("/clerk/received/TB"), "{to}");
    let number = to.trim_start_matches("/clerk/received/").to_string();
    // A double click (same form key) is the same case.
    let (_, to2, _) = post(s, &v, &path, "zh", &pension_form(&v.csrf, LEIYANG_ID, "k2")).await;
    assert_eq!(to2, to);
    let (st, _, result) = get(s, &v, &to, "zh").await;
    assert_eq!(st, 200);
    assert!(
        result.contains(&number) && result.contains("待受理") && result.contains("id=\"accept\"")
    );
    assert!(result.contains("430481********0014"), "the ID is masked");
    assert!(result.contains("耒阳市人力资源和社会保障局"));
    light_and_local(&result, &to);
    let (_, _, result_en) = get(s, &v, &to, "en").await;
    assert!(result_en.contains("To accept") && result_en.contains("Accept"));

    // Accept: the receipt can be printed, the workstation lists the case.
    let version = result
        .split("name=\"version\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string();
    let (st, back, _) = post(
        s,
        &v,
        &format!("{to}/accept"),
        "zh",
        &[("csrf", &v.csrf), ("version", &version)],
    )
    .await;
    assert_eq!((st, back.as_str()), (303, to.as_str()));
    let (_, _, done) = get(s, &v, &to, "zh").await;
    assert!(done.contains("已受理") && done.contains(&format!("/api/v1/cases/{number}/receipt")));
    assert!(!done.contains("id=\"accept\""));
    let (_, _, home) = get(s, &v, "/clerk", "zh").await;
    assert!(home.contains(&format!("href=\"/cases/{number}\"")) && home.contains("已受理"));

    // An item due the day it is accepted (即办件) is near due at once: the row and badge say so.
    let instant = "/clerk/receive/items/430400-ZR-0004";
    let form = [
        ("csrf", v.csrf.as_str()),
        ("f.applicant_name", "李耒阳"),
        ("f.applicant_id", LEIYANG_ID),
        ("f.mobile", "13812345678"),
        ("f.property_region", "430422"),
        ("f.property_address", "衡南县云集街道 1 号"),
        ("f.property_query_purpose", "权利人查询本人不动产"),
        ("paper", "M-ID-CARD"),
    ];
    let (st, to, page) = post(s, &v, instant, "zh", &form).await;
    assert_eq!(st, 303, "{page}");
    let version = "1";
    let (st, _, _) = post(
        s,
        &v,
        &format!("{to}/accept"),
        "zh",
        &[("csrf", &v.csrf), ("version", version)],
    )
    .await;
    assert_eq!(st, 303);
    let (_, _, home) = get(s, &v, "/clerk", "zh").await;
    assert!(
        home.contains("class=\"due-near\"") && home.contains("badge near\">临期"),
        "{home}"
    );
    let (_, _, home) = get(s, &v, "/clerk", "en").await;
    assert!(home.contains("badge near\">Near due"));
}

/// Opens round-the-clock slots at `center` (as its clerk), books as a citizen and checks in:
/// one waiting ticket of the social-security window.
async fn one_ticket(s: &TestServer, center: &str, clerk: &str) -> String {
    let citizen = s
        .account("w.cit", "applicant", |a| {
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
    let send = |method: &str, path: String, token: &str, body: Value| {
        let req = match method {
            "PUT" => s.client.put(s.url(&path)),
            _ => s.client.post(s.url(&path)),
        };
        req.bearer_auth(token).json(&body).send()
    };
    let r = send(
        "PUT",
        format!("/api/v1/centers/{center}/slot-template"),
        clerk,
        template,
    )
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let at = (Utc::now() + Duration::hours(8) + Duration::minutes(2)).naive_utc();
    let (date, time) = (at.date(), format!("{:02}:00", at.hour()));
    for d in [date, date + Duration::days(1)] {
        let r = send(
            "POST",
            format!("/api/v1/centers/{center}/extended-days"),
            clerk,
            json!({"date": d.to_string(), "name": "测试延时"}),
        )
        .await
        .unwrap();
        assert_eq!(r.status().as_u16(), 200);
    }
    let r = send(
        "POST",
        "/api/v1/appointments".into(),
        &citizen,
        json!({"center": center, "item": ITEM, "date": date.to_string(), "time": time}),
    )
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = send(
        "POST",
        format!("/api/v1/appointments/{id}/check-in"),
        &citizen,
        json!({}),
    )
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    r.json::<Value>().await.unwrap()["number"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn the_queue_calls_recalls_and_skips(s: &TestServer) {
    let center = s.village_center("430422").await;
    let c = center.clone();
    let token = s
        .account("q.clerk", "clerk", move |a| a.center_code = Some(c))
        .await;
    let v = visitor(s, "q.clerk").await;
    let ticket = one_ticket(s, &center, &token).await;
    let (_, _, home) = get(s, &v, "/clerk", "zh").await;
    assert!(
        home.contains("id=\"waiting-social_security\">1<"),
        "one waiting"
    );
    assert!(home.contains("当前没有正在办理的号码"));

    // Without the token nothing is called.
    let (st, _, _) = post(
        s,
        &v,
        "/clerk/queue/call",
        "zh",
        &[("window_type", "social_security")],
    )
    .await;
    assert_eq!(st, 403);
    let (_, _, home) = get(s, &v, "/clerk", "zh").await;
    assert!(home.contains("id=\"waiting-social_security\">1<"));

    let (st, to, _) = post(
        s,
        &v,
        "/clerk/queue/call",
        "zh",
        &[
            ("csrf", &v.csrf),
            ("window_type", "social_security"),
            ("counter", "2"),
        ],
    )
    .await;
    assert_eq!((st, to.as_str()), (303, "/clerk"));
    let (_, _, home) = get(s, &v, "/clerk", "en").await;
    assert!(home.contains(&format!("id=\"serving-{ticket}\"")) && home.contains("Now serving"));
    assert!(home.contains("id=\"waiting-social_security\">0<"));
    light_and_local(&home, "/clerk");

    let (st, _, _) = post(
        s,
        &v,
        &format!("/clerk/queue/{ticket}/recall"),
        "zh",
        &[("csrf", &v.csrf)],
    )
    .await;
    assert_eq!(st, 303);
    let (_, _, home) = get(s, &v, "/clerk", "zh").await;
    assert!(home.contains("已呼叫次数 2"), "called twice");
    let (st, _, _) = post(
        s,
        &v,
        &format!("/clerk/queue/{ticket}/skip"),
        "zh",
        &[("csrf", &v.csrf)],
    )
    .await;
    assert_eq!(st, 303);
    let (_, _, home) = get(s, &v, "/clerk", "zh").await;
    assert!(!home.contains(&format!("id=\"serving-{ticket}\"")));
    // Skipping again is not possible: a human sentence, not a code.
    let (st, _, page) = post(
        s,
        &v,
        &format!("/clerk/queue/{ticket}/skip"),
        "zh",
        &[("csrf", &v.csrf)],
    )
    .await;
    assert_eq!(st, 409, "{page}");
    assert!(!page.contains("queue.") && page.contains("role=\"alert\""));
}

async fn wrong_roles_anonymous_and_forged_forms_change_nothing(s: &TestServer) {
    let center = s.village_center("430422").await;
    let c = center.clone();
    let clerk_token = s
        .account("r.clerk", "clerk", move |a| a.center_code = Some(c))
        .await;
    let v = visitor(s, "r.clerk").await;
    s.account("r.appr", "approver", |a| {
        a.department_code = Some("430481-hrss".into())
    })
    .await;
    s.account("r.cit", "applicant", |a| {
        a.id_number = Some(LEIYANG_ID.into())
    })
    .await;
    let item_path = format!("/clerk/receive/items/{ITEM}");
    let paths = ["/clerk", "/clerk/receive", item_path.as_str()];

    // Anonymous: to the sign-in page and back.
    for p in paths {
        let resp = browser().get(s.url(p)).send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 303, "{p}");
        assert!(location(&resp).starts_with("/login?back="), "{p}");
    }
    // Other roles: a human 403 page in their language.
    for who in ["r.appr", "r.cit"] {
        let other = visitor(s, who).await;
        for p in paths {
            let (st, _, page) = get(s, &other, p, "zh").await;
            assert_eq!(st, 403, "{who} {p}");
            assert!(page.contains("您的角色无权使用此页面"), "{who} {p}");
        }
        let (_, _, page) = get(s, &other, "/clerk", "en").await;
        assert!(page.contains("This page is for other roles"));
        let (st, _, _) = post(
            s,
            &other,
            &item_path,
            "zh",
            &pension_form(&other.csrf, LEIYANG_ID, "x"),
        )
        .await;
        assert_eq!(st, 403, "{who} may not receive");
    }

    // Without a token, or with another's: refused, no case.
    let mut form = pension_form("", LEIYANG_ID, "f1");
    form.retain(|(k, _)| *k != "csrf");
    let (st, _, page) = post(s, &v, &item_path, "zh", &form).await;
    assert_eq!(st, 403);
    assert!(page.contains("页面已过期"));
    let (st, _, _) = post(
        s,
        &v,
        &item_path,
        "en",
        &pension_form("0123456789abcdef0123456789abcdef", LEIYANG_ID, "f2"),
    )
    .await;
    assert_eq!(st, 403);
    assert_eq!(
        cases_of(s, &clerk_token).await["total"],
        0,
        "nothing was created"
    );

    // A real case; forged accept is refused and the case stays as it was.
    let (_, to, _) = post(
        s,
        &v,
        &item_path,
        "zh",
        &pension_form(&v.csrf, LEIYANG_ID, "f3"),
    )
    .await;
    let (st, _, _) = post(
        s,
        &v,
        &format!("{to}/accept"),
        "zh",
        &[("csrf", "nope"), ("version", "1")],
    )
    .await;
    assert_eq!(st, 403);
    let (st, _, _) = post(
        s,
        &v,
        &format!("{to}/missing"),
        "zh",
        &[
            ("version", "1"),
            ("material", "M-HUKOU-BOOK"),
            ("do", "notice"),
        ],
    )
    .await;
    assert_eq!(st, 403);
    let (_, _, page) = get(s, &v, &to, "zh").await;
    assert!(page.contains("待受理") && page.contains("id=\"accept\""));
    // A stale version changes nothing and says so.
    let (st, _, page) = post(
        s,
        &v,
        &format!("{to}/accept"),
        "zh",
        &[("csrf", &v.csrf), ("version", "7")],
    )
    .await;
    assert_eq!(st, 409, "{page}");
    assert!(page.contains("role=\"alert\""));
}

async fn missing_materials_get_one_notice(s: &TestServer) {
    let (_, v) = village_clerk(s, "n.clerk").await;
    let item_path = format!("/clerk/receive/items/{ITEM}");
    let (_, to, _) = post(
        s,
        &v,
        &item_path,
        "zh",
        &pension_form(&v.csrf, LEIYANG_ID, "n1"),
    )
    .await;
    let (_, _, page) = get(s, &v, &to, "zh").await;
    // Only the ID card was seen: the household register is missing (and tolerable).
    assert!(
        page.contains("id=\"missing-M-HUKOU-BOOK\"")
            && page.contains("id=\"notice\"")
            && page.contains("id=\"tolerance\"")
    );
    assert!(page.contains("居民户口簿 — 缺少"));

    // Nothing ticked: a human sentence.
    let (st, _, page) = post(
        s,
        &v,
        &format!("{to}/missing"),
        "en",
        &[("csrf", &v.csrf), ("version", "1"), ("do", "notice")],
    )
    .await;
    assert_eq!(st, 422);
    assert!(page.contains("Tick at least one material") && page.contains("role=\"alert\""));

    let (st, _, _) = post(
        s,
        &v,
        &format!("{to}/missing"),
        "zh",
        &[
            ("csrf", &v.csrf),
            ("version", "1"),
            ("material", "M-HUKOU-BOOK"),
            ("note", "请补交户口簿"),
            ("do", "notice"),
        ],
    )
    .await;
    assert_eq!(st, 303);
    let (_, _, page) = get(s, &v, &to, "zh").await;
    let number = to.trim_start_matches("/clerk/received/");
    assert!(page.contains("补正中") && page.contains(&format!("/api/v1/cases/{number}/notice")));
    assert!(!page.contains("id=\"accept\""));

    // 容缺受理: only tolerable materials may be missing at acceptance; the service says which not.
    let mut bare = pension_form(&v.csrf, LEIYANG_ID, "n2");
    bare.retain(|(k, _)| *k != "paper");
    let (_, to, _) = post(s, &v, &item_path, "zh", &bare).await;
    let tol = format!("{to}/missing");
    let (st, _, page) = post(
        s,
        &v,
        &tol,
        "zh",
        &[
            ("csrf", &v.csrf),
            ("version", "1"),
            ("material", "M-ID-CARD"),
            ("material", "M-HUKOU-BOOK"),
            ("do", "tolerance"),
        ],
    )
    .await;
    assert_eq!(st, 422, "{page}");
    assert!(
        page.contains("id=\"act-error\"") && page.contains("M-ID-CARD"),
        "{page}"
    );
    assert!(page.contains("待受理"), "nothing changed");
    let (st, _, _) = post(
        s,
        &v,
        &tol,
        "zh",
        &[
            ("csrf", &v.csrf),
            ("version", "1"),
            ("material", "M-HUKOU-BOOK"),
            ("do", "tolerance"),
        ],
    )
    .await;
    assert_eq!(st, 303);
    let (_, _, page) = get(s, &v, &to, "zh").await;
    assert!(
        page.contains("已受理") && page.contains("id=\"print-receipt\""),
        "{page}"
    );
}
