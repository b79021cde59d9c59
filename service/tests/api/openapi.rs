//! The served OpenAPI document against the route table: every mounted
//! route is documented, nothing unmounted is, every `$ref` resolves, and
//! each mutation carries the idempotency contract. The document is written
//! to `ACCUBOOKS_OPENAPI_OUT` when set, for `openapi-spec-validator` in CI.

use std::collections::BTreeSet;
use std::time::Duration;

use accubooks_service::http::contract::Handler;
use accubooks_service::http::routes::routes;
use accubooks_service::ops::REGISTRY;
use serde_json::Value;

use crate::support::{send, spawn_app_with, Kind};

fn resolve<'a>(doc: &'a Value, pointer: &str) -> Option<&'a Value> {
    doc.pointer(pointer.strip_prefix('#')?)
}

fn check_refs(doc: &Value, v: &Value, bad: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) if resolve(doc, r).is_none() => bad.push(r.clone()),
                    _ => check_refs(doc, v, bad),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| check_refs(doc, v, bad)),
        _ => {}
    }
}

#[tokio::test]
async fn openapi_documents_exactly_the_mounted_routes() {
    let app = spawn_app_with(Kind::Memory, Duration::from_secs(5)).await.unwrap();
    let r = send(app.addr, "GET", "/openapi.json", &[], Vec::new()).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let doc = r.json();
    if let Ok(out) = std::env::var("ACCUBOOKS_OPENAPI_OUT") {
        std::fs::write(&out, &r.body).unwrap();
    }
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());

    let table = routes();
    let mounted: BTreeSet<(String, String)> =
        table.table().routes().iter().map(|r| (r.method.as_str().to_ascii_lowercase(), r.path.clone())).collect();
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.clone(), path.clone()));
        }
    }
    let missing: Vec<_> = mounted.difference(&documented).collect();
    let unmounted: Vec<_> = documented.difference(&mounted).collect();
    assert!(missing.is_empty(), "mounted but not documented: {missing:?}");
    assert!(unmounted.is_empty(), "documented but not mounted: {unmounted:?}");
    assert!(mounted.contains(&("get".into(), "/openapi.json".into())));

    let mut bad = Vec::new();
    check_refs(&doc, &doc, &mut bad);
    assert!(bad.is_empty(), "unresolved $refs: {bad:?}");

    let mut mutations = 0;
    for route in table.table().routes() {
        let op = &doc["paths"][&route.path][route.method.as_str().to_ascii_lowercase()];
        for name in accubooks_service::http::openapi::path_params(&route.path) {
            let declared = op["parameters"].as_array().unwrap().iter().any(|p| p["name"] == name && p["in"] == "path");
            assert!(declared, "{} {}: path parameter {name} undeclared", route.method, route.path);
        }
        let Handler::Engine(spec) = route.handler else {
            assert!(op["responses"]["200"].is_object(), "{}: no 200", route.path);
            continue;
        };
        mutations += 1;
        assert_eq!(op["operationId"], spec.name);
        assert_eq!(op["parameters"][0]["$ref"], "#/components/parameters/IdempotencyKey");
        assert_eq!(op["security"], serde_json::json!([{"bearer": []}]));
        let body_ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str().unwrap();
        let body = resolve(&doc, body_ref).unwrap();
        assert_eq!(body["type"], "object", "{}: request body schema", spec.name);
        assert_eq!(body["additionalProperties"], false, "{}: unknown fields are refused", spec.name);
        assert!(op["responses"]["201"]["headers"]["Location"].is_object());
        let record_ref = op["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].as_str().unwrap();
        assert_eq!(resolve(&doc, record_ref).unwrap()["type"], "object", "{}: record schema", spec.name);
        assert_eq!(op["responses"]["200"]["content"], op["responses"]["201"]["content"], "a replay is the same body");
        assert!(op["responses"]["200"]["headers"]["Idempotent-Replayed"].is_object());
        for status in ["400", "401", "404", "409", "413", "415", "422", "503"] {
            let content = &op["responses"][status]["content"]["application/problem+json"]["schema"];
            assert_eq!(content["allOf"][0]["$ref"], "#/components/schemas/Problem", "{} {status}", spec.name);
        }
        let codes = &op["responses"]["422"]["content"]["application/problem+json"]["schema"]["allOf"][1]["properties"]
            ["code"]["enum"];
        for code in ["idempotency_key_mismatch"].iter().chain(spec.rules) {
            assert!(codes.as_array().unwrap().iter().any(|c| c == code), "{}: 422 lacks {code}", spec.name);
        }
        assert!(op["responses"]["409"]["headers"]["Retry-After"].is_object());
        if spec.method == accubooks_service::ops::Method::Delete {
            // A soft delete says so: its record still reads back (200).
            let said = op["description"].as_str().unwrap_or_default();
            assert!(said.starts_with("A soft delete"), "{}: DELETE without its soft-delete description", spec.name);
        }
    }
    assert_eq!(mutations, REGISTRY.len());
    let key = &doc["components"]["parameters"]["IdempotencyKey"];
    assert_eq!((key["in"].as_str(), key["required"].as_bool()), (Some("header"), Some(true)));
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    println!(
        "openapi: {} paths, {} operations documented, {mutations} idempotent writes",
        doc["paths"].as_object().unwrap().len(),
        documented.len()
    );
}

