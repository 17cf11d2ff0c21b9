//! `/enterprises`: the enterprise register (企业库) — enterprises by their 统一社会信用代码, their
//! figures, and the three zeros board. Lists and figures are for admins and the statisticians of
//! the enterprises' regions; the board's counts are for everyone.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiResult, ErrorBody};
use super::extract::{ApiJson, ApiPath, ApiQuery, CurrentUser};
use crate::app::AppState;
use crate::domain::enterprise::{CreditCode, Enterprise, EnterpriseDraft};
use crate::domain::{Period, RegionId};
use crate::engine;
use crate::engine::enterprises::{MeasureValue, PeriodValues, ThreeZeros};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(three_zeros))
        .routes(routes!(get_one, put, delete))
        .routes(routes!(list_values, put_values))
}

#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // only documents the path; `ApiPath` reads it
struct CodePath {
    /// the 统一社会信用代码 (18 characters, the last its check character)
    #[param(inline)]
    code: CreditCode,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// the enterprises registered at or below this region; absent: all the user may see
    #[param(value_type = Option<RegionId>, inline, example = "district")]
    region: Option<String>,
}

/// The enterprises the user may see, by code: admins all, a statistician those of their regions.
#[utoipa::path(get, path = "/enterprises", tag = "enterprises", params(ListQuery),
    responses((status = 200, body = [Enterprise]),
              (status = 403, description = "viewers and officers, or a region not the statistician's", body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Vec<Enterprise>>> {
    Ok(Json(state.read(move |conn| engine::enterprises::list(conn, &user, q.region.as_deref())).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ThreeZerosQuery {
    /// `YYYYQn` (compared with the quarter before) or `YYYY` (with the year before)
    #[param(inline, example = "2024Q1")]
    period: Period,
    /// the region whose reporting regions are counted; absent: the whole tree
    #[param(value_type = Option<RegionId>, inline, example = "district")]
    region: Option<String>,
}

/// 三个零: the enterprises on each list (规模企业零专利, 高新企业年度专利零申请, 重大项目企业专利申请零户)
/// per reporting region, who joined and who left since the period before. Everyone sees the
/// counts; the enterprises are named only to those who may see them (the rest are `hidden`).
#[utoipa::path(get, path = "/enterprises/three-zeros", tag = "enterprises", params(ThreeZerosQuery),
    responses((status = 200, body = ThreeZeros), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn three_zeros(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiQuery(q): ApiQuery<ThreeZerosQuery>,
) -> ApiResult<Json<ThreeZeros>> {
    Ok(Json(
        state.read(move |conn| engine::enterprises::three_zeros(conn, &user, q.period, q.region.as_deref())).await?,
    ))
}

/// One enterprise with its years and institutions.
#[utoipa::path(get, path = "/enterprises/{code}", tag = "enterprises", params(CodePath),
    responses((status = 200, body = Enterprise), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, description = "not a 统一社会信用代码", body = ErrorBody)))]
async fn get_one(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(code): ApiPath,
) -> ApiResult<Json<Enterprise>> {
    Ok(Json(state.read(move |conn| engine::enterprises::get(conn, &user, &code)).await?))
}

/// Registers an enterprise (201) or replaces what is registered of it (200): its name, region,
/// years and institutions whole. Admins, or the statistician of its region.
#[utoipa::path(put, path = "/enterprises/{code}", tag = "enterprises", params(CodePath), request_body = EnterpriseDraft,
    responses((status = 200, body = Enterprise), (status = 201, body = Enterprise), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn put(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(code): ApiPath,
    ApiJson(body): ApiJson<EnterpriseDraft>,
) -> ApiResult<(StatusCode, Json<Enterprise>)> {
    let (enterprise, created) = state.write(move |tx| engine::enterprises::put(tx, &user, &code, body)).await?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(enterprise)))
}

/// Removes an enterprise with its figures.
#[utoipa::path(delete, path = "/enterprises/{code}", tag = "enterprises", params(CodePath),
    responses((status = 200, body = Enterprise), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn delete(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(code): ApiPath,
) -> ApiResult<Json<Enterprise>> {
    Ok(Json(state.write(move |tx| engine::enterprises::delete(tx, &user, &code)).await?))
}

/// An enterprise's figures, period by period.
#[utoipa::path(get, path = "/enterprises/{code}/values", tag = "enterprises", params(CodePath),
    responses((status = 200, body = [PeriodValues]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn list_values(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(code): ApiPath,
) -> ApiResult<Json<Vec<PeriodValues>>> {
    Ok(Json(state.read(move |conn| engine::enterprises::values(conn, &user, &code)).await?))
}

/// An enterprise's figures of a period.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValuesBody {
    /// `YYYYQn` (flows year to date, stocks at the quarter's end) or `YYYY`
    #[schema(inline)]
    period: Period,
    /// at least one, each measure once
    #[schema(min_items = 1)]
    values: Vec<MeasureValue>,
}

/// Stores an enterprise's figures of a period (the same measures are replaced; the others stay).
#[utoipa::path(put, path = "/enterprises/{code}/values", tag = "enterprises", params(CodePath), request_body = ValuesBody,
    responses((status = 200, body = PeriodValues), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn put_values(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(code): ApiPath,
    ApiJson(body): ApiJson<ValuesBody>,
) -> ApiResult<Json<PeriodValues>> {
    Ok(Json(state.write(move |tx| engine::enterprises::put_values(tx, &user, &code, body.period, &body.values)).await?))
}
