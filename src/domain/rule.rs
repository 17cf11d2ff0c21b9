//! Checks as data (SPEC §15): a rule compares two expressions over indicators, each indicator
//! read in a view (YTD by default, `@quarter`, `@annual`) and possibly a period earlier
//! (`[-1y]`, `[-1q]`), with a severity and a way to treat a missing figure.
//!
//! This file owns the grammar of rule expressions, the checks of a rule as a person writes it,
//! its evaluation and the Chinese sentence that states the result, and the built-in checks of
//! §2.6 that are comparisons. It does not know which regions and periods a rule runs on, nor how
//! figures are found: the engine hands in the value of each term for one region and period.
//!
//! The grammar is that of [`super::formula`] (numbers, `+ - * /`, unary minus, parentheses)
//! with terms in place of bare codes; positions are 1-based characters, as formula errors say.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::FieldError;
use super::ids::{IndicatorCode, RegionId};
use super::indicator::{Frequency, Indicator, IndicatorSet, Mode};
use super::number;
use super::period::{Period, Quarter};
use super::text;
use super::views::{Span, View};

/// The furthest back a term may read: 40 years or 40 quarters (`[-40y]`, `[-40q]`).
pub const MAX_OFFSET: u8 = 40;
/// The longest expression, in characters.
pub const MAX_LEN: usize = 1000;
/// Deep nesting is refused so that parsing and evaluation cannot exhaust the stack.
const MAX_DEPTH: usize = 64;

/// How far back a term reads from the period the rule is checked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Offset {
    /// the period itself
    #[default]
    Now,
    /// `[-ny]`: the same period n years earlier
    Years(u8),
    /// `[-nq]`: n quarters earlier
    Quarters(u8),
}

impl Offset {
    /// The period read at `period`: `None` when it falls outside the years a period may have,
    /// or for a quarter offset at a year (a year has no previous quarter).
    pub fn shift(self, period: Period) -> Option<Period> {
        match (self, period) {
            (Offset::Now, p) => Some(p),
            (Offset::Years(n), Period::Quarter(q)) => Quarter::new(q.year() - i32::from(n), q.q()).map(Period::Quarter),
            (Offset::Years(n), Period::Year(y)) => Period::from_parts(y - i32::from(n), 0),
            (Offset::Quarters(n), Period::Quarter(q)) => (0..n).try_fold(q, |q, _| q.previous()).map(Period::Quarter),
            (Offset::Quarters(_), Period::Year(_)) => None,
        }
    }

    /// `上年同期`, `3年前同期`, `上季度`, `2个季度前`; nothing for the period itself.
    fn label(self) -> String {
        match self {
            Offset::Now => String::new(),
            Offset::Years(1) => "上年同期".into(),
            Offset::Years(n) => format!("{n}年前同期"),
            Offset::Quarters(1) => "上季度".into(),
            Offset::Quarters(n) => format!("{n}个季度前"),
        }
    }
}

impl fmt::Display for Offset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Offset::Now => Ok(()),
            Offset::Years(n) => write!(f, "[-{n}y]"),
            Offset::Quarters(n) => write!(f, "[-{n}q]"),
        }
    }
}

/// One figure an expression reads: an indicator in a view, at an offset.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Term {
    pub indicator: IndicatorCode,
    pub view: View,
    pub offset: Offset,
}

impl Term {
    /// What this term covers when the rule is checked at `period`: the period shifted by the
    /// offset, read in the view. At a quarter the annual view is that quarter's whole year; at a
    /// year the YTD view is the whole year (as [`Span::to_date`] reads it) and the quarter view
    /// has nothing to read (`None`, as for a shift out of range).
    pub fn span_at(&self, period: Period) -> Option<Span> {
        match (self.view, self.offset.shift(period)?) {
            (View::Quarter, Period::Quarter(q)) => Some(Span::Quarter(q)),
            (View::Ytd, p) => Some(Span::to_date(p)),
            (View::Annual, p) => Some(Span::Annual(p.year())),
            (View::Quarter, Period::Year(_)) => None,
        }
    }

    /// How a sentence names it: `上年同期专利申请量`, `上季度R&D经费支出（当季）`; an indicator
    /// that is not in the set is named by its code.
    pub fn label(&self, indicators: &IndicatorSet) -> String {
        let name = indicators.get(self.indicator.as_str()).map_or(self.indicator.as_str(), |i| i.name.as_str());
        let view = match self.view {
            View::Ytd => "",
            View::Quarter => "（当季）",
            View::Annual => "（全年）",
        };
        format!("{}{name}{view}", self.offset.label())
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.indicator.as_str())?;
        if self.view != View::Ytd {
            write!(f, "@{}", self.view.as_str())?;
        }
        write!(f, "{}", self.offset)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arith {
    Add,
    Sub,
    Mul,
    Div,
}

impl Arith {
    fn symbol(self) -> char {
        match self {
            Arith::Add => '+',
            Arith::Sub => '-',
            Arith::Mul => '*',
            Arith::Div => '/',
        }
    }

    fn precedence(self) -> u8 {
        match self {
            Arith::Add | Arith::Sub => 1,
            Arith::Mul | Arith::Div => 2,
        }
    }
}

/// A parsed expression. `at` is the 1-based character where the node's token begins (a
/// binary node: its operator); a term also keeps `len`, its length as written.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Number { value: f64, at: usize },
    Term { term: Term, at: usize, len: usize },
    Neg { inner: Box<Expr>, at: usize },
    Binary { op: Arith, left: Box<Expr>, right: Box<Expr>, at: usize },
}

/// Why an expression has no value: a figure it reads is missing, or it divides by zero (or
/// overflows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gap {
    Missing,
    DivisionByZero,
}

