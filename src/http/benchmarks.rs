//! `/benchmarks`: a region against the benchmark regions.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::{ApiQuery, CurrentUser, region_id};
use crate::app::AppState;
use crate::domain::benchmark::Comparison;
use crate::domain::{IndicatorCode, Period, RegionId};
use crate::engine;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(benchmarks)).routes(routes!(what_if))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BenchmarksQuery {
    #[param(value_type = RegionId, inline, example = "district")]
    region: String,
    #[param(value_type = IndicatorCode, inline, example = "rd_share")]
    indicator: String,
    /// `YYYY` compares annual figures, `YYYYQn` year-to-date ones
    #[param(inline, example = "2023")]
    period: Period,
    /// comma-separated benchmark region ids (default: all but `region`); an id of no region →
    /// 404, of a region that is not a benchmark or is `region` itself → 422
    #[param(pattern = r"^[a-z0-9][a-z0-9-]{0,63}(,[a-z0-9][a-z0-9-]{0,63})*$", example = "kunshan,jiangyin")]
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
    let period = q.period;
    let only: Option<Vec<String>> = q.benchmarks.as_deref().map(|list| list.split(',').map(str::to_string).collect());
    for id in only.iter().flatten() {
        region_id("benchmarks", id)?;
    }
    state
        .read(move |conn| {
            let world = engine::world(conn)?;
            for id in only.iter().flatten() {
                world.region(id)?;
            }
            engine::benchmarks::benchmarks(conn, &q.region, &q.indicator, period, only.as_deref())
        })
        .await
        .map(Json)
        .map_err(ApiError::from)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WhatIfQuery {
    #[param(value_type = RegionId, inline, example = "district")]
    region: String,
    /// a derived ratio, e.g. `rd_share` (`100 * rd_expenditure / gdp`)
    #[param(value_type = IndicatorCode, inline, example = "rd_share")]
    indicator: String,
    /// a benchmark region
    #[param(value_type = RegionId, inline, example = "jiangyin")]
    benchmark: String,
    /// `YYYY` or `YYYYQn`
    #[param(inline, example = "2023")]
    period: Period,
}

/// What it takes to reach a benchmark: the ratio's numerator that closes the gap at the current
/// denominator (R&D share 1.8% → 江阴's 2.1% at GDP 1000亿元 needs +3亿元 of R&D).
#[utoipa::path(get, path = "/what-if/benchmark", tag = "benchmarks", params(WhatIfQuery),
    responses((status = 200, body = engine::benchmarks::BenchmarkWhatIf), (status = 404, body = ErrorBody),
              (status = 422, description = "not a ratio, not a benchmark, or no figure to compare", body = ErrorBody)))]
async fn what_if(
    State(state): State<AppState>,
    _user: CurrentUser,
    ApiQuery(q): ApiQuery<WhatIfQuery>,
) -> ApiResult<Json<engine::benchmarks::BenchmarkWhatIf>> {
    Ok(Json(
        state
            .read(move |conn| engine::benchmarks::what_if(conn, &q.region, &q.indicator, &q.benchmark, q.period))
            .await?,
    ))
}
