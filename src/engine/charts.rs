//! Charts from the engine's answers: fetch what a chart shows, then build its model.

use rusqlite::Connection;

use super::{progress, world};
use crate::charts::spec::MAX_TREND_QUARTERS;
use crate::charts::{Chart, ChartSpec, build};
use crate::domain::progress::{milestone_quarter, pace};
use crate::domain::{Frequency, Indicator, Period, Quarter, Span};
use crate::error::{AppError, AppResult};
use crate::store;

/// The periods of a trend: years for an annual indicator; quarters for a quarterly one, a year
/// standing for its four.
fn trend_slots(ind: &Indicator, from: Period, to: Period) -> AppResult<Vec<Period>> {
    if ind.frequency == Frequency::Annual {
        return Ok((from.year()..=to.year()).map(Period::Year).collect());
    }
    let quarter = |p: Period, q| p.as_quarter().or_else(|| Quarter::new(p.year(), q));
    let (Some(first), Some(last)) = (quarter(from, 1), quarter(to, 4)) else {
        return Err(AppError::invalid("from", "时期超出可表示的范围"));
    };
    let slots: Vec<Period> = first.through(last).map(Period::Quarter).collect();
    if slots.len() > MAX_TREND_QUARTERS {
        return Err(AppError::invalid("to", format!("季度指标的趋势图最多{MAX_TREND_QUARTERS}个季度")));
    }
    Ok(slots)
}

/// The projected rest of the year after the trend's last figure, when that figure is of a first,
/// second or third quarter and the chart reaches the year's fourth: a straight line from the
/// figure to the projection of `/progress` (SPEC §13), one value per quarter slot.
fn projected_path(
    conn: &Connection,
    region: &str,
    indicator: &str,
    slots: &[Period],
    actual: &[Option<f64>],
) -> AppResult<Vec<Option<f64>>> {
    let mut path = vec![None; slots.len()];
    let Some(last) = actual.iter().rposition(Option::is_some) else { return Ok(path) };
    let Some(quarter) = slots[last].as_quarter().filter(|q| q.q() < 4) else { return Ok(path) };
    let fourth = last + usize::from(4 - quarter.q());
    if fourth >= slots.len() {
        return Ok(path);
    }
    let rows = progress::for_indicator(conn, indicator, quarter, progress::Scope::Region(region))?;
    let projection = rows.first().and_then(|r| r.projection.as_ref()).filter(|p| p.projection.is_forecast());
    let (Some(from), Some(to)) = (actual[last], projection) else {
        return Ok(path);
    };
    let to = to.projection.value;
    for (step, slot) in path[last..=fourth].iter_mut().enumerate() {
        *slot = Some(from + (to - from) * step as f64 / (fourth - last) as f64);
    }
    Ok(path)
}

/// Does this database hold what `spec` is drawn from: its regions and indicators, and for an
/// assessment chart the year's scheme? (A named chart may name what a database lacks.)
pub fn has_data_for(conn: &Connection, spec: &ChartSpec) -> AppResult<bool> {
    let world = world(conn)?;
    let (regions, indicators) = spec.refers_to();
    let known = regions.iter().all(|r| world.tree.get(r).is_some())
        && indicators.iter().all(|i| world.indicators.get(i).is_some());
    Ok(match spec {
        ChartSpec::Assessment { year } => known && store::targets::scheme(conn, *year)?.is_some(),
        _ => known,
    })
}

/// Builds the chart `spec` asks for; `title` replaces the generated one. Kept in memory until
/// the next write, like the answers it is drawn from.
pub fn chart(conn: &Connection, spec: &ChartSpec, title: Option<&str>) -> AppResult<Chart> {
    let question = super::cache::Question::Chart { spec: spec.clone(), title: title.map(str::to_string) };
    super::cache::answer(conn, question, || compute(conn, spec, title))
}

