//! The register's pages (企业库, an enterprise, 三个零), the lists' workbook and the chart of the
//! three zeros, as the bureau's admin, 甲镇's statistician, a viewer and an officer: over HTTP with
//! a session, and in a real browser (screenshots in target/screenshots/). The entry form shows
//! register indicators read-only with the list behind them.

use std::io::Cursor;
use std::time::Duration;

use calamine::{Data, Reader};
use fantoccini::Locator;
use reqwest::header::COOKIE;
use reqwest::{Method, StatusCode};
use roxmltree::Document;
use serde_json::{Value, json};
use zhibiao::charts::model::{Body, Chart, ThreeZeroCounts, ZeroCounts};
use zhibiao::domain::access::Role;
use zhibiao::domain::enterprise::CreditCode;

use crate::helpers::{TestApp, spawn_app};

const PASSWORD: &str = "register-secret-1";

/// Codes with a right check character, made from a running number.
fn code(n: u32) -> String {
    const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    let body = format!("91320500{n:09}");
    (0..31)
        .map(|i| format!("{body}{}", &ALPHABET[i..=i]))
        .find_map(|c| CreditCode::parse(&c).ok())
        .expect("one check character fits")
        .to_string()
}

fn attributes(year: i32, flags: &str) -> Value {
    json!({"year": year, "scale": flags.contains('s'), "high_tech": flags.contains('h'),
           "sales_over_100m": flags.contains('b'), "major_project": flags.contains('m')})
}

/// The small world with a register (as tests/api/register.rs's): 甲镇 企业1–3, 乙镇 企业4–5, 丙镇
/// none; patent figures of 2023Q4 and 2024Q1; register indicators for 销售超亿元 and each of the
/// three zeros, 规模企业零专利 with a 2024 target of 0 for 全区; users `admin`, `a-stat` (甲镇),
/// `leader` (viewer) and `gxk` (officer), each with [`PASSWORD`].
async fn with_register() -> TestApp {
    let app = spawn_app().await.with_small_world().await;
    for (code, name, rule) in [
        ("big_firms", "销售超亿元企业数（企业库）", json!({"count": true, "where": ["sales_over_100m"]})),
        ("scale_zero_patents", "规模企业零专利", json!({"count": true, "where": ["scale", "zero:valid_patents"]})),
        (
            "high_tech_zero_applications",
            "高新企业年度专利零申请",
            json!({"count": true, "where": ["high_tech", "zero:patent_applications"]}),
        ),
    ] {
        let direction = if code.contains("zero") { "lower" } else { "higher" };
        let body = json!({"code": code, "name": name, "unit": "家", "mode": "register", "rule": rule,
                          "direction": direction});
        let answer = app.post_indicator(body).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    }
    let tech_centre = json!({"kind": "tech_center", "level": "provincial", "name": "省级企业技术中心", "since": 2020});
    let station = json!({"kind": "graduate_station", "level": "municipal", "since": 2024});
    let register = [
        (1, "town-a", vec![attributes(2023, "sb")], vec![tech_centre]),
        (2, "town-a", vec![attributes(2023, "sb")], vec![]),
        (3, "town-a", vec![attributes(2023, "b")], vec![]),
        (4, "town-b", vec![attributes(2023, "sbh")], vec![station]),
        (5, "town-b", vec![attributes(2023, "s"), attributes(2024, "sb")], vec![]),
    ];
    for (n, region, years, institutions) in register {
        let body = json!({"name": format!("企业{n}"), "region": region, "years": years, "institutions": institutions});
        let put = app.send_json(Method::PUT, &format!("/api/v1/enterprises/{}", code(n)), &app.admin, &body).await;
        assert_eq!(put.status, StatusCode::CREATED, "{}", put.body);
    }
    let patents = |applications: u32, valid: u32| json!([{"measure": "patent_applications", "value": applications}, {"measure": "valid_patents", "value": valid}]);
    for (n, period, values) in [
        (1, "2023Q4", patents(12, 40)),
        (2, "2023Q4", patents(0, 0)),
        (4, "2023Q4", patents(3, 5)),
        (4, "2024Q1", patents(1, 6)),
    ] {
        let body = json!({"period": period, "values": values});
        let put =
            app.send_json(Method::PUT, &format!("/api/v1/enterprises/{}/values", code(n)), &app.admin, &body).await;
        assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    }
    let target = json!({"region": "district", "indicator": "scale_zero_patents", "year": 2024, "value": 0.0});
    assert_eq!(app.send_json(Method::PUT, "/api/v1/targets", &app.admin, &target).await.status, StatusCode::OK);
    app.add_user("a-stat", Role::Statistician, &["town-a"]);
    app.add_user("leader", Role::Viewer, &[]);
    app.add_officer("gxk", &["高新技术科"]);
    let conn = app.pool.get().unwrap();
    for name in ["admin", "a-stat", "leader", "gxk"] {
        zhibiao::engine::users::set_password(&conn, "test", name, PASSWORD).unwrap();
    }
    drop(conn);
    app
}

