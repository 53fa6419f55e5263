//! Sending a journal's pending batches with bounded concurrency. Each acknowledgement is
//! journaled before the next batch is started in its place. A [`Cancel`] stops new batches and
//! lets the in-flight ones finish, so the journal is left consistent and resumable (a batch
//! answered after the cancel is still recorded). Progress goes to a callback after every
//! answer; the front end draws it (a bar, log lines, a gauge).

use super::journal::Journal;
use super::Result;
use crate::m3ter::{Client, Error, ErrorKind};
use futures::stream::{FuturesUnordered, StreamExt};
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

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
    /// Measurements this run set out to send (the pending batches').
    #[serde(skip)]
    pub to_send: usize,
    /// Batches this run set out to send.
    #[serde(skip)]
    pub pending_batches: usize,
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

    /// Every batch of the journal is accepted, by this run or an earlier one.
    pub fn all_accepted(&self) -> bool {
        self.fatal.is_none() && !self.interrupted && self.rejected == 0 && self.unsent_batches == 0
    }
}

/// A request to stop sending, shared between the one who asks (Ctrl-C, Esc) and the loop.
#[derive(Clone, Default, Debug)]
pub struct Cancel(Arc<(AtomicBool, Notify)>);

impl Cancel {
    pub fn cancel(&self) {
        self.0 .0.store(true, Ordering::SeqCst);
        self.0 .1.notify_waiters();
    }

    pub fn is_cancelled(&self) -> bool {
        self.0 .0.load(Ordering::SeqCst)
    }

    /// Resolves once [`Cancel::cancel`] was called (at once if it was already).
    pub async fn cancelled(&self) {
        loop {
            let notified = self.0 .1.notified();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }
}

/// What the loop reports as it goes.
pub enum Progress<'a> {
    /// A batch was answered (`batch`, accepted or not); the counts so far.
    Answered {
        batch: usize,
        accepted: bool,
        summary: &'a Summary,
    },
    /// A cancel was seen: no new batch starts; `in_flight` are still awaited.
    Stopping { in_flight: usize },
}

/// Errors after which every further request would fail the same way (the run stops).
pub fn is_fatal(kind: ErrorKind) -> bool {
    matches!(kind, ErrorKind::Connection | ErrorKind::Auth)
}

/// Sends `journal`'s pending batches, `concurrency` at a time, until all are answered or
/// `cancel` is called (then the in-flight ones are awaited and recorded).
pub async fn send(
    client: &Client,
    journal: &mut Journal,
    concurrency: usize,
    cancel: &Cancel,
    on_progress: &mut (dyn FnMut(Progress<'_>) + Send),
) -> Result<Summary> {
    let pending = journal.pending();
    let mut s = Summary {
        measurements: journal.header.measurements,
        batches: journal.batches.len(),
        previously_accepted: journal
            .accepted
            .iter()
            .map(|&i| journal.batches[i].count)
            .sum(),
        to_send: pending.iter().map(|&i| journal.batches[i].count).sum(),
        pending_batches: pending.len(),
        ..Default::default()
    };
    let started = Instant::now();
    let mut next = 0;
    let mut stopping = false;
    let mut in_flight = FuturesUnordered::new();
    loop {
        if !s.interrupted && cancel.is_cancelled() {
            s.interrupted = true;
            stopping = true;
            on_progress(Progress::Stopping {
                in_flight: in_flight.len(),
            });
        }
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
            () = cancel.cancelled(), if !s.interrupted => {}
            Some((n, result)) = in_flight.next() => {
                let count = journal.batches[n].count;
                s.batches_sent += 1;
                s.sent += count;
                let accepted = result.is_ok();
                match result {
                    Ok(_) => {
                        journal.accept(n)?;
                        s.accepted += count;
                    }
                    Err(e) if is_fatal(e.kind()) => {
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
                let elapsed = started.elapsed();
                s.elapsed_secs = elapsed.as_secs_f64();
                on_progress(Progress::Answered { batch: n, accepted, summary: &s });
            }
        }
    }
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

/// `38,059/s`: whole measurements per second with thousands separators.
pub fn rate(per_sec: f64) -> String {
    let n = if per_sec.is_finite() && per_sec > 0.0 {
        per_sec.round() as u64
    } else {
        0
    };
    thousands(n) + "/s"
}

/// `1 batch`, `5 batches`: a count with its noun, singular or plural.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!(
        "{} {}",
        thousands(n as u64),
        if n == 1 { one } else { many }
    )
}

/// `5,000`: a count with thousands separators.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
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
        assert_eq!(thousands(5000), "5,000");
    }

    #[tokio::test]
    async fn a_cancel_before_waiting_is_seen() {
        let c = Cancel::default();
        c.cancel();
        c.cancelled().await;
        assert!(c.is_cancelled());
    }
}
