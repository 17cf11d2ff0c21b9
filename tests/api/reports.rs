//! Reports: the narrative on the plan's figures, workbooks read back with calamine, HTML.

use std::io::Cursor;

use calamine::{Data, DataType, Reader, Xlsx, open_workbook_from_rs};
use reqwest::StatusCode;
use serde_json::{Value, json};
use zhibiao::domain::access::Role;

use crate::browser::{browser, chromedriver, sign_in};
use crate::helpers::{TestApp, spawn_demo};

impl TestApp {
    async fn report(&self, path: &str) -> (String, Vec<u8>) {
        let resp = self.client.get(format!("{}{path}", self.base)).bearer_auth(&self.admin).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        let content_type = resp.headers()["content-type"].to_str().unwrap().to_string();
        (content_type, resp.bytes().await.unwrap().to_vec())
    }

    async fn report_json(&self, path: &str) -> Value {
        serde_json::from_slice(&self.report(path).await.1).unwrap()
    }
}

fn workbook(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
    open_workbook_from_rs(Cursor::new(bytes)).unwrap()
}

fn cell(wb: &mut Xlsx<Cursor<Vec<u8>>>, sheet: &str, row: u32, col: u32) -> Data {
    wb.worksheet_range(sheet).unwrap().get_value((row, col)).cloned().unwrap_or(Data::Empty)
}

/// The data row (0-based from the first row under the headers) whose first cell is `name`.
fn row_of(wb: &mut Xlsx<Cursor<Vec<u8>>>, sheet: &str, name: &str) -> u32 {
    let range = wb.worksheet_range(sheet).unwrap();
    (0..range.height() as u32)
        .find(|r| range.get_value((*r, 0)) == Some(&Data::String(name.into())))
        .unwrap_or_else(|| panic!("{name} not in {sheet}"))
}

