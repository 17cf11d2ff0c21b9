//! Imports of the enterprise register (企业库) from the bureau's spreadsheets, CSV or Excel:
//!
//! - the list, `code,name,region,year,scale,high_tech,sales_over_100m,major_project` (or
//!   `统一社会信用代码,企业名称,地区,年度,规模以上,高新技术企业,销售超亿元,重大项目企业`), one row per
//!   enterprise and year. The rows of one code make one enterprise; a row's year replaces that
//!   year's attributes and keeps the enterprise's other years and its R&D institutions. Flags are
//!   是/否, 1/0, true/false, Y/N (or √/×); a blank flag is 否. A region is named by id or exact name.
//! - the figures, `code,period,measure,value` (`统一社会信用代码,时期,指标,数值`; `期别` or `报告期`
//!   for 时期): a measure by code or Chinese label, a period as `2024Q1`, `2024`, `2024年一季度` or
//!   `2024年`; the figures of one enterprise and period replace those of the same measures.
//!
//! The header is the first row naming the code column (rows above it, a title say, are skipped);
//! columns may stand in any order, and columns zhibiao does not know (序号, 备注) are left alone.
//! Rows are numbered as a spreadsheet shows them. Every problem is a row error naming its row and
//! column in Chinese; a file with any error stores nothing, and a dry run stores nothing and
//! answers what a real import would do. Writes are audited as `PUT /enterprises/{code}` and
//! `PUT /enterprises/{code}/values` audit theirs.
//!
//! Access: admins import any enterprise; a statistician those of the regions they may see (an
//! enterprise of another region is a row error); viewers and officers may not import (403).

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::enterprises::{MeasureValue, PeriodValues};
use super::imports::{MAX_LISTED_ERRORS, Names, may_import};
use super::{Scope, World, audit_change};
use crate::domain::access::User;
use crate::domain::enterprise::{CreditCode, Enterprise, EnterpriseDraft, MAX_NAME_CHARS, Measure, YearAttributes};
use crate::domain::{Period, text};
use crate::error::AppResult;
use crate::store;
use crate::transfer::{self, FileError, Format};

/// What a file holds: the list of enterprises or their figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    /// `code,name,region,year,scale,high_tech,sales_over_100m,major_project`
    #[default]
    List,
    /// `code,period,measure,value`
    Figures,
}

/// A problem of one row: its number as a spreadsheet shows it (the header is row 1 when it is the
/// first row), the column (`code`, `region`, `year`, `value`, …; `header` for the header, `row`
/// for a row that cannot be read at all) and what is wrong, in Chinese, with the row first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ImportRowError {
    pub row: usize,
    #[schema(example = "code")]
    pub field: String,
    #[schema(example = "第3行：统一社会信用代码“91350100M000100Y44”的校验码不对（按前17位应为3），请核对")]
    pub message: String,
}

/// What an import did, or a dry run would do.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct EnterpriseImportOutcome {
    pub kind: ImportKind,
    pub dry_run: bool,
    /// rows of data read (not the header, not blank rows)
    pub rows: usize,
    /// the list: enterprises not registered before
    pub created: usize,
    /// the list: registered enterprises whose name, region or years change
    pub updated: usize,
    /// the list: registered enterprises the file repeats exactly
    pub unchanged: usize,
    /// the list: years of attributes that are new or change
    pub years: usize,
    /// the figures: figures that are new or change
    pub figures: usize,
    /// the figures: stored figures the file repeats exactly
    pub figures_unchanged: usize,
    /// every problem by row (at most 200 listed); any of them and nothing is stored
    pub errors: Vec<ImportRowError>,
    /// how many problems the file has in all, listed or not
    pub error_count: usize,
}

impl EnterpriseImportOutcome {
    /// What a refused import says in one sentence.
    pub fn error_message(&self) -> String {
        if self.error_count > self.errors.len() {
            format!("文件有{}处错误，仅列出前{}条（见各行说明），没有导入任何数据", self.error_count, self.errors.len())
        } else {
            format!("文件有{}处错误（见各行说明），没有导入任何数据", self.error_count)
        }
    }

