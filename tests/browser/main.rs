//! Browser tests: the real server, Debian's Chromium (headless) driven through chromedriver over
//! WebDriver. A failing test saves a screenshot under `test-artifacts/`.
//!
//! Without chromedriver the tests print a skip message, unless `TONGBAN_TEST_REQUIRE_BROWSER` is
//! set (scripts/test sets it, so CI fails instead of skipping). `scripts/ensure-tools` installs
//! `chromium`, `chromium-driver` and `fonts-noto-cjk`.

// A failed expectation in a test is the test failing; unwrap/expect say so most plainly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// The integration tests' server boot, shared rather than copied.
#[allow(dead_code)]
#[path = "../it/harness.rs"]
mod harness;

use std::future::Future;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use std::sync::Arc;

use fantoccini::{Client, ClientBuilder, Locator};
use tokio::process::{Child, Command};

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// chromedriver on a free loopback port, ended when dropped.
struct Driver {
    _child: Child,
    url: String,
    _profile: tempfile::TempDir,
}

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// Starts chromedriver, or returns `None` (after saying why) when it is not installed and the
/// browser is not required.
async fn start_driver() -> Option<Driver> {
    let Some(chromedriver) = find_program(&["chromedriver"]) else {
        assert!(
            std::env::var_os("TONGBAN_TEST_REQUIRE_BROWSER").is_none(),
            "TONGBAN_TEST_REQUIRE_BROWSER is set but chromedriver is not installed \
             (scripts/ensure-tools installs Debian's chromium and chromium-driver)"
        );
        eprintln!(
            "skipping browser test: chromedriver is not installed (run scripts/ensure-tools)"
        );
        return None;
    };
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let child = Command::new(chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start chromedriver");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Some(Driver {
                _child: child,
                url: format!("http://127.0.0.1:{port}"),
                _profile: tempfile::tempdir().unwrap(),
            });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not listen on port {port}");
}

impl Driver {
    /// A new headless Chromium session with a fresh profile, at 1366×768.
    async fn browser(&self) -> Client {
        let profile = self._profile.path().display().to_string();
        let mut args = vec![
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            "--window-size=1366,768".into(),
            "--lang=zh-CN".into(),
            format!("--user-data-dir={profile}"),
        ];
        args.sort();
        // A browser set up for Chinese, as most users' are (headless Chromium asks for en-US).
        let mut chrome = serde_json::json!({
            "args": args,
            "prefs": { "intl.accept_languages": "zh-CN,zh" },
        });
        if let Some(bin) = find_program(&["chromium", "chromium-browser"]) {
            chrome["binary"] = serde_json::Value::String(bin.display().to_string());
        }
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), chrome);
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("a Chromium session through chromedriver")
    }
}

/// Runs `steps`; on failure saves a screenshot as `test-artifacts/<name>.png`, then fails.
async fn run<F, Fut>(name: &str, steps: F)
where
    F: FnOnce(Client, String) -> Fut,
    Fut: Future<Output = Result<(), Failure>>,
{
    run_with(name, |b, server| steps(b, server.base.clone())).await;
}

/// Like [`run`], with the server itself (to create accounts and data through the app).
async fn run_with<F, Fut>(name: &str, steps: F)
where
    F: FnOnce(Client, Arc<harness::TestServer>) -> Fut,
    Fut: Future<Output = Result<(), Failure>>,
{
    let Some(driver) = start_driver().await else {
        return;
    };
    let server = Arc::new(
        harness::spawn(harness::Backend::Sqlite)
            .await
            .expect("sqlite is always available"),
    );
    let browser = driver.browser().await;
    let outcome = steps(browser.clone(), server.clone()).await;
    if let Err(e) = outcome {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test-artifacts");
        let shot = dir.join(format!("{name}.png"));
        let saved = match browser.screenshot().await {
            Ok(png) => std::fs::create_dir_all(&dir)
                .and_then(|_| std::fs::write(&shot, png))
                .map(|_| format!("screenshot: {}", shot.display()))
                .unwrap_or_else(|err| format!("screenshot not saved: {err}")),
            Err(err) => format!("no screenshot: {err}"),
        };
        let _ = browser.close().await;
        panic!("browser test {name} failed: {e}\n{saved}");
    }
    let _ = browser.close().await;
}

fn check(ok: bool, what: impl Into<String>) -> Result<(), Failure> {
    if ok { Ok(()) } else { Err(what.into().into()) }
}

async fn html_lang(b: &Client) -> Result<String, Failure> {
    Ok(b.find(Locator::Css("html"))
        .await?
        .attr("lang")
        .await?
        .unwrap_or_default())
}

async fn body_text(b: &Client) -> Result<String, Failure> {
    Ok(b.find(Locator::Css("body")).await?.text().await?)
}

/// Waits up to ten seconds for an element.
async fn wait_for(b: &Client, css: &str) -> Result<fantoccini::elements::Element, Failure> {
    Ok(b.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await?)
}

