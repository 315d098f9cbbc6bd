//! Python front end: tree-sitter-python syntax tree → [`Module`].
//! Tools: `@x.tool(...)` (FastMCP, the SDK's `FastMCP`), `@x.call_tool()`
//! (low-level server), `x.add_tool(fn, ...)`, `Tool(name=..., ...)` objects;
//! `@x.prompt`/`@x.resource` handlers are entry points too.

use tree_sitter::Node;

mod tools;

pub(crate) use tools::data_tools;

use super::fold;
use super::ir::{self, Assign, Call, Func, Interpolation, Module, Scope, Val};
use super::syntax::{CallCache, grow};
pub(crate) use super::syntax::{children, line};

/// Syntax nesting the analysis follows; deeper parts are reported, not read
/// (the analysis runs on a thread with a stack sized for it).
pub(crate) const MAX_DEPTH: u32 = 1500;

pub(crate) fn parse(src: &str) -> Option<Module> {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .ok()?;
    let tree = parser.parse(src, None)?;
    let root = tree.root_node();
    let mut fe = Front {
        src,
        scope: Scope::default(),
        module: Module::default(),
        truncated: std::cell::Cell::new(false),
        calls: CallCache::default(),
    };
    fe.imports(root, 0);
    // Constants twice, so that one defined from another later in the file folds.
    for _ in 0..2 {
        fe.constants(root, 0);
        // Summaries made while constants were still being learned are stale.
        fe.calls.clear();
    }
    let mut top = Func {
        name: "<module>".to_owned(),
        line: 1,
        ..Func::default()
    };
    fe.body(root, &mut top, 0);
    fe.module.funcs.insert(0, top);
    fe.module.truncated = fe.truncated.get();
    Some(fe.module)
}

/// Top-level modules of the standard library and common packages: never a
/// sibling file of the server.
const KNOWN_MODULES: &[&str] = &[
    "os",
    "sys",
    "subprocess",
    "json",
    "re",
    "typing",
    "pathlib",
    "asyncio",
    "logging",
    "datetime",
    "base64",
    "shutil",
    "tempfile",
    "urllib",
    "http",
    "socket",
    "ssl",
    "io",
    "time",
    "enum",
    "dataclasses",
    "functools",
    "itertools",
    "collections",
    "contextlib",
    "uuid",
    "hashlib",
    "mcp",
    "fastmcp",
    "pydantic",
    "httpx",
    "requests",
    "anyio",
    "starlette",
    "fastapi",
    "click",
    "typer",
    "yaml",
    "jinja2",
    "sqlite3",
    "pickle",
    "zoneinfo",
    "__future__",
    "abc",
    "ast",
    "math",
];

/// Names `from MODULE import *` brings that the sink table knows.
fn star_names(module: &str) -> &'static [&'static str] {
    match module {
        "os" => &[
            "system",
            "popen",
            "remove",
            "unlink",
            "rmdir",
            "removedirs",
            "rename",
            "replace",
            "chmod",
            "chown",
            "makedirs",
            "mkdir",
            "listdir",
            "walk",
            "symlink",
            "execv",
            "execve",
            "execvp",
            "execl",
            "execlp",
            "spawnv",
            "spawnl",
            "kill",
        ],
        "subprocess" => &[
            "run",
            "call",
            "check_call",
            "check_output",
            "Popen",
            "getoutput",
            "getstatusoutput",
        ],
        "pickle" | "dill" | "marshal" => &["load", "loads"],
        "shutil" => &["rmtree", "copy", "copy2", "copyfile", "copytree", "move"],
        "yaml" => &["load", "load_all", "unsafe_load"],
        "importlib" => &["import_module"],
        _ => &[],
    }
}

struct Front<'a> {
    src: &'a str,
    scope: Scope,
    module: Module,
    /// Some part was nested deeper than [`MAX_DEPTH`].
    truncated: std::cell::Cell<bool>,
    calls: CallCache,
}

