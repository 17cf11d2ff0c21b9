//! `PUT /values`: all or nothing, the errors and warnings of the submission checks, and the audit trail.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{assert_figures, spawn_app};

#[tokio::test]
async fn a_batch_with_one_bad_value_stores_nothing() {
    let app = spawn_app().await.with_small_world().await;
    let answer = app
        .put_values(
            &app.admin,
            "town-a",
            "2023Q1",
            &[("gdp", 100.0), ("rd_expenditure", -1.0), ("patent_applications", 12.0)],
        )
        .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.fields(), ["values[1].value"]);
    let stored = app.get_as_admin("/api/v1/values?region=town-a&period=2023Q1").await;
    assert_eq!(stored.body, json!([]));
    assert_figures(&app.series("town-a", "gdp", "2023Q1", "2023Q1", "ytd").await, &[None]);
    let audit = app.get_as_admin("/api/v1/audit?region=town-a&indicator=gdp").await;
    assert_eq!(audit.body, json!([]), "nothing written, nothing audited");
}

#[tokio::test]
async fn every_validation_error_has_its_status_and_names_its_field() {
    let app = spawn_app().await.with_small_world().await;
    let one = |indicator: &str, value: serde_json::Value| json!([{"indicator": indicator, "value": value}]);
    let cases = [
        (
            "unknown region",
            json!({"region": "nowhere", "period": "2023Q1", "values": one("gdp", json!(1))}),
            422,
            "region",
        ),
        (
            "a year for a quarterly indicator",
            json!({"region": "town-a", "period": "2023", "values": one("gdp", json!(1))}),
            422,
            "values[0].indicator",
        ),
        (
            "unknown indicator",
            json!({"region": "town-a", "period": "2023Q1", "values": one("nothing", json!(1))}),
            422,
            "values[0].indicator",
        ),
        (
            "a derived indicator",
            json!({"region": "town-a", "period": "2023Q1", "values": one("rd_share", json!(1.8))}),
            422,
            "values[0].indicator",
        ),
        (
            "a malformed period",
            json!({"region": "town-a", "period": "2023-Q1", "values": one("gdp", json!(1))}),
            422,
            "period",
        ),
        (
            "a fifth quarter",
            json!({"region": "town-a", "period": "2023Q5", "values": one("gdp", json!(1))}),
            422,
            "period",
        ),
        (
            "a future quarter",
            json!({"region": "town-a", "period": "2099Q1", "values": one("gdp", json!(1))}),
            422,
            "period",
        ),
        (
            "a negative value",
            json!({"region": "town-a", "period": "2023Q1", "values": one("gdp", json!(-5))}),
            422,
            "values[0].value",
        ),
        (
            "a value that is not a number",
            json!({"region": "town-a", "period": "2023Q1", "values": one("gdp", json!("12"))}),
            422,
            "values[0].value",
        ),
        (
            "a null value",
            json!({"region": "town-a", "period": "2023Q1", "values": one("gdp", json!(null))}),
            422,
            "values[0].value",
        ),
        ("no values", json!({"region": "town-a", "period": "2023Q1", "values": []}), 422, "values"),
        ("a missing field", json!({"region": "town-a", "values": one("gdp", json!(1))}), 422, "period"),
        (
            "an unknown field",
            json!({"region": "town-a", "period": "2023Q1", "values": one("gdp", json!(1)), "x": 1}),
            422,
            "x",
        ),
    ];
    for (name, body, status, field) in cases {
        let answer = app.send_json(Method::PUT, "/api/v1/values", &app.admin, &body).await;
        assert_eq!(answer.status.as_u16(), status, "{name}: {}", answer.body);
        assert_eq!(answer.code(), "invalid", "{name}");
        assert!(answer.fields().iter().any(|f| f == field), "{name}: expected field {field}, got {}", answer.body);
    }
    let stored = app.get_as_admin("/api/v1/values?region=town-a&period=2023Q1").await;
    assert_eq!(stored.body, json!([]));
}

