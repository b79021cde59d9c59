//! Shrinking a failing run to a small file that still fails the same way.
//!
//! The run is pinned as data (`scenario::pinned`), first with its drawn
//! workload (it replays exactly as the seed did), then with the workload
//! as a list of requests if that still fails. Then, while the same
//! property (the first violation's) keeps failing: fault events and
//! requests are dropped by delta debugging, and single simplifications are
//! tried in a fixed order — a request's followers and duplicate delivery,
//! the network's and the database's rates, buggify, clock skew, clients,
//! tenants, operations and service nodes nobody needs, shorter holds and a
//! shorter fault phase, everything earlier. Candidates are run several at
//! a time, but the first in the fixed order wins and runs are counted as if
//! one at a time, so a shrink is deterministic: the same input, the same
//! file.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::runner::{run_seed, SeedOutcome};
use crate::scenario::{FaultEvent, Pinned, Scenario, StoreKind};
use crate::world::RunResult;

/// Bounds of a shrink.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Runs at most (counted in the fixed order).
    pub max_runs: usize,
    /// Threads running candidates.
    pub jobs: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self { max_runs: 2000, jobs: 2 }
    }
}

/// How big a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub events: usize,
    pub clients: u32,
    /// Logical requests the clients sent.
    pub requests: u64,
    pub virtual_ms: u64,
}

impl Size {
    fn of(p: &Pinned, r: &RunResult) -> Self {
        Self {
            events: p.events.len(),
            clients: p.run.clients,
            requests: r.report.stats.requests,
            virtual_ms: r.virtual_ms,
        }
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} fault events, {} clients, {} requests, {} simulated ms",
            self.events, self.clients, self.requests, self.virtual_ms
        )
    }
}

/// A shrink's result: the pinned scenario and what it took.
pub struct Shrunk {
    pub scenario: Scenario,
    pub seed: u64,
    pub property: String,
    pub before: Size,
    pub after: Size,
    /// Runs made (the failing seed's included).
    pub runs: usize,
    /// Whether the workload is pinned request by request (else drawn from the seed).
    pub requests_pinned: bool,
    /// The smallest run's result.
    pub result: Box<RunResult>,
}

impl Shrunk {
    /// Where the file goes: `scenarios/repro/<scenario>-<seed>[-<bug>].toml`.
    pub fn file_name(&self) -> String {
        let bug = self.scenario.pinned.as_ref().and_then(|p| p.planted.as_deref());
        match bug {
            Some(b) => format!("{}-{}-{b}.toml", self.scenario.name, self.seed),
            None => format!("{}-{}.toml", self.scenario.name, self.seed),
        }
    }

    /// The command that replays `path`.
    pub fn command(&self, path: &str) -> String {
        let features = if self.scenario.pinned.as_ref().is_some_and(|p| p.planted.is_some()) {
            "SIM_FEATURES=planted "
        } else {
            ""
        };
        format!("{features}ci/sim-sweep.sh run --scenario {path}")
    }

    /// The file: a header saying what it is, then the scenario.
    pub fn file_text(&self, path: &str) -> String {
        let p = self.scenario.pinned.as_ref().expect("a shrunk scenario is pinned");
        let store = p.run.store;
        let bug = p.planted.as_deref().map(|b| format!(" with the planted bug {b}")).unwrap_or_default();
        format!(
            "# Shrunk from scenario {} seed {} ({store}){bug}: it still fails {}.\n\
             # before: {}\n# after:  {} ({} runs)\n# replay: {}\n{}",
            self.scenario.name,
            self.seed,
            self.property,
            self.before,
            self.after,
            self.runs,
            self.command(path),
            self.scenario.to_toml()
        )
    }
}

/// The run `r` of `seed` as data: its knobs, fault events and client
/// policies (its workload still drawn), and the planted bug that is active.
pub fn pin(seed: u64, r: &RunResult) -> Pinned {
    Pinned {
        seed,
        planted: accubooks_service::planted::active().map(|b| b.name().to_owned()),
        violation: None,
        policies: r.policies.clone(),
        run: r.scenario.clone(),
        events: r.schedule.clone(),
        requests: None,
    }
}

