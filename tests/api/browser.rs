//! The pages in a real browser (headless Chromium over WebDriver): a town's statistician enters a
//! quarter, sees a warning before saving, saves, submits and sees the figure on the dashboard; the
//! bureau's admin approves the quarter. Screenshots go to target/screenshots/ for people to look at.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them); `ZHIBIAO_CHROMEDRIVER`
//! and `ZHIBIAO_CHROMIUM` override where they are.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use reqwest::header::COOKIE;
use serde_json::json;
use zhibiao::domain::access::Role;

use crate::helpers::{TestApp, spawn_demo};

pub(crate) struct ChromeDriver {
    child: Child,
    url: String,
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) async fn chromedriver() -> ChromeDriver {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let exe = std::env::var("ZHIBIAO_CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let child = Command::new(&exe)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {exe} (apt-get install chromium chromium-driver): {e}"));
    let driver = ChromeDriver { child, url: format!("http://127.0.0.1:{port}") };
    for _ in 0..100 {
        if reqwest::get(format!("{}/status", driver.url)).await.is_ok() {
            return driver;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start");
}

pub(crate) async fn browser(driver: &ChromeDriver, profile: &std::path::Path) -> Client {
    let chromium = std::env::var("ZHIBIAO_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let options = json!({
        "binary": chromium,
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--window-size=1440,1000",
                 format!("--user-data-dir={}", profile.display())]
    });
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), options);
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector).capabilities(caps).connect(&driver.url).await.expect("a WebDriver session")
}

impl TestApp {
    fn add_user_with_password(&self, name: &str, role: Role, regions: &[&str], password: &str) {
        self.add_user(name, role, regions);
        let conn = self.pool.get().unwrap();
        zhibiao::engine::users::set_password(&conn, "test", name, password).unwrap();
    }
}

pub(crate) async fn sign_in(c: &Client, base: &str, name: &str, password: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    c.find(Locator::Css("input[name=name]")).await.unwrap().send_keys(name).await.unwrap();
    c.find(Locator::Css("input[name=password]")).await.unwrap().send_keys(password).await.unwrap();
    c.find(Locator::Id("login")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("header.top")).await.expect("signed in");
}

async fn screenshot(c: &Client, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), c.screenshot().await.unwrap()).unwrap();
}

async fn text(c: &Client, css: &str) -> String {
    c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(css)).await.unwrap().text().await.unwrap()
}

#[tokio::test]
async fn a_statistician_enters_a_quarter_and_the_admin_approves_it() {
    let app = spawn_demo().await;
    app.add_user_with_password("jia-tj", Role::Statistician, &["town-jia"], "jia-secret-1");
    app.add_user_with_password("chief", Role::Admin, &[], "chief-secret-1");
    let driver = chromedriver().await;
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;

    sign_in(&c, &app.base, "jia-tj", "jia-secret-1").await;
    c.goto(&format!("{}/entry?region=town-jia&period=2025Q1", app.base)).await.unwrap();
    let regions = c.find_all(Locator::Css("select[name=region] option")).await.unwrap();
    assert_eq!(regions.len(), 1, "a statistician's form offers only their own town");
    // 100亿元 against 27.3亿元 in the first quarter of 2024: warned before saving
    c.find(Locator::Id("v_gdp")).await.unwrap().send_keys("100").await.unwrap();
    let warning = text(&c, "#warn-gdp .warning").await;
    assert!(warning.contains("相差超过2倍"), "{warning}");
    c.find(Locator::Id("v_rd_expenditure")).await.unwrap().send_keys("0.4").await.unwrap();
    screenshot(&c, "entry.png").await;
    c.find(Locator::Id("save")).await.unwrap().click().await.unwrap();
    assert!(text(&c, "#saved").await.contains("已保存 2 项"));
    c.find(Locator::Id("submit-quarter")).await.unwrap().click().await.unwrap();
    assert!(text(&c, "#submitted").await.contains("已提交审核"));
    assert_eq!(
        app.get_as_admin("/api/v1/values?region=town-jia&period=2025Q1&indicator=gdp").await.body[0]["value"],
        100.0
    );

    c.goto(&format!("{}/", app.base)).await.unwrap();
    let gdp = text(&c, "#key-indicators tr[data-indicator='地区生产总值'] td.value").await;
    assert_eq!(gdp, "100.00", "the new figure reaches the district's dashboard");
    screenshot(&c, "dashboard.png").await;
    // the quarter now waits for review, and its statistician may not approve it
    c.goto(&format!("{}/completeness?period=2025Q1", app.base)).await.unwrap();
    assert_eq!(text(&c, "tr[data-region=town-jia] td.state-submitted").await, "已上报");
    assert!(
        c.find(Locator::Css("[data-action=approve], [data-action=return]")).await.is_err(),
        "a statistician is offered the review of a submitted quarter"
    );

    c.find(Locator::Css("header.top button.link")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("login")).await.unwrap();
    sign_in(&c, &app.base, "chief", "chief-secret-1").await;
    c.goto(&format!("{}/completeness?period=2025Q1", app.base)).await.unwrap();
    c.find(Locator::Css("button[data-action=approve][data-region=town-jia]")).await.unwrap().click().await.unwrap();
    let state = text(&c, "tr[data-region=town-jia] td.state-approved").await;
    assert_eq!(state, "已审核");
    screenshot(&c, "completeness.png").await;
    let workflow = app.get_as_admin("/api/v1/workflow?period=2025Q1").await.body;
    let jia = workflow.as_array().unwrap().iter().find(|r| r["region"] == "town-jia").unwrap().clone();
    assert_eq!(jia["state"], "approved");
    c.close().await.unwrap();
}

