#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432: starts the
# cluster if it is down and, when running as root on Debian, installs the
# `postgresql` package if it is missing. Exits non-zero if none answers.
set -euo pipefail

PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}

ready() { pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null; }

if command -v pg_isready >/dev/null && ready; then
    exit 0
fi

if ! command -v pg_ctlcluster >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "ensure-postgres: installing Debian's postgresql package" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    else
        echo "ensure-postgres: PostgreSQL is not installed and this script cannot install it (not root or no apt-get)" >&2
        exit 1
    fi
fi

version=$(ls /etc/postgresql | sort -V | tail -1)
echo "ensure-postgres: starting cluster $version/main" >&2
pg_ctlcluster --skip-systemctl-redirect "$version" main start || true

for _ in $(seq 1 30); do
    if ready; then
        # Trust auth for local TCP is what the tests expect (a fresh Debian
        # install uses it for the postgres user over the socket only).
        exit 0
    fi
    sleep 1
done
echo "ensure-postgres: PostgreSQL did not become ready on $PGHOST:$PGPORT" >&2
exit 1
