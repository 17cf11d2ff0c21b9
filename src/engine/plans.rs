//! Rectification plans (整改方案): plans, their problems and tasks, the quarterly progress reports
//! of the tasks, completion and reopening, and the import of a plan from the text the bureau
//! writes. Admins write plans, problems and tasks; an officer of one of a task's departments (or
//! an admin) reports its progress; everyone signed in reads. Every change is audited.

use chrono::{NaiveDate, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::{Scope, audit_change, require_admin, world};
use crate::domain::access::User;
use crate::domain::period::in_beijing;
use crate::domain::plan_text::{self, ParsedPlan, ParsedProblem};
use crate::domain::rectification::{Deadline, FigureLink, Light, TargetLink, TaskStatus, order_number};
use crate::domain::{FieldError, Period, Quarter, RegionId, text};
use crate::error::{AppError, AppResult};
use crate::store;
use crate::store::rectification::{PlanRow, ProblemRow, ReportRow, TaskRow};

/// The longest title of a plan, a problem or a task.
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest description of a problem, measure, progress report or completion report.
pub const MAX_TEXT_CHARS: usize = 2000;
/// The longest name of a person or a department.
pub const MAX_PERSON_CHARS: usize = 50;
/// The most measures, leaders, departments, persons, figures or targets one list may hold.
pub const MAX_ITEMS: usize = 50;

// ---------------------------------------------------------------------------------------------
// What clients read

/// 整改方案
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Plan {
    #[schema(example = "xuncha-2023")]
    pub id: String,
    #[schema(example = "关于区委第三巡察组反馈意见的整改方案")]
    pub title: String,
    #[schema(example = 2023)]
    pub year: i32,
}

/// 存在问题, with the figures that show it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Problem {
    pub id: i64,
    pub plan: String,
    pub seq: i64,
    pub title: String,
    pub description: String,
    pub indicators: Vec<FigureLink>,
}

/// 解决措施: the first leader is the 直接责任人, the first department the 牵头部门.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Task {
    pub id: i64,
    pub problem: i64,
    pub seq: i64,
    pub title: String,
    pub measures: Vec<String>,
    pub leaders: Vec<String>,
    pub departments: Vec<String>,
    pub persons: Vec<String>,
    pub deadline: Deadline,
    pub targets: Vec<TargetLink>,
    pub status: TaskStatus,
    /// the day it was done (China time), `YYYY-MM-DD`
    pub done_at: Option<String>,
    /// 办结报告
    pub done_report: Option<String>,
    pub created_at: String,
}

/// A task with its light on the day asked about.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TaskWithLight {
    #[serde(flatten)]
    pub task: Task,
    pub light: Light,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ProblemWithTasks {
    #[serde(flatten)]
    pub problem: Problem,
    pub tasks: Vec<Task>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PlanWithProblems {
    #[serde(flatten)]
    pub plan: Plan,
    pub problems: Vec<ProblemWithTasks>,
}

/// A quarter's progress report of a task.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub task: i64,
    #[schema(example = "2023Q3")]
    pub period: String,
    pub text: String,
    pub percent: Option<f64>,
    pub by: String,
    pub at: String,
}

impl From<PlanRow> for Plan {
    fn from(r: PlanRow) -> Plan {
        Plan { id: r.id, title: r.title, year: r.year }
    }
}

impl From<ProblemRow> for Problem {
    fn from(r: ProblemRow) -> Problem {
        Problem {
            id: r.id,
            plan: r.plan,
            seq: r.seq,
            title: r.title,
            description: r.description,
            indicators: r.indicators,
        }
    }
}

impl From<TaskRow> for Task {
    fn from(r: TaskRow) -> Task {
        Task {
            id: r.id,
            problem: r.problem,
            seq: r.seq,
            title: r.title,
            measures: r.measures,
            leaders: r.leaders,
            departments: r.departments,
            persons: r.persons,
            deadline: r.deadline,
            targets: r.targets,
            status: r.status,
            done_at: r.done_at,
            done_report: r.done_report,
            created_at: r.created_at,
        }
    }
}

