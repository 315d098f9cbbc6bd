//! Offline verification of OpenSSF Model Signing signatures (`model.sig`: a
//! Sigstore bundle v0.3 whose DSSE envelope carries an in-toto statement).
//!
//! Implemented: the public-key method (P-256, P-384, P-521 ECDSA over the
//! DSSE PAE, key hint check), the certificate method (chain to the given
//! anchors, RSA or ECDSA links, checked at the leaf's notBefore, code-signing
//! usage), the statement checks, and the manifest comparison (files and
//! shards, ignore paths) with parallel hashing. Sigstore keyless bundles are
//! verified offline against a Sigstore trusted root (`keyless`).
#![forbid(unsafe_code)]

mod asn1;
mod certificate;
mod key;
mod keyless;
pub mod rules;
mod time;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use loadguard_core::codec::base64_decode;
use loadguard_core::{Finding, Location, Severity};
use rayon::prelude::*;
use serde_json::Value;
use sha2::{Digest, Sha256};

use key::Key;

pub use keyless::TrustedRoot;

pub const SIGNATURE_FILE: &str = "model.sig";
const BUNDLE_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
const PREDICATE_TYPE: &str = "https://model_signing/signature/v1.0";
/// The v0.2 predicate: every file a subject, no serialization section.
const PREDICATE_TYPE_V0_2: &str = "https://model_signing/Digests/v0.1";
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
    Certificate { chain: Vec<Vec<u8>> },
    /// Sigstore keyless: a Fulcio certificate, a Rekor entry, timestamps.
    Keyless(keyless::Material),
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
    /// The signer a keyless signature must name (SAN: email or URI).
    pub identity: Option<String>,
    /// The OIDC issuer a keyless signature must name.
    pub issuer: Option<String>,
    /// The Sigstore trusted root [default: the built-in public-good root].
    pub trust_root: Option<std::sync::Arc<TrustedRoot>>,
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

/// The PAE that model_signing v0.2 signed by mistake: `DSSEV1`, and the
/// payload as Python prints a `bytes` object (`b'...'` with escapes).
fn pae_v0_2(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    format!(
        "DSSEV1 {} {} {} {}",
        payload_type.len(),
        payload_type,
        payload.len(),
        python_bytes_repr(payload)
    )
    .into_bytes()
}

/// `repr(bytes)`: single quotes unless the bytes hold `'` and no `"`.
fn python_bytes_repr(b: &[u8]) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(b.len() + 3);
    out.push('b');
    out.push(quote);
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            c if c == quote as u8 => {
                out.push('\\');
                out.push(char::from(c));
            }
            0x20..=0x7e => out.push(char::from(c)),
            c => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push(quote);
    out
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

/// The elements of a JSON array; none when it is absent or not an array.
fn items(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or_default()
}

