//! `/plans`, `/problems`, `/tasks/{id}`: the rectification plan (整改方案), its problems and tasks,
//! their progress reports, completion and reopening, and the import of a plan's text.
//! (`GET /tasks` with the lights, and the supervision orders, are in `supervision`.)

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::{ApiJson, ApiPath, ApiQuery, CurrentUser, body_bytes, path_not_text, quarter, whole, whole_opt};
use crate::app::AppState;
use crate::domain::Quarter;
use crate::domain::period::Day;
use crate::domain::rectification::{Deadline, FigureLink, TargetLink};
use crate::engine;
use crate::engine::plans::{
    ImportOutcome, Plan, PlanImport, PlanWithProblems, Problem, ProblemDraft, ProblemWithTasks, Report, Task,
    TaskDraft, TaskWithLight,
};
use crate::transfer::{self, RowError};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_plans, create_plan))
        .routes(routes!(get_plan, update_plan, delete_plan))
        .routes(routes!(import))
        .routes(routes!(list_problems, create_problem))
        .routes(routes!(get_problem, update_problem))
        .routes(routes!(create_task))
        .routes(routes!(get_task, update_task))
        .routes(routes!(done))
        .routes(routes!(reopen))
        .routes(routes!(put_report))
        .routes(routes!(list_reports))
}

/// A number in a path (`/tasks/12`): a positive integer, else 422 naming `id`.
fn number(text: &str, what: &str) -> Result<i64, ApiError> {
    text.parse::<i64>().ok().filter(|n| *n >= 1).ok_or_else(|| {
        ApiError::invalid(
            "id",
            format!("{what}编号应为正整数，收到的是“{}”", text.chars().take(20).collect::<String>()),
        )
    })
}

#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // only documents the path; `ApiPath` reads it
struct PlanPath {
    /// the plan's id
    #[param(pattern = r"^[a-z0-9][a-z0-9-]{0,63}$", example = "xuncha-2023")]
    id: String,
}

#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // only documents the path; `ApiPath` reads it
struct NumberPath {
    /// the problem's or task's number
    #[param(minimum = 1, example = 1)]
    id: i64,
}

// ---------------------------------------------------------------------------------------------
// Plans

/// A plan as clients send it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanBody {
    /// lowercase letters, digits and `-`
    #[schema(pattern = r"^[a-z0-9][a-z0-9-]{0,63}$", example = "xuncha-2023")]
    id: String,
    /// 1 to 200 characters, not only spaces
    #[schema(min_length = 1, max_length = 200, pattern = r"[^\s\u0085]", example = "关于巡察反馈意见的整改方案")]
    title: String,
    #[serde(deserialize_with = "whole")]
    #[schema(minimum = 1900, maximum = 2200, example = 2023)]
    year: i32,
}

/// All plans, by year and id.
#[utoipa::path(get, path = "/plans", tag = "plans",
    responses((status = 200, body = [Plan]), (status = 401, body = ErrorBody)))]
async fn list_plans(State(state): State<AppState>, _user: CurrentUser) -> ApiResult<Json<Vec<Plan>>> {
    Ok(Json(state.read(engine::plans::list).await?))
}

/// Creates an empty plan (admins); 409 if its id is taken.
#[utoipa::path(post, path = "/plans", tag = "plans", request_body = PlanBody,
    responses((status = 201, body = Plan), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn create_plan(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiJson(body): ApiJson<PlanBody>,
) -> ApiResult<(StatusCode, Json<Plan>)> {
    let plan = Plan { id: body.id, title: body.title, year: body.year };
    let created = state.write(move |tx| engine::plans::create(tx, &user, plan)).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// A plan with its problems and their tasks (departments, leaders, deadline, targets, status).
#[utoipa::path(get, path = "/plans/{id}", tag = "plans", params(PlanPath),
    responses((status = 200, body = PlanWithProblems), (status = 404, body = ErrorBody)))]
async fn get_plan(
    State(state): State<AppState>,
    _user: CurrentUser,
    ApiPath(id): ApiPath,
) -> ApiResult<Json<PlanWithProblems>> {
    Ok(Json(state.read(move |conn| engine::plans::get(conn, &id)).await?))
}

/// What a change of a plan may say: its title and year (its id stays).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanChangeBody {
    /// 1 to 200 characters, not only spaces
    #[schema(min_length = 1, max_length = 200, pattern = r"[^\s\u0085]", example = "关于巡察反馈意见的整改方案")]
    title: String,
    #[serde(deserialize_with = "whole")]
    #[schema(minimum = 1900, maximum = 2200, example = 2023)]
    year: i32,
}

