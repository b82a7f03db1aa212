//! Several nodes on one database: two servers (each with its own App, as two `tongban serve`
//! processes would have) on the same SQLite file or PostgreSQL database.
//!
//! - the 容缺 deadline job run by both nodes at once does the work once: one set of events;
//! - a calendar change made on one node reaches the other through the reference generation;
//! - (PostgreSQL only) the same case acted on from both nodes at once by many tasks with the same
//!   version: exactly one action wins each version, the others get 409, the events form one
//!   unbroken chain, and one Idempotency-Key sent to both nodes at once makes one case.

use chrono::NaiveDate;
use serde_json::{Value, json};
use tongban_app::cluster::{DEADLINE_JOB, GenerationWatch, REFERENCE};
use tongban_store::DatabaseUrl;

use crate::harness::{self, TestServer};

const LEIYANG_ID: &str = "430481199003150014";

/// Two nodes on one fresh database; `None` when the backend is not available here.
async fn two_nodes(backend: harness::Backend) -> Option<(TestServer, TestServer)> {
    match backend {
        harness::Backend::Sqlite => {
            let first = harness::spawn(backend).await?;
            let url = DatabaseUrl::default_in(&first.app.data_dir);
            let second = harness::spawn_on(url).await;
            Some((first, second))
        }
        harness::Backend::Postgres => {
            let url = DatabaseUrl::parse(&harness::fresh_postgres_url().await?).unwrap();
            let first = harness::spawn_on(url.clone()).await;
            let second = harness::spawn_on(url).await;
            Some((first, second))
        }
    }
}

macro_rules! on_two_nodes {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let (a, b) = super::two_nodes(crate::harness::Backend::Sqlite).await.unwrap();
                    super::$name(&a, &b).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some((a, b)) = super::two_nodes(crate::harness::Backend::Postgres).await {
                        super::$name(&a, &b).await;
                    }
                }
            )*
        }
    };
}

on_two_nodes!(deadline_job_runs_once, reference_changes_reach_every_node);

async fn call(
    s: &TestServer,
    path: &str,
    token: &str,
    key: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = match &body {
        None => s.client.get(s.url(path)),
        Some(b) => s.client.post(s.url(path)).json(b),
    };
    req = req.bearer_auth(token);
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
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
            "applicant_name": "李耒阳", "applicant_id": LEIYANG_ID, "mobile": "13812345678",
            "hukou_region": "430481", "contribution_grade": "300"
        },
        "materials": [ { "material": "M-ID-CARD", "paper": true } ]
    })
}

/// A clerk at a village station of 衡南县 and an approver of 耒阳市人社局 (created through node
/// `a`; their sessions are in the database, so they work on either node).
async fn clerk_and_approver(a: &TestServer) -> (String, String) {
    let center = a.village_center("430422").await;
    let clerk = a
        .account("n.clerk", "clerk", |x| x.center_code = Some(center))
        .await;
    let approver = a
        .account("n.appr", "approver", |x| {
            x.department_code = Some("430481-hrss".into())
        })
        .await;
    (clerk, approver)
}

