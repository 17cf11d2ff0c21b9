//! The demo's enterprise register: the counts the demo once typed come out of it exactly, its
//! codes are valid, and the three zeros shrink over 2024 towards their targets of none.

use std::collections::HashSet;

use serde_json::Value;
use zhibiao::domain::enterprise::CreditCode;

use crate::helpers::{TestApp, assert_figures, spawn_demo};

/// Per unit: 销售超亿元企业 at the end of 2022 and 2023, and those with an R&D institution — the
/// fourth-quarter figures the demo typed before the register counted them.
const TYPED: [(&str, [f64; 2], [f64; 2]); 9] = [
    ("town-jia", [39.0, 44.0], [13.0, 15.0]),
    ("town-yi", [33.0, 32.0], [10.0, 11.0]),
    ("town-bing", [25.0, 28.0], [8.0, 9.0]),
    ("town-ding", [23.0, 22.0], [7.0, 7.0]),
    ("town-wu", [18.0, 18.0], [6.0, 6.0]),
    ("town-ji", [14.0, 16.0], [4.0, 5.0]),
    ("zone-gaoxin", [77.0, 75.0], [25.0, 25.0]),
    ("zone-jingkai", [57.0, 65.0], [18.0, 22.0]),
    ("district", [286.0, 300.0], [91.0, 100.0]),
];

const LISTS: [&str; 3] = ["scale_zero_patents", "high_tech_zero_applications", "major_project_zero_applications"];

async fn enterprises(app: &TestApp) -> Vec<Value> {
    let answer = app.get_as_admin("/api/v1/enterprises").await;
    assert!(answer.status.is_success(), "{}", answer.body);
    answer.body.as_array().unwrap().clone()
}

/// The attributes an enterprise holds in `year`: its own, else the latest earlier year's.
fn attribute(e: &Value, year: i64, name: &str) -> bool {
    let years = e["years"].as_array().unwrap();
    years.iter().rfind(|y| y["year"].as_i64().unwrap() <= year).unwrap()[name].as_bool().unwrap()
}

