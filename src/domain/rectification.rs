//! The plan's rectification tasks (整改督办) as pure rules: deadlines, which quarterly progress
//! reports are due, the light (亮灯) of a task on a day with all its reasons, and supervision
//! orders (督办单): their numbers, escalation, answering and closing, and which tasks a run issues
//! one for. No I/O: the engine loads the facts of a task and asks here.
//!
//! Every rule is asked "on a day D" and reads the facts as they were on D: a task done after D
//! was still open on D, a report filed after D was still missing on D.
//!
//! Boundaries, each tested:
//! - a quarter's report may be filed up to and including the 15th day after the quarter ends
//!   ([`report_due_by`]: 15 April for the first quarter); it is missing from the 16th on;
//! - a quarter is reported for only when it ends after the task was created (a task created on a
//!   quarter's last day begins with the next quarter), up to the quarter of a dated deadline, and
//!   not when the task was done by the report's last day;
//! - a deadline is met on its own day: overdue from the day after; `deadline_near` from 30 days
//!   before it to the day itself;
//! - an order is answered in time up to and including `respond_by` (issued + 10 days); level 2
//!   from the day after, while unanswered.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::period::{Day, Period, Quarter};
use super::progress::Status;
use super::text;
use super::workflow::Refusal;

/// Days after a quarter's end by which its progress report is due (the last allowed day).
pub const REPORT_GRACE_DAYS: u64 = 15;

/// A deadline this many days away or fewer (and not passed) lights the task blue.
pub const NEAR_DAYS: i64 = 30;

/// Days an order gives the lead department to answer (`respond_by` = issued + this).
pub const RESPOND_DAYS: u64 = 10;

/// The longest answer to an order.
pub const MAX_RESPONSE_CHARS: usize = 2000;

/// `2023年12月31日`: a day as the bureau writes it.
pub fn date_label(date: NaiveDate) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

// ---------------------------------------------------------------------------------------------
// Deadlines

/// 完成时限: a day, or 长期 (long-term: a progress report every quarter, never overdue).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Deadline {
    Date(NaiveDate),
    LongTerm,
}

impl Deadline {
    /// What parsing takes, as the OpenAPI document says it.
    pub const PATTERN: &'static str = concat!("^(", crate::day_regex!(), "|long_term)$");

    /// The day, unless long-term.
    pub fn date(self) -> Option<NaiveDate> {
        match self {
            Deadline::Date(d) => Some(d),
            Deadline::LongTerm => None,
        }
    }

    /// `2023年12月31日` or `长期`
    pub fn label(self) -> String {
        match self {
            Deadline::Date(d) => date_label(d),
            Deadline::LongTerm => "长期".into(),
        }
    }
}

/// `2023-12-31` or `long_term`: the form on the wire and in storage.
impl fmt::Display for Deadline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Deadline::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Deadline::LongTerm => f.write_str("long_term"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{0}”不是有效的完成时限：应为日期 YYYY-MM-DD（如 2023-12-31）或 long_term（长期）")]
pub struct DeadlineError(pub String);

impl FromStr for Deadline {
    type Err = DeadlineError;

    /// Exactly `YYYY-MM-DD` (two-digit month and day, a real day) or `long_term`.
    fn from_str(s: &str) -> Result<Deadline, DeadlineError> {
        if s == "long_term" {
            return Ok(Deadline::LongTerm);
        }
        let date = Day::parse(s).ok_or_else(|| DeadlineError(s.chars().take(40).collect()))?.0;
        Ok(Deadline::Date(date))
    }
}

impl Serialize for Deadline {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Deadline {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Deadline, D::Error> {
        <String as Deserialize>::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for Deadline {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(Deadline::PATTERN))
            .description(Some("完成时限：日期 YYYY-MM-DD，或 long_term（长期）"))
            .examples(["2023-12-31", "long_term"])
            .into()
    }
}
impl utoipa::ToSchema for Deadline {}

// ---------------------------------------------------------------------------------------------
// Tasks and their quarterly progress reports

/// A task is open until its completion report (办结报告) makes it done; an admin may reopen it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Open,
    Done,
}

impl TaskStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Open => "open",
            TaskStatus::Done => "done",
        }
    }

    pub fn parse(text: &str) -> Option<TaskStatus> {
        [TaskStatus::Open, TaskStatus::Done].into_iter().find(|s| s.as_str() == text)
    }

    /// 推进中 / 已办结
    pub fn label(self) -> &'static str {
        match self {
            TaskStatus::Open => "推进中",
            TaskStatus::Done => "已办结",
        }
    }

    /// The status on day `on` of a task done on `done_at` (if ever).
    pub fn on(done_at: Option<NaiveDate>, on: NaiveDate) -> TaskStatus {
        if done_at.is_some_and(|d| d <= on) { TaskStatus::Done } else { TaskStatus::Open }
    }
}

/// The last day of a quarter.
fn last_day(q: Quarter) -> NaiveDate {
    let first_of_next = match q.q() {
        4 => NaiveDate::from_ymd_opt(q.year() + 1, 1, 1),
        n => NaiveDate::from_ymd_opt(q.year(), u32::from(n) * 3 + 1, 1),
    };
    first_of_next.and_then(|d| d.pred_opt()).expect("a quarter of a year in range has a last day")
}

/// The last day on which a quarter's progress report is on time: 15 days after the quarter ends
/// (15 April for the first quarter). From the day after, the report is missing.
pub fn report_due_by(q: Quarter) -> NaiveDate {
    last_day(q) + Days::new(REPORT_GRACE_DAYS)
}

