//! Where the year will end (SPEC §13) through `/progress`: the projection is the year to date over
//! the share of the year the region's own past years had reached by then.

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_demo};

/// A printed report or a chart, as the admin gets it.
async fn report_html(app: &TestApp, path: &str) -> String {
    let resp = app.client.get(format!("{}{path}", app.base)).bearer_auth(&app.admin).send().await;
    resp.unwrap().text().await.unwrap()
}

/// A page as the signed-in user of `session` sees it.
async fn page(app: &TestApp, session: &str, path: &str) -> String {
    let resp = app.client.get(format!("{}{path}", app.base)).header(reqwest::header::COOKIE, session).send().await;
    resp.unwrap().text().await.unwrap()
}

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
    assert_eq!(projection["years"], 1);
    assert_eq!((&projection["low"], &projection["high"]), (&projection["value"], &projection["value"]));
    let completion = projection["completion"].as_f64().unwrap();
    assert!((completion - got / 19.0).abs() < 1e-6, "{completion}");
    let status = if got >= 19.0 { "on_course" } else { "projected_miss" };
    assert_eq!(row["projected_status"], status);
    // at the year's end there is nothing left to project
    let q4 = app.get_as_admin("/api/v1/progress?indicator=rd_expenditure&period=2023Q4&region=district").await;
    assert!(q4.body[0].get("projection").is_none(), "{}", q4.body);

    // one town of eight has reported 2025Q1: the town's year is projected, the district's part-total is not
    app.put_values_as_admin("town-jia", "2025Q1", &[("rd_expenditure", 0.5)]).await;
    let jia = app.get_as_admin("/api/v1/progress?indicator=rd_expenditure&period=2025Q1&region=town-jia").await;
    assert_eq!(jia.body[0]["projection"]["method"], "seasonal", "{}", jia.body);
    let district = app.get_as_admin("/api/v1/progress?indicator=rd_expenditure&period=2025Q1&region=district").await;
    assert_eq!(district.body[0]["coverage"], json!({"reported": 1, "total": 8}));
    assert!(district.body[0].get("projection").is_none(), "{}", district.body);
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
    assert_eq!(
        b["sentence"],
        "全区R&D经费占GDP比重如要达到江阴市水平（2.1%），在地区生产总值不变的情况下，R&D经费支出需增加3亿元"
    );
    // a town: the change said at R&D's precision, rounded up so that it is enough
    let town = app
        .get_as_admin("/api/v1/what-if/benchmark?region=town-bing&indicator=rd_share&benchmark=jiangyin&period=2023")
        .await
        .body;
    let change = town["change"].as_f64().unwrap();
    assert!(change > 0.61 && change <= 0.62, "{town}");
    assert!(town["sentence"].as_str().unwrap().ends_with("R&D经费支出需增加0.62亿元"), "{town}");
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

