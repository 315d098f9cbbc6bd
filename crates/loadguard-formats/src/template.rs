//! Static analysis of Jinja chat templates for sandbox escapes. The template
//! is tokenized, never rendered: expressions inside `{{ }}` and `{% %}` are
//! split into names, strings and operators, and the patterns that escape
//! Jinja's sandbox (dunder attributes, `attr` with computed names, gadget
//! globals, names assembled from pieces) are reported with line and column.

use loadguard_core::{Confidence, Finding, Location, Severity};

use crate::rules;

/// One suspicious construct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escape {
    pub line: usize,
    pub column: usize,
    pub what: String,
    /// True for constructs that only an escape attempt uses; false for ones
    /// that are merely unusual.
    pub certain: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Name(String),
    Str(String),
    Op(char),
    Other,
}

/// Names that reach Python internals from a template.
const GADGET_NAMES: &[&str] = &[
    "__import__",
    "__builtins__",
    "__globals__",
    "__subclasses__",
    "__mro__",
    "__class__",
    "__base__",
    "__bases__",
    "__init__",
    "__dict__",
    "__getattribute__",
    "__reduce__",
    "__code__",
    "func_globals",
    "mro",
    "subclasses",
];

/// Globals of Jinja or Flask that lead to `__globals__` (lipsum, cycler,
/// joiner, namespace internals, self) or Python names that have no business
/// in a chat template.
const SUSPICIOUS_GLOBALS: &[&str] = &[
    "lipsum",
    "cycler",
    "joiner",
    "self",
    "config",
    "request",
    "url_for",
    "get_flashed_messages",
    "os",
    "sys",
    "subprocess",
    "popen",
    "system",
    "eval",
    "exec",
    "compile",
    "globals",
    "getattr",
    "builtins",
    "importlib",
    "open",
];

/// The findings for one chat template: `key` names it (a GGUF key, or
/// `chat_template` in a tokenizer config), `offset` is where its text starts.
pub fn findings(key: &str, text: &str, offset: u64) -> Vec<Finding> {
    analyze(text)
        .into_iter()
        .map(|e| {
            Finding::builder(
                &rules::gg_chat_template::RULE,
                format!(
                    "chat template {key}, line {}, column {}: {}",
                    e.line, e.column, e.what
                ),
            )
            .severity(if e.certain {
                Severity::Critical
            } else {
                Severity::High
            })
            .confidence(if e.certain {
                Confidence::High
            } else {
                Confidence::Medium
            })
            .at(Location::at_offset(offset).with_logical(format!("{key}:{}:{}", e.line, e.column)))
            .build()
        })
        .collect()
}

