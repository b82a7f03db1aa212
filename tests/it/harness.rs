//! Boots the real server for a test.

use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tongban_app::App;
use tongban_app::clock::SystemClock;
use tongban_store::{DatabaseUrl, Store};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    pub app: Arc<App>,
    _dir: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl TestServer {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// GET returning status, content type and JSON body.
    pub async fn get(&self, path: &str) -> (u16, String, serde_json::Value) {
        self.get_lang(path, None).await
    }

    pub async fn get_lang(
        &self,
        path: &str,
        lang: Option<&str>,
    ) -> (u16, String, serde_json::Value) {
        let mut req = self.client.get(self.url(path));
        if let Some(l) = lang {
            req = req.header("accept-language", l);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let ctype = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let text = resp.text().await.expect("body");
        let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
        (status, ctype, json)
    }
}

/// A fresh PostgreSQL database on the test server, or `None` when no server is configured (then
/// PostgreSQL tests are skipped, unless TONGBAN_TEST_REQUIRE_POSTGRES says they must run).
pub async fn fresh_postgres_url() -> Option<String> {
    let Ok(admin) = std::env::var("TONGBAN_TEST_DATABASE_URL") else {
        assert!(
            std::env::var("TONGBAN_TEST_REQUIRE_POSTGRES").is_err(),
            "TONGBAN_TEST_REQUIRE_POSTGRES is set but TONGBAN_TEST_DATABASE_URL is not"
        );
        eprintln!(
            "skipping PostgreSQL test: TONGBAN_TEST_DATABASE_URL is not set (scripts/test sets it)"
        );
        return None;
    };
    let name = format!("tb_{}", uuid_like());
    let store = Store::connect(&DatabaseUrl::parse(&admin).expect("admin url"))
        .await
        .expect("connect to the test PostgreSQL server");
    store
        .execute_raw(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    store.close().await;
    // Replace the database name at the end of the admin URL.
    let base = admin
        .rsplit_once('/')
        .map(|(b, _)| b.to_string())
        .expect("url has a database");
    Some(format!("{base}/{name}"))
}

fn uuid_like() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{:x}{:x}", nanos, std::process::id())
}

/// Starts a server on the given backend; `None` when that backend is not available here.
pub async fn spawn(backend: Backend) -> Option<TestServer> {
    let dir = tempfile::tempdir().expect("tempdir");
    let data_dir = dir.path().join("data");
    let database_url = match backend {
        Backend::Sqlite => DatabaseUrl::default_in(&data_dir),
        Backend::Postgres => DatabaseUrl::parse(&fresh_postgres_url().await?).expect("pg url"),
    };
    Some(spawn_in(dir, database_url).await)
}

/// Starts another server (its own data directory) on an existing database: a second node.
pub async fn spawn_on(database_url: DatabaseUrl) -> TestServer {
    spawn_in(tempfile::tempdir().expect("tempdir"), database_url).await
}

async fn spawn_in(dir: tempfile::TempDir, database_url: DatabaseUrl) -> TestServer {
    let data_dir = dir.path().join("data");
    let store = Store::connect(&database_url).await.expect("connect");
    store.migrate().await.expect("migrate");
    let clock = Arc::new(SystemClock);
    tongban_app::bootstrap::first_start(&store, clock.as_ref())
        .await
        .expect("first start");
    let app = Arc::new(
        App::load(store, clock, data_dir.clone())
            .await
            .expect("load app"),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = oneshot::channel::<()>();
    let served = app.clone();
    tokio::spawn(async move {
        let _ = tongban_web::serve(served, listener, async {
            let _ = stopped.await;
        })
        .await;
    });
    TestServer {
        base: format!("http://{addr}"),
        client: reqwest::Client::new(),
        app,
        _dir: dir,
        stop: Some(stop),
    }
}

/// Declares each listed async test fn `name(&TestServer)` twice: `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let s = $crate::harness::spawn($crate::harness::Backend::Sqlite)
                        .await
                        .expect("sqlite is always available");
                    super::$name(&s).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(s) = $crate::harness::spawn($crate::harness::Backend::Postgres).await {
                        super::$name(&s).await;
                    }
                }
            )*
        }
    };
}

