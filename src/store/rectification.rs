//! The tables of rectification plans (migration 009): departments and the officers acting for
//! them, plans, problems, tasks, quarterly progress reports and supervision orders. Lists are
//! kept in order as JSON arrays; the history of every change is in the audit log.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::StoreError;
use crate::domain::Quarter;
use crate::domain::rectification::{Deadline, FigureLink, TargetLink, TaskStatus};

pub struct PlanRow {
    pub id: String,
    pub title: String,
    pub year: i32,
}

pub struct ProblemRow {
    pub id: i64,
    pub plan: String,
    pub seq: i64,
    pub title: String,
    pub description: String,
    pub indicators: Vec<FigureLink>,
}

/// A task as stored; `departments[0]` is the lead department, `leaders[0]` the 直接责任人.
pub struct TaskRow {
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
    pub done_at: Option<String>,
    pub done_report: Option<String>,
    pub created_at: String,
}

pub struct ReportRow {
    pub task: i64,
    pub quarter: Quarter,
    pub text: String,
    pub percent: Option<f64>,
    pub by: String,
    pub at: String,
}

pub struct OrderRow {
    pub id: i64,
    pub year: i32,
    pub n: u32,
    pub task: i64,
    pub reasons: Vec<String>,
    pub issued_at: String,
    pub issued_by: String,
    pub respond_by: NaiveDate,
    pub response: Option<String>,
    pub responded_at: Option<String>,
    pub responded_by: Option<String>,
    pub closed_at: Option<String>,
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// A JSON column read back; a column that is not what was written is a corrupt file.
fn column<T: serde::de::DeserializeOwned>(row: &Row<'_>, i: usize) -> rusqlite::Result<T> {
    let text: String = row.get(i)?;
    serde_json::from_str(&text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into()))
}

fn parsed<T, E: std::error::Error + Send + Sync + 'static>(i: usize, value: Result<T, E>) -> rusqlite::Result<T> {
    value.map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into()))
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct BadColumn(String);

// Departments and officers ------------------------------------------------------------------

/// The departments in their order.
pub fn departments(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT name FROM departments ORDER BY sort, name")?;
    let names = stmt.query_map([], |r| r.get(0))?;
    Ok(names.collect::<Result<_, _>>()?)
}

/// Adds a department, or gives an existing one its new place in the order.
pub fn save_department(conn: &Connection, name: &str, sort: i64) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO departments (name, sort) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET sort = ?2",
    )?
    .execute(params![name, sort])?;
    Ok(())
}

/// The departments an officer acts for, in their order.
pub fn departments_of(conn: &Connection, user_id: i64) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.name FROM user_departments u JOIN departments d ON d.name = u.department
         WHERE u.user_id = ?1 ORDER BY d.sort, d.name",
    )?;
    let names = stmt.query_map([user_id], |r| r.get(0))?;
    Ok(names.collect::<Result<_, _>>()?)
}

pub fn set_departments_of(conn: &Connection, user_id: i64, departments: &[String]) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM user_departments WHERE user_id = ?1")?.execute([user_id])?;
    let mut insert = conn.prepare_cached("INSERT INTO user_departments (user_id, department) VALUES (?1, ?2)")?;
    for department in departments {
        insert.execute(params![user_id, department])?;
    }
    Ok(())
}

// Plans and problems ------------------------------------------------------------------------

pub fn insert_plan(conn: &Connection, plan: &PlanRow) -> Result<(), StoreError> {
    conn.prepare_cached("INSERT INTO plans (id, title, year) VALUES (?1, ?2, ?3)")?
        .execute(params![plan.id, plan.title, plan.year])?;
    Ok(())
}

pub fn plans(conn: &Connection) -> Result<Vec<PlanRow>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT id, title, year FROM plans ORDER BY year, id")?;
    let rows = stmt.query_map([], |r| Ok(PlanRow { id: r.get(0)?, title: r.get(1)?, year: r.get(2)? }))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Stores a problem; its `id` is given by the database and returned.
