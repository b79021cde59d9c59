//! `accubooks-stress`: see `--help` and the README's "Stress and benchmarks".

#[cfg(not(madsim))]
mod cli;
#[cfg(not(madsim))]
mod env;
#[cfg(not(madsim))]
mod restore_drill;
#[cfg(not(madsim))]
mod run;

#[cfg(not(madsim))]
fn main() -> std::process::ExitCode {
    use clap::Parser;
    let args = cli::Args::parse();
    // The load runs on its own threads (driver::run_phase); this runtime
    // only orchestrates: set-up, progress, faults, verification.
    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let code = match rt.block_on(run::run(args)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            1
        }
    };
    // Connection tasks may still be parked on sockets: do not wait for them.
    rt.shutdown_timeout(std::time::Duration::from_secs(1));
    std::process::ExitCode::from(code)
}

/// The tool drives real processes and sockets; the simulation build has
/// only this stub, so `--all-targets` builds succeed under `--cfg madsim`.
#[cfg(madsim)]
fn main() {
    eprintln!("accubooks-stress is not available in the simulation build");
}
