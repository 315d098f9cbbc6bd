//! Offline verification of OpenSSF Model Signing signatures (`model.sig`: a
//! Sigstore bundle v0.3 whose DSSE envelope carries an in-toto statement).
//!
//! Implemented: the public-key method (P-256, P-384, P-521 ECDSA over the
//! DSSE PAE, key hint check), the certificate method (chain to the given
//! anchors, RSA or ECDSA links, checked at the leaf's notBefore, code-signing
//! usage), the statement checks, and the manifest comparison (files and
//! shards, ignore paths) with parallel hashing. Sigstore keyless bundles are
//! parsed and reported as present but not verifiable by this version.
#![forbid(unsafe_code)]

mod certificate;
pub mod rules;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use loadguard_core::codec::base64_decode;
use loadguard_core::{Finding, Location, Severity};
use rayon::prelude::*;
use serde_json::Value;
use sha2::{Digest, Sha256};

pub const SIGNATURE_FILE: &str = "model.sig";
const BUNDLE_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
const PREDICATE_TYPE: &str = "https://model_signing/signature/v1.0";
const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// Paths the reference tool ignores by default.
const GIT_PATHS: &[&str] = &[".git", ".gitattributes", ".github", ".gitignore"];

/// How the bundle says it was signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    Key {
        hint: Option<String>,
        embedded_pem: Option<String>,
    },
    /// DER certificates: the leaf first, then intermediates.
    Certificate {
        chain: Vec<Vec<u8>>,
    },
    Keyless,
}

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

/// DSSE pre-authentication encoding.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

/// The PEM block of a public key, wherever it is in the text.
fn pem_block(text: &str) -> Option<&str> {
    let start = text.find("-----BEGIN PUBLIC KEY-----")?;
    let end =
        text[start..].find("-----END PUBLIC KEY-----")? + start + "-----END PUBLIC KEY-----".len();
    Some(&text[start..end])
}

/// A public key on one of the curves the reference signer uses.
enum Key {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    P521(p521::ecdsa::VerifyingKey),
}

impl Key {
    fn from_pem(text: &str) -> Option<Self> {
        let body: String = pem_block(text)?
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        Self::from_spki_der(&base64_decode(body.as_bytes())?)
    }

    fn from_spki_der(der: &[u8]) -> Option<Self> {
        use p256::pkcs8::DecodePublicKey;
        if let Ok(k) = p256::ecdsa::VerifyingKey::from_public_key_der(der) {
            return Some(Self::P256(k));
        }
        if let Ok(k) = p384::ecdsa::VerifyingKey::from_public_key_der(der) {
            return Some(Self::P384(k));
        }
        let pk = p521::PublicKey::from_public_key_der(der).ok()?;
        p521::ecdsa::VerifyingKey::from_sec1_bytes(&pk.to_sec1_bytes())
            .ok()
            .map(Self::P521)
    }

    /// Certificate signatures: only the curve's own hash is accepted.
    fn verify_with_alg(&self, message: &[u8], der: &[u8], alg_oid: &str) -> bool {
        let expected = match self {
            Self::P256(_) => "1.2.840.10045.4.3.2",
            Self::P384(_) => "1.2.840.10045.4.3.3",
            Self::P521(_) => "1.2.840.10045.4.3.4",
        };
        alg_oid == expected && self.verify(message, der)
    }

    /// sha256 of the canonical PEM (64-column base64, LF), as the hint.
    fn hint(&self) -> Option<String> {
        use p256::pkcs8::{EncodePublicKey, LineEnding};
        let pem = match self {
            Self::P256(k) => k.to_public_key_pem(LineEnding::LF).ok()?,
            Self::P384(k) => k.to_public_key_pem(LineEnding::LF).ok()?,
            Self::P521(k) => {
                p521::PublicKey::from_sec1_bytes(&k.to_encoded_point(false).to_bytes())
                    .ok()?
                    .to_public_key_pem(LineEnding::LF)
                    .ok()?
            }
        };
        Some(hex(&Sha256::digest(pem.as_bytes())))
    }

    fn verify(&self, message: &[u8], der: &[u8]) -> bool {
        use p256::ecdsa::signature::Verifier;
        match self {
            Self::P256(k) => {
                p256::ecdsa::Signature::from_der(der).is_ok_and(|s| k.verify(message, &s).is_ok())
            }
            Self::P384(k) => {
                p384::ecdsa::Signature::from_der(der).is_ok_and(|s| k.verify(message, &s).is_ok())
            }
            Self::P521(k) => {
                p521::ecdsa::Signature::from_der(der).is_ok_and(|s| k.verify(message, &s).is_ok())
            }
        }
    }

