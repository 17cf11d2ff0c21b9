//! The reporting workflow and quarter locks: draft → submitted → approved or
//! returned; approved and locked quarters refuse writes (409) except an admin's with a reason;
//! every state change, lock and override in the audit log with its reason.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhibiao::domain::access::Role;

use crate::helpers::{Answer, TestApp, spawn_app};

const Q: &str = "2024Q1";

/// `POST /workflow/{region}/{period}/{action}`, with `{"comment"}` when there is one and no body
/// at all otherwise.
async fn act(app: &TestApp, token: &str, region: &str, action: &str, comment: Option<&str>) -> Answer {
    let path = format!("/api/v1/workflow/{region}/{Q}/{action}");
    match comment {
        Some(c) => app.send_json(Method::POST, &path, token, &json!({ "comment": c })).await,
        None => {
            let resp = app.client.post(format!("{}{path}", app.base)).bearer_auth(token).send().await.unwrap();
            let status = resp.status();
            Answer { status, body: resp.json().await.unwrap() }
        }
    }
}

async fn act_ok(app: &TestApp, token: &str, region: &str, action: &str, comment: Option<&str>) -> Value {
    let answer = act(app, token, region, action, comment).await;
    assert_eq!(answer.status, StatusCode::OK, "{action} {region}: {}", answer.body);
    answer.body
}

/// (region, state) of every reporting region in `GET /workflow`.
async fn states(app: &TestApp, token: &str) -> Vec<(String, String)> {
    let answer = app.get(&format!("/api/v1/workflow?period={Q}&parent=district"), Some(token)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["region"].as_str().unwrap().to_string(), r["state"].as_str().unwrap().to_string()))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

/// The stored GDP of a region in a quarter, as submitted.
async fn stored_gdp(app: &TestApp, region: &str, period: &str) -> Option<f64> {
    let answer = app.get_as_admin(&format!("/api/v1/values?region={region}&period={period}&indicator=gdp")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body.as_array().unwrap().first().and_then(|v| v["value"].as_f64())
}

/// The audit entries of a region's quarter (or of a whole quarter), oldest first.
async fn audit(app: &TestApp, query: &str) -> Vec<Value> {
    let answer = app.get_as_admin(&format!("/api/v1/audit?{query}")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let mut entries = answer.body.as_array().unwrap().clone();
    entries.reverse();
    entries
}

/// (action, entity, reason) of audit entries.
fn summary(entries: &[Value]) -> Vec<(String, String, Option<String>)> {
    entries
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_string(),
                e["entity"].as_str().unwrap().to_string(),
                e["reason"].as_str().map(str::to_string),
            )
        })
        .collect()
}

fn entry(action: &str, entity: &str, reason: Option<&str>) -> (String, String, Option<String>) {
    (action.to_string(), entity.to_string(), reason.map(str::to_string))
}

/// A small world with a statistician for town-a and one for town-b; town-a has reported GDP 100.
async fn reporting_world() -> (TestApp, String, String) {
    let app = spawn_app().await.with_small_world().await;
    let a = app.add_user("stat-a", Role::Statistician, &["town-a"]);
    let b = app.add_user("stat-b", Role::Statistician, &["town-b"]);
    let answer = app.put_values(&a, "town-a", Q, &[("gdp", 100.0), ("rd_expenditure", 2.0)]).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    (app, a, b)
}

async fn put_with_reason(app: &TestApp, token: &str, region: &str, gdp: f64, reason: Option<&str>) -> Answer {
    let mut body = json!({"region": region, "period": Q, "values": [{"indicator": "gdp", "value": gdp}]});
    if let Some(r) = reason {
        body["reason"] = json!(r);
    }
    app.send_json(Method::PUT, "/api/v1/values", token, &body).await
}