/// The quarters whose progress report was due by day `on`, oldest first: those whose last
/// allowed day ([`report_due_by`]) is before `on`, that end after the task was `created`, are no
/// later than the quarter of a dated deadline, and whose last allowed day came before the task was
/// done (a done task needs no further reports; its completion report stands for them).
pub fn due_quarters(created: NaiveDate, deadline: Deadline, done_at: Option<NaiveDate>, on: NaiveDate) -> Vec<Quarter> {
    // A report is due when its last allowed day is before both `on` and the day the task was done.
    let closing = done_at.map_or(on, |d| d.min(on));
    // The latest quarter whose last allowed day is before `closing`: the last to end by
    // `closing` - 16 days.
    let Some(cutoff) = closing.checked_sub_days(Days::new(REPORT_GRACE_DAYS + 1)) else { return Vec::new() };
    let around = Quarter::containing(cutoff);
    let Some(mut last) = (if last_day(around) == cutoff { Some(around) } else { around.previous() }) else {
        return Vec::new();
    };
    if let Some(date) = deadline.date() {
        last = last.min(Quarter::containing(date));
    }
    // The first quarter that ends after the task was created.
    let first = Quarter::containing(created);
    let Some(first) = (if last_day(first) > created { Some(first) } else { first.next() }) else { return Vec::new() };
    first.through(last).collect()
}

/// The last two of [`due_quarters`] (fewer when fewer are due), oldest first: what the
/// light's report rules read.
pub fn last_due_quarters(
    created: NaiveDate,
    deadline: Deadline,
    done_at: Option<NaiveDate>,
    on: NaiveDate,
) -> Vec<Quarter> {
    let mut due = due_quarters(created, deadline, done_at, on);
    let keep = due.len().saturating_sub(2);
    due.split_off(keep)
}

// ---------------------------------------------------------------------------------------------
// Lights

/// A task's light (亮灯).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Color {
    Green,
    Red,
    Yellow,
    Blue,
}

impl Color {
    pub const ALL: [Color; 4] = [Color::Red, Color::Yellow, Color::Blue, Color::Green];

    pub fn as_str(self) -> &'static str {
        match self {
            Color::Green => "green",
            Color::Red => "red",
            Color::Yellow => "yellow",
            Color::Blue => "blue",
        }
    }

    pub fn parse(text: &str) -> Option<Color> {
        Color::ALL.into_iter().find(|c| c.as_str() == text)
    }

    /// 绿灯 / 红灯 / 黄灯 / 蓝灯
    pub fn label(self) -> &'static str {
        match self {
            Color::Green => "绿灯",
            Color::Red => "红灯",
            Color::Yellow => "黄灯",
            Color::Blue => "蓝灯",
        }
    }
}

/// Why a task has its light; the machine's name of a [`Reason`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    DoneOnTime,
    DoneLate,
    Overdue,
    TargetAtRisk,
    TargetMissed,
    ReportMissingTwice,
    TargetBehind,
    ReportMissing,
    DeadlineNear,
    OnSchedule,
}

impl ReasonCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ReasonCode::DoneOnTime => "done_on_time",
            ReasonCode::DoneLate => "done_late",
            ReasonCode::Overdue => "overdue",
            ReasonCode::TargetAtRisk => "target_at_risk",
            ReasonCode::TargetMissed => "target_missed",
            ReasonCode::ReportMissingTwice => "report_missing_twice",
            ReasonCode::TargetBehind => "target_behind",
            ReasonCode::ReportMissing => "report_missing",
            ReasonCode::DeadlineNear => "deadline_near",
            ReasonCode::OnSchedule => "on_schedule",
        }
    }
}

/// One reason of a light: its code and what a person reads (Chinese, naming the deadline, the
/// target or the quarter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Reason {
    pub code: ReasonCode,
    pub message: String,
}

impl Reason {
    fn new(code: ReasonCode, message: String) -> Reason {
        Reason { code, message }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Light {
    pub color: Color,
    /// every reason that holds, the deciding ones first
    pub reasons: Vec<Reason>,
}

impl Light {
    pub fn codes(&self) -> Vec<ReasonCode> {
        self.reasons.iter().map(|r| r.code).collect()
    }

    /// The messages, as an order issued for this light lists them.
    pub fn messages(&self) -> Vec<String> {
        self.reasons.iter().map(|r| r.message.clone()).collect()
    }
}

/// The latest progress of a target the task must move: the engine's status at the last period
/// with data up to the day asked about (year end included).
#[derive(Debug, Clone, PartialEq)]
pub struct TargetProgress {
    /// what people call the target: `R&D经费支出`
    pub name: String,
    /// the period the status is of, when there are figures
    pub period: Option<Period>,
    pub status: Status,
}

/// A quarter's progress report and the day it was filed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Filed {
    pub quarter: Quarter,
    pub on: NaiveDate,
}

/// What the light of a task is computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskFacts {
    /// the day the task was created (its plan imported)
    pub created: NaiveDate,
    pub deadline: Deadline,
    /// the day it was done (its completion report), if it is
    pub done_at: Option<NaiveDate>,
    /// its progress reports; one filed after the day asked about does not count on that day
    pub reports: Vec<Filed>,
    /// its linked targets, in the order they are shown
    pub targets: Vec<TargetProgress>,
}

impl TaskFacts {
    pub fn due_quarters(&self, on: NaiveDate) -> Vec<Quarter> {
        due_quarters(self.created, self.deadline, self.done_at, on)
    }

    /// Was the report of `quarter` filed by day `on`?
    pub fn reported(&self, quarter: Quarter, on: NaiveDate) -> bool {
        self.reports.iter().any(|r| r.quarter == quarter && r.on <= on)
    }

    /// The due quarters without a report on day `on`, oldest first.
    pub fn missing_reports(&self, on: NaiveDate) -> Vec<Quarter> {
        self.due_quarters(on).into_iter().filter(|q| !self.reported(*q, on)).collect()
    }
}