async fn page(app: &TestApp, session: &str, path: &str) -> (StatusCode, String) {
    let resp = app.client.get(format!("{}{path}", app.base)).header(COOKIE, session).send().await.unwrap();
    (resp.status(), resp.text().await.unwrap())
}

async fn bytes(app: &TestApp, token: &str, path: &str) -> (StatusCode, Vec<u8>) {
    let resp = app.client.get(format!("{}{path}", app.base)).bearer_auth(token).send().await.unwrap();
    (resp.status(), resp.bytes().await.unwrap().to_vec())
}

fn nav(html: &str) -> Vec<String> {
    let start = html.find("<nav>").unwrap();
    let nav = &html[start..start + html[start..].find("</nav>").unwrap()];
    nav.match_indices("href=\"")
        .map(|(at, _)| nav[at + 6..at + 6 + nav[at + 6..].find('"').unwrap()].to_string())
        .collect()
}

/// The text of the element with `id` up to its closing tag `</tag>`.
fn element<'a>(html: &'a str, tag: &str, id: &str) -> &'a str {
    let at = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id}: {html}"));
    let end = html[at..].find(&format!("</{tag}>")).unwrap_or_else(|| panic!("#{id} is not closed"));
    &html[at..at + end]
}

/// The enterprise names of the rows of a table (`<td>企业N</td>`), in order.
fn names(html: &str) -> Vec<String> {
    html.match_indices("<td>企业")
        .map(|(at, _)| {
            let rest = &html[at + 4..];
            rest[..rest.find("</td>").unwrap()].to_string()
        })
        .collect()
}

