//! HTTP fuzzing of every route, in process (`tower::ServiceExt::oneshot`
//! on the Router, no sockets). Requests are generated from the route table
//! and each operation's input JSON Schema (the OpenAPI one), then broken:
//! wrong types, huge, negative and overflowing numbers, unicode and control
//! characters, odd keys and headers, wrong content types, random bytes,
//! deep nesting, oversized bodies. Properties: never a 5xx, never a panic,
//! every 4xx is problem+json with a `code`, and a refused request writes
//! nothing.
//!
//! `ACCUBOOKS_FUZZ_CASES` sets the number of generated requests (default 10,500).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use accubooks_service::app::{Service, ServiceConfig};
use accubooks_service::engine::EngineConfig;
use accubooks_service::http::contract::Handler;
use accubooks_service::http::routes::routes;
use accubooks_service::ops::REGISTRY;
use accubooks_service::store::mem::MemStore;
use accubooks_service::store::{Counts, Store};
use axum::body::Body;
use axum::http::{Method, Request};
use axum::Router;
use http_body_util::BodyExt;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::support::{fresh_store, tenants, test_limits, Kind};

struct Target {
    method: Method,
    path: String,
    /// The operation's input schema (schemars root), for mutations.
    schema: Option<Value>,
}

/// One generated request.
#[derive(Debug, Clone)]
struct Case {
    /// The route template this request was generated for.
    route: String,
    method: Method,
    uri: String,
    headers: Vec<(&'static str, Vec<u8>)>,
    body: Vec<u8>,
}

fn targets() -> Vec<Target> {
    let b = routes();
    b.table()
        .routes()
        .iter()
        .map(|r| Target {
            method: r.method.clone(),
            path: r.path.clone(),
            schema: match r.handler {
                Handler::Engine(spec) => b.table().input_schema(spec.name).cloned(),
                _ => None,
            },
        })
        .collect()
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn nasty_string() -> BoxedStrategy<String> {
    prop_oneof![
        4 => "[a-zA-Z0-9 ]{0,12}",
        2 => ".{0,24}",
        1 => "[\\x00-\\x1f\\x7f]{1,4}",
        1 => Just("\u{202e}\u{0000}\u{feff}ü€𝄞".to_owned()),
        1 => Just("x".repeat(600)),
        1 => Just(String::new()),
        1 => Just("   ".to_owned()),
    ]
    .boxed()
}

fn plausible_string(ids: Arc<Vec<String>>) -> BoxedStrategy<String> {
    let n = ids.len();
    prop_oneof![
        2 => prop::sample::select(vec![
            "USD", "EUR", "usd", "XXXX", "2026-01-15", "2026-02-30", "1999-12-31", "2026-01", "2026-13", "9999-12",
            "asset", "revenue", "admin", "viewer", "owner", "card", "011000015", "021000021", "000123456789",
            "12-3456", "4000", "sam@example.com", "not-an-email",
        ]).prop_map(str::to_owned),
        2 => (0..n).prop_map(move |i| ids[i].clone()),
        1 => Just(uuid::Uuid::new_v4().to_string()),
        2 => nasty_string(),
    ]
    .boxed()
}

fn number() -> BoxedStrategy<Value> {
    prop_oneof![
        4 => (0i64..100_000).prop_map(Value::from),
        2 => any::<i64>().prop_map(Value::from),
        1 => prop::sample::select(vec![
            json!(i64::MAX), json!(i64::MIN), json!(-1), json!(0), json!(u64::MAX),
            json!(1_000_000_000_000_000i64), json!(1_000_000_000_000_001i64), json!(4_611_686_018_427_387_904i64),
            json!(1.5), json!(1e300), json!(-0.0),
        ]),
        1 => Just(serde_json::from_str::<Value>("123456789012345678901234567890").unwrap_or(Value::Null)),
    ]
    .boxed()
}

fn random_json() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        number(),
        nasty_string().prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}

/// A value for `schema` that is usually shaped right and sometimes not.
fn from_schema(schema: &Value, root: &Value, ids: &Arc<Vec<String>>, depth: u32) -> BoxedStrategy<Value> {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or_default();
        let def = root["$defs"][name].clone();
        return from_schema(&def, root, ids, depth);
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let shaped: BoxedStrategy<Value> = if types.contains(&"object") && depth < 4 {
        let props: Vec<(String, Value)> =
            schema["properties"].as_object().map(|m| m.clone().into_iter().collect()).unwrap_or_default();
        let fields: Vec<BoxedStrategy<Option<(String, Value)>>> = props
            .iter()
            .map(|(k, s)| {
                let k = k.clone();
                prop::option::weighted(0.85, from_schema(s, root, ids, depth + 1))
                    .prop_map(move |v| v.map(|v| (k.clone(), v)))
                    .boxed()
            })
            .collect();
        let extra = prop::option::weighted(0.05, ("[a-z]{1,8}", random_json()));
        (fields, extra)
            .prop_map(|(fields, extra)| Value::Object(fields.into_iter().flatten().chain(extra).collect()))
            .boxed()
    } else if types.contains(&"array") && depth < 4 {
        let items = from_schema(&schema["items"], root, ids, depth + 1);
        prop::collection::vec(items, 0..4).prop_map(Value::from).boxed()
    } else if types.contains(&"integer") {
        number()
    } else if types.contains(&"string") {
        plausible_string(ids.clone()).prop_map(Value::from).boxed()
    } else {
        random_json()
    };
    let nullable = types.contains(&"null");
    prop_oneof![
        12 => shaped,
        1 => random_json(),
        if nullable { 2 } else { 1 } => Just(Value::Null),
    ]
    .boxed()
}

fn body(target: &Target, ids: &Arc<Vec<String>>) -> BoxedStrategy<Vec<u8>> {
    let schema_body = match &target.schema {
        Some(s) => from_schema(s, s, ids, 0).prop_map(|v| serde_json::to_vec(&v).unwrap()).boxed(),
        None => Just(Vec::new()).boxed(),
    };
    prop_oneof![
        14 => schema_body,
        2 => random_json().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        2 => prop::collection::vec(any::<u8>(), 0..64),
        1 => Just(Vec::new()),
        1 => (1usize..200).prop_map(|d| format!("{}1{}", "[".repeat(d), "]".repeat(d)).into_bytes()),
        1 => Just(format!("{{\"name\":\"{}\"}}", "x".repeat(70 * 1024)).into_bytes()),
        1 => Just(b"{\"name\": \"unterminated".to_vec()),
    ]
    .boxed()
}

fn path(template: &str, ids: &Arc<Vec<String>>) -> BoxedStrategy<String> {
    let segments: Vec<BoxedStrategy<String>> = template
        .split('/')
        .map(|seg| {
            if seg.starts_with('{') {
                prop_oneof![
                    3 => plausible_string(ids.clone()).prop_map(|s| percent_encode(&s)),
                    1 => nasty_string().prop_map(|s| percent_encode(&s)),
                    1 => Just("..".to_owned()),
                ]
                .boxed()
            } else {
                Just(seg.to_owned()).boxed()
            }
        })
        .collect();
    segments.prop_map(|s| s.join("/")).boxed()
}

fn key() -> BoxedStrategy<Option<Vec<u8>>> {
    prop_oneof![
        6 => "[a-zA-Z0-9-]{1,40}".prop_map(|k| Some(k.into_bytes())),
        1 => "[a-z]{1,10}".prop_map(|k| Some(format!("\"{k}\"").into_bytes())),
        1 => Just(None),
        1 => Just(Some(Vec::new())),
        1 => Just(Some(vec![b'k'; 256])),
        1 => Just(Some(b"\"unterminated".to_vec())),
        1 => Just(Some(b"\"bad\\escape\"".to_vec())),
        1 => prop::collection::vec(0x80u8..=0xff, 1..8).prop_map(Some),
        1 => Just(Some(b"  spaced key  ".to_vec())),
    ]
    .boxed()
}

fn case(targets: &[Target], ids: Arc<Vec<String>>, tokens: [String; 2]) -> BoxedStrategy<Case> {
    let per_target: Vec<BoxedStrategy<Case>> = targets
        .iter()
        .map(|t| {
            let method = prop_oneof![
                12 => Just(t.method.clone()),
                1 => prop::sample::select(vec![Method::GET, Method::POST, Method::PUT, Method::DELETE, Method::PATCH]),
            ];
            let tokens = tokens.clone();
            let auth = prop_oneof![
                8 => Just(Some(format!("Bearer {}", tokens[0]).into_bytes())),
                1 => Just(Some(format!("Bearer {}", tokens[1]).into_bytes())),
                1 => Just(None),
                1 => Just(Some(b"Bearer ".to_vec())),
                1 => Just(Some(format!("Basic {}", tokens[0]).into_bytes())),
                1 => Just(Some(format!("Bearer {}", "a".repeat(300)).into_bytes())),
            ];
            let content_type = prop_oneof![
                8 => Just(Some(b"application/json".to_vec())),
                1 => Just(Some(b"application/json; charset=utf-8".to_vec())),
                1 => Just(Some(b"text/plain".to_vec())),
                1 => Just(Some(b"application/problem+json".to_vec())),
                1 => Just(None),
                1 => Just(Some(b"multipart/form-data; boundary=x".to_vec())),
            ];
            let extra = prop_oneof![
                6 => Just(Vec::new()),
                1 => Just(vec![("idempotency-key", b"second-key".to_vec())]),
                1 => Just(vec![("content-length", b"99999999".to_vec())]),
                1 => Just(vec![("x-request-id", "é".repeat(200).into_bytes())]),
            ];
            let route = format!("{} {}", t.method, t.path);
            (method, path(&t.path, &ids), auth, key(), content_type, extra, body(t, &ids))
                .prop_map(move |(method, uri, auth, key, ct, extra, body)| {
                    let mut headers = Vec::new();
                    headers.extend(auth.map(|a| ("authorization", a)));
                    headers.extend(key.map(|k| ("idempotency-key", k)));
                    headers.extend(ct.map(|c| ("content-type", c)));
                    headers.extend(extra);
                    Case { route: route.clone(), method, uri, headers, body }
                })
                .boxed()
        })
        .collect();
    prop::strategy::Union::new(per_target).boxed()
}

async fn call(router: &Router, c: &Case) -> Option<(u16, Option<String>, Vec<u8>)> {
    let mut req = Request::builder().method(c.method.clone()).uri(&c.uri);
    for (k, v) in &c.headers {
        req = req.header(*k, v.as_slice());
    }
    // A request hyper could never have parsed (invalid header bytes or URI)
    // is not a request the service can receive.
    let req = req.body(Body::from(c.body.clone())).ok()?;
    let resp = router.clone().oneshot(req).await.expect("infallible");
    let status = resp.status().as_u16();
    let ct = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let body = resp.into_body().collect().await.unwrap().to_bytes().to_vec();
    Some((status, ct, body))
}

/// Creates one of everything through the router, so generated ids and
/// paths sometimes name real records.
async fn seed(router: &Router, token: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let post = |path: &'static str, body: Value| {
        let router = router.clone();
        let token = token.to_owned();
        async move {
            let c = Case {
                route: format!("POST {path}"),
                method: Method::POST,
                uri: path.into(),
                headers: vec![
                    ("authorization", format!("Bearer {token}").into_bytes()),
                    ("idempotency-key", uuid::Uuid::new_v4().to_string().into_bytes()),
                    ("content-type", b"application/json".to_vec()),
                ],
                body: serde_json::to_vec(&body).unwrap(),
            };
            let (status, _, body) = call(&router, &c).await.unwrap();
            assert_eq!(status, 201, "seed {path}: {}", String::from_utf8_lossy(&body));
            serde_json::from_slice::<Value>(&body).unwrap()["id"].as_str().unwrap().to_owned()
        }
    };
    let customer = post("/v1/customers", json!({"name": "Acme"})).await;
    let invoice = post(
        "/v1/invoices",
        json!({"customer_id": customer, "currency": "USD", "due_date": "2026-12-31",
               "lines": [{"description": "Work", "quantity": 1, "unit_price_cents": 10_000}]}),
    )
    .await;
    let payment = post("/v1/payments", json!({"invoice_id": invoice, "amount_cents": 5_000, "method": "card"})).await;
    let vendor = post("/v1/vendors", json!({"name": "Initech"})).await;
    let account = post("/v1/accounts", json!({"code": "1000", "name": "Cash", "type": "asset"})).await;
    let user = post("/v1/users", json!({"email": "sam@example.com", "name": "Sam", "role": "admin"})).await;
    let bank = post(
        "/v1/bank-accounts",
        json!({"holder_name": "Acme", "account_number": "000123456789", "routing_number": "011000015"}),
    )
    .await;
    let payroll = post(
        "/v1/payroll-runs",
        json!({"period": "2026-01", "currency": "USD", "pay_date": "2026-02-01",
               "lines": [{"employee_name": "Ada", "gross_cents": 1000}]}),
    )
    .await;
    ids.extend([customer, invoice, payment, vendor, account, user, bank, payroll]);
    ids
}