/// The reason a target's status gives, and whether it is red (else yellow); none for a target on
/// track, achieved, without a target or without figures.
fn target_reason(t: &TargetProgress) -> Option<(bool, Reason)> {
    let (red, code) = match t.status {
        Status::AtRisk => (true, ReasonCode::TargetAtRisk),
        Status::Missed => (true, ReasonCode::TargetMissed),
        Status::Behind => (false, ReasonCode::TargetBehind),
        Status::NoTarget | Status::NoData | Status::Achieved | Status::OnTrack => return None,
    };
    let when = match t.period {
        Some(Period::Quarter(q)) => q.ytd_label(),
        Some(Period::Year(y)) => format!("{y}年"),
        None => String::new(),
    };
    let message = format!("“{}”目标{when}完成情况为“{}”", t.name, t.status.label());
    Some((red, Reason::new(code, message)))
}

fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days()
}

/// The light of a task on day `on`. The first rule that holds decides the colour:
/// 1. green when done (`done_on_time`, or `done_late` when done after a dated deadline);
/// 2. red when the deadline is before `on` (`overdue`; never for a long-term task), a linked
///    target is `at_risk` or `missed`, or the reports of the last two due quarters are both
///    missing (`report_missing_twice`);
/// 3. yellow when a linked target is `behind` or the last due report is missing
///    (`report_missing`);
/// 4. blue when the deadline is 0–30 days after `on` (`deadline_near`);
/// 5. green otherwise (`on_schedule`).
///
/// The reasons list every rule that holds, the deciding colour's first, then red, yellow, blue.
/// Two readings keep the list free of repeats: when the last two reports are both missing,
/// `report_missing_twice` stands for the last one too (no separate `report_missing`); and a done
/// task's light lists its done reason and its targets' reasons only: the schedule rules (overdue,
/// reports, deadline near) press open tasks, and `done_late` already says a deadline was missed.
pub fn light(task: &TaskFacts, on: NaiveDate) -> Light {
    let mut red = Vec::new();
    let mut yellow = Vec::new();
    let mut blue = Vec::new();
    for (is_red, reason) in task.targets.iter().filter_map(target_reason) {
        if is_red { red.push(reason) } else { yellow.push(reason) }
    }

    if let Some(done) = task.done_at.filter(|d| *d <= on) {
        let reason = match task.deadline.date() {
            Some(deadline) if done > deadline => Reason::new(
                ReasonCode::DoneLate,
                format!(
                    "于{}办结，超过完成时限（{}）{}天",
                    date_label(done),
                    date_label(deadline),
                    days_between(deadline, done)
                ),
            ),
            _ => Reason::new(ReasonCode::DoneOnTime, format!("已于{}按时办结", date_label(done))),
        };
        let reasons = std::iter::once(reason).chain(red).chain(yellow).collect();
        return Light { color: Color::Green, reasons };
    }

    if let Some(deadline) = task.deadline.date() {
        let days_left = days_between(on, deadline);
        if days_left < 0 {
            red.insert(
                0,
                Reason::new(ReasonCode::Overdue, format!("已超过完成时限（{}）{}天", date_label(deadline), -days_left)),
            );
        } else if days_left <= NEAR_DAYS {
            let message = if days_left == 0 {
                format!("今天是完成时限（{}）", date_label(deadline))
            } else {
                format!("距完成时限（{}）还有{days_left}天", date_label(deadline))
            };
            blue.push(Reason::new(ReasonCode::DeadlineNear, message));
        }
    }

    let last_two = last_due_quarters(task.created, task.deadline, task.done_at, on);
    let missing: Vec<Quarter> = last_two.iter().copied().filter(|q| !task.reported(*q, on)).collect();
    match (last_two.as_slice(), missing.as_slice()) {
        ([_, _], [before, last]) => red.push(Reason::new(
            ReasonCode::ReportMissingTwice,
            format!("{}、{}连续两个季度进展情况未报送", before.label(), last.label()),
        )),
        ([.., last], [missing]) if last == missing => yellow.push(Reason::new(
            ReasonCode::ReportMissing,
            format!("{}进展情况未报送（应于{}前报送）", last.label(), date_label(report_due_by(*last))),
        )),
        _ => {}
    }

    let color = if !red.is_empty() {
        Color::Red
    } else if !yellow.is_empty() {
        Color::Yellow
    } else if !blue.is_empty() {
        Color::Blue
    } else {
        let message = match task.deadline {
            Deadline::Date(d) => format!("按计划推进，完成时限为{}", date_label(d)),
            Deadline::LongTerm => "长期任务，按计划推进、按季度报送进展".to_string(),
        };
        return Light { color: Color::Green, reasons: vec![Reason::new(ReasonCode::OnSchedule, message)] };
    };
    Light { color, reasons: red.into_iter().chain(yellow).chain(blue).collect() }
}

// ---------------------------------------------------------------------------------------------
// Supervision orders

/// `督办〔2024〕3号`: the `n`-th order issued in `year`.
pub fn order_number(year: i32, n: u32) -> String {
    format!("督办〔{year}〕{n}号")
}

/// The last day to answer an order issued on `issued`.
pub fn respond_by(issued: NaiveDate) -> NaiveDate {
    issued + Days::new(RESPOND_DAYS)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    /// issued, waiting for the lead department's answer
    Open,
    /// answered, waiting for an admin to close it
    Answered,
    Closed,
}

impl OrderState {
    pub const ALL: [OrderState; 3] = [OrderState::Open, OrderState::Answered, OrderState::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderState::Open => "open",
            OrderState::Answered => "answered",
            OrderState::Closed => "closed",
        }
    }

    pub fn parse(text: &str) -> Option<OrderState> {
        OrderState::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// 待答复 / 已答复 / 已办结
    pub fn label(self) -> &'static str {
        match self {
            OrderState::Open => "待答复",
            OrderState::Answered => "已答复",
            OrderState::Closed => "已办结",
        }
    }

    /// An order presses its task until it is closed: a run issues no second order for a task
    /// whose order is open or answered.
    pub fn outstanding(self) -> bool {
        self != OrderState::Closed
    }
}

