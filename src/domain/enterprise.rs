//! The enterprise register (企业库): the 统一社会信用代码 and its check character, an enterprise's
//! yearly attributes and R&D institutions, its figures, and the rules of register indicators —
//! counts and sums over a region's enterprises that hold a list of conditions in a period.
//!
//! - A year without attributes takes those of the latest earlier year; before the first, none hold.
//! - An institution counts in a year from `since` to `until` (both included; no `until`: still).
//! - `zero:MEASURE` holds when the measure's value for the period (year to date for flows, the level
//!   for stocks) is 0 or not recorded; `not:FLAG` when the flag does not hold.
//! - `has_rd_institution:LEVEL` holds for an institution at that level or above.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::ids::RegionId;
use super::period::Period;

// ---------------------------------------------------------------------------------------------
// 统一社会信用代码 (GB 32100)

/// The 31 characters of a code, each worth its index: no I, O, S, V, Z.
const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// A 统一社会信用代码 whose check character is right, upper case.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, utoipa::ToSchema)]
#[schema(value_type = String, example = "91350100M000100Y43", pattern = "^[0-9A-HJ-NP-RTUW-Ya-hj-np-rtuw-y]{18}$")]
pub struct CreditCode(String);

impl CreditCode {
    pub const PATTERN: &'static str = "^[0-9A-HJ-NP-RTUW-Ya-hj-np-rtuw-y]{18}$";

    /// The code, upper-cased and checked; the error says what is wrong, in Chinese.
    pub fn parse(text: &str) -> Result<CreditCode, String> {
        let code = text.trim().to_ascii_uppercase();
        let count = code.chars().count();
        if count != 18 {
            return Err(format!("统一社会信用代码应为18位，“{}”为{count}位", cut(text)));
        }
        let values: Vec<u32> = code
            .chars()
            .map(|c| ALPHABET.find(c).map(|i| i as u32))
            .collect::<Option<_>>()
            .ok_or_else(|| format!("统一社会信用代码“{code}”含有不允许的字符（不使用 I、O、S、V、Z）"))?;
        let check = check_value(&values[..17]);
        if values[17] != check {
            let want = ALPHABET.as_bytes()[check as usize] as char;
            return Err(format!("统一社会信用代码“{code}”的校验码不对（按前17位应为{want}），请核对"));
        }
        Ok(CreditCode(code))
    }

    /// The code made of `first17` (17 characters of the alphabet) and its check character; none
    /// when `first17` is not such. For generated registers (the demo, the benchmarks).
    pub fn completing(first17: &str) -> Option<CreditCode> {
        let values: Vec<u32> = first17.chars().map(|c| ALPHABET.find(c).map(|i| i as u32)).collect::<Option<_>>()?;
        if values.len() != 17 {
            return None;
        }
        let check = ALPHABET.as_bytes()[check_value(&values) as usize] as char;
        CreditCode::parse(&format!("{first17}{check}")).ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The check character's value for the values of the first 17: 31 − (Σ value × weight mod 31),
/// with 31 written 0.
fn check_value(first17: &[u32]) -> u32 {
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    (31 - sum % 31) % 31
}

fn cut(text: &str) -> String {
    let cut: String = text.chars().take(24).collect();
    if cut.len() < text.len() { format!("{cut}…") } else { cut }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for CreditCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        CreditCode::parse(&text).map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------------------------------------
// Attributes, institutions, measures

/// What the register knows of an enterprise in a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct YearAttributes {
    #[schema(minimum = 1900, maximum = 2200, example = 2024)]
    pub year: i32,
    /// 规模以上
    pub scale: bool,
    /// 高新技术企业
    pub high_tech: bool,
    /// 销售超亿元
    pub sales_over_100m: bool,
    /// 重大项目企业
    pub major_project: bool,
}

macro_rules! named_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $code:literal / $label:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(text: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str() == text || v.label() == text)
            }
        }
    };
}

named_enum! {
    /// Kinds of R&D institutions; 一站两中心 is a station, a 企业技术中心 and a 工程技术研究中心.
    InstitutionKind {
        TechCenter = "tech_center" / "企业技术中心",
        EngineeringCenter = "engineering_center" / "工程技术研究中心",
        GraduateStation = "graduate_station" / "研究生工作站",
        PostdocStation = "postdoc_station" / "博士后工作站",
        AcademicianStation = "academician_station" / "院士工作站",
        KeyLab = "key_lab" / "重点实验室",
        Other = "other" / "其他研发机构",
    }
}

