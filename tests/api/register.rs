//! Register indicators (企业库): counts and sums over a region's enterprises, computed by the one
//! engine like any figure — aggregated up the tree, inside formulas and targets — and never typed in.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhibiao::domain::access::Role;
use zhibiao::domain::enterprise::CreditCode;

use crate::helpers::{TestApp, assert_figures, spawn_app};

/// Codes with a right check character, made from a running number.
fn code(n: u32) -> CreditCode {
    const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    let body = format!("91320500{n:09}");
    (0..31)
        .map(|i| format!("{body}{}", &ALPHABET[i..=i]))
        .find_map(|c| CreditCode::parse(&c).ok())
        .expect("one check character fits")
}

fn attributes(year: i32, flags: &str) -> Value {
    json!({"year": year, "scale": flags.contains('s'), "high_tech": flags.contains('h'),
           "sales_over_100m": flags.contains('b'), "major_project": flags.contains('m')})
}

/// 甲镇: three enterprises over 100m, one with a provincial tech centre; 乙镇: two over 100m, one
/// with a municipal station from 2024; 丙镇: none registered. Patent applications of 2023Q4.
async fn with_register() -> TestApp {
    let app = spawn_app().await.with_small_world().await;
    for (code, name, unit, rule) in [
        ("big_firms", "销售超亿元企业数（企业库）", "家", json!({"count": true, "where": ["sales_over_100m"]})),
        (
            "big_firms_with_rd",
            "建有研发机构的销售超亿元企业数",
            "家",
            json!({"count": true, "where": ["sales_over_100m", "has_rd_institution"]}),
        ),
        (
            "scale_zero_patents",
            "规模企业零专利",
            "家",
            json!({"count": true, "where": ["scale", "zero:valid_patents"]}),
        ),
        ("firm_applications", "企业专利申请量", "件", json!({"sum": "patent_applications", "where": ["scale"]})),
    ] {
        // fewer is better for a list the plan vows to empty
        let direction = if code.contains("zero") { "lower" } else { "higher" };
        let body = json!({"code": code, "name": name, "unit": unit, "mode": "register", "rule": rule,
                          "direction": direction});
        let answer = app.post_indicator(body).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        assert_eq!(answer.body["rule"], rule);
    }
    let rate = json!({"code": "rd_institution_rate", "name": "销售超亿元企业研发机构建有率", "unit": "%",
                      "decimals": 1, "mode": "derived", "formula": "100 * big_firms_with_rd / big_firms"});
    assert_eq!(app.post_indicator(rate).await.status, StatusCode::CREATED);

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
    for (n, period, values) in [
        (
            1,
            "2023Q4",
            json!([{"measure": "patent_applications", "value": 12}, {"measure": "valid_patents", "value": 40}]),
        ),
        (
            2,
            "2023Q4",
            json!([{"measure": "patent_applications", "value": 0}, {"measure": "valid_patents", "value": 0}]),
        ),
        (
            4,
            "2023Q4",
            json!([{"measure": "patent_applications", "value": 3}, {"measure": "valid_patents", "value": 5}]),
        ),
        (
            4,
            "2024Q1",
            json!([{"measure": "patent_applications", "value": 1}, {"measure": "valid_patents", "value": 6}]),
        ),
    ] {
        let body = json!({"period": period, "values": values});
        let put =
            app.send_json(Method::PUT, &format!("/api/v1/enterprises/{}/values", code(n)), &app.admin, &body).await;
        assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    }
    app
}

