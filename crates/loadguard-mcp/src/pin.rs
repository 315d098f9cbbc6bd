//! Rug-pull detection: `loadguard mcp pin` writes, per server, a SHA-256 of
//! each tool's name, description, input schema and annotations; a later
//! scan given the lock file reports every tool added, removed or changed.
//! The hash is over serde_json's rendering with keys sorted, so key order
//! and whitespace in the server's answer do not change it.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use loadguard_core::{Finding, Location, Severity};

use crate::rules;
use crate::tools::{ServerTools, Tool};

/// Server name → tool name → hash.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lock {
    pub servers: BTreeMap<String, BTreeMap<String, String>>,
}

/// The hash of one tool as the model sees it.
pub fn tool_hash(t: &Tool) -> String {
    let v = json!({
        "name": t.name,
        "description": t.description,
        "inputSchema": t.schema,
        "annotations": t.annotations,
    });
    let digest = Sha256::digest(v.to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl Lock {
    /// Adds (or replaces) the servers' tools.
    pub fn pin(&mut self, servers: &[ServerTools]) {
        for s in servers {
            let tools = s
                .tools
                .iter()
                .map(|t| (t.name.clone(), tool_hash(t)))
                .collect();
            self.servers.insert(s.server.clone(), tools);
        }
    }

    pub fn to_json(&self) -> String {
        let v = json!({ "version": 1, "servers": self.servers });
        serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
    }

    pub fn from_json(text: &str) -> Result<Self, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if v.get("version").and_then(Value::as_u64) != Some(1) {
            return Err("not a loadguard MCP lock file (version 1)".to_owned());
        }
        let servers = serde_json::from_value(v.get("servers").cloned().unwrap_or(Value::Null))
            .map_err(|e| e.to_string())?;
        Ok(Self { servers })
    }

    /// Findings for every difference between the lock and `servers`.
    /// Servers the lock does not know are reported once, as unpinned.
    pub fn compare(&self, servers: &[ServerTools]) -> Vec<Finding> {
        let mut out = Vec::new();
        let mut push = |sev: Severity, at: String, line: Option<u32>, msg: String| {
            let mut loc = Location::default().with_logical(at);
            if let Some(l) = line {
                loc = loc.with_line_column(l, 1);
            }
            out.push(
                Finding::builder(&rules::tool_changed::RULE, msg)
                    .severity(sev)
                    .at(loc)
                    .build(),
            );
        };
        for s in servers {
            let Some(pinned) = self.servers.get(&s.server) else {
                push(
                    Severity::Medium,
                    format!("server {}", s.server),
                    None,
                    format!(
                        "server `{}` is not in the lock file: its tools were never pinned",
                        s.server
                    ),
                );
                continue;
            };
            for t in &s.tools {
                match pinned.get(&t.name) {
                    None => push(
                        Severity::Medium,
                        format!("tools[{}]", t.name),
                        t.line,
                        format!(
                            "server `{}` added the tool `{}` since it was pinned",
                            s.server, t.name
                        ),
                    ),
                    Some(h) if *h != tool_hash(t) => push(
                        Severity::High,
                        format!("tools[{}]", t.name),
                        t.line,
                        format!(
                            "server `{}` changed the tool `{}` (its name, description, schema or annotations) since it was pinned",
                            s.server, t.name
                        ),
                    ),
                    Some(_) => {}
                }
            }
            for name in pinned
                .keys()
                .filter(|n| !s.tools.iter().any(|t| &t.name == *n))
            {
                push(
                    Severity::Low,
                    format!("tools[{name}]"),
                    None,
                    format!(
                        "server `{}` no longer has the pinned tool `{name}`",
                        s.server
                    ),
                );
            }
        }
        out
    }
}
