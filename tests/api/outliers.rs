//! The Hidiroglou–Berthelot outlier test (SPEC §15, `domain::outlier`) beside today's factor rule
//! (`yoy_jump` of `domain::submission::value_warnings`) on the demo: the year-to-date figures of
//! the towns and zones under the district, read through `/series`, each quarter of 2023 and 2024
//! against the same quarter a year before, for every indicator typed in quarter by quarter.

use reqwest::StatusCode;
use serde_json::Value;

use zhibiao::domain::outlier::{self, Pair, Params};
use zhibiao::domain::submission::{YtdContext, value_warnings};
use zhibiao::domain::{Direction, Frequency, Indicator, IndicatorCode, Mode};

use crate::helpers::{TestApp, spawn_demo};

/// The quarters compared, each with the same quarter a year before, from [`FIRST`] on.
const QUARTERS: [&str; 7] = ["2023Q1", "2023Q2", "2023Q3", "2023Q4", "2024Q1", "2024Q2", "2024Q3"];
const FIRST: &str = "2022Q1";

/// The demo as the API gives it: the indicators typed in quarter by quarter (a derived or
/// register figure is never submitted, so neither check applies to it), the reporting regions
/// under the district, and each (indicator, region)'s YTD series from [`FIRST`].
struct Figures {
    indicators: Vec<Indicator>,
    regions: Vec<String>,
    series: Vec<((String, String), Vec<Option<f64>>)>,
}

/// An indicator of `GET /indicators` as the domain's rules take it.
fn indicator(json: &Value) -> Indicator {
    let text = |field: &str| json[field].as_str().unwrap().to_string();
    Indicator {
        code: IndicatorCode::parse(&text("code")).unwrap(),
        name: text("name"),
        unit: text("unit"),
        decimals: json["decimals"].as_u64().unwrap() as u8,
        direction: Direction::parse(&text("direction")).unwrap(),
        mode: Mode::parse(&text("mode")).unwrap(),
        formula: None,
        allow_negative: json["allow_negative"].as_bool().unwrap(),
        sort: 0,
        frequency: Frequency::parse(&text("frequency")).unwrap(),
        regions: None,
        rule: None,
    }
}

async fn figures(app: &TestApp) -> Figures {
    let indicators: Vec<Indicator> = app
        .get_as_admin("/api/v1/indicators")
        .await
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(indicator)
        .filter(|i| i.is_submitted() && i.frequency == Frequency::Quarterly)
        .collect();
    let regions: Vec<String> = app
        .get_as_admin("/api/v1/regions")
        .await
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["parent"] == "district")
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    let last = QUARTERS[QUARTERS.len() - 1];
    let mut series = Vec::new();
    for ind in &indicators {
        for region in &regions {
            let values = app.series(region, ind.code.as_str(), FIRST, last, "ytd").await;
            series.push(((ind.code.to_string(), region.clone()), values));
        }
    }
    Figures { indicators, regions, series }
}

/// `2023Q2` → its place in the series from [`FIRST`].
fn index(quarter: &str) -> usize {
    let (year, q): (usize, usize) = (quarter[..4].parse().unwrap(), quarter[5..].parse().unwrap());
    (year - 2022) * 4 + q - 1
}

impl Figures {
    fn ytd(&self, indicator: &str, region: &str, quarter: usize) -> Option<f64> {
        self.series.iter().find(|((i, r), _)| i == indicator && r == region).unwrap().1[quarter]
    }

    fn pairs(&self, indicator: &str, quarter: &str) -> Vec<Pair<'_>> {
        let now = index(quarter);
        self.regions
            .iter()
            .map(|r| Pair { region: r, now: self.ytd(indicator, r, now), last_year: self.ytd(indicator, r, now - 4) })
            .collect()
    }

    /// `indicator quarter region` of every figure each method flags: HB, then yoy_jump.
    fn flagged(&self) -> (Vec<String>, Vec<String>) {
        let (mut hb, mut yoy) = (Vec::new(), Vec::new());
        for ind in &self.indicators {
            let code = ind.code.as_str();
            for quarter in QUARTERS {
                let pairs = self.pairs(code, quarter);
                let outcome = outlier::hb(&pairs, Params::default());
                hb.extend(outcome.outliers().map(|s| format!("{code} {quarter} {}", s.region)));
                for pair in &pairs {
                    let ctx = YtdContext { now: pair.now, last_year: pair.last_year, ..YtdContext::default() };
                    if value_warnings(ind, ctx).iter().any(|w| w.code == "yoy_jump") {
                        yoy.push(format!("{code} {quarter} {}", pair.region));
                    }
                }
            }
        }
        (hb, yoy)
    }

    /// The HB message of `region`'s figure, which must be flagged.
    fn message(&self, indicator: &str, quarter: &str, region: &str) -> String {
        let ind = self.indicators.iter().find(|i| i.code.as_str() == indicator).unwrap();
        let pairs = self.pairs(indicator, quarter);
        let outcome = outlier::hb(&pairs, Params::default());
        let score = outcome.outliers().find(|s| s.region == region).unwrap();
        outlier::message(ind, score, &outcome.bounds.unwrap())
    }
}

