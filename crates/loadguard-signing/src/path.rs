//! Certification path validation, RFC 5280 section 6.1, for the three chains
//! this verifier checks: the certificate method's chain to the user's
//! anchors, the Fulcio chain to a trusted certificate authority, and a
//! timestamp authority's chain. One module, each rule a small named check
//! with its section.
//!
//! Why not a maintained path validator: `rustls-webpki` validates TLS server
//! and client paths (its usages are `serverAuth`/`clientAuth`-shaped, it
//! needs the whole chain up front and reports failures as opaque enums) and
//! would bring a second X.509 parser and `ring`'s crypto next to the
//! RustCrypto stack the rest of the verifier uses; the RustCrypto family has
//! no path validator yet. The rules below are the subset of 6.1 that these
//! chains exercise (no policy or name-constraint processing: a certificate
//! that marks either critical is refused rather than half-checked).

use der::{Decode, Encode};
use x509_cert::Certificate;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages};

use crate::certificate::signed_by;

pub(crate) const OID_KEY_USAGE: &str = "2.5.29.15";
pub(crate) const OID_SUBJECT_ALT_NAME: &str = "2.5.29.17";
pub(crate) const OID_BASIC_CONSTRAINTS: &str = "2.5.29.19";
pub(crate) const OID_EXT_KEY_USAGE: &str = "2.5.29.37";
pub(crate) const OID_CODE_SIGNING: &str = "1.3.6.1.5.5.7.3.3";
pub(crate) const OID_TIME_STAMPING: &str = "1.3.6.1.5.5.7.3.8";

/// Extensions this verifier understands: a critical extension outside this
/// list makes the certificate unusable (RFC 5280 4.2).
const UNDERSTOOD: &[&str] = &[
    OID_KEY_USAGE,
    OID_SUBJECT_ALT_NAME,
    OID_BASIC_CONSTRAINTS,
    OID_EXT_KEY_USAGE,
    "2.5.29.14", // subject key identifier
    "2.5.29.35", // authority key identifier
];
/// Sigstore's Fulcio extensions (OIDC issuer, workflow details...).
const UNDERSTOOD_PREFIX: &str = "1.3.6.1.4.1.57264.1.";

/// What the end of the path must be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Usage {
    /// The certificate method: digitalSignature, or codeSigning (either,
    /// as the reference verifier accepts; never neither).
    CodeSigning,
    /// Fulcio's profile: digitalSignature and codeSigning, not a CA.
    SigstoreCodeSigning,
    /// A timestamp authority: timeStamping.
    TimeStamping,
}

/// A rule that a path breaks, for the finding's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Broken {
    pub(crate) rule: &'static str,
    pub(crate) detail: String,
}

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.detail, self.rule)
    }
}

fn broken(rule: &'static str, detail: String) -> Broken {
    Broken { rule, detail }
}

/// Validates `path`: the end-entity certificate first, each certificate's
/// issuer after it, a trusted certificate last. `at` is the verification
/// time (Unix seconds).
pub(crate) fn validate(path: &[&Certificate], at: u64, usage: Usage) -> Result<(), Broken> {
    let leaf = path
        .first()
        .ok_or_else(|| broken("RFC 5280 6.1", "empty certification path".into()))?;
    for cert in path {
        validity(cert, at)?;
        critical_extensions_understood(cert)?;
        signature_algorithms_agree(cert)?;
    }
    for pair in path.windows(2) {
        names_chain(pair[0], pair[1])?;
        signature_verifies(pair[0], pair[1])?;
        issuer_is_ca(pair[1])?;
        issuer_may_sign_certificates(pair[1])?;
    }
    path_length(path)?;
    end_entity_usage(leaf, usage)
}

