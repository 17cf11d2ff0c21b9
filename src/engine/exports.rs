//! What leaves zhibiao as files: stored figures of a selection (CSV, DHIS2 JSON) and the data of
//! a region's Excel template. Figures are exported exactly as submitted; nothing is computed
//! except last year's figures in the template, which come from the one calculator.

use std::collections::HashSet;

use rusqlite::Connection;

use super::world;
use crate::domain::{Mode, Period, Span};
use crate::error::{AppError, AppResult};
use crate::store;
use crate::transfer::ExportRow;
use crate::transfer::xlsx::{Template, TemplateRow};

/// Which stored figures to export; every part is optional.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// this region and every region below it
    pub region: Option<String>,
    pub indicator: Option<String>,
    /// from this period on (a year starts with its first quarter)
    pub from: Option<Period>,
    /// up to this period (a year ends with its fourth quarter)
    pub to: Option<Period>,
}

/// `year * 10 + q`, the key `store::transfer` orders periods by.
fn key(period: Period, year_end: bool) -> i32 {
    let q = match period {
        Period::Quarter(q) => i32::from(q.q()),
        Period::Year(_) if year_end => 4,
        Period::Year(_) => 1,
    };
    period.year() * 10 + q
}

/// The stored figures of a selection, by region, indicator (display order) and period.
pub fn values(conn: &Connection, selection: &Selection) -> AppResult<Vec<ExportRow>> {
    let world = world(conn)?;
    let within: Option<HashSet<&str>> = match &selection.region {
        Some(id) => {
            world.region(id)?;
            let all = world.tree.in_display_order();
            Some(all.into_iter().map(|r| r.id.as_str()).filter(|r| world.tree.is_within(r, id)).collect())
        }
        None => None,
    };
    if let Some(code) = &selection.indicator {
        world.indicator(code)?;
    }
    let range = store::transfer::PeriodRange {
        from: selection.from.map(|p| key(p, false)),
        to: selection.to.map(|p| key(p, true)),
    };
    if let (Some(from), Some(to)) = (range.from, range.to)
        && from > to
    {
        return Err(AppError::invalid("to", "to 不能早于 from"));
    }
    let mut rows = store::transfer::values(conn, selection.indicator.as_deref(), &range)?;
    if let Some(keep) = within {
        rows.retain(|r| keep.contains(r.region.as_str()));
    }
    Ok(rows.into_iter().map(export_row).collect())
}

/// A stored figure as it leaves: its period as `YYYYQn`, or `YYYY` for a year's figure.
fn export_row(v: store::transfer::SelectedValue) -> ExportRow {
    let (year, quarter) = (v.year, v.quarter);
    ExportRow {
        region: v.region,
        indicator: v.indicator,
        period: if quarter == 0 { year.to_string() } else { format!("{year}Q{quarter}") },
        value: v.value,
        comment: v.comment,
    }
}

/// The template of `region` for `period`: every indicator it reports then (quarterly ones for a
/// quarter, annual ones for a year), with last year's figure for the same period as the indicator
/// is reported (YTD for cumulative ones, the quarter's own for quarterly ones, the level for stocks,
/// the year's for annual ones). A region with children gets one too: what it fills in are its
/// reported totals.
pub fn template(conn: &Connection, region: &str, period: Period) -> AppResult<Template> {
    let world = world(conn)?;
    let r = world.region(region)?;
    let indicators = world.indicators.to_fill_in(&world.tree, region, period);
    let codes: Vec<&str> = indicators.iter().map(|i| i.code.as_str()).collect();
    let observations = world.observations(conn, &[region], &codes, period.year() - 1, period.year() - 1)?;
    let calc = world.calculator(&observations);
    let rows = indicators
        .into_iter()
        .map(|ind| {
            let last = match period {
                Period::Quarter(q) if ind.mode == Mode::Quarter => q.year_before().map(Span::Quarter),
                Period::Quarter(q) => q.year_before().map(Span::Ytd),
                Period::Year(y) => Some(Span::Annual(y - 1)),
            };
            TemplateRow {
                code: ind.code.to_string(),
                name: ind.name.clone(),
                unit: ind.unit.clone(),
                how: ind.form_label(),
                decimals: ind.decimals,
                allow_negative: ind.allow_negative,
                last_year: last.and_then(|span| calc.figure(region, ind.code.as_str(), span).value),
            }
        })
        .collect();
    Ok(Template { region: r.id.to_string(), region_name: r.name.clone(), period, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_span_their_quarters() {
        let p = |t: &str| t.parse::<Period>().unwrap();
        assert_eq!(key(p("2023"), false), 20231);
        assert_eq!(key(p("2023"), true), 20234);
        assert_eq!(key(p("2023Q3"), false), 20233);
        assert_eq!(key(p("2023Q3"), true), 20233);
    }
}
