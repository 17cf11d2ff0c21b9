//! A synthetic province for measuring scale (BENCHMARKS.md): 1,500 regions in three levels (the
//! province, 50 cities, 1,449 counties), 30 indicators of every mode, ten years of quarters
//! (2016–2025), 2025 targets split province → cities → counties, and a 2025 scheme assessing every
//! county on all 30 indicators. The figures come from a seeded generator, so every run makes the
//! same database.
//!
//! Regions, indicators, targets and the scheme go through the engine like any other. The 1.4
//! million figures are history loaded in bulk: they are written straight to the store with one
//! audit entry for the whole load instead of one per figure, as a migration from another system
//! would be.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::Connection;

use crate::domain::access::{Role, User};
use crate::domain::assessment::Scheme;
use crate::domain::target::SplitMethod;
use crate::domain::{Direction, Indicator, IndicatorCode, Mode, Period, Quarter, Region, RegionId, RegionKind};
use crate::engine;
use crate::engine::targets::SplitRequest;
use crate::error::AppResult;
use crate::store;
use crate::store::observations::NewValue;

pub const PROVINCE: &str = "province";
pub const FIRST_YEAR: i32 = 2016;
pub const LAST_YEAR: i32 = 2025;

/// How much to generate: the province of `zhibiao demo --scale province`, or a smaller one for tests.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub cities: usize,
    /// the figures run from this year's first quarter to the last quarter of `LAST_YEAR`
    pub first_year: i32,
    /// enterprises of interest in each county's register (scale, high-tech, major projects)
    pub enterprises_per_county: usize,
}

/// 1,449 counties × 20: some 29,000 enterprises of interest, as a province registers.
pub const FULL: Size = Size { cities: 50, first_year: FIRST_YEAR, enterprises_per_county: 20 };
const SEED: u64 = 20_251_231;

/// Counties of city `c` (0-based): 28, 29 or 30, 1,449 in all.
fn counties_of(c: usize) -> usize {
    28 + c % 3
}

pub fn city_id(c: usize) -> String {
    format!("c{:02}", c + 1)
}

pub fn county_id(c: usize, k: usize) -> String {
    format!("c{:02}-{:03}", c + 1, k + 1)
}

struct Spec {
    code: &'static str,
    name: &'static str,
    unit: &'static str,
    decimals: u8,
    mode: Mode,
    /// a middle-sized county's annual figure in the first year; for derived indicators, the formula
    scale: f64,
    formula: Option<&'static str>,
    direction: Direction,
}

const fn input(
    code: &'static str,
    name: &'static str,
    unit: &'static str,
    decimals: u8,
    mode: Mode,
    scale: f64,
) -> Spec {
    Spec { code, name, unit, decimals, mode, scale, formula: None, direction: Direction::Higher }
}

const fn derived(code: &'static str, name: &'static str, unit: &'static str, formula: &'static str) -> Spec {
    Spec {
        code,
        name,
        unit,
        decimals: 2,
        mode: Mode::Derived,
        scale: 0.0,
        formula: Some(formula),
        direction: Direction::Higher,
    }
}

