//! Reporting periods: a quarter `YYYYQn` or a year `YYYY`, nothing else.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Utc};

/// Years outside this range are almost certainly typing mistakes.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

const QUARTER_NAMES: [&str; 4] = ["一", "二", "三", "四"];

/// The bureau's clock is China Standard Time, UTC+8 all year (no daylight saving).
const BEIJING_OFFSET_SECONDS: i32 = 8 * 3600;

/// China Standard Time, the offset every date and moment shown to people is on.
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(BEIJING_OFFSET_SECONDS).expect("UTC+8 is a valid offset")
}

/// A moment on the bureau's clock: the day, quarter and time of day as people there read them.
pub fn in_beijing<Tz: TimeZone>(at: &DateTime<Tz>) -> DateTime<FixedOffset> {
    at.with_timezone(&beijing())
}

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

    /// The quarter we are in at the moment `now`, on the bureau's clock.
    pub fn at(now: DateTime<Utc>) -> Quarter {
        Quarter::containing(in_beijing(&now).date_naive())
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

    /// Has this period begun when `current` is the quarter we are in? A quarter once it is reached,
    /// a year once its first quarter is: figures of a later period cannot exist yet.
    pub fn has_begun(self, current: Quarter) -> bool {
        match self {
            Period::Quarter(q) => q <= current,
            Period::Year(y) => y <= current.year(),
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

/// A period where only a quarter will do: a year is refused as such.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuarterError {
    #[error(transparent)]
    NotAPeriod(#[from] PeriodError),
    #[error("应为季度，格式 YYYYQn，如 2023Q3")]
    Year,
}

impl TryFrom<String> for Period {
    type Error = PeriodError;
    fn try_from(text: String) -> Result<Period, PeriodError> {
        text.parse()
    }
}

impl TryFrom<String> for Quarter {
    type Error = QuarterError;
    fn try_from(text: String) -> Result<Quarter, QuarterError> {
        text.parse::<Period>()?.as_quarter().ok_or(QuarterError::Year)
    }
}

impl Period {
    /// What parsing takes, as the OpenAPI document says it.
    pub const PATTERN: &'static str = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)(Q[1-4])?$";
}

impl Quarter {
    /// What [`Quarter::try_from`] takes, as the OpenAPI document says it.
    pub const PATTERN: &'static str = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)Q[1-4]$";
}

/// Read from JSON bodies and query strings as text (`2023Q3`), by the rules above; the Chinese
/// message reaches the client beside the field. Described in the document by the pattern.
macro_rules! text_period {
    ($t:ident) => {
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$t, D::Error> {
                $t::try_from(<String as serde::Deserialize>::deserialize(d)?).map_err(serde::de::Error::custom)
            }
        }
        impl utoipa::PartialSchema for $t {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                use utoipa::openapi::schema::{ObjectBuilder, Type};
                ObjectBuilder::new().schema_type(Type::String).pattern(Some($t::PATTERN)).into()
            }
        }
        impl utoipa::ToSchema for $t {}
    };
}
text_period!(Period);
text_period!(Quarter);

/// A day `YYYY-MM-DD` of the years 1900 to 2200, as the API carries one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day(pub NaiveDate);

/// The regular expression of exactly the real days of 1900–2200 (29 February in leap years
/// only), without anchors: for the patterns of [`Day`] and of texts that hold a day.
#[macro_export]
macro_rules! day_regex {
    () => {
        concat!(
            r"(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])",
            r"|(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[13-9]|1[0-2])-(29|30)",
            r"|(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[13578]|1[02])-31",
            r"|((19|20|21)(0[48]|[2468][048]|[13579][26])|2000)-02-29"
        )
    };
}

impl Day {
    /// What [`Day::parse`] takes, as the OpenAPI document says it.
    pub const PATTERN: &'static str = concat!("^(", day_regex!(), ")$");

    /// Exactly `YYYY-MM-DD` (two-digit month and day) of a real day of 1900–2200.
    pub fn parse(text: &str) -> Option<Day> {
        use chrono::Datelike;
        let b = text.as_bytes();
        let shape = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().filter(|_| shape)?;
        YEARS.contains(&date.year()).then_some(Day(date))
    }
}

impl<'de> serde::Deserialize<'de> for Day {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Day, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(d)?;
        Day::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "“{}”不是有效的日期：应为 1900 至 2200 年的 YYYY-MM-DD（如 2024-01-20）",
                text.chars().take(20).collect::<String>()
            ))
        })
    }
}

impl utoipa::PartialSchema for Day {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new().schema_type(Type::String).pattern(Some(Day::PATTERN)).examples(["2024-01-20"]).into()
    }
}
impl utoipa::ToSchema for Day {}

/// The quarter being reported while `current` runs: the last one that is over (figures are
/// reported once a quarter has ended).
pub fn reporting_quarter(current: Quarter) -> Quarter {
    current.previous().unwrap_or(current)
}

