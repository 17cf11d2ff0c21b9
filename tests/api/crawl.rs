//! Every page as every role, over real HTTP on the demo: sign in as the bureau's admin, a town's
//! statistician, a viewer and an officer (科室干部); open every link of the navigation, then every link, image and GET
//! form the pages offer (first without a query, then with the queries the pages themselves make:
//! their links, and their forms as sent, once with each option of each list). Fails on any answer
//! ≥ 500, any 页面出错, a navigation page that is not a page, and any English word in
//! what a person reads: the text of pages and charts, with `title`, `alt` and
//! `placeholder`, and the `message` of error answers. Every problem is listed in one message.
//! `ZHIBIAO_CRAWL_LIST=1` prints every address fetched, with its status.

use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use serde_json::Value;
use zhibiao::domain::access::Role;

use crate::helpers::{TestApp, spawn_app, spawn_demo};

/// Fetches per role: the demo's pages with every option of their lists, and the admin's page of
/// each of the demo register's few hundred enterprises, come to about two thirds of it.
const MAX_FETCHES: usize = 1200;

/// Words that are not English prose, each for a reason: `R&D`, `GDP` are in the indicators' own
/// Chinese names; `Excel`, `JSON`, `CSV`, `XLSX`, `SVG`, `PNG` name file formats on download links;
/// `API` and `CSRF` are terms of the trade with no common Chinese rendering; `DHIS2` names a system;
/// `Bearer` and `Authorization` are the HTTP header's own words; `SHA-256` names the hash a
/// publication's JSON is checked by; `YYYY`, `YYYYQn`, `Qn` spell a
/// period format; `zhibiao` is the product's name. Codes (region ids, indicator codes), user
/// names, periods (`2023Q4`) and single capital letters (the symbols of a formula: 实际值 A) pass
/// on their own; so do the parameter names an error answer names in its `details`.
const ALLOWED: [&str; 19] = [
    "zhibiao",
    "R&D",
    "GDP",
    "Excel",
    "JSON",
    "CSV",
    "XLSX",
    "SVG",
    "PNG",
    "API",
    "CSRF",
    "DHIS2",
    "Bearer",
    "Authorization",
    "YYYY",
    "YYYYQn",
    "Qn",
    "UTF-8",
    "SHA-256",
];

struct Role3 {
    name: &'static str,
    role: Role,
    regions: &'static [&'static str],
}

const ROLES: [Role3; 4] = [
    Role3 { name: "admin", role: Role::Admin, regions: &[] },
    Role3 { name: "jia", role: Role::Statistician, regions: &["town-jia"] },
    Role3 { name: "leader", role: Role::Viewer, regions: &[] },
    Role3 { name: "gxk", role: Role::Officer, regions: &[] },
];

/// The departments the crawling officer acts for.
const OFFICER_DEPARTMENTS: [&str; 1] = ["高新技术科"];

const PASSWORD: &str = "crawl-secret-1";

#[tokio::test]
async fn every_page_and_chart_reachable_as_each_role_answers_in_chinese_without_a_server_error() {
    let app = spawn_demo().await;
    {
        let conn = app.pool.get().unwrap();
        for r in &ROLES {
            if r.role == Role::Officer {
                app.add_officer(r.name, &OFFICER_DEPARTMENTS);
            } else if r.name != "admin" {
                app.add_user(r.name, r.role, r.regions);
            }
            zhibiao::engine::users::set_password(&conn, "test", r.name, PASSWORD).unwrap();
        }
    }
    // a report published, so that 已发布报告 lists one with its links
    let published = app
        .send_json(
            reqwest::Method::POST,
            "/api/v1/publications",
            &app.admin,
            &serde_json::json!({"kind": "bulletin", "period": "2023Q4"}),
        )
        .await;
    assert_eq!(published.status, StatusCode::CREATED, "{}", published.body);
    let codes = known_codes(&app).await;
    // each problem once, with the roles that met it
    let mut problems: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    let mut counts = Vec::new();
    for r in &ROLES {
        let session = sign_in(&app, r.name, PASSWORD).await;
        let crawl = crawl(&app, &session, &codes).await;
        counts.push(format!(
            "{}: {} fetched{}, refused: {}",
            r.name,
            crawl.fetched,
            if crawl.capped { " (cap reached)" } else { "" },
            crawl.refused.join(" ")
        ));
        // a crawl that stopped at the cap did not see every page
        assert!(!crawl.capped, "{}: more than {MAX_FETCHES} addresses; raise the cap", r.name);
        for problem in crawl.problems {
            problems.entry(problem).or_default().push(r.name);
        }
    }
    println!("{}", counts.join("; "));
    let listed: Vec<String> = problems.iter().map(|(p, roles)| format!("[{}] {p}", roles.join(","))).collect();
    assert!(listed.is_empty(), "{} problems:\n{}", listed.len(), listed.join("\n"));
}

