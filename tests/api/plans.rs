//! Rectification plans over HTTP: the plan text import (dry run, real, twice, broken), tasks with
//! bad departments, deadlines and targets, completion, and the quarterly progress reports with
//! who may file them.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhibiao::domain::access::Role;

use crate::helpers::{Answer, TestApp, spawn_app};
use crate::matrix::fingerprint;

const PLAN: &str = include_str!("../data/plan-2023.txt");

async fn post_plan_text(app: &TestApp, query: &str, text: &str) -> Answer {
    let req = app
        .client
        .post(format!("{}/api/v1/plans/import?{query}", app.base))
        .bearer_auth(&app.admin)
        .header("content-type", "text/plain; charset=utf-8")
        .body(text.to_string());
    app.send(req).await
}

const QUERY: &str = "plan=xuncha-2023&title=%E6%95%B4%E6%94%B9%E6%96%B9%E6%A1%88&year=2023";

fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

/// The text with some lines (1-based) replaced.
fn edited(text: &str, edits: &[(usize, &str)]) -> String {
    text.split('\n')
        .enumerate()
        .map(|(i, line)| edits.iter().find(|(n, _)| *n == i + 1).map_or(line, |(_, new)| *new))
        .collect::<Vec<_>>()
        .join("\n")
}

/// An officer of `departments`, and their token.
fn officer(app: &TestApp, name: &str, departments: &[&str]) -> String {
    let conn = app.pool.get().unwrap();
    let departments: Vec<String> = departments.iter().map(|d| d.to_string()).collect();
    zhibiao::engine::users::add_with_departments(&conn, "test", name, Role::Officer, &[], &departments).unwrap()
}

async fn register(app: &TestApp, departments: &[&str]) {
    for d in departments {
        let answer = app.send_json(Method::POST, "/api/v1/departments", &app.admin, &json!({"name": d})).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    }
}

#[tokio::test]
async fn a_dry_run_of_the_bureau_s_plan_shows_its_four_problems_and_stores_nothing() {
    let app = spawn_app().await.with_small_world().await;
    let before = fingerprint(&app.pool);
    let answer = post_plan_text(&app, &format!("{QUERY}&dry_run=true"), PLAN).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let body = &answer.body;
    assert_eq!(body["dry_run"], true);
    assert_eq!(body["plan"], json!({"id": "xuncha-2023", "title": "整改方案", "year": 2023}));
    let problems = body["problems"].as_array().unwrap();
    let titles: Vec<&str> = problems.iter().map(|p| p["title"].as_str().unwrap()).collect();
    assert_eq!(
        titles,
        ["全社会科技投入不足", "核心技术较少、专利申请和授权量落后", "高层次人才缺乏", "工作作风有待改进"]
    );
    let tasks: Vec<usize> = problems.iter().map(|p| p["tasks"].as_array().unwrap().len()).collect();
    assert_eq!(tasks, [1, 2, 1, 1]);
    assert_eq!(body["task_count"], 5);
    let suggested: Vec<Vec<String>> = problems.iter().map(|p| strings(&p["suggested_indicators"])).collect();
    assert_eq!(
        suggested,
        [vec!["gdp".to_string(), "rd_expenditure".into()], vec!["patent_applications".into()], vec![], vec![]]
    );
    let first = &problems[0]["tasks"][0];
    assert_eq!(first["title"], "加大研发投入");
    assert_eq!(first["deadline"], "2023-12-31");
    assert_eq!(first["line"], 13);
    assert_eq!(strings(&first["leaders"]), ["王局长", "李副局长"]);
    assert_eq!(strings(&first["departments"]), ["高新技术科", "科技管理科"]);
    assert_eq!(first["measures"].as_array().unwrap().len(), 3);
    assert_eq!(problems[1]["tasks"][1]["deadline"], "long_term");
    assert_eq!(strings(&body["new_departments"]), ["高新技术科", "科技管理科", "农业与社会发展科", "局办公室"]);
    assert_eq!(fingerprint(&app.pool), before, "a dry run stores nothing");
    assert_eq!(app.get_as_admin("/api/v1/plans").await.body, json!([]));
}

