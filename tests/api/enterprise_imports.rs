//! Imports of the enterprise register (企业库): the list and the figures from CSV (UTF-8 or GBK) and
//! Excel, with Chinese headers and flags as the bureau's spreadsheets write them; all rows or none,
//! errors by row, a dry run; a statistician only for their own towns; the register indicators
//! count what was imported.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhibiao::domain::access::Role;
use zhibiao::domain::enterprise::CreditCode;

use crate::helpers::{Answer, TestApp, assert_figures, spawn_app};
use crate::matrix::fingerprint;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Codes with a right check character, made from a running number.
fn code(n: u32) -> String {
    const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    let body = format!("91110108{n:09}");
    (0..31)
        .map(|i| format!("{body}{}", &ALPHABET[i..=i]))
        .find(|c| CreditCode::parse(c).is_ok())
        .expect("one check character fits")
}

/// `code(n)` with a wrong check character, and the one the message asks for.
fn wrong_code(n: u32) -> (String, char) {
    let right = code(n);
    let last = right.chars().next_back().unwrap();
    let wrong = if last == '0' { '1' } else { '0' };
    (format!("{}{wrong}", &right[..17]), last)
}

async fn post(app: &TestApp, token: &str, query: &str, content_type: &str, body: Vec<u8>) -> Answer {
    let req = app
        .client
        .post(format!("{}/api/v1/enterprises/import{query}", app.base))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body);
    app.send(req).await
}

async fn post_csv(app: &TestApp, token: &str, query: &str, text: &str) -> Answer {
    post(app, token, query, "text/csv", text.as_bytes().to_vec()).await
}

fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&bytes).is_err(), "the test needs bytes that are not UTF-8");
    bytes.into_owned()
}

/// The counts of an outcome: (rows, created, updated, unchanged, years, figures, figures_unchanged).
fn counts(body: &Value) -> [u64; 7] {
    ["rows", "created", "updated", "unchanged", "years", "figures", "figures_unchanged"]
        .map(|k| body[k].as_u64().unwrap_or_else(|| panic!("{k} in {body}")))
}

/// (row, field, message) of a dry run's errors.
fn errors(body: &Value) -> Vec<(u64, String, String)> {
    body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (e["row"].as_u64().unwrap(), e["field"].as_str().unwrap().into(), e["message"].as_str().unwrap().into())
        })
        .collect()
}

/// (row, message) of a refused import's details.
fn details(answer: &Answer) -> Vec<(u64, String)> {
    answer.body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["message"].as_str().unwrap().into()))
        .collect()
}

/// year, scale, high_tech, sales_over_100m, major_project of each year of an enterprise.
async fn years(app: &TestApp, code: &str) -> Vec<(i64, bool, bool, bool, bool)> {
    let answer = app.get_as_admin(&format!("/api/v1/enterprises/{code}")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body["years"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| {
            let f = |k: &str| y[k].as_bool().unwrap();
            (y["year"].as_i64().unwrap(), f("scale"), f("high_tech"), f("sales_over_100m"), f("major_project"))
        })
        .collect()
}

fn audit_count(app: &TestApp, entity: &str, action: &str) -> i64 {
    let conn = app.pool.get().unwrap();
    conn.query_row("SELECT COUNT(*) FROM audit WHERE entity = ?1 AND action = ?2", [entity, action], |r| r.get(0))
        .unwrap()
}

const LIST_HEADER: &str = "code,name,region,year,scale,high_tech,sales_over_100m,major_project";

#[tokio::test]
async fn a_list_with_chinese_headers_from_a_gbk_csv_registers_each_enterprise_with_its_years() {
    let app = spawn_app().await.with_small_world().await;
    let (c1, c2, c3) = (code(1), code(2), code(3));
    let text = format!(
        "统一社会信用代码,企业名称,地区,年度,规模以上,高新技术企业,销售超亿元,重大项目企业\r\n\
         {c1},甲镇精密机械有限公司,甲镇,2023,是,否,否,否\r\n\
         {c1},甲镇精密机械有限公司,甲镇,2024,是,是,否,否\r\n\
         {c2},乙镇新材料股份有限公司,town-b,2024,1,0,1,0\r\n\
         {c3},乙镇电子科技有限公司,乙镇,２０２４,否,否,否,是\r\n"
    );
    let answer = post(&app, &app.admin, "?kind=list", "text/csv", gbk(&text)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(counts(&answer.body), [4, 3, 0, 0, 4, 0, 0]);
    assert_eq!(answer.body["errors"], json!([]));
    assert_eq!(answer.body["error_count"], 0);
    assert_eq!(years(&app, &c1).await, [(2023, true, false, false, false), (2024, true, true, false, false)]);
    assert_eq!(years(&app, &c2).await, [(2024, true, false, true, false)]);
    assert_eq!(years(&app, &c3).await, [(2024, false, false, false, true)]);
    let listed = app.get_as_admin("/api/v1/enterprises?region=town-b").await;
    let named: Vec<(&str, &str)> = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["name"].as_str().unwrap(), e["region"].as_str().unwrap()))
        .collect();
    assert_eq!(named, [("乙镇新材料股份有限公司", "town-b"), ("乙镇电子科技有限公司", "town-b")]);
    assert_eq!(audit_count(&app, "enterprise", "create"), 3, "every enterprise stored is audited");
}

