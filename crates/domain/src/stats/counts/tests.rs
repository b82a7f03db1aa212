use proptest::prelude::*;

use super::*;

fn sub(seq: i64, item: &str, handling: &str, status: &str) -> SubCaseFacts {
    SubCaseFacts {
        seq,
        item_code: item.into(),
        handling_region: handling.into(),
        status: status.into(),
        deadline: None,
        concluded_on: None,
    }
}

fn window_case(received: &str, subs: Vec<SubCaseFacts>) -> CaseFacts {
    CaseFacts {
        channel: "window".into(),
        received_region: Some(received.into()),
        by_agent: false,
        has_commitment: false,
        has_tolerance: false,
        sub_cases: subs,
    }
}

fn region(t: &Tally<'_>, r: &str) -> RegionCounts {
    RegionCounts::from_rows(
        t.iter()
            .filter(|(k, _)| k.region == r)
            .map(|(k, n)| (k.dim.as_str().to_string(), k.key.to_string(), *n)),
    )
}

#[test]
fn region_keys_follow_the_dashboards_prefixes() {
    assert_eq!(
        region_keys("430481101001"),
        ["43", "4304", "430481", "430481101", "430481101001"]
    );
    assert_eq!(region_keys("430481"), ["43", "4304", "430481"]);
    assert_eq!(region_keys("430400"), ["43", "4304"], "a city by 4 digits");
    assert_eq!(region_keys("430000"), ["43"], "a province by 2");
    assert_eq!(region_keys("junk"), ["junk"]);
    for d in Dim::ALL {
        assert_eq!(Dim::parse(d.as_str()), Some(d));
    }
}

#[test]
fn a_case_received_in_one_county_and_handled_in_another() {
    // Received at a village in 衡南县, two items handled in 耒阳市, one at the city.
    let mut c = window_case(
        "430422100001",
        vec![
            sub(1, "A", "430481", "accepted"),
            sub(2, "B", "430481", "concluded"),
            sub(3, "C", "430400", "received"),
        ],
    );
    c.sub_cases[0].deadline = Some("2026-11-20".into());
    c.sub_cases[1].deadline = Some("2026-11-20".into());
    c.sub_cases[1].concluded_on = Some("2026-11-21".into());
    let t = tally(&c);

    let city = region(&t, "4304");
    assert_eq!((city.items, city.cases, city.window_cases), (3, 1, 1));
    assert_eq!(
        (city.concluded, city.on_time),
        (1, 0),
        "concluded a day late"
    );
    assert_eq!(city.cross_region, 3, "430422 ≠ 430481, 430422 ≠ 430400");
    assert_eq!(city.overdue("2026-11-28"), 1);
    assert_eq!(city.near_due("2026-11-20", "2026-11-23"), 1);
    assert_eq!(city.by_received, [(Some("430422".to_string()), 3)]);
    assert_eq!(city.by_mode, [("window".to_string(), 3)]);

    // 耒阳市 sees its two items (handled there), keyed by where they were received.
    let leiyang = region(&t, "430481");
    assert_eq!((leiyang.items, leiyang.cases), (2, 1));
    assert_eq!(leiyang.by_received, [(Some("430422100".to_string()), 2)]);
    // 衡南县 sees all three (received there); the village too.
    assert_eq!(region(&t, "430422").items, 3);
    assert_eq!(region(&t, "430422100001").items, 3);
    // Nothing for a county the case never touched.
    assert_eq!(region(&t, "430405"), RegionCounts::default());
}

#[test]
fn modes_rank_agency_then_commitment_then_tolerance() {
    let mut c = window_case("430481", vec![sub(1, "A", "430481", "received")]);
    assert_eq!(mode(&c), "window");
    c.channel = "online".into();
    c.received_region = None;
    assert_eq!(mode(&c), "online");
    c.has_tolerance = true;
    assert_eq!(mode(&c), "tolerance");
    c.has_commitment = true;
    assert_eq!(mode(&c), "commitment");
    c.by_agent = true;
    assert_eq!(mode(&c), "agency");
    assert!(is_tolerance_event("sub_case.accept_with_tolerance"));
    assert!(!is_tolerance_event("sub_case.accept"));
    // Online: no receiving place, counted under the handling region with the "" place.
    let t = tally(&c);
    assert_eq!(region(&t, "430481").by_received, [(None, 1)]);
    assert_eq!(region(&t, "430481").cross_region, 0);
}

