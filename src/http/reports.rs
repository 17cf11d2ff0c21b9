//! `/reports/...` (HTML, XLSX or JSON by the file's ending) and `/api/v1/completeness`.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::{ApiPath, ApiQuery, CurrentUser, period, quarter, year_in_path};
use crate::app::{AppState, off_the_runtime};
use crate::domain::{Period, RegionId};
use crate::engine::completeness::{RegionCompleteness, for_period};
use crate::reports::{Format, Report, assessment, bulletin, completeness, rectification, three_zeros};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(bulletin_report))
        .routes(routes!(assessment_report))
        .routes(routes!(completeness_report))
        .routes(routes!(rectification_report))
        .routes(routes!(three_zeros_report))
}

pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(completeness_api))
}

/// `2023Q3.html` → (`2023Q3`, HTML)
pub(super) fn split_file<'a>(file: &'a str, formats: &[Format]) -> Result<(&'a str, Format), ApiError> {
    file.rsplit_once('.')
        .and_then(|(stem, ext)| Some((stem, Format::parse(ext).filter(|f| formats.contains(f))?)))
        .ok_or_else(|| ApiError::NoRoute(format!("{file}：报表的文件名以 .html、.xlsx 或 .json 结尾")))
}

pub(super) fn download(bytes: Vec<u8>, format: Format, name: &str) -> Response {
    let disposition = match format {
        Format::Xlsx => format!("attachment; filename=\"{name}.xlsx\""),
        _ => "inline".to_string(),
    };
    ([(header::CONTENT_TYPE, format.content_type().to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes)
        .into_response()
}

const ALL: [Format; 3] = [Format::Html, Format::Xlsx, Format::Json];

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegionQuery {
    /// default: the root of the tree
    #[param(inline, example = "district")]
    region: Option<RegionId>,
}

/// The statistical bulletin (统计公报) of a region, for the year to a quarter or for a whole year.
#[utoipa::path(get, path = "/reports/bulletin/{file}", tag = "reports",
    params(("file" = String, Path, description = "quarter or year and format, e.g. `2023Q3.html`, `2023Q3.xlsx`, `2023.json`", pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)(Q[1-4])?\.(html|xlsx|json)$", example = "2023Q3.json"), RegionQuery),
    responses((status = 200, description = "the report, by the file's ending", content(("text/html"),
                  ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), ("application/json"))), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn bulletin_report(
    State(state): State<AppState>,
    _user: CurrentUser,
    ApiPath(file): ApiPath,
    ApiQuery(q): ApiQuery<RegionQuery>,
) -> ApiResult<Response> {
    let (stem, format) = split_file(&file, &ALL)?;
    let period = period("period", stem)?;
    let report = state.read(move |conn| bulletin::build(conn, q.region.as_ref(), period)).await?;
    let bytes = off_the_runtime(move || report.render(format)).await?;
    Ok(download(bytes, format, &format!("bulletin-{period}")))
}

/// The year-end assessment: scores explained, benchmarks, charts.
#[utoipa::path(get, path = "/reports/assessment/{file}", tag = "reports",
    params(("file" = String, Path, description = "year and format, e.g. `2023.html`", pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)\.(html|xlsx|json)$", example = "2023.json")),
    responses((status = 200, description = "the report, by the file's ending", content(("text/html"),
                  ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), ("application/json"))), (status = 404, body = ErrorBody),
              (status = 409, description = "the year's scheme no longer fits the regions or indicators", body = ErrorBody)))]
async fn assessment_report(
    State(state): State<AppState>,
    _user: CurrentUser,
    ApiPath(file): ApiPath,
) -> ApiResult<Response> {
    let (stem, format) = split_file(&file, &ALL)?;
    let year = year_in_path(stem)?;
    let report = state.read(move |conn| assessment::build(conn, year)).await?;
    let bytes = off_the_runtime(move || report.render(format)).await?;
    Ok(download(bytes, format, &format!("assessment-{year}")))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ParentQuery {
    /// only the reporting regions below this one
    #[param(inline, example = "district")]
    parent: Option<RegionId>,
}

/// Who has not reported what in a quarter.
#[utoipa::path(get, path = "/reports/completeness/{file}", tag = "reports",
    params(("file" = String, Path, description = "quarter or year (annual indicators) and format, e.g. `2023Q3.html`, `2023.json`", pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)(Q[1-4])?\.(html|xlsx|json)$", example = "2023Q3.json"), ParentQuery),
    responses((status = 200, description = "the report, by the file's ending", content(("text/html"),
                  ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), ("application/json"))), (status = 404, body = ErrorBody)))]
