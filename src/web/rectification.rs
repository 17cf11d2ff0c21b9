//! The rectification pages (整改督办): the tasks with their lights, a task's detail with its
//! timeline and linked figures, an officer's own tasks with the quarter's progress report form, and
//! the plan import with its preview. The pages ask the engine; the forms post to page routes that
//! call the engine with the session's CSRF token, as the entry form does.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Serialize;

use super::{OrPage, PageError, PageUser, STALE_PAGE, failed, render, render_noted};
use crate::app::AppState;
use crate::domain::access::Role;
use crate::domain::period::{Day, in_beijing};
use crate::domain::rectification::{Color, OrderState, TaskStatus, due_quarters};
use crate::domain::{FieldError, Period, Quarter, text};
use crate::engine::plans::{ImportOutcome, LineProblem, Plan, PlanImport, Report, Task};
use crate::engine::supervision::{Order, TaskLight};
use crate::engine::{self, World};
use crate::error::{AppError, AppResult};

/// The query of the list pages. Like the other pages' queries it never fails: a value that is not
/// one is as if not given, and the page says so in a note; a name given twice counts the first time.
#[derive(Default)]
pub struct TasksQuery {
    department: Option<String>,
    light: Option<String>,
    on: Option<String>,
    /// what a form just saved, for the message above the page
    reported: Option<String>,
    did: Option<Done>,
}

/// What a form on a task's page just did, for the message above the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Done {
    Answered,
    Closed,
    Issued,
    Finished,
    Reopened,
}

impl Done {
    const ALL: [Done; 5] = [Done::Answered, Done::Closed, Done::Issued, Done::Finished, Done::Reopened];

    fn as_str(self) -> &'static str {
        match self {
            Done::Answered => "answered",
            Done::Closed => "closed",
            Done::Issued => "issued",
            Done::Finished => "done",
            Done::Reopened => "reopened",
        }
    }

    fn message(self) -> &'static str {
        match self {
            Done::Answered => "已答复督办单。",
            Done::Closed => "督办单已办结。",
            Done::Issued => "已下达督办单。",
            Done::Finished => "任务已办结。",
            Done::Reopened => "任务已重新打开。",
        }
    }
}

impl TasksQuery {
    fn parse(query: &str) -> TasksQuery {
        let mut q = TasksQuery::default();
        for (name, value) in super::first_values(query) {
            let value = text::given(Some(&value)).map(str::to_string);
            match name.as_str() {
                "department" => q.department = value,
                "light" => q.light = value,
                "on" => q.on = value,
                "reported" => q.reported = value,
                "did" => q.did = value.and_then(|v| Done::ALL.into_iter().find(|d| d.as_str() == v)),
                _ => {}
            }
        }
        q
    }

    /// The day asked about (today in China when none or not a day), and the note for a wrong one.
    fn day(&self) -> (NaiveDate, Option<String>) {
        let today = engine::supervision::today();
        match self.on.as_deref() {
            None => (today, None),
            Some(text) => match Day::parse(text) {
                Some(day) => (day.0, None),
                None => (
                    today,
                    Some(format!("“{}”不是日期（应为 YYYY-MM-DD，如 2024-01-15），已显示今天（{today}）。", cut(text))),
                ),
            },
        }
    }