named_enum! {
    /// Levels of an institution, highest first: `has_rd_institution:provincial` holds for national too.
    Level {
        National = "national" / "国家级",
        Provincial = "provincial" / "省级",
        Municipal = "municipal" / "市级",
        District = "district" / "区级",
    }
}

named_enum! {
    /// An enterprise's figures: flows year to date, stocks at the period's end.
    Measure {
        PatentApplications = "patent_applications" / "专利申请量",
        InventionApplications = "invention_applications" / "发明专利申请量",
        PatentGrants = "patent_grants" / "专利授权量",
        RdExpenditure = "rd_expenditure" / "R&D经费支出",
        Sales = "sales" / "销售收入",
        ValidPatents = "valid_patents" / "有效专利数",
        ValidInventionPatents = "valid_invention_patents" / "有效发明专利数",
    }
}

impl Measure {
    /// A level at the period's end (有效专利), not an amount accumulated over the year.
    pub fn is_stock(self) -> bool {
        matches!(self, Measure::ValidPatents | Measure::ValidInventionPatents)
    }

    /// Counted in pieces (件): patents, not money.
    pub fn is_count(self) -> bool {
        !matches!(self, Measure::RdExpenditure | Measure::Sales)
    }

    /// May `value` be this measure's figure? Not negative, within the magnitude of any statistic,
    /// whole for counts.
    pub fn check(self, value: f64) -> Result<(), String> {
        if !value.is_finite() || value < 0.0 {
            Err(format!("{}不能为负数", self.label()))
        } else if value > super::indicator::MAX_MAGNITUDE {
            Err(format!("{}过大，请核对单位", self.label()))
        } else if self.is_count() && value.fract() != 0.0 {
            Err(format!("{}应为整数", self.label()))
        } else {
            Ok(())
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Institution {
    pub kind: InstitutionKind,
    pub level: Level,
    /// at most 100 characters
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 100, example = "省级企业技术中心")]
    pub name: Option<String>,
    /// the first year it counts
    #[schema(minimum = 1900, maximum = 2200, example = 2021)]
    pub since: i32,
    /// the last year it counts, not before `since`; none while it stands
    #[serde(default)]
    #[schema(minimum = 1900, maximum = 2200)]
    pub until: Option<i32>,
}

impl Institution {
    /// 省级企业技术中心（2020年起）, 某某研究院（国家级重点实验室，2018—2022年）
    pub fn label(&self) -> String {
        let span = match self.until {
            Some(u) if u == self.since => format!("{u}年"),
            Some(u) => format!("{}—{u}年", self.since),
            None => format!("{}年起", self.since),
        };
        let kind = format!("{}{}", self.level.label(), self.kind.label());
        match &self.name {
            Some(name) if *name != kind => format!("{name}（{kind}，{span}）"),
            _ => format!("{kind}（{span}）"),
        }
    }

    pub fn valid_in(&self, year: i32) -> bool {
        self.since <= year && self.until.is_none_or(|u| year <= u)
    }
}

/// An enterprise as registered: `region` is a reporting region.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Enterprise {
    pub code: CreditCode,
    #[schema(example = "苏州某某科技有限公司")]
    pub name: String,
    #[schema(value_type = String, example = "town-jia")]
    pub region: RegionId,
    /// by year
    pub years: Vec<YearAttributes>,
    pub institutions: Vec<Institution>,
}

/// The longest enterprise or institution name (a registered name is at most 100 characters).
pub const MAX_NAME_CHARS: usize = 100;
/// An enterprise lists at most this many years and institutions.
pub const MAX_YEARS: usize = 100;
pub const MAX_INSTITUTIONS: usize = 50;

/// An enterprise as a client sends it, to be checked.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnterpriseDraft {
    /// 1 to 100 characters
    #[schema(min_length = 1, max_length = 100, pattern = r"[^\s\u0085]", example = "苏州某某科技有限公司")]
    pub name: String,
    /// the reporting region (town) it belongs to
    #[schema(example = "town-jia")]
    pub region: String,
    #[serde(default)]
    pub years: Vec<YearAttributes>,
    #[serde(default)]
    pub institutions: Vec<Institution>,
}