impl<'a> Front<'a> {
    fn text(&self, n: Node<'_>) -> &'a str {
        n.utf8_text(self.src.as_bytes()).unwrap_or("")
    }

    // ---- imports and constants ----------------------------------------------------

    fn imports(&mut self, n: Node<'_>, depth: u32) {
        grow(|| self.imports_here(n, depth));
    }

    fn imports_here(&mut self, n: Node<'_>, depth: u32) {
        if depth > MAX_DEPTH {
            self.truncated.set(true);
            return;
        }
        match n.kind() {
            "import_statement" => {
                for c in children(n) {
                    let (name, alias) = self.import_name(c);
                    let (local, target) = match alias {
                        Some(a) => (a, name.clone()),
                        None => {
                            let head = name.split('.').next().unwrap_or(&name).to_owned();
                            (head.clone(), head)
                        }
                    };
                    // `import helpers`: a module beside the file, called as `helpers.f`.
                    if !name.contains('.')
                        && !KNOWN_MODULES.contains(&name.as_str())
                        && star_names(&name).is_empty()
                    {
                        self.module.relative_imports.push((
                            local.clone(),
                            name.clone(),
                            "*".to_owned(),
                        ));
                    }
                    self.module.imported.push(name);
                    self.scope.aliases.insert(local, target);
                }
            }
            "import_from_statement" => {
                let module = n
                    .child_by_field_name("module_name")
                    .map(|m| self.text(m).to_owned())
                    .unwrap_or_default();
                self.module.imported.push(module.clone());
                // `from os import *`: the module's sinks become plain names.
                if children(n).iter().any(|c| c.kind() == "wildcard_import") {
                    for name in star_names(&module) {
                        self.scope
                            .aliases
                            .insert((*name).to_owned(), format!("{module}.{name}"));
                    }
                }
                let mut c = n.walk();
                for name in n.children_by_field_name("name", &mut c) {
                    let (member, alias) = self.import_name(name);
                    let local = alias.unwrap_or_else(|| member.clone());
                    // `from .utils import run` (or a module beside the file):
                    // read from the sibling file when it is given.
                    let relative = module.starts_with('.')
                        || !module.contains('.')
                            && star_names(&module).is_empty()
                            && !KNOWN_MODULES.contains(&module.as_str());
                    if relative {
                        // Called as `local` (relative import) or as `module.member`.
                        let called = if module.starts_with('.') {
                            local.clone()
                        } else {
                            format!("{module}.{member}")
                        };
                        self.module
                            .relative_imports
                            .push((called, module.clone(), member.clone()));
                        // `from . import utils`: the member may be a module, called as `utils.f`.
                        let as_module = if module.ends_with('.') {
                            format!("{module}{member}")
                        } else {
                            format!("{module}.{member}")
                        };
                        self.module.relative_imports.push((
                            local.clone(),
                            as_module,
                            "*".to_owned(),
                        ));
                    }
                    if !module.starts_with('.') {
                        self.scope
                            .aliases
                            .insert(local, format!("{module}.{member}"));
                    }
                }
            }
            _ => {
                for c in children(n) {
                    self.imports(c, depth + 1);
                }
            }
        }
    }

    fn import_name(&self, n: Node<'_>) -> (String, Option<String>) {
        if n.kind() == "aliased_import" {
            let name = n
                .child_by_field_name("name")
                .map(|x| self.text(x).to_owned())
                .unwrap_or_default();
            let alias = n
                .child_by_field_name("alias")
                .map(|x| self.text(x).to_owned());
            (name, alias)
        } else {
            (self.text(n).to_owned(), None)
        }
    }

    fn constants(&mut self, n: Node<'_>, depth: u32) {
        grow(|| self.constants_here(n, depth));
    }

    fn constants_here(&mut self, n: Node<'_>, depth: u32) {
        if depth > MAX_DEPTH {
            self.truncated.set(true);
            return;
        }
        if n.kind() == "assignment"
            && let (Some(l), Some(r)) = (
                n.child_by_field_name("left"),
                n.child_by_field_name("right"),
            )
            && l.kind() == "identifier"
        {
            let v = self.val(r, 0);
            let name = self.text(l).to_owned();
            if v.folded.is_some() || v.items.is_some() || v.boolean.is_some() || v.int.is_some() {
                self.scope.consts.insert(name.clone(), v);
            }
            // `client = httpx.AsyncClient()`, `run = subprocess.run`,
            // `system = getattr(os, "system")`: the name stands for what it holds.
            if let Some(alias) = self.alias_target(r) {
                self.scope.aliases.insert(name, alias);
            }
        }
        // `with httpx.AsyncClient() as client:`
        if n.kind() == "as_pattern"
            && let (Some(e), Some(a)) =
                (children(n).first().copied(), n.child_by_field_name("alias"))
            && let Some(alias) = self.alias_target(e)
        {
            let name = self.text(a).trim().to_owned();
            if !name.contains(['(', ',', ' ']) {
                self.scope.aliases.insert(name, alias);
            }
        }
        for c in children(n) {
            self.constants(c, depth + 1);
        }
    }

    /// What a right-hand side names, when it names a callable or a constructed object.
    fn alias_target(&self, r: Node<'_>) -> Option<String> {
        match r.kind() {
            "attribute" => {
                let d = self.dotted(r)?;
                let resolved = self.scope.resolve(&d);
                (resolved != d || self.scope.aliases.contains_key(d.split('.').next()?))
                    .then_some(resolved)
            }
            "call" => {
                let callee = self.callee(r)?;
                if callee == "getattr" || callee == "builtins.getattr" {
                    let args = r.child_by_field_name("arguments")?;
                    let a = children(args);
                    let first = *a.first()?;
                    // getattr(os, ...), getattr(__import__("os"), ...)
                    let obj = match self.dotted(first) {
                        Some(d) => self.scope.resolve(&d),
                        None if first.kind() == "call" => self.alias_target(first)?,
                        None => return None,
                    };
                    let name = self.val(*a.get(1)?, 0).folded?;
                    return Some(format!("{obj}.{name}"));
                }
                if matches!(callee.as_str(), "__import__" | "importlib.import_module") {
                    let args = r.child_by_field_name("arguments")?;
                    return self.val(*children(args).first()?, 0).folded;
                }
                // A constructed object (`httpx.AsyncClient()`), or the result
                // of a local function (`make_client()`: a factory, resolved
                // once the module's functions are known).
                let last = callee.rsplit('.').next()?;
                (last.starts_with(char::is_uppercase) || !callee.contains('.'))
                    .then(|| format!("{callee}()"))
            }
            _ => None,
        }
    }

    /// `a.b.c` of an attribute chain (iterative: chains can be long).
    fn dotted(&self, n: Node<'_>) -> Option<String> {
        let mut parts = Vec::new();
        let mut cur = n;
        loop {
            match cur.kind() {
                "identifier" => {
                    parts.push(self.text(cur));
                    break;
                }
                "attribute" if parts.len() < 64 => {
                    parts.push(self.text(cur.child_by_field_name("attribute")?));
                    cur = cur.child_by_field_name("object")?;
                }
                _ => return None,
            }
        }
        parts.reverse();
        Some(parts.join("."))
    }

    /// The resolved callee of a call node.
    fn callee(&self, call: Node<'_>) -> Option<String> {
        self.callee_at(call, 0)
    }

    fn callee_at(&self, call: Node<'_>, depth: u32) -> Option<String> {
        if depth > 32 {
            return None;
        }
        let f = call.child_by_field_name("function")?;
        if let Some(d) = self.dotted(f) {
            return Some(self.scope.resolve(&d));
        }
        match f.kind() {
            // Path(x).read_text(), __import__("os").system(...), getattr(os, "system")(...)
            "attribute" => {
                let o = f.child_by_field_name("object")?;
                let a = self.text(f.child_by_field_name("attribute")?);
                if o.kind() == "call" {
                    if let Some(t) = self.alias_target(o) {
                        return Some(format!("{t}.{a}"));
                    }
                    return Some(format!("{}().{a}", self.callee_at(o, depth + 1)?));
                }
                if o.kind() == "string" || o.kind() == "concatenated_string" {
                    return Some(format!("str.{a}"));
                }
                Some(format!("?.{a}"))
            }
            // mcp.tool()(fn): the decorator applied by hand.
            "call"
                if self
                    .callee_at(f, depth + 1)
                    .is_some_and(|c| c.ends_with(".tool")) =>
            {
                Some("<register-tool>".to_owned())
            }
            "call" => self.alias_target(f),
            _ => None,
        }
    }

    // ---- expressions ------------------------------------------------------------

    fn string(&self, n: Node<'_>, depth: u32) -> Val {
        let raw_prefix = self
            .text(n)
            .chars()
            .take_while(|c| c.is_alphabetic())
            .collect::<String>()
            .to_ascii_lowercase();
        let raw = raw_prefix.contains('r');
        let unescape = |t: &str| {
            loadguard_core::pyescape::unescape(t.as_bytes(), false).map_or_else(
                |_| t.to_owned(),
                |b| String::from_utf8_lossy(&b).into_owned(),
            )
        };
        let mut s = Interpolation::new();
        for c in children(n) {
            match c.kind() {
                "string_content" if raw => s.text(self.text(c)),
                "string_content" | "escape_sequence" => s.text(&unescape(self.text(c))),
                "interpolation" => {
                    let inner = c
                        .child_by_field_name("expression")
                        .or_else(|| children(c).into_iter().next());
                    s.expr(inner.map(|e| self.val(e, depth + 1)).unwrap_or_default());
                }
                _ => {}
            }
        }
        s.finish(
            children(n)
                .into_iter()
                .filter(|c| c.kind() == "string_content")
                .map(|c| self.text(c).to_owned()),
        )
    }

    pub(crate) fn val(&self, n: Node<'_>, depth: u32) -> Val {
        grow(|| self.val_here(n, depth))
    }

    fn val_here(&self, n: Node<'_>, depth: u32) -> Val {
        if depth > MAX_DEPTH {
            self.truncated.set(true);
            return Val::default();
        }
        match n.kind() {
            "identifier" => {
                let name = self.text(n);
                let mut v = self.scope.consts.get(name).cloned().unwrap_or_default();
                v.idents.push(name.to_owned());
                v
            }
            "attribute" => {
                let mut v = Val::default();
                if let Some(d) = self.dotted(n) {
                    let resolved = self.scope.resolve(&d);
                    if resolved == "os.sep" {
                        v.folded = Some("/".to_owned());
                    }
                    v.idents.push(d.split('.').next().unwrap_or(&d).to_owned());
                    v.idents.push(resolved);
                } else if let Some(o) = n.child_by_field_name("object") {
                    v = self.val(o, depth + 1);
                    v.folded = None;
                    v.items = None;
                }
                v
            }
            "string" => self.string(n, depth),
            "concatenated_string" => {
                let mut v = Val::literal("");
                for c in children(n) {
                    let s = self.val(c, depth + 1);
                    v.folded = match (v.folded.take(), &s.folded) {
                        (Some(a), Some(b)) => Some(a + b),
                        _ => None,
                    };
                    v.merge(s);
                }
                v
            }
            "integer" => Val::int(self.text(n).replace('_', "").parse().ok()),
            "true" => Val::boolean(true),
            "false" => Val::boolean(false),
            "binary_operator" => {
                let l = n
                    .child_by_field_name("left")
                    .map(|x| self.val(x, depth + 1))
                    .unwrap_or_default();
                let r = n
                    .child_by_field_name("right")
                    .map(|x| self.val(x, depth + 1))
                    .unwrap_or_default();
                let op = n
                    .child_by_field_name("operator")
                    .map(|o| self.text(o))
                    .unwrap_or("");
                Val::binary(l, op, r, true, &["+", "%"])
            }
            "list" | "tuple" | "set" => Val::list(
                children(n)
                    .into_iter()
                    .take(ir::MAX_PARTS)
                    .map(|c| self.val(c, depth + 1))
                    .collect(),
            ),
            "dictionary" => {
                let mut v = Val::default();
                for p in children(n) {
                    if p.kind() == "pair"
                        && let (Some(k), Some(x)) =
                            (p.child_by_field_name("key"), p.child_by_field_name("value"))
                    {
                        let key = self.val(k, depth + 1).folded.unwrap_or_default();
                        let xv = self.val(x, depth + 1);
                        v.merge(xv.clone());
                        v.props.push((key, xv));
                    } else {
                        v.merge(self.val(p, depth + 1));
                    }
                }
                v
            }
            "subscript" => {
                let mut v = n
                    .child_by_field_name("value")
                    .map(|x| self.val(x, depth + 1))
                    .unwrap_or_default();
                let sub = self.text(n.child_by_field_name("subscript").unwrap_or(n));
                let reversed = sub.replace(' ', "") == "::-1";
                v.folded = v
                    .folded
                    .filter(|_| reversed)
                    .map(|s| s.chars().rev().collect());
                v.decoded |= reversed && v.folded.is_some();
                v.items = None;
                let mut c = n.walk();
                for s in n.children_by_field_name("subscript", &mut c) {
                    let sv = self.val(s, depth + 1);
                    // os.environ["HOME"] is the home folder.
                    if v.idents.iter().any(|i| i == "os.environ")
                        && sv.folded.as_deref() == Some("HOME")
                    {
                        v.folded = Some("~".to_owned());
                    }
                    v.idents.extend(sv.idents);
                }
                v
            }
            "call" => self.call_val(n, depth),
            "parenthesized_expression"
            | "await"
            | "expression_list"
            | "conditional_expression"
            | "boolean_operator"
            | "not_operator"
            | "comparison_operator"
            | "list_comprehension"
            | "generator_expression"
            | "set_comprehension"
            | "dictionary_comprehension"
            | "keyword_argument"
            | "list_splat"
            | "dictionary_splat"
            | "unary_operator"
            | "named_expression"
            | "pair"
            | "for_in_clause"
            | "if_clause" => {
                let cs = children(n);
                let single =
                    cs.len() == 1 && matches!(n.kind(), "parenthesized_expression" | "await");
                let mut v = Val::default();
                for c in cs {
                    let cv = self.val(c, depth + 1);
                    if single {
                        return cv;
                    }
                    v.merge(cv);
                }
                v
            }
            _ => Val::default(),
        }
    }

    fn call_args(&self, n: Node<'_>, depth: u32) -> (Vec<Val>, Vec<(String, Val)>) {
        let mut args = Vec::new();
        let mut kwargs = Vec::new();
        if let Some(a) = n.child_by_field_name("arguments") {
            for c in children(a) {
                if c.kind() == "keyword_argument" {
                    let k = c
                        .child_by_field_name("name")
                        .map(|x| self.text(x).to_owned())
                        .unwrap_or_default();
                    let v = c
                        .child_by_field_name("value")
                        .map(|x| self.val(x, depth + 1))
                        .unwrap_or_default();
                    kwargs.push((k, v));
                } else if c.kind() != "comment" {
                    args.push(self.val(c, depth + 1));
                }
            }
        }
        (args, kwargs)
    }

    fn receiver(&self, n: Node<'_>, depth: u32) -> Option<Val> {
        let f = n.child_by_field_name("function")?;
        (f.kind() == "attribute").then(|| {
            f.child_by_field_name("object")
                .map(|o| self.val(o, depth + 1))
                .unwrap_or_default()
        })
    }

    fn call_val(&self, n: Node<'_>, depth: u32) -> Val {
        self.calls.get_or(n, || self.call_val_here(n, depth))
    }

    fn call_val_here(&self, n: Node<'_>, depth: u32) -> Val {
        let callee = self.callee(n).unwrap_or_default();
        let (args, kwargs) = self.call_args(n, depth);
        let recv = self.receiver(n, depth);
        let mut v = Val::default();
        for a in args.iter().chain(kwargs.iter().map(|(_, v)| v)) {
            v.merge(a.clone());
        }
        if let Some(r) = &recv {
            v.merge(r.clone());
        }
        v.calls.push(callee.clone());
        let arg0 = args.first().and_then(|a| a.folded.clone());
        let recv_folded = recv.as_ref().and_then(|r| r.folded.clone());
        let method = callee.rsplit('.').next().unwrap_or("");
        let decoded = |s: Option<String>| s.map(|s| (s, true));
        let out: Option<(String, bool)> = match callee.as_str() {
            "base64.b64decode"
            | "base64.standard_b64decode"
            | "base64.urlsafe_b64decode"
            | "base64.decodebytes" => decoded(arg0.and_then(|s| fold::base64(&s))),
            "bytes.fromhex" | "binascii.unhexlify" | "binascii.a2b_hex" => {
                decoded(arg0.and_then(|s| fold::hex(&s)))
            }
            "codecs.decode" => decoded(arg0.and_then(|s| {
                fold::by_name(
                    &s,
                    args.get(1)
                        .and_then(|a| a.folded.as_deref())
                        .unwrap_or("utf-8"),
                )
            })),
            "chr" => decoded(
                args.first()
                    .and_then(|a| a.int)
                    .and_then(|c| fold::chars(&[c])),
            ),
            "bytes" | "bytearray" => decoded(args.first().and_then(|a| a.items.as_ref()).and_then(
                |items| fold::chars(&items.iter().filter_map(|i| i.int).collect::<Vec<_>>()),
            )),
            "str" | "os.path.expanduser" | "os.path.expandvars" | "os.fspath" | "pathlib.Path"
            | "os.path.abspath" | "os.path.normpath" => arg0.map(|s| (s, false)),
            "pathlib.Path.home" | "os.path.expanduser.~" => Some(("~".to_owned(), false)),
            "os.path.join" | "posixpath.join" | "ntpath.join" => {
                let parts: Option<Vec<String>> = args.iter().map(|a| a.folded.clone()).collect();
                parts.map(|p| (p.join("/"), false))
            }
            "os.getenv" | "os.environ.get" if arg0.as_deref() == Some("HOME") => {
                Some(("~".to_owned(), false))
            }
            "os.getcwd" => None,
            _ => match method {
                "decode" | "encode" => recv_folded.map(|s| {
                    let codec = args
                        .first()
                        .and_then(|a| a.folded.clone())
                        .unwrap_or_default();
                    (
                        fold::by_name(&s, if codec.is_empty() { "utf-8" } else { &codec })
                            .unwrap_or(s),
                        recv.as_ref().is_some_and(|r| r.decoded),
                    )
                }),
                "join" if callee.starts_with("str.") || recv_folded.is_some() => {
                    let sep = recv_folded.unwrap_or_default();
                    let items = args.first().and_then(|a| a.items.as_ref());
                    // "".join(map(chr, [...])) and "".join([chr(x) ...]) fold too.
                    let joined = items.and_then(|items| {
                        items
                            .iter()
                            .map(|i| i.folded.clone())
                            .collect::<Option<Vec<_>>>()
                    });
                    let chars = args
                        .first()
                        .filter(|a| a.calls.iter().any(|c| c == "map"))
                        .and_then(|a| a.items.as_ref())
                        .and_then(|i| {
                            fold::chars(&i.iter().filter_map(|x| x.int).collect::<Vec<_>>())
                        });
                    joined
                        .map(|j| (j.join(&sep), args.first().is_some_and(|a| a.decoded)))
                        .or(chars.map(|c| (c, true)))
                }
                "format" if recv_folded.is_some() => {
                    v.built = true;
                    None
                }
                "expanduser" | "resolve" | "absolute" => recv_folded.map(|s| (s, false)),
                "joinpath" => recv_folded.and_then(|r| {
                    args.first()
                        .and_then(|a| a.folded.clone())
                        .map(|a| (format!("{r}/{a}"), false))
                }),
                "home" if callee.ends_with("Path.home") => Some(("~".to_owned(), false)),
                _ => None,
            },
        };
        if callee == "map" {
            // map(chr, [...]) keeps the list for "".join.
            v.items = args.get(1).and_then(|a| a.items.clone());
        }
        if let Some((s, d)) = out {
            v.decoded =
                d || args.iter().any(|a| a.decoded) || recv.as_ref().is_some_and(|r| r.decoded);
            if s.len() <= ir::MAX_FRAGMENT {
                v.strings.push(s.clone());
            }
            v.prefix = Some(s.clone());
            v.folded = Some(s);
        } else if method == "format" {
            v.prefix = recv
                .as_ref()
                .and_then(|r| r.folded.as_deref())
                .map(|f| f.split('{').next().unwrap_or("").to_owned());
        }
        v.sanitized = matches!(
            callee.as_str(),
            "shlex.quote"
                | "pipes.quote"
                | "int"
                | "float"
                | "bool"
                | "len"
                | "uuid.UUID"
                | "os.path.basename"
                | "re.escape"
                | "html.escape"
                | "urllib.parse.quote"
                | "markupsafe.escape"
        );
        if v.sanitized {
            v.idents.clear();
        }
        v
    }

    // ---- functions and statements -------------------------------------------------

    /// Statements of a function (or the module) into `f`; nested functions
    /// become their own.
    fn body(&mut self, n: Node<'_>, f: &mut Func, depth: u32) {
        if depth > MAX_DEPTH {
            self.truncated.set(true);
            return;
        }
        for c in children(n) {
            self.stmt(c, f, depth + 1);
        }
    }

    fn stmt(&mut self, n: Node<'_>, f: &mut Func, depth: u32) {
        grow(|| self.stmt_here(n, f, depth));
    }

    fn stmt_here(&mut self, n: Node<'_>, f: &mut Func, depth: u32) {
        if depth > MAX_DEPTH {
            self.truncated.set(true);
            return;
        }
        match n.kind() {
            "function_definition" => {
                let g = self.function(n, &[], depth);
                self.module.funcs.push(g);
                return;
            }
            "decorated_definition" => {
                let decorators: Vec<Node<'_>> = children(n)
                    .into_iter()
                    .filter(|c| c.kind() == "decorator")
                    .collect();
                if let Some(def) = n.child_by_field_name("definition") {
                    if def.kind() == "function_definition" {
                        let g = self.function(def, &decorators, depth);
                        self.module.funcs.push(g);
                    } else {
                        self.stmt(def, f, depth + 1);
                    }
                }
                for d in decorators {
                    self.stmt(d, f, depth + 1);
                }
                return;
            }
            "lambda" => return,
            "assignment" | "augmented_assignment" => {
                if let (Some(l), Some(r)) = (
                    n.child_by_field_name("left"),
                    n.child_by_field_name("right"),
                ) {
                    let value = self.val(r, depth);
                    let mut targets = self.targets(l);
                    if n.kind() == "augmented_assignment" {
                        targets.retain(|t| !t.is_empty());
                    }
                    f.assigns.push(Assign {
                        targets,
                        value,
                        line: line(n),
                    });
                }
            }
            "named_expression" => {
                if let (Some(l), Some(r)) = (
                    n.child_by_field_name("name"),
                    n.child_by_field_name("value"),
                ) {
                    let value = self.val(r, depth);
                    f.assigns.push(Assign {
                        targets: vec![self.text(l).to_owned()],
                        value,
                        line: line(n),
                    });
                }
            }
            "for_statement" | "for_in_clause" => {
                if let (Some(l), Some(r)) = (
                    n.child_by_field_name("left"),
                    n.child_by_field_name("right"),
                ) {
                    let value = self.val(r, depth);
                    f.assigns.push(Assign {
                        targets: self.targets(l),
                        value,
                        line: line(n),
                    });
                }
            }
            "as_pattern" => {
                if let (Some(e), Some(a)) =
                    (children(n).first().copied(), n.child_by_field_name("alias"))
                {
                    let value = self.val(e, depth);
                    f.assigns.push(Assign {
                        targets: self.targets(a),
                        value,
                        line: line(n),
                    });
                }
            }
            "comparison_operator" => self.check(n, f),
            "call" => self.record_call(n, f, depth),
            "return_statement" => {
                if let Some(e) = children(n).into_iter().next() {
                    let v = self.val(e, depth);
                    f.returns.push(v);
                }
            }
            _ => {}
        }
        for c in children(n) {
            self.stmt(c, f, depth + 1);
        }
    }

    fn targets(&self, n: Node<'_>) -> Vec<String> {
        self.targets_at(n, 0)
    }

    fn targets_at(&self, n: Node<'_>, depth: u32) -> Vec<String> {
        if depth > 32 {
            return Vec::new();
        }
        match n.kind() {
            "identifier" => vec![self.text(n).to_owned()],
            "attribute" | "subscript" => vec![self.text(n).to_owned()],
            _ => children(n)
                .into_iter()
                .flat_map(|c| self.targets_at(c, depth + 1))
                .collect(),
        }
    }

    /// `x in ALLOWED`, `x not in ALLOWED`: x is validated.
    fn check(&self, n: Node<'_>, f: &mut Func) {
        let text = self.text(n);
        if text.contains(" in ")
            && let Some(first) = children(n).first()
        {
            f.validated.extend(self.val(*first, 0).idents);
        }
    }

    fn record_call(&self, n: Node<'_>, f: &mut Func, depth: u32) {
        let callee = self.callee(n).unwrap_or_else(|| "?".to_owned());
        let (args, kwargs) = self.call_args(n, depth);
        let receiver = self.receiver(n, depth);
        let method = callee.rsplit('.').next().unwrap_or("");
        // Validation calls: re.fullmatch(p, x), x.startswith(...), p.is_relative_to(root).
        if matches!(callee.as_str(), "re.fullmatch" | "re.match" | "re.search")
            && let Some(a) = args.get(1)
        {
            f.validated.extend(a.idents.clone());
        }
        if matches!(
            method,
            "startswith" | "is_relative_to" | "relative_to" | "fullmatch" | "match"
        ) && let Some(r) = &receiver
        {
            f.validated.extend(r.idents.clone());
            if matches!(method, "match" | "fullmatch") {
                for a in &args {
                    f.validated.extend(a.idents.clone());
                }
            }
        }
        if matches!(
            method,
            "is_relative_to" | "relative_to" | "commonpath" | "commonprefix"
        ) || (method == "startswith"
            && f.calls
                .iter()
                .any(|c| matches!(c.method(), "realpath" | "resolve" | "abspath" | "normpath")))
        {
            f.contains_path = true;
        }
        f.calls.push(Call {
            callee,
            args,
            kwargs,
            receiver,
            line: line(n),
            end_line: u32::try_from(n.end_position().row + 1).unwrap_or(u32::MAX),
        });
    }
}
