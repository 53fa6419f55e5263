//! `--rate-limit`: m3ter's ingest limits on `POST /measurements` — 50 requests a second per
//! organization and 5,000 per rolling 5 minutes per client — answered with 429 and
//! `Retry-After` (whole seconds, at least 1). Off by default.
//!
//! Decision: "per client" is per bearer token. m3ter counts per source IP, but every local
//! client of the sandbox has the same loopback address; each SDK or CLI process fetches its
//! own token, so the token tells clients apart.

use super::error::ApiError;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const ORG_PER_SECOND: usize = 50;
pub const CLIENT_PER_5_MIN: usize = 5000;

/// Sliding windows of request times.
#[derive(Default)]
pub struct RateLimits {
    org: Mutex<VecDeque<Instant>>,
    clients: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// Admits a request into `window` if fewer than `max` happened within `span`, else says how long
/// until one slot frees.
fn admit(
    window: &mut VecDeque<Instant>,
    now: Instant,
    span: Duration,
    max: usize,
) -> Result<(), Duration> {
    while window
        .front()
        .is_some_and(|t| now.duration_since(*t) >= span)
    {
        window.pop_front();
    }
    if window.len() >= max {
        let oldest = *window.front().expect("max > 0");
        return Err(span - now.duration_since(oldest));
    }
    window.push_back(now);
    Ok(())
}

impl RateLimits {
    /// Counts a request by `client`; `Err(wait)` when it is over a limit (nothing counted).
    pub fn check(&self, client: &str, now: Instant) -> Result<(), (Duration, &'static str)> {
        let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        let mut org = self.org.lock().unwrap_or_else(|p| p.into_inner());
        let c = clients.entry(client.to_string()).or_default();
        // Check both before counting either, so a refused request uses no quota.
        let span = Duration::from_secs(300);
        while c.front().is_some_and(|t| now.duration_since(*t) >= span) {
            c.pop_front();
        }
        if c.len() >= CLIENT_PER_5_MIN {
            let wait = span - now.duration_since(*c.front().expect("non-empty"));
            return Err((wait, "5000 requests per 5 minutes per client"));
        }
        admit(&mut org, now, Duration::from_secs(1), ORG_PER_SECOND)
            .map_err(|w| (w, "50 requests per second per organization"))?;
        c.push_back(now);
        Ok(())
    }
}

pub async fn limit(
    State(limits): State<Option<Arc<RateLimits>>>,
    req: Request,
    next: Next,
) -> Response {
    let Some(limits) = limits else {
        return next.run(req).await;
    };
    let client = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    match limits.check(&client, Instant::now()) {
        Ok(()) => next.run(req).await,
        Err((wait, which)) => {
            let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
            let mut resp = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!("rate limit exceeded ({which}): retry in {secs} s"),
            )
            .into_response();
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            resp
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifty_a_second_per_org_then_429_with_the_wait() {
        let l = RateLimits::default();
        let t0 = Instant::now();
        for i in 0..50 {
            l.check(&format!("c{}", i % 3), t0).unwrap();
        }
        let (wait, which) = l.check("c9", t0 + Duration::from_millis(400)).unwrap_err();
        assert!(which.contains("per organization"));
        assert_eq!(wait, Duration::from_millis(600));
        assert!(
            l.check("c9", t0 + Duration::from_secs(1)).is_ok(),
            "the window slides"
        );
    }

    #[test]
    fn five_thousand_per_five_minutes_per_client() {
        let l = RateLimits::default();
        let t0 = Instant::now();
        for i in 0..5000u64 {
            // 40 a second stays under the org limit.
            l.check("a", t0 + Duration::from_millis(i * 25)).unwrap();
        }
        let t = t0 + Duration::from_millis(5000 * 25);
        let (_, which) = l.check("a", t).unwrap_err();
        assert!(which.contains("per client"));
        assert!(l.check("b", t).is_ok(), "another client is not limited");
    }
}
