//! MCP setups, statically: client configs (every client's shape, JSON,
//! JSONC, TOML, YAML), saved `tools/list` responses, server source
//! (Python, JavaScript, TypeScript, parsed with tree-sitter) and package
//! install hooks. Nothing is started, imported or fetched; no I/O: bytes
//! in, findings out. [`discover`] lists where clients keep their configs.
#![forbid(unsafe_code)]

pub mod config;
pub mod discover;
pub mod document;
mod hooks;
mod launch;
pub mod paths;
pub mod pin;
pub mod rules;
pub mod secrets;
pub mod shell;
pub mod source;
pub mod tools;

use std::sync::LazyLock;

use loadguard_core::{Finding, Location, Severity};
use regex::Regex;

pub use pin::Lock;
pub use source::Language;
pub use tools::ServerTools;

/// What an MCP artifact is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Artifact {
    /// A client config naming servers.
    Config,
    /// A saved `tools/list` response (or an inventory of several servers).
    ToolList,
    /// Server source importing an MCP SDK.
    Source(Language),
    /// `package.json`, `setup.py` or `pyproject.toml`: install hooks.
    Package,
    /// A lock file written by `loadguard mcp pin` (data, nothing to run).
    Lock,
}

impl Artifact {
    pub fn name(self) -> &'static str {
        match self {
            Self::Config => "mcp-config",
            Self::ToolList => "mcp-tools",
            Self::Source(_) => "mcp-server-source",
            Self::Package => "package-manifest",
            Self::Lock => "mcp-lock",
        }
    }
}

/// The result of scanning one MCP artifact.
#[derive(Debug)]
pub struct Scanned {
    pub artifact: Artifact,
    pub findings: Vec<Finding>,
    /// Tools found (from a tools list or source), for pins.
    pub servers: Vec<ServerTools>,
}

/// Source files larger than this are reported, not parsed.
pub const MAX_SOURCE_BYTES: usize = 8 << 20;

static PY_MCP_IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^\s*(from\s+(mcp|fastmcp)(\.[\w.]+)?\s+import\b|import\s+(mcp|fastmcp)\b)")
        .expect("import pattern")
});
static JS_MCP_IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"["'](@modelcontextprotocol/sdk[^"']*|fastmcp|mcp-framework|@mastra/mcp|@cloudflare/agents|agents/mcp)["']"#).expect("import pattern")
});

fn base_name(name: &str) -> String {
    name.rsplit(['/', '\\'])
        .next()
        .unwrap_or(name)
        .to_ascii_lowercase()
}

fn language(lower: &str) -> Option<Language> {
    let ext = lower.rsplit('.').next()?;
    match ext {
        "py" => Some(Language::Python),
        "js" | "mjs" | "cjs" | "jsx" => Some(Language::JavaScript),
        "ts" | "mts" | "cts" => Some(Language::TypeScript),
        "tsx" => Some(Language::Tsx),
        _ => None,
    }
}

