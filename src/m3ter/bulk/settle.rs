//! Following sent measurements to their outcome — ingested, or failed with the ingest event's
//! type — with [`crate::m3ter::follow`]'s engine: one round for all pending measurements at a
//! time, at most one usage query a second, slower while nothing changes, and a bounded wait.

use super::meters::Meters;
use super::send::{is_fatal, Cancel};
use crate::m3ter::follow::{carry_out, FollowConfig, FollowState, Follower, Submitted};
use crate::m3ter::follow::{pace_usage_query, seen_from_usage_rows, UsageProbe};
use crate::m3ter::USAGE_QUERY_LIMIT_MAX;
use crate::m3ter::{Client, Measurement};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashSet};

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
    /// Account codes the measurements made m3ter auto-create.
    pub auto_created: std::collections::BTreeSet<String>,
}

impl Tally {
    pub fn of(f: &Follower) -> Tally {
        let mut t = Tally::default();
        for e in f.entries() {
            if e.auto_created_account.is_some() {
                t.auto_created.insert(e.account.clone());
            }
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

/// The uids of `measurements` that m3ter has ingested already (asked before they are sent):
/// one usage query over their meters and time span. Empty when they name no known meter;
/// as many as one query returns.
pub async fn already_ingested(
    client: &Client,
    measurements: &[Measurement],
    meters: &Meters,
) -> crate::m3ter::Result<HashSet<String>> {
    let mut meter_ids: Vec<String> = measurements
        .iter()
        .filter_map(|m| meters.find(&m.meter).map(|x| x.id.clone()))
        .collect();
    meter_ids.sort();
    meter_ids.dedup();
    let times = measurements
        .iter()
        .filter_map(|m| DateTime::parse_from_rfc3339(&m.ts).ok())
        .map(|t| t.with_timezone(&Utc));
    let (Some(start), Some(end)) = (times.clone().min(), times.max()) else {
        return Ok(HashSet::new());
    };
    if meter_ids.is_empty() {
        return Ok(HashSet::new());
    }
    let probe = UsageProbe {
        start,
        end: end + chrono::Duration::milliseconds(1),
        meter_ids,
        limit: USAGE_QUERY_LIMIT_MAX,
    };
    let ours: HashSet<&str> = measurements
        .iter()
        .filter_map(|m| m.uid.as_deref())
        .collect();
    pace_usage_query().await;
    let rows = client.usage_query(&probe.to_query()).await?;
    Ok(seen_from_usage_rows(&rows.data)
        .into_iter()
        .map(|s| s.uid)
        .filter(|u| ours.contains(u.as_str()))
        .collect())
}

/// Follows `sent` (all accepted) until each has an outcome, the wait runs out, or `cancel`;
/// `on_round` sees the follower after each round that got an answer. A connection or auth error
/// ends it with that error; another failed round is asked again later.
///
/// `resent`: uids that were already ingested before this send ([`already_ingested`]): a usage
/// row with one of them proves nothing, so only its event (DuplicateUid) or the wait settles it.
pub async fn settle(
    client: &Client,
    sent: Vec<Submitted>,
    resent: &HashSet<String>,
    cancel: &Cancel,
    on_round: &mut (dyn FnMut(&Follower) + Send),
) -> crate::m3ter::Result<Follower> {
    let mut f = Follower::new(FollowConfig::default());
    let now = Utc::now();
    for s in sent {
        let uid = s.uid.clone();
        f.sending(s, now);
        f.accepted(&uid, now);
        if resent.contains(&uid) {
            f.resent(&uid);
        }
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
