//! Tool text: what the model reads about each tool (name, description,
//! every string of its input schema, prompts, resources, the server's
//! instructions), from a saved `tools/list` response or from server source,
//! through the agent-text engine and the MCP rules.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use loadguard_core::{Finding, Location, Severity};

use crate::{paths, rules};

/// One tool as the model sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Tool {
    pub name: String,
    pub description: Option<String>,
    pub schema: Value,
    pub annotations: Value,
    /// Where the tool is defined, when known (1-based).
    pub line: Option<u32>,
}

/// The tools (and other model-read text) of one server.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServerTools {
    pub server: String,
    pub tools: Vec<Tool>,
    /// Prompts, resources, instructions: (logical place, text).
    pub other_text: Vec<(String, String)>,
}

fn tool_of(v: &Value) -> Option<Tool> {
    let name = v.get("name")?.as_str()?.to_owned();
    Some(Tool {
        name,
        description: v
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_owned),
        schema: v
            .get("inputSchema")
            .or_else(|| v.get("input_schema"))
            .or_else(|| v.get("parameters"))
            .cloned()
            .unwrap_or(Value::Null),
        annotations: v.get("annotations").cloned().unwrap_or(Value::Null),
        line: None,
    })
}

fn is_tool_list(v: &Value) -> bool {
    v.as_array().is_some_and(|a| {
        !a.is_empty()
            && a.iter()
                .all(|t| t.get("name").is_some_and(Value::is_string))
            && a.iter().any(|t| {
                t.get("inputSchema").is_some()
                    || t.get("input_schema").is_some()
                    || t.get("description").is_some()
            })
    })
}

fn one_server(name: &str, v: &Value) -> Option<ServerTools> {
    let v = v.get("result").unwrap_or(v);
    let tools = v.get("tools").filter(|t| is_tool_list(t))?;
    let mut s = ServerTools {
        server: v
            .get("serverInfo")
            .and_then(|i| i.get("name"))
            .and_then(Value::as_str)
            .unwrap_or(name)
            .to_owned(),
        tools: tools
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(tool_of)
            .collect(),
        other_text: Vec::new(),
    };
    if let Some(i) = v.get("instructions").and_then(Value::as_str) {
        s.other_text.push(("instructions".to_owned(), i.to_owned()));
    }
    for kind in ["prompts", "resources", "resourceTemplates"] {
        for (i, p) in v
            .get(kind)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let id = p
                .get("name")
                .and_then(Value::as_str)
                .map_or_else(|| i.to_string(), str::to_owned);
            strings(p, &format!("{kind}[{id}]"), 0, &mut |at, t| {
                s.other_text.push((at, t.to_owned()))
            });
        }
    }
    Some(s)
}

/// The servers and tools of a saved `tools/list` response (`{"tools": [...]}`,
/// a JSON-RPC `{"result": {"tools": [...]}}`), or of an inventory of several
/// servers (`{"servers": {"a": {"tools": [...]}}}` or a list with `name`).
/// `None` when the JSON is not one.
pub fn parse(file_name: &str, v: &Value) -> Option<Vec<ServerTools>> {
    if let Some(s) = one_server(file_name, v) {
        return Some(vec![s]);
    }
    let inventory = v.get("servers").or_else(|| v.get("mcpServers"))?;
    let servers: Vec<ServerTools> = match inventory {
        Value::Object(m) => m.iter().filter_map(|(k, s)| one_server(k, s)).collect(),
        Value::Array(a) => a
            .iter()
            .filter_map(|s| {
                one_server(
                    s.get("name").and_then(Value::as_str).unwrap_or(file_name),
                    s,
                )
            })
            .collect(),
        _ => Vec::new(),
    };
    (!servers.is_empty()).then_some(servers)
}

/// Every string under `v` with its place, to depth 20.
fn strings(v: &Value, at: &str, depth: u32, f: &mut dyn FnMut(String, &str)) {
    if depth > 20 {
        return;
    }
    match v {
        Value::String(s) => f(at.to_owned(), s),
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                strings(x, &format!("{at}[{i}]"), depth + 1, f);
            }
        }
        Value::Object(m) => {
            for (k, x) in m {
                // Types and formats are vocabulary, not prose.
                if matches!(
                    k.as_str(),
                    "type" | "format" | "$schema" | "required" | "$ref" | "$id"
                ) {
                    continue;
                }
                strings(x, &format!("{at}.{k}"), depth + 1, f);
            }
        }
        _ => {}
    }
}

/// The texts of a tool: (place, text, in the schema).
fn texts(t: &Tool) -> Vec<(String, String, bool)> {
    let base = format!("tools[{}]", t.name);
    let mut out = vec![(format!("{base}.name"), t.name.clone(), false)];
    if let Some(d) = &t.description {
        out.push((format!("{base}.description"), d.clone(), false));
    }
    strings(
        &t.schema,
        &format!("{base}.inputSchema"),
        0,
        &mut |at, s| out.push((at, s.to_owned(), true)),
    );
    strings(
        &t.annotations,
        &format!("{base}.annotations"),
        0,
        &mut |at, s| out.push((at, s.to_owned(), false)),
    );
    out
}

