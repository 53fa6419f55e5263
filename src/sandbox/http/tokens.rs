//! Bearer tokens: random strings kept in memory with their org and expiry (no DB write: the SDK
//! asks for a token before every call). They do not survive a restart; clients fetch a new one.

use rand::RngCore;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Token lifetime, as m3ter's (5 hours).
pub const TOKEN_TTL_SECS: u64 = 18_000;
/// Above this many live tokens, expired ones are pruned, then (if still too many) all dropped.
const MAX_TOKENS: usize = 100_000;

/// Issued bearer tokens → (org, expiry).
#[derive(Default)]
pub struct Tokens {
    map: Mutex<HashMap<String, (String, Instant)>>,
}

impl Tokens {
    pub fn issue(&self, org: &str) -> String {
        let mut bytes = [0u8; 24];
        rand::rng().fill_bytes(&mut bytes);
        let token = format!("sbx_{}", hex(&bytes));
        let expiry = Instant::now() + Duration::from_secs(TOKEN_TTL_SECS);
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_TOKENS {
            let now = Instant::now();
            map.retain(|_, (_, exp)| *exp > now);
            if map.len() >= MAX_TOKENS {
                map.clear();
            }
        }
        map.insert(token.clone(), (org.to_string(), expiry));
        token
    }

    /// The org a live token was issued for.
    pub fn org_of(&self, token: &str) -> Option<String> {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.get(token)
            .filter(|(_, exp)| *exp > Instant::now())
            .map(|(org, _)| org.clone())
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
