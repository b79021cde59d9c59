//! Where the service under load runs: a remote target, a locally spawned
//! process (`--spawn`), or, with real faults (`--chaos`), replicas on a
//! private Postgres cluster or one service on a SQLite file. Each gives the
//! tool addresses, a token, and — when it can — the database to verify
//! against; each cleans up after itself.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use accubooks_service::domain::ids::{token_hash, TenantId, Token};
use accubooks_service::store::sql::{connect, SqlLimits};
use accubooks_service::store::{Store, Tenant};
use accubooks_stress::chaos::formation::Formation;
use accubooks_stress::chaos::pg::PgCluster;
use accubooks_stress::chaos::proxy::Proxy;
use accubooks_stress::chaos::replicas::Replicas;
use accubooks_stress::chaos::Targets;
use accubooks_stress::spawn::{find_service_bin, ServiceProcess};
use anyhow::{anyhow, bail, Context};
use sqlx::Connection;
use uuid::Uuid;

use crate::cli::{Args, StoreArg};

pub struct Env {
    pub addrs: Vec<SocketAddr>,
    /// How the report names the target.
    pub target: String,
    pub token: String,
    pub tenant: Option<TenantId>,
    /// The database to verify against (direct, never through the chaos proxy).
    pub verify_url: Option<String>,
    pub store: String,
    kind: Kind,
}

enum Kind {
    Remote,
    Local { service: Box<ServiceProcess>, dir: PathBuf, fresh: Option<(String, String)> },
    Chaos { targets: Targets, dir: PathBuf },
}

fn store_kind(url: &str) -> &'static str {
    if url.starts_with("sqlite:") {
        "sqlite"
    } else {
        "postgres"
    }
}

impl Env {
    pub async fn remote(args: &Args) -> anyhow::Result<Self> {
        let token = args.token.clone().ok_or_else(|| anyhow!("--target needs --token"))?;
        let mut addrs = Vec::new();
        for t in &args.target {
            let hostport =
                t.strip_prefix("http://").ok_or_else(|| anyhow!("--target must be http://HOST:PORT: {t}"))?;
            let hostport = hostport.trim_end_matches('/');
            let found = tokio::net::lookup_host(hostport).await.with_context(|| format!("resolving {hostport}"))?;
            addrs.push(found.into_iter().next().ok_or_else(|| anyhow!("{hostport} resolves to nothing"))?);
        }
        let (tenant, store) = match &args.database_url {
            Some(url) => {
                let s = open(url).await?;
                let t = s.tenant_by_token_hash(&token_hash(&token)).await?.ok_or_else(|| {
                    anyhow!("the token belongs to no tenant of {}: verification needs the right database", redact(url))
                })?;
                (Some(t.id), store_kind(url).to_owned())
            }
            None => (None, "unknown".to_owned()),
        };
        Ok(Self {
            addrs,
            target: args.target.join(","),
            token,
            tenant,
            verify_url: args.database_url.clone(),
            store,
            kind: Kind::Remote,
        })
    }

    pub async fn local(args: &Args, run_id: &str) -> anyhow::Result<Self> {
        let bin = find_service_bin(args.service_bin.as_deref())?;
        let dir = scratch_dir(run_id)?;
        let (url, fresh) = match &args.database_url {
            None => (sqlite_url(&dir), None),
            Some(admin) if args.fresh_database => {
                let name = format!("accubooks_stress_{run_id}");
                create_database(admin, &name).await?;
                (with_database(admin, &name)?, Some((admin.clone(), name)))
            }
            Some(url) => (url.clone(), None),
        };
        let (tenant, token) = create_tenant(&url, run_id).await?;
        let service = ServiceProcess::start(&bin, "127.0.0.1:0", &url, &dir.join("service.log"), &[]).await?;
        eprintln!(
            "spawned {} on http://{} ({}), log {}",
            bin.display(),
            service.addr,
            redact(&url),
            service.log.display()
        );
        Ok(Self {
            addrs: vec![service.addr],
            target: format!("http://{} (spawned)", service.addr),
            token,
            tenant: Some(tenant),
            verify_url: Some(url.clone()),
            store: store_kind(&url).to_owned(),
            kind: Kind::Local { service: Box::new(service), dir, fresh },
        })
    }

