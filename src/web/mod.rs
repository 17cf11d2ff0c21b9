//! Server-rendered pages in Chinese, a peer of the JSON API (`http`): login, dashboard, quarterly
//! entry, targets, benchmarks, assessment, reports, completeness and approval, audit history.
//! Pages only ask the engine; the scripts on them call the JSON API with the session cookie and
//! the CSRF token. Every asset is served by the binary (the bureau's intranet has no internet).

mod audit;
mod enterprises;
mod login;
mod pages;
mod publications;
mod rectification;
mod what_if;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use minijinja::value::Serde;
use minijinja::{Environment, Value};
use serde::Serialize;
use std::sync::LazyLock;

use crate::app::AppState;
use crate::app::session::session_of;
use crate::domain::access::{Role, User};
use crate::error::{AppError, RETRY_AFTER_SECS};

/// A form sent without the CSRF token of its session (an old tab, a forged request).
const STALE_PAGE: &str = "页面已过期（缺少或不符的 CSRF 令牌），请返回刷新后重试。";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::dashboard))
        .route("/login", get(login::login_form).post(login::login))
        .route("/logout", post(login::logout))
        .route("/entry", get(pages::entry).post(pages::save_entry))
        .route("/targets", get(pages::targets))
        .route("/benchmarks", get(pages::benchmarks))
        .route("/assessment", get(pages::assessment))
        .route("/assessment/what-if", get(what_if::page))
        .route("/reports", get(pages::reports))
        .route("/publications", get(publications::list).post(publications::publish))
        .route("/completeness", get(pages::completeness))
        .route("/audit", get(pages::audit))
        .route("/enterprises", get(enterprises::list))
        .route("/enterprises/{code}", get(enterprises::detail))
        .route("/three-zeros", get(enterprises::board))
        .route("/rectification", get(rectification::list))
        .route("/rectification/mine", get(rectification::mine))
        .route("/rectification/import", get(rectification::import_form).post(rectification::import))
        .route("/rectification/tasks/{id}", get(rectification::task))
        .route("/rectification/tasks/{id}/report", post(rectification::save_report))
        .route("/rectification/tasks/{id}/order", post(rectification::issue_order))
        .route("/rectification/tasks/{id}/done", post(rectification::finish_task))
        .route("/rectification/tasks/{id}/reopen", post(rectification::reopen_task))
        .route("/rectification/orders/{id}/answer", post(rectification::answer_order))
        .route("/rectification/orders/{id}/close", post(rectification::close_order))
        .route("/static/app.css", get(|| async { asset("text/css", include_str!("../../templates/web/app.css")) }))
        .route("/static/app.js", get(|| async { asset("text/javascript", include_str!("../../templates/web/app.js")) }))
        .layer(axum::middleware::from_fn_with_state(login::login_throttle(), login::with_login_throttle))
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
        ("publications.html", include_str!("../../templates/web/publications.html")),
        ("completeness.html", include_str!("../../templates/web/completeness.html")),
        ("audit.html", include_str!("../../templates/web/audit.html")),
        ("error.html", include_str!("../../templates/web/error.html")),
        ("rectification.html", include_str!("../../templates/web/rectification.html")),
        ("rectification_task.html", include_str!("../../templates/web/rectification_task.html")),
        ("rectification_mine.html", include_str!("../../templates/web/rectification_mine.html")),
        ("rectification_import.html", include_str!("../../templates/web/rectification_import.html")),
        ("rectification_form.html", include_str!("../../templates/web/rectification_form.html")),
        ("enterprises.html", include_str!("../../templates/web/enterprises.html")),
        ("enterprises_detail.html", include_str!("../../templates/web/enterprises_detail.html")),
        ("three_zeros.html", include_str!("../../templates/web/three_zeros.html")),
        ("what_if.html", include_str!("../../templates/web/what_if.html")),
    ] {
        env.add_template(name, source).expect("page templates parse");
    }
    crate::reports::format::add_filters(&mut env);
    env
});

/// The signed-in user of a page, with the session's CSRF token; without a session the browser is
/// sent to the login page.
#[derive(Clone)]
pub struct PageUser {
    pub user: User,
    pub csrf: String,
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match session_of(&parts.headers, state).await {
            Ok(Some((user, csrf))) => Ok(PageUser { user, csrf }),
            Ok(None) => Err(Redirect::to("/login").into_response()),
            Err(e) => Err(PageError::new(None, e).into_response()),
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
        may_enter: matches!(w.user.role, Role::Admin | Role::Statistician),
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

/// A page that could not be built: a Chinese error page, with the navigation of whoever asked,
/// under the status of the failure (503 with `Retry-After` when the server is busy). Failures of
/// ours are logged with their cause and shown without it.
pub struct PageError(Box<(Option<PageUser>, AppError)>);

impl PageError {
    pub fn new(who: Option<&PageUser>, error: AppError) -> PageError {
        PageError(Box::new((who.cloned(), error.contention())))
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (who, error) = *self.0;
        let page = serde_json::json!({ "error": error.public_message() });
        failed(render("error.html", who.as_ref(), "出错了", &page), &error)
    }
}

/// `page` as the answer to a request that failed with `error`: under the failure's status (503
/// with `Retry-After`), the cause of a failure of ours logged.
fn failed(mut page: Response, error: &AppError) -> Response {
    let (status, _) = error.status_and_code();
    if error.is_internal() {
        tracing::error!(%error, "page failed");
    }
    *page.status_mut() = status;
    if status == StatusCode::SERVICE_UNAVAILABLE {
        page.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
    }
    page
}

/// The page's error for a failure of the engine, for `?` in page handlers.
trait OrPage<T> {
    fn or_page(self, who: &PageUser) -> Result<T, PageError>;
}

impl<T> OrPage<T> for Result<T, AppError> {
    fn or_page(self, who: &PageUser) -> Result<T, PageError> {
        self.map_err(|e| PageError::new(Some(who), e))
    }
}

/// The parameters of a page's query string, each name once (the first time it is given counts),
/// values trimmed. The pages' queries never fail: what a page cannot use, it notes.
pub(crate) fn first_values(query: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        if !out.iter().any(|(seen, _)| *seen == name) {
            out.push((name.into_owned(), value.trim().to_string()));
        }
    }
    out
}