#[tokio::test]
async fn the_register_is_listed_to_admins_and_the_town_s_statistician_and_confidential_to_others() {
    let app = with_register().await;
    let admin = crate::crawl::sign_in(&app, "admin", PASSWORD).await;
    let (status, list) = page(&app, &admin, "/enterprises").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert!(nav(&list).contains(&"/enterprises".to_string()) && nav(&list).contains(&"/three-zeros".to_string()));
    assert_eq!(names(element(&list, "table", "enterprises")), ["企业1", "企业2", "企业3", "企业4", "企业5"]);
    assert!(list.contains(&format!("<a href=\"/enterprises/{}\">{}</a>", code(1), code(1))), "{list}");
    assert!(list.contains("全部地区登记企业 5 家。企业类型和研发机构按2024年"), "{list}");
    // 企业4: the 2023 attributes hold in 2024, its station counts from 2024
    let four = &list[list.find(&format!("data-code=\"{}\"", code(4))).unwrap()..];
    let four = &four[..four.find("</tr>").unwrap()];
    for shown in ["<span class=\"badge\">规模以上</span>", "高新技术企业", "销售超亿元", "市级研究生工作站（2024年起）"]
    {
        assert!(four.contains(shown), "{shown}: {four}");
    }
    assert!(!four.contains("重大项目企业"), "{four}");
    // (query, enterprises listed, summary)
    for (query, want, summary) in [
        ("?flag=high_tech", vec!["企业4"], "全部地区登记企业 5 家，其中高新技术企业 1 家。"),
        ("?flag=not:has_rd_institution", vec!["企业2", "企业3", "企业5"], "其中无研发机构 3 家。"),
        ("?flag=has_rd_institution", vec!["企业1", "企业4"], "其中有研发机构 2 家。"),
        ("?flag=scale&region=town-b", vec!["企业4", "企业5"], "乙镇登记企业 2 家，其中规模以上 2 家。"),
        ("?region=town-a", vec!["企业1", "企业2", "企业3"], "甲镇登记企业 3 家。"),
        ("?flag=major_project", vec![], "其中重大项目企业 0 家。"),
    ] {
        let (status, html) = page(&app, &admin, &format!("/enterprises{query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}: {html}");
        let listed = if want.is_empty() { vec![] } else { names(element(&html, "table", "enterprises")) };
        assert_eq!(listed, want, "{query}");
        assert!(element(&html, "p", "summary").contains(summary), "{query}: {}", element(&html, "p", "summary"));
    }
    let (_, none) = page(&app, &admin, "/enterprises?flag=major_project").await;
    assert!(none.contains("没有符合条件的企业。"), "{none}");
    // a filter that is not one is as if not given, and said so
    let (status, wrong) = page(&app, &admin, "/enterprises?flag=big&region=nowhere").await;
    assert_eq!(status, StatusCode::OK, "{wrong}");
    assert!(
        wrong.contains("“nowhere”不是您可查看企业的地区，已显示全部。“big”不是企业类型，已显示全部企业。"),
        "{wrong}"
    );
    assert_eq!(names(element(&wrong, "table", "enterprises")).len(), 5);

    // 甲镇's statistician: the town's three, 甲镇 alone (or all of its) in the region list
    let jia = crate::crawl::sign_in(&app, "a-stat", PASSWORD).await;
    let (status, own) = page(&app, &jia, "/enterprises").await;
    assert_eq!(status, StatusCode::OK, "{own}");
    assert!(nav(&own).contains(&"/enterprises".to_string()));
    assert_eq!(names(element(&own, "table", "enterprises")), ["企业1", "企业2", "企业3"]);
    let select = element(&own, "select", "filters");
    assert!(select.contains("<option value=\"town-a\" >甲镇</option>") && !select.contains("乙镇"), "{select}");
    let (status, other) = page(&app, &jia, "/enterprises?region=town-b").await;
    assert_eq!(status, StatusCode::OK, "{other}");
    assert!(other.contains("“town-b”不是您可查看企业的地区"), "{other}");
    assert_eq!(names(element(&other, "table", "enterprises")), ["企业1", "企业2", "企业3"]);
    let (status, detail) = page(&app, &jia, &format!("/enterprises/{}", code(1))).await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    for shown in [
        "<h1>企业1</h1>",
        &format!("<span id=\"code\">{}</span>", code(1)),
        "<tr data-year=\"2023\"><td>2023年</td><td>是</td><td>否</td><td>是</td><td>否</td></tr>",
        "<td>企业技术中心</td><td>省级</td><td>省级企业技术中心</td><td>2020年至今</td>",
        "<th>报告期</th><th>专利申请量（件）</th><th>有效专利数（件）</th>",
        "<tr data-period=\"2023Q4\"><td>2023年四季度</td><td class=\"n\">12</td><td class=\"n\">40</td></tr>",
    ] {
        assert!(detail.contains(shown), "{shown}: {detail}");
    }
    let (status, forbidden) = page(&app, &jia, &format!("/enterprises/{}", code(4))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{forbidden}");
    assert!(forbidden.contains("只对管理员和所在地区的统计员开放"), "{forbidden}");
    let (status, html) = page(&app, &jia, &format!("/enterprises/{}", code(5))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{html}");
    let (status, html) = page(&app, &admin, &format!("/enterprises/{}", code(5))).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("id=\"no-institutions\"") && html.contains("id=\"no-figures\""), "{html}");
    let (status, html) = page(&app, &admin, "/enterprises/91350100M000100Y44").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("校验码不对（按前17位应为3）"), "{html}");
    let (status, html) = page(&app, &admin, "/enterprises/91350100M000100Y43").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{html}");
    assert!(html.contains("企业“91350100M000100Y43”未登记"), "{html}");

    // a viewer and an officer: a page that says the register is confidential, no link to it
    for name in ["leader", "gxk"] {
        let session = crate::crawl::sign_in(&app, name, PASSWORD).await;
        for path in ["/enterprises".to_string(), format!("/enterprises/{}", code(1))] {
            let (status, html) = page(&app, &session, &path).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{name} {path}: {html}");
            assert!(html.contains("属于保密的统计资料，只对管理员和所在地区的统计员开放"), "{name}: {html}");
            assert!(!html.contains("企业1"), "{name} {path}: a name leaked: {html}");
            let links = nav(&html);
            assert!(!links.contains(&"/enterprises".to_string()) && links.contains(&"/three-zeros".to_string()));
        }
    }
}

#[tokio::test]
async fn the_board_counts_for_everyone_names_for_those_who_may_see_and_shows_the_target_of_zero() {
    let app = with_register().await;
    let admin = crate::crawl::sign_in(&app, "admin", PASSWORD).await;
    // by default the latest quarter with enterprise figures, for the whole district
    let (status, board) = page(&app, &admin, "/three-zeros").await;
    assert_eq!(status, StatusCode::OK, "{board}");
    assert!(board.contains("<input name=\"period\" value=\"2024Q1\""), "{board}");
    assert!(element(&board, "p", "board-summary").contains("全区 · 2024年一季度 · 增减与2023年四季度相比"));
    let card = &board[board.find("id=\"lists\"").unwrap()..board.find("id=\"towns\"").unwrap()];
    // 规模企业零专利: 企业1, 企业2 and 企业5 (none of them recorded a valid patent in 2024Q1); 2023Q4: 企业2, 企业5
    assert!(
        card.contains("<b class=\"count\">3</b> 家（2023年四季度 2 家，+1）")
            && card.contains("年度目标：清零 · <span class=\"badge\">"),
        "{card}"
    );
    assert!(card.contains("<b class=\"count\">0</b> 家（2023年四季度 0 家，持平）"), "{card}");
    assert_eq!(card.matches("年度目标").count(), 1, "only 规模企业零专利 has a target: {card}");
    // the counts per town with the change since 2023Q4 (甲镇 1 → 2, 乙镇 1 → 1)
    let towns = element(&board, "table", "towns");
    for row in [
        "<tr data-region=\"town-a\"><td>甲镇</td><td class=\"n\">2</td><td class=\"n\">+1</td><td class=\"n\">0</td><td class=\"n\">持平</td><td class=\"n\">0</td><td class=\"n\">持平</td></tr>",
        "<tr data-region=\"town-b\"><td>乙镇</td><td class=\"n\">1</td><td class=\"n\">持平</td>",
        "<tr data-region=\"town-c\"><td>丙镇</td><td class=\"n\">0</td><td class=\"n\">持平</td>",
    ] {
        assert!(towns.contains(row), "{row}: {towns}");
    }
    // the chart inline, one bar per town, the legend of the three lists
    let svg = &board[board.find("<svg").unwrap()..board.find("</svg>").unwrap() + 6];
    let chart = Document::parse(svg).unwrap();
    let texts: Vec<&str> = chart.descendants().filter(|n| n.has_tag_name("text")).filter_map(|n| n.text()).collect();
    for t in ["2024年一季度全区各地区“三个零”企业数", "甲镇", "乙镇", "丙镇", "2家", "1家", "0家", "规模企业零专利"]
    {
        assert!(texts.iter().any(|x| x.trim() == t), "{t}: {texts:?}");
    }
    let list = element(&board, "div", "list-scale_zero_patents");
    assert_eq!(names(list), ["企业1", "企业2", "企业5"]);
    assert_eq!(list.matches("新增").count(), 1, "企业1 joined: {list}");
    assert!(board.contains("id=\"xlsx-link\"") && board.contains("/reports/three-zeros/2024Q1.xlsx?region=district"));
    assert!(!board.contains("id=\"confidential\""));

    // a quarter asked for: 2023Q4, compared with 2023Q3 (before any figure: 企业2 and 企业5 had none)
    let (_, q4) = page(&app, &admin, "/three-zeros?period=2023Q4&region=town-b").await;
    assert_eq!(names(element(&q4, "div", "list-scale_zero_patents")), ["企业5"]);
    assert!(q4.contains("乙镇 · 2023年四季度 · 增减与2023年三季度相比"), "{q4}");
    let (status, wrong) = page(&app, &admin, "/three-zeros?period=2024Q5&region=nowhere").await;
    assert_eq!(status, StatusCode::OK, "{wrong}");
    assert!(
        wrong.contains(
            "“nowhere”不是地区，已显示全区。“2024Q5”不是季度（应为 YYYYQn，如 2024Q1），已显示2024年一季度。"
        )
    );

    // 甲镇's statistician: the town's two by name, 乙镇's one counted only
    let jia = crate::crawl::sign_in(&app, "a-stat", PASSWORD).await;
    let (status, own) = page(&app, &jia, "/three-zeros?period=2024Q1").await;
    assert_eq!(status, StatusCode::OK, "{own}");
    let list = element(&own, "div", "list-scale_zero_patents");
    assert_eq!(names(list), ["企业1", "企业2"]);
    assert!(list.contains("另有 1 家企业不在您的查看范围内"), "{list}");
    assert!(own.contains("id=\"xlsx-link\""));
    let (_, other_town) = page(&app, &jia, "/three-zeros?period=2024Q1&region=town-b").await;
    assert!(!other_town.contains("id=\"xlsx-link\"") && other_town.contains("id=\"confidential\""));

    // a viewer and an officer: the counts, no names, no download
    for name in ["leader", "gxk"] {
        let session = crate::crawl::sign_in(&app, name, PASSWORD).await;
        let (status, html) = page(&app, &session, "/three-zeros").await;
        assert_eq!(status, StatusCode::OK, "{name}: {html}");
        assert!(html.contains("<b class=\"count\">3</b> 家"), "{name}: {html}");
        assert!(html.contains("id=\"confidential\"") && !html.contains("id=\"xlsx-link\""), "{name}");
        assert!(!html.contains("企业1") && !html.contains(&code(1)), "{name}: a name leaked");
    }
}

/// The rows of a sheet below its title and header rows, as texts.
fn sheet_rows(book: &[u8], sheet: &str) -> (String, Vec<Vec<String>>) {
    let mut workbook = calamine::Xlsx::new(Cursor::new(book)).unwrap();
    let range = workbook.worksheet_range(sheet).unwrap_or_else(|e| panic!("{sheet}: {e}"));
    let text = |c: &Data| match c {
        Data::Float(f) => format!("{f}"),
        Data::Int(i) => format!("{i}"),
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => format!("{other:?}"),
    };
    let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(text).collect()).collect();
    (rows[0][0].clone(), rows[2..].to_vec())
}

