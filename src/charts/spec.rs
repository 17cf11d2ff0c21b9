//! Which chart, with which parameters: parsed once from a query string, the command line or a
//! named chart file, with every problem named by its parameter.

use std::collections::BTreeMap;

use crate::domain::{FieldError, Period, Quarter};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    TargetVsActual,
    Trend,
    Benchmarks,
    Assessment,
    Progress,
}

impl Kind {
    pub const ALL: [Kind; 5] = [Kind::TargetVsActual, Kind::Trend, Kind::Benchmarks, Kind::Assessment, Kind::Progress];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::TargetVsActual => "target-vs-actual",
            Kind::Trend => "trend",
            Kind::Benchmarks => "benchmarks",
            Kind::Assessment => "assessment",
            Kind::Progress => "progress",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    pub fn parameters(self) -> &'static [&'static str] {
        match self {
            Kind::TargetVsActual => &["indicator", "period", "parent"],
            Kind::Trend => &["region", "indicator", "from", "to"],
            Kind::Benchmarks => &["region", "indicator", "period"],
            Kind::Assessment => &["year"],
            Kind::Progress => &["region", "period"],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ChartSpec {
    TargetVsActual {
        indicator: String,
        period: Quarter,
        parent: String,
    },
    /// `from` and `to` are both years or both quarters; the engine reads years as the quarters
    /// they hold when the indicator is quarterly.
    Trend {
        region: String,
        indicator: String,
        from: Period,
        to: Period,
    },
    Benchmarks {
        region: String,
        indicator: String,
        period: Period,
    },
    Assessment {
        year: i32,
    },
    Progress {
        region: String,
        period: Quarter,
    },
}

impl ChartSpec {
    /// The regions and indicators the chart is drawn from (a named chart may name some that a
    /// database does not have).
    pub fn refers_to(&self) -> (Vec<&str>, Vec<&str>) {
        match self {
            ChartSpec::TargetVsActual { indicator, parent, .. } => (vec![parent], vec![indicator]),
            ChartSpec::Trend { region, indicator, .. } | ChartSpec::Benchmarks { region, indicator, .. } => {
                (vec![region], vec![indicator])
            }
            ChartSpec::Assessment { .. } => (vec![], vec![]),
            ChartSpec::Progress { region, .. } => (vec![region], vec![]),
        }
    }
}

/// A trend over more quarters (or years) than this would not be readable.
pub const MAX_TREND_QUARTERS: usize = 40;

/// How many periods a trend from `from` to `to` has: years, or quarters (0 when `to` comes first).
fn trend_slots(from: Period, to: Period) -> usize {
    match (from, to) {
        (Period::Quarter(f), Period::Quarter(t)) => f.through(t).count(),
        (f, t) => usize::try_from(t.year() - f.year() + 1).unwrap_or(0),
    }
}

pub fn parse(kind: Kind, params: &BTreeMap<String, String>) -> Result<ChartSpec, Vec<FieldError>> {
    let mut errors = Vec::new();
    for key in params.keys().filter(|k| !kind.parameters().contains(&k.as_str())) {
        errors.push(FieldError::new(
            key.clone(),
            format!("{}图只有这些参数：{}", kind.as_str(), kind.parameters().join("、")),
        ));
    }
    let mut text = |name: &str| match params.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
        Some(v) => Some(v.to_string()),
        None => {
            errors.push(FieldError::new(name, format!("缺少参数{name}")));
            None
        }
    };
    let (a, b, c, d) = match kind {
        Kind::TargetVsActual => (text("indicator"), text("period"), text("parent"), None),
        Kind::Trend => (text("region"), text("indicator"), text("from"), text("to")),
        Kind::Benchmarks => (text("region"), text("indicator"), text("period"), None),
        Kind::Assessment => (text("year"), None, None, None),
        Kind::Progress => (text("region"), text("period"), None, None),
    };
    // A year stands for its last quarter (or, as the start of a trend, its first).
    let mut quarter = |field: &str, value: &str, first: bool| match value.parse::<Period>() {
        Ok(Period::Quarter(q)) => Some(q),
        Ok(Period::Year(y)) => Quarter::new(y, if first { 1 } else { 4 }),
        Err(e) => {
            errors.push(FieldError::new(field, e.to_string()));
            None
        }
    };
    let spec = match kind {
        Kind::TargetVsActual => {
            let period = b.as_deref().and_then(|p| quarter("period", p, false));
            a.zip(period).zip(c).map(|((indicator, period), parent)| ChartSpec::TargetVsActual {
                indicator,
                period,
                parent,
            })
        }
        Kind::Trend => {
            let years = |p: &str| p.parse::<Period>().ok().and_then(|p| p.as_quarter().is_none().then_some(p));
            let (from, to) = match (c.as_deref().and_then(years), d.as_deref().and_then(years)) {
                (Some(f), Some(t)) => (Some(f), Some(t)),
                _ => (
                    c.as_deref().and_then(|p| quarter("from", p, true)).map(Period::Quarter),
                    d.as_deref().and_then(|p| quarter("to", p, false)).map(Period::Quarter),
                ),
            };
            match (from, to) {
                (Some(f), Some(t)) if trend_slots(f, t) == 0 => {
                    errors.push(FieldError::new("to", "结束时期（to）不能早于开始时期（from）"));
                    None
                }
                (Some(f), Some(t)) if trend_slots(f, t) > MAX_TREND_QUARTERS => {
                    errors.push(FieldError::new("to", format!("趋势图最多{MAX_TREND_QUARTERS}个时期")));
                    None
                }
                _ => a.zip(b).zip(from).zip(to).map(|(((region, indicator), from), to)| ChartSpec::Trend {
                    region,
                    indicator,
                    from,
                    to,
                }),
            }
        }
        Kind::Benchmarks => {
            let period = c.as_deref().and_then(|p| match p.parse::<Period>() {
                Ok(p) => Some(p),
                Err(e) => {
                    errors.push(FieldError::new("period", e.to_string()));
                    None
                }
            });
            a.zip(b).zip(period).map(|((region, indicator), period)| ChartSpec::Benchmarks {
                region,
                indicator,
                period,
            })
        }
        Kind::Assessment => a.and_then(|y| match y.parse::<Period>() {
            Ok(Period::Year(year)) => Some(ChartSpec::Assessment { year }),
            _ => {
                errors.push(FieldError::new("year", format!("“{y}”不是年份（YYYY）")));
                None
            }
        }),
        Kind::Progress => {
            let period = b.as_deref().and_then(|p| quarter("period", p, false));
            a.zip(period).map(|(region, period)| ChartSpec::Progress { region, period })
        }
    };
    match spec {
        Some(spec) if errors.is_empty() => Ok(spec),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn parses_every_kind() {
        let q = |s: &str| s.parse::<Quarter>().unwrap();
        let cases = [
            (
                Kind::TargetVsActual,
                params(&[("indicator", "gdp"), ("period", "2023"), ("parent", "district")]),
                ChartSpec::TargetVsActual { indicator: "gdp".into(), period: q("2023Q4"), parent: "district".into() },
            ),
            (
                Kind::Trend,
                params(&[("region", "district"), ("indicator", "gdp"), ("from", "2022"), ("to", "2023Q2")]),
                ChartSpec::Trend {
                    region: "district".into(),
                    indicator: "gdp".into(),
                    from: Period::Quarter(q("2022Q1")),
                    to: Period::Quarter(q("2023Q2")),
                },
            ),
            (
                Kind::Trend,
                params(&[("region", "cn"), ("indicator", "rd"), ("from", "2015"), ("to", "2023")]),
                ChartSpec::Trend {
                    region: "cn".into(),
                    indicator: "rd".into(),
                    from: Period::Year(2015),
                    to: Period::Year(2023),
                },
            ),
            (
                Kind::Benchmarks,
                params(&[("region", "district"), ("indicator", "rd_share"), ("period", "2023")]),
                ChartSpec::Benchmarks {
                    region: "district".into(),
                    indicator: "rd_share".into(),
                    period: Period::Year(2023),
                },
            ),
            (Kind::Assessment, params(&[("year", "2023")]), ChartSpec::Assessment { year: 2023 }),
            (
                Kind::Progress,
                params(&[("region", "town-jia"), ("period", "2023Q3")]),
                ChartSpec::Progress { region: "town-jia".into(), period: q("2023Q3") },
            ),
        ];
        for (kind, p, want) in cases {
            assert_eq!(parse(kind, &p), Ok(want), "{kind:?}");
        }
    }

    #[test]
    fn names_every_bad_parameter() {
        let cases: [(Kind, BTreeMap<String, String>, &[&str]); 6] = [
            (Kind::TargetVsActual, params(&[("indicator", "gdp")]), &["period", "parent"]),
            (
                Kind::Trend,
                params(&[("region", "d"), ("indicator", "gdp"), ("from", "2023Q3"), ("to", "2023Q1")]),
                &["to"],
            ),
            (Kind::Trend, params(&[("region", "d"), ("indicator", "gdp"), ("from", "1980"), ("to", "2023")]), &["to"]),
            (
                Kind::Trend,
                params(&[("region", "d"), ("indicator", "gdp"), ("from", "2013Q4"), ("to", "2023")]),
                &["to"],
            ),
            (Kind::Assessment, params(&[("year", "2023Q1"), ("colour", "red")]), &["colour", "year"]),
            (Kind::Benchmarks, params(&[("region", "d"), ("indicator", "x"), ("period", "2023-Q1")]), &["period"]),
        ];
        for (kind, p, fields) in cases {
            let errors = parse(kind, &p).unwrap_err();
            let got: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(got, fields, "{kind:?} {p:?}");
        }
    }
}
