//! Multi-host Postgres URLs with libpq's meaning, built on sqlx (which has
//! none): `postgres://user@h1:5432,h2:5433/db?target_session_attrs=read-write`.
//!
//! - `PgHosts::parse` splits the host list (a missing port is 5432) and
//!   reads `target_session_attrs` (`any`, the default, `read-write`,
//!   `read-only`, `primary`, `standby`, `prefer-standby`); every other
//!   parameter is sqlx's and applies to every host.
//! - `PgHosts::connect` walks the hosts in order, as libpq does, and keeps
//!   the first session that satisfies the attributes (`pg_is_in_recovery()`
//!   and `transaction_read_only`); a host that refuses, times out or does
//!   not fit is skipped.
//! - A pool built with `PgHosts::pool_options` aims its new connections at
//!   the host last found to fit, checks each one (`after_connect`) and,
//!   when that host no longer fits, replaces the connection with one from
//!   a walk. Its connections made before the last switch of host are
//!   closed instead of being handed out or taken back (`before_acquire`,
//!   `after_release`): a demoted primary's connections are not reused.
//! - `PgHosts::follow` checks the current host every `FOLLOW_EVERY` on a
//!   fresh connection (a demoted server's old sessions may still look
//!   writable) and, when it stops fitting or answering, walks the hosts
//!   and re-aims the pools, whose connect loop (which retries a refused
//!   host) picks the new options up on its next try.
//!
//! A single host with `any` is the plain sqlx path: no check, no follower.

use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::{Connection, Row};

use super::ping_if_idle;
use crate::store::StoreError;

/// How long one host may take to accept a connection during a walk before
/// the next is tried.
pub const HOST_CONNECT_WAIT: Duration = Duration::from_secs(2);

/// How often the follower checks the current host.
pub const FOLLOW_EVERY: Duration = Duration::from_millis(250);

/// Hosts in one URL at most.
pub const HOSTS_MAX: usize = 16;

/// libpq's `target_session_attrs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionAttrs {
    Any,
    ReadWrite,
    ReadOnly,
    Primary,
    Standby,
    PreferStandby,
}

impl SessionAttrs {
    fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "any" => Self::Any,
            "read-write" => Self::ReadWrite,
            "read-only" => Self::ReadOnly,
            "primary" => Self::Primary,
            "standby" => Self::Standby,
            "prefer-standby" => Self::PreferStandby,
            other => {
                return Err(bad(format!(
                    "target_session_attrs must be one of any, read-write, read-only, primary, standby, \
                     prefer-standby (got {other:?})"
                )))
            }
        })
    }

    /// Whether a session in this state fits. `prefer-standby` takes a
    /// standby on its first pass over the hosts and anything on its second.
    fn fits(self, state: SessionState, first_pass: bool) -> bool {
        match self {
            Self::Any => true,
            Self::ReadWrite => !state.read_only,
            Self::ReadOnly => state.read_only,
            Self::Primary => !state.in_recovery,
            Self::Standby => state.in_recovery,
            Self::PreferStandby => state.in_recovery || !first_pass,
        }
    }
}

/// What a session says of itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionState {
    pub in_recovery: bool,
    pub read_only: bool,
}

/// One host of the list, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPort {
    pub host: String,
    pub port: u16,
}

/// A parsed URL: its hosts, the attributes a session must have, and which
/// host fits now.
pub struct PgHosts {
    pub hosts: Vec<HostPort>,
    pub attrs: SessionAttrs,
    options: Vec<PgConnectOptions>,
    current: Mutex<Current>,
}

#[derive(Clone, Copy)]
struct Current {
    /// The host new pooled connections aim at.
    index: usize,
    /// When `index` last changed: connections older than this are not reused.
    switched_at: Option<Instant>,
}

fn bad(detail: String) -> StoreError {
    StoreError::Other(format!("bad database url: {detail}"))
}

