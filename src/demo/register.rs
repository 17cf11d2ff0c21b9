//! The demo's enterprise register (企业库): a few hundred synthetic enterprises of the towns and
//! zones, made deterministically (no randomness: every choice is a hash of the enterprise's serial
//! number), so that the counts the demo typed before the register existed come out of it exactly,
//! and the three zeros (三个零) tell a story a leader can read on the board.
//!
//! - 销售超亿元: per unit and year the fourth-quarter figures the demo typed (district 286 and 300),
//!   of which those with an R&D institution valid in the year (91 and 100): about 2/3 without one.
//!   Some enterprises fall under 100 million in 2023, others pass it in 2023 or in 2024; a few
//!   set up an institution in 2023 or 2024; a few become 高新技术企业 in 2024.
//! - Figures of every quarter from 2022Q1 to 2024Q3: patent applications (year to date) and valid
//!   patents (the level) of every enterprise, invention applications and R&D expenditure (万元, year
//!   to date) of those with an institution or high-tech status.
//! - The three zeros: scale enterprises whose first patent has not been granted, high-tech and
//!   major-project enterprises that have not filed this year. Over 2024 enterprises leave each list
//!   every quarter (a first grant, a first application); a few join (a lapsed patent, a small
//!   enterprise grown into 规模以上), so that each list is shorter in 2024Q3 than in 2024Q1.

use rusqlite::Connection;

use crate::domain::access::User;
use crate::domain::enterprise::Measure;
use crate::domain::enterprise::{CreditCode, EnterpriseDraft, Institution, InstitutionKind, Level, YearAttributes};
use crate::domain::{Period, Quarter};
use crate::engine;
use crate::engine::enterprises::MeasureValue;
use crate::error::{AppError, AppResult};
use crate::store;

/// Per unit (in the order of [`super::UNITS`]): 销售超亿元企业 at the end of 2022 and 2023, and
/// those of them with an R&D institution — the fourth-quarter figures the demo typed before.
pub const LARGE: [(&str, [usize; 2], [usize; 2]); 8] = [
    ("town-jia", [39, 44], [13, 15]),
    ("town-yi", [33, 32], [10, 11]),
    ("town-bing", [25, 28], [8, 9]),
    ("town-ding", [23, 22], [7, 7]),
    ("town-wu", [18, 18], [6, 6]),
    ("town-ji", [14, 16], [4, 5]),
    ("zone-gaoxin", [77, 75], [25, 25]),
    ("zone-jingkai", [57, 65], [18, 22]),
];

/// The years of the register and the quarters with figures.
const YEARS: [i32; 3] = [2022, 2023, 2024];
const LAST: Quarter = match Quarter::new(2024, 3) {
    Some(q) => q,
    None => panic!("a valid quarter"),
};

/// 字号 and trades of the enterprises' names: 甲镇恒通精密机械有限公司.
const BRANDS: [&str; 40] = [
    "恒通", "瑞丰", "华信", "鼎盛", "金达", "宏远", "新源", "天成", "博创", "永泰", "荣昌", "汇德", "盛邦", "嘉禾",
    "联诚", "振宇", "瑞泰", "明扬", "兴隆", "佳源", "创亿", "立新", "东升", "海岚", "金桥", "华盈", "远航", "祥和",
    "德润", "同益", "昌盛", "凯瑞", "弘毅", "中恒", "科瑞", "万晟", "安达", "精诚", "启明", "广源",
];
const TRADES: [&str; 16] = [
    "精密机械",
    "电子科技",
    "新材料",
    "智能装备",
    "生物医药",
    "汽车零部件",
    "光电科技",
    "化工",
    "纺织",
    "食品",
    "环保科技",
    "信息技术",
    "医疗器械",
    "新能源",
    "模具",
    "电气",
];

/// What happens to an enterprise in the story.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// over 100 million in every year
    Stayer,
    /// over 100 million in 2022, under it from 2023
    Dropout,
    /// 规模以上, over 100 million from 2023
    Joiner,
    /// 规模以上, over 100 million from 2024
    Riser,
    /// 规模以上, never over 100 million
    ScaleOnly,
    /// a small high-tech enterprise under 规模以上 (in half the units one grows into it in 2024)
    Small,
}

/// Its valid patents, quarter by quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Patents {
    /// holds some from the start and is granted more
    Holding,
    /// none until the first is granted in that quarter (or not by 2024Q3)
    Zero(Option<Quarter>),
    /// one, which lapses in that quarter (the annual fee unpaid)
    Lapse(Quarter),
}

struct Firm {
    serial: u64,
    draft: EnterpriseDraft,
    code: CreditCode,
    /// a relative size: more applications, patents and R&D
    size: f64,
    patents: Patents,
}

