//! The model folder against the signed manifest: files or shards hashed
//! again in parallel (SHA-256, BLAKE2b, BLAKE3), ignore paths as the
//! reference applies them, and what the signer's own ignore paths leave out.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use loadguard_core::{Finding, Location, Severity};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::bundle::Signed;
use crate::{VerifyOptions, finding, hex, rules};

/// Paths the reference tool ignores by default.
const GIT_PATHS: &[&str] = &[".git", ".gitattributes", ".github", ".gitignore"];

/// A path relative to the model root, as an ignore path matches it: itself
/// and everything under it; `.` (or empty) is the whole model.
pub(crate) fn under(rel: &str, ignore: &str) -> bool {
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

pub(crate) fn is_model_file(rel: &str) -> bool {
    Path::new(rel)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| MODEL_FILE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// What comparing the folder with the signed manifest found.
pub(crate) struct Comparison {
    /// Changed, missing or extra files: the signature does not hold.
    pub(crate) mismatches: Vec<Finding>,
    /// Files the signer's own ignore paths leave out.
    pub(crate) excluded: Vec<Finding>,
}

/// Hashes the model as the signer did (with `hash`, the signed hash type)
/// and compares, file by file.
pub(crate) fn compare_manifest(
    model: &Path,
    signature: &Path,
    signed: &Signed,
    hash: FileHash,
    options: &VerifyOptions,
) -> Comparison {
    let mut out = Vec::new();
    let mut excluded = Vec::new();
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
        return Comparison {
            mismatches: out,
            excluded,
        };
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
            return Comparison {
                mismatches: out,
                excluded,
            };
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
        let message = match digest {
            None => "cannot be read, so it cannot be compared with what was signed",
            Some(d) if Some(d.as_str()) != expected.get(name).copied() => {
                "changed since it was signed (digest mismatch)"
            }
            Some(_) => continue,
        };
        out.push(finding(
            &rules::sig_manifest::RULE,
            &root.join(path_of(name)),
            Some(name),
            message.into(),
        ));
    }
    Comparison {
        mismatches: out,
        excluded,
    }
}

/// The digests model_signing records per file or shard.
#[derive(Debug, Clone, Copy)]
pub(crate) enum FileHash {
    Sha256,
    /// BLAKE2b with a 64-byte digest (Python's `hashlib.blake2b()`).
    Blake2b,
    Blake3,
}

impl FileHash {
    pub(crate) fn from_hash_type(hash_type: &str) -> Option<Self> {
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