/// What the rules read of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderFacts {
    pub respond_by: NaiveDate,
    pub responded_at: Option<NaiveDate>,
    pub closed_at: Option<NaiveDate>,
}

impl OrderFacts {
    /// The state on day `on`.
    pub fn state(&self, on: NaiveDate) -> OrderState {
        if self.closed_at.is_some_and(|d| d <= on) {
            OrderState::Closed
        } else if self.responded_at.is_some_and(|d| d <= on) {
            OrderState::Answered
        } else {
            OrderState::Open
        }
    }
}

/// An order's level on day `on`: 2 (escalated to the responsible leader) while it is unanswered
/// after `respond_by`, else 1. An answer, even a late one, brings it back to 1.
pub fn level(order: &OrderFacts, on: NaiveDate) -> u8 {
    if order.state(on) == OrderState::Open && on > order.respond_by { 2 } else { 1 }
}

/// Who acts on an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderActor {
    Admin,
    /// an officer of the task's lead department (牵头部门)
    LeadOfficer,
    /// anyone else: a viewer, an officer of another or a co-operating department
    Outsider,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderAction {
    Answer,
    Close,
}

/// The state after `action`, or why it may not happen: who may act first, then what the action
/// needs (an answer's text), then whether the state allows it. The lead department (or an admin)
/// answers an open order once; an admin closes an answered one.
pub fn order_transition(
    actor: OrderActor,
    from: OrderState,
    action: OrderAction,
    response: Option<&str>,
) -> Result<OrderState, Refusal> {
    use OrderState::*;
    match (action, actor) {
        (OrderAction::Answer, OrderActor::Outsider) => {
            return Err(Refusal::Forbidden("只有牵头部门的经办人或管理员可以答复督办单".into()));
        }
        (OrderAction::Close, OrderActor::LeadOfficer | OrderActor::Outsider) => {
            return Err(Refusal::Forbidden("只有管理员可以办结督办单".into()));
        }
        _ => {}
    }
    if action == OrderAction::Answer {
        let Some(text) = text::given(response) else {
            return Err(Refusal::Invalid {
                field: "response", message: "请填写答复内容（整改进展和措施）".into()
            });
        };
        if let Some(problem) = text::too_long(text, MAX_RESPONSE_CHARS) {
            return Err(Refusal::Invalid { field: "response", message: format!("答复内容{problem}") });
        }
    }
    match (action, from) {
        (OrderAction::Answer, Open) => Ok(Answered),
        (OrderAction::Answer, Answered) => Err(Refusal::Conflict("督办单已答复，正在等待管理员办结".into())),
        (OrderAction::Answer, Closed) => Err(Refusal::Conflict("督办单已办结，不能再答复".into())),
        (OrderAction::Close, Answered) => Ok(Closed),
        (OrderAction::Close, Open) => Err(Refusal::Conflict("督办单尚未答复，答复后才能办结".into())),
        (OrderAction::Close, Closed) => Err(Refusal::Conflict("督办单已办结".into())),
    }
}

/// The tasks a supervision run issues an order for, in the order given: every red task without
/// an outstanding (open or answered) order. A second run, after the first's orders are stored,
/// issues nothing.
pub fn to_issue<Id: Copy + PartialEq>(tasks: &[(Id, &Light)], outstanding_order_tasks: &[Id]) -> Vec<Id> {
    tasks
        .iter()
        .filter(|(id, light)| light.color == Color::Red && !outstanding_order_tasks.contains(id))
        .map(|(id, _)| *id)
        .collect()
}

/// A figure that shows a problem: an indicator of a region (R&D经费投入强度 of the district).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FigureLink {
    pub indicator: String,
    pub region: String,
}

/// A target a task must move: a region's target of an indicator for a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetLink {
    pub region: String,
    pub indicator: String,
    pub year: i32,
}

#[cfg(test)]
mod tests {
    use super::ReasonCode::*;
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn q(text: &str) -> Quarter {
        text.parse().unwrap()
    }

    fn date(text: &str) -> Deadline {
        Deadline::Date(d(text))
    }

    const LONG: Deadline = Deadline::LongTerm;

    /// A task created on `created` with `deadline`, open, no reports, no targets.
    fn task(created: &str, deadline: Deadline) -> TaskFacts {
        TaskFacts { created: d(created), deadline, done_at: None, reports: Vec::new(), targets: Vec::new() }
    }

    impl TaskFacts {
        fn done(mut self, on: &str) -> TaskFacts {
            self.done_at = Some(d(on));
            self
        }

        /// Reports of these quarters, each filed on its quarter's last allowed day.
        fn reported_for(mut self, quarters: &[&str]) -> TaskFacts {
            self.reports.extend(quarters.iter().map(|t| Filed { quarter: q(t), on: report_due_by(q(t)) }));
            self
        }

        fn filed(mut self, quarter: &str, on: &str) -> TaskFacts {
            self.reports.push(Filed { quarter: q(quarter), on: d(on) });
            self
        }

        fn target(mut self, name: &str, status: Status) -> TaskFacts {
            self.targets.push(TargetProgress { name: name.into(), period: Some(Period::Quarter(q("2023Q3"))), status });
            self
        }
    }

    #[test]
    fn a_quarter_s_report_is_due_up_to_the_fifteenth_day_after_it_ends() {
        let cases = [
            ("2023Q1", "2023-04-15"),
            ("2023Q2", "2023-07-15"),
            ("2023Q3", "2023-10-15"),
            ("2023Q4", "2024-01-15"),
            ("2024Q1", "2024-04-15"),
        ];
        for (quarter, want) in cases {
            assert_eq!(report_due_by(q(quarter)), d(want), "{quarter}");
        }
    }

