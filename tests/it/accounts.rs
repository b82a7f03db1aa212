//! Accounts and access: signing in (cookie and bearer), throttling, disabled users, signing out,
//! expiry, and the `tongban user` commands — on both backends.

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use serde_json::{Value, json};
use tongban_app::accounts::{NewAccount, disable_user, token_hash};
use tongban_store::{DatabaseUrl, Store};

use crate::harness::{Backend, TestServer, fresh_postgres_url};

const PASSWORD: &str = "correct horse battery";

crate::on_both_backends!(
    login_then_me_with_bearer_and_with_cookie,
    bearer_sessions_set_no_cookie,
    unknown_user_and_wrong_password_look_the_same,
    five_failures_throttle_the_user_and_the_client,
    success_clears_the_failures,
    disabled_users_cannot_sign_in,
    logout_ends_the_session,
    expired_sessions_are_refused,
    missing_auth_is_required,
    bindings_are_checked,
    applicants_are_people_or_organizations,
);

struct Answer {
    status: u16,
    ctype: String,
    set_cookie: Option<String>,
    body: Value,
}

async fn send(req: reqwest::RequestBuilder) -> Answer {
    let resp = req
        .header("accept-language", "en")
        .send()
        .await
        .expect("request");
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let ctype = header("content-type").unwrap_or_default();
    let set_cookie = header("set-cookie");
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer {
        status,
        ctype,
        set_cookie,
        body,
    }
}

async fn login(s: &TestServer, body: Value) -> Answer {
    send(s.client.post(s.url("/api/v1/session")).json(&body)).await
}

async fn me_bearer(s: &TestServer, token: &str) -> Answer {
    send(s.client.get(s.url("/api/v1/me")).bearer_auth(token)).await
}

async fn add(s: &TestServer, username: &str, role: &str) {
    s.add_account(NewAccount::new(username, role), PASSWORD)
        .await;
}

fn assert_problem(a: &Answer, status: u16, code: &str) {
    assert_eq!(a.status, status, "{}", a.body);
    assert!(
        a.ctype.starts_with("application/problem+json"),
        "{}",
        a.ctype
    );
    assert_eq!(a.body["code"], code, "{}", a.body);
}

/// No password hash, in any form, anywhere in a document.
fn assert_no_hash(v: &Value) {
    let text = v.to_string();
    assert!(!text.contains("password"), "{text}");
    assert!(!text.contains("$argon2"), "{text}");
}

async fn login_then_me_with_bearer_and_with_cookie(s: &TestServer) {
    s.add_account(
        NewAccount {
            display_name: Some("王小明".into()),
            id_number: Some("11010519491231002X".into()),
            mobile: Some("138 0013 8000".into()),
            ..NewAccount::new("Wang", "applicant")
        },
        PASSWORD,
    )
    .await;
    // User names are compared without case.
    let a = login(s, json!({"username": "WANG", "password": PASSWORD})).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_no_hash(&a.body);
    let token = a.body["token"].as_str().unwrap().to_string();
    assert_eq!(token.len(), 64);
    assert_eq!(a.body["kind"], "cookie");
    assert_eq!(a.body["user"]["username"], "wang");
    let cookie = a.set_cookie.expect("a cookie session sets the cookie");
    assert!(
        cookie.starts_with(&format!("tongban_session={token}")),
        "{cookie}"
    );
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attr), "{cookie}");
    }

    let a = me_bearer(s, &token).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_no_hash(&a.body);
    assert_eq!(a.body["username"], "wang");
    assert_eq!(a.body["display_name"], "王小明");
    assert_eq!(a.body["role"], "applicant");
    assert_eq!(a.body["applicant_kind"], "person");
    assert_eq!(a.body["id_number"], "11010519491231002X");

    let a = send(
        s.client
            .get(s.url("/api/v1/me"))
            .header("cookie", format!("lang=zh; tongban_session={token}")),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["username"], "wang");

    // The store keeps only the token's hash.
    let row = s.app.store.session_user(&token_hash(&token)).await.unwrap();
    assert!(row.is_some());
    assert!(s.app.store.session_user(&token).await.unwrap().is_none());
}

