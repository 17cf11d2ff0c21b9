//! Every response says how long the server worked on it (`Server-Timing: app;dur=<ms>`), which
//! bench/http.sh reads to measure server time under load.

use reqwest::StatusCode;

use crate::helpers::{TestApp, spawn_demo};

/// `GET path`, checking that the answer says `app;dur=<milliseconds, three decimals>`; its status.
async fn timed_get(app: &TestApp, path: &str, token: Option<&str>) -> StatusCode {
    let mut req = app.client.get(format!("{}{path}", app.base));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    let header = resp
        .headers()
        .get("server-timing")
        .unwrap_or_else(|| panic!("{path}: no Server-Timing header"))
        .to_str()
        .unwrap()
        .to_string();
    let ms = header
        .strip_prefix("app;dur=")
        .and_then(|d| d.parse::<f64>().ok())
        .unwrap_or_else(|| panic!("{path}: Server-Timing is '{header}'"));
    assert!(ms >= 0.0 && ms.is_finite(), "{path}: {header}");
    assert_eq!(header.split('.').nth(1).map(str::len), Some(3), "{path}: three decimals in '{header}'");
    resp.status()
}

#[tokio::test]
async fn health_checks_and_api_answers_carry_the_servers_time_in_milliseconds() {
    let app = spawn_demo().await;
    let admin = app.admin.clone();
    let cases: [(&str, Option<&str>, StatusCode); 4] = [
        ("/healthz", None, StatusCode::OK),
        (
            "/api/v1/series?region=district&indicator=rd_share&from=2022Q1&to=2023Q4&view=ytd",
            Some(&admin),
            StatusCode::OK,
        ),
        ("/api/v1/progress?indicator=rd_expenditure&period=2023Q4&parent=district", Some(&admin), StatusCode::OK),
        // refusals are timed too
        ("/api/v1/series?region=district", None, StatusCode::UNAUTHORIZED),
    ];
    for (path, token, status) in cases {
        assert_eq!(timed_get(&app, path, token).await, status, "{path}");
    }
}
