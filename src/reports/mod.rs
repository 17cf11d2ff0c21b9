//! Reports: the quarterly bulletin (统计公报), the year-end assessment and completeness.
//! Each report is a model built from the engine's answers only, rendered three ways: printable
//! self-contained HTML (inline SVG charts), XLSX (numbers as numbers) and JSON.

pub mod assessment;
pub mod bulletin;
pub mod completeness;
pub mod format;
mod html;
pub mod rectification;
pub mod three_zeros;
mod xlsx;

use serde::Serialize;

use crate::charts;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Xlsx,
    Json,
}

impl Format {
    pub fn parse(text: &str) -> Option<Format> {
        match text.to_ascii_lowercase().as_str() {
            "html" => Some(Format::Html),
            "xlsx" => Some(Format::Xlsx),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Html => "text/html; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Json => "application/json",
        }
    }
}

/// A chart drawn for a report, kept as SVG to be inlined.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportChart {
    pub title: String,
    pub svg: String,
}

impl ReportChart {
    pub(crate) fn draw(chart: &charts::Chart) -> AppResult<ReportChart> {
        Ok(ReportChart { title: chart.title.clone(), svg: charts::draw::svg(chart)? })
    }
}

fn json<T: Serialize + ?Sized>(model: &T) -> AppResult<Vec<u8>> {
    serde_json::to_vec_pretty(model).map_err(|e| AppError::Internal(e.to_string()))
}

/// Renders any report in the asked format.
pub trait Report: Serialize {
    fn html(&self) -> AppResult<String>;
    fn xlsx(&self) -> AppResult<Vec<u8>>;

    fn render(&self, format: Format) -> AppResult<Vec<u8>> {
        match format {
            Format::Html => self.html().map(String::into_bytes),
            Format::Xlsx => self.xlsx(),
            Format::Json => json(self),
        }
    }
}

/// A report to publish, rendered the three ways, by the same builders as `/reports/{kind}/…` (a
/// rectification report as of its quarter's report due date, as that route has it by default).
pub fn publication(
    conn: &rusqlite::Connection,
    subject: &crate::engine::publications::Subject,
) -> AppResult<crate::engine::publications::Renderings> {
    use crate::engine::publications::{Renderings, Subject};
    fn all(report: &impl Report) -> AppResult<Renderings> {
        Ok(Renderings {
            json: report.render(Format::Json)?,
            html: report.render(Format::Html)?,
            xlsx: report.render(Format::Xlsx)?,
        })
    }
    match subject {
        Subject::Bulletin { period, region } => all(&bulletin::build(conn, Some(region), *period)?),
        Subject::Assessment { year } => all(&assessment::build(conn, *year)?),
        Subject::Rectification { quarter } => all(&rectification::build(conn, rectification::as_of(*quarter))?),
    }
}
