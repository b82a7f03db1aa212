//! Cases end to end over HTTP: the Hengyang scenario (城乡居民基本养老保险参保登记 received at a
//! village service point in 衡南县 for an applicant whose hukou is in 耒阳市, handled and concluded
//! by 耒阳市人社局), idempotency, stale versions, the access matrix, and the audit chain.

use serde_json::{Value, json};

use crate::harness::TestServer;

crate::on_both_backends!(
    hengyang_scenario,
    bad_input_leaves_no_case,
    access_matrix,
    audit_chain_detects_tampering,
    bundle_items_wait_for_what_they_need,
    search_and_pages,
);

/// A valid resident ID issued in 耒阳市 (430481), checksum computed by the GB 11643 rule.
const LEIYANG_ID: &str = "430481199003150014";
const PDF: &[u8] = b"%PDF-1.4\n% test material\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

struct Actors {
    clerk: String,
    other_clerk: String,
    hall_clerk: String,
    approver: String,
    other_approver: String,
    supervisor: String,
    other_supervisor: String,
    citizen: String,
    other_citizen: String,
    catalog_admin: String,
    admin: String,
    center: String,
}

async fn actors(s: &TestServer) -> Actors {
    let center = s.village_center("430422").await;
    let other_center = s.village_center("430405").await;
    Actors {
        clerk: s
            .account("t.clerk", "clerk", |a| a.center_code = Some(center.clone()))
            .await,
        other_clerk: s
            .account("t.clerk2", "clerk", |a| a.center_code = Some(other_center))
            .await,
        hall_clerk: s
            .account("t.hall", "clerk", |a| {
                a.center_code = Some("C430481".into())
            })
            .await,
        approver: s
            .account("t.appr", "approver", |a| {
                a.department_code = Some("430481-hrss".into())
            })
            .await,
        other_approver: s
            .account("t.appr2", "approver", |a| {
                a.department_code = Some("430422-hrss".into())
            })
            .await,
        supervisor: s
            .account("t.sup", "supervisor", |a| {
                a.region_code = Some("430400".into())
            })
            .await,
        other_supervisor: s
            .account("t.sup2", "supervisor", |a| {
                a.region_code = Some("430405".into())
            })
            .await,
        citizen: s
            .account("t.cit", "applicant", |a| {
                a.id_number = Some(LEIYANG_ID.into())
            })
            .await,
        other_citizen: s
            .account("t.cit2", "applicant", |a| {
                a.id_number = Some("11010519491231002X".into())
            })
            .await,
        catalog_admin: s.account("t.cat", "catalog_admin", |_| {}).await,
        admin: s.account("t.admin", "system_admin", |_| {}).await,
        center,
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

fn pension_application() -> Value {
    json!({
        "item": "430400-RS-0001",
        "form": {
            "applicant_name": "李耒阳",
            "applicant_id": LEIYANG_ID,
            "mobile": "138 1234 5678",
            "hukou_region": "430481",
            "contribution_grade": "300"
        },
        "materials": [ { "material": "M-ID-CARD", "paper": true } ]
    })
}

async fn post_case(s: &TestServer, token: &str, key: &str, body: &Value) -> (u16, Value) {
    let resp = s
        .client
        .post(s.url("/api/v1/cases"))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
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

async fn hengyang_scenario(s: &TestServer) {
    let a = actors(s).await;
    // Received at a village service point in 衡南县 …
    let (status, case) = post_case(s, &a.clerk, "k-1", &pension_application()).await;
    assert_eq!(status, 201, "{case}");
    let number = case["number"].as_str().unwrap().to_string();
    assert_eq!(case["center"]["code"], a.center.as_str());
    assert!(
        case["center"]["region"]
            .as_str()
            .unwrap()
            .starts_with("430422")
    );
    // … handled by the hukou county's department (办理地 耒阳市人社局).
    let sub = &case["sub_cases"][0];
    assert_eq!(sub["department"]["code"], "430481-hrss");
    assert_eq!(sub["department"]["name"], "耒阳市人力资源和社会保障局");
    assert_eq!(sub["status"], "submitted");
    assert_eq!(case["applicant_id"], "430481********0014");
    assert_eq!(case["form"]["mobile"], "13812345678", "normalized");
    assert_eq!(case["trips"], 1);

    // A retry with the same key is the same case; the same key for something else is refused.
    let (status, again) = post_case(s, &a.clerk, "k-1", &pension_application()).await;
    assert_eq!(status, 200);
    assert_eq!(again["number"], number.as_str());
    assert_eq!(again["center"], case["center"], "read back with the case");
    let mut other = pension_application();
    other["form"]["contribution_grade"] = json!("500");
    let (status, body) = post_case(s, &a.clerk, "k-1", &other).await;
    assert_eq!(status, 409);
    assert_eq!(body["code"], "case.idempotency_key_reused");

    // The household register is missing: one notice lists it (一次性告知), then it is supplied.
    let (status, c) = act(
        s,
        &a.clerk,
        &number,
        json!({
            "sub_case": 1, "version": 1, "action": "request_supplement",
            "materials": ["M-HUKOU-BOOK"], "note": "请补交户口簿"
        }),
    )
    .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["sub_cases"][0]["status"], "awaiting_supplement");
    assert_eq!(
        c["center"], case["center"],
        "an action's answer names the center too"
    );
    let notice = s
        .client
        .get(s.url(&format!("/api/v1/cases/{number}/notice")))
        .bearer_auth(&a.clerk)
        .send()
        .await
        .unwrap();
    assert_eq!(notice.status().as_u16(), 200);
    let notice = notice.text().await.unwrap();
    assert!(
        notice.contains("一次性告知书")
            && notice.contains("居民户口簿")
            && notice.contains(&number)
    );
    let sha = s.upload_pdf(&a.clerk).await;
    let (status, c) = act(
        s,
        &a.clerk,
        &number,
        json!({
            "sub_case": 1, "version": 2, "action": "supplement", "materials": ["M-HUKOU-BOOK"],
            "files": [ { "material": "M-HUKOU-BOOK", "file": sha, "file_name": "hukou.pdf" } ]
        }),
    )
    .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["sub_cases"][0]["status"], "submitted");

    // The wrong role at this step is refused and changes nothing.
    let (status, body) = act(
        s,
        &a.approver,
        &number,
        json!({"sub_case": 1, "version": 3, "action": "accept"}),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    // Accepted at the village: the clock starts, on the official calendar.
    let (status, c) = act(
        s,
        &a.clerk,
        &number,
        json!({"sub_case": 1, "version": 3, "action": "accept"}),
    )
    .await;
    assert_eq!(status, 200, "{c}");
    let accepted_on = c["sub_cases"][0]["accepted_on"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, _, expected) = s
        .get(&format!(
            "/api/v1/calendar/deadline?start={accepted_on}&days=3"
        ))
        .await;
    assert_eq!(
        c["sub_cases"][0]["deadline"], expected["deadline"],
        "3 working days from acceptance"
    );
    assert_eq!(
        c["sub_cases"][0]["time_status"], "normal",
        "3 working days left"
    );
    let receipt = s
        .client
        .get(s.url(&format!("/api/v1/cases/{number}/receipt")))
        .bearer_auth(&a.clerk)
        .send()
        .await
        .unwrap();
    let receipt = receipt.text().await.unwrap();
    assert!(receipt.contains("受理通知书") && receipt.contains("耒阳市人力资源和社会保障局"));
    assert!(receipt.contains(expected["deadline"].as_str().unwrap()));

    // 衡南县's own department neither sees nor acts on it; 耒阳's does.
    let (status, _) = call(
        s,
        "GET",
        &format!("/api/v1/cases/{number}"),
        Some(&a.other_approver),
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (status, c) = act(s, &a.approver, &number, json!({"sub_case": 1, "version": 4, "action": "review", "opinion": "材料齐全，符合参保条件"})).await;
    assert_eq!(status, 200, "{c}");
    // A stale version gets 409 and changes nothing.
    let (status, body) = act(
        s,
        &a.approver,
        &number,
        json!({"sub_case": 1, "version": 4, "action": "review", "opinion": "again"}),
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(body["code"], "case.stale_version");
    let today = accepted_on.clone();
    let (status, c) = act(s, &a.approver, &number, json!({
        "sub_case": 1, "version": 5, "action": "conclude",
        "result": { "number": "LY-2026-0001", "content": "已参保，缴费档次300元/年", "issuer": "耒阳市人力资源和社会保障局",
                    "issued_on": today, "approved": true }
    })).await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["sub_cases"][0]["status"], "concluded");
    assert_eq!(c["sub_cases"][0]["result"]["number"], "LY-2026-0001");
    assert_eq!(
        c["status"], "closed",
        "the case ends when every sub-case ends"
    );
    // After the end, nothing more happens.
    let (status, _) = act(
        s,
        &a.approver,
        &number,
        json!({"sub_case": 1, "version": 6, "action": "review", "opinion": "x"}),
    )
    .await;
    assert_eq!(status, 409);

    // The timeline comes from the events, and the chain verifies.
    let kinds: Vec<&str> = c["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "case.submitted",
            "sub_case.request_supplement",
            "sub_case.supplement",
            "sub_case.accept",
            "sub_case.review",
            "sub_case.conclude",
            "case.closed"
        ]
    );
    assert_eq!(c["timeline"][3]["place"], a.center.as_str());
    assert_eq!(c["timeline"][4]["place"], "430481-hrss");
    let report = s.app.verify_audit().await.unwrap();
    assert_eq!(report.broken, None);
    assert_eq!(report.events, 7);

    // Supervisors: the city sees it; 珠晖区 does not. Filters narrow the list.
    let (_, list) = call(
        s,
        "GET",
        "/api/v1/cases?status=closed",
        Some(&a.supervisor),
        None,
    )
    .await;
    assert_eq!(list["total"], 1);
    let (_, list) = call(s, "GET", "/api/v1/cases", Some(&a.other_supervisor), None).await;
    assert_eq!(list["total"], 0);
    let (_, list) = call(
        s,
        "GET",
        "/api/v1/cases?department=430481-hrss&q=李耒阳",
        Some(&a.supervisor),
        None,
    )
    .await;
    assert_eq!(list["total"], 1);
    let (_, list) = call(
        s,
        "GET",
        "/api/v1/cases?flag=overdue",
        Some(&a.supervisor),
        None,
    )
    .await;
    assert_eq!(list["total"], 0);
}

async fn bad_input_leaves_no_case(s: &TestServer) {
    let a = actors(s).await;
    let cases: Vec<(Value, u16, &str, &str)> = vec![
        (
            json!({"item": "NO-SUCH", "form": {}}),
            404,
            "catalog.unknown_item",
            "item",
        ),
        (
            json!({"bundle": "NO-SUCH", "form": {}}),
            404,
            "catalog.unknown_bundle",
            "bundle",
        ),
        (
            {
                let mut v = pension_application();
                v["form"]["mobile"] = json!("12345");
                v
            },
            400,
            "case.form_invalid",
            "form.mobile",
        ),
        (
            {
                let mut v = pension_application();
                v["form"]["applicant_id"] = json!("430481199003150013");
                v
            },
            400,
            "case.form_invalid",
            "form.applicant_id",
        ),
        (
            {
                let mut v = pension_application();
                v["form"]["hukou_region"] = json!("110105");
                v
            },
            400,
            "case.outside_scope",
            "",
        ),
        (
            {
                let mut v = pension_application();
                v["materials"] = json!([{"material": "M-NOPE", "paper": true}]);
                v
            },
            400,
            "case.unknown_material",
            "materials[0].material",
        ),
        (
            {
                let mut v = pension_application();
                v["materials"] = json!([{"material": "M-ID-CARD", "file": "00ff"}]);
                v
            },
            400,
            "case.unknown_file",
            "materials[0].file",
        ),
    ];
    for (body, status, code, field) in cases {
        let (got, problem) = post_case(s, &a.clerk, "", &body).await;
        assert_eq!(got, status, "{body}: {problem}");
        assert_eq!(problem["code"], code, "{body}: {problem}");
        if !field.is_empty() {
            assert_eq!(problem["field"], field, "{problem}");
        }
    }
    // The scope is named in the refusal, in Chinese by default.
    let mut far = pension_application();
    far["form"]["hukou_region"] = json!("110105");
    let (_, problem) = post_case(s, &a.clerk, "", &far).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("省内通办"),
        "{problem}"
    );
    // An unreadable body is a problem too.
    let resp = s
        .client
        .post(s.url("/api/v1/cases"))
        .bearer_auth(&a.clerk)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    // Files: wrong type, content not matching the type.
    let resp = s
        .client
        .post(s.url("/api/v1/files"))
        .bearer_auth(&a.clerk)
        .header("content-type", "application/x-msdownload")
        .body("MZ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let resp = s
        .client
        .post(s.url("/api/v1/files"))
        .bearer_auth(&a.clerk)
        .header("content-type", "image/png")
        .body(PDF.to_vec())
        .send()
        .await
        .unwrap();
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["code"], "file.content_mismatch");
    let big = vec![b'%'; 10 * 1024 * 1024 + 10];
    let resp = s
        .client
        .post(s.url("/api/v1/files"))
        .bearer_auth(&a.clerk)
        .header("content-type", "application/pdf")
        .body(big)
        .send()
        .await
        .unwrap();
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["code"], "file.too_large");
    // Nothing was left behind.
    let (_, list) = call(s, "GET", "/api/v1/cases", Some(&a.admin), None).await;
    assert_eq!(list["total"], 0, "{list}");
}

