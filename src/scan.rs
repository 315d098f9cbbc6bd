//! Turning paths into scanned targets: walk, read, detect by content, scan.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use loadguard_core::{Finding, Location, Verdict};
use loadguard_pickle::Policy;
use loadguard_scan::{Format, ScanOptions};
use rayon::prelude::*;

use crate::mmap;
use crate::rules;

/// One scanned file.
#[derive(Debug)]
pub(crate) struct Target {
    pub(crate) path: String,
    pub(crate) format: Format,
    pub(crate) size: u64,
    pub(crate) findings: Vec<Finding>,
    /// Why the file could not be scanned (I/O); its findings are then empty.
    pub(crate) error: Option<String>,
    /// SHA-256 of the file, when the output needs it (CycloneDX).
    pub(crate) sha256: Option<String>,
    /// Files this one makes its loader read as raw tensor bytes (ONNX
    /// external data), resolved, inside its folder.
    pub(crate) external_data: Vec<PathBuf>,
}

impl Target {
    /// A folder's own findings (its signature status, a Hub repository).
    pub(crate) fn folder(path: String, findings: Vec<Finding>) -> Self {
        Self {
            path,
            format: Format::ModelFolder,
            size: 0,
            findings,
            error: None,
            sha256: None,
            external_data: Vec::new(),
        }
    }

    /// A file left unscanned because the budget ran out (`why`).
    pub(crate) fn over_budget(path: String, size: u64, why: &str) -> Self {
        let finding = Finding::builder(&rules::budget::RULE, format!("not scanned: {why}"))
            .at(Location::file(&path))
            .build();
        Self {
            path,
            format: Format::Unsupported("budget reached"),
            size,
            findings: vec![finding],
            error: None,
            sha256: None,
            external_data: Vec::new(),
        }
    }

    pub(crate) fn verdict(&self) -> Verdict {
        if self.error.is_some() {
            return Verdict::Review;
        }
        let found = Verdict::from_findings(&self.findings);
        if matches!(self.format, Format::Unsupported(_)) {
            // Fail closed: what was not scanned is never "safe".
            found.max(Verdict::NotScanned)
        } else {
            found
        }
    }
}

/// A target's time and byte budget, checked before each file.
#[derive(Debug)]
pub(crate) struct Budget {
    deadline: Option<Instant>,
    timeout: Option<Duration>,
    max_bytes: Option<u64>,
}

impl Budget {
    pub(crate) fn new(timeout: Option<Duration>, max_bytes: Option<u64>) -> Self {
        Self {
            deadline: timeout.and_then(|t| Instant::now().checked_add(t)),
            timeout,
            max_bytes,
        }
    }

    /// Why no more files may be started: the time is up.
    pub(crate) fn out_of_time(&self) -> Option<String> {
        let deadline = self.deadline?;
        (Instant::now() >= deadline).then(|| {
            format!(
                "the target's time budget ({} s) ran out",
                self.timeout.unwrap_or_default().as_secs_f64()
            )
        })
    }

    /// Why no more bytes may be read once `spent` have been.
    pub(crate) fn out_of_bytes(&self, spent: u64) -> Option<String> {
        let max = self.max_bytes?;
        (spent > max).then(|| format!("the target's byte budget ({max} bytes) ran out"))
    }

    /// Files admitted under the byte budget, in path order: the first
    /// `n` of `sizes` whose running total stays within it (all, without a
    /// byte budget).
    fn admitted(&self, sizes: &[u64]) -> usize {
        let Some(max) = self.max_bytes else {
            return usize::MAX;
        };
        let mut total = 0u64;
        sizes
            .iter()
            .take_while(|s| {
                total = total.saturating_add(**s);
                total <= max
            })
            .count()
    }
}

/// What the scanner needs to know.
pub(crate) struct Scanner {
    pub(crate) options: ScanOptions,
    pub(crate) policy: Policy,
    /// Compute each file's SHA-256.
    pub(crate) hash: bool,
    /// Files done so far, for the progress line.
    pub(crate) done: std::sync::atomic::AtomicUsize,
    /// Files to scan, once the walk is over.
    pub(crate) total: std::sync::atomic::AtomicUsize,
}

