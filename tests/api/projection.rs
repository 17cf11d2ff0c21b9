//! Where the year will end (SPEC §13) through `/progress`: the projection is the year to date over
//! the share of the year the region's own past years had reached by then.

use serde_json::{Value, json};

use crate::helpers::spawn_demo;

#[tokio::test]
async fn the_demo_districts_projection_at_q3_is_its_year_to_date_over_last_years_share() {
    let app = spawn_demo().await;
    let series = |query: String| {
        let app = &app;
        async move {
            let answer = app.get_as_admin(&format!("/api/v1/series?{query}")).await;
            answer.body["points"].as_array().unwrap().iter().map(|p| p["value"].as_f64().unwrap()).collect::<Vec<f64>>()
        }
    };
    let ytd = series("region=district&indicator=rd_expenditure&from=2022Q3&to=2023Q3&view=ytd".into()).await;
    let annual_2022 = series("region=district&indicator=rd_expenditure&from=2022&to=2022&view=annual".into()).await[0];
    let (ytd_2022_q3, ytd_2023_q3) = (ytd[0], ytd[4]);
    let progress = app.get_as_admin("/api/v1/progress?indicator=rd_expenditure&period=2023Q3&region=district").await;
    let row: &Value = &progress.body[0];
    let projection = &row["projection"];
    assert_eq!(projection["method"], "seasonal", "{row}");
    let want = ytd_2023_q3 / (ytd_2022_q3 / annual_2022);
    let got = projection["value"].as_f64().unwrap();
    assert!((got - want).abs() < 1e-6, "{got} vs {want}: {row}");
    // one past year: its range is the projection itself
    assert_eq!((&projection["low"], &projection["high"]), (&projection["value"], &projection["value"]));
    let completion = projection["completion"].as_f64().unwrap();
    assert!((completion - got / 19.0).abs() < 1e-6, "{completion}");
    let status = if got >= 19.0 { "on_course" } else { "projected_miss" };
    assert_eq!(row["projected_status"], status);
    // at the year's end there is nothing left to project
    let q4 = app.get_as_admin("/api/v1/progress?indicator=rd_expenditure&period=2023Q4&region=district").await;
    assert!(q4.body[0].get("projection").is_none(), "{}", q4.body);
}

#[tokio::test]
async fn what_it_takes_to_reach_a_benchmark_is_the_numerator_at_the_current_denominator() {
    let app = spawn_demo().await;
    let answer = app
        .get_as_admin("/api/v1/what-if/benchmark?region=district&indicator=rd_share&benchmark=jiangyin&period=2023")
        .await;
    assert_eq!(answer.status, reqwest::StatusCode::OK, "{}", answer.body);
    let b = &answer.body;
    // 1.8% of GDP 1000亿元 → 江阴's 2.1%: R&D 18 → 21亿元
    assert_eq!(
        (&b["ours"], &b["theirs"], &b["input"], &b["current"], &b["needed"], &b["change"]),
        (&json!(1.8), &json!(2.1), &json!("rd_expenditure"), &json!(18.0), &json!(21.0), &json!(3.0))
    );
    assert_eq!(b["sentence"], "全区R&D经费占GDP比重要达到江阴市的2.1%，在其他指标不变时，R&D经费支出需增加3 亿元");
    for (query, status, field) in [
        ("region=district&indicator=gdp&benchmark=jiangyin&period=2023", 422, "indicator"),
        ("region=district&indicator=rd_share&benchmark=town-jia&period=2023", 422, "benchmark"),
        ("region=district&indicator=rd_share&benchmark=jiangyin&period=2030", 422, "period"),
        ("region=district&indicator=rd_share&benchmark=nowhere&period=2023", 404, ""),
    ] {
        let answer = app.get_as_admin(&format!("/api/v1/what-if/benchmark?{query}")).await;
        assert_eq!(answer.status.as_u16(), status, "{query}: {}", answer.body);
        if !field.is_empty() {
            assert_eq!(answer.body["error"]["details"][0]["field"], field, "{query}: {}", answer.body);
        }
    }
}