/// A sentence that opens as a chat role speaking: `SYSTEM: ...`.
static ROLE_OPENING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(SYSTEM|System|ASSISTANT|ADMIN|DEVELOPER|Developer)\s*:")
        .expect("role opening")
});

static TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)<\s*/?\s*(important|system|instructions?|hidden|secret|admin|override|critical|assistant[_ ]?instructions?|user[_ ]?instructions?|s)\s*>|\[/?INST\]|<<SYS>>|<!--")
        .expect("tag pattern")
});
static DATA_VERB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(pass|put|include|send|add|append|attach|provide|embed|insert|copy|upload|post|forward|transmit|leak|share|e-?mail|mail|exfiltrate|transfer|dump)\b").expect("verb")
});
static DATA_NOUN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(contents?|files?|documents?|emails?|keys?|tokens?|credentials?|secrets?|passwords?|(conversation|chat) (history|log|transcript)|(full|entire|whole|previous) (conversation|chat)|previous messages|system prompt|environment variables|env vars?|api keys?|output of|results? of|whole|entire)\b")
        .expect("noun")
});
static DESTINATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(parameter|param|argument|field)\b|https?://|\b[\w.+-]+@[\w-]+\.[\w.]+\b|\bwebhook\b").expect("destination")
});
static MANIPULATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(bcc|cc|redirect|instead of|instead|replace|change the (recipient|address|destination)|always (add|send|use|include|call)|do not use|don't use|never use|must not use|must (first|always)|before (using|calling)|after (using|calling)|whenever|when (using|calling|the user)|ignore)\b")
        .expect("manipulation")
});
static WORDING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\b(IMPORTANT|CRUCIAL|CRITICAL|VITAL|URGENT)\b|(?i)\b(ignore|disregard|override|bypass|you must|always call|always use|before any other tool|very important)\b)")
        .expect("wording")
});
static BASE64_BLOB: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z0-9+/]{80,}={0,2}").expect("base64"));

/// Tools every agent setup has, whose names shadowing texts target.
const WELL_KNOWN_TOOLS: &[&str] = &[
    "send_email",
    "send_message",
    "send_slack_message",
    "post_message",
    "execute_command",
    "run_command",
    "run_terminal_cmd",
    "write_file",
    "edit_file",
    "delete_file",
    "read_file",
    "create_issue",
    "git_push",
    "transfer_funds",
    "make_payment",
    "bash",
    "shell_exec",
];

/// Sentences: split at `.`, `!`, `?` followed by a space or the end, and
/// at line breaks (`mcp.json` stays one word).
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let b = text.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        let end = c == b'\n'
            || matches!(c, b'.' | b'!' | b'?')
                && b.get(i + 1).is_none_or(|n| n.is_ascii_whitespace());
        if end {
            if !text[start..i].trim().is_empty() {
                out.push(&text[start..i]);
            }
            start = i + 1;
        }
    }
    if !text[start..].trim().is_empty() {
        out.push(&text[start..]);
    }
    out
}

fn word_in(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
            && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

struct Out<'a> {
    file_text: Option<&'a str>,
    findings: Vec<Finding>,
}

impl Out<'_> {
    fn at(&self, logical: &str, line: Option<u32>, needle: &str) -> Location {
        let loc = Location::default().with_logical(logical.to_owned());
        match (line, self.file_text) {
            (Some(l), _) => loc.with_line_column(l, 1),
            (None, Some(t)) => {
                let (l, c, _) = crate::document::position(t, needle, 0);
                loc.with_line_column(l, c)
            }
            _ => loc,
        }
    }
}

/// Checks every server's tool text. `file_text` is the JSON the tools were
/// read from, to give lines; tools read from source carry their own line.
pub fn check(servers: &[ServerTools], file_text: Option<&str>) -> Vec<Finding> {
    let mut out = Out {
        file_text,
        findings: Vec::new(),
    };
    for (si, s) in servers.iter().enumerate() {
        // Tool names of the other servers: the shadowing targets.
        let mut others: BTreeSet<&str> = WELL_KNOWN_TOOLS.iter().copied().collect();
        for (oi, o) in servers.iter().enumerate() {
            if oi != si {
                others.extend(
                    o.tools
                        .iter()
                        .map(|t| t.name.as_str())
                        .filter(|n| n.len() >= 4),
                );
            }
        }
        for own in &s.tools {
            others.remove(own.name.as_str());
        }
        for t in &s.tools {
            let params: Vec<String> = t
                .schema
                .get("properties")
                .and_then(Value::as_object)
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default();
            let all = texts(t);
            let names_path = all.iter().any(|(_, x, _)| paths::credential(x).is_some());
            for (at, text, in_schema) in &all {
                tool_text(
                    &mut out, at, text, *in_schema, t.line, &params, names_path, &others,
                );
            }
        }
        for (at, text) in &s.other_text {
            tool_text(
                &mut out,
                at,
                text,
                false,
                None,
                &[],
                paths::credential(text).is_some(),
                &others,
            );
        }
    }
    out.findings
}

