//! The OpenAPI 3.1 document, generated from the route table.
//!
//! Architecture invariant: the document is derived, never written by hand.
//! Paths come from `RouteTable` (so a mounted route cannot be missing),
//! request bodies from each operation's `Input` type (the type serde parses
//! is the type the schema describes), 201/200 bodies from its `Record`
//! type, rule codes from the registry.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::http::contract::{Handler, Route, RouteTable};
use crate::http::problem::code;
use crate::idempotency::key::IDEMPOTENCY_KEY_LEN_MAX;
use crate::ops::schema::PERIOD_PATTERN;
use crate::ops::{Method, OpSpec, REGISTRY};

/// Codes every mutation may answer, by status, before any business rule.
const MUTATION_CODES: &[(u16, &[&str])] = &[
    (
        400,
        &[
            code::MISSING_IDEMPOTENCY_KEY,
            code::INVALID_IDEMPOTENCY_KEY,
            code::INVALID_JSON,
            code::JSON_TOO_DEEP,
            code::INVALID_BODY,
            code::BODY_READ_FAILED,
        ],
    ),
    (401, &[code::UNAUTHORIZED]),
    (404, &[code::NOT_FOUND]),
    (409, &[code::IDEMPOTENCY_KEY_IN_FLIGHT]),
    (413, &[code::BODY_TOO_LARGE]),
    (415, &[code::UNSUPPORTED_MEDIA_TYPE]),
    (
        422,
        &[
            code::IDEMPOTENCY_KEY_MISMATCH,
            code::IDEMPOTENCY_KEY_EXPIRED,
            code::VALIDATION_FAILED,
            code::CONSTRAINT_VIOLATION,
        ],
    ),
    (503, &[code::STORAGE_UNAVAILABLE, code::REQUEST_TIMEOUT]),
];

/// Codes an authenticated read may answer.
const READ_CODES: &[(u16, &[&str])] = &[
    (401, &[code::UNAUTHORIZED]),
    (404, &[code::NOT_FOUND]),
    (503, &[code::STORAGE_UNAVAILABLE, code::REQUEST_TIMEOUT]),
];

/// The whole document for the routes in `table`.
pub fn document(table: &RouteTable) -> Value {
    let mut schemas = Map::new();
    schemas.insert("Problem".into(), problem_schema());
    let mut paths: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    for route in table.routes() {
        let op = operation(route, table, &mut schemas);
        paths.entry(route.path.clone()).or_default().insert(route.method.as_str().to_ascii_lowercase(), op);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "AccuBooks",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Multi-tenant accounting API. Every mutation is an idempotent write: send an \
                Idempotency-Key; the first request answers 201, a retry answers 200 with the stored \
                response and `Idempotent-Replayed: true`, the same key with another payload answers 422.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "parameters": {"IdempotencyKey": idempotency_key_parameter()},
            "headers": headers(),
            "schemas": schemas,
        },
    })
}

fn operation(route: &Route, table: &RouteTable, schemas: &mut Map<String, Value>) -> Value {
    let mut params: Vec<Value> = path_params(&route.path)
        .into_iter()
        .map(|name| json!({"name": name, "in": "path", "required": true, "schema": path_param_schema(name)}))
        .collect();
    let public = !route.path.starts_with("/v1/");
    let mut op = Map::new();
    match route.handler {
        Handler::Engine(spec) => {
            params.insert(0, json!({"$ref": "#/components/parameters/IdempotencyKey"}));
            op.insert("operationId".into(), json!(spec.name));
            op.insert("tags".into(), json!([spec.category.as_str()]));
            op.insert("summary".into(), json!(format!("{} (idempotent write)", spec.name)));
            if spec.method == Method::Delete {
                op.insert(
                    "description".into(),
                    json!(
                        "A soft delete: the record is kept (an accounting history refers to it), marked with \
                         `deleted_at`, and still reads back (200) at its route; it takes no new writes."
                    ),
                );
            }
            op.insert("requestBody".into(), request_body(spec, table, schemas));
            op.insert("responses".into(), mutation_responses(spec, table, schemas));
        }
        Handler::Read | Handler::Raw => {
            op.insert("operationId".into(), json!(read_operation_id(&route.path)));
            op.insert("responses".into(), read_responses(public, &route.path));
        }
    }
    op.insert("parameters".into(), Value::Array(params));
    let security = if public { json!([]) } else { json!([{"bearer": []}]) };
    op.insert("security".into(), security);
    Value::Object(op)
}

