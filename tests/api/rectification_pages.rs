//! The rectification pages (整改督办) as the bureau's admin, an officer of 高新技术科 and a viewer:
//! the list with its filters and counts, a task's detail with its timeline and linked figures, an
//! officer's 我的任务 with the quarter's report form, and the plan import with its preview. Over
//! HTTP with a session, and in a real browser (screenshots in target/screenshots/).

use std::time::Duration;

use fantoccini::{Client, Locator};
use reqwest::header::COOKIE;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhibiao::domain::access::Role;

use crate::helpers::{TestApp, spawn_app};

const PLAN: &str = include_str!("../data/plan-2023.txt");
const PASSWORD: &str = "pages-secret-1";

/// The small world with the bureau's plan imported, 全区's R&D figures of 2023 and its target, an
/// officer of 高新技术科 (`gxk`) and a viewer (`leader`), everyone with [`PASSWORD`].
async fn with_plan() -> TestApp {
    let app = spawn_app().await.with_small_world().await;
    let imported = app
        .send(
            app.client
                .post(format!(
                    "{}/api/v1/plans/import?plan=xuncha-2023&title=%E6%95%B4%E6%94%B9%E6%96%B9%E6%A1%88&year=2023",
                    app.base
                ))
                .bearer_auth(&app.admin)
                .header("content-type", "text/plain; charset=utf-8")
                .body(PLAN),
        )
        .await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.body);
    for (town, value) in [("town-a", 4.0), ("town-b", 3.5), ("town-c", 3.0)] {
        app.put_values_as_admin(town, "2023Q4", &[("rd_expenditure", value)]).await;
    }
    let target = json!({"region": "district", "indicator": "rd_expenditure", "year": 2023, "value": 12.0});
    let set = app.send_json(Method::PUT, "/api/v1/targets", &app.admin, &target).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    app.add_officer("gxk", &["高新技术科"]);
    app.add_user("leader", Role::Viewer, &[]);
    let conn = app.pool.get().unwrap();
    for name in ["admin", "gxk", "leader"] {
        zhibiao::engine::users::set_password(&conn, "test", name, PASSWORD).unwrap();
    }
    drop(conn);
    app
}

/// The id of the task titled `title`.
async fn task_id(app: &TestApp, title: &str) -> i64 {
    let tasks = app.get_as_admin("/api/v1/tasks").await.body;
    tasks.as_array().unwrap().iter().find(|t| t["title"] == title).unwrap_or_else(|| panic!("{title}: {tasks}"))["id"]
        .as_i64()
        .unwrap()
}

async fn page(app: &TestApp, session: &str, path: &str) -> (StatusCode, String) {
    let resp = app.client.get(format!("{}{path}", app.base)).header(COOKIE, session).send().await.unwrap();
    (resp.status(), resp.text().await.unwrap())
}

async fn post_form(app: &TestApp, session: &str, path: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let resp = client.post(format!("{}{path}", app.base)).header(COOKIE, session).form(form).send().await.unwrap();
    let status = resp.status();
    let location = resp.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or("").to_string();
    let body = resp.text().await.unwrap();
    (status, if status == StatusCode::SEE_OTHER { location } else { body })
}

