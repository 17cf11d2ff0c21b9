//! `/values`: submitting quarterly figures and reading them back as submitted; `/audit`.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::{ApiJson, ApiQuery, CurrentUser, indicator_code, period, region_id};
use crate::app::AppState;
use crate::domain::submission::{MAX_ITEMS, RawItem};
use crate::domain::{IndicatorCode, Period, RegionId};
use crate::engine;
use crate::engine::audit::{AuditEntry, AuditFilter};
use crate::engine::values::{Preview, StoredValue, SubmitOutcome};
use crate::error::AppError;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, submit)).routes(routes!(check)).routes(routes!(audit))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"region": "town-jia", "period": "2023Q3", "values": [{"indicator": "rd_expenditure", "value": 13.5}]}))]
pub struct SubmitBody {
    #[schema(value_type = RegionId, inline)]
    region: String,
    /// `YYYYQn`; benchmark regions may also use `YYYY`
    #[schema(value_type = Period, inline)]
    period: String,
    #[schema(min_items = 1, max_items = 1000)]
    values: Vec<SubmitItem>,
    /// why a figure is corrected; kept in the audit log
    reason: Option<String>,
}

impl SubmitBody {
    /// What the document's schema says of the body and serde cannot: the patterns of the region,
    /// the period and each indicator, and how many values (1 to 1000). All such errors at once.
    fn check_shape(&self) -> Result<(), ApiError> {
        let mut errors = Vec::new();
        let mut keep = |result: Result<_, ApiError>| {
            if let Err(ApiError::App(AppError::Invalid(mut more))) = result {
                errors.append(&mut more);
            }
        };
        keep(region_id("region", &self.region));
        keep(period("period", &self.period).map(drop));
        if self.values.is_empty() || self.values.len() > MAX_ITEMS {
            keep(Err(ApiError::invalid("values", format!("应有 1 到 {MAX_ITEMS} 项数据"))));
        }
        for (i, item) in self.values.iter().enumerate() {
            keep(indicator_code(&format!("values[{i}].indicator"), &item.indicator));
        }
        if errors.is_empty() { Ok(()) } else { Err(AppError::Invalid(errors).into()) }
    }

    fn items(&self) -> Vec<RawItem<'_>> {
        self.values
            .iter()
            .map(|v| RawItem { indicator: &v.indicator, value: v.value, comment: v.comment.as_deref() })
            .collect()
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitItem {
    #[schema(value_type = IndicatorCode, inline)]
    indicator: String,
    #[schema(example = 13.5)]
    value: f64,
    comment: Option<String>,
}

/// Submits figures of one region and period: all are stored or none.
#[utoipa::path(put, path = "/values", tag = "values", request_body = SubmitBody,
    responses((status = 200, body = SubmitOutcome),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 409, description = "the region's quarter is submitted, approved or locked", body = ErrorBody)))]
async fn submit(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiJson(body): ApiJson<SubmitBody>,
) -> ApiResult<Json<SubmitOutcome>> {
    let current = engine::current_quarter();
    state
        .write(move |tx| {
            let items = body.items();
            engine::values::submit(tx, &user, &body.region, &body.period, &items, body.reason.as_deref(), current)
        })
        .await
        .map(Json)
        .map_err(ApiError::from)
}

/// Checks a batch as `PUT /values` would, storing nothing: its errors, or the warnings it would
/// carry (the entry form shows them beside the fields before saving). A body that does not match
/// the schema (a region, period or indicator that is not one by its pattern, no values or more
/// than 1000) is refused with 422 like any other; what the rules of the figures refuse is
/// answered in `errors`.
#[utoipa::path(post, path = "/values/check", tag = "values", request_body = SubmitBody,
    responses((status = 200, body = Preview), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn check(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiJson(body): ApiJson<SubmitBody>,
) -> ApiResult<Json<Preview>> {
    body.check_shape()?;
    let current = engine::current_quarter();
    state
        .write(move |tx| {
            let items = body.items();
            engine::values::preview(tx, &user, &body.region, &body.period, &items, current)
        })
        .await
        .map(Json)
        .map_err(ApiError::from)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ValuesQuery {
    #[param(inline, example = "town-jia")]
    region: RegionId,
    /// `YYYYQn` or `YYYY`
    #[param(inline, example = "2023Q3")]
    period: Period,
    #[param(inline, example = "gdp")]
    indicator: Option<IndicatorCode>,
}

/// Figures of one region and period exactly as submitted.
#[utoipa::path(get, path = "/values", tag = "values", params(ValuesQuery),
    responses((status = 200, body = [StoredValue]), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    _user: CurrentUser,
    ApiQuery(q): ApiQuery<ValuesQuery>,
) -> ApiResult<Json<Vec<StoredValue>>> {
    Ok(Json(state.read(move |conn| engine::values::list(conn, &q.region, q.period, q.indicator.as_ref())).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    #[param(inline, example = "town-jia")]
    region: Option<RegionId>,
    #[param(inline, example = "gdp")]
    indicator: Option<IndicatorCode>,
    #[param(inline, example = "2023Q3")]
    period: Option<Period>,
    /// default 100, at most 10000
    #[param(minimum = 1, maximum = 10000)]
    limit: Option<u32>,
}

/// The audit log, newest first.
#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = [AuditEntry]), (status = 422, body = ErrorBody)))]
async fn audit(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Vec<AuditEntry>>> {
    let limit = q.limit.unwrap_or(engine::audit::DEFAULT_LIMIT);
    if !(1..=engine::audit::MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid("limit", format!("应为 1 到 {}", engine::audit::MAX_LIMIT)));
    }
    let period = q.period.map(|p| p.to_string());
    state
        .read(move |conn| {
            engine::audit::query(
                conn,
                &user,
                &AuditFilter {
                    region: q.region.as_ref().map(RegionId::as_str),
                    indicator: q.indicator.as_ref().map(IndicatorCode::as_str),
                    period: period.as_deref(),
                    limit,
                },
            )
        })
        .await
        .map(Json)
        .map_err(ApiError::from)
}
