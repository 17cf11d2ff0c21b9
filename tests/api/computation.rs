//! The three views, aggregation with coverage and derived figures, as `GET /series` answers them.

use crate::helpers::{assert_figures, spawn_app};

#[tokio::test]
async fn ytd_submissions_read_back_as_quarters_ytd_and_annual() {
    let app = spawn_app().await.with_small_world().await;
    for (period, ytd) in [("2023Q1", 10.0), ("2023Q2", 25.5), ("2023Q3", 40.0), ("2023Q4", 61.25)] {
        app.put_values_as_admin("town-a", period, &[("gdp", ytd)]).await;
    }
    let quarters = app.series("town-a", "gdp", "2023Q1", "2023Q4", "quarter").await;
    assert_figures(&quarters, &[Some(10.0), Some(15.5), Some(14.5), Some(21.25)]);
    let ytd = app.series("town-a", "gdp", "2023Q1", "2023Q4", "ytd").await;
    assert_figures(&ytd, &[Some(10.0), Some(25.5), Some(40.0), Some(61.25)]);
    assert_figures(&app.series("town-a", "gdp", "2023", "2023", "annual").await, &[Some(61.25)]);
}

#[tokio::test]
async fn quarter_mode_ytd_is_null_when_a_quarter_is_missing_never_a_partial_sum() {
    let app = spawn_app().await.with_small_world().await;
    app.put_values_as_admin("town-a", "2023Q1", &[("talents_introduced", 4.0)]).await;
    app.put_values_as_admin("town-a", "2023Q3", &[("talents_introduced", 6.0)]).await;
    app.put_values_as_admin("town-a", "2023Q4", &[("talents_introduced", 5.0)]).await;
    let ytd = app.series("town-a", "talents_introduced", "2023Q1", "2023Q4", "ytd").await;
    assert_figures(&ytd, &[Some(4.0), None, None, None]);
    assert_figures(&app.series("town-a", "talents_introduced", "2023", "2023", "annual").await, &[None]);
    app.put_values_as_admin("town-a", "2023Q2", &[("talents_introduced", 2.0)]).await;
    let ytd = app.series("town-a", "talents_introduced", "2023Q1", "2023Q4", "ytd").await;
    assert_figures(&ytd, &[Some(4.0), Some(6.0), Some(12.0), Some(17.0)]);
    assert_figures(&app.series("town-a", "talents_introduced", "2023", "2023", "annual").await, &[Some(17.0)]);
}

#[tokio::test]
async fn stock_annual_is_the_fourth_quarter_level() {
    let app = spawn_app().await.with_small_world().await;
    for (period, level) in [("2023Q1", 40.0), ("2023Q2", 41.0), ("2023Q3", 43.0), ("2023Q4", 42.0)] {
        app.put_values_as_admin("town-a", period, &[("large_enterprises", level)]).await;
    }
    assert_figures(&app.series("town-a", "large_enterprises", "2023", "2023", "annual").await, &[Some(42.0)]);
    let ytd = app.series("town-a", "large_enterprises", "2023Q2", "2023Q3", "ytd").await;
    assert_figures(&ytd, &[Some(41.0), Some(43.0)]);
}

#[tokio::test]
async fn a_parent_sums_the_children_that_reported_and_says_how_many() {
    let app = spawn_app().await.with_small_world().await;
    app.put_values_as_admin("town-a", "2023Q1", &[("gdp", 100.0)]).await;
    app.put_values_as_admin("town-b", "2023Q1", &[("gdp", 50.5)]).await;
    let answer = app.get_as_admin("/api/v1/series?region=district&indicator=gdp&from=2023Q1&to=2023Q2&view=ytd").await;
    let points = answer.body["points"].as_array().unwrap();
    assert_eq!(points[0]["value"].as_f64(), Some(150.5));
    assert_eq!(points[0]["coverage"]["reported"], 2);
    assert_eq!(points[0]["coverage"]["total"], 3);
    assert!(points[1]["value"].is_null(), "no child reported 2023Q2: {answer:?}", answer = answer.body);
    assert_eq!(points[1]["coverage"]["reported"], 0);
}