async fn access_matrix(s: &TestServer) {
    let a = actors(s).await;
    let (status, case) = post_case(s, &a.clerk, "m-1", &pension_application()).await;
    assert_eq!(status, 201, "{case}");
    let n = case["number"].as_str().unwrap().to_string();
    // An online application by the citizen themselves.
    let mut online_application = pension_application();
    online_application["materials"] = json!([]);
    let (status, own) = post_case(s, &a.citizen, "m-2", &online_application).await;
    assert_eq!(status, 201, "{own}");
    let online = own["number"].as_str().unwrap().to_string();
    assert_eq!(own["trips"], 0);
    // Online, it is taken in by the service center of the handling county, whose clerk accepts it.
    assert_eq!(own["center"]["code"], "C430481");
    let mine: Vec<&str> = own["sub_cases"][0]["allowed_actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert_eq!(mine, ["withdraw"], "the applicant may only withdraw");
    let (_, seen) = call(
        s,
        "GET",
        &format!("/api/v1/cases/{online}"),
        Some(&a.hall_clerk),
        None,
    )
    .await;
    assert!(
        seen["sub_cases"][0]["allowed_actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x == "accept"),
        "{seen}"
    );

    // (who, sees the window case, sees the online case, may create)
    let matrix: Vec<(&str, &str, bool, bool, bool)> = vec![
        ("clerk (receiving center)", &a.clerk, true, false, true),
        ("clerk (elsewhere)", &a.other_clerk, false, false, true),
        (
            "clerk (hall of the handling county)",
            &a.hall_clerk,
            false,
            true,
            true,
        ),
        ("approver (competent)", &a.approver, true, true, false),
        (
            "approver (other county)",
            &a.other_approver,
            false,
            false,
            false,
        ),
        ("supervisor (city)", &a.supervisor, true, true, false),
        (
            "supervisor (other district)",
            &a.other_supervisor,
            false,
            false,
            false,
        ),
        ("applicant (own online case)", &a.citizen, false, true, true),
        (
            "applicant (someone else)",
            &a.other_citizen,
            false,
            false,
            true,
        ),
        ("catalog admin", &a.catalog_admin, false, false, false),
        ("system admin", &a.admin, true, true, false),
    ];
    for (who, token, window, web, create) in matrix {
        for (number, visible) in [(&n, window), (&online, web)] {
            for path in [
                format!("/api/v1/cases/{number}"),
                format!("/api/v1/cases/{number}/receipt"),
                format!("/api/v1/cases/{number}/notice"),
            ] {
                let (status, body) = call(s, "GET", &path, Some(token), None).await;
                let expect = if visible { 200 } else { 404 };
                assert_eq!(status, expect, "{who} GET {path}: {body}");
                if !visible {
                    // Reveals nothing: the same answer as for a case that does not exist.
                    let (_, none) = call(
                        s,
                        "GET",
                        "/api/v1/cases/TB00000000000000",
                        Some(token),
                        None,
                    )
                    .await;
                    if path.ends_with(number.as_str()) {
                        assert_eq!(body["code"], none["code"], "{who}");
                    }
                }
            }
            // Acting: only the competent roles; invisible cases answer 404.
            let (status, _) = act(
                s,
                token,
                number,
                json!({"sub_case": 1, "version": 999, "action": "accept"}),
            )
            .await;
            let expect = if visible { 409 } else { 404 };
            assert_eq!(status, expect, "{who} POST actions on {number}");
        }
        let (_, list) = call(s, "GET", "/api/v1/cases", Some(token), None).await;
        let listed: Vec<&str> = list["items"]
            .as_array()
            .map(|v| v.iter().map(|c| c["number"].as_str().unwrap()).collect())
            .unwrap_or_default();
        assert_eq!(
            listed.contains(&n.as_str()),
            window,
            "{who} lists the window case: {list}"
        );
        assert_eq!(
            listed.contains(&online.as_str()),
            web,
            "{who} lists the online case: {list}"
        );
        let (status, body) = post_case(s, token, &format!("x-{who}"), &online_application).await;
        assert_eq!(status == 201, create, "{who} creates: {status} {body}");
        let resp = s
            .client
            .post(s.url("/api/v1/files"))
            .bearer_auth(token)
            .header("content-type", "application/pdf")
            .body(PDF.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 201, "{who} uploads");
    }
    // Anonymous: nothing.
    for (method, path) in [
        ("GET", "/api/v1/cases".to_string()),
        ("GET", format!("/api/v1/cases/{n}")),
        ("POST", format!("/api/v1/cases/{n}/actions")),
        ("POST", "/api/v1/cases".to_string()),
        ("GET", format!("/api/v1/cases/{n}/receipt")),
        ("POST", "/api/v1/files".to_string()),
    ] {
        let (status, body) = call(s, method, &path, None, Some(json!({}))).await;
        assert_eq!(status, 401, "{method} {path}: {body}");
        assert_eq!(body["code"], "auth.required");
    }
}

async fn audit_chain_detects_tampering(s: &TestServer) {
    let a = actors(s).await;
    let (_, case) = post_case(s, &a.clerk, "t-1", &pension_application()).await;
    let n = case["number"].as_str().unwrap().to_string();
    act(
        s,
        &a.clerk,
        &n,
        json!({"sub_case": 1, "version": 1, "action": "accept"}),
    )
    .await;
    assert_eq!(s.app.verify_audit().await.unwrap().broken, None);
    // The application cannot change or remove history …
    let update =
        format!("UPDATE events SET reason = 'forged' WHERE case_number = '{n}' AND seq = 2");
    assert!(
        s.app.store.execute_raw(&update).await.is_err(),
        "events must be append-only"
    );
    let delete = format!("DELETE FROM events WHERE case_number = '{n}'");
    assert!(s.app.store.execute_raw(&delete).await.is_err());
    // … and someone with the database owner's rights who forces it is found out.
    let disable = match s.app.store.backend_name() {
        "sqlite" => "DROP TRIGGER events_no_update",
        _ => "ALTER TABLE events DISABLE TRIGGER events_no_update_delete",
    };
    s.app.store.execute_raw(disable).await.unwrap();
    s.app.store.execute_raw(&update).await.unwrap();
    let report = s.app.verify_audit().await.unwrap();
    let broken = report.broken.expect("tampering is detected");
    assert!(broken.contains(&n) && broken.contains('2'), "{broken}");
}

async fn bundle_items_wait_for_what_they_need(s: &TestServer) {
    let a = actors(s).await;
    // 新生儿出生一件事: 出生登记 needs 出生医学证明 first.
    let (_, _, detail) = s.get("/api/v1/bundles/YJS-XSRCS").await;
    let form: Vec<Value> = detail["plan"]["form"].as_array().unwrap().clone();
    let first_stage: Vec<String> = detail["plan"]["stages"][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    // Fill every field with a valid value of its type.
    let mut data = serde_json::Map::new();
    for f in &form {
        let key = f["key"].as_str().unwrap();
        let v = match f["type"].as_str().unwrap() {
            "resident_id" => json!(LEIYANG_ID),
            "credit_code" => json!("91350100M000100Y43"),
            "mobile" => json!("13812345678"),
            "date" => json!("2026-11-01"),
            "number" => json!(f["min"].as_f64().unwrap_or(1.0)),
            "bool" => json!(true),
            "select" => f["options"][0].clone(),
            "region" => json!("430422"),
            _ => json!("测试"),
        };
        if f["required"].as_bool().unwrap_or(false) || f["type"] != "credit_code" {
            data.insert(key.to_string(), v);
        }
    }
    let (status, case) = post_case(
        s,
        &a.clerk,
        "b-1",
        &json!({"bundle": "YJS-XSRCS", "form": data}),
    )
    .await;
    assert_eq!(status, 201, "{case}");
    let subs = case["sub_cases"].as_array().unwrap();
    assert_eq!(subs.len(), detail["items"].as_array().unwrap().len());
    for sub in subs {
        let first = first_stage.contains(&sub["item_code"].as_str().unwrap().to_string());
        assert_eq!(sub["status"] == "waiting", !first, "{sub}");
    }
    // A waiting item cannot be accepted yet.
    let waiting = subs.iter().find(|s| s["status"] == "waiting").unwrap();
    let (status, body) = act(
        s,
        &a.clerk,
        case["number"].as_str().unwrap(),
        json!({"sub_case": waiting["seq"], "version": 1, "action": "accept"}),
    )
    .await;
    assert!(status == 409 || status == 403, "{body}");
}

/// `q` matches any part of the case number, title or applicant name (the CJK part through the term
/// index, an ASCII part by scanning the scope newest first); pages are newest first and disjoint;
/// the total is exact while it is small.
async fn search_and_pages(s: &TestServer) {
    let a = actors(s).await;
    let mut numbers = Vec::new();
    for (i, name) in ["李耒阳", "王小明", "欧阳李华", "张三", "李四"]
        .iter()
        .enumerate()
    {
        let mut body = pension_application();
        body["form"]["applicant_name"] = json!(name);
        let (status, case) = post_case(s, &a.clerk, &format!("s-{i}"), &body).await;
        assert_eq!(status, 201, "{case}");
        numbers.push(case["number"].as_str().unwrap().to_string());
    }
    let title = {
        let (_, c) = call(
            s,
            "GET",
            &format!("/api/v1/cases/{}", numbers[0]),
            Some(&a.supervisor),
            None,
        )
        .await;
        c["title"].as_str().unwrap().to_string()
    };
    let search = |q: String, token: String| async move {
        let (status, list) = call(
            s,
            "GET",
            &format!("/api/v1/cases?q={q}&limit=100"),
            Some(&token),
            None,
        )
        .await;
        assert_eq!(status, 200, "{list}");
        assert_eq!(list["total_capped"], false, "{list}");
        let got: Vec<String> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["number"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(list["total"], got.len(), "{list}");
        got
    };
    let newest_first =
        |idx: &[usize]| -> Vec<String> { idx.iter().rev().map(|&i| numbers[i].clone()).collect() };
    // Part of a name: its surname, its middle, its end.
    assert_eq!(
        search("李".into(), a.supervisor.clone()).await,
        newest_first(&[0, 2, 4])
    );
    assert_eq!(
        search("阳李".into(), a.supervisor.clone()).await,
        newest_first(&[2])
    );
    assert_eq!(
        search("小明".into(), a.supervisor.clone()).await,
        newest_first(&[1])
    );
    assert_eq!(
        search("李x".into(), a.supervisor.clone()).await,
        Vec::<String>::new()
    );
    // Part of the title: every case.
    let piece: String = title.chars().skip(1).take(2).collect();
    assert_eq!(
        search(piece, a.supervisor.clone()).await,
        newest_first(&[0, 1, 2, 3, 4])
    );
    // A case number, its prefix, its serial (ASCII: no term, the scope's scan).
    assert_eq!(
        search(numbers[3].clone(), a.clerk.clone()).await,
        newest_first(&[3])
    );
    assert_eq!(
        search(numbers[3][..10].to_string(), a.clerk.clone()).await,
        newest_first(&[0, 1, 2, 3, 4])
    );
    assert_eq!(
        search(
            numbers[3][numbers[3].len() - 6..].to_string(),
            a.clerk.clone()
        )
        .await,
        newest_first(&[3])
    );
    // Visibility still applies to a search.
    assert!(
        search("李".into(), a.other_supervisor.clone())
            .await
            .is_empty()
    );
    assert!(search("李".into(), a.other_clerk.clone()).await.is_empty());
    assert_eq!(
        search("李".into(), a.clerk.clone()).await,
        newest_first(&[0, 2, 4])
    );

    // Pages: newest first, disjoint, the exact total on each.
    let mut seen = Vec::new();
    for offset in [0, 2, 4] {
        let (_, list) = call(
            s,
            "GET",
            &format!("/api/v1/cases?limit=2&offset={offset}"),
            Some(&a.supervisor),
            None,
        )
        .await;
        assert_eq!(list["total"], 5, "{list}");
        assert_eq!(list["total_capped"], false, "{list}");
        for c in list["items"].as_array().unwrap() {
            seen.push(c["number"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(seen, newest_first(&[0, 1, 2, 3, 4]));
    let (_, list) = call(
        s,
        "GET",
        "/api/v1/cases?q=李&limit=1&offset=1",
        Some(&a.supervisor),
        None,
    )
    .await;
    assert_eq!(list["total"], 3, "{list}");
    assert_eq!(list["items"][0]["number"], numbers[2].as_str());
    let (_, list) = call(
        s,
        "GET",
        "/api/v1/cases?status=open&limit=20",
        Some(&a.clerk),
        None,
    )
    .await;
    assert_eq!(list["total"], 5, "{list}");
}