#[test]
fn a_change_moves_counters_and_nothing_else() {
    let before = window_case("430481101001", vec![sub(1, "A", "430481", "received")]);
    let mut accepted = sub(1, "A", "430481", "accepted");
    accepted.deadline = Some("2026-12-01".into());
    let after = before.changed([accepted], false, ["sub_case.accept_with_tolerance"]);
    let d = delta(Some(&before), &after);
    // The mode moves from window to tolerance and a deadline opens, in all five regions.
    assert_eq!(d.len(), 3 * 5, "{d:#?}");
    assert!(d.iter().all(|(k, v)| match (k.dim, k.key) {
        (Dim::Mode, "window") => *v == -1,
        (Dim::Mode, "tolerance") | (Dim::OpenDue, "2026-12-01") => *v == 1,
        _ => false,
    }));
    assert!(delta(Some(&after), &after).is_empty());
    // A sub-case the case does not have is not written by the store, so not counted either.
    let unknown = before.changed([sub(9, "Z", "430422", "concluded")], false, []);
    assert_eq!(unknown, before);
}

// ---- property tests: the counters equal a scan, and deltas add up ----

const PLACES: [&str; 6] = [
    "430481101001",
    "430481101002",
    "430481102001",
    "430422100001",
    "430481",
    "430400",
];
const HANDLING: [&str; 4] = ["430481", "430422", "430400", "430405"];
const ASKED: [&str; 9] = [
    "43",
    "4304",
    "430481",
    "430422",
    "430405",
    "430481101",
    "430481101001",
    "430422100001",
    "4305",
];
const STATUSES: [&str; 6] = [
    "received",
    "accepted",
    "concluded",
    "delivered",
    "rejected",
    "supplementing",
];

fn day() -> impl Strategy<Value = Option<String>> {
    prop::option::of((1u32..=9).prop_map(|d| format!("2026-11-0{d}")))
}

fn sub_case() -> impl Strategy<Value = SubCaseFacts> {
    (
        prop::sample::select(&["A", "B", "C"][..]),
        prop::sample::select(&HANDLING[..]),
        prop::sample::select(&STATUSES[..]),
        day(),
        day(),
    )
        .prop_map(|(item, h, st, deadline, concluded_on)| SubCaseFacts {
            seq: 0,
            item_code: item.into(),
            handling_region: h.into(),
            status: st.into(),
            deadline,
            concluded_on,
        })
}

fn case() -> impl Strategy<Value = CaseFacts> {
    (
        prop::sample::select(&["window", "online", "window"][..]),
        prop::option::of(prop::sample::select(&PLACES[..])),
        any::<[bool; 3]>(),
        prop::collection::vec(sub_case(), 0..4),
    )
        .prop_map(|(channel, received, [a, b, c], mut subs)| {
            for (i, s) in subs.iter_mut().enumerate() {
                s.seq = i as i64 + 1;
            }
            CaseFacts {
                channel: channel.into(),
                received_region: received.map(String::from),
                by_agent: a,
                has_commitment: b,
                has_tolerance: c,
                sub_cases: subs,
            }
        })
}

/// The dashboard of region `p` the way the SQL scan computed it: `LIKE p%` on either place.
fn scan(cases: &[CaseFacts], p: &str) -> RegionCounts {
    let mut r = RegionCounts::default();
    let mut received = BTreeMap::new();
    let mut modes = BTreeMap::new();
    let mut items = BTreeMap::new();
    for c in cases {
        let rec = c.received_region.as_deref();
        let mut any = false;
        for s in &c.sub_cases {
            if !(rec.is_some_and(|x| x.starts_with(p)) || s.handling_region.starts_with(p)) {
                continue;
            }
            any = true;
            r.items += 1;
            let concluded = matches!(s.status.as_str(), "concluded" | "delivered");
            r.concluded += i64::from(concluded);
            let in_time = match (&s.deadline, &s.concluded_on) {
                (None, _) => true,
                (Some(d), Some(c)) => c <= d,
                _ => false,
            };
            r.on_time += i64::from(concluded && in_time);
            r.cross_region += i64::from(rec.is_some_and(|x| x[..6] != s.handling_region[..6]));
            if let (None, Some(d)) = (&s.concluded_on, &s.deadline) {
                *r.open_due.entry(d.clone()).or_insert(0) += 1;
            }
            let place = rec.map(|x| x.get(..child_digits(p.len())).unwrap_or(x).to_string());
            *received.entry(place).or_insert(0) += 1;
            *modes.entry(mode(c).to_string()).or_insert(0) += 1;
            *items.entry(s.item_code.clone()).or_insert(0) += 1;
        }
        r.cases += i64::from(any);
        r.window_cases += i64::from(any && c.channel == "window");
    }
    r.by_received = largest_first(received);
    r.by_mode = largest_first(modes);
    r.by_item = largest_first(items);
    r
}