    /// The light asked for, and the note for one that is not a light.
    fn light(&self) -> (Option<Color>, Option<String>) {
        match self.light.as_deref() {
            None => (None, None),
            Some(text) => match Color::parse(text) {
                Some(c) => (Some(c), None),
                None => {
                    (None, Some(format!("“{}”不是亮灯颜色（红灯、黄灯、蓝灯、绿灯），已显示全部任务。", cut(text))))
                }
            },
        }
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for TasksQuery {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(TasksQuery::parse(parts.uri.query().unwrap_or_default()))
    }
}

fn cut(text: &str) -> String {
    text.chars().take(20).collect()
}

/// A task of a list, with what the page shows of its light.
#[derive(Serialize)]
struct TaskItem {
    #[serde(flatten)]
    task: TaskLight,
    light_label: &'static str,
    status_label: &'static str,
    /// the progress report form, on 我的任务 when a report is due
    form: Option<ReportForm>,
}

impl TaskItem {
    fn of(task: TaskLight) -> TaskItem {
        TaskItem { light_label: task.light.color.label(), status_label: task.status.label(), task, form: None }
    }
}

#[derive(Serialize)]
struct LightCount {
    color: &'static str,
    label: &'static str,
    count: usize,
}

fn counts(tasks: &[TaskLight]) -> Vec<LightCount> {
    Color::ALL
        .into_iter()
        .map(|c| LightCount {
            color: c.as_str(),
            label: c.label(),
            count: tasks.iter().filter(|t| t.light.color == c).count(),
        })
        .collect()
}

#[derive(Serialize)]
struct ListPage {
    department: String,
    light: String,
    on: String,
    departments: Vec<String>,
    lights: Vec<(&'static str, &'static str)>,
    /// of the tasks of the department asked for, whatever their light
    counts: Vec<LightCount>,
    total: usize,
    tasks: Vec<TaskItem>,
    may_import: bool,
}

/// 整改督办: the tasks with their lights, filtered by department and light, on a day.
pub async fn list(State(state): State<AppState>, who: PageUser, q: TasksQuery) -> Result<Response, PageError> {
    let (on, day_note) = q.day();
    let (light, light_note) = q.light();
    let asked = q.department.clone();
    let (page, department_note) = state
        .read(move |conn| {
            let departments = engine::departments::list(conn)?;
            let (department, note) = match asked {
                Some(d) if !departments.contains(&d) => {
                    (None, Some(format!("“{}”不是已登记的科室，已显示全部科室。", cut(&d))))
                }
                other => (other, None),
            };
            let all = engine::supervision::tasks(conn, None, department.as_deref(), None, on)?;
            let counts = counts(&all);
            let total = all.len();
            let tasks =
                all.into_iter().filter(|t| light.is_none_or(|c| t.light.color == c)).map(TaskItem::of).collect();
            Ok((
                ListPage {
                    department: department.unwrap_or_default(),
                    light: light.map(|c| c.as_str().to_string()).unwrap_or_default(),
                    on: on.to_string(),
                    departments,
                    lights: Color::ALL.iter().map(|c| (c.as_str(), c.label())).collect(),
                    counts,
                    total,
                    tasks,
                    may_import: false,
                },
                note,
            ))
        })
        .await
        .or_page(&who)?;
    let page = ListPage { may_import: who.user.is_admin(), ..page };
    let notes: Vec<String> = [department_note, light_note, day_note].into_iter().flatten().collect();
    let notice = (!notes.is_empty()).then(|| notes.join(""));
    Ok(render_noted("rectification.html", Some(&who), "整改督办", &page, notice.as_deref()))
}

// ---------------------------------------------------------------------------------------------
// The progress report form

/// The quarter's progress report form of a task: the quarters it may report (the due ones still
/// missing, the quarter just ended and the current one), the one chosen, and what was typed.
#[derive(Serialize, Clone)]
struct ReportForm {
    task: i64,
    quarters: Vec<(String, String)>,
    selected: String,
    /// a report of the chosen quarter is due (missing or not yet filed)
    due: bool,
    /// the due quarters without a report, as people read them
    missing: Vec<String>,
    text: String,
    percent: String,
}

/// The day of a stored moment (RFC 3339) in China, or of a stored day.
fn day_of(at: &str) -> Option<NaiveDate> {
    chrono::DateTime::parse_from_rfc3339(at)
        .ok()
        .map(|m| in_beijing(&m).date_naive())
        .or_else(|| at.get(..10).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()))
}