#[tokio::test]
async fn the_lists_workbook_has_a_sheet_per_list_and_a_summary_and_every_export_is_audited() {
    let app = with_register().await;
    let (status, book) = bytes(&app, &app.admin, "/reports/three-zeros/2024Q1.xlsx?region=district").await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&book));
    let workbook = calamine::Xlsx::new(Cursor::new(&book[..])).unwrap();
    assert_eq!(
        workbook.sheet_names(),
        ["汇总", "规模企业零专利", "高新企业年度专利零申请", "重大项目企业专利申请零户"]
    );
    let (title, summary) = sheet_rows(&book, "汇总");
    assert_eq!(title, "2024年一季度全区“三个零”企业名单");
    assert_eq!(
        summary,
        [
            ["甲镇", "2", "1", "0", "0", "0", "0"],
            ["乙镇", "1", "0", "0", "0", "0", "0"],
            ["丙镇", "0", "0", "0", "0", "0", "0"],
            ["全区合计", "3", "1", "0", "0", "0", "0"],
        ]
    );
    let (title, scale) = sheet_rows(&book, "规模企业零专利");
    assert_eq!(title, "2024年一季度全区“三个零”企业名单：规模企业零专利（共3家）");
    assert_eq!(
        scale,
        [
            [code(1), "企业1".into(), "甲镇".into(), "新增".into()],
            [code(2), "企业2".into(), "甲镇".into(), String::new()],
            [code(5), "企业5".into(), "乙镇".into(), String::new()]
        ]
    );
    let (_, empty) = sheet_rows(&book, "高新企业年度专利零申请");
    assert!(empty.is_empty(), "{empty:?}");

    // the town's statistician gets the town's enterprises; the others are counted, not named
    let jia = app.add_user("a-stat2", Role::Statistician, &["town-a"]);
    let (status, own) = bytes(&app, &jia, "/reports/three-zeros/2024Q1.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    let (title, scale) = sheet_rows(&own, "规模企业零专利");
    assert!(title.ends_with("（共3家，其中1家不在查看范围内，未列出）"), "{title}");
    assert_eq!(scale.iter().map(|r| r[1].as_str()).collect::<Vec<_>>(), ["企业1", "企业2"]);
    let (status, json) = bytes(&app, &jia, "/reports/three-zeros/2024Q1.json?region=town-a").await;
    assert_eq!(status, StatusCode::OK);
    let json: Value = serde_json::from_slice(&json).unwrap();
    assert_eq!((&json["lists"][0]["count"], &json["lists"][0]["hidden"]), (&json!(2), &json!(0)), "{json}");
    assert_eq!(json["towns"], json!([{"region": "town-a", "name": "甲镇", "counts": [2, 0, 0], "changes": [1, 0, 0]}]));

    // a list is confidential: viewers, officers and a statistician of another town get 403
    let viewer = app.add_user("leader2", Role::Viewer, &[]);
    let officer = app.add_officer("gxk2", &["高新技术科"]);
    let yi = app.add_user("b-stat", Role::Statistician, &["town-b"]);
    let before = crate::matrix::fingerprint(&app.pool);
    for (token, path) in [
        (&viewer, "/reports/three-zeros/2024Q1.xlsx"),
        (&viewer, "/reports/three-zeros/2024Q1.json"),
        (&officer, "/reports/three-zeros/2024Q1.xlsx?region=district"),
        (&yi, "/reports/three-zeros/2024Q1.xlsx?region=town-a"),
    ] {
        let answer = app.get(path, Some(token)).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{path}: {}", answer.body);
        assert!(answer.body["error"]["message"].as_str().unwrap().contains("只对管理员和所在地区的统计员开放"));
    }
    assert_eq!(crate::matrix::fingerprint(&app.pool), before, "a refused export is not audited");
    for (path, status) in [
        ("/reports/three-zeros/2024Q1.html", StatusCode::NOT_FOUND),
        ("/reports/three-zeros/2024.xlsx", StatusCode::UNPROCESSABLE_ENTITY),
        ("/reports/three-zeros/2024Q1.xlsx?region=nowhere", StatusCode::NOT_FOUND),
    ] {
        let answer = app.get_as_admin(path).await;
        assert_eq!(answer.status, status, "{path}: {}", answer.body);
    }

    // every export is in the log: who, which region, which period; what went out only for who may see it
    let exports = |log: Value| -> Vec<Value> {
        log.as_array().unwrap().iter().filter(|e| e["entity"] == "enterprise_list").cloned().collect()
    };
    let log = exports(app.get_as_admin("/api/v1/audit?limit=1000").await.body);
    let entries: Vec<(&str, &str, &str, &str)> = log
        .iter()
        .map(|e| {
            (
                e["user"].as_str().unwrap(),
                e["action"].as_str().unwrap(),
                e["region"].as_str().unwrap(),
                e["key"].as_str().unwrap(),
            )
        })
        .collect();
    let mut sorted = entries.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            ("a-stat2", "export", "district", "2024Q1"),
            ("a-stat2", "export", "town-a", "2024Q1"),
            ("admin", "export", "district", "2024Q1")
        ],
        "{log:?}"
    );
    let by_admin = log.iter().find(|e| e["user"] == "admin").unwrap();
    assert_eq!(by_admin["new"], json!({"format": "XLSX", "listed": 3}));
    // the audit page says it in Chinese
    let admin = crate::crawl::sign_in(&app, "admin", PASSWORD).await;
    let (_, audit) = page(&app, &admin, "/audit").await;
    assert!(audit.contains("导出") && audit.contains("企业名单：全区 · 2024年一季度"), "{audit}");
    assert!(audit.contains("格式：XLSX；列出企业（家）：3"), "{audit}");
    let seen = exports(app.get("/api/v1/audit?limit=1000", Some(&viewer)).await.body);
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(seen.iter().all(|e| e["new"].is_null()), "{seen:?}");
}

