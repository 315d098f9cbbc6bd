//! The Sigstore trusted root (`trusted_root.json`, media type
//! `application/vnd.dev.sigstore.trustedroot+json;version=0.1`): the Fulcio
//! certificate authorities, the Rekor and CT log keys and the timestamp
//! authorities a keyless signature is checked against.
//!
//! The public-good root is built in (`trust/public-good.json`, the root that
//! Sigstore distributes through TUF, as of the version in its header note in
//! `trust/README.md`); `--trust-root FILE` replaces it for private instances or
//! a newer root. Nothing is fetched.

use std::sync::{Arc, OnceLock};

use der::Decode;
use serde_json::Value;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;

use crate::bundle::{base64_field, items};
use crate::key::Key;
use crate::time::rfc3339;

const MEDIA_TYPE_PREFIX: &str = "application/vnd.dev.sigstore.trustedroot+json";
const PUBLIC_GOOD: &str = include_str!("../../trust/public-good.json");

/// A validity window in seconds since the epoch; `end` open when absent.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Window {
    pub(crate) start: u64,
    pub(crate) end: Option<u64>,
}

impl Window {
    pub(crate) fn contains(&self, t: u64) -> bool {
        self.start <= t && self.end.is_none_or(|e| t <= e)
    }
}

/// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the raw
/// 32-byte key follows.
const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// A log's signing key: ECDSA (Rekor v1, CT logs) or Ed25519 (Rekor v2).
pub(crate) enum LogVerifier {
    Ecdsa(Key),
    Ed25519(ed25519_dalek::VerifyingKey),
}

impl LogVerifier {
    fn from_spki_der(der: &[u8]) -> Option<Self> {
        if let Some(key) = Key::from_spki_der(der) {
            return Some(Self::Ecdsa(key));
        }
        let raw: [u8; 32] = der.strip_prefix(&ED25519_SPKI_PREFIX)?.try_into().ok()?;
        ed25519_dalek::VerifyingKey::from_bytes(&raw)
            .ok()
            .map(Self::Ed25519)
    }

    /// ECDSA (DER signature) with the curve's hash, or pure Ed25519.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match self {
            Self::Ecdsa(key) => key.verify(message, signature),
            Self::Ed25519(key) => ed25519_dalek::Signature::from_slice(signature)
                .is_ok_and(|s| key.verify_strict(message, &s).is_ok()),
        }
    }

    pub(crate) fn is_ed25519(&self) -> bool {
        matches!(self, Self::Ed25519(_))
    }
}

/// A transparency or CT log key, found by its log ID.
pub(crate) struct LogKey {
    pub(crate) log_id: Vec<u8>,
    pub(crate) key: LogVerifier,
    pub(crate) valid: Window,
}

/// A certificate authority or timestamp authority: its chain, leaf-most first.
pub(crate) struct Authority {
    pub(crate) chain: Vec<Certificate>,
    pub(crate) valid: Window,
}

pub struct TrustedRoot {
    pub(crate) tlogs: Vec<LogKey>,
    pub(crate) ctlogs: Vec<LogKey>,
    pub(crate) certificate_authorities: Vec<Authority>,
    pub(crate) timestamp_authorities: Vec<Authority>,
    /// Where it came from, for reports.
    pub name: String,
}

impl std::fmt::Debug for TrustedRoot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustedRoot")
            .field("name", &self.name)
            .field("tlogs", &self.tlogs.len())
            .field("ctlogs", &self.ctlogs.len())
            .field(
                "certificate_authorities",
                &self.certificate_authorities.len(),
            )
            .field("timestamp_authorities", &self.timestamp_authorities.len())
            .finish()
    }
}

impl TrustedRoot {
    /// The Sigstore public-good root built into this binary, parsed once
    /// per process (a scan verifies every signed folder against it).
    pub fn public_good() -> Arc<Self> {
        static ROOT: OnceLock<Arc<TrustedRoot>> = OnceLock::new();
        ROOT.get_or_init(|| {
            // The embedded file is tested to parse; failing here is a build defect.
            let root = Self::from_json(PUBLIC_GOOD, "built-in Sigstore public-good root")
                .unwrap_or_else(|e| panic!("embedded trusted root is invalid: {e}"));
            Arc::new(root)
        })
        .clone()
    }