impl From<ReportRow> for Report {
    fn from(r: ReportRow) -> Report {
        Report { task: r.task, period: r.quarter.to_string(), text: r.text, percent: r.percent, by: r.by, at: r.at }
    }
}

// ---------------------------------------------------------------------------------------------
// What clients write

/// A problem as written: `seq` defaults to after the plan's last problem.
#[derive(Debug, Clone, Default)]
pub struct ProblemDraft {
    /// required for a new problem; a change keeps the problem in its plan
    pub plan: Option<String>,
    pub seq: Option<i64>,
    pub title: String,
    pub description: Option<String>,
    pub indicators: Vec<FigureLink>,
}

/// A task as written: `seq` defaults to after its problem's last task.
#[derive(Debug, Clone)]
pub struct TaskDraft {
    /// required for a new task; a change keeps the task under its problem
    pub problem: Option<i64>,
    pub seq: Option<i64>,
    pub title: String,
    pub measures: Vec<String>,
    pub leaders: Vec<String>,
    pub departments: Vec<String>,
    pub persons: Vec<String>,
    pub deadline: Deadline,
    pub targets: Vec<TargetLink>,
}

/// Collects the problems of a draft, each naming its field.
#[derive(Default)]
struct Problems(Vec<FieldError>);

impl Problems {
    fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// A required text: trimmed, 1 to `max` characters, no control characters.
    fn required(&mut self, field: &str, value: &str, max: usize) -> String {
        match text::visible(value) {
            None => {
                self.add(field, "不能为空");
                String::new()
            }
            Some(v) => {
                self.check(field, v, max);
                v.to_string()
            }
        }
    }

    fn check(&mut self, field: &str, value: &str, max: usize) {
        if let Some(problem) = text::too_long(value, max).or_else(|| text::control_character(value)) {
            self.add(field, problem);
        }
    }

    /// A list of required texts, each trimmed.
    fn list(&mut self, field: &str, values: &[String], max: usize) -> Vec<String> {
        if values.len() > MAX_ITEMS {
            self.add(field, format!("最多 {MAX_ITEMS} 项"));
        }
        values.iter().enumerate().map(|(i, v)| self.required(&format!("{field}[{i}]"), v, max)).collect()
    }

    fn finish(self) -> AppResult<()> {
        if self.0.is_empty() { Ok(()) } else { Err(AppError::Invalid(self.0)) }
    }
}

fn year_problem(year: i32) -> Option<String> {
    Period::from_parts(year, 0).is_none().then(|| format!("{year}年不在可用范围内（1900至2200年）"))
}

/// A plan's id is a slug like a region's: lowercase letters, digits and `-`.
pub fn check_plan_id(id: &str) -> Result<(), String> {
    RegionId::parse(id).map(drop).map_err(|_| {
        format!(
            "“{}”不是有效的方案代码：只能用小写字母、数字和“-”，以字母或数字开头，最多64个字符",
            id.chars().take(70).collect::<String>()
        )
    })
}

/// The figures a problem names must exist.
fn check_figures(conn: &Connection, figures: &[FigureLink], problems: &mut Problems) -> AppResult<()> {
    let world = world(conn)?;
    if figures.len() > MAX_ITEMS {
        problems.add("indicators", format!("最多 {MAX_ITEMS} 项"));
    }
    for (i, f) in figures.iter().enumerate() {
        if world.indicators.get(&f.indicator).is_none() {
            problems.add(format!("indicators[{i}].indicator"), format!("指标“{}”不存在", clip(&f.indicator)));
        }
        if world.tree.get(&f.region).is_none() {
            problems.add(format!("indicators[{i}].region"), format!("地区“{}”不存在", clip(&f.region)));
        }
    }
    Ok(())
}

fn clip(text: &str) -> String {
    text.chars().take(70).collect()
}

// ---------------------------------------------------------------------------------------------
// Plans

