//! accubooks-stress: load, latency and verification against a live
//! AccuBooks service, on SQLite or Postgres, with real faults on demand.
//!
//! The pieces: the simulation's shared workload (`accubooks_sim::workload`)
//! builds each operation's requests and reference data, `workload` maps
//! slots to keys and payloads, `driver` runs the workers (closed or open
//! model) over keep-alive `http` connections and records every attempt in
//! the simulation's history format, `verify` runs the simulation's checker
//! over that history and the database, `report`/`plot`/`thresholds` turn
//! the numbers into a table, a JSON file, an SVG and an exit code, and
//! `chaos` injects real faults (Postgres replicas and restarts, or one
//! service on a SQLite file killed and restarted). The binary (`main.rs`, `cli.rs`, `run.rs`)
//! wires them together.
//!
//! The tool drives real processes and sockets, so it has no simulation
//! build: under `--cfg madsim` this library is empty.
#![cfg(not(madsim))]

pub mod chaos;
pub mod drill;
pub mod driver;
pub mod http;
pub mod plot;
pub mod progress;
pub mod receiver;
pub mod report;
pub mod rng;
pub mod setup;
pub mod spawn;
pub mod stats;
pub mod thresholds;
pub mod verify;
pub mod workload;
