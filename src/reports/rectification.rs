//! 整改工作进展情况通报: the rectification tasks on a day (a quarter's report due date, or any
//! day): counts by light, per problem its tasks with their lights, latest progress, linked targets
//! and open orders, and a summary per department. Built from the engine's answers only.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;

use super::{Report, html, xlsx};
use crate::charts::Chart;
use crate::charts::model::{Body, LightCounts, TaskLights};
use crate::domain::number;
use crate::domain::period::{Quarter, in_beijing};
use crate::domain::progress::Status;
use crate::domain::rectification::{Color, ReasonCode, date_label, report_due_by};
use crate::engine::progress::{Scope, for_indicator};
use crate::engine::{self, plans, supervision};
use crate::error::AppResult;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RectificationReport {
    pub title: String,
    /// the day the report is as of, `YYYY-MM-DD`
    pub on: String,
    /// 2024年1月15日
    pub on_label: String,
    pub task_count: usize,
    /// red, yellow, blue, green
    pub counts: Vec<LightCount>,
    pub problems: Vec<ProblemSection>,
    pub departments: Vec<DepartmentSummary>,
    pub open_orders: usize,
    #[serde(skip)]
    pub chart: Chart,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LightCount {
    pub color: Color,
    pub label: &'static str,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProblemSection {
    pub id: i64,
    pub seq: i64,
    pub title: String,
    pub tasks: Vec<TaskSection>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskSection {
    pub id: i64,
    pub seq: i64,
    pub title: String,
    pub lead_department: Option<String>,
    pub departments: Vec<String>,
    pub leader: Option<String>,
    pub deadline_label: String,
    pub color: Color,
    pub light_label: &'static str,
    pub reasons: Vec<String>,
    /// the latest progress report filed by the day: its quarter's label and text
    pub latest_period: Option<String>,
    pub latest_text: Option<String>,
    pub targets: Vec<TargetLine>,
    /// numbers of its orders outstanding on the day
    pub orders: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetLine {
    pub name: String,
    pub unit: String,
    pub decimals: u8,
    /// the period the figures are of: 2023年1-3季度
    pub period_label: Option<String>,
    pub actual: Option<f64>,
    pub target: Option<f64>,
    /// completion in percent
    pub completion_pct: Option<f64>,
    pub status: Status,
    pub status_label: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DepartmentSummary {
    pub name: String,
    /// tasks it leads
    pub tasks: usize,
    pub done_on_time: usize,
    pub overdue: usize,
    pub open_orders: usize,
    /// its tasks by light: red, yellow, blue, green
    pub by_light: Vec<usize>,
}

/// The day a quarter's report is as of: the last day its progress reports are due.
pub fn as_of(quarter: Quarter) -> NaiveDate {
    report_due_by(quarter)
}

/// The latest figures of a linked target up to `on`: the last quarter of its year that ended
/// before `on` and has figures.
fn target_line(
    conn: &Connection,
    world: &engine::World,
    link: &crate::domain::rectification::TargetLink,
    on: NaiveDate,
) -> AppResult<TargetLine> {
    let indicator = world.indicators.get(&link.indicator);
    let region = world.tree.get(&link.region).map(|r| r.name.clone()).unwrap_or_else(|| link.region.clone());
    let mut line = TargetLine {
        name: format!("{region}{}", indicator.map_or(link.indicator.as_str(), |i| i.name.as_str())),
        unit: indicator.map(|i| i.unit.clone()).unwrap_or_default(),
        decimals: indicator.map_or(2, |i| i.decimals),
        period_label: None,
        actual: None,
        target: None,
        completion_pct: None,
        status: Status::NoData,
        status_label: Status::NoData.label(),
    };
    if indicator.is_none() || world.tree.get(&link.region).is_none() {
        return Ok(line);
    }
    let current = Quarter::containing(on);
    for q in (1..=4).rev().filter_map(|q| Quarter::new(link.year, q)).filter(|q| *q < current) {
        let rows = for_indicator(conn, &link.indicator, q, Scope::Region(&link.region))?;
        let Some(p) = rows.first().map(|r| &r.progress) else { continue };
        if p.status == Status::NoData {
            continue;
        }
        line.period_label = Some(q.ytd_label());
        line.actual = p.actual;
        line.target = p.target;
        line.completion_pct = p.completion.map(|c| number::percent(100.0 * c));
        line.status = p.status;
        line.status_label = p.status.label();
        break;
    }
    Ok(line)
}

/// The day (China time) a stored moment fell on.
fn day_of(at: &str) -> Option<NaiveDate> {
    chrono::DateTime::parse_from_rfc3339(at).ok().map(|m| in_beijing(&m).date_naive())
}

/// The report as of day `on`.
pub fn build(conn: &Connection, on: NaiveDate) -> AppResult<RectificationReport> {
    let world = engine::world(conn)?;
    let lights = supervision::tasks(conn, None, None, None, on)?;
    // the orders issued by the day (a later one did not exist yet)
    let orders: Vec<supervision::Order> = supervision::orders(conn, None, None, on)?
        .into_iter()
        .filter(|o| day_of(&o.issued_at).is_some_and(|d| d <= on))
        .collect();
    let mut open: HashMap<i64, Vec<String>> = HashMap::new();
    for o in orders.iter().filter(|o| o.state.outstanding()) {
        open.entry(o.task).or_default().push(o.number.clone());
    }
    let mut problems: Vec<ProblemSection> = plans::problems(conn, None)?
        .into_iter()
        .map(|p| ProblemSection { id: p.id, seq: p.seq, title: p.title, tasks: Vec::new() })
        .collect();
    for t in &lights {
        let task = plans::get_task(conn, t.id)?;
        let latest = plans::reports(conn, t.id)?
            .into_iter()
            .filter(|r| day_of(&r.at).is_some_and(|d| d <= on))
            .filter_map(|r| r.period.parse::<Quarter>().ok().map(|q| (q, r.text)))
            .max_by_key(|(q, _)| *q);
        let targets = task.targets.iter().map(|l| target_line(conn, &world, l, on)).collect::<AppResult<Vec<_>>>()?;
        let section = TaskSection {
            id: t.id,
            seq: t.seq,
            title: t.title.clone(),
            lead_department: t.lead_department.clone(),
            departments: t.departments.clone(),
            leader: t.leader.clone(),
            deadline_label: t.deadline_label.clone(),
            color: t.light.color,
            light_label: t.light.color.label(),
            reasons: t.light.messages(),
            latest_period: latest.as_ref().map(|(q, _)| q.label()),
            latest_text: latest.map(|(_, text)| text),
            targets,
            orders: open.get(&t.id).cloned().unwrap_or_default(),
        };
        if let Some(p) = problems.iter_mut().find(|p| p.id == t.problem) {
            p.tasks.push(section);
        }
    }
    problems.retain(|p| !p.tasks.is_empty());
    let counts = Color::ALL
        .iter()
        .map(|c| LightCount {
            color: *c,
            label: c.label(),
            count: lights.iter().filter(|t| t.light.color == *c).count(),
        })
        .collect();
    let departments: Vec<DepartmentSummary> = engine::departments::list(conn)?
        .into_iter()
        .map(|d| {
            let led: Vec<&supervision::TaskLight> =
                lights.iter().filter(|t| t.lead_department.as_deref() == Some(d.as_str())).collect();
            let has = |t: &&supervision::TaskLight, code| t.light.codes().contains(&code);
            DepartmentSummary {
                tasks: led.len(),
                done_on_time: led.iter().filter(|t| has(t, ReasonCode::DoneOnTime)).count(),
                overdue: led.iter().filter(|t| has(t, ReasonCode::Overdue)).count(),
                open_orders: led.iter().map(|t| open.get(&t.id).map_or(0, Vec::len)).sum(),
                by_light: Color::ALL.iter().map(|c| led.iter().filter(|t| t.light.color == *c).count()).collect(),
                name: d,
            }
        })
        .collect();
    let chart = Chart {
        title: "各科室牵头任务亮灯情况".into(),
        body: if lights.is_empty() {
            Body::NoData
        } else {
            let rows = departments
                .iter()
                .filter(|d| d.tasks > 0)
                .map(|d| LightCounts { name: d.name.clone(), counts: d.by_light.clone() })
                .collect();
            Body::TaskLights(TaskLights { rows })
        },
    };
    Ok(RectificationReport {
        title: format!("整改工作进展情况通报（截至{}）", date_label(on)),
        on: on.to_string(),
        on_label: date_label(on),
        task_count: lights.len(),
        counts,
        open_orders: orders.iter().filter(|o| o.state.outstanding()).count(),
        problems,
        departments,
        chart,
    })
}

impl Report for RectificationReport {
    fn html(&self) -> AppResult<String> {
        html::render("rectification.html", self, std::slice::from_ref(&self.chart))
    }

    fn xlsx(&self) -> AppResult<Vec<u8>> {
        let mut book = xlsx::Book::new();
        let headers: Vec<String> = ["亮灯", "任务（项）"].map(String::from).to_vec();
        let mut sheet = book.sheet("亮灯情况", &self.title, &headers)?;
        for (r, c) in self.counts.iter().enumerate() {
            let row = sheet.data_row(r);
            sheet.text(row, 0, c.label)?;
            sheet.number(row, 1, Some(c.count as f64), 0)?;
        }
        let headers: Vec<String> = [
            "存在问题",
            "整改任务",
            "牵头部门",
            "直接责任人",
            "完成时限",
            "亮灯",
            "亮灯原因",
            "最新进展",
            "关联目标",
            "督办单",
        ]
        .map(String::from)
        .to_vec();
        let mut sheet = book.sheet("整改任务", &self.title, &headers)?;
        let mut r = 0;
        for p in &self.problems {
            for t in &p.tasks {
                let row = sheet.data_row(r);
                sheet.text(row, 0, &p.title)?;
                sheet.text(row, 1, &t.title)?;
                sheet.text(row, 2, t.lead_department.as_deref().unwrap_or(""))?;
                sheet.text(row, 3, t.leader.as_deref().unwrap_or(""))?;
                sheet.text(row, 4, &t.deadline_label)?;
                sheet.text(row, 5, t.light_label)?;
                sheet.text(row, 6, &t.reasons.join("；"))?;
                sheet.text(row, 7, t.latest_text.as_deref().unwrap_or(""))?;
                let targets: Vec<String> =
                    t.targets.iter().map(|l| format!("{}：{}", l.name, l.status_label)).collect();
                sheet.text(row, 8, &targets.join("；"))?;
                sheet.text(row, 9, &t.orders.join("、"))?;
                r += 1;
            }
        }
        let headers: Vec<String> = [
            "科室",
            "牵头任务（项）",
            "按时办结（项）",
            "逾期（项）",
            "未办结督办单（份）",
            "红灯",
            "黄灯",
            "蓝灯",
            "绿灯",
        ]
        .map(String::from)
        .to_vec();
        let mut sheet = book.sheet("分科室", &self.title, &headers)?;
        for (r, d) in self.departments.iter().enumerate() {
            let row = sheet.data_row(r);
            sheet.text(row, 0, &d.name)?;
            for (c, n) in [d.tasks, d.done_on_time, d.overdue, d.open_orders].iter().chain(&d.by_light).enumerate() {
                sheet.number(row, c as u16 + 1, Some(*n as f64), 0)?;
            }
        }
        book.save()
    }
}
