#!/usr/bin/env bash
# An outside fuzzer against the real binary: schemathesis reads the served
# /openapi.json and fuzzes every operation, as a client that only knows the
# document would, on a temporary SQLite file and on a fresh Postgres database.
#
# - Every check is on (ci/schemathesis/schemathesis.toml says where one is
#   not, and why), except the generic positive_data_acceptance, which also
#   fails business-rule 422s and missing-reference 404s; the hook
#   ci/schemathesis/hooks.py replaces it with a check that fails only when a
#   schema-valid request is refused for its shape (invalid_body, invalid_json,
#   validation_failed, a key the schema admits but the parser refuses).
# - The same hook gives every call a fresh Idempotency-Key unless the case
#   tests the header itself, so writes execute instead of colliding, and
#   points three in four references of a schema-valid case at records the run
#   created (a fresh value where one must be unique), so most schema-valid
#   writes execute instead of stopping at a 404 or a uniqueness rule.
# - The examples, coverage, fuzzing and stateful phases all run, with a fixed
#   seed (printed) and one worker, so a run repeats exactly.
# - After the fuzzing, a planted case: one key sent twice with different
#   bodies must answer 201 then 422 idempotency_key_mismatch, and an identical
#   retry 200 with Idempotent-Replayed: true and the first body.
# - Prints each store's status histogram and every distinct check failure;
#   exits non-zero on any failure.
#
# Environment: SCHEMATHESIS_SEED (default 20260115), SCHEMATHESIS_MAX_EXAMPLES
# (per operation and phase, default 100), SCHEMATHESIS_MIN_CASES (default
# 1000), SCHEMATHESIS_MIN_EXECUTED_SHARE (the share of schema-valid writes
# that must execute, default 0.5), SCHEMATHESIS_STORES (default "sqlite postgres"),
# SCHEMATHESIS_STORE_TIMEOUT (seconds per store, default 360). Reports and
# server logs stay in target/schemathesis/<store>/ for inspection.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

seed=${SCHEMATHESIS_SEED:-20260115}
max_examples=${SCHEMATHESIS_MAX_EXAMPLES:-100}
min_cases=${SCHEMATHESIS_MIN_CASES:-1000}
min_executed_share=${SCHEMATHESIS_MIN_EXECUTED_SHARE:-0.5}
stores=${SCHEMATHESIS_STORES:-"sqlite postgres"}
store_timeout=${SCHEMATHESIS_STORE_TIMEOUT:-360}
pg_host=${PGHOST:-127.0.0.1}
pg_port=${PGPORT:-5432}
pg_user=${PGUSER:-postgres}

target_dir=${CARGO_TARGET_DIR:-target}
case "$target_dir" in /*) ;; *) target_dir="$repo/$target_dir" ;; esac
venv="$target_dir/schemathesis-venv"
out_root="$target_dir/schemathesis"
requirements="$repo/ci/schemathesis/requirements.txt"
hooks="$repo/ci/schemathesis/hooks.py"
config="$repo/ci/schemathesis/schemathesis.toml"
report="$repo/ci/schemathesis/report.py"
bin="$target_dir/debug/accubooks"

say() { printf '\n==> schemathesis: %s\n' "$*"; }

# --- cleanup: every process and database this script started ---------------
server_pid=""
pg_database=""
scratch=$(mktemp -d)
stop_server() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=""
    fi
}
drop_pg_database() {
    if [ -n "$pg_database" ]; then
        psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -d postgres -qc \
            "DROP DATABASE IF EXISTS \"$pg_database\" WITH (FORCE)" >/dev/null 2>&1 || true
        pg_database=""
    fi
}
cleanup() {
    stop_server
    drop_pg_database
    rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the pinned schemathesis, in a venv reused while requirements.txt is unchanged
stamp="$venv/.requirements.sha256"
want=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ ! -x "$venv/bin/schemathesis" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "installing $(grep -E '^schemathesis==' "$requirements") into $venv"
    python3 -m venv --clear "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$requirements"
    echo "$want" >"$stamp"
fi
st_version=$("$venv/bin/schemathesis" --version)
# The binary is built from the work tree: say which tree the findings are about.
revision="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git status --porcelain --untracked-files=no -- service 2>/dev/null)" ]; then
    revision="$revision with uncommitted changes under service/"
fi

say "building the service (debug)"
cargo build --locked --quiet -p accubooks-service --bin accubooks

# --- one store: start the service, fuzz it, plant the replay case ------------
base_url=""
token=""
start_service() { # database-url, output dir
    local url=$1 dir=$2
    "$bin" migrate --database-url "$url" >"$dir/migrate.log" 2>&1
    token=$("$bin" tenant create schemathesis --database-url "$url" 2>>"$dir/tenant.log" | awk '/^token:/ {print $2}')
    if [ -z "$token" ]; then
        echo "no token from 'accubooks tenant create' (see $dir/tenant.log)" >&2
        return 1
    fi
    # Port 0: the kernel picks a free port and the service prints it.
    "$bin" serve --database-url "$url" --bind 127.0.0.1:0 >"$dir/serve.stdout" 2>"$dir/serve.stderr" &
    server_pid=$!
    base_url=""
    for _ in $(seq 1 300); do
        base_url=$(sed -nE 's/.*listening on (http:\/\/[^[:space:]]+).*/\1/p' "$dir/serve.stdout" | head -1)
        [ -n "$base_url" ] && break
        if ! kill -0 "$server_pid" 2>/dev/null; then
            echo "the service exited before listening (see $dir/serve.stderr)" >&2
            return 1
        fi
        sleep 0.1
    done
    if [ -z "$base_url" ]; then
        echo "the service did not print its address within 30 s" >&2
        return 1
    fi
    echo "service on $base_url (pid $server_pid)"
}