#[tokio::test]
async fn the_year_end_bulletin_speaks_the_plans_figures() {
    let app = spawn_demo().await;
    let bulletin = app.report_json("/reports/bulletin/2023Q4.json").await;
    let narrative: Vec<&str> = bulletin["narrative"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    // 18 / 15.98 − 1 = 12.64%; 18 / 19 = 94.74%
    assert!(narrative.contains(&"全年，全区R&D经费支出18亿元，同比增长12.6%，完成年度目标的94.7%。"), "{narrative:#?}");
    // 100 × 18 / 1000 = 1.8 against 100 × 15.98 / 940 = 1.70
    assert!(narrative.contains(&"全年，全区R&D经费占GDP比重1.8%，比上年同期提高0.1个百分点。"), "{narrative:#?}");
    // 3601 / 3320 − 1 = 8.46%; 3601 / 2200 = 163.68%
    assert!(narrative.contains(&"全年，全区专利申请量3601件，同比增长8.5%，完成年度目标的163.7%。"), "{narrative:#?}");
    // a level is dated at the year's end: 100 of 300 large enterprises have an R&D institution
    assert!(narrative.iter().any(|s| s.starts_with("年末，全区销售超亿元企业研发机构建有率33.3%")), "{narrative:#?}");
    assert_eq!(bulletin["title"], "全区2023年科技统计公报");
    assert_eq!(bulletin["children"].as_array().unwrap().len(), 8);
    // at the year's end no pace is left: 18 of 19亿元 is missed
    let rd = bulletin["lines"].as_array().unwrap().iter().find(|l| l["indicator"] == "rd_expenditure").unwrap();
    assert_eq!((rd["status"].as_str(), rd["status_label"].as_str()), (Some("missed"), Some("未完成")));
}

#[tokio::test]
async fn the_third_quarter_bulletin_measures_against_the_pace() {
    let app = spawn_demo().await;
    // the README's example, to the letter: 13.31 / 11.82 − 1 = 12.61%; 13.31 / 19 = 70.05%, below
    // the pace of 75% of 19亿元 by the end of Q3, though within 90% of it; 2022's 11.82 of 15.98 by
    // Q3 (74.0%) projects 13.31 / 0.7397 = 17.99亿元, 94.7% of the target (the year made 18.0)
    let want = "1-3季度，全区R&D经费支出13.31亿元，同比增长12.6%，完成年度目标的70.1%，低于序时进度，按上年季节规律测算，预计全年可完成年度目标的94.7%。";
    assert!(include_str!("../../README.md").contains(&format!("`{want}`")), "the README shows another sentence");
    assert_eq!(app.series("district", "rd_expenditure", "2023Q3", "2023Q3", "ytd").await, [Some(13.31)]);
    let bulletin = app.report_json("/reports/bulletin/2023Q3.json").await;
    let narrative: Vec<&str> = bulletin["narrative"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    assert!(narrative.contains(&want), "{want} not in {narrative:#?}");
    let line = bulletin["lines"].as_array().unwrap().iter().find(|l| l["indicator"] == "rd_expenditure").unwrap();
    assert_eq!(line["status"], "behind");
    assert_eq!(line["target"], 19.0);
    assert_eq!(
        (&line["value"], &line["previous"], &line["completion"]),
        (&json!(13.31), &json!(11.82), &json!(0.700526))
    );
}

#[tokio::test]
async fn the_bulletin_workbook_holds_numbers_with_units_in_headers() {
    let app = spawn_demo().await;
    let (content_type, bytes) = app.report("/reports/bulletin/2023Q4.xlsx").await;
    assert!(content_type.contains("spreadsheetml"));
    let mut wb = workbook(bytes);
    assert_eq!(wb.sheet_names(), ["主要指标", "分地区", "综述"]);
    let rd = row_of(&mut wb, "主要指标", "R&D经费支出");
    assert_eq!(cell(&mut wb, "主要指标", rd, 1), Data::String("亿元".into()));
    assert_eq!(cell(&mut wb, "主要指标", rd, 2), Data::Float(18.0));
    assert_eq!(cell(&mut wb, "主要指标", rd, 3), Data::Float(15.98));
    assert_eq!(cell(&mut wb, "主要指标", rd, 7), Data::Float(19.0));
    let patents = row_of(&mut wb, "主要指标", "专利申请量");
    assert_eq!(cell(&mut wb, "主要指标", patents, 2), Data::Float(3601.0));
    // the towns' figures add up to the district's
    let range = wb.worksheet_range("分地区").unwrap();
    assert_eq!(range.get_value((1, 2)), Some(&Data::String("R&D经费支出（亿元）".into())));
    let sum: f64 = (2..10).map(|r| range.get_value((r, 2)).and_then(|d| d.as_f64()).unwrap()).sum();
    assert!((sum - 18.0).abs() < 1e-9, "{sum}");
}

#[tokio::test]
async fn the_assessment_report_matches_the_engine_and_explains_every_score() {
    let app = spawn_demo().await;
    let result = app.get_as_admin("/api/v1/assessments/2023").await.body;
    let (_, bytes) = app.report("/reports/assessment/2023.xlsx").await;
    let mut wb = workbook(bytes);
    assert_eq!(wb.sheet_names(), ["考核结果", "得分说明", "对标分析"]);
    let items = 4;
    for region in result["regions"].as_array().unwrap() {
        let name = region["name"].as_str().unwrap();
        let r = {
            let range = wb.worksheet_range("考核结果").unwrap();
            (0..range.height() as u32).find(|r| range.get_value((*r, 1)) == Some(&Data::String(name.into()))).unwrap()
        };
        assert_eq!(cell(&mut wb, "考核结果", r, 0), Data::Float(region["rank"].as_f64().unwrap()), "{name}");
        assert_eq!(cell(&mut wb, "考核结果", r, 3 + items), Data::Float(region["total"].as_f64().unwrap()), "{name}");
        assert_eq!(cell(&mut wb, "考核结果", r, 4 + items), Data::String(region["grade"].as_str().unwrap().into()));
    }
    let explained = wb.worksheet_range("得分说明").unwrap();
    let first = result["regions"][0]["items"][0]["explanation"].as_str().unwrap();
    assert!(explained.rows().any(|row| row.get(7) == Some(&Data::String(first.into()))), "{first}");
    let (content_type, html) = app.report("/reports/assessment/2023.html").await;
    assert!(content_type.starts_with("text/html"));
    let html = String::from_utf8(html).unwrap();
    // HTML escapes the '/' of A / T; the score's own working reads the same
    let working = first.rsplit('；').next().unwrap();
    for needle in ["2023年度科技创新目标考核结果", "获批省级创新平台", working, "与先进地区对比", "昆山市", "<svg"]
    {
        assert!(html.contains(needle), "{needle} missing");
    }
}

#[tokio::test]
async fn completeness_names_who_has_not_reported_what() {
    let app = spawn_demo().await;
    let jia = app.add_user("jia", Role::Statistician, &["town-jia"]);
    let answer = app.put_values(&jia, "town-jia", "2025Q1", &[("gdp", 30.0), ("rd_expenditure", 0.5)]).await;
    assert_eq!(answer.status, StatusCode::OK);
    let rows = app.get_as_admin("/api/v1/completeness?period=2025Q1&parent=district").await.body;
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 8);
    let jia_row = rows.iter().find(|r| r["region"] == "town-jia").unwrap();
    // nine typed indicators less the two counted from the enterprise register
    assert_eq!((jia_row["required"].as_u64(), jia_row["reported"].as_u64()), (Some(7), Some(2)));
    assert!(!jia_row["missing"].as_array().unwrap().iter().any(|m| m == "gdp"));
    assert!(jia_row["submitted_at"].is_string());
    let yi = rows.iter().find(|r| r["region"] == "town-yi").unwrap();
    assert_eq!(yi["reported"], 0);
    assert!(yi["submitted_at"].is_null());
    let html = String::from_utf8(app.report("/reports/completeness/2025Q1.html").await.1).unwrap();
    assert!(html.contains("2025年一季度统计数据报送情况") && html.contains("2/7"), "{html}");
    let complete = app.report_json("/reports/completeness/2023Q4.json").await;
    assert_eq!(complete["complete"], 8);
}

#[tokio::test]
async fn report_requests_are_checked() {
    let app = spawn_demo().await;
    for (path, status) in [
        ("/reports/bulletin/2023Q3.pdf", 404),
        ("/reports/bulletin/2023Q5.html", 422),
        ("/reports/bulletin/2023Q3.json?region=nowhere", 404),
        ("/reports/assessment/2030.json", 404),
        ("/api/v1/completeness?period=2023-Q4", 422),
    ] {
        let answer = app.get_as_admin(path).await;
        assert_eq!(answer.status.as_u16(), status, "{path}: {}", answer.body);
        assert!(answer.body["error"]["code"].is_string(), "{path}");
    }
    assert_eq!(app.get("/reports/bulletin/2023Q3.html", None).await.status, StatusCode::UNAUTHORIZED);
    let town = app.report_json("/reports/bulletin/2023Q3.json?region=town-jia").await;
    assert_eq!(town["region_name"], "甲镇");
    assert!(town["narrative"][0].as_str().unwrap().starts_with("1-3季度，甲镇地区生产总值"));
    assert_eq!(town["children"], serde_json::json!([]));
}

#[test]
fn report_writes_the_same_files_offline() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let exe = env!("CARGO_BIN_EXE_zhibiao");
    assert!(std::process::Command::new(exe).args(["demo", "--db"]).arg(&db).output().unwrap().status.success());
    let run = |args: &[&str], out: &std::path::Path| {
        std::process::Command::new(exe)
            .arg("report")
            .arg("--db")
            .arg(&db)
            .args(args)
            .arg("-o")
            .arg(out)
            .output()
            .unwrap()
    };
    let xlsx = dir.path().join("b.xlsx");
    let done = run(&["bulletin", "2023Q4", "--format", "xlsx"], &xlsx);
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    let mut wb = workbook(std::fs::read(&xlsx).unwrap());
    let rd = row_of(&mut wb, "主要指标", "R&D经费支出");
    assert_eq!(cell(&mut wb, "主要指标", rd, 2), Data::Float(18.0));
    let json = dir.path().join("c.json");
    assert!(run(&["completeness", "2023Q4", "--format", "json"], &json).status.success());
    let complete: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(complete["complete"], 8);
    let refused = run(&["assessment", "2023Q1", "--format", "html"], &dir.path().join("a.html"));
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("报告期应为年份"));
}

