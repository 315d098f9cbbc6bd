//! The certificate method: the leaf certificate in the bundle must chain,
//! through the bundle's intermediates, to one of the trust anchors the user
//! gives (`--certificate-chain`), each link verified by signature (never by
//! name alone: in the reference vectors the leaf's subject equals its
//! issuer), valid at the leaf's notBefore (the reference semantics), and the
//! leaf must allow code signing. The DSSE signature is then checked with the
//! leaf's key.

use der::{Decode, Encode};
use x509_cert::Certificate;

use crate::path;

const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_EC: &str = "1.2.840.10045.2.1";
const OID_SHA256_RSA: &str = "1.2.840.113549.1.1.11";
const OID_SHA384_RSA: &str = "1.2.840.113549.1.1.12";
const OID_SHA512_RSA: &str = "1.2.840.113549.1.1.13";
pub(crate) const OID_ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";
const OID_ECDSA_SHA384: &str = "1.2.840.10045.4.3.3";
const OID_ECDSA_SHA512: &str = "1.2.840.10045.4.3.4";
const MAX_CHAIN: usize = 8;

/// PEM certificates from a trust file (text before or between blocks is fine).
pub(crate) fn load_anchors(pem: &str) -> Result<Vec<Certificate>, String> {
    let out = crate::encoding::pem_blocks(pem, "CERTIFICATE")?
        .iter()
        .map(|der| parse_der(der))
        .collect::<Result<Vec<_>, _>>()?;
    if out.is_empty() {
        return Err("no certificate in the trust file".into());
    }
    Ok(out)
}

/// A certificate's public key as SPKI DER.
pub(crate) fn spki_der(cert: &Certificate) -> Result<Vec<u8>, String> {
    cert.tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| e.to_string())
}

pub(crate) fn parse_der(der: &[u8]) -> Result<Certificate, String> {
    Certificate::from_der(der).map_err(|e| format!("not a certificate: {e}"))
}

/// Verifies `child`'s signature with `issuer`'s public key.
pub(crate) fn signed_by(child: &Certificate, issuer: &Certificate) -> bool {
    let Ok(tbs) = child.tbs_certificate.to_der() else {
        return false;
    };
    let sig = child.signature.raw_bytes();
    let alg = child.signature_algorithm.oid.to_string();
    let spki = &issuer.tbs_certificate.subject_public_key_info;
    let key_alg = spki.algorithm.oid.to_string();
    let key_bytes = spki.subject_public_key.raw_bytes();
    match key_alg.as_str() {
        OID_RSA => {
            use rsa::pkcs1::DecodeRsaPublicKey;
            use rsa::signature::Verifier;
            let Ok(key) = rsa::RsaPublicKey::from_pkcs1_der(key_bytes) else {
                return false;
            };
            let Ok(s) = rsa::pkcs1v15::Signature::try_from(sig) else {
                return false;
            };
            match alg.as_str() {
                OID_SHA256_RSA => rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key)
                    .verify(&tbs, &s)
                    .is_ok(),
                OID_SHA384_RSA => rsa::pkcs1v15::VerifyingKey::<sha2::Sha384>::new(key)
                    .verify(&tbs, &s)
                    .is_ok(),
                OID_SHA512_RSA => rsa::pkcs1v15::VerifyingKey::<sha2::Sha512>::new(key)
                    .verify(&tbs, &s)
                    .is_ok(),
                _ => false,
            }
        }
        OID_EC => {
            // The curve decides the key type; the signature algorithm the hash.
            let Ok(spki_der) = spki.to_der() else {
                return false;
            };
            let Some(key) = crate::Key::from_spki_der(&spki_der) else {
                return false;
            };
            match alg.as_str() {
                OID_ECDSA_SHA256 | OID_ECDSA_SHA384 | OID_ECDSA_SHA512 => {
                    key.verify_with_alg(&tbs, sig, &alg)
                }
                _ => false,
            }
        }
        _ => false,
    }
}

pub(crate) fn extension<'a>(cert: &'a Certificate, oid: &str) -> Option<&'a [u8]> {
    cert.tbs_certificate
        .extensions
        .as_ref()?
        .iter()
        .find(|e| e.extn_id.to_string() == oid)
        .map(|e| e.extn_value.as_bytes())
}

/// Builds the chain from the leaf through the bundle's intermediates to one
/// of the anchors (each link found by name and verified signature), then
/// validates it by the rules of `path` at the leaf's notBefore (the
/// reference semantics). Returns the leaf's SPKI DER and who signed.
pub(crate) fn verify_chain(
    bundle_certs: &[Certificate],
    anchors: &[Certificate],
) -> Result<(Vec<u8>, String), String> {
    let leaf = bundle_certs
        .first()
        .ok_or("the bundle has no certificate")?;
    let at = leaf
        .tbs_certificate
        .validity
        .not_before
        .to_unix_duration()
        .as_secs();
    let anchor_ders: Vec<Option<Vec<u8>>> = anchors.iter().map(path::der_of).collect();
    let is_anchor = |c: &Certificate| anchor_ders.contains(&path::der_of(c));
    let mut chain = vec![leaf];
    while !is_anchor(chain[chain.len() - 1]) {
        if chain.len() > MAX_CHAIN {
            return Err("certificate chain too long".into());
        }
        let current = chain[chain.len() - 1];
        // Next link: an anchor or an untrusted intermediate of the issuer's
        // name, one that really signed it if there is one; otherwise the
        // first of that name, so that the validation names what is wrong.
        let candidates: Vec<&Certificate> = anchors
            .iter()
            .chain(bundle_certs.iter().skip(1))
            .filter(|c| {
                c.tbs_certificate.subject == current.tbs_certificate.issuer
                    && !chain.iter().any(|seen| std::ptr::eq(*seen, *c))
            })
            .collect();
        let next = candidates
            .iter()
            .find(|c| signed_by(current, c))
            .or(candidates.first())
            .copied();
        match next {
            Some(n) => chain.push(n),
            None => {
                return Err(format!(
                    "no trusted issuer for {}",
                    current.tbs_certificate.subject
                ));
            }
        }
    }
    path::validate(&chain, at, path::Usage::CodeSigning).map_err(|b| b.to_string())?;
    Ok((
        spki_der(leaf)?,
        format!(
            "certificate {} (chain of {})",
            leaf.tbs_certificate.subject,
            chain.len()
        ),
    ))
}
