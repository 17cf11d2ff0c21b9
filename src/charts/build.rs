//! Chart models from the engine's answers. Titles and labels only: every number comes in computed.

use super::model::*;
use crate::domain::Indicator;
use crate::domain::assessment::{Grade, RegionScore};
use crate::domain::benchmark::Comparison;
use crate::domain::number::heading;
use crate::domain::progress::Progress;

/// Per child region (name, progress): paired target and actual bars.
pub fn target_vs_actual(title: String, ind: &Indicator, rows: &[(String, Progress)]) -> Chart {
    let has_data = rows.iter().any(|(_, p)| p.actual.is_some() || p.target.is_some());
    let groups = rows
        .iter()
        .map(|(name, p)| Pair {
            name: name.clone(),
            target: p.target,
            actual: p.actual,
            completion: p.completion,
            pace: p.pace,
        })
        .collect();
    let body = if has_data {
        Body::TargetVsActual(TargetVsActual { axis: heading(&ind.name, &ind.unit), decimals: ind.decimals, groups })
    } else {
        Body::NoData
    };
    Chart { title, body }
}

/// Year-to-date actual, cumulative target path, last year's YTD and the projected rest of the
/// year, by quarter; or, over years, the annual figure and the year's target (last year's line
/// would repeat the figure one slot on).
pub fn trend(
    title: String,
    ind: &Indicator,
    slots: &[crate::domain::Period],
    actual: Vec<Option<f64>>,
    target_path: Vec<Option<f64>>,
    last_year: Vec<Option<f64>>,
    projected: Vec<Option<f64>>,
) -> Chart {
    let annual = slots.iter().all(|p| p.as_quarter().is_none());
    let last_year = if annual { vec![None; slots.len()] } else { last_year };
    let has_data = [&actual, &target_path, &last_year].iter().any(|s| s.iter().any(Option::is_some));
    let body = if has_data {
        Body::Trend(Trend {
            axis: heading(&ind.name, &ind.unit),
            decimals: ind.decimals,
            annual,
            labels: slots.iter().map(|p| p.to_string()).collect(),
            // cumulative lines restart with each year; annual ones run on
            year_starts: slots.iter().enumerate().map(|(i, p)| p.as_quarter().map_or(i == 0, |q| q.q() == 1)).collect(),
            actual,
            target_path,
            last_year,
            projected,
        })
    } else {
        Body::NoData
    };
    Chart { title, body }
}

/// Our region among the benchmarks, best first.
pub fn benchmarks(title: String, ind: &Indicator, cmp: &Comparison) -> Chart {
    let mut rows: Vec<Bar> =
        std::iter::once(Bar { name: cmp.region.name.clone(), value: cmp.region.value, highlight: true })
            .chain(cmp.benchmarks.iter().map(|b| Bar { name: b.name.clone(), value: b.value, highlight: false }))
            .collect();
    let best_first = |a: &Bar, b: &Bar| match (a.value, b.value) {
        (Some(x), Some(y)) => match ind.direction {
            crate::domain::Direction::Higher => y.total_cmp(&x),
            crate::domain::Direction::Lower => x.total_cmp(&y),
        },
        (a, b) => b.is_some().cmp(&a.is_some()),
    };
    rows.sort_by(best_first);
    let body = if rows.iter().any(|r| r.value.is_some()) {
        Body::Bars(Bars { axis: heading(&ind.name, &ind.unit), decimals: ind.decimals, rows })
    } else {
        Body::NoData
    };
    Chart { title, body }
}

/// Assessment totals, highest first, coloured by grade.
pub fn assessment(title: String, grades: &[Grade], regions: &[RegionScore]) -> Chart {
    let mut names: Vec<&Grade> = grades.iter().collect();
    names.sort_by(|a, b| b.min.total_cmp(&a.min));
    let grade_names: Vec<String> = names.iter().map(|g| g.name.clone()).collect();
    let mut rows: Vec<Score> = regions
        .iter()
        .map(|r| Score {
            name: r.name.clone(),
            total: r.total,
            grade: r.grade.as_ref().and_then(|g| grade_names.iter().position(|n| n == g)),
        })
        .collect();
    rows.sort_by(|a, b| b.total.total_cmp(&a.total));
    let body = if rows.is_empty() { Body::NoData } else { Body::Scores(Scores { grades: grade_names, rows }) };
    Chart { title, body }
}

/// One row per indicator with a target (name, progress): completion against the expected share.
pub fn progress(title: String, rows: &[(String, Progress)]) -> Chart {
    let with_target: Vec<&(String, Progress)> = rows.iter().filter(|(_, p)| p.target.is_some()).collect();
    let body = if with_target.is_empty() {
        Body::NoData
    } else {
        Body::Progress(ProgressRows {
            rows: with_target
                .iter()
                .map(|(name, p)| ProgressRow {
                    name: name.clone(),
                    completion: p.completion,
                    expected: p.expected,
                    status: p.status,
                })
                .collect(),
        })
    };
    Chart { title, body }
}