proptest! {
    #[test]
    fn counters_equal_the_scan(cases in prop::collection::vec(case(), 0..12)) {
        let mut all = Tally::new();
        for c in &cases {
            merge(&mut all, delta(None, c));
        }
        prop_assert!(all.values().all(|n| *n > 0), "a case only adds");
        for p in ASKED {
            let got = region(&all, p);
            let want = scan(&cases, p);
            prop_assert_eq!(&got, &want, "region {}", p);
            let overdue = want.open_due.iter().filter(|(d, _)| d.as_str() < "2026-11-05").map(|(_, n)| n).sum::<i64>();
            prop_assert_eq!(got.overdue("2026-11-05"), overdue);
        }
    }

    #[test]
    fn deltas_carry_the_counters_from_one_state_to_the_next(
        before in case(),
        changes in prop::collection::vec(sub_case(), 0..4),
        commitment in any::<bool>(),
        tolerance in any::<bool>(),
    ) {
        let changes: Vec<SubCaseFacts> = changes
            .into_iter()
            .enumerate()
            .map(|(i, mut s)| { s.seq = i as i64 + 1; s })
            .collect();
        let kinds: &[&str] = if tolerance { &["sub_case.accept_with_tolerance"] } else { &["sub_case.review"] };
        let after = before.changed(changes, commitment, kinds.iter().copied());
        let mut counters = tally(&before);
        merge(&mut counters, delta(Some(&before), &after));
        prop_assert_eq!(counters, tally(&after));
        prop_assert!(after.has_tolerance || !before.has_tolerance, "容缺 never un-happens");
    }

    /// A transaction's counters, summed write by write into owned tallies (a write's joining its
    /// transaction's at any point), are the changes its writes made: cancelled ones at zero.
    #[test]
    fn owned_sums_are_the_sum_of_the_changes(
        cases in prop::collection::vec(case(), 1..8),
        joins in prop::collection::vec(any::<bool>(), 8),
    ) {
        // Each case in turn becomes the next: changes that add, take away and cancel out.
        let changes: Vec<Tally<'_>> = cases
            .iter()
            .enumerate()
            .map(|(i, c)| delta(i.checked_sub(1).map(|p| &cases[p]), c))
            .collect();
        let mut want = Tally::new();
        let mut tx = OwnedTally::new();
        let mut write = OwnedTally::new();
        for (change, join) in changes.iter().zip(&joins) {
            merge(&mut want, change.clone());
            merge_owned(&mut write, change);
            if *join {
                merge_owned_tallies(&mut tx, std::mem::take(&mut write));
            }
        }
        merge_owned_tallies(&mut tx, write);
        prop_assert_eq!(&as_tally(&tx), &want);
        let got: Vec<_> = tx
            .iter()
            .filter(|(_, n)| **n != 0)
            .map(|((r, d, k), n)| (r.as_str(), *d, k.as_str(), *n))
            .collect();
        let want: Vec<_> = want.iter().map(|(k, n)| (k.region, k.dim, k.key, *n)).collect();
        prop_assert_eq!(got, want);
    }

    /// The common write: sub-cases step on where they are handled, the case-level facts stay
    /// (`delta` then counts only the sub-cases that changed).
    #[test]
    fn a_step_of_sub_cases_alone_moves_the_counters_like_a_recount(
        before in case(),
        steps in prop::collection::vec(
            (prop::sample::select(&STATUSES[..]), day(), day(), prop::sample::select(&["A", "B", "C"][..])),
            0..4,
        ),
    ) {
        let changes: Vec<SubCaseFacts> = before
            .sub_cases
            .iter()
            .zip(steps)
            .map(|(s, (status, deadline, concluded_on, item))| SubCaseFacts {
                seq: s.seq,
                item_code: item.into(),
                handling_region: s.handling_region.clone(),
                status: status.into(),
                deadline,
                concluded_on,
            })
            .collect();
        let after = before.changed(changes, before.has_commitment, std::iter::empty());
        let mut counters = tally(&before);
        merge(&mut counters, delta(Some(&before), &after));
        prop_assert_eq!(counters, tally(&after));
    }
}
