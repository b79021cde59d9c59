use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use accubooks_service::planted::{Bug, CATALOGUE};
use accubooks_sim::coverage;
use accubooks_sim::planted::{ci_order, first_sign, hunt};
use accubooks_sim::runner::{repro_command, run_seed, SeedOutcome};
use accubooks_sim::scenario::{Scenario, StoreKind};
use accubooks_sim::shrink::{pin, shrink, Options, Shrunk};
use accubooks_sim::world::RunResult;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "accubooks-sim", about = "Deterministic chaos simulation of the AccuBooks service")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Switch on one bug of the planted catalogue (a build with the
    /// `planted` feature: SIM_FEATURES=planted ci/sim-sweep.sh ...).
    #[arg(long, global = true, value_parser = parse_bug)]
    planted: Option<Bug>,
}

fn parse_bug(s: &str) -> Result<Bug, String> {
    Bug::parse(s).ok_or_else(|| {
        let names: Vec<&str> = CATALOGUE.iter().map(|p| p.name).collect();
        format!("no planted bug {s:?} (the catalogue: {})", names.join(", "))
    })
}

#[derive(Subcommand)]
enum Command {
    /// Run one seed and print its timeline, faults, checks and trace hash.
    /// A pinned scenario file (written by --write-scenario or `shrink`)
    /// replays its run: its seed, store and planted bug unless given.
    Run {
        #[arg(long)]
        scenario: String,
        #[arg(long)]
        seed: Option<u64>,
        /// The topology: `memory` (a database node, several service nodes)
        /// or `sqlite` (one service node with the embedded store).
        #[arg(long, value_parser = StoreKind::parse)]
        store: Option<StoreKind>,
        /// Print the full result as JSON instead.
        #[arg(long)]
        json: bool,
        /// Write the resolved run as a pinned scenario file (its draws, fault
        /// events and client policies as data) that `run --scenario FILE` replays.
        #[arg(long)]
        write_scenario: Option<String>,
    },
    /// Shrink a failing seed to a small pinned run that fails the same way
    /// (the first violation's property) and write it to
    /// scenarios/repro/<scenario>-<seed>.toml.
    Shrink {
        #[command(flatten)]
        one: OneSeed,
        #[arg(long, default_value_t = 2)]
        jobs: usize,
        /// Runs at most.
        #[arg(long, default_value_t = 2000)]
        max_runs: usize,
        /// Where the file goes.
        #[arg(long, default_value = "scenarios/repro")]
        out: String,
    },
    /// Run seeds A..B (both included) of one scenario or `all`.
    Sweep {
        #[arg(long)]
        scenario: String,
        #[arg(long, value_parser = parse_range)]
        seeds: Option<(u64, u64)>,
        /// Use each scenario's `ci_seeds` starting at seed 1 instead of --seeds.
        #[arg(long, conflicts_with = "seeds")]
        ci: bool,
        #[arg(long, default_value_t = 2)]
        jobs: usize,
        /// Continue after a failing seed (default: stop at the first).
        #[arg(long)]
        keep_going: bool,
        /// The topology; scenarios that do not run on it are skipped (and named).
        #[arg(long, value_parser = StoreKind::parse, default_value = "memory")]
        store: StoreKind,
        /// Fail when a reachability point expected on this store was
        /// reached by no seed (the CI sweeps use it).
        #[arg(long)]
        require_reach: bool,
        /// Shrink the first failing seed (scenarios/repro/).
        #[arg(long)]
        shrink: bool,
        /// Run every scenario without this fault kind (repeatable): shows
        /// which reachability points need it (with --require-reach).
        #[arg(long = "without")]
        without: Vec<String>,
    },
    /// Run one seed twice and compare the trace hashes.
    CheckDeterminism {
        #[command(flatten)]
        one: OneSeed,
    },
    /// List the built-in scenarios.
    List,
    /// Hunt every planted bug (or those named) over the CI seed range and
    /// print a table: caught or not, where, after how many seeds. Fails if
    /// any bug escapes. Needs SIM_FEATURES=planted.
    Planted {
        /// Only these bugs (default: the whole catalogue).
        #[arg(long = "bug", value_parser = parse_bug)]
        bugs: Vec<Bug>,
        #[arg(long, default_value_t = 2)]
        jobs: usize,
        /// Hunt seeds 1..=N only (default: each scenario's ci_seeds).
        #[arg(long)]
        seeds_max: Option<u64>,
        /// Shrink each bug's first failing run and write it to this
        /// directory (scenarios/repro/<scenario>-<seed>-<bug>.toml).
        #[arg(long)]
        shrink: Option<String>,
    },
}

