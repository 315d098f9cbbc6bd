//! Keras model configurations (`config.json` in a `.keras` zip, the
//! `model_config` attribute of a legacy `.h5` file): the whole config tree is
//! walked for Lambda layers (their marshaled bytecode decoded and the names
//! it references listed), classes loaded from modules outside Keras, layers
//! that load other files (TFSMLayer), and custom objects.

use loadguard_core::{Finding, Location, Severity};

use crate::json::{self, Json};
use crate::rules;

/// The magic of HDF5 files (legacy Keras `.h5`).
pub const HDF5_MAGIC: &[u8] = b"\x89HDF\r\n\x1a\n";

/// Module prefixes that Keras's own deserializer may import.
const TRUSTED_MODULES: &[&str] = &["keras", "tf_keras", "tensorflow", "builtins"];

/// Names that, referenced by Lambda bytecode, mean code execution.
const DANGEROUS_NAMES: &[&str] = &[
    "os",
    "system",
    "popen",
    "subprocess",
    "eval",
    "exec",
    "compile",
    "__import__",
    "open",
    "socket",
    "urllib",
    "requests",
    "pickle",
    "marshal",
    "getattr",
    "builtins",
    "__builtins__",
    "importlib",
    "shutil",
    "pty",
    "ctypes",
];

#[derive(Debug, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub layers: usize,
}

/// Validates a Keras config JSON document. `offset` is where it starts in
/// the file (for locations).
pub fn validate_config(text: &[u8], offset: u64) -> Report {
    let mut report = Report::default();
    match json::parse(text) {
        Ok(v) => walk(&v, "model", offset, &mut report, 0),
        Err(e) => report.findings.push(
            Finding::builder(
                &rules::kr_config::RULE,
                format!("the model config is not valid JSON: {}", e.reason),
            )
            .at(Location::at_offset(offset + e.offset as u64))
            .build(),
        ),
    }
    report
}

/// Keras configurations found in a legacy HDF5 file.
#[derive(Debug, Default)]
pub struct H5Configs<'a> {
    /// JSON documents with a `class_name`, and where they start.
    pub configs: Vec<(u64, &'a [u8])>,
    /// The file names a `model_config` attribute.
    pub names_model_config: bool,
    /// More candidates than `MAX_H5_CANDIDATES`: the rest were not read.
    pub gave_up: bool,
}

/// Candidate documents read per file, and bytes per candidate: bounds on
/// the work a crafted file can cause.
const MAX_H5_CANDIDATES: usize = 4096;
const MAX_H5_CONFIG_BYTES: usize = 64 << 20;

/// The Keras JSON documents inside a legacy HDF5 file, without an HDF5
/// library: h5py stores string attributes (`model_config`,
/// `training_config`) as variable-length strings, whose bytes are objects
/// of a global heap collection (`GCOL`); every such object that is a JSON
/// document with a `class_name` is returned, whatever its key order. Fixed-
/// length string attributes are stored inline: any other `{"class_name"`
/// document is returned too. Every candidate is checked, so a decoy
/// config cannot hide the real one.
pub fn find_h5_configs(data: &[u8]) -> H5Configs<'_> {
    let mut out = H5Configs {
        names_model_config: find(data, b"model_config").is_some(),
        ..H5Configs::default()
    };
    let mut covered: Vec<(usize, usize)> = Vec::new();
    let mut from = 0;
    while let Some(i) = find(&data[from..], b"GCOL").map(|i| i + from) {
        from = i + 4;
        for (start, object) in global_heap_objects(data, i) {
            covered.push((start, start + object.len()));
            let body = object.trim_ascii();
            if body.starts_with(b"{") && find(body, b"\"class_name\"").is_some() {
                let lead = object.len() - object.trim_ascii_start().len();
                out.configs.push(((start + lead) as u64, body));
            }
        }
    }
    let mut from = 0;
    let mut candidates = 0;
    while let Some(i) = find(&data[from..], b"{\"class_name\"").map(|i| i + from) {
        candidates += 1;
        if candidates > MAX_H5_CANDIDATES {
            out.gave_up = true;
            break;
        }
        let window = &data[i..data.len().min(i + MAX_H5_CONFIG_BYTES)];
        let Some(len) = json_end(window) else {
            from = i + 1;
            continue;
        };
        from = i + len;
        if !covered.iter().any(|&(a, b)| a <= i && i < b) {
            out.configs.push((i as u64, &data[i..i + len]));
        }
    }
    out
}