/// The 2024 Q1–Q3 figures of the demo (SPEC §9): 丙镇 behind the linear pace but, its R&D bunched into
/// the fourth quarter as every year, on course; 己镇 ahead of the pace but, its spending front-loaded,
/// projected to miss. Each projection is its year to date over the mean of its 2022 and 2023 shares.
#[tokio::test]
async fn the_demo_tells_a_town_behind_the_pace_it_is_on_course_and_one_on_pace_it_will_miss() {
    let app = spawn_demo().await;
    let rows = app.get_as_admin("/api/v1/progress?indicator=rd_expenditure&period=2024Q3&parent=district").await;
    let row = |region: &str| rows.body.as_array().unwrap().iter().find(|r| r["region"] == region).unwrap().clone();
    for (region, status, projected) in [("town-bing", "behind", "on_course"), ("town-ji", "on_track", "projected_miss")]
    {
        let r = row(region);
        assert_eq!((r["status"].as_str(), r["projected_status"].as_str()), (Some(status), Some(projected)), "{r}");
        let mut shares = Vec::new();
        for year in [2022, 2023] {
            let q3 = app.series(region, "rd_expenditure", &format!("{year}Q3"), &format!("{year}Q3"), "ytd").await;
            let annual = app.series(region, "rd_expenditure", &format!("{year}"), &format!("{year}"), "annual").await;
            shares.push(q3[0].unwrap() / annual[0].unwrap());
        }
        let ytd = r["actual"].as_f64().unwrap();
        let mean = (shares[0] + shares[1]) / 2.0;
        let want = ytd / mean;
        let p = &r["projection"];
        assert_eq!(p["years"], 2, "{p}");
        assert!((p["value"].as_f64().unwrap() - want).abs() < 1e-5, "{region}: {want} vs {p}");
        let (largest, smallest) = (shares[0].max(shares[1]), shares[0].min(shares[1]));
        assert!((p["low"].as_f64().unwrap() - ytd / largest).abs() < 1e-5, "{p}");
        assert!((p["high"].as_f64().unwrap() - ytd / smallest).abs() < 1e-5, "{p}");
        let target = r["target"].as_f64().unwrap();
        assert!((p["completion"].as_f64().unwrap() - want / target).abs() < 1e-5, "{p}");
    }
    // their bulletins say it with 但
    for (region, says) in [
        ("town-bing", "完成年度目标的73.0%，低于序时进度，但按近两年季节规律测算，预计全年可完成年度目标的102.4%。"),
        ("town-ji", "完成年度目标的76.9%，符合序时进度，但按近两年季节规律测算，预计全年仅能完成年度目标的95.2%。"),
    ] {
        let bulletin = app.get_as_admin(&format!("/reports/bulletin/2024Q3.json?region={region}")).await.body;
        let rd = bulletin["narrative"].as_array().unwrap().iter().find(|s| s.as_str().unwrap().contains("R&D经费支出"));
        assert!(rd.unwrap().as_str().unwrap().ends_with(says), "{region}: {rd:?}");
    }
    // 丙镇's own figures: 0.92 of 1.26亿元 is 73.0% against a pace of 75%; 己镇's 0.5 of 0.65 is 76.9%
    assert_eq!((&row("town-bing")["actual"], &row("town-bing")["target"]), (&json!(0.92), &json!(1.26)));
    assert_eq!((&row("town-ji")["actual"], &row("town-ji")["target"]), (&json!(0.5), &json!(0.65)));
}

