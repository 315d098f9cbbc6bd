//! JavaScript and TypeScript front end: tree-sitter syntax tree → [`Module`].
//! Tools: `server.tool(name, [description], [schema], cb)`,
//! `server.registerTool(name, {description, inputSchema}, cb)`,
//! `server.addTool({name, description, parameters, execute})` (FastMCP),
//! `setRequestHandler(CallToolRequestSchema, handler)`, and
//! `{name, description, inputSchema}` literals of a tools/list handler.

use tree_sitter::Node;

mod tools;

pub(crate) use tools::{bind_named_handlers, data_tools};

use super::fold;
use super::ir::{self, Assign, Call, Func, Interpolation, Module, Scope, Val};
use super::syntax::{CallCache, grow};
pub(crate) use super::syntax::{children, line};

/// Syntax nesting the analysis follows; deeper parts are reported, not read
/// (the analysis runs on a thread with a stack sized for it).
pub(crate) const MAX_DEPTH: u32 = 1500;

/// Which grammar a file needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    JavaScript,
    TypeScript,
    Tsx,
}

pub(crate) fn parse(src: &str, dialect: Dialect) -> Option<Module> {
    let mut parser = tree_sitter::Parser::new();
    let lang: tree_sitter::Language = match dialect {
        Dialect::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
        Dialect::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
        Dialect::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
    };
    parser.set_language(&lang).ok()?;
    let tree = parser.parse(src, None)?;
    let root = tree.root_node();
    let mut fe = Front {
        src,
        scope: Scope::default(),
        module: Module::default(),
        truncated: std::cell::Cell::new(false),
        calls: CallCache::default(),
        anon: 0,
        consumed: std::collections::HashSet::new(),
    };
    fe.imports(root, 0);
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

struct Front<'a> {
    src: &'a str,
    scope: Scope,
    module: Module,
    /// Some part was nested deeper than [`MAX_DEPTH`].
    truncated: std::cell::Cell<bool>,
    calls: CallCache,
    anon: usize,
    /// Callbacks already read as tool functions.
    consumed: std::collections::HashSet<usize>,
}

/// `node:fs/promises` and `fs-extra` are `fs`.
fn module_name(m: &str) -> String {
    let m = m.strip_prefix("node:").unwrap_or(m);
    match m {
        "fs/promises" | "fs-extra" | "graceful-fs" => "fs".to_owned(),
        "child_process" | "node:child_process" => "child_process".to_owned(),
        other => other.to_owned(),
    }
}

fn is_function(kind: &str) -> bool {
    matches!(
        kind,
        "function_declaration"
            | "function_expression"
            | "arrow_function"
            | "method_definition"
            | "generator_function_declaration"
            | "generator_function"
            | "function"
    )
}

