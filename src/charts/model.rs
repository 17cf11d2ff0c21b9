//! What a chart shows, as plain data: built from the engine's answers, drawn by `draw.rs`.

use crate::domain::progress::Status;

#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub title: String,
    pub body: Body,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// nothing to draw: the chart says 暂无数据
    NoData,
    TargetVsActual(TargetVsActual),
    Trend(Trend),
    Bars(Bars),
    Scores(Scores),
    Progress(ProgressRows),
    TaskLights(TaskLights),
    ThreeZeros(ThreeZeroCounts),
}

/// Per child region: annual target and year-to-date actual side by side, completion on top,
/// the pace target (序时进度) marked across the pair.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetVsActual {
    pub axis: String,
    pub decimals: u8,
    pub groups: Vec<Pair>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    pub name: String,
    pub target: Option<f64>,
    pub actual: Option<f64>,
    pub completion: Option<f64>,
    pub pace: Option<f64>,
}

/// A region's year-to-date figures by quarter against its cumulative target path and last year,
/// or an annual indicator's figures by year against the year's target.
#[derive(Debug, Clone, PartialEq)]
pub struct Trend {
    pub axis: String,
    pub decimals: u8,
    /// one figure a year: the lines run on across years and are named as annual figures
    pub annual: bool,
    pub labels: Vec<String>,
    /// true where a quarter is the first of its year (the cumulative lines restart there)
    pub year_starts: Vec<bool>,
    pub actual: Vec<Option<f64>>,
    pub target_path: Vec<Option<f64>>,
    pub last_year: Vec<Option<f64>>,
    /// where the year will end (SPEC §13): from the last quarter with a figure straight to the
    /// year's fourth, at its projection; none elsewhere
    pub projected: Vec<Option<f64>>,
}

/// Horizontal bars, one region each, one of them highlighted (ours among the benchmarks).
#[derive(Debug, Clone, PartialEq)]
pub struct Bars {
    pub axis: String,
    pub decimals: u8,
    pub rows: Vec<Bar>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub name: String,
    pub value: Option<f64>,
    pub highlight: bool,
}

/// Assessment totals, best first, coloured by grade.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    /// grade names, best first
    pub grades: Vec<String>,
    pub rows: Vec<Score>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    pub name: String,
    pub total: f64,
    /// index into `grades`
    pub grade: Option<usize>,
}

/// Completion against the expected share, one row per indicator, coloured by status.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressRows {
    pub rows: Vec<ProgressRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProgressRow {
    pub name: String,
    pub completion: Option<f64>,
    pub expected: f64,
    pub status: Status,
}

/// The rectification tasks each department leads, one bar per department made of its tasks by light.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskLights {
    pub rows: Vec<LightCounts>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LightCounts {
    pub name: String,
    /// tasks by light, in the order of [`crate::domain::rectification::Color::ALL`]
    pub counts: Vec<usize>,
}

/// The three zeros (三个零) by region: one bar per region made of its counts on each list.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreeZeroCounts {
    pub rows: Vec<ZeroCounts>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ZeroCounts {
    pub name: String,
    /// enterprises on each list, in the order of [`crate::domain::enterprise::ThreeZero::ALL`]
    pub counts: Vec<usize>,
}
