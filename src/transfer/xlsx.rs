//! The per-region Excel template, written with rust_xlsxwriter and read back with
//! calamine. One row per indicator to report: code, name, unit, how it is reported (累计/当季/期末,
//! or 年度 in a year's template), last year's figure for the same period, an empty value column
//! and a comment column.
//!
//! The region and the quarter stand in labelled cells above the table (`地区代码`, `报告期`), and
//! the table is found by its header (`指标代码`, `本期数值`, `备注`), so a town may add rows
//! above it or columns beside it and the file still reads back. Rows carry the spreadsheet's
//! own numbers. A row whose value is left empty is not imported; one whose value is a formula
//! without a computed value is a row error naming the cell.
//!
//! An upload is a zip: its directory is read first and a workbook that would inflate beyond
//! [`MAX_PART_BYTES`] or [`MAX_TOTAL_BYTES`] is refused before any part is inflated; the first
//! sheet's cells are then streamed into a sparse grid (never a table as large as the sheet's
//! corners), at most [`MAX_CELLS`] of them.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;

use calamine::{Data, Reader};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationRule, Format, FormatAlign, FormatBorder, ProtectionOptions, Workbook,
    Worksheet, XlsxError,
};

use super::{FileError, ImportRow, Parsed, RowError, WriteError};
use crate::domain::Period;

pub const SHEET_NAME: &str = "指标填报";
pub const REGION_LABEL: &str = "地区代码";
pub const PERIOD_LABEL: &str = "报告期";
pub const CODE_HEADER: &str = "指标代码";
pub const VALUE_HEADER: &str = "本期数值";
pub const COMMENT_HEADER: &str = "备注";

const HEADERS: [&str; 7] = [CODE_HEADER, "指标名称", "单位", "填报口径", "上年同期", VALUE_HEADER, COMMENT_HEADER];
const WIDTHS: [f64; 7] = [24.0, 34.0, 8.0, 10.0, 14.0, 14.0, 36.0];
/// Zero-based row of the table's header; the figures start below it.
pub const HEADER_ROW: u32 = 3;
const VALUE_COL: u16 = 5;
const COMMENT_COL: u16 = 6;
const INPUT_FILL: u32 = 0xFFF2CC;
const HEADER_FILL: u32 = 0xD9E1F2;

/// What a template shows: the engine gathers it, this module lays it out.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub region: String,
    pub region_name: String,
    /// a quarter (quarterly indicators) or a year (annual ones)
    pub period: Period,
    pub rows: Vec<TemplateRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TemplateRow {
    pub code: String,
    pub name: String,
    pub unit: String,
    /// how the figure is reported: 累计 / 当季 / 期末, or 年度
    pub how: &'static str,
    pub decimals: u8,
    pub allow_negative: bool,
    /// last year's figure for the same quarter, in the mode it is reported in
    pub last_year: Option<f64>,
}

/// `#,##0.00` for two decimals.
fn number_format(decimals: u8) -> String {
    if decimals == 0 { "#,##0".into() } else { format!("#,##0.{}", "0".repeat(usize::from(decimals))) }
}

pub fn template(t: &Template) -> Result<Vec<u8>, WriteError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    lay_out(sheet, t).map_err(|e| WriteError(e.to_string()))?;
    book.save_to_buffer().map_err(|e| WriteError(e.to_string()))
}

