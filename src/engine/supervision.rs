//! Lights of the rectification tasks and supervision orders (督办单): gathers a task's facts
//! (its reports, the progress of its linked targets) for `domain::rectification::light`, lists
//! tasks with their lights, runs the supervision (an order for every red task without an
//! outstanding one), and issues, answers and closes orders. The rules are the domain's; every
//! change is audited.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use rusqlite::Connection;
use serde::Serialize;

use super::progress::{Scope as ProgressScope, for_indicator};
use super::{Scope, audit_change, require_admin, world};
use crate::domain::access::User;
use crate::domain::period::in_beijing;
use crate::domain::progress::Status;
use crate::domain::rectification::{
    self, Color, Deadline, Filed, Light, OrderAction, OrderActor, OrderFacts, OrderState, TargetProgress, TaskFacts,
    TaskStatus, order_number, order_transition, respond_by, to_issue,
};
use crate::domain::workflow::Refusal;
use crate::domain::{Period, Quarter, text};
use crate::error::{AppError, AppResult};
use crate::store::{self, rectification::OrderRow, rectification::TaskRow};

/// The most reasons an order issued by hand may give, and the longest of them.
pub const MAX_REASONS: usize = 20;
pub const MAX_REASON_CHARS: usize = 500;

/// Today on the bureau's clock (China Standard Time).
pub fn today() -> NaiveDate {
    in_beijing(&chrono::Utc::now()).date_naive()
}

/// The day of a stored moment (RFC 3339, UTC) on the bureau's clock, or a stored day itself.
fn day_of(at: &str) -> AppResult<NaiveDate> {
    if let Ok(moment) = chrono::DateTime::parse_from_rfc3339(at) {
        return Ok(in_beijing(&moment).date_naive());
    }
    at.get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .ok_or_else(|| AppError::Store(store::StoreError::Corrupt(format!("stored moment '{at}'"))))
}

fn day_of_opt(at: Option<&str>) -> AppResult<Option<NaiveDate>> {
    at.map(day_of).transpose()
}

/// The latest progress of a target up to day `on`: the engine's status at the last quarter of its
/// year that ended before `on` and has figures (the fourth quarter says achieved or missed).
fn target_progress(
    conn: &Connection,
    world: &super::World,
    link: &rectification::TargetLink,
    on: NaiveDate,
) -> AppResult<TargetProgress> {
    let (Some(region), Some(indicator)) = (world.tree.get(&link.region), world.indicators.get(&link.indicator)) else {
        // a link to a figure that is gone shows nothing
        let name = format!("{}{}", link.region, link.indicator);
        return Ok(TargetProgress { name, period: None, status: Status::NoData });
    };
    let name = format!("{}{}", region.name, indicator.name);
    let current = Quarter::containing(on);
    let ended: Vec<Quarter> = (1..=4).filter_map(|q| Quarter::new(link.year, q)).filter(|q| *q < current).collect();
    let mut latest = None;
    for quarter in ended.into_iter().rev() {
        let rows = for_indicator(conn, &link.indicator, quarter, ProgressScope::Region(&link.region))?;
        let Some(status) = rows.first().map(|r| r.progress.status) else { continue };
        if status != Status::NoData {
            return Ok(TargetProgress { name, period: Some(Period::Quarter(quarter)), status });
        }
        latest.get_or_insert(status);
    }
    Ok(TargetProgress { name, period: None, status: latest.unwrap_or(Status::NoData) })
}

/// What a task's light is computed from on day `on`.
pub fn facts_of(conn: &Connection, task: &TaskRow, on: NaiveDate) -> AppResult<TaskFacts> {
    let world = world(conn)?;
    let reports = store::rectification::reports_of(conn, task.id)?
        .into_iter()
        .map(|r| Ok(Filed { quarter: r.quarter, on: day_of(&r.at)? }))
        .collect::<AppResult<Vec<_>>>()?;
    let targets =
        task.targets.iter().map(|link| target_progress(conn, &world, link, on)).collect::<AppResult<Vec<_>>>()?;
    Ok(TaskFacts {
        created: day_of(&task.created_at)?,
        deadline: task.deadline,
        done_at: day_of_opt(task.done_at.as_deref())?,
        reports,
        targets,
    })
}

/// The light of a task on day `on`.
pub fn light_of(conn: &Connection, task: &TaskRow, on: NaiveDate) -> AppResult<Light> {
    Ok(rectification::light(&facts_of(conn, task, on)?, on))
}

