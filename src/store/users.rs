//! The `users`, `user_regions` and `tokens` tables. Tokens are stored only as hashes.

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;
use crate::domain::RegionId;
use crate::domain::access::{Role, User};

pub fn insert(conn: &Connection, name: &str, role: Role, regions: &[RegionId]) -> Result<i64, StoreError> {
    conn.execute(
        "INSERT INTO users (name, role, created_at) VALUES (?1, ?2, ?3)",
        params![name, role.as_str(), super::now()],
    )?;
    let id = conn.last_insert_rowid();
    for region in regions {
        conn.execute("INSERT INTO user_regions (user_id, region) VALUES (?1, ?2)", params![id, region.as_str()])?;
    }
    Ok(id)
}

pub fn name_taken(conn: &Connection, name: &str) -> Result<bool, StoreError> {
    Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM users WHERE name = ?1)", [name], |r| r.get(0))?)
}

pub fn add_token(conn: &Connection, user_id: i64, token_hash: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO tokens (hash, user_id, created_at) VALUES (?1, ?2, ?3)",
        params![token_hash, user_id, super::now()],
    )?;
    Ok(())
}

pub fn by_token_hash(conn: &Connection, token_hash: &str) -> Result<Option<User>, StoreError> {
    let found = conn
        .prepare_cached("SELECT u.id, u.name, u.role FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ?1")?
        .query_row([token_hash], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))
        .optional()?;
    let Some((id, name, role)) = found else { return Ok(None) };
    let role = Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role of user {name}")))?;
    let mut stmt = conn.prepare_cached("SELECT region FROM user_regions WHERE user_id = ?1 ORDER BY region")?;
    let regions = stmt
        .query_map([id], |r| r.get::<_, String>(0))?
        .map(|r| RegionId::parse(&r?).map_err(|e| StoreError::Corrupt(e.to_string())))
        .collect::<Result<_, _>>()?;
    Ok(Some(User { id, name, role, regions }))
}

/// Names of the users bound to `region`, by name.
pub fn bound_to(conn: &Connection, region: &str) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT u.name FROM user_regions r JOIN users u ON u.id = r.user_id WHERE r.region = ?1 ORDER BY u.name",
    )?;
    let names = stmt.query_map([region], |r| r.get(0))?.collect::<Result<_, _>>()?;
    Ok(names)
}
