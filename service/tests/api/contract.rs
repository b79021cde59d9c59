//! The contract verifier, on the real router and on deliberately broken
//! ones (meta-tests: each broken router must make it fail), and the
//! `accubooks contract` commands.

use std::process::Command;

use accubooks_service::http::contract::{verify, Violation};
use accubooks_service::http::routes::{routes, RouteBuilder};
use accubooks_service::ops::{
    self, Catalogue, Category, CreateInvoice, CreateInvoiceInput, ExecCtx, OpSpec, Operation, OperationVisitor,
    PlanResult, CATALOGUE, FINANCIAL_MUTATIONS, HIGH_RISK_MUTATIONS, REFERENCE_MUTATIONS, REGISTRY,
};
use accubooks_service::store::{Table, Tx};
use async_trait::async_trait;
use axum::http::Method;

fn names(specs: &[&OpSpec]) -> Vec<&'static str> {
    specs.iter().map(|s| s.name).collect()
}

#[test]
fn the_service_router_satisfies_the_contract() {
    let b = routes();
    let verified = verify(b.table(), &CATALOGUE).unwrap_or_else(|v| panic!("{v:#?}"));
    assert_eq!(verified.mutation_routes, REGISTRY.len());
    assert_eq!(
        names(FINANCIAL_MUTATIONS),
        ["create_invoice", "record_payment", "post_journal_entry", "issue_refund", "create_bill"]
    );
    assert_eq!(
        names(HIGH_RISK_MUTATIONS),
        [
            "void_invoice",
            "close_period",
            "update_bank_account",
            "change_user_role",
            "delete_customer",
            "approve_payroll_run"
        ]
    );
    assert!(REFERENCE_MUTATIONS.iter().all(|s| s.category == Category::Reference));
    assert_eq!(REGISTRY.len(), FINANCIAL_MUTATIONS.len() + HIGH_RISK_MUTATIONS.len() + REFERENCE_MUTATIONS.len());
}

/// Mounts every registered operation except one.
struct AllBut {
    builder: RouteBuilder,
    skip: &'static str,
}

impl OperationVisitor for AllBut {
    fn visit<O: Operation>(&mut self, op: O) {
        if op.spec().name != self.skip {
            self.builder.mount(op);
        }
    }
}

/// The reads of `routes()` and the registry's operations but `skip`.
fn router_without(skip: &'static str) -> RouteBuilder {
    let mut all_but = AllBut { builder: RouteBuilder::new(), skip };
    for spec in REGISTRY {
        let kind = spec.kind();
        all_but.builder.read(&spec.read_route(), move || async move { kind });
    }
    ops::visit_all(&mut all_but);
    all_but.builder
}

/// An operation that exists in code but was never registered.
struct ExportEverything;

/// `create_invoice` with its registered route, mounted as reference data.
struct MisfiledInvoice;

/// `create_invoice` mounted somewhere else.
struct RelocatedInvoice;

const MISFILED: OpSpec = OpSpec { category: Category::Reference, ..copy_of(CreateInvoice::SPEC) };
const RELOCATED: OpSpec = OpSpec { route: "/v1/invoices-v2", ..copy_of(CreateInvoice::SPEC) };

const fn copy_of(s: &OpSpec) -> OpSpec {
    OpSpec {
        name: s.name,
        category: s.category,
        method: s.method,
        route: s.route,
        table: s.table,
        collection: s.collection,
        workflows: s.workflows,
        rules: s.rules,
        not_found: s.not_found,
        input_rules: s.input_rules,
    }
}

macro_rules! delegate_to_create_invoice {
    ($op:ident, $spec:expr) => {
        #[async_trait]
        impl Operation for $op {
            type Input = CreateInvoiceInput;
            type Record = accubooks_service::ops::Invoice;
            const SPEC: &'static OpSpec = $spec;
            fn validate(&self, input: &Self::Input) -> Result<(), String> {
                CreateInvoice.validate(input)
            }
            async fn plan(&self, tx: &mut dyn Tx, ctx: &ExecCtx, input: &Self::Input) -> PlanResult {
                CreateInvoice.plan(tx, ctx, input).await
            }
        }
    };
}

delegate_to_create_invoice!(
    ExportEverything,
    &OpSpec {
        name: "export_everything",
        category: Category::HighRisk,
        method: ops::Method::Post,
        route: "/v1/exports",
        table: Table::Invoices,
        collection: "exports",
        workflows: &[],
        rules: &[],
        not_found: &[],
        input_rules: &[],
    }
);
delegate_to_create_invoice!(MisfiledInvoice, &MISFILED);
delegate_to_create_invoice!(RelocatedInvoice, &RELOCATED);

