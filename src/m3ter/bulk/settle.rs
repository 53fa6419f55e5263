//! Following sent measurements to their outcome — ingested, or failed with the ingest event's
//! type — with [`crate::m3ter::follow`]'s engine: one round for all pending measurements at a
//! time, at most one usage query a second, slower while nothing changes, and a bounded wait.

use super::journal::Journal;
use super::meters::Meters;
use super::send::{is_fatal, Cancel};
use crate::m3ter::follow::{carry_out_with, FollowConfig, FollowState, Follower, Submitted};
use crate::m3ter::follow::{pace_usage_query, seen_from_usage_rows, UsageProbe};
use crate::m3ter::USAGE_QUERY_LIMIT_MAX;
use crate::m3ter::{Client, Measurement, MeasurementBatch};
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

    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: &Tally) {
        self.ingested += other.ingested;
        for (t, n) in &other.failed {
            *self.failed.entry(t.clone()).or_default() += n;
        }
        self.pending += other.pending;
        self.not_confirmed += other.not_confirmed;
        self.auto_created.extend(other.auto_created.iter().cloned());
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
    let mut probe = probe;
    let mut found = HashSet::new();
    // m3ter returns the newest rows first, at most one query's worth: while it says there is
    // more, the window narrows to what is older than the oldest row returned.
    loop {
        pace_usage_query().await;
        let rows = client.usage_query(&probe.to_query()).await?;
        let seen = seen_from_usage_rows(&rows.data);
        let oldest = seen.iter().filter_map(|s| s.ts).min();
        found.extend(
            seen.into_iter()
                .map(|s| s.uid)
                .filter(|u| ours.contains(u.as_str())),
        );
        match oldest {
            Some(o) if rows.has_more_data && o > probe.start && o < probe.end => {
                // Rows at the oldest instant may have been cut among themselves: ask it again.
                probe.end = o + chrono::Duration::milliseconds(1);
                if probe.end >= probe.start + chrono::Duration::milliseconds(1)
                    && found.len() < ours.len()
                {
                    continue;
                }
                break;
            }
            _ => break,
        }
    }
    Ok(found)
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
    settle_sent_at(client, sent, resent, Utc::now(), 0, cancel, on_round).await
}