impl Expr {
    /// The terms it reads, each once, in order of first use.
    pub fn terms(&self) -> Vec<&Term> {
        fn walk<'a>(e: &'a Expr, out: &mut Vec<&'a Term>) {
            match e {
                Expr::Number { .. } => {}
                Expr::Term { term, .. } => {
                    if !out.contains(&term) {
                        out.push(term)
                    }
                }
                Expr::Neg { inner, .. } => walk(inner, out),
                Expr::Binary { left, right, .. } => {
                    walk(left, out);
                    walk(right, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(self, &mut out);
        out
    }

    /// The terms with their positions, in order of writing (a term used twice is listed twice).
    fn placed_terms(&self) -> Vec<(&Term, usize, usize)> {
        fn walk<'a>(e: &'a Expr, out: &mut Vec<(&'a Term, usize, usize)>) {
            match e {
                Expr::Number { .. } => {}
                Expr::Term { term, at, len } => out.push((term, *at, *len)),
                Expr::Neg { inner, .. } => walk(inner, out),
                Expr::Binary { left, right, .. } => {
                    walk(left, out);
                    walk(right, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(self, &mut out);
        out
    }

    /// Its value with each term's from `value_of`. Unlike a formula's `None`, the error says
    /// why: a missing term, or a division by zero (or a result too large to be a number).
    pub fn eval(&self, value_of: &dyn Fn(&Term) -> Option<f64>) -> Result<f64, Gap> {
        let v = match self {
            Expr::Number { value, .. } => *value,
            Expr::Term { term, .. } => value_of(term).filter(|v| v.is_finite()).ok_or(Gap::Missing)?,
            Expr::Neg { inner, .. } => -inner.eval(value_of)?,
            Expr::Binary { op, left, right, .. } => {
                let (a, b) = (left.eval(value_of)?, right.eval(value_of)?);
                match op {
                    Arith::Add => a + b,
                    Arith::Sub => a - b,
                    Arith::Mul => a * b,
                    Arith::Div if b == 0.0 => return Err(Gap::DivisionByZero),
                    Arith::Div => a / b,
                }
            }
        };
        if v.is_finite() { Ok(v) } else { Err(Gap::DivisionByZero) }
    }

    /// The same tree with every position 0: two parses of the same expression written with
    /// different spacing or redundant parentheses are equal this way.
    pub fn without_positions(&self) -> Expr {
        match self {
            Expr::Number { value, .. } => Expr::Number { value: *value, at: 0 },
            Expr::Term { term, .. } => Expr::Term { term: term.clone(), at: 0, len: 0 },
            Expr::Neg { inner, .. } => Expr::Neg { inner: Box::new(inner.without_positions()), at: 0 },
            Expr::Binary { op, left, right, .. } => Expr::Binary {
                op: *op,
                left: Box::new(left.without_positions()),
                right: Box::new(right.without_positions()),
                at: 0,
            },
        }
    }

    fn precedence(&self) -> u8 {
        match self {
            Expr::Binary { op, .. } => op.precedence(),
            _ => 3,
        }
    }
}

/// The canonical text: single spaces around binary operators, only the parentheses needed.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Number { value, .. } => write!(f, "{value}"),
            Expr::Term { term, .. } => write!(f, "{term}"),
            Expr::Neg { inner, .. } if inner.precedence() < 3 => write!(f, "-({inner})"),
            Expr::Neg { inner, .. } => write!(f, "-{inner}"),
            Expr::Binary { op, left, right, .. } => {
                if left.precedence() < op.precedence() {
                    write!(f, "({left})")?;
                } else {
                    write!(f, "{left}")?;
                }
                write!(f, " {} ", op.symbol())?;
                // left-associative: an equal precedence on the right needs its parentheses
                if right.precedence() <= op.precedence() { write!(f, "({right})") } else { write!(f, "{right}") }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("第{position}个字符处{message}")]
pub struct ExprError {
    /// 1-based character
    pub position: usize,
    pub message: String,
}

/// An expression as written, with its tree. The text is kept for storage and for sentences,
/// which show it as written with indicators' names in place of codes.
#[derive(Debug, Clone, PartialEq)]
pub struct Expression {
    source: String,
    expr: Expr,
}

impl Expression {
    pub fn parse(source: &str) -> Result<Expression, ExprError> {
        if source.chars().count() > MAX_LEN {
            return Err(ExprError { position: MAX_LEN + 1, message: format!("：表达式最多{MAX_LEN}个字符") });
        }
        let mut parser = Parser { chars: source.chars().collect(), pos: 0, depth: 0 };
        let expr = parser.expr()?;
        parser.skip_space();
        match parser.chars.get(parser.pos) {
            None => Ok(Expression { source: source.to_string(), expr }),
            Some(')') => Err(parser.error(parser.pos, "多了“)”".into())),
            Some(c) => Err(parser.error(parser.pos, format!("应为运算符（+ - * /）或结束，而不是“{c}”"))),
        }
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    /// The (indicator, view, offset) terms it needs, each once, in order of first use.
    pub fn terms(&self) -> Vec<&Term> {
        self.expr.terms()
    }

    /// How a sentence shows it: a lone term by its label (`上年同期专利申请量`), anything else as
    /// written with each term's label in place of its text (`专利授权量 / 专利申请量`).
    pub fn label(&self, indicators: &IndicatorSet) -> String {
        // `(gdp)` is still a lone term
        if let Expr::Term { term, .. } = &self.expr {
            return term.label(indicators);
        }
        let chars: Vec<char> = self.source.chars().collect();
        let mut out = String::new();
        let mut next = 0;
        for (term, at, len) in self.expr.placed_terms() {
            out.extend(&chars[next..at - 1]);
            out.push_str(&term.label(indicators));
            next = at - 1 + len;
        }
        out.extend(&chars[next..]);
        out.trim().to_string()
    }
}

impl fmt::Display for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    depth: usize,
}

impl Parser {
    /// An error at the 0-based character `at`.
    fn error(&self, at: usize, message: String) -> ExprError {
        ExprError { position: at + 1, message }
    }

    fn skip_space(&mut self) {
        while self.chars.get(self.pos).is_some_and(|c| c.is_whitespace()) {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_space();
        self.chars.get(self.pos).copied()
    }

    fn expr(&mut self) -> Result<Expr, ExprError> {
        let mut left = self.product()?;
        while let Some(c @ ('+' | '-')) = self.peek() {
            let at = self.pos + 1;
            self.pos += 1;
            let op = if c == '+' { Arith::Add } else { Arith::Sub };
            left = Expr::Binary { op, left: Box::new(left), right: Box::new(self.product()?), at };
        }
        Ok(left)
    }

    fn product(&mut self) -> Result<Expr, ExprError> {
        let mut left = self.factor()?;
        while let Some(c @ ('*' | '/')) = self.peek() {
            let at = self.pos + 1;
            self.pos += 1;
            let op = if c == '*' { Arith::Mul } else { Arith::Div };
            left = Expr::Binary { op, left: Box::new(left), right: Box::new(self.factor()?), at };
        }
        Ok(left)
    }

    fn factor(&mut self) -> Result<Expr, ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(self.pos, format!("：括号或负号嵌套太深（最多{MAX_DEPTH}层）")));
        }
        let result = self.atom();
        self.depth -= 1;
        result
    }

    fn atom(&mut self) -> Result<Expr, ExprError> {
        match self.peek() {
            None => Err(self.error(self.pos, "应为指标代码或数字，表达式不完整".into())),
            Some('-') => {
                let at = self.pos + 1;
                self.pos += 1;
                Ok(Expr::Neg { inner: Box::new(self.factor()?), at })
            }
            Some('(') => {
                self.pos += 1;
                let inner = self.expr()?;
                if self.peek() != Some(')') {
                    return Err(self.error(self.pos, "应为“)”".into()));
                }
                self.pos += 1;
                Ok(inner)
            }
            Some(c) if c.is_ascii_digit() || c == '.' => {
                let start = self.pos;
                let text = self.take_while(|c| c.is_ascii_digit() || c == '.');
                match text.parse::<f64>().ok().filter(|n| n.is_finite()) {
                    Some(value) => Ok(Expr::Number { value, at: start + 1 }),
                    None => Err(self.error(start, format!("的“{text}”不是数字"))),
                }
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => self.term(),
            Some(c) => Err(self.error(self.pos, format!("应为指标代码或数字，而不是“{c}”"))),
        }
    }

    /// `code`, `code@view`, `code[-ny]`, `code@view[-nq]`, written without spaces.
    fn term(&mut self) -> Result<Expr, ExprError> {
        let start = self.pos;
        let code = self.take_while(|c| c.is_ascii_alphanumeric() || c == '_');
        let indicator = IndicatorCode::parse(&code).map_err(|e| self.error(start, format!("：{e}")))?;
        let mut view = View::Ytd;
        if self.chars.get(self.pos) == Some(&'@') {
            self.pos += 1;
            let at = self.pos;
            let word = self.take_while(|c| c.is_ascii_alphanumeric() || c == '_');
            view = View::parse(&word).ok_or_else(|| {
                let found = if word.is_empty() { String::new() } else { format!("，而不是“{word}”") };
                self.error(at, format!("应为视图 ytd、quarter 或 annual{found}"))
            })?;
        }
        let mut offset = Offset::Now;
        if self.chars.get(self.pos) == Some(&'[') {
            self.pos += 1;
            if self.chars.get(self.pos) != Some(&'-') {
                return Err(
                    self.error(self.pos, "应为“-”：偏移只能向前，如 [-1y]（上年同期）或 [-1q]（上季度）".into())
                );
            }
            self.pos += 1;
            let at = self.pos;
            let digits = self.take_while(|c| c.is_ascii_digit());
            if digits.is_empty() {
                return Err(self.error(at, format!("应为 1 到 {MAX_OFFSET} 的数字")));
            }
            let n = digits.parse::<u8>().ok().filter(|n| (1..=MAX_OFFSET).contains(n)).ok_or_else(|| {
                self.error(at, format!("的偏移应为 1 到 {MAX_OFFSET}（最多向前{MAX_OFFSET}年或{MAX_OFFSET}个季度）"))
            })?;
            offset = match self.chars.get(self.pos) {
                Some('y') => Offset::Years(n),
                Some('q') => Offset::Quarters(n),
                _ => return Err(self.error(self.pos, "应为“y”（年）或“q”（季度）".into())),
            };
            self.pos += 1;
            if self.chars.get(self.pos) != Some(&']') {
                return Err(self.error(self.pos, "应为“]”".into()));
            }
            self.pos += 1;
        }
        Ok(Expr::Term { term: Term { indicator, view, offset }, at: start + 1, len: self.pos - start })
    }

    fn take_while(&mut self, keep: fn(char) -> bool) -> String {
        let start = self.pos;
        while self.chars.get(self.pos).is_some_and(|&c| keep(c)) {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }
}

/// The comparison between a rule's two sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Comparison {
    pub const ALL: [Comparison; 6] =
        [Comparison::Eq, Comparison::Ne, Comparison::Lt, Comparison::Le, Comparison::Gt, Comparison::Ge];

    pub fn as_str(self) -> &'static str {
        match self {
            Comparison::Eq => "==",
            Comparison::Ne => "!=",
            Comparison::Lt => "<",
            Comparison::Le => "<=",
            Comparison::Gt => ">",
            Comparison::Ge => ">=",
        }
    }

    pub fn parse(text: &str) -> Option<Comparison> {
        Comparison::ALL.into_iter().find(|c| c.as_str() == text.trim())
    }

    /// The relation in a sentence: `不大于` for `<=`; a failed rule says `应不大于`.
    pub fn relation(self) -> &'static str {
        match self {
            Comparison::Eq => "等于",
            Comparison::Ne => "不等于",
            Comparison::Lt => "小于",
            Comparison::Le => "不大于",
            Comparison::Gt => "大于",
            Comparison::Ge => "不小于",
        }
    }

    /// Does `a op b` hold? Two values count as equal when they differ by at most a billionth
    /// of the larger ([`same`]), so that a computed 1.8000000000000003 equals a stored 1.8:
    /// `<` and `>` then fail, `<=`, `>=` and `==` hold.
    pub fn holds(self, a: f64, b: f64) -> bool {
        let equal = same(a, b);
        match self {
            Comparison::Eq => equal,
            Comparison::Ne => !equal,
            Comparison::Lt => a < b && !equal,
            Comparison::Le => a < b || equal,
            Comparison::Gt => a > b && !equal,
            Comparison::Ge => a > b || equal,
        }
    }
}

/// The relative tolerance of a comparison: far below any difference between statistics (at
/// most 6 decimals, at most 1e15), far above the noise of a few floating-point operations.
pub const RELATIVE_TOLERANCE: f64 = 1e-9;
/// Below this magnitude the tolerance is absolute (`RELATIVE_TOLERANCE × 0.001`, 1e-12): a
/// difference `a - b` that should be 0 comes out as 5.5e-17, which no relative test accepts.
const TOLERANCE_FLOOR: f64 = 1e-3;

/// Equal for a rule: `|a − b| ≤ 1e-9 × max(|a|, |b|, 0.001)`.
pub fn same(a: f64, b: f64) -> bool {
    (a - b).abs() <= RELATIVE_TOLERANCE * a.abs().max(b.abs()).max(TOLERANCE_FLOOR)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// the write is refused
    Error,
    /// the write is kept; the quarter needs an explanation before it is submitted
    Warning,
}

/// What a rule does when a figure it reads is missing, or a side cannot be computed (a
/// division by zero).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    /// the rule is not checked
    Skip,
    /// the rule fails
    Fail,
}

/// A rule as a person writes it: the JSON of `/api/v1/rules` (SPEC §15).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleDraft {
    #[schema(example = "grants_above_applications")]
    pub code: String,
    #[schema(example = "专利授权量不大于专利申请量")]
    pub name: String,
    #[schema(example = "patent_grants")]
    pub left: String,
    /// `==`, `!=`, `<`, `<=`, `>` or `>=`
    #[schema(example = "<=")]
    pub op: String,
    #[schema(example = "patent_applications")]
    pub right: String,
    pub severity: Severity,
    /// The rule runs when a figure of one of these is written; omitted: the indicators its
    /// sides read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = json!(["patent_grants"]))]
    pub indicators: Option<Vec<String>>,
    /// The rule applies only within these regions' subtrees; omitted: everywhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = json!(["district"]))]
    pub regions: Option<Vec<String>>,
    pub missing: Missing,
}

/// A checked rule. It serialises as the [`RuleDraft`] it came from (expressions as written).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(into = "RuleDraft")]
pub struct Rule {
    /// ASCII, `[a-z][a-z0-9_]{0,63}`: the code of the warnings it gives
    pub code: String,
    pub name: String,
    pub left: Expression,
    pub op: Comparison,
    pub right: Expression,
    pub severity: Severity,
    pub indicators: Option<Vec<IndicatorCode>>,
    /// Subtrees it applies to; whether a region is within one is the engine's to decide.
    pub regions: Option<Vec<RegionId>>,
    pub missing: Missing,
}

impl From<Rule> for RuleDraft {
    fn from(rule: Rule) -> RuleDraft {
        RuleDraft {
            code: rule.code,
            name: rule.name,
            left: rule.left.source,
            op: rule.op.as_str().into(),
            right: rule.right.source,
            severity: rule.severity,
            indicators: rule.indicators.map(|codes| codes.into_iter().map(String::from).collect()),
            regions: rule.regions.map(|ids| ids.into_iter().map(String::from).collect()),
            missing: rule.missing,
        }
    }
}

/// The longest rule code, as long as an indicator code.
const MAX_CODE_LEN: usize = 64;

fn rule_code(text: &str) -> Result<String, String> {
    let b = text.as_bytes();
    let ok = b.first().is_some_and(u8::is_ascii_lowercase)
        && b.len() <= MAX_CODE_LEN
        && b.iter().all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_');
    if ok {
        Ok(text.to_string())
    } else {
        Err(format!("规则代码只能用小写字母、数字和“_”，以字母开头，最多{MAX_CODE_LEN}个字符"))
    }
}

impl RuleDraft {
    /// The rule, or every problem with a field: the code, a name, two expressions that parse and
    /// read only indicators of `indicators` (derived and register ones included) in views and
    /// offsets they have, at least one indicator between them, the comparison, and the listed
    /// indicators and region ids (at least one when listed).
    pub fn check(self, indicators: &IndicatorSet) -> Result<Rule, Vec<FieldError>> {
        self.checked(Some(indicators))
    }

    /// As [`RuleDraft::check`] without looking the indicators up: for rules written in the
    /// program (the built-ins), whose indicators a deployment may not have.
    pub fn parse(self) -> Result<Rule, Vec<FieldError>> {
        self.checked(None)
    }

    fn checked(self, set: Option<&IndicatorSet>) -> Result<Rule, Vec<FieldError>> {
        let mut errors = Vec::new();
        let code = rule_code(&self.code).map_err(|e| errors.push(FieldError::new("code", e))).ok();
        let name =
            text::name(&self.name, text::MAX_NAME_CHARS).map_err(|e| errors.push(FieldError::new("name", e))).ok();
        let side = |field: &str, source: &str, errors: &mut Vec<FieldError>| {
            if source.trim().is_empty() {
                errors.push(FieldError::new(field, "不能为空：应为表达式，如 patent_grants 或 gdp[-1y] * 1.1"));
                return None;
            }
            match Expression::parse(source) {
                Err(e) => {
                    errors.push(FieldError::new(field, e.to_string()));
                    None
                }
                Ok(expr) => {
                    if let Some(set) = set {
                        for (term, at, _) in expr.expr.placed_terms() {
                            if let Some(message) = term_problem(set, term) {
                                errors.push(FieldError::new(field, format!("第{at}个字符处{message}")));
                            }
                        }
                    }
                    Some(expr)
                }
            }
        };
        let left = side("left", &self.left, &mut errors);
        let op = Comparison::parse(&self.op).ok_or_else(|| {
            let shown: String = self.op.chars().take(10).collect();
            errors.push(FieldError::new("op", format!("应为 ==、!=、<、<=、>、>= 之一，而不是“{shown}”")))
        });
        let right = side("right", &self.right, &mut errors);
        if let (Some(l), Some(r)) = (&left, &right)
            && l.terms().is_empty()
            && r.terms().is_empty()
        {
            errors.push(FieldError::new("left", "左右两边至少要有一个指标"));
        }
        let indicators = self.indicators.map(|codes| {
            if codes.is_empty() {
                errors.push(FieldError::new("indicators", "至少列出一个指标；省略时为左右两边用到的指标"));
            }
            codes
                .iter()
                .enumerate()
                .filter_map(|(i, code)| {
                    let field = format!("indicators[{i}]");
                    match IndicatorCode::parse(code) {
                        Err(e) => {
                            errors.push(FieldError::new(field, e.to_string()));
                            None
                        }
                        Ok(c) if set.is_some_and(|s| s.get(c.as_str()).is_none()) => {
                            errors.push(FieldError::new(field, format!("没有指标“{c}”")));
                            None
                        }
                        Ok(c) => Some(c),
                    }
                })
                .collect::<Vec<_>>()
        });
        let regions = self.regions.map(|ids| {
            if ids.is_empty() {
                errors.push(FieldError::new("regions", "至少列出一个地区；适用于所有地区时省略此项"));
            }
            ids.iter()
                .enumerate()
                .filter_map(|(i, id)| {
                    RegionId::parse(id)
                        .map_err(|e| errors.push(FieldError::new(format!("regions[{i}]"), e.to_string())))
                        .ok()
                })
                .collect::<Vec<_>>()
        });
        match (code, name, left, op, right) {
            (Some(code), Some(name), Some(left), Ok(op), Some(right)) if errors.is_empty() => Ok(Rule {
                code,
                name,
                left,
                op,
                right,
                severity: self.severity,
                indicators,
                regions,
                missing: self.missing,
            }),
            _ => Err(errors),
        }
    }
}

/// What is wrong with a term for the indicators of `set`: unknown, or a quarter's figure of an
/// indicator that has one figure a year.
fn term_problem(set: &IndicatorSet, term: &Term) -> Option<String> {
    let Some(ind) = set.get(term.indicator.as_str()) else {
        return Some(format!("没有指标“{}”", term.indicator));
    };
    let by_quarter = term.view == View::Quarter || matches!(term.offset, Offset::Quarters(_));
    (ind.frequency == Frequency::Annual && by_quarter)
        .then(|| format!("：“{}”按年度报送，没有季度数据（不能用 @quarter 或 [-nq]）", ind.name))
}

/// How a rule came out for one region and period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    Fail,
    /// a figure is missing or a side cannot be computed, and the rule says `skip`
    Skipped,
    /// a figure is missing or a side cannot be computed, and the rule says `fail`
    FailedMissing,
}

impl Outcome {
    /// Does it give the rule's error or warning?
    pub fn is_failure(self) -> bool {
        matches!(self, Outcome::Fail | Outcome::FailedMissing)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub outcome: Outcome,
    pub left: Option<f64>,
    pub right: Option<f64>,
    /// the terms the lookup had no figure for, in order of first use
    pub missing: Vec<Term>,
    /// `专利授权量（934）应不大于专利申请量（3601）`, `专利授权量（934）不大于专利申请量（3601）`,
    /// `缺少上年同期专利申请量，无法检查`
    pub message: String,
}

impl Rule {
    /// The terms both sides need, each once, in order of first use.
    pub fn terms(&self) -> Vec<&Term> {
        let mut out = self.left.terms();
        for t in self.right.terms() {
            if !out.contains(&t) {
                out.push(t);
            }
        }
        out
    }

