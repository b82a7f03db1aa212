//! Unit tests of accounts: they reach into the submodules' private rules (user names, applicant
//! identity, the dummy hash) that the integration tests cannot see.

use super::new_account::{applicant_identity, parse_username};
use super::passwords::DUMMY_HASH;
use super::*;
use crate::App;
use crate::clock::Clock;
use crate::error::ErrorKind;
use chrono::{Duration, NaiveDate};
use tongban_store::Store;

#[test]
fn generated_passwords_are_long_and_differ() {
    let a = generate_password();
    let b = generate_password();
    assert_eq!(a.len(), 16);
    assert_ne!(a, b);
    assert!(!a.contains(['0', 'O', '1', 'l', 'I']));
}

#[tokio::test]
async fn hashes_verify_only_the_right_password() {
    let h = hash_password("correct horse".into()).await.unwrap();
    assert!(h.starts_with("$argon2"));
    assert!(
        verify_password("correct horse".into(), h.clone())
            .await
            .unwrap()
    );
    assert!(!verify_password("wrong horse".into(), h).await.unwrap());
}

#[tokio::test]
async fn the_dummy_hash_costs_what_a_real_one_does() {
    // Same algorithm and parameters as a freshly made hash, so verifying takes as long.
    let real = hash_password("whatever password".into()).await.unwrap();
    let params = |h: &str| h.rsplitn(3, '$').nth(2).map(str::to_string);
    assert_eq!(params(DUMMY_HASH), params(&real));
    assert!(!verify_password("".into(), DUMMY_HASH.into()).await.unwrap());
}

#[test]
fn roles_round_trip() {
    for r in ROLES {
        assert_eq!(role_from_name(role_name(r)), Some(r));
    }
    let e = parse_role("admin", "role").unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.field.as_deref()),
        ("account.unknown_role", Some("role"))
    );
}

#[test]
fn tokens_are_random_hex_and_stored_hashed() {
    let (a, b) = (new_token(), new_token());
    assert_eq!(a.len(), 64);
    assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
    assert_ne!(a, b);
    assert_eq!(token_hash(&a).len(), 64);
    assert_ne!(token_hash(&a), a);
}

#[test]
fn usernames_are_normalized_and_checked() {
    assert_eq!(parse_username("  Alice.W ").unwrap(), "alice.w");
    assert!(parse_username("a").is_err());
    assert!(parse_username("has space").is_err());
    assert!(parse_username("张三").is_err());
}

#[test]
fn applicant_kind_is_inferred_from_the_number() {
    let today = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
    let (k, n) = applicant_identity(None, Some("11010519491231002x"), today).unwrap();
    assert_eq!(
        (k, n.as_deref()),
        (ApplicantKind::Person, Some("11010519491231002X"))
    );
    let (k, n) = applicant_identity(None, Some("91350100m000100y43"), today).unwrap();
    assert_eq!(
        (k, n.as_deref()),
        (ApplicantKind::Organization, Some("91350100M000100Y43"))
    );
    // A mistyped resident ID number is not taken for a credit code…
    let e = applicant_identity(None, Some("110105194912310021"), today).unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.field.as_deref()),
        ("identity.checksum_mismatch", Some("id_number"))
    );
    // …unless the applicant is said to be an organization.
    let e = applicant_identity(Some("person"), Some("91350100M000100Y43"), today).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("id_number"));
    let e = applicant_identity(Some("robot"), None, today).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("applicant_kind"));
    assert_eq!(
        applicant_identity(None, None, today).unwrap(),
        (ApplicantKind::Person, None)
    );
}

