//! SARIF 2.1.0, hand-rolled (as zizmor, ruff and cargo-deny do): a full
//! `rules` array, physical locations (the file, with the byte region when the
//! finding is in the file itself), logical locations (container members), and
//! stable `partialFingerprints`.

use std::io::{self, Write};

use loadguard_core::{Finding, Rule, Severity};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::registry;
use crate::scan::Target;

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
struct Run {
    tool: Tool,
    results: Vec<SarifResult>,
    #[serde(rename = "columnKind")]
    column_kind: &'static str,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<SarifRule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRule {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    help: Help,
    help_uri: String,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<String>,
    precision: &'static str,
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<SarifLocation>,
    partial_fingerprints: Fingerprints,
    properties: ResultProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    #[serde(skip_serializing_if = "Option::is_none")]
    byte_offset: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    byte_length: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    fully_qualified_name: String,
    kind: &'static str,
}

#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "loadguard/v1")]
    loadguard_v1: String,
}

#[derive(Serialize)]
struct ResultProperties {
    severity: &'static str,
    confidence: &'static str,
    cwe: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    callable: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    offset: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    opcode: Option<&'static str>,
    occurrences: u32,
}

pub(crate) fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub code scanning reads this number (0-10) from the rule.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "2.0",
        Severity::Info => "0.0",
    }
}

fn rule(r: &Rule) -> SarifRule {
    let first_paragraph = r
        .docs
        .split("\n\n")
        .find(|p| !p.trim_start().starts_with('#') && !p.trim().is_empty())
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| r.summary.to_owned());
    let docs: String = r
        .docs
        .lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    SarifRule {
        id: r.code,
        name: r.name,
        short_description: Text {
            text: r.summary.to_owned(),
        },
        full_description: Text {
            text: first_paragraph,
        },
        help: Help {
            text: format!("{} ({}): {}", r.name, r.cwe_id(), r.summary),
            markdown: docs,
        },
        help_uri: r.doc_url(),
        default_configuration: Configuration {
            level: level(r.severity),
        },
        properties: RuleProperties {
            tags: vec!["security".into(), format!("external/cwe/cwe-{}", r.cwe)],
            precision: match r.confidence {
                loadguard_core::Confidence::High => "high",
                loadguard_core::Confidence::Medium => "medium",
                loadguard_core::Confidence::Low => "low",
            },
            security_severity: security_severity(r.severity),
        },
    }
}

/// Stable across runs and unrelated edits: rule, file, member path, callable
/// and opcode offset, hashed.
pub(crate) fn fingerprint(f: &Finding) -> String {
    let mut h = Sha256::new();
    for part in [
        f.rule.code,
        &f.location.path,
        &f.location.members.join("\u{1f}"),
        f.callable.as_deref().unwrap_or(""),
        &f.location.offset.map(|o| o.to_string()).unwrap_or_default(),
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    loadguard_core::codec::hex(&h.finalize()[..16])
}

/// A relative path as a URI reference (spaces and `%` escaped).
fn uri(path: &str) -> String {
    let mut out = String::new();
    for c in path.chars() {
        match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '/' | '.' | '-' | '_' | '~' => out.push(c),
            '\\' => out.push('/'),
            c => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    out
}

pub(crate) fn render(out: &mut dyn Write, targets: &[Target]) -> io::Result<()> {
    let all = registry::all_rules();
    let results = targets
        .iter()
        .flat_map(|t| &t.findings)
        .map(|f| {
            let in_file = f.location.members.is_empty();
            SarifResult {
                rule_id: f.rule.code,
                rule_index: all.iter().position(|r| r.code == f.rule.code).unwrap_or(0),
                level: level(f.severity),
                message: Text {
                    text: f.message.clone(),
                },
                locations: vec![SarifLocation {
                    physical_location: PhysicalLocation {
                        artifact_location: ArtifactLocation {
                            uri: uri(&f.location.path),
                        },
                        region: match (in_file, f.location.line, f.location.offset) {
                            (true, Some(line), _) => Some(Region {
                                byte_offset: None,
                                byte_length: None,
                                start_line: Some(line),
                                start_column: f.location.column,
                            }),
                            (true, None, Some(o)) => Some(Region {
                                byte_offset: Some(o),
                                byte_length: Some(1),
                                start_line: None,
                                start_column: None,
                            }),
                            _ => None,
                        },
                    },
                    logical_locations: {
                        let mut l = Vec::new();
                        if !in_file {
                            l.push(LogicalLocation {
                                fully_qualified_name: f.location.members.join(" → "),
                                kind: "member",
                            });
                        }
                        if let Some(name) = &f.location.logical {
                            l.push(LogicalLocation {
                                fully_qualified_name: name.clone(),
                                kind: "element",
                            });
                        }
                        l
                    },
                }],
                partial_fingerprints: Fingerprints {
                    loadguard_v1: fingerprint(f),
                },
                properties: ResultProperties {
                    severity: f.severity.as_str(),
                    confidence: f.confidence.as_str(),
                    cwe: f.rule.cwe_id(),
                    callable: f.callable.clone(),
                    offset: f.location.offset,
                    opcode: f.location.opcode,
                    occurrences: f.occurrences,
                },
            }
        })
        .collect();
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "loadguard",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: "https://github.com/loadguard/loadguard",
                    rules: all.into_iter().map(rule).collect(),
                },
            },
            results,
            column_kind: "unicodeCodePoints",
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log).map_err(io::Error::other)?;
    writeln!(out)
}
