use chrono::NaiveDate;

use super::*;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn auth(scope: Scope) -> Authorization {
    Authorization {
        principal_user_id: 1,
        agent_user_id: 2,
        kind: AgentKind::Relative,
        scope,
        valid_from: day("2026-03-01"),
        valid_to: day("2026-03-31"),
        evidence_file: Some("ab".repeat(32)),
        revoked_at: None,
    }
}

#[test]
fn valid_on_both_ends_of_the_period() {
    let a = auth(Scope::All);
    assert_eq!(covers(&a, &["X"], day("2026-03-01")), Ok(()));
    assert_eq!(covers(&a, &["X"], day("2026-03-31")), Ok(()));
}

#[test]
fn the_day_after_expiry_is_refused() {
    let a = auth(Scope::All);
    let e = covers(&a, &["X"], day("2026-04-01")).unwrap_err();
    assert_eq!(e.code(), "agency.expired");
    assert!(e.to_string().contains("2026-03-31"));
    assert!(e.message_zh().contains("2026-03-31"));
}

#[test]
fn the_day_before_start_is_refused() {
    let a = auth(Scope::All);
    let e = covers(&a, &["X"], day("2026-02-28")).unwrap_err();
    assert_eq!(e.code(), "agency.not_yet_valid");
}

#[test]
fn revoked_is_refused_even_within_the_period() {
    let mut a = auth(Scope::All);
    a.revoked_at = Some(1);
    assert_eq!(
        covers(&a, &["X"], day("2026-03-10")),
        Err(AgencyError::Revoked)
    );
}

#[test]
fn scope_names_the_item_outside() {
    let a = auth(Scope::Items(vec!["A".into(), "B".into()]));
    assert_eq!(covers(&a, &["A", "B"], day("2026-03-10")), Ok(()));
    let e = covers(&a, &["A", "C"], day("2026-03-10")).unwrap_err();
    assert_eq!(e.code(), "agency.outside_scope");
    assert_eq!(e, AgencyError::OutsideScope { item: "C".into() });
    assert!(e.message_zh().contains('C'));
}

#[test]
fn a_bundle_is_covered_only_when_all_its_items_are() {
    let a = auth(Scope::Items(vec!["A".into()]));
    assert!(covers(&a, &["A", "B"], day("2026-03-10")).is_err());
}

#[test]
fn best_cover_prefers_a_covering_authorization() {
    let old = auth(Scope::All);
    let mut new = auth(Scope::Items(vec!["A".into()]));
    new.valid_to = day("2026-05-31");
    let on = day("2026-04-15");
    assert_eq!(best_cover([&old, &new], &["A"], on), Some(Ok(())));
    assert_eq!(
        best_cover([&old, &new], &["B"], on),
        Some(Err(AgencyError::OutsideScope { item: "B".into() }))
    );
    assert_eq!(best_cover([], &["B"], on), None);
}

#[test]
fn grant_checks() {
    let today = day("2026-03-15");
    let mut a = auth(Scope::All);
    assert_eq!(validate_grant(&a, today), Ok(()));
    a.agent_user_id = 1;
    assert_eq!(
        validate_grant(&a, today),
        Err(AgencyError::SelfAuthorization)
    );
    let mut a = auth(Scope::Items(vec![]));
    assert_eq!(validate_grant(&a, today), Err(AgencyError::EmptyScope));
    a.scope = Scope::All;
    a.valid_to = day("2026-03-14");
    assert_eq!(
        validate_grant(&a, today).unwrap_err().code(),
        "agency.ends_in_past"
    );
    a.valid_from = day("2026-03-20");
    assert_eq!(
        validate_grant(&a, day("2026-03-01")).unwrap_err().code(),
        "agency.bad_period"
    );
}

#[test]
fn scope_json_shape() {
    assert_eq!(serde_json::to_string(&Scope::All).unwrap(), "\"all\"");
    let s: Scope = serde_json::from_str(r#"{"items":["A"]}"#).unwrap();
    assert_eq!(s, Scope::Items(vec!["A".into()]));
}