    pub async fn chaos(args: &Args, run_id: &str) -> anyhow::Result<Self> {
        let bin = find_service_bin(args.service_bin.as_deref())?;
        let dir = scratch_dir(run_id)?;
        // The service's URL, and the one to verify against (never through the proxy).
        let mut formation = None;
        let (pg, proxy, serve, direct) = match args.store() {
            StoreArg::Sqlite => {
                let url = sqlite_url(&dir);
                (None, None, url.clone(), url)
            }
            StoreArg::Failover => {
                let dir = args.formation.as_deref().ok_or_else(|| anyhow!("--store failover needs --formation"))?;
                let f = Formation::new(&args.formation_script, dir);
                let url = f.url().await.context("the formation's URL")?;
                eprintln!("pg_auto_failover formation in {} ({})", dir.display(), redact(&url));
                formation = Some(Arc::new(f));
                // The replicas and the verification both follow the primary.
                (None, None, url.clone(), url)
            }
            StoreArg::Postgres => {
                let port = free_port().await?;
                let pg = PgCluster::create(&args.pg_bin_dir(), &dir.join("pg"), port)
                    .await
                    .context("private postgres cluster")?;
                eprintln!("private postgres cluster on 127.0.0.1:{port} (log {})", pg.log().display());
                let db = "accubooks";
                create_database(&pg.url("postgres"), db).await?;
                let direct = pg.url(db);
                let proxy = Proxy::start(format!("127.0.0.1:{port}").parse()?).await.context("proxy")?;
                let via_proxy = format!("postgres://postgres@{}/{db}", proxy.addr);
                (Some(Arc::new(pg)), Some(Arc::new(proxy)), via_proxy, direct)
            }
        };
        let (tenant, token) = create_tenant(&direct, run_id).await?;
        let n = args.replicas();
        let replicas = Replicas::start(n, bin, serve.clone(), dir.clone(), Vec::new()).await?;
        let addrs = replicas.addrs.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ");
        let target = match (&proxy, &formation) {
            (Some(proxy), _) => {
                eprintln!("{n} replicas on {addrs} through the proxy at {}", proxy.addr);
                format!("{n} replicas (chaos)")
            }
            (None, Some(_)) => {
                eprintln!("{n} replicas on {addrs}, on the formation's two data nodes");
                format!("{n} replicas (failover chaos)")
            }
            (None, None) => {
                eprintln!("one service on http://{addrs} ({}), killed and restarted on that file", redact(&serve));
                format!("http://{addrs} (one service, chaos)")
            }
        };
        Ok(Self {
            addrs: replicas.addrs.clone(),
            target,
            token,
            tenant: Some(tenant),
            store: store_kind(&direct).to_owned(),
            verify_url: Some(direct),
            kind: Kind::Chaos { targets: Targets { pg, proxy, formation, replicas: Arc::new(replicas) }, dir },
        })
    }

    pub fn chaos_targets(&self) -> Option<Targets> {
        match &self.kind {
            Kind::Chaos { targets, .. } => Some(targets.clone()),
            _ => None,
        }
    }

    /// Stops what the tool started. Scratch files are kept when `keep` (a
    /// failed run's logs are evidence).
    pub async fn teardown(self, keep: bool) {
        match self.kind {
            Kind::Remote => {}
            Kind::Local { service, dir, fresh } => {
                service.kill().await;
                if let Some((admin, name)) = fresh {
                    if let Err(e) = drop_database(&admin, &name).await {
                        eprintln!("warning: could not drop database {name}: {e:#}");
                    }
                }
                finish_dir(dir, keep);
            }
            Kind::Chaos { targets: Targets { pg, proxy, replicas, .. }, dir } => {
                replicas.stop_all().await;
                drop(proxy);
                match pg.map(Arc::try_unwrap) {
                    None => {}
                    Some(Ok(pg)) if !keep => pg.destroy().await,
                    Some(Ok(pg)) => {
                        let _ = pg.stop().await;
                    }
                    Some(Err(_)) => eprintln!("warning: the private postgres cluster is still referenced; not stopped"),
                }
                finish_dir(dir, keep);
            }
        }
    }
}

fn finish_dir(dir: PathBuf, keep: bool) {
    if keep {
        eprintln!("kept logs and data in {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// The SQLite file a spawned service runs on, in the run's scratch directory.
fn sqlite_url(dir: &std::path::Path) -> String {
    format!("sqlite://{}", dir.join("accubooks.db").display())
}

pub(crate) fn scratch_dir(run_id: &str) -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("accubooks-stress-{run_id}"));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

pub(crate) async fn free_port() -> anyhow::Result<u16> {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    Ok(l.local_addr()?.port())
}

pub(crate) async fn open(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    let limits = SqlLimits { pool_connections_max: 2, ..SqlLimits::default() };
    connect(url, limits).await.with_context(|| format!("opening {}", redact(url)))
}

/// Creates (and migrates) the store and a tenant; returns its id and token.
pub(crate) async fn create_tenant(url: &str, run_id: &str) -> anyhow::Result<(TenantId, String)> {
    let store = open(url).await?;
    let token = Token::generate().map_err(|e| anyhow!("generating a token: {e}"))?;
    let tenant = Tenant { id: TenantId(Uuid::new_v4()), name: format!("stress {run_id}") };
    store.create_tenant(&tenant, &token.hash_hex()).await.context("creating the tenant")?;
    Ok((tenant.id, token.expose().to_owned()))
}

fn with_database(url: &str, name: &str) -> anyhow::Result<String> {
    let (base, _) = url.rsplit_once('/').filter(|(b, _)| b.contains("://")).ok_or_else(|| {
        anyhow!("--database-url must name a database (postgres://user@host:port/db): {}", redact(url))
    })?;
    Ok(format!("{base}/{name}"))
}

pub(crate) async fn create_database(admin_url: &str, name: &str) -> anyhow::Result<()> {
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        bail!("refusing an unusual database name {name:?}");
    }
    let mut conn =
        sqlx::PgConnection::connect(admin_url).await.with_context(|| format!("connecting to {}", redact(admin_url)))?;
    let sql = format!("CREATE DATABASE {name}");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.with_context(|| format!("creating {name}"))?;
    Ok(())
}

async fn drop_database(admin_url: &str, name: &str) -> anyhow::Result<()> {
    let mut conn = sqlx::PgConnection::connect(admin_url).await?;
    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await?;
    Ok(())
}

/// Database URLs may carry passwords: print scheme, host and path only.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***@{}", &url[..s], &url[at + 1..]),
        _ => url.to_owned(),
    }
}
