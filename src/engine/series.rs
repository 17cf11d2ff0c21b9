//! A region's figures for one indicator over a run of periods, in one view.

use rusqlite::Connection;
use serde::Serialize;

use super::world;
use crate::domain::calc::Source;
use crate::domain::{Coverage, Figure, Frequency, Period, View};
use crate::error::{AppError, AppResult};

/// More points than this in one answer is a mistake in the query, not a chart.
pub const MAX_POINTS: usize = 400;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Point {
    pub period: String,
    pub value: Option<f64>,
    /// regions with children: children that took part / all children
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
    /// regions with children: `reported` when the region's own published total wins over the
    /// children's sum, else `computed`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// with a reported total: the children's sum
    #[serde(skip_serializing_if = "Option::is_none")]
    pub computed: Option<f64>,
    /// with a reported total: reported − computed (未分配/区本级)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unallocated: Option<f64>,
}

impl Point {
    pub fn new(period: Period, figure: Figure) -> Point {
        Point {
            period: period.to_string(),
            value: figure.value,
            coverage: figure.coverage,
            source: figure.source,
            computed: figure.computed,
            unallocated: figure.unallocated(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Series {
    pub region: String,
    pub indicator: String,
    pub unit: String,
    pub view: View,
    pub points: Vec<Point>,
}

/// Every period from `from` to `to`, both quarters or both years.
fn periods(from: Period, to: Period) -> AppResult<Vec<Period>> {
    let list: Vec<Period> = match (from, to) {
        (Period::Year(a), Period::Year(b)) => (a..=b).map(Period::Year).collect(),
        (Period::Quarter(a), Period::Quarter(b)) => a.through(b).map(Period::Quarter).collect(),
        _ => return Err(AppError::invalid("to", "from 与 to 应同为季度或同为年份")),
    };
    if list.is_empty() {
        return Err(AppError::invalid("to", "to 不能早于 from"));
    }
    if list.len() > MAX_POINTS {
        return Err(AppError::invalid("to", format!("一个序列最多 {MAX_POINTS} 个时期")));
    }
    Ok(list)
}

/// The series, from memory when nothing changed since it was last computed.
pub fn series(
    conn: &Connection,
    region: &str,
    indicator: &str,
    view: View,
    from: Period,
    to: Period,
) -> AppResult<Series> {
    let question =
        super::cache::Question::Series { region: region.into(), indicator: indicator.into(), view, from, to };
    super::cache::answer(conn, question, || compute(conn, region, indicator, view, from, to))
}

/// The series, computed from the stored figures.
pub fn compute(
    conn: &Connection,
    region: &str,
    indicator: &str,
    view: View,
    from: Period,
    to: Period,
) -> AppResult<Series> {
    let world = world(conn)?;
    let periods = periods(from, to)?;
    if view.at(from).is_none() {
        return Err(AppError::invalid(
            "view",
            "年度视图（annual）用年份（YYYY），季度与累计视图（quarter、ytd）用季度（YYYYQn）",
        ));
    }
    world.region(region)?;
    let ind = world.indicator(indicator)?;
    if ind.frequency == Frequency::Annual && view != View::Annual {
        return Err(AppError::invalid("view", format!("“{}”是年度指标，只有年度视图（view=annual）", ind.name)));
    }
    let observations = world.observations(conn, &[region], &[indicator], from.year(), to.year())?;
    let calc = world.calculator(&observations);
    let points =
        periods.into_iter().filter_map(|p| Some(Point::new(p, calc.figure(region, indicator, view.at(p)?)))).collect();
    Ok(Series { region: region.to_string(), indicator: ind.code.to_string(), unit: ind.unit.clone(), view, points })
}