# A problem+json body's `code`, or nothing.
problem_code() {
    "$venv/bin/python" -c 'import json,sys
try:
    body = json.load(open(sys.argv[1], "rb"))
    print(body.get("code", "") if isinstance(body, dict) else "")
except ValueError:
    print("")' "$1"
}

planted_case() { # store
    local key="planted-replay-$1-$seed" dir="$scratch/planted-$1"
    mkdir -p "$dir"
    local ok=0 status code replayed
    post() { # body, name
        curl -sS -o "$dir/$2.body" -D "$dir/$2.headers" -w '%{http_code}' -X POST "$base_url/v1/customers" \
            -H "Authorization: Bearer $token" -H "Idempotency-Key: $key" \
            -H 'Content-Type: application/json' --data-binary "$1"
    }
    status=$(post '{"name":"Planted Replay Customer"}' first)
    if [ "$status" = 201 ]; then echo "  first request: 201"; else echo "  FAIL first request: $status, expected 201"; ok=1; fi

    status=$(post '{"name":"Planted Other Customer"}' mismatch)
    code=$(problem_code "$dir/mismatch.body")
    if [ "$status" = 422 ] && [ "$code" = idempotency_key_mismatch ]; then
        echo "  same key, other body: 422 idempotency_key_mismatch"
    else
        echo "  FAIL same key, other body: $status ${code:-(no code)}, expected 422 idempotency_key_mismatch"
        ok=1
    fi

    status=$(post '{"name":"Planted Replay Customer"}' retry)
    replayed=$(tr -d '\r' <"$dir/retry.headers" | awk -F': *' 'tolower($1) == "idempotent-replayed" {print $2}')
    if [ "$status" = 200 ] && [ "$replayed" = true ] && cmp -s "$dir/first.body" "$dir/retry.body"; then
        echo "  identical retry: 200, Idempotent-Replayed: true, the first body byte for byte"
    else
        echo "  FAIL identical retry: $status, Idempotent-Replayed: '${replayed}', body same as the first: $(cmp -s "$dir/first.body" "$dir/retry.body" && echo yes || echo no)"
        ok=1
    fi
    return $ok
}

summary=()
failed=0
run_store() { # store, database-url
    local store=$1 url=$2 dir="$out_root/$1"
    rm -rf "$dir"
    mkdir -p "$dir"
    start_service "$url" "$dir"

    say "$store: $st_version, seed $seed, --max-examples $max_examples, at least $min_cases cases"
    local started=$SECONDS st_rc=0
    (
        cd "$dir"
        # One worker and a fixed hash seed: the same requests in the same order every run.
        SCHEMATHESIS_HOOKS="$hooks" ACCUBOOKS_SCHEMATHESIS_KEY_PREFIX="st-$store" PYTHONHASHSEED=0 \
            timeout --signal=INT --kill-after=30 "$store_timeout" \
            "$venv/bin/schemathesis" --config-file "$config" run "$base_url/openapi.json" \
            --header "Authorization: Bearer $token" \
            --exclude-checks positive_data_acceptance \
            --phases examples,coverage,fuzzing,stateful \
            --max-examples "$max_examples" --seed "$seed" --workers 1 \
            --generation-database none --continue-on-failure \
            --request-timeout 30 --no-color \
            --report ndjson --report-ndjson-path "$dir/events.ndjson"
    ) || st_rc=$?
    local elapsed=$((SECONDS - started))
    if [ "$st_rc" = 124 ] || [ "$st_rc" = 137 ]; then
        echo "schemathesis ran past ${store_timeout}s on $store and was stopped" >&2
    fi

    local report_rc=0
    if [ -s "$dir/events.ndjson" ]; then
        "$venv/bin/python" "$report" "$dir/events.ndjson" "$store" "$min_cases" "$min_executed_share" || report_rc=$?
    else
        echo "no event stream from schemathesis on $store" >&2
        report_rc=1
    fi

    say "$store: planted replay/mismatch case"
    local planted_rc=0
    planted_case "$store" || planted_rc=$?

    stop_server
    local verdict=ok
    if [ "$st_rc" != 0 ] || [ "$report_rc" != 0 ] || [ "$planted_rc" != 0 ]; then
        verdict=FAILED
        failed=1
    fi
    summary+=("$store: $verdict (schemathesis exit $st_rc, case count and executed share check exit $report_rc, planted case exit $planted_rc, ${elapsed}s; events in ${dir#"$repo"/}/events.ndjson)")
}

for store in $stores; do
    case "$store" in
    sqlite)
        mkdir -p "$scratch/sqlite"
        run_store sqlite "sqlite://$scratch/sqlite/accubooks.db"
        ;;
    postgres)
        if ! ci/ensure-postgres.sh; then
            if [ "${CI:-}" = "true" ]; then
                echo "CI=true and PostgreSQL is unavailable: failing" >&2
                exit 1
            fi
            echo "warning: PostgreSQL unavailable; the Postgres store is skipped (not allowed with CI=true)" >&2
            summary+=("postgres: SKIPPED (unreachable)")
            continue
        fi
        pg_database="accubooks_schemathesis_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
        psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -d postgres -v ON_ERROR_STOP=1 -qc \
            "CREATE DATABASE \"$pg_database\""
        run_store postgres "postgres://$pg_user@$pg_host:$pg_port/$pg_database"
        drop_pg_database
        ;;
    *)
        echo "unknown store '$store' (sqlite, postgres)" >&2
        exit 2
        ;;
    esac
done

say "summary ($st_version, service at $revision, seed $seed; rerun with SCHEMATHESIS_SEED=$seed ci/schemathesis.sh)"
printf '  %s\n' "${summary[@]}"
exit "$failed"
