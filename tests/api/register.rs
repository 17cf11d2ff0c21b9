//! Register indicators (企业库): counts and sums over a region's enterprises, computed by the one
//! engine like any figure — aggregated up the tree, inside formulas and targets — and never typed in.

use reqwest::StatusCode;
use serde_json::json;
use zhibiao::domain::enterprise::{
    CreditCode, Enterprise, Institution, InstitutionKind, Level, Measure, YearAttributes,
};
use zhibiao::domain::{Period, RegionId};

use crate::helpers::{TestApp, assert_figures, spawn_app};

/// Codes with a right check character, made from a running number.
fn code(n: u32) -> CreditCode {
    const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    let body = format!("91320500{n:09}");
    (0..31)
        .map(|i| format!("{body}{}", &ALPHABET[i..=i]))
        .find_map(|c| CreditCode::parse(&c).ok())
        .expect("one check character fits")
}

fn attributes(year: i32, flags: &str) -> YearAttributes {
    YearAttributes {
        year,
        scale: flags.contains('s'),
        high_tech: flags.contains('h'),
        sales_over_100m: flags.contains('b'),
        major_project: flags.contains('m'),
    }
}

/// 甲镇: three enterprises over 100m, one with a provincial tech centre; 乙镇: two over 100m, one
/// with a municipal station from 2024; 丙镇: none registered. Patent applications of 2023Q4.
async fn with_register() -> TestApp {
    let app = spawn_app().await.with_small_world().await;
    for (code, name, unit, rule) in [
        ("big_firms", "销售超亿元企业数（企业库）", "家", json!({"count": true, "where": ["sales_over_100m"]})),
        (
            "big_firms_with_rd",
            "建有研发机构的销售超亿元企业数",
            "家",
            json!({"count": true, "where": ["sales_over_100m", "has_rd_institution"]}),
        ),
        (
            "scale_zero_patents",
            "规模企业零专利",
            "家",
            json!({"count": true, "where": ["scale", "zero:valid_patents"]}),
        ),
        ("firm_applications", "企业专利申请量", "件", json!({"sum": "patent_applications", "where": ["scale"]})),
    ] {
        // fewer is better for a list the plan vows to empty
        let direction = if code.contains("zero") { "lower" } else { "higher" };
        let body = json!({"code": code, "name": name, "unit": unit, "mode": "register", "rule": rule,
                          "direction": direction});
        let answer = app.post_indicator(body).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        assert_eq!(answer.body["rule"], rule);
    }
    let rate = json!({"code": "rd_institution_rate", "name": "销售超亿元企业研发机构建有率", "unit": "%",
                      "decimals": 1, "mode": "derived", "formula": "100 * big_firms_with_rd / big_firms"});
    assert_eq!(app.post_indicator(rate).await.status, StatusCode::CREATED);

    let tech_centre = Institution {
        kind: InstitutionKind::TechCenter,
        level: Level::Provincial,
        name: Some("省级企业技术中心".into()),
        since: 2020,
        until: None,
    };
    let station = Institution {
        kind: InstitutionKind::GraduateStation,
        level: Level::Municipal,
        name: None,
        since: 2024,
        until: None,
    };
    let town = |id: &str| RegionId::parse(id).unwrap();
    let register = [
        (1, "town-a", vec![attributes(2023, "sb")], vec![tech_centre]),
        (2, "town-a", vec![attributes(2023, "sb")], vec![]),
        (3, "town-a", vec![attributes(2023, "b")], vec![]),
        (4, "town-b", vec![attributes(2023, "sbh")], vec![station]),
        (5, "town-b", vec![attributes(2023, "s"), attributes(2024, "sb")], vec![]),
    ];
    let conn = app.pool.get().unwrap();
    for (n, region, years, institutions) in register {
        let e = Enterprise { code: code(n), name: format!("企业{n}"), region: town(region), years, institutions };
        zhibiao::store::enterprises::save(&conn, &e).unwrap();
    }
    let q4 = Period::Quarter("2023Q4".parse().unwrap());
    let q1 = Period::Quarter("2024Q1".parse().unwrap());
    for (n, period, values) in [
        (1, q4, vec![(Measure::PatentApplications, 12.0), (Measure::ValidPatents, 40.0)]),
        (2, q4, vec![(Measure::PatentApplications, 0.0), (Measure::ValidPatents, 0.0)]),
        (4, q4, vec![(Measure::PatentApplications, 3.0), (Measure::ValidPatents, 5.0)]),
        (4, q1, vec![(Measure::PatentApplications, 1.0), (Measure::ValidPatents, 6.0)]),
    ] {
        zhibiao::store::enterprises::put_values(&conn, code(n).as_str(), period, &values).unwrap();
    }
    drop(conn);
    app
}

