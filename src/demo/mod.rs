//! The demo database: the plan's real district figures, split synthetically over the
//! towns, zones and quarters so that the district totals are exactly the plan's. Everything is
//! written through the engine, so the demo passes the same checks as any submission. The
//! 销售超亿元 enterprises and the three zeros are counted from a synthetic enterprise register
//! ([`register`]).

pub mod province;
pub mod register;

use rusqlite::Connection;

use crate::domain::access::{Role, User};
use crate::domain::assessment::Scheme;
use crate::domain::enterprise::{Rule, RuleText, ThreeZero};
use crate::domain::rectification::TargetLink;
use crate::domain::split::{from_units, largest_remainder, to_units};
use crate::domain::submission::RawItem;
use crate::domain::target::SplitMethod;
use crate::domain::{
    Direction, Formula, Frequency, Indicator, IndicatorCode, Mode, Quarter, Region, RegionId, RegionKind,
};
use crate::engine;
use crate::engine::targets::SplitRequest;
use crate::error::AppResult;

pub const DISTRICT: &str = "district";

/// (id, name, group) of the reporting regions under the district.
const UNITS: [(&str, &str, &str); 8] = [
    ("town-jia", "甲镇", "镇"),
    ("town-yi", "乙镇", "镇"),
    ("town-bing", "丙镇", "镇"),
    ("town-ding", "丁镇", "镇"),
    ("town-wu", "戊镇", "镇"),
    ("town-ji", "己镇", "镇"),
    ("zone-gaoxin", "高新区", "开发区"),
    ("zone-jingkai", "经开区", "开发区"),
];

const BENCHMARKS: [(&str, &str); 3] = [("kunshan", "昆山市"), ("jiangyin", "江阴市"), ("shenzhen", "深圳市")];

struct Spec {
    code: &'static str,
    name: &'static str,
    unit: &'static str,
    decimals: u8,
    mode: Mode,
    formula: Option<&'static str>,
    /// the conditions of a register indicator's count
    count_where: &'static [&'static str],
}

const fn spec(code: &'static str, name: &'static str, unit: &'static str, decimals: u8, mode: Mode) -> Spec {
    Spec { code, name, unit, decimals, mode, formula: None, count_where: &[] }
}

const INDICATORS: [Spec; 11] = [
    spec("gdp", "地区生产总值", "亿元", 2, Mode::Ytd),
    spec("rd_expenditure", "R&D经费支出", "亿元", 2, Mode::Ytd),
    Spec {
        formula: Some("100 * rd_expenditure / gdp"), ..spec("rd_share", "R&D经费占GDP比重", "%", 2, Mode::Derived)
    },
    spec("patent_applications", "专利申请量", "件", 0, Mode::Ytd),
    spec("invention_applications", "发明专利申请量", "件", 0, Mode::Ytd),
    spec("patent_grants", "专利授权量", "件", 0, Mode::Ytd),
    spec("talents_introduced", "引进高层次人才", "人", 0, Mode::Quarter),
    Spec {
        count_where: &["sales_over_100m"],
        ..spec("large_enterprises", "销售超亿元企业数", "家", 0, Mode::Register)
    },
    Spec {
        count_where: &["sales_over_100m", "has_rd_institution"],
        ..spec("large_enterprises_with_rd", "建有研发机构的销售超亿元企业数", "家", 0, Mode::Register)
    },
    Spec {
        formula: Some("100 * large_enterprises_with_rd / large_enterprises"),
        ..spec("rd_institution_rate", "销售超亿元企业研发机构建有率", "%", 1, Mode::Derived)
    },
    spec("iur_projects", "重大产学研合作项目", "项", 0, Mode::Ytd),
];

/// District annual totals: (code, 2022, 2023). 2023 R&D 18.00 / GDP 1000.00 = 1.8%;
/// patents 3601 and grants 934 are the plan's. The 销售超亿元 enterprises (286 and 300, of which
/// 91 and 100 with an R&D institution: about 2/3 without) are counted from the register.
const DISTRICT_TOTALS: [(&str, f64, f64); 7] = [
    ("gdp", 940.0, 1000.0),
    ("rd_expenditure", 15.98, 18.0),
    ("patent_applications", 3320.0, 3601.0),
    ("invention_applications", 410.0, 468.0),
    ("patent_grants", 868.0, 934.0),
    ("talents_introduced", 158.0, 186.0),
    ("iur_projects", 38.0, 46.0),
];

