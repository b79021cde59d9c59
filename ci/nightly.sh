#!/usr/bin/env bash
# Nightly: a long simulation sweep (≥ 100,000 seeds over every scenario,
# 10,000 per scenario by default, starting from a seed derived from the
# date), then a chaos stress run of the real
# service: 3 replicas on a private Postgres cluster, Postgres restarts,
# replica SIGKILLs and cut connections under load, verified afterwards.
# Logs are kept only for failing seeds: each failure prints its reproduce
# command, and the run continues. The chaos report and plot go to
# target/nightly/. Exits non-zero if either part failed.
set -euo pipefail
cd "$(dirname "$0")/.."
per_scenario=${NIGHTLY_SEEDS_PER_SCENARIO:-10000}
# Each night explores new seeds: the first is derived from the date (UTC),
# so consecutive nights never overlap (days since the epoch × 10^7, far
# above the per-scenario range). A failing seed's printed command
# reproduces it on any day; NIGHTLY_FIRST_SEED reruns a night's range.
day=$(( $(date -u +%s) / 86400 ))
start=${NIGHTLY_FIRST_SEED:-$(( day * 10000000 ))}
echo "nightly: seeds $start..$((start + per_scenario - 1)) of every scenario (day $day; rerun with NIGHTLY_FIRST_SEED=$start)"
jobs=${NIGHTLY_JOBS:-$(nproc)}
sweep=0
ci/sim-sweep.sh sweep --scenario all --seeds "$start..$((start + per_scenario - 1))" --jobs "$jobs" --keep-going || sweep=$?
# The embedded topology (SQLite in the service process) over the same seeds,
# a tenth as many (a seed costs a few times a memory seed).
sqlite_seeds=${NIGHTLY_SQLITE_SEEDS_PER_SCENARIO:-$((per_scenario / 10))}
ci/sim-sweep.sh sweep --scenario all --store sqlite --seeds "$start..$((start + sqlite_seeds - 1))" --jobs "$jobs" --keep-going || sweep=$?

# The chaos run needs initdb/pg_ctl (a private cluster; the system one is never touched).
ci/ensure-postgres.sh >/dev/null || true
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
cargo build --release --locked --quiet -p accubooks-service --bin accubooks -p accubooks-stress --bin accubooks-stress
mkdir -p target/nightly
chaos=0
"${CARGO_TARGET_DIR:-target}/release/accubooks-stress" --chaos --pg-bin-dir "$pg_bin" \
    --concurrency "${NIGHTLY_CHAOS_CONCURRENCY:-200}" \
    --healthy-s 10 --fault-s "${NIGHTLY_CHAOS_FAULT_S:-60}" --recovery-s 20 \
    --postgres-restarts 6 --replica-kills 4 --drop-interval-ms 300 \
    --json target/nightly/chaos.json --plot target/nightly/chaos.svg --no-progress || chaos=$?
echo "nightly: sim sweep exit $sweep, chaos stress exit $chaos"
[ "$sweep" -eq 0 ] && [ "$chaos" -eq 0 ]
