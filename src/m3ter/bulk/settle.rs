//! Following sent measurements to their outcome — ingested, or failed with the ingest event's
//! type — with [`crate::m3ter::follow`]'s engine: one round for all pending measurements at a
//! time, at most one usage query a second, slower while nothing changes, and a bounded wait.

use super::meters::Meters;
use super::send::{is_fatal, Cancel};
use crate::m3ter::follow::{carry_out, FollowConfig, FollowState, Follower, Submitted};
use crate::m3ter::{Client, Measurement};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Where a set of followed measurements stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub ingested: usize,
    /// Failure type → count (`Refused` for a request refused outright).
    pub failed: BTreeMap<String, usize>,
    /// Still awaited.
    pub pending: usize,
    /// Neither ingested nor failed within the wait.
    pub not_confirmed: usize,
}

impl Tally {
    pub fn of(f: &Follower) -> Tally {
        let mut t = Tally::default();
        for e in f.entries() {
            match &e.state {
                FollowState::Ingested { .. } => t.ingested += 1,
                FollowState::Failed { failure, .. } => {
                    *t.failed.entry(failure.clone()).or_default() += 1
                }
                FollowState::Refused { .. } => *t.failed.entry("Refused".into()).or_default() += 1,
                FollowState::NotConfirmed => t.not_confirmed += 1,
                FollowState::Sending | FollowState::Accepted => t.pending += 1,
            }
        }
        t
    }

    pub fn failed_total(&self) -> usize {
        self.failed.values().sum()
    }

    /// `UndefinedMeter 3, DuplicateUid 1`.
    pub fn failures(&self) -> String {
        self.failed
            .iter()
            .map(|(t, n)| format!("{t} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
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

/// Follows `sent` (all accepted) until each has an outcome, the wait runs out, or `cancel`;
/// `on_round` sees the follower after each round that got an answer. A connection or auth error
/// ends it with that error; another failed round is asked again later.
pub async fn settle(
    client: &Client,
    sent: Vec<Submitted>,
    cancel: &Cancel,
    on_round: &mut (dyn FnMut(&Follower) + Send),
) -> crate::m3ter::Result<Follower> {
    let mut f = Follower::new(FollowConfig::default());
    let now = Utc::now();
    for s in sent {
        let uid = s.uid.clone();
        f.sending(s, now);
        f.accepted(&uid, now);
    }
    loop {
        let now = Utc::now();
        let (_, ask) = f.poll(now);
        if let Some(ask) = ask {
            match carry_out(client, &ask).await {
                Ok(answer) => {
                    f.fold(answer);
                    on_round(&f);
                }
                Err(e) if is_fatal(e.kind()) => return Err(e),
                Err(e) => {
                    tracing::debug!("follow-up round failed, asking again later: {e}");
                    f.failed();
                }
            }
        }
        if !f.has_pending() || cancel.is_cancelled() {
            break;
        }
        let next = f
            .next_poll(Utc::now())
            .map(|t| (t - Utc::now()).to_std().unwrap_or_default())
            .unwrap_or(std::time::Duration::from_millis(200));
        tokio::select! {
            () = tokio::time::sleep(next.clamp(
                std::time::Duration::from_millis(50),
                std::time::Duration::from_secs(5),
            )) => {}
            () = cancel.cancelled() => break,
        }
    }
    Ok(f)
}