impl<'a> Front<'a> {
    fn text(&self, n: Node<'_>) -> &'a str {
        n.utf8_text(self.src.as_bytes()).unwrap_or("")
    }

    fn string_literal(&self, n: Node<'_>) -> Option<String> {
        self.val(n, 0).folded
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
                let Some(source) = n
                    .child_by_field_name("source")
                    .and_then(|s| self.string_literal(s))
                else {
                    return;
                };
                let module = module_name(&source);
                self.module.imported.push(module.clone());
                for clause in children(n)
                    .into_iter()
                    .filter(|c| c.kind() == "import_clause")
                {
                    for c in children(clause) {
                        match c.kind() {
                            "identifier" => {
                                self.scope
                                    .aliases
                                    .insert(self.text(c).to_owned(), module.clone());
                                self.whole_module(&module);
                            }
                            "namespace_import" => {
                                if let Some(id) = children(c).into_iter().next() {
                                    self.scope
                                        .aliases
                                        .insert(self.text(id).to_owned(), module.clone());
                                    self.whole_module(&module);
                                }
                            }
                            "named_imports" => {
                                for spec in children(c) {
                                    let name = spec
                                        .child_by_field_name("name")
                                        .map(|x| self.text(x).to_owned())
                                        .unwrap_or_default();
                                    let alias = spec
                                        .child_by_field_name("alias")
                                        .map_or_else(|| name.clone(), |x| self.text(x).to_owned());
                                    if module.starts_with('.') {
                                        // A function of the package: read from
                                        // the sibling file when it is given.
                                        self.module.relative_imports.push((
                                            alias,
                                            module.clone(),
                                            name,
                                        ));
                                    } else {
                                        self.scope
                                            .aliases
                                            .insert(alias, format!("{module}.{name}"));
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
            "variable_declarator" => {
                if let (Some(name), Some(value)) = (
                    n.child_by_field_name("name"),
                    n.child_by_field_name("value"),
                ) && let Some(module) = self.required(value)
                {
                    self.module.imported.push(module.clone());
                    if name.kind() == "identifier" {
                        self.whole_module(&module);
                    }
                    self.bind_pattern(name, &module);
                }
            }
            _ => {}
        }
        for c in children(n) {
            self.imports(c, depth + 1);
        }
    }

    /// `import * as util from "./util.js"`, `const util = require("./util")`:
    /// every function of a package module, called as `./util.js.f`.
    fn whole_module(&mut self, module: &str) {
        if module.starts_with('.') {
            self.module.relative_imports.push((
                module.to_owned(),
                module.to_owned(),
                "*".to_owned(),
            ));
        }
    }

    /// `require('x')`, `await import('x')`, `require('x').member`.
    fn required(&self, n: Node<'_>) -> Option<String> {
        // `require('x').a.b`: the properties, then the call at the base.
        let mut n = unwrap(n)?;
        let mut props = Vec::new();
        while n.kind() == "member_expression" && props.len() < 64 {
            props.push(self.text(n.child_by_field_name("property")?));
            n = unwrap(n.child_by_field_name("object")?)?;
        }
        if n.kind() != "call_expression" {
            return None;
        }
        let f = n.child_by_field_name("function")?;
        if !matches!(self.text(f), "require" | "import") {
            return None;
        }
        let a = children(n.child_by_field_name("arguments")?);
        let mut out = module_name(&self.string_literal(*a.first()?)?);
        for p in props.iter().rev() {
            out.push('.');
            out.push_str(p);
        }
        Some(out)
    }

    fn bind_pattern(&mut self, pattern: Node<'_>, target: &str) {
        match pattern.kind() {
            "identifier" => {
                self.scope
                    .aliases
                    .insert(self.text(pattern).to_owned(), target.to_owned());
            }
            "object_pattern" => {
                for p in children(pattern) {
                    match p.kind() {
                        "shorthand_property_identifier_pattern" => {
                            let n = self.text(p).to_owned();
                            self.scope
                                .aliases
                                .insert(n.clone(), format!("{target}.{n}"));
                        }
                        "pair_pattern" => {
                            if let (Some(k), Some(v)) =
                                (p.child_by_field_name("key"), p.child_by_field_name("value"))
                            {
                                let key = self.text(k).trim_matches(['"', '\'']).to_owned();
                                self.bind_pattern(v, &format!("{target}.{key}"));
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
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
        if n.kind() == "variable_declarator"
            && let (Some(l), Some(r)) = (
                n.child_by_field_name("name"),
                n.child_by_field_name("value"),
            )
            && l.kind() == "identifier"
            && self.required(r).is_none()
        {
            let name = self.text(l).to_owned();
            let v = self.val(r, 0);
            if v.folded.is_some() || v.items.is_some() || v.boolean.is_some() || v.int.is_some() {
                self.scope.consts.insert(name.clone(), v);
            }
            if let Some(alias) = self.alias_target(r) {
                self.scope.aliases.insert(name, alias);
            }
        }
        for c in children(n) {
            self.constants(c, depth + 1);
        }
    }

    fn alias_target(&self, r: Node<'_>) -> Option<String> {
        let r = unwrap(r)?;
        match r.kind() {
            "member_expression" | "identifier" => {
                let d = self.dotted(r)?;
                let resolved = self.scope.resolve(&d);
                (resolved != d).then_some(resolved)
            }
            // promisify(exec), util.promisify(cp.exec): the same callable.
            "call_expression" => {
                let callee = self.callee(r)?;
                let args = children(r.child_by_field_name("arguments")?);
                if callee.ends_with("promisify") {
                    let d = self.dotted(*args.first()?)?;
                    return Some(self.scope.resolve(&d));
                }
                // The result of a local function: a factory, resolved once
                // the module's functions are known.
                (!callee.contains('.')).then(|| format!("{callee}()"))
            }
            "new_expression" => {
                let c = self.dotted(r.child_by_field_name("constructor")?)?;
                Some(format!("{}()", self.scope.resolve(&c)))
            }
            _ => None,
        }
    }

    /// `a.b.c` of a member chain (iterative: chains can be long).
    fn dotted(&self, n: Node<'_>) -> Option<String> {
        let mut parts = Vec::new();
        let mut cur = n;
        loop {
            match cur.kind() {
                "identifier" | "this" => {
                    parts.push(self.text(cur));
                    break;
                }
                "member_expression" if parts.len() < 64 => {
                    parts.push(self.text(cur.child_by_field_name("property")?));
                    cur = cur.child_by_field_name("object")?;
                }
                "non_null_expression" | "parenthesized_expression" if parts.len() < 64 => {
                    parts.push("");
                    cur = *children(cur).first()?;
                }
                _ => return None,
            }
        }
        parts.retain(|p| !p.is_empty());
        parts.reverse();
        Some(parts.join("."))
    }

    fn callee(&self, call: Node<'_>) -> Option<String> {
        // `globalThis.eval`, `global["ev" + "al"]`, `window.Function` are the globals.
        self.callee_at(call, 0).map(|c| {
            ["globalThis.", "global.", "window.", "self."]
                .iter()
                .find_map(|p| c.strip_prefix(p))
                .filter(|rest| {
                    matches!(
                        *rest,
                        "eval" | "Function" | "setTimeout" | "setInterval" | "fetch" | "require"
                    )
                })
                .map_or(c.clone(), str::to_owned)
        })
    }

    fn callee_at(&self, call: Node<'_>, depth: u32) -> Option<String> {
        if depth > 32 {
            return None;
        }
        let f = call
            .child_by_field_name("function")
            .or_else(|| call.child_by_field_name("constructor"))?;
        if let Some(d) = self.dotted(f) {
            return Some(self.scope.resolve(&d));
        }
        if f.kind() == "member_expression" {
            let o = f.child_by_field_name("object")?;
            let p = self.text(f.child_by_field_name("property")?);
            if let Some(m) = self.required(o) {
                return Some(format!("{m}.{p}"));
            }
            if matches!(o.kind(), "call_expression" | "new_expression") {
                return Some(format!("{}().{p}", self.callee_at(o, depth + 1)?));
            }
            if matches!(o.kind(), "string" | "template_string") {
                return Some(format!("str.{p}"));
            }
            if o.kind() == "array" {
                return Some(format!("Array.{p}"));
            }
            return Some(format!("?.{p}"));
        }
        if f.kind() == "subscript_expression" {
            // os['sys' + 'tem'], require('child_process')['exec']
            let object = f.child_by_field_name("object")?;
            let o = match self.dotted(object) {
                Some(d) => self.scope.resolve(&d),
                None => self.required(object)?,
            };
            let idx = self.val(f.child_by_field_name("index")?, 0).folded?;
            return Some(format!("{o}.{idx}"));
        }
        None
    }

    // ---- expressions ------------------------------------------------------------

    fn val(&self, n: Node<'_>, depth: u32) -> Val {
        grow(|| self.val_here(n, depth))
    }

    fn val_here(&self, n: Node<'_>, depth: u32) -> Val {
        if depth > MAX_DEPTH {
            self.truncated.set(true);
            return Val::default();
        }
        match n.kind() {
            "identifier" | "shorthand_property_identifier" => {
                let name = self.text(n);
                let mut v = self.scope.consts.get(name).cloned().unwrap_or_default();
                v.idents.push(name.to_owned());
                v
            }
            "member_expression" | "subscript_expression" => {
                let mut v = Val::default();
                if let Some(d) = self.dotted(n) {
                    let resolved = self.scope.resolve(&d);
                    v.idents.push(d.split('.').next().unwrap_or(&d).to_owned());
                    if resolved == "path.sep" {
                        v.folded = Some("/".to_owned());
                    }
                    if resolved == "process.env.HOME" || resolved == "process.env.USERPROFILE" {
                        v.folded = Some("~".to_owned());
                    }
                    v.idents.push(resolved);
                } else {
                    for c in children(n) {
                        v.merge(self.val(c, depth + 1));
                    }
                }
                v
            }
            "string" => {
                let mut s = String::new();
                for c in children(n) {
                    let t = self.text(c);
                    if c.kind() == "escape_sequence" {
                        s.push_str(&unescape_js(t));
                    } else {
                        s.push_str(t);
                    }
                }
                Val::literal(s)
            }
            "template_string" => {
                let mut s = Interpolation::new();
                let mut cursor = n.walk();
                for c in n.children(&mut cursor) {
                    match c.kind() {
                        "string_fragment" => s.text(self.text(c)),
                        "escape_sequence" => s.text(&unescape_js(self.text(c))),
                        "template_substitution" => s.expr(
                            children(c)
                                .into_iter()
                                .next()
                                .map(|e| self.val(e, depth + 1))
                                .unwrap_or_default(),
                        ),
                        _ => {}
                    }
                }
                let mut cursor = n.walk();
                let fragments: Vec<String> = n
                    .children(&mut cursor)
                    .filter(|c| c.kind() == "string_fragment")
                    .map(|c| self.text(c).to_owned())
                    .collect();
                s.finish(fragments.into_iter())
            }
            "number" => {
                let t = self.text(n);
                Val::int(t.parse().ok().or_else(|| {
                    t.strip_prefix("0x")
                        .and_then(|h| i64::from_str_radix(h, 16).ok())
                }))
            }
            "true" => Val::boolean(true),
            "false" => Val::boolean(false),
            "binary_expression" => {
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
                Val::binary(l, op, r, false, &["+"])
            }
            "array" => Val::list(
                children(n)
                    .into_iter()
                    .take(ir::MAX_PARTS)
                    .map(|c| self.val(c, depth + 1))
                    .collect(),
            ),
            "object" => {
                let mut v = Val::default();
                for p in children(n) {
                    match p.kind() {
                        "pair" => {
                            if let (Some(k), Some(x)) =
                                (p.child_by_field_name("key"), p.child_by_field_name("value"))
                            {
                                let key = self
                                    .val(k, depth + 1)
                                    .folded
                                    .unwrap_or_else(|| self.text(k).to_owned());
                                let xv = self.val(x, depth + 1);
                                v.merge(xv.clone());
                                v.props.push((key, xv));
                            }
                        }
                        "shorthand_property_identifier" => {
                            let xv = self.val(p, depth + 1);
                            v.merge(xv.clone());
                            v.props.push((self.text(p).to_owned(), xv));
                        }
                        _ => v.merge(self.val(p, depth + 1)),
                    }
                }
                v
            }
            "property_identifier" => Val::literal(self.text(n)),
            "call_expression" | "new_expression" => self.call_val(n, depth),
            k if is_function(k) => Val::default(),
            _ => {
                let cs = children(n);
                let single = cs.len() == 1;
                let mut v = Val::default();
                for c in cs {
                    let cv = self.val(c, depth + 1);
                    if single
                        && matches!(
                            n.kind(),
                            "parenthesized_expression"
                                | "await_expression"
                                | "as_expression"
                                | "satisfies_expression"
                                | "non_null_expression"
                                | "type_assertion"
                        )
                    {
                        return cv;
                    }
                    v.merge(cv);
                }
                v
            }
        }
    }

    fn call_args(&self, n: Node<'_>, depth: u32) -> Vec<Val> {
        n.child_by_field_name("arguments")
            .map(|a| {
                children(a)
                    .into_iter()
                    .map(|c| self.val(c, depth + 1))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn receiver(&self, n: Node<'_>, depth: u32) -> Option<Val> {
        let f = n.child_by_field_name("function")?;
        (f.kind() == "member_expression").then(|| {
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
        let args = self.call_args(n, depth);
        let recv = self.receiver(n, depth);
        let mut v = Val::default();
        for a in &args {
            v.merge(a.clone());
        }
        if let Some(r) = &recv {
            v.merge(r.clone());
        }
        v.calls.push(callee.clone());
        let arg0 = args.first().and_then(|a| a.folded.clone());
        let recv_folded = recv.as_ref().and_then(|r| r.folded.clone());
        let method = callee.rsplit('.').next().unwrap_or("");
        let out: Option<(String, bool)> = match callee.as_str() {
            "atob" => arg0
                .clone()
                .and_then(|s| fold::base64(&s))
                .map(|s| (s, true)),
            "Buffer.from" => arg0
                .clone()
                .and_then(|s| {
                    fold::by_name(
                        &s,
                        args.get(1)
                            .and_then(|a| a.folded.as_deref())
                            .unwrap_or("utf8"),
                    )
                })
                .map(|s| {
                    let d = args.get(1).is_some_and(|a| {
                        a.folded
                            .as_deref()
                            .is_some_and(|c| c != "utf8" && c != "utf-8")
                    });
                    (s, d)
                }),
            "String.fromCharCode" => {
                fold::chars(&args.iter().filter_map(|a| a.int).collect::<Vec<_>>())
                    .map(|s| (s, true))
            }
            "os.homedir" => Some(("~".to_owned(), false)),
            "path.join" | "path.resolve" | "path.posix.join" => {
                let parts: Option<Vec<String>> = args.iter().map(|a| a.folded.clone()).collect();
                parts.map(|p| (p.join("/"), false))
            }
            "String" => arg0.clone().map(|s| (s, false)),
            _ => match method {
                "toString" | "decode" => recv_folded
                    .clone()
                    .map(|s| (s, recv.as_ref().is_some_and(|r| r.decoded))),
                "join" => {
                    let sep = arg0.clone().unwrap_or_default();
                    recv.as_ref()
                        .and_then(|r| r.items.as_ref())
                        .and_then(|items| {
                            items
                                .iter()
                                .map(|i| i.folded.clone())
                                .collect::<Option<Vec<_>>>()
                        })
                        .map(|j| (j.join(&sep), recv.as_ref().is_some_and(|r| r.decoded)))
                }
                "concat" => recv_folded.clone().and_then(|r| {
                    args.iter()
                        .map(|a| a.folded.clone())
                        .collect::<Option<Vec<_>>>()
                        .map(|a| (r + &a.concat(), false))
                }),
                _ => None,
            },
        };
        // "abc".split("").reverse().join("") reverses.
        if method == "split"
            && arg0.as_deref() == Some("")
            && let Some(s) = &recv_folded
        {
            v.items = Some(std::rc::Rc::new(
                s.chars()
                    .take(ir::MAX_PARTS)
                    .map(|c| Val::literal(c.to_string()))
                    .collect(),
            ));
        }
        if method == "reverse"
            && let Some(mut items) = recv.as_ref().and_then(|r| r.items.as_deref().cloned())
        {
            items.reverse();
            v.items = Some(std::rc::Rc::new(items));
            v.decoded = true;
        }
        if let Some((s, d)) = out {
            v.decoded = d
                || v.decoded
                || args.iter().any(|a| a.decoded)
                || recv.as_ref().is_some_and(|r| r.decoded);
            if s.len() <= ir::MAX_FRAGMENT {
                v.strings.push(s.clone());
            }
            v.prefix = Some(s.clone());
            v.folded = Some(s);
        }
        v.sanitized = matches!(
            callee.as_str(),
            "shellescape.quote"
                | "shell-quote.quote"
                | "shellQuote.quote"
                | "Number"
                | "parseInt"
                | "parseFloat"
                | "path.basename"
                | "encodeURIComponent"
                | "escapeHtml"
        ) || matches!(method, "parseInt" | "quote" | "escape");
        if v.sanitized {
            v.idents.clear();
        }
        v
    }

    // ---- functions and statements ------------------------------------------------

    fn body(&mut self, n: Node<'_>, f: &mut Func, depth: u32) {
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
        let kind = n.kind();
        if is_function(kind) {
            if self.consumed.contains(&n.id()) {
                return;
            }
            // A callback given to a call (`dirs.some((d) => p.startsWith(d))`,
            // `items.map(x => run(x))`) runs as part of the function that
            // calls it: read it inline, its parameters taking the receiver.
            if let Some(call) = n
                .parent()
                .filter(|p| p.kind() == "arguments")
                .and_then(|p| p.parent())
            {
                let source = self.receiver(call, depth).unwrap_or_default();
                let params = n
                    .child_by_field_name("parameters")
                    .or_else(|| n.child_by_field_name("parameter"));
                if let Some(ps) = params {
                    let mut names = Vec::new();
                    pattern_names(self, ps, &mut names, 0);
                    f.assigns.push(Assign {
                        targets: names,
                        value: source,
                        line: line(n),
                    });
                }
                if let Some(b) = n.child_by_field_name("body") {
                    self.stmt(b, f, depth + 1);
                }
                return;
            }
            let name = n
                .child_by_field_name("name")
                .map(|x| self.text(x).to_owned())
                .or_else(|| {
                    // const run = async (x) => ...
                    n.parent()
                        .filter(|p| p.kind() == "variable_declarator")
                        .and_then(|p| p.child_by_field_name("name"))
                        .map(|x| self.text(x).to_owned())
                });
            let g = self.function(n, name, depth);
            self.module.funcs.push(g);
            return;
        }
        match kind {
            "variable_declarator" | "assignment_expression" | "augmented_assignment_expression" => {
                let (left, right) = if kind == "variable_declarator" {
                    ("name", "value")
                } else {
                    ("left", "right")
                };
                if let (Some(l), Some(r)) =
                    (n.child_by_field_name(left), n.child_by_field_name(right))
                    && !is_function(r.kind())
                {
                    let value = self.val(r, depth);
                    f.assigns.push(Assign {
                        targets: self.targets(l),
                        value,
                        line: line(n),
                    });
                }
            }
            "for_in_statement" => {
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
            "call_expression" | "new_expression" => self.record_call(n, f, depth),
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
            "identifier" | "shorthand_property_identifier_pattern" => vec![self.text(n).to_owned()],
            "member_expression" | "subscript_expression" => vec![
                self.dotted(n)
                    .map_or_else(|| self.text(n).to_owned(), |d| self.scope.resolve(&d)),
            ],
            _ => children(n)
                .into_iter()
                .flat_map(|c| self.targets_at(c, depth + 1))
                .collect(),
        }
    }

    fn record_call(&mut self, n: Node<'_>, f: &mut Func, depth: u32) {
        let callee = self.callee(n).unwrap_or_else(|| "?".to_owned());
        let args = self.call_args(n, depth);
        let receiver = self.receiver(n, depth);
        let method = callee.rsplit('.').next().unwrap_or("").to_owned();
        // Validation: ALLOWED.includes(x), set.has(x), /re/.test(x), x.startsWith(root + sep).
        if matches!(method.as_str(), "includes" | "has" | "indexOf" | "test") {
            for a in &args {
                f.validated.extend(a.idents.clone());
            }
        }
        if matches!(method.as_str(), "startsWith" | "match")
            && let Some(r) = &receiver
        {
            f.validated.extend(r.idents.clone());
            if method == "startsWith"
                && f.calls.iter().any(|c| {
                    matches!(
                        c.callee.as_str(),
                        "path.resolve"
                            | "path.normalize"
                            | "fs.realpath"
                            | "fs.realpathSync"
                            | "fs.promises.realpath"
                    )
                })
            {
                f.contains_path = true;
            }
        }
        if callee == "path.relative" {
            f.contains_path = true;
        }
        self.tool_registration(n, &callee, &args);
        f.calls.push(Call {
            callee,
            args,
            kwargs: Vec::new(),
            receiver,
            line: line(n),
            end_line: u32::try_from(n.end_position().row + 1).unwrap_or(u32::MAX),
        });
    }

    fn function(&mut self, n: Node<'_>, name: Option<String>, depth: u32) -> Func {
        self.anon += 1;
        let mut f = Func {
            name: name.unwrap_or_else(|| format!("<anonymous {}>", self.anon)),
            line: line(n),
            ..Func::default()
        };
        let params = n
            .child_by_field_name("parameters")
            .or_else(|| n.child_by_field_name("parameter"));
        if let Some(ps) = params {
            if ps.kind() == "identifier" {
                f.params.push(self.text(ps).to_owned());
            } else {
                for p in children(ps) {
                    let mut names = Vec::new();
                    pattern_names(self, p, &mut names, 0);
                    // `extra`, `context` of the SDK's callbacks carry no caller data.
                    if names.len() == 1
                        && matches!(names[0].as_str(), "extra" | "context" | "ctx" | "_extra")
                    {
                        continue;
                    }
                    // Destructured parameters of one object stay one parameter slot.
                    f.params.push(names.join(","));
                }
            }
        }
        if let Some(b) = n.child_by_field_name("body") {
            if is_function(b.kind()) || b.kind() != "statement_block" {
                // An arrow function with an expression body returns it.
                let v = self.val(b, depth + 1);
                f.returns.push(v);
                // An arrow function with an expression body.
                self.stmt(b, &mut f, depth + 1);
            } else {
                self.body(b, &mut f, depth + 1);
            }
        }
        f
    }
}

/// The expression inside `await`, parentheses and TypeScript assertions
/// (iterative: hostile files nest them deeply).
fn unwrap(mut n: Node<'_>) -> Option<Node<'_>> {
    for _ in 0..64 {
        if !matches!(
            n.kind(),
            "await_expression"
                | "parenthesized_expression"
                | "as_expression"
                | "non_null_expression"
                | "satisfies_expression"
        ) {
            return Some(n);
        }
        n = *children(n).first()?;
    }
    None
}

fn pattern_names(fe: &Front<'_>, p: Node<'_>, out: &mut Vec<String>, depth: u32) {
    if depth > 8 {
        return;
    }
    match p.kind() {
        "identifier" | "shorthand_property_identifier_pattern" => out.push(fe.text(p).to_owned()),
        "required_parameter" | "optional_parameter" => {
            if let Some(pat) = p.child_by_field_name("pattern") {
                pattern_names(fe, pat, out, depth + 1);
            }
        }
        "assignment_pattern" | "object_assignment_pattern" => {
            if let Some(l) = p.child_by_field_name("left") {
                pattern_names(fe, l, out, depth + 1);
            }
        }
        "pair_pattern" => {
            if let Some(v) = p.child_by_field_name("value") {
                pattern_names(fe, v, out, depth + 1);
            }
        }
        "type_annotation" => {}
        _ => {
            for c in children(p) {
                pattern_names(fe, c, out, depth + 1);
            }
        }
    }
}

fn unescape_js(t: &str) -> String {
    let body = &t[1.min(t.len())..];
    match body.chars().next() {
        Some('n') => "\n".to_owned(),
        Some('t') => "\t".to_owned(),
        Some('r') => "\r".to_owned(),
        Some('x') => u32::from_str_radix(body.get(1..3).unwrap_or(""), 16)
            .ok()
            .and_then(char::from_u32)
            .map_or_else(|| t.to_owned(), String::from),
        Some('u') => {
            let hex = body[1..].trim_start_matches('{').trim_end_matches('}');
            u32::from_str_radix(hex, 16)
                .ok()
                .and_then(char::from_u32)
                .map_or_else(|| t.to_owned(), String::from)
        }
        Some(c) => c.to_string(),
        None => t.to_owned(),
    }
}
