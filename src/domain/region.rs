//! Regions and the reporting tree. Leaves report; a region with children only aggregates.
//! Benchmark regions stand apart: no parent, no children.

use rustc_hash::FxHashMap;

use serde::{Deserialize, Serialize};

use super::FieldError;
use super::ids::RegionId;
use super::text;

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
    /// ISO 3166 alpha-3 code of a benchmark country, matched by the WDI import
    #[schema(example = "KOR")]
    pub iso3: Option<String>,
}

/// The longest group name (开发区, 乡镇, …).
pub const MAX_GROUP_CHARS: usize = 50;

/// A region as a person describes it, before any check: the fields of the API's body.
#[derive(Debug, Clone)]
pub struct RegionDraft {
    pub id: String,
    pub name: String,
    pub kind: RegionKind,
    /// empty: none
    pub parent: Option<String>,
    /// blank: none
    pub group: Option<String>,
    pub sort: i64,
    /// empty: none; either case
    pub iso3: Option<String>,
}

impl RegionDraft {
    /// The region, or every problem with a field (named as the API names it): the id and parent
    /// as ids, a name of 1 to [`text::MAX_NAME_CHARS`], a group of at most [`MAX_GROUP_CHARS`],
    /// an ISO 3166 alpha-3 code. How the region fits the tree is the tree's to check.
    pub fn check(self) -> Result<Region, Vec<FieldError>> {
        let mut errors = Vec::new();
        let id = RegionId::parse(&self.id).map_err(|e| errors.push(FieldError::new("id", e.to_string()))).ok();
        let name = text::name(&self.name, text::MAX_NAME_CHARS)
            .map_err(|e| errors.push(FieldError::new("name", e)))
            .unwrap_or_default();
        let parent = match self.parent.as_deref().filter(|p| !p.is_empty()) {
            None => None,
            Some(p) => RegionId::parse(p).map_err(|e| errors.push(FieldError::new("parent", e.to_string()))).ok(),
        };
        let group = text::given(self.group.as_deref()).map(str::to_string);
        if let Some(problem) = group.as_deref().and_then(|g| text::too_long(g, MAX_GROUP_CHARS)) {
            errors.push(FieldError::new("group", format!("分组{problem}")));
        }
        let iso3 = self.iso3.filter(|c| !c.is_empty()).map(|c| c.to_ascii_uppercase());
        if iso3.as_ref().is_some_and(|c| c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase())) {
            errors.push(FieldError::new("iso3", "国家代码应为三个拉丁字母（ISO 3166 alpha-3），如 KOR"));
        }
        match id {
            Some(id) if errors.is_empty() => {
                Ok(Region { id, name, kind: self.kind, parent, group, sort: self.sort, iso3 })
            }
            _ => Err(errors),
        }
    }
}