#[tokio::test]
async fn an_approved_quarter_refuses_the_statisticians_writes_and_stores_nothing() {
    let (app, a, _) = reporting_world().await;
    assert_eq!(states(&app, &a).await, pairs(&[("town-a", "draft"), ("town-b", "draft"), ("town-c", "draft")]));

    let submitted = act_ok(&app, &a, "town-a", "submit", None).await;
    assert_eq!(
        (&submitted["region"], &submitted["period"], &submitted["state"], &submitted["by"], &submitted["comment"]),
        (&json!("town-a"), &json!(Q), &json!("submitted"), &json!("stat-a"), &Value::Null)
    );
    assert!(submitted["at"].as_str().is_some_and(|at| at.starts_with("20")), "{submitted}");
    // under review: the statistician waits for a return
    let answer = app.put_values(&a, "town-a", Q, &[("gdp", 110.0)]).await;
    assert_eq!((answer.status, answer.code()), (StatusCode::CONFLICT, "conflict"), "{}", answer.body);
    assert_eq!(stored_gdp(&app, "town-a", Q).await, Some(100.0));

    let approved = act_ok(&app, &app.admin.clone(), "town-a", "approve", Some("数据无误")).await;
    assert_eq!(
        (&approved["state"], &approved["by"], &approved["comment"]),
        (&json!("approved"), &json!("admin"), &json!("数据无误"))
    );
    assert_eq!(states(&app, &a).await, pairs(&[("town-a", "approved"), ("town-b", "draft"), ("town-c", "draft")]));

    let answer = app.put_values(&a, "town-a", Q, &[("gdp", 120.0)]).await;
    assert_eq!(answer.status, StatusCode::CONFLICT, "{}", answer.body);
    assert!(answer.body["error"]["message"].as_str().unwrap().contains("已审核并锁定"), "{}", answer.body);
    let answer = put_with_reason(&app, &a, "town-a", 120.0, Some("我想改")).await;
    assert_eq!(answer.status, StatusCode::CONFLICT, "a statistician's reason overrides nothing: {}", answer.body);
    assert_eq!(stored_gdp(&app, "town-a", Q).await, Some(100.0));
    // the other quarters and regions stay open
    assert_eq!(app.put_values(&a, "town-a", "2024Q2", &[("gdp", 210.0)]).await.status, StatusCode::OK);
    assert_eq!(stored_gdp(&app, "town-a", "2024Q2").await, Some(210.0));

    let trail = audit(&app, &format!("region=town-a&period={Q}")).await;
    let workflow: Vec<_> = trail.iter().filter(|e| e["entity"] == "workflow").cloned().collect();
    assert_eq!(summary(&workflow), [entry("submit", "workflow", None), entry("approve", "workflow", Some("数据无误"))]);
    assert_eq!((&workflow[1]["old"]["state"], &workflow[1]["new"]["state"]), (&json!("submitted"), &json!("approved")));
    assert_eq!(workflow[1]["key"], "town-a/2024Q1");
}

#[tokio::test]
async fn an_admin_overrides_an_approved_quarter_only_with_a_reason() {
    let (app, a, _) = reporting_world().await;
    let admin = app.admin.clone();
    act_ok(&app, &a, "town-a", "submit", None).await;
    act_ok(&app, &admin, "town-a", "approve", None).await;

    for reason in [None, Some(""), Some("   ")] {
        let answer = put_with_reason(&app, &admin, "town-a", 120.0, reason).await;
        assert_eq!(answer.status, StatusCode::CONFLICT, "reason {reason:?}: {}", answer.body);
        assert!(answer.body["error"]["message"].as_str().unwrap().contains("管理员可注明原因"), "{}", answer.body);
    }
    assert_eq!(stored_gdp(&app, "town-a", Q).await, Some(100.0));

    let answer = put_with_reason(&app, &admin, "town-a", 120.0, Some("统计执法检查后更正")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["stored"], 1);
    assert_eq!(stored_gdp(&app, "town-a", Q).await, Some(120.0));
    // the state is unchanged by the override
    assert_eq!(states(&app, &a).await[0], ("town-a".to_string(), "approved".to_string()));

    let trail = audit(&app, &format!("region=town-a&period={Q}")).await;
    let last_two = &trail[trail.len() - 2..];
    assert_eq!(
        summary(last_two),
        [
            entry("update", "value", Some("统计执法检查后更正")),
            entry("override", "workflow", Some("统计执法检查后更正"))
        ]
    );
    assert_eq!((&last_two[0]["old"]["value"], &last_two[0]["new"]["value"]), (&json!(100.0), &json!(120.0)));
    assert_eq!(last_two[1]["new"], json!({"state": "approved", "quarter_locked": false, "figures_changed": 1}));
    // repeating the same figures changes nothing and records no override
    let answer = put_with_reason(&app, &admin, "town-a", 120.0, Some("再次确认")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(audit(&app, &format!("region=town-a&period={Q}")).await.len(), trail.len());
}

#[tokio::test]
async fn a_return_with_a_comment_reopens_the_quarter() {
    let (app, a, _) = reporting_world().await;
    let admin = app.admin.clone();
    act_ok(&app, &a, "town-a", "submit", None).await;
    let answer = act(&app, &admin, "town-a", "return", None).await;
    assert_eq!((answer.status, answer.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["comment".to_string()]));
    let answer = act(&app, &admin, "town-a", "return", Some("  ")).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);

    let returned = act_ok(&app, &admin, "town-a", "return", Some("GDP与统计局口径不一致，请核对")).await;
    assert_eq!(
        (&returned["state"], &returned["comment"]),
        (&json!("returned"), &json!("GDP与统计局口径不一致，请核对"))
    );
    let answer = app.put_values(&a, "town-a", Q, &[("gdp", 130.0)]).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(stored_gdp(&app, "town-a", Q).await, Some(130.0));

    let again = act_ok(&app, &a, "town-a", "submit", Some("已按统计局口径更正")).await;
    assert_eq!(again["state"], "submitted");
    act_ok(&app, &admin, "town-a", "approve", None).await;
    // an approved quarter can be returned too, and is then open again
    act_ok(&app, &admin, "town-a", "return", Some("年报调整")).await;
    assert_eq!(app.put_values(&a, "town-a", Q, &[("gdp", 131.0)]).await.status, StatusCode::OK);
    assert_eq!(stored_gdp(&app, "town-a", Q).await, Some(131.0));

    let trail = audit(&app, &format!("region=town-a&period={Q}")).await;
    let workflow: Vec<_> = trail.iter().filter(|e| e["entity"] == "workflow").cloned().collect();
    assert_eq!(
        summary(&workflow),
        [
            entry("submit", "workflow", None),
            entry("return", "workflow", Some("GDP与统计局口径不一致，请核对")),
            entry("submit", "workflow", Some("已按统计局口径更正")),
            entry("approve", "workflow", None),
            entry("return", "workflow", Some("年报调整")),
        ]
    );
}

