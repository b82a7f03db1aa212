//! 容缺办 end to end over HTTP (accept with a missing tolerable material on a signed pledge,
//! conclusion blocked until it arrives, one reminder, expiry the day after the deadline with a
//! written notice, several job runners at once) and 网上办 self-registration.
//!
//! The server runs on the system clock, so the deadline job is called with explicit dates; the
//! deadline falling on a holiday and the turn of the day are also tested on the pure rules
//! (`tongban_domain::case::tolerance`).

use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::harness::TestServer;

crate::on_both_backends!(
    tolerance_end_to_end,
    missed_deadline_terminates_once,
    registration_then_online_application,
);

const PW: &str = "correct horse battery";
const LEIYANG_ID: &str = "430481199003150014";

struct Actors {
    clerk: String,
    approver: String,
}

async fn actors(s: &TestServer) -> Actors {
    let (_, _, body) = s.get("/api/v1/centers?region=430422&limit=100").await;
    let center = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["level"] == "village")
        .unwrap()["code"]
        .as_str()
        .unwrap()
        .to_string();
    Actors {
        clerk: s
            .account("r.clerk", "clerk", |a| a.center_code = Some(center))
            .await,
        approver: s
            .account("r.appr", "approver", |a| {
                a.department_code = Some("430481-hrss".into())
            })
            .await,
    }
}

