//! A region against the benchmark regions for one indicator and period.

use rusqlite::Connection;

use super::world;
use crate::domain::benchmark::{Comparison, Entry, compare};
use crate::domain::progress::span_at;
use crate::domain::{Period, RegionKind};
use crate::error::{AppError, AppResult};
use crate::store;

/// `period` `YYYY` compares annual figures, `YYYYQn` year-to-date ones. `only` picks benchmarks
/// by id (default: all of them, in display order).
pub fn benchmarks(
    conn: &Connection,
    region: &str,
    indicator: &str,
    period: Period,
    only: Option<&[String]>,
) -> AppResult<Comparison> {
    let world = world(conn)?;
    let ours = world.region(region)?;
    let ind = world.indicator(indicator)?;
    let all: Vec<&crate::domain::Region> = world
        .tree
        .in_display_order()
        .into_iter()
        .filter(|r| r.kind == RegionKind::Benchmark && r.id != ours.id)
        .collect();
    let chosen: Vec<&crate::domain::Region> = match only {
        None => all,
        Some(ids) => ids
            .iter()
            .map(|id| {
                all.iter()
                    .find(|r| r.id.as_str() == id)
                    .copied()
                    .ok_or_else(|| AppError::invalid("benchmarks", format!("“{id}”不是对标地区")))
            })
            .collect::<AppResult<_>>()?,
    };
    let span = span_at(ind.frequency, period);
    let mut ids: Vec<&str> = chosen.iter().map(|r| r.id.as_str()).collect();
    ids.push(ours.id.as_str());
    let observations = world.observations(conn, &ids, &[indicator], period.year(), period.year())?;
    let calc = world.calculator(&observations);
    let entry = |r: &crate::domain::Region| -> AppResult<Entry> {
        // The source of a benchmark figure is the note stored with it (e.g. 某市统计公报).
        // (a year's figure stands for its fourth quarter too)
        let stored = match store::observations::get(conn, r.id.as_str(), indicator, period)? {
            None if period.as_quarter().is_some_and(|q| q.q() == 4) => {
                store::observations::get(conn, r.id.as_str(), indicator, Period::Year(period.year()))?
            }
            found => found,
        };
        let source = stored.and_then(|v| v.comment);
        Ok(Entry {
            id: r.id.to_string(),
            name: r.name.clone(),
            value: calc.figure(r.id.as_str(), indicator, span).value,
            source,
        })
    };
    let theirs = chosen.iter().map(|r| entry(r)).collect::<AppResult<Vec<_>>>()?;
    let mut ours = entry(ours)?;
    ours.source = None;
    Ok(compare(ind.direction, ind.decimals, ours, theirs))
}

/// The indicator a comparison shows when none is asked for: of `offered`, the one most benchmark
/// regions have a figure of in `period`'s year (the first in display order on a tie); with no
/// benchmark figure at all, the first that every region reports, else the first offered.
pub fn most_compared(
    conn: &Connection,
    offered: &[&crate::domain::Indicator],
    period: Period,
) -> AppResult<Option<String>> {
    let counts = store::observations::benchmark_figures(conn, period.year())?;
    let count = |code: &str| counts.iter().find(|(c, _)| c == code).map_or(0, |(_, n)| *n);
    let mut best: Option<(usize, &crate::domain::Indicator)> = None;
    for ind in offered {
        let n = count(ind.code.as_str());
        if n > 0 && best.is_none_or(|(most, _)| n > most) {
            best = Some((n, ind));
        }
    }
    let everywhere = offered.iter().copied().find(|i| i.regions.is_none());
    Ok(best.map(|(_, ind)| ind).or(everywhere).or(offered.first().copied()).map(|i| i.code.to_string()))
}