/// One seed of one scenario on one store.
#[derive(clap::Args)]
struct OneSeed {
    #[arg(long)]
    scenario: String,
    #[arg(long)]
    seed: u64,
    /// The topology: `memory` or `sqlite`.
    #[arg(long, value_parser = StoreKind::parse, default_value = "memory")]
    store: StoreKind,
}

/// `A..B` names seeds A through B, both included (`1..500` is 500 seeds);
/// returned as a half-open range.
fn parse_range(s: &str) -> Result<(u64, u64), String> {
    let (a, b) = s.split_once("..").ok_or("expected A..B")?;
    let b = b.strip_prefix('=').unwrap_or(b);
    let (a, b) = (a.parse::<u64>().map_err(|e| e.to_string())?, b.parse::<u64>().map_err(|e| e.to_string())?);
    if b < a {
        return Err("empty range".into());
    }
    Ok((a, b + 1))
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn scenarios(name: &str) -> Result<Vec<Scenario>, String> {
    if name == "all" {
        Ok(Scenario::all())
    } else {
        Scenario::load(name).map(|s| vec![s]).map_err(|e| e.to_string())
    }
}

fn run(cli: Cli) -> Result<bool, String> {
    if cli.planted.is_some() && !cfg!(feature = "planted") {
        return Err("--planted needs a build with the planted bugs: SIM_FEATURES=planted ci/sim-sweep.sh ...".into());
    }
    accubooks_service::planted::activate(cli.planted);
    match cli.command {
        Command::Planted { bugs, jobs, seeds_max, shrink } => {
            if !cfg!(feature = "planted") {
                return Err("this build has no planted bugs: SIM_FEATURES=planted ci/sim-sweep.sh planted".into());
            }
            let bugs = if bugs.is_empty() { CATALOGUE.iter().map(|p| p.bug).collect() } else { bugs };
            Ok(planted_table(&bugs, jobs, seeds_max, shrink.as_deref()))
        }
        Command::List => {
            for s in Scenario::all() {
                let stores: Vec<&str> = s.stores.iter().map(|k| k.as_str()).collect();
                println!("{:<26} ci_seeds={:<4} stores={:<14} {}", s.name, s.ci_seeds, stores.join(","), s.description);
            }
            Ok(true)
        }
        Command::Run { scenario, seed, store, json, write_scenario } => {
            // The service's own log lines (e.g. ACCUBOOKS_SIM_LOG=warn), on stderr.
            if let Ok(filter) = std::env::var("ACCUBOOKS_SIM_LOG") {
                let filter = tracing_subscriber::EnvFilter::try_new(&filter).map_err(|e| e.to_string())?;
                tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
            }
            let s = Scenario::load(&scenario).map_err(|e| e.to_string())?;
            let pinned = s.pinned.as_ref();
            let seed = seed.or(pinned.map(|p| p.seed)).ok_or("give --seed (the scenario is not pinned)")?;
            let store = match (store, pinned) {
                (Some(st), Some(p)) if st != p.run.store => {
                    return Err(format!("this run is pinned on {}, not {st}", p.run.store))
                }
                (Some(st), _) => st,
                (None, Some(p)) => p.run.store,
                (None, None) => StoreKind::Memory,
            };
            if let (None, Some(name)) = (cli.planted, pinned.and_then(|p| p.planted.as_deref())) {
                if !cfg!(feature = "planted") {
                    return Err(format!(
                        "this run needs the planted bug {name}: SIM_FEATURES=planted ci/sim-sweep.sh run ..."
                    ));
                }
                accubooks_service::planted::activate(Some(parse_bug(name)?));
            }
            supported(&s, store)?;
            let started = Instant::now();
            let out = run_seed(&s, seed, store);
            let wall = started.elapsed();
            match &out {
                SeedOutcome::Finished(r) if json => {
                    println!("{}", serde_json::to_string_pretty(r.as_ref()).map_err(|e| e.to_string())?)
                }
                SeedOutcome::Finished(r) => print_run(r, wall),
                SeedOutcome::Panicked(p) => println!("seed {seed} panicked: {p}"),
            }
            if let (Some(path), SeedOutcome::Finished(r)) = (&write_scenario, &out) {
                let mut pinned = s.clone();
                pinned.pinned = Some(pin(seed, r));
                let text = format!(
                    "# Scenario {} seed {seed} ({store}) pinned as data: replays as that seed did.\n# replay: {}\n{}",
                    s.name,
                    repro_command(path, seed, store),
                    pinned.to_toml()
                );
                std::fs::write(path, text).map_err(|e| format!("{path}: {e}"))?;
                println!("pinned run written to {path}");
            }
            if let Some(v) = pinned.and_then(|p| p.violation.as_deref()) {
                let again =
                    matches!(&out, SeedOutcome::Finished(r) if r.report.violations.iter().any(|x| x.property() == v));
                println!("pinned to fail {v}: {}", if again { "reproduced" } else { "NOT reproduced" });
            }
            if !out.passed() {
                println!("FAILED — reproduce with: {}", repro_command(&scenario, seed, store));
            }
            Ok(out.passed())
        }
        Command::Shrink { one: OneSeed { scenario, seed, store }, jobs, max_runs, out } => {
            let s = Scenario::load(&scenario).map_err(|e| e.to_string())?;
            supported(&s, store)?;
            shrink_to(&s, seed, store, Options { max_runs, jobs }, &out).map(|_| true)
        }
        Command::CheckDeterminism { one: OneSeed { scenario, seed, store } } => {
            let s = Scenario::load(&scenario).map_err(|e| e.to_string())?;
            supported(&s, store)?;
            let a = run_seed(&s, seed, store);
            let b = run_seed(&s, seed, store);
            let (ha, hb) = (a.trace_hash().unwrap_or("panicked"), b.trace_hash().unwrap_or("panicked"));
            println!("{} seed {seed} ({store}): trace hash {ha} / {hb}", s.name);
            let same = ha == hb && a.trace_hash().is_some();
            println!("{}", if same { "deterministic" } else { "NOT DETERMINISTIC" });
            Ok(same)
        }
        Command::Sweep { scenario, seeds, ci, jobs, keep_going, store, require_reach, shrink, without } => {
            let mut list = scenarios(&scenario)?;
            for s in &mut list {
                for kind in &without {
                    s.without_fault(kind).map_err(|e| e.to_string())?;
                }
            }
            if !without.is_empty() {
                println!("without: {}", without.join(", "));
            }
            let mut work = Vec::new();
            for s in &list {
                if !s.supports(store) {
                    let stores: Vec<&str> = s.stores.iter().map(|k| k.as_str()).collect();
                    println!("skipped on {store}: {} (runs on {})", s.name, stores.join(", "));
                    continue;
                }
                let (a, b) = match (seeds, ci) {
                    (Some(r), _) => r,
                    (None, true) => (1, 1 + u64::from(s.ci_seeds)),
                    (None, false) => return Err("give --seeds A..B or --ci".into()),
                };
                work.extend((a..b).map(|seed| (s.clone(), seed)));
            }
            println!("store: {store}");
            let (passed, first) = sweep(work, jobs.max(1), keep_going, store, require_reach);
            if let (true, Some((s, seed))) = (shrink, first) {
                println!("\nshrinking the first failing seed: {} {seed}", s.name);
                if let Err(e) = shrink_to(&s, seed, store, Options { max_runs: 2000, jobs }, "scenarios/repro") {
                    println!("not shrunk: {e}");
                }
            }
            Ok(passed)
        }
    }
}

/// Shrinks `seed` of `s` and writes the file to `dir`; prints the sizes
/// and the command that replays it.
fn shrink_to(s: &Scenario, seed: u64, store: StoreKind, opts: Options, dir: &str) -> Result<Shrunk, String> {
    let started = Instant::now();
    let shrunk = shrink(s, seed, store, opts)?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{dir}: {e}"))?;
    let path = format!("{}/{}", dir.trim_end_matches('/'), shrunk.file_name());
    std::fs::write(&path, shrunk.file_text(&path)).map_err(|e| format!("{path}: {e}"))?;
    println!("shrunk {} seed {seed} ({store}), still failing {}:", s.name, shrunk.property);
    println!("  before: {}", shrunk.before);
    println!("  after:  {}", shrunk.after);
    let workload = if shrunk.requests_pinned { "pinned request by request" } else { "drawn from the seed" };
    println!("  {} runs in {:.1} s; the workload is {workload}", shrunk.runs, started.elapsed().as_secs_f64());
    println!("  written to {path}");
    println!("  replay: {}", shrunk.command(&path));
    Ok(shrunk)
}

fn supported(s: &Scenario, store: StoreKind) -> Result<(), String> {
    if s.supports(store) {
        return Ok(());
    }
    let stores: Vec<&str> = s.stores.iter().map(|k| k.as_str()).collect();
    Err(format!("scenario {} does not run on {store} (it runs on {})", s.name, stores.join(", ")))
}

fn print_run(r: &RunResult, wall: std::time::Duration) {
    println!("scenario: {}", serde_json::to_string(&r.scenario).unwrap_or_default());
    println!("drawn: {}", r.scenario.features().join(" "));
    let reached: Vec<String> = r.reached.iter().map(|(k, n)| format!("{k}×{n}")).collect();
    println!("reached: {}", reached.join(" "));
    println!("timeline:");
    for line in &r.timeline {
        println!("  {line}");
    }
    println!("faults injected: {:?}", r.faults);
    let st = &r.report.stats;
    println!(
        "requests: {} logical, {} attempts ({} ok, {} replayed, {} rejected, {} mismatches, {} indeterminate)",
        st.requests, st.attempts, st.ok, st.replayed, st.rejected, st.mismatches, st.indeterminate
    );
    println!(
        "indeterminate resolved: {} had already executed (replayed), {} executed on a later attempt",
        st.indeterminate_resolved_executed_once, st.indeterminate_resolved_not_executed
    );
    println!(
        "hard cases: {} missing-reference refusals ({} of those keys executed later), {} key strings sent by several tenants, {} writes refused by a closed period, {} answers 409",
        st.missing_reference_refusals, st.executed_after_missing_reference, st.keys_shared_across_tenants, st.closed_period_refusals, st.conflicts
    );
    println!(
        "executions: {}, duplicates: {}, lost: {}, messages: {}, virtual time: {} ms, wall: {} ms",
        st.executions,
        r.report.duplicates,
        r.report.lost,
        r.messages,
        r.virtual_ms,
        wall.as_millis()
    );
    if r.report.violations.is_empty() {
        println!("checker: all properties hold");
    } else {
        println!("checker: {} violation(s)", r.report.violations.len());
        for v in r.report.violations.iter().take(20) {
            println!("  - {v}");
        }
        if !r.explain.is_empty() {
            println!("explain (the violating keys' stories):");
            print!("{}", r.explain);
        }
    }
    println!("trace hash: {}", r.trace_hash);
}

#[derive(Default)]
struct Totals {
    seeds: u64,
    failed: u64,
    requests: u64,
    attempts: u64,
    indeterminate: u64,
    resolved_executed: u64,
    resolved_later: u64,
    missing_reference_refusals: u64,
    executed_after_missing_reference: u64,
    keys_shared_across_tenants: u64,
    duplicates: u64,
    lost: u64,
    virtual_ms: u64,
    faults: BTreeMap<String, u64>,
    slowest_ms: BTreeMap<String, u128>,
    closed_period_refusals: u64,
    conflicts: u64,
    /// Seeds per drawn feature (an operation, a fault kind, a knob).
    features: BTreeMap<String, u64>,
    /// Seeds per reachability point reached.
    reached: BTreeMap<String, u64>,
}

/// Runs the sweep; answers whether it passed, and its first failing run
/// (in the sweep's order).
fn sweep(
    work: Vec<(Scenario, u64)>,
    jobs: usize,
    keep_going: bool,
    store: StoreKind,
    require_reach: bool,
) -> (bool, Option<(Scenario, u64)>) {
    let total = work.len();
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<(String, u64, SeedOutcome, u128)>();
    let started = Instant::now();
    let mut t = Totals::default();
    let mut failures = Vec::new();
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let (tx, work, next, stop) = (tx.clone(), &work, &next, &stop);
            scope.spawn(move || loop {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((s, seed)) = work.get(i) else { return };
                let t0 = Instant::now();
                let out = run_seed(s, *seed, store);
                if tx.send((s.name.clone(), *seed, out, t0.elapsed().as_millis())).is_err() {
                    return;
                }
            });
        }
        drop(tx);
        for (name, seed, out, wall_ms) in rx {
            t.seeds += 1;
            let slowest = t.slowest_ms.entry(name.clone()).or_default();
            *slowest = (*slowest).max(wall_ms);
            match &out {
                SeedOutcome::Finished(r) => {
                    let st = &r.report.stats;
                    t.requests += st.requests;
                    t.attempts += st.attempts;
                    t.indeterminate += st.indeterminate;
                    t.resolved_executed += st.indeterminate_resolved_executed_once;
                    t.resolved_later += st.indeterminate_resolved_not_executed;
                    t.missing_reference_refusals += st.missing_reference_refusals;
                    t.executed_after_missing_reference += st.executed_after_missing_reference;
                    t.keys_shared_across_tenants += st.keys_shared_across_tenants;
                    t.closed_period_refusals += st.closed_period_refusals;
                    t.conflicts += st.conflicts;
                    t.duplicates += r.report.duplicates;
                    t.lost += r.report.lost;
                    t.virtual_ms += r.virtual_ms;
                    for (k, v) in &r.faults {
                        *t.faults.entry(k.clone()).or_default() += v;
                    }
                    for f in r.scenario.features() {
                        *t.features.entry(f).or_default() += 1;
                    }
                    for point in r.reached.keys() {
                        *t.reached.entry(point.clone()).or_default() += 1;
                    }
                }
                SeedOutcome::Panicked(_) => {}
            }
            if !out.passed() {
                t.failed += 1;
                let why = match &out {
                    SeedOutcome::Finished(r) => {
                        r.report.violations.first().map(ToString::to_string).unwrap_or_default()
                    }
                    SeedOutcome::Panicked(p) => format!("panicked: {p}"),
                };
                eprintln!("\nFAILED {name} seed {seed}: {why}\n  reproduce: {}", repro_command(&name, seed, store));
                failures.push((name, seed));
                if !keep_going {
                    stop.store(true, Ordering::Relaxed);
                }
            }
            let done = t.seeds as usize;
            // Redraw only when the bar moves: logs stay small.
            if done != total && !done.is_multiple_of((total / 100).max(1)) {
                continue;
            }
            let width = 30;
            let filled = done * width / total.max(1);
            eprint!(
                "\r[{}{}] {done}/{total} seeds, {} failed",
                "#".repeat(filled),
                ".".repeat(width - filled),
                t.failed
            );
            let _ = std::io::stderr().flush();
        }
    });
    eprintln!();
    let wall = started.elapsed();
    println!("seeds run: {} ({} failed)", t.seeds, t.failed);
    println!("simulated requests: {} logical, {} attempts", t.requests, t.attempts);
    println!("faults injected: {:?}", t.faults);
    println!(
        "indeterminate attempts: {} (requests resolved: {} had executed once and replayed, {} executed on a later attempt)",
        t.indeterminate, t.resolved_executed, t.resolved_later
    );
    println!(
        "hard cases: {} missing-reference refusals ({} of those keys executed later), {} key strings sent by several tenants, {} writes refused by a closed period, {} answers 409",
        t.missing_reference_refusals, t.executed_after_missing_reference, t.keys_shared_across_tenants, t.closed_period_refusals, t.conflicts
    );
    println!("duplicates: {}, lost acknowledged writes: {}", t.duplicates, t.lost);
    println!(
        "wall time: {:.1} s, simulated time: {:.1} s, simulated/wall: {:.1}×",
        wall.as_secs_f64(),
        t.virtual_ms as f64 / 1000.0,
        t.virtual_ms as f64 / 1000.0 / wall.as_secs_f64().max(1e-9)
    );
    println!("slowest seed wall time per scenario (ms): {:?}", t.slowest_ms);
    println!("seeds per drawn feature:");
    for (f, n) in &t.features {
        println!("  {f:<40} {n}");
    }
    print!("{}", coverage::table(&t.reached, store, t.seeds));
    let missed = coverage::unreached(&t.reached, store);
    if require_reach && !missed.is_empty() {
        println!("NOT REACHED on {store} by any seed: {}", missed.join(", "));
    }
    for (name, seed) in &failures {
        println!("failing seed: {name} {seed}: {}", repro_command(name, *seed, store));
    }
    let first = work
        .iter()
        .find(|(s, seed)| failures.iter().any(|(n, f)| *n == s.name && f == seed))
        .map(|(s, seed)| (s.clone(), *seed));
    (failures.is_empty() && (!require_reach || missed.is_empty()), first)
}

