//! The World Bank's WDI bulk CSV as downloaded (`API_<series>_DS2_en_csv_v2_….csv`): a byte-order
//! mark, four preamble lines (`"Data Source","World Development Indicators",`, a blank line,
//! `"Last Updated Date","2024-06-28",`, a blank line), then the header `"Country Name","Country
//! Code","Indicator Name","Indicator Code","1960",…,"2023",`: every field quoted, a trailing comma,
//! one column per year. The header is found by its `Country Code` cell and the years by their
//! cells, so a file cut to fewer years, or one without the preamble, reads the same.
//!
//! Rows are the file's physical lines (the header of a downloaded file is line 5). Each filled
//! cell becomes an [`ImportRow`] whose region is the country's code and whose period is the year;
//! empty cells (and `..`, DataBank's mark for "no data") are no figure. Which countries are
//! benchmark regions, and which indicator the series goes into, is for the engine to say.

use super::{ImportRow, Lines, Parsed, RowError, WdiCountry, WdiFile};

const COUNTRY_CODE: &str = "Country Code";
const COUNTRY_NAME: &str = "Country Name";
const INDICATOR_CODE: &str = "Indicator Code";
const INDICATOR_NAME: &str = "Indicator Name";

/// Whether the text is a WDI file: its first line is the preamble or the header.
pub fn looks_like(text: &str) -> bool {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or_default();
    let mut reader = ::csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(first.as_bytes());
    let Some(Ok(record)) = reader.records().next() else { return false };
    let cells: Vec<&str> = record.iter().map(super::header_text).collect();
    cells.first() == Some(&"Data Source") || cells.contains(&COUNTRY_CODE) && cells.contains(&INDICATOR_CODE)
}

/// Where the columns stand.
struct Header {
    code: usize,
    name: Option<usize>,
    indicator_code: Option<usize>,
    indicator_name: Option<usize>,
    years: Vec<(usize, i32)>,
}

impl Header {
    /// The header, when `record` is it; the preamble lines are not.
    fn find(record: &::csv::StringRecord) -> Option<Header> {
        let at = |label: &str| record.iter().position(|c| super::header_text(c) == label);
        let years = record
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let text = super::header_text(c);
                let year: i32 = text.parse().ok().filter(|_| text.len() == 4)?;
                (1900..=2100).contains(&year).then_some((i, year))
            })
            .collect();
        Some(Header {
            code: at(COUNTRY_CODE)?,
            name: at(COUNTRY_NAME),
            indicator_code: at(INDICATOR_CODE),
            indicator_name: at(INDICATOR_NAME),
            years,
        })
    }
}