/// A number of `0..modulo` fixed by the enterprise and what is chosen (splitmix64).
fn roll(serial: u64, salt: u64, modulo: u64) -> u64 {
    let mut z = (serial << 8 ^ salt).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) % modulo
}

/// The code of the `serial`-th enterprise: 91 (an enterprise registered by the market regulator),
/// the area 320586, a 组织机构代码 of nine characters (GB 11714: older ones eight digits, those
/// registered since 2015 `MA` and six characters, then its check character), and the check
/// character of GB 32100.
fn credit_code(serial: u64, recent: bool) -> CreditCode {
    const ORG_CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    // multiplying by a number prime to the base scatters the serials and keeps them apart
    let body: Vec<u8> = if recent {
        let mut n = (serial * 7_919_113 + 104_729) % 31u64.pow(6);
        let mut tail = [0u8; 6];
        for c in tail.iter_mut().rev() {
            *c = ORG_CHARS[(n % 31) as usize];
            n /= 31;
        }
        [b"MA".as_slice(), &tail].concat()
    } else {
        format!("7{:07}", (serial * 7_919_113 + 104_729) % 10_000_000).into_bytes()
    };
    let value = |c: u8| if c.is_ascii_digit() { u32::from(c - b'0') } else { u32::from(c - b'A') + 10 };
    let sum: u32 = body.iter().zip([3, 7, 9, 10, 5, 8, 4, 2]).map(|(c, w)| value(*c) * w).sum();
    let org_check = match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        d => char::from_digit(d, 10).expect("a digit"),
    };
    let first17 = format!("91320586{}{org_check}", String::from_utf8(body).expect("ascii"));
    CreditCode::completing(&first17).expect("17 characters of the code's alphabet")
}

fn year(year: i32, scale: bool, high_tech: bool, sales_over_100m: bool, major_project: bool) -> YearAttributes {
    YearAttributes { year, scale, high_tech, sales_over_100m, major_project }
}

fn institution(kind: InstitutionKind, level: Level, since: i32) -> Institution {
    Institution { kind, level, name: Some(format!("{}{}", level.label(), kind.label())), since, until: None }
}

/// The R&D institutions of an enterprise set up in `since`: the largest have 一站两中心.
fn institutions(serial: u64, since: i32, leading: bool) -> Vec<Institution> {
    const LEVELS: [Level; 4] = [Level::Provincial, Level::Municipal, Level::Municipal, Level::District];
    let level = LEVELS[roll(serial, 11, 4) as usize];
    if leading {
        let station =
            if roll(serial, 12, 2) == 0 { InstitutionKind::PostdocStation } else { InstitutionKind::GraduateStation };
        return vec![
            institution(InstitutionKind::TechCenter, Level::Provincial, since),
            institution(InstitutionKind::EngineeringCenter, Level::Municipal, since),
            institution(station, Level::Provincial, (since + 1 + roll(serial, 13, 3) as i32).min(2024)),
        ];
    }
    let kind = match roll(serial, 14, 10) {
        0..=4 => InstitutionKind::TechCenter,
        5..=6 => InstitutionKind::EngineeringCenter,
        7 => InstitutionKind::GraduateStation,
        8 => InstitutionKind::KeyLab,
        _ => InstitutionKind::Other,
    };
    vec![institution(kind, level, since)]
}