/// Shrinks the failing run of `base` at `seed` on `store` (with the
/// planted bug that is active, if any).
pub fn shrink(base: &Scenario, seed: u64, store: StoreKind, opts: Options) -> Result<Shrunk, String> {
    let first = match run_seed(base, seed, store) {
        SeedOutcome::Finished(r) if !r.passed() => r,
        SeedOutcome::Finished(_) => {
            return Err(format!("{} seed {seed} ({store}) passes: nothing to shrink", base.name))
        }
        SeedOutcome::Panicked(p) => {
            return Err(format!("{} seed {seed} ({store}) panicked ({p}): a panic is not shrunk", base.name))
        }
    };
    let property = first.report.violations[0].property().to_owned();
    let mut pinned = pin(seed, &first);
    pinned.violation = Some(property.clone());
    let mut s = Shrinker { base: base.clone(), seed, property, opts, runs: 1, cur: pinned, best: first };
    let before = Size::of(&s.cur, &s.best);
    if !s.attempt(vec![s.cur.clone()]) {
        return Err(format!(
            "{} seed {seed} ({store}) pinned as data no longer fails {}: the harness is not deterministic here",
            base.name, s.property
        ));
    }
    // The workload as data, if it still fails that way.
    if !s.cur.run.same_key {
        let mut c = s.cur.clone();
        c.requests = Some(s.best.workload.clone());
        s.attempt(vec![c]);
    }
    while s.runs < s.opts.max_runs {
        let mut changed = s.ddmin(|p| p.events.clone(), |p, e| p.events = e);
        if s.cur.requests.is_some() {
            changed |= s.ddmin(|p| p.requests.clone().unwrap_or_default(), |p, r| p.requests = Some(r));
        }
        while s.runs < s.opts.max_runs {
            let candidates = simplifications(&s.cur);
            if !s.attempt(candidates) {
                break;
            }
            changed = true;
        }
        if !changed {
            break;
        }
    }
    let after = Size::of(&s.cur, &s.best);
    let requests_pinned = s.cur.requests.is_some();
    let scenario = s.scenario(&s.cur);
    Ok(Shrunk { scenario, seed, property: s.property, before, after, runs: s.runs, requests_pinned, result: s.best })
}

struct Shrinker {
    base: Scenario,
    seed: u64,
    property: String,
    opts: Options,
    runs: usize,
    cur: Pinned,
    best: Box<RunResult>,
}

impl Shrinker {
    /// The scenario file for `p`: the base with the run pinned. Its
    /// `[expect]` claims are about the whole scenario; a shrunk run keeps
    /// them only when a broken claim is what it shows.
    fn scenario(&self, p: &Pinned) -> Scenario {
        let mut s = self.base.clone();
        if self.property != "scenario_claim_broken" {
            s.expect = Default::default();
        }
        s.swarm.clear();
        s.pinned = Some(p.clone());
        s
    }

    fn fails(&self, p: &Pinned) -> Option<Box<RunResult>> {
        let s = self.scenario(p);
        // An invalid candidate (a simplification that breaks a rule) is no candidate.
        s.validate().ok()?;
        match run_seed(&s, self.seed, p.run.store) {
            SeedOutcome::Finished(r) if r.report.violations.iter().any(|v| v.property() == self.property) => Some(r),
            _ => None,
        }
    }

    /// Runs `candidates` in order (several at a time) and takes the first
    /// that still fails. Runs are counted as if one at a time.
    fn attempt(&mut self, candidates: Vec<Pinned>) -> bool {
        self.first_failing(candidates).is_some()
    }

    /// `attempt`, answering which candidate it took.
    fn first_failing(&mut self, mut candidates: Vec<Pinned>) -> Option<usize> {
        let room = self.opts.max_runs.saturating_sub(self.runs);
        candidates.truncate(room);
        if candidates.is_empty() {
            return None;
        }
        let next = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let found: Mutex<Vec<(usize, Box<RunResult>)>> = Mutex::new(Vec::new());
        std::thread::scope(|scope| {
            for _ in 0..self.opts.jobs.max(1) {
                scope.spawn(|| loop {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(c) = candidates.get(i) else { return };
                    if let Some(r) = self.fails(c) {
                        found.lock().unwrap_or_else(|p| p.into_inner()).push((i, r));
                        stop.store(true, Ordering::Relaxed);
                    }
                });
            }
        });
        let mut found = found.into_inner().unwrap_or_else(|p| p.into_inner());
        found.sort_by_key(|(i, _)| *i);
        match found.into_iter().next() {
            Some((i, r)) => {
                self.runs += i + 1;
                self.cur = candidates.swap_remove(i);
                self.best = r;
                Some(i)
            }
            None => {
                self.runs += candidates.len();
                None
            }
        }
    }