    #[test]
    fn due_quarters_around_every_boundary() {
        // (case, created, deadline, done_at, on, due quarters)
        let cases: &[(&str, &str, Deadline, Option<&str>, &str, &[&str])] = &[
            ("the last day of the grace: Q1 not yet due", "2023-03-10", LONG, None, "2023-04-15", &[]),
            ("the day after the grace: Q1 due", "2023-03-10", LONG, None, "2023-04-16", &["2023Q1"]),
            ("Q2 on its last allowed day", "2023-03-10", LONG, None, "2023-07-15", &["2023Q1"]),
            ("Q2 the day after", "2023-03-10", LONG, None, "2023-07-16", &["2023Q1", "2023Q2"]),
            ("created mid-quarter: that quarter is due", "2023-02-14", LONG, None, "2023-07-16", &["2023Q1", "2023Q2"]),
            ("created the day before the quarter's last", "2023-03-30", LONG, None, "2023-04-16", &["2023Q1"]),
            ("created on the quarter's last day: not due", "2023-03-31", LONG, None, "2023-07-16", &["2023Q2"]),
            ("created on the next quarter's first day", "2023-04-01", LONG, None, "2023-07-16", &["2023Q2"]),
            ("across the year", "2023-11-01", LONG, None, "2024-01-15", &[]),
            ("across the year, the day after", "2023-11-01", LONG, None, "2024-01-16", &["2023Q4"]),
            (
                "long-term: every quarter",
                "2023-11-01",
                LONG,
                None,
                "2024-10-16",
                &["2023Q4", "2024Q1", "2024Q2", "2024Q3"],
            ),
            (
                "dated: none after the deadline's quarter",
                "2023-03-10",
                date("2023-06-30"),
                None,
                "2024-06-01",
                &["2023Q1", "2023Q2"],
            ),
            (
                "dated mid-quarter: its quarter is due",
                "2023-03-10",
                date("2023-08-15"),
                None,
                "2024-06-01",
                &["2023Q1", "2023Q2", "2023Q3"],
            ),
            (
                "done on the last allowed day: that report is not due",
                "2023-03-10",
                LONG,
                Some("2023-07-15"),
                "2024-06-01",
                &["2023Q1"],
            ),
            (
                "done the day after: it was due",
                "2023-03-10",
                LONG,
                Some("2023-07-16"),
                "2024-06-01",
                &["2023Q1", "2023Q2"],
            ),
            (
                "done after the day asked about: still open then",
                "2023-03-10",
                LONG,
                Some("2024-01-01"),
                "2023-10-16",
                &["2023Q1", "2023Q2", "2023Q3"],
            ),
            ("a day before the task was created", "2023-03-10", LONG, None, "2023-01-01", &[]),
            ("a deadline before the task was created", "2023-03-10", date("2022-12-31"), None, "2024-01-01", &[]),
        ];
        for (case, created, deadline, done_at, on, want) in cases {
            let got = due_quarters(d(created), *deadline, done_at.map(d), d(on));
            let want: Vec<Quarter> = want.iter().map(|t| q(t)).collect();
            assert_eq!(got, want, "{case}");
        }
    }

    #[test]
    fn the_last_due_quarters_are_at_most_two_oldest_first() {
        let cases: &[(&str, &[&str])] = &[
            ("2023-04-15", &[]),
            ("2023-04-16", &["2023Q1"]),
            ("2023-07-16", &["2023Q1", "2023Q2"]),
            ("2024-01-16", &["2023Q3", "2023Q4"]),
        ];
        for (on, want) in cases {
            let want: Vec<Quarter> = want.iter().map(|t| q(t)).collect();
            assert_eq!(last_due_quarters(d("2023-03-10"), LONG, None, d(on)), want, "on {on}");
        }
    }

