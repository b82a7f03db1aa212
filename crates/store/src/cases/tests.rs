use super::*;
use tongban_domain::case::chain::{GENESIS, next_link, seal, verify_chain};

/// A case of one item received at center C430481, before its number is drawn.
fn template() -> NewCase {
    let event = |seq, kind: &str| {
        seal(EventRecord {
            case_number: String::new(),
            seq,
            kind: kind.into(),
            actor: "1".into(),
            role: "clerk".into(),
            acting_for: None,
            place: Some("C430481".into()),
            at: 1_700_000_000_000 + seq,
            reason: None,
            payload: serde_json::json!({"n": seq}).into(),
            prev_hash: GENESIS.into(),
            hash: String::new(),
        })
    };
    NewCase {
        case: CaseRow {
            number: String::new(),
            item_code: Some("I-1".into()),
            bundle_code: None,
            bundle_version: None,
            title: "养老".into(),
            applicant_user_id: None,
            applicant_name: "李四".into(),
            applicant_id: "430481199003150014".into(),
            channel: "window".into(),
            center_code: Some("C430481".into()),
            received_region: Some("430481".into()),
            submitted_by: 1,
            form: "{}".into(),
            status: "open".into(),
            version: 1,
            created_at: 1_700_000_000_000,
            created_on: "2026-11-29".into(),
            closed_at: None,
            idempotency_key: None,
            request_hash: None,
        },
        sub_cases: vec![SubCaseRow {
            case_number: String::new(),
            seq: 1,
            item_code: "I-1".into(),
            item_version: 1,
            department_code: "430481-hrss".into(),
            handling_region: "430481".into(),
            status: "submitted".into(),
            state: "{}".into(),
            accepted_on: None,
            deadline: None,
            concluded_on: None,
            pledge_due: None,
        }],
        materials: vec![MaterialRow {
            case_number: String::new(),
            material_code: "M-1".into(),
            name: "户口簿".into(),
            provided: "paper".into(),
            file_sha256: None,
            file_name: None,
            updated_at: 1_700_000_000_000,
        }],
        events: vec![event(1, "case.submitted"), event(1, "case.noted")],
    }
}

/// A case built before its number is drawn: every row and event takes the number, and the
/// events are a valid chain under it (the number is part of each hash).
#[test]
fn a_numbered_case_carries_its_number_everywhere_and_its_chain_holds() {
    let template = template();
    let n = template.clone().numbered("TB20261129000007".into());
    assert_eq!(n.case.number, "TB20261129000007");
    assert_eq!(n.sub_cases[0].case_number, n.case.number);
    assert_eq!(n.materials[0].case_number, n.case.number);
    assert!(n.events.iter().all(|e| e.case_number == n.case.number));
    assert_eq!(n.events.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2]);
    verify_chain(&n.events).unwrap();
    // The same template under another number: other hashes (the number is sealed in).
    let other = template.numbered("TB20261129000008".into());
    assert_ne!(other.events[0].hash, n.events[0].hash);
    verify_chain(&other.events).unwrap();
}

/// The region, department, center and clerk that [`template`] refers to.
async fn seed(store: &Store) {
    sqlx::raw_sql(
        "INSERT INTO regions (code, name, level) VALUES ('430481', '耒阳市', 'county'); \
         INSERT INTO departments (code, name, department_type, level, region_code) \
         VALUES ('430481-hrss', '人社局', 'hrss', 'county', '430481'); \
         INSERT INTO service_centers (code, name, level, region_code, address, windows) \
         VALUES ('C430481', '耒阳市政务服务中心', 'county', '430481', '蔡子池街道', 12); \
         INSERT INTO users (id, username, display_name, role, password_hash, created_at) \
         VALUES (1, 'clerk', '窗口', 'clerk', '-', 0);",
    )
    .execute(store.sqlite_parts().write)
    .await
    .unwrap();
}

/// The generator's batch of copies (one transaction on the direct connection in a bulk load) is
/// all or nothing on either failure a copy can meet: a number already taken, and a department
/// that does not exist.
#[tokio::test]
async fn a_batch_of_copies_is_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let url = crate::DatabaseUrl::Sqlite(dir.path().join("t.db"));
    let store = Store::connect_with(&url, crate::WriteMode::BulkLoad)
        .await
        .unwrap();
    store.migrate().await.unwrap();
    seed(&store).await;
    let copy = |number: &str| crate::CaseCopy {
        case: template().numbered(number.into()),
        template: "TB20261129000000".into(),
        shift_ms: 0,
    };
    let stored = || async {
        sqlx::query_scalar::<_, String>("SELECT number FROM cases ORDER BY number")
            .fetch_all(store.sqlite_parts().write)
            .await
            .unwrap()
    };
    store
        .insert_case_copies(&[copy("TB20261129000001")])
        .await
        .unwrap();
    let taken = store
        .insert_case_copies(&[copy("TB20261129000002"), copy("TB20261129000001")])
        .await;
    assert!(taken.is_err(), "a number taken twice");
    let mut nowhere = copy("TB20261129000004");
    nowhere.case.sub_cases[0].department_code = "nowhere".into();
    let unknown = store
        .insert_case_copies(&[copy("TB20261129000003"), nowhere])
        .await;
    assert!(unknown.is_err(), "a department that does not exist");
    assert_eq!(
        stored().await,
        ["TB20261129000001"],
        "nothing of either batch"
    );
    // The writer is usable afterwards, and every row of a good batch is there.
    store
        .insert_case_copies(&[copy("TB20261129000005")])
        .await
        .unwrap();
    assert_eq!(stored().await, ["TB20261129000001", "TB20261129000005"]);
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(store.sqlite_parts().write)
        .await
        .unwrap();
    assert_eq!(events, 4);
}

