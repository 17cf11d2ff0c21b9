//! Formulas of derived indicators: numbers, indicator codes, `+ - * /`, unary minus and parentheses.
//!
//! Evaluation never fails: a missing operand or a division by zero gives `None` (shown as null),
//! never zero, infinity or an error.

use std::fmt;

use super::ids::IndicatorCode;

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Number(f64),
    Code(IndicatorCode),
    Neg(Box<Expr>),
    Binary(Op, Box<Expr>, Box<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

/// A parsed formula. The source text is kept as written for display and storage.
#[derive(Debug, Clone, PartialEq)]
pub struct Formula {
    source: String,
    expr: Expr,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("公式第 {position} 个字符处有误：{message}")]
pub struct FormulaError {
    pub position: usize,
    pub message: String,
}

/// Deep nesting is refused so that parsing and evaluation cannot exhaust the stack.
const MAX_DEPTH: usize = 64;
const MAX_LEN: usize = 1000;

impl Formula {
    pub fn parse(source: &str) -> Result<Formula, FormulaError> {
        if source.chars().count() > MAX_LEN {
            return Err(FormulaError { position: MAX_LEN, message: format!("公式最多 {MAX_LEN} 个字符") });
        }
        let mut parser = Parser { chars: source.chars().collect(), pos: 0, depth: 0 };
        let expr = parser.expr()?;
        parser.skip_space();
        if parser.pos < parser.chars.len() {
            return Err(parser.error(format!("不应出现“{}”", parser.chars[parser.pos])));
        }
        Ok(Formula { source: source.trim().to_string(), expr })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// The indicator codes the formula reads, each once, in order of first use.
    pub fn codes(&self) -> Vec<&IndicatorCode> {
        fn walk<'a>(e: &'a Expr, out: &mut Vec<&'a IndicatorCode>) {
            match e {
                Expr::Number(_) => {}
                Expr::Code(c) => {
                    if !out.contains(&c) {
                        out.push(c)
                    }
                }
                Expr::Neg(a) => walk(a, out),
                Expr::Binary(_, a, b) => {
                    walk(a, out);
                    walk(b, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.expr, &mut out);
        out
    }

    /// Evaluates with operand values from `value_of`; `None` for a missing operand,
    /// a division by zero or a result that is not finite.
    pub fn eval(&self, value_of: &mut dyn FnMut(&IndicatorCode) -> Option<f64>) -> Option<f64> {
        fn go(e: &Expr, value_of: &mut dyn FnMut(&IndicatorCode) -> Option<f64>) -> Option<f64> {
            let v = match e {
                Expr::Number(n) => *n,
                Expr::Code(c) => value_of(c)?,
                Expr::Neg(a) => -go(a, value_of)?,
                Expr::Binary(op, a, b) => {
                    let (a, b) = (go(a, value_of)?, go(b, value_of)?);
                    match op {
                        Op::Add => a + b,
                        Op::Sub => a - b,
                        Op::Mul => a * b,
                        Op::Div if b == 0.0 => return None,
                        Op::Div => a / b,
                    }
                }
            };
            v.is_finite().then_some(v)
        }
        go(&self.expr, value_of)
    }
}

impl fmt::Display for Formula {
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
    fn error(&self, message: String) -> FormulaError {
        FormulaError { position: self.pos + 1, message }
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

    fn expr(&mut self) -> Result<Expr, FormulaError> {
        let mut left = self.term()?;
        while let Some(c @ ('+' | '-')) = self.peek() {
            self.pos += 1;
            let op = if c == '+' { Op::Add } else { Op::Sub };
            left = Expr::Binary(op, Box::new(left), Box::new(self.term()?));
        }
        Ok(left)
    }

    fn term(&mut self) -> Result<Expr, FormulaError> {
        let mut left = self.factor()?;
        while let Some(c @ ('*' | '/')) = self.peek() {
            self.pos += 1;
            let op = if c == '*' { Op::Mul } else { Op::Div };
            left = Expr::Binary(op, Box::new(left), Box::new(self.factor()?));
        }
        Ok(left)
    }

    fn factor(&mut self) -> Result<Expr, FormulaError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("公式的括号嵌套太深".into()));
        }
        let result = self.atom();
        self.depth -= 1;
        result
    }

    fn atom(&mut self) -> Result<Expr, FormulaError> {
        match self.peek() {
            None => Err(self.error("公式不完整：此处应有数字、指标代码或“(”".into())),
            Some('-') => {
                self.pos += 1;
                Ok(Expr::Neg(Box::new(self.factor()?)))
            }
            Some('(') => {
                self.pos += 1;
                let inner = self.expr()?;
                if self.peek() != Some(')') {
                    return Err(self.error("缺少“)”".into()));
                }
                self.pos += 1;
                Ok(inner)
            }
            Some(c) if c.is_ascii_digit() || c == '.' => {
                let start = self.pos;
                let text = self.take_while(|c| c.is_ascii_digit() || c == '.');
                text.parse::<f64>()
                    .ok()
                    .filter(|n| n.is_finite())
                    .map(Expr::Number)
                    .ok_or_else(|| FormulaError { position: start + 1, message: format!("“{text}”不是数字") })
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                let start = self.pos;
                let text = self.take_while(|c| c.is_ascii_alphanumeric() || c == '_');
                IndicatorCode::parse(&text)
                    .map(Expr::Code)
                    .map_err(|e| FormulaError { position: start + 1, message: e.to_string() })
            }
            Some(c) => Err(self.error(format!("不应出现“{c}”"))),
        }
    }

    fn take_while(&mut self, keep: fn(char) -> bool) -> String {
        let start = self.pos;
        while self.chars.get(self.pos).is_some_and(|&c| keep(c)) {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval_with(source: &str, vars: &[(&str, f64)]) -> Option<f64> {
        Formula::parse(source).unwrap().eval(&mut |c| vars.iter().find(|(k, _)| *k == c.as_str()).map(|(_, v)| *v))
    }

    #[test]
    fn evaluates_with_precedence_and_parentheses() {
        let vars = [("rd", 18.0), ("gdp", 1000.0), ("a", 2.0), ("b", 3.0)];
        let cases: &[(&str, Option<f64>)] = &[
            ("100 * rd / gdp", Some(1.8)),
            ("1 + 2 * 3", Some(7.0)),
            ("(1 + 2) * 3", Some(9.0)),
            ("8 / 4 / 2", Some(1.0)),
            ("10 - 4 - 3", Some(3.0)),
            ("-a + b", Some(1.0)),
            ("a * -b", Some(-6.0)),
            ("0.5*a", Some(1.0)),
            ("a / (b - 3)", None),
            ("a / 0", None),
            ("missing + 1", None),
            ("0 * missing", None),
        ];
        for (source, want) in cases {
            let got = eval_with(source, &vars);
            match (got, want) {
                (Some(g), Some(w)) => assert!((g - w).abs() < 1e-12, "{source}: {g} != {w}"),
                _ => assert_eq!(got, *want, "{source}"),
            }
        }
    }

    #[test]
    fn rejects_malformed_formulas_with_a_position() {
        let cases: &[(&str, usize)] =
            &[("", 1), ("1 +", 4), ("(a + b", 7), ("a + b)", 6), ("a $ b", 3), ("1..2", 1), ("A + b", 1), ("a b", 3)];
        for (source, position) in cases {
            let err = Formula::parse(source).unwrap_err();
            assert_eq!(err.position, *position, "{source}: {err}");
        }
    }

    #[test]
    fn refuses_deep_nesting_instead_of_overflowing() {
        let deep = format!("{}1{}", "(".repeat(200), ")".repeat(200));
        assert!(Formula::parse(&deep).is_err());
        let minus = format!("{}1", "-".repeat(200));
        assert!(Formula::parse(&minus).is_err());
    }

    #[test]
    fn lists_codes_once_in_order() {
        let f = Formula::parse("100 * (rd + x) / (gdp + rd)").unwrap();
        let codes: Vec<&str> = f.codes().iter().map(|c| c.as_str()).collect();
        assert_eq!(codes, ["rd", "x", "gdp"]);
    }
}