/// A task in the supervision list, with its light on the day asked about.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TaskLight {
    pub id: i64,
    #[schema(example = "plan-2023")]
    pub plan: String,
    #[schema(example = "区科技局2023年整改工作方案")]
    pub plan_title: String,
    pub problem: i64,
    #[schema(example = "全社会科技投入不足")]
    pub problem_title: String,
    pub seq: i64,
    #[schema(example = "加大研发投入")]
    pub title: String,
    /// 牵头部门: the first of `departments`
    #[schema(example = "高新技术科")]
    pub lead_department: Option<String>,
    pub departments: Vec<String>,
    /// 直接责任人: the first leader
    #[schema(example = "王局长")]
    pub leader: Option<String>,
    pub deadline: Deadline,
    /// `2023年12月31日` or `长期`
    #[schema(example = "2023年12月31日")]
    pub deadline_label: String,
    /// open or done on the day asked about
    pub status: TaskStatus,
    pub light: Light,
    /// the number of the task's order that is not closed, if any
    #[schema(example = "督办〔2024〕1号")]
    pub order: Option<String>,
}

/// The facts of an order as the rules read them.
fn order_facts(row: &OrderRow) -> AppResult<OrderFacts> {
    Ok(OrderFacts {
        respond_by: row.respond_by,
        responded_at: day_of_opt(row.responded_at.as_deref())?,
        closed_at: day_of_opt(row.closed_at.as_deref())?,
    })
}

/// The state of an order now, whatever day a list is asked about.
fn state_now(row: &OrderRow) -> OrderState {
    if row.closed_at.is_some() {
        OrderState::Closed
    } else if row.responded_at.is_some() {
        OrderState::Answered
    } else {
        OrderState::Open
    }
}

/// A department a filter names must exist.
fn known_department(conn: &Connection, department: &str) -> AppResult<()> {
    if store::rectification::departments(conn)?.iter().any(|d| d == department) {
        Ok(())
    } else {
        Err(AppError::NotFound(format!("科室“{department}”不存在")))
    }
}

/// The titles of the plans and problems, by problem id.
fn problem_titles(conn: &Connection) -> AppResult<HashMap<i64, (String, String, String)>> {
    let mut out = HashMap::new();
    for plan in store::rectification::plans(conn)? {
        for problem in store::rectification::problems_of(conn, &plan.id)? {
            out.insert(problem.id, (plan.id.clone(), plan.title.clone(), problem.title));
        }
    }
    Ok(out)
}

/// Every task (or those of `plan`, or those `department` works on), with its light on day `on`;
/// only those of colour `color` when asked.
pub fn tasks(
    conn: &Connection,
    plan: Option<&str>,
    department: Option<&str>,
    color: Option<Color>,
    on: NaiveDate,
) -> AppResult<Vec<TaskLight>> {
    if let Some(d) = department {
        known_department(conn, d)?;
    }
    if let Some(p) = plan
        && store::rectification::plan(conn, p)?.is_none()
    {
        return Err(AppError::NotFound(format!("整改方案“{p}”不存在")));
    }
    let titles = problem_titles(conn)?;
    let mut open_orders: HashMap<i64, String> = HashMap::new();
    for order in store::rectification::orders(conn, None)? {
        if order_facts(&order)?.state(on).outstanding() {
            open_orders.insert(order.task, order_number(order.year, order.n));
        }
    }
    let mut out = Vec::new();
    for task in store::rectification::tasks(conn, department)? {
        let (plan_id, plan_title, problem_title) = titles.get(&task.problem).cloned().unwrap_or_default();
        if plan.is_some_and(|p| p != plan_id) {
            continue;
        }
        let light = light_of(conn, &task, on)?;
        if color.is_some_and(|c| c != light.color) {
            continue;
        }
        out.push(TaskLight {
            id: task.id,
            plan: plan_id,
            plan_title,
            problem: task.problem,
            problem_title,
            seq: task.seq,
            lead_department: task.departments.first().cloned(),
            leader: task.leaders.first().cloned(),
            deadline_label: task.deadline.label(),
            status: TaskStatus::on(day_of_opt(task.done_at.as_deref())?, on),
            order: open_orders.remove(&task.id),
            light,
            title: task.title,
            departments: task.departments,
            deadline: task.deadline,
        });
    }
    Ok(out)
}