    /// `新增3家企业…`: the counts as a sentence.
    pub fn counts(&self) -> String {
        match self.kind {
            ImportKind::List => format!(
                "新增企业{}家，更新{}家，未变{}家；新增或改动年度信息{}条",
                self.created, self.updated, self.unchanged, self.years
            ),
            ImportKind::Figures => {
                format!("新增或改动企业数据{}个，未变{}个", self.figures, self.figures_unchanged)
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Columns

struct Column {
    field: &'static str,
    /// the English name, then the Chinese ones (the first is the one messages use)
    names: &'static [&'static str],
}

const LIST: [Column; 8] = [
    Column { field: "code", names: &["code", "统一社会信用代码"] },
    Column { field: "name", names: &["name", "企业名称"] },
    Column { field: "region", names: &["region", "地区"] },
    Column { field: "year", names: &["year", "年度", "年份"] },
    Column { field: "scale", names: &["scale", "规模以上", "规上企业", "规模以上企业"] },
    Column { field: "high_tech", names: &["high_tech", "高新技术企业"] },
    Column { field: "sales_over_100m", names: &["sales_over_100m", "销售超亿元", "销售超亿元企业"] },
    Column { field: "major_project", names: &["major_project", "重大项目企业"] },
];

const FIGURES: [Column; 4] = [
    Column { field: "code", names: &["code", "统一社会信用代码"] },
    Column { field: "period", names: &["period", "时期", "期别", "报告期"] },
    Column { field: "measure", names: &["measure", "指标"] },
    Column { field: "value", names: &["value", "数值"] },
];

fn columns(kind: ImportKind) -> &'static [Column] {
    match kind {
        ImportKind::List => &LIST,
        ImportKind::Figures => &FIGURES,
    }
}

/// `code,name,… 或 统一社会信用代码,企业名称,…`
fn both_headers(kind: ImportKind) -> String {
    let english: Vec<&str> = columns(kind).iter().map(|c| c.names[0]).collect();
    let chinese: Vec<&str> = columns(kind).iter().map(|c| c.names[1]).collect();
    format!("{} 或 {}", english.join(","), chinese.join(","))
}

/// The Chinese name of a column, as messages say it.
fn label(field: &str) -> &'static str {
    match LIST.iter().chain(&FIGURES).find(|c| c.field == field) {
        Some(c) => c.names[1],
        None if field == "header" => "表头",
        None => "",
    }
}

// ---------------------------------------------------------------------------------------------
// Reading a file as a table of text

/// A file's rows as text, numbered as a spreadsheet shows them; a cell that cannot be read (a
/// formula without a computed value) holds why.
#[derive(Debug, Default)]
pub struct Table {
    rows: Vec<Line>,
    /// rows that cannot be read at all
    broken: Vec<usize>,
}

#[derive(Debug)]
struct Line {
    row: usize,
    cells: Vec<(usize, Result<String, String>)>,
}

impl Line {
    fn cell(&self, col: usize) -> Result<&str, &str> {
        match self.cells.iter().find(|(c, _)| *c == col) {
            Some((_, Ok(text))) => Ok(text.trim()),
            Some((_, Err(why))) => Err(why),
            None => Ok(""),
        }
    }

