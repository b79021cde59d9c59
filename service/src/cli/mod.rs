mod audit;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use accubooks_service::app::{Jobs, JobsConfig, Service, ServiceConfig};
use accubooks_service::domain::ids::{TenantId, Token};
use accubooks_service::engine::EngineConfig;
use accubooks_service::http::contract;
use accubooks_service::http::routes::routes;
use accubooks_service::http::HttpConfig;
use accubooks_service::jobs::compliance;
use accubooks_service::jobs::key_reaper::Reaper;
use accubooks_service::jobs::outbox::{DispatchConfig, Dispatcher, LogSink, Sink, WebhookSink};
use accubooks_service::ops;
use accubooks_service::serve::ServeConfig;
use accubooks_service::store::sql::{Database, SqlLimits};
use accubooks_service::store::{Store, Tenant};
use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use uuid::Uuid;

#[derive(Parser)]
#[command(name = "accubooks", version, about = "AccuBooks idempotent write service")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DbArgs {
    /// sqlite://path.db (embedded default) or postgres://user@host/db
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://accubooks.db")]
    database_url: String,
    /// Pooled database connections at most.
    #[arg(long, env = "ACCUBOOKS_POOL_CONNECTIONS_MAX", default_value_t = 32)]
    pool_connections_max: u32,
    /// How long a request waits for a pooled connection before 503.
    #[arg(long, env = "ACCUBOOKS_POOL_ACQUIRE_WAIT_MS_MAX", default_value_t = 5000)]
    pool_acquire_wait_ms_max: u64,
    /// How long a duplicate waits for a same-key request in flight before 409.
    #[arg(long, env = "ACCUBOOKS_INFLIGHT_WAIT_MS_MAX", default_value_t = 5000)]
    inflight_wait_ms_max: u64,
}

impl DbArgs {
    fn sql_limits(&self) -> SqlLimits {
        SqlLimits {
            pool_connections_max: self.pool_connections_max,
            pool_acquire_wait: Duration::from_millis(self.pool_acquire_wait_ms_max),
            lock_wait: Duration::from_millis(self.inflight_wait_ms_max),
            ..SqlLimits::default()
        }
    }

    async fn open_database(&self) -> anyhow::Result<Database> {
        Database::open(&self.database_url, self.sql_limits())
            .await
            .with_context(|| format!("opening {}", redact(&self.database_url)))
    }

    async fn open(&self) -> anyhow::Result<Arc<dyn Store>> {
        Ok(self.open_database().await?.store())
    }
}

/// Limits that keep abusive clients from taking the service down.
#[derive(Args, Clone, Copy)]
struct AbuseLimits {
    /// How long a client may take to send its request headers (slowloris).
    #[arg(long, env = "ACCUBOOKS_HEADER_READ_TIMEOUT_MS", default_value_t = 10_000)]
    header_read_timeout_ms: u64,
    /// Upper bound on handling one request; past it 503 + Retry-After.
    #[arg(long, env = "ACCUBOOKS_REQUEST_TIMEOUT_MS", default_value_t = 30_000)]
    request_timeout_ms: u64,
    /// Requests that may wait on one idempotency key while it executes; more answer 409 at once.
    #[arg(long, env = "ACCUBOOKS_SAME_KEY_WAITERS_MAX", default_value_t = 512)]
    same_key_waiters_max: usize,
    /// Deepest nesting of arrays/objects in a JSON body.
    #[arg(long, env = "ACCUBOOKS_JSON_DEPTH_MAX", default_value_t = 16)]
    json_depth_max: usize,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP service (migrates the database first).
    Serve {
        #[arg(long, env = "ACCUBOOKS_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        #[command(flatten)]
        db: DbArgs,
        /// Largest accepted request body.
        #[arg(long, env = "ACCUBOOKS_REQUEST_BODY_BYTES_MAX", default_value_t = 64 * 1024)]
        request_body_bytes_max: usize,
        /// Open connections at most.
        #[arg(long, env = "ACCUBOOKS_CONNECTIONS_MAX", default_value_t = 1024)]
        connections_max: usize,
        /// Hours a key answers replays; then the reaper expires it (tombstones for high-risk operations).
        #[arg(long, env = "ACCUBOOKS_KEY_TTL_HOURS", default_value_t = 24)]
        key_ttl_hours: u64,
        #[command(flatten)]
        abuse: AbuseLimits,
        /// Do not run the outbox dispatcher inside this process.
        #[arg(long, env = "ACCUBOOKS_NO_DISPATCHER")]
        no_dispatcher: bool,
        #[command(flatten)]
        sink: SinkArgs,
        /// Refuse to start, and answer /readyz with 503, while the Postgres
        /// primary written to has no synchronous standby (without it a
        /// failover can lose acknowledged writes; otherwise a warning).
        #[arg(long, env = "ACCUBOOKS_REQUIRE_SYNCHRONOUS_STANDBY")]
        require_synchronous_standby: bool,
    },
    /// Create or upgrade the schema, then exit.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Idempotency-key expiry.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// The outbox of workflows committed with each write.
    Workflows {
        #[command(subcommand)]
        command: WorkflowsCommand,
    },
    /// Compliance queries and the audit log's lifecycle.
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
    /// Tenant management.
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// The mutation contract: registry, routes, engine wrapping.
    Contract {
        #[command(subcommand)]
        command: ContractCommand,
    },
}

