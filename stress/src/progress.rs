//! Live progress on stderr: an indicatif bar on a terminal, a plain line
//! every few seconds otherwise (CI logs would drown in redraws).

use std::io::IsTerminal;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::driver::Progress;

const TICK: Duration = Duration::from_millis(250);
const PLAIN_EVERY: Duration = Duration::from_secs(5);

pub struct Display {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Display {
    /// Starts showing `progress` under `title`; `total` is the request bound if known.
    pub fn start(progress: Arc<Progress>, title: String, total: Option<u64>, enabled: bool) -> Self {
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            if !enabled {
                return;
            }
            let bar = std::io::stderr().is_terminal().then(|| bar(&title, total));
            let start = Instant::now();
            let mut last_plain = start;
            let mut last = (start, 0u64);
            loop {
                tokio::select! {
                    _ = stopped.changed() => break,
                    _ = tokio::time::sleep(TICK) => {}
                }
                let now = Instant::now();
                let attempts = progress.attempts.load(Ordering::Relaxed);
                let rate = (attempts - last.1) as f64 / now.duration_since(last.0).as_secs_f64().max(1e-3);
                last = (now, attempts);
                let line = format!(
                    "{:.0} attempts/s, {} answered, {} failed attempts, {} abandoned",
                    rate,
                    progress.definitive.load(Ordering::Relaxed),
                    progress.failures.load(Ordering::Relaxed),
                    progress.abandoned.load(Ordering::Relaxed),
                );
                match &bar {
                    Some(b) => {
                        b.set_position(progress.definitive.load(Ordering::Relaxed));
                        b.set_message(line);
                    }
                    None if now.duration_since(last_plain) >= PLAIN_EVERY => {
                        last_plain = now;
                        eprintln!("[{:>6.1} s] {title}: {line}", now.duration_since(start).as_secs_f64());
                    }
                    None => {}
                }
            }
            if let Some(b) = bar {
                b.finish_and_clear();
            }
        });
        Self { stop, task }
    }

    pub async fn finish(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

fn bar(title: &str, total: Option<u64>) -> ProgressBar {
    let b = match total {
        Some(n) => ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr_with_hz(4)),
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(4)),
    };
    let template = if total.is_some() {
        "{prefix} [{elapsed_precise}] {bar:30} {pos}/{len} {msg}"
    } else {
        "{prefix} [{elapsed_precise}] {pos} {msg}"
    };
    b.set_style(ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()));
    b.set_prefix(title.to_owned());
    b
}
