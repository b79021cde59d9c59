#!/usr/bin/env bash
# The failover chaos run: a private pg_auto_failover formation (monitor + two
# data nodes, ci/pg-formation.sh, in a temporary directory, stopped by the
# trap whatever happens), service replicas on it through the multi-host URL,
# load on every operation, and the primary's postmaster SIGKILLed
# --failovers times (each waits until the old primary has rejoined). The
# stress tool's checker verifies the run; its report gives each failover's
# window of refused writes.
#
#   ci/failover-chaos.sh [--async] [accubooks-stress flags…]
#
# --async turns synchronous replication off first (no standby in the
# replication quorum): the same schedule, to measure what that loses.
# Before the load, the replicas' /readyz is quoted (it warns when the
# primary has no synchronous standby). STRESS_BIN names the stress binary
# (default: the release build); FORMATION_PORT_BASE the monitor's port;
# FORMATION_KEEP=1 leaves the formation running afterwards, for a look.
set -euo pipefail
cd "$(dirname "$0")/.."
sync=on
if [ "${1:-}" = --async ]; then
    sync=off
    shift
fi
ci/ensure-tools.sh >/dev/null
target=${CARGO_TARGET_DIR:-target}
stress=${STRESS_BIN:-$target/release/accubooks-stress}
service=$(dirname "$stress")/accubooks

dir=$(mktemp -d /tmp/accubooks-formation.XXXXXX)
cleanup() {
    local rc=$?
    if [ $rc -ne 0 ] && [ -d "$dir" ]; then
        # The formation's logs are evidence: kept beside it.
        mkdir -p "$dir.logs"
        cp "$dir"/*.log "$dir.logs/" 2>/dev/null || true
        echo "failover-chaos: formation logs kept in $dir.logs" >&2
    fi
    if [ "${FORMATION_KEEP:-}" = 1 ]; then
        echo "failover-chaos: FORMATION_KEEP=1: the formation runs on in $dir (ci/pg-formation.sh stop $dir)" >&2
        return
    fi
    ci/pg-formation.sh stop "$dir"
}
trap cleanup EXIT
t0=$SECONDS
url=$(ci/pg-formation.sh start "$dir" "${FORMATION_PORT_BASE:-}")
ci/pg-formation.sh sync "$dir" "$sync"
echo "failover-chaos: formation up in $((SECONDS - t0)) s, synchronous replication $sync:"
ci/pg-formation.sh status "$dir" | sed 's/^/  /'

# What a service on this formation says of it, at start and on /readyz.
log="$dir/readyz-check.log"
"$service" serve --bind 127.0.0.1:0 --database-url "$url" >"$log" 2>&1 &
pid=$!
ready=""
for _ in $(seq 1 100); do
    port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$log" | head -1 | sed 's/.*://' || true)
    if [ -n "$port" ] && ready=$(python3 -c 'import sys, urllib.request
print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "http://127.0.0.1:$port/readyz" 2>/dev/null); then
        break
    fi
    sleep 0.1
done
kill "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
echo "failover-chaos: the service's replication check at start:"
grep -i 'replication:' "$log" | sed 's/^/  /' || echo "  (none logged)"
echo "failover-chaos: GET /readyz:"
echo "${ready:-(no answer)}" | sed 's/^/  /'
if [ -z "$ready" ]; then
    echo "failover-chaos: the service did not become ready on the formation; its log:" >&2
    tail -20 "$log" >&2
    exit 1
fi

"$stress" --chaos --store failover --formation "$dir" "$@"