#[tokio::test]
async fn malformed_oversized_and_non_json_bodies_get_4xx_json_errors() {
    let app = spawn_app().await.with_small_world().await;
    let url = format!("{}/api/v1/values", app.base);
    let malformed = app
        .client
        .put(&url)
        .bearer_auth(&app.admin)
        .header("content-type", "application/json")
        .body("{\"region\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    assert_eq!(malformed.json::<serde_json::Value>().await.unwrap()["error"]["code"], "malformed");

    let trailing = app
        .client
        .put(&url)
        .bearer_auth(&app.admin)
        .header("content-type", "application/json")
        .body(r#"{"region": "town-a", "period": "2023Q1", "values": [{"indicator": "gdp", "value": 1}]} trailing"#)
        .send()
        .await
        .unwrap();
    assert_eq!(trailing.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.get_as_admin("/api/v1/values?region=town-a&period=2023Q1").await.body, json!([]));

    let not_json = app.client.put(&url).bearer_auth(&app.admin).body("region=town-a").send().await.unwrap();
    assert_eq!(not_json.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let huge = format!("{{\"region\": \"{}\"}}", "a".repeat(3 * 1024 * 1024));
    let too_large = app
        .client
        .put(&url)
        .bearer_auth(&app.admin)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(too_large.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(too_large.json::<serde_json::Value>().await.unwrap()["error"]["code"], "too_large");
}

#[tokio::test]
async fn stored_values_come_back_as_submitted_with_who_and_when() {
    let app = spawn_app().await.with_small_world().await;
    let body = json!({"region": "town-a", "period": "2023Q2", "values": [
        {"indicator": "gdp", "value": 123.45, "comment": "含新入统企业"},
        {"indicator": "patent_applications", "value": 17}]});
    let answer = app.send_json(Method::PUT, "/api/v1/values", &app.admin, &body).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["stored"], 2);
    let stored = app.get_as_admin("/api/v1/values?region=town-a&period=2023Q2").await.body;
    let rows = stored.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["indicator"], "gdp");
    assert_eq!(rows[0]["value"], 123.45);
    assert_eq!(rows[0]["comment"], "含新入统企业");
    assert_eq!(rows[0]["submitted_by"], "admin");
    assert!(rows[0]["submitted_at"].as_str().unwrap().starts_with("20"));
    assert_eq!(rows[1]["value"], 17.0);
    let one = app.get_as_admin("/api/v1/values?region=town-a&period=2023Q2&indicator=patent_applications").await;
    assert_eq!(one.body.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_shrinking_ytd_figure_is_stored_with_a_warning() {
    let app = spawn_app().await.with_small_world().await;
    app.put_values_as_admin("town-a", "2023Q1", &[("gdp", 100.0)]).await;
    let answer = app.put_values_as_admin("town-a", "2023Q2", &[("gdp", 90.0)]).await;
    let warnings = answer.body["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{}", answer.body);
    assert_eq!(warnings[0]["code"], "ytd_decrease");
    assert_eq!(warnings[0]["indicator"], "gdp");
    assert_figures(&app.series("town-a", "gdp", "2023Q2", "2023Q2", "ytd").await, &[Some(90.0)]);
}

#[tokio::test]
async fn a_figure_far_from_last_years_is_stored_with_a_warning_either_way() {
    let app = spawn_app().await.with_small_world().await;
    app.put_values_as_admin("town-a", "2022Q1", &[("gdp", 100.0), ("patent_applications", 40.0)]).await;
    let answer = app.put_values_as_admin("town-a", "2023Q1", &[("gdp", 250.0), ("patent_applications", 19.0)]).await;
    let codes: Vec<(&str, &str)> = answer.body["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["indicator"].as_str().unwrap(), w["code"].as_str().unwrap()))
        .collect();
    assert_eq!(codes, [("gdp", "yoy_jump"), ("patent_applications", "yoy_jump")]);
    let calm = app.put_values_as_admin("town-b", "2023Q1", &[("gdp", 250.0)]).await;
    assert_eq!(calm.body["warnings"], json!([]), "no last year, no comparison");
}

#[tokio::test]
async fn grants_above_applications_in_one_batch_are_stored_with_a_warning() {
    let app = spawn_app().await.with_small_world().await;
    let answer =
        app.put_values_as_admin("town-a", "2023Q1", &[("patent_applications", 10.0), ("patent_grants", 12.0)]).await;
    let warnings = answer.body["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{}", answer.body);
    assert_eq!(warnings[0]["code"], "grants_above_applications");
    assert_eq!(warnings[0]["indicator"], "patent_grants");
    assert_eq!(answer.body["stored"], 2);
}

#[tokio::test]
async fn a_correction_is_audited_with_old_and_new_value_who_and_why() {
    let app = spawn_app().await.with_small_world().await;
    app.put_values_as_admin("town-a", "2023Q1", &[("gdp", 100.0)]).await;
    let body = json!({"region": "town-a", "period": "2023Q1", "reason": "统计局核定数",
                      "values": [{"indicator": "gdp", "value": 104.5}]});
    assert_eq!(app.send_json(Method::PUT, "/api/v1/values", &app.admin, &body).await.status, StatusCode::OK);
    let audit = app.get_as_admin("/api/v1/audit?region=town-a&indicator=gdp&period=2023Q1").await.body;
    let entries = audit.as_array().unwrap();
    assert_eq!(entries.len(), 2, "{audit}");
    let latest = &entries[0];
    assert_eq!(latest["action"], "update");
    assert_eq!(latest["entity"], "value");
    assert_eq!(latest["key"], "town-a/gdp/2023Q1");
    assert_eq!(latest["user"], "admin");
    assert_eq!(latest["old"], json!({"value": 100.0, "comment": null}));
    assert_eq!(latest["new"], json!({"value": 104.5, "comment": null}));
    assert_eq!(latest["reason"], "统计局核定数");
    assert!(entries[1]["old"].is_null());
    assert_eq!(entries[1]["action"], "create");
    // resubmitting the same figure changes nothing and records nothing
    app.put_values_as_admin("town-a", "2023Q1", &[("gdp", 104.5)]).await;
    let again = app.get_as_admin("/api/v1/audit?region=town-a&indicator=gdp").await.body;
    assert_eq!(again.as_array().unwrap().len(), 2);
    // a change of the comment alone is a change too
    let body = json!({"region": "town-a", "period": "2023Q1", "values": [{"indicator": "gdp", "value": 104.5, "comment": "核实"}]});
    assert_eq!(app.send_json(Method::PUT, "/api/v1/values", &app.admin, &body).await.status, StatusCode::OK);
    let commented = app.get_as_admin("/api/v1/audit?region=town-a&indicator=gdp").await.body;
    assert_eq!(commented.as_array().unwrap().len(), 3);
    assert_eq!(commented[0]["new"]["comment"], "核实");
    let limited = app.get_as_admin("/api/v1/audit?limit=1").await.body;
    assert_eq!(limited.as_array().unwrap().len(), 1);
    assert_eq!(app.get_as_admin("/api/v1/audit?limit=0").await.status, StatusCode::UNPROCESSABLE_ENTITY);
}
