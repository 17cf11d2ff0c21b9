//! Progress against targets: year-to-date actual, target, pace, status and year-on-year change.

use rusqlite::Connection;
use serde::Serialize;

use super::{World, world};
use crate::domain::calc::Source;
use crate::domain::progress::{
    Progress, ProgressInput, default_milestones, milestone_quarter, progress, span_at, year_before,
};
use crate::domain::{Coverage, Period};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ProgressRow {
    pub region: String,
    pub name: String,
    pub indicator: String,
    #[serde(flatten)]
    pub progress: Progress,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
    /// regions with children: `reported` when `actual` is the region's own published total
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// with a reported total: reported − the children's sum (未分配/区本级)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unallocated: Option<f64>,
}

/// Which regions a progress question is about.
pub enum Scope<'a> {
    /// one region
    Region(&'a str),
    /// every child of a region
    ChildrenOf(&'a str),
}

/// Progress of `regions` × `indicators` at `period`, region-major: at a quarter `YYYYQn` the year
/// to date, at a year `YYYY` the whole year (its annual view), measured at its end.
pub fn rows(
    conn: &Connection,
    world: &World,
    regions: &[&str],
    indicators: &[&str],
    period: impl Into<Period>,
) -> AppResult<Vec<ProgressRow>> {
    let period = period.into();
    let year = period.year();
    let observations = world.observations(conn, regions, indicators, year - 1, year)?;
    let calc = world.calculator(&observations);
    let last_year = year_before(period);
    let mut out = Vec::with_capacity(regions.len() * indicators.len());
    let targets = indicators
        .iter()
        .map(|code| super::targets::of_regions(conn, regions, code, year))
        .collect::<AppResult<Vec<_>>>()?;
    for region in regions {
        let name = world.region(region)?.name.clone();
        for (code, targets) in indicators.iter().zip(&targets) {
            let ind = world.indicator(code)?;
            let target = targets.get(*region);
            let figure = calc.figure(region, code, span_at(ind.frequency, period));
            let previous = last_year.and_then(|before| calc.figure(region, code, span_at(ind.frequency, before)).value);
            out.push(ProgressRow {
                region: region.to_string(),
                name: name.clone(),
                indicator: code.to_string(),
                progress: progress(&ProgressInput {
                    direction: ind.direction,
                    unit: &ind.unit,
                    decimals: ind.decimals,
                    quarter: milestone_quarter(period),
                    actual: figure.value,
                    target: target.as_ref().map(|t| t.value),
                    milestones: target.as_ref().map_or_else(|| default_milestones(ind.mode), |t| t.milestones),
                    previous,
                }),
                coverage: figure.coverage,
                source: figure.source,
                unallocated: figure.unallocated(),
            });
        }
    }
    Ok(out)
}

/// Progress of one indicator for one region or for every child of a region, from memory when
/// nothing changed since it was last computed.
pub fn for_indicator(
    conn: &Connection,
    indicator: &str,
    period: impl Into<Period>,
    scope: Scope<'_>,
) -> AppResult<Vec<ProgressRow>> {
    let period = period.into();
    let (region, children) = match scope {
        Scope::Region(r) => (r, false),
        Scope::ChildrenOf(p) => (p, true),
    };
    let question =
        super::cache::Question::Progress { indicator: indicator.into(), period, region: region.into(), children };
    super::cache::answer(conn, question, || compute_for_indicator(conn, indicator, period, scope))
}

/// Progress of one indicator, computed from the stored figures and targets.
pub fn compute_for_indicator(
    conn: &Connection,
    indicator: &str,
    period: impl Into<Period>,
    scope: Scope<'_>,
) -> AppResult<Vec<ProgressRow>> {
    let world = world(conn)?;
    world.indicator(indicator)?;
    let regions: Vec<&str> = match scope {
        Scope::Region(r) => vec![world.region(r)?.id.as_str()],
        Scope::ChildrenOf(p) => {
            world.region(p)?;
            let kids: Vec<&str> = world.tree.children(p).iter().map(|c| c.as_str()).collect();
            if kids.is_empty() {
                return Err(AppError::invalid("parent", format!("地区“{p}”没有下级地区")));
            }
            kids
        }
    };
    rows(conn, &world, &regions, &[indicator], period)
}
