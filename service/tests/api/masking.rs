//! Bank account and routing numbers never appear whole: not in any
//! response (new, replay, read-back, refusals), not in any stored row
//! (entities, key records, audit log, outbox), not in the service's logs.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use crate::support::{send, spawn_app_with, Kind};

/// Numbers sent in this test; none may be seen again.
const SECRETS: [&str; 6] = ["000123456789", "011000015", "55550001234", "111000025", "7777888899990000", "021000022"];

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn assert_clean(what: &str, text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "{what} reveals {s}: {text}");
    }
}

#[test]
fn bank_numbers_are_masked_in_responses_rows_and_logs() {
    let logs = Capture::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    // A current-thread runtime: the service's tasks run on this thread, so
    // the scoped subscriber sees every event they log.
    tracing::subscriber::with_default(subscriber, || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(exercise());
    });
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("update_bank_account"), "the capture saw the writes: {logs}");
    assert_clean("the log", &logs);
}

async fn exercise() {
    let app = spawn_app_with(Kind::Memory, Duration::from_secs(30)).await.unwrap();
    let tok = app.tenants.token_a.clone();
    let mut seen = Vec::new();
    let create = json!({"holder_name": "Acme Ltd", "account_number": "000123456789", "routing_number": "011000015"});
    for _ in 0..2 {
        let r = app.post("/v1/bank-accounts", &tok, "ba-1", &create).await;
        assert!(r.status == 201 || r.status == 200, "{:?}", r.body);
        seen.push(r);
    }
    let account = seen[0].json();
    assert_eq!(
        (account["account_number_masked"].as_str(), account["routing_number_masked"].as_str()),
        (Some("****6789"), Some("****0015"))
    );
    let path = format!("/v1/bank-accounts/{}", account["id"].as_str().unwrap());
    let update = json!({"account_number": "55550001234", "routing_number": "111000025"});
    for _ in 0..2 {
        seen.push(app.request("PUT", &path, &tok, "ba-change", &update).await);
    }
    let change = seen[2].json();
    assert_eq!(change["current"]["account_number_masked"], "****1234");
    assert_eq!(change["previous"]["account_number_masked"], "****6789");
    seen.push(app.get(&path, &tok).await);
    seen.push(app.get(seen[2].header("location").unwrap(), &tok).await);
    let refused = app
        .request(
            "PUT",
            &path,
            &tok,
            "ba-bad",
            &json!({"account_number": "7777888899990000", "routing_number": "021000022"}),
        )
        .await;
    assert_eq!((refused.status, refused.code()), (422, "validation_failed".into()));
    seen.push(refused);
    let auth = format!("Bearer {tok}");
    let as_number = send(
        app.addr,
        "PUT",
        &path,
        &[("authorization", auth.as_bytes()), ("idempotency-key", b"ba-num"), ("content-type", b"application/json")],
        br#"{"account_number": 7777888899990000, "routing_number": "021000022"}"#.to_vec(),
    )
    .await;
    assert_eq!((as_number.status, as_number.code()), (400, "invalid_body".into()));
    seen.push(as_number);
    for r in &seen {
        assert_clean("a response", &format!("{:?} {}", r.headers, String::from_utf8_lossy(&r.body)));
    }
    let stored = format!(
        "{:?} {:?} {:?} {:?} {:?}",
        app.store.entities(None).await.unwrap(),
        app.store.audit_rows(None).await.unwrap(),
        app.store.workflows(None).await.unwrap(),
        app.store.get_key(app.tenants.a, "ba-1").await.unwrap(),
        app.store.get_key(app.tenants.a, "ba-change").await.unwrap(),
    );
    assert!(stored.contains("bank_change_alert"), "the outbox row is there: {stored}");
    assert_clean("stored data", &stored);
}
