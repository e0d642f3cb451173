//! Personal-data protection for identity numbers (AGG-5): a keyed HMAC-SHA256
//! for matching (the same number always gives the same key, which reveals
//! nothing without the secret), an AES-256-GCM encrypted copy for authorised
//! reveals, and the masked form for display.
//!
//! The 64-byte secret lives in a key file (default: `govpulse.key` beside the
//! SQLite database, or `data/govpulse.key`), created on first start with mode 0600.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use std::path::{Path, PathBuf};

type HmacSha256 = Hmac<sha2::Sha256>;

pub struct IdentityVault {
    hmac_key: [u8; 32],
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for IdentityVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdentityVault(..)")
    }
}

/// Where the key file goes for a database URL when none is configured.
pub fn default_key_path(database_url: &str) -> PathBuf {
    let sqlite_path = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"));
    match sqlite_path.and_then(|p| Path::new(p).parent()) {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join("govpulse.key"),
        Some(_) => PathBuf::from("govpulse.key"),
        None => PathBuf::from("data/govpulse.key"),
    }
}

impl IdentityVault {
    /// Load the key file, creating it (0600) with fresh random bytes if absent.
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Self::create(path)?,
            Err(err) => {
                return Err(anyhow::anyhow!(
                    "cannot read key file {}: {err}",
                    path.display()
                ))
            }
        };
        let secret: [u8; 64] = bytes.as_slice().try_into().map_err(|_| {
            anyhow::anyhow!("key file {} must hold exactly 64 bytes", path.display())
        })?;
        Ok(Self::from_secret(&secret))
    }

    fn create(path: &Path) -> anyhow::Result<Vec<u8>> {
        let mut secret = vec![0u8; 64];
        getrandom::fill(&mut secret).map_err(|e| anyhow::anyhow!("no OS randomness: {e}"))?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        std::io::Write::write_all(&mut options.open(path)?, &secret)?;
        tracing::info!(path = %path.display(), "created identity key file");
        Ok(secret)
    }

    pub fn from_secret(secret: &[u8; 64]) -> Self {
        let mut hmac_key = [0u8; 32];
        hmac_key.copy_from_slice(&secret[..32]);
        let cipher = Aes256Gcm::new_from_slice(&secret[32..]).expect("32-byte AES key");
        Self { hmac_key, cipher }
    }

    /// The audit chain's key, derived from the same key file (a separate label,
    /// so it is never the identity numbers' matching key).
    pub fn audit_chain_key(&self) -> govpulse_core::audit::ChainKey {
        let mut mac =
            <HmacSha256 as Mac>::new_from_slice(&self.hmac_key).expect("HMAC takes any key length");
        mac.update(b"govpulse audit chain key v2");
        govpulse_core::audit::ChainKey(mac.finalize().into_bytes().into())
    }

    /// The key signing guidance answer tokens, derived like the audit chain's.
    pub fn guidance_token_key(&self) -> [u8; 32] {
        let mut mac =
            <HmacSha256 as Mac>::new_from_slice(&self.hmac_key).expect("HMAC takes any key length");
        mac.update(b"govpulse guidance token key v1");
        mac.finalize().into_bytes().into()
    }

    /// Matching key of an identity number (hex HMAC-SHA256).
    pub fn key(&self, id: &str) -> String {
        let mut mac =
            <HmacSha256 as Mac>::new_from_slice(&self.hmac_key).expect("HMAC takes any key length");
        mac.update(id.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Encrypt with a random 96-bit nonce; base64(nonce ‖ ciphertext).
    pub fn encrypt(&self, id: &str) -> String {
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).expect("OS random source unavailable");
        let sealed = self
            .cipher
            .encrypt(&Nonce::from(nonce), id.as_bytes())
            .expect("AES-GCM encryption of a short text cannot fail");
        let mut out = nonce.to_vec();
        out.extend(sealed);
        base64::engine::general_purpose::STANDARD.encode(out)
    }

    pub fn decrypt(&self, sealed: &str) -> Option<String> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(sealed)
            .ok()?;
        if bytes.len() < 12 {
            return None;
        }
        let (nonce, body) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().ok()?;
        let plain = self.cipher.decrypt(&Nonce::from(nonce), body).ok()?;
        String::from_utf8(plain).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_match_and_ciphertexts_round_trip() {
        let dir = std::env::temp_dir().join(format!("gp-vault-{}", std::process::id()));
        let path = dir.join("govpulse.key");
        let _ = std::fs::remove_file(&path);
        let vault = IdentityVault::open(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let again = IdentityVault::open(&path).unwrap();
        let id = "11010519491231002X";
        assert_eq!(vault.key(id), again.key(id));
        assert_ne!(vault.key(id), vault.key("110105194912310011"));
        let sealed = vault.encrypt(id);
        assert_ne!(sealed, vault.encrypt(id), "random nonces");
        assert!(!sealed.contains(id));
        assert_eq!(again.decrypt(&sealed).as_deref(), Some(id));
        assert_eq!(vault.decrypt("garbage"), None);
        let other = IdentityVault::from_secret(&[7u8; 64]);
        assert_eq!(other.decrypt(&sealed), None, "another key cannot read it");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn default_key_paths() {
        assert_eq!(
            default_key_path("sqlite://data/govpulse.db"),
            PathBuf::from("data/govpulse.key")
        );
        assert_eq!(
            default_key_path("sqlite:///tmp/x/a.db"),
            PathBuf::from("/tmp/x/govpulse.key")
        );
        assert_eq!(
            default_key_path("postgres://u@h/db"),
            PathBuf::from("data/govpulse.key")
        );
    }
}
