#!/usr/bin/env bash
# The test command: formatting, lints (normal and simulation builds), every
# test on the in-memory store, SQLite and Postgres, then the simulation.
# With CI=true an unreachable Postgres fails the run (never a skip).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "postgres"
if ! ci/ensure-postgres.sh; then
    if [ "${CI:-}" = "true" ]; then
        echo "CI=true and PostgreSQL is unavailable: failing" >&2
        exit 1
    fi
    echo "warning: PostgreSQL unavailable; its tests will be skipped (not allowed with CI=true)" >&2
fi

step "tools (prometheus, promtool, alertmanager, amtool, pg_autoctl)"
if ! ci/ensure-tools.sh; then
    if [ "${CI:-}" = "true" ]; then
        echo "CI=true and prometheus/promtool/alertmanager/amtool are unavailable: failing" >&2
        exit 1
    fi
    echo "warning: prometheus, alertmanager or pg_autoctl unavailable; their tests will be skipped (not allowed with CI=true)" >&2
fi

step "layout: no module cycles in accubooks-service, the codemap names every source file"
python3 ci/check-layout.py

step "cargo fmt --check"
cargo fmt --all -- --check

step "clippy (normal build)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "clippy (simulation build, target/sim)"
RUSTFLAGS="--cfg madsim" CARGO_TARGET_DIR=target/sim cargo clippy --workspace --all-targets --locked -- -D warnings

step "prometheus rules, config and alert unit tests (promtool)"
if command -v promtool >/dev/null; then
    promtool check rules deploy/prometheus/rules.yml
    promtool check config deploy/prometheus/prometheus.yml
    promtool test rules deploy/prometheus/tests.yml
elif [ "${CI:-}" = "true" ]; then
    exit 1
fi

step "alertmanager config (amtool)"
if command -v amtool >/dev/null; then
    amtool check-config deploy/alertmanager/alertmanager.yml
elif [ "${CI:-}" = "true" ]; then
    echo "CI=true and amtool is not installed" >&2
    exit 1
fi

step "deployment manifests, dashboard, alert runbooks and routing"
python3 ci/check-deploy.py

step "tests (memory, SQLite, Postgres, live Prometheus)"
# Each Postgres test creates its own database; drop those earlier runs left.
if command -v psql >/dev/null && pg_isready -q -h 127.0.0.1 2>/dev/null; then
    psql -h 127.0.0.1 -U postgres -d postgres -Atc \
        "SELECT datname FROM pg_database WHERE datname LIKE 'accubooks_test_%'" 2>/dev/null |
        while read -r db; do psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS \"$db\"" || true; done
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace --locked 2>&1 | tee "$log"
pg_ran=$(grep -cE '^test [a-z0-9_:]*postgres[a-z0-9_:]* \.\.\. ok$' "$log" || true)
pg_skipped=$(grep -c 'SKIPPED: Postgres unreachable' "$log" || true)
echo "postgres tests executed: $pg_ran (skipped: $pg_skipped)"
if [ "${CI:-}" = "true" ] && { [ "$pg_ran" -eq 0 ] || [ "$pg_skipped" -ne 0 ]; }; then
    echo "CI=true requires the Postgres tests to run" >&2
    exit 1
fi

step "simulation (madsim)"
# A fixed seed range: the same seeds every run, so a failure reproduces.
MADSIM_TEST_SEED=${MADSIM_TEST_SEED:-1} MADSIM_TEST_NUM=${MADSIM_TEST_NUM:-20} ci/sim-test.sh --locked

step "simulation sweep: every scenario over its ci_seeds (release, target/sim)"
ci/sim-sweep.sh sweep --scenario all --ci --jobs 2 --require-reach

step "simulation sweep, embedded topology: the SQLite store in the service process, seeds 1..${SIM_SQLITE_SEEDS:-60} of each scenario it runs"
ci/sim-sweep.sh sweep --scenario all --store sqlite --seeds "1..${SIM_SQLITE_SEEDS:-60}" --jobs 2 --require-reach

