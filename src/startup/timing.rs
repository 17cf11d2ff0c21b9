//! `Server-Timing: app;dur=<ms>` on every response: the time from the request reaching the router
//! to its response headers being ready, so benchmarks (bench/http.sh) can tell the server's work
//! from the network and the load generator. It measures; it changes nothing else.

use std::time::Instant;

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

const SERVER_TIMING: HeaderName = HeaderName::from_static("server-timing");

pub async fn server_timing(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let mut response = next.run(req).await;
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    if let Ok(value) = HeaderValue::from_str(&format!("app;dur={ms:.3}")) {
        response.headers_mut().append(SERVER_TIMING, value);
    }
    response
}
