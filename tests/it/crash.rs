//! Crash safety (issue 6): the real `tongban serve` binary under load, killed with SIGKILL at
//! random moments and restarted on the same data — a SQLite data directory (the WAL and its group
//! commit, `crates/store/src/durability.rs`) or a PostgreSQL database (the application node
//! crashes; the database server keeps running).
//!
//! Several clients loop: create a case with an Idempotency-Key (window application by a clerk),
//! then accept it (clerk), review and conclude it (approver). A request that fails because the
//! server died is retried, unchanged, until the restarted server answers; only a 2xx answer is an
//! acknowledgement, and each one is recorded with the event it reported (sequence number and hash
//! in the audit chain). After the last restart the test checks that
//! - every acknowledged create and action is there: the same event, same seq, same hash, and the
//!   case at least at the acknowledged version;
//! - retries made no duplicate: the cases in the database are exactly the acknowledged ones;
//! - nothing is half-applied: each case starts with its `case.submitted` event, its events are
//!   numbered 1..n without gaps, its version equals its number of action events, the sub-case
//!   status is the one its last action led to, and it is closed exactly when `case.closed` ends it;
//! - `tongban audit verify` (the binary, on the same data) exits 0 and counts every case.
//!
//! Short form (CI): 5 kills per backend. Full form: `scripts/crash-test` (25 kills), or
//! `TONGBAN_CRASH_KILLS=25 cargo nextest run --test it crash --no-capture`.
//! TONGBAN_CRASH_SEED=N repeats a run's kill moments and request data (the seed is printed; thread
//! timing still differs); TONGBAN_CRASH_CLIENTS sets the number of concurrent clients (4).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::task::JoinHandle;

use crate::harness::{self, Backend};

mod sqlite {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sigkill_under_load_loses_no_acknowledged_action() {
        super::run(crate::harness::Backend::Sqlite).await;
    }
}

mod postgres {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sigkill_under_load_loses_no_acknowledged_action() {
        super::run(crate::harness::Backend::Postgres).await;
    }
}

/// How long a client keeps retrying one request while the server is down (restarts take seconds).
const RETRY_FOR: Duration = Duration::from_secs(180);

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a whole number, got {v:?}")),
        Err(_) => default,
    }
}

/// SplitMix64: a small seeded generator, so a run's choices can be repeated from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in lo..=hi.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

/// A valid resident ID number (GB 11643 check character) with its hukou in 耒阳市 (430481).
fn resident_id(rng: &mut Rng) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECKS: &[u8] = b"10X98765432";
    let first = format!(
        "430481{:04}{:02}{:02}{:03}",
        rng.range(1950, 2000),
        rng.range(1, 12),
        rng.range(1, 28),
        rng.range(0, 998)
    );
    let sum: u32 = first
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    format!("{first}{}", CHECKS[(sum % 11) as usize] as char)
}

/// The `tongban serve` process under test, restarted on the same data and port after each kill.
struct Node {
    dir: tempfile::TempDir,
    database_url: Option<String>,
    port: u16,
    child: Option<Child>,
    starts: u32,
}

