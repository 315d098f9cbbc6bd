//! safetensors: `[u64 LE n][n bytes of JSON header][data]`. Everything the
//! reference loader (`safetensors` 0.8 `read_metadata`) rejects, and what it
//! accepts but is still suspicious, is a finding. Only the header (and the
//! first bytes of each tensor) is read: time does not grow with tensor data.

use loadguard_core::{Finding, Location, Rule, Severity};

use crate::json::{self, Json};
use crate::rules;

/// The reference loader's header size limit.
pub const MAX_HEADER: u64 = 100_000_000;

/// Bits per element of each dtype the reference crate accepts.
fn dtype_bits(dtype: &str) -> Option<u64> {
    Some(match dtype {
        "BOOL" | "U8" | "I8" | "F8_E5M2" | "F8_E4M3" | "F8_E8M0" | "F8_E4M3FNUZ"
        | "F8_E5M2FNUZ" => 8,
        "F4" => 4,
        "F6_E2M3" | "F6_E3M2" => 6,
        "I16" | "U16" | "F16" | "BF16" => 16,
        "I32" | "U32" | "F32" => 32,
        "C64" | "F64" | "I64" | "U64" => 64,
        _ => return None,
    })
}

/// Whether `data` looks like safetensors: a header length that fits the file
/// and a header that starts (after optional whitespace) with `{`.
pub fn sniff(data: &[u8]) -> bool {
    if data.len() < 10 {
        return false;
    }
    let n = u64::from_le_bytes(data[..8].try_into().unwrap_or_default());
    let fits = (2..=MAX_HEADER).contains(&n) && 8 + n <= data.len() as u64;
    if fits {
        let header = &data[8..(8 + n) as usize];
        return header.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    }
    // A lying length: still safetensors if a JSON object follows a binary
    // (not text) prefix, so that the lie is reported rather than missed.
    data[8] == b'{' && data[..8].iter().any(|b| !(0x20..0x7f).contains(b))
}

/// One tensor, as the header describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tensor {
    pub name: String,
    pub dtype: String,
    pub begin: u64,
    pub end: u64,
}

/// The result of validating one file.
#[derive(Debug, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub tensors: Vec<Tensor>,
    /// `__metadata__` string values, for the agent-text rules.
    pub metadata: Vec<(String, String)>,
}

struct Ctx {
    findings: Vec<Finding>,
}

impl Ctx {
    fn add(&mut self, rule: &'static Rule, location: Location, message: String) {
        self.findings
            .push(Finding::builder(rule, message).at(location).build());
    }

    fn add_sev(
        &mut self,
        rule: &'static Rule,
        severity: Severity,
        location: Location,
        message: String,
    ) {
        self.findings.push(
            Finding::builder(rule, message)
                .severity(severity)
                .at(location)
                .build(),
        );
    }
}

/// Random access to a file's bytes: a slice, or a source read by ranges
/// (a remote file), so that a 10 GB file is validated from its header, the
/// first bytes of each tensor and its tail.
pub trait Bytes {
    fn size(&self) -> u64;
    /// Up to `len` bytes at `start` (fewer at the end).
    fn bytes_at(&self, start: u64, len: usize) -> Option<std::borrow::Cow<'_, [u8]>>;
}

impl Bytes for &[u8] {
    fn size(&self) -> u64 {
        self.len() as u64
    }

    fn bytes_at(&self, start: u64, len: usize) -> Option<std::borrow::Cow<'_, [u8]>> {
        let s = usize::try_from(start).ok()?.min(self.len());
        let e = s.saturating_add(len).min(self.len());
        Some(std::borrow::Cow::Borrowed(&self[s..e]))
    }
}

/// Validates a safetensors file held in memory (or mapped).
pub fn validate(data: &[u8]) -> Report {
    validate_bytes(&data)
}

