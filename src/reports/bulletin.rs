//! The statistical bulletin (统计公报) of a region: for the year to a quarter, or for a whole year.

use rusqlite::Connection;
use serde::Serialize;

use super::{Report, html, xlsx};
use crate::charts::ChartSpec;
use crate::domain::narrative::{self, Line, YoyChange};
use crate::domain::number;
use crate::domain::progress::Status;
use crate::domain::projection::ProjectedStatus;
use crate::domain::{Period, RegionId};
use crate::engine::{self, progress};
use crate::error::AppResult;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bulletin {
    pub title: String,
    pub region: String,
    pub region_name: String,
    pub period: String,
    /// 2023年1-3季度, or 2023年 for the fourth quarter and the whole year
    pub period_label: String,
    /// the heading of the figures' column: 2023年1-3季度累计, or 2023年 for a whole year
    pub value_header: String,
    /// one sentence per indicator with a figure
    pub narrative: Vec<String>,
    /// the top region against the benchmark regions: one sentence per indicator they have figures of,
    /// and for a ratio what it would take to reach each one ahead; printed as one paragraph opening
    /// with 与先进地区比较
    pub comparison: Vec<String>,
    pub lines: Vec<BulletinLine>,
    /// the region's children, one row each (empty for a reporting region)
    pub children: Vec<ChildRow>,
    /// where the region's own reported total exceeds its children's sum: 未分配/区本级, in the
    /// order of `lines` (None when no indicator has one)
    pub unallocated: Option<Vec<Option<f64>>>,
    #[serde(skip)]
    /// drawn when the report is rendered as HTML, after the database is let go
    pub charts: Vec<crate::charts::Chart>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BulletinLine {
    pub indicator: String,
    pub name: String,
    pub unit: String,
    pub decimals: u8,
    /// year-to-date figure
    pub value: Option<f64>,
    pub previous: Option<f64>,
    pub change: Option<f64>,
    pub growth_pct: Option<f64>,
    /// the year-on-year change as it is told: in points for a `%` unit, else growth in percent
    pub yoy: Option<YoyChange>,
    /// 同比增长8.2% / 比上年同期提高0.1个百分点
    pub change_text: Option<String>,
    /// +8.2% / +0.1个百分点, for tables
    pub change_short: Option<String>,
    pub target: Option<f64>,
    pub completion: Option<f64>,
    pub status: Status,
    pub status_label: &'static str,
    /// before the year's end: where the year will end, and whether that reaches the target (SPEC §13)
    pub projection: Option<progress::ProjectionRow>,
    pub projected_status: Option<ProjectedStatus>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChildRow {
    pub region: String,
    pub name: String,
    /// year-to-date figures, in the order of `lines`
    pub values: Vec<Option<f64>>,
    /// completion of the annual target, in the order of `lines`
    pub completions: Vec<Option<f64>>,
    /// the projected year's completion of the target, in the order of `lines` (SPEC §13)
    pub projected: Vec<Option<f64>>,
}

/// The bulletin of `region` (default: the root of the tree) for the year to a quarter, or for a
/// whole year (`period` `YYYY`, the annual figures).
pub fn build(conn: &Connection, region: Option<&RegionId>, period: impl Into<Period>) -> AppResult<Bulletin> {
    let period = period.into();
    let world = engine::world(conn)?;
    let region = match region {
        Some(r) => world.region(r.as_str())?,
        None => world.root()?,
    };
    let indicators = world.indicators.shown_for(&world.tree, region.id.as_str(), period);
    let codes: Vec<&str> = indicators.iter().map(|i| i.code.as_str()).collect();
    let rows = progress::rows(conn, &world, &[region.id.as_str()], &codes, period)?;
    let mut lines = Vec::with_capacity(rows.len());
    let mut sentences = Vec::new();
    for (ind, row) in indicators.iter().zip(&rows) {
        let p = &row.progress;
        let yoy = p.yoy;
        sentences.extend(narrative::sentence(&Line {
            // the region's own name: 全区, 全国, 湖南省 …
            place: &region.name,
            period,
            name: &ind.name,
            unit: &ind.unit,
            decimals: ind.decimals,
            value: p.actual,
            previous: p.previous,
            completion: p.completion,
            status: p.status,
            is_level: world.indicators.is_level(ind.code.as_str()),
            projected: row
                .projection
                .as_ref()
                .filter(|p| p.projection.is_forecast())
                .zip(row.projected_status)
                .and_then(|(p, status)| {
                    Some(narrative::Projected {
                        basis: p.projection.basis(),
                        completion: p.completion?,
                        on_course: status == ProjectedStatus::OnCourse,
                    })
                }),
        }));
        lines.push(BulletinLine {
            indicator: ind.code.to_string(),
            name: ind.name.clone(),
            unit: ind.unit.clone(),
            decimals: ind.decimals,
            value: p.actual,
            previous: p.previous,
            change: p.change,
            growth_pct: p.growth_pct,
            yoy,
            change_text: yoy.map(|c| c.phrase(ind.decimals)),
            change_short: yoy.map(|c| c.short(ind.decimals)),
            target: p.target,
            completion: p.completion,
            status: p.status,
            status_label: p.status.label(),
            projection: forecast(row).cloned(),
            projected_status: forecast(row).and(row.projected_status),
        });
    }
    let child_ids: Vec<&str> = world.tree.children(region.id.as_str()).iter().map(|c| c.as_str()).collect();
    let child_rows = progress::rows(conn, &world, &child_ids, &codes, period)?;
    let children = child_ids
        .iter()
        .zip(child_rows.chunks(codes.len().max(1)))
        .map(|(id, rows)| ChildRow {
            region: id.to_string(),
            name: rows.first().map(|r| r.name.clone()).unwrap_or_default(),
            values: rows.iter().map(|r| r.progress.actual).collect(),
            completions: rows.iter().map(|r| r.progress.completion).collect(),
            projected: rows.iter().map(|r| forecast(r).and_then(|p| p.completion)).collect(),
        })
        .collect();
    let comparison = if region.parent.is_none() && region.kind != crate::domain::RegionKind::Benchmark {
        comparison(conn, region, &indicators, period)?
    } else {
        vec![]
    };
    let unallocated: Vec<Option<f64>> = rows.iter().map(|r| r.unallocated).collect();
    let unallocated = unallocated.iter().any(Option::is_some).then_some(unallocated);
    // A chart of the children against their targets for every indicator that has targets.
    let mut charts = Vec::new();
    // A year's chart is its fourth quarter's: the same figures, read at the year's end.
    let chart_quarter = period.round();
    if !child_ids.is_empty() {
        for line in lines.iter().filter(|l| l.target.is_some()) {
            let spec = ChartSpec::TargetVsActual {
                indicator: line.indicator.clone(),
                period: chart_quarter,
                parent: region.id.to_string(),
            };
            charts.push(engine::charts::chart(conn, &spec, None)?);
        }
    }
    Ok(Bulletin {
        title: format!("{}{}科技统计公报", region.name, narrative::period_label(period)),
        region: region.id.to_string(),
        region_name: region.name.clone(),
        period: period.to_string(),
        period_label: narrative::period_label(period),
        value_header: match period {
            Period::Quarter(q) => format!("{}累计", q.ytd_label()),
            Period::Year(_) => narrative::period_label(period),
        },
        narrative: sentences,
        comparison,
        lines,
        children,
        unallocated,
        charts,
    })
}

/// A row's projection when it forecasts (not a level's latest value, SPEC §13).
fn forecast(row: &progress::ProgressRow) -> Option<&progress::ProjectionRow> {
    row.projection.as_ref().filter(|p| p.projection.is_forecast())
}

/// 与先进地区比较: each indicator the benchmark regions have figures of for the period (a fourth
/// quarter's are the year's), and for a derived ratio what its numerator would need to reach each
/// benchmark ahead at the current denominator (SPEC §13).
fn comparison(
    conn: &Connection,
    region: &crate::domain::Region,
    indicators: &[&crate::domain::Indicator],
    period: Period,
) -> AppResult<Vec<String>> {
    let at = match period {
        Period::Quarter(q) if q.q() == 4 => Period::Year(q.year()),
        p => p,
    };
    let mut sentences = Vec::new();
    for ind in indicators {
        let code = ind.code.as_str();
        let cmp = engine::benchmarks::benchmarks(conn, region.id.as_str(), code, at, None)?;
        let Some(sentence) = narrative::comparison_sentence(&region.name, &ind.name, &ind.unit, ind.decimals, &cmp)
        else {
            continue;
        };
        sentences.push(sentence);
        let ahead = engine::benchmarks::what_it_takes(conn, region.id.as_str(), code, at, &cmp)?;
        sentences.extend(ahead.into_iter().map(|w| w.sentence + "。"));
    }
    Ok(sentences)
}

impl Report for Bulletin {
    fn html(&self) -> AppResult<String> {
        html::render("bulletin.html", self, &self.charts)
    }

    fn xlsx(&self) -> AppResult<Vec<u8>> {
        let mut book = xlsx::Book::new();
        // A year-on-year change has one unit per column, so that a column can be summed or charted:
        // growth in percent for amounts, percentage points for `%` indicators (`domain::narrative`). The
        // absolute change is in the row's unit; for a `%` row that is the points, shown once.
        let headers: Vec<String> = [
            "指标",
            "单位",
            &self.value_header,
            "上年同期",
            "增减量",
            "同比增长（%）",
            "同比增减（百分点）",
            "年度目标",
            "完成率（%）",
            "进度",
            "全年预计",
            "预计完成率（%）",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut sheet = book.sheet("主要指标", &self.title, &headers)?;
        for (r, l) in self.lines.iter().enumerate() {
            let row = sheet.data_row(r);
            sheet.text(row, 0, &l.name)?;
            sheet.text(row, 1, &l.unit)?;
            sheet.number(row, 2, l.value, l.decimals)?;
            sheet.number(row, 3, l.previous, l.decimals)?;
            let (growth, points) = match l.yoy {
                Some(c @ YoyChange::Growth(g)) => (Some((g, c.decimals(l.decimals))), None),
                Some(c @ YoyChange::Points(p)) => (None, Some((p, c.decimals(l.decimals)))),
                None => (None, None),
            };
            if !narrative::is_percent(&l.unit) {
                sheet.number(row, 4, l.change, l.decimals)?;
            }
            sheet.number(row, 5, growth.map(|g| g.0), growth.map_or(1, |g| g.1))?;
            sheet.number(row, 6, points.map(|p| p.0), points.map_or(1, |p| p.1))?;
            sheet.number(row, 7, l.target, l.decimals)?;
            sheet.number(row, 8, l.completion.map(|c| number::percent(100.0 * c)), 1)?;
            sheet.text(row, 9, l.status_label)?;
            let projection = l.projection.as_ref();
            sheet.number(row, 10, projection.map(|p| p.projection.value), l.decimals)?;
            sheet.number(row, 11, projection.and_then(|p| p.completion).map(|c| number::percent(100.0 * c)), 1)?;
        }
        if !self.children.is_empty() {
            let mut headers = vec!["地区".to_string()];
            headers.extend(self.lines.iter().map(|l| number::heading(&l.name, &l.unit)));
            let mut sheet = book.sheet("分地区", &format!("{} 分地区情况", self.title), &headers)?;
            // The children, then what the region's own published totals leave unallocated
            // (未分配/区本级) and those totals, as the HTML table shows them.
            let published: Vec<Option<f64>> = self.lines.iter().map(|l| l.value).collect();
            let mut rows: Vec<(String, &[Option<f64>])> =
                self.children.iter().map(|c| (c.name.clone(), c.values.as_slice())).collect();
            if let Some(unallocated) = &self.unallocated {
                rows.push(("未分配/区本级".into(), unallocated));
                rows.push((format!("{}（公布数）", self.region_name), &published));
            }
            for (r, (name, values)) in rows.iter().enumerate() {
                let row = sheet.data_row(r);
                sheet.text(row, 0, name)?;
                for (c, (value, line)) in values.iter().zip(&self.lines).enumerate() {
                    sheet.number(row, c as u16 + 1, *value, line.decimals)?;
                }
            }
        }
        let mut sheet = book.sheet("综述", &self.title, &["综述".to_string()])?;
        let comparison = (!self.comparison.is_empty()).then(|| format!("与先进地区比较，{}", self.comparison.join("")));
        for (r, sentence) in self.narrative.iter().chain(&comparison).enumerate() {
            sheet.text(sheet.data_row(r), 0, sentence)?;
        }
        book.save()
    }
}