/// Every enterprise of the register, unit by unit.
fn firms() -> Vec<Firm> {
    let mut firms = Vec::new();
    for (u, ((id, [l22, l23], [r22, r23]), (_, unit_name, _))) in LARGE.iter().zip(super::UNITS.iter()).enumerate() {
        let (l22, l23, r22, r23) = (*l22, *l23, *r22, *r23);
        let dropouts = 1.max(l22.saturating_sub(l23));
        let stayers = l22 - dropouts;
        let joiners = l23 - stayers;
        // institutions set up in 2024, and enterprises becoming high-tech in 2024
        let new_rd = 1 + l23 / 30;
        let new_high_tech = 1 + (u + 1) % 2;
        let risers = 1 + u % 2;
        let scale_only = l23 * 2 / 5 + 3;
        let mut kinds = Vec::new();
        kinds.extend(std::iter::repeat_n(Kind::Stayer, stayers));
        kinds.extend(std::iter::repeat_n(Kind::Dropout, dropouts));
        kinds.extend(std::iter::repeat_n(Kind::Joiner, joiners));
        kinds.extend(std::iter::repeat_n(Kind::Riser, risers));
        kinds.extend(std::iter::repeat_n(Kind::ScaleOnly, scale_only));
        kinds.extend(std::iter::repeat_n(Kind::Small, 2));
        let zone = id.starts_with("zone");
        let mut lapsed = false;
        let mut high_tech_flips = 0;
        for (i, kind) in kinds.into_iter().enumerate() {
            let serial = (u * 1000 + i) as u64;
            // the stayers come first: their index is their rank among them
            let stayer = i;
            let since = match kind {
                Kind::Stayer if stayer < r22 => Some(2012 + roll(serial, 1, 11) as i32),
                Kind::Stayer if stayer < r23 => Some(2023),
                Kind::Stayer if stayer < r23 + new_rd => Some(2024),
                // a few enterprises under 100 million have a district-level centre: not counted
                Kind::ScaleOnly if roll(serial, 2, 10) == 0 => Some(2018 + roll(serial, 3, 6) as i32),
                _ => None,
            };
            let institutions = match since {
                None => Vec::new(),
                Some(s) if kind == Kind::ScaleOnly => {
                    vec![institution(InstitutionKind::TechCenter, Level::District, s)]
                }
                Some(s) => institutions(serial, s, stayer < 2),
            };
            let has_rd = since.is_some();
            let high_tech_chance = match kind {
                _ if has_rd => 70,
                Kind::ScaleOnly => 20,
                _ if zone => 55,
                _ => 35,
            };
            let high_tech = kind == Kind::Small || roll(serial, 4, 100) < high_tech_chance;
            let major_project = match kind {
                Kind::Stayer | Kind::Joiner => roll(serial, 5, 100) < 13,
                Kind::ScaleOnly => roll(serial, 5, 100) < 5,
                _ => false,
            };
            let becomes_high_tech = kind == Kind::Stayer && !high_tech && high_tech_flips < new_high_tech && i % 3 == 1;
            if becomes_high_tech {
                high_tech_flips += 1;
            }
            // in half the units, a small enterprise grows into 规模以上 in 2024 (with no patent yet)
            let grows = kind == Kind::Small && i % 2 == 0 && u % 2 == 0;
            let years = YEARS
                .iter()
                .map(|&y| {
                    let large = match kind {
                        Kind::Stayer => true,
                        Kind::Dropout => y == 2022,
                        Kind::Joiner => y >= 2023,
                        Kind::Riser => y >= 2024,
                        Kind::ScaleOnly | Kind::Small => false,
                    };
                    let scale = kind != Kind::Small || (grows && y >= 2024);
                    year(y, scale, high_tech || (becomes_high_tech && y >= 2024), large, major_project)
                })
                .collect();
            let patents = match kind {
                Kind::Small if grows => Patents::Zero(LAST.into()),
                Kind::Small => Patents::Holding,
                _ if has_rd && kind != Kind::ScaleOnly => Patents::Holding,
                Kind::ScaleOnly if !lapsed && roll(serial, 6, 100) >= 22 => {
                    lapsed = true;
                    let quarters = [(2024, 2), (2024, 3), (2023, 3)];
                    let (y, q) = quarters[u % 3];
                    Patents::Lapse(Quarter::new(y, q).expect("a valid quarter"))
                }
                _ if roll(serial, 6, 100) < if kind == Kind::ScaleOnly { 22 } else { 12 } => {
                    Patents::Zero(first_grant(serial))
                }
                _ => Patents::Holding,
            };
            let size = match kind {
                Kind::Stayer | Kind::Dropout | Kind::Joiner => {
                    2.0 + roll(serial, 7, 9) as f64 + if has_rd { 4.0 } else { 0.0 }
                }
                Kind::Riser => 2.0,
                Kind::ScaleOnly => 1.0 + roll(serial, 7, 3) as f64,
                Kind::Small => 1.0,
            };
            let brand = BRANDS[i % BRANDS.len()];
            // i and i + 40k differ in trade for k < 16: a unit's names never repeat
            let trade = TRADES[(i / BRANDS.len() + 3 * i + u) % TRADES.len()];
            let form = if kind == Kind::Stayer && i % 5 == 0 { "股份有限公司" } else { "有限公司" };
            let draft = EnterpriseDraft {
                name: format!("{unit_name}{brand}{trade}{form}"),
                region: (*id).to_string(),
                years,
                institutions,
            };
            // the older enterprises carry the old organisation codes
            let recent = matches!(kind, Kind::Joiner | Kind::Riser | Kind::Small) || roll(serial, 8, 3) == 0;
            firms.push(Firm { serial, draft, code: credit_code(serial, recent), size, patents });
        }
    }
    firms
}

/// When a scale enterprise without patents gets its first: in 2022–2023 for a third, in each
/// quarter of 2024 for some, not yet for a fifth.
fn first_grant(serial: u64) -> Option<Quarter> {
    let quarter = |y, q| Quarter::new(y, q);
    match roll(serial, 9, 100) {
        b @ 0..=29 => quarter(2022 + (b % 2) as i32, 2 + (b % 3) as u8),
        30..=45 => quarter(2024, 1),
        46..=62 => quarter(2024, 2),
        63..=79 => quarter(2024, 3),
        _ => None,
    }
}

