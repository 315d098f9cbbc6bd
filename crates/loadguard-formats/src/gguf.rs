//! GGUF: header, metadata key/values and tensor infos, read with every count,
//! length and offset checked against the file before it is used. Tensor data
//! is never read. Chat templates are extracted and analysed statically.

use loadguard_core::{Finding, Location, Rule};

use crate::rules;
use crate::template;

pub const MAGIC: &[u8; 4] = b"GGUF";
/// ggml's own limit on dimensions.
const MAX_DIMS: u32 = 4;
/// Nested arrays deeper than this are not something a writer produces.
const MAX_ARRAY_DEPTH: u32 = 4;

/// Block size and bytes per block of each ggml type (from `gguf`'s
/// `GGML_QUANT_SIZES`).
fn type_size(t: u32) -> Option<(u64, u64)> {
    Some(match t {
        0 => (1, 4),
        1 => (1, 2),
        2 => (32, 18),
        3 => (32, 20),
        6 => (32, 22),
        7 => (32, 24),
        8 => (32, 34),
        9 => (32, 40),
        10 => (256, 84),
        11 => (256, 110),
        12 => (256, 144),
        13 => (256, 176),
        14 => (256, 210),
        15 => (256, 292),
        16 => (256, 66),
        17 => (256, 74),
        18 => (256, 98),
        19 => (256, 50),
        20 => (32, 18),
        21 => (256, 110),
        22 => (256, 82),
        23 => (256, 136),
        24 => (1, 1),
        25 => (1, 2),
        26 => (1, 4),
        27 | 28 => (1, 8),
        29 => (256, 56),
        30 => (1, 2),
        34 => (256, 54),
        35 => (256, 66),
        39 => (32, 17),
        40 => (64, 36),
        41 => (128, 18),
        _ => return None,
    })
}

/// A metadata value, as far as the checks need it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(i128),
    Float,
    Bool(bool),
    Str(String),
    Array(u64),
}

#[derive(Debug, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub version: u32,
    pub metadata: Vec<(String, Value)>,
    pub tensors: usize,
    /// Chat templates (key, text, offset of the key/value), for the
    /// agent-text rules.
    pub templates: Vec<(String, String, usize)>,
}

struct Reader<'a> {
    /// The file, or its first bytes (`total` says how long the file is).
    data: &'a [u8],
    total: u64,
    pos: usize,
    version: u32,
    /// A read ran past `data` but not past `total`: more bytes are needed.
    needs_more: bool,
}

#[derive(Debug)]
struct Short {
    what: String,
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: u64, what: &str) -> Result<&'a [u8], Short> {
        let end = usize::try_from(n)
            .ok()
            .and_then(|n| self.pos.checked_add(n));
        let end = match end {
            Some(e) if e <= self.data.len() => e,
            Some(e) if (e as u64) <= self.total => {
                self.needs_more = true;
                return Err(Short {
                    what: format!("{what} lies past the bytes read"),
                    at: self.pos,
                });
            }
            _ => {
                return Err(Short {
                    what: format!("{what} of {n} bytes runs past the end of the file"),
                    at: self.pos,
                });
            }
        };
        let s = &self.data[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn u32(&mut self, what: &str) -> Result<u32, Short> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self, what: &str) -> Result<u64, Short> {
        let b = self.take(8, what)?;
        Ok(u64::from_le_bytes(b.try_into().unwrap_or_default()))
    }

    /// Counts and lengths are u32 in version 1, u64 after.
    fn count(&mut self, what: &str) -> Result<u64, Short> {
        if self.version == 1 {
            self.u32(what).map(u64::from)
        } else {
            self.u64(what)
        }
    }

    fn string(&mut self, what: &str) -> Result<String, Short> {
        let n = self.count(what)?;
        let b = self.take(n, what)?;
        Ok(String::from_utf8_lossy(b).into_owned())
    }

    fn value(&mut self, ty: u32, depth: u32, key: &str) -> Result<Value, Short> {
        let scalar =
            |r: &mut Self, n: u64| r.take(n, &format!("value of {key}")).map(|b| b.to_vec());
        Ok(match ty {
            0 => Value::Int(i128::from(scalar(self, 1)?[0])),
            1 => Value::Int(i128::from(scalar(self, 1)?[0] as i8)),
            2 => Value::Int(i128::from(u16::from_le_bytes(
                scalar(self, 2)?.try_into().unwrap_or_default(),
            ))),
            3 => Value::Int(i128::from(i16::from_le_bytes(
                scalar(self, 2)?.try_into().unwrap_or_default(),
            ))),
            4 => Value::Int(i128::from(u32::from_le_bytes(
                scalar(self, 4)?.try_into().unwrap_or_default(),
            ))),
            5 => Value::Int(i128::from(i32::from_le_bytes(
                scalar(self, 4)?.try_into().unwrap_or_default(),
            ))),
            6 => {
                scalar(self, 4)?;
                Value::Float
            }
            7 => Value::Bool(scalar(self, 1)?[0] != 0),
            8 => Value::Str(self.string(&format!("string value of {key}"))?),
            9 => {
                if depth >= MAX_ARRAY_DEPTH {
                    return Err(Short {
                        what: format!("arrays nested more than {MAX_ARRAY_DEPTH} deep in {key}"),
                        at: self.pos,
                    });
                }
                let elem = self.u32(&format!("array type of {key}"))?;
                let n = self.count(&format!("array length of {key}"))?;
                // Each element takes at least one byte: a count beyond the
                // rest of the file is a lie, caught before looping.
                let remaining = self.total.saturating_sub(self.pos as u64);
                if n > remaining {
                    return Err(Short {
                        what: format!(
                            "array {key} claims {n} elements, more than the {remaining} bytes left"
                        ),
                        at: self.pos,
                    });
                }
                for _ in 0..n {
                    self.value(elem, depth + 1, key)?;
                }
                Value::Array(n)
            }
            10 => Value::Int(i128::from(u64::from_le_bytes(
                scalar(self, 8)?.try_into().unwrap_or_default(),
            ))),
            11 => Value::Int(i128::from(i64::from_le_bytes(
                scalar(self, 8)?.try_into().unwrap_or_default(),
            ))),
            12 => {
                scalar(self, 8)?;
                Value::Float
            }
            other => {
                return Err(Short {
                    what: format!("unknown value type {other} for {key}"),
                    at: self.pos,
                });
            }
        })
    }
}

