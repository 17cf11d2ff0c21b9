//! Reading the audit log: its entries as the API and the pages see them, converted from the
//! store's rows.

use rusqlite::Connection;
use serde::Serialize;

use crate::error::AppResult;
/// Which entries to read; the store's own filter, since it is nothing but the question.
pub use crate::store::audit::AuditFilter;
use crate::store::audit::AuditRecord;

pub const DEFAULT_LIMIT: u32 = 100;
pub const MAX_LIMIT: u32 = 10_000;

// One change as `GET /audit` shows it (a `///` line here would become the schema's description).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub at: String,
    pub user: String,
    /// `create`, `update`, `delete`
    pub action: String,
    /// `value`, `region`, `indicator`, `user`
    pub entity: String,
    /// what was changed, e.g. `town-jia/gdp/2023Q1`
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indicator: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    pub old: Option<serde_json::Value>,
    pub new: Option<serde_json::Value>,
    pub reason: Option<String>,
}

impl From<AuditRecord> for AuditEntry {
    fn from(r: AuditRecord) -> AuditEntry {
        AuditEntry {
            at: r.at,
            user: r.user,
            action: r.action,
            entity: r.entity,
            key: r.key,
            region: r.region,
            indicator: r.indicator,
            period: r.period,
            old: r.old,
            new: r.new,
            reason: r.reason,
        }
    }
}

/// Newest first.
pub fn query(conn: &Connection, filter: &AuditFilter<'_>) -> AppResult<Vec<AuditEntry>> {
    Ok(crate::store::audit::query(conn, filter)?.into_iter().map(AuditEntry::from).collect())
}
