use super::*;

#[test]
fn terms_are_the_distinct_non_ascii_characters() {
    assert_eq!(
        search_terms("李 四李", "城乡 A1-养老"),
        ["李", "四", "城", "乡", "养", "老"]
    );
    assert!(search_terms("Li Si", "ABC").is_empty());
}

/// A case built before its number is drawn: every row and event takes the number, and the
/// events are a valid chain under it (the number is part of each hash).
#[test]
fn a_numbered_case_carries_its_number_everywhere_and_its_chain_holds() {
    use tongban_domain::case::chain::{GENESIS, seal, verify_chain};
    let event = |seq: i64, kind: &str| {
        seal(EventRecord {
            case_number: String::new(),
            seq,
            kind: kind.into(),
            actor: "1".into(),
            role: "clerk".into(),
            acting_for: None,
            place: Some("C430422".into()),
            at: 1_700_000_000_000 + seq,
            reason: None,
            payload: serde_json::json!({"n": seq}).into(),
            prev_hash: GENESIS.into(),
            hash: String::new(),
        })
    };
    let template = NewCase {
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
            center_code: Some("C430422".into()),
            received_region: Some("430422".into()),
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
    };
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

#[test]
fn a_query_is_looked_up_by_its_first_non_ascii_character() {
    assert_eq!(query_term(" a李四").as_deref(), Some("李"));
    assert_eq!(query_term("TB20261128"), None);
    assert_eq!(query_term("\u{3000}王"), Some("王".into()));
}