/// The objects of the global heap collection at `at` (HDF5 format spec
/// III.E, 8-byte lengths): `GCOL`, version 1, the collection size, then
/// objects (index, reference count, size, data padded to 8) until index 0.
fn global_heap_objects(data: &[u8], at: usize) -> Vec<(usize, &[u8])> {
    let u64_at = |p: usize| -> Option<usize> {
        let b: [u8; 8] = data.get(p..p + 8)?.try_into().ok()?;
        usize::try_from(u64::from_le_bytes(b)).ok()
    };
    let mut objects = Vec::new();
    if data.get(at + 4) != Some(&1) {
        return objects;
    }
    let Some(end) = u64_at(at + 8)
        .filter(|&n| n >= 16)
        .and_then(|n| at.checked_add(n))
        .filter(|&e| e <= data.len())
    else {
        return objects;
    };
    let mut pos = at + 16;
    while pos + 16 <= end {
        let index = u16::from_le_bytes([data[pos], data[pos + 1]]);
        let Some(size) = u64_at(pos + 8) else {
            break;
        };
        if index == 0 {
            break;
        }
        let start = pos + 16;
        let Some(stop) = start.checked_add(size).filter(|&s| s <= end) else {
            break;
        };
        objects.push((start, &data[start..stop]));
        pos = start + size.div_ceil(8) * 8;
    }
    objects
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Length of the balanced JSON object at the start of `s`.
fn json_end(s: &[u8]) -> Option<usize> {
    let mut depth = 0i32;
    let mut in_str = false;
    let mut escaped = false;
    for (i, &b) in s.iter().enumerate() {
        if in_str {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// What Keras sees under `key`: `json.loads` keeps the last duplicate.
fn get<'a>(items: &'a [(String, Json)], key: &str) -> Option<&'a Json> {
    json::last(items, key)
}

fn text<'a>(items: &'a [(String, Json)], key: &str) -> Option<&'a str> {
    match get(items, key) {
        Some(Json::String(s)) => Some(s),
        _ => None,
    }
}

fn add(
    report: &mut Report,
    rule: &'static loadguard_core::Rule,
    severity: Option<Severity>,
    offset: u64,
    logical: &str,
    message: String,
) {
    let mut b = Finding::builder(rule, message);
    if let Some(s) = severity {
        b = b.severity(s);
    }
    report.findings.push(
        b.at(Location::at_offset(offset).with_logical(logical.to_owned()))
            .build(),
    );
}

