#!/usr/bin/env bash
# Nightly: a long simulation sweep (≥ 100,000 seeds over every scenario,
# 10,000 per scenario by default, starting from a seed derived from the
# date), then three chaos stress runs of the real service, each verified
# afterwards: 3 replicas on a private Postgres cluster (Postgres restarts,
# replica SIGKILLs and cut connections under load), one service on a
# SQLite file (SIGKILLed every 2.5 s of the fault phase, restarted on the
# same file), and 3 replicas on a pg_auto_failover formation whose primary
# is SIGKILLed 10 times (ci/failover-chaos.sh); then the restore drill
# (accubooks-stress --restore-drill: online base backup + WAL archive under
# load, the cluster lost and restored to a restore point, every key retried
# and verified). Logs are kept only for failing seeds: each failure prints its
# reproduce command, and the run continues; each sweep's first failure is
# shrunk to scenarios/repro/<scenario>-<seed>.toml (its sizes and replay
# command printed). The chaos reports and plots go
# to target/nightly/. Exits non-zero if any part failed.
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
ci/sim-sweep.sh sweep --scenario all --seeds "$start..$((start + per_scenario - 1))" --jobs "$jobs" --keep-going --shrink || sweep=$?
# The embedded topology (SQLite in the service process) over the same seeds,
# a tenth as many (a seed costs a few times a memory seed).
sqlite_seeds=${NIGHTLY_SQLITE_SEEDS_PER_SCENARIO:-$((per_scenario / 10))}
ci/sim-sweep.sh sweep --scenario all --store sqlite --seeds "$start..$((start + sqlite_seeds - 1))" --jobs "$jobs" --keep-going --shrink || sweep=$?

# The chaos run needs initdb/pg_ctl (a private cluster; the system one is never touched).
ci/ensure-postgres.sh >/dev/null || true
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
cargo build --release --locked --quiet -p accubooks-service --bin accubooks -p accubooks-stress --bin accubooks-stress
mkdir -p target/nightly
stress="${CARGO_TARGET_DIR:-target}/release/accubooks-stress"
fault_s=${NIGHTLY_CHAOS_FAULT_S:-60}
chaos=0
"$stress" --chaos --pg-bin-dir "$pg_bin" \
    --concurrency "${NIGHTLY_CHAOS_CONCURRENCY:-200}" \
    --healthy-s 10 --fault-s "$fault_s" --recovery-s 20 \
    --postgres-restarts 6 --replica-kills 4 --drop-interval-ms 300 \
    --json target/nightly/chaos.json --plot target/nightly/chaos.svg --no-progress || chaos=$?
# The embedded store: one kill per 2.5 s of faults (24 in 60 s), at least one.
whole_s=${fault_s%.*}
service_kills=$(( ${whole_s:-0} * 2 / 5 ))
sqlite_chaos=0
"$stress" --chaos --store sqlite \
    --concurrency "${NIGHTLY_CHAOS_CONCURRENCY:-200}" \
    --healthy-s 10 --fault-s "$fault_s" --recovery-s 20 \
    --service-kills $(( service_kills > 0 ? service_kills : 1 )) \
    --json target/nightly/sqlite-chaos.json --plot target/nightly/sqlite-chaos.svg --no-progress || sqlite_chaos=$?
# Database failover: a pg_auto_failover formation (monitor + two nodes,
# synchronous replication), three replicas through the multi-host URL, the
# primary SIGKILLed 10 times (each waits for the old primary to rejoin).
failover=0
ci/failover-chaos.sh --concurrency "${NIGHTLY_CHAOS_CONCURRENCY:-200}" \
    --healthy-s 10 --fault-s "${NIGHTLY_FAILOVER_FAULT_S:-300}" --recovery-s 20 \
    --failovers "${NIGHTLY_FAILOVERS:-10}" \
    --json target/nightly/failover.json --plot target/nightly/failover.svg --no-progress || failover=$?
# Disaster recovery: point-in-time restore under load (docs/operations.md,
# "Restore drill").
drill=0
"$stress" --restore-drill --pg-bin-dir "$pg_bin" --concurrency "${NIGHTLY_CHAOS_CONCURRENCY:-200}" \
    --duration "${NIGHTLY_DRILL_LOAD_S:-60}" --json target/nightly/restore-drill.json --no-progress || drill=$?
echo "nightly: sim sweep exit $sweep, chaos stress exit $chaos (postgres), $sqlite_chaos (sqlite), $failover (failover)," \
    "restore drill exit $drill"
[ "$sweep" -eq 0 ] && [ "$chaos" -eq 0 ] && [ "$sqlite_chaos" -eq 0 ] && [ "$failover" -eq 0 ] && [ "$drill" -eq 0 ]