/// The chat templates of a `tokenizer_config.json`, `chat_template.json` or
/// `processor_config.json`, read as transformers reads them (`json.loads`:
/// the last duplicate key wins): `chat_template` is a string, or a list of
/// `{"name": ..., "template": ...}`. (key, template) pairs.
pub fn templates_in_config(text: &[u8]) -> Vec<(String, String)> {
    let Ok(crate::json::Json::Object(items)) = crate::json::parse(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    match crate::json::last(&items, "chat_template") {
        Some(crate::json::Json::String(t)) => out.push(("chat_template".to_owned(), t.clone())),
        Some(crate::json::Json::Array(list)) => {
            for (i, entry) in list.iter().enumerate() {
                if let crate::json::Json::Object(e) = entry
                    && let Some(crate::json::Json::String(t)) = crate::json::last(e, "template")
                {
                    let name = match crate::json::last(e, "name") {
                        Some(crate::json::Json::String(n)) => n.clone(),
                        _ => i.to_string(),
                    };
                    out.push((format!("chat_template.{name}"), t.clone()));
                }
            }
        }
        _ => {}
    }
    out
}

pub fn analyze(template: &str) -> Vec<Escape> {
    let mut out = Vec::new();
    for (start, body) in expressions(template) {
        let toks = tokenize(body);
        let pos = |i: usize| line_col(template, start + toks.get(i).map_or(0, |t| t.0));
        for (i, (_, tok)) in toks.iter().enumerate() {
            let prev = i.checked_sub(1).map(|j| &toks[j].1);
            let next = toks.get(i + 1).map(|t| &t.1);
            match tok {
                // `.__class__`, `.mro`, `._TemplateReference__context`
                Tok::Name(n)
                    if prev == Some(&Tok::Op('.'))
                        && (n.starts_with('_') || GADGET_NAMES.contains(&n.as_str())) =>
                {
                    let (line, column) = pos(i);
                    out.push(Escape {
                        line,
                        column,
                        what: format!("attribute access `.{n}`"),
                        certain: true,
                    });
                }
                // `x['__class__']`, `|attr('__class__')`, `'__cl' ~ 'ass__'`
                Tok::Str(s) if s.contains("__") || GADGET_NAMES.contains(&s.as_str()) => {
                    let (line, column) = pos(i);
                    out.push(Escape {
                        line,
                        column,
                        what: format!("string {s:?} names a Python internal"),
                        certain: true,
                    });
                }
                // `{0.__class__}` inside a string used with format
                Tok::Str(s) if s.contains("{0.") || s.contains("{.") => {
                    let (line, column) = pos(i);
                    out.push(Escape {
                        line,
                        column,
                        what: format!("format string {s:?} reaches attributes"),
                        certain: true,
                    });
                }
                // `|attr(name)` with a computed name
                Tok::Name(n) if n == "attr" && prev == Some(&Tok::Op('|')) => {
                    let literal = matches!(toks.get(i + 2).map(|t| &t.1), Some(Tok::Str(s)) if !s.starts_with('_'))
                        && matches!(toks.get(i + 3).map(|t| &t.1), Some(Tok::Op(')')));
                    if !literal {
                        let (line, column) = pos(i);
                        out.push(Escape {
                            line,
                            column,
                            what: "`attr` filter with a computed or private name".into(),
                            certain: true,
                        });
                    }
                }
                Tok::Name(n)
                    if prev != Some(&Tok::Op('.'))
                        && prev != Some(&Tok::Op('|'))
                        && SUSPICIOUS_GLOBALS.contains(&n.as_str())
                        && next != Some(&Tok::Op('=')) =>
                {
                    let (line, column) = pos(i);
                    out.push(Escape {
                        line,
                        column,
                        what: format!("name `{n}`, which chat templates never need"),
                        certain: matches!(
                            n.as_str(),
                            "lipsum"
                                | "cycler"
                                | "joiner"
                                | "os"
                                | "subprocess"
                                | "popen"
                                | "eval"
                                | "exec"
                                | "__import__"
                                | "builtins"
                                | "importlib"
                        ),
                    });
                }
                _ => {}
            }
        }
    }
    out
}

/// (offset of the body, body) of every `{{ }}` and `{% %}` block; comments
/// and `{% raw %}` text are skipped.
fn expressions(t: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let b = t.as_bytes();
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == b'{' && (b[i + 1] == b'{' || b[i + 1] == b'%' || b[i + 1] == b'#') {
            let close = match b[i + 1] {
                b'{' => "}}",
                b'%' => "%}",
                _ => "#}",
            };
            let body_start = i + 2;
            let Some(rel) = find_close(&t[body_start..], close) else {
                break;
            };
            let body = &t[body_start..body_start + rel];
            if b[i + 1] != b'#' {
                out.push((body_start, body));
                if b[i + 1] == b'%'
                    && body.trim_matches(|c: char| c == '-' || c == '+' || c.is_whitespace())
                        == "raw"
                {
                    // Skip to {% endraw %}.
                    if let Some(end) = t[body_start + rel..].find("endraw") {
                        i = body_start + rel + end;
                        continue;
                    }
                }
            }
            i = body_start + rel + 2;
        } else {
            i += 1;
        }
    }
    out
}