#[allow(clippy::too_many_arguments)]
fn tool_text(
    out: &mut Out<'_>,
    at: &str,
    text: &str,
    in_schema: bool,
    line: Option<u32>,
    params: &[String],
    names_path: bool,
    others: &BTreeSet<&str>,
) {
    if text.len() < 3 {
        return;
    }
    let needle = text.lines().next().unwrap_or(text);
    let needle = &needle[..needle.floor_char_boundary(40)];
    let mut serious = false;
    let before = out.findings.len();
    for mut f in loadguard_text::scan_text(text, loadguard_text::Kind::Metadata, Some(at)) {
        serious |= f.severity >= Severity::High;
        let loc = out.at(at, line, needle);
        f.location.line = loc.line;
        f.location.column = loc.column;
        out.findings.push(f);
    }
    let push = |out: &mut Out<'_>, rule, sev: Option<Severity>, msg: String| {
        let mut b = Finding::builder(rule, msg);
        if let Some(s) = sev {
            b = b.severity(s);
        }
        let loc = out.at(at, line, needle);
        out.findings.push(b.at(loc).build());
    };
    if let Some(m) = TAG
        .find(text)
        .or_else(|| sentences(text).iter().find_map(|s| ROLE_OPENING.find(s)))
    {
        serious = true;
        push(
            out,
            &rules::tool_instruction_tag::RULE,
            None,
            format!(
                "`{}` block in `{at}`: text addressed to the model",
                m.as_str()
            ),
        );
    }
    if let Some(p) = paths::credential(text) {
        serious = true;
        push(
            out,
            &rules::tool_sensitive_path::RULE,
            None,
            format!("`{at}` names the credential path `{p}`"),
        );
    }
    for s in sentences(text) {
        let to_param = params.iter().any(|p| p.len() >= 3 && word_in(s, p));
        if DATA_VERB.is_match(s)
            && (DATA_NOUN.is_match(s) || paths::credential(s).is_some())
            && (to_param || DESTINATION.is_match(s))
        {
            serious = true;
            let sev = names_path.then_some(Severity::Critical);
            push(
                out,
                &rules::tool_exfiltration::RULE,
                sev,
                format!("`{at}` tells the model to send data out: \"{}\"", s.trim()),
            );
            break;
        }
    }
    for s in sentences(text) {
        if let Some(target) = others.iter().find(|o| word_in(s, o))
            && MANIPULATION.is_match(s)
        {
            serious = true;
            push(
                out,
                &rules::tool_shadowing::RULE,
                None,
                format!(
                    "`{at}` gives orders about `{target}`, a tool {}: \"{}\"",
                    if WELL_KNOWN_TOOLS.contains(target) {
                        "this server does not define"
                    } else {
                        "of another server"
                    },
                    s.trim()
                ),
            );
            break;
        }
    }
    if in_schema && serious {
        push(
            out,
            &rules::tool_schema_instruction::RULE,
            None,
            format!("instructions in the input schema (`{at}`), where clients do not show them"),
        );
    } else if in_schema
        && text.len() > 300
        && (at.ends_with(".default") || at.contains(".enum[") || at.contains(".examples["))
    {
        push(
            out,
            &rules::tool_schema_instruction::RULE,
            Some(Severity::Medium),
            format!(
                "{} characters of prose in `{at}`, a schema value",
                text.len()
            ),
        );
    }
    if let Some(gap) = padding(text) {
        push(
            out,
            &rules::tool_padding::RULE,
            None,
            format!("`{at}` hides text after {gap}"),
        );
    } else if let Some(m) = BASE64_BLOB.find(text) {
        push(
            out,
            &rules::tool_padding::RULE,
            None,
            format!("`{at}` carries a {}-character encoded blob", m.len()),
        );
    }
    if !serious
        && out.findings.len() == before
        && let Some(m) = WORDING.find(text)
    {
        push(
            out,
            &rules::tool_wording::RULE,
            None,
            format!("`{at}` uses pressure wording: `{}`", m.as_str()),
        );
    }
}

/// A long run of blank space with more text after it.
fn padding(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b' ' || b[i] == b'\t' || b[i] == b'\n' || b[i] == b'\r' {
            let start = i;
            let mut newlines = 0;
            while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
                newlines += usize::from(b[i] == b'\n');
                i += 1;
            }
            let run = i - start;
            if (run >= 60 || newlines >= 10) && text[i..].trim().len() >= 8 {
                return Some(if newlines >= 10 {
                    format!("{newlines} blank lines")
                } else {
                    format!("{run} blank characters")
                });
            }
        } else {
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests;