/// Hunts each bug and prints the table (docs/harness-power.md keeps it).
fn planted_table(bugs: &[Bug], jobs: usize, seeds_max: Option<u64>, shrink_dir: Option<&str>) -> bool {
    let scenarios = Scenario::all();
    let work = ci_order(&scenarios, seeds_max);
    println!("hunting {} planted bug(s) over {} runs each at most (the CI seed range)\n", bugs.len(), work.len());
    let shrunk_col = if shrink_dir.is_some() { " shrunk: events, requests (before → after) |" } else { "" };
    println!("| bug | layer | caught | first failing run | seed | runs to detection | first sign |{shrunk_col}");
    println!("|---|---|---|---|---|---|---|{}", if shrink_dir.is_some() { "---|" } else { "" });
    let (mut escaped, mut seeds, mut runs, mut repro) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut ratios: Vec<(Option<f64>, Option<f64>)> = Vec::new();
    for bug in bugs {
        let started = Instant::now();
        let h = hunt(*bug, &scenarios, &work, jobs);
        let info = bug.info();
        match &h.caught {
            Some(c) => {
                seeds.push(c.seed);
                runs.push(c.runs);
                accubooks_service::planted::activate(Some(*bug));
                let mut shrunk = String::new();
                if let Some(dir) = shrink_dir {
                    let s = scenarios.iter().find(|s| s.name == c.scenario).expect("a hunted scenario");
                    shrunk = match shrink_to(s, c.seed, c.store, Options { max_runs: 2000, jobs }, dir) {
                        Ok(k) => {
                            let (b, a) = (k.before, k.after);
                            // A ratio of a run that had none of a thing says nothing.
                            let ratio = |x: f64, y: f64| (x > 0.0).then(|| y / x);
                            ratios.push((
                                ratio(b.events as f64, a.events as f64),
                                ratio(b.requests as f64, a.requests as f64),
                            ));
                            let file = format!("{}/{}", dir.trim_end_matches('/'), k.file_name());
                            repro.push(format!("  {}: {}", info.name, k.command(&file)));
                            format!(" {} → {}, {} → {} |", b.events, a.events, b.requests, a.requests)
                        }
                        Err(e) => format!(" not shrunk: {e} |"),
                    };
                } else {
                    repro.push(format!("  {}: {}", info.name, repro_command(&c.scenario, c.seed, c.store)));
                }
                accubooks_service::planted::activate(None);
                println!(
                    "| {} | {} | yes | {} ({}) | {} | {} | {} |{shrunk}",
                    info.name,
                    info.layer,
                    c.scenario,
                    c.store,
                    c.seed,
                    c.runs,
                    first_sign(c)
                );
            }
            None => {
                escaped.push(info.name);
                println!("| {} | {} | **no** | — | — | {} | — |", info.name, info.layer, h.runs);
            }
        }
        eprintln!("  {}: {:.1} s", info.name, started.elapsed().as_secs_f64());
    }
    seeds.sort_unstable();
    runs.sort_unstable();
    if let (Some(median), Some(worst)) = (seeds.get(seeds.len() / 2), seeds.last()) {
        println!("\ncaught {} of {}; seed of detection: median {median}, worst {worst}", seeds.len(), bugs.len());
        println!("runs to detection: median {}, worst {}", runs[runs.len() / 2], runs[runs.len() - 1]);
    }
    if !ratios.is_empty() {
        let median = |v: Vec<f64>| -> String {
            let mut v = v;
            v.sort_by(f64::total_cmp);
            match v.get(v.len() / 2) {
                Some(m) => format!("{m:.3} (of {} runs that had any)", v.len()),
                None => "— (no run had any)".into(),
            }
        };
        let events = median(ratios.iter().filter_map(|r| r.0).collect());
        let requests = median(ratios.iter().filter_map(|r| r.1).collect());
        println!("shrunk {} of {}; median shrink ratio (after / before):", ratios.len(), bugs.len());
        println!("  fault events {events}\n  requests {requests}");
    }
    println!("\nreproduce:");
    for line in repro {
        println!("{line}");
    }
    if !escaped.is_empty() {
        println!("ESCAPED: {}", escaped.join(", "));
    }
    escaped.is_empty()
}
