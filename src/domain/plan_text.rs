//! The bureau's rectification plan (整改方案) as it writes it, parsed into problems and tasks:
//! `——存在问题：` blocks with their description, each with one or more `——解决措施：` blocks
//! of measures, 责任领导, 责任部门, 责任人 and 完成时限. Pure: text in, a plan or every
//! line-numbered error out; storing, linking and auditing belong to the layers above.
//!
//! Real plans are pasted from Word: markers with full-width or ASCII colons, any dash, bullet or
//! numbering before them, indentation with U+3000, byte-order marks, zero-width and non-breaking
//! spaces, full-width digits, headings and closing sections around the blocks. All of that is
//! tolerated; what would lose a task (a block without its deadline, a deadline that is no date,
//! a measure before any problem) is an error naming its line.

use chrono::NaiveDate;

use super::rectification::Deadline;

/// A plan read from its text: its problems in the order written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedPlan {
    pub problems: Vec<ParsedProblem>,
}

/// One 存在问题 and the 解决措施 blocks under it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ParsedProblem {
    /// 1, 2, … in the order of the text.
    pub seq: usize,
    pub title: String,
    /// The paragraphs between the problem's line and its first 解决措施, joined with `\n`.
    pub description: String,
    /// The codes of the indicators whose name appears in the title or the description, in the
    /// order the indicators were given.
    pub suggested_indicators: Vec<String>,
    pub tasks: Vec<ParsedTask>,
    /// The line of `存在问题：` (1-based).
    pub line: usize,
}

/// One 解决措施 block.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ParsedTask {
    /// 1, 2, … within its problem.
    pub seq: usize,
    pub title: String,
    /// Each measure without its ordinal (一是, 1., （1）, ①), with its final 。.
    pub measures: Vec<String>,
    /// The first is the 直接责任人.
    pub leaders: Vec<String>,
    /// The first is the 牵头部门.
    pub departments: Vec<String>,
    pub persons: Vec<String>,
    pub deadline: Deadline,
    /// The line of `解决措施：` (1-based).
    pub line: usize,
}

/// What is wrong on one line. `message` starts with `第N行：` so that it reads whole wherever it
/// is shown; `line` is for the programs that point at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub message: String,
}

impl LineError {
    fn new(line: usize, message: impl std::fmt::Display) -> LineError {
        LineError { line, message: format!("第{line}行：{message}") }
    }
}

/// The forms of a deadline, as the error for one that is not a date lists them.
const DEADLINE_FORMS: &str = "2023.12、2023.12.31、2023年12月、2023年12月31日 或 长期";

/// The earliest and the latest year a deadline may name: a typing slip (`203.12`, `20230.12`)
/// is refused rather than stored as a date nobody meant.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// How a long-term deadline is written.
const LONG_TERM: [&str; 4] = ["长期", "长期坚持", "长期推进", "长期执行"];

/// Reads a plan. `indicators` are `(code, name)` pairs: a problem suggests the codes whose name its
/// title or description mentions. Every error is reported, in the order of the lines.
pub fn parse(text: &str, indicators: &[(&str, &str)]) -> Result<ParsedPlan, Vec<LineError>> {
    let mut reader = Reader::default();
    for (index, raw) in text.split('\n').enumerate() {
        reader.line(index + 1, &clean(raw));
    }
    reader.finish(indicators)
}

/// Reads a 完成时限: `2023.12`, `2023.12.31`, `2023-12`, `2023-12-31`, `2023/12/31`, `2023年12月`,
/// `2023年12月31日`, `2023年12月底`, `2023年底` (and `2023年年底`), each optionally followed by
/// `前` (`2023年12月底前`, as plans often write it), or `长期` (also `长期坚持`, `长期推进`, `长期执行`). A month or a year end
/// means its last day. Full-width digits and punctuation are read as their ASCII forms.
pub fn parse_deadline(text: &str) -> Result<Deadline, String> {
    let shown = clean(text);
    let value: String = shown
        .chars()
        .map(|c| match c {
            '．' => '.',
            '－' | '—' | '–' => '-',
            '／' => '/',
            c => c,
        })
        .filter(|c| *c != ' ')
        .collect();
    let value = value.trim_end_matches(['。', '.']);
    if value.is_empty() {
        return Err("完成时限为空".into());
    }
    if LONG_TERM.contains(&value) {
        return Ok(Deadline::LongTerm);
    }
    let value = ["之前", "以前", "前"].iter().find_map(|suffix| value.strip_suffix(suffix)).unwrap_or(value);
    match date(value) {
        Ok(day) => Ok(Deadline::Date(day)),
        Err(DateError::Year) => Err(format!("完成时限“{shown}”的年份应在 1900 到 2200 之间")),
        Err(DateError::NotDate) => Err(format!("完成时限“{shown}”不是日期，应为 {DEADLINE_FORMS}")),
    }
}

enum DateError {
    NotDate,
    Year,
}

/// A day written as year, month and maybe day; a month without its day is its last day.
fn date(s: &str) -> Result<NaiveDate, DateError> {
    let (year, rest) = number(s, 4..=4).ok_or(DateError::NotDate)?;
    let (month, day) = if let Some(sep) = rest.chars().next().filter(|c| matches!(c, '.' | '-' | '/')) {
        let (month, rest) = number(&rest[1..], 1..=2).ok_or(DateError::NotDate)?;
        match rest.strip_prefix(sep) {
            None if rest.is_empty() => (month, None),
            Some(rest) => match number(rest, 1..=2) {
                Some((day, "")) => (month, Some(day)),
                _ => return Err(DateError::NotDate),
            },
            None => return Err(DateError::NotDate),
        }
    } else if let Some(rest) = rest.strip_prefix('年') {
        if matches!(rest, "底" | "年底") {
            (12, None)
        } else {
            let (month, rest) = number(rest, 1..=2).ok_or(DateError::NotDate)?;
            match rest.strip_prefix('月').ok_or(DateError::NotDate)? {
                "" | "底" => (month, None),
                rest => match number(rest, 1..=2) {
                    Some((day, "日" | "号")) => (month, Some(day)),
                    _ => return Err(DateError::NotDate),
                },
            }
        }
    } else {
        return Err(DateError::NotDate);
    };
    let year = i32::try_from(year).map_err(|_| DateError::NotDate)?;
    if !YEARS.contains(&year) {
        return Err(DateError::Year);
    }
    if !(1..=12).contains(&month) {
        return Err(DateError::NotDate);
    }
    let day = match day {
        Some(day) => NaiveDate::from_ymd_opt(year, month, day),
        None if month == 12 => NaiveDate::from_ymd_opt(year, 12, 31),
        None => NaiveDate::from_ymd_opt(year, month + 1, 1).and_then(|first| first.pred_opt()),
    };
    day.ok_or(DateError::NotDate)
}

