//! The answers every route shares because they come from shared extractors (`CurrentUser`,
//! `ApiJson`, `ApiQuery`, `ApiPath`), written into the OpenAPI document in one place so that no
//! route can forget them: the document must list every status a client can get (the fuzzer in
//! `.ci/fuzz.sh` checks it).

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};

/// Adds, to each operation that lacks them, the error answers of its extractors.
pub fn add_shared_responses(doc: &mut OpenApi) {
    for item in doc.paths.paths.values_mut() {
        let writes = [&mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
        for op in writes.into_iter().flatten() {
            shared(op, true);
        }
        if let Some(op) = item.get.as_mut() {
            shared(op, false);
        }
    }
}

fn shared(op: &mut Operation, write: bool) {
    let params = op.parameters.as_deref().unwrap_or_default();
    let has_path = params.iter().any(|p| matches!(p.parameter_in, ParameterIn::Path));
    let has_query = params.iter().any(|p| matches!(p.parameter_in, ParameterIn::Query));
    let json_body = op.request_body.as_ref().is_some_and(|b| b.content.keys().any(|k| k.ends_with("json")));
    let any_body = op.request_body.is_some();

    add(op, "401", "no token, or one that is not valid");
    add(op, "408", "the request took longer than the server allows");
    if write {
        add(op, "403", "the user's role or regions do not allow it, or a browser session without its CSRF token");
        add(op, "503", "other writes held the database too long; nothing was stored; see `Retry-After`");
    }
    if has_path {
        add(op, "400", "a path segment that is not UTF-8");
        add(op, "404", "no such resource");
    }
    if has_query || has_path {
        add(op, "422", "a parameter is missing or not valid; `details` names it");
    }
    if json_body {
        add(op, "400", "the body is not JSON");
        add(op, "415", "the body is not sent as application/json");
        add(op, "422", "a field is missing or not valid; `details` names it");
    }
    if any_body {
        add(op, "413", "the body is too large");
    }
}

fn add(op: &mut Operation, status: &str, description: &str) {
    op.responses.responses.entry(status.to_string()).or_insert_with(|| {
        let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
        RefOr::T(ResponseBuilder::new().description(description).content("application/json", content).build())
    });
}
