//! Following each submitted measurement to its real outcome.
//!
//! m3ter answers `accepted` once a request is well formed, then checks every measurement on its
//! own: a good one is ingested (and shows in a usage query), a bad one raises an
//! `ingest.validation.failure` event and is dropped. So an entry moves
//! `sending → accepted → ingested | failed: TYPE`, or to `not confirmed yet` when neither shows
//! within a bounded wait (it can be re-armed).
//!
//! [`Follower`] is a pure state machine: no I/O, no clock of its own. The caller tells it what was
//! sent and answered, asks it what to request next ([`Follower::poll`], given the time), carries
//! out the [`Ask`] through the m3ter API (a usage query over the pending measurements' period and
//! meters, and the newest ingest-failure events), and folds what came back in
//! ([`Follower::fold`]). It asks at most once per [`FollowConfig::min_interval`] for all pending
//! entries together — m3ter allows one usage query per second — slows down while nothing changes,
//! and asks nothing when nothing is pending.
//!
//! It also tells when a measurement auto-created its account: the code was not an account
//! before the submit (or the account was created after it was sent) and afterwards exists as an
//! auto-created account.

mod observe;
mod run;
#[cfg(test)]
mod tests;

pub use observe::{failure_from_event, seen_from_usage_rows, Failure, Seen};
pub use run::{carry_out, carry_out_with, pace_usage_query};

use crate::m3ter::types::{UsageQuery, USAGE_QUERY_LIMIT_MAX};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Where a submitted measurement stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum FollowState {
    /// Sent; the HTTP answer has not come yet.
    Sending,
    /// m3ter answered `accepted`; waiting to see it ingested or failed.
    Accepted,
    /// Seen in a usage query, with the values m3ter stored (derived fields included).
    Ingested {
        #[serde(default)]
        values: Map<String, Value>,
    },
    /// Dropped by m3ter's enrichment: the event's failure type (e.g. `UndefinedMeter`).
    Failed {
        failure: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    /// The HTTP request itself was refused (the measurement never reached m3ter's checks).
    Refused { message: String },
    /// Neither ingested nor failed within the wait; [`Follower::recheck`] re-arms it.
    NotConfirmed,
}

impl FollowState {
    /// Still being followed (an answer or an outcome is due).
    pub fn is_pending(&self) -> bool {
        matches!(self, Self::Sending | Self::Accepted)
    }

    /// A short label for a log line: `sending…`, `accepted`, `ingested`, `failed: UndefinedMeter`,
    /// `refused`, `not confirmed yet`.
    pub fn label(&self) -> String {
        match self {
            Self::Sending => "sending…".into(),
            Self::Accepted => "accepted".into(),
            Self::Ingested { .. } => "ingested".into(),
            Self::Failed { failure, .. } => format!("failed: {failure}"),
            Self::Refused { .. } => "refused".into(),
            Self::NotConfirmed => "not confirmed yet".into(),
        }
    }
}

/// What the caller knows about a measurement it is about to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Submitted {
    pub uid: String,
    pub meter: String,
    /// The meter's id, if the code names a known meter (a usage query filters by id); `None` for
    /// an unknown code, which only an event can settle.
    pub meter_id: Option<String>,
    pub account: String,
    /// The measurement's `ts` (RFC 3339 with an offset).
    pub ts: DateTime<Utc>,
    /// Whether an account with this code existed before the submit, if the caller knows.
    pub account_known_before: Option<bool>,
}

/// One followed measurement; saved with its log entry so it survives a restart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tracked {
    pub uid: String,
    pub meter: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meter_id: Option<String>,
    pub account: String,
    pub ts: DateTime<Utc>,
    pub sent_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_at: Option<DateTime<Utc>>,
    #[serde(flatten)]
    pub state: FollowState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_known_before: Option<bool>,
    /// Set when this measurement auto-created its account: that account's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_created_account: Option<String>,
    /// Until when an accepted entry is waited for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_until: Option<DateTime<Utc>>,
    /// Ingested and not yet checked for an auto-created account.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub account_check_due: bool,
    /// The uid was already ingested when this was sent (a resend): a usage row with it proves
    /// nothing about this submission, so only its event (DuplicateUid) or the wait settles it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub uid_was_ingested: bool,
}

impl Tracked {
    /// "account TempAcct auto-created", when it was.
    pub fn auto_created_note(&self) -> Option<String> {
        self.auto_created_account
            .as_ref()
            .map(|_| format!("account {} auto-created", self.account))
    }
}