    /// The submitted indicators whose writes run this rule: the listed ones, or those its sides
    /// read, a derived one standing for the stored inputs of its formula. Register indicators
    /// change with the enterprise register, not with a write of figures, and are left out.
    pub fn triggers<'a>(&'a self, set: &'a IndicatorSet) -> Vec<&'a IndicatorCode> {
        let named: Vec<&IndicatorCode> = match &self.indicators {
            Some(codes) => codes.iter().collect(),
            None => self.terms().into_iter().map(|t| &t.indicator).collect(),
        };
        let mut out: Vec<&IndicatorCode> = Vec::new();
        for code in named {
            for input in set.inputs_of(code.as_str()) {
                if set.get(input.as_str()).is_some_and(Indicator::is_submitted) && !out.contains(&input) {
                    out.push(input);
                }
            }
        }
        out
    }

    /// Checks the rule with each term's figure from `value_of` (asked once per distinct term,
    /// for the region and period the engine checks), naming indicators from `set`.
    ///
    /// A missing figure, or a side that divides by zero, makes the rule `Skipped` or
    /// `FailedMissing` as its `missing` says. Otherwise the sides are compared with the
    /// tolerance of [`Comparison::holds`].
    pub fn evaluate(&self, set: &IndicatorSet, value_of: &dyn Fn(&Term) -> Option<f64>) -> Evaluation {
        let values: Vec<(&Term, Option<f64>)> =
            self.terms().into_iter().map(|t| (t, value_of(t).filter(|v| v.is_finite()))).collect();
        let known = |t: &Term| values.iter().find(|(k, _)| *k == t).and_then(|(_, v)| *v);
        let missing: Vec<Term> = values.iter().filter(|(_, v)| v.is_none()).map(|(t, _)| (*t).clone()).collect();
        let (left, right) = (self.left.expr.eval(&known), self.right.expr.eval(&known));
        let unevaluable = if missing.is_empty() {
            [(&self.left, left), (&self.right, right)]
                .into_iter()
                .find(|(_, v)| v.is_err())
                .map(|(side, _)| format!("{}的除数为0，无法检查", side.label(set)))
        } else {
            let names: Vec<String> = missing.iter().map(|t| t.label(set)).collect();
            Some(format!("缺少{}，无法检查", names.join("、")))
        };
        let (left, right) = (left.ok(), right.ok());
        if let Some(message) = unevaluable {
            let outcome = match self.missing {
                Missing::Skip => Outcome::Skipped,
                Missing::Fail => Outcome::FailedMissing,
            };
            return Evaluation { outcome, left, right, missing, message };
        }
        let (l, r) = (left.unwrap_or_default(), right.unwrap_or_default());
        let holds = self.op.holds(l, r);
        // a constant side (`0`, `-5`, `2 * 3`) is shown by its value alone
        let side = |e: &Expression, v: f64| {
            if e.terms().is_empty() { number::plain(v) } else { format!("{}（{}）", e.label(set), number::plain(v)) }
        };
        let message = format!(
            "{}{}{}{}",
            side(&self.left, l),
            if holds { "" } else { "应" },
            self.op.relation(),
            side(&self.right, r)
        );
        Evaluation { outcome: if holds { Outcome::Pass } else { Outcome::Fail }, left, right, missing, message }
    }
}

/// A built-in check of §2.6 written as a rule, with the code its warnings always had.
///
/// Of the warnings of §2.6:
/// - `grants_above_applications` and `part_above_whole` are comparisons and are rules here
///   ([`BUILT_IN`]). As rules they compare the stored figures of the region and period, not only
///   two figures of one batch. The two `part_above_whole` rules share their code (a rule's code
///   is the code of its warnings).
/// - `ytd_decrease` is one rule per YTD indicator, `x@quarter >= 0` ([`ytd_decrease`]): the
///   quarter's own amount (YTD(q) − YTD(q−1), the first quarter's YTD itself) may not be negative.
///   The expression reads "this quarter"; the old check's other half, a figure above the next
///   quarter's stored YTD, is the same rule checked at the next quarter (the engine's to run).
///   Unlike the old check it also warns for a negative first quarter of an indicator that allows
///   negative figures.
/// - `yoy_jump` cannot be a rule: "more than a factor of 2 either way" is two comparisons
///   (`x > 2 × x[-1y]` or `x < x[-1y] / 2`), only when last year's figure is positive, and it
///   holds for every indicator; a rule is one comparison of named indicators. It stays code
///   (`submission::value_warnings`).
/// - The errors of §2.6 (unknown codes, permissions, periods, locks, finite and non-negative
///   values) are about the write, not comparisons of figures, and stay code.
#[derive(Debug, Clone, Copy)]
pub struct BuiltIn {
    pub code: &'static str,
    pub name: &'static str,
    pub left: &'static str,
    pub op: &'static str,
    pub right: &'static str,
    pub severity: Severity,
    pub missing: Missing,
}

pub const BUILT_IN: &[BuiltIn] = &[
    BuiltIn {
        code: "grants_above_applications",
        name: "专利授权量不大于专利申请量",
        left: "patent_grants",
        op: "<=",
        right: "patent_applications",
        severity: Severity::Warning,
        missing: Missing::Skip,
    },
    BuiltIn {
        code: "part_above_whole",
        name: "发明专利申请量不大于专利申请量",
        left: "invention_applications",
        op: "<=",
        right: "patent_applications",
        severity: Severity::Warning,
        missing: Missing::Skip,
    },
    BuiltIn {
        code: "part_above_whole",
        name: "建有研发机构的销售超亿元企业数不大于销售超亿元企业数",
        left: "large_enterprises_with_rd",
        op: "<=",
        right: "large_enterprises",
        severity: Severity::Warning,
        missing: Missing::Skip,
    },
];

impl BuiltIn {
    pub fn draft(&self) -> RuleDraft {
        RuleDraft {
            code: self.code.into(),
            name: self.name.into(),
            left: self.left.into(),
            op: self.op.into(),
            right: self.right.into(),
            severity: self.severity,
            indicators: None,
            regions: None,
            missing: self.missing,
        }
    }