/// What a page shows when no period is asked for: the latest period with figures, else the
/// quarter being reported.
pub fn shown_by_default(latest: Option<Period>, current: Quarter) -> Period {
    latest.unwrap_or_else(|| reporting_quarter(current).into())
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
    fn periods_and_quarters_are_read_from_json_as_parsed() {
        let read = |json: &str| serde_json::from_str::<Period>(json).map_err(|e| e.to_string());
        assert_eq!(read(r#""2023Q3""#), Ok(Period::from_parts(2023, 3).unwrap()));
        assert_eq!(read(r#""2023""#), Ok(Period::Year(2023)));
        assert!(read(r#""2023Q5""#).unwrap_err().starts_with("“2023Q5”不是有效的时期："));
        let quarter = |json: &str| serde_json::from_str::<Quarter>(json).map_err(|e| e.to_string());
        assert_eq!(quarter(r#""2023Q3""#), Ok(Quarter::new(2023, 3).unwrap()));
        assert!(quarter(r#""2023""#).unwrap_err().starts_with("应为季度，格式 YYYYQn，如 2023Q3"));
        assert!(quarter(r#""1899Q1""#).unwrap_err().starts_with("“1899Q1”不是有效的时期："));
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

    #[test]
    fn the_quarter_of_a_moment_is_beijings() {
        let cases = [
            ("2023-12-31T15:59:59Z", "2023Q4"),
            ("2023-12-31T16:00:00Z", "2024Q1"),
            ("2024-03-31T16:00:00Z", "2024Q2"),
            ("2024-06-30T12:00:00Z", "2024Q2"),
        ];
        for (utc, want) in cases {
            let now = DateTime::parse_from_rfc3339(utc).unwrap().with_timezone(&Utc);
            assert_eq!(Quarter::at(now).to_string(), want, "{utc}");
        }
        let midnight = DateTime::parse_from_rfc3339("2023-12-31T16:00:00Z").unwrap();
        assert_eq!(in_beijing(&midnight).format("%Y-%m-%d %H:%M").to_string(), "2024-01-01 00:00");
    }

    #[test]
    fn a_period_begins_with_its_first_quarter() {
        let cases = [
            ("2023Q2", "2023Q3", true),
            ("2023Q3", "2023Q3", true),
            ("2023Q4", "2023Q3", false),
            ("2024Q1", "2023Q4", false),
            ("2023", "2023Q1", true),
            ("2022", "2023Q1", true),
            ("2024", "2023Q4", false),
        ];
        for (period, current, want) in cases {
            let (p, c): (Period, Quarter) = (period.parse().unwrap(), current.parse().unwrap());
            assert_eq!(p.has_begun(c), want, "{period} when it is {current}");
        }
    }

    #[test]
    fn a_page_shows_the_latest_figures_else_the_quarter_being_reported() {
        let q = |t: &str| t.parse::<Quarter>().unwrap();
        let p = |t: &str| t.parse::<Period>().unwrap();
        assert_eq!(reporting_quarter(q("2024Q1")), q("2023Q4"));
        assert_eq!(reporting_quarter(q("2024Q3")), q("2024Q2"));
        for (latest, current, want) in [
            (Some("2024Q2"), "2024Q4", "2024Q2"),
            (Some("2023"), "2024Q4", "2023"),
            (None, "2024Q4", "2024Q3"),
            (None, "2024Q1", "2023Q4"),
        ] {
            assert_eq!(shown_by_default(latest.map(p), q(current)), p(want), "{latest:?} in {current}");
        }
    }

    #[test]
    fn a_day_is_a_real_day_of_1900_to_2200() {
        // the pattern was checked against every string YYYY-MM-DD of 1890-2209 (months 00-13,
        // days 00-32): it matches exactly the real days of 1900-2200, as parsing takes them
        let cases = [
            ("2024-01-20", true),
            ("2024-02-29", true),
            ("2000-02-29", true),
            ("1900-02-29", false),
            ("2100-02-29", false),
            ("2023-02-29", false),
            ("2023-04-31", false),
            ("2023-12-31", true),
            ("2023-13-01", false),
            ("2023-00-10", false),
            ("1899-12-31", false),
            ("2200-12-31", true),
            ("2201-01-01", false),
            ("2023-1-05", false),
            ("+2023-01-05", false),
            ("2023-01-05 ", false),
            ("", false),
        ];
        for (text, want) in cases {
            assert_eq!(Day::parse(text).is_some(), want, "{text}");
        }
        assert_eq!(Day::parse("2024-01-20"), Some(Day(NaiveDate::from_ymd_opt(2024, 1, 20).unwrap())));
        let error = serde_json::from_str::<Day>(r#""2023-02-29""#).unwrap_err().to_string();
        assert!(error.starts_with("“2023-02-29”不是有效的日期"), "{error}");
    }
}
