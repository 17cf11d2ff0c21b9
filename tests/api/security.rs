//! Secrets at rest, browser sessions and error answers: passwords as argon2id, tokens
//! and sessions only as hashes, cookies HttpOnly and SameSite=Strict, CSRF on forms and on API
//! writes made with a session cookie, and errors that name no internals.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhibiao::domain::access::Role;
use zhibiao::engine::users::{LoginThrottle, ThrottleRules};
use zhibiao::store::Pool;

use crate::helpers::{Served, TestApp, spawn_demo};
use crate::matrix::fingerprint;

const PASSWORD: &str = "甲镇统计-2024-春";

/// A browser: no redirects followed, cookies sent by hand.
fn browser() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

fn form(fields: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        s.append_pair(k, v);
    }
    s.finish()
}

/// The `Set-Cookie` header that sets `name`, whole.
fn set_cookie(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_string)
}

fn cookie_value(set_cookie: &str) -> String {
    let pair = set_cookie.split(';').next().unwrap();
    pair.split_once('=').unwrap().1.to_string()
}

/// The value of the first `attribute="…"` after `marker` in a page.
fn attribute_after(html: &str, marker: &str, attribute: &str) -> String {
    let at = html.find(marker).unwrap_or_else(|| panic!("{marker} not in the page"));
    let rest = &html[at..];
    let start = rest.find(&format!("{attribute}=\"")).unwrap() + attribute.len() + 2;
    rest[start..start + rest[start..].find('"').unwrap()].to_string()
}

/// A signed-in browser session of the statistician `jia` of town-jia.
struct Session {
    client: reqwest::Client,
    cookie: String,
    csrf: String,
    /// the `Set-Cookie` header of the successful `POST /login`
    set_cookie: String,
    /// the `Set-Cookie` header of `GET /login`
    login_form_cookie: String,
}

impl TestApp {
    fn with_password(&self, name: &str, role: Role, regions: &[&str]) -> String {
        let token = self.add_user(name, role, regions);
        let conn = self.pool.get().unwrap();
        zhibiao::engine::users::set_password(&conn, "test", name, PASSWORD).unwrap();
        token
    }

    async fn sign_in(&self, name: &str) -> Session {
        let client = browser();
        let page = client.get(format!("{}/login", self.base)).send().await.unwrap();
        let login_form_cookie = set_cookie(&page, "zb_login").expect("GET /login sets its CSRF cookie");
        let csrf = attribute_after(&page.text().await.unwrap(), "name=\"csrf\"", "value");
        let resp = client
            .post(format!("{}/login", self.base))
            .header(COOKIE, format!("zb_login={}", cookie_value(&login_form_cookie)))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form(&[("name", name), ("password", PASSWORD), ("csrf", &csrf)]))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let set_cookie = set_cookie(&resp, "zb_session").expect("a session cookie");
        let cookie = format!("zb_session={}", cookie_value(&set_cookie));
        let home = client.get(format!("{}/", self.base)).header(COOKIE, &cookie).send().await.unwrap();
        assert_eq!(home.status(), StatusCode::OK);
        let csrf = attribute_after(&home.text().await.unwrap(), "<meta name=\"csrf\"", "content");
        Session { client, cookie, csrf, set_cookie, login_form_cookie }
    }

    async fn stored_values(&self, region: &str, period: &str) -> Value {
        self.get_as_admin(&format!("/api/v1/values?region={region}&period={period}")).await.body
    }
}

/// Every text and blob the database holds, for searching secrets in it.
fn everything_stored(pool: &Pool) -> String {
    let conn = pool.get().unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut all = String::new();
    for table in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            for i in 0..columns {
                match r.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                        all.push_str(&String::from_utf8_lossy(t));
                        all.push('\n');
                    }
                    _ => {}
                }
            }
        }
    }
    all
}

