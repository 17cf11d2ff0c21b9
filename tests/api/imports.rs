//! Imports and exports: CSV, the Excel template and DHIS2 JSON; dry runs; all or
//! nothing; rows named as a spreadsheet counts them; permissions as for `PUT /values`.
//!
//! Permissions, as decided: a viewer may not import at all (403); a statistician's rows for a
//! region that is not theirs are row errors (a real import answers 422 naming those rows).

use std::io::Cursor;

use calamine::{Data, Reader};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhibiao::domain::access::Role;

use crate::helpers::{Answer, TestApp, assert_figures, spawn_app};

const CSV: &str = "text/csv";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const JSON: &str = "application/json";

async fn post_file(app: &TestApp, token: &str, query: &str, content_type: &str, body: Vec<u8>) -> Answer {
    crate::helpers::post_import(app, token, query, content_type, body).await
}

async fn import_as_admin(app: &TestApp, content_type: &str, body: Vec<u8>) -> Answer {
    post_file(app, &app.admin.clone(), "", content_type, body).await
}

/// A downloaded file: status, content type and bytes.
async fn download(app: &TestApp, path: &str) -> (StatusCode, String, Vec<u8>) {
    let resp = app.client.get(format!("{}{path}", app.base)).bearer_auth(&app.admin).send().await.unwrap();
    let status = resp.status();
    let content_type = resp.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (status, content_type, resp.bytes().await.unwrap().to_vec())
}

/// (created, updated, unchanged) of an import answer.
fn counts(answer: &Answer) -> (u64, u64, u64) {
    let n = |k: &str| answer.body[k].as_u64().unwrap_or_else(|| panic!("no {k} in {}", answer.body));
    (n("created"), n("updated"), n("unchanged"))
}

/// (row, message) of the errors of a dry run (`errors`) or of a refused import (`error.details`).
fn row_errors(answer: &Answer) -> Vec<(u64, String)> {
    let list = answer.body["errors"].as_array().or_else(|| answer.body["error"]["details"].as_array());
    list.unwrap_or_else(|| panic!("no errors in {}", answer.body))
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["message"].as_str().unwrap().to_string()))
        .collect()
}

/// Two years of every mode in the three towns, with a comment, and Kunshan's annual figures.
async fn seed(app: &TestApp) -> usize {
    let mut stored = 0;
    for (town, scale) in [("town-a", 1.0), ("town-b", 2.0), ("town-c", 0.5)] {
        for year in [2022, 2023] {
            let growth = if year == 2023 { 1.1 } else { 1.0 };
            for q in 1..=4 {
                let period = format!("{year}Q{q}");
                let ytd = scale * growth * f64::from(q);
                let values = json!([
                    {"indicator": "gdp", "value": 100.25 * ytd, "comment": (town == "town-b" && q == 2).then_some("含新投产项目, \"口径\"调整")},
                    {"indicator": "rd_expenditure", "value": 2.5 * ytd},
                    {"indicator": "patent_applications", "value": (30.0 * ytd).round()},
                    {"indicator": "talents_introduced", "value": f64::from(q) + scale},
                    {"indicator": "large_enterprises", "value": 10.0 * scale + f64::from(q)},
                ]);
                let body = json!({"region": town, "period": period, "values": values});
                let answer = app.send_json(Method::PUT, "/api/v1/values", &app.admin.clone(), &body).await;
                assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
                stored += 5;
            }
        }
    }
    app.put_values_as_admin("kunshan", "2023", &[("gdp", 5006.7), ("rd_share", 1.9)]).await;
    stored + 2
}

/// Every figure the round trips compare: each region and indicator in each view.
async fn all_series(app: &TestApp) -> Vec<Vec<Option<f64>>> {
    let mut out = Vec::new();
    for region in ["district", "town-a", "town-b", "town-c"] {
        for indicator in ["gdp", "rd_share", "patent_applications", "talents_introduced", "large_enterprises"] {
            out.push(app.series(region, indicator, "2022Q1", "2023Q4", "quarter").await);
            out.push(app.series(region, indicator, "2022Q1", "2023Q4", "ytd").await);
            out.push(app.series(region, indicator, "2022", "2023", "annual").await);
        }
    }
    for indicator in ["gdp", "rd_share"] {
        out.push(app.series("kunshan", indicator, "2023", "2023", "annual").await);
    }
    out
}

