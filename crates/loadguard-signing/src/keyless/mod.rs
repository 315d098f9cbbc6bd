//! Sigstore keyless signatures, verified offline against a trusted root:
//! a verified time (RFC 3161 timestamps and/or the Rekor v1 SET), the
//! Fulcio chain at that time, the embedded SCT, the Rekor v1 or v2 entry
//! (body, inclusion proof, checkpoint), the Sigstore certificate profile,
//! and the DSSE signature with the certificate's key. The caller compares
//! the identity.
//!
//! The steps and their order follow sigstore-python's `verify_dsse`.

mod fulcio;
pub(crate) mod rekor;
mod sct;
pub(crate) mod timestamp;
pub(crate) mod trust_root;

use der::Decode;
use serde_json::Value;
use x509_cert::Certificate;

pub(crate) use fulcio::Identity;
pub use trust_root::TrustedRoot;

use crate::bundle::{base64_field, items};
use crate::key::Key;
use crate::time::format_unix;

/// The keyless parts of a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Material {
    certificate: Vec<u8>,
    tlog_entries: Value,
    timestamps: Vec<Vec<u8>>,
}

impl Material {
    pub(crate) fn parse(vm: &Value) -> Result<Self, String> {
        let certificate = base64_field(&vm["certificate"]["rawBytes"], "the keyless certificate")?;
        let timestamps = items(&vm["timestampVerificationData"]["rfc3161Timestamps"])
            .iter()
            .map(|t| base64_field(&t["signedTimestamp"], "a signed timestamp"))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            certificate,
            tlog_entries: vm["tlogEntries"].clone(),
            timestamps,
        })
    }

    /// The identity the certificate claims, before any verification (for
    /// reports when the signature cannot be checked).
    pub(crate) fn claimed_identity(&self) -> Option<Identity> {
        let leaf = Certificate::from_der(&self.certificate).ok()?;
        fulcio::identity(&leaf).ok()
    }
}

/// A verified keyless signature.
#[derive(Debug)]
pub(crate) struct Verified {
    pub(crate) identity: Identity,
    /// Verified signing times and their sources.
    pub(crate) times: Vec<(u64, &'static str)>,
}

impl Verified {
    pub(crate) fn describe_times(&self) -> String {
        self.times
            .iter()
            .map(|(t, source)| format!("{} ({source})", format_unix(*t)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Verifies everything but the identity policy.
pub(crate) fn verify(
    material: &Material,
    payload_type: &str,
    payload: &[u8],
    signature: &[u8],
    root: &TrustedRoot,
) -> Result<Verified, String> {
    let leaf = Certificate::from_der(&material.certificate)
        .map_err(|e| format!("the signing certificate is not DER: {e}"))?;
    // (0) Verified times: timestamps, then the log's integration time.
    if material.timestamps.len() > timestamp::MAX_TIMESTAMPS {
        return Err(format!(
            "{} signed timestamps (at most {} are accepted)",
            material.timestamps.len(),
            timestamp::MAX_TIMESTAMPS
        ));
    }
    let mut times = Vec::new();
    for ts in &material.timestamps {
        let t =
            timestamp::verify(ts, signature, root).map_err(|e| format!("signed timestamp: {e}"))?;
        times.push((t, "timestamp authority"));
    }
    let entries = rekor::parse_entries(&material.tlog_entries)?;
    let [entry] = entries.as_slice() else {
        return Err(format!(
            "{} transparency log entries; exactly one is expected",
            entries.len()
        ));
    };
    let signed = rekor::Signed {
        payload_type,
        payload,
        signature,
        leaf: &leaf,
    };
    if let Some(t) = rekor::verify(entry, root, &signed).map_err(|e| format!("Rekor: {e}"))? {
        times.push((t, "Rekor integration time"));
    }
    if times.is_empty() {
        return Err("no verified signing time (no timestamp and no signed entry timestamp)".into());
    }
    // (1) The chain holds at every verified time.
    let mut issuer = None;
    for (t, _) in &times {
        issuer = Some(fulcio::chain_at(&leaf, root, *t)?);
    }
    let issuer = issuer.ok_or("no verified signing time")?;
    // (2) The SCT, (3) the Sigstore profile.
    sct::verify(&leaf, issuer, root).map_err(|e| format!("certificate transparency: {e}"))?;
    fulcio::check_profile(&leaf)?;
    // (7) The DSSE signature with the certificate's key.
    let key = Key::from_spki_der(&crate::certificate::spki_der(&leaf)?)
        .ok_or("the signing certificate's key is not ECDSA P-256/P-384/P-521")?;
    if !key.verify(&crate::pae(payload_type, payload), signature) {
        return Err(format!(
            "the {} signature does not verify with the signing certificate",
            key.curve()
        ));
    }
    Ok(Verified {
        identity: fulcio::identity(&leaf)?,
        times,
    })
}
