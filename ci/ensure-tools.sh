#!/usr/bin/env bash
# Installs the Debian packages the tests need when they are missing and the
# script runs as root: prometheus (server + promtool),
# prometheus-alertmanager (amtool, and the server, which Debian names
# prometheus-alertmanager) and postgresql-15-auto-failover (pg_autoctl, for
# the failover chaos run's private formation: ci/pg-formation.sh). Exits non-zero, naming what is missing, if a
# tool is still missing afterwards.
set -euo pipefail
# package: the commands it provides (a|b: either name will do; upstream's
# tarball calls the server alertmanager)
packages=(
    "prometheus: prometheus promtool"
    "prometheus-alertmanager: prometheus-alertmanager|alertmanager amtool"
    "postgresql-15-auto-failover: pg_autoctl"
)
has_one_of() {
    local name
    for name in ${1//|/ }; do
        command -v "$name" >/dev/null && return 0
    done
    return 1
}
missing_packages() {
    local entry cmd
    for entry in "${packages[@]}"; do
        for cmd in ${entry#*:}; do
            if ! has_one_of "$cmd"; then
                echo "${entry%%:*}"
                break
            fi
        done
    done
}
mapfile -t missing < <(missing_packages)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "ensure-tools: installing ${missing[*]}" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "ensure-tools: missing ${missing[*]} and cannot install (not root or no apt-get)" >&2
        exit 1
    fi
fi
mapfile -t missing < <(missing_packages)
if [ ${#missing[@]} -gt 0 ]; then
    echo "ensure-tools: still missing after installing: ${missing[*]}" >&2
    exit 1
fi
