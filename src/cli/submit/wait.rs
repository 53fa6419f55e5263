//! `submit --wait`: m3ter answers `accepted` and checks each measurement afterwards, so
//! "accepted" is not "landed". This follows every measurement sent to its outcome — ingested,
//! or failed with the ingest event's type — through published calls only (usage query by uid,
//! ingest-failure events), so it works against real m3ter and the sandbox alike. The asking is
//! [`crate::m3ter::follow`]'s: one round for all pending measurements at a time, at most one
//! usage query a second, slower while nothing changes, and a bounded wait.

use super::meters::Meters;
use crate::cli::exit::{is_fatal, Rejected};
use crate::cli::output;
use crate::connect::Connection;
use crate::m3ter::follow::{carry_out, FollowConfig, FollowState, Follower, Submitted};
use crate::m3ter::{Measurement, USAGE_QUERY_LIMIT_MAX};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

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

/// The follow-up entry of a measurement that was accepted.
pub fn submitted(m: &Measurement, meters: &Meters) -> Submitted {
    let ts = DateTime::parse_from_rfc3339(&m.ts)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|_| Utc::now());
    Submitted {
        uid: m.uid.clone().unwrap_or_default(),
        meter: m.meter.clone(),
        meter_id: meters.find(&m.meter).map(|x| x.id.clone()),
        account: m.account.clone(),
        ts,
        account_known_before: None,
    }
}

/// Follows `sent` (all accepted) until each has an outcome or the wait runs out.
pub async fn wait(conn: &Connection, sent: Vec<Submitted>, quiet: bool) -> anyhow::Result<Outcome> {
    let mut f = Follower::new(FollowConfig::default());
    let now = Utc::now();
    for s in sent {
        let uid = s.uid.clone();
        f.sending(s, now);
        f.accepted(&uid, now);
    }
    if !quiet {
        eprintln!("waiting for m3ter to ingest or refuse each measurement…");
    }
    loop {
        let now = Utc::now();
        let (_, ask) = f.poll(now);
        if let Some(ask) = ask {
            match carry_out(&conn.client, &ask).await {
                Ok(answer) => {
                    f.fold(answer);
                }
                Err(e) if is_fatal(e.kind()) => return Err(e.into()),
                Err(e) => {
                    tracing::debug!("follow-up round failed, asking again later: {e}");
                    f.failed();
                }
            }
        }
        if !f.has_pending() {
            break;
        }
        let next = f
            .next_poll(Utc::now())
            .map(|t| (t - Utc::now()).to_std().unwrap_or_default())
            .unwrap_or(std::time::Duration::from_millis(200));
        tokio::time::sleep(next.clamp(
            std::time::Duration::from_millis(50),
            std::time::Duration::from_secs(5),
        ))
        .await;
    }
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