#[tokio::test]
async fn a_real_import_stores_the_plan_its_departments_problems_and_tasks_and_a_second_is_a_conflict() {
    let app = spawn_app().await.with_small_world().await;
    register(&app, &["局办公室"]).await;
    let answer = post_plan_text(&app, QUERY, PLAN).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["dry_run"], false);
    assert_eq!(strings(&answer.body["new_departments"]), ["高新技术科", "科技管理科", "农业与社会发展科"]);

    let departments = app.get_as_admin("/api/v1/departments").await.body;
    assert_eq!(strings(&departments), ["局办公室", "高新技术科", "科技管理科", "农业与社会发展科"]);
    let plan = app.get_as_admin("/api/v1/plans/xuncha-2023").await;
    assert_eq!(plan.status, StatusCode::OK, "{}", plan.body);
    let problems = plan.body["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 4);
    assert_eq!(
        problems[0]["indicators"],
        json!([{"indicator": "gdp", "region": "district"}, {"indicator": "rd_expenditure", "region": "district"}])
    );
    let tasks: Vec<Vec<(String, String, String)>> = problems
        .iter()
        .map(|p| {
            p["tasks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| {
                    let lead = t["departments"][0].as_str().unwrap().to_string();
                    (t["title"].as_str().unwrap().to_string(), lead, t["deadline"].as_str().unwrap().to_string())
                })
                .collect()
        })
        .collect();
    let t = |title: &str, lead: &str, deadline: &str| (title.to_string(), lead.to_string(), deadline.to_string());
    assert_eq!(
        tasks,
        [
            vec![t("加大研发投入", "高新技术科", "2023-12-31")],
            vec![t("提升企业自主创新能力", "高新技术科", "2023-12-31"), t("深化产学研合作", "科技管理科", "long_term")],
            vec![t("引进和培育高层次人才", "农业与社会发展科", "long_term")],
            vec![t("持续改进工作作风", "局办公室", "long_term")],
        ]
    );
    assert_eq!(problems[3]["tasks"][0]["status"], "open");
    let audit = app.get_as_admin("/api/v1/audit?limit=50").await.body;
    let imports: Vec<&Value> = audit.as_array().unwrap().iter().filter(|e| e["entity"] == "plan").collect();
    assert_eq!(imports.len(), 1);
    assert_eq!((imports[0]["action"].as_str(), imports[0]["key"].as_str()), (Some("import"), Some("xuncha-2023")));

    let before = fingerprint(&app.pool);
    let again = post_plan_text(&app, QUERY, PLAN).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(again.body["error"]["message"], "整改方案“xuncha-2023”已存在；请换一个方案代码，或先删除原方案");
    assert_eq!(fingerprint(&app.pool), before);
}

#[tokio::test]
async fn a_broken_plan_answers_every_line_error_and_stores_nothing() {
    let app = spawn_app().await.with_small_world().await;
    let broken = edited(PLAN, &[(18, ""), (45, "——完成时限：2023.13")]);
    let before = fingerprint(&app.pool);
    for query in [QUERY.to_string(), format!("{QUERY}&dry_run=true")] {
        let answer = post_plan_text(&app, &query, &broken).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
        assert_eq!(answer.body["error"]["message"], "方案文本有2处错误，没有导入任何内容");
        let details = answer.body["error"]["details"].as_array().unwrap();
        let rows: Vec<u64> = details.iter().map(|d| d["row"].as_u64().unwrap()).collect();
        assert_eq!(rows, [13, 45]);
        assert_eq!(details[0]["message"], "第13行：“解决措施：加大研发投入”缺少“完成时限”");
        assert!(details[1]["message"].as_str().unwrap().starts_with("第45行："), "{}", details[1]);
    }
    assert_eq!(fingerprint(&app.pool), before);
}