pub fn read(text: &str) -> Parsed {
    let bytes = text.as_bytes();
    let mut reader = ::csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut lines = Lines::new(bytes);
    let mut out = Parsed::default();
    let mut file = WdiFile::default();
    let mut header: Option<Header> = None;
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.at(p.byte() as usize));
                out.errors.push(RowError::new(line, "这一行无法按CSV格式读取"));
                continue;
            }
        };
        let line = record.position().map_or(1, |p| lines.at(p.byte() as usize));
        let Some(h) = &header else {
            if let Some(found) = Header::find(&record) {
                if found.years.is_empty() {
                    out.errors.push(RowError::new(line, "世界银行WDI文件的表头中没有年份列（如“2023”）"));
                    break;
                }
                header = Some(found);
            }
            continue;
        };
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let cell = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or_default().trim();
        let code = cell(Some(h.code));
        if code.is_empty() {
            out.errors.push(RowError::new(line, "国家代码（Country Code）为空"));
            continue;
        }
        let series = cell(h.indicator_code);
        if file.indicator_code.is_empty() {
            file.indicator_code = series.to_string();
            file.indicator_name = cell(h.indicator_name).to_string();
        } else if !series.is_empty() && series != file.indicator_code {
            out.errors.push(RowError::new(
                line,
                format!(
                    "这一行是WDI指标{series}，而前面的行是{}；一个文件一次只能导入一个WDI指标",
                    file.indicator_code
                ),
            ));
            continue;
        }
        file.countries.push(WdiCountry { row: line, code: code.to_string(), name: cell(h.name).to_string() });
        for &(col, year) in &h.years {
            let text = cell(Some(col));
            if text.is_empty() || text == ".." {
                continue;
            }
            match super::parse_number(text) {
                Ok(value) => out.rows.push(ImportRow {
                    row: line,
                    region: code.to_string(),
                    indicator: String::new(),
                    period: year.to_string(),
                    value,
                    comment: None,
                }),
                Err(message) => out.errors.push(RowError::new(line, format!("{year}年{message}"))),
            }
        }
    }
    if header.is_none() && out.errors.is_empty() {
        out.errors.push(RowError::new(
            1,
            "世界银行WDI文件中没有找到表头（\"Country Name\",\"Country Code\",\"Indicator Name\",\"Indicator Code\",\"1960\",…）",
        ));
    }
    out.wdi = Some(file);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The layout of a downloaded file, cut to three years.
    const FILE: &str = "\u{feff}\"Data Source\",\"World Development Indicators\",\n\n\
        \"Last Updated Date\",\"2024-06-28\",\n\n\
        \"Country Name\",\"Country Code\",\"Indicator Name\",\"Indicator Code\",\"2020\",\"2021\",\"2022\",\n\
        \"Aruba\",\"ABW\",\"Research and development expenditure (% of GDP)\",\"GB.XPD.RSDV.GD.ZS\",\"\",\"\",\"\",\n\
        \"China\",\"CHN\",\"Research and development expenditure (% of GDP)\",\"GB.XPD.RSDV.GD.ZS\",\"2.40662002563477\",\"2.43\",\"\",\n\
        \"Korea, Rep.\",\"KOR\",\"Research and development expenditure (% of GDP)\",\"GB.XPD.RSDV.GD.ZS\",\"4.8\",\"x\",\"5.21\",\n";

    #[test]
    fn a_downloaded_file_is_told_apart_from_other_csv() {
        assert!(looks_like(FILE.trim_start_matches('\u{feff}')));
        assert!(looks_like("\"Country Name\",\"Country Code\",\"Indicator Name\",\"Indicator Code\",\"1960\",\n"));
        assert!(!looks_like("region,indicator,period,value\n"));
        assert!(!looks_like("地区,指标,时期,数值\n"));
        assert!(!looks_like(""));
    }

    #[test]
    fn reads_filled_cells_by_physical_line_and_year() {
        let parsed = super::super::csv_file::read(FILE.as_bytes()).unwrap();
        let rows: Vec<(usize, &str, &str, f64)> =
            parsed.rows.iter().map(|r| (r.row, r.region.as_str(), r.period.as_str(), r.value)).collect();
        assert_eq!(
            rows,
            [
                (7, "CHN", "2020", 2.40662002563477),
                (7, "CHN", "2021", 2.43),
                (8, "KOR", "2020", 4.8),
                (8, "KOR", "2022", 5.21)
            ]
        );
        assert_eq!(parsed.errors, [RowError::new(8, "2021年数值“x”不是数字")]);
        let file = parsed.wdi.unwrap();
        assert_eq!(
            (file.indicator_code.as_str(), file.indicator_name.as_str()),
            ("GB.XPD.RSDV.GD.ZS", "Research and development expenditure (% of GDP)")
        );
        let countries: Vec<(usize, &str, &str)> =
            file.countries.iter().map(|c| (c.row, c.code.as_str(), c.name.as_str())).collect();
        assert_eq!(countries, [(6, "ABW", "Aruba"), (7, "CHN", "China"), (8, "KOR", "Korea, Rep.")]);
    }

    #[test]
    fn files_that_break_the_layout_name_their_line() {
        // (name, file, errors, how many good figures)
        let cases: &[(&str, &str, Vec<(usize, &str)>, usize)] = &[
            (
                "no header",
                "\"Data Source\",\"World Development Indicators\",\n\n",
                vec![(1, "世界银行WDI文件中没有找到表头")],
                0,
            ),
            (
                "no year columns",
                "\"Data Source\",\"WDI\",\n\"Country Name\",\"Country Code\",\"Indicator Name\",\"Indicator Code\",\n",
                vec![(2, "世界银行WDI文件的表头中没有年份列")],
                0,
            ),
            (
                "two series in one file",
                "\"Country Name\",\"Country Code\",\"Indicator Name\",\"Indicator Code\",\"2022\",\n\
                 \"China\",\"CHN\",\"R&D\",\"GB.XPD.RSDV.GD.ZS\",\"2.56\",\n\
                 \"China\",\"CHN\",\"GDP\",\"NY.GDP.MKTP.CD\",\"1.8E13\",\n",
                vec![(
                    3,
                    "这一行是WDI指标NY.GDP.MKTP.CD，而前面的行是GB.XPD.RSDV.GD.ZS；一个文件一次只能导入一个WDI指标",
                )],
                1,
            ),
            (
                "a line without its country code",
                "\"Country Name\",\"Country Code\",\"Indicator Name\",\"Indicator Code\",\"2022\",\n\"China\",\"\",\"R&D\",\"GB\",\"2.56\",\n",
                vec![(2, "国家代码（Country Code）为空")],
                0,
            ),
        ];
        for (name, text, want, good) in cases {
            let parsed = read(text);
            let got: Vec<(usize, &str)> = parsed.errors.iter().map(|e| (e.row, e.message.as_str())).collect();
            assert_eq!(got.len(), want.len(), "{name}: {got:?}");
            for ((row, message), (want_row, want_message)) in got.iter().zip(want) {
                assert_eq!(row, want_row, "{name}");
                assert!(message.starts_with(want_message), "{name}: {message}");
            }
            assert_eq!(parsed.rows.len(), *good, "{name}");
        }
    }
}
