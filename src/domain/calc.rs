//! The one computation engine: every figure the product shows comes from [`Calculator::figure`].
//!
//! - A reporting region's figure comes from what it submitted, through the views of `views.rs`.
//! - A region with children sums its children's figures in the same view, skipping nulls, and
//!   carries `coverage` (children with a figure / all children). No child with a figure → null.
//! - A derived indicator is evaluated after aggregation, on the same view of its operands, so the
//!   district's R&D share is a ratio of sums. A derived figure stored directly (benchmarks) wins.

use std::cell::RefCell;

use rustc_hash::FxHashMap;

use serde::Serialize;

use super::ids::{IndicatorCode, RegionId};
use super::indicator::{Indicator, IndicatorSet, Mode};
use super::number::tidy;
use super::period::Period;
use super::region::RegionTree;
use super::views::{Span, YearValues, leaf_value};

/// Stored figures, by region, indicator and year. (A fast hasher: the keys are our own ids, and
/// a province's figures are looked up a hundred thousand times for one answer.)
#[derive(Debug, Clone, Default)]
pub struct Observations {
    map: FxHashMap<RegionId, FxHashMap<IndicatorCode, FxHashMap<i32, YearValues>>>,
}

impl Observations {
    pub fn insert(&mut self, region: &RegionId, indicator: &IndicatorCode, period: Period, value: f64) {
        // Keys are cloned only the first time they are seen: a province loads a million figures.
        if !self.map.contains_key(region) {
            self.map.insert(region.clone(), FxHashMap::default());
        }
        let by_indicator = self.map.get_mut(region).expect("just inserted");
        if !by_indicator.contains_key(indicator) {
            by_indicator.insert(indicator.clone(), FxHashMap::default());
        }
        let by_year = by_indicator.get_mut(indicator).expect("just inserted");
        let year = by_year.entry(period.year()).or_default();
        match period {
            Period::Year(_) => year.annual = Some(value),
            Period::Quarter(q) => year.quarters[usize::from(q.q() - 1)] = Some(value),
        }
    }

