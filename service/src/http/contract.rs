//! The mutation contract, checked rather than trusted: every POST, PUT,
//! PATCH or DELETE route is a registered operation mounted through the
//! engine; every registered operation has exactly its registered route and
//! a read-back route; every operation is listed under its own category.
//!
//! axum's `Router` cannot list its routes, so the router is only ever built
//! through `routes::RouteBuilder`, which records each route it adds in a
//! `RouteTable`. `verify` checks that table against the registry
//! (`accubooks contract verify`); `render` prints the registry with each
//! operation's route (`accubooks contract list`).

use std::collections::BTreeMap;
use std::fmt;
use std::fmt::Write as _;

use axum::http::Method;

use crate::ops::{self, Catalogue, Category, OpSpec};

/// What serves a recorded route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handler {
    /// Mounted by `RouteBuilder::mount`: the operation runs through the engine.
    Engine(&'static OpSpec),
    /// A GET route that reads and never writes.
    Read,
    /// Added with `RouteBuilder::raw`: not wrapped by the engine.
    Raw,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub method: Method,
    pub path: String,
    pub handler: Handler,
}

/// Every route a `RouteBuilder` added, in order.
#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    routes: Vec<Route>,
    /// Each mounted operation's request-body JSON Schema, derived from its
    /// `Operation::Input` type (for the OpenAPI document).
    input_schemas: BTreeMap<&'static str, serde_json::Value>,
    /// Each mounted operation's stored record schema (`Operation::Record`).
    record_schemas: BTreeMap<&'static str, serde_json::Value>,
}

impl RouteTable {
    pub fn record(&mut self, method: Method, path: &str, handler: Handler) {
        self.routes.push(Route { method, path: path.to_owned(), handler });
    }

    pub fn record_input_schema(&mut self, operation: &'static str, schema: serde_json::Value) {
        self.input_schemas.insert(operation, schema);
    }

    pub fn input_schema(&self, operation: &str) -> Option<&serde_json::Value> {
        self.input_schemas.get(operation)
    }

    pub fn record_record_schema(&mut self, operation: &'static str, schema: serde_json::Value) {
        self.record_schemas.insert(operation, schema);
    }

    pub fn record_schema(&self, operation: &str) -> Option<&serde_json::Value> {
        self.record_schemas.get(operation)
    }

    pub fn routes(&self) -> &[Route] {
        &self.routes
    }
}

pub fn http_method(m: ops::Method) -> Method {
    match m {
        ops::Method::Post => Method::POST,
        ops::Method::Put => Method::PUT,
        ops::Method::Delete => Method::DELETE,
    }
}

pub fn is_mutation(m: &Method) -> bool {
    [Method::POST, Method::PUT, Method::PATCH, Method::DELETE].contains(m)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    /// A mutating route that does not run through the engine.
    UnwrappedMutation {
        method: Method,
        path: String,
    },
    /// An engine-wrapped route whose operation is not in the registry.
    Unregistered {
        name: &'static str,
        method: Method,
        path: String,
    },
    /// Mounted under a category other than the registry's.
    WrongCategory {
        name: &'static str,
        registered: Category,
        mounted: Category,
    },
    /// Listed in one category's slice while declaring another.
    Misfiled {
        name: &'static str,
        listed_in: Category,
        declared: Category,
    },
    /// Mounted at another method or path than registered.
    RouteDiffers {
        name: &'static str,
        registered: String,
        mounted: String,
    },
    /// Same name, route and category, yet another spec (workflows, rules, record).
    SpecDiffers {
        name: &'static str,
    },
    MissingRoute {
        name: &'static str,
    },
    MountedTwice {
        name: &'static str,
    },
    DuplicateName {
        name: &'static str,
    },
    MissingReadRoute {
        name: &'static str,
        path: String,
    },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnwrappedMutation { method, path } => {
                write!(f, "{method} {path} mutates but is not wrapped by the idempotency engine")
            }
            Self::Unregistered { name, method, path } => {
                write!(f, "{method} {path} runs operation {name}, which is not registered")
            }
            Self::WrongCategory { name, registered, mounted } => {
                write!(f, "{name} is registered as {} but mounted as {}", registered.as_str(), mounted.as_str())
            }
            Self::Misfiled { name, listed_in, declared } => {
                write!(f, "{name} is listed under {} but declares {}", listed_in.as_str(), declared.as_str())
            }
            Self::RouteDiffers { name, registered, mounted } => {
                write!(f, "{name} is registered at {registered} but mounted at {mounted}")
            }
            Self::SpecDiffers { name } => write!(f, "{name} is mounted with a spec that differs from the registry"),
            Self::MissingRoute { name } => write!(f, "{name} is registered but has no route"),
            Self::MountedTwice { name } => write!(f, "{name} is mounted more than once"),
            Self::DuplicateName { name } => write!(f, "{name} is registered more than once"),
            Self::MissingReadRoute { name, path } => write!(f, "{name} creates records but GET {path} is missing"),
        }
    }
}