/// Why a region is not a reporting region.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotReporting {
    #[error("对标地区“{0}”不走报送流程")]
    Benchmark(RegionId),
    #[error("地区“{0}”有下级地区，其数据由下级汇总")]
    Parent(RegionId),
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

    /// The regions of the reporting tree, benchmarks left out, in display order.
    pub fn hierarchy(&self) -> Vec<&Region> {
        self.in_display_order().into_iter().filter(|r| r.kind != RegionKind::Benchmark).collect()
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

    /// Is `region` a reporting region, and if not, why not? A reporting region is a region of the
    /// hierarchy without children: its figures are its own and its quarters go through the
    /// workflow. A parent's figures are its children's sum (it may hold a reported total besides);
    /// a benchmark's are published elsewhere.
    pub fn reporting(&self, region: &Region) -> Result<(), NotReporting> {
        if region.kind == RegionKind::Benchmark {
            Err(NotReporting::Benchmark(region.id.clone()))
        } else if self.has_children(region.id.as_str()) {
            Err(NotReporting::Parent(region.id.clone()))
        } else {
            Ok(())
        }
    }

    /// Is `id` a known reporting region ([`RegionTree::reporting`])?
    pub fn is_reporting(&self, id: &str) -> bool {
        self.get(id).is_some_and(|r| self.reporting(r).is_ok())
    }

    /// The reporting regions at or below `id`, in display order; none below a benchmark.
    pub fn reporting_under(&self, id: &str) -> Vec<&RegionId> {
        self.leaves_under(id).into_iter().filter(|r| self.is_reporting(r.as_str())).collect()
    }

    /// Every reporting region of the tree (below each of its roots), in display order.
    pub fn reporting_regions(&self) -> Vec<&Region> {
        self.in_display_order().into_iter().filter(|r| self.reporting(r).is_ok()).collect()
    }

    /// The leaves of the hierarchy at or below `id`, in display order.
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
        let hierarchy: Vec<&str> = tree.hierarchy().iter().map(|r| r.id.as_str()).collect();
        assert_eq!(hierarchy, ["district", "town-a", "town-b", "zone", "zone-north"], "benchmarks left out");
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

    fn ids(list: Vec<&RegionId>) -> Vec<&str> {
        list.into_iter().map(RegionId::as_str).collect()
    }

    #[test]
    fn reporting_regions_are_the_hierarchys_regions_without_children() {
        use RegionKind::*;
        let mut regions = vec![region("alone", County, None, 5)];
        regions.extend(sample().in_display_order().into_iter().cloned());
        let tree = RegionTree::new(regions).unwrap();
        let cases = [
            ("town-a", Ok(())),
            ("zone-north", Ok(())),
            ("alone", Ok(())),
            ("district", Err("地区“district”有下级地区，其数据由下级汇总")),
            ("zone", Err("地区“zone”有下级地区，其数据由下级汇总")),
            ("kunshan", Err("对标地区“kunshan”不走报送流程")),
        ];
        for (id, want) in cases {
            let got = tree.reporting(tree.get(id).unwrap()).map_err(|e| e.to_string());
            assert_eq!(got, want.map_err(String::from), "{id}");
            assert_eq!(tree.is_reporting(id), want.is_ok(), "{id}");
        }
        assert!(!tree.is_reporting("nowhere"));
        assert_eq!(ids(tree.reporting_under("district")), ["town-a", "town-b", "zone-north"]);
        assert_eq!(ids(tree.reporting_under("zone")), ["zone-north"]);
        assert_eq!(ids(tree.reporting_under("town-b")), ["town-b"]);
        assert_eq!(ids(tree.reporting_under("kunshan")), Vec::<&str>::new());
        assert_eq!(ids(tree.reporting_under("nowhere")), Vec::<&str>::new());
        let all: Vec<&str> = tree.reporting_regions().into_iter().map(|r| r.id.as_str()).collect();
        assert_eq!(all, ["town-a", "town-b", "zone-north", "alone"]);
    }

    fn draft() -> RegionDraft {
        RegionDraft {
            id: "town-jia".into(),
            name: " 甲镇 ".into(),
            kind: RegionKind::Town,
            parent: Some("district".into()),
            group: Some(" 乡镇 ".into()),
            sort: 2,
            iso3: None,
        }
    }

    #[test]
    fn a_draft_becomes_a_region_with_trimmed_texts() {
        let fifty = "组".repeat(50);
        let cases = [
            (draft(), ("甲镇", Some("district"), Some("乡镇"), None)),
            (
                RegionDraft {
                    parent: Some(String::new()),
                    group: Some("  ".into()),
                    iso3: Some("kor".into()),
                    ..draft()
                },
                ("甲镇", None, None, Some("KOR")),
            ),
            (
                RegionDraft { group: Some(fifty.clone()), iso3: Some(String::new()), ..draft() },
                ("甲镇", Some("district"), Some(fifty.as_str()), None),
            ),
        ];
        for (draft, (name, parent, group, iso3)) in cases {
            let r = draft.clone().check().unwrap();
            let got = (r.name.as_str(), r.parent.as_ref().map(RegionId::as_str), r.group.as_deref(), r.iso3.as_deref());
            assert_eq!(got, (name, parent, group, iso3), "{draft:?}");
            assert_eq!((r.id.as_str(), r.kind, r.sort), ("town-jia", RegionKind::Town, 2));
        }
    }

    #[test]
    fn a_draft_with_bad_fields_names_each_one() {
        let cases: Vec<(RegionDraft, &[(&str, &str)])> = vec![
            (RegionDraft { id: "Town Jia".into(), ..draft() }, &[("id", "地区代码")]),
            (RegionDraft { name: "\u{3000}".into(), ..draft() }, &[("name", "名称应为 1 到 100 个字")]),
            (RegionDraft { name: "名".repeat(101), ..draft() }, &[("name", "名称应为 1 到 100 个字")]),
            (RegionDraft { parent: Some("Dis trict".into()), ..draft() }, &[("parent", "地区代码")]),
            (RegionDraft { group: Some("组".repeat(51)), ..draft() }, &[("group", "分组最多 50 个字")]),
            (
                RegionDraft { iso3: Some("KO".into()), ..draft() },
                &[("iso3", "国家代码应为三个拉丁字母（ISO 3166 alpha-3），如 KOR")],
            ),
            (
                RegionDraft { iso3: Some("K0R".into()), ..draft() },
                &[("iso3", "国家代码应为三个拉丁字母（ISO 3166 alpha-3），如 KOR")],
            ),
            (
                RegionDraft { id: String::new(), name: String::new(), iso3: Some("韩国".into()), ..draft() },
                &[("id", "地区代码"), ("name", "名称应为 1 到 100 个字"), ("iso3", "国家代码")],
            ),
        ];
        for (draft, want) in cases {
            crate::domain::tests::assert_field_errors(&draft.clone().check().unwrap_err(), want, &format!("{draft:?}"));
        }
    }
}
