//! Browser sessions and their cookies, the one place both the pages and the JSON API (the scripts
//! on the pages) read them: the session cookie, the CSRF token that goes with it, and how every
//! cookie of ours is built.

use axum::http::HeaderMap;
use axum_extra::extract::cookie::{Cookie, SameSite};

use super::AppState;
use crate::domain::access::User;
use crate::engine;
use crate::error::AppResult;

/// The name of the browser session's cookie.
pub const SESSION_COOKIE: &str = "zb_session";
/// Requests that change something on a browser session carry the session's CSRF token here.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Longer than any token we issue: not looked up.
const MAX_TOKEN_LEN: usize = 200;

/// The user and CSRF token of the session cookie, if it names a live session.
pub async fn session_of(headers: &HeaderMap, state: &AppState) -> AppResult<Option<(User, String)>> {
    let jar = axum_extra::extract::CookieJar::from_headers(headers);
    let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()).filter(|t| t.len() <= MAX_TOKEN_LEN)
    else {
        return Ok(None);
    };
    state.read(move |conn| engine::users::session(conn, &token)).await
}

/// A cookie of ours: only for the server (no script reads it), only sent by our own pages, and
/// `Secure` when the server is behind TLS.
pub fn cookie(state: &AppState, name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build((name, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/")
        .secure(state.secure_cookies)
        .build()
}

/// The session cookie of a new session, lasting as long as the session does.
pub fn session_cookie(state: &AppState, token: String) -> Cookie<'static> {
    let mut cookie = cookie(state, SESSION_COOKIE, token);
    cookie.set_max_age(cookie::time::Duration::hours(engine::users::SESSION_HOURS));
    cookie
}

/// The cookie that removes `name`, with the attributes it was set with.
pub fn removal(state: &AppState, name: &'static str) -> Cookie<'static> {
    cookie(state, name, String::new())
}