const INDICATORS: [Spec; 30] = [
    input("gdp", "地区生产总值", "亿元", 2, Mode::Ytd, 300.0),
    input("rd_expenditure", "R&D经费支出", "亿元", 2, Mode::Ytd, 5.0),
    input("industrial_output", "规上工业总产值", "亿元", 2, Mode::Ytd, 400.0),
    input("high_tech_output", "高新技术产业产值", "亿元", 2, Mode::Ytd, 150.0),
    input("main_business_revenue", "规上工业营业收入", "亿元", 2, Mode::Ytd, 380.0),
    input("new_product_sales", "新产品销售收入", "亿元", 2, Mode::Ytd, 60.0),
    input("fiscal_spending", "一般公共预算支出", "亿元", 2, Mode::Ytd, 40.0),
    input("sci_fiscal_spending", "财政科技支出", "亿元", 2, Mode::Ytd, 1.2),
    input("tech_contract_value", "技术合同成交额", "亿元", 2, Mode::Ytd, 8.0),
    input("patent_applications", "专利申请量", "件", 0, Mode::Ytd, 2000.0),
    input("invention_applications", "发明专利申请量", "件", 0, Mode::Ytd, 500.0),
    input("patent_grants", "专利授权量", "件", 0, Mode::Ytd, 1100.0),
    input("invention_grants", "发明专利授权量", "件", 0, Mode::Ytd, 120.0),
    input("iur_projects", "重大产学研合作项目", "项", 0, Mode::Ytd, 12.0),
    input("pct_applications", "PCT国际专利申请量", "件", 0, Mode::Ytd, 15.0),
    Spec {
        direction: Direction::Lower, ..input("energy_use", "规上工业综合能耗", "万吨标煤", 2, Mode::Ytd, 90.0)
    },
    input("talents_introduced", "引进高层次人才", "人", 0, Mode::Quarter, 60.0),
    input("new_high_tech_firms", "新认定高新技术企业", "家", 0, Mode::Quarter, 25.0),
    input("tech_smes", "入库科技型中小企业", "家", 0, Mode::Quarter, 80.0),
    input("incubated_firms", "在孵企业新增数", "家", 0, Mode::Quarter, 30.0),
    input("large_enterprises", "销售超亿元企业数", "家", 0, Mode::Stock, 90.0),
    input("large_enterprises_with_rd", "建有研发机构的销售超亿元企业数", "家", 0, Mode::Stock, 35.0),
    input("high_tech_enterprises", "高新技术企业数", "家", 0, Mode::Stock, 200.0),
    input("rd_staff", "R&D人员", "人", 0, Mode::Stock, 6000.0),
    derived("rd_share", "R&D经费占GDP比重", "%", "100 * rd_expenditure / gdp"),
    derived(
        "rd_institution_rate",
        "销售超亿元企业研发机构建有率",
        "%",
        "100 * large_enterprises_with_rd / large_enterprises",
    ),
    derived("high_tech_share", "高新技术产业产值占比", "%", "100 * high_tech_output / industrial_output"),
    derived("new_product_share", "新产品销售收入占比", "%", "100 * new_product_sales / main_business_revenue"),
    derived("sci_spending_share", "财政科技支出占比", "%", "100 * sci_fiscal_spending / fiscal_spending"),
    Spec {
        direction: Direction::Lower,
        ..derived("energy_intensity", "单位工业产值能耗", "吨标煤/万元", "energy_use / industrial_output")
    },
];

/// Indicators with 2025 targets, split down the tree in proportion to 2024.
const TARGETED: [&str; 10] = [
    "gdp",
    "rd_expenditure",
    "high_tech_output",
    "sci_fiscal_spending",
    "tech_contract_value",
    "patent_applications",
    "invention_applications",
    "iur_projects",
    "talents_introduced",
    "high_tech_enterprises",
];

/// Growth of the targets over 2024.
const TARGET_GROWTH: f64 = 1.08;

/// A quarterly indicator reported by every county, never negative, higher is better.
fn quarterly(code: &str, name: &str, unit: &str, decimals: u8, mode: Mode, formula: Option<&str>) -> Indicator {
    Indicator {
        code: IndicatorCode::parse(code).expect("generated codes are valid"),
        name: name.into(),
        unit: unit.into(),
        decimals,
        direction: Direction::Higher,
        mode,
        formula: formula.map(|f| crate::domain::Formula::parse(f).expect("generated formulas parse")),
        allow_negative: false,
        sort: 0,
        frequency: crate::domain::Frequency::Quarterly,
        regions: None,
        rule: None,
    }
}

fn region(id: &str, name: String, kind: RegionKind, parent: Option<&str>, group: Option<&str>, sort: usize) -> Region {
    Region {
        id: RegionId::parse(id).expect("generated ids are valid"),
        name,
        kind,
        parent: parent.map(|p| RegionId::parse(p).expect("generated ids are valid")),
        group: group.map(str::to_string),
        sort: sort as i64,
        iso3: None,
    }
}

/// One county's figures as submitted for one indicator and year: a YTD, quarterly or end-of-quarter
/// figure per quarter.
fn quarter_figures(rng: &mut StdRng, mode: Mode, annual: f64, decimals: u8) -> [f64; 4] {
    let round = |x: f64| crate::domain::number::round_to(x, decimals);
    match mode {
        Mode::Ytd => {
            let parts = [(); 4].map(|_| rng.random_range(0.2..0.3));
            let total: f64 = parts.iter().sum();
            let mut reached = 0.0;
            parts.map(|p| {
                reached += p;
                round(annual * reached / total)
            })
        }
        Mode::Quarter => [0, 1, 2, 3].map(|_| round(annual / 4.0 * rng.random_range(0.8..1.2))),
        _ => [0.95, 0.97, 0.985, 1.0].map(|s| round(annual * s * rng.random_range(0.99..1.01))),
    }
}

