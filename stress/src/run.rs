//! One run: environment → reference data → load (per operation, or all at
//! once; with faults in chaos mode) → verification → report → exit status.

use std::sync::Arc;

use accubooks_sim::workload::{self as shared, OpGen};
use accubooks_stress::chaos::{run_faults, window};
use accubooks_stress::driver::{run_phase, Model, PhaseClock, PhaseSpec, Progress, RunCtx};
use accubooks_stress::http::Auth;
use accubooks_stress::plot::{self, Series};
use accubooks_stress::progress::Display;
use accubooks_stress::report::{self, FaultCounts, RunInfo};
use accubooks_stress::setup::{self, SetupSize};
use accubooks_stress::stats::{Phase, Stats, END_TO_END};
use accubooks_stress::thresholds;
use accubooks_stress::verify::{self, Verification};
use accubooks_stress::workload::{Planner, Workload};
use anyhow::{anyhow, Context};
use tokio::time::Instant;
use uuid::Uuid;

use crate::cli::{Args, StoreArg};
use crate::env::Env;

pub const EXIT_OK: u8 = 0;
pub const EXIT_VERIFICATION: u8 = 2;
pub const EXIT_THRESHOLD: u8 = 3;

pub async fn run(args: Args) -> anyhow::Result<u8> {
    if args.restore_drill {
        return crate::restore_drill::run(&args).await;
    }
    args.validate()?;
    let seed = args.seed.unwrap_or_else(|| Uuid::new_v4().as_u64_pair().0);
    let run_id = format!("st{}", &Uuid::new_v4().simple().to_string()[..8]);
    let ops = shared::select(&args.operation).map_err(|e| anyhow!(e))?;
    eprintln!("accubooks-stress run {run_id}, seed {seed}");
    let env = if args.chaos {
        Env::chaos(&args, &run_id).await?
    } else if args.spawn {
        Env::local(&args, &run_id).await?
    } else {
        Env::remote(&args).await?
    };
    let result = drive(&args, &env, &run_id, seed, ops).await;
    let keep = !matches!(result, Ok(EXIT_OK));
    env.teardown(keep).await;
    result
}

