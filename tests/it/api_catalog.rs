//! The read-only catalog API over the demonstration catalog.

use serde_json::Value;

use crate::harness::TestServer;

crate::on_both_backends!(
    search_by_chinese_pinyin_and_initials,
    search_pages_and_filters,
    item_detail_has_every_standard_element,
    bundle_detail_has_merged_form_materials_and_limit,
    unknown_catalog_entries_are_problems,
    openapi_documents_every_route,
);

fn names(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect()
}

async fn search_by_chinese_pinyin_and_initials(s: &TestServer) {
    for q in [
        "养老保险",
        "ylbx",
        "yanglaobaoxian",
        "yang%20lao%20bao%20xian",
    ] {
        let (status, _, body) = s.get(&format!("/api/v1/items?q={q}")).await;
        assert_eq!(status, 200, "{q}: {body}");
        let found = names(&body);
        assert!(
            found.iter().any(|n| n == "城乡居民基本养老保险参保登记"),
            "{q} did not find 城乡居民基本养老保险参保登记: {found:?}"
        );
    }
    // An alias: 老年证 is what people call 老年人优待证.
    for q in ["老年证", "laonianzheng", "lnz"] {
        let (_, _, body) = s.get(&format!("/api/v1/items?q={q}")).await;
        let found = names(&body);
        assert!(
            found.iter().any(|n| n.contains("老年人优待")),
            "{q}: {found:?}"
        );
    }
    // Nonsense finds nothing, and says so with total 0 rather than an error.
    let (status, _, body) = s.get("/api/v1/items?q=zzzzqqq").await;
    assert_eq!(status, 200);
    assert_eq!(body["total"], 0);
    // Bundles search the same way.
    let (_, _, body) = s.get("/api/v1/bundles?q=xsrcs").await;
    assert!(
        names(&body).iter().any(|n| n == "新生儿出生一件事"),
        "{body}"
    );
}

async fn search_pages_and_filters(s: &TestServer) {
    let (_, _, all) = s.get("/api/v1/items?limit=100").await;
    let total = all["total"].as_u64().unwrap();
    assert!(
        total >= 40,
        "the demo catalog has at least 40 items, got {total}"
    );
    let (_, _, p1) = s.get("/api/v1/items?limit=10").await;
    let (_, _, p2) = s.get("/api/v1/items?limit=10&offset=10").await;
    assert_eq!(p1["items"].as_array().unwrap().len(), 10);
    assert_ne!(p1["items"][0]["code"], p2["items"][0]["code"]);
    assert_eq!(p2["offset"], 10);

    let (_, _, hrss) = s.get("/api/v1/items?department=hrss&limit=100").await;
    let items = hrss["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|i| i["department_type"] == "hrss"));

    let (_, _, birth) = s.get("/api/v1/items?life_event=birth&limit=100").await;
    assert!(birth["items"].as_array().unwrap().iter().all(|i| {
        i["life_events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e == "birth")
    }));

    let depts: std::collections::BTreeSet<_> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["department_type"].as_str().unwrap().to_string())
        .collect();
    assert!(
        depts.len() >= 8,
        "items across at least 8 departments: {depts:?}"
    );
}

async fn item_detail_has_every_standard_element(s: &TestServer) {
    // The name people use (an alias) finds the item under its official name, first.
    let (_, _, found) = s.get("/api/v1/items?q=城乡居民养老保险参保登记").await;
    let code = found["items"][0]["code"].as_str().unwrap().to_string();
    assert_eq!(code, "430400-RS-0001");
    let (status, _, body) = s.get(&format!("/api/v1/items/{code}")).await;
    assert_eq!(status, 200, "{body}");
    let item = &body["item"];
    assert_eq!(item["name"], "城乡居民基本养老保险参保登记");
    assert_eq!(item["jurisdiction"], "hukou");
    for key in [
        "kind",
        "department_type",
        "legal_limit_days",
        "committed_limit_days",
        "standard",
        "materials",
        "fields",
        "steps",
        "modes",
        "scope",
    ] {
        assert!(!item[key].is_null(), "{key} missing: {item}");
    }
    assert_eq!(body["version"], 1);
    assert_eq!(body["versions"].as_array().unwrap().len(), 1);
    assert!(
        item["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["key"] == "hukou_region")
    );
}

async fn bundle_detail_has_merged_form_materials_and_limit(s: &TestServer) {
    let (_, _, found) = s.get("/api/v1/bundles?q=新生儿出生一件事").await;
    let code = found["items"][0]["code"].as_str().unwrap().to_string();
    let (status, _, body) = s.get(&format!("/api/v1/bundles/{code}")).await;
    assert_eq!(status, 200, "{body}");
    let plan = &body["plan"];
    // Each material once, each field once.
    let materials = plan["materials"].as_array().unwrap();
    let mut codes: Vec<_> = materials
        .iter()
        .map(|m| m["material"]["code"].as_str().unwrap())
        .collect();
    let n = codes.len();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), n, "materials are merged by code");
    let fields = plan["form"].as_array().unwrap();
    let mut keys: Vec<_> = fields.iter().map(|f| f["key"].as_str().unwrap()).collect();
    let n = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), n, "a shared field is asked once");
    // The committed limit is the longest path: at least the largest single item, at most the sum.
    let limits: Vec<u64> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["committed_limit_days"].as_u64().unwrap())
        .collect();
    let committed = plan["committed_limit_days"].as_u64().unwrap();
    assert!(committed >= *limits.iter().max().unwrap());
    assert!(committed <= limits.iter().sum::<u64>());
    assert!(
        plan["stages"].as_array().unwrap().len() >= 2,
        "birth registration waits for the birth certificate"
    );
}

async fn unknown_catalog_entries_are_problems(s: &TestServer) {
    let (status, ctype, body) = s.get("/api/v1/items/NO-SUCH-ITEM").await;
    assert_eq!(status, 404);
    assert_eq!(ctype, "application/problem+json");
    assert_eq!(body["code"], "catalog.unknown_item");
    let (status, _, body) = s.get("/api/v1/bundles/NO-SUCH").await;
    assert_eq!(status, 404);
    assert_eq!(body["code"], "catalog.unknown_bundle");
    let (status, _, body) = s.get("/api/v1/items?limit=abc").await;
    assert_eq!(status, 400);
    assert_eq!(body["field"], "limit");
}

async fn openapi_documents_every_route(s: &TestServer) {
    let (status, _, doc) = s.get("/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/items",
        "/api/v1/items/{code}",
        "/api/v1/bundles",
        "/api/v1/bundles/{code}",
        "/api/v1/regions/{code}",
        "/api/v1/centers",
        "/api/v1/calendar/deadline",
        "/healthz",
        "/readyz",
    ] {
        assert!(paths.contains_key(p), "{p} is not documented");
    }
}
