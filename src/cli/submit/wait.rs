//! `submit --wait`: m3ter answers `accepted` and checks each measurement afterwards, so
//! "accepted" is not "landed". This follows every measurement sent to its outcome — ingested,
//! or failed with the ingest event's type — through published calls only (usage query by uid,
//! ingest-failure events), so it works against real m3ter and the sandbox alike. The asking is
//! [`crate::m3ter::follow`]'s: one round for all pending measurements at a time, at most one
//! usage query a second, slower while nothing changes, and a bounded wait.

use crate::cli::exit::Rejected;
use crate::cli::output;
use crate::connect::Connection;
use crate::m3ter::bulk::{settle, Cancel};
use crate::m3ter::follow::{FollowState, Submitted};
use crate::m3ter::USAGE_QUERY_LIMIT_MAX;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// Most measurements one `--wait` follows: what one usage query can return.
pub const WAIT_MAX: usize = USAGE_QUERY_LIMIT_MAX as usize;

/// What a wait saw, printed as its summary.
#[derive(Debug, Default, Serialize)]
pub struct Outcome {
    pub ingested: usize,
    pub failed: usize,
    pub not_confirmed: usize,
    /// Failure type → count.
    pub failures: BTreeMap<String, usize>,
    /// `uid: type (message)`, the first few.
    pub examples: Vec<String>,
}

impl Outcome {
    pub fn human(&self) -> String {
        let mut s = format!(
            "followed to the outcome: {} ingested, {} failed, {} not confirmed\n",
            self.ingested, self.failed, self.not_confirmed
        );
        for (t, n) in &self.failures {
            s.push_str(&format!("  {n} × {t}\n"));
        }
        for e in &self.examples {
            s.push_str(&format!("  failed {e}\n"));
        }
        s
    }

    /// Exit 1 when any measurement failed or could not be confirmed.
    pub fn result(&self) -> anyhow::Result<()> {
        if self.failed + self.not_confirmed == 0 {
            return Ok(());
        }
        Err(Rejected(format!(
            "{} measurement(s) failed m3ter's ingest checks and {} could not be confirmed \
             (`m3ter-console events list --failures` shows why)",
            self.failed, self.not_confirmed
        ))
        .into())
    }
}

/// Follows `sent` (all accepted) until each has an outcome or the wait runs out.
/// `resent`: uids m3ter held before they were sent (settled by their events only).
pub async fn wait(
    conn: &Connection,
    sent: Vec<Submitted>,
    resent: &HashSet<String>,
    quiet: bool,
) -> anyhow::Result<Outcome> {
    if !quiet {
        eprintln!("waiting for m3ter to ingest or refuse each measurement…");
    }
    let f = settle::settle(&conn.client, sent, resent, &Cancel::default(), &mut |_| {}).await?;
    let mut out = Outcome::default();
    for t in f.entries() {
        match &t.state {
            FollowState::Ingested { .. } => out.ingested += 1,
            FollowState::Failed {
                failure, message, ..
            } => {
                out.failed += 1;
                *out.failures.entry(failure.clone()).or_default() += 1;
                if out.examples.len() < 20 {
                    out.examples.push(
                        output::clean(&format!(
                            "{}: {failure}{}",
                            t.uid,
                            message
                                .as_ref()
                                .map(|m| format!(" ({m})"))
                                .unwrap_or_default()
                        ))
                        .into_owned(),
                    );
                }
            }
            FollowState::Refused { .. } => out.failed += 1,
            FollowState::NotConfirmed | FollowState::Sending | FollowState::Accepted => {
                out.not_confirmed += 1
            }
        }
    }
    Ok(out)
}
