//! What the analysis reads of a source file, the same for every language:
//! functions with their parameters, the calls they make (callee resolved
//! through imports and aliases, arguments summarised), their assignments
//! and the checks they perform. The language front ends fill it from the
//! tree-sitter syntax tree; nothing is executed or imported.

use std::collections::HashMap;
use std::rc::Rc;

use serde_json::Value;

/// Most identifiers, strings, calls and list items one summary keeps.
pub(crate) const MAX_PARTS: usize = 256;
/// String fragments one summary keeps, and the longest kept.
pub(crate) const MAX_STRINGS: usize = 32;
pub(crate) const MAX_FRAGMENT: usize = 4096;
/// Longest constant string folding builds.
pub(crate) const MAX_STRING: usize = 64 << 10;

/// A summary of one expression.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Val {
    /// Variables read: plain names and dotted paths (`args`, `os.environ`).
    pub idents: Vec<String>,
    /// The string value, when it is a constant (after decoding).
    pub folded: Option<String>,
    /// Whether the constant came through a decoder or computed building
    /// (base64, hex, `chr` lists, reversing): the code hides it.
    pub decoded: bool,
    /// The constant beginning of a built string (`https://api.x.com/` of
    /// `f"https://api.x.com/{path}"`); the whole string when it is folded.
    pub prefix: Option<String>,
    /// Every string literal inside (fragments of built strings too).
    pub strings: Vec<String>,
    /// A string built from non-constant parts (f-string, `+`, `%`, `.format`, template).
    pub built: bool,
    /// An argument list or array literal, with its items.
    pub items: Option<Rc<Vec<Val>>>,
    /// Object or dict literal entries with their values.
    pub props: Vec<(String, Val)>,
    /// Callees of the calls inside the expression, resolved.
    pub calls: Vec<String>,
    /// The whole expression is a call of a sanitiser (`shlex.quote`, `int`).
    pub sanitized: bool,
    /// An integer literal (for `chr` lists).
    pub int: Option<i64>,
    /// A boolean literal.
    pub boolean: Option<bool>,
}

impl Val {
    pub(crate) fn merge(&mut self, other: Self) {
        // Bounded: a hostile file of huge literals referenced many times
        // must not make every summary huge.
        let room = |have: usize| MAX_PARTS.saturating_sub(have);
        let n = room(self.idents.len());
        self.idents.extend(other.idents.into_iter().take(n));
        let n = MAX_STRINGS.saturating_sub(self.strings.len());
        self.strings.extend(
            other
                .strings
                .into_iter()
                .filter(|s| s.len() <= MAX_FRAGMENT)
                .take(n),
        );
        let n = room(self.calls.len());
        self.calls.extend(other.calls.into_iter().take(n));
        self.built |= other.built;
        self.decoded |= other.decoded;
    }

    /// The text the string surely starts with.
    pub(crate) fn start(&self) -> Option<&str> {
        self.folded.as_deref().or(self.prefix.as_deref())
    }

    /// A concatenation's constant beginning: `self + other`.
    pub(crate) fn prefix_of_concat(&self, other: &Self) -> Option<String> {
        match (&self.folded, other.start()) {
            (Some(a), Some(b)) => Some(format!("{a}{b}")),
            (Some(a), None) => Some(a.clone()),
            (None, _) => self.prefix.clone(),
        }
    }

    pub(crate) fn int(i: Option<i64>) -> Self {
        Self {
            int: i,
            ..Self::default()
        }
    }

    pub(crate) fn boolean(b: bool) -> Self {
        Self {
            boolean: Some(b),
            ..Self::default()
        }
    }

    /// A list or array literal of these items.
    pub(crate) fn list(items: Vec<Val>) -> Self {
        let mut v = Self::default();
        for i in &items {
            v.merge(i.clone());
        }
        v.items = Some(Rc::new(items));
        v
    }

    /// `l op r`: `+` concatenates constants (and keeps the constant
    /// beginning), `/` joins path constants (Python's `Path`); `built` says
    /// which operators build strings from variable parts.
    pub(crate) fn binary(l: Self, op: &str, r: Self, path_join: bool, builds: &[&str]) -> Self {
        let folded = match (op, &l.folded, &r.folded) {
            ("+", Some(a), Some(b)) if a.len() + b.len() <= MAX_STRING => Some(format!("{a}{b}")),
            ("/", Some(a), Some(b)) if path_join => {
                Some(format!("{}/{}", a.trim_end_matches('/'), b))
            }
            _ => None,
        };
        let stringy = l.folded.is_some() || r.folded.is_some() || l.built || r.built;
        let prefix = if op == "+" {
            l.prefix_of_concat(&r)
        } else {
            None
        };
        let decoded = l.decoded || r.decoded;
        let mut v = l;
        v.merge(r);
        v.built |= stringy && folded.is_none() && builds.contains(&op);
        v.prefix = folded.clone().or(prefix);
        v.folded = folded;
        v.decoded = decoded;
        v.items = None;
        v
    }

