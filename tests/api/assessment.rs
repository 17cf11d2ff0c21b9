//! The year-end assessment through HTTP, checked against figures worked out by hand.

use reqwest::{Method, StatusCode};
use serde_json::json;
use zhibiao::domain::access::Role;

use crate::helpers::spawn_app;

fn scheme() -> serde_json::Value {
    json!({
        "parent": "district",
        "items": [
            {"indicator": "gdp", "weight": 50, "method": "ratio", "cap": 1.2, "floor": 0.5},
            {"indicator": "patent_applications", "weight": 30, "method": "rank"},
            {"indicator": "rd_expenditure", "weight": 20, "method": "stepped"}
        ],
        "grades": [{"name": "优秀", "min": 90}, {"name": "良好", "min": 80}, {"name": "合格", "min": 60}, {"name": "不合格", "min": 0}],
        "adjustments": [{"region": "town-b", "points": -1.5, "reason": "数据报送迟缓"}],
        "vetoes": [{"region": "town-c", "reason": "发生重大安全生产事故"}]
    })
}

#[tokio::test]
async fn an_assessment_scored_by_hand() {
    let app = spawn_app().await.with_small_world().await;
    for town in ["town-a", "town-b", "town-c"] {
        app.set_target(town, "gdp", 2023, 100.0).await;
    }
    app.set_target("town-a", "rd_expenditure", 2023, 10.0).await;
    app.set_target("town-b", "rd_expenditure", 2023, 10.0).await;
    app.put_values_as_admin(
        "town-a",
        "2023Q4",
        &[("gdp", 110.0), ("patent_applications", 50.0), ("rd_expenditure", 11.2)],
    )
    .await;
    app.put_values_as_admin(
        "town-b",
        "2023Q4",
        &[("gdp", 90.0), ("patent_applications", 70.0), ("rd_expenditure", 8.0)],
    )
    .await;
    app.put_values_as_admin(
        "town-c",
        "2023Q4",
        &[("gdp", 40.0), ("patent_applications", 70.0), ("rd_expenditure", 5.0)],
    )
    .await;
    let put = app.send_json(Method::PUT, "/api/v1/assessments/2023/scheme", &app.admin, &scheme()).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);

    let result = app.get_as_admin("/api/v1/assessments/2023").await;
    assert_eq!(result.status, StatusCode::OK, "{}", result.body);
    let regions = result.body["regions"].as_array().unwrap();
    let scores = |i: usize| -> Vec<Option<f64>> {
        regions[i]["items"].as_array().unwrap().iter().map(|it| it["score"].as_f64()).collect()
    };
    // town-a: gdp 110/100 → 50 × 1.1 = 55; patents 3rd of 3 → 30 − 2 × 10 = 10;
    //         R&D +12% → 2 steps → 0.8 × 20 + 2 × 0.5 = 17. Total 82 → 良好, 2nd.
    assert_eq!(scores(0), [Some(55.0), Some(10.0), Some(17.0)]);
    assert_eq!((regions[0]["total"].as_f64(), regions[0]["rank"].as_u64()), (Some(82.0), Some(2)));
    assert_eq!(regions[0]["grade"], "良好");
    // town-b: 45; tied 1st → 30; −20% → −4 steps → 14; 89 − 1.5 = 87.5 → 良好, 1st.
    assert_eq!(scores(1), [Some(45.0), Some(30.0), Some(14.0)]);
    assert_eq!((regions[1]["total"].as_f64(), regions[1]["rank"].as_u64()), (Some(87.5), Some(1)));
    assert_eq!(regions[1]["adjustments"][0]["reason"], "数据报送迟缓");
    // town-c: gdp 0.4 < floor → 0; tied 1st → 30; no R&D target → left out, 30 × 100 / 80 = 37.5;
    //         vetoed → 0, the lowest grade, last.
    assert_eq!(scores(2), [Some(0.0), Some(30.0), None]);
    assert_eq!(regions[2]["scale"], 1.25);
    assert_eq!(regions[2]["item_total"], 37.5);
    assert_eq!((regions[2]["total"].as_f64(), regions[2]["rank"].as_u64()), (Some(0.0), Some(3)));
    assert_eq!(regions[2]["grade"], "不合格");
    assert_eq!(regions[2]["veto"], "发生重大安全生产事故");
    // every score explained with its figures
    let a_gdp = &regions[0]["items"][0];
    assert_eq!(a_gdp["actual"], 110.0);
    assert_eq!(a_gdp["target"], 100.0);
    assert_eq!(a_gdp["completion"], 1.1);
    assert_eq!(a_gdp["explanation"], "完成率 = 实际110 ÷ 目标100 = 110%；得分 = 权重50 × 110% = 55");
    assert_eq!(
        regions[0]["items"][2]["explanation"],
        "参照值（目标）= 10；偏离度 = 12%，每5%一档，计2档；得分 = 基本分0.8×20 + 加分2×0.5 = 17（上限20）"
    );
    assert_eq!(regions[1]["items"][1]["explanation"], "第1位（共3个单位有数据）；得分 = 30 − (1 − 1) × 10 = 30");
    assert_eq!(regions[2]["items"][0]["explanation"], "完成率 = 实际40 ÷ 目标100 = 40%，低于50%，得0分");
    assert_eq!(regions[2]["items"][2]["explanation"], "未设目标，本项不计分，其余项目按权重折算");
    assert_eq!(
        regions[2]["explanation"],
        "项目得分 30 × 折算系数 1.25 = 37.5；一票否决（发生重大安全生产事故），总分记0"
    );
    assert_eq!(regions[0]["items"][1]["rank"], 3);
    assert_eq!(regions[1]["items"][2]["steps"], -4);
    assert!(
        regions
            .iter()
            .flat_map(|r| r["items"].as_array().unwrap())
            .all(|i| i["formula"].as_str().is_some_and(|f| !f.is_empty()))
    );
}