#[tokio::test]
async fn passwords_are_argon2id_and_tokens_and_sessions_are_stored_only_as_hashes() {
    let app = spawn_demo().await;
    let token = app.with_password("jia", Role::Statistician, &["town-jia"]);
    let session = app.sign_in("jia").await;
    let secret = cookie_value(&session.set_cookie);

    let conn = app.pool.get().unwrap();
    let hash: String = conn.query_row("SELECT password_hash FROM users WHERE name = 'jia'", [], |r| r.get(0)).unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    let sessions: Vec<String> = conn
        .prepare("SELECT hash FROM sessions")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(sessions, vec![zhibiao::engine::users::hash_token(&secret)]);
    let tokens: i64 = conn
        .query_row("SELECT count(*) FROM tokens WHERE hash = ?1", [zhibiao::engine::users::hash_token(&token)], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(tokens, 1);
    drop(conn);

    let stored = everything_stored(&app.pool);
    for (what, plain) in
        [("password", PASSWORD), ("API token", &token), ("admin token", &app.admin), ("session", &secret)]
    {
        assert!(!stored.contains(plain), "the {what} is stored in plain text");
    }
    // the hex part alone neither (a token stored without its prefix would still be a token)
    assert!(!stored.contains(&token[3..]));
}

#[tokio::test]
async fn session_cookies_are_http_only_and_same_site_strict() {
    let app = spawn_demo().await;
    app.with_password("jia", Role::Statistician, &["town-jia"]);
    let session = app.sign_in("jia").await;
    for header in [&session.set_cookie, &session.login_form_cookie] {
        let attributes: Vec<String> = header.split(';').map(|a| a.trim().to_ascii_lowercase()).collect();
        assert!(attributes.contains(&"httponly".to_string()), "{header}");
        assert!(attributes.contains(&"samesite=strict".to_string()), "{header}");
        assert!(attributes.contains(&"path=/".to_string()), "{header}");
    }
    // the secret is long and random
    assert_eq!(cookie_value(&session.set_cookie).len(), 64);
}

#[tokio::test]
async fn a_login_without_its_form_token_signs_nobody_in() {
    let app = spawn_demo().await;
    app.with_password("jia", Role::Statistician, &["town-jia"]);
    let client = browser();
    for (cookie, csrf) in [(None, "abc"), (Some("zb_login=abc"), "abd"), (Some("zb_login=abc"), "")] {
        let mut req = client
            .post(format!("{}/login", app.base))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form(&[("name", "jia"), ("password", PASSWORD), ("csrf", csrf)]));
        if let Some(c) = cookie {
            req = req.header(COOKIE, c);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{cookie:?} {csrf}");
        assert!(set_cookie(&resp, "zb_session").is_none());
    }
    let conn = app.pool.get().unwrap();
    let sessions: i64 = conn.query_row("SELECT count(*) FROM sessions", [], |r| r.get(0)).unwrap();
    assert_eq!(sessions, 0);
}

#[tokio::test]
async fn a_form_post_without_the_csrf_token_is_refused_and_stores_nothing() {
    let app = spawn_demo().await;
    app.with_password("jia", Role::Statistician, &["town-jia"]);
    let s = app.sign_in("jia").await;
    let entry = |csrf: Option<&str>| {
        let mut fields = vec![("region", "town-jia"), ("period", "2025Q1"), ("v_gdp", "12.5")];
        if let Some(c) = csrf {
            fields.push(("csrf", c));
        }
        s.client
            .post(format!("{}/entry", app.base))
            .header(COOKIE, &s.cookie)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form(&fields))
    };
    let before = fingerprint(&app.pool);
    for csrf in [None, Some(""), Some("0123456789abcdef")] {
        let resp = entry(csrf).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "csrf {csrf:?}");
    }
    assert_eq!(fingerprint(&app.pool), before);
    assert_eq!(app.stored_values("town-jia", "2025Q1").await, json!([]));

    // signing out is a form too: without the token the session lives on
    let logout = |body: &str| {
        s.client
            .post(format!("{}/logout", app.base))
            .header(COOKIE, &s.cookie)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body.to_string())
    };
    assert_eq!(logout("csrf=0123456789abcdef").send().await.unwrap().status(), StatusCode::FORBIDDEN);
    assert!(logout("").send().await.unwrap().status().is_client_error());
    let home = s.client.get(format!("{}/", app.base)).header(COOKIE, &s.cookie).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);

    // with the token the same form is saved
    let saved = entry(Some(&s.csrf)).send().await.unwrap();
    assert_eq!(saved.status(), StatusCode::OK);
    assert_eq!(app.stored_values("town-jia", "2025Q1").await[0]["value"], 12.5);
}