async fn call(
    s: &TestServer,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = match method {
        "GET" => s.client.get(s.url(path)),
        _ => s.client.post(s.url(path)),
    };
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// 城乡居民基本养老保险参保登记 at a window, without the household register (tolerable, 3 days).
async fn case_without_hukou_book(s: &TestServer, clerk: &str) -> String {
    let (status, case) = call(
        s,
        "POST",
        "/api/v1/cases",
        Some(clerk),
        Some(json!({
            "item": "430400-RS-0001",
            "form": {
                "applicant_name": "李耒阳", "applicant_id": LEIYANG_ID, "mobile": "13812345678",
                "hukou_region": "430481", "contribution_grade": "300"
            },
            "materials": [ { "material": "M-ID-CARD", "paper": true } ]
        })),
    )
    .await;
    assert_eq!(status, 201, "{case}");
    case["number"].as_str().unwrap().to_string()
}

async fn act(s: &TestServer, token: &str, number: &str, body: Value) -> (u16, Value) {
    call(
        s,
        "POST",
        &format!("/api/v1/cases/{number}/actions"),
        Some(token),
        Some(body),
    )
    .await
}

async fn accept_tolerated(s: &TestServer, a: &Actors, number: &str) -> (Value, NaiveDate) {
    let (status, c) = act(s, &a.clerk, number, json!({
        "sub_case": 1, "version": 1, "action": "accept_with_tolerance", "tolerated": ["M-HUKOU-BOOK"]
    }))
    .await;
    assert_eq!(status, 200, "{c}");
    s.assert_facts_as_stored(number).await;
    let due: NaiveDate = c["sub_cases"][0]["pledge_due"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    (c, due)
}

fn kinds(c: &Value) -> Vec<String> {
    c["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

async fn tolerance_end_to_end(s: &TestServer) {
    let a = actors(s).await;
    let number = case_without_hukou_book(s, &a.clerk).await;

    // A material that is not tolerable: a precise problem, nothing changed.
    let (status, body) = act(
        s,
        &a.clerk,
        &number,
        json!({
            "sub_case": 1, "version": 1, "action": "accept_with_tolerance", "tolerated": ["M-POA"]
        }),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "case.not_tolerable");
    assert!(body["detail"].as_str().unwrap().contains("M-POA"), "{body}");
    // A material that was handed in is not missing.
    let (status, body) = act(s, &a.clerk, &number, json!({
        "sub_case": 1, "version": 1, "action": "accept_with_tolerance", "tolerated": ["M-ID-CARD"]
    }))
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "case.material_not_missing");
    assert_eq!(body["field"], "tolerated");
    let (_, c) = call(
        s,
        "GET",
        &format!("/api/v1/cases/{number}"),
        Some(&a.clerk),
        None,
    )
    .await;
    assert_eq!(c["version"], 1, "nothing changed");
    assert_eq!(kinds(&c), ["case.submitted"]);
    assert!(
        c["sub_cases"][0]["allowed_actions"]
            .as_array()
            .unwrap()
            .contains(&json!("accept_with_tolerance"))
    );

    // Accepted on the pledge: the deadline is 3 working days on the official calendar.
    let (c, due) = accept_tolerated(s, &a, &number).await;
    let accepted_on = c["sub_cases"][0]["accepted_on"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, _, expected) = s
        .get(&format!(
            "/api/v1/calendar/deadline?start={accepted_on}&days=3"
        ))
        .await;
    assert_eq!(expected["deadline"], due.to_string());
    assert_eq!(c["sub_cases"][0]["status"], "accepted");
    assert_eq!(c["sub_cases"][0]["pledged"], json!(["M-HUKOU-BOOK"]));
    let pledge = s
        .client
        .get(s.url(&format!("/api/v1/cases/{number}/pledge")))
        .bearer_auth(&a.clerk)
        .send()
        .await
        .unwrap();
    assert_eq!(pledge.status().as_u16(), 200);
    assert!(
        pledge.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let pledge = pledge.text().await.unwrap();
    assert!(
        pledge.contains("容缺受理承诺书")
            && pledge.contains("居民户口簿")
            && pledge.contains(&due.to_string())
    );
    assert!(pledge.contains("待补交") && pledge.contains("@page{size:A4"));

    // Review proceeds; concluding is blocked while the pledged material is outstanding.
    let (status, c) = act(
        s,
        &a.approver,
        &number,
        json!({"sub_case": 1, "version": 2, "action": "review", "opinion": "符合条件"}),
    )
    .await;
    assert_eq!(status, 200, "{c}");
    assert!(
        !c["sub_cases"][0]["allowed_actions"]
            .as_array()
            .unwrap()
            .contains(&json!("conclude"))
    );
    let conclude = json!({"sub_case": 1, "version": 3, "action": "conclude", "result": {
        "number": "LY-TOL-1", "content": "已参保", "issuer": "耒阳市人力资源和社会保障局",
        "issued_on": accepted_on, "approved": true }});
    let (status, body) = act(s, &a.approver, &number, conclude.clone()).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], "case.pledge_outstanding");
    assert!(body["detail"].as_str().unwrap().contains("M-HUKOU-BOOK"));

    // One reminder when the deadline is at most a working day away, by the system, once.
    let r = s.app.run_deadline_jobs(due).await.unwrap();
    assert_eq!((r.reminded, r.terminated, r.suspended), (1, 0, 0));
    let r = s.app.run_deadline_jobs(due).await.unwrap();
    assert_eq!(r.reminded, 0, "idempotent");
    let (_, c) = call(
        s,
        "GET",
        &format!("/api/v1/cases/{number}"),
        Some(&a.clerk),
        None,
    )
    .await;
    let last = c["timeline"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["kind"].as_str(), last["actor"].as_str()),
        (Some("sub_case.pledge_reminder"), Some("system"))
    );
    assert_eq!(last["payload"]["due"], due.to_string());

    // The household register arrives: the pledge is met and the case concludes.
    let sha = s.upload_pdf(&a.clerk).await;
    let (status, c) = act(
        s,
        &a.clerk,
        &number,
        json!({
            "sub_case": 1, "version": 4, "action": "supplement", "materials": ["M-HUKOU-BOOK"],
            "files": [ { "material": "M-HUKOU-BOOK", "file": sha, "file_name": "hukou.pdf" } ]
        }),
    )
    .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["sub_cases"][0]["status"], "reviewed");
    assert_eq!(c["sub_cases"][0]["pledged"], json!([]));
    let mut conclude = conclude;
    conclude["version"] = json!(5);
    let (status, c) = act(s, &a.approver, &number, conclude).await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["status"], "closed");
    // Nothing left for the job, however late.
    let late = due + chrono::Duration::days(30);
    assert_eq!(
        s.app.run_deadline_jobs(late).await.unwrap(),
        Default::default()
    );
    assert_eq!(s.app.verify_audit().await.unwrap().broken, None);
    s.assert_counters_match_a_scan(&["tolerance"]).await;
}

