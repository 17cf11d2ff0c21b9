//! Files in and out (SPEC §6): CSV `region,indicator,period,value,comment`, the per-region Excel
//! template, and DHIS2 `dataValueSets` JSON. Pure: bytes in, rows out, and rows in, bytes out.
//!
//! Parsers only read the file: every row that can be read becomes an [`ImportRow`], every row
//! that cannot becomes a [`RowError`] naming its row. Whether a row may be stored (known region,
//! permission, rules of §2.6) is the engine's question, not this module's.

pub mod csv_file;
pub mod dhis2;
pub mod xlsx;

use serde::Serialize;

/// One figure read from a file, with the row it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    /// Where the figure stands in the file: the spreadsheet row for CSV and Excel (the header is
    /// row 1), the 1-based position in `dataValues` for DHIS2 JSON.
    pub row: usize,
    pub region: String,
    pub indicator: String,
    pub period: String,
    pub value: f64,
    pub comment: Option<String>,
}

/// A problem with one row of an imported file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RowError {
    /// as `ImportRow::row` counts it
    pub row: usize,
    pub message: String,
}

impl RowError {
    pub fn new(row: usize, message: impl Into<String>) -> RowError {
        RowError { row, message: message.into() }
    }
}

/// What a parser read from a file: the good rows and a problem for each bad one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    pub rows: Vec<ImportRow>,
    pub errors: Vec<RowError>,
}

/// A figure on its way out (exports).
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRow {
    pub region: String,
    pub indicator: String,
    pub period: String,
    pub value: f64,
    pub comment: Option<String>,
}

/// The file as a whole cannot be read in the format it claims to be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error(
        "line {line} is not UTF-8 text; save the file as UTF-8 (in Excel: 'CSV UTF-8 (Comma delimited)'), not in GBK"
    )]
    NotUtf8 { line: usize },
    #[error("the file is not an Excel workbook (.xlsx): {0}")]
    NotXlsx(String),
    #[error("the file is not DHIS2 dataValueSets JSON: {0}")]
    NotDhis2(String),
}

/// Writing a file failed: a fault of ours, never of the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("writing the file: {0}")]
pub struct WriteError(pub String);

/// The formats zhibiao reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
    Dhis2,
}

pub const XLSX_CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

impl Format {
    /// From a `Content-Type` header; parameters such as `charset` are ignored.
    pub fn from_content_type(header: &str) -> Option<Format> {
        let mime = header.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        match mime.as_str() {
            "text/csv" => Some(Format::Csv),
            XLSX_CONTENT_TYPE => Some(Format::Xlsx),
            "application/json" => Some(Format::Dhis2),
            _ => None,
        }
    }

    /// From a file name's ending: `.csv`, `.xlsx` or `.json`.
    pub fn from_path(path: &std::path::Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            "json" => Some(Format::Dhis2),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => XLSX_CONTENT_TYPE,
            Format::Dhis2 => "application/json",
        }
    }
}

/// Reads a file of the given format.
pub fn parse(format: Format, bytes: &[u8]) -> Result<Parsed, FileError> {
    match format {
        Format::Csv => csv_file::read(bytes),
        Format::Xlsx => xlsx::read(bytes),
        Format::Dhis2 => dhis2::read(bytes),
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes)
}

/// A number as people type it: `12.5`, ` 3601 `, `1,234.5` (commas only between groups of three
/// digits, as the Chinese and English conventions write them). Nothing that is not finite.
fn parse_number(text: &str) -> Result<f64, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("value is empty".into());
    }
    let plain = if trimmed.contains(',') && grouped_by_thousands(trimmed) {
        trimmed.replace(',', "")
    } else {
        trimmed.to_string()
    };
    let is_numeric = plain.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    match plain.parse::<f64>() {
        Ok(v) if is_numeric && v.is_finite() => Ok(v),
        _ => Err(format!("value '{}' is not a number", trimmed.chars().take(40).collect::<String>())),
    }
}

/// `1,234,567.89` yes; `1,23`, `12,34.5` no.
fn grouped_by_thousands(text: &str) -> bool {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let integer = unsigned.split('.').next().unwrap_or_default();
    let mut groups = integer.split(',');
    let first = groups.next().unwrap_or_default();
    (1..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_digit())
        && groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
}

/// A value written out: the shortest text that reads back as the same number.
fn format_number(value: f64) -> String {
    format!("{value}")
}

fn non_empty(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_people_type_them() {
        let cases: &[(&str, Result<f64, &str>)] = &[
            ("12.5", Ok(12.5)),
            (" 3601 ", Ok(3601.0)),
            ("-0.25", Ok(-0.25)),
            ("1e3", Ok(1000.0)),
            ("1,234.5", Ok(1234.5)),
            ("-1,234,567", Ok(-1234567.0)),
            ("12,34", Err("is not a number")),
            ("1,2345", Err("is not a number")),
            ("", Err("empty")),
            ("   ", Err("empty")),
            ("abc", Err("is not a number")),
            ("NaN", Err("is not a number")),
            ("inf", Err("is not a number")),
            ("1e999", Err("is not a number")),
            ("12.5亿", Err("is not a number")),
            ("0x10", Err("is not a number")),
        ];
        for (text, want) in cases {
            match (parse_number(text), want) {
                (Ok(got), Ok(want)) => assert_eq!(got, *want, "{text:?}"),
                (Err(got), Err(want)) => assert!(got.contains(want), "{text:?}: {got}"),
                (got, want) => panic!("{text:?}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn numbers_written_read_back_exactly() {
        for v in [0.0, 12.5, 0.1 + 0.2, 1e15, 123456789.0123, 1e-7, -3.25] {
            assert_eq!(parse_number(&format_number(v)), Ok(v), "{v}");
        }
    }

    #[test]
    fn formats_by_content_type_and_file_name() {
        let cases = [
            ("text/csv", Some(Format::Csv)),
            ("text/csv; charset=utf-8", Some(Format::Csv)),
            ("TEXT/CSV", Some(Format::Csv)),
            (XLSX_CONTENT_TYPE, Some(Format::Xlsx)),
            ("application/json", Some(Format::Dhis2)),
            ("text/plain", None),
            ("application/octet-stream", None),
            ("", None),
        ];
        for (header, want) in cases {
            assert_eq!(Format::from_content_type(header), want, "{header}");
        }
        assert_eq!(Format::from_path("a/b.CSV".as_ref()), Some(Format::Csv));
        assert_eq!(Format::from_path("t.xlsx".as_ref()), Some(Format::Xlsx));
        assert_eq!(Format::from_path("set.json".as_ref()), Some(Format::Dhis2));
        assert_eq!(Format::from_path("x.xls".as_ref()), None);
    }
}
