//! Reporting periods: a quarter `YYYYQn` or a year `YYYY`, nothing else.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

/// Years outside this range are almost certainly typing mistakes.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

const QUARTER_NAMES: [&str; 4] = ["一", "二", "三", "四"];

/// A calendar quarter. Built only through [`Quarter::new`] or parsing, so `q` is always 1..=4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Quarter {
    year: i32,
    q: u8,
}

impl Quarter {
    pub const fn new(year: i32, q: u8) -> Option<Quarter> {
        if year >= *YEARS.start() && year <= *YEARS.end() && q >= 1 && q <= 4 {
            Some(Quarter { year, q })
        } else {
            None
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    /// 1..=4
    pub fn q(self) -> u8 {
        self.q
    }

    /// The quarter that contains `date`.
    pub fn containing(date: NaiveDate) -> Quarter {
        Quarter { year: date.year(), q: (date.month0() / 3 + 1) as u8 }
    }

    pub fn previous(self) -> Option<Quarter> {
        if self.q == 1 { Quarter::new(self.year - 1, 4) } else { Quarter::new(self.year, self.q - 1) }
    }

    pub fn next(self) -> Option<Quarter> {
        if self.q == 4 { Quarter::new(self.year + 1, 1) } else { Quarter::new(self.year, self.q + 1) }
    }

    /// The same quarter one year earlier.
    pub fn year_before(self) -> Option<Quarter> {
        Quarter::new(self.year - 1, self.q)
    }

    /// All quarters from `self` to `last`, inclusive (empty when `last` is earlier).
    pub fn through(self, last: Quarter) -> impl Iterator<Item = Quarter> {
        std::iter::successors(Some(self), |q| q.next()).take_while(move |q| *q <= last)
    }

    /// `2023年一季度`
    pub fn label(self) -> String {
        format!("{}年{}季度", self.year, QUARTER_NAMES[usize::from(self.q - 1)])
    }

    /// `2023年1-3季度`; the first quarter reads `2023年一季度`, the fourth the whole `2023年`.
    pub fn ytd_label(self) -> String {
        match self.q {
            1 => self.label(),
            4 => format!("{}年", self.year),
            q => format!("{}年1-{q}季度", self.year),
        }
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}Q{}", self.year, self.q)
    }
}

/// A quarter or a whole year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    Year(i32),
    Quarter(Quarter),
}

impl Period {
    pub fn year(self) -> i32 {
        match self {
            Period::Year(y) => y,
            Period::Quarter(q) => q.year(),
        }
    }

    /// 1..=4 for a quarter, 0 for a year (the form kept in storage).
    pub fn quarter_number(self) -> u8 {
        match self {
            Period::Year(_) => 0,
            Period::Quarter(q) => q.q(),
        }
    }

    /// The inverse of `(year(), quarter_number())`.
    pub fn from_parts(year: i32, quarter: u8) -> Option<Period> {
        if quarter == 0 {
            YEARS.contains(&year).then_some(Period::Year(year))
        } else {
            Quarter::new(year, quarter).map(Period::Quarter)
        }
    }

    pub fn as_quarter(self) -> Option<Quarter> {
        match self {
            Period::Quarter(q) => Some(q),
            Period::Year(_) => None,
        }
    }

    /// The reporting round a period belongs to: a quarter is its own; a year's annual figures
    /// come with its fourth quarter (its state, lock and completeness).
    pub fn round(self) -> Quarter {
        match self {
            Period::Quarter(q) => q,
            // a year outside YEARS is never parsed; the clamp only keeps this total
            Period::Year(y) => Quarter::new(y.clamp(*YEARS.start(), *YEARS.end()), 4).expect("a year has a Q4"),
        }
    }

    /// `2023年一季度` or `2023年`
    pub fn label(self) -> String {
        match self {
            Period::Year(y) => format!("{y}年"),
            Period::Quarter(q) => q.label(),
        }
    }
}

impl From<Quarter> for Period {
    fn from(q: Quarter) -> Period {
        Period::Quarter(q)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Year(y) => write!(f, "{y}"),
            Period::Quarter(q) => q.fmt(f),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{0}”不是有效的时期：应为 YYYY 或 YYYYQn（n 为 1 到 4），如 2023 或 2023Q3")]
pub struct PeriodError(pub String);

impl FromStr for Period {
    type Err = PeriodError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || PeriodError(s.chars().take(40).collect());
        let bytes = s.as_bytes();
        if bytes.len() < 4 || !bytes[..4].iter().all(u8::is_ascii_digit) {
            return Err(bad());
        }
        let year: i32 = s[..4].parse().map_err(|_| bad())?;
        match &bytes[4..] {
            [] => Period::from_parts(year, 0),
            [b'Q', n @ b'1'..=b'4'] => Period::from_parts(year, n - b'0'),
            _ => None,
        }
        .ok_or_else(bad)
    }
}

impl FromStr for Quarter {
    type Err = PeriodError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse::<Period>()?.as_quarter().ok_or_else(|| PeriodError(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quarters_and_years_only() {
        let cases: &[(&str, Option<Period>)] = &[
            ("2023", Some(Period::Year(2023))),
            ("2023Q1", Period::from_parts(2023, 1)),
            ("2023Q4", Period::from_parts(2023, 4)),
            ("2023Q5", None),
            ("2023Q0", None),
            ("2023-Q1", None),
            ("2023q1", None),
            ("2023Q", None),
            ("2023Q12", None),
            ("23Q1", None),
            ("", None),
            ("1899", None),
            ("２０２３", None),
            ("2023 ", None),
        ];
        for (text, want) in cases {
            assert_eq!(text.parse::<Period>().ok(), *want, "parsing {text:?}");
        }
    }

    #[test]
    fn display_round_trips() {
        for text in ["2023", "2023Q1", "2024Q4", "1999Q2"] {
            assert_eq!(text.parse::<Period>().unwrap().to_string(), text);
        }
    }

    #[test]
    fn chinese_labels() {
        let q3: Quarter = "2023Q3".parse().unwrap();
        let q1: Quarter = "2023Q1".parse().unwrap();
        assert_eq!(q3.label(), "2023年三季度");
        assert_eq!(q3.ytd_label(), "2023年1-3季度");
        assert_eq!(q1.ytd_label(), "2023年一季度");
        assert_eq!("2023Q4".parse::<Quarter>().unwrap().ytd_label(), "2023年");
        assert_eq!(Period::Year(2023).label(), "2023年");
    }

    #[test]
    fn neighbours_cross_year_boundaries() {
        let q1: Quarter = "2023Q1".parse().unwrap();
        assert_eq!(q1.previous().unwrap().to_string(), "2022Q4");
        assert_eq!(q1.year_before().unwrap().to_string(), "2022Q1");
        assert_eq!("2023Q4".parse::<Quarter>().unwrap().next().unwrap().to_string(), "2024Q1");
        let all: Vec<String> =
            "2022Q3".parse::<Quarter>().unwrap().through("2023Q2".parse().unwrap()).map(|q| q.to_string()).collect();
        assert_eq!(all, ["2022Q3", "2022Q4", "2023Q1", "2023Q2"]);
    }

    #[test]
    fn quarter_of_a_date() {
        let cases =
            [((2026, 1, 1), "2026Q1"), ((2026, 3, 31), "2026Q1"), ((2026, 4, 1), "2026Q2"), ((2026, 11, 26), "2026Q4")];
        for ((y, m, d), want) in cases {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(Quarter::containing(date).to_string(), want);
        }
    }
}
