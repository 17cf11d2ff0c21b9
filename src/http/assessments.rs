//! `/assessments/{year}` and its scheme.

use axum::Json;
use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiResult, ErrorBody};
use super::extract::{ApiJson, ApiPath, CurrentUser, year_in_path};
use crate::app::AppState;
use crate::domain::assessment::Scheme;
use crate::engine;
use crate::engine::assessments::Assessment;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_scheme, put_scheme)).routes(routes!(result))
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
