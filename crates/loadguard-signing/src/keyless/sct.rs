//! The signed certificate timestamp embedded in a Fulcio certificate
//! (RFC 6962 §3.2): proof that the certificate was logged in a CT log that
//! the trusted root names. The log signed the precertificate, which is the
//! leaf's TBSCertificate without the SCT extension.

use der::Encode;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;

use super::trust_root::TrustedRoot;
use crate::asn1;
use crate::certificate::{extension, spki_der};

const OID_SCT_LIST: &str = "1.3.6.1.4.1.11129.2.4.2";
/// TLS (HashAlgorithm, SignatureAlgorithm): ECDSA with SHA-256, Ed25519.
const ECDSA_SHA256: (u64, u64) = (4, 3);
const ED25519: (u64, u64) = (8, 7);

struct Sct<'a> {
    log_id: &'a [u8],
    algorithm: (u64, u64),
    timestamp_ms: u64,
    extensions: &'a [u8],
    signature: &'a [u8],
}

/// Reads big-endian TLS fields.
struct Tls<'a>(&'a [u8]);

impl<'a> Tls<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.0.len() < n {
            return Err("truncated SCT".into());
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn uint(&mut self, n: usize) -> Result<u64, String> {
        Ok(self
            .take(n)?
            .iter()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }

    fn vector(&mut self, len_bytes: usize) -> Result<&'a [u8], String> {
        let n = usize::try_from(self.uint(len_bytes)?).map_err(|_| "SCT length overflow")?;
        self.take(n)
    }
}

fn parse_single_sct(list: &[u8]) -> Result<Sct<'_>, String> {
    let mut outer = Tls(list);
    let mut entries = Tls(outer.vector(2)?);
    let first = entries.vector(2)?;
    if !entries.0.is_empty() {
        return Err("more than one SCT in the signing certificate".into());
    }
    let mut r = Tls(first);
    if r.uint(1)? != 0 {
        return Err("unknown SCT version".into());
    }
    let log_id = r.take(32)?;
    let timestamp_ms = r.uint(8)?;
    let extensions = r.vector(2)?;
    let algorithm = (r.uint(1)?, r.uint(1)?);
    if algorithm != ECDSA_SHA256 && algorithm != ED25519 {
        return Err("SCT signature is neither ECDSA with SHA-256 nor Ed25519".into());
    }
    let signature = r.vector(2)?;
    Ok(Sct {
        log_id,
        algorithm,
        timestamp_ms,
        extensions,
        signature,
    })
}

/// Verifies the leaf's single embedded SCT against the trusted CT logs.
pub(crate) fn verify(
    leaf: &Certificate,
    issuer: &Certificate,
    root: &TrustedRoot,
) -> Result<(), String> {
    let ext = extension(leaf, OID_SCT_LIST)
        .ok_or("the signing certificate carries no signed certificate timestamp")?;
    let list = asn1::single(ext, asn1::OCTET_STRING)?.value;
    let sct = parse_single_sct(list)?;
    let log = root
        .ctlogs
        .iter()
        .find(|l| l.log_id == sct.log_id)
        .ok_or("the SCT comes from a CT log that the trusted root does not name")?;
    // The precertificate: the TBS without the SCT list.
    let mut tbs = leaf.tbs_certificate.clone();
    if let Some(exts) = tbs.extensions.as_mut() {
        exts.retain(|e| e.extn_id.to_string() != OID_SCT_LIST);
    }
    let tbs_der = tbs.to_der().map_err(|e| e.to_string())?;
    let tbs_len = u32::try_from(tbs_der.len())
        .ok()
        .filter(|&n| n < 1 << 24)
        .ok_or("precertificate too large")?;
    let issuer_spki = spki_der(issuer)?;
    let ext_len = u16::try_from(sct.extensions.len()).map_err(|_| "SCT extensions too long")?;
    let mut signed = Vec::with_capacity(tbs_der.len() + 64);
    signed.push(0); // sct_version v1
    signed.push(0); // signature_type certificate_timestamp
    signed.extend_from_slice(&sct.timestamp_ms.to_be_bytes());
    signed.extend_from_slice(&1u16.to_be_bytes()); // entry_type precert_entry
    signed.extend_from_slice(&Sha256::digest(&issuer_spki));
    signed.extend_from_slice(&tbs_len.to_be_bytes()[1..]);
    signed.extend_from_slice(&tbs_der);
    signed.extend_from_slice(&ext_len.to_be_bytes());
    signed.extend_from_slice(sct.extensions);
    if log.key.is_ed25519() != (sct.algorithm == ED25519) || !log.key.verify(&signed, sct.signature)
    {
        return Err("the signed certificate timestamp does not verify".into());
    }
    if !log.valid.contains(sct.timestamp_ms / 1000) {
        return Err("the SCT was issued outside its CT log key's validity".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn malformed_sct_lists_are_errors() {
        assert!(super::parse_single_sct(&[]).is_err());
        assert!(super::parse_single_sct(&[0, 2, 0, 5]).is_err());
        // Two entries.
        let mut one = vec![0u8; 47];
        one[41] = 0; // no extensions
        one[43] = 4;
        one[44] = 3;
        let mut list = Vec::new();
        for _ in 0..2 {
            list.extend_from_slice(&(one.len() as u16).to_be_bytes());
            list.extend_from_slice(&one);
        }
        let mut outer = (list.len() as u16).to_be_bytes().to_vec();
        outer.extend_from_slice(&list);
        assert!(
            super::parse_single_sct(&outer)
                .err()
                .is_some_and(|e| e.contains("more than one"))
        );
    }
}