pub fn insert_problem(conn: &Connection, p: &ProblemRow) -> Result<i64, StoreError> {
    conn.prepare_cached(
        "INSERT INTO problems (plan, seq, title, description, indicators) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![p.plan, p.seq, p.title, p.description, json(&p.indicators)?])?;
    Ok(conn.last_insert_rowid())
}

fn problem_from(r: &Row<'_>) -> rusqlite::Result<ProblemRow> {
    Ok(ProblemRow {
        id: r.get(0)?,
        plan: r.get(1)?,
        seq: r.get(2)?,
        title: r.get(3)?,
        description: r.get(4)?,
        indicators: column(r, 5)?,
    })
}

/// The problems of a plan in their order.
pub fn problems_of(conn: &Connection, plan: &str) -> Result<Vec<ProblemRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, plan, seq, title, description, indicators FROM problems WHERE plan = ?1 ORDER BY seq",
    )?;
    let rows = stmt.query_map([plan], problem_from)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn plan(conn: &Connection, id: &str) -> Result<Option<PlanRow>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT id, title, year FROM plans WHERE id = ?1")?;
    Ok(stmt.query_row([id], |r| Ok(PlanRow { id: r.get(0)?, title: r.get(1)?, year: r.get(2)? })).optional()?)
}

pub fn problem(conn: &Connection, id: i64) -> Result<Option<ProblemRow>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT id, plan, seq, title, description, indicators FROM problems WHERE id = ?1")?;
    Ok(stmt.query_row([id], problem_from).optional()?)
}

/// Changes a plan's title and year.
pub fn update_plan(conn: &Connection, plan: &PlanRow) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE plans SET title = ?2, year = ?3 WHERE id = ?1")?
        .execute(params![plan.id, plan.title, plan.year])?;
    Ok(())
}

/// Removes a plan with everything under it, in dependency order: the orders, progress reports
/// and departments of its tasks, the tasks, the problems, the plan. Call it in a transaction.
pub fn delete_plan(conn: &Connection, id: &str) -> Result<(), StoreError> {
    const TASKS: &str = "SELECT t.id FROM tasks t JOIN problems p ON p.id = t.problem WHERE p.plan = ?1";
    for table in ["orders", "progress_reports", "task_departments"] {
        conn.prepare_cached(&format!("DELETE FROM {table} WHERE task IN ({TASKS})"))?.execute([id])?;
    }
    conn.prepare_cached("DELETE FROM tasks WHERE problem IN (SELECT id FROM problems WHERE plan = ?1)")?
        .execute([id])?;
    conn.prepare_cached("DELETE FROM problems WHERE plan = ?1")?.execute([id])?;
    conn.prepare_cached("DELETE FROM plans WHERE id = ?1")?.execute([id])?;
    Ok(())
}

/// Changes a problem's place, title, description and figures (its plan stays).
pub fn update_problem(conn: &Connection, p: &ProblemRow) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE problems SET seq = ?2, title = ?3, description = ?4, indicators = ?5 WHERE id = ?1")?
        .execute(params![p.id, p.seq, p.title, p.description, json(&p.indicators)?])?;
    Ok(())
}

// Tasks --------------------------------------------------------------------------------------

/// Stores a task with its departments (the first as lead); its `id` is returned.
pub fn insert_task(conn: &Connection, t: &TaskRow) -> Result<i64, StoreError> {
    conn.prepare_cached(
        "INSERT INTO tasks (problem, seq, title, measures, leaders, departments, persons, deadline, targets,
                            status, done_at, done_report, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        t.problem,
        t.seq,
        t.title,
        json(&t.measures)?,
        json(&t.leaders)?,
        json(&t.departments)?,
        json(&t.persons)?,
        t.deadline.to_string(),
        json(&t.targets)?,
        t.status.as_str(),
        t.done_at,
        t.done_report,
        t.created_at,
    ])?;
    let id = conn.last_insert_rowid();
    let mut lead = conn.prepare_cached("INSERT INTO task_departments (task, department, lead) VALUES (?1, ?2, ?3)")?;
    for (i, department) in t.departments.iter().enumerate() {
        lead.execute(params![id, department, i == 0])?;
    }
    Ok(id)
}

const TASK_COLUMNS: &str = "t.id, t.problem, t.seq, t.title, t.measures, t.leaders, t.departments, t.persons, \
     t.deadline, t.targets, t.status, t.done_at, t.done_report, t.created_at";