#[derive(Subcommand)]
enum ContractCommand {
    /// Print every registered operation with its category, route and workflows.
    List,
    /// Fail unless every mutating route is registered and engine-wrapped and
    /// every registered operation has its route.
    Verify,
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Expire keys older than the TTL once (tombstones for high-risk operations), then exit.
    Reap {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long, env = "ACCUBOOKS_KEY_TTL_HOURS", default_value_t = 24)]
        ttl_hours: u64,
    },
}

#[derive(Subcommand)]
enum WorkflowsCommand {
    /// Deliver every due workflow once (log sink, or --webhook-url), then exit.
    RunOnce {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        sink: SinkArgs,
    },
}

#[derive(Args, Clone)]
struct SinkArgs {
    /// Deliver workflows by POSTing them here (http://host:port/path) instead of logging them.
    #[arg(long, env = "ACCUBOOKS_WORKFLOW_WEBHOOK_URL")]
    webhook_url: Option<String>,
    /// Workflows claimed per round (at most 1,000).
    #[arg(long, default_value_t = 500)]
    workflow_batch: u32,
}

impl SinkArgs {
    fn dispatcher_parts(&self) -> anyhow::Result<(Arc<dyn Sink>, DispatchConfig)> {
        let sink: Arc<dyn Sink> = match &self.webhook_url {
            Some(url) => Arc::new(WebhookSink::new(url).map_err(|e| anyhow::anyhow!(e))?),
            None => Arc::new(LogSink),
        };
        Ok((sink, DispatchConfig { batch: self.workflow_batch.clamp(1, 1000), ..DispatchConfig::default() }))
    }
}

