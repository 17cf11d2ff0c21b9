//! Annual targets and how a parent's target is split among its children (分解).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::FieldError;
use super::indicator::Mode;
use super::split::{from_units, largest_remainder, to_units};

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Target {
    pub region: String,
    pub indicator: String,
    pub year: i32,
    pub value: f64,
    /// share of the annual target expected by the end of each quarter
    pub milestones: [f64; 4],
    /// `set` by hand, or how it was split from the parent's target
    pub source: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SplitMethod {
    /// in proportion to each child's annual figure in a base year
    Proportional,
    Equal,
    /// explicit weight per child
    Weights,
    /// every child gets the parent's value (rates and shares)
    Uniform,
}

impl SplitMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            SplitMethod::Proportional => "proportional",
            SplitMethod::Equal => "equal",
            SplitMethod::Weights => "weights",
            SplitMethod::Uniform => "uniform",
        }
    }
}

/// Derived indicators (rates, shares) do not add up, so they are only ever split uniformly;
/// amounts are never split uniformly, since the children would not add up to the parent.
pub fn check_method(method: SplitMethod, mode: Mode) -> Result<(), FieldError> {
    match (method, mode) {
        (SplitMethod::Uniform, Mode::Derived) => Ok(()),
        (SplitMethod::Uniform, _) => Err(FieldError::new(
            "method",
            "统一目标（uniform）让每个下级都取上级的目标值，只适用于计算指标（比率、比重）",
        )),
        (_, Mode::Derived) => {
            Err(FieldError::new("method", "计算指标（比率、比重）不能在地区间相加，请用统一目标（uniform）"))
        }
        _ => Ok(()),
    }
}

/// The weights of `children` from an explicit map: every child named, nothing else, none negative.
pub fn explicit_weights(children: &[&str], given: &BTreeMap<String, f64>) -> Result<Vec<f64>, FieldError> {
    if let Some(extra) = given.keys().find(|k| !children.contains(&k.as_str())) {
        return Err(FieldError::new(format!("weights.{extra}"), "不是该上级地区的下级"));
    }
    children
        .iter()
        .map(|c| match given.get(*c) {
            None => Err(FieldError::new("weights", format!("每个下级地区都要有权重，“{c}”没有"))),
            Some(w) if !w.is_finite() || *w < 0.0 => Err(FieldError::new(format!("weights.{c}"), "应为 0 或正数")),
            Some(w) => Ok(*w),
        })
        .collect()
}

/// The year whose figures weigh a proportional split unless another is named: the year before.
pub fn default_base_year(year: i32) -> i32 {
    year - 1
}

/// Proportional weights from the children's base-year figures; a child without one weighs 0.
pub fn proportional_weights(base_figures: &[Option<f64>]) -> Vec<f64> {
    base_figures.iter().map(|f| f.unwrap_or(0.0)).collect()
}

/// The parent's target at the indicator's precision and the children's parts of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    pub parent: f64,
    pub children: Vec<f64>,
}

