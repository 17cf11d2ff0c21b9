//! `/targets`, `/targets/decompose` and `/progress`.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::{ApiJson, ApiQuery, CurrentUser, whole, whole_opt, year};
use crate::app::AppState;
use crate::domain::target::{SplitMethod, Target};
use crate::domain::{IndicatorCode, Period, RegionId};
use crate::engine;
use crate::engine::progress::{ProgressRow, Scope};
use crate::engine::targets::{SplitRequest, SplitResult};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, set)).routes(routes!(decompose)).routes(routes!(progress))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TargetsQuery {
    #[param(minimum = 1900, maximum = 2200, example = 2023)]
    year: i32,
    #[param(inline, example = "town-jia")]
    region: Option<RegionId>,
    #[param(inline, example = "rd_expenditure")]
    indicator: Option<IndicatorCode>,
}

/// Targets of a year.
#[utoipa::path(get, path = "/targets", tag = "targets", params(TargetsQuery),
    responses((status = 200, body = [Target]), (status = 422, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    _user: CurrentUser,
    ApiQuery(q): ApiQuery<TargetsQuery>,
) -> ApiResult<Json<Vec<Target>>> {
    let y = year("year", q.year)?;
    Ok(Json(state.read(move |conn| engine::targets::list(conn, y, q.region.as_ref(), q.indicator.as_ref())).await?))
}

/// A share of a whole, 0 to 1.
/// A share of a whole, 0 to 1 (it documents the items of `milestones`).
pub struct Share;

impl utoipa::PartialSchema for Share {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new().schema_type(Type::Number).minimum(Some(0)).maximum(Some(1)).into()
    }
}

impl utoipa::ToSchema for Share {}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"region": "town-jia", "indicator": "rd_expenditure", "year": 2023, "value": 19.0}))]
pub struct TargetBody {
    #[schema(value_type = RegionId, inline)]
    region: String,
    #[schema(value_type = IndicatorCode, inline)]
    indicator: String,
    #[schema(minimum = 1900, maximum = 2200, example = 2023)]
    #[serde(deserialize_with = "whole")]
    year: i32,
    #[schema(example = 19.0)]
    value: f64,
    /// share of the annual target expected by the end of each quarter, e.g. [0.25, 0.5, 0.75, 1]:
    /// four shares from 0 to 1, none smaller than the one before, the last 1
    #[schema(value_type = Option<Vec<Share>>, min_items = 4, max_items = 4)]
    milestones: Option<Vec<f64>>,
}

/// Sets one annual target (admin).
#[utoipa::path(put, path = "/targets", tag = "targets", request_body = TargetBody,
    responses((status = 200, body = Target), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiJson(b): ApiJson<TargetBody>,
) -> ApiResult<Json<Target>> {
    let y = year("year", b.year)?;
    state
        .write(move |tx| engine::targets::set(tx, &user, &b.region, &b.indicator, y, b.value, b.milestones.as_deref()))
        .await
        .map(Json)
        .map_err(ApiError::from)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"parent": "district", "indicator": "rd_expenditure", "year": 2023, "total": 19.0, "method": "proportional"}))]
pub struct DecomposeBody {
    #[schema(value_type = RegionId, inline)]
    parent: String,
    #[schema(value_type = IndicatorCode, inline)]
    indicator: String,
    #[schema(minimum = 1900, maximum = 2200, example = 2023)]
    #[serde(deserialize_with = "whole")]
    year: i32,
    /// the parent's target; without it the parent's existing target is split
    #[schema(example = 19.0)]
    total: Option<f64>,
    method: SplitMethod,
    /// proportional: the year whose annual figures are the weights (default: year − 1)
    #[schema(minimum = 1900, maximum = 2200)]
    #[serde(default, deserialize_with = "whole_opt")]
    base_year: Option<i32>,
    /// weights: one weight per child region
    weights: Option<BTreeMap<String, f64>>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DryRunQuery {
    /// show the split without writing it
    dry_run: Option<bool>,
}

/// Splits a parent's target among its children so that they add up exactly (admin).
#[utoipa::path(post, path = "/targets/decompose", tag = "targets", request_body = DecomposeBody, params(DryRunQuery),
    responses((status = 200, body = SplitResult), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn decompose(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiQuery(q): ApiQuery<DryRunQuery>,
    ApiJson(b): ApiJson<DecomposeBody>,
) -> ApiResult<Json<SplitResult>> {
    let dry_run = q.dry_run.unwrap_or(false);
    let y = year("year", b.year)?;
    let base_year = b.base_year.map(|by| year("base_year", by)).transpose()?;
    if b.total.is_some_and(|t| !t.is_finite()) {
        return Err(ApiError::invalid("total", "应为有限的数字"));
    }
    state
        .write(move |tx| {
            let req = SplitRequest {
                parent: &b.parent,
                indicator: &b.indicator,
                year: y,
                total: b.total,
                method: b.method,
                base_year,
                weights: b.weights.as_ref(),
            };
            if dry_run {
                engine::rehearse(tx, |tx| engine::targets::decompose(tx, &user, &req))
            } else {
                engine::targets::decompose(tx, &user, &req)
            }
        })
        .await
        .map(Json)
        .map_err(ApiError::from)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgressQuery {
    #[param(inline, example = "rd_expenditure")]
    indicator: IndicatorCode,
    /// `YYYYQn` (the year to date) or `YYYY` (the whole year, at its end)
    #[param(inline, example = "2023Q3")]
    period: Period,
    /// every child of this region (default: the root of the tree); not used when `region` is given
    #[param(inline, example = "district")]
    parent: Option<RegionId>,
    /// this one region only
    #[param(inline, example = "town-jia")]
    region: Option<RegionId>,
}

/// Progress against the annual target and the pace (序时进度) at a quarter, or at the end of a year.
///
/// Of one region (`region`), or else of every child of `parent`, or else of every child of the
/// root of the tree. A `parent` without children → 422.
#[utoipa::path(get, path = "/progress", tag = "targets", params(ProgressQuery),
    responses((status = 200, body = [ProgressRow]), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn progress(
    State(state): State<AppState>,
    _user: CurrentUser,
    ApiQuery(q): ApiQuery<ProgressQuery>,
) -> ApiResult<Json<Vec<ProgressRow>>> {
    let at = q.period;
    state
        .read(move |conn| {
            let root;
            let scope = match (&q.region, &q.parent) {
                (Some(region), _) => Scope::Region(region.as_str()),
                (None, Some(parent)) => Scope::ChildrenOf(parent.as_str()),
                (None, None) => {
                    // the first region of the tree in display order is its root
                    root = engine::world(conn)?.root()?.clone();
                    Scope::ChildrenOf(root.id.as_str())
                }
            };
            engine::progress::for_indicator(conn, q.indicator.as_str(), at, scope)
        })
        .await
        .map(Json)
        .map_err(ApiError::from)
}
