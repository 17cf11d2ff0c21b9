//! Progress against targets: year-to-date actual, target, pace, status and year-on-year change.

use rusqlite::Connection;
use serde::Serialize;

use super::{World, world};
use crate::domain::calc::Source;
use crate::domain::number;
use crate::domain::progress::{
    Progress, ProgressInput, completion, default_milestones, milestone_quarter, progress, span_at, year_before,
};
use crate::domain::projection::{self, ProjectedStatus, Projection, YEARS_OF_PATTERN};
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
    /// before the year's end, for a figure all children have reported: where the year will end (SPEC §13)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub projection: Option<ProjectionRow>,
    /// with a projection and a target: whether the projection reaches it
    #[serde(skip_serializing_if = "Option::is_none")]
    pub projected_status: Option<ProjectedStatus>,
}

/// The projected year with its range, how it was projected and its completion of the target.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ProjectionRow {
    #[serde(flatten)]
    pub projection: Projection,
    /// projected value against the annual target
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completion: Option<f64>,
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
    // before the year's end, the years of the seasonal pattern and the parents' too
    let projected_at = period.as_quarter().filter(|q| q.q() < 4);
    let first = if projected_at.is_some() { year - YEARS_OF_PATTERN as i32 } else { year - 1 };
    let mut loaded: Vec<&str> = regions.to_vec();
    if projected_at.is_some() {
        for r in regions {
            if let Some(parent) = world.tree.get(r).and_then(|r| r.parent.as_ref())
                && !loaded.contains(&parent.as_str())
            {
                loaded.push(parent.as_str());
            }
        }
    }
    let observations = world.observations(conn, &loaded, indicators, first, year)?;
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
            let figure_of = |r: &str, c: &str, span| calc.figure(r, c, span).value;
            // a total of some children only would project the year of a part as the whole's
            let complete = figure.coverage.is_none_or(|c| c.reported == c.total);
            let projection = projected_at
                .filter(|_| ind.frequency == crate::domain::Frequency::Quarterly && complete)
                .and_then(|q| projection::of_region(&world.indicators, &world.tree, &figure_of, region, code, q))
                // as precise as any computed figure, and judged as shown
                .map(|p| Projection {
                    value: number::tidy_figure(p.value, ind.decimals),
                    low: number::tidy_figure(p.low, ind.decimals),
                    high: number::tidy_figure(p.high, ind.decimals),
                    ..p
                });
            let target_value = target.as_ref().map(|t| t.value);
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
                projected_status: projection.zip(target_value).map(|(p, t)| ProjectedStatus::of(ind.direction, &p, t)),
                projection: projection.map(|p| ProjectionRow {
                    completion: target_value.and_then(|t| completion(ind.direction, p.value, t)).map(number::share),
                    projection: p,
                }),
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
