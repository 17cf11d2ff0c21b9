//! Task lights (亮灯) and supervision orders (督办单) over HTTP: `/tasks?on=` with every reason,
//! the filters, the supervision run and its numbering, answering, escalation and closing.
//! Plans, problems, tasks and reports are stored directly (their API is tested elsewhere).

use chrono::Datelike;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhibiao::domain::Quarter;
use zhibiao::domain::access::Role;
use zhibiao::domain::rectification::{Deadline, TargetLink, TaskStatus};
use zhibiao::store::rectification::{self as rect, PlanRow, ProblemRow, ReportRow, TaskRow};

use crate::helpers::{Answer, TestApp, spawn_app, spawn_demo};

const PLAN: &str = "test-plan";
const DEPARTMENTS: [&str; 4] = ["局办公室", "高新技术科", "科技管理科", "农业与社会发展科"];

/// A task as the tests write it: created on 10 March 2023.
struct Task<'a> {
    problem: i64,
    seq: i64,
    title: &'a str,
    departments: &'a [&'a str],
    deadline: &'a str,
    targets: Vec<TargetLink>,
    /// (quarter, the day its report was filed)
    reports: &'a [(&'a str, &'a str)],
}

impl TestApp {
    /// The departments and plan `test-plan` with two problems; their ids.
    fn plan(&self) -> (i64, i64) {
        let conn = self.pool.get().unwrap();
        for (i, d) in DEPARTMENTS.iter().enumerate() {
            rect::save_department(&conn, d, i as i64).unwrap();
        }
        rect::insert_plan(&conn, &PlanRow { id: PLAN.into(), title: "区科技局整改工作方案".into(), year: 2023 })
            .unwrap();
        let problem = |seq, title: &str| ProblemRow {
            id: 0,
            plan: PLAN.into(),
            seq,
            title: title.into(),
            description: String::new(),
            indicators: vec![],
        };
        (
            rect::insert_problem(&conn, &problem(1, "全社会科技投入不足")).unwrap(),
            rect::insert_problem(&conn, &problem(2, "高层次人才缺乏")).unwrap(),
        )
    }

    fn task(&self, t: Task<'_>) -> i64 {
        let conn = self.pool.get().unwrap();
        let row = TaskRow {
            id: 0,
            problem: t.problem,
            seq: t.seq,
            title: t.title.into(),
            measures: vec!["一是加大投入。".into()],
            leaders: vec!["王局长".into(), "李副局长".into()],
            departments: t.departments.iter().map(|d| d.to_string()).collect(),
            persons: vec!["张三".into()],
            deadline: t.deadline.parse::<Deadline>().unwrap(),
            targets: t.targets,
            status: TaskStatus::Open,
            done_at: None,
            done_report: None,
            created_at: "2023-03-10T02:00:00.000Z".into(),
        };
        let id = rect::insert_task(&conn, &row).unwrap();
        for (quarter, on) in t.reports {
            let report = ReportRow {
                task: id,
                quarter: quarter.parse::<Quarter>().unwrap(),
                text: "按计划推进".into(),
                percent: None,
                by: "officer".into(),
                at: format!("{on}T02:00:00.000Z"),
            };
            rect::save_report(&conn, &report).unwrap();
        }
        id
    }

    /// An officer of `departments` (registered by [`TestApp::plan`]), with a token.
    fn officer_of(&self, name: &str, departments: &[&str]) -> String {
        let conn = self.pool.get().unwrap();
        let departments: Vec<String> = departments.iter().map(|d| d.to_string()).collect();
        zhibiao::engine::users::add_with_departments(&conn, "test", name, Role::Officer, &[], &departments).unwrap()
    }

    async fn post(&self, path: &str, token: &str, body: Value) -> Answer {
        self.send_json(Method::POST, path, token, &body).await
    }
}