pub fn list(conn: &Connection) -> AppResult<Vec<Plan>> {
    Ok(store::rectification::plans(conn)?.into_iter().map(Plan::from).collect())
}

fn plan_not_found(id: &str) -> AppError {
    AppError::NotFound(format!("整改方案“{}”不存在", clip(id)))
}

/// A plan with its problems and their tasks, in their order.
pub fn get(conn: &Connection, id: &str) -> AppResult<PlanWithProblems> {
    let plan = store::rectification::plan(conn, id)?.ok_or_else(|| plan_not_found(id))?;
    let mut tasks: std::collections::HashMap<i64, Vec<Task>> = std::collections::HashMap::new();
    for t in store::rectification::tasks(conn, None)? {
        tasks.entry(t.problem).or_default().push(Task::from(t));
    }
    let problems = store::rectification::problems_of(conn, id)?
        .into_iter()
        .map(|p| ProblemWithTasks { tasks: tasks.remove(&p.id).unwrap_or_default(), problem: Problem::from(p) })
        .collect();
    Ok(PlanWithProblems { plan: Plan::from(plan), problems })
}

/// Checks a plan as written: its id (named `id_field` in errors), title and year.
fn checked_plan(plan: Plan, id_field: &str) -> AppResult<Plan> {
    let mut problems = Problems::default();
    if let Err(message) = check_plan_id(&plan.id) {
        problems.add(id_field, message);
    }
    let title = problems.required("title", &plan.title, MAX_TITLE_CHARS);
    if let Some(message) = year_problem(plan.year) {
        problems.add("year", message);
    }
    problems.finish()?;
    Ok(Plan { id: plan.id, title, year: plan.year })
}

pub fn create(conn: &Connection, user: &User, plan: Plan) -> AppResult<Plan> {
    require_admin(user)?;
    let plan = checked_plan(plan, "id")?;
    if store::rectification::plan(conn, &plan.id)?.is_some() {
        return Err(AppError::Conflict(format!("整改方案“{}”已存在", plan.id)));
    }
    store::rectification::insert_plan(
        conn,
        &PlanRow { id: plan.id.clone(), title: plan.title.clone(), year: plan.year },
    )?;
    audit_change(conn, &user.name, "create", "plan", &plan.id, Scope::default(), None, Some(&plan))?;
    Ok(plan)
}

/// Changes a plan's title and year (admins); its id stays.
pub fn update(conn: &Connection, user: &User, id: &str, title: &str, year: i32) -> AppResult<Plan> {
    require_admin(user)?;
    let old = Plan::from(store::rectification::plan(conn, id)?.ok_or_else(|| plan_not_found(id))?);
    let plan = checked_plan(Plan { id: old.id.clone(), title: title.to_string(), year }, "id")?;
    store::rectification::update_plan(
        conn,
        &PlanRow { id: plan.id.clone(), title: plan.title.clone(), year: plan.year },
    )?;
    audit_change(conn, &user.name, "update", "plan", &plan.id, Scope::default(), Some(&old), Some(&plan))?;
    Ok(plan)
}

/// A supervision order as the audit log keeps it when its plan is removed.
#[derive(Debug, Serialize)]
struct RemovedOrder {
    id: i64,
    number: String,
    task: i64,
    reasons: Vec<String>,
    issued_at: String,
    issued_by: String,
    respond_by: String,
    response: Option<String>,
    responded_at: Option<String>,
    responded_by: Option<String>,
    closed_at: Option<String>,
}

/// Everything a removed plan held, as the audit log keeps it.
#[derive(Debug, Serialize)]
struct RemovedPlan {
    #[serde(flatten)]
    plan: PlanWithProblems,
    reports: Vec<Report>,
    orders: Vec<RemovedOrder>,
}

