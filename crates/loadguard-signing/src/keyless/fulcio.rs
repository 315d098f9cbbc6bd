//! The Fulcio signing certificate: its chain to a trusted certificate
//! authority at a verified time, the Sigstore profile (digitalSignature and
//! codeSigning), and the identity it binds (SAN and OIDC issuer).

use der::Decode;
use x509_cert::Certificate;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::ext::pkix::name::GeneralName;

use super::trust_root::TrustedRoot;
use crate::certificate::{extension, signed_by};
use crate::path::{self, OID_SUBJECT_ALT_NAME, Usage};
use crate::time::format_unix;

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

/// Finds a trusted certificate authority whose chain issued `leaf`, and
/// validates the path (leaf, the authority's chain) by the rules of `path`
/// at `t`, inside the authority's validity period; the chain must end in a
/// self-signed root. Returns the leaf's issuer (needed for the SCT).
pub(crate) fn chain_at<'r>(
    leaf: &Certificate,
    root: &'r TrustedRoot,
    t: u64,
) -> Result<&'r Certificate, String> {
    // Candidates by name; the path validation verifies the signatures (once
    // each). A candidate of the right name whose key did not sign the leaf
    // (rotated authorities share names) only explains a failure when no
    // other candidate comes closer.
    let mut last_broken: Option<String> = None;
    for ca in &root.certificate_authorities {
        let Some(issuer) = ca.chain.first() else {
            continue;
        };
        if !ca.valid.contains(t) || leaf.tbs_certificate.issuer != issuer.tbs_certificate.subject {
            continue;
        }
        let top = ca.chain.last().unwrap_or(issuer);
        if !signed_by(top, top) {
            last_broken = Some(format!(
                "the certificate authority's chain does not end in a self-signed root ({})",
                root.name
            ));
            continue;
        }
        let chain: Vec<&Certificate> = std::iter::once(leaf).chain(ca.chain.iter()).collect();
        match path::validate(&chain, t, Usage::SigstoreCodeSigning) {
            Ok(()) => return Ok(issuer),
            Err(b) if b.rule.contains("(a)(1)") && last_broken.is_some() => {}
            Err(b) => last_broken = Some(b.to_string()),
        }
    }
    Err(last_broken.unwrap_or_else(|| {
        format!(
            "the signing certificate does not chain to a certificate authority of the {} valid at {}",
            root.name,
            format_unix(t)
        )
    }))
}

/// Fulcio certificates sign code: both usages are required, and a leaf is
/// not a CA.
pub(crate) fn check_profile(leaf: &Certificate) -> Result<(), String> {
    path::end_entity_usage(leaf, Usage::SigstoreCodeSigning).map_err(|b| b.to_string())
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
        Some(v) => der::asn1::Utf8StringRef::from_der(v)
            .map_err(|e| format!("the OIDC issuer is not a DER UTF8String: {e}"))?
            .to_string(),
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
