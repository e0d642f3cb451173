//! Answer tokens (GUIDE-2): the answers and their materials, handed to an
//! application page as `base64url(claims JSON) "." base64url(HMAC-SHA256)`,
//! signed with a server key and expiring. Anyone holding the key (the
//! server's verify endpoint) can check that a token is genuine and current;
//! the claims are readable but cannot be changed without breaking the MAC.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// How long a token is valid by default (24 h).
pub const DEFAULT_TTL_MS: i64 = 24 * 3_600_000;

/// What a token certifies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub tree: String,
    pub version: i64,
    pub path: String,
    pub answers: super::answer::Answers,
    /// Material codes of the list, in its order.
    pub materials: Vec<String>,
    /// Item codes involved.
    pub items: Vec<String>,
    pub issued_at: i64,
    pub expires_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("malformed token")]
    Malformed,
    #[error("signature does not match")]
    BadSignature,
    #[error("token expired")]
    Expired,
}

impl TokenError {
    pub fn code(self) -> &'static str {
        match self {
            Self::Malformed => "malformed",
            Self::BadSignature => "bad_signature",
            Self::Expired => "expired",
        }
    }
}

fn mac(key: &[u8; 32], payload: &str) -> Hmac<Sha256> {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(b"govpulse guidance token v1\0");
    mac.update(payload.as_bytes());
    mac
}

pub fn sign(key: &[u8; 32], claims: &Claims) -> String {
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default());
    let signature = URL_SAFE_NO_PAD.encode(mac(key, &payload).finalize().into_bytes());
    format!("{payload}.{signature}")
}

/// The claims of a genuine token still valid at `now_ms`.
pub fn verify(key: &[u8; 32], token: &str, now_ms: i64) -> Result<Claims, TokenError> {
    let (payload, signature) = token.trim().split_once('.').ok_or(TokenError::Malformed)?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| TokenError::Malformed)?;
    mac(key, payload)
        .verify_slice(&signature)
        .map_err(|_| TokenError::BadSignature)?;
    let bytes = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| TokenError::Malformed)?;
    let claims: Claims = serde_json::from_slice(&bytes).map_err(|_| TokenError::Malformed)?;
    if now_ms > claims.expires_at {
        return Err(TokenError::Expired);
    }
    Ok(claims)
}