/// Validates a safetensors file through [`Bytes`]: only the header, each
/// tensor's first bytes, what follows the last tensor (its first bytes) and
/// the last 64 KiB (a zip directory) are read.
pub fn validate_bytes(data: &dyn Bytes) -> Report {
    let mut ctx = Ctx {
        findings: Vec::new(),
    };
    let mut report = Report::default();
    let len = data.size();
    let head = data.bytes_at(0, 8).unwrap_or_default();
    if head.len() < 8 {
        ctx.add(
            &rules::st_header_length::RULE,
            Location::at_offset(0),
            format!("{len} bytes: shorter than the 8-byte header length"),
        );
        report.findings = ctx.findings;
        return report;
    }
    let n = u64::from_le_bytes(head[..8].try_into().unwrap_or_default());
    if head.starts_with(b"PK\x03\x04") {
        ctx.add(
            &rules::st_polyglot::RULE,
            Location::at_offset(0),
            "the header length 0x04034B50 makes the file start like a zip: it is also a PyTorch-style archive".into(),
        );
    }
    if n > MAX_HEADER {
        ctx.add(
            &rules::st_header_length::RULE,
            Location::at_offset(0),
            format!("header length {n} exceeds the reference loader's limit of {MAX_HEADER}"),
        );
        report.findings = ctx.findings;
        return report;
    }
    if 8 + n > len {
        ctx.add(
            &rules::st_header_length::RULE,
            Location::at_offset(0),
            format!("header length {n} runs past the end of the {len}-byte file"),
        );
        report.findings = ctx.findings;
        return report;
    }
    let header_bytes = data
        .bytes_at(8, usize::try_from(n).unwrap_or(usize::MAX))
        .unwrap_or_default();
    let header: &[u8] = &header_bytes;
    let data_start = 8 + n;
    let data_len = len - data_start;
    if std::str::from_utf8(header).is_err() {
        ctx.add(
            &rules::st_header_invalid::RULE,
            Location::at_offset(8),
            "the header is not UTF-8".into(),
        );
        report.findings = ctx.findings;
        return report;
    }
    if header.first().is_some_and(u8::is_ascii_whitespace) {
        ctx.add_sev(
            &rules::st_header_invalid::RULE,
            Severity::Low,
            Location::at_offset(8),
            "the header starts with whitespace: the reference crate accepts it, stricter readers do not".into(),
        );
    }
    // Writers pad the header with spaces; a NUL or other padding is rejected.
    let parsed = match json::parse(header) {
        Ok(v) => v,
        Err(e) => {
            ctx.add(
                &rules::st_header_invalid::RULE,
                Location::at_offset(8 + e.offset as u64),
                format!("the header is not valid JSON: {}", e.reason),
            );
            report.findings = ctx.findings;
            return report;
        }
    };
    let Json::Object(entries) = parsed else {
        ctx.add(
            &rules::st_header_invalid::RULE,
            Location::at_offset(8),
            format!("the header is {}, not an object", parsed.kind()),
        );
        report.findings = ctx.findings;
        return report;
    };
    let mut seen = std::collections::HashSet::new();
    for (key, value) in &entries {
        if !seen.insert(key.as_str()) {
            ctx.add(
                &rules::st_duplicate_key::RULE,
                Location::at_offset(8).with_logical(key.clone()),
                format!("{key:?} appears more than once; loaders disagree on which copy they use"),
            );
        }
        check_text(&mut ctx, key, key, "name");
        if key == "__metadata__" {
            metadata(&mut ctx, value, &mut report.metadata);
            continue;
        }
        if let Some(t) = tensor(&mut ctx, key, value) {
            report.tensors.push(t);
        }
    }
    ranges(&mut ctx, &report.tensors, data_len);
    let last_end = report.tensors.iter().map(|t| t.end).max().unwrap_or(0);
    if last_end < data_len {
        let extra = data.bytes_at(data_start + last_end, 16).unwrap_or_default();
        let what = magic(&extra);
        let sev = if what.is_some() {
            Severity::High
        } else {
            Severity::Low
        };
        ctx.add_sev(
            &rules::st_trailing_data::RULE,
            sev,
            Location::at_offset(data_start + last_end),
            format!(
                "{} bytes after the last tensor{}; the reference loader rejects the file",
                data_len - last_end,
                what.map(|w| format!(" ({w})")).unwrap_or_default()
            ),
        );
    }
    let window = (crate::ZIP_EOCD_WINDOW as u64).min(len);
    let tail = data
        .bytes_at(len - window, window as usize)
        .unwrap_or_default();
    if let Some(eocd) = crate::last_zip_eocd(&tail).map(|i| len - window + i as u64)
        && eocd >= data_start
    {
        ctx.add(
            &rules::st_polyglot::RULE,
            Location::at_offset(eocd),
            "a zip end-of-central-directory record inside the data: the file is also a zip".into(),
        );
    }
    for t in &report.tensors {
        let start = data_start.saturating_add(t.begin);
        if t.end > t.begin
            && let Some(head) = data.bytes_at(start, 8)
            && let Some(what) = magic(&head)
        {
            ctx.add(
                &rules::st_embedded_payload::RULE,
                Location::at_offset(start).with_logical(t.name.clone()),
                format!("tensor {:?} ({}) starts like {what}", t.name, t.dtype),
            );
        }
    }
    report.findings = ctx.findings;
    report
}

