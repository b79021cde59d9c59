//! `accubooks-stress`: see `--help` and the README's "Stress and benchmarks".

#[cfg(not(madsim))]
mod cli;
#[cfg(not(madsim))]
mod env;
#[cfg(not(madsim))]
mod run;

#[cfg(not(madsim))]
fn main() -> std::process::ExitCode {
    use clap::Parser;
    let args = cli::Args::parse();
    let threads = args.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(threads.max(1)).enable_all().build() {
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
