//! Importing figures from a file: the rows a parser read are grouped by region and
//! period, and each group is one batch of `PUT /values`, with the same permissions and rules
//! (`values::check`) and the same writes and audit entries (`values::write`).
//!
//! Files name regions and indicators as people write them: a region by its id or its exact name,
//! an indicator by its code or its exact name; a name that two regions (or indicators) share is a
//! row error naming them. A World Bank WDI file names countries by ISO alpha-3 code: the lines of
//! benchmark regions with that `iso3` go into the indicator the caller names; the other lines
//! (countries we do not compare with, and WDI's aggregates such as `WLD`) are counted as skipped.
//!
//! Every message names its row first (`第3行：地区“北京”不存在`). A file is not one request:
//! the same region, period and indicator twice is an error of the later row, and a region's
//! period of more figures than one `PUT /values` takes goes in as several batches. A problem of
//! many rows is said once (`第3、4、5行等共2099999行：…`) and at most 200 entries are listed, with
//! the number of problems in all, so that an answer stays smaller than the file.
//!
//! Everything happens in the caller's transaction. A real import with any error writes nothing
//! at all. A dry run writes inside a savepoint and rolls it back, so that its counts and
//! warnings are exactly those of the real import, and nothing is stored.
//!
//! Permissions: a viewer may not import at all (403). A statistician's rows for regions that are
//! not theirs are row errors like any other refused row (422 for a real import), so that one
//! answer names every row that cannot be stored.
//!
//! Approved or locked quarters, as decided: rows of a region's quarter that is closed
//! are row errors too, each saying why (a real import answers 422 and stores nothing; a dry run
//! lists them), rather than one 409 for the whole file, so that a file that mixes open and closed
//! quarters is answered with every row that cannot go in. An admin's import with `?reason=`
//! writes closed quarters, and each such group is audited as an override with that reason.

use std::collections::{BTreeSet, HashMap};

use rusqlite::Connection;
use serde::Serialize;

use super::{World, values, world};
use crate::domain::access::{Role, User};
use crate::domain::submission::{MAX_ITEMS, RawItem, Submission};
use crate::domain::{FieldError, Quarter, Region, RegionKind};
use crate::error::{AppError, AppResult};
use crate::store;
use crate::transfer::{ImportRow, Parsed, RowError, RowUnit, WdiFile, field_label};

#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ImportOutcome {
    /// figures that were not stored before
    pub created: usize,
    /// stored figures whose value or comment changes
    pub updated: usize,
    /// stored figures that the file repeats exactly
    pub unchanged: usize,
    /// lines of a WDI file whose country is no benchmark region (WDI's aggregates such as `WLD`
    /// too); 0 for other files
    pub skipped: usize,
    /// every row that cannot be stored, by row (as a spreadsheet counts it: the header is row 1);
    /// a problem of more than 10 rows is said once, naming its first rows and how many there
    /// are; at most 200 entries
    pub errors: Vec<RowError>,
    /// how many problems the file has in all (a row with two has two), listed or not
    pub error_count: usize,
    /// `errors` leaves some problems out
    #[serde(skip)]
    truncated: bool,
    pub warnings: Vec<ImportWarning>,
}

/// A warning of the submission checks (`domain::submission`) about one imported figure.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ImportWarning {
    pub row: usize,
    pub region: String,
    pub period: String,
    pub indicator: String,
    #[schema(example = "ytd_decrease")]
    pub code: &'static str,
    pub message: String,
}

impl ImportOutcome {
    /// What a refused import says in one sentence: how many problems, and whether the list
    /// holds them all.
    pub fn error_message(&self) -> String {
        if self.truncated {
            format!("文件有{}处错误，仅列出前{}条（见各行说明），没有导入任何数据", self.error_count, self.errors.len())
        } else {
            format!("文件有{}处错误（见各行说明），没有导入任何数据", self.error_count)
        }
    }
}

/// Entries of `ImportOutcome::errors` at most: a file of two million bad rows is answered with
/// the first of them and their number, not with a list larger than the file.
pub const MAX_LISTED_ERRORS: usize = 200;
/// A problem of more rows than this is said once for all of them.
const FOLD_ROWS: usize = 10;

/// Every problem of an import as it is found, kept small: each distinct message once, and for
/// each problem its row and message. A message is stored without its row (`第3行`), so that
/// rows with the same problem can be said together.
struct Problems {
    unit: RowUnit,
    texts: Vec<String>,
    index: HashMap<String, usize>,
    found: Vec<(usize, usize)>,
}

