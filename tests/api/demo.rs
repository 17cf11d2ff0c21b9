//! The demo data tells the plan's story with its real district figures.

use std::process::Command;

use crate::helpers::{assert_figures, spawn_demo};

#[tokio::test]
async fn the_demo_district_totals_are_the_plans_figures() {
    let app = spawn_demo().await;
    let annual =
        |region: &'static str, indicator: &'static str| app.series(region, indicator, "2023", "2023", "annual");
    assert_figures(&annual("district", "rd_share").await, &[Some(1.8)]);
    assert_figures(&annual("district", "patent_applications").await, &[Some(3601.0)]);
    assert_figures(&annual("district", "patent_grants").await, &[Some(934.0)]);
    assert_figures(&annual("kunshan", "rd_share").await, &[Some(1.9)]);
    assert_figures(&annual("jiangyin", "rd_share").await, &[Some(2.1)]);
    assert_figures(&annual("shenzhen", "rd_share").await, &[Some(3.3)]);
    assert_figures(&annual("kunshan", "patent_applications").await, &[Some(9025.0)]);
    assert_figures(&annual("kunshan", "patent_grants").await, &[Some(3006.0)]);
    // about two thirds of the large enterprises have no R&D institution
    let rate = annual("district", "rd_institution_rate").await[0].unwrap();
    assert!((rate - 100.0 / 3.0).abs() < 1e-6, "{rate}");
    // high-level talent introduced is under half of 昆山's
    let ours = annual("district", "talents_introduced").await[0].unwrap();
    let kunshan = annual("kunshan", "talents_introduced").await[0].unwrap();
    assert!(ours < kunshan / 2.0, "{ours} vs {kunshan}");
}

#[tokio::test]
async fn the_demo_has_2022_and_2023_complete_for_every_reporting_region() {
    let app = spawn_demo().await;
    for indicator in
        ["gdp", "rd_expenditure", "patent_applications", "talents_introduced", "large_enterprises", "iur_projects"]
    {
        let answer = app
            .get_as_admin(&format!(
                "/api/v1/series?region=district&indicator={indicator}&from=2022Q1&to=2023Q4&view=quarter"
            ))
            .await;
        for point in answer.body["points"].as_array().unwrap() {
            assert_eq!(point["coverage"]["reported"], 8, "{indicator} {point}");
            assert_eq!(point["coverage"]["total"], 8);
            assert!(point["value"].as_f64().unwrap() > 0.0, "{indicator} {point}");
        }
    }
}

#[test]
fn user_add_prints_the_token_alone_on_its_last_line_and_demo_refuses_a_full_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");
    let exe = env!("CARGO_BIN_EXE_zhibiao");
    let demo = Command::new(exe).args(["demo", "--db"]).arg(&db).output().unwrap();
    assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
    let again = Command::new(exe).args(["demo", "--db"]).arg(&db).output().unwrap();
    assert!(!again.status.success());
    let add = Command::new(exe)
        .args(["user", "add", "--db"])
        .arg(&db)
        .args(["--name", "yi", "--role", "statistician", "--region", "town-yi"])
        .output()
        .unwrap();
    assert!(add.status.success(), "{}", String::from_utf8_lossy(&add.stderr));
    let stdout = String::from_utf8(add.stdout).unwrap();
    let token = stdout.lines().last().unwrap();
    assert!(token.starts_with("zb_") && token.len() == 67, "{stdout}");
    let pool = zhibiao::store::open(&db).unwrap();
    let user = zhibiao::engine::users::authenticate(&pool.get().unwrap(), token).unwrap().unwrap();
    assert_eq!(user.name, "yi");
    assert_eq!(user.regions[0].as_str(), "town-yi");
    let bad = Command::new(exe)
        .args(["user", "add", "--db"])
        .arg(&db)
        .args(["--name", "x", "--role", "statistician"])
        .output()
        .unwrap();
    assert!(!bad.status.success(), "a statistician needs a region");
}
