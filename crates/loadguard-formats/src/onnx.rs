//! ONNX: the protobuf `ModelProto`, walked defensively (bounds, recursion
//! depth) through the whole model: the main graph, graphs nested in
//! attributes (If/Loop/Scan), functions, initializers and sparse
//! initializers. External data locations, non-standard operator domains and
//! tensor sizes are checked; doc strings and metadata are collected for the
//! agent-text rules.

use loadguard_core::{Finding, Location, Rule, Severity};

use crate::proto::{self, Field};
use crate::rules;

const MAX_DEPTH: u32 = 32;

/// Domains of the ONNX standard operator sets.
const STANDARD: &[&str] = &[
    "",
    "ai.onnx",
    "ai.onnx.ml",
    "ai.onnx.training",
    "ai.onnx.preview.training",
];
/// Built into ONNX Runtime: not standard, but not a library you must load.
const RUNTIME_BUILTIN: &[&str] = &[
    "com.microsoft",
    "com.microsoft.nchwc",
    "com.microsoft.experimental",
    "com.ms.internal.nhwc",
];

/// An external-data reference, for the caller to check on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct External {
    pub tensor: String,
    pub location: String,
}

#[derive(Debug, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub ir_version: u64,
    pub opsets: Vec<(String, u64)>,
    pub external: Vec<External>,
    /// (where, text): doc strings and metadata values.
    pub texts: Vec<(String, String)>,
    pub nodes: usize,
}

/// ONNX has no magic: a ModelProto whose first field is `ir_version` and
/// that has a graph, or a truncated one: its fields up to the break are
/// ModelProto's, and the break is inside one of them (the graph, usually),
/// so that `onnx.load` fails where loadguard reports it instead of calling
/// the file unrecognised.
pub fn sniff(data: &[u8]) -> bool {
    if data.first() != Some(&0x08) || data.len() < 8 {
        return false;
    }
    let (f, err) = proto::fields_prefix(data);
    let ir_version = f
        .first()
        .and_then(Field::varint)
        .is_some_and(|v| (1..=64).contains(&v));
    if !ir_version {
        return false;
    }
    match err {
        None => f.iter().any(|x| x.number == 7 && x.bytes().is_some()),
        Some(e) => {
            let broken = proto::key_at(data, e.offset);
            f.iter().skip(1).all(|x| model_field(x.number, wire(x)))
                && broken.is_some_and(|(n, w)| model_field(n, w) && w == 2)
                && (f.len() >= 2 || broken.is_some_and(|(n, _)| n == 7))
        }
    }
}

fn wire(f: &Field<'_>) -> u8 {
    match f.value {
        proto::Wire::Varint(_) => 0,
        proto::Wire::Fixed64(_) => 1,
        proto::Wire::Bytes(_) => 2,
        proto::Wire::Fixed32(_) => 5,
    }
}

/// A ModelProto field number with its wire type.
fn model_field(number: u64, wire: u8) -> bool {
    match number {
        1 | 5 => wire == 0,
        2 | 3 | 4 | 6 | 7 | 8 | 14 | 20 | 25 => wire == 2,
        _ => false,
    }
}

struct Walker<'a> {
    data: &'a [u8],
    report: Report,
    custom: Vec<(String, String)>,
}

impl<'a> Walker<'a> {
    fn offset(&self, b: &[u8]) -> u64 {
        (b.as_ptr() as usize).saturating_sub(self.data.as_ptr() as usize) as u64
    }

    fn add(
        &mut self,
        rule: &'static Rule,
        at: u64,
        logical: &str,
        severity: Option<Severity>,
        message: String,
    ) {
        let mut b = Finding::builder(rule, message);
        if let Some(s) = severity {
            b = b.severity(s);
        }
        self.report.findings.push(
            b.at(Location::at_offset(at).with_logical(logical.to_owned()))
                .build(),
        );
    }

