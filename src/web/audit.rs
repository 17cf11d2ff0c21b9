//! The audit history as the bureau reads it (修改记录): what was done, to what, from which value to
//! which, in Chinese and with the names of regions and indicators instead of their ids. The JSON
//! API (`GET /audit`) keeps the machine form; these labels are for the page only.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::domain::enterprise::{Flag, Institution, Measure, Rule, RuleText, YearAttributes};
use crate::domain::indicator::{Frequency, Mode};
use crate::domain::number;
use crate::domain::rectification::{Deadline, OrderState, TaskStatus};
use crate::domain::workflow::State;
use crate::domain::{Period, RegionKind};
use crate::engine::World;
use crate::engine::audit::AuditEntry;
use crate::reports::format;

/// One line of the audit page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRow {
    pub at: String,
    pub user: String,
    pub action: String,
    pub object: String,
    pub old: String,
    pub new: String,
    pub reason: Option<String>,
}

/// `create` → 新增 and so on; every action the engine records has a label.
pub fn action_label(action: &str) -> &str {
    match action {
        "create" => "新增",
        "update" => "修改",
        "delete" => "删除",
        "submit" => "上报",
        "approve" => "审核通过",
        "return" => "退回",
        "lock" => "锁定",
        "unlock" => "解锁",
        "override" => "改动已关闭的数据",
        "bulk_load" => "批量载入",
        "import" => "导入",
        "done" => "办结",
        "reopen" => "重新打开",
        "replace" => "替换",
        "issue" => "下发",
        "answer" => "答复",
        "close" => "关闭",
        "export" => "导出",
        other => other,
    }
}

fn entity_label(entity: &str) -> &str {
    match entity {
        "value" => "数据",
        "target" => "目标",
        "region" => "地区",
        "indicator" => "指标",
        "user" => "用户",
        "password" => "密码",
        "workflow" => "报送",
        "lock" => "季度锁定",
        "scheme" => "考核方案",
        "department" => "科室",
        "plan" => "整改方案",
        "problem" => "存在问题",
        "task" => "整改任务",
        "progress_report" => "进展情况",
        "order" => "督办单",
        "enterprise" => "企业",
        "enterprise_values" => "企业数据",
        "enterprise_list" => "企业名单",
        "publication" => "发布报告",
        other => other,
    }
}

pub fn kind_label(kind: RegionKind) -> &'static str {
    match kind {
        RegionKind::Province => "省",
        RegionKind::City => "市",
        RegionKind::District => "区",
        RegionKind::County => "县",
        RegionKind::Town => "镇",
        RegionKind::Street => "街道",
        RegionKind::Zone => "开发区",
        RegionKind::Benchmark => "对标地区",
    }
}

/// The order in which the fields of a region, an indicator, a user, a plan's problem, task,
/// report or order are listed.
const FIELD_ORDER: [&str; 45] = [
    "id",
    "code",
    "name",
    "region",
    "years",
    "institutions",
    "rule",
    "kind",
    "parent",
    "group",
    "iso3",
    "unit",
    "decimals",
    "mode",
    "frequency",
    "formula",
    "direction",
    "allow_negative",
    "role",
    "regions",
    "sort",
    "number",
    "plan",
    "problem",
    "task",
    "title",
    "seq",
    "year",
    "description",
    "indicators",
    "measures",
    "leaders",
    "departments",
    "persons",
    "deadline",
    "targets",
    "status",
    "state",
    "period",
    "text",
    "percent",
    "reasons",
    "respond_by",
    "response",
    "values",
];

fn field_rank(field: &str) -> usize {
    FIELD_ORDER.iter().position(|f| *f == field).unwrap_or(FIELD_ORDER.len())
}