#[tokio::test]
async fn an_import_needs_text_an_admin_and_good_parameters() {
    let app = spawn_app().await.with_small_world().await;
    let viewer = app.add_user("leader", Role::Viewer, &[]);
    let as_viewer = app
        .client
        .post(format!("{}/api/v1/plans/import?{QUERY}", app.base))
        .bearer_auth(&viewer)
        .header("content-type", "text/plain")
        .body(PLAN);
    assert_eq!(app.send(as_viewer).await.status, StatusCode::FORBIDDEN);
    let as_json = app
        .client
        .post(format!("{}/api/v1/plans/import?{QUERY}", app.base))
        .bearer_auth(&app.admin)
        .json(&json!({"text": PLAN}));
    assert_eq!(app.send(as_json).await.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let cases = [
        ("plan=Plan-2023&title=t&year=2023", "plan"),
        ("plan=p&title=%20&year=2023", "title"),
        ("plan=p&title=t&year=1800", "year"),
        ("title=t&year=2023", "plan"),
    ];
    for (query, field) in cases {
        let answer = post_plan_text(&app, query, PLAN).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {}", answer.body);
        assert_eq!(answer.fields(), [field], "{query}");
    }
    // GBK, as Notepad on Chinese Windows saves it
    let (gbk, _, _) = encoding_rs::GB18030.encode(PLAN);
    let req = app
        .client
        .post(format!("{}/api/v1/plans/import?{QUERY}&dry_run=true", app.base))
        .bearer_auth(&app.admin)
        .header("content-type", "text/plain")
        .body(gbk.into_owned());
    let answer = app.send(req).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["task_count"], 5);
}

/// A plan with one problem and the departments 高新技术科 and 局办公室; the problem's id.
async fn plan_with_a_problem(app: &TestApp) -> i64 {
    register(app, &["高新技术科", "局办公室"]).await;
    let plan = json!({"id": "p2023", "title": "整改方案", "year": 2023});
    assert_eq!(app.send_json(Method::POST, "/api/v1/plans", &app.admin, &plan).await.status, StatusCode::CREATED);
    let problem = json!({"plan": "p2023", "title": "全社会科技投入不足",
                         "indicators": [{"indicator": "rd_share", "region": "district"}]});
    let answer = app.send_json(Method::POST, "/api/v1/problems", &app.admin, &problem).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    assert_eq!(answer.body["seq"], 1);
    answer.body["id"].as_i64().unwrap()
}

fn task(problem: i64) -> Value {
    json!({
        "problem": problem,
        "title": "加大研发投入",
        "measures": ["一是落实研发费用加计扣除。", "二是设立专项资金。"],
        "leaders": ["王局长"],
        "departments": ["高新技术科"],
        "persons": ["张科长"],
        "deadline": "2023-12-31",
        "targets": [{"region": "district", "indicator": "rd_expenditure", "year": 2023}]
    })
}

