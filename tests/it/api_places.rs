//! Regions and service centers.

use crate::harness::TestServer;

crate::on_both_backends!(
    region_with_children,
    village_region_has_its_lineage,
    centers_in_a_county,
    bad_region_codes_are_problems,
    unknown_paths_are_problems,
    probes_answer,
);

async fn region_with_children(s: &TestServer) {
    let (status, _, body) = s.get("/api/v1/regions/430400").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["region"]["name"], "衡阳市");
    let children = body["children"].as_array().unwrap();
    assert_eq!(children.len(), 14);
    assert!(children.iter().any(|c| c["name"] == "耒阳市"));
    assert_eq!(body["ancestors"][0]["name"], "湖南省");
}

async fn village_region_has_its_lineage(s: &TestServer) {
    let (status, _, body) = s.get("/api/v1/regions/430405007006").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["region"]["level"], "village");
    let names: Vec<_> = body["ancestors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["湖南省", "衡阳市", "珠晖区", "衡州路街道"]);
}

async fn centers_in_a_county(s: &TestServer) {
    let (status, _, body) = s.get("/api/v1/centers?region=430481&limit=100").await;
    assert_eq!(status, 200, "{body}");
    let total = body["total"].as_u64().unwrap();
    // The county hall, its towns and its villages: well over a hundred points in 耒阳市.
    assert!(total > 100, "{total}");
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 100);
    assert_eq!(items[0]["code"], "C430481");
    assert_eq!(items[0]["level"], "county");
    assert!(
        items
            .iter()
            .all(|c| c["region"].as_str().unwrap().starts_with("430481"))
    );
    // Paging walks the rest.
    let (_, _, page2) = s
        .get("/api/v1/centers?region=430481&limit=100&offset=100")
        .await;
    assert_ne!(page2["items"][0]["code"], items[0]["code"]);
}

async fn bad_region_codes_are_problems(s: &TestServer) {
    let (status, ctype, body) = s.get("/api/v1/regions/43x400").await;
    assert_eq!(status, 400);
    assert_eq!(ctype, "application/problem+json");
    assert_eq!(body["code"], "region.code_not_digits");
    assert_eq!(body["field"], "code");

    let (status, _, body) = s.get("/api/v1/regions/430499").await;
    assert_eq!(status, 404);
    assert_eq!(body["code"], "region.unknown");
    assert!(body["detail"].as_str().unwrap().contains("430499"));

    let (status, _, body) = s.get("/api/v1/centers").await;
    assert_eq!(status, 400);
    assert_eq!(
        (body["code"].as_str(), body["field"].as_str()),
        (Some("query.missing"), Some("region"))
    );

    let (status, _, body) = s
        .get_lang("/api/v1/centers?region=430400&limit=1000", Some("en"))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["field"], "limit");
    assert!(
        body["detail"].as_str().unwrap().contains("limit must be"),
        "{body}"
    );
}

async fn unknown_paths_are_problems(s: &TestServer) {
    let (status, ctype, body) = s.get("/api/v1/nothing-here").await;
    assert_eq!(status, 404);
    assert_eq!(ctype, "application/problem+json");
    assert_eq!(body["code"], "route.not_found");

    // A parameter given twice cannot be read: still a problem, naming the query.
    let (status, ctype, body) = s.get("/api/v1/centers?region=430400&region=430481").await;
    assert_eq!(status, 400);
    assert_eq!(ctype, "application/problem+json");
    assert_eq!(
        (body["code"].as_str(), body["field"].as_str()),
        (Some("query.malformed"), Some("query"))
    );

    // The wrong method on a known path.
    let resp = s
        .client
        .delete(s.url("/api/v1/items"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 405);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
}

async fn probes_answer(s: &TestServer) {
    let (status, _, _) = s.get("/healthz").await;
    assert_eq!(status, 200);
    let (status, _, _) = s.get("/readyz").await;
    assert_eq!(status, 200);
}
