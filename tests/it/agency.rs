//! 帮代办 end to end over HTTP: a principal authorizes an agent, the agent applies and acts for
//! them (events record both), the principal sees everything done in their name; an agent outside
//! the scope, under a revoked authorization, or the day after it expired is refused and nothing
//! changes; village helpers are appointed before they can be authorized as such.

use chrono::Duration;
use serde_json::{Value, json};

use crate::harness::TestServer;

crate::on_both_backends!(
    agent_applies_and_acts_for_principal,
    refusals_change_nothing,
    grant_checks_and_village_helpers,
);

/// A valid resident ID issued in 耒阳市 (430481).
const LEIYANG_ID: &str = "430481199003150014";
const PENSION: &str = "430400-RS-0001";

struct People {
    principal: String,
    agent: String,
    stranger: String,
    admin: String,
}

async fn people(s: &TestServer) -> People {
    People {
        principal: s
            .account("p.li", "applicant", |a| {
                a.id_number = Some(LEIYANG_ID.into());
                a.display_name = Some("李耒阳".into());
            })
            .await,
        agent: s
            .account("a.li", "applicant", |a| {
                a.display_name = Some("李代办".into())
            })
            .await,
        stranger: s.account("x.wang", "applicant", |_| {}).await,
        admin: s.account("ag.admin", "system_admin", |_| {}).await,
    }
}

