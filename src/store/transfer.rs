//! The query exports need beyond the other table modules: stored figures of a selection.

use rusqlite::{Connection, params};

use super::StoreError;

/// A stored figure of a selection: its period as `year` and `quarter` (0 for a whole year).
#[derive(Debug, Clone, PartialEq)]
pub struct SelectedValue {
    pub region: String,
    pub indicator: String,
    pub year: i32,
    pub quarter: u8,
    pub value: f64,
    pub comment: Option<String>,
}

/// Periods as ordered keys: `year * 10 + quarter`; a whole year (quarter 0) spans quarters 1 to 4.
pub struct PeriodRange {
    /// the first quarter wanted, as `year * 10 + q`
    pub from: Option<i32>,
    /// the last quarter wanted, as `year * 10 + q`
    pub to: Option<i32>,
}

/// Stored figures of one indicator (or all), within the periods, ordered by region, indicator
/// (display order) and period. A year's figure is included when the whole year lies in range.
pub fn values(
    conn: &Connection,
    indicator: Option<&str>,
    range: &PeriodRange,
) -> Result<Vec<SelectedValue>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.region, o.indicator, o.year, o.quarter, o.value, o.comment
         FROM observations o JOIN indicators i ON i.code = o.indicator
         WHERE (?1 IS NULL OR o.indicator = ?1)
           AND (?2 IS NULL OR o.year * 10 + (CASE o.quarter WHEN 0 THEN 1 ELSE o.quarter END) >= ?2)
           AND (?3 IS NULL OR o.year * 10 + (CASE o.quarter WHEN 0 THEN 4 ELSE o.quarter END) <= ?3)
         ORDER BY o.region, i.sort, o.indicator, o.year, o.quarter",
    )?;
    let rows = stmt.query_map(params![indicator, range.from, range.to], |row| {
        Ok(SelectedValue {
            region: row.get(0)?,
            indicator: row.get(1)?,
            year: row.get(2)?,
            quarter: row.get(3)?,
            value: row.get(4)?,
            comment: row.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