#[tokio::test]
async fn api_writes_with_a_session_cookie_need_the_csrf_header() {
    let app = spawn_demo().await;
    app.with_password("jia", Role::Statistician, &["town-jia"]);
    let s = app.sign_in("jia").await;
    let body = json!({"region": "town-jia", "period": "2025Q1", "values": [{"indicator": "gdp", "value": 12.5}]});
    let put = |csrf: Option<&str>| {
        let mut req = s.client.put(format!("{}/api/v1/values", app.base)).header(COOKIE, &s.cookie).json(&body);
        if let Some(c) = csrf {
            req = req.header("x-csrf-token", c);
        }
        req
    };
    let before = fingerprint(&app.pool);
    for csrf in [None, Some(""), Some("0123456789abcdef")] {
        let resp = put(csrf).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "csrf {csrf:?}");
        let error: Value = resp.json().await.unwrap();
        assert_eq!(error["error"]["code"], "forbidden");
    }
    // a file import is a write as well
    let import = s
        .client
        .post(format!("{}/api/v1/imports", app.base))
        .header(COOKIE, &s.cookie)
        .header(CONTENT_TYPE, "text/csv")
        .body("region,indicator,period,value,comment\ntown-jia,gdp,2025Q1,12.5,\n")
        .send()
        .await
        .unwrap();
    assert_eq!(import.status(), StatusCode::FORBIDDEN);
    assert_eq!(fingerprint(&app.pool), before);
    assert_eq!(app.stored_values("town-jia", "2025Q1").await, json!([]));

    // reads need no header; a write with it goes through
    let read = s.client.get(format!("{}/api/v1/regions", app.base)).header(COOKIE, &s.cookie).send().await.unwrap();
    assert_eq!(read.status(), StatusCode::OK);
    assert_eq!(put(Some(&s.csrf)).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(app.stored_values("town-jia", "2025Q1").await[0]["value"], 12.5);
}

/// Words that would tell a client how the server is built.
const INTERNALS: [&str; 14] = [
    "rusqlite",
    "sqlite",
    "sql",
    "select ",
    "insert ",
    "constraint",
    "no such table",
    "/work",
    "/root",
    "/home",
    "src/",
    ".rs:",
    "panicked",
    "backtrace",
];

fn assert_no_internals(what: &str, status: StatusCode, text: &str) {
    let lower = text.to_lowercase();
    for word in INTERNALS {
        assert!(!lower.contains(word), "{what} → {status}: the answer names '{word}': {text}");
    }
}

