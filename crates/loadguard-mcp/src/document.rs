//! Structured text as the client reads it: JSON (and the JSONC that VS Code,
//! Zed and opencode accept: comments, trailing commas), TOML (Codex) and
//! YAML (Continue, Goose), all turned into one value tree. Duplicate keys:
//! the last one wins, as in `JSON.parse` and Python's `json.loads`, which
//! is what serde_json's map does too.

use serde_json::Value;

/// Which syntax the text was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Json,
    Jsonc,
    Toml,
    Yaml,
}

/// Parses `text` by the syntax its file name says; a `.json` file that is
/// not strict JSON is read as JSONC, as the clients that accept JSONC do.
pub fn parse(name: &str, text: &str) -> Option<(Syntax, Value)> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".toml") {
        let v: toml::Value = toml::from_str(text).ok()?;
        return Some((Syntax::Toml, serde_json::to_value(v).ok()?));
    }
    if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        return yaml(text).map(|v| (Syntax::Yaml, v));
    }
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        return Some((Syntax::Json, v));
    }
    let options = jsonc_parser::ParseOptions::default();
    jsonc_parser::parse_to_serde_value(text, &options)
        .ok()
        .flatten()
        .map(|v| (Syntax::Jsonc, v))
}

fn yaml(text: &str) -> Option<Value> {
    let docs = yaml_rust2::YamlLoader::load_from_str(text).ok()?;
    docs.into_iter().next().map(|d| yaml_value(&d, 0))
}

fn yaml_value(y: &yaml_rust2::Yaml, depth: u32) -> Value {
    use yaml_rust2::Yaml;
    if depth > 64 {
        return Value::Null;
    }
    match y {
        Yaml::Real(s) | Yaml::String(s) => Value::String(s.clone()),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Array(a) => Value::Array(a.iter().map(|v| yaml_value(v, depth + 1)).collect()),
        Yaml::Hash(h) => Value::Object(
            h.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Yaml::String(s) | Yaml::Real(s) => s.clone(),
                        Yaml::Integer(i) => i.to_string(),
                        Yaml::Boolean(b) => b.to_string(),
                        _ => String::new(),
                    };
                    (key, yaml_value(v, depth + 1))
                })
                .collect(),
        ),
        _ => Value::Null,
    }
}

/// 1-based line and column of the first `needle` in `text` (after
/// `from`), or of the text's start.
pub fn position(text: &str, needle: &str, from: usize) -> (u32, u32, usize) {
    let at = text
        .get(from..)
        .and_then(|t| t.find(needle))
        .map_or(0, |i| i + from);
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(at, |n| at - n - 1) + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
        at,
    )
}

/// A string value, rendered for an argument list (numbers and booleans as
/// the client would pass them).
pub fn as_arg(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_syntax_reads_to_one_tree() {
        let (s, v) = parse(
            "mcp.json",
            "{\n // c\n \"servers\": {\"a\": {\"command\": \"x\",},},\n}",
        )
        .expect("jsonc");
        assert_eq!(s, Syntax::Jsonc);
        assert_eq!(v["servers"]["a"]["command"], "x");
        let (s, v) = parse(
            "config.toml",
            "[mcp_servers.a]\ncommand = \"x\"\nargs = [\"-y\"]\n",
        )
        .expect("toml");
        assert_eq!(s, Syntax::Toml);
        assert_eq!(v["mcp_servers"]["a"]["args"][0], "-y");
        let (s, v) = parse("c.yaml", "mcpServers:\n  - name: a\n    command: x\n").expect("yaml");
        assert_eq!(s, Syntax::Yaml);
        assert_eq!(v["mcpServers"][0]["command"], "x");
        // The last duplicate wins, as in JSON.parse.
        let (_, v) = parse("a.json", "{\"a\": 1, \"a\": 2}").expect("json");
        assert_eq!(v["a"], 2);
    }

    #[test]
    fn positions_are_one_based() {
        assert_eq!(position("ab\ncd", "d", 0), (2, 2, 4));
        assert_eq!(position("ab", "zz", 0), (1, 1, 0));
    }
}