fn compute(conn: &Connection, spec: &ChartSpec, title: Option<&str>) -> AppResult<Chart> {
    let world = world(conn)?;
    let title = |generated: String| title.map_or(generated, str::to_string);
    Ok(match spec {
        ChartSpec::TargetVsActual { indicator, period, parent } => {
            let ind = world.indicator(indicator)?;
            let parent_region = world.region(parent)?;
            let rows = progress::for_indicator(conn, indicator, *period, progress::Scope::ChildrenOf(parent))?;
            let rows: Vec<_> = rows.into_iter().map(|r| (r.name, r.progress)).collect();
            let generated = format!("{}{}各单位{}目标完成情况", period.ytd_label(), parent_region.name, ind.name);
            build::target_vs_actual(title(generated), ind, &rows)
        }
        ChartSpec::Trend { region, indicator, from, to } => {
            let ind = world.indicator(indicator)?;
            let r = world.region(region)?;
            let observations = world.observations(conn, &[region], &[indicator], from.year() - 1, to.year())?;
            let calc = world.calculator(&observations);
            let slots = trend_slots(ind, *from, *to)?;
            let at = |span: Option<Span>| span.and_then(|s| calc.figure(region, indicator, s).value);
            let target_path = slots
                .iter()
                .map(|p| {
                    Ok(store::targets::get(conn, region, indicator, p.year())?
                        .map(|t| pace(t.value, &t.milestones, milestone_quarter(*p))))
                })
                .collect::<AppResult<Vec<_>>>()?;
            let (first, last) = (slots[0], slots[slots.len() - 1]);
            let generated = match ind.frequency {
                Frequency::Annual => format!("{}{}（{}—{}）", r.name, ind.name, first.label(), last.label()),
                Frequency::Quarterly => {
                    format!("{}{}累计完成情况（{}—{}）", r.name, ind.name, first.label(), last.label())
                }
            };
            let actual: Vec<Option<f64>> = slots.iter().map(|p| at(Some(Span::to_date(*p)))).collect();
            let projected = projected_path(conn, region, indicator, &slots, &actual)?;
            build::trend(
                title(generated),
                ind,
                &slots,
                actual,
                target_path,
                slots.iter().map(|p| at(Span::to_date(*p).year_before())).collect(),
                projected,
            )
        }
        ChartSpec::Benchmarks { region, indicator, period } => {
            let cmp = super::benchmarks::benchmarks(conn, region, indicator, *period, None)?;
            let ind = world.indicator(indicator)?;
            let label = match period {
                crate::domain::Period::Quarter(q) => q.ytd_label(),
                p => p.label(),
            };
            let generated = format!("{label}{}{}与先进地区对比", cmp.region.name, ind.name);
            build::benchmarks(title(generated), ind, &cmp)
        }
        ChartSpec::Assessment { year } => {
            let generated = format!("{year}年度目标考核总分");
            match super::assessments::result(conn, *year) {
                Ok(a) => {
                    build::assessment(title(generated), &super::assessments::scheme(conn, *year)?.grades, &a.regions)
                }
                // No scheme yet: a chart that says so, not an error.
                Err(AppError::NotFound(_)) => {
                    Chart { title: title(generated), body: crate::charts::model::Body::NoData }
                }
                Err(e) => return Err(e),
            }
        }
        ChartSpec::Progress { region, period } => {
            let r = world.region(region)?;
            let shown = world.indicators.shown_for(&world.tree, region, (*period).into());
            let codes: Vec<&str> = shown.iter().map(|i| i.code.as_str()).collect();
            let rows = progress::rows(conn, &world, &[region], &codes, *period)?;
            let rows: Vec<_> = rows
                .into_iter()
                .map(|row| {
                    let name = world.indicator(&row.indicator).map(|i| i.name.clone())?;
                    Ok((name, row.progress))
                })
                .collect::<AppResult<_>>()?;
            let generated = format!("{}{}各项指标目标完成进度", r.name, period.ytd_label());
            build::progress(title(generated), &rows)
        }
    })
}