fn structured(lower: &str) -> bool {
    [".json", ".jsonc", ".json5", ".toml", ".yaml", ".yml"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// Whether a file of this name could be an MCP artifact (worth reading).
pub fn maybe(name: &str) -> bool {
    let lower = base_name(name);
    lower == "package.json"
        || lower == "setup.py"
        || language(&lower).is_some()
        || structured(&lower)
}

/// Whether `name` with these bytes is an MCP artifact, and which.
pub fn recognise(name: &str, data: &[u8]) -> Option<Artifact> {
    let lower = base_name(name);
    if lower == "package.json" || lower == "setup.py" || lower == "pyproject.toml" {
        return Some(Artifact::Package);
    }
    if let Some(lang) = language(&lower) {
        let head = &data[..data.len().min(256 << 10)];
        let text = String::from_utf8_lossy(head);
        let mcp = match lang {
            Language::Python => PY_MCP_IMPORT.is_match(&text),
            _ => JS_MCP_IMPORT.is_match(&text),
        };
        return mcp.then_some(Artifact::Source(lang));
    }
    if !structured(&lower) || data.len() > 64 << 20 {
        return None;
    }
    let text = std::str::from_utf8(data).ok()?;
    let (_, v) = document::parse(&lower, text)?;
    if tools::parse(&lower, &v).is_some() {
        return Some(Artifact::ToolList);
    }
    if Lock::from_json(text).is_ok() {
        return Some(Artifact::Lock);
    }
    config::servers(&v).map(|_| Artifact::Config)
}

/// Keys given twice in one object of a strict JSON file: the clients
/// (`JSON.parse`, Python's `json.loads`) keep the last, which is what was
/// scanned; a reviewer reading the first sees something else.
fn duplicates(syntax: document::Syntax, data: &[u8], text: &str) -> Vec<Finding> {
    use loadguard_formats::json::{self, Json};
    fn walk<'a>(v: &'a Json, at: &str, depth: u32, out: &mut Vec<(String, &'a str)>) {
        if depth > 64 {
            return;
        }
        match v {
            Json::Object(items) => {
                for k in json::duplicate_keys(items) {
                    out.push((at.to_owned(), k));
                }
                for (k, x) in items {
                    walk(
                        x,
                        &format!("{at}{}{k}", if at.is_empty() { "" } else { "." }),
                        depth + 1,
                        out,
                    );
                }
            }
            Json::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    walk(x, &format!("{at}[{i}]"), depth + 1, out);
                }
            }
            _ => {}
        }
    }
    if syntax != document::Syntax::Json {
        return Vec::new();
    }
    let Ok(tree) = json::parse(data) else {
        return Vec::new();
    };
    let mut dups = Vec::new();
    walk(&tree, "", 0, &mut dups);
    dups.into_iter()
        .map(|(at, key)| {
            let needle = format!("\"{key}\"");
            let first = text.find(&needle).unwrap_or(0);
            let (line, column, _) = document::position(text, &needle, first + 1);
            let place = if at.is_empty() { key.to_owned() } else { format!("{at}.{key}") };
            Finding::builder(
                &rules::unknown_entry::RULE,
                format!("`{place}` is given twice: clients keep the last one (scanned here); a reader of the first sees something else"),
            )
            .severity(Severity::Medium)
            .at(Location::default().with_logical(place).with_line_column(line, column))
            .build()
        })
        .collect()
}

/// Scans an MCP artifact (see [`recognise`]); `None` when it is not one.
/// With a lock file, tools are compared with their pins.
pub fn scan(name: &str, data: &[u8], lock: Option<&Lock>) -> Option<Scanned> {
    scan_with(name, data, lock, None)
}

/// Like [`scan`]; server source also follows the functions it imports
/// from its own package into the files `siblings` reads.
pub fn scan_with(
    name: &str,
    data: &[u8],
    lock: Option<&Lock>,
    siblings: Option<source::Siblings<'_>>,
) -> Option<Scanned> {
    let artifact = recognise(name, data)?;
    let lower = base_name(name);
    let text = String::from_utf8_lossy(data);
    let stem = lower.split('.').next().unwrap_or(&lower).to_owned();
    let mut servers = Vec::new();
    let mut findings = match artifact {
        Artifact::Config => {
            let (syntax, v) = document::parse(&lower, &text)?;
            let mut f = config::scan(&text, &v);
            f.extend(duplicates(syntax, data, &text));
            f
        }
        Artifact::ToolList => {
            let (syntax, v) = document::parse(&lower, &text)?;
            servers = tools::parse(&stem, &v)?;
            let mut f = tools::check(&servers, Some(&text));
            f.extend(duplicates(syntax, data, &text));
            f
        }
        Artifact::Source(lang) => {
            if data.len() > MAX_SOURCE_BYTES {
                let f = Finding::builder(
                    &rules::unknown_entry::RULE,
                    format!("MCP server source of {} bytes, over the {MAX_SOURCE_BYTES}-byte limit: not analysed", data.len()),
                )
                .severity(Severity::Medium)
                .at(Location::default())
                .build();
                return Some(Scanned {
                    artifact,
                    findings: vec![f],
                    servers,
                });
            }
            let report = source::scan_with_siblings(&text, lang, &stem, siblings);
            let mut f = report.findings;
            if !report.tools.tools.is_empty() {
                f.extend(tools::check(std::slice::from_ref(&report.tools), None));
                servers.push(report.tools);
            }
            f
        }
        Artifact::Package => hooks::scan(&lower, &text),
        Artifact::Lock => Vec::new(),
    };
    if let Some(lock) = lock
        && !servers.is_empty()
    {
        for mut f in lock.compare(&servers) {
            // Tools read from JSON are placed by their name in the file.
            if f.location.line.is_none()
                && artifact == Artifact::ToolList
                && let Some(name) = f
                    .location
                    .logical
                    .as_deref()
                    .and_then(|l| l.strip_prefix("tools["))
                    .and_then(|l| l.strip_suffix(']'))
            {
                let (line, column, _) = document::position(&text, &format!("\"{name}\""), 0);
                f.location.line = Some(line);
                f.location.column = Some(column);
            }
            findings.push(f);
        }
    }
    Some(Scanned {
        artifact,
        findings,
        servers,
    })
}