/// How each unit's share of the district differs by indicator family: economy, innovation.
const WEIGHTS: [[f64; 8]; 2] =
    [[12.0, 10.0, 8.0, 7.0, 6.0, 5.0, 30.0, 22.0], [10.0, 8.0, 6.0, 5.0, 4.0, 3.0, 40.0, 24.0]];

fn weights_for(code: &str, year: i32, unit: usize) -> f64 {
    let family = usize::from(code != "gdp");
    // A small deterministic drift between years, different for each unit.
    let drift = 1.0 + 0.03 * (((unit * 7 + year as usize * 3) % 5) as f64 - 2.0);
    WEIGHTS[family][unit] * drift
}

/// 己镇, whose R&D spending comes early in the year (a large project paid in advance): its own
/// pattern runs ahead of the linear pace, where every other unit's bunches into the fourth quarter.
const FRONT_LOADED: usize = 5;

/// Cumulative share of the year reached by the end of each quarter (ytd) or each quarter's share (quarter).
fn quarter_shares(code: &str, mode: Mode, unit: usize) -> [f64; 4] {
    let wobble = ((unit % 3) as f64 - 1.0) * 0.015;
    match mode {
        Mode::Ytd if code == "rd_expenditure" && unit == FRONT_LOADED => [0.3, 0.56, 0.81, 1.0],
        Mode::Ytd => [0.22 + wobble, 0.47 + wobble, 0.73 - wobble, 1.0],
        // each quarter's own share (talents introduced)
        _ => [0.2 + wobble, 0.25, 0.25 - wobble, 0.3],
    }
}

/// Benchmark annual figures of 2023 as the plan cites them (talents: illustrative).
const BENCHMARK_FIGURES: [(&str, &str, f64, &str); 6] = [
    ("kunshan", "rd_share", 1.9, "昆山市2023年国民经济和社会发展统计公报"),
    ("kunshan", "patent_applications", 9025.0, "昆山市2023年国民经济和社会发展统计公报"),
    ("kunshan", "patent_grants", 3006.0, "昆山市2023年国民经济和社会发展统计公报"),
    ("kunshan", "talents_introduced", 400.0, "示例数据"),
    ("jiangyin", "rd_share", 2.1, "江阴市2023年国民经济和社会发展统计公报"),
    ("shenzhen", "rd_share", 3.3, "深圳市2023年国民经济和社会发展统计公报"),
];

fn id(text: &str) -> RegionId {
    RegionId::parse(text).expect("demo ids are valid")
}

/// An indicator of the demo data: quarterly, reported by every region, never negative, higher
/// is better.
fn quarterly(code: &str, name: &str, unit: &str, decimals: u8, mode: Mode, formula: Option<&str>) -> Indicator {
    Indicator {
        code: IndicatorCode::parse(code).expect("demo codes are valid"),
        name: name.into(),
        unit: unit.into(),
        decimals,
        direction: Direction::Higher,
        mode,
        formula: formula.map(|f| Formula::parse(f).expect("demo formulas parse")),
        allow_negative: false,
        sort: 0,
        frequency: Frequency::Quarterly,
        regions: None,
        rule: None,
    }
}

/// The indicator of a spec; a register indicator counts the enterprises that meet its conditions.
fn of_spec(spec: &Spec) -> Indicator {
    let rule = (!spec.count_where.is_empty()).then(|| {
        let conditions = spec.count_where.iter().map(|c| c.to_string()).collect();
        Rule::parse(&RuleText { count: Some(true), sum: None, conditions }).expect("demo rules parse")
    });
    Indicator { rule, ..quarterly(spec.code, spec.name, spec.unit, spec.decimals, spec.mode, spec.formula) }
}