async fn call(
    s: &TestServer,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = match method {
        "GET" => s.client.get(s.url(path)),
        _ => s.client.post(s.url(path)),
    };
    req = req.bearer_auth(token);
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

fn today(s: &TestServer) -> chrono::NaiveDate {
    s.app.clock.today()
}

async fn grant(s: &TestServer, token: &str, scope: Value) -> i64 {
    let sha = s.upload_pdf(token).await;
    let (status, body) = call(
        s,
        "POST",
        "/api/v1/authorizations",
        token,
        Some(json!({
            "agent": "a.li", "kind": "relative", "scope": scope,
            "valid_to": (today(s) + Duration::days(30)).to_string(), "evidence_file": sha
        })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["status"], "valid");
    body["id"].as_i64().unwrap()
}

fn pension(sha: &str, on_behalf_of: &str) -> Value {
    json!({
        "item": PENSION,
        "on_behalf_of": on_behalf_of,
        "form": {
            "applicant_name": "李耒阳", "applicant_id": LEIYANG_ID, "mobile": "13812345678",
            "hukou_region": "430481", "contribution_grade": "300"
        },
        "materials": [ { "material": "M-ID-CARD", "file": sha, "file_name": "id.pdf" } ]
    })
}

/// Every case in the system (as a system administrator sees them).
async fn case_count(s: &TestServer, admin: &str) -> i64 {
    let (status, body) = call(s, "GET", "/api/v1/cases", admin, None).await;
    assert_eq!(status, 200, "{body}");
    body["total"].as_i64().unwrap()
}

async fn agent_applies_and_acts_for_principal(s: &TestServer) {
    let p = people(s).await;
    let id = grant(s, &p.principal, json!({"items": [PENSION]})).await;

    // The agent applies online for the principal.
    let sha = s.upload_pdf(&p.agent).await;
    let (status, case) = call(
        s,
        "POST",
        "/api/v1/cases",
        &p.agent,
        Some(pension(&sha, "p.li")),
    )
    .await;
    assert_eq!(status, 201, "{case}");
    let number = case["number"].as_str().unwrap().to_string();
    assert_eq!(case["trips"], 0);
    let first = &case["timeline"][0];
    assert_eq!(first["kind"], "case.submitted");
    assert_eq!(first["actor"], "a.li");
    assert_eq!(first["acting_for"], "p.li");
    assert_eq!(first["role"], "applicant");

    // The principal sees the case, in the list and in full, with the agent on the timeline.
    let (status, list) = call(s, "GET", "/api/v1/cases", &p.principal, None).await;
    assert_eq!(status, 200);
    assert_eq!(list["items"][0]["number"], number.as_str());
    let (status, seen) = call(
        s,
        "GET",
        &format!("/api/v1/cases/{number}"),
        &p.principal,
        None,
    )
    .await;
    assert_eq!(status, 200, "{seen}");
    assert_eq!(seen["timeline"][0]["actor"], "a.li");
    assert_eq!(seen["timeline"][0]["acting_for"], "p.li");
    // The agent sees the case they filed; a stranger does not.
    let (status, _) = call(s, "GET", &format!("/api/v1/cases/{number}"), &p.agent, None).await;
    assert_eq!(status, 200);
    let (status, _) = call(
        s,
        "GET",
        &format!("/api/v1/cases/{number}"),
        &p.stranger,
        None,
    )
    .await;
    assert_eq!(status, 404);

    // The agent acts for the principal (withdraws); without on_behalf_of they may not.
    let (status, body) = call(
        s,
        "POST",
        &format!("/api/v1/cases/{number}/actions"),
        &p.agent,
        Some(json!({"sub_case": 1, "version": 1, "action": "withdraw", "reason": "不办了"})),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["code"], "case.not_your_case");
    let (status, c) = call(s, "POST", &format!("/api/v1/cases/{number}/actions"), &p.agent,
        Some(json!({"sub_case": 1, "version": 1, "action": "withdraw", "reason": "不办了", "on_behalf_of": "p.li"}))).await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["sub_cases"][0]["status"], "withdrawn");
    let withdrawn = c["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "sub_case.withdraw")
        .unwrap()
        .clone();
    assert_eq!(withdrawn["actor"], "a.li");
    assert_eq!(withdrawn["acting_for"], "p.li");
    // A stranger cannot act "for" the principal.
    let (status, body) = call(s, "POST", &format!("/api/v1/cases/{number}/actions"), &p.stranger,
        Some(json!({"sub_case": 1, "version": 2, "action": "withdraw", "reason": "x", "on_behalf_of": "p.li"}))).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["code"], "agency.no_authorization");

    // Both sides list the authorization; the printable 授权委托书 names both.
    let (_, mine) = call(s, "GET", "/api/v1/authorizations", &p.principal, None).await;
    assert_eq!(mine["given"][0]["id"], id);
    assert_eq!(mine["given"][0]["agent"]["username"], "a.li");
    let (_, held) = call(s, "GET", "/api/v1/authorizations", &p.agent, None).await;
    assert_eq!(held["held"][0]["id"], id);
    assert_eq!(held["given"].as_array().unwrap().len(), 0);
    let doc = s
        .client
        .get(s.url(&format!("/api/v1/authorizations/{id}/document")))
        .bearer_auth(&p.principal)
        .send()
        .await
        .unwrap();
    assert_eq!(doc.status().as_u16(), 200);
    let doc = doc.text().await.unwrap();
    assert!(
        doc.contains("授权委托书")
            && doc.contains("李耒阳")
            && doc.contains("李代办")
            && doc.contains(PENSION)
    );
    assert!(doc.contains("size:A4"));
    let (status, _) = call(
        s,
        "GET",
        &format!("/api/v1/authorizations/{id}"),
        &p.stranger,
        None,
    )
    .await;
    assert_eq!(status, 404);

    // Documented in the OpenAPI document.
    let (_, _, api) = s.get("/api/v1/openapi.json").await;
    for path in [
        "/api/v1/authorizations",
        "/api/v1/authorizations/{id}/revoke",
        "/api/v1/authorizations/{id}/document",
        "/api/v1/village-helpers",
    ] {
        assert!(api["paths"].get(path).is_some(), "{path} is not documented");
    }
    s.assert_counters_match_a_scan(&["agency"]).await;
}

async fn refusals_change_nothing(s: &TestServer) {
    let p = people(s).await;
    let scoped = grant(s, &p.principal, json!({"items": [PENSION]})).await;
    let sha = s.upload_pdf(&p.agent).await;
    let before = case_count(s, &p.admin).await;

    // An item the authorization does not cover: refused, naming the item.
    let (status, body) = call(
        s,
        "POST",
        "/api/v1/cases",
        &p.agent,
        Some(json!({
            "item": "430400-SW-0001", "on_behalf_of": "p.li", "form": {}, "materials": []
        })),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["code"], "agency.outside_scope");
    assert_eq!(body["field"], "item");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("430400-SW-0001")
            || body.to_string().contains("430400-SW-0001"),
        "{body}"
    );
    assert!(body["type"].is_string() || body["title"].is_string());
    // An item that does not allow 帮代办 at all.
    let (status, body) = call(
        s,
        "POST",
        "/api/v1/cases",
        &p.agent,
        Some(json!({
            "item": "430400-JY-0003", "on_behalf_of": "p.li", "form": {}, "materials": []
        })),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "agency.mode_not_allowed");
    assert_eq!(case_count(s, &p.admin).await, before);

    // The day after the authorization expired: refused.
    assert!(
        s.app
            .store
            .set_authorization_period(
                scoped,
                &(today(s) - Duration::days(30)).to_string(),
                &(today(s) - Duration::days(1)).to_string(),
            )
            .await
            .unwrap()
    );
    let (status, body) = call(
        s,
        "POST",
        "/api/v1/cases",
        &p.agent,
        Some(pension(&sha, "p.li")),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["code"], "agency.expired");
    let (_, list) = call(s, "GET", "/api/v1/authorizations", &p.principal, None).await;
    assert_eq!(list["given"][0]["status"], "expired");
    assert_eq!(case_count(s, &p.admin).await, before);

    // Revoked: refused. Only the principal (or an administrator) revokes, once.
    let all = grant(s, &p.principal, json!("all")).await;
    let (status, body) = call(
        s,
        "POST",
        &format!("/api/v1/authorizations/{all}/revoke"),
        &p.agent,
        None,
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["code"], "agency.revoke_forbidden");
    let (status, body) = call(
        s,
        "POST",
        &format!("/api/v1/authorizations/{all}/revoke"),
        &p.principal,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "revoked");
    let (status, body) = call(
        s,
        "POST",
        &format!("/api/v1/authorizations/{all}/revoke"),
        &p.principal,
        None,
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], "agency.already_revoked");
    let (status, body) = call(
        s,
        "POST",
        "/api/v1/cases",
        &p.agent,
        Some(pension(&sha, "p.li")),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["code"], "agency.revoked");
    assert_eq!(case_count(s, &p.admin).await, before);

    // Chinese by default, English on request: both messages exist.
    let resp = s
        .client
        .post(s.url("/api/v1/cases"))
        .bearer_auth(&p.agent)
        .header("accept-language", "en")
        .json(&pension(&sha, "p.li"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    let en: Value = resp.json().await.unwrap();
    assert!(en.to_string().contains("revoked"), "{en}");
}

async fn grant_checks_and_village_helpers(s: &TestServer) {
    let p = people(s).await;
    let sha = s.upload_pdf(&p.principal).await;
    let to = (today(s) + Duration::days(10)).to_string();
    let post = |body: Value| {
        call(
            s,
            "POST",
            "/api/v1/authorizations",
            &p.principal,
            Some(body),
        )
    };
    let (status, body) =
        post(json!({"agent": "a.li", "kind": "relative", "scope": "all", "valid_to": to})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("agency.evidence_required")),
        "{body}"
    );
    let (status, body) = post(
        json!({"agent": "a.li", "kind": "relative", "scope": "all", "evidence_file": sha,
        "valid_to": (today(s) - Duration::days(1)).to_string()}),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("agency.ends_in_past")),
        "{body}"
    );
    let (status, body) = post(
        json!({"agent": "a.li", "kind": "relative", "scope": {"items": ["NOPE"]},
        "evidence_file": sha, "valid_to": to}),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("agency.unknown_item")),
        "{body}"
    );
    assert_eq!(body["field"], "scope.items[0]");
    let (status, body) = post(json!({"agent": "p.li", "kind": "relative", "scope": "all", "evidence_file": sha, "valid_to": to})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("agency.self_authorization")),
        "{body}"
    );
    let (status, body) = post(json!({"agent": "nobody", "kind": "relative", "scope": "all", "evidence_file": sha, "valid_to": to})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("agency.unknown_agent")),
        "{body}"
    );
    // A village helper must be appointed first: by an administrator (or the village's clerk).
    let (status, body) = post(json!({"agent": "a.li", "kind": "village_helper", "scope": "all", "evidence_file": sha, "valid_to": to})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("agency.not_a_village_helper")),
        "{body}"
    );
    let (_, _, centers) = s.get("/api/v1/centers?region=430422&limit=100").await;
    let village = centers["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["level"] == "village")
        .unwrap()["region"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, body) = call(
        s,
        "POST",
        "/api/v1/village-helpers",
        &p.stranger,
        Some(json!({"username": "a.li", "region": village})),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("agency.appoint_forbidden")),
        "{body}"
    );
    let (status, body) = call(
        s,
        "POST",
        "/api/v1/village-helpers",
        &p.admin,
        Some(json!({"username": "a.li", "region": village})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = post(json!({"agent": "a.li", "kind": "village_helper", "scope": "all", "evidence_file": sha, "valid_to": to})).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["kind_name"], "帮代办员代办");
    // Staff other than clerks do not grant.
    let (status, body) = call(s, "POST", "/api/v1/authorizations", &p.admin, Some(json!({
        "principal": "p.li", "agent": "a.li", "kind": "relative", "scope": "all", "evidence_file": sha, "valid_to": to
    }))).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("agency.grant_forbidden")),
        "{body}"
    );
}
