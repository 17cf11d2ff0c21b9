//! `/tasks` (the rectification tasks with their lights on a day) and `/supervision` (the run that
//! issues supervision orders for red tasks, orders by hand, their list, answers and closing).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::{ApiJson, ApiPath, ApiQuery, CurrentUser, whole};
use crate::app::AppState;
use crate::domain::period::Day;
use crate::domain::rectification::{Color, OrderState};
use crate::engine;
use crate::engine::supervision::{Order, TaskLight};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(tasks))
        .routes(routes!(run))
        .routes(routes!(orders, issue))
        .routes(routes!(answer))
        .routes(routes!(close))
}

fn day_or_today(on: Option<Day>) -> NaiveDate {
    on.map_or_else(engine::supervision::today, |d| d.0)
}

/// An empty filter is no filter.
fn filter(text: Option<String>) -> Option<String> {
    text.filter(|t| !t.is_empty())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TasksQuery {
    /// only the tasks of this plan
    #[param(example = "plan-2023")]
    plan: Option<String>,
    /// only the tasks this department works on (leading or not); unknown → 404
    #[param(example = "高新技术科")]
    department: Option<String>,
    /// only the tasks of this light
    #[param(inline)]
    light: Option<Color>,
    /// the day of the lights, `YYYY-MM-DD`; default today in China time
    #[param(inline)]
    on: Option<Day>,
}

/// The rectification tasks with their lights (亮灯) on a day and every reason, in the order of
/// their plan, problem and place.
#[utoipa::path(get, path = "/tasks", tag = "supervision", params(TasksQuery),
    responses((status = 200, body = [TaskLight]), (status = 401, body = ErrorBody),
              (status = 404, description = "an unknown plan or department", body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn tasks(
    State(state): State<AppState>,
    _user: CurrentUser,
    ApiQuery(q): ApiQuery<TasksQuery>,
) -> ApiResult<Json<Vec<TaskLight>>> {
    let on = day_or_today(q.on);
    let (plan, department) = (filter(q.plan), filter(q.department));
    let tasks = state
        .read(move |conn| engine::supervision::tasks(conn, plan.as_deref(), department.as_deref(), q.light, on))
        .await?;
    Ok(Json(tasks))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RunQuery {
    /// the day of the run, `YYYY-MM-DD`: the lights of that day; the orders are numbered in its
    /// year and answered within 10 days of it. Default today in China time.
    #[param(inline)]
    on: Option<Day>,
}

/// The supervision run (admin): a supervision order (督办单) for every red task without an order
/// that is not closed, its reasons the light's. Answers the orders issued; a second run issues
/// nothing new.
#[utoipa::path(post, path = "/supervision/run", tag = "supervision", params(RunQuery),
    responses((status = 200, body = [Order]), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn run(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiQuery(q): ApiQuery<RunQuery>,
) -> ApiResult<Json<Vec<Order>>> {
    let on = day_or_today(q.on);
    Ok(Json(state.write(move |tx| engine::supervision::run(tx, &user, on)).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrdersQuery {
    /// only the orders of tasks this department works on; unknown → 404
    #[param(example = "高新技术科")]
    department: Option<String>,
    /// only the orders in this state on the day
    #[param(inline)]
    status: Option<OrderState>,
    /// the day of the states and levels, `YYYY-MM-DD`; default today in China time
    #[param(inline)]
    on: Option<Day>,
}

/// The supervision orders in the order they were issued, each with its state and level on the
/// day (level 2: unanswered after `respond_by`).
#[utoipa::path(get, path = "/supervision/orders", tag = "supervision", params(OrdersQuery),
    responses((status = 200, body = [Order]), (status = 401, body = ErrorBody),
              (status = 404, description = "an unknown department", body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn orders(
    State(state): State<AppState>,
    _user: CurrentUser,
    ApiQuery(q): ApiQuery<OrdersQuery>,
) -> ApiResult<Json<Vec<Order>>> {
    let on = day_or_today(q.on);
    let department = filter(q.department);
    Ok(Json(state.read(move |conn| engine::supervision::orders(conn, department.as_deref(), q.status, on)).await?))
}

/// An order issued by hand.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueBody {
    /// the task's id
    #[serde(deserialize_with = "whole")]
    #[schema(example = 1)]
    task: i64,
    /// why: 1 to 20 reasons, each 1 to 500 characters, not only spaces
    #[schema(min_items = 1, max_items = 20, example = json!(["R&D经费支出明显滞后，请说明原因和措施"]))]
    reasons: Vec<OrderReason>,
}

/// One reason of an order issued by hand: 1 to 500 characters, not only spaces.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct OrderReason(String);

impl utoipa::PartialSchema for OrderReason {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(engine::supervision::MAX_REASON_CHARS))
            .pattern(Some(r"[^\s\u0085]"))
            .description(Some("one reason of an order, not only spaces"))
            .into()
    }
}
impl utoipa::ToSchema for OrderReason {}

/// Issues a supervision order by hand (admin), numbered in this year and to be answered within
/// 10 days. 404 for an unknown task; 409 while the task has an order that is not closed.
#[utoipa::path(post, path = "/supervision/orders", tag = "supervision", request_body = IssueBody,
    responses((status = 201, body = Order), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn issue(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiJson(body): ApiJson<IssueBody>,
) -> ApiResult<(StatusCode, Json<Order>)> {
    let on = engine::supervision::today();
    let reasons: Vec<String> = body.reasons.into_iter().map(|r| r.0).collect();
    let order = state.write(move |tx| engine::supervision::issue(tx, &user, body.task, &reasons, on)).await?;
    Ok((StatusCode::CREATED, Json(order)))
}

/// The order a path names.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // only documents the path; `ApiPath` reads it
struct OrderPath {
    /// the order's id
    #[param(example = 1)]
    id: i64,
}

fn order_id(text: &str) -> Result<i64, ApiError> {
    text.parse().map_err(|_| {
        ApiError::invalid("id", format!("“{}”不是督办单编号（应为整数）", text.chars().take(20).collect::<String>()))
    })
}

/// The lead department's answer.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    /// the progress and measures: 1 to 2000 characters, not only spaces
    #[schema(
        required = true,
        nullable = false,
        min_length = 1,
        max_length = 2000,
        pattern = r"[^\s\u0085]",
        example = "已召开专题会议，制定R&D投入提升方案"
    )]
    response: Option<String>,
}

/// Answers an order: an officer of the task's lead department (牵头部门) or an admin, once.
/// 403 for anyone else; 409 when answered or closed already.
#[utoipa::path(post, path = "/supervision/orders/{id}/answer", tag = "supervision", params(OrderPath),
    request_body = AnswerBody,
    responses((status = 200, body = Order), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn answer(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath,
    ApiJson(body): ApiJson<AnswerBody>,
) -> ApiResult<Json<Order>> {
    let id = order_id(&id)?;
    let on = engine::supervision::today();
    Ok(Json(state.write(move |tx| engine::supervision::answer(tx, &user, id, body.response.as_deref(), on)).await?))
}

/// Closes an answered order (admin). 409 when not answered, or closed already.
#[utoipa::path(post, path = "/supervision/orders/{id}/close", tag = "supervision", params(OrderPath),
    responses((status = 200, body = Order), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn close(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath,
) -> ApiResult<Json<Order>> {
    let id = order_id(&id)?;
    let on = engine::supervision::today();
    Ok(Json(state.write(move |tx| engine::supervision::close(tx, &user, id, on)).await?))
}