/// Removes a plan (admins) with its problems, tasks, progress reports and supervision orders; the
/// audit log keeps what it was. Runs in the caller's transaction: all or nothing. Answers the plan.
pub fn delete(conn: &Connection, user: &User, id: &str) -> AppResult<Plan> {
    require_admin(user)?;
    let plan = get(conn, id)?;
    let mut reports = Vec::new();
    let mut orders = Vec::new();
    for task in plan.problems.iter().flat_map(|p| &p.tasks) {
        reports.extend(store::rectification::reports_of(conn, task.id)?.into_iter().map(Report::from));
        orders.extend(store::rectification::orders(conn, Some(task.id))?.into_iter().map(|o| RemovedOrder {
            id: o.id,
            number: order_number(o.year, o.n),
            task: o.task,
            reasons: o.reasons,
            issued_at: o.issued_at,
            issued_by: o.issued_by,
            respond_by: o.respond_by.to_string(),
            response: o.response,
            responded_at: o.responded_at,
            responded_by: o.responded_by,
            closed_at: o.closed_at,
        }));
    }
    store::rectification::delete_plan(conn, id)?;
    let removed = plan.plan.clone();
    let old = RemovedPlan { plan, reports, orders };
    audit_change(conn, &user.name, "delete", "plan", id, Scope::default(), Some(&old), None)?;
    Ok(removed)
}

// ---------------------------------------------------------------------------------------------
// Problems

fn problem_not_found(id: i64) -> AppError {
    AppError::NotFound(format!("问题{id}不存在"))
}

pub fn get_problem(conn: &Connection, id: i64) -> AppResult<ProblemWithTasks> {
    let problem = store::rectification::problem(conn, id)?.ok_or_else(|| problem_not_found(id))?;
    let tasks =
        store::rectification::tasks(conn, None)?.into_iter().filter(|t| t.problem == id).map(Task::from).collect();
    Ok(ProblemWithTasks { problem: Problem::from(problem), tasks })
}

/// The problems of one plan, or of every plan, in their order.
pub fn problems(conn: &Connection, plan: Option<&str>) -> AppResult<Vec<Problem>> {
    let plans = match plan {
        Some(id) => vec![store::rectification::plan(conn, id)?.ok_or_else(|| plan_not_found(id))?],
        None => store::rectification::plans(conn)?,
    };
    let mut all = Vec::new();
    for p in plans {
        all.extend(store::rectification::problems_of(conn, &p.id)?.into_iter().map(Problem::from));
    }
    Ok(all)
}

/// Checks a problem as written; `id` is the problem being changed (none for a new one).
fn checked_problem(conn: &Connection, plan: String, draft: ProblemDraft, id: Option<i64>) -> AppResult<ProblemRow> {
    let mut problems = Problems::default();
    let title = problems.required("title", &draft.title, MAX_TITLE_CHARS);
    let description = text::given(draft.description.as_deref()).unwrap_or_default().to_string();
    problems.check("description", &description, MAX_TEXT_CHARS);
    check_figures(conn, &draft.indicators, &mut problems)?;
    if draft.seq.is_some_and(|s| !(1..=10_000).contains(&s)) {
        problems.add("seq", "序号应为 1 到 10000");
    }
    let siblings = store::rectification::problems_of(conn, &plan)?;
    if store::rectification::plan(conn, &plan)?.is_none() {
        problems.add("plan", format!("整改方案“{}”不存在", clip(&plan)));
    }
    problems.finish()?;
    let seq = match draft.seq {
        Some(seq) => {
            if siblings.iter().any(|p| p.seq == seq && Some(p.id) != id) {
                return Err(AppError::Conflict(format!("整改方案“{plan}”已有序号为{seq}的问题")));
            }
            seq
        }
        None => match id.and_then(|id| siblings.iter().find(|p| p.id == id)) {
            Some(own) => own.seq,
            None => siblings.iter().map(|p| p.seq).max().unwrap_or(0) + 1,
        },
    };
    Ok(ProblemRow { id: id.unwrap_or(0), plan, seq, title, description, indicators: draft.indicators })
}