#[tokio::test]
async fn the_entry_form_shows_register_figures_read_only_with_their_list_and_the_template_never_asks_for_them() {
    let app = with_register().await;
    let jia = crate::crawl::sign_in(&app, "a-stat", PASSWORD).await;
    let (status, form) = page(&app, &jia, "/entry?region=town-a&period=2024Q1").await;
    assert_eq!(status, StatusCode::OK, "{form}");
    let computed = element(&form, "table", "computed");
    // 甲镇 in 2024Q1: three over 100m; 企业1 and 企业2 on 规模企业零专利; no high-tech enterprise
    for (code, value) in [("big_firms", "3"), ("scale_zero_patents", "2"), ("high_tech_zero_applications", "0")] {
        let row = &computed
            [computed.find(&format!("data-code=\"{code}\"")).unwrap_or_else(|| panic!("{code}: {computed}"))..];
        let row = &row[..row.find("</tr>").unwrap()];
        assert!(row.contains(&format!("<td class=\"n computed-value\">{value}</td>")), "{code}: {row}");
        assert!(row.contains("<a href=\"/enterprises?region=town-a\">查看企业</a>"), "{row}");
        assert!(!form.contains(&format!("name=\"v_{code}\"")), "{code} is never an input");
    }
    let inputs = element(&form, "form", "entry-form");
    assert!(!inputs.contains("企业库") && inputs.contains("name=\"v_gdp\""), "{inputs}");
    // the link leads to the list behind the number
    let (status, list) = page(&app, &jia, "/enterprises?region=town-a").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(names(element(&list, "table", "enterprises")), ["企业1", "企业2", "企业3"]);

    // a register figure sent as if typed is refused, naming it
    let csrf = {
        let meta = "<meta name=\"csrf\" content=\"";
        let rest = &form[form.find(meta).unwrap() + meta.len()..];
        rest[..rest.find('"').unwrap()].to_string()
    };
    let resp = app
        .client
        .post(format!("{}/entry", app.base))
        .header(COOKIE, &jia)
        .form(&[("csrf", csrf.as_str()), ("region", "town-a"), ("period", "2024Q1"), ("v_big_firms", "9")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains("由企业库统计得出，不能填报"), "{html}");
    assert!(html.contains("<td class=\"n computed-value\">3</td>"), "still 3: {html}");

    // the Excel template asks for the figures typed in, none of the register's
    let (status, template) = bytes(&app, &app.admin, "/templates/town-a/2024Q1.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    let mut workbook = calamine::Xlsx::new(Cursor::new(&template[..])).unwrap();
    let first = workbook.sheet_names()[0].clone();
    let cells: Vec<String> = workbook.worksheet_range(&first).unwrap().cells().map(|(_, _, c)| c.to_string()).collect();
    assert!(cells.iter().any(|c| c == "gdp" || c == "地区生产总值"), "{cells:?}");
    for register in ["big_firms", "销售超亿元企业数（企业库）", "scale_zero_patents", "规模企业零专利"]
    {
        assert!(!cells.iter().any(|c| c == register), "the template asks for {register}: {cells:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// The chart

/// `n` towns with 0 to 7 enterprises on each list, some with none at all.
fn towns(n: usize) -> Chart {
    let rows = (0..n)
        .map(|i| ZeroCounts {
            name: if i % 5 == 0 {
                format!("第{}高新技术产业开发区", i + 1)
            } else {
                format!("第{}镇", i + 1)
            },
            counts: if i % 6 == 3 { vec![0, 0, 0] } else { vec![i % 4, (i + 2) % 3, i % 8] },
        })
        .collect();
    Chart {
        title: "2024年一季度全区各地区“三个零”企业数".into(), body: Body::ThreeZeros(ThreeZeroCounts { rows })
    }
}

const LISTS: [(&str, &str); 3] =
    [("规模企业零专利", "#C8232D"), ("高新企业年度专利零申请", "#E6911E"), ("重大项目企业专利申请零户", "#1F62A5")];

/// (x, y, width, height) of the rectangles filled with `colour`.
fn rects(svg: &str, colour: &str) -> Vec<(f64, f64, f64, f64)> {
    let doc = Document::parse(svg).unwrap();
    let num = |n: &roxmltree::Node, a| n.attribute(a).unwrap().parse::<f64>().unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("rect") && n.attribute("fill") == Some(colour))
        .map(|n| (num(&n, "x"), num(&n, "y"), num(&n, "width"), num(&n, "height")))
        .collect()
}

/// The texts of the SVG with the boxes a viewer draws them in (CJK about 1 em wide, ASCII 0.55 em).
fn labels(svg: &str) -> Vec<(String, (f64, f64, f64, f64))> {
    let doc = Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| {
            let text = n.text().unwrap_or_default().trim().to_string();
            if text.is_empty() {
                return None;
            }
            assert!(n.attribute("transform").is_none(), "no text of this chart is turned: {text}");
            let num = |a: &str| n.attribute(a).unwrap_or("0").parse::<f64>().unwrap();
            let size = num("font-size");
            let width: f64 = text.chars().map(|c| if c.is_ascii() { 0.55 } else { 1.0 }).sum::<f64>() * size;
            let dy = n.attribute("dy").unwrap_or("0");
            let shift = if let Some(em) = dy.strip_suffix("em") {
                em.parse::<f64>().unwrap()
            } else if let Some(ex) = dy.strip_suffix("ex") {
                ex.parse::<f64>().unwrap() / 2.0
            } else {
                dy.parse::<f64>().unwrap() / size
            };
            let (x, baseline) = (num("x"), num("y") + shift * size);
            let (x0, x1) = match n.attribute("text-anchor").unwrap_or("start") {
                "middle" => (x - width / 2.0, x + width / 2.0),
                "end" => (x - width, x),
                _ => (x, x + width),
            };
            Some((text, (x0, baseline - 0.8 * size, x1, baseline + 0.2 * size)))
        })
        .collect()
}

fn overlap(a: (f64, f64, f64, f64), b: (f64, f64, f64, f64)) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

#[test]
fn one_nine_or_forty_towns_each_get_a_bar_of_their_three_lists_end_to_end_with_the_total_after_it() {
    for n in [1, 9, 40] {
        let chart = towns(n);
        let svg = zhibiao::charts::draw::svg(&chart).unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/charts-40");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("three-zeros-{n}.svg")), &svg).unwrap();
        let Body::ThreeZeros(model) = &chart.body else { unreachable!() };
        // the size: at least 26 px a row
        let doc = Document::parse(&svg).unwrap();
        let root = doc.root_element();
        let (width, height): (f64, f64) =
            (root.attribute("width").unwrap().parse().unwrap(), root.attribute("height").unwrap().parse().unwrap());
        assert!(height >= 26.0 * n as f64, "{n}: {height}");
        // texts inside the picture, none over another, none over the legend
        let labels = labels(&svg);
        for (text, b) in &labels {
            assert!(b.0 >= -0.5 && b.1 >= -0.5 && b.2 <= width + 0.5 && b.3 <= height + 0.5, "{n}: {text} outside");
        }
        for (i, a) in labels.iter().enumerate() {
            for b in &labels[i + 1..] {
                assert!(!overlap(a.1, b.1), "{n}: {a:?} overlaps {b:?}");
            }
        }
        let legend: Vec<&(String, (f64, f64, f64, f64))> =
            labels.iter().filter(|(t, _)| LISTS.iter().any(|(l, _)| l == t)).collect();
        assert_eq!(legend.len(), 3, "{n}: the legend names the three lists");
        for n in doc.descendants().filter(|n| n.is_element()) {
            for a in ["width", "height"] {
                if let Some(v) = n.attribute(a).and_then(|v| v.parse::<f64>().ok()) {
                    assert!(v >= 0.0, "<{} {a}=\"{v}\">", n.tag_name().name());
                }
            }
        }
        // one part per list a town has enterprises on, plus the legend's swatch of each list
        for (k, (list, colour)) in LISTS.iter().enumerate() {
            let parts = model.rows.iter().filter(|r| r.counts[k] > 0).count();
            assert_eq!(rects(&svg, colour).len(), parts + 1, "{n} towns, {list}");
        }
        let texts: Vec<&str> = labels.iter().map(|(t, _)| t.as_str()).collect();
        for r in &model.rows {
            let total: usize = r.counts.iter().sum();
            assert!(texts.contains(&format!("{total}家").as_str()), "{n}: {} has no total", r.name);
        }
        // the parts of the first town touch, each count as wide as any other
        let mut parts: Vec<(f64, f64, f64, f64)> =
            LISTS.iter().flat_map(|(_, c)| rects(&svg, c)).filter(|r| r.1 > 100.0).collect();
        parts.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.total_cmp(&b.0)));
        let first = &model.rows[0];
        let nonzero: Vec<usize> = first.counts.iter().copied().filter(|c| *c > 0).collect();
        let first_parts: Vec<&(f64, f64, f64, f64)> = parts.iter().take_while(|p| p.1 == parts[0].1).collect();
        assert_eq!(first_parts.len(), nonzero.len(), "{n}: {first_parts:?}");
        let unit = first_parts[0].2 / nonzero[0] as f64;
        for (p, count) in first_parts.iter().zip(&nonzero) {
            assert!((p.2 - unit * *count as f64).abs() <= 1.0, "{n}: {p:?} is not {count} units of {unit}");
        }
        for pair in first_parts.windows(2) {
            assert!((pair[0].0 + pair[0].2 - pair[1].0).abs() <= 1.0, "{n}: {pair:?} do not touch");
        }
        // the PNG is the same picture, at the same size
        let png = zhibiao::charts::render(&chart, zhibiao::charts::Format::Png).unwrap();
        std::fs::write(dir.join(format!("three-zeros-{n}.png")), &png).unwrap();
        let img = image::load_from_memory(&png).unwrap().to_rgb8();
        assert_eq!(img.dimensions(), (width as u32, height as u32), "{n}");
        // whole enterprises on the value axis
        let ticks: Vec<&str> = texts.iter().copied().filter(|t| t.parse::<f64>().is_ok()).collect();
        assert!(ticks.len() >= 2 && ticks.iter().all(|t| t.parse::<u32>().is_ok()), "{n}: {ticks:?}");
    }
}

#[test]
fn a_board_without_towns_says_there_is_no_data() {
    let chart = Chart { title: "2024年一季度甲镇各地区“三个零”企业数".into(), body: Body::NoData };
    let svg = zhibiao::charts::draw::svg(&chart).unwrap();
    assert!(svg.contains("暂无数据"));
    let empty = Chart { title: "全区".into(), body: Body::ThreeZeros(ThreeZeroCounts { rows: vec![] }) };
    assert!(zhibiao::charts::draw::svg(&empty).is_ok(), "no rows draws without a negative size");
}

// ---------------------------------------------------------------------------------------------
// In the browser

async fn shot(c: &fantoccini::Client, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), c.screenshot().await.unwrap()).unwrap();
}