    fn curve(&self) -> &'static str {
        match self {
            Self::P256(_) => "P-256",
            Self::P384(_) => "P-384",
            Self::P521(_) => "P-521",
        }
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The parts of a bundle a verifier needs.
struct Bundle {
    method: Method,
    payload: Vec<u8>,
    payload_type: String,
    signature: Vec<u8>,
}

fn parse_bundle(text: &str) -> Result<Bundle, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let media = v["mediaType"].as_str().unwrap_or("");
    if media != BUNDLE_MEDIA_TYPE {
        return Err(format!(
            "media type {media:?}, expected {BUNDLE_MEDIA_TYPE}"
        ));
    }
    let vm = &v["verificationMaterial"];
    let method = if vm.get("publicKey").is_some() {
        let pk = &vm["publicKey"];
        let embedded_pem = pk["rawBytes"]
            .as_str()
            .and_then(|b| base64_decode(b.as_bytes()))
            .map(|b| String::from_utf8_lossy(&b).into_owned());
        Method::Key {
            hint: pk["hint"].as_str().map(str::to_owned),
            embedded_pem,
        }
    } else if vm.get("x509CertificateChain").is_some() {
        let chain = vm["x509CertificateChain"]["certificates"]
            .as_array()
            .map(|c| {
                c.iter()
                    .filter_map(|x| {
                        x["rawBytes"]
                            .as_str()
                            .and_then(|b| base64_decode(b.as_bytes()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Method::Certificate { chain }
    } else if vm.get("certificate").is_some() {
        Method::Keyless
    } else {
        return Err("no verification material".into());
    };
    let env = &v["dsseEnvelope"];
    let payload = env["payload"]
        .as_str()
        .and_then(|p| base64_decode(p.as_bytes()))
        .ok_or("dsseEnvelope.payload is not base64")?;
    let sigs = env["signatures"].as_array().ok_or("no signatures")?;
    if sigs.len() != 1 {
        return Err(format!(
            "{} signatures; exactly one is expected",
            sigs.len()
        ));
    }
    let signature = sigs[0]["sig"]
        .as_str()
        .and_then(|s| base64_decode(s.as_bytes()))
        .ok_or("signature is not base64")?;
    Ok(Bundle {
        method,
        payload,
        payload_type: env["payloadType"].as_str().unwrap_or("").to_owned(),
        signature,
    })
}

/// What the statement signed.
#[derive(Debug)]
struct Signed {
    subject_digest: String,
    method: String,
    hash_type: String,
    ignore_paths: Vec<String>,
    allow_symlinks: bool,
    resources: Vec<(String, String, String)>,
}

fn parse_statement(payload: &[u8]) -> Result<Signed, String> {
    let v: Value =
        serde_json::from_slice(payload).map_err(|e| format!("payload is not JSON: {e}"))?;
    if v["_type"] != STATEMENT_TYPE {
        return Err(format!("statement type {}", v["_type"]));
    }
    if v["predicateType"] != PREDICATE_TYPE {
        return Err(format!(
            "predicate type {} is not supported (legacy v0.1 layouts are not verified)",
            v["predicateType"]
        ));
    }
    let subjects = v["subject"].as_array().ok_or("no subject")?;
    if subjects.len() != 1 {
        return Err("exactly one subject is expected".into());
    }
    let subject_digest = subjects[0]["digest"]["sha256"]
        .as_str()
        .ok_or("subject has no sha256")?
        .to_owned();
    let p = &v["predicate"];
    let s = &p["serialization"];
    let resources = p["resources"]
        .as_array()
        .map(|r| {
            r.iter()
                .map(|x| {
                    (
                        x["name"].as_str().unwrap_or("").to_owned(),
                        x["algorithm"].as_str().unwrap_or("").to_owned(),
                        x["digest"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Signed {
        subject_digest,
        method: s["method"].as_str().unwrap_or("files").to_owned(),
        hash_type: s["hash_type"].as_str().unwrap_or("sha256").to_owned(),
        ignore_paths: s["ignore_paths"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        allow_symlinks: s["allow_symlinks"].as_bool().unwrap_or(false),
        resources,
    })
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

/// Verifies `model` (a folder or a single file) against its `model.sig`.
pub fn verify(model: &Path, signature: &Path, options: &VerifyOptions) -> Report {
    let mut findings = Vec::new();
    let invalid = |findings: Vec<Finding>| Report {
        outcome: Outcome::Invalid,
        findings,
    };
    let text = match std::fs::read_to_string(signature) {
        Ok(t) => t,
        Err(e) => {
            findings.push(finding(
                &rules::sig_invalid::RULE,
                signature,
                None,
                format!("cannot read the signature: {e}"),
            ));
            return invalid(findings);
        }
    };
    let bundle = match parse_bundle(&text) {
        Ok(b) => b,
        Err(e) => {
            findings.push(finding(
                &rules::sig_invalid::RULE,
                signature,
                None,
                format!("not a model signature bundle: {e}"),
            ));
            return invalid(findings);
        }
    };
    if bundle.payload_type != PAYLOAD_TYPE {
        findings.push(finding(
            &rules::sig_invalid::RULE,
            signature,
            None,
            format!(
                "payload type {:?}, expected {PAYLOAD_TYPE}",
                bundle.payload_type
            ),
        ));
        return invalid(findings);
    }
    let (key, by) = match &bundle.method {
        Method::Key { hint, embedded_pem } => {
            let Some(pem) = options.public_key_pem.as_deref() else {
                let why = if embedded_pem.is_some() {
                    "signed with a public key (embedded in the bundle, so it proves nothing by itself): pass the expected key with --key"
                } else {
                    "signed with a public key: pass it with --key to verify"
                };
                return unverifiable(signature, why);
            };
            let Some(key) = Key::from_pem(pem) else {
                findings.push(finding(
                    &rules::sig_invalid::RULE,
                    signature,
                    None,
                    "the given key is not an ECDSA P-256/P-384/P-521 public key".into(),
                ));
                return invalid(findings);
            };
            if let (Some(h), Some(mine)) = (hint, key.hint())
                && h != &mine
            {
                findings.push(finding(
                    &rules::sig_invalid::RULE,
                    signature,
                    None,
                    format!("the bundle was signed by key {h}, not by the given key {mine}"),
                ));
                return invalid(findings);
            }
            let by = format!("{} key {}", key.curve(), key.hint().unwrap_or_default());
            (key, by)
        }
        Method::Certificate { chain } => {
            let Some(anchors_pem) = options.certificate_chain_pem.as_deref() else {
                return unverifiable(
                    signature,
                    "signed with a certificate: pass the trust anchors with --certificate-chain",
                );
            };
            let chain: Result<Vec<_>, String> =
                chain.iter().map(|d| certificate::parse_der(d)).collect();
            let verified = certificate::load_anchors(anchors_pem)
                .and_then(|anchors| certificate::verify_chain(&chain?, &anchors));
            let (spki, by) = match verified {
                Ok(v) => v,
                Err(e) => {
                    findings.push(finding(
                        &rules::sig_invalid::RULE,
                        signature,
                        None,
                        format!("certificate chain: {e}"),
                    ));
                    return invalid(findings);
                }
            };
            let Some(key) = Key::from_spki_der(&spki) else {
                findings.push(finding(
                    &rules::sig_invalid::RULE,
                    signature,
                    None,
                    "the signing certificate's key is not ECDSA".into(),
                ));
                return invalid(findings);
            };
            (key, by)
        }
        Method::Keyless => {
            return unverifiable(
                signature,
                "signed with Sigstore (keyless); keyless verification is not implemented yet",
            );
        }
    };
    if !key.verify(
        &pae(&bundle.payload_type, &bundle.payload),
        &bundle.signature,
    ) {
        findings.push(finding(
            &rules::sig_invalid::RULE,
            signature,
            None,
            format!(
                "the {} signature does not verify with the {by}",
                key.curve()
            ),
        ));
        return invalid(findings);
    }
    let signed = match parse_statement(&bundle.payload) {
        Ok(s) => s,
        Err(e) => {
            findings.push(finding(&rules::sig_invalid::RULE, signature, None, e));
            return invalid(findings);
        }
    };
    // The subject digest is the SHA-256 of the raw resource digests, in order.
    let mut h = Sha256::new();
    for (_, _, d) in &signed.resources {
        h.update(unhex(d).unwrap_or_default());
    }
    if hex(&h.finalize()) != signed.subject_digest {
        findings.push(finding(
            &rules::sig_invalid::RULE,
            signature,
            None,
            "the manifest is inconsistent with the subject digest".into(),
        ));
        return invalid(findings);
    }
    findings.extend(compare_manifest(model, signature, &signed, options));
    if findings.is_empty() {
        Report {
            findings: vec![finding(
                &rules::sig_verified::RULE,
                signature,
                None,
                format!("signature verified: signed by {by}"),
            )],
            outcome: Outcome::Verified { by },
        }
    } else {
        invalid(findings)
    }
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

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Hashes the model as the signer did and compares, file by file.
fn compare_manifest(
    model: &Path,
    signature: &Path,
    signed: &Signed,
    options: &VerifyOptions,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if signed.hash_type != "sha256" {
        out.push(finding(
            &rules::sig_unverified::RULE,
            signature,
            None,
            format!(
                "hash type {} is not supported; files were not compared",
                signed.hash_type
            ),
        ));
        return out;
    }
    let single_file = model.is_file();
    let root = if single_file {
        model.parent().unwrap_or(Path::new("."))
    } else {
        model
    };
    let mut ignore: Vec<String> = signed.ignore_paths.clone();
    ignore.extend(options.ignore_paths.iter().cloned());
    if !options.no_ignore_git_paths {
        ignore.extend(GIT_PATHS.iter().map(|s| (*s).to_owned()));
    }
    let sig_rel = signature
        .strip_prefix(root)
        .ok()
        .map(|p| p.to_string_lossy().replace('\\', "/"));
    let ignored = |rel: &str| {
        sig_rel.as_deref() == Some(rel)
            || ignore
                .iter()
                .any(|i| rel == i || rel.starts_with(&format!("{}/", i.trim_end_matches('/'))))
    };
    // Local files (relative POSIX paths).
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    if single_file {
        files.push((".".to_owned(), model.to_owned()));
    } else {
        for e in walkdir::WalkDir::new(root)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            let rel = e
                .path()
                .strip_prefix(root)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            if rel.is_empty() || ignored(&rel) {
                continue;
            }
            if e.file_type().is_symlink() && !signed.allow_symlinks {
                out.push(finding(
                    &rules::sig_manifest::RULE,
                    e.path(),
                    Some(&rel),
                    "a symbolic link, which the signature does not allow".into(),
                ));
                continue;
            }
            if e.path().is_file() {
                files.push((rel, e.path().to_owned()));
            }
        }
    }
    // What was signed: names, or "path:start:end" shards.
    let mut expected: BTreeMap<String, String> = BTreeMap::new();
    let mut signed_paths: BTreeSet<String> = BTreeSet::new();
    for (name, _, digest) in &signed.resources {
        expected.insert(name.clone(), digest.clone());
        let path = if signed.method == "shards" {
            name.split(':').next().unwrap_or("").to_owned()
        } else {
            name.clone()
        };
        signed_paths.insert(path);
    }
    let local: BTreeSet<String> = files.iter().map(|(r, _)| r.clone()).collect();
    for extra in local.difference(&signed_paths) {
        out.push(finding(
            &rules::sig_manifest::RULE,
            &root.join(extra),
            Some(extra),
            "a file that the signature does not cover".into(),
        ));
    }
    for missing in signed_paths.difference(&local) {
        out.push(finding(
            &rules::sig_manifest::RULE,
            &root.join(missing),
            Some(missing),
            "a signed file is missing".into(),
        ));
    }
    // Hash in parallel: files, or shards of them.
    type Job = (String, PathBuf, Option<(u64, u64)>);
    let jobs: Vec<Job> = if signed.method == "shards" {
        expected
            .keys()
            .filter_map(|name| {
                let mut parts = name.splitn(3, ':');
                let (p, s, e) = (
                    parts.next()?,
                    parts.next()?.parse().ok()?,
                    parts.next()?.parse().ok()?,
                );
                let full = files.iter().find(|(r, _)| r == p)?.1.clone();
                Some((name.clone(), full, Some((s, e))))
            })
            .collect()
    } else {
        files
            .iter()
            .filter(|(r, _)| expected.contains_key(r))
            .map(|(r, p)| (r.clone(), p.clone(), None))
            .collect()
    };
    let digests: Vec<(String, Option<String>)> = jobs
        .par_iter()
        .map(|(name, path, range)| (name.clone(), hash_file(path, *range)))
        .collect();
    for (name, digest) in digests {
        if digest.as_deref() != expected.get(&name).map(String::as_str) {
            out.push(finding(
                &rules::sig_manifest::RULE,
                &root.join(name.split(':').next().unwrap_or(&name)),
                Some(&name),
                "changed since it was signed (digest mismatch)".into(),
            ));
        }
    }
    out
}

fn hash_file(path: &Path, range: Option<(u64, u64)>) -> Option<String> {
    use std::io::{Seek, SeekFrom};
    let mut f = std::fs::File::open(path).ok()?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut left = match range {
        Some((s, e)) => {
            f.seek(SeekFrom::Start(s)).ok()?;
            e.checked_sub(s)?
        }
        None => u64::MAX,
    };
    while left > 0 {
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = f.read(&mut buf[..want]).ok()?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        left -= n as u64;
    }
    Some(hex(&h.finalize()))
}

/// The signature status of a model folder, as `loadguard scan` reports it.
pub fn status(model: &Path, options: &VerifyOptions) -> Vec<Finding> {
    match signature_for(model) {
        None => vec![
            Finding::builder(
                &rules::sig_missing::RULE,
                "no model.sig: the model's origin cannot be checked".to_owned(),
            )
            .severity(Severity::Low)
            .at(Location::file(model.display().to_string()))
            .build(),
        ],
        Some(sig) => verify(model, &sig, options).findings,
    }
}

#[cfg(test)]
mod tests;
