//! The JSON API with axum, a peer of the pages (`web`). Handlers parse input at the edge, ask the
//! engine inside one transaction of the application (`app`) and shape the answer; they compute
//! nothing. Each resource module exposes `router()`; [`router`] merges them and documents them
//! (utoipa); `startup` serves them beside the pages.

mod assessments;
mod benchmarks;
mod charts;
mod departments;
mod enterprise_imports;
mod enterprises;
pub mod error;
pub mod extract;
mod indicators;
mod openapi;
mod plans;
mod publications;
mod regions;
mod reports;
mod series;
mod supervision;
mod targets;
mod transfer;
mod values;
mod workflow;

use axum::Router;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::app::AppState;

/// JSON bodies larger than this are refused with 413.
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(title = "zhibiao (指标) API", description = "Indicator tracking: regions, indicators, quarterly figures, series, audit."),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    components(schemas(error::ErrorBody))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// The API's routes, with their OpenAPI document.
pub fn router() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (api, mut openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest(
            "/api/v1",
            OpenApiRouter::new()
                .merge(regions::router())
                .merge(indicators::router())
                .merge(values::router())
                .merge(series::router())
                .merge(targets::router())
                .merge(benchmarks::router())
                .merge(assessments::router())
                .merge(transfer::router())
                .merge(charts::api_router())
                .merge(reports::api_router())
                .merge(departments::router())
                .merge(enterprises::router())
                .merge(enterprise_imports::router())
                .merge(plans::router())
                .merge(supervision::router())
                .merge(workflow::router())
                .merge(publications::router()),
        )
        .merge(charts::router())
        .merge(transfer::root_router())
        .merge(reports::router())
        .merge(publications::root_router())
        .split_for_parts();
    openapi::finish(&mut openapi);
    (api, openapi)
}
