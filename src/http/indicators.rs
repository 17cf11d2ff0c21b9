//! `/indicators`: what is measured and how.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::{ApiJson, ApiPath, CurrentUser, whole};
use super::regions::RegionIdText;
use crate::app::AppState;
use crate::domain::enterprise::RuleText;
use crate::domain::{Direction, Frequency, Indicator, IndicatorCode, IndicatorDraft, Mode};
use crate::engine;
use crate::error::AppError;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(get_one, update))
}

/// An indicator as clients send it. On PUT the code comes from the path.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorBody {
    /// required on POST; on PUT it comes from the path (a `code` in the body must be the path's)
    #[schema(pattern = r"^[a-z][a-z0-9_]{0,63}$", example = "rd_expenditure")]
    code: Option<String>,
    /// 1 to 100 characters, not only spaces (they are trimmed)
    #[schema(min_length = 1, max_length = 100, pattern = r"[^\s\u0085]", example = "R&D经费支出")]
    name: String,
    /// at most 20 characters
    #[schema(max_length = 20, example = "亿元")]
    unit: String,
    #[serde(default, deserialize_with = "whole")]
    #[schema(maximum = 6)]
    decimals: u8,
    #[serde(default = "higher")]
    direction: Direction,
    mode: Mode,
    /// derived indicators only, e.g. `100 * rd_expenditure / gdp`
    formula: Option<String>,
    #[serde(default)]
    allow_negative: bool,
    #[serde(default, deserialize_with = "whole")]
    sort: i64,
    /// `quarterly` (default) or `annual` (submitted as `YYYY`)
    #[serde(default)]
    frequency: Frequency,
    /// the region ids whose subtrees report it, at least one; absent or null: every region
    #[schema(value_type = Option<Vec<RegionIdText>>, min_items = 1, example = json!(["district"]))]
    regions: Option<Vec<String>>,
    /// register indicators only: what they count or sum over a region's enterprises
    rule: Option<RuleText>,
}

fn higher() -> Direction {
    Direction::Higher
}

/// The indicator a path names.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // only documents the path; `ApiPath` reads it
struct IndicatorPath {
    /// the indicator's code
    #[param(inline, example = "rd_expenditure")]
    code: IndicatorCode,
}

impl IndicatorBody {
    fn into_indicator(self, code: &str) -> Result<Indicator, ApiError> {
        let draft = IndicatorDraft {
            code: code.to_string(),
            name: self.name,
            unit: self.unit,
            decimals: self.decimals,
            direction: self.direction,
            mode: self.mode,
            formula: self.formula,
            allow_negative: self.allow_negative,
            sort: self.sort,
            frequency: self.frequency,
            regions: self.regions,
            rule: self.rule,
        };
        draft.check().map_err(|errors| AppError::Invalid(errors).into())
    }
}

#[utoipa::path(get, path = "/indicators", tag = "indicators",
    responses((status = 200, body = [Indicator]), (status = 401, body = ErrorBody)))]
async fn list(State(state): State<AppState>, _user: CurrentUser) -> ApiResult<Json<Vec<Indicator>>> {
    Ok(Json(state.read(engine::indicators::list).await?))
}

#[utoipa::path(post, path = "/indicators", tag = "indicators", request_body = IndicatorBody,
    responses((status = 201, body = Indicator), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiJson(body): ApiJson<IndicatorBody>,
) -> ApiResult<(StatusCode, Json<Indicator>)> {
    let code = body.code.clone().ok_or_else(|| ApiError::invalid("code", "缺少字段“code”"))?;
    let indicator = body.into_indicator(&code)?;
    let created = state.write(move |tx| engine::indicators::create(tx, &user, indicator)).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(get, path = "/indicators/{code}", tag = "indicators", params(IndicatorPath),
    responses((status = 200, body = Indicator), (status = 404, body = ErrorBody)))]
async fn get_one(
    State(state): State<AppState>,
    _user: CurrentUser,
    ApiPath(code): ApiPath,
) -> ApiResult<Json<Indicator>> {
    Ok(Json(state.read(move |conn| engine::indicators::get(conn, &code)).await?))
}

#[utoipa::path(put, path = "/indicators/{code}", tag = "indicators", params(IndicatorPath), request_body = IndicatorBody,
    responses((status = 200, body = Indicator), (status = 404, body = ErrorBody),
              (status = 409, description = "a change that the stored figures do not allow", body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn update(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(code): ApiPath,
    ApiJson(body): ApiJson<IndicatorBody>,
) -> ApiResult<Json<Indicator>> {
    if body.code.as_ref().is_some_and(|b| *b != code) {
        return Err(ApiError::invalid("code", "请求体中的 code 与地址中的不一致"));
    }
    let indicator = body.into_indicator(&code)?;
    Ok(Json(state.write(move |tx| engine::indicators::update(tx, &user, indicator)).await?))
}
