//! The `regions` table.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::StoreError;
use crate::domain::{Region, RegionId, RegionKind};

const COLUMNS: &str = "id, name, kind, parent, grp, sort, iso3";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Result<Region, StoreError>> {
    let id: String = row.get(0)?;
    let kind: String = row.get(2)?;
    let parent: Option<String> = row.get(3)?;
    let corrupt = |what: &str| StoreError::Corrupt(format!("region {id}: {what}"));
    Ok((|| {
        Ok(Region {
            id: RegionId::parse(&id).map_err(|e| corrupt(&e.to_string()))?,
            name: row.get(1)?,
            kind: RegionKind::parse(&kind).ok_or_else(|| corrupt("kind"))?,
            parent: parent.map(|p| RegionId::parse(&p)).transpose().map_err(|e| corrupt(&e.to_string()))?,
            group: row.get(4)?,
            sort: row.get(5)?,
            iso3: row.get(6)?,
        })
    })())
}

pub fn all(conn: &Connection) -> Result<Vec<Region>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM regions ORDER BY sort, id"))?;
    let rows = stmt.query_map([], from_row)?;
    rows.map(|r| r?).collect()
}

pub fn get(conn: &Connection, id: &str) -> Result<Option<Region>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM regions WHERE id = ?1"))?;
    stmt.query_row([id], from_row).optional()?.transpose()
}

/// Inserts or replaces the region with this id (the engine checks which of the two is meant).
pub fn save(conn: &Connection, r: &Region) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO regions (id, name, kind, parent, grp, sort, iso3) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (id) DO UPDATE SET name = ?2, kind = ?3, parent = ?4, grp = ?5, sort = ?6, iso3 = ?7",
    )?
    .execute(params![
        r.id.as_str(),
        r.name,
        r.kind.as_str(),
        r.parent.as_ref().map(RegionId::as_str),
        r.group,
        r.sort,
        r.iso3
    ])?;
    Ok(())
}

pub fn delete(conn: &Connection, id: &str) -> Result<(), StoreError> {
    conn.execute("DELETE FROM user_regions WHERE region = ?1", [id])?;
    conn.execute("DELETE FROM regions WHERE id = ?1", [id])?;
    Ok(())
}

/// Has this region submitted figures?
pub fn has_figures(conn: &Connection, id: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM observations WHERE region = ?1)")?
        .query_row([id], |r| r.get(0))?)
}

/// Are enterprises registered in this region?
pub fn has_enterprises(conn: &Connection, id: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM enterprises WHERE region = ?1)")?
        .query_row([id], |r| r.get(0))?)
}

/// Has this region targets?
pub fn has_targets(conn: &Connection, id: &str) -> Result<bool, StoreError> {
    Ok(conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM targets WHERE region = ?1)")?.query_row([id], |r| r.get(0))?)
}