    #[test]
    fn every_rule_of_the_light_and_its_order_around_every_boundary() {
        use Color::*;
        // A dated task with every report in, and a long-term one; each row adds what it tests.
        let dated = || task("2023-03-10", date("2023-12-31")).reported_for(&["2023Q1", "2023Q2", "2023Q3"]);
        let long = || task("2023-03-10", LONG);
        let cases: Vec<(&str, TaskFacts, &str, Color, &[ReasonCode])> = vec![
            // the 15-day grace of a report
            ("Q1's last allowed day: nothing due yet", long(), "2023-04-15", Green, &[OnSchedule]),
            ("the day after: Q1's report missing", long(), "2023-04-16", Yellow, &[ReportMissing]),
            ("Q1's report in", long().reported_for(&["2023Q1"]), "2023-04-16", Green, &[OnSchedule]),
            (
                "a report filed after the day asked about",
                long().filed("2023Q1", "2023-04-20"),
                "2023-04-19",
                Yellow,
                &[ReportMissing],
            ),
            (
                "the same report on the day it is filed, late",
                long().filed("2023Q1", "2023-04-20"),
                "2023-04-20",
                Green,
                &[OnSchedule],
            ),
            // created mid-quarter vs on the quarter's last day
            (
                "created mid-quarter: its quarter is due",
                task("2023-03-30", LONG),
                "2023-04-16",
                Yellow,
                &[ReportMissing],
            ),
            (
                "created on the quarter's last day: not due",
                task("2023-03-31", LONG),
                "2023-04-16",
                Green,
                &[OnSchedule],
            ),
            ("created after the quarter: not due", task("2023-04-01", LONG), "2023-04-16", Green, &[OnSchedule]),
            // one missing report vs two
            ("Q2 on its last allowed day: only Q1 missing", long(), "2023-07-15", Yellow, &[ReportMissing]),
            ("two due reports missing", long(), "2023-07-16", Red, &[ReportMissingTwice]),
            ("the last of two missing", long().reported_for(&["2023Q1"]), "2023-07-16", Yellow, &[ReportMissing]),
            ("the one before the last missing", long().reported_for(&["2023Q2"]), "2023-07-16", Green, &[OnSchedule]),
            (
                "two missing after older ones in",
                long().reported_for(&["2023Q1"]),
                "2023-10-16",
                Red,
                &[ReportMissingTwice],
            ),
            (
                "two missing across the year",
                task("2023-08-01", LONG).reported_for(&["2023Q3"]),
                "2024-04-16",
                Red,
                &[ReportMissingTwice],
            ),
            // 31 and 30 days before a deadline, the deadline day, the day after
            ("31 days before the deadline", dated(), "2023-11-30", Green, &[OnSchedule]),
            ("30 days before the deadline", dated(), "2023-12-01", Blue, &[DeadlineNear]),
            ("the deadline day itself: not yet overdue", dated(), "2023-12-31", Blue, &[DeadlineNear]),
            ("the day after the deadline", dated(), "2024-01-01", Red, &[Overdue]),
            (
                "overdue with the deadline quarter's report missing",
                dated(),
                "2024-01-16",
                Red,
                &[Overdue, ReportMissing],
            ),
            (
                "overdue: no reports due after the deadline's quarter",
                dated().reported_for(&["2023Q4"]),
                "2024-07-16",
                Red,
                &[Overdue],
            ),
            // done on the deadline vs the day after
            ("done on the deadline", dated().done("2023-12-31"), "2024-01-01", Green, &[DoneOnTime]),
            ("done the day after the deadline", dated().done("2024-01-01"), "2024-01-01", Green, &[DoneLate]),
            (
                "done later than the day asked about: still open, overdue",
                dated().done("2024-01-05"),
                "2024-01-03",
                Red,
                &[Overdue],
            ),
            ("done early: no deadline near", dated().done("2023-11-20"), "2023-12-20", Green, &[DoneOnTime]),
            ("a done long-term task", long().done("2023-05-01"), "2025-01-01", Green, &[DoneOnTime]),
            (
                "a done task stays green with a red target",
                dated().done("2023-12-20").target("R&D经费支出", Status::AtRisk),
                "2024-01-20",
                Green,
                &[DoneOnTime, TargetAtRisk],
            ),
            (
                "a task done late keeps its targets' reasons",
                dated().done("2024-02-01").target("专利授权量", Status::Missed),
                "2024-03-01",
                Green,
                &[DoneLate, TargetMissed],
            ),
            // long-term: never overdue, never blue
            (
                "long-term years on, reports in",
                long().reported_for(&["2030Q3", "2030Q4"]),
                "2031-01-31",
                Green,
                &[OnSchedule],
            ),
            (
                "long-term on the last day of a year",
                long().reported_for(&["2030Q2", "2030Q3"]),
                "2030-12-31",
                Green,
                &[OnSchedule],
            ),
            // the targets' statuses
            ("a target at risk", dated().target("R&D经费支出", Status::AtRisk), "2023-11-01", Red, &[TargetAtRisk]),
            ("a target missed", dated().target("R&D经费支出", Status::Missed), "2023-11-01", Red, &[TargetMissed]),
            ("a target behind", dated().target("R&D经费支出", Status::Behind), "2023-11-01", Yellow, &[TargetBehind]),
            (
                "targets on track, achieved, without data or target",
                dated()
                    .target("a", Status::OnTrack)
                    .target("b", Status::Achieved)
                    .target("c", Status::NoData)
                    .target("d", Status::NoTarget),
                "2023-11-01",
                Green,
                &[OnSchedule],
            ),
            // the order of the rules, with all reasons listed
            (
                "red beats yellow",
                dated().target("a", Status::Behind).target("b", Status::AtRisk),
                "2023-11-01",
                Red,
                &[TargetAtRisk, TargetBehind],
            ),
            ("red beats blue", dated().target("a", Status::Missed), "2023-12-15", Red, &[TargetMissed, DeadlineNear]),
            (
                "yellow beats blue",
                dated().target("a", Status::Behind),
                "2023-12-15",
                Yellow,
                &[TargetBehind, DeadlineNear],
            ),
            (
                "a missing report and a near deadline",
                task("2023-03-10", date("2023-12-31")).reported_for(&["2023Q1", "2023Q2"]),
                "2023-12-15",
                Yellow,
                &[ReportMissing, DeadlineNear],
            ),
            (
                "every rule at once: red first, then yellow, then blue",
                task("2023-03-10", date("2023-12-31"))
                    .reported_for(&["2023Q1"])
                    .target("a", Status::Behind)
                    .target("b", Status::AtRisk)
                    .target("c", Status::Missed),
                "2023-12-01",
                Red,
                &[TargetAtRisk, TargetMissed, ReportMissingTwice, TargetBehind, DeadlineNear],
            ),
            (
                "overdue, targets and a missing report",
                dated().target("a", Status::Missed).target("b", Status::Behind),
                "2024-01-16",
                Red,
                &[Overdue, TargetMissed, TargetBehind, ReportMissing],
            ),
        ];
        for (case, facts, on, color, codes) in &cases {
            let light = light(facts, d(on));
            assert_eq!((light.color, light.codes()), (*color, codes.to_vec()), "{case} (on {on})");
        }
    }

