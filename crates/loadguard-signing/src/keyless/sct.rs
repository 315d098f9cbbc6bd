//! The signed certificate timestamp embedded in a Fulcio certificate
//! (RFC 6962 §3.2): proof that the certificate was logged in a CT log that
//! the trusted root names. The log signed the precertificate, which is the
//! leaf's TBSCertificate without the SCT extension.

use der::{Decode, Encode};
use sha2::{Digest, Sha256};
use x509_cert::Certificate;
use x509_cert::ext::pkix::sct::{
    HashAlgorithm, SignatureAlgorithm, SignedCertificateTimestamp, SignedCertificateTimestampList,
    Version,
};

use super::trust_root::TrustedRoot;
use crate::certificate::{extension, spki_der};

const OID_SCT_LIST: &str = "1.3.6.1.4.1.11129.2.4.2";

/// The one SCT of the extension, decoded by `x509-cert` (DER OCTET STRING,
/// then the TLS-encoded list of RFC 6962 3.3).
fn single_sct(ext: &[u8]) -> Result<SignedCertificateTimestamp, String> {
    let list =
        SignedCertificateTimestampList::from_der(ext).map_err(|e| format!("bad SCT list: {e}"))?;
    let entries = list
        .parse_timestamps()
        .map_err(|e| format!("bad SCT list: {e:?}"))?;
    let [entry] = entries.as_slice() else {
        return Err(format!(
            "{} SCTs in the signing certificate, expected one",
            entries.len()
        ));
    };
    let sct = entry
        .parse_timestamp()
        .map_err(|e| format!("bad SCT: {e:?}"))?;
    if sct.version != Version::V1 {
        return Err("unknown SCT version".into());
    }
    Ok(sct)
}

/// Verifies the leaf's single embedded SCT against the trusted CT logs.
pub(crate) fn verify(
    leaf: &Certificate,
    issuer: &Certificate,
    root: &TrustedRoot,
) -> Result<(), String> {
    let ext = extension(leaf, OID_SCT_LIST)
        .ok_or("the signing certificate carries no signed certificate timestamp")?;
    let sct = single_sct(ext)?;
    let algorithm = &sct.signature.algorithm;
    let ed25519 = match (&algorithm.hash, &algorithm.signature) {
        (HashAlgorithm::Sha256, SignatureAlgorithm::Ecdsa) => false,
        (HashAlgorithm::Intrinsic, SignatureAlgorithm::Ed25519) => true,
        _ => return Err("SCT signature is neither ECDSA with SHA-256 nor Ed25519".into()),
    };
    let extensions = sct.extensions.as_slice();
    let log = root
        .ctlogs
        .iter()
        .find(|l| l.log_id == sct.log_id.key_id)
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
    let ext_len = u16::try_from(extensions.len()).map_err(|_| "SCT extensions too long")?;
    let mut signed = Vec::with_capacity(tbs_der.len() + 64);
    signed.push(0); // sct_version v1
    signed.push(0); // signature_type certificate_timestamp
    signed.extend_from_slice(&sct.timestamp.to_be_bytes());
    signed.extend_from_slice(&1u16.to_be_bytes()); // entry_type precert_entry
    signed.extend_from_slice(&Sha256::digest(&issuer_spki));
    signed.extend_from_slice(&tbs_len.to_be_bytes()[1..]);
    signed.extend_from_slice(&tbs_der);
    signed.extend_from_slice(&ext_len.to_be_bytes());
    signed.extend_from_slice(extensions);
    if log.key.is_ed25519() != ed25519
        || !log.key.verify(&signed, sct.signature.signature.as_slice())
    {
        return Err("the signed certificate timestamp does not verify".into());
    }
    if !log.valid.contains(sct.timestamp / 1000) {
        return Err("the SCT was issued outside its CT log key's validity".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use der::Encode;
    use der::asn1::OctetString;

    #[test]
    fn malformed_sct_lists_are_errors() {
        let wrap = |tls: &[u8]| {
            OctetString::new(tls)
                .expect("octets")
                .to_der()
                .expect("der")
        };
        assert!(super::single_sct(&wrap(&[])).is_err());
        assert!(super::single_sct(&wrap(&[0, 2, 0, 5])).is_err());
        // Two well-formed entries: one is expected.
        let mut one = vec![0u8; 47];
        one[43] = 4;
        one[44] = 3;
        let mut list = Vec::new();
        for _ in 0..2 {
            list.extend_from_slice(&(one.len() as u16).to_be_bytes());
            list.extend_from_slice(&one);
        }
        let mut outer = (list.len() as u16).to_be_bytes().to_vec();
        outer.extend_from_slice(&list);
        let err = super::single_sct(&wrap(&outer)).err().unwrap_or_default();
        assert!(err.contains("2 SCTs"), "{err}");
        // Not an OCTET STRING at all.
        assert!(super::single_sct(&outer).is_err());
    }
}
