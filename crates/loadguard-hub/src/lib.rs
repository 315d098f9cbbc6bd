//! Scanning Hugging Face repositories without downloading them whole:
//! `hf:org/name[@revision]` is resolved to one commit, every file at that
//! commit is listed, and each is read through the same scanners as a local
//! file, by HTTP ranges ([`remote::RemoteFile`]), so a 10 GB checkpoint costs
//! its zip directory and pickle members. Also the local Hub cache
//! (`HF_HUB_OFFLINE=1`, `--hf-cache`). Network use happens only for an `hf:`
//! target or a Hub URL.
#![forbid(unsafe_code)]

pub mod cache;
pub mod client;
pub mod remote;
pub mod rules;
pub mod target;

use std::ops::ControlFlow;
use std::path::Path;

use loadguard_core::{Finding, Location};
use loadguard_pickle::Policy;
use loadguard_scan::{Format, ScanOptions};

use crate::client::{Client, HubError, RepoFile};
use crate::remote::RemoteFile;
use crate::target::HubTarget;

/// Files up to this size are fetched in one request and scanned from
/// memory; larger ones are read by ranges.
pub const WHOLE_FILE_LIMIT: u64 = 16 << 20;
/// Formats whose validators read the whole file (ONNX and TensorFlow
/// protobufs, HDF5) are fetched whole up to this size, and beyond it are
/// reported as not scanned.
pub const WHOLE_FORMAT_LIMIT: u64 = 1 << 30;

/// Whether the scanners need this file whole (no ranged reading).
fn needs_whole(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [".onnx", ".pb", ".h5", ".hdf5", ".tflite"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// One scanned file of a repository.
#[derive(Debug)]
pub struct ScannedFile {
    /// `hf:org/name@commit/path`.
    pub path: String,
    pub size: u64,
    pub format: Format,
    pub findings: Vec<Finding>,
}

/// A repository, scanned.
#[derive(Debug)]
pub struct RepoScan {
    /// `hf:org/name@commit`.
    pub name: String,
    pub commit: String,
    pub files: Vec<ScannedFile>,
    /// Findings about the repository as a whole.
    pub findings: Vec<Finding>,
    /// Files listed but not scanned because `on_file` asked to stop (a
    /// budget ran out): `(hf:org/name@commit/path, size)`, for the caller
    /// to report.
    pub unscanned: Vec<(String, u64)>,
}

fn finding(rule: &'static loadguard_core::Rule, path: &str, message: String) -> Finding {
    Finding::builder(rule, message)
        .at(Location::file(path))
        .build()
}

/// Names that pickle loaders open as weights.
fn is_pickle_weights(path: &str) -> bool {
    let base = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    (base.starts_with("pytorch_model") && base.ends_with(".bin"))
        || [".pt", ".pth", ".ckpt"].iter().any(|e| base.ends_with(e))
}

/// Scans one file of a listed repository.
fn scan_file(
    client: &Client,
    t: &HubTarget,
    commit: &str,
    file: &RepoFile,
    name: &str,
    policy: &Policy,
    options: &ScanOptions,
) -> ScannedFile {
    let shown = format!("{name}/{}", file.path);
    let url = client.file_url(t, commit, &file.path);
    let base = file.path.rsplit('/').next().unwrap_or(&file.path);
    let whole_limit = if needs_whole(&file.path) {
        WHOLE_FORMAT_LIMIT
    } else {
        WHOLE_FILE_LIMIT
    };
    let remote = RemoteFile::new(client, url, file.size, shown.clone(), whole_limit);
    let mut findings = Vec::new();
    let format = if file.size <= whole_limit {
        // Small files: one request, then scanned from memory like a local file.
        use loadguard_scan::Source as _;
        match remote.read_at(0, usize::try_from(file.size).unwrap_or(usize::MAX)) {
            Ok(bytes) => {
                let bytes = bytes.into_owned();
                if bytes.len() as u64 != file.size {
                    findings.push(finding(
                        &rules::remote_read::RULE,
                        &shown,
                        format!(
                            "the listing says {} bytes, {} were read",
                            file.size,
                            bytes.len()
                        ),
                    ));
                }
                let report =
                    loadguard_scan::scan_named(&bytes.as_slice(), Some(base), policy, options);
                findings.extend(report.findings);
                report.format
            }
            // The failed read is one of `remote.anomalies()` below.
            Err(_) => Format::Unsupported("unreadable"),
        }
    } else {
        let report = loadguard_scan::scan_named(&remote, Some(base), policy, options);
        findings.extend(report.findings);
        report.format
    };
    for a in remote.anomalies() {
        findings.push(finding(&rules::remote_read::RULE, &shown, a));
    }
    if let Some(status) = file.hub_status.as_deref().filter(|s| *s != "safe") {
        findings.push(finding(
            &rules::hub_reports_unsafe::RULE,
            &shown,
            format!(
                "the Hub's scanner says {status:?} (it never replaces loadguard's own findings)"
            ),
        ));
    }
    for f in &mut findings {
        f.nest_in(&shown, &[]);
    }
    ScannedFile {
        path: shown,
        size: file.size,
        format,
        findings,
    }
}

/// Resolves, lists and scans a repository. `on_file` is called after each
/// file (for a progress line, or a budget); when it breaks, the files not
/// yet scanned are returned in [`RepoScan::unscanned`].
pub fn scan_repo(
    client: &Client,
    t: &HubTarget,
    policy: &Policy,
    options: &ScanOptions,
    mut on_file: impl FnMut(&ScannedFile, &client::Stats) -> ControlFlow<()>,
) -> Result<RepoScan, HubError> {
    let commit = client.resolve_commit(t)?;
    let name = t.display(Some(&commit));
    let files = client.list_files(t, &commit)?;
    let mut out = RepoScan {
        name: name.clone(),
        commit: commit.clone(),
        files: Vec::new(),
        findings: repo_findings(t, &commit, &name, files.iter().map(|f| f.path.as_str())),
        unscanned: Vec::new(),
    };
    let mut rest = files.iter();
    for file in rest.by_ref() {
        let scanned = scan_file(client, t, &commit, file, &name, policy, options);
        let flow = on_file(&scanned, &client.stats);
        out.files.push(scanned);
        if flow.is_break() {
            break;
        }
    }
    out.unscanned = rest
        .map(|f| (format!("{name}/{}", f.path), f.size))
        .collect();
    Ok(out)
}

/// Findings about the repository as a whole.
fn repo_findings<'a>(
    t: &HubTarget,
    commit: &str,
    name: &str,
    paths: impl Iterator<Item = &'a str> + Clone,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if t.revision() != commit {
        out.push(finding(
            &rules::unpinned_revision::RULE,
            name,
            format!(
                "{} resolved to commit {commit}; every file was read at that commit",
                t.display(None)
            ),
        ));
    }
    let has_safetensors = paths.clone().any(|p| p.ends_with(".safetensors"));
    let pickles: Vec<&str> = paths.filter(|p| is_pickle_weights(p)).collect();
    if has_safetensors && !pickles.is_empty() {
        out.push(finding(
            &rules::pickle_beside_safetensors::RULE,
            name,
            format!(
                "safetensors weights and pickle-loaded weights ({}): a loader that prefers the pickle runs it",
                pickles.join(", ")
            ),
        ));
    }
    out
}