impl Node {
    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The binary with this node's data directory and database, and nothing from the environment.
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_tongban"));
        c.args(args).arg("--data-dir").arg(self.data_dir());
        if let Some(url) = &self.database_url {
            c.arg("--database-url").arg(url);
        }
        c.env("TONGBAN_LANG", "en")
            .env("TONGBAN_LOG", "warn")
            .env_remove("TONGBAN_DATABASE_URL")
            .env_remove("TONGBAN_DATA_DIR")
            .env_remove("TONGBAN_CONFIG")
            .env_remove("TONGBAN_LISTEN")
            .current_dir(self.dir.path());
        c
    }

    fn log_path(&self, n: u32) -> PathBuf {
        self.dir.path().join(format!("serve-{n}.log"))
    }

    /// Starts the server and waits until `/readyz` answers 200; returns how long that took.
    async fn start(&mut self, http: &reqwest::Client) -> Duration {
        let t0 = Instant::now();
        let mut bind_failures = 0;
        'spawn: loop {
            let log_n = self.starts;
            self.starts += 1;
            let log = std::fs::File::create(self.log_path(log_n)).unwrap();
            let listen = format!("127.0.0.1:{}", self.port);
            let child = self
                .command(&["serve", "--listen", &listen])
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .expect("spawn tongban serve");
            self.child = Some(child);
            loop {
                if let Ok(r) = http.get(format!("{}/readyz", self.base())).send().await
                    && r.status().as_u16() == 200
                {
                    return t0.elapsed();
                }
                let exited = self.child.as_mut().and_then(|c| c.try_wait().unwrap());
                if let Some(status) = exited {
                    self.child = None;
                    let log = std::fs::read_to_string(self.log_path(log_n)).unwrap_or_default();
                    // While the port is free a client's outgoing connection may hold it for a
                    // moment (its ephemeral port): try again rather than fail on the test's setup.
                    if log.contains("cannot listen") && bind_failures < 10 {
                        bind_failures += 1;
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue 'spawn;
                    }
                    panic!("tongban serve exited ({status}) before it was ready:\n{log}");
                }
                assert!(
                    t0.elapsed() < Duration::from_secs(120),
                    "tongban serve not ready after 120 s:\n{}",
                    std::fs::read_to_string(self.log_path(log_n)).unwrap_or_default()
                );
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }

    /// SIGKILL (what `Child::kill` sends on Unix), then reap the process.
    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().expect("SIGKILL tongban serve");
            c.wait().expect("reap tongban serve");
        }
    }

    fn add_user(&self, name: &str, args: &[&str]) {
        let mut all = vec!["user", "add", name];
        all.extend_from_slice(args);
        let mut child = self
            .command(&all)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn tongban user add");
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            writeln!(stdin, "{}", harness::TEST_PASSWORD).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "user add {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// One acknowledged request: the event it reported.
#[derive(Debug, Clone)]
struct Ack {
    number: String,
    version: i64,
    seq: i64,
    kind: String,
    hash: String,
}

#[derive(Debug, Default)]
struct ClientLog {
    acks: Vec<Ack>,
    /// Cases created (each acknowledged, possibly only by the replay of a retry).
    cases: Vec<String>,
    /// Creates answered 200 by a retry: the first attempt had made the case, the kill ate its answer.
    create_replays: u64,
    /// Actions applied whose answer the kill ate (the retry got 409 and the case showed the action).
    applied_unacked: u64,
    /// Attempts that got no answer (connection refused or reset) or a 5xx, and were retried.
    failed_attempts: u64,
    server_errors: u64,
}

struct Shared {
    base: String,
    clerk: String,
    approver: String,
    stop: AtomicBool,
    acked: AtomicU64,
}

/// Sends the request `make` builds until an answer other than a 5xx comes back.
async fn until_answered(
    log: &mut ClientLog,
    what: &str,
    make: impl Fn() -> reqwest::RequestBuilder,
) -> (u16, Value) {
    let t0 = Instant::now();
    loop {
        match make().send().await {
            Ok(resp) if !resp.status().is_server_error() => {
                let status = resp.status().as_u16();
                // The answer must be read whole: a kill mid-body is no acknowledgement.
                if let Ok(text) = resp.text().await {
                    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
                    return (status, body);
                }
            }
            Ok(resp) => {
                log.server_errors += 1;
                if log.server_errors <= 3 {
                    let status = resp.status();
                    let text = resp.text().await.unwrap_or_default();
                    eprintln!("crash: {what}: {status} {text}");
                }
            }
            Err(_) => {}
        }
        log.failed_attempts += 1;
        assert!(
            t0.elapsed() < RETRY_FOR,
            "{what}: no answer for {RETRY_FOR:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The last event of `kind` in a case's timeline, as an acknowledgement.
fn ack_of(case: &Value, kind: &str) -> Ack {
    let e = case["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} event in the answer: {case}"));
    Ack {
        number: case["number"].as_str().unwrap().to_string(),
        version: case["version"].as_i64().unwrap(),
        seq: e["seq"].as_i64().unwrap(),
        kind: kind.to_string(),
        hash: e["hash"].as_str().unwrap().to_string(),
    }
}

async fn client(id: u64, seed: u64, s: Arc<Shared>) -> ClientLog {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let mut rng = Rng(seed ^ id.wrapping_mul(0xA076_1D64_78BD_642F));
    let mut log = ClientLog::default();
    let mut i = 0;
    while !s.stop.load(Ordering::SeqCst) {
        i += 1;
        let key = format!("crash-{seed:x}-{id}-{i}");
        let body = json!({
            "item": "430400-RS-0001",
            "form": {
                "applicant_name": "李耒阳",
                "applicant_id": resident_id(&mut rng),
                "mobile": "13812345678",
                "hukou_region": "430481",
                "contribution_grade": "300"
            },
            "materials": [ { "material": "M-ID-CARD", "paper": true } ]
        });
        let url = format!("{}/api/v1/cases", s.base);
        let (status, case) = until_answered(&mut log, "create", || {
            http.post(&url)
                .bearer_auth(&s.clerk)
                .header("idempotency-key", &key)
                .json(&body)
        })
        .await;
        assert!(
            status == 201 || status == 200,
            "create {key}: {status} {case}"
        );
        if status == 200 {
            log.create_replays += 1;
        }
        let created = ack_of(&case, "case.submitted");
        assert_eq!((created.version, created.seq), (1, 1), "{case}");
        let number = created.number.clone();
        log.cases.push(number.clone());
        log.acks.push(created);
        s.acked.fetch_add(1, Ordering::SeqCst);

        let mut case = case;
        for step in ["accept", "review", "conclude"] {
            let version = case["version"].as_i64().unwrap();
            let (token, action) = match step {
                "accept" => (&s.clerk, json!({"action": "accept"})),
                "review" => (
                    &s.approver,
                    json!({"action": "review", "opinion": "材料齐全，符合参保条件"}),
                ),
                _ => (
                    &s.approver,
                    json!({"action": "conclude", "result": {
                        "number": format!("LY-{number}"), "content": "已参保，缴费档次300元/年",
                        "issuer": "耒阳市人力资源和社会保障局",
                        "issued_on": case["sub_cases"][0]["accepted_on"], "approved": true
                    }}),
                ),
            };
            let mut req = action;
            req["sub_case"] = json!(1);
            req["version"] = json!(version);
            let url = format!("{}/api/v1/cases/{number}/actions", s.base);
            let (status, after) = until_answered(&mut log, step, || {
                http.post(&url).bearer_auth(token).json(&req)
            })
            .await;
            let kind = format!("sub_case.{step}");
            match status {
                200 => {
                    assert_eq!(after["version"], version + 1, "{step} on {number}: {after}");
                    log.acks.push(ack_of(&after, &kind));
                    s.acked.fetch_add(1, Ordering::SeqCst);
                    case = after;
                }
                // Only this client acts on this case: a stale version means the attempt the kill
                // interrupted was applied after all. The case must show exactly that action.
                409 => {
                    assert_eq!(after["code"], "case.stale_version", "{step} on {number}");
                    let get = format!("{}/api/v1/cases/{number}", s.base);
                    let (status, now) =
                        until_answered(&mut log, "get", || http.get(&get).bearer_auth(&s.clerk))
                            .await;
                    assert_eq!(status, 200, "{now}");
                    assert_eq!(now["version"], version + 1, "{step} on {number}: {now}");
                    let e = ack_of(&now, &kind);
                    assert_eq!(e.seq, version + 1, "{step} on {number}: {now}");
                    log.applied_unacked += 1;
                    case = now;
                }
                _ => panic!("{step} on {number}: {status} {after}"),
            }
        }
    }
    log
}

/// Every case the supervisor sees (the whole city: all of them).
async fn all_cases(http: &reqwest::Client, base: &str, token: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut offset = 0;
    loop {
        let page: Value = http
            .get(format!("{base}/api/v1/cases?limit=100&offset={offset}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let items = page["items"].as_array().expect("a page of cases");
        for c in items {
            let n = c["number"].as_str().unwrap().to_string();
            assert!(out.insert(n.clone()), "{n} listed twice");
        }
        offset += items.len();
        if items.is_empty() || offset as u64 >= page["total"].as_u64().unwrap() {
            assert_eq!(offset as u64, page["total"].as_u64().unwrap());
            return out;
        }
    }
}

/// The checks on one case as stored, against what was acknowledged for it.
fn check_case(case: &Value, acks: &[&Ack]) {
    let number = case["number"].as_str().unwrap();
    let timeline = case["timeline"].as_array().unwrap();
    let kinds: Vec<&str> = timeline
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    // A creation event first, and an unbroken sequence.
    assert_eq!(
        kinds.first(),
        Some(&"case.submitted"),
        "{number}: {kinds:?}"
    );
    for (i, e) in timeline.iter().enumerate() {
        assert_eq!(
            e["seq"],
            i as i64 + 1,
            "{number}: event numbering {kinds:?}"
        );
    }
    // The version counts the changes: the creation and each action, nothing more or less.
    let actions: Vec<&str> = kinds
        .iter()
        .copied()
        .filter(|k| *k == "case.submitted" || k.starts_with("sub_case."))
        .collect();
    let version = case["version"].as_i64().unwrap();
    assert_eq!(
        version,
        actions.len() as i64,
        "{number}: version {version} but events {kinds:?}"
    );
    // The steps happened in order, and the sub-case is where the last one took it.
    let order = [
        "case.submitted",
        "sub_case.accept",
        "sub_case.review",
        "sub_case.conclude",
    ];
    assert_eq!(actions, order[..actions.len()], "{number}");
    let status = ["submitted", "accepted", "reviewed", "concluded"][actions.len() - 1];
    assert_eq!(
        case["sub_cases"][0]["status"], status,
        "{number}: {kinds:?}"
    );
    let closed = actions.len() == order.len();
    assert_eq!(
        case["status"],
        if closed { "closed" } else { "open" },
        "{number}: {kinds:?}"
    );
    assert_eq!(
        kinds.last() == Some(&"case.closed"),
        closed,
        "{number}: {kinds:?}"
    );
    assert_eq!(
        kinds.len(),
        actions.len() + usize::from(closed),
        "{number}: unexpected events {kinds:?}"
    );
    if closed {
        assert_eq!(
            case["sub_cases"][0]["result"]["number"],
            format!("LY-{number}"),
            "{number}: concluded without its result"
        );
    }
    // Every acknowledged event is there, unchanged.
    for a in acks {
        assert!(
            version >= a.version,
            "{number}: acknowledged {a:?}, now {version}"
        );
        let e = &timeline[(a.seq - 1) as usize];
        assert_eq!(
            (e["kind"].as_str(), e["hash"].as_str()),
            (Some(a.kind.as_str()), Some(a.hash.as_str())),
            "{number}: acknowledged {a:?}"
        );
    }
}

/// Waits until the load runs again after a (re)start: `n` new acknowledgements. A client that
/// stopped (clients stop only when told to) failed a check: its panic fails the test now.
async fn resumed(shared: &Shared, tasks: &mut Vec<JoinHandle<ClientLog>>, n: u64) {
    let before = shared.acked.load(Ordering::SeqCst);
    let t0 = Instant::now();
    while shared.acked.load(Ordering::SeqCst) < before + n {
        if let Some(i) = tasks.iter().position(|t| t.is_finished()) {
            match tasks.remove(i).await {
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                other => panic!("a client stopped on its own: {other:?}"),
            }
        }
        assert!(
            t0.elapsed() < Duration::from_secs(120),
            "no progress after a restart"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn run(backend: Backend) {
    let kills = env_u64("TONGBAN_CRASH_KILLS", 5);
    let clients = env_u64("TONGBAN_CRASH_CLIENTS", 4).max(1);
    let seed = std::env::var("TONGBAN_CRASH_SEED")
        .ok()
        .map(|v| v.trim().parse::<u64>().expect("TONGBAN_CRASH_SEED"))
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
                % 1_000_000_007
        });
    let database_url = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => match harness::fresh_postgres_url().await {
            Some(url) => Some(url),
            None => return,
        },
    };
    eprintln!(
        "crash ({backend:?}): seed {seed} (repeat with TONGBAN_CRASH_SEED={seed}), \
         {kills} kills, {clients} clients"
    );
    let started = Instant::now();
    let mut rng = Rng(seed);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let mut node = Node {
        dir: tempfile::tempdir().unwrap(),
        database_url,
        port: free_port(),
        child: None,
        starts: 0,
    };
    let first_start = node.start(&http).await;
    let base = node.base();

    // Accounts, made with the binary as an operator would: a clerk at a village station in 衡南县,
    // the approver of 耒阳市人社局 (the applicant's hukou county) and the city's supervisor.
    let centers: Value = http
        .get(format!("{base}/api/v1/centers?region=430422&limit=100"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let center = centers["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["level"] == "village")
        .expect("a village station")["code"]
        .as_str()
        .unwrap()
        .to_string();
    node.add_user("crash.clerk", &["--role", "clerk", "--center", &center]);
    node.add_user(
        "crash.appr",
        &["--role", "approver", "--department", "430481-hrss"],
    );
    node.add_user("crash.sup", &["--role", "supervisor", "--region", "430400"]);
    let login = |name: &'static str| {
        let http = http.clone();
        let base = base.clone();
        async move {
            let resp = http
                .post(format!("{base}/api/v1/session"))
                .json(&json!({"username": name, "password": harness::TEST_PASSWORD, "kind": "bearer"}))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status().as_u16(), 200, "login {name}");
            let v: Value = resp.json().await.unwrap();
            v["token"].as_str().unwrap().to_string()
        }
    };
    let shared = Arc::new(Shared {
        base: base.clone(),
        clerk: login("crash.clerk").await,
        approver: login("crash.appr").await,
        stop: AtomicBool::new(false),
        acked: AtomicU64::new(0),
    });
    let supervisor = login("crash.sup").await;

    let mut tasks: Vec<_> = (0..clients)
        .map(|id| tokio::spawn(client(id, seed, shared.clone())))
        .collect();

    let mut restarts = Vec::new();
    for k in 1..=kills {
        resumed(&shared, &mut tasks, clients).await;
        let delay = rng.range(50, 600);
        tokio::time::sleep(Duration::from_millis(delay)).await;
        node.kill();
        let at = shared.acked.load(Ordering::SeqCst);
        let took = node.start(&http).await;
        restarts.push(took);
        eprintln!(
            "crash ({backend:?}): kill {k}/{kills} {delay} ms into the load \
             ({at} acknowledged so far); ready again in {} ms",
            took.as_millis()
        );
    }
    // Some load after the last restart, then every client finishes the case it is on.
    resumed(&shared, &mut tasks, clients).await;
    shared.stop.store(true, Ordering::SeqCst);
    let mut acks = Vec::new();
    let mut made = Vec::new();
    let mut totals = ClientLog::default();
    for t in tasks {
        let log = t.await.expect("a client failed");
        acks.extend(log.acks);
        made.extend(log.cases);
        totals.create_replays += log.create_replays;
        totals.applied_unacked += log.applied_unacked;
        totals.failed_attempts += log.failed_attempts;
        totals.server_errors += log.server_errors;
    }

    // No duplicate from a retry, no case nobody made: exactly the acknowledged creates.
    let made_set: BTreeSet<String> = made.iter().cloned().collect();
    assert_eq!(
        made_set.len(),
        made.len(),
        "one case number for two creates"
    );
    let stored = all_cases(&http, &base, &supervisor).await;
    assert_eq!(
        stored, made_set,
        "the cases stored are not exactly the acknowledged ones"
    );
    let mut by_case: BTreeMap<&str, Vec<&Ack>> = BTreeMap::new();
    for a in &acks {
        by_case.entry(a.number.as_str()).or_default().push(a);
    }
    let mut events = 0;
    for number in &stored {
        let resp = http
            .get(format!("{base}/api/v1/cases/{number}"))
            .bearer_auth(&shared.clerk)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200, "{number}");
        let case: Value = resp.json().await.unwrap();
        events += case["timeline"].as_array().unwrap().len();
        check_case(&case, by_case.get(number.as_str()).map_or(&[][..], |v| v));
    }

    // The audit chain, checked by the binary on the same data.
    let out = node.command(&["audit", "verify"]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "audit verify: {said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains(&format!(
            "audit chain intact: {} cases, {events} events",
            stored.len()
        )),
        "{said}"
    );
    node.kill();

    let slowest = restarts.iter().max().copied().unwrap_or_default();
    eprintln!(
        "crash ({backend:?}): PASS seed {seed}: {kills} kills; {} cases, {} acknowledged \
         requests checked ({} actions after creation), {events} events; {} creates replayed and \
         {} actions applied without an answer across kills; {} attempts retried ({} 5xx); \
         first start {} ms, restarts up to {} ms; {:.1} s in all",
        stored.len(),
        acks.len(),
        acks.len() - made.len(),
        totals.create_replays,
        totals.applied_unacked,
        totals.failed_attempts,
        totals.server_errors,
        first_start.as_millis(),
        slowest.as_millis(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        acks.len() as u64 >= (kills + 1) * clients,
        "too little load to mean anything"
    );
}
