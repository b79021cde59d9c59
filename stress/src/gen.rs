//! Request generators: one small function per registered operation, looked
//! up by the operation's registry name. Covering a new operation is one
//! function and one table row here (plus reference data in `setup.rs` if it
//! needs some); the test below fails while a registered operation has none.

use accubooks_service::fingerprint::fingerprint;
use accubooks_service::ops::{Method, OpSpec, REGISTRY};
use serde_json::{json, Value};
use uuid::Uuid;

/// Reference data a tenant's requests point at, created before the load.
#[derive(Debug, Clone, Default)]
pub struct Refs {
    pub customers: Vec<Uuid>,
    /// Invoices with totals far above anything the run pays, so payments
    /// are never refused as overpayments.
    pub invoices: Vec<Uuid>,
}

/// One request's content: path (parameters filled in), its parameters in
/// route order (they are part of the fingerprint) and the JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Payload {
    pub path: String,
    pub path_params: Vec<String>,
    pub body: Value,
}

impl Payload {
    fn at(path: &str, body: Value) -> Self {
        Self { path: path.to_owned(), path_params: Vec::new(), body }
    }

    /// The service's fingerprint of this request (the same function).
    pub fn fingerprint(&self, operation: &str) -> String {
        let params: Vec<&str> = self.path_params.iter().map(String::as_str).collect();
        fingerprint(operation, &params, &self.body)
    }
}

/// `pick` chooses among reference entities (spread so concurrent requests
/// rarely lock the same row); `variant` changes the payload without
/// changing its shape. Neighbouring variants must give different payloads
/// (the mismatch workload steps through variants until the fingerprint
/// differs); distant ones may collide.
pub type Build = fn(refs: &Refs, pick: u64, variant: u64) -> Payload;

#[derive(Debug)]
pub struct OpGen {
    pub spec: &'static OpSpec,
    /// Collection under which the created entity is read back
    /// (`GET {collection}/{id}`), for verification through the read API.
    pub read_collection: Option<&'static str>,
    pub build: Build,
}

impl OpGen {
    pub fn name(&self) -> &'static str {
        self.spec.name
    }

    pub fn method(&self) -> hyper::Method {
        match self.spec.method {
            Method::Post => hyper::Method::POST,
            Method::Put => hyper::Method::PUT,
            Method::Delete => hyper::Method::DELETE,
        }
    }
}

pub static GENERATORS: &[OpGen] = &[
    OpGen {
        spec: &accubooks_service::ops::CREATE_CUSTOMER,
        read_collection: Some("/v1/customers"),
        build: create_customer,
    },
    OpGen {
        spec: &accubooks_service::ops::CREATE_INVOICE,
        read_collection: Some("/v1/invoices"),
        build: create_invoice,
    },
    OpGen {
        spec: &accubooks_service::ops::RECORD_PAYMENT,
        read_collection: Some("/v1/payments"),
        build: record_payment,
    },
];

pub fn generator(name: &str) -> Option<&'static OpGen> {
    GENERATORS.iter().find(|g| g.name() == name)
}

/// `all` or a comma-separated list of registered operation names.
pub fn select(spec: &str) -> Result<Vec<&'static OpGen>, String> {
    if spec == "all" {
        return REGISTRY
            .iter()
            .map(|s| generator(s.name).ok_or_else(|| format!("no request generator for {}", s.name)))
            .collect();
    }
    spec.split(',')
        .map(str::trim)
        .map(|n| {
            generator(n).ok_or_else(|| {
                let known: Vec<&str> = GENERATORS.iter().map(OpGen::name).collect();
                format!("unknown operation {n:?} (known: all, {})", known.join(", "))
            })
        })
        .collect()
}

fn nth(v: &[Uuid], pick: u64) -> Uuid {
    assert!(!v.is_empty(), "reference data is created before any generator runs");
    v[(pick % v.len() as u64) as usize]
}

fn create_customer(_refs: &Refs, _pick: u64, variant: u64) -> Payload {
    Payload::at("/v1/customers", json!({ "name": format!("Stress customer {variant}") }))
}

fn create_invoice(refs: &Refs, pick: u64, variant: u64) -> Payload {
    let body = json!({
        "customer_id": nth(&refs.customers, pick),
        "currency": "USD",
        "due_date": "2026-12-31",
        "lines": [{
            "description": format!("Consulting {variant}"),
            "quantity": 1 + variant % 9,
            "unit_price_cents": 1_000 + variant % 99_000,
        }],
    });
    Payload::at("/v1/invoices", body)
}

fn record_payment(refs: &Refs, pick: u64, variant: u64) -> Payload {
    let body = json!({
        "invoice_id": nth(&refs.invoices, pick),
        "amount_cents": 100 + variant % 400,
        "method": "bank_transfer",
    });
    Payload::at("/v1/payments", body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs() -> Refs {
        Refs { customers: vec![Uuid::from_u128(1), Uuid::from_u128(2)], invoices: vec![Uuid::from_u128(3)] }
    }

    #[test]
    fn every_registered_operation_has_a_generator() {
        for spec in REGISTRY {
            let g = generator(spec.name).unwrap_or_else(|| panic!("no generator for {}: add one to gen.rs", spec.name));
            assert!(std::ptr::eq(g.spec, *spec) || g.spec.name == spec.name);
        }
        assert_eq!(select("all").unwrap().len(), REGISTRY.len());
    }

    #[test]
    fn generators_are_deterministic_and_variants_differ() {
        for g in GENERATORS {
            let a = (g.build)(&refs(), 5, 11);
            assert_eq!(a, (g.build)(&refs(), 5, 11), "{}", g.name());
            let b = (g.build)(&refs(), 5, 12);
            assert_ne!(a.fingerprint(g.name()), b.fingerprint(g.name()), "{}: variants must mismatch", g.name());
            assert!(a.path.starts_with("/v1/"), "{}", g.name());
        }
    }

    #[test]
    fn generated_bodies_parse_and_validate_as_the_service_would() {
        use accubooks_service::ops::{CreateCustomer, CreateInvoice, Operation, RecordPayment};
        fn ok<O: Operation>(op: O, v: &Value) {
            let input: O::Input = serde_json::from_value(v.clone()).expect("body matches the schema");
            op.validate(&input).expect("body passes validation");
            // The service fingerprints the re-serialised typed input: same bytes.
            assert_eq!(&serde_json::to_value(&input).unwrap(), v);
        }
        for variant in [0, 1, 98_999, 1_000_003] {
            ok(CreateCustomer, &create_customer(&refs(), 0, variant).body);
            ok(CreateInvoice, &create_invoice(&refs(), 1, variant).body);
            ok(RecordPayment, &record_payment(&refs(), 2, variant).body);
        }
    }

    #[test]
    fn select_parses_lists_and_refuses_unknown_names() {
        assert_eq!(select("create_invoice, record_payment").unwrap().len(), 2);
        assert!(select("create_invoice,nope").unwrap_err().contains("unknown operation"));
    }
}