fn csrf_of(html: &str) -> String {
    let meta = "<meta name=\"csrf\" content=\"";
    let at = html.find(meta).unwrap_or_else(|| panic!("no csrf meta: {html}"));
    let rest = &html[at + meta.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

fn nav(html: &str) -> Vec<String> {
    let start = html.find("<nav>").unwrap();
    let nav = &html[start..start + html[start..].find("</nav>").unwrap()];
    nav.match_indices("href=\"")
        .map(|(at, _)| nav[at + 6..at + 6 + nav[at + 6..].find('"').unwrap()].to_string())
        .collect()
}

#[tokio::test]
async fn each_role_sees_the_tasks_and_only_the_task_s_officers_and_admins_get_the_report_form() {
    let app = with_plan().await;
    let research = task_id(&app, "加大研发投入").await;
    let talent = task_id(&app, "引进和培育高层次人才").await;
    for (name, mine_link, forms_on_research, forms_on_talent) in
        [("admin", false, true, true), ("gxk", true, true, false), ("leader", false, false, false)]
    {
        let session = crate::crawl::sign_in(&app, name, PASSWORD).await;
        let (status, list) = page(&app, &session, "/rectification").await;
        assert_eq!(status, StatusCode::OK, "{name}: {list}");
        let links = nav(&list);
        assert!(links.contains(&"/rectification".to_string()), "{name}: {links:?}");
        assert_eq!(links.contains(&"/rectification/mine".to_string()), mine_link, "{name}: {links:?}");
        // the plan's five tasks, each linked to its page
        assert!(list.contains("共 5 项任务"), "{name}: {list}");
        for title in
            ["加大研发投入", "提升企业自主创新能力", "深化产学研合作", "引进和培育高层次人才", "持续改进工作作风"]
        {
            assert!(list.contains(&format!(">{title}</a>")), "{name}: {title} not listed");
        }
        assert_eq!(list.contains("id=\"import-link\""), name == "admin", "{name}");

        let (status, detail) = page(&app, &session, &format!("/rectification/tasks/{research}")).await;
        assert_eq!(status, StatusCode::OK, "{name}: {detail}");
        for shown in [
            "王局长（直接责任人）、李副局长",
            "高新技术科（牵头部门）、科技管理科",
            "<td id=\"deadline\">2023年12月31日</td>",
            "全区R&amp;D经费支出（反映问题）",
            "尚无进展报告和督办单。",
            // the figures' trends over the year shown and the year before
            "<img src=\"/charts/trend.svg?region=district&amp;indicator=rd_expenditure&amp;from=2022Q1&amp;to=2023Q4\" alt=\"全区R&amp;D经费支出走势\"",
        ] {
            assert!(detail.contains(shown), "{name}: the detail lacks {shown}: {detail}");
        }
        assert_eq!(detail.contains("id=\"report-form-"), forms_on_research, "{name}: the research task's form");
        let (_, other) = page(&app, &session, &format!("/rectification/tasks/{talent}")).await;
        assert_eq!(other.contains("id=\"report-form-"), forms_on_talent, "{name}: the talent task's form");

        let (status, mine) = page(&app, &session, "/rectification/mine").await;
        assert_eq!(status, StatusCode::OK, "{name}: {mine}");
        assert_eq!(mine.contains("id=\"not-officer\""), name != "gxk", "{name}: {mine}");
        // 高新技术科 works on three of the five tasks, each with this quarter's report to file
        let forms = mine.matches("class=\"card report-form\"").count();
        assert_eq!(forms, if name == "gxk" { 3 } else { 0 }, "{name}: {mine}");
    }
}

#[tokio::test]
async fn the_list_filters_by_department_and_light_and_notes_a_filter_that_is_not_one() {
    let app = with_plan().await;
    let session = crate::crawl::sign_in(&app, "leader", PASSWORD).await;
    let rows = |html: &str| html.matches("<tr class=\"light-row-").count();
    let cases = [
        ("/rectification", 5, None),
        ("/rectification?department=%E5%B1%80%E5%8A%9E%E5%85%AC%E5%AE%A4", 1, None),
        ("/rectification?department=%E9%AB%98%E6%96%B0%E6%8A%80%E6%9C%AF%E7%A7%91", 3, None),
        // after the deadline of 2023年12月 its two tasks are overdue; the three 长期 never are
        ("/rectification?light=red&on=2024-01-01", 2, None),
        ("/rectification?light=green&on=2024-01-01", 3, None),
        ("/rectification?light=red&on=2023-06-01", 0, None),
        (
            "/rectification?department=%E4%BA%BA%E4%BA%8B%E7%A7%91",
            5,
            Some("“人事科”不是已登记的科室，已显示全部科室。"),
        ),
        ("/rectification?light=purple", 5, Some("“purple”不是亮灯颜色（红灯、黄灯、蓝灯、绿灯），已显示全部任务。")),
        ("/rectification?on=2023-02-30&light=", 5, Some("“2023-02-30”不是日期（应为 YYYY-MM-DD，如 2024-01-15）")),
    ];
    for (path, want, note) in cases {
        let (status, html) = page(&app, &session, path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {html}");
        assert_eq!(rows(&html), want, "{path}");
        match note {
            Some(note) => {
                assert!(html.contains(&format!("<p class=\"alert notice\" id=\"notice\">{note}")), "{path}: {html}")
            }
            None => assert!(!html.contains("id=\"notice\""), "{path}: {html}"),
        }
    }
    let (_, counted) = page(&app, &session, "/rectification?on=2024-01-01").await;
    for (color, count) in [("red", 2), ("yellow", 0), ("blue", 0), ("green", 3)] {
        let label = ["红灯", "黄灯", "蓝灯", "绿灯"]
            [["red", "yellow", "blue", "green"].iter().position(|c| *c == color).unwrap()];
        let want = format!("data-light=\"{color}\">{label} <b>{count}</b>");
        assert!(counted.contains(&want), "{want}: {counted}");
    }
    let (status, missing) = page(&app, &session, "/rectification/tasks/999").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
    assert!(missing.contains("整改任务999不存在"), "{missing}");
    let (status, word) = page(&app, &session, "/rectification/tasks/abc").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{word}");
    assert!(word.contains("整改任务“abc”不存在"), "{word}");
}

#[tokio::test]
async fn the_report_form_stores_the_officer_s_report_refuses_others_and_gives_back_what_was_typed() {
    let app = with_plan().await;
    let research = task_id(&app, "加大研发投入").await;
    let talent = task_id(&app, "引进和培育高层次人才").await;
    let quarter = zhibiao::engine::current_quarter().to_string();
    let stored = |id: i64| {
        let app = &app;
        async move { app.get_as_admin(&format!("/api/v1/tasks/{id}/reports")).await.body }
    };

    // a viewer with its own valid token: refused for who it is, nothing stored
    let viewer = crate::crawl::sign_in(&app, "leader", PASSWORD).await;
    let (_, home) = page(&app, &viewer, "/rectification").await;
    let csrf = csrf_of(&home);
    let path = format!("/rectification/tasks/{research}/report");
    let form = [("csrf", csrf.as_str()), ("period", quarter.as_str()), ("text", "已完成调度"), ("percent", "50")];
    let (status, html) = post_form(&app, &viewer, &path, &form).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{html}");
    assert!(html.contains("只有该任务责任部门（高新技术科、科技管理科）的科室干部或管理员可以填报进展"), "{html}");
    assert_eq!(stored(research).await, json!([]));

    let officer = crate::crawl::sign_in(&app, "gxk", PASSWORD).await;
    let (_, home) = page(&app, &officer, "/rectification/mine").await;
    let csrf = csrf_of(&home);
    // a stale token, another department's task, a bad percent, a blank text: nothing stored
    let stale = [("csrf", "forged"), ("period", quarter.as_str()), ("text", "进展"), ("percent", "")];
    assert_eq!(post_form(&app, &officer, &path, &stale).await.0, StatusCode::FORBIDDEN);
    let other = format!("/rectification/tasks/{talent}/report");
    let form = [("csrf", csrf.as_str()), ("period", quarter.as_str()), ("text", "进展"), ("percent", "")];
    assert_eq!(post_form(&app, &officer, &other, &form).await.0, StatusCode::FORBIDDEN);
    let form = [("csrf", csrf.as_str()), ("period", quarter.as_str()), ("text", "已召开调度会"), ("percent", "一半")];
    let (status, html) = post_form(&app, &officer, &path, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("<li>完成进度：完成进度应为 0 到 100 的数字</li>"), "{html}");
    assert!(html.contains(">已召开调度会</textarea>") && html.contains("value=\"一半\""), "gives back what was typed");
    let form = [("csrf", csrf.as_str()), ("period", quarter.as_str()), ("text", "  "), ("percent", "120")];
    let (status, html) = post_form(&app, &officer, &path, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(
        html.contains("<li>进展情况：不能为空</li>") && html.contains("<li>完成进度：完成进度应为 0 到 100</li>"),
        "{html}"
    );
    assert_eq!(stored(research).await, json!([]));

    // the report stored: back to 我的任务, where this task's form is gone
    let form = [
        ("csrf", csrf.as_str()),
        ("period", quarter.as_str()),
        ("text", "已召开调度会"),
        ("percent", "40"),
        ("back", "mine"),
    ];
    let (status, location) = post_form(&app, &officer, &path, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, format!("/rectification/mine?reported={quarter}"));
    let report = stored(research).await;
    assert_eq!(
        (
            report[0]["period"].as_str(),
            report[0]["text"].as_str(),
            report[0]["percent"].as_f64(),
            report[0]["by"].as_str()
        ),
        (Some(quarter.as_str()), Some("已召开调度会"), Some(40.0), Some("gxk"))
    );
    let (_, mine) = page(&app, &officer, &location).await;
    assert!(mine.contains("id=\"saved\""), "{mine}");
    assert_eq!(mine.matches("class=\"card report-form\"").count(), 2, "{mine}");
    let (_, detail) = page(&app, &officer, &format!("/rectification/tasks/{research}")).await;
    let label = quarter.parse::<zhibiao::domain::Quarter>().unwrap().label();
    assert!(
        detail.contains(&format!("<td>{label}进展报告（完成进度 40%）</td><td>已召开调度会</td><td>gxk</td>")),
        "{detail}"
    );
}

#[tokio::test]
async fn the_lead_department_answers_an_open_order_on_the_task_s_page() {
    let app = with_plan().await;
    let research = task_id(&app, "加大研发投入").await;
    let joint = task_id(&app, "深化产学研合作").await;
    for task in [research, joint] {
        let body = json!({"task": task, "reasons": ["研发投入进度滞后，请说明原因"]});
        let issued = app.send_json(Method::POST, "/api/v1/supervision/orders", &app.admin, &body).await;
        assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    }
    let officer = crate::crawl::sign_in(&app, "gxk", PASSWORD).await;
    // 高新技术科 leads the research task, not the joint one (科技管理科 leads it)
    let (_, joint_page) = page(&app, &officer, &format!("/rectification/tasks/{joint}")).await;
    assert!(!joint_page.contains("id=\"answer-form\""), "{joint_page}");
    assert!(joint_page.contains("下发督办〔"), "everyone sees the order in the timeline");
    let (_, detail) = page(&app, &officer, &format!("/rectification/tasks/{research}")).await;
    assert!(detail.contains("id=\"answer-form\""), "{detail}");
    let orders = app.get_as_admin("/api/v1/supervision/orders").await.body;
    let order: &Value = orders.as_array().unwrap().iter().find(|o| o["task"] == research).unwrap();
    let path = format!("/rectification/orders/{}/answer", order["id"]);
    let csrf = csrf_of(&detail);
    let (status, location) =
        post_form(&app, &officer, &path, &[("csrf", csrf.as_str()), ("response", "已制定专项资金办法")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    assert_eq!(location, format!("/rectification/tasks/{research}?did=answered"));
    let (_, answered) = page(&app, &officer, &location).await;
    assert!(answered.contains("<p class=\"alert ok\" id=\"did\">已答复督办单。</p>"), "{answered}");
    let number = order["number"].as_str().unwrap();
    assert!(answered.contains(&format!("<td>答复{number}</td><td>已制定专项资金办法</td><td>gxk</td>")), "{answered}");
    assert!(!answered.contains("id=\"answer-form\""), "an answered order is not answered twice");
    assert!(!answered.contains("id=\"admin-forms\""), "an officer neither closes, issues nor finishes");
    let (status, again) = post_form(&app, &officer, &path, &[("csrf", csrf.as_str()), ("response", "再次答复")]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    let close = format!("/rectification/orders/{}/close", order["id"]);
    let (status, refused) = post_form(&app, &officer, &close, &[("csrf", csrf.as_str())]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
}

#[tokio::test]
async fn the_admin_closes_an_answered_order_issues_one_by_hand_and_finishes_and_reopens_a_task() {
    let app = with_plan().await;
    let research = task_id(&app, "加大研发投入").await;
    let body = json!({"task": research, "reasons": ["研发投入进度滞后，请说明原因"]});
    let issued = app.send_json(Method::POST, "/api/v1/supervision/orders", &app.admin, &body).await;
    let order = issued.body["id"].as_i64().unwrap();
    let answer = json!({"response": "已制定专项资金办法"});
    let path = format!("/api/v1/supervision/orders/{order}/answer");
    assert_eq!(app.send_json(Method::POST, &path, &app.admin, &answer).await.status, StatusCode::OK);

    let admin = crate::crawl::sign_in(&app, "admin", PASSWORD).await;
    let task_page = format!("/rectification/tasks/{research}");
    let (_, detail) = page(&app, &admin, &task_page).await;
    let csrf = csrf_of(&detail);
    let csrf = csrf.as_str();
    assert!(detail.contains("id=\"close-form\""), "{detail}");
    assert!(!detail.contains("id=\"issue-form\""), "an answered order is still outstanding");
    assert!(!detail.contains("id=\"reopen-form\""), "an open task is not reopened");

    // a stale page's token is refused, nothing closed
    let close = format!("/rectification/orders/{order}/close");
    let (status, _) = post_form(&app, &admin, &close, &[("csrf", "stale")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, location) = post_form(&app, &admin, &close, &[("csrf", csrf)]).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, format!("{task_page}?did=closed").as_str()));
    let orders = app.get_as_admin("/api/v1/supervision/orders").await.body;
    assert_eq!(orders[0]["state"], "closed", "{orders}");
    let (_, closed) = page(&app, &admin, &location).await;
    assert!(closed.contains("督办单已办结。") && closed.contains("id=\"issue-form\""), "{closed}");

    // issued by hand: two reasons, one per line; blank reasons are refused with the field named
    let issue = format!("{task_page}/order");
    let (status, empty) = post_form(&app, &admin, &issue, &[("csrf", csrf), ("reasons", " \n ")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{empty}");
    assert!(empty.contains("请至少填写一条督办事由"), "{empty}");
    let reasons = "研发投入仍未达到序时进度\n\n请于10日内报送整改措施\n";
    let (status, location) = post_form(&app, &admin, &issue, &[("csrf", csrf), ("reasons", reasons)]).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, format!("{task_page}?did=issued").as_str()));
    let orders = app.get_as_admin("/api/v1/supervision/orders").await.body;
    assert_eq!(orders[1]["reasons"], json!(["研发投入仍未达到序时进度", "请于10日内报送整改措施"]), "{orders}");
    assert_eq!(orders[1]["state"], "open");

    // finished with its report, then reopened with a reason; the audit log keeps both
    let done = format!("{task_page}/done");
    let (status, empty) = post_form(&app, &admin, &done, &[("csrf", csrf), ("done_report", " ")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.contains("不能为空") || empty.contains("请填写"), "{empty}");
    let report = "研发投入专项资金办法已印发，2023年R&D经费支出完成目标";
    let (status, location) = post_form(&app, &admin, &done, &[("csrf", csrf), ("done_report", report)]).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, format!("{task_page}?did=done").as_str()));
    let task = app.get_as_admin(&format!("/api/v1/tasks/{research}")).await.body;
    assert_eq!((&task["status"], &task["done_report"]), (&json!("done"), &json!(report)), "{task}");
    let (_, finished) = page(&app, &admin, &location).await;
    assert!(finished.contains("任务已办结。") && finished.contains("id=\"reopen-form\""), "{finished}");
    assert!(!finished.contains("id=\"done-form\"") && !finished.contains("id=\"issue-form\""), "{finished}");
    let reopen = format!("{task_page}/reopen");
    let (status, location) =
        post_form(&app, &admin, &reopen, &[("csrf", csrf), ("reason", "复核发现专利指标未完成")]).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, format!("{task_page}?did=reopened").as_str()));
    assert_eq!(app.get_as_admin(&format!("/api/v1/tasks/{research}")).await.body["status"], "open");
    let audit = app.get_as_admin("/api/v1/audit?entity=task").await.body;
    let actions: Vec<&str> = audit.as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"done") && actions.contains(&"reopen"), "{audit}");
    let (status, _) =
        post_form(&app, &admin, "/rectification/tasks/99999/done", &[("csrf", csrf), ("done_report", "x")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_import_page_previews_then_imports_and_shows_line_errors_for_the_admin_only() {
    let app = spawn_app().await.with_small_world().await;
    app.add_user("leader", Role::Viewer, &[]);
    {
        let conn = app.pool.get().unwrap();
        for name in ["admin", "leader"] {
            zhibiao::engine::users::set_password(&conn, "test", name, PASSWORD).unwrap();
        }
    }
    let viewer = crate::crawl::sign_in(&app, "leader", PASSWORD).await;
    let (status, html) = page(&app, &viewer, "/rectification/import").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{html}");
    assert!(html.contains("只有管理员可以导入整改方案"), "{html}");

    let admin = crate::crawl::sign_in(&app, "admin", PASSWORD).await;
    let (status, form) = page(&app, &admin, "/rectification/import").await;
    assert_eq!(status, StatusCode::OK, "{form}");
    let csrf = csrf_of(&form);
    let broken = PLAN.replacen("——完成时限：2023.12", "——完成时限：2023.13", 1);
    let post = |step: &'static str, text: String| {
        let (app, admin, csrf) = (&app, admin.clone(), csrf.clone());
        async move {
            let form = [
                ("csrf", csrf.as_str()),
                ("plan", "xuncha-2023"),
                ("title", "整改方案"),
                ("year", "2023"),
                ("text", text.as_str()),
                ("step", step),
            ];
            post_form(app, &admin, "/rectification/import", &form).await
        }
    };
    let (status, html) = post("preview", broken).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("id=\"line-errors\"") && html.contains("<li>第18行：完成时限“2023.13”不是日期"), "{html}");
    assert!(html.contains("2023.13"), "{html}");

    let (status, html) = post("preview", PLAN.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("<p id=\"preview-summary\">4 个问题，5 项任务。将新登记科室：高新技术科、科技管理科、农业与社会发展科、局办公室。</p>"), "{html}");
    assert!(html.contains("关联指标：地区生产总值、R&amp;D经费支出"), "{html}");
    assert!(html.contains("<td>2023年12月31日</td>") && html.contains("<td>长期</td>"), "{html}");
    assert!(html.contains("id=\"confirm-import\""), "{html}");
    assert_eq!(app.get_as_admin("/api/v1/plans").await.body, json!([]), "a preview stores nothing");

    let (status, html) = post("import", PLAN.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("已导入整改方案“整改方案”：4 个问题，5 项任务"), "{html}");
    assert_eq!(app.get_as_admin("/api/v1/tasks").await.body.as_array().unwrap().len(), 5);
    let (status, html) = post("import", PLAN.to_string()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{html}");
    assert!(html.contains("整改方案“xuncha-2023”已存在"), "{html}");
}

// ---------------------------------------------------------------------------------------------
// In the browser

async fn shot(c: &Client, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), c.screenshot().await.unwrap()).unwrap();
}

async fn text(c: &Client, css: &str) -> String {
    c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(css)).await.unwrap().text().await.unwrap()
}

async fn sign_out(c: &Client) {
    c.find(Locator::Css("header.top button.link")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("login")).await.unwrap();
}

#[tokio::test]
async fn in_the_browser_an_officer_reports_an_admin_imports_a_plan_and_a_viewer_only_reads() {
    let app = with_plan().await;
    let research = task_id(&app, "加大研发投入").await;
    let driver = crate::browser::chromedriver().await;
    let profile = tempfile::tempdir().unwrap();
    let c = crate::browser::browser(&driver, profile.path()).await;

    // the officer: the list, 我的任务, and a report through the form, seen in the timeline
    crate::browser::sign_in(&c, &app.base, "gxk", PASSWORD).await;
    c.find(Locator::Css("nav a[href='/rectification']")).await.unwrap().click().await.unwrap();
    assert!(text(&c, "#light-counts").await.starts_with("共 5 项任务"));
    shot(&c, "rectification-officer.png").await;
    c.find(Locator::Css("nav a[href='/rectification/mine']")).await.unwrap().click().await.unwrap();
    assert_eq!(c.find_all(Locator::Css("form.report-form")).await.unwrap().len(), 3);
    shot(&c, "rectification-mine.png").await;
    c.goto(&format!("{}/rectification/tasks/{research}", app.base)).await.unwrap();
    let form = c.find(Locator::Css("form.report-form")).await.unwrap();
    form.find(Locator::Css("textarea[name=text]")).await.unwrap().send_keys("已设立科技创新专项资金").await.unwrap();
    form.find(Locator::Css("input[name=percent]")).await.unwrap().send_keys("60").await.unwrap();
    form.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    assert!(text(&c, "#saved").await.contains("进展报告"));
    let timeline = text(&c, "#timeline").await;
    assert!(timeline.contains("已设立科技创新专项资金") && timeline.contains("（完成进度 60%）"), "{timeline}");
    assert!(text(&c, "#leaders").await.starts_with("王局长（直接责任人）"));
    shot(&c, "rectification-task-officer.png").await;
    c.execute("document.getElementById('figures').scrollIntoView()", vec![]).await.unwrap();
    shot(&c, "rectification-task-timeline.png").await;
    sign_out(&c).await;

    // the viewer: the same pages, no form
    crate::browser::sign_in(&c, &app.base, "leader", PASSWORD).await;
    assert!(c.find(Locator::Css("nav a[href='/rectification/mine']")).await.is_err(), "我的任务 is an officer's");
    for (path, file) in [
        (format!("/rectification/tasks/{research}"), "rectification-task-viewer.png"),
        ("/rectification/mine".to_string(), "rectification-mine-viewer.png"),
        ("/rectification?on=2024-01-01".to_string(), "rectification-viewer.png"),
    ] {
        c.goto(&format!("{}{path}", app.base)).await.unwrap();
        c.wait().for_element(Locator::Css("main h1")).await.unwrap();
        assert!(c.find(Locator::Css("main form[method=post]")).await.is_err(), "{path} offers a viewer a form");
        shot(&c, file).await;
    }
    sign_out(&c).await;

    // the admin: preview a second plan from a file read by the page's script, then import it
    crate::browser::sign_in(&c, &app.base, "admin", PASSWORD).await;
    c.goto(&format!("{}/rectification", app.base)).await.unwrap();
    c.find(Locator::Id("import-link")).await.unwrap().click().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plan.txt");
    std::fs::write(&file, PLAN.replace("加大研发投入", "加大全社会研发投入")).unwrap();
    let form = c.find(Locator::Id("import-form")).await.unwrap();
    form.find(Locator::Css("input[name=plan]")).await.unwrap().send_keys("xuncha-2024").await.unwrap();
    form.find(Locator::Css("input[name=title]")).await.unwrap().send_keys("第二轮整改方案").await.unwrap();
    form.find(Locator::Css("input[type=file]")).await.unwrap().send_keys(file.to_str().unwrap()).await.unwrap();
    let mut read = String::new();
    for _ in 0..100 {
        let value = c.execute("return document.getElementById('plan-text').value", vec![]).await.unwrap();
        read = value.as_str().unwrap_or_default().to_string();
        if !read.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(read.contains("加大全社会研发投入"), "the file is read into the text area: {read}");
    shot(&c, "rectification-import.png").await;
    c.find(Locator::Id("preview-import")).await.unwrap().click().await.unwrap();
    assert_eq!(text(&c, "#preview-summary").await, "4 个问题，5 项任务。");
    shot(&c, "rectification-import-preview.png").await;
    c.find(Locator::Id("confirm-import")).await.unwrap().click().await.unwrap();
    assert!(text(&c, "#imported").await.contains("已导入整改方案“第二轮整改方案”：4 个问题，5 项任务"));
    c.goto(&format!("{}/rectification", app.base)).await.unwrap();
    assert!(text(&c, "#light-counts").await.starts_with("共 10 项任务"));
    assert!(text(&c, "#tasks").await.contains("加大全社会研发投入"));
    shot(&c, "rectification-admin.png").await;
    c.close().await.unwrap();
}