impl PgHosts {
    /// Parses a `postgres://` URL with one or more comma-separated hosts.
    pub fn parse(url: &str) -> Result<Self, StoreError> {
        let (scheme, rest) = url.split_once("://").ok_or_else(|| bad("expected postgres://…".into()))?;
        let (authority, tail) = match rest.find(['/', '?']) {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        let (userinfo, host_list) = match authority.rfind('@') {
            Some(i) => (&authority[..=i], &authority[i + 1..]),
            None => ("", authority),
        };
        let hosts = host_list.split(',').map(parse_host).collect::<Result<Vec<_>, _>>()?;
        if hosts.len() > HOSTS_MAX {
            return Err(bad(format!("{} hosts (at most {HOSTS_MAX})", hosts.len())));
        }
        let (path, query) = tail.split_once('?').unwrap_or((tail, ""));
        let mut attrs = SessionAttrs::Any;
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("target_session_attrs", v)) => attrs = SessionAttrs::parse(v)?,
                _ => kept.push(pair),
            }
        }
        let query = if kept.is_empty() { String::new() } else { format!("?{}", kept.join("&")) };
        // sqlx parses everything but the host list; each host is set apart.
        let one = format!("{scheme}://{userinfo}localhost{path}{query}");
        let base = PgConnectOptions::from_str(&one).map_err(|e| bad(e.to_string()))?;
        let options = hosts.iter().map(|h| base.clone().host(&h.host).port(h.port)).collect();
        Ok(Self { hosts, attrs, options, current: Mutex::new(Current { index: 0, switched_at: None }) })
    }

    /// The same hosts with `f` applied to each host's options (session
    /// settings the store adds).
    pub fn map_options(mut self, f: impl Fn(PgConnectOptions) -> PgConnectOptions) -> Self {
        self.options = self.options.into_iter().map(f).collect();
        self
    }

    /// Whether sessions are checked and the current host followed: more
    /// than one host, or attributes other than `any`.
    pub fn followed(&self) -> bool {
        self.hosts.len() > 1 || self.attrs != SessionAttrs::Any
    }

    fn current(&self) -> Current {
        *self.current.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The host new pooled connections aim at now.
    pub fn current_host(&self) -> &HostPort {
        &self.hosts[self.current().index]
    }

    /// The options of the host new pooled connections aim at now.
    pub fn current_options(&self) -> PgConnectOptions {
        self.options[self.current().index].clone()
    }

    /// `other`'s options (the same URL with other session settings) for the
    /// host this one aims at now; `other` aims there too.
    pub fn current_options_for(&self, other: &PgHosts) -> PgConnectOptions {
        let index = self.current().index;
        other.aim(index);
        other.options[index].clone()
    }

    /// Records that `index` fits now. True when that is a switch.
    fn aim(&self, index: usize) -> bool {
        let mut current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        if current.index == index {
            return false;
        }
        *current = Current { index, switched_at: Some(Instant::now()) };
        true
    }

    /// A connection of `age` was opened before the last switch of host.
    pub(super) fn predates_switch(&self, age: Duration) -> bool {
        self.current().switched_at.is_some_and(|at| age >= at.elapsed())
    }

    /// A session on the first host (in order) that fits, and the host's
    /// index; the walk's last error when none does.
    pub async fn connect(&self) -> Result<(usize, PgConnection), sqlx::Error> {
        let passes = if self.attrs == SessionAttrs::PreferStandby { 2 } else { 1 };
        let mut last = None;
        for pass in 0..passes {
            for (index, options) in self.options.iter().enumerate() {
                match self.try_host(options, pass == 0).await {
                    Ok(conn) => {
                        self.aim(index);
                        return Ok((index, conn));
                    }
                    Err(e) => last = Some(e),
                }
            }
        }
        Err(last.unwrap_or_else(|| sqlx::Error::Configuration("no hosts".into())))
    }

    async fn try_host(&self, options: &PgConnectOptions, first_pass: bool) -> Result<PgConnection, sqlx::Error> {
        let mut conn = tokio::time::timeout(HOST_CONNECT_WAIT, PgConnection::connect_with(options))
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)??;
        match session_state(&mut conn).await {
            Ok(state) if self.attrs.fits(state, first_pass) => Ok(conn),
            Ok(state) => {
                let _ = conn.close().await;
                Err(not_fitting(self.attrs, state))
            }
            Err(e) => Err(e),
        }
    }

    /// Keeps a new pooled connection if its session fits, or swaps it for
    /// one from a walk (the host it aimed at has changed role).
    async fn adopt(&self, conn: &mut PgConnection) -> Result<(), sqlx::Error> {
        let state = session_state(conn).await?;
        if self.attrs.fits(state, true) {
            return Ok(());
        }
        let (_, fresh) = self.connect().await?;
        let old = std::mem::replace(conn, fresh);
        let _ = old.close().await;
        Ok(())
    }

    /// Pool options whose connections are checked and renewed as the module
    /// says; with `ping_idle`, an idle connection is also pinged before use
    /// once it has idled `PING_IF_IDLE_FOR` (the request path's pool).
    pub fn pool_options(self: &Arc<Self>, ping_idle: bool) -> PgPoolOptions {
        let options = PgPoolOptions::new();
        let followed = self.followed();
        if !followed && !ping_idle {
            return options;
        }
        let on_acquire = self.clone();
        let options = options.test_before_acquire(!ping_idle).before_acquire(move |conn, meta| {
            let hosts = on_acquire.clone();
            Box::pin(async move {
                if followed && hosts.predates_switch(meta.age) {
                    return Ok(false);
                }
                if ping_idle {
                    return ping_if_idle(conn, meta).await;
                }
                Ok(true)
            })
        });
        if !followed {
            return options;
        }
        let (on_connect, on_release) = (self.clone(), self.clone());
        options
            .after_connect(move |conn, _| {
                let hosts = on_connect.clone();
                Box::pin(async move { hosts.adopt(conn).await })
            })
            .after_release(move |_, meta| {
                let keep = !on_release.predates_switch(meta.age);
                Box::pin(async move { Ok(keep) })
            })
    }

    /// Starts the follower over `pools`, each with the hosts it was built
    /// from (the request path's and the jobs' differ in session settings);
    /// it stops when the returned handle is dropped.
    pub fn follow(self: &Arc<Self>, pools: Vec<(PgPool, Arc<PgHosts>)>) -> Follower {
        let hosts = self.clone();
        let task = tokio::spawn(async move {
            let mut applied = hosts.current().index;
            loop {
                tokio::time::sleep(FOLLOW_EVERY).await;
                if !hosts.still_fits(hosts.current().index).await {
                    if let Ok((_, conn)) = hosts.connect().await {
                        let _ = conn.close().await;
                    }
                }
                // A walk (this one, a new pooled or direct connection's) may
                // have found another host: every pool aims there from now on.
                let index = hosts.current().index;
                if index == applied {
                    continue;
                }
                tracing::warn!(
                    from = %hosts.hosts[applied].host_port(),
                    to = %hosts.hosts[index].host_port(),
                    "database host switched: connections opened before are closed, new ones go to the host that fits"
                );
                for (pool, pool_hosts) in &pools {
                    pool_hosts.aim(index);
                    pool.set_connect_options(pool_hosts.options[index].clone());
                }
                applied = index;
            }
        });
        Follower(task.abort_handle())
    }

    async fn still_fits(&self, index: usize) -> bool {
        self.try_host(&self.options[index], true).await.map(|c| drop(c.close())).is_ok()
    }
}