/// An app on a fresh SQLite database with a clock the test moves, and one user.
async fn app_with_clock() -> (
    tempfile::TempDir,
    App,
    std::sync::Arc<crate::clock::FixedClock>,
) {
    let dir = tempfile::tempdir().unwrap();
    let url = tongban_store::DatabaseUrl::default_in(dir.path());
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let start = DateTime::parse_from_rfc3339("2025-06-02T09:00:00+08:00")
        .unwrap()
        .with_timezone(&Utc);
    let clock = std::sync::Arc::new(crate::clock::FixedClock::new(start));
    let app = App::load(store, clock.clone(), dir.path().to_path_buf())
        .await
        .unwrap();
    app.add_user(
        &NewAccount::new("ops", "system_admin"),
        "long enough password".into(),
    )
    .await
    .unwrap();
    (dir, app, clock)
}

#[tokio::test]
async fn throttling_lifts_when_the_window_has_passed() {
    let (_dir, app, clock) = app_with_clock().await;
    let t0 = clock.now();
    for i in 0..5 {
        clock.set(t0 + Duration::minutes(i));
        let e = app
            .login("ops", "wrong password!", "10.0.0.1")
            .await
            .unwrap_err();
        assert_eq!(e.code, "account.bad_credentials");
    }
    clock.set(t0 + Duration::minutes(10));
    let e = app
        .login("ops", "long enough password", "10.0.0.2")
        .await
        .unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.kind),
        ("account.throttled", ErrorKind::TooManyRequests)
    );
    assert!(e.message.contains("5 minutes"), "{}", e.message);
    // Refused attempts do not count: 15 minutes after the first failure only four remain.
    clock.set(t0 + Duration::minutes(15) + Duration::milliseconds(1));
    app.login("ops", "long enough password", "10.0.0.2")
        .await
        .unwrap();
    // Success cleared them: four more failures are still allowed.
    for _ in 0..4 {
        app.login("ops", "wrong password!", "10.0.0.1")
            .await
            .unwrap_err();
    }
    app.login("ops", "long enough password", "10.0.0.1")
        .await
        .unwrap();
}

#[tokio::test]
async fn the_client_is_throttled_across_user_names() {
    let (_dir, app, _clock) = app_with_clock().await;
    for i in 0..5 {
        app.login(&format!("ghost{i}"), "x", "10.0.0.9")
            .await
            .unwrap_err();
    }
    let e = app
        .login("ops", "long enough password", "10.0.0.9")
        .await
        .unwrap_err();
    assert_eq!(e.code, "account.throttled");
    // Another client is not; without a client key only the user name counts.
    app.login("ops", "long enough password", "10.0.0.8")
        .await
        .unwrap();
    app.login("ops", "long enough password", "").await.unwrap();
}

#[tokio::test]
async fn cookie_sessions_end_when_idle_and_bearer_tokens_after_30_days() {
    let (_dir, app, clock) = app_with_clock().await;
    let t0 = clock.now();
    let cookie = app.login("ops", "long enough password", "").await.unwrap();
    let bearer = app
        .login_as(SessionKind::Bearer, "ops", "long enough password", "")
        .await
        .unwrap();
    assert_eq!(cookie.expires_at, t0 + COOKIE_IDLE);
    assert_eq!(bearer.expires_at, t0 + BEARER_LIFETIME);
    // Used every 11 hours, a cookie session goes on…
    for i in 1..=4 {
        clock.set(t0 + Duration::hours(11 * i));
        assert_eq!(
            app.authenticate(&cookie.token).await.unwrap().username,
            "ops"
        );
    }
    // …and ends 12 idle hours after its last use.
    clock.set(t0 + Duration::hours(44 + 12));
    let e = app.authenticate(&cookie.token).await.unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.kind),
        ("auth.session_expired", ErrorKind::Unauthorized)
    );
    // A bearer token does not slide.
    clock.set(t0 + Duration::days(30) - Duration::minutes(1));
    app.authenticate(&bearer.token).await.unwrap();
    clock.set(t0 + Duration::days(30));
    assert_eq!(
        app.authenticate(&bearer.token).await.unwrap_err().code,
        "auth.session_expired"
    );
}