fn report_form(task: &Task, reports: &[Report], today: NaiveDate, current: Quarter) -> Option<ReportForm> {
    if task.status == TaskStatus::Done {
        return None;
    }
    let created = day_of(&task.created_at).unwrap_or(today);
    let done_at = task.done_at.as_deref().and_then(day_of);
    let reported: Vec<Quarter> = reports.iter().filter_map(|r| r.period.parse().ok()).collect();
    let missing: Vec<Quarter> =
        due_quarters(created, task.deadline, done_at, today).into_iter().filter(|q| !reported.contains(q)).collect();
    let mut quarters = missing.clone();
    if let Some(previous) = current.previous().filter(|p| *p >= Quarter::containing(created)) {
        quarters.push(previous);
    }
    quarters.push(current);
    quarters.sort();
    quarters.dedup();
    let selected = match missing.last() {
        Some(q) => *q,
        None => quarters.iter().copied().find(|q| !reported.contains(q)).unwrap_or(current),
    };
    Some(ReportForm {
        task: task.id,
        quarters: quarters.iter().rev().map(|q| (q.to_string(), q.label())).collect(),
        selected: selected.to_string(),
        due: !reported.contains(&selected),
        missing: missing.iter().map(|q| q.label()).collect(),
        text: String::new(),
        percent: String::new(),
    })
}

// ---------------------------------------------------------------------------------------------
// A task's detail

#[derive(Serialize)]
struct Event {
    at: String,
    kind: &'static str,
    title: String,
    text: String,
    by: String,
}

#[derive(Serialize)]
struct Figure {
    name: String,
    period: String,
    actual: Option<f64>,
    target: Option<f64>,
    completion: Option<f64>,
    status: String,
    status_label: &'static str,
    unit: String,
    decimals: u8,
    /// the query of its trend chart (`/charts/trend.svg`): the quarters of the year shown and the year before
    trend: Option<String>,
}

/// The trend chart of `indicator` of `region` over the year of `period` and the year before.
fn trend(region: &str, indicator: &str, period: Period) -> Option<String> {
    let last = match period {
        Period::Quarter(q) => q,
        Period::Year(y) => Quarter::new(y, 4)?,
    };
    let first = Quarter::new(last.year() - 1, 1)?;
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([("region", region), ("indicator", indicator)])
        .extend_pairs([("from", first.to_string()), ("to", last.to_string())])
        .finish();
    Some(query)
}

#[derive(Serialize)]
struct OpenOrder {
    id: i64,
    number: String,
    respond_by: String,
    level: u8,
}

#[derive(Serialize)]
struct AdminForms {
    /// the answered order waiting to be closed: (id, number)
    close: Option<(i64, String)>,
    /// no order is outstanding: one may be issued by hand
    issue: bool,
    /// days the lead department has to answer an order
    respond_days: u64,
    done: bool,
}

#[derive(Serialize)]
struct TaskPage {
    task: Task,
    plan_title: String,
    problem_title: String,
    problem_description: String,
    light: crate::domain::rectification::Light,
    light_label: &'static str,
    status_label: &'static str,
    deadline_label: String,
    on: String,
    timeline: Vec<Event>,
    figures: Vec<Figure>,
    targets: Vec<Figure>,
    form: Option<ReportForm>,
    /// the order the viewer may answer
    answer: Option<OpenOrder>,
    /// the order not yet closed, for everyone to see
    order: Option<String>,
    /// what an admin may do: close the answered order, issue one, finish or reopen the task
    admin: Option<AdminForms>,
    saved: Option<String>,
    did: Option<&'static str>,
    errors: Vec<FieldError>,
    error: Option<String>,
}