#[tokio::test]
async fn counts_of_the_register_add_up_the_tree_and_make_a_ratio_of_sums() {
    let app = with_register().await;
    // (region, indicator, 2023Q4, 2024Q1)
    let cases = [
        ("town-a", "big_firms", Some(3.0), Some(3.0)),
        ("town-b", "big_firms", Some(1.0), Some(2.0)), // 企业5 is over 100m from 2024
        ("town-c", "big_firms", Some(0.0), Some(0.0)), // none registered: none counted
        ("district", "big_firms", Some(4.0), Some(5.0)),
        ("district", "big_firms_with_rd", Some(1.0), Some(2.0)), // the station counts from 2024
        ("district", "rd_institution_rate", Some(25.0), Some(40.0)),
        // a figure leaves the engine at its decimals + 4 places
        ("town-a", "rd_institution_rate", Some(33.33333), Some(33.33333)),
        // 规模企业零专利: 企业2 recorded 0, 企业5 recorded nothing
        ("district", "scale_zero_patents", Some(2.0), Some(3.0)),
        ("district", "firm_applications", Some(15.0), Some(1.0)),
        ("town-c", "firm_applications", None, None), // nobody recorded it: no figure, not 0
    ];
    for (region, indicator, q4, q1) in cases {
        let got = app.series(region, indicator, "2023Q4", "2024Q1", "ytd").await;
        assert_figures(&got, &[q4, q1]);
    }
    // the register speaks from its first year to its latest figure: nothing before 2023 or after 2024Q1
    assert_figures(&app.series("district", "big_firms", "2022Q4", "2022Q4", "ytd").await, &[None]);
    assert_figures(&app.series("district", "big_firms", "2024Q2", "2024Q2", "ytd").await, &[None]);
}

#[tokio::test]
async fn a_register_figure_is_never_typed_in_and_a_rule_that_is_not_one_is_named() {
    let app = with_register().await;
    let answer = app.put_values(&app.admin.clone(), "town-a", "2023Q4", &[("big_firms", 3.0)]).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
    assert!(answer.body.to_string().contains("由企业库统计得出，不能填报"), "{}", answer.body);
    for (body, field, says) in [
        (json!({"code": "x1", "name": "甲", "unit": "家", "mode": "register"}), "rule", "需要统计规则"),
        (
            json!({"code": "x2", "name": "甲", "unit": "家", "mode": "register", "rule": {"count": true, "where": ["big"]}}),
            "rule.where[0]",
            "“big”不是企业条件",
        ),
        (
            json!({"code": "x3", "name": "甲", "unit": "家", "mode": "stock", "rule": {"count": true}}),
            "rule",
            "只有企业库指标",
        ),
    ] {
        let answer = app.post_indicator(body.clone()).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", answer.body);
        let errors = answer.body["error"]["details"].as_array().unwrap();
        assert!(
            errors.iter().any(|e| e["field"] == field && e["message"].as_str().unwrap().contains(says)),
            "{body}: {errors:?}"
        );
    }
}

#[tokio::test]
async fn a_target_of_zero_on_a_register_count_has_its_progress() {
    let app = with_register().await;
    let target = json!({"region": "district", "indicator": "scale_zero_patents", "year": 2024, "value": 0.0});
    let set = app.send_json(Method::PUT, "/api/v1/targets", &app.admin, &target).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let progress =
        app.get_as_admin("/api/v1/progress?indicator=scale_zero_patents&period=2024Q1&region=district").await;
    assert_eq!(progress.status, StatusCode::OK, "{}", progress.body);
    let row = &progress.body[0];
    assert_eq!((&row["actual"], &row["target"]), (&json!(3.0), &json!(0.0)), "{row}");
    assert_eq!(row["coverage"], json!({"reported": 3, "total": 3}), "every town's count is known, 丙镇's is 0");
    assert_ne!(row["status"], "on_track", "three enterprises still on a list to be emptied: {row}");
}