/// The fields of a region, an indicator or a user as the page names them.
fn field_label<'a>(entity: &str, field: &'a str) -> &'a str {
    match (entity, field) {
        ("user", "name") => return "用户名",
        ("user", "regions") => return "负责地区",
        ("user", "departments") => return "所属科室",
        ("task", "departments") => return "责任部门",
        ("order", "state") | ("task", "status") => return "状态",
        _ => {}
    }
    match field {
        "id" | "code" => "代码",
        "name" => "名称",
        "kind" => "类型",
        "parent" => "上级",
        "group" => "分组",
        "sort" => "排序",
        "iso3" => "国家代码",
        "unit" => "单位",
        "decimals" => "小数位数",
        "direction" => "方向",
        "mode" => "填报方式",
        "formula" => "计算公式",
        "rule" => "统计规则",
        "allow_negative" => "允许负数",
        "frequency" => "频度",
        "regions" => "适用地区",
        "role" => "角色",
        // rectification plans, their tasks, reports and orders
        "title" => "标题",
        "year" => "年度",
        "seq" => "序号",
        "description" => "说明",
        "indicators" => "关联指标",
        "measures" => "措施",
        "leaders" => "责任领导",
        "persons" => "责任人",
        "deadline" => "完成时限",
        "targets" => "关联目标",
        "done_at" => "办结日期",
        "done_report" => "办结报告",
        "created_at" => "创建时间",
        "task" => "任务",
        "problem" => "问题",
        "plan" => "方案",
        "period" => "报告期",
        "text" => "进展情况",
        "percent" => "完成进度（%）",
        "by" => "填报人",
        "at" => "时间",
        "number" => "编号",
        "reasons" => "督办原因",
        "respond_by" => "答复期限",
        "sha256" => "校验值（SHA-256）",
        "response" => "答复",
        "problems" => "问题与任务",
        "new_departments" => "新增科室",
        "task_count" => "任务数",
        // an export of a list of enterprises
        "format" => "格式",
        "listed" => "列出企业（家）",
        // enterprises and their figures
        "region" => "所在地区",
        "years" => "年度属性",
        "institutions" => "研发机构",
        "values" => "数据",
        // a register loaded in bulk
        "enterprises" => "企业（家）",
        "figures" => "企业数据（个）",
        other => other,
    }
}

/// The names the page puts in place of ids.
struct Names<'a> {
    world: &'a World,
}

impl Names<'_> {
    fn region(&self, id: &str) -> String {
        self.world.tree.get(id).map_or_else(|| id.to_string(), |r| r.name.clone())
    }

    fn indicator(&self, code: &str) -> String {
        self.world.indicators.get(code).map_or_else(|| code.to_string(), |i| i.name.clone())
    }

    fn unit(&self, code: Option<&str>) -> String {
        code.and_then(|c| self.world.indicators.get(c)).map(|i| i.unit.clone()).unwrap_or_default()
    }
}

fn period_label(text: &str) -> String {
    text.parse::<Period>().map_or_else(|_| text.to_string(), Period::label)
}

/// Describes `entry` for the audit page; `world` gives the names.
pub fn describe(entry: &AuditEntry, world: &World) -> AuditRow {
    let names = Names { world };
    let (old, new) = match entry.entity.as_str() {
        "value" | "target" => {
            let unit = names.unit(entry.indicator.as_deref());
            (figure(entry.old.as_ref(), &unit), figure(entry.new.as_ref(), &unit))
        }
        "workflow" => (state(entry.old.as_ref()), state(entry.new.as_ref())),
        "lock" => (lock(entry.old.as_ref()), lock(entry.new.as_ref())),
        "scheme" => (scheme(entry.old.as_ref(), &names), scheme(entry.new.as_ref(), &names)),
        "password" => (String::new(), if entry.action == "update" { "已更改".into() } else { String::new() }),
        entity => fields(entity, entry.old.as_ref(), entry.new.as_ref(), &names),
    };
    AuditRow {
        at: entry.at.clone(),
        user: entry.user.clone(),
        action: action_label(&entry.action).to_string(),
        object: object(entry, &names),
        old,
        new,
        reason: entry.reason.clone(),
    }
}