#[tokio::test]
async fn a_task_with_an_unknown_department_a_bad_deadline_or_an_unknown_indicator_is_refused_naming_the_field() {
    let app = spawn_app().await.with_small_world().await;
    let problem = plan_with_a_problem(&app).await;
    let with = |field: &str, value: Value| {
        let mut body = task(problem);
        body[field] = value;
        body
    };
    let cases = [
        (with("departments", json!(["高新技术科", "XX科"])), "departments[1]", "不认识的科室“XX科”；请先添加该科室"),
        (with("deadline", json!("2023.13")), "deadline", ""),
        (
            with("targets", json!([{"region": "district", "indicator": "no_such", "year": 2023}])),
            "targets[0].indicator",
            "指标“no_such”不存在",
        ),
        (with("departments", json!([])), "departments", "至少要有一个责任部门（第一个为牵头部门）"),
        (with("title", json!("  ")), "title", "不能为空"),
        (with("problem", json!(999)), "problem", "问题999不存在"),
    ];
    let before = fingerprint(&app.pool);
    for (body, field, message) in cases {
        let answer = app.send_json(Method::POST, "/api/v1/tasks", &app.admin, &body).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {}", answer.body);
        assert_eq!(answer.fields(), [field]);
        if !message.is_empty() {
            assert_eq!(answer.body["error"]["details"][0]["message"], message);
        } else {
            let text = answer.body["error"]["details"][0]["message"].as_str().unwrap();
            assert!(text.contains("“2023.13”不是有效的完成时限"), "{text}");
        }
    }
    assert_eq!(fingerprint(&app.pool), before, "nothing stored");

    let created = app.send_json(Method::POST, "/api/v1/tasks", &app.admin, &task(problem)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!((created.body["seq"].as_i64(), created.body["status"].as_str()), (Some(1), Some("open")));
    let id = created.body["id"].as_i64().unwrap();
    let changed = app
        .send_json(Method::PUT, &format!("/api/v1/tasks/{id}"), &app.admin, &with("deadline", json!("long_term")))
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    let read = app.get_as_admin(&format!("/api/v1/problems/{problem}")).await.body;
    assert_eq!(read["tasks"][0]["deadline"], "long_term");
    assert_eq!(read["indicators"], json!([{"indicator": "rd_share", "region": "district"}]));
}

#[tokio::test]
async fn a_problem_linked_to_an_unknown_indicator_is_refused_naming_it_and_a_change_keeps_its_plan() {
    let app = spawn_app().await.with_small_world().await;
    plan_with_a_problem(&app).await;
    let before = fingerprint(&app.pool);
    let body = json!({"plan": "p2023", "title": "核心技术较少",
                      "indicators": [{"indicator": "gdp", "region": "district"}, {"indicator": "nope", "region": "atlantis"}]});
    let answer = app.send_json(Method::POST, "/api/v1/problems", &app.admin, &body).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
    assert_eq!(answer.fields(), ["indicators[1].indicator", "indicators[1].region"]);
    assert_eq!(fingerprint(&app.pool), before);

    let changed = json!({"title": "R&D投入不足", "description": "低于全市平均水平",
                         "indicators": [{"indicator": "rd_share", "region": "town-a"}]});
    let answer = app.send_json(Method::PUT, "/api/v1/problems/1", &app.admin, &changed).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let read = app.get_as_admin("/api/v1/problems?plan=p2023").await.body;
    assert_eq!(
        read,
        json!([{"id": 1, "plan": "p2023", "seq": 1, "title": "R&D投入不足", "description": "低于全市平均水平",
                "indicators": [{"indicator": "rd_share", "region": "town-a"}]}])
    );
    let moved =
        app.send_json(Method::PUT, "/api/v1/problems/1", &app.admin, &json!({"plan": "other", "title": "x"})).await;
    assert_eq!((moved.status, moved.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["plan".to_string()]));
}

#[tokio::test]
async fn done_needs_a_completion_report_and_reopening_a_reason() {
    let app = spawn_app().await.with_small_world().await;
    let problem = plan_with_a_problem(&app).await;
    let id =
        app.send_json(Method::POST, "/api/v1/tasks", &app.admin, &task(problem)).await.body["id"].as_i64().unwrap();
    let done = format!("/api/v1/tasks/{id}/done");
    let before = fingerprint(&app.pool);
    for body in [json!({"done_report": "  "}), json!({})] {
        let answer = app.send_json(Method::POST, &done, &app.admin, &body).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
        assert_eq!(answer.fields(), ["done_report"]);
    }
    assert_eq!(fingerprint(&app.pool), before);

    let answer = app.send_json(Method::POST, &done, &app.admin, &json!({"done_report": "专项资金已设立"})).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let today = zhibiao::domain::period::in_beijing(&chrono::Utc::now()).date_naive().to_string();
    assert_eq!(answer.body["status"], "done");
    assert_eq!(answer.body["done_at"], today.as_str());
    assert_eq!(answer.body["done_report"], "专项资金已设立");
    let again = app.send_json(Method::POST, &done, &app.admin, &json!({"done_report": "再次办结"})).await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    let reopen = format!("/api/v1/tasks/{id}/reopen");
    let answer = app.send_json(Method::POST, &reopen, &app.admin, &json!({"reason": ""})).await;
    assert_eq!((answer.status, answer.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["reason".to_string()]));
    let answer = app.send_json(Method::POST, &reopen, &app.admin, &json!({"reason": "办结报告与实际不符"})).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!((answer.body["status"].as_str(), answer.body["done_at"].as_str()), (Some("open"), None));
    let audit = app.get_as_admin("/api/v1/audit?limit=20").await.body;
    let reopened = audit.as_array().unwrap().iter().find(|e| e["action"] == "reopen").unwrap();
    assert_eq!(reopened["reason"], "办结报告与实际不符");
    assert_eq!(reopened["old"]["status"], "done");
}

#[tokio::test]
async fn progress_is_reported_by_an_officer_of_the_task_s_department_and_a_second_report_replaces_the_first() {
    let app = spawn_app().await.with_small_world().await;
    let problem = plan_with_a_problem(&app).await;
    let id =
        app.send_json(Method::POST, "/api/v1/tasks", &app.admin, &task(problem)).await.body["id"].as_i64().unwrap();
    let own = officer(&app, "gaoxin", &["高新技术科"]);
    let other = officer(&app, "bangongshi", &["局办公室"]);
    let viewer = app.add_user("leader", Role::Viewer, &[]);
    let current = zhibiao::engine::current_quarter();
    let previous = current.previous().unwrap();
    let url = |q: zhibiao::domain::Quarter| format!("/api/v1/tasks/{id}/reports/{q}");
    let body = json!({"text": "已走访重点企业12家", "percent": 40});

    let before = fingerprint(&app.pool);
    for (who, token) in [("another department's officer", &other), ("a viewer", &viewer)] {
        let answer = app.send_json(Method::PUT, &url(previous), token, &body).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{who}: {}", answer.body);
        assert_eq!(answer.body["error"]["message"], "只有该任务责任部门（高新技术科）的科室干部或管理员可以填报进展");
    }
    let cases = [
        (url(current.next().unwrap()), body.clone(), "period"),
        (url(previous), json!({"text": " "}), "text"),
        (url(previous), json!({"text": "x".repeat(2001)}), "text"),
        (url(previous), json!({"text": "进展", "percent": 101}), "percent"),
        (format!("/api/v1/tasks/{id}/reports/2023"), body.clone(), "period"),
    ];
    for (url, body, field) in cases {
        let answer = app.send_json(Method::PUT, &url, &own, &body).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {}", answer.body);
        assert_eq!(answer.fields(), [field], "{url}");
    }
    assert_eq!(fingerprint(&app.pool), before, "refusals store nothing");

    let first = app.send_json(Method::PUT, &url(previous), &own, &body).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!((first.body["by"].as_str(), first.body["percent"].as_f64()), (Some("gaoxin"), Some(40.0)));
    let now = app.send_json(Method::PUT, &url(current), &app.admin, &json!({"text": "本季度已启动"})).await;
    assert_eq!(now.status, StatusCode::OK, "the current quarter may be reported: {}", now.body);
    let second = json!({"text": "已走访重点企业15家，设立专项资金", "percent": 60});
    let replaced = app.send_json(Method::PUT, &url(previous), &own, &second).await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.body);

    let reports = app.get(&format!("/api/v1/tasks/{id}/reports"), Some(&viewer)).await.body;
    let read: Vec<(String, String)> = reports
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["period"].as_str().unwrap().to_string(), r["text"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        read,
        [
            (previous.to_string(), "已走访重点企业15家，设立专项资金".to_string()),
            (current.to_string(), "本季度已启动".into())
        ]
    );
    let audit = app.get_as_admin(&format!("/api/v1/audit?period={previous}")).await.body;
    let entries: Vec<&Value> = audit.as_array().unwrap().iter().filter(|e| e["entity"] == "progress_report").collect();
    assert_eq!(entries.len(), 2, "{audit}");
    assert_eq!((entries[0]["action"].as_str(), entries[1]["action"].as_str()), (Some("replace"), Some("create")));
    assert_eq!(entries[0]["old"]["text"], "已走访重点企业12家");
    assert_eq!(entries[0]["new"]["text"], "已走访重点企业15家，设立专项资金");
    assert_eq!(entries[0]["user"], "gaoxin");
}

