//! Deterministic simulation harness for the AccuBooks service.
//!
//! Built with `RUSTFLAGS="--cfg madsim"` (`ci/sim-sweep.sh`, `ci/sim-test.sh`),
//! the service crate's real Router, engine and accept loop run on simulated
//! nodes over madsim's simulated TCP, beside a simulated database node.
//! `history`, `checker`, `scenario`, `workload`, `client` and `db` compile in
//! both builds (the stress tool reuses the checker and the workload against
//! real runs); `world`, `runner` and `planted` exist only in the simulation
//! build.

pub mod checker;
pub mod client;
pub mod coverage;
pub mod db;
pub mod explain;
pub mod history;
pub mod oracle;
pub mod scenario;
mod violation;
pub mod workload;

#[cfg(madsim)]
mod faults;
#[cfg(madsim)]
pub mod planted;
#[cfg(madsim)]
mod receiver;
#[cfg(madsim)]
pub mod runner;
#[cfg(madsim)]
pub mod shrink;
#[cfg(madsim)]
pub mod world;