#[tokio::test]
async fn an_enterprise_is_refused_naming_its_code_region_or_year_and_nothing_is_stored() {
    let app = with_register().await;
    let good = json!({"name": "新企业", "region": "town-c", "years": [attributes(2024, "s")]});
    let cases = [
        ("91350100M000100Y44", good.clone(), "code", "校验码不对（按前17位应为3）"),
        ("91350100I000100Y43", good.clone(), "code", "不允许的字符"),
        ("9135010", good.clone(), "code", "应为18位"),
        (
            "91350100M000100Y43",
            json!({"name": "新企业", "region": "district", "years": []}),
            "region",
            "“全区”不是报送地区",
        ),
        ("91350100M000100Y43", json!({"name": "新企业", "region": "nowhere"}), "region", "地区“nowhere”不存在"),
        ("91350100M000100Y43", json!({"name": "  ", "region": "town-c"}), "name", "企业名称应为 1 到 100 个字"),
        (
            "91350100M000100Y43",
            json!({"name": "新企业", "region": "town-c", "years": [attributes(2024, "s"), attributes(2024, "h")]}),
            "years[1].year",
            "2024年重复",
        ),
        (
            "91350100M000100Y43",
            json!({"name": "新企业", "region": "town-c",
                   "institutions": [{"kind": "key_lab", "level": "national", "since": 2024, "until": 2020}]}),
            "institutions[0].until",
            "截止年度不能早于起始年度",
        ),
    ];
    let before = crate::matrix::fingerprint(&app.pool);
    for (code, body, field, says) in cases {
        let answer = app.send_json(Method::PUT, &format!("/api/v1/enterprises/{code}"), &app.admin, &body).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{code} {body}: {}", answer.body);
        let details = &answer.body["error"]["details"];
        assert!(
            details
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"] == field && e["message"].as_str().unwrap().contains(says)),
            "{code} {body}: {details}"
        );
    }
    // figures: not negative, whole patents, each measure once, a measure that is one
    let path = format!("/api/v1/enterprises/{}/values", code(1));
    for (values, field, says) in [
        (json!([{"measure": "sales", "value": -1}]), "values[0].value", "销售收入不能为负数"),
        (json!([{"measure": "patent_applications", "value": 2.5}]), "values[0].value", "专利申请量应为整数"),
        (
            json!([{"measure": "sales", "value": 1}, {"measure": "sales", "value": 2}]),
            "values[1].measure",
            "销售收入重复",
        ),
        (json!([]), "values", "至少填写一项企业数据"),
    ] {
        let body = json!({"period": "2024Q1", "values": values});
        let answer = app.send_json(Method::PUT, &path, &app.admin, &body).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", answer.body);
        let details = &answer.body["error"]["details"];
        assert!(
            details
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"] == field && e["message"].as_str().unwrap().contains(says)),
            "{body}: {details}"
        );
    }
    let unknown = app
        .send_json(
            Method::PUT,
            &path,
            &app.admin,
            &json!({"period": "2024Q1", "values": [{"measure": "profit", "value": 1}]}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", unknown.body);
    assert_eq!(crate::matrix::fingerprint(&app.pool), before, "nothing refused was stored");

    // a code in lower case is the same enterprise
    let lower = code(3).as_str().to_ascii_lowercase();
    let again = app.get_as_admin(&format!("/api/v1/enterprises/{lower}")).await;
    assert_eq!((again.status, again.body["code"].as_str()), (StatusCode::OK, Some(code(3).as_str())));
}

#[tokio::test]
async fn only_admins_and_the_towns_statisticians_see_enterprises_and_every_change_is_audited() {
    let app = with_register().await;
    let jia = app.add_user("a-stat", Role::Statistician, &["town-a"]);
    let viewer = app.add_user("leader", Role::Viewer, &[]);
    let names = |body: &Value| -> Vec<String> {
        body.as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap().to_string()).collect()
    };
    let all = app.get_as_admin("/api/v1/enterprises").await;
    assert_eq!(names(&all.body), ["企业1", "企业2", "企业3", "企业4", "企业5"]);
    let own = app.get("/api/v1/enterprises", Some(&jia)).await;
    assert_eq!(names(&own.body), ["企业1", "企业2", "企业3"], "a town's statistician sees the town's");
    let from_above = app.get("/api/v1/enterprises?region=district", Some(&jia)).await;
    assert_eq!(names(&from_above.body), ["企业1", "企业2", "企业3"], "listed from the district: still only the town's");
    assert_eq!(app.get("/api/v1/enterprises?region=town-b", Some(&jia)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&format!("/api/v1/enterprises/{}", code(4)), Some(&jia)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/api/v1/enterprises", Some(&viewer)).await.status, StatusCode::FORBIDDEN);
    let figures = app.get(&format!("/api/v1/enterprises/{}/values", code(1)), Some(&viewer)).await;
    assert_eq!(figures.status, StatusCode::FORBIDDEN);
    assert!(figures.body["error"]["message"].as_str().unwrap().contains("只对管理员和所在地区的统计员开放"));
    // the statistician may not move an enterprise out of the town
    let moved = json!({"name": "企业1", "region": "town-b"});
    let answer = app.send_json(Method::PUT, &format!("/api/v1/enterprises/{}", code(1)), &jia, &moved).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);

    let figures = app.get(&format!("/api/v1/enterprises/{}/values", code(4)), Some(&app.admin)).await.body;
    assert_eq!(
        figures,
        json!([{"period": "2023Q4", "values": [{"measure": "patent_applications", "value": 3.0}, {"measure": "valid_patents", "value": 5.0}]},
               {"period": "2024Q1", "values": [{"measure": "patent_applications", "value": 1.0}, {"measure": "valid_patents", "value": 6.0}]}])
    );
    // every change is in the log; what was written of an enterprise only for those who may see it
    let entries = |token: &str| {
        let app = &app;
        let token = token.to_string();
        async move {
            let log = app.get("/api/v1/audit?limit=1000", Some(&token)).await.body;
            log.as_array()
                .unwrap()
                .iter()
                .filter(|e| e["entity"].as_str().unwrap().starts_with("enterprise"))
                .cloned()
                .collect::<Vec<Value>>()
        }
    };
    let by_admin = entries(&app.admin).await;
    let count = |log: &[Value], entity: &str| log.iter().filter(|e| e["entity"] == entity).count();
    assert_eq!((count(&by_admin, "enterprise"), count(&by_admin, "enterprise_values")), (5, 4));
    assert_eq!(by_admin.iter().filter(|e| e["new"].is_null()).count(), 0);
    let by_viewer = entries(&viewer).await;
    assert_eq!(by_viewer.len(), 9, "the viewer sees that they were changed");
    assert!(by_viewer.iter().all(|e| e["new"].is_null() && e["old"].is_null()), "{by_viewer:?}");
    let by_jia = entries(&jia).await;
    let named: Vec<&str> =
        by_jia.iter().filter(|e| !e["new"].is_null()).map(|e| e["region"].as_str().unwrap()).collect();
    assert_eq!(named, ["town-a"; 5], "the town's three enterprises and the figures of two of them");
    let deleted = app.send_json(Method::DELETE, &format!("/api/v1/enterprises/{}", code(3)), &jia, &json!(null)).await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    assert_figures(&app.series("town-a", "big_firms", "2023Q4", "2023Q4", "ytd").await, &[Some(2.0)]);
}

#[tokio::test]
async fn the_three_zeros_name_who_joined_and_left_and_show_only_counts_to_others() {
    let app = with_register().await;
    let board = app.get_as_admin("/api/v1/enterprises/three-zeros?period=2024Q1&region=district").await;
    assert_eq!(board.status, StatusCode::OK, "{}", board.body);
    let b = &board.body;
    assert_eq!((&b["period"], &b["previous"], &b["region_name"]), (&json!("2024Q1"), &json!("2023Q4"), &json!("全区")));
    let scale = &b["lists"][0];
    assert_eq!((&scale["list"], &scale["label"]), (&json!("scale_zero_patents"), &json!("规模企业零专利")));
    // 2023Q4: 企业2 (recorded 0) and 企业5 (nothing recorded); 2024Q1: 企业1 and 企业2 record nothing
    // in 2024Q1 either, so 企业1, 企业2 and 企业5 are on it
    assert_eq!((&scale["count"], &scale["previous_count"]), (&json!(3), &json!(2)), "{scale}");
    let codes = |list: &Value| -> Vec<String> {
        list.as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(codes(&scale["enterprises"]), ["企业1", "企业2", "企业5"]);
    assert_eq!(codes(&scale["joined"]), ["企业1"]);
    assert_eq!(codes(&scale["left"]), Vec::<String>::new());
    assert_eq!(
        scale["by_region"],
        json!([{"region": "town-a", "name": "甲镇", "count": 2}, {"region": "town-b", "name": "乙镇", "count": 1},
               {"region": "town-c", "name": "丙镇", "count": 0}])
    );
    assert_eq!(scale["indicator"], "scale_zero_patents", "the register indicator with the same rule");
    let high_tech = &b["lists"][1];
    assert_eq!((&high_tech["count"], &high_tech["previous_count"]), (&json!(0), &json!(0)), "企业4 applied both times");
    assert_eq!(b["lists"][2]["count"], 0);

    let viewer = app.add_user("leader", Role::Viewer, &[]);
    let seen = app.get("/api/v1/enterprises/three-zeros?period=2024Q1", Some(&viewer)).await.body;
    assert_eq!(seen["lists"][0]["count"], 3);
    assert_eq!((&seen["lists"][0]["enterprises"], &seen["lists"][0]["hidden"]), (&json!([]), &json!(3)));
    let jia = app.add_user("a-stat", Role::Statistician, &["town-a"]);
    let own = app.get("/api/v1/enterprises/three-zeros?period=2024Q1", Some(&jia)).await.body;
    assert_eq!(
        (codes(&own["lists"][0]["enterprises"]), &own["lists"][0]["hidden"]),
        (vec!["企业1".into(), "企业2".into()], &json!(1))
    );
}

#[tokio::test]
async fn a_register_count_is_scored_in_the_assessment_and_an_emptied_list_earns_its_full_weight() {
    let app = with_register().await;
    // 2023: 销售超亿元 3 / 1 / 0 (甲镇 / 乙镇 / 丙镇); 规模企业零专利 1 / 1 / 0
    for (town, big, zero) in [("town-a", 3.0, 0.0), ("town-b", 2.0, 0.0), ("town-c", 1.0, 0.0)] {
        app.set_target(town, "big_firms", 2023, big).await;
        app.set_target(town, "scale_zero_patents", 2023, zero).await;
    }
    let scheme = json!({
        "parent": "district",
        "items": [
            {"indicator": "big_firms", "weight": 60, "method": "ratio", "cap": 1.2},
            {"indicator": "scale_zero_patents", "weight": 40, "method": "ratio"}
        ],
        "grades": [{"name": "合格", "min": 60}, {"name": "不合格", "min": 0}],
        "adjustments": [],
        "vetoes": []
    });
    let put = app.send_json(Method::PUT, "/api/v1/assessments/2023/scheme", &app.admin, &scheme).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    let result = app.get_as_admin("/api/v1/assessments/2023").await;
    assert_eq!(result.status, StatusCode::OK, "{}", result.body);
    let regions = result.body["regions"].as_array().unwrap();
    let scored: Vec<(&str, Vec<Option<f64>>, f64)> = regions
        .iter()
        .map(|r| {
            let items = r["items"].as_array().unwrap().iter().map(|i| i["score"].as_f64()).collect();
            (r["region"].as_str().unwrap(), items, r["total"].as_f64().unwrap())
        })
        .collect();
    // 甲镇: 3 of 3 → 60; one scale enterprise without patents against 0 → 0% → 0
    // 乙镇: 1 of 2 → 30; one left → 0. 丙镇: 0 of 1 → 0; none left → 100% → 40
    assert_eq!(
        scored,
        [
            ("town-a", vec![Some(60.0), Some(0.0)], 60.0),
            ("town-b", vec![Some(30.0), Some(0.0)], 30.0),
            ("town-c", vec![Some(0.0), Some(40.0)], 40.0)
        ]
    );
    let emptied = &regions[2]["items"][1];
    assert_eq!(
        (&emptied["actual"], &emptied["target"], &emptied["completion"]),
        (&json!(0.0), &json!(0.0), &json!(1.0))
    );
}

#[tokio::test]
async fn a_region_with_enterprises_is_not_deleted_until_they_are_gone() {
    let app = with_register().await;
    let body = json!({"name": "丙镇企业", "region": "town-c", "years": [attributes(2024, "s")]});
    let path = format!("/api/v1/enterprises/{}", code(9));
    assert_eq!(app.send_json(Method::PUT, &path, &app.admin, &body).await.status, StatusCode::CREATED);

    let region = format!("{}/api/v1/regions/town-c", app.base);
    let refused = app.client.delete(&region).bearer_auth(&app.admin).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let message = refused.json::<Value>().await.unwrap()["error"]["message"].clone();
    assert_eq!(message, "地区“town-c”的企业库中有企业，请先移走或删除这些企业");

    let gone = app.client.delete(format!("{}{path}", app.base)).bearer_auth(&app.admin).send().await.unwrap();
    assert_eq!(gone.status(), StatusCode::OK);
    let deleted = app.client.delete(&region).bearer_auth(&app.admin).send().await.unwrap();
    assert_eq!(deleted.status(), StatusCode::OK);
}