async fn completeness_report(
    State(state): State<AppState>,
    _user: CurrentUser,
    ApiPath(file): ApiPath,
    ApiQuery(q): ApiQuery<ParentQuery>,
) -> ApiResult<Response> {
    let (stem, format) = split_file(&file, &ALL)?;
    let period = period("period", stem)?;
    let report = state.read(move |conn| completeness::build(conn, period, q.parent.as_ref())).await?;
    let bytes = off_the_runtime(move || report.render(format)).await?;
    Ok(download(bytes, format, &format!("completeness-{period}")))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OnQuery {
    /// the day the report is as of, `YYYY-MM-DD` (default: the last day the quarter's progress
    /// reports are due, 15 days after it ends)
    #[param(inline, example = "2024-01-15")]
    on: Option<crate::domain::period::Day>,
}

/// 整改工作进展情况通报: the rectification tasks with their lights, progress, linked targets and
/// open orders, and a summary per department, as of a quarter's report due date or a day.
#[utoipa::path(get, path = "/reports/rectification/{file}", tag = "reports",
    params(("file" = String, Path, description = "quarter and format, e.g. `2023Q4.html`, `2023Q4.xlsx`, `2023Q4.json`", pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)Q[1-4]\.(html|xlsx|json)$", example = "2023Q4.json"), OnQuery),
    responses((status = 200, description = "the report, by the file's ending", content(("text/html"),
                  ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), ("application/json"))), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn rectification_report(
    State(state): State<AppState>,
    _user: CurrentUser,
    ApiPath(file): ApiPath,
    ApiQuery(q): ApiQuery<OnQuery>,
) -> ApiResult<Response> {
    let (stem, format) = split_file(&file, &ALL)?;
    let quarter = quarter("period", stem)?;
    let on = q.on.map_or_else(|| rectification::as_of(quarter), |d| d.0);
    let report = state.read(move |conn| rectification::build(conn, on)).await?;
    let bytes = off_the_runtime(move || report.render(format)).await?;
    Ok(download(bytes, format, &format!("rectification-{quarter}")))
}

/// 三个零 lists for the towns' visits: a sheet per list (code, name, town) and a summary of the
/// counts per town with the change since the quarter before. Only the enterprises the user may
/// see; 403 to whoever may see none of the region's (a list is confidential). Every export is audited.
#[utoipa::path(get, path = "/reports/three-zeros/{file}", tag = "reports",
    params(("file" = String, Path, description = "quarter and format, e.g. `2024Q1.xlsx`, `2024Q1.json`", pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)Q[1-4]\.(xlsx|json)$", example = "2024Q1.json"), RegionQuery),
    responses((status = 200, description = "the lists, by the file's ending", content(
                  ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), ("application/json"))),
              (status = 403, description = "viewers and officers, or a region not the statistician's", body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn three_zeros_report(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(file): ApiPath,
    ApiQuery(q): ApiQuery<RegionQuery>,
) -> ApiResult<Response> {
    let (stem, format) = split_file(&file, &[Format::Xlsx, Format::Json])?;
    let quarter = quarter("period", stem)?;
    let ext = if format == Format::Xlsx { "XLSX" } else { "JSON" };
    let report = state
        .write(move |conn| {
            three_zeros::export(conn, &user, Period::Quarter(quarter), q.region.as_ref().map(|r| r.as_str()), ext)
        })
        .await?;
    let bytes = off_the_runtime(move || report.render(format)).await?;
    Ok(download(bytes, format, &format!("three-zeros-{quarter}")))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompletenessQuery {
    /// `YYYYQn`, or `YYYY` for the annual indicators
    #[param(inline, example = "2023Q3")]
    period: Period,
    #[param(inline, example = "district")]
    parent: Option<RegionId>,
}

/// Per reporting region: state, missing indicators, when it last submitted.
#[utoipa::path(get, path = "/completeness", tag = "reports", params(CompletenessQuery),
    responses((status = 200, body = [RegionCompleteness]), (status = 404, description = "no such parent", body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn completeness_api(
    State(state): State<AppState>,
    _user: CurrentUser,
    ApiQuery(q): ApiQuery<CompletenessQuery>,
) -> ApiResult<Json<Vec<RegionCompleteness>>> {
    Ok(Json(state.read(move |conn| for_period(conn, q.period, q.parent.as_ref())).await?))
}