/// A supervision order (督办单) as served, its state and level on the day asked about.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Order {
    pub id: i64,
    #[schema(example = "督办〔2024〕1号")]
    pub number: String,
    pub task: i64,
    #[schema(example = "加大研发投入")]
    pub task_title: String,
    /// the task's lead department, which answers
    #[schema(example = "高新技术科")]
    pub lead_department: Option<String>,
    pub reasons: Vec<String>,
    pub issued_at: String,
    pub issued_by: String,
    /// the last day to answer, `YYYY-MM-DD`
    #[schema(example = "2024-01-30")]
    pub respond_by: String,
    /// 1, or 2 when unanswered after `respond_by` (escalated to the responsible leader)
    #[schema(minimum = 1, maximum = 2)]
    pub level: u8,
    pub state: OrderState,
    pub response: Option<String>,
    pub responded_at: Option<String>,
    pub responded_by: Option<String>,
    pub closed_at: Option<String>,
}

fn order_view(row: OrderRow, task: Option<&TaskRow>, on: NaiveDate) -> AppResult<Order> {
    let facts = order_facts(&row)?;
    Ok(Order {
        id: row.id,
        number: order_number(row.year, row.n),
        task: row.task,
        task_title: task.map(|t| t.title.clone()).unwrap_or_default(),
        lead_department: task.and_then(|t| t.departments.first().cloned()),
        reasons: row.reasons,
        issued_at: row.issued_at,
        issued_by: row.issued_by,
        respond_by: row.respond_by.to_string(),
        level: rectification::level(&facts, on),
        state: facts.state(on),
        response: row.response,
        responded_at: row.responded_at,
        responded_by: row.responded_by,
        closed_at: row.closed_at,
    })
}

/// What the audit keeps of an order.
#[derive(Serialize)]
struct Audited<'a> {
    number: &'a str,
    task: i64,
    reasons: &'a [String],
    respond_by: String,
    state: OrderState,
    response: Option<&'a str>,
}

