//! The reporting workflow and quarter locks: moving a region's quarter through
//! `domain::workflow`'s states, approving many at once, locking whole quarters, and telling
//! `values::check` whether figures may still be written. Every change is audited with its
//! comment or reason, scoped by region and period so that `/audit?region=&period=` finds it.

use std::collections::{HashMap, HashSet};

use rusqlite::Connection;
use serde::Serialize;

use super::{Scope, World, audit_change, require_admin, world};
use crate::domain::access::User;
use crate::domain::workflow::{self, Access, Action, Actor, Refusal, State};
use crate::domain::{FieldError, Period, Quarter, Region, RegionId, RegionKind, text};
use crate::error::{AppError, AppResult};
use crate::store::{self, workflow::LockRow, workflow::StateRow};

/// The reporting state of one region's quarter.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RegionState {
    #[schema(example = "town-jia")]
    pub region: String,
    #[schema(example = "甲镇")]
    pub name: String,
    #[schema(example = "2023Q3")]
    pub period: String,
    pub state: State,
    /// the comment of the latest change (a return's says what to correct)
    pub comment: Option<String>,
    /// when and by whom the state last changed; null for a draft nobody has moved
    pub at: Option<String>,
    pub by: Option<String>,
    /// when the submission under review or approved was made
    pub submitted_at: Option<String>,
}

impl RegionState {
    fn new(region: &Region, quarter: Quarter, row: Option<&StateRow>) -> RegionState {
        RegionState {
            region: region.id.to_string(),
            name: region.name.clone(),
            period: quarter.to_string(),
            state: row.map_or(State::Draft, |r| r.state),
            comment: row.and_then(|r| r.comment.clone()),
            at: row.map(|r| r.changed_at.clone()),
            by: row.map(|r| r.changed_by.clone()),
            submitted_at: row.and_then(|r| r.submitted_at.clone()),
        }
    }
}

/// What the audit keeps of a state.
#[derive(Serialize)]
struct Audited<'a> {
    state: State,
    comment: Option<&'a str>,
}

/// A region whose quarters go through the workflow: a hierarchy region without children.
fn reporting<'w>(world: &'w World, id: &str, field: &str) -> AppResult<&'w Region> {
    let region = world.region(id)?;
    world.tree.reporting(region).map_err(|not| AppError::invalid(field, not.to_string()))?;
    Ok(region)
}

fn not_future(quarter: Quarter, current: Quarter) -> AppResult<()> {
    if !Period::from(quarter).has_begun(current) {
        return Err(AppError::invalid("period", format!("{}还没有开始，不能报送", quarter.label())));
    }
    Ok(())
}

fn comment_of(comment: Option<&str>) -> AppResult<Option<&str>> {
    text::comment(comment).map_err(|message| AppError::invalid("comment", message))
}

fn refused(refusal: Refusal, region: &str, quarter: Quarter) -> AppError {
    match refusal {
        Refusal::Forbidden(m) => AppError::Forbidden(format!("{region}{}：{m}", quarter.label())),
        Refusal::Conflict(m) => AppError::Conflict(format!("{region}{}：{m}", quarter.label())),
        Refusal::Invalid { field, message } => AppError::invalid(field, message),
    }
}

/// Moves one region's quarter from `old` to `to`, stores and audits it.
#[allow(clippy::too_many_arguments)]
fn apply(
    conn: &Connection,
    user: &User,
    region: &Region,
    quarter: Quarter,
    old: Option<StateRow>,
    action: Action,
    to: State,
    comment: Option<&str>,
    at: &str,
) -> AppResult<RegionState> {
    let from = old.as_ref().map_or(State::Draft, |r| r.state);
    let (submitted_by, submitted_at) = match to {
        State::Submitted => (Some(user.name.clone()), Some(at.to_string())),
        State::Approved => {
            (old.as_ref().and_then(|r| r.submitted_by.clone()), old.as_ref().and_then(|r| r.submitted_at.clone()))
        }
        State::Draft | State::Returned => (None, None),
    };
    let row = StateRow {
        region: region.id.to_string(),
        quarter,
        state: to,
        comment: comment.map(str::to_string),
        changed_by: user.name.clone(),
        changed_at: at.to_string(),
        submitted_by,
        submitted_at,
    };
    store::workflow::save(conn, &row)?;
    let key = format!("{}/{quarter}", region.id);
    let scope = Scope {
        region: Some(region.id.as_str()),
        period: Some(quarter.to_string()),
        reason: comment,
        ..Default::default()
    };
    let old_state = Audited { state: from, comment: old.as_ref().and_then(|r| r.comment.as_deref()) };
    let new_state = Audited { state: to, comment };
    audit_change(conn, &user.name, action.as_str(), "workflow", &key, scope, Some(&old_state), Some(&new_state))?;
    Ok(RegionState::new(region, quarter, Some(&row)))
}