    /// Singular fields given more than once: onnx (protobuf) keeps the
    /// last, which is what was judged; a reader that takes the first sees
    /// another model.
    fn singular_twice(
        &mut self,
        fields: &[Field<'a>],
        singular: &[u64],
        buf: &'a [u8],
        logical: &str,
        what: &str,
    ) {
        let twice = proto::repeated_singular(fields, singular);
        if twice.is_empty() {
            return;
        }
        let at = self.offset(buf);
        self.add(
            &rules::ox_malformed::RULE,
            at,
            logical,
            Some(Severity::Medium),
            format!(
                "{what} sets field {twice:?} more than once: protobuf keeps the last (judged here), other readers the first"
            ),
        );
    }

    fn fields_or_report(&mut self, buf: &'a [u8], logical: &str) -> Option<Vec<Field<'a>>> {
        match proto::fields(buf) {
            Ok(f) => Some(f),
            Err(e) => {
                let at = self.offset(buf) + e.offset as u64;
                self.add(
                    &rules::ox_malformed::RULE,
                    at,
                    logical,
                    None,
                    format!("{}: {}", logical, e.reason),
                );
                None
            }
        }
    }

    fn graph(&mut self, buf: &'a [u8], path: &str, depth: u32) {
        if depth > MAX_DEPTH {
            let at = self.offset(buf);
            self.add(
                &rules::ox_malformed::RULE,
                at,
                path,
                None,
                format!("graphs nested deeper than {MAX_DEPTH}"),
            );
            return;
        }
        let Some(fields) = self.fields_or_report(buf, path) else {
            return;
        };
        for f in fields {
            match (f.number, f.bytes()) {
                (1, Some(b)) => self.node(b, path, depth),
                (5, Some(b)) => self.tensor(b, &format!("{path}/initializer")),
                (15, Some(b)) => {
                    if let Some(sparse) = self.fields_or_report(b, path) {
                        for s in sparse {
                            if let (1 | 2, Some(t)) = (s.number, s.bytes()) {
                                self.tensor(t, &format!("{path}/sparse_initializer"));
                            }
                        }
                    }
                }
                (10, Some(b)) => self.report.texts.push((
                    format!("{path}.doc_string"),
                    String::from_utf8_lossy(b).into_owned(),
                )),
                _ => {}
            }
        }
    }

    fn node(&mut self, buf: &'a [u8], graph: &str, depth: u32) {
        self.report.nodes += 1;
        let Some(fields) = self.fields_or_report(buf, graph) else {
            return;
        };
        let text = |n: u64| proto::text_of(&fields, n);
        let op = text(4);
        let name = text(3);
        let domain = text(7);
        let label = format!(
            "{graph}/{}",
            if name.is_empty() { op.clone() } else { name }
        );
        self.singular_twice(&fields, &[3, 4, 7], buf, &label, "node");
        if !STANDARD.contains(&domain.as_str()) {
            self.custom.push((domain.clone(), op.clone()));
            let builtin = RUNTIME_BUILTIN.contains(&domain.as_str());
            let at = self.offset(buf);
            self.add(
                &rules::ox_custom_domain::RULE,
                at,
                &label,
                Some(if builtin { Severity::Low } else { Severity::Medium }),
                if builtin {
                    format!("operator {domain}::{op} is an ONNX Runtime contrib op, not standard ONNX")
                } else {
                    format!("operator {domain}::{op} comes from a non-standard domain: loading the model needs a custom-op library")
                },
            );
        }
        for f in &fields {
            if let (6, Some(b)) = (f.number, f.bytes()) {
                self.report.texts.push((
                    format!("{label}.doc_string"),
                    String::from_utf8_lossy(b).into_owned(),
                ));
            }
            let (5, Some(attr)) = (f.number, f.bytes()) else {
                continue;
            };
            let Some(afields) = self.fields_or_report(attr, &label) else {
                continue;
            };
            let aname = proto::text_of(&afields, 1);
            for a in afields {
                match (a.number, a.bytes()) {
                    (6 | 11, Some(g)) => self.graph(g, &format!("{label}.{aname}"), depth + 1),
                    (5 | 10, Some(t)) => self.tensor(t, &format!("{label}.{aname}")),
                    _ => {}
                }
            }
        }
    }

    fn tensor(&mut self, buf: &'a [u8], path: &str) {
        let Some(fields) = self.fields_or_report(buf, path) else {
            return;
        };
        let name = proto::text_of(&fields, 8);
        let label = if name.is_empty() {
            path.to_owned()
        } else {
            name.clone()
        };
        let at = self.offset(buf);
        let mut dims: Vec<u64> = Vec::new();
        for f in &fields {
            match (f.number, f.value) {
                (1, proto::Wire::Varint(v)) => dims.push(v),
                (1, proto::Wire::Bytes(packed)) => {
                    let mut pos = 0;
                    while pos < packed.len() {
                        let mut v = 0u64;
                        let mut shift = 0;
                        while pos < packed.len() {
                            let b = packed[pos];
                            pos += 1;
                            if shift < 64 {
                                v |= u64::from(b & 0x7f) << shift;
                            }
                            shift += 7;
                            if b & 0x80 == 0 {
                                break;
                            }
                        }
                        dims.push(v);
                    }
                }
                _ => {}
            }
        }
        let dtype = fields
            .iter()
            .find(|f| f.number == 2)
            .and_then(Field::varint)
            .unwrap_or(0);
        let raw = fields.iter().find(|f| f.number == 9).and_then(Field::bytes);
        // Negative dims arrive as huge varints; the product then overflows.
        let elements = dims.iter().try_fold(1u64, |acc, d| {
            if *d > (1 << 62) {
                None
            } else {
                acc.checked_mul(*d)
            }
        });
        let bits = element_bits(dtype);
        let expected = elements
            .zip(bits)
            .and_then(|(e, b)| e.checked_mul(b))
            .map(|b| b.div_ceil(8));
        match (expected, raw) {
            (None, _) if !dims.is_empty() => {
                self.add(
                    &rules::ox_tensor_size::RULE,
                    at,
                    &label,
                    None,
                    format!("dims {dims:?} overflow or are negative"),
                );
            }
            (Some(e), Some(r)) if e != r.len() as u64 => self.add(
                &rules::ox_tensor_size::RULE,
                at,
                &label,
                None,
                format!(
                    "dims {dims:?} need {e} bytes of raw data, the tensor holds {}",
                    r.len()
                ),
            ),
            (Some(e), None) if e > 1 << 40 => self.add(
                &rules::ox_tensor_size::RULE,
                at,
                &label,
                Some(Severity::Low),
                format!("declares {e} bytes of data"),
            ),
            _ => {}
        }
        for f in &fields {
            let (13, Some(entry)) = (f.number, f.bytes()) else {
                continue;
            };
            let Some(kv) = self.fields_or_report(entry, &label) else {
                continue;
            };
            let key = proto::text_of(&kv, 1);
            let value = proto::text_of(&kv, 2);
            self.singular_twice(&kv, &[1, 2], entry, &label, "external_data entry");
            if key != "location" {
                continue;
            }
            if let Some(why) = bad_location(&value) {
                self.add(
                    &rules::ox_external_path::RULE,
                    at,
                    &label,
                    None,
                    format!("external data location {value:?} {why}"),
                );
            }
            self.report.external.push(External {
                tensor: label.clone(),
                location: value,
            });
        }
    }
}

/// Why an external-data location is not a plain file beside the model.
pub fn bad_location(loc: &str) -> Option<&'static str> {
    let lower = loc.to_ascii_lowercase();
    if lower.contains("://") {
        Some("is a URL")
    } else if lower.starts_with("/dev/")
        || lower.starts_with("\\\\.\\")
        || lower.starts_with("\\\\?\\")
        || lower.starts_with("/proc/")
    {
        Some("names a device or a kernel file")
    } else if loc.starts_with('/') || loc.starts_with('\\') || loc.as_bytes().get(1) == Some(&b':')
    {
        Some("is an absolute path")
    } else if loc.split(['/', '\\']).any(|c| c == "..") {
        Some("leaves the model's folder with `..`")
    } else if loc.contains('\0') {
        Some("contains a NUL byte")
    } else {
        None
    }
}

/// Bits per element of ONNX `TensorProto.DataType`.
fn element_bits(t: u64) -> Option<u64> {
    Some(match t {
        2 | 3 | 9 | 17..=20 | 24 => 8,
        1 | 6 | 12 => 32,
        4 | 5 | 10 | 16 => 16,
        7 | 11 | 13 | 14 => 64,
        15 => 128,
        21..=23 => 4,
        _ => return None,
    })
}

pub fn validate(data: &[u8]) -> Report {
    let mut w = Walker {
        data,
        report: Report::default(),
        custom: Vec::new(),
    };
    let (fields, err) = proto::fields_prefix(data);
    if let Some(e) = err {
        w.add(
            &rules::ox_malformed::RULE,
            e.offset as u64,
            "model",
            None,
            format!(
                "model: {} at offset {} (truncated or corrupt): onnx.load refuses it, and what follows was not checked",
                e.reason, e.offset
            ),
        );
    }
    for f in &fields {
        match (f.number, f.bytes()) {
            (1, None) => w.report.ir_version = f.varint().unwrap_or(0),
            (8, Some(b)) => {
                if let Ok(o) = proto::fields(b) {
                    let domain = proto::text_of(&o, 1);
                    let version = o
                        .iter()
                        .find(|x| x.number == 2)
                        .and_then(Field::varint)
                        .unwrap_or(0);
                    w.report.opsets.push((domain, version));
                }
            }
            (6, Some(b)) => w.report.texts.push((
                "model.doc_string".into(),
                String::from_utf8_lossy(b).into_owned(),
            )),
            (14, Some(b)) => {
                if let Ok(kv) = proto::fields(b) {
                    let key = proto::text_of(&kv, 1);
                    let value = proto::text_of(&kv, 2);
                    w.report
                        .texts
                        .push((format!("metadata_props.{key}"), value));
                }
            }
            _ => {}
        }
    }
    for f in &fields {
        match (f.number, f.bytes()) {
            (7, Some(g)) => w.graph(g, "graph", 0),
            (25, Some(func)) => {
                if let Some(ff) = w.fields_or_report(func, "function") {
                    let name = proto::text_of(&ff, 1);
                    for n in ff {
                        if let (7, Some(node)) = (n.number, n.bytes()) {
                            w.node(node, &format!("function {name}"), 1);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    // Custom-op findings list the opsets the model imports.
    if !w.custom.is_empty() {
        let opsets: Vec<String> = w
            .report
            .opsets
            .iter()
            .map(|(d, v)| format!("{}:{v}", if d.is_empty() { "ai.onnx" } else { d }))
            .collect();
        for f in &mut w.report.findings {
            if f.rule.code == "OX003" {
                f.message
                    .push_str(&format!(" (opsets imported: {})", opsets.join(", ")));
            }
        }
    }
    w.report
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn varint(mut v: u64, out: &mut Vec<u8>) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(b);
                break;
            }
            out.push(b | 0x80);
        }
    }

    pub(crate) fn field(n: u64, payload: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        varint(n << 3 | 2, &mut v);
        varint(payload.len() as u64, &mut v);
        v.extend_from_slice(payload);
        v
    }

    pub(crate) fn int(n: u64, value: u64) -> Vec<u8> {
        let mut v = Vec::new();
        varint(n << 3, &mut v);
        varint(value, &mut v);
        v
    }

    pub(crate) fn model(graph: &[u8]) -> Vec<u8> {
        [
            int(1, 9),
            field(8, &[field(1, b""), int(2, 17)].concat()),
            field(7, graph),
        ]
        .concat()
    }

    fn node(op: &str, domain: &str) -> Vec<u8> {
        [
            field(1, b"x"),
            field(2, b"y"),
            field(4, op.as_bytes()),
            field(7, domain.as_bytes()),
        ]
        .concat()
    }

    fn codes(r: &Report) -> Vec<&'static str> {
        let mut c: Vec<_> = r.findings.iter().map(|f| f.rule.code).collect();
        c.sort_unstable();
        c.dedup();
        c
    }

    #[test]
    fn a_plain_model_is_clean() {
        let init = [int(1, 2), int(2, 1), field(8, b"w"), field(9, &[0u8; 8])].concat();
        let g = [field(1, &node("Relu", "")), field(5, &init)].concat();
        let m = model(&g);
        assert!(sniff(&m));
        let r = validate(&m);
        assert!(r.findings.is_empty(), "{:#?}", r.findings);
        assert_eq!(r.nodes, 1);
        assert_eq!(r.opsets, vec![(String::new(), 17)]);
    }

    #[test]
    fn external_paths_domains_sizes_and_subgraphs() {
        let ext = |loc: &str| {
            [
                int(1, 4),
                int(2, 1),
                field(8, b"w"),
                field(
                    13,
                    &[field(1, b"location"), field(2, loc.as_bytes())].concat(),
                ),
                int(14, 1),
            ]
            .concat()
        };
        for (loc, bad) in [
            ("weights.bin", false),
            ("../../.ssh/id_rsa", true),
            ("/etc/passwd", true),
            ("http://x/y", true),
            ("/dev/zero", true),
        ] {
            let r = validate(&model(&field(5, &ext(loc))));
            assert_eq!(codes(&r).contains(&"OX002"), bad, "{loc}");
            assert_eq!(r.external.len(), 1);
        }
        let r = validate(&model(&field(1, &node("EvilOp", "com.attacker"))));
        assert_eq!(codes(&r), ["OX003"]);
        let size = [int(1, 4), int(2, 1), field(8, b"w"), field(9, &[0u8; 4])].concat();
        assert_eq!(codes(&validate(&model(&field(5, &size)))), ["OX004"]);
        // A custom op hidden in an If branch.
        let branch = field(1, &node("EvilOp", "com.attacker"));
        let attr = [field(1, b"then_branch"), int(20, 5), field(6, &branch)].concat();
        let if_node = [node("If", ""), field(5, &attr)].concat();
        assert_eq!(codes(&validate(&model(&field(1, &if_node)))), ["OX003"]);
        assert_eq!(codes(&validate(&model(&[0x0a, 0x05, 0x01]))), ["OX001"]);
    }

    #[test]
    fn duplicate_fields_resolve_as_protobuf_does() {
        // A harmless location, then a hostile one, in one entry: protobuf
        // keeps the last.
        let entry = [
            field(1, b"location"),
            field(2, b"weights.bin"),
            field(2, b"../../etc/passwd"),
        ]
        .concat();
        let t = [
            int(1, 4),
            int(2, 1),
            field(8, b"w"),
            field(13, &entry),
            int(14, 1),
        ]
        .concat();
        let r = validate(&model(&field(5, &t)));
        assert_eq!(codes(&r), ["OX001", "OX002"], "{:#?}", r.findings);
        assert_eq!(r.external[0].location, "../../etc/passwd");
        // A node whose domain is given twice: the second is the one loaded.
        let n = [node("Relu", ""), field(7, b"com.attacker")].concat();
        let r = validate(&model(&field(1, &n)));
        assert_eq!(codes(&r), ["OX001", "OX003"], "{:#?}", r.findings);
    }

    #[test]
    fn truncated_models_are_recognised_and_reported() {
        let g = [field(1, &node("Relu", "")), field(1, &node("Relu", ""))].concat();
        let m = model(&g);
        for cut in [m.len() - 1, m.len() - 5, 12] {
            let t = &m[..cut];
            assert!(sniff(t), "cut at {cut}");
            let r = validate(t);
            assert_eq!(codes(&r), ["OX001"], "cut at {cut}");
        }
        // Bytes that merely start with 0x08 are not a model.
        assert!(!sniff(b"\x08\x07\xff\xff\xff\xff\xff\xff\xff\xff\xff"));
        assert!(!sniff(b"\x08\x07garbage that is not protobuf"));
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let mut g = field(1, &node("Relu", ""));
        for _ in 0..40 {
            let attr = [field(1, b"body"), field(6, &g)].concat();
            g = field(1, &[node("Loop", ""), field(5, &attr)].concat());
        }
        assert!(codes(&validate(&model(&g))).contains(&"OX001"));
    }

    #[test]
    fn damage_is_reported_inside_the_file() {
        let init = [int(1, 2), field(8, b"w"), field(9, &[0u8; 8])].concat();
        let m = model(&[field(1, &node("Relu", "")), field(5, &init)].concat());
        // A truncated model that is still taken for ONNX is never clean; a
        // damaged one never reports an offset outside itself.
        for i in 1..m.len() {
            let r = validate(&m[..i]);
            assert!(
                !r.findings.is_empty() || !sniff(&m[..i]),
                "cut at {i}: clean"
            );
            let mut x = m.clone();
            x[i] ^= 0x3c;
            for f in validate(&x).findings {
                assert!(
                    f.location.offset.is_none_or(|o| o <= x.len() as u64),
                    "{f:?}"
                );
            }
        }
    }
}