async fn bearer_sessions_set_no_cookie(s: &TestServer) {
    add(s, "robot", "catalog_admin").await;
    let a = login(
        s,
        json!({"username": "robot", "password": PASSWORD, "kind": "bearer"}),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(a.set_cookie.is_none());
    assert_eq!(a.body["kind"], "bearer");
    let expires = chrono::DateTime::parse_from_rfc3339(a.body["expires_at"].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    let days = (expires - chrono::Utc::now()).num_hours() as f64 / 24.0;
    assert!((29.9..=30.1).contains(&days), "{days}");
    let token = a.body["token"].as_str().unwrap();
    assert_eq!(me_bearer(s, token).await.body["role"], "catalog_admin");

    let a = login(
        s,
        json!({"username": "robot", "password": PASSWORD, "kind": "jwt"}),
    )
    .await;
    assert_problem(&a, 400, "session.unknown_kind");
    assert_eq!(a.body["field"], "kind");
    let a = send(
        s.client
            .post(s.url("/api/v1/session"))
            .header("content-type", "text/plain")
            .body(r#"{"username":"robot","password":"x"}"#),
    )
    .await;
    assert_problem(&a, 400, "body.not_json");
}

async fn unknown_user_and_wrong_password_look_the_same(s: &TestServer) {
    add(s, "alice", "system_admin").await;
    let wrong = login(
        s,
        json!({"username": "alice", "password": "not the password"}),
    )
    .await;
    let unknown = login(
        s,
        json!({"username": "nobody", "password": "not the password"}),
    )
    .await;
    assert_problem(&wrong, 401, "account.bad_credentials");
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(wrong.status, unknown.status);
}

async fn five_failures_throttle_the_user_and_the_client(s: &TestServer) {
    add(s, "bob", "system_admin").await;
    add(s, "carol", "system_admin").await;
    for _ in 0..5 {
        let a = login(
            s,
            json!({"username": "bob", "password": "guess guess guess"}),
        )
        .await;
        assert_problem(&a, 401, "account.bad_credentials");
    }
    // Even the right password is refused now, until the window has passed.
    let a = login(s, json!({"username": "bob", "password": PASSWORD})).await;
    assert_problem(&a, 429, "account.throttled");
    assert!(
        a.body["detail"].as_str().unwrap().contains("minutes"),
        "{}",
        a.body
    );
    // The same client is throttled for other user names too.
    let a = login(s, json!({"username": "carol", "password": PASSWORD})).await;
    assert_problem(&a, 429, "account.throttled");
    // Chinese by default.
    let a = s
        .client
        .post(s.url("/api/v1/session"))
        .json(&json!({"username": "bob", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(a.status().as_u16(), 429);
    let body: Value = a.json().await.unwrap();
    assert!(body["detail"].as_str().unwrap().contains("分钟"), "{body}");
}

async fn success_clears_the_failures(s: &TestServer) {
    add(s, "dave", "system_admin").await;
    for _ in 0..2 {
        for _ in 0..4 {
            let a = login(
                s,
                json!({"username": "dave", "password": "guess guess guess"}),
            )
            .await;
            assert_problem(&a, 401, "account.bad_credentials");
        }
        s.login("dave", PASSWORD).await;
    }
}

async fn disabled_users_cannot_sign_in(s: &TestServer) {
    add(s, "erin", "catalog_admin").await;
    let token = s.login("erin", PASSWORD).await;
    let u = disable_user(&s.app.store, "Erin").await.unwrap();
    assert!(u.disabled);
    // Disabling ends the sessions the user had.
    assert_problem(&me_bearer(s, &token).await, 401, "auth.session_expired");
    // Only the right password learns that the account is disabled.
    let a = login(s, json!({"username": "erin", "password": PASSWORD})).await;
    assert_problem(&a, 403, "account.disabled");
    let a = login(
        s,
        json!({"username": "erin", "password": "not the password"}),
    )
    .await;
    assert_problem(&a, 401, "account.bad_credentials");
    tongban_app::accounts::enable_user(&s.app.store, "erin")
        .await
        .unwrap();
    s.login("erin", PASSWORD).await;
}

async fn logout_ends_the_session(s: &TestServer) {
    add(s, "frank", "system_admin").await;
    let token = s.login("frank", PASSWORD).await;
    let other = s.login("frank", PASSWORD).await;
    let a = send(
        s.client
            .delete(s.url("/api/v1/session"))
            .bearer_auth(&token),
    )
    .await;
    assert_eq!(a.status, 204);
    let cookie = a.set_cookie.expect("the cookie is removed");
    assert!(cookie.contains("Max-Age=0"), "{cookie}");
    assert_problem(&me_bearer(s, &token).await, 401, "auth.session_expired");
    // Other sessions of the user go on.
    assert_eq!(me_bearer(s, &other).await.status, 200);
    // Signing out again, or without a session, is harmless.
    let a = send(
        s.client
            .delete(s.url("/api/v1/session"))
            .bearer_auth(&token),
    )
    .await;
    assert_eq!(a.status, 204);
    let a = send(s.client.delete(s.url("/api/v1/session"))).await;
    assert_eq!(a.status, 204);
    // Signing out with the cookie works the same.
    let a = send(
        s.client
            .delete(s.url("/api/v1/session"))
            .header("cookie", format!("tongban_session={other}")),
    )
    .await;
    assert_eq!(a.status, 204);
    assert_problem(&me_bearer(s, &other).await, 401, "auth.session_expired");
}

async fn expired_sessions_are_refused(s: &TestServer) {
    add(s, "grace", "system_admin").await;
    let token = s.login("grace", PASSWORD).await;
    assert_eq!(me_bearer(s, &token).await.status, 200);
    let past = chrono::Utc::now().timestamp_millis() - 1;
    assert!(
        s.app
            .store
            .set_session_expiry(&token_hash(&token), past)
            .await
            .unwrap()
    );
    assert_problem(&me_bearer(s, &token).await, 401, "auth.session_expired");
    // A token nobody issued reads the same.
    assert_problem(
        &me_bearer(s, &"0".repeat(64)).await,
        401,
        "auth.session_expired",
    );
}

async fn missing_auth_is_required(s: &TestServer) {
    let a = send(s.client.get(s.url("/api/v1/me"))).await;
    assert_problem(&a, 401, "auth.required");
    // A cookie by another name is no session.
    let a = send(
        s.client
            .get(s.url("/api/v1/me"))
            .header("cookie", "session=abc"),
    )
    .await;
    assert_problem(&a, 401, "auth.required");
    // The API document says how to authenticate.
    let (_, _, doc) = s.get("/api/v1/openapi.json").await;
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer", "{schemes}");
    assert_eq!(schemes["cookie"]["name"], "tongban_session", "{schemes}");
    for p in ["/api/v1/session", "/api/v1/me"] {
        assert!(doc["paths"].get(p).is_some(), "{p} is not documented");
    }
}

async fn bindings_are_checked(s: &TestServer) {
    let (_, centers) = s.app.store.centers_with_prefix("43", 1, 0).await.unwrap();
    let center = centers[0].code.clone();
    let try_add = |a: NewAccount| async move {
        s.app
            .add_user(&a, PASSWORD.to_string())
            .await
            .map_err(|e| (e.code.clone(), e.field.clone().unwrap_or_default()))
    };
    let err = |code: &str, field: &str| Err((code.to_string(), field.to_string()));

    assert_eq!(
        try_add(NewAccount::new("x1", "janitor")).await.map(|_| ()),
        err("account.unknown_role", "role")
    );
    assert_eq!(
        try_add(NewAccount::new("x2", "clerk")).await.map(|_| ()),
        err("account.binding_missing", "center_code")
    );
    assert_eq!(
        try_add(NewAccount {
            center_code: Some("no-such-center".into()),
            ..NewAccount::new("x3", "clerk")
        })
        .await
        .map(|_| ()),
        err("account.unknown_center", "center_code")
    );
    assert_eq!(
        try_add(NewAccount {
            department_code: Some("430481-nope".into()),
            ..NewAccount::new("x4", "approver")
        })
        .await
        .map(|_| ()),
        err("account.unknown_department", "department_code")
    );
    assert_eq!(
        try_add(NewAccount::new("x5", "supervisor"))
            .await
            .map(|_| ()),
        err("account.binding_missing", "region_code")
    );
    assert_eq!(
        try_add(NewAccount {
            region_code: Some("430498".into()),
            ..NewAccount::new("x6", "supervisor")
        })
        .await
        .map(|_| ()),
        err("account.unknown_region", "region_code")
    );
    assert_eq!(
        try_add(NewAccount {
            center_code: Some(center.clone()),
            ..NewAccount::new("x7", "system_admin")
        })
        .await
        .map(|_| ()),
        err("account.binding_not_allowed", "center_code")
    );
    let short = s
        .app
        .add_user(&NewAccount::new("x8", "system_admin"), "short".into())
        .await
        .unwrap_err();
    assert_eq!(short.field.as_deref(), Some("password"));
    // The demo accounts of the first start hold the name "admin".
    assert_eq!(
        try_add(NewAccount::new("Admin", "system_admin"))
            .await
            .map(|_| ()),
        err("account.username_taken", "username")
    );

    // Well bound, they sign in and say where they are bound.
    try_add(NewAccount {
        center_code: Some(center.clone()),
        ..NewAccount::new("clerk1", "clerk")
    })
    .await
    .unwrap();
    try_add(NewAccount {
        department_code: Some("430481-hrss".into()),
        ..NewAccount::new("approver1", "approver")
    })
    .await
    .unwrap();
    try_add(NewAccount {
        region_code: Some("430400".into()),
        ..NewAccount::new("supervisor1", "supervisor")
    })
    .await
    .unwrap();
    let token = s.login("clerk1", PASSWORD).await;
    let me = me_bearer(s, &token).await.body;
    assert_eq!(
        (me["role"].as_str(), me["center_code"].as_str()),
        (Some("clerk"), Some(center.as_str()))
    );
    let token = s.login("approver1", PASSWORD).await;
    assert_eq!(
        me_bearer(s, &token).await.body["department_code"],
        "430481-hrss"
    );
    let token = s.login("supervisor1", PASSWORD).await;
    assert_eq!(me_bearer(s, &token).await.body["region_code"], "430400");
}

async fn applicants_are_people_or_organizations(s: &TestServer) {
    let org = s
        .add_account(
            NewAccount {
                id_number: Some("91350100M000100Y43".into()),
                ..NewAccount::new("acme", "applicant")
            },
            PASSWORD,
        )
        .await;
    assert_eq!(org.applicant_kind.as_deref(), Some("organization"));
    // Listed masked.
    assert_ne!(org.id_number.as_deref(), Some("91350100M000100Y43"));
    let e = s
        .app
        .add_user(
            &NewAccount {
                id_number: Some("110105194912310021".into()),
                ..NewAccount::new("typo", "applicant")
            },
            PASSWORD.into(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.field.as_deref()),
        ("identity.checksum_mismatch", Some("id_number"))
    );
    let e = s
        .app
        .add_user(
            &NewAccount {
                id_number: Some("11010519491231002X".into()),
                ..NewAccount::new("clerkid", "system_admin")
            },
            PASSWORD.into(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("id_number"));
    let e = s
        .app
        .add_user(
            &NewAccount {
                mobile: Some("12345".into()),
                ..NewAccount::new("mob", "applicant")
            },
            PASSWORD.into(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("mobile"));
}

// ---- `tongban user …` ---------------------------------------------------------------------------

fn tongban(db: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tongban"))
        .args(args)
        .args(["--database-url", db])
        .env("TONGBAN_LANG", "en")
        .env_remove("TONGBAN_DATABASE_URL")
        .env_remove("TONGBAN_DATA_DIR")
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tongban");
    let mut pipe = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        pipe.write_all(text.as_bytes()).unwrap();
    }
    drop(pipe);
    child.wait_with_output().unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A set-up database (places, demo catalog) for the CLI to work on, and its URL.
async fn prepared_database(backend: Backend) -> Option<(tempfile::TempDir, String)> {
    let dir = tempfile::tempdir().unwrap();
    let url = match backend {
        Backend::Sqlite => format!("sqlite:{}", dir.path().join("t.db").display()),
        Backend::Postgres => fresh_postgres_url().await?,
    };
    let store = Store::connect(&DatabaseUrl::parse(&url).unwrap())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    tongban_app::bootstrap::first_start(&store, &tongban_app::clock::SystemClock)
        .await
        .unwrap();
    store.close().await;
    Some((dir, url))
}

async fn cli_user_commands(backend: Backend) {
    let Some((_dir, db)) = prepared_database(backend).await else {
        return;
    };
    let store = Store::connect(&DatabaseUrl::parse(&db).unwrap())
        .await
        .unwrap();
    let (_, centers) = store.centers_with_prefix("43", 1, 0).await.unwrap();
    let center = centers[0].code.clone();

    let o = tongban(
        &db,
        &[
            "user",
            "add",
            "zhang",
            "--role",
            "clerk",
            "--center",
            &center,
            "--display-name",
            "张三",
        ],
        Some("a long pass phrase\n"),
    );
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("created user zhang"), "{}", out(&o));
    assert!(!out(&o).contains("a long pass phrase"));

    let o = tongban(&db, &["user", "list", "--json"], None);
    assert!(o.status.success(), "{}", err(&o));
    let list: Value = serde_json::from_str(&out(&o)).unwrap();
    assert_no_hash(&list);
    let zhang = list
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "zhang")
        .expect("zhang is listed");
    assert_eq!(zhang["role"], "clerk");
    assert_eq!(zhang["center_code"], center.as_str());
    assert_eq!(zhang["display_name"], "张三");
    assert_eq!(zhang["disabled"], false);
    let o = tongban(&db, &["user", "list"], None);
    assert!(out(&o).contains("zhang"), "{}", out(&o));
    assert!(!out(&o).contains("argon2"));

    // The password from standard input is the password (without its line ending).
    let app = tongban_app::App::load(
        store.clone(),
        Arc::new(tongban_app::clock::SystemClock),
        _dir.path().to_path_buf(),
    )
    .await
    .unwrap();
    let session = app.login("zhang", "a long pass phrase", "").await.unwrap();
    assert_eq!(session.user.center_code.as_deref(), Some(center.as_str()));

    // Disable: no more sign-ins, and the session has ended.
    let o = tongban(&db, &["user", "disable", "zhang"], None);
    assert!(o.status.success(), "{}", err(&o));
    let e = app.authenticate(&session.token).await.unwrap_err();
    assert_eq!(e.code, "auth.session_expired");
    let e = app
        .login("zhang", "a long pass phrase", "")
        .await
        .unwrap_err();
    assert_eq!(e.code, "account.disabled");
    let o = tongban(&db, &["user", "list", "--json"], None);
    let list: Value = serde_json::from_str(&out(&o)).unwrap();
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|u| u["username"] == "zhang" && u["disabled"] == true)
    );

    // Bad input: exit 2, naming the field.
    let cases: &[(&[&str], &str)] = &[
        (
            &["user", "add", "u1", "--role", "janitor"],
            "account.unknown_role; role",
        ),
        (
            &["user", "add", "u2", "--role", "clerk"],
            "account.binding_missing; center_code",
        ),
        (
            &[
                "user", "add", "u3", "--role", "clerk", "--center", "nowhere",
            ],
            "account.unknown_center; center_code",
        ),
        (
            &["user", "add", "zhang", "--role", "system_admin"],
            "account.username_taken; username",
        ),
        (
            &["user", "disable", "nobody"],
            "account.unknown_user; username",
        ),
    ];
    for (args, expected) in cases {
        let o = tongban(&db, args, Some("a long pass phrase\n"));
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", err(&o));
        assert!(err(&o).contains(expected), "{args:?}: {}", err(&o));
    }
    let o = tongban(
        &db,
        &["user", "add", "u4", "--role", "system_admin"],
        Some("short\n"),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("account.password_too_short; password"),
        "{}",
        err(&o)
    );
    // The password is never a flag.
    let o = tongban(
        &db,
        &[
            "user",
            "add",
            "u5",
            "--role",
            "system_admin",
            "--password",
            "x",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_user_commands_sqlite() {
    cli_user_commands(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_user_commands_postgres() {
    cli_user_commands(Backend::Postgres).await;
}
