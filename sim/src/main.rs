//! `accubooks-sim`: run, sweep and determinism-check simulation seeds.
//! Build it with `ci/sim-sweep.sh`, which sets `--cfg madsim`.

#[cfg(madsim)]
mod cli;

#[cfg(madsim)]
fn main() -> std::process::ExitCode {
    cli::main()
}

#[cfg(not(madsim))]
fn main() -> std::process::ExitCode {
    eprintln!("accubooks-sim must be built with RUSTFLAGS=\"--cfg madsim\": use ci/sim-sweep.sh");
    std::process::ExitCode::FAILURE
}