/// 6.1.3 (a)(2): the certificate is valid at the verification time.
pub(crate) fn validity(cert: &Certificate, at: u64) -> Result<(), Broken> {
    let v = &cert.tbs_certificate.validity;
    let nb = v.not_before.to_unix_duration().as_secs();
    let na = v.not_after.to_unix_duration().as_secs();
    if nb <= at && at <= na {
        Ok(())
    } else {
        Err(broken(
            "RFC 5280 6.1.3 (a)(2), validity",
            format!(
                "{} is not valid at the signing time ({})",
                describe(cert),
                crate::time::format_unix(at)
            ),
        ))
    }
}

/// 4.2: a critical extension that is not understood makes the certificate
/// unusable.
pub(crate) fn critical_extensions_understood(cert: &Certificate) -> Result<(), Broken> {
    for e in cert.tbs_certificate.extensions.iter().flatten() {
        let id = e.extn_id.to_string();
        if e.critical && !UNDERSTOOD.contains(&id.as_str()) && !id.starts_with(UNDERSTOOD_PREFIX) {
            return Err(broken(
                "RFC 5280 4.2, critical extensions",
                format!(
                    "{} has a critical extension {id} that is not understood",
                    describe(cert)
                ),
            ));
        }
    }
    Ok(())
}

/// 4.1.1.2: the outer signature algorithm equals the one inside the
/// signed part.
pub(crate) fn signature_algorithms_agree(cert: &Certificate) -> Result<(), Broken> {
    if cert.signature_algorithm == cert.tbs_certificate.signature {
        Ok(())
    } else {
        Err(broken(
            "RFC 5280 4.1.1.2, signatureAlgorithm",
            format!(
                "{} names {} outside its signed part and {} inside",
                describe(cert),
                cert.signature_algorithm.oid,
                cert.tbs_certificate.signature.oid
            ),
        ))
    }
}

/// 6.1.3 (a)(4): the issuer name is the next certificate's subject.
pub(crate) fn names_chain(child: &Certificate, issuer: &Certificate) -> Result<(), Broken> {
    if child.tbs_certificate.issuer == issuer.tbs_certificate.subject {
        Ok(())
    } else {
        Err(broken(
            "RFC 5280 6.1.3 (a)(4), name chaining",
            format!("{} is not issued by {}", describe(child), describe(issuer)),
        ))
    }
}

/// 6.1.3 (a)(1): the signature verifies with the issuer's key.
pub(crate) fn signature_verifies(child: &Certificate, issuer: &Certificate) -> Result<(), Broken> {
    if signed_by(child, issuer) {
        Ok(())
    } else {
        Err(broken(
            "RFC 5280 6.1.3 (a)(1), signature",
            format!(
                "{}'s signature does not verify with {}'s key",
                describe(child),
                describe(issuer)
            ),
        ))
    }
}

fn basic_constraints(cert: &Certificate) -> Option<BasicConstraints> {
    crate::certificate::extension(cert, OID_BASIC_CONSTRAINTS)
        .and_then(|v| BasicConstraints::from_der(v).ok())
}

fn key_usage(cert: &Certificate) -> Option<KeyUsage> {
    crate::certificate::extension(cert, OID_KEY_USAGE).and_then(|v| KeyUsage::from_der(v).ok())
}

/// 6.1.4 (k): a certificate that issues another has basicConstraints with
/// cA set.
pub(crate) fn issuer_is_ca(issuer: &Certificate) -> Result<(), Broken> {
    if basic_constraints(issuer).is_some_and(|b| b.ca) {
        Ok(())
    } else {
        Err(broken(
            "RFC 5280 6.1.4 (k), basicConstraints cA",
            format!("{} issues a certificate but is not a CA", describe(issuer)),
        ))
    }
}

/// 6.1.4 (n): when keyUsage is present, an issuer has keyCertSign.
pub(crate) fn issuer_may_sign_certificates(issuer: &Certificate) -> Result<(), Broken> {
    let has_extension = crate::certificate::extension(issuer, OID_KEY_USAGE).is_some();
    match key_usage(issuer) {
        Some(ku) if ku.0.contains(KeyUsages::KeyCertSign) => Ok(()),
        None if !has_extension => Ok(()),
        _ => Err(broken(
            "RFC 5280 6.1.4 (n), keyCertSign",
            format!(
                "{}'s key usage does not allow signing certificates",
                describe(issuer)
            ),
        )),
    }
}

