//! Scanners for single-file formats: weights and graphs (safetensors, GGUF,
//! ONNX, TensorFlow, HDF5), NumPy, compressed streams, and text files
//! recognised by name.

use std::borrow::Cow;

use loadguard_core::{Finding, Location};

use crate::compress::{self, Codec, Stopped};
use crate::{Ctx, Format, Origin, Source, npy, rules, zip};

/// A [`Source`] as the safetensors validator's random access.
struct SourceBytes<'a>(&'a dyn Source);

impl loadguard_formats::safetensors::Bytes for SourceBytes<'_> {
    fn size(&self) -> u64 {
        self.0.size()
    }

    fn bytes_at(&self, start: u64, len: usize) -> Option<Cow<'_, [u8]>> {
        self.0.read_at(start, len).ok()
    }
}

/// The first bytes of a safetensors file up to the end of its header (at
/// most the reference loader's header limit): enough to recognise it from a
/// source read by ranges.
pub(crate) fn safetensors_prefix(src: &dyn Source) -> Option<Cow<'_, [u8]>> {
    if let Some(data) = src.contiguous() {
        return Some(Cow::Borrowed(data));
    }
    let head = src.read_at(0, 8).ok()?;
    let n = u64::from_le_bytes(head.get(..8)?.try_into().ok()?);
    if !(2..=loadguard_formats::safetensors::MAX_HEADER).contains(&n) || 8 + n > src.size() {
        return None;
    }
    src.read_at(0, usize::try_from(8 + n).ok()?).ok()
}

/// Names [`Ctx::text_file`] reads as text.
fn is_text_name(lower: &str) -> bool {
    lower.ends_with(".md")
        || lower.ends_with(".py")
        || lower.ends_with(".jinja")
        || lower.ends_with(".jinja2")
        || lower == "model.sig"
        || CONFIG_NAMES.contains(&lower)
}

/// Larger files are not read as MCP artifacts (a 1 GB `.json` is data).
const MCP_MAX_BYTES: u64 = 64 << 20;

/// JSON configs that transformers (and PEFT) read, and agents with them:
/// every string is read for instructions, `chat_template` as a template.
/// `tokenizer.json` is in every `save_pretrained` tokenizer folder; its
/// vocabulary and added tokens are strings like any other.
const CONFIG_NAMES: &[&str] = &[
    "config.json",
    "tokenizer_config.json",
    "tokenizer.json",
    "special_tokens_map.json",
    "added_tokens.json",
    "generation_config.json",
    "preprocessor_config.json",
    "processor_config.json",
    "chat_template.json",
    "adapter_config.json",
];

/// joblib before 0.10 wrote compressed pickles as `ZF`, the uncompressed
/// length in hex padded to 19 characters, then a zlib stream
/// (`numpy_pickle_compat.read_zfile`); `joblib.load` still reads them.
pub(crate) const JOBLIB_ZFILE_PREFIX: &[u8] = b"ZF";
const JOBLIB_ZFILE_HEADER: usize = 2 + 19;

