//! Workbooks for reports: a title row, a frozen header row with units, numbers stored as numbers
//! with the indicator's decimals, Chinese sheet names.

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
        Ok(Sheet { worksheet, numbers })
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
        self.worksheet.write_string(row, col, text).map_err(err)?;
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