fn metadata(ctx: &mut Ctx, value: &Json, out: &mut Vec<(String, String)>) {
    match value {
        Json::Null => {}
        Json::Object(items) => {
            for (k, v) in items {
                match v {
                    Json::String(s) => {
                        check_text(ctx, k, k, "metadata key");
                        check_text(ctx, k, s, "metadata value");
                        out.push((k.clone(), s.clone()));
                    }
                    other => ctx.add(
                        &rules::st_metadata::RULE,
                        Location::at_offset(8).with_logical(format!("__metadata__.{k}")),
                        format!(
                            "metadata value is {}; the reference loader accepts only strings",
                            other.kind()
                        ),
                    ),
                }
            }
        }
        other => ctx.add(
            &rules::st_metadata::RULE,
            Location::at_offset(8).with_logical("__metadata__"),
            format!("__metadata__ is {}, not an object of strings", other.kind()),
        ),
    }
}

/// Control, escape and bidirectional characters hide text from readers.
fn check_text(ctx: &mut Ctx, logical: &str, text: &str, what: &str) {
    let bad = text.chars().find(|c| {
        c.is_control() && !matches!(c, '\n' | '\t' | '\r')
            || matches!(*c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200b}'..='\u{200f}' | '\u{feff}')
            || ('\u{e0000}'..='\u{e007f}').contains(c)
    });
    if let Some(c) = bad {
        ctx.add_sev(
            &rules::st_metadata::RULE,
            Severity::Medium,
            Location::at_offset(8).with_logical(logical.to_owned()),
            format!(
                "{what} contains the hidden or control character U+{:04X}",
                u32::from(c)
            ),
        );
    }
}

fn tensor(ctx: &mut Ctx, name: &str, value: &Json) -> Option<Tensor> {
    let at = || Location::at_offset(8).with_logical(name.to_owned());
    let Json::Object(fields) = value else {
        ctx.add(
            &rules::st_tensor_entry::RULE,
            at(),
            format!("entry is {}, not an object", value.kind()),
        );
        return None;
    };
    let get = |k: &str| fields.iter().find(|(f, _)| f == k).map(|(_, v)| v);
    let extra: Vec<&str> = fields
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| !matches!(*k, "dtype" | "shape" | "data_offsets"))
        .collect();
    if !extra.is_empty() {
        ctx.add(
            &rules::st_tensor_entry::RULE,
            at(),
            format!("extra fields {extra:?} are ignored by loaders: data hidden in the header"),
        );
    }
    let dtype = match get("dtype") {
        Some(Json::String(d)) => d.clone(),
        _ => {
            ctx.add(
                &rules::st_tensor_entry::RULE,
                at(),
                "no string dtype".into(),
            );
            return None;
        }
    };
    let Some(bits) = dtype_bits(&dtype) else {
        ctx.add(
            &rules::st_tensor_entry::RULE,
            at(),
            format!("unknown dtype {dtype:?}"),
        );
        return None;
    };
    let shape: Option<Vec<u64>> = match get("shape") {
        Some(Json::Array(dims)) => dims
            .iter()
            .map(|d| match d {
                Json::Number(_, Some(v)) => Some(*v),
                _ => None,
            })
            .collect(),
        _ => None,
    };
    let Some(shape) = shape else {
        ctx.add(
            &rules::st_tensor_entry::RULE,
            at(),
            "shape is not an array of non-negative integers".into(),
        );
        return None;
    };
    let offsets = match get("data_offsets") {
        Some(Json::Array(o)) if o.len() == 2 => match (&o[0], &o[1]) {
            (Json::Number(_, Some(b)), Json::Number(_, Some(e))) => Some((*b, *e)),
            _ => None,
        },
        _ => None,
    };
    let Some((begin, end)) = offsets else {
        ctx.add(
            &rules::st_tensor_entry::RULE,
            at(),
            "data_offsets is not two non-negative integers".into(),
        );
        return None;
    };
    let elements = shape.iter().try_fold(1u64, |acc, d| acc.checked_mul(*d));
    let bytes = elements
        .and_then(|e| e.checked_mul(bits))
        .map(|b| (b / 8, b % 8));
    match bytes {
        None => ctx.add(
            &rules::st_size_mismatch::RULE,
            at(),
            format!("shape {shape:?} x {dtype} overflows 64 bits"),
        ),
        Some((_, rem)) if rem != 0 => ctx.add(
            &rules::st_size_mismatch::RULE,
            at(),
            format!("shape {shape:?} of {dtype} is not a whole number of bytes"),
        ),
        Some((b, _)) if end >= begin && end - begin != b => ctx.add(
            &rules::st_size_mismatch::RULE,
            at(),
            format!(
                "shape {shape:?} of {dtype} needs {b} bytes, the range [{begin}, {end}) holds {}",
                end - begin
            ),
        ),
        _ => {}
    }
    Some(Tensor {
        name: name.to_owned(),
        dtype,
        begin,
        end,
    })
}

