//! The Fulcio signing certificate: its chain to a trusted certificate
//! authority at a verified time, the Sigstore profile (digitalSignature and
//! codeSigning), and the identity it binds (SAN and OIDC issuer).

use der::Decode;
use x509_cert::Certificate;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::ext::pkix::name::GeneralName;

use super::trust_root::TrustedRoot;
use crate::asn1;
use crate::certificate::{
    OID_CODE_SIGNING, allows_digital_signature, extension, has_extended_key_usage, signed_by,
    valid_at,
};
use crate::time::format_unix;

const OID_SUBJECT_ALT_NAME: &str = "2.5.29.17";
const OID_BASIC_CONSTRAINTS: &str = "2.5.29.19";
/// The OIDC issuer, DER-encoded UTF8String (current Fulcio).
const OID_ISSUER_V2: &str = "1.3.6.1.4.1.57264.1.8";
/// The OIDC issuer as raw bytes (deprecated, still written).
const OID_ISSUER_V1: &str = "1.3.6.1.4.1.57264.1.1";
/// Fulcio's username SAN (`otherName`, UTF8String), e.g. `foo!oidc.local`.
const OID_OTHERNAME_USERNAME: &str = "1.3.6.1.4.1.57264.1.7";

/// Who a Fulcio certificate says signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Identity {
    /// The subject alternative name: an email or a URI.
    pub(crate) san: String,
    pub(crate) issuer: String,
}

/// Finds a trusted certificate authority whose chain issued `leaf`, with
/// every certificate valid at `t`. Returns the leaf's issuer (needed for the
/// SCT).
pub(crate) fn chain_at<'r>(
    leaf: &Certificate,
    root: &'r TrustedRoot,
    t: u64,
) -> Result<&'r Certificate, String> {
    if is_ca(leaf) {
        return Err("the signing certificate is a CA certificate".into());
    }
    if !valid_at(leaf, t) {
        return Err(format!(
            "the signing certificate was not valid at the signing time {}",
            format_unix(t)
        ));
    }
    for ca in &root.certificate_authorities {
        let Some(issuer) = ca.chain.first() else {
            continue;
        };
        if !ca.valid.contains(t) || !signed_by(leaf, issuer) {
            continue;
        }
        let links_hold = ca.chain.windows(2).all(|w| signed_by(&w[0], &w[1]));
        let top = ca.chain.last().unwrap_or(issuer);
        let self_signed = signed_by(top, top);
        let all_valid = ca.chain.iter().all(|c| valid_at(c, t));
        if links_hold && self_signed && all_valid {
            return Ok(issuer);
        }
    }
    Err(format!(
        "the signing certificate does not chain to a certificate authority of the {} valid at {}",
        root.name,
        format_unix(t)
    ))
}

fn is_ca(cert: &Certificate) -> bool {
    extension(cert, OID_BASIC_CONSTRAINTS)
        .and_then(|v| x509_cert::ext::pkix::BasicConstraints::from_der(v).ok())
        .is_some_and(|b| b.ca)
}

/// Fulcio certificates sign code: both usages are required.
pub(crate) fn check_profile(leaf: &Certificate) -> Result<(), String> {
    if !allows_digital_signature(leaf) {
        return Err("the signing certificate's key usage is not digitalSignature".into());
    }
    if !has_extended_key_usage(leaf, OID_CODE_SIGNING) {
        return Err("the signing certificate's extended key usage lacks codeSigning".into());
    }
    Ok(())
}

/// The SAN (email, URI or Fulcio username) and the OIDC issuer (the DER extension first,
/// the raw legacy one as fallback).
pub(crate) fn identity(leaf: &Certificate) -> Result<Identity, String> {
    let san_der =
        extension(leaf, OID_SUBJECT_ALT_NAME).ok_or("the signing certificate has no SAN")?;
    let names = SubjectAltName::from_der(san_der).map_err(|e| format!("bad SAN: {e}"))?;
    let san = names
        .0
        .iter()
        .find_map(|n| match n {
            GeneralName::Rfc822Name(s) => Some(s.to_string()),
            GeneralName::UniformResourceIdentifier(s) => Some(s.to_string()),
            GeneralName::OtherName(o) if o.type_id.to_string() == OID_OTHERNAME_USERNAME => {
                der::asn1::Utf8StringRef::try_from(&o.value)
                    .ok()
                    .map(|u| u.to_string())
            }
            _ => None,
        })
        .ok_or("the signing certificate's SAN is not an email, a URI or a Fulcio username")?;
    let issuer = match extension(leaf, OID_ISSUER_V2) {
        Some(v) => {
            let s = asn1::single(v, asn1::UTF8_STRING)?;
            String::from_utf8(s.value.to_vec()).map_err(|_| "the OIDC issuer is not UTF-8")?
        }
        None => {
            let v = extension(leaf, OID_ISSUER_V1)
                .ok_or("the signing certificate names no OIDC issuer")?;
            String::from_utf8(v.to_vec()).map_err(|_| "the OIDC issuer is not UTF-8")?
        }
    };
    Ok(Identity { san, issuer })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_username_san_is_an_identity() {
        let der = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../tests/fixtures/sigstore/othername-leaf.der"),
        )
        .expect("cert");
        let leaf = Certificate::from_der(&der).expect("der");
        assert_eq!(
            identity(&leaf).expect("identity"),
            Identity {
                san: "foo!oidc.local".into(),
                issuer: "http://oidc.local:8080".into()
            }
        );
    }
}
