//! Bearer tokens: stateless and signed. A token is `sbx_<payload>.<mac>` where the payload
//! (base64url) is `<expiry as Unix seconds>:<org id>` and the mac (base64url) is its
//! HMAC-SHA256 under a key drawn at start. Checking one needs no table, so memory stays flat
//! however many tokens clients ask for (the SDK asks for one before every call) and no client can
//! push out another's live token. Tokens expire after m3ter's lifetime, [`TOKEN_TTL_SECS`]; the
//! key is not stored, so tokens do not survive a restart and clients fetch a new one.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Token lifetime, as m3ter's (5 hours).
pub const TOKEN_TTL_SECS: u64 = 18_000;

/// Issues and checks tokens with one signing key.
pub struct Tokens {
    key: [u8; 32],
}

impl Default for Tokens {
    fn default() -> Self {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        Self { key }
    }
}

fn unix(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs()
}

impl Tokens {
    fn mac(&self) -> Hmac<Sha256> {
        Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length")
    }

    pub fn issue(&self, org: &str) -> String {
        self.issue_at(org, SystemTime::now())
    }

    /// A token for `org` issued at `now` (valid until `now` + [`TOKEN_TTL_SECS`]).
    pub fn issue_at(&self, org: &str, now: SystemTime) -> String {
        let payload = format!("{}:{org}", unix(now) + TOKEN_TTL_SECS);
        let mut mac = self.mac();
        mac.update(payload.as_bytes());
        let sig = mac.finalize().into_bytes();
        format!(
            "sbx_{}.{}",
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode(sig)
        )
    }

    /// The org a live token was issued for.
    pub fn org_of(&self, token: &str) -> Option<String> {
        self.org_of_at(token, SystemTime::now())
    }

    /// The org of `token` if this sandbox signed it and it has not expired at `now`.
    pub fn org_of_at(&self, token: &str, now: SystemTime) -> Option<String> {
        let (payload, sig) = token.strip_prefix("sbx_")?.split_once('.')?;
        let payload = URL_SAFE_NO_PAD.decode(payload).ok()?;
        let sig = URL_SAFE_NO_PAD.decode(sig).ok()?;
        let mut mac = self.mac();
        mac.update(&payload);
        mac.verify_slice(&sig).ok()?;
        let payload = String::from_utf8(payload).ok()?;
        let (expiry, org) = payload.split_once(':')?;
        (expiry.parse::<u64>().ok()? > unix(now)).then(|| org.to_string())
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_of_tokens_revokes_no_one() {
        let tokens = Tokens::default();
        let first = tokens.issue("org-a");
        for _ in 0..100_001 {
            tokens.issue("org-b");
        }
        assert_eq!(tokens.org_of(&first).as_deref(), Some("org-a"));
    }

    #[test]
    fn tokens_expire_after_the_lifetime_and_forgeries_fail() {
        let tokens = Tokens::default();
        let now = SystemTime::now();
        let ttl = Duration::from_secs(TOKEN_TTL_SECS);
        let fresh = tokens.issue_at("org", now - ttl + Duration::from_secs(5));
        assert_eq!(tokens.org_of_at(&fresh, now).as_deref(), Some("org"));
        let old = tokens.issue_at("org", now - ttl - Duration::from_secs(1));
        assert_eq!(tokens.org_of_at(&old, now), None);
        // Another sandbox's token, a changed payload, garbage.
        assert_eq!(Tokens::default().org_of(&fresh), None);
        let (_, sig) = fresh.split_once('.').unwrap();
        let forged = format!(
            "sbx_{}.{sig}",
            URL_SAFE_NO_PAD.encode(format!("{}:other", unix(now) + 99))
        );
        assert_eq!(tokens.org_of(&forged), None);
        for junk in ["", "sbx_", "sbx_.", "Bearer x", "sbx_%%%.%%%"] {
            assert_eq!(tokens.org_of(junk), None, "{junk}");
        }
    }
}
