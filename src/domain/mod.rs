//! Pure types and rules of the statistics: periods, regions, indicators, formulas, the views and
//! the computation engine, validation, splitting. No I/O, no SQL, no HTTP: every number the
//! product shows is computed here, and the other layers only load data and present answers.

pub mod access;
pub mod assessment;
pub mod benchmark;
pub mod calc;
pub mod formula;
pub mod ids;
pub mod indicator;
pub mod narrative;
pub mod number;
pub mod period;
pub mod progress;
pub mod rank;
pub mod region;
pub mod split;
pub mod submission;
pub mod target;
pub mod text;
pub mod views;
pub mod workflow;

pub use calc::{Calculator, Coverage, Figure, Observations};
pub use formula::Formula;
pub use ids::{IndicatorCode, RegionId};
pub use indicator::{Direction, Frequency, Indicator, IndicatorSet, Mode};
pub use period::{Period, Quarter};
pub use region::{Region, RegionKind, RegionTree};
pub use views::{Span, View, YearValues};

/// A problem with one field of the input, named the way the client sent it (`values[2].value`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError { field: field.into(), message: message.into() }
    }
}
