//! The `workflow` and `quarter_locks` tables: the current reporting state of each region's
//! quarter and the quarters locked whole. Their history is in the audit log.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::StoreError;
use crate::domain::Quarter;
use crate::domain::workflow::State;

/// The state of one region's quarter as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StateRow {
    pub region: String,
    pub quarter: Quarter,
    pub state: State,
    pub comment: Option<String>,
    pub changed_by: String,
    pub changed_at: String,
    pub submitted_by: Option<String>,
    pub submitted_at: Option<String>,
}

fn quarter(year: i32, q: u8) -> Result<Quarter, StoreError> {
    Quarter::new(year, q).ok_or_else(|| StoreError::Corrupt(format!("quarter {year}Q{q}")))
}

fn state_from_row(row: &Row<'_>) -> rusqlite::Result<Result<StateRow, StoreError>> {
    let state: String = row.get(3)?;
    let (year, q): (i32, u8) = (row.get(1)?, row.get(2)?);
    let Some(state) = State::parse(&state) else {
        return Ok(Err(StoreError::Corrupt(format!("workflow state '{state}'"))));
    };
    Ok(quarter(year, q).and_then(|quarter| {
        Ok(StateRow {
            region: row.get(0)?,
            quarter,
            state,
            comment: row.get(4)?,
            changed_by: row.get(5)?,
            changed_at: row.get(6)?,
            submitted_by: row.get(7)?,
            submitted_at: row.get(8)?,
        })
    }))
}

const STATE_COLUMNS: &str = "region, year, quarter, state, comment, changed_by, changed_at, submitted_by, submitted_at";

pub fn get(conn: &Connection, region: &str, q: Quarter) -> Result<Option<StateRow>, StoreError> {
    let sql = format!("SELECT {STATE_COLUMNS} FROM workflow WHERE region = ?1 AND year = ?2 AND quarter = ?3");
    conn.prepare_cached(&sql)?.query_row(params![region, q.year(), q.q()], state_from_row).optional()?.transpose()
}

/// Every stored state of a quarter, by region.
pub fn of_quarter(conn: &Connection, q: Quarter) -> Result<Vec<StateRow>, StoreError> {
    let sql = format!("SELECT {STATE_COLUMNS} FROM workflow WHERE year = ?1 AND quarter = ?2 ORDER BY region");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![q.year(), q.q()], state_from_row)?;
    rows.map(|r| r?).collect()
}

pub fn save(conn: &Connection, s: &StateRow) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO workflow (region, year, quarter, state, comment, changed_by, changed_at, submitted_by, submitted_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (region, year, quarter) DO UPDATE SET
             state = ?4, comment = ?5, changed_by = ?6, changed_at = ?7, submitted_by = ?8, submitted_at = ?9",
    )?
    .execute(params![
        s.region,
        s.quarter.year(),
        s.quarter.q(),
        s.state.as_str(),
        s.comment,
        s.changed_by,
        s.changed_at,
        s.submitted_by,
        s.submitted_at
    ])?;
    Ok(())
}

/// A whole quarter locked by the bureau, as stored: who locked it, when and why.
#[derive(Debug, Clone, PartialEq)]
pub struct LockRow {
    pub period: Quarter,
    pub reason: Option<String>,
    pub by: String,
    pub at: String,
}

fn lock_from_row(row: &Row<'_>) -> rusqlite::Result<Result<LockRow, StoreError>> {
    let (year, q): (i32, u8) = (row.get(0)?, row.get(1)?);
    Ok(quarter(year, q)
        .and_then(|period| Ok(LockRow { period, reason: row.get(2)?, by: row.get(3)?, at: row.get(4)? })))
}

pub fn lock(conn: &Connection, q: Quarter) -> Result<Option<LockRow>, StoreError> {
    conn.prepare_cached(
        "SELECT year, quarter, reason, locked_by, locked_at FROM quarter_locks WHERE year = ?1 AND quarter = ?2",
    )?
    .query_row(params![q.year(), q.q()], lock_from_row)
    .optional()?
    .transpose()
}

/// Every locked quarter, latest first.
pub fn locks(conn: &Connection) -> Result<Vec<LockRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT year, quarter, reason, locked_by, locked_at FROM quarter_locks ORDER BY year DESC, quarter DESC",
    )?;
    let rows = stmt.query_map([], lock_from_row)?;
    rows.map(|r| r?).collect()
}

pub fn save_lock(conn: &Connection, l: &LockRow) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO quarter_locks (year, quarter, reason, locked_by, locked_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (year, quarter) DO UPDATE SET reason = ?3, locked_by = ?4, locked_at = ?5",
    )?
    .execute(params![l.period.year(), l.period.q(), l.reason.as_deref().unwrap_or_default(), l.by, l.at])?;
    Ok(())
}

pub fn delete_lock(conn: &Connection, q: Quarter) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM quarter_locks WHERE year = ?1 AND quarter = ?2")?
        .execute(params![q.year(), q.q()])?;
    Ok(())
}

/// The states of a region being deleted go with it; the audit log keeps their history.
pub fn delete_region(conn: &Connection, region: &str) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM workflow WHERE region = ?1")?.execute([region])?;
    Ok(())
}
