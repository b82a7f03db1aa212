//! Working-day deadlines over HTTP.

use crate::harness::TestServer;

crate::on_both_backends!(
    deadline_over_a_holiday,
    deadline_into_an_unpublished_year_warns,
    bad_calendar_input_is_a_problem,
    administrator_changes_apply_without_a_release,
);

async fn deadline_over_a_holiday(s: &TestServer) {
    // Accepted the day before National Day 2025: the holiday and the weekend do not count, the
    // make-up Saturday 2025-10-11 does.
    let (status, _, body) = s
        .get("/api/v1/calendar/deadline?start=2025-09-30&days=1")
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["deadline"], "2025-10-09");
    let (_, _, body) = s
        .get("/api/v1/calendar/deadline?start=2025-09-30&days=3")
        .await;
    assert_eq!(body["deadline"], "2025-10-11");
    assert_eq!(body["warnings"].as_array().unwrap().len(), 0);
}

async fn deadline_into_an_unpublished_year_warns(s: &TestServer) {
    let (status, _, body) = s
        .get("/api/v1/calendar/deadline?start=2026-12-28&days=20")
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["unpublished_years"][0], 2027);
    assert_eq!(body["warnings"][0]["code"], "calendar.unpublished_year");
}

async fn bad_calendar_input_is_a_problem(s: &TestServer) {
    let cases = [
        (
            "/api/v1/calendar/deadline?start=2021-02-29&days=5",
            "date.impossible",
            "start",
        ),
        (
            "/api/v1/calendar/deadline?start=2021/02/28&days=5",
            "date.format",
            "start",
        ),
        (
            "/api/v1/calendar/deadline?start=2025-01-02&days=-3",
            "calendar.days_out_of_range",
            "days",
        ),
        (
            "/api/v1/calendar/deadline?start=2025-01-02&days=100000",
            "calendar.days_out_of_range",
            "days",
        ),
        (
            "/api/v1/calendar/deadline?start=2025-01-02&days=ten",
            "calendar.days_not_a_number",
            "days",
        ),
        ("/api/v1/calendar/deadline?days=5", "query.missing", "start"),
    ];
    for (path, code, field) in cases {
        let (status, ctype, body) = s.get(path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(ctype, "application/problem+json", "{path}");
        assert_eq!(body["code"], code, "{path}: {body}");
        assert_eq!(body["field"], field, "{path}: {body}");
    }
    // Chinese by default, English on request.
    let (_, _, zh) = s
        .get("/api/v1/calendar/deadline?start=2021-02-29&days=5")
        .await;
    assert!(
        zh["detail"]
            .as_str()
            .unwrap()
            .contains("不是一个真实存在的日期"),
        "{zh}"
    );
    let (_, _, en) = s
        .get_lang(
            "/api/v1/calendar/deadline?start=2021-02-29&days=5",
            Some("en-GB,en;q=0.9"),
        )
        .await;
    assert!(
        en["detail"].as_str().unwrap().contains("not a date"),
        "{en}"
    );
}

async fn administrator_changes_apply_without_a_release(s: &TestServer) {
    // A one-off closure on Monday 2025-03-03 pushes a 1-day limit from Friday to Tuesday.
    let (_, _, before) = s
        .get("/api/v1/calendar/deadline?start=2025-02-28&days=1")
        .await;
    assert_eq!(before["deadline"], "2025-03-03");
    s.app
        .set_calendar_day("2025-03-03", false, "临时闭馆（演示）")
        .await
        .unwrap();
    let (_, _, after) = s
        .get("/api/v1/calendar/deadline?start=2025-02-28&days=1")
        .await;
    assert_eq!(after["deadline"], "2025-03-04");

    // A newly published 2027 schedule replaces weekends-only guessing for 2027.
    let y2027 = r#"{"year": 2027, "papers": ["(test) 国务院办公厅关于2027年部分节假日安排的通知"],
        "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true},
                 {"name": "元旦", "date": "2027-01-04", "isOffDay": true}]}"#;
    s.app.load_calendar_year(y2027).await.unwrap();
    let (_, _, body) = s
        .get("/api/v1/calendar/deadline?start=2026-12-31&days=1")
        .await;
    assert_eq!(body["deadline"], "2027-01-05");
    assert_eq!(
        body["unpublished_years"].as_array().unwrap().len(),
        0,
        "{body}"
    );
}