fn has_institution(e: &Value, year: i64) -> bool {
    e["institutions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["since"].as_i64().unwrap() <= year && i["until"].as_i64().is_none_or(|until| year <= until))
}

#[tokio::test]
async fn the_registers_counts_per_unit_and_year_are_the_figures_the_demo_typed_at_each_years_end() {
    let app = spawn_demo().await;
    for (region, large, with_rd) in TYPED {
        let annual = app.series(region, "large_enterprises", "2022", "2023", "annual").await;
        assert_figures(&annual, &[Some(large[0]), Some(large[1])]);
        let annual = app.series(region, "large_enterprises_with_rd", "2022", "2023", "annual").await;
        assert_figures(&annual, &[Some(with_rd[0]), Some(with_rd[1])]);
        // attributes are yearly: every quarter of a year counts the same
        let quarters = app.series(region, "large_enterprises", "2022Q1", "2023Q4", "quarter").await;
        assert_figures(&quarters, &[[Some(large[0]); 4], [Some(large[1]); 4]].concat());
    }
    // 100 of 300: two thirds of the large enterprises have no R&D institution
    let rate = app.series("district", "rd_institution_rate", "2022", "2023", "annual").await;
    assert_figures(&rate, &[Some(31.81818), Some(33.33333)]);
}

#[tokio::test]
async fn two_thirds_of_the_demos_enterprises_over_100_million_in_2023_lack_an_rd_institution() {
    let app = spawn_demo().await;
    let all = enterprises(&app).await;
    let large: Vec<&Value> = all.iter().filter(|e| attribute(e, 2023, "sales_over_100m")).collect();
    let without = large.iter().filter(|e| !has_institution(e, 2023)).count();
    assert_eq!((without, large.len()), (200, 300));
    // in 2024 a few more pass 100 million and a few more set up an institution
    let large_2024 = all.iter().filter(|e| attribute(e, 2024, "sales_over_100m")).count();
    let with_rd_2024 = all.iter().filter(|e| attribute(e, 2024, "sales_over_100m") && has_institution(e, 2024)).count();
    assert_eq!((with_rd_2024, large_2024), (114, 312));
    let high_tech = |year| all.iter().filter(|e| attribute(e, year, "high_tech")).count();
    assert_eq!((high_tech(2023), high_tech(2024)), (227, 239), "some become high-tech in 2024");
}

#[tokio::test]
async fn every_code_of_the_demo_register_is_a_valid_credit_code_and_every_name_is_its_own() {
    let app = spawn_demo().await;
    let all = enterprises(&app).await;
    assert_eq!(all.len(), 478, "a few hundred enterprises");
    let mut names = HashSet::new();
    for e in &all {
        let code = e["code"].as_str().unwrap();
        assert_eq!(CreditCode::parse(code).map(|c| c.to_string()), Ok(code.to_string()));
        assert!(code.starts_with("91320586"), "{code}");
        let (name, region) = (e["name"].as_str().unwrap(), e["region"].as_str().unwrap());
        assert!(name.ends_with("有限公司"), "{name}");
        let unit = match region {
            "town-jia" => "甲镇",
            "zone-gaoxin" => "高新区",
            _ => "",
        };
        assert!(name.starts_with(unit), "{name} in {region}");
        assert!(names.insert(name), "{name} twice");
    }
    let units: HashSet<&str> = all.iter().map(|e| e["region"].as_str().unwrap()).collect();
    assert_eq!(units.len(), 8, "every town and zone has enterprises");
}

#[tokio::test]
async fn each_of_the_three_zeros_has_enterprises_in_2024_and_fewer_every_quarter() {
    let app = spawn_demo().await;
    // (count, left, joined) per list, in the order of LISTS. Every quarter some leave each list (a
    // first patent granted, a first application filed); a few join the first (a patent lapsed, a
    // small enterprise grown into 规模以上). The other two count applications of the year to
    // date: a new year puts back on them whoever has not filed yet, and nobody joins within it.
    let cases = [
        ("2023Q4", [(38, 5, 0), (34, 19, 0), (11, 2, 0)]),
        ("2024Q1", [(36, 6, 4), (66, 27, 59), (17, 9, 15)]),
        ("2024Q2", [(31, 8, 3), (36, 30, 0), (12, 5, 0)]),
        ("2024Q3", [(21, 13, 3), (12, 24, 0), (5, 7, 0)]),
    ];
    for (period, want) in cases {
        let answer = app.get_as_admin(&format!("/api/v1/enterprises/three-zeros?period={period}")).await;
        assert!(answer.status.is_success(), "{}", answer.body);
        let lists = answer.body["lists"].as_array().unwrap();
        for (list, (code, (count, left, joined))) in lists.iter().zip(LISTS.iter().zip(want)) {
            assert_eq!(list["list"], *code);
            assert_eq!(list["indicator"], *code, "the register indicator counting the list");
            let got = (
                list["count"].as_u64().unwrap(),
                list["left"].as_array().unwrap().len(),
                list["joined"].as_array().unwrap().len(),
            );
            assert_eq!(got, (count, left, joined), "{code} in {period}");
            assert_eq!(list["enterprises"].as_array().unwrap().len() as u64, count);
        }
    }
    // the register indicators count the same
    assert_figures(
        &app.series("district", "scale_zero_patents", "2024Q1", "2024Q4", "quarter").await,
        &[Some(36.0), Some(31.0), Some(21.0), None],
    );
}

#[tokio::test]
async fn the_three_zeros_have_2024_targets_of_none_for_the_district_and_every_town_and_zone() {
    let app = spawn_demo().await;
    for code in LISTS {
        let targets = app.get_as_admin(&format!("/api/v1/targets?year=2024&indicator={code}")).await.body;
        let rows = targets.as_array().unwrap();
        assert_eq!(rows.len(), 9, "{code}: the district and its eight towns and zones");
        for t in rows {
            assert_eq!(t["value"].as_f64(), Some(0.0), "{code}: {t}");
        }
        let indicator = app.get_as_admin(&format!("/api/v1/indicators/{code}")).await.body;
        assert_eq!(
            (&indicator["mode"], &indicator["direction"], &indicator["unit"]),
            (&Value::from("register"), &Value::from("lower"), &Value::from("家"))
        );
    }
    let progress =
        app.get_as_admin("/api/v1/progress?indicator=scale_zero_patents&period=2024Q3&region=district").await.body;
    let row = &progress[0];
    assert_eq!((row["actual"].as_f64(), row["target"].as_f64()), (Some(21.0), Some(0.0)), "{row}");
}
