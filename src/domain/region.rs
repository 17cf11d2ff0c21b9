//! Regions and the reporting tree. Leaves report; a region with children only aggregates.
//! Benchmark regions stand apart: no parent, no children.

use rustc_hash::FxHashMap;

use serde::{Deserialize, Serialize};

use super::ids::RegionId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegionKind {
    Province,
    City,
    District,
    County,
    Town,
    /// 街道
    Street,
    Zone,
    Benchmark,
}

impl RegionKind {
    pub const ALL: [RegionKind; 8] = [
        RegionKind::Province,
        RegionKind::City,
        RegionKind::District,
        RegionKind::County,
        RegionKind::Town,
        RegionKind::Street,
        RegionKind::Zone,
        RegionKind::Benchmark,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RegionKind::Province => "province",
            RegionKind::City => "city",
            RegionKind::District => "district",
            RegionKind::County => "county",
            RegionKind::Town => "town",
            RegionKind::Street => "street",
            RegionKind::Zone => "zone",
            RegionKind::Benchmark => "benchmark",
        }
    }

    pub fn parse(text: &str) -> Option<RegionKind> {
        RegionKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Region {
    #[schema(value_type = String, example = "town-jia")]
    pub id: RegionId,
    #[schema(example = "甲镇")]
    pub name: String,
    pub kind: RegionKind,
    #[schema(value_type = Option<String>, example = "district")]
    pub parent: Option<RegionId>,
    /// a class for ranking separately, e.g. 开发区
    pub group: Option<String>,
    /// display order among siblings
    pub sort: i64,
    /// ISO 3166 alpha-3 code of a benchmark country, matched by the WDI import (§6)
    #[schema(example = "KOR")]
    pub iso3: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TreeError {
    #[error("地区“{0}”不存在")]
    UnknownParent(RegionId),
    #[error("对标地区不能有上级地区")]
    BenchmarkWithParent,
    #[error("对标地区不能作为上级地区")]
    BenchmarkAsParent,
    #[error("这样设置上级，地区“{0}”会成为自己的上级")]
    Cycle(RegionId),
}

/// All regions, with the parent → children links resolved. Children are kept in display order.
#[derive(Debug, Clone, Default)]
pub struct RegionTree {
    /// hashed, not ordered: the calculator looks regions up a hundred thousand times per answer
    regions: FxHashMap<RegionId, Region>,
    children: FxHashMap<RegionId, Vec<RegionId>>,
}

impl RegionTree {
    /// Builds the tree, refusing links to unknown regions, benchmarks inside the tree and cycles.
    pub fn new(regions: Vec<Region>) -> Result<RegionTree, TreeError> {
        let regions: FxHashMap<RegionId, Region> = regions.into_iter().map(|r| (r.id.clone(), r)).collect();
        let mut children: FxHashMap<RegionId, Vec<RegionId>> = FxHashMap::default();
        for region in regions.values() {
            let Some(parent) = &region.parent else { continue };
            let parent_region = regions.get(parent).ok_or_else(|| TreeError::UnknownParent(parent.clone()))?;
            if region.kind == RegionKind::Benchmark {
                return Err(TreeError::BenchmarkWithParent);
            }
            if parent_region.kind == RegionKind::Benchmark {
                return Err(TreeError::BenchmarkAsParent);
            }
            children.entry(parent.clone()).or_default().push(region.id.clone());
        }
        for list in children.values_mut() {
            list.sort_by(|a, b| (regions[a].sort, a).cmp(&(regions[b].sort, b)));
        }
        let tree = RegionTree { regions, children };
        let mut ids: Vec<&RegionId> = tree.regions.keys().collect();
        ids.sort();
        for id in ids {
            tree.check_no_cycle(id)?;
        }
        Ok(tree)
    }

    fn check_no_cycle(&self, id: &RegionId) -> Result<(), TreeError> {
        let mut current = self.regions[id].parent.as_ref();
        for _ in 0..=self.regions.len() {
            match current {
                None => return Ok(()),
                Some(p) if p == id => break,
                Some(p) => current = self.regions[p].parent.as_ref(),
            }
        }
        Err(TreeError::Cycle(id.clone()))
    }

    pub fn get(&self, id: &str) -> Option<&Region> {
        self.regions.get(id)
    }

    /// Every region in display order: roots first, then depth-first by `sort`; benchmarks last.
    pub fn in_display_order(&self) -> Vec<&Region> {
        let mut roots: Vec<&Region> = self.regions.values().filter(|r| r.parent.is_none()).collect();
        roots.sort_by_key(|r| (r.kind == RegionKind::Benchmark, r.sort, r.id.clone()));
        let mut out = Vec::with_capacity(self.regions.len());
        let mut stack: Vec<&Region> = roots.into_iter().rev().collect();
        while let Some(r) = stack.pop() {
            out.push(r);
            stack.extend(self.children(r.id.as_str()).iter().rev().map(|c| &self.regions[c]));
        }
        out
    }

    /// The root of the reporting tree (全区, 全国): the first root in display order that is not a
    /// benchmark; none before the tree has a region.
    pub fn root(&self) -> Option<&Region> {
        self.in_display_order().into_iter().find(|r| r.parent.is_none() && r.kind != RegionKind::Benchmark)
    }

    pub fn children(&self, id: &str) -> &[RegionId] {
        self.children.get(id).map(Vec::as_slice).unwrap_or_default()
    }

    pub fn has_children(&self, id: &str) -> bool {
        !self.children(id).is_empty()
    }

    /// True when `id` is `ancestor` or lies below it.
    pub fn is_within(&self, id: &str, ancestor: &str) -> bool {
        let mut current = self.regions.get(id);
        while let Some(r) = current {
            if r.id.as_str() == ancestor {
                return true;
            }
            current = r.parent.as_ref().and_then(|p| self.regions.get(p));
        }
        false
    }

    /// Every region at or below `id` (parents may hold reported totals), depth first.
    pub fn subtree(&self, id: &str) -> Vec<&RegionId> {
        let mut out = Vec::new();
        let mut stack = vec![id];
        while let Some(current) = stack.pop() {
            if let Some(r) = self.regions.get(current) {
                out.push(&r.id);
            }
            stack.extend(self.children(current).iter().rev().map(RegionId::as_str));
        }
        out
    }

    /// The reporting regions (leaves of the hierarchy) at or below `id`, in display order.
    pub fn leaves_under(&self, id: &str) -> Vec<&RegionId> {
        let mut out = Vec::new();
        let mut stack = vec![id];
        while let Some(current) = stack.pop() {
            let kids = self.children(current);
            if kids.is_empty() {
                if let Some(r) = self.regions.get(current) {
                    out.push(&r.id);
                }
            } else {
                stack.extend(kids.iter().rev().map(RegionId::as_str));
            }
        }
        out
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn region(id: &str, kind: RegionKind, parent: Option<&str>, sort: i64) -> Region {
        Region {
            id: RegionId::parse(id).unwrap(),
            name: id.to_uppercase(),
            kind,
            parent: parent.map(|p| RegionId::parse(p).unwrap()),
            group: None,
            sort,
            iso3: None,
        }
    }

    fn sample() -> RegionTree {
        use RegionKind::*;
        RegionTree::new(vec![
            region("district", District, None, 0),
            region("town-b", Town, Some("district"), 2),
            region("town-a", Town, Some("district"), 1),
            region("zone", Zone, Some("district"), 3),
            region("zone-north", Zone, Some("zone"), 1),
            region("kunshan", Benchmark, None, 0),
        ])
        .unwrap()
    }

    #[test]
    fn children_follow_sort_order() {
        let tree = sample();
        let kids: Vec<&str> = tree.children("district").iter().map(RegionId::as_str).collect();
        assert_eq!(kids, ["town-a", "town-b", "zone"]);
        let leaves: Vec<&str> = tree.leaves_under("district").into_iter().map(RegionId::as_str).collect();
        assert_eq!(leaves, ["town-a", "town-b", "zone-north"]);
        let subtree: Vec<&str> = tree.subtree("zone").into_iter().map(RegionId::as_str).collect();
        assert_eq!(subtree, ["zone", "zone-north"]);
        let order: Vec<&str> = tree.in_display_order().iter().map(|r| r.id.as_str()).collect();
        assert_eq!(order, ["district", "town-a", "town-b", "zone", "zone-north", "kunshan"]);
        assert_eq!(tree.root().map(|r| r.id.as_str()), Some("district"));
        assert!(RegionTree::new(vec![region("kunshan", RegionKind::Benchmark, None, 0)]).unwrap().root().is_none());
    }

    #[test]
    fn ancestry() {
        let tree = sample();
        assert!(tree.is_within("zone-north", "district"));
        assert!(tree.is_within("zone-north", "zone-north"));
        assert!(!tree.is_within("town-a", "zone"));
        assert!(!tree.is_within("kunshan", "district"));
    }

    #[test]
    fn refuses_bad_links() {
        use RegionKind::*;
        let cases = [
            (vec![region("a", Town, Some("nowhere"), 0)], "不存在"),
            (vec![region("a", Town, Some("b"), 0), region("b", Town, Some("a"), 0)], "成为自己的上级"),
            (vec![region("a", Town, Some("a"), 0)], "成为自己的上级"),
            (vec![region("d", District, None, 0), region("k", Benchmark, Some("d"), 0)], "不能有上级"),
            (vec![region("k", Benchmark, None, 0), region("t", Town, Some("k"), 0)], "不能作为上级"),
        ];
        for (regions, want) in cases {
            let err = RegionTree::new(regions).unwrap_err().to_string();
            assert!(err.contains(want), "{err} should contain {want}");
        }
    }
}