/// The ASCII digits at the start of `s`, if there are `digits` of them, and the rest.
fn number(s: &str, digits: std::ops::RangeInclusive<usize>) -> Option<(u32, &str)> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    if !digits.contains(&end) {
        return None;
    }
    Some((s[..end].parse().ok()?, &s[end..]))
}

/// A line as it matters: without the byte-order mark, zero-width characters, soft hyphens and
/// control characters Word leaves behind, every kind of space (U+3000, non-breaking, tab) as one
/// ASCII space, full-width digits and letters as ASCII, and no space around it.
fn clean(line: &str) -> String {
    let text: String = line
        .chars()
        .filter_map(|c| match c {
            '\u{feff}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{ad}' => None,
            c if c.is_whitespace() => Some(' '),
            c if c.is_control() => None,
            '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => char::from_u32(u32::from(c) - 0xfee0),
            c => Some(c),
        })
        .collect();
    text.trim_matches(' ').to_string()
}

/// Text compared for an indicator's name: all full-width ASCII forms as ASCII, ASCII letters in
/// lower case, no spaces (`Ｒ＆Ｄ 经费支出` holds `R&D经费支出`).
fn fold(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(u32::from(c) - 0xfee0).unwrap_or(c),
            c => c,
        })
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Leaders,
    Departments,
    Persons,
    Deadline,
}

const FIELDS: [Field; 4] = [Field::Leaders, Field::Departments, Field::Persons, Field::Deadline];

impl Field {
    fn name(self) -> &'static str {
        match self {
            Field::Leaders => "责任领导",
            Field::Departments => "责任部门",
            Field::Persons => "责任人",
            Field::Deadline => "完成时限",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    Problem,
    Task,
    Field(Field),
}

impl Marker {
    fn name(self) -> &'static str {
        match self {
            Marker::Problem => "存在问题",
            Marker::Task => "解决措施",
            Marker::Field(field) => field.name(),
        }
    }
}

const MARKERS: [Marker; 6] = [
    Marker::Problem,
    Marker::Task,
    Marker::Field(Field::Leaders),
    Marker::Field(Field::Departments),
    Marker::Field(Field::Persons),
    Marker::Field(Field::Deadline),
];

/// Dashes and bullets written before a marker (`——存在问题：`, `- 责任人:`, `● 完成时限：`), with
/// the Symbol-font bullet Word turns into U+F0B7.
fn is_lead(c: char) -> bool {
    matches!(
        c,
        '-' | '—'
            | '―'
            | '－'
            | '–'
            | '‐'
            | '‑'
            | '−'
            | '﹣'
            | '─'
            | '━'
            | '•'
            | '·'
            | '●'
            | '○'
            | '◆'
            | '◇'
            | '■'
            | '□'
            | '▪'
            | '►'
            | '➢'
            | '\u{f0b7}'
            | '*'
            | ' '
    )
}

fn is_colon(c: char) -> bool {
    matches!(c, '：' | ':' | '︰' | '﹕')
}

/// The marker a line starts with and the value after its colon: `——责任领导：王局长` gives
/// 责任领导 and `王局长`. Dashes, bullets and numbering (`1.`, `（一）`, `一、`) before the marker,
/// spaces inside it (`责 任 人：`, as a table aligned in Word leaves it), a number after it
/// (`存在问题一：`) and either colon are accepted; a marker without a colon is text
/// (`二、存在问题及整改措施` is a heading).
fn marker(line: &str) -> Option<(Marker, &str)> {
    let mut s = line.trim_start_matches(is_lead);
    if let Some(rest) = list_number(s) {
        s = rest.trim_start_matches(is_lead);
    }
    MARKERS.into_iter().find_map(|marker| {
        let mut rest = s;
        for want in marker.name().chars() {
            rest = rest.trim_start_matches(' ').strip_prefix(want)?;
        }
        rest = rest.trim_start_matches(' ');
        rest =
            rest.trim_start_matches(|c: char| c.is_ascii_digit() || chinese_digit(c).is_some() || "()（）".contains(c));
        let value = rest.trim_start_matches(' ').strip_prefix(is_colon)?;
        Some((marker, value.trim_matches(' ')))
    })
}

/// 一 … 九 as 1 … 9, and 十 as 10.
fn chinese_digit(c: char) -> Option<u32> {
    "一二三四五六七八九十".chars().position(|d| d == c).map(|i| i as u32 + 1)
}

/// The Chinese number (一 … 九十九) at the start of `s`, and the rest.
fn chinese_number(s: &str) -> Option<(u32, &str)> {
    let mut chars = s.chars();
    let first = chinese_digit(chars.next()?)?;
    let rest = chars.as_str();
    // 十 and 二十 may take ones after them (十一, 二十三); 一 … 九 alone are done
    let (tens, rest) = match (first, rest.strip_prefix('十')) {
        (10, _) => (10, rest),
        (first, Some(after)) => (first * 10, after),
        (first, None) => return Some((first, rest)),
    };
    let mut chars = rest.chars();
    match chars.next().and_then(chinese_digit).filter(|d| *d < 10) {
        Some(ones) => Some((tens + ones, chars.as_str())),
        None => Some((tens, rest)),
    }
}

/// The text after a list number at the start of a line: `1.` `1．` `1、` `1）` `(1)` `（一）`
/// `一、` `①` `⑴` `⒈`. `1.5亿元` and `2023年` are no numbers of a list.
fn list_number(s: &str) -> Option<&str> {
    let first = s.chars().next()?;
    if ('\u{2460}'..='\u{249b}').contains(&first) {
        return Some(s[first.len_utf8()..].trim_start_matches(' '));
    }
    let numeral = |s: &str| -> Option<usize> {
        let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        if digits > 0 && digits <= 2 {
            return Some(digits);
        }
        chinese_number(s).map(|(_, rest)| s.len() - rest.len())
    };
    let rest = if let Some(inner) = s.strip_prefix(['(', '（']) {
        let rest = &inner[numeral(inner)?..];
        rest.strip_prefix([')', '）'])?.trim_start_matches(['、', '.', '．'])
    } else {
        let rest = &s[numeral(s)?..];
        let after = rest.strip_prefix(['.', '．', '、', ')', '）'])?;
        if after.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        after
    };
    Some(rest.trim_start_matches(' '))
}