#[tokio::test]
async fn approving_many_at_once_is_all_or_nothing() {
    let (app, a, b) = reporting_world().await;
    let admin = app.admin.clone();
    act_ok(&app, &a, "town-a", "submit", None).await;
    act_ok(&app, &b, "town-b", "submit", None).await;
    let approve = |regions: Value| {
        let body = json!({"period": Q, "regions": regions});
        let app = &app;
        let admin = admin.clone();
        async move { app.send_json(Method::POST, "/api/v1/workflow/approve", &admin, &body).await }
    };

    let answer = approve(json!(["town-a", "town-b", "town-c"])).await;
    assert_eq!(answer.status, StatusCode::CONFLICT, "{}", answer.body);
    assert!(answer.body["error"]["message"].as_str().unwrap().contains("丙镇（未上报）"), "{}", answer.body);
    let bad: &[(Value, &[&str])] = &[
        (json!(["town-a", "nowhere"]), &["regions[1]"]),
        (json!(["district", "town-a"]), &["regions[0]"]),
        (json!(["town-a", "kunshan"]), &["regions[1]"]),
        (json!(["town-a", "town-b", "town-a"]), &["regions[2]"]),
        (json!([]), &["regions"]),
    ];
    for (regions, fields) in bad {
        let answer = approve(regions.clone()).await;
        assert_eq!(
            (answer.status, answer.fields()),
            (StatusCode::UNPROCESSABLE_ENTITY, fields.iter().map(|f| f.to_string()).collect()),
            "{regions}: {}",
            answer.body
        );
    }
    let body = json!({"period": Q, "regions": ["town-a"]});
    assert_eq!(app.send_json(Method::POST, "/api/v1/workflow/approve", &a, &body).await.status, StatusCode::FORBIDDEN);
    // nothing of the refused batches was approved
    assert_eq!(states(&app, &a).await, pairs(&[("town-a", "submitted"), ("town-b", "submitted"), ("town-c", "draft")]));

    let answer = approve(json!(["town-b", "town-a"])).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let got: Vec<(&str, &str)> = answer
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["region"].as_str().unwrap(), r["state"].as_str().unwrap()))
        .collect();
    assert_eq!(got, [("town-b", "approved"), ("town-a", "approved")]);
    assert_eq!(states(&app, &a).await, pairs(&[("town-a", "approved"), ("town-b", "approved"), ("town-c", "draft")]));
    assert_eq!(app.put_values(&b, "town-b", Q, &[("gdp", 1.0)]).await.status, StatusCode::CONFLICT);
    let trail = audit(&app, &format!("region=town-b&period={Q}")).await;
    assert_eq!(summary(&trail[trail.len() - 1..]), [entry("approve", "workflow", None)]);
}

