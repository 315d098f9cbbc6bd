//! The certificate method: the leaf certificate in the bundle must chain,
//! through the bundle's intermediates, to one of the trust anchors the user
//! gives (`--certificate-chain`), each link verified by signature (never by
//! name alone: in the reference vectors the leaf's subject equals its
//! issuer), valid at the leaf's notBefore (the reference semantics), and the
//! leaf must allow code signing. The DSSE signature is then checked with the
//! leaf's key.

use der::{Decode, Encode};
use x509_cert::Certificate;

const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_EC: &str = "1.2.840.10045.2.1";
const OID_SHA256_RSA: &str = "1.2.840.113549.1.1.11";
const OID_SHA384_RSA: &str = "1.2.840.113549.1.1.12";
const OID_SHA512_RSA: &str = "1.2.840.113549.1.1.13";
pub(crate) const OID_ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";
const OID_ECDSA_SHA384: &str = "1.2.840.10045.4.3.3";
const OID_ECDSA_SHA512: &str = "1.2.840.10045.4.3.4";
const OID_KEY_USAGE: &str = "2.5.29.15";
const OID_EXT_KEY_USAGE: &str = "2.5.29.37";
pub(crate) const OID_CODE_SIGNING: &str = "1.3.6.1.5.5.7.3.3";
const MAX_CHAIN: usize = 8;

/// PEM certificates from a trust file (text before or between blocks is fine).
pub(crate) fn load_anchors(pem: &str) -> Result<Vec<Certificate>, String> {
    let mut out = Vec::new();
    let mut rest = pem;
    while let Some(start) = rest.find("-----BEGIN CERTIFICATE-----") {
        let end_marker = "-----END CERTIFICATE-----";
        let end = rest[start..]
            .find(end_marker)
            .ok_or("unterminated PEM certificate")?
            + start
            + end_marker.len();
        let block = &rest[start..end];
        let body: String = block
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect::<Vec<_>>()
            .join("");
        let der = loadguard_core::codec::base64_decode(body.as_bytes())
            .ok_or("bad base64 in a certificate")?;
        out.push(Certificate::from_der(&der).map_err(|e| format!("not a certificate: {e}"))?);
        rest = &rest[end..];
    }
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

pub(crate) fn valid_at(cert: &Certificate, unix: u64) -> bool {
    let v = &cert.tbs_certificate.validity;
    let nb = v.not_before.to_unix_duration().as_secs();
    let na = v.not_after.to_unix_duration().as_secs();
    nb <= unix && unix <= na
}

pub(crate) fn extension<'a>(cert: &'a Certificate, oid: &str) -> Option<&'a [u8]> {
    cert.tbs_certificate
        .extensions
        .as_ref()?
        .iter()
        .find(|e| e.extn_id.to_string() == oid)
        .map(|e| e.extn_value.as_bytes())
}

pub(crate) fn allows_digital_signature(cert: &Certificate) -> bool {
    extension(cert, OID_KEY_USAGE)
        .and_then(|v| der::asn1::BitString::from_der(v).ok())
        .is_some_and(|b| b.raw_bytes().first().is_some_and(|byte| byte & 0x80 != 0))
}

pub(crate) fn has_extended_key_usage(cert: &Certificate, oid: &str) -> bool {
    extension(cert, OID_EXT_KEY_USAGE).is_some_and(|v| {
        x509_cert::ext::pkix::ExtendedKeyUsage::from_der(v)
            .is_ok_and(|eku| eku.0.iter().any(|o| o.to_string() == oid))
    })
}

/// KeyUsage digitalSignature, or ExtendedKeyUsage codeSigning (either suffices,
/// as in the reference verifier).
fn may_sign_code(leaf: &Certificate) -> bool {
    let no_key_usage =
        extension(leaf, OID_KEY_USAGE).is_none() && extension(leaf, OID_EXT_KEY_USAGE).is_none();
    allows_digital_signature(leaf) || has_extended_key_usage(leaf, OID_CODE_SIGNING) || no_key_usage
}

/// Builds and checks the chain. Returns the leaf's SPKI DER and a
/// description of who signed, or why it failed.
pub(crate) fn verify_chain(
    bundle_certs: &[Certificate],
    anchors: &[Certificate],
) -> Result<(Vec<u8>, String), String> {
    let leaf = bundle_certs
        .first()
        .ok_or("the bundle has no certificate")?;
    if !may_sign_code(leaf) {
        return Err(
            "the signing certificate allows neither digitalSignature nor codeSigning".into(),
        );
    }
    let at = leaf
        .tbs_certificate
        .validity
        .not_before
        .to_unix_duration()
        .as_secs();
    let is_anchor = |c: &Certificate| anchors.iter().any(|a| a.to_der().ok() == c.to_der().ok());
    let mut current = leaf;
    let mut path = vec![current];
    for _ in 0..MAX_CHAIN {
        if !valid_at(current, at) {
            return Err(format!(
                "{} is not valid at the signing time",
                current.tbs_certificate.subject
            ));
        }
        if is_anchor(current) {
            return Ok((
                spki_der(leaf)?,
                format!(
                    "certificate {} (chain of {})",
                    leaf.tbs_certificate.subject,
                    path.len()
                ),
            ));
        }
        // Next link: an anchor or an untrusted intermediate that really signed it.
        let next = anchors.iter().chain(bundle_certs.iter().skip(1)).find(|c| {
            c.tbs_certificate.subject == current.tbs_certificate.issuer
                && signed_by(current, c)
                && !std::ptr::eq(*c, current)
        });
        match next {
            Some(n) => {
                current = n;
                path.push(n);
            }
            None => {
                return Err(format!(
                    "no trusted issuer for {}",
                    current.tbs_certificate.subject
                ));
            }
        }
    }
    Err("certificate chain too long".into())
}
