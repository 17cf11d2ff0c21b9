//! Publications (SPEC §14): a report is published with its moment and the SHA-256 of its JSON, and
//! comes out byte for byte the same after the figures behind it are revised; what may not be
//! published is refused and stores nothing; the page 已发布报告 lists them and lets an admin publish.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use reqwest::header::COOKIE;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use zhibiao::domain::access::Role;

use crate::helpers::{TestApp, spawn_demo};
use crate::matrix::fingerprint;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

impl TestApp {
    /// The content type and bytes of a GET as the admin, which must answer 200.
    async fn bytes(&self, path: &str) -> (String, Vec<u8>) {
        let resp = self.client.get(format!("{}{path}", self.base)).bearer_auth(&self.admin).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        let content_type = resp.headers()["content-type"].to_str().unwrap().to_string();
        (content_type, resp.bytes().await.unwrap().to_vec())
    }

    async fn publish(&self, token: &str, body: Value) -> crate::helpers::Answer {
        self.send_json(Method::POST, "/api/v1/publications", token, &body).await
    }
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The district's R&D expenditure in a bulletin's JSON.
fn rd_of(bulletin: &[u8]) -> f64 {
    let bulletin: Value = serde_json::from_slice(bulletin).unwrap();
    let lines = bulletin["lines"].as_array().unwrap();
    lines.iter().find(|l| l["indicator"] == "rd_expenditure").unwrap()["value"].as_f64().unwrap()
}

/// The figure of the row named `name` on the workbook's sheet 主要指标 (its third column).
fn figure_in_workbook(bytes: &[u8], name: &str) -> f64 {
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range("主要指标").unwrap();
    let row = (0..range.height() as u32)
        .find(|r| range.get_value((*r, 0)) == Some(&Data::String(name.into())))
        .unwrap_or_else(|| panic!("{name} not in the workbook"));
    match range.get_value((row, 2)) {
        Some(Data::Float(f)) => *f,
        other => panic!("{name}: {other:?}"),
    }
}

#[tokio::test]
async fn a_published_bulletin_comes_out_byte_for_byte_after_a_figure_behind_it_is_revised() {
    let app = spawn_demo().await;
    let (_, live_before) = app.bytes("/reports/bulletin/2023.json").await;
    // 全区's R&D expenditure of 2023: the towns' 18亿元
    assert_eq!(rd_of(&live_before), 18.0);

    let published = app.publish(&app.admin, json!({"kind": "bulletin", "period": "2023"})).await;
    assert_eq!(published.status, StatusCode::CREATED, "{}", published.body);
    let p = published.body;
    let id = p["id"].as_i64().unwrap();
    assert_eq!(
        (p["kind"].as_str(), p["period"].as_str(), p["region"].as_str()),
        (Some("bulletin"), Some("2023"), Some("district"))
    );
    assert_eq!(p["published_by"], "admin");
    assert_eq!(p["as_of"], p["published_at"]);
    let at = p["published_at"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(at).is_ok() && at.ends_with('Z') && at.len() == 24, "{at}");
    // built by the live report's code: the same bytes as the live JSON just before
    assert_eq!(p["sha256"].as_str().unwrap(), sha256(&live_before));

    let (json_type, json_before) = app.bytes(&format!("/reports/published/{id}.json")).await;
    let (html_type, html_before) = app.bytes(&format!("/reports/published/{id}.html")).await;
    let (xlsx_type, xlsx_before) = app.bytes(&format!("/reports/published/{id}.xlsx")).await;
    assert_eq!(
        (json_type.as_str(), html_type.as_str(), xlsx_type.as_str()),
        ("application/json", "text/html; charset=utf-8", XLSX)
    );
    assert_eq!(json_before, live_before);
    assert_eq!(html_before, app.bytes("/reports/bulletin/2023.html").await.1);
    assert!(String::from_utf8(html_before.clone()).unwrap().contains("全区2023年科技统计公报"));
    let rd_name = "R&D经费支出";
    assert_eq!(figure_in_workbook(&xlsx_before, rd_name), 18.0);

    // 甲镇's R&D expenditure of 2023 is corrected by 1亿元, with the reason
    let values = app.get_as_admin("/api/v1/values?region=town-jia&period=2023Q4").await.body;
    let rows = values.as_array().unwrap();
    let jia = rows.iter().find(|v| v["indicator"] == "rd_expenditure").unwrap()["value"].as_f64().unwrap();
    let corrected = json!({"region": "town-jia", "period": "2023Q4", "reason": "研发费用加计扣除核实后修订",
                           "values": [{"indicator": "rd_expenditure", "value": jia + 1.0, "comment": "加计扣除核实"}]});
    let put = app.send_json(Method::PUT, "/api/v1/values", &app.admin, &corrected).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);