/// The closing delimiter, skipping over quoted strings.
fn find_close(s: &str, close: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < b.len() {
        match quote {
            Some(q) => {
                if b[i] == b'\\' {
                    i += 1;
                } else if b[i] == q {
                    quote = None;
                }
            }
            None => {
                if b[i] == b'\'' || b[i] == b'"' {
                    quote = Some(b[i]);
                } else if b[i..].starts_with(close.as_bytes()) {
                    return Some(i);
                }
            }
        }
        i += 1;
    }
    None
}

fn tokenize(s: &str) -> Vec<(usize, Tok)> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '_' || c.is_alphabetic() {
            let mut name = String::new();
            while i < chars.len() && (chars[i].1 == '_' || chars[i].1.is_alphanumeric()) {
                name.push(chars[i].1);
                i += 1;
            }
            out.push((at, Tok::Name(name)));
        } else if c == '\'' || c == '"' {
            // Jinja2's lexer decodes string literals with Python's
            // `unicode-escape` codec: `'\x5f\x5fclass\x5f\x5f'` is `'__class__'`.
            let mut raw = String::new();
            i += 1;
            while i < chars.len() && chars[i].1 != c {
                if chars[i].1 == '\\' && i + 1 < chars.len() {
                    raw.push('\\');
                    i += 1;
                }
                raw.push(chars[i].1);
                i += 1;
            }
            i += 1;
            let text = loadguard_core::pyescape::unescape(raw.as_bytes(), false)
                .map_or(raw, |b| String::from_utf8_lossy(&b).into_owned());
            out.push((at, Tok::Str(text)));
        } else if c.is_ascii_digit() {
            while i < chars.len() && (chars[i].1.is_ascii_alphanumeric() || chars[i].1 == '.') {
                i += 1;
            }
            out.push((at, Tok::Other));
        } else {
            out.push((at, Tok::Op(c)));
            i += 1;
        }
    }
    out
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(before.chars().count(), |nl| {
        before[nl + 1..].chars().count()
    }) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_templates_are_clean() {
        let t = "{%- for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message.content | trim }}\
                 {%- if loop.last %}{{ raise_exception('x') }}{% endif %}{% set ns = namespace(a=1) %}{% set ns.a = 2 %}\
                 {{ tools | tojson(indent=4) }}{{ strftime_now('%d %b %Y') }}{% endfor %}";
        assert_eq!(analyze(t), vec![]);
    }

    #[test]
    fn escapes_are_found_with_positions() {
        let t = "hello\n{{ cycler.__init__.__globals__.os.popen('id').read() }}";
        let e = analyze(t);
        assert!(
            e.iter().any(|e| e.what.contains("__init__") && e.line == 2),
            "{e:?}"
        );
        assert!(e.iter().any(|e| e.what.contains("cycler")));
        let e = analyze("{{ ''|attr('__class__') }}");
        assert!(!e.is_empty());
        let e = analyze("{% set n = '__cla' ~ 'ss__' %}{{ x|attr(n) }}");
        assert!(e.iter().any(|e| e.what.contains("attr")), "{e:?}");
        let e = analyze("{{ '{0.__class__}'.format(x) }}");
        assert!(!e.is_empty());
        // Escapes decode as Jinja2 decodes them.
        for t in [
            r"{{ ''|attr('\x5f\x5fclass\x5f\x5f') }}",
            r"{{ x['\u005f_globals\U0000005f_'] }}",
            r"{{ x['\137\137init\137\137'] }}",
        ] {
            let e = analyze(t);
            assert!(
                e.iter().any(|e| e.certain && e.what.contains("__")),
                "{t}: {e:?}"
            );
        }
        let e = analyze("{{ self._TemplateReference__context }}");
        assert!(e.iter().any(|e| e.certain));
        // Text outside blocks and comments is not code.
        assert_eq!(analyze("__class__ {# {{ __globals__ }} #}"), vec![]);
    }
}