/// The three zeros the plan vows to wipe out, counted from the register: fewer is better, and
/// the 2024 target is none, for the district and for every town and zone.
fn load_three_zeros(conn: &Connection, admin: &User, sort: i64) -> AppResult<()> {
    for (i, list) in ThreeZero::ALL.iter().enumerate() {
        let indicator = Indicator {
            direction: Direction::Lower,
            rule: Some(list.rule()),
            sort: sort + i as i64,
            ..quarterly(list.as_str(), list.label(), "家", 0, Mode::Register, None)
        };
        engine::indicators::create(conn, admin, indicator)?;
    }
    register::load(conn, admin)?;
    for list in ThreeZero::ALL {
        let request = SplitRequest {
            parent: DISTRICT,
            indicator: list.as_str(),
            year: 2024,
            total: Some(0.0),
            method: SplitMethod::Equal,
            base_year: None,
            weights: None,
        };
        engine::targets::decompose(conn, admin, &request)?;
    }
    Ok(())
}

/// Each unit's annual figure of one indicator and year, in units of its last decimal, so that they add
/// up to the district's `total` exactly.
fn unit_annuals(code: &str, decimals: u8, year: i32, total: f64) -> Vec<i64> {
    let keys: Vec<&str> = UNITS.iter().map(|u| u.0).collect();
    let weights: Vec<f64> = (0..UNITS.len()).map(|u| weights_for(code, year, u)).collect();
    largest_remainder(to_units(total, decimals).expect("demo totals are small"), &weights, &keys)
        .expect("positive weights")
}

/// A unit's four quarters of an annual figure (in units of the last decimal), as submitted: year to
/// date for a flow, each quarter's own for a quarterly count.
fn unit_quarters(code: &str, mode: Mode, decimals: u8, unit: usize, annual: i64) -> [f64; 4] {
    let shares = quarter_shares(code, mode, unit);
    match mode {
        Mode::Quarter => {
            let parts = largest_remainder(annual, &shares, &["1", "2", "3", "4"]).expect("positive shares");
            [0, 1, 2, 3].map(|q| from_units(parts[q], decimals))
        }
        _ => shares.map(|s| from_units((annual as f64 * s).round() as i64, decimals)),
    }
}

/// The figures of every unit for one indicator and year: `[unit][quarter]`, as submitted.
fn unit_figures(code: &str, mode: Mode, decimals: u8, year: i32, total: f64) -> Vec<[f64; 4]> {
    let annuals = unit_annuals(code, decimals, year, total);
    annuals.iter().enumerate().map(|(u, &annual)| unit_quarters(code, mode, decimals, u, annual)).collect()
}

/// 2024 so far (Q1–Q3), each unit's year growing from its 2023 figures in its own seasonal pattern. The
/// R&D figures tell the projection's story (SPEC §13) against the 2024 targets: 丙镇 is behind the linear
/// pace after three quarters but, its spending bunched into the fourth quarter as every year, projected to
/// reach its target; 己镇 is ahead of the pace but, its spending front-loaded, projected to miss.
fn growth_2024(code: &str, unit: usize) -> f64 {
    const RD_TARGET_GROWTH: f64 = 20.5 / 18.0;
    match (code, unit) {
        ("rd_expenditure", 2) => RD_TARGET_GROWTH * 1.02,
        ("rd_expenditure", FRONT_LOADED) => RD_TARGET_GROWTH * 0.96,
        ("rd_expenditure", _) => RD_TARGET_GROWTH * (1.04 + 0.01 * (unit % 4) as f64),
        _ => 1.04 + 0.01 * (unit % 3) as f64,
    }
}

/// The plan's 2023 targets for the district, each split among the towns and zones in proportion
/// to their 2022 figures: R&D 19亿元, 2200 patent applications of which 500 for inventions,
/// 50 major industry–university–research projects.
const TARGETS_2023: [(&str, f64); 4] = [
    ("rd_expenditure", 19.0),
    ("patent_applications", 2200.0),
    ("invention_applications", 500.0),
    ("iur_projects", 50.0),
];

/// The 2024 targets, split in proportion to 2023 (R&D 20.5亿元 of [`growth_2024`]).
const TARGETS_2024: [(&str, f64); 4] = [
    ("rd_expenditure", 20.5),
    ("patent_applications", 3800.0),
    ("invention_applications", 500.0),
    ("iur_projects", 52.0),
];

