//! Who may do what: tokens, roles and regions.

use reqwest::{Method, StatusCode};
use serde_json::json;
use zhibiao::domain::access::Role;

use crate::helpers::spawn_app;

#[tokio::test]
async fn a_statistician_writes_their_own_town_only() {
    let app = spawn_app().await.with_small_world().await;
    let jia = app.add_user("jia", Role::Statistician, &["town-a"]);
    let own = app.put_values(&jia, "town-a", "2023Q1", &[("gdp", 10.0)]).await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    let other = app.put_values(&jia, "town-b", "2023Q1", &[("gdp", 10.0)]).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    assert_eq!(other.code(), "forbidden");
    let benchmark = app.put_values(&jia, "kunshan", "2023", &[("gdp", 10.0)]).await;
    assert_eq!(benchmark.status, StatusCode::FORBIDDEN);
    let stored = app.get_as_admin("/api/v1/values?region=town-b&period=2023Q1").await;
    assert_eq!(stored.body, json!([]));
    // statisticians read everything
    assert_eq!(app.get("/api/v1/values?region=town-b&period=2023Q1", Some(&jia)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_statistician_of_a_parent_writes_its_reporting_children() {
    let app = spawn_app().await.with_small_world().await;
    let zone = json!({"id": "zone", "name": "开发区", "kind": "zone", "parent": "district"});
    assert_eq!(app.post_region(zone).await.status, StatusCode::CREATED);
    let part = json!({"id": "zone-north", "name": "北片区", "kind": "zone", "parent": "zone"});
    assert_eq!(app.post_region(part).await.status, StatusCode::CREATED);
    let stat = app.add_user("zone", Role::Statistician, &["zone"]);
    assert_eq!(app.put_values(&stat, "zone-north", "2023Q1", &[("gdp", 1.0)]).await.status, StatusCode::OK);
    assert_eq!(app.put_values(&stat, "town-a", "2023Q1", &[("gdp", 1.0)]).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_viewer_reads_but_never_writes() {
    let app = spawn_app().await.with_small_world().await;
    let viewer = app.add_user("leader", Role::Viewer, &[]);
    assert_eq!(app.get("/api/v1/regions", Some(&viewer)).await.status, StatusCode::OK);
    let write = app.put_values(&viewer, "town-a", "2023Q1", &[("gdp", 10.0)]).await;
    assert_eq!(write.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get_as_admin("/api/v1/values?region=town-a&period=2023Q1").await.body, json!([]));
    let region = json!({"id": "town-d", "name": "丁镇", "kind": "town", "parent": "district"});
    let create = app.send_json(Method::POST, "/api/v1/regions", &viewer, &region).await;
    assert_eq!(create.status, StatusCode::FORBIDDEN);
    let indicator = json!({"code": "x", "name": "X", "unit": "件", "mode": "ytd"});
    assert_eq!(
        app.send_json(Method::POST, "/api/v1/indicators", &viewer, &indicator).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.get_as_admin("/api/v1/regions/town-d").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_statistician_cannot_change_regions_or_indicators() {
    let app = spawn_app().await.with_small_world().await;
    let jia = app.add_user("jia", Role::Statistician, &["town-a"]);
    let rename = json!({"name": "新甲镇", "kind": "town", "parent": "district"});
    assert_eq!(app.send_json(Method::PUT, "/api/v1/regions/town-a", &jia, &rename).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get_as_admin("/api/v1/regions/town-a").await.body["name"], "甲镇");
}

#[tokio::test]
async fn no_token_or_a_bad_token_is_401_with_a_json_error() {
    let app = spawn_app().await.with_small_world().await;
    for path in ["/api/v1/regions", "/api/v1/values?region=town-a&period=2023Q1", "/api/v1/audit"] {
        let none = app.get(path, None).await;
        assert_eq!(none.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(none.code(), "unauthorized");
        let bad = app.get(path, Some("zb_not-a-token")).await;
        assert_eq!(bad.status, StatusCode::UNAUTHORIZED, "{path}");
    }
    let write = app.put_values("zb_forged", "town-a", "2023Q1", &[("gdp", 1.0)]).await;
    assert_eq!(write.status, StatusCode::UNAUTHORIZED);
    let basic = app
        .client
        .get(format!("{}/api/v1/regions", app.base))
        .header("authorization", "Basic YWRtaW46YWRtaW4=")
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn tokens_are_stored_only_as_hashes() {
    let app = spawn_app().await;
    let conn = app.pool.get().unwrap();
    let stored: Vec<String> = conn
        .prepare("SELECT hash FROM tokens")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], app.admin);
    assert_eq!(stored[0], zhibiao::engine::users::hash_token(&app.admin));
    // 256 random bits, hex-encoded after the prefix
    assert_eq!(app.admin.len(), 3 + 64);
}