async fn drive(args: &Args, env: &Env, run_id: &str, seed: u64, ops: Vec<&'static OpGen>) -> anyhow::Result<u8> {
    let mut ctx = RunCtx::new(
        env.addrs.clone().into(),
        Auth::bearer(&env.token)?,
        env.tenant.map_or(Uuid::nil(), |t| t.0),
        args.limits(),
        args.load_threads(),
    );
    ctx.writes = (args.chaos && args.store() == StoreArg::Failover).then(Default::default);
    let size = SetupSize::for_clients(args.concurrency);
    let needs = if args.workload() == Workload::Read { shared::needs(&[]) } else { shared::needs(&ops) };
    let mut needs = needs;
    // The read workload reads reference customers.
    needs.insert(shared::Need::Customers);
    ctx.refs = Arc::new(setup::reference_data(&ctx, run_id, size, &needs).await.context("creating reference data")?);

    let workload = args.workload();
    let ops_at_once = args.ops_at_once || args.chaos;
    let groups: Vec<Vec<&'static OpGen>> = if ops_at_once || workload == Workload::Read {
        vec![ops.clone()]
    } else {
        ops.iter().map(|o| vec![*o]).collect()
    };
    let chaos = match (args.chaos, env.chaos_targets()) {
        (true, Some(targets)) => Some((args.chaos_plan(seed)?, targets)),
        _ => None,
    };

    let mut stats = Stats::default();
    let mut load_s = 0.0;
    let mut faults: Option<FaultCounts> = None;
    for group in groups {
        let planner = Planner { workload, ops: group.clone(), run_id: run_id.to_owned(), seed, replay_setup: false };
        if let Workload::Replay { keys } = workload {
            // The keys to replay, created first and verified like any others.
            let setup = PhaseSpec {
                planner: Planner { replay_setup: true, ..planner.clone() },
                model: Model::Closed,
                concurrency: args.concurrency.min(u32::try_from(keys).unwrap_or(u32::MAX)),
                requests: Some(keys),
                duration: None,
            };
            run_phase(&ctx, &setup).await;
        }
        let mut spec = PhaseSpec {
            planner,
            model: args.model(),
            concurrency: args.concurrency,
            requests: args.requests,
            duration: args.duration(),
        };
        let title = if workload == Workload::Read {
            "read_customer".to_owned()
        } else {
            group.iter().map(|o| o.name()).collect::<Vec<_>>().join("+")
        };
        ctx.progress = Arc::new(Progress::default());
        let start = Instant::now();
        ctx.clock = PhaseClock::healthy(start);
        let fault_task = chaos.as_ref().map(|(plan, targets)| {
            spec.duration = Some(plan.total());
            ctx.clock =
                PhaseClock { start, fault_at: Some(plan.healthy), recovery_at: Some(plan.healthy + plan.fault) };
            tokio::spawn(run_faults(*plan, start, targets.clone()))
        });
        let display = Display::start(ctx.progress.clone(), title, spec.requests, !args.no_progress);
        let s = run_phase(&ctx, &spec).await;
        load_s += start.elapsed().as_secs_f64();
        display.finish().await;
        if let Some(t) = fault_task {
            faults = Some(t.await.context("fault task")??);
        }
        stats.merge(s);
    }

    if let (Some(f), Some(log)) = (faults.as_mut(), &ctx.writes) {
        f.failovers = window::windows(&f.failover_events, &log.take());
        f.failover_summary = window::summary(&f.failovers);
    }
    let history = ctx.history.snapshot();
    let verification: Option<Verification> = match (workload, &env.verify_url, env.tenant) {
        (Workload::Read, _, _) => None,
        (_, Some(url), Some(tenant)) => Some(verify::against_database(url, tenant, &history).await?),
        _ => Some(verify::against_read_api(&ctx, &history).await?),
    };

    let limits = args.thresholds();
    let broken = thresholds::evaluate(&limits, &report::measured(&stats));
    let info = RunInfo {
        run_id: run_id.to_owned(),
        seed,
        target: env.target.clone(),
        store: env.store.clone(),
        workload: workload.name().to_owned(),
        model: match args.model() {
            Model::Closed => "closed".into(),
            Model::Open { .. } => "open".into(),
        },
        rate_per_s: args.rate,
        concurrency: args.concurrency,
        operations: ops.iter().map(|o| o.name().to_owned()).collect(),
        ops_at_once,
        load_s,
    };
    let rep = report::build(info, &stats, verification, faults, limits, broken);
    if let Some(f) = &rep.faults {
        for line in &f.timeline {
            println!("{line}");
        }
    }
    print!("{}", report::table(&rep));
    print!("{}", report::summary(&rep));
    if let Some(path) = &args.json {
        let f = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
        serde_json::to_writer_pretty(std::io::BufWriter::new(f), &rep)?;
    }
    if let Some(path) = &args.plot {
        write_plot(path, &rep.run, &stats)?;
    }
    let verified = rep.verification.as_ref().is_none_or(Verification::ok);
    Ok(if !verified {
        EXIT_VERIFICATION
    } else if !rep.thresholds.broken.is_empty() {
        EXIT_THRESHOLD
    } else {
        EXIT_OK
    })
}

fn write_plot(path: &std::path::Path, run: &RunInfo, stats: &Stats) -> anyhow::Result<()> {
    let phases = stats.phases();
    let label = if run.workload == "read" { "200 ok" } else { END_TO_END };
    let hists: Vec<(String, _)> = if phases.len() > 1 {
        phases.iter().map(|p| (p.as_str().to_owned(), stats.histogram(Some(*p), None, label))).collect()
    } else {
        stats
            .per_op()
            .keys()
            .map(|op| ((*op).to_owned(), stats.histogram(Some(Phase::Healthy), Some(op), label)))
            .collect()
    };
    let series: Vec<Series<'_>> = hists.iter().map(|(name, h)| Series { name: name.clone(), histogram: h }).collect();
    let title = format!(
        "accubooks-stress {} · {} · {} · {} clients{}",
        run.run_id,
        run.store,
        run.workload,
        run.concurrency,
        run.rate_per_s.map(|r| format!(" · {r:.0}/s offered")).unwrap_or_default()
    );
    match plot::svg(&title, &series) {
        Some(svg) => std::fs::write(path, svg).with_context(|| format!("writing {}", path.display()))?,
        None => eprintln!("no latencies recorded: no plot written"),
    }
    Ok(())
}
