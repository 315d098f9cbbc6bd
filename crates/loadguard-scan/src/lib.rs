//! The container layer: turns one artifact into the byte streams inside it
//! (`model.pt → archive/data.pkl`, `bundle.zip → inner/model.pt →
//! archive/data.pkl`) and hands each to the right scanner, recursively.
//! Formats are detected by content, never by name.
#![forbid(unsafe_code)]

mod archive;
pub mod compress;
mod detect;
pub use detect::lfs_pointer;
pub mod exposure;
mod formats;
pub mod inflight;
pub mod npy;
pub mod pyliteral;
pub mod rules;
pub mod source;
pub mod tar;
pub mod zip;

#[cfg(test)]
mod tests;

use std::borrow::Cow;

use loadguard_core::{Finding, Location, Rule};
use loadguard_pickle::Policy;

use crate::compress::Codec;
pub use crate::source::Source;

/// Explicit limits of the container layer; each is reported when reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerLimits {
    /// Containers nested in containers.
    pub max_depth: u32,
    /// Decompressed bytes of one member or stream.
    pub max_member_bytes: u64,
    /// Decompressed size over compressed size, beyond the first MiB.
    pub max_ratio: u64,
    /// Bytes read or decompressed for one artifact, all members together.
    pub max_total_bytes: u64,
    /// Members listed per archive.
    pub max_members: usize,
    /// Decoded bytes held at once by all scans in the process (a thread
    /// that holds the most is never made to wait; see [`inflight`]).
    pub max_in_flight: u64,
    /// Time to scan one artifact; past it, what is left is not scanned
    /// (ARC005, PKL008). Checked before each member, while decoding, and
    /// every few thousand pickle opcodes.
    pub max_time: Option<std::time::Duration>,
}

impl Default for ContainerLimits {
    fn default() -> Self {
        Self {
            max_depth: 8,
            max_member_bytes: 4 << 30,
            max_ratio: 1000,
            max_total_bytes: 32 << 30,
            max_members: 1_000_000,
            max_in_flight: inflight::DEFAULT_BUDGET,
            max_time: None,
        }
    }
}

/// How to scan an artifact.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    pub pickle: loadguard_pickle::Options,
    pub limits: ContainerLimits,
    /// Pinned MCP tools (`loadguard mcp pin`): tool lists and server
    /// source are compared with them.
    pub mcp_lock: Option<std::sync::Arc<loadguard_mcp::Lock>>,
    /// Limits of the document scanner (HTML, DOCX, JSONL, CSV).
    pub documents: loadguard_docs::Limits,
}

/// What the artifact is, by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pickle,
    /// A pickle written by `torch.save(..., _use_new_zipfile_serialization=False)`.
    TorchLegacy,
    /// A `torch.save` zip (`*/data.pkl`).
    TorchZip,
    /// A `torch.jit.save` zip (`*/code/`, `*/constants.pkl`).
    TorchScript,
    Zip,
    SevenZip,
    Npy,
    Safetensors,
    Gguf,
    Onnx,
    /// A Keras 3 `.keras` zip (config.json + weights).
    Keras,
    /// A model card (markdown).
    ModelCard,
    /// A model config (`config.json`, `tokenizer_config.json`...).
    ModelConfig,
    /// Python source shipped with a model.
    PythonCode,
    /// A Jinja chat template file (`chat_template.jinja`).
    ChatTemplate,
    /// A model folder, for its signature status.
    ModelFolder,
    /// An OpenSSF Model Signing bundle (`model.sig`), verified with its folder.
    ModelSignature,
    /// HDF5, such as a legacy Keras `.h5` model.
    Hdf5,
    /// A TensorFlow SavedModel or frozen GraphDef.
    TensorFlow,
    Tar,
    /// joblib's pre-0.10 single-file container (`ZF` header, zlib).
    JoblibZfile,
    /// Raw tensor bytes that a scanned model reads by offset (ONNX
    /// external data): nothing in them is parsed or executed.
    TensorData,
    /// An MCP client config, tool list, server source or package manifest.
    Mcp(loadguard_mcp::Artifact),
    /// A document a retrieval pipeline ingests (HTML, DOCX, text, JSONL, CSV).
    Document(loadguard_docs::Kind),
    Compressed(Codec),
    Unsupported(&'static str),
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Self::Pickle => "pickle",
            Self::TorchLegacy => "pytorch-legacy",
            Self::TorchZip => "pytorch-zip",
            Self::TorchScript => "torchscript",
            Self::Zip => "zip",
            Self::SevenZip => "7z",
            Self::Npy => "npy",
            Self::Safetensors => "safetensors",
            Self::Gguf => "gguf",
            Self::Onnx => "onnx",
            Self::Keras => "keras",
            Self::ModelCard => "model-card",
            Self::ModelConfig => "model-config",
            Self::PythonCode => "python",
            Self::ChatTemplate => "chat-template",
            Self::ModelFolder => "model-folder",
            Self::ModelSignature => "model-signature",
            Self::Hdf5 => "hdf5",
            Self::TensorFlow => "tensorflow",
            Self::Tar => "tar",
            Self::JoblibZfile => "joblib-zfile",
            Self::TensorData => "tensor-data",
            Self::Mcp(a) => a.name(),
            Self::Document(k) => k.name(),
            Self::Compressed(c) => c.name(),
            Self::Unsupported(_) => "unsupported",
        }
    }
}

