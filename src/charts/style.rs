//! Sizes, fonts and colours of every chart, in one place.

use plotters::style::RGBColor;

use crate::domain::progress::Status;
use crate::domain::rectification::Color;

pub const WIDTH: u32 = 1000;
pub const HEIGHT: u32 = 560;
pub const MARGIN: u32 = 20;

/// The family the embedded CJK font is registered under; SVG viewers fall back to their own sans-serif.
pub const FONT: &str = "sans-serif";
pub const TITLE_SIZE: u32 = 26;
pub const LABEL_SIZE: u32 = 16;
pub const VALUE_SIZE: u32 = 14;
pub const NOTE_SIZE: u32 = 13;

/// Space between the title's line and what is under it.
pub const TITLE_GAP: u32 = 26;
pub const TITLE_MIN_SIZE: u32 = 14;
/// The legend: one row between the title and the plot, right-aligned with the plot.
pub const LEGEND_HEIGHT: u32 = 28;
pub const LEGEND_SWATCH: u32 = 16;
/// between a swatch and its text, and between entries
pub const LEGEND_INNER: u32 = 6;
pub const LEGEND_SPACING: u32 = 20;

/// Free space above and right of the plot.
pub const PLOT_TOP: u32 = 10;
pub const PLOT_RIGHT: u32 = 24;
/// The value axis: labelled ticks (at most this many), its title beside them.
pub const VALUE_TICKS: usize = 8;
pub const VALUE_AXIS_MIN: u32 = 72;
/// Height of the value axis under a horizontal bar chart (tick labels and title).
pub const VALUE_AXIS_BELOW: u32 = 52;
/// Between the plot's edge and the category labels, and between a bar's end and its value.
pub const TICK_GAP: u32 = 8;
pub const VALUE_OFFSET: u32 = 6;
/// Upright category labels longer than this are cut with `…`.
pub const MAX_CATEGORY_EXTENT: f64 = 150.0;
/// Names left of horizontal bars longer than this are cut with `…`.
pub const MAX_ROW_LABEL: f64 = 240.0;
/// Horizontal bar charts grow taller so that each row has at least this many pixels.
pub const ROW_MIN_HEIGHT: u32 = 26;
/// … up to this height; beyond it rows get thinner and their names are thinned out.
pub const MAX_HEIGHT: u32 = 4000;

/// Share of a category's width left empty on either side of its bars.
pub const PAIR_GAP: f64 = 0.12;
pub const COLUMN_GAP: f64 = 0.18;
/// Share of a row's height left empty above and below its bar.
pub const ROW_GAP: f64 = 0.2;
/// Widest bars, in pixels, when there are only a few: a pair of target and actual, a score, a row.
pub const MAX_PAIR_WIDTH: f64 = 110.0;
pub const MAX_COLUMN_WIDTH: f64 = 60.0;
pub const MAX_ROW_BAR: f64 = 36.0;

pub const TEXT: RGBColor = RGBColor(33, 37, 41);
pub const GRID: RGBColor = RGBColor(222, 226, 230);
pub const TARGET: RGBColor = RGBColor(173, 196, 224);
pub const ACTUAL: RGBColor = RGBColor(31, 98, 165);
pub const PACE: RGBColor = RGBColor(200, 35, 45);
pub const LAST_YEAR: RGBColor = RGBColor(150, 150, 150);
pub const OURS: RGBColor = RGBColor(210, 90, 30);
pub const OTHERS: RGBColor = RGBColor(120, 144, 176);
pub const MUTED: RGBColor = RGBColor(160, 160, 160);

/// Colours of grades, best first; later grades reuse the last colour.
pub const GRADES: [RGBColor; 4] =
    [RGBColor(46, 139, 87), RGBColor(31, 98, 165), RGBColor(230, 145, 30), RGBColor(200, 35, 45)];

pub fn grade_colour(index: usize) -> RGBColor {
    GRADES[index.min(GRADES.len() - 1)]
}

pub fn status_colour(status: Status) -> RGBColor {
    match status {
        Status::Achieved => RGBColor(46, 139, 87),
        Status::OnTrack => RGBColor(31, 98, 165),
        Status::Behind => RGBColor(230, 145, 30),
        Status::AtRisk | Status::Missed => RGBColor(200, 35, 45),
        Status::NoTarget | Status::NoData => MUTED,
    }
}

/// A task's light in the colours the pages give it.
pub fn light_colour(light: Color) -> RGBColor {
    match light {
        Color::Red => RGBColor(200, 35, 45),
        Color::Yellow => RGBColor(230, 170, 20),
        Color::Blue => RGBColor(31, 98, 165),
        Color::Green => RGBColor(46, 139, 87),
    }
}

/// The three zeros' lists, in the order of `ThreeZero::ALL`: 规模企业零专利, 高新企业零申请, 重大项目企业零申请.
pub const ZERO_LISTS: [RGBColor; 3] = [RGBColor(200, 35, 45), RGBColor(230, 145, 30), RGBColor(31, 98, 165)];

/// No-data charts say so in words.
pub const NO_DATA: &str = "暂无数据";