/// Changes a plan's title and year (admins); audited.
#[utoipa::path(put, path = "/plans/{id}", tag = "plans", params(PlanPath), request_body = PlanChangeBody,
    responses((status = 200, body = Plan), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn update_plan(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath,
    ApiJson(body): ApiJson<PlanChangeBody>,
) -> ApiResult<Json<Plan>> {
    Ok(Json(state.write(move |tx| engine::plans::update(tx, &user, &id, &body.title, body.year)).await?))
}

/// Removes a plan (admins) with its problems, tasks, progress reports and supervision orders, in
/// one transaction; the audit log keeps what it was. Answers the plan removed.
#[utoipa::path(delete, path = "/plans/{id}", tag = "plans", params(PlanPath),
    responses((status = 200, body = Plan), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_plan(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath,
) -> ApiResult<Json<Plan>> {
    Ok(Json(state.write(move |tx| engine::plans::delete(tx, &user, &id)).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// the new plan's id (409 if it exists)
    #[param(pattern = r"^[a-z0-9][a-z0-9-]{0,63}$", example = "xuncha-2023")]
    plan: String,
    /// its title
    #[param(min_length = 1, max_length = 200, pattern = r"[^\s\u0085]", example = "关于巡察反馈意见的整改方案")]
    title: String,
    #[param(minimum = 1900, maximum = 2200, example = 2023)]
    year: i32,
    /// read and show only; nothing is stored
    dry_run: Option<bool>,
}

/// Imports a plan from its text as the bureau writes it (`——存在问题：`, `——解决措施：`, measures,
/// `责任领导：`, `责任部门：`, `责任人：`, `完成时限：`), UTF-8 or GBK/GB18030, as `text/plain`.
///
/// Admins only. The answer lists the problems and tasks read (deadlines as `YYYY-MM-DD` or
/// `long_term`), each problem's `suggested_indicators` (indicators its text names) and the
/// `new_departments` the text names that are not registered. A real import (without `dry_run`)
/// stores, in one transaction, the plan, those departments, the problems (linked to their
/// suggested indicators of the tree's root) and the tasks. A plan whose id exists → 409: a plan
/// is imported once, whole. Lines that cannot be read → 422 with every error as `error.details`
/// (`[{"row": line, "message"}]`, lines counted from 1), and nothing is stored.
#[utoipa::path(post, path = "/plans/import", tag = "plans", params(ImportQuery),
    request_body(description = "the plan's text", content((String = "text/plain"))),
    responses((status = 200, body = PlanImport),
              (status = 400, description = "the body is not text (neither UTF-8 nor GB18030)", body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, description = "the plan exists", body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
              (status = 422, description = "lines that cannot be read, or a bad parameter; nothing was stored", body = ErrorBody)))]
async fn import(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiQuery(q): ApiQuery<ImportQuery>,
    request: Request,
) -> ApiResult<Json<PlanImport>> {
    engine::require_admin(&user)?;
    let is_text = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("text/plain"));
    if !is_text {
        return Err(ApiError::UnsupportedMediaType("请以 text/plain 上传整改方案的文字".into()));
    }
    let bytes = body_bytes(request, &state, "上传的方案没有完整收到，请重新上传").await?;
    let text = match transfer::decode(&bytes) {
        Ok(text) => text.into_owned(),
        Err(transfer::FileError::NotText { line }) => {
            return Err(ApiError::Malformed(format!(
                "第{line}行既不是UTF-8也不是GBK（GB18030）编码的文字；请将方案另存为UTF-8文本后再导入"
            )));
        }
        Err(e) => return Err(ApiError::Malformed(e.to_string())),
    };
    let plan = Plan { id: q.plan, title: q.title, year: q.year };
    let dry_run = q.dry_run.unwrap_or(false);
    let outcome = state.write(move |tx| engine::plans::import(tx, &user, plan, &text, dry_run)).await?;
    match outcome {
        ImportOutcome::Read(read) => Ok(Json(read)),
        ImportOutcome::Errors(errors) => Err(ApiError::InvalidRows {
            message: format!("方案文本有{}处错误，没有导入任何内容", errors.len()),
            rows: errors.into_iter().map(|e| RowError::new(e.line, e.message)).collect(),
        }),
    }
}

// ---------------------------------------------------------------------------------------------
// Problems

/// A problem as clients send it; on a change `plan` may be left out (a problem stays in its plan).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProblemBody {
    #[schema(pattern = r"^[a-z0-9][a-z0-9-]{0,63}$", example = "xuncha-2023")]
    plan: Option<String>,
    /// its place in the plan; absent: after the last (or, on a change, where it is)
    #[serde(default, deserialize_with = "whole_opt")]
    #[schema(minimum = 1, maximum = 10000)]
    seq: Option<i64>,
    #[schema(min_length = 1, max_length = 200, pattern = r"[^\s\u0085]", example = "全社会科技投入不足")]
    title: String,
    #[schema(max_length = 2000)]
    description: Option<String>,
    /// the figures that show the problem; each indicator and region must exist
    #[serde(default)]
    indicators: Vec<FigureLink>,
}

impl From<ProblemBody> for ProblemDraft {
    fn from(b: ProblemBody) -> ProblemDraft {
        ProblemDraft { plan: b.plan, seq: b.seq, title: b.title, description: b.description, indicators: b.indicators }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProblemsQuery {
    /// one plan's problems (default: every plan's)
    #[param(pattern = r"^[a-z0-9][a-z0-9-]{0,63}$", example = "xuncha-2023")]
    plan: Option<String>,
}

/// The problems of one plan, or of all, in their order.
#[utoipa::path(get, path = "/problems", tag = "plans", params(ProblemsQuery),
    responses((status = 200, body = [Problem]), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_problems(
    State(state): State<AppState>,
    _user: CurrentUser,
    ApiQuery(q): ApiQuery<ProblemsQuery>,
) -> ApiResult<Json<Vec<Problem>>> {
    Ok(Json(state.read(move |conn| engine::plans::problems(conn, q.plan.as_deref())).await?))
}

/// Adds a problem to a plan (admins).
#[utoipa::path(post, path = "/problems", tag = "plans", request_body = ProblemBody,
    responses((status = 201, body = Problem), (status = 403, body = ErrorBody),
              (status = 409, description = "the plan has a problem of this `seq`", body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn create_problem(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiJson(body): ApiJson<ProblemBody>,
) -> ApiResult<(StatusCode, Json<Problem>)> {
    let created = state.write(move |tx| engine::plans::create_problem(tx, &user, body.into())).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// A problem with its tasks.
#[utoipa::path(get, path = "/problems/{id}", tag = "plans", params(NumberPath),
    responses((status = 200, body = ProblemWithTasks), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_problem(
    State(state): State<AppState>,
    _user: CurrentUser,
    ApiPath(id): ApiPath,
) -> ApiResult<Json<ProblemWithTasks>> {
    let id = number(&id, "问题")?;
    Ok(Json(state.read(move |conn| engine::plans::get_problem(conn, id)).await?))
}

/// Changes a problem (admins).
#[utoipa::path(put, path = "/problems/{id}", tag = "plans", params(NumberPath), request_body = ProblemBody,
    responses((status = 200, body = Problem), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "the plan has another problem of this `seq`", body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn update_problem(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath,
    ApiJson(body): ApiJson<ProblemBody>,
) -> ApiResult<Json<Problem>> {
    let id = number(&id, "问题")?;
    Ok(Json(state.write(move |tx| engine::plans::update_problem(tx, &user, id, body.into())).await?))
}

// ---------------------------------------------------------------------------------------------
// Tasks

/// A task as clients send it; on a change `problem` may be left out (a task stays under its problem).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskBody {
    #[serde(default, deserialize_with = "whole_opt")]
    #[schema(minimum = 1, example = 1)]
    problem: Option<i64>,
    /// its place under the problem; absent: after the last (or, on a change, where it is)
    #[serde(default, deserialize_with = "whole_opt")]
    #[schema(minimum = 1, maximum = 10000)]
    seq: Option<i64>,
    #[schema(min_length = 1, max_length = 200, pattern = r"[^\s\u0085]", example = "加大研发投入")]
    title: String,
    #[serde(default)]
    measures: Vec<String>,
    /// the first is the 直接责任人
    #[serde(default)]
    leaders: Vec<String>,
    /// registered departments; the first is the 牵头部门
    #[schema(min_items = 1, example = json!(["高新技术科", "科技管理科"]))]
    departments: Vec<String>,
    #[serde(default)]
    persons: Vec<String>,
    deadline: Deadline,
    /// the targets the task must move; each region and indicator must exist
    #[serde(default)]
    targets: Vec<TargetLink>,
}

impl From<TaskBody> for TaskDraft {
    fn from(b: TaskBody) -> TaskDraft {
        TaskDraft {
            problem: b.problem,
            seq: b.seq,
            title: b.title,
            measures: b.measures,
            leaders: b.leaders,
            departments: b.departments,
            persons: b.persons,
            deadline: b.deadline,
            targets: b.targets,
        }
    }
}

/// Adds a task to a problem (admins).
#[utoipa::path(post, path = "/tasks", tag = "plans", request_body = TaskBody,
    responses((status = 201, body = Task), (status = 403, body = ErrorBody),
              (status = 409, description = "the problem has a task of this `seq`", body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn create_task(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiJson(body): ApiJson<TaskBody>,
) -> ApiResult<(StatusCode, Json<Task>)> {
    let created = state.write(move |tx| engine::plans::create_task(tx, &user, body.into())).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskQuery {
    /// the day of the light, `YYYY-MM-DD`; default today in China time
    #[param(inline)]
    on: Option<Day>,
}

/// A task: measures, leaders, departments, persons, deadline, targets, status, and its light
/// (亮灯) on the day with every reason.
#[utoipa::path(get, path = "/tasks/{id}", tag = "plans", params(NumberPath, TaskQuery),
    responses((status = 200, body = TaskWithLight), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_task(
    State(state): State<AppState>,
    _user: CurrentUser,
    ApiPath(id): ApiPath,
    ApiQuery(q): ApiQuery<TaskQuery>,
) -> ApiResult<Json<TaskWithLight>> {
    let id = number(&id, "任务")?;
    let on = q.on.map_or_else(engine::supervision::today, |d| d.0);
    Ok(Json(state.read(move |conn| engine::plans::task_on(conn, id, on)).await?))
}

/// Changes what a task says (admins); its status stays.
#[utoipa::path(put, path = "/tasks/{id}", tag = "plans", params(NumberPath), request_body = TaskBody,
    responses((status = 200, body = Task), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "the problem has another task of this `seq`", body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn update_task(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath,
    ApiJson(body): ApiJson<TaskBody>,
) -> ApiResult<Json<Task>> {
    let id = number(&id, "任务")?;
    Ok(Json(state.write(move |tx| engine::plans::update_task(tx, &user, id, body.into())).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DoneBody {
    /// 办结报告: what was done; required, at most 2000 characters
    #[schema(min_length = 1, max_length = 2000, pattern = r"[^\s\u0085]", example = "已完成研发投入季度调度机制建设")]
    done_report: String,
}

/// Marks a task done (admins) with its completion report, today (China time). 409 if done.
#[utoipa::path(post, path = "/tasks/{id}/done", tag = "plans", params(NumberPath), request_body = DoneBody,
    responses((status = 200, body = Task), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "the task is done", body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn done(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath,
    ApiJson(body): ApiJson<DoneBody>,
) -> ApiResult<Json<Task>> {
    let id = number(&id, "任务")?;
    Ok(Json(state.write(move |tx| engine::plans::done(tx, &user, id, &body.done_report)).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReopenBody {
    /// why the task is open again; kept in the audit log
    #[schema(min_length = 1, max_length = 500, pattern = r"[^\s\u0085]", example = "办结报告与实际不符")]
    reason: String,
}

/// Opens a done task again (admins), with a reason. 409 if it is open.
#[utoipa::path(post, path = "/tasks/{id}/reopen", tag = "plans", params(NumberPath), request_body = ReopenBody,
    responses((status = 200, body = Task), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "the task is open", body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn reopen(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath,
    ApiJson(body): ApiJson<ReopenBody>,
) -> ApiResult<Json<Task>> {
    let id = number(&id, "任务")?;
    Ok(Json(state.write(move |tx| engine::plans::reopen(tx, &user, id, &body.reason)).await?))
}

// ---------------------------------------------------------------------------------------------
// Progress reports

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    /// what was done in the quarter; at most 2000 characters
    #[schema(min_length = 1, max_length = 2000, pattern = r"[^\s\u0085]", example = "已走访重点企业12家")]
    text: String,
    /// how far the task is, 0 to 100
    #[schema(minimum = 0, maximum = 100, example = 60)]
    percent: Option<f64>,
}

/// Files a task's progress report of a quarter that has begun; a second report of the quarter
/// replaces the first (the audit log keeps both). An officer of one of the task's departments,
/// or an admin; anyone else 403.
#[utoipa::path(put, path = "/tasks/{id}/reports/{period}", tag = "plans",
    params(NumberPath, ("period" = inline(Quarter), Path, description = "`YYYYQn`", example = "2023Q3")),
    request_body = ReportBody,
    responses((status = 200, body = Report), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, description = "a quarter that has not begun, a blank text, a percent out of range", body = ErrorBody)))]
async fn put_report(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    path: Result<Path<(String, String)>, PathRejection>,
    ApiJson(body): ApiJson<ReportBody>,
) -> ApiResult<Json<Report>> {
    let Path((id, period)) = path.map_err(|_| path_not_text())?;
    let id = number(&id, "任务")?;
    let quarter = quarter("period", &period)?;
    let current = engine::current_quarter();
    Ok(Json(
        state.write(move |tx| engine::plans::report(tx, &user, id, quarter, current, &body.text, body.percent)).await?,
    ))
}

/// A task's progress reports, oldest quarter first.
#[utoipa::path(get, path = "/tasks/{id}/reports", tag = "plans", params(NumberPath),
    responses((status = 200, body = [Report]), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_reports(
    State(state): State<AppState>,
    _user: CurrentUser,
    ApiPath(id): ApiPath,
) -> ApiResult<Json<Vec<Report>>> {
    let id = number(&id, "任务")?;
    Ok(Json(state.read(move |conn| engine::plans::reports(conn, id)).await?))
}
