//! The JSON API (SPEC §3) with axum. Handlers parse input at the edge, ask the engine inside one
//! blocking task (one transaction for writes) and shape the answer; they compute nothing.
//! Each resource module exposes `router()`; `app()` merges them and documents them (utoipa).

mod assessments;
mod benchmarks;
mod charts;
pub mod error;
pub mod extract;
mod indicators;
pub mod limits;
mod openapi;
mod regions;
mod reports;
mod security;
mod series;
mod targets;
mod timing;
mod transfer;
mod values;
mod workflow;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::routing::get;
use rusqlite::{Connection, TransactionBehavior};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::charts::named::NamedChart;
use crate::error::{AppError, AppResult};
use crate::store::Pool;
use error::{ApiError, ApiResult};
pub use limits::Limits;
use limits::{Interruptible, Work};

/// JSON bodies larger than this are refused with 413.
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    /// the charts of the charts directory, read at start-up
    pub named_charts: Arc<Vec<NamedChart>>,
    pub limits: Limits,
    /// Writes take turns here, in the order they came, before they take a connection: a write
    /// behind a long import waits without holding one, then runs or answers 503.
    writers: Arc<tokio::sync::Mutex<()>>,
}

impl AppState {
    pub fn new(pool: Pool, named_charts: Vec<NamedChart>, limits: Limits) -> AppState {
        AppState { pool, named_charts: Arc::new(named_charts), limits, writers: Arc::default() }
    }

    /// Runs `f` in one transaction on the blocking pool, inside the caller's tracing span; the
    /// transaction commits only when `f` succeeds and, for a write, only if the request's time
    /// limit has not cancelled it (see [`limits`]). Once cancelled, `f`'s statements fail at
    /// their next step and the transaction rolls back.
    async fn transaction<T, F>(&self, write: bool, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> AppResult<T> + Send + 'static,
    {
        let work = Work::current();
        let held = if write {
            let wait = work.as_ref().map_or(self.limits.write_wait, |w| w.remaining().min(self.limits.write_wait));
            let turn = tokio::time::timeout(wait, self.writers.clone().lock_owned()).await.map_err(|_| {
                tracing::warn!(?wait, "a write waited in line for longer than it may");
                ApiError::Busy
            })?;
            let writing = match &work {
                Some(w) => Some(w.writing().await),
                None => None,
            };
            Some((turn, writing))
        } else {
            None
        };
        let behavior = if write { TransactionBehavior::Immediate } else { TransactionBehavior::Deferred };
        let pool = self.pool.clone();
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || {
            // let go only once the transaction has committed or rolled back
            let _held = held;
            span.in_scope(|| {
                if work.as_ref().is_some_and(|w| w.is_cancelled()) {
                    return Err(ApiError::Timeout);
                }
                let conn = pool.get().map_err(|e| ApiError::Internal(e.to_string()))?;
                let tx = rusqlite::Transaction::new_unchecked(&conn, behavior).map_err(AppError::from)?;
                let interruptible = Interruptible::new(&tx, work.clone()).map_err(AppError::from)?;
                let value = f(&tx);
                drop(interruptible);
                let value = value?;
                if write && work.is_some_and(|w| !w.commit()) {
                    // dropping `tx` rolls it back
                    return Err(ApiError::Timeout);
                }
                tx.commit().map_err(AppError::from)?;
                Ok(value)
            })
        })
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
    }

    /// A read: every statement of `f` sees one snapshot of the database.
    pub async fn read<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> AppResult<T> + Send + 'static,
    {
        self.transaction(false, f).await
    }

    /// A write: all of `f` or nothing. Writes of the server take turns (waiting at most
    /// `limits.write_wait`, then 503 `busy`); IMMEDIATE takes SQLite's write lock up front, so
    /// that a write waits for another process's rather than failing when it upgrades a read lock.
    pub async fn write<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> AppResult<T> + Send + 'static,
    {
        self.transaction(true, f).await
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "zhibiao (指标) API", description = "Indicator tracking: regions, indicators, quarterly figures, series, audit."),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    components(schemas(error::ErrorBody))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// The whole application: API routes, OpenAPI document, health check, limits and tracing.
pub fn app(state: AppState) -> Router {
    let limits = state.limits;
    let (api, mut openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest(
            "/api/v1",
            OpenApiRouter::new()
                .merge(regions::router())
                .merge(indicators::router())
                .merge(values::router())
                .merge(series::router())
                .merge(targets::router())
                .merge(benchmarks::router())
                .merge(assessments::router())
                .merge(transfer::router())
                .merge(charts::api_router())
                .merge(reports::api_router())
                .merge(workflow::router()),
        )
        .merge(charts::router())
        .merge(transfer::root_router())
        .merge(reports::router())
        .split_for_parts();
    openapi::finish(&mut openapi);
    let openapi_json = openapi.to_pretty_json().unwrap_or_default();
    api.merge(crate::web::router())
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/api/openapi.json",
            get(move || async move { ([(axum::http::header::CONTENT_TYPE, "application/json")], openapi_json) }),
        )
        .fallback(|uri: axum::http::Uri| async move { ApiError::NoRoute(uri.path().chars().take(200).collect()) })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .with_state(state)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(limits, limits::time_limit))
        .layer(CatchPanicLayer::custom(|_| {
            axum::response::IntoResponse::into_response(ApiError::Internal("处理请求时程序出错（panic）".into()))
        }))
        .layer(axum::middleware::from_fn(security::headers))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let route = req.extensions().get::<MatchedPath>().map(MatchedPath::as_str);
            tracing::info_span!("request", method = %req.method(), route, path = %req.uri().path())
        }))
        // outermost: the time covers the other layers and the handler
        .layer(axum::middleware::from_fn(timing::server_timing))
}

/// A bound server, ready to run. Binding to port 0 picks a free port (tests).
pub struct Application {
    listener: TcpListener,
    router: Router,
}

impl Application {
    pub async fn build(pool: Pool, addr: &str, named_charts: Vec<NamedChart>) -> anyhow::Result<Application> {
        Application::build_with(pool, addr, named_charts, Limits::default()).await
    }

    /// [`Application::build`] with other time limits (tests shorten them).
    pub async fn build_with(
        pool: Pool,
        addr: &str,
        named_charts: Vec<NamedChart>,
        limits: Limits,
    ) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(addr).await?;
        Ok(Application { listener, router: app(AppState::new(pool, named_charts, limits)) })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until SIGINT or SIGTERM; requests in flight finish first.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        axum::serve(self.listener, self.router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown_signal())
            .await
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}