#[tokio::test]
async fn error_answers_name_no_internals() {
    let app = spawn_demo().await;
    let client = browser();
    let url = |path: &str| format!("{}{path}", app.base);
    let values = "/api/v1/values";
    let requests: Vec<(&str, reqwest::RequestBuilder)> = vec![
        ("region with bytes that are not UTF-8", client.get(url("/api/v1/regions/%FF%FE"))),
        ("region id with quotes", client.get(url("/api/v1/regions/x'%20OR%20'1'='1"))),
        ("values of a region with quotes", client.get(url("/api/v1/values?region=town-jia'--&period=2023Q3"))),
        (
            "series of quarters backwards",
            client.get(url("/api/v1/series?region=district&indicator=gdp&from=2023Q4&to=2023Q1")),
        ),
        ("audit limit not a number", client.get(url("/api/v1/audit?limit=lots"))),
        ("chart of nowhere", client.get(url("/charts/trend.svg?region=nowhere&indicator=gdp&from=2023Q1&to=2023Q4"))),
        ("report in a format there is none of", client.get(url("/reports/bulletin/2023Q3.pdf"))),
        ("template outside the tree", client.get(url("/templates/..%2F..%2Fetc/passwd.xlsx"))),
        ("malformed JSON", client.put(url(values)).header(CONTENT_TYPE, "application/json").body("{\"region\":")),
        (
            "a value that is text",
            client.put(url(values)).json(
                &json!({"region": "town-jia", "period": "2023Q3", "values": [{"indicator": "gdp", "value": "many"}]}),
            ),
        ),
        (
            "a fifth quarter",
            client.put(url(values)).json(&json!({"region": "town-jia", "period": "2023Q5", "values": []})),
        ),
        (
            "an unknown indicator",
            client.put(url(values)).json(
                &json!({"region": "town-jia", "period": "2023Q3", "values": [{"indicator": "x'; --", "value": 1}]}),
            ),
        ),
        (
            "a second region with the same id",
            client
                .post(url("/api/v1/regions"))
                .json(&json!({"id": "town-jia", "name": "甲镇", "kind": "town", "parent": "district"})),
        ),
        (
            "a region under a missing parent",
            client
                .post(url("/api/v1/regions"))
                .json(&json!({"id": "town-x", "name": "X", "kind": "town", "parent": "nowhere"})),
        ),
        ("deleting a region with children", client.delete(url("/api/v1/regions/district"))),
        ("deleting a region with figures", client.delete(url("/api/v1/regions/town-jia"))),
        (
            "changing the mode of an indicator with figures",
            client.put(url("/api/v1/indicators/gdp")).json(&json!({"name": "GDP", "unit": "亿元", "mode": "stock"})),
        ),
        (
            "a formula with a cycle",
            client
                .put(url("/api/v1/indicators/gdp"))
                .json(&json!({"name": "GDP", "unit": "亿元", "mode": "derived", "formula": "rd_share * 2"})),
        ),
        (
            "a target for a benchmark",
            client
                .put(url("/api/v1/targets"))
                .json(&json!({"region": "kunshan", "indicator": "gdp", "year": 2024, "value": 1})),
        ),
        (
            "an Excel file that is not one",
            client
                .post(url("/api/v1/imports"))
                .header(CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
                .body(vec![0x50, 0x4b, 3, 4, 0, 0]),
        ),
        (
            "a CSV with bad rows",
            client
                .post(url("/api/v1/imports"))
                .header(CONTENT_TYPE, "text/csv")
                .body("region,indicator,period,value,comment\nnowhere,gdp,2023Q9,abc,\n"),
        ),
        (
            "a scheme with no items",
            client
                .put(url("/api/v1/assessments/2024/scheme"))
                .json(&json!({"parent": "district", "items": [], "grades": []})),
        ),
        ("approving a draft", client.post(url("/api/v1/workflow/town-jia/2023Q3/approve"))),
        ("a body in the wrong type", client.put(url(values)).header(CONTENT_TYPE, "text/plain").body("gdp=1")),
        (
            "a body too large",
            client.put(url(values)).header(CONTENT_TYPE, "application/json").body(vec![b' '; 3 * 1024 * 1024]),
        ),
        ("a method the route has not", client.patch(url("/api/v1/regions"))),
    ];
    let before = fingerprint(&app.pool);
    for (what, req) in requests {
        let resp = req.bearer_auth(&app.admin).send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        assert!(status.is_client_error(), "{what}: {status} {text}");
        let body: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{what}: not JSON: {text}"));
        assert!(body["error"]["code"].is_string() && body["error"]["message"].is_string(), "{what}: {text}");
        assert_no_internals(what, status, &text);
    }
    assert_eq!(fingerprint(&app.pool), before, "a refused request changed what is stored");
}

#[tokio::test]
async fn sql_in_parameters_is_only_ever_data() {
    let app = spawn_demo().await;
    // the same filters with a real region find rows, so the empty answers below mean something
    let audit = app.get_as_admin("/api/v1/audit?region=town-jia").await;
    assert!(!audit.body.as_array().unwrap().is_empty());
    let targets = app.get_as_admin("/api/v1/targets?year=2023&region=town-jia").await;
    assert_eq!(targets.body.as_array().unwrap().len(), 4);
    // not region ids at all: refused by the document's pattern before any SQL is run
    for injection in ["' OR '1'='1", "town-jia' OR 1=1 --", "\"; DROP TABLE observations; --"] {
        let q: String = form_urlencoded::byte_serialize(injection.as_bytes()).collect();
        let audit = app.get_as_admin(&format!("/api/v1/audit?region={q}")).await;
        assert_eq!((audit.status, audit.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["region".to_string()]));
        let targets = app.get_as_admin(&format!("/api/v1/targets?year=2023&region={q}")).await;
        assert_eq!((targets.status, targets.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["region".to_string()]));
    }
    // everything is still there
    let values = app.get_as_admin("/api/v1/values?region=town-jia&period=2023Q3").await;
    assert_eq!(values.body.as_array().unwrap().len(), 7, "the typed figures (the register's are not stored)");
}

#[tokio::test]
async fn a_failure_inside_answers_internal_error_and_nothing_more() {
    let app = spawn_demo().await;
    app.with_password("jia", Role::Statistician, &["town-jia"]);
    let s = app.sign_in("jia").await;
    // the database loses a table under the running server
    app.pool.get().unwrap().execute_batch("ALTER TABLE targets RENAME TO targets_gone").unwrap();

    let api = app.get_as_admin("/api/v1/targets?year=2023").await;
    assert_eq!(api.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        api.body,
        json!({"error": {"code": "internal", "message": "系统内部错误，请稍后再试或联系管理员", "details": []}})
    );

    for page in ["/targets", "/"] {
        let resp = s.client.get(format!("{}{page}", app.base)).header(COOKIE, &s.cookie).send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{page}");
        assert_no_internals(page, status, &text);
        assert!(!text.contains("targets_gone"), "{page}: {text}");
    }
    let put = app
        .send_json(
            Method::PUT,
            "/api/v1/targets",
            &app.admin.clone(),
            &json!({"region": "town-jia", "indicator": "gdp", "year": 2024, "value": 1}),
        )
        .await;
    assert_eq!(put.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(put.body["error"]["message"], "系统内部错误，请稍后再试或联系管理员");
}

// ---------------------------------------------------------------------------------------------
// Logins (issue 13, item 7): slowed down per account and address, as slow for a name that does not
// exist as for a wrong password, and checked outside any write.

/// `POST /login` as `name` with `password`, carrying a form token of its own making.
async fn try_login(base: &str, name: &str, password: &str, forwarded_for: Option<&str>) -> reqwest::Response {
    let mut req = browser()
        .post(format!("{base}/login"))
        .header(COOKIE, "zb_login=0123456789abcdef")
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form(&[("name", name), ("password", password), ("csrf", "0123456789abcdef")]));
    if let Some(address) = forwarded_for {
        req = req.header("x-forwarded-for", address);
    }
    req.send().await.unwrap()
}

/// The same database served again with other login throttle rules; `app.base` then names it.
async fn with_throttle(mut app: TestApp, account: ThrottleRules, address: ThrottleRules) -> TestApp {
    let state = zhibiao::app::AppState::new(app.pool.clone(), vec![], zhibiao::app::Limits::default());
    let router = zhibiao::startup::router(state).layer(axum::Extension(Arc::new(LoginThrottle::new(account, address))));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    app.base = format!("http://{}", listener.local_addr().unwrap());
    let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await });
    app
}