    /// Delta debugging over one list of the pinned run: the empty list,
    /// then each of n chunks alone, then all but each chunk, doubling n
    /// when nothing smaller fails.
    fn ddmin<T: Clone>(&mut self, get: fn(&Pinned) -> Vec<T>, set: fn(&mut Pinned, Vec<T>)) -> bool {
        let with = |cur: &Pinned, items: Vec<T>| {
            let mut c = cur.clone();
            set(&mut c, items);
            c
        };
        let items = get(&self.cur);
        if items.is_empty() {
            return false;
        }
        if self.attempt(vec![with(&self.cur, Vec::new())]) {
            return true;
        }
        let mut changed = false;
        let mut n = 2usize;
        loop {
            let items = get(&self.cur);
            if items.len() < 2 || self.runs >= self.opts.max_runs {
                return changed;
            }
            n = n.min(items.len());
            let size = items.len().div_ceil(n);
            let chunks: Vec<&[T]> = items.chunks(size).collect();
            let mut candidates = Vec::new();
            if chunks.len() > 2 {
                candidates.extend(chunks.iter().map(|c| with(&self.cur, c.to_vec())));
            }
            let subsets = candidates.len();
            for skip in 0..chunks.len() {
                let rest: Vec<T> = chunks
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != skip)
                    .flat_map(|(_, c)| c.iter().cloned())
                    .collect();
                candidates.push(with(&self.cur, rest));
            }
            if let Some(i) = self.first_failing(candidates) {
                changed = true;
                // A chunk alone restarts at 2 chunks, a complement keeps n - 1.
                n = if i < subsets { 2 } else { (n - 1).max(2) };
            } else if n >= items.len() {
                return changed;
            } else {
                n = (2 * n).min(items.len());
            }
        }
    }
}

/// Single simplifications of `p`, in the order they are tried.
fn simplifications(p: &Pinned) -> Vec<Pinned> {
    let mut out = Vec::new();
    let mut edit = |f: &dyn Fn(&mut Pinned)| {
        let mut c = p.clone();
        f(&mut c);
        if c != *p {
            out.push(c);
        }
    };
    // What the requests send beyond themselves.
    for i in 0..p.requests.as_ref().map_or(0, Vec::len) {
        edit(&|c| c.requests.as_mut().expect("pinned")[i].dependent = None);
        edit(&|c| c.requests.as_mut().expect("pinned")[i].twin = None);
        edit(&|c| c.requests.as_mut().expect("pinned")[i].mismatch = None);
        edit(&|c| c.requests.as_mut().expect("pinned")[i].reuse_after_ms = None);
        edit(&|c| c.requests.as_mut().expect("pinned")[i].duplicate = false);
    }
    // The environment's rates.
    edit(&|c| c.run.buggify = false);
    edit(&|c| c.run.packet_loss = 0.0);
    edit(&|c| c.run.latency_ms = [1, 10]);
    edit(&|c| c.run.ambiguous_commit = 0.0);
    edit(&|c| c.run.slow_db = 0.0);
    edit(&|c| c.run.receiver_error_rate = 0.0);
    edit(&|c| c.run.clock_offsets_ms.iter_mut().for_each(|o| *o = 0));
    edit(&|c| c.run.one_way_partitions = false);
    match &p.requests {
        Some(reqs) => {
            // Only the clients, tenants and operations the requests use.
            edit(&|c| drop_idle_clients(c));
            edit(&|c| compact_clients(c));
            edit(&|c| compact_tenants(c));
            let used: Vec<&str> = reqs.iter().map(|r| r.op.as_str()).collect();
            let racing = reqs.iter().any(|r| r.dependent.is_some());
            edit(&|c| {
                for (op, w) in &mut c.run.mix {
                    let needed =
                        used.contains(&op.as_str()) || (racing && (op == "create_invoice" || op == "record_payment"));
                    if !needed {
                        *w = 0;
                    }
                }
            });
            // The ratios only drive a drawn workload.
            edit(&|c| {
                let r = &mut c.run;
                (r.key_reuse_ratio, r.mismatch_ratio, r.duplicate_delivery_ratio) = (0.0, 0.0, 0.0);
                (r.twin_tenant_ratio, r.dependent_ratio) = (0.0, 0.0);
            });
        }
        None => {
            edit(&|c| c.run.duplicate_delivery_ratio = 0.0);
            edit(&|c| c.run.key_reuse_ratio = 0.0);
            edit(&|c| c.run.mismatch_ratio = 0.0);
            edit(&|c| c.run.twin_tenant_ratio = 0.0);
            edit(&|c| c.run.dependent_ratio = 0.0);
            for clients in [1, p.run.clients / 4, p.run.clients / 2, p.run.clients.saturating_sub(1)] {
                if (1..p.run.clients).contains(&clients) {
                    edit(&|c| set_clients(c, clients));
                }
            }
            for rpc in [1, p.run.requests_per_client / 2, p.run.requests_per_client.saturating_sub(1)] {
                if (1..p.run.requests_per_client).contains(&rpc) {
                    edit(&|c| c.run.requests_per_client = rpc);
                }
            }
            if p.run.tenants > 1 {
                edit(&|c| c.run.tenants -= 1);
            }
            for i in 0..p.run.mix.len() {
                edit(&|c| {
                    if c.run.mix.iter().filter(|(_, w)| *w > 0).count() > 1 {
                        c.run.mix[i].1 = 0;
                    }
                });
            }
        }
    }
    // Fewer service nodes (the events on the last one go with it).
    if p.run.service_nodes > 1 {
        edit(&|c| {
            let n = c.run.service_nodes - 1;
            c.run.service_nodes = n;
            c.run.clock_offsets_ms.truncate(n as usize);
            c.events.retain(|e| !e.kind.targets_service() || e.node < n);
        });
    }
    // Shorter: holds halved, the phase ending when the last fault heals,
    // everything twice as early.
    edit(&|c| c.events.iter_mut().for_each(|e| e.hold_ms /= 2));
    for i in 0..p.events.len() {
        edit(&|c| c.events[i].hold_ms /= 2);
    }
    edit(&|c| {
        let end = c.events.iter().map(|e| e.at_ms + e.hold_ms).max().unwrap_or(0) + 1;
        c.run.fault_phase_ms = c.run.fault_phase_ms.min(end);
    });
    edit(&|c| {
        c.run.fault_phase_ms = (c.run.fault_phase_ms / 2).max(1);
        c.events.iter_mut().for_each(|e: &mut FaultEvent| (e.at_ms, e.hold_ms) = (e.at_ms / 2, e.hold_ms / 2));
        c.requests.iter_mut().flatten().for_each(|r| r.at_ms /= 2);
    });
    edit(&|c| {
        let first = c.requests.iter().flatten().map(|r| r.at_ms).min().unwrap_or(0);
        c.requests.iter_mut().flatten().for_each(|r| r.at_ms -= first);
    });
    out
}

