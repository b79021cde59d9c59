//! `--restore-drill`: the plan's disaster recovery rehearsed under load.
//!
//! 1. A private Postgres cluster that archives every WAL segment; replicas
//!    of the service on it, delivering their workflows to a local receiver.
//! 2. Load on every operation for `--duration` seconds; during it an online
//!    base backup (at a fifth of the load) and a named restore point (at
//!    three fifths).
//! 3. The disaster: the archive made complete, the replicas killed and the
//!    cluster stopped like a crash.
//! 4. The restore: the base backup plus the archive replayed to the restore
//!    point, promoted; the compliance checks run on it; replicas restarted.
//! 5. Every client retries every key it sent, twice, in the order it first
//!    sent them; the dispatchers deliver what the restore put back in the
//!    outbox; then `drill::judge`, the simulations' checker (with the
//!    receiver's deliveries) and the compliance checks again.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use accubooks_service::domain::ids::TenantId;
use accubooks_service::store::Store;
use accubooks_sim::checker::{check, CheckStats, Received};
use accubooks_sim::history::{History, HistoryData, Intent};
use accubooks_sim::workload as shared;
use accubooks_stress::chaos::pg::{PgCluster, RESTORE_POINT};
use accubooks_stress::chaos::replicas::Replicas;
use accubooks_stress::drill::{self, AckLog, DrillInput, DrillJudgement};
use accubooks_stress::driver::{run_phase, Model, PhaseClock, PhaseSpec, RunCtx};
use accubooks_stress::http::Auth;
use accubooks_stress::receiver::{Receiver, Seen};
use accubooks_stress::setup::{self, SetupSize};
use accubooks_stress::spawn::find_service_bin;
use accubooks_stress::verify;
use accubooks_stress::workload::Planner;
use anyhow::{anyhow, Context};
use serde::Serialize;
use tokio::time::Instant;
use uuid::Uuid;

use crate::cli::Args;
use crate::env;
use crate::run::{EXIT_OK, EXIT_VERIFICATION};

/// How long the dispatchers may take to deliver every committed workflow.
const SETTLE_WAIT: Duration = Duration::from_secs(120);
const SETTLE_POLL: Duration = Duration::from_millis(250);
/// Where in the load the base backup and the restore point are taken.
const BACKUP_AT: f64 = 0.2;
const RESTORE_POINT_AT: f64 = 0.6;

#[derive(Debug, Serialize)]
pub struct DrillReport {
    pub run_id: String,
    pub seed: u64,
    pub replicas: usize,
    pub concurrency: u32,
    pub operations: Vec<String>,
    pub load_s: f64,
    /// Logical requests and attempts of the load, and its answered writes per second.
    pub load_requests: u64,
    pub load_attempts: u64,
    pub load_writes_per_s: f64,
    pub base_backup_s: f64,
    /// When the restore point was asked for and made, ms into the load.
    pub restore_point_ms: (u64, u64),
    pub last_archived_segment: String,
    /// From the stopped cluster to the restored one open for writes.
    pub restore_s: f64,
    pub keys: DrillJudgement,
    pub workflows: WorkflowFigures,
    /// The simulations' checker over both retry passes and the final state.
    pub check_violations: Vec<String>,
    pub check_violation_count: u64,
    pub duplicates: u64,
    pub lost: u64,
    pub check_stats: CheckStats,
    pub compliance_after_restore: Vec<Compliance>,
    pub compliance_at_end: Vec<Compliance>,
    pub ok: bool,
}

