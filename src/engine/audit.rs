//! Reading the audit log.

use rusqlite::Connection;

use crate::error::AppResult;
use crate::store::audit::{AuditEntry, AuditFilter};

pub const DEFAULT_LIMIT: u32 = 100;
pub const MAX_LIMIT: u32 = 10_000;

pub fn query(conn: &Connection, filter: &AuditFilter<'_>) -> AppResult<Vec<AuditEntry>> {
    Ok(crate::store::audit::query(conn, filter)?)
}
