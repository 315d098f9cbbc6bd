//! Structured text as the client reads it: JSON (and the JSONC that VS Code,
//! Zed and opencode accept: comments, trailing commas), TOML (Codex) and
//! YAML (Continue, Goose), all turned into one value tree. Duplicate keys:
//! the last one wins, as in `JSON.parse` and Python's `json.loads`, which
//! is what serde_json's map does too.

use serde_json::{Map, Value};

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

/// Nodes a YAML document may expand to, aliases included: `*alias` copies
/// its anchor, so a few lines can stand for billions of nodes.
pub const MAX_YAML_NODES: usize = 200_000;

/// A key set on the root of a YAML document whose aliases were not all
/// expanded (the limit above was reached); its value says why.
pub const YAML_TRUNCATED: &str = "\u{0}loadguard: yaml aliases not expanded";

fn yaml(text: &str) -> Option<Value> {
    let mut loader = YamlLoader::default();
    let mut parser = yaml_rust2::parser::Parser::new_from_str(text);
    parser.load(&mut loader, false).ok()?;
    let mut root = loader.root?;
    if loader.truncated
        && let Value::Object(m) = &mut root
    {
        m.insert(YAML_TRUNCATED.to_owned(), Value::Bool(true));
    }
    Some(root)
}

/// Builds the first document from parser events, expanding aliases within
/// [`MAX_YAML_NODES`] and nesting within 256 levels.
#[derive(Default)]
struct YamlLoader {
    /// Open collections: (collection, pending mapping key, anchor id).
    stack: Vec<(Value, Option<String>, usize)>,
    anchors: std::collections::HashMap<usize, Value>,
    nodes: usize,
    truncated: bool,
    root: Option<Value>,
}

fn size(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(size).sum::<usize>(),
        Value::Object(m) => 1 + m.values().map(size).sum::<usize>(),
        _ => 1,
    }
}

fn scalar(s: String, style: yaml_rust2::scanner::TScalarStyle) -> Value {
    use yaml_rust2::scanner::TScalarStyle;
    if style != TScalarStyle::Plain {
        return Value::String(s);
    }
    match s.as_str() {
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        "~" | "null" | "Null" | "NULL" | "" => Value::Null,
        _ => s.parse::<i64>().map_or(Value::String(s), Value::from),
    }
}

impl YamlLoader {
    fn insert(&mut self, v: Value, anchor: usize) {
        self.nodes += 1;
        if anchor > 0 {
            self.anchors.insert(anchor, v.clone());
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(v);
                }
            }
            Some((Value::Array(a), _, _)) => a.push(v),
            Some((Value::Object(m), key, _)) => match key.take() {
                None => *key = Some(crate::document::as_arg(&v)),
                Some(k) => {
                    m.insert(k, v);
                }
            },
            Some(_) => {}
        }
    }
}

impl yaml_rust2::parser::EventReceiver for YamlLoader {
    fn on_event(&mut self, ev: yaml_rust2::parser::Event) {
        use yaml_rust2::parser::Event;
        if self.root.is_some() && self.stack.is_empty() {
            return; // only the first document
        }
        match ev {
            Event::Scalar(s, style, anchor, _) => self.insert(scalar(s, style), anchor),
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _)
                if self.stack.len() >= 256 =>
            {
                self.truncated = true;
                self.stack.push((Value::Null, None, anchor));
            }
            Event::SequenceStart(anchor, _) => {
                self.stack.push((Value::Array(Vec::new()), None, anchor))
            }
            Event::MappingStart(anchor, _) => {
                self.stack.push((Value::Object(Map::new()), None, anchor))
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((v, _, anchor)) = self.stack.pop() {
                    self.insert(v, anchor);
                }
            }
            Event::Alias(id) => {
                let target = self.anchors.get(&id).cloned().unwrap_or(Value::Null);
                let cost = size(&target);
                if self.nodes + cost > MAX_YAML_NODES {
                    self.truncated = true;
                    self.insert(Value::Null, 0);
                } else {
                    self.nodes += cost;
                    self.insert(target, 0);
                }
            }
            _ => {}
        }
    }
}

/// 1-based line and column of the first `needle` in `text` (after
/// `from`), or of the text's start.
pub fn position(text: &str, needle: &str, from: usize) -> (u32, u32, usize) {
    Positions::new(text).find(needle, from)
}

/// Where a text's lines start, for many [`position`]s in one text (a
/// config of thousands of servers asks for one per finding).
pub struct Positions<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Positions<'a> {
    pub fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self { text, starts }
    }

    /// As [`position`].
    pub fn find(&self, needle: &str, from: usize) -> (u32, u32, usize) {
        let at = self
            .text
            .get(from..)
            .and_then(|t| t.find(needle))
            .map_or(0, |i| i + from);
        let line = self.starts.partition_point(|&s| s <= at);
        let column = at - self.starts[line - 1] + 1;
        (
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(column).unwrap_or(u32::MAX),
            at,
        )
    }
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
        // Aliases expand, anchored mappings included.
        let (_, v) = parse(
            "c.yaml",
            "base: &b {command: x, args: [a]}\nmcpServers:\n  s: *b\n",
        )
        .expect("yaml");
        assert_eq!(v["mcpServers"]["s"]["args"][0], "a");
        // The last duplicate wins, as in JSON.parse.
        let (_, v) = parse("a.json", "{\"a\": 1, \"a\": 2}").expect("json");
        assert_eq!(v["a"], 2);
    }

    #[test]
    fn yaml_alias_bombs_are_cut_and_marked() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
        let mut prev = 'a';
        for c in 'b'..='k' {
            text.push_str(&format!(
                "{c}: &{c} [{}]\n",
                vec![format!("*{prev}"); 9].join(",")
            ));
            prev = c;
        }
        text.push_str("mcpServers: {x: {command: sh}}\n");
        let (_, v) = parse("bomb.yaml", &text).expect("parsed within the limit");
        assert_eq!(v[YAML_TRUNCATED], true);
        assert_eq!(v["mcpServers"]["x"]["command"], "sh");
    }

    #[test]
    fn positions_are_one_based() {
        assert_eq!(position("ab\ncd", "d", 0), (2, 2, 4));
        assert_eq!(position("ab", "zz", 0), (1, 1, 0));
    }
}
