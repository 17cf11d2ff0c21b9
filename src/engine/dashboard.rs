//! The home page's figures in one call: the top region's progress on every indicator shown for it,
//! and which of the named charts have something to draw.

use rusqlite::Connection;
use serde::Serialize;

use super::{charts, latest_period, progress, world};
use crate::charts::named::NamedChart;
use crate::domain::progress::Progress;
use crate::domain::projection::ProjectedStatus;
use crate::domain::{Coverage, Period};
use crate::error::AppResult;

#[derive(Debug, Serialize)]
pub struct DashboardRow {
    pub name: String,
    pub unit: String,
    pub decimals: u8,
    #[serde(flatten)]
    pub progress: Progress,
    pub status_label: &'static str,
    /// +4.3% or +0.11个百分点
    pub yoy: Option<String>,
    /// children that reported / all children
    pub coverage: Option<Coverage>,
    /// what the region's own published total leaves to no child (未分配/区本级)
    pub unallocated: Option<f64>,
    /// before the year's end: where the year will end, beside the pace status (SPEC §13)
    pub projection: Option<progress::ProjectionRow>,
    pub projected_status: Option<ProjectedStatus>,
    /// 预计可完成 / 预计难以完成
    pub projected_label: Option<&'static str>,
    /// 按近三年季节规律 …
    pub projection_basis: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Dashboard {
    /// the top region's name; empty before there is a region
    pub region: String,
    /// the period shown: the one asked for, else the latest with figures; none without figures
    pub period: Option<String>,
    pub period_label: Option<String>,
    pub rows: Vec<DashboardRow>,
    pub charts: Vec<NamedChart>,
}

/// The dashboard for `asked` (default: the latest period with figures), with those of `charts`
/// this database has something to draw from.
pub fn summary(conn: &Connection, asked: Option<Period>, charts: &[NamedChart]) -> AppResult<Dashboard> {
    let world = world(conn)?;
    let mut nothing =
        Dashboard { region: String::new(), period: None, period_label: None, rows: vec![], charts: vec![] };
    // the named charts are of the top region's indicators: none before it has a region
    let Some(root) = world.tree.root() else { return Ok(nothing) };
    nothing.region = root.name.clone();
    for chart in charts {
        if chart.spec.as_ref().map_or(Ok(false), |spec| charts::has_data_for(conn, spec))? {
            nothing.charts.push(chart.clone());
        }
    }
    let Some(period) = asked.or(latest_period(conn)?) else { return Ok(nothing) };
    let shown = world.indicators.shown_for(&world.tree, root.id.as_str(), period);
    let codes: Vec<&str> = shown.iter().map(|i| i.code.as_str()).collect();
    let rows = progress::rows(conn, &world, &[root.id.as_str()], &codes, period)?
        .into_iter()
        .map(|r| {
            let ind = world.indicator(&r.indicator)?;
            let forecast = r.projection.as_ref().is_some_and(|p| p.projection.is_forecast());
            Ok(DashboardRow {
                name: ind.name.clone(),
                unit: ind.unit.clone(),
                decimals: ind.decimals,
                status_label: r.progress.status.label(),
                yoy: r.progress.yoy.map(|c| c.short(ind.decimals)),
                progress: r.progress,
                coverage: r.coverage,
                unallocated: r.unallocated,
                projected_label: forecast.then_some(r.projected_status).flatten().map(ProjectedStatus::label),
                projection_basis: r.projection.as_ref().filter(|_| forecast).map(|p| p.projection.basis()),
                projected_status: forecast.then_some(r.projected_status).flatten(),
                projection: r.projection.filter(|_| forecast),
            })
        })
        .collect::<AppResult<_>>()?;
    Ok(Dashboard {
        period: Some(period.to_string()),
        period_label: Some(match period {
            Period::Quarter(q) => format!("{}累计", q.ytd_label()),
            Period::Year(_) => period.label(),
        }),
        rows,
        ..nothing
    })
}