impl Ctx<'_> {
    pub(crate) fn onnx(&mut self, data: &[u8], path: &[String]) {
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
    }

    pub(crate) fn tensorflow(&mut self, data: &[u8], path: &[String]) {
        self.streams += 1;
        for mut f in loadguard_formats::tensorflow::validate(data).findings {
            f.location.members = path.to_vec();
            self.findings.push(f);
        }
    }

    pub(crate) fn hdf5(&mut self, src: &dyn Source, path: &[String]) {
        let Some(data) = src.contiguous() else {
            self.not_scanned(src, None, path, "HDF5 from a source that is not in memory");
            return;
        };
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

    /// joblib's old single-file container: read as `read_zfile` does
    /// (the length is `int(text, 16)`; one optional space before the zlib
    /// data), then the pickle inside is detected like any other content.
    pub(crate) fn joblib_zfile(
        &mut self,
        src: &dyn Source,
        path: &[String],
        depth: u32,
    ) -> Option<Format> {
        let header = src.read_at(0, JOBLIB_ZFILE_HEADER + 1).ok()?;
        let length_text = std::str::from_utf8(header.get(2..JOBLIB_ZFILE_HEADER)?).ok()?;
        let t = length_text.trim();
        let t = t
            .strip_prefix("0x")
            .or_else(|| t.strip_prefix("0X"))
            .unwrap_or(t);
        u64::from_str_radix(&t.replace('_', ""), 16).ok()?;
        let start = if header.get(JOBLIB_ZFILE_HEADER) == Some(&b' ') {
            JOBLIB_ZFILE_HEADER + 1
        } else {
            JOBLIB_ZFILE_HEADER
        };
        let body = src
            .read_at(
                start as u64,
                usize::try_from(src.size()).unwrap_or(usize::MAX),
            )
            .ok()?;
        let mut inner = path.to_vec();
        inner.push("joblib zfile".to_owned());
        self.decompress(Codec::Zlib, &body.as_ref(), &inner, depth)
            .then_some(Format::JoblibZfile)
    }

    pub(crate) fn safetensors(&mut self, src: &dyn Source, path: &[String], depth: u32) {
        self.streams += 1;
        let report = loadguard_formats::safetensors::validate_bytes(&SourceBytes(src));
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
        if polyglot && zip::sniff(src) {
            self.zip(src, path, depth);
        }
    }

    /// Documents (PDF by content; HTML, text, JSONL, CSV by name) and text
    /// files recognised by name: model cards, configs, Python code.
    /// Invalid UTF-8 does not stop the scan: the text is read the way an
    /// agent's lossy decoding reads it.
    pub(crate) fn text_file(
        &mut self,
        src: &dyn Source,
        name: &str,
        path: &[String],
    ) -> Option<Format> {
        let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
        let lower = base.to_ascii_lowercase();
        if let Some(format) = self.mcp(src, base, path) {
            return Some(format);
        }
        let is_pdf = src
            .read_at(0, 1024)
            .is_ok_and(|head| loadguard_docs::is_pdf(&head));
        let is_parquet = src.size() >= 12
            && src.read_at(0, 4).is_ok_and(|h| h.as_ref() == b"PAR1")
            && src
                .read_at(src.size() - 4, 4)
                .is_ok_and(|t| t.as_ref() == b"PAR1");
        let by_name = loadguard_docs::Kind::from_name(&lower).filter(|k| {
            !matches!(
                k,
                loadguard_docs::Kind::Markdown
                    | loadguard_docs::Kind::Docx
                    | loadguard_docs::Kind::Odf
                    | loadguard_docs::Kind::Xlsx
                    | loadguard_docs::Kind::Pptx
                    | loadguard_docs::Kind::Epub
                    | loadguard_docs::Kind::Pdf
            )
        });
        let kind = if is_parquet {
            Some(loadguard_docs::Kind::Parquet)
        } else if is_pdf {
            Some(loadguard_docs::Kind::Pdf)
        } else {
            by_name
        };
        if let Some(kind) = kind {
            let max = self.options.documents.max_bytes;
            if src.size() > max {
                if kind == loadguard_docs::Kind::Parquet {
                    // A prefix of a Parquet file is nothing (its footer is
                    // at the end): read whole in memory only up to the
                    // document limit; a local file is read from disk by
                    // row group instead (`loadguard_docs::parquet::scan_file`,
                    // used by the CLI).
                    self.streams += 1;
                    self.report(
                        &loadguard_docs::rules::not_fully_read::RULE,
                        path,
                        None,
                        format!(
                            "a Parquet file of {} bytes, over the {max}-byte limit for documents read in memory (archive members, remote files): not read",
                            src.size()
                        ),
                    );
                    return Some(Format::Document(kind));
                }
                // Read no more than the document limit: a remote 1 GB
                // JSONL is not downloaded whole to be cut afterwards.
                self.report(
                    &loadguard_docs::rules::not_fully_read::RULE,
                    path,
                    Some(max),
                    format!(
                        "{} bytes, over the {max}-byte document limit: only the first {max} were read",
                        src.size()
                    ),
                );
            }
            let data = src
                .read_at(
                    0,
                    usize::try_from(src.size().min(max)).unwrap_or(usize::MAX),
                )
                .ok()?;
            self.streams += 1;
            for mut f in loadguard_docs::scan(kind, &data, &self.options.documents) {
                let mut members = path.to_vec();
                members.append(&mut f.location.members);
                f.location.members = members;
                self.findings.push(f);
            }
            return Some(Format::Document(kind));
        }
        if !is_text_name(&lower) {
            return None;
        }
        let data = src
            .read_at(0, usize::try_from(src.size()).unwrap_or(usize::MAX))
            .ok()?;
        let text = String::from_utf8_lossy(&data);
        let text = text.as_ref();
        let (format, findings) = if lower.ends_with(".md") {
            (Format::ModelCard, loadguard_text::scan_card(text))
        } else if CONFIG_NAMES.contains(&lower.as_str()) {
            // transformers renders `chat_template` with Jinja2: analysed as
            // a template, whichever of these files carries it.
            let mut findings = loadguard_text::scan_config_json(text);
            for (key, template) in loadguard_formats::template::templates_in_config(&data) {
                findings.extend(loadguard_formats::template::findings(&key, &template, 0));
            }
            (Format::ModelConfig, findings)
        } else if lower.ends_with(".jinja") || lower.ends_with(".jinja2") {
            // `chat_template.jinja`, which transformers saves beside the tokenizer.
            let findings = loadguard_formats::template::findings("chat_template", text, 0);
            (Format::ChatTemplate, findings)
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
        for mut f in findings {
            f.location.members = path.to_vec();
            self.findings.push(f);
        }
        Some(format)
    }

    /// MCP client configs, tool lists, server source and package manifests
    /// (recognised by content; the name only says which syntax to try).
    fn mcp(&mut self, src: &dyn Source, name: &str, path: &[String]) -> Option<Format> {
        if !loadguard_mcp::maybe(name) || src.size() > MCP_MAX_BYTES {
            return None;
        }
        let data = src
            .read_at(0, usize::try_from(src.size()).unwrap_or(usize::MAX))
            .ok()?;
        let lock = self.options.mcp_lock.as_deref();
        // Sibling files exist for the file itself, not for archive members.
        let siblings = if path.is_empty() { self.siblings } else { None };
        let scanned = loadguard_mcp::scan_with(name, &data, lock, siblings)?;
        self.streams += 1;
        for mut f in scanned.findings {
            f.location.members = path.to_vec();
            self.findings.push(f);
        }
        Some(Format::Mcp(scanned.artifact))
    }

    /// Text an agent may read (metadata values, doc strings, templates)
    /// through the agent-text rules.
    pub(crate) fn agent_text(
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

    pub(crate) fn keras_config(&mut self, config: &[u8], offset: u64, path: &[String]) {
        for mut f in loadguard_formats::keras::validate_config(config, offset).findings {
            f.location.members = path.to_vec();
            self.findings.push(f);
        }
    }

    pub(crate) fn gguf(&mut self, src: &dyn Source, path: &[String]) {
        // Header, metadata and tensor infos sit at the front: read a prefix
        // and grow it until they are covered (a remote 10 GB file costs its
        // first megabytes).
        let total = src.size();
        let mut want: u64 = 1 << 20;
        let report = loop {
            let Ok(data) = src.read_at(0, usize::try_from(want.min(total)).unwrap_or(usize::MAX))
            else {
                self.not_scanned(src, None, path, "unreadable GGUF");
                return;
            };
            if let Some(r) = loadguard_formats::gguf::validate_prefix(&data, total) {
                break r;
            }
            if want >= total || want >= self.options.limits.max_member_bytes {
                self.report(
                    &rules::container_limit::RULE,
                    path,
                    None,
                    format!("GGUF metadata larger than {want} bytes; not read further"),
                );
                return;
            }
            want = want.saturating_mul(4);
        };
        self.streams += 1;
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

    pub(crate) fn npy(&mut self, src: &dyn Source, path: &[String]) {
        let first = src.read_at(0, 12).map(Cow::into_owned).unwrap_or_default();
        let need = npy::header_end(&first).unwrap_or(1 << 20);
        let head = src
            .read_at(0, need)
            .map(Cow::into_owned)
            .unwrap_or_default();
        match npy::parse(&head) {
            Ok(h) => {
                let body_len = src.size().saturating_sub(h.data_offset as u64);
                self.npy_header(&h, body_len, path);
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

    /// What a parsed `.npy` header says about the file (duplicate keys, an
    /// oversized header, data of another size than shape and dtype need):
    /// `body_len` bytes follow the header.
    pub(crate) fn npy_header(&mut self, h: &npy::Header, body_len: u64, path: &[String]) {
        if !h.duplicate_keys.is_empty() {
            self.report(
                &rules::npy_header::RULE,
                path,
                Some(0),
                format!(
                    "header gives {} more than once: NumPy keeps the last, a text match the first",
                    h.duplicate_keys.join(", ")
                ),
            );
        }
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
        if !h.has_object
            && let Some(expected) = h.data_len
            && u128::from(body_len) != expected
        {
            self.report(
                &rules::npy_header::RULE,
                path,
                Some(h.data_offset as u64),
                format!(
                    "shape and dtype {} need {expected} data bytes, the file has {body_len}",
                    h.descr
                ),
            );
        }
    }

    pub(crate) fn decompress(
        &mut self,
        codec: Codec,
        src: &dyn Source,
        path: &[String],
        depth: u32,
    ) -> bool {
        let input = match src.read_at(0, usize::try_from(src.size()).unwrap_or(usize::MAX)) {
            Ok(b) => b,
            Err(_) => return false,
        };
        let decoded = compress::decompress(codec, &input, self.bound());
        // Weak magic and nothing decoded: it was not this codec after all
        // (a header the decoder read but refused for its memory is).
        if decoded.data.is_empty()
            && matches!(decoded.stopped, Some(Stopped::Corrupt { .. }))
            && matches!(codec, Codec::Zlib | Codec::Lzma)
        {
            return false;
        }
        let mut inner = path.to_vec();
        inner.push(format!("{} data", codec.name()));
        match &decoded.stopped {
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
            Some(stop) => self.report_stop(stop, path, None, &format!("{} data", codec.name())),
            None => {}
        }
        // A stream stopped before its first byte has nothing to scan (the
        // finding above says why).
        let stopped_at_once = decoded.data.is_empty() && decoded.stopped.is_some();
        if !stopped_at_once && self.spend(decoded.data.len() as u64, path) {
            self.node(&&*decoded.data, None, &inner, depth + 1, Origin::File);
        }
        true
    }
}