fn walk(v: &Json, path: &str, offset: u64, report: &mut Report, depth: u32) {
    if depth > 256 {
        return;
    }
    match v {
        Json::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, &format!("{path}[{i}]"), offset, report, depth + 1);
            }
        }
        Json::Object(items) => {
            let dups = json::duplicate_keys(items);
            if !dups.is_empty() {
                add(
                    report,
                    &rules::kr_config::RULE,
                    None,
                    offset,
                    path,
                    format!(
                        "key {} given more than once: Keras (json.loads) loads the last, which is what was judged; other readers take the first",
                        dups.join(", ")
                    ),
                );
            }
            let class = text(items, "class_name").unwrap_or("");
            let config = match get(items, "config") {
                Some(Json::Object(c)) => Some(c.as_slice()),
                _ => None,
            };
            let name = config.and_then(|c| text(c, "name")).unwrap_or(class);
            let here = if class.is_empty() {
                path.to_owned()
            } else {
                format!("{path}/{name}")
            };
            if !class.is_empty() {
                report.layers += 1;
            }
            // Keras 3 nests the function as a `__lambda__` object: report it
            // there, once.
            let nested_function = config.is_some_and(|c| match get(c, "function") {
                Some(Json::Object(f)) => text(f, "class_name") == Some("__lambda__"),
                _ => false,
            });
            if class == "__lambda__" || (class == "Lambda" && !nested_function) {
                lambda(items, config, &here, offset, report);
            }
            if class == "TFSMLayer" {
                let target = config.and_then(|c| text(c, "filepath")).unwrap_or("?");
                add(
                    report,
                    &rules::kr_external_reference::RULE,
                    None,
                    offset,
                    &here,
                    format!(
                        "TFSMLayer loads the TensorFlow SavedModel at {target:?}: its graph runs when the model loads"
                    ),
                );
            }
            if let Some(module) = text(items, "module")
                && !TRUSTED_MODULES
                    .iter()
                    .any(|t| module == *t || module.starts_with(&format!("{t}.")))
            {
                add(
                    report,
                    &rules::kr_untrusted_module::RULE,
                    None,
                    offset,
                    &here,
                    format!(
                        "class {class:?} is loaded from module {module:?}, outside Keras: its code runs on load"
                    ),
                );
            }
            if let Some(registered) = text(items, "registered_name")
                && registered.contains('>')
            {
                add(
                    report,
                    &rules::kr_untrusted_module::RULE,
                    Some(Severity::Medium),
                    offset,
                    &here,
                    format!(
                        "custom object {registered:?}: loading needs its code, registered by the user"
                    ),
                );
            }
            for (k, child) in items {
                if k == "config" || matches!(child, Json::Object(_) | Json::Array(_)) {
                    walk(child, &here, offset, report, depth + 1);
                }
            }
        }
        _ => {}
    }
}