#[tokio::test]
async fn the_dashboard_the_bulletin_and_the_trend_say_where_the_year_will_end() {
    let app = spawn_demo().await;
    {
        let conn = app.pool.get().unwrap();
        zhibiao::engine::users::set_password(&conn, "test", "admin", "chief-secret-1").unwrap();
    }
    // the district's R&D: 15.96 of 20.5亿元 after three quarters, projected 21.580413 (105.3%)
    let row = app.get_as_admin("/api/v1/progress?indicator=rd_expenditure&period=2024Q3&region=district").await;
    let p = &row.body[0]["projection"];
    assert_eq!(
        (&row.body[0]["actual"], &p["value"], &p["completion"]),
        (&json!(15.96), &json!(21.580413), &json!(1.052703))
    );

    let session = crate::crawl::sign_in(&app, "admin", "chief-secret-1").await;
    let dashboard = page(&app, &session, "/").await;
    let rd = dashboard.split("<tr").find(|r| r.contains("data-indicator=\"R&amp;D经费支出\"")).expect("an R&D row");
    for shown in ["15.96", "21.58", "预计完成105.3%", "预计可完成", "title=\"按近两年季节规律\""] {
        assert!(rd.contains(shown), "the dashboard's R&D row lacks {shown}: {rd}");
    }
    // a level's "projection" is its latest value: shown as the figure it is, not as 全年预计
    let level = dashboard.split("<tr").find(|r| r.contains("data-indicator=\"销售超亿元企业数\"")).expect("a level");
    assert!(!level.contains("预计"), "{level}");
    let flat = report_html(&app, "/charts/trend.svg?region=district&indicator=large_enterprises&from=2024Q1&to=2024Q4");
    let flat = flat.await;
    assert!(flat.contains("<svg") && !flat.contains("全年预计"), "{flat}");
    let patents = dashboard.split("<tr").find(|r| r.contains("data-indicator=\"专利申请量\"")).expect("a patents row");
    assert!(patents.contains("预计难以完成") && patents.contains("预计完成99.1%"), "{patents}");

    // the benchmarks page says what reaching each benchmark ahead would take
    let benchmarks = page(&app, &session, "/benchmarks?indicator=rd_share&period=2023").await;
    let want = "<li data-benchmark=\"jiangyin\">全区R&amp;D经费占GDP比重如要达到江阴市水平（2.1%），\
                在地区生产总值不变的情况下，R&amp;D经费支出需增加3亿元。</li>";
    assert!(benchmarks.contains(want), "{benchmarks}");
    assert_eq!(benchmarks.matches("<li data-benchmark=").count(), 3, "昆山, 江阴 and 深圳 are all ahead");
    // by default: the latest year the benchmarks have figures of (2023, not 2024's three quarters)
    let default = page(&app, &session, "/benchmarks").await;
    assert!(default.contains("name=\"period\" value=\"2023\"") && default.contains("data-benchmark=\"jiangyin\""));
    let patents = page(&app, &session, "/benchmarks?indicator=patent_applications&period=2023").await;
    assert!(!patents.contains("what-if"), "a count is no ratio: nothing to solve for");

    let bulletin = app.get_as_admin("/reports/bulletin/2024Q3.json").await.body;
    let narrative: Vec<&str> = bulletin["narrative"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    let want = "1-3季度，全区R&D经费支出15.96亿元，同比增长19.9%，完成年度目标的77.9%，符合序时进度，\
                按近两年季节规律测算，预计全年可完成年度目标的105.3%。";
    assert!(narrative.contains(&want), "{narrative:#?}");
    // the year's bulletin compares with the benchmarks and says what reaching each would take
    let year = app.get_as_admin("/reports/bulletin/2023Q4.json").await.body;
    let comparison: Vec<&str> = year["comparison"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    assert_eq!(
        comparison[..4],
        [
            "全区R&D经费占GDP比重1.8%，低于昆山市（1.9%）、江阴市（2.1%）、深圳市（3.3%），在4个地区中居第4位。",
            "全区R&D经费占GDP比重如要达到昆山市水平（1.9%），在地区生产总值不变的情况下，R&D经费支出需增加1亿元。",
            "全区R&D经费占GDP比重如要达到江阴市水平（2.1%），在地区生产总值不变的情况下，R&D经费支出需增加3亿元。",
            "全区R&D经费占GDP比重如要达到深圳市水平（3.3%），在地区生产总值不变的情况下，R&D经费支出需增加15亿元。",
        ]
    );
    let html = report_html(&app, "/reports/bulletin/2023.html").await;
    assert!(html.contains("R&amp;D经费支出需增加3亿元"), "the printed bulletin lacks the comparison");
    assert!(html.contains("与先进地区比较，全区R&amp;D经费占GDP比重1.8%，低于昆山市"), "one paragraph, opened once");
    // the towns' projections in the printed bulletin: 丙镇 73.0% of its R&D target, projected 102.4%
    let html = report_html(&app, "/reports/bulletin/2024Q3.html").await;
    let table = &html[html.find("class=\"wide projected\"").expect("a table of the towns' projections")..];
    let bing = &table[table.find("丙镇").unwrap()..];
    assert!(bing[..bing.find("</tr>").unwrap()].contains("73.0%／102.4%"), "{table}");
    let line =
        &bulletin["lines"].as_array().unwrap().iter().find(|l| l["indicator"] == "rd_expenditure").unwrap().clone();
    assert_eq!((&line["projection"]["value"], &line["projected_status"]), (&json!(21.580413), &json!("on_course")));
    // a town's bulletin is not compared with the district's peers
    let town = app.get_as_admin("/reports/bulletin/2023Q4.json?region=town-jia").await.body;
    assert_eq!(town["comparison"], json!([]));

    // the trend: a dashed line from 2024Q3's 15.96 to the projected 21.58 at 2024Q4
    let svg = |query: &str| {
        let url = format!("{}/charts/trend.svg?{query}", app.base);
        let client = &app.client;
        let token = app.admin.clone();
        async move { client.get(url).bearer_auth(token).send().await.unwrap().text().await.unwrap() }
    };
    let open_year = svg("region=district&indicator=rd_expenditure&from=2023Q1&to=2024Q4").await;
    assert!(open_year.contains("全年预计") && open_year.contains("预计21.58"), "{open_year}");
    // a chart that ends with the third quarter has no fourth to reach; a complete year nothing to project
    for closed in ["from=2023Q1&to=2024Q3", "from=2023Q1&to=2023Q4"] {
        let chart = svg(&format!("region=district&indicator=rd_expenditure&{closed}")).await;
        assert!(!chart.contains("全年预计") && !chart.contains("预计"), "{closed}: {chart}");
    }
}