#[derive(Default)]
struct Tally {
    requests: usize,
    unbuildable: usize,
    statuses: BTreeMap<u16, usize>,
    routes: BTreeSet<String>,
}

/// (route template, method, status) → the problem codes the served
/// document lists for it.
fn documented_codes() -> BTreeMap<(String, String, u16), BTreeSet<String>> {
    let doc = accubooks_service::http::openapi::document(routes().table());
    let mut out = BTreeMap::new();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for (method, op) in ops.as_object().expect("operations") {
            for (status, response) in op["responses"].as_object().expect("responses") {
                let Ok(status) = status.parse::<u16>() else { continue };
                let codes = response
                    .pointer("/content/application~1problem+json/schema/allOf/1/properties/code/enum")
                    .and_then(Value::as_array)
                    .map(|codes| codes.iter().filter_map(|c| c.as_str().map(str::to_owned)).collect())
                    .unwrap_or_default();
                out.insert((path.clone(), method.to_ascii_uppercase(), status), codes);
            }
        }
    }
    out
}

fn cases_from_env(var: &str, default: u32) -> u32 {
    std::env::var(var).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn fuzz_every_route_never_5xx_always_problem_json_refusals_write_nothing() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let store: Arc<dyn Store> = Arc::new(MemStore::new(std::time::Duration::from_millis(200)));
    fuzz(&rt, store, "memory", cases_from_env("ACCUBOOKS_FUZZ_CASES", 10_500));
}

