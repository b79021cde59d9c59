#!/usr/bin/env bash
# Benchmarks, each a ratio measured side by side in one run (release builds):
#   (a) new idempotent writes/s over HTTP on Postgres vs pgbench running the
#       same statements (ci/bench/create_invoice.sql)             target ≥ 0.5×
#   (b) replay rate vs new-write rate (same service)              target ≥ 3×
#   (c) 500-way same-key storm p99 vs a lone request's p99
#   (d) SQLite embedded new writes/s at concurrency 64            target ≥ 3,000/s
#   (e) accubooks-stress vs wrk against the same endpoint         target ≥ 0.9×
# Postgres is a private cluster in a temporary directory (never the system
# one); everything it starts is stopped on exit. Results go to stdout and
# to $BENCH_OUT (default target/bench). Knobs: BENCH_SECONDS (default 15),
# BENCH_CONCURRENCY (64), BENCH_PG_PORT (random free), BENCH_PG_BIN, BENCH_BIN_DIR
# (use the accubooks and accubooks-stress binaries there instead of building).
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${BENCH_SECONDS:-15}
conc=${BENCH_CONCURRENCY:-64}
out=${BENCH_OUT:-target/bench}
mkdir -p "$out"
out=$(cd "$out" && pwd)

need() { command -v "$1" >/dev/null; }
if ! need wrk || ! need jq || ! need curl || [ ! -x /usr/bin/time ]; then
    if [ "$(id -u)" = 0 ] && need apt-get; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk jq curl time >/dev/null
    else
        echo "bench: wrk, jq, curl and GNU time are required" >&2
        exit 1
    fi