fn lambda(
    items: &[(String, Json)],
    config: Option<&[(String, Json)]>,
    here: &str,
    offset: u64,
    report: &mut Report,
) {
    // Keras 3: {"class_name": "__lambda__", "config": {"code": base64(marshal)}};
    // Keras 2: a Lambda layer whose config.function is [base64, defaults, closure].
    let code = config.and_then(|c| match get(c, "code") {
        Some(Json::String(s)) => Some(s.clone()),
        _ => match get(c, "function") {
            Some(Json::Array(a)) => match a.first() {
                Some(Json::String(s)) => Some(s.clone()),
                _ => None,
            },
            Some(Json::Object(f)) => get_nested_code(f),
            _ => None,
        },
    });
    let _ = items;
    let names = code
        .as_deref()
        .and_then(|c| loadguard_core::codec::base64_decode_python(c.as_bytes()))
        .map(|b| marshal_names(&b))
        .unwrap_or_default();
    let dangerous: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|n| DANGEROUS_NAMES.contains(n))
        .collect();
    let (severity, detail) = if dangerous.is_empty() {
        (
            Severity::High,
            if names.is_empty() {
                String::new()
            } else {
                format!(
                    "; its bytecode references {}",
                    names
                        .iter()
                        .take(12)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
        )
    } else {
        (
            Severity::Critical,
            format!("; its bytecode references {}", dangerous.join(", ")),
        )
    };
    add(
        report,
        &rules::kr_lambda::RULE,
        Some(severity),
        offset,
        here,
        format!("Lambda layer carries Python bytecode that runs when the model is used{detail}"),
    );
}

fn get_nested_code(f: &[(String, Json)]) -> Option<String> {
    match get(f, "config") {
        Some(Json::Object(c)) => text(c, "code").map(str::to_owned),
        _ => None,
    }
}

/// Identifier-like strings in marshaled code (co_names, co_varnames,
/// constants): short ASCII strings (`z`/`Z`/`a`/`A` with the FLAG_REF bit
/// either way) and unicode strings (`u`/`t`).
fn marshal_names(b: &[u8]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    // A set beside the list: code with many distinct names must not cost
    // their square.
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut i = 0;
    while i < b.len() {
        let t = b[i] & 0x7f;
        let (len, start) = match t {
            b'z' | b'Z' if i + 1 < b.len() => (usize::from(b[i + 1]), i + 2),
            b'a' | b'A' | b'u' | b't' if i + 4 < b.len() => (
                u32::from_le_bytes([b[i + 1], b[i + 2], b[i + 3], b[i + 4]]) as usize,
                i + 5,
            ),
            _ => {
                i += 1;
                continue;
            }
        };
        if len > 0
            && len <= 64
            && let Some(s) = b.get(start..start + len)
            && s.iter()
                .all(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'.')
            && s.first()
                .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
        {
            let name = String::from_utf8_lossy(s).into_owned();
            if seen.insert(name.clone()) {
                out.push(name);
            }
            i = start + len;
            continue;
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(r: &Report) -> Vec<&'static str> {
        let mut c: Vec<_> = r.findings.iter().map(|f| f.rule.code).collect();
        c.sort_unstable();
        c.dedup();
        c
    }

    #[test]
    fn plain_sequential_is_clean() {
        let cfg = br#"{"module": "keras", "class_name": "Sequential", "config": {"name": "seq", "layers": [
            {"module": "keras.layers", "class_name": "InputLayer", "config": {"name": "input", "batch_shape": [null, 4]}, "registered_name": null},
            {"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense", "units": 2, "activation": "relu"}, "registered_name": null}]},
            "registered_name": null}"#;
        let r = validate_config(cfg, 0);
        assert!(r.findings.is_empty(), "{:#?}", r.findings);
        assert_eq!(r.layers, 3);
    }

    #[test]
    fn lambda_modules_and_tfsm() {
        // marshal-like bytes naming os and system, base64-encoded.
        let code = "4wAAAAAAAAAAAAAAAAAAAAD6Am9z2gZzeXN0ZW0=";
        let cfg = format!(
            r#"{{"class_name": "Sequential", "config": {{"layers": [
              {{"module": "keras.layers", "class_name": "Lambda", "config": {{"name": "evil", "function": {{"module": "builtins", "class_name": "function", "config": {{"code": "{code}"}}}}}}}},
              {{"module": "os", "class_name": "system", "config": {{"name": "x"}}}},
              {{"module": "keras.layers", "class_name": "TFSMLayer", "config": {{"name": "t", "filepath": "/tmp/other"}}}},
              {{"module": "mypkg.layers", "class_name": "Custom", "config": {{"name": "c"}}, "registered_name": "mypkg>Custom"}}]}}}}"#
        );
        let r = validate_config(cfg.as_bytes(), 10);
        assert_eq!(codes(&r), ["KR001", "KR002", "KR003"]);
        let lambda = r
            .findings
            .iter()
            .find(|f| f.rule.code == "KR001")
            .expect("lambda");
        assert_eq!(lambda.severity, Severity::Critical, "{}", lambda.message);
        assert!(lambda.message.contains("os") && lambda.message.contains("system"));
        assert_eq!(
            lambda.location.logical.as_deref(),
            Some("model/Sequential[0]/evil")
        );
        assert_eq!(codes(&validate_config(b"{not json", 0)), ["KR004"]);
    }

    #[test]
    fn duplicate_keys_resolve_as_json_loads_does() {
        // The loader keeps the last "module": a harmless first one hides nothing.
        let cfg = br#"{"class_name": "Sequential", "config": {"layers": [
            {"module": "keras.layers", "class_name": "Dense", "module": "os", "config": {"name": "d"}}]}}"#;
        let r = validate_config(cfg, 0);
        assert_eq!(codes(&r), ["KR002", "KR004"], "{:#?}", r.findings);
        // The other way round, Keras loads the harmless one: only the ambiguity.
        let cfg = br#"{"class_name": "Sequential", "config": {"layers": [
            {"module": "os", "class_name": "Dense", "module": "keras.layers", "config": {"name": "d"}}]}}"#;
        assert_eq!(codes(&validate_config(cfg, 0)), ["KR004"]);
    }

    #[test]
    fn h5_config_is_found() {
        let mut f = HDF5_MAGIC.to_vec();
        f.extend_from_slice(&[0u8; 40]);
        f.extend_from_slice(
            br#"{"class_name": "Sequential", "config": {"name": "s", "note": "a } in a string"}}"#,
        );
        f.extend_from_slice(&[0u8; 8]);
        let found = find_h5_configs(&f);
        let [(at, cfg)] = found.configs.as_slice() else {
            panic!("{:?}", found.configs);
        };
        assert_eq!(*at, 48);
        assert!(cfg.ends_with(b"}}"));
    }

    /// A global heap collection holding `objects` (index from 1).
    fn gcol(objects: &[&[u8]]) -> Vec<u8> {
        let mut body = Vec::new();
        for (i, o) in objects.iter().enumerate() {
            body.extend_from_slice(&(i as u16 + 1).to_le_bytes());
            body.extend_from_slice(&[1, 0, 0, 0, 0, 0]);
            body.extend_from_slice(&(o.len() as u64).to_le_bytes());
            body.extend_from_slice(o);
            body.resize(body.len().div_ceil(8) * 8, 0);
        }
        body.extend_from_slice(&[0u8; 16]); // free space, index 0
        let mut g = b"GCOL\x01\0\0\0".to_vec();
        g.extend_from_slice(&((body.len() + 16) as u64).to_le_bytes());
        g.extend_from_slice(&body);
        g
    }

    #[test]
    fn every_h5_config_is_found_whatever_its_key_order() {
        // A harmless decoy first, then the real model_config with its keys
        // reordered (Keras does not care), stored as h5py stores strings.
        let evil = br#"{"config": {"layers": [{"config": {"name": "x", "function": {"class_name": "__lambda__", "config": {"code": "4wEAAAAAAAAAAAAAAAEAAAADAAAAQwAAAHMMAAAAdABkAYMBAQBkAFMAKQJO6QAAAAApAdoEZXZhbCkB2gF4qQByBAAAAPoAcgUAAAAEAAAAcwAAAAA="}}}, "class_name": "Lambda"}]}, "class_name": "Sequential"}"#;
        let mut f = HDF5_MAGIC.to_vec();
        f.extend_from_slice(b"model_config\0");
        f.extend_from_slice(br#"{"class_name": "Sequential", "config": {"layers": []}}"#);
        f.extend_from_slice(&gcol(&[b"2.15.0", b"tensorflow", evil]));
        let found = find_h5_configs(&f);
        assert_eq!(found.configs.len(), 2, "{:?}", found.configs);
        let codes: Vec<&str> = found
            .configs
            .iter()
            .flat_map(|(at, c)| validate_config(c, *at).findings)
            .map(|f| f.rule.code)
            .collect();
        assert!(codes.contains(&"KR001"), "{codes:?}");
        // A config that names model_config but holds no JSON is noticed.
        let mut g = HDF5_MAGIC.to_vec();
        g.extend_from_slice(b"model_config\0\x01\x02");
        let none = find_h5_configs(&g);
        assert!(none.configs.is_empty() && none.names_model_config);
        // A truncated collection is not read past its end.
        let mut t = HDF5_MAGIC.to_vec();
        let mut c = gcol(&[evil]);
        c.truncate(40);
        t.extend_from_slice(&c);
        assert!(find_h5_configs(&t).configs.is_empty());
    }
}