/// The documented record schema is what a success really answers: every
/// field of each operation's 201 body is declared, every required one sent.
#[tokio::test]
async fn documented_records_match_the_bodies_answered() {
    let app = spawn_app_with(Kind::Memory, Duration::from_secs(5)).await.unwrap();
    let doc = send(app.addr, "GET", "/openapi.json", &[], Vec::new()).await.json();
    for spec in REGISTRY {
        let v = crate::fixtures::valid(&app, spec.name).await.expect("fixture");
        let r = app.request(spec.method.as_str(), &v.request.path, &v.tenant.token, "doc", &v.request.body).await;
        assert_eq!(r.status, 201, "{}: {:?}", spec.name, r.body);
        let op = &doc["paths"][spec.route][spec.method.as_str().to_ascii_lowercase()];
        let schema_ref = op["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].as_str().unwrap();
        let schema = resolve(&doc, schema_ref).unwrap();
        let body = r.json();
        let declared = schema["properties"].as_object().unwrap();
        for key in body.as_object().unwrap().keys() {
            assert!(declared.contains_key(key), "{}: answers `{key}`, not in {schema_ref}", spec.name);
        }
        for key in schema["required"].as_array().into_iter().flatten() {
            assert!(body.get(key.as_str().unwrap()).is_some(), "{}: required {key} not answered", spec.name);
        }
    }
}

/// The other direction of the fuzz suite's check (every code answered is
/// listed): every code the document lists is one the service can send — it
/// stands as a literal in the service's code — so the document never
/// promises a code nothing sends. The suites that reach them: the catalogue
/// suite (every rule and input rule of every operation), the HTTP and limits
/// suites (the adapter's codes, timeouts, pool exhaustion, waiters, depth),
/// the fuzz suite (what random requests reach). One listed code no test
/// provokes: `body_read_failed`, a body stream that breaks mid-read, which
/// an in-process client cannot produce.
#[test]
fn every_listed_code_is_sent_somewhere() {
    let doc = accubooks_service::http::openapi::document(routes().table());
    let mut listed = BTreeSet::new();
    collect_codes(&doc["paths"], &mut listed);
    assert!(listed.len() > 30, "codes listed: {listed:?}");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut source = String::new();
    read_tree(&root, &mut source);
    // The adapter's codes are constants (`http::problem::code`): their
    // definitions do not count as sending them, a use does.
    let start = source.find("pub mod code {").expect("the code constants");
    let end = start + source[start..].find("\n}\n").expect("their end");
    source.replace_range(start..end, "");
    let sent =
        |c: &str| source.contains(&format!("\"{c}\"")) || source.contains(&format!("code::{}", c.to_uppercase()));
    let unsent: Vec<&String> = listed.iter().filter(|c| !sent(c)).collect();
    assert!(unsent.is_empty(), "listed in the document but sent by nothing: {unsent:?}");
}

fn collect_codes(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::Array(codes)) = m.get("code").and_then(|c| c.get("enum")) {
                out.extend(codes.iter().filter_map(|c| c.as_str().map(str::to_owned)));
            }
            m.values().for_each(|v| collect_codes(v, out));
        }
        Value::Array(a) => a.iter().for_each(|v| collect_codes(v, out)),
        _ => {}
    }
}

fn read_tree(dir: &std::path::Path, out: &mut String) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            read_tree(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
}
