//! Regions, indicators, the OpenAPI document and the JSON error shape.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{spawn_app, spawn_demo};

#[tokio::test]
async fn regions_list_in_tree_order_and_round_trip() {
    let app = spawn_app().await.with_small_world().await;
    let list = app.get_as_admin("/api/v1/regions").await.body;
    let ids: Vec<&str> = list.as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["district", "town-a", "town-b", "town-c", "kunshan"]);
    let one = app.get_as_admin("/api/v1/regions/town-b").await.body;
    assert_eq!(
        one,
        json!({"id": "town-b", "name": "乙镇", "kind": "town", "parent": "district", "group": null, "sort": 2,
               "iso3": null})
    );
    let korea = json!({"id": "korea", "name": "韩国", "kind": "benchmark", "iso3": "kor"});
    let created = app.post_region(korea).await;
    assert_eq!((created.status, &created.body["iso3"]), (StatusCode::CREATED, &json!("KOR")), "{}", created.body);
}

#[tokio::test]
async fn bad_regions_are_refused_naming_the_field() {
    let app = spawn_app().await.with_small_world().await;
    let cases = [
        (json!({"id": "Town A", "name": "x", "kind": "town", "parent": "district"}), 422, "id"),
        (json!({"id": "town-x", "name": "", "kind": "town", "parent": "district"}), 422, "name"),
        (json!({"id": "town-x", "name": "x", "kind": "village", "parent": "district"}), 422, "kind"),
        (json!({"id": "town-x", "name": "x", "kind": "town", "parent": "nowhere"}), 422, "parent"),
        (json!({"id": "town-x", "name": "x", "kind": "town", "parent": "kunshan"}), 422, "parent"),
        (json!({"id": "bench", "name": "x", "kind": "benchmark", "parent": "district"}), 422, "parent"),
        (json!({"id": "bench", "name": "x", "kind": "benchmark", "iso3": "KOREA"}), 422, "iso3"),
        (json!({"name": "x", "kind": "town"}), 422, "id"),
        (json!({"id": "town-a", "name": "x", "kind": "town", "parent": "district"}), 409, ""),
    ];
    for (body, status, field) in cases {
        let answer = app.post_region(body.clone()).await;
        assert_eq!(answer.status.as_u16(), status, "{body}: {}", answer.body);
        if !field.is_empty() {
            assert_eq!(answer.fields(), [field], "{body}: {}", answer.body);
        }
    }
}

#[tokio::test]
async fn a_region_cannot_become_its_own_ancestor_and_its_figures_become_its_total_when_it_gains_children() {
    let app = spawn_app().await.with_small_world().await;
    let cycle = json!({"name": "全区", "kind": "district", "parent": "town-a"});
    let answer = app.send_json(Method::PUT, "/api/v1/regions/district", &app.admin, &cycle).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
    assert_eq!(answer.fields(), ["parent"]);
    app.put_values_as_admin("town-a", "2023Q1", &[("gdp", 1.0)]).await;
    let child = json!({"id": "street-1", "name": "一街道", "kind": "street", "parent": "town-a"});
    assert_eq!(app.post_region(child).await.status, StatusCode::CREATED);
    app.put_values_as_admin("street-1", "2023Q1", &[("gdp", 0.25)]).await;
    let point = &app
        .get_as_admin("/api/v1/series?region=town-a&indicator=gdp&from=2023Q1&to=2023Q1&view=ytd")
        .await
        .body["points"][0];
    assert_eq!(
        (&point["value"], &point["source"], &point["computed"], &point["unallocated"]),
        (&json!(1.0), &json!("reported"), &json!(0.25), &json!(0.75))
    );
}

#[tokio::test]
async fn deleting_a_region_is_refused_while_anything_depends_on_it_and_audited_when_done() {
    let app = spawn_app().await.with_small_world().await;
    let delete = |id: &str| {
        let url = format!("{}/api/v1/regions/{id}", app.base);
        app.client.delete(url).bearer_auth(&app.admin).send()
    };
    assert_eq!(delete("district").await.unwrap().status(), StatusCode::CONFLICT);
    app.put_values_as_admin("town-a", "2023Q1", &[("gdp", 1.0)]).await;
    assert_eq!(delete("town-a").await.unwrap().status(), StatusCode::CONFLICT);
    assert_eq!(delete("town-c").await.unwrap().status(), StatusCode::OK);
    assert_eq!(delete("town-c").await.unwrap().status(), StatusCode::NOT_FOUND);
    let audit = app.get_as_admin("/api/v1/audit?limit=1").await.body;
    assert_eq!(audit[0]["action"], "delete");
    assert_eq!(audit[0]["key"], "town-c");
    assert_eq!(audit[0]["old"]["name"], "丙镇");
    assert_eq!(audit[0]["old"]["statisticians"], json!([]));
}

