//! The `indicators` table.

use rusqlite::{Connection, Row, params};

use super::StoreError;
use crate::domain::enterprise::{Rule, RuleText};
use crate::domain::{Direction, Formula, Frequency, Indicator, IndicatorCode, Mode, RegionId};

fn from_row(row: &Row<'_>) -> rusqlite::Result<Result<Indicator, StoreError>> {
    let code: String = row.get(0)?;
    let direction: String = row.get(4)?;
    let mode: String = row.get(5)?;
    let formula: Option<String> = row.get(6)?;
    let decimals: i64 = row.get(3)?;
    let frequency: String = row.get(9)?;
    let regions: Option<String> = row.get(10)?;
    let rule: Option<String> = row.get(11)?;
    let corrupt = |what: &str| StoreError::Corrupt(format!("indicator {code}: {what}"));
    Ok((|| {
        Ok(Indicator {
            code: IndicatorCode::parse(&code).map_err(|e| corrupt(&e.to_string()))?,
            name: row.get(1)?,
            unit: row.get(2)?,
            decimals: u8::try_from(decimals).map_err(|_| corrupt("decimals"))?,
            direction: Direction::parse(&direction).ok_or_else(|| corrupt("direction"))?,
            mode: Mode::parse(&mode).ok_or_else(|| corrupt("mode"))?,
            formula: formula.map(|f| Formula::parse(&f)).transpose().map_err(|e| corrupt(&e.to_string()))?,
            allow_negative: row.get(7)?,
            sort: row.get(8)?,
            frequency: Frequency::parse(&frequency).ok_or_else(|| corrupt("frequency"))?,
            regions: regions
                .map(|text| {
                    let ids: Vec<String> = serde_json::from_str(&text).map_err(|e| corrupt(&e.to_string()))?;
                    ids.iter().map(|id| RegionId::parse(id).map_err(|e| corrupt(&e.to_string()))).collect()
                })
                .transpose()?,
            rule: rule
                .map(|text| {
                    let text: RuleText = serde_json::from_str(&text).map_err(|e| corrupt(&e.to_string()))?;
                    Rule::parse(&text).map_err(|(part, message)| corrupt(&format!("rule.{part}: {message}")))
                })
                .transpose()?,
        })
    })())
}

pub fn all(conn: &Connection) -> Result<Vec<Indicator>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT code, name, unit, decimals, direction, mode, formula, allow_negative, sort, frequency, regions, rule
         FROM indicators ORDER BY sort, code",
    )?;
    let rows = stmt.query_map([], from_row)?;
    rows.map(|r| r?).collect()
}

/// Inserts or replaces the indicator with this code.
pub fn save(conn: &Connection, i: &Indicator) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO indicators (code, name, unit, decimals, direction, mode, formula, allow_negative, sort,
             frequency, regions, rule)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (code) DO UPDATE SET name = ?2, unit = ?3, decimals = ?4, direction = ?5, mode = ?6,
             formula = ?7, allow_negative = ?8, sort = ?9, frequency = ?10, regions = ?11, rule = ?12",
    )?
    .execute(params![
        i.code.as_str(),
        i.name,
        i.unit,
        i.decimals,
        i.direction.as_str(),
        i.mode.as_str(),
        i.formula.as_ref().map(Formula::source),
        i.allow_negative,
        i.sort,
        i.frequency.as_str(),
        i.regions
            .as_ref()
            .map(|ids| serde_json::json!(ids.iter().map(RegionId::as_str).collect::<Vec<_>>()).to_string()),
        i.rule.as_ref().map(|r| serde_json::json!(r.text()).to_string())
    ])?;
    Ok(())
}

pub fn has_figures(conn: &Connection, code: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM observations WHERE indicator = ?1)")?
        .query_row([code], |r| r.get(0))?)
}
