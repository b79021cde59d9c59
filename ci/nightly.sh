#!/usr/bin/env bash
# Nightly: a long simulation sweep (≥ 100,000 seeds over every scenario,
# 10,000 per scenario by default). Logs are kept only for failing seeds:
# each failure prints its reproduce command, and the run continues.
set -euo pipefail
cd "$(dirname "$0")/.."
per_scenario=${NIGHTLY_SEEDS_PER_SCENARIO:-10000}
start=${NIGHTLY_FIRST_SEED:-1000000}
jobs=${NIGHTLY_JOBS:-$(nproc)}
ci/sim-sweep.sh sweep --scenario all --seeds "$start..$((start + per_scenario - 1))" --jobs "$jobs" --keep-going