pub fn sniff(data: &[u8]) -> bool {
    data.starts_with(MAGIC)
}

fn finding(rule: &'static Rule, at: usize, logical: Option<&str>, message: String) -> Finding {
    let mut location = Location::at_offset(at as u64);
    if let Some(l) = logical {
        location = location.with_logical(l.to_owned());
    }
    Finding::builder(rule, message).at(location).build()
}

pub fn validate(data: &[u8]) -> Report {
    validate_prefix(data, data.len() as u64).unwrap_or_default()
}

/// Validates a GGUF file from its first bytes: `prefix` is the start of a
/// file of `total` bytes. Everything but tensor data sits at the front, so a
/// prefix that covers the header, metadata and tensor infos is enough;
/// `None` when it does not (read more and call again).
pub fn validate_prefix(prefix: &[u8], total: u64) -> Option<Report> {
    let data = prefix;
    let mut report = Report::default();
    let mut r = Reader {
        data,
        total,
        pos: 4,
        version: 0,
        needs_more: false,
    };
    let result = parse(&mut r, &mut report);
    if r.needs_more {
        return None;
    }
    if let Err(short) = result {
        report
            .findings
            .push(finding(&rules::gg_bounds::RULE, short.at, None, short.what));
    }
    let mut escapes = Vec::new();
    for (key, text, offset) in &report.templates {
        escapes.extend(template::findings(key, text, *offset as u64));
    }
    report.findings.append(&mut escapes);
    Some(report)
}