/// What a passing verification saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    pub mutation_routes: usize,
    pub read_routes: usize,
}

/// Checks a router's recorded routes against a catalogue.
pub fn verify(table: &RouteTable, catalogue: &Catalogue) -> Result<Verified, Vec<Violation>> {
    let mut violations = Vec::new();
    let mut registered: BTreeMap<&'static str, &'static OpSpec> = BTreeMap::new();
    for (listed_in, spec) in catalogue.entries() {
        if spec.category != listed_in {
            violations.push(Violation::Misfiled { name: spec.name, listed_in, declared: spec.category });
        }
        if registered.insert(spec.name, spec).is_some() {
            violations.push(Violation::DuplicateName { name: spec.name });
        }
    }
    let mut mounted: BTreeMap<&'static str, usize> = BTreeMap::new();
    let (mut mutation_routes, mut read_routes) = (0, 0);
    for r in table.routes() {
        match r.handler {
            Handler::Engine(spec) => {
                mutation_routes += 1;
                *mounted.entry(spec.name).or_default() += 1;
                check_mounted(spec, r, registered.get(spec.name).copied(), &mut violations);
            }
            Handler::Read | Handler::Raw if is_mutation(&r.method) => {
                violations.push(Violation::UnwrappedMutation { method: r.method.clone(), path: r.path.clone() });
            }
            Handler::Read | Handler::Raw => read_routes += 1,
        }
    }
    for spec in registered.values() {
        match mounted.get(spec.name) {
            None => violations.push(Violation::MissingRoute { name: spec.name }),
            Some(n) if *n > 1 => violations.push(Violation::MountedTwice { name: spec.name }),
            Some(_) => {}
        }
        let read = spec.read_route();
        if !table.routes().iter().any(|r| r.method == Method::GET && r.path == read) {
            violations.push(Violation::MissingReadRoute { name: spec.name, path: read });
        }
    }
    if violations.is_empty() {
        Ok(Verified { mutation_routes, read_routes })
    } else {
        Err(violations)
    }
}

fn check_mounted(spec: &'static OpSpec, r: &Route, registered: Option<&'static OpSpec>, out: &mut Vec<Violation>) {
    let Some(reg) = registered else {
        out.push(Violation::Unregistered { name: spec.name, method: r.method.clone(), path: r.path.clone() });
        return;
    };
    let registered_at = format!("{} {}", reg.method.as_str(), reg.route);
    let mounted_at = format!("{} {}", r.method, r.path);
    if registered_at != mounted_at {
        out.push(Violation::RouteDiffers { name: spec.name, registered: registered_at, mounted: mounted_at });
    } else if reg.category != spec.category {
        out.push(Violation::WrongCategory { name: spec.name, registered: reg.category, mounted: spec.category });
    } else if reg != spec {
        out.push(Violation::SpecDiffers { name: spec.name });
    }
}

/// The registry as a table, with whether each operation is mounted.
pub fn render(table: &RouteTable, catalogue: &Catalogue) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<10}  {:<20}  {:<6}  {:<30}  {:<8}  workflows",
        "category", "operation", "method", "route", "mounted"
    );
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (listed_in, spec) in catalogue.entries() {
        *counts.entry(listed_in.as_str()).or_default() += 1;
        let mounted = table.routes().iter().any(|r| r.handler == Handler::Engine(spec));
        let workflows = if spec.workflows.is_empty() { "-".to_owned() } else { spec.workflows.join(",") };
        let _ = writeln!(
            out,
            "{:<10}  {:<20}  {:<6}  {:<30}  {:<8}  {workflows}",
            listed_in.as_str(),
            spec.name,
            spec.method.as_str(),
            spec.route,
            if mounted { "engine" } else { "MISSING" }
        );
    }
    let total: usize = counts.values().sum();
    let by: Vec<String> = counts.iter().map(|(c, n)| format!("{n} {c}")).collect();
    let _ = writeln!(out, "{total} operations: {}", by.join(", "));
    out
}