impl Scanner {
    /// Scans every file under `paths`, in parallel; targets come back sorted by path.
    pub(crate) fn scan_paths(&self, paths: &[PathBuf], budget: &Budget) -> Vec<Target> {
        let mut files = Vec::new();
        let mut errors = Vec::new();
        for path in paths {
            collect_files(path, &mut files, &mut errors);
        }
        self.total
            .fetch_add(files.len(), std::sync::atomic::Ordering::Relaxed);
        let sizes: Vec<u64> = if budget.max_bytes.is_some() {
            files
                .iter()
                .map(|f| f.metadata().map_or(0, |m| m.len()))
                .collect()
        } else {
            Vec::new()
        };
        let admitted = budget.admitted(&sizes);
        let mut targets: Vec<Target> = files
            .par_iter()
            .enumerate()
            .map(|(i, f)| {
                let why = if i >= admitted {
                    budget.out_of_bytes(u64::MAX)
                } else {
                    budget.out_of_time()
                };
                let t = match why {
                    Some(why) => Target::over_budget(
                        f.display().to_string(),
                        sizes.get(i).copied().unwrap_or(0),
                        &why,
                    ),
                    None => self.scan_file(f),
                };
                self.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                t
            })
            .collect();
        targets.extend(errors);
        targets.sort_by(|a, b| a.path.cmp(&b.path));
        mark_external_data(&mut targets);
        targets
    }

    fn scan_file(&self, path: &Path) -> Target {
        let display = path.display().to_string();
        match mmap::open(path) {
            Ok(bytes)
                if bytes.len() as u64 > self.options.documents.max_bytes
                    && loadguard_docs::parquet::is_parquet(&bytes) =>
            {
                self.scan_parquet(path, display, &bytes)
            }
            Ok(bytes) => self.scan_opened(&display, &bytes),
            Err(e) => Target {
                path: display,
                format: Format::Unsupported("unreadable"),
                size: 0,
                findings: Vec::new(),
                error: Some(e.to_string()),
                sha256: None,
                external_data: Vec::new(),
            },
        }
    }

    /// A Parquet file too large to read in memory: read from disk, row
    /// group by row group, its values judged as they come.
    fn scan_parquet(&self, path: &Path, display: String, bytes: &[u8]) -> Target {
        let (mut findings, error) = match std::fs::File::open(path) {
            Ok(file) => (
                loadguard_docs::parquet::scan_file(file, &self.options.documents),
                None,
            ),
            Err(e) => (Vec::new(), Some(e.to_string())),
        };
        for f in &mut findings {
            f.nest_in(&display, &[]);
        }
        Target {
            path: display,
            format: Format::Document(loadguard_docs::Kind::Parquet),
            size: bytes.len() as u64,
            findings,
            error,
            sha256: self.hash.then(|| {
                use sha2::Digest;
                loadguard_core::codec::hex(&sha2::Sha256::digest(bytes))
            }),
            external_data: Vec::new(),
        }
    }

