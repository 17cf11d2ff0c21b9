//! The demo data tells the plan's story with its real district figures.

use std::process::Command;

use reqwest::StatusCode;
use serde_json::json;
use zhibiao::domain::access::Role;

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
    // (a 1-decimal figure leaves the engine with 1 + 4 places)
    assert_figures(&annual("district", "rd_institution_rate").await, &[Some(33.33333)]);
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

#[tokio::test]
async fn the_demo_tells_the_plans_story_of_targets_benchmarks_and_assessment() {
    let app = spawn_demo().await;
    let progress = app.progress_of("district", "rd_expenditure", "2023Q4").await;
    assert_eq!(progress["target"], 19.0);
    assert_eq!(progress["actual"], 18.0);
    assert_eq!(progress["completion"], 0.947368, "18 / 19 to 6 places");
    assert_eq!(progress["status"], "missed", "at the year's end 94.7% of the target is missed");
    // the split to the towns and zones adds up to 19亿元 exactly
    let targets = app.get_as_admin("/api/v1/targets?year=2023&indicator=rd_expenditure").await.body;
    let children: f64 = targets
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["region"] != "district")
        .map(|t| t["value"].as_f64().unwrap())
        .sum();
    assert!((children - 19.0).abs() < 1e-9, "{children}");
    let bench = app.get_as_admin("/api/v1/benchmarks?region=district&indicator=rd_share&period=2023").await.body;
    assert_eq!((bench["rank"].as_u64(), bench["count"].as_u64()), (Some(4), Some(4)));
    let assessment = app.get_as_admin("/api/v1/assessments/2023").await.body;
    let regions = assessment["regions"].as_array().unwrap();
    assert_eq!(regions.len(), 8);
    let methods: std::collections::HashSet<&str> =
        regions[0]["items"].as_array().unwrap().iter().map(|i| i["method"].as_str().unwrap()).collect();
    assert_eq!(methods.len(), 3, "every method is used: {methods:?}");
    let grade_of = |total: f64| match total {
        t if t >= 90.0 => "优秀",
        t if t >= 80.0 => "良好",
        t if t >= 60.0 => "合格",
        _ => "不合格",
    };
    for r in regions {
        let total = r["total"].as_f64().unwrap();
        assert_eq!(r["grade"], grade_of(total), "{}", r["region"]);
        let better = regions.iter().filter(|o| o["total"].as_f64().unwrap() > total).count() as u64;
        assert_eq!(r["rank"].as_u64(), Some(better + 1), "competition rank of {}", r["region"]);
    }
    let gaoxin = regions.iter().find(|r| r["region"] == "zone-gaoxin").unwrap();
    assert_eq!(gaoxin["adjustments"][0]["points"], 2.0);
    // the R&D item of 甲镇: completion of its share of 19亿元, scored 40 × min(c, 1.2)
    let jia = regions.iter().find(|r| r["region"] == "town-jia").unwrap();
    let rd = &jia["items"][0];
    let c = rd["actual"].as_f64().unwrap() / rd["target"].as_f64().unwrap();
    assert!((rd["score"].as_f64().unwrap() - 40.0 * c.min(1.2)).abs() < 1e-6, "{rd}");
}

