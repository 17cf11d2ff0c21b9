//! The demo's rectification plan (designed for 2023-12-20: every light and one open order) and
//! the report 整改工作进展情况通报 on it.

use std::io::Cursor;

use calamine::{Data, Reader};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::spawn_demo;

const DAY: &str = "2023-12-20";

#[tokio::test]
async fn on_the_demo_day_the_eight_tasks_show_every_light_and_one_order_is_open() {
    let app = spawn_demo().await;
    let answer = app.get_as_admin(&format!("/api/v1/tasks?on={DAY}")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let lights: Vec<(String, String, Vec<String>, Option<String>)> = answer
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let codes = t["light"]["reasons"].as_array().unwrap().iter();
            (
                t["lead_department"].as_str().unwrap().to_string(),
                t["light"]["color"].as_str().unwrap().to_string(),
                codes.map(|r| r["code"].as_str().unwrap().to_string()).collect(),
                t["order"].as_str().map(str::to_string),
            )
        })
        .collect();
    let s = |t: &str| t.to_string();
    let expected = vec![
        (s("局办公室"), s("blue"), vec![s("deadline_near")], None),
        (s("高新技术科"), s("yellow"), vec![s("target_behind")], None),
        (s("科技管理科"), s("green"), vec![s("done_on_time"), s("target_behind")], None),
        (s("高新技术科"), s("red"), vec![s("target_at_risk")], Some(s("督办〔2023〕1号"))),
        (s("科技管理科"), s("yellow"), vec![s("report_missing")], None),
        (s("农业与社会发展科"), s("blue"), vec![s("deadline_near")], None),
        (s("局办公室"), s("green"), vec![s("on_schedule")], None),
        (s("农业与社会发展科"), s("green"), vec![s("done_on_time")], None),
    ];
    assert_eq!(lights, expected);
    let count = |c: &str| lights.iter().filter(|l| l.1 == c).count();
    assert_eq!([count("green"), count("blue"), count("yellow"), count("red")], [3, 2, 2, 1]);

    let orders = app.get_as_admin("/api/v1/supervision/orders").await;
    assert_eq!(orders.status, StatusCode::OK, "{}", orders.body);
    let orders = orders.body.as_array().unwrap();
    assert_eq!(orders.len(), 1, "{orders:?}");
    assert_eq!(orders[0]["number"], "督办〔2023〕1号");
    assert_eq!(orders[0]["state"], "open");
    assert_eq!(orders[0]["task"], 4);
    assert_eq!(orders[0]["lead_department"], "高新技术科");
    assert_eq!(orders[0]["respond_by"], "2023-12-30");
}