const SHORT: ThrottleRules = ThrottleRules {
    free_attempts: 3,
    first_lock: Duration::from_secs(2),
    longest_lock: Duration::from_secs(8),
    forget_after: Duration::from_secs(60),
};

const NEVER: ThrottleRules = ThrottleRules { free_attempts: u32::MAX, ..SHORT };

fn retry_after(resp: &reqwest::Response) -> Option<u64> {
    resp.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_and_the_right_one_is_then_refused() {
    let app = spawn_demo().await;
    app.with_password("jia", Role::Statistician, &["town-jia"]);
    for i in 0..5 {
        let resp = try_login(&app.base, "jia", "wrong-password", None).await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let resp = try_login(&app.base, "jia", PASSWORD, None).await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(set_cookie(&resp, "zb_session").is_none());
    let wait = retry_after(&resp).expect("Retry-After");
    assert!((59..=60).contains(&wait), "{wait}");
    let page = resp.text().await.unwrap();
    assert!(page.contains("登录尝试过于频繁，已暂时锁定，请 1 分钟后再试。"), "{page}");
    // the form on the page still works for later
    assert!(page.contains("name=\"csrf\""));
    let conn = app.pool.get().unwrap();
    let sessions: i64 = conn.query_row("SELECT count(*) FROM sessions", [], |r| r.get(0)).unwrap();
    assert_eq!(sessions, 0);
}

#[tokio::test]
async fn a_locked_account_signs_in_again_once_its_lock_has_ended_and_each_lock_is_longer() {
    let app = with_throttle(spawn_demo().await, SHORT, NEVER).await;
    app.with_password("jia", Role::Statistician, &["town-jia"]);
    for i in 0..3 {
        assert_eq!(try_login(&app.base, "jia", "wrong-password", None).await.status(), StatusCode::UNAUTHORIZED, "{i}");
    }
    let locked = try_login(&app.base, "jia", PASSWORD, None).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry_after(&locked), Some(2));
    assert!(locked.text().await.unwrap().contains("请 2 秒后再试"));
    // an unknown name is locked alike: the lock tells no one which names exist
    for i in 0..3 {
        assert_eq!(
            try_login(&app.base, "nobody", "wrong-password", None).await.status(),
            StatusCode::UNAUTHORIZED,
            "{i}"
        );
    }
    assert_eq!(try_login(&app.base, "nobody", "wrong-password", None).await.status(), StatusCode::TOO_MANY_REQUESTS);

    tokio::time::sleep(Duration::from_millis(2100)).await;
    // one more wrong attempt after the lock: the next lock is twice as long
    assert_eq!(try_login(&app.base, "jia", "wrong-password", None).await.status(), StatusCode::UNAUTHORIZED);
    let locked = try_login(&app.base, "jia", PASSWORD, None).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry_after(&locked), Some(4));
    tokio::time::sleep(Duration::from_millis(4100)).await;
    let signed_in = try_login(&app.base, "jia", PASSWORD, None).await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    assert!(set_cookie(&signed_in, "zb_session").is_some());
    // and a success forgets the attempts: three more are allowed
    for i in 0..3 {
        assert_eq!(try_login(&app.base, "jia", "wrong-password", None).await.status(), StatusCode::UNAUTHORIZED, "{i}");
    }
}

