//! The year's end and whole years: `period=YYYY` for progress and bulletins, `achieved`
//! or `missed` once no pace is left; year-on-year changes of ratios in points; figures without
//! binary noise; no rank without anything to be ranked against.

use calamine::{Data, Reader};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_demo};

impl TestApp {
    async fn progress_rows(&self, query: &str) -> Vec<Value> {
        let answer = self.get_as_admin(&format!("/api/v1/progress?{query}")).await;
        assert_eq!(answer.status, StatusCode::OK, "{query}: {}", answer.body);
        answer.body.as_array().unwrap().clone()
    }

    async fn get_bytes(&self, path: &str) -> Vec<u8> {
        let resp = self.client.get(format!("{}{path}", self.base)).bearer_auth(&self.admin).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        resp.bytes().await.unwrap().to_vec()
    }
}

/// The decimal places of a JSON number as it is written.
fn places(v: &Value) -> usize {
    v.to_string().split_once('.').map_or(0, |(_, f)| f.trim_start_matches('-').len())
}

#[tokio::test]
async fn a_whole_year_is_its_annual_figures_measured_at_the_years_end() {
    let app = spawn_demo().await;
    for period in ["2023", "2023Q4"] {
        let rows = app.progress_rows(&format!("indicator=rd_expenditure&period={period}&region=district")).await;
        let d = &rows[0];
        // 18 of 19亿元 at the year's end: missed, not 略低于序时进度; 2022 was 15.98
        assert_eq!(
            (d["actual"].as_f64(), d["target"].as_f64(), d["expected"].as_f64()),
            (Some(18.0), Some(19.0), Some(1.0))
        );
        assert_eq!(d["status"], "missed", "{period}");
        assert_eq!((d["previous"].as_f64(), d["change"].as_f64()), (Some(15.98), Some(2.02)), "{period}");
        assert_eq!(d["growth_pct"], 12.6408, "100 × 2.02 / 15.98 to 4 places ({period})");
        assert_eq!(d["completion"], 0.947368, "{period}");
        let patents =
            &app.progress_rows(&format!("indicator=patent_applications&period={period}&region=district")).await[0];
        assert_eq!((patents["actual"].as_f64(), patents["status"].as_str()), (Some(3601.0), Some("achieved")));
    }
    // the towns at the year's end: achieved or missed, nothing in between
    let towns = app.progress_rows("indicator=rd_expenditure&period=2023&parent=district").await;
    assert_eq!(towns.len(), 8);
    for t in &towns {
        let (actual, target) = (t["actual"].as_f64().unwrap(), t["target"].as_f64().unwrap());
        let want = if actual >= target { "achieved" } else { "missed" };
        assert_eq!(t["status"], want, "{t}");
    }
    assert!(towns.iter().any(|t| t["status"] == "missed") && towns.iter().any(|t| t["status"] == "achieved"));
    // before the year's end the pace still speaks
    let q3 = &app.progress_rows("indicator=rd_expenditure&period=2023Q3&region=district").await[0];
    assert_eq!((q3["status"].as_str(), q3["expected"].as_f64()), (Some("behind"), Some(0.75)));
}