    // the live bulletin moves; the published one does not
    let (_, live_after) = app.bytes("/reports/bulletin/2023.json").await;
    assert_eq!(rd_of(&live_after), 19.0);
    let (_, json_after) = app.bytes(&format!("/reports/published/{id}.json")).await;
    assert_eq!(json_after, json_before, "the published JSON, byte for byte");
    assert_eq!(rd_of(&json_after), 18.0);
    let listed = app.get_as_admin("/api/v1/publications").await.body;
    assert_eq!(listed[0]["sha256"].as_str().unwrap(), sha256(&json_after));
    assert_eq!(listed[0], p);
    assert_eq!(app.bytes(&format!("/reports/published/{id}.html")).await.1, html_before);
    let xlsx_after = app.bytes(&format!("/reports/published/{id}.xlsx")).await.1;
    assert_eq!(xlsx_after, xlsx_before);
    assert_eq!(figure_in_workbook(&xlsx_after, rd_name), 18.0);
    assert_eq!(figure_in_workbook(&app.bytes("/reports/bulletin/2023.xlsx").await.1, rd_name), 19.0);

    // audited under the same moment
    let conn = app.pool.get().unwrap();
    let (at_audited, who, key): (String, String, String) = conn
        .query_row("SELECT at, user, key FROM audit WHERE entity = 'publication' AND action = 'create'", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!((at_audited.as_str(), who.as_str(), key), (at, "admin", id.to_string()));
}

#[tokio::test]
async fn the_list_is_newest_first_and_filters_by_kind() {
    let app = spawn_demo().await;
    let mut ids = Vec::new();
    for body in [
        json!({"kind": "bulletin", "period": "2023Q3", "region": "town-jia"}),
        json!({"kind": "assessment", "period": "2023"}),
        json!({"kind": "rectification", "period": "2023Q4"}),
    ] {
        let answer = app.publish(&app.admin, body.clone()).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{body}: {}", answer.body);
        assert_eq!(answer.body["kind"], body["kind"]);
        ids.push(answer.body["id"].as_i64().unwrap());
    }
    let viewer = app.add_user("leader", Role::Viewer, &[]);
    let all = app.get("/api/v1/publications", Some(&viewer)).await;
    assert_eq!(all.status, StatusCode::OK);
    let listed: Vec<i64> = all.body.as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect();
    ids.reverse();
    assert_eq!(listed, ids);
    let first = &all.body[2];
    assert_eq!((first["period"].as_str(), first["region"].as_str()), (Some("2023Q3"), Some("town-jia")));
    // the assessment and the rectification report are of no region
    assert!(all.body[0]["region"].is_null() && all.body[1]["region"].is_null(), "{}", all.body);
    let assessments = app.get("/api/v1/publications?kind=assessment", Some(&viewer)).await.body;
    assert_eq!(assessments.as_array().unwrap().len(), 1);
    assert_eq!(assessments[0]["period"], "2023");
    // every signed-in user may read what was published
    let (content_type, bytes) = app.bytes(&format!("/reports/published/{}.json", ids[1])).await;
    assert_eq!(content_type, "application/json");
    let report: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(report["year"], 2023);
    let bad = app.get("/api/v1/publications?kind=report", Some(&viewer)).await;
    assert_eq!((bad.status, bad.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["kind".to_string()]));
}

#[tokio::test]
async fn what_may_not_be_published_is_refused_and_stores_nothing() {
    let app = spawn_demo().await;
    let stat = app.add_user("jia", Role::Statistician, &["town-jia"]);
    let viewer = app.add_user("leader", Role::Viewer, &[]);
    let before = fingerprint(&app.pool);
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        (&app.admin, json!({"kind": "report", "period": "2023"}), 422, "kind"),
        (&app.admin, json!({"period": "2023"}), 422, "kind"),
        (&app.admin, json!({"kind": "bulletin", "period": "2023Q5"}), 422, "period"),
        (&app.admin, json!({"kind": "bulletin", "period": "2023", "region": "Town A"}), 422, "region"),
        (&app.admin, json!({"kind": "bulletin", "period": "2023", "as_of": "2024-01-01"}), 422, "as_of"),
        (&app.admin, json!({"kind": "assessment", "period": "2023Q4"}), 422, "period"),
        (&app.admin, json!({"kind": "assessment", "period": "2023", "region": "district"}), 422, "region"),
        (&app.admin, json!({"kind": "rectification", "period": "2023"}), 422, "period"),
        (&app.admin, json!({"kind": "bulletin", "period": "2023", "region": "nowhere"}), 404, ""),
        // a year without an assessment scheme has no assessment to publish
        (&app.admin, json!({"kind": "assessment", "period": "1999"}), 404, ""),
        (&stat, json!({"kind": "bulletin", "period": "2023"}), 403, ""),
        (&viewer, json!({"kind": "bulletin", "period": "2023"}), 403, ""),
    ];
    for (token, body, status, field) in cases {
        let answer = app.publish(token, body.clone()).await;
        assert_eq!(answer.status.as_u16(), status, "{body}: {}", answer.body);
        let message = answer.body["error"]["message"].as_str().unwrap_or("");
        assert!(message.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{body}: {message}");
        if !field.is_empty() {
            assert_eq!(answer.fields(), vec![field.to_string()], "{body}");
        }
        assert_eq!(fingerprint(&app.pool), before, "{body} stored something");
    }
    let message = app.publish(&app.admin, json!({"kind": "rectification", "period": "2023"})).await.body;
    assert_eq!(message["error"]["details"][0]["message"], "整改工作进展情况通报按季度发布：应为 YYYYQn，如 2023Q4");
    for path in ["/reports/published/1.json", "/reports/published/0.html", "/reports/published/abc.json"] {
        let answer = app.get(path, Some(&app.admin)).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
    }
    let published = app.publish(&app.admin, json!({"kind": "bulletin", "period": "2023Q4"})).await;
    assert_eq!(published.status, StatusCode::CREATED);
    let id = published.body["id"].as_i64().unwrap();
    for path in [format!("/reports/published/{id}.pdf"), format!("/reports/published/{}.json", id + 1)] {
        let answer = app.get(&path, Some(&app.admin)).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(app.get(&format!("/reports/published/{id}.json"), None).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_page_lists_what_was_published_and_an_admin_publishes_from_it() {
    let app = spawn_demo().await;
    app.add_user("leader", Role::Viewer, &[]);
    let conn = app.pool.get().unwrap();
    for name in ["admin", "leader"] {
        zhibiao::engine::users::set_password(&conn, "test", name, "pages-secret-1").unwrap();
    }
    drop(conn);
    let admin = crate::crawl::sign_in(&app, "admin", "pages-secret-1").await;
    let page = |session: String, path: &'static str| {
        let app = &app;
        async move {
            let resp = app.client.get(format!("{}{path}", app.base)).header(COOKIE, session).send().await.unwrap();
            (resp.status(), resp.text().await.unwrap())
        }
    };
    let (status, reports) = page(admin.clone(), "/reports").await;
    assert_eq!(status, StatusCode::OK);
    assert!(reports.contains("<a href=\"/publications\">已发布报告</a>"), "{reports}");
    let (status, empty) = page(admin.clone(), "/publications").await;
    assert_eq!(status, StatusCode::OK);
    assert!(empty.contains("尚未发布报告。") && empty.contains("id=\"publish-form\""), "{empty}");
    let csrf = {
        let meta = "<meta name=\"csrf\" content=\"";
        let rest = &empty[empty.find(meta).unwrap() + meta.len()..];
        rest[..rest.find('"').unwrap()].to_string()
    };
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let post = |form: Vec<(&'static str, String)>| {
        let (client, app, admin) = (&client, &app, &admin);
        async move {
            let resp = client
                .post(format!("{}/publications", app.base))
                .header(COOKIE, admin)
                .form(&form)
                .send()
                .await
                .unwrap();
            let status = resp.status();
            let location = resp.headers().get("location").map(|l| l.to_str().unwrap().to_string());
            (status, location, resp.text().await.unwrap())
        }
    };
    // a stale form is refused and stores nothing
    let before = fingerprint(&app.pool);
    let (status, _, _) = post(vec![("csrf", "x".into()), ("kind", "bulletin".into()), ("period", "2023".into())]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // a wrong period is said above the form
    let (status, _, html) = post(vec![
        ("csrf", csrf.clone()),
        ("kind", "assessment".into()),
        ("period", "2023Q4".into()),
        ("region", "".into()),
    ])
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("时期：年终考核报告按年度发布：应为 YYYY，如 2023"), "{html}");
    assert_eq!(fingerprint(&app.pool), before);
    let (status, location, _) = post(vec![
        ("csrf", csrf.clone()),
        ("kind", "bulletin".into()),
        ("period", "2023".into()),
        ("region", "town-jia".into()),
    ])
    .await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some("/publications?published=1")));
    let listed = app.get_as_admin("/api/v1/publications").await.body;
    let hash = listed[0]["sha256"].as_str().unwrap().to_string();
    assert_eq!(listed[0]["region"], "town-jia");

    let leader = crate::crawl::sign_in(&app, "leader", "pages-secret-1").await;
    let (status, list) = page(leader, "/publications").await;
    assert_eq!(status, StatusCode::OK);
    for shown in ["<td>统计公报</td><td>2023年</td><td>甲镇</td><td>admin</td>", &hash, "/reports/published/1.xlsx"]
    {
        assert!(list.contains(shown), "{shown} not in {list}");
    }
    assert!(!list.contains("publish-form"), "a viewer gets no form");
}