step "simulation determinism: every scenario, seed run twice, same trace hash (both stores)"
for scenario in $(ci/sim-sweep.sh list | awk '{print $1}'); do
    ci/sim-sweep.sh check-determinism --scenario "$scenario" --seed 7
done
for scenario in $(ci/sim-sweep.sh list | awk '/stores=[a-z,]*sqlite/ {print $1}'); do
    ci/sim-sweep.sh check-determinism --scenario "$scenario" --seed 7 --store sqlite
done

step "simulation self-test: the planted-bug catalogue — every bug caught within the CI seed range (docs/harness-power.md)"
# One extra build (target/sim-planted) holds every planted bug; each is
# switched on at run time and hunted seed by seed over every scenario.
SIM_FEATURES=planted ci/sim-sweep.sh planted --jobs 2
# The self-tests that say more than "caught": the printed seed reproduces
# the same violations and trace; the SQLite group-commit bug is invisible
# to the memory sweep; the broken engine shows as duplicates.
RUSTFLAGS="--cfg madsim" CARGO_TARGET_DIR=target/sim-planted \
    cargo test --release --locked -p accubooks-sim --features planted --test planted -- --nocapture

step "OpenAPI document: the served /openapi.json is valid OpenAPI 3.1"
# The api test fetches the document from a running app and writes it here.
python3 -m pip install --quiet --disable-pip-version-check openapi-spec-validator==0.7.2
openapi_doc="$(pwd)/target/openapi.json"
ACCUBOOKS_OPENAPI_OUT="$openapi_doc" cargo test --locked -p accubooks-service --test api \
    openapi::openapi_documents_exactly_the_mounted_routes -- --exact
python3 -m openapi_spec_validator --schema 3.1 "$openapi_doc"

step "cargo deny: licenses, bans (duplicate versions warn), sources"
command -v cargo-deny >/dev/null || cargo install --locked cargo-deny
cargo deny --locked check licenses bans sources

step "stress smoke: accubooks-stress --spawn on SQLite, verified (a few seconds)"
# The real binaries, a temporary SQLite file, every registered operation; the
# tool exits non-zero on any duplicate, lost write or abandoned request.
cargo build --locked --quiet -p accubooks-service --bin accubooks -p accubooks-stress --bin accubooks-stress
stress_bin=${CARGO_TARGET_DIR:-target}/debug/accubooks-stress
"$stress_bin" --spawn --operation all --workload mixed --concurrency 32 --duration 0.5 --seed 1 --no-progress
"$stress_bin" --spawn --operation all --workload storm --concurrency 20 --storm-size 20 --requests 40 --seed 1 --no-progress

step "failover smoke: one Postgres primary failover under load, verified (about two minutes)"
# A private pg_auto_failover formation (ci/pg-formation.sh, temporary
# directory, its own ports, stopped by the script's trap), two service
# replicas on it through the multi-host URL, every operation, the primary
# SIGKILLed once; the stress tool's checker must find nothing lost or doubled.
STRESS_BIN="$stress_bin" ci/failover-chaos.sh --replicas 2 --concurrency 48 --healthy-s 3 --fault-s 30 \
    --recovery-s 5 --failovers 1 --seed 1 --no-progress

step "restore drill smoke: a point-in-time restore under load, every key retried and verified (about a minute)"
# A private archiving Postgres cluster, two replicas, an online base backup
# and a restore point during 8 s of load, the cluster lost and restored to
# that point; keys before it must replay byte-identically, keys after it
# execute again exactly once, deliveries deduplicated by workflow id.
"$stress_bin" --restore-drill --replicas 2 --concurrency 32 --duration 8 --seed 1 --no-progress

step "alert delivery: Prometheus → Alertmanager → receivers, firing and resolved (about a minute)"
# A real key collision and a real write lock on the SQLite file of a live
# service; the binary is the one built for the stress smoke above.
python3 ci/alert-delivery.py --bin "${CARGO_TARGET_DIR:-target}/debug/accubooks"

step "schemathesis: the served OpenAPI document fuzzed on SQLite and Postgres, zero check failures"
ci/schemathesis.sh

step "all green"