impl EnterpriseDraft {
    /// The enterprise, or every problem with a field: a name, a reporting region of `tree`, years
    /// of 1900–2200 each once, institutions from `since` to `until` (not before).
    pub fn check(self, code: CreditCode, tree: &super::RegionTree) -> Result<Enterprise, Vec<super::FieldError>> {
        use super::FieldError;
        let mut errors = Vec::new();
        let name = super::text::name(&self.name, MAX_NAME_CHARS)
            .map_err(|e| errors.push(FieldError::new("name", format!("企业{e}"))))
            .unwrap_or_default();
        let region = match tree.get(self.region.trim()) {
            None => {
                errors.push(FieldError::new("region", format!("地区“{}”不存在", cut(&self.region))));
                None
            }
            Some(r) if tree.reporting(r).is_err() => {
                errors
                    .push(FieldError::new("region", format!("“{}”不是报送地区，企业应登记在镇（街道、园区）", r.name)));
                None
            }
            Some(r) => Some(r.id.clone()),
        };
        if self.years.len() > MAX_YEARS {
            errors.push(FieldError::new("years", format!("年度最多 {MAX_YEARS} 个")));
        }
        let mut years = self.years;
        for (i, y) in years.iter().enumerate() {
            if !(1900..=2200).contains(&y.year) {
                errors.push(FieldError::new(format!("years[{i}].year"), "年度应在 1900 到 2200 之间"));
            } else if years[..i].iter().any(|o| o.year == y.year) {
                errors.push(FieldError::new(format!("years[{i}].year"), format!("{}年重复", y.year)));
            }
        }
        years.sort_by_key(|y| y.year);
        if self.institutions.len() > MAX_INSTITUTIONS {
            errors.push(FieldError::new("institutions", format!("研发机构最多 {MAX_INSTITUTIONS} 个")));
        }
        let mut institutions = self.institutions;
        for (i, inst) in institutions.iter_mut().enumerate() {
            if !(1900..=2200).contains(&inst.since) {
                errors.push(FieldError::new(format!("institutions[{i}].since"), "起始年度应在 1900 到 2200 之间"));
            }
            if let Some(until) = inst.until
                && !(inst.since..=2200).contains(&until)
            {
                errors.push(FieldError::new(format!("institutions[{i}].until"), "截止年度不能早于起始年度"));
            }
            match inst.name.as_deref().map(|n| (super::text::visible(n), n)) {
                Some((None, _)) => inst.name = None,
                Some((Some(n), _)) if n.chars().count() > MAX_NAME_CHARS => errors.push(FieldError::new(
                    format!("institutions[{i}].name"),
                    format!("名称最多 {MAX_NAME_CHARS} 个字"),
                )),
                Some((Some(n), _)) => inst.name = Some(n.to_string()),
                None => {}
            }
        }
        match region {
            Some(region) if errors.is_empty() => Ok(Enterprise { code, name, region, years, institutions }),
            _ => Err(errors),
        }
    }
}

impl Enterprise {
    /// The attributes of `year`: its own, else the latest earlier year's; none before the first.
    pub fn attributes(&self, year: i32) -> Option<&YearAttributes> {
        self.years.iter().filter(|a| a.year <= year).max_by_key(|a| a.year)
    }

    /// Has an institution valid in `year` at `level` or above (any level when none).
    pub fn has_institution(&self, year: i32, level: Option<Level>) -> bool {
        self.institutions.iter().any(|i| i.valid_in(year) && level.is_none_or(|l| i.level <= l))
    }
}

// ---------------------------------------------------------------------------------------------
// Register rules

/// A condition of a register rule, as written: `scale`, `not:high_tech`, `zero:patent_applications`,
/// `has_rd_institution:provincial`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flag {
    Scale,
    HighTech,
    SalesOver100m,
    MajorProject,
    HasRdInstitution(Option<Level>),
    Zero(Measure),
    Not(Box<Flag>),
}

impl FromStr for Flag {
    type Err = String;

