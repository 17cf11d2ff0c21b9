//! `/workflow` (submitting, approving and returning a region's quarter; the states of all;
//! approving many at once) and `/locks` (locking whole quarters).

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::{ApiJson, ApiPath, ApiQuery, CurrentUser, OptionalJson, quarter};
use super::regions::RegionIdText;
use crate::app::AppState;
use crate::domain::workflow::Action;
use crate::domain::{Quarter, RegionId};
use crate::engine;
use crate::engine::workflow::{Lock, RegionState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(act))
        .routes(routes!(list))
        .routes(routes!(approve_many))
        .routes(routes!(locks))
        .routes(routes!(lock, unlock))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActBody {
    /// why: required to return (what to correct), optional otherwise
    #[schema(example = "R&D经费支出与财务报表不符，请核对")]
    comment: Option<String>,
}

/// Moves one region's quarter through the reporting workflow.
///
/// `submit` (the region's statistician or an admin): draft or returned → submitted; the
/// statistician cannot change submitted figures until they are returned. `approve` (admin):
/// submitted → approved; approved figures are locked. `return` (admin, with a `comment`):
/// submitted or approved → returned, editable again. The body may be left out.
#[utoipa::path(post, path = "/workflow/{region}/{period}/{action}", tag = "workflow",
    params(("region" = inline(RegionId), Path, description = "a reporting region (no children, not a benchmark)", example = "town-jia"),
           ("period" = inline(Quarter), Path, description = "`YYYYQn`", example = "2023Q3"),
           ("action" = inline(Action), Path)),
    request_body(content = Option<ActBody>, description = "optional"),
    responses((status = 200, body = RegionState), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "the state does not allow it", body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn act(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    path: Result<Path<(String, String, String)>, PathRejection>,
    OptionalJson(body): OptionalJson<ActBody>,
) -> ApiResult<Json<RegionState>> {
    let Path((region, period, action)) = path.map_err(|_| super::extract::path_not_text())?;
    let quarter = quarter("period", &period)?;
    let action = Action::parse(&action)
        .ok_or_else(|| ApiError::invalid("action", "应为 submit（上报）、approve（审核通过）或 return（退回）"))?;
    let current = engine::current_quarter();
    state
        .write(move |tx| engine::workflow::act(tx, &user, &region, quarter, action, body.comment.as_deref(), current))
        .await
        .map(Json)
        .map_err(ApiError::from)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WorkflowQuery {
    /// `YYYYQn`
    #[param(inline, example = "2023Q3")]
    period: Quarter,
    /// only the reporting regions below this one
    #[param(inline, example = "district")]
    parent: Option<RegionId>,
}

/// The reporting state of every reporting region in a quarter (draft where nobody has acted).
#[utoipa::path(get, path = "/workflow", tag = "workflow", params(WorkflowQuery),
    responses((status = 200, body = [RegionState]), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    _user: CurrentUser,
    ApiQuery(q): ApiQuery<WorkflowQuery>,
) -> ApiResult<Json<Vec<RegionState>>> {
    Ok(Json(state.read(move |conn| engine::workflow::list(conn, q.period, q.parent.as_ref())).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveBody {
    #[schema(inline)]
    period: Quarter,
    /// reporting regions, each once
    #[schema(value_type = Vec<RegionIdText>, min_items = 1, example = json!(["town-jia", "town-yi"]))]
    regions: Vec<String>,
    comment: Option<String>,
}

/// Approves the submissions of many regions at once (admin): all or none. Any region unknown,
/// not reporting or named twice → 422 naming it; any not submitted → 409 naming them.
#[utoipa::path(post, path = "/workflow/approve", tag = "workflow", request_body = ApproveBody,
    responses((status = 200, body = [RegionState]), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn approve_many(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiJson(body): ApiJson<ApproveBody>,
) -> ApiResult<Json<Vec<RegionState>>> {
    let current = engine::current_quarter();
    state
        .write(move |tx| {
            engine::workflow::approve_many(tx, &user, body.period, &body.regions, body.comment.as_deref(), current)
        })
        .await
        .map(Json)
        .map_err(ApiError::from)
}

/// The locked quarters, latest first.
#[utoipa::path(get, path = "/locks", tag = "workflow", responses((status = 200, body = [Lock])))]
async fn locks(State(state): State<AppState>, _user: CurrentUser) -> ApiResult<Json<Vec<Lock>>> {
    Ok(Json(state.read(engine::workflow::locks).await?))
}

/// Why a quarter is locked: required, at least one character that is not a space.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LockBody {
    #[schema(
        required = true,
        nullable = false,
        min_length = 1,
        max_length = 500,
        pattern = r"[^\s\u0085]",
        example = "2023年三季度统计公报已发布"
    )]
    reason: Option<String>,
}

/// Why a quarter is unlocked: optional, and so is the whole body.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnlockBody {
    #[schema(max_length = 500, example = "更正甲镇R&D经费")]
    reason: Option<String>,
}

/// Locks a whole quarter (admin): every region's figures of it answer 409 to writes, unless an
/// admin writes with a `reason`. Locking again replaces the reason.
#[utoipa::path(put, path = "/locks/{period}", tag = "workflow",
    params(("period" = inline(Quarter), Path, description = "`YYYYQn`", example = "2023Q3")), request_body = LockBody,
    responses((status = 200, body = Lock), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn lock(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(period): ApiPath,
    OptionalJson(body): OptionalJson<LockBody>,
) -> ApiResult<Json<Lock>> {
    let quarter = quarter("period", &period)?;
    Ok(Json(state.write(move |tx| engine::workflow::lock(tx, &user, quarter, body.reason.as_deref())).await?))
}

/// Unlocks a quarter (admin); the answer is the unlock (`locked: false`). 404 when not locked.
#[utoipa::path(delete, path = "/locks/{period}", tag = "workflow",
    params(("period" = inline(Quarter), Path, description = "`YYYYQn`", example = "2023Q3")),
    request_body(content = Option<UnlockBody>, description = "optional"),
    responses((status = 200, body = Lock), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn unlock(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(period): ApiPath,
    OptionalJson(body): OptionalJson<UnlockBody>,
) -> ApiResult<Json<Lock>> {
    let quarter = quarter("period", &period)?;
    Ok(Json(state.write(move |tx| engine::workflow::unlock(tx, &user, quarter, body.reason.as_deref())).await?))
}