/// Loads the province into `conn` (expected empty), in the caller's transaction. Returns the number
/// of figures written.
pub fn load(conn: &Connection) -> AppResult<usize> {
    generate(conn, FULL)
}

/// Loads a province of `size` into `conn` (expected empty), in the caller's transaction.
pub fn generate(conn: &Connection, size: Size) -> AppResult<usize> {
    let admin = User { id: 0, name: "demo".into(), role: Role::Admin, regions: vec![], departments: vec![] };
    let mut rng = StdRng::seed_from_u64(SEED);
    engine::regions::create(conn, &admin, region(PROVINCE, "全省".into(), RegionKind::Province, None, None, 0))?;
    // (county id, size): a county's figures are its size times the indicator's scale
    let mut counties: Vec<(String, f64)> = Vec::new();
    for c in 0..size.cities {
        let city = city_id(c);
        let name = format!("{}市", c + 1);
        engine::regions::create(conn, &admin, region(&city, name, RegionKind::City, Some(PROVINCE), None, c + 1))?;
        for k in 0..counties_of(c) {
            let id = county_id(c, k);
            let zone = k % 7 == 6;
            let (kind, group, word) = if zone {
                (RegionKind::Zone, "开发区", "开发区")
            } else {
                (RegionKind::County, "县（市、区）", "县")
            };
            let name = format!("{}市{}{word}", c + 1, k + 1);
            engine::regions::create(conn, &admin, region(&id, name, kind, Some(&city), Some(group), k + 1))?;
            counties.push((id, rng.random_range(0.3_f64..1.0).powi(2) * 3.0));
        }
    }
    for (i, spec) in INDICATORS.iter().enumerate() {
        let indicator = quarterly(spec.code, spec.name, spec.unit, spec.decimals, spec.mode, spec.formula);
        engine::indicators::create(
            conn,
            &admin,
            Indicator { direction: spec.direction, sort: i as i64 + 1, ..indicator },
        )?;
    }
    let written = load_figures(conn, &counties, size.first_year, &mut rng)?;
    load_targets_and_scheme(conn, &admin, size.cities)?;
    load_register(conn, &admin, &counties, size.enterprises_per_county)?;
    Ok(written)
}

/// The register indicators of the province: the three zeros and the large enterprises with an
/// R&D institution, counted from the register.
pub const REGISTER_INDICATORS: [&str; 4] = [
    "scale_zero_patents",
    "high_tech_zero_applications",
    "major_project_zero_applications",
    "large_firms_with_rd_institution",
];

