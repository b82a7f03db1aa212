//! 审计链 — the tamper-evident chain of a case's events.
//!
//! Every action on a case is an [`EventRecord`]: who acted (and for whom), in which role, where, when,
//! why, and what it recorded. Each record carries the hash of the one before it (`prev_hash`, the
//! first one [`GENESIS`]) and its own hash over everything else, so changing, removing or
//! reordering any stored event breaks the chain at that event ([`verify_chain`]).
//!
//! The chain protects against edits in the middle; to detect that the *last* events were cut off or
//! re-sealed, keep the newest hash somewhere else too (the case row, a daily digest).
//!
//! ## Canonical encoding (version 1)
//!
//! `hash = hex(sha256(b"tongban.case_event.v1\n" ‖ json))`, lowercase hex, where `json` is the
//! compact serde_json encoding (no whitespace) of an object with exactly these fields in this order:
//! `case_number, seq, kind, actor, role, acting_for, place, at, reason, payload, prev_hash` — `null`
//! for an absent option, `payload` with the keys of every object sorted (by Rust's `str` order,
//! i.e. by UTF-8 bytes), recursively; arrays keep their order. `hash` itself is not included.
//! Strings use serde_json's escaping (`\"`, `\\`, control characters as `\n` / `\u00XX`; other
//! characters, Chinese included, as raw UTF-8), which equals Python's
//! `json.dumps(obj, separators=(",", ":"), ensure_ascii=False)` for such input.
//! Changing this encoding invalidates every stored chain: add a new version instead.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

/// The `prev_hash` of a case's first event: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const DOMAIN: &[u8] = b"tongban.case_event.v1\n";

/// One event of a case, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventRecord {
    pub case_number: String,
    /// 1, 2, 3 … within the case.
    pub seq: i64,
    /// What happened: an action kind (`accept`, …) or another event of the case (`submit`, …).
    pub kind: String,
    /// Who acted (an account id or name).
    pub actor: String,
    /// In which role (`clerk`, `applicant`, …).
    pub role: String,
    /// 帮代办: the applicant an agent acted for.
    pub acting_for: Option<String>,
    /// Where (a service center code, `online` …).
    pub place: Option<String>,
    /// When, epoch milliseconds.
    pub at: i64,
    pub reason: Option<String>,
    /// What the action recorded (its data).
    pub payload: Payload,
    /// The previous event's hash, [`GENESIS`] for the first.
    pub prev_hash: String,
    /// This event's hash, see the module documentation.
    pub hash: String,
}

/// What an event recorded: a JSON value kept as the text it is stored as. A case's timeline is
/// read with every action and page, its payloads looked into far more rarely (a document, the
/// chain's check), so they are parsed only when looked into ([`Payload::value`]) and are written
/// out as they are.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Payload(Box<RawValue>);

impl Payload {
    /// A payload read back from storage; refused when the text is not JSON.
    pub fn from_stored(text: String) -> Result<Payload, serde_json::Error> {
        RawValue::from_string(text).map(Payload)
    }

    /// The JSON text.
    pub fn get(&self) -> &str {
        self.0.get()
    }

    /// The payload parsed (it was checked to be JSON when made).
    pub fn value(&self) -> Value {
        serde_json::from_str(self.0.get()).unwrap_or(Value::Null)
    }
}

impl From<Value> for Payload {
    fn from(v: Value) -> Payload {
        // Serializing a `Value` cannot fail (its map keys are strings).
        Payload(serde_json::value::to_raw_value(&v).unwrap_or_else(|_| RawValue::NULL.to_owned()))
    }
}

impl PartialEq for Payload {
    fn eq(&self, other: &Payload) -> bool {
        self.get() == other.get()
    }
}

/// The fields that are hashed, in their fixed order.
#[derive(Serialize)]
struct Canonical<'a> {
    case_number: &'a str,
    seq: i64,
    kind: &'a str,
    actor: &'a str,
    role: &'a str,
    acting_for: Option<&'a str>,
    place: Option<&'a str>,
    at: i64,
    reason: Option<&'a str>,
    payload: Sorted<'a>,
    prev_hash: &'a str,
}

/// A JSON value serialized with object keys sorted, whatever the map's own order.
struct Sorted<'a>(&'a Value);

impl Serialize for Sorted<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Object(map) => {
                let sorted: BTreeMap<&str, Sorted<'_>> =
                    map.iter().map(|(k, v)| (k.as_str(), Sorted(v))).collect();
                sorted.serialize(s)
            }
            Value::Array(items) => {
                let items: Vec<Sorted<'_>> = items.iter().map(Sorted).collect();
                items.serialize(s)
            }
            other => other.serialize(s),
        }
    }
}

