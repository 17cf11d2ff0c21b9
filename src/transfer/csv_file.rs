//! CSV `region,indicator,period,value,comment`, or with the Chinese headers `地区,指标,时期,数值,备注`
//! (`报告期` for `时期`), in UTF-8 with or without a byte-order mark, or in GBK/GB18030 as Excel
//! saves "CSV" on Chinese Windows. A World Bank WDI file is told apart by its first line and read
//! by [`super::wdi`].
//!
//! Rows are numbered as a spreadsheet shows the file: the header is row 1. A quoted field that
//! runs over several lines is still one row, and a blank line is a row of its own.

use super::{ExportRow, FileError, ImportRow, Lines, Parsed, RowError, WriteError};

pub const COLUMNS: [&str; 5] = ["region", "indicator", "period", "value", "comment"];
/// The Chinese names of each of `COLUMNS` a header may use instead.
const CHINESE: [&[&str]; 5] = [&["地区"], &["指标"], &["时期", "报告期"], &["数值"], &["备注"]];
const REQUIRED: usize = 4;
const BOTH_HEADERS: &str = "region,indicator,period,value,comment 或 地区,指标,时期,数值,备注";

/// Reads a CSV file. A header that lacks a column, or has one zhibiao does not know, is an error
/// of row 1 and no row is read.
pub fn read(bytes: &[u8]) -> Result<Parsed, FileError> {
    let text = super::decode(bytes)?;
    if super::wdi::looks_like(&text) {
        return Ok(super::wdi::read(&text));
    }
    let bytes = text.as_bytes();
    let mut reader = ::csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut out = Parsed::default();
    let mut lines = Lines::new(bytes);
    // Lines taken by line breaks inside quoted fields so far: a spreadsheet row is a record.
    let mut extra_lines = 0;
    let mut columns: Option<[Option<usize>; 5]> = None;
    let mut width = 0;
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let row = e.position().map_or(0, |p| lines.at(p.byte() as usize) - extra_lines);
                out.errors.push(RowError::new(row, "这一行无法按CSV格式读取"));
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
                format!("这一行有{}个字段，而表头只有{width}列；备注中含有逗号时请用双引号括起来", record.len()),
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
        out.errors.push(RowError::new(1, format!("文件是空的；第一行应是表头：{BOTH_HEADERS}")));
    }
    Ok(out)
}

/// Which of `COLUMNS` a header cell names, in English (any case) or in Chinese.
fn column(name: &str) -> Option<usize> {
    let lower = name.to_ascii_lowercase();
    (0..COLUMNS.len()).find(|&k| COLUMNS[k] == lower || CHINESE[k].contains(&name))
}

/// Where each of `COLUMNS` stands in the header, in any order; `comment` may be left out.
fn header(record: &::csv::StringRecord) -> Result<[Option<usize>; 5], String> {
    let mut found: [Option<usize>; 5] = [None; 5];
    for (i, cell) in record.iter().enumerate() {
        let name = super::header_text(cell);
        let Some(k) = column(name) else {
            return Err(format!(
                "表头中的“{}”不是可识别的列；表头应为 {BOTH_HEADERS}",
                name.chars().take(40).collect::<String>()
            ));
        };
        if let Some(before) = found[k].replace(i) {
            let first = super::header_text(record.get(before).unwrap_or_default());
            return Err(if first == name {
                format!("表头中的“{name}”出现了两次")
            } else {
                format!("表头中的“{first}”和“{name}”是同一列（{}）", super::field_label(COLUMNS[k]))
            });
        }
    }
    let missing: Vec<String> = COLUMNS[..REQUIRED]
        .iter()
        .zip(&found)
        .filter(|(_, f)| f.is_none())
        .map(|(c, _)| format!("“{}”（{c}）", super::field_label(c)))
        .collect();
    if missing.is_empty() {
        Ok(found)
    } else {
        Err(format!("表头缺少{}列；表头应为 {BOTH_HEADERS}", missing.join("、")))
    }
}

fn data_row(row: usize, [region, indicator, period, value, comment]: [&str; 5]) -> Result<ImportRow, RowError> {
    for (name, text) in [("region", region), ("indicator", indicator), ("period", period)] {
        if text.is_empty() {
            return Err(RowError::new(row, format!("{}为空", super::field_label(name))));
        }
    }
    let value = super::parse_number(value).map_err(|m| RowError::new(row, m))?;
    Ok(ImportRow {
        row,
        region: region.to_string(),
        indicator: indicator.to_string(),
        period: period.to_string(),
        value,
        comment: super::non_empty(super::without_quote(comment)),
    })
}