#[derive(Debug, Default, Serialize)]
pub struct WorkflowFigures {
    /// Workflow ids the receiver had before the disaster.
    pub delivered_before_disaster: u64,
    /// Of those, delivered again after the restore (their outbox rows came
    /// back undelivered, or their writes re-executed): the receiver
    /// deduplicated them by id.
    pub redelivered_after_restore: u64,
    /// Workflows committed at the end, every one delivered.
    pub committed_at_end: u64,
    /// Ids applied more than once downstream (must be 0).
    pub effects_more_than_once: u64,
    /// Deliveries whose body named no workflow id (must be 0).
    pub malformed_deliveries: u64,
    /// Delivered ids whose write the restore erased and that did not
    /// execute again (its retry was refused): the downstream consumer holds
    /// a workflow the books no longer have. Reported.
    pub delivered_for_erased_writes: u64,
    /// Delivered ids no committed workflow has, although their triggering
    /// entity exists (an id that is not deterministic; must be 0).
    pub orphaned_ids_of_existing_entities: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Compliance {
    pub check: String,
    pub passed: bool,
    pub output: String,
}

pub async fn run(args: &Args) -> anyhow::Result<u8> {
    args.validate()?;
    let seed = args.seed.unwrap_or_else(|| Uuid::new_v4().as_u64_pair().0);
    let run_id = format!("rd{}", &Uuid::new_v4().simple().to_string()[..8]);
    eprintln!("accubooks-stress restore drill {run_id}, seed {seed}");
    let bin = find_service_bin(args.service_bin.as_deref())?;
    let dir = env::scratch_dir(&run_id)?;
    let port = env::free_port().await?;
    let pg = Arc::new(
        PgCluster::create_archiving(&args.pg_bin_dir(), &dir.join("pg"), port)
            .await
            .context("private postgres cluster")?,
    );
    eprintln!("private postgres cluster on 127.0.0.1:{port}, archiving its WAL (log {})", pg.log().display());
    let result = async {
        env::create_database(&pg.url("postgres"), "accubooks").await?;
        let receiver = Receiver::start().await.context("webhook receiver")?;
        let url = pg.url("accubooks");
        let (tenant, token) = env::create_tenant(&url, &run_id).await?;
        let n = args.replicas();
        let hook = vec![("ACCUBOOKS_WORKFLOW_WEBHOOK_URL".to_owned(), receiver.url())];
        let replicas = Arc::new(Replicas::start(n, bin.clone(), url.clone(), dir.clone(), hook).await?);
        eprintln!("{n} replicas on {:?}, workflows delivered to {}", replicas.addrs, receiver.url());
        let r = drive(args, &run_id, seed, &bin, &pg, &url, tenant, &token, &replicas, &receiver).await;
        replicas.stop_all().await;
        r
    }
    .await;
    let keep = !matches!(result, Ok(EXIT_OK));
    match Arc::try_unwrap(pg) {
        Ok(pg) if !keep => pg.destroy().await,
        Ok(pg) => {
            let _ = pg.stop().await;
        }
        Err(_) => eprintln!("warning: the private cluster is still referenced; not stopped"),
    }
    if keep {
        eprintln!("kept logs and data in {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}

#[allow(clippy::too_many_arguments)]
async fn drive(
    args: &Args,
    run_id: &str,
    seed: u64,
    service_bin: &std::path::Path,
    pg: &Arc<PgCluster>,
    url: &str,
    tenant: TenantId,
    token: &str,
    replicas: &Replicas,
    receiver: &Receiver,
) -> anyhow::Result<u8> {
    let ops = shared::select(&args.operation).map_err(|e| anyhow!(e))?;
    let mut ctx =
        RunCtx::new(replicas.addrs.clone().into(), Auth::bearer(token)?, tenant.0, args.limits(), args.load_threads());
    let size = SetupSize::for_clients(args.concurrency);
    ctx.refs = Arc::new(setup::reference_data(&ctx, run_id, size, &shared::needs(&ops)).await?);
    let planner =
        Planner { workload: args.workload(), ops: ops.clone(), run_id: run_id.to_owned(), seed, replay_setup: false };

    // The load, with the backup and the restore point taken during it.
    let load = args.drill_load();
    let start = Instant::now();
    ctx.clock = PhaseClock::healthy(start);
    let acks = Arc::new(AckLog::default());
    ctx.acks = Some(acks.clone());
    let marks = {
        let pg = pg.clone();
        tokio::spawn(async move {
            tokio::time::sleep_until(start + load.mul_f64(BACKUP_AT)).await;
            let t = Instant::now();
            let backup = pg.base_backup("base").await?;
            let backup_s = t.elapsed().as_secs_f64();
            tokio::time::sleep_until(start + load.mul_f64(RESTORE_POINT_AT)).await;
            let ms = |i: Instant| u64::try_from((i - start).as_millis()).unwrap_or(u64::MAX);
            let asked = ms(Instant::now());
            pg.create_restore_point(RESTORE_POINT).await?;
            let made = ms(Instant::now());
            anyhow::Ok((backup, backup_s, asked, made))
        })
    };
    let spec = PhaseSpec {
        planner: planner.clone(),
        model: Model::Closed,
        concurrency: args.concurrency,
        requests: None,
        duration: Some(load),
    };
    eprintln!("load: {} clients on every operation for {:.0} s", args.concurrency, load.as_secs_f64());
    run_phase(&ctx, &spec).await;
    let load_s = start.elapsed().as_secs_f64();
    let (backup, base_backup_s, rp_start, rp_end) = marks.await.context("backup task")??;
    ctx.acks = None;
    let load_history = ctx.history.snapshot();
    let acks = acks.take();
    let slots = load_history.requests.iter().filter(|q| q.intent == Intent::Normal).count() as u64;
    eprintln!(
        "load over: {} logical requests in {load_s:.1} s; base backup took {base_backup_s:.2} s; restore point at \
         {rp_start}–{rp_end} ms",
        load_history.requests.len()
    );

    // Before the disaster: what is stored and what was delivered.
    let store = env::open(url).await?;
    settle(store.as_ref(), tenant, receiver).await?;
    let stored_before_disaster = stored_keys(store.as_ref(), tenant).await?;
    drop(store);
    let delivered_before = receiver.snapshot();
    let last_archived_segment = pg.archive_everything().await?;

    // The disaster and the restore.
    replicas.stop_all().await;
    pg.stop_immediate().await?;
    eprintln!("disaster: replicas killed, cluster stopped (immediate); restoring to '{RESTORE_POINT}'");
    let t = Instant::now();
    pg.restore_to(&backup, RESTORE_POINT).await?;
    let restore_s = t.elapsed().as_secs_f64();
    let compliance_after_restore = compliance(service_bin, url).await?;
    let store = env::open(url).await?;
    let restored = stored_keys(store.as_ref(), tenant).await?;
    eprintln!(
        "restored in {restore_s:.2} s: {} of {} stored keys back; restarting {} replicas",
        restored.len(),
        stored_before_disaster.len(),
        replicas.addrs.len()
    );
    for i in 0..replicas.addrs.len() {
        replicas.restart(i).await?;
    }

    // Every client retries every key, twice.
    let mut passes = Vec::new();
    for pass in 1..=2 {
        ctx.history = History::new();
        ctx.clock = PhaseClock::healthy(Instant::now());
        let spec = PhaseSpec {
            planner: planner.clone(),
            model: Model::Closed,
            concurrency: args.concurrency,
            requests: Some(slots),
            duration: None,
        };
        run_phase(&ctx, &spec).await;
        eprintln!("retry pass {pass}: {slots} keys sent again");
        passes.push(ctx.history.snapshot());
    }
    settle(store.as_ref(), tenant, receiver).await?;

    let keys = drill::judge(&DrillInput {
        load: &load_history,
        acks: &acks,
        rp_start_ms: rp_start,
        rp_end_ms: rp_end,
        stored_before_disaster: &stored_before_disaster,
        restored: &restored,
        first_retry: &passes[0],
        second_retry: &passes[1],
    });
    let mut state = verify::final_state(store.as_ref(), tenant).await?;
    let received = receiver.snapshot();
    let (workflows, received_committed) = workflow_figures(&state, &delivered_before, &received, receiver.malformed());
    state.received = Some(received_committed);
    let report = check(&concat(&passes[0], &passes[1]), &state);
    let compliance_at_end = compliance(service_bin, url).await?;

    let load_writes_per_s = load_history.requests.len() as f64 / load_s.max(f64::EPSILON);
    let ok = keys.violation_count == 0
        && report.violations.is_empty()
        && workflows.effects_more_than_once == 0
        && workflows.malformed_deliveries == 0
        && workflows.orphaned_ids_of_existing_entities == 0
        && compliance_after_restore.iter().chain(&compliance_at_end).all(|c| c.passed)
        && keys.counts.before > 0
        && keys.counts.after > 0;
    let rep = DrillReport {
        run_id: run_id.to_owned(),
        seed,
        replicas: replicas.addrs.len(),
        concurrency: args.concurrency,
        operations: ops.iter().map(|o| o.name().to_owned()).collect(),
        load_s,
        load_requests: load_history.requests.len() as u64,
        load_attempts: load_history.attempts.len() as u64,
        load_writes_per_s,
        base_backup_s,
        restore_point_ms: (rp_start, rp_end),
        last_archived_segment,
        restore_s,
        keys,
        workflows,
        check_violation_count: report.violations.len() as u64,
        check_violations: report.violations.iter().take(50).map(|v| format!("{v:?}")).collect(),
        duplicates: report.duplicates,
        lost: report.lost,
        check_stats: report.stats,
        compliance_after_restore,
        compliance_at_end,
        ok,
    };
    print!("{}", summary(&rep));
    if let Some(path) = &args.json {
        let f = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
        serde_json::to_writer_pretty(std::io::BufWriter::new(f), &rep)?;
    }
    Ok(if rep.ok { EXIT_OK } else { EXIT_VERIFICATION })
}

/// Keys of the tenant with a stored answer.
async fn stored_keys(store: &dyn Store, tenant: TenantId) -> anyhow::Result<BTreeSet<String>> {
    Ok(store
        .keys(Some(tenant))
        .await?
        .into_iter()
        .filter(|k| k.response.is_some())
        .map(|k| k.idempotency_key)
        .collect())
}

/// Waits until every workflow the tenant has committed reached the receiver.
async fn settle(store: &dyn Store, tenant: TenantId, receiver: &Receiver) -> anyhow::Result<()> {
    let deadline = Instant::now() + SETTLE_WAIT;
    loop {
        let committed = store.workflows(Some(tenant)).await?;
        let seen = receiver.snapshot();
        let missing = committed.iter().filter(|w| !seen.contains_key(&w.id)).count();
        if missing == 0 {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(anyhow!("{missing} committed workflows not delivered within {SETTLE_WAIT:?}"));
        }
        tokio::time::sleep(SETTLE_POLL).await;
    }
}

/// The deliveries against the final state; also the receiver's view of the
/// committed workflows for the checker.
fn workflow_figures(
    state: &accubooks_sim::checker::FinalState,
    before: &BTreeMap<Uuid, Seen>,
    received: &BTreeMap<Uuid, Seen>,
    malformed: u64,
) -> (WorkflowFigures, BTreeMap<Uuid, Received>) {
    let committed: BTreeSet<Uuid> = state.workflows.iter().map(|w| w.id).collect();
    let entities: BTreeSet<Uuid> = state.entities.iter().map(|e| e.id).collect();
    let mut f = WorkflowFigures {
        delivered_before_disaster: before.len() as u64,
        committed_at_end: committed.len() as u64,
        malformed_deliveries: malformed,
        ..WorkflowFigures::default()
    };
    let mut for_checker = BTreeMap::new();
    for (id, seen) in received {
        f.redelivered_after_restore += u64::from(before.get(id).is_some_and(|b| seen.deliveries > b.deliveries));
        f.effects_more_than_once += u64::from(seen.effects > 1);
        if committed.contains(id) {
            let r = Received { deliveries: seen.deliveries, effects: seen.effects, keyed_by_id: seen.keyed_by_id };
            for_checker.insert(*id, r);
        } else if seen.trigger_entity_id.is_some_and(|e| entities.contains(&e)) {
            f.orphaned_ids_of_existing_entities += 1;
        } else {
            f.delivered_for_erased_writes += 1;
        }
    }
    (f, for_checker)
}

/// Two histories as one (the second's request ids follow the first's).
fn concat(a: &HistoryData, b: &HistoryData) -> HistoryData {
    let offset = a.requests.len() as u64;
    let mut h = a.clone();
    h.requests.extend(b.requests.iter().cloned().map(|mut q| {
        q.id += offset;
        q
    }));
    h.attempts.extend(b.attempts.iter().cloned().map(|mut x| {
        x.request += offset;
        x
    }));
    h.abandoned.extend(b.abandoned.iter().map(|r| r + offset));
    h
}

/// The plan's compliance checks, as an operator runs them: `accubooks audit …`.
async fn compliance(bin: &std::path::Path, url: &str) -> anyhow::Result<Vec<Compliance>> {
    let mut out = Vec::new();
    for check in ["verify-ledger", "verify-no-duplicates", "verify-workflows"] {
        let o = tokio::process::Command::new(bin)
            .args(["audit", check, "--database-url", url])
            .stdin(std::process::Stdio::null())
            .output()
            .await
            .with_context(|| format!("running accubooks audit {check}"))?;
        let mut text = String::from_utf8_lossy(&o.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&o.stderr));
        let tail: Vec<&str> = text.lines().rev().take(6).collect();
        out.push(Compliance {
            check: format!("accubooks audit {check}"),
            passed: o.status.success(),
            output: tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
        });
    }
    Ok(out)
}

fn summary(r: &DrillReport) -> String {
    let c = &r.keys.counts;
    let w = &r.workflows;
    let mut s = String::new();
    let mut line = |l: String| {
        s.push_str(&l);
        s.push('\n');
    };
    line(format!(
        "restore drill {}: {} replicas, {} clients, {:.1} s of load ({} requests, {:.0}/s answered)",
        r.run_id, r.replicas, r.concurrency, r.load_s, r.load_requests, r.load_writes_per_s
    ));
    line(format!(
        "  base backup {:.2} s; restore point at {}–{} ms; restored in {:.2} s (last archived segment {})",
        r.base_backup_s, r.restore_point_ms.0, r.restore_point_ms.1, r.restore_s, r.last_archived_segment
    ));
    line(format!(
        "  keys answered {}: before the restore point {}, after {}, straddling {}, refusals nothing stored {}",
        c.acknowledged, c.before, c.after, c.straddling, c.not_stored
    ));
    line(format!(
        "  restored database: {} of {} before-keys, {} of {} after-keys, {} of {} straddling",
        c.restored_before, c.before, c.restored_after, c.after, c.restored_straddling, c.straddling
    ));
    line(format!(
        "  first retry: before-keys replayed byte-identical {}/{}; after-keys executed again {}/{} ({} with the \
         erased answer's id, {} answered otherwise); straddling replayed {} / executed again {}",
        c.before_replayed_identical,
        c.before,
        c.after_reexecuted,
        c.after,
        c.after_same_id,
        c.after_outcome_changed,
        c.straddling_replayed,
        c.straddling_reexecuted
    ));
    line(format!(
        "  second retry: {}/{} replayed the first retry's answer",
        c.second_retry_identical, c.second_retry_checked
    ));
    line(format!(
        "  workflows: {} delivered before the disaster, {} delivered again after the restore and deduplicated by id, \
         {} committed at the end (all delivered), {} applied more than once, {} malformed, {} delivered for erased \
         writes, {} ids not deterministic",
        w.delivered_before_disaster,
        w.redelivered_after_restore,
        w.committed_at_end,
        w.effects_more_than_once,
        w.malformed_deliveries,
        w.delivered_for_erased_writes,
        w.orphaned_ids_of_existing_entities
    ));
    line(format!(
        "  checker: {} violations, duplicates {}, lost {}; drill violations {}",
        r.check_violation_count, r.duplicates, r.lost, r.keys.violation_count
    ));
    for v in r.keys.violations.iter().take(20).chain(r.check_violations.iter().take(20)) {
        line(format!("    {v}"));
    }
    for (when, list) in [("after the restore", &r.compliance_after_restore), ("at the end", &r.compliance_at_end)] {
        let passed: Vec<&str> = list.iter().filter(|c| c.passed).map(|c| c.check.as_str()).collect();
        line(format!("  compliance {when}: {}/{} passed", passed.len(), list.len()));
        for c in list.iter().filter(|c| !c.passed) {
            line(format!("    FAILED {}: {}", c.check, c.output));
        }
    }
    line(format!("  restore drill {}", if r.ok { "PASSED" } else { "FAILED" }));
    s
}