pub fn create_problem(conn: &Connection, user: &User, draft: ProblemDraft) -> AppResult<Problem> {
    require_admin(user)?;
    let plan = draft.plan.clone().ok_or_else(|| AppError::invalid("plan", "缺少字段“plan”"))?;
    let mut row = checked_problem(conn, plan, draft, None)?;
    row.id = store::rectification::insert_problem(conn, &row)?;
    let problem = Problem::from(row);
    audit_change(
        conn,
        &user.name,
        "create",
        "problem",
        &problem.id.to_string(),
        Scope::default(),
        None,
        Some(&problem),
    )?;
    Ok(problem)
}

/// Changes a problem; it stays in its plan (a `plan` in the draft must be its own).
pub fn update_problem(conn: &Connection, user: &User, id: i64, draft: ProblemDraft) -> AppResult<Problem> {
    require_admin(user)?;
    let old = Problem::from(store::rectification::problem(conn, id)?.ok_or_else(|| problem_not_found(id))?);
    if draft.plan.as_ref().is_some_and(|p| *p != old.plan) {
        return Err(AppError::invalid("plan", format!("问题不能移到另一个整改方案（它属于“{}”）", old.plan)));
    }
    let row = checked_problem(conn, old.plan.clone(), draft, Some(id))?;
    store::rectification::update_problem(conn, &row)?;
    let problem = Problem::from(row);
    audit_change(conn, &user.name, "update", "problem", &id.to_string(), Scope::default(), Some(&old), Some(&problem))?;
    Ok(problem)
}

// ---------------------------------------------------------------------------------------------
// Tasks

fn task_not_found(id: i64) -> AppError {
    AppError::NotFound(format!("整改任务{id}不存在"))
}

fn task_row(conn: &Connection, id: i64) -> AppResult<TaskRow> {
    store::rectification::task(conn, id)?.ok_or_else(|| task_not_found(id))
}

pub fn get_task(conn: &Connection, id: i64) -> AppResult<Task> {
    Ok(Task::from(task_row(conn, id)?))
}

/// A task with its light (亮灯) on day `on`, by the supervision's rules.
pub fn task_on(conn: &Connection, id: i64, on: NaiveDate) -> AppResult<TaskWithLight> {
    let row = task_row(conn, id)?;
    let light = super::supervision::light_of(conn, &row, on)?;
    Ok(TaskWithLight { task: Task::from(row), light })
}

