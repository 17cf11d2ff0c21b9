//! `/regions`: the reporting tree and the benchmark regions.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::{ApiJson, ApiPath, CurrentUser, whole};
use crate::app::AppState;
use crate::domain::{Region, RegionDraft, RegionId, RegionKind};
use crate::engine;
use crate::error::AppError;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(get_one, update, delete))
}

/// A region's id, as the document describes one in a list: [`RegionId`]'s pattern, as a component
/// of its own with an example.
pub struct RegionIdText;

impl utoipa::PartialSchema for RegionIdText {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        #[allow(deprecated)] // `example`, as the derived schemas of the document write it
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("A region's id, as the document describes one in a list."))
            .pattern(Some(RegionId::PATTERN))
            .example(Some(serde_json::json!("town-jia")))
            .into()
    }
}

impl utoipa::ToSchema for RegionIdText {}

/// A region as clients send it: POST needs `id`; PUT takes it from the path (an `id` in the
/// body must then be the path's).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionBody {
    #[schema(pattern = r"^[a-z0-9][a-z0-9-]{0,63}$", example = "town-jia")]
    id: Option<String>,
    /// 1 to 100 characters, not only spaces (they are trimmed)
    #[schema(min_length = 1, max_length = 100, pattern = r"[^\s\u0085]", example = "甲镇")]
    name: String,
    kind: RegionKind,
    /// the parent region's id; null or empty: none (a root, or a benchmark)
    #[schema(pattern = r"^([a-z0-9][a-z0-9-]{0,63})?$", example = "district")]
    parent: Option<String>,
    /// at most 50 characters; null or only spaces: none
    #[schema(max_length = 50)]
    group: Option<String>,
    #[serde(default, deserialize_with = "whole")]
    sort: i64,
    /// ISO 3166 alpha-3 code of a benchmark country (for the WDI import), in either case; null
    /// or empty: none
    #[schema(pattern = r"^([A-Za-z]{3})?$", example = "KOR")]
    iso3: Option<String>,
}

/// The region a path names.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // only documents the path; `ApiPath` reads it
struct RegionPath {
    /// the region's id
    #[param(inline, example = "town-jia")]
    id: RegionId,
}

impl RegionBody {
    fn into_region(self, id: &str) -> Result<Region, ApiError> {
        let draft = RegionDraft {
            id: id.to_string(),
            name: self.name,
            kind: self.kind,
            parent: self.parent,
            group: self.group,
            sort: self.sort,
            iso3: self.iso3,
        };
        draft.check().map_err(|errors| AppError::Invalid(errors).into())
    }
}

/// All regions: the tree in display order, then the benchmarks.
#[utoipa::path(get, path = "/regions", tag = "regions",
    responses((status = 200, body = [Region]), (status = 401, body = ErrorBody)))]
async fn list(State(state): State<AppState>, _user: CurrentUser) -> ApiResult<Json<Vec<Region>>> {
    Ok(Json(state.read(engine::regions::list).await?))
}

#[utoipa::path(post, path = "/regions", tag = "regions", request_body = RegionBody,
    responses((status = 201, body = Region), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiJson(body): ApiJson<RegionBody>,
) -> ApiResult<(StatusCode, Json<Region>)> {
    let id = body.id.clone().ok_or_else(|| ApiError::invalid("id", "缺少字段“id”"))?;
    let region = body.into_region(&id)?;
    let created = state.write(move |tx| engine::regions::create(tx, &user, region)).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(get, path = "/regions/{id}", tag = "regions", params(RegionPath),
    responses((status = 200, body = Region), (status = 404, body = ErrorBody)))]
async fn get_one(State(state): State<AppState>, _user: CurrentUser, ApiPath(id): ApiPath) -> ApiResult<Json<Region>> {
    Ok(Json(state.read(move |conn| engine::regions::get(conn, &id)).await?))
}

#[utoipa::path(put, path = "/regions/{id}", tag = "regions", params(RegionPath), request_body = RegionBody,
    responses((status = 200, body = Region), (status = 404, body = ErrorBody),
              (status = 409, description = "a change that its figures, targets or children do not allow", body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn update(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath,
    ApiJson(body): ApiJson<RegionBody>,
) -> ApiResult<Json<Region>> {
    if body.id.as_ref().is_some_and(|b| *b != id) {
        return Err(ApiError::invalid("id", "请求体中的 id 与地址中的不一致"));
    }
    let region = body.into_region(&id)?;
    Ok(Json(state.write(move |tx| engine::regions::update(tx, &user, region)).await?))
}

/// Removes a region without children or figures; the audit log keeps what it was.
#[utoipa::path(delete, path = "/regions/{id}", tag = "regions", params(RegionPath),
    responses((status = 200, body = Region), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath,
) -> ApiResult<Json<Region>> {
    Ok(Json(state.write(move |tx| engine::regions::delete(tx, &user, &id)).await?))
}