#[tokio::test]
async fn one_address_trying_many_names_is_locked_and_others_are_not() {
    let app = with_throttle(spawn_demo().await, NEVER, SHORT).await;
    app.with_password("jia", Role::Statistician, &["town-jia"]);
    // behind a proxy on this machine, the client is the last address of X-Forwarded-For
    let attacker = Some("203.0.113.9");
    for name in ["a", "b", "c"] {
        assert_eq!(try_login(&app.base, name, "guess-1234", attacker).await.status(), StatusCode::UNAUTHORIZED);
    }
    let locked = try_login(&app.base, "jia", PASSWORD, attacker).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    let elsewhere = try_login(&app.base, "jia", PASSWORD, Some("203.0.113.9, 198.51.100.20")).await;
    assert_eq!(elsewhere.status(), StatusCode::SEE_OTHER);
}

/// Median of the times in milliseconds.
fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

#[tokio::test]
async fn refusing_an_unknown_name_takes_as_long_as_refusing_a_wrong_password() {
    let app = with_throttle(spawn_demo().await, NEVER, NEVER).await;
    app.with_password("jia", Role::Statistician, &["town-jia"]);
    // a user without a password (tokens only) is refused as slowly too
    app.add_user("tools", Role::Viewer, &[]);
    let (mut known, mut unknown, mut passwordless) = (vec![], vec![], vec![]);
    for i in 0..20 {
        for (name, times) in [("jia", &mut known), ("nobody", &mut unknown), ("tools", &mut passwordless)] {
            let started = std::time::Instant::now();
            let resp = try_login(&app.base, name, &format!("wrong-{i}"), None).await;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{name}");
            assert!(resp.text().await.unwrap().contains("用户名或密码错误"));
        }
    }
    let (known, unknown, passwordless) = (median(known), median(unknown), median(passwordless));
    assert!(unknown >= 0.5 * known, "unknown name {unknown:.1} ms, wrong password {known:.1} ms");
    assert!(passwordless >= 0.5 * known, "no password {passwordless:.1} ms, wrong password {known:.1} ms");
}

