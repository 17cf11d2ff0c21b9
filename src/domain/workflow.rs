//! The reporting workflow as pure rules: the state of one region's quarter, who may
//! move it where, and whether its figures may still be written.
//!
//! ```text
//! draft ──submit──▶ submitted ──approve──▶ approved
//!                      │   ▲                  │
//!               return │   │ submit           │ return (reopens approved data)
//!                      ▼   │                  │
//!                    returned ◀───────────────┘
//! ```
//!
//! Submitting is for the region's statistician or an admin; approving and returning for an admin
//! only, and a return says why (its comment). Once submitted, figures are under review: the
//! statistician waits for a return before changing them (the bureau may still correct them).
//! Approved figures, and every figure of a quarter the bureau has locked, are closed: only an
//! admin who gives a reason may write them, and that write is recorded as an override.

use serde::{Deserialize, Serialize};

use super::access::{Role, User};
use super::period::Quarter;
use super::region::RegionTree;
use super::text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Draft,
    Submitted,
    Approved,
    Returned,
}

impl State {
    pub const ALL: [State; 4] = [State::Draft, State::Submitted, State::Approved, State::Returned];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Submitted => "submitted",
            State::Approved => "approved",
            State::Returned => "returned",
        }
    }

    pub fn parse(text: &str) -> Option<State> {
        State::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The state as the bureau's pages and reports name it.
    pub fn label(self) -> &'static str {
        match self {
            State::Draft => "未上报",
            State::Submitted => "已上报",
            State::Approved => "已审核",
            State::Returned => "已退回",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Submit,
    Approve,
    Return,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::Approve => "approve",
            Action::Return => "return",
        }
    }

    pub fn parse(text: &str) -> Option<Action> {
        [Action::Submit, Action::Approve, Action::Return].into_iter().find(|a| a.as_str() == text)
    }
}

/// Who acts on a region's quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Admin,
    /// a statistician who reports for the region (or a region above it)
    Reporter,
    /// anyone else: a viewer, a statistician of another region
    Outsider,
}

impl Actor {
    pub fn of(user: &User, tree: &RegionTree, region: &str) -> Actor {
        match user.role {
            Role::Admin => Actor::Admin,
            Role::Statistician if user.may_write_figures(tree, region) => Actor::Reporter,
            _ => Actor::Outsider,
        }
    }
}

/// Why a transition is refused; the engine turns each kind into its error (403, 409, 422).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// this actor may never do this
    Forbidden(String),
    /// the current state does not allow it
    Conflict(String),
    /// the request lacks what the transition needs
    Invalid { field: &'static str, message: String },
}

/// The state after `action`, or why it may not happen. Who may act is checked first, then what
/// the action needs, then whether the state allows it.
pub fn transition(actor: Actor, from: State, action: Action, comment: Option<&str>) -> Result<State, Refusal> {
    use State::*;
    match (action, actor) {
        (Action::Submit, Actor::Outsider) => {
            return Err(Refusal::Forbidden("只有该地区的统计员或管理员可以上报".into()));
        }
        (Action::Approve | Action::Return, Actor::Reporter | Actor::Outsider) => {
            return Err(Refusal::Forbidden(format!(
                "只有管理员可以{}上报的数据",
                if action == Action::Approve { "审核通过" } else { "退回" }
            )));
        }
        _ => {}
    }
    if action == Action::Return && text::given(comment).is_none() {
        return Err(Refusal::Invalid { field: "comment", message: "退回时请说明需要更正什么".into() });
    }
    match (action, from) {
        (Action::Submit, Draft | Returned) => Ok(Submitted),
        (Action::Approve, Submitted) => Ok(Approved),
        (Action::Return, Submitted | Approved) => Ok(Returned),
        (Action::Submit, Submitted) => Err(Refusal::Conflict("已经上报，正在等待审核".into())),
        (Action::Submit, Approved) => Err(Refusal::Conflict("已经审核通过".into())),
        (Action::Approve, Approved) => Err(Refusal::Conflict("已经审核通过".into())),
        (Action::Approve | Action::Return, Draft | Returned) => {
            Err(Refusal::Conflict(format!("尚未上报（现为{}），只能审核已上报的数据", from.label())))
        }
    }
}