#[tokio::test]
async fn the_report_counts_the_lights_sums_up_each_department_and_gives_each_task_its_reasons() {
    let app = spawn_demo().await;
    let answer = app.get_as_admin(&format!("/reports/rectification/2023Q4.json?on={DAY}")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let r = &answer.body;
    assert_eq!(r["title"], "整改工作进展情况通报（截至2023年12月20日）");
    let counts: Vec<(&str, u64)> = r["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["label"].as_str().unwrap(), c["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(counts, [("红灯", 1), ("黄灯", 2), ("蓝灯", 2), ("绿灯", 3)]);
    assert_eq!(r["open_orders"], 1);
    let gaoxin = r["departments"].as_array().unwrap().iter().find(|d| d["name"] == "高新技术科").unwrap();
    assert_eq!(
        gaoxin,
        &serde_json::json!({"name": "高新技术科", "tasks": 2, "done_on_time": 0, "overdue": 0, "open_orders": 1,
                            "by_light": [1, 1, 0, 0]})
    );
    let problems = r["problems"].as_array().unwrap();
    let titles: Vec<&str> = problems.iter().map(|p| p["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["全社会科技投入不足", "核心技术较少，专利产出不足", "高层次人才缺乏", "工作作风不够扎实"]);
    let iur = &problems[1]["tasks"][1];
    assert_eq!(iur["title"], "深化产学研合作突破关键核心技术");
    assert_eq!(iur["leader"], "李副局长");
    assert_eq!(iur["deadline_label"], "长期");
    assert_eq!(iur["light_label"], "红灯");
    assert_eq!(iur["reasons"], serde_json::json!(["“全区重大产学研合作项目”目标2023年1-3季度完成情况为“明显滞后”"]));
    assert_eq!(iur["orders"], serde_json::json!(["督办〔2023〕1号"]));
    assert_eq!(iur["latest_period"], "2023年三季度", "the fourth quarter's report was filed after the day");
    let target = &iur["targets"][0];
    assert_eq!(
        (&target["actual"], &target["target"], &target["completion_pct"]),
        (&Value::from(33.0), &Value::from(50.0), &Value::from(66.0))
    );
    assert_eq!(target["status"], "at_risk");
    let missing = &problems[2]["tasks"][0];
    assert_eq!(missing["reasons"], serde_json::json!(["2023年三季度进展情况未报送（应于2023年10月15日前报送）"]));

    // as of the fourth quarter's due date: the 2023.12 task not done is overdue
    let q4 = app.get_as_admin("/reports/rectification/2023Q4.json").await;
    assert_eq!(q4.body["title"], "整改工作进展情况通报（截至2024年1月15日）");
    let nongshe = q4.body["departments"].as_array().unwrap().iter().find(|d| d["name"] == "农业与社会发展科").unwrap();
    assert_eq!((&nongshe["done_on_time"], &nongshe["overdue"]), (&Value::from(1), &Value::from(1)));
}

#[tokio::test]
async fn the_report_reads_in_chinese_and_its_workbook_holds_the_counts_as_numbers() {
    let app = spawn_demo().await;
    let resp = app
        .client
        .get(format!("{}/reports/rectification/2023Q4.html?on={DAY}", app.base))
        .bearer_auth(&app.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    assert!(html.contains("<h1>整改工作进展情况通报（截至2023年12月20日）</h1>"), "{html}");
    assert!(html.contains("<svg"), "the chart is inline");
    // the chart: a bar of lights per department leading tasks, each part a light, the legend's swatches
    let svg = &html[html.find("<svg").unwrap()..html.find("</svg>").unwrap()];
    let parts = |fill: &str| svg.matches(&format!("fill=\"{fill}\"")).count();
    assert_eq!((parts("#C8232D"), parts("#E6AA14"), parts("#1F62A5"), parts("#2E8B57")), (2, 3, 3, 4), "{svg}");
    for (department, total) in [("局办公室", 2), ("高新技术科", 2), ("科技管理科", 2), ("农业与社会发展科", 2)]
    {
        assert!(svg.contains(department) && svg.contains(&format!("{total}项")), "{department} {total}");
    }
    // what a person reads: the text outside tags, styles and the chart
    let mut visible = String::new();
    let without_blocks = ["style", "svg", "script"].iter().fold(html.replace("&amp;", "&"), |text, tag| {
        let mut out = String::new();
        let mut rest = text.as_str();
        while let Some(start) = rest.find(&format!("<{tag}")) {
            out.push_str(&rest[..start]);
            let end = rest[start..].find(&format!("</{tag}>")).map_or(rest.len(), |e| start + e + tag.len() + 3);
            rest = &rest[end..];
        }
        out + rest
    });
    let mut in_tag = false;
    for ch in without_blocks.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                visible.push(' ');
            }
            c if !in_tag => visible.push(c),
            _ => {}
        }
    }
    let english: Vec<&str> = visible
        .split(|c: char| !c.is_ascii_alphabetic())
        // R&D and GDP are how the bureau writes them; zhibiao is the product's name in the footer
        .filter(|w| w.len() >= 2 && !["GDP", "zhibiao"].contains(w))
        .collect();
    assert!(english.is_empty(), "{english:?}");

    let resp = app
        .client
        .get(format!("{}/reports/rectification/2023Q4.xlsx?on={DAY}", app.base))
        .bearer_auth(&app.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let bytes = resp.bytes().await.unwrap();
    let mut book = calamine::Xlsx::new(Cursor::new(&bytes[..])).unwrap();
    let range = book.worksheet_range("亮灯情况").unwrap();
    let rows: Vec<(Data, Data)> =
        (2..6).map(|r| (range.get_value((r, 0)).unwrap().clone(), range.get_value((r, 1)).unwrap().clone())).collect();
    let s = |t: &str| Data::String(t.to_string());
    assert_eq!(
        rows,
        [
            (s("红灯"), Data::Float(1.0)),
            (s("黄灯"), Data::Float(2.0)),
            (s("蓝灯"), Data::Float(2.0)),
            (s("绿灯"), Data::Float(3.0))
        ]
    );
}

#[tokio::test]
async fn a_report_of_a_year_or_a_day_that_is_no_day_is_refused_naming_the_field() {
    let app = spawn_demo().await;
    for (url, status, field) in [
        ("/reports/rectification/2023.json", 422, "period"),
        ("/reports/rectification/2023Q4.json?on=2023-02-30", 422, "on"),
    ] {
        let answer = app.get_as_admin(url).await;
        assert_eq!(answer.status.as_u16(), status, "{url}: {}", answer.body);
        assert_eq!(answer.fields(), [field], "{url}");
    }
}
