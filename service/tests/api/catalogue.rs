//! The registry-driven suite. Every registered operation, with no test
//! written for it by hand, gets: 201 new with its record readable at
//! `Location`; 200 replay byte-identical; 422 mismatch writing nothing;
//! 500 concurrent same-key requests executing once; tenant isolation; and
//! every rule violation in its fixture answered 422 with its code and
//! nothing written. Run on memory, SQLite and Postgres.

use std::collections::BTreeMap;
use std::sync::Arc;

use accubooks_service::idempotency::deterministic_id;
use accubooks_service::idempotency::key::IdempotencyKey;
use accubooks_service::ops::{OpSpec, REGISTRY};
use accubooks_service::store::AuditStatus;
use uuid::Uuid;

use crate::fixtures::{self, Valid};
use crate::support::{send, Resp, TestApp, TestTenant};

fn method(spec: &OpSpec) -> &'static str {
    spec.method.as_str()
}

fn entity_id(t: &TestTenant, spec: &OpSpec, key: &str) -> Uuid {
    deterministic_id(t.id, spec.name, &IdempotencyKey::parse(key).unwrap())
}

async fn valid(app: &TestApp, spec: &OpSpec) -> Valid {
    fixtures::valid(app, spec.name)
        .await
        .unwrap_or_else(|| panic!("{} has no valid fixture in tests/api/fixtures.rs", spec.name))
}

async fn run(app: &TestApp, spec: &OpSpec, t: &TestTenant, key: &str, r: &fixtures::Req) -> Resp {
    app.request(method(spec), &r.path, &t.token, key, &r.body).await
}

pub async fn every_operation_has_complete_fixtures(app: TestApp) {
    for spec in REGISTRY {
        valid(&app, spec).await;
        let cases = fixtures::violations(&app, spec.name)
            .await
            .unwrap_or_else(|| panic!("{} has no violation fixtures in tests/api/fixtures.rs", spec.name));
        assert!(!cases.is_empty(), "{}: every operation refuses something", spec.name);
        for rule in spec.rules.iter().chain(spec.input_rules) {
            assert!(cases.iter().any(|c| c.code == *rule), "{}: rule {rule} has no violation fixture", spec.name);
        }
        for c in &cases {
            assert!(
                c.code == "validation_failed" || spec.rules.contains(&c.code) || spec.input_rules.contains(&c.code),
                "{}: fixture {} expects {}, which the spec does not declare",
                spec.name,
                c.what,
                c.code
            );
        }
    }
}

pub async fn every_operation_new_replay_mismatch(app: TestApp) {
    for spec in REGISTRY {
        let Valid { tenant: t, request, other } = valid(&app, spec).await;
        let key = format!("{}-first", spec.name);
        let first = run(&app, spec, &t, &key, &request).await;
        assert_eq!(first.status, 201, "{}: {:?}", spec.name, first.body);
        assert_eq!(first.header("idempotent-replayed"), None);
        let id = entity_id(&t, spec, &key);
        let location = format!("/v1/{}/{id}", spec.collection);
        assert_eq!(first.header("location"), Some(location.as_str()), "{}", spec.name);
        assert_eq!(first.json()["id"], id.to_string(), "{}: the record id is the deterministic id", spec.name);
        let read = app.get(&location, &t.token).await;
        assert_eq!((read.status, &read.body), (200, &first.body), "{}: read-back", spec.name);
        let workflows: Vec<String> = app
            .store
            .workflows(Some(t.id))
            .await
            .unwrap()
            .into_iter()
            .filter(|w| w.trigger_entity_id == id)
            .map(|w| w.workflow_name)
            .collect();
        assert_eq!(workflows, spec.workflows, "{}: one outbox row per declared workflow", spec.name);

        for _ in 0..2 {
            let again = run(&app, spec, &t, &key, &request).await;
            assert_eq!(again.status, 200, "{}", spec.name);
            assert_eq!(again.header("idempotent-replayed"), Some("true"), "{}", spec.name);
            assert_eq!(again.body, first.body, "{}: replay is byte-identical", spec.name);
            assert_eq!(again.header("location"), first.header("location"));
        }

        let before = app.footprint(t.id).await;
        let mismatch = run(&app, spec, &t, &key, &other).await;
        assert_eq!(mismatch.status, 422, "{}: {:?}", spec.name, mismatch.body);
        assert_eq!(mismatch.code(), "idempotency_key_mismatch", "{}", spec.name);
        assert_eq!(app.footprint(t.id).await, before, "{}: a mismatch writes nothing", spec.name);
        let still = run(&app, spec, &t, &key, &request).await;
        assert_eq!((still.status, &still.body), (200, &first.body), "{}: the stored outcome stands", spec.name);
    }
}