/// The lights of `answer`'s tasks: (title, colour, reason codes).
fn lights(answer: &Answer) -> Vec<(String, String, Vec<String>)> {
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let codes = t["light"]["reasons"].as_array().unwrap().iter();
            (
                t["title"].as_str().unwrap().to_string(),
                t["light"]["color"].as_str().unwrap().to_string(),
                codes.map(|r| r["code"].as_str().unwrap().to_string()).collect(),
            )
        })
        .collect()
}

fn titles(answer: &Answer) -> Vec<String> {
    lights(answer).into_iter().map(|(title, ..)| title).collect()
}

fn messages(task: &Value) -> Vec<&str> {
    task["light"]["reasons"].as_array().unwrap().iter().map(|r| r["message"].as_str().unwrap()).collect()
}

fn rd(region: &str) -> TargetLink {
    TargetLink { region: region.into(), indicator: "rd_expenditure".into(), year: 2023 }
}

/// The demo with four tasks: overdue, behind its R&D target, long-term without reports since
/// the first quarter, and on schedule.
async fn four_tasks() -> TestApp {
    let app = spawn_demo().await;
    let (funds, talent) = app.plan();
    app.task(Task {
        problem: funds,
        seq: 1,
        title: "制定研发投入提升方案",
        departments: &["高新技术科"],
        deadline: "2023-06-30",
        targets: vec![],
        reports: &[("2023Q1", "2023-04-10"), ("2023Q2", "2023-07-10")],
    });
    app.task(Task {
        problem: funds,
        seq: 2,
        title: "推动企业加大研发投入",
        departments: &["局办公室"],
        deadline: "long_term",
        targets: vec![rd("district")],
        reports: &[("2023Q1", "2023-04-10"), ("2023Q2", "2023-07-10"), ("2023Q3", "2023-10-10")],
    });
    app.task(Task {
        problem: talent,
        seq: 1,
        title: "引进高层次人才",
        departments: &["科技管理科", "高新技术科"],
        deadline: "long_term",
        targets: vec![],
        reports: &[("2023Q1", "2023-04-12")],
    });
    app.task(Task {
        problem: talent,
        seq: 2,
        title: "完善人才评价机制",
        departments: &["农业与社会发展科"],
        deadline: "2024-06-30",
        targets: vec![],
        reports: &[("2023Q1", "2023-04-10"), ("2023Q2", "2023-07-10"), ("2023Q3", "2023-10-10")],
    });
    app
}

#[tokio::test]
async fn each_task_has_its_light_and_every_reason_on_the_day_asked_about() {
    let app = four_tasks().await;
    let viewer = app.add_user("leader", Role::Viewer, &[]);
    // the district's R&D target, as the progress engine says it: behind after three quarters
    let progress =
        app.get("/api/v1/progress?indicator=rd_expenditure&period=2023Q3&region=district", Some(&viewer)).await;
    assert_eq!(progress.body[0]["status"], "behind", "{}", progress.body);

    let s = |v: &str| v.to_string();
    let answer = app.get(&format!("/api/v1/tasks?plan={PLAN}&on=2023-10-16"), Some(&viewer)).await;
    assert_eq!(
        lights(&answer),
        [
            (s("制定研发投入提升方案"), s("red"), vec![s("overdue")]),
            (s("推动企业加大研发投入"), s("yellow"), vec![s("target_behind")]),
            (s("引进高层次人才"), s("red"), vec![s("report_missing_twice")]),
            (s("完善人才评价机制"), s("green"), vec![s("on_schedule")]),
        ]
    );
    let tasks = answer.body.as_array().unwrap();
    assert_eq!(messages(&tasks[0]), ["已超过完成时限（2023年6月30日）108天"]);
    assert_eq!(messages(&tasks[1]), ["“全区R&D经费支出”目标2023年1-3季度完成情况为“略低于序时进度”"]);
    assert_eq!(messages(&tasks[2]), ["2023年二季度、2023年三季度连续两个季度进展情况未报送"]);
    assert_eq!(messages(&tasks[3]), ["按计划推进，完成时限为2024年6月30日"]);
    let first = &tasks[0];
    assert_eq!(
        (
            &first["plan"],
            &first["plan_title"],
            &first["problem_title"],
            &first["lead_department"],
            &first["leader"],
            &first["deadline"],
            &first["deadline_label"],
            &first["status"],
            &first["order"],
        ),
        (
            &json!(PLAN),
            &json!("区科技局整改工作方案"),
            &json!("全社会科技投入不足"),
            &json!("高新技术科"),
            &json!("王局长"),
            &json!("2023-06-30"),
            &json!("2023年6月30日"),
            &json!("open"),
            &Value::Null,
        )
    );
    assert_eq!(tasks[2]["departments"], json!(["科技管理科", "高新技术科"]));
    assert_eq!(tasks[2]["lead_department"], "科技管理科");
}

