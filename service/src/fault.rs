//! Fault points for the simulator at dangerous places (after a commit and
//! before its answer, inside SQLite's group commit, around a checkpoint
//! restart). With madsim's buggify on, a point sometimes stalls, so races
//! and crashes land exactly there; outside `--cfg madsim` it compiles to
//! nothing.

/// Sometimes (5 %, with buggify on) sleeps 1 to 1,500 virtual ms at `point`.
pub async fn stall(point: &'static str) {
    #[cfg(madsim)]
    if madsim::buggify::buggify_with_prob(0.05) {
        use madsim::rand::Rng;
        let ms = madsim::rand::thread_rng().gen_range(1..1500u64);
        tracing::debug!(point, ms, "buggify: stalling");
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
    #[cfg(not(madsim))]
    let _ = point;
}
