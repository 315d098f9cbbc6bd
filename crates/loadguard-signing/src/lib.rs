//! Offline verification of OpenSSF Model Signing signatures (`model.sig`: a
//! Sigstore bundle v0.3 whose DSSE envelope carries an in-toto statement).
//!
//! Where things are: `bundle` parses the bundle and the statement (every
//! layout the reference verifier reads); `key` and `certificate` verify the
//! public-key and certificate methods; `keyless` verifies Sigstore keyless
//! signatures offline against a trusted root; `manifest` hashes the folder
//! again and compares it with what was signed; `rules` holds the findings.
#![forbid(unsafe_code)]

mod bundle;
mod certificate;
mod encoding;
mod key;
mod keyless;
mod manifest;
mod path;
pub mod rules;
mod time;

use std::path::{Path, PathBuf};

use loadguard_core::{Finding, Location, Severity};
use sha2::{Digest, Sha256};

use bundle::{
    Bundle, Method, PAYLOAD_TYPE, Signed, pae_v0_2, parse_bundle, parse_statement, unhex,
};
use key::Key;
use manifest::{Comparison, FileHash, compare_manifest};

pub use bundle::pae;
pub use keyless::TrustedRoot;

pub const SIGNATURE_FILE: &str = "model.sig";
/// The largest `model.sig` read by default (64 MiB).
pub const MAX_SIGNATURE_BYTES: u64 = 64 << 20;

/// The outcome of a verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Signature valid and the model matches what was signed.
    Verified { by: String },
    /// Present, but this method cannot be verified with what was given.
    Unverifiable { why: String },
    /// The signature or the manifest does not hold.
    Invalid,
}

#[derive(Debug)]
pub struct Report {
    pub outcome: Outcome,
    pub findings: Vec<Finding>,
}

/// What to verify with.
#[derive(Debug, Default, Clone)]
pub struct VerifyOptions {
    /// PEM text of the public key (`--key`).
    pub public_key_pem: Option<String>,
    /// PEM trust anchors for certificate signatures (`--certificate-chain`).
    pub certificate_chain_pem: Option<String>,
    /// Extra ignore paths, relative to the model root.
    pub ignore_paths: Vec<String>,
    /// Do not ignore `.git`, `.gitattributes`, `.github`, `.gitignore`.
    pub no_ignore_git_paths: bool,
    /// The signer a keyless signature must name (SAN: email or URI).
    pub identity: Option<String>,
    /// The OIDC issuer a keyless signature must name.
    pub issuer: Option<String>,
    /// The Sigstore trusted root [default: the built-in public-good root].
    pub trust_root: Option<std::sync::Arc<TrustedRoot>>,
    /// A larger `model.sig` is not read [default: `MAX_SIGNATURE_BYTES`].
    pub max_signature_bytes: Option<u64>,
}

fn finding(
    rule: &'static loadguard_core::Rule,
    path: &Path,
    logical: Option<&str>,
    message: String,
) -> Finding {
    let mut location = Location::file(path.display().to_string());
    if let Some(l) = logical {
        location = location.with_logical(l.to_owned());
    }
    Finding::builder(rule, message).at(location).build()
}

fn hex(b: &[u8]) -> String {
    loadguard_core::codec::hex(b)
}

/// Finds `model.sig` for a model: inside a model folder, or beside a
/// single-file model.
pub fn signature_for(model: &Path) -> Option<PathBuf> {
    let candidate = if model.is_dir() {
        model.join(SIGNATURE_FILE)
    } else {
        model.parent()?.join(SIGNATURE_FILE)
    };
    candidate.is_file().then_some(candidate)
}

/// Why verification stopped before the files were compared.
enum Stop {
    Invalid(String),
    Unverifiable(String),
}

/// Who signed, as far as the signature proves it.
struct Signer {
    by: String,
    /// Set when the signature is valid but nothing ties it to an expected
    /// signer (keyless without `--identity` and `--issuer`).
    unpinned: Option<String>,
}