/// What each path parameter takes: ids are UUIDs (any spelling a UUID
/// parser accepts; other text reads as a missing record), a period is a
/// calendar month, a key is a bare Idempotency-Key.
fn path_param_schema(name: &str) -> Value {
    match name {
        "period" => json!({"type": "string", "pattern": PERIOD_PATTERN}),
        "key" => json!({"type": "string", "pattern": format!("^[\\x21-\\x7e]{{1,{IDEMPOTENCY_KEY_LEN_MAX}}}$")}),
        _ => json!({"type": "string", "format": "uuid"}),
    }
}

/// `/v1/invoices/{id}/void` → `["id"]`.
pub fn path_params(path: &str) -> Vec<&str> {
    path.split('/').filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}'))).collect()
}

fn read_operation_id(path: &str) -> String {
    let words: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty() && *s != "v1")
        .map(|s| s.trim_matches(|c| c == '{' || c == '}'))
        .collect();
    format!("get_{}", words.join("_").replace(['-', '.'], "_"))
}

fn request_body(spec: &OpSpec, table: &RouteTable, schemas: &mut Map<String, Value>) -> Value {
    let Some(name) = table.input_schema(spec.name).map(|root| component(root, spec.name, schemas)) else {
        return json!({"required": false, "content": {"application/json": {"schema": {"type": "object"}}}});
    };
    // Actions with nothing to say (no required field) may send no body.
    let required = schemas[&name].get("required").and_then(Value::as_array).is_some_and(|r| !r.is_empty());
    json!({
        "required": required,
        "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{name}")}}},
    })
}

/// Moves a schemars root (and its `$defs`) into `components/schemas`;
/// returns its component name.
fn component(root: &Value, fallback: &str, schemas: &mut Map<String, Value>) -> String {
    let mut root = rewrite_refs(root.clone());
    let Value::Object(obj) = &mut root else { unreachable!("schemars roots are objects") };
    obj.remove("$schema");
    if let Some(Value::Object(defs)) = obj.remove("$defs") {
        schemas.extend(defs);
    }
    let name = obj.get("title").and_then(Value::as_str).unwrap_or(fallback).to_owned();
    schemas.insert(name.clone(), root);
    name
}

/// schemars puts nested definitions under the root's `$defs`; the document
/// keeps them all under `components/schemas`.
fn rewrite_refs(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => {
                        (k, Value::String(r.replacen("#/$defs/", "#/components/schemas/", 1)))
                    }
                    (_, v) => (k, rewrite_refs(v)),
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(rewrite_refs).collect()),
        v => v,
    }
}

fn mutation_responses(spec: &OpSpec, table: &RouteTable, schemas: &mut Map<String, Value>) -> Value {
    let record = match table.record_schema(spec.name) {
        Some(root) => json!({"$ref": format!("#/components/schemas/{}", component(root, spec.kind(), schemas))}),
        None => json!({"type": "object"}),
    };
    let mut r = Map::new();
    let created = json!({"$ref": "#/components/headers/Location"});
    r.insert(
        "201".into(),
        json!({
            "description": "Executed now. The stored response; `Location` names the created record.",
            "headers": {"Location": created},
            "content": {"application/json": {"schema": record.clone()}},
            "links": links(spec),
        }),
    );
    r.insert(
        "200".into(),
        json!({
            "description": "A replay: this key was already executed with this payload; the stored body, byte for byte.",
            "headers": {
                "Idempotent-Replayed": {"$ref": "#/components/headers/IdempotentReplayed"},
                "Location": {"$ref": "#/components/headers/Location"},
            },
            "content": {"application/json": {"schema": record}},
        }),
    );
    for (status, codes) in MUTATION_CODES {
        let mut codes: Vec<&str> = codes.to_vec();
        match *status {
            404 => codes.extend(spec.not_found),
            422 => codes.extend(spec.rules.iter().chain(spec.input_rules)),
            _ => {}
        }
        r.insert(status.to_string(), problem_response(*status, &codes));
    }
    Value::Object(r)
}

/// From a created record to its read and to every action on it (the
/// operations whose route is under the record's own path), so a stateful
/// client can chain create → act → read.
fn links(spec: &OpSpec) -> Value {
    let id = json!({"id": "$response.body#/id"});
    let mut links = Map::new();
    links.insert(
        format!("read_{}", spec.kind()),
        json!({"operationId": read_operation_id(&spec.read_route()), "parameters": id}),
    );
    let own = format!("/v1/{}/{{id}}", spec.collection);
    for action in REGISTRY.iter().filter(|a| a.name != spec.name && a.route.starts_with(&own)) {
        links.insert(action.name.to_owned(), json!({"operationId": action.name, "parameters": id}));
    }
    Value::Object(links)
}