fn load_targets_and_scheme(conn: &Connection, admin: &User) -> AppResult<()> {
    for (year, targets) in [(2023, TARGETS_2023), (2024, TARGETS_2024)] {
        for (indicator, total) in targets {
            let request = SplitRequest {
                parent: DISTRICT,
                indicator,
                year,
                total: Some(total),
                method: SplitMethod::Proportional,
                base_year: Some(year - 1),
                weights: None,
            };
            engine::targets::decompose(conn, admin, &request)?;
        }
    }
    let scheme: Scheme = serde_json::from_value(serde_json::json!({
        "parent": DISTRICT,
        "rank_within_group": false,
        "items": [
            {"indicator": "rd_expenditure", "weight": 40, "method": "ratio", "cap": 1.2, "floor": 0.6},
            {"indicator": "patent_applications", "weight": 25, "method": "stepped", "reference": "average",
             "base": 0.8, "step_pct": 5, "step_points": 0.5, "cap": 1.2},
            {"indicator": "invention_applications", "weight": 15, "method": "stepped"},
            {"indicator": "iur_projects", "weight": 20, "method": "rank"}
        ],
        "grades": [{"name": "优秀", "min": 90}, {"name": "良好", "min": 80},
                   {"name": "合格", "min": 60}, {"name": "不合格", "min": 0}],
        "adjustments": [{"region": "zone-gaoxin", "points": 2, "reason": "获批省级创新平台"}],
        "vetoes": []
    }))
    .expect("the demo scheme is well-formed");
    engine::assessments::set_scheme(conn, admin, 2023, scheme)?;
    Ok(())
}

/// True when the database holds no regions yet.
pub fn is_empty(conn: &Connection) -> AppResult<bool> {
    Ok(crate::store::regions::all(conn)?.is_empty())
}

/// Loads the demo into `conn` (expected empty), in the caller's transaction.
pub fn load(conn: &Connection) -> AppResult<()> {
    let admin = User { id: 0, name: "demo".into(), role: Role::Admin, regions: vec![], departments: vec![] };
    let region = |rid: &str, name: &str, kind, parent: Option<&str>, group: Option<&str>, sort| Region {
        id: id(rid),
        name: name.into(),
        kind,
        parent: parent.map(id),
        group: group.map(str::to_string),
        sort,
        iso3: None,
    };
    engine::regions::create(conn, &admin, region(DISTRICT, "全区", RegionKind::District, None, None, 0))?;
    for (i, (rid, name, group)) in UNITS.iter().enumerate() {
        let kind = if rid.starts_with("zone") { RegionKind::Zone } else { RegionKind::Town };
        engine::regions::create(conn, &admin, region(rid, name, kind, Some(DISTRICT), Some(group), i as i64 + 1))?;
    }
    for (i, (rid, name)) in BENCHMARKS.iter().enumerate() {
        engine::regions::create(conn, &admin, region(rid, name, RegionKind::Benchmark, None, None, i as i64 + 1))?;
    }
    for (i, spec) in INDICATORS.iter().enumerate() {
        engine::indicators::create(conn, &admin, Indicator { sort: i as i64 + 1, ..of_spec(spec) })?;
    }
    load_three_zeros(conn, &admin, INDICATORS.len() as i64 + 1)?;
    let current = engine::current_quarter();
    let submit = |u: usize, quarter: Quarter, per_indicator: &[(&str, Vec<[f64; 4]>)]| {
        let items: Vec<RawItem> = per_indicator
            .iter()
            .map(|(c, figures)| RawItem {
                indicator: c,
                value: figures[u][usize::from(quarter.q() - 1)],
                comment: None,
            })
            .collect();
        engine::values::submit(conn, &admin, UNITS[u].0, &quarter.to_string(), &items, None, current)
    };
    for (year, column) in [(2022, 1), (2023, 2)] {
        let per_indicator: Vec<(&str, Vec<[f64; 4]>)> = DISTRICT_TOTALS
            .iter()
            .map(|(c, y22, y23)| {
                let spec = INDICATORS.iter().find(|i| i.code == *c).expect("listed");
                let total = if column == 1 { *y22 } else { *y23 };
                (*c, unit_figures(c, spec.mode, spec.decimals, year, total))
            })
            .collect();
        for u in 0..UNITS.len() {
            for q in 1..=4u8 {
                submit(u, Quarter::new(year, q).expect("valid quarter"), &per_indicator)?;
            }
        }
    }
    let per_indicator: Vec<(&str, Vec<[f64; 4]>)> = DISTRICT_TOTALS
        .iter()
        .map(|(c, _, y23)| {
            let spec = INDICATORS.iter().find(|i| i.code == *c).expect("listed");
            let figures = unit_annuals(c, spec.decimals, 2023, *y23)
                .iter()
                .enumerate()
                .map(|(u, &annual)| {
                    let grown = (annual as f64 * growth_2024(c, u)).round() as i64;
                    unit_quarters(c, spec.mode, spec.decimals, u, grown)
                })
                .collect();
            (*c, figures)
        })
        .collect();
    for u in 0..UNITS.len() {
        for q in 1..=3u8 {
            submit(u, Quarter::new(2024, q).expect("valid quarter"), &per_indicator)?;
        }
    }
    load_targets_and_scheme(conn, &admin)?;
    for (rid, c, value, source) in BENCHMARK_FIGURES.iter() {
        let item = RawItem { indicator: c, value: *value, comment: Some(source) };
        engine::values::submit(conn, &admin, rid, "2023", &[item], None, current)?;
    }
    load_rectification(conn, &admin)?;
    Ok(())
}