    /// The value of a key of an object or dict literal.
    pub(crate) fn prop(&self, key: &str) -> Option<&Val> {
        self.props.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub(crate) fn literal(s: impl Into<String>) -> Self {
        let s = s.into();
        Self {
            strings: if s.len() <= MAX_FRAGMENT {
                vec![s.clone()]
            } else {
                Vec::new()
            },
            prefix: Some(s.clone()),
            folded: Some(s),
            ..Self::default()
        }
    }
}

/// Builds an interpolated string (f-string, template literal) piece by
/// piece: constant while every piece is, with its constant beginning kept.
#[derive(Debug)]
pub(crate) struct Interpolation {
    v: Val,
    folded: Option<String>,
    prefix: Option<String>,
}

impl Interpolation {
    pub(crate) fn new() -> Self {
        Self {
            v: Val::default(),
            folded: Some(String::new()),
            prefix: None,
        }
    }

    pub(crate) fn text(&mut self, s: &str) {
        if let Some(f) = self.folded.as_mut() {
            f.push_str(s);
        }
    }

    pub(crate) fn expr(&mut self, e: Val) {
        match (self.folded.as_mut(), &e.folded) {
            (Some(f), Some(s)) => f.push_str(s),
            (Some(f), None) => {
                self.prefix = Some(format!("{f}{}", e.prefix.as_deref().unwrap_or("")));
                self.folded = None;
            }
            _ => self.folded = None,
        }
        if e.folded.is_none() {
            self.v.built = true;
        }
        self.v.merge(e);
    }

    /// The string; `fragments` are its literal parts when it is not constant.
    pub(crate) fn finish(self, fragments: impl Iterator<Item = String>) -> Val {
        let mut v = self.v;
        v.prefix = self.folded.clone().or(self.prefix);
        match &self.folded {
            Some(f) if f.len() <= MAX_FRAGMENT => v.strings.push(f.clone()),
            Some(_) => {}
            None => v.strings.extend(
                fragments
                    .filter(|s| s.len() <= MAX_FRAGMENT)
                    .take(MAX_STRINGS),
            ),
        }
        v.folded = self.folded;
        v
    }
}

/// One call.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Call {
    /// Resolved dotted callee: `subprocess.run`, `child_process.exec`,
    /// `pathlib.Path().read_text` (a method of a call's result), `helper`.
    pub callee: String,
    pub args: Vec<Val>,
    pub kwargs: Vec<(String, Val)>,
    /// The object a method is called on.
    pub receiver: Option<Val>,
    pub line: u32,
    pub end_line: u32,
}

impl Call {
    pub(crate) fn kwarg(&self, name: &str) -> Option<&Val> {
        self.kwargs.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// Positional argument `i`, or the keyword argument `name`.
    pub(crate) fn arg(&self, i: usize, name: &str) -> Option<&Val> {
        self.args.get(i).or_else(|| self.kwarg(name))
    }

    /// The last segment of the callee: `run` of `subprocess.run`.
    pub(crate) fn method(&self) -> &str {
        self.callee.rsplit('.').next().unwrap_or(&self.callee)
    }
}

/// `target = value` (also `for target in value`, `with value as target`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Assign {
    pub targets: Vec<String>,
    pub value: Val,
    pub line: u32,
}

/// A tool as registered in source.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ToolDef {
    pub name: String,
    pub description: Option<String>,
    /// The description is an expression loadguard could not read as a literal.
    pub unresolved: bool,
    /// Input schema as the model would see it (properties with descriptions).
    pub schema: Value,
    pub line: u32,
    /// A prompt or resource handler: an entry point, not a tool.
    pub entry_only: bool,
}

/// One function (index 0 of a module is its top level).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Func {
    pub name: String,
    /// Parameters that carry caller data, in order.
    pub params: Vec<String>,
    /// Parameters whose declared type (a number, a boolean, a literal
    /// choice) the server validates: they carry no text.
    pub safe_params: Vec<String>,
    pub line: u32,
    pub tool: Option<ToolDef>,
    /// The docstring or leading comment.
    pub doc: Option<String>,
    /// The sibling file the function was imported from (`None`: this file).
    pub file: Option<String>,
    pub calls: Vec<Call>,
    pub assigns: Vec<Assign>,
    /// What the function returns.
    pub returns: Vec<Val>,
    /// Variables the function validates: membership in a set, a regex
    /// match, `startswith`, `is_relative_to`.
    pub validated: Vec<String>,
    /// The function resolves a path and checks it stays under a root.
    pub contains_path: bool,
}

/// A parsed source file.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Module {
    pub funcs: Vec<Func>,
    /// Tool definitions found as data (low-level `Tool(...)` objects, JS
    /// `{name, description, inputSchema}` literals).
    pub data_tools: Vec<ToolDef>,
    /// Modules whose names were imported (`os`, `child_process`).
    pub imported: Vec<String>,
    /// Code nested deeper than the front end follows was skipped.
    pub truncated: bool,
    /// Functions imported from the package's own files: (local name,
    /// module as written, member).
    pub relative_imports: Vec<(String, String, String)>,
}

/// Local names bound to imported modules, their members, and the results of
/// constructor calls (`client = httpx.AsyncClient()`).
#[derive(Debug, Default)]
pub(crate) struct Scope {
    pub aliases: HashMap<String, String>,
    pub consts: HashMap<String, Val>,
}

impl Scope {
    /// Resolves a dotted name through the aliases of its first segment.
    pub(crate) fn resolve(&self, dotted: &str) -> String {
        let (head, rest) = dotted
            .split_once('.')
            .map_or((dotted, None), |(h, r)| (h, Some(r)));
        match (self.aliases.get(head), rest) {
            (Some(a), Some(r)) => format!("{a}.{r}"),
            (Some(a), None) => a.clone(),
            (None, _) => dotted.to_owned(),
        }
    }
}