fn lay_out(sheet: &mut Worksheet, t: &Template) -> Result<(), XlsxError> {
    let border = Format::new().set_border(FormatBorder::Thin);
    let bold = Format::new().set_bold();
    let header = border
        .clone()
        .set_bold()
        .set_background_color(Color::RGB(HEADER_FILL))
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let input = border.clone().set_unlocked().set_background_color(Color::RGB(INPUT_FILL));
    let note = Format::new().set_text_wrap().set_font_color(Color::RGB(0x595959)).set_align(FormatAlign::Top);

    sheet.set_name(SHEET_NAME)?;
    for (col, width) in WIDTHS.iter().enumerate() {
        sheet.set_column_width(col as u16, *width)?;
    }
    let title = format!("{}{}科技统计指标填报表", t.region_name, t.period.label());
    sheet.merge_range(
        0,
        0,
        0,
        6,
        &title,
        &Format::new().set_bold().set_font_size(14).set_align(FormatAlign::Center),
    )?;
    sheet.set_row_height(0, 24)?;
    sheet.write_string_with_format(1, 0, REGION_LABEL, &bold)?;
    sheet.write_string(1, 1, &t.region)?;
    sheet.write_string_with_format(1, 2, PERIOD_LABEL, &bold)?;
    sheet.write_string(1, 3, t.period.to_string())?;
    sheet.write_string(1, 4, t.period.label())?;
    let explanation = match t.period {
        Period::Quarter(q) => format!(
            "填报说明：在黄色的“本期数值”列填写数值，“累计”指标填{}累计数，“当季”指标填本季度数，“期末”指标填季度末数；\
             “上年同期”为{}同口径数据，供核对。未填数值的行不导入。请勿改动地区代码、报告期和指标代码。",
            q.ytd_label(),
            q.year_before().map_or_else(String::new, |q| q.label())
        ),
        Period::Year(y) => format!(
            "填报说明：在黄色的“本期数值”列填写{y}年全年数；“上年同期”为{}年数据，供核对。\
             未填数值的行不导入。请勿改动地区代码、报告期和指标代码。",
            y - 1
        ),
    };
    sheet.merge_range(2, 0, 2, 6, &explanation, &note)?;
    sheet.set_row_height(2, 48)?;
    for (col, text) in HEADERS.iter().enumerate() {
        sheet.write_string_with_format(HEADER_ROW, col as u16, *text, &header)?;
    }
    sheet.set_row_height(HEADER_ROW, 22)?;
    for (i, r) in t.rows.iter().enumerate() {
        let row = HEADER_ROW + 1 + i as u32;
        let numbers = border.clone().set_num_format(number_format(r.decimals));
        // names and units are typed by people: one that looks like a formula stays text
        let text = |t: &str| {
            if super::looks_like_formula(t) { border.clone().set_quote_prefix() } else { border.clone() }
        };
        sheet.write_string_with_format(row, 0, &r.code, &border)?;
        sheet.write_string_with_format(row, 1, &r.name, &text(&r.name))?;
        sheet.write_string_with_format(row, 2, &r.unit, &text(&r.unit))?;
        sheet.write_string_with_format(row, 3, r.how, &border)?;
        match r.last_year {
            Some(v) => sheet.write_number_with_format(row, 4, v, &numbers)?,
            None => sheet.write_blank(row, 4, &numbers)?,
        };
        sheet.write_blank(row, VALUE_COL, &input.clone().set_num_format(number_format(r.decimals)))?;
        sheet.write_blank(row, COMMENT_COL, &input)?;
        let rule = if r.allow_negative {
            DataValidationRule::Between(
                -crate::domain::indicator::MAX_MAGNITUDE,
                crate::domain::indicator::MAX_MAGNITUDE,
            )
        } else {
            DataValidationRule::GreaterThanOrEqualTo(0.0)
        };
        let validation =
            DataValidation::new().allow_decimal_number(rule).set_error_title("数值有误")?.set_error_message(
                if r.allow_negative { "请填写数值。" } else { "请填写不小于0的数值。" },
            )?;
        sheet.add_data_validation(row, VALUE_COL, row, VALUE_COL, &validation)?;
    }
    sheet.set_freeze_panes(HEADER_ROW + 1, 2)?;
    sheet.set_landscape().set_paper_size(9).set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    // Protected without a password: it guards the codes against slips, not against intent.
    sheet.protect_with_options(&ProtectionOptions {
        format_columns: true,
        format_rows: true,
        ..ProtectionOptions::new()
    });
    Ok(())
}

/// How large an uploaded workbook may be once inflated. A filled-in template has a row per
/// indicator: about 530 bytes of worksheet XML each (the demo's 9 rows: 6.3 KB), so 1,000
/// indicators are about 0.5 MiB, and the shared strings are less. A part may inflate to 32 MiB
/// (some 60,000 such rows) and the whole workbook to 64 MiB, as much as the largest upload taken
/// as plain CSV; a file beyond either is no template but a zip bomb, and inflating it would cost
/// gigabytes (issue 13: a 4 MB file whose worksheet inflates to 4 GiB of spaces). Within the
/// bounds, the worst file measured costs about 110 MB of memory for 0.1 s.
///
/// The sizes are those the zip's central directory declares; the zip reader calamine uses stops
/// with an error as soon as a part inflates past its declared size, so a part that lies about
/// its size is cut off there, not inflated in full.
pub const MAX_PART_BYTES: u64 = 32 * 1024 * 1024;
pub const MAX_TOTAL_BYTES: u64 = 64 * 1024 * 1024;
/// A workbook from Excel or WPS has a dozen parts; each one costs the reader memory before anything is inflated.
pub const MAX_PARTS: usize = 1000;
/// Cells of the first worksheet read at most (empty formatted ones count too).
pub const MAX_CELLS: usize = 200_000;
/// Rows the worksheet may declare in its `<dimension>`.
pub const MAX_ROWS: u32 = 100_000;

