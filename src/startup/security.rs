//! Security headers on every answer: pages, API, assets, reports and charts, errors included.
//!
//! The pages load their one script and one style sheet from the server and carry no inline script,
//! event handler or style attribute, so their policy allows only `'self'`. Reports and charts are
//! self-contained documents (a `<style>` element, inline SVG, style attributes) meant to be saved
//! and printed: their policy allows inline styles and nothing else — no script at all.

use axum::extract::Request;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, CONTENT_TYPE, HeaderValue, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::middleware::Next;
use axum::response::Response;

/// Pages, the API and the assets.
pub const PAGE_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Reports (`/reports/…`) and SVG charts: inline styles, images as data URIs, no script.
pub const DOCUMENT_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
     font-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Adds the security headers to the answer of `req` (a policy the handler set itself is kept).
pub async fn headers(req: Request, next: Next) -> Response {
    let report = req.uri().path().starts_with("/reports/");
    let mut response = next.run(req).await;
    let svg = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("image/svg+xml"));
    let policy = if report || svg { DOCUMENT_POLICY } else { PAGE_POLICY };
    let headers = response.headers_mut();
    headers.entry(CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(policy));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    response
}
