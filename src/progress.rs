//! The progress line of long runs: files done and findings so far, drawn on
//! standard error only once a run has taken a second (short runs and pipes
//! never see it; the CLI enables it for terminals outside CI only).

use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a run goes before the line appears.
const SHOW_AFTER: Duration = Duration::from_secs(1);

pub struct Progress {
    bar: ProgressBar,
    findings: Arc<AtomicUsize>,
    done: Option<mpsc::Sender<()>>,
    shower: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    pub fn start(total: usize) -> Progress {
        let findings = Arc::new(AtomicUsize::new(0));
        let counted = findings.clone();
        let style = ProgressStyle::with_template("{pos}/{len} files, {findings} findings so far")
            .expect("the template is valid")
            .with_key(
                "findings",
                move |_: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{}", counted.load(Relaxed));
                },
            );
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden())
            .with_style(style);
        let (done, wait) = mpsc::channel::<()>();
        let shown = bar.clone();
        let shower = std::thread::spawn(move || {
            // Finished (or dropped) within a second: never drawn.
            if let Err(mpsc::RecvTimeoutError::Timeout) = wait.recv_timeout(SHOW_AFTER) {
                shown.set_draw_target(ProgressDrawTarget::stderr());
                shown.enable_steady_tick(Duration::from_millis(100));
            }
        });
        Progress {
            bar,
            findings,
            done: Some(done),
            shower: Some(shower),
        }
    }

    /// One file finished with `findings` diagnostics.
    pub fn file_done(&self, findings: usize) {
        self.findings.fetch_add(findings, Relaxed);
        self.bar.inc(1);
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        drop(self.done.take());
        if let Some(t) = self.shower.take() {
            let _ = t.join();
        }
        self.bar.finish_and_clear();
    }
}