impl Extend<RowError> for Problems {
    fn extend<I: IntoIterator<Item = RowError>>(&mut self, errors: I) {
        for e in errors {
            self.push(e);
        }
    }
}

impl Problems {
    fn new(unit: RowUnit) -> Problems {
        Problems { unit, texts: Vec::new(), index: HashMap::new(), found: Vec::new() }
    }

    /// `第3行`, or `第3项`; nothing for row 0 (the file as a whole).
    fn place(&self, row: usize) -> String {
        match (row, self.unit) {
            (0, _) => String::new(),
            (_, RowUnit::Line) => format!("第{row}行"),
            (_, RowUnit::Item) => format!("第{row}项"),
        }
    }

    /// A located error (`第3行：…`), stored as its row and what follows the place (`：…`).
    fn push(&mut self, e: RowError) {
        let place = self.place(e.row);
        let tail = match e.message.strip_prefix(place.as_str()) {
            Some(tail) if !place.is_empty() => tail.to_string(),
            _ => format!("：{}", e.message),
        };
        let text = match self.index.get(&tail) {
            Some(&text) => text,
            None => {
                self.index.insert(tail.clone(), self.texts.len());
                self.texts.push(tail);
                self.texts.len() - 1
            }
        };
        self.found.push((e.row, text));
    }

    fn is_empty(&self) -> bool {
        self.found.is_empty()
    }

    /// The entries to list, the number of problems, and whether the entries leave some out.
    fn listed(mut self) -> (Vec<RowError>, usize, bool) {
        let total = self.found.len();
        // stable: a row's problems keep their order
        self.found.sort_by_key(|&(row, _)| row);
        let mut rows_of: Vec<Vec<usize>> = vec![Vec::new(); self.texts.len()];
        let mut count_of = vec![0; self.texts.len()];
        for &(row, text) in &self.found {
            count_of[text] += 1;
            if rows_of[text].last() != Some(&row) {
                rows_of[text].push(row);
            }
        }
        let mut said = vec![false; self.texts.len()];
        let mut out = Vec::new();
        let mut covered = 0;
        for &(row, text) in &self.found {
            if out.len() == MAX_LISTED_ERRORS {
                break;
            }
            let rows = &rows_of[text];
            let tail = &self.texts[text];
            if rows.len() <= FOLD_ROWS {
                covered += 1;
                let message = match row {
                    0 => tail.trim_start_matches('：').to_string(),
                    _ => format!("{}{tail}", self.place(row)),
                };
                out.push(RowError::new(row, message));
            } else if !said[text] {
                said[text] = true;
                covered += count_of[text];
                let shown: Vec<String> = rows.iter().filter(|&&r| r > 0).take(3).map(usize::to_string).collect();
                let word = self.unit.word();
                let message = format!("第{}{word}等共{}{word}{tail}", shown.join("、"), rows.len());
                out.push(RowError::new(row, message));
            }
        }
        (out, total, covered < total)
    }
}

/// The rows of one region and period, in file order.
struct Group<'a> {
    region: &'a str,
    period: &'a str,
    rows: Vec<&'a ImportRow>,
}

/// The rows by region and period, each group checked and written as one batch of `PUT /values`.
/// A file is not a request: a group of more than `MAX_ITEMS` figures (a province with that many
/// indicators) goes in as several batches rather than being refused for its size. The rows of a
/// group name distinct indicators (see [`without_repeats`]), so no batch repeats another's.
fn groups(rows: &[ImportRow]) -> Vec<Group<'_>> {
    let mut index: HashMap<(&str, &str), usize> = HashMap::new();
    let mut out: Vec<Group> = Vec::new();
    for row in rows {
        let key = (row.region.as_str(), row.period.as_str());
        let i = *index.entry(key).or_insert_with(|| {
            out.push(Group { region: key.0, period: key.1, rows: Vec::new() });
            out.len() - 1
        });
        out[i].rows.push(row);
    }
    out.into_iter()
        .flat_map(|g| {
            let (region, period) = (g.region, g.period);
            g.rows.chunks(MAX_ITEMS).map(|rows| Group { region, period, rows: rows.to_vec() }).collect::<Vec<_>>()
        })
        .collect()
}

