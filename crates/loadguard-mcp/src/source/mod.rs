//! MCP server source, read with tree-sitter grammars (no code is imported
//! or run): find every tool, its description and parameters, follow each
//! parameter (taint) through assignments, string building and the
//! functions it is passed to (of the same file, or of the package's files
//! that the caller's `siblings` reader provides), into the sinks of
//! [`sinks`]; and look for what the code does that no argument asks for:
//! local data sent to an endpoint fixed in the code, credential reads,
//! persistence, sabotage, decoded payloads, descriptions that hide network
//! traffic.
//!
//! The analysis is flow-insensitive within a function (an assignment or a
//! check anywhere in it counts); package modules are read one file at a
//! time through the reader, up to [`MAX_SIBLINGS`], never imported.

mod behaviour;
mod fold;
mod ir;
mod js;
mod python;
mod sinks;
mod syntax;
mod taint;

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use loadguard_core::{Finding, Location, Rule, Severity};

use crate::rules;
use crate::tools::{ServerTools, Tool};
use ir::{Module, Val};

pub(crate) use js::Dialect;

/// A source language loadguard reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Python,
    JavaScript,
    TypeScript,
    Tsx,
}

/// What one source file defines and does.
#[derive(Debug, Default)]
pub struct SourceReport {
    pub findings: Vec<Finding>,
    /// The tools it registers, as the model would see them.
    pub tools: ServerTools,
}

/// Parses and analyses one file. `server` names the server for tool pins.
pub fn scan(src: &str, language: Language, server: &str) -> SourceReport {
    scan_with_siblings(src, language, server, None)
}

/// Reads a module the file imports from its own package (`./lib.js`,
/// `.utils`, `helpers`): its file name and bytes, or `None`.
pub type Siblings<'a> = &'a (dyn Fn(&str) -> Option<(String, Vec<u8>)> + Sync);

/// Most package modules one file's analysis reads.
const MAX_SIBLINGS: usize = 16;

/// Like [`scan`], following the functions the file imports from its own
/// package into the sibling files `siblings` reads (one level).
pub fn scan_with_siblings(
    src: &str,
    language: Language,
    server: &str,
    siblings: Option<Siblings<'_>>,
) -> SourceReport {
    scan_here(src, language, server, siblings)
}

fn parse(src: &str, language: Language) -> Option<Module> {
    match language {
        Language::Python => python::parse(src).map(|mut m| {
            python::data_tools(&mut m);
            m
        }),
        Language::JavaScript | Language::TypeScript | Language::Tsx => {
            let dialect = match language {
                Language::TypeScript => Dialect::TypeScript,
                Language::Tsx => Dialect::Tsx,
                _ => Dialect::JavaScript,
            };
            js::parse(src, dialect).map(|mut m| {
                js::bind_named_handlers(&mut m);
                js::data_tools(&mut m);
                m
            })
        }
    }
}

/// The language of a sibling file, by its name.
fn language_of(name: &str) -> Language {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".py") {
        Language::Python
    } else if lower.ends_with(".tsx") {
        Language::Tsx
    } else if lower.ends_with(".ts") || lower.ends_with(".mts") || lower.ends_with(".cts") {
        Language::TypeScript
    } else {
        Language::JavaScript
    }
}