/// The quarters with figures: 2022Q1 to 2024Q3.
fn quarters() -> Vec<Quarter> {
    YEARS.iter().flat_map(|&y| (1..=4).filter_map(move |q| Quarter::new(y, q))).filter(|q| *q <= LAST).collect()
}

/// The quarter of a year in which an enterprise files its first patent application, if it does
/// by the year's end (2024: by the third quarter): the campaign of 2024 has them file earlier.
fn first_filing(serial: u64, year: i32) -> Option<u8> {
    let b = roll(serial, 20 + year as u64, 100);
    let limits: [u64; 4] = if year >= 2024 { [68, 82, 92, 92] } else { [50, 65, 75, 85] };
    limits.iter().position(|l| b < *l).map(|p| p as u8 + 1)
}

/// The figures of an enterprise in every quarter.
fn figures(firm: &Firm) -> Vec<(Quarter, Vec<MeasureValue>)> {
    use crate::domain::enterprise::Measure;
    let s = firm.serial;
    let has_rd = !firm.draft.institutions.is_empty();
    let high_tech = firm.draft.years.iter().any(|y| y.high_tech);
    let ever_large = firm.draft.years.iter().any(|y| y.sales_over_100m);
    let invention_share = [0.2, 0.3, 0.4, 0.5][roll(s, 30, 4) as usize];
    let rd_annual = |y: i32| firm.size * (80.0 + roll(s, 31, 120) as f64) * (1.0 + 0.08 * f64::from(y - 2022));
    let mut granted = 0.0;
    quarters()
        .into_iter()
        .enumerate()
        .map(|(k, q)| {
            let (y, n) = (q.year(), q.q());
            let growth = 1.0 + 0.1 * f64::from(y - 2022);
            let annual = (firm.size * (0.8 + roll(s, 40 + y as u64, 50) as f64 / 100.0) * growth).round().max(1.0);
            let applications = match first_filing(s, y) {
                Some(f) if n >= f => (annual * f64::from(n - f + 1) / f64::from(5 - f)).ceil(),
                _ => 0.0,
            };
            granted += roll(s, 50 + k as u64, 3) as f64;
            let valid = match firm.patents {
                Patents::Holding => (firm.size * 4.0).round() + roll(s, 60, 6) as f64 + 1.0 + granted,
                Patents::Zero(Some(first)) if q >= first => 1.0 + (granted / 3.0).floor(),
                Patents::Zero(_) => 0.0,
                Patents::Lapse(at) => f64::from(u8::from(q < at)),
            };
            let mut values = vec![
                MeasureValue { measure: Measure::PatentApplications, value: applications },
                MeasureValue { measure: Measure::ValidPatents, value: valid },
            ];
            if has_rd || high_tech {
                let inventions = (applications * invention_share).floor();
                values.push(MeasureValue { measure: Measure::InventionApplications, value: inventions });
            }
            if ever_large && (has_rd || high_tech) {
                let share = [0.2, 0.45, 0.7, 1.0][usize::from(n - 1)];
                values.push(MeasureValue { measure: Measure::RdExpenditure, value: (rd_annual(y) * share).round() });
            }
            (q, values)
        })
        .collect()
}

/// Registers the enterprises and their figures. Like the province's history they are loaded in
/// bulk, straight to the store with one audit entry for them all (each checked as an enterprise
/// sent to the API is); the demo's audit log stays readable and `zhibiao demo` quick.
pub fn load(conn: &Connection, admin: &User) -> AppResult<()> {
    let world = engine::world(conn)?;
    let (mut enterprises, mut figures_written) = (0, 0);
    for firm in firms() {
        let enterprise = firm.draft.clone().check(firm.code.clone(), &world.tree).map_err(AppError::Invalid)?;
        store::enterprises::save(conn, &enterprise)?;
        for (q, values) in figures(&firm) {
            let pairs: Vec<(Measure, f64)> = values.iter().map(|v| (v.measure, v.value)).collect();
            store::enterprises::put_values(conn, firm.code.as_str(), Period::Quarter(q), &pairs)?;
            figures_written += pairs.len();
        }
        enterprises += 1;
    }
    store::audit::record(
        conn,
        &store::audit::AuditRecord {
            at: store::now(),
            user: admin.name.clone(),
            action: "bulk_load".into(),
            entity: "enterprise".into(),
            key: super::DISTRICT.into(),
            region: Some(super::DISTRICT.into()),
            indicator: None,
            period: None,
            old: None,
            new: Some(serde_json::json!({ "enterprises": enterprises, "figures": figures_written })),
            reason: Some("演示企业库（zhibiao demo）".into()),
        },
    )?;
    Ok(())
}