/// The clients after the last that sends a request dropped (the others
/// keep their numbers, nodes and home nodes).
fn drop_idle_clients(c: &mut Pinned) {
    let Some(reqs) = c.requests.as_ref() else { return };
    let n = reqs.iter().map(|r| r.client + 1).max().unwrap_or(1);
    set_clients(c, n.min(c.run.clients));
}

/// Clients renumbered to those that send requests (in order).
fn compact_clients(c: &mut Pinned) {
    let Some(reqs) = c.requests.as_mut() else { return };
    let mut used: Vec<u32> = reqs.iter().map(|r| r.client).collect();
    used.sort_unstable();
    used.dedup();
    if used.is_empty() {
        set_clients(c, 1);
        return;
    }
    for r in reqs.iter_mut() {
        r.client = used.binary_search(&r.client).expect("a used client") as u32;
    }
    c.policies = used.iter().map(|u| c.policies[*u as usize]).collect();
    c.run.clients = used.len() as u32;
    c.run.client_nodes = c.run.client_nodes.min(c.run.clients);
}

/// Tenants renumbered to those the requests name (in order).
fn compact_tenants(c: &mut Pinned) {
    let Some(reqs) = c.requests.as_mut() else { return };
    let mut used: Vec<u32> = reqs.iter().flat_map(|r| [Some(r.tenant), r.twin.map(|t| t.tenant)]).flatten().collect();
    used.sort_unstable();
    used.dedup();
    if used.is_empty() {
        return;
    }
    let at = |t: u32| used.binary_search(&t).expect("a used tenant") as u32;
    for r in reqs.iter_mut() {
        r.tenant = at(r.tenant);
        if let Some(t) = r.twin.as_mut() {
            t.tenant = at(t.tenant);
        }
    }
    c.run.tenants = used.len() as u32;
}

/// A drawn workload with fewer clients (their policies with them).
fn set_clients(c: &mut Pinned, n: u32) {
    c.run.clients = n;
    c.run.client_nodes = c.run.client_nodes.min(n);
    c.policies.truncate(n as usize);
}