    #[test]
    fn the_reasons_name_the_deadline_the_target_and_the_quarter() {
        let t = task("2023-03-10", date("2023-12-31"));
        let cases: Vec<(TaskFacts, &str, Vec<&str>)> = vec![
            (
                t.clone(),
                "2024-01-03",
                vec!["已超过完成时限（2023年12月31日）3天", "2023年二季度、2023年三季度连续两个季度进展情况未报送"],
            ),
            (
                t.clone().reported_for(&["2023Q1"]),
                "2023-07-16",
                vec!["2023年二季度进展情况未报送（应于2023年7月15日前报送）"],
            ),
            (
                t.clone().reported_for(&["2023Q1", "2023Q2", "2023Q3"]),
                "2023-12-01",
                vec!["距完成时限（2023年12月31日）还有30天"],
            ),
            (
                t.clone().reported_for(&["2023Q1", "2023Q2", "2023Q3"]),
                "2023-12-31",
                vec!["今天是完成时限（2023年12月31日）"],
            ),
            (t.clone().reported_for(&["2023Q1", "2023Q2"]), "2023-09-01", vec!["按计划推进，完成时限为2023年12月31日"]),
            (
                task("2023-03-10", LONG).reported_for(&["2023Q1"]),
                "2023-05-01",
                vec!["长期任务，按计划推进、按季度报送进展"],
            ),
            (t.clone().done("2023-12-20"), "2024-01-01", vec!["已于2023年12月20日按时办结"]),
            (t.clone().done("2024-01-05"), "2024-02-01", vec!["于2024年1月5日办结，超过完成时限（2023年12月31日）5天"]),
            (
                t.clone()
                    .reported_for(&["2023Q1", "2023Q2"])
                    .target("R&D经费支出", Status::AtRisk)
                    .target("技术合同成交额", Status::Behind),
                "2023-10-15",
                vec![
                    "“R&D经费支出”目标2023年1-3季度完成情况为“明显滞后”",
                    "“技术合同成交额”目标2023年1-3季度完成情况为“略低于序时进度”",
                ],
            ),
        ];
        for (facts, on, want) in cases {
            assert_eq!(light(&facts, d(on)).messages(), want, "on {on}");
        }
        let at_year_end =
            TargetProgress {
                name: "发明专利授权量".into(), period: Some(Period::Year(2023)), status: Status::Missed
            };
        let without_period = TargetProgress { name: "高层次人才".into(), period: None, status: Status::Behind };
        let facts = TaskFacts { targets: vec![at_year_end, without_period], ..task("2023-03-10", LONG) };
        assert_eq!(
            light(&facts, d("2023-04-01")).messages(),
            ["“发明专利授权量”目标2023年完成情况为“未完成”", "“高层次人才”目标完成情况为“略低于序时进度”"]
        );
    }

