//! Workbooks for reports: a title row, a frozen header row with units, numbers stored as numbers
//! with the indicator's decimals, Chinese sheet names. A text that a spreadsheet would take for a
//! formula (`=…`, `+…`, `-…`, `@…`) is marked as text with Excel's quote prefix: it shows as typed
//! and stays text when someone edits the cell.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use crate::error::{AppError, AppResult};

fn err(e: XlsxError) -> AppError {
    AppError::Internal(format!("writing a workbook: {e}"))
}

pub struct Book {
    workbook: Workbook,
}

pub struct Sheet<'a> {
    worksheet: &'a mut Worksheet,
    numbers: [Format; 7],
    quoted: Format,
}

/// The first data row: row 0 holds the title, row 1 the headers.
const FIRST_DATA_ROW: u32 = 2;

impl Book {
    pub fn new() -> Book {
        Book { workbook: Workbook::new() }
    }

    /// A new sheet with a title and a frozen header row.
    pub fn sheet(&mut self, name: &str, title: &str, headers: &[String]) -> AppResult<Sheet<'_>> {
        let worksheet = self.workbook.add_worksheet();
        worksheet.set_name(name).map_err(err)?;
        worksheet.write_string_with_format(0, 0, title, &Format::new().set_bold().set_font_size(14)).map_err(err)?;
        let bold = Format::new().set_bold().set_text_wrap().set_background_color("#DCE6F1");
        for (c, h) in headers.iter().enumerate() {
            worksheet.write_string_with_format(1, c as u16, h, &bold).map_err(err)?;
            // CJK text is about two columns wide per character.
            let width = (h.chars().count() as f64 * 2.0).clamp(10.0, 40.0);
            worksheet.set_column_width(c as u16, if c == 0 { 24.0 } else { width }).map_err(err)?;
        }
        worksheet.set_freeze_panes(FIRST_DATA_ROW, 0).map_err(err)?;
        let numbers = std::array::from_fn(|d| {
            Format::new().set_num_format(if d == 0 { "0".to_string() } else { format!("0.{}", "0".repeat(d)) })
        });
        Ok(Sheet { worksheet, numbers, quoted: Format::new().set_quote_prefix() })
    }

    pub fn save(mut self) -> AppResult<Vec<u8>> {
        self.workbook.save_to_buffer().map_err(err)
    }
}

impl Sheet<'_> {
    pub fn data_row(&self, index: usize) -> u32 {
        FIRST_DATA_ROW + index as u32
    }

    pub fn text(&mut self, row: u32, col: u16, text: &str) -> AppResult<()> {
        if crate::transfer::looks_like_formula(text) {
            self.worksheet.write_string_with_format(row, col, text, &self.quoted).map_err(err)?;
        } else {
            self.worksheet.write_string(row, col, text).map_err(err)?;
        }
        Ok(())
    }

    /// A figure as a number cell shown with `decimals`; a missing figure leaves the cell empty.
    pub fn number(&mut self, row: u32, col: u16, value: Option<f64>, decimals: u8) -> AppResult<()> {
        if let Some(v) = value {
            let format = &self.numbers[usize::from(decimals).min(6)];
            self.worksheet.write_number_with_format(row, col, v, format).map_err(err)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read};

    use calamine::Reader;

    use super::*;

    /// The sheet XML of a one-sheet workbook and its styles.
    fn parts(bytes: &[u8]) -> (String, String) {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut read = |name: &str| {
            let mut text = String::new();
            zip.by_name(name).unwrap().read_to_string(&mut text).unwrap();
            text
        };
        (read("xl/worksheets/sheet1.xml"), read("xl/styles.xml"))
    }

    #[test]
    fn texts_that_look_like_formulas_are_marked_as_text_and_numbers_stay_numbers() {
        let mut book = Book::new();
        let mut sheet = book.sheet("表", "标题", &["地区".to_string()]).unwrap();
        let texts = ["=HYPERLINK(\"http://evil.example\")", "@SUM(1+1)", "+1", "-说明", "甲镇"];
        for (i, text) in texts.iter().enumerate() {
            sheet.text(sheet.data_row(i), 0, text).unwrap();
        }
        sheet.number(sheet.data_row(5), 0, Some(-1.5), 1).unwrap();
        let bytes = book.save().unwrap();
        let (xml, styles) = parts(&bytes);
        assert_eq!(styles.matches("quotePrefix=\"1\"").count(), 1, "{styles}");
        let mut workbook = calamine::Xlsx::new(Cursor::new(&bytes[..])).unwrap();
        let range = workbook.worksheet_range("表").unwrap();
        for (i, text) in texts.iter().enumerate() {
            let row = 2 + i as u32;
            assert_eq!(range.get_value((row, 0)), Some(&calamine::Data::String(text.to_string())), "shown as typed");
            // the first four carry the quote prefix style (the same one), the plain name none
            let cell =
                xml.split(&format!("<c r=\"A{}\"", row + 1)).nth(1).unwrap().split('>').next().unwrap().to_string();
            assert_eq!(cell.contains(" s=\""), i < 4, "A{}: {cell}", row + 1);
        }
        assert_eq!(range.get_value((7, 0)), Some(&calamine::Data::Float(-1.5)), "a negative number is a number");
    }
}