#[tokio::test]
async fn a_list_from_an_excel_workbook_with_a_title_row_reads_as_the_csv_does() {
    let app = spawn_app().await.with_small_world().await;
    let (c1, c2) = (code(11), code(12));
    let workbook = |rows: &[(&str, &str, &str, f64, [&str; 4])]| {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "2024年重点企业名单").unwrap();
        let header = [
            "序号",
            "企业名称",
            "统一社会信用代码",
            "地区",
            "年度",
            "规模以上",
            "高新技术企业",
            "销售超亿元",
            "重大项目企业",
        ];
        for (c, h) in header.iter().enumerate() {
            sheet.write_string(1, c as u16, *h).unwrap();
        }
        for (i, (code, name, region, year, flags)) in rows.iter().enumerate() {
            let r = 2 + i as u32;
            sheet.write_number(r, 0, (i + 1) as f64).unwrap();
            sheet.write_string(r, 1, *name).unwrap();
            sheet.write_string(r, 2, *code).unwrap();
            sheet.write_string(r, 3, *region).unwrap();
            sheet.write_number(r, 4, *year).unwrap();
            for (k, f) in flags.iter().enumerate() {
                let c = 5 + k as u16;
                match *f {
                    "TRUE" => sheet.write_boolean(r, c, true).map(|_| ()),
                    "FALSE" => sheet.write_boolean(r, c, false).map(|_| ()),
                    "1" => sheet.write_number(r, c, 1.0).map(|_| ()),
                    "0" => sheet.write_number(r, c, 0.0).map(|_| ()),
                    text => sheet.write_string(r, c, text).map(|_| ()),
                }
                .unwrap();
            }
        }
        book.save_to_buffer().unwrap()
    };
    let good = workbook(&[
        (&c1, "甲镇智能装备有限公司", "甲镇", 2024.0, ["TRUE", "FALSE", "1", "0"]),
        (&c2, "丙镇生物医药有限公司", "town-c", 2024.0, ["Y", "N", "是", ""]),
    ]);
    let answer = post(&app, &app.admin, "", XLSX, good).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(counts(&answer.body), [2, 2, 0, 0, 2, 0, 0]);
    assert_eq!(years(&app, &c1).await, [(2024, true, false, true, false)]);
    assert_eq!(years(&app, &c2).await, [(2024, true, false, true, false)]);

    // rows are numbered as the spreadsheet shows them: the title is row 1, the header row 2
    let before = fingerprint(&app.pool);
    let bad = workbook(&[
        (&c1, "甲镇智能装备有限公司", "甲镇", 2025.0, ["1", "1", "1", "0"]),
        (&c2, "丙镇生物医药有限公司", "town-c", 1800.0, ["1", "0", "1", "0"]),
    ]);
    let answer = post(&app, &app.admin, "?dry_run=true", XLSX, bad).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(errors(&answer.body), [(4, "year".into(), "第4行：年度“1800”应为1900到2200之间的整数".into())]);
    assert_eq!(fingerprint(&app.pool), before);
}