fn figure(
    conn: &rusqlite::Connection,
    world: &World,
    region: &str,
    indicator: &str,
    periods: &[Period],
) -> AppResult<Figure> {
    let (name, unit, decimals, known) = match (world.tree.get(region), world.indicators.get(indicator)) {
        (Some(r), Some(i)) => (format!("{}{}", r.name, i.name), i.unit.clone(), i.decimals, true),
        _ => (format!("{region}{indicator}"), String::new(), 0, false),
    };
    let chart = |period: Period| if known { trend(region, indicator, period) } else { None };
    let mut shown = None;
    for period in periods {
        let rows = engine::progress::for_indicator(conn, indicator, *period, engine::progress::Scope::Region(region))?;
        if let Some(row) = rows.into_iter().next() {
            let has_data = row.progress.actual.is_some();
            shown = Some((*period, row.progress));
            if has_data {
                break;
            }
        }
    }
    Ok(match shown {
        Some((period, p)) => Figure {
            name,
            period: match period {
                Period::Quarter(q) => q.ytd_label(),
                Period::Year(y) => format!("{y}年"),
            },
            actual: p.actual,
            target: p.target,
            completion: p.completion,
            status: serde_json::to_value(p.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            status_label: p.status.label(),
            unit,
            decimals,
            trend: chart(period),
        },
        None => Figure {
            name,
            period: String::new(),
            actual: None,
            target: None,
            completion: None,
            status: "no_data".into(),
            status_label: "暂无数据",
            unit,
            decimals,
            trend: periods.first().and_then(|p| chart(*p)),
        },
    })
}

fn timeline(reports: &[Report], orders: &[Order]) -> Vec<Event> {
    let mut events = Vec::new();
    for r in reports {
        let label = r.period.parse::<Quarter>().map_or_else(|_| r.period.clone(), |q| q.label());
        let percent =
            r.percent.map(|p| format!("（完成进度 {}%）", crate::domain::number::plain(p))).unwrap_or_default();
        events.push(Event {
            at: r.at.clone(),
            kind: "report",
            title: format!("{label}进展报告{percent}"),
            text: r.text.clone(),
            by: r.by.clone(),
        });
    }
    for o in orders {
        events.push(Event {
            at: o.issued_at.clone(),
            kind: "issued",
            title: format!("下发{}（{}前答复）", o.number, o.respond_by),
            text: o.reasons.join("；"),
            by: o.issued_by.clone(),
        });
        if let Some(at) = &o.responded_at {
            events.push(Event {
                at: at.clone(),
                kind: "answered",
                title: format!("答复{}", o.number),
                text: o.response.clone().unwrap_or_default(),
                by: o.responded_by.clone().unwrap_or_default(),
            });
        }
        if let Some(at) = &o.closed_at {
            events.push(Event {
                at: at.clone(),
                kind: "closed",
                title: format!("{}办结", o.number),
                text: String::new(),
                by: String::new(),
            });
        }
    }
    events.sort_by(|a, b| a.at.cmp(&b.at));
    events
}

fn task_id(id: &str, who: &PageUser) -> Result<i64, PageError> {
    id.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| PageError::new(Some(who), AppError::NotFound(format!("整改任务“{}”不存在", cut(id)))))
}

