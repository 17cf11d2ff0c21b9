//! The one calculator: every figure the product shows comes from [`Calculator::figure`].
//!
//! - A reporting region's figure comes from what it submitted, through the views of `views.rs`.
//! - A region with children sums its children's figures in the same view, skipping nulls, and
//!   carries `coverage` (children with a figure / all children). No child with a figure → null.
//!   Its own reported total (the figure the statistics bureau publishes for it) wins over the sum;
//!   the figure then keeps the sum as `computed`, and the difference is what is unallocated.
//! - A derived indicator is evaluated after aggregation, on the same view of its operands, so the
//!   district's R&D share is a ratio of sums; the sums run over the same children, those that
//!   have every stored input of the formula. A derived figure stored directly (benchmarks) wins.
//! - An annual indicator has only the annual view; a derived one over it is annual too.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use rustc_hash::FxHashMap;

use serde::{Deserialize, Serialize};

use super::ids::{IndicatorCode, RegionId};
use super::indicator::{Frequency, Indicator, IndicatorSet, Mode};
use super::number::tidy_figure;
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

    /// Copies `other`'s figures of `codes` for `regions` in the years `from..=to`, replacing any
    /// of the same region, indicator and year.
    pub fn copy_from(
        &mut self,
        other: &Observations,
        regions: &HashSet<&str>,
        codes: &[&IndicatorCode],
        from: i32,
        to: i32,
    ) {
        for (region, by_indicator) in other.map.iter().filter(|(r, _)| regions.contains(r.as_str())) {
            for code in codes {
                let Some(by_year) = by_indicator.get(*code) else { continue };
                for (year, values) in by_year.iter().filter(|(y, _)| (from..=to).contains(*y)) {
                    self.map
                        .entry(region.clone())
                        .or_default()
                        .entry((*code).clone())
                        .or_default()
                        .insert(*year, *values);
                }
            }
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

/// Where a figure of a region with children comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// the sum of its children (or, for a ratio, computed over them)
    Computed,
    /// its own reported total, which wins over the children's sum
    Reported,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure {
    pub value: Option<f64>,
    /// Present for regions with children: children that took part / all children.
    pub coverage: Option<Coverage>,
    /// Present for regions with children.
    pub source: Option<Source>,
    /// For a reported total: the children's sum it replaced.
    pub computed: Option<f64>,
}

impl Figure {
    const NONE: Figure = Figure { value: None, coverage: None, source: None, computed: None };

    fn own(value: Option<f64>) -> Figure {
        Figure { value, ..Figure::NONE }
    }

    /// Reported total − the children's sum (未分配/区本级), for a reported total with both. (Both
    /// left the calculator tidied; the difference is tidied again, at 6 places, which any figure's
    /// decimals + 4 reach.)
    pub fn unallocated(&self) -> Option<f64> {
        match self.source {
            Some(Source::Reported) => Some(tidy_figure(self.value? - self.computed?, 2)),
            _ => None,
        }
    }
}

pub struct Calculator<'a> {
    tree: &'a RegionTree,
    indicators: &'a IndicatorSet,
    observations: &'a Observations,
    /// Figures already computed: a region's figure is asked for again by every derived indicator
    /// and every ancestor that uses it. Keyed by the tree's and the set's own strings.
    memo: RefCell<FxHashMap<(&'a str, &'a str, Span), Figure>>,
    /// Sums of a formula's stored inputs over the reporting regions below a region that have all
    /// of them, keyed like `memo` by the derived indicator.
    matched: RefCell<FxHashMap<(&'a str, &'a str, Span), Option<Vec<f64>>>>,
    /// `stored_inputs` by derived indicator
    inputs: RefCell<FxHashMap<&'a str, Rc<[&'a Indicator]>>>,
}