#[tokio::test]
async fn a_reporting_region_with_figures_cannot_become_a_benchmark() {
    let app = spawn_app().await.with_small_world().await;
    app.put_values_as_admin("town-c", "2023Q4", &[("gdp", 50.0)]).await;
    let change = json!({"name": "丙镇", "kind": "benchmark"});
    let answer = app.send_json(Method::PUT, "/api/v1/regions/town-c", &app.admin, &change).await;
    assert_eq!(answer.status, StatusCode::CONFLICT, "{}", answer.body);
    assert_eq!(app.series("district", "gdp", "2023", "2023", "annual").await, [Some(50.0)]);
    // without figures the kind may change
    let empty = json!({"name": "乙镇", "kind": "benchmark"});
    assert_eq!(app.send_json(Method::PUT, "/api/v1/regions/town-b", &app.admin, &empty).await.status, StatusCode::OK);
}

#[tokio::test]
async fn path_segments_that_are_not_utf8_get_a_json_400() {
    let app = spawn_app().await.with_small_world().await;
    for path in ["/api/v1/regions/%FF", "/api/v1/indicators/%FF", "/api/v1/assessments/%FF", "/charts/%FF"] {
        let answer = app.get_as_admin(path).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{path}: {}", answer.body);
        assert_eq!(answer.code(), "malformed", "{path}");
    }
}

#[tokio::test]
async fn formulas_with_unknown_codes_or_cycles_are_refused() {
    let app = spawn_app().await.with_small_world().await;
    let derived = |code: &str, formula: &str| json!({"code": code, "name": code, "unit": "%", "mode": "derived", "formula": formula});
    let cases = [
        (derived("bad", "100 * nothing / gdp"), "formula"),
        (derived("bad", "100 * (gdp"), "formula"),
        (derived("bad", "bad + 1"), "formula"),
        (json!({"code": "bad", "name": "x", "unit": "%", "mode": "derived"}), "formula"),
        (json!({"code": "bad", "name": "x", "unit": "%", "mode": "ytd", "formula": "gdp"}), "formula"),
        (json!({"code": "bad", "name": "x", "unit": "%", "mode": "ytd", "decimals": 9}), "decimals"),
        (json!({"code": "Bad", "name": "x", "unit": "%", "mode": "ytd"}), "code"),
        (json!({"code": "bad", "name": "x", "unit": "%", "mode": "weekly"}), "mode"),
    ];
    for (body, field) in cases {
        let answer = app.post_indicator(body.clone()).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", answer.body);
        assert_eq!(answer.fields(), [field], "{body}: {}", answer.body);
    }
    // a cycle through an update: rd_share → twice → rd_share
    assert_eq!(app.post_indicator(derived("twice", "2 * rd_share")).await.status, StatusCode::CREATED);
    let change = json!({"name": "R&D经费占GDP比重", "unit": "%", "mode": "derived", "formula": "twice / 2"});
    let answer = app.send_json(Method::PUT, "/api/v1/indicators/rd_share", &app.admin, &change).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
    assert!(answer.body["error"]["message"].as_str().unwrap().contains("循环引用了自己"));
    assert_eq!(app.get_as_admin("/api/v1/indicators/rd_share").await.body["formula"], "100 * rd_expenditure / gdp");
}

#[tokio::test]
async fn an_indicator_with_figures_keeps_its_mode() {
    let app = spawn_app().await.with_small_world().await;
    app.put_values_as_admin("town-a", "2023Q1", &[("gdp", 1.0)]).await;
    let change = json!({"name": "地区生产总值", "unit": "亿元", "decimals": 2, "mode": "quarter"});
    let answer = app.send_json(Method::PUT, "/api/v1/indicators/gdp", &app.admin, &change).await;
    assert_eq!(answer.status, StatusCode::CONFLICT);
    let rename = json!({"name": "GDP", "unit": "亿元", "decimals": 2, "mode": "ytd"});
    let answer = app.send_json(Method::PUT, "/api/v1/indicators/gdp", &app.admin, &rename).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body["name"], "GDP");
}