/// May figures of a region's quarter be written?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Open,
    /// closed, but an admin writes with a reason: the write is recorded as an override
    Override,
}

/// Why the figures of a region's quarter are closed to a writer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// the bureau locked the whole quarter
    QuarterLocked,
    Approved,
    /// submitted and under review: the statistician waits for a return
    UnderReview,
}

impl Closed {
    /// What the writer is told (409).
    pub fn message(self, region: &str, quarter: Quarter, admin: bool) -> String {
        let why = match self {
            Closed::QuarterLocked => format!("{}已锁定", quarter.label()),
            Closed::Approved => format!("地区“{region}”{}的数据已审核并锁定", quarter.label()),
            Closed::UnderReview => {
                return format!("地区“{region}”{}的数据已上报、正在审核；如需修改，请先由局里退回", quarter.label());
            }
        };
        if admin {
            format!("{why}；管理员可注明原因（reason）后修改")
        } else {
            format!("{why}，不能修改")
        }
    }
}

/// Whether `user`'s write may go ahead, given the state of the region's quarter and whether the
/// whole quarter is locked. The right to write the region at all is checked before.
pub fn write_access(admin: bool, state: State, quarter_locked: bool, reason: Option<&str>) -> Result<Access, Closed> {
    let closed = if quarter_locked {
        Some(Closed::QuarterLocked)
    } else if state == State::Approved {
        Some(Closed::Approved)
    } else {
        None
    };
    match closed {
        Some(_) if admin && text::given(reason).is_some() => Ok(Access::Override),
        Some(why) => Err(why),
        None if state == State::Submitted && !admin => Err(Closed::UnderReview),
        None => Ok(Access::Open),
    }
}

#[cfg(test)]
mod tests {
    use super::Action::*;
    use super::Actor::*;
    use super::State::*;
    use super::*;

    /// What a transition gives: the new state, or the kind of refusal.
    #[derive(Debug, PartialEq)]
    enum Want {
        To(State),
        Forbidden,
        Conflict,
        Invalid,
    }

    fn outcome(result: Result<State, Refusal>) -> Want {
        match result {
            Ok(s) => Want::To(s),
            Err(Refusal::Forbidden(_)) => Want::Forbidden,
            Err(Refusal::Conflict(_)) => Want::Conflict,
            Err(Refusal::Invalid { .. }) => Want::Invalid,
        }
    }

    #[test]
    fn every_transition_and_refusal() {
        let note = Some("请核对R&D经费");
        let cases: &[(Actor, State, Action, Option<&str>, Want)] = &[
            // submitting: the region's statistician or an admin, from draft or returned
            (Reporter, Draft, Submit, None, Want::To(Submitted)),
            (Admin, Draft, Submit, None, Want::To(Submitted)),
            (Reporter, Returned, Submit, Some("已更正"), Want::To(Submitted)),
            (Admin, Returned, Submit, None, Want::To(Submitted)),
            (Reporter, Submitted, Submit, None, Want::Conflict),
            (Reporter, Approved, Submit, None, Want::Conflict),
            (Admin, Approved, Submit, None, Want::Conflict),
            (Outsider, Draft, Submit, None, Want::Forbidden),
            (Outsider, Returned, Submit, None, Want::Forbidden),
            // approving: admin only, from submitted only
            (Admin, Submitted, Approve, None, Want::To(Approved)),
            (Admin, Submitted, Approve, note, Want::To(Approved)),
            (Admin, Draft, Approve, None, Want::Conflict),
            (Admin, Returned, Approve, None, Want::Conflict),
            (Admin, Approved, Approve, None, Want::Conflict),
            (Reporter, Submitted, Approve, None, Want::Forbidden),
            (Outsider, Submitted, Approve, None, Want::Forbidden),
            // returning: admin only, with a comment, from submitted or approved
            (Admin, Submitted, Return, note, Want::To(Returned)),
            (Admin, Approved, Return, note, Want::To(Returned)),
            (Admin, Submitted, Return, None, Want::Invalid),
            (Admin, Submitted, Return, Some("  "), Want::Invalid),
            (Admin, Draft, Return, note, Want::Conflict),
            (Admin, Returned, Return, note, Want::Conflict),
            (Reporter, Submitted, Return, note, Want::Forbidden),
            (Outsider, Submitted, Return, None, Want::Forbidden),
        ];
        for (actor, from, action, comment, want) in cases {
            assert_eq!(
                outcome(transition(*actor, *from, *action, *comment)),
                *want,
                "{actor:?} {action:?} from {from:?} with {comment:?}"
            );
        }
    }

