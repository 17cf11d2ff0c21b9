//! `/charts/{kind}.svg|.png?…`, `/charts/named/{name}.svg|.png` and the list of named charts.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::{ApiPath, CurrentUser};
use crate::app::{AppState, off_the_runtime};
use crate::charts::named::NamedChart;
use crate::charts::{ChartSpec, Format, Kind, render, spec};
use crate::engine;
use crate::error::AppError;

/// Drawing routes, at the root like the pages that embed them.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(draw_kind)).routes(routes!(draw_named))
}

/// The list of named charts, under `/api/v1`.
pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_named))
}

/// `benchmarks.svg` → (`benchmarks`, SVG)
fn split_file(file: &str) -> Result<(&str, Format), ApiError> {
    file.rsplit_once('.')
        .and_then(|(stem, ext)| Some((stem, Format::from_extension(ext)?)))
        .ok_or_else(|| ApiError::NoRoute(format!("{file}：图表的文件名以 .svg 或 .png 结尾")))
}

async fn draw(state: &AppState, chart_spec: ChartSpec, title: Option<String>, format: Format) -> ApiResult<Response> {
    let chart = state.read(move |conn| engine::charts::chart(conn, &chart_spec, title.as_deref())).await?;
    let bytes = off_the_runtime(move || Ok(render(&chart, format)?)).await?;
    Ok(([(header::CONTENT_TYPE, format.content_type()), (header::CACHE_CONTROL, "no-cache")], bytes).into_response())
}

/// The parameters of the chart kinds; each kind takes its own and refuses the others (422).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // only documents the query; `spec::parse` reads it
struct ChartQuery {
    /// target-vs-actual, trend, benchmarks
    indicator: Option<String>,
    /// target-vs-actual, benchmarks, progress: `YYYYQn` (benchmarks also `YYYY`)
    period: Option<String>,
    /// target-vs-actual: its children are drawn
    parent: Option<String>,
    /// trend, benchmarks, progress
    region: Option<String>,
    /// trend: first quarter
    from: Option<String>,
    /// trend: last quarter
    to: Option<String>,
    /// assessment: `YYYY`
    #[param(example = "2023")]
    year: Option<String>,
}

/// Draws a chart of one of the five kinds; the parameters depend on the kind.
#[utoipa::path(get, path = "/charts/{file}", tag = "charts",
    params(("file" = String, Path, description = "kind and format, e.g. `benchmarks.svg` or `trend.png`; kinds: target-vs-actual, trend, benchmarks, assessment, progress", pattern = r"^(target-vs-actual|trend|benchmarks|assessment|progress)\.(svg|png)$", example = "assessment.svg"),
           ChartQuery),
    responses((status = 200, description = "the chart, SVG or PNG by the file's ending",
                  content(("image/svg+xml"), ("image/png"))),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 409, description = "an assessment chart whose scheme no longer fits", body = ErrorBody)))]
async fn draw_kind(
    State(state): State<AppState>,
    _user: CurrentUser,
    ApiPath(file): ApiPath,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let (kind, format) = split_file(&file)?;
    let kind = Kind::parse(kind).ok_or_else(|| ApiError::NoRoute(format!("/charts/{file}：没有这种图表")))?;
    let params: BTreeMap<String, String> =
        form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect();
    let chart_spec = spec::parse(kind, &params).map_err(AppError::Invalid)?;
    draw(&state, chart_spec, None, format).await
}

/// Draws a chart defined in the charts directory.
#[utoipa::path(get, path = "/charts/named/{file}", tag = "charts",
    params(("file" = String, Path, description = "name and format, e.g. `rd-share-benchmarks.svg`", pattern = r"^[a-z0-9][a-z0-9_-]*\.(svg|png)$", example = "rd-share-benchmarks.svg")),
    responses((status = 200, description = "the chart, SVG or PNG by the file's ending",
                  content(("image/svg+xml"), ("image/png"))),
              (status = 404, body = ErrorBody),
              (status = 409, description = "an assessment chart whose scheme no longer fits", body = ErrorBody)))]
async fn draw_named(State(state): State<AppState>, _user: CurrentUser, ApiPath(file): ApiPath) -> ApiResult<Response> {
    let (name, format) = split_file(&file)?;
    let named = state
        .named_charts
        .iter()
        .find(|c| c.name == name)
        .ok_or_else(|| ApiError::NoRoute(format!("/charts/named/{file}：没有这个名称的图表")))?;
    let chart_spec =
        named.spec.clone().ok_or_else(|| ApiError::from(AppError::Internal(format!("图表 {name} 的定义未能读入"))))?;
    draw(&state, chart_spec, Some(named.title.clone()), format).await
}

/// The named charts (the dashboard shows them).
#[utoipa::path(get, path = "/charts", tag = "charts", responses((status = 200, body = [NamedChart])))]
async fn list_named(State(state): State<AppState>, _user: CurrentUser) -> Json<Vec<NamedChart>> {
    Json(state.named_charts.as_ref().clone())
}