    fn is_blank(&self) -> bool {
        self.cells.iter().all(|(_, cell)| cell.as_ref().is_ok_and(|t| t.trim().is_empty()))
    }
}

/// Reads a CSV (UTF-8 or GBK/GB18030) or Excel (the first worksheet) file, as the figure import
/// reads them. A file that is neither is refused as a whole.
pub fn read_table(format: Format, bytes: &[u8]) -> Result<Table, FileError> {
    match format {
        Format::Csv => csv_table(bytes),
        Format::Xlsx => xlsx_table(bytes),
        Format::Dhis2 => Err(FileError::NotXlsx("企业名单和企业数据只能从CSV或Excel文件导入".into())),
    }
}

fn csv_table(bytes: &[u8]) -> Result<Table, FileError> {
    let text = transfer::decode(bytes)?;
    let bytes = text.as_bytes();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut lines = transfer::Lines::new(bytes);
    // lines taken by line breaks inside quoted fields so far: a spreadsheet row is a record
    let mut extra_lines = 0;
    let mut table = Table::default();
    for record in reader.records() {
        match record {
            Ok(record) => {
                let row = record.position().map_or(1, |p| lines.at(p.byte() as usize)) - extra_lines;
                extra_lines += record.iter().map(|f| f.matches('\n').count()).sum::<usize>();
                let cells = record.iter().enumerate().map(|(i, f)| (i, Ok(f.to_string()))).collect();
                table.rows.push(Line { row, cells });
            }
            Err(e) => table.broken.push(e.position().map_or(0, |p| lines.at(p.byte() as usize) - extra_lines)),
        }
    }
    Ok(table)
}

fn xlsx_table(bytes: &[u8]) -> Result<Table, FileError> {
    transfer::xlsx::check_inflated_size(bytes)?;
    let grid = transfer::xlsx::read_grid(bytes)?;
    let mut rows: BTreeMap<u32, Vec<(usize, Result<String, String>)>> = BTreeMap::new();
    for (&(r, c), cell) in &grid.cells {
        rows.entry(r).or_default().push((c as usize, Ok(transfer::xlsx::cell_text(Some(cell)))));
    }
    for (&(r, c), formula) in &grid.formulas {
        let shown: String = formula.chars().take(40).collect();
        let why = format!("{}是公式（={shown}），没有计算结果；请填写内容", transfer::xlsx::cell_name(r, c));
        rows.entry(r).or_default().push((c as usize, Err(why)));
    }
    let rows = rows
        .into_iter()
        .map(|(r, mut cells)| {
            cells.sort_by_key(|(c, _)| *c);
            Line { row: r as usize + 1, cells }
        })
        .collect();
    Ok(Table { rows, broken: Vec::new() })
}

/// Where the header stands among the rows, and the column of each of `columns(kind)`.
fn header(kind: ImportKind, table: &Table) -> Result<(usize, Vec<usize>), (usize, String)> {
    let wanted = columns(kind);
    let which = |cell: &str| {
        let name = transfer::header_text(cell);
        let lower = name.to_ascii_lowercase();
        wanted.iter().position(|c| c.names[0] == lower || c.names[1..].contains(&name))
    };
    let is_code = |cell: &Result<String, String>| cell.as_ref().is_ok_and(|t| which(t) == Some(0));
    let Some(at) = table.rows.iter().position(|l| l.cells.iter().any(|(_, cell)| is_code(cell))) else {
        let row = table.rows.first().map_or(1, |l| l.row);
        let message = if table.rows.iter().all(Line::is_blank) {
            format!("文件是空的；第一行应是表头：{}", both_headers(kind))
        } else {
            format!("没有找到表头（含“统一社会信用代码”或“code”列的一行）；表头应为 {}", both_headers(kind))
        };
        return Err((row, message));
    };
    let line = &table.rows[at];
    let mut found: Vec<Option<usize>> = vec![None; wanted.len()];
    for (col, cell) in &line.cells {
        let Some(k) = cell.as_ref().ok().and_then(|t| which(t)) else { continue };
        if found[k].replace(*col).is_some() {
            return Err((line.row, format!("表头中“{}”（{}）列出现了两次", wanted[k].names[1], wanted[k].field)));
        }
    }
    let missing: Vec<String> = wanted
        .iter()
        .zip(&found)
        .filter(|(_, f)| f.is_none())
        .map(|(c, _)| format!("“{}”（{}）", c.names[1], c.field))
        .collect();
    if !missing.is_empty() {
        return Err((line.row, format!("表头缺少{}列；表头应为 {}", missing.join("、"), both_headers(kind))));
    }
    Ok((at, found.into_iter().map(|f| f.expect("none missing")).collect()))
}

// ---------------------------------------------------------------------------------------------
// What cells say

/// A flag as spreadsheets write it: 是/否, 1/0, true/false, Y/N, yes/no, √/× (any case, half- or
/// full-width); blank is 否.
pub fn flag(text: &str) -> Option<bool> {
    let t = text.trim_matches(text::is_space).to_lowercase();
    match t.as_str() {
        "是" | "1" | "１" | "true" | "y" | "ｙ" | "yes" | "√" => Some(true),
        "否" | "0" | "０" | "false" | "n" | "ｎ" | "no" | "×" | "" => Some(false),
        _ => None,
    }
}

/// A year as typed: `2024`, `２０２４`, `2024年`, or a cell holding the number 2024.
pub fn year(text: &str) -> Option<i32> {
    let t = text.trim_matches(text::is_space);
    let t = t.strip_suffix('年').unwrap_or(t);
    let value = transfer::parse_number(t).ok()?;
    (value.fract() == 0.0 && (1900.0..=2200.0).contains(&value)).then_some(value as i32)
}

/// A period as typed: `2024Q1` (any case), `2024`, or as zhibiao labels it, `2024年一季度`, `2024年`.
pub fn period(text: &str) -> Option<Period> {
    let t = text.trim_matches(text::is_space).to_ascii_uppercase();
    if let Ok(p) = t.parse::<Period>() {
        return Some(p);
    }
    let y: i32 = t.get(..4)?.parse().ok()?;
    (0..=4).filter_map(|q| Period::from_parts(y, q)).find(|p| p.label() == t)
}

fn measure_list() -> String {
    Measure::ALL.iter().map(|m| format!("{}（{}）", m.label(), m.as_str())).collect::<Vec<_>>().join("、")
}

// ---------------------------------------------------------------------------------------------
// The import

/// Problems as found; listed by row at the end.
#[derive(Default)]
struct Problems(Vec<ImportRowError>);

/// The 统一社会信用代码 of a row's cell, or its problem.
fn code_cell(text: &str, row: usize, problems: &mut Problems) -> Option<CreditCode> {
    if text.is_empty() {
        problems.push(row, "code", "统一社会信用代码为空");
        return None;
    }
    CreditCode::parse(text).map_err(|e| problems.push(row, "code", e)).ok()
}

impl Problems {
    /// `第3行：地区“北京”不存在`; a message that does not name its column gets it in front.
    fn push(&mut self, row: usize, field: &str, message: impl Into<String>) {
        let message = message.into();
        let named = label(field);
        let message =
            if named.is_empty() || message.contains(named) { message } else { format!("{named}：{message}") };
        let message = if row == 0 { message } else { format!("第{row}行：{message}") };
        self.0.push(ImportRowError { row, field: field.to_string(), message });
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn into_outcome(mut self, out: &mut EnterpriseImportOutcome) {
        out.error_count = self.0.len();
        self.0.sort_by_key(|e| e.row);
        self.0.truncate(MAX_LISTED_ERRORS);
        out.errors = self.0;
    }
}

/// The rows of data below the header, with the cells of its columns.
struct Rows<'t> {
    lines: &'t [Line],
    columns: Vec<usize>,
}

/// Checks every row of `table` as a `kind` file and, unless it is a dry run or a row has an
/// error, stores them in the caller's transaction.
pub fn import(
    conn: &Connection,
    user: &User,
    kind: ImportKind,
    table: &Table,
    dry_run: bool,
) -> AppResult<EnterpriseImportOutcome> {
    may_import(user)?;
    let world = super::world(conn)?;
    let mut out = EnterpriseImportOutcome { kind, dry_run, ..Default::default() };
    let mut problems = Problems::default();
    for &row in &table.broken {
        problems.push(row, "row", "这一行无法按CSV格式读取");
    }
    match header(kind, table) {
        Err((row, message)) => problems.push(row, "header", message),
        Ok((at, columns)) => {
            let lines: Vec<&Line> = table.rows[at + 1..].iter().filter(|l| !l.is_blank()).collect();
            out.rows = lines.len();
            if lines.is_empty() {
                problems.push(table.rows[at].row, "header", "表头下面没有数据");
            }
            let rows = Rows { lines: &table.rows[at + 1..], columns };
            match kind {
                ImportKind::List => import_list(conn, &world, user, &rows, dry_run, &mut out, &mut problems)?,
                ImportKind::Figures => import_figures(conn, &world, user, &rows, dry_run, &mut out, &mut problems)?,
            }
        }
    }
    problems.into_outcome(&mut out);
    Ok(out)
}

/// A row's cell of column `k`, or its error (the file's) named on the row.
fn cell<'l>(line: &'l Line, rows: &Rows<'_>, kind: ImportKind, k: usize, problems: &mut Problems) -> Option<&'l str> {
    match line.cell(rows.columns[k]) {
        Ok(text) => Some(text),
        Err(why) => {
            problems.push(line.row, columns(kind)[k].field, why);
            None
        }
    }
}

/// `甲镇（town-jia）`
fn region_named(world: &World, id: &str) -> String {
    world.tree.get(id).map_or_else(|| id.to_string(), |r| format!("{}（{id}）", r.name))
}

/// A list row as read.
struct ListRow<'w> {
    row: usize,
    code: CreditCode,
    name: String,
    region: &'w str,
    attributes: YearAttributes,
}

