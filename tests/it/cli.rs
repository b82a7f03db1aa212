//! The `tongban` binary as operators script it: exit codes, stdout, stderr.

use std::process::{Command, Output};

fn tongban(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tongban"))
        .args(args)
        .env("TONGBAN_LANG", "en")
        .env_remove("TONGBAN_DATABASE_URL")
        .env_remove("TONGBAN_DATA_DIR")
        .current_dir(std::env::temp_dir())
        .output()
        .expect("run tongban")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn calendar_deadline_prints_the_due_date() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let o = tongban(&["calendar", "deadline", "2025-09-30", "1", "--data-dir", d]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "2025-10-09");
    // A read-only command creates no database as a side effect.
    assert!(!dir.path().join("tongban.db").exists());
}

#[test]
fn calendar_workdays_counts_after_the_first_day() {
    let o = tongban(&["calendar", "workdays", "2025-09-30", "2025-10-11"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "3");
}

#[test]
fn calendar_warns_on_an_unpublished_year_and_still_answers() {
    let o = tongban(&["calendar", "deadline", "2026-12-30", "5"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "2027-01-06");
    assert!(stderr(&o).contains("2027"), "{}", stderr(&o));
}

#[test]
fn calendar_rejects_impossible_input() {
    let o = tongban(&["calendar", "deadline", "2021-02-29", "5"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("2021-02-29 is not a date"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).is_empty());
    let o = tongban(&["calendar", "deadline", "2025-01-02", "-5"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = tongban(&["calendar", "deadline", "2025-01-02", "99999"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("calendar.days_out_of_range"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn check_tells_valid_from_invalid() {
    let o = tongban(&["check", "11010519491231002X"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("valid"), "{}", stdout(&o));

    let o = tongban(&["check", "110105194912310021"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).to_lowercase().contains("check"),
        "{}",
        stdout(&o)
    );

    let o = tongban(&["check", "--json", "91350100M000100Y43"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["kind"], "credit_code");
    assert_eq!(v["valid"], true);

    let o = tongban(&["check", "--json", "13812345678"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (v["kind"].as_str(), v["valid"].as_bool()),
        (Some("mobile"), Some(true))
    );
    // Logs and screens see the masked form only.
    assert_eq!(v["input_masked"], "138****5678");
}

#[test]
fn catalog_validate_accepts_the_demo_catalog() {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/catalog");
    let o = tongban(&["catalog", "validate", demo]);
    assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
}

#[test]
fn catalog_validate_reports_every_problem_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/catalog");
    std::fs::copy(demo.join("catalog.toml"), root.join("catalog.toml")).unwrap();
    std::fs::create_dir_all(root.join("items")).unwrap();
    std::fs::create_dir_all(root.join("bundles")).unwrap();
    // A syntax error in one file and an unknown item in a bundle: both reported in one run.
    std::fs::write(root.join("items/broken.toml"), "code = \"X-1\"\nname = \n").unwrap();
    std::fs::write(
        root.join("bundles/b.toml"),
        "code = \"YJS-T\"\nname = \"测试\"\nlife_event = \"birth\"\naudience = \"person\"\n\
         description = \"x\"\n\n[[items]]\nitem = \"NO-SUCH-ITEM\"\n",
    )
    .unwrap();
    let o = tongban(&["catalog", "validate", root.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(err.contains("items/broken.toml:2"), "{err}");
    assert!(err.contains("bundles/b.toml:"), "{err}");
    assert!(err.contains("NO-SUCH-ITEM"), "{err}");
}

#[test]
fn catalog_import_is_idempotent_and_export_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/catalog");
    let first = tongban(&["catalog", "import", demo, "--data-dir", data]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).contains("added"), "{}", stdout(&first));
    let again = tongban(&["catalog", "import", demo, "--data-dir", data]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stdout(&again).contains("0 added, 0 changed"),
        "{}",
        stdout(&again)
    );

    let out = dir.path().join("export");
    let exported = tongban(&[
        "catalog",
        "export",
        out.to_str().unwrap(),
        "--data-dir",
        data,
    ]);
    assert!(exported.status.success(), "{}", stderr(&exported));
    let valid = tongban(&["catalog", "validate", out.to_str().unwrap()]);
    assert!(valid.status.success(), "{}", stderr(&valid));
    let reimport = tongban(&[
        "catalog",
        "import",
        out.to_str().unwrap(),
        "--data-dir",
        data,
    ]);
    assert!(
        stdout(&reimport).contains("0 added, 0 changed"),
        "{}",
        stdout(&reimport)
    );

    // A changed item gets a new version; the others keep theirs.
    let item = out.join("items/hrss/430400-RS-0001.toml");
    let text = std::fs::read_to_string(&item).unwrap();
    let changed = text.replace("legal_limit_days = 5", "legal_limit_days = 10");
    assert_ne!(text, changed, "the fixture line to change is there");
    std::fs::write(&item, changed).unwrap();
    let o = tongban(&[
        "catalog",
        "import",
        out.to_str().unwrap(),
        "--data-dir",
        data,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("0 added, 1 changed"), "{}", stdout(&o));
    assert!(stdout(&o).contains("430400-RS-0001"), "{}", stdout(&o));
}

#[test]
fn catalog_import_of_a_bad_folder_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let bad = dir.path().join("bad");
    std::fs::create_dir_all(bad.join("items")).unwrap();
    std::fs::write(bad.join("catalog.toml"), "name = \"x\"\n").unwrap();
    let o = tongban(&[
        "catalog",
        "import",
        bad.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("catalog.toml"), "{}", stderr(&o));
    // Validation failed before the database was even opened.
    assert!(!data.join("tongban.db").exists());
}

#[test]
fn migrate_then_bad_database_url() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}/m.db", dir.path().display());
    let o = tongban(&["migrate", "--database-url", &url]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.path().join("m.db").exists());
    let o = tongban(&["migrate", "--database-url", "mysql://nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("database_url"), "{}", stderr(&o));
}

#[test]
fn audit_verify_reports_an_intact_chain() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let o = tongban(&["audit", "verify", "--data-dir", data.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("audit chain intact: 0 cases"),
        "{}",
        stdout(&o)
    );
}

#[tokio::test]
async fn migrate_from_several_nodes_at_once_on_postgres() {
    let Some(url) = crate::harness::fresh_postgres_url().await else {
        return;
    };
    // Four nodes start at the same moment against one empty database.
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || tongban(&["migrate", "--database-url", &url]))
        })
        .collect();
    for r in runs {
        let o = r.join().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let again = tongban(&["migrate", "--database-url", &url]);
    assert!(again.status.success(), "{}", stderr(&again));
}

#[test]
fn demo_generate_writes_a_history_the_audit_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let o = tongban(&[
        "demo",
        "generate",
        "--cases",
        "60",
        "--days",
        "30",
        "--data-dir",
        d,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("generated 60 cases (0 of them copies) and "),
        "{out}"
    );
    let actions: u64 = out
        .split("copies) and ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(actions > 60, "cases move on: {out}");
    assert!(out.contains("still open"), "{out}");
    let o = tongban(&["audit", "verify", "--data-dir", d]);
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("audit chain intact: 60 cases"),
        "{}",
        stdout(&o)
    );
}

/// Past `--templates`, cases are copies: each with its own number, applicant and chain, which the
/// audit verifies like any other, and the day's counter moves past them for live cases.
#[test]
fn demo_generate_copies_past_the_templates_and_the_chain_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let o = tongban(&[
        "demo",
        "generate",
        "--cases",
        "2500",
        "--templates",
        "30",
        "--days",
        "20",
        "--bulk",
        "--data-dir",
        d,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("generated 2500 cases (2470 of them copies)"),
        "{out}"
    );
    let o = tongban(&["audit", "verify", "--data-dir", d]);
    assert!(
        stdout(&o).contains("audit chain intact: 2500 cases"),
        "{}{}",
        stdout(&o),
        stderr(&o)
    );
    // A second run reuses the templates' days: its numbers must not collide with the first's.
    let o = tongban(&[
        "demo",
        "generate",
        "--cases",
        "1100",
        "--templates",
        "20",
        "--days",
        "20",
        "--data-dir",
        d,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = tongban(&["audit", "verify", "--data-dir", d]);
    assert!(
        stdout(&o).contains("audit chain intact: 3600 cases"),
        "{}{}",
        stdout(&o),
        stderr(&o)
    );
    assert_counters_match_a_scan(&["--data-dir", d]);
}

/// The dashboard's counters, kept by every write (the templates through the services, the copies
/// in bulk), equal a scan of the cases in every region down to the counties and in a town and a
/// village; and a recount from scratch gives the same.
fn assert_counters_match_a_scan(db: &[&str]) {
    let verify = |what: &str| {
        let mut args = vec![
            "stats",
            "verify",
            "--region",
            "430481101",
            "--region",
            "430481101001",
        ];
        args.extend_from_slice(db);
        let o = tongban(&args);
        let out = stdout(&o);
        assert!(o.status.success(), "{what}: {out}{}", stderr(&o));
        let n: usize = out
            .split("match the cases in ")
            .nth(1)
            .and_then(|r| r.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{what}: {out}"));
        assert!(
            n >= 8,
            "{what}: the province, the city, counties, a town, a village: {out}"
        );
    };
    verify("as written");
    let mut args = vec!["stats", "rebuild"];
    args.extend_from_slice(db);
    let o = tongban(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("dashboard counters rebuilt from "),
        "{}",
        stdout(&o)
    );
    verify("recounted");
}

/// The same copies on PostgreSQL: the multi-row statements and the 承诺办-row join run there too.
#[tokio::test]
async fn demo_generate_copies_on_postgres() {
    let Some(url) = crate::harness::fresh_postgres_url().await else {
        return;
    };
    let o = tongban(&[
        "demo",
        "generate",
        "--cases",
        "700",
        "--templates",
        "20",
        "--days",
        "20",
        "--database-url",
        &url,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("generated 700 cases (680 of them copies)"),
        "{}",
        stdout(&o)
    );
    let o = tongban(&["audit", "verify", "--database-url", &url]);
    assert!(
        stdout(&o).contains("audit chain intact: 700 cases"),
        "{}{}",
        stdout(&o),
        stderr(&o)
    );
    assert_counters_match_a_scan(&["--database-url", &url]);
}

#[test]
fn demo_generate_bulk_checkpoints_and_the_chain_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let o = tongban(&[
        "demo",
        "generate",
        "--cases",
        "12",
        "--bulk",
        "--data-dir",
        d,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("generated 12 cases"), "{}", stdout(&o));
    // Everything is in the database file, nothing left in the log (closing the last connection
    // would checkpoint too: this cannot tell the final fsync apart, only that the file is whole).
    let wal = dir.path().join("tongban.db-wal");
    let wal_len = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert_eq!(wal_len, 0, "the WAL still holds {wal_len} bytes");
    let o = tongban(&["audit", "verify", "--data-dir", d]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
}