/// A heading between blocks (`（二）关于核心技术的问题`, `三、保障措施`): a short line with a
/// Chinese list number and no full stop.
fn is_heading(line: &str) -> bool {
    let numbered = match line.strip_prefix(['(', '（']) {
        Some(inner) => chinese_number(inner).is_some_and(|(_, rest)| rest.starts_with([')', '）'])),
        None => chinese_number(line).is_some_and(|(_, rest)| rest.starts_with('、')),
    };
    numbered && !line.ends_with('。') && line.chars().count() <= 40
}

/// The ordinal `一是` … `二十是` at the start of `s`: its number and the text after it.
fn ordinal(s: &str) -> Option<(u32, &str)> {
    let (n, rest) = chinese_number(s)?;
    Some((n, rest.strip_prefix('是')?))
}

/// The measures of a block from its lines: one line may hold several (`一是…。二是…。`), split
/// where the next ordinal follows a stop or a comma; a line may also hold one, numbered or not.
fn measures(lines: &[String]) -> Vec<String> {
    let mut measures = Vec::new();
    let mut next = 1;
    for line in lines {
        let mut rest = list_number(line).unwrap_or(line);
        if let Some((n, after)) = ordinal(rest) {
            next = n + 1;
            rest = after;
        }
        let mut start = 0;
        let mut previous = None;
        for (at, c) in rest.char_indices() {
            let boundary = previous.is_some_and(|p| "。；;，,！!？?：: ".contains(p));
            if boundary && let Some((n, after)) = ordinal(&rest[at..]).filter(|(n, _)| *n == next) {
                measures.push(&rest[start..at]);
                start = rest.len() - after.len();
                next = n + 1;
            }
            previous = Some(c);
        }
        measures.push(&rest[start..]);
    }
    measures
        .into_iter()
        .map(|m| m.trim_matches(' ').trim_end_matches(['，', ',', '；', ';', '：', ':', '、', ' ']).to_string())
        .filter(|m| !m.is_empty())
        .collect()
}

/// The names of a 责任领导, 责任部门 or 责任人 line: split on `、` `，` `,` `；` `;` `/` and spaces.
fn names(value: &str) -> Vec<String> {
    value
        .split(['、', '，', ',', '；', ';', '/', '／', ' '])
        .map(|name| name.trim_matches(' '))
        .filter(|name| !name.is_empty())
        .map(str::to_string)
        .collect()
}

/// The first characters of a line, to quote it in an error.
fn quote(line: &str) -> String {
    const MAX: usize = 20;
    if line.chars().count() <= MAX {
        line.to_string()
    } else {
        format!("{}…", line.chars().take(MAX).collect::<String>())
    }
}

/// A marker's line as errors quote it: `解决措施：加大研发投入`, or `责任部门` when it is empty.
fn label(marker: Marker, value: &str) -> String {
    if value.is_empty() { marker.name().to_string() } else { format!("{}：{}", marker.name(), quote(value)) }
}

/// Where the reader is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Place {
    /// Before the first 存在问题: headings and preamble, ignored.
    #[default]
    Preamble,
    /// After a 存在问题: its description.
    Description,
    /// After a 解决措施: its measures.
    Measures,
    /// Among a block's four lines.
    Fields,
    /// After text that followed a block's lines: a heading, a closing section or a misplaced line.
    Between,
}

struct Problem {
    line: usize,
    title: String,
    description: Vec<String>,
    tasks: Vec<ParsedTask>,
    blocks: usize,
}

struct Block {
    line: usize,
    title: String,
    orphan: bool,
    measures: Vec<String>,
    fields: [Option<(usize, String)>; 4],
}

#[derive(Default)]
struct Reader {
    place: Place,
    problems: Vec<Problem>,
    block: Option<Block>,
    /// Text lines after a block's four lines, kept until it is known whether a marker follows.
    pending: Vec<(usize, String)>,
    errors: Vec<LineError>,
}

impl Reader {
    fn line(&mut self, number: usize, line: &str) {
        if line.is_empty() {
            return;
        }
        let Some((marker, value)) = marker(line) else {
            match self.place {
                Place::Preamble => {}
                Place::Description => {
                    if let Some(problem) = self.problems.last_mut() {
                        problem.description.push(line.to_string());
                    }
                }
                Place::Measures => {
                    if let Some(block) = &mut self.block {
                        block.measures.push(line.to_string());
                    }
                }
                Place::Fields | Place::Between => {
                    self.pending.push((number, line.to_string()));
                    self.place = Place::Between;
                }
            }
            return;
        };
        match marker {
            Marker::Problem => {
                self.close_block();
                self.misplaced_text();
                self.close_problem();
                if value.is_empty() {
                    self.errors.push(LineError::new(number, "“存在问题”为空"));
                }
                self.problems.push(Problem {
                    line: number,
                    title: value.to_string(),
                    description: Vec::new(),
                    tasks: Vec::new(),
                    blocks: 0,
                });
                self.place = Place::Description;
            }
            Marker::Task => {
                self.close_block();
                self.misplaced_text();
                let orphan = self.problems.is_empty();
                if orphan {
                    self.errors.push(LineError::new(number, format!("“{}”之前没有“存在问题”", label(marker, value))));
                }
                if value.is_empty() {
                    self.errors.push(LineError::new(number, "“解决措施”为空"));
                } else if ordinal(value).is_some() {
                    self.errors.push(LineError::new(number, "“解决措施：”后应先写措施的标题，一是、二是……另起一行"));
                }
                if let Some(problem) = self.problems.last_mut() {
                    problem.blocks += 1;
                }
                self.block = Some(Block {
                    line: number,
                    title: value.to_string(),
                    orphan,
                    measures: Vec::new(),
                    fields: Default::default(),
                });
                self.place = Place::Measures;
            }
            Marker::Field(field) => match (&mut self.block, self.place) {
                (Some(block), Place::Measures | Place::Fields | Place::Between) => {
                    let slot = &mut block.fields[field as usize];
                    if let Some((first, _)) = slot {
                        self.errors.push(LineError::new(number, format!("“{}”与第{first}行重复", field.name())));
                    } else {
                        *slot = Some((number, value.to_string()));
                    }
                    self.misplaced_text();
                    self.place = Place::Fields;
                }
                _ => self.errors.push(LineError::new(number, format!("“{}”之前没有“解决措施”", label(marker, value)))),
            },
        }
    }

    /// Text between a block's lines and the next marker that is not a heading is an error: it would
    /// be lost. At the end of the text it is the closing section, and is ignored.
    fn misplaced_text(&mut self) {
        for (number, line) in std::mem::take(&mut self.pending) {
            if !is_heading(&line) {
                self.errors.push(LineError::new(
                    number,
                    format!("“{}”放错了位置：措施应写在“解决措施”之后、“责任领导”之前", quote(&line)),
                ));
            }
        }
    }