/// `数据：甲镇 · 地区生产总值 · 2023年一季度`, `地区：甲镇`, `考核方案：2023年`.
fn object(entry: &AuditEntry, names: &Names<'_>) -> String {
    let mut parts = Vec::new();
    match entry.entity.as_str() {
        // a plan, a problem or a task by its title, as recorded
        "plan" | "problem" | "task" => {
            // an imported plan is recorded with what the import read: its title is the plan's
            let plan = entry.new.as_ref().and_then(|v| v.get("plan"));
            let recorded =
                text(entry.new.as_ref(), "title").or(text(entry.old.as_ref(), "title")).or(text(plan, "title"));
            parts.push(recorded.map_or_else(|| entry.key.clone(), str::to_string));
        }
        // a region or an indicator since deleted still has its name in the record
        "region" | "indicator" => {
            let known = if entry.entity == "region" {
                names.world.tree.get(&entry.key).map(|r| r.name.clone())
            } else {
                names.world.indicators.get(&entry.key).map(|i| i.name.clone())
            };
            let recorded = text(entry.new.as_ref(), "name").or(text(entry.old.as_ref(), "name"));
            parts.push(known.or(recorded.map(str::to_string)).unwrap_or_else(|| entry.key.clone()));
        }
        "user" => parts.push(entry.key.clone()),
        // an enterprise by its name as recorded, and its code
        "enterprise" => {
            let recorded = text(entry.new.as_ref(), "name").or(text(entry.old.as_ref(), "name"));
            parts.extend(recorded.map(str::to_string));
            // a register loaded in bulk is recorded under its region
            let region = names.world.tree.get(&entry.key).map(|r| r.name.clone());
            parts.push(region.unwrap_or_else(|| entry.key.clone()));
        }
        "enterprise_values" => {
            parts.push(entry.key.clone());
            parts.extend(entry.period.as_deref().map(period_label));
        }
        "password" => parts.push(format!("用户 {}", entry.key)),
        _ => {
            if let Some(r) = &entry.region {
                parts.push(names.region(r));
            }
            if let Some(i) = &entry.indicator {
                parts.push(names.indicator(i));
            }
            match &entry.period {
                Some(p) => parts.push(period_label(p)),
                None if parts.is_empty() => parts.push(entry.key.clone()),
                None => {}
            }
        }
    }
    format!("{}：{}", entity_label(&entry.entity), parts.join(" · "))
}

fn text<'a>(value: Option<&'a Value>, field: &str) -> Option<&'a str> {
    value.and_then(|v| v.get(field)).and_then(Value::as_str).filter(|t| !t.is_empty())
}

/// A figure or a target: `26.5 亿元（备注：…）`, `19 亿元，由全区分解（按2022年比例）`; a bulk
/// load: `9600 个数据，2015年一季度至2023年四季度`.
fn figure(value: Option<&Value>, unit: &str) -> String {
    let Some(v) = value else { return String::new() };
    if let Some(n) = v.get("value").and_then(Value::as_f64) {
        let mut out = number::with_unit(n, unit);
        if let Some(comment) = text(value, "comment") {
            out.push_str(&format!("（备注：{comment}）"));
        }
        if let Some(source) = text(value, "source").filter(|s| *s != crate::engine::targets::SOURCE_SET) {
            out.push_str(&format!("，{source}"));
        }
        return out;
    }
    if let Some(n) = v.get("figures").and_then(Value::as_u64) {
        let span = match (text(value, "from"), text(value, "to")) {
            (Some(from), Some(to)) => format!("，{}至{}", period_label(from), period_label(to)),
            _ => String::new(),
        };
        return format!("{n} 个数据{span}");
    }
    String::new()
}

/// A region's quarter in the workflow: `已上报`, `已退回（意见：…）`; an override: `改动 3 个数据`.
fn state(value: Option<&Value>) -> String {
    let Some(v) = value else { return String::new() };
    if let Some(n) = v.get("figures_changed").and_then(Value::as_u64) {
        return format!("改动 {n} 个数据");
    }
    let mut out = text(value, "state").and_then(State::parse).map_or_else(String::new, |s| s.label().to_string());
    if let Some(comment) = text(value, "comment") {
        out.push_str(&format!("（意见：{comment}）"));
    }
    out
}