async fn round_trip(format: &str, content_type: &str) {
    let source = spawn_app().await.with_small_world().await;
    let stored = seed(&source).await;
    let (status, got_type, file) = download(&source, &format!("/api/v1/exports?format={format}")).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&file));
    assert!(got_type.starts_with(content_type), "{got_type}");

    let target = spawn_app().await.with_small_world().await;
    let answer = import_as_admin(&target, content_type, file).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(counts(&answer), (stored as u64, 0, 0));
    assert_eq!(answer.body["errors"], json!([]));

    let before = all_series(&source).await;
    assert_eq!(all_series(&target).await, before);
    // and the figures are the ones seeded, not merely equal
    let district_gdp = target.series("district", "gdp", "2022", "2023", "annual").await;
    assert_figures(&district_gdp, &[Some(100.25 * 4.0 * 3.5), Some(100.25 * 1.1 * 4.0 * 3.5)]);
    // 2.5 × 100 / 100.25 = 2.4937655…, computed figures leave with the indicator's 2 decimals and 4 more
    assert_figures(&target.series("district", "rd_share", "2023", "2023", "annual").await, &[Some(2.493766)]);
    assert_figures(&target.series("kunshan", "rd_share", "2023", "2023", "annual").await, &[Some(1.9)]);
    let comment = target.get_as_admin("/api/v1/values?region=town-b&period=2023Q2&indicator=gdp").await;
    assert_eq!(comment.body[0]["comment"], "含新投产项目, \"口径\"调整");
    assert_eq!(comment.body[0]["value"].as_f64(), Some(100.25 * 2.0 * 1.1 * 2.0));

    // importing the same file again changes nothing
    let (_, _, again) = download(&source, &format!("/api/v1/exports?format={format}")).await;
    assert_eq!(counts(&import_as_admin(&target, content_type, again).await), (0, 0, stored as u64));
}

#[tokio::test]
async fn an_exported_csv_imports_into_a_fresh_database_with_the_same_series() {
    round_trip("csv", CSV).await;
}

#[tokio::test]
async fn an_exported_dhis2_set_imports_into_a_fresh_database_with_the_same_series() {
    round_trip("dhis2", JSON).await;
}

#[tokio::test]
async fn an_export_holds_the_selection_only() {
    let app = spawn_app().await.with_small_world().await;
    seed(&app).await;
    let (status, _, file) =
        download(&app, "/api/v1/exports?format=csv&region=town-a&indicator=gdp&from=2022Q4&to=2023Q2").await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(file).unwrap();
    assert_eq!(
        text,
        "\u{feff}region,indicator,period,value,comment\n\
         town-a,gdp,2022Q4,401,\ntown-a,gdp,2023Q1,110.275,\ntown-a,gdp,2023Q2,220.55,\n"
    );
    // a year is in range when all of it is; a parent selects the regions below it
    let (_, _, file) = download(&app, "/api/v1/exports?format=dhis2&region=district&from=2023&to=2023").await;
    let set: Value = serde_json::from_slice(&file).unwrap();
    assert_eq!(set["dataValues"].as_array().unwrap().len(), 3 * 4 * 5);
    let (_, _, file) = download(&app, "/api/v1/exports?format=dhis2&indicator=rd_share&from=2023&to=2023").await;
    let set: Value = serde_json::from_slice(&file).unwrap();
    assert_eq!(
        set,
        json!({"dataValues": [{"dataElement": "rd_share", "period": "2023", "orgUnit": "kunshan", "value": "1.9"}]})
    );
    for (query, status) in [
        ("format=xml", StatusCode::UNPROCESSABLE_ENTITY),
        ("", StatusCode::UNPROCESSABLE_ENTITY),
        ("format=csv&from=2023-Q1", StatusCode::UNPROCESSABLE_ENTITY),
        ("format=csv&from=2023Q3&to=2023Q1", StatusCode::UNPROCESSABLE_ENTITY),
        ("format=csv&region=nowhere", StatusCode::NOT_FOUND),
        ("format=csv&indicator=nothing", StatusCode::NOT_FOUND),
    ] {
        let answer = app.get_as_admin(&format!("/api/v1/exports?{query}")).await;
        assert_eq!(answer.status, status, "{query}: {}", answer.body);
    }
}