/// Checks a task as written; `id` is the task being changed (none for a new one). Departments
/// must be registered, targets name existing regions and indicators.
fn checked_task(conn: &Connection, problem: i64, draft: TaskDraft, existing: Option<&TaskRow>) -> AppResult<TaskRow> {
    let mut problems = Problems::default();
    let title = problems.required("title", &draft.title, MAX_TITLE_CHARS);
    let measures = problems.list("measures", &draft.measures, MAX_TEXT_CHARS);
    let leaders = problems.list("leaders", &draft.leaders, MAX_PERSON_CHARS);
    let departments = problems.list("departments", &draft.departments, MAX_PERSON_CHARS);
    let persons = problems.list("persons", &draft.persons, MAX_PERSON_CHARS);
    if draft.departments.is_empty() {
        problems.add("departments", "至少要有一个责任部门（第一个为牵头部门）");
    }
    let registered = store::rectification::departments(conn)?;
    for (i, d) in departments.iter().enumerate() {
        if !d.is_empty() && !registered.contains(d) {
            problems.add(format!("departments[{i}]"), format!("不认识的科室“{}”；请先添加该科室", clip(d)));
        } else if departments[..i].contains(d) && !d.is_empty() {
            problems.add(format!("departments[{i}]"), format!("科室“{d}”重复"));
        }
    }
    let world = world(conn)?;
    if draft.targets.len() > MAX_ITEMS {
        problems.add("targets", format!("最多 {MAX_ITEMS} 项"));
    }
    for (i, t) in draft.targets.iter().enumerate() {
        if world.tree.get(&t.region).is_none() {
            problems.add(format!("targets[{i}].region"), format!("地区“{}”不存在", clip(&t.region)));
        }
        if world.indicators.get(&t.indicator).is_none() {
            problems.add(format!("targets[{i}].indicator"), format!("指标“{}”不存在", clip(&t.indicator)));
        }
        if let Some(message) = year_problem(t.year) {
            problems.add(format!("targets[{i}].year"), message);
        }
    }
    if draft.seq.is_some_and(|s| !(1..=10_000).contains(&s)) {
        problems.add("seq", "序号应为 1 到 10000");
    }
    if store::rectification::problem(conn, problem)?.is_none() {
        problems.add("problem", format!("问题{problem}不存在"));
    }
    problems.finish()?;
    let siblings: Vec<TaskRow> =
        store::rectification::tasks(conn, None)?.into_iter().filter(|t| t.problem == problem).collect();
    let id = existing.map(|t| t.id);
    let seq = match draft.seq {
        Some(seq) => {
            if siblings.iter().any(|t| t.seq == seq && Some(t.id) != id) {
                return Err(AppError::Conflict(format!("问题{problem}已有序号为{seq}的任务")));
            }
            seq
        }
        None => match existing {
            Some(own) => own.seq,
            None => siblings.iter().map(|t| t.seq).max().unwrap_or(0) + 1,
        },
    };
    Ok(TaskRow {
        id: id.unwrap_or(0),
        problem,
        seq,
        title,
        measures,
        leaders,
        departments,
        persons,
        deadline: draft.deadline,
        targets: draft.targets,
        status: existing.map_or(TaskStatus::Open, |t| t.status),
        done_at: existing.and_then(|t| t.done_at.clone()),
        done_report: existing.and_then(|t| t.done_report.clone()),
        created_at: existing.map_or_else(store::now, |t| t.created_at.clone()),
    })
}

pub fn create_task(conn: &Connection, user: &User, draft: TaskDraft) -> AppResult<Task> {
    require_admin(user)?;
    let problem = draft.problem.ok_or_else(|| AppError::invalid("problem", "缺少字段“problem”"))?;
    let mut row = checked_task(conn, problem, draft, None)?;
    row.id = store::rectification::insert_task(conn, &row)?;
    let task = Task::from(row);
    audit_change(conn, &user.name, "create", "task", &task.id.to_string(), Scope::default(), None, Some(&task))?;
    Ok(task)
}

/// Changes what a task says; it stays under its problem (a `problem` in the draft must be its own).
pub fn update_task(conn: &Connection, user: &User, id: i64, draft: TaskDraft) -> AppResult<Task> {
    require_admin(user)?;
    let old = task_row(conn, id)?;
    if draft.problem.is_some_and(|p| p != old.problem) {
        return Err(AppError::invalid("problem", format!("任务不能移到另一个问题（它属于问题{}）", old.problem)));
    }
    let row = checked_task(conn, old.problem, draft, Some(&old))?;
    store::rectification::update_task(conn, &row)?;
    let (old, task) = (Task::from(old), Task::from(row));
    audit_change(conn, &user.name, "update", "task", &id.to_string(), Scope::default(), Some(&old), Some(&task))?;
    Ok(task)
}

/// Today on the bureau's clock, `YYYY-MM-DD`.
fn today() -> String {
    in_beijing(&Utc::now()).date_naive().to_string()
}

/// Marks a task done with its completion report (办结报告), today (China time).
pub fn done(conn: &Connection, user: &User, id: i64, report: &str) -> AppResult<Task> {
    require_admin(user)?;
    let old = task_row(conn, id)?;
    let mut problems = Problems::default();
    let report = problems.required("done_report", report, MAX_TEXT_CHARS);
    problems.finish()?;
    if old.status == TaskStatus::Done {
        return Err(AppError::Conflict(format!("整改任务{id}已办结；如需重新办理，请先重新打开")));
    }
    let day = today();
    store::rectification::set_task_status(conn, id, TaskStatus::Done, Some(&day), Some(&report))?;
    let task = get_task(conn, id)?;
    audit_change(
        conn,
        &user.name,
        "done",
        "task",
        &id.to_string(),
        Scope::default(),
        Some(&Task::from(old)),
        Some(&task),
    )?;
    Ok(task)
}