/// The rows without a figure the file already gave: the same region, period and indicator again
/// is an error of the later row, naming the first.
fn without_repeats(locate: Locate, rows: Vec<ImportRow>, errors: &mut impl Extend<RowError>) -> Vec<ImportRow> {
    let mut first: HashMap<(String, String, String), usize> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let key = (row.region.clone(), row.period.clone(), row.indicator.clone());
        match first.get(&key) {
            Some(&before) => {
                let message = format!("与第{before}{}重复：同一地区、时期和指标只能有一个数值", locate.unit.word());
                errors.extend(Some(locate.error(&row, &message)));
            }
            None => {
                first.insert(key, row.row);
                out.push(row);
            }
        }
    }
    out
}

/// Where a row stands, for the messages: `第3行：`, and for a WDI file the year too, since one
/// line holds every year of a country (`第7行（2015年）：`).
#[derive(Debug, Clone, Copy)]
struct Locate {
    unit: RowUnit,
    wdi: bool,
}

impl Locate {
    fn error(self, row: &ImportRow, message: &str) -> RowError {
        let message = if self.wdi && row.row > 0 {
            format!("第{}行（{}年）：{message}", row.row, row.period)
        } else {
            self.unit.locate(row.row, message)
        };
        RowError::new(row.row, message)
    }
}

/// The errors of a refused batch, each on the rows it concerns: an item's error on its own row,
/// a region's or period's on every row of the group.
fn row_errors(locate: Locate, group: &Group<'_>, fields: &[FieldError]) -> Vec<RowError> {
    let mut out = Vec::new();
    for e in fields {
        let message = |name: &str| format!("{}：{}", field_label(name), e.message);
        match e.item {
            Some((i, name)) => {
                if let Some(row) = group.rows.get(i) {
                    out.push(locate.error(row, &message(name)));
                }
            }
            None => out.extend(group.rows.iter().map(|r| locate.error(r, &message(&e.field)))),
        }
    }
    out
}

/// Regions and indicators by what a file calls them.
pub(crate) struct Names<'w> {
    world: &'w World,
    regions: HashMap<&'w str, Vec<&'w Region>>,
    indicators: HashMap<&'w str, Vec<&'w str>>,
}

impl<'w> Names<'w> {
    pub(crate) fn new(world: &'w World) -> Names<'w> {
        let mut regions: HashMap<&str, Vec<&Region>> = HashMap::new();
        for r in world.tree.in_display_order() {
            regions.entry(r.name.as_str()).or_default().push(r);
        }
        let mut indicators: HashMap<&str, Vec<&str>> = HashMap::new();
        for i in world.indicators.in_display_order() {
            indicators.entry(i.name.as_str()).or_default().push(i.code.as_str());
        }
        Names { world, regions, indicators }
    }

    /// The id of the region a file names by id or by exact name.
    pub(crate) fn region(&self, text: &str) -> Result<&'w str, String> {
        if let Some(r) = self.world.tree.get(text) {
            return Ok(r.id.as_str());
        }
        match self.regions.get(text).map(Vec::as_slice) {
            None | Some([]) => Err(format!("地区“{text}”不存在")),
            Some([one]) => Ok(one.id.as_str()),
            Some(many) => {
                let named: Vec<String> = many.iter().map(|r| self.described(r)).collect();
                Err(format!("有{}个地区都叫“{text}”：{}；请改用地区代码", many.len(), named.join("、")))
            }
        }
    }

    /// `town-a（上级：全区）`: enough to tell regions of one name apart.
    fn described(&self, r: &Region) -> String {
        match r.parent.as_ref().and_then(|p| self.world.tree.get(p.as_str())) {
            Some(parent) => format!("{}（上级：{}）", r.id, parent.name),
            None => format!("{}（{}）", r.id, r.kind.as_str()),
        }
    }

    /// The code of the indicator a file names by code or by exact name.
    fn indicator(&self, text: &str) -> Result<&'w str, String> {
        if let Some(i) = self.world.indicators.get(text) {
            return Ok(i.code.as_str());
        }
        match self.indicators.get(text).map(Vec::as_slice) {
            None | Some([]) => Err(format!("指标“{text}”不存在")),
            Some([one]) => Ok(one),
            Some(many) => Err(format!("有{}个指标都叫“{text}”：{}；请改用指标代码", many.len(), many.join("、"))),
        }
    }
}

