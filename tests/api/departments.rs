//! The bureau's departments (`/departments`, `zhibiao department add`) and the officers bound to
//! them (`zhibiao user add --role officer --department …`): an officer reads what a viewer reads
//! and writes no figures.

use std::path::Path;
use std::process::{Command, Output};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhibiao::domain::access::Role;

use crate::helpers::{TestApp, spawn_app, spawn_demo};

impl TestApp {
    /// An officer of `departments` (registered first when they are not yet), with a token.
    pub fn add_officer(&self, name: &str, departments: &[&str]) -> String {
        let conn = self.pool.get().unwrap();
        let known = zhibiao::engine::departments::list(&conn).unwrap();
        for d in departments.iter().filter(|d| !known.iter().any(|k| k == *d)) {
            zhibiao::engine::departments::add_as(&conn, "test", d, None).unwrap();
        }
        let departments: Vec<String> = departments.iter().map(|d| d.to_string()).collect();
        zhibiao::engine::users::add_with_departments(&conn, "test", name, Role::Officer, &[], &departments).unwrap()
    }
}

async fn post_department(app: &TestApp, token: &str, body: Value) -> crate::helpers::Answer {
    app.send_json(Method::POST, "/api/v1/departments", token, &body).await
}

#[tokio::test]
async fn an_admin_registers_departments_which_everyone_signed_in_reads_in_their_order() {
    let app = spawn_app().await;
    let viewer = app.add_user("leader", Role::Viewer, &[]);
    assert_eq!(app.get("/api/v1/departments", Some(&viewer)).await.body, json!([]));

    // without a sort each goes after those already registered; a sort puts it in its place
    let cases = [
        (json!({"name": "局办公室"}), json!({"name": "局办公室", "sort": 0})),
        (json!({"name": " 高新技术科 ", "sort": null}), json!({"name": "高新技术科", "sort": 1})),
        (json!({"name": "科技管理科", "sort": -1}), json!({"name": "科技管理科", "sort": -1})),
        (json!({"name": "农业与社会发展科"}), json!({"name": "农业与社会发展科", "sort": 3})),
    ];
    for (body, want) in cases {
        let answer = post_department(&app, &app.admin, body.clone()).await;
        assert_eq!((answer.status, &answer.body), (StatusCode::CREATED, &want), "{body}");
    }
    let listed = app.get("/api/v1/departments", Some(&viewer)).await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.body, json!(["科技管理科", "局办公室", "高新技术科", "农业与社会发展科"]));

    // each registration is in the audit log
    let audit = app.get_as_admin("/api/v1/audit?limit=50").await.body;
    let mut audited: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity"] == "department" && e["action"] == "create" && e["user"] == "admin")
        .map(|e| e["key"].as_str().unwrap())
        .collect();
    audited.sort();
    assert_eq!(audited, ["农业与社会发展科", "局办公室", "科技管理科", "高新技术科"]);
}

#[tokio::test]
async fn a_duplicate_a_blank_or_a_long_name_and_a_viewer_are_refused_and_store_nothing() {
    let app = spawn_app().await;
    let viewer = app.add_user("leader", Role::Viewer, &[]);
    let statistician = {
        app.post_region(json!({"id": "district", "name": "全区", "kind": "district"})).await;
        app.add_user("jia", Role::Statistician, &["district"])
    };
    assert_eq!(post_department(&app, &app.admin, json!({"name": "局办公室"})).await.status, StatusCode::CREATED);
    let before = crate::matrix::fingerprint(&app.pool);
    let long = "科".repeat(51);
    let cases: [(&str, Value, StatusCode, &str, &str); 6] = [
        (&app.admin, json!({"name": "局办公室"}), StatusCode::CONFLICT, "conflict", "科室“局办公室”已登记"),
        (&app.admin, json!({"name": " 局办公室\u{3000}"}), StatusCode::CONFLICT, "conflict", "科室“局办公室”已登记"),
        (&app.admin, json!({"name": " \u{3000}"}), StatusCode::UNPROCESSABLE_ENTITY, "invalid", "name"),
        (&app.admin, json!({"name": long}), StatusCode::UNPROCESSABLE_ENTITY, "invalid", "name"),
        (&viewer, json!({"name": "人事科"}), StatusCode::FORBIDDEN, "forbidden", "只有管理员可以执行此操作"),
        (&statistician, json!({"name": "人事科"}), StatusCode::FORBIDDEN, "forbidden", "只有管理员可以执行此操作"),
    ];
    for (token, body, status, code, said) in cases {
        let answer = post_department(&app, token, body.clone()).await;
        assert_eq!((answer.status, answer.code()), (status, code), "{body}: {}", answer.body);
        if status == StatusCode::UNPROCESSABLE_ENTITY {
            assert_eq!(answer.fields(), [said], "{body}");
            assert_eq!(answer.body["error"]["details"][0]["message"], "科室名称应为 1 到 50 个字", "{body}");
        } else {
            assert_eq!(answer.body["error"]["message"], said, "{body}");
        }
    }
    // fifty characters are enough
    let fifty = "科".repeat(50);
    assert_eq!(post_department(&app, &app.admin, json!({"name": fifty})).await.status, StatusCode::CREATED);
    assert_ne!(crate::matrix::fingerprint(&app.pool), before);
    let listed = app.get("/api/v1/departments", Some(&viewer)).await.body;
    assert_eq!(listed, json!(["局办公室", fifty]));
}