    /// Parses a `trusted_root.json`. Log keys of other types (RSA CT logs)
    /// are skipped: what they signed cannot be verified here and is
    /// reported as coming from an unknown log.
    pub fn from_json(text: &str, name: &str) -> Result<Self, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let media = v["mediaType"].as_str().unwrap_or("");
        if !media.starts_with(MEDIA_TYPE_PREFIX) {
            return Err(format!(
                "media type {media:?} is not a Sigstore trusted root"
            ));
        }
        let root = Self {
            tlogs: log_keys(&v["tlogs"])?,
            ctlogs: log_keys(&v["ctlogs"])?,
            certificate_authorities: authorities(&v["certificateAuthorities"])?,
            timestamp_authorities: authorities(&v["timestampAuthorities"])?,
            name: name.to_owned(),
        };
        if root.certificate_authorities.is_empty() || root.tlogs.is_empty() {
            return Err("the trusted root has no certificate authority or no log".into());
        }
        Ok(root)
    }
}

fn window(v: &Value) -> Result<Window, String> {
    let start = v["start"]
        .as_str()
        .ok_or("validFor has no start")
        .and_then(|s| rfc3339(s).ok_or("validFor.start is not an RFC 3339 time"))?;
    let end = match v["end"].as_str() {
        Some(s) => Some(rfc3339(s).ok_or("validFor.end is not an RFC 3339 time")?),
        None => None,
    };
    Ok(Window { start, end })
}

fn log_keys(v: &Value) -> Result<Vec<LogKey>, String> {
    let mut out = Vec::new();
    for log in items(v) {
        let pk = &log["publicKey"];
        let der = base64_field(&pk["rawBytes"], "a log key")?;
        let Some(key) = LogVerifier::from_spki_der(&der) else {
            continue;
        };
        let log_id = match log["logId"]["keyId"].as_str() {
            Some(_) => base64_field(&log["logId"]["keyId"], "a log ID")?,
            None => Sha256::digest(&der).to_vec(),
        };
        out.push(LogKey {
            log_id,
            key,
            valid: window(&pk["validFor"])?,
        });
    }
    Ok(out)
}

fn authorities(v: &Value) -> Result<Vec<Authority>, String> {
    let mut out = Vec::new();
    for ca in items(v) {
        let chain = items(&ca["certChain"]["certificates"])
            .iter()
            .map(|c| {
                let der = base64_field(&c["rawBytes"], "a certificate")?;
                Certificate::from_der(&der).map_err(|e| format!("bad certificate: {e}"))
            })
            .collect::<Result<Vec<_>, String>>()?;
        if chain.is_empty() {
            return Err("an authority without certificates".into());
        }
        out.push(Authority {
            chain,
            valid: window(&ca["validFor"])?,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_root_parses() {
        let root = TrustedRoot::public_good();
        // Rekor v1 (ECDSA) and Rekor v2 (Ed25519).
        assert_eq!(root.tlogs.len(), 2);
        assert!(!root.tlogs[0].key.is_ed25519() && root.tlogs[1].key.is_ed25519());
        assert_eq!(root.ctlogs.len(), 2);
        assert_eq!(root.certificate_authorities.len(), 2);
        assert_eq!(root.timestamp_authorities.len(), 1);
        assert!(root.certificate_authorities[0].valid.end.is_some());
        assert!(root.certificate_authorities[1].valid.end.is_none());
    }

    #[test]
    fn rejects_what_is_not_a_trusted_root() {
        assert!(TrustedRoot::from_json("{}", "x").is_err());
        assert!(TrustedRoot::from_json("[", "x").is_err());
        let no_ca = r#"{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"}"#;
        assert!(TrustedRoot::from_json(no_ca, "x").is_err());
    }
}