#[tokio::test]
async fn a_locked_quarter_refuses_everyone_but_an_admin_with_a_reason() {
    let (app, a, _) = reporting_world().await;
    let admin = app.admin.clone();
    let lock_path = format!("/api/v1/locks/{Q}");

    assert_eq!(app.send_json(Method::PUT, &lock_path, &admin, &json!({})).await.fields(), ["reason"]);
    assert_eq!(app.send_json(Method::PUT, &lock_path, &a, &json!({"reason": "x"})).await.status, StatusCode::FORBIDDEN);
    let locked = app.send_json(Method::PUT, &lock_path, &admin, &json!({"reason": "一季度统计公报已发布"})).await;
    assert_eq!(locked.status, StatusCode::OK, "{}", locked.body);
    assert_eq!(
        (&locked.body["period"], &locked.body["locked"], &locked.body["reason"], &locked.body["by"]),
        (&json!(Q), &json!(true), &json!("一季度统计公报已发布"), &json!("admin"))
    );
    let locks = app.get("/api/v1/locks", Some(&a)).await.body;
    assert_eq!(locks.as_array().unwrap().iter().map(|l| l["period"].clone()).collect::<Vec<_>>(), [json!(Q)]);

    // a draft region of a locked quarter is closed too
    let answer = app.put_values(&a, "town-a", Q, &[("gdp", 140.0)]).await;
    assert_eq!(answer.status, StatusCode::CONFLICT, "{}", answer.body);
    assert!(answer.body["error"]["message"].as_str().unwrap().contains("2024年一季度已锁定"), "{}", answer.body);
    assert_eq!(put_with_reason(&app, &admin, "town-a", 140.0, None).await.status, StatusCode::CONFLICT);
    assert_eq!(stored_gdp(&app, "town-a", Q).await, Some(100.0));
    let answer = put_with_reason(&app, &admin, "town-a", 140.0, Some("补录遗漏数据")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(stored_gdp(&app, "town-a", Q).await, Some(140.0));
    // the next quarter is open
    assert_eq!(app.put_values(&a, "town-a", "2024Q2", &[("gdp", 220.0)]).await.status, StatusCode::OK);

    let del = |token: &str| {
        let req = app.client.delete(format!("{}{lock_path}", app.base)).bearer_auth(token.to_string());
        async move {
            let resp = req.send().await.unwrap();
            let status = resp.status();
            Answer { status, body: resp.json().await.unwrap() }
        }
    };
    assert_eq!(del(&a).await.status, StatusCode::FORBIDDEN);
    let unlocked = del(&admin).await;
    assert_eq!(unlocked.status, StatusCode::OK, "{}", unlocked.body);
    assert_eq!((&unlocked.body["locked"], &unlocked.body["period"]), (&json!(false), &json!(Q)));
    assert_eq!(del(&admin).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/v1/locks", Some(&a)).await.body, json!([]));
    let answer = app.put_values(&a, "town-a", Q, &[("gdp", 150.0)]).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(stored_gdp(&app, "town-a", Q).await, Some(150.0));

    // the lock, the override and the unlock are in the quarter's audit
    let trail = audit(&app, &format!("period={Q}")).await;
    let closed: Vec<_> = trail.iter().filter(|e| e["entity"] != "value").cloned().collect();
    assert_eq!(
        summary(&closed),
        [
            entry("lock", "lock", Some("一季度统计公报已发布")),
            entry("override", "workflow", Some("补录遗漏数据")),
            entry("unlock", "lock", None),
        ]
    );
    assert_eq!(closed[1]["new"], json!({"state": "draft", "quarter_locked": true, "figures_changed": 1}));
    assert_eq!(closed[1]["region"], "town-a");
}

#[tokio::test]
async fn who_may_move_a_quarter_and_what_is_refused() {
    let (app, a, b) = reporting_world().await;
    let admin = app.admin.clone();
    let viewer = app.add_user("leader", Role::Viewer, &[]);

    let refused: &[(&str, &str, &str, StatusCode)] = &[
        (a.as_str(), "town-b", "submit", StatusCode::FORBIDDEN),
        (viewer.as_str(), "town-a", "submit", StatusCode::FORBIDDEN),
        (a.as_str(), "town-a", "approve", StatusCode::FORBIDDEN),
        (viewer.as_str(), "town-a", "approve", StatusCode::FORBIDDEN),
        // nothing submitted yet
        (admin.as_str(), "town-a", "approve", StatusCode::CONFLICT),
        (admin.as_str(), "nowhere", "submit", StatusCode::NOT_FOUND),
        (admin.as_str(), "district", "submit", StatusCode::UNPROCESSABLE_ENTITY),
        (admin.as_str(), "kunshan", "submit", StatusCode::UNPROCESSABLE_ENTITY),
        (admin.as_str(), "town-a", "reject", StatusCode::UNPROCESSABLE_ENTITY),
    ];
    for (token, region, action, status) in refused {
        let answer = act(&app, token, region, action, None).await;
        assert_eq!(answer.status, *status, "{action} {region}: {}", answer.body);
        assert!(answer.body["error"]["code"].is_string(), "{}", answer.body);
    }
    for path in [
        "/api/v1/workflow/town-a/2024/submit",
        "/api/v1/workflow/town-a/2024Q5/submit",
        "/api/v1/workflow/town-a/2099Q1/submit",
    ] {
        let answer = app.send_json(Method::POST, path, &admin, &json!({})).await;
        assert_eq!(
            (answer.status, answer.fields()),
            (StatusCode::UNPROCESSABLE_ENTITY, vec!["period".to_string()]),
            "{path}"
        );
    }
    let answer =
        app.send_json(Method::POST, &format!("/api/v1/workflow/town-a/{Q}/submit"), &a, &json!({"note": 1})).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "unknown fields are refused: {}", answer.body);
    let body = app.client.post(format!("{}/api/v1/workflow/town-a/{Q}/submit", app.base)).bearer_auth(&a).body("{");
    assert_eq!(body.header("content-type", "application/json").send().await.unwrap().status(), StatusCode::BAD_REQUEST);
    assert_eq!(states(&app, &viewer).await, pairs(&[("town-a", "draft"), ("town-b", "draft"), ("town-c", "draft")]));

    // an admin may submit for a town (a JSON null is no body), its statistician may not submit twice
    let path = format!("/api/v1/workflow/town-b/{Q}/submit");
    assert_eq!(app.send_json(Method::POST, &path, &admin, &Value::Null).await.body["state"], "submitted");
    assert_eq!(act(&app, &b, "town-b", "submit", None).await.status, StatusCode::CONFLICT);
    assert_eq!(act(&app, &b, "town-b", "return", Some("撤回")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        states(&app, &viewer).await,
        pairs(&[("town-a", "draft"), ("town-b", "submitted"), ("town-c", "draft")])
    );
    assert_eq!(app.get(&format!("/api/v1/workflow?period={Q}"), None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/api/v1/workflow?period=2024", Some(&viewer)).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.get(&format!("/api/v1/workflow?period={Q}&parent=kunshan"), Some(&viewer)).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let all = app.get(&format!("/api/v1/workflow?period={Q}"), Some(&viewer)).await.body;
    assert_eq!(all.as_array().unwrap().len(), 3, "benchmarks have no workflow: {all}");
}

#[tokio::test]
async fn completeness_shows_the_workflow_states() {
    let (app, a, b) = reporting_world().await;
    let admin = app.admin.clone();
    let submitted = act_ok(&app, &a, "town-a", "submit", None).await;
    act_ok(&app, &b, "town-b", "submit", None).await;
    act_ok(&app, &admin, "town-b", "approve", None).await;
    act_ok(&app, &admin, "town-b", "return", Some("请补报专利数据")).await;
    // a correction by the bureau during review moves the latest figure's time, not the submission's
    let answer = put_with_reason(&app, &admin, "town-a", 101.0, None).await;
    assert_eq!(answer.status, StatusCode::OK, "the bureau may correct a submission under review: {}", answer.body);

    let rows = app.get_as_admin(&format!("/api/v1/completeness?period={Q}&parent=district")).await.body;
    let got: Vec<(&str, &str, &str)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["region"].as_str().unwrap(), r["state"].as_str().unwrap(), r["state_name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        got,
        [("town-a", "submitted", "已上报"), ("town-b", "returned", "已退回"), ("town-c", "draft", "未上报")]
    );
    // submitted: when it was submitted, not when the admin's later correction arrived
    assert_eq!(rows[0]["submitted_at"], submitted["at"]);
    assert_eq!(rows[0]["reported"], 2);
    // returned and draft without figures: nothing submitted
    assert!(rows[1]["submitted_at"].is_null() && rows[2]["submitted_at"].is_null(), "{rows}");
    let html = app.get_as_admin(&format!("/reports/completeness/{Q}.html")).await.body;
    assert!(html.as_str().is_some_and(|h| h.contains("已上报") && h.contains("已退回")), "{html}");
}

async fn import_csv(app: &TestApp, token: &str, query: &str, csv: &str) -> Answer {
    let resp = app
        .client
        .post(format!("{}/api/v1/imports{query}", app.base))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(csv.to_string())
        .send()
        .await
        .unwrap();
    let status = resp.status();
    Answer { status, body: resp.json().await.unwrap() }
}

#[tokio::test]
async fn an_import_into_an_approved_quarter_is_refused_row_by_row() {
    let (app, a, _) = reporting_world().await;
    let admin = app.admin.clone();
    act_ok(&app, &a, "town-a", "submit", None).await;
    act_ok(&app, &admin, "town-a", "approve", None).await;
    let csv = "region,indicator,period,value,comment\n\
               town-a,gdp,2024Q2,200,\n\
               town-a,gdp,2024Q1,150,\n\
               town-a,rd_expenditure,2024Q1,3,\n";

    let dry = import_csv(&app, &a, "?dry_run=true", csv).await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    let rows: Vec<u64> = dry.body["errors"].as_array().unwrap().iter().map(|e| e["row"].as_u64().unwrap()).collect();
    assert_eq!(rows, [3, 4]);
    assert!(dry.body["errors"][0]["message"].as_str().unwrap().contains("已审核并锁定"), "{}", dry.body);

    let real = import_csv(&app, &a, "?reason=更正", csv).await;
    assert_eq!(real.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", real.body);
    let rows: Vec<u64> =
        real.body["error"]["details"].as_array().unwrap().iter().map(|e| e["row"].as_u64().unwrap()).collect();
    assert_eq!(rows, [3, 4]);
    // all or nothing: the open quarter's row was not stored either
    assert_eq!((stored_gdp(&app, "town-a", Q).await, stored_gdp(&app, "town-a", "2024Q2").await), (Some(100.0), None));

    let answer = import_csv(&app, &admin, "", csv).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "an admin needs a reason too: {}", answer.body);
    let answer = import_csv(&app, &admin, "?reason=%E5%B9%B4%E6%8A%A5%E8%B0%83%E6%95%B4", csv).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!((&answer.body["created"], &answer.body["updated"]), (&json!(1), &json!(2)));
    assert_eq!(
        (stored_gdp(&app, "town-a", Q).await, stored_gdp(&app, "town-a", "2024Q2").await),
        (Some(150.0), Some(200.0))
    );
    let trail = audit(&app, &format!("region=town-a&period={Q}")).await;
    let last = trail.last().unwrap();
    assert_eq!(
        (&last["action"], &last["reason"], &last["new"]["figures_changed"]),
        (&json!("override"), &json!("年报调整"), &json!(2))
    );
}

#[tokio::test]
async fn the_openapi_document_lists_the_workflow_routes() {
    let app = spawn_app().await;
    let doc = app.get("/api/openapi.json", None).await.body;
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/workflow/{region}/{period}/{action}", "post"),
        ("/api/v1/workflow", "get"),
        ("/api/v1/workflow/approve", "post"),
        ("/api/v1/locks", "get"),
        ("/api/v1/locks/{period}", "put"),
        ("/api/v1/locks/{period}", "delete"),
    ] {
        assert!(paths.get(path).and_then(|p| p.get(method)).is_some(), "{method} {path} missing");
    }
    let act = &paths["/api/v1/workflow/{region}/{period}/{action}"]["post"];
    let params: Vec<&str> = act["parameters"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(params, ["region", "period", "action"]);
    // the body may be left out
    assert_ne!(act["requestBody"]["required"], json!(true), "{act}");
}

#[tokio::test]
async fn a_region_without_figures_can_be_deleted_after_it_submitted() {
    let app = spawn_app().await.with_small_world().await;
    let admin = app.admin.clone();
    act_ok(&app, &admin, "town-c", "submit", Some("本季度无数据")).await;
    let answer = app.send_json(Method::DELETE, "/api/v1/regions/town-c", &admin, &json!({})).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(states(&app, &admin).await, pairs(&[("town-a", "draft"), ("town-b", "draft")]));
    // the submission stays in the audit log
    let trail = audit(&app, &format!("region=town-c&period={Q}")).await;
    assert_eq!(summary(&trail), [entry("submit", "workflow", Some("本季度无数据"))]);
}