    fn close_block(&mut self) {
        let Some(block) = self.block.take() else { return };
        let errors = self.errors.len();
        let label = label(Marker::Task, &block.title);
        let missing: Vec<String> = FIELDS
            .into_iter()
            .filter(|field| block.fields[*field as usize].is_none())
            .map(|field| format!("“{}”", field.name()))
            .collect();
        if !missing.is_empty() {
            self.errors.push(LineError::new(block.line, format!("“{label}”缺少{}", missing.join("、"))));
        }
        let mut lists: [Vec<String>; 3] = Default::default();
        let mut deadline = None;
        for field in FIELDS {
            let Some((number, value)) = &block.fields[field as usize] else { continue };
            if field == Field::Deadline {
                if value.is_empty() {
                    self.errors.push(LineError::new(*number, "“完成时限”为空"));
                } else {
                    match parse_deadline(value) {
                        Ok(day) => deadline = Some(day),
                        Err(message) => self.errors.push(LineError::new(*number, message)),
                    }
                }
            } else {
                let list = names(value);
                if list.is_empty() {
                    self.errors.push(LineError::new(*number, format!("“{}”为空", field.name())));
                }
                lists[field as usize] = list;
            }
        }
        if block.orphan || self.errors.len() > errors {
            return;
        }
        let (Some(problem), Some(deadline)) = (self.problems.last_mut(), deadline) else { return };
        let [leaders, departments, persons] = lists;
        problem.tasks.push(ParsedTask {
            seq: problem.tasks.len() + 1,
            title: block.title,
            measures: measures(&block.measures),
            leaders,
            departments,
            persons,
            deadline,
            line: block.line,
        });
    }

    fn close_problem(&mut self) {
        if let Some(problem) = self.problems.last()
            && problem.blocks == 0
        {
            let label = label(Marker::Problem, &problem.title);
            self.errors.push(LineError::new(problem.line, format!("“{label}”下没有“解决措施”")));
        }
    }

