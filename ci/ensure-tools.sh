#!/usr/bin/env bash
# Installs the Debian packages the tests need when they are missing and the
# script runs as root: prometheus (server + promtool). Exits non-zero if a
# tool is still missing afterwards.
set -euo pipefail
missing=()
command -v promtool >/dev/null && command -v prometheus >/dev/null || missing+=(prometheus)
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
command -v promtool >/dev/null && command -v prometheus >/dev/null