#[tokio::test]
async fn counts_of_the_register_add_up_the_tree_and_make_a_ratio_of_sums() {
    let app = with_register().await;
    // (region, indicator, 2023Q4, 2024Q1)
    let cases = [
        ("town-a", "big_firms", Some(3.0), Some(3.0)),
        ("town-b", "big_firms", Some(1.0), Some(2.0)), // 企业5 is over 100m from 2024
        ("town-c", "big_firms", Some(0.0), Some(0.0)), // none registered: none counted
        ("district", "big_firms", Some(4.0), Some(5.0)),
        ("district", "big_firms_with_rd", Some(1.0), Some(2.0)), // the station counts from 2024
        ("district", "rd_institution_rate", Some(25.0), Some(40.0)),
        // a figure leaves the engine at its decimals + 4 places
        ("town-a", "rd_institution_rate", Some(33.33333), Some(33.33333)),
        // 规模企业零专利: 企业2 recorded 0, 企业5 recorded nothing
        ("district", "scale_zero_patents", Some(2.0), Some(3.0)),
        ("district", "firm_applications", Some(15.0), Some(1.0)),
        ("town-c", "firm_applications", None, None), // nobody recorded it: no figure, not 0
    ];
    for (region, indicator, q4, q1) in cases {
        let got = app.series(region, indicator, "2023Q4", "2024Q1", "ytd").await;
        assert_figures(&got, &[q4, q1]);
    }
    // the register speaks from its first year to its latest figure: nothing before 2023 or after 2024Q1
    assert_figures(&app.series("district", "big_firms", "2022Q4", "2022Q4", "ytd").await, &[None]);
    assert_figures(&app.series("district", "big_firms", "2024Q2", "2024Q2", "ytd").await, &[None]);
}

#[tokio::test]
async fn a_register_figure_is_never_typed_in_and_a_rule_that_is_not_one_is_named() {
    let app = with_register().await;
    let answer = app.put_values(&app.admin.clone(), "town-a", "2023Q4", &[("big_firms", 3.0)]).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
    assert!(answer.body.to_string().contains("由企业库统计得出，不能填报"), "{}", answer.body);
    for (body, field, says) in [
        (json!({"code": "x1", "name": "甲", "unit": "家", "mode": "register"}), "rule", "需要统计规则"),
        (
            json!({"code": "x2", "name": "甲", "unit": "家", "mode": "register", "rule": {"count": true, "where": ["big"]}}),
            "rule.where[0]",
            "“big”不是企业条件",
        ),
        (
            json!({"code": "x3", "name": "甲", "unit": "家", "mode": "stock", "rule": {"count": true}}),
            "rule",
            "只有企业库指标",
        ),
    ] {
        let answer = app.post_indicator(body.clone()).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", answer.body);
        let errors = answer.body["error"]["details"].as_array().unwrap();
        assert!(
            errors.iter().any(|e| e["field"] == field && e["message"].as_str().unwrap().contains(says)),
            "{body}: {errors:?}"
        );
    }
}

#[tokio::test]
async fn a_target_of_zero_on_a_register_count_has_its_progress() {
    let app = with_register().await;
    let target = json!({"region": "district", "indicator": "scale_zero_patents", "year": 2024, "value": 0.0});
    let set = app.send_json(reqwest::Method::PUT, "/api/v1/targets", &app.admin, &target).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let progress =
        app.get_as_admin("/api/v1/progress?indicator=scale_zero_patents&period=2024Q1&region=district").await;
    assert_eq!(progress.status, StatusCode::OK, "{}", progress.body);
    let row = &progress.body[0];
    assert_eq!((&row["actual"], &row["target"]), (&json!(3.0), &json!(0.0)), "{row}");
    assert_eq!(row["coverage"], json!({"reported": 3, "total": 3}), "every town's count is known, 丙镇's is 0");
    assert_ne!(row["status"], "on_track", "three enterprises still on a list to be emptied: {row}");
}
