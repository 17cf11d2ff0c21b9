//! Completeness of a quarter: which reporting regions have not yet reported which indicators.

use rusqlite::Connection;
use serde::Serialize;

use super::world;
use crate::domain::{Indicator, Mode, Period, Quarter, RegionKind};
use crate::error::{AppError, AppResult};
use crate::store;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RegionCompleteness {
    pub region: String,
    pub name: String,
    /// reporting state of the quarter (`draft` until the reporting workflow moves it on)
    pub state: String,
    /// indicators to report
    pub required: usize,
    pub reported: usize,
    /// codes of the indicators still missing
    pub missing: Vec<String>,
    /// their names
    pub missing_names: Vec<String>,
    /// when the latest figure of the quarter arrived
    pub submitted_at: Option<String>,
}

/// Every reporting region below `parent` (default: all of them): required indicators are the
/// submitted (non-derived) ones.
pub fn for_quarter(conn: &Connection, quarter: Quarter, parent: Option<&str>) -> AppResult<Vec<RegionCompleteness>> {
    let world = world(conn)?;
    let roots: Vec<&str> = match parent {
        Some(p) if world.region(p)?.kind == RegionKind::Benchmark => {
            return Err(AppError::invalid("parent", "benchmark regions do not report quarterly"));
        }
        Some(p) => vec![p],
        None => world
            .tree
            .in_display_order()
            .iter()
            .filter(|r| r.parent.is_none() && r.kind != RegionKind::Benchmark)
            .map(|r| r.id.as_str())
            .collect(),
    };
    let required: Vec<&Indicator> =
        world.indicators.in_display_order().into_iter().filter(|i| i.mode != Mode::Derived).collect();
    let mut out = Vec::new();
    for root in roots {
        for leaf in world.tree.leaves_under(root) {
            let region = world.region(leaf.as_str())?;
            let stored = store::observations::list(conn, leaf.as_str(), Period::Quarter(quarter), None)?;
            let missing: Vec<&&Indicator> =
                required.iter().filter(|i| !stored.iter().any(|v| v.indicator == i.code.as_str())).collect();
            out.push(RegionCompleteness {
                region: region.id.to_string(),
                name: region.name.clone(),
                state: "draft".into(),
                required: required.len(),
                reported: required.len() - missing.len(),
                missing: missing.iter().map(|i| i.code.to_string()).collect(),
                missing_names: missing.iter().map(|i| i.name.clone()).collect(),
                submitted_at: stored.iter().map(|v| v.submitted_at.clone()).max(),
            });
        }
    }
    Ok(out)
}
