//! Where the year will end (SPEC §13) through `/progress`: the projection is the year to date over
//! the share of the year the region's own past years had reached by then.

use serde_json::Value;

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
