//! What it takes in the year-end assessment (SPEC §13), over HTTP on the demo's 2023 scheme: R&D
//! by completion (40, cap 1.2, floor 0.6), patents against the average (25, 0.5 per 5%, cap 1.2),
//! invention patents against the target (15) and 产学研 projects by rank (20, 2.5 a place).
//! 乙镇 stands at 75.67 (fifth, 合格).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhibiao::domain::access::Role;

use crate::helpers::{TestApp, spawn_demo};

async fn what_if(app: &TestApp, query: &str) -> Value {
    let answer = app.get_as_admin(&format!("/api/v1/what-if/assessment?{query}")).await;
    assert_eq!(answer.status, StatusCode::OK, "{query}: {}", answer.body);
    answer.body
}

/// (indicator, reachable, current, needed, change, change_pct, reason) of each item.
fn items(body: &Value) -> Vec<(String, bool, Value, Value, Value, Value, Value)> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["indicator"].as_str().unwrap().to_string(),
                i["reachable"].as_bool().unwrap(),
                i["current"].clone(),
                i["needed"].clone(),
                i["change"].clone(),
                i["change_pct"].clone(),
                i["reason"].clone(),
            )
        })
        .collect()
}

fn sentences(body: &Value) -> Vec<&str> {
    body["items"].as_array().unwrap().iter().map(|i| i["sentence"].as_str().unwrap()).collect()
}