#[tokio::test]
async fn the_day_moves_the_lights_across_their_boundaries() {
    let app = four_tasks().await;
    // (on, the task, its colour, its messages)
    let cases = [
        // the third quarter's report is due by 15 October: missing from the 16th on
        ("2023-10-15", 2, "yellow", vec!["2023年二季度进展情况未报送（应于2023年7月15日前报送）"]),
        ("2023-10-16", 2, "red", vec!["2023年二季度、2023年三季度连续两个季度进展情况未报送"]),
        // the deadline is met on its own day, overdue from the next
        ("2023-06-30", 0, "blue", vec!["今天是完成时限（2023年6月30日）"]),
        ("2023-07-01", 0, "red", vec!["已超过完成时限（2023年6月30日）1天"]),
        // the R&D target: at risk after two quarters, behind after three, missed at year end
        ("2023-09-30", 1, "red", vec!["“全区R&D经费支出”目标2023年1-2季度完成情况为“明显滞后”"]),
        ("2023-10-01", 1, "yellow", vec!["“全区R&D经费支出”目标2023年1-3季度完成情况为“略低于序时进度”"]),
        ("2024-01-15", 1, "red", vec!["“全区R&D经费支出”目标2023年完成情况为“未完成”"]),
    ];
    for (on, index, color, want) in cases {
        let answer = app.get_as_admin(&format!("/api/v1/tasks?plan={PLAN}&on={on}")).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        let task = &answer.body[index];
        assert_eq!((task["light"]["color"].as_str().unwrap(), messages(task)), (color, want), "on {on}");
    }
}

#[tokio::test]
async fn the_list_filters_by_department_and_light_and_refuses_a_bad_day() {
    let app = four_tasks().await;
    let on = "on=2023-10-16";
    // (query, the tasks listed)
    let cases: &[(&str, &[&str])] = &[
        ("department=高新技术科", &["制定研发投入提升方案", "引进高层次人才"]),
        ("department=科技管理科", &["引进高层次人才"]),
        ("department=局办公室&light=yellow", &["推动企业加大研发投入"]),
        ("department=局办公室&light=red", &[]),
        ("light=red", &["制定研发投入提升方案", "引进高层次人才"]),
        ("light=green", &["完善人才评价机制"]),
        ("light=blue", &[]),
        ("department=", &["制定研发投入提升方案", "推动企业加大研发投入", "引进高层次人才", "完善人才评价机制"]),
    ];
    for (query, want) in cases {
        let answer = app.get_as_admin(&format!("/api/v1/tasks?plan={PLAN}&{on}&{query}")).await;
        assert_eq!(titles(&answer), *want, "{query}");
    }
    // (query, status, the field named or the message)
    let refused = [
        ("on=2023-02-30", 422, "on"),
        ("on=2023-10-6", 422, "on"),
        ("on=1899-12-31", 422, "on"),
        ("light=orange", 422, "light"),
        ("department=宣传科", 404, "科室“宣传科”不存在"),
        ("plan=no-such-plan", 404, "整改方案“no-such-plan”不存在"),
    ];
    for (query, status, named) in refused {
        let answer = app.get_as_admin(&format!("/api/v1/tasks?{query}")).await;
        assert_eq!(answer.status.as_u16(), status, "{query}: {}", answer.body);
        if status == 422 {
            assert_eq!(answer.fields(), [named], "{query}");
        } else {
            assert_eq!(answer.body["error"]["message"], named, "{query}");
        }
    }
    let message = app.get_as_admin("/api/v1/tasks?on=2023-02-30").await.body["error"]["details"][0]["message"].clone();
    assert!(message.as_str().unwrap().contains("“2023-02-30”不是有效的日期"), "{message}");
}