fn task_from(r: &Row<'_>) -> rusqlite::Result<TaskRow> {
    let deadline: String = r.get(8)?;
    let status: String = r.get(10)?;
    Ok(TaskRow {
        id: r.get(0)?,
        problem: r.get(1)?,
        seq: r.get(2)?,
        title: r.get(3)?,
        measures: column(r, 4)?,
        leaders: column(r, 5)?,
        departments: column(r, 6)?,
        persons: column(r, 7)?,
        deadline: parsed(8, deadline.parse::<Deadline>())?,
        targets: column(r, 9)?,
        status: parsed(10, TaskStatus::parse(&status).ok_or_else(|| BadColumn(format!("task status '{status}'"))))?,
        done_at: r.get(11)?,
        done_report: r.get(12)?,
        created_at: r.get(13)?,
    })
}

pub fn task(conn: &Connection, id: i64) -> Result<Option<TaskRow>, StoreError> {
    let sql = format!("SELECT {TASK_COLUMNS} FROM tasks t WHERE t.id = ?1");
    Ok(conn.prepare_cached(&sql)?.query_row([id], task_from).optional()?)
}

/// Every task, in the order of its plan, problem and place; or only those `department` works on.
pub fn tasks(conn: &Connection, department: Option<&str>) -> Result<Vec<TaskRow>, StoreError> {
    let sql = format!(
        "SELECT {TASK_COLUMNS} FROM tasks t JOIN problems p ON p.id = t.problem JOIN plans l ON l.id = p.plan
         WHERE ?1 IS NULL OR EXISTS (SELECT 1 FROM task_departments d WHERE d.task = t.id AND d.department = ?1)
         ORDER BY l.year, l.id, p.seq, t.seq"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([department], task_from)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Changes what a task says (place, title, measures, people, deadline, targets) and its
/// departments; its problem, status and creation stay.
pub fn update_task(conn: &Connection, t: &TaskRow) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE tasks SET seq = ?2, title = ?3, measures = ?4, leaders = ?5, departments = ?6, persons = ?7,
                          deadline = ?8, targets = ?9 WHERE id = ?1",
    )?
    .execute(params![
        t.id,
        t.seq,
        t.title,
        json(&t.measures)?,
        json(&t.leaders)?,
        json(&t.departments)?,
        json(&t.persons)?,
        t.deadline.to_string(),
        json(&t.targets)?,
    ])?;
    conn.prepare_cached("DELETE FROM task_departments WHERE task = ?1")?.execute([t.id])?;
    let mut lead = conn.prepare_cached("INSERT INTO task_departments (task, department, lead) VALUES (?1, ?2, ?3)")?;
    for (i, department) in t.departments.iter().enumerate() {
        lead.execute(params![t.id, department, i == 0])?;
    }
    Ok(())
}

/// Marks a task done (with its completion report) or open again.
pub fn set_task_status(
    conn: &Connection,
    id: i64,
    status: TaskStatus,
    done_at: Option<&str>,
    done_report: Option<&str>,
) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE tasks SET status = ?2, done_at = ?3, done_report = ?4 WHERE id = ?1")?
        .execute(params![id, status.as_str(), done_at, done_report])?;
    Ok(())
}

// Progress reports ---------------------------------------------------------------------------

/// Stores a quarter's report of a task, replacing the one before (which the caller audits).
pub fn save_report(conn: &Connection, r: &ReportRow) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO progress_reports (task, year, quarter, text, percent, by_user, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (task, year, quarter) DO UPDATE SET text = ?4, percent = ?5, by_user = ?6, at = ?7",
    )?
    .execute(params![r.task, r.quarter.year(), r.quarter.q(), r.text, r.percent, r.by, r.at])?;
    Ok(())
}

