//! The application layer: loads what a question needs from the store, asks `domain` for the
//! answer, and writes changes with their audit entries in the caller's transaction.
//! No statistics are computed here, and nothing here knows about HTTP.

pub mod audit;
pub mod indicators;
pub mod regions;
pub mod series;
pub mod users;
pub mod values;

use chrono::{FixedOffset, Utc};
use rusqlite::Connection;

use crate::domain::access::User;
use crate::domain::{IndicatorSet, Quarter, RegionTree};
use crate::error::{AppError, AppResult};
use crate::store;

/// The regions and indicators: small, and needed by nearly every question.
pub struct World {
    pub tree: RegionTree,
    pub indicators: IndicatorSet,
}

pub fn world(conn: &Connection) -> AppResult<World> {
    let corrupt = |e: String| AppError::Store(store::StoreError::Corrupt(e));
    Ok(World {
        tree: RegionTree::new(store::regions::all(conn)?).map_err(|e| corrupt(e.to_string()))?,
        indicators: IndicatorSet::new(store::indicators::all(conn)?).map_err(|e| corrupt(e.to_string()))?,
    })
}

/// The quarter we are in, on the bureau's clock (China Standard Time).
pub fn current_quarter() -> Quarter {
    let china = FixedOffset::east_opt(8 * 3600).expect("a valid offset");
    Quarter::containing(Utc::now().with_timezone(&china).date_naive())
}

pub fn require_admin(user: &User) -> AppResult<()> {
    if user.is_admin() { Ok(()) } else { Err(AppError::Forbidden("only an admin may do this".into())) }
}

/// One audit entry for a change of anything but a figure.
fn audit_change<T: serde::Serialize>(
    conn: &Connection,
    user: &str,
    action: &str,
    entity: &str,
    key: &str,
    old: Option<&T>,
    new: Option<&T>,
) -> AppResult<()> {
    let json = |v: Option<&T>| v.and_then(|v| serde_json::to_value(v).ok());
    store::audit::record(
        conn,
        &store::audit::AuditEntry {
            at: store::now(),
            user: user.to_string(),
            action: action.to_string(),
            entity: entity.to_string(),
            key: key.to_string(),
            region: None,
            indicator: None,
            period: None,
            old: json(old),
            new: json(new),
            reason: None,
        },
    )?;
    Ok(())
}
