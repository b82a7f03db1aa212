//! The audit chain (审计链): hashing, sealing and verification of case events; separate because it
//! tests `case::chain`, not the state machine.

use super::*;

fn event(seq: i64, prev: &str, payload: Value) -> EventRecord {
    seal(EventRecord {
        case_number: "TB2025090100001".into(),
        seq,
        kind: "accept".into(),
        actor: "clerk-1".into(),
        role: "clerk".into(),
        acting_for: None,
        place: Some("C430422100001".into()),
        at: 1_756_700_000_000 + seq,
        reason: None,
        payload: payload.into(),
        prev_hash: prev.into(),
        hash: String::new(),
    })
}

fn chain(n: i64) -> Vec<EventRecord> {
    let mut out: Vec<EventRecord> = Vec::new();
    for _ in 0..n {
        let (seq, prev) = next_link(out.last());
        out.push(event(
            seq,
            &prev,
            json!({"n": seq, "b": [1, {"z": 1, "a": 2}]}),
        ));
    }
    out
}

#[test]
fn sealed_chain_verifies() {
    assert_eq!(GENESIS.len(), 64);
    assert!(GENESIS.bytes().all(|b| b == b'0'));
    let c = chain(4);
    assert_eq!(c[0].prev_hash, GENESIS);
    assert_eq!(c[0].hash.len(), 64);
    assert_eq!(c[1].prev_hash, c[0].hash);
    verify_chain(&c).unwrap();
    verify_chain(&[]).unwrap();
}

#[test]
fn payload_key_order_does_not_matter() {
    let mut a = Map::new();
    a.insert("b".into(), json!(1));
    a.insert("a".into(), json!({"y": 1, "x": [true, null]}));
    let mut b = Map::new();
    b.insert("a".into(), json!({"x": [true, null], "y": 1}));
    b.insert("b".into(), json!(1));
    let ea = event(1, GENESIS, Value::Object(a));
    let eb = event(1, GENESIS, Value::Object(b));
    assert_eq!(ea.hash, eb.hash);
    assert!(canonical_json(&ea).contains(r#""payload":{"a":{"x":[true,null],"y":1},"b":1}"#));
    assert!(canonical_json(&ea).starts_with(r#"{"case_number":"TB2025090100001","seq":1,"#));
    // Array order does matter.
    let ec = event(
        1,
        GENESIS,
        json!({"a": {"x": [null, true], "y": 1}, "b": 1}),
    );
    assert_ne!(ea.hash, ec.hash);
    // The encoding is pinned: a change here invalidates every stored chain.
    assert_eq!(event_hash(&ea), ea.hash);
    assert_eq!(
        ea.hash,
        "0051b74e0d8b3595575c1e6fae165829c0c14cfbba760135f026676a33a22bbf"
    );
}

#[test]
fn a_stored_payload_hashes_as_its_value_whatever_its_spacing_and_key_order() {
    let sealed = event(
        1,
        GENESIS,
        json!({"a": {"x": [true, null], "y": 1}, "b": "收件"}),
    );
    // The same value as another writer (or a hand) may have stored it.
    let mut read = sealed.clone();
    read.payload =
        Payload::from_stored(r#"{ "b": "收件", "a": {"y": 1, "x": [true, null]} }"#.into())
            .unwrap();
    assert_ne!(
        read.payload, sealed.payload,
        "kept as stored, not re-encoded"
    );
    assert_eq!(event_hash(&read), sealed.hash);
    verify_chain(&[read.clone()]).unwrap();
    // Written out as stored, and parsed on demand.
    let out = serde_json::to_string(&read).unwrap();
    assert!(out.contains(r#""payload":{ "b": "收件", "a": {"y": 1, "x": [true, null]} }"#));
    assert_eq!(read.payload.value()["a"]["y"], 1);
    // A changed value still breaks the link.
    read.payload =
        Payload::from_stored(r#"{"a": {"x": [true, null], "y": 2}, "b": "收件"}"#.into()).unwrap();
    assert_eq!(
        verify_chain(&[read]).unwrap_err().reason,
        BrokenReason::HashMismatch
    );
    // Text that is not JSON is refused when read.
    assert!(Payload::from_stored("{\"a\":".into()).is_err());
    assert!(Payload::from_stored(String::new()).is_err());
}

#[test]
fn names_the_first_broken_link() {
    let c = chain(4);
    let mut t = c.clone();
    t[2].reason = Some("改了".into());
    let e = verify_chain(&t).unwrap_err();
    assert_eq!(
        e,
        BrokenLink {
            case_number: "TB2025090100001".into(),
            seq: 3,
            reason: BrokenReason::HashMismatch
        }
    );
    assert_eq!(
        e.to_string(),
        "audit chain of case TB2025090100001 broken at event 3: its content does not match its hash (changed after sealing)"
    );
    assert_eq!(e.code(), "case.chain_broken");
    assert!(e.message_zh().contains("第 3 个事件"));
    // Re-sealed after the edit: the next event no longer links.
    t[2] = seal(t[2].clone());
    let e = verify_chain(&t).unwrap_err();
    assert_eq!((e.seq, e.reason), (4, BrokenReason::PrevHashMismatch));
    // A missing event.
    let mut t = c.clone();
    t.remove(1);
    let e = verify_chain(&t).unwrap_err();
    assert_eq!((e.seq, e.reason), (3, BrokenReason::SeqGap { expected: 2 }));
    // Swapped.
    let mut t = c.clone();
    t.swap(1, 2);
    assert_eq!(verify_chain(&t).unwrap_err().seq, 3);
    // Another case's event spliced in.
    let mut t = c;
    t[3].case_number = "OTHER".into();
    let e = verify_chain(&t).unwrap_err();
    assert_eq!(
        e.reason,
        BrokenReason::CaseNumberMismatch {
            expected: "TB2025090100001".into()
        }
    );
}
