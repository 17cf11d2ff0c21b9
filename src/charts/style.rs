//! Sizes, fonts and colours of every chart, in one place.

use plotters::style::RGBColor;

use crate::domain::progress::Status;

pub const WIDTH: u32 = 1000;
pub const HEIGHT: u32 = 560;
pub const MARGIN: u32 = 20;

/// The family the embedded CJK font is registered under; SVG viewers fall back to their own sans-serif.
pub const FONT: &str = "sans-serif";
pub const TITLE_SIZE: u32 = 26;
pub const LABEL_SIZE: u32 = 16;
pub const VALUE_SIZE: u32 = 14;
pub const NOTE_SIZE: u32 = 13;

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
        Status::AtRisk => RGBColor(200, 35, 45),
        Status::NoTarget | Status::NoData => MUTED,
    }
}

/// No-data charts say so in words.
pub const NO_DATA: &str = "暂无数据";