/// The result of scanning one artifact.
#[derive(Debug)]
pub struct Report {
    pub format: Format,
    /// Findings, with `location.members` set to the path inside the artifact.
    pub findings: Vec<Finding>,
    /// Byte streams handed to a format scanner.
    pub streams_scanned: usize,
    /// External files the artifact makes its loader read (ONNX external
    /// data): (members, tensor, location), for the caller to check on disk.
    pub external_files: Vec<(Vec<String>, String, String)>,
}

/// The bytes of a file as its reader opened them. A mapped file can shrink
/// while it is read (another process truncates it); the reader then knows,
/// and the scan must not stand (see `rules::file_changed`).
pub trait FileView: std::ops::Deref<Target = [u8]> {
    /// Whether the file shrank while these bytes were read.
    fn shrank(&self) -> bool {
        false
    }
}

impl FileView for Vec<u8> {}

/// Scans an artifact and everything inside it.
pub fn scan(src: &dyn Source, policy: &Policy, options: &ScanOptions) -> Report {
    scan_named(src, None, policy, options)
}

/// Like [`scan`], with the file's name as a hint for text formats, which
/// have no magic bytes (`README.md`, `config.json`, `*.py`). Binary formats
/// are still detected by content alone.
pub fn scan_named(
    src: &dyn Source,
    name: Option<&str>,
    policy: &Policy,
    options: &ScanOptions,
) -> Report {
    scan_named_with(src, name, policy, options, None)
}

/// Like [`scan_named`], for a file whose package siblings can be read: MCP
/// server source follows the functions it imports from them.
pub fn scan_named_with(
    src: &dyn Source,
    name: Option<&str>,
    policy: &Policy,
    options: &ScanOptions,
    siblings: Option<loadguard_mcp::source::Siblings<'_>>,
) -> Report {
    let mut ctx = Ctx::new(siblings, policy, options);
    let format = ctx.node(src, name, &[], 0, Origin::File);
    Report {
        format,
        findings: ctx.findings,
        streams_scanned: ctx.streams,
        external_files: ctx.external_files,
    }
}

/// Where a byte stream came from: what may be sniffed in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A file, or the output of a decompressor: everything is sniffed.
    File,
    /// An archive member: weak magics (zlib, LZMA alone) are not trusted.
    Member,
}

struct Ctx<'a> {
    /// Reads files beside the scanned file (never for archive members).
    siblings: Option<loadguard_mcp::source::Siblings<'a>>,
    policy: &'a Policy,
    options: &'a ScanOptions,
    findings: Vec<Finding>,
    total_bytes: u64,
    budget_reported: bool,
    streams: usize,
    external_files: Vec<(Vec<String>, String, String)>,
    /// When the scan must end (`ContainerLimits::max_time`).
    deadline: Option<std::time::Instant>,
    time_reported: bool,
}