    /// Scans an opened file; one that shrank meanwhile is reported (LG004).
    fn scan_opened(&self, display: &str, bytes: &mmap::FileBytes) -> Target {
        use loadguard_scan::FileView;
        // A panic is a bug; it must cost this file its verdict, not the
        // whole run its report.
        let mut t = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.scan_bytes(display, bytes)
        }))
        .unwrap_or_else(|_| Target {
            path: display.to_owned(),
            format: Format::Unsupported("scanner error"),
            size: bytes.len() as u64,
            findings: Vec::new(),
            error: Some(
                "internal error while scanning this file (a bug: please report it)".to_owned(),
            ),
            sha256: None,
            external_data: Vec::new(),
        });
        if bytes.shrank() {
            t.findings
                .insert(0, loadguard_scan::rules::file_changed::finding(display));
        }
        t
    }

    pub(crate) fn scan_bytes(&self, path: &str, data: &[u8]) -> Target {
        let name = Path::new(path).file_name().and_then(|n| n.to_str());
        // MCP server source follows the functions it imports from its package.
        let dir = Path::new(path).parent().unwrap_or(Path::new("."));
        let read = |spec: &str| crate::mcp::sibling(dir, spec);
        let report =
            loadguard_scan::scan_named_with(&data, name, &self.policy, &self.options, Some(&read));
        let mut findings = report.findings;
        let (external_findings, external_data) = check_external_files(path, &report.external_files);
        findings.extend(external_findings);
        if is_scanner_config(path, data) {
            findings.push(
                Finding::builder(
                    &rules::target_config::RULE,
                    "scanner configuration inside the scanned target: ignored (pass it with --config to use it)".to_owned(),
                )
                .at(Location::file(path))
                .build(),
            );
        }
        for f in &mut findings {
            f.nest_in(path, &[]);
        }
        findings.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.location.members.cmp(&b.location.members))
                .then(a.location.offset.cmp(&b.location.offset))
        });
        Target {
            path: path.to_owned(),
            format: report.format,
            size: data.len() as u64,
            findings,
            error: None,
            sha256: self.hash.then(|| {
                use sha2::Digest;
                loadguard_core::codec::hex(&sha2::Sha256::digest(data))
            }),
            external_data,
        }
    }
}

/// Python source is a remote-code risk (AT016) beside a model, where
/// `from_pretrained(..., trust_remote_code=True)` or an unpickled global
/// imports it: in a folder where, or under a folder where, something a
/// model loader reads was found (weights, a pickle, a config, an archive).
/// A `.py` among documents only (a RAG corpus of code, a lone script) is
/// code, not a model's code: its AT016 is dropped.
pub(crate) fn remote_code_beside_models(targets: &mut [Target]) {
    let dir = |p: &str| p.rsplit_once(['/', '\\']).map_or("", |(d, _)| d).to_owned();
    let model_dirs: std::collections::HashSet<String> = targets
        .iter()
        .filter(|t| {
            !matches!(
                t.format,
                Format::Document(_)
                    | Format::PythonCode
                    | Format::ModelCard
                    | Format::ModelFolder
                    | Format::Mcp(_)
                    | Format::Unsupported(_)
            )
        })
        .map(|t| dir(&t.path))
        .collect();
    // The file's folder and each folder above it, up to the root (""):
    // one lookup each, however many models the scan holds.
    let beside_a_model = |path: &str| {
        let mut at = path;
        loop {
            at = at.rsplit_once(['/', '\\']).map_or("", |(d, _)| d);
            if model_dirs.contains(at) {
                return true;
            }
            if at.is_empty() {
                return false;
            }
        }
    };
    for t in targets.iter_mut() {
        if t.format == Format::PythonCode && !beside_a_model(&t.path) {
            t.findings
                .retain(|f| f.rule.code != loadguard_text::rules::remote_code::RULE.code);
        }
    }
}

/// ONNX external data is raw tensor bytes that the model's loader reads by
/// offset: understood, not "unrecognised content". A file that no scanned
/// model names keeps its not-scanned finding.
fn mark_external_data(targets: &mut [Target]) {
    let external: std::collections::HashSet<PathBuf> = targets
        .iter()
        .flat_map(|t| t.external_data.iter().cloned())
        .collect();
    if external.is_empty() {
        return;
    }
    for t in targets.iter_mut() {
        if !matches!(t.format, Format::Unsupported(_)) {
            continue;
        }
        let Ok(real) = Path::new(&t.path).canonicalize() else {
            continue;
        };
        if external.contains(&real) {
            t.format = Format::TensorData;
            t.findings.retain(|f| f.rule.code != "LG001");
        }
    }
}