/// Copies the first sheet of a workbook cell by cell and writes `fill` (row, column, cell) over
/// it, as a town filling in the template would.
fn fill_in(bytes: &[u8], fill: &[(u32, u16, Data)]) -> Vec<u8> {
    let mut book = calamine::Xlsx::new(Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    let (top, left) = range.start().unwrap();
    let mut out = rust_xlsxwriter::Workbook::new();
    let sheet = out.add_worksheet();
    let cells = range.used_cells().map(|(r, c, d)| (top + r as u32, (left + c as u32) as u16, d.clone()));
    for (r, c, cell) in cells.collect::<Vec<_>>().into_iter().chain(fill.iter().cloned()) {
        match cell {
            Data::String(s) => sheet.write_string(r, c, s).map(|_| ()),
            Data::Float(f) => sheet.write_number(r, c, f).map(|_| ()),
            _ => Ok(()),
        }
        .unwrap();
    }
    out.save_to_buffer().unwrap()
}

fn cell_text(range: &calamine::Range<Data>, row: u32, col: u32) -> String {
    range.get_value((row, col)).map(|d| d.to_string()).unwrap_or_default()
}

#[tokio::test]
async fn a_template_downloaded_filled_in_and_uploaded_stores_its_figures() {
    let app = spawn_app().await.with_small_world().await;
    seed(&app).await;
    let (status, content_type, file) = download(&app, "/templates/town-a/2024Q2.xlsx").await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&file));
    assert_eq!(content_type, XLSX);

    // read it as a town would see it
    let mut book = calamine::Xlsx::new(Cursor::new(&file[..])).unwrap();
    assert_eq!(book.sheet_names(), ["指标填报"]);
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(cell_text(&range, 1, 1), "town-a");
    assert_eq!(cell_text(&range, 1, 3), "2024Q2");
    let header: Vec<String> = (0..7).map(|c| cell_text(&range, 3, c)).collect();
    assert_eq!(header, ["指标代码", "指标名称", "单位", "填报口径", "上年同期", "本期数值", "备注"]);
    let rows: Vec<(String, String, String, Option<f64>)> = (4..=9)
        .map(|r| {
            let last = match range.get_value((r, 4)) {
                Some(Data::Float(f)) => Some(*f),
                _ => None,
            };
            (cell_text(&range, r, 0), cell_text(&range, r, 2), cell_text(&range, r, 3), last)
        })
        .collect();
    // last year's same quarter (2023Q2) as each is reported: YTD, the quarter's own, the level;
    // indicators in display order (all sort 0 here, so by code)
    assert_eq!(
        rows,
        [
            ("gdp".into(), "亿元".into(), "累计".into(), Some(100.25 * 1.1 * 2.0)),
            ("large_enterprises".into(), "家".into(), "期末".into(), Some(12.0)),
            ("patent_applications".into(), "件".into(), "累计".into(), Some(66.0)),
            ("patent_grants".into(), "件".into(), "累计".into(), None),
            ("rd_expenditure".into(), "亿元".into(), "累计".into(), Some(2.5 * 1.1 * 2.0)),
            ("talents_introduced".into(), "人".into(), "当季".into(), Some(3.0)),
        ]
    );
    assert!(cell_text(&range, 10, 0).is_empty(), "rd_share is derived and not in the template");

    // fill in three of six values (spreadsheet rows 5, 6, 10) and a comment
    let filled = fill_in(
        &file,
        &[
            (4, 5, Data::Float(250.5)),
            (5, 5, Data::Float(13.0)),
            (5, 6, Data::String("新增1家".into())),
            (9, 5, Data::Float(4.0)),
        ],
    );
    let dry = post_file(&app, &app.admin.clone(), "?dry_run=true", XLSX, filled.clone()).await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    assert_eq!(counts(&dry), (3, 0, 0));
    let answer = import_as_admin(&app, XLSX, filled).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(counts(&answer), (3, 0, 0));
    assert_figures(&app.series("town-a", "gdp", "2024Q2", "2024Q2", "ytd").await, &[Some(250.5)]);
    assert_figures(&app.series("town-a", "talents_introduced", "2024Q2", "2024Q2", "quarter").await, &[Some(4.0)]);
    let stored = app.get_as_admin("/api/v1/values?region=town-a&period=2024Q2&indicator=large_enterprises").await;
    assert_eq!(stored.body[0]["value"].as_f64(), Some(13.0));
    assert_eq!(stored.body[0]["comment"], "新增1家");
    assert_eq!(app.get_as_admin("/api/v1/values?region=town-a&period=2024Q2").await.body.as_array().unwrap().len(), 3);

    // a bad cell is named by its spreadsheet row, and nothing of the file is stored
    let bad = fill_in(&file, &[(8, 5, Data::Float(9.0)), (6, 5, Data::String("约70".into()))]);
    let refused = import_as_admin(&app, XLSX, bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert_eq!(row_errors(&refused), [(7, "第7行：数值“约70”不是数字".to_string())]);
    assert_eq!(refused.body["error"]["message"], "文件有1处错误（见各行说明），没有导入任何数据");
    assert_figures(&app.series("town-a", "rd_expenditure", "2024Q2", "2024Q2", "ytd").await, &[None]);
}

#[tokio::test]
async fn a_years_template_holds_the_annual_indicators_and_imports_back() {
    let app = spawn_app().await.with_small_world().await;
    let annual = json!({"code": "rd_official", "name": "R&D经费（年报）", "unit": "亿元", "decimals": 2,
                        "mode": "ytd", "frequency": "annual"});
    assert_eq!(app.post_indicator(annual).await.status, StatusCode::CREATED);
    app.put_values_as_admin("town-a", "2022", &[("rd_official", 2.5)]).await;
    let (status, _, file) = download(&app, "/templates/town-a/2023.xlsx").await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&file));
    let mut book = calamine::Xlsx::new(Cursor::new(&file[..])).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(cell_text(&range, 1, 3), "2023");
    assert_eq!((cell_text(&range, 4, 0), cell_text(&range, 4, 3)), ("rd_official".into(), "年度".into()));
    assert_eq!(range.get_value((4, 4)), Some(&Data::Float(2.5)), "last year's figure");
    assert!(cell_text(&range, 5, 0).is_empty(), "only the annual indicator: {:?}", cell_text(&range, 5, 0));
    let answer = import_as_admin(&app, XLSX, fill_in(&file, &[(4, 5, Data::Float(2.75))])).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_figures(&app.series("town-a", "rd_official", "2023", "2023", "annual").await, &[Some(2.75)]);
}