/// Verifies `model` (a folder or a single file) against its `model.sig`.
pub fn verify(model: &Path, signature: &Path, options: &VerifyOptions) -> Report {
    let invalid = |why: String| Report {
        outcome: Outcome::Invalid,
        findings: vec![finding(&rules::sig_invalid::RULE, signature, None, why)],
    };
    // A bundle for a model of ten thousand files is a few MB; a larger one
    // is not read into memory.
    let limit = options.max_signature_bytes.unwrap_or(MAX_SIGNATURE_BYTES);
    match std::fs::metadata(signature) {
        Ok(m) if m.len() > limit => {
            return invalid(format!(
                "the signature is {} bytes, over the {limit}-byte limit for a bundle (--max-signature-bytes)",
                m.len()
            ));
        }
        _ => {}
    }
    let text = match std::fs::read_to_string(signature) {
        Ok(t) => t,
        Err(e) => return invalid(format!("cannot read the signature: {e}")),
    };
    let (signer, signed, hash) = match check_signature(&text, options) {
        Ok(checked) => checked,
        Err(Stop::Invalid(why)) => return invalid(why),
        Err(Stop::Unverifiable(why)) => return unverifiable(signature, &why),
    };
    let Comparison {
        mut mismatches,
        excluded,
    } = compare_manifest(model, signature, &signed, hash, options);
    if !mismatches.is_empty() {
        mismatches.extend(excluded);
        return Report {
            outcome: Outcome::Invalid,
            findings: mismatches,
        };
    }
    if let Some(why) = signer.unpinned {
        let mut report = unverifiable(signature, &why);
        report.findings.extend(excluded);
        return report;
    }
    let by = if signed.legacy {
        format!("{} (legacy model_signing v0.2 layout)", signer.by)
    } else {
        signer.by
    };
    let mut findings = vec![finding(
        &rules::sig_verified::RULE,
        signature,
        None,
        format!("signature verified: signed by {by}"),
    )];
    findings.extend(excluded);
    Report {
        findings,
        outcome: Outcome::Verified { by },
    }
}

/// Everything but the files: the bundle, the signer, the statement and the
/// hash its files were signed with.
fn check_signature(
    text: &str,
    options: &VerifyOptions,
) -> Result<(Signer, Signed, FileHash), Stop> {
    let bundle = parse_bundle(text)
        .map_err(|e| Stop::Invalid(format!("not a model signature bundle: {e}")))?;
    if bundle.payload_type != PAYLOAD_TYPE {
        return Err(Stop::Invalid(format!(
            "payload type {:?}, expected {PAYLOAD_TYPE}",
            bundle.payload_type
        )));
    }
    let signer = match &bundle.method {
        Method::Key { hint, embedded_pem } => {
            let pem = options.public_key_pem.as_deref().ok_or_else(|| {
                Stop::Unverifiable(if embedded_pem.is_some() {
                    "signed with a public key (embedded in the bundle, so it proves nothing by itself): pass the expected key with --key".to_owned()
                } else {
                    "signed with a public key: pass it with --key to verify".to_owned()
                })
            })?;
            let key = Key::from_pem(pem).ok_or_else(|| {
                Stop::Invalid("the given key is not an ECDSA P-256/P-384/P-521 public key".into())
            })?;
            let mine = key.hint().unwrap_or_default();
            if let Some(h) = hint
                && h != &mine
            {
                return Err(Stop::Invalid(format!(
                    "the bundle was signed by key {h}, not by the given key {mine}"
                )));
            }
            let by = format!("{} key {mine}", key.curve());
            check_dsse(&key, &bundle, &by)?;
            Signer { by, unpinned: None }
        }
        Method::Certificate { chain } => {
            let anchors_pem = options.certificate_chain_pem.as_deref().ok_or_else(|| {
                Stop::Unverifiable(
                    "signed with a certificate: pass the trust anchors with --certificate-chain"
                        .into(),
                )
            })?;
            let chain: Result<Vec<_>, String> =
                chain.iter().map(|d| certificate::parse_der(d)).collect();
            let (spki, by) = certificate::load_anchors(anchors_pem)
                .and_then(|anchors| certificate::verify_chain(&chain?, &anchors))
                .map_err(|e| Stop::Invalid(format!("certificate chain: {e}")))?;
            let key = Key::from_spki_der(&spki).ok_or_else(|| {
                Stop::Invalid("the signing certificate's key is not ECDSA".into())
            })?;
            check_dsse(&key, &bundle, &by)?;
            Signer { by, unpinned: None }
        }
        Method::Keyless(material) => keyless_signer(material, &bundle, options)?,
    };
    let signed = parse_statement(&bundle.payload).map_err(Stop::Invalid)?;
    let Some(hash) = FileHash::from_hash_type(&signed.hash_type) else {
        return Err(Stop::Unverifiable(format!(
            "hash type {} is not supported; files were not compared",
            signed.hash_type
        )));
    };
    // The subject digest is the SHA-256 of the raw resource digests, in order.
    if let Some(subject) = &signed.subject_digest {
        let mut h = Sha256::new();
        for (_, _, d) in &signed.resources {
            h.update(unhex(d).unwrap_or_default());
        }
        if &hex(&h.finalize()) != subject {
            return Err(Stop::Invalid(
                "the manifest is inconsistent with the subject digest".into(),
            ));
        }
    }
    Ok((signer, signed, hash))
}

