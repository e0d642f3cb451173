//! Tamper-evident audit log (SEC-3): each entry stores
//! `SHA-256(previous hash ‖ canonical entry)`, so changing, removing or
//! reordering any stored entry breaks every hash after it.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

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

    /// The hash this entry must carry when it follows `prev_hash`.
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
    prev_hash: String,
    next_seq: i64,
    checked: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            prev_hash: GENESIS_HASH.to_string(),
            next_seq: 1,
            checked: 0,
        }
    }
}

impl ChainVerifier {
    /// Check one stored entry with the hash stored beside it.
    pub fn check(&mut self, entry: &Entry, stored_hash: &str) -> Result<(), Break> {
        if entry.seq != self.next_seq {
            return Err(Break {
                seq: entry.seq,
                reason: format!("expected entry {} but found {}", self.next_seq, entry.seq),
            });
        }
        let expected = entry.chain_hash(&self.prev_hash);
        if expected != stored_hash {
            return Err(Break {
                seq: entry.seq,
                reason: "content does not match its hash".to_string(),
            });
        }
        self.prev_hash = expected;
        self.next_seq += 1;
        self.checked += 1;
        Ok(())
    }

    pub fn checked(&self) -> u64 {
        self.checked
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

    fn chain(n: i64) -> Vec<(Entry, String)> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let e = entry(seq, "admin");
                prev = e.chain_hash(&prev);
                (e, prev.clone())
            })
            .collect()
    }

    fn verify(rows: &[(Entry, String)]) -> Result<u64, Break> {
        let mut v = ChainVerifier::default();
        for (e, h) in rows {
            v.check(e, h)?;
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
        rows[1].1 = rows[1].0.chain_hash(&rows[0].1);
        assert_eq!(verify(&rows).unwrap_err().seq, 3);
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
