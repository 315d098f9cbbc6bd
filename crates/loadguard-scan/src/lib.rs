//! The container layer: turns one artifact into the byte streams inside it
//! (`model.pt → archive/data.pkl`, `bundle.zip → inner/model.pt →
//! archive/data.pkl`) and hands each to the right scanner, recursively.
//! Formats are detected by content, never by name.
#![forbid(unsafe_code)]

pub mod compress;
pub mod npy;
pub mod rules;
pub mod source;
pub mod tar;
pub mod zip;

#[cfg(test)]
mod tests;

use std::borrow::Cow;

use loadguard_core::{Finding, Location, Rule, Severity};
use loadguard_pickle::Policy;

use crate::compress::{Codec, Stopped};
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
}

impl Default for ContainerLimits {
    fn default() -> Self {
        Self {
            max_depth: 8,
            max_member_bytes: 4 << 30,
            max_ratio: 1000,
            max_total_bytes: 32 << 30,
            max_members: 1_000_000,
        }
    }
}

/// How to scan an artifact.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    pub pickle: loadguard_pickle::Options,
    pub limits: ContainerLimits,
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
    /// A model folder, for its signature status.
    ModelFolder,
    /// An OpenSSF Model Signing bundle (`model.sig`), verified with its folder.
    ModelSignature,
    /// HDF5, such as a legacy Keras `.h5` model.
    Hdf5,
    /// A TensorFlow SavedModel or frozen GraphDef.
    TensorFlow,
    Tar,
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
            Self::ModelFolder => "model-folder",
            Self::ModelSignature => "model-signature",
            Self::Hdf5 => "hdf5",
            Self::TensorFlow => "tensorflow",
            Self::Tar => "tar",
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

const SEVEN_ZIP_MAGIC: &[u8] = b"7z\xbc\xaf\x27\x1c";

/// The first bytes of a legacy `torch.save`: the magic number pickled at protocol 2.
const TORCH_LEGACY_MAGIC: &[u8] = b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19.";

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
    let mut ctx = Ctx {
        policy,
        options,
        findings: Vec::new(),
        total_bytes: 0,
        budget_reported: false,
        streams: 0,
        external_files: Vec::new(),
    };
    let mut format = ctx.node(src, &[], 0, Origin::File);
    if let (Format::Unsupported(_), Some(name)) = (format, name)
        && let Some(text_format) = ctx.text_file(src, name)
    {
        format = text_format;
    }
    Report {
        format,
        findings: ctx.findings,
        streams_scanned: ctx.streams,
        external_files: ctx.external_files,
    }
}

/// Where a byte stream came from: what may be sniffed in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// A file, or the output of a decompressor: everything is sniffed.
    File,
    /// An archive member: weak magics (zlib, LZMA alone) are not trusted.
    Member,
}

struct Ctx<'a> {
    policy: &'a Policy,
    options: &'a ScanOptions,
    findings: Vec<Finding>,
    total_bytes: u64,
    budget_reported: bool,
    streams: usize,
    external_files: Vec<(Vec<String>, String, String)>,
}

fn location(path: &[String], offset: Option<u64>) -> Location {
    Location {
        members: path.to_vec(),
        offset,
        ..Location::default()
    }
}