impl<'a> Audited<'a> {
    fn of(order: &'a Order) -> Audited<'a> {
        Audited {
            number: &order.number,
            task: order.task,
            reasons: &order.reasons,
            respond_by: order.respond_by.clone(),
            state: order.state,
            response: order.response.as_deref(),
        }
    }
}

fn stored_order(conn: &Connection, id: i64) -> AppResult<OrderRow> {
    store::rectification::order(conn, id)?.ok_or_else(|| AppError::NotFound(format!("督办单“{id}”不存在")))
}

fn stored_task(conn: &Connection, id: i64) -> AppResult<TaskRow> {
    store::rectification::task(conn, id)?.ok_or_else(|| AppError::NotFound(format!("整改任务“{id}”不存在")))
}

/// Stores and audits an order of `task` issued on day `on` (numbered in `on`'s year).
fn issue_order(conn: &Connection, user: &User, task: &TaskRow, reasons: &[String], on: NaiveDate) -> AppResult<Order> {
    let (id, _) = store::rectification::insert_order(
        conn,
        on.year(),
        task.id,
        reasons,
        &store::now(),
        &user.name,
        respond_by(on),
    )?;
    let order = order_view(stored_order(conn, id)?, Some(task), on)?;
    audit_change(
        conn,
        &user.name,
        "issue",
        "order",
        &order.number,
        Scope::default(),
        None,
        Some(&Audited::of(&order)),
    )?;
    Ok(order)
}

/// The supervision run of day `on` (admin): an order for every red task without an outstanding
/// (not closed) order, its reasons the light's messages. A second run issues nothing new.
pub fn run(conn: &Connection, user: &User, on: NaiveDate) -> AppResult<Vec<Order>> {
    require_admin(user)?;
    let outstanding: Vec<i64> = store::rectification::orders(conn, None)?
        .iter()
        .filter(|o| state_now(o).outstanding())
        .map(|o| o.task)
        .collect();
    let tasks = store::rectification::tasks(conn, None)?;
    let lights = tasks.iter().map(|t| light_of(conn, t, on)).collect::<AppResult<Vec<_>>>()?;
    let ids: Vec<(i64, &Light)> = tasks.iter().map(|t| t.id).zip(&lights).collect();
    let chosen: HashSet<i64> = to_issue(&ids, &outstanding).into_iter().collect();
    let mut issued = Vec::new();
    for (task, light) in tasks.iter().zip(&lights) {
        if chosen.contains(&task.id) {
            issued.push(issue_order(conn, user, task, &light.messages(), on)?);
        }
    }
    Ok(issued)
}

/// The reasons of an order issued by hand: 1 to [`MAX_REASONS`], each text up to
/// [`MAX_REASON_CHARS`] characters (trimmed).
fn reasons_given(reasons: &[String]) -> AppResult<Vec<String>> {
    if reasons.is_empty() {
        return Err(AppError::invalid("reasons", "请至少填写一条督办事由"));
    }
    if reasons.len() > MAX_REASONS {
        return Err(AppError::invalid("reasons", format!("督办事由最多 {MAX_REASONS} 条")));
    }
    reasons
        .iter()
        .enumerate()
        .map(|(i, r)| match text::visible(r) {
            None => Err(AppError::invalid(format!("reasons[{i}]"), "督办事由不能为空")),
            Some(r) if let Some(problem) = text::too_long(r, MAX_REASON_CHARS) => {
                Err(AppError::invalid(format!("reasons[{i}]"), format!("督办事由{problem}")))
            }
            Some(r) => Ok(r.to_string()),
        })
        .collect()
}

/// An order issued by hand (admin) on day `on`, with the admin's reasons; 409 while the task has
/// an outstanding order.
pub fn issue(conn: &Connection, user: &User, task: i64, reasons: &[String], on: NaiveDate) -> AppResult<Order> {
    require_admin(user)?;
    let reasons = reasons_given(reasons)?;
    let task =
        store::rectification::task(conn, task)?.ok_or_else(|| AppError::NotFound(format!("整改任务“{task}”不存在")))?;
    if let Some(open) = store::rectification::orders(conn, Some(task.id))?.iter().find(|o| state_now(o).outstanding()) {
        return Err(AppError::Conflict(format!(
            "任务“{}”已有尚未办结的督办单{}",
            task.title,
            order_number(open.year, open.n)
        )));
    }
    issue_order(conn, user, &task, &reasons, on)
}

/// The orders (of the tasks `department` works on, in state `state` on day `on`), in the order
/// they were issued.
pub fn orders(
    conn: &Connection,
    department: Option<&str>,
    state: Option<OrderState>,
    on: NaiveDate,
) -> AppResult<Vec<Order>> {
    if let Some(d) = department {
        known_department(conn, d)?;
    }
    let tasks: HashMap<i64, TaskRow> =
        store::rectification::tasks(conn, department)?.into_iter().map(|t| (t.id, t)).collect();
    let mut out = Vec::new();
    for row in store::rectification::orders(conn, None)? {
        let task = tasks.get(&row.task);
        if department.is_some() && task.is_none() {
            continue;
        }
        let order = order_view(row, task, on)?;
        if state.is_none_or(|s| s == order.state) {
            out.push(order);
        }
    }
    Ok(out)
}

fn refused(refusal: Refusal, number: &str) -> AppError {
    match refusal {
        Refusal::Forbidden(m) => AppError::Forbidden(format!("{number}：{m}")),
        Refusal::Conflict(m) => AppError::Conflict(format!("{number}：{m}")),
        Refusal::Invalid { field, message } => AppError::invalid(field, message),
    }
}

/// Answers or closes an order on day `on`: who may is the domain's rule (the lead department's
/// officers or an admin answer; an admin closes an answered order).
fn act(
    conn: &Connection,
    user: &User,
    id: i64,
    action: OrderAction,
    response: Option<&str>,
    on: NaiveDate,
) -> AppResult<Order> {
    let row = stored_order(conn, id)?;
    let task = stored_task(conn, row.task)?;
    let number = order_number(row.year, row.n);
    let actor = if user.is_admin() {
        OrderActor::Admin
    } else if task.departments.first().is_some_and(|lead| user.may_act_for(std::slice::from_ref(lead))) {
        OrderActor::LeadOfficer
    } else {
        OrderActor::Outsider
    };
    order_transition(actor, state_now(&row), action, response).map_err(|r| refused(r, &number))?;
    let before = order_view(row, Some(&task), on)?;
    let at = store::now();
    match action {
        OrderAction::Answer => {
            let text = text::given(response).unwrap_or_default();
            store::rectification::answer_order(conn, id, text, &at, &user.name)?;
        }
        OrderAction::Close => store::rectification::close_order(conn, id, &at)?,
    }
    let after = order_view(stored_order(conn, id)?, Some(&task), on)?;
    let verb = match action {
        OrderAction::Answer => "answer",
        OrderAction::Close => "close",
    };
    audit_change(
        conn,
        &user.name,
        verb,
        "order",
        &number,
        Scope::default(),
        Some(&Audited::of(&before)),
        Some(&Audited::of(&after)),
    )?;
    Ok(after)
}

/// The lead department's answer to an order (or an admin's).
pub fn answer(conn: &Connection, user: &User, id: i64, response: Option<&str>, on: NaiveDate) -> AppResult<Order> {
    act(conn, user, id, OrderAction::Answer, response, on)
}

/// Closes an answered order (admin).
pub fn close(conn: &Connection, user: &User, id: i64, on: NaiveDate) -> AppResult<Order> {
    act(conn, user, id, OrderAction::Close, None, on)
}
