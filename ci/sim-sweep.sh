#!/usr/bin/env bash
# Builds accubooks-sim with --cfg madsim (release, target/sim) and runs it:
#   ci/sim-sweep.sh run --scenario mixed-chaos --seed 42
#   ci/sim-sweep.sh sweep --scenario all --seeds 1..500 --jobs 2
#   ci/sim-sweep.sh check-determinism --scenario baseline --seed 7
# SIM_FEATURES=planted builds the planted-bug catalogue in (into its own
# target dir, so the normal build is not disturbed): `planted`, `--planted NAME`.
set -euo pipefail
cd "$(dirname "$0")/.."
export RUSTFLAGS="--cfg madsim ${RUSTFLAGS:-}"
target=${SIM_TARGET_DIR:-target/sim}
features=()
if [ -n "${SIM_FEATURES:-}" ]; then
    features=(--features "$SIM_FEATURES")
    target="$target-${SIM_FEATURES//,/-}"
fi
export CARGO_TARGET_DIR="$target"
cargo build --release --quiet -p accubooks-sim --bin accubooks-sim "${features[@]}"
exec "$CARGO_TARGET_DIR/release/accubooks-sim" "$@"