#[tokio::test]
async fn a_failed_login_does_not_wait_for_the_write_lock() {
    let app = with_throttle(spawn_demo().await, NEVER, NEVER).await;
    app.with_password("jia", Role::Statistician, &["town-jia"]);
    // another writer holds the database's write lock for as long as the logins take
    let conn = app.pool.get().unwrap();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    let logins: Vec<_> = (0..4)
        .map(|i| {
            let base = app.base.clone();
            tokio::spawn(async move {
                tokio::time::timeout(Duration::from_secs(5), try_login(&base, "jia", &format!("wrong-{i}"), None)).await
            })
        })
        .collect();
    for login in logins {
        let resp = login.await.unwrap().expect("a failed login answered while another write held the lock");
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    }
    conn.execute_batch("ROLLBACK").unwrap();
    // with the lock free the right password signs in (its session is a short write)
    assert_eq!(try_login(&app.base, "jia", PASSWORD, None).await.status(), StatusCode::SEE_OTHER);
}

// ---------------------------------------------------------------------------------------------
// The bearer scheme in any case (item 11).

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let app = spawn_demo().await;
    let client = reqwest::Client::new();
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let resp = client
            .get(format!("{}/api/v1/regions", app.base))
            .header("authorization", format!("{scheme} {}", app.admin))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{scheme}");
    }
    for header in [format!("Basic {}", app.admin), format!("Bearer{}", app.admin), "bearer zb_0000".to_string()] {
        let resp =
            client.get(format!("{}/api/v1/regions", app.base)).header("authorization", &header).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{header}");
    }
}

// ---------------------------------------------------------------------------------------------
// Security headers and Secure cookies (item 12).

fn header<'a>(resp: &'a reqwest::Response, name: &str) -> &'a str {
    resp.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_else(|| panic!("no {name}"))
}