/// Scans a local snapshot folder of the cache: every entry must resolve
/// inside the cache; LFS pointers are reported, not scanned. `read` opens
/// a file that resolved inside the cache (the CLI maps it, so a multi-GB
/// blob is not copied into memory). `(shown path, size, format, findings)`
/// per file.
pub fn scan_snapshot<B: loadguard_scan::FileView>(
    cache: &Path,
    shown_prefix: &str,
    snapshot: &Path,
    policy: &Policy,
    options: &ScanOptions,
    read: impl Fn(&Path) -> std::io::Result<B>,
) -> Vec<ScannedFile> {
    let mut out = Vec::new();
    // Links are not followed into folders, so a link cycle cannot make the
    // walk endless; a folder that cannot be listed is reported, not skipped.
    for entry in walkdir::WalkDir::new(snapshot)
        .follow_links(false)
        .sort_by_file_name()
    {
        let entry = match entry {
            Ok(e) if e.file_type().is_dir() => continue,
            Ok(e) => e.into_path(),
            Err(e) => {
                let at = e.path().unwrap_or(snapshot).to_path_buf();
                out.push(unreadable(shown_prefix, snapshot, &at, &e.to_string()));
                continue;
            }
        };
        let shown = shown_in(shown_prefix, snapshot, &entry);
        let base = entry.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let mut findings = Vec::new();
        let (size, format) = match cache::contained(cache, &entry) {
            Err(why) => {
                findings.push(finding(
                    &rules::cache_symlink_escape::RULE,
                    &shown,
                    format!("not read: {why}"),
                ));
                (0, Format::Unsupported("link outside the cache"))
            }
            Ok(real) => match read(&real) {
                Err(e) => {
                    out.push(unreadable(shown_prefix, snapshot, &entry, &e.to_string()));
                    continue;
                }
                Ok(data) => {
                    // LFS pointers are recognised by the scanner itself.
                    let report = loadguard_scan::scan_named(&&*data, Some(base), policy, options);
                    findings.extend(report.findings);
                    if data.shrank() {
                        findings.push(loadguard_scan::rules::file_changed::finding(&shown));
                    }
                    (data.len() as u64, report.format)
                }
            },
        };
        for f in &mut findings {
            f.nest_in(&shown, &[]);
        }
        out.push(ScannedFile {
            path: shown,
            size,
            format,
            findings,
        });
    }
    out
}

/// `prefix/relative path` of a file of the snapshot.
fn shown_in(prefix: &str, snapshot: &Path, entry: &Path) -> String {
    let rel = entry
        .strip_prefix(snapshot)
        .map_or_else(|_| entry.display().to_string(), |r| r.display().to_string());
    format!("{prefix}/{rel}")
}

/// A file or folder of the snapshot that could not be read: not scanned.
fn unreadable(prefix: &str, snapshot: &Path, entry: &Path, why: &str) -> ScannedFile {
    let shown = shown_in(prefix, snapshot, entry);
    ScannedFile {
        findings: vec![finding(
            &rules::remote_read::RULE,
            &shown,
            format!("unreadable: {why}"),
        )],
        path: shown,
        size: 0,
        format: Format::Unsupported("unreadable"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pickle_weight_names() {
        assert!(is_pickle_weights("sub/pytorch_model-00001-of-00002.bin"));
        assert!(!is_pickle_weights("tokenizer.bin.json"));
    }
}