/// Adds the functions a module imports from its package's files, named as
/// the module calls them, each marked with its file.
fn add_siblings(module: &mut Module, read: Siblings<'_>) {
    // A worklist of (module spec, [(name called, member)]): the file's own
    // imports, then those of the siblings (resolved beside the file too).
    let mut queue: Vec<(String, Vec<(String, String)>)> = Vec::new();
    let enqueue = |queue: &mut Vec<(String, Vec<(String, String)>)>,
                   imports: &[(String, String, String)]| {
        for (called, spec, member) in imports {
            if let Some(at) = queue.iter().position(|(s, _)| s == spec) {
                queue[at].1.push((called.clone(), member.clone()));
            } else if queue.len() < MAX_SIBLINGS {
                queue.push((spec.clone(), vec![(called.clone(), member.clone())]));
            }
        }
    };
    let own = module.relative_imports.clone();
    enqueue(&mut queue, &own);
    let mut names: HashSet<String> = module.funcs.iter().map(|f| f.name.clone()).collect();
    let mut next = 0;
    while next < queue.len() {
        let (spec, imported) = queue[next].clone();
        next += 1;
        let Some((file, bytes)) = read(&spec) else {
            continue;
        };
        if bytes.len() > crate::MAX_SOURCE_BYTES {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes);
        let Some(sib) = parse(&text, language_of(&file)) else {
            continue;
        };
        enqueue(&mut queue, &sib.relative_imports);
        // `import * as util`: every function, called as `util.f`.
        let whole = imported
            .iter()
            .find(|(_, member)| member == "*")
            .map(|(called, _)| called.clone());
        for g in sib.funcs.iter().filter(|g| g.name != "<module>") {
            let mut g = g.clone();
            g.tool = None;
            g.file = Some(file.clone());
            if let Some(prefix) = &whole {
                let mut h = g.clone();
                h.name = format!("{prefix}.{}", g.name);
                names.insert(h.name.clone());
                module.funcs.push(h);
            }
            if let Some((called, _)) = imported.iter().find(|(_, member)| *member == g.name) {
                g.name = called.clone();
            } else if names.contains(&g.name) {
                // A helper of the sibling that shares a name here: keep ours.
                continue;
            }
            names.insert(g.name.clone());
            module.funcs.push(g);
        }
    }
}

/// `client = make_client()` where `make_client` returns
/// `httpx.AsyncClient(...)`: calls on `client` are calls on the client.
fn resolve_factories(m: &mut Module) {
    let factories: HashMap<String, String> = m
        .funcs
        .iter()
        .filter_map(|g| {
            let made = g.returns.iter().find_map(|r| {
                r.calls.last().filter(|c| {
                    c.rsplit('.')
                        .next()
                        .is_some_and(|l| l.starts_with(char::is_uppercase))
                })
            })?;
            Some((
                format!("{}().", g.name),
                format!("{}().", made.trim_end_matches("()")),
            ))
        })
        .collect();
    if factories.is_empty() {
        return;
    }
    for f in &mut m.funcs {
        for c in &mut f.calls {
            if let Some((from, to)) = factories
                .iter()
                .find(|(from, _)| c.callee.starts_with(from.as_str()))
            {
                c.callee = format!("{to}{}", &c.callee[from.len()..]);
            }
        }
    }
}

fn scan_here(
    src: &str,
    language: Language,
    server: &str,
    siblings: Option<Siblings<'_>>,
) -> SourceReport {
    let module = parse(src, language).map(|mut m| {
        if let Some(read) = siblings {
            add_siblings(&mut m, read);
        }
        resolve_factories(&mut m);
        m
    });
    let Some(module) = module else {
        let f = Finding::builder(
            &rules::unknown_entry::RULE,
            "the source file could not be parsed; it was not analysed".to_owned(),
        )
        .at(Location::default())
        .build();
        return SourceReport {
            findings: vec![f],
            tools: ServerTools::default(),
        };
    };
    let python = language == Language::Python;
    let mut a = Analysis {
        m: &module,
        python,
        findings: Vec::new(),
        seen: HashSet::new(),
        current_file: None,
        validators: taint::validators(&module),
        propagates: HashMap::new(),
        checked: HashMap::new(),
        names: Names::of(&module),
    };
    a.index_checked();
    a.propagation();
    a.tools();
    a.behaviour();
    a.unresolved();
    if module.truncated {
        a.findings.push(
            Finding::builder(
                &rules::unknown_entry::RULE,
                format!(
                    "code nested more than {} levels deep was not analysed",
                    python::MAX_DEPTH
                ),
            )
            .severity(Severity::Medium)
            .at(Location::default().with_logical("source"))
            .build(),
        );
    }
    a.secrets(src);
    let tools = tool_list(&module, server);
    for f in &mut a.findings {
        f.location
            .logical
            .get_or_insert_with(|| "source".to_owned());
    }
    SourceReport {
        findings: a.findings,
        tools,
    }
}