/// The rows with regions and indicators named by id and code; a row naming either wrongly is an error.
fn resolve(
    names: &Names<'_>,
    locate: Locate,
    rows: Vec<ImportRow>,
    errors: &mut impl Extend<RowError>,
) -> Vec<ImportRow> {
    let mut out = Vec::with_capacity(rows.len());
    for mut row in rows {
        let region = names.region(&row.region);
        let indicator = names.indicator(&row.indicator);
        match (region, indicator) {
            (Ok(region), Ok(indicator)) => {
                row.region = region.to_string();
                row.indicator = indicator.to_string();
                out.push(row);
            }
            (region, indicator) => {
                let problems: Vec<String> = [region.err(), indicator.err()].into_iter().flatten().collect();
                errors.extend(Some(locate.error(&row, &problems.join("；"))));
            }
        }
    }
    out
}

/// The rows of a WDI file that go into `indicator`: those of countries that are benchmark regions
/// (by `iso3`). Returns them and how many lines were skipped.
fn wdi_rows(
    world: &World,
    file: &WdiFile,
    indicator: &str,
    locate: Locate,
    rows: Vec<ImportRow>,
    errors: &mut impl Extend<RowError>,
) -> (Vec<ImportRow>, usize) {
    let mut by_iso3: HashMap<String, Vec<&Region>> = HashMap::new();
    for r in world.tree.in_display_order() {
        if let (RegionKind::Benchmark, Some(code)) = (r.kind, &r.iso3) {
            by_iso3.entry(code.to_ascii_uppercase()).or_default().push(r);
        }
    }
    let mut skipped = 0;
    // country code → region id, for the countries that are benchmark regions
    let mut regions: HashMap<&str, &str> = HashMap::new();
    for country in &file.countries {
        match by_iso3.get(&country.code.to_ascii_uppercase()).map(Vec::as_slice) {
            None | Some([]) => skipped += 1,
            Some([one]) => {
                regions.insert(country.code.as_str(), one.id.as_str());
            }
            Some(many) => {
                let ids: Vec<&str> = many.iter().map(|r| r.id.as_str()).collect();
                let message = format!("国家代码{}对应{}个对标地区：{}", country.code, many.len(), ids.join("、"));
                errors.extend(Some(RowError::new(country.row, locate.unit.locate(country.row, &message))));
            }
        }
    }
    let rows = rows
        .into_iter()
        .filter_map(|mut row| {
            let region = regions.get(row.region.as_str())?;
            row.region = region.to_string();
            row.indicator = indicator.to_string();
            Some(row)
        })
        .collect();
    (rows, skipped)
}

/// How an import runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    /// check and count only; nothing is stored
    pub dry_run: bool,
    /// why figures are corrected (an admin may then write closed quarters); kept in the audit log
    pub reason: Option<&'a str>,
    /// the indicator a WDI file's series goes into, by code or exact name; only for WDI files
    pub indicator: Option<&'a str>,
}

/// Who may import at all, decided from the user alone (before a file is received): admins and
/// statisticians.
pub fn may_import(user: &User) -> AppResult<()> {
    match user.role {
        Role::Admin | Role::Statistician => Ok(()),
        Role::Viewer => Err(AppError::Forbidden(format!("用户“{}”是只读用户，不能导入数据", user.name))),
        Role::Officer => Err(AppError::Forbidden(format!("用户“{}”是科室干部，不能导入数据", user.name))),
    }
}

/// [`import_with`] a file that is not WDI.
pub fn import(
    conn: &Connection,
    user: &User,
    parsed: Parsed,
    dry_run: bool,
    reason: Option<&str>,
    current: Quarter,
    progress: &mut dyn FnMut(usize),
) -> AppResult<ImportOutcome> {
    import_with(conn, user, parsed, &Options { dry_run, reason, indicator: None }, current, progress)
}

