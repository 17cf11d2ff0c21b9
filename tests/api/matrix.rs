//! The role matrix ("no role reaches what it must not"): every operation of the
//! OpenAPI document, called by an admin, the statistician of the region concerned, a statistician
//! of another region, a viewer, an officer (科室干部 of 高新技术科), no token and a bad token, with a valid request so that allowed
//! calls succeed. A refused call must answer its status and change nothing in the database.
//!
//! The table must name every operation the document lists: a new endpoint fails
//! `every_operation_of_the_document_has_a_row` until it has a row here.

use std::collections::BTreeSet;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::task::JoinSet;
use zhibiao::domain::access::Role;
use zhibiao::store::Pool;

use crate::helpers::{TestApp, spawn_demo};

/// Who calls. The order is the order of the calls in a row: refused callers first, so that an
/// allowed write cannot mask what a refused one would have done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    NoToken,
    BadToken,
    Viewer,
    /// an officer of 高新技术科: a viewer but where a row says otherwise (`officer_gets`)
    Officer,
    /// a statistician of `town-yi`, calling about `town-jia`
    StatOther,
    /// the statistician of `town-jia`
    StatHere,
    Admin,
}

const EVERYONE: [Who; 7] =
    [Who::NoToken, Who::BadToken, Who::Viewer, Who::Officer, Who::StatOther, Who::StatHere, Who::Admin];

/// Well-formed, but no user has it.
const BAD_TOKEN: &str = "zb_0000000000000000000000000000000000000000000000000000000000000000";

/// Who may call an operation.
#[derive(Debug, Clone, Copy)]
enum Access {
    /// everyone signed in: 200
    Read,
    /// an admin only, answering this success status; every other role 403
    Admin(u16),
    /// the region's statistician and an admin; a statistician of another region gets `other`
    /// (403, or 422 where the refusal is a row error of an import); a viewer 403
    Statistician { other: u16 },
}

