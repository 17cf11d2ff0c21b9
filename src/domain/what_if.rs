//! What it would take (SPEC §13): the change of one input that brings a figure to a goal with the
//! others held — for a benchmark, the numerator of a ratio that closes the gap at the current
//! denominator (1.8% → 江阴's 2.1% at GDP 1000亿元 needs +3亿元 of R&D).

use serde::Serialize;

use super::number::tidy;
use super::{Formula, IndicatorCode};

/// The numerator's value now, the value that reaches the goal, and the difference.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct InputChange {
    #[schema(value_type = String, example = "rd_expenditure")]
    pub input: IndicatorCode,
    pub current: f64,
    pub needed: f64,
    pub change: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WhatIfError {
    #[error("缺少“{0}”的数据，无法测算")]
    Missing(IndicatorCode),
    #[error("公式不随“{0}”变化，无法由它达到目标")]
    NoEffect(IndicatorCode),
    #[error("公式不随“{0}”成比例变化，无法直接测算")]
    NotLinear(IndicatorCode),
    #[error("公式在当前数据下无法计算（如除数为0）")]
    Undefined,
    #[error("公式不含任何指标，无法测算")]
    NoInput,
}

/// The value of `formula`'s first operand (a ratio's numerator) that makes it `goal`, the other
/// operands held at `value_of`'s. The formula must change in proportion to that operand (as a
/// ratio or a sum does); it is checked, not assumed.
pub fn numerator_to_reach(
    formula: &Formula,
    value_of: &dyn Fn(&IndicatorCode) -> Option<f64>,
    goal: f64,
) -> Result<InputChange, WhatIfError> {
    let codes = formula.codes();
    // a formula of numbers alone (`1 + 2`) has no input to change
    let input = *codes.first().ok_or(WhatIfError::NoInput)?;
    let current = value_of(input).ok_or_else(|| WhatIfError::Missing(input.clone()))?;
    let at = |x: f64| {
        formula.eval(&mut |c| if c == input { Some(x) } else { value_of(c) }).ok_or_else(|| {
            match codes.iter().find(|c| value_of(c).is_none()) {
                Some(missing) => WhatIfError::Missing((*missing).clone()),
                None => WhatIfError::Undefined,
            }
        })
    };
    // the change per unit of the input, measured over a step of its own size
    let step = current.abs().max(1.0);
    let (now, one, two) = (at(current)?, at(current + step)?, at(current + 2.0 * step)?);
    let (slope, again) = ((one - now) / step, (two - one) / step);
    if slope == 0.0 {
        return Err(WhatIfError::NoEffect(input.clone()));
    }
    if (slope - again).abs() > 1e-9 * slope.abs().max(1.0) {
        return Err(WhatIfError::NotLinear(input.clone()));
    }
    let needed = tidy(current + (goal - now) / slope);
    Ok(InputChange { input: input.clone(), current, needed, change: tidy(needed - current) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn values(pairs: &[(&str, f64)]) -> HashMap<IndicatorCode, f64> {
        pairs.iter().map(|(c, v)| (IndicatorCode::parse(c).unwrap(), *v)).collect()
    }

    #[test]
    fn the_numerator_that_closes_a_gap_is_worked_out_as_by_hand() {
        let share = Formula::parse("100 * rd_expenditure / gdp").unwrap();
        let district = values(&[("rd_expenditure", 18.0), ("gdp", 1000.0)]);
        let of = |c: &IndicatorCode| district.get(c).copied();
        // 1.8% → 江阴's 2.1% at GDP 1000: 21亿元, +3
        let change = numerator_to_reach(&share, &of, 2.1).unwrap();
        assert_eq!(
            (change.input.as_str(), change.current, change.needed, change.change),
            ("rd_expenditure", 18.0, 21.0, 3.0)
        );
        // 深圳's 3.3%: 33, +15; already above a goal of 1.5%: −3
        assert_eq!(numerator_to_reach(&share, &of, 3.3).unwrap().change, 15.0);
        assert_eq!(numerator_to_reach(&share, &of, 1.5).unwrap().change, -3.0);
        // per 10,000 people: 12.5 patents per 10k at 80万人 → 15 needs 1200 patents, +200
        let per_capita = Formula::parse("10000 * patents / population").unwrap();
        let town = values(&[("patents", 1000.0), ("population", 800_000.0)]);
        assert_eq!(numerator_to_reach(&per_capita, &|c| town.get(c).copied(), 15.0).unwrap().change, 200.0);
    }

    #[test]
    fn what_cannot_be_reached_through_the_numerator_says_why() {
        let missing = values(&[("rd_expenditure", 18.0)]);
        let share = Formula::parse("100 * rd_expenditure / gdp").unwrap();
        assert_eq!(
            numerator_to_reach(&share, &|c| missing.get(c).copied(), 2.1).unwrap_err().to_string(),
            "缺少“gdp”的数据，无法测算"
        );
        let v = values(&[("a", 2.0), ("b", 3.0)]);
        let of = |c: &IndicatorCode| v.get(c).copied();
        let flat = Formula::parse("a - a + b").unwrap();
        assert_eq!(
            numerator_to_reach(&flat, &of, 5.0).unwrap_err(),
            WhatIfError::NoEffect(IndicatorCode::parse("a").unwrap())
        );
        let constant = Formula::parse("1 + 2").unwrap();
        assert_eq!(numerator_to_reach(&constant, &of, 5.0), Err(WhatIfError::NoInput));
        let zero = values(&[("rd_expenditure", 18.0), ("gdp", 0.0)]);
        assert_eq!(numerator_to_reach(&share, &|c| zero.get(c).copied(), 2.1), Err(WhatIfError::Undefined));
        let square = Formula::parse("a * a / b").unwrap();
        assert!(matches!(numerator_to_reach(&square, &of, 5.0), Err(WhatIfError::NotLinear(_))));
    }

    proptest! {
        #[test]
        fn the_needed_numerator_applied_reaches_the_goal_and_a_smaller_change_does_not(
            rd in 0.1f64..1e4, gdp in 1.0f64..1e6, goal in 0.01f64..50.0,
        ) {
            let share = Formula::parse("100 * rd_expenditure / gdp").unwrap();
            let v = values(&[("rd_expenditure", rd), ("gdp", gdp)]);
            let change = numerator_to_reach(&share, &|c| v.get(c).copied(), goal).unwrap();
            let reached = 100.0 * change.needed / gdp;
            prop_assert!((reached - goal).abs() <= 1e-6 * goal.max(1.0), "{reached} vs {goal}");
            if change.change > 1e-6 {
                let short = 100.0 * (change.needed - change.change * 0.01) / gdp;
                prop_assert!(short < goal, "99% of the change falls short: {short} vs {goal}");
            }
        }
    }
}