/// Ranges must tile the data buffer: no overlap, no gap, in bounds.
fn ranges(ctx: &mut Ctx, tensors: &[Tensor], data_len: u64) {
    let mut sorted: Vec<&Tensor> = tensors.iter().collect();
    sorted.sort_by_key(|t| (t.begin, t.end));
    let mut cursor = 0u64;
    let mut prev: Option<&Tensor> = None;
    for t in sorted {
        let at = Location::at_offset(8).with_logical(t.name.clone());
        if t.end < t.begin {
            ctx.add(
                &rules::st_offsets::RULE,
                at,
                format!("range [{}, {}) ends before it begins", t.begin, t.end),
            );
            continue;
        }
        if t.end > data_len {
            ctx.add(
                &rules::st_offsets::RULE,
                at.clone(),
                format!(
                    "range [{}, {}) runs past the {data_len}-byte data buffer",
                    t.begin, t.end
                ),
            );
        }
        if t.begin < cursor {
            let other = prev.map(|p| p.name.as_str()).unwrap_or("?");
            ctx.add(
                &rules::st_offsets::RULE,
                at,
                format!("range [{}, {}) overlaps {other:?}", t.begin, t.end),
            );
        } else if t.begin > cursor {
            ctx.add_sev(
                &rules::st_offsets::RULE,
                Severity::Low,
                at,
                format!(
                    "{} bytes before this tensor belong to no tensor",
                    t.begin - cursor
                ),
            );
        }
        cursor = cursor.max(t.end);
        prev = Some(t);
    }
}