async fn task_page(state: &AppState, who: &PageUser, id: i64, on: NaiveDate) -> Result<TaskPage, PageError> {
    let user = who.user.clone();
    let current = engine::current_quarter();
    state
        .read(move |conn| {
            let task = engine::plans::get_task(conn, id)?;
            let light = engine::supervision::tasks(conn, None, None, None, on)?
                .into_iter()
                .find(|t| t.id == id)
                .ok_or_else(|| AppError::NotFound(format!("整改任务{id}不存在")))?;
            let problem = engine::plans::get_problem(conn, task.problem)?.problem;
            let reports = engine::plans::reports(conn, id)?;
            let orders: Vec<Order> =
                engine::supervision::orders(conn, None, None, on)?.into_iter().filter(|o| o.task == id).collect();
            let world = engine::world(conn)?;
            let latest = engine::period_shown(conn, None)?;
            let figures = problem
                .indicators
                .iter()
                .map(|f| figure(conn, &world, &f.region, &f.indicator, &[latest]))
                .collect::<AppResult<Vec<_>>>()?;
            let now = Quarter::containing(on);
            let targets = task
                .targets
                .iter()
                .map(|t| {
                    let mut periods: Vec<Period> = (1..=4)
                        .rev()
                        .filter_map(|n| Quarter::new(t.year, n))
                        .filter(|q| *q < now)
                        .map(Period::Quarter)
                        .collect();
                    if periods.is_empty() {
                        periods.push(Period::Year(t.year));
                    }
                    figure(conn, &world, &t.region, &t.indicator, &periods)
                })
                .collect::<AppResult<Vec<_>>>()?;
            let form = if user.may_act_for(&task.departments) {
                report_form(&task, &reports, engine::supervision::today(), current)
            } else {
                None
            };
            let open = orders.iter().find(|o| o.state == OrderState::Open);
            let lead = task.departments.first().cloned();
            let answer = open.filter(|_| user.is_admin() || lead.is_some_and(|l| user.may_act_for(&[l]))).map(|o| {
                OpenOrder { id: o.id, number: o.number.clone(), respond_by: o.respond_by.clone(), level: o.level }
            });
            let admin = user.is_admin().then(|| AdminForms {
                close: orders.iter().find(|o| o.state == OrderState::Answered).map(|o| (o.id, o.number.clone())),
                issue: !orders.iter().any(|o| o.state.outstanding()),
                respond_days: crate::domain::rectification::RESPOND_DAYS,
                done: task.status == TaskStatus::Done,
            });
            Ok(TaskPage {
                admin,
                plan_title: light.plan_title.clone(),
                problem_title: problem.title.clone(),
                problem_description: problem.description.clone(),
                light_label: light.light.color.label(),
                status_label: light.status.label(),
                deadline_label: light.deadline_label.clone(),
                order: light.order.clone(),
                light: light.light,
                on: on.to_string(),
                timeline: timeline(&reports, &orders),
                figures,
                targets,
                form,
                answer,
                task,
                saved: None,
                did: None,
                errors: vec![],
                error: None,
            })
        })
        .await
        .or_page(who)
}

/// A task's detail: what it is, its light with every reason, its timeline, its figures and
/// targets, and the forms of who may report or answer.
pub async fn task(
    State(state): State<AppState>,
    who: PageUser,
    Path(id): Path<String>,
    q: TasksQuery,
) -> Result<Response, PageError> {
    let id = task_id(&id, &who)?;
    let (on, note) = q.day();
    let mut page = task_page(&state, &who, id, on).await?;
    page.saved = q.reported.as_deref().and_then(|p| p.parse::<Quarter>().ok()).map(|q| q.label());
    page.did = q.did.map(Done::message);
    let title = format!("整改任务：{}", page.task.title);
    Ok(render_noted("rectification_task.html", Some(&who), &title, &page, note.as_deref()))
}

/// The typed percent: empty is none; else a number.
fn percent_of(text: &str) -> Result<Option<f64>, AppError> {
    match text::visible(text) {
        None => Ok(None),
        Some(t) => crate::transfer::parse_number(t)
            .map(Some)
            .map_err(|_| AppError::invalid("percent", "完成进度应为 0 到 100 的数字")),
    }
}