pub async fn every_operation_same_key_500_executes_once(app: TestApp) {
    let addr = app.addr;
    for spec in REGISTRY {
        let Valid { tenant: t, request, .. } = valid(&app, spec).await;
        let key = format!("{}-storm", spec.name);
        let kinds_before = kinds(&app, &t).await;
        let request = Arc::new((request, t.token.clone(), key.clone()));
        let mut tasks = Vec::new();
        for _ in 0..500 {
            let r = request.clone();
            let m = method(spec);
            tasks.push(tokio::spawn(async move {
                let (req, token, key) = &*r;
                let auth = format!("Bearer {token}");
                let headers: [(&str, &[u8]); 3] = [
                    ("authorization", auth.as_bytes()),
                    ("idempotency-key", key.as_bytes()),
                    ("content-type", b"application/json"),
                ];
                send(addr, m, &req.path, &headers, serde_json::to_vec(&req.body).unwrap()).await
            }));
        }
        let mut by_status: BTreeMap<u16, Vec<Resp>> = BTreeMap::new();
        for task in tasks {
            let r = task.await.unwrap();
            by_status.entry(r.status).or_default().push(r);
        }
        let counts: Vec<(u16, usize)> = by_status.iter().map(|(s, v)| (*s, v.len())).collect();
        assert_eq!(counts, vec![(200, 499), (201, 1)], "{}: one execution, 499 replays", spec.name);
        let created = &by_status[&201][0];
        assert!(by_status[&200].iter().all(|r| r.body == created.body), "{}: identical replays", spec.name);

        let id = entity_id(&t, spec, &key);
        let kinds_after = kinds(&app, &t).await;
        let grew =
            |kind: &str| kinds_after.get(kind).copied().unwrap_or(0) - kinds_before.get(kind).copied().unwrap_or(0);
        assert_eq!(grew(spec.kind()), 1, "{}: one record", spec.name);
        let audit = app.store.audit_rows(Some(t.id)).await.unwrap();
        let mine: Vec<_> = audit.iter().filter(|a| a.operation_name == spec.name && a.deterministic_id == id).collect();
        assert_eq!(mine.iter().filter(|a| a.status == AuditStatus::New).count(), 1, "{}", spec.name);
        assert_eq!(mine.iter().filter(|a| a.status == AuditStatus::Replayed).count(), 499, "{}", spec.name);
        let wf = app.store.workflows(Some(t.id)).await.unwrap();
        assert_eq!(wf.iter().filter(|w| w.trigger_entity_id == id).count(), spec.workflows.len(), "{}", spec.name);
    }
}

/// Entities of a tenant by kind.
async fn kinds(app: &TestApp, t: &TestTenant) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for e in app.store.entities(Some(t.id)).await.unwrap() {
        *m.entry(e.kind).or_default() += 1;
    }
    m
}

pub async fn every_operation_is_tenant_isolated(app: TestApp) {
    for spec in REGISTRY {
        let Valid { tenant: a, request, .. } = valid(&app, spec).await;
        let key = format!("{}-shared-key", spec.name);
        let first = run(&app, spec, &a, &key, &request).await;
        assert_eq!(first.status, 201, "{}: {:?}", spec.name, first.body);
        let location = first.header("location").unwrap().to_owned();
        let a_before = app.store.entities(Some(a.id)).await.unwrap();

        // Tenant B replays A's exact request under A's key.
        let b = app.new_tenant().await;
        let theirs = run(&app, spec, &b, &key, &request).await;
        assert_ne!(theirs.body, first.body, "{}: B never receives A's stored response", spec.name);
        match theirs.status {
            201 => assert_eq!(theirs.json()["id"], entity_id(&b, spec, &key).to_string(), "{}", spec.name),
            // A's referenced entities do not exist for B: 404, or a rule's 422.
            404 | 422 => {}
            other => panic!("{}: tenant B got {other}: {:?}", spec.name, theirs.body),
        }
        assert_eq!(app.store.entities(Some(a.id)).await.unwrap(), a_before, "{}: B changed A's data", spec.name);
        let peek = app.get(&location, &b.token).await;
        assert_eq!(peek.status, 404, "{}: B reads A's record", spec.name);
        let own = app.get(&location, &a.token).await;
        assert_eq!(own.body, first.body, "{}", spec.name);
    }
}

