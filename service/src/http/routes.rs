//! The one place routes are added. Every route goes through `RouteBuilder`,
//! which records it in a `RouteTable` for `contract::verify`; the finished
//! router is never extended afterwards.
//!
//! Architecture invariant: a mutation reaches the router only through
//! `RouteBuilder::mount` (wrapped by the engine), and `routes` mounts
//! exactly the registry, through `ops::visit_all`. Anything added with
//! `raw` is recorded as unwrapped, so a raw mutation fails verification.

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::extract::{RawPathParams, State};
use axum::handler::Handler;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::routing::{get, on, MethodFilter};
use axum::Router;

use super::contract::{self, RouteTable};
use super::problem::code;
use super::problem::problem;
use super::state::App;
use super::{mutation, reads};
use crate::ops::{self, Operation, OperationVisitor};
use crate::store::Table;

#[derive(Default)]
pub struct RouteBuilder {
    router: Router<App>,
    table: RouteTable,
}

impl RouteBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Mounts an operation at its registered route, wrapped by the engine.
    pub fn mount<O: Operation>(&mut self, op: O) -> &mut Self {
        let spec = op.spec();
        let op = Arc::new(op);
        let handler = move |state: State<App>, params: RawPathParams, headers: HeaderMap, body: Body| {
            let op = op.clone();
            async move { mutation::mutation(op.as_ref(), state, params, headers, body).await }
        };
        let method = contract::http_method(spec.method);
        let filter = MethodFilter::try_from(method.clone()).expect("registry methods are standard");
        self.table.record(method, spec.route, contract::Handler::Engine(spec));
        self.table.record_input_schema(spec.name, schemars::schema_for!(O::Input).to_value());
        self.table.record_record_schema(spec.name, schemars::schema_for!(O::Record).to_value());
        self.add(spec.route, on(filter, handler))
    }

    /// A GET route that only reads.
    pub fn read<H, T>(&mut self, path: &str, handler: H) -> &mut Self
    where
        H: Handler<T, App>,
        T: 'static,
    {
        self.table.record(Method::GET, path, contract::Handler::Read);
        self.add(path, get(handler))
    }

    /// Any other route. Recorded as not wrapped by the engine: a mutating
    /// method added here makes `contract::verify` fail.
    pub fn raw<H, T>(&mut self, method: Method, path: &str, handler: H) -> &mut Self
    where
        H: Handler<T, App>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).expect("a standard method");
        self.table.record(method, path, contract::Handler::Raw);
        self.add(path, on(filter, handler))
    }

    pub fn table(&self) -> &RouteTable {
        &self.table
    }

    /// The finished router (unknown paths answer a problem+json 404, a known
    /// path with another method a problem+json 405).
    pub fn into_router(self) -> Router<App> {
        self.router
            .fallback(|| async { problem(StatusCode::NOT_FOUND, code::NOT_FOUND, "no such route") })
            .method_not_allowed_fallback(|| async {
                problem(
                    StatusCode::METHOD_NOT_ALLOWED,
                    code::METHOD_NOT_ALLOWED,
                    "this route does not take that method",
                )
            })
    }

    fn add(&mut self, path: &str, route: axum::routing::MethodRouter<App>) -> &mut Self {
        self.router = std::mem::take(&mut self.router).route(path, route);
        self
    }
}

impl OperationVisitor for RouteBuilder {
    fn visit<O: Operation>(&mut self, op: O) {
        self.mount(op);
    }
}

/// The service's routes: infrastructure, reads, and every registered operation.
pub fn routes() -> RouteBuilder {
    let mut b = RouteBuilder::new();
    // The document describes the finished table, so it is filled in last;
    // its own route is recorded first like any other.
    let openapi = Arc::new(OnceLock::<String>::new());
    let served = openapi.clone();
    b.read("/openapi.json", move || reads::openapi(served.clone()));
    b.read("/healthz", || async { "ok" }).read("/readyz", reads::readyz).read("/metrics", reads::metrics);
    for spec in ops::REGISTRY {
        let table = spec.table;
        b.read(&spec.read_route(), move |s, h, p| reads::read_entity(s, h, p, table));
    }
    b.read("/v1/ledger-lines/{id}", |s, h, p| reads::read_entity(s, h, p, Table::LedgerLines));
    b.read("/v1/ledger/{source_id}", reads::read_ledger);
    b.read("/v1/periods/{period}", reads::read_period);
    b.read("/v1/idempotency-keys/{key}", reads::read_key);
    ops::visit_all(&mut b);
    let _ = openapi.set(super::openapi::document(b.table()).to_string());
    b
}

/// The whole router: infrastructure routes, reads, and every registered
/// mutation, as recorded by `routes::routes()`.
pub fn router(app: App) -> Router {
    let (limit, retry_after_s) = (app.http.request_timeout, app.http.retry_after_s);
    routes()
        .into_router()
        .with_state(app)
        .layer(axum::middleware::from_fn(move |req, next| mutation::bounded(limit, retry_after_s, req, next)))
}