async fn text(c: &fantoccini::Client, css: &str) -> String {
    c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(css)).await.unwrap().text().await.unwrap()
}

/// Waits until the element's text contains `needle` (a page loading after a click).
async fn until(c: &fantoccini::Client, css: &str, needle: &str) {
    let mut last = String::new();
    for _ in 0..100 {
        if let Ok(e) = c.find(Locator::Css(css)).await
            && let Ok(t) = e.text().await
        {
            if t.contains(needle) {
                return;
            }
            last = t;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} never said {needle}: {last}");
}

#[tokio::test]
async fn in_the_browser_the_admin_filters_the_register_and_opens_the_board_and_a_viewer_sees_counts() {
    let app = with_register().await;
    let driver = crate::browser::chromedriver().await;
    let profile = tempfile::tempdir().unwrap();
    let c = crate::browser::browser(&driver, profile.path()).await;

    crate::browser::sign_in(&c, &app.base, "admin", PASSWORD).await;
    c.find(Locator::Css("nav a[href='/enterprises']")).await.unwrap().click().await.unwrap();
    until(&c, "#summary", "全部地区登记企业 5 家").await;
    shot(&c, "enterprises-admin.png").await;
    let filters = c.find(Locator::Id("filters")).await.unwrap();
    filters
        .find(Locator::Css("select[name=flag] option[value='not:has_rd_institution']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    filters.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    until(&c, "#summary", "其中无研发机构 3 家").await;
    let rows = c.find_all(Locator::Css("#enterprises tbody tr")).await.unwrap();
    assert_eq!(rows.len(), 3);
    shot(&c, "enterprises-without-rd.png").await;
    c.find(Locator::Css(&format!("a[href='/enterprises/{}']", code(2)))).await.unwrap().click().await.unwrap();
    until(&c, "main h1", "企业2").await;
    assert!(text(&c, "#figures").await.contains("2023年四季度"));
    shot(&c, "enterprise-detail.png").await;

    c.find(Locator::Css("nav a[href='/three-zeros']")).await.unwrap().click().await.unwrap();
    until(&c, "#board-summary", "2024年一季度").await;
    let chart = c.find(Locator::Css("#chart svg")).await.unwrap();
    let (_, _, w, h) = chart.rectangle().await.unwrap();
    assert!(w > 500.0 && h > 300.0, "the chart is drawn on the page: {w}×{h}");
    assert!(text(&c, "#list-scale_zero_patents").await.contains("企业1"));
    shot(&c, "three-zeros-admin.png").await;
    c.find(Locator::Css("header.top button.link")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("login")).await.unwrap();

    crate::browser::sign_in(&c, &app.base, "leader", PASSWORD).await;
    assert!(c.find(Locator::Css("nav a[href='/enterprises']")).await.is_err(), "企业库 is not a viewer's");
    c.find(Locator::Css("nav a[href='/three-zeros']")).await.unwrap().click().await.unwrap();
    until(&c, "#confidential", "只显示各地区的企业数").await;
    assert!(text(&c, "#towns").await.contains("甲镇"));
    assert!(c.find(Locator::Id("xlsx-link")).await.is_err());
    shot(&c, "three-zeros-viewer.png").await;
    c.goto(&format!("{}/enterprises", app.base)).await.unwrap();
    until(&c, "main .alert.error", "属于保密的统计资料").await;
    shot(&c, "enterprises-viewer.png").await;
    c.close().await.unwrap();
}
