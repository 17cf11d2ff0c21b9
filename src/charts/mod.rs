//! Charts: a chart model built from the engine's answers (`build`), drawn with plotters
//! into an SVG string or PNG bytes (`draw`). This layer computes no statistic; it only lays out
//! numbers it is given. Palette, sizes and fonts live in `style`.

pub mod build;
pub mod draw;
pub mod fonts;
pub mod layout;
pub mod model;
pub mod named;
pub mod spec;
pub mod style;

pub use model::Chart;
pub use spec::{ChartSpec, Kind};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("drawing a chart: {0}")]
pub struct ChartError(pub String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Svg,
    Png,
}

impl Format {
    /// From a file name or path ending: `svg` or `png`.
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "svg" => Some(Format::Svg),
            "png" => Some(Format::Png),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Svg => "image/svg+xml",
            Format::Png => "image/png",
        }
    }
}

pub fn render(chart: &Chart, format: Format) -> Result<Vec<u8>, ChartError> {
    match format {
        Format::Svg => draw::svg(chart).map(String::into_bytes),
        Format::Png => draw::png(chart),
    }
}
