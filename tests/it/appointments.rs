//! 预约办 end to end over HTTP: booking on a make-up working day (open) and a holiday (closed
//! unless marked as an extended-service day), the double booking and the over-capacity booking
//! refused with nothing changed, moving and cancelling, and the queue from check-in to the display.
//!
//! The server runs on the system clock, so dates are chosen relative to today: a test schedule for
//! the coming year is loaded (as an administrator loads a newly published one) with a make-up
//! Saturday and a holiday Monday.

use chrono::{Datelike, Duration, NaiveDate, Timelike, Utc, Weekday};
use serde_json::{Value, json};

use crate::harness::TestServer;

crate::on_both_backends!(bookings_follow_the_calendar, queue_from_check_in_to_display);

const HALL: &str = "C430481";
/// 城乡居民基本养老保险参保登记 (hrss: the social-security window at a hall).
const ITEM: &str = "430400-RS-0001";

async fn call(
    s: &TestServer,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = match method {
        "GET" => s.client.get(s.url(path)),
        "PUT" => s.client.put(s.url(path)),
        _ => s.client.post(s.url(path)),
    };
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn china_now() -> chrono::NaiveDateTime {
    (Utc::now() + Duration::hours(8)).naive_utc()
}

/// A make-up Saturday at least a week ahead and the holiday Monday after it, in one year, loaded
/// as that year's schedule.
async fn test_schedule(s: &TestServer) -> (NaiveDate, NaiveDate) {
    let mut sat = china_now().date() + Duration::days(7);
    while sat.weekday() != Weekday::Sat {
        sat += Duration::days(1);
    }
    if (sat + Duration::days(3)).year() != sat.year() {
        sat += Duration::days(7);
    }
    let holiday = sat + Duration::days(2);
    let json = json!({
        "year": sat.year(),
        "papers": [],
        "days": [
            {"name": "测试节", "date": holiday.to_string(), "isOffDay": true},
            {"name": "测试节", "date": sat.to_string(), "isOffDay": false}
        ]
    });
    s.app.load_calendar_year(&json.to_string()).await.unwrap();
    (sat, holiday)
}

async fn booked(s: &TestServer, center: &str, date: NaiveDate, time: &str, window: &str) -> i64 {
    let (st, body) = call(
        s,
        "GET",
        &format!("/api/v1/centers/{center}/slots?date={date}"),
        None,
        None,
    )
    .await;
    assert_eq!(st, 200, "{body}");
    body["slots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["time"] == time && x["window_type"] == window)
        .unwrap_or_else(|| panic!("no {window} slot at {time} on {date}: {body}"))["booked"]
        .as_i64()
        .unwrap()
}

async fn mine(s: &TestServer, token: &str) -> Value {
    let (st, body) = call(s, "GET", "/api/v1/appointments", Some(token), None).await;
    assert_eq!(st, 200, "{body}");
    body
}

fn problem(st: u16, body: &Value, status: u16, code: &str, field: &str) {
    assert_eq!(st, status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    let expected = if field.is_empty() {
        Value::Null
    } else {
        json!(field)
    };
    assert_eq!(body["field"], expected, "{body}");
}

async fn bookings_follow_the_calendar(s: &TestServer) {
    let (makeup, holiday) = test_schedule(s).await;
    let citizen = s
        .account("b.cit", "applicant", |a| {
            a.id_number = Some("430481199003150014".into())
        })
        .await;
    let other = s
        .account("b.cit2", "applicant", |a| {
            a.id_number = Some("11010519491231002X".into())
        })
        .await;
    let hall_clerk = s
        .account("b.hall", "clerk", |a| a.center_code = Some(HALL.into()))
        .await;
    let book = |center: &str, date: NaiveDate, time: &str| json!({"center": center, "item": ITEM, "date": date.to_string(), "time": time});

    // The make-up Saturday is a working day: open at working-day hours, at the hrss window (B).
    let (st, body) = call(
        s,
        "GET",
        &format!("/api/v1/centers/{HALL}/slots?date={makeup}"),
        None,
        None,
    )
    .await;
    assert_eq!(
        (st, body["state"].as_str(), body["open"].as_bool()),
        (200, Some("makeup_workday"), Some(true)),
        "{body}"
    );
    let (st, first) = call(
        s,
        "POST",
        "/api/v1/appointments",
        Some(&citizen),
        Some(book(HALL, makeup, "09:00")),
    )
    .await;
    assert_eq!(st, 201, "{first}");
    assert_eq!(first["window_type"], "social_security");
    assert_eq!(first["status"], "booked");
    let id = first["id"].as_i64().unwrap();
    assert_eq!(booked(s, HALL, makeup, "09:00", "social_security").await, 1);

    // The holiday is closed: refused, nothing written.
    let (st, body) = call(
        s,
        "POST",
        "/api/v1/appointments",
        Some(&citizen),
        Some(book(HALL, holiday, "09:00")),
    )
    .await;
    problem(st, &body, 400, "appointment.day_closed", "date");
    assert!(
        body["detail"].as_str().unwrap().contains("节假日"),
        "Chinese by default: {body}"
    );
    let (st, body) = call(
        s,
        "GET",
        &format!("/api/v1/centers/{HALL}/slots?date={holiday}"),
        None,
        None,
    )
    .await;
    assert_eq!(
        (
            st,
            body["open"].as_bool(),
            body["slots"].as_array().map(Vec::len)
        ),
        (200, Some(false), Some(0))
    );
    assert_eq!(
        mine(s, &citizen).await["items"].as_array().unwrap().len(),
        1
    );

    // The same person twice in the same slot: refused, the count unchanged.
    let (st, body) = call(
        s,
        "POST",
        "/api/v1/appointments",
        Some(&citizen),
        Some(book(HALL, makeup, "09:00")),
    )
    .await;
    problem(st, &body, 409, "appointment.double_booked", "time");
    assert_eq!(booked(s, HALL, makeup, "09:00", "social_security").await, 1);
    assert_eq!(
        mine(s, &citizen).await["items"].as_array().unwrap().len(),
        1
    );

    // Over capacity: a village station has one place per slot.
    let village = s.village_center("430422").await;
    let weekday = holiday + Duration::days(1);
    let (st, body) = call(
        s,
        "POST",
        "/api/v1/appointments",
        Some(&citizen),
        Some(book(&village, weekday, "09:00")),
    )
    .await;
    assert_eq!(st, 201, "{body}");
    let (st, body) = call(
        s,
        "POST",
        "/api/v1/appointments",
        Some(&other),
        Some(book(&village, weekday, "09:00")),
    )
    .await;
    problem(st, &body, 409, "appointment.slot_full", "time");
    assert_eq!(booked(s, &village, weekday, "09:00", "general").await, 1);
    assert!(
        mine(s, &other).await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Lunch break and unknown times are not slots; clerks do not book.
    let (st, body) = call(
        s,
        "POST",
        "/api/v1/appointments",
        Some(&other),
        Some(book(HALL, weekday, "12:30")),
    )
    .await;
    problem(st, &body, 400, "appointment.no_such_slot", "time");
    let (st, body) = call(
        s,
        "POST",
        "/api/v1/appointments",
        Some(&hall_clerk),
        Some(book(HALL, weekday, "09:00")),
    )
    .await;
    assert_eq!(
        (st, body["code"].as_str()),
        (403, Some("appointment.applicant_only"))
    );

    // A clerk of the hall opens the holiday as an extended-service day; now it takes bookings.
    let (st, body) = call(
        s,
        "POST",
        &format!("/api/v1/centers/{HALL}/extended-days"),
        Some(&other),
        Some(json!({"date": holiday.to_string(), "name": "延时服务"})),
    )
    .await;
    assert_eq!(st, 403, "{body}");
    let (st, body) = call(
        s,
        "POST",
        &format!("/api/v1/centers/{HALL}/extended-days"),
        Some(&hall_clerk),
        Some(json!({"date": holiday.to_string(), "name": "节日延时服务"})),
    )
    .await;
    assert_eq!(st, 200, "{body}");
    let (st, body) = call(
        s,
        "POST",
        "/api/v1/appointments",
        Some(&other),
        Some(book(HALL, holiday, "09:00")),
    )
    .await;
    assert_eq!(st, 201, "{body}");

    // Move the first booking to 10:00: the 09:00 place is freed, the 10:00 one taken.
    let (st, body) = call(
        s,
        "POST",
        &format!("/api/v1/appointments/{id}/move"),
        Some(&citizen),
        Some(json!({"date": makeup.to_string(), "time": "10:00"})),
    )
    .await;
    assert_eq!((st, body["time"].as_str()), (200, Some("10:00")), "{body}");
    assert_eq!(booked(s, HALL, makeup, "09:00", "social_security").await, 0);
    assert_eq!(booked(s, HALL, makeup, "10:00", "social_security").await, 1);
    // Moving onto a closed day changes nothing.
    let (st, body) = call(
        s,
        "POST",
        &format!("/api/v1/appointments/{id}/move"),
        Some(&citizen),
        Some(json!({"date": (holiday + Duration::days(7)).to_string(), "time": "08:00"})),
    )
    .await;
    assert_eq!(st, 400, "{body}");
    assert_eq!(booked(s, HALL, makeup, "10:00", "social_security").await, 1);
    // Someone else's appointment is not found.
    let (st, _) = call(
        s,
        "POST",
        &format!("/api/v1/appointments/{id}/cancel"),
        Some(&other),
        None,
    )
    .await;
    assert_eq!(st, 404);
    let (st, body) = call(
        s,
        "POST",
        &format!("/api/v1/appointments/{id}/cancel"),
        Some(&citizen),
        None,
    )
    .await;
    assert_eq!(
        (st, body["status"].as_str()),
        (200, Some("cancelled")),
        "{body}"
    );
    assert_eq!(booked(s, HALL, makeup, "10:00", "social_security").await, 0);
    let (st, body) = call(
        s,
        "POST",
        &format!("/api/v1/appointments/{id}/cancel"),
        Some(&citizen),
        None,
    )
    .await;
    problem(st, &body, 409, "appointment.not_open", "");

    // At most three open bookings per person (the hall's default).
    let mine_now = mine(s, &citizen).await;
    assert_eq!(mine_now["open"], 1, "{mine_now}");
    for time in ["14:30", "15:00"] {
        let (st, body) = call(
            s,
            "POST",
            "/api/v1/appointments",
            Some(&citizen),
            Some(book(HALL, makeup, time)),
        )
        .await;
        assert_eq!(st, 201, "{body}");
    }
    let (st, body) = call(
        s,
        "POST",
        "/api/v1/appointments",
        Some(&citizen),
        Some(book(HALL, makeup, "15:30")),
    )
    .await;
    problem(st, &body, 409, "appointment.too_many_open", "time");

    // Every route is in the OpenAPI document.
    let (_, _, doc) = s.get("/api/v1/openapi.json").await;
    for path in [
        "/api/v1/appointments",
        "/api/v1/appointments/{id}/move",
        "/api/v1/appointments/{id}/check-in",
        "/api/v1/centers/{code}/slots",
        "/api/v1/centers/{code}/queue/display",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
}

async fn queue_from_check_in_to_display(s: &TestServer) {
    let admin = s.account("q.admin", "system_admin", |_| {}).await;
    let clerk = s
        .account("q.clerk", "clerk", |a| a.center_code = Some(HALL.into()))
        .await;
    let stranger = s
        .account("q.clerk2", "clerk", |a| {
            a.center_code = Some("C430422".into())
        })
        .await;
    let first = s
        .account("q.cit", "applicant", |a| {
            a.id_number = Some("430481199003150014".into())
        })
        .await;
    let second = s
        .account("q.cit2", "applicant", |a| {
            a.id_number = Some("11010519491231002X".into())
        })
        .await;

    // Round-the-clock hourly slots (so the test runs at any hour), today and tomorrow opened.
    let all_day = json!([{"start": "00:00", "end": "24:00"}]);
    let template = json!({
        "slot_minutes": 60, "workday": all_day, "saturday": all_day, "sunday": all_day,
        "window_types": [
            {"key": "general", "name": "综合窗口", "prefix": "A", "capacity": 5},
            {"key": "social_security", "name": "社保医保窗口", "prefix": "B", "capacity": 5, "department_types": ["hrss"]}
        ],
        "max_open_bookings": 3, "horizon_days": 30
    });
    let (st, body) = call(
        s,
        "PUT",
        &format!("/api/v1/centers/{HALL}/slot-template"),
        Some(&first),
        Some(template.clone()),
    )
    .await;
    assert_eq!(st, 403, "{body}");
    let mut bad = template.clone();
    bad["window_types"][1]["prefix"] = json!("A");
    let (st, body) = call(
        s,
        "PUT",
        &format!("/api/v1/centers/{HALL}/slot-template"),
        Some(&admin),
        Some(bad),
    )
    .await;
    problem(
        st,
        &body,
        400,
        "appointment.invalid_template",
        "template.window_types[1].prefix",
    );
    let (st, body) = call(
        s,
        "PUT",
        &format!("/api/v1/centers/{HALL}/slot-template"),
        Some(&admin),
        Some(template),
    )
    .await;
    assert_eq!((st, body["stored"].as_bool()), (200, Some(true)), "{body}");

    let at = china_now() + Duration::minutes(2);
    let (date, time) = (at.date(), format!("{:02}:00", at.hour()));
    for d in [date, date + Duration::days(1)] {
        let (st, body) = call(
            s,
            "POST",
            &format!("/api/v1/centers/{HALL}/extended-days"),
            Some(&clerk),
            Some(json!({"date": d.to_string(), "name": "测试延时"})),
        )
        .await;
        assert_eq!(st, 200, "{body}");
    }
    let mut ids = Vec::new();
    for who in [&first, &second] {
        let (st, body) = call(
            s,
            "POST",
            "/api/v1/appointments",
            Some(who),
            Some(json!({"center": HALL, "item": ITEM, "date": date.to_string(), "time": time})),
        )
        .await;
        assert_eq!(st, 201, "{body}");
        ids.push(body["id"].as_i64().unwrap());
    }

    // Check-in issues tickets of the social-security window: B001, B002.
    let (st, t1) = call(
        s,
        "POST",
        &format!("/api/v1/appointments/{}/check-in", ids[0]),
        Some(&first),
        None,
    )
    .await;
    assert_eq!(
        (st, t1["number"].as_str(), t1["status"].as_str()),
        (201, Some("B001"), Some("waiting")),
        "{t1}"
    );
    let (st, t2) = call(
        s,
        "POST",
        &format!("/api/v1/appointments/{}/check-in", ids[1]),
        Some(&clerk),
        None,
    )
    .await;
    assert_eq!((st, t2["number"].as_str()), (201, Some("B002")), "{t2}");
    let (st, body) = call(
        s,
        "POST",
        &format!("/api/v1/appointments/{}/check-in", ids[0]),
        Some(&first),
        None,
    )
    .await;
    problem(st, &body, 409, "appointment.not_open", "");

    let (st, shown) = call(
        s,
        "GET",
        &format!("/api/v1/centers/{HALL}/queue/display"),
        None,
        None,
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(shown["waiting"]["social_security"], 2, "{shown}");
    assert!(shown["calling"].as_array().unwrap().is_empty());

    // Only a clerk of this center calls; the window type must exist.
    let (st, _) = call(
        s,
        "POST",
        &format!("/api/v1/centers/{HALL}/queue/call-next?window_type=social_security"),
        Some(&stranger),
        None,
    )
    .await;
    assert_eq!(st, 403);
    let (st, body) = call(
        s,
        "POST",
        &format!("/api/v1/centers/{HALL}/queue/call-next?window_type=nope"),
        Some(&clerk),
        None,
    )
    .await;
    problem(st, &body, 400, "queue.unknown_window_type", "window_type");

    let (st, body) = call(
        s,
        "POST",
        &format!("/api/v1/centers/{HALL}/queue/call-next?window_type=social_security&counter=3"),
        Some(&clerk),
        None,
    )
    .await;
    assert_eq!(
        (
            st,
            body["ticket"]["number"].as_str(),
            body["waiting"].as_i64()
        ),
        (200, Some("B001"), Some(1)),
        "{body}"
    );
    let (_, shown) = call(
        s,
        "GET",
        &format!("/api/v1/centers/{HALL}/queue/display"),
        None,
        None,
    )
    .await;
    assert_eq!(shown["calling"][0]["number"], "B001", "{shown}");
    assert_eq!(shown["calling"][0]["counter"], 3);
    let html = s
        .client
        .get(s.url(&format!("/api/v1/centers/{HALL}/queue/display?format=html")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("B001") && html.contains("http-equiv=\"refresh\""),
        "{html}"
    );

    let (st, body) = call(
        s,
        "POST",
        &format!("/api/v1/centers/{HALL}/queue/tickets/B001/recall"),
        Some(&clerk),
        None,
    )
    .await;
    assert_eq!((st, body["calls"].as_i64()), (200, Some(2)), "{body}");

    // Calling next serves B001 and calls B002; B002 does not come: skipped, a no-show.
    let (_, body) = call(
        s,
        "POST",
        &format!("/api/v1/centers/{HALL}/queue/call-next?window_type=social_security"),
        Some(&clerk),
        None,
    )
    .await;
    assert_eq!(body["ticket"]["number"], "B002", "{body}");
    assert_eq!(mine(s, &first).await["items"][0]["status"], "served");
    let (st, body) = call(
        s,
        "POST",
        &format!("/api/v1/centers/{HALL}/queue/tickets/B002/skip"),
        Some(&clerk),
        None,
    )
    .await;
    assert_eq!(
        (st, body["status"].as_str()),
        (200, Some("skipped")),
        "{body}"
    );
    let theirs = mine(s, &second).await;
    assert_eq!(
        (
            theirs["no_shows"].as_i64(),
            theirs["items"][0]["status"].as_str()
        ),
        (Some(1), Some("no_show")),
        "{theirs}"
    );
    let (st, body) = call(
        s,
        "POST",
        &format!("/api/v1/centers/{HALL}/queue/tickets/B002/skip"),
        Some(&clerk),
        None,
    )
    .await;
    problem(st, &body, 409, "queue.bad_step", "ticket");
    let (st, body) = call(
        s,
        "POST",
        &format!("/api/v1/centers/{HALL}/queue/tickets/B009/skip"),
        Some(&clerk),
        None,
    )
    .await;
    assert_eq!(
        (st, body["code"].as_str()),
        (404, Some("queue.ticket_not_found"))
    );

    // The latecomer is recalled; nobody else waits.
    let (st, body) = call(
        s,
        "POST",
        &format!("/api/v1/centers/{HALL}/queue/tickets/B002/recall"),
        Some(&clerk),
        None,
    )
    .await;
    assert_eq!(
        (st, body["status"].as_str()),
        (200, Some("called")),
        "{body}"
    );
    assert_eq!(mine(s, &second).await["no_shows"], 0);
    let (_, body) = call(
        s,
        "POST",
        &format!("/api/v1/centers/{HALL}/queue/call-next?window_type=social_security"),
        Some(&clerk),
        None,
    )
    .await;
    assert_eq!(
        (body["ticket"].is_null(), body["waiting"].as_i64()),
        (true, Some(0)),
        "{body}"
    );
}