fn parse(r: &mut Reader<'_>, report: &mut Report) -> Result<(), Short> {
    let version = r.u32("version")?;
    report.version = version;
    r.version = version;
    if !(1..=3).contains(&version) {
        report.findings.push(finding(
            &rules::gg_header::RULE,
            4,
            None,
            format!("unknown GGUF version {version}; the rest was not parsed"),
        ));
        return Ok(());
    }
    let tensor_count = r.count("tensor count")?;
    let kv_count = r.count("metadata count")?;
    let left = r.total.saturating_sub(r.pos as u64);
    // Every key/value takes at least 13 bytes, every tensor info 28.
    if kv_count.saturating_mul(13) > left || tensor_count.saturating_mul(28) > left {
        report.findings.push(finding(
            &rules::gg_header::RULE,
            8,
            None,
            format!("{kv_count} metadata entries and {tensor_count} tensors cannot fit in the {left} bytes that follow"),
        ));
        return Ok(());
    }
    let mut keys = std::collections::HashSet::new();
    let mut alignment: u64 = 32;
    for _ in 0..kv_count {
        let at = r.pos;
        let key = r.string("metadata key")?;
        let ty = r.u32(&format!("type of {key}"))?;
        let value = r.value(ty, 0, &key)?;
        if !keys.insert(key.clone()) {
            report.findings.push(finding(
                &rules::gg_duplicate::RULE,
                at,
                Some(&key),
                format!("metadata key {key:?} appears twice"),
            ));
        }
        if key == "general.alignment" {
            match value {
                Value::Int(a) if a > 0 && (a & (a - 1)) == 0 && a <= 1 << 20 => {
                    alignment = a as u64
                }
                _ => report.findings.push(finding(
                    &rules::gg_header::RULE,
                    at,
                    Some(&key),
                    format!("general.alignment is {value:?}, not a power of two"),
                )),
            }
        }
        if let Value::Str(s) = &value
            && (key == "tokenizer.chat_template" || key.starts_with("tokenizer.chat_template."))
        {
            report.templates.push((key.clone(), s.clone(), at));
        }
        report.metadata.push((key, value));
    }
    let mut infos = Vec::new();
    let mut names = std::collections::HashSet::new();
    for _ in 0..tensor_count {
        let at = r.pos;
        let name = r.string("tensor name")?;
        let n_dims = r.u32(&format!("dimension count of {name}"))?;
        if n_dims > MAX_DIMS {
            report.findings.push(finding(
                &rules::gg_tensor::RULE,
                at,
                Some(&name),
                format!("{n_dims} dimensions; ggml allows at most {MAX_DIMS}"),
            ));
            return Ok(());
        }
        let mut elements: Option<u64> = Some(1);
        let mut first_dim = 1;
        for d in 0..n_dims {
            let dim = r.u64(&format!("dimension of {name}"))?;
            if d == 0 {
                first_dim = dim;
            }
            elements = elements.and_then(|e| e.checked_mul(dim));
        }
        let ty = r.u32(&format!("type of {name}"))?;
        let offset = r.u64(&format!("offset of {name}"))?;
        if !names.insert(name.clone()) {
            report.findings.push(finding(
                &rules::gg_duplicate::RULE,
                at,
                Some(&name),
                format!("tensor {name:?} appears twice"),
            ));
        }
        infos.push((name, at, elements, first_dim, ty, offset));
    }
    report.tensors = infos.len();
    let data_start = r.pos.div_ceil(alignment as usize) * alignment as usize;
    let data_len = r.total.saturating_sub(data_start as u64);
    let mut ranges = Vec::new();
    for (name, at, elements, first_dim, ty, offset) in infos {
        let problem = |msg: String| finding(&rules::gg_tensor::RULE, at, Some(&name), msg);
        let Some((block, bytes)) = type_size(ty) else {
            report
                .findings
                .push(problem(format!("unknown ggml type {ty}")));
            continue;
        };
        let Some(elements) = elements else {
            report
                .findings
                .push(problem("element count overflows 64 bits".into()));
            continue;
        };
        if first_dim % block != 0 {
            report.findings.push(problem(format!(
                "first dimension {first_dim} is not a multiple of the block size {block}"
            )));
            continue;
        }
        let Some(size) = (elements / block).checked_mul(bytes) else {
            report
                .findings
                .push(problem("tensor size overflows 64 bits".into()));
            continue;
        };
        if offset % alignment != 0 {
            report.findings.push(problem(format!(
                "offset {offset} is not aligned to {alignment}"
            )));
        }
        match offset.checked_add(size) {
            Some(end) if end <= data_len => ranges.push((offset, end, name.clone())),
            _ => report.findings.push(problem(format!(
                "data [{offset}, {offset} + {size}) runs past the {data_len}-byte data section"
            ))),
        }
    }
    ranges.sort();
    for w in ranges.windows(2) {
        if w[1].0 < w[0].1 {
            report.findings.push(finding(
                &rules::gg_tensor::RULE,
                data_start,
                Some(&w[1].2),
                format!("data overlaps tensor {:?}", w[0].2),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A GGUF v3 file: metadata (key, type, raw value bytes), tensors
    /// (name, dims, type, offset), then `data`.
    pub(crate) fn build(
        kvs: &[(&str, u32, Vec<u8>)],
        tensors: &[(&str, &[u64], u32, u64)],
        data: &[u8],
    ) -> Vec<u8> {
        let mut v = MAGIC.to_vec();
        v.extend_from_slice(&3u32.to_le_bytes());
        v.extend_from_slice(&(tensors.len() as u64).to_le_bytes());
        v.extend_from_slice(&(kvs.len() as u64).to_le_bytes());
        for (k, t, raw) in kvs {
            v.extend_from_slice(&(k.len() as u64).to_le_bytes());
            v.extend_from_slice(k.as_bytes());
            v.extend_from_slice(&t.to_le_bytes());
            v.extend_from_slice(raw);
        }
        for (name, dims, ty, off) in tensors {
            v.extend_from_slice(&(name.len() as u64).to_le_bytes());
            v.extend_from_slice(name.as_bytes());
            v.extend_from_slice(&(dims.len() as u32).to_le_bytes());
            for d in *dims {
                v.extend_from_slice(&d.to_le_bytes());
            }
            v.extend_from_slice(&ty.to_le_bytes());
            v.extend_from_slice(&off.to_le_bytes());
        }
        while !v.len().is_multiple_of(32) {
            v.push(0);
        }
        v.extend_from_slice(data);
        v
    }

    pub(crate) fn s(text: &str) -> Vec<u8> {
        let mut v = (text.len() as u64).to_le_bytes().to_vec();
        v.extend_from_slice(text.as_bytes());
        v
    }

    fn codes(r: &Report) -> Vec<&'static str> {
        let mut c: Vec<_> = r.findings.iter().map(|f| f.rule.code).collect();
        c.sort_unstable();
        c.dedup();
        c
    }

    #[test]
    fn well_formed_file_is_clean() {
        let f = build(
            &[
                ("general.architecture", 8, s("llama")),
                (
                    "tokenizer.chat_template",
                    8,
                    s("{% for m in messages %}{{ m['content'] }}{% endfor %}"),
                ),
                ("llama.context_length", 4, 4096u32.to_le_bytes().to_vec()),
            ],
            &[("w", &[32, 2], 0, 0), ("q", &[64], 8, 256)],
            &[0u8; 256 + 68],
        );
        let r = validate(&f);
        assert!(r.findings.is_empty(), "{:#?}", r.findings);
        assert_eq!(r.tensors, 2);
        assert_eq!(r.templates.len(), 1);
    }

    #[test]
    fn lies_and_escapes() {
        // A string length past the end.
        let mut f = build(&[("k", 8, s("v"))], &[], b"");
        f[24..32].copy_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(codes(&validate(&f)), ["GG002"]);
        // Counts that cannot fit.
        let mut f = build(&[], &[], b"");
        f[8..16].copy_from_slice(&(1u64 << 40).to_le_bytes());
        assert_eq!(codes(&validate(&f)), ["GG001"]);
        // A tensor past the data, misaligned, overlapping, unknown type.
        let f = build(
            &[],
            &[
                ("a", &[8], 0, 0),
                ("b", &[8], 0, 16),
                ("c", &[4], 99, 0),
                ("d", &[1 << 40], 0, 64),
            ],
            &[0u8; 64],
        );
        let r = validate(&f);
        assert_eq!(codes(&r), ["GG003"]);
        assert_eq!(r.findings.len(), 4, "{:#?}", r.findings);
        // Duplicates and an escaping template.
        let f = build(
            &[
                ("k", 8, s("a")),
                ("k", 8, s("b")),
                (
                    "tokenizer.chat_template",
                    8,
                    s("{{ cycler.__init__.__globals__.os.popen('id').read() }}"),
                ),
            ],
            &[],
            b"",
        );
        let r = validate(&f);
        assert_eq!(codes(&r), ["GG004", "GG005"]);
        assert!(
            r.findings
                .iter()
                .any(|f| f.severity == loadguard_core::Severity::Critical)
        );
    }

    #[test]
    fn damage_is_reported_inside_the_file() {
        let f = build(
            &[
                ("general.architecture", 8, s("llama")),
                (
                    "arr",
                    9,
                    [
                        8u32.to_le_bytes().to_vec(),
                        2u64.to_le_bytes().to_vec(),
                        s("x"),
                        s("y"),
                    ]
                    .concat(),
                ),
            ],
            &[("w", &[32], 0, 0)],
            &[0u8; 128],
        );
        for i in 0..f.len() {
            let cut = validate(&f[..i]);
            let mut m = f.clone();
            m[i] ^= 0xa5;
            for x in cut.findings.iter().chain(validate(&m).findings.iter()) {
                assert!(
                    x.location.offset.is_none_or(|o| o <= f.len() as u64),
                    "{x:?}"
                );
            }
            // A prefix is enough or asks for more; never more than the whole.
            if let Some(r) = validate_prefix(&f[..i], f.len() as u64) {
                assert_eq!(r.findings.len(), validate(&f).findings.len(), "prefix {i}");
            }
        }
    }
}