#[derive(Debug, Clone)]
enum Body {
    None,
    Json(Value),
    Csv(&'static str),
    /// `text/plain` (a plan's text)
    Text(&'static str),
}

#[derive(Debug, Clone)]
struct Row {
    method: Method,
    /// the operation as the document names it
    operation: &'static str,
    url: String,
    body: Body,
    access: Access,
    /// whether a successful call stores something (a dry run or a check does not)
    stores: bool,
    /// calls an admin makes before the row, to put the database in the state the row needs
    setup: Vec<(Method, String, Value)>,
    /// the admin's call when it cannot repeat the statistician's (a second submit is a conflict)
    admin_url: Option<String>,
    /// what the officer gets where it is not what a viewer gets (the tasks of its departments)
    officer: Option<u16>,
}

fn row(method: Method, operation: &'static str, url: &str, access: Access) -> Row {
    let stores = !matches!(access, Access::Read);
    Row {
        method,
        operation,
        url: url.to_string(),
        body: Body::None,
        access,
        stores,
        setup: Vec::new(),
        admin_url: None,
        officer: None,
    }
}

fn read(operation: &'static str, url: &str) -> Row {
    row(Method::GET, operation, url, Access::Read)
}

impl Row {
    fn json(mut self, body: Value) -> Row {
        self.body = Body::Json(body);
        self
    }

    fn csv(mut self, body: &'static str) -> Row {
        self.body = Body::Csv(body);
        self
    }

    fn text(mut self, body: &'static str) -> Row {
        self.body = Body::Text(body);
        self
    }

    /// After an admin made the plan `matrix` with problem 5 and its task 9 (of 高新技术科):
    /// the demo's plan holds problems 1–4, tasks 1–8 and order 1.
    fn after_a_task(self) -> Row {
        self.after_a_problem().after(
            Method::POST,
            "/api/v1/tasks",
            json!({"problem": 5, "title": "加大研发投入", "departments": ["高新技术科"], "deadline": "2024-12-31"}),
        )
    }

    /// After [`Row::after_a_task`] and an order (2) issued for it by hand.
    fn after_an_order(self) -> Row {
        self.after_a_task().after(
            Method::POST,
            "/api/v1/supervision/orders",
            json!({"task": 9, "reasons": ["已超过完成时限"]}),
        )
    }

    fn after_a_problem(self) -> Row {
        self.after_a_plan().after(Method::POST, "/api/v1/problems", json!({"plan": "matrix", "title": "科技投入不足"}))
    }

    fn after_a_plan(self) -> Row {
        self.after(Method::POST, "/api/v1/plans", json!({"id": "matrix", "title": "整改方案", "year": 2024}))
    }

    /// After an admin registered [`ENTERPRISE`] in town-jia.
    fn after_an_enterprise(self) -> Row {
        self.after(Method::PUT, &format!("/api/v1/enterprises/{ENTERPRISE}"), enterprise("甲镇某某科技有限公司"))
    }

    /// After an admin published the 2023 bulletin (publication 1).
    fn after_a_publication(self) -> Row {
        self.after(Method::POST, "/api/v1/publications", json!({"kind": "bulletin", "period": "2023"}))
    }

    fn after(mut self, method: Method, url: &str, body: Value) -> Row {
        self.setup.push((method, url.to_string(), body));
        self
    }

    fn stores_nothing(mut self) -> Row {
        self.stores = false;
        self
    }

    fn admin_calls(mut self, url: &str) -> Row {
        self.admin_url = Some(url.to_string());
        self
    }

    /// The officer (of 高新技术科) gets `status` here, not what a viewer gets.
    #[allow(dead_code)] // for the rows of the rectification tasks
    fn officer_gets(mut self, status: u16) -> Row {
        self.officer = Some(status);
        self
    }

    /// The status `who` must get.
    fn expected(&self, who: Who) -> u16 {
        match (who, self.access) {
            (Who::NoToken | Who::BadToken, _) => 401,
            (Who::Officer, _) if let Some(status) = self.officer => status,
            (_, Access::Read) => 200,
            (Who::Admin, Access::Admin(ok)) => ok,
            (_, Access::Admin(_)) => 403,
            (Who::Admin | Who::StatHere, Access::Statistician { .. }) => 200,
            (Who::StatOther, Access::Statistician { other }) => other,
            (Who::Viewer | Who::Officer, Access::Statistician { .. }) => 403,
        }
    }
}

const ADMIN: Access = Access::Admin(200);
const STATISTICIAN: Access = Access::Statistician { other: 403 };

/// A plan's text with one problem and one task of 高新技术科.
const PLAN_TEXT: &str = "——存在问题：科技投入不足\n——解决措施：加大研发投入\n一是落实研发费用加计扣除。\n\
                         ——责任领导：王局长\n——责任部门：高新技术科\n——责任人：张科长\n——完成时限：2024.12\n";

/// 统一社会信用代码 with right check characters (the standard's example and a published one).
const ENTERPRISE: &str = "91350100M000100Y43";
const OTHER_ENTERPRISE: &str = "914403001922038216";

/// [`ENTERPRISE`] in town-jia as a list to import.
const ENTERPRISE_LIST: &str = "统一社会信用代码,企业名称,地区,年度,规模以上,高新技术企业,销售超亿元,重大项目企业\n\
                               91350100M000100Y43,甲镇某某科技有限公司,甲镇,2024,是,是,否,否\n";

/// An enterprise of town-jia: scale, high-tech, with a provincial technology centre.
fn enterprise(name: &str) -> Value {
    json!({"name": name, "region": "town-jia",
           "years": [{"year": 2024, "scale": true, "high_tech": true, "sales_over_100m": false, "major_project": false}],
           "institutions": [{"kind": "tech_center", "level": "provincial", "since": 2020}]})
}

/// A quarter the demo has no figures for, so that writes into it are new and never locked.
const FREE_QUARTER: &str = "2024Q1";

fn scheme_2024() -> Value {
    json!({
        "parent": "district",
        "rank_within_group": false,
        "items": [{"indicator": "rd_expenditure", "weight": 60, "method": "ratio", "cap": 1.2},
                  {"indicator": "iur_projects", "weight": 40, "method": "rank"}],
        "grades": [{"name": "合格", "min": 60}, {"name": "不合格", "min": 0}],
        "adjustments": [],
        "vetoes": []
    })
}

fn figures(region: &str) -> Value {
    json!({"region": region, "period": FREE_QUARTER, "values": [{"indicator": "gdp", "value": 12.5}]})
}

/// One row per operation (and a few more for the workflow's other actions), on the demo data.
fn rows() -> Vec<Row> {
    let submit_jia = (Method::PUT, "/api/v1/values".to_string(), figures("town-jia"));
    let q = FREE_QUARTER;
    vec![
        read("/api/v1/assessments/{year}", "/api/v1/assessments/2023"),
        read("/api/v1/assessments/{year}/scheme", "/api/v1/assessments/2023/scheme"),
        row(Method::PUT, "/api/v1/assessments/{year}/scheme", "/api/v1/assessments/2024/scheme", ADMIN)
            .json(scheme_2024()),
        read("/api/v1/audit", "/api/v1/audit?region=town-jia&limit=5"),
        read("/api/v1/benchmarks", "/api/v1/benchmarks?region=district&indicator=rd_share&period=2023"),
        read("/api/v1/charts", "/api/v1/charts"),
        read("/api/v1/completeness", "/api/v1/completeness?period=2023Q4&parent=district"),
        read("/api/v1/departments", "/api/v1/departments"),
        row(Method::POST, "/api/v1/departments", "/api/v1/departments", Access::Admin(201)).json(json!({"name": "人事科"})),
        read("/api/v1/exports", "/api/v1/exports?format=csv&region=town-jia&from=2023Q1&to=2023Q4"),
        row(Method::POST, "/api/v1/imports", "/api/v1/imports", Access::Statistician { other: 422 })
            .csv("region,indicator,period,value,comment\ntown-jia,gdp,2024Q1,12.5,\n"),
        read("/api/v1/indicators", "/api/v1/indicators"),
        row(Method::POST, "/api/v1/indicators", "/api/v1/indicators", Access::Admin(201)).json(json!({
            "code": "new_products", "name": "新产品产值", "unit": "亿元", "decimals": 2, "mode": "ytd"
        })),
        read("/api/v1/indicators/{code}", "/api/v1/indicators/gdp"),
        row(Method::PUT, "/api/v1/indicators/{code}", "/api/v1/indicators/gdp", ADMIN).json(json!({
            "name": "地区生产总值(GDP)", "unit": "亿元", "decimals": 2, "mode": "ytd", "sort": 1
        })),
        read("/api/v1/locks", "/api/v1/locks"),
        row(Method::PUT, "/api/v1/locks/{period}", "/api/v1/locks/2023Q4", ADMIN)
            .json(json!({"reason": "2023年统计公报已发布"})),
        row(Method::DELETE, "/api/v1/locks/{period}", "/api/v1/locks/2023Q4", ADMIN)
            .json(json!({"reason": "更正甲镇数据"}))
            .after(Method::PUT, "/api/v1/locks/2023Q4", json!({"reason": "2023年统计公报已发布"})),
        read("/api/v1/plans", "/api/v1/plans"),
        row(Method::POST, "/api/v1/plans", "/api/v1/plans", Access::Admin(201))
            .json(json!({"id": "xuncha-2024", "title": "整改方案", "year": 2024})),
        read("/api/v1/plans/{id}", "/api/v1/plans/matrix").after_a_task(),
        row(Method::PUT, "/api/v1/plans/{id}", "/api/v1/plans/matrix", ADMIN)
            .json(json!({"title": "整改方案（修订）", "year": 2025}))
            .after_a_plan(),
        // the demo's plan, with its tasks' reports and order 1: each row has a database of its own
        row(Method::DELETE, "/api/v1/plans/{id}", "/api/v1/plans/xuncha-2023", ADMIN),
        row(Method::POST, "/api/v1/plans/import", "/api/v1/plans/import?plan=xuncha-2024&title=t&year=2024", ADMIN)
            .text(PLAN_TEXT),
        row(Method::POST, "/api/v1/plans/import", "/api/v1/plans/import?plan=xuncha-2024&title=t&year=2024&dry_run=true", ADMIN)
            .text(PLAN_TEXT)
            .stores_nothing(),
        read("/api/v1/problems", "/api/v1/problems?plan=matrix").after_a_plan(),
        row(Method::POST, "/api/v1/problems", "/api/v1/problems", Access::Admin(201))
            .json(json!({"plan": "matrix", "title": "核心技术较少"}))
            .after_a_plan(),
        read("/api/v1/problems/{id}", "/api/v1/problems/5").after_a_problem(),
        row(Method::PUT, "/api/v1/problems/{id}", "/api/v1/problems/5", ADMIN)
            .json(json!({"title": "全社会科技投入不足"}))
            .after_a_problem(),
        row(Method::POST, "/api/v1/tasks", "/api/v1/tasks", Access::Admin(201))
            .json(json!({"problem": 5, "title": "深化产学研合作", "departments": ["高新技术科"], "deadline": "long_term"}))
            .after_a_problem(),
        read("/api/v1/tasks/{id}", "/api/v1/tasks/9?on=2025-01-20").after_a_task(),
        row(Method::PUT, "/api/v1/tasks/{id}", "/api/v1/tasks/9", ADMIN)
            .json(json!({"title": "加大研发投入", "departments": ["高新技术科"], "deadline": "long_term"}))
            .after_a_task(),
        row(Method::POST, "/api/v1/tasks/{id}/done", "/api/v1/tasks/9/done", ADMIN)
            .json(json!({"done_report": "专项资金已设立"}))
            .after_a_task(),
        row(Method::POST, "/api/v1/tasks/{id}/reopen", "/api/v1/tasks/9/reopen", ADMIN)
            .json(json!({"reason": "办结报告与实际不符"}))
            .after_a_task()
            .after(Method::POST, "/api/v1/tasks/9/done", json!({"done_report": "专项资金已设立"})),
        read("/api/v1/tasks/{id}/reports", "/api/v1/tasks/9/reports").after_a_task(),
        row(Method::PUT, "/api/v1/tasks/{id}/reports/{period}", &format!("/api/v1/tasks/9/reports/{q}"), ADMIN)
            .json(json!({"text": "已走访重点企业12家", "percent": 40}))
            .officer_gets(200)
            .after_a_task(),
        read("/api/v1/progress", "/api/v1/progress?indicator=rd_expenditure&period=2023Q3&parent=district"),
        read("/api/v1/regions", "/api/v1/regions"),
        row(Method::POST, "/api/v1/regions", "/api/v1/regions", Access::Admin(201))
            .json(json!({"id": "town-geng", "name": "庚镇", "kind": "town", "parent": "district", "sort": 9})),
        read("/api/v1/regions/{id}", "/api/v1/regions/town-jia"),
        row(Method::PUT, "/api/v1/regions/{id}", "/api/v1/regions/town-jia", ADMIN).json(json!({
            "name": "甲镇(新)", "kind": "town", "parent": "district", "group": "镇", "sort": 1
        })),
        row(Method::DELETE, "/api/v1/regions/{id}", "/api/v1/regions/town-geng", ADMIN).after(
            Method::POST,
            "/api/v1/regions",
            json!({"id": "town-geng", "name": "庚镇", "kind": "town", "parent": "district"}),
        ),
        read("/api/v1/series", "/api/v1/series?region=district&indicator=gdp&from=2022Q1&to=2023Q4&view=quarter"),
        read("/api/v1/targets", "/api/v1/targets?year=2023&indicator=rd_expenditure"),
        row(Method::PUT, "/api/v1/targets", "/api/v1/targets", ADMIN)
            .json(json!({"region": "town-jia", "indicator": "gdp", "year": 2024, "value": 130})),
        row(Method::POST, "/api/v1/targets/decompose", "/api/v1/targets/decompose", ADMIN).json(json!({
            "parent": "district", "indicator": "patent_applications", "year": 2024, "total": 2400, "method": "equal"
        })),
        row(Method::POST, "/api/v1/targets/decompose", "/api/v1/targets/decompose?dry_run=true", ADMIN)
            .json(json!({"parent": "district", "indicator": "gdp", "year": 2024, "total": 1100, "method": "proportional"}))
            .stores_nothing(),
        read("/api/v1/values", "/api/v1/values?region=town-jia&period=2023Q3"),
        row(Method::PUT, "/api/v1/values", "/api/v1/values", STATISTICIAN).json(figures("town-jia")),
        row(Method::POST, "/api/v1/values/check", "/api/v1/values/check", STATISTICIAN)
            .json(figures("town-jia"))
            .stores_nothing(),
        read("/api/v1/workflow", "/api/v1/workflow?period=2023Q4&parent=district"),
        row(Method::POST, "/api/v1/workflow/approve", "/api/v1/workflow/approve", ADMIN)
            .json(json!({"period": q, "regions": ["town-jia"], "comment": "审核通过"}))
            .after(submit_jia.0.clone(), &submit_jia.1, submit_jia.2.clone())
            .after(Method::POST, &format!("/api/v1/workflow/town-jia/{q}/submit"), json!({})),
        row(
            Method::POST,
            "/api/v1/workflow/{region}/{period}/{action}",
            &format!("/api/v1/workflow/town-jia/{q}/submit"),
            STATISTICIAN,
        )
        .json(json!({"comment": "一季度数据已填报完毕"}))
        .admin_calls(&format!("/api/v1/workflow/town-bing/{q}/submit"))
        .after(submit_jia.0.clone(), &submit_jia.1, submit_jia.2.clone()),
        row(Method::POST, "/api/v1/workflow/{region}/{period}/{action}", &format!("/api/v1/workflow/town-jia/{q}/approve"), ADMIN)
            .after(submit_jia.0.clone(), &submit_jia.1, submit_jia.2.clone())
            .after(Method::POST, &format!("/api/v1/workflow/town-jia/{q}/submit"), json!({})),
        row(Method::POST, "/api/v1/workflow/{region}/{period}/{action}", &format!("/api/v1/workflow/town-jia/{q}/return"), ADMIN)
            .json(json!({"comment": "GDP与统计局口径不符，请核对"}))
            .after(submit_jia.0, &submit_jia.1, submit_jia.2)
            .after(Method::POST, &format!("/api/v1/workflow/town-jia/{q}/submit"), json!({})),
        read("/api/v1/tasks", "/api/v1/tasks?on=2025-01-20").after_a_task(),
        row(Method::POST, "/api/v1/supervision/run", "/api/v1/supervision/run", ADMIN).after_a_task(),
        read("/api/v1/supervision/orders", "/api/v1/supervision/orders?status=open").after_an_order(),
        row(Method::POST, "/api/v1/supervision/orders", "/api/v1/supervision/orders", Access::Admin(201))
            .json(json!({"task": 9, "reasons": ["R&D经费支出明显滞后，请说明原因和措施"]}))
            .after_a_task(),
        // the officer of the lead department answers order 2; the admin, who would find it
        // answered, answers order 3
        row(Method::POST, "/api/v1/supervision/orders/{id}/answer", "/api/v1/supervision/orders/2/answer", ADMIN)
            .json(json!({"response": "已召开专题会议，制定R&D投入提升方案"}))
            .officer_gets(200)
            .admin_calls("/api/v1/supervision/orders/3/answer")
            .after_an_order()
            .after(
                Method::POST,
                "/api/v1/tasks",
                json!({"problem": 5, "title": "深化产学研合作", "departments": ["高新技术科"], "deadline": "long_term"}),
            )
            .after(Method::POST, "/api/v1/supervision/orders", json!({"task": 10, "reasons": ["进展滞后"]})),
        row(Method::POST, "/api/v1/supervision/orders/{id}/close", "/api/v1/supervision/orders/2/close", ADMIN)
            .after_an_order()
            .after(Method::POST, "/api/v1/supervision/orders/2/answer", json!({"response": "已整改"})),
        read(
            "/api/v1/what-if/benchmark",
            "/api/v1/what-if/benchmark?region=district&indicator=rd_share&benchmark=jiangyin&period=2023",
        ),
        read(
            "/api/v1/what-if/assessment",
            "/api/v1/what-if/assessment?year=2023&region=town-jia&goal=grade:%E4%BC%98%E7%A7%80",
        ),
        read("/api/v1/enterprises/three-zeros", "/api/v1/enterprises/three-zeros?period=2024Q1&region=district")
            .after_an_enterprise(),
        row(Method::GET, "/api/v1/enterprises", "/api/v1/enterprises?region=town-jia", STATISTICIAN)
            .after_an_enterprise()
            .stores_nothing(),
        row(Method::GET, "/api/v1/enterprises/{code}", &format!("/api/v1/enterprises/{ENTERPRISE}"), STATISTICIAN)
            .after_an_enterprise()
            .stores_nothing(),
        row(Method::PUT, "/api/v1/enterprises/{code}", &format!("/api/v1/enterprises/{ENTERPRISE}"), STATISTICIAN)
            .json(enterprise("甲镇某某科技有限公司"))
            .after_an_enterprise(),
        row(Method::DELETE, "/api/v1/enterprises/{code}", &format!("/api/v1/enterprises/{ENTERPRISE}"), STATISTICIAN)
            .admin_calls(&format!("/api/v1/enterprises/{OTHER_ENTERPRISE}"))
            .after_an_enterprise()
            .after(Method::PUT, &format!("/api/v1/enterprises/{OTHER_ENTERPRISE}"), enterprise("甲镇另一家公司")),
        row(Method::GET, "/api/v1/enterprises/{code}/values", &format!("/api/v1/enterprises/{ENTERPRISE}/values"), STATISTICIAN)
            .after_an_enterprise()
            .stores_nothing(),
        row(Method::PUT, "/api/v1/enterprises/{code}/values", &format!("/api/v1/enterprises/{ENTERPRISE}/values"), STATISTICIAN)
            .json(json!({"period": "2024Q1", "values": [{"measure": "patent_applications", "value": 3}]}))
            .after_an_enterprise(),
        // the other town's statistician: a row error (422); in a dry run the same error answered 200
        row(Method::POST, "/api/v1/enterprises/import", "/api/v1/enterprises/import?kind=list", Access::Statistician { other: 422 })
            .csv(ENTERPRISE_LIST),
        row(Method::POST, "/api/v1/enterprises/import", "/api/v1/enterprises/import?kind=list&dry_run=true", Access::Statistician { other: 200 })
            .csv(ENTERPRISE_LIST)
            .stores_nothing(),
        row(Method::POST, "/api/v1/enterprises/import", "/api/v1/enterprises/import?kind=figures", Access::Statistician { other: 422 })
            .csv("code,period,measure,value\n91350100M000100Y43,2024Q1,patent_applications,3\n")
            .after_an_enterprise(),
        read("/charts/named/{file}", "/charts/named/rd-share-benchmarks.svg"),
        read("/charts/{file}", "/charts/trend.png?region=town-jia&indicator=gdp&from=2023Q1&to=2023Q4"),
        read("/reports/assessment/{file}", "/reports/assessment/2023.json"),
        read("/reports/bulletin/{file}", "/reports/bulletin/2023Q3.html?region=district"),
        read("/reports/completeness/{file}", "/reports/completeness/2023Q4.json"),
        read("/reports/rectification/{file}", "/reports/rectification/2023Q4.json?on=2023-12-20"),
        // a list: for who may see enterprises of the region (town-yi's statistician sees town-yi's), audited
        row(Method::GET, "/reports/three-zeros/{file}", "/reports/three-zeros/2024Q1.xlsx?region=district", Access::Statistician { other: 200 })
            .after_an_enterprise(),
        read("/templates/{region}/{file}", "/templates/town-jia/2023Q4.xlsx"),
        row(Method::POST, "/api/v1/publications", "/api/v1/publications", Access::Admin(201))
            .json(json!({"kind": "bulletin", "period": "2023Q3", "region": "district"})),
        read("/api/v1/publications", "/api/v1/publications?kind=bulletin").after_a_publication(),
        read("/reports/published/{file}", "/reports/published/1.json").after_a_publication(),
    ]
}

/// Everything the database holds, hashed: a refused call must leave it exactly as it was.
pub fn fingerprint(pool: &Pool) -> u64 {
    let conn = pool.get().unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut hasher = DefaultHasher::new();
    for table in tables {
        table.hash(&mut hasher);
        // the name comes from sqlite_master, not from a request
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            for i in 0..columns {
                format!("{:?}", r.get_ref(i).unwrap()).hash(&mut hasher);
            }
        }
    }
    hasher.finish()
}

struct Callers {
    viewer: String,
    officer: String,
    stat_here: String,
    stat_other: String,
}

impl TestApp {
    fn callers(&self) -> Callers {
        Callers {
            viewer: self.add_user("leader", Role::Viewer, &[]),
            officer: self.add_officer("gxk", &["高新技术科"]),
            stat_here: self.add_user("jia", Role::Statistician, &["town-jia"]),
            stat_other: self.add_user("yi", Role::Statistician, &["town-yi"]),
        }
    }

