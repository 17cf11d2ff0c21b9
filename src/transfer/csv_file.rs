//! CSV `region,indicator,period,value,comment`, UTF-8 with or without a byte-order mark.
//!
//! Rows are numbered as a spreadsheet shows the file: the header is row 1. A quoted field that
//! runs over several lines is still one row, and a blank line is a row of its own.

use super::{ExportRow, FileError, ImportRow, Parsed, RowError, WriteError};

pub const COLUMNS: [&str; 5] = ["region", "indicator", "period", "value", "comment"];
const REQUIRED: usize = 4;

/// Reads a CSV file. A header that lacks a column, or has one zhibiao does not know, is an error
/// of row 1 and no row is read.
pub fn read(bytes: &[u8]) -> Result<Parsed, FileError> {
    let bytes = super::strip_bom(bytes);
    if let Err(e) = std::str::from_utf8(bytes) {
        let line = 1 + bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count();
        return Err(FileError::NotUtf8 { line });
    }
    let mut reader = ::csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut out = Parsed::default();
    let mut lines = Lines { bytes, scanned: 0, breaks: 0 };
    // Lines taken by line breaks inside quoted fields so far: a spreadsheet row is a record.
    let mut extra_lines = 0;
    let mut columns: Option<[Option<usize>; 5]> = None;
    let mut width = 0;
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let row = e.position().map_or(0, |p| lines.at(p.byte() as usize) - extra_lines);
                out.errors.push(RowError::new(row, format!("not readable as CSV: {e}")));
                continue;
            }
        };
        let row = record.position().map_or(1, |p| lines.at(p.byte() as usize)) - extra_lines;
        extra_lines += record.iter().map(|f| f.matches('\n').count()).sum::<usize>();
        let Some(columns) = &columns else {
            match header(&record) {
                Ok(found) => {
                    columns = Some(found);
                    width = record.len();
                }
                Err(message) => {
                    out.errors.push(RowError::new(row, message));
                    return Ok(out);
                }
            }
            continue;
        };
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() > width {
            out.errors.push(RowError::new(
                row,
                format!("{} fields, but the header names {width}; quote a comment that contains a comma", record.len()),
            ));
            continue;
        }
        let field = |i: usize| columns[i].and_then(|c| record.get(c)).unwrap_or_default().trim();
        match data_row(row, [field(0), field(1), field(2), field(3), field(4)]) {
            Ok(r) => out.rows.push(r),
            Err(e) => out.errors.push(e),
        }
    }
    if columns.is_none() && out.errors.is_empty() {
        out.errors.push(RowError::new(1, format!("the file is empty; the header is {}", COLUMNS.join(","))));
    }
    Ok(out)
}

/// Line numbers of byte offsets, counted forward as the reader moves on. (The reader's own line
/// count lags by one after a CRLF line end.)
struct Lines<'a> {
    bytes: &'a [u8],
    scanned: usize,
    breaks: usize,
}

