//! A region against the benchmark regions for one indicator and period.

use rusqlite::Connection;

use super::world;
use crate::domain::benchmark::{Comparison, Entry, compare};
use crate::domain::number::{plain, round_to};
use crate::domain::progress::span_at;
use crate::domain::what_if::{InputChange, numerator_to_reach};
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

/// `x` rounded up to `decimals` places: the least figure of that precision that is not less than
/// `x` (a float's noise below the precision is no reason to round up).
fn enough(x: f64, decimals: u8) -> f64 {
    let unit = 10f64.powi(i32::from(decimals));
    round_to((round_to(x, decimals + 6) * unit).ceil() / unit, decimals)
}

/// What it would take `region` to reach `benchmark`'s figure of a derived ratio in `period`: the
/// ratio's numerator that closes the gap at the current denominator, and a sentence saying so.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct BenchmarkWhatIf {
    pub region: String,
    pub indicator: String,
    pub benchmark: String,
    #[schema(example = "2023")]
    pub period: String,
    /// the region's figure and the benchmark's
    pub ours: f64,
    pub theirs: f64,
    #[serde(flatten)]
    pub change: InputChange,
    /// `全区R&D经费占GDP比重如要达到江阴市水平（2.1%），在地区生产总值不变的情况下，R&D经费支出需增加3亿元`
    pub sentence: String,
}

pub fn what_if(
    conn: &Connection,
    region: &str,
    indicator: &str,
    benchmark: &str,
    period: Period,
) -> AppResult<BenchmarkWhatIf> {
    let world = world(conn)?;
    let ours = world.region(region)?;
    let ind = world.indicator(indicator)?;
    let theirs_region = world.region(benchmark)?;
    let Some(formula) = ind.formula.as_ref() else {
        return Err(AppError::invalid("indicator", format!("“{}”不是计算指标（比值），无法测算分子", ind.name)));
    };
    if theirs_region.kind != RegionKind::Benchmark || theirs_region.id == ours.id {
        return Err(AppError::invalid("benchmark", format!("“{}”不是对标地区", theirs_region.name)));
    }
    let span = span_at(ind.frequency, period);
    let codes: Vec<&str> = std::iter::once(indicator).chain(formula.codes().into_iter().map(|c| c.as_str())).collect();
    let observations = world.observations(
        conn,
        &[ours.id.as_str(), theirs_region.id.as_str()],
        &codes,
        period.year(),
        period.year(),
    )?;
    let calc = world.calculator(&observations);
    let no_figure = |who: &crate::domain::Region| {
        AppError::invalid("period", format!("{}没有{}{}的数据", who.name, period.label(), ind.name))
    };
    let mine = calc.figure(ours.id.as_str(), indicator, span).value.ok_or_else(|| no_figure(ours))?;
    let theirs =
        calc.figure(theirs_region.id.as_str(), indicator, span).value.ok_or_else(|| no_figure(theirs_region))?;
    let value_of = |c: &crate::domain::IndicatorCode| calc.figure(ours.id.as_str(), c.as_str(), span).value;
    let change =
        numerator_to_reach(formula, &value_of, theirs).map_err(|e| AppError::invalid("indicator", e.to_string()))?;
    let input = world.indicator(change.input.as_str())?;
    let direction = if change.change >= 0.0 { "增加" } else { "减少" };
    // the inputs held, by name: 在地区生产总值不变的情况下
    let held: Vec<&str> = formula
        .codes()
        .into_iter()
        .filter(|c| **c != change.input)
        .filter_map(|c| world.indicators.get(c.as_str()).map(|i| i.name.as_str()))
        .collect();
    let held = if held.is_empty() { "其他指标".to_string() } else { held.join("、") };
    // in the bulletin's style (2.1%, 3亿元), the change at the input's precision, rounded so that
    // it is enough
    let sentence = format!(
        "{}{}如要达到{}水平（{}{}），在{held}不变的情况下，{}需{direction}{}{}",
        ours.name,
        ind.name,
        theirs_region.name,
        plain(round_to(theirs, ind.decimals)),
        if crate::domain::narrative::is_percent(&ind.unit) { "%" } else { &ind.unit },
        input.name,
        plain(enough(change.change.abs(), input.decimals)),
        input.unit,
    );
    Ok(BenchmarkWhatIf {
        region: ours.id.to_string(),
        indicator: ind.code.to_string(),
        benchmark: theirs_region.id.to_string(),
        period: period.to_string(),
        ours: mine,
        theirs,
        change,
        sentence,
    })
}

/// The year a comparison shows when none is asked for: the latest with a benchmark's figure up to
/// the year shown elsewhere (benchmarks publish whole years, later than our quarters), else that year.
pub fn year_shown(conn: &Connection) -> AppResult<i32> {
    let shown = super::year_shown(conn, None)?;
    Ok(store::observations::latest_benchmark_year(conn, shown)?.unwrap_or(shown))
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

/// What it would take `region` to reach each benchmark of `cmp` that is ahead of it, for a derived
/// ratio (none for other indicators); a benchmark whose numerator cannot be solved for (an input
/// without a figure, a zero denominator) is left out.
pub fn what_it_takes(
    conn: &Connection,
    region: &str,
    indicator: &str,
    period: Period,
    cmp: &Comparison,
) -> AppResult<Vec<BenchmarkWhatIf>> {
    let ind = world(conn)?.indicator(indicator)?.clone();
    if ind.formula.is_none() {
        return Ok(vec![]);
    }
    let mut answers = Vec::new();
    for theirs in cmp.benchmarks.iter().filter(|t| t.is_ahead(ind.direction)) {
        match what_if(conn, region, indicator, &theirs.id, period) {
            Ok(answer) => answers.push(answer),
            Err(AppError::Invalid(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(answers)
}
