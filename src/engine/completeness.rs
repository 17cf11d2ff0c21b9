//! Completeness of a quarter: which reporting regions have not yet reported which indicators.

use rusqlite::Connection;
use serde::Serialize;

use super::{workflow, world};
use crate::domain::workflow::State;
use crate::domain::{Frequency, Indicator, Period, RegionId};
use crate::error::AppResult;
use crate::store;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RegionCompleteness {
    pub region: String,
    pub name: String,
    /// reporting state of the quarter (`draft` until it is submitted)
    pub state: State,
    /// the state as the bureau names it (未上报, 已上报, 已审核, 已退回)
    pub state_name: &'static str,
    /// indicators to report
    pub required: usize,
    pub reported: usize,
    /// codes of the indicators still missing
    pub missing: Vec<String>,
    /// their names
    pub missing_names: Vec<String>,
    /// when the quarter was submitted, if it is submitted or approved; else when its latest
    /// figure arrived
    pub submitted_at: Option<String>,
}

/// Every reporting region below `parent` (default: all of them): required indicators are those it
/// reports in this round (`IndicatorSet::to_report`); the state is the reporting workflow's.
///
/// A quarter's round asks for its quarterly indicators (and, with the fourth quarter, the annual
/// ones); `YYYY` asks for the year's annual indicators only, with the fourth quarter's state.
pub fn for_period(
    conn: &Connection,
    period: impl Into<Period>,
    parent: Option<&RegionId>,
) -> AppResult<Vec<RegionCompleteness>> {
    let period = period.into();
    let parent = parent.map(RegionId::as_str);
    let (quarter, annual_only) = (period.round(), period.as_quarter().is_none());
    let world = world(conn)?;
    let regions = workflow::reporting_regions(&world, parent)?;
    let mut states = workflow::states_of(conn, quarter)?;
    let mut out = Vec::new();
    for region in regions {
        let mut required = world.indicators.to_report(&world.tree, region.id.as_str(), quarter);
        required.retain(|i| !annual_only || i.frequency == Frequency::Annual);
        let mut stored = store::observations::list(conn, region.id.as_str(), Period::Quarter(quarter), None)?;
        if required.iter().any(|i| i.frequency == Frequency::Annual) {
            stored.extend(store::observations::list(conn, region.id.as_str(), Period::Year(quarter.year()), None)?);
        }
        let missing: Vec<&&Indicator> =
            required.iter().filter(|i| !stored.iter().any(|v| v.indicator == i.code.as_str())).collect();
        let row = states.remove(region.id.as_str());
        let state = row.as_ref().map_or(State::Draft, |r| r.state);
        out.push(RegionCompleteness {
            region: region.id.to_string(),
            name: region.name.clone(),
            state,
            state_name: state.label(),
            required: required.len(),
            reported: required.len() - missing.len(),
            missing: missing.iter().map(|i| i.code.to_string()).collect(),
            missing_names: missing.iter().map(|i| i.name.clone()).collect(),
            submitted_at: row
                .and_then(|r| r.submitted_at)
                .or_else(|| stored.iter().map(|v| v.submitted_at.clone()).max()),
        });
    }
    Ok(out)
}