/// `4096.0 MB`: sizes in messages.
fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}

/// Refuses a workbook whose parts would inflate beyond the bounds, from its central directory
/// alone: nothing is inflated here.
pub(crate) fn check_inflated_size(bytes: &[u8]) -> Result<(), FileError> {
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| unreadable())?;
    if archive.len() > MAX_PARTS {
        return Err(FileError::TooLarge(format!(
            "工作簿由{}个部件组成，超过上限{MAX_PARTS}个；请上传从系统下载并填好的填报模板",
            archive.len()
        )));
    }
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index_data(i).map_err(|_| unreadable())?;
        let size = entry.size();
        if size > MAX_PART_BYTES {
            let name: String = entry.name().map(|n| n.chars().take(80).collect()).unwrap_or_default();
            return Err(FileError::TooLarge(format!(
                "工作簿中的“{name}”解压后有{}，超过单个部件的上限{}；请上传从系统下载并填好的填报模板",
                megabytes(size),
                megabytes(MAX_PART_BYTES)
            )));
        }
        total = total.saturating_add(size);
    }
    if total > MAX_TOTAL_BYTES {
        return Err(FileError::TooLarge(format!(
            "工作簿解压后共有{}，超过上限{}；请上传从系统下载并填好的填报模板",
            megabytes(total),
            megabytes(MAX_TOTAL_BYTES)
        )));
    }
    Ok(())
}

// calamine's reasons are English and name zip entries and XML: a person learns nothing more.
fn unreadable() -> FileError {
    FileError::NotXlsx("无法读取，请上传从系统下载并填好的填报模板".into())
}

/// `F5` for the zero-based (4, 5).
pub(crate) fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    // a crafted cell reference may place a cell at the very end of u32
    let mut n = col.saturating_add(1);
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &(u64::from(row) + 1).to_string()
}

/// The cells of the first worksheet that hold something, by zero-based (row, column), and those
/// that hold a formula without a value Excel computed for it (a file written by a program, say).
#[derive(Default)]
pub(crate) struct Grid {
    pub(crate) cells: BTreeMap<(u32, u32), Data>,
    pub(crate) formulas: BTreeMap<(u32, u32), String>,
}

impl Grid {
    fn at(&self, row: u32, col: u32) -> Option<&Data> {
        self.cells.get(&(row, col))
    }

    /// The first cell (row by row) whose text is `label`.
    fn find(&self, label: &str) -> Option<(u32, u32)> {
        self.cells.iter().find(|(_, cell)| cell_text(Some(cell)) == label).map(|(&at, _)| at)
    }

    /// The rows below `row` that hold anything, in order.
    fn rows_below(&self, row: u32) -> BTreeSet<u32> {
        let below = (row.saturating_add(1), 0)..;
        self.cells
            .range(below.clone())
            .map(|(&(r, _), _)| r)
            .chain(self.formulas.range(below).map(|(&(r, _), _)| r))
            .collect()
    }
}

/// Streams the first worksheet's cells into a [`Grid`], at most [`MAX_CELLS`] of them.
pub(crate) fn read_grid(bytes: &[u8]) -> Result<Grid, FileError> {
    let mut book = calamine::Xlsx::new(Cursor::new(bytes)).map_err(|_| unreadable())?;
    let name = book.sheet_names().first().cloned().ok_or_else(|| FileError::NotXlsx("工作簿中没有工作表".into()))?;
    let mut reader = match book.worksheet_cells_reader(&name) {
        Ok(reader) => reader,
        // a chart sheet first: there are no cells to read
        Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(Grid::default()),
        Err(_) => return Err(unreadable()),
    };
    let declared = reader.dimensions();
    let rows = declared.end.0.saturating_sub(declared.start.0).saturating_add(1);
    if rows > MAX_ROWS {
        return Err(FileError::TooLarge(format!(
            "工作表声明的范围有{rows}行，超过上限{MAX_ROWS}行；请上传从系统下载并填好的填报模板"
        )));
    }
    let mut grid = Grid::default();
    let mut read = 0;
    while let Some(cell) = reader.next_cell_with_formula().map_err(|_| unreadable())? {
        read += 1;
        if read > MAX_CELLS {
            return Err(FileError::TooLarge(format!(
                "工作表的单元格超过{MAX_CELLS}个；填报模板每个指标一行，请上传从系统下载并填好的填报模板"
            )));
        }
        let value = Data::from(cell.value);
        let blank = match &value {
            Data::Empty => true,
            Data::String(s) => s.trim().is_empty(),
            _ => false,
        };
        match cell.formula {
            // no value computed for it (a program wrote the file, or a spreadsheet that does not
            // compute): not a figure, and not nothing either
            Some(formula) if blank && !formula.trim().is_empty() => {
                grid.formulas.insert(cell.pos, formula);
            }
            _ if matches!(value, Data::Empty) => {}
            _ => {
                grid.cells.insert(cell.pos, value);
            }
        }
    }
    Ok(grid)
}