impl<'a> Calculator<'a> {
    pub fn new(tree: &'a RegionTree, indicators: &'a IndicatorSet, observations: &'a Observations) -> Calculator<'a> {
        Calculator {
            tree,
            indicators,
            observations,
            memo: RefCell::default(),
            matched: RefCell::default(),
            inputs: RefCell::default(),
        }
    }

    /// The figure of `region` for `indicator` in `span`; unknown regions or indicators give null,
    /// and so does a quarter or year-to-date span of an annual indicator.
    pub fn figure(&self, region: &str, indicator: &str, span: Span) -> Figure {
        let figure = self.compute(region, indicator, span);
        let decimals = self.indicators.get(indicator).map_or(6, |i| i.decimals);
        Figure {
            value: figure.value.map(|v| tidy_figure(v, decimals)),
            computed: figure.computed.map(|v| tidy_figure(v, decimals)),
            ..figure
        }
    }

    fn compute(&self, region: &str, indicator: &str, span: Span) -> Figure {
        let Some(ind) = self.indicators.get(indicator) else {
            return Figure::NONE;
        };
        if ind.frequency == Frequency::Annual && !matches!(span, Span::Annual(_)) {
            return Figure::NONE;
        }
        match self.tree.get(region) {
            Some(known) => self.compute_known(known.id.as_str(), ind, span),
            None => Figure::NONE,
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

    fn compute_once(&self, region: &'a str, ind: &'a Indicator, span: Span) -> Figure {
        let own = self.observations.year(region, ind.code.as_str(), span.year());
        if let Some(formula) = &ind.formula {
            // A derived figure stored directly is a level, like a stock.
            if let Some(value) = own.and_then(|year| leaf_value(Mode::Stock, year, span)) {
                return Figure::own(Some(value));
            }
            let eval_here = || formula.eval(&mut |code| self.compute(region, code.as_str(), span).value);
            let children = self.tree.children(region);
            if children.is_empty() {
                return Figure::own(eval_here());
            }
            if self.has_reported_input(region, ind, span) {
                // over the region's own reported totals: no children took part as such
                return Figure { value: eval_here(), source: Some(Source::Reported), ..Figure::NONE };
            }
            return self.derived_over_matched(region, ind, span);
        }
        let children = self.tree.children(region);
        if children.is_empty() {
            return Figure::own(own.and_then(|year| leaf_value(ind.mode, year, span)));
        }
        let figures: Vec<f64> =
            children.iter().filter_map(|child| self.compute_known(child.as_str(), ind, span).value).collect();
        let sum: f64 = figures.iter().sum();
        let computed = (!figures.is_empty() && sum.is_finite()).then_some(sum);
        let coverage = Some(Coverage { reported: figures.len() as u32, total: self.counted(children, &[ind]) });
        match own.and_then(|year| self.reported_total(region, ind, year, span)) {
            Some(reported) => Figure { value: reported, coverage, source: Some(Source::Reported), computed },
            None => Figure { value: computed, coverage, source: Some(Source::Computed), computed: None },
        }
    }

    /// The reported total of a region with children in `span`, when it has one there: `Some(value)`
    /// (the value may still be null, as a quarter after a missing YTD is), `None` to sum the
    /// children. A total wins in the view it was stored in, read as a reporting region's figure
    /// is; and the quarter of a YTD indicator whose YTD is reported is that YTD less the resolved
    /// YTD before it, reported or computed.
    fn reported_total(&self, region: &str, ind: &'a Indicator, own: &YearValues, span: Span) -> Option<Option<f64>> {
        match (ind.mode, span) {
            (Mode::Ytd, Span::Quarter(q)) if own.quarters[usize::from(q.q() - 1)].is_some() => {
                let resolved = |span| self.compute(region, ind.code.as_str(), span).value;
                Some(match q.previous().filter(|p| p.year() == q.year()) {
                    None => resolved(Span::Ytd(q)),
                    Some(previous) => resolved(Span::Ytd(q)).zip(resolved(Span::Ytd(previous))).map(|(a, b)| a - b),
                })
            }
            _ => leaf_value(ind.mode, own, span).map(Some),
        }
    }

    /// Has `region` a reported total of any stored input of `ind` in `span`? Then the region takes
    /// part in the formula as a whole, with its resolved figures.
    fn has_reported_input(&self, region: &str, ind: &Indicator, span: Span) -> bool {
        self.stored_inputs(ind).iter().any(|input| {
            self.observations
                .year(region, input.code.as_str(), span.year())
                .is_some_and(|year| self.reported_total(region, input, year, span).is_some())
        })
    }

    /// The children that are asked for all of `inds`: the coverage's total.
    fn counted(&self, children: &[RegionId], inds: &[&Indicator]) -> u32 {
        let asked = |child: &RegionId| inds.iter().all(|i| i.applies_to(self.tree, child.as_str()));
        children.iter().filter(|c| asked(c)).count() as u32
    }

    /// The stored (not derived) indicators a formula reads, directly or through other formulas;
    /// found once per indicator (every parent and span asks again).
    fn stored_inputs(&self, ind: &Indicator) -> Rc<[&'a Indicator]> {
        if let Some(known) = self.inputs.borrow().get(ind.code.as_str()) {
            return known.clone();
        }
        let Some(own) = self.indicators.get(ind.code.as_str()) else { return Rc::from([]) };
        let inputs: Rc<[&'a Indicator]> = self
            .indicators
            .inputs_of(own.code.as_str())
            .into_iter()
            .filter_map(|code| self.indicators.get(code.as_str()))
            .filter(|i| i.formula.is_none())
            .collect();
        self.inputs.borrow_mut().insert(own.code.as_str(), inputs.clone());
        inputs
    }

    /// A derived figure of a region with children: its formula over the sums of its stored inputs
    /// taken over the same children, those that have every input.
    fn derived_over_matched(&self, region: &'a str, ind: &'a Indicator, span: Span) -> Figure {
        let inputs = self.stored_inputs(ind);
        let children = self.tree.children(region);
        let (sums, reported) = self.sum_matched(children, ind, &inputs, span);
        let coverage = Some(Coverage { reported, total: self.counted(children, &inputs) });
        let value = sums.and_then(|sums| self.eval_over(ind, &inputs, &sums));
        Figure { value, coverage, source: Some(Source::Computed), computed: None }
    }

    /// The stored inputs of `ind` summed over those of `regions` that have all of them, and how
    /// many did; no sums when none did.
    fn sum_matched(
        &self,
        regions: &'a [RegionId],
        ind: &'a Indicator,
        inputs: &[&'a Indicator],
        span: Span,
    ) -> (Option<Vec<f64>>, u32) {
        let mut sums: Option<Vec<f64>> = None;
        let mut matched = 0;
        for region in regions {
            if let Some(values) = self.matched_inputs(region.as_str(), ind, inputs, span) {
                matched += 1;
                let sums = sums.get_or_insert_with(|| vec![0.0; inputs.len()]);
                sums.iter_mut().zip(&values).for_each(|(sum, v)| *sum += v);
            }
        }
        (sums, matched)
    }

    /// The stored inputs of `ind` summed over the reporting regions at or below `region` that have
    /// all of them; a region with a reported total of an input takes part as a whole.
    fn matched_inputs(
        &self,
        region: &'a str,
        ind: &'a Indicator,
        inputs: &[&'a Indicator],
        span: Span,
    ) -> Option<Vec<f64>> {
        let key = (region, ind.code.as_str(), span);
        if let Some(known) = self.matched.borrow().get(&key) {
            return known.clone();
        }
        let children = self.tree.children(region);
        let values = if children.is_empty() || self.has_reported_input(region, ind, span) {
            inputs.iter().map(|input| self.compute(region, input.code.as_str(), span).value).collect()
        } else {
            self.sum_matched(children, ind, inputs, span).0
        };
        self.matched.borrow_mut().insert(key, values.clone());
        values
    }

    /// `ind`'s formula with its stored inputs taken from `values` (derived operands are evaluated
    /// over the same values, so a ratio of a ratio stays over the same children).
    fn eval_over(&self, ind: &Indicator, inputs: &[&Indicator], values: &[f64]) -> Option<f64> {
        let formula = ind.formula.as_ref()?;
        formula.eval(&mut |code| match inputs.iter().position(|i| i.code == *code) {
            Some(at) => Some(values[at]),
            None => self.eval_over(self.indicators.get(code.as_str())?, inputs, values),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::indicator::Frequency;
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
                indicator("double_share", Mode::Derived, Some("2 * share")),
                Indicator { frequency: Frequency::Annual, ..indicator("rd_official", Mode::Ytd, None) },
                indicator("official_share", Mode::Derived, Some("100 * rd_official / gdp")),
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
            let figure = f.figure(region, "gdp", span);
            assert_eq!((figure.value, figure.coverage), (value, coverage), "{region} {span:?}");
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
        // a year published whole is the year to date at its fourth quarter, not before
        assert_eq!(f.figure("kunshan", "gdp", ytd("2023Q4")).value, Some(5000.0));
        assert_eq!(f.figure("kunshan", "gdp", ytd("2023Q3")).value, None);
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
        let district = f.figure("district", "talents", ytd("2023Q3"));
        assert_eq!((district.value, district.coverage), (Some(6.0), cov(1, 3)));
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

    #[test]
    fn a_reported_total_wins_and_keeps_the_childrens_sum() {
        let mut f = Fixture::new();
        f.put("town-a", "gdp", "2023Q1", 100.0)
            .put("town-b", "gdp", "2023Q1", 50.0)
            .put("zone-1", "gdp", "2023Q1", 30.0)
            .put("district", "gdp", "2023Q1", 190.0)
            .put("town-a", "gdp", "2023Q2", 210.0)
            .put("town-b", "gdp", "2023Q2", 100.0)
            .put("zone-1", "gdp", "2023Q2", 60.0);
        let cases = [
            // (span, value, source, computed, unallocated)
            (ytd("2023Q1"), Some(190.0), Source::Reported, Some(180.0), Some(10.0)),
            // no total at Q2: the children's sum
            (ytd("2023Q2"), Some(370.0), Source::Computed, None, None),
            // Q2's YTD is not reported: its quarter is the children's, not 370 − 190
            (quarter("2023Q2"), Some(190.0), Source::Computed, None, None),
            (quarter("2023Q1"), Some(190.0), Source::Reported, Some(180.0), Some(10.0)),
        ];
        for (span, value, source, computed, unallocated) in cases {
            let figure = f.figure("district", "gdp", span);
            assert_eq!(
                (figure.value, figure.source, figure.computed, figure.unallocated()),
                (value, Some(source), computed, unallocated),
                "{span:?}"
            );
        }
        assert_eq!(f.figure("town-a", "gdp", ytd("2023Q1")).source, None, "a reporting region's figure is its own");
    }

    #[test]
    fn a_reported_total_counts_only_in_the_views_it_was_stored_for() {
        let mut f = Fixture::new();
        for (q, value) in [("2023Q1", 10.0), ("2023Q2", 20.0), ("2023Q3", 30.0)] {
            f.put("town-a", "gdp", q, value).put("town-b", "gdp", q, value).put("zone-1", "gdp", q, value);
        }
        // the district publishes its YTD at Q2 only
        f.put("district", "gdp", "2023Q2", 70.0);
        let got = |span| {
            let figure = f.figure("district", "gdp", span);
            (figure.value, figure.source, figure.unallocated())
        };
        assert_eq!(got(quarter("2023Q2")), (Some(40.0), Some(Source::Reported), Some(10.0)), "70 − 30");
        // Q3's YTD is not reported: its quarter is the children's, not 90 − 70
        assert_eq!(got(quarter("2023Q3")), (Some(30.0), Some(Source::Computed), None));
        assert_eq!(got(ytd("2023Q3")), (Some(90.0), Some(Source::Computed), None));

        // a quarterly-flow indicator: the total wins in the quarter it was stored for only
        f.put("town-a", "talents", "2023Q2", 2.0)
            .put("town-b", "talents", "2023Q1", 1.0)
            .put("town-b", "talents", "2023Q2", 3.0)
            .put("district", "talents", "2023Q2", 10.0);
        let talents = |span| {
            let figure = f.figure("district", "talents", span);
            (figure.value, figure.source, figure.unallocated())
        };
        assert_eq!(talents(quarter("2023Q2")), (Some(10.0), Some(Source::Reported), Some(5.0)));
        assert_eq!(talents(ytd("2023Q2")), (Some(4.0), Some(Source::Computed), None), "town-b alone has both quarters");
    }

    #[test]
    fn a_ratio_of_a_parent_runs_over_the_children_with_every_operand() {
        let mut f = Fixture::new();
        // town-b saved its R&D but not yet its GDP; zone-1 has both, zone-2 only GDP.
        f.put("town-a", "gdp", "2023Q2", 400.0)
            .put("town-a", "rd", "2023Q2", 8.0)
            .put("town-b", "rd", "2023Q2", 5.0)
            .put("zone-1", "gdp", "2023Q2", 100.0)
            .put("zone-1", "rd", "2023Q2", 1.0)
            .put("zone-2", "gdp", "2023Q2", 100.0);
        let share = f.figure("district", "share", ytd("2023Q2"));
        // (8 + 1) / (400 + 100), not (8 + 5 + 1) / (400 + 100 + 100)
        assert_eq!((share.value, share.coverage), (Some(1.8), cov(2, 3)));
        let zone = f.figure("zone", "share", ytd("2023Q2"));
        assert_eq!((zone.value, zone.coverage), (Some(1.0), cov(1, 2)));
        let double = f.figure("district", "double_share", ytd("2023Q2"));
        assert_eq!(
            (double.value, double.coverage),
            (Some(3.6), cov(2, 3)),
            "a ratio of a ratio stays over the same children"
        );
        // the operands alone still sum whatever was reported
        assert_eq!(f.figure("district", "rd", ytd("2023Q2")).value, Some(14.0));
        // in the quarter view, the same rule on quarter figures
        assert_eq!(f.figure("district", "share", quarter("2023Q2")).value, None, "no Q1 figures, no Q2 quarter");
    }

    #[test]
    fn matched_children_in_every_view() {
        let mut f = Fixture::new();
        // Q1 complete for both towns; in Q2 town-b has saved its R&D but not yet its GDP.
        f.put("town-a", "gdp", "2023Q1", 100.0)
            .put("town-a", "rd", "2023Q1", 2.0)
            .put("town-b", "gdp", "2023Q1", 100.0)
            .put("town-b", "rd", "2023Q1", 4.0)
            .put("town-a", "gdp", "2023Q2", 300.0)
            .put("town-a", "rd", "2023Q2", 3.0)
            .put("town-b", "rd", "2023Q2", 10.0);
        let cases = [
            // (span, share, double_share, children that took part)
            (ytd("2023Q1"), Some(3.0), Some(6.0), 2),
            (quarter("2023Q1"), Some(3.0), Some(6.0), 2),
            // YTD Q2: town-a alone, 3 / 300
            (ytd("2023Q2"), Some(1.0), Some(2.0), 1),
            // the Q2 quarter: town-a alone, (3 − 2) / (300 − 100)
            (quarter("2023Q2"), Some(0.5), Some(1.0), 1),
            (Span::Annual(2023), None, None, 0),
        ];
        for (span, share, double, took_part) in cases {
            let got = f.figure("district", "share", span);
            assert_eq!((got.value, got.coverage), (share, cov(took_part, 3)), "share {span:?}");
            let got = f.figure("district", "double_share", span);
            assert_eq!((got.value, got.coverage), (double, cov(took_part, 3)), "double_share {span:?}");
        }
    }

    #[test]
    fn a_reported_operand_makes_the_parent_take_part_as_a_whole() {
        let mut f = Fixture::new();
        f.put("town-a", "gdp", "2023Q4", 400.0)
            .put("town-a", "rd", "2023Q4", 8.0)
            .put("town-b", "gdp", "2023Q4", 100.0)
            .put("zone-1", "gdp", "2023Q4", 100.0)
            .put("zone-1", "rd", "2023Q4", 2.0)
            .put("zone", "rd", "2023Q4", 3.0);
        // zone reports its R&D total 3 (zone-1 has 2): zone's share is 3 / 100 as a whole,
        // and the district's runs over town-a and zone: (8 + 3) / (400 + 100).
        assert_eq!(f.figure("zone", "share", Span::Annual(2023)).value, Some(3.0));
        let district = f.figure("district", "share", Span::Annual(2023));
        assert_eq!((district.value, district.coverage), (Some(2.2), cov(2, 3)));
    }

    #[test]
    fn coverage_counts_only_the_children_asked_for_the_indicator() {
        let mut f = Fixture::new();
        f.indicators = IndicatorSet::new(vec![
            indicator("gdp", Mode::Ytd, None),
            Indicator {
                regions: Some(vec![RegionId::parse("zone").unwrap()]),
                ..indicator("zone_firms", Mode::Stock, None)
            },
            indicator("per_gdp", Mode::Derived, Some("zone_firms / gdp")),
        ])
        .unwrap();
        f.put("zone-1", "zone_firms", "2023Q4", 10.0).put("zone-1", "gdp", "2023Q4", 5.0);
        let district = f.figure("district", "zone_firms", ytd("2023Q4"));
        assert_eq!((district.value, district.coverage), (Some(10.0), cov(1, 1)), "only the zone is asked");
        assert_eq!(f.figure("zone", "zone_firms", ytd("2023Q4")).coverage, cov(1, 2));
        assert_eq!(f.figure("district", "per_gdp", ytd("2023Q4")).coverage, cov(1, 1));
    }

    #[test]
    fn annual_indicators_have_only_the_annual_view() {
        let mut f = Fixture::new();
        f.put("town-a", "rd_official", "2023", 8.0)
            .put("town-b", "rd_official", "2023", 2.0)
            .put("district", "rd_official", "2022", 9.0)
            .put("town-a", "gdp", "2023Q4", 400.0)
            .put("town-b", "gdp", "2023Q4", 100.0);
        assert_eq!(f.figure("district", "rd_official", Span::Annual(2023)).value, Some(10.0));
        assert_eq!(f.figure("district", "rd_official", Span::Annual(2022)).source, Some(Source::Reported));
        assert_eq!(f.figure("town-a", "rd_official", ytd("2023Q4")).value, None);
        // a derived indicator over an annual input is annual, and reads GDP in its annual view
        assert_eq!(f.indicators.get("official_share").unwrap().frequency, Frequency::Annual);
        assert_eq!(f.figure("district", "official_share", Span::Annual(2023)).value, Some(2.0));
        assert_eq!(f.figure("district", "official_share", ytd("2023Q4")).value, None);
    }
}