fn location(path: &[String], offset: Option<u64>) -> Location {
    Location {
        members: path.to_vec(),
        offset,
        ..Location::default()
    }
}

impl<'a> Ctx<'a> {
    fn new(
        siblings: Option<loadguard_mcp::source::Siblings<'a>>,
        policy: &'a Policy,
        options: &'a ScanOptions,
    ) -> Self {
        Self {
            siblings,
            policy,
            options,
            findings: Vec::new(),
            total_bytes: 0,
            budget_reported: false,
            streams: 0,
            external_files: Vec::new(),
            deadline: options
                .limits
                .max_time
                .map(|t| std::time::Instant::now() + t),
            time_reported: false,
        }
    }

    /// Whether the time limit has passed (reported once, at `path`).
    pub(crate) fn out_of_time(&mut self, path: &[String]) -> bool {
        if self.deadline.is_none_or(|d| std::time::Instant::now() < d) {
            return false;
        }
        if !self.time_reported {
            self.time_reported = true;
            let limit = self.options.limits.max_time.unwrap_or_default();
            self.report(
                &rules::container_limit::RULE,
                path,
                None,
                format!(
                    "time limit ({} s) reached; this part and what follows were not scanned",
                    limit.as_secs_f64()
                ),
            );
        }
        true
    }

    /// A decoder stopped short of its end, for a reason other than corrupt
    /// data: the time limit (ARC005, once per artifact), or a size, ratio or
    /// decoder-memory limit (ARC004 on `what`, "member" or "gzip data").
    pub(crate) fn report_stop(
        &mut self,
        stop: &compress::Stopped,
        path: &[String],
        offset: Option<u64>,
        what: &str,
    ) {
        if *stop == compress::Stopped::Time {
            self.out_of_time(path);
        } else {
            self.report(
                &rules::decompression_limit::RULE,
                path,
                offset,
                format!("{what} {}", stop.describe()),
            );
        }
    }

    /// How far a stream of this artifact may be decoded.
    pub(crate) fn bound(&self) -> compress::Bound {
        compress::Bound {
            deadline: self.deadline,
            ..compress::Bound::of(&self.options.limits)
        }
    }

    /// Takes in what a context made for one member on another thread found
    /// (it started counting bytes at `budget_start`).
    pub(crate) fn absorb(&mut self, child: Ctx<'_>, budget_start: u64) {
        self.findings.extend(child.findings);
        self.total_bytes = self
            .total_bytes
            .saturating_add(child.total_bytes - budget_start);
        self.budget_reported |= child.budget_reported;
        self.time_reported |= child.time_reported;
        self.streams += child.streams;
        self.external_files.extend(child.external_files);
    }

    pub(crate) fn report(
        &mut self,
        rule: &'static Rule,
        path: &[String],
        offset: Option<u64>,
        message: String,
    ) {
        self.findings.push(
            Finding::builder(rule, message)
                .at(location(path, offset))
                .build(),
        );
    }

    pub(crate) fn report_with_severity(
        &mut self,
        rule: &'static Rule,
        severity: loadguard_core::Severity,
        path: &[String],
        offset: Option<u64>,
        message: String,
    ) {
        self.findings.push(
            Finding::builder(rule, message)
                .severity(severity)
                .at(location(path, offset))
                .build(),
        );
    }

    /// Counts bytes against the artifact's budget; false once it is spent.
    pub(crate) fn spend(&mut self, bytes: u64, path: &[String]) -> bool {
        self.total_bytes = self.total_bytes.saturating_add(bytes);
        if self.total_bytes > self.options.limits.max_total_bytes {
            if !self.budget_reported {
                self.budget_reported = true;
                let limit = self.options.limits.max_total_bytes;
                self.report(
                    &rules::container_limit::RULE,
                    path,
                    None,
                    format!("byte budget ({limit} bytes read or decompressed) spent; later members were not scanned"),
                );
            }
            return false;
        }
        true
    }

    pub(crate) fn pickle(&mut self, src: &dyn Source, path: &[String], legacy_torch: bool) {
        self.pickle_with(src, path, legacy_torch, false);
    }