/// Checks every group as `PUT /values` would and, unless a real import found errors, writes
/// them. `progress` hears how many rows have been written so far. A WDI file needs
/// `options.indicator`, and no other file may have one (422 naming `indicator`).
pub fn import_with(
    conn: &Connection,
    user: &User,
    parsed: Parsed,
    options: &Options<'_>,
    current: Quarter,
    progress: &mut dyn FnMut(usize),
) -> AppResult<ImportOutcome> {
    let Options { dry_run, reason, indicator } = *options;
    may_import(user)?;
    let world = world(conn)?;
    let _cache = store::LargePageCache::raise(conn)?;
    let Parsed { rows, errors: parse_errors, unit, wdi } = parsed;
    let locate = Locate { unit, wdi: wdi.is_some() };
    let mut errors = Problems::new(unit);
    errors.extend(parse_errors.into_iter().map(|e| RowError::new(e.row, unit.locate(e.row, &e.message))));
    let names = Names::new(&world);
    let (rows, skipped) = match (&wdi, indicator) {
        (Some(file), Some(text)) => {
            let code = names.indicator(text).map_err(|m| AppError::invalid("indicator", m))?;
            wdi_rows(&world, file, code, locate, rows, &mut errors)
        }
        (Some(_), None) => {
            return Err(AppError::invalid(
                "indicator",
                "导入世界银行WDI文件要用参数indicator指明存入哪个指标（指标代码或名称）",
            ));
        }
        (None, Some(_)) => {
            return Err(AppError::invalid(
                "indicator",
                "参数indicator只用于世界银行WDI文件；其他文件的指标写在“指标”（indicator）列中",
            ));
        }
        (None, None) => (resolve(&names, locate, rows, &mut errors), 0),
    };
    let rows = without_repeats(locate, rows, &mut errors);
    let groups = groups(&rows);
    let mut checked: Vec<(&Group, Submission)> = Vec::with_capacity(groups.len());
    for group in &groups {
        let items: Vec<RawItem> = group
            .rows
            .iter()
            .map(|r| RawItem { indicator: &r.indicator, value: r.value, comment: r.comment.as_deref() })
            .collect();
        match values::check(conn, &world, user, group.region, group.period, &items, reason, current) {
            Ok(sub) => checked.push((group, sub)),
            Err(AppError::Invalid(fields)) => errors.extend(row_errors(locate, group, &fields)),
            Err(AppError::Forbidden(_)) => {
                let name = world.tree.get(group.region).map_or(group.region, |r| r.name.as_str());
                let message = format!("用户“{}”无权填报{name}（{}）的数据", user.name, group.region);
                errors.extend(group.rows.iter().map(|r| locate.error(r, &message)));
            }
            Err(AppError::Conflict(m) | AppError::NotFound(m)) => {
                errors.extend(group.rows.iter().map(|r| locate.error(r, &m)));
            }
            Err(e) => return Err(e),
        }
    }
    let found = !errors.is_empty();
    let (errors, error_count, truncated) = errors.listed();
    let mut out = ImportOutcome { errors, error_count, truncated, skipped, ..ImportOutcome::default() };
    if !dry_run && found {
        return Ok(out);
    }
    if dry_run {
        conn.execute_batch("SAVEPOINT dry_run")?;
    }
    let written = write_all(conn, &world, user, &checked, reason, progress);
    if dry_run {
        conn.execute_batch("ROLLBACK TO dry_run; RELEASE dry_run")?;
    }
    let (changes, warnings) = written?;
    out.created = changes.created;
    out.updated = changes.updated;
    out.unchanged = changes.unchanged;
    out.warnings = warnings;
    if rows.is_empty() && out.errors.is_empty() {
        let message = if wdi.is_some() {
            format!("文件中没有对标地区的数值：{skipped}个国家和地区的代码不是任何对标地区的iso3")
        } else {
            "文件中没有填报任何数值".into()
        };
        out.warnings.push(ImportWarning {
            row: 0,
            region: String::new(),
            period: String::new(),
            indicator: String::new(),
            code: "empty_import",
            message,
        });
    }
    Ok(out)
}