#[tokio::test]
async fn the_openapi_document_lists_every_route_and_needs_no_token() {
    let app = spawn_app().await;
    let doc = app.get("/api/openapi.json", None).await;
    assert_eq!(doc.status, StatusCode::OK);
    assert!(doc.body["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc.body["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/regions", "get"),
        ("/api/v1/regions", "post"),
        ("/api/v1/regions/{id}", "put"),
        ("/api/v1/regions/{id}", "delete"),
        ("/api/v1/indicators", "post"),
        ("/api/v1/indicators/{code}", "get"),
        ("/api/v1/values", "put"),
        ("/api/v1/values", "get"),
        ("/api/v1/series", "get"),
        ("/api/v1/audit", "get"),
    ] {
        assert!(paths.get(path).and_then(|p| p.get(method)).is_some(), "{method} {path} missing");
    }
    assert!(doc.body["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn health_unknown_routes_and_wrong_methods() {
    let app = spawn_app().await;
    let health = app.client.get(format!("{}/healthz", app.base)).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let missing = app.get("/api/v1/nothing", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.code(), "not_found");
    let wrong = app.send_json(Method::PATCH, "/api/v1/regions", &app.admin, &json!({})).await;
    assert_eq!(wrong.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong.code(), "method_not_allowed");
}

/// Every `pattern` in the document, with where it is.
fn patterns<'a>(value: &'a serde_json::Value, at: String, out: &mut Vec<(String, &'a str)>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner.as_str()) {
                    ("pattern", Some(pattern)) => out.push((at.clone(), pattern)),
                    _ => patterns(inner, format!("{at}/{key}"), out),
                }
            }
        }
        serde_json::Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                patterns(inner, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn the_document_gives_years_from_1900_to_2200_as_the_server_takes_them() {
    let app = spawn_demo().await;
    let doc = app.get("/api/openapi.json", None).await.body;
    let mut found = Vec::new();
    patterns(&doc, String::new(), &mut found);
    let years: Vec<_> = found.iter().filter(|(_, p)| p.contains("{4}") || p.contains("2200")).collect();
    // 22 periods and years, the deadline of a task, the plan import's year, four days (`on`), the
    // rectification report's quarter and day, the periods of the three zeros and of an
    // enterprise's figures, the quarter of the three zeros' lists, the period of a what-if, and
    // the period of a publication
    assert_eq!(years.len(), 35, "{years:#?}");
    for (at, pattern) in &years {
        assert!(
            pattern.starts_with("^(19[0-9]{2}|2[01][0-9]{2}|2200)")
                || pattern.starts_with("^((19[0-9]{2}|2[01][0-9]{2}|2200)-"),
            "{at}: {pattern}"
        );
        assert!(!pattern.contains("[0-9]{4}"), "{at}: any four digits is no year of 1900–2200: {pattern}");
    }
    // the server draws the line where the document does
    for (year, refused) in [(1899, true), (1900, false), (2200, false), (2201, true), (0, true), (9999, true)] {
        let y = format!("{year:04}");
        for (url, field) in [
            (format!("/api/v1/assessments/{y}"), "year"),
            (format!("/api/v1/completeness?period={y}Q1"), "period"),
            (format!("/api/v1/workflow?period={y}Q1"), "period"),
            (format!("/api/v1/values?region=town-jia&period={y}"), "period"),
            (format!("/reports/completeness/{y}.json"), "period"),
            (format!("/templates/town-jia/{y}Q1.xlsx"), "period"),
        ] {
            let answer = app.get_as_admin(&url).await;
            if refused {
                assert_eq!((answer.status.as_u16(), answer.fields()), (422, vec![field.to_string()]), "{url}");
            } else {
                assert!(matches!(answer.status.as_u16(), 200 | 404), "{url}: {} {}", answer.status, answer.body);
            }
        }
        let unlock = app.client.delete(format!("{}/api/v1/locks/{y}Q1", app.base)).bearer_auth(&app.admin);
        let status = unlock.send().await.unwrap().status().as_u16();
        assert_eq!(status, if refused { 422 } else { 404 }, "DELETE /api/v1/locks/{y}Q1");
    }
}

#[tokio::test]
async fn the_document_says_not_blank_as_the_server_decides_it() {
    let app = spawn_app().await;
    let doc = app.get("/api/openapi.json", None).await.body;
    let mut found = Vec::new();
    patterns(&doc, String::new(), &mut found);
    let texts: Vec<&str> = found.iter().filter(|(_, p)| !p.starts_with('^')).map(|(at, _)| at.as_str()).collect();
    for name in ["NewRegionBody/properties/name", "IndicatorBody/properties/name", "LockBody/properties/reason"] {
        assert!(texts.iter().any(|at| at.ends_with(name)), "{name} in {texts:?}");
    }
    for (at, pattern) in found.iter().filter(|(_, p)| !p.starts_with('^')) {
        assert_eq!(*pattern, zhibiao::domain::text::NON_BLANK_PATTERN, "{at}");
    }
    // and what it calls blank the server refuses, what it does not the server takes
    for (reason, status) in [("\u{85}", 422), ("\u{feff} \u{3000}", 422), (" 公报已发布 ", 200)] {
        let body = json!({ "reason": reason });
        let answer = app.send_json(Method::PUT, "/api/v1/locks/2023Q3", &app.admin, &body).await;
        assert_eq!(answer.status.as_u16(), status, "{reason:?}: {}", answer.body);
    }
}

#[tokio::test]
async fn what_the_document_forbids_is_refused_naming_the_parameter() {
    let app = spawn_demo().await;
    for (url, field) in [
        ("/api/v1/audit?region=", "region"),
        ("/api/v1/audit?indicator=GDP", "indicator"),
        ("/api/v1/targets?year=2023&region=Town-Jia", "region"),
        ("/api/v1/targets?year=2023&indicator=", "indicator"),
        ("/api/v1/values?region=town-jia&period=2023Q3&indicator=", "indicator"),
        ("/api/v1/exports?format=csv&region=%20town-jia", "region"),
        ("/api/v1/completeness?period=2023Q3&parent=", "parent"),
        ("/api/v1/workflow?period=2023Q3&parent=District", "parent"),
        ("/api/v1/series?region=district&indicator=gdp&from=2022Q1&to=2023Q4&view=", "view"),
        ("/api/v1/benchmarks?region=district&indicator=rd_share&period=2023&benchmarks=kunshan,", "benchmarks"),
        ("/api/v1/benchmarks?region=district&indicator=rd_share&period=2023&benchmarks=%20kunshan", "benchmarks"),
        ("/api/v1/progress?indicator=rd_expenditure&period=2023Q3&region=", "region"),
        ("/reports/bulletin/2023.json?region=", "region"),
    ] {
        let answer = app.get_as_admin(url).await;
        assert_eq!((answer.status.as_u16(), answer.fields()), (422, vec![field.to_string()]), "{url}: {}", answer.body);
        assert!(!answer.body["error"]["message"].as_str().unwrap().is_ascii(), "{url}: a message in Chinese");
    }
    // the same filters with ids that name nothing are not malformed
    assert_eq!(app.get_as_admin("/api/v1/audit?region=nowhere").await.body, json!([]));
    let unknown =
        app.get_as_admin("/api/v1/benchmarks?region=district&indicator=rd_share&period=2023&benchmarks=nowhere");
    assert_eq!(unknown.await.status, StatusCode::NOT_FOUND);
    let app = &app;
    let check = |values: serde_json::Value| async move {
        let body = json!({"region": "town-jia", "period": "2023Q3", "values": values});
        app.send_json(Method::POST, "/api/v1/values/check", &app.admin, &body).await
    };
    let empty_code = check(json!([{"indicator": "", "value": 1.0}])).await;
    assert_eq!((empty_code.status.as_u16(), empty_code.fields()), (422, vec!["values[0].indicator".to_string()]));
    let none = check(json!([])).await;
    assert_eq!((none.status.as_u16(), none.fields()), (422, vec!["values".to_string()]));
    // a code that could be one but is not is a rule of the figures: answered in `errors`
    let unknown = check(json!([{"indicator": "nothing", "value": 1.0}])).await;
    assert_eq!(unknown.status, StatusCode::OK);
    assert_eq!(unknown.body["errors"][0]["field"], "values[0].indicator");
}

#[tokio::test]
async fn progress_takes_one_region_over_a_parent_and_the_root_s_children_by_default() {
    let app = spawn_demo().await;
    let app = &app;
    let regions = |query: &'static str| {
        let url = format!("/api/v1/progress?indicator=rd_expenditure&period=2023Q3{query}");
        async move {
            let answer = app.get_as_admin(&url).await;
            assert_eq!(answer.status, StatusCode::OK, "{url}: {}", answer.body);
            answer
                .body
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["region"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    let children = regions("&parent=district").await;
    assert_eq!(children.len(), 8, "{children:?}");
    assert_eq!(regions("").await, children);
    assert_eq!(regions("&region=town-jia").await, ["town-jia"]);
    assert_eq!(regions("&parent=district&region=town-jia").await, ["town-jia"]);
}

#[tokio::test]
async fn a_new_region_or_indicator_must_carry_its_id_and_a_change_need_not() {
    let app = spawn_app().await.with_small_world().await;
    let doc = app.get("/api/openapi.json", None).await.body;
    let body_of = |path: &str, method: &str| {
        let schema = &doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]["$ref"];
        let name = schema.as_str().unwrap().rsplit('/').next().unwrap().to_string();
        doc["components"]["schemas"][&name].clone()
    };
    for (path, change, id) in
        [("/api/v1/regions", "/api/v1/regions/{id}", "id"), ("/api/v1/indicators", "/api/v1/indicators/{code}", "code")]
    {
        let (new, changed) = (body_of(path, "post"), body_of(change, "put"));
        assert!(new["required"].as_array().unwrap().contains(&json!(id)), "{path}: {new}");
        assert_eq!(new["properties"][id]["type"], "string", "{path}: not null");
        assert!(!changed["required"].as_array().unwrap().contains(&json!(id)), "{change}: {changed}");
        assert_eq!(
            new["properties"].as_object().unwrap().keys().collect::<Vec<_>>(),
            changed["properties"].as_object().unwrap().keys().collect::<Vec<_>>(),
            "{path}"
        );
    }
    let answer = app.post_region(json!({"id": null, "name": "丁镇", "kind": "town", "parent": "district"})).await;
    assert_eq!((answer.status.as_u16(), answer.fields()), (422, vec!["id".to_string()]));
    let approve = &doc["components"]["schemas"]["ApproveBody"]["properties"]["regions"];
    assert_eq!((&approve["uniqueItems"], &approve["minItems"]), (&json!(true), &json!(1)));
}

#[tokio::test]
async fn integers_may_be_written_as_numbers_without_a_fraction_as_json_schema_allows() {
    let app = spawn_app().await.with_small_world().await;
    let region = json!({"id": "town-d", "name": "丁镇", "kind": "town", "parent": "district", "sort": 4.0});
    let created = app.post_region(region).await;
    assert_eq!((created.status, &created.body["sort"]), (StatusCode::CREATED, &json!(4)), "{}", created.body);
    let app = &app;
    let target = |year: serde_json::Value| async move {
        let body = json!({"region": "town-a", "indicator": "gdp", "year": year, "value": 100.0});
        app.send_json(Method::PUT, "/api/v1/targets", &app.admin, &body).await
    };
    let whole = target(json!(2023.0)).await;
    assert_eq!((whole.status, &whole.body["year"]), (StatusCode::OK, &json!(2023)), "{}", whole.body);
    for bad in [json!(2023.5), json!(1e300), json!("2023")] {
        let answer = target(bad.clone()).await;
        assert_eq!(
            (answer.status.as_u16(), answer.fields()),
            (422, vec!["year".to_string()]),
            "{bad}: {}",
            answer.body
        );
    }
    let indicator = json!({"code": "ratio", "name": "比率", "unit": "%", "mode": "quarter", "decimals": 2.5});
    let answer = app.post_indicator(indicator).await;
    assert_eq!((answer.status.as_u16(), answer.fields()), (422, vec!["decimals".to_string()]), "{}", answer.body);
}