/// `submit`, `approve` or `return` one region's quarter.
pub fn act(
    conn: &Connection,
    user: &User,
    region: &str,
    quarter: Quarter,
    action: Action,
    comment: Option<&str>,
    current: Quarter,
) -> AppResult<RegionState> {
    let world = world(conn)?;
    let region = reporting(&world, region, "region")?;
    not_future(quarter, current)?;
    let comment = comment_of(comment)?;
    let old = store::workflow::get(conn, region.id.as_str(), quarter)?;
    let from = old.as_ref().map_or(State::Draft, |r| r.state);
    let actor = Actor::of(user, &world.tree, region.id.as_str());
    let to = workflow::transition(actor, from, action, comment).map_err(|r| refused(r, &region.name, quarter))?;
    apply(conn, user, region, quarter, old, action, to, comment, &store::now())
}

/// Approves the submissions of many regions of one quarter: all of them, or none when any
/// region is unknown, not a reporting region, named twice (422) or not submitted (409).
pub fn approve_many(
    conn: &Connection,
    user: &User,
    quarter: Quarter,
    regions: &[String],
    comment: Option<&str>,
    current: Quarter,
) -> AppResult<Vec<RegionState>> {
    require_admin(user)?;
    if regions.is_empty() {
        return Err(AppError::invalid("regions", "请至少指定一个地区"));
    }
    let world = world(conn)?;
    not_future(quarter, current)?;
    let comment = comment_of(comment)?;
    let mut invalid = Vec::new();
    let mut seen = HashSet::new();
    let mut found = Vec::new();
    for (i, id) in regions.iter().enumerate() {
        let field = format!("regions[{i}]");
        match reporting(&world, id, &field) {
            Ok(_) if !seen.insert(id.as_str()) => invalid.push(FieldError::new(field, format!("“{id}”重复了"))),
            Ok(region) => found.push(region),
            Err(AppError::NotFound(m)) => invalid.push(FieldError::new(field, m)),
            Err(AppError::Invalid(errors)) => invalid.extend(errors),
            Err(e) => return Err(e),
        }
    }
    if !invalid.is_empty() {
        return Err(AppError::Invalid(invalid));
    }
    let mut stored = states_of(conn, quarter)?;
    let mut planned = Vec::with_capacity(found.len());
    let mut conflicts = Vec::new();
    for region in found {
        let old = stored.remove(region.id.as_str());
        let from = old.as_ref().map_or(State::Draft, |r| r.state);
        match workflow::transition(Actor::Admin, from, Action::Approve, comment) {
            Ok(to) => planned.push((region, old, to)),
            Err(_) => conflicts.push(format!("{}（{}）", region.name, from.label())),
        }
    }
    if !conflicts.is_empty() {
        return Err(AppError::Conflict(format!(
            "只能审核已上报的数据；以下地区尚未上报，本次没有审核任何地区：{}",
            conflicts.join("、")
        )));
    }
    let at = store::now();
    planned
        .into_iter()
        .map(|(region, old, to)| apply(conn, user, region, quarter, old, Action::Approve, to, comment, &at))
        .collect()
}

/// Every reporting region below `parent` (default: all of them) with its state, in display order.
pub fn list(conn: &Connection, quarter: Quarter, parent: Option<&RegionId>) -> AppResult<Vec<RegionState>> {
    let world = world(conn)?;
    let mut stored = states_of(conn, quarter)?;
    Ok(reporting_regions(&world, parent.map(RegionId::as_str))?
        .into_iter()
        .map(|r| RegionState::new(r, quarter, stored.remove(r.id.as_str()).as_ref()))
        .collect())
}

/// The reporting regions below `parent`, or below every root when there is none.
pub(super) fn reporting_regions<'w>(world: &'w World, parent: Option<&str>) -> AppResult<Vec<&'w Region>> {
    match parent {
        Some(p) if world.region(p)?.kind == RegionKind::Benchmark => {
            Err(AppError::invalid("parent", "对标地区不按季度报送"))
        }
        Some(p) => world.tree.reporting_under(p).into_iter().map(|r| world.region(r.as_str())).collect(),
        None => Ok(world.tree.reporting_regions()),
    }
}

/// The states of a quarter by region, for those who list many regions (completeness).
pub(super) fn states_of(conn: &Connection, quarter: Quarter) -> AppResult<HashMap<String, StateRow>> {
    Ok(store::workflow::of_quarter(conn, quarter)?.into_iter().map(|r| (r.region.clone(), r)).collect())
}

/// A whole quarter locked by the bureau.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Lock {
    #[schema(value_type = String, example = "2023Q3")]
    #[serde(serialize_with = "as_text")]
    pub period: Quarter,
    /// whether the quarter is locked now (false in the answer to an unlock)
    pub locked: bool,
    pub reason: Option<String>,
    pub by: String,
    pub at: String,
}

fn as_text<S: serde::Serializer>(q: &Quarter, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(q)
}