/// The canonical bytes hashed for an event (without the domain prefix).
pub fn canonical_json(e: &EventRecord) -> String {
    // Parsed from the text, even when the writer still holds the value it was made from: the keys
    // then sort whatever order the text has them in, and the hash is of exactly what a verifier
    // reads back (without serde_json's `float_roundtrip` a float may not survive value → text →
    // value bit for bit).
    let payload = e.payload.value();
    let c = Canonical {
        case_number: &e.case_number,
        seq: e.seq,
        kind: &e.kind,
        actor: &e.actor,
        role: &e.role,
        acting_for: e.acting_for.as_deref(),
        place: e.place.as_deref(),
        at: e.at,
        reason: e.reason.as_deref(),
        payload: Sorted(&payload),
        prev_hash: &e.prev_hash,
    };
    // Serializing plain strings, integers and a JSON value to a String cannot fail (no maps with
    // non-string keys, no I/O); fall back to an impossible-to-collide marker rather than panic.
    serde_json::to_string(&c).unwrap_or_else(|e| format!("\u{0}unserializable:{e}"))
}

/// The SHA-256 (lowercase hex) of an event's canonical encoding: every field but `hash`.
pub fn event_hash(e: &EventRecord) -> String {
    let mut h = Sha256::new();
    h.update(DOMAIN);
    h.update(canonical_json(e).as_bytes());
    hex::encode(h.finalize())
}

/// The event with its `hash` set.
pub fn seal(mut e: EventRecord) -> EventRecord {
    e.hash = event_hash(&e);
    e
}

/// The `seq` and `prev_hash` of the event that follows `last` (the newest stored event of the case,
/// `None` for the first).
pub fn next_link(last: Option<&EventRecord>) -> (i64, String) {
    match last {
        Some(e) => (e.seq + 1, e.hash.clone()),
        None => (1, GENESIS.to_owned()),
    }
}

/// Why a link of the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BrokenReason {
    /// The event's `seq` is not the next number (an event missing, duplicated or reordered).
    SeqGap { expected: i64 },
    /// The event belongs to another case.
    CaseNumberMismatch { expected: String },
    /// `prev_hash` is not the previous event's hash (or [`GENESIS`] for the first).
    PrevHashMismatch,
    /// The stored hash is not the hash of the event's content: it was changed after sealing.
    HashMismatch,
}

/// The first broken link of a chain: the event where verification failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub struct BrokenLink {
    pub case_number: String,
    pub seq: i64,
    pub reason: BrokenReason,
}

impl fmt::Display for BrokenLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "audit chain of case {} broken at event {}: ",
            self.case_number, self.seq
        )?;
        match &self.reason {
            BrokenReason::SeqGap { expected } => {
                write!(
                    f,
                    "sequence number {} where {expected} was expected",
                    self.seq
                )
            }
            BrokenReason::CaseNumberMismatch { expected } => {
                write!(f, "the event belongs to another case than {expected}")
            }
            BrokenReason::PrevHashMismatch => {
                f.write_str("it does not link to the previous event's hash")
            }
            BrokenReason::HashMismatch => {
                f.write_str("its content does not match its hash (changed after sealing)")
            }
        }
    }
}

impl BrokenLink {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        "case.chain_broken"
    }

    /// 中文提示
    pub fn message_zh(&self) -> String {
        let why = match &self.reason {
            BrokenReason::SeqGap { expected } => {
                format!(
                    "序号为 {}，应为 {expected}（事件缺失、重复或顺序被改动）",
                    self.seq
                )
            }
            BrokenReason::CaseNumberMismatch { expected } => {
                format!("该事件不属于办件 {expected}")
            }
            BrokenReason::PrevHashMismatch => "与前一事件的哈希不衔接".to_owned(),
            BrokenReason::HashMismatch => "内容与其哈希不符（封存后被改动）".to_owned(),
        };
        format!(
            "办件 {} 的审计链在第 {} 个事件处断裂：{why}",
            self.case_number, self.seq
        )
    }
}

/// Checks the events of ONE case, in `seq` order from the first: seq 1, 2, 3 …, one case number,
/// each `prev_hash` the previous hash ([`GENESIS`] first), each hash right. Names the first broken
/// link. An empty list verifies.
pub fn verify_chain(events: &[EventRecord]) -> Result<(), BrokenLink> {
    let Some(first) = events.first() else {
        return Ok(());
    };
    let mut prev = GENESIS;
    for (i, e) in events.iter().enumerate() {
        let broken = |reason| BrokenLink {
            case_number: e.case_number.clone(),
            seq: e.seq,
            reason,
        };
        let expected = i64::try_from(i).unwrap_or(i64::MAX).saturating_add(1);
        if e.seq != expected {
            return Err(broken(BrokenReason::SeqGap { expected }));
        }
        if e.case_number != first.case_number {
            return Err(broken(BrokenReason::CaseNumberMismatch {
                expected: first.case_number.clone(),
            }));
        }
        if e.prev_hash != prev {
            return Err(broken(BrokenReason::PrevHashMismatch));
        }
        if event_hash(e) != e.hash {
            return Err(broken(BrokenReason::HashMismatch));
        }
        prev = &e.hash;
    }
    Ok(())
}