/// Opens a done task again (admin, with a reason kept in the audit log).
pub fn reopen(conn: &Connection, user: &User, id: i64, reason: &str) -> AppResult<Task> {
    require_admin(user)?;
    let old = task_row(conn, id)?;
    let mut problems = Problems::default();
    let reason = problems.required("reason", reason, text::MAX_COMMENT_CHARS);
    problems.finish()?;
    if old.status == TaskStatus::Open {
        return Err(AppError::Conflict(format!("整改任务{id}尚未办结，无需重新打开")));
    }
    store::rectification::set_task_status(conn, id, TaskStatus::Open, None, None)?;
    let task = get_task(conn, id)?;
    let scope = Scope { reason: Some(&reason), ..Default::default() };
    audit_change(conn, &user.name, "reopen", "task", &id.to_string(), scope, Some(&Task::from(old)), Some(&task))?;
    Ok(task)
}

// ---------------------------------------------------------------------------------------------
// Progress reports

pub fn reports(conn: &Connection, task: i64) -> AppResult<Vec<Report>> {
    task_row(conn, task)?;
    Ok(store::rectification::reports_of(conn, task)?.into_iter().map(Report::from).collect())
}

/// Files (or replaces) the progress report of a task for a quarter that has begun (`current` is
/// the quarter we are in). Only an officer of one of the task's departments, or an admin.
pub fn report(
    conn: &Connection,
    user: &User,
    task: i64,
    quarter: Quarter,
    current: Quarter,
    report_text: &str,
    percent: Option<f64>,
) -> AppResult<Report> {
    let row = task_row(conn, task)?;
    if !user.may_act_for(&row.departments) {
        return Err(AppError::Forbidden(format!(
            "只有该任务责任部门（{}）的科室干部或管理员可以填报进展",
            row.departments.join("、")
        )));
    }
    let mut problems = Problems::default();
    if !Period::Quarter(quarter).has_begun(current) {
        problems.add("period", format!("{}还没有开始，不能填报其进展（本季度为{}）", quarter.label(), current.label()));
    }
    let body = problems.required("text", report_text, MAX_TEXT_CHARS);
    if percent.is_some_and(|p| !(0.0..=100.0).contains(&p)) {
        problems.add("percent", "完成进度应为 0 到 100");
    }
    problems.finish()?;
    let old =
        store::rectification::reports_of(conn, task)?.into_iter().find(|r| r.quarter == quarter).map(Report::from);
    let new = ReportRow { task, quarter, text: body, percent, by: user.name.clone(), at: store::now() };
    store::rectification::save_report(conn, &new)?;
    let new = Report::from(new);
    let scope = Scope { period: Some(quarter.to_string()), ..Default::default() };
    let action = if old.is_some() { "replace" } else { "create" };
    audit_change(
        conn,
        &user.name,
        action,
        "progress_report",
        &format!("{task}/{quarter}"),
        scope,
        old.as_ref(),
        Some(&new),
    )?;
    Ok(new)
}

// ---------------------------------------------------------------------------------------------
// Plan import

/// A line of the text that cannot be read: nothing was stored.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct LineProblem {
    pub line: usize,
    pub message: String,
}

/// What a plan import read, and (unless a dry run) stored.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PlanImport {
    pub dry_run: bool,
    pub plan: Plan,
    pub problems: Vec<ParsedProblem>,
    /// the departments the text names that are not registered, in order of appearance; a real
    /// import registers them
    pub new_departments: Vec<String>,
    pub task_count: usize,
}

/// The outcome of reading a plan's text: what it holds, or every line that cannot be read.
pub enum ImportOutcome {
    Read(PlanImport),
    Errors(Vec<LineProblem>),
}

