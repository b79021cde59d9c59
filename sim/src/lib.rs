//! Deterministic simulation harness for the AccuBooks service.
//!
//! Built with `RUSTFLAGS="--cfg madsim"` (see `ci/sim-test.sh`), the service
//! crate's real Router, engine and accept loop run on simulated nodes over
//! madsim's simulated TCP. The pieces here compile in both builds.

pub mod client;