/// The follower's task, stopped when this is dropped.
pub struct Follower(tokio::task::AbortHandle);

impl Drop for Follower {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl HostPort {
    pub fn host_port(&self) -> String {
        format!("{}:{}", host_in_url(&self.host), self.port)
    }
}

fn host_in_url(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_owned()
    }
}

fn parse_host(s: &str) -> Result<HostPort, StoreError> {
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or_else(|| bad(format!("unclosed [ in host {s:?}")))?;
        (host, after.strip_prefix(':'))
    } else {
        match s.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (s, None),
        }
    };
    if host.is_empty() {
        return Err(bad(format!("empty host in {s:?}")));
    }
    let port = match port {
        None => 5432,
        Some(p) => p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| bad(format!("bad port in host {s:?}")))?,
    };
    Ok(HostPort { host: host.to_owned(), port })
}

/// `pg_is_in_recovery()` and `transaction_read_only`, in one round trip.
pub async fn session_state(conn: &mut PgConnection) -> Result<SessionState, sqlx::Error> {
    let row = sqlx::query("SELECT pg_is_in_recovery() AS r, current_setting('transaction_read_only') AS ro")
        .fetch_one(&mut *conn)
        .await?;
    Ok(SessionState { in_recovery: row.try_get("r")?, read_only: row.try_get::<String, _>("ro")? == "on" })
}