impl Ctx<'_> {
    fn report(
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

    /// Counts bytes against the artifact's budget; false once it is spent.
    fn spend(&mut self, bytes: u64, path: &[String]) -> bool {
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

    fn node(&mut self, src: &dyn Source, path: &[String], depth: u32, origin: Origin) -> Format {
        if depth > self.options.limits.max_depth {
            let limit = self.options.limits.max_depth;
            self.report(
                &rules::container_limit::RULE,
                path,
                None,
                format!("containers nested more than {limit} deep; this one was not opened"),
            );
            return Format::Unsupported("nested too deep");
        }
        let head = src.read_at(0, 512).map(Cow::into_owned).unwrap_or_default();
        if let Some(data) = src.contiguous()
            && loadguard_formats::safetensors::sniff(data)
        {
            self.safetensors(data, path, depth);
            return Format::Safetensors;
        }
        if loadguard_formats::gguf::sniff(&head) {
            self.gguf(src, path);
            return Format::Gguf;
        }
        if let Some(data) = src.contiguous()
            && loadguard_formats::onnx::sniff(data)
        {
            self.streams += 1;
            let report = loadguard_formats::onnx::validate(data);
            for mut f in report.findings {
                f.location.members = path.to_vec();
                self.findings.push(f);
            }
            for e in report.external {
                self.external_files
                    .push((path.to_vec(), e.tensor, e.location));
            }
            return Format::Onnx;
        }
        if let Some(data) = src.contiguous()
            && loadguard_formats::tensorflow::sniff(data)
        {
            self.streams += 1;
            for mut f in loadguard_formats::tensorflow::validate(data).findings {
                f.location.members = path.to_vec();
                self.findings.push(f);
            }
            return Format::TensorFlow;
        }
        if head.starts_with(loadguard_formats::keras::HDF5_MAGIC) {
            if let Some(data) = src.contiguous() {
                let found = loadguard_formats::keras::find_h5_configs(data);
                for (offset, config) in &found.configs {
                    self.streams += 1;
                    self.keras_config(config, *offset, path);
                }
                if found.gave_up {
                    self.report(
                        &loadguard_formats::rules::kr_config::RULE,
                        path,
                        None,
                        "too many JSON-like candidates in this HDF5 file; the rest were not checked".into(),
                    );
                }
                if found.configs.is_empty() && found.names_model_config {
                    // Never "safe" because the config was not found.
                    self.report(
                        &loadguard_formats::rules::kr_config::RULE,
                        path,
                        None,
                        "the file names a model_config attribute, but its JSON could not be located; the Keras config was not checked".into(),
                    );
                }
            }
            return Format::Hdf5;
        }
        if head.starts_with(npy::MAGIC) {
            self.npy(src, path);
            return Format::Npy;
        }
        if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
            return self.zip(src, path, depth);
        }
        if head.starts_with(SEVEN_ZIP_MAGIC) {
            self.seven_zip(src, path, depth);
            return Format::SevenZip;
        }
        if tar::sniff(src) {
            self.tar(src, path, depth);
            return Format::Tar;
        }
        if let Some(codec) = Codec::sniff(&head)
            && (origin == Origin::File || !matches!(codec, Codec::Zlib | Codec::Lzma))
            && self.decompress(codec, src, path, depth)
        {
            return Format::Compressed(codec);
        }
        if head.starts_with(TORCH_LEGACY_MAGIC) {
            self.pickle(src, path, true);
            return Format::TorchLegacy;
        }
        let sniff_window = src
            .read_at(0, 64 * 1024)
            .map(Cow::into_owned)
            .unwrap_or_default();
        if loadguard_pickle::sniff(&sniff_window) {
            self.pickle(src, path, false);
            // A pickle with a zip appended is two files in one: scan both views.
            if zip::sniff(src) {
                self.zip(src, path, depth);
            }
            return Format::Pickle;
        }
        if origin == Origin::File && zip::sniff(src) {
            return self.zip(src, path, depth);
        }
        if src.is_empty() {
            Format::Unsupported("empty file")
        } else {
            Format::Unsupported("unrecognised content")
        }
    }

    fn pickle(&mut self, src: &dyn Source, path: &[String], legacy_torch: bool) {
        self.pickle_with(src, path, legacy_torch, false);
    }

    /// `torchscript`: the pickle sits in a TorchScript archive, where
    /// `__torch__.*` names are classes compiled from the archive's own
    /// `code/` tree (reported by PT001), not Python imports.
    fn pickle_with(
        &mut self,
        src: &dyn Source,
        path: &[String],
        legacy_torch: bool,
        torchscript: bool,
    ) {
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
                    return;
                }
            },
        };
        let mut options = self.options.pickle.clone();
        if legacy_torch {
            // magic, protocol, sys_info, the object, storage keys; raw storages follow.
            options.max_streams = Some(5);
        }
        options.torchscript_classes = torchscript;
        self.streams += 1;
        let report = loadguard_pickle::scan_with_policy(&bytes, &options, self.policy);
        for mut f in report.findings {
            let mut members = path.to_vec();
            members.append(&mut f.location.members);
            f.location.members = members;
            self.findings.push(f);
        }
    }

    fn safetensors(&mut self, data: &[u8], path: &[String], depth: u32) {
        self.streams += 1;
        let report = loadguard_formats::safetensors::validate(data);
        let polyglot = report.findings.iter().any(|f| f.rule.code == "ST009");
        let metadata = report
            .metadata
            .iter()
            .map(|(k, v)| (format!("__metadata__.{k}"), v.clone()));
        self.agent_text(metadata, loadguard_text::Kind::Metadata, path);
        for mut f in report.findings {
            f.location.members = path.to_vec();
            self.findings.push(f);
        }
        // A safetensors file that is also a zip loads as one elsewhere.
        if polyglot && zip::sniff(&data) {
            self.zip(&data, path, depth);
        }
    }

    /// Text files recognised by name: model cards, configs, Python code.
    fn text_file(&mut self, src: &dyn Source, name: &str) -> Option<Format> {
        let lower = name.to_ascii_lowercase();
        let data = src
            .read_at(0, usize::try_from(src.size()).unwrap_or(usize::MAX))
            .ok()?;
        let text = std::str::from_utf8(&data).ok()?;
        let (format, findings) = if lower.ends_with(".md") {
            (Format::ModelCard, loadguard_text::scan_card(text))
        } else if matches!(
            lower.as_str(),
            "config.json"
                | "tokenizer_config.json"
                | "generation_config.json"
                | "preprocessor_config.json"
                | "processor_config.json"
        ) {
            (Format::ModelConfig, loadguard_text::scan_config_json(text))
        } else if lower == "model.sig" && text.trim_start().starts_with('{') {
            // Checked with its folder (loadguard-signing), not as an artifact.
            (Format::ModelSignature, Vec::new())
        } else if lower.ends_with(".py") {
            let f = Finding::builder(
                &loadguard_text::rules::remote_code::RULE,
                "Python file in a model folder: from_pretrained(..., trust_remote_code=True) imports it".to_owned(),
            )
            .at(Location::default())
            .build();
            (Format::PythonCode, vec![f])
        } else {
            return None;
        };
        self.streams += 1;
        self.findings.extend(findings);
        Some(format)
    }

    /// Text an agent may read (metadata values, doc strings, templates)
    /// through the agent-text rules.
    fn agent_text(
        &mut self,
        texts: impl IntoIterator<Item = (String, String)>,
        kind: loadguard_text::Kind,
        path: &[String],
    ) {
        for (logical, text) in texts {
            for mut f in loadguard_text::scan_text(&text, kind, Some(&logical)) {
                f.location.members = path.to_vec();
                self.findings.push(f);
            }
        }
    }

    fn keras_config(&mut self, config: &[u8], offset: u64, path: &[String]) {
        for mut f in loadguard_formats::keras::validate_config(config, offset).findings {
            f.location.members = path.to_vec();
            self.findings.push(f);
        }
    }

    fn gguf(&mut self, src: &dyn Source, path: &[String]) {
        let Ok(data) = src.read_at(0, usize::try_from(src.size()).unwrap_or(usize::MAX)) else {
            return;
        };
        self.streams += 1;
        let report = loadguard_formats::gguf::validate(&data);
        for mut f in report.findings {
            f.location.members = path.to_vec();
            self.findings.push(f);
        }
        let strings = report.metadata.into_iter().filter_map(|(k, v)| match v {
            loadguard_formats::gguf::Value::Str(s) if !k.starts_with("tokenizer.chat_template") => {
                Some((k, s))
            }
            _ => None,
        });
        self.agent_text(strings, loadguard_text::Kind::Metadata, path);
        let templates = report.templates.into_iter().map(|(k, t, _)| (k, t));
        self.agent_text(templates, loadguard_text::Kind::Template, path);
    }

    fn npy(&mut self, src: &dyn Source, path: &[String]) {
        let head = src
            .read_at(0, 1 << 20)
            .map(Cow::into_owned)
            .unwrap_or_default();
        match npy::parse(&head) {
            Ok(h) => {
                if h.header_len > npy::NUMPY_HEADER_LIMIT {
                    self.report(
                        &rules::npy_header::RULE,
                        path,
                        Some(0),
                        format!(
                            "header of {} bytes: NumPy refuses it unless allow_pickle=True lifts the limit",
                            h.header_len
                        ),
                    );
                }
                let body_len = src.size().saturating_sub(h.data_offset as u64);
                if h.has_object {
                    let body = src.read_at(
                        h.data_offset as u64,
                        usize::try_from(body_len).unwrap_or(usize::MAX),
                    );
                    if let Ok(body) = body {
                        let mut p = path.to_vec();
                        p.push(format!("pickle@{}", h.data_offset));
                        self.pickle(&body.as_ref(), &p, false);
                    }
                } else if let Some(expected) = h.data_len
                    && u128::from(body_len) != expected
                {
                    self.report(
                        &rules::npy_header::RULE,
                        path,
                        Some(h.data_offset as u64),
                        format!("shape and dtype {} need {expected} data bytes, the file has {body_len}", h.descr),
                    );
                }
            }
            Err(e) => {
                self.report(
                    &rules::npy_header::RULE,
                    path,
                    Some(0),
                    format!("unreadable .npy header: {e}"),
                );
            }
        }
    }

    fn decompress(&mut self, codec: Codec, src: &dyn Source, path: &[String], depth: u32) -> bool {
        let input = match src.read_at(0, usize::try_from(src.size()).unwrap_or(usize::MAX)) {
            Ok(b) => b,
            Err(_) => return false,
        };
        let limits = &self.options.limits;
        let by_ratio = (input.len() as u64)
            .saturating_mul(limits.max_ratio)
            .max(1 << 20);
        let limit = limits.max_member_bytes.min(by_ratio);
        let decoded = compress::decompress(codec, &input, limit);
        // Weak magic and nothing decoded: it was not this codec after all.
        if decoded.data.is_empty()
            && decoded.stopped.is_some()
            && matches!(codec, Codec::Zlib | Codec::Lzma)
        {
            return false;
        }
        let mut inner = path.to_vec();
        inner.push(format!("{} data", codec.name()));
        match &decoded.stopped {
            Some(Stopped::Limit { limit }) => self.report(
                &rules::decompression_limit::RULE,
                path,
                None,
                format!("{} data expands past {limit} bytes; only the first {limit} were scanned", codec.name()),
            ),
            Some(Stopped::Corrupt { reason }) => self.report(
                &rules::corrupt_data::RULE,
                path,
                None,
                format!(
                    "{} data is corrupt after {} decoded bytes ({reason}); what follows was not scanned",
                    codec.name(),
                    decoded.data.len()
                ),
            ),
            None => {}
        }
        if self.spend(decoded.data.len() as u64, path) {
            self.node(&decoded.data, &inner, depth + 1, Origin::File);
        }
        true
    }

    fn zip(&mut self, src: &dyn Source, path: &[String], depth: u32) -> Format {
        let archive = zip::read(src, self.options.limits.max_members);
        for issue in &archive.issues {
            self.zip_issue(issue, path);
        }
        let torch_prefix = archive
            .entries
            .iter()
            .find(|e| e.name.ends_with("data.pkl") || e.name == "data.pkl")
            .map(|e| e.name.trim_end_matches("data.pkl").to_owned());
        let is_script = archive
            .entries
            .iter()
            .any(|e| e.name.ends_with("constants.pkl") || e.name.contains("/code/__torch__/"));
        let is_keras = archive.entries.iter().any(|e| e.name == "config.json")
            && archive
                .entries
                .iter()
                .any(|e| e.name == "model.weights.h5" || e.name == "metadata.json");
        let mut script_files = Vec::new();
        for entry in &archive.entries {
            let mut member = path.to_vec();
            member.push(entry.name.clone());
            self.check_member_name(&entry.name, &member);
            if entry.name.ends_with('/') && entry.size == 0 {
                continue;
            }
            // Storages of a torch zip are raw tensor bytes: torch never
            // decompresses or unpickles them. Read a prefix, and the whole
            // member only if that prefix is a pickle.
            let is_storage = torch_prefix
                .as_ref()
                .is_some_and(|p| entry.name.starts_with(&format!("{p}data/")));
            let Some(data) = self.member_bytes(src, entry, &member, is_storage) else {
                continue;
            };
            if is_storage {
                let window = &data[..data.len().min(64 * 1024)];
                if loadguard_pickle::sniff_strict(window) {
                    let full = self.member_bytes(src, entry, &member, false);
                    if let Some(full) = full {
                        self.pickle(&full, &member, false);
                    }
                }
                continue;
            }
            if entry.crc32 != crc32fast::hash(&data) && data.len() as u64 == entry.size {
                self.report(
                    &rules::zip_bad_crc::RULE,
                    &member,
                    Some(entry.data_offset),
                    format!(
                        "CRC-32 {:#010x} recorded, {:#010x} computed: zipfile refuses it, PyTorch loads it",
                        entry.crc32,
                        crc32fast::hash(&data)
                    ),
                );
            }
            if let Some(kind) = executable_kind(&entry.name, &data) {
                self.report(
                    &rules::executable_member::RULE,
                    &member,
                    Some(entry.data_offset),
                    format!("{kind} in the archive: loading or unpacking this model can run it"),
                );
                continue;
            }
            if entry.name.ends_with(".py") {
                if is_script && entry.name.contains("/code/") {
                    script_files.push((member.clone(), data.clone(), entry.data_offset));
                } else {
                    let mut f = Finding::builder(
                        &rules::executable_member::RULE,
                        "Python source in the archive: code that tooling may import or run"
                            .to_owned(),
                    )
                    .severity(Severity::Medium)
                    .at(location(&member, Some(entry.data_offset)))
                    .build();
                    f.occurrences = 1;
                    self.findings.push(f);
                }
                continue;
            }
            if is_keras && entry.name == "config.json" {
                self.streams += 1;
                self.keras_config(&data, 0, &member);
                continue;
            }
            let name_says_pickle = entry.name.ends_with(".pkl") || entry.name.ends_with(".pickle");
            if is_script
                && (name_says_pickle || entry.name.ends_with(".debug_pkl"))
                && loadguard_pickle::sniff(&data)
            {
                self.pickle_with(&data.as_slice(), &member, false, true);
                continue;
            }
            let format = self.node(&data, &member, depth + 1, Origin::Member);
            if name_says_pickle && matches!(format, Format::Unsupported(_)) && !data.is_empty() {
                // A `.pkl` member that is not a pickle: scan it as one anyway,
                // so the error is reported with its offset.
                self.pickle(&data, &member, false);
            }
        }
        if !script_files.is_empty() {
            self.torchscript(&script_files);
        }
        if is_script {
            Format::TorchScript
        } else if is_keras {
            Format::Keras
        } else if torch_prefix.is_some() {
            Format::TorchZip
        } else {
            Format::Zip
        }
    }

    /// A member's bytes (a prefix only, when `prefix_only`), decompressed
    /// within the limits. `None` when it cannot be read (already reported).
    fn member_bytes(
        &mut self,
        src: &dyn Source,
        entry: &zip::Entry,
        member: &[String],
        prefix_only: bool,
    ) -> Option<Vec<u8>> {
        let want = if prefix_only {
            entry.compressed_size.min(64 * 1024)
        } else {
            entry.compressed_size
        };
        let Ok(raw) = src.read_at(
            entry.data_offset,
            usize::try_from(want).unwrap_or(usize::MAX),
        ) else {
            return None;
        };
        if (raw.len() as u64) < want {
            self.report(
                &rules::zip_malformed::RULE,
                member,
                Some(entry.data_offset),
                format!(
                    "member data runs past the end of the archive ({} of {want} bytes)",
                    raw.len()
                ),
            );
        }
        let codec = match entry.method {
            0 => {
                if !prefix_only && !self.spend(raw.len() as u64, member) {
                    return None;
                }
                return Some(raw.into_owned());
            }
            8 => Codec::Deflate,
            12 => Codec::Bzip2,
            14 => Codec::Lzma,
            93 => Codec::Zstd,
            m => {
                self.report(
                    &rules::unsupported_compression::RULE,
                    member,
                    Some(entry.data_offset),
                    format!("compression method {m} is not decoded; the member was not scanned"),
                );
                return None;
            }
        };
        let limits = &self.options.limits;
        let by_ratio = (raw.len() as u64)
            .saturating_mul(limits.max_ratio)
            .max(1 << 20);
        let limit = if prefix_only {
            64 * 1024
        } else {
            limits.max_member_bytes.min(by_ratio)
        };
        // Zip's LZMA (method 14) has a 4-byte header before the properties.
        let input: &[u8] = if entry.method == 14 && raw.len() > 4 {
            &raw[4..]
        } else {
            &raw
        };
        let decoded = if entry.method == 14 {
            decode_zip_lzma(input, entry.size, limit)
        } else {
            compress::decompress(codec, input, limit)
        };
        if !prefix_only {
            match &decoded.stopped {
                Some(Stopped::Limit { limit }) => self.report(
                    &rules::decompression_limit::RULE,
                    member,
                    Some(entry.data_offset),
                    format!(
                        "member expands past {limit} bytes; only the first {limit} were scanned"
                    ),
                ),
                Some(Stopped::Corrupt { reason }) => self.report(
                    &rules::corrupt_data::RULE,
                    member,
                    Some(entry.data_offset),
                    format!(
                        "{} data is corrupt ({reason}); the decoded part was scanned",
                        codec.name()
                    ),
                ),
                None => {}
            }
            if !self.spend(decoded.data.len() as u64, member) {
                return None;
            }
        }
        Some(decoded.data)
    }

    fn zip_issue(&mut self, issue: &zip::Issue, path: &[String]) {
        use zip::Issue;
        let member = |name: &str| {
            let mut p = path.to_vec();
            p.push(name.to_owned());
            p
        };
        match issue {
            Issue::NameMismatch { central, local, offset } => self.report(
                &rules::zip_name_mismatch::RULE,
                &member(central),
                Some(*offset),
                format!("the local header names it {local:?}; readers disagree on what this member is"),
            ),
            Issue::Duplicate { name, case_only } => {
                let what = if *case_only { "names that differ only in case" } else { "the same name twice" };
                self.report(
                    &rules::zip_duplicate_member::RULE,
                    &member(name),
                    None,
                    format!("{what}: PyTorch loads the first match (ignoring case), zipfile the last; every copy was scanned"),
                );
            }
            Issue::FlagBits { name, flags } => self.report(
                &rules::zip_flag_bits::RULE,
                &member(name),
                None,
                format!("general-purpose flags {flags:#06x} (encryption/patch bits): zipfile refuses the member, PyTorch ignores the bits"),
            ),
            Issue::Hidden { name, offset } => self.report(
                &rules::zip_hidden_member::RULE,
                &member(name),
                Some(*offset),
                "a local header that the central directory does not list; it was scanned".to_owned(),
            ),
            Issue::Overlap { first, second, offset } => self.report(
                &rules::zip_overlapping_members::RULE,
                &member(second),
                Some(*offset),
                format!("overlaps {first:?}"),
            ),
            Issue::Prepended { bytes } => self.report(
                &rules::zip_prepended_data::RULE,
                path,
                Some(0),
                format!("{bytes} bytes before the first zip member (a file with a zip appended)"),
            ),
            Issue::Malformed { reason, offset } => {
                self.report(&rules::zip_malformed::RULE, path, Some(*offset), reason.clone());
            }
        }
    }

    fn check_member_name(&mut self, name: &str, member: &[String]) {
        let traversal = name.starts_with('/')
            || name.starts_with('\\')
            || name.as_bytes().get(1) == Some(&b':')
            || name.split(['/', '\\']).any(|c| c == "..");
        if traversal {
            self.report(
                &rules::path_traversal::RULE,
                member,
                None,
                "the member name leaves the extraction folder".to_owned(),
            );
        }
    }

    fn tar(&mut self, src: &dyn Source, path: &[String], depth: u32) {
        let archive = tar::read(src, self.options.limits.max_members);
        if let Some((reason, offset)) = &archive.error {
            self.report(
                &rules::corrupt_data::RULE,
                path,
                Some(*offset),
                format!("tar: {reason}"),
            );
        }
        for m in &archive.members {
            let mut member = path.to_vec();
            member.push(m.name.clone());
            self.check_member_name(&m.name, &member);
            match m.kind {
                tar::Kind::File => {}
                tar::Kind::Directory => continue,
                tar::Kind::Symlink | tar::Kind::Hardlink => {
                    self.report(
                        &rules::special_member::RULE,
                        &member,
                        Some(m.data_offset.saturating_sub(512)),
                        format!(
                            "link to {:?}: extraction or loading follows it out of the archive",
                            m.target
                        ),
                    );
                    continue;
                }
                tar::Kind::Device | tar::Kind::Fifo | tar::Kind::Other(_) => {
                    self.report(
                        &rules::special_member::RULE,
                        &member,
                        Some(m.data_offset.saturating_sub(512)),
                        format!("{:?} member: not a regular file", m.kind),
                    );
                    continue;
                }
            }
            if !self.spend(m.size, &member) {
                return;
            }
            let Ok(data) =
                src.read_at(m.data_offset, usize::try_from(m.size).unwrap_or(usize::MAX))
            else {
                continue;
            };
            if let Some(kind) = executable_kind(&m.name, &data) {
                self.report(
                    &rules::executable_member::RULE,
                    &member,
                    Some(m.data_offset),
                    format!("{kind} in the archive: loading or unpacking this model can run it"),
                );
                continue;
            }
            self.node(&data.as_ref(), &member, depth + 1, Origin::Member);
        }
    }

    /// 7z archives (checkpoints have shipped 7z-compressed). Every member
    /// is decoded within the limits and scanned by content.
    fn seven_zip(&mut self, src: &dyn Source, path: &[String], depth: u32) {
        let mut reader = match sevenz_rust2::ArchiveReader::new_with_memory_limit(
            source::SourceReader::new(src),
            sevenz_rust2::Password::empty(),
            256 * 1024,
        ) {
            Ok(r) => r,
            Err(e) => {
                self.report(
                    &rules::corrupt_data::RULE,
                    path,
                    Some(0),
                    format!("7z archive cannot be read: {e}"),
                );
                return;
            }
        };
        reader.set_thread_count(1);
        let per_member = self.options.limits.max_member_bytes;
        let mut budget = self
            .options
            .limits
            .max_total_bytes
            .saturating_sub(self.total_bytes);
        let mut members: Vec<(String, Vec<u8>, bool)> = Vec::new();
        let result = reader.for_each_entries(|entry, r| {
            if entry.is_directory() {
                return Ok(true);
            }
            let limit = per_member.min(budget);
            let mut buf = Vec::new();
            std::io::Read::read_to_end(
                &mut std::io::Read::take(r, limit.saturating_add(1)),
                &mut buf,
            )?;
            let hit = buf.len() as u64 > limit;
            buf.truncate(usize::try_from(limit).unwrap_or(usize::MAX).min(buf.len()));
            budget = budget.saturating_sub(buf.len() as u64);
            members.push((entry.name().to_owned(), buf, hit));
            Ok(!hit)
        });
        if let Err(e) = result {
            self.report(
                &rules::corrupt_data::RULE,
                path,
                None,
                format!(
                    "7z data could not be fully decoded ({e}); the decoded members were scanned"
                ),
            );
        }
        for (name, data, hit) in members {
            let mut member = path.to_vec();
            member.push(name.clone());
            self.check_member_name(&name, &member);
            if hit {
                self.report(
                    &rules::decompression_limit::RULE,
                    &member,
                    None,
                    format!(
                        "member expands past the limit; only the first {} bytes were scanned",
                        data.len()
                    ),
                );
            }
            if !self.spend(data.len() as u64, &member) {
                return;
            }
            if let Some(kind) = executable_kind(&name, &data) {
                self.report(
                    &rules::executable_member::RULE,
                    &member,
                    None,
                    format!("{kind} in the archive: loading or unpacking this model can run it"),
                );
                continue;
            }
            self.node(&data, &member, depth + 1, Origin::Member);
        }
    }

    fn torchscript(&mut self, files: &[(Vec<String>, Vec<u8>, u64)]) {
        const NOT_TORCHSCRIPT: &[&str] = &[
            "__import__",
            "import os",
            "os.system",
            "subprocess",
            "eval(",
            "exec(",
            "open(",
            "__builtins__",
            "globals()",
            "load_library",
        ];
        let mut suspicious = false;
        for (member, data, offset) in files {
            let text = String::from_utf8_lossy(data);
            if let Some(word) = NOT_TORCHSCRIPT.iter().find(|w| text.contains(*w)) {
                suspicious = true;
                let f = Finding::builder(
                    &rules::torchscript_code::RULE,
                    format!(
                        "TorchScript code uses `{word}`, which ordinary TorchScript never contains"
                    ),
                )
                .severity(Severity::High)
                .at(location(member, Some(*offset)))
                .build();
                self.findings.push(f);
            }
        }
        if !suspicious {
            let (member, _, offset) = &files[0];
            let mut f = Finding::builder(
                &rules::torchscript_code::RULE,
                format!(
                    "{} TorchScript code file(s): torch.jit.load compiles and runs them",
                    files.len()
                ),
            )
            .at(location(&member[..member.len() - 1], Some(*offset)))
            .build();
            f.occurrences = u32::try_from(files.len()).unwrap_or(u32::MAX);
            self.findings.push(f);
        }
    }
}