#[tokio::test]
async fn a_year_added_to_an_existing_enterprise_keeps_its_other_years_and_its_institutions() {
    let app = spawn_app().await.with_small_world().await;
    let c1 = code(21);
    let institutions =
        json!([{"kind": "tech_center", "level": "provincial", "name": "省级企业技术中心", "since": 2020}]);
    let body = json!({"name": "甲镇精密机械有限公司", "region": "town-a", "institutions": institutions,
                      "years": [{"year": 2023, "scale": true, "high_tech": false, "sales_over_100m": false, "major_project": false}]});
    let put = app.send_json(Method::PUT, &format!("/api/v1/enterprises/{c1}"), &app.admin, &body).await;
    assert_eq!(put.status, StatusCode::CREATED, "{}", put.body);

    let text = format!("{LIST_HEADER}\n{c1},甲镇精密机械有限公司,town-a,2024,true,true,false,false\n");
    let answer = post_csv(&app, &app.admin, "?kind=list", &text).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(counts(&answer.body), [1, 0, 1, 0, 1, 0, 0]);
    assert_eq!(years(&app, &c1).await, [(2023, true, false, false, false), (2024, true, true, false, false)]);
    let stored = app.get_as_admin(&format!("/api/v1/enterprises/{c1}")).await;
    let kept = json!([{"kind": "tech_center", "level": "provincial", "name": "省级企业技术中心", "since": 2020, "until": null}]);
    assert_eq!(stored.body["institutions"], kept);

    // the same file again changes nothing and audits nothing
    let again = post_csv(&app, &app.admin, "?kind=list", &text).await;
    assert_eq!(counts(&again.body), [1, 0, 0, 1, 0, 0, 0]);
    assert_eq!(audit_count(&app, "enterprise", "create"), 1);
    assert_eq!(audit_count(&app, "enterprise", "update"), 1);
}

#[tokio::test]
async fn wrong_codes_unknown_regions_and_measures_and_negative_values_are_row_errors_and_nothing_is_stored() {
    let app = spawn_app().await.with_small_world().await;
    let (c1, c3, c4) = (code(31), code(33), code(34));
    let (bad, right) = wrong_code(32);
    let list = format!(
        "{LIST_HEADER}\n{c1},甲,town-a,2024,是,否,否,否\n{bad},乙,town-a,2024,是,否,否,否\n\
         {c3},丙,北京,2024,是,否,否,否\n{c4},丁,town-a,2024,也许,否,否,否\n"
    );
    let before = fingerprint(&app.pool);
    let answer = post_csv(&app, &app.admin, "?kind=list", &list).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
    assert_eq!(answer.body["error"]["message"], "文件有3处错误（见各行说明），没有导入任何数据");
    assert_eq!(
        details(&answer),
        [
            (3, format!("第3行：统一社会信用代码“{bad}”的校验码不对（按前17位应为{right}），请核对")),
            (4, "第4行：地区“北京”不存在".into()),
            (5, "第5行：规模以上“也许”应填 是/否（或 1/0、true/false、Y/N）".into()),
        ]
    );
    assert_eq!(fingerprint(&app.pool), before, "one bad row and nothing is stored");
    let dry = post_csv(&app, &app.admin, "?kind=list&dry_run=true", &list).await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    let fields: Vec<(u64, String)> = errors(&dry.body).into_iter().map(|(r, f, _)| (r, f)).collect();
    assert_eq!(fields, [(3, "code".into()), (4, "region".into()), (5, "scale".into())]);
    assert_eq!(counts(&dry.body), [4, 1, 0, 0, 1, 0, 0], "the good row would be created");

    let put = json!({"name": "甲", "region": "town-a"});
    assert_eq!(
        app.send_json(Method::PUT, &format!("/api/v1/enterprises/{c1}"), &app.admin, &put).await.status,
        StatusCode::CREATED
    );
    let figures = format!(
        "统一社会信用代码,期别,指标,数值\n{c1},2024Q1,专利申请量,3\n{c1},2024Q1,patents,1\n\
         {c1},2024Q1,有效专利数,-2\n{c3},2024Q1,sales,1\n{c1},2024Q1,patent_applications,4\n"
    );
    let before = fingerprint(&app.pool);
    let answer = post_csv(&app, &app.admin, "?kind=figures", &figures).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
    let got = details(&answer);
    assert_eq!(got.len(), 4, "{got:?}");
    assert!(
        got[0].1.starts_with("第3行：指标“patents”不是企业指标（可用 专利申请量（patent_applications）"),
        "{got:?}"
    );
    assert_eq!(got[1], (4, "第4行：数值：有效专利数不能为负数".into()));
    assert_eq!(got[2], (5, format!("第5行：统一社会信用代码为“{c3}”的企业未登记；请先导入企业名单")));
    assert_eq!(got[3], (6, "第6行：与第2行重复：同一企业、时期和指标只能有一个数值".into()));
    assert_eq!(fingerprint(&app.pool), before);
}