    async fn call(&self, method: Method, url: &str, body: &Body, token: Option<&str>) -> (StatusCode, String) {
        let mut req = self.client.request(method, format!("{}{url}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req = match body {
            Body::None => req,
            Body::Json(v) => req.json(v),
            Body::Csv(text) => req.header("content-type", "text/csv").body(*text),
            Body::Text(text) => req.header("content-type", "text/plain; charset=utf-8").body(*text),
        };
        let resp = req.send().await.unwrap();
        (resp.status(), resp.text().await.unwrap())
    }
}

/// Runs one row on a fresh demo database; returns every cell that went wrong.
async fn run_row(row: Row) -> Vec<String> {
    let app = spawn_demo().await;
    let callers = app.callers();
    let mut wrong = Vec::new();
    let name = format!("{} {}", row.method, row.url);
    for (method, url, body) in &row.setup {
        let (status, text) = app.call(method.clone(), url, &Body::Json(body.clone()), Some(&app.admin)).await;
        assert!(status.is_success(), "setup of {name}: {method} {url} → {status} {text}");
    }
    let mut first_success = true;
    for who in EVERYONE {
        let token = match who {
            Who::NoToken => None,
            Who::BadToken => Some(BAD_TOKEN),
            Who::Viewer => Some(callers.viewer.as_str()),
            Who::Officer => Some(callers.officer.as_str()),
            Who::StatOther => Some(callers.stat_other.as_str()),
            Who::StatHere => Some(callers.stat_here.as_str()),
            Who::Admin => Some(app.admin.as_str()),
        };
        let url = match (who, &row.admin_url) {
            (Who::Admin, Some(url)) => url,
            _ => &row.url,
        };
        let expected = row.expected(who);
        let before = fingerprint(&app.pool);
        let (status, text) = app.call(row.method.clone(), url, &row.body, token).await;
        let changed = fingerprint(&app.pool) != before;
        if status.as_u16() != expected {
            wrong.push(format!("{name} as {who:?}: {status}, expected {expected}: {}", clip(&text)));
            continue;
        }
        let allowed = (200..300).contains(&expected);
        if !allowed {
            // refusals are JSON errors, and leave no trace
            let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            if body["error"]["code"].as_str().is_none() {
                wrong.push(format!("{name} as {who:?}: the refusal is not a JSON error: {}", clip(&text)));
            }
            if changed {
                wrong.push(format!("{name} as {who:?}: refused with {status}, but the database changed"));
            }
        } else if !row.stores && changed {
            wrong.push(format!("{name} as {who:?}: {status}, and the database changed"));
        } else if row.stores && first_success {
            // the same call by an allowed caller does store: the refusals above were real ones
            if !changed {
                wrong.push(format!("{name} as {who:?}: {status}, but nothing was stored"));
            }
            first_success = false;
        }
    }
    wrong
}

fn clip(text: &str) -> String {
    text.chars().take(300).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_gets_exactly_what_it_may_on_every_operation() {
    let mut runs = JoinSet::new();
    for r in rows() {
        runs.spawn(run_row(r));
    }
    let mut wrong = Vec::new();
    while let Some(result) = runs.join_next().await {
        wrong.extend(result.unwrap());
    }
    wrong.sort();
    assert!(wrong.is_empty(), "{} cells of the role matrix are wrong:\n{}", wrong.len(), wrong.join("\n"));
}

#[tokio::test]
async fn every_operation_of_the_document_has_a_row() {
    let app = crate::helpers::spawn_app().await;
    let doc = app.get("/api/openapi.json", None).await.body;
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "put", "post", "delete", "patch", "head", "options", "trace"] {
            if item.get(method).is_some() {
                documented.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    let covered: BTreeSet<String> = rows().iter().map(|r| format!("{} {}", r.method, r.operation)).collect();
    let missing: Vec<&String> = documented.difference(&covered).collect();
    assert!(missing.is_empty(), "operations without a row in the role matrix: {missing:?}");
    let stale: Vec<&String> = covered.difference(&documented).collect();
    assert!(stale.is_empty(), "rows for operations the document does not list: {stale:?}");
    assert!(documented.len() >= 38, "{documented:?}");
}

#[tokio::test]
async fn the_document_lists_every_status_of_the_matrix() {
    let app = crate::helpers::spawn_app().await;
    let doc = app.get("/api/openapi.json", None).await.body;
    let mut undocumented = Vec::new();
    for r in rows() {
        let responses = &doc["paths"][r.operation][r.method.as_str().to_lowercase()]["responses"];
        for who in EVERYONE {
            let status = r.expected(who).to_string();
            if responses.get(&status).is_none() {
                undocumented.push(format!("{} {} as {who:?}: {status}", r.method, r.operation));
            }
        }
    }
    undocumented.dedup();
    assert!(undocumented.is_empty(), "statuses the document does not list: {undocumented:#?}");
}

#[test]
fn each_row_calls_the_operation_it_names() {
    for r in rows() {
        let pattern: Vec<&str> = r.operation.split('/').collect();
        let path = r.url.split('?').next().unwrap();
        let urls = std::iter::once(path).chain(r.admin_url.as_deref());
        for url in urls {
            let segments: Vec<&str> = url.split('/').collect();
            assert_eq!(segments.len(), pattern.len(), "{url} is not {}", r.operation);
            for (s, p) in segments.iter().zip(&pattern) {
                assert!(p.starts_with('{') || s == p, "{url} is not {}", r.operation);
            }
        }
    }
}
