//! Bank account and routing numbers never appear whole: not in any
//! response (new, replay, read-back, refusals), not in any stored row
//! (entities, key records, audit log, outbox), not in the service's logs.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use accubooks_service::store::sql::connect;
use accubooks_service::store::{Store, Tenant};
use serde_json::json;

use crate::support::{send, test_limits, Resp};

/// Numbers sent in this test; none may be seen again.
const SECRETS: [&str; 6] = ["000123456789", "011000015", "55550001234", "111000025", "7777888899990000", "021000022"];

fn assert_clean(what: &str, text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "{what} reveals {s}: {text}");
    }
}

/// The real binary, logging everything (trace, JSON on stderr) to a file.
struct Service {
    child: Child,
    addr: SocketAddr,
    log: std::path::PathBuf,
}

impl Service {
    fn start(url: &str, dir: &std::path::Path) -> Self {
        let log = dir.join("service.log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_accubooks"))
            .args(["serve", "--bind", "127.0.0.1:0", "--database-url", url])
            .env("ACCUBOOKS_LOG", "trace")
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("start accubooks serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let addr = line.trim().strip_prefix("listening on http://").expect("listening line").parse().unwrap();
        Self { child, addr, log }
    }

    fn stop(mut self) -> String {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        std::fs::read_to_string(&self.log).unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bank_numbers_are_masked_in_responses_rows_and_logs() {
    let dir = std::env::temp_dir().join(format!("accubooks-mask-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("mask.db").display());
    let store = connect(&url, test_limits()).await.unwrap();
    let token = accubooks_service::domain::ids::Token::generate().unwrap();
    let tenant = Tenant { id: accubooks_service::domain::ids::TenantId(uuid::Uuid::new_v4()), name: "Mask".into() };
    store.create_tenant(&tenant, &token.hash_hex()).await.unwrap();

    let service = Service::start(&url, &dir);
    let seen = exercise(service.addr, token.expose()).await;
    let logs = service.stop();
    assert!(logs.contains("update_bank_account"), "the log has the writes: {logs}");
    assert_clean("the service's log", &logs);
    for r in &seen {
        assert_clean("a response", &format!("{:?} {}", r.headers, String::from_utf8_lossy(&r.body)));
    }
    let stored = stored_text(store.as_ref(), &tenant).await;
    assert!(stored.contains("bank_change_alert"), "the outbox row is there: {stored}");
    assert_clean("stored data", &stored);
    std::fs::remove_dir_all(&dir).ok();
}

/// Every stored row a request could have touched, as text.
async fn stored_text(store: &dyn Store, tenant: &Tenant) -> String {
    format!(
        "{:?} {:?} {:?} {:?} {:?}",
        store.entities(None).await.unwrap(),
        store.audit_rows(None).await.unwrap(),
        store.workflows(None).await.unwrap(),
        store.get_key(tenant.id, "ba-1").await.unwrap(),
        store.get_key(tenant.id, "ba-change").await.unwrap(),
    )
}

async fn request(addr: SocketAddr, method: &str, path: &str, token: &str, key: &str, body: &[u8]) -> Resp {
    let auth = format!("Bearer {token}");
    let headers: [(&str, &[u8]); 3] = [
        ("authorization", auth.as_bytes()),
        ("idempotency-key", key.as_bytes()),
        ("content-type", b"application/json"),
    ];
    send(addr, method, path, &headers, body.to_vec()).await
}

async fn get(addr: SocketAddr, path: &str, token: &str) -> Resp {
    let auth = format!("Bearer {token}");
    send(addr, "GET", path, &[("authorization", auth.as_bytes())], Vec::new()).await
}

/// Creates, replays, reads, updates and refuses bank details; every response.
async fn exercise(addr: SocketAddr, tok: &str) -> Vec<Resp> {
    let mut seen = Vec::new();
    let create = json!({"holder_name": "Acme Ltd", "account_number": "000123456789", "routing_number": "011000015"});
    let create = serde_json::to_vec(&create).unwrap();
    for expected in [201, 200] {
        let r = request(addr, "POST", "/v1/bank-accounts", tok, "ba-1", &create).await;
        assert_eq!(r.status, expected, "{:?}", r.body);
        seen.push(r);
    }
    let account = seen[0].json();
    assert_eq!(account["account_number_masked"], "****6789");
    assert_eq!(account["routing_number_masked"], "****0015");
    let path = format!("/v1/bank-accounts/{}", account["id"].as_str().unwrap());
    let update = serde_json::to_vec(&json!({"account_number": "55550001234", "routing_number": "111000025"})).unwrap();
    for expected in [201, 200] {
        let r = request(addr, "PUT", &path, tok, "ba-change", &update).await;
        assert_eq!(r.status, expected, "{:?}", r.body);
        seen.push(r);
    }
    let change = seen[2].json();
    assert_eq!(change["current"]["account_number_masked"], "****1234");
    assert_eq!(change["previous"]["account_number_masked"], "****6789");
    seen.push(get(addr, &path, tok).await);
    seen.push(get(addr, seen[2].header("location").unwrap(), tok).await);
    let bad =
        serde_json::to_vec(&json!({"account_number": "7777888899990000", "routing_number": "021000022"})).unwrap();
    let refused = request(addr, "PUT", &path, tok, "ba-bad", &bad).await;
    assert_eq!((refused.status, refused.code()), (422, "invalid_routing_number".into()));
    seen.push(refused);
    let as_number = br#"{"account_number": 7777888899990000, "routing_number": "021000022"}"#;
    let refused = request(addr, "PUT", &path, tok, "ba-num", as_number).await;
    assert_eq!((refused.status, refused.code()), (400, "invalid_body".into()));
    seen.push(refused);
    seen
}
