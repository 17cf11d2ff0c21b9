//! Signing in and out of the pages: the login form with its own CSRF cookie, the password checked
//! outside any transaction and throttled per account and address, the session cookie.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use axum_extra::extract::CookieJar;
use serde::{Deserialize, Serialize};

use super::{PageError, PageUser, STALE_PAGE, render};
use crate::app::AppState;
use crate::app::session::{SESSION_COOKIE, cookie, removal, session_cookie};
use crate::engine::{self, users::LoginThrottle};

const LOGIN_CSRF_COOKIE: &str = "zb_login";

#[derive(Serialize)]
struct LoginPage {
    csrf: String,
    error: Option<String>,
}

pub async fn login_form(State(state): State<AppState>, jar: CookieJar) -> (CookieJar, Response) {
    let csrf = engine::users::random_hex(16);
    let page = render("login.html", None, "登录", &LoginPage { csrf: csrf.clone(), error: None });
    (jar.add(cookie(&state, LOGIN_CSRF_COOKIE, csrf)), page)
}

#[derive(Deserialize)]
pub struct LoginForm {
    name: String,
    password: String,
    csrf: String,
}

/// Signs in. The password is checked outside any transaction (argon2 is slow by design and must not
/// hold up anyone's writes), against a dummy hash for a name without one (as slow, so the time of
/// the answer tells no one which names exist); only the new session is written, in a short write.
/// Repeated attempts per account and per address are slowed down (`LoginThrottle`): 429 with
/// `Retry-After` while locked, whether the password is right or not.
pub async fn login(
    State(state): State<AppState>,
    Extension(throttle): Extension<Arc<LoginThrottle>>,
    ClientAddress(address): ClientAddress,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Response {
    let again = |status, error: String| {
        let csrf = engine::users::random_hex(16);
        let mut page = render("login.html", None, "登录", &LoginPage { csrf: csrf.clone(), error: Some(error) });
        *page.status_mut() = status;
        (jar.clone().add(cookie(&state, LOGIN_CSRF_COOKIE, csrf)), page).into_response()
    };
    if jar.get(LOGIN_CSRF_COOKIE).map(|c| c.value()) != Some(form.csrf.as_str()) {
        return again(StatusCode::UNAUTHORIZED, "页面已过期，请重新登录".into());
    }
    let name = form.name.trim().to_string();
    if let Err(wait) = throttle.begin(&name, address, Instant::now()) {
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let mut page = again(StatusCode::TOO_MANY_REQUESTS, locked_message(seconds));
        page.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        return page;
    }
    let found = {
        let name = name.clone();
        state.read(move |conn| engine::users::password_of(conn, &name)).await
    };
    let (user, hash) = match found {
        Ok(Some((user, hash))) => (Some(user), Some(hash)),
        Ok(None) => (None, None),
        Err(e) => return PageError::new(None, e).into_response(),
    };
    let password = form.password;
    let right = tokio::task::spawn_blocking(move || engine::users::verify_password(hash.as_deref(), &password))
        .await
        .unwrap_or(false);
    let Some(user) = user.filter(|_| right) else {
        return again(StatusCode::UNAUTHORIZED, "用户名或密码错误".into());
    };
    throttle.succeeded(&name, address);
    match state.write(move |conn| engine::users::new_session(conn, &user)).await {
        Ok(session) => {
            let cookie = session_cookie(&state, session.token);
            (jar.remove(removal(&state, LOGIN_CSRF_COOKIE)).add(cookie), Redirect::to("/")).into_response()
        }
        Err(e) => PageError::new(None, e).into_response(),
    }
}

/// 登录失败次数过多：请 N 秒（分钟）后再试.
fn locked_message(seconds: u64) -> String {
    let wait = if seconds < 60 { format!("{seconds} 秒") } else { format!("{} 分钟", seconds.div_ceil(60)) };
    format!("登录尝试过于频繁，已暂时锁定，请 {wait}后再试。")
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    who: PageUser,
    jar: CookieJar,
    Form(form): Form<CsrfForm>,
) -> Response {
    if form.csrf != who.csrf {
        return (StatusCode::FORBIDDEN, Html(STALE_PAGE)).into_response();
    }
    if let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string())
        && let Err(e) = state.write(move |conn| engine::users::end_session(conn, &token)).await
    {
        return PageError::new(Some(&who), e).into_response();
    }
    (jar.remove(removal(&state, SESSION_COOKIE)), Redirect::to("/login")).into_response()
}

pub(super) fn login_throttle() -> Arc<LoginThrottle> {
    engine::users::prepare_password_checks();
    Arc::new(LoginThrottle::default())
}

/// Gives the login its server's throttle, unless one is already there (a test's, with short locks:
/// `startup::router(state).layer(Extension(Arc::new(LoginThrottle::new(…))))`).
pub(super) async fn with_login_throttle(
    State(throttle): State<Arc<LoginThrottle>>,
    mut req: Request,
    next: Next,
) -> Response {
    if req.extensions().get::<Arc<LoginThrottle>>().is_none() {
        req.extensions_mut().insert(throttle);
    }
    next.run(req).await
}

/// The address a request came from: the peer, or for a peer on this machine (a TLS proxy in
/// front of the server) the last address of its `X-Forwarded-For`. None when the server was
/// started without connection information.
pub struct ClientAddress(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let forwarded = || {
            let header = parts.headers.get_all("x-forwarded-for").iter().next_back()?.to_str().ok()?;
            header.rsplit(',').next()?.trim().parse::<IpAddr>().ok()
        };
        Ok(ClientAddress(match peer {
            Some(ip) if ip.is_loopback() => forwarded().or(Some(ip)),
            other => other,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_message_says_how_long_in_seconds_then_minutes() {
        for (seconds, want) in [
            (2, "登录尝试过于频繁，已暂时锁定，请 2 秒后再试。"),
            (59, "登录尝试过于频繁，已暂时锁定，请 59 秒后再试。"),
            (60, "登录尝试过于频繁，已暂时锁定，请 1 分钟后再试。"),
            (61, "登录尝试过于频繁，已暂时锁定，请 2 分钟后再试。"),
            (900, "登录尝试过于频繁，已暂时锁定，请 15 分钟后再试。"),
        ] {
            assert_eq!(locked_message(seconds), want);
        }
    }
}