/// A cell as text: numbers in their shortest form (a period typed as 2023 reads `2023`).
pub(crate) fn cell_text(cell: Option<&Data>) -> String {
    match cell {
        None | Some(Data::Empty) => String::new(),
        Some(Data::String(s)) => s.trim().to_string(),
        Some(Data::Float(f)) => super::format_number(*f),
        Some(Data::Int(i)) => i.to_string(),
        Some(other) => other.to_string().trim().to_string(),
    }
}

/// The figure in a value cell: `None` when the cell is empty.
fn cell_value(grid: &Grid, row: u32, col: u32) -> Option<Result<f64, String>> {
    if let Some(formula) = grid.formulas.get(&(row, col)) {
        let shown: String = formula.chars().take(40).collect();
        return Some(Err(format!("{}是公式（={shown}），没有计算结果；请填写数值", cell_name(row, col))));
    }
    match grid.at(row, col) {
        None | Some(Data::Empty) => None,
        Some(Data::String(s)) if s.trim().is_empty() => None,
        Some(Data::String(s)) => Some(super::parse_number(s)),
        Some(Data::Float(f)) => Some(Ok(*f)),
        Some(Data::Int(i)) => Some(Ok(*i as f64)),
        Some(Data::Error(e)) => Some(Err(format!("单元格显示错误（{e}），不是数字"))),
        Some(other) => Some(Err(format!("数值“{other}”不是数字"))),
    }
}

