//! `submit --file`'s progress on stderr, fed by [`crate::m3ter::bulk::send`]'s callback: a bar
//! on a terminal; otherwise (a script's log) one line per 10%, so a long unattended run shows
//! it is moving without flooding the log. Ctrl-C asks the loop to stop (in-flight batches
//! finish and are journaled); a second Ctrl-C exits at once.

use crate::m3ter::bulk::send::{rate, Progress, Summary};
use crate::m3ter::bulk::Cancel;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

/// The display of one run.
pub struct Display {
    bar: ProgressBar,
    lines: Option<Lines>,
}

impl Display {
    /// For `to_send` measurements in `batches` batches; `quiet`: neither bar nor lines.
    pub fn new(to_send: usize, batches: usize, quiet: bool) -> Display {
        let terminal = std::io::stderr().is_terminal();
        Display {
            bar: bar(to_send as u64, terminal && !quiet),
            lines: (!terminal && !quiet && batches > 1).then_some(Lines {
                total: to_send,
                batches,
                shown: 0,
            }),
        }
    }

    pub fn update(&mut self, p: Progress<'_>) {
        match p {
            Progress::Answered { summary, .. } => {
                self.bar.set_position(summary.sent as u64);
                if let Some(l) = self.lines.as_mut() {
                    l.update(summary, Duration::from_secs_f64(summary.elapsed_secs));
                }
            }
            Progress::Stopping { in_flight } => self
                .bar
                .suspend(|| eprintln!("interrupted: waiting for {in_flight} batch(es) in flight…")),
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    /// Ctrl-C cancels `cancel`; a second one exits now (the journal is consistent; batches still
    /// in flight are unacknowledged and will be resent, same uids, on resume).
    pub fn on_ctrl_c(&self, cancel: Cancel, journal: &Path) -> tokio::task::JoinHandle<()> {
        let bar = self.bar.clone();
        let p = journal.display().to_string();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_err() {
                return;
            }
            cancel.cancel();
            if tokio::signal::ctrl_c().await.is_err() {
                return;
            }
            bar.suspend(|| eprintln!("interrupted again: exiting now; finish with `m3ter-console submit --resume --journal {p}`"));
            std::process::exit(130);
        })
    }
}

/// One stderr line each time another tenth of the measurements has been answered.
struct Lines {
    total: usize,
    batches: usize,
    /// Tenths already reported.
    shown: usize,
}

impl Lines {
    fn update(&mut self, s: &Summary, elapsed: Duration) {
        let tenths = (s.sent * 10).checked_div(self.total).unwrap_or(10);
        if tenths <= self.shown {
            return;
        }
        self.shown = tenths;
        eprintln!(
            "progress: {}% ({}/{} measurements, {}/{} batches, {} rejected) after {:.1} s",
            s.sent * 100 / self.total.max(1),
            s.sent,
            self.total,
            s.batches_sent,
            self.batches,
            s.rejected,
            elapsed.as_secs_f64()
        );
    }
}

/// A bar on stderr when it is a terminal; hidden otherwise (logs get [`Lines`] instead).
fn bar(total: u64, visible: bool) -> ProgressBar {
    if !visible {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} measurements  {rate}  eta {eta}")
            .map(|s| {
                s.with_key(
                    "rate",
                    |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{}", rate(state.per_sec()));
                    },
                )
            })
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}
