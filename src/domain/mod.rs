//! Pure types and rules of the statistics: periods, regions, indicators, formulas, the views and
//! the calculator (`calc`), validation, splitting. No I/O, no SQL, no HTTP: every number the
//! product shows is computed here, and the other layers only load data and present answers.

pub mod access;
pub mod assessment;
pub mod assessment_what_if;
pub mod benchmark;
pub mod calc;
pub mod enterprise;
pub mod formula;
pub mod ids;
pub mod indicator;
pub mod narrative;
pub mod number;
pub mod outlier;
pub mod period;
pub mod plan_text;
pub mod progress;
pub mod projection;
pub mod rank;
pub mod rectification;
pub mod region;
pub mod rule;
pub mod split;
pub mod submission;
pub mod target;
pub mod text;
pub mod views;
pub mod what_if;
pub mod workflow;

pub use calc::{Calculator, Coverage, Figure, Observations};
pub use formula::Formula;
pub use ids::{IndicatorCode, RegionId};
pub use indicator::{Direction, Frequency, Indicator, IndicatorDraft, IndicatorSet, Mode};
pub use period::{Period, Quarter};
pub use region::{Region, RegionDraft, RegionKind, RegionTree};
pub use views::{Span, View, YearValues};

/// A problem with one field of the input, named the way the client sent it (`values[2].value`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
    /// For a field of one figure of a batch (`values[2].value`): the figure's index and the
    /// field's own name (`value`), so that imports find the row without reading `field` back.
    /// Not on the wire, where `field` says it.
    #[serde(skip)]
    pub item: Option<(usize, &'static str)>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError { field: field.into(), message: message.into(), item: None }
    }

    /// A field of the `index`-th figure of a batch, named `values[index].name` to the client.
    pub fn item(index: usize, name: &'static str, message: impl Into<String>) -> FieldError {
        FieldError { field: format!("values[{index}].{name}"), message: message.into(), item: Some((index, name)) }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::FieldError;

    #[test]
    fn an_item_s_error_carries_its_place_and_shows_only_field_and_message() {
        let e = FieldError::item(2, "value", "不能为负数");
        assert_eq!((e.field.as_str(), e.item), ("values[2].value", Some((2, "value"))));
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"field": "values[2].value", "message": "不能为负数"})
        );
        assert_eq!(FieldError::new("region", "没有地区").item, None);
    }

    /// The errors name exactly `want`'s fields, in order, each message containing `want`'s text.
    pub fn assert_field_errors(errors: &[FieldError], want: &[(&str, &str)], case: &str) {
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        let want_fields: Vec<&str> = want.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, want_fields, "{case}");
        for (error, (_, message)) in errors.iter().zip(want) {
            assert!(
                error.message.contains(message),
                "{case}: {}: {:?} should contain {message:?}",
                error.field,
                error.message
            );
        }
    }
}
