//! `spawn_app()`: the real server on port 0 with a fresh database file, and a client that
//! speaks to it over HTTP.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tempfile::TempDir;

use zhibiao::domain::RegionId;
use zhibiao::domain::access::Role;
use zhibiao::store::Pool;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub pool: Pool,
    pub admin: String,
    _dir: TempDir,
}

pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
}

impl Answer {
    /// The `details[].field` names of an error answer.
    pub fn fields(&self) -> Vec<String> {
        self.body["error"]["details"]
            .as_array()
            .map(|d| d.iter().filter_map(|e| e["field"].as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    }

    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

/// Starts the server on an empty database with one admin.
pub async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let pool = zhibiao::store::open(&dir.path().join("test.db")).unwrap();
    let charts_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("charts");
    let (named, problems) = zhibiao::charts::named::load_dir(&charts_dir);
    assert!(problems.is_empty(), "{problems:?}");
    let app = zhibiao::startup::Application::with_default_limits(pool.clone(), "127.0.0.1:0", named).await.unwrap();
    let base = format!("http://{}", app.local_addr().unwrap());
    tokio::spawn(app.run_until_stopped());
    let mut test = TestApp { base, client: reqwest::Client::new(), pool, admin: String::new(), _dir: dir };
    test.admin = test.add_user("admin", Role::Admin, &[]);
    test
}

/// Starts the server on the demo database.
pub async fn spawn_demo() -> TestApp {
    let app = spawn_app().await;
    let conn = app.pool.get().unwrap();
    zhibiao::demo::load(&conn).unwrap();
    drop(conn);
    app
}

impl TestApp {
    pub fn add_user(&self, name: &str, role: Role, regions: &[&str]) -> String {
        let regions: Vec<RegionId> = regions.iter().map(|r| RegionId::parse(r).unwrap()).collect();
        let conn = self.pool.get().unwrap();
        zhibiao::engine::users::add(&conn, "test", name, role, &regions).unwrap()
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Answer {
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Answer { status, body }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        let mut req = self.client.get(format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        self.send(req).await
    }

    pub async fn get_as_admin(&self, path: &str) -> Answer {
        self.get(path, Some(&self.admin.clone())).await
    }

    pub async fn send_json(&self, method: reqwest::Method, path: &str, token: &str, body: &Value) -> Answer {
        let req = self.client.request(method, format!("{}{path}", self.base)).bearer_auth(token).json(body);
        self.send(req).await
    }

    pub async fn post_region(&self, body: Value) -> Answer {
        self.send_json(reqwest::Method::POST, "/api/v1/regions", &self.admin, &body).await
    }

    pub async fn post_indicator(&self, body: Value) -> Answer {
        self.send_json(reqwest::Method::POST, "/api/v1/indicators", &self.admin, &body).await
    }

    /// `PUT /values` as `token`: `values` is a list of (indicator, value).
    pub async fn put_values(&self, token: &str, region: &str, period: &str, values: &[(&str, f64)]) -> Answer {
        let values: Vec<Value> = values.iter().map(|(i, v)| json!({"indicator": i, "value": v})).collect();
        let body = json!({"region": region, "period": period, "values": values});
        self.send_json(reqwest::Method::PUT, "/api/v1/values", token, &body).await
    }

    pub async fn put_values_as_admin(&self, region: &str, period: &str, values: &[(&str, f64)]) -> Answer {
        let answer = self.put_values(&self.admin.clone(), region, period, values).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        answer
    }

    /// The values of `GET /series` as a list.
    pub async fn series(&self, region: &str, indicator: &str, from: &str, to: &str, view: &str) -> Vec<Option<f64>> {
        let answer = self
            .get_as_admin(&format!(
                "/api/v1/series?region={region}&indicator={indicator}&from={from}&to={to}&view={view}"
            ))
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        answer.body["points"].as_array().unwrap().iter().map(|p| p["value"].as_f64()).collect()
    }

    /// A district with towns a, b, c and a zone with two parts; the indicators of every mode.
    pub async fn with_small_world(self) -> TestApp {
        let regions = [
            json!({"id": "district", "name": "全区", "kind": "district"}),
            json!({"id": "town-a", "name": "甲镇", "kind": "town", "parent": "district", "sort": 1}),
            json!({"id": "town-b", "name": "乙镇", "kind": "town", "parent": "district", "sort": 2}),
            json!({"id": "town-c", "name": "丙镇", "kind": "town", "parent": "district", "sort": 3}),
            json!({"id": "kunshan", "name": "昆山市", "kind": "benchmark"}),
        ];
        for r in regions {
            assert_eq!(self.post_region(r).await.status, StatusCode::CREATED);
        }
        let indicators = [
            json!({"code": "gdp", "name": "地区生产总值", "unit": "亿元", "decimals": 2, "mode": "ytd"}),
            json!({"code": "rd_expenditure", "name": "R&D经费支出", "unit": "亿元", "decimals": 2, "mode": "ytd"}),
            json!({"code": "rd_share", "name": "R&D经费占GDP比重", "unit": "%", "decimals": 2, "mode": "derived",
                   "formula": "100 * rd_expenditure / gdp"}),
            json!({"code": "patent_applications", "name": "专利申请量", "unit": "件", "mode": "ytd"}),
            json!({"code": "patent_grants", "name": "专利授权量", "unit": "件", "mode": "ytd"}),
            json!({"code": "talents_introduced", "name": "引进高层次人才", "unit": "人", "mode": "quarter"}),
            json!({"code": "large_enterprises", "name": "销售超亿元企业数", "unit": "家", "mode": "stock"}),
        ];
        for i in indicators {
            let answer = self.post_indicator(i).await;
            assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        }
        self
    }
}

/// Floating-point figures compared to 1e-9.
pub fn assert_figures(got: &[Option<f64>], want: &[Option<f64>]) {
    assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
    for (g, w) in got.iter().zip(want) {
        match (g, w) {
            (Some(g), Some(w)) => assert!((g - w).abs() < 1e-9, "{got:?} vs {want:?}"),
            _ => assert_eq!(g, w, "{got:?} vs {want:?}"),
        }
    }
}

/// `zhibiao serve` (the real binary) on `db`, started in `cwd` with `args` and `env` on a free
/// port; killed when dropped. The settings a test does not give are cleared from the environment.
pub struct Served {
    child: std::process::Child,
    pub base: String,
}

impl Served {
    pub fn start(
        cwd: &std::path::Path,
        db: &std::path::Path,
        args: &[&std::ffi::OsStr],
        env: &[(&str, &str)],
    ) -> Served {
        use std::io::BufRead;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_zhibiao"))
            .current_dir(cwd)
            .arg("serve")
            .arg("--db")
            .arg(db)
            .args(["--addr", "127.0.0.1:0"])
            .args(args)
            .env_remove("ZHIBIAO_CHARTS")
            .env_remove("ZHIBIAO_SECURE_COOKIES")
            .envs(env.iter().copied())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let base = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| line.strip_prefix("zhibiao listening on ").map(str::to_string))
            .expect("the server did not start");
        std::thread::spawn(move || lines.for_each(drop));
        Served { child, base }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `POST /api/v1/imports{query}` of `body` as `content_type`, as `token`.
pub async fn post_import(app: &TestApp, token: &str, query: &str, content_type: &str, body: Vec<u8>) -> Answer {
    let req = app
        .client
        .post(format!("{}/api/v1/imports{query}", app.base))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body);
    app.send(req).await
}