/// An empty world with the plan and four tasks, for the orders: overdue with the fourth
/// quarter's report missing (高新技术科 leads, 科技管理科 helps), long-term reported throughout,
/// long-term unreported for two quarters (科技管理科), and one due in three weeks.
async fn orders_app() -> (TestApp, [i64; 4]) {
    let app = spawn_app().await;
    let (funds, talent) = app.plan();
    let all = [("2023Q1", "2023-04-10"), ("2023Q2", "2023-07-10"), ("2023Q3", "2023-10-10"), ("2023Q4", "2024-01-10")];
    let overdue = app.task(Task {
        problem: funds,
        seq: 1,
        title: "制定研发投入提升方案",
        departments: &["高新技术科", "科技管理科"],
        deadline: "2023-12-31",
        targets: vec![],
        reports: &all[..3],
    });
    let fine = app.task(Task {
        problem: funds,
        seq: 2,
        title: "推动企业加大研发投入",
        departments: &["局办公室"],
        deadline: "long_term",
        targets: vec![],
        reports: &all,
    });
    let silent = app.task(Task {
        problem: talent,
        seq: 1,
        title: "引进高层次人才",
        departments: &["科技管理科"],
        deadline: "long_term",
        targets: vec![],
        reports: &all[..2],
    });
    let near = app.task(Task {
        problem: talent,
        seq: 2,
        title: "完善人才评价机制",
        departments: &["农业与社会发展科"],
        deadline: "2024-02-10",
        targets: vec![],
        reports: &all,
    });
    (app, [overdue, fine, silent, near])
}