/// The demo plan's id, and the day its lights are designed for: on [`LIGHTS_DAY`] the eight
/// tasks show every colour (3 green, 2 blue, 2 yellow, 1 red) and the red one (深化产学研合作…)
/// has the open order 督办〔2023〕1号. Ask `GET /api/v1/tasks?on=2023-12-20`.
pub const PLAN: &str = "xuncha-2023";
pub const LIGHTS_DAY: &str = "2023-12-20";

/// The officer of 高新技术科 who files that department's progress reports (`serve --demo` gives
/// this user a login).
pub const OFFICER: (&str, &str) = ("gao", "高新技术科");

const DEPARTMENTS: [&str; 4] = ["局办公室", "高新技术科", "科技管理科", "农业与社会发展科"];

/// The story of each task of the plan (in the plan's order): the targets it must move (district,
/// 2023), the quarters reported and the day each was filed, and the day it was done.
struct TaskStory {
    targets: &'static [&'static str],
    reports: &'static [(&'static str, &'static str)],
    done: Option<&'static str>,
}

const Q1: (&str, &str) = ("2023Q1", "2023-04-10");
const Q2: (&str, &str) = ("2023Q2", "2023-07-12");
const Q3: (&str, &str) = ("2023Q3", "2023-10-11");
const Q4: (&str, &str) = ("2023Q4", "2024-01-10");

/// On 2023-12-20 (the third quarter's report due by 15 October, the deadline 2023.12 eleven days
/// away): 1 blue (deadline near; done on 28 December), 2 yellow (the R&D target behind after three
/// quarters), 3 green (done on 20 November; its invention target behind), 4 red (the 产学研 target
/// at risk: the order), 5 yellow (the third quarter not reported), 6 blue (deadline near),
/// 7 green (on schedule), 8 green (done on 15 December).
const STORIES: [TaskStory; 8] = [
    TaskStory { targets: &[], reports: &[Q1, Q2, Q3], done: Some("2023-12-28") },
    TaskStory { targets: &["rd_expenditure"], reports: &[Q1, Q2, Q3, Q4], done: None },
    TaskStory {
        targets: &["patent_applications", "invention_applications"],
        reports: &[Q1, Q2, Q3],
        done: Some("2023-11-20"),
    },
    TaskStory { targets: &["iur_projects"], reports: &[Q1, Q2, Q3, Q4], done: None },
    TaskStory { targets: &[], reports: &[Q1, Q2], done: None },
    TaskStory { targets: &[], reports: &[Q1, Q2, Q3], done: None },
    TaskStory { targets: &[], reports: &[Q1, Q2, Q3, Q4], done: None },
    TaskStory { targets: &[], reports: &[Q1, Q2, Q3], done: Some("2023-12-15") },
];

