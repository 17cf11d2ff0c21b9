//! Targets, splitting, progress and benchmarks through HTTP.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhibiao::domain::access::Role;

use crate::helpers::{TestApp, spawn_app};

impl TestApp {
    pub async fn decompose(&self, body: Value) -> crate::helpers::Answer {
        self.send_json(Method::POST, "/api/v1/targets/decompose", &self.admin, &body).await
    }

    pub async fn set_target(&self, region: &str, indicator: &str, year: i32, value: f64) {
        let body = json!({"region": region, "indicator": indicator, "year": year, "value": value});
        let answer = self.send_json(Method::PUT, "/api/v1/targets", &self.admin, &body).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    }

    pub async fn progress_of(&self, region: &str, indicator: &str, period: &str) -> Value {
        let answer =
            self.get_as_admin(&format!("/api/v1/progress?indicator={indicator}&period={period}&region={region}")).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        answer.body[0].clone()
    }
}

fn child_values(answer: &Value) -> Vec<(String, f64)> {
    answer["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["region"].as_str().unwrap().to_string(), c["value"].as_f64().unwrap()))
        .collect()
}

fn pairs(list: &[(&str, f64)]) -> Vec<(String, f64)> {
    list.iter().map(|(r, v)| (r.to_string(), *v)).collect()
}

#[tokio::test]
async fn a_proportional_split_hands_out_the_remainder_and_adds_up_exactly() {
    let app = spawn_app().await.with_small_world().await;
    // 2022 weights 2 : 3 : 4; 1.00 → quotas 0.2222, 0.3333, 0.4444; the spare cent goes to town-c.
    for (town, rd) in [("town-a", 2.0), ("town-b", 3.0), ("town-c", 4.0)] {
        app.put_values_as_admin(town, "2022Q4", &[("rd_expenditure", rd)]).await;
    }
    let answer = app
        .decompose(json!({"parent": "district", "indicator": "rd_expenditure", "year": 2023, "total": 1.0, "method": "proportional"}))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(child_values(&answer.body), pairs(&[("town-a", 0.22), ("town-b", 0.33), ("town-c", 0.45)]));
    assert_eq!(answer.body["parent"]["value"], 1.0);
    assert_eq!(answer.body["children"][0]["source"], "由全区分解（按2022年比例）");
    let stored = app.get_as_admin("/api/v1/targets?year=2023&indicator=rd_expenditure").await.body;
    assert_eq!(stored.as_array().unwrap().len(), 4, "parent and three children written together");
}

#[tokio::test]
async fn an_equal_split_tie_goes_to_the_smaller_region_id_and_the_parents_target_is_reused() {
    let app = spawn_app().await.with_small_world().await;
    app.set_target("district", "patent_applications", 2023, 100.0).await;
    let answer = app
        .decompose(json!({"parent": "district", "indicator": "patent_applications", "year": 2023, "method": "equal"}))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(child_values(&answer.body), pairs(&[("town-a", 34.0), ("town-b", 33.0), ("town-c", 33.0)]));
    let weights = json!({"parent": "district", "indicator": "patent_applications", "year": 2023, "method": "weights",
                         "weights": {"town-a": 1, "town-b": 1, "town-c": 2}});
    assert_eq!(
        child_values(&app.decompose(weights).await.body),
        pairs(&[("town-a", 25.0), ("town-b", 25.0), ("town-c", 50.0)])
    );
}

#[tokio::test]
async fn derived_indicators_split_uniformly_and_only_so() {
    let app = spawn_app().await.with_small_world().await;
    let split = |method: &str| json!({"parent": "district", "indicator": "rd_share", "year": 2023, "total": 2.1, "method": method, "base_year": 2022});
    let refused = app.decompose(split("proportional")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.fields(), ["method"]);
    let uniform = app.decompose(split("uniform")).await;
    assert_eq!(uniform.status, StatusCode::OK, "{}", uniform.body);
    assert_eq!(child_values(&uniform.body), pairs(&[("town-a", 2.1), ("town-b", 2.1), ("town-c", 2.1)]));
    assert_eq!(uniform.body["parent"]["milestones"], json!([1.0, 1.0, 1.0, 1.0]));
    let gdp_uniform = json!({"parent": "district", "indicator": "gdp", "year": 2023, "total": 9, "method": "uniform"});
    assert_eq!(app.decompose(gdp_uniform).await.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn bad_splits_are_refused_and_write_nothing() {
    let app = spawn_app().await.with_small_world().await;
    let cases = [
        (json!({"parent": "district", "indicator": "gdp", "year": 2023, "method": "equal"}), "total"),
        (
            json!({"parent": "district", "indicator": "gdp", "year": 2023, "total": 9, "method": "proportional"}),
            "method",
        ),
        (json!({"parent": "town-a", "indicator": "gdp", "year": 2023, "total": 9, "method": "equal"}), "parent"),
        (json!({"parent": "district", "indicator": "gdp", "year": 2023, "total": -9, "method": "equal"}), "total"),
        (
            json!({"parent": "district", "indicator": "gdp", "year": 2023, "total": 9, "method": "weights",
                "weights": {"town-a": 1, "town-b": 1}}),
            "weights",
        ),
        (
            json!({"parent": "district", "indicator": "gdp", "year": 2023, "total": 9, "method": "weights",
                "weights": {"town-a": 1, "town-b": 1, "town-c": -1}}),
            "weights.town-c",
        ),
        (
            json!({"parent": "district", "indicator": "gdp", "year": 2023, "total": 9, "method": "weights",
                "weights": {"town-a": 0, "town-b": 0, "town-c": 0}}),
            "weights",
        ),
        (json!({"parent": "district", "indicator": "gdp", "year": 2023, "total": 9, "method": "thirds"}), "method"),
        (json!({"parent": "district", "indicator": "gdp", "year": 99, "total": 9, "method": "equal"}), "year"),
        (json!({"parent": "district", "indicator": "gdp", "year": 2023, "total": 1e17, "method": "equal"}), "total"),
        (json!({"parent": "district", "indicator": "gdp", "year": 2023, "total": 1e14, "method": "equal"}), "total"),
    ];
    for (body, field) in cases {
        let answer = app.decompose(body.clone()).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", answer.body);
        assert_eq!(answer.fields(), [field], "{body}: {}", answer.body);
    }
    assert_eq!(app.get_as_admin("/api/v1/targets?year=2023").await.body, json!([]));
    let viewer = app.add_user("leader", Role::Viewer, &[]);
    let body = json!({"parent": "district", "indicator": "gdp", "year": 2023, "total": 9, "method": "equal"});
    let answer = app.send_json(Method::POST, "/api/v1/targets/decompose", &viewer, &body).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn targets_are_validated_and_every_change_is_audited() {
    let app = spawn_app().await.with_small_world().await;
    let put = async |body: Value| app.send_json(Method::PUT, "/api/v1/targets", &app.admin, &body).await;
    let cases = [
        (json!({"region": "kunshan", "indicator": "gdp", "year": 2023, "value": 1}), "region"),
        (json!({"region": "nowhere", "indicator": "gdp", "year": 2023, "value": 1}), "region"),
        (json!({"region": "town-a", "indicator": "nothing", "year": 2023, "value": 1}), "indicator"),
        (json!({"region": "town-a", "indicator": "gdp", "year": 2023, "value": -1}), "value"),
        (
            json!({"region": "town-a", "indicator": "gdp", "year": 2023, "value": 1, "milestones": [0.5, 0.4, 0.9, 1]}),
            "milestones",
        ),
        (
            json!({"region": "town-a", "indicator": "gdp", "year": 2023, "value": 1, "milestones": [0.5, 1]}),
            "milestones",
        ),
    ];
    for (body, field) in cases {
        let answer = put(body.clone()).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", answer.body);
        assert_eq!(answer.fields(), [field], "{body}");
    }
    let body =
        json!({"region": "town-a", "indicator": "gdp", "year": 2023, "value": 120, "milestones": [0.2, 0.45, 0.7, 1]});
    let set = put(body).await;
    assert_eq!(set.body["milestones"], json!([0.2, 0.45, 0.7, 1.0]));
    assert_eq!(set.body["source"], "set");
    app.set_target("town-a", "gdp", 2023, 125.0).await;
    let audit = app.get_as_admin("/api/v1/audit?region=town-a&indicator=gdp&period=2023").await.body;
    assert_eq!(audit[0]["entity"], "target");
    assert_eq!(audit[0]["old"]["value"], 120.0);
    assert_eq!(audit[0]["new"]["value"], 125.0);
    assert_eq!(audit[0]["new"]["milestones"], json!([0.25, 0.5, 0.75, 1.0]), "default milestones of a ytd indicator");
}

#[tokio::test]
async fn progress_reports_every_status_against_the_pace() {
    let app = spawn_app().await.with_small_world().await;
    let lower =
        json!({"code": "energy_use", "name": "单位GDP能耗", "unit": "吨标准煤", "mode": "ytd", "direction": "lower"});
    assert_eq!(app.post_indicator(lower).await.status, StatusCode::CREATED);
    app.set_target("town-a", "gdp", 2023, 100.0).await;
    app.set_target("town-a", "energy_use", 2023, 100.0).await;
    // Q3 pace: 75; behind down to 67.5 (higher) or up to 83.33 (lower)
    let cases = [
        ("gdp", 100.0, "achieved"),
        ("gdp", 75.0, "on_track"),
        ("gdp", 67.5, "behind"),
        ("gdp", 60.0, "at_risk"),
        ("energy_use", 70.0, "on_track"),
        ("energy_use", 80.0, "behind"),
        ("energy_use", 90.0, "at_risk"),
    ];
    for (indicator, value, status) in cases {
        app.put_values_as_admin("town-a", "2023Q3", &[(indicator, value)]).await;
        let row = app.progress_of("town-a", indicator, "2023Q3").await;
        assert_eq!(row["status"], status, "{indicator} = {value}: {row}");
        assert_eq!(row["expected"], 0.75);
    }
    let energy = app.progress_of("town-a", "energy_use", "2023Q3").await;
    assert_eq!(energy["completion"], 1.111111, "100 / 90 to 6 places");
    assert_eq!(app.progress_of("town-b", "gdp", "2023Q3").await["status"], "no_target");
    app.set_target("town-b", "gdp", 2023, 10.0).await;
    assert_eq!(app.progress_of("town-b", "gdp", "2023Q3").await["status"], "no_data");
    // a lower-is-better flow within its target is achieved only at Q4
    app.put_values_as_admin("town-a", "2023Q4", &[("energy_use", 95.0)]).await;
    assert_eq!(app.progress_of("town-a", "energy_use", "2023Q4").await["status"], "achieved");
}

#[tokio::test]
async fn progress_of_the_children_with_year_on_year_growth() {
    let app = spawn_app().await.with_small_world().await;
    app.put_values_as_admin("town-a", "2022Q2", &[("gdp", 50.0)]).await;
    app.put_values_as_admin("town-a", "2023Q2", &[("gdp", 56.0)]).await;
    app.put_values_as_admin("town-b", "2023Q2", &[("gdp", 10.0)]).await;
    app.set_target("town-a", "gdp", 2023, 100.0).await;
    let rows = app.get_as_admin("/api/v1/progress?indicator=gdp&period=2023Q2&parent=district").await.body;
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.iter().map(|r| r["region"].as_str().unwrap()).collect::<Vec<_>>(), ["town-a", "town-b", "town-c"]);
    let a = &rows[0];
    assert_eq!(
        (a["actual"].as_f64(), a["previous"].as_f64(), a["change"].as_f64()),
        (Some(56.0), Some(50.0), Some(6.0))
    );
    assert_eq!(a["growth_pct"], 12.0);
    assert_eq!(a["completion"], 0.56);
    assert_eq!(a["status"], "on_track");
    assert!(rows[1]["growth_pct"].is_null(), "no previous figure, no growth");
    let bad = [
        ("indicator=gdp&period=2023-Q2&parent=district", "period"),
        ("indicator=gdp&period=2023Q2&parent=Town-A", "parent"),
        ("indicator=gdp&period=2023Q2&parent=district&region=", "region"),
        ("indicator=gdp&period=2023Q2&parent=town-a", "parent"),
    ];
    for (query, field) in bad {
        let answer = app.get_as_admin(&format!("/api/v1/progress?{query}")).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert_eq!(answer.fields(), [field], "{query}");
    }
}

#[tokio::test]
async fn benchmarks_give_gap_ratio_rank_and_source() {
    let app = spawn_app().await.with_small_world().await;
    for (id, name) in [("jiangyin", "江阴市"), ("nowhere-city", "某市")] {
        assert_eq!(
            app.post_region(json!({"id": id, "name": name, "kind": "benchmark"})).await.status,
            StatusCode::CREATED
        );
    }
    app.put_values_as_admin("town-a", "2023Q4", &[("gdp", 400.0), ("rd_expenditure", 8.0)]).await;
    app.put_values_as_admin("town-b", "2023Q4", &[("gdp", 100.0), ("rd_expenditure", 2.0)]).await;
    let body = json!({"region": "kunshan", "period": "2023",
                      "values": [{"indicator": "rd_share", "value": 2.5, "comment": "昆山市统计公报"}]});
    assert_eq!(app.send_json(Method::PUT, "/api/v1/values", &app.admin, &body).await.status, StatusCode::OK);
    app.put_values_as_admin("jiangyin", "2023", &[("rd_share", 1.5)]).await;
    let answer = app.get_as_admin("/api/v1/benchmarks?region=district&indicator=rd_share&period=2023").await;
    let b = &answer.body;
    assert_eq!(b["region"]["value"], 2.0);
    assert_eq!((b["rank"].as_u64(), b["count"].as_u64()), (Some(2), Some(3)), "{b}");
    let kunshan = &b["benchmarks"][1];
    assert_eq!(kunshan["id"], "kunshan");
    assert_eq!(kunshan["gap"], -0.5);
    assert_eq!(kunshan["ratio"], 0.8);
    assert_eq!(kunshan["source"], "昆山市统计公报");
    assert!(b["benchmarks"][2]["value"].is_null(), "a benchmark without a figure is listed, not ranked");
    let chosen =
        app.get_as_admin("/api/v1/benchmarks?region=district&indicator=rd_share&period=2023&benchmarks=kunshan").await;
    assert_eq!(chosen.body["benchmarks"].as_array().unwrap().len(), 1);
    assert_eq!(chosen.body["rank"], 2);
    let unknown =
        app.get_as_admin("/api/v1/benchmarks?region=district&indicator=rd_share&period=2023&benchmarks=town-a").await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
}