fn zhibiao(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zhibiao")).args(args).arg("--db").arg(db).output().unwrap()
}

fn said(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
fn the_command_line_adds_officers_only_with_registered_departments_and_stores_nothing_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("z.db");
    for name in ["局办公室", "高新技术科", "科技管理科"] {
        let out = zhibiao(&db, &["department", "add", name]);
        assert!(out.status.success(), "{}", said(&out));
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), format!("已登记科室“{name}”。"));
    }
    let again = zhibiao(&db, &["department", "add", "局办公室"]);
    assert!(!again.status.success());
    assert!(said(&again).contains("科室“局办公室”已登记"), "{}", said(&again));
    let listed = zhibiao(&db, &["department", "list"]);
    assert_eq!(String::from_utf8_lossy(&listed.stdout), "局办公室\n高新技术科\n科技管理科\n");

    let refused = [
        (vec!["--name", "wang", "--role", "officer", "--department", "高新技术科,人事科"], "科室“人事科”未登记"),
        (vec!["--name", "wang", "--role", "officer"], "科室干部至少要属于一个科室"),
        (vec!["--name", "wang", "--role", "officer", "--department", " ，"], "科室干部至少要属于一个科室"),
        (vec!["--name", "wang", "--role", "viewer", "--department", "高新技术科"], "只有科室干部才属于具体科室"),
        (vec!["--name", "wang", "--role", "admin", "--department", "局办公室"], "只有科室干部才属于具体科室"),
    ];
    for (args, message) in refused {
        let out = zhibiao(&db, &[&["user", "add"], args.as_slice()].concat());
        assert!(!out.status.success(), "{args:?}");
        assert!(said(&out).contains(message), "{args:?}: {}", said(&out));
        let pool = zhibiao::store::open(&db).unwrap();
        let conn = pool.get().unwrap();
        assert_eq!(zhibiao::store::users::with_name(&conn, "wang").unwrap(), None, "{args:?}");
        let entries: i64 =
            conn.query_row("SELECT COUNT(*) FROM audit WHERE entity = 'user'", [], |r| r.get(0)).unwrap();
        assert_eq!(entries, 0, "{args:?}");
    }

    // repeated and comma-separated, in any order: kept in the registry's order, once each
    let out = zhibiao(
        &db,
        &[
            "user",
            "add",
            "--name",
            "wang",
            "--role",
            "officer",
            "--department",
            "科技管理科、局办公室",
            "--department",
            "局办公室",
        ],
    );
    assert!(out.status.success(), "{}", said(&out));
    let pool = zhibiao::store::open(&db).unwrap();
    let conn = pool.get().unwrap();
    let wang = zhibiao::store::users::with_name(&conn, "wang").unwrap().unwrap();
    assert_eq!((wang.role, wang.departments), (Role::Officer, vec!["局办公室".to_string(), "科技管理科".to_string()]));
}

#[tokio::test]
async fn an_officer_reads_what_a_viewer_reads_and_writes_no_figures() {
    let app = spawn_demo().await;
    let officer = app.add_officer("gxk", &["高新技术科"]);
    let regions = app.get("/api/v1/regions", Some(&officer)).await;
    assert_eq!(regions.status, StatusCode::OK);
    assert_eq!(regions.body, app.get_as_admin("/api/v1/regions").await.body);
    let before = crate::matrix::fingerprint(&app.pool);
    let cases = [
        ("town-jia", "用户“gxk”不能填报地区“town-jia”的数据"),
        // an unknown region is no 422 for one who writes no figures at all
        ("town-nowhere", "用户“gxk”不能填报地区“town-nowhere”的数据"),
    ];
    for (region, message) in cases {
        let answer = app.put_values(&officer, region, "2024Q1", &[("gdp", 12.5)]).await;
        assert_eq!((answer.status, answer.code()), (StatusCode::FORBIDDEN, "forbidden"), "{region}: {}", answer.body);
        assert_eq!(answer.body["error"]["message"], message);
    }
    let import = crate::helpers::post_import(
        &app,
        &officer,
        "",
        "text/csv",
        b"region,indicator,period,value,comment\ntown-jia,gdp,2024Q1,12.5,\n".to_vec(),
    )
    .await;
    assert_eq!(import.status, StatusCode::FORBIDDEN, "{}", import.body);
    assert_eq!(import.body["error"]["message"], "用户“gxk”是科室干部，不能导入数据");
    let department = post_department(&app, &officer, json!({"name": "人事科"})).await;
    assert_eq!(department.status, StatusCode::FORBIDDEN);
    assert_eq!(crate::matrix::fingerprint(&app.pool), before);
}