/// Measured in a real browser: the body is as wide as the text of an A4 page (210 − 2 × 14 mm) on
/// screen as on paper, so a table that stays within it on screen stays within the margins when
/// printed. Every table ends inside the body and no cell's content spills out of its cell.
#[tokio::test]
async fn report_tables_fit_the_width_of_an_a4_page() {
    let app = spawn_demo().await;
    app.add_user("printer", Role::Admin, &[]);
    zhibiao::engine::users::set_password(&app.pool.get().unwrap(), "test", "printer", "printer-secret-1").unwrap();
    // a bulletin with more and longer columns than the demo's: 14 indicators, long names, large figures
    for i in 0..3 {
        let body = serde_json::json!({"code": format!("wide_{i}"), "name": format!("规模以上工业企业研究与试验发展经费内部支出{i}"),
                                      "unit": "万元", "decimals": 2, "mode": "ytd"});
        assert_eq!(app.post_indicator(body).await.status, StatusCode::CREATED);
        app.put_values_as_admin("town-jia", "2023Q4", &[(&format!("wide_{i}"), 123456789.12)]).await;
    }
    let driver = chromedriver().await;
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;
    sign_in(&c, &app.base, "printer", "printer-secret-1").await;
    let measure = r#"
        const body = document.body.getBoundingClientRect();
        const tables = [...document.querySelectorAll('table')].map(t => ({
            beyond: t.getBoundingClientRect().right - body.right,
            spilling: [...t.querySelectorAll('td, th')].filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.textContent),
        }));
        return { width: body.width, tables };
    "#;
    for path in ["/reports/bulletin/2023Q4.html", "/reports/bulletin/2023.html", "/reports/assessment/2023.html"] {
        c.goto(&format!("{}{path}", app.base)).await.unwrap();
        let m = c.execute(measure, vec![]).await.unwrap();
        // 182 mm at 96 px to the inch
        let width = m["width"].as_f64().unwrap();
        assert!((width - 182.0 / 25.4 * 96.0).abs() < 1.0, "{path}: body {width}px");
        let tables = m["tables"].as_array().unwrap();
        assert!(tables.len() >= 2, "{path}: {m}");
        for t in tables {
            assert!(t["beyond"].as_f64().unwrap() <= 0.5, "{path}: a table ends beyond the margin: {m}");
            assert_eq!(t["spilling"], serde_json::json!([]), "{path}: {m}");
        }
    }
    c.close().await.unwrap();
}
