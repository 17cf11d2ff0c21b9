//! The `targets` and `assessment_schemes` tables.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::StoreError;
use crate::domain::assessment::Scheme;
use crate::domain::target::Target;

fn from_row(row: &Row<'_>) -> rusqlite::Result<Result<Target, StoreError>> {
    let milestones: String = row.get(4)?;
    Ok(serde_json::from_str(&milestones).map_err(|e| StoreError::Corrupt(format!("milestones: {e}"))).and_then(
        |milestones| {
            Ok(Target {
                region: row.get(0)?,
                indicator: row.get(1)?,
                year: row.get(2)?,
                value: row.get(3)?,
                milestones,
                source: row.get(5)?,
            })
        },
    ))
}

const COLUMNS: &str = "region, indicator, year, value, milestones, source";

pub fn get(conn: &Connection, region: &str, indicator: &str, year: i32) -> Result<Option<Target>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM targets WHERE region = ?1 AND indicator = ?2 AND year = ?3");
    conn.prepare_cached(&sql)?.query_row(params![region, indicator, year], from_row).optional()?.transpose()
}

/// Every region's target of one indicator and year (through the index by year and indicator).
pub fn of_indicator(conn: &Connection, indicator: &str, year: i32) -> Result<Vec<Target>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM targets WHERE year = ?1 AND indicator = ?2");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![year, indicator], from_row)?;
    rows.map(|r| r?).collect()
}

/// Targets of a year, optionally of one region and/or indicator.
pub fn list(
    conn: &Connection,
    year: i32,
    region: Option<&str>,
    indicator: Option<&str>,
) -> Result<Vec<Target>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM targets WHERE year = ?1 AND (?2 IS NULL OR region = ?2) AND (?3 IS NULL OR indicator = ?3)
         ORDER BY indicator, region"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![year, region, indicator], from_row)?;
    rows.map(|r| r?).collect()
}

pub fn save(conn: &Connection, t: &Target, by: &str, at: &str) -> Result<(), StoreError> {
    let milestones = serde_json::to_string(&t.milestones).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    conn.prepare_cached(
        "INSERT INTO targets (region, indicator, year, value, milestones, source, set_by, set_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (region, indicator, year)
         DO UPDATE SET value = ?4, milestones = ?5, source = ?6, set_by = ?7, set_at = ?8",
    )?
    .execute(params![t.region, t.indicator, t.year, t.value, milestones, t.source, by, at])?;
    Ok(())
}

/// The latest year up to `year` with an assessment scheme.
pub fn latest_scheme_year(conn: &Connection, year: i32) -> Result<Option<i32>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT MAX(year) FROM assessment_schemes WHERE year <= ?1")?
        .query_row([year], |r| r.get(0))?)
}

pub fn scheme(conn: &Connection, year: i32) -> Result<Option<Scheme>, StoreError> {
    let text: Option<String> = conn
        .prepare_cached("SELECT scheme FROM assessment_schemes WHERE year = ?1")?
        .query_row([year], |r| r.get(0))
        .optional()?;
    text.map(|t| serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(format!("scheme {year}: {e}")))).transpose()
}

pub fn save_scheme(conn: &Connection, year: i32, scheme: &Scheme, by: &str, at: &str) -> Result<(), StoreError> {
    let text = serde_json::to_string(scheme).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    conn.prepare_cached(
        "INSERT INTO assessment_schemes (year, scheme, set_by, set_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (year) DO UPDATE SET scheme = ?2, set_by = ?3, set_at = ?4",
    )?
    .execute(params![year, text, by, at])?;
    Ok(())
}