/// Region ids, indicator codes and user names, which pages may show as they are.
async fn known_codes(app: &TestApp) -> HashSet<String> {
    let mut codes: HashSet<String> = ROLES.iter().map(|r| r.name.to_string()).collect();
    // the demo is loaded as `demo`; tests add users as `test`
    codes.extend(["demo".to_string(), "test".to_string()]);
    // the users, and whoever the audit log says acted (the demo's officer files its progress
    // reports under its name)
    let conn = app.pool.get().unwrap();
    // and the enterprises' 统一社会信用代码, which the register's pages show as they are, and the
    // hashes of the publications
    let mut users = conn
        .prepare(
            "SELECT name FROM users UNION SELECT user FROM audit UNION SELECT code FROM enterprises \
             UNION SELECT sha256 FROM publications",
        )
        .unwrap();
    codes.extend(users.query_map([], |row| row.get::<_, String>(0)).unwrap().map(Result::unwrap));
    drop(users);
    drop(conn);
    for (path, key) in [("/api/v1/regions", "id"), ("/api/v1/indicators", "code")] {
        let answer = app.get_as_admin(path).await;
        for item in answer.body.as_array().expect("a list") {
            codes.insert(item[key].as_str().unwrap().to_string());
        }
    }
    codes
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// The first `name=value` of the `Set-Cookie` headers for `name`.
fn cookie(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").to_string())
        .find(|c| c.starts_with(&format!("{name}=")))
}

/// Signs in through the login form; the answer is the `Cookie` header of the session.
pub(crate) async fn sign_in(app: &TestApp, name: &str, password: &str) -> String {
    let client = no_redirects();
    let form = client.get(format!("{}/login", app.base)).send().await.unwrap();
    let login_cookie = cookie(&form, "zb_login").expect("the login form sets its cookie");
    let html = form.text().await.unwrap();
    let csrf = tags(&html)
        .into_iter()
        .find(|t| t.name == "input" && t.attr("name") == Some("csrf"))
        .and_then(|t| t.attr("value").map(str::to_string))
        .expect("the login form carries its token");
    let signed_in = client
        .post(format!("{}/login", app.base))
        .header(COOKIE, login_cookie)
        .form(&[("name", name), ("password", password), ("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER, "{name} signs in");
    cookie(&signed_in, "zb_session").expect("a session cookie")
}

struct Crawl {
    fetched: usize,
    capped: bool,
    problems: Vec<String>,
    /// 4xx answers to addresses no page offers as such (a chart's address without its query)
    refused: Vec<String>,
}

/// Breadth first from the dashboard: addresses without a query before those with one.
async fn crawl(app: &TestApp, session: &str, codes: &HashSet<String>) -> Crawl {
    let client = no_redirects();
    let mut seen: HashSet<String> = HashSet::new();
    let mut plain: VecDeque<String> = VecDeque::new();
    let mut queried: VecDeque<String> = VecDeque::new();
    let mut problems = Vec::new();
    let mut refused = Vec::new();
    let mut fetched = 0;
    // what pages offer as it is (links, images, forms as sent), unlike the bare addresses tried
    let mut offered: HashSet<String> = HashSet::new();
    let mut forms: HashSet<String> = HashSet::new();
    let enqueue =
        |url: String, seen: &mut HashSet<String>, plain: &mut VecDeque<String>, queried: &mut VecDeque<String>| {
            // the bare address of a link with a query comes first
            if let Some((path, _)) = url.split_once('?')
                && seen.insert(path.to_string())
            {
                plain.push_back(path.to_string());
            }
            if seen.insert(url.clone()) {
                if url.contains('?') { queried.push_back(url) } else { plain.push_back(url) }
            }
        };

    // The navigation, each link opened with no query, answers a page.
    // (the dashboard's own answer is checked with the other pages below)
    let home = client.get(format!("{}/", app.base)).header(COOKIE, session).send().await.unwrap();
    let home = home.text().await.unwrap();
    let nav = navigation(&home);
    assert!(nav.len() >= 6, "the navigation has its links: {nav:?}");
    for link in nav {
        offered.insert(link.clone());
        enqueue(link, &mut seen, &mut plain, &mut queried);
    }
    let nav_links: BTreeSet<String> = plain.iter().cloned().collect();
    enqueue("/".into(), &mut seen, &mut plain, &mut queried);

    let mut capped = false;
    while let Some(url) = plain.pop_front().or_else(|| queried.pop_front()) {
        if fetched == MAX_FETCHES {
            capped = true;
            break;
        }
        fetched += 1;
        let resp = client.get(format!("{}{url}", app.base)).header(COOKIE, session).send().await.unwrap();
        let status = resp.status();
        let content_type = resp.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let location = resp.headers().get(LOCATION).and_then(|v| v.to_str().ok()).map(str::to_string);
        let body = resp.bytes().await.unwrap();
        if std::env::var_os("ZHIBIAO_CRAWL_LIST").is_some() {
            println!("{} {url}", status.as_u16());
        }
        let text = without_comments(&String::from_utf8_lossy(&body));
        if status.is_server_error() {
            problems.push(format!("{url}: {status}: {}", clip(&text)));
        } else if status.is_client_error() && offered.contains(&url) {
            problems.push(format!("{url}: a page offers it, and it answers {status}: {}", clip(&text)));
        } else if status.is_client_error() {
            refused.push(format!("{url} {}", status.as_u16()));
        }
        if nav_links.contains(&url) && (status != StatusCode::OK || !content_type.starts_with("text/html")) {
            problems
                .push(format!("{url}: a link of the navigation answers {status} ({content_type}): {}", clip(&text)));
        }
        if let Some(to) = location.and_then(|l| same_origin(&l, &url)) {
            enqueue(to, &mut seen, &mut plain, &mut queried);
        }
        if text.contains("页面出错") {
            problems.push(format!("{url}: 页面出错"));
        }
        if content_type.starts_with("text/html") {
            let tags = tags(&text);
            for word in english(&visible_text(&text, &tags), codes) {
                problems.push(format!("{url}: English in the page: {word}"));
            }
            for (next, as_offered) in targets(&tags, &url, &mut forms) {
                if as_offered {
                    offered.insert(next.clone());
                }
                enqueue(next, &mut seen, &mut plain, &mut queried);
            }
        } else if content_type.starts_with("image/svg") {
            for word in english(&visible_text(&text, &tags(&text)), codes) {
                problems.push(format!("{url}: English in the chart: {word}"));
            }
        } else if content_type.starts_with("application/json") && !status.is_success() {
            let error = serde_json::from_slice::<Value>(&body).unwrap_or_default();
            let message = error["error"]["message"].as_str().unwrap_or("");
            let mut names = codes.clone();
            let details = error["error"]["details"].as_array().into_iter().flatten();
            names.extend(details.filter_map(|d| d["field"].as_str()).map(str::to_string));
            for word in english(message, &names) {
                problems.push(format!("{url}: English in the error message ({status}): {word}"));
            }
        }
    }
    Crawl { fetched, capped, problems, refused }
}

fn clip(text: &str) -> String {
    text.chars().take(300).collect()
}

/// A tag's name and attributes, as written (entities in values decoded).
#[derive(Debug)]
struct Tag {
    name: String,
    closing: bool,
    attrs: Vec<(String, String)>,
    /// where the tag ends in the page
    end: usize,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn has(&self, name: &str) -> bool {
        self.attrs.iter().any(|(n, _)| n == name)
    }
}

/// A page without its `<!-- comments -->`, which no reader sees.
fn without_comments(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        rest = rest[start..].find("-->").map_or("", |end| &rest[start + end + 3..]);
    }
    out.push_str(rest);
    out
}

/// The tags of a comment-less page in order, skipping what scripts and styles hold.
fn tags(html: &str) -> Vec<Tag> {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(open) = html[i..].find('<').map(|p| p + i) {
        let mut j = open + 1;
        let closing = bytes.get(j) == Some(&b'/');
        if closing {
            j += 1;
        }
        let name_start = j;
        while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'-') {
            j += 1;
        }
        if j == name_start {
            i = open + 1;
            continue;
        }
        let name = html[name_start..j].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while j < bytes.len() && (bytes[j].is_ascii_whitespace() || bytes[j] == b'/') {
                j += 1;
            }
            if j >= bytes.len() || bytes[j] == b'>' {
                break;
            }
            let a = j;
            while j < bytes.len() && !bytes[j].is_ascii_whitespace() && !b"=>/".contains(&bytes[j]) {
                j += 1;
            }
            let attr = html[a..j].to_ascii_lowercase();
            let mut value = String::new();
            if bytes.get(j) == Some(&b'=') {
                j += 1;
                match bytes.get(j) {
                    Some(&q) if q == b'"' || q == b'\'' => {
                        let end = html[j + 1..].find(q as char).map_or(html.len(), |p| j + 1 + p);
                        value = decode(&html[j + 1..end]);
                        j = end + 1;
                    }
                    _ => {
                        let v = j;
                        while j < bytes.len() && !bytes[j].is_ascii_whitespace() && bytes[j] != b'>' {
                            j += 1;
                        }
                        value = decode(&html[v..j]);
                    }
                }
            }
            if attr.is_empty() {
                j += 1;
            } else {
                attrs.push((attr, value));
            }
        }
        let end = (j + 1).min(html.len());
        i = end;
        if !closing && (name == "script" || name == "style") {
            i = html[end..].find(&format!("</{name}")).map_or(html.len(), |p| end + p);
        }
        out.push(Tag { name, closing, attrs, end });
    }
    out
}

fn decode(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&#x2F;", "/")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

/// What a reader sees: the text between tags (not in scripts or styles), and the `title`, `alt`
/// and `placeholder` of tags.
fn visible_text(html: &str, tags: &[Tag]) -> String {
    let mut out = String::new();
    for (k, tag) in tags.iter().enumerate() {
        for attr in ["title", "alt", "placeholder"] {
            if let Some(v) = tag.attr(attr) {
                out.push_str(v);
                out.push('\n');
            }
        }
        if !tag.closing && (tag.name == "script" || tag.name == "style") {
            continue;
        }
        let from = tag.end;
        let to = tags.get(k + 1).map_or(html.len(), |next| {
            // the text up to the next tag's '<'
            html[..next.end].rfind('<').unwrap_or(next.end)
        });
        if from < to {
            out.push_str(&decode(&html[from..to]));
            out.push('\n');
        }
    }
    out
}

/// The words of `text` that are English: runs of ASCII letters (with digits, `&`, `_`, `-`, `.`)
/// that are not codes, periods or on the allow-list; each with a little of its context.
fn english(text: &str, codes: &HashSet<String>) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let is_word = |c: char| c.is_ascii_alphanumeric() || "&_-.".contains(c);
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !is_word(chars[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_word(chars[i]) {
            i += 1;
        }
        let word: String = chars[start..i].iter().collect();
        let word = word.trim_matches(|c| "&_-.".contains(c));
        if !word.chars().any(|c| c.is_ascii_alphabetic()) || acceptable(word, codes) {
            continue;
        }
        let context: String = chars[start.saturating_sub(15)..(i + 15).min(chars.len())].iter().collect();
        out.push(format!("“{word}” in “{}”", context.split_whitespace().collect::<Vec<_>>().join(" ")));
    }
    out
}

fn acceptable(word: &str, codes: &HashSet<String>) -> bool {
    if ALLOWED.contains(&word) || codes.contains(word) {
        return true;
    }
    if word.len() == 1 && word.chars().all(|c| c.is_ascii_uppercase()) {
        return true;
    }
    // a period: 2023, 2023Q4
    let period = word.split_once('Q').is_some_and(|(y, q)| {
        y.len() == 4
            && y.chars().all(|c| c.is_ascii_digit())
            && q.len() == 1
            && ('1'..='4').contains(&q.chars().next().unwrap())
    });
    // a file of a period or a chart: 2023Q4.xlsx
    let file = word.rsplit_once('.').is_some_and(|(stem, ext)| {
        ["xlsx", "json", "html", "svg", "png", "csv"].contains(&ext) && acceptable(stem, codes)
    });
    period || file
}

/// The links of the page's `<nav>`.
fn navigation(html: &str) -> Vec<String> {
    let tags = tags(html);
    let start = tags.iter().position(|t| t.name == "nav" && !t.closing).expect("a <nav>");
    tags[start..]
        .iter()
        .take_while(|t| !(t.name == "nav" && t.closing))
        .filter(|t| t.name == "a")
        .filter_map(|t| t.attr("href").and_then(|h| same_origin(h, "/")))
        .collect()
}

/// A same-origin address as a path with its query, fragment dropped; `None` for other origins,
/// `javascript:` and the like.
fn same_origin(href: &str, page: &str) -> Option<String> {
    let href = href.split('#').next().unwrap_or("").trim();
    if href.is_empty() {
        return None;
    }
    if href.starts_with('/') && !href.starts_with("//") {
        return Some(href.to_string());
    }
    if href.contains(':') || href.starts_with("//") {
        return None;
    }
    // relative to the page's folder
    let folder = page.split('?').next().unwrap_or("/");
    let folder = &folder[..folder.rfind('/').map_or(0, |p| p + 1)];
    Some(format!("{folder}{href}"))
}

/// Where a page leads: its links, images, stylesheets and scripts, and its GET forms as sent by
/// default and once with each option of each of their lists; each with whether the page offers it
/// as it is (not so a form's bare action). A form already tried (the same action and fields, as
/// on the page each of its answers shows again) is sent as it is only.
fn targets(tags: &[Tag], page: &str, forms: &mut HashSet<String>) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for (k, tag) in tags.iter().enumerate() {
        if tag.closing {
            continue;
        }
        let link = match tag.name.as_str() {
            "a" | "link" => tag.attr("href"),
            "img" | "script" => tag.attr("src"),
            _ => None,
        };
        if let Some(to) = link.and_then(|h| same_origin(h, page)) {
            out.push((to, true));
        }
        if tag.name == "form" && tag.attr("method").is_none_or(|m| m.eq_ignore_ascii_case("get")) {
            let action = tag.attr("action").unwrap_or(page.split('?').next().unwrap_or(page));
            let Some(action) = same_origin(action, page) else { continue };
            let fields = form_fields(&tags[k + 1..]);
            out.push((action.clone(), false));
            let defaults: Vec<(String, String)> = fields.iter().map(|f| (f.name.clone(), f.default.clone())).collect();
            out.push((with_query(&action, &defaults), true));
            let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
            if !forms.insert(format!("{action} {}", names.join(" "))) {
                continue;
            }
            for (i, field) in fields.iter().enumerate() {
                for option in &field.options {
                    let mut query = defaults.clone();
                    query[i].1 = option.clone();
                    out.push((with_query(&action, &query), true));
                }
            }
        }
    }
    out
}

struct Field {
    name: String,
    default: String,
    /// the values of a `<select>`'s options
    options: Vec<String>,
}

/// The named fields of a form up to its `</form>`, with the values the browser would send.
fn form_fields(tags: &[Tag]) -> Vec<Field> {
    let mut fields: Vec<Field> = Vec::new();
    let mut select: Option<usize> = None;
    for tag in tags {
        match (tag.name.as_str(), tag.closing) {
            ("form", true) => break,
            ("input", false) => {
                let kind = tag.attr("type").unwrap_or("text");
                if ["submit", "button", "reset", "image", "file"].contains(&kind)
                    || (["checkbox", "radio"].contains(&kind) && !tag.has("checked"))
                {
                    continue;
                }
                if let Some(name) = tag.attr("name") {
                    let default = tag.attr("value").unwrap_or(if kind == "checkbox" { "on" } else { "" });
                    fields.push(Field { name: name.into(), default: default.into(), options: vec![] });
                }
            }
            ("select", false) => {
                select = tag.attr("name").map(|name| {
                    fields.push(Field { name: name.into(), default: String::new(), options: vec![] });
                    fields.len() - 1
                });
            }
            ("select", true) => select = None,
            ("option", false) => {
                if let (Some(i), Some(value)) = (select, tag.attr("value")) {
                    let field = &mut fields[i];
                    if field.options.is_empty() || tag.has("selected") {
                        field.default = value.to_string();
                    }
                    field.options.push(value.to_string());
                }
            }
            _ => {}
        }
    }
    fields
}

fn with_query(action: &str, fields: &[(String, String)]) -> String {
    let query: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
    let path = action.split('?').next().unwrap_or(action);
    if query.is_empty() { path.to_string() } else { format!("{path}?{query}") }
}

#[test]
fn the_crawler_reads_pages_as_a_browser_does_and_flags_english_but_not_codes() {
    let html = r#"<html><head><title>目标 · 指标</title><style>body { color: red }</style>
        <script>const status = "submitted";</script></head><body>
        <nav><a href="/">首页</a><a href="/targets">目标</a><a href="https://example.org/x">外部</a></nav>
        <!-- a comment in English -->
        <p title="split from district">R&amp;D经费支出 town-jia 2023Q4 2023Q4.xlsx Excel</p>
        <form method="get" action="/audit"><select name="region"><option value="">全部</option>
          <option value="town-jia" selected>甲镇</option></select><input name="period" value="2023">
          <button>查询</button></form>
        <form method="post" action="/logout"><input name="csrf" value="x"></form>
        <img src="/charts/a.svg?year=2023&amp;x=1" alt="proportional to 2022"></body></html>"#;
    let html = &without_comments(html);
    let tags = tags(html);
    assert_eq!(navigation(html), ["/", "/targets"]);
    let codes: HashSet<String> = ["town-jia".to_string()].into();
    let text = visible_text(html, &tags);
    assert!(!text.contains("color") && !text.contains("submitted") && !text.contains("comment"), "{text}");
    let words: Vec<String> = english(&text, &codes).iter().map(|w| w.split('”').next().unwrap().to_string()).collect();
    assert_eq!(words, ["“split", "“from", "“district", "“proportional", "“to"]);
    assert_eq!(
        targets(&tags, "/targets", &mut HashSet::new()),
        [
            ("/".to_string(), true),
            ("/targets".into(), true),
            ("/audit".into(), false),
            ("/audit?region=town-jia&period=2023".into(), true),
            ("/audit?region=&period=2023".into(), true),
            ("/audit?region=town-jia&period=2023".into(), true),
            ("/charts/a.svg?year=2023&x=1".into(), true),
        ]
    );
}

#[tokio::test]
async fn a_fresh_database_without_regions_still_answers_every_page_of_the_navigation() {
    let app = spawn_app().await;
    {
        let conn = app.pool.get().unwrap();
        zhibiao::engine::users::set_password(&conn, "test", "admin", PASSWORD).unwrap();
    }
    let session = sign_in(&app, "admin", PASSWORD).await;
    let crawl = crawl(&app, &session, &known_codes(&app).await).await;
    assert!(crawl.problems.is_empty(), "{} problems:\n{}", crawl.problems.len(), crawl.problems.join("\n"));
}

#[tokio::test]
async fn an_officer_in_the_browser_sees_its_role_every_page_of_the_navigation_and_no_entry_form() {
    use fantoccini::Locator;
    let app = spawn_demo().await;
    app.add_officer("gxk", &OFFICER_DEPARTMENTS);
    {
        let conn = app.pool.get().unwrap();
        zhibiao::engine::users::set_password(&conn, "test", "gxk", PASSWORD).unwrap();
    }
    let driver = crate::browser::chromedriver().await;
    let profile = tempfile::tempdir().unwrap();
    let c = crate::browser::browser(&driver, profile.path()).await;
    crate::browser::sign_in(&c, &app.base, "gxk", PASSWORD).await;
    let who = c.find(Locator::Css("header.top form.who span")).await.unwrap().text().await.unwrap();
    assert_eq!(who, "gxk（科室干部）");
    let mut nav = Vec::new();
    for link in c.find_all(Locator::Css("header.top nav a")).await.unwrap() {
        nav.push(link.attr("href").await.unwrap().unwrap_or_default());
    }
    assert!(!nav.iter().any(|href| href.ends_with("/entry")), "no entry form for officers: {nav:?}");
    assert!(nav.len() >= 6, "{nav:?}");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    for href in &nav {
        let path = same_origin(href, "/").expect("a link of the site");
        c.goto(&format!("{}{path}", app.base)).await.unwrap();
        let title = c.find(Locator::Css("main h1")).await.unwrap().text().await.unwrap();
        assert!(!title.is_empty() && title != "页面出错", "{path}: {title}");
        let name = path.trim_matches('/').split(['/', '?']).next().filter(|n| !n.is_empty()).unwrap_or("home");
        std::fs::write(dir.join(format!("officer-{name}.png")), c.screenshot().await.unwrap()).unwrap();
    }
    c.close().await.unwrap();
}
