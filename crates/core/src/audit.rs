//! Tamper-evident audit log (SEC-3): each entry stores
//! `HMAC-SHA256(key, previous hash ‖ canonical entry)` with a key kept outside
//! the database, so changing, removing or reordering any stored entry breaks
//! every hash after it, and whoever can write the database but lacks the key
//! cannot compute a chain that verifies.
//!
//! Chain versions: entries written before the key existed (version 1) carry
//! plain `SHA-256(previous hash ‖ canonical entry)`; they stay verifiable as
//! they are (the table is append-only, they are never re-hashed). Keyed
//! entries (version 2) follow them; a plain entry after a keyed one is a
//! break, so a forger cannot fall back to the unkeyed form.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Entries hashed with plain SHA-256 (written before the chain key existed).
pub const CHAIN_PLAIN: i32 = 1;
/// Entries hashed with HMAC-SHA256 under the chain key.
pub const CHAIN_KEYED: i32 = 2;

/// The secret the chain is keyed with (kept outside the database).
#[derive(Clone, PartialEq, Eq)]
pub struct ChainKey(pub [u8; 32]);

impl std::fmt::Debug for ChainKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChainKey(..)")
    }
}

impl ChainKey {
    /// Hex HMAC-SHA256 of `parts`, each length-prefixed so boundaries are unambiguous.
    pub fn mac_hex(&self, parts: &[&[u8]]) -> String {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        hex::encode(mac.finalize().into_bytes())
    }
}

/// Hash that precedes the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Outcome recorded for an audited action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Success,
    Failure,
    Denied,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
            Self::Denied => "denied",
        }
    }
}

/// One audit entry as stored (without its own hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: i64,
    pub at_ms: i64,
    pub actor: String,
    pub ip: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub result: String,
    /// Compact JSON text.
    pub details: String,
}

impl Entry {
    /// Canonical byte form: a JSON array in fixed field order. JSON escaping makes
    /// the form unambiguous whatever the fields contain.
    pub fn canonical(&self) -> String {
        serde_json::json!([
            self.seq,
            self.at_ms,
            self.actor,
            self.ip,
            self.action,
            self.object_type,
            self.object_id,
            self.result,
            self.details,
        ])
        .to_string()
    }

    /// The keyed hash this entry must carry when it follows `prev_hash`.
    pub fn keyed_hash(&self, key: &ChainKey, prev_hash: &str) -> String {
        key.mac_hex(&[prev_hash.as_bytes(), self.canonical().as_bytes()])
    }

    /// The hash of a version-1 (unkeyed) entry following `prev_hash`.
    pub fn chain_hash(&self, prev_hash: &str) -> String {
        let mut hasher = Sha256::new();
        hasher.update(prev_hash.as_bytes());
        hasher.update(self.canonical().as_bytes());
        hex::encode(hasher.finalize())
    }
}

/// Where and why a chain stops being intact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Break {
    pub seq: i64,
    pub reason: String,
}

/// Incremental verifier: feed stored entries in `seq` order.
#[derive(Debug)]
pub struct ChainVerifier {
    key: ChainKey,
    prev_hash: String,
    next_seq: i64,
    checked: u64,
    keyed_seen: bool,
}

impl ChainVerifier {
    pub fn new(key: ChainKey) -> Self {
        Self {
            key,
            prev_hash: GENESIS_HASH.to_string(),
            next_seq: 1,
            checked: 0,
            keyed_seen: false,
        }
    }

    /// Check one stored entry with the chain version and hash stored beside it.
    pub fn check(&mut self, entry: &Entry, chain: i32, stored_hash: &str) -> Result<(), Break> {
        let broken = |reason: String| Break {
            seq: entry.seq,
            reason,
        };
        if entry.seq != self.next_seq {
            return Err(broken(format!(
                "expected entry {} but found {}",
                self.next_seq, entry.seq
            )));
        }
        let expected = match chain {
            CHAIN_KEYED => entry.keyed_hash(&self.key, &self.prev_hash),
            CHAIN_PLAIN if !self.keyed_seen => entry.chain_hash(&self.prev_hash),
            CHAIN_PLAIN => return Err(broken("unkeyed entry after keyed ones".to_string())),
            other => return Err(broken(format!("unknown chain version {other}"))),
        };
        if expected != stored_hash {
            return Err(broken("content does not match its hash".to_string()));
        }
        self.keyed_seen |= chain == CHAIN_KEYED;
        self.prev_hash = expected;
        self.next_seq += 1;
        self.checked += 1;
        Ok(())
    }

