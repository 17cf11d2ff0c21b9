//! Real published statistics (tests/data/cn-rd-2022.csv, sources in tests/data/README.md): annual indicators,
//! a country's own reported total beside its provinces, and a ratio computed over the provinces
//! that have both of its operands.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

const FIGURES: &str = include_str!("../data/cn-rd-2022.csv");

const PROVINCES: [(&str, &str); 7] = [
    ("guangdong", "广东省"),
    ("jiangsu", "江苏省"),
    ("beijing", "北京市"),
    ("zhejiang", "浙江省"),
    ("shandong", "山东省"),
    ("shanghai", "上海市"),
    ("hubei", "湖北省"),
];

/// 全国 and seven provinces; R&D and GDP reported annually, R&D intensity derived from them.
async fn national_tree() -> TestApp {
    let app = spawn_app().await;
    let created = app.post_region(json!({"id": "cn", "name": "全国", "kind": "province"})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    for (i, (id, name)) in PROVINCES.iter().enumerate() {
        let body = json!({"id": id, "name": name, "kind": "province", "parent": "cn", "sort": i});
        assert_eq!(app.post_region(body).await.status, StatusCode::CREATED);
    }
    for body in [
        json!({"code": "rd_expenditure", "name": "R&D经费支出", "unit": "亿元", "decimals": 1, "mode": "ytd",
               "frequency": "annual"}),
        json!({"code": "gdp", "name": "地区生产总值", "unit": "亿元", "decimals": 1, "mode": "ytd", "frequency": "annual"}),
        json!({"code": "rd_share", "name": "R&D经费投入强度", "unit": "%", "decimals": 2, "mode": "derived",
               "formula": "100 * rd_expenditure / gdp"}),
    ] {
        let answer = app.post_indicator(body).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        // a ratio of annual figures is annual, and says so as soon as it is created
        assert_eq!(answer.body["frequency"], "annual", "{}", answer.body);
    }
    app
}

async fn import_csv(app: &TestApp, csv: String) {
    let resp = app
        .client
        .post(format!("{}/api/v1/imports", app.base))
        .bearer_auth(&app.admin)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// The one point of an annual series of 2022.
async fn point_2022(app: &TestApp, region: &str, indicator: &str) -> Value {
    let answer = app
        .get_as_admin(&format!("/api/v1/series?region={region}&indicator={indicator}&from=2022&to=2022&view=annual"))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body["points"][0].clone()
}

#[tokio::test]
async fn a_national_ratio_runs_over_the_provinces_with_both_figures_until_the_country_reports_its_own() {
    let app = national_tree().await;
    let provinces_only: Vec<&str> = FIGURES.lines().filter(|line| !line.starts_with("cn,")).collect();
    import_csv(&app, provinces_only.join("\n")).await;

    // The published provincial intensities, computed from the published figures.
    for (id, published) in [
        ("guangdong", 3.42),
        ("jiangsu", 3.12),
        ("beijing", 6.83),
        ("zhejiang", 3.11),
        ("shandong", 2.49),
        ("shanghai", 4.44),
    ] {
        let share = point_2022(&app, id, "rd_share").await["value"].as_f64().unwrap();
        assert_eq!((share * 100.0).round() / 100.0, published, "{id}: {share}");
    }
    assert_eq!(point_2022(&app, "hubei", "rd_share").await["value"], Value::Null, "湖北 has no GDP in the file");

    // 全国 without its own figures: R&D sums all seven, the ratio only the six with GDP.
    let rd = point_2022(&app, "cn", "rd_expenditure").await;
    assert_eq!(rd["value"].as_f64(), Some(18924.1));
    assert_eq!((rd["source"].as_str(), rd["coverage"]["reported"].as_u64()), (Some("computed"), Some(7)));
    let share = point_2022(&app, "cn", "rd_share").await;
    assert_eq!(share["value"].as_f64(), Some(3.509953), "17669.4 / 503408.4, 湖北 left out of both sums");
    assert_eq!((share["coverage"]["reported"].as_u64(), share["coverage"]["total"].as_u64()), (Some(6), Some(7)));

    // The country's own published totals win, and the rest is shown as unallocated.
    import_csv(&app, FIGURES.to_string()).await;
    let rd = point_2022(&app, "cn", "rd_expenditure").await;
    assert_eq!(rd["value"].as_f64(), Some(30782.9));
    assert_eq!(rd["source"].as_str(), Some("reported"));
    assert_eq!(rd["computed"].as_f64(), Some(18924.1));
    assert_eq!(rd["unallocated"].as_f64(), Some(11858.8));
    let share = point_2022(&app, "cn", "rd_share").await["value"].as_f64().unwrap();
    assert_eq!(share, 2.543606);
    assert_eq!((share * 100.0).round() / 100.0, 2.54, "the published national intensity");

    // The bulletin speaks of 全国 and shows what the provinces leave unallocated.
    let bulletin = app.get_as_admin("/reports/bulletin/2022.json?region=cn").await;
    assert_eq!(bulletin.status, StatusCode::OK, "{}", bulletin.body);
    let names: Vec<&str> =
        bulletin.body["lines"].as_array().unwrap().iter().map(|l| l["indicator"].as_str().unwrap()).collect();
    let rd_at = names.iter().position(|n| *n == "rd_expenditure").unwrap();
    assert_eq!(bulletin.body["unallocated"][rd_at].as_f64(), Some(11858.8));
    assert!(bulletin.body["narrative"].as_array().unwrap().iter().any(|s| s == "全年，全国R&D经费支出30782.9亿元。"));
    let html = app.client.get(format!("{}/reports/bulletin/2022.html?region=cn", app.base)).bearer_auth(&app.admin);
    let html = html.send().await.unwrap().text().await.unwrap();
    assert!(html.contains("未分配/区本级") && html.contains("全国（公布数）"), "{html}");
}

#[tokio::test]
async fn an_annual_indicator_refuses_quarters_in_and_out() {
    let app = national_tree().await;
    let quarterly = app.put_values(&app.admin.clone(), "beijing", "2022Q4", &[("rd_expenditure", 2843.3)]).await;
    assert_eq!(quarterly.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", quarterly.body);
    assert_eq!(quarterly.fields(), ["values[0].indicator"]);
    let message = quarterly.body["error"]["details"][0]["message"].as_str().unwrap();
    assert!(message.contains("年度"), "{message}");

    app.put_values_as_admin("beijing", "2022", &[("rd_expenditure", 2843.3), ("gdp", 41610.9)]).await;
    for view in ["quarter", "ytd"] {
        let answer = app
            .get_as_admin(&format!(
                "/api/v1/series?region=beijing&indicator=rd_share&from=2022Q1&to=2022Q4&view={view}"
            ))
            .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
        assert_eq!(answer.fields(), ["view"]);
    }
    let years = app.series("beijing", "rd_share", "2021", "2022", "annual").await;
    assert_eq!(years, [None, Some(6.833065)]);
}

#[tokio::test]
async fn only_an_admin_or_the_regions_own_statistician_writes_a_reported_total() {
    let app = national_tree().await;
    let province = app.add_user("gd", zhibiao::domain::access::Role::Statistician, &["guangdong"]);
    let national = app.add_user("nbs", zhibiao::domain::access::Role::Statistician, &["cn"]);
    let refused = app.put_values(&province, "cn", "2022", &[("rd_expenditure", 30782.9)]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let stored = app.put_values(&national, "cn", "2022", &[("rd_expenditure", 30782.9)]).await;
    assert_eq!(stored.status, StatusCode::OK, "{}", stored.body);
    assert_eq!(point_2022(&app, "cn", "rd_expenditure").await["source"].as_str(), Some("reported"));
}

#[tokio::test]
async fn an_indicator_of_one_subtree_is_asked_only_of_its_regions() {
    let app = national_tree().await;
    let body = json!({"code": "patents_per_10k", "name": "每万人发明专利拥有量", "unit": "件", "decimals": 1,
                      "mode": "stock", "regions": ["jiangsu"]});
    let answer = app.post_indicator(body).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    assert_eq!(answer.body["regions"], json!(["jiangsu"]));

    let elsewhere = app.put_values(&app.admin.clone(), "beijing", "2023Q4", &[("patents_per_10k", 218.3)]).await;
    assert_eq!(elsewhere.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", elsewhere.body);
    assert_eq!(elsewhere.fields(), ["values[0].indicator"]);
    app.put_values_as_admin("jiangsu", "2023Q4", &[("patents_per_10k", 66.0)]).await;

    let completeness = app.get_as_admin("/api/v1/completeness?period=2023Q4&parent=cn").await;
    assert_eq!(completeness.status, StatusCode::OK, "{}", completeness.body);
    let required = |id: &str| {
        completeness.body.as_array().unwrap().iter().find(|r| r["region"] == id).unwrap()["required"].as_u64()
    };
    // R&D and GDP (annual, asked with the fourth quarter) everywhere; the density in 江苏 only.
    assert_eq!((required("jiangsu"), required("beijing")), (Some(3), Some(2)));
    // `period=2023` asks for the year's annual figures only
    let year = app.get_as_admin("/api/v1/completeness?period=2023&parent=cn").await;
    assert_eq!(year.status, StatusCode::OK, "{}", year.body);
    let jiangsu = year.body.as_array().unwrap().iter().find(|r| r["region"] == "jiangsu").unwrap().clone();
    assert_eq!((&jiangsu["required"], &jiangsu["missing"]), (&json!(2), &json!(["gdp", "rd_expenditure"])));

    let unknown = app
        .post_indicator(json!({"code": "x", "name": "某指标", "unit": "件", "mode": "stock", "regions": ["nowhere"]}))
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", unknown.body);
    assert_eq!(unknown.fields(), ["regions[0]"]);

    // a region an indicator is limited to stays while the indicator names it
    let tibet = json!({"id": "xizang", "name": "西藏自治区", "kind": "province", "parent": "cn"});
    assert_eq!(app.post_region(tibet).await.status, StatusCode::CREATED);
    let only_there =
        json!({"code": "plateau", "name": "高原指标", "unit": "项", "mode": "stock", "regions": ["xizang"]});
    assert_eq!(app.post_indicator(only_there).await.status, StatusCode::CREATED);
    let delete = app.send_json(reqwest::Method::DELETE, "/api/v1/regions/xizang", &app.admin, &json!(null)).await;
    assert_eq!(delete.status, StatusCode::CONFLICT, "{}", delete.body);
    assert!(delete.body["error"]["message"].as_str().unwrap().contains("高原指标"), "{}", delete.body);
}

#[tokio::test]
async fn the_trend_of_an_annual_indicator_has_one_slot_a_year() {
    let app = national_tree().await;
    // 全国's R&D expenditure as published, 2019–2022 (全国科技经费投入统计公报 of each year)
    for (year, value) in [("2019", 22143.6), ("2020", 24393.1), ("2021", 27956.3), ("2022", 30782.9)] {
        app.put_values_as_admin("cn", year, &[("rd_expenditure", value)]).await;
    }
    let resp = app
        .client
        .get(format!("{}/charts/trend.svg?region=cn&indicator=rd_expenditure&from=2015&to=2023", app.base))
        .bearer_auth(&app.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let svg = resp.text().await.unwrap();
    let texts: Vec<&str> = svg.split("<text").skip(1).filter_map(|t| t.split('\n').nth(1)).collect();
    for year in 2015..=2023 {
        assert!(texts.contains(&year.to_string().as_str()), "{year} on the axis: {texts:?}");
    }
    assert!(!texts.iter().any(|t| t.contains("Q")), "no quarters: {texts:?}");
    assert!(texts.contains(&"全国R&amp;D经费支出（2015年—2023年）"), "{texts:?}");
    assert!(texts.contains(&"30782.9") && texts.contains(&"全年完成"), "{texts:?}");
}

#[tokio::test]
async fn the_entry_form_takes_a_years_annual_figures_and_a_parents_own_total() {
    let app = national_tree().await;
    {
        let conn = app.pool.get().unwrap();
        zhibiao::engine::users::set_password(&conn, "test", "admin", "chief-secret-1").unwrap();
    }
    let session = crate::crawl::sign_in(&app, "admin", "chief-secret-1").await;
    let page = |path: &'static str| {
        let req = app.client.get(format!("{}{path}", app.base)).header(reqwest::header::COOKIE, session.clone());
        async move {
            let resp = req.send().await.unwrap();
            (resp.status(), resp.text().await.unwrap())
        }
    };
    // A year's form holds the annual indicators; a quarter's has none of them here.
    let (status, year) = page("/entry?region=beijing&period=2022").await;
    assert_eq!(status, StatusCode::OK, "{year}");
    assert!(year.contains(r#"name="v_rd_expenditure""#) && year.contains(r#"name="v_gdp""#), "{year}");
    assert!(!year.contains("submit-quarter"), "a year is not submitted for review");
    let (_, quarter) = page("/entry?region=beijing&period=2022Q4").await;
    assert!(!quarter.contains(r#"name="v_gdp""#) && quarter.contains("年度指标请以年份为报告期填报"), "{quarter}");
    // 全国 is in the list for its own reported totals, and its form saves them.
    let (status, national) = page("/entry?region=cn&period=2022").await;
    assert_eq!(status, StatusCode::OK, "{national}");
    assert!(national.contains("全国（本级公布数）"), "{national}");
    let csrf = national.split(r#"name="csrf" value=""#).nth(1).unwrap().split('"').next().unwrap().to_string();
    let saved = app
        .client
        .post(format!("{}/entry", app.base))
        .header(reqwest::header::COOKIE, session.clone())
        .form(&[("csrf", csrf.as_str()), ("region", "cn"), ("period", "2022"), ("v_rd_expenditure", "30782.9")])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::OK);
    assert_eq!(point_2022(&app, "cn", "rd_expenditure").await["source"], "reported");

    // The home page of a database of annual figures opens at the latest year, with 全国's figure,
    // and offers none of the demo's named charts, whose regions this database does not have.
    let (status, home) = page("/").await;
    assert_eq!(status, StatusCode::OK, "{home}");
    assert!(home.contains("全国 · 2022年") && home.contains("30782.9"), "{home}");
    assert!(!home.contains("/charts/named/"), "{home}");
}