fn collect_files(path: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<Target>) {
    // Symlinks to files are followed (a loader would follow them); symlinks
    // to directories are not, so a link cycle cannot make the walk endless.
    for entry in walkdir::WalkDir::new(path)
        .follow_links(false)
        .sort_by_file_name()
    {
        match entry {
            Ok(e) => {
                let is_file = e.file_type().is_file()
                    || (e.file_type().is_symlink()
                        && e.path().metadata().is_ok_and(|m| m.is_file()));
                if is_file {
                    files.push(e.into_path());
                }
            }
            Err(e) => errors.push(Target {
                path: e
                    .path()
                    .map_or_else(|| path.display().to_string(), |p| p.display().to_string()),
                format: Format::Unsupported("unreadable"),
                size: 0,
                findings: Vec::new(),
                error: Some(e.to_string()),
                sha256: None,
                external_data: Vec::new(),
            }),
        }
    }
}

/// A scanner's configuration or ignore file (by name), or a pyproject.toml
/// with a `[tool.loadguard]` table.
fn is_scanner_config(path: &str, data: &[u8]) -> bool {
    let name = Path::new(path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("");
    crate::config::CONFIG_NAMES.contains(&name)
        || (name == "pyproject.toml" && String::from_utf8_lossy(data).contains("[tool.loadguard]"))
}

/// ONNX external data must sit beside the model: missing files and
/// locations that resolve outside the model's folder (through symlinks) are
/// findings. Only for files scanned from disk, not members of archives.
fn check_external_files(
    path: &str,
    external: &[(Vec<String>, String, String)],
) -> (Vec<Finding>, Vec<PathBuf>) {
    let mut out = Vec::new();
    let mut inside = Vec::new();
    let dir = Path::new(path).parent().unwrap_or(Path::new("."));
    let Ok(root) = dir.canonicalize() else {
        return (out, inside);
    };
    for (members, tensor, location) in external {
        if !members.is_empty() || loadguard_formats::onnx::bad_location(location).is_some() {
            continue;
        }
        let target = dir.join(location);
        let at = Location::file(path).with_logical(tensor.clone());
        match target.canonicalize() {
            Err(_) => out.push(
                Finding::builder(
                    &loadguard_formats::rules::ox_missing_external::RULE,
                    format!("external data {location:?} is not next to the model"),
                )
                .at(at)
                .build(),
            ),
            Ok(real) if !real.starts_with(&root) => out.push(
                Finding::builder(
                    &loadguard_formats::rules::ox_external_path::RULE,
                    format!(
                        "external data {location:?} resolves to {} outside the model's folder",
                        real.display()
                    ),
                )
                .at(at)
                .build(),
            ),
            Ok(real) => inside.push(real),
        }
    }
    (out, inside)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_file_truncated_during_its_scan_is_never_safe() {
        let scanner = Scanner {
            options: ScanOptions::default(),
            policy: Policy::with_extra_allowed(Vec::new()),
            hash: false,
            done: Default::default(),
            total: Default::default(),
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("weights.safetensors");
        // A valid safetensors file of one 2 MiB tensor: mapped, and safe whole.
        let header = br#"{"w":{"dtype":"U8","shape":[2097152],"data_offsets":[0,2097152]}}"#;
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(header);
        bytes.resize(bytes.len() + (2 << 20), 7);
        std::fs::write(&path, &bytes).expect("test file");
        let display = path.display().to_string();
        let whole = scanner.scan_opened(&display, &mmap::open(&path).expect("test file"));
        assert_eq!(whole.verdict(), Verdict::Safe, "{:?}", whole.findings);

        // The same file cut to a tenth between the open and the scan.
        let opened = mmap::open(&path).expect("test file");
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .expect("test file")
            .set_len(bytes.len() as u64 / 10)
            .expect("test file");
        let cut = scanner.scan_opened(&display, &opened);
        assert_eq!(cut.findings[0].rule.code, "LG004");
        assert_eq!(cut.findings[0].location.path, display);
        assert_ne!(cut.verdict(), Verdict::Safe);
    }
}