    fn from_str(text: &str) -> Result<Flag, String> {
        let text = text.trim();
        let unknown = || {
            format!(
                "“{}”不是企业条件（可用 scale、high_tech、sales_over_100m、major_project、has_rd_institution[:级别]、zero:指标、not:条件）",
                cut(text)
            )
        };
        if let Some(rest) = text.strip_prefix("not:") {
            return Ok(Flag::Not(Box::new(rest.parse()?)));
        }
        if let Some(rest) = text.strip_prefix("zero:") {
            return Measure::ALL
                .iter()
                .find(|m| m.as_str() == rest)
                .map(|m| Flag::Zero(*m))
                .ok_or_else(|| format!("“{}”不是企业指标（可用 {}）", cut(rest), measure_list()));
        }
        if let Some(rest) = text.strip_prefix("has_rd_institution:") {
            return Level::ALL
                .iter()
                .find(|l| l.as_str() == rest)
                .map(|l| Flag::HasRdInstitution(Some(*l)))
                .ok_or_else(|| {
                    format!("“{}”不是研发机构级别（national、provincial、municipal、district）", cut(rest))
                });
        }
        match text {
            "scale" => Ok(Flag::Scale),
            "high_tech" => Ok(Flag::HighTech),
            "sales_over_100m" => Ok(Flag::SalesOver100m),
            "major_project" => Ok(Flag::MajorProject),
            "has_rd_institution" => Ok(Flag::HasRdInstitution(None)),
            _ => Err(unknown()),
        }
    }
}

fn measure_list() -> String {
    Measure::ALL.iter().map(|m| m.as_str()).collect::<Vec<_>>().join("、")
}

impl fmt::Display for Flag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Flag::Scale => f.write_str("scale"),
            Flag::HighTech => f.write_str("high_tech"),
            Flag::SalesOver100m => f.write_str("sales_over_100m"),
            Flag::MajorProject => f.write_str("major_project"),
            Flag::HasRdInstitution(None) => f.write_str("has_rd_institution"),
            Flag::HasRdInstitution(Some(l)) => write!(f, "has_rd_institution:{}", l.as_str()),
            Flag::Zero(m) => write!(f, "zero:{}", m.as_str()),
            Flag::Not(inner) => write!(f, "not:{inner}"),
        }
    }
}

impl Flag {
    /// The condition in words: 规模以上, 有省级及以上研发机构, 有效专利数为零, 非高新技术企业.
    pub fn label(&self) -> String {
        match self {
            Flag::Scale => "规模以上".into(),
            Flag::HighTech => "高新技术企业".into(),
            Flag::SalesOver100m => "销售超亿元".into(),
            Flag::MajorProject => "重大项目企业".into(),
            Flag::HasRdInstitution(None) => "有研发机构".into(),
            Flag::HasRdInstitution(Some(Level::National)) => "有国家级研发机构".into(),
            Flag::HasRdInstitution(Some(l)) => format!("有{}及以上研发机构", l.label()),
            Flag::Zero(m) => format!("{}为零", m.label()),
            Flag::Not(inner) => format!("非“{}”", inner.label()),
        }
    }

    /// Whether the flag holds for an enterprise in the period's year, with its figures of the period.
    pub fn holds(&self, enterprise: &Enterprise, year: i32, figures: &Figures) -> bool {
        let attributes = enterprise.attributes(year);
        let attribute = |pick: fn(&YearAttributes) -> bool| attributes.is_some_and(pick);
        match self {
            Flag::Scale => attribute(|a| a.scale),
            Flag::HighTech => attribute(|a| a.high_tech),
            Flag::SalesOver100m => attribute(|a| a.sales_over_100m),
            Flag::MajorProject => attribute(|a| a.major_project),
            Flag::HasRdInstitution(level) => enterprise.has_institution(year, *level),
            Flag::Zero(m) => figures.get(m).is_none_or(|v| *v == 0.0),
            Flag::Not(inner) => !inner.holds(enterprise, year, figures),
        }
    }

    /// The measures whose figures the flag reads.
    fn measures(&self, out: &mut Vec<Measure>) {
        match self {
            Flag::Zero(m) if !out.contains(m) => out.push(*m),
            Flag::Not(inner) => inner.measures(out),
            _ => {}
        }
    }
}

/// An enterprise's figures for one period: year to date for flows, the level for stocks.
pub type Figures = BTreeMap<Measure, f64>;

/// What a register indicator adds up over the enterprises that meet its conditions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Aggregate {
    Count,
    Sum(Measure),
}

/// A register indicator's rule: `{"count": true, "where": ["high_tech", "zero:patent_applications"]}`
/// or `{"sum": "rd_expenditure", "where": ["scale"]}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub aggregate: Aggregate,
    pub conditions: Vec<Flag>,
}