async fn missed_deadline_terminates_once(s: &TestServer) {
    let a = actors(s).await;
    let number = case_without_hukou_book(s, &a.clerk).await;
    let (_, due) = accept_tolerated(s, &a, &number).await;
    // On the due day the pledge is still in time (only the reminder goes out) …
    let r = s.app.run_deadline_jobs(due).await.unwrap();
    assert_eq!((r.reminded, r.terminated), (1, 0));
    // … the day after, the sub-case ends as the item says (终止办理), with a written notice.
    let next_day = due.succ_opt().unwrap();
    let (r1, r2) = tokio::join!(
        s.app.run_deadline_jobs(next_day),
        s.app.run_deadline_jobs(next_day)
    );
    let (r1, r2) = (r1.unwrap(), r2.unwrap());
    assert_eq!(
        r1.terminated + r2.terminated,
        1,
        "two runners, one termination: {r1:?} {r2:?}"
    );
    let (_, c) = call(
        s,
        "GET",
        &format!("/api/v1/cases/{number}"),
        Some(&a.clerk),
        None,
    )
    .await;
    assert_eq!(c["sub_cases"][0]["status"], "terminated");
    assert_eq!(c["sub_cases"][0]["status_name"], "终止办理");
    assert_eq!(c["status"], "closed");
    let k = kinds(&c);
    assert_eq!(
        &k[k.len() - 3..],
        [
            "sub_case.pledge_reminder",
            "sub_case.pledge_expired",
            "case.closed"
        ]
    );
    let expired = &c["timeline"][k.len() - 2];
    assert_eq!(expired["actor"], "system");
    assert!(
        expired["payload"]["notice"]
            .as_str()
            .unwrap()
            .contains("终止办理")
    );
    let (status, body) = act(
        s,
        &a.approver,
        &number,
        json!({"sub_case": 1, "version": c["version"], "action": "review", "opinion": "x"}),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    let doc = s
        .client
        .get(s.url(&format!("/api/v1/cases/{number}/pledge")))
        .bearer_auth(&a.clerk)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(doc.contains("终止办理通知"));
    assert_eq!(
        s.app.run_deadline_jobs(next_day).await.unwrap(),
        Default::default()
    );
    assert_eq!(s.app.verify_audit().await.unwrap().broken, None);
    s.assert_counters_match_a_scan(&["tolerance"]).await;
}

async fn registration_then_online_application(s: &TestServer) {
    let good = json!({
        "username": "li.leiyang", "password": PW, "display_name": "李耒阳",
        "id_number": LEIYANG_ID, "mobile": "138 1234 5678"
    });
    // Bad input names the field and creates nobody.
    for (field, value, code_field) in [
        ("mobile", Value::Null, "mobile"),
        ("id_number", json!("430481199003150015"), "id_number"),
        ("password", json!("short"), "password"),
    ] {
        let mut body = good.clone();
        body[field] = value;
        let (status, p) = call(s, "POST", "/api/v1/accounts/register", None, Some(body)).await;
        assert_eq!(status, 400, "{p}");
        assert_eq!(p["field"], code_field, "{p}");
    }
    let (status, user) = call(
        s,
        "POST",
        "/api/v1/accounts/register",
        None,
        Some(good.clone()),
    )
    .await;
    assert_eq!(status, 201, "{user}");
    assert_eq!(user["role"], "applicant");
    assert_eq!(user["applicant_kind"], "person");
    assert_ne!(user["id_number"], LEIYANG_ID, "masked");
    let (status, p) = call(s, "POST", "/api/v1/accounts/register", None, Some(good)).await;
    assert_eq!(status, 409, "{p}");

    // Signed in, the new applicant applies online: no trip.
    let token = s.login("li.leiyang", PW).await;
    let sha = s.upload_pdf(&token).await;
    let (status, case) = call(s, "POST", "/api/v1/cases", Some(&token), Some(json!({
        "item": "430400-RS-0001",
        "form": { "applicant_name": "李耒阳", "applicant_id": LEIYANG_ID, "mobile": "13812345678",
                  "hukou_region": "430481", "contribution_grade": "300" },
        "materials": [ { "material": "M-ID-CARD", "file": sha, "file_name": "id.pdf" } ]
    })))
    .await;
    assert_eq!(status, 201, "{case}");
    assert_eq!(case["channel"], "online");
    assert_eq!(case["trips"], 0);
}
