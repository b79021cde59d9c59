#!/usr/bin/env bash
# Builds the simulation (service + harness under --cfg madsim, in its own
# target dir) and runs its seeded tests. Extra arguments go to cargo test.
#   MADSIM_TEST_SEED=<n> ci/sim-test.sh      rerun one seed
#   MADSIM_TEST_NUM=<k>  ci/sim-test.sh      run seeds seed..seed+k-1
set -euo pipefail
cd "$(dirname "$0")/.."
export RUSTFLAGS="--cfg madsim ${RUSTFLAGS:-}"
export CARGO_TARGET_DIR=${SIM_TARGET_DIR:-target/sim}
# Every seed gets a wall-clock bound, so a retry storm fails instead of eating the machine.
export MADSIM_TEST_TIME_LIMIT=${MADSIM_TEST_TIME_LIMIT:-120}
exec cargo test -p accubooks-sim "$@" -- --nocapture
