//! Signed checkpoints of the audit chain's head: sequence number and hash,
//! HMAC-signed with the chain key and kept outside the database. The keyed
//! chain shows that no stored entry was changed; a checkpoint also shows that
//! none was cut off the end — the entry it names must still be there with
//! the same hash. An operator may lodge checkpoints with an outside notary
//! or ledger (`govpulse audit anchor`) so that even the key holder cannot
//! rewrite history older than the last lodged checkpoint unnoticed.

use crate::audit::ChainKey;
use serde::{Deserialize, Serialize};

/// Domain label: a checkpoint MAC can never be mistaken for an entry hash.
const LABEL: &[u8] = b"govpulse audit checkpoint v1";

/// The signed head of the chain at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    pub at_ms: i64,
    /// Hex HMAC-SHA256 over the fields above.
    pub mac: String,
}

impl Checkpoint {
    pub fn sign(key: &ChainKey, seq: i64, hash: &str, at_ms: i64) -> Self {
        Self {
            seq,
            hash: hash.to_string(),
            at_ms,
            mac: Self::mac(key, seq, hash, at_ms),
        }
    }

    fn mac(key: &ChainKey, seq: i64, hash: &str, at_ms: i64) -> String {
        key.mac_hex(&[
            LABEL,
            &seq.to_be_bytes(),
            hash.as_bytes(),
            &at_ms.to_be_bytes(),
        ])
    }

    /// Was this checkpoint signed with `key` (and left unchanged since)?
    pub fn authentic(&self, key: &ChainKey) -> bool {
        let expected = Self::mac(key, self.seq, &self.hash, self.at_ms);
        expected.len() == self.mac.len()
            && expected
                .bytes()
                .zip(self.mac.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }

    /// Check the stored chain against this checkpoint: `hash_at_seq` is the
    /// stored hash of entry `self.seq` (None if absent), `last_seq` the
    /// newest stored entry. Err names what is wrong.
    pub fn check_chain(
        &self,
        key: &ChainKey,
        hash_at_seq: Option<&str>,
        last_seq: i64,
    ) -> Result<(), String> {
        if !self.authentic(key) {
            return Err("checkpoint signature does not match (forged or another key)".into());
        }
        if last_seq < self.seq {
            return Err(format!(
                "log truncated: checkpoint names entry {} but the log ends at {last_seq}",
                self.seq
            ));
        }
        match hash_at_seq {
            Some(hash) if hash == self.hash => Ok(()),
            Some(_) => Err(format!(
                "entry {} differs from the checkpoint: the log was rewritten",
                self.seq
            )),
            None => Err(format!(
                "entry {} named by the checkpoint is missing",
                self.seq
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: ChainKey = ChainKey([3; 32]);

    #[test]
    fn a_signed_checkpoint_matches_its_chain_only() {
        let checkpoint = Checkpoint::sign(&KEY, 10, "abc", 1_000);
        assert!(checkpoint.check_chain(&KEY, Some("abc"), 10).is_ok());
        assert!(checkpoint.check_chain(&KEY, Some("abc"), 12).is_ok());
        let cut = checkpoint.check_chain(&KEY, None, 7).unwrap_err();
        assert!(cut.contains("truncated"), "{cut}");
        let rewritten = checkpoint.check_chain(&KEY, Some("abd"), 10).unwrap_err();
        assert!(rewritten.contains("rewritten"), "{rewritten}");
    }

    #[test]
    fn an_edited_or_foreign_checkpoint_is_refused() {
        let mut checkpoint = Checkpoint::sign(&KEY, 10, "abc", 1_000);
        assert!(!checkpoint.authentic(&ChainKey([4; 32])));
        checkpoint.seq = 5;
        assert!(!checkpoint.authentic(&KEY));
        assert!(checkpoint.check_chain(&KEY, Some("abc"), 10).is_err());
    }
}