/// What HB flags on the demo as loaded. The synthetic towns grow in lockstep (2024: every unit
/// +4–6%), so the spread of the scores is small and HB's interval narrow: it flags 丙镇's GDP
/// growing 6% where its peers grow 4–5%, and 己镇's R&D growing 9% where its peers grow 17–22%
/// (the front-loaded town the projection says will miss its target). Its other flags are counts of
/// a few projects or applications where most towns are unchanged: the scores tie at zero and the
/// interval shrinks to a point (see `domain::outlier`). No figure is more than twice or under half
/// of last year's, so the factor rule flags nothing.
const DEMO_HB: [&str; 8] = [
    "gdp 2024Q1 town-bing",
    "gdp 2024Q2 town-bing",
    "gdp 2024Q3 town-bing",
    "rd_expenditure 2024Q2 town-ji",
    "rd_expenditure 2024Q3 town-ji",
    "invention_applications 2024Q1 zone-gaoxin",
    "iur_projects 2024Q1 zone-jingkai",
    "iur_projects 2024Q3 zone-jingkai",
];

#[tokio::test]
async fn on_the_demo_hb_flags_the_towns_that_move_apart_from_their_peers_and_the_factor_rule_flags_none() {
    let app = spawn_demo().await;
    let figures = figures(&app).await;
    let codes: Vec<&str> = figures.indicators.iter().map(|i| i.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "gdp",
            "rd_expenditure",
            "patent_applications",
            "invention_applications",
            "patent_grants",
            "talents_introduced",
            "iur_projects"
        ]
    );
    assert_eq!(figures.regions.len(), 8, "{:?}", figures.regions);
    let (hb, yoy) = figures.flagged();
    assert_eq!(hb, DEMO_HB);
    assert_eq!(yoy, Vec::<String>::new());
    assert_eq!(
        figures.message("rd_expenditure", "2024Q3", "town-ji"),
        "R&D经费支出累计值0.5与上年同期0.46之比为1.09，明显低于同级地区（比值中位数1.19，HB检验），请核实"
    );
}

/// Three figures changed by the admin, each in a quarter of its own:
/// - 高新区, the largest unit, files 1355 patent applications by 2024Q3 where it had 1042 a year
///   before (+30%): HB flags it, the factor rule does not.
/// - 己镇, the smallest, files 111 by 2024Q2 where it had 55 (more than double): the factor rule
///   flags it, and so does HB — on the demo's lockstep towns any doubling is far outside HB's
///   narrow interval; a doubling from a low base goes unflagged only among peers that spread as
///   real towns do (the unit tests of `domain::outlier`).
/// - 乙镇 reports 3 industry–university–research projects in 2023Q1 where it had 1: the factor rule
///   flags it; HB cannot, as only four units had projects in both first quarters (the others none),
///   and among four scores the quartiles at C = 4 always reach the extremes. The next year's first
///   quarter (1 again, a third of 3) is flagged by both.
#[tokio::test]
async fn a_large_zone_moving_30_percent_is_flagged_by_hb_alone_and_a_doubling_town_by_the_factor_rule() {
    let app = spawn_demo().await;
    let before = figures(&app).await;
    let at = |indicator, region, quarter| before.ytd(indicator, region, index(quarter));
    assert_eq!(at("patent_applications", "zone-gaoxin", "2023Q3"), Some(1042.0));
    assert_eq!(at("patent_applications", "town-ji", "2023Q2"), Some(55.0));
    assert_eq!(
        (at("iur_projects", "town-yi", "2022Q1"), at("iur_projects", "town-yi", "2023Q1")),
        (Some(1.0), Some(1.0))
    );

    let changes = [
        ("zone-gaoxin", "2024Q3", "patent_applications", 1355.0, None),
        ("town-ji", "2024Q2", "patent_applications", 111.0, Some("yoy_jump")),
        ("town-yi", "2023Q1", "iur_projects", 3.0, Some("yoy_jump")),
    ];
    for (region, period, indicator, value, warned) in changes {
        let answer = app.put_values(&app.admin.clone(), region, period, &[(indicator, value)]).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        // today's engine warns with the same factor rule as it stores the figure
        let yoy = answer.body["warnings"].as_array().unwrap().iter().any(|w| w["code"] == "yoy_jump");
        assert_eq!(yoy, warned.is_some(), "{region} {period}: {}", answer.body);
    }

    let after = figures(&app).await;
    let (hb, yoy) = after.flagged();
    let mut want_hb: Vec<&str> = DEMO_HB.to_vec();
    want_hb.insert(5, "patent_applications 2024Q2 town-ji");
    want_hb.insert(6, "patent_applications 2024Q3 zone-gaoxin");
    want_hb.insert(8, "iur_projects 2024Q1 town-yi");
    assert_eq!(hb, want_hb);
    assert_eq!(
        yoy,
        ["patent_applications 2024Q2 town-ji", "iur_projects 2023Q1 town-yi", "iur_projects 2024Q1 town-yi"]
    );
    assert_eq!(
        after.message("patent_applications", "2024Q3", "zone-gaoxin"),
        "专利申请量累计值1355与上年同期1042之比为1.30，明显高于同级地区（比值中位数1.05，HB检验），请核实"
    );
    // the four units with projects in both first quarters: scored, within the bounds
    let pairs = after.pairs("iur_projects", "2023Q1");
    let outcome = outlier::hb(&pairs, Params::default());
    let taking_part: Vec<&str> = outcome.scores.iter().map(|s| s.region).collect();
    assert_eq!(taking_part, ["town-jia", "town-yi", "zone-gaoxin", "zone-jingkai"]);
    assert_eq!(outcome.outliers().count(), 0, "{outcome:?}");
}