/// The progress report form, posted from a task's detail or 我的任务: the engine's report of
/// the quarter chosen; back to where it came from, or the task's page with what was refused.
pub async fn save_report(
    State(state): State<AppState>,
    who: PageUser,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    if form.get("csrf") != Some(&who.csrf) {
        return Ok((StatusCode::FORBIDDEN, Html(STALE_PAGE)).into_response());
    }
    let id = task_id(&id, &who)?;
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    let (period, body, percent) = (field("period"), field("text"), field("percent"));
    let quarter =
        period.trim().parse::<Quarter>().map_err(|_| AppError::invalid("period", "请选择报告季度，如 2024Q1"));
    let current = engine::current_quarter();
    let user = who.user.clone();
    let saved = match (quarter, percent_of(&percent)) {
        (Ok(quarter), Ok(percent)) => {
            let text = body.clone();
            state.write(move |conn| engine::plans::report(conn, &user, id, quarter, current, &text, percent)).await
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match saved {
        Ok(report) if field("back") == "mine" => {
            Ok(Redirect::to(&format!("/rectification/mine?reported={}", report.period)).into_response())
        }
        Ok(report) => {
            Ok(Redirect::to(&format!("/rectification/tasks/{id}?reported={}", report.period)).into_response())
        }
        // who may not report gets the error page (403), a task that is not one 404
        Err(e @ (AppError::Forbidden(_) | AppError::NotFound(_))) => Err(PageError::new(Some(&who), e)),
        Err(e) => {
            let mut page = task_page(&state, &who, id, engine::supervision::today()).await?;
            if let Some(form) = page.form.as_mut() {
                form.text = body;
                form.percent = percent;
                if form.quarters.iter().any(|(q, _)| *q == period.trim()) {
                    form.selected = period.trim().to_string();
                }
            }
            match &e {
                AppError::Invalid(errors) => page.errors = errors.clone(),
                other => page.error = Some(other.public_message()),
            }
            let title = format!("整改任务：{}", page.task.title);
            Ok(failed(render("rectification_task.html", Some(&who), &title, &page), &e))
        }
    }
}

/// A form posted from a task's page that acts on a task or an order (`id`, the path's): checks the
/// session's token, runs `act` (which answers the task it acted on) and goes back to the task's
/// page saying what was done; what the engine refuses is the error page with its message.
async fn act_from_page(
    state: &AppState,
    who: &PageUser,
    form: &HashMap<String, String>,
    id: &str,
    what: &str,
    did: Done,
    act: impl FnOnce(&rusqlite::Connection, &crate::domain::access::User, i64) -> AppResult<i64> + Send + 'static,
) -> Result<Response, PageError> {
    if form.get("csrf") != Some(&who.csrf) {
        return Ok((StatusCode::FORBIDDEN, Html(STALE_PAGE)).into_response());
    }
    let id = id
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| PageError::new(Some(who), AppError::NotFound(format!("{what}“{}”不存在", cut(id)))))?;
    let user = who.user.clone();
    let task = state.write(move |conn| act(conn, &user, id)).await.or_page(who)?;
    Ok(Redirect::to(&format!("/rectification/tasks/{task}?did={}", did.as_str())).into_response())
}

fn field(form: &HashMap<String, String>, name: &str) -> String {
    form.get(name).cloned().unwrap_or_default()
}

/// The lead department's answer to an open order.
pub async fn answer_order(
    State(state): State<AppState>,
    who: PageUser,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let response = field(&form, "response");
    act_from_page(&state, &who, &form, &id, "督办单", Done::Answered, move |conn, user, id| {
        Ok(engine::supervision::answer(conn, user, id, Some(&response), engine::supervision::today())?.task)
    })
    .await
}

/// An admin closes an answered order.
pub async fn close_order(
    State(state): State<AppState>,
    who: PageUser,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    act_from_page(&state, &who, &form, &id, "督办单", Done::Closed, |conn, user, id| {
        Ok(engine::supervision::close(conn, user, id, engine::supervision::today())?.task)
    })
    .await
}

/// An admin issues an order by hand, its reasons one per line (blank lines are not reasons).
pub async fn issue_order(
    State(state): State<AppState>,
    who: PageUser,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let reasons: Vec<String> =
        field(&form, "reasons").lines().filter_map(|l| text::visible(l)).map(str::to_string).collect();
    act_from_page(&state, &who, &form, &id, "整改任务", Done::Issued, move |conn, user, id| {
        Ok(engine::supervision::issue(conn, user, id, &reasons, engine::supervision::today())?.task)
    })
    .await
}

/// An admin marks the task done with its completion report (办结报告).
pub async fn finish_task(
    State(state): State<AppState>,
    who: PageUser,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let report = field(&form, "done_report");
    act_from_page(&state, &who, &form, &id, "整改任务", Done::Finished, move |conn, user, id| {
        Ok(engine::plans::done(conn, user, id, &report)?.id)
    })
    .await
}

/// An admin opens a done task again, with a reason.
pub async fn reopen_task(
    State(state): State<AppState>,
    who: PageUser,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let reason = field(&form, "reason");
    act_from_page(&state, &who, &form, &id, "整改任务", Done::Reopened, move |conn, user, id| {
        Ok(engine::plans::reopen(conn, user, id, &reason)?.id)
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// 我的任务

#[derive(Serialize)]
struct MinePage {
    officer: bool,
    departments: Vec<String>,
    tasks: Vec<TaskItem>,
    due: usize,
    saved: Option<String>,
}

/// An officer's tasks (those of their departments) with their lights, and the quarter's report
/// form of each whose report is due.
pub async fn mine(State(state): State<AppState>, who: PageUser, q: TasksQuery) -> Result<Response, PageError> {
    let user = who.user.clone();
    let current = engine::current_quarter();
    let page = state
        .read(move |conn| {
            let officer = user.role == Role::Officer;
            if !officer {
                return Ok(MinePage { officer, departments: vec![], tasks: vec![], due: 0, saved: None });
            }
            let today = engine::supervision::today();
            let mut tasks = Vec::new();
            for t in engine::supervision::tasks(conn, None, None, None, today)? {
                if !user.may_act_for(&t.departments) {
                    continue;
                }
                let task = engine::plans::get_task(conn, t.id)?;
                let reports = engine::plans::reports(conn, t.id)?;
                let mut item = TaskItem::of(t);
                item.form = report_form(&task, &reports, today, current).filter(|f| f.due);
                tasks.push(item);
            }
            let due = tasks.iter().filter(|t| t.form.is_some()).count();
            Ok(MinePage { officer, departments: user.departments.clone(), tasks, due, saved: None })
        })
        .await
        .or_page(&who)?;
    let saved = q.reported.as_deref().and_then(|p| p.parse::<Quarter>().ok()).map(|q| q.label());
    Ok(render("rectification_mine.html", Some(&who), "我的任务", &MinePage { saved, ..page }))
}

// ---------------------------------------------------------------------------------------------
// Plan import

#[derive(Serialize, Default)]
struct ImportPage {
    plan: String,
    title: String,
    year: String,
    text: String,
    preview: Option<ImportView>,
    imported: Option<ImportView>,
    line_errors: Vec<LineProblem>,
    errors: Vec<FieldError>,
    error: Option<String>,
}

/// What the text holds, as the preview shows it: suggested indicators by name.
#[derive(Serialize)]
struct ImportView {
    #[serde(flatten)]
    read: PlanImport,
    /// per problem, the names of its suggested indicators
    suggested: Vec<Vec<String>>,
    /// per problem, its tasks' deadlines as people read them
    deadlines: Vec<Vec<String>>,
}

fn forbidden_unless_admin(who: &PageUser) -> Result<(), PageError> {
    if who.user.is_admin() {
        Ok(())
    } else {
        Err(PageError::new(Some(who), AppError::Forbidden("只有管理员可以导入整改方案".into())))
    }
}

pub async fn import_form(who: PageUser) -> Result<Response, PageError> {
    forbidden_unless_admin(&who)?;
    let year = engine::supervision::today().format("%Y").to_string();
    let page = ImportPage { year, ..Default::default() };
    Ok(render("rectification_import.html", Some(&who), "导入整改方案", &page))
}

/// The plan's text posted with its id, title and year: `step=preview` reads it and stores
/// nothing; `step=import` stores it. Errors are shown on the form with what was typed.
pub async fn import(
    State(state): State<AppState>,
    who: PageUser,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    if form.get("csrf") != Some(&who.csrf) {
        return Ok((StatusCode::FORBIDDEN, Html(STALE_PAGE)).into_response());
    }
    forbidden_unless_admin(&who)?;
    let field = |name: &str| form.get(name).map(|v| v.trim().to_string()).unwrap_or_default();
    let mut page = ImportPage {
        plan: field("plan"),
        title: field("title"),
        year: field("year"),
        text: form.get("text").cloned().unwrap_or_default(),
        ..Default::default()
    };
    let dry_run = field("step") != "import";
    let outcome = match page.year.parse::<i32>() {
        Err(_) => Err(AppError::invalid("year", "年份应为四位数字，如 2023")),
        Ok(year) => {
            let plan = Plan { id: page.plan.clone(), title: page.title.clone(), year };
            let (user, body) = (who.user.clone(), page.text.clone());
            state
                .write(move |conn| {
                    let outcome = engine::plans::import(conn, &user, plan, &body, dry_run)?;
                    let world = engine::world(conn)?;
                    Ok(match outcome {
                        ImportOutcome::Read(read) => {
                            let suggested = read
                                .problems
                                .iter()
                                .map(|p| {
                                    p.suggested_indicators
                                        .iter()
                                        .map(|c| world.indicators.get(c).map_or_else(|| c.clone(), |i| i.name.clone()))
                                        .collect()
                                })
                                .collect();
                            let deadlines = read
                                .problems
                                .iter()
                                .map(|p| p.tasks.iter().map(|t| t.deadline.label()).collect())
                                .collect();
                            Ok(ImportView { read, suggested, deadlines })
                        }
                        ImportOutcome::Errors(errors) => Err(errors),
                    })
                })
                .await
        }
    };
    let status = match outcome {
        Ok(Ok(view)) => {
            if dry_run {
                page.preview = Some(view);
            } else {
                page.imported = Some(view);
            }
            None
        }
        Ok(Err(lines)) => {
            page.line_errors = lines;
            Some(AppError::invalid("text", "整改方案文本有误"))
        }
        Err(e @ AppError::Forbidden(_)) => return Err(PageError::new(Some(&who), e)),
        Err(e) => {
            match &e {
                AppError::Invalid(errors) => page.errors = errors.clone(),
                other => page.error = Some(other.public_message()),
            }
            Some(e)
        }
    };
    let html = render("rectification_import.html", Some(&who), "导入整改方案", &page);
    Ok(match status {
        Some(e) => failed(html, &e),
        None => html,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tasks_query_never_fails_and_notes_what_it_could_not_show() {
        let today = engine::supervision::today();
        for (query, department, light, on, notes) in [
            ("", None, None, today, vec![]),
            ("department=&light=&on=", None, None, today, vec![]),
            ("light=red&on=2024-01-16", None, Some(Color::Red), NaiveDate::from_ymd_opt(2024, 1, 16).unwrap(), vec![]),
            ("department=%E9%AB%98%E6%96%B0%E6%8A%80%E6%9C%AF%E7%A7%91", Some("高新技术科"), None, today, vec![]),
            (
                "light=purple",
                None,
                None,
                today,
                vec!["“purple”不是亮灯颜色（红灯、黄灯、蓝灯、绿灯），已显示全部任务。".to_string()],
            ),
            (
                "on=2024-02-30&light=blue&light=x",
                None,
                Some(Color::Blue),
                today,
                vec![format!("“2024-02-30”不是日期（应为 YYYY-MM-DD，如 2024-01-15），已显示今天（{today}）。")],
            ),
        ] {
            let q = TasksQuery::parse(query);
            assert_eq!(q.department.as_deref(), department, "{query}");
            let (got_light, light_note) = q.light();
            let (got_on, day_note) = q.day();
            assert_eq!(got_light, light, "{query}");
            assert_eq!(got_on, on, "{query}");
            let got: Vec<String> = [light_note, day_note].into_iter().flatten().collect();
            assert_eq!(got, notes, "{query}");
        }
    }
}