pub async fn every_rule_violation_is_422_and_writes_nothing(app: TestApp) {
    for spec in REGISTRY {
        let cases = fixtures::violations(&app, spec.name)
            .await
            .unwrap_or_else(|| panic!("{} has no violation fixtures", spec.name));
        for (i, c) in cases.iter().enumerate() {
            let what = format!("{} / {}", spec.name, c.what);
            let key = format!("{}-violation-{i}", spec.name);
            let before = app.footprint(c.tenant.id).await;
            let r = run(&app, spec, &c.tenant, &key, &c.request).await;
            assert_eq!(r.status, 422, "{what}: {:?}", r.body);
            assert_eq!(r.code(), c.code, "{what}");
            assert_eq!(app.footprint(c.tenant.id).await, before, "{what}: wrote entities or workflows");
            let stored = app.store.get_key(c.tenant.id, &key).await.unwrap();
            if c.code == "validation_failed" || spec.input_rules.contains(&c.code) {
                // Refused before the engine: no key, so a corrected request may reuse it.
                assert!(stored.is_none(), "{what}: an invalid request claimed its key");
                continue;
            }
            // A definitive rule: stored with the key and replayed as it was.
            assert_eq!(stored.and_then(|k| k.response).map(|r| r.status), Some(422), "{what}");
            let again = run(&app, spec, &c.tenant, &key, &c.request).await;
            assert_eq!((again.status, &again.body), (422, &r.body), "{what}: replay");
            assert_eq!(again.header("idempotent-replayed"), Some("true"), "{what}");
            assert_eq!(app.footprint(c.tenant.id).await, before, "{what}: the replay wrote");
        }
    }
}

/// Every money field of every operation takes the one documented cap
/// (10^15 cents) and refuses one cent more, found from the OpenAPI
/// document: a new operation's amounts are covered without a new test.
pub async fn every_money_field_takes_the_cap_and_refuses_one_more(app: TestApp) {
    let doc = app.get("/openapi.json", "").await.json();
    let mut fields = 0;
    for spec in REGISTRY {
        let schema = request_schema(&doc, spec);
        let Valid { tenant, request, .. } = valid(&app, spec).await;
        for pointer in money_fields(&doc, &schema, &request.body, String::new()) {
            fields += 1;
            let what = format!("{} {pointer}", spec.name);
            let with = |cents: i64| {
                let mut r = request.clone();
                *r.body.pointer_mut(&pointer).expect("a field of the valid body") = serde_json::json!(cents);
                r
            };
            let before = app.footprint(tenant.id).await;
            let over = run(&app, spec, &tenant, &format!("cap-over-{}", Uuid::new_v4()), &with(CAP + 1)).await;
            assert_eq!((over.status, over.code()), (422, "validation_failed".to_owned()), "{what} = cap + 1");
            assert_eq!(app.footprint(tenant.id).await, before, "{what} = cap + 1 wrote something");
            let at = run(&app, spec, &tenant, &format!("cap-at-{}", Uuid::new_v4()), &with(CAP)).await;
            // Accepted by validation: executed, or met a business rule or a
            // documented sum rule (a quantity above 1 times the cap).
            let refused_for_shape = at.status == 400 || (at.status == 422 && at.code() == "validation_failed");
            assert!(!refused_for_shape, "{what} = cap is refused: {:?}", at.body);
        }
    }
    assert!(fields >= 8, "money fields found: {fields}");
}

const CAP: i64 = accubooks_service::domain::money::AMOUNT_CENTS_MAX;

/// The operation's request body schema, its `$ref` resolved.
fn request_schema(doc: &serde_json::Value, spec: &OpSpec) -> serde_json::Value {
    let method = spec.method.as_str().to_ascii_lowercase();
    let body = &doc["paths"][spec.route][&method]["requestBody"]["content"]["application/json"]["schema"];
    resolve(doc, body).clone()
}

fn resolve<'a>(doc: &'a serde_json::Value, schema: &'a serde_json::Value) -> &'a serde_json::Value {
    match schema.get("$ref").and_then(|r| r.as_str()).and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => doc.pointer(pointer).expect("a resolvable $ref"),
        None => schema,
    }
}

/// JSON pointers of the valid body's integer fields whose schema's maximum
/// is the cap (nested objects and arrays included).
fn money_fields(
    doc: &serde_json::Value,
    schema: &serde_json::Value,
    body: &serde_json::Value,
    at: String,
) -> Vec<String> {
    let schema = resolve(doc, schema);
    match body {
        serde_json::Value::Object(members) => members
            .iter()
            .flat_map(|(name, value)| {
                let field = &schema["properties"][name];
                let pointer = format!("{at}/{name}");
                if resolve(doc, field)["maximum"] == CAP && value.as_i64().is_some_and(|v| v > 0) {
                    vec![pointer]
                } else {
                    money_fields(doc, field, value, pointer)
                }
            })
            .collect(),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .flat_map(|(i, item)| money_fields(doc, &schema["items"], item, format!("{at}/{i}")))
            .collect(),
        _ => Vec::new(),
    }
}

per_store_app_suite!(
    every_operation_has_complete_fixtures,
    every_operation_new_replay_mismatch,
    every_operation_same_key_500_executes_once,
    every_operation_is_tenant_isolated,
    every_rule_violation_is_422_and_writes_nothing,
    every_money_field_takes_the_cap_and_refuses_one_more,
);