/// Reads a filled-in template: the first worksheet, rows numbered as the spreadsheet shows them.
/// A workbook that would inflate beyond the bounds above is refused before any part is inflated.
pub fn read(bytes: &[u8]) -> Result<Parsed, FileError> {
    check_inflated_size(bytes)?;
    let grid = read_grid(bytes)?;
    let mut out = Parsed::default();
    if grid.cells.is_empty() && grid.formulas.is_empty() {
        out.errors.push(RowError::new(1, "工作表是空的；请下载填报模板填写后上传"));
        return Ok(out);
    }
    let at = |row: u32, col: u32| grid.at(row, col);
    let (Some(region_at), Some(period_at), Some(code_at)) =
        (grid.find(REGION_LABEL), grid.find(PERIOD_LABEL), grid.find(CODE_HEADER))
    else {
        out.errors.push(RowError::new(
            1,
            format!("不是本系统的填报模板：需要“{REGION_LABEL}”“{PERIOD_LABEL}”和“{CODE_HEADER}”单元格"),
        ));
        return Ok(out);
    };
    let header_row = code_at.0;
    let header: Vec<(u32, String)> = grid
        .cells
        .range((header_row, 0)..=(header_row, u32::MAX))
        .map(|(&(_, c), d)| (c, cell_text(Some(d))))
        .collect();
    let column = |label: &str| header.iter().find(|(_, text)| text == label).map(|(c, _)| *c);
    let Some(value_col) = column(VALUE_HEADER) else {
        out.errors.push(RowError::new(header_row as usize + 1, format!("表头中没有“{VALUE_HEADER}”列")));
        return Ok(out);
    };
    let comment_col = column(COMMENT_HEADER);
    let region = cell_text(at(region_at.0, region_at.1.saturating_add(1)));
    let period = cell_text(at(period_at.0, period_at.1.saturating_add(1)));
    for (label, (row, _), text) in [(REGION_LABEL, region_at, &region), (PERIOD_LABEL, period_at, &period)] {
        if text.is_empty() {
            out.errors.push(RowError::new(row as usize + 1, format!("“{label}”右边的单元格是空的")));
        }
    }
    if !out.errors.is_empty() {
        return Ok(out);
    }
    for r in grid.rows_below(header_row) {
        let row = r as usize + 1;
        let code = cell_text(at(r, code_at.1));
        let comment = comment_col.map(|c| cell_text(at(r, c))).unwrap_or_default();
        let value = match cell_value(&grid, r, value_col) {
            None if !comment.is_empty() && !code.is_empty() => {
                out.errors.push(RowError::new(row, format!("指标{code}只有备注没有数值，无法保存")));
                continue;
            }
            None => continue,
            Some(Err(message)) => {
                out.errors.push(RowError::new(row, message));
                continue;
            }
            Some(Ok(v)) => v,
        };
        if code.is_empty() {
            out.errors.push(RowError::new(row, format!("有数值但没有指标代码（“{CODE_HEADER}”）")));
            continue;
        }
        out.rows.push(ImportRow {
            row,
            region: region.clone(),
            indicator: code,
            period: period.clone(),
            value,
            comment: super::non_empty(&comment),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Mode;

    fn sample() -> Template {
        let row = |code: &str, mode: Mode, decimals, last_year| TemplateRow {
            code: code.into(),
            name: format!("{code}的名称"),
            unit: "亿元".into(),
            how: mode.label(),
            decimals,
            allow_negative: false,
            last_year,
        };
        Template {
            region: "town-a".into(),
            region_name: "甲镇".into(),
            period: "2023Q3".parse().unwrap(),
            rows: vec![
                row("gdp", Mode::Ytd, 2, Some(101.25)),
                row("talents", Mode::Quarter, 0, None),
                row("firms", Mode::Stock, 0, Some(12.0)),
            ],
        }
    }

    /// Copies a template cell by cell, putting `fill` (row, column, cell) over it: a town filling it in.
    pub(crate) fn fill(bytes: &[u8], fill: &[(u32, u16, Data)]) -> Vec<u8> {
        let mut book = calamine::Xlsx::new(Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        let mut out = Workbook::new();
        let sheet = out.add_worksheet();
        let (top, left) = range.start().unwrap();
        let write = |sheet: &mut Worksheet, r: u32, c: u16, cell: &Data| {
            match cell {
                Data::String(s) => sheet.write_string(r, c, s).map(|_| ()),
                Data::Float(f) => sheet.write_number(r, c, *f).map(|_| ()),
                Data::Int(i) => sheet.write_number(r, c, *i as f64).map(|_| ()),
                Data::Bool(b) => sheet.write_boolean(r, c, *b).map(|_| ()),
                _ => Ok(()),
            }
            .unwrap();
        };
        for (r, c, cell) in range.used_cells() {
            write(sheet, top + r as u32, left as u16 + c as u16, cell);
        }
        for (r, c, cell) in fill {
            write(sheet, *r, *c, cell);
        }
        out.save_to_buffer().unwrap()
    }

    #[test]
    fn the_template_shows_every_row_with_last_year() {
        let bytes = template(&sample()).unwrap();
        let mut book = calamine::Xlsx::new(Cursor::new(&bytes[..])).unwrap();
        assert_eq!(book.sheet_names(), [SHEET_NAME]);
        let range = book.worksheet_range(SHEET_NAME).unwrap();
        let text = |r, c| cell_text(range.get_value((r, c)));
        assert_eq!(text(0, 0), "甲镇2023年三季度科技统计指标填报表");
        assert_eq!(
            (text(1, 0), text(1, 1), text(1, 2), text(1, 3)),
            ("地区代码".into(), "town-a".into(), "报告期".into(), "2023Q3".into())
        );
        let header: Vec<String> = (0..7).map(|c| text(HEADER_ROW, c)).collect();
        assert_eq!(header, HEADERS);
        let rows: Vec<Vec<String>> = (4..7).map(|r| (0..7).map(|c| text(r, c)).collect()).collect();
        assert_eq!(
            rows,
            [
                ["gdp", "gdp的名称", "亿元", "累计", "101.25", "", ""],
                ["talents", "talents的名称", "亿元", "当季", "", "", ""],
                ["firms", "firms的名称", "亿元", "期末", "12", "", ""],
            ]
        );
        assert_eq!(range.get_value((4, 4)), Some(&Data::Float(101.25)), "a number, not text");
        assert_eq!(read(&bytes).unwrap(), Parsed::default(), "an empty template imports nothing");
    }

    #[test]
    fn reads_a_filled_template_with_its_row_numbers() {
        let blank = template(&sample()).unwrap();
        let cases: &[(&str, Vec<(u32, u16, Data)>, Vec<(usize, &str, f64, Option<&str>)>, Vec<(usize, &str)>)] = &[
            (
                "numbers and a comment",
                vec![(4, 5, Data::Float(110.5)), (6, 5, Data::Float(13.0)), (6, 6, Data::String("新增1家".into()))],
                vec![(5, "gdp", 110.5, None), (7, "firms", 13.0, Some("新增1家"))],
                vec![],
            ),
            (
                "numbers typed as text",
                vec![(4, 5, Data::String(" 1,210.5 ".into())), (5, 5, Data::String("  ".into()))],
                vec![(5, "gdp", 1210.5, None)],
                vec![],
            ),
            (
                "bad cells are named by row",
                vec![
                    (4, 5, Data::String("约100".into())),
                    (5, 6, Data::String("无".into())),
                    (6, 5, Data::Bool(true)),
                    (9, 5, Data::Float(1.0)),
                ],
                vec![],
                vec![
                    (5, "数值“约100”不是数字"),
                    (6, "指标talents只有备注没有数值，无法保存"),
                    (7, "数值“true”不是数字"),
                    (10, "有数值但没有指标代码（“指标代码”）"),
                ],
            ),
        ];
        for (name, cells, want_rows, want_errors) in cases {
            let parsed = read(&fill(&blank, cells)).unwrap();
            let rows: Vec<(usize, &str, f64, Option<&str>)> =
                parsed.rows.iter().map(|r| (r.row, r.indicator.as_str(), r.value, r.comment.as_deref())).collect();
            assert_eq!(&rows, want_rows, "{name}");
            assert!(parsed.rows.iter().all(|r| r.region == "town-a" && r.period == "2023Q3"), "{name}");
            let got: Vec<usize> = parsed.errors.iter().map(|e| e.row).collect();
            assert_eq!(got, want_errors.iter().map(|(r, _)| *r).collect::<Vec<_>>(), "{name}: {:?}", parsed.errors);
            for (e, (_, message)) in parsed.errors.iter().zip(want_errors) {
                assert_eq!(e.message, *message, "{name}");
            }
        }
    }

    #[test]
    fn cells_are_named_as_a_spreadsheet_names_them() {
        for ((row, col), want) in [
            ((0, 0), "A1"),
            ((4, 5), "F5"),
            ((0, 25), "Z1"),
            ((0, 26), "AA1"),
            ((9, 701), "ZZ10"),
            ((1_048_575, 16_383), "XFD1048576"),
        ] {
            assert_eq!(cell_name(row, col), want);
        }
    }

    #[test]
    fn names_that_look_like_formulas_stay_text_in_the_template() {
        let mut t = sample();
        t.rows[0].name = "=HYPERLINK(\"http://evil.example\",\"点击\")".into();
        let bytes = template(&t).unwrap();
        let mut book = calamine::Xlsx::new(Cursor::new(&bytes[..])).unwrap();
        let range = book.worksheet_range(SHEET_NAME).unwrap();
        assert_eq!(cell_text(range.get_value((4, 1))), t.rows[0].name, "shown as typed");
        let mut zip = zip::ZipArchive::new(Cursor::new(&bytes[..])).unwrap();
        let mut styles = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/styles.xml").unwrap(), &mut styles).unwrap();
        assert_eq!(styles.matches("quotePrefix=\"1\"").count(), 1, "one cell format marks text: {styles}");
    }

    #[test]
    fn a_workbook_that_is_not_a_template() {
        assert!(matches!(read(b"region,indicator\n"), Err(FileError::NotXlsx(_))));
        let mut book = Workbook::new();
        book.add_worksheet().write_string(0, 0, "hello").unwrap();
        let parsed = read(&book.save_to_buffer().unwrap()).unwrap();
        assert_eq!(parsed.errors.len(), 1);
        assert!(parsed.errors[0].message.starts_with("不是本系统的填报模板"), "{:?}", parsed.errors);
        let mut empty = Workbook::new();
        empty.add_worksheet();
        assert_eq!(read(&empty.save_to_buffer().unwrap()).unwrap().errors[0].row, 1);
    }
}