/// The rule as JSON, as the API and the indicators table hold it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleText {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "rd_expenditure")]
    pub sum: Option<String>,
    #[serde(default, rename = "where")]
    #[schema(example = json!(["high_tech", "zero:patent_applications"]))]
    pub conditions: Vec<String>,
}

/// At most this many conditions in a rule: more is a mistake, not a definition.
pub const MAX_CONDITIONS: usize = 12;

impl Rule {
    /// The rule of its JSON form; the error names the part (`count`, `sum`, `where[1]`).
    pub fn parse(text: &RuleText) -> Result<Rule, (String, String)> {
        let aggregate = match (text.count, text.sum.as_deref()) {
            (Some(true), None) => Aggregate::Count,
            (None | Some(false), Some(sum)) => {
                Aggregate::Sum(Measure::ALL.iter().copied().find(|m| m.as_str() == sum.trim()).ok_or_else(|| {
                    ("sum".to_string(), format!("“{}”不是企业指标（可用 {}）", cut(sum), measure_list()))
                })?)
            }
            (Some(true), Some(_)) => {
                return Err(("sum".into(), "规则只能是计数（count）或求和（sum）之一".into()));
            }
            _ => return Err(("count".into(), "规则应写明计数（\"count\": true）或求和的企业指标（\"sum\"）".into())),
        };
        if text.conditions.len() > MAX_CONDITIONS {
            return Err(("where".into(), format!("条件最多 {MAX_CONDITIONS} 个")));
        }
        let conditions = text
            .conditions
            .iter()
            .enumerate()
            .map(|(i, c)| c.parse::<Flag>().map_err(|e| (format!("where[{i}]"), e)))
            .collect::<Result<_, _>>()?;
        Ok(Rule { aggregate, conditions })
    }

    pub fn text(&self) -> RuleText {
        let (count, sum) = match &self.aggregate {
            Aggregate::Count => (Some(true), None),
            Aggregate::Sum(m) => (None, Some(m.as_str().to_string())),
        };
        RuleText { count, sum, conditions: self.conditions.iter().map(Flag::to_string).collect() }
    }

    /// The rule in words: `计数：规模以上、有效专利数为零`, `求和：R&D经费支出（规模以上）`.
    pub fn label(&self) -> String {
        let conditions: Vec<String> = self.conditions.iter().map(Flag::label).collect();
        match (&self.aggregate, conditions.is_empty()) {
            (Aggregate::Count, true) => "计数：全部企业".into(),
            (Aggregate::Count, false) => format!("计数：{}", conditions.join("、")),
            (Aggregate::Sum(m), true) => format!("求和：{}", m.label()),
            (Aggregate::Sum(m), false) => format!("求和：{}（{}）", m.label(), conditions.join("、")),
        }
    }

    /// The measures whose figures the rule reads (its sum and its `zero:` conditions).
    pub fn measures(&self) -> Vec<Measure> {
        let mut out = Vec::new();
        if let Aggregate::Sum(m) = &self.aggregate {
            out.push(*m);
        }
        for c in &self.conditions {
            c.measures(&mut out);
        }
        out
    }

    /// Whether an enterprise meets every condition in the period.
    pub fn admits(&self, enterprise: &Enterprise, period: Period, figures: &Figures) -> bool {
        self.conditions.iter().all(|c| c.holds(enterprise, period.year(), figures))
    }