fn import_list(
    conn: &Connection,
    world: &World,
    user: &User,
    rows: &Rows<'_>,
    dry_run: bool,
    out: &mut EnterpriseImportOutcome,
    problems: &mut Problems,
) -> AppResult<()> {
    let kind = ImportKind::List;
    let names = Names::new(world);
    let mut read: Vec<ListRow> = Vec::new();
    for line in rows.lines.iter().filter(|l| !l.is_blank()) {
        let before = problems.0.len();
        let row = line.row;
        let texts: Vec<Option<&str>> = (0..LIST.len()).map(|k| cell(line, rows, kind, k, problems)).collect();
        let code = texts[0].and_then(|t| code_cell(t, row, problems));
        let name = texts[1].and_then(|t| {
            text::name(t, MAX_NAME_CHARS).map_err(|e| problems.push(row, "name", format!("企业{e}"))).ok()
        });
        let region = texts[2].and_then(|t| match t {
            "" => {
                problems.push(row, "region", "地区为空");
                None
            }
            t => names.region(t).map_err(|e| problems.push(row, "region", e)).ok(),
        });
        if let Some(id) = region
            && !user.may_see_enterprises(&world.tree, id)
        {
            let message = format!("用户“{}”无权导入{}的企业", user.name, region_named(world, id));
            problems.push(row, "region", message);
        }
        let year = texts[3].and_then(|t| match (t, year(t)) {
            ("", _) => {
                problems.push(row, "year", "年度为空");
                None
            }
            (_, Some(y)) => Some(y),
            (t, None) => {
                let shown: String = t.chars().take(20).collect();
                problems.push(row, "year", format!("年度“{shown}”应为1900到2200之间的整数"));
                None
            }
        });
        let mut flags = [false; 4];
        for (k, slot) in flags.iter_mut().enumerate() {
            let column = &LIST[4 + k];
            if let Some(t) = texts[4 + k] {
                match flag(t) {
                    Some(v) => *slot = v,
                    None => {
                        let shown: String = t.chars().take(20).collect();
                        let message = format!("{}“{shown}”应填 是/否（或 1/0、true/false、Y/N）", column.names[1]);
                        problems.push(row, column.field, message);
                    }
                }
            }
        }
        if problems.0.len() > before {
            continue;
        }
        let (Some(code), Some(name), Some(region), Some(year)) = (code, name, region, year) else { continue };
        let [scale, high_tech, sales_over_100m, major_project] = flags;
        let attributes = YearAttributes { year, scale, high_tech, sales_over_100m, major_project };
        read.push(ListRow { row, code, name, region, attributes });
    }

    // the rows of each code, in the order of their first row
    let mut order: Vec<&CreditCode> = Vec::new();
    let mut by_code: HashMap<&CreditCode, Vec<&ListRow>> = HashMap::new();
    for r in &read {
        let rows = by_code.entry(&r.code).or_insert_with(|| {
            order.push(&r.code);
            Vec::new()
        });
        let first = rows.first().copied();
        if let Some(first) = first {
            if first.name != r.name {
                let message = format!("企业名称与第{}行（{}）不同；同一企业各行的名称应相同", first.row, first.name);
                problems.push(r.row, "name", message);
                continue;
            }
            if first.region != r.region {
                let message = format!("地区与第{}行（{}）不同；同一企业各行的地区应相同", first.row, first.region);
                problems.push(r.row, "region", message);
                continue;
            }
        }
        if let Some(same) = rows.iter().find(|o| o.attributes.year == r.attributes.year) {
            let message = format!("年度{}与第{}行重复；同一企业每个年度只能有一行", r.attributes.year, same.row);
            problems.push(r.row, "year", message);
            continue;
        }
        rows.push(r);
    }

    let mut writes: Vec<(Option<Enterprise>, Enterprise)> = Vec::new();
    for code in order {
        let rows = &by_code[code];
        let first = rows[0];
        let old = store::enterprises::get(conn, code.as_str())?;
        if let Some(old) = &old
            && !user.may_see_enterprises(&world.tree, old.region.as_str())
        {
            let message =
                format!("企业“{code}”登记在{}，用户“{}”无权修改", region_named(world, old.region.as_str()), user.name);
            problems.push(first.row, "code", message);
            continue;
        }
        let mut years: Vec<YearAttributes> = old.iter().flat_map(|o| o.years.iter().copied()).collect();
        years.retain(|y| rows.iter().all(|r| r.attributes.year != y.year));
        years.extend(rows.iter().map(|r| r.attributes));
        let draft = EnterpriseDraft {
            name: first.name.clone(),
            region: first.region.to_string(),
            years,
            institutions: old.as_ref().map(|o| o.institutions.clone()).unwrap_or_default(),
        };
        match draft.check(code.clone(), &world.tree) {
            Ok(new) => {
                out.years += rows
                    .iter()
                    .filter(|r| {
                        old.as_ref().and_then(|o| o.years.iter().find(|y| y.year == r.attributes.year))
                            != Some(&r.attributes)
                    })
                    .count();
                match &old {
                    None => out.created += 1,
                    Some(o) if *o == new => out.unchanged += 1,
                    Some(_) => out.updated += 1,
                }
                if old.as_ref() != Some(&new) {
                    writes.push((old, new));
                }
            }
            Err(errors) => {
                for e in errors {
                    let field = ["name", "region"].into_iter().find(|f| e.field == *f).unwrap_or("year");
                    problems.push(first.row, field, e.message);
                }
            }
        }
    }
    if dry_run || !problems.is_empty() {
        return Ok(());
    }
    for (old, new) in &writes {
        save_enterprise(conn, user, old.as_ref(), new)?;
    }
    Ok(())
}