#[tokio::test]
async fn a_dry_run_stores_nothing_and_says_what_the_import_would_do() {
    let app = spawn_app().await.with_small_world().await;
    let text = format!("{LIST_HEADER}\n{},甲,town-a,2024,1,0,0,0\n{},乙,town-b,2024,0,0,1,0\n\n", code(41), code(42));
    let before = fingerprint(&app.pool);
    let dry = post_csv(&app, &app.admin, "?kind=list&dry_run=true", &text).await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    assert_eq!((dry.body["dry_run"].clone(), counts(&dry.body)), (json!(true), [2, 2, 0, 0, 2, 0, 0]));
    assert_eq!(fingerprint(&app.pool), before);
    let real = post_csv(&app, &app.admin, "?kind=list", &text).await;
    assert_eq!((real.body["dry_run"].clone(), counts(&real.body)), (json!(false), [2, 2, 0, 0, 2, 0, 0]));
    assert_ne!(fingerprint(&app.pool), before);

    let figures = format!("code,period,measure,value\n{},2024Q1,sales,12.5\n", code(41));
    let before = fingerprint(&app.pool);
    let dry = post_csv(&app, &app.admin, "?kind=figures&dry_run=true", &figures).await;
    assert_eq!(counts(&dry.body), [1, 0, 0, 0, 0, 1, 0]);
    assert_eq!(fingerprint(&app.pool), before);
    let real = post_csv(&app, &app.admin, "?kind=figures", &figures).await;
    assert_eq!(counts(&real.body), [1, 0, 0, 0, 0, 1, 0]);
    assert_eq!(audit_count(&app, "enterprise_values", "update"), 1);
    let values = app.get_as_admin(&format!("/api/v1/enterprises/{}/values", code(41))).await;
    assert_eq!(values.body, json!([{"period": "2024Q1", "values": [{"measure": "sales", "value": 12.5}]}]));
}

#[tokio::test]
async fn a_statistician_importing_a_row_of_another_town_gets_a_row_error() {
    let app = spawn_app().await.with_small_world().await;
    let jia = app.add_user("jia", Role::Statistician, &["town-a"]);
    let viewer = app.add_user("leader", Role::Viewer, &[]);
    let (mine, theirs) = (code(51), code(52));
    let text = format!("{LIST_HEADER}\n{mine},甲,town-a,2024,是,否,否,否\n{theirs},乙,乙镇,2024,是,否,否,否\n");
    let before = fingerprint(&app.pool);
    let answer = post_csv(&app, &jia, "?kind=list", &text).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
    assert_eq!(details(&answer), [(3, "第3行：地区：用户“jia”无权导入乙镇（town-b）的企业".into())]);
    assert_eq!(fingerprint(&app.pool), before);
    let refused = post_csv(&app, &viewer, "?kind=list", &text).await;
    assert_eq!((refused.status, refused.code()), (StatusCode::FORBIDDEN, "forbidden"));
    assert_eq!(fingerprint(&app.pool), before);

    // their own town goes in; an enterprise of another town is neither moved nor given figures
    let own = format!("{LIST_HEADER}\n{mine},甲,town-a,2024,是,否,否,否\n");
    assert_eq!(counts(&post_csv(&app, &jia, "", &own).await.body), [1, 1, 0, 0, 1, 0, 0]);
    let put = json!({"name": "乙", "region": "town-b"});
    assert_eq!(
        app.send_json(Method::PUT, &format!("/api/v1/enterprises/{theirs}"), &app.admin, &put).await.status,
        StatusCode::CREATED
    );
    let moved = post_csv(&app, &jia, "", &format!("{LIST_HEADER}\n{theirs},乙,town-a,2024,是,否,否,否\n")).await;
    assert_eq!(
        details(&moved),
        [(2, format!("第2行：统一社会信用代码：企业“{theirs}”登记在乙镇（town-b），用户“jia”无权修改"))]
    );
    let figures =
        post_csv(&app, &jia, "?kind=figures", &format!("code,period,measure,value\n{theirs},2024Q1,sales,1\n")).await;
    assert_eq!(
        details(&figures),
        [(2, format!("第2行：统一社会信用代码：用户“jia”无权导入乙镇（town-b）企业“{theirs}”的数据"))]
    );
}

