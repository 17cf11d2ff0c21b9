//! The answers every route shares because they come from shared extractors (`CurrentUser`,
//! `ApiJson`, `ApiQuery`, `ApiPath`), written into the OpenAPI document in one place so that no
//! route can forget them: the document must list every status a client can get (the fuzzer in
//! `.ci/fuzz.sh` checks it).

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{SchemaType, Type};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder, Schema};

/// What the annotations cannot say by themselves, added once the document is assembled.
pub fn finish(doc: &mut OpenApi) {
    add_shared_responses(doc);
    require_ids_on_create(doc);
    each_once(doc, "ApproveBody", "regions");
}

/// Adds, to each operation that lacks them, the error answers of its extractors.
fn add_shared_responses(doc: &mut OpenApi) {
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

/// A body schema shared by a create (POST) and a change (PUT) whose id the POST body must carry
/// and the PUT takes from its path: the POST gets a copy of the schema that requires the id, so
/// that the document says exactly what each accepts.
fn require_ids_on_create(doc: &mut OpenApi) {
    for (path, shared, id, created) in [
        ("/api/v1/regions", "RegionBody", "id", "NewRegionBody"),
        ("/api/v1/indicators", "IndicatorBody", "code", "NewIndicatorBody"),
    ] {
        let Some(components) = doc.components.as_mut() else { return };
        let Some(RefOr::T(Schema::Object(schema))) = components.schemas.get(shared) else { continue };
        let mut schema = schema.clone();
        if !schema.required.iter().any(|r| r == id) {
            schema.required.insert(0, id.to_string());
        }
        // required, and a string: not null
        if let Some(RefOr::T(Schema::Object(property))) = schema.properties.get_mut(id) {
            property.schema_type = SchemaType::Type(Type::String);
        }
        components.schemas.insert(created.to_string(), RefOr::T(Schema::Object(schema)));
        let body =
            doc.paths.paths.get_mut(path).and_then(|item| item.post.as_mut()).and_then(|op| op.request_body.as_mut());
        for content in body.into_iter().flat_map(|b| b.content.values_mut()) {
            content.schema = Some(RefOr::Ref(Ref::from_schema_name(created)));
        }
    }
}

/// `uniqueItems` (which utoipa's attributes lack) on a list field of a component: a list whose
/// items may each be named once.
fn each_once(doc: &mut OpenApi, component: &str, field: &str) {
    let schema = doc.components.as_mut().and_then(|c| c.schemas.get_mut(component));
    let Some(RefOr::T(Schema::Object(object))) = schema else { return };
    if let Some(RefOr::T(Schema::Array(list))) = object.properties.get_mut(field) {
        list.unique_items = true;
    }
}
