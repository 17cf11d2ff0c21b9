//! The table of publications (migration 011): each published report with its renderings as they
//! were published, never rebuilt.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::StoreError;

/// A publication without its renderings (what lists show).
pub struct PublicationRow {
    pub id: i64,
    pub kind: String,
    pub period: String,
    pub region: Option<String>,
    pub published_at: String,
    pub published_by: String,
    pub as_of: String,
    pub sha256: String,
}

/// A publication to store, with its renderings.
pub struct NewPublication<'a> {
    pub kind: &'a str,
    pub period: &'a str,
    pub region: Option<&'a str>,
    pub published_at: &'a str,
    pub published_by: &'a str,
    pub as_of: &'a str,
    pub sha256: &'a str,
    pub json: &'a [u8],
    pub html: &'a [u8],
    pub xlsx: &'a [u8],
}

const COLUMNS: &str = "id, kind, period, region, published_at, published_by, as_of, sha256";

fn row(r: &Row<'_>) -> rusqlite::Result<PublicationRow> {
    Ok(PublicationRow {
        id: r.get(0)?,
        kind: r.get(1)?,
        period: r.get(2)?,
        region: r.get(3)?,
        published_at: r.get(4)?,
        published_by: r.get(5)?,
        as_of: r.get(6)?,
        sha256: r.get(7)?,
    })
}

/// Stores a publication; answers its id.
pub fn insert(conn: &Connection, p: &NewPublication<'_>) -> Result<i64, StoreError> {
    conn.execute(
        "INSERT INTO publications (kind, period, region, published_at, published_by, as_of, sha256, json, html, xlsx)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![p.kind, p.period, p.region, p.published_at, p.published_by, p.as_of, p.sha256, p.json, p.html, p.xlsx],
    )?;
    Ok(conn.last_insert_rowid())
}

/// The publications, newest first, of one kind or all.
pub fn list(conn: &Connection, kind: Option<&str>) -> Result<Vec<PublicationRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM publications WHERE ?1 IS NULL OR kind = ?1 ORDER BY published_at DESC, id DESC"
    ))?;
    let rows = stmt.query_map([kind], row)?.collect::<Result<_, _>>()?;
    Ok(rows)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<PublicationRow>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM publications WHERE id = ?1"))?
        .query_row([id], row)
        .optional()?)
}

/// One rendering as published: `json`, `html` or `xlsx`.
pub fn rendering(conn: &Connection, id: i64, format: Rendering) -> Result<Option<Vec<u8>>, StoreError> {
    let column = match format {
        Rendering::Json => "json",
        Rendering::Html => "html",
        Rendering::Xlsx => "xlsx",
    };
    // the column is one of three names above, not a request's text
    Ok(conn
        .prepare_cached(&format!("SELECT {column} FROM publications WHERE id = ?1"))?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rendering {
    Json,
    Html,
    Xlsx,
}