/// The DSSE signature over the PAE, with the v0.2 fallback that the
/// reference verifier keeps: model_signing v0.2 signed the Python `str` of
/// the payload bytes, hashed with SHA-256 whatever the curve.
fn check_dsse(key: &Key, bundle: &Bundle, by: &str) -> Result<(), Stop> {
    if key.verify(
        &pae(&bundle.payload_type, &bundle.payload),
        &bundle.signature,
    ) || key.verify_hashed(
        &pae_v0_2(&bundle.payload_type, &bundle.payload),
        &bundle.signature,
        key::Hash::Sha256,
    ) {
        return Ok(());
    }
    Err(Stop::Invalid(format!(
        "the {} signature does not verify with the {by}",
        key.curve()
    )))
}

fn keyless_signer(
    material: &keyless::Material,
    bundle: &Bundle,
    options: &VerifyOptions,
) -> Result<Signer, Stop> {
    let root = options
        .trust_root
        .clone()
        .unwrap_or_else(TrustedRoot::public_good);
    let verified = keyless::verify(
        material,
        &bundle.payload_type,
        &bundle.payload,
        &bundle.signature,
        &root,
    )
    .map_err(|e| {
        let claimed = material
            .claimed_identity()
            .map(|i| format!(" (the certificate claims {} from {})", i.san, i.issuer))
            .unwrap_or_default();
        // An authority or log the root does not know may just be newer
        // than the root built into this binary.
        let stale_hint = if options.trust_root.is_none()
            && (e.contains("trusted root") || e.contains("certificate authority of the"))
        {
            " (if the signature is newer than this loadguard, pass a current trusted_root.json with --trust-root)"
        } else {
            ""
        };
        Stop::Invalid(format!(
            "Sigstore keyless signature{claimed}, checked against the {}: {e}{stale_hint}",
            root.name
        ))
    })?;
    let id = &verified.identity;
    let signed_by = format!("{} (OIDC issuer {})", id.san, id.issuer);
    if let Some(want) = &options.identity
        && want != &id.san
    {
        return Err(Stop::Invalid(format!(
            "signed by {signed_by}, not by the expected identity {want}"
        )));
    }
    if let Some(want) = &options.issuer
        && want != &id.issuer
    {
        return Err(Stop::Invalid(format!(
            "signed by {signed_by}, not through the expected issuer {want}"
        )));
    }
    let unpinned = (options.identity.is_none() || options.issuer.is_none()).then(|| {
        format!(
            "a valid Sigstore signature by {signed_by}, but anyone can get one: pass --identity and --issuer to require this signer"
        )
    });
    Ok(Signer {
        by: format!(
            "{signed_by} with Sigstore, logged and timed at {} (checked against the {})",
            verified.describe_times(),
            root.name
        ),
        unpinned,
    })
}

fn unverifiable(signature: &Path, why: &str) -> Report {
    Report {
        outcome: Outcome::Unverifiable {
            why: why.to_owned(),
        },
        findings: vec![finding(
            &rules::sig_unverified::RULE,
            signature,
            None,
            why.to_owned(),
        )],
    }
}

fn missing(dir: &Path, severity: Severity) -> Finding {
    Finding::builder(
        &rules::sig_missing::RULE,
        "no model.sig: the model's origin cannot be checked".to_owned(),
    )
    .severity(severity)
    .at(Location::file(dir.display().to_string()))
    .build()
}

/// The signature status of every model folder under `root`, as
/// `loadguard scan` reports it: each folder holding a `model.sig` is
/// verified; a `root` with no signature anywhere beneath it is `SIG001`
/// (high with `require`); with `require`, so is every other folder of model
/// files that no signature covers.
pub fn statuses(
    root: &Path,
    options: &VerifyOptions,
    require: bool,
) -> Vec<(PathBuf, Vec<Finding>)> {
    let mut signed: Vec<PathBuf> = Vec::new();
    let mut model_dirs: std::collections::BTreeSet<PathBuf> = Default::default();
    for e in walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
    {
        let Some(parent) = e.path().parent() else {
            continue;
        };
        if e.file_name() == SIGNATURE_FILE {
            signed.push(parent.to_owned());
        } else if manifest::is_model_file(&e.file_name().to_string_lossy()) {
            model_dirs.insert(parent.to_owned());
        }
    }
    let severity = if require {
        Severity::High
    } else {
        Severity::Low
    };
    if signed.is_empty() {
        return vec![(root.to_owned(), vec![missing(root, severity)])];
    }
    let mut out: Vec<(PathBuf, Vec<Finding>)> = signed
        .iter()
        .map(|dir| {
            let findings = verify(dir, &dir.join(SIGNATURE_FILE), options).findings;
            (dir.clone(), findings)
        })
        .collect();
    if require {
        for dir in model_dirs {
            if !signed.iter().any(|s| dir.starts_with(s)) {
                let finding = missing(&dir, severity);
                out.push((dir, vec![finding]));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