fn violations(b: &RouteBuilder, catalogue: &Catalogue) -> Vec<Violation> {
    match verify(b.table(), catalogue) {
        Ok(v) => panic!("the verifier passed a broken router: {v:?}"),
        Err(v) => v,
    }
}

#[test]
fn meta_an_unwrapped_mutation_route_fails() {
    for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
        let mut b = routes();
        b.raw(method.clone(), "/v1/invoices/{id}/write-off", || async { "written off" });
        let v = violations(&b, &CATALOGUE);
        assert_eq!(v, vec![Violation::UnwrappedMutation { method, path: "/v1/invoices/{id}/write-off".into() }]);
    }
    // A raw read is allowed: only mutations must be engine-wrapped.
    let mut b = routes();
    b.raw(Method::GET, "/v1/status", || async { "ok" });
    assert!(verify(b.table(), &CATALOGUE).is_ok());
}

#[test]
fn meta_a_registered_operation_without_a_route_fails() {
    let b = router_without("close_period");
    assert_eq!(violations(&b, &CATALOGUE), vec![Violation::MissingRoute { name: "close_period" }]);
    // And a registry entry the router was never told about.
    static EXTRA: [&OpSpec; 1] = [ExportEverything::SPEC];
    let catalogue = Catalogue { reference: &EXTRA, ..CATALOGUE };
    let v = violations(&routes(), &catalogue);
    assert!(v.contains(&Violation::MissingRoute { name: "export_everything" }), "{v:?}");
    assert!(v.contains(&Violation::Misfiled {
        name: "export_everything",
        listed_in: Category::Reference,
        declared: Category::HighRisk
    }));
}

#[test]
fn meta_a_route_in_the_wrong_category_fails() {
    let mut b = router_without("create_invoice");
    b.mount(MisfiledInvoice);
    assert_eq!(
        violations(&b, &CATALOGUE),
        vec![Violation::WrongCategory {
            name: "create_invoice",
            registered: Category::Financial,
            mounted: Category::Reference
        }]
    );
    // A registry that lists a financial operation under high risk.
    static MIXED: [&OpSpec; 2] = [ops::VoidInvoice::SPEC, CreateInvoice::SPEC];
    let catalogue = Catalogue { high_risk: &MIXED, financial: &[], ..CATALOGUE };
    let v = violations(&routes(), &catalogue);
    assert!(v.contains(&Violation::Misfiled {
        name: "create_invoice",
        listed_in: Category::HighRisk,
        declared: Category::Financial
    }));
}

#[test]
fn meta_an_unregistered_or_relocated_operation_fails() {
    let mut b = routes();
    b.mount(ExportEverything);
    assert_eq!(
        violations(&b, &CATALOGUE),
        vec![Violation::Unregistered { name: "export_everything", method: Method::POST, path: "/v1/exports".into() }]
    );
    let mut b = router_without("create_invoice");
    b.mount(RelocatedInvoice);
    assert_eq!(
        violations(&b, &CATALOGUE),
        vec![Violation::RouteDiffers {
            name: "create_invoice",
            registered: "POST /v1/invoices".into(),
            mounted: "POST /v1/invoices-v2".into()
        }]
    );
    // A second copy beside the registered one (axum itself refuses the
    // same method on the same path twice, so a copy lives elsewhere).
    let mut b = routes();
    b.mount(RelocatedInvoice);
    let v = violations(&b, &CATALOGUE);
    assert!(v.contains(&Violation::MountedTwice { name: "create_invoice" }), "{v:?}");
}

#[test]
fn meta_a_missing_read_route_fails() {
    let mut b = RouteBuilder::new();
    ops::visit_all(&mut b);
    let v = violations(&b, &CATALOGUE);
    assert_eq!(v.len(), REGISTRY.len());
    assert!(v.iter().all(|x| matches!(x, Violation::MissingReadRoute { .. })), "{v:?}");
}

fn accubooks(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_accubooks")).args(args).output().expect("run accubooks");
    (out.status.success(), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn cli_contract_verify_and_list() {
    let (ok, out) = accubooks(&["contract", "verify"]);
    assert!(ok, "{out}");
    assert!(out.starts_with("contract verified: 17 registered operations, 17 mutation routes"), "{out}");
    let (ok, out) = accubooks(&["contract", "list"]);
    assert!(ok, "{out}");
    for spec in REGISTRY {
        let row = out.lines().find(|l| l.split_whitespace().nth(1) == Some(spec.name)).expect(spec.name);
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(&cols[..5], [spec.category.as_str(), spec.name, spec.method.as_str(), spec.route, "engine"]);
    }
    assert!(out.ends_with("17 operations: 5 financial, 6 high_risk, 6 reference\n"), "{out}");
}