/// The headers every answer carries; the policy of the answer.
fn assert_security_headers(what: &str, resp: &reqwest::Response) -> String {
    assert_eq!(header(resp, "x-frame-options"), "DENY", "{what}");
    assert_eq!(header(resp, "x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header(resp, "referrer-policy"), "same-origin", "{what}");
    let policy = header(resp, "content-security-policy").to_string();
    assert!(policy.contains("frame-ancestors 'none'"), "{what}: {policy}");
    assert!(policy.contains("base-uri 'none'"), "{what}: {policy}");
    policy
}

#[tokio::test]
async fn every_answer_carries_a_content_security_policy_and_the_other_security_headers() {
    let app = spawn_demo().await;
    app.with_password("jia", Role::Statistician, &["town-jia"]);
    let s = app.sign_in("jia").await;
    let get = |path: &str, auth: Option<&str>| {
        let req = s.client.get(format!("{}{path}", app.base));
        match auth {
            Some("cookie") => req.header(COOKIE, &s.cookie),
            Some(token) => req.bearer_auth(token),
            None => req,
        }
    };
    let page_policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                       object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    let admin = app.admin.clone();
    for (what, req, status) in [
        ("the login page", get("/login", None), StatusCode::OK),
        ("a page", get("/entry?region=town-jia&period=2024Q1", Some("cookie")), StatusCode::OK),
        ("an API answer", get("/api/v1/regions", Some(&admin)), StatusCode::OK),
        ("an API error", get("/api/v1/regions", Some("zb_wrong")), StatusCode::UNAUTHORIZED),
        ("no such route", get("/nowhere", None), StatusCode::NOT_FOUND),
        ("the script", get("/static/app.js", None), StatusCode::OK),
        ("the style sheet", get("/static/app.css", None), StatusCode::OK),
    ] {
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), status, "{what}");
        assert_eq!(assert_security_headers(what, &resp), page_policy, "{what}");
    }
    // reports and charts are documents on their own: inline styles and SVG, still no script
    for path in ["/reports/bulletin/2023Q4.html", "/reports/assessment/2023.html"] {
        let resp = get(path, Some(&admin)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        let policy = assert_security_headers(path, &resp);
        assert_eq!(
            policy,
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
             base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        );
        let html = resp.text().await.unwrap();
        assert!(html.contains("<style>") && html.contains("<svg") && !html.contains("<script"), "{path}");
    }
    let chart = get("/charts/named/patent-applications-trend.svg", Some(&admin)).send().await.unwrap();
    assert_eq!(chart.status(), StatusCode::OK);
    assert!(assert_security_headers("a chart", &chart).starts_with("default-src 'none'; style-src 'unsafe-inline'"));
}

#[test]
fn the_pages_carry_no_inline_script_event_handler_or_style() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/web");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("html") {
            continue;
        }
        let html = std::fs::read_to_string(&path).unwrap().to_lowercase();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        for (at, _) in html.match_indices("<script") {
            let tag = &html[at..at + html[at..].find('>').unwrap()];
            assert!(tag.contains(" src="), "{name}: an inline script: {tag}");
        }
        for (at, _) in html.match_indices(" on") {
            let word: String = html[at + 1..].chars().take_while(|c| c.is_ascii_alphabetic()).collect();
            let after = &html[at + 1 + word.len()..];
            assert!(!(word.len() > 2 && after.starts_with('=')), "{name}: an inline handler {word}=");
        }
        assert!(!html.contains(" style="), "{name}: a style attribute");
        assert!(!html.contains("<style"), "{name}: a style element");
        checked += 1;
    }
    assert_eq!(checked, 21, "every page template");
}

#[tokio::test]
async fn secure_cookies_are_marked_secure_when_served_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("z.db");
    {
        let pool = zhibiao::store::open(&db).unwrap();
        let conn = pool.get().unwrap();
        zhibiao::engine::users::add(&conn, "test", "chief", Role::Admin, &[]).unwrap();
        zhibiao::engine::users::set_password(&conn, "test", "chief", PASSWORD).unwrap();
    }
    for (args, env, secure) in [
        (&["--secure-cookies"][..], &[][..], true),
        (&[][..], &[("ZHIBIAO_SECURE_COOKIES", "1")][..], true),
        (&[][..], &[][..], false),
        (&[][..], &[("ZHIBIAO_SECURE_COOKIES", "0")][..], false),
    ] {
        let args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
        let served = Served::start(dir.path(), &db, &args, env);
        let client = browser();
        let page = client.get(format!("{}/login", served.base)).send().await.unwrap();
        let login_cookie = set_cookie(&page, "zb_login").unwrap();
        let csrf = attribute_after(&page.text().await.unwrap(), "name=\"csrf\"", "value");
        let signed_in = client
            .post(format!("{}/login", served.base))
            .header(COOKIE, format!("zb_login={}", cookie_value(&login_cookie)))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form(&[("name", "chief"), ("password", PASSWORD), ("csrf", &csrf)]))
            .send()
            .await
            .unwrap();
        assert_eq!(signed_in.status(), StatusCode::SEE_OTHER, "{args:?} {env:?}");
        let session_cookie = set_cookie(&signed_in, "zb_session").unwrap();
        for cookie in [&login_cookie, &session_cookie] {
            let attributes: Vec<String> = cookie.split(';').map(|a| a.trim().to_ascii_lowercase()).collect();
            assert_eq!(attributes.contains(&"secure".to_string()), secure, "{args:?} {env:?}: {cookie}");
            assert!(attributes.contains(&"httponly".to_string()), "{cookie}");
        }
    }
}