#[tokio::test]
async fn templates_exist_for_regions_and_quarters_only() {
    let app = spawn_app().await.with_small_world().await;
    // a region with children has one too: it fills in its reported totals
    let (status, content_type, _) = download(&app, "/templates/district/2023Q1.xlsx").await;
    assert_eq!((status, content_type.as_str()), (StatusCode::OK, XLSX));
    for (path, status) in [
        ("/templates/nowhere/2023Q1.xlsx", StatusCode::NOT_FOUND),
        ("/templates/town-a/2023-Q1.xlsx", StatusCode::UNPROCESSABLE_ENTITY),
        ("/templates/town-a/2023Q5.xlsx", StatusCode::UNPROCESSABLE_ENTITY),
        ("/templates/town-a/2023Q1.csv", StatusCode::NOT_FOUND),
    ] {
        let answer = app.get_as_admin(path).await;
        assert_eq!(answer.status, status, "{path}: {}", answer.body);
        assert!(answer.body["error"]["code"].is_string(), "{path}: {}", answer.body);
    }
    assert_eq!(app.get("/templates/town-a/2023Q1.xlsx", None).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_dry_run_counts_created_updated_and_unchanged_and_stores_nothing() {
    let app = spawn_app().await.with_small_world().await;
    app.put_values_as_admin("town-a", "2023Q1", &[("gdp", 100.0), ("rd_expenditure", 2.0)]).await;
    app.put_values_as_admin("town-a", "2023Q2", &[("gdp", 210.0)]).await;
    let audit_before = app.get_as_admin("/api/v1/audit?region=town-a").await.body;
    // gdp 2023Q1 unchanged, rd 2023Q1 updated, gdp 2023Q3 below Q2 (a warning), two new in town-b
    let csv = "region,indicator,period,value,comment\n\
               town-a,gdp,2023Q1,100,\n\
               town-a,rd_expenditure,2023Q1,2.5,更正\n\
               town-a,gdp,2023Q3,200,\n\
               town-b,gdp,2023Q1,50,\n\
               town-b,patent_applications,2023Q1,7,\n";
    let answer = post_file(&app, &app.admin.clone(), "?dry_run=true", CSV, csv.into()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(counts(&answer), (3, 1, 1));
    assert_eq!(answer.body["errors"], json!([]));
    let warnings: Vec<(u64, &str, &str)> = answer.body["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["row"].as_u64().unwrap(), w["region"].as_str().unwrap(), w["code"].as_str().unwrap()))
        .collect();
    assert_eq!(warnings, [(4, "town-a", "ytd_decrease")], "warnings see the figures as the import leaves them");

    assert_figures(&app.series("town-a", "rd_expenditure", "2023Q1", "2023Q1", "ytd").await, &[Some(2.0)]);
    assert_figures(&app.series("town-a", "gdp", "2023Q1", "2023Q3", "ytd").await, &[Some(100.0), Some(210.0), None]);
    assert_eq!(app.get_as_admin("/api/v1/values?region=town-b&period=2023Q1").await.body, json!([]));
    assert_eq!(app.get_as_admin("/api/v1/audit?region=town-a").await.body, audit_before, "nothing audited");

    // the real import of the same file does what the dry run said
    let real = import_as_admin(&app, CSV, csv.into()).await;
    assert_eq!(real.status, StatusCode::OK, "{}", real.body);
    assert_eq!(counts(&real), (3, 1, 1));
    assert_eq!(real.body["warnings"], answer.body["warnings"]);
    assert_figures(&app.series("town-a", "rd_expenditure", "2023Q1", "2023Q1", "ytd").await, &[Some(2.5)]);
    assert_figures(&app.series("district", "gdp", "2023Q1", "2023Q1", "ytd").await, &[Some(150.0)]);
}

#[tokio::test]
async fn an_import_with_one_bad_row_stores_nothing_and_names_the_row() {
    let app = spawn_app().await.with_small_world().await;
    let csv = "region,indicator,period,value,comment\n\
               town-a,gdp,2023Q1,100,\n\
               town-a,rd_expenditure,2023Q1,2,\n\
               town-b,gdp,2023Q1,-5,\n\
               town-b,rd_expenditure,2023Q1,1,\n";
    let answer = import_as_admin(&app, CSV, csv.into()).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
    assert_eq!(answer.code(), "invalid");
    assert_eq!(answer.body["error"]["message"], "文件有1处错误（见各行说明），没有导入任何数据");
    // the rule and its words are those of PUT /values; the import says where
    assert_eq!(row_errors(&answer), [(4, "第4行：数值：地区生产总值不能为负数".to_string())]);
    for town in ["town-a", "town-b"] {
        assert_eq!(app.get_as_admin(&format!("/api/v1/values?region={town}&period=2023Q1")).await.body, json!([]));
    }
    assert_eq!(app.get_as_admin("/api/v1/audit?period=2023Q1").await.body, json!([]));

    // every kind of bad row, each named; the dry run counts the rest
    let csv = "region,indicator,period,value,comment\n\
               town-a,gdp,2023Q1,100,\n\
               nowhere,gdp,2023Q1,1,\n\
               town-a,rd_share,2023Q1,1.8,\n\
               town-a,gdp,2023Q1,101,\n\
               town-a,gdp,2023,1,\n\
               town-c,gdp,2099Q1,1,\n\
               town-c,gdp,2023Q1,lots,\n\
               town-c,nothing,2023Q1,1,\n";
    let dry = post_file(&app, &app.admin.clone(), "?dry_run=true", CSV, csv.into()).await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    let errors = row_errors(&dry);
    let rows: Vec<u64> = errors.iter().map(|(r, _)| *r).collect();
    assert_eq!(rows, [3, 4, 5, 6, 7, 8, 9], "{errors:?}");
    assert_eq!(
        errors,
        [
            (3, "第3行：地区“nowhere”不存在"),
            (4, "第4行：指标：“R&D经费占GDP比重”由公式计算得出，不能填报"),
            (5, "第5行：与第2行重复：同一地区、时期和指标只能有一个数值"),
            (6, "第6行：指标：“地区生产总值”按季度报送，时期应为季度（YYYYQn）"),
            (7, "第7行：时期：2099年一季度还没有开始（现在是CURRENT）"),
            (8, "第8行：数值“lots”不是数字"),
            (9, "第9行：指标“nothing”不存在"),
        ]
        .map(|(row, message)| (row, message.replace("CURRENT", &current_label())))
    );
    assert_eq!(counts(&dry), (0, 0, 0), "town-a's group has a duplicate, so nothing of it would be stored");
    let real = import_as_admin(&app, CSV, csv.into()).await;
    assert_eq!(real.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(row_errors(&real), errors);
}

#[tokio::test]
async fn a_statistician_importing_another_towns_rows_is_refused_row_by_row() {
    let app = spawn_app().await.with_small_world().await;
    let jia = app.add_user("jia", Role::Statistician, &["town-a"]);
    let csv = "region,indicator,period,value,comment\n\
               town-a,gdp,2023Q1,100,\n\
               town-b,gdp,2023Q1,50,\n\
               town-b,rd_expenditure,2023Q1,1,\n";
    let answer = post_file(&app, &jia, "", CSV, csv.into()).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
    let errors = row_errors(&answer);
    assert_eq!(errors.iter().map(|(r, _)| *r).collect::<Vec<_>>(), [3, 4]);
    assert_eq!(errors[0].1, "第3行：用户“jia”无权填报乙镇（town-b）的数据");
    assert_eq!(errors[1].1, "第4行：用户“jia”无权填报乙镇（town-b）的数据");
    assert_eq!(app.get_as_admin("/api/v1/values?region=town-a&period=2023Q1").await.body, json!([]));

    let own = post_file(&app, &jia, "", CSV, "region,indicator,period,value\ntown-a,gdp,2023Q1,100\n".into()).await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    assert_eq!(counts(&own), (1, 0, 0));
    let audit = app.get_as_admin("/api/v1/audit?region=town-a&indicator=gdp").await;
    assert_eq!(audit.body[0]["user"], "jia");

    let viewer = app.add_user("leader", Role::Viewer, &[]);
    let refused = post_file(&app, &viewer, "?dry_run=true", CSV, csv.into()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let anonymous = app.client.post(format!("{}/api/v1/imports", app.base)).header("content-type", CSV).body(csv);
    assert_eq!(anonymous.send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_csv_with_a_byte_order_mark_imports_like_one_without() {
    let app = spawn_app().await.with_small_world().await;
    let body = "\u{feff}region,indicator,period,value,comment\r\ntown-a,gdp,2023Q1,\"1,234.5\",甲镇\r\n";
    let answer = import_as_admin(&app, "text/csv; charset=utf-8", body.into()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(counts(&answer), (1, 0, 0));
    let stored = app.get_as_admin("/api/v1/values?region=town-a&period=2023Q1").await;
    assert_eq!(stored.body[0]["value"].as_f64(), Some(1234.5));
    assert_eq!(stored.body[0]["comment"], "甲镇");
}

#[tokio::test]
async fn files_that_cannot_be_read_are_refused_with_their_reason() {
    let app = spawn_app().await.with_small_world().await;
    let csv = b"region,indicator,period,value\ntown-a,gdp,2023Q1,1\n".to_vec();
    // neither UTF-8 nor GB18030: 0xFF begins no character in either
    let garbled = b"region,indicator,period,value,comment\ntown-a,gdp,2023Q1,1,\xff\xfe\n".to_vec();
    let cases: Vec<(&str, Vec<u8>, StatusCode, &str)> = vec![
        ("text/plain", csv.clone(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
        ("application/octet-stream", csv.clone(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
        ("application/vnd.ms-excel", csv.clone(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
        (XLSX, csv.clone(), StatusCode::BAD_REQUEST, "malformed"),
        (JSON, csv.clone(), StatusCode::BAD_REQUEST, "malformed"),
        (JSON, b"{\"values\": []}".to_vec(), StatusCode::BAD_REQUEST, "malformed"),
        (CSV, garbled.clone(), StatusCode::BAD_REQUEST, "malformed"),
        (CSV, b"region;indicator;period;value\n".to_vec(), StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
    ];
    for (content_type, body, status, code) in cases {
        let answer = import_as_admin(&app, content_type, body).await;
        assert_eq!((answer.status, answer.code()), (status, code), "{content_type}: {}", answer.body);
    }
    let answer = import_as_admin(&app, CSV, garbled).await;
    assert_eq!(
        answer.body["error"]["message"],
        "第2行既不是UTF-8也不是GBK（GB18030）编码的文字；请在Excel中另存为“CSV UTF-8（逗号分隔）”"
    );
    let answer = import_as_admin(&app, XLSX, csv.clone()).await;
    assert_eq!(
        answer.body["error"]["message"],
        "文件不是Excel工作簿（.xlsx）：无法读取，请上传从系统下载并填好的填报模板"
    );
    let no_type = app.client.post(format!("{}/api/v1/imports", app.base)).bearer_auth(&app.admin).body(csv);
    assert_eq!(no_type.send().await.unwrap().status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(app.get_as_admin("/api/v1/values?region=town-a&period=2023Q1").await.body, json!([]));
}

#[tokio::test]
async fn a_file_larger_than_a_json_body_may_still_be_imported() {
    let app = spawn_app().await.with_small_world().await;
    // three MiB, over the two MiB limit of JSON bodies: blank lines are rows of nothing
    let mut csv = "region,indicator,period,value,comment\n".to_string();
    csv.push_str(&"\n".repeat(3 * 1024 * 1024));
    csv.push_str("town-a,gdp,2023Q1,1\n");
    let answer = import_as_admin(&app, CSV, csv.into()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(counts(&answer), (1, 0, 0));
    let empty = import_as_admin(&app, CSV, "region,indicator,period,value\n".into()).await;
    assert_eq!(counts(&empty), (0, 0, 0));
    assert_eq!(empty.body["warnings"][0]["code"], "empty_import");
}

#[tokio::test]
async fn a_dhis2_set_with_defaults_and_string_values_imports() {
    let app = spawn_app().await.with_small_world().await;
    let set = json!({"dataSet": "q", "period": "2023Q1", "orgUnit": "town-c", "dataValues": [
        {"dataElement": "gdp", "value": "88.5", "categoryOptionCombo": "HllvX50cXC0"},
        {"dataElement": "patent_applications", "value": 12, "comment": "含外观设计"},
        {"dataElement": "gdp", "period": "2023Q2", "value": "-1"},
    ]});
    let answer = import_as_admin(&app, JSON, serde_json::to_vec(&set).unwrap()).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(row_errors(&answer), [(3, "第3项：数值：地区生产总值不能为负数".to_string())]);
    let mut set = set;
    set["dataValues"].as_array_mut().unwrap().pop();
    let answer = import_as_admin(&app, JSON, serde_json::to_vec(&set).unwrap()).await;
    assert_eq!(counts(&answer), (2, 0, 0));
    assert_figures(&app.series("town-c", "gdp", "2023Q1", "2023Q1", "ytd").await, &[Some(88.5)]);
    assert_figures(&app.series("town-c", "patent_applications", "2023Q1", "2023Q1", "ytd").await, &[Some(12.0)]);
}

#[tokio::test]
async fn the_openapi_document_describes_imports_exports_and_templates() {
    let app = spawn_app().await;
    let doc = app.get("/api/openapi.json", None).await.body;
    let paths = doc["paths"].as_object().unwrap();
    for path in ["/api/v1/imports", "/api/v1/exports", "/templates/{region}/{file}"] {
        assert!(paths.contains_key(path), "{path} missing");
    }
    let content = &doc["paths"]["/api/v1/imports"]["post"]["requestBody"]["content"];
    for media in [CSV, XLSX, JSON] {
        assert!(content.get(media).is_some(), "{media} missing in {content}");
    }
}

// ---------------------------------------------------------------------------------------------
// Files as people write them: Chinese headers and names, GBK, the World Bank's WDI download
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_csv_with_chinese_headers_names_regions_and_indicators_by_their_chinese_names() {
    let app = spawn_app().await.with_small_world().await;
    // 报告期 for 时期, spaces and a byte-order mark around the header cells; ids and names mixed
    let csv = "\u{feff} 地区 ,指标, 报告期 ,数值,备注\n\
               甲镇,地区生产总值,2023Q1,100.5,初步数\n\
               town-b,R&D经费支出,2023Q1,2.25,\n\
               乙镇,gdp,2023Q1,80,\n\
               昆山市,R&D经费占GDP比重,2023,1.9,昆山市2023年统计公报\n";
    let dry = post_file(&app, &app.admin.clone(), "?dry_run=true", CSV, csv.into()).await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    assert_eq!(counts(&dry), (4, 0, 0));
    assert_eq!(app.get_as_admin("/api/v1/values?region=town-a&period=2023Q1").await.body, json!([]));

    let answer = import_as_admin(&app, CSV, csv.into()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(counts(&answer), (4, 0, 0));
    assert_eq!(answer.body["skipped"], 0);
    let stored = app.get_as_admin("/api/v1/values?region=town-a&period=2023Q1&indicator=gdp").await;
    assert_eq!(stored.body[0]["value"].as_f64(), Some(100.5));
    assert_eq!(stored.body[0]["comment"], "初步数");
    assert_figures(&app.series("district", "gdp", "2023Q1", "2023Q1", "ytd").await, &[Some(180.5)]);
    assert_figures(&app.series("town-b", "rd_share", "2023Q1", "2023Q1", "ytd").await, &[Some(100.0 * 2.25 / 80.0)]);
    assert_figures(&app.series("kunshan", "rd_share", "2023", "2023", "annual").await, &[Some(1.9)]);
    let source = app.get_as_admin("/api/v1/values?region=kunshan&period=2023").await;
    assert_eq!(source.body[0]["comment"], "昆山市2023年统计公报");
}

#[tokio::test]
async fn a_region_name_two_regions_share_is_a_row_error_naming_both() {
    let app = spawn_app().await.with_small_world().await;
    for r in [
        json!({"id": "zone", "name": "开发区", "kind": "zone", "parent": "district", "sort": 4}),
        json!({"id": "cg-town", "name": "城关镇", "kind": "town", "parent": "district", "sort": 5}),
        json!({"id": "cg-zone", "name": "城关镇", "kind": "town", "parent": "zone", "sort": 1}),
    ] {
        let answer = app.post_region(r).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    }
    let csv = "地区,指标,时期,数值\n\
               甲镇,地区生产总值,2023Q1,100\n\
               城关镇,地区生产总值,2023Q1,50\n\
               北京,地区生产总值,2023Q1,1\n\
               cg-zone,GDP,2023Q1,1\n\
               cg-town,专利申请量,2023Q1,7\n";
    let answer = import_as_admin(&app, CSV, csv.into()).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
    assert_eq!(answer.body["error"]["message"], "文件有3处错误（见各行说明），没有导入任何数据");
    assert_eq!(
        row_errors(&answer),
        [
            // in display order: the zone (sort 4) and its town before the district's own town (sort 5)
            (
                3,
                "第3行：有2个地区都叫“城关镇”：cg-zone（上级：开发区）、cg-town（上级：全区）；请改用地区代码"
                    .to_string()
            ),
            (4, "第4行：地区“北京”不存在".to_string()),
            (5, "第5行：指标“GDP”不存在".to_string()),
        ]
    );
    assert_eq!(app.get_as_admin("/api/v1/values?region=town-a&period=2023Q1").await.body, json!([]));
    assert_eq!(app.get_as_admin("/api/v1/values?region=cg-town&period=2023Q1").await.body, json!([]));
}

#[tokio::test]
async fn a_file_excel_saved_in_gbk_imports_as_its_chinese_text() {
    let app = spawn_app().await.with_small_world().await;
    let text = "地区,指标,时期,数值,备注\r\n甲镇,地区生产总值,2023Q1,\"1,234.5\",含新投产项目\r\n丙镇,引进高层次人才,2023Q1,3,\r\n";
    let (gbk, _, unmappable) = encoding_rs::GB18030.encode(text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&gbk).is_err(), "the body must not be UTF-8 for this test to mean anything");
    let answer = import_as_admin(&app, "text/csv; charset=gbk", gbk.to_vec()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(counts(&answer), (2, 0, 0));
    let stored = app.get_as_admin("/api/v1/values?region=town-a&period=2023Q1").await;
    assert_eq!(stored.body[0]["value"].as_f64(), Some(1234.5));
    assert_eq!(stored.body[0]["comment"], "含新投产项目");
    assert_figures(&app.series("town-c", "talents_introduced", "2023Q1", "2023Q1", "quarter").await, &[Some(3.0)]);

    // a bad row of a GBK file is named in Chinese like any other
    let (bad, _, _) = encoding_rs::GB18030.encode("地区,指标,时期,数值\n甲镇,地区生产总值,2023Q2,约100\n");
    let refused = import_as_admin(&app, CSV, bad.to_vec()).await;
    assert_eq!(row_errors(&refused), [(2, "第2行：数值“约100”不是数字".to_string())]);
}

/// Text for a query string: every byte but letters and digits as `%XX`.
fn percent_encoded(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { char::from(b).to_string() } else { format!("%{b:02X}") })
        .collect()
}

const WDI_FILE: &str = "tests/data/API_GB.XPD.RSDV.GD.ZS_DS2_en_csv_v2_excerpt.csv";

fn wdi_file() -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(WDI_FILE)).unwrap()
}

/// The small world and five benchmark countries with their ISO alpha-3 codes.
async fn with_countries(app: TestApp) -> TestApp {
    let app = app.with_small_world().await;
    for (id, name, iso3) in [
        ("china", "中国", "CHN"),
        ("korea", "韩国", "KOR"),
        ("japan", "日本", "JPN"),
        ("usa", "美国", "USA"),
        ("germany", "德国", "DEU"),
    ] {
        let answer = app.post_region(json!({"id": id, "name": name, "kind": "benchmark", "iso3": iso3})).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    }
    app
}

#[tokio::test]
async fn the_world_bank_wdi_file_as_downloaded_stores_the_benchmark_countries_annual_figures() {
    let app = with_countries(spawn_app().await).await;
    let file = wdi_file();
    assert!(
        file.starts_with(b"\xEF\xBB\xBF\"Data Source\",\"World Development Indicators\",\n\n\"Last Updated Date\"")
    );

    let dry = post_file(&app, &app.admin.clone(), "?dry_run=true&indicator=rd_share", CSV, file.clone()).await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    assert_eq!(counts(&dry), (5 * 8, 0, 0));
    assert_eq!(dry.body["skipped"], 2, "Aruba (no figures) and France (no benchmark region)");
    assert_eq!(dry.body["errors"], json!([]));
    assert_eq!(app.get_as_admin("/api/v1/values?region=korea&period=2020").await.body, json!([]));

    let answer = post_file(&app, &app.admin.clone(), "?indicator=rd_share", CSV, file.clone()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(counts(&answer), (40, 0, 0));
    assert_eq!(answer.body["skipped"], 2);
    let published = [
        ("china", [2.06, 2.10, 2.12, 2.14, 2.24, 2.41, 2.43, 2.56]),
        ("korea", [3.98, 3.99, 4.29, 4.52, 4.63, 4.80, 4.91, 5.21]),
        ("japan", [3.24, 3.11, 3.17, 3.22, 3.22, 3.27, 3.30, 3.41]),
        ("usa", [2.79, 2.85, 2.90, 3.01, 3.15, 3.42, 3.48, 3.59]),
        ("germany", [2.93, 2.94, 3.05, 3.11, 3.17, 3.13, 3.13, 3.13]),
    ];
    for (region, figures) in published {
        let want: Vec<Option<f64>> = figures.iter().map(|v| Some(*v)).collect();
        assert_figures(&app.series(region, "rd_share", "2015", "2022", "annual").await, &want);
        assert_figures(&app.series(region, "rd_share", "2012", "2014", "annual").await, &[None, None, None]);
    }
    let stored = app.get_as_admin("/api/v1/values?region=china&period=2020").await;
    assert_eq!(stored.body.as_array().unwrap().len(), 1, "{}", stored.body);
    assert_eq!(
        (stored.body[0]["indicator"].as_str(), stored.body[0]["value"].as_f64()),
        (Some("rd_share"), Some(2.41))
    );
    assert_eq!(app.get_as_admin("/api/v1/values?region=kunshan&period=2020").await.body, json!([]));

    // the same file again changes nothing; named by the indicator's Chinese name it goes to the same place
    let by_name = format!("?indicator={}", percent_encoded("R&D经费占GDP比重"));
    let again = post_file(&app, &app.admin.clone(), &by_name, CSV, file).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!((counts(&again), again.body["skipped"].as_u64()), ((0, 0, 40), Some(2)));
}

#[tokio::test]
async fn a_wdi_file_with_a_bad_cell_stores_nothing_and_names_the_line_and_year() {
    let app = with_countries(spawn_app().await).await;
    let text = String::from_utf8(wdi_file()).unwrap();
    // Korea (line 11): 2019 negative, 2020 not a number; China's line stays good
    let bad = text.replacen("\"4.63\",\"4.80\"", "\"-4.63\",\"n/a\"", 1);
    assert_ne!(bad, text);
    let dry = post_file(&app, &app.admin.clone(), "?dry_run=true&indicator=rd_share", CSV, bad.clone().into()).await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    let errors = row_errors(&dry);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0], (11, "第11行：2020年数值“n/a”不是数字".to_string()));
    assert_eq!(errors[1], (11, "第11行（2019年）：数值：R&D经费占GDP比重不能为负数".to_string()));
    assert_eq!(counts(&dry), (40 - 2, 0, 0), "the dry run counts the rest");

    let refused = post_file(&app, &app.admin.clone(), "?indicator=rd_share", CSV, bad.into()).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert_eq!(row_errors(&refused), errors);
    for region in ["china", "korea"] {
        assert_figures(&app.series(region, "rd_share", "2015", "2015", "annual").await, &[None]);
    }
}

#[tokio::test]
async fn a_wdi_file_needs_the_indicator_it_goes_into_and_only_it_takes_one() {
    let app = with_countries(spawn_app().await).await;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("", wdi_file(), "导入世界银行WDI文件要用参数indicator指明存入哪个指标（指标代码或名称）"),
        ("?indicator=nothing", wdi_file(), "指标“nothing”不存在"),
        (
            "?indicator=gdp",
            "region,indicator,period,value\ntown-a,gdp,2023Q1,1\n".into(),
            "参数indicator只用于世界银行WDI文件；其他文件的指标写在“指标”（indicator）列中",
        ),
    ];
    for (query, body, message) in cases {
        for dry_run in [false, true] {
            let query = match (query, dry_run) {
                ("", true) => "?dry_run=true".to_string(),
                (q, true) => format!("{q}&dry_run=true"),
                (q, false) => q.to_string(),
            };
            let answer = post_file(&app, &app.admin.clone(), &query, CSV, body.clone()).await;
            assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {}", answer.body);
            assert_eq!(answer.fields(), ["indicator"], "{query}");
            assert_eq!(answer.body["error"]["details"][0]["message"], message, "{query}");
        }
    }
    assert_eq!(app.get_as_admin("/api/v1/values?region=china&period=2020").await.body, json!([]));
    assert_eq!(app.get_as_admin("/api/v1/values?region=town-a&period=2023Q1").await.body, json!([]));

    // no benchmark country in the file: nothing stored, every line skipped, and the answer says so
    let bare = spawn_app().await.with_small_world().await;
    let answer = post_file(&bare, &bare.admin.clone(), "?indicator=rd_share", CSV, wdi_file()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!((counts(&answer), answer.body["skipped"].as_u64()), ((0, 0, 0), Some(7)));
    assert_eq!(answer.body["warnings"][0]["code"], "empty_import");
    assert_eq!(
        answer.body["warnings"][0]["message"],
        "文件中没有对标地区的数值：7个国家和地区的代码不是任何对标地区的iso3"
    );
}

/// The current quarter as the rules name it (`2025年四季度`).
fn current_label() -> String {
    zhibiao::engine::current_quarter().label()
}