fn not_fitting(attrs: SessionAttrs, state: SessionState) -> sqlx::Error {
    sqlx::Error::Configuration(
        format!(
            "session does not fit target_session_attrs {attrs:?} (in recovery: {}, read only: {})",
            state.in_recovery, state.read_only
        )
        .into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_ports_and_attributes_are_parsed() {
        let h =
            PgHosts::parse("postgres://u:pw@a:5433,b,[::1]:6000/db?sslmode=disable&target_session_attrs=read-write")
                .unwrap();
        let expect = [("a", 5433), ("b", 5432), ("::1", 6000)];
        assert_eq!(h.hosts, expect.map(|(host, port)| HostPort { host: host.into(), port }).to_vec());
        assert_eq!(h.attrs, SessionAttrs::ReadWrite);
        assert_eq!(h.options[1].get_port(), 5432);
        assert_eq!(h.options[2].get_host(), "::1");
        assert_eq!(h.options[0].get_database(), Some("db"));
        assert!(h.followed());
        assert_eq!(h.current_host().host_port(), "a:5433");
    }

    #[test]
    fn a_single_host_with_any_is_not_followed() {
        let h = PgHosts::parse("postgres://postgres@127.0.0.1:5432/postgres").unwrap();
        assert_eq!(h.attrs, SessionAttrs::Any);
        assert!(!h.followed());
    }

    #[test]
    fn bad_lists_are_refused_with_what_is_wrong() {
        for (url, says) in [
            ("postgres://a:1,b:x/db", "bad port"),
            ("postgres://a:1,,b/db", "empty host"),
            ("postgres://a:0/db", "bad port"),
            ("postgres://a/db?target_session_attrs=leader", "target_session_attrs must be one of"),
            ("postgres://[::1/db", "unclosed ["),
            ("a,b/db", "expected postgres://"),
        ] {
            let err = PgHosts::parse(url).err().unwrap_or_else(|| panic!("{url} parsed"));
            assert!(err.to_string().contains(says), "{url}: {err}");
        }
        let many = (0..=HOSTS_MAX).map(|i| format!("h{i}")).collect::<Vec<_>>().join(",");
        assert!(PgHosts::parse(&format!("postgres://{many}/db")).is_err());
    }

    #[test]
    fn attributes_fit_as_libpq_says() {
        let primary = SessionState { in_recovery: false, read_only: false };
        let standby = SessionState { in_recovery: true, read_only: true };
        let read_only_primary = SessionState { in_recovery: false, read_only: true };
        assert!(SessionAttrs::ReadWrite.fits(primary, true));
        assert!(!SessionAttrs::ReadWrite.fits(standby, true));
        assert!(!SessionAttrs::ReadWrite.fits(read_only_primary, true));
        assert!(SessionAttrs::Primary.fits(read_only_primary, true));
        assert!(SessionAttrs::Standby.fits(standby, true));
        assert!(!SessionAttrs::PreferStandby.fits(primary, true));
        assert!(SessionAttrs::PreferStandby.fits(primary, false));
        assert!(SessionAttrs::Any.fits(standby, true));
    }
}