#[derive(Subcommand)]
enum TenantCommand {
    /// Create a tenant and print its id and bearer token (shown once).
    Create {
        name: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Revoke a tenant's bearer token: every request with it gets 401 from now on.
    RevokeToken {
        tenant_id: Uuid,
        #[command(flatten)]
        db: DbArgs,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve {
            bind,
            db,
            request_body_bytes_max,
            connections_max,
            key_ttl_hours,
            abuse,
            no_dispatcher,
            sink,
            require_synchronous_standby,
        } => {
            let key_ttl = Duration::from_secs(key_ttl_hours.clamp(1, 24 * 365) * 3600);
            let database = db.open_database().await?;
            check_replication(&*database.store(), require_synchronous_standby).await?;
            if database.is_postgres() {
                let created = compliance::on(&database).ensure_partitions(AUDIT_PARTITIONS_AHEAD).await?;
                tracing::info!(?created, "audit log partitions ensured");
            }
            let config = ServiceConfig {
                engine: EngineConfig {
                    inflight_wait: Duration::from_millis(db.inflight_wait_ms_max),
                    same_key_waiters_max: abuse.same_key_waiters_max,
                    ..EngineConfig::default()
                },
                http: HttpConfig {
                    request_body_bytes_max,
                    key_ttl,
                    request_timeout: Duration::from_millis(abuse.request_timeout_ms),
                    json_depth_max: abuse.json_depth_max,
                    require_synchronous_standby,
                    ..HttpConfig::default()
                },
                serve: ServeConfig {
                    connections_max,
                    header_read_timeout: Duration::from_millis(abuse.header_read_timeout_ms),
                    ..ServeConfig::default()
                },
            };
            let service = Service::build(database.store(), config);
            let jobs = JobsConfig {
                dispatcher: if no_dispatcher { None } else { Some(sink.dispatcher_parts()?) },
                key_ttl: Some(key_ttl),
                reap_every: KEY_REAP_EVERY,
            };
            let jobs = Jobs::start(database.jobs_store(), jobs);
            let listener = listen(&bind, LISTEN_BACKLOG).await.with_context(|| format!("binding {bind}"))?;
            let addr = listener.local_addr()?;
            tracing::info!(%addr, database = %redact(&db.database_url), "listening");
            // Tools that spawn the service read this line to find the port.
            println!("listening on http://{addr}");
            service.run(listener, jobs, shutdown_signal()).await;
            tracing::info!("shut down");
            Ok(())
        }
        Command::Migrate { db } => {
            db.open().await?;
            println!("migrated {}", redact(&db.database_url));
            Ok(())
        }
        Command::Keys { command: KeysCommand::Reap { db, ttl_hours } } => {
            let ttl = Duration::from_secs(ttl_hours.clamp(1, 24 * 365) * 3600);
            let r = Reaper::open(&db.database_url, ttl).await.map_err(|e| anyhow::anyhow!(e))?.reap().await?;
            println!("keys: {} high-risk key(s) tombstoned, {} expired key(s) deleted", r.tombstoned, r.deleted);
            Ok(())
        }
        Command::Workflows { command: WorkflowsCommand::RunOnce { db, sink } } => {
            let (sink, cfg) = sink.dispatcher_parts()?;
            let d = Dispatcher::open(&db.database_url, sink, cfg).await.map_err(|e| anyhow::anyhow!(e))?;
            let r = d.drain().await?;
            println!(
                "workflows: {} claimed, {} delivered, {} to retry, {} failed",
                r.claimed, r.delivered, r.retrying, r.failed
            );
            Ok(())
        }
        Command::Audit { command } => {
            if audit::run(command).await? {
                Ok(())
            } else {
                // A violation: the table says what; the exit code says so.
                std::process::exit(1);
            }
        }
        Command::Tenant { command: TenantCommand::Create { name, db } } => {
            let name = name.trim().to_owned();
            anyhow::ensure!(!name.is_empty() && name.chars().count() <= 200, "tenant name must be 1 to 200 characters");
            let store = db.open().await?;
            let token = Token::generate().map_err(|e| anyhow::anyhow!("generating a token: {e}"))?;
            let tenant = Tenant { id: TenantId(Uuid::new_v4()), name };
            store.create_tenant(&tenant, &token.hash_hex()).await?;
            println!("tenant: {}", tenant.id);
            println!("name: {}", tenant.name);
            println!("token: {}", token.expose());
            eprintln!("store the token now: it is not shown again (the database keeps only its hash)");
            Ok(())
        }
        Command::Tenant { command: TenantCommand::RevokeToken { tenant_id, db } } => {
            let store = db.open().await?;
            anyhow::ensure!(store.revoke_token(TenantId(tenant_id)).await?, "no tenant {tenant_id}");
            println!("revoked the token of tenant {tenant_id}");
            Ok(())
        }
        Command::Contract { command } => contract(command),
    }
}

/// At start: on Postgres, whether commits wait for a standby. Without one a
/// failover can lose acknowledged writes: a warning, or a refusal to start
/// when `required`.
async fn check_replication(store: &dyn Store, required: bool) -> anyhow::Result<()> {
    let Some(r) = store.replication().await.context("reading the database's replication state")? else {
        return Ok(());
    };
    if r.synchronous() {
        tracing::info!("{}", r.describe());
    } else if required {
        anyhow::bail!("--require-synchronous-standby: {}", r.describe());
    } else {
        tracing::warn!("{} (--require-synchronous-standby refuses to start instead)", r.describe());
    }
    Ok(())
}

fn contract(command: ContractCommand) -> anyhow::Result<()> {
    let routes = routes();
    match command {
        ContractCommand::List => {
            print!("{}", contract::render(routes.table(), &ops::CATALOGUE));
            Ok(())
        }
        ContractCommand::Verify => match contract::verify(routes.table(), &ops::CATALOGUE) {
            Ok(v) => {
                println!(
                    "contract verified: {} registered operations, {} mutation routes, all engine-wrapped; {} read routes",
                    ops::REGISTRY.len(),
                    v.mutation_routes,
                    v.read_routes
                );
                Ok(())
            }
            Err(violations) => {
                for v in &violations {
                    println!("violation: {v}");
                }
                anyhow::bail!("contract violated ({} violations)", violations.len())
            }
        },
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutdown signal received");
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("ACCUBOOKS_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(false)
        .with_writer(std::io::stderr)
        .init();
}

/// Database URLs may carry passwords: print scheme, host and path only.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***@{}", &url[..s], &url[at + 1..]),
        _ => url.to_owned(),
    }
}

/// Time between two passes of the key reaper inside `serve`.
const KEY_REAP_EVERY: Duration = Duration::from_secs(3600);

/// Monthly audit-log partitions `serve` ensures ahead of this month (Postgres).
const AUDIT_PARTITIONS_AHEAD: u32 = 3;

/// Pending connections the kernel queues before `accept` (capped by
/// `net.core.somaxconn`). The standard library's 128 drops SYNs when a few
/// hundred clients connect at once, and each dropped SYN costs its client a
/// one-second retransmission.
const LISTEN_BACKLOG: u32 = 1024;

/// Binds `addr` (host:port; the first address it resolves to) with `backlog`.
async fn listen(addr: &str, backlog: u32) -> std::io::Result<tokio::net::TcpListener> {
    let mut last = None;
    for a in tokio::net::lookup_host(addr).await? {
        let socket = if a.is_ipv4() { tokio::net::TcpSocket::new_v4()? } else { tokio::net::TcpSocket::new_v6()? };
        socket.set_reuseaddr(true)?;
        match socket.bind(a).and_then(|()| socket.listen(backlog)) {
            Ok(listener) => return Ok(listener),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "address resolves to nothing")))
}
