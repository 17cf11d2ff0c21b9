//! A region's figures for one indicator over a run of periods, in one view.

use rusqlite::Connection;
use serde::Serialize;

use super::world;
use crate::domain::{Coverage, Period, View};
use crate::error::{AppError, AppResult};

/// More points than this in one answer is a mistake in the query, not a chart.
pub const MAX_POINTS: usize = 400;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Point {
    pub period: String,
    pub value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
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
        _ => return Err(AppError::invalid("to", "from and to must both be quarters or both be years")),
    };
    if list.is_empty() {
        return Err(AppError::invalid("to", "to must not come before from"));
    }
    if list.len() > MAX_POINTS {
        return Err(AppError::invalid("to", format!("at most {MAX_POINTS} periods per series")));
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
    let question = format!("series {region:?} {indicator:?} {view:?} {from} {to}");
    super::cache::answer(conn, super::cache::Depends::Data, question, || {
        compute(conn, region, indicator, view, from, to)
    })
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
            "the annual view takes years (YYYY); the quarter and ytd views take quarters (YYYYQn)",
        ));
    }
    world.region(region)?;
    let ind = world.indicator(indicator)?;
    let observations = world.observations(conn, &[region], &[indicator], from.year(), to.year())?;
    let calc = world.calculator(&observations);
    let points = periods
        .into_iter()
        .filter_map(|p| {
            let figure = calc.figure(region, indicator, view.at(p)?);
            Some(Point { period: p.to_string(), value: figure.value, coverage: figure.coverage })
        })
        .collect();
    Ok(Series { region: region.to_string(), indicator: ind.code.to_string(), unit: ind.unit.clone(), view, points })
}