/// 乙镇's (total, rank, grade) in the assessment of 2023 as it is recomputed now.
async fn yi(app: &TestApp) -> (f64, u64, String) {
    let answer = app.get_as_admin("/api/v1/assessments/2023").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let r = answer.body["regions"].as_array().unwrap().iter().find(|r| r["region"] == "town-yi").unwrap().clone();
    (r["total"].as_f64().unwrap(), r["rank"].as_u64().unwrap(), r["grade"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn what_yi_town_needs_for_a_good_grade_is_worked_out_item_by_item_as_by_hand() {
    let app = spawn_demo().await;
    let body = what_if(&app, "year=2023&region=town-yi&goal=grade:良好").await;
    assert_eq!(body["current"], json!({"total": 75.67, "rank": 5, "grade": "合格"}));
    assert_eq!(body["already"], false);
    assert_eq!(body["sentence"], "乙镇目前总分75.67分，第5名，合格；要达到良好，在其他指标不变时：");
    let n = |x: f64| json!(x);
    assert_eq!(
        items(&body),
        [
            // completion 1.40 / 1.57 = 89.2% → 35.67; 4.33 more is 100%: the target, 1.57亿元
            ("rd_expenditure".into(), true, n(1.4), n(1.57), n(0.17), n(12.1), Value::Null),
            // −7 steps (16.5); 2 steps (21) need A ≥ 1.1 × (A + 3321) / 8 → A ≥ 529.4: 530
            ("patent_applications".into(), true, n(280.0), n(530.0), n(250.0), n(89.3), Value::Null),
            // 11 of 15 now: 4 more at the cap leaves 79.67
            ("invention_applications".into(), false, n(36.0), Value::Null, Value::Null, Value::Null, json!("cap")),
            // 5th of 8 (12.5); tying 经开区's 11 is second place (17.5): 80.67
            ("iur_projects".into(), true, n(4.0), n(11.0), n(7.0), n(175.0), Value::Null),
        ]
    );
    assert_eq!(
        sentences(&body),
        [
            "乙镇R&D经费支出再增加0.17亿元（+12.1%）即可达到良好",
            "乙镇专利申请量再增加250件（+89.3%）即可达到良好",
            "乙镇仅靠发明专利申请量无法达到良好：本项最多得15分（上限），即使得满分，总分79.67分，第4名，合格，仍无法达到良好",
            "乙镇重大产学研合作项目再增加7项（+175.0%）即可达到良好",
        ]
    );
    let after: Vec<&Value> = body["items"].as_array().unwrap().iter().map(|i| &i["after"]).collect();
    assert_eq!(after[0], &json!({"total": 80.0, "rank": 4, "grade": "良好"}));
    assert_eq!(after[3], &json!({"total": 80.67, "rank": 4, "grade": "良好"}));
    let first = &body["items"][0];
    assert_eq!(
        (&first["name"], &first["unit"], &first["method"]),
        (&json!("R&D经费支出"), &json!("亿元"), &json!("ratio"))
    );

    // 优秀 is out of reach through any one item: caps, and first place of the rank item
    let top = what_if(&app, "year=2023&region=town-yi&goal=grade:优秀").await;
    let reasons: Vec<Value> = items(&top).into_iter().map(|i| i.6).collect();
    assert_eq!(reasons, [json!("cap"), json!("cap"), json!("cap"), json!("rank_first")]);
    assert_eq!(
        top["items"][3]["reason_text"],
        "本项按位次计分，即使排第1位也只得20分，总分83.17分，第4名，良好，仍无法达到优秀"
    );
    // a total and a place: 77 needs 1.46 (93.0% → 37.2, 77.2); fourth place passes 丙镇's 78.11
    let total = what_if(&app, "year=2023&region=town-yi&goal=total:77").await;
    assert_eq!((&total["items"][0]["needed"], &total["items"][0]["change"]), (&json!(1.46), &json!(0.06)));
    let fourth = what_if(&app, "year=2023&region=town-yi&goal=rank:4").await;
    assert_eq!(fourth["items"][0]["after"]["rank"], 4, "{fourth}");
    assert_eq!(fourth["goal_text"], "进入前4名");
    // 经开区 is first already
    let already = what_if(&app, "year=2023&region=zone-jingkai&goal=rank:1").await;
    assert_eq!(
        (&already["already"], &already["sentence"]),
        (&json!(true), &json!("经开区已排名第1（总分100.4分，第1名，优秀）"))
    );
    assert!(already["items"].as_array().unwrap().iter().all(|i| i["change"] == 0.0 && i["reachable"] == true));
}

#[tokio::test]
async fn the_answer_put_in_reaches_the_grade_and_one_unit_less_does_not() {
    let app = spawn_demo().await;
    let body = what_if(&app, "year=2023&region=town-yi&goal=grade:良好").await;
    // R&D: 0.01亿元 short of the answer is still 合格, the answer itself is 良好 (and the what-if says so)
    let needed = body["items"][0]["needed"].as_f64().unwrap();
    app.put_values_as_admin("town-yi", "2023Q4", &[("rd_expenditure", needed - 0.01)]).await;
    assert_eq!(yi(&app).await, (79.75, 4, "合格".into()));
    app.put_values_as_admin("town-yi", "2023Q4", &[("rd_expenditure", needed)]).await;
    assert_eq!(yi(&app).await, (80.0, 4, "良好".into()));
    let now = what_if(&app, "year=2023&region=town-yi&goal=grade:良好").await;
    assert_eq!((&now["already"], &now["sentence"]), (&json!(true), &json!("乙镇已达到良好（总分80分，第4名，良好）")));

    // back to 1.40, then patents: 529 → 合格, 530 → 良好 (the average moves with them)
    app.put_values_as_admin("town-yi", "2023Q4", &[("rd_expenditure", 1.4)]).await;
    assert_eq!(yi(&app).await.2, "合格");
    let patents = body["items"][1]["needed"].as_f64().unwrap();
    app.put_values_as_admin("town-yi", "2023Q4", &[("patent_applications", patents - 1.0)]).await;
    assert_eq!(yi(&app).await.2, "合格");
    app.put_values_as_admin("town-yi", "2023Q4", &[("patent_applications", patents)]).await;
    assert_eq!(yi(&app).await, (80.17, 4, "良好".into()));
}

#[tokio::test]
async fn a_veto_is_the_reason_for_every_item_and_the_lowest_grade_is_reached_anyway() {
    let app = spawn_demo().await;
    let mut scheme = app.get_as_admin("/api/v1/assessments/2023/scheme").await.body;
    scheme["vetoes"] = json!([{"region": "town-yi", "reason": "发生重大安全生产事故"}]);
    let put = app.send_json(Method::PUT, "/api/v1/assessments/2023/scheme", &app.admin, &scheme).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    let body = what_if(&app, "year=2023&region=town-yi&goal=grade:合格").await;
    let reasons: Vec<Value> = items(&body).into_iter().map(|i| i.6).collect();
    assert_eq!(reasons, vec![json!("veto"); 4]);
    assert_eq!(body["sentence"], "乙镇被一票否决（发生重大安全生产事故），总分记0，任何一项指标的变化都无法达到合格");
    assert_eq!(
        body["items"][0]["sentence"],
        "乙镇仅靠R&D经费支出无法达到合格：被一票否决（发生重大安全生产事故），总分记0，与本项数值无关"
    );
    assert_eq!(what_if(&app, "year=2023&region=town-yi&goal=grade:不合格").await["already"], true);
}

#[tokio::test]
async fn a_bad_goal_an_unknown_region_and_a_year_without_a_scheme_are_refused_in_chinese_naming_the_field() {
    let app = spawn_demo().await;
    let ask = |query: &str| {
        let url = format!("/api/v1/what-if/assessment?{query}");
        let app = &app;
        async move { app.get_as_admin(&url).await }
    };
    let base = "year=2023&region=town-yi";
    for (goal, message) in [
        ("grade:卓越", "考核方案没有“卓越”这个等次（可选：优秀、良好、合格、不合格）"),
        ("rank:0", "名次“0”应为1至999999999的整数"),
        ("total:很多", "总分“很多”应为数值（如 85 或 85.5）"),
        ("good", "目标应写作 grade:等次、rank:名次或 total:总分（如 grade:良好、rank:3、total:85）"),
    ] {
        let answer = ask(&format!("{base}&goal={goal}")).await;
        assert_eq!(
            (answer.status, answer.fields()),
            (StatusCode::UNPROCESSABLE_ENTITY, vec!["goal".to_string()]),
            "{goal}"
        );
        assert_eq!(answer.body["error"]["details"][0]["message"], message, "{goal}");
    }
    let missing = ask(base).await;
    assert_eq!((missing.status.as_u16(), missing.fields()), (422, vec!["goal".to_string()]));
    let answer = ask("year=2023&region=district&goal=grade:良好").await;
    assert_eq!((answer.status.as_u16(), answer.fields()), (422, vec!["region".to_string()]));
    assert_eq!(answer.body["error"]["details"][0]["message"], "全区不是2023年考核方案考核的地区");
    let answer = ask("year=2023&region=Town_Yi&goal=grade:良好").await;
    assert_eq!((answer.status.as_u16(), answer.fields()), (422, vec!["region".to_string()]));
    let answer = ask("year=2023&region=town-nowhere&goal=grade:良好").await;
    assert_eq!((answer.status.as_u16(), answer.code()), (404, "not_found"), "{}", answer.body);
    assert!(answer.body["error"]["message"].as_str().unwrap().contains("town-nowhere"));
    let answer = ask("year=2021&region=town-yi&goal=grade:良好").await;
    assert_eq!(answer.status.as_u16(), 404, "{}", answer.body);
    assert_eq!(answer.body["error"]["message"], "2021年尚未设置考核方案");
    for year in ["1899", "abc"] {
        let answer = ask(&format!("year={year}&region=town-yi&goal=grade:良好")).await;
        assert_eq!((answer.status.as_u16(), answer.fields()), (422, vec!["year".to_string()]), "{year}");
    }
    let answer = ask("year=2023&region=town-yi&goal=rank:1&extra=1").await;
    assert_eq!(answer.status.as_u16(), 422);
}

#[tokio::test]
async fn whoever_may_read_the_assessment_may_ask_what_it_takes() {
    let app = spawn_demo().await;
    let url = "/api/v1/what-if/assessment?year=2023&region=town-yi&goal=grade:良好";
    for (name, role, regions) in [("leader", Role::Viewer, &[][..]), ("yi", Role::Statistician, &["town-jia"][..])] {
        let token = app.add_user(name, role, regions);
        let answer = app.get(url, Some(&token)).await;
        assert_eq!(answer.status, StatusCode::OK, "{name}: {}", answer.body);
        assert_eq!(answer.body["items"][0]["needed"], 1.57);
        assert_eq!(app.get("/api/v1/assessments/2023", Some(&token)).await.status, StatusCode::OK);
    }
    assert_eq!(app.get(url, None).await.status, StatusCode::UNAUTHORIZED);
}

// ---------------------------------------------------------------------------------------------
// The page (考核测算)

const PASSWORD: &str = "what-if-secret-1";

/// The demo with `admin` and `leader` (a viewer), each with [`PASSWORD`].
async fn with_people() -> TestApp {
    let app = spawn_demo().await;
    app.add_user("leader", Role::Viewer, &[]);
    let conn = app.pool.get().unwrap();
    for name in ["admin", "leader"] {
        zhibiao::engine::users::set_password(&conn, "test", name, PASSWORD).unwrap();
    }
    drop(conn);
    app
}

async fn page(app: &TestApp, session: &str, path: &str) -> (StatusCode, String) {
    let resp =
        app.client.get(format!("{}{path}", app.base)).header(reqwest::header::COOKIE, session).send().await.unwrap();
    (resp.status(), resp.text().await.unwrap())
}

/// The text of the element with `id` up to its closing tag `</tag>`.
fn element<'a>(html: &'a str, tag: &str, id: &str) -> &'a str {
    let at = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id}: {html}"));
    let end = html[at..].find(&format!("</{tag}>")).unwrap_or_else(|| panic!("#{id} is not closed"));
    &html[at..at + end]
}