/// Timing of the follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowConfig {
    /// Least time between two asks: m3ter allows one usage query per second.
    pub min_interval: Duration,
    /// Longest time between two asks, reached while nothing changes.
    pub max_interval: Duration,
    /// How long an accepted measurement is waited for before "not confirmed yet".
    pub wait: Duration,
    /// How far before the earliest send an ingest-failure event may be stamped (clock skew).
    pub event_slack: Duration,
}

impl Default for FollowConfig {
    fn default() -> Self {
        Self {
            min_interval: Duration::seconds(1),
            max_interval: Duration::seconds(5),
            wait: Duration::minutes(2),
            event_slack: Duration::seconds(30),
        }
    }
}

/// One round of questions for every pending entry at once.
#[derive(Debug, Clone, PartialEq)]
pub struct Ask {
    /// A usage query without aggregations, to find the pending uids among its rows; `None` when
    /// no pending entry names a known meter.
    pub usage: Option<UsageProbe>,
    /// List `ingest.validation.failure` events (newest first, actioned ones included) back to
    /// `events_since`, to find the pending uids among them; `None` when nothing is pending.
    pub events_since: Option<DateTime<Utc>>,
    /// Account codes to look up (to tell whether an ingested measurement auto-created them).
    pub account_codes: Vec<String>,
    /// The uids this round asks about.
    pub uids: Vec<String>,
}

/// `POST /usage/query` parameters: `startDate` inclusive, `endDate` exclusive, `meterIds`.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageProbe {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub meter_ids: Vec<String>,
    /// Most rows m3ter returns for one query.
    pub limit: u32,
}

impl UsageProbe {
    /// The usage query this probe stands for: no aggregations, so m3ter returns the measurements.
    pub fn to_query(&self) -> UsageQuery {
        use chrono::SecondsFormat::Millis;
        UsageQuery {
            start_date: Some(self.start.to_rfc3339_opts(Millis, true)),
            end_date: Some(self.end.to_rfc3339_opts(Millis, true)),
            meter_ids: self.meter_ids.clone(),
            limit: Some(self.limit),
            ..Default::default()
        }
    }
}

/// What one round brought back.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Answer {
    /// Measurements seen in the usage query.
    pub seen: Vec<Seen>,
    /// The usage query said `hasMoreData`: rows older than the oldest returned were cut off.
    pub usage_has_more: bool,
    /// The events were not read all the way back to the round's start: a uid seen in the usage
    /// query may still have a failure among the unread ones, so sightings wait for a full read.
    pub events_cut: bool,
    /// Ingest failures among the events.
    pub failures: Vec<Failure>,
    /// Accounts looked up by code: `(code, id, auto-created, created at)`; a code absent here was
    /// not found.
    pub accounts: Vec<AccountSeen>,
}

/// An account found by code.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountSeen {
    pub code: String,
    pub id: String,
    pub auto_created: bool,
    pub created_at: Option<DateTime<Utc>>,
}

/// The follow-up of every submitted measurement, keyed by uid.
#[derive(Debug, Clone, Default)]
pub struct Follower {
    config: FollowConfig,
    entries: BTreeMap<String, Tracked>,
    last_ask: Option<DateTime<Utc>>,
    in_flight: bool,
    /// Rounds in a row that changed nothing (slows the asking down).
    quiet_rounds: u32,
    /// After a usage answer with more data: only entries at or before this `ts` are still to find.
    older_than: Option<DateTime<Utc>>,
    /// Account codes the round in flight looks up.
    asked_codes: Vec<String>,
}

impl Follower {
    pub fn new(config: FollowConfig) -> Self {
        Self {
            config,
            ..Default::default()
        }
    }

    pub fn config(&self) -> &FollowConfig {
        &self.config
    }

    pub fn get(&self, uid: &str) -> Option<&Tracked> {
        self.entries.get(uid)
    }

    pub fn entries(&self) -> impl Iterator<Item = &Tracked> {
        self.entries.values()
    }

    /// Entries still waiting for an answer or an outcome.
    pub fn pending(&self) -> impl Iterator<Item = &Tracked> {
        self.entries.values().filter(|t| t.state.is_pending())
    }

    pub fn has_pending(&self) -> bool {
        self.pending().next().is_some() || self.entries.values().any(|t| t.account_check_due)
    }