/// Stores an enterprise whole, audited as `engine::enterprises::put` audits it; `old` is what is
/// stored now (the caller read it).
fn save_enterprise(conn: &Connection, user: &User, old: Option<&Enterprise>, new: &Enterprise) -> AppResult<()> {
    store::enterprises::save(conn, new)?;
    let action = if old.is_some() { "update" } else { "create" };
    let scope = Scope { region: Some(new.region.as_str()), ..Default::default() };
    audit_change(conn, &user.name, action, "enterprise", new.code.as_str(), scope, old, Some(new))
}

/// A figures row as read.
struct FigureRow {
    row: usize,
    code: CreditCode,
    period: Period,
    measure: Measure,
    value: f64,
}

fn import_figures(
    conn: &Connection,
    world: &World,
    user: &User,
    rows: &Rows<'_>,
    dry_run: bool,
    out: &mut EnterpriseImportOutcome,
    problems: &mut Problems,
) -> AppResult<()> {
    let kind = ImportKind::Figures;
    let mut registered: HashMap<CreditCode, Option<Enterprise>> = HashMap::new();
    let mut read: Vec<FigureRow> = Vec::new();
    for line in rows.lines.iter().filter(|l| !l.is_blank()) {
        let before = problems.0.len();
        let row = line.row;
        let texts: Vec<Option<&str>> = (0..FIGURES.len()).map(|k| cell(line, rows, kind, k, problems)).collect();
        let code = texts[0].and_then(|t| code_cell(t, row, problems));
        if let Some(code) = &code {
            if !registered.contains_key(code) {
                registered.insert(code.clone(), store::enterprises::get(conn, code.as_str())?);
            }
            match &registered[code] {
                None => problems.push(row, "code", format!("统一社会信用代码为“{code}”的企业未登记；请先导入企业名单")),
                Some(e) if !user.may_see_enterprises(&world.tree, e.region.as_str()) => {
                    let message = format!(
                        "用户“{}”无权导入{}企业“{code}”的数据",
                        user.name,
                        region_named(world, e.region.as_str())
                    );
                    problems.push(row, "code", message);
                }
                Some(_) => {}
            }
        }
        let period = texts[1].and_then(|t| {
            let found = period(t);
            if found.is_none() {
                let shown: String = t.chars().take(20).collect();
                problems.push(row, "period", format!("时期“{shown}”应写作 YYYYQn 或 YYYY，如 2024Q1、2024"));
            }
            found
        });
        let measure = texts[2].and_then(|t| {
            let found = Measure::parse(t.trim());
            if found.is_none() {
                let shown: String = t.chars().take(40).collect();
                problems.push(row, "measure", format!("指标“{shown}”不是企业指标（可用 {}）", measure_list()));
            }
            found
        });
        let value = texts[3].and_then(|t| transfer::parse_number(t).map_err(|e| problems.push(row, "value", e)).ok());
        if let (Some(m), Some(v)) = (measure, value)
            && let Err(e) = m.check(v)
        {
            problems.push(row, "value", e);
        }
        if problems.0.len() > before {
            continue;
        }
        let (Some(code), Some(period), Some(measure), Some(value)) = (code, period, measure, value) else { continue };
        read.push(FigureRow { row, code, period, measure, value });
    }

    // each enterprise and period is one batch of PUT /enterprises/{code}/values
    let mut first: HashMap<(&CreditCode, Period, Measure), usize> = HashMap::new();
    let mut order: Vec<(&CreditCode, Period)> = Vec::new();
    let mut batches: HashMap<(&CreditCode, Period), Vec<(Measure, f64)>> = HashMap::new();
    for r in &read {
        match first.entry((&r.code, r.period, r.measure)) {
            Entry::Occupied(e) => {
                let message = format!("与第{}行重复：同一企业、时期和指标只能有一个数值", e.get());
                problems.push(r.row, "measure", message);
                continue;
            }
            Entry::Vacant(e) => {
                e.insert(r.row);
            }
        }
        batches
            .entry((&r.code, r.period))
            .or_insert_with(|| {
                order.push((&r.code, r.period));
                Vec::new()
            })
            .push((r.measure, r.value));
    }
    let mut writes = Vec::new();
    for key in order {
        let (code, period) = key;
        let values = &batches[&key];
        let before = period_values(conn, code, period)?;
        let changed =
            values.iter().filter(|(m, v)| !before.values.iter().any(|o| o.measure == *m && o.value == *v)).count();
        out.figures += changed;
        out.figures_unchanged += values.len() - changed;
        if changed > 0 {
            let region = registered[code].as_ref().map(|e| e.region.to_string()).unwrap_or_default();
            writes.push((code, period, values, before, region));
        }
    }
    if dry_run || !problems.is_empty() {
        return Ok(());
    }
    for (code, period, values, before, region) in writes {
        store::enterprises::put_values(conn, code.as_str(), period, values)?;
        let after = period_values(conn, code, period)?;
        let scope = Scope { region: Some(region.as_str()), period: Some(period.to_string()), ..Default::default() };
        audit_change(
            conn,
            &user.name,
            "update",
            "enterprise_values",
            code.as_str(),
            scope,
            Some(&before),
            Some(&after),
        )?;
    }
    Ok(())
}

