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

/// The `model_config` JSON inside a legacy HDF5 file: HDF5 stores the
/// attribute as a contiguous string, found here by its opening bytes.
pub fn find_h5_config(data: &[u8]) -> Option<(u64, &[u8])> {
    let start = find(data, b"{\"class_name\"")?;
    let end = json_end(&data[start..])?;
    Some((start as u64, &data[start..start + end]))
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

fn get<'a>(items: &'a [(String, Json)], key: &str) -> Option<&'a Json> {
    items.iter().find(|(k, _)| k == key).map(|(_, v)| v)
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
        .and_then(|c| loadguard_core::codec::base64_decode(c.as_bytes()))
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
            if !out.contains(&name) {
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
    fn h5_config_is_found() {
        let mut f = HDF5_MAGIC.to_vec();
        f.extend_from_slice(&[0u8; 40]);
        f.extend_from_slice(
            br#"{"class_name": "Sequential", "config": {"name": "s", "note": "a } in a string"}}"#,
        );
        f.extend_from_slice(&[0u8; 8]);
        let (at, cfg) = find_h5_config(&f).expect("found");
        assert_eq!(at, 48);
        assert!(cfg.ends_with(b"}}"));
    }
}