fn kinds(c: &Value) -> Vec<String> {
    c["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

async fn deadline_job_runs_once(a: &TestServer, b: &TestServer) {
    let (clerk, _) = clerk_and_approver(a).await;
    let (status, case) = call(
        a,
        "/api/v1/cases",
        &clerk,
        None,
        Some(pension_application()),
    )
    .await;
    assert_eq!(status, 201, "{case}");
    let number = case["number"].as_str().unwrap().to_string();
    let (status, c) = call(
        b,
        &format!("/api/v1/cases/{number}/actions"),
        &clerk,
        None,
        Some(json!({
            "sub_case": 1, "version": 1, "action": "accept_with_tolerance",
            "tolerated": ["M-HUKOU-BOOK"]
        })),
    )
    .await;
    assert_eq!(status, 200, "{c}");
    let due: NaiveDate = c["sub_cases"][0]["pledge_due"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();

    // While another node holds the lease, this one skips the round entirely.
    let now = chrono::Utc::now().timestamp_millis();
    assert!(
        a.app
            .store
            .try_lease(DEADLINE_JOB, "other-node", now, now + 60_000)
            .await
            .unwrap()
    );
    assert_eq!(b.app.run_deadline_jobs_once(due).await.unwrap(), None);
    assert_eq!(a.app.run_deadline_jobs_once(due).await.unwrap(), None);
    a.app
        .store
        .release_lease(DEADLINE_JOB, "other-node")
        .await
        .unwrap();

    // Both nodes' jobs at the same moment: one reminder, one event.
    let (ra, rb) = tokio::join!(
        a.app.run_deadline_jobs_once(due),
        b.app.run_deadline_jobs_once(due)
    );
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    let reminded: u32 = [&ra, &rb]
        .iter()
        .filter_map(|r| r.as_ref())
        .map(|r| r.reminded)
        .sum();
    assert_eq!(reminded, 1, "{ra:?} {rb:?}");
    // And again, from both: the pledge was already reminded, nothing more.
    let (ra, rb) = tokio::join!(
        b.app.run_deadline_jobs_once(due),
        a.app.run_deadline_jobs_once(due)
    );
    for r in [ra.unwrap(), rb.unwrap()].into_iter().flatten() {
        assert_eq!(r, Default::default());
    }
    let (_, c) = call(a, &format!("/api/v1/cases/{number}"), &clerk, None, None).await;
    let reminders = kinds(&c)
        .iter()
        .filter(|k| *k == "sub_case.pledge_reminder")
        .count();
    assert_eq!(reminders, 1, "{:?}", kinds(&c));
    // The lease was given back: the next round runs.
    assert!(b.app.run_deadline_jobs_once(due).await.unwrap().is_some());
    assert_eq!(b.app.verify_audit().await.unwrap().broken, None);
}

async fn reference_changes_reach_every_node(a: &TestServer, b: &TestServer) {
    let deadline = |s: &TestServer| s.app.deadline("2026-03-06", "1").unwrap().deadline;
    let monday = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
    let saturday = NaiveDate::from_ymd_opt(2026, 3, 7).unwrap();
    assert_eq!((deadline(a), deadline(b)), (monday, monday));
    let mut watch = GenerationWatch::starting_at(b.app.reference_generation().await.unwrap());
    assert!(!watch.poll(&b.app).await.unwrap(), "nothing changed yet");

    // A make-up working Saturday set on node a: a sees it at once, b after its next poll.
    a.app
        .set_calendar_day("2026-03-07", true, "调休上班")
        .await
        .unwrap();
    assert_eq!(deadline(a), saturday);
    assert_eq!(deadline(b), monday, "b has not polled yet");
    assert!(watch.poll(&b.app).await.unwrap());
    assert_eq!(deadline(b), saturday);
    assert!(!watch.poll(&b.app).await.unwrap(), "one reload per change");

    // Cleared on b: a follows.
    let mut watch_a = GenerationWatch::starting_at(a.app.reference_generation().await.unwrap());
    assert!(b.app.clear_calendar_day("2026-03-07").await.unwrap());
    assert_eq!(deadline(b), monday);
    assert_eq!(deadline(a), saturday);
    assert!(watch_a.poll(&a.app).await.unwrap());
    assert_eq!(deadline(a), monday);
    assert_eq!(
        a.app.store.generation(REFERENCE).await.unwrap(),
        watch_a.seen()
    );
}

/// Two servers on one PostgreSQL database, the same case acted on from both at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_two_servers_one_case() {
    let Some((a, b)) = two_nodes(harness::Backend::Postgres).await else {
        return;
    };
    let (clerk, approver) = clerk_and_approver(&a).await;
    let nodes = [&a, &b];

    // One Idempotency-Key sent to both nodes at once, several times: one case.
    let mut sends = Vec::new();
    for i in 0..8 {
        let s = nodes[i % 2];
        let clerk = clerk.clone();
        sends.push(async move {
            call(
                s,
                "/api/v1/cases",
                &clerk,
                Some("two-nodes-1"),
                Some(pension_application()),
            )
            .await
        });
    }
    let results = futures_join_all(sends).await;
    let numbers: Vec<&str> = results
        .iter()
        .map(|(st, c)| {
            assert!(*st == 201 || *st == 200, "{st} {c}");
            c["number"].as_str().unwrap()
        })
        .collect();
    assert!(numbers.iter().all(|n| *n == numbers[0]), "{numbers:?}");
    assert_eq!(results.iter().filter(|(st, _)| *st == 201).count(), 1);
    let number = numbers[0].to_string();

    // Each version is won by exactly one of 16 racing actions, 8 on each node.
    for version in 1..=3 {
        let (token, mut body) = match version {
            1 => (&clerk, json!({"sub_case": 1, "action": "accept"})),
            2 => (
                &approver,
                json!({"sub_case": 1, "action": "review", "opinion": "符合条件"}),
            ),
            _ => {
                let (_, c) = call(&a, &format!("/api/v1/cases/{number}"), &clerk, None, None).await;
                let accepted_on = c["sub_cases"][0]["accepted_on"].clone();
                (
                    &approver,
                    json!({"sub_case": 1, "action": "conclude", "result": {
                        "number": "LY-NODES-1", "content": "已参保",
                        "issuer": "耒阳市人力资源和社会保障局",
                        "issued_on": accepted_on, "approved": true }}),
                )
            }
        };
        body["version"] = json!(version);
        let mut racers = Vec::new();
        for i in 0..16 {
            let s = nodes[i % 2];
            let (token, body, number) = (token.to_string(), body.clone(), number.clone());
            racers.push(async move {
                call(
                    s,
                    &format!("/api/v1/cases/{number}/actions"),
                    &token,
                    None,
                    Some(body),
                )
                .await
            });
        }
        let results = futures_join_all(racers).await;
        let won = results.iter().filter(|(st, _)| *st == 200).count();
        let lost = results.iter().filter(|(st, _)| *st == 409).count();
        assert_eq!((won, lost), (1, 15), "version {version}: {results:?}");
    }
    let (_, c) = call(&b, &format!("/api/v1/cases/{number}"), &clerk, None, None).await;
    assert_eq!(c["status"], "closed", "{c}");
    let k = kinds(&c);
    for kind in ["sub_case.accept", "sub_case.review", "sub_case.conclude"] {
        let n = k.iter().filter(|x| x.as_str() == kind).count();
        assert_eq!(n, 1, "{kind} appears {n} times: {k:?}");
    }
    let report = a.app.verify_audit().await.unwrap();
    assert_eq!(report.broken, None);
}

/// Runs the futures concurrently on this task (no extra crate: a JoinSet of spawned tasks would
/// need 'static borrows of the servers).
async fn futures_join_all<F: std::future::Future>(fs: Vec<F>) -> Vec<F::Output> {
    let mut pinned: Vec<_> = fs.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, slot) in pinned.iter_mut().zip(out.iter_mut()) {
            if slot.is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *slot = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().map(|o| o.unwrap()).collect()
}