/// What a byte prefix looks like, when it is a file format that runs code or
/// carries one.
fn magic(b: &[u8]) -> Option<&'static str> {
    match b {
        [0x80, 2..=5, ..] => Some("a pickle"),
        [b'P', b'K', 3, 4, ..] => Some("a zip archive"),
        [0x7f, b'E', b'L', b'F', ..] => Some("an ELF executable"),
        [b'M', b'Z', 0x90, 0, ..] => Some("a Windows executable"),
        [0xcf, 0xfa, 0xed, 0xfe, ..] | [0xfe, 0xed, 0xfa, 0xcf, ..] => Some("a Mach-O executable"),
        [b'G', b'G', b'U', b'F', ..] => Some("a GGUF model"),
        [b'#', b'!', ..] => Some("a script"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(header: &str, data: &[u8]) -> Vec<u8> {
        let mut v = (header.len() as u64).to_le_bytes().to_vec();
        v.extend_from_slice(header.as_bytes());
        v.extend_from_slice(data);
        v
    }

    fn codes(r: &Report) -> Vec<&'static str> {
        let mut c: Vec<_> = r.findings.iter().map(|f| f.rule.code).collect();
        c.sort_unstable();
        c.dedup();
        c
    }

    #[test]
    fn a_well_formed_file_is_clean() {
        let f = file(
            r#"{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[1,2],"data_offsets":[8,12]}}  "#,
            &[0u8; 12],
        );
        assert!(sniff(&f));
        assert!(!sniff(b"abcdefgh{\"not\": \"safetensors\"}"));
        let mut lying = (1u64 << 40).to_le_bytes().to_vec();
        lying.extend_from_slice(b"{}");
        assert!(sniff(&lying));
        let r = validate(&f);
        assert!(r.findings.is_empty(), "{:#?}", r.findings);
        assert_eq!(r.tensors.len(), 2);
        assert_eq!(r.metadata, vec![("format".to_owned(), "pt".to_owned())]);
    }

    #[test]
    fn lying_lengths() {
        assert_eq!(codes(&validate(b"\x01\x02")), ["ST001"]);
        let mut f = u64::MAX.to_le_bytes().to_vec();
        f.extend_from_slice(b"{}");
        assert_eq!(codes(&validate(&f)), ["ST001"]);
        let mut f = 100u64.to_le_bytes().to_vec();
        f.extend_from_slice(b"{}");
        assert_eq!(codes(&validate(&f)), ["ST001"]);
    }

    #[test]
    fn header_problems() {
        assert_eq!(codes(&validate(&file("{\"a\":", b""))), ["ST002"]);
        assert_eq!(codes(&validate(&file("[]", b""))), ["ST002"]);
        assert_eq!(codes(&validate(&file("{}\0\0", b""))), ["ST002"]);
        assert_eq!(codes(&validate(&file(" {}", b""))), ["ST002"]);
        let dup = r#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}"#;
        assert!(codes(&validate(&file(dup, &[0; 4]))).contains(&"ST003"));
    }

    #[test]
    fn tensor_entries_and_ranges() {
        let extra =
            r#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"payload":"import os"}}"#;
        assert_eq!(codes(&validate(&file(extra, &[0; 4]))), ["ST004"]);
        let unknown = r#"{"a":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}}"#;
        assert_eq!(
            codes(&validate(&file(unknown, &[0; 16]))),
            ["ST004", "ST007"]
        );
        let overlap = r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#;
        assert!(codes(&validate(&file(overlap, &[0; 12]))).contains(&"ST005"));
        let oob = r#"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#;
        assert!(codes(&validate(&file(oob, &[0; 4]))).contains(&"ST005"));
        let size = r#"{"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,4]}}"#;
        assert_eq!(codes(&validate(&file(size, &[0; 4]))), ["ST006"]);
        let overflow =
            r#"{"a":{"dtype":"F32","shape":[4611686018427387904,8],"data_offsets":[0,0]}}"#;
        assert!(codes(&validate(&file(overflow, b""))).contains(&"ST006"));
    }

    #[test]
    fn trailing_data_polyglots_and_payloads() {
        let h = r#"{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}"#;
        let r = validate(&file(h, b"\x00\x00\x00\x00junk"));
        assert_eq!(codes(&r), ["ST007"]);
        assert_eq!(r.findings[0].severity, Severity::Low);
        let r = validate(&file(h, b"\x00\x00\x00\x00\x80\x04N."));
        assert_eq!(r.findings[0].severity, Severity::High);
        let r = validate(&file(h, b"\x80\x04N."));
        assert_eq!(codes(&r), ["ST010"]);
        assert_eq!(r.findings[0].location.logical.as_deref(), Some("a"));
        let mut zipped = file(h, b"\0\0\0\0");
        zipped.extend_from_slice(b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0");
        assert!(codes(&validate(&zipped)).contains(&"ST009"));
    }

    #[test]
    fn metadata_rules() {
        let h = r#"{"__metadata__":{"n":1,"ok":"x\u202ey"}}"#;
        let r = validate(&file(h, b""));
        assert_eq!(codes(&r), ["ST008"]);
        assert_eq!(r.findings.len(), 2);
    }

    #[test]
    fn damage_is_reported_inside_the_file() {
        let h =
            r#"{"__metadata__":{"a":"b"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#;
        let f = file(h, &[1u8; 8]);
        assert!(validate(&f).findings.is_empty());
        for i in 0..f.len() {
            // Every truncation is reported.
            assert!(!validate(&f[..i]).findings.is_empty(), "cut at {i}: clean");
            let mut m = f.clone();
            m[i] ^= 0x55;
            for x in validate(&m).findings {
                assert!(
                    x.location.offset.is_none_or(|o| o <= m.len() as u64),
                    "{x:?}"
                );
            }
        }
    }
}
