//! Who may do what: admins everything, statisticians write figures of their own regions
//! (and of regions below them), officers report on the rectification tasks of their departments,
//! everyone signed in reads.

use serde::{Deserialize, Serialize};

use super::ids::RegionId;
use super::region::RegionTree;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Statistician,
    Viewer,
    /// 科室干部: reports progress on, and answers supervision orders of, the tasks of their departments
    Officer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Statistician => "statistician",
            Role::Viewer => "viewer",
            Role::Officer => "officer",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        [Role::Admin, Role::Statistician, Role::Viewer, Role::Officer].into_iter().find(|r| r.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub role: Role,
    /// The regions a statistician reports for; empty for other roles.
    pub regions: Vec<RegionId>,
    /// The departments an officer acts for; empty for other roles.
    pub departments: Vec<String>,
}

impl User {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// May this user submit or correct figures of `region`?
    pub fn may_write_figures(&self, tree: &RegionTree, region: &str) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Statistician => self.regions.iter().any(|own| tree.is_within(region, own.as_str())),
            Role::Viewer | Role::Officer => false,
        }
    }

    /// May this user see and change the enterprises of `region` and their figures? They are
    /// confidential statistics: those who write the region's figures, no one else.
    pub fn may_see_enterprises(&self, tree: &RegionTree, region: &str) -> bool {
        self.may_write_figures(tree, region)
    }

    /// May this user report on a task of `departments` (an officer of one of them, or an admin)?
    pub fn may_act_for(&self, departments: &[String]) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Officer => departments.iter().any(|d| self.departments.contains(d)),
            Role::Statistician | Role::Viewer => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::region::RegionKind::*;
    use crate::domain::region::tests::region;

    #[test]
    fn who_may_write_which_region() {
        let tree = RegionTree::new(vec![
            region("district", District, None, 0),
            region("town-a", Town, Some("district"), 1),
            region("town-b", Town, Some("district"), 2),
            region("zone", Zone, Some("district"), 3),
            region("zone-1", Zone, Some("zone"), 1),
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
            (user(Role::Admin, &[]), "town-a", true),
            (user(Role::Statistician, &["town-a"]), "town-a", true),
            (user(Role::Statistician, &["town-a"]), "town-b", false),
            (user(Role::Statistician, &["zone"]), "zone-1", true),
            (user(Role::Statistician, &["zone-1"]), "zone", false),
            (user(Role::Viewer, &[]), "town-a", false),
            (user(Role::Viewer, &["town-a"]), "town-a", false),
            (user(Role::Officer, &[]), "town-a", false),
        ];
        for (u, region, want) in cases {
            assert_eq!(u.may_write_figures(&tree, region), want, "{:?} {:?} on {region}", u.role, u.regions);
        }
    }

    #[test]
    fn officers_act_for_the_tasks_of_their_departments_and_admins_for_all() {
        let user = |role, departments: &[&str]| User {
            id: 1,
            name: "u".into(),
            role,
            regions: vec![],
            departments: departments.iter().map(|d| d.to_string()).collect(),
        };
        let task = ["高新技术科".to_string(), "科技管理科".to_string()];
        let cases = [
            (user(Role::Admin, &[]), true),
            (user(Role::Officer, &["科技管理科"]), true),
            (user(Role::Officer, &["高新技术科", "局办公室"]), true),
            (user(Role::Officer, &["局办公室"]), false),
            (user(Role::Officer, &[]), false),
            (user(Role::Statistician, &["高新技术科"]), false),
            (user(Role::Viewer, &["高新技术科"]), false),
        ];
        for (u, want) in cases {
            assert_eq!(u.may_act_for(&task), want, "{:?} of {:?}", u.role, u.departments);
        }
        assert_eq!(Role::parse("officer"), Some(Role::Officer));
        assert_eq!(Role::Officer.as_str(), "officer");
    }
}
