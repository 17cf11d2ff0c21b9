//! `/benchmarks`: a region against the benchmark regions.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{ApiResult, ErrorBody};
use super::extract::{ApiQuery, CurrentUser, period};
use crate::domain::benchmark::Comparison;
use crate::engine;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(benchmarks))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BenchmarksQuery {
    #[param(pattern = r"^[a-z0-9][a-z0-9-]{0,63}$", example = "district")]
    region: String,
    #[param(pattern = r"^[a-z][a-z0-9_]{0,63}$", example = "rd_share")]
    indicator: String,
    /// `YYYY` compares annual figures, `YYYYQn` year-to-date ones
    #[param(pattern = r"^[0-9]{4}(Q[1-4])?$", example = "2023")]
    period: String,
    /// comma-separated benchmark region ids (default: all)
    benchmarks: Option<String>,
}

/// Gap, ratio and rank of a region against the benchmark regions.
#[utoipa::path(get, path = "/benchmarks", tag = "benchmarks", params(BenchmarksQuery),
    responses((status = 200, body = Comparison), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn benchmarks(
    State(state): State<AppState>,
    _user: CurrentUser,
    ApiQuery(q): ApiQuery<BenchmarksQuery>,
) -> ApiResult<Json<Comparison>> {
    let period = period("period", &q.period)?;
    let only: Option<Vec<String>> = q
        .benchmarks
        .as_deref()
        .map(|list| list.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect());
    state
        .read(move |conn| engine::benchmarks::benchmarks(conn, &q.region, &q.indicator, period, only.as_deref()))
        .await
        .map(Json)
}