/// Reads a plan's text and, unless `dry_run`, stores the plan (409 if its id exists), the
/// departments it names that are new, its problems (linked to their suggested indicators of the
/// tree's root) and its tasks. Any line error stores nothing.
pub fn import(conn: &Connection, user: &User, plan: Plan, text: &str, dry_run: bool) -> AppResult<ImportOutcome> {
    require_admin(user)?;
    let plan = checked_plan(plan, "plan")?;
    if store::rectification::plan(conn, &plan.id)?.is_some() {
        return Err(AppError::Conflict(format!("整改方案“{}”已存在；请换一个方案代码，或先删除原方案", plan.id)));
    }
    let world = world(conn)?;
    let names: Vec<(&str, &str)> =
        world.indicators.in_display_order().into_iter().map(|i| (i.code.as_str(), i.name.as_str())).collect();
    let parsed: ParsedPlan = match plan_text::parse(text, &names) {
        Ok(parsed) => parsed,
        Err(errors) => {
            return Ok(ImportOutcome::Errors(
                errors.into_iter().map(|e| LineProblem { line: e.line, message: e.message }).collect(),
            ));
        }
    };
    let registered = store::rectification::departments(conn)?;
    let mut new_departments: Vec<String> = Vec::new();
    let mut errors = Vec::new();
    for t in parsed.problems.iter().flat_map(|p| &p.tasks) {
        for d in &t.departments {
            if d.chars().count() > super::departments::MAX_NAME_CHARS {
                let message = format!(
                    "第{}行：科室名称“{}…”太长，最多 {} 个字",
                    t.line,
                    d.chars().take(20).collect::<String>(),
                    super::departments::MAX_NAME_CHARS
                );
                errors.push(LineProblem { line: t.line, message });
            } else if !registered.contains(d) && !new_departments.contains(d) {
                new_departments.push(d.clone());
            }
        }
    }
    if !errors.is_empty() {
        return Ok(ImportOutcome::Errors(errors));
    }
    let problems = parsed.problems;
    let task_count = problems.iter().map(|p| p.tasks.len()).sum();
    let outcome = PlanImport { dry_run, plan, problems, new_departments, task_count };
    if !dry_run {
        store_import(conn, user, &outcome, world.tree.root().map(|r| r.id.as_str().to_string()))?;
    }
    Ok(ImportOutcome::Read(outcome))
}

fn store_import(conn: &Connection, user: &User, read: &PlanImport, root: Option<String>) -> AppResult<()> {
    let plan = &read.plan;
    store::rectification::insert_plan(
        conn,
        &PlanRow { id: plan.id.clone(), title: plan.title.clone(), year: plan.year },
    )?;
    for d in &read.new_departments {
        super::departments::add_as(conn, &user.name, d, None)?;
    }
    let created_at = store::now();
    for p in &read.problems {
        let indicators = match &root {
            Some(region) => p
                .suggested_indicators
                .iter()
                .map(|code| FigureLink { indicator: code.clone(), region: region.clone() })
                .collect(),
            None => Vec::new(),
        };
        let problem = ProblemRow {
            id: 0,
            plan: plan.id.clone(),
            seq: p.seq as i64,
            title: p.title.clone(),
            description: p.description.clone(),
            indicators,
        };
        let problem_id = store::rectification::insert_problem(conn, &problem)?;
        for t in &p.tasks {
            store::rectification::insert_task(
                conn,
                &TaskRow {
                    id: 0,
                    problem: problem_id,
                    seq: t.seq as i64,
                    title: t.title.clone(),
                    measures: t.measures.clone(),
                    leaders: t.leaders.clone(),
                    departments: t.departments.clone(),
                    persons: t.persons.clone(),
                    deadline: t.deadline,
                    targets: Vec::new(),
                    status: TaskStatus::Open,
                    done_at: None,
                    done_report: None,
                    created_at: created_at.clone(),
                },
            )?;
        }
    }
    audit_change(conn, &user.name, "import", "plan", &plan.id, Scope::default(), None, Some(read))?;
    Ok(())
}