/// A base64 string field, decoded; the error names `what`.
fn base64_field(v: &Value, what: &str) -> Result<Vec<u8>, String> {
    v.as_str()
        .and_then(|s| base64_decode(s.as_bytes()))
        .ok_or_else(|| format!("{what} is missing or not base64"))
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
        let chain = items(&vm["x509CertificateChain"]["certificates"])
            .iter()
            .map(|c| base64_field(&c["rawBytes"], "a chain certificate"))
            .collect::<Result<Vec<_>, _>>()?;
        Method::Certificate { chain }
    } else if vm.get("certificate").is_some() {
        Method::Keyless(keyless::Material::parse(vm)?)
    } else {
        return Err("no verification material".into());
    };
    let env = &v["dsseEnvelope"];
    let payload = base64_field(&env["payload"], "dsseEnvelope.payload")?;
    let sigs = env["signatures"].as_array().ok_or("no signatures")?;
    if sigs.len() != 1 {
        return Err(format!(
            "{} signatures; exactly one is expected",
            sigs.len()
        ));
    }
    let signature = base64_field(&sigs[0]["sig"], "the signature")?;
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
    /// SHA-256 over the resource digests; absent in the v0.2 layout.
    subject_digest: Option<String>,
    /// Written by model_signing v0.2 (`Digests/v0.1` predicate).
    legacy: bool,
    /// Bytes per shard (`shards` method); a JSON float in real bundles.
    shard_size: Option<u64>,
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
    if v["predicateType"] == PREDICATE_TYPE_V0_2 {
        return parse_v0_2_statement(&v);
    }
    if v["predicateType"] != PREDICATE_TYPE {
        return Err(format!(
            "predicate type {} is not supported",
            v["predicateType"]
        ));
    }
    let subjects = v["subject"].as_array().ok_or("no subject")?;
    if subjects.len() != 1 {
        return Err("exactly one subject is expected".into());
    }
    let subject_digest = Some(
        subjects[0]["digest"]["sha256"]
            .as_str()
            .ok_or("subject has no sha256")?
            .to_owned(),
    );
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
    let shard_size = s["shard_size"]
        .as_f64()
        .or_else(|| s["shard_size"].as_str()?.parse().ok())
        .filter(|f| f.is_finite() && *f >= 1.0 && f.fract() == 0.0 && *f < 2f64.powi(63))
        .map(|f| f as u64);
    Ok(Signed {
        subject_digest,
        legacy: false,
        shard_size,
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

/// The v0.2 layout: every file is a subject with its SHA-256; the method is
/// implicitly files/sha256 and nothing else is recorded.
fn parse_v0_2_statement(v: &Value) -> Result<Signed, String> {
    let subjects = v["subject"].as_array().ok_or("no subject")?;
    let resources = subjects
        .iter()
        .map(|s| {
            let name = s["name"].as_str().ok_or("a subject has no name")?;
            let digest = s["digest"]["sha256"]
                .as_str()
                .ok_or("a subject has no sha256")?;
            Ok((name.to_owned(), "sha256".to_owned(), digest.to_owned()))
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Signed {
        subject_digest: None,
        legacy: true,
        shard_size: None,
        method: "files".to_owned(),
        hash_type: "sha256".to_owned(),
        ignore_paths: Vec::new(),
        allow_symlinks: false,
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
    let text = match std::fs::read_to_string(signature) {
        Ok(t) => t,
        Err(e) => return invalid(format!("cannot read the signature: {e}")),
    };
    let (signer, signed) = match check_signature(&text, options) {
        Ok(checked) => checked,
        Err(Stop::Invalid(why)) => return invalid(why),
        Err(Stop::Unverifiable(why)) => return unverifiable(signature, &why),
    };
    let Comparison {
        mut mismatches,
        excluded,
    } = compare_manifest(model, signature, &signed, options);
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

/// Everything but the files: the bundle, the signer, the statement.
fn check_signature(text: &str, options: &VerifyOptions) -> Result<(Signer, Signed), Stop> {
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
    if FileHash::from_hash_type(&signed.hash_type).is_none() {
        return Err(Stop::Unverifiable(format!(
            "hash type {} is not supported; files were not compared",
            signed.hash_type
        )));
    }
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
    Ok((signer, signed))
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
        .unwrap_or_else(|| std::sync::Arc::new(TrustedRoot::public_good()));
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
            "{signed_by} with Sigstore, logged and timed at {}",
            verified.describe_times()
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

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A path relative to the model root, as an ignore path matches it: itself
/// and everything under it; `.` (or empty) is the whole model.
fn under(rel: &str, ignore: &str) -> bool {
    let ignore = ignore.trim_start_matches("./").trim_end_matches('/');
    ignore.is_empty()
        || ignore == "."
        || rel == ignore
        || rel
            .strip_prefix(ignore)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// File extensions of weights, serialized objects, native code, Python code
/// and configuration: what a signature must not leave out.
const MODEL_FILE_EXTENSIONS: &[&str] = &[
    "bin",
    "pt",
    "pth",
    "pkl",
    "pickle",
    "ckpt",
    "safetensors",
    "gguf",
    "ggml",
    "onnx",
    "h5",
    "hdf5",
    "keras",
    "pb",
    "tflite",
    "npy",
    "npz",
    "joblib",
    "msgpack",
    "pte",
    "mlmodel",
    "so",
    "dylib",
    "dll",
    "py",
    "json",
    "jinja",
    "model",
];

fn is_model_file(rel: &str) -> bool {
    Path::new(rel)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| MODEL_FILE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// What comparing the folder with the signed manifest found.
struct Comparison {
    /// Changed, missing or extra files: the signature does not hold.
    mismatches: Vec<Finding>,
    /// Files the signer's own ignore paths leave out.
    excluded: Vec<Finding>,
}

/// Hashes the model as the signer did and compares, file by file.
fn compare_manifest(
    model: &Path,
    signature: &Path,
    signed: &Signed,
    options: &VerifyOptions,
) -> Comparison {
    let mut excluded = Vec::new();
    let out = compare_files(model, signature, signed, options, &mut excluded);
    Comparison {
        mismatches: out,
        excluded,
    }
}

fn compare_files(
    model: &Path,
    signature: &Path,
    signed: &Signed,
    options: &VerifyOptions,
    excluded: &mut Vec<Finding>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(hash) = FileHash::from_hash_type(&signed.hash_type) else {
        // Refused before the comparison; kept so this can never pass silently.
        out.push(finding(
            &rules::sig_invalid::RULE,
            signature,
            None,
            format!("hash type {} is not supported", signed.hash_type),
        ));
        return out;
    };
    // Each resource must name the hash the serialization says.
    for (name, algorithm, _) in &signed.resources {
        let consistent = algorithm == hash.algorithm()
            || (signed.method == "shards"
                && algorithm.starts_with(&format!("{}-sharded-", hash.algorithm())));
        if !consistent {
            out.push(finding(
                &rules::sig_invalid::RULE,
                signature,
                Some(name),
                format!(
                    "resource {name} was hashed with {algorithm}, not with the signed hash type {}",
                    signed.hash_type
                ),
            ));
        }
    }
    if !out.is_empty() {
        return out;
    }
    let single_file = model.is_file();
    let root = if single_file {
        model.parent().unwrap_or(Path::new("."))
    } else {
        model
    };
    // The verifier's own ignores (flags, git files, the signature itself)
    // are silent; what only the signer's ignore paths leave out is reported.
    let mut ignore: Vec<String> = options.ignore_paths.clone();
    if !options.no_ignore_git_paths {
        ignore.extend(GIT_PATHS.iter().map(|s| (*s).to_owned()));
    }
    let sig_rel = signature
        .strip_prefix(root)
        .ok()
        .map(|p| p.to_string_lossy().replace('\\', "/"));
    let ignored =
        |rel: &str| sig_rel.as_deref() == Some(rel) || ignore.iter().any(|i| under(rel, i));
    let signer_ignored = |rel: &str| signed.ignore_paths.iter().find(|i| under(rel, i));
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
            if let Some(by) = signer_ignored(&rel) {
                if e.file_type().is_file() {
                    let high = is_model_file(&rel);
                    excluded.push(
                        Finding::builder(
                            &rules::sig_excluded::RULE,
                            format!(
                                "not covered by the signature: the signer's ignore path {by:?} excludes it"
                            ),
                        )
                        .severity(if high { Severity::High } else { Severity::Low })
                        .at(Location::file(e.path().display().to_string()).with_logical(rel))
                        .build(),
                    );
                }
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
    // What was signed, by resource name: a path, or "path:start:end".
    let shards = signed.method == "shards";
    let path_of = |name: &str| -> String {
        if shards {
            // Split from the right: paths may contain ':'.
            name.rsplitn(3, ':').nth(2).unwrap_or(name).to_owned()
        } else {
            name.to_owned()
        }
    };
    let expected: BTreeMap<&str, &str> = signed
        .resources
        .iter()
        .map(|(n, _, d)| (n.as_str(), d.as_str()))
        .collect();
    let signed_paths: BTreeSet<String> = expected.keys().map(|n| path_of(n)).collect();
    // What is here, by the same names: each file, or its shards cut as the
    // signer cuts them (empty files have none).
    let mut local: BTreeMap<String, (PathBuf, Option<(u64, u64)>)> = BTreeMap::new();
    if shards {
        let Some(size) = signed.shard_size.filter(|&s| s > 0) else {
            out.push(finding(
                &rules::sig_invalid::RULE,
                signature,
                None,
                "a shards signature without a valid shard size".into(),
            ));
            return out;
        };
        // More shards than the signature lists means sizes changed; stop
        // counting there (a tiny shard size must not exhaust memory).
        let cap = expected.len() + files.len() + 1;
        'files: for (rel, path) in &files {
            let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
            let mut start = 0;
            while start < len {
                if local.len() >= cap {
                    break 'files;
                }
                let end = start.saturating_add(size).min(len);
                local.insert(
                    format!("{rel}:{start}:{end}"),
                    (path.clone(), Some((start, end))),
                );
                start = end;
            }
        }
    } else {
        for (rel, path) in &files {
            local.insert(rel.clone(), (path.clone(), None));
        }
    }
    let local_paths: BTreeSet<&str> = files.iter().map(|(r, _)| r.as_str()).collect();
    // Differences, one finding per file.
    let mut reported: BTreeSet<String> = BTreeSet::new();
    let unmatched = local
        .keys()
        .map(String::as_str)
        .filter(|n| !expected.contains_key(n))
        .chain(expected.keys().copied().filter(|n| !local.contains_key(*n)));
    for name in unmatched {
        let p = path_of(name);
        if !reported.insert(p.clone()) {
            continue;
        }
        let message = match (signed_paths.contains(&p), local_paths.contains(p.as_str())) {
            (true, true) => "its size changed since it was signed (its shards differ)",
            (true, false) => "a signed file is missing",
            _ => "a file that the signature does not cover",
        };
        out.push(finding(
            &rules::sig_manifest::RULE,
            &root.join(&p),
            Some(&p),
            message.into(),
        ));
    }
    // Hash in parallel what both sides have: files, or shards of them.
    let digests: Vec<(&str, Option<String>)> = local
        .par_iter()
        .filter(|(name, _)| expected.contains_key(name.as_str()))
        .map(|(name, (path, range))| (name.as_str(), hash_file(path, *range, hash)))
        .collect();
    for (name, digest) in digests {
        if digest.as_deref() != expected.get(name).copied() {
            out.push(finding(
                &rules::sig_manifest::RULE,
                &root.join(path_of(name)),
                Some(name),
                "changed since it was signed (digest mismatch)".into(),
            ));
        }
    }
    out
}

/// The digests model_signing records per file or shard.
#[derive(Debug, Clone, Copy)]
enum FileHash {
    Sha256,
    /// BLAKE2b with a 64-byte digest (Python's `hashlib.blake2b()`).
    Blake2b,
    Blake3,
}

impl FileHash {
    fn from_hash_type(hash_type: &str) -> Option<Self> {
        match hash_type {
            "sha256" => Some(Self::Sha256),
            "blake2" | "blake2b" => Some(Self::Blake2b),
            "blake3" => Some(Self::Blake3),
            _ => None,
        }
    }

    /// The resource algorithm name the signer writes.
    fn algorithm(self) -> &'static str {
        match self {
            Self::Sha256 => "sha256",
            Self::Blake2b => "blake2b",
            Self::Blake3 => "blake3",
        }
    }
}

enum Hasher {
    Sha256(Sha256),
    Blake2b(Box<blake2::Blake2b512>),
    Blake3(Box<blake3::Hasher>),
}

impl Hasher {
    fn new(kind: FileHash) -> Self {
        match kind {
            FileHash::Sha256 => Self::Sha256(Sha256::new()),
            FileHash::Blake2b => Self::Blake2b(Box::default()),
            FileHash::Blake3 => Self::Blake3(Box::default()),
        }
    }

    fn update(&mut self, data: &[u8]) {
        match self {
            Self::Sha256(h) => h.update(data),
            Self::Blake2b(h) => h.update(data),
            Self::Blake3(h) => {
                h.update(data);
            }
        }
    }

    fn finish_hex(self) -> String {
        match self {
            Self::Sha256(h) => hex(&h.finalize()),
            Self::Blake2b(h) => hex(&h.finalize()),
            Self::Blake3(h) => hex(h.finalize().as_bytes()),
        }
    }
}

fn hash_file(path: &Path, range: Option<(u64, u64)>, kind: FileHash) -> Option<String> {
    use std::io::{Seek, SeekFrom};
    let mut f = std::fs::File::open(path).ok()?;
    let mut h = Hasher::new(kind);
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
    Some(h.finish_hex())
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