    pub fn rule(&self) -> Rule {
        self.draft().parse().expect("the built-in rules parse (tested)")
    }
}

/// The built-in `ytd_decrease` check of a YTD indicator as a rule (see [`BuiltIn`]); `None`
/// for an indicator of another mode, whose figure may fall between quarters.
pub fn ytd_decrease(ind: &Indicator) -> Option<Rule> {
    (ind.mode == Mode::Ytd).then(|| {
        RuleDraft {
            code: "ytd_decrease".into(),
            name: format!("{}累计值不低于上季度累计值", ind.name),
            left: format!("{}@quarter", ind.code),
            op: ">=".into(),
            right: "0".into(),
            severity: Severity::Warning,
            indicators: Some(vec![ind.code.to_string()]),
            regions: None,
            missing: Missing::Skip,
        }
        .parse()
        .expect("an indicator code makes a term")
    })
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;
    use crate::domain::indicator::tests::indicator;
    use crate::domain::tests::assert_field_errors;
    use proptest::prelude::*;

    fn named(code: &str, name: &str, mode: Mode, formula: Option<&str>) -> Indicator {
        Indicator { name: name.into(), ..indicator(code, mode, formula) }
    }

    fn set() -> IndicatorSet {
        IndicatorSet::new(vec![
            named("patent_applications", "专利申请量", Mode::Ytd, None),
            named("patent_grants", "专利授权量", Mode::Ytd, None),
            named("rd_expenditure", "R&D经费支出", Mode::Ytd, None),
            named("gdp", "地区生产总值", Mode::Ytd, None),
            named("rd_share", "R&D经费支出占GDP比重", Mode::Derived, Some("100 * rd_expenditure / gdp")),
            named("large_enterprises", "销售超亿元企业数", Mode::Register, None),
            Indicator {
                frequency: Frequency::Annual, ..named("rd_official", "R&D经费（年报）", Mode::Ytd, None)
            },
        ])
        .unwrap()
    }

    fn parse(source: &str) -> Expression {
        Expression::parse(source).unwrap_or_else(|e| panic!("{source}: {e}"))
    }

    #[test]
    fn parses_expressions_to_their_canonical_text_and_terms() {
        let cases: &[(&str, &str, &[&str])] = &[
            ("patent_grants", "patent_grants", &["patent_grants"]),
            ("rd_expenditure@quarter", "rd_expenditure@quarter", &["rd_expenditure@quarter"]),
            ("gdp[-1y]", "gdp[-1y]", &["gdp[-1y]"]),
            ("gdp[-1q]", "gdp[-1q]", &["gdp[-1q]"]),
            ("rd_expenditure@quarter[-1q]", "rd_expenditure@quarter[-1q]", &["rd_expenditure@quarter[-1q]"]),
            ("gdp@ytd", "gdp", &["gdp"]),
            ("gdp@annual[-40y]", "gdp@annual[-40y]", &["gdp@annual[-40y]"]),
            ("100 * rd_expenditure / gdp", "100 * rd_expenditure / gdp", &["rd_expenditure", "gdp"]),
            ("(a + b) * c", "(a + b) * c", &["a", "b", "c"]),
            ("a - (b - c)", "a - (b - c)", &["a", "b", "c"]),
            ("(a - b) - c", "a - b - c", &["a", "b", "c"]),
            ("a / (b * c)", "a / (b * c)", &["a", "b", "c"]),
            ("-(a + b)", "-(a + b)", &["a", "b"]),
            ("a * -b", "a * -b", &["a", "b"]),
            ("--a", "--a", &["a"]),
            ("((gdp))", "gdp", &["gdp"]),
            ("  1.5+gdp[-1y]*2 ", "1.5 + gdp[-1y] * 2", &["gdp[-1y]"]),
            ("gdp - gdp[-1y] + gdp", "gdp - gdp[-1y] + gdp", &["gdp", "gdp[-1y]"]),
            (".5 * 2.", "0.5 * 2", &[]),
        ];
        for (source, canonical, terms) in cases {
            let e = parse(source);
            assert_eq!(e.expr().to_string(), *canonical, "{source}");
            let got: Vec<String> = e.terms().iter().map(|t| t.to_string()).collect();
            assert_eq!(got, *terms, "{source}");
            assert_eq!(e.source(), *source, "the text is kept as written");
        }
    }

    #[test]
    fn terms_carry_indicator_view_offset_and_position() {
        let e = parse("1 + rd_expenditure@quarter[-2q]");
        let Expr::Binary { op: Arith::Add, right, at: 3, .. } = e.expr() else { panic!("{:?}", e.expr()) };
        let want = Term {
            indicator: IndicatorCode::parse("rd_expenditure").unwrap(),
            view: View::Quarter,
            offset: Offset::Quarters(2),
        };
        assert_eq!(**right, Expr::Term { term: want, at: 5, len: 27 });
    }

    #[test]
    fn every_parse_error_names_its_position_and_what_was_expected() {
        let ok_code = "“Gdp”不是有效的指标代码：只能用小写字母、数字和“_”，以字母开头，最多64个字符";
        let cases: &[(&str, &str)] = &[
            ("", "第1个字符处应为指标代码或数字，表达式不完整"),
            ("gdp +", "第6个字符处应为指标代码或数字，表达式不完整"),
            ("gdp + $", "第7个字符处应为指标代码或数字，而不是“$”"),
            ("gdp * )", "第7个字符处应为指标代码或数字，而不是“)”"),
            ("(gdp + rd", "第10个字符处应为“)”"),
            ("gdp)", "第4个字符处多了“)”"),
            ("gdp rd", "第5个字符处应为运算符（+ - * /）或结束，而不是“r”"),
            ("1..2", "第1个字符处的“1..2”不是数字"),
            ("2 * Gdp", &format!("第5个字符处：{ok_code}")),
            ("gdp@month", "第5个字符处应为视图 ytd、quarter 或 annual，而不是“month”"),
            ("gdp@", "第5个字符处应为视图 ytd、quarter 或 annual"),
            ("gdp[1y]", "第5个字符处应为“-”：偏移只能向前，如 [-1y]（上年同期）或 [-1q]（上季度）"),
            ("gdp[+1y]", "第5个字符处应为“-”：偏移只能向前，如 [-1y]（上年同期）或 [-1q]（上季度）"),
            ("gdp[-y]", "第6个字符处应为 1 到 40 的数字"),
            ("gdp[-0y]", "第6个字符处的偏移应为 1 到 40（最多向前40年或40个季度）"),
            ("gdp[-41q]", "第6个字符处的偏移应为 1 到 40（最多向前40年或40个季度）"),
            ("gdp[-99999999999y]", "第6个字符处的偏移应为 1 到 40（最多向前40年或40个季度）"),
            ("gdp[-1m]", "第7个字符处应为“y”（年）或“q”（季度）"),
            ("gdp[-1Y]", "第7个字符处应为“y”（年）或“q”（季度）"),
            ("gdp[-1y", "第8个字符处应为“]”"),
            ("gdp[-1y]@quarter", "第9个字符处应为运算符（+ - * /）或结束，而不是“@”"),
            ("gdp [-1y]", "第5个字符处应为运算符（+ - * /）或结束，而不是“[”"),
            ("专利 + 1", "第1个字符处应为指标代码或数字，而不是“专”"),
        ];
        for (source, message) in cases {
            let err = Expression::parse(source).unwrap_err();
            assert_eq!(err.to_string(), *message, "{source}");
        }
    }

    #[test]
    fn refuses_deep_nesting_and_long_texts_instead_of_overflowing() {
        let deep = format!("{}1{}", "(".repeat(200), ")".repeat(200));
        let err = Expression::parse(&deep).unwrap_err();
        assert_eq!(err.to_string(), "第65个字符处：括号或负号嵌套太深（最多64层）");
        assert_eq!(Expression::parse(&format!("{}1", "-".repeat(200))).unwrap_err().position, 65);
        let long = format!("1{}", "+1".repeat(500));
        assert_eq!(Expression::parse(&long).unwrap_err().to_string(), "第1001个字符处：表达式最多1000个字符");
        assert!(Expression::parse(&long[..999]).is_ok());
    }

    #[test]
    fn offsets_shift_the_period_back() {
        let p = |s: &str| s.parse::<Period>().unwrap();
        let cases: &[(Offset, &str, Option<&str>)] = &[
            (Offset::Now, "2024Q1", Some("2024Q1")),
            (Offset::Years(1), "2024Q1", Some("2023Q1")),
            (Offset::Years(40), "2024Q3", Some("1984Q3")),
            (Offset::Quarters(1), "2024Q1", Some("2023Q4")),
            (Offset::Quarters(1), "2024Q3", Some("2024Q2")),
            (Offset::Quarters(5), "2024Q1", Some("2022Q4")),
            (Offset::Years(1), "2024", Some("2023")),
            (Offset::Quarters(1), "2024", None),
            (Offset::Years(1), "1900Q2", None),
        ];
        for (offset, at, want) in cases {
            assert_eq!(offset.shift(p(at)), want.map(p), "{offset} at {at}");
        }
    }

    #[test]
    fn a_term_reads_the_span_of_its_view_at_its_offset() {
        let q = |y, n| Quarter::new(y, n).unwrap();
        let term = |s: &str| parse(s).terms()[0].clone();
        let (q3, year) = ("2024Q3".parse::<Period>().unwrap(), Period::Year(2024));
        let cases: &[(&str, Period, Option<Span>)] = &[
            ("gdp", q3, Some(Span::Ytd(q(2024, 3)))),
            ("gdp@quarter", q3, Some(Span::Quarter(q(2024, 3)))),
            ("gdp@annual", q3, Some(Span::Annual(2024))),
            ("gdp[-1y]", q3, Some(Span::Ytd(q(2023, 3)))),
            ("gdp@quarter[-1q]", q3, Some(Span::Quarter(q(2024, 2)))),
            ("gdp[-3q]", q3, Some(Span::Ytd(q(2023, 4)))),
            ("gdp@annual[-1y]", q3, Some(Span::Annual(2023))),
            ("gdp", year, Some(Span::Annual(2024))),
            ("gdp@annual[-2y]", year, Some(Span::Annual(2022))),
            ("gdp@quarter", year, None),
            ("gdp[-1q]", year, None),
        ];
        for (source, at, want) in cases {
            assert_eq!(term(source).span_at(*at), *want, "{source} at {at}");
        }
    }

    fn draft(left: &str, op: &str, right: &str, missing: Missing) -> RuleDraft {
        RuleDraft {
            code: "test_rule".into(),
            name: "测试规则".into(),
            left: left.into(),
            op: op.into(),
            right: right.into(),
            severity: Severity::Warning,
            indicators: None,
            regions: None,
            missing,
        }
    }

    fn rule(left: &str, op: &str, right: &str, missing: Missing) -> Rule {
        draft(left, op, right, missing).check(&set()).unwrap_or_else(|e| panic!("{left} {op} {right}: {e:?}"))
    }

    /// Evaluates with figures by term text (`gdp[-1y]`), recording the terms asked.
    fn run(rule: &Rule, figures: &[(&str, f64)]) -> (Evaluation, Vec<String>) {
        let asked = RefCell::new(Vec::new());
        let lookup = |t: &Term| {
            asked.borrow_mut().push(t.to_string());
            figures.iter().find(|(k, _)| *k == t.to_string()).map(|(_, v)| *v)
        };
        let evaluation = rule.evaluate(&set(), &lookup);
        (evaluation, asked.into_inner())
    }

    #[test]
    fn each_comparison_passes_or_fails_with_a_tolerance_of_a_billionth() {
        let noisy = 1.8000000000000003;
        assert_ne!(noisy, 1.8, "the noise the tolerance is for");
        use Outcome::{Fail, Pass};
        let cases: &[(&str, f64, f64, Outcome)] = &[
            ("<=", 934.0, 3601.0, Pass),
            ("<=", 3601.0, 3601.0, Pass),
            ("<=", 3602.0, 3601.0, Fail),
            ("<", 934.0, 3601.0, Pass),
            ("<", 3601.0, 3601.0, Fail),
            (">=", 3601.0, 3601.0, Pass),
            (">=", 3600.0, 3601.0, Fail),
            (">", 3602.0, 3601.0, Pass),
            (">", 3601.0, 3601.0, Fail),
            ("==", 5.0, 5.0, Pass),
            ("==", 5.0, 6.0, Fail),
            ("!=", 5.0, 6.0, Pass),
            ("!=", 5.0, 5.0, Fail),
            ("==", noisy, 1.8, Pass),
            ("<=", noisy, 1.8, Pass),
            (">=", 1.8, noisy, Pass),
            ("<", 1.8, noisy, Fail),
            (">", noisy, 1.8, Fail),
            ("!=", noisy, 1.8, Fail),
            // a millionth apart is a real difference
            ("==", 1.800_001_8, 1.8, Fail),
            ("<=", 1.800_001_8, 1.8, Fail),
            ("==", 1e15, 1e15 + 0.5, Pass),
            ("==", 0.0, 0.0, Pass),
            ("==", 1e-6, 0.0, Fail),
        ];
        for (op, left, right, want) in cases {
            let r = rule("patent_grants", op, "patent_applications", Missing::Skip);
            let (got, _) = run(&r, &[("patent_grants", *left), ("patent_applications", *right)]);
            assert_eq!(got.outcome, *want, "{left} {op} {right}");
            assert_eq!((got.left, got.right), (Some(*left), Some(*right)));
        }
        // a difference that should be zero is within the absolute floor
        let r = rule("gdp - rd_expenditure", "==", "0", Missing::Skip);
        let (got, _) = run(&r, &[("gdp", 0.1 + 0.2), ("rd_expenditure", 0.3)]);
        assert_eq!(got.outcome, Pass, "{got:?}");
    }

    #[test]
    fn a_missing_figure_or_a_division_by_zero_skips_or_fails_as_the_rule_says() {
        let grants = [("patent_grants", 934.0)];
        let cases: &[(&str, &str, Missing, &[(&str, f64)], Outcome, &str)] = &[
            (
                "patent_grants",
                "patent_applications",
                Missing::Skip,
                &grants,
                Outcome::Skipped,
                "缺少专利申请量，无法检查",
            ),
            (
                "patent_grants",
                "patent_applications",
                Missing::Fail,
                &grants,
                Outcome::FailedMissing,
                "缺少专利申请量，无法检查",
            ),
            (
                "patent_grants[-1y] + patent_applications[-1y]",
                "patent_grants",
                Missing::Fail,
                &[],
                Outcome::FailedMissing,
                "缺少上年同期专利授权量、上年同期专利申请量、专利授权量，无法检查",
            ),
            (
                "patent_grants / patent_applications",
                "1",
                Missing::Skip,
                &[("patent_grants", 1.0), ("patent_applications", 0.0)],
                Outcome::Skipped,
                "专利授权量 / 专利申请量的除数为0，无法检查",
            ),
            (
                "patent_grants",
                "patent_applications / (gdp - gdp)",
                Missing::Fail,
                &[("patent_grants", 1.0), ("patent_applications", 2.0), ("gdp", 5.0)],
                Outcome::FailedMissing,
                "专利申请量 / (地区生产总值 - 地区生产总值)的除数为0，无法检查",
            ),
            // zero times a missing figure is still missing, not zero
            ("0 * gdp", "0", Missing::Skip, &[], Outcome::Skipped, "缺少地区生产总值，无法检查"),
            (
                "patent_grants",
                "patent_applications",
                Missing::Skip,
                &[("patent_grants", 1.0), ("patent_applications", f64::NAN)],
                Outcome::Skipped,
                "缺少专利申请量，无法检查",
            ),
        ];
        for (left, right, missing, figures, outcome, message) in cases {
            let (got, _) = run(&rule(left, "<=", right, *missing), figures);
            assert_eq!((got.outcome, got.message.as_str()), (*outcome, *message), "{left} <= {right}");
            assert!(got.outcome.is_failure() == (*missing == Missing::Fail), "{left}");
        }
        let (got, _) = run(&rule("patent_grants", "<=", "patent_applications[-1y]", Missing::Skip), &grants);
        assert_eq!(got.missing.iter().map(|t| t.to_string()).collect::<Vec<_>>(), ["patent_applications[-1y]"]);
        assert_eq!((got.left, got.right), (Some(934.0), None));
    }

    #[test]
    fn the_lookup_is_asked_each_term_once_in_its_view_and_offset() {
        let cases: &[(&str, &str, &[&str])] = &[
            ("patent_grants", "patent_applications", &["patent_grants", "patent_applications"]),
            ("rd_expenditure", "rd_expenditure[-1q]", &["rd_expenditure", "rd_expenditure[-1q]"]),
            (
                "rd_expenditure@quarter",
                "rd_expenditure@quarter[-1y]",
                &["rd_expenditure@quarter", "rd_expenditure@quarter[-1y]"],
            ),
            ("gdp@annual", "2 * gdp@annual[-1y] - gdp@annual", &["gdp@annual", "gdp@annual[-1y]"]),
            ("rd_share", "rd_share[-1y] + 1", &["rd_share", "rd_share[-1y]"]),
            ("gdp@ytd", "0", &["gdp"]),
        ];
        for (left, right, want) in cases {
            let (_, asked) = run(&rule(left, ">=", right, Missing::Skip), &[]);
            assert_eq!(asked, *want, "{left} >= {right}");
        }
    }

    #[test]
    fn the_message_states_both_sides_with_names_and_values() {
        let figures: &[(&str, f64)] = &[
            ("patent_grants", 934.0),
            ("patent_applications", 3601.0),
            ("patent_applications[-1y]", 3320.0),
            ("rd_expenditure", 13.0),
            ("rd_expenditure@quarter", 4.2),
            ("rd_expenditure@quarter[-1q]", 4.5),
            ("rd_expenditure@annual[-2y]", 15.25),
            ("gdp", 700.0),
            ("rd_share", 1.8571428571428572),
        ];
        let cases: &[(&str, &str, &str, &str)] = &[
            ("patent_applications", "<=", "patent_grants", "专利申请量（3601）应不大于专利授权量（934）"),
            ("patent_grants", "<=", "patent_applications", "专利授权量（934）不大于专利申请量（3601）"),
            ("patent_applications", "<", "patent_grants", "专利申请量（3601）应小于专利授权量（934）"),
            ("patent_applications", "==", "patent_grants", "专利申请量（3601）应等于专利授权量（934）"),
            ("patent_grants", "!=", "934", "专利授权量（934）应不等于934"),
            ("patent_grants", "<", "-(900 + 34)", "专利授权量（934）应小于-934"),
            ("patent_grants", ">=", "patent_applications[-1y]", "专利授权量（934）应不小于上年同期专利申请量（3320）"),
            ("patent_grants", ">", "patent_applications", "专利授权量（934）应大于专利申请量（3601）"),
            (
                "rd_expenditure@quarter",
                ">=",
                "rd_expenditure@quarter[-1q]",
                "R&D经费支出（当季）（4.2）应不小于上季度R&D经费支出（当季）（4.5）",
            ),
            (
                "rd_expenditure",
                ">=",
                "rd_expenditure@annual[-2y]",
                "R&D经费支出（13）应不小于2年前同期R&D经费支出（全年）（15.25）",
            ),
            (
                "100*rd_expenditure / gdp",
                ">",
                "rd_share",
                "100*R&D经费支出 / 地区生产总值（1.857142857143）应大于R&D经费支出占GDP比重（1.857142857143）",
            ),
            (
                " (patent_grants) ",
                ">",
                "0.5 * (patent_applications + patent_applications[-1y])",
                "专利授权量（934）应大于0.5 * (专利申请量 + 上年同期专利申请量)（3460.5）",
            ),
        ];
        for (left, op, right, message) in cases {
            let (got, _) = run(&rule(left, op, right, Missing::Skip), figures);
            assert_eq!(got.message, *message, "{left} {op} {right}");
        }
    }

    #[test]
    fn a_rule_round_trips_through_its_json() {
        let json = serde_json::json!({
            "code": "rd_not_falling",
            "name": "当季R&D经费不低于上季度",
            "left": "rd_expenditure@quarter",
            "op": ">=",
            "right": "rd_expenditure@quarter[-1q]  * 0.5",
            "severity": "error",
            "indicators": ["rd_expenditure"],
            "regions": ["town-a", "zone"],
            "missing": "fail"
        });
        let draft: RuleDraft = serde_json::from_value(json.clone()).unwrap();
        let rule = draft.clone().check(&set()).unwrap();
        assert_eq!((rule.op, rule.severity, rule.missing), (Comparison::Ge, Severity::Error, Missing::Fail));
        assert_eq!(rule.regions.as_ref().map(|r| r.len()), Some(2));
        assert_eq!(serde_json::to_value(&rule).unwrap(), json, "expressions as written");
        assert_eq!(RuleDraft::from(rule.clone()), draft);
        // optional lists are left out, not null
        let bare = rule_json_without_lists();
        let rule = serde_json::from_value::<RuleDraft>(bare.clone()).unwrap().check(&set()).unwrap();
        assert_eq!(serde_json::to_value(&rule).unwrap(), bare);
        let mut extra = bare.clone();
        extra["extra"] = 1.into();
        assert!(serde_json::from_value::<RuleDraft>(extra).is_err(), "unknown fields are refused");
        let mut info = bare;
        info["severity"] = "info".into();
        assert!(serde_json::from_value::<RuleDraft>(info).is_err(), "severity is error or warning");
    }

    fn rule_json_without_lists() -> serde_json::Value {
        serde_json::json!({
            "code": "grants_above_applications", "name": "专利授权量不大于专利申请量",
            "left": "patent_grants", "op": "<=", "right": "patent_applications",
            "severity": "warning", "missing": "skip"
        })
    }

    #[test]
    fn check_names_every_bad_field_in_chinese() {
        let ok = || draft("patent_grants", "<=", "patent_applications", Missing::Skip);
        let cases: Vec<(RuleDraft, &[(&str, &str)])> = vec![
            (RuleDraft { code: "Bad-Code".into(), ..ok() }, &[("code", "规则代码只能用小写字母、数字和“_”")]),
            (RuleDraft { code: "".into(), ..ok() }, &[("code", "以字母开头")]),
            (RuleDraft { code: "a".repeat(65), ..ok() }, &[("code", "最多64个字符")]),
            (RuleDraft { name: "  ".into(), ..ok() }, &[("name", "名称应为 1 到 100 个字")]),
            (RuleDraft { left: " ".into(), ..ok() }, &[("left", "不能为空")]),
            (
                RuleDraft { left: "patent_grants +".into(), ..ok() },
                &[("left", "第16个字符处应为指标代码或数字，表达式不完整")],
            ),
            (RuleDraft { right: "2 * patents".into(), ..ok() }, &[("right", "第5个字符处没有指标“patents”")]),
            (
                RuleDraft { left: "rd_official@quarter".into(), ..ok() },
                &[("left", "第1个字符处：“R&D经费（年报）”按年度报送，没有季度数据")],
            ),
            (RuleDraft { left: "rd_official[-1q]".into(), ..ok() }, &[("left", "按年度报送")]),
            (RuleDraft { op: "=<".into(), ..ok() }, &[("op", "应为 ==、!=、<、<=、>、>= 之一，而不是“=<”")]),
            (RuleDraft { op: "=".into(), ..ok() }, &[("op", "而不是“=”")]),
            (RuleDraft { left: "1".into(), right: "2".into(), ..ok() }, &[("left", "左右两边至少要有一个指标")]),
            (RuleDraft { indicators: Some(vec![]), ..ok() }, &[("indicators", "至少列出一个指标")]),
            (
                RuleDraft { indicators: Some(vec!["gdp".into(), "nothing".into()]), ..ok() },
                &[("indicators[1]", "没有指标“nothing”")],
            ),
            (RuleDraft { indicators: Some(vec!["GDP".into()]), ..ok() }, &[("indicators[0]", "不是有效的指标代码")]),
            (RuleDraft { regions: Some(vec![]), ..ok() }, &[("regions", "至少列出一个地区")]),
            (
                RuleDraft { regions: Some(vec!["town-a".into(), "Town B".into()]), ..ok() },
                &[("regions[1]", "不是有效的地区代码")],
            ),
            (
                RuleDraft { code: "x y".into(), left: "a + $".into(), op: "<>".into(), right: "b[-0y]".into(), ..ok() },
                &[
                    ("code", "规则代码"),
                    ("left", "第5个字符处应为指标代码或数字，而不是“$”"),
                    ("op", "应为"),
                    ("right", "第4个字符处的偏移应为 1 到 40"),
                ],
            ),
            (
                RuleDraft { left: "gdpp + rdd".into(), ..ok() },
                &[("left", "第1个字符处没有指标“gdpp”"), ("left", "第8个字符处没有指标“rdd”")],
            ),
        ];
        for (d, want) in &cases {
            let errors = d.clone().check(&set()).unwrap_err();
            assert_field_errors(&errors, want, &format!("{d:?}"));
        }
        // derived and register indicators may be read
        for left in ["rd_share", "large_enterprises", "rd_official@annual[-1y]", "rd_official"] {
            assert!(draft(left, ">=", "0", Missing::Skip).check(&set()).is_ok(), "{left}");
        }
        // without the set, only the syntax is checked
        assert!(draft("patents", "<=", "1", Missing::Skip).parse().is_ok());
    }

    #[test]
    fn a_rule_runs_on_writes_of_the_submitted_indicators_it_reads_or_lists() {
        let codes = |r: &Rule| r.triggers(&set()).iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let cases: &[(&str, &str, Option<&[&str]>, &[&str])] = &[
            ("patent_grants", "patent_applications[-1y]", None, &["patent_grants", "patent_applications"]),
            ("patent_grants", "patent_applications", Some(&["patent_grants"]), &["patent_grants"]),
            ("rd_share", "rd_share[-1y]", None, &["rd_share", "gdp", "rd_expenditure"][1..]),
            ("large_enterprises", "patent_grants", None, &["patent_grants"]),
        ];
        for (left, right, listed, want) in cases {
            let mut d = draft(left, ">=", right, Missing::Skip);
            d.indicators = listed.map(|l| l.iter().map(|s| s.to_string()).collect());
            let r = d.check(&set()).unwrap();
            let mut got = codes(&r);
            got.sort();
            let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
            want.sort();
            assert_eq!(got, want, "{left} >= {right}");
        }
    }

    #[test]
    fn the_built_in_comparisons_are_rules_with_their_old_codes() {
        let demo = IndicatorSet::new(vec![
            named("patent_applications", "专利申请量", Mode::Ytd, None),
            named("invention_applications", "发明专利申请量", Mode::Ytd, None),
            named("patent_grants", "专利授权量", Mode::Ytd, None),
            named("large_enterprises", "销售超亿元企业数", Mode::Register, None),
            named("large_enterprises_with_rd", "建有研发机构的销售超亿元企业数", Mode::Register, None),
        ])
        .unwrap();
        let codes: Vec<&str> = BUILT_IN.iter().map(|b| b.code).collect();
        assert_eq!(codes, ["grants_above_applications", "part_above_whole", "part_above_whole"]);
        for b in BUILT_IN {
            let rule = b.draft().check(&demo).unwrap_or_else(|e| panic!("{}: {e:?}", b.code));
            assert_eq!(rule, b.rule());
            assert_eq!((rule.severity, rule.missing), (Severity::Warning, Missing::Skip));
        }
        // the plan's figures pass; grants above applications warn as before
        let grants = BUILT_IN[0].rule();
        let at = |g: f64, a: f64| {
            grants.evaluate(&demo, &|t: &Term| match t.indicator.as_str() {
                "patent_grants" => Some(g),
                _ => Some(a),
            })
        };
        assert_eq!(at(934.0, 3601.0).outcome, Outcome::Pass);
        assert_eq!(at(10.0, 10.0).outcome, Outcome::Pass);
        let warned = at(12.0, 10.0);
        assert_eq!(
            (warned.outcome, warned.message.as_str()),
            (Outcome::Fail, "专利授权量（12）应不大于专利申请量（10）")
        );
    }

    #[test]
    fn ytd_decrease_is_a_negative_quarter_of_a_ytd_indicator() {
        let rd = named("rd_expenditure", "R&D经费支出", Mode::Ytd, None);
        let rule = ytd_decrease(&rd).unwrap();
        assert_eq!(
            (rule.code.as_str(), rule.left.source(), rule.op),
            ("ytd_decrease", "rd_expenditure@quarter", Comparison::Ge)
        );
        assert_eq!(rule.indicators, Some(vec![rd.code.clone()]));
        assert_eq!(ytd_decrease(&named("firms", "企业数", Mode::Stock, None)), None, "a level may fall");
        let cases: &[(Option<f64>, Outcome, &str)] = &[
            (Some(3.0), Outcome::Pass, "R&D经费支出（当季）（3）不小于0"),
            (Some(0.0), Outcome::Pass, "R&D经费支出（当季）（0）不小于0"),
            // YTD 70 after 80: the quarter is -10
            (Some(-10.0), Outcome::Fail, "R&D经费支出（当季）（-10）应不小于0"),
            (None, Outcome::Skipped, "缺少R&D经费支出（当季），无法检查"),
        ];
        for (quarter, outcome, message) in cases {
            let got = rule.evaluate(&set(), &|_| *quarter);
            assert_eq!((got.outcome, got.message.as_str()), (*outcome, *message), "{quarter:?}");
        }
    }

    fn arb_term() -> impl Strategy<Value = Term> {
        let code = prop::sample::select(vec!["gdp", "rd_expenditure", "patent_grants", "x1"]);
        let view = prop::sample::select(vec![View::Ytd, View::Quarter, View::Annual]);
        let offset = prop_oneof![
            Just(Offset::Now),
            (1..=MAX_OFFSET).prop_map(Offset::Years),
            (1..=MAX_OFFSET).prop_map(Offset::Quarters),
        ];
        (code, view, offset).prop_map(|(c, view, offset)| Term {
            indicator: IndicatorCode::parse(c).unwrap(),
            view,
            offset,
        })
    }

    fn arb_expr() -> impl Strategy<Value = Expr> {
        let leaf = prop_oneof![
            (0u32..100_000, 0i32..4)
                .prop_map(|(n, places)| Expr::Number { value: f64::from(n) / 10f64.powi(places), at: 0 }),
            arb_term().prop_map(|term| Expr::Term { term, at: 0, len: 0 }),
        ];
        leaf.prop_recursive(5, 40, 2, |inner| {
            let op = prop::sample::select(vec![Arith::Add, Arith::Sub, Arith::Mul, Arith::Div]);
            prop_oneof![
                inner.clone().prop_map(|e| Expr::Neg { inner: Box::new(e), at: 0 }),
                (op, inner.clone(), inner).prop_map(|(op, l, r)| Expr::Binary {
                    op,
                    left: Box::new(l),
                    right: Box::new(r),
                    at: 0
                }),
            ]
        })
    }

    proptest! {
        /// Printing an expression and parsing the text gives the same tree back.
        #[test]
        fn printing_and_parsing_gives_the_same_tree(expr in arb_expr()) {
            let text = expr.to_string();
            let parsed = Expression::parse(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
            prop_assert_eq!(parsed.expr().without_positions(), expr, "{}", text);
            prop_assert_eq!(parsed.expr().to_string(), text);
        }
    }
}