/// Tools as the model sees them: name, description, schema.
fn tool_list(m: &Module, server: &str) -> ServerTools {
    let mut st = ServerTools {
        server: server.to_owned(),
        ..ServerTools::default()
    };
    let mut listed = HashSet::new();
    for def in m
        .funcs
        .iter()
        .filter_map(|f| f.tool.as_ref())
        .chain(m.data_tools.iter())
    {
        if def.entry_only || def.name.is_empty() || !listed.insert(def.name.as_str()) {
            continue;
        }
        st.tools.push(Tool {
            name: def.name.clone(),
            description: def.description.clone(),
            schema: def.schema.clone(),
            annotations: Value::Null,
            line: Some(def.line),
        });
    }
    st
}

/// A literal expression as JSON (for schemas written as dict/object literals).
pub(crate) fn val_to_json(v: &Val) -> Value {
    if let Some(s) = &v.folded {
        return Value::String(s.clone());
    }
    if let Some(items) = &v.items {
        return Value::Array(items.iter().map(val_to_json).collect());
    }
    if !v.props.is_empty() {
        let m: Map<String, Value> = v
            .props
            .iter()
            .map(|(k, x)| (k.clone(), val_to_json(x)))
            .collect();
        return Value::Object(m);
    }
    if let Some(i) = v.int {
        return Value::from(i);
    }
    if let Some(b) = v.boolean {
        return Value::Bool(b);
    }
    Value::Null
}

struct Analysis<'a> {
    m: &'a Module,
    python: bool,
    findings: Vec<Finding>,
    /// (rule, line) pairs already reported.
    seen: HashSet<(&'static str, u32, Option<String>)>,
    /// The sibling file of the function being read (`None`: this file).
    current_file: Option<String>,
    validators: HashSet<String>,
    /// Per function index: whether its result carries its parameters' taint.
    propagates: HashMap<usize, bool>,
    /// Per function address: identifiers it hands to a validator.
    checked: HashMap<usize, HashSet<String>>,
    /// Functions by name, first of each (a server of thousands of tools
    /// must not search the list per call).
    names: Names<'a>,
}

#[derive(Default)]
struct Names<'a> {
    /// Any function, by name.
    any: HashMap<&'a str, usize>,
    /// Functions read from a sibling file, by the name they were imported as.
    imported: HashMap<&'a str, usize>,
    /// Functions that check a path.
    guard_paths: HashSet<&'a str>,
}

impl<'a> Names<'a> {
    fn of(m: &'a Module) -> Self {
        let mut names = Names::default();
        for (i, f) in m.funcs.iter().enumerate() {
            names.any.entry(f.name.as_str()).or_insert(i);
            if f.file.is_some() {
                names.imported.entry(f.name.as_str()).or_insert(i);
            }
            if f.contains_path {
                names.guard_paths.insert(f.name.as_str());
            }
        }
        names
    }
}

impl Analysis<'_> {
    fn report(
        &mut self,
        rule: &'static Rule,
        severity: Option<Severity>,
        line: u32,
        logical: String,
        message: String,
    ) {
        if !self
            .seen
            .insert((rule.code, line, self.current_file.clone()))
        {
            return;
        }
        // Code read from a sibling file says so; its line is that file's.
        let (logical, message) = match &self.current_file {
            Some(file) => (
                format!("{file}: {logical}"),
                format!("{message} (in {file}, line {line})"),
            ),
            None => (logical, message),
        };
        let mut b = Finding::builder(rule, message);
        if let Some(s) = severity {
            b = b.severity(s);
        }
        self.findings.push(
            b.at(Location::default()
                .with_logical(logical)
                .with_line_column(line, 1))
                .build(),
        );
    }

    fn func_named(&self, callee: &str) -> Option<usize> {
        // A function imported from a sibling, called as it was imported.
        if let Some(&i) = self.names.imported.get(callee) {
            return Some(i);
        }
        let name = callee.rsplit('.').next()?;
        let local = !callee.contains('.')
            || callee.starts_with("self.")
            || callee.starts_with("this.")
            || callee.starts_with("?.")
            || callee.starts_with("cls.");
        if !local {
            return None;
        }
        self.names.any.get(name).copied()
    }
}