#[tokio::test]
async fn the_what_if_page_tells_an_official_in_chinese_what_each_item_would_take() {
    let app = with_people().await;
    for name in ["admin", "leader"] {
        let session = crate::crawl::sign_in(&app, name, PASSWORD).await;
        // the assessment page links it for its year
        let (status, html) = page(&app, &session, "/assessment?year=2023").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(r#"<a href="/assessment/what-if?year=2023" id="what-if-link">考核测算</a>"#), "{name}");

        let (status, html) =
            page(&app, &session, "/assessment/what-if?year=2023&region=town-yi&goal=grade%3A%E8%89%AF%E5%A5%BD").await;
        assert_eq!(status, StatusCode::OK, "{name}: {html}");
        assert!(
            element(&html, "p", "summary").contains("乙镇目前总分75.67分，第5名，合格；要达到良好，在其他指标不变时：")
        );
        let table = element(&html, "table", "items");
        for sentence in [
            "乙镇R&D经费支出再增加0.17亿元（+12.1%）即可达到良好",
            "乙镇专利申请量再增加250件（+89.3%）即可达到良好",
            "乙镇仅靠发明专利申请量无法达到良好：本项最多得15分（上限），即使得满分，总分79.67分，第4名，合格，仍无法达到良好",
            "乙镇重大产学研合作项目再增加7项（+175.0%）即可达到良好",
        ] {
            assert!(table.contains(&sentence.replace('&', "&amp;")), "{name}: {sentence} in {table}");
        }
        // the figures with the indicator's decimals: 1.40 → 1.57, +0.17 (+12.1%), and what follows
        assert!(
            table.contains(r#"<td class="n">1.40</td>"#) && table.contains(r#"<td class="n">1.57</td>"#),
            "{table}"
        );
        assert!(table.contains("+0.17（+12.1%）") && table.contains("80.00分，第4名，良好"), "{table}");
        assert!(html.contains(r#"<option value="town-yi" selected>乙镇</option>"#), "{name}");
        assert!(html.contains(r#"<option value="grade:良好" selected>达到良好</option>"#), "{name}");
        assert!(html.contains(r#"<option value="rank:3" >进入前3名</option>"#), "{name}");
        // the page changes nothing: its one form asks (GET)
        assert!(!element(&html, "main", "what-if-form").contains("method=\"post\""));

        // a total typed in is the goal when 总分达到 is chosen …
        let (_, html) = page(&app, &session, "/assessment/what-if?year=2023&region=town-yi&goal=total&total=77").await;
        assert!(
            element(&html, "table", "items").contains("乙镇R&amp;D经费支出再增加0.06亿元（+4.3%）即可使总分达到77分"),
            "{name}"
        );
        assert!(html.contains(r#"<option value="total" selected>"#) && html.contains(r#"name="total" value="77""#));
        // … and another goal chosen after it is the one asked, with the box emptied
        let (_, html) =
            page(&app, &session, "/assessment/what-if?year=2023&region=town-yi&goal=rank%3A1&total=77").await;
        assert!(element(&html, "p", "summary").contains("要排名第1"), "{name}");
        assert!(html.contains(r#"name="total" value="""#), "{name}");
        // a goal reached already
        let (_, html) = page(&app, &session, "/assessment/what-if?year=2023&region=zone-jingkai&goal=rank%3A1").await;
        assert!(element(&html, "p", "summary").contains("经开区已排名第1（总分100.4分，第1名，优秀）"), "{name}");
        assert!(!html.contains("id=\"items\""));
    }
    let session = crate::crawl::sign_in(&app, "leader", PASSWORD).await;
    // what cannot be used is noted and the default shown: the latest year with a scheme, its first
    // region, the next grade up from its own (甲镇 is 良好: 优秀)
    let (status, html) =
        page(&app, &session, "/assessment/what-if?year=20x3&region=nowhere&goal=grade%3A%E5%8D%93%E8%B6%8A").await;
    assert_eq!(status, StatusCode::OK);
    let notice = element(&html, "p", "notice");
    assert!(notice.contains("“20x3”不是年份"), "{notice}");
    assert!(notice.contains("“nowhere”不是2023年考核的地区，已显示甲镇。"), "{notice}");
    assert!(notice.contains("目标“grade:卓越”无法测算（考核方案没有“卓越”这个等次"), "{notice}");
    assert!(element(&html, "p", "summary").contains("甲镇目前总分86.58分，第3名，良好；要达到优秀"), "{html}");
    let (_, html) = page(&app, &session, "/assessment/what-if").await;
    assert!(element(&html, "p", "summary").contains("甲镇目前总分86.58分，第3名，良好；要达到优秀"), "{html}");
    assert!(html.contains(r#"<input name="year" value="2023" size="5">"#), "the latest year with a scheme");
    // 经开区 stands at 优秀 and first: the default is first place, reached
    let (_, html) = page(&app, &session, "/assessment/what-if?year=2023&region=zone-jingkai").await;
    assert!(element(&html, "p", "summary").contains("经开区已排名第1"), "{html}");
    // a year without a scheme says so
    let (status, html) = page(&app, &session, "/assessment/what-if?year=2021").await;
    assert_eq!(status, StatusCode::OK);
    assert!(element(&html, "p", "no-scheme").contains("2021年尚未设定考核方案，无法测算。"));
}

async fn shot(c: &fantoccini::Client, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), c.screenshot().await.unwrap()).unwrap();
}

/// Waits until the element's text contains `needle` (a page loading after a click).
async fn until(c: &fantoccini::Client, css: &str, needle: &str) {
    let mut last = String::new();
    for _ in 0..100 {
        if let Ok(e) = c.find(fantoccini::Locator::Css(css)).await
            && let Ok(t) = e.text().await
        {
            if t.contains(needle) {
                return;
            }
            last = t;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{css} never said {needle}: {last}");
}

#[tokio::test]
async fn in_the_browser_an_official_picks_a_town_and_a_goal_and_reads_the_answer() {
    use fantoccini::Locator;
    let app = with_people().await;
    let driver = crate::browser::chromedriver().await;
    let profile = tempfile::tempdir().unwrap();
    let c = crate::browser::browser(&driver, profile.path()).await;

    crate::browser::sign_in(&c, &app.base, "admin", PASSWORD).await;
    c.goto(&format!("{}/assessment?year=2023", app.base)).await.unwrap();
    c.find(Locator::Id("what-if-link")).await.unwrap().click().await.unwrap();
    until(&c, "main h1", "考核测算").await;
    let form = c.find(Locator::Id("what-if-form")).await.unwrap();
    form.find(Locator::Css("select[name=region] option[value='town-yi']")).await.unwrap().click().await.unwrap();
    form.find(Locator::Css("select[name=goal] option[value='grade:良好']")).await.unwrap().click().await.unwrap();
    form.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    until(&c, "#summary", "乙镇目前总分75.67分").await;
    let rows = c.find_all(Locator::Css("#items tbody tr")).await.unwrap();
    assert_eq!(rows.len(), 4);
    let first = rows[0].text().await.unwrap();
    assert!(first.contains("乙镇R&D经费支出再增加0.17亿元（+12.1%）即可达到良好"), "{first}");
    let unreachable = c.find_all(Locator::Css("#items tr.unreachable")).await.unwrap();
    assert_eq!(unreachable.len(), 1);
    shot(&c, "what-if-admin.png").await;
    // a total instead
    let total = c.find(Locator::Css("#what-if-form input[name=total]")).await.unwrap();
    total.send_keys("77").await.unwrap();
    let goal = "#what-if-form select[name=goal] option[value='total']";
    c.find(Locator::Css(goal)).await.unwrap().click().await.unwrap();
    c.find(Locator::Css("#what-if-form button[type=submit]")).await.unwrap().click().await.unwrap();
    until(&c, "#summary", "要使总分达到77分").await;
    c.find(Locator::Css("header.top button.link")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("login")).await.unwrap();

    crate::browser::sign_in(&c, &app.base, "leader", PASSWORD).await;
    c.goto(&format!("{}/assessment/what-if?year=2023&region=town-jia&goal=grade:优秀", app.base)).await.unwrap();
    until(&c, "#summary", "甲镇目前总分86.58分，第3名，良好；要达到优秀").await;
    let table = c.find(Locator::Id("items")).await.unwrap().text().await.unwrap();
    assert!(table.contains("甲镇R&D经费支出再增加0.16亿元（+8.4%）即可达到优秀"), "{table}");
    assert!(c.find(Locator::Css("main form[method=post]")).await.is_err(), "nothing on the page changes anything");
    shot(&c, "what-if-viewer.png").await;
    c.close().await.unwrap();
}