/// The reports of a task, oldest quarter first.
pub fn reports_of(conn: &Connection, task: i64) -> Result<Vec<ReportRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT task, year, quarter, text, percent, by_user, at FROM progress_reports WHERE task = ?1
         ORDER BY year, quarter",
    )?;
    let rows = stmt.query_map([task], |r| {
        let (year, q): (i32, u8) = (r.get(1)?, r.get(2)?);
        let quarter = Quarter::new(year, q).ok_or_else(|| BadColumn(format!("quarter {year}Q{q}")));
        Ok(ReportRow {
            task: r.get(0)?,
            quarter: parsed(1, quarter)?,
            text: r.get(3)?,
            percent: r.get(4)?,
            by: r.get(5)?,
            at: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

// Supervision orders -------------------------------------------------------------------------

/// Issues an order: the next number of `year` is given here and returned with the id.
pub fn insert_order(
    conn: &Connection,
    year: i32,
    task: i64,
    reasons: &[String],
    issued_at: &str,
    issued_by: &str,
    respond_by: NaiveDate,
) -> Result<(i64, u32), StoreError> {
    let n: u32 = conn
        .prepare_cached("SELECT COALESCE(MAX(n), 0) + 1 FROM orders WHERE year = ?1")?
        .query_row([year], |r| r.get(0))?;
    conn.prepare_cached(
        "INSERT INTO orders (year, n, task, reasons, issued_at, issued_by, respond_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![year, n, task, json(&reasons)?, issued_at, issued_by, respond_by.to_string()])?;
    Ok((conn.last_insert_rowid(), n))
}

fn order_from(r: &Row<'_>) -> rusqlite::Result<OrderRow> {
    let respond_by: String = r.get(7)?;
    Ok(OrderRow {
        id: r.get(0)?,
        year: r.get(1)?,
        n: r.get(2)?,
        task: r.get(3)?,
        reasons: column(r, 4)?,
        issued_at: r.get(5)?,
        issued_by: r.get(6)?,
        respond_by: parsed(7, respond_by.parse::<NaiveDate>())?,
        response: r.get(8)?,
        responded_at: r.get(9)?,
        responded_by: r.get(10)?,
        closed_at: r.get(11)?,
    })
}

const ORDER_COLUMNS: &str =
    "id, year, n, task, reasons, issued_at, issued_by, respond_by, response, responded_at, responded_by, closed_at";

pub fn order(conn: &Connection, id: i64) -> Result<Option<OrderRow>, StoreError> {
    let sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = ?1");
    Ok(conn.prepare_cached(&sql)?.query_row([id], order_from).optional()?)
}

/// The orders of every task, or of one, in the order they were issued.
pub fn orders(conn: &Connection, task: Option<i64>) -> Result<Vec<OrderRow>, StoreError> {
    let sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE ?1 IS NULL OR task = ?1 ORDER BY year, n");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([task], order_from)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn answer_order(conn: &Connection, id: i64, response: &str, at: &str, by: &str) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE orders SET response = ?2, responded_at = ?3, responded_by = ?4 WHERE id = ?1")?
        .execute(params![id, response, at, by])?;
    Ok(())
}

pub fn close_order(conn: &Connection, id: i64, at: &str) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE orders SET closed_at = ?2 WHERE id = ?1")?.execute(params![id, at])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn sample_task(problem: i64, seq: i64, departments: &[&str], deadline: Deadline) -> TaskRow {
        TaskRow {
            id: 0,
            problem,
            seq,
            title: format!("措施{seq}"),
            measures: vec!["一是加大投入。".into(), "二是强化考核。".into()],
            leaders: vec!["王局长".into(), "李副局长".into()],
            departments: departments.iter().map(|d| d.to_string()).collect(),
            persons: vec!["张三".into()],
            deadline,
            targets: vec![TargetLink { region: "district".into(), indicator: "rd_expenditure".into(), year: 2023 }],
            status: TaskStatus::Open,
            done_at: None,
            done_report: None,
            created_at: "2023-03-01T00:00:00.000Z".into(),
        }
    }

    #[test]
    fn plans_problems_and_tasks_are_read_back_in_their_order_and_by_department() {
        let dir = tempfile::tempdir().unwrap();
        let pool = crate::store::open(&dir.path().join("plan.db")).unwrap();
        let conn = pool.get().unwrap();
        for (i, d) in ["局办公室", "高新技术科", "科技管理科"].iter().enumerate() {
            save_department(&conn, d, i as i64).unwrap();
        }
        insert_plan(&conn, &PlanRow { id: "plan-2023".into(), title: "整改方案".into(), year: 2023 }).unwrap();
        let figure = FigureLink { indicator: "rd_share".into(), region: "district".into() };
        let problem = |seq, title: &str| ProblemRow {
            id: 0,
            plan: "plan-2023".into(),
            seq,
            title: title.into(),
            description: "R&D经费投入强度低于昆山".into(),
            indicators: vec![figure.clone()],
        };
        let second = insert_problem(&conn, &problem(2, "核心技术较少")).unwrap();
        let first = insert_problem(&conn, &problem(1, "全社会科技投入不足")).unwrap();
        let long = insert_task(&conn, &sample_task(second, 1, &["科技管理科"], Deadline::LongTerm)).unwrap();
        let dated = Deadline::Date(date("2023-12-31"));
        let lead_high_tech = insert_task(&conn, &sample_task(first, 2, &["高新技术科", "科技管理科"], dated)).unwrap();
        let office = insert_task(&conn, &sample_task(first, 1, &["局办公室"], dated)).unwrap();

        let titles: Vec<String> = problems_of(&conn, "plan-2023").unwrap().into_iter().map(|p| p.title).collect();
        assert_eq!(titles, ["全社会科技投入不足", "核心技术较少"]);
        assert_eq!(problems_of(&conn, "plan-2023").unwrap()[0].indicators, [figure]);
        let ids = |department| tasks(&conn, department).unwrap().into_iter().map(|t| t.id).collect::<Vec<_>>();
        assert_eq!(ids(None), [office, lead_high_tech, long]);
        assert_eq!(ids(Some("科技管理科")), [lead_high_tech, long], "a department's tasks, led or not");
        assert_eq!(ids(Some("局办公室")), [office]);
        let read = task(&conn, lead_high_tech).unwrap().unwrap();
        assert_eq!(
            (read.deadline, read.departments, read.leaders[0].as_str(), read.measures.len(), read.targets[0].year),
            (dated, vec!["高新技术科".to_string(), "科技管理科".to_string()], "王局长", 2, 2023)
        );
        assert_eq!(task(&conn, long).unwrap().unwrap().deadline, Deadline::LongTerm);

        set_task_status(&conn, office, TaskStatus::Done, Some("2023-12-20"), Some("已办结")).unwrap();
        let done = task(&conn, office).unwrap().unwrap();
        assert_eq!((done.status, done.done_at.as_deref()), (TaskStatus::Done, Some("2023-12-20")));
        let unknown = insert_task(&conn, &sample_task(first, 3, &["不存在的科室"], dated));
        assert!(unknown.is_err(), "a department must exist");
    }

    #[test]
    fn a_second_report_of_a_quarter_replaces_the_first_and_orders_are_numbered_per_year() {
        let dir = tempfile::tempdir().unwrap();
        let pool = crate::store::open(&dir.path().join("orders.db")).unwrap();
        let conn = pool.get().unwrap();
        save_department(&conn, "高新技术科", 0).unwrap();
        insert_plan(&conn, &PlanRow { id: "p".into(), title: "方案".into(), year: 2023 }).unwrap();
        let problem = ProblemRow {
            id: 0,
            plan: "p".into(),
            seq: 1,
            title: "问题".into(),
            description: String::new(),
            indicators: vec![],
        };
        let problem = insert_problem(&conn, &problem).unwrap();
        let t = insert_task(&conn, &sample_task(problem, 1, &["高新技术科"], Deadline::LongTerm)).unwrap();
        let q = |text: &str| text.parse::<Quarter>().unwrap();
        let report = |quarter, text: &str| ReportRow {
            task: t,
            quarter,
            text: text.into(),
            percent: Some(50.0),
            by: "officer".into(),
            at: "2023-07-10".into(),
        };
        save_report(&conn, &report(q("2023Q2"), "初稿")).unwrap();
        save_report(&conn, &report(q("2023Q1"), "一季度")).unwrap();
        save_report(&conn, &report(q("2023Q2"), "修改后")).unwrap();
        let read: Vec<(Quarter, String)> =
            reports_of(&conn, t).unwrap().into_iter().map(|r| (r.quarter, r.text)).collect();
        assert_eq!(read, [(q("2023Q1"), "一季度".to_string()), (q("2023Q2"), "修改后".to_string())]);

        let reasons = vec!["已超过完成时限".to_string()];
        let issue = |year| insert_order(&conn, year, t, &reasons, "2024-01-02", "admin", date("2024-01-12"));
        let (first, n) = issue(2024).unwrap();
        assert_eq!(n, 1);
        assert!(issue(2024).is_err(), "one open order per task");
        answer_order(&conn, first, "已整改", "2024-01-05", "officer").unwrap();
        close_order(&conn, first, "2024-01-06").unwrap();
        let (_, n) = issue(2024).unwrap();
        assert_eq!(n, 2, "the year's second order");
        let all = orders(&conn, Some(t)).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(
            (all[0].response.as_deref(), all[0].closed_at.as_deref(), all[0].respond_by, all[1].closed_at.as_deref()),
            (Some("已整改"), Some("2024-01-06"), date("2024-01-12"), None)
        );
        assert_eq!(order(&conn, first).unwrap().unwrap().reasons, reasons);
    }
}