#[tokio::test]
async fn schemes_are_checked_kept_per_year_and_set_by_admins_only() {
    let app = spawn_app().await.with_small_world().await;
    let none = app.get_as_admin("/api/v1/assessments/2023").await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    assert_eq!(none.body["error"]["message"], "2023年尚未设置考核方案");
    assert_eq!(app.get_as_admin("/api/v1/assessments/2023/scheme").await.status, StatusCode::NOT_FOUND);
    let mut bad = scheme();
    bad["items"][1]["weight"] = json!(0);
    bad["vetoes"][0]["region"] = json!("kunshan");
    let answer = app.send_json(Method::PUT, "/api/v1/assessments/2023/scheme", &app.admin, &bad).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.fields(), ["items[1].weight", "vetoes[0].region"]);
    let messages: Vec<&str> =
        answer.body["error"]["details"].as_array().unwrap().iter().map(|d| d["message"].as_str().unwrap()).collect();
    assert_eq!(messages, ["应大于0", "不是被考核地区"]);
    let mut typo = scheme();
    typo["items"][0]["method"] = json!("ratios");
    let answer = app.send_json(Method::PUT, "/api/v1/assessments/2023/scheme", &app.admin, &typo).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.fields(), ["items[0].method"]);
    let viewer = app.add_user("leader", Role::Viewer, &[]);
    let answer = app.send_json(Method::PUT, "/api/v1/assessments/2023/scheme", &viewer, &scheme()).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.send_json(Method::PUT, "/api/v1/assessments/2023/scheme", &app.admin, &scheme()).await.status,
        StatusCode::OK
    );
    let stored = app.get("/api/v1/assessments/2023/scheme", Some(&viewer)).await;
    assert_eq!(stored.body["items"][0]["cap"], 1.2);
    assert_eq!(app.get_as_admin("/api/v1/assessments/2024/scheme").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get_as_admin("/api/v1/assessments/20x3").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let audit = app.get_as_admin("/api/v1/audit?period=2023").await.body;
    assert_eq!(audit[0]["entity"], "scheme");
}