/// (number, task, state, level) of each order listed.
fn orders(answer: &Answer) -> Vec<(String, i64, String, u64)> {
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["number"].as_str().unwrap().to_string(),
                o["task"].as_i64().unwrap(),
                o["state"].as_str().unwrap().to_string(),
                o["level"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_run_issues_numbered_orders_for_the_red_tasks_only_and_a_second_run_nothing() {
    let (app, [overdue, _fine, silent, near]) = orders_app().await;
    let before = app.get_as_admin(&format!("/api/v1/tasks?plan={PLAN}&on=2024-01-20")).await;
    let s = |v: &str| v.to_string();
    assert_eq!(
        lights(&before).into_iter().map(|(_, color, codes)| (color, codes)).collect::<Vec<_>>(),
        [
            (s("red"), vec![s("overdue"), s("report_missing")]),
            (s("green"), vec![s("on_schedule")]),
            (s("red"), vec![s("report_missing_twice")]),
            (s("blue"), vec![s("deadline_near")]),
        ]
    );
    assert_eq!(before.body[3]["id"], near);

    let viewer = app.add_user("leader", Role::Viewer, &[]);
    let officer = app.officer_of("gaoxin", &["高新技术科"]);
    for token in [&viewer, &officer] {
        let refused = app.post("/api/v1/supervision/run?on=2024-01-20", token, json!(null)).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    }
    let first = app.post("/api/v1/supervision/run?on=2024-01-20", &app.admin, json!(null)).await;
    assert_eq!(
        orders(&first),
        [(s("督办〔2024〕1号"), overdue, s("open"), 1), (s("督办〔2024〕2号"), silent, s("open"), 1)]
    );
    let order = &first.body[0];
    assert_eq!(
        (
            &order["reasons"],
            &order["respond_by"],
            &order["task_title"],
            &order["lead_department"],
            &order["issued_by"],
            &order["response"],
        ),
        (
            &json!(["已超过完成时限（2023年12月31日）20天", "2023年四季度进展情况未报送（应于2024年1月15日前报送）"]),
            &json!("2024-01-30"),
            &json!("制定研发投入提升方案"),
            &json!("高新技术科"),
            &json!("admin"),
            &Value::Null,
        )
    );
    let second = app.post("/api/v1/supervision/run?on=2024-01-20", &app.admin, json!(null)).await;
    assert_eq!((second.status, second.body), (StatusCode::OK, json!([])));
    let later = app.post("/api/v1/supervision/run?on=2024-02-01", &app.admin, json!(null)).await;
    assert_eq!(later.body, json!([]), "the same red tasks, their orders still open");

    // the list of tasks names the open orders
    let after = app.get_as_admin(&format!("/api/v1/tasks?plan={PLAN}&on=2024-01-20")).await;
    let numbers: Vec<&Value> = after.body.as_array().unwrap().iter().map(|t| &t["order"]).collect();
    assert_eq!(numbers, [&json!("督办〔2024〕1号"), &Value::Null, &json!("督办〔2024〕2号"), &Value::Null]);
    let issued: Vec<Value> = app
        .get_as_admin("/api/v1/audit?limit=100")
        .await
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity"] == "order" && e["action"] == "issue")
        .map(|e| e["key"].clone())
        .collect();
    assert_eq!(issued, [json!("督办〔2024〕2号"), json!("督办〔2024〕1号")], "newest first");
    let bad = app.post("/api/v1/supervision/run?on=2024-13-01", &app.admin, json!(null)).await;
    assert_eq!((bad.status, bad.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec![s("on")]));
}

#[tokio::test]
async fn the_lead_department_answers_an_order_once_and_an_admin_closes_it_when_answered() {
    let (app, [overdue, _, silent, _]) = orders_app().await;
    let s = |v: &str| v.to_string();
    let issued = app.post("/api/v1/supervision/run?on=2024-01-20", &app.admin, json!(null)).await;
    let ids: Vec<i64> = issued.body.as_array().unwrap().iter().map(|o| o["id"].as_i64().unwrap()).collect();
    let (lead_gaoxin, lead_keji) = (ids[0], ids[1]);
    let gaoxin = app.officer_of("gaoxin", &["高新技术科"]);
    let keji = app.officer_of("keji", &["科技管理科"]);
    let viewer = app.add_user("leader", Role::Viewer, &[]);
    let answer_body = json!({"response": "已召开专题会议，制定R&D投入提升方案"});
    let answer = |id: i64| format!("/api/v1/supervision/orders/{id}/answer");
    let close = |id: i64| format!("/api/v1/supervision/orders/{id}/close");

    // (case, who, path, body, status, the state or the field named)
    let cases = [
        ("a helping department's officer", &keji, answer(lead_gaoxin), answer_body.clone(), 403, ""),
        ("a viewer", &viewer, answer(lead_gaoxin), answer_body.clone(), 403, ""),
        ("another department's officer", &gaoxin, answer(lead_keji), answer_body.clone(), 403, ""),
        ("the lead without a response", &gaoxin, answer(lead_gaoxin), json!({"response": " "}), 422, "response"),
        ("the admin, unanswered", &app.admin, close(lead_gaoxin), json!(null), 409, ""),
        ("the lead department's officer", &gaoxin, answer(lead_gaoxin), answer_body.clone(), 200, "answered"),
        ("the lead again", &gaoxin, answer(lead_gaoxin), answer_body.clone(), 409, ""),
        ("the lead closes", &gaoxin, close(lead_gaoxin), json!(null), 403, ""),
        ("the admin, answered", &app.admin, close(lead_gaoxin), json!(null), 200, "closed"),
        ("the admin, closed", &app.admin, close(lead_gaoxin), json!(null), 409, ""),
        ("the lead, closed", &gaoxin, answer(lead_gaoxin), answer_body.clone(), 409, ""),
        ("an admin answers", &app.admin, answer(lead_keji), answer_body.clone(), 200, "answered"),
        ("no such order", &app.admin, answer(9999), answer_body.clone(), 404, ""),
        ("not an id", &app.admin, "/api/v1/supervision/orders/abc/close".to_string(), json!(null), 422, "id"),
    ];
    for (case, token, path, body, status, says) in cases {
        let got = app.post(&path, token, body).await;
        assert_eq!(got.status.as_u16(), status, "{case}: {}", got.body);
        match status {
            200 => assert_eq!(got.body["state"], says, "{case}"),
            422 => assert_eq!(got.fields(), [says], "{case}"),
            _ => assert!(got.body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{case}"),
        }
    }
    let refused = app.post(&answer(lead_keji), &keji, answer_body.clone()).await;
    assert_eq!(refused.body["error"]["message"], "督办〔2024〕2号：督办单已答复，正在等待管理员办结");

    let listed = app.get_as_admin("/api/v1/supervision/orders").await;
    assert_eq!(
        orders(&listed),
        [(s("督办〔2024〕1号"), overdue, s("closed"), 1), (s("督办〔2024〕2号"), silent, s("answered"), 1)]
    );
    assert_eq!(
        (&listed.body[0]["response"], &listed.body[0]["responded_by"], &listed.body[1]["responded_by"]),
        (&answer_body["response"], &json!("gaoxin"), &json!("admin"))
    );
    // (query, the orders listed)
    let cases: &[(&str, &[&str])] = &[
        ("status=closed", &["督办〔2024〕1号"]),
        ("status=answered", &["督办〔2024〕2号"]),
        ("status=open", &[]),
        ("department=高新技术科", &["督办〔2024〕1号"]),
        ("department=科技管理科", &["督办〔2024〕1号", "督办〔2024〕2号"]),
        ("department=局办公室", &[]),
    ];
    for (query, want) in cases {
        let got = app.get_as_admin(&format!("/api/v1/supervision/orders?{query}")).await;
        let numbers: Vec<String> = orders(&got).into_iter().map(|o| o.0).collect();
        assert_eq!(numbers, *want, "{query}");
    }
    let audit = app.get_as_admin("/api/v1/audit?limit=100").await.body;
    let actions: Vec<(String, String, String)> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity"] == "order")
        .map(|e| (s(e["action"].as_str().unwrap()), s(e["key"].as_str().unwrap()), s(e["user"].as_str().unwrap())))
        .collect();
    assert_eq!(
        actions,
        [
            (s("answer"), s("督办〔2024〕2号"), s("admin")),
            (s("close"), s("督办〔2024〕1号"), s("admin")),
            (s("answer"), s("督办〔2024〕1号"), s("gaoxin")),
            (s("issue"), s("督办〔2024〕2号"), s("admin")),
            (s("issue"), s("督办〔2024〕1号"), s("admin")),
        ]
    );

    // the closed order no longer holds back a new one for its red task
    let third = app.post("/api/v1/supervision/run?on=2024-01-20", &app.admin, json!(null)).await;
    assert_eq!(orders(&third), [(s("督办〔2024〕3号"), overdue, s("open"), 1)]);
}

#[tokio::test]
async fn an_order_unanswered_after_respond_by_is_escalated_to_level_two() {
    let (app, [overdue, _, silent, _]) = orders_app().await;
    let s = |v: &str| v.to_string();
    app.post("/api/v1/supervision/run?on=2024-01-20", &app.admin, json!(null)).await;
    // (on, the orders open on that day with their level)
    let cases = [
        (
            "2024-01-20",
            vec![(s("督办〔2024〕1号"), overdue, s("open"), 1), (s("督办〔2024〕2号"), silent, s("open"), 1)],
        ),
        (
            "2024-01-30",
            vec![(s("督办〔2024〕1号"), overdue, s("open"), 1), (s("督办〔2024〕2号"), silent, s("open"), 1)],
        ),
        (
            "2024-01-31",
            vec![(s("督办〔2024〕1号"), overdue, s("open"), 2), (s("督办〔2024〕2号"), silent, s("open"), 2)],
        ),
    ];
    for (on, want) in cases {
        let got = app.get_as_admin(&format!("/api/v1/supervision/orders?status=open&on={on}")).await;
        assert_eq!(orders(&got), want, "on {on}");
    }
    let bad = app.get_as_admin("/api/v1/supervision/orders?on=2024-02-30").await;
    assert_eq!((bad.status, bad.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec![s("on")]));
    let unknown = app.get_as_admin("/api/v1/supervision/orders?department=宣传科").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_admin_issues_an_order_by_hand_with_reasons_and_nothing_is_stored_on_bad_input() {
    let (app, [overdue, fine, silent, _]) = orders_app().await;
    let s = |v: &str| v.to_string();
    let year = zhibiao::engine::supervision::today().year();
    let viewer = app.add_user("leader", Role::Viewer, &[]);
    let body = json!({"task": fine, "reasons": ["  请加快推进企业研发投入  ", "请于一周内报送进展"]});
    let refused = app.post("/api/v1/supervision/orders", &viewer, body.clone()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // (body, status, the field named)
    let cases = [
        (json!({"task": fine, "reasons": []}), 422, "reasons"),
        (json!({"task": fine, "reasons": ["一", " \u{3000} "]}), 422, "reasons[1]"),
        (json!({"task": fine, "reasons": ["答".repeat(501)]}), 422, "reasons[0]"),
        (json!({"task": fine}), 422, "reasons"),
        (json!({"task": "一", "reasons": ["x"]}), 422, "task"),
        (json!({"task": 9999, "reasons": ["x"]}), 404, ""),
    ];
    for (bad, status, field) in cases {
        let got = app.post("/api/v1/supervision/orders", &app.admin, bad.clone()).await;
        assert_eq!(got.status.as_u16(), status, "{bad}: {}", got.body);
        if status == 422 {
            assert_eq!(got.fields(), [field], "{bad}");
        }
    }
    assert_eq!(app.get_as_admin("/api/v1/supervision/orders").await.body, json!([]), "nothing stored");

    let issued = app.post("/api/v1/supervision/orders", &app.admin, body.clone()).await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    let today = zhibiao::engine::supervision::today();
    let respond_by = zhibiao::domain::rectification::respond_by(today).to_string();
    assert_eq!(
        (&issued.body["number"], &issued.body["task"], &issued.body["reasons"], &issued.body["respond_by"]),
        (
            &json!(format!("督办〔{year}〕1号")),
            &json!(fine),
            &json!(["请加快推进企业研发投入", "请于一周内报送进展"]),
            &json!(respond_by)
        )
    );
    let again = app.post("/api/v1/supervision/orders", &app.admin, body).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(
        again.body["error"]["message"],
        format!("任务“推动企业加大研发投入”已有尚未办结的督办单督办〔{year}〕1号")
    );
    let run = app.post("/api/v1/supervision/run?on=2024-01-20", &app.admin, json!(null)).await;
    let numbers: Vec<String> = orders(&run).into_iter().map(|o| o.0).collect();
    assert_eq!(numbers, [s("督办〔2024〕1号"), s("督办〔2024〕2号")], "a year counts its own orders");
    let listed = app.get_as_admin("/api/v1/supervision/orders?department=科技管理科").await;
    let tasks: Vec<i64> = orders(&listed).into_iter().map(|o| o.1).collect();
    assert_eq!(tasks, [overdue, silent], "the orders of the tasks 科技管理科 works on");
    let all = app.get_as_admin("/api/v1/supervision/orders").await;
    let numbers: Vec<String> = orders(&all).into_iter().map(|o| o.0).collect();
    assert_eq!(numbers, [s("督办〔2024〕1号"), s("督办〔2024〕2号"), format!("督办〔{year}〕1号")]);
}