/// Splits `total` over children with `weights`, rounded to `decimals` by the largest-remainder
/// method so that the parts add up to the parent's target exactly (in units of 10^−decimals); the
/// parent's target is `total` at that precision. Uniform gives each child `total` itself.
pub fn split(
    total: f64,
    decimals: u8,
    method: SplitMethod,
    children: &[&str],
    weights: &[f64],
) -> Result<Split, FieldError> {
    if method == SplitMethod::Uniform {
        return Ok(Split { parent: total, children: vec![total; children.len()] });
    }
    let units =
        to_units(total, decimals).ok_or_else(|| FieldError::new("total", "数值太大，无法按指标的小数位数精确分解"))?;
    let parts = largest_remainder(units, weights, children).ok_or_else(|| {
        let why = match method {
            SplitMethod::Proportional => "下级地区在基年都没有数据，无法按比例分解",
            _ => "权重全为 0，无法分解",
        };
        FieldError::new(if method == SplitMethod::Weights { "weights" } else { "method" }, why)
    })?;
    Ok(Split {
        parent: from_units(units, decimals),
        children: parts.into_iter().map(|u| from_units(u, decimals)).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn splits_add_up_at_the_indicators_precision() {
        let kids = ["town-a", "town-b", "town-c"];
        let cases: &[(f64, u8, SplitMethod, &[f64], &[f64])] = &[
            (19.0, 2, SplitMethod::Proportional, &[3.0, 5.0, 11.0], &[3.0, 5.0, 11.0]),
            (10.0, 2, SplitMethod::Equal, &[1.0, 1.0, 1.0], &[3.34, 3.33, 3.33]),
            (100.0, 0, SplitMethod::Weights, &[1.0, 0.0, 1.0], &[50.0, 0.0, 50.0]),
            (1.8, 2, SplitMethod::Uniform, &[], &[1.8, 1.8, 1.8]),
        ];
        for (total, decimals, method, weights, want) in cases {
            assert_eq!(split(*total, *decimals, *method, &kids, weights).unwrap().children, *want, "{method:?}");
        }
        assert!(split(10.0, 0, SplitMethod::Proportional, &kids, &[0.0, 0.0, 0.0]).is_err());
        assert_eq!(split(1e17, 2, SplitMethod::Equal, &kids, &[1.0; 3]).unwrap_err().field, "total");
        let rounded = split(10.005, 2, SplitMethod::Equal, &kids, &[1.0; 3]).unwrap();
        assert_eq!(rounded.parent, 10.01, "the parent keeps the precision its children add up to");
    }

    proptest! {
        /// For any total, decimals and weights, the children add up to the parent exactly, in
        /// units of the indicator's precision, and none is negative.
        #[test]
        fn children_add_up_to_the_parent_exactly(
            total in 0.0f64..1e9,
            decimals in 0u8..=6,
            weights in proptest::collection::vec(0.0f64..1e4, 1..30),
        ) {
            prop_assume!(weights.iter().sum::<f64>() > 0.0);
            prop_assume!(to_units(total, decimals).is_some());
            let keys: Vec<String> = (0..weights.len()).map(|i| format!("r{i:02}")).collect();
            let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
            let s = split(total, decimals, SplitMethod::Weights, &keys, &weights).unwrap();
            let child_units: i64 = s.children.iter().map(|c| to_units(*c, decimals).unwrap()).sum();
            prop_assert_eq!(child_units, to_units(s.parent, decimals).unwrap());
            prop_assert!(s.children.iter().all(|c| *c >= 0.0));
        }
    }

    #[test]
    fn uniform_is_for_derived_indicators_only() {
        assert!(check_method(SplitMethod::Uniform, Mode::Derived).is_ok());
        assert!(check_method(SplitMethod::Proportional, Mode::Ytd).is_ok());
        for (method, mode) in [
            (SplitMethod::Uniform, Mode::Ytd),
            (SplitMethod::Proportional, Mode::Derived),
            (SplitMethod::Equal, Mode::Derived),
            (SplitMethod::Weights, Mode::Derived),
        ] {
            assert_eq!(check_method(method, mode).unwrap_err().field, "method", "{method:?} {mode:?}");
        }
    }

    #[test]
    fn explicit_weights_name_every_child_and_nothing_else() {
        let kids = ["a", "b"];
        let map = |pairs: &[(&str, f64)]| pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect::<BTreeMap<_, _>>();
        assert_eq!(explicit_weights(&kids, &map(&[("a", 1.0), ("b", 3.0)])).unwrap(), [1.0, 3.0]);
        let cases = [
            (map(&[("a", 1.0)]), "weights"),
            (map(&[("a", 1.0), ("b", 1.0), ("c", 1.0)]), "weights.c"),
            (map(&[("a", -1.0), ("b", 1.0)]), "weights.a"),
        ];
        for (given, field) in cases {
            assert_eq!(explicit_weights(&kids, &given).unwrap_err().field, field);
        }
    }
}