/// A register of `per_county` enterprises in each county, with their attributes of the last two
/// years, an R&D institution for about a third, and the quarterly patent figures of the last
/// year; the register indicators over it. Like the figures, the enterprises are written straight
/// to the store with one audit entry for them all. Its own generator, so that the figures and
/// targets are the same with or without it.
fn load_register(conn: &Connection, admin: &User, counties: &[(String, f64)], per_county: usize) -> AppResult<()> {
    use crate::domain::enterprise::{
        CreditCode, Enterprise, Institution, InstitutionKind, Level, Measure, Rule, ThreeZero, YearAttributes,
    };
    let names = ["三个零：规模企业零专利", "三个零：高新企业年度专利零申请", "三个零：重大项目企业专利申请零户"];
    let with_rd = Rule {
        aggregate: crate::domain::enterprise::Aggregate::Count,
        conditions: vec![
            crate::domain::enterprise::Flag::SalesOver100m,
            crate::domain::enterprise::Flag::HasRdInstitution(None),
        ],
    };
    let rules = ThreeZero::ALL.iter().map(|z| z.rule()).chain([with_rd]);
    let labels = names.iter().copied().chain(["建有研发机构的销售超亿元企业数（企业库）"]);
    for (i, ((code, name), rule)) in REGISTER_INDICATORS.iter().zip(labels).zip(rules).enumerate() {
        let base = quarterly(code, name, "家", 0, Mode::Register, None);
        let direction = if i < 3 { Direction::Lower } else { Direction::Higher };
        let indicator = Indicator { direction, rule: Some(rule), sort: 100 + i as i64, ..base };
        engine::indicators::create(conn, admin, indicator)?;
    }
    let mut rng = StdRng::seed_from_u64(SEED + 1);
    let mut registered = 0usize;
    for (county, (id, _)) in counties.iter().enumerate() {
        let region = RegionId::parse(id).expect("generated ids are valid");
        for n in 0..per_county {
            // 91 (enterprise), a division code of the county, a running number
            let body = format!("91{:06}{:09}", 320000 + county, n);
            let code = CreditCode::completing(&body).expect("digits make a code");
            let attributes = |year, rng: &mut StdRng| YearAttributes {
                year,
                scale: rng.random_bool(0.8),
                high_tech: rng.random_bool(0.3),
                sales_over_100m: rng.random_bool(0.25),
                major_project: rng.random_bool(0.1),
            };
            let years = vec![attributes(LAST_YEAR - 1, &mut rng), attributes(LAST_YEAR, &mut rng)];
            let institutions = if rng.random_bool(0.33) {
                vec![Institution {
                    kind: InstitutionKind::TechCenter,
                    level: [Level::Provincial, Level::Municipal, Level::District][n % 3],
                    name: None,
                    since: LAST_YEAR - 3,
                    until: None,
                }]
            } else {
                vec![]
            };
            let name = format!("{id}第{}号企业", n + 1);
            store::enterprises::save(
                conn,
                &Enterprise { code: code.clone(), name, region: region.clone(), years, institutions },
            )?;
            let mut applications = 0.0;
            let patents: f64 = if rng.random_bool(0.2) { 0.0 } else { f64::from(rng.random_range(1..60)) };
            for q in 1..=4 {
                // a quarter in four without an application: some stay on the zero lists all year
                if rng.random_bool(0.75) {
                    applications += f64::from(rng.random_range(0..4));
                }
                let period = Period::Quarter(Quarter::new(LAST_YEAR, q).expect("valid quarter"));
                let values = [(Measure::PatentApplications, applications), (Measure::ValidPatents, patents)];
                store::enterprises::put_values(conn, code.as_str(), period, &values)?;
            }
            registered += 1;
        }
    }
    store::audit::record(
        conn,
        &store::audit::AuditRecord {
            at: store::now(),
            user: "demo".into(),
            action: "bulk_load".into(),
            entity: "enterprise".into(),
            key: PROVINCE.into(),
            region: Some(PROVINCE.into()),
            indicator: None,
            period: None,
            old: None,
            new: Some(serde_json::json!({ "enterprises": registered })),
            reason: Some("synthetic province register (zhibiao demo --scale province)".into()),
        },
    )?;
    Ok(())
}

fn load_figures(conn: &Connection, counties: &[(String, f64)], first_year: i32, rng: &mut StdRng) -> AppResult<usize> {
    let _cache = store::LargePageCache::raise(conn)?;
    let at = store::now();
    let mut written = 0;
    for (id, size) in counties {
        let region = RegionId::parse(id).expect("generated ids are valid");
        for spec in INDICATORS.iter().filter(|s| s.mode != Mode::Derived) {
            let code = IndicatorCode::parse(spec.code).expect("generated codes are valid");
            let growth = 1.0 + rng.random_range(-0.02..0.12);
            let mut annual = spec.scale * size;
            for year in first_year..=LAST_YEAR {
                let figures = quarter_figures(rng, spec.mode, annual, spec.decimals);
                for (q, value) in (1..=4u8).zip(figures) {
                    let period = Period::Quarter(Quarter::new(year, q).expect("valid quarter"));
                    store::observations::upsert(
                        conn,
                        &NewValue {
                            region: &region,
                            indicator: &code,
                            period,
                            value,
                            comment: None,
                            submitted_by: "demo",
                            submitted_at: &at,
                        },
                    )?;
                    written += 1;
                }
                annual *= growth * rng.random_range(0.97..1.03);
            }
        }
    }
    let summary =
        serde_json::json!({ "figures": written, "from": format!("{first_year}Q1"), "to": format!("{LAST_YEAR}Q4") });
    store::audit::record(
        conn,
        &store::audit::AuditRecord {
            at,
            user: "demo".into(),
            action: "bulk_load".into(),
            entity: "value".into(),
            key: PROVINCE.into(),
            region: Some(PROVINCE.into()),
            indicator: None,
            period: None,
            old: None,
            new: Some(summary),
            reason: Some("synthetic province history (zhibiao demo --scale province)".into()),
        },
    )?;
    Ok(written)
}

