//! Carrying out one [`Ask`] through the m3ter API: the usage query, the newest ingest-failure
//! events back to the round's start, and the accounts by code. Only published m3ter calls, so it
//! works the same against real m3ter and the sandbox.

use super::{failure_from_event, seen_from_usage_rows, AccountSeen, Answer, Ask};
use crate::m3ter::types::{Account, EventQuery};
use crate::m3ter::{Client, ListQuery, Result};
use chrono::{DateTime, Utc};

/// Event pages one round reads at least (100 events each); more when more uids are asked
/// about (every one of them may have failed), up to [`EVENT_PAGES_CAP`]. A round that finds its
/// window still going after them says so ([`Answer::events_cut`]): its usage sightings are then
/// not trusted, as the failure of a resent uid may be among the events not read.
const EVENT_PAGES_MIN: usize = 5;
const EVENT_PAGES_CAP: usize = 250;

/// When this process last sent a follow-up usage query (or a bulk upload's probe before it). Each follower asks at most once a
/// second, but several can run at once (the log's, an upload's): together they keep to m3ter's
/// one usage query a second too.
static LAST_USAGE_QUERY: tokio::sync::Mutex<Option<std::time::Instant>> =
    tokio::sync::Mutex::const_new(None);

/// Waits until a second has passed since the last follow-up usage query of this process.
pub async fn pace_usage_query() {
    let mut last = LAST_USAGE_QUERY.lock().await;
    if let Some(t) = *last {
        let wait = std::time::Duration::from_secs(1).saturating_sub(t.elapsed());
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
    *last = Some(std::time::Instant::now());
}

/// Runs the round's requests one after the other (the usage query first, so an account looked
/// up in the same round is looked up after its measurement could be seen) and gathers what
/// they found. The first failing request fails the round; the follower asks again later.
pub async fn carry_out(client: &Client, ask: &Ask) -> Result<Answer> {
    carry_out_with(client, ask, 0).await
}

/// [`carry_out`], reading past `events_after` more failure events: ones other measurements
/// are known to have raised since the round's start, which come first (newest first).
pub async fn carry_out_with(client: &Client, ask: &Ask, events_after: usize) -> Result<Answer> {
    let mut answer = Answer::default();
    if let Some(probe) = &ask.usage {
        pace_usage_query().await;
        let resp = client.usage_query(&probe.to_query()).await?;
        answer.seen = seen_from_usage_rows(&resp.data);
        answer.usage_has_more = resp.has_more_data;
    }
    if let Some(since) = ask.events_since {
        let query = EventQuery {
            include_actioned: Some(true),
            page_size: Some(100),
            ..EventQuery::ingest_failures()
        };
        let mut token: Option<String> = None;
        let pages = ((ask.uids.len() + events_after) / 100 + 2)
            .clamp(EVENT_PAGES_MIN, EVENT_PAGES_CAP + events_after / 100);
        let mut complete = false;
        for _ in 0..pages {
            let page = client.events_page(&query, token.as_deref()).await?;
            let mut older = false;
            for e in &page.data {
                let time = e
                    .event_time
                    .as_deref()
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.with_timezone(&Utc));
                if time.is_some_and(|t| t < since) {
                    older = true;
                    continue;
                }
                answer.failures.extend(failure_from_event(e));
            }
            token = page.next().map(str::to_string);
            if older || token.is_none() {
                complete = true;
                break;
            }
        }
        answer.events_cut = !complete;
    }
    if !ask.account_codes.is_empty() {
        let found = client
            .list_all::<Account>(ListQuery::codes(ask.account_codes.iter().cloned()))
            .await?;
        answer.accounts = found
            .into_iter()
            .filter_map(|a| {
                Some(AccountSeen {
                    code: a.code.clone()?,
                    auto_created: a.is_auto_created(),
                    created_at: a
                        .audit
                        .dt_created
                        .as_deref()
                        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                        .map(|t| t.with_timezone(&Utc)),
                    id: a.id,
                })
            })
            .collect();
    }
    Ok(answer)
}