fn lock(value: Option<&Value>) -> String {
    match value.and_then(|v| v.get("locked")).and_then(Value::as_bool) {
        Some(true) => "已锁定".into(),
        Some(false) => "未锁定".into(),
        None => String::new(),
    }
}

/// An assessment scheme: `全区的下级；R&D经费支出 30分、…；4个等级`.
fn scheme(value: Option<&Value>, names: &Names<'_>) -> String {
    let Some(v) = value else { return String::new() };
    let mut parts = Vec::new();
    if let Some(parent) = text(value, "parent") {
        parts.push(format!("考核{}的下级地区", names.region(parent)));
    }
    let items: Vec<String> = v
        .get("items")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|item| {
            let name = names.indicator(item.get("indicator")?.as_str()?);
            let weight = item.get("weight")?.as_f64()?;
            Some(format!("{name} {}分", number::plain(weight)))
        })
        .collect();
    if !items.is_empty() {
        parts.push(items.join("、"));
    }
    if let Some(grades) = v.get("grades").and_then(Value::as_array).filter(|g| !g.is_empty()) {
        parts.push(format!("{}个等级", grades.len()));
    }
    parts.join("；")
}

/// A region, an indicator or a user: the fields that changed (all of them on create or delete),
/// each as `名称：甲镇`.
fn fields(entity: &str, old: Option<&Value>, new: Option<&Value>, names: &Names<'_>) -> (String, String) {
    let empty = Map::new();
    let old_map = old.and_then(Value::as_object);
    let new_map = new.and_then(Value::as_object);
    let changed = |key: &str| match (old_map, new_map) {
        (Some(o), Some(n)) => o.get(key) != n.get(key),
        _ => true,
    };
    let side = |map: Option<&Map<String, Value>>| {
        let mut entries: Vec<(&String, &Value)> = map.unwrap_or(&empty).iter().collect();
        entries.sort_by_key(|(key, _)| field_rank(key));
        let shown: Vec<String> = entries
            .into_iter()
            .filter(|(key, value)| !value.is_null() && changed(key))
            .filter_map(|(key, value)| {
                let shown = field_value(key, value, names)?;
                Some(format!("{}：{shown}", field_label(entity, key)))
            })
            .collect();
        shown.join("；")
    };
    (side(old_map), side(new_map))
}

