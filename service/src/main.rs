//! `accubooks`: serve, migrate, manage tenants.

#[cfg(not(madsim))]
mod cli;

#[cfg(not(madsim))]
fn main() -> std::process::ExitCode {
    cli::main()
}

/// The simulation build has no SQL stores and no OS signals: the binary
/// exists only so `--all-targets` builds succeed under `--cfg madsim`.
#[cfg(madsim)]
fn main() {
    eprintln!("accubooks is not available in the simulation build; use accubooks-sim");
}