    /// The rule's figure over `enterprises` (each with its figures of the period): the count of
    /// those admitted, or the sum of the measure over those admitted that recorded it (none when
    /// none did).
    pub fn evaluate<'a>(
        &self,
        period: Period,
        enterprises: impl IntoIterator<Item = (&'a Enterprise, &'a Figures)>,
    ) -> Option<f64> {
        let mut figure = self.empty();
        for (e, f) in enterprises {
            self.add(&mut figure, e, period, f);
        }
        figure
    }

    /// The figure over no enterprise: a count of 0, no sum.
    pub fn empty(&self) -> Option<f64> {
        match self.aggregate {
            Aggregate::Count => Some(0.0),
            Aggregate::Sum(_) => None,
        }
    }

    /// Adds one enterprise to a figure begun with [`Rule::empty`], as [`Rule::evaluate`] does:
    /// for counting a whole province's register in one pass over its enterprises.
    pub fn add(&self, figure: &mut Option<f64>, enterprise: &Enterprise, period: Period, figures: &Figures) {
        if !self.admits(enterprise, period, figures) {
            return;
        }
        let part = match &self.aggregate {
            Aggregate::Count => Some(1.0),
            Aggregate::Sum(m) => figures.get(m).copied(),
        };
        if let Some(part) = part {
            *figure = Some(figure.unwrap_or(0.0) + part);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 三个零

/// The three lists the bureau vows to empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ThreeZero {
    /// 规模企业零专利: scale ∧ zero:valid_patents
    ScaleZeroPatents,
    /// 高新企业年度专利零申请: high_tech ∧ zero:patent_applications
    HighTechZeroApplications,
    /// 重大项目企业专利申请零户: major_project ∧ zero:patent_applications
    MajorProjectZeroApplications,
}

impl ThreeZero {
    pub const ALL: [ThreeZero; 3] =
        [ThreeZero::ScaleZeroPatents, ThreeZero::HighTechZeroApplications, ThreeZero::MajorProjectZeroApplications];

    pub fn as_str(self) -> &'static str {
        match self {
            ThreeZero::ScaleZeroPatents => "scale_zero_patents",
            ThreeZero::HighTechZeroApplications => "high_tech_zero_applications",
            ThreeZero::MajorProjectZeroApplications => "major_project_zero_applications",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ThreeZero::ScaleZeroPatents => "规模企业零专利",
            ThreeZero::HighTechZeroApplications => "高新企业年度专利零申请",
            ThreeZero::MajorProjectZeroApplications => "重大项目企业专利申请零户",
        }
    }

    /// The list's rule: a count of the enterprises on it.
    pub fn rule(self) -> Rule {
        let (flag, measure) = match self {
            ThreeZero::ScaleZeroPatents => (Flag::Scale, Measure::ValidPatents),
            ThreeZero::HighTechZeroApplications => (Flag::HighTech, Measure::PatentApplications),
            ThreeZero::MajorProjectZeroApplications => (Flag::MajorProject, Measure::PatentApplications),
        };
        Rule { aggregate: Aggregate::Count, conditions: vec![flag, Flag::Zero(measure)] }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Quarter;

    #[test]
    fn published_codes_pass_their_check_character_and_wrong_ones_say_why() {
        // the standard's own example and codes printed on well-known enterprises' licences
        for code in ["91350100M000100Y43", "914403001922038216", "9144030071526726XG", "91330100716105852F"] {
            assert_eq!(CreditCode::parse(code).unwrap().as_str(), code);
        }
        assert_eq!(CreditCode::parse(" 9144030071526726xg ").unwrap().as_str(), "9144030071526726XG", "upper-cased");
        for (code, says) in [
            ("91350100M000100Y44", "校验码不对（按前17位应为3）"),
            ("914403001922038217", "应为6"),
            // two characters swapped: the weights catch it
            ("91350100M000010Y43", "校验码不对"),
            ("91350100M00010Y43", "应为18位，“91350100M00010Y43”为17位"),
            ("91350100M000100Y433", "为19位"),
            ("91350100I000100Y43", "不允许的字符"),
            ("91350100O000100Y43", "不允许的字符"),
            ("９１350100M000100Y43", "不允许的字符"),
            ("", "为0位"),
        ] {
            let error = CreditCode::parse(code).unwrap_err();
            assert!(error.contains(says), "{code}: {error}");
        }
    }

    #[test]
    fn a_code_is_completed_with_its_check_character() {
        assert_eq!(CreditCode::completing("91350100M000100Y4").unwrap().as_str(), "91350100M000100Y43");
        assert_eq!(CreditCode::completing("9144030071526726X").unwrap().as_str(), "9144030071526726XG");
        for bad in ["9135010", "91350100M000100Y43", "91350100I000100Y4"] {
            assert_eq!(CreditCode::completing(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_check_of_thirty_one_is_written_zero() {
        // seventeen zeros weigh 0: 31 − 0 is 31, written 0
        assert_eq!(CreditCode::parse("000000000000000000").unwrap().as_str(), "000000000000000000");
        assert!(CreditCode::parse("00000000000000000Y").unwrap_err().contains("应为0"));
    }

    fn year(year: i32, flags: &str) -> YearAttributes {
        YearAttributes {
            year,
            scale: flags.contains('s'),
            high_tech: flags.contains('h'),
            sales_over_100m: flags.contains('b'),
            major_project: flags.contains('m'),
        }
    }

    fn enterprise(years: Vec<YearAttributes>, institutions: Vec<Institution>) -> Enterprise {
        Enterprise {
            code: CreditCode::parse("91350100M000100Y43").unwrap(),
            name: "甲公司".into(),
            region: RegionId::parse("town-jia").unwrap(),
            years,
            institutions,
        }
    }

    fn institution(kind: InstitutionKind, level: Level, since: i32, until: Option<i32>) -> Institution {
        Institution { kind, level, name: None, since, until }
    }

    fn figures(pairs: &[(Measure, f64)]) -> Figures {
        pairs.iter().copied().collect()
    }

    #[test]
    fn every_flag_holds_on_the_years_attributes_institutions_and_figures() {
        let e = enterprise(
            vec![year(2022, "sb"), year(2024, "shm")],
            vec![
                institution(InstitutionKind::TechCenter, Level::Municipal, 2021, Some(2022)),
                institution(InstitutionKind::PostdocStation, Level::Provincial, 2024, None),
            ],
        );
        let none = Figures::new();
        let some = figures(&[(Measure::PatentApplications, 3.0), (Measure::ValidPatents, 0.0)]);
        // (flag, year, figures, holds)
        let cases: Vec<(&str, i32, &Figures, bool)> = vec![
            ("scale", 2021, &none, false), // before the first year, nothing holds
            ("scale", 2022, &none, true),
            ("sales_over_100m", 2023, &none, true), // 2023 takes 2022's
            ("sales_over_100m", 2024, &none, false),
            ("high_tech", 2023, &none, false),
            ("high_tech", 2024, &none, true),
            ("major_project", 2030, &none, true),
            ("has_rd_institution", 2020, &none, false),
            ("has_rd_institution", 2022, &none, true), // until is the last year it counts
            ("has_rd_institution", 2023, &none, false),
            ("has_rd_institution", 2024, &none, true),
            ("has_rd_institution:municipal", 2022, &none, true),
            ("has_rd_institution:provincial", 2022, &none, false), // municipal is below provincial
            ("has_rd_institution:provincial", 2025, &none, true),
            ("has_rd_institution:national", 2025, &none, false),
            ("has_rd_institution:district", 2025, &none, true), // provincial is above district
            ("zero:patent_applications", 2024, &none, true),    // not recorded
            ("zero:patent_applications", 2024, &some, false),
            ("zero:valid_patents", 2024, &some, true), // recorded as 0
            ("not:scale", 2021, &none, true),
            ("not:scale", 2022, &none, false),
            ("not:zero:patent_applications", 2024, &some, true),
            ("not:not:high_tech", 2024, &none, true),
        ];
        for (text, year, figures, holds) in cases {
            let flag: Flag = text.parse().unwrap();
            assert_eq!(flag.to_string(), text, "written back as read");
            assert_eq!(flag.holds(&e, year, figures), holds, "{text} in {year}");
        }
    }

    #[test]
    fn rules_and_conditions_read_in_chinese() {
        let cases = [
            (serde_json::json!({"count": true}), "计数：全部企业"),
            (
                serde_json::json!({"count": true, "where": ["scale", "zero:valid_patents"]}),
                "计数：规模以上、有效专利数为零",
            ),
            (
                serde_json::json!({"count": true, "where": ["has_rd_institution:provincial", "not:high_tech"]}),
                "计数：有省级及以上研发机构、非“高新技术企业”",
            ),
            (serde_json::json!({"count": true, "where": ["has_rd_institution:national"]}), "计数：有国家级研发机构"),
            (serde_json::json!({"sum": "rd_expenditure"}), "求和：R&D经费支出"),
            (serde_json::json!({"sum": "sales", "where": ["major_project"]}), "求和：销售收入（重大项目企业）"),
        ];
        for (json, want) in cases {
            assert_eq!(rule(json.clone()).unwrap().label(), want, "{json}");
        }
    }

    #[test]
    fn a_flag_that_is_not_one_names_what_there_is() {
        for (text, says) in [
            ("large", "不是企业条件"),
            ("zero:patents", "“patents”不是企业指标（可用 patent_applications"),
            ("has_rd_institution:county", "不是研发机构级别"),
            ("not:big", "“big”不是企业条件"),
            ("", "不是企业条件"),
        ] {
            let error = text.parse::<Flag>().unwrap_err();
            assert!(error.contains(says), "{text}: {error}");
        }
    }

    fn rule(json: serde_json::Value) -> Result<Rule, (String, String)> {
        Rule::parse(&serde_json::from_value(json).unwrap())
    }

    #[test]
    fn rules_read_count_or_sum_with_conditions_and_name_the_part_that_is_wrong() {
        let r = rule(serde_json::json!({"count": true, "where": ["high_tech", "zero:patent_applications"]})).unwrap();
        assert_eq!(r.aggregate, Aggregate::Count);
        assert_eq!(r.measures(), [Measure::PatentApplications]);
        assert_eq!(r, ThreeZero::HighTechZeroApplications.rule());
        assert_eq!(Rule::parse(&r.text()).unwrap(), r, "its text reads back");
        let s =
            rule(serde_json::json!({"sum": "rd_expenditure", "where": ["scale", "not:zero:valid_patents"]})).unwrap();
        assert_eq!(s.measures(), [Measure::RdExpenditure, Measure::ValidPatents]);
        for (json, field, says) in [
            (serde_json::json!({}), "count", "计数"),
            (serde_json::json!({"count": false}), "count", "计数"),
            (serde_json::json!({"count": true, "sum": "sales"}), "sum", "之一"),
            (serde_json::json!({"sum": "profit"}), "sum", "“profit”不是企业指标"),
            (serde_json::json!({"count": true, "where": ["scale", "big"]}), "where[1]", "“big”不是企业条件"),
            (serde_json::json!({"count": true, "where": vec!["scale"; 13]}), "where", "最多 12 个"),
        ] {
            let (f, message) = rule(json.clone()).unwrap_err();
            assert_eq!(f, field, "{json}");
            assert!(message.contains(says), "{json}: {message}");
        }
        assert!(serde_json::from_value::<RuleText>(serde_json::json!({"count": true, "filter": []})).is_err());
    }

    #[test]
    fn a_rule_counts_the_admitted_and_sums_what_they_recorded() {
        let q = Period::Quarter(Quarter::new(2024, 2).unwrap());
        let a = enterprise(vec![year(2024, "sh")], vec![]);
        let b = enterprise(vec![year(2024, "s")], vec![]);
        let c = enterprise(vec![year(2024, "h")], vec![]);
        let d = enterprise(vec![year(2025, "sh")], vec![]); // not yet registered in 2024
        let fa = figures(&[(Measure::PatentApplications, 0.0), (Measure::RdExpenditure, 120.5)]);
        let fb = figures(&[(Measure::PatentApplications, 4.0), (Measure::RdExpenditure, 80.0)]);
        let fc = Figures::new();
        let fd = figures(&[(Measure::RdExpenditure, 1000.0)]);
        let all = [(&a, &fa), (&b, &fb), (&c, &fc), (&d, &fd)];
        let cases = [
            (serde_json::json!({"count": true}), Some(4.0)),
            (serde_json::json!({"count": true, "where": ["scale"]}), Some(2.0)),
            (serde_json::json!({"count": true, "where": ["high_tech", "zero:patent_applications"]}), Some(2.0)),
            (serde_json::json!({"count": true, "where": ["not:scale"]}), Some(2.0)),
            (serde_json::json!({"count": true, "where": ["major_project"]}), Some(0.0)),
            (serde_json::json!({"sum": "rd_expenditure", "where": ["scale"]}), Some(200.5)),
            (serde_json::json!({"sum": "rd_expenditure", "where": ["high_tech"]}), Some(120.5)),
            // no enterprise admitted recorded it: no figure, not 0
            (serde_json::json!({"sum": "sales", "where": ["scale"]}), None),
            (serde_json::json!({"sum": "rd_expenditure", "where": ["major_project"]}), None),
        ];
        for (json, want) in cases {
            assert_eq!(rule(json.clone()).unwrap().evaluate(q, all), want, "{json}");
        }
        assert_eq!(rule(serde_json::json!({"count": true})).unwrap().evaluate(q, []), Some(0.0), "none registered");
    }

    #[test]
    fn the_three_zeros_are_the_plans_three_lists() {
        let written: Vec<RuleText> = ThreeZero::ALL.iter().map(|z| z.rule().text()).collect();
        let want = [
            ["scale", "zero:valid_patents"],
            ["high_tech", "zero:patent_applications"],
            ["major_project", "zero:patent_applications"],
        ];
        for (w, conditions) in written.iter().zip(want) {
            assert_eq!((w.count, &w.conditions), (Some(true), &conditions.map(String::from).to_vec()));
        }
    }
}
