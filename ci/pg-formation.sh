#!/usr/bin/env bash
# A private pg_auto_failover formation on this machine: a monitor and two
# data nodes (primary + secondary, synchronous replication, the formation's
# default for two nodes), each in a directory under DIR, on ports of their
# own (never the system server's 5432), run as the postgres user.
#
#   ci/pg-formation.sh start DIR [PORT_BASE]  monitor on PORT_BASE (default: the first of
#                                             5433, 5436, … with three free ports),
#                                             nodes on PORT_BASE+1 and +2; waits
#                                             for primary + secondary; prints the
#                                             service's multi-host URL
#   ci/pg-formation.sh url DIR                the multi-host URL again
#   ci/pg-formation.sh status DIR             each node: name, port, reported state
#   ci/pg-formation.sh primary DIR            the primary's port (none: exit 1)
#   ci/pg-formation.sh kill-primary DIR       SIGKILL the primary's postmaster and keeper; prints
#                                             the node's name
#   ci/pg-formation.sh restart DIR NODE       start a killed node's keeper again (it rejoins)
#   ci/pg-formation.sh wait-stable DIR [S]    until a primary and a secondary again (S s, default 120)
#   ci/pg-formation.sh sync DIR on|off        synchronous replication on (the standbys in the
#                                             replication quorum) or off (none in it)
#   ci/pg-formation.sh stop DIR               stop every process and delete DIR
#
# Callers stop it in a trap (ci/failover-chaos.sh), so a failed run leaves
# nothing running. Needs pg_autoctl (ci/ensure-tools.sh installs Debian's
# postgresql-15-auto-failover).
set -euo pipefail

cmd=${1:?usage: ci/pg-formation.sh start|url|status|primary|kill-primary|wait-stable|sync|stop DIR ...}
dir=${2:?usage: ci/pg-formation.sh $cmd DIR}
pg_bin=${PG_BIN_DIR:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
db=accubooks
# How long each wait may take at most.
start_wait_s=180
# Connections each data node accepts at most.
max_connections=${FORMATION_MAX_CONNECTIONS:-400}

# Commands of the formation run as postgres (Postgres refuses root), with
# pg_autoctl's state under DIR rather than in the user's home.
pg_env=(env "PATH=$pg_bin:/usr/bin:/bin" "XDG_CONFIG_HOME=$dir/config" "XDG_DATA_HOME=$dir/share"
    "PG_CONFIG=$pg_bin/pg_config")
if [ "$(id -u)" = 0 ]; then
    pg_env=(runuser -u postgres -- "${pg_env[@]}")
fi
as_pg() { "${pg_env[@]}" "$@"; }

port_base() { cat "$dir/port-base"; }
monitor_url() { echo "postgres://autoctl_node@127.0.0.1:$(port_base)/pg_auto_failover?sslmode=disable"; }

# name port state, one line per data node, from the monitor.
states() {
    psql -X -qAt -F ' ' "postgres://postgres@127.0.0.1:$(port_base)/pg_auto_failover?sslmode=disable" \
        -c "SELECT nodename, nodeport, reportedstate, goalstate FROM pgautofailover.node ORDER BY nodeid"
}

# The node that takes writes: primary, or wait_primary while it has no
# secondary (after a failover, until the old primary has rejoined).
primary_port() {
    states | awk '$3 == $4 && ($3 == "primary" || $3 == "wait_primary" || $3 == "single") { print $2; found = 1 }
        END { exit !found }'
}

# Fails at once when a pg_autoctl process of the formation has died.
alive() {
    local name
    for name in "$@"; do
        if ! kill -0 "$(cat "$dir/$name.pid")" 2>/dev/null; then
            echo "pg-formation: pg_autoctl of $name exited; its log:" >&2
            tail -20 "$dir/$name.log" >&2
            return 1
        fi
    done
}

wait_stable() {
    local deadline=$((SECONDS + $1))
    while [ $SECONDS -lt $deadline ]; do
        alive monitor node1 node2
        if states 2>/dev/null | awk '$3 == $4 { n[$3]++ } END { exit !(n["primary"] == 1 && n["secondary"] == 1) }'; then
            return 0
        fi
        sleep 0.5
    done
    echo "pg-formation: no primary + secondary after $1 s:" >&2
    states >&2 || true
    return 1
}

url() {
    local b
    b=$(port_base)
    echo "postgres://postgres@127.0.0.1:$((b + 1)),127.0.0.1:$((b + 2))/$db?target_session_attrs=read-write&sslmode=disable"
}

run_node() { # name, then pg_autoctl create arguments
    local name=$1
    shift
    # A process group of its own, so stop reaches pg_autoctl and its Postgres.
    setsid "${pg_env[@]}" pg_autoctl create "$@" --pgdata "$dir/$name" --hostname 127.0.0.1 --auth trust --no-ssl \
        --pgctl "$pg_bin/pg_ctl" --run >"$dir/$name.log" 2>&1 &
    echo $! >"$dir/$name.pid"
}

case $cmd in
start)
    base=${3:-}
    if [ -z "$base" ]; then
        for base in $(seq 5433 3 5530); do
            taken=0
            for p in $base $((base + 1)) $((base + 2)); do
                if (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then taken=1; fi
            done
            [ $taken = 0 ] && break
        done
    fi
    if [ "$base" -le 5432 ] && [ "$((base + 2))" -ge 5432 ]; then
        echo "pg-formation: ports $base..$((base + 2)) include the system server's 5432" >&2
        exit 2
    fi
    mkdir -p "$dir"
    echo "$base" >"$dir/port-base"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    run_node monitor monitor --pgport "$base"
    for _ in $(seq 1 $start_wait_s); do
        alive monitor
        # The monitor's database exists once its extension is installed.
        psql -X -qAt "postgres://postgres@127.0.0.1:$base/pg_auto_failover?sslmode=disable" \
            -c "SELECT 1 FROM pg_extension WHERE extname = 'pgautofailover'" 2>/dev/null | grep -q 1 && break
        sleep 1
    done
    # Health checks every second, a node unhealthy after 5 s without one,
    # and a primary that cannot be told to step down considered demoted
    # after 5 s (defaults: 5 s, 20 s, 30 s): a dead primary is failed over
    # in seconds. The demote timeout is what keeps a partitioned primary
    # from serving beside the new one; with synchronous replication it can
    # commit nothing meanwhile (its standby follows the new primary).
    psql -X -q "postgres://postgres@127.0.0.1:$base/pg_auto_failover?sslmode=disable" \
        -c "ALTER SYSTEM SET pgautofailover.health_check_period = 1000" \
        -c "ALTER SYSTEM SET pgautofailover.health_check_timeout = 1000" \
        -c "ALTER SYSTEM SET pgautofailover.health_check_retry_delay = 500" \
        -c "ALTER SYSTEM SET pgautofailover.node_considered_unhealthy_timeout = 5000" \
        -c "ALTER SYSTEM SET pgautofailover.primary_demote_timeout = 5000" \
        -c "SELECT pg_reload_conf()" >/dev/null
    # The first node becomes the primary ("single" until a second joins);
    # the second is cloned from it, settings included. Its cluster is made
    # here for room: three service replicas hold about 110 connections, and
    # a rejoining node's pg_rewind needs one more (the default is 100).
    as_pg "$pg_bin/initdb" -D "$dir/node1" -U postgres --auth=trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1
    echo "max_connections = $max_connections" | as_pg tee -a "$dir/node1/postgresql.conf" >/dev/null
    run_node node1 postgres --pgport $((base + 1)) --name node1 --dbname "$db" --monitor "$(monitor_url)"
    deadline=$((SECONDS + start_wait_s))
    until states 2>/dev/null | grep -q " single single$" || [ $SECONDS -ge $deadline ]; do
        alive monitor node1
        sleep 0.5
    done
    # The clone's base backup starts with a checkpoint, spread over most of
    # checkpoint_timeout by default: make it quick.
    psql -X -q "postgres://postgres@127.0.0.1:$((base + 1))/postgres?sslmode=disable" \
        -c "ALTER SYSTEM SET checkpoint_completion_target = 0.05" -c "SELECT pg_reload_conf()" >/dev/null
    run_node node2 postgres --pgport $((base + 2)) --name node2 --dbname "$db" --monitor "$(monitor_url)"
    wait_stable $start_wait_s
    url
    ;;
url) url ;;
status) states ;;
primary) primary_port ;;
kill-primary)
    # The node dies as a machine would: its postmaster and its keeper
    # (pg_autoctl, which would otherwise restart Postgres at once, often
    # before the monitor notices) SIGKILLed together. `restart` brings the
    # node back; it rejoins as secondary.
    port=$(primary_port)
    for node in node1 node2; do
        # postmaster.pid: pid on line 1, port on line 4.
        if [ "$(sed -n 4p "$dir/$node/postmaster.pid" 2>/dev/null)" = "$port" ]; then
            pid=$(head -1 "$dir/$node/postmaster.pid")
            kill -KILL "$pid" -- "-$(cat "$dir/$node.pid")" 2>/dev/null || true
            echo "$node"
            exit 0
        fi
    done
    echo "pg-formation: no data directory serves port $port" >&2
    exit 1
    ;;
