//! The three zeros board (三个零) as the pages and the report of its lists show it: the quarter
//! shown by default, and the export of the lists for the towns' visits, allowed to those who may
//! see the region's enterprises and audited. The lists themselves are `enterprises::three_zeros`.

use rusqlite::Connection;
use serde::Serialize;

use super::enterprises::{self, ThreeZeros};
use super::{Scope, audit_change};
use crate::domain::access::User;
use crate::domain::{Period, Quarter};
use crate::error::AppResult;
use crate::store;

/// The latest quarter, up to the current one, for which an enterprise's figure is recorded.
pub fn latest_quarter(conn: &Connection) -> AppResult<Option<Quarter>> {
    let span = store::enterprises::span(conn)?;
    Ok(span.last_figure.and_then(|(y, q)| Quarter::new(y, q)).map(|q| q.min(super::current_quarter())))
}

/// The period the board shows when none is asked for: the latest quarter with enterprise figures,
/// else the period the other pages show.
pub fn period_shown(conn: &Connection) -> AppResult<Period> {
    match latest_quarter(conn)? {
        Some(q) => Ok(Period::Quarter(q)),
        None => super::period_shown(conn, None),
    }
}

/// What the audit keeps of an export: the format (`XLSX`, `JSON`) and how many enterprises the
/// lists named.
#[derive(Serialize)]
struct Exported<'a> {
    format: &'a str,
    listed: usize,
}

/// The board of `region` (the root when none) in `period` for an export of its lists as
/// `format` (`XLSX`, `JSON`): 403 to whoever may see none of the region's enterprises (a list is confidential);
/// audited as an `export` of an `enterprise_list`, keyed by the period.
pub fn export(
    conn: &Connection,
    user: &User,
    period: Period,
    region: Option<&str>,
    format: &str,
) -> AppResult<ThreeZeros> {
    let world = super::world(conn)?;
    let region = match region {
        Some(id) => world.region(id)?.id.clone(),
        None => world.root()?.id.clone(),
    };
    enterprises::may_list(&world, user, Some(region.as_str()))?;
    let board = enterprises::three_zeros(conn, user, period, Some(region.as_str()))?;
    let exported = Exported { format, listed: board.lists.iter().map(|l| l.enterprises.len()).sum() };
    let scope = Scope { region: Some(region.as_str()), period: Some(period.to_string()), ..Default::default() };
    audit_change(
        conn,
        &user.name,
        "export",
        "enterprise_list",
        &period.to_string(),
        scope,
        None::<&Exported>,
        Some(&exported),
    )?;
    Ok(board)
}
