//! Server-rendered pages in Chinese (SPEC §7): login, dashboard, quarterly entry, targets,
//! benchmarks, assessment, reports, completeness and approval, audit history. Pages only ask the
//! engine; the scripts on them call the JSON API with the session cookie and the CSRF token.
//! Every asset is served by the binary (the bureau's intranet has no internet).

mod audit;
mod pages;

use std::sync::LazyLock;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use minijinja::value::Serde;
use minijinja::{Environment, Value};
use serde::Serialize;

use crate::domain::access::{Role, User};
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
    let viewer = who.map(|w| Viewer {
        name: &w.user.name,
        role: w.user.role,
        is_admin: w.user.is_admin(),
        may_enter: w.user.role != Role::Viewer,
        csrf: &w.csrf,
    });
    let context = minijinja::context! {
        title => title,
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
