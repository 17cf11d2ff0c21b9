//! `/departments`: the bureau's departments (科室), which officers act for and tasks belong to.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiResult, ErrorBody};
use super::extract::{ApiJson, CurrentUser, whole_opt};
use crate::app::AppState;
use crate::engine;
use crate::engine::departments::Department;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create))
}

/// A department to register.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentBody {
    /// 1 to 50 characters, not only spaces (they are trimmed)
    #[schema(min_length = 1, max_length = 50, pattern = r"[^\s\u0085]", example = "高新技术科")]
    name: String,
    /// its place in the order (departments are listed by it, then by name); null or absent: after
    /// those already registered
    #[serde(default, deserialize_with = "whole_opt")]
    sort: Option<i64>,
}

/// The departments' names, in their order.
#[utoipa::path(get, path = "/departments", tag = "departments",
    responses((status = 200, body = [String], example = json!(["局办公室", "高新技术科"]))))]
async fn list(State(state): State<AppState>, _user: CurrentUser) -> ApiResult<Json<Vec<String>>> {
    Ok(Json(state.read(engine::departments::list).await?))
}

/// Registers a department (admins).
#[utoipa::path(post, path = "/departments", tag = "departments", request_body = DepartmentBody,
    responses((status = 201, body = Department),
              (status = 409, description = "a department of this name is registered", body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiJson(body): ApiJson<DepartmentBody>,
) -> ApiResult<(StatusCode, Json<Department>)> {
    let created = state.write(move |tx| engine::departments::add(tx, &user, &body.name, body.sort)).await?;
    Ok((StatusCode::CREATED, Json(created)))
}