/// A stored lock is a quarter locked now.
impl From<LockRow> for Lock {
    fn from(r: LockRow) -> Lock {
        Lock { period: r.period, locked: true, reason: r.reason, by: r.by, at: r.at }
    }
}

/// Locks a whole quarter (admin): its figures are closed to everyone but an admin with a reason.
/// Locking a locked quarter again replaces its reason.
pub fn lock(conn: &Connection, user: &User, quarter: Quarter, reason: Option<&str>) -> AppResult<Lock> {
    require_admin(user)?;
    let Some(reason) = text::comment(reason).map_err(|message| AppError::invalid("reason", message))? else {
        return Err(AppError::invalid("reason", "请说明锁定的原因"));
    };
    let old = store::workflow::lock(conn, quarter)?.map(Lock::from);
    let row = LockRow { period: quarter, reason: Some(reason.to_string()), by: user.name.clone(), at: store::now() };
    store::workflow::save_lock(conn, &row)?;
    let new = Lock::from(row);
    let action = if old.is_some() { "update" } else { "lock" };
    let scope = Scope { period: Some(quarter.to_string()), reason: Some(reason), ..Default::default() };
    audit_change(conn, &user.name, action, "lock", &quarter.to_string(), scope, old.as_ref(), Some(&new))?;
    Ok(new)
}

/// Unlocks a quarter (admin); 404 when it is not locked. The answer is the unlock itself.
pub fn unlock(conn: &Connection, user: &User, quarter: Quarter, reason: Option<&str>) -> AppResult<Lock> {
    require_admin(user)?;
    let reason = text::comment(reason).map_err(|message| AppError::invalid("reason", message))?;
    let Some(old) = store::workflow::lock(conn, quarter)?.map(Lock::from) else {
        return Err(AppError::NotFound(format!("{}没有锁定", quarter.label())));
    };
    store::workflow::delete_lock(conn, quarter)?;
    let new = Lock {
        period: quarter,
        locked: false,
        reason: reason.map(str::to_string),
        by: user.name.clone(),
        at: store::now(),
    };
    let scope = Scope { period: Some(quarter.to_string()), reason, ..Default::default() };
    audit_change(conn, &user.name, "unlock", "lock", &quarter.to_string(), scope, Some(&old), Some(&new))?;
    Ok(new)
}

pub fn locks(conn: &Connection) -> AppResult<Vec<Lock>> {
    Ok(store::workflow::locks(conn)?.into_iter().map(Lock::from).collect())
}

/// Whether the figures of `region` for `period` are closed, and to whom: `None` when anyone who
/// may write the region may write them.
fn closure(conn: &Connection, region: &str, period: Period) -> AppResult<Option<(Quarter, State, bool)>> {
    let quarter = match period {
        Period::Quarter(q) => q,
        // A reporting region's annual figure is part of the year's last round: Q4 closes it.
        // Benchmarks' figures are the bureau's own and never closed.
        Period::Year(year) => match store::regions::get(conn, region)? {
            Some(r) if r.kind != RegionKind::Benchmark => Period::Year(year).round(),
            _ => return Ok(None),
        },
    };
    let state = store::workflow::get(conn, region, quarter)?.map_or(State::Draft, |r| r.state);
    let locked = store::workflow::lock(conn, quarter)?.is_some();
    Ok(Some((quarter, state, locked)))
}

/// May `user` write figures of `region` for `period` now (409 when not)? Their right to write the
/// region at all is checked before.
pub(super) fn check_write(
    conn: &Connection,
    user: &User,
    region: &str,
    period: Period,
    reason: Option<&str>,
) -> AppResult<Access> {
    let Some((quarter, state, locked)) = closure(conn, region, period)? else { return Ok(Access::Open) };
    workflow::write_access(user.is_admin(), state, locked, reason).map_err(|closed| {
        // the region as people know it
        let name = store::regions::get(conn, region).ok().flatten().map_or_else(|| region.to_string(), |r| r.name);
        AppError::Conflict(closed.message(&name, quarter, user.is_admin()))
    })
}

/// Records that an admin wrote `changed` figures into a closed region's quarter, and why.
pub(super) fn record_override(
    conn: &Connection,
    user: &User,
    region: &str,
    period: Period,
    reason: Option<&str>,
    changed: usize,
) -> AppResult<()> {
    let Some((quarter, state, locked)) = closure(conn, region, period)? else { return Ok(()) };
    if changed == 0 || workflow::write_access(user.is_admin(), state, locked, reason) != Ok(Access::Override) {
        return Ok(());
    }
    #[derive(Serialize)]
    struct Override {
        state: State,
        quarter_locked: bool,
        figures_changed: usize,
    }
    let scope = Scope {
        region: Some(region),
        period: Some(quarter.to_string()),
        reason: text::given(reason),
        ..Default::default()
    };
    let what = Override { state, quarter_locked: locked, figures_changed: changed };
    audit_change(conn, &user.name, "override", "workflow", &format!("{region}/{quarter}"), scope, None, Some(&what))
}