    #[test]
    fn who_may_write_which_quarter() {
        let reason = Some("统计执法检查后更正");
        // (admin, state, quarter locked, reason) → access
        let cases: &[(bool, State, bool, Option<&str>, Result<Access, Closed>)] = &[
            (false, Draft, false, None, Ok(Access::Open)),
            (false, Returned, false, None, Ok(Access::Open)),
            (true, Draft, false, None, Ok(Access::Open)),
            (true, Draft, false, reason, Ok(Access::Open)),
            // under review: the statistician waits, the bureau may correct
            (false, Submitted, false, None, Err(Closed::UnderReview)),
            (false, Submitted, false, reason, Err(Closed::UnderReview)),
            (true, Submitted, false, None, Ok(Access::Open)),
            // approved: closed to everyone but an admin with a reason
            (false, Approved, false, None, Err(Closed::Approved)),
            (false, Approved, false, reason, Err(Closed::Approved)),
            (true, Approved, false, None, Err(Closed::Approved)),
            (true, Approved, false, Some(" "), Err(Closed::Approved)),
            (true, Approved, false, reason, Ok(Access::Override)),
            // a locked quarter closes every state, and the lock is what the writer is told
            (false, Draft, true, None, Err(Closed::QuarterLocked)),
            (false, Returned, true, reason, Err(Closed::QuarterLocked)),
            (false, Approved, true, None, Err(Closed::QuarterLocked)),
            (true, Draft, true, None, Err(Closed::QuarterLocked)),
            (true, Submitted, true, Some(""), Err(Closed::QuarterLocked)),
            (true, Draft, true, reason, Ok(Access::Override)),
            (true, Approved, true, reason, Ok(Access::Override)),
        ];
        for (admin, state, locked, reason, want) in cases {
            assert_eq!(
                write_access(*admin, *state, *locked, *reason),
                *want,
                "admin {admin}, {state:?}, locked {locked}, reason {reason:?}"
            );
        }
    }

    #[test]
    fn actors_follow_roles_and_regions() {
        use crate::domain::ids::RegionId;
        use crate::domain::region::RegionKind::*;
        use crate::domain::region::tests::region;
        let tree = RegionTree::new(vec![
            region("district", District, None, 0),
            region("town-a", Town, Some("district"), 1),
            region("town-b", Town, Some("district"), 2),
        ])
        .unwrap();
        let user = |role, regions: &[&str]| User {
            id: 1,
            name: "u".into(),
            role,
            regions: regions.iter().map(|r| RegionId::parse(r).unwrap()).collect(),
            departments: vec![],
        };
        let cases = [
            (user(Role::Admin, &[]), "town-a", Admin),
            (user(Role::Statistician, &["town-a"]), "town-a", Reporter),
            (user(Role::Statistician, &["district"]), "town-b", Reporter),
            (user(Role::Statistician, &["town-a"]), "town-b", Outsider),
            (user(Role::Viewer, &["town-a"]), "town-a", Outsider),
        ];
        for (u, region, want) in cases {
            assert_eq!(Actor::of(&u, &tree, region), want, "{:?} {:?} on {region}", u.role, u.regions);
        }
    }

    #[test]
    fn names_round_trip() {
        for s in State::ALL {
            assert_eq!(State::parse(s.as_str()), Some(s));
        }
        for a in [Submit, Approve, Return] {
            assert_eq!(Action::parse(a.as_str()), Some(a));
        }
        assert_eq!((State::parse("locked"), Action::parse("reject")), (None, None));
    }

    #[test]
    fn closed_messages_name_the_quarter_and_the_way_out() {
        let q: Quarter = "2023Q3".parse().unwrap();
        assert_eq!(Closed::QuarterLocked.message("town-a", q, false), "2023年三季度已锁定，不能修改");
        assert!(Closed::Approved.message("town-a", q, true).ends_with("管理员可注明原因（reason）后修改"));
        assert!(Closed::UnderReview.message("town-a", q, false).contains("请先由局里退回"));
    }
}