    /// Takes back entries saved before a restart; accepted ones are followed again (those whose
    /// wait ran out meanwhile become "not confirmed yet" on the next poll).
    pub fn restore(&mut self, tracked: impl IntoIterator<Item = Tracked>) {
        for t in tracked {
            self.entries.insert(t.uid.clone(), t);
        }
    }

    /// A measurement is being sent.
    pub fn sending(&mut self, s: Submitted, now: DateTime<Utc>) {
        let uid_was_ingested = self
            .entries
            .get(&s.uid)
            .is_some_and(|t| matches!(t.state, FollowState::Ingested { .. }));
        let t = Tracked {
            uid: s.uid.clone(),
            meter: s.meter,
            meter_id: s.meter_id,
            account: s.account,
            ts: s.ts,
            sent_at: now,
            accepted_at: None,
            state: FollowState::Sending,
            account_known_before: s.account_known_before,
            auto_created_account: None,
            wait_until: None,
            account_check_due: false,
            uid_was_ingested,
        };
        self.entries.insert(s.uid, t);
    }

    /// The uid was already ingested before this send (a usage query found it): a sighting of it
    /// proves nothing, only its event (DuplicateUid) or the wait settles it.
    pub fn resent(&mut self, uid: &str) {
        if let Some(t) = self.entries.get_mut(uid) {
            t.uid_was_ingested = true;
        }
    }

    /// m3ter answered `accepted`: follow it for [`FollowConfig::wait`].
    pub fn accepted(&mut self, uid: &str, now: DateTime<Utc>) -> bool {
        let wait = self.config.wait;
        let Some(t) = self.entries.get_mut(uid) else {
            return false;
        };
        if !matches!(t.state, FollowState::Sending) {
            return false;
        }
        t.state = FollowState::Accepted;
        t.accepted_at = Some(now);
        t.wait_until = Some(now + wait);
        self.quiet_rounds = 0;
        true
    }

    /// The HTTP request was refused: nothing to follow.
    pub fn refused(&mut self, uid: &str, message: impl Into<String>) {
        if let Some(t) = self.entries.get_mut(uid) {
            t.state = FollowState::Refused {
                message: message.into(),
            };
            t.wait_until = None;
        }
    }

    /// Follows a "not confirmed yet" entry again for another wait.
    pub fn recheck(&mut self, uid: &str, now: DateTime<Utc>) -> bool {
        let wait = self.config.wait;
        let Some(t) = self.entries.get_mut(uid) else {
            return false;
        };
        if t.state != FollowState::NotConfirmed {
            return false;
        }
        t.state = FollowState::Accepted;
        t.wait_until = Some(now + wait);
        self.quiet_rounds = 0;
        self.older_than = None;
        true
    }

    /// Forgets an entry (its log line was removed).
    pub fn forget(&mut self, uid: &str) {
        self.entries.remove(uid);
    }

    /// When the caller should poll next (for its timer); `None` when nothing is pending.
    pub fn next_poll(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if !self.has_pending() || self.in_flight {
            return None;
        }
        let due = self.last_ask.map_or(now, |t| t + self.interval());
        let expiry = self.pending().filter_map(|t| t.wait_until).min();
        Some(match expiry {
            Some(e) if e < due => e.max(now),
            _ => due.max(now),
        })
    }

    fn interval(&self) -> Duration {
        let c = &self.config;
        match self.quiet_rounds {
            0..=4 => c.min_interval,
            5..=14 => (c.min_interval * 2).min(c.max_interval),
            _ => c.max_interval,
        }
    }

    /// Marks overdue entries "not confirmed yet" (returned as changed uids) and, if it is time,
    /// returns the next round of questions. At most one round is out at a time: call
    /// [`Follower::fold`] or [`Follower::failed`] when it comes back.
    pub fn poll(&mut self, now: DateTime<Utc>) -> (Vec<String>, Option<Ask>) {
        let mut changed = Vec::new();
        for t in self.entries.values_mut() {
            if t.state == FollowState::Accepted && t.wait_until.is_some_and(|w| now >= w) {
                t.state = FollowState::NotConfirmed;
                changed.push(t.uid.clone());
            }
        }
        if self.in_flight || self.last_ask.is_some_and(|t| now < t + self.interval()) {
            return (changed, None);
        }
        let ask = self.build_ask();
        if let Some(a) = &ask {
            self.asked_codes = a.account_codes.clone();
            self.in_flight = true;
            self.last_ask = Some(now);
        }
        (changed, ask)
    }