/// A task of 高新技术科 under `problem`, without targets, due on `deadline`; its id.
async fn plain_task(app: &TestApp, problem: i64, title: &str, deadline: &str) -> i64 {
    let body = json!({"problem": problem, "title": title, "departments": ["高新技术科"], "deadline": deadline});
    let answer = app.send_json(Method::POST, "/api/v1/tasks", &app.admin, &body).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    answer.body["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_task_shows_its_light_on_the_day_asked_about_blue_on_its_deadline_and_red_the_day_after() {
    let app = spawn_app().await.with_small_world().await;
    let problem = plan_with_a_problem(&app).await;
    // created today, so no quarter before the deadline is due: only the deadline decides
    let id = plain_task(&app, problem, "加大研发投入", "2020-06-30").await;
    let viewer = app.add_user("leader", Role::Viewer, &[]);
    let cases = [
        ("2020-05-30", "green", "on_schedule", "按计划推进，完成时限为2020年6月30日"),
        ("2020-05-31", "blue", "deadline_near", "距完成时限（2020年6月30日）还有30天"),
        ("2020-06-30", "blue", "deadline_near", "今天是完成时限（2020年6月30日）"),
        ("2020-07-01", "red", "overdue", "已超过完成时限（2020年6月30日）1天"),
    ];
    for (on, color, code, message) in cases {
        let answer = app.get(&format!("/api/v1/tasks/{id}?on={on}"), Some(&viewer)).await;
        assert_eq!(answer.status, StatusCode::OK, "{on}: {}", answer.body);
        assert_eq!(answer.body["title"], "加大研发投入", "{on}: the task itself is there");
        assert_eq!(answer.body["deadline"], "2020-06-30");
        assert_eq!(
            answer.body["light"],
            json!({"color": color, "reasons": [{"code": code, "message": message}]}),
            "{on}"
        );
    }
    let today = app.get(&format!("/api/v1/tasks/{id}"), Some(&viewer)).await;
    assert_eq!(today.status, StatusCode::OK, "{}", today.body);
    assert_eq!(today.body["light"]["color"], "red", "today is long after the deadline: {}", today.body);
    for on in ["2020-02-30", "20200630", "tomorrow"] {
        let answer = app.get(&format!("/api/v1/tasks/{id}?on={on}"), Some(&viewer)).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{on}: {}", answer.body);
        assert_eq!(answer.fields(), ["on"], "{on}");
    }
}

#[tokio::test]
async fn an_admin_changes_a_plan_s_title_and_year_and_the_audit_keeps_both() {
    let app = spawn_app().await.with_small_world().await;
    plan_with_a_problem(&app).await;
    let viewer = app.add_user("leader", Role::Viewer, &[]);
    let change = json!({"title": "关于巡察反馈意见的整改方案（修订）", "year": 2024});
    let before = fingerprint(&app.pool);
    let refused = app.send_json(Method::PUT, "/api/v1/plans/p2023", &viewer, &change).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let cases = [(json!({"title": " ", "year": 2024}), "title"), (json!({"title": "整改方案", "year": 1800}), "year")];
    for (body, field) in cases {
        let answer = app.send_json(Method::PUT, "/api/v1/plans/p2023", &app.admin, &body).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", answer.body);
        assert_eq!(answer.fields(), [field], "{body}");
    }
    assert_eq!(fingerprint(&app.pool), before, "refusals store nothing");
    let unknown = app.send_json(Method::PUT, "/api/v1/plans/p1999", &app.admin, &change).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.body);
    assert_eq!(unknown.body["error"]["message"], "整改方案“p1999”不存在");

    let answer = app.send_json(Method::PUT, "/api/v1/plans/p2023", &app.admin, &change).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let want = json!({"id": "p2023", "title": "关于巡察反馈意见的整改方案（修订）", "year": 2024});
    assert_eq!(answer.body, want);
    let plan = app.get("/api/v1/plans/p2023", Some(&viewer)).await.body;
    assert_eq!((&plan["title"], &plan["year"]), (&want["title"], &want["year"]));
    assert_eq!(plan["problems"].as_array().unwrap().len(), 1, "its problem stays");
    let audit = app.get_as_admin("/api/v1/audit?limit=100").await.body;
    let entry = audit.as_array().unwrap().iter().find(|e| e["entity"] == "plan" && e["action"] == "update").unwrap();
    assert_eq!(entry["key"], "p2023");
    assert_eq!(entry["old"], json!({"id": "p2023", "title": "整改方案", "year": 2023}));
    assert_eq!(entry["new"], want);
}

