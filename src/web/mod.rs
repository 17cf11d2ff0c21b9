//! Server-rendered pages in Chinese (SPEC §7): login, dashboard, quarterly entry, targets,
//! benchmarks, assessment, reports, completeness and approval, audit history. Pages only ask the
//! engine; the scripts on them call the JSON API with the session cookie and the CSRF token.
//! Every asset is served by the binary (the bureau's intranet has no internet).

mod audit;
mod pages;

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock};

use axum::Router;
use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use minijinja::value::Serde;
use minijinja::{Environment, Value};
use serde::Serialize;

use crate::domain::access::{Role, User};
use crate::engine::{self, users::LoginThrottle};
use crate::http::AppState;
use crate::http::extract::session_of;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::dashboard))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/entry", get(pages::entry).post(pages::save_entry))
        .route("/targets", get(pages::targets))
        .route("/benchmarks", get(pages::benchmarks))
        .route("/assessment", get(pages::assessment))
        .route("/reports", get(pages::reports))
        .route("/completeness", get(pages::completeness))
        .route("/audit", get(pages::audit))
        .route("/static/app.css", get(|| async { asset("text/css", include_str!("../../templates/web/app.css")) }))
        .route("/static/app.js", get(|| async { asset("text/javascript", include_str!("../../templates/web/app.js")) }))
        .layer(axum::middleware::from_fn_with_state(login_throttle(), with_login_throttle))
}

fn login_throttle() -> Arc<LoginThrottle> {
    engine::users::prepare_password_checks();
    Arc::new(LoginThrottle::default())
}

/// Gives the login its server's throttle, unless one is already there (a test's, with short locks:
/// `app(state).layer(Extension(Arc::new(LoginThrottle::new(…))))`).
async fn with_login_throttle(
    axum::extract::State(throttle): axum::extract::State<Arc<LoginThrottle>>,
    mut req: Request,
    next: Next,
) -> Response {
    if req.extensions().get::<Arc<LoginThrottle>>().is_none() {
        req.extensions_mut().insert(throttle);
    }
    next.run(req).await
}

/// Whether cookies carry `Secure` (`serve --secure-cookies`, behind a TLS proxy): set once at
/// start-up, before the server answers anything.
static SECURE_COOKIES: AtomicBool = AtomicBool::new(false);

pub fn use_secure_cookies(secure: bool) {
    SECURE_COOKIES.store(secure, Ordering::Relaxed);
}

fn secure_cookies() -> bool {
    SECURE_COOKIES.load(Ordering::Relaxed)
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

fn asset(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "max-age=3600")], body).into_response()
}

static PAGES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, source) in [
        ("base.html", include_str!("../../templates/web/base.html")),
        ("login.html", include_str!("../../templates/web/login.html")),
        ("dashboard.html", include_str!("../../templates/web/dashboard.html")),
        ("entry.html", include_str!("../../templates/web/entry.html")),
        ("targets.html", include_str!("../../templates/web/targets.html")),
        ("benchmarks.html", include_str!("../../templates/web/benchmarks.html")),
        ("assessment.html", include_str!("../../templates/web/assessment.html")),
        ("reports.html", include_str!("../../templates/web/reports.html")),
        ("completeness.html", include_str!("../../templates/web/completeness.html")),
        ("audit.html", include_str!("../../templates/web/audit.html")),
    ] {
        env.add_template(name, source).expect("page templates parse");
    }
    crate::reports::format::add_filters(&mut env);
    env
});

/// The signed-in user of a page, with the session's CSRF token; without a session the browser is
/// sent to the login page.
pub struct PageUser {
    pub user: User,
    pub csrf: String,
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match session_of(parts, state).await {
            Ok(Some((user, csrf))) => Ok(PageUser { user, csrf }),
            Ok(None) => Err(Redirect::to("/login").into_response()),
            Err(e) => Err(e.into_response()),
        }
    }
}

#[derive(Serialize)]
struct Viewer<'a> {
    name: &'a str,
    role: Role,
    is_admin: bool,
    may_enter: bool,
    csrf: &'a str,
}

/// Renders a page for `who` with `data` under `page`.
fn render<T: Serialize>(template: &str, who: Option<&PageUser>, title: &str, data: &T) -> Response {
    render_noted(template, who, title, data, None)
}

/// A page with a note above it: what was asked for and could not be shown, and what is instead.
fn render_noted<T: Serialize>(
    template: &str,
    who: Option<&PageUser>,
    title: &str,
    data: &T,
    notice: Option<&str>,
) -> Response {
    let viewer = who.map(|w| Viewer {
        name: &w.user.name,
        role: w.user.role,
        is_admin: w.user.is_admin(),
        may_enter: w.user.role != Role::Viewer,
        csrf: &w.csrf,
    });
    let context = minijinja::context! {
        title => title,
        notice => notice,
        viewer => Value::from(Serde(viewer)),
        page => Value::from(Serde(data)),
    };
    match PAGES.get_template(template).and_then(|t| t.render(context)) {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!("rendering {template}: {e:#}");
            (StatusCode::INTERNAL_SERVER_ERROR, "页面出错").into_response()
        }
    }
}