#[tokio::test]
async fn a_derived_indicator_of_a_parent_is_a_ratio_of_sums_not_a_mean_of_ratios() {
    let app = spawn_app().await.with_small_world().await;
    // town-a 1%, town-b 4%: the mean of the ratios would be 2.5%, the ratio of the sums is 8 / 500 = 1.6%.
    app.put_values_as_admin("town-a", "2023Q4", &[("gdp", 400.0), ("rd_expenditure", 4.0)]).await;
    app.put_values_as_admin("town-b", "2023Q4", &[("gdp", 100.0), ("rd_expenditure", 4.0)]).await;
    assert_figures(&app.series("town-a", "rd_share", "2023", "2023", "annual").await, &[Some(1.0)]);
    assert_figures(&app.series("town-b", "rd_share", "2023", "2023", "annual").await, &[Some(4.0)]);
    assert_figures(&app.series("district", "rd_share", "2023", "2023", "annual").await, &[Some(1.6)]);
    // the same rule on the YTD view
    assert_figures(&app.series("district", "rd_share", "2023Q4", "2023Q4", "ytd").await, &[Some(1.6)]);
}

#[tokio::test]
async fn division_by_zero_or_a_missing_operand_gives_null() {
    let app = spawn_app().await.with_small_world().await;
    app.put_values_as_admin("town-a", "2023Q1", &[("gdp", 0.0), ("rd_expenditure", 1.0)]).await;
    app.put_values_as_admin("town-b", "2023Q1", &[("rd_expenditure", 1.0)]).await;
    let share = |region| app.series(region, "rd_share", "2023Q1", "2023Q1", "ytd");
    assert_figures(&share("town-a").await, &[None]);
    assert_figures(&share("town-b").await, &[None]);
    assert_figures(&share("town-c").await, &[None]);
    assert_figures(&share("district").await, &[None]);
}

#[tokio::test]
async fn a_benchmark_figure_stored_directly_wins_over_the_computed_one() {
    let app = spawn_app().await.with_small_world().await;
    app.put_values_as_admin("kunshan", "2023", &[("gdp", 5000.0), ("rd_expenditure", 100.0)]).await;
    assert_figures(&app.series("kunshan", "rd_share", "2023", "2023", "annual").await, &[Some(2.0)]);
    app.put_values_as_admin("kunshan", "2023", &[("rd_share", 1.9)]).await;
    assert_figures(&app.series("kunshan", "rd_share", "2023", "2023", "annual").await, &[Some(1.9)]);
}

#[tokio::test]
async fn series_parameters_are_checked() {
    let app = spawn_app().await.with_small_world().await;
    let cases = [
        ("region=district&indicator=gdp&from=2023Q1&to=2023&view=ytd", 422, "to"),
        ("region=district&indicator=gdp&from=2023&to=2023&view=ytd", 422, "view"),
        ("region=district&indicator=gdp&from=2023Q1&to=2023Q2&view=annual", 422, "view"),
        ("region=district&indicator=gdp&from=2023Q3&to=2023Q2&view=ytd", 422, "to"),
        ("region=district&indicator=gdp&from=2023-Q1&to=2023Q2", 422, "from"),
        ("region=district&indicator=gdp&from=2023Q1&to=2023Q2&view=monthly", 422, "view"),
        ("region=district&indicator=gdp&from=1950Q1&to=2150Q4&view=ytd", 422, "to"),
        ("region=district&from=2023&to=2023", 422, "indicator"),
        ("region=nowhere&indicator=gdp&from=2023&to=2023", 404, ""),
        ("region=district&indicator=nothing&from=2023&to=2023", 404, ""),
    ];
    for (query, status, field) in cases {
        let answer = app.get_as_admin(&format!("/api/v1/series?{query}")).await;
        assert_eq!(answer.status.as_u16(), status, "{query}: {}", answer.body);
        if !field.is_empty() {
            assert_eq!(answer.fields(), [field], "{query}: {}", answer.body);
        }
    }
}
