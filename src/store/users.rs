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
    with_regions(conn, id, name, role).map(Some)
}

pub fn with_name(conn: &Connection, name: &str) -> Result<Option<User>, StoreError> {
    let found = conn
        .prepare_cached("SELECT id, name, role FROM users WHERE name = ?1")?
        .query_row([name], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))
        .optional()?;
    let Some((id, name, role)) = found else { return Ok(None) };
    with_regions(conn, id, name, role).map(Some)
}

pub fn set_password_hash(conn: &Connection, user_id: i64, hash: &str) -> Result<(), StoreError> {
    conn.execute("UPDATE users SET password_hash = ?2 WHERE id = ?1", params![user_id, hash])?;
    Ok(())
}

/// The user of this name and their password hash, if they have one.
pub fn with_password(conn: &Connection, name: &str) -> Result<Option<(User, String)>, StoreError> {
    let found = conn
        .prepare_cached(
            "SELECT id, name, role, password_hash FROM users WHERE name = ?1 AND password_hash IS NOT NULL",
        )?
        .query_row([name], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
        })
        .optional()?;
    let Some((id, name, role, hash)) = found else { return Ok(None) };
    Ok(Some((with_regions(conn, id, name, role)?, hash)))
}

pub fn add_session(
    conn: &Connection,
    hash: &str,
    user_id: i64,
    csrf: &str,
    expires_at: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO sessions (hash, user_id, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![hash, user_id, csrf, super::now(), expires_at],
    )?;
    Ok(())
}

/// The user and CSRF token of a live session.
pub fn by_session_hash(conn: &Connection, hash: &str, now: &str) -> Result<Option<(User, String)>, StoreError> {
    let found = conn
        .prepare_cached(
            "SELECT u.id, u.name, u.role, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.hash = ?1 AND s.expires_at > ?2",
        )?
        .query_row(params![hash, now], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
        })
        .optional()?;
    let Some((id, name, role, csrf)) = found else { return Ok(None) };
    Ok(Some((with_regions(conn, id, name, role)?, csrf)))
}

pub fn delete_session(conn: &Connection, hash: &str) -> Result<(), StoreError> {
    conn.execute("DELETE FROM sessions WHERE hash = ?1", [hash])?;
    Ok(())
}

fn with_regions(conn: &Connection, id: i64, name: String, role: String) -> Result<User, StoreError> {
    let role = Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role of user {name}")))?;
    let mut stmt = conn.prepare_cached("SELECT region FROM user_regions WHERE user_id = ?1 ORDER BY region")?;
    let regions = stmt
        .query_map([id], |r| r.get::<_, String>(0))?
        .map(|r| RegionId::parse(&r?).map_err(|e| StoreError::Corrupt(e.to_string())))
        .collect::<Result<_, _>>()?;
    let departments = super::rectification::departments_of(conn, id)?;
    Ok(User { id, name, role, regions, departments })
}

/// Names of the users bound to `region`, by name.
pub fn bound_to(conn: &Connection, region: &str) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT u.name FROM user_regions r JOIN users u ON u.id = r.user_id WHERE r.region = ?1 ORDER BY u.name",
    )?;
    let names = stmt.query_map([region], |r| r.get(0))?.collect::<Result<_, _>>()?;
    Ok(names)
}