/// Accounts: create users through the app, sign in over HTTP.
impl TestServer {
    /// The counting facts an action takes from the case it read (`CaseRecord::facts`, then not
    /// read again inside the write) are the ones the tables hold.
    pub async fn assert_facts_as_stored(&self, number: &str) {
        let record = self.app.store.case_record(number).await.unwrap().unwrap();
        assert_eq!(
            Some(record.facts()),
            self.app.store.case_facts(number).await.unwrap(),
            "counting facts of {number}"
        );
    }

    /// The dashboard's counters, kept by every write this test made, equal a scan of the cases in
    /// every region down to the counties; `modes` must all have been counted somewhere.
    pub async fn assert_counters_match_a_scan(&self, modes: &[&str]) {
        let store = &self.app.store;
        let regions = store.stats_regions(6).await.unwrap();
        assert!(regions.iter().any(|r| r == "4304"), "{regions:?}");
        for r in &regions {
            let kept = store.stats_counts(r).await.unwrap();
            assert_eq!(kept, store.stats_scan(r).await.unwrap(), "region {r}");
            if r == "43" {
                for m in modes {
                    assert!(kept.by_mode.iter().any(|(k, _)| k == m), "{m}: {kept:?}");
                }
            }
        }
    }
}

impl TestServer {
    /// Creates a user through `tongban_app::accounts` (all the checks a person's input gets).
    pub async fn add_account(
        &self,
        account: tongban_app::accounts::NewAccount,
        password: &str,
    ) -> tongban_app::accounts::UserSummary {
        self.app
            .add_user(&account, password.to_string())
            .await
            .expect("add user")
    }

    /// Signs in with `POST /api/v1/session` and returns the session token (usable as a bearer
    /// token or as the `tongban_session` cookie).
    pub async fn login(&self, username: &str, password: &str) -> String {
        let resp = self
            .client
            .post(self.url("/api/v1/session"))
            .json(&serde_json::json!({ "username": username, "password": password }))
            .send()
            .await
            .expect("request");
        assert_eq!(resp.status().as_u16(), 200, "login as {username}");
        let body: serde_json::Value = resp.json().await.expect("session json");
        body["token"].as_str().expect("token").to_string()
    }
}

/// The password every test account gets.
pub const TEST_PASSWORD: &str = "correct horse battery";

/// Helpers shared by the HTTP tests: accounts, uploads, places.
impl TestServer {
    /// Creates an account (adjusted by `f`) and signs it in; returns its token.
    pub async fn account(
        &self,
        name: &str,
        role: &str,
        f: impl FnOnce(&mut tongban_app::accounts::NewAccount),
    ) -> String {
        let mut a = tongban_app::accounts::NewAccount::new(name, role);
        f(&mut a);
        self.add_account(a, TEST_PASSWORD).await;
        self.login(name, TEST_PASSWORD).await
    }

    /// Uploads a small, real PDF as `token`; returns its SHA-256.
    pub async fn upload_pdf(&self, token: &str) -> String {
        const PDF: &[u8] = b"%PDF-1.4\n% test material\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
        let resp = self
            .client
            .post(self.url("/api/v1/files"))
            .bearer_auth(token)
            .header("content-type", "application/pdf")
            .body(PDF.to_vec())
            .send()
            .await
            .expect("upload");
        assert_eq!(resp.status().as_u16(), 201, "upload");
        let v: serde_json::Value = resp.json().await.expect("upload json");
        v["sha256"].as_str().expect("sha256").to_string()
    }

    /// The code of a village service station in `county`.
    pub async fn village_center(&self, county: &str) -> String {
        let (_, _, body) = self
            .get(&format!("/api/v1/centers?region={county}&limit=100"))
            .await;
        body["items"]
            .as_array()
            .expect("centers")
            .iter()
            .find(|c| c["level"] == "village")
            .expect("a village station")["code"]
            .as_str()
            .expect("code")
            .to_string()
    }
}
