//! Start-up: the router that serves the JSON API (`http`) and the pages (`web`) side by side,
//! the layers every answer passes (time limit, panics, security headers, tracing, timing), the
//! OpenAPI document, and the server that runs until it is told to stop.

mod security;
mod timing;

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

use crate::app::{AppState, Limits, limits};
use crate::charts::named::NamedChart;
use crate::error::AppError;
use crate::http::error::ApiError;
use crate::store::Pool;

/// The whole application: API routes and their document, pages, health check, limits and tracing.
pub fn router(state: AppState) -> Router {
    let limits = state.limits;
    let (api, openapi) = crate::http::router();
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
        .layer(DefaultBodyLimit::max(crate::http::BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(limits, time_limit))
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::from(AppError::Internal("处理请求时程序出错（panic）".into())).into_response()
        }))
        .layer(axum::middleware::from_fn(security::headers))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let route = req.extensions().get::<MatchedPath>().map(MatchedPath::as_str);
            tracing::info_span!("request", method = %req.method(), route, path = %req.uri().path())
        }))
        // outermost: the time covers the other layers and the handler
        .layer(axum::middleware::from_fn(timing::server_timing))
}

/// Answers 408 when a request takes longer than `limits.request` (see [`limits::within`]).
async fn time_limit(State(limits): State<Limits>, req: Request, next: Next) -> Response {
    match limits::within(limits, next.run(req)).await {
        Some(response) => response,
        None => ApiError::from(AppError::Timeout).into_response(),
    }
}

/// A bound server, ready to run. Binding to port 0 picks a free port (tests).
pub struct Application {
    listener: TcpListener,
    router: Router,
}

impl Application {
    /// The server of `state` on `addr`.
    pub async fn build(state: AppState, addr: &str) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(addr).await?;
        Ok(Application { listener, router: router(state) })
    }

    /// The server of a database with the default limits.
    pub async fn with_default_limits(
        pool: Pool,
        addr: &str,
        named_charts: Vec<NamedChart>,
    ) -> anyhow::Result<Application> {
        Application::build(AppState::new(pool, named_charts, Limits::default()), addr).await
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
