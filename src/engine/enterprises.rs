//! The enterprise register (企业库) as the engine sees it: the figures of register indicators,
//! computed from the register whenever figures are loaded, so that they flow through the one
//! calculator like any stored figure.

use std::collections::{HashMap, HashSet};

use rusqlite::Connection;

use super::World;
use crate::domain::enterprise::{Enterprise, Figures};
use crate::domain::{Frequency, IndicatorCode, Observations, Period, Quarter};
use crate::error::AppResult;
use crate::store;

/// The periods of `from..=to` the register speaks for: from the first year it holds attributes
/// of, up to the latest quarter with an enterprise's figure (without figures, the end of the
/// latest year with attributes), never after `now`. Beyond that the register has not been
/// brought up to date, and counts of `zero:` lists would only count what is not yet recorded.
fn periods(span: &store::enterprises::Span, frequency: Frequency, from: i32, to: i32, now: Quarter) -> Vec<Period> {
    let Some(first) = span.first_year else { return Vec::new() };
    let last = span
        .last_figure
        .and_then(|(y, q)| Quarter::new(y, q))
        .or_else(|| span.last_attribute_year.and_then(|y| Quarter::new(y, 4)))
        .map_or(now, |last| last.min(now));
    (from.max(first)..=to.min(last.year()))
        .flat_map(|year| match frequency {
            Frequency::Annual => {
                vec![Period::Year(year)].into_iter().filter(|_| last.q() == 4 || year < last.year()).collect::<Vec<_>>()
            }
            Frequency::Quarterly => {
                (1..=4).filter_map(|q| Quarter::new(year, q)).filter(|q| *q <= last).map(Period::Quarter).collect()
            }
        })
        .collect()
}

/// An enterprise's figures of a period: the period's own; for a year, the year's, else its
/// fourth quarter's.
fn figures_of<'a>(by_period: Option<&'a HashMap<Period, Figures>>, period: Period, empty: &'a Figures) -> &'a Figures {
    let Some(by_period) = by_period else { return empty };
    by_period
        .get(&period)
        .or_else(|| match period {
            Period::Year(y) => Quarter::new(y, 4).and_then(|q| by_period.get(&Period::Quarter(q))),
            Period::Quarter(_) => None,
        })
        .unwrap_or(empty)
}

/// Adds the figures of the register indicators among `codes` for the reporting regions in
/// `wanted` that report them, in the years `from..=to`.
pub fn add_register_figures(
    conn: &Connection,
    world: &World,
    codes: &[&IndicatorCode],
    wanted: &HashSet<&str>,
    from: i32,
    to: i32,
    out: &mut Observations,
) -> AppResult<()> {
    let rules: Vec<(&IndicatorCode, &crate::domain::Indicator)> = codes
        .iter()
        .filter_map(|c| world.indicators.get(c.as_str()).map(|i| (*c, i)))
        .filter(|(_, i)| i.rule.is_some())
        .collect();
    if rules.is_empty() {
        return Ok(());
    }
    let span = store::enterprises::span(conn)?;
    let regions: HashSet<&str> = wanted.iter().copied().filter(|r| world.tree.is_reporting(r)).collect();
    let enterprises = store::enterprises::in_regions(conn, Some(&regions))?;
    let mut by_region: HashMap<&str, Vec<&Enterprise>> = HashMap::new();
    for e in &enterprises {
        by_region.entry(e.region.as_str()).or_default().push(e);
    }
    let mut measures = Vec::new();
    for (_, ind) in &rules {
        for m in ind.rule.as_ref().expect("filtered").measures() {
            if !measures.contains(&m) {
                measures.push(m);
            }
        }
    }
    let values = store::enterprises::values(conn, &measures, from, to)?;
    let empty = Figures::new();
    for (code, ind) in rules {
        let rule = ind.rule.as_ref().expect("filtered");
        for period in periods(&span, ind.frequency, from, to, super::current_quarter()) {
            for region in world.tree.reporting_regions() {
                let id = region.id.as_str();
                if !regions.contains(id) || !ind.reported_by(&world.tree, id) {
                    continue;
                }
                let list = by_region.get(id).map(Vec::as_slice).unwrap_or_default();
                let figures = list.iter().map(|e| (*e, figures_of(values.get(e.code.as_str()), period, &empty)));
                if let Some(value) = rule.evaluate(period, figures) {
                    out.insert(&region.id, code, period, value);
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(year: i32, n: u8) -> Quarter {
        Quarter::new(year, n).unwrap()
    }

    #[test]
    fn the_register_speaks_from_its_first_year_to_its_latest_figure_and_never_past_today() {
        let span = |first, last_year, last_figure| store::enterprises::Span {
            first_year: first,
            last_attribute_year: last_year,
            last_figure,
        };
        let quarters = |ps: Vec<Period>| ps.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(",");
        let now = q(2024, 3);
        let cases = [
            (span(None, None, None), 2020, 2024, ""),
            (span(Some(2023), Some(2023), None), 2022, 2024, "2023Q1,2023Q2,2023Q3,2023Q4"),
            (span(Some(2023), Some(2024), Some((2024, 1))), 2023, 2023, "2023Q1,2023Q2,2023Q3,2023Q4"),
            (span(Some(2023), Some(2024), Some((2024, 1))), 2024, 2030, "2024Q1"),
            (span(Some(2024), Some(2025), None), 2024, 2030, "2024Q1,2024Q2,2024Q3"),
        ];
        for (s, from, to, want) in cases {
            assert_eq!(quarters(periods(&s, Frequency::Quarterly, from, to, now)), want, "{from}..{to}");
        }
        let annual = periods(&span(Some(2022), Some(2024), Some((2024, 2))), Frequency::Annual, 2020, 2030, now);
        assert_eq!(quarters(annual), "2022,2023", "a year counts once its fourth quarter is in");
    }
}
