//! HTTP tests of the work pages: the approver's to-do list (deadline order, overdue rows, filters),
//! the staff case page for each staff role and refused for the others, a material's file served
//! only from a visible case, actions posted with CSRF (stale versions and validation errors as
//! human sentences, changing nothing), and the 不予受理决定书.

use serde_json::{Value, json};

use crate::harness::TestServer;

crate::on_both_backends!(
    pages_render_for_staff_and_refuse_everyone_else,
    actions_need_the_token_and_explain_what_went_wrong,
    the_queue_orders_by_deadline_and_marks_overdue_rows,
    refusal_decision_exists_only_after_a_rejection,
);

const BUDGET: usize = 100 * 1024;
/// A valid resident ID issued in 耒阳市 (430481).
const LEIYANG_ID: &str = "430481199003150014";

struct Actors {
    clerk: String,
    approver: String,
    other_approver: String,
    supervisor: String,
    citizen: String,
}

async fn actors(s: &TestServer) -> Actors {
    let center = s.village_center("430422").await;
    Actors {
        clerk: s
            .account("w.clerk", "clerk", |a| a.center_code = Some(center))
            .await,
        approver: s
            .account("w.appr", "approver", |a| {
                a.department_code = Some("430481-hrss".into());
            })
            .await,
        other_approver: s
            .account("w.appr2", "approver", |a| {
                a.department_code = Some("430422-hrss".into());
            })
            .await,
        supervisor: s
            .account("w.sup", "supervisor", |a| {
                a.region_code = Some("430400".into());
            })
            .await,
        citizen: s
            .account("w.cit", "applicant", |a| {
                a.id_number = Some(LEIYANG_ID.into());
            })
            .await,
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// GET as a signed-in user (session cookie) with an optional language cookie.
async fn get(
    s: &TestServer,
    path: &str,
    token: Option<&str>,
    lang: Option<&str>,
) -> reqwest::Response {
    let mut cookies = Vec::new();
    if let Some(t) = token {
        cookies.push(format!("tongban_session={t}"));
    }
    if let Some(l) = lang {
        cookies.push(format!("tongban_lang={l}"));
    }
    let mut req = client().get(s.url(path));
    if !cookies.is_empty() {
        req = req.header("cookie", cookies.join("; "));
    }
    req.send().await.unwrap()
}

async fn page(s: &TestServer, path: &str, token: &str, lang: Option<&str>) -> (u16, String) {
    let resp = get(s, path, Some(token), lang).await;
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}

async fn post_form(
    s: &TestServer,
    path: &str,
    token: &str,
    form: &[(&str, &str)],
) -> (u16, String, String) {
    let resp = client()
        .post(s.url(path))
        .header("cookie", format!("tongban_session={token}"))
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

fn csrf_of(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a CSRF token")
        .to_string()
}

fn assert_small_and_self_contained(path: &str, body: &str) {
    assert!(body.len() < BUDGET, "{path} is {} bytes", body.len());
    for bad in ["http://", "https://", "src=\"//", "href=\"//"] {
        assert!(!body.contains(bad), "{path} links {bad}");
    }
}

async fn api(s: &TestServer, token: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let req = match body {
        Some(b) => s.client.post(s.url(path)).json(&b),
        None => s.client.get(s.url(path)),
    };
    let resp = req.bearer_auth(token).send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// The Hengyang case: received by the village clerk in 衡南县, handled by 耒阳市人社局, with the
/// household register as a PDF; accepted unless `accept` is false. Returns (number, file hash).
async fn pension_case(s: &TestServer, a: &Actors, accept: bool) -> (String, String) {
    let sha = s.upload_pdf(&a.clerk).await;
    let (status, case) = api(
        s,
        &a.clerk,
        "/api/v1/cases",
        Some(json!({
            "item": "430400-RS-0001",
            "form": {
                "applicant_name": "李耒阳",
                "applicant_id": LEIYANG_ID,
                "mobile": "13812345678",
                "hukou_region": "430481",
                "contribution_grade": "300"
            },
            "materials": [
                { "material": "M-ID-CARD", "paper": true },
                { "material": "M-HUKOU-BOOK", "file": sha, "file_name": "户口簿.pdf" }
            ]
        })),
    )
    .await;
    assert_eq!(status, 201, "{case}");
    let number = case["number"].as_str().unwrap().to_string();
    if accept {
        let (status, c) = api(
            s,
            &a.clerk,
            &format!("/api/v1/cases/{number}/actions"),
            Some(json!({"sub_case": 1, "version": 1, "action": "accept"})),
        )
        .await;
        assert_eq!(status, 200, "{c}");
    }
    (number, sha)
}

async fn version_of(s: &TestServer, token: &str, number: &str) -> i64 {
    let (_, c) = api(s, token, &format!("/api/v1/cases/{number}"), None).await;
    c["version"].as_i64().unwrap()
}

async fn pages_render_for_staff_and_refuse_everyone_else(s: &TestServer) {
    let a = actors(s).await;
    let (number, sha) = pension_case(s, &a, true).await;
    let case_path = format!("/cases/{number}");

    // The to-do list, in Chinese and English, with the case and its deadline.
    let (status, zh) = page(s, "/work", &a.approver, None).await;
    assert_eq!(status, 200, "{zh}");
    assert!(zh.contains("我的待办") && zh.contains(&number), "{zh}");
    assert!(zh.contains("城乡居民基本养老保险参保登记"));
    assert!(zh.contains("已受理（待审查）") && zh.contains("审查"));
    assert!(zh.contains("lang=\"zh-CN\""));
    assert_small_and_self_contained("/work", &zh);
    let (status, en) = page(s, "/work", &a.approver, Some("en")).await;
    assert_eq!(status, 200);
    assert!(
        en.contains("My to-do list") && en.contains("Working days left") && en.contains(&number)
    );
    assert!(en.contains("lang=\"en\""));

    // The case page for each staff role that may see it.
    let (status, zh) = page(s, &case_path, &a.approver, None).await;
    assert_eq!(status, 200, "{zh}");
    for want in [
        "李耒阳",
        "430481********0014",
        "耒阳市人力资源和社会保障局",
        "办理过程",
        "受理通知书",
        "id=\"act-1-review\"",
        &format!("/cases/{number}/files/{sha}"),
        "<object",
    ] {
        assert!(zh.contains(want), "case page lacks {want}");
    }
    assert!(!zh.contains(LEIYANG_ID), "the ID is masked");
    assert_small_and_self_contained(&case_path, &zh);
    let (status, en) = page(s, &case_path, &a.approver, Some("en")).await;
    assert_eq!(status, 200);
    assert!(en.contains("Timeline") && en.contains("Handled by") && en.contains("Review"));
    assert_small_and_self_contained(&case_path, &en);
    let (status, clerk) = page(s, &case_path, &a.clerk, None).await;
    assert_eq!(status, 200);
    assert!(
        !clerk.contains("id=\"act-1-review\""),
        "review is the approver's"
    );
    let (status, _) = page(s, &case_path, &a.supervisor, None).await;
    assert_eq!(status, 200);

    // Wrong role: a human 403; another department: not found; anonymous: sign in first.
    let (status, body) = page(s, "/work", &a.citizen, None).await;
    assert_eq!(status, 403);
    assert!(body.contains("您的角色无权使用此页面"), "{body}");
    let (status, body) = page(s, "/work", &a.citizen, Some("en")).await;
    assert_eq!(status, 403);
    assert!(body.contains("This page is for other roles"));
    let (status, _) = page(s, "/work", &a.clerk, None).await;
    assert_eq!(status, 403);
    let (status, _) = page(s, &case_path, &a.citizen, None).await;
    assert_eq!(status, 403);
    let (status, body) = page(s, &case_path, &a.other_approver, None).await;
    assert_eq!(status, 404);
    assert!(body.contains("找不到您可查看的办件"), "{body}");
    for path in ["/work", case_path.as_str()] {
        let resp = get(s, path, None, None).await;
        assert_eq!(resp.status().as_u16(), 303, "{path}");
        let to = resp.headers()["location"].to_str().unwrap().to_string();
        assert!(to.starts_with("/login?back="), "{to}");
    }

    // The file: inline, typed, not sniffed; only from a case the user may see.
    let file_path = format!("/cases/{number}/files/{sha}");
    let resp = get(s, &file_path, Some(&a.approver), None).await;
    assert_eq!(resp.status().as_u16(), 200);
    let h = resp.headers();
    assert_eq!(h["content-type"], "application/pdf");
    assert!(
        h["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline")
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(resp.bytes().await.unwrap().starts_with(b"%PDF-"));
    let resp = get(s, &file_path, Some(&a.other_approver), None).await;
    assert_eq!(resp.status().as_u16(), 404);
    // A file that exists but belongs to no case of this one's.
    let stray = {
        let resp = s
            .client
            .post(s.url("/api/v1/files"))
            .bearer_auth(&a.clerk)
            .header("content-type", "application/pdf")
            .body(b"%PDF-1.4\n% another file\n%%EOF\n".to_vec())
            .send()
            .await
            .unwrap();
        let v: Value = resp.json().await.unwrap();
        v["sha256"].as_str().unwrap().to_string()
    };
    let resp = get(
        s,
        &format!("/cases/{number}/files/{stray}"),
        Some(&a.approver),
        None,
    )
    .await;
    assert_eq!(resp.status().as_u16(), 404);
    let resp = get(s, &file_path, None, None).await;
    assert_eq!(resp.status().as_u16(), 303);
}

async fn actions_need_the_token_and_explain_what_went_wrong(s: &TestServer) {
    let a = actors(s).await;
    let (number, _) = pension_case(s, &a, true).await;
    let case_path = format!("/cases/{number}");
    let act_path = format!("/cases/{number}/act");
    let (_, html) = page(s, &case_path, &a.approver, None).await;
    let csrf = csrf_of(&html);
    let v = version_of(s, &a.approver, &number).await;
    let vs = v.to_string();

    // Without the token, or with another one: refused, nothing changes.
    for bad in ["", "00000000000000000000000000000000"] {
        let (status, _, body) = post_form(
            s,
            &act_path,
            &a.approver,
            &[
                ("csrf", bad),
                ("version", &vs),
                ("sub_case", "1"),
                ("action", "review"),
                ("text", "ok"),
            ],
        )
        .await;
        assert_eq!(status, 403);
        assert!(body.contains("页面已过期"), "{body}");
    }
    assert_eq!(version_of(s, &a.approver, &number).await, v);

    // A stale version: a human sentence, the input kept, nothing written.
    let old = (v - 1).to_string();
    let (status, _, body) = post_form(
        s,
        &act_path,
        &a.approver,
        &[
            ("csrf", &csrf),
            ("version", &old),
            ("sub_case", "1"),
            ("action", "review"),
            ("text", "材料齐全"),
        ],
    )
    .await;
    assert_eq!(status, 409);
    assert!(body.contains("其他人已更新了此办件"), "{body}");
    assert!(body.contains(">材料齐全</textarea>"), "input kept");
    assert_eq!(version_of(s, &a.approver, &number).await, v);

    // A review that works: post/redirect/get back to the case.
    let (status, location, _) = post_form(
        s,
        &act_path,
        &a.approver,
        &[
            ("csrf", &csrf),
            ("version", &vs),
            ("sub_case", "1"),
            ("action", "review"),
            ("text", "材料齐全，符合参保条件"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert!(location.starts_with(&format!("/cases/{number}?done=review")));
    let v = v + 1;
    let vs = v.to_string();
    let (_, html) = page(s, &location, &a.approver, None).await;
    assert!(html.contains("已办理：审查") && html.contains("材料齐全，符合参保条件"));

    // A denial without a reason: the service's sentence beside the form, in English too.
    let deny = [
        ("csrf", csrf.as_str()),
        ("version", vs.as_str()),
        ("sub_case", "1"),
        ("action", "deny"),
        ("text", "  "),
    ];
    let (status, _, body) = post_form(s, &act_path, &a.approver, &deny).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("role=\"alert\""));
    assert_eq!(version_of(s, &a.approver, &number).await, v);
    let resp = client()
        .post(s.url(&act_path))
        .header(
            "cookie",
            format!("tongban_session={}; tongban_lang=en", a.approver),
        )
        .form(&deny)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 422);
    let body = resp.text().await.unwrap();
    assert!(body.contains("lang=\"en\"") && body.contains("role=\"alert\""));

    // A conclusion with an unreadable date: the form comes back as typed.
    let (status, _, body) = post_form(
        s,
        &act_path,
        &a.approver,
        &[
            ("csrf", &csrf),
            ("version", &vs),
            ("sub_case", "1"),
            ("action", "conclude"),
            ("result_number", "LY-2026-0009"),
            ("result_content", "已参保"),
            ("issuer", "耒阳市人力资源和社会保障局"),
            ("issued_on", "28.11.2026"),
            ("approved", "yes"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("请按“年-月-日”填写出具日期"), "{body}");
    assert!(body.contains("value=\"LY-2026-0009\""), "input kept");
    assert_eq!(version_of(s, &a.approver, &number).await, v);
}

async fn the_queue_orders_by_deadline_and_marks_overdue_rows(s: &TestServer) {
    let a = actors(s).await;
    let (fresh, _) = pension_case(s, &a, true).await;
    let (late, _) = pension_case(s, &a, true).await;
    let (waiting, _) = pension_case(s, &a, false).await;
    // Back-date the second case's acceptance so that it is overdue.
    let (_, c) = api(s, &a.approver, &format!("/api/v1/cases/{late}"), None).await;
    let accepted = c["sub_cases"][0]["accepted_on"]
        .as_str()
        .unwrap()
        .to_string();
    back_date(s, &late, &accepted, "2026-01-05", "2026-01-08").await;
    let (_, c) = api(s, &a.approver, &format!("/api/v1/cases/{late}"), None).await;
    assert_eq!(c["sub_cases"][0]["time_status"], "overdue", "{c}");

    // Back-date the third case's acceptance until it is near its deadline (weekends and
    // holidays decide how far back that is).
    let (near, _) = pension_case(s, &a, true).await;
    let today = chrono::NaiveDate::parse_from_str(&accepted, "%Y-%m-%d").unwrap();
    let mut prev = accepted.clone();
    let mut flagged = false;
    for back in 1..=10 {
        let start = (today - chrono::Duration::days(back)).to_string();
        let (_, _, d) = s
            .get(&format!("/api/v1/calendar/deadline?start={start}&days=3"))
            .await;
        let deadline = d["deadline"].as_str().unwrap().to_string();
        back_date(s, &near, &prev, &start, &deadline).await;
        prev = start;
        let (_, c) = api(s, &a.approver, &format!("/api/v1/cases/{near}"), None).await;
        if c["sub_cases"][0]["time_status"] == "near_due" {
            flagged = true;
            break;
        }
    }
    assert!(flagged, "a back-dated acceptance makes the case near-due");

    let (status, html) = page(s, "/work", &a.approver, None).await;
    assert_eq!(status, 200);
    let at = |n: &str| {
        html.find(&format!("data-case=\"{n}\""))
            .unwrap_or(usize::MAX)
    };
    assert!(
        at(&late) < at(&near) && at(&near) < at(&fresh),
        "by deadline"
    );
    assert_eq!(
        at(&waiting),
        usize::MAX,
        "not yet accepted: the clerk's, not mine"
    );
    assert!(html.contains("3 条待办"));
    let row = &html[at(&late).saturating_sub(40)..at(&late)];
    assert!(row.contains("due-over"), "{row}");
    let row = &html[at(&near).saturating_sub(40)..at(&near)];
    assert!(row.contains("due-near"), "{row}");
    assert!(html.contains("class=\"badge over\">已超期</span>"));
    assert!(html.contains("class=\"badge near\">临近期限</span>"));

    let (_, html) = page(s, "/work?filter=overdue", &a.approver, None).await;
    assert!(html.contains(&late) && !html.contains(&fresh) && !html.contains(&near));
    assert!(html.contains("1 条待办"));
    let (_, html) = page(s, "/work?filter=near_due", &a.approver, Some("en")).await;
    assert!(html.contains(&late) && html.contains(&near) && !html.contains(&fresh));
    assert!(html.contains("Overdue</span>") && html.contains("Near due</span>"));
}

async fn refusal_decision_exists_only_after_a_rejection(s: &TestServer) {
    let a = actors(s).await;
    let (number, _) = pension_case(s, &a, false).await;
    let path = format!("/api/v1/cases/{number}/refusal");
    let (status, body) = api(s, &a.clerk, &path, None).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["code"], "case.not_rejected");

    // The clerk rejects through the case page's form.
    let (_, html) = page(s, &format!("/cases/{number}"), &a.clerk, None).await;
    assert!(html.contains("id=\"act-1-reject\""));
    let (status, _, _) = post_form(
        s,
        &format!("/cases/{number}/act"),
        &a.clerk,
        &[
            ("csrf", &csrf_of(&html)),
            ("version", "1"),
            ("sub_case", "1"),
            ("action", "reject"),
            ("text", "申请人已参加城镇职工基本养老保险\n不得重复参保"),
        ],
    )
    .await;
    assert_eq!(status, 303);

    for token in [&a.clerk, &a.approver] {
        let resp = s
            .client
            .get(s.url(&path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let doc = resp.text().await.unwrap();
        for want in [
            "不予受理决定书",
            number.as_str(),
            "核验码",
            "申请人已参加城镇职工基本养老保险",
            "不得重复参保",
            "如不服本决定，可依法申请行政复议或者提起行政诉讼",
            "@page{size:A4",
        ] {
            assert!(doc.contains(want), "the decision lacks {want}");
        }
    }
    let (status, _) = api(s, &a.other_approver, &path, None).await;
    assert_eq!(status, 404, "not visible to another department");
    let (_, html) = page(s, &format!("/cases/{number}"), &a.clerk, None).await;
    assert!(html.contains(&format!("/api/v1/cases/{number}/refusal")));
}

/// Moves the acceptance of case `number`'s first sub-case from `from` to `to`, with its new
/// deadline, behind the application's back; and its version, as every write to a case's rows
/// does (the server keeps recently read cases by version).
async fn back_date(s: &TestServer, number: &str, from: &str, to: &str, deadline: &str) {
    s.app
        .store
        .execute_raw(&format!(
            "UPDATE sub_cases SET state = REPLACE(state, '\"accepted_on\":\"{from}\"', \
             '\"accepted_on\":\"{to}\"'), accepted_on = '{to}', deadline = '{deadline}' \
             WHERE case_number = '{number}'"
        ))
        .await
        .unwrap();
    s.app
        .store
        .execute_raw(&format!(
            "UPDATE cases SET version = version + 1 WHERE number = '{number}'"
        ))
        .await
        .unwrap();
}