#[tokio::test]
async fn pages_need_a_session_and_forms_need_the_csrf_token() {
    let app = spawn_demo().await;
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = no_redirects.get(format!("{}/entry", app.base)).send().await.unwrap();
    assert_eq!(page.status(), reqwest::StatusCode::SEE_OTHER);
    assert_eq!(page.headers()["location"], "/login");
    let forged = no_redirects
        .post(format!("{}/login", app.base))
        .form(&[("name", "admin"), ("password", "whatever1"), ("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), reqwest::StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn every_page_renders_for_the_admin_and_a_viewer_gets_no_buttons_that_change_anything() {
    let app = spawn_demo().await;
    app.add_user_with_password("chief", Role::Admin, &[], "chief-secret-1");
    app.add_user_with_password("leader", Role::Viewer, &[], "leader-secret-1");
    let driver = chromedriver().await;
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;
    sign_in(&c, &app.base, "chief", "chief-secret-1").await;
    let pages = [
        ("/targets?year=2023", "table.data", "19.00", "targets.png"),
        ("/benchmarks?indicator=rd_share&period=2023", "main", "在 4 个地区中排第 4 位", "benchmarks.png"),
        ("/assessment?year=2023", "table.data", "获批省级创新平台", "assessment.png"),
        ("/reports", "main", "统计公报", "reports.png"),
        ("/completeness?period=2023Q4", "#completeness", "甲镇", "completeness-2023.png"),
        ("/audit?region=district&period=2023", "table.data", "目标：全区", "audit.png"),
    ];
    for (path, css, needle, file) in pages {
        c.goto(&format!("{}{path}", app.base)).await.unwrap();
        let shown = text(&c, css).await;
        assert!(shown.contains(needle), "{path}: {needle} not in {shown}");
        screenshot(&c, file).await;
    }
    // choosing another region on the entry form shows its form: the script does it, as the pages'
    // Content-Security-Policy allows no inline handler
    c.goto(&format!("{}/entry?region=town-jia&period=2025Q1", app.base)).await.unwrap();
    c.find(Locator::Css("select[name=region] option[value=town-yi]")).await.unwrap().click().await.unwrap();
    let form = text(&c, "form#entry-form[data-region=town-yi] p.muted").await;
    assert!(form.starts_with("乙镇"), "{form}");
    // the split preview adds up and writes nothing
    c.goto(&format!("{}/targets?year=2024", app.base)).await.unwrap();
    let form = c.find(Locator::Css("form[data-action=split]")).await.unwrap();
    form.find(Locator::Css("select[name=indicator] option[value=talents_introduced]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    form.find(Locator::Css("input[name=total]")).await.unwrap().send_keys("21").await.unwrap();
    form.find(Locator::Css("button[data-step=preview]")).await.unwrap().click().await.unwrap();
    let preview = text(&c, "form[data-action=split] .preview table").await;
    assert!(preview.contains("合计 21"), "{preview}");
    // (the demo has no 2024 target of talents)
    assert_eq!(app.get_as_admin("/api/v1/targets?year=2024&indicator=talents_introduced").await.body, json!([]));

    // 甲镇's first quarter of 2025 waits for review: the admin is offered it on the same page the
    // viewer gets below, so the viewer's page lacks the buttons for being a viewer's
    app.put_values_as_admin("town-jia", "2025Q1", &[("gdp", 30.5)]).await;
    let submitted =
        app.send_json(reqwest::Method::POST, "/api/v1/workflow/town-jia/2025Q1/submit", &app.admin, &json!({})).await;
    assert_eq!(submitted.status, reqwest::StatusCode::OK, "{}", submitted.body);
    c.goto(&format!("{}/completeness?period=2025Q1", app.base)).await.unwrap();
    c.wait()
        .for_element(Locator::Css("tr[data-region=town-jia] [data-action=approve]"))
        .await
        .expect("the admin may approve");

    c.find(Locator::Css("header.top button.link")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("login")).await.unwrap();
    sign_in(&c, &app.base, "leader", "leader-secret-1").await;
    for path in ["/targets?year=2023", "/completeness?period=2025Q1"] {
        c.goto(&format!("{}{path}", app.base)).await.unwrap();
        c.wait().for_element(Locator::Css("main h1")).await.unwrap();
        assert!(
            c.find(Locator::Css("main form.card, main [data-action]")).await.is_err(),
            "{path} offers a viewer changes"
        );
    }
    assert_eq!(
        text(&c, "tr[data-region=town-jia] td.state-submitted").await,
        "已上报",
        "the viewer sees the submitted quarter"
    );
    assert!(c.find(Locator::Css("nav a[href='/entry']")).await.is_err(), "no entry form for viewers");
    c.close().await.unwrap();
}

/// The page at `path` as the signed-in `session` sees it.
async fn page(app: &TestApp, session: &str, path: &str) -> (reqwest::StatusCode, String) {
    let resp = app.client.get(format!("{}{path}", app.base)).header(COOKIE, session).send().await.unwrap();
    (resp.status(), resp.text().await.unwrap())
}

#[tokio::test]
async fn the_audit_page_tells_every_kind_of_change_in_chinese_and_the_form_gives_back_what_was_typed() {
    let app = spawn_demo().await;
    {
        let conn = app.pool.get().unwrap();
        zhibiao::engine::users::set_password(&conn, "test", "admin", "chief-secret-1").unwrap();
    }
    let region = json!({"id": "town-new", "name": "新镇", "kind": "town", "parent": "district", "sort": 9});
    assert_eq!(app.post_region(region).await.status, reqwest::StatusCode::CREATED);
    app.put_values_as_admin("town-jia", "2025Q1", &[("patent_applications", 9000.0)]).await;
    let lock = json!({"reason": "年报已发布"});
    let locked = app.send_json(reqwest::Method::PUT, "/api/v1/locks/2023Q4", &app.admin.clone(), &lock).await;
    assert_eq!(locked.status, reqwest::StatusCode::OK, "{}", locked.body);
    let session = crate::crawl::sign_in(&app, "admin", "chief-secret-1").await;

    let (status, audit) = page(&app, &session, "/audit").await;
    assert_eq!(status, reqwest::StatusCode::OK, "{audit}");
    for shown in [
        "<td>锁定</td><td>季度锁定：2023年四季度</td>",
        "<td>已锁定</td>",
        "<td>年报已发布</td>",
        "<td>新增</td><td>数据：甲镇 · 专利申请量 · 2025年一季度</td>",
        "<td>9000 件</td>",
        "<td>新增</td><td>地区：新镇</td>",
        "代码：town-new；名称：新镇；类型：镇；上级：全区；排序：9",
        "目标：甲镇 · R&amp;D经费支出 · 2024年",
        "由全区分解（按2023年比例）",
    ] {
        assert!(audit.contains(shown), "the audit page lacks {shown}:\n{audit}");
    }
    for machine in ["create", "update", "\"value\"", "town-jia/", "9000.0"] {
        assert!(!audit.contains(machine), "the audit page shows {machine}");
    }

    let (_, targets) = page(&app, &session, "/targets?year=2023").await;
    assert!(targets.contains("由全区分解（按2022年比例）") && targets.contains("直接设定"), "{targets}");
    assert!(!targets.contains("split from"), "{targets}");

    let (_, entry) = page(&app, &session, "/entry?region=town-jia&period=2025Q1").await;
    assert!(
        entry.contains(r#"name="v_patent_applications" id="v_patent_applications" inputmode="decimal" value="9000""#),
        "{entry}"
    );
    assert!(!entry.contains("9000.0"), "{entry}");
}

/// The `value` of the page's `name="{field}"` input.
fn input_value(html: &str, field: &str) -> String {
    let at = html.find(&format!("name=\"{field}\" value=\"")).unwrap_or_else(|| panic!("no {field} field"));
    let rest = &html[at + field.len() + 15..];
    rest[..rest.find('"').unwrap()].to_string()
}

#[tokio::test]
async fn a_page_asked_for_something_that_is_not_shows_its_default_and_says_so_in_chinese() {
    let app = spawn_demo().await;
    app.add_user_with_password("chief", Role::Admin, &[], "chief-secret-1");
    let session = crate::crawl::sign_in(&app, "chief", "chief-secret-1").await;
    let (_, targets) = page(&app, &session, "/targets").await;
    let year = input_value(&targets, "year");
    // the assessment shows the latest year with a scheme, the year before the targets' 2024
    let (_, assessment) = page(&app, &session, "/assessment").await;
    let scheme_year = input_value(&assessment, "year");
    assert_eq!((year.as_str(), scheme_year.as_str()), ("2024", "2023"));
    let (_, completeness) = page(&app, &session, "/completeness").await;
    let period = input_value(&completeness, "period");
    let period_label: zhibiao::domain::Period = period.parse().unwrap();
    let cases = [
        ("/targets?year=abc", "“abc”不是可查看的年份（1900至2200年），已显示{year}年。"),
        ("/targets?year=1899", "“1899”不是可查看的年份（1900至2200年），已显示{year}年。"),
        ("/assessment?year=99999999999", "“99999999999”不是可查看的年份（1900至2200年），已显示{scheme_year}年。"),
        ("/assessment?year=2023.5", "“2023.5”不是可查看的年份（1900至2200年），已显示{scheme_year}年。"),
        ("/completeness?period=2023Q5", "“2023Q5”不是报告期（应为 YYYY 或 YYYYQn，如 2024Q1），已显示{label}。"),
        ("/?period=abc", "“abc”不是报告期（应为 YYYY 或 YYYYQn，如 2024Q1），已显示{label}。"),
    ];
    for (path, want) in cases {
        let want = want
            .replace("{year}", &year)
            .replace("{scheme_year}", &scheme_year)
            .replace("{label}", &period_label.label());
        let (status, html) = page(&app, &session, path).await;
        assert_eq!(status, reqwest::StatusCode::OK, "{path}: {html}");
        assert!(html.contains(&format!("<p class=\"alert notice\" id=\"notice\">{want}</p>")), "{path}: {html}");
    }
    // the rest of the fields: never a raw English rejection, a value given twice counts once
    for path in [
        "/entry?saved=abc",
        "/entry?saved=-1&period=2024Q9&region=%FF",
        "/entry?period=2025Q1&period=abc",
        "/benchmarks?period=x&indicator=",
        "/benchmarks?indicator=nothing-such",
        "/audit?region=&indicator=&period=abc",
        "/audit?limit=lots&region=town-jia&region=x",
        "/targets?year=2023&year=abc",
        "/assessment?year=",
        "/?period=&period=2023Q3",
    ] {
        let (status, html) = page(&app, &session, path).await;
        assert!(!html.contains("Failed to deserialize") && !html.contains("query string"), "{path}: {html}");
        assert!(html.contains("<h1>"), "{path}: not a page: {html}");
        assert!(status.is_success() || status.is_client_error(), "{path}: {status}");
    }
    let (_, twice) = page(&app, &session, "/targets?year=2023&year=abc").await;
    assert_eq!(input_value(&twice, "year"), "2023");
    assert!(!twice.contains("id=\"notice\""));
    let (_, saved) = page(&app, &session, "/entry?saved=abc").await;
    assert!(!saved.contains("已保存"), "{saved}");
}

#[tokio::test]
async fn the_reports_page_links_an_assessment_only_for_a_year_with_a_scheme() {
    let app = spawn_demo().await;
    app.add_user_with_password("chief", Role::Admin, &[], "chief-secret-1");
    let session = crate::crawl::sign_in(&app, "chief", "chief-secret-1").await;
    let (_, reports) = page(&app, &session, "/reports").await;
    let links: Vec<&str> = reports
        .match_indices("href=\"/reports/assessment/")
        .map(|(at, _)| {
            let rest = &reports[at + 6..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect();
    assert!(!links.is_empty(), "{reports}");
    for link in &links {
        let (status, body) = page(&app, &session, link).await;
        assert_eq!(status, reqwest::StatusCode::OK, "{link}: {body}");
    }
    // the years on the page without a scheme say so instead
    assert!(reports.contains("尚未设定考核方案"), "{reports}");
}

/// The session's CSRF token, as every page carries it for its scripts.
fn csrf_of(html: &str) -> String {
    let meta = "<meta name=\"csrf\" content=\"";
    let at = html.find(meta).unwrap_or_else(|| panic!("no csrf meta: {html}"));
    let rest = &html[at + meta.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

#[tokio::test]
async fn the_entry_form_posted_by_a_viewer_or_another_towns_statistician_is_refused_and_stores_nothing() {
    let app = spawn_demo().await;
    app.add_user_with_password("jia-tj", Role::Statistician, &["town-jia"], "jia-secret-1");
    app.add_user_with_password("yi-tj", Role::Statistician, &["town-yi"], "yi-secret-1");
    app.add_user_with_password("leader", Role::Viewer, &[], "leader-secret-1");
    // the form 甲镇's page sends, with the sender's own session and its valid token: refused for
    // who sends it, not for a forged or stale form
    let post = |session: String, csrf: String| {
        let form = [
            ("csrf", csrf),
            ("region", "town-jia".to_string()),
            ("period", "2025Q1".to_string()),
            ("v_gdp", "77".to_string()),
        ];
        app.client.post(format!("{}/entry", app.base)).header(COOKIE, session).form(&form).send()
    };
    let stored = || app.get_as_admin("/api/v1/values?region=town-jia&period=2025Q1");
    for (name, password) in [("leader", "leader-secret-1"), ("yi-tj", "yi-secret-1")] {
        let session = crate::crawl::sign_in(&app, name, password).await;
        let (_, home) = page(&app, &session, "/").await;
        let refused = post(session, csrf_of(&home)).await.unwrap();
        let status = refused.status();
        let html = refused.text().await.unwrap();
        assert_eq!(status, reqwest::StatusCode::FORBIDDEN, "{name}: {html}");
        // refused for who sends it (not for the token: 页面已过期…CSRF…), in Chinese
        assert!(html.contains("<p class=\"alert error\">不能填报甲镇的数据</p>"), "{name}: {html}");
        assert!(!html.contains("已保存"), "{name}: {html}");
        assert_eq!(stored().await.body, json!([]), "{name}'s form stored a figure of 甲镇");
    }
    let session = crate::crawl::sign_in(&app, "jia-tj", "jia-secret-1").await;
    let (_, home) = page(&app, &session, "/").await;
    let saved = post(session, csrf_of(&home)).await.unwrap();
    let status = saved.status();
    let html = saved.text().await.unwrap();
    assert_eq!(status, reqwest::StatusCode::OK, "{html}");
    assert!(html.contains("已保存 1 项"), "{html}");
    assert_eq!(stored().await.body[0]["value"], 77.0, "甲镇's own statistician sends the same form and it is stored");
}