/// Two stores on one file stand for two nodes, or for a process whose kept case went stale: a
/// case kept by one is used only while the stored version is the kept one, a kept case moved on
/// by a change reads as the tables do, and the receiving center is read every time.
#[tokio::test]
async fn a_kept_case_is_used_only_at_the_stored_version() {
    let dir = tempfile::tempdir().unwrap();
    let url = crate::DatabaseUrl::Sqlite(dir.path().join("t.db"));
    let a = Store::connect(&url).await.unwrap();
    a.migrate().await.unwrap();
    let b = Store::connect(&url).await.unwrap();
    seed(&a).await;
    let new = template().numbered("TB20261129000007".into());
    let number = new.case.number.clone();
    a.create_case(&new).await.unwrap();
    assert!(
        a.recent_cases.get(&number, 1).is_some(),
        "a new case is kept"
    );
    let fresh = || async {
        let c = Store::connect(&url).await.unwrap();
        c.case_record(&number).await.unwrap().unwrap()
    };
    assert_eq!(
        a.case_record(&number).await.unwrap().unwrap(),
        fresh().await
    );
    assert_eq!(
        b.case_record(&number).await.unwrap().unwrap(),
        fresh().await
    );

    // A change through `b`: a sub-case moves, one material is handed in again and one new, sorting
    // before it, arrives; an event is appended. `a` still keeps version 1.
    let change = |record: &CaseRecord, kind: &str, provided: &str| {
        let mut sub = record.sub_cases[0].clone();
        sub.status = kind.into();
        sub.state = format!("{{\"status\":\"{kind}\"}}");
        sub.accepted_on = Some("2026-11-30".into());
        let material = |code: &str, at| MaterialRow {
            case_number: number.clone(),
            material_code: code.into(),
            name: "changed names are not written".into(),
            provided: provided.into(),
            file_sha256: None,
            file_name: None,
            updated_at: at,
        };
        let (seq, prev_hash) = next_link(record.events.last());
        let event = seal(EventRecord {
            case_number: number.clone(),
            seq,
            kind: format!("sub_case.{kind}"),
            prev_hash,
            hash: String::new(),
            ..record.events[0].clone()
        });
        CaseChange {
            number: number.clone(),
            expected_version: record.case.version,
            status: "open".into(),
            closed_at: None,
            sub_cases: vec![sub],
            materials: vec![material("M-1", 1), material("M-0", 2), material("M-1", 3)],
            events: vec![event],
            before: None,
        }
    };
    let at_1 = b.case_record(&number).await.unwrap().unwrap();
    assert!(
        b.apply_case_change(&change(&at_1, "accepted", "commitment"))
            .await
            .unwrap()
    );
    assert!(
        b.recent_cases.get(&number, 2).is_some(),
        "b moved its kept case on"
    );
    assert!(
        a.recent_cases.get(&number, 1).is_some(),
        "a still keeps version 1"
    );
    let at_2 = a.case_record(&number).await.unwrap().unwrap();
    assert_eq!(
        at_2.case.version, 2,
        "a read the stored version, not its kept one"
    );
    assert_eq!(at_2, fresh().await);
    assert_eq!(b.case_record(&number).await.unwrap().unwrap(), at_2);
    let codes: Vec<_> = at_2
        .materials
        .iter()
        .map(|m| (m.material_code.as_str(), m.updated_at))
        .collect();
    assert_eq!(codes, [("M-0", 2), ("M-1", 3)]);
    assert_eq!(at_2.materials[1].name, "户口簿");
    verify_chain(&at_2.events).unwrap();

    // The receiving center changes without the case's version moving.
    sqlx::query("UPDATE service_centers SET name = '耒阳市民之家' WHERE code = 'C430481'")
        .execute(a.sqlite_parts().write)
        .await
        .unwrap();
    assert!(
        a.apply_case_change(&change(&at_2, "reviewed", "file"))
            .await
            .unwrap()
    );
    let at_3 = a.case_record(&number).await.unwrap().unwrap();
    assert!(a.recent_cases.get(&number, 3).is_some(), "a kept version 3");
    assert_eq!(at_3, fresh().await);
    assert_eq!(
        at_3.center.as_ref().map(|c| c.name.as_str()),
        Some("耒阳市民之家")
    );
    // A change that no longer applies leaves what is kept alone.
    assert!(
        !b.apply_case_change(&change(&at_2, "rejected", "file"))
            .await
            .unwrap()
    );
    assert_eq!(a.case_record(&number).await.unwrap().unwrap(), at_3);
}