#[tokio::test]
async fn after_a_figures_import_the_register_indicators_count_the_new_figures() {
    let app = spawn_app().await.with_small_world().await;
    for (code, name, rule) in [
        ("scale_zero_patents", "规模企业零专利", json!({"count": true, "where": ["scale", "zero:valid_patents"]})),
        ("firm_applications", "规上企业专利申请量", json!({"sum": "patent_applications", "where": ["scale"]})),
    ] {
        let body = json!({"code": code, "name": name, "unit": "件", "mode": "register", "rule": rule});
        let answer = app.post_indicator(body).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    }
    let (c1, c2, c3, c4) = (code(61), code(62), code(63), code(64));
    let list = format!(
        "{LIST_HEADER}\n{c1},一,town-a,2024,是,否,否,否\n{c2},二,town-a,2024,是,否,否,否\n\
         {c3},三,town-b,2024,是,否,否,否\n{c4},四,town-b,2024,否,否,否,否\n"
    );
    assert_eq!(post_csv(&app, &app.admin, "", &list).await.status, StatusCode::OK);
    // no figures yet: every scale enterprise has no patent
    assert_figures(&app.series("district", "scale_zero_patents", "2024Q1", "2024Q1", "ytd").await, &[Some(3.0)]);

    let figures = format!(
        "统一社会信用代码,时期,指标,数值\n{c1},2024年一季度,有效专利数,5\n{c1},2024Q1,专利申请量,2\n\
         {c2},2024Q1,valid_patents,0\n{c2},2024Q1,patent_applications,4\n{c3},2024Q1,专利申请量,1\n\
         {c4},2024Q1,专利申请量,7\n"
    );
    let answer = post_csv(&app, &app.admin, "?kind=figures", &figures).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(counts(&answer.body), [6, 0, 0, 0, 0, 6, 0]);
    // (region, indicator, 2024Q1): 企业2 recorded 0 valid patents, 企业3 none; 企业4 is no scale enterprise
    for (region, indicator, want) in [
        ("town-a", "scale_zero_patents", 1.0),
        ("town-b", "scale_zero_patents", 1.0),
        ("district", "scale_zero_patents", 2.0),
        ("town-a", "firm_applications", 6.0),
        ("town-b", "firm_applications", 1.0),
        ("district", "firm_applications", 7.0),
    ] {
        assert_figures(&app.series(region, indicator, "2024Q1", "2024Q1", "ytd").await, &[Some(want)]);
    }
}

#[test]
fn the_command_line_imports_a_file_into_a_database() {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("zhibiao.db");
    let exe = env!("CARGO_BIN_EXE_zhibiao");
    assert!(Command::new(exe).args(["demo", "--db"]).arg(&db).output().unwrap().status.success());
    let (c1, c2) = (code(71), code(72));
    let list = dir.path().join("名单.csv");
    std::fs::write(
        &list,
        gbk(&format!(
            "统一社会信用代码,企业名称,地区,年度,规模以上,高新技术企业,销售超亿元,重大项目企业\n\
             {c1},甲镇测试科技有限公司,甲镇,2024,是,是,否,否\n{c2},乙镇测试材料有限公司,town-yi,2024,否,否,是,否\n"
        )),
    )
    .unwrap();
    let run = |args: &[&std::ffi::OsStr]| {
        let out = Command::new(exe).args(["enterprise", "import"]).args(args).arg("--db").arg(&db).output().unwrap();
        (out.status.success(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
    };
    let (ok, stdout, stderr) = run(&[list.as_os_str(), "--dry-run".as_ref()]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("新增企业2家，更新0家，未变0家；新增或改动年度信息2条；没有保存任何数据。"), "{stdout}");
    let (ok, stdout, stderr) = run(&[list.as_os_str()]);
    assert!(ok, "{stderr}");
    assert!(stdout.starts_with("已导入") && stdout.contains("新增企业2家"), "{stdout}");

    let figures = dir.path().join("figures.csv");
    std::fs::write(
        &figures,
        format!("code,period,measure,value\n{c1},2024Q1,patent_applications,3\n{c2},2024Q1,sales,-1\n"),
    )
    .unwrap();
    let (ok, _, stderr) = run(&[figures.as_os_str(), "--kind".as_ref(), "figures".as_ref()]);
    assert!(!ok);
    assert!(stderr.contains("错误：第3行：数值：销售收入不能为负数"), "{stderr}");
    assert!(stderr.contains("文件有1处错误（见各行说明），没有导入任何数据"), "{stderr}");

    let pool = zhibiao::store::open(&db).unwrap();
    let conn = pool.get().unwrap();
    let stored = zhibiao::store::enterprises::get(&conn, &c1).unwrap().unwrap();
    assert_eq!(
        (stored.name.as_str(), stored.region.as_str(), stored.years.len()),
        ("甲镇测试科技有限公司", "town-jia", 1)
    );
    assert!(stored.years[0].scale && stored.years[0].high_tech && !stored.years[0].sales_over_100m);
    assert!(zhibiao::store::enterprises::values_of(&conn, &c1).unwrap().is_empty(), "the refused file stored nothing");
}
