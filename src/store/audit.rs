//! The `audit` table: an append-only record of every change.

use rusqlite::{Connection, Row, params};

use super::StoreError;

/// One row of the audit table; `old` and `new` are kept as JSON text.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    pub at: String,
    pub user: String,
    /// `create`, `update`, `delete`
    pub action: String,
    /// `value`, `region`, `indicator`, `user`
    pub entity: String,
    /// what was changed, e.g. `town-jia/gdp/2023Q1`
    pub key: String,
    pub region: Option<String>,
    pub indicator: Option<String>,
    pub period: Option<String>,
    pub old: Option<serde_json::Value>,
    pub new: Option<serde_json::Value>,
    pub reason: Option<String>,
}

pub fn record(conn: &Connection, e: &AuditRecord) -> Result<(), StoreError> {
    let json = |v: &Option<serde_json::Value>| v.as_ref().map(serde_json::Value::to_string);
    conn.prepare_cached(
        "INSERT INTO audit (at, user, action, entity, key, region, indicator, period, old, new, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        e.at,
        e.user,
        e.action,
        e.entity,
        e.key,
        e.region,
        e.indicator,
        e.period,
        json(&e.old),
        json(&e.new),
        e.reason
    ])?;
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter<'a> {
    pub region: Option<&'a str>,
    pub indicator: Option<&'a str>,
    pub period: Option<&'a str>,
    pub limit: u32,
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<AuditRecord> {
    let json = |i| -> rusqlite::Result<Option<serde_json::Value>> {
        Ok(row.get::<_, Option<String>>(i)?.and_then(|s| serde_json::from_str(&s).ok()))
    };
    Ok(AuditRecord {
        at: row.get(0)?,
        user: row.get(1)?,
        action: row.get(2)?,
        entity: row.get(3)?,
        key: row.get(4)?,
        region: row.get(5)?,
        indicator: row.get(6)?,
        period: row.get(7)?,
        old: json(8)?,
        new: json(9)?,
        reason: row.get(10)?,
    })
}

/// Newest first.
pub fn query(conn: &Connection, f: &AuditFilter<'_>) -> Result<Vec<AuditRecord>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, user, action, entity, key, region, indicator, period, old, new, reason FROM audit
         WHERE (?1 IS NULL OR region = ?1) AND (?2 IS NULL OR indicator = ?2) AND (?3 IS NULL OR period = ?3)
         ORDER BY id DESC LIMIT ?4",
    )?;
    let rows = stmt.query_map(params![f.region, f.indicator, f.period, f.limit], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}