/// Zip method 14: a 2-byte version, 2-byte properties size, then LZMA
/// properties and data without the size field of the `.lzma` format.
fn decode_zip_lzma(input: &[u8], size: u64, limit: u64) -> compress::Decoded {
    if input.len() < 5 {
        return compress::Decoded {
            data: Vec::new(),
            stopped: Some(Stopped::Corrupt {
                reason: "truncated LZMA properties".into(),
            }),
        };
    }
    let mut alone = input[..5].to_vec();
    alone.extend_from_slice(&size.to_le_bytes());
    alone.extend_from_slice(&input[5..]);
    compress::decompress(Codec::Lzma, &alone, limit)
}

/// Native code by content (ELF, PE, Mach-O) or by name.
fn executable_kind(name: &str, data: &[u8]) -> Option<&'static str> {
    let by_content = match data {
        [0x7f, b'E', b'L', b'F', ..] => Some("an ELF binary"),
        [b'M', b'Z', ..] if data.len() > 64 => Some("a Windows executable"),
        [0xfe, 0xed, 0xfa, 0xce | 0xcf, ..] | [0xce | 0xcf, 0xfa, 0xed, 0xfe, ..] => {
            Some("a Mach-O binary")
        }
        _ => None,
    };
    let lower = name.to_ascii_lowercase();
    let by_name = [".so", ".dll", ".dylib", ".pyd", ".exe"]
        .iter()
        .any(|ext| lower.ends_with(ext) || lower.contains(&format!("{ext}.")))
        .then_some("a native library");
    by_content.or(by_name)
}