fn load_targets_and_scheme(conn: &Connection, admin: &User, cities: usize) -> AppResult<()> {
    let year = LAST_YEAR;
    let world = engine::world(conn)?;
    let observations = world.observations(conn, &[PROVINCE], &TARGETED, year - 1, year - 1)?;
    let calc = world.calculator(&observations);
    for indicator in TARGETED {
        let last = calc.figure(PROVINCE, indicator, crate::domain::Span::Annual(year - 1)).value.unwrap_or(0.0);
        let decimals = world.indicator(indicator)?.decimals;
        let total = crate::domain::number::round_to(last * TARGET_GROWTH, decimals);
        let cities: Vec<String> = (0..cities).map(city_id).collect();
        // the province's total first, then each city's share of it down to its counties
        let splits = std::iter::once((PROVINCE, Some(total))).chain(cities.iter().map(|c| (c.as_str(), None)));
        for (parent, total) in splits {
            let request = SplitRequest {
                parent,
                indicator,
                year,
                total,
                method: SplitMethod::Proportional,
                base_year: Some(year - 1),
                weights: None,
            };
            engine::targets::decompose(conn, admin, &request)?;
        }
    }
    // every county on every indicator: ratio for the targeted ones, stepped against the average
    // and rank for the others, alternately
    let items: Vec<serde_json::Value> = INDICATORS
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let weight = if TARGETED.contains(&spec.code) { 5.0 } else { 2.5 };
            if TARGETED.contains(&spec.code) {
                serde_json::json!({"indicator": spec.code, "weight": weight, "method": "ratio", "cap": 1.2})
            } else if i % 2 == 0 {
                serde_json::json!({"indicator": spec.code, "weight": weight, "method": "stepped", "reference": "average"})
            } else {
                serde_json::json!({"indicator": spec.code, "weight": weight, "method": "rank"})
            }
        })
        .collect();
    let scheme: Scheme = serde_json::from_value(serde_json::json!({
        "parent": PROVINCE,
        "scope": "reporting",
        "rank_within_group": true,
        "items": items,
        "grades": [{"name": "优秀", "min": 90}, {"name": "良好", "min": 80},
                   {"name": "合格", "min": 60}, {"name": "不合格", "min": 0}],
        "adjustments": [{"region": county_id(0, 0), "points": 2, "reason": "获批国家级创新平台"}],
        "vetoes": [{"region": county_id(0, 1), "reason": "发生重大安全生产事故"}]
    }))
    .expect("the generated scheme is well-formed");
    engine::assessments::set_scheme(conn, admin, year, scheme)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::number::round_to;

    const SMALL: Size = Size { cities: 2, first_year: 2024, enterprises_per_county: 3 };

    fn generated(dir: &std::path::Path, name: &str) -> (store::Pool, usize) {
        let pool = store::open(&dir.join(name)).unwrap();
        let mut conn = pool.get().unwrap();
        let tx = conn.transaction().unwrap();
        let written = generate(&tx, SMALL).unwrap();
        tx.commit().unwrap();
        drop(conn);
        (pool, written)
    }

    fn all_figures(conn: &Connection) -> Vec<(String, String, i32, u8, f64)> {
        let mut stmt = conn
            .prepare("SELECT region, indicator, year, quarter, value FROM observations ORDER BY region, indicator, year, quarter")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn a_small_province_has_its_tree_figures_targets_and_assessment() {
        let dir = tempfile::tempdir().unwrap();
        let (pool, written) = generated(dir.path(), "a.db");
        let conn = pool.get().unwrap();
        let world = engine::world(&conn).unwrap();
        let counties = counties_of(0) + counties_of(1);
        assert_eq!(counties, 57);
        assert_eq!(world.tree.in_display_order().len(), 1 + 2 + counties);
        assert_eq!(world.tree.leaves_under(PROVINCE).len(), counties);
        assert_eq!(world.indicators.in_display_order().len(), 30 + REGISTER_INDICATORS.len());
        for mode in [Mode::Ytd, Mode::Quarter, Mode::Stock, Mode::Derived] {
            assert!(INDICATORS.iter().any(|i| i.mode == mode), "{mode:?}");
        }
        let stored_indicators = INDICATORS.iter().filter(|i| i.mode != Mode::Derived).count();
        assert_eq!(stored_indicators, 24);
        let figures = all_figures(&conn);
        assert_eq!((written, figures.len()), (counties * 24 * 2 * 4, counties * 24 * 2 * 4));
        // year-to-date figures never fall within a year
        for w in figures.windows(2) {
            let (a, b) = (&w[0], &w[1]);
            let ytd = INDICATORS.iter().any(|i| i.code == a.1 && i.mode == Mode::Ytd);
            if ytd && (a.0.as_str(), a.1.as_str(), a.2) == (b.0.as_str(), b.1.as_str(), b.2) {
                assert!(b.4 >= a.4, "{a:?} then {b:?}");
            }
        }
        // targets add up exactly at every level
        for code in TARGETED {
            let decimals = world.indicator(code).unwrap().decimals;
            let targets = engine::targets::of_indicator(&conn, code, LAST_YEAR).unwrap();
            let sum = |ids: Vec<&str>| round_to(ids.iter().map(|id| targets[*id].value).sum(), decimals);
            let cities: Vec<String> = (0..SMALL.cities).map(city_id).collect();
            assert_eq!(sum(cities.iter().map(String::as_str).collect()), targets[PROVINCE].value, "{code}");
            for city in &cities {
                let under: Vec<&str> = world.tree.children(city).iter().map(|c| c.as_str()).collect();
                assert_eq!(sum(under), targets[city.as_str()].value, "{code} {city}");
            }
            assert!(targets[PROVINCE].value > 0.0, "{code}");
        }
        // the register: three enterprises a county; the board's counts are the register indicators'
        let registered: i64 = conn.query_row("SELECT count(*) FROM enterprises", [], |r| r.get(0)).unwrap();
        assert_eq!(registered as usize, counties * 3);
        let admin = User { id: 0, name: "t".into(), role: Role::Admin, regions: vec![], departments: vec![] };
        let q4 = Period::Quarter(Quarter::new(LAST_YEAR, 4).unwrap());
        let board = engine::enterprises::three_zeros(&conn, &admin, q4, None).unwrap();
        let observations = world.observations(&conn, &[PROVINCE], &REGISTER_INDICATORS, LAST_YEAR, LAST_YEAR).unwrap();
        let calc = world.calculator(&observations);
        let span = crate::domain::Span::Ytd(Quarter::new(LAST_YEAR, 4).unwrap());
        for (list, code) in board.lists.iter().zip(REGISTER_INDICATORS) {
            let counted = calc.figure(PROVINCE, code, span).value;
            assert_eq!(counted, Some(list.count as f64), "{code}");
            assert_eq!(list.indicator.as_deref(), Some(code));
        }
        assert!(board.lists[0].count > 0 && board.lists[0].count < counties * 3, "{}", board.lists[0].count);

        let assessment = engine::assessments::result(&conn, LAST_YEAR).unwrap();
        assert_eq!(assessment.regions.len(), counties);
        assert!(assessment.regions.iter().all(|r| r.items.len() == 30));
        let vetoed = assessment.regions.iter().find(|r| r.region == county_id(0, 1)).unwrap();
        assert_eq!((vetoed.total, vetoed.grade.as_deref()), (0.0, Some("不合格")));
        for group in ["县（市、区）", "开发区"] {
            let peers: Vec<_> = assessment.regions.iter().filter(|r| r.group.as_deref() == Some(group)).collect();
            assert!(peers.len() > 1, "{group}");
            for r in &peers {
                let ahead = peers.iter().filter(|o| o.total > r.total).count() as u32;
                assert_eq!(r.rank, ahead + 1, "{group} {}", r.region);
            }
        }
    }

    #[test]
    fn the_same_seed_makes_the_same_province() {
        let dir = tempfile::tempdir().unwrap();
        let (a, _) = generated(dir.path(), "a.db");
        let (b, _) = generated(dir.path(), "b.db");
        let (a, b) = (a.get().unwrap(), b.get().unwrap());
        assert_eq!(all_figures(&a), all_figures(&b));
        for code in TARGETED {
            let values = |conn: &Connection| {
                let mut targets: Vec<(String, f64)> = engine::targets::of_indicator(conn, code, LAST_YEAR)
                    .unwrap()
                    .into_values()
                    .map(|t| (t.region, t.value))
                    .collect();
                targets.sort_by(|x, y| x.0.cmp(&y.0));
                targets
            };
            assert_eq!(values(&a), values(&b), "{code}");
        }
        assert_eq!(
            engine::assessments::scheme(&a, LAST_YEAR).unwrap(),
            engine::assessments::scheme(&b, LAST_YEAR).unwrap()
        );
    }
}