    #[test]
    fn a_light_is_served_as_its_colour_and_coded_reasons() {
        let light = light(&task("2023-03-10", date("2023-12-31")), d("2024-01-01"));
        assert_eq!(
            serde_json::to_value(&light).unwrap(),
            serde_json::json!({"color": "red", "reasons": [
                {"code": "overdue", "message": "已超过完成时限（2023年12月31日）1天"},
                {"code": "report_missing_twice", "message": "2023年二季度、2023年三季度连续两个季度进展情况未报送"},
            ]})
        );
        for c in Color::ALL {
            assert_eq!(Color::parse(c.as_str()), Some(c));
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
        assert_eq!(Color::parse("orange"), None);
        assert_eq!(serde_json::to_value(ReasonCode::ReportMissingTwice).unwrap(), "report_missing_twice");
        assert_eq!(ReasonCode::ReportMissingTwice.as_str(), "report_missing_twice");
        assert_eq!(serde_json::to_value(TaskStatus::Done).unwrap(), "done");
        assert_eq!((TaskStatus::parse("open"), TaskStatus::parse("closed")), (Some(TaskStatus::Open), None));
        let done = Some(d("2023-12-20"));
        assert_eq!(
            (
                TaskStatus::on(done, d("2023-12-19")),
                TaskStatus::on(done, d("2023-12-20")),
                TaskStatus::on(None, d("2030-01-01"))
            ),
            (TaskStatus::Open, TaskStatus::Done, TaskStatus::Open)
        );
    }

    #[test]
    fn deadlines_are_a_day_or_long_term_on_the_wire_and_in_chinese() {
        let cases: &[(&str, Option<Deadline>)] = &[
            ("2023-12-31", Some(date("2023-12-31"))),
            ("2024-02-29", Some(date("2024-02-29"))),
            ("long_term", Some(LONG)),
            ("2023-02-29", None),
            ("2023-13-01", None),
            ("2023-12-32", None),
            ("2023-1-5", None),
            ("2023-01-5", None),
            ("2023/12/31", None),
            ("2023.12", None),
            ("2023-12-31 ", None),
            ("+2023-12-31", None),
            ("1899-12-31", None),
            ("Long_term", None),
            ("长期", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(text.parse::<Deadline>().ok(), *want, "{text:?}");
            let json = serde_json::to_string(text).unwrap();
            assert_eq!(serde_json::from_str::<Deadline>(&json).ok(), *want, "{json}");
            if let Some(deadline) = want {
                assert_eq!(serde_json::to_value(deadline).unwrap(), *text);
                assert_eq!(deadline.to_string(), *text);
            }
        }
        let error = serde_json::from_str::<Deadline>(r#""2023-13-01""#).unwrap_err().to_string();
        assert!(error.starts_with("“2023-13-01”不是有效的完成时限：应为日期 YYYY-MM-DD"), "{error}");
        assert!(serde_json::from_str::<Deadline>("20231231").is_err());
        assert_eq!(date("2023-12-31").label(), "2023年12月31日");
        assert_eq!(date("2024-01-05").label(), "2024年1月5日");
        assert_eq!(LONG.label(), "长期");
        assert_eq!((date("2023-12-31").date(), LONG.date()), (Some(d("2023-12-31")), None));
    }

    #[test]
    fn the_deadline_schema_is_a_string_with_the_parsed_pattern() {
        use utoipa::PartialSchema;
        let schema = serde_json::to_value(Deadline::schema()).unwrap();
        assert_eq!(schema["type"], "string");
        assert_eq!(schema["pattern"], Deadline::PATTERN);
    }

    #[test]
    fn orders_are_numbered_per_year_and_answered_within_ten_days() {
        assert_eq!(order_number(2024, 3), "督办〔2024〕3号");
        assert_eq!(order_number(2023, 12), "督办〔2023〕12号");
        assert_eq!(respond_by(d("2024-01-20")), d("2024-01-30"));
        assert_eq!(respond_by(d("2023-12-25")), d("2024-01-04"));
    }

    #[test]
    fn an_order_is_escalated_the_day_after_respond_by_while_unanswered() {
        let issued = d("2024-01-20");
        let order = |responded: Option<&str>, closed: Option<&str>| OrderFacts {
            respond_by: respond_by(issued),
            responded_at: responded.map(d),
            closed_at: closed.map(d),
        };
        // (case, order, on, state, level)
        let cases = [
            ("the day it is issued", order(None, None), "2024-01-20", OrderState::Open, 1),
            ("on respond_by, unanswered", order(None, None), "2024-01-30", OrderState::Open, 1),
            ("the day after respond_by, unanswered", order(None, None), "2024-01-31", OrderState::Open, 2),
            ("answered on respond_by", order(Some("2024-01-30"), None), "2024-02-10", OrderState::Answered, 1),
            ("answered late, before the answer", order(Some("2024-02-05"), None), "2024-02-04", OrderState::Open, 2),
            ("answered late, from the answer", order(Some("2024-02-05"), None), "2024-02-05", OrderState::Answered, 1),
            ("closed", order(Some("2024-01-25"), Some("2024-01-28")), "2024-03-01", OrderState::Closed, 1),
            (
                "answered, before it was closed",
                order(Some("2024-01-25"), Some("2024-01-28")),
                "2024-01-27",
                OrderState::Answered,
                1,
            ),
        ];
        for (case, facts, on, state, want) in cases {
            assert_eq!((facts.state(d(on)), level(&facts, d(on))), (state, want), "{case}");
        }
    }

    #[test]
    fn every_order_transition_and_refusal() {
        use OrderAction::*;
        use OrderActor::*;
        use OrderState::*;
        let answer = Some("已召开专题会议，制定R&D投入提升方案");
        let long = "答".repeat(MAX_RESPONSE_CHARS + 1);
        // (actor, from, action, response, the new state or the refusal's message)
        let cases: Vec<(OrderActor, OrderState, OrderAction, Option<&str>, Result<OrderState, Refusal>)> = vec![
            (LeadOfficer, Open, Answer, answer, Ok(Answered)),
            (Admin, Open, Answer, answer, Ok(Answered)),
            (
                LeadOfficer,
                Open,
                Answer,
                None,
                Err(Refusal::Invalid {
                    field: "response", message: "请填写答复内容（整改进展和措施）".into()
                }),
            ),
            (
                LeadOfficer,
                Open,
                Answer,
                Some(" \u{3000} "),
                Err(Refusal::Invalid {
                    field: "response", message: "请填写答复内容（整改进展和措施）".into()
                }),
            ),
            (
                LeadOfficer,
                Open,
                Answer,
                Some(long.as_str()),
                Err(Refusal::Invalid { field: "response", message: "答复内容最多 2000 个字".into() }),
            ),
            (LeadOfficer, Answered, Answer, answer, Err(Refusal::Conflict("督办单已答复，正在等待管理员办结".into()))),
            (LeadOfficer, Closed, Answer, answer, Err(Refusal::Conflict("督办单已办结，不能再答复".into()))),
            (Admin, Closed, Answer, answer, Err(Refusal::Conflict("督办单已办结，不能再答复".into()))),
            (
                Outsider,
                Open,
                Answer,
                answer,
                Err(Refusal::Forbidden("只有牵头部门的经办人或管理员可以答复督办单".into())),
            ),
            (Admin, Answered, Close, None, Ok(Closed)),
            (Admin, Open, Close, None, Err(Refusal::Conflict("督办单尚未答复，答复后才能办结".into()))),
            (Admin, Closed, Close, None, Err(Refusal::Conflict("督办单已办结".into()))),
            (LeadOfficer, Answered, Close, None, Err(Refusal::Forbidden("只有管理员可以办结督办单".into()))),
            (Outsider, Answered, Close, None, Err(Refusal::Forbidden("只有管理员可以办结督办单".into()))),
        ];
        for (actor, from, action, response, want) in cases {
            assert_eq!(order_transition(actor, from, action, response), want, "{actor:?} {action:?} from {from:?}");
        }
        for s in OrderState::ALL {
            assert_eq!(OrderState::parse(s.as_str()), Some(s));
        }
        assert_eq!(OrderState::ALL.map(OrderState::outstanding), [true, true, false]);
        assert_eq!(OrderState::ALL.map(OrderState::label), ["待答复", "已答复", "已办结"]);
    }

    #[test]
    fn a_run_issues_orders_for_red_tasks_without_an_outstanding_order_once() {
        let on = d("2024-01-20");
        let overdue = light(&task("2023-03-10", date("2023-12-31")), on);
        let behind = light(&task("2024-01-01", LONG).target("a", Status::Behind), on);
        let fine = light(&task("2024-01-01", LONG), on);
        let at_risk = light(&task("2024-01-01", LONG).target("a", Status::AtRisk), on);
        assert_eq!(
            [overdue.color, behind.color, fine.color, at_risk.color],
            [Color::Red, Color::Yellow, Color::Green, Color::Red]
        );
        let tasks = [(1_i64, &overdue), (2, &behind), (3, &fine), (4, &at_risk), (5, &overdue)];
        // (case, tasks with an outstanding order, tasks issued)
        let cases: &[(&str, &[i64], &[i64])] = &[
            ("no orders yet: every red task", &[], &[1, 4, 5]),
            ("one red task has an order", &[4], &[1, 5]),
            ("orders for tasks that are not red change nothing", &[2, 3], &[1, 4, 5]),
        ];
        for (case, outstanding, want) in cases {
            assert_eq!(to_issue(&tasks, outstanding), *want, "{case}");
        }
        // idempotent: once the first run's orders are stored, a second run issues nothing
        let first = to_issue(&tasks, &[]);
        assert_eq!(to_issue(&tasks, &first), Vec::<i64>::new());
    }
}
