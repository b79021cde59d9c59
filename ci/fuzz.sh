#!/usr/bin/env bash
# Runs every cargo-fuzz target (service/fuzz) for a bounded time each:
# FUZZ_SECONDS (default 60). cargo-fuzz needs nightly compiler features
# (sanitizers): it uses an installed nightly toolchain, else the stable one
# with RUSTC_BOOTSTRAP=1. Crashes are kept in service/fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")/../service"
seconds=${FUZZ_SECONDS:-60}
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    fuzz=(cargo +nightly fuzz)
else
    export RUSTC_BOOTSTRAP=1
    fuzz=(cargo fuzz)
fi
for target in $("${fuzz[@]}" list); do
    printf '\n==> fuzz %s for %ss\n' "$target" "$seconds"
    "${fuzz[@]}" run "$target" -- -max_total_time="$seconds" -rss_limit_mb=2048
done
echo "fuzz: every target ran ${seconds}s without a crash"