    fn build_ask(&self) -> Option<Ask> {
        let accepted: Vec<&Tracked> = self
            .entries
            .values()
            .filter(|t| t.state == FollowState::Accepted)
            .collect();
        let account_codes: Vec<String> = self
            .entries
            .values()
            .filter(|t| t.account_check_due)
            .map(|t| t.account.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if accepted.is_empty() && account_codes.is_empty() {
            return None;
        }
        let searchable: Vec<&&Tracked> = accepted
            .iter()
            .filter(|t| t.meter_id.is_some())
            .filter(|t| self.older_than.is_none_or(|o| t.ts <= o))
            .collect();
        let usage = (!searchable.is_empty()).then(|| UsageProbe {
            start: searchable.iter().map(|t| t.ts).min().expect("not empty"),
            end: searchable.iter().map(|t| t.ts).max().expect("not empty")
                + Duration::milliseconds(1),
            meter_ids: searchable
                .iter()
                .filter_map(|t| t.meter_id.clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
            limit: USAGE_QUERY_LIMIT_MAX,
        });
        let events_since = accepted
            .iter()
            .map(|t| t.sent_at)
            .min()
            .map(|t| t - self.config.event_slack);
        Some(Ask {
            usage,
            events_since,
            account_codes,
            uids: accepted.iter().map(|t| t.uid.clone()).collect(),
        })
    }

    /// The round failed (network, rate limit, …): nothing changes, the next poll asks again.
    pub fn failed(&mut self) {
        self.in_flight = false;
        self.asked_codes.clear();
        self.quiet_rounds = self.quiet_rounds.saturating_add(1);
    }

    /// Folds a round's answer in; returns the uids whose state changed (or that learnt they
    /// auto-created their account).
    pub fn fold(&mut self, answer: Answer) -> Vec<String> {
        self.in_flight = false;
        let asked = std::mem::take(&mut self.asked_codes);
        let mut changed = BTreeSet::new();
        // Accounts first: they were looked up for entries ingested in an earlier round.
        for t in self.entries.values_mut() {
            if !t.account_check_due {
                continue;
            }
            let found = answer.accounts.iter().find(|a| a.code == t.account);
            // Looked up and not found: nothing more to learn.
            if found.is_some() || asked.contains(&t.account) {
                t.account_check_due = false;
            }
            let Some(a) = found else {
                continue;
            };
            let created_after_send = a
                .created_at
                .is_some_and(|c| c >= t.sent_at - self.config.event_slack);
            let unknown_before = t.account_known_before == Some(false);
            if a.auto_created && (unknown_before || created_after_send) {
                t.auto_created_account = Some(a.id.clone());
                changed.insert(t.uid.clone());
            }
        }
        let seen: BTreeMap<&str, &Seen> = answer.seen.iter().map(|s| (s.uid.as_str(), s)).collect();
        let failed: BTreeMap<&str, &Failure> = answer
            .failures
            .iter()
            .map(|f| (f.uid.as_str(), f))
            .collect();
        for t in self.entries.values_mut() {
            // A late outcome still counts after "not confirmed yet".
            if !matches!(t.state, FollowState::Accepted | FollowState::NotConfirmed) {
                continue;
            }
            if let Some(f) = failed.get(t.uid.as_str()) {
                t.state = FollowState::Failed {
                    failure: f.failure_type.clone(),
                    event_id: f.event_id.clone(),
                    message: f.message.clone(),
                };
            } else if let Some(s) = seen
                .get(t.uid.as_str())
                .filter(|_| !t.uid_was_ingested && !answer.events_cut)
            {
                t.state = FollowState::Ingested {
                    values: s.values.clone(),
                };
                t.account_check_due = t.account_known_before != Some(true);
            } else {
                continue;
            }
            t.wait_until = None;
            changed.insert(t.uid.clone());
        }
        // The usage query was cut (most recent first): look for older entries next.
        self.older_than = if answer.usage_has_more {
            answer.seen.iter().filter_map(|s| s.ts).min()
        } else {
            None
        };
        if changed.is_empty() {
            self.quiet_rounds = self.quiet_rounds.saturating_add(1);
        } else {
            self.quiet_rounds = 0;
        }
        changed.into_iter().collect()
    }
}