    fn finish(mut self, indicators: &[(&str, &str)]) -> Result<ParsedPlan, Vec<LineError>> {
        self.close_block();
        self.close_problem();
        if self.problems.is_empty() && self.errors.is_empty() {
            self.errors.push(LineError::new(
                1,
                "全文没有“存在问题：”，方案应按“——存在问题：”“——解决措施：”“——责任领导：”“——责任部门：”“——责任人：”“——完成时限：”书写",
            ));
        }
        if !self.errors.is_empty() {
            self.errors.sort_by_key(|e| e.line);
            return Err(self.errors);
        }
        let problems = self
            .problems
            .into_iter()
            .enumerate()
            .map(|(index, problem)| {
                let description = problem.description.join("\n");
                let text = fold(&format!("{}\n{description}", problem.title));
                let suggested_indicators = indicators
                    .iter()
                    .filter(|(_, name)| {
                        let name = fold(name);
                        !name.is_empty() && text.contains(&name)
                    })
                    .map(|(code, _)| code.to_string())
                    .collect();
                ParsedProblem {
                    seq: index + 1,
                    title: problem.title,
                    description,
                    suggested_indicators,
                    tasks: problem.tasks,
                    line: problem.line,
                }
            })
            .collect();
        Ok(ParsedPlan { problems })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAN: &str = include_str!("../../tests/data/plan-2023.txt");

    const INDICATORS: [(&str, &str); 5] = [
        ("rd_expenditure", "R&D经费支出"),
        ("patent_applications", "发明专利申请量"),
        ("iur_projects", "产学研合作项目"),
        // named only in measures, which suggest nothing
        ("high_tech_firms", "高新技术企业"),
        ("talents", "高层次人才"),
    ];

    fn day(y: i32, m: u32, d: u32) -> Deadline {
        Deadline::Date(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[allow(clippy::too_many_arguments)]
    fn task(
        seq: usize,
        line: usize,
        title: &str,
        measures: &[&str],
        leaders: &[&str],
        departments: &[&str],
        persons: &[&str],
        deadline: Deadline,
    ) -> ParsedTask {
        ParsedTask {
            seq,
            title: title.into(),
            measures: strings(measures),
            leaders: strings(leaders),
            departments: strings(departments),
            persons: strings(persons),
            deadline,
            line,
        }
    }

    /// What tests/data/plan-2023.txt says, every field of it.
    fn the_plan() -> ParsedPlan {
        let problem =
            |seq: usize, line: usize, title: &str, description: &str, suggested: &[&str], tasks| ParsedProblem {
                seq,
                title: title.into(),
                description: description.into(),
                suggested_indicators: strings(suggested),
                tasks,
                line,
            };
        ParsedPlan {
            problems: vec![
                problem(
                    1,
                    10,
                    "全社会科技投入不足",
                    "2022年全区R&D经费支出12.6亿元，占地区生产总值的比重为1.62%，低于全市平均水平0.8个百分点；规模以上工业企业中有研发活动的企业占比不足三成，企业研发投入的主体作用没有充分发挥。\n\
                     区财政科技支出增长缓慢，对社会资本投入科技创新的引导和撬动作用不够明显。",
                    &["rd_expenditure"],
                    vec![task(
                        1,
                        13,
                        "加大研发投入",
                        &[
                            "全面落实企业研发费用加计扣除、高新技术企业所得税减免等优惠政策，引导企业持续加大研发投入。",
                            "设立区级科技创新专项资金，确保2023年区财政科技支出增长不低于10%。",
                            "建立重点企业研发投入季度调度机制，对研发投入增幅较大的企业给予后补助奖励。",
                        ],
                        &["王局长", "李副局长"],
                        &["高新技术科", "科技管理科"],
                        &["张科长", "赵科长"],
                        day(2023, 12, 31),
                    )],
                ),
                problem(
                    2,
                    20,
                    "核心技术较少、专利申请和授权量落后",
                    "全区企业掌握核心技术的产品较少，产学研合作项目2022年仅有7项，高校院所的科技成果在本区转化落地不多。\n\
                     2022年全区发明专利申请量为312件、授权量为86件，在全市十个区中分别排名第八和第九。",
                    &["patent_applications", "iur_projects"],
                    vec![
                        task(
                            1,
                            23,
                            "提升企业自主创新能力",
                            &[
                                "实施高新技术企业培育计划，建立后备企业库，全年新认定高新技术企业20家以上。",
                                "支持企业建设研发中心、重点实验室等创新平台，新增市级以上研发平台5家。",
                                "开展知识产权服务进企业活动，指导企业做好专利挖掘和布局。",
                            ],
                            &["李副局长"],
                            &["高新技术科"],
                            &["张科长"],
                            day(2023, 12, 31),
                        ),
                        task(
                            2,
                            31,
                            "深化产学研合作",
                            &[
                                "组织企业与高校院所开展技术对接活动，全年不少于6场。",
                                "对新签订的产学研合作项目按技术合同成交额给予补助。",
                            ],
                            &["李副局长", "王局长"],
                            &["科技管理科", "高新技术科"],
                            &["赵科长", "刘副科长"],
                            Deadline::LongTerm,
                        ),
                    ],
                ),
                problem(
                    3,
                    38,
                    "高层次人才缺乏",
                    "全区科技创新领军人才和高层次创新团队数量偏少，引进的高层次人才中企业人才不到三分之一，人才政策吸引力不强。",
                    &["talents"],
                    vec![task(
                        1,
                        40,
                        "引进和培育高层次人才",
                        &[
                            "修订完善区高层次人才引进办法，提高安家补贴和项目资助标准。",
                            "依托农业科技园区和创新平台柔性引进专家团队。",
                            "每年选派科技特派员服务农业企业和合作社。",
                        ],
                        &["王局长"],
                        &["农业与社会发展科", "科技管理科"],
                        &["孙科长"],
                        Deadline::LongTerm,
                    )],
                ),
                problem(
                    4,
                    47,
                    "工作作风有待改进",
                    "部分干部服务企业主动性不强，深入基层调研不够，对企业反映的问题跟踪办理不及时。",
                    &[],
                    vec![task(
                        1,
                        49,
                        "持续改进工作作风",
                        &[
                            "严格落实局领导联系企业制度，每名局领导联系5家重点企业，每季度走访不少于1次。",
                            "建立企业诉求台账，实行办理、反馈、回访闭环管理。",
                            "开展作风建设专项检查，检查结果纳入年度考核。",
                        ],
                        &["王局长", "陈副局长"],
                        &["局办公室"],
                        &["周主任"],
                        Deadline::LongTerm,
                    )],
                ),
            ],
        }
    }

    /// The plan with every line number moved by `by`, or set to 0 when `by` is `None`.
    fn lines_moved(mut plan: ParsedPlan, by: Option<usize>) -> ParsedPlan {
        let moved = |line: usize| by.map_or(0, |by| line + by);
        for problem in &mut plan.problems {
            problem.line = moved(problem.line);
            for task in &mut problem.tasks {
                task.line = moved(task.line);
            }
        }
        plan
    }

    /// The plan's text with line `at` (1-based) replaced by `with` (no lines: deleted). Edits are
    /// applied from the last line up, so every number names a line of the original text.
    fn edited(text: &str, edits: &[(usize, &[&str])]) -> String {
        let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
        let mut edits = edits.to_vec();
        edits.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
        for (at, with) in edits {
            lines.splice(at - 1..at, with.iter().map(|s| s.to_string()));
        }
        lines.join("\n")
    }

    fn markers_replaced(text: &str, replace: impl Fn(&str) -> String) -> String {
        let mut text = text.to_string();
        for marker in MARKERS {
            text = text.replace(&format!("——{}：", marker.name()), &replace(marker.name()));
        }
        text
    }

    #[test]
    fn the_bureau_s_plan_reads_as_four_problems_with_their_tasks_deadlines_and_lines() {
        let plan = parse(PLAN, &INDICATORS).unwrap();
        let want = the_plan();
        // the summary first, so that a failure says where to look
        let summary = |plan: &ParsedPlan| -> Vec<(String, Vec<(String, usize, Deadline)>)> {
            plan.problems
                .iter()
                .map(|p| {
                    (p.title.clone(), p.tasks.iter().map(|t| (t.title.clone(), t.measures.len(), t.deadline)).collect())
                })
                .collect()
        };
        assert_eq!(summary(&plan), summary(&want));
        assert_eq!(plan.problems.iter().map(|p| p.tasks.len()).sum::<usize>(), 5);
        assert_eq!(plan, want);
    }

    #[test]
    fn a_problem_suggests_the_indicators_its_title_or_description_names_in_the_order_given() {
        let block = "——解决措施：加大研发投入\n一是引导企业增加R&D经费支出。\n责任领导：王局长\n责任部门：高新技术科\n责任人：张科长\n完成时限：2023.12";
        let cases: [(&str, &[(&str, &str)], &str, &[&str]); 7] = [
            ("named in the title", &INDICATORS, "——存在问题：R&D经费支出偏低\n", &["rd_expenditure"]),
            (
                "named in the description",
                &INDICATORS,
                "——存在问题：投入不足\n全区R&D经费支出偏低。\n",
                &["rd_expenditure"],
            ),
            ("named only in the measures", &INDICATORS, "——存在问题：投入不足\n", &[]),
            (
                "in the order of the indicators, not of the text",
                &INDICATORS,
                "——存在问题：专利和合作\n产学研合作项目少，发明专利申请量低，R&D经费支出少。\n",
                &["rd_expenditure", "patent_applications", "iur_projects"],
            ),
            (
                "full-width letters, spaces and case",
                &[("rd_expenditure", "r&d 经费支出")],
                "——存在问题：投入不足\n全区Ｒ＆Ｄ经费\u{3000}支出偏低。\n",
                &["rd_expenditure"],
            ),
            (
                "an empty name suggests nothing",
                &[("blank", " "), ("rd_expenditure", "R&D经费支出")],
                "——存在问题：R&D经费支出偏低\n",
                &["rd_expenditure"],
            ),
            ("no indicators", &[], "——存在问题：R&D经费支出偏低\n", &[]),
        ];
        for (case, indicators, problem, want) in cases {
            let plan = parse(&format!("{problem}{block}"), indicators).unwrap_or_else(|e| panic!("{case}: {e:?}"));
            assert_eq!(plan.problems[0].suggested_indicators, strings(want), "{case}");
        }
        let plan = parse(PLAN, &INDICATORS).unwrap();
        let suggested: Vec<Vec<String>> = plan.problems.into_iter().map(|p| p.suggested_indicators).collect();
        assert_eq!(
            suggested,
            [
                strings(&["rd_expenditure"]),
                strings(&["patent_applications", "iur_projects"]),
                strings(&["talents"]),
                vec![]
            ]
        );
    }

    #[test]
    fn every_tolerated_layout_reads_as_the_same_plan() {
        let one_per_line = |numbers: [&str; 3]| {
            let lines = [
                "全面落实企业研发费用加计扣除、高新技术企业所得税减免等优惠政策，引导企业持续加大研发投入。",
                "设立区级科技创新专项资金，确保2023年区财政科技支出增长不低于10%。",
                "建立重点企业研发投入季度调度机制，对研发投入增幅较大的企业给予后补助奖励。",
            ];
            let lines: Vec<String> = numbers.iter().zip(lines).map(|(n, l)| format!("{n}{l}")).collect();
            edited(PLAN, &[(14, &lines.iter().map(String::as_str).collect::<Vec<_>>())])
        };
        // (case, the edited text, how far the lines move: None when they move unevenly)
        let cases: Vec<(&str, String, Option<usize>)> = vec![
            ("as written", PLAN.to_string(), Some(0)),
            ("ASCII colons", markers_replaced(PLAN, |m| format!("——{m}:")), Some(0)),
            ("no dashes", PLAN.replace("——", ""), Some(0)),
            ("one em dash", PLAN.replace("——", "—"), Some(0)),
            ("an ASCII hyphen and spaces around the colon", markers_replaced(PLAN, |m| format!("- {m} : ")), Some(0)),
            (
                "every dash and bullet, one per marker",
                PLAN.replace("——存在问题", "－存在问题")
                    .replace("——解决措施", "–解决措施")
                    .replace("——责任领导", "-责任领导")
                    .replace("——责任部门", "— 责任部门")
                    .replace("——责任人", "――责任人")
                    .replace("——完成时限", "\u{f0b7} 完成时限"),
                Some(0),
            ),
            (
                "numbered markers",
                PLAN.replace("——存在问题：", "（一）存在问题：")
                    .replace("——解决措施：", "1.解决措施：")
                    .replace("——完成时限：", "一、完成时限："),
                Some(0),
            ),
            (
                "spaces inside a marker",
                PLAN.replace("——责任人：", "责 任 人：").replace("——完成时限：", "完成时限 ： "),
                Some(0),
            ),
            ("measures one per line after 一是", one_per_line(["一是", "二是", "三是"]), None),
            ("measures one per line after （1）", one_per_line(["（1）", "（2）", "（3）"]), None),
            ("measures one per line after ①", one_per_line(["①", "② ", "③"]), None),
            ("measures one per line after 1、", one_per_line(["1、", "2、", "3、"]), None),
            ("measures one per line without numbers", one_per_line(["", "", ""]), None),
            (
                "numbered measures written as one paragraph",
                edited(
                    PLAN,
                    &[
                        (
                            24,
                            &[
                                "一是实施高新技术企业培育计划，建立后备企业库，全年新认定高新技术企业20家以上。二是支持企业建设研发中心、重点实验室等创新平台，新增市级以上研发平台5家。三是开展知识产权服务进企业活动，指导企业做好专利挖掘和布局。",
                            ],
                        ),
                        (25, &[]),
                        (26, &[]),
                    ],
                ),
                None,
            ),
            (
                "blank lines, U+3000 indentation and trailing spaces",
                PLAN.split('\n').map(|l| format!("\u{3000}\u{3000}{l}  \t\n\n")).collect(),
                None,
            ),
            ("a byte-order mark and CRLF line ends", format!("\u{feff}{}", PLAN.replace('\n', "\r\n")), Some(0)),
            (
                "Word's zero-width and non-breaking spaces, soft hyphens and full-width digits",
                PLAN.replace("——存在问题：", "——存在\u{200b}问题：\u{a0}")
                    .replace("——责任部门：", "\u{a0}——责任\u{ad}部门：")
                    .replace("：2023.12", "：２０２３．１２")
                    .replace("长期", "长期\u{200b}"),
                Some(0),
            ),
            (
                "a notice heading before",
                format!("关于印发《甲区科学技术局巡察整改方案》的通知\n各科室：\n{PLAN}"),
                Some(2),
            ),
            (
                "headings between problems",
                edited(
                    PLAN,
                    &[
                        (20, &["（二）科技创新能力方面", "——存在问题：核心技术较少、专利申请和授权量落后"]),
                        (38, &["（三）人才队伍方面", "——存在问题：高层次人才缺乏"]),
                    ],
                ),
                None,
            ),
            ("no closing section", PLAN[..PLAN.find("三、保障措施").unwrap()].to_string(), Some(0)),
            (
                "the four lines in another order",
                edited(PLAN, &[(15, &["——完成时限：2023.12"]), (18, &["——责任领导：王局长、李副局长"])]),
                Some(0),
            ),
            (
                "several 解决措施 of one problem apart by a blank line",
                edited(PLAN, &[(31, &["", "——解决措施：深化产学研合作"])]),
                None,
            ),
            ("deadlines written as month ends", PLAN.replace("：2023.12", "：2023年12月底前"), Some(0)),
            (
                "deadlines written as days",
                PLAN.replace("：2023.12", "：2023年12月31日").replace("：长期", "：长期坚持"),
                Some(0),
            ),
        ];
        for (case, text, moved) in cases {
            let plan = parse(&text, &INDICATORS).unwrap_or_else(|e| panic!("{case}: {e:#?}"));
            assert_eq!(lines_moved(plan, moved.map(|_| 0)), lines_moved(the_plan(), moved), "{case}");
        }
    }

    #[test]
    fn broken_blocks_are_each_reported_with_their_line_and_all_at_once() {
        let not_a_date = |line: usize, text: &str| {
            format!(
                "第{line}行：完成时限“{text}”不是日期，应为 2023.12、2023.12.31、2023年12月、2023年12月31日 或 长期"
            )
        };
        let no_plan = "第1行：全文没有“存在问题：”，方案应按“——存在问题：”“——解决措施：”“——责任领导：”“——责任部门：”“——责任人：”“——完成时限：”书写";
        let cases: Vec<(&str, String, Vec<(usize, String)>)> = vec![
            ("a block without its 完成时限", edited(PLAN, &[(18, &[])]), vec![(13, "第13行：“解决措施：加大研发投入”缺少“完成时限”".into())]),
            (
                "a block without three of its lines",
                edited(PLAN, &[(33, &[]), (34, &[]), (35, &[])]),
                vec![(31, "第31行：“解决措施：深化产学研合作”缺少“责任领导”、“责任部门”、“责任人”".into())],
            ),
            ("a month that does not exist", edited(PLAN, &[(18, &["——完成时限：2023.13"])]), vec![(18, not_a_date(18, "2023.13"))]),
            ("a day that does not exist", edited(PLAN, &[(30, &["——完成时限：2023年2月29日"])]), vec![(30, not_a_date(30, "2023年2月29日"))]),
            (
                "a year out of range",
                edited(PLAN, &[(18, &["——完成时限：1899.12"])]),
                vec![(18, "第18行：完成时限“1899.12”的年份应在 1900 到 2200 之间".into())],
            ),
            (
                "a 解决措施 before any 存在问题",
                edited(PLAN, &[(9, &["二、存在问题及整改措施", "——解决措施：加强统筹协调", "——责任领导：王局长", "——责任部门：局办公室", "——责任人：周主任", "——完成时限：长期"])]),
                vec![(10, "第10行：“解决措施：加强统筹协调”之前没有“存在问题”".into())],
            ),
            ("an empty 责任部门", edited(PLAN, &[(28, &["——责任部门："])]), vec![(28, "第28行：“责任部门”为空".into())]),
            ("a 责任人 of separators only", edited(PLAN, &[(29, &["——责任人：、 ，"])]), vec![(29, "第29行：“责任人”为空".into())]),
            ("an empty 完成时限", edited(PLAN, &[(36, &["——完成时限：\u{3000}"])]), vec![(36, "第36行：“完成时限”为空".into())]),
            ("an empty 存在问题", edited(PLAN, &[(20, &["——存在问题："])]), vec![(20, "第20行：“存在问题”为空".into())]),
            ("an empty 解决措施", edited(PLAN, &[(40, &["——解决措施："])]), vec![(40, "第40行：“解决措施”为空".into())]),
            (
                "measures on the 解决措施 line",
                edited(PLAN, &[(13, &["——解决措施：一是落实研发费用加计扣除政策。二是设立专项资金。"]), (14, &[])]),
                vec![(13, "第13行：“解决措施：”后应先写措施的标题，一是、二是……另起一行".into())],
            ),
            (
                "a problem without tasks",
                edited(PLAN, &[(37, &["", "——存在问题：科技服务业发展滞后", "全区科技服务机构数量少、规模小。", ""])]),
                vec![(38, "第38行：“存在问题：科技服务业发展滞后”下没有“解决措施”".into())],
            ),
            (
                "the last problem without tasks, before the closing section",
                edited(PLAN, &[(49, &[]), (50, &[]), (51, &[]), (52, &[]), (53, &[]), (54, &[])]),
                vec![(47, "第47行：“存在问题：工作作风有待改进”下没有“解决措施”".into())],
            ),
            (
                "a 责任领导 in a problem's description",
                edited(PLAN, &[(12, &["区财政科技支出增长缓慢。", "——责任领导：王局长"])]),
                vec![(13, "第13行：“责任领导：王局长”之前没有“解决措施”".into())],
            ),
            ("a line written twice", edited(PLAN, &[(17, &["——责任人：张科长、赵科长", "——责任人：刘副科长"])]), vec![(18, "第18行：“责任人”与第17行重复".into())]),
            (
                "text between a block and the next",
                edited(PLAN, &[(19, &["请各科室于每月5日前报送进展。"])]),
                vec![(19, "第19行：“请各科室于每月5日前报送进展。”放错了位置：措施应写在“解决措施”之后、“责任领导”之前".into())],
            ),
            (
                "a measure among a block's lines",
                edited(PLAN, &[(16, &["——责任部门：高新技术科、科技管理科", "四是加强对企业研发活动统计的业务指导，确保应统尽统、数据真实。"])]),
                vec![(17, "第17行：“四是加强对企业研发活动统计的业务指导，确…”放错了位置：措施应写在“解决措施”之后、“责任领导”之前".into())],
            ),
            (
                "every error at once, in the order of the lines",
                edited(
                    PLAN,
                    &[
                        (7, &["——解决措施：加强统筹协调"]),
                        (18, &["——完成时限：2023.13"]),
                        (28, &["——责任部门："]),
                        (36, &["——完成时限："]),
                        (43, &["——责任部门：、"]),
                        (53, &[""]),
                    ],
                ),
                vec![
                    (7, "第7行：“解决措施：加强统筹协调”之前没有“存在问题”".into()),
                    (7, "第7行：“解决措施：加强统筹协调”缺少“责任领导”、“责任部门”、“责任人”、“完成时限”".into()),
                    (18, not_a_date(18, "2023.13")),
                    (28, "第28行：“责任部门”为空".into()),
                    (36, "第36行：“完成时限”为空".into()),
                    (43, "第43行：“责任部门”为空".into()),
                    (49, "第49行：“解决措施：持续改进工作作风”缺少“责任人”".into()),
                ],
            ),
            ("text without a plan", "三、保障措施\n（一）加强组织领导。".into(), vec![(1, no_plan.into())]),
            ("no text", String::new(), vec![(1, no_plan.into())]),
        ];
        for (case, text, want) in cases {
            let errors = parse(&text, &INDICATORS).expect_err(case);
            let got: Vec<(usize, String)> = errors.into_iter().map(|e| (e.line, e.message)).collect();
            assert_eq!(got, want, "{case}");
        }
    }

    #[test]
    fn deadlines_in_every_written_form_and_the_month_s_last_day() {
        let cases: [(&str, Deadline); 26] = [
            ("2023.12", day(2023, 12, 31)),
            ("2023.12.31", day(2023, 12, 31)),
            ("2023.6", day(2023, 6, 30)),
            ("2023.06.15", day(2023, 6, 15)),
            ("2023-12", day(2023, 12, 31)),
            ("2023-12-31", day(2023, 12, 31)),
            ("2023/9/30", day(2023, 9, 30)),
            ("2023年12月", day(2023, 12, 31)),
            ("2023年12月31日", day(2023, 12, 31)),
            ("2023年6月30号", day(2023, 6, 30)),
            ("2023年6月底", day(2023, 6, 30)),
            ("2023年12月底前", day(2023, 12, 31)),
            ("2023年9月30日前", day(2023, 9, 30)),
            ("2023年底", day(2023, 12, 31)),
            ("2023年年底", day(2023, 12, 31)),
            ("2023年底前", day(2023, 12, 31)),
            ("2024.2", day(2024, 2, 29)),
            ("2023.2", day(2023, 2, 28)),
            ("1900.2", day(1900, 2, 28)),
            ("1900.1.1", day(1900, 1, 1)),
            ("2200.12", day(2200, 12, 31)),
            ("２０２３．１２", day(2023, 12, 31)),
            ("\u{3000}2023年 11 月。", day(2023, 11, 30)),
            ("长期", Deadline::LongTerm),
            ("长期坚持", Deadline::LongTerm),
            (" 长期\u{a0}", Deadline::LongTerm),
        ];
        for (text, want) in cases {
            assert_eq!(parse_deadline(text), Ok(want), "{text:?}");
        }
        let not_a_date = |text: &str| {
            format!("完成时限“{text}”不是日期，应为 2023.12、2023.12.31、2023年12月、2023年12月31日 或 长期")
        };
        let out_of_range = |text: &str| format!("完成时限“{text}”的年份应在 1900 到 2200 之间");
        let cases: [(&str, String); 20] = [
            ("2023.13", not_a_date("2023.13")),
            ("2023.0", not_a_date("2023.0")),
            ("2023.2.29", not_a_date("2023.2.29")),
            ("2023.12.32", not_a_date("2023.12.32")),
            ("2023.4.31", not_a_date("2023.4.31")),
            ("2023年13月", not_a_date("2023年13月")),
            ("2023年12月0日", not_a_date("2023年12月0日")),
            ("23.12", not_a_date("23.12")),
            ("2023", not_a_date("2023")),
            ("2023年", not_a_date("2023年")),
            ("2023.12-31", not_a_date("2023.12-31")),
            ("2023.123", not_a_date("2023.123")),
            ("2023.12.31.1", not_a_date("2023.12.31.1")),
            ("立行立改", not_a_date("立行立改")),
            ("长期有效", not_a_date("长期有效")),
            ("明年年底", not_a_date("明年年底")),
            ("1899.12", out_of_range("1899.12")),
            ("2201.1", out_of_range("2201.1")),
            ("", "完成时限为空".into()),
            ("\u{3000}\u{feff}", "完成时限为空".into()),
        ];
        for (text, want) in cases {
            assert_eq!(parse_deadline(text), Err(want), "{text:?}");
        }
    }

    #[test]
    fn measures_in_one_paragraph_or_one_per_line() {
        let cases: [(&[&str], &[&str]); 15] = [
            (&["一是甲。二是乙。三是丙。"], &["甲。", "乙。", "丙。"]),
            (&["一是甲；二是乙；三是丙。"], &["甲", "乙", "丙。"]),
            (&["一是甲，二是乙。"], &["甲", "乙。"]),
            (&["一是甲。", "二是乙。"], &["甲。", "乙。"]),
            (&["一是甲。二是乙。", "三是丙。四是丁。"], &["甲。", "乙。", "丙。", "丁。"]),
            (
                &["一是甲。二是乙。三是丙。四是丁。五是戊。六是己。七是庚。八是辛。九是壬。十是癸。十一是子。"],
                &["甲。", "乙。", "丙。", "丁。", "戊。", "己。", "庚。", "辛。", "壬。", "癸。", "子。"],
            ),
            // an ordinal counts only in its turn and after a stop or a comma
            (&["一是坚持统一是前提。二是落实。"], &["坚持统一是前提。", "落实。"]),
            (&["一是摸清底数，一是一、二是二。二是建立台账。"], &["摸清底数，一是一、二是二。", "建立台账。"]),
            (&["具体措施：一是甲。二是乙。"], &["具体措施", "甲。", "乙。"]),
            (&["1.甲。", "2．乙。", "3、丙。"], &["甲。", "乙。", "丙。"]),
            (&["（1）甲。", "(2) 乙。", "③丙。", "⑷丁。"], &["甲。", "乙。", "丙。", "丁。"]),
            (&["一、甲。", "（二）乙。"], &["甲。", "乙。"]),
            (&["甲。", "乙。"], &["甲。", "乙。"]),
            (
                &["1.5亿元以上的项目优先支持。", "2023年起按季度通报。"],
                &["1.5亿元以上的项目优先支持。", "2023年起按季度通报。"],
            ),
            (&[], &[]),
        ];
        for (lines, want) in cases {
            assert_eq!(measures(&strings(lines)), strings(want), "{lines:?}");
        }
    }

    #[test]
    fn names_are_split_on_every_separator_people_use() {
        let cases: [(&str, &[&str]); 7] = [
            ("王局长、李副局长", &["王局长", "李副局长"]),
            ("王局长，李副局长,陈副局长", &["王局长", "李副局长", "陈副局长"]),
            ("高新技术科；科技管理科;局办公室", &["高新技术科", "科技管理科", "局办公室"]),
            ("张科长 赵科长  刘副科长", &["张科长", "赵科长", "刘副科长"]),
            ("张科长/赵科长", &["张科长", "赵科长"]),
            ("局办公室", &["局办公室"]),
            ("、，; ", &[]),
        ];
        for (value, want) in cases {
            assert_eq!(names(value), strings(want), "{value:?}");
        }
    }

    #[test]
    fn a_marker_is_its_word_and_a_colon_after_any_dash_bullet_or_number() {
        use Field::*;
        let cases: [(&str, Option<(Marker, &str)>); 22] = [
            ("——存在问题：全社会科技投入不足", Some((Marker::Problem, "全社会科技投入不足"))),
            ("—存在问题:全社会科技投入不足", Some((Marker::Problem, "全社会科技投入不足"))),
            ("存在问题：全社会科技投入不足", Some((Marker::Problem, "全社会科技投入不足"))),
            ("（一）存在问题：甲", Some((Marker::Problem, "甲"))),
            ("一、存在问题：甲", Some((Marker::Problem, "甲"))),
            ("存在问题一：甲", Some((Marker::Problem, "甲"))),
            ("存在问题（2）：甲", Some((Marker::Problem, "甲"))),
            ("1.解决措施：加大研发投入", Some((Marker::Task, "加大研发投入"))),
            ("- 解决措施 : 加大研发投入 ", Some((Marker::Task, "加大研发投入"))),
            ("①责任领导：王局长", Some((Marker::Field(Leaders), "王局长"))),
            ("● 责任部门︰高新技术科", Some((Marker::Field(Departments), "高新技术科"))),
            ("\u{3000}责 任 人：张科长", Some((Marker::Field(Persons), "张科长"))),
            ("——完成时限：", Some((Marker::Field(Deadline), ""))),
            ("－完成时限﹕长期", Some((Marker::Field(Deadline), "长期"))),
            ("二、存在问题及整改措施", None),
            ("明确责任领导、责任部门、责任人和完成时限", None),
            ("存在问题较多：如下", None),
            ("责任人员：张三", None),
            ("各科室：", None),
            ("——存在问题全社会科技投入不足", None),
            ("对存在问题：逐项整改", None),
            ("", None),
        ];
        for (line, want) in cases {
            assert_eq!(marker(&clean(line)), want, "{line:?}");
        }
    }

    #[test]
    fn headings_between_blocks_are_short_numbered_lines_without_a_stop() {
        for (line, want) in [
            ("三、保障措施", true),
            ("（二）科技创新能力方面", true),
            ("(十一)其他", true),
            ("（一）加强组织领导。成立整改工作领导小组。", false),
            ("请各科室于每月5日前报送进展", false),
            ("1.科技创新能力方面", false),
            ("一是加强领导", false),
        ] {
            assert_eq!(is_heading(line), want, "{line:?}");
        }
    }
}