fn write_all(
    conn: &Connection,
    world: &World,
    user: &User,
    checked: &[(&Group<'_>, Submission)],
    reason: Option<&str>,
    progress: &mut dyn FnMut(usize),
) -> AppResult<(values::Changes, Vec<ImportWarning>)> {
    let at = store::now();
    let mut total = values::Changes::default();
    let mut done = 0;
    for (group, sub) in checked {
        let c = values::write(conn, user, sub, reason, &at)?;
        total.created += c.created;
        total.updated += c.updated;
        total.unchanged += c.unchanged;
        done += group.rows.len();
        progress(done);
    }
    Ok((total, warnings(conn, world, checked)?))
}

/// The warnings of the submission checks for every imported figure, on the figures as they stand after the
/// writes: as `values::warnings` computes them for one batch, with the stored figures loaded
/// once for the whole file rather than once per batch.
fn warnings(conn: &Connection, world: &World, checked: &[(&Group<'_>, Submission)]) -> AppResult<Vec<ImportWarning>> {
    let mut regions: BTreeSet<&str> = BTreeSet::new();
    let mut codes: BTreeSet<&str> = BTreeSet::new();
    let mut years: Option<(i32, i32)> = None;
    for (_, sub) in checked {
        let year = sub.period.year();
        regions.insert(sub.region.as_str());
        codes.extend(sub.items.iter().map(|i| i.indicator.as_str()));
        years = Some(years.map_or((year, year), |(a, b)| (a.min(year), b.max(year))));
    }
    let observations = match years {
        Some((first, last)) => {
            let regions: Vec<&str> = regions.into_iter().collect();
            let codes: Vec<&str> = codes.into_iter().collect();
            world.observations(conn, &regions, &codes, first - 1, last)?
        }
        None => Default::default(),
    };
    let calc = world.calculator(&observations);
    let mut out = Vec::new();
    for (group, sub) in checked {
        let found = values::warnings_with(&calc, world, sub);
        for w in found {
            let row = group.rows.iter().find(|r| r.indicator == w.indicator).map_or(0, |r| r.row);
            out.push(ImportWarning {
                row,
                region: sub.region.to_string(),
                period: sub.period.to_string(),
                indicator: w.indicator,
                code: w.code,
                message: w.message,
            });
        }
    }
    out.sort_by_key(|w| w.row);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Mode;

    #[test]
    fn problems_of_many_rows_are_said_once_and_the_list_is_capped() {
        let line = |row, message: &str| RowError::new(row, RowUnit::Line.locate(row, message));
        let cases: Vec<(&str, RowUnit, Vec<RowError>, Vec<(usize, String)>, usize, bool)> = vec![
            (
                "a few rows each said on their own, in row order",
                RowUnit::Line,
                vec![line(4, "b"), line(2, "a"), line(4, "c"), line(0, "文件中没有数据")],
                vec![
                    (0, "文件中没有数据".into()),
                    (2, "第2行：a".into()),
                    (4, "第4行：b".into()),
                    (4, "第4行：c".into()),
                ],
                4,
                false,
            ),
            (
                "ten rows of one problem are still listed",
                RowUnit::Line,
                (2..12).map(|r| line(r, "重复")).collect(),
                (2..12).map(|r| (r, format!("第{r}行：重复"))).collect(),
                10,
                false,
            ),
            (
                "eleven are folded into one entry at the first",
                RowUnit::Line,
                (2..13).map(|r| line(r, "重复")).chain([line(5, "另一个")]).collect(),
                vec![(2, "第2、3、4行等共11行：重复".into()), (5, "第5行：另一个".into())],
                12,
                false,
            ),
            (
                "items of a DHIS2 set, a WDI year kept in the message",
                RowUnit::Item,
                (1..=11).map(|r| RowError::new(r, format!("第{r}项（2015年）：负数"))).collect(),
                vec![(1, "第1、2、3项等共11项（2015年）：负数".into())],
                11,
                false,
            ),
            (
                "more than 200 different problems: the first 200",
                RowUnit::Line,
                (2..1502).map(|r| line(r, &format!("数值“x{r}”不是数字"))).collect(),
                (2..202).map(|r| (r, format!("第{r}行：数值“x{r}”不是数字"))).collect(),
                1500,
                true,
            ),
        ];
        for (name, unit, found, want, count, truncated) in cases {
            let mut problems = Problems::new(unit);
            problems.extend(found);
            let (listed, total, cut) = problems.listed();
            let got: Vec<(usize, String)> = listed.into_iter().map(|e| (e.row, e.message)).collect();
            assert_eq!((got, total, cut), (want, count, truncated), "{name}");
        }
    }

    #[test]
    fn a_refused_import_says_how_many_problems_and_whether_all_are_listed() {
        let outcome = |listed: usize, error_count, truncated| ImportOutcome {
            errors: vec![RowError::new(2, "第2行：x"); listed],
            error_count,
            truncated,
            ..ImportOutcome::default()
        };
        assert_eq!(outcome(1, 2099999, false).error_message(), "文件有2099999处错误（见各行说明），没有导入任何数据");
        assert_eq!(
            outcome(200, 2100000, true).error_message(),
            "文件有2100000处错误，仅列出前200条（见各行说明），没有导入任何数据"
        );
    }

    #[test]
    fn a_repeated_figure_is_an_error_of_the_later_row_naming_the_first() {
        let row = |row, indicator: &str, period: &str| ImportRow {
            row,
            region: "town-a".into(),
            indicator: indicator.into(),
            period: period.into(),
            value: 1.0,
            comment: None,
        };
        let mut errors = Vec::new();
        let rows =
            vec![row(2, "gdp", "2023Q1"), row(3, "gdp", "2023Q2"), row(4, "rd", "2023Q1"), row(5, "gdp", "2023Q1")];
        let kept = without_repeats(Locate { unit: RowUnit::Line, wdi: false }, rows, &mut errors);
        assert_eq!(kept.iter().map(|r| r.row).collect::<Vec<_>>(), [2, 3, 4]);
        assert_eq!(errors, [RowError::new(5, "第5行：与第2行重复：同一地区、时期和指标只能有一个数值")]);
    }

    #[test]
    fn a_group_larger_than_one_request_goes_in_as_several_batches() {
        let rows: Vec<ImportRow> = (0..2500)
            .map(|i| ImportRow {
                row: i + 2,
                region: "town-a".into(),
                indicator: format!("i{i}"),
                period: "2023Q1".into(),
                value: 1.0,
                comment: None,
            })
            .collect();
        let sizes: Vec<usize> = groups(&rows).iter().map(|g| g.rows.len()).collect();
        assert_eq!(sizes, [MAX_ITEMS, MAX_ITEMS, 500]);
    }

    #[test]
    fn errors_land_on_their_rows() {
        let row = |row, indicator: &str| ImportRow {
            row,
            region: "town-a".into(),
            indicator: indicator.into(),
            period: "2023Q1".into(),
            value: 1.0,
            comment: None,
        };
        let rows = vec![row(2, "gdp"), row(5, "rd"), row(9, "x")];
        let groups = groups(&rows);
        assert_eq!(groups.len(), 1);
        let fields = [
            FieldError::item(1, "value", "不能为负数"),
            FieldError::new("period", "已锁定"),
            FieldError::item(7, "value", "?"),
        ];
        let errors = row_errors(Locate { unit: RowUnit::Line, wdi: false }, &groups[0], &fields);
        let got: Vec<(usize, &str)> = errors.iter().map(|e| (e.row, e.message.as_str())).collect();
        assert_eq!(
            got,
            [
                (5, "第5行：数值：不能为负数"),
                (2, "第2行：时期：已锁定"),
                (5, "第5行：时期：已锁定"),
                (9, "第9行：时期：已锁定")
            ]
        );
        let wdi_row = ImportRow { period: "2015".into(), ..row(7, "gdp") };
        let wdi = Group { region: "kor", period: "2015", rows: vec![&wdi_row] };
        let negative = [FieldError::item(0, "value", "不能为负数")];
        let errors = row_errors(Locate { unit: RowUnit::Line, wdi: true }, &wdi, &negative);
        assert_eq!(errors, [RowError::new(7, "第7行（2015年）：数值：不能为负数")]);
    }

    /// Two towns called 城关镇 under two counties, a benchmark country, two indicators of one name.
    fn sample_world() -> World {
        use crate::domain::RegionTree;
        use crate::domain::indicator::tests::indicator;
        use crate::domain::region::tests::region;
        let named = |mut r: Region, name: &str, iso3: Option<&str>| {
            r.name = name.into();
            r.iso3 = iso3.map(str::to_string);
            r
        };
        let tree = RegionTree::new(vec![
            named(region("city", RegionKind::City, None, 0), "某市", None),
            named(region("county-a", RegionKind::County, Some("city"), 1), "甲县", None),
            named(region("county-b", RegionKind::County, Some("city"), 2), "乙县", None),
            named(region("cg-a", RegionKind::Town, Some("county-a"), 1), "城关镇", None),
            named(region("cg-b", RegionKind::Town, Some("county-b"), 1), "城关镇", None),
            named(region("korea", RegionKind::Benchmark, None, 9), "韩国", Some("KOR")),
            named(region("japan", RegionKind::Benchmark, None, 9), "日本", Some("jpn")),
        ])
        .unwrap();
        let mut gdp = indicator("gdp", Mode::Ytd, None);
        gdp.name = "地区生产总值".into();
        let mut rd = indicator("rd", Mode::Ytd, None);
        rd.name = "研发".into();
        let mut rd2 = indicator("rd_official", Mode::Ytd, None);
        rd2.name = "研发".into();
        World { tree, indicators: crate::domain::IndicatorSet::new(vec![gdp, rd, rd2]).unwrap() }
    }

    #[test]
    fn regions_and_indicators_by_id_or_exact_name() {
        let world = sample_world();
        let names = Names::new(&world);
        let regions: &[(&str, Result<&str, &str>)] = &[
            ("county-a", Ok("county-a")),
            ("甲县", Ok("county-a")),
            ("韩国", Ok("korea")),
            ("北京", Err("地区“北京”不存在")),
            ("甲县 ", Err("地区“甲县 ”不存在")),
            ("County-A", Err("地区“County-A”不存在")),
            ("城关镇", Err("有2个地区都叫“城关镇”：cg-a（上级：甲县）、cg-b（上级：乙县）；请改用地区代码")),
            ("cg-b", Ok("cg-b")),
        ];
        for (text, want) in regions {
            assert_eq!(names.region(text), want.map_err(str::to_string), "{text}");
        }
        let indicators: &[(&str, Result<&str, &str>)] = &[
            ("gdp", Ok("gdp")),
            ("地区生产总值", Ok("gdp")),
            ("GDP", Err("指标“GDP”不存在")),
            ("研发", Err("有2个指标都叫“研发”：rd、rd_official；请改用指标代码")),
        ];
        for (text, want) in indicators {
            assert_eq!(names.indicator(text), want.map_err(str::to_string), "{text}");
        }
    }

    #[test]
    fn rows_naming_both_wrongly_say_both() {
        let world = sample_world();
        let row = |row, region: &str, indicator: &str| ImportRow {
            row,
            region: region.into(),
            indicator: indicator.into(),
            period: "2023Q1".into(),
            value: 1.0,
            comment: None,
        };
        let mut errors = Vec::new();
        let locate = Locate { unit: RowUnit::Line, wdi: false };
        let rows = vec![row(2, "甲县", "地区生产总值"), row(3, "北京", "产值"), row(4, "城关镇", "gdp")];
        let good = resolve(&Names::new(&world), locate, rows, &mut errors);
        assert_eq!(good, [row(2, "county-a", "gdp")]);
        assert_eq!(
            errors,
            [
                RowError::new(3, "第3行：地区“北京”不存在；指标“产值”不存在"),
                RowError::new(
                    4,
                    "第4行：有2个地区都叫“城关镇”：cg-a（上级：甲县）、cg-b（上级：乙县）；请改用地区代码"
                ),
            ]
        );
    }

    #[test]
    fn wdi_lines_of_benchmark_countries_go_into_the_indicator_and_the_rest_are_skipped() {
        let world = sample_world();
        let country = |row, code: &str| crate::transfer::WdiCountry { row, code: code.into(), name: String::new() };
        let file = WdiFile {
            indicator_code: "GB.XPD.RSDV.GD.ZS".into(),
            indicator_name: String::new(),
            countries: vec![country(6, "ABW"), country(7, "KOR"), country(8, "JPN"), country(9, "WLD")],
        };
        let cell = |row, code: &str, year: &str, value| ImportRow {
            row,
            region: code.into(),
            indicator: String::new(),
            period: year.into(),
            value,
            comment: None,
        };
        let rows = vec![
            cell(7, "KOR", "2021", 4.91),
            cell(7, "KOR", "2022", 5.21),
            cell(8, "JPN", "2022", 3.41),
            cell(9, "WLD", "2022", 2.6),
        ];
        let mut errors = Vec::new();
        let (got, skipped) =
            wdi_rows(&world, &file, "rd", Locate { unit: RowUnit::Line, wdi: true }, rows, &mut errors);
        let got: Vec<(usize, &str, &str, &str, f64)> =
            got.iter().map(|r| (r.row, r.region.as_str(), r.indicator.as_str(), r.period.as_str(), r.value)).collect();
        assert_eq!(
            got,
            [(7, "korea", "rd", "2021", 4.91), (7, "korea", "rd", "2022", 5.21), (8, "japan", "rd", "2022", 3.41)]
        );
        assert_eq!(skipped, 2, "ABW (no figures) and WLD (an aggregate)");
        assert_eq!(errors, []);
    }
}