fn read_responses(public: bool, path: &str) -> Value {
    let content_type = match path {
        "/metrics" | "/healthz" | "/readyz" => "text/plain",
        _ => "application/json",
    };
    let mut r = Map::new();
    r.insert("200".into(), json!({"description": "OK", "content": {content_type: {"schema": {}}}}));
    if public {
        if path == "/readyz" {
            r.insert("503".into(), problem_response(503, &[code::NOT_READY, code::NO_SYNCHRONOUS_STANDBY]));
        }
    } else {
        for (status, codes) in READ_CODES {
            r.insert(status.to_string(), problem_response(*status, codes));
        }
    }
    Value::Object(r)
}

fn problem_response(status: u16, codes: &[&str]) -> Value {
    let mut headers = Map::new();
    if matches!(status, 409 | 503) {
        headers.insert("Retry-After".into(), json!({"$ref": "#/components/headers/RetryAfter"}));
    }
    if status == 401 {
        headers.insert("WWW-Authenticate".into(), json!({"schema": {"type": "string", "const": "Bearer"}}));
    }
    let schema = json!({
        "allOf": [
            {"$ref": "#/components/schemas/Problem"},
            {"properties": {"status": {"const": status}, "code": {"enum": codes}}},
        ],
    });
    json!({
        "description": format!("problem+json; `code` is one of: {}", codes.join(", ")),
        "headers": headers,
        "content": {"application/problem+json": {"schema": schema}},
    })
}

fn problem_schema() -> Value {
    json!({
        "type": "object",
        "description": "RFC 9457 problem details with a stable `code`.",
        "required": ["type", "title", "status", "code", "detail"],
        "properties": {
            "type": {"type": "string", "examples": ["urn:accubooks:problem:unbalanced_entry"]},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "code": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
            "detail": {"type": "string"},
        },
    })
}

/// Exactly what `IdempotencyKey::parse_header` accepts: a bare token of
/// 1–255 visible ASCII characters that does not start with `"`, or an
/// sf-string of 1–255 such characters in which `"` and `\` are escaped.
pub const IDEMPOTENCY_KEY_PATTERN: &str =
    r#"^(?:[\x21\x23-\x7e][\x21-\x7e]{0,254}|"(?:[\x21\x23-\x5b\x5d-\x7e]|\\["\\]){1,255}")$"#;

fn idempotency_key_parameter() -> Value {
    json!({
        "name": "Idempotency-Key",
        "in": "header",
        "required": true,
        "description": format!(
            "1–{IDEMPOTENCY_KEY_LEN_MAX} visible ASCII characters (0x21–0x7E), as a bare token or an \
             RFC 8941 sf-string (`\"abc\"`); both forms name the same key. Scoped to the tenant."
        ),
        "schema": {"type": "string", "minLength": 1, "maxLength": 2 * IDEMPOTENCY_KEY_LEN_MAX + 2, "pattern": IDEMPOTENCY_KEY_PATTERN},
        "examples": {"token": {"value": "8e03978e-40d5-43e8-bc93-6894a57f9324"}, "sf-string": {"value": "\"order-42\""}},
    })
}

fn headers() -> Value {
    json!({
        "IdempotentReplayed": {
            "description": "Present (`true`) when the response is a replay of the stored one.",
            "schema": {"type": "string", "const": "true"},
        },
        "Location": {
            "description": "The created record's read-back route.",
            "schema": {"type": "string", "format": "uri-reference"},
        },
        "RetryAfter": {
            "description": "Seconds to wait before retrying with the same key.",
            "schema": {"type": "integer", "minimum": 0},
        },
    })
}

#[cfg(all(test, not(madsim)))]
mod tests {
    use proptest::prelude::*;

    use super::IDEMPOTENCY_KEY_PATTERN;
    use crate::idempotency::key::IdempotencyKey;

    fn agree(value: &str) {
        let pattern = regex::Regex::new(IDEMPOTENCY_KEY_PATTERN).unwrap();
        let parsed = IdempotencyKey::parse_header(value.as_bytes()).is_ok();
        assert_eq!(pattern.is_match(value), parsed, "{value:?}: pattern and parser disagree");
    }

    #[test]
    fn the_key_pattern_is_the_parser() {
        for v in ["k", "\"k\"", "\"a b\"", "\"abc", "abc\"", "\"\"", "", "\"a\\\"b\"", "\"a\\\\b\"", "\"a\\b\""] {
            agree(v);
        }
        agree(&"k".repeat(255));
        agree(&"k".repeat(256));
        agree(&format!("\"{}\"", "k".repeat(255)));
        agree(&format!("\"{}\"", "k".repeat(256)));
    }

    proptest! {
        #[test]
        fn the_key_pattern_is_the_parser_on_any_text(v in "[ -~\u{80}é]{0,8}|\"[ -~]{0,6}\"?") {
            // Leading and trailing blanks are not part of a header value.
            prop_assume!(v.trim_matches([' ', '\t']) == v);
            agree(&v);
        }
    }
}
