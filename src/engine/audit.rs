//! Reading the audit log: its entries as the API and the pages see them, converted from the
//! store's rows.

use rusqlite::Connection;
use serde::Serialize;

use crate::domain::access::User;
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

/// The entities of the enterprise register: confidential statistics (企业名单和企业数据).
const REGISTER_ENTITIES: [&str; 3] = ["enterprise", "enterprise_values", "enterprise_list"];

/// Newest first, as `user` may read them: what was written of an enterprise is left out (`old`
/// and `new` are null) for those who may not see the enterprises of its region; that it was
/// changed, when and by whom stays in the log for everyone.
pub fn query(conn: &Connection, user: &User, filter: &AuditFilter<'_>) -> AppResult<Vec<AuditEntry>> {
    let world = super::world(conn)?;
    Ok(crate::store::audit::query(conn, filter)?
        .into_iter()
        .map(AuditEntry::from)
        .map(|mut e| {
            let hidden = REGISTER_ENTITIES.contains(&e.entity.as_str())
                && !e.region.as_deref().is_some_and(|r| user.may_see_enterprises(&world.tree, r));
            if hidden {
                (e.old, e.new) = (None, None);
            }
            e
        })
        .collect())
}