/// What a quarter's report says.
fn report_text(quarter: &str, title: &str) -> String {
    let q = quarter.parse::<Quarter>().expect("demo quarters are valid");
    format!("{}，“{}”各项措施按计划推进，已召开专题推进会，形成工作台账。", q.label(), title)
}

/// The plan in the bureau's words (`plan.txt`), imported as the API imports it, linked to the
/// 2023 targets, with its 2023 progress reports, completions and the supervision run of
/// [`LIGHTS_DAY`]. The engine stamps what it writes with today; the demo's story happened in
/// 2023, so its days (the plan imported on 1 March 2023, each report's filing day, the days
/// done, the order's issue) are then set to the story's.
fn load_rectification(conn: &Connection, admin: &User) -> AppResult<()> {
    for (i, d) in DEPARTMENTS.iter().enumerate() {
        engine::departments::add(conn, admin, d, Some(i as i64 + 1))?;
    }
    let plan = engine::plans::Plan {
        id: PLAN.into(), title: "区科技局巡察反馈问题整改工作方案".into(), year: 2023
    };
    match engine::plans::import(conn, admin, plan, include_str!("plan.txt"), false)? {
        engine::plans::ImportOutcome::Read(_) => {}
        engine::plans::ImportOutcome::Errors(errors) => {
            return Err(crate::error::AppError::Internal(format!("the demo plan does not read: {errors:?}")));
        }
    }
    conn.execute("UPDATE tasks SET created_at = '2023-03-01T01:00:00.000Z'", [])?;
    let officer = User {
        id: 0,
        name: OFFICER.0.into(),
        role: Role::Officer,
        regions: vec![],
        departments: vec![OFFICER.1.into()],
    };
    let current = engine::current_quarter();
    let tasks: Vec<engine::plans::Task> =
        engine::plans::get(conn, PLAN)?.problems.into_iter().flat_map(|p| p.tasks).collect();
    assert_eq!(tasks.len(), STORIES.len(), "the demo plan has a story for every task");
    for (task, story) in tasks.into_iter().zip(STORIES.iter()) {
        let targets: Vec<TargetLink> = story
            .targets
            .iter()
            .map(|i| TargetLink { region: DISTRICT.into(), indicator: (*i).into(), year: 2023 })
            .collect();
        if !targets.is_empty() {
            let draft = engine::plans::TaskDraft {
                problem: Some(task.problem),
                seq: Some(task.seq),
                title: task.title.clone(),
                measures: task.measures.clone(),
                leaders: task.leaders.clone(),
                departments: task.departments.clone(),
                persons: task.persons.clone(),
                deadline: task.deadline,
                targets,
            };
            engine::plans::update_task(conn, admin, task.id, draft)?;
        }
        // the lead department's officer files its reports; the bureau's office (an admin) the others'
        let by = if officer.may_act_for(&task.departments) { &officer } else { admin };
        for (quarter, filed) in story.reports {
            let q = quarter.parse::<Quarter>().expect("demo quarters are valid");
            engine::plans::report(conn, by, task.id, q, current, &report_text(quarter, &task.title), None)?;
            conn.execute(
                "UPDATE progress_reports SET at = ?1 WHERE task = ?2 AND year = ?3 AND quarter = ?4",
                rusqlite::params![format!("{filed}T02:00:00.000Z"), task.id, q.year(), q.q()],
            )?;
        }
        if let Some(day) = story.done {
            engine::plans::done(conn, admin, task.id, &format!("“{}”各项措施已落实，申请办结。", task.title))?;
            conn.execute("UPDATE tasks SET done_at = ?1 WHERE id = ?2", rusqlite::params![day, task.id])?;
        }
    }
    let day = crate::domain::period::Day::parse(LIGHTS_DAY).expect("a valid day").0;
    engine::supervision::run(conn, admin, day)?;
    conn.execute("UPDATE orders SET issued_at = ?1", [format!("{LIGHTS_DAY}T01:00:00.000Z")])?;
    Ok(())
}