/// Writes rows as CSV with a byte-order mark, so that Excel shows the Chinese text correctly
/// (zhibiao reads it back with or without).
pub fn write(rows: &[ExportRow]) -> Result<Vec<u8>, WriteError> {
    let mut writer = ::csv::Writer::from_writer(super::BOM.to_vec());
    let fail = |e: ::csv::Error| WriteError(e.to_string());
    writer.write_record(COLUMNS).map_err(fail)?;
    for r in rows {
        // the value is a number (a negative one is no formula); every text is neutralised
        let value = super::format_number(r.value);
        let text = |t: &str| super::neutralised(t).into_owned();
        let comment = text(r.comment.as_deref().unwrap_or_default());
        writer.write_record([text(&r.region), text(&r.indicator), text(&r.period), value, comment]).map_err(fail)?;
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
                vec![(4, "数值“x”不是数字")],
            ),
            (
                "bad rows are named and the good ones kept",
                b"region,indicator,period,value,comment\n,gdp,2023Q1,1,\ntown-a,gdp,2023Q1,,\ntown-a,gdp,2023Q1,2,c,extra\ntown-a,gdp,2023Q2,3\n",
                vec![row(5, "town-a", "gdp", "2023Q2", 3.0, None)],
                vec![(2, "地区为空"), (3, "数值为空"), (4, "这一行有6个字段，而表头只有5列；备注中含有逗号时请用双引号括起来")],
            ),
            (
                "Chinese headers, names as people write them",
                "地区,指标,时期,数值,备注\n甲镇,地区生产总值,2023Q1,12.5,初步数\n".as_bytes(),
                vec![row(2, "甲镇", "地区生产总值", "2023Q1", 12.5, Some("初步数"))],
                vec![],
            ),
            (
                "报告期 for 时期, spaces and a byte-order mark around the header cells, no 备注",
                "\u{feff} 数值 ,\u{3000}报告期, 地区 ,\u{feff}指标\n7,2023Q2,town-b,gdp\n".as_bytes(),
                vec![row(2, "town-b", "gdp", "2023Q2", 7.0, None)],
                vec![],
            ),
            (
                "English and Chinese headers mixed",
                "region,指标,Period,数值\ntown-a,gdp,2023Q1,1\n".as_bytes(),
                vec![row(2, "town-a", "gdp", "2023Q1", 1.0, None)],
                vec![],
            ),
            (
                "an unknown column",
                b"region,indicator,period,value,remark\n",
                vec![],
                vec![(1, "表头中的“remark”不是可识别的列；表头应为 region,indicator,period,value,comment 或 地区,指标,时期,数值,备注")],
            ),
            (
                "a missing column",
                b"region,period,value\ntown-a,2023Q1,1\n",
                vec![],
                vec![(1, "表头缺少“指标”（indicator）列；表头应为 region,indicator,period,value,comment 或 地区,指标,时期,数值,备注")],
            ),
            ("a column twice", b"region,region,indicator,period,value\n", vec![], vec![(1, "表头中的“region”出现了两次")]),
            (
                "时期 and 报告期 both",
                "地区,指标,时期,报告期,数值\n".as_bytes(),
                vec![],
                vec![(1, "表头中的“时期”和“报告期”是同一列（时期）")],
            ),
            ("an empty file", b"", vec![], vec![(1, "文件是空的；第一行应是表头：region,indicator,period,value,comment 或 地区,指标,时期,数值,备注")]),
            ("only a byte-order mark", b"\xEF\xBB\xBF", vec![], vec![(1, "文件是空的")]),
        ];
        for (name, bytes, want_rows, want_errors) in cases {
            let parsed = read(bytes).unwrap();
            assert_eq!(&parsed.rows, want_rows, "{name}");
            let got: Vec<usize> = parsed.errors.iter().map(|e| e.row).collect();
            let want: Vec<usize> = want_errors.iter().map(|(r, _)| *r).collect();
            assert_eq!(got, want, "{name}: {:?}", parsed.errors);
            for (e, (_, message)) in parsed.errors.iter().zip(want_errors) {
                assert!(e.message.starts_with(message), "{name}: {} is not {message}", e.message);
            }
        }
    }

    #[test]
    fn a_file_saved_in_gbk_reads_as_its_chinese_text() {
        let text = "地区,指标,报告期,数值,备注\r\n甲镇,R&D经费支出,2023Q1,3.5,含“企业”部分\r\n";
        let (gbk, _, unmappable) = encoding_rs::GB18030.encode(text);
        assert!(!unmappable);
        assert!(std::str::from_utf8(&gbk).is_err(), "the test needs bytes that are not UTF-8");
        let parsed = read(&gbk).unwrap();
        assert_eq!(parsed.errors, []);
        assert_eq!(parsed.rows, [row(2, "甲镇", "R&D经费支出", "2023Q1", 3.5, Some("含“企业”部分"))]);
        // 甲镇 in GBK in an otherwise ASCII file
        let gbk = b"region,indicator,period,value,comment\ntown-a,gdp,2023Q1,1,\xbc\xd7\xd5\xf2\n";
        assert_eq!(read(gbk).unwrap().rows[0].comment.as_deref(), Some("甲镇"));
        assert_eq!(read(b"region\n\xff\xfe\n"), Err(FileError::NotText { line: 2 }));
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