/// 6.1.4 (l) and (m): each CA's pathLenConstraint bounds the number of
/// non-self-issued intermediates below it.
pub(crate) fn path_length(path: &[&Certificate]) -> Result<(), Broken> {
    // From the trusted end down to the certificate above the leaf.
    let mut max = usize::MAX;
    for (i, cert) in path.iter().enumerate().skip(1).rev() {
        let self_issued = cert.tbs_certificate.issuer == cert.tbs_certificate.subject;
        if i < path.len() - 1 && !self_issued {
            if max == 0 {
                return Err(broken(
                    "RFC 5280 6.1.4 (l), path length",
                    format!(
                        "{} is one intermediate too many for a pathLenConstraint above it",
                        describe(cert)
                    ),
                ));
            }
            max -= 1;
        }
        if let Some(len) = basic_constraints(cert).and_then(|b| b.path_len_constraint) {
            max = max.min(usize::from(len));
        }
    }
    Ok(())
}

fn eku_contains(cert: &Certificate, oid: &str) -> bool {
    crate::certificate::extension(cert, OID_EXT_KEY_USAGE).is_some_and(|v| {
        ExtendedKeyUsage::from_der(v).is_ok_and(|eku| eku.0.iter().any(|o| o.to_string() == oid))
    })
}

/// Whether keyUsage allows digitalSignature.
pub(crate) fn allows_digital_signature(cert: &Certificate) -> bool {
    key_usage(cert).is_some_and(|ku| ku.0.contains(KeyUsages::DigitalSignature))
}

/// The end-entity certificate may do what it is used for.
pub(crate) fn end_entity_usage(leaf: &Certificate, usage: Usage) -> Result<(), Broken> {
    let ok = match usage {
        Usage::CodeSigning => {
            allows_digital_signature(leaf) || eku_contains(leaf, OID_CODE_SIGNING)
        }
        Usage::SigstoreCodeSigning => {
            if basic_constraints(leaf).is_some_and(|b| b.ca) {
                return Err(broken(
                    "Sigstore Fulcio profile",
                    "the signing certificate is a CA certificate".into(),
                ));
            }
            if !allows_digital_signature(leaf) {
                return Err(broken(
                    "Sigstore Fulcio profile",
                    "the signing certificate's key usage is not digitalSignature".into(),
                ));
            }
            if !eku_contains(leaf, OID_CODE_SIGNING) {
                return Err(broken(
                    "Sigstore Fulcio profile",
                    "the signing certificate's extended key usage lacks codeSigning".into(),
                ));
            }
            true
        }
        Usage::TimeStamping => eku_contains(leaf, OID_TIME_STAMPING),
    };
    if ok {
        Ok(())
    } else {
        let what = match usage {
            Usage::CodeSigning | Usage::SigstoreCodeSigning => {
                "neither digitalSignature nor codeSigning"
            }
            Usage::TimeStamping => "no timeStamping extended key usage",
        };
        Err(broken(
            "RFC 5280 4.2.1.3 / 4.2.1.12, key usage",
            format!("{} allows {what}", describe(leaf)),
        ))
    }
}

fn describe(cert: &Certificate) -> String {
    let subject = cert.tbs_certificate.subject.to_string();
    if subject.is_empty() {
        // Fulcio leaves have an empty subject.
        format!(
            "the certificate with serial {}",
            cert.tbs_certificate.serial_number
        )
    } else {
        format!("certificate {subject}")
    }
}

/// The DER of a certificate, for comparing certificates by identity.
pub(crate) fn der_of(cert: &Certificate) -> Option<Vec<u8>> {
    cert.to_der().ok()
}