    pub fn checked(&self) -> u64 {
        self.checked
    }

    /// Sequence number and hash of the last entry checked (0 and the genesis
    /// hash before any).
    pub fn head(&self) -> (i64, &str) {
        (self.next_seq - 1, &self.prev_hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64, actor: &str) -> Entry {
        Entry {
            seq,
            at_ms: 1_700_000_000_000 + seq,
            actor: actor.to_string(),
            ip: "127.0.0.1".into(),
            action: "user.create".into(),
            object_type: "user".into(),
            object_id: seq.to_string(),
            result: "success".into(),
            details: "{}".into(),
        }
    }

    fn key() -> ChainKey {
        ChainKey([7; 32])
    }

    fn chain(n: i64) -> Vec<(Entry, String)> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let e = entry(seq, "admin");
                prev = e.keyed_hash(&key(), &prev);
                (e, prev.clone())
            })
            .collect()
    }

    fn verify(rows: &[(Entry, String)]) -> Result<u64, Break> {
        let mut v = ChainVerifier::new(key());
        for (e, h) in rows {
            v.check(e, CHAIN_KEYED, h)?;
        }
        Ok(v.checked())
    }

    #[test]
    fn intact_chain_verifies() {
        assert_eq!(verify(&chain(5)), Ok(5));
    }

    #[test]
    fn one_changed_byte_is_found_at_its_entry() {
        let mut rows = chain(5);
        rows[2].0.actor = "admim".into();
        assert_eq!(verify(&rows).unwrap_err().seq, 3);
    }

    #[test]
    fn a_removed_entry_is_found() {
        let mut rows = chain(5);
        rows.remove(1);
        assert_eq!(verify(&rows).unwrap_err().seq, 3);
    }

    #[test]
    fn rehashing_one_entry_breaks_the_next() {
        let mut rows = chain(4);
        rows[1].0.result = "failure".into();
        rows[1].1 = rows[1].0.keyed_hash(&key(), &rows[0].1);
        assert_eq!(verify(&rows).unwrap_err().seq, 3);
    }

    #[test]
    fn rehashing_the_rest_without_the_key_is_found() {
        let mut rows = chain(4);
        rows[1].0.result = "failure".into();
        let mut prev = rows[0].1.clone();
        for (entry, hash) in rows.iter_mut().skip(1) {
            // Everything a forger without the key can compute.
            *hash = entry.chain_hash(&prev);
            prev = hash.clone();
        }
        assert_eq!(verify(&rows).unwrap_err().seq, 2);
        let mut v = ChainVerifier::new(key());
        v.check(&rows[0].0, CHAIN_KEYED, &rows[0].1).unwrap();
        let fallback = v.check(&rows[1].0, CHAIN_PLAIN, &rows[1].1).unwrap_err();
        assert!(fallback.reason.contains("unkeyed"), "{fallback:?}");
        let mut other = ChainVerifier::new(ChainKey([8; 32]));
        assert!(other.check(&rows[0].0, CHAIN_KEYED, &rows[0].1).is_err());
    }

    #[test]
    fn plain_entries_from_before_the_key_lead_into_keyed_ones() {
        let first = entry(1, "admin");
        let first_hash = first.chain_hash(GENESIS_HASH);
        let second = entry(2, "admin");
        let second_hash = second.keyed_hash(&key(), &first_hash);
        let mut v = ChainVerifier::new(key());
        v.check(&first, CHAIN_PLAIN, &first_hash).unwrap();
        v.check(&second, CHAIN_KEYED, &second_hash).unwrap();
        assert_eq!(v.head(), (2, second_hash.as_str()));
    }

    #[test]
    fn field_boundaries_are_unambiguous() {
        let mut a = entry(1, "ab");
        a.ip = "c".into();
        let mut b = entry(1, "a");
        b.ip = "bc".into();
        assert_ne!(a.canonical(), b.canonical());
    }
}