#[tokio::test]
async fn at_the_years_end_both_directions_are_achieved_or_missed() {
    let app = spawn_app().await.with_small_world().await;
    let lower =
        json!({"code": "energy_use", "name": "单位GDP能耗", "unit": "吨标准煤", "mode": "ytd", "direction": "lower"});
    assert_eq!(app.post_indicator(lower).await.status, StatusCode::CREATED);
    for town in ["town-a", "town-b", "town-c"] {
        app.set_target(town, "gdp", 2023, 100.0).await;
        app.set_target(town, "energy_use", 2023, 100.0).await;
    }
    // (town, gdp, energy use): the target itself, just beyond it, and just short of it
    let figures = [("town-a", 100.0, 100.0), ("town-b", 99.99, 100.01), ("town-c", 120.0, 80.0)];
    for (town, gdp, energy) in figures {
        app.put_values_as_admin(town, "2023Q4", &[("gdp", gdp), ("energy_use", energy)]).await;
    }
    for period in ["2023Q4", "2023"] {
        for (indicator, want) in
            [("gdp", ["achieved", "missed", "achieved"]), ("energy_use", ["achieved", "missed", "achieved"])]
        {
            let rows = app.progress_rows(&format!("indicator={indicator}&period={period}&parent=district")).await;
            let got: Vec<&str> = rows.iter().map(|r| r["status"].as_str().unwrap()).collect();
            assert_eq!(got, want, "{indicator} at {period}");
        }
    }
    // town-b at 99.99 of 100 in Q3 is well ahead of the pace; at the year's end it is short
    app.put_values_as_admin("town-b", "2023Q3", &[("gdp", 99.99)]).await;
    assert_eq!(app.progress_of("town-b", "gdp", "2023Q3").await["status"], "on_track");
    assert_eq!(app.progress_of("town-b", "gdp", "2023Q4").await["status"], "missed");
}

#[tokio::test]
async fn an_annual_indicator_is_measured_on_its_annual_figure() {
    let app = spawn_app().await.with_small_world().await;
    let survey = json!({"code": "rd_survey", "name": "R&D经费内部支出（年报）", "unit": "亿元", "decimals": 1,
                        "mode": "ytd", "frequency": "annual"});
    let created = app.post_indicator(survey).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    app.put_values_as_admin("town-a", "2022", &[("rd_survey", 4.0)]).await;
    app.put_values_as_admin("town-a", "2023", &[("rd_survey", 4.6)]).await;
    app.set_target("town-a", "rd_survey", 2023, 5.0).await;
    for period in ["2023", "2023Q4"] {
        let row = app.progress_of("town-a", "rd_survey", period).await;
        assert_eq!((row["actual"].as_f64(), row["previous"].as_f64()), (Some(4.6), Some(4.0)), "{period}");
        assert_eq!((row["status"].as_str(), row["growth_pct"].as_f64()), (Some("missed"), Some(15.0)), "{period}");
    }
    assert_eq!(app.progress_of("town-a", "rd_survey", "2023Q3").await["status"], "no_data");
    // the year's bulletin speaks of it; the third quarter's does not list it
    let year = app.get_as_admin("/reports/bulletin/2023.json?region=town-a").await.body;
    assert!(
        year["narrative"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "全年，甲镇R&D经费内部支出（年报）4.6亿元，同比增长15.0%，完成年度目标的92.0%。"),
        "{}",
        year["narrative"]
    );
    let q3 = app.get_as_admin("/reports/bulletin/2023Q3.json?region=town-a").await.body;
    assert!(q3["lines"].as_array().unwrap().iter().all(|l| l["indicator"] != "rd_survey"), "{}", q3["lines"]);
}

#[tokio::test]
async fn the_bulletin_of_a_year_uses_the_regions_own_name() {
    let app = spawn_app().await;
    for body in [
        json!({"id": "cn", "name": "全国", "kind": "district"}),
        json!({"id": "hunan", "name": "湖南省", "kind": "town", "parent": "cn"}),
    ] {
        assert_eq!(app.post_region(body).await.status, StatusCode::CREATED);
    }
    let rd = json!({"code": "rd_expenditure", "name": "R&D经费支出", "unit": "亿元", "decimals": 1, "mode": "ytd"});
    assert_eq!(app.post_indicator(rd).await.status, StatusCode::CREATED);
    app.put_values_as_admin("hunan", "2022Q4", &[("rd_expenditure", 30782.9)]).await;
    app.put_values_as_admin("hunan", "2023Q4", &[("rd_expenditure", 33356.8)]).await;
    let b = app.get_as_admin("/reports/bulletin/2023.json").await.body;
    assert_eq!((b["title"].as_str(), b["period"].as_str()), (Some("全国2023年科技统计公报"), Some("2023")));
    assert_eq!(b["narrative"], json!(["全年，全国R&D经费支出33356.8亿元，同比增长8.4%。"]));
    let html = String::from_utf8(app.get_bytes("/reports/bulletin/2023.html").await).unwrap();
    assert!(html.contains("全年，全国R&amp;D经费支出33356.8亿元") && !html.contains("全区"), "{html}");
    let province = app.get_as_admin("/reports/bulletin/2023Q4.json?region=hunan").await.body;
    assert_eq!(province["narrative"][0], "全年，湖南省R&D经费支出33356.8亿元，同比增长8.4%。");
}

