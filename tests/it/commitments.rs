//! 承诺办 end to end over HTTP: 义务教育新生入学登记 (430400-JY-0001, every case verified) received at a
//! village service point in 衡南县 with the residence proof replaced by a signed commitment; the
//! printable 告知承诺书; the 事后核查 queue; a failed verification that revokes the result, records
//! the broken commitment and bars the applicant; a passed one; and the bad inputs.

use serde_json::{Value, json};

use crate::harness::TestServer;

crate::on_both_backends!(
    commitment_case_verified_and_revoked,
    bad_commitments_change_nothing
);

const ID_A: &str = "430481199003150014";
const ID_B: &str = "11010519491231002X";
const ITEM: &str = "430400-JY-0001";

async fn village_clerk(s: &TestServer) -> String {
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
    s.account("c.clerk", "clerk", |a| a.center_code = Some(center))
        .await
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

fn application(applicant_id: &str, materials: Value) -> Value {
    json!({
        "item": ITEM,
        "form": {
            "applicant_name": "王承诺",
            "applicant_id": applicant_id,
            "mobile": "13812345678",
            "child_name": "王小明",
            "child_gender": "男",
            "child_birth_date": "2020-05-01",
            "school_stage": "小学一年级",
            "enrol_basis": "户籍生（实际居住）",
            "residence_address": "衡南县云集街道某小区"
        },
        "materials": materials
    })
}

fn committed() -> Value {
    json!([
        { "material": "M-ID-CARD", "paper": true },
        { "material": "M-RESIDENCE-PROOF", "commitment": true }
    ])
}

async fn case_count(s: &TestServer, clerk: &str) -> u64 {
    let (status, body) = call(s, "GET", "/api/v1/cases", clerk, None).await;
    assert_eq!(status, 200, "{body}");
    body["total"].as_u64().unwrap()
}

async fn act(s: &TestServer, token: &str, number: &str, body: Value) -> Value {
    let (status, c) = call(
        s,
        "POST",
        &format!("/api/v1/cases/{number}/actions"),
        token,
        Some(body),
    )
    .await;
    assert_eq!(status, 200, "{c}");
    c
}

/// Accept (clerk), review and conclude with approval (approver): the case version ends at 4.
async fn conclude(s: &TestServer, clerk: &str, approver: &str, number: &str) -> Value {
    act(
        s,
        clerk,
        number,
        json!({"sub_case": 1, "version": 1, "action": "accept"}),
    )
    .await;
    act(
        s,
        approver,
        number,
        json!({"sub_case": 1, "version": 2, "action": "review", "opinion": "符合条件"}),
    )
    .await;
    act(s, approver, number, json!({
        "sub_case": 1, "version": 3, "action": "conclude",
        "result": { "number": format!("JY-{number}"), "content": "已安排学位", "issuer": "衡南县教育局",
                    "issued_on": "2026-03-02", "approved": true }
    }))
    .await
}

fn kinds(case: &Value) -> Vec<String> {
    case["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

async fn commitment_case_verified_and_revoked(s: &TestServer) {
    let clerk = village_clerk(s).await;
    let resp = s
        .client
        .post(s.url("/api/v1/cases"))
        .bearer_auth(&clerk)
        .json(&application(ID_A, committed()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    let case: Value = resp.json().await.unwrap();
    let number = case["number"].as_str().unwrap().to_string();
    let dept = case["sub_cases"][0]["department"]["code"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(dept.starts_with("430422"), "{dept}");
    let proof = case["materials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["code"] == "M-RESIDENCE-PROOF")
        .unwrap();
    assert_eq!(proof["provided"], "commitment");
    // What was signed is on the record: the catalog's text.
    let signed = &case["timeline"][0]["payload"]["commitments"][0];
    assert_eq!(signed["material"], "M-RESIDENCE-PROOF");
    assert!(signed["text"].as_str().unwrap().starts_with("本人郑重承诺"));

    // The printable 告知承诺书.
    let doc = s
        .client
        .get(s.url(&format!("/api/v1/cases/{number}/commitment")))
        .bearer_auth(&clerk)
        .send()
        .await
        .unwrap();
    assert_eq!(doc.status().as_u16(), 200);
    assert!(
        doc.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let doc = doc.text().await.unwrap();
    assert!(doc.contains("告知承诺书") && doc.contains("居住证明") && doc.contains("本人郑重承诺"));
    assert!(doc.contains(&number) && doc.contains("@page{size:A4"));

    let approver = s
        .account("c.appr", "approver", |a| {
            a.department_code = Some(dept.clone())
        })
        .await;
    let other_approver = s
        .account("c.appr2", "approver", |a| {
            a.department_code = Some("430481-hrss".into())
        })
        .await;
    let supervisor = s
        .account("c.sup", "supervisor", |a| {
            a.region_code = Some("430400".into())
        })
        .await;
    let citizen = s
        .account("c.cit", "applicant", |a| a.id_number = Some(ID_B.into()))
        .await;

    // Concluded with approval on a commitment: sampled (the item verifies every case).
    let c = conclude(s, &clerk, &approver, &number).await;
    assert_eq!(c["sub_cases"][0]["status"], "concluded");
    assert!(kinds(&c).contains(&"sub_case.verification_sampled".to_string()));
    let (status, q) = call(
        s,
        "GET",
        "/api/v1/verifications?status=pending",
        &approver,
        None,
    )
    .await;
    assert_eq!(status, 200, "{q}");
    assert_eq!(q["total"], 1);
    assert_eq!(q["items"][0]["case_number"], number.as_str());
    assert_eq!(q["items"][0]["reason"], "sampled");
    assert_eq!(q["items"][0]["applicant_id"], "430481********0014");
    let (_, q) = call(s, "GET", "/api/v1/verifications", &other_approver, None).await;
    assert_eq!(q["total"], 0, "another department's queue");
    let (_, q) = call(s, "GET", "/api/v1/verifications", &supervisor, None).await;
    assert_eq!(q["total"], 1, "the city's supervisor");
    let (status, body) = call(s, "GET", "/api/v1/verifications", &citizen, None).await;
    assert_eq!(status, 403);
    assert_eq!(body["code"], "commitment.verifications_forbidden");

    // Only the handling department's approver records it; a failure needs a note.
    let path = format!("/api/v1/verifications/{number}/1");
    let (status, body) = call(
        s,
        "POST",
        &path,
        &other_approver,
        Some(json!({"passed": false, "note": "x"})),
    )
    .await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = call(s, "POST", &path, &approver, Some(json!({"passed": false}))).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "commitment.note_required");
    assert_eq!(body["field"], "note");

    // Failed: the result is revoked, the broken commitment recorded, the applicant barred.
    let (status, c) = call(
        s,
        "POST",
        &path,
        &approver,
        Some(json!({"passed": false, "note": "经社区核实，申请人未在申报地址居住"})),
    )
    .await;
    assert_eq!(status, 200, "{c}");
    let revoked = &c["sub_cases"][0]["revoked"];
    assert_eq!(revoked["note"], "经社区核实，申请人未在申报地址居住");
    assert!(
        c["sub_cases"][0]["allowed_actions"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let today = s.app.clock.today();
    let until = today + chrono::Days::new(365);
    let event = c["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "sub_case.result_revoked")
        .unwrap();
    assert_eq!(event["payload"]["barred_until"], until.to_string());
    assert_eq!(event["payload"]["materials"], json!(["M-RESIDENCE-PROOF"]));
    assert_eq!(event["actor"], "c.appr");
    let (status, body) = call(s, "POST", &path, &approver, Some(json!({"passed": true}))).await;
    assert_eq!(status, 409);
    assert_eq!(body["code"], "commitment.already_verified");
    let (_, q) = call(
        s,
        "GET",
        "/api/v1/verifications?status=failed",
        &approver,
        None,
    )
    .await;
    assert_eq!(q["total"], 1);
    assert_eq!(q["items"][0]["decided_by"], "c.appr");
    let report = s.app.verify_audit().await.unwrap();
    assert!(report.broken.is_none(), "{:?}", report.broken);

    // The barred applicant is refused 承诺办 (and nothing is created) but may hand in materials.
    let before = case_count(s, &clerk).await;
    let (status, body) = call(
        s,
        "POST",
        "/api/v1/cases",
        &clerk,
        Some(application(ID_A, committed())),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["code"], "commitment.barred");
    assert_eq!(body["field"], "materials[1].commitment");
    assert_eq!(case_count(s, &clerk).await, before);
    let (status, body) = call(
        s,
        "POST",
        "/api/v1/cases",
        &clerk,
        Some(application(
            ID_A,
            json!([{ "material": "M-RESIDENCE-PROOF", "paper": true }]),
        )),
    )
    .await;
    assert_eq!(status, 201, "{body}");

    // Another applicant's commitment holds up: passed, the result stands.
    let (status, other) = call(
        s,
        "POST",
        "/api/v1/cases",
        &clerk,
        Some(application(ID_B, committed())),
    )
    .await;
    assert_eq!(status, 201, "{other}");
    let n2 = other["number"].as_str().unwrap().to_string();
    conclude(s, &clerk, &approver, &n2).await;
    let (status, c) = call(
        s,
        "POST",
        &format!("/api/v1/verifications/{n2}/1"),
        &approver,
        Some(json!({"passed": true, "note": "核实无误"})),
    )
    .await;
    assert_eq!(status, 200, "{c}");
    assert!(c["sub_cases"][0]["revoked"].is_null());
    assert!(kinds(&c).contains(&"sub_case.verification_passed".to_string()));
    let (_, q) = call(
        s,
        "GET",
        "/api/v1/verifications?status=pending",
        &approver,
        None,
    )
    .await;
    assert_eq!(q["total"], 0);
    s.assert_counters_match_a_scan(&["commitment"]).await;
    s.assert_facts_as_stored(&number).await;
}

async fn bad_commitments_change_nothing(s: &TestServer) {
    let clerk = village_clerk(s).await;
    let before = case_count(s, &clerk).await;
    // The ID card is not replaceable by a commitment.
    let (status, body) = call(
        s,
        "POST",
        "/api/v1/cases",
        &clerk,
        Some(application(
            ID_A,
            json!([
                { "material": "M-RESIDENCE-PROOF", "commitment": true },
                { "material": "M-ID-CARD", "commitment": true }
            ]),
        )),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "commitment.not_replaceable");
    assert_eq!(body["field"], "materials[1].commitment");
    assert!(
        s.client
            .get(s.url("/api/v1/cases"))
            .bearer_auth(&clerk)
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    );
    // The material and a commitment for it at once.
    let (status, body) = call(
        s,
        "POST",
        "/api/v1/cases",
        &clerk,
        Some(application(
            ID_A,
            json!([{ "material": "M-RESIDENCE-PROOF", "commitment": true, "paper": true }]),
        )),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "commitment.with_material");
    assert_eq!(case_count(s, &clerk).await, before);

    // A case without commitments has no 告知承诺书.
    let (status, case) = call(
        s,
        "POST",
        "/api/v1/cases",
        &clerk,
        Some(application(ID_A, json!([]))),
    )
    .await;
    assert_eq!(status, 201, "{case}");
    let number = case["number"].as_str().unwrap();
    let (status, body) = call(
        s,
        "GET",
        &format!("/api/v1/cases/{number}/commitment"),
        &clerk,
        None,
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(body["code"], "commitment.none");
}