/// [`settle`] for measurements sent at `sent_at` (their failure events are read back to it),
/// with `events_after` failure events known to have been raised since by other measurements
/// (read past them too, so none of these is missed).
#[allow(clippy::too_many_arguments)]
pub async fn settle_sent_at(
    client: &Client,
    sent: Vec<Submitted>,
    resent: &HashSet<String>,
    sent_at: DateTime<Utc>,
    events_after: usize,
    cancel: &Cancel,
    on_round: &mut (dyn FnMut(&Follower) + Send),
) -> crate::m3ter::Result<Follower> {
    let mut f = Follower::new(FollowConfig::default());
    let now = Utc::now();
    for s in sent {
        let uid = s.uid.clone();
        f.sending(s, sent_at.min(now));
        f.accepted(&uid, now);
        if resent.contains(&uid) {
            f.resent(&uid);
        }
    }
    loop {
        let now = Utc::now();
        let (_, ask) = f.poll(now);
        if let Some(ask) = ask {
            match carry_out_with(client, &ask, events_after).await {
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

/// Most measurements followed at once: what one usage query returns. A test-only knob,
/// `M3TER_CONSOLE_FOLLOW_CHUNK=N`, makes it smaller, so a test follows several chunks of a small
/// file quickly (a resend of more than 20,000 makes the sandbox page through as many events).
pub fn follow_chunk() -> usize {
    std::env::var("M3TER_CONSOLE_FOLLOW_CHUNK")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .map_or(USAGE_QUERY_LIMIT_MAX as usize, |n| {
            n.min(USAGE_QUERY_LIMIT_MAX as usize)
        })
}

/// `batches` (journal order) grouped into runs of consecutive batches of at most `max`
/// measurements each (a batch larger than `max` alone).
pub fn chunks(journal: &Journal, batches: &[usize], max: usize) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut size = 0;
    for &b in batches {
        let n = journal.batches[b].count;
        match out.last_mut() {
            Some(last) if size + n <= max => {
                last.push(b);
                size += n;
            }
            _ => {
                out.push(vec![b]);
                size = n;
            }
        }
    }
    out
}

/// The measurements of batches `ns` of the journal.
pub fn bodies(journal: &Journal, ns: &[usize]) -> Result<Vec<Measurement>, String> {
    let mut out = Vec::new();
    for &n in ns {
        let body = journal.body(n).map_err(|e| e.to_string())?;
        let batch: MeasurementBatch = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
        out.extend(batch.measurements);
    }
    Ok(out)
}

/// The uids of the journal's `batches` m3ter holds already (and maybe other uids of theirs
/// meters and period). One usage query over the whole span first: when it holds all there is
/// (no `hasMoreData`; usually none at all), that is the answer; else asked chunk by chunk, each
/// probe at most one usage query's worth of rows, narrowed while m3ter says there is more.
/// Only one chunk's measurements are held at a time.
pub async fn already_ingested_in(
    client: &Client,
    journal: &Journal,
    batches: &[usize],
    meters: &mut Meters,
) -> Result<HashSet<String>, String> {
    let chunks = chunks(journal, batches, follow_chunk());
    let mut span: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
    let mut meter_ids = std::collections::BTreeSet::new();
    for chunk in &chunks {
        let ms = bodies(journal, chunk)?;
        let _ = meters
            .ensure(client, ms.iter().map(|m| m.meter.as_str()))
            .await;
        if chunks.len() == 1 {
            return Ok(already_ingested(client, &ms, meters)
                .await
                .unwrap_or_else(|e| {
                    tracing::debug!("usage probe before the upload: {e}");
                    HashSet::new()
                }));
        }
        meter_ids.extend(
            ms.iter()
                .filter_map(|m| meters.find(&m.meter).map(|x| x.id.clone())),
        );
        for t in ms
            .iter()
            .filter_map(|m| DateTime::parse_from_rfc3339(&m.ts).ok())
        {
            let t = t.with_timezone(&Utc);
            span = Some(span.map_or((t, t), |(a, b)| (a.min(t), b.max(t))));
        }
    }
    let Some((start, end)) = span.filter(|_| !meter_ids.is_empty()) else {
        return Ok(HashSet::new());
    };
    let whole = UsageProbe {
        start,
        end: end + chrono::Duration::milliseconds(1),
        meter_ids: meter_ids.into_iter().collect(),
        limit: USAGE_QUERY_LIMIT_MAX,
    };
    pace_usage_query().await;
    match client.usage_query(&whole.to_query()).await {
        Ok(rows) if !rows.has_more_data => {
            return Ok(seen_from_usage_rows(&rows.data)
                .into_iter()
                .map(|s| s.uid)
                .collect())
        }
        Ok(_) => {}
        Err(e) => {
            tracing::debug!("usage probe before the upload: {e}");
            return Ok(HashSet::new());
        }
    }
    let mut found = HashSet::new();
    for chunk in chunks {
        let ms = bodies(journal, &chunk)?;
        match already_ingested(client, &ms, meters).await {
            Ok(f) => found.extend(f),
            Err(e) => tracing::debug!("usage probe before the upload: {e}"),
        }
    }
    Ok(found)
}

/// Where a journal's follow-up stands, for a progress callback.
pub struct JournalFollow<'a> {
    pub journal: &'a Journal,
    /// When each batch was answered by this run (`None`: an earlier run's, or not sent).
    pub answered_at: &'a [Option<DateTime<Utc>>],
    /// When this run started sending (for batches an earlier run sent).
    pub started: DateTime<Utc>,
    /// Uids m3ter held before this run sent them.
    pub before: &'a HashSet<String>,
    /// A resumed run: a uid held before was sent by the run that stopped (it is ingested);
    /// otherwise it is a resend (settled by its DuplicateUid event).
    pub resuming: bool,
}

/// Follows every measurement of the journal to its outcome, one chunk of at most
/// [`follow_chunk`] measurements at a time — so a file of any size is followed while only one
/// chunk's entries are held, and each chunk's usage query fits in one answer. The newest chunk
/// goes first. Events come newest first and cannot be asked by time, so a chunk's rounds read
/// back past as many events as the rest of the upload sent around it could have raised (a
/// round that still finds its window going on trusts no sighting): every failure is read, at
/// the cost of paging through them when a large upload fails wholesale. `on_round` gets the whole
/// journal's tally (chunks not followed yet count as pending).
pub async fn follow_journal(
    client: &Client,
    jf: JournalFollow<'_>,
    meters: &mut Meters,
    cancel: &Cancel,
    on_round: &mut (dyn FnMut(&Tally) + Send),
) -> Result<Tally, String> {
    let journal = jf.journal;
    let all: Vec<usize> = (0..journal.batches.len()).collect();
    let chunks = chunks(journal, &all, follow_chunk());
    let mut done = Tally::default();
    let mut waiting: usize = journal.batches.iter().map(|b| b.count).sum();
    for chunk in chunks.iter().rev() {
        if cancel.is_cancelled() {
            break;
        }
        let mut ms = bodies(journal, chunk)?;
        waiting -= ms.len();
        let resent = if jf.resuming {
            let before = ms.len();
            ms.retain(|m| !m.uid.as_ref().is_some_and(|u| jf.before.contains(u)));
            done.ingested += before - ms.len();
            HashSet::new()
        } else {
            ms.iter()
                .filter_map(|m| m.uid.clone())
                .filter(|u| jf.before.contains(u))
                .collect()
        };
        if let Err(e) = meters
            .ensure(client, ms.iter().map(|m| m.meter.as_str()))
            .await
        {
            tracing::debug!("meters for the follow-up: {e}");
        }
        let sent_at = chunk
            .iter()
            .filter_map(|&b| jf.answered_at.get(b).copied().flatten())
            .min()
            .unwrap_or(jf.started);
        let submitted: Vec<Submitted> = ms.iter().map(|m| submitted(m, meters)).collect();
        drop(ms);
        // Every other measurement of this upload sent since then may have raised an event
        // among the ones read back to this chunk's: read past as many.
        let window = sent_at - FollowConfig::default().event_slack;
        let events_after = (0..journal.batches.len())
            .filter(|b| !chunk.contains(b))
            .filter(|&b| {
                jf.answered_at
                    .get(b)
                    .copied()
                    .flatten()
                    .is_some_and(|t| t >= window)
            })
            .map(|b| journal.batches[b].count)
            .sum::<usize>()
            .max(done.failed_total());
        let base = done.clone();
        let f = settle_sent_at(
            client,
            submitted,
            &resent,
            sent_at,
            events_after,
            cancel,
            &mut |f| {
                let mut t = base.clone();
                t.add(&Tally::of(f));
                t.pending += waiting;
                on_round(&t);
            },
        )
        .await
        .map_err(|e| e.to_string())?;
        done.add(&Tally::of(&f));
    }
    done.pending += waiting;
    Ok(done)
}