#[tokio::test]
async fn a_ratios_change_is_in_points_everywhere_and_figures_carry_no_noise() {
    let app = spawn_demo().await;
    let b = app.get_as_admin("/reports/bulletin/2023Q3.json").await.body;
    let line = |code: &str| b["lines"].as_array().unwrap().iter().find(|l| l["indicator"] == code).unwrap().clone();
    let share = line("rd_share");
    assert_eq!((share["value"].as_f64(), share["previous"].as_f64()), (Some(1.810367), Some(1.709377)), "{share}");
    assert_eq!(share["yoy"], json!({"points": 0.1}), "{share}");
    assert_eq!(
        (share["change_short"].as_str(), share["change_text"].as_str()),
        (Some("+0.1个百分点"), Some("比上年同期提高0.1个百分点"))
    );
    let rd = line("rd_expenditure");
    assert_eq!((rd["yoy"].clone(), rd["change_short"].as_str()), (json!({"growth": 12.6}), Some("+12.6%")), "{rd}");
    // a 2-decimal ratio leaves the engine with at most 2 + 4 places, and so does every figure in the lines
    for l in b["lines"].as_array().unwrap() {
        let decimals = l["decimals"].as_u64().unwrap() as usize;
        for field in ["value", "previous", "change", "target"] {
            assert!(places(&l[field]) <= decimals + 4, "{} {field} = {}", l["indicator"], l[field]);
        }
        assert!(places(&l["completion"]) <= 6 && places(&l["growth_pct"]) <= 4, "{l}");
    }
    let rows = app.progress_rows("indicator=rd_share&period=2023Q3&parent=district").await;
    for r in &rows {
        assert!(places(&r["actual"]) <= 6 && places(&r["change"]) <= 6, "{r}");
    }
    // 1.8 against 1.9, 2.1 and 3.3
    let c = app.get_as_admin("/api/v1/benchmarks?region=district&indicator=rd_share&period=2023").await.body;
    let gaps: Vec<&Value> = c["benchmarks"].as_array().unwrap().iter().map(|t| &t["gap"]).collect();
    assert_eq!(gaps, [&json!(-0.1), &json!(-0.3), &json!(-1.5)], "{c}");
    let ratios: Vec<&Value> = c["benchmarks"].as_array().unwrap().iter().map(|t| &t["ratio"]).collect();
    assert_eq!(ratios, [&json!(0.947368), &json!(0.857143), &json!(0.545455)], "{c}");
}

#[tokio::test]
async fn benchmarks_without_figures_give_no_rank() {
    let app = spawn_demo().await;
    // the benchmarks publish annual figures only: at a quarter there is nothing to rank against
    let q3 = app.get_as_admin("/api/v1/benchmarks?region=district&indicator=rd_share&period=2023Q3").await.body;
    assert!(q3["region"]["value"].is_f64(), "{q3}");
    assert!(q3["benchmarks"].as_array().unwrap().iter().all(|t| t["value"].is_null() && t["gap"].is_null()), "{q3}");
    assert_eq!((q3["rank"].clone(), q3["count"].clone()), (Value::Null, json!(0)), "{q3}");
    // our own figure missing (a year without data): no rank either
    let empty = app.get_as_admin("/api/v1/benchmarks?region=district&indicator=rd_share&period=2010").await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    assert_eq!(
        (empty.body["region"]["value"].clone(), empty.body["rank"].clone(), empty.body["count"].clone()),
        (Value::Null, Value::Null, json!(0)),
        "{}",
        empty.body
    );
    let year = app.get_as_admin("/api/v1/benchmarks?region=district&indicator=rd_share&period=2023").await.body;
    assert_eq!((year["rank"].as_u64(), year["count"].as_u64()), (Some(4), Some(4)));
}