restart)
    node=${3:?usage: ci/pg-formation.sh restart DIR node1|node2}
    if kill -0 "$(cat "$dir/$node.pid")" 2>/dev/null; then
        echo "pg-formation: $node is running" >&2
        exit 1
    fi
    setsid "${pg_env[@]}" pg_autoctl run --pgdata "$dir/$node" >>"$dir/$node.log" 2>&1 &
    echo $! >"$dir/$node.pid"
    ;;
wait-stable) wait_stable "${3:-120}" ;;
sync)
    # With two nodes pg_auto_failover keeps number-sync-standbys at 0; a
    # standby in the replication quorum makes the primary wait for it
    # (synchronous_standby_names 'ANY 1 (…)'), none makes it asynchronous.
    case ${3:?on|off} in
    on) quorum=true ;;
    off) quorum=false ;;
    *) echo "pg-formation: sync on|off" >&2; exit 2 ;;
    esac
    for node in node1 node2; do
        as_pg pg_autoctl set node replication-quorum "$quorum" --pgdata "$dir/$node" >>"$dir/sync.log" 2>&1
        wait_stable 60
    done
    ;;
stop)
    [ -d "$dir" ] || exit 0
    for name in node2 node1 monitor; do
        if [ -f "$dir/$name.pid" ]; then
            pid=$(cat "$dir/$name.pid")
            # pg_autoctl stops its Postgres when it stops.
            kill -TERM -- "-$pid" 2>/dev/null || true
        fi
    done
    for name in node2 node1 monitor; do
        [ -f "$dir/$name.pid" ] || continue
        pid=$(cat "$dir/$name.pid")
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL -- "-$pid" 2>/dev/null || true
        if [ -f "$dir/$name/postmaster.pid" ]; then
            as_pg "$pg_bin/pg_ctl" -D "$dir/$name" -m immediate stop >/dev/null 2>&1 || true
        fi
    done
    rm -rf "$dir"
    ;;
*)
    echo "pg-formation: unknown command $cmd" >&2
    exit 2
    ;;
esac