async fn delete_plan(app: &TestApp, token: &str, id: &str) -> Answer {
    app.send(app.client.delete(format!("{}/api/v1/plans/{id}", app.base)).bearer_auth(token)).await
}

#[tokio::test]
async fn deleting_a_plan_removes_its_problems_tasks_reports_and_orders_and_a_second_delete_is_not_found() {
    let app = spawn_app().await.with_small_world().await;
    let problem = plan_with_a_problem(&app).await;
    let id = plain_task(&app, problem, "加大研发投入", "2020-06-30").await;
    let current = zhibiao::engine::current_quarter();
    let report = json!({"text": "已走访重点企业12家"});
    let answer =
        app.send_json(Method::PUT, &format!("/api/v1/tasks/{id}/reports/{current}"), &app.admin, &report).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let order = json!({"task": id, "reasons": ["已超过完成时限"]});
    let answer = app.send_json(Method::POST, "/api/v1/supervision/orders", &app.admin, &order).await;
    assert!(answer.status.is_success(), "{}", answer.body);
    // another plan, which stays
    let other = json!({"id": "p2024", "title": "另一整改方案", "year": 2024});
    assert_eq!(app.send_json(Method::POST, "/api/v1/plans", &app.admin, &other).await.status, StatusCode::CREATED);
    let answer = app
        .send_json(Method::POST, "/api/v1/problems", &app.admin, &json!({"plan": "p2024", "title": "人才缺乏"}))
        .await;
    let kept = plain_task(&app, answer.body["id"].as_i64().unwrap(), "引进高层次人才", "long_term").await;

    let viewer = app.add_user("leader", Role::Viewer, &[]);
    let before = fingerprint(&app.pool);
    let refused = delete_plan(&app, &viewer, "p2023").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_eq!(fingerprint(&app.pool), before, "a refusal removes nothing");

    let answer = delete_plan(&app, &app.admin, "p2023").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body, json!({"id": "p2023", "title": "整改方案", "year": 2023}));

    let tasks = app.get("/api/v1/tasks", Some(&viewer)).await.body;
    let ids: Vec<i64> = tasks.as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [kept], "only the other plan's task is left");
    assert_eq!(app.get("/api/v1/supervision/orders", Some(&viewer)).await.body, json!([]));
    assert_eq!(app.get("/api/v1/plans/p2023", Some(&viewer)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("/api/v1/tasks/{id}"), Some(&viewer)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("/api/v1/problems/{problem}"), Some(&viewer)).await.status, StatusCode::NOT_FOUND);
    let plans = app.get("/api/v1/plans", Some(&viewer)).await.body;
    assert_eq!(plans, json!([{"id": "p2024", "title": "另一整改方案", "year": 2024}]));

    let audit = app.get_as_admin("/api/v1/audit?limit=100").await.body;
    let entry = audit.as_array().unwrap().iter().find(|e| e["entity"] == "plan" && e["action"] == "delete").unwrap();
    assert_eq!(entry["key"], "p2023");
    assert_eq!(entry["new"], Value::Null);
    let old = &entry["old"];
    assert_eq!((&old["title"], &old["year"]), (&json!("整改方案"), &json!(2023)));
    assert_eq!(old["problems"][0]["tasks"][0]["title"], "加大研发投入");
    assert_eq!(old["reports"][0]["text"], "已走访重点企业12家");
    assert_eq!(old["orders"][0]["reasons"], json!(["已超过完成时限"]));

    let again = delete_plan(&app, &app.admin, "p2023").await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "{}", again.body);
    assert_eq!(again.body["error"]["message"], "整改方案“p2023”不存在");
}