#[tokio::test]
async fn the_bulletin_workbook_keeps_growth_and_points_in_columns_of_their_own() {
    let app = spawn_demo().await;
    let bytes = app.get_bytes("/reports/bulletin/2023.xlsx").await;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let range = wb.worksheet_range("主要指标").unwrap();
    let header: Vec<String> = (0..10).map(|c| range.get_value((1, c)).unwrap().to_string()).collect();
    assert_eq!(
        header,
        [
            "指标",
            "单位",
            "2023年",
            "上年同期",
            "增减量",
            "同比增长（%）",
            "同比增减（百分点）",
            "年度目标",
            "完成率（%）",
            "进度"
        ]
    );
    let row = |name: &str| {
        (0..range.height() as u32).find(|r| range.get_value((*r, 0)) == Some(&Data::String(name.into()))).unwrap()
    };
    let cells =
        |r: u32| -> Vec<Data> { (2..10).map(|c| range.get_value((r, c)).cloned().unwrap_or(Data::Empty)).collect() };
    // R&D share 1.8% against 1.70%: 0.1 points, no growth in percent, no change in "%"
    assert_eq!(
        cells(row("R&D经费占GDP比重")),
        [
            Data::Float(1.8),
            Data::Float(1.7),
            Data::Empty,
            Data::Empty,
            Data::Float(0.1),
            Data::Empty,
            Data::Empty,
            Data::String("未设目标".into())
        ]
    );
    // R&D 18 against 15.98: +2.02亿元, +12.6%, 94.7% of 19, missed
    assert_eq!(
        cells(row("R&D经费支出")),
        [
            Data::Float(18.0),
            Data::Float(15.98),
            Data::Float(2.02),
            Data::Float(12.6),
            Data::Empty,
            Data::Float(19.0),
            Data::Float(94.7368),
            Data::String("未完成".into())
        ]
    );
}

#[tokio::test]
async fn whole_years_are_asked_for_as_years() {
    let app = spawn_demo().await;
    for (path, status) in [
        ("/api/v1/progress?indicator=gdp&period=2023&region=district", 200),
        ("/api/v1/progress?indicator=gdp&period=2023Q5&region=district", 422),
        ("/api/v1/progress?indicator=gdp&period=2023-Q4&region=district", 422),
        ("/reports/bulletin/2023.json", 200),
        ("/reports/bulletin/2023.xlsx", 200),
        ("/reports/bulletin/23.json", 422),
        ("/reports/bulletin/2023Q0.html", 422),
    ] {
        let answer = app.get_as_admin(path).await;
        assert_eq!(answer.status.as_u16(), status, "{path}: {}", answer.body);
        if status == 422 {
            assert_eq!(answer.fields(), ["period"], "{path}");
        }
    }
    let year = app.get_as_admin("/reports/bulletin/2023.json").await.body;
    let q4 = app.get_as_admin("/reports/bulletin/2023Q4.json").await.body;
    assert_eq!(year["narrative"], q4["narrative"], "a quarterly indicator's year is its fourth quarter's year to date");
    assert_eq!(year["narrative"][1], "全年，全区R&D经费支出18亿元，同比增长12.6%，完成年度目标的94.7%。");
    assert_eq!((year["period_label"].as_str(), year["value_header"].as_str()), (Some("2023年"), Some("2023年")));
    assert_eq!(q4["value_header"], "2023年累计");
}
