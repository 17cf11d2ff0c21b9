//! The entry form of a region for a period, in one call: which regions the user may fill in,
//! the indicators the region reports in that round, and beside each its figure, comment, last
//! year's figure and the year's target; and, read-only, the figures the register computes for the
//! region (register indicators are never typed in), each with the list behind it.

use rusqlite::Connection;
use serde::Serialize;

use super::{targets, values, world};
use crate::domain::access::User;
use crate::domain::progress::year_before;
use crate::domain::{Frequency, Indicator, Mode, Period};
use crate::error::{AppError, AppResult};

#[derive(Debug, Serialize)]
pub struct EntryRow {
    pub code: String,
    pub name: String,
    pub unit: String,
    /// 当季 / 累计 for a quarter's figures, 年度 for a year's
    pub mode: &'static str,
    pub decimals: u8,
    pub last_year: Option<f64>,
    pub target: Option<f64>,
    pub value: Option<f64>,
    pub comment: Option<String>,
}

/// A register indicator's figure for the region, computed from the enterprise register: shown on
/// the form beside a link to the enterprises behind it (`/enterprises?region=…`), never an input.
#[derive(Debug, Serialize)]
pub struct ComputedRow {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub decimals: u8,
    pub last_year: Option<f64>,
    pub target: Option<f64>,
    pub value: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct EntryForm {
    /// the regions the user may fill in, with their labels: a region with children is there for
    /// its own reported totals (本级公布数)
    pub regions: Vec<(String, String)>,
    /// empty in a database without reporting regions yet (the page says so)
    pub region: String,
    pub region_name: String,
    pub period: String,
    pub period_label: String,
    /// a reporting region's quarter, which is submitted for review; a year's figures and a
    /// parent's own reported totals are not
    pub reviewed: bool,
    pub rows: Vec<EntryRow>,
    /// the register indicators of the region for the period, computed, read-only
    pub computed: Vec<ComputedRow>,
}

/// The form of `region` (default: the user's first reporting region) for `period`: a quarter's
/// quarterly figures, or a year's annual ones (`YYYY`). 403 for a region the user may not fill in.
pub fn form(conn: &Connection, user: &User, region: Option<&str>, period: Period) -> AppResult<EntryForm> {
    let world = world(conn)?;
    let writable: Vec<&crate::domain::Region> =
        world.tree.hierarchy().into_iter().filter(|r| user.may_write_figures(&world.tree, r.id.as_str())).collect();
    let regions: Vec<(String, String)> = writable
        .iter()
        .map(|r| {
            let label = if world.tree.has_children(r.id.as_str()) {
                format!("{}（本级公布数）", r.name)
            } else {
                r.name.clone()
            };
            (r.id.to_string(), label)
        })
        .collect();
    let empty = |regions| EntryForm {
        regions,
        region: String::new(),
        region_name: String::new(),
        period: period.to_string(),
        period_label: period.label(),
        reviewed: false,
        rows: vec![],
        computed: vec![],
    };
    let chosen = match region {
        Some(r) => writable.iter().find(|w| w.id.as_str() == r).ok_or_else(|| {
            let name = world.tree.get(r).map_or(r, |known| known.name.as_str());
            AppError::Forbidden(format!("不能填报{name}的数据"))
        })?,
        None => match writable.iter().find(|r| world.tree.is_reporting(r.id.as_str())).or(writable.first()) {
            Some(r) => r,
            None => return Ok(empty(regions)),
        },
    };
    let (region, region_name) = (&chosen.id, chosen.name.clone());
    let stored = values::list(conn, region, period, None)?;
    let last = match year_before(period) {
        Some(p) => values::list(conn, region, p, None)?,
        None => vec![],
    };
    let year_targets = targets::list(conn, period.year(), Some(region), None)?;
    // A quarter's form holds the quarterly indicators, a year's the annual ones.
    let rows = world
        .indicators
        .to_fill_in(&world.tree, region.as_str(), period)
        .into_iter()
        .map(|ind| {
            let code = ind.code.as_str();
            let now = stored.iter().find(|v| v.indicator == code);
            EntryRow {
                code: code.to_string(),
                name: ind.name.clone(),
                unit: ind.unit.clone(),
                mode: ind.form_label(),
                decimals: ind.decimals,
                last_year: last.iter().find(|v| v.indicator == code).map(|v| v.value),
                target: year_targets.iter().find(|t| t.indicator == code).map(|t| t.value),
                value: now.map(|v| v.value),
                comment: now.and_then(|v| v.comment.clone()),
            }
        })
        .collect();
    let computed = computed(conn, &world, region.as_str(), period)?;
    Ok(EntryForm {
        reviewed: period.as_quarter().is_some() && world.tree.is_reporting(region.as_str()),
        region: region.to_string(),
        region_name,
        regions,
        period: period.to_string(),
        period_label: period.label(),
        rows,
        computed,
    })
}

/// The register indicators `region` has for `period` (a quarter's quarterly ones, a year's annual
/// ones), with their figures, last year's and the year's target, as the engine computes them.
fn computed(conn: &Connection, world: &super::World, region: &str, period: Period) -> AppResult<Vec<ComputedRow>> {
    let frequency = match period {
        Period::Quarter(_) => Frequency::Quarterly,
        Period::Year(_) => Frequency::Annual,
    };
    let register: Vec<&Indicator> = world
        .indicators
        .in_display_order()
        .into_iter()
        .filter(|i| i.mode == Mode::Register && i.frequency == frequency && i.applies_to(&world.tree, region))
        .collect();
    if register.is_empty() {
        return Ok(Vec::new());
    }
    let codes: Vec<&str> = register.iter().map(|i| i.code.as_str()).collect();
    let rows = super::progress::rows(conn, world, &[region], &codes, period)?;
    Ok(register
        .iter()
        .zip(rows)
        .map(|(ind, row)| ComputedRow {
            code: ind.code.to_string(),
            name: ind.name.clone(),
            unit: ind.unit.clone(),
            decimals: ind.decimals,
            last_year: row.progress.previous,
            target: row.progress.target,
            value: row.progress.actual,
        })
        .collect())
}
