//! Turning paths into scanned targets: walk, read, detect by content, scan.

use std::path::{Path, PathBuf};

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
}

impl Target {
    pub(crate) fn verdict(&self) -> Verdict {
        if self.error.is_some() {
            return Verdict::Review;
        }
        Verdict::from_findings(&self.findings)
    }
}

/// What the scanner needs to know.
pub(crate) struct Scanner {
    pub(crate) options: ScanOptions,
    pub(crate) policy: Policy,
}

impl Scanner {
    /// Scans every file under `paths`, in parallel; targets come back sorted by path.
    pub(crate) fn scan_paths(&self, paths: &[PathBuf]) -> Vec<Target> {
        let mut files = Vec::new();
        let mut errors = Vec::new();
        for path in paths {
            collect_files(path, &mut files, &mut errors);
        }
        let mut targets: Vec<Target> = files.par_iter().map(|f| self.scan_file(f)).collect();
        targets.extend(errors);
        targets.sort_by(|a, b| a.path.cmp(&b.path));
        targets
    }

    fn scan_file(&self, path: &Path) -> Target {
        let display = path.display().to_string();
        match mmap::open(path) {
            // A panic is a bug; it must cost this file its verdict, not the
            // whole run its report.
            Ok(bytes) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.scan_bytes(&display, &bytes)
            }))
            .unwrap_or_else(|_| Target {
                path: display.clone(),
                format: Format::Unsupported("scanner error"),
                size: bytes.len() as u64,
                findings: Vec::new(),
                error: Some(
                    "internal error while scanning this file (a bug: please report it)".to_owned(),
                ),
            }),
            Err(e) => Target {
                path: display,
                format: Format::Unsupported("unreadable"),
                size: 0,
                findings: Vec::new(),
                error: Some(e.to_string()),
            },
        }
    }

    pub(crate) fn scan_bytes(&self, path: &str, data: &[u8]) -> Target {
        let report = loadguard_scan::scan(&data, &self.policy, &self.options);
        let mut findings = report.findings;
        if let Format::Unsupported(what) = report.format {
            findings.push(
                Finding::builder(
                    &rules::unsupported_format::RULE,
                    format!("not scanned: {what}"),
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
            }),
        }
    }
}