    /// `torchscript`: the pickle sits in a TorchScript archive, where
    /// `__torch__.*` names are classes compiled from the archive's own
    /// `code/` tree (reported by PT001), not Python imports.
    pub(crate) fn pickle_with(
        &mut self,
        src: &dyn Source,
        path: &[String],
        legacy_torch: bool,
        torchscript: bool,
    ) {
        self.pickle_scan(src, path, legacy_torch, torchscript, false);
    }

    /// Scans `src` as a pickle if `pickle.load` would accept it: its first
    /// stream loads, or names or calls something before failing. Otherwise
    /// nothing is reported and `false` comes back. One pass: the scan is
    /// the test (a 1 GB data-only pickle is not read twice).
    pub(crate) fn pickle_if_loadable(&mut self, src: &dyn Source, path: &[String]) -> bool {
        self.pickle_scan(src, path, false, false, true)
    }

    fn pickle_scan(
        &mut self,
        src: &dyn Source,
        path: &[String],
        legacy_torch: bool,
        torchscript: bool,
        only_if_loadable: bool,
    ) -> bool {
        let bytes = match src.contiguous() {
            Some(b) => Cow::Borrowed(b),
            None => match src.read_at(0, usize::try_from(src.size()).unwrap_or(usize::MAX)) {
                Ok(b) => b,
                Err(e) => {
                    self.report(
                        &rules::corrupt_data::RULE,
                        path,
                        None,
                        format!("could not read the pickle: {e}"),
                    );
                    return true;
                }
            },
        };
        let mut options = self.options.pickle.clone();
        options.deadline = self.deadline;
        if legacy_torch {
            // magic, protocol, sys_info, the object, storage keys; raw storages follow.
            options.max_streams = Some(5);
        }
        options.torchscript_classes = torchscript;
        let report = loadguard_pickle::scan_with_policy(&bytes, &options, self.policy);
        let loadable = report
            .streams
            .first()
            .is_some_and(|s| s.complete || s.effects || s.stopped);
        if only_if_loadable && !loadable {
            return false;
        }
        self.streams += 1;
        for mut f in report.findings {
            let mut members = path.to_vec();
            members.append(&mut f.location.members);
            f.location.members = members;
            self.findings.push(f);
        }
        true
    }
}

/// The `artifact` fuzz target's body, shared with the test that replays
/// every input that ever failed (`tests/fuzz_regressions.rs`): the first
/// byte picks a file name (names decide text formats and how loud "not
/// scanned" is), the rest is scanned. Panics when what must hold does not:
/// an unsupported result says why, and top-level offsets stay inside the
/// input.
#[doc(hidden)]
pub fn fuzz_artifact(input: &[u8]) {
    const NAMES: &[&str] = &[
        "model.bin",
        "model.pkl",
        "README.md",
        "config.json",
        "tokenizer_config.json",
        "chat_template.jinja",
        "model.safetensors",
        "model.onnx",
        "weights.h5",
        "model.gguf",
        "data.npy",
        "archive.tar",
        "x",
        "modeling.py",
        ".gitattributes",
        "model.sig",
    ];
    let Some((&pick, data)) = input.split_first() else {
        return;
    };
    let name = NAMES[usize::from(pick) % NAMES.len()];
    let report = scan_named(
        &data,
        Some(name),
        loadguard_pickle::Policy::builtin(),
        &ScanOptions::default(),
    );
    assert_sound(&report, data);
}

/// What must hold for any input: an unsupported result says why, and
/// top-level offsets stay inside the input. For the fuzz targets and tests.
#[doc(hidden)]
pub fn assert_sound(report: &Report, data: &[u8]) {
    if matches!(report.format, Format::Unsupported(_)) {
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.rule.code == "LG001" || f.rule.code == "HUB003"),
            "unsupported without a finding"
        );
    }
    for f in &report.findings {
        if f.location.members.is_empty()
            && let Some(o) = f.location.offset
        {
            assert!(
                o <= data.len() as u64,
                "{} at {o} past {}",
                f.rule.code,
                data.len()
            );
        }
    }
}
