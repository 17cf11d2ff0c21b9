//! `/series`: computed figures over time in the quarter, YTD or annual view.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::{ApiQuery, CurrentUser};
use crate::app::AppState;
use crate::domain::{IndicatorCode, Period, RegionId, View};
use crate::engine;
use crate::engine::series::Series;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(series))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SeriesQuery {
    #[param(value_type = RegionId, inline, example = "district")]
    region: String,
    #[param(value_type = IndicatorCode, inline, example = "gdp")]
    indicator: String,
    /// first period, `YYYYQn` or `YYYY`
    #[param(inline, example = "2022Q1")]
    from: Period,
    /// last period, of the same kind as `from`
    #[param(inline, example = "2023Q4")]
    to: Period,
    /// `quarter`, `ytd` or `annual`; default `ytd` for quarters, `annual` for years
    #[param(pattern = r"^(quarter|ytd|annual)$", example = "ytd")]
    view: Option<String>,
}

/// A region's computed figures for one indicator, with coverage for regions with children.
#[utoipa::path(get, path = "/series", tag = "series", params(SeriesQuery),
    responses((status = 200, body = Series), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn series(
    State(state): State<AppState>,
    _user: CurrentUser,
    ApiQuery(q): ApiQuery<SeriesQuery>,
) -> ApiResult<Json<Series>> {
    let (from, to) = (q.from, q.to);
    let view = match q.view.as_deref() {
        None => View::default_for(from),
        Some(text) => View::parse(text)
            .ok_or_else(|| ApiError::invalid("view", "应为 quarter（当季）、ytd（累计）或 annual（全年）"))?,
    };
    Ok(Json(state.read(move |conn| engine::series::series(conn, &q.region, &q.indicator, view, from, to)).await?))
}