/// The README's walk through the API, step by step, against the figures it shows, written out here
/// as literals: the engine's own answers are not the measure of what the README promises.
#[tokio::test]
async fn the_readmes_walk_through_the_api_answers_the_figures_the_readme_shows() {
    let readme = include_str!("../../README.md");
    let app = spawn_demo().await;
    let jia = app.add_user("jia", Role::Statistician, &["town-jia"]);

    let share =
        app.get_as_admin("/api/v1/series?region=district&indicator=rd_share&from=2023&to=2023&view=annual").await;
    assert_eq!(
        share.body,
        json!({"region": "district", "indicator": "rd_share", "unit": "%", "view": "annual",
               "points": [{"period": "2023", "value": 1.8, "coverage": {"reported": 8, "total": 8}, "source": "computed"}]})
    );
    assert!(readme.contains(
        r#""points":[{"period":"2023","value":1.8,"coverage":{"reported":8,"total":8},"source":"computed"}]}"#
    ));

    // 30.5 and 1.2 from 甲镇: the R&D figure is more than twice 2024Q1's 0.46, the GDP is not
    let body = json!({"region": "town-jia", "period": "2025Q1", "values": [
        {"indicator": "gdp", "value": 30.5},
        {"indicator": "rd_expenditure", "value": 1.2, "comment": "含新入统企业"}]});
    let stored = app.send_json(reqwest::Method::PUT, "/api/v1/values", &jia, &body).await;
    assert_eq!(stored.status, StatusCode::OK, "{}", stored.body);
    assert_eq!(
        stored.body,
        json!({"stored": 2, "warnings": [{"indicator": "rd_expenditure", "code": "yoy_jump",
                                          "message": "R&D经费支出累计值1.2与上年同期0.46相差超过2倍，请核实"}]})
    );
    assert!(
        readme
            .contains(r#"# {"stored":2,"warnings":[{"indicator":"rd_expenditure","code":"yoy_jump","message":"…"}]}"#)
    );

    let gdp = app.get_as_admin("/api/v1/series?region=district&indicator=gdp&from=2025Q1&to=2025Q4&view=ytd").await;
    let points: Vec<_> =
        gdp.body["points"].as_array().unwrap().iter().map(|p| (p["value"].clone(), p["coverage"].clone())).collect();
    let nothing = json!({"reported": 0, "total": 8});
    assert_eq!(
        points,
        [
            (json!(30.5), json!({"reported": 1, "total": 8})),
            (json!(null), nothing.clone()),
            (json!(null), nothing.clone()),
            (json!(null), nothing)
        ]
    );
    assert!(readme.contains(r#"# points: 2025Q1 → 30.5 with coverage {"reported":1,"total":8}, later quarters null"#));

    let progress = app.get_as_admin("/api/v1/progress?indicator=rd_expenditure&period=2023Q4&region=district").await;
    assert_eq!(
        progress.body,
        json!([{"region": "district", "name": "全区", "indicator": "rd_expenditure", "actual": 18.0, "target": 19.0,
                "expected": 1.0, "pace": 19.0, "completion": 0.947368, "status": "missed", "previous": 15.98,
                "change": 2.02, "growth_pct": 12.6408, "yoy": {"growth": 12.6},
                "coverage": {"reported": 8, "total": 8}, "source": "computed"}])
    );
    for shown in [
        r#"# [{"region":"district","name":"全区","indicator":"rd_expenditure","actual":18.0,"target":19.0,"expected":1.0,"#,
        r#"#   "pace":19.0,"completion":0.947368,"status":"missed","previous":15.98,"change":2.02,"growth_pct":12.6408,"#,
        r#"#   "yoy":{"growth":12.6},"coverage":{"reported":8,"total":8},"source":"computed"}]"#,
    ] {
        assert!(readme.contains(shown), "the README lacks {shown}");
    }

    let bench = app.get_as_admin("/api/v1/benchmarks?region=district&indicator=rd_share&period=2023").await;
    assert_eq!(bench.body["region"], json!({"id": "district", "name": "全区", "value": 1.8}));
    assert_eq!(
        bench.body["benchmarks"][0],
        json!({"id": "kunshan", "name": "昆山市", "value": 1.9, "gap": -0.1, "ratio": 0.947368,
               "source": "昆山市2023年国民经济和社会发展统计公报"})
    );
    assert_eq!((&bench.body["rank"], &bench.body["count"]), (&json!(4), &json!(4)));
    assert!(readme.contains(
        r#""gap":-0.1,"ratio":0.947368,"source":"昆山市2023年国民经济和社会发展统计公报"},…],"rank":4,"count":4}"#
    ));
}