/// The same properties on SQLite, fewer cases: "writes nothing" is checked
/// against real tables.
#[test]
fn fuzz_every_route_on_sqlite() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let store = rt.block_on(fresh_store(Kind::Sqlite, test_limits())).unwrap();
    fuzz(&rt, store, "sqlite", cases_from_env("ACCUBOOKS_FUZZ_SQL_CASES", 1_000));
}

fn fuzz(rt: &tokio::runtime::Runtime, store: Arc<dyn Store>, name: &str, cases: u32) {
    let t = rt.block_on(tenants(store.as_ref()));
    let engine = EngineConfig { inflight_wait: std::time::Duration::from_millis(200), ..EngineConfig::default() };
    let router = Service::build(store.clone(), ServiceConfig { engine, ..ServiceConfig::default() }).router;
    let ids = Arc::new(rt.block_on(seed(&router, &t.token_a)));
    let rules: BTreeSet<&str> = REGISTRY.iter().flat_map(|s| s.rules.iter().copied()).collect();
    let targets = targets();
    let strategy = case(&targets, ids, [t.token_a.clone(), t.token_b.clone()]);
    let tally = Mutex::new(Tally::default());
    let documented = documented_codes();
    let counts = |s: &Arc<dyn Store>| -> Counts { rt.block_on(s.counts()).unwrap() };

    let config = Config { cases, failure_persistence: None, max_shrink_iters: 200, ..Config::default() };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&strategy, |c| {
        let before = counts(&store);
        let Some((status, ct, body)) = rt.block_on(call(&router, &c)) else {
            tally.lock().unwrap().unbuildable += 1;
            return Ok(());
        };
        let after = counts(&store);
        {
            let mut t = tally.lock().unwrap();
            t.requests += 1;
            *t.statuses.entry(status).or_default() += 1;
            t.routes.insert(c.route.clone());
        }
        let text = String::from_utf8_lossy(&body);
        prop_assert!(status < 500, "{} {} answered {status}: {text}", c.method, c.uri);
        if status >= 400 {
            prop_assert_eq!(ct.as_deref(), Some("application/problem+json"), "{} {}: {}", c.method, c.uri, text);
            let problem: Value = serde_json::from_slice(&body).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let code = problem["code"].as_str().unwrap_or_default().to_owned();
            prop_assert!(!code.is_empty(), "problem without a code: {text}");
            prop_assert_eq!(problem["status"].as_u64(), Some(status as u64));
            // The document lists every code a route answers, per status
            // (a request with another method than the route's is a 405).
            let (route_method, route_path) = c.route.split_once(' ').expect("METHOD path");
            let listed = documented.get(&(route_path.to_owned(), route_method.to_owned(), status));
            prop_assert!(
                route_method != c.method.as_str() || listed.is_some_and(|codes| codes.contains(&code)),
                "{} {} answered {status} {code}, which the OpenAPI document does not list for {} {}",
                c.method,
                c.uri,
                c.method,
                c.route
            );
            // A refusal writes nothing; a definitive rule rejection stores
            // only its key (for replay) and its audit row.
            let same = (before.entities, before.workflows) == (after.entities, after.workflows);
            prop_assert!(same, "{} {} ({status} {code}) wrote: {before:?} -> {after:?}", c.method, c.uri);
            if !(status == 422 && rules.contains(code.as_str())) {
                prop_assert_eq!(before.keys, after.keys, "{} {} ({} {}) stored a key", c.method, c.uri, status, code);
            }
        }
        Ok(())
    });
    let t = tally.into_inner().unwrap();
    let histogram: Vec<String> = t.statuses.iter().map(|(s, n)| format!("{s}: {n}")).collect();
    println!(
        "fuzz ({name}): {} requests over {} of {} routes ({} generated cases not expressible as HTTP); statuses {{{}}}; \
         server errors: {}",
        t.requests,
        t.routes.len(),
        targets.len(),
        t.unbuildable,
        histogram.join(", "),
        t.statuses.range(500..).map(|(_, n)| n).sum::<usize>()
    );
    if let Err(e) = result {
        panic!("{e}");
    }
    assert!(t.requests >= cases as usize * 9 / 10, "most generated cases were sent");
    if cases >= 1_000 {
        assert_eq!(t.routes.len(), targets.len(), "every route was fuzzed");
    }
}