/// A field's value in words: a kind, a mode, a region's name, 是/否.
fn field_value(key: &str, value: &Value, names: &Names<'_>) -> Option<String> {
    let text = value.as_str();
    let shown = match (key, value) {
        ("kind", _) => text
            .and_then(RegionKind::parse)
            .map(|k| kind_label(k).to_string())
            // a publication's kind of report
            .or_else(|| text.and_then(crate::engine::publications::Kind::parse).map(|k| k.label().to_string()))
            .unwrap_or_else(|| text.unwrap_or("").to_string()),
        ("mode", _) => text.and_then(Mode::parse).map_or_else(|| text.unwrap_or("").to_string(), |m| m.label().into()),
        ("frequency", _) => {
            text.and_then(Frequency::parse).map_or_else(|| text.unwrap_or("").to_string(), |f| f.label().into())
        }
        ("direction", _) => match text {
            Some("higher") => "越大越好".into(),
            Some("lower") => "越小越好".into(),
            other => other.unwrap_or("").to_string(),
        },
        ("role", _) => match text {
            Some("admin") => "管理员".into(),
            Some("statistician") => "统计员".into(),
            Some("viewer") => "查看".into(),
            Some("officer") => "科室干部".into(),
            other => other.unwrap_or("").to_string(),
        },
        // a user's row number means nothing to a reader, nor whether an import was a dry run
        ("id", Value::Number(_)) | ("dry_run", _) => return None,
        ("deadline", Value::String(d)) => d.parse::<Deadline>().map_or_else(|_| d.clone(), Deadline::label),
        ("status", Value::String(t)) => TaskStatus::parse(t).map_or_else(|| t.clone(), |s| s.label().into()),
        ("state", Value::String(t)) => OrderState::parse(t).map_or_else(|| t.clone(), |s| s.label().into()),
        ("period", Value::String(p)) => period_label(p),
        ("at" | "created_at", Value::String(t)) => format::beijing_time(t).unwrap_or_else(|| t.clone()),
        ("task" | "problem", Value::Number(n)) => format!("第{n}号"),
        // a plan as imported: its title and how much it held
        ("plan", Value::Object(plan)) => {
            plan.get("title").and_then(Value::as_str).map_or_else(String::new, str::to_string)
        }
        ("problems", Value::Array(problems)) => {
            let tasks: usize =
                problems.iter().map(|p| p.get("tasks").and_then(Value::as_array).map_or(0, Vec::len)).sum();
            format!("{}个问题、{tasks}项任务", problems.len())
        }
        // the figures of a problem and the targets of a task, by name
        ("indicators" | "targets", Value::Array(links)) => {
            if links.is_empty() {
                return None;
            }
            let link = |l: &Value| {
                let of = |k| l.get(k).and_then(Value::as_str).unwrap_or_default();
                let year = l.get("year").and_then(Value::as_i64).map(|y| format!("（{y}年）")).unwrap_or_default();
                format!("{}{}{year}", names.region(of("region")), names.indicator(of("indicator")))
            };
            links.iter().map(link).collect::<Vec<_>>().join("、")
        }
        ("parent" | "region", Value::String(id)) => names.region(id),
        ("rule", rule) => serde_json::from_value::<RuleText>(rule.clone())
            .ok()
            .and_then(|t| Rule::parse(&t).ok())
            .map_or_else(|| rule.to_string(), |r| r.label()),
        // an enterprise's years: `2024年：规模以上、高新技术企业`
        ("years", Value::Array(years)) => {
            if years.is_empty() {
                return None;
            }
            let year = |y: &Value| {
                let attributes: YearAttributes = serde_json::from_value(y.clone()).ok()?;
                let flags = [
                    (attributes.scale, Flag::Scale),
                    (attributes.high_tech, Flag::HighTech),
                    (attributes.sales_over_100m, Flag::SalesOver100m),
                    (attributes.major_project, Flag::MajorProject),
                ];
                let held: Vec<String> = flags.iter().filter(|(on, _)| *on).map(|(_, f)| f.label()).collect();
                let held = if held.is_empty() { "无".to_string() } else { held.join("、") };
                Some(format!("{}年：{held}", attributes.year))
            };
            years.iter().filter_map(year).collect::<Vec<_>>().join("；")
        }
        // `省级企业技术中心（2020年起）`
        ("institutions", Value::Array(items)) => {
            if items.is_empty() {
                return None;
            }
            let institution = |i: &Value| serde_json::from_value::<Institution>(i.clone()).ok().map(|i| i.label());
            items.iter().filter_map(institution).collect::<Vec<_>>().join("、")
        }
        // an enterprise's figures of a period: `专利申请量 3、有效专利数 5`
        ("values", Value::Array(items)) => {
            if items.is_empty() {
                return None;
            }
            let value = |v: &Value| {
                let measure = Measure::parse(v.get("measure")?.as_str()?)?;
                Some(format!("{} {}", measure.label(), number::plain(v.get("value")?.as_f64()?)))
            };
            items.iter().filter_map(value).collect::<Vec<_>>().join("、")
        }
        ("regions", Value::Array(ids)) => {
            if ids.is_empty() {
                return None;
            }
            ids.iter().filter_map(Value::as_str).map(|id| names.region(id)).collect::<Vec<_>>().join("、")
        }
        // an officer's departments, a task's leaders, measures …: in their order
        (_, Value::Array(items)) if items.iter().all(Value::is_string) => {
            if items.is_empty() {
                return None;
            }
            items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("、")
        }
        (_, Value::Bool(b)) => if *b { "是" } else { "否" }.into(),
        (_, Value::Number(n)) => n.as_f64().map_or_else(|| n.to_string(), number::plain),
        (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    };
    Some(shown)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn demo_world() -> std::sync::Arc<World> {
        let dir = tempfile::tempdir().unwrap();
        let pool = crate::store::open(&dir.path().join("audit.db")).unwrap();
        let conn = pool.get().unwrap();
        crate::demo::load(&conn).unwrap();
        crate::engine::world(&conn).unwrap()
    }

    fn entry(action: &str, entity: &str, key: &str, scope: [Option<&str>; 3], old: Value, new: Value) -> AuditEntry {
        let [region, indicator, period] = scope.map(|s| s.map(str::to_string));
        let json = |v: Value| (!v.is_null()).then_some(v);
        AuditEntry {
            at: "2024-04-10T08:00:00+08:00".into(),
            user: "admin".into(),
            action: action.into(),
            entity: entity.into(),
            key: key.into(),
            region,
            indicator,
            period,
            old: json(old),
            new: json(new),
            reason: None,
        }
    }

    #[test]
    fn each_kind_of_change_reads_in_chinese_with_names_instead_of_ids() {
        let world = demo_world();
        let none = Value::Null;
        let cases = [
            (
                entry(
                    "update",
                    "value",
                    "town-jia/patent_applications/2024Q1",
                    [Some("town-jia"), Some("patent_applications"), Some("2024Q1")],
                    json!({"value": 9000.0, "comment": null}),
                    json!({"value": 9500.0, "comment": "核实后更正"}),
                ),
                ("修改", "数据：甲镇 · 专利申请量 · 2024年一季度", "9000 件", "9500 件（备注：核实后更正）"),
            ),
            (
                entry(
                    "create",
                    "target",
                    "town-jia/rd_share/2023",
                    [Some("town-jia"), Some("rd_share"), Some("2023")],
                    none.clone(),
                    json!({"value": 2.1, "milestones": [0.25, 0.5, 0.75, 1.0], "source": "由全区分解（统一目标）"}),
                ),
                ("新增", "目标：甲镇 · R&D经费占GDP比重 · 2023年", "", "2.1%，由全区分解（统一目标）"),
            ),
            (
                entry(
                    "create",
                    "task",
                    "3",
                    [None, None, None],
                    none.clone(),
                    json!({"id": 3, "problem": 1, "seq": 1, "title": "加大研发投入", "measures": ["一是落实加计扣除。", "二是设立专项资金。"],
                           "leaders": ["王局长", "李副局长"], "departments": ["高新技术科", "科技管理科"], "persons": ["张科长"],
                           "deadline": "2023-12-31", "targets": [{"region": "district", "indicator": "rd_expenditure", "year": 2023}],
                           "status": "open", "done_at": null, "done_report": null, "created_at": "2023-03-01T02:00:00.000Z"}),
                ),
                (
                    "新增",
                    "整改任务：加大研发投入",
                    "",
                    "问题：第1号；标题：加大研发投入；序号：1；措施：一是落实加计扣除。、二是设立专项资金。；责任领导：王局长、李副局长；\
                     责任部门：高新技术科、科技管理科；责任人：张科长；完成时限：2023年12月31日；关联目标：全区R&D经费支出（2023年）；\
                     状态：推进中；创建时间：2023-03-01 10:00",
                ),
            ),
            (
                entry(
                    "replace",
                    "progress_report",
                    "3/2023Q3",
                    [None, None, Some("2023Q3")],
                    json!({"task": 3, "period": "2023Q3", "text": "初稿", "percent": 50.0, "by": "gao", "at": "2023-10-10T01:00:00.000Z"}),
                    json!({"task": 3, "period": "2023Q3", "text": "已完成加计扣除政策宣讲", "percent": 60.0, "by": "gao", "at": "2023-10-12T01:00:00.000Z"}),
                ),
                (
                    "替换",
                    "进展情况：2023年三季度",
                    "进展情况：初稿；完成进度（%）：50；时间：2023-10-10 09:00",
                    "进展情况：已完成加计扣除政策宣讲；完成进度（%）：60；时间：2023-10-12 09:00",
                ),
            ),
            (
                entry(
                    "answer",
                    "order",
                    "督办〔2023〕1号",
                    [None, None, None],
                    json!({"number": "督办〔2023〕1号", "task": 4, "reasons": ["“产学研合作项目”目标明显滞后"], "respond_by": "2023-12-30", "state": "open", "response": null}),
                    json!({"number": "督办〔2023〕1号", "task": 4, "reasons": ["“产学研合作项目”目标明显滞后"], "respond_by": "2023-12-30", "state": "answered", "response": "已约谈高校"}),
                ),
                ("答复", "督办单：督办〔2023〕1号", "状态：待答复", "状态：已答复；答复：已约谈高校"),
            ),
            (
                entry(
                    "create",
                    "region",
                    "town-new",
                    [None, None, None],
                    none.clone(),
                    json!({"id": "town-new", "name": "新镇", "kind": "town", "parent": "district", "group": null, "sort": 9}),
                ),
                ("新增", "地区：新镇", "", "代码：town-new；名称：新镇；类型：镇；上级：全区；排序：9"),
            ),
            (
                entry(
                    "update",
                    "indicator",
                    "gdp",
                    [None, Some("gdp"), None],
                    json!({"code": "gdp", "name": "地区生产总值", "unit": "亿元", "mode": "ytd", "allow_negative": false}),
                    json!({"code": "gdp", "name": "地区生产总值", "unit": "万元", "mode": "ytd", "allow_negative": true}),
                ),
                ("修改", "指标：地区生产总值", "单位：亿元；允许负数：否", "单位：万元；允许负数：是"),
            ),
            (
                entry(
                    "return",
                    "workflow",
                    "town-yi/2024Q1",
                    [Some("town-yi"), None, Some("2024Q1")],
                    json!({"state": "submitted", "comment": null}),
                    json!({"state": "returned", "comment": "专利数偏高"}),
                ),
                ("退回", "报送：乙镇 · 2024年一季度", "已上报", "已退回（意见：专利数偏高）"),
            ),
            (
                entry(
                    "lock",
                    "lock",
                    "2023Q4",
                    [None, None, Some("2023Q4")],
                    none.clone(),
                    json!({"period": "2023Q4", "locked": true, "reason": "年报已发布", "by": "admin", "at": "x"}),
                ),
                ("锁定", "季度锁定：2023年四季度", "", "已锁定"),
            ),
            (
                entry(
                    "create",
                    "scheme",
                    "2023",
                    [None, None, Some("2023")],
                    none.clone(),
                    json!({"parent": "district", "items": [{"indicator": "rd_expenditure", "weight": 30.0, "method": "ratio"},
                        {"indicator": "patent_grants", "weight": 12.5, "method": "ratio"}], "grades": [{}, {}]}),
                ),
                ("新增", "考核方案：2023年", "", "考核全区的下级地区；R&D经费支出 30分、专利授权量 12.5分；2个等级"),
            ),
            (
                entry(
                    "create",
                    "user",
                    "jia",
                    [None, None, None],
                    none.clone(),
                    json!({"id": 3, "name": "jia", "role": "statistician", "regions": ["town-jia"]}),
                ),
                ("新增", "用户：jia", "", "用户名：jia；角色：统计员；负责地区：甲镇"),
            ),
            (
                entry(
                    "create",
                    "user",
                    "gxk",
                    [None, None, None],
                    none.clone(),
                    json!({"id": 4, "name": "gxk", "role": "officer", "regions": [],
                        "departments": ["局办公室", "高新技术科"]}),
                ),
                ("新增", "用户：gxk", "", "用户名：gxk；角色：科室干部；所属科室：局办公室、高新技术科"),
            ),
            (
                entry(
                    "create",
                    "department",
                    "高新技术科",
                    [None, None, None],
                    none.clone(),
                    json!({"name": "高新技术科", "sort": 2}),
                ),
                ("新增", "科室：高新技术科", "", "名称：高新技术科；排序：2"),
            ),
            (
                entry("update", "password", "jia", [None, None, None], none.clone(), none.clone()),
                ("修改", "密码：用户 jia", "", "已更改"),
            ),
            (
                entry(
                    "update",
                    "enterprise",
                    "91350100M000100Y43",
                    [Some("town-jia"), None, None],
                    json!({"code": "91350100M000100Y43", "name": "甲公司", "region": "town-jia",
                        "years": [{"year": 2023, "scale": true, "high_tech": false, "sales_over_100m": false, "major_project": false}],
                        "institutions": []}),
                    json!({"code": "91350100M000100Y43", "name": "甲公司", "region": "town-jia",
                        "years": [{"year": 2023, "scale": true, "high_tech": false, "sales_over_100m": false, "major_project": false},
                                  {"year": 2024, "scale": true, "high_tech": true, "sales_over_100m": false, "major_project": false}],
                        "institutions": [{"kind": "tech_center", "level": "provincial", "since": 2020, "until": null}]}),
                ),
                (
                    "修改",
                    "企业：甲公司 · 91350100M000100Y43",
                    "年度属性：2023年：规模以上",
                    "年度属性：2023年：规模以上；2024年：规模以上、高新技术企业；研发机构：省级企业技术中心（2020年起）",
                ),
            ),
            (
                entry(
                    "bulk_load",
                    "enterprise",
                    "district",
                    [Some("district"), None, None],
                    none.clone(),
                    json!({"enterprises": 478, "figures": 15818}),
                ),
                ("批量载入", "企业：全区", "", "企业（家）：478；企业数据（个）：15818"),
            ),
            (
                entry(
                    "update",
                    "enterprise_values",
                    "91350100M000100Y43",
                    [Some("town-jia"), None, Some("2024Q1")],
                    json!({"period": "2024Q1", "values": []}),
                    json!({"period": "2024Q1", "values": [{"measure": "patent_applications", "value": 3.0},
                        {"measure": "valid_patents", "value": 12.0}]}),
                ),
                ("修改", "企业数据：91350100M000100Y43 · 2024年一季度", "", "数据：专利申请量 3、有效专利数 12"),
            ),
            (
                entry(
                    "create",
                    "indicator",
                    "scale_zero",
                    [None, None, None],
                    none.clone(),
                    json!({"code": "scale_zero", "name": "规模企业零专利", "mode": "register",
                        "rule": {"count": true, "where": ["scale", "zero:valid_patents"]}}),
                ),
                (
                    "新增",
                    "指标：规模企业零专利",
                    "",
                    "代码：scale_zero；名称：规模企业零专利；统计规则：计数：规模以上、有效专利数为零；填报方式：企业库",
                ),
            ),
        ];
        for (e, (action, object, old, new)) in cases {
            let row = describe(&e, &world);
            assert_eq!(
                (row.action.as_str(), row.object.as_str(), row.old.as_str(), row.new.as_str()),
                (action, object, old, new),
                "{} {}",
                e.entity,
                e.key
            );
        }
    }

    #[test]
    fn every_field_of_a_region_or_an_indicator_has_a_chinese_name() {
        let world = demo_world();
        let mut fields: Vec<String> = Vec::new();
        for region in world.tree.in_display_order() {
            fields.extend(serde_json::to_value(region).unwrap().as_object().unwrap().keys().cloned());
        }
        for indicator in world.indicators.in_display_order() {
            fields.extend(serde_json::to_value(indicator).unwrap().as_object().unwrap().keys().cloned());
        }
        let unnamed: Vec<&String> = fields.iter().filter(|f| field_label("region", f) == f.as_str()).collect();
        assert!(unnamed.is_empty(), "fields without a label in web/audit.rs: {unnamed:?}");
    }
}