/// Waits until the address's query satisfies `ok`: after a click that submits a form, an element
/// the old page also has (a count, a heading) is found before the new page has loaded.
async fn wait_for_query(b: &Client, what: &str, ok: impl Fn(&str) -> bool) -> Result<(), Failure> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let url = b.current_url().await?;
        if ok(url.query().unwrap_or("")) {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            return check(false, format!("{what}: {url}"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Signs in through the sign-in page (the password is [`harness::TEST_PASSWORD`]) and waits for
/// the page it leads to.
async fn sign_in(b: &Client, base: &str, username: &str) -> Result<(), Failure> {
    b.goto(&format!("{base}/login")).await?;
    b.find(Locator::Css("#username"))
        .await?
        .send_keys(username)
        .await?;
    b.find(Locator::Css("#password"))
        .await?
        .send_keys(harness::TEST_PASSWORD)
        .await?;
    b.find(Locator::Css("form[action='/login'] button[type=submit]"))
        .await?
        .click()
        .await?;
    wait_for(b, "#logout").await?;
    Ok(())
}

/// Saves the page as `docs/screenshots/<name>.png` for the README, when `TONGBAN_SCREENSHOTS` is
/// set (`TONGBAN_SCREENSHOTS=1 cargo nextest run --test browser` refreshes them all).
async fn screenshot_for_docs(b: &Client, name: &str) -> Result<(), Failure> {
    if std::env::var_os("TONGBAN_SCREENSHOTS").is_none() {
        return Ok(());
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join(format!("{name}.png")), b.screenshot().await?)?;
    Ok(())
}

// Each role's flows, in their own files.
mod admin;
mod citizen;
mod clerk;
mod dashboard;
mod every_role;
mod work;

/// A citizen finds an item by its initials and reads its guide; the language switch sticks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_by_initials_then_read_the_guide_then_switch_language() {
    run("search_guide_language", |b, base| async move {
        b.goto(&format!("{base}/")).await?;
        check(
            html_lang(&b).await? == "zh-CN",
            "home is in Chinese by default",
        )?;

        let q = b.find(Locator::Css("input[name=q]")).await?;
        q.send_keys("ylbx").await?;
        b.find(Locator::Css("form.search button[type=submit]"))
            .await?
            .click()
            .await?;
        b.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("p[role=status]"))
            .await?;
        let url = b.current_url().await?;
        check(
            url.path() == "/search" && url.query() == Some("q=ylbx"),
            format!("on the results: {url}"),
        )?;

        b.find(Locator::LinkText("城乡居民基本养老保险参保登记"))
            .await?
            .click()
            .await?;
        b.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("h1"))
            .await?;
        let url = b.current_url().await?;
        check(
            url.path() == "/items/430400-RS-0001",
            format!("on the guide: {url}"),
        )?;
        let marker = b.find(Locator::Css(".mark.tol")).await?.text().await?;
        check(marker == "容缺", format!("容缺 marker, got {marker:?}"))?;

        // Switch to English: back on the same page, in English.
        b.find(Locator::Id("lang-en")).await?.click().await?;
        b.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Id("lang-zh"))
            .await?;
        check(
            b.current_url().await?.path() == "/items/430400-RS-0001",
            "the switch returns to the page",
        )?;
        check(html_lang(&b).await? == "en", "English after the switch")?;
        check(
            body_text(&b).await?.contains("What to bring"),
            "the guide in English",
        )?;

        // It sticks across a navigation: follow the home link.
        b.find(Locator::Css("a.brand")).await?.click().await?;
        b.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("input[name=q]"))
            .await?;
        check(
            html_lang(&b).await? == "en",
            "still English on the home page",
        )?;
        check(
            body_text(&b).await?.contains("Browse by life event"),
            "home page in English",
        )?;
        Ok(())
    })
    .await;
}

/// Sign in from the top bar, come back to the same page, see who is signed in, sign out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_returns_to_the_page_and_sign_out_ends_the_session() {
    run_with("sign_in_out", |b, server| async move {
        let base = server.base.clone();
        server
            .account("browser-citizen", "applicant", |a| {
                a.display_name = Some("张三".into());
                a.id_number = Some("430481199003150014".into());
            })
            .await;
        b.goto(&format!("{base}/items/430400-RS-0001")).await?;
        screenshot_for_docs(&b, "portal").await?;
        b.find(Locator::Id("login")).await?.click().await?;
        wait_for(&b, "#username").await?;
        b.find(Locator::Css("#username"))
            .await?
            .send_keys("browser-citizen")
            .await?;
        b.find(Locator::Css("#password"))
            .await?
            .send_keys("wrong password")
            .await?;
        b.find(Locator::Css("form[action='/login'] button[type=submit]"))
            .await?
            .click()
            .await?;
        let error = wait_for(&b, "#login-error").await?.text().await?;
        check(
            error.contains("用户名或密码错误"),
            format!("error: {error}"),
        )?;
        b.find(Locator::Css("#password"))
            .await?
            .send_keys(harness::TEST_PASSWORD)
            .await?;
        b.find(Locator::Css("form[action='/login'] button[type=submit]"))
            .await?
            .click()
            .await?;
        wait_for(&b, "#logout").await?;
        check(
            b.current_url().await?.path() == "/items/430400-RS-0001",
            "back on the guide after signing in",
        )?;
        check(
            body_text(&b).await?.contains("张三"),
            "the top bar names the user",
        )?;
        b.find(Locator::Id("logout")).await?.click().await?;
        wait_for(&b, "#login").await?;
        check(
            b.current_url().await?.path() == "/",
            "home after signing out",
        )?;
        // The session is over: a page that needs one sends us to sign in.
        b.goto(&format!("{base}/me")).await?;
        wait_for(&b, "#username").await?;
        check(
            b.current_url().await?.path() == "/login",
            "signed out for real",
        )?;
        Ok(())
    })
    .await;
}

/// The skip link is the first thing the keyboard reaches, and it leads to the content.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyboard_reaches_the_skip_link_first() {
    run("keyboard_skip_link", |b, base| async move {
        b.goto(&format!("{base}/")).await?;
        b.find(Locator::Css("body"))
            .await?
            .send_keys("\u{E004}")
            .await?; // Tab
        let focused = b.active_element().await?;
        let href = focused.attr("href").await?.unwrap_or_default();
        check(
            href == "#main",
            format!("first Tab stop is the skip link, got {href:?}"),
        )?;
        Ok(())
    })
    .await;
}