    fn year(&self, region: &str, indicator: &str, year: i32) -> Option<&YearValues> {
        self.map.get(region)?.get(indicator)?.get(&year)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Coverage {
    /// children with a figure
    pub reported: u32,
    /// all children
    pub total: u32,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure {
    pub value: Option<f64>,
    /// Present for regions with children and aggregated (non-derived) indicators.
    pub coverage: Option<Coverage>,
}

impl Figure {
    const NONE: Figure = Figure { value: None, coverage: None };
}

pub struct Calculator<'a> {
    tree: &'a RegionTree,
    indicators: &'a IndicatorSet,
    observations: &'a Observations,
    /// Figures already computed: a region's figure is asked for again by every derived indicator
    /// and every ancestor that uses it. Keyed by the tree's and the set's own strings.
    memo: RefCell<FxHashMap<(&'a str, &'a str, Span), Figure>>,
}

impl<'a> Calculator<'a> {
    pub fn new(tree: &'a RegionTree, indicators: &'a IndicatorSet, observations: &'a Observations) -> Calculator<'a> {
        Calculator { tree, indicators, observations, memo: RefCell::default() }
    }

    /// The figure of `region` for `indicator` in `span`; unknown regions or indicators give null.
    pub fn figure(&self, region: &str, indicator: &str, span: Span) -> Figure {
        let figure = self.compute(region, indicator, span);
        Figure { value: figure.value.map(tidy), ..figure }
    }

    fn compute(&self, region: &str, indicator: &str, span: Span) -> Figure {
        let Some(ind) = self.indicators.get(indicator) else {
            return Figure::NONE;
        };
        match self.tree.get(region) {
            Some(known) => self.compute_known(known.id.as_str(), ind, span),
            None => self.compute_once(region, ind, span),
        }
    }

    /// `region` and `ind` are the tree's and the set's own, so that the memo can borrow them.
    fn compute_known(&self, region: &'a str, ind: &'a Indicator, span: Span) -> Figure {
        // A reporting region's own figure is one look-up: remembering it would cost more than
        // finding it again, and a province has a hundred thousand of them per answer.
        if ind.formula.is_none() && !self.tree.has_children(region) {
            return self.compute_once(region, ind, span);
        }
        let key = (region, ind.code.as_str(), span);
        if let Some(known) = self.memo.borrow().get(&key) {
            return *known;
        }
        let figure = self.compute_once(region, ind, span);
        self.memo.borrow_mut().insert(key, figure);
        figure
    }

    fn compute_once(&self, region: &str, ind: &'a Indicator, span: Span) -> Figure {
        let indicator = ind.code.as_str();
        let stored =
            |mode| self.observations.year(region, indicator, span.year()).and_then(|year| leaf_value(mode, year, span));
        if let Some(formula) = &ind.formula {
            // A derived figure stored directly is a level, like a stock.
            let value = stored(Mode::Stock)
                .or_else(|| formula.eval(&mut |code| self.compute(region, code.as_str(), span).value));
            return Figure { value, coverage: None };
        }
        let children = self.tree.children(region);
        if children.is_empty() {
            return Figure { value: stored(ind.mode), coverage: None };
        }
        let values: Vec<f64> =
            children.iter().filter_map(|child| self.compute_known(child.as_str(), ind, span).value).collect();
        let sum: f64 = values.iter().sum();
        Figure {
            value: (!values.is_empty() && sum.is_finite()).then_some(sum),
            coverage: Some(Coverage { reported: values.len() as u32, total: children.len() as u32 }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::indicator::tests::indicator;
    use crate::domain::period::Quarter;
    use crate::domain::region::RegionKind::*;
    use crate::domain::region::tests::region;

    struct Fixture {
        tree: RegionTree,
        indicators: IndicatorSet,
        observations: Observations,
    }

    impl Fixture {
        fn new() -> Fixture {
            let tree = RegionTree::new(vec![
                region("district", District, None, 0),
                region("town-a", Town, Some("district"), 1),
                region("town-b", Town, Some("district"), 2),
                region("zone", Zone, Some("district"), 3),
                region("zone-1", Zone, Some("zone"), 1),
                region("zone-2", Zone, Some("zone"), 2),
                region("kunshan", Benchmark, None, 0),
            ])
            .unwrap();
            let indicators = IndicatorSet::new(vec![
                indicator("gdp", Mode::Ytd, None),
                indicator("rd", Mode::Ytd, None),
                indicator("share", Mode::Derived, Some("100 * rd / gdp")),
                indicator("talents", Mode::Quarter, None),
                indicator("firms", Mode::Stock, None),
            ])
            .unwrap();
            Fixture { tree, indicators, observations: Observations::default() }
        }

        fn put(&mut self, region: &str, indicator: &str, period: &str, value: f64) -> &mut Self {
            self.observations.insert(
                &RegionId::parse(region).unwrap(),
                &IndicatorCode::parse(indicator).unwrap(),
                period.parse().unwrap(),
                value,
            );
            self
        }

        fn figure(&self, region: &str, indicator: &str, span: Span) -> Figure {
            Calculator::new(&self.tree, &self.indicators, &self.observations).figure(region, indicator, span)
        }
    }

    fn ytd(text: &str) -> Span {
        Span::Ytd(text.parse::<Quarter>().unwrap())
    }
    fn quarter(text: &str) -> Span {
        Span::Quarter(text.parse::<Quarter>().unwrap())
    }
    fn cov(reported: u32, total: u32) -> Option<Coverage> {
        Some(Coverage { reported, total })
    }

    #[test]
    fn parents_sum_children_and_report_coverage() {
        let mut f = Fixture::new();
        f.put("town-a", "gdp", "2023Q1", 100.0)
            .put("town-b", "gdp", "2023Q1", 50.0)
            .put("zone-1", "gdp", "2023Q1", 30.0)
            .put("town-a", "gdp", "2023Q2", 210.0)
            .put("zone-1", "gdp", "2023Q2", 70.0);
        let cases = [
            ("district", ytd("2023Q1"), Some(180.0), cov(3, 3)),
            ("zone", ytd("2023Q1"), Some(30.0), cov(1, 2)),
            ("district", ytd("2023Q2"), Some(280.0), cov(2, 3)),
            // the parent's quarter view sums the children's quarter views
            ("district", quarter("2023Q2"), Some(150.0), cov(2, 3)),
            ("district", ytd("2023Q3"), None, cov(0, 3)),
            ("town-a", ytd("2023Q2"), Some(210.0), None),
        ];
        for (region, span, value, coverage) in cases {
            assert_eq!(f.figure(region, "gdp", span), Figure { value, coverage }, "{region} {span:?}");
        }
    }

    #[test]
    fn derived_is_a_ratio_of_sums_not_a_mean_of_ratios() {
        let mut f = Fixture::new();
        // town-a: 1%, town-b: 4%; mean of ratios 2.5%, ratio of sums 10 / 500 = 2%.
        f.put("town-a", "gdp", "2023Q4", 400.0)
            .put("town-a", "rd", "2023Q4", 4.0)
            .put("town-b", "gdp", "2023Q4", 100.0)
            .put("town-b", "rd", "2023Q4", 4.0)
            .put("zone-1", "gdp", "2023Q4", 0.0)
            .put("zone-1", "rd", "2023Q4", 2.0);
        let share = |region| f.figure(region, "share", Span::Annual(2023)).value;
        assert_eq!(share("town-a"), Some(1.0));
        assert_eq!(share("town-b"), Some(4.0));
        assert_eq!(share("district"), Some(2.0));
        assert_eq!(share("zone-1"), None, "division by zero gives null");
        assert_eq!(share("zone-2"), None, "missing operands give null");
    }

    #[test]
    fn benchmark_values_stored_directly_win() {
        let mut f = Fixture::new();
        f.put("kunshan", "gdp", "2023", 5000.0)
            .put("kunshan", "rd", "2023", 100.0)
            .put("kunshan", "share", "2023", 1.9)
            .put("kunshan", "talents", "2023", 400.0);
        assert_eq!(f.figure("kunshan", "share", Span::Annual(2023)).value, Some(1.9));
        assert_eq!(f.figure("kunshan", "talents", Span::Annual(2023)).value, Some(400.0));
        assert_eq!(f.figure("kunshan", "gdp", ytd("2023Q4")).value, None);
    }

    #[test]
    fn quarter_mode_ytd_with_a_missing_quarter_is_null_even_when_aggregated() {
        let mut f = Fixture::new();
        f.put("town-a", "talents", "2023Q1", 5.0)
            .put("town-a", "talents", "2023Q3", 7.0)
            .put("town-b", "talents", "2023Q1", 1.0)
            .put("town-b", "talents", "2023Q2", 2.0)
            .put("town-b", "talents", "2023Q3", 3.0);
        assert_eq!(f.figure("town-a", "talents", ytd("2023Q3")).value, None);
        assert_eq!(f.figure("district", "talents", ytd("2023Q3")), Figure { value: Some(6.0), coverage: cov(1, 3) });
    }

    #[test]
    fn stock_annual_is_the_fourth_quarter_level() {
        let mut f = Fixture::new();
        f.put("town-a", "firms", "2023Q3", 40.0)
            .put("town-a", "firms", "2023Q4", 42.0)
            .put("town-b", "firms", "2023Q4", 8.0);
        assert_eq!(f.figure("district", "firms", Span::Annual(2023)).value, Some(50.0));
    }

    #[test]
    fn unknown_names_give_null() {
        let f = Fixture::new();
        assert_eq!(f.figure("nowhere", "gdp", Span::Annual(2023)), Figure::NONE);
        assert_eq!(f.figure("district", "nothing", Span::Annual(2023)), Figure::NONE);
    }
}