fi
pg_bin=${BENCH_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/pgbench" ]; then
    ci/ensure-postgres.sh >/dev/null
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi

if [ -n "${BENCH_BIN_DIR:-}" ]; then
    # Binaries built elsewhere (e.g. the previous commit's), so two builds
    # can be measured side by side with the same script.
    svc=$BENCH_BIN_DIR/accubooks
    stress=$BENCH_BIN_DIR/accubooks-stress
    echo "==> binaries from $BENCH_BIN_DIR"
else
    echo "==> release build"
    cargo build --release --locked --quiet -p accubooks-service --bin accubooks -p accubooks-stress --bin accubooks-stress
    target=${CARGO_TARGET_DIR:-target}
    svc=$target/release/accubooks
    stress=$target/release/accubooks-stress
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/accubooks-bench-XXXXXX")
pids=()
as_pg=()
if [ "$(id -u)" = 0 ]; then as_pg=(runuser -u postgres --); chown postgres: "$work"; chmod 755 "$work"; fi
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

# --- the private cluster -------------------------------------------------
free_port() {
    local p
    while :; do
        p=$((20000 + RANDOM % 30000))
        # Nothing answers on it: free (for the moment it takes to start Postgres).
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
    done
}
port=${BENCH_PG_PORT:-$(free_port)}
"${as_pg[@]}" "$pg_bin/initdb" -D "$work/pg" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
cat >>"$work/pg/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$work'
max_connections = 700
CONF
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w start >/dev/null
admin="postgres://postgres@127.0.0.1:$port/postgres"
"$pg_bin/psql" -qX "$admin" -c "CREATE DATABASE bench"
pg_url="postgres://postgres@127.0.0.1:$port/bench"

# Starts `accubooks serve` on $1 (database URL); sets $addr.
start_service() {
    local log=$work/service-$RANDOM
    "$svc" serve --bind 127.0.0.1:0 --database-url "$1" >"$log.out" 2>"$log.err" &
    pids+=($!)
    for _ in $(seq 1 300); do
        addr=$(sed -n 's|^listening on http://||p' "$log.out")
        [ -n "$addr" ] && return 0
        sleep 0.1
    done
    echo "bench: the service did not start; see $log.err" >&2
    exit 1
}

# Runs accubooks-stress against $addr; $1 = report name, the rest = arguments.
run_stress() {
    local name=$1
    shift
    "$stress" --target "http://$addr" --token "$token" --no-progress --json "$out/$name.json" "$@" >"$out/$name.txt"
}
jqr() { jq -r "$2" "$out/$1.json"; }
p99() { jq -r '[.latency[] | select(.outcome == "end-to-end")] | map(.p99_ms) | max' "$out/$1.json"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

machine() {
    echo "- CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores"
    echo "- memory: $(free -g | awk '/^Mem:/ {print $2}') GiB; kernel $(uname -r)"
    echo "- PostgreSQL: $("$pg_bin/postgres" --version | awk '{print $3}') (private cluster, default settings, max_connections 700)"
    echo "- rustc: $(rustc --version | awk '{print $2}'); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
}

echo "==> (a, b, c) Postgres: service vs pgbench, replay vs new, storm vs lone"
"$svc" migrate --database-url "$pg_url" >/dev/null
tenant_out=$("$svc" tenant create bench --database-url "$pg_url" 2>/dev/null)
token=$(echo "$tenant_out" | awk '/^token:/ {print $2}')
# pgbench writes as a tenant of its own: its rows (md5 ids, not the service's
# deterministic ones) stay out of the tenant whose state the service's runs
# are verified against.
pgbench_out=$("$svc" tenant create bench-pgbench --database-url "$pg_url" 2>/dev/null)
tenant=$(echo "$pgbench_out" | awk '/^tenant:/ {print $2}')
token_hash=$(printf %s "$(echo "$pgbench_out" | awk '/^token:/ {print $2}')" | sha256sum | awk '{print $1}')
start_service "$pg_url"
pg_addr=$addr
customer=$(curl -sf -X POST "http://$addr/v1/customers" -H "Authorization: Bearer $token" \
    -H 'Idempotency-Key: bench-customer' -H 'Content-Type: application/json' -d '{"name":"Bench"}' | jq -r .id)

# The period lock's row exists once the first invoice of the month was written.
period="period:$(date -u +%Y-%m)"
"$pg_bin/psql" -qX "$pg_url" -c "INSERT INTO named_locks (tenant_id, name) VALUES ('$tenant', '$period') \
    ON CONFLICT DO NOTHING" -c "INSERT INTO customers (id, tenant_id, body, version, name) \
    SELECT md5('bench-customer-' || g)::uuid, '$tenant', '{\"name\":\"Bench\",\"object\":\"customer\"}', 1, 'Bench' \
    FROM generate_series(1, 16) AS g"
"$pg_bin/pgbench" -n -M prepared -c 32 -j 2 -T "$secs" -f ci/bench/create_invoice.sql \
    -D "tenant=$tenant" -D "token_hash=$token_hash" -D "period=$period" \
    "$pg_url" >"$out/pgbench.txt" 2>&1
pgbench_tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$out/pgbench.txt")
# The replay shape, for (b): what the database itself allows a replay.
"$pg_bin/psql" -qX "$pg_url" -c "INSERT INTO idempotency_keys (tenant_id, idempotency_key, operation, fingerprint, \
    fingerprint_version, entity_id, response_status, response_body) VALUES ('$tenant', 'pgbench-replay', \
    'create_invoice', 'f', 1, '00000000-0000-0000-0000-0000000000e1', 201, '{}')"
"$pg_bin/pgbench" -n -M prepared -c 32 -j 2 -T "$secs" -f ci/bench/replay_invoice.sql \
    -D "tenant=$tenant" -D "token_hash=$token_hash" "$pg_url" >"$out/pgbench-replay.txt" 2>&1
pgbench_replay_tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$out/pgbench-replay.txt")
run_stress a-new-postgres --database-url "$pg_url" --operation create_invoice --workload distinct \
    --concurrency "$conc" --duration "$secs"
new_pg=$(jqr a-new-postgres .throughput.created_per_s)
run_stress b-replay-postgres --database-url "$pg_url" --operation create_invoice --workload replay \
    --replay-keys 1000 --concurrency "$conc" --duration "$secs"
replay_pg=$(jqr b-replay-postgres .throughput.replayed_per_s)
run_stress c-lone-postgres --database-url "$pg_url" --operation create_invoice --workload distinct \
    --concurrency 1 --requests 500
run_stress c-storm-postgres --database-url "$pg_url" --operation create_invoice --workload storm \
    --concurrency 500 --storm-size 500 --requests 10000
lone_p99=$(p99 c-lone-postgres)
storm_p99=$(p99 c-storm-postgres)

echo "==> (d, e) SQLite: embedded new writes, accubooks-stress vs wrk"
sqlite_url="sqlite://$work/bench.db"
"$svc" migrate --database-url "$sqlite_url" >/dev/null
tenant_out=$("$svc" tenant create bench --database-url "$sqlite_url" 2>/dev/null)
token=$(echo "$tenant_out" | awk '/^token:/ {print $2}')
start_service "$sqlite_url"
svc_pid=${pids[-1]}
switches() { cat /proc/"$svc_pid"/task/*/status | awk '/ctxt_switches/ { s += $2 } END { print s }'; }
ticks() { awk '{ print $14 + $15 }' /proc/"$svc_pid"/stat; }
cs0=$(switches); t0=$(ticks)
run_stress d-new-sqlite --database-url "$sqlite_url" --operation create_invoice --workload distinct \
    --concurrency 64 --duration "$secs"
cs1=$(switches); t1=$(ticks)
new_sqlite=$(jqr d-new-sqlite .throughput.created_per_s)
writes=$(jqr d-new-sqlite .totals.created)
sqlite_cs=$(awk -v a="$cs0" -v b="$cs1" -v n="$writes" 'BEGIN { printf "%.0f", (b - a) / n }')
sqlite_cpu=$(awk -v a="$t0" -v b="$t1" -v n="$writes" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.0f", (b - a) / hz / n * 1e6 }')
customer=$(curl -sf -X POST "http://$addr/v1/customers" -H "Authorization: Bearer $token" \
    -H 'Idempotency-Key: bench-customer' -H 'Content-Type: application/json' -d '{"name":"Bench"}' | jq -r .id)
# Alternated three times, so both tools see the same neighbours; CPU
# seconds per request (GNU time) are the noise-robust half of the answer.
wrk_sum=0; stress_sum=0; wrk_cpu=0; stress_cpu=0
for round in 1 2 3; do
    /usr/bin/time -f '%U %S' -o "$out/wrk-$round.time" wrk -t 2 -c "$conc" -d "${secs}s" \
        -H "Authorization: Bearer $token" "http://$addr/v1/customers/$customer" >"$out/wrk-$round.txt"
    rps=$(sed -n 's/^Requests\/sec: *//p' "$out/wrk-$round.txt")
    n=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$out/wrk-$round.txt")
    wrk_sum=$(awk -v a="$wrk_sum" -v b="$rps" 'BEGIN { print a + b }')
    wrk_cpu=$(awk -v a="$wrk_cpu" -v n="$n" '{ print a + ($1 + $2) / n * 1e6 }' "$out/wrk-$round.time")
    /usr/bin/time -f '%U %S' -o "$out/stress-$round.time" \
        "$stress" --target "http://$addr" --token "$token" --no-progress --json "$out/e-read-sqlite-$round.json" \
        --workload read --concurrency "$conc" --duration "$secs" >"$out/e-read-sqlite-$round.txt"
    rps=$(jq -r .throughput.requests_per_s "$out/e-read-sqlite-$round.json")
    n=$(jq -r .totals.attempts "$out/e-read-sqlite-$round.json")
    stress_sum=$(awk -v a="$stress_sum" -v b="$rps" 'BEGIN { print a + b }')
    stress_cpu=$(awk -v a="$stress_cpu" -v n="$n" '{ print a + ($1 + $2) / n * 1e6 }' "$out/stress-$round.time")
done
wrk_rps=$(awk -v a="$wrk_sum" 'BEGIN { print a / 3 }')
stress_rps=$(awk -v a="$stress_sum" 'BEGIN { print a / 3 }')
wrk_us=$(awk -v a="$wrk_cpu" 'BEGIN { printf "%.1f", a / 3 }')
stress_us=$(awk -v a="$stress_cpu" 'BEGIN { printf "%.1f", a / 3 }')

{
    echo "## Results ($(date -u +%Y-%m-%dT%H:%MZ), ${secs} s per measurement)"
    echo
    machine
    echo
    echo "| | measured | ratio | target |"
    echo "|---|---|---|---|"
    printf '| (a) new writes/s, HTTP on Postgres vs pgbench tps | %.0f vs %.0f | %s× | ≥ 0.5× |\n' "$new_pg" "$pgbench_tps" "$(ratio "$new_pg" "$pgbench_tps")"
    printf '| (b) replays/s vs new writes/s (Postgres) | %.0f vs %.0f | %s× | ≥ 3× |\n' "$replay_pg" "$new_pg" "$(ratio "$replay_pg" "$new_pg")"
    printf '| (b) the same shapes in pgbench: replay tps vs new tps | %.0f vs %.0f | %s× | (the database'"'"'s own ratio) |\n' "$pgbench_replay_tps" "$pgbench_tps" "$(ratio "$pgbench_replay_tps" "$pgbench_tps")"
    printf '| (c) 500-way storm p99 vs lone request p99 (Postgres) | %.1f ms vs %.1f ms | %s× | reported |\n' "$storm_p99" "$lone_p99" "$(ratio "$storm_p99" "$lone_p99")"
    printf '| (d) SQLite new writes/s at concurrency 64 | %.0f | | ≥ 3,000/s |\n' "$new_sqlite"
    printf '| (d) service cost per SQLite write: context switches, CPU | %s, %s µs | | |\n' "$sqlite_cs" "$sqlite_cpu"
    printf '| (e) accubooks-stress vs wrk, GET /v1/customers/{id} (mean of 3 alternated runs) | %.0f vs %.0f req/s | %s× | ≥ 0.9× |\n' "$stress_rps" "$wrk_rps" "$(ratio "$stress_rps" "$wrk_rps")"
    printf '| (e) client CPU per request (user + system) | %s µs vs %s µs | | |\n' "$stress_us" "$wrk_us"
    echo
    echo "Verification of every write run: $(for f in a-new-postgres b-replay-postgres c-lone-postgres c-storm-postgres d-new-sqlite; do printf '%s duplicates=%s lost=%s; ' "$f" "$(jqr $f .duplicates)" "$(jqr $f .lost)"; done)"
} | tee "$out/results.md"
