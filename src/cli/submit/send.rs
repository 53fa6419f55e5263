//! Sending a journal's pending batches with bounded concurrency. Each acknowledgement is
//! journaled before the next batch is started in its place; Ctrl-C stops new batches, lets the
//! in-flight ones finish and leaves the journal ready for `--resume`.
//!
//! Progress goes to stderr: a bar on a terminal; otherwise (a script's log) one line per 10%,
//! so a long unattended run shows it is moving without flooding the log.

use super::journal::Journal;
use crate::m3ter::{Client, Error};
use futures::stream::{FuturesUnordered, StreamExt};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// What a run did, printed as the summary.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    /// Measurements in the whole journal.
    pub measurements: usize,
    pub batches: usize,
    /// Accepted by earlier runs of this journal (resume).
    pub previously_accepted: usize,
    /// Measurements sent in this run.
    pub sent: usize,
    pub batches_sent: usize,
    pub accepted: usize,
    pub rejected: usize,
    /// Batches not sent because the run stopped early.
    pub unsent_batches: usize,
    pub elapsed_secs: f64,
    pub rate_per_sec: f64,
    #[serde(skip)]
    pub interrupted: bool,
    /// The connection/auth error that stopped the run.
    #[serde(skip)]
    pub fatal: Option<Error>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rejections: Vec<String>,
}

/// `quiet`: no bar and no progress lines (the summary and errors still print).
pub async fn send(
    client: &Client,
    journal: &mut Journal,
    concurrency: usize,
    quiet: bool,
) -> anyhow::Result<Summary> {
    let pending = journal.pending();
    let mut s = Summary {
        measurements: journal.header.measurements,
        batches: journal.batches.len(),
        previously_accepted: journal
            .accepted
            .iter()
            .map(|&i| journal.batches[i].count)
            .sum(),
        ..Default::default()
    };
    let to_send: usize = pending.iter().map(|&i| journal.batches[i].count).sum();
    let terminal = std::io::stderr().is_terminal();
    let bar = progress(to_send as u64, terminal && !quiet);
    let started = Instant::now();
    let mut lines = (!terminal && !quiet && pending.len() > 1).then_some(Lines {
        total: to_send,
        batches: pending.len(),
        shown: 0,
    });
    let mut next = 0;
    let mut stopping = false;
    let mut in_flight = FuturesUnordered::new();
    let mut ctrl_c = std::pin::pin!(tokio::signal::ctrl_c());
    loop {
        while !stopping && in_flight.len() < concurrency.max(1) && next < pending.len() {
            let n = pending[next];
            next += 1;
            let client = client.clone();
            let body = journal.body(n)?;
            in_flight.push(async move { (n, client.submit_raw(body).await) });
        }
        if in_flight.is_empty() {
            break;
        }
        tokio::select! {
            r = &mut ctrl_c => {
                r?;
                if s.interrupted {
                    // A second Ctrl-C: leave now. The journal is consistent; batches still in
                    // flight are unacknowledged and will be resent (same uids) on resume.
                    let p = journal.path.display();
                    bar.suspend(|| eprintln!("interrupted again: exiting now; finish with `m3ter-console submit --resume --journal {p}`"));
                    std::process::exit(130);
                }
                ctrl_c.set(tokio::signal::ctrl_c());
                s.interrupted = true;
                stopping = true;
                bar.suspend(|| eprintln!("interrupted: waiting for {} batch(es) in flight…", in_flight.len()));
            }
            Some((n, result)) = in_flight.next() => {
                let count = journal.batches[n].count;
                s.batches_sent += 1;
                s.sent += count;
                match result {
                    Ok(_) => {
                        journal.accept(n)?;
                        s.accepted += count;
                    }
                    Err(e) if crate::cli::exit::is_fatal(e.kind()) => {
                        // Cannot reach or authenticate: every further batch would fail the same way.
                        s.batches_sent -= 1;
                        s.sent -= count;
                        stopping = true;
                        s.fatal.get_or_insert(e);
                    }
                    Err(e) => {
                        journal.reject(n, e.status(), &e.to_string())?;
                        s.rejected += count;
                        if s.rejections.len() < 20 {
                            s.rejections.push(format!("batch {n}: {e}"));
                        }
                    }
                }
                bar.inc(count as u64);
                if let Some(l) = lines.as_mut() {
                    l.update(&s, started.elapsed());
                }
            }
        }
    }
    bar.finish_and_clear();
    s.unsent_batches = pending.len() - s.batches_sent;
    let elapsed = started.elapsed();
    s.elapsed_secs = (elapsed.as_secs_f64() * 1000.0).round() / 1000.0;
    s.rate_per_sec = if elapsed > Duration::ZERO {
        (s.accepted as f64 / elapsed.as_secs_f64()).round()
    } else {
        0.0
    };
    Ok(s)
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
fn progress(total: u64, visible: bool) -> ProgressBar {
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

/// `38,059/s`: whole measurements per second with thousands separators (indicatif's
/// `{per_sec}` prints `38,058.6305/s`).
fn rate(per_sec: f64) -> String {
    let n = if per_sec.is_finite() && per_sec > 0.0 {
        per_sec.round() as u64
    } else {
        0
    };
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(d);
    }
    out + "/s"
}

impl Summary {
    pub fn human(&self) -> String {
        let mut s = format!(
            "sent {} measurements in {} batch(es): {} accepted, {} rejected\n",
            self.sent, self.batches_sent, self.accepted, self.rejected
        );
        if self.previously_accepted > 0 {
            s.push_str(&format!(
                "{} measurements were accepted by an earlier run\n",
                self.previously_accepted
            ));
        }
        s.push_str(&format!(
            "elapsed {:.2} s, {} measurements/s\n",
            self.elapsed_secs, self.rate_per_sec
        ));
        for r in &self.rejections {
            s.push_str(&format!("rejected {r}\n"));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_whole_and_grouped() {
        assert_eq!(rate(38_058.630_5), "38,059/s");
        assert_eq!(rate(999.4), "999/s");
        assert_eq!(rate(1_234_567.0), "1,234,567/s");
        assert_eq!(rate(f64::NAN), "0/s");
    }
}