impl Lines<'_> {
    /// The line of the first byte of a record that the reader places at `offset`: line ends and
    /// blank lines before it are skipped, as the reader skips them.
    fn at(&mut self, offset: usize) -> usize {
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

/// Where each of `COLUMNS` stands in the header, in any order; `comment` may be left out.
fn header(record: &::csv::StringRecord) -> Result<[Option<usize>; 5], String> {
    let mut found = [None; 5];
    for (i, name) in record.iter().enumerate() {
        let name = name.trim().to_ascii_lowercase();
        let Some(k) = COLUMNS.iter().position(|c| *c == name) else {
            return Err(format!(
                "unknown column '{}' in the header; the columns are {}",
                name.chars().take(40).collect::<String>(),
                COLUMNS.join(",")
            ));
        };
        if found[k].replace(i).is_some() {
            return Err(format!("column '{name}' appears twice in the header"));
        }
    }
    let missing: Vec<&str> =
        COLUMNS[..REQUIRED].iter().zip(&found).filter(|(_, f)| f.is_none()).map(|(c, _)| *c).collect();
    if missing.is_empty() {
        Ok(found)
    } else {
        Err(format!("the header lacks {}; the columns are {}", missing.join(", "), COLUMNS.join(",")))
    }
}

fn data_row(row: usize, [region, indicator, period, value, comment]: [&str; 5]) -> Result<ImportRow, RowError> {
    for (name, text) in [("region", region), ("indicator", indicator), ("period", period)] {
        if text.is_empty() {
            return Err(RowError::new(row, format!("{name} is empty")));
        }
    }
    let value = super::parse_number(value).map_err(|m| RowError::new(row, m))?;
    Ok(ImportRow {
        row,
        region: region.to_string(),
        indicator: indicator.to_string(),
        period: period.to_string(),
        value,
        comment: super::non_empty(comment),
    })
}

/// Writes rows as CSV with a byte-order mark, so that Excel shows the Chinese text correctly
/// (zhibiao reads it back with or without).
pub fn write(rows: &[ExportRow]) -> Result<Vec<u8>, WriteError> {
    let mut writer = ::csv::Writer::from_writer(super::BOM.to_vec());
    let fail = |e: ::csv::Error| WriteError(e.to_string());
    writer.write_record(COLUMNS).map_err(fail)?;
    for r in rows {
        let value = super::format_number(r.value);
        writer
            .write_record([&r.region, &r.indicator, &r.period, &value, r.comment.as_deref().unwrap_or_default()])
            .map_err(fail)?;
    }
    writer.into_inner().map_err(|e| WriteError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(row: usize, region: &str, indicator: &str, period: &str, value: f64, comment: Option<&str>) -> ImportRow {
        ImportRow {
            row,
            region: region.into(),
            indicator: indicator.into(),
            period: period.into(),
            value,
            comment: comment.map(str::to_string),
        }
    }

    #[test]
    fn reads_rows_with_spreadsheet_row_numbers() {
        let cases: &[(&str, &[u8], Vec<ImportRow>, Vec<(usize, &str)>)] = &[
            (
                "plain",
                b"region,indicator,period,value,comment\ntown-a,gdp,2023Q1,12.5,\ntown-a,rd,2023Q1,0.3,\xe8\xaf\xb4\xe6\x98\x8e\n",
                vec![row(2, "town-a", "gdp", "2023Q1", 12.5, None), row(3, "town-a", "rd", "2023Q1", 0.3, Some("说明"))],
                vec![],
            ),
            (
                "with a byte-order mark and CRLF",
                b"\xEF\xBB\xBFregion,indicator,period,value,comment\r\ntown-a,gdp,2023Q1,1\r\n",
                vec![row(2, "town-a", "gdp", "2023Q1", 1.0, None)],
                vec![],
            ),
            (
                "columns in another order, no comment column, spaces",
                b"Value, period ,indicator,region\n 7 ,2023Q2,gdp,town-b\n",
                vec![row(2, "town-b", "gdp", "2023Q2", 7.0, None)],
                vec![],
            ),
            (
                "a quoted comment over two lines is one row; a blank line is a row",
                b"region,indicator,period,value,comment\ntown-a,gdp,2023Q1,1,\"a,\nb\"\n\ntown-a,rd,2023Q1,x,\n",
                vec![row(2, "town-a", "gdp", "2023Q1", 1.0, Some("a,\nb"))],
                vec![(4, "value 'x' is not a number")],
            ),
            (
                "bad rows are named and the good ones kept",
                b"region,indicator,period,value,comment\n,gdp,2023Q1,1,\ntown-a,gdp,2023Q1,,\ntown-a,gdp,2023Q1,2,c,extra\ntown-a,gdp,2023Q2,3\n",
                vec![row(5, "town-a", "gdp", "2023Q2", 3.0, None)],
                vec![(2, "region is empty"), (3, "value is empty"), (4, "quote a comment")],
            ),
            ("an unknown column", b"region,indicator,period,value,remark\n", vec![], vec![(1, "unknown column 'remark'")]),
            ("a missing column", b"region,period,value\ntown-a,2023Q1,1\n", vec![], vec![(1, "lacks indicator")]),
            ("a column twice", b"region,region,indicator,period,value\n", vec![], vec![(1, "appears twice")]),
            ("an empty file", b"", vec![], vec![(1, "the file is empty")]),
            ("only a byte-order mark", b"\xEF\xBB\xBF", vec![], vec![(1, "the file is empty")]),
        ];
        for (name, bytes, want_rows, want_errors) in cases {
            let parsed = read(bytes).unwrap();
            assert_eq!(&parsed.rows, want_rows, "{name}");
            let got: Vec<usize> = parsed.errors.iter().map(|e| e.row).collect();
            let want: Vec<usize> = want_errors.iter().map(|(r, _)| *r).collect();
            assert_eq!(got, want, "{name}: {:?}", parsed.errors);
            for (e, (_, message)) in parsed.errors.iter().zip(want_errors) {
                assert!(e.message.contains(message), "{name}: {} lacks {message}", e.message);
            }
        }
    }

    #[test]
    fn text_that_is_not_utf8_names_its_line() {
        // 甲镇 in GBK
        let gbk = b"region,indicator,period,value,comment\ntown-a,gdp,2023Q1,1,\xbc\xd7\xd5\xf2\n";
        assert_eq!(read(gbk), Err(FileError::NotUtf8 { line: 2 }));
    }

    #[test]
    fn writes_what_it_reads() {
        let rows = vec![
            ExportRow {
                region: "town-a".into(),
                indicator: "gdp".into(),
                period: "2023Q1".into(),
                value: 0.1 + 0.2,
                comment: Some("含\"引号\", 逗号\n和换行".into()),
            },
            ExportRow {
                region: "kunshan".into(),
                indicator: "rd_share".into(),
                period: "2023".into(),
                value: 1.9,
                comment: None,
            },
        ];
        let bytes = write(&rows).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBFregion,indicator,period,value,comment\n"));
        let parsed = read(&bytes).unwrap();
        assert_eq!(parsed.errors, []);
        let back: Vec<ExportRow> = parsed
            .rows
            .into_iter()
            .map(|r| ExportRow {
                region: r.region,
                indicator: r.indicator,
                period: r.period,
                value: r.value,
                comment: r.comment,
            })
            .collect();
        assert_eq!(back, rows);
        assert_eq!(read(&write(&[]).unwrap()).unwrap(), Parsed::default());
    }
}
