//! Charts from the engine's answers: fetch what a chart shows, then build its model.

use rusqlite::Connection;

use super::{progress, world};
use crate::charts::{Chart, ChartSpec, build};
use crate::domain::progress::pace;
use crate::domain::{Quarter, Span};
use crate::error::{AppError, AppResult};
use crate::store;

/// Builds the chart `spec` asks for; `title` replaces the generated one. Kept in memory until
/// the next write, like the answers it is drawn from.
pub fn chart(conn: &Connection, spec: &ChartSpec, title: Option<&str>) -> AppResult<Chart> {
    let question = format!("chart {spec:?} {title:?}");
    super::cache::answer(conn, super::cache::Depends::Data, question, || compute(conn, spec, title))
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
            let quarters: Vec<Quarter> = from.through(*to).collect();
            let ytd = |q: Option<Quarter>| q.and_then(|q| calc.figure(region, indicator, Span::Ytd(q)).value);
            let target_path = quarters
                .iter()
                .map(|q| {
                    Ok(store::targets::get(conn, region, indicator, q.year())?
                        .map(|t| pace(t.value, &t.milestones, q.q())))
                })
                .collect::<AppResult<Vec<_>>>()?;
            let generated = format!("{}{}累计完成情况（{}—{}）", r.name, ind.name, from.label(), to.label());
            build::trend(
                title(generated),
                ind,
                &quarters,
                quarters.iter().map(|q| ytd(Some(*q))).collect(),
                target_path,
                quarters.iter().map(|q| ytd(q.year_before())).collect(),
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
            let codes: Vec<&str> = world.indicators.in_display_order().iter().map(|i| i.code.as_str()).collect();
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
