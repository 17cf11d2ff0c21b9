//! `/assessments/{year}` and its scheme.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiResult, ErrorBody};
use super::extract::{ApiJson, ApiPath, ApiQuery, CurrentUser, region_id, year, year_in_path};
use crate::app::AppState;
use crate::domain::RegionId;
use crate::domain::assessment::Scheme;
use crate::domain::assessment_what_if::AssessmentWhatIf;
use crate::engine;
use crate::engine::assessments::Assessment;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_scheme, put_scheme)).routes(routes!(result)).routes(routes!(what_if))
}

/// The year a path names.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // only documents the path; `ApiPath` reads it
struct YearPath {
    /// `YYYY`, 1900 to 2200
    #[param(pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)$", example = "2023")]
    year: String,
}

#[utoipa::path(get, path = "/assessments/{year}/scheme", tag = "assessments", params(YearPath),
    responses((status = 200, body = Scheme), (status = 404, body = ErrorBody)))]
async fn get_scheme(State(state): State<AppState>, _user: CurrentUser, ApiPath(y): ApiPath) -> ApiResult<Json<Scheme>> {
    let y = year_in_path(&y)?;
    Ok(Json(state.read(move |conn| engine::assessments::scheme(conn, y)).await?))
}

/// Sets the year's scheme (admin).
#[utoipa::path(put, path = "/assessments/{year}/scheme", tag = "assessments", params(YearPath), request_body = Scheme,
    responses((status = 200, body = Scheme), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_scheme(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(y): ApiPath,
    ApiJson(scheme): ApiJson<Scheme>,
) -> ApiResult<Json<Scheme>> {
    let y = year_in_path(&y)?;
    Ok(Json(state.write(move |tx| engine::assessments::set_scheme(tx, &user, y, scheme)).await?))
}

/// Scores, ranks and grades of the assessed regions, every score explained.
#[utoipa::path(get, path = "/assessments/{year}", tag = "assessments", params(YearPath),
    responses((status = 200, body = Assessment), (status = 404, body = ErrorBody),
              (status = 409, description = "the year's scheme no longer fits the regions or indicators", body = ErrorBody)))]
async fn result(State(state): State<AppState>, _user: CurrentUser, ApiPath(y): ApiPath) -> ApiResult<Json<Assessment>> {
    let y = year_in_path(&y)?;
    Ok(Json(state.read(move |conn| engine::assessments::result(conn, y)).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WhatIfQuery {
    /// the year of the assessment scheme
    #[param(minimum = 1900, maximum = 2200, example = 2023)]
    year: i32,
    /// an assessed region (a region the scheme does not assess → 422)
    #[param(value_type = RegionId, inline, example = "town-yi")]
    region: String,
    /// `grade:良好` (that grade or better; a grade of the scheme), `rank:3` (third place or
    /// better), `total:85` (an adjusted total of 85 or more)
    #[param(pattern = r"^(grade:.+|rank:[1-9][0-9]{0,8}|total:-?[0-9]{1,9}(\.[0-9]{1,6})?)$", example = "grade:良好")]
    goal: String,
}

/// What it takes to reach a grade, a rank or a total: for each item of the year's scheme, the
/// smallest change of that one indicator's annual value for the region (all other figures held)
/// that reaches the goal, re-scored by the assessment's own rule; or why it cannot (`reason`: a
/// cap, a floor, a veto, first place of a rank item, no target), with a Chinese sentence
/// (`乙镇R&D经费支出再增加0.21亿元（+15.0%）即可达到良好`). Whoever may read the assessment may ask.
#[utoipa::path(get, path = "/what-if/assessment", tag = "assessments", params(WhatIfQuery),
    responses((status = 200, body = AssessmentWhatIf),
              (status = 404, description = "no such region, or the year has no scheme", body = ErrorBody),
              (status = 409, description = "the year's scheme no longer fits the regions or indicators", body = ErrorBody),
              (status = 422, description = "a malformed goal or a grade the scheme does not have (`goal`), a region \
                                            the scheme does not assess (`region`), a year out of range (`year`)",
               body = ErrorBody)))]
async fn what_if(
    State(state): State<AppState>,
    _user: CurrentUser,
    ApiQuery(q): ApiQuery<WhatIfQuery>,
) -> ApiResult<Json<AssessmentWhatIf>> {
    let y = year("year", q.year)?;
    region_id("region", &q.region)?;
    Ok(Json(state.read(move |conn| engine::what_if::assessment(conn, y, &q.region, &q.goal)).await?))
}