/// An enterprise's stored figures of a period, as `GET /enterprises/{code}/values` shows them.
fn period_values(conn: &Connection, code: &CreditCode, period: Period) -> AppResult<PeriodValues> {
    let values = store::enterprises::values_of(conn, code.as_str())?
        .into_iter()
        .filter(|(p, _, _)| *p == period)
        .map(|(_, measure, value)| MeasureValue { measure, value })
        .collect();
    Ok(PeriodValues { period: period.to_string(), values })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_as_spreadsheets_write_them() {
        let cases = [
            ("是", Some(true)),
            ("否", Some(false)),
            ("1", Some(true)),
            ("0", Some(false)),
            ("１", Some(true)),
            ("TRUE", Some(true)),
            ("false", Some(false)),
            ("Y", Some(true)),
            ("n", Some(false)),
            ("Yes", Some(true)),
            ("√", Some(true)),
            ("×", Some(false)),
            (" 是\u{3000}", Some(true)),
            ("", Some(false)),
            ("也许", None),
            ("2", None),
            ("是的", None),
        ];
        for (text, want) in cases {
            assert_eq!(flag(text), want, "{text:?}");
        }
    }

    #[test]
    fn years_and_periods_as_people_type_them() {
        let years = [
            ("2024", Some(2024)),
            ("２０２４", Some(2024)),
            ("2024年", Some(2024)),
            (" 2023 ", Some(2023)),
            ("1899", None),
            ("2201", None),
            ("2024.5", None),
            ("二〇二四", None),
            ("", None),
        ];
        for (text, want) in years {
            assert_eq!(year(text), want, "{text:?}");
        }
        let periods = [
            ("2024Q1", Some("2024Q1")),
            ("2024q3", Some("2024Q3")),
            ("2024", Some("2024")),
            ("2024年一季度", Some("2024Q1")),
            ("2023年四季度", Some("2023Q4")),
            ("2024年", Some("2024")),
            ("2024Q5", None),
            ("2024年第一季度", None),
            ("Q1", None),
            ("", None),
        ];
        for (text, want) in periods {
            assert_eq!(period(text).map(|p| p.to_string()).as_deref(), want, "{text:?}");
        }
    }

    fn table(text: &str) -> Table {
        csv_table(text.as_bytes()).unwrap()
    }

    #[test]
    fn the_header_is_found_below_a_title_in_any_order_with_columns_of_its_own() {
        let cases: [(&str, ImportKind, Result<(usize, Vec<usize>), (usize, &str)>); 7] = [
            ("code,period,measure,value\n", ImportKind::Figures, Ok((0, vec![0, 1, 2, 3]))),
            (
                "2024年企业数据\n序号,数值,指标,期别,统一社会信用代码,备注\n",
                ImportKind::Figures,
                Ok((1, vec![4, 3, 2, 1])),
            ),
            (
                "统一社会信用代码,企业名称,地区,年份,规上企业,高新技术企业,销售超亿元,重大项目企业\n",
                ImportKind::List,
                Ok((0, vec![0, 1, 2, 3, 4, 5, 6, 7])),
            ),
            ("Code, Period ,MEASURE,value\n", ImportKind::Figures, Ok((0, vec![0, 1, 2, 3]))),
            (
                "code,name,region,year\n",
                ImportKind::List,
                Err((
                    1,
                    "表头缺少“规模以上”（scale）、“高新技术企业”（high_tech）、“销售超亿元”（sales_over_100m）、“重大项目企业”（major_project）列",
                )),
            ),
            ("code,时期,期别,指标,数值\n", ImportKind::Figures, Err((1, "表头中“时期”（period）列出现了两次"))),
            ("企业,数值\n", ImportKind::Figures, Err((1, "没有找到表头"))),
        ];
        for (text, kind, want) in cases {
            let got = header(kind, &table(text));
            match (got, want) {
                (Ok(got), Ok(want)) => assert_eq!(got, want, "{text}"),
                (Err((row, message)), Err((want_row, want))) => {
                    assert_eq!(row, want_row, "{text}");
                    assert!(message.starts_with(want), "{text}: {message}");
                }
                (got, want) => panic!("{text}: {got:?}, want {want:?}"),
            }
        }
        assert!(header(ImportKind::List, &table("")).unwrap_err().1.starts_with("文件是空的"));
    }

    #[test]
    fn rows_are_numbered_as_a_spreadsheet_shows_them() {
        let t = table("标题\r\ncode,period,measure,value\r\nA,\"2024\nQ1\",x,1\r\n\r\nB,2024Q1,y,2\r\n");
        let rows: Vec<usize> = t.rows.iter().map(|l| l.row).collect();
        assert_eq!(rows, [1, 2, 3, 5]);
        assert_eq!(t.rows[3].cell(0), Ok("B"));
        assert_eq!(t.rows[3].cell(9), Ok(""));
    }
}
