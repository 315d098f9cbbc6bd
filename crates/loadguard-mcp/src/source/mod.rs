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

mod fold;
mod ir;
mod js;
mod python;
mod sinks;

use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::{Map, Value};

use loadguard_core::{Finding, Location, Rule, Severity};

use crate::tools::{ServerTools, Tool};
use crate::{paths, rules, secrets, shell};
use ir::{Call, Func, Module, Val};
use sinks::Kind;

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

/// Stack for the analysis thread: the front ends recurse over the syntax
/// tree up to their depth limit.
const STACK_BYTES: usize = 256 << 20;

/// Parses and analyses one file. `server` names the server for tool pins.
/// Runs on its own thread with a stack sized for the deepest syntax the
/// front ends follow.
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
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("mcp-source".to_owned())
            .stack_size(STACK_BYTES)
            .spawn_scoped(s, || scan_here(src, language, server, siblings))
            .ok()
            .and_then(|h| h.join().ok())
    })
    .unwrap_or_else(|| {
        let f = Finding::builder(
            &rules::unknown_entry::RULE,
            "the source analysis could not run; the file was not analysed".to_owned(),
        )
        .severity(Severity::Medium)
        .at(Location::default())
        .build();
        SourceReport {
            findings: vec![f],
            tools: ServerTools::default(),
        }
    })
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
        for g in sib.funcs.iter().filter(|g| g.name != "<module>") {
            let mut g = g.clone();
            g.tool = None;
            g.file = Some(file.clone());
            if let Some((called, _)) = imported.iter().find(|(_, member)| *member == g.name) {
                g.name = called.clone();
            } else if module.funcs.iter().any(|f| f.name == g.name) {
                // A helper of the sibling that shares a name here: keep ours.
                continue;
            }
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
        validators: validators(&module),
        propagates: HashMap::new(),
    };
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
    for def in m
        .funcs
        .iter()
        .filter_map(|f| f.tool.as_ref())
        .chain(m.data_tools.iter())
    {
        if def.entry_only || def.name.is_empty() {
            continue;
        }
        if st.tools.iter().any(|t| t.name == def.name) {
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

/// Functions that check their own parameter (containment, allowlist,
/// pattern): a value passed through them comes back validated.
fn validators(m: &Module) -> HashSet<String> {
    let mut out: HashSet<String> = HashSet::new();
    let is = |set: &HashSet<String>, callee: &str| {
        set.contains(callee) || set.contains(callee.rsplit('.').next().unwrap_or(callee))
    };
    // Also a function that hands (something derived from) its parameter to
    // a validator: `validatePath` calling `isPathWithinAllowedDirectories`.
    for _ in 0..4 {
        let mut changed = false;
        for f in &m.funcs {
            if out.contains(&f.name) {
                continue;
            }
            let derived = derived_from_params(f);
            let checks = f.contains_path
                || f.params
                    .iter()
                    .flat_map(|p| p.split(','))
                    .any(|p| f.validated.iter().any(|v| v == p))
                || f.calls.iter().any(|c| {
                    is(&out, &c.callee)
                        && c.args.iter().any(|a| {
                            a.idents
                                .iter()
                                .any(|i| derived.contains(i.as_str()) || derived.contains(root(i)))
                        })
                });
            if checks {
                out.insert(f.name.clone());
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    out
}

/// A function's parameters and the variables assigned from them.
fn derived_from_params(f: &Func) -> HashSet<&str> {
    let mut d: HashSet<&str> = f.params.iter().flat_map(|p| p.split(',')).collect();
    for _ in 0..6 {
        let mut changed = false;
        for a in &f.assigns {
            if a.value
                .idents
                .iter()
                .any(|i| d.contains(i.as_str()) || d.contains(root(i)))
            {
                for t in &a.targets {
                    changed |= d.insert(t.as_str());
                }
            }
        }
        if !changed {
            break;
        }
    }
    d
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
}

/// Tainted variables, each with the tool parameter it came from.
type Taint = HashMap<String, Origin>;

/// Where a tainted value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Origin {
    /// The tool parameter.
    param: String,
    /// The value is a URL whose scheme and host the code fixed.
    fixed_host: bool,
    /// The value starts with `/` (a path): appended to `https://host` it
    /// cannot change the host.
    slash: bool,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.param)
    }
}

/// Whether the outermost call of an expression is a network request:
/// its result is what the remote server sent, not the argument.
fn network_result(callee: &str) -> bool {
    let method = callee.rsplit('.').next().unwrap_or(callee);
    let client = [
        "requests.",
        "httpx.",
        "aiohttp.",
        "axios.",
        "got.",
        "urllib3.",
    ]
    .iter()
    .any(|p| callee.starts_with(p));
    client
        && matches!(
            method,
            "get" | "post" | "put" | "patch" | "delete" | "head" | "request" | "stream"
        )
        || matches!(
            callee,
            "fetch" | "axios" | "got" | "urllib.request.urlopen" | "node-fetch"
        )
}

fn root(i: &str) -> &str {
    i.split(['.', '[']).next().unwrap_or(i)
}

const NETWORK_WORDS: &[&str] = &[
    "http",
    "url",
    "web",
    "internet",
    "online",
    "api",
    "remote",
    "server",
    "upload",
    "send",
    "post",
    "publish",
    "webhook",
    "notify",
    "notification",
    "sync",
    "share",
    "email",
    "mail",
    "slack",
    "cloud",
    "service",
    "endpoint",
    "request",
    "download",
    "fetch",
    "external",
    "report",
    "telemetry",
    "analytics",
    "submit",
];

fn host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit('@').next()?;
    Some(authority.split(':').next()?.to_ascii_lowercase())
}

fn loopback(h: &str) -> bool {
    h == "localhost"
        || h.starts_with("127.")
        || h == "::1"
        || h == "[::1]"
        || h == "0.0.0.0"
        || h.ends_with(".localhost")
        || h.is_empty()
}

/// The external URL literal (or fragment) of a value: `https://x.example/...`.
fn external_url(v: &Val) -> Option<String> {
    v.folded.iter().chain(v.strings.iter()).find_map(|s| {
        let s = s.trim();
        let scheme_ok = ["http://", "https://", "ws://", "wss://"]
            .iter()
            .any(|p| s.to_ascii_lowercase().starts_with(p));
        (scheme_ok && host(s).is_some_and(|h| !loopback(&h))).then(|| s.to_owned())
    })
}

/// The string starts with a scheme and a complete host: `https://api.x.com/`.
fn fixed_host(v: &Val) -> bool {
    v.start().is_some_and(|s| {
        s.split_once("://").is_some_and(|(scheme, rest)| {
            !scheme.is_empty()
                && scheme.bytes().all(|b| b.is_ascii_alphabetic())
                && rest.find(['/', '?', '#']).is_some_and(|i| i > 0)
        })
    })
}

/// The URL's host was checked: a variable parsed from it (`urlparse(url).hostname`,
/// `new URL(u).host`) is validated against an allowlist in the function.
fn host_checked(v: &Val, f: &Func) -> bool {
    let parsed_from: HashSet<&str> = f
        .assigns
        .iter()
        .filter(|a| a.targets.iter().any(|t| f.validated.iter().any(|x| x == t)))
        .filter(|a| {
            a.value.calls.iter().any(|c| {
                matches!(
                    c.rsplit('.').next().unwrap_or(c),
                    "urlparse" | "urlsplit" | "URL" | "URL()" | "parse"
                )
            })
        })
        .flat_map(|a| a.value.idents.iter().map(String::as_str))
        .collect();
    !v.idents.is_empty() && v.idents.iter().any(|i| parsed_from.contains(i.as_str()))
}

/// The string starts with a scheme and a host name, which the rest may extend.
fn host_prefix(v: &Val) -> bool {
    v.start().is_some_and(|s| {
        s.split_once("://")
            .is_some_and(|(scheme, rest)| !scheme.is_empty() && rest.contains('.'))
    })
}

/// The name a host is known by: `notion` of `api.notion.com`.
fn host_label(h: &str) -> String {
    let labels: Vec<&str> = h.split('.').collect();
    if labels.len() >= 2 {
        labels[labels.len() - 2].to_owned()
    } else {
        h.to_owned()
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
        if let Some(i) = self
            .m
            .funcs
            .iter()
            .position(|f| f.file.is_some() && f.name == callee)
        {
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
        self.m.funcs.iter().position(|f| {
            f.name == name
                && f.tool
                    .as_ref()
                    .is_none_or(|t| !t.entry_only || f.name == name)
        })
    }

    fn clean(&self, v: &Val) -> bool {
        v.sanitized
            || v.calls.iter().any(|c| {
                self.validators.contains(c.as_str())
                    || self.validators.contains(c.rsplit('.').next().unwrap_or(c))
            })
    }

    /// The value's tainted identifiers all hold paths (`/...`).
    fn all_slash(&self, v: &Val, t: &Taint, f: &Func) -> bool {
        self.all(v, t, f, |o| o.slash)
    }

    /// The value's tainted identifiers all hold URLs with a fixed host.
    fn all_fixed(&self, v: &Val, t: &Taint, f: &Func) -> bool {
        self.all(v, t, f, |o| o.fixed_host)
    }

    fn all(&self, v: &Val, t: &Taint, f: &Func, test: impl Fn(&Origin) -> bool) -> bool {
        let mut any = false;
        for i in &v.idents {
            if f.validated.iter().any(|x| x == i || x == root(i)) {
                continue;
            }
            if let Some(o) = t.get(i).or_else(|| t.get(root(i))) {
                any = true;
                if !test(o) {
                    return false;
                }
            }
        }
        any
    }

    /// A call result that does not carry its arguments' taint: a network
    /// response, a local function whose result does not depend on its
    /// parameters.
    fn opaque(&self, v: &Val) -> bool {
        v.calls.last().is_some_and(|c| {
            network_result(c)
                || self
                    .func_named(c)
                    .is_some_and(|g| !self.propagates.get(&g).copied().unwrap_or(true))
        })
    }

    /// Identifiers `f` hands to a validator (`validate_repo_path(path, root)`).
    fn checked_by_call(&self, f: &Func, i: &str) -> bool {
        f.calls.iter().any(|c| {
            (self.validators.contains(c.callee.as_str())
                || self
                    .validators
                    .contains(c.callee.rsplit('.').next().unwrap_or(&c.callee)))
                && c.args.iter().any(|a| a.idents.iter().any(|x| x == i))
        })
    }

    fn tainted<'t>(&self, v: &Val, t: &'t Taint, f: &Func) -> Option<&'t Origin> {
        if self.clean(v) {
            return None;
        }
        v.idents.iter().find_map(|i| {
            if f.validated.iter().any(|x| x == i || x == root(i)) || self.checked_by_call(f, i) {
                return None;
            }
            t.get(i).or_else(|| t.get(root(i)))
        })
    }

    /// Which functions return something built from their parameters
    /// (twice, so that a function returning another's result settles).
    fn propagation(&mut self) {
        for _ in 0..2 {
            let mut next = HashMap::new();
            for (gi, g) in self.m.funcs.iter().enumerate() {
                let mut t: HashSet<&str> = g.params.iter().flat_map(|p| p.split(',')).collect();
                for _ in 0..6 {
                    let mut changed = false;
                    for a in &g.assigns {
                        let hit = !self.opaque(&a.value)
                            && a.value
                                .idents
                                .iter()
                                .any(|i| t.contains(i.as_str()) || t.contains(root(i)));
                        if hit {
                            for target in &a.targets {
                                changed |= t.insert(target.as_str());
                            }
                        }
                    }
                    if !changed {
                        break;
                    }
                }
                let returns = g.returns.iter().any(|r| {
                    !self.opaque(r)
                        && r.idents
                            .iter()
                            .any(|i| t.contains(i.as_str()) || t.contains(root(i)))
                });
                next.insert(gi, returns || g.returns.is_empty() && g.tool.is_none());
            }
            self.propagates = next;
        }
    }

    // ---- taint from tool parameters -------------------------------------------

    fn tools(&mut self) {
        for (i, f) in self.m.funcs.iter().enumerate() {
            let Some(def) = &f.tool else { continue };
            let mut t = Taint::new();
            for p in f.params.iter().filter(|p| !f.safe_params.contains(p)) {
                for name in p.split(',') {
                    t.insert(
                        name.to_owned(),
                        Origin {
                            param: name.to_owned(),
                            fixed_host: false,
                            slash: false,
                        },
                    );
                }
            }
            if t.is_empty() {
                continue;
            }
            // A low-level call handler serves every tool the server lists.
            let desc = match &def.description {
                Some(d) => d.clone(),
                None if def.entry_only => self
                    .m
                    .data_tools
                    .iter()
                    .chain(self.m.funcs.iter().filter_map(|g| g.tool.as_ref()))
                    .filter_map(|t| t.description.as_deref())
                    .collect::<Vec<_>>()
                    .join(" "),
                None => String::new(),
            };
            let label = if def.entry_only {
                format!("handler `{}`", f.name)
            } else {
                format!("tool `{}`", def.name)
            };
            let mut visited = HashSet::new();
            self.follow(
                i,
                t,
                &label,
                &desc,
                &def.name,
                vec![f.name.clone()],
                &mut visited,
                0,
            );
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn follow(
        &mut self,
        fi: usize,
        mut t: Taint,
        tool: &str,
        desc: &str,
        tool_name: &str,
        chain: Vec<String>,
        visited: &mut HashSet<(usize, BTreeSet<String>)>,
        depth: u32,
    ) {
        if depth > 12 || !visited.insert((fi, t.keys().cloned().collect())) {
            return;
        }
        let m = self.m;
        let f = &m.funcs[fi];
        let outer_file = std::mem::replace(&mut self.current_file, f.file.clone());
        // Assignments, to a fixed point.
        for _ in 0..8 {
            let mut changed = false;
            for a in &f.assigns {
                if self.opaque(&a.value) {
                    continue;
                }
                if let Some(origin) = self.tainted(&a.value, &t, f).cloned() {
                    let origin = Origin {
                        fixed_host: fixed_host(&a.value) || self.all_fixed(&a.value, &t, f),
                        slash: a.value.start().is_some_and(|p| p.starts_with('/'))
                            || self.all_slash(&a.value, &t, f),
                        ..origin
                    };
                    for target in &a.targets {
                        if !t.contains_key(target) {
                            t.insert(target.clone(), origin.clone());
                            changed = true;
                        }
                    }
                }
            }
            if !changed {
                break;
            }
        }
        let built: HashSet<&str> = f
            .assigns
            .iter()
            .filter(|a| a.value.built)
            .flat_map(|a| a.targets.iter().map(String::as_str))
            .collect();
        let guarded_path = chain
            .iter()
            .any(|n| m.funcs.iter().any(|g| &g.name == n && g.contains_path));
        let via = if chain.len() > 1 {
            format!(" (through {})", chain.join(" → "))
        } else {
            String::new()
        };
        for c in &f.calls {
            if let Some(hit) = sinks::of(c, self.python) {
                self.sink(c, &hit, &t, f, tool, desc, &via, guarded_path, &built);
            }
            if let Some(send) = sinks::send(c, self.python) {
                self.undisclosed_send(c, &send, &t, f, tool, desc, tool_name);
            }
            // Into a function of the same file.
            if let Some(gi) = self.func_named(&c.callee)
                && gi != fi
            {
                let g = &m.funcs[gi];
                let mut gt = Taint::new();
                for (pos, arg) in c.args.iter().enumerate() {
                    if let (Some(origin), Some(param)) =
                        (self.tainted(arg, &t, f), g.params.get(pos))
                    {
                        let origin = Origin {
                            fixed_host: fixed_host(arg) || self.all_fixed(arg, &t, f),
                            slash: arg.start().is_some_and(|p| p.starts_with('/'))
                                || self.all_slash(arg, &t, f),
                            ..origin.clone()
                        };
                        for name in param.split(',') {
                            gt.insert(name.to_owned(), origin.clone());
                        }
                    }
                }
                for (k, arg) in &c.kwargs {
                    if let Some(origin) = self.tainted(arg, &t, f)
                        && g.params.iter().any(|p| p == k)
                    {
                        gt.insert(k.clone(), origin.clone());
                    }
                }
                if !gt.is_empty() {
                    let mut next = chain.clone();
                    next.push(g.name.clone());
                    self.follow(gi, gt, tool, desc, tool_name, next, visited, depth + 1);
                    self.current_file.clone_from(&f.file);
                }
            }
        }
        self.current_file = outer_file;
    }

    #[allow(clippy::too_many_arguments)]
    fn sink(
        &mut self,
        c: &Call,
        hit: &sinks::Hit<'_>,
        t: &Taint,
        f: &Func,
        tool: &str,
        desc: &str,
        via: &str,
        guarded_path: bool,
        built: &HashSet<&str>,
    ) {
        let Some(origin) = hit
            .values
            .iter()
            .find_map(|v| self.tainted(v, t, f))
            .cloned()
        else {
            return;
        };
        let d = desc.to_ascii_lowercase();
        let described = |words: &[&str]| words.iter().any(|w| d.contains(w));
        let at = format!("{tool}.{origin}");
        let callee = &c.callee;
        let line = c.line;
        match hit.kind {
            Kind::Shell => self.report(&rules::command_injection::RULE, None, line, at, format!("{tool}: argument `{origin}` reaches `{callee}` through a shell{via}")),
            Kind::Exec => {
                let program = hit.program.is_some_and(|p| self.tainted(p, t, f).is_some() && p.items.is_none());
                let program_item = hit.program.is_some_and(|p| self.tainted(p, t, f).is_some());
                // `rg -- PATTERN`: after `--` an argument is never an option.
                let after_dashes = hit.values.iter().filter_map(|v| v.items.as_ref()).any(|items| {
                    let dashes = items.iter().position(|i| i.folded.as_deref() == Some("--"));
                    let first_tainted = items.iter().position(|i| self.tainted(i, t, f).is_some());
                    matches!((dashes, first_tainted), (Some(d), Some(ti)) if d < ti)
                });
                if program || program_item {
                    self.report(&rules::command_injection::RULE, Some(Severity::High), line, at, format!("{tool}: argument `{origin}` chooses the program `{callee}` runs{via}"));
                } else if !after_dashes {
                    self.report(&rules::command_injection::RULE, Some(Severity::Medium), line, at, format!("{tool}: argument `{origin}` is passed to the program `{callee}` runs, as an argument (option injection){via}"));
                }
            }
            Kind::Code => self.report(&rules::code_injection::RULE, None, line, at, format!("{tool}: argument `{origin}` reaches `{callee}`{via}")),
            Kind::Path if !guarded_path => {
                let what = if hit.write { "writes, deletes or changes" } else { "reads" };
                self.report(&rules::path_traversal::RULE, None, line, at, format!("{tool}: argument `{origin}` chooses the file `{callee}` {what}, with no containment check{via}"));
            }
            Kind::Path => {}
            // The model picks a path or query on a host the code fixes.
            Kind::Url
                if hit
                    .values
                    .iter()
                    .all(|v| fixed_host(v) || self.all_fixed(v, t, f) || host_prefix(v) && self.all_slash(v, t, f) || host_checked(v, f)) => {}
            Kind::Url if hit.values.iter().all(|v| host_prefix(v)) => {
                self.report(&rules::ssrf::RULE, Some(Severity::Medium), line, at, format!("{tool}: argument `{origin}` is appended to the host of the URL `{callee}` requests: unless it starts with `/`, it can change the host{via}"));
            }
            Kind::Url => {
                let sev = described(&["url", "fetch", "http", "web", "internet", "download", "link", "page"]).then_some(Severity::Medium);
                let why = if sev.is_some() { ", as its description says, with no host allowlist" } else { " with no host allowlist" };
                self.report(&rules::ssrf::RULE, sev, line, at, format!("{tool}: argument `{origin}` chooses the URL `{callee}` requests{why}{via}"));
            }
            Kind::Deserialize => self.report(&rules::unsafe_deserialization::RULE, None, line, at, format!("{tool}: argument `{origin}` reaches `{callee}`, which runs code while loading{via}")),
            Kind::Sql => {
                let v = hit.values.first();
                let interpolated = v.is_some_and(|v| v.built || v.idents.iter().any(|i| built.contains(i.as_str())));
                if interpolated {
                    self.report(&rules::sql_injection::RULE, None, line, at, format!("{tool}: argument `{origin}` is built into the SQL text `{callee}` runs{via}"));
                } else {
                    let sev = if described(&["sql", "query", "database"]) { Severity::Low } else { Severity::Medium };
                    self.report(&rules::sql_injection::RULE, Some(sev), line, at, format!("{tool}: `{callee}` runs SQL that argument `{origin}` writes{via}"));
                }
            }
            Kind::Template => self.report(&rules::template_injection::RULE, None, line, at, format!("{tool}: argument `{origin}` is rendered as template source by `{callee}`{via}")),
        }
    }

    /// A tool that posts to a fixed endpoint its description does not name.
    #[allow(clippy::too_many_arguments)]
    fn undisclosed_send(
        &mut self,
        c: &Call,
        send: &sinks::Send<'_>,
        t: &Taint,
        f: &Func,
        tool: &str,
        desc: &str,
        tool_name: &str,
    ) {
        let Some(url) = send.url.and_then(external_url) else {
            return;
        };
        let sends_args = send.payload.iter().any(|v| self.tainted(v, t, f).is_some())
            || send.url.is_some_and(|u| self.tainted(u, t, f).is_some());
        if !send.posts && !sends_args {
            return;
        }
        let h = host(&url).unwrap_or_default();
        let d = format!("{desc} {tool_name}").to_ascii_lowercase();
        let disclosed = NETWORK_WORDS.iter().any(|w| d.contains(w)) || d.contains(&host_label(&h));
        if disclosed {
            return;
        }
        self.report(
            &rules::description_mismatch::RULE,
            None,
            c.line,
            tool.to_owned(),
            format!(
                "{tool} sends data to {h} (`{}`), which its description does not mention",
                c.callee
            ),
        );
    }

    /// Tools whose description is computed at run time.
    fn unresolved(&mut self) {
        let m = self.m;
        for def in m
            .funcs
            .iter()
            .filter_map(|f| f.tool.as_ref())
            .chain(m.data_tools.iter())
        {
            if def.unresolved {
                self.report(
                    &rules::tool_unresolved::RULE,
                    None,
                    def.line,
                    format!("tools[{}]", def.name),
                    format!("tool `{}` gets its description from an expression, not a literal: what the model reads is decided at run time", def.name),
                );
            }
        }
    }

    // ---- behaviour no argument asks for ---------------------------------------------

    fn behaviour(&mut self) {
        let m = self.m;
        for f in &m.funcs {
            self.current_file.clone_from(&f.file);
            let data = local_data(f);
            let place = match &f.tool {
                Some(d) => format!("tool `{}`", d.name),
                None if f.name == "<module>" => "module-level code".to_owned(),
                None => format!("function `{}`", f.name),
            };
            for c in &f.calls {
                self.call_behaviour(c, f, &data, &place);
            }
            for a in &f.assigns {
                for target in &a.targets {
                    if let Some(why) = sabotage_target(target, &a.value) {
                        self.report(
                            &rules::sabotage::RULE,
                            None,
                            a.line,
                            place.clone(),
                            format!("{place} {why}"),
                        );
                    }
                }
            }
        }
        self.current_file = None;
    }

    fn call_behaviour(
        &mut self,
        c: &Call,
        f: &Func,
        data: &HashMap<String, &'static str>,
        place: &str,
    ) {
        let method = c.method();
        let registration = matches!(
            method,
            "tool"
                | "registerTool"
                | "addTool"
                | "prompt"
                | "resource"
                | "describe"
                | "Field"
                | "Tool"
                | "print"
                | "info"
                | "debug"
                | "warning"
                | "error"
                | "log"
                | "warn"
        );
        let vals: Vec<&Val> = c
            .args
            .iter()
            .chain(
                c.kwargs
                    .iter()
                    .filter(|(k, _)| k != "description")
                    .map(|(_, v)| v),
            )
            .chain(c.receiver.iter())
            .collect();
        let texts: Vec<&str> = vals
            .iter()
            .flat_map(|v| v.folded.iter().chain(v.strings.iter()))
            .map(String::as_str)
            .collect();
        let hit = sinks::of(c, self.python);
        // Credential paths.
        if !registration && let Some(p) = texts.iter().find_map(|t| paths::credential(t)) {
            let key = [
                "id_",
                "credentials",
                ".env",
                "npmrc",
                "pypirc",
                "git-credentials",
                "netrc",
                "login data",
                "cookies",
                "key3",
                "key4",
                "logins.json",
                "wallet",
                "shadow",
                "gnupg",
                "mcp.json",
                "claude_desktop",
                "mcp_config",
                "history",
            ]
            .iter()
            .any(|k| p.to_ascii_lowercase().contains(k));
            let sev = (!key).then_some(Severity::Medium);
            self.report(
                &rules::credential_access::RULE,
                sev,
                c.line,
                place.to_owned(),
                format!("{place} names the credential path `{p}` in `{}`", c.callee),
            );
        }
        // Persistence: written start-up places.
        let writes = hit
            .as_ref()
            .is_some_and(|h| h.write || matches!(h.kind, Kind::Shell | Kind::Exec))
            || matches!(
                method,
                "write"
                    | "writelines"
                    | "appendFile"
                    | "appendFileSync"
                    | "writeFile"
                    | "writeFileSync"
            );
        if writes && let Some(p) = texts.iter().find_map(|t| paths::persistence(t)) {
            self.report(
                &rules::persistence::RULE,
                None,
                c.line,
                place.to_owned(),
                format!(
                    "{place} writes `{p}` through `{}`: code that runs again later",
                    c.callee
                ),
            );
        }
        if let Some(h) = &hit {
            // Literal command lines.
            if matches!(h.kind, Kind::Shell | Kind::Exec) {
                let line = h
                    .values
                    .iter()
                    .map(|v| {
                        v.folded.clone().unwrap_or_else(|| {
                            v.items
                                .as_ref()
                                .map(|i| {
                                    i.iter()
                                        .filter_map(|x| x.folded.clone())
                                        .collect::<Vec<_>>()
                                        .join(" ")
                                })
                                .unwrap_or_default()
                        })
                    })
                    .collect::<Vec<_>>()
                    .join(" ");
                if shell::reverse_shell(&line)
                    || shell::destroys(&line)
                    || line.contains("pkill")
                    || line.contains("killall")
                    || line.contains("kill -9")
                {
                    self.report(
                        &rules::sabotage::RULE,
                        None,
                        c.line,
                        place.to_owned(),
                        format!("{place} runs `{}`", clip(&line)),
                    );
                } else if shell::downloads_and_runs(&line) {
                    self.report(
                        &rules::obfuscated_code::RULE,
                        None,
                        c.line,
                        place.to_owned(),
                        format!("{place} downloads code and runs it: `{}`", clip(&line)),
                    );
                }
                if let Some(p) = paths::credential(&line) {
                    self.report(
                        &rules::credential_access::RULE,
                        None,
                        c.line,
                        place.to_owned(),
                        format!("{place} runs a command on the credential path `{p}`"),
                    );
                }
                // `curl -d <local data> https://fixed.example`: a network
                // client run as a program, fed local data.
                let uploader = [
                    "curl",
                    "wget",
                    "nc",
                    "ncat",
                    "scp",
                    "invoke-webrequest",
                    "invoke-restmethod",
                ]
                .iter()
                .any(|t| line.split_whitespace().any(|w| shell::program(w) == *t));
                let destination = h.values.iter().find_map(|v| {
                    external_url(v).or_else(|| {
                        v.items
                            .as_ref()
                            .and_then(|i| i.iter().find_map(external_url))
                    })
                });
                if uploader && let Some(url) = destination {
                    let parts: Vec<&Val> = h
                        .values
                        .iter()
                        .flat_map(|v| {
                            std::iter::once(*v).chain(v.items.iter().flat_map(|i| i.iter()))
                        })
                        .collect();
                    let leaked = parts.iter().find_map(|v| {
                        v.idents
                            .iter()
                            .find_map(|i| data.get(i.as_str()).copied().or_else(|| env_whole(i)))
                            .or_else(|| v.calls.iter().find_map(|k| data_call(k)))
                    });
                    let leaked =
                        leaked.or_else(|| paths::credential(&line).map(|_| "a credential file"));
                    if let Some(what) = leaked {
                        let host = host(&url).unwrap_or_default();
                        self.report(
                            &rules::exfiltration::RULE,
                            None,
                            c.line,
                            place.to_owned(),
                            format!("{place} uploads {what} to {host} with `{}`", c.callee),
                        );
                    }
                }
            }
            let decoded = h.values.iter().any(|v| v.decoded);
            if decoded && matches!(h.kind, Kind::Shell | Kind::Exec | Kind::Code) {
                let shown = h
                    .values
                    .iter()
                    .find_map(|v| v.folded.clone())
                    .unwrap_or_default();
                self.report(
                    &rules::obfuscated_code::RULE,
                    None,
                    c.line,
                    place.to_owned(),
                    format!(
                        "{place} runs a decoded payload through `{}`: `{}`",
                        c.callee,
                        clip(&shown)
                    ),
                );
            } else if h.kind == Kind::Code && h.values.iter().any(|v| fetched(v)) {
                self.report(
                    &rules::obfuscated_code::RULE,
                    None,
                    c.line,
                    place.to_owned(),
                    format!(
                        "{place} runs code it downloads or reads at run time with `{}`",
                        c.callee
                    ),
                );
            } else if h.kind == Kind::Code
                && !matches!(
                    c.callee.as_str(),
                    "__import__" | "importlib.import_module" | "compile"
                )
                && !self.seen.contains(&(
                    rules::code_injection::RULE.code,
                    c.line,
                    self.current_file.clone(),
                ))
            {
                let literal = h.values.iter().all(|v| v.folded.is_some() && !v.decoded);
                if !literal
                    && !h.values.is_empty()
                    && h.values.iter().all(|v| {
                        v.idents
                            .iter()
                            .all(|i| !f.params.iter().any(|p| p.split(',').any(|x| x == i)))
                    })
                {
                    self.report(
                        &rules::obfuscated_code::RULE,
                        Some(Severity::Medium),
                        c.line,
                        place.to_owned(),
                        format!(
                            "{place} evaluates code computed at run time with `{}`",
                            c.callee
                        ),
                    );
                }
            }
            if h.kind == Kind::Shell
                && let Some(p) = texts.iter().find_map(|t| {
                    if t.contains("crontab") {
                        Some("crontab")
                    } else {
                        None
                    }
                })
            {
                self.report(
                    &rules::persistence::RULE,
                    None,
                    c.line,
                    place.to_owned(),
                    format!("{place} edits the {p}"),
                );
            }
            // Deleting the home folder or the root.
            if h.kind == Kind::Path
                && h.write
                && h.values.iter().any(|v| {
                    v.folded.as_deref().is_some_and(|s| {
                        matches!(
                            s.trim_end_matches('/'),
                            "~" | "" | "/" | "/home" | "/Users" | "C:"
                        )
                    })
                })
            {
                self.report(
                    &rules::sabotage::RULE,
                    None,
                    c.line,
                    place.to_owned(),
                    format!(
                        "{place} deletes or changes the home folder or the disk root with `{}`",
                        c.callee
                    ),
                );
            }
        }
        if matches!(
            c.callee.as_str(),
            "os.kill" | "os.killpg" | "process.kill" | "signal.pthread_kill"
        ) && c.args.first().is_some_and(|a| a.folded.is_none())
            && c.args.first().is_some_and(|a| {
                !a.idents
                    .iter()
                    .any(|i| i.contains("getpid") || i == "pid" || i.contains("proc"))
            })
        {
            self.report(
                &rules::sabotage::RULE,
                Some(Severity::Medium),
                c.line,
                place.to_owned(),
                format!("{place} kills a process it did not start (`{}`)", c.callee),
            );
        }
        // Local data to an endpoint fixed in the code.
        if let Some(send) = sinks::send(c, self.python)
            && let Some(url) = send.url.and_then(external_url)
        {
            let payload: Vec<&Val> = send
                .payload
                .iter()
                .copied()
                .chain(send.url.iter().copied().filter(|u| u.folded.is_none()))
                .collect();
            let leaked = payload.iter().find_map(|v| {
                v.idents
                    .iter()
                    .find_map(|i| data.get(i.as_str()).copied().or_else(|| env_whole(i)))
                    .or_else(|| v.calls.iter().find_map(|k| data_call(k)))
                    .or_else(|| {
                        v.folded
                            .iter()
                            .chain(v.strings.iter())
                            .find_map(|s| paths::credential(s).map(|_| "a credential file"))
                    })
            });
            if let Some(what) = leaked {
                let h = host(&url).unwrap_or_default();
                self.report(
                    &rules::exfiltration::RULE,
                    None,
                    c.line,
                    place.to_owned(),
                    format!(
                        "{place} sends {what} to {h} (`{}`), an address written in the code",
                        c.callee
                    ),
                );
            }
        }
    }

    fn secrets(&mut self, src: &str) {
        let m = self.m;
        let mut found: Vec<(u32, String)> = Vec::new();
        for f in &m.funcs {
            for a in &f.assigns {
                if let Some(v) = &a.value.folded
                    && let Some(s) = secrets::find(a.targets.first().map(String::as_str), v)
                {
                    found.push((
                        a.line,
                        format!(
                            "{} written in the source as `{}` ({})",
                            s.kind,
                            a.targets.first().cloned().unwrap_or_default(),
                            s.preview
                        ),
                    ));
                }
            }
        }
        // Shapes anywhere (headers, dict literals, call arguments).
        for (n, l) in src.lines().enumerate() {
            if l.len() > 4096 {
                continue;
            }
            let line = u32::try_from(n + 1).unwrap_or(u32::MAX);
            if let Some(s) = secrets::find(None, l)
                && !found.iter().any(|(fl, _)| *fl == line)
            {
                found.push((
                    line,
                    format!("{} written in the source ({})", s.kind, s.preview),
                ));
            }
        }
        for (line, msg) in found {
            self.report(
                &rules::config_secret::RULE,
                None,
                line,
                "source".to_owned(),
                msg,
            );
        }
    }
}

fn clip(s: &str) -> String {
    if s.chars().count() > 120 {
        format!("{}…", s.chars().take(120).collect::<String>())
    } else {
        s.to_owned()
    }
}

/// Reading the whole environment.
fn env_whole(i: &str) -> Option<&'static str> {
    matches!(i, "os.environ" | "process.env").then_some("the environment variables")
}

/// Calls whose result is local data worth stealing.
fn data_call(callee: &str) -> Option<&'static str> {
    let method = callee.rsplit('.').next().unwrap_or(callee);
    match method {
        "read" | "read_text" | "read_bytes" | "readFile" | "readFileSync" | "readlines" => {
            Some("file contents")
        }
        "getoutput" | "check_output" | "execSync" => Some("command output"),
        "copy" | "items" | "keys" if callee.contains("environ") => {
            Some("the environment variables")
        }
        "stringify" | "entries" if callee.contains("process.env") => {
            Some("the environment variables")
        }
        "getpass" | "getuser" => Some("the user name or password"),
        _ => None,
    }
}

/// Variables of `f` that hold local data: file contents, the environment,
/// command output (to a fixed point).
fn local_data(f: &Func) -> HashMap<String, &'static str> {
    let mut data: HashMap<String, &'static str> = HashMap::new();
    for _ in 0..6 {
        let mut changed = false;
        for a in &f.assigns {
            let v = &a.value;
            let what = v
                .calls
                .iter()
                .find_map(|c| data_call(c))
                .or_else(|| {
                    v.idents
                        .iter()
                        .find_map(|i| env_whole(i).or_else(|| data.get(i.as_str()).copied()))
                })
                .or_else(|| secret_env(v));
            if let Some(w) = what {
                for t in &a.targets {
                    if !data.contains_key(t) {
                        data.insert(t.clone(), w);
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
    data
}

/// One environment variable named like a secret (`AWS_SECRET_ACCESS_KEY`,
/// `GITHUB_TOKEN`): others (`SLACK_TEAM_ID`, `HOME`) are configuration.
fn secret_env(v: &Val) -> Option<&'static str> {
    let env = v
        .idents
        .iter()
        .any(|i| i.starts_with("os.environ") || i.starts_with("process.env"))
        || v.calls
            .iter()
            .any(|c| matches!(c.as_str(), "os.getenv" | "os.environ.get"));
    if !env {
        return None;
    }
    let secretish = |name: &str| {
        let u = name.to_ascii_uppercase();
        [
            "TOKEN",
            "SECRET",
            "PASSWORD",
            "PASSWD",
            "API_KEY",
            "APIKEY",
            "ACCESS_KEY",
            "PRIVATE_KEY",
            "CREDENTIAL",
        ]
        .iter()
        .any(|k| u.contains(k))
    };
    let named = v
        .idents
        .iter()
        .filter_map(|i| i.strip_prefix("process.env."))
        .any(secretish)
        || v.strings.iter().any(|s| s.len() < 64 && secretish(s));
    named.then_some("secret environment variables")
}

/// Assignments that change the whole process: `sys.modules[...] =`,
/// builtins, `PATH`, TLS verification.
fn sabotage_target(target: &str, value: &Val) -> Option<String> {
    let t = target.replace(' ', "");
    if t.starts_with("sys.modules[") || t.starts_with("builtins.") || t.starts_with("__builtins__")
    {
        return Some(format!("replaces `{t}` for the whole process"));
    }
    if t.starts_with("ssl._create_default_https_context")
        || t == "process.env.NODE_TLS_REJECT_UNAUTHORIZED"
    {
        return Some("turns off TLS certificate checks for the whole process".to_owned());
    }
    let env_var = t
        .strip_prefix("os.environ[")
        .map(|r| r.trim_end_matches(']').trim_matches(['"', '\'']))
        .or_else(|| t.strip_prefix("process.env."));
    if let Some(var) = env_var
        && matches!(
            var,
            "PATH"
                | "LD_PRELOAD"
                | "PYTHONPATH"
                | "NODE_OPTIONS"
                | "DYLD_INSERT_LIBRARIES"
                | "PYTHONSTARTUP"
                | "BASH_ENV"
        )
    {
        let _ = value;
        return Some(format!("rewrites `{var}` for every program it starts"));
    }
    None
}

/// A value read from the network or a file at run time.
fn fetched(v: &Val) -> bool {
    v.calls.iter().any(|k| {
        matches!(
            k.rsplit('.').next().unwrap_or(k),
            "urlopen" | "fetch" | "read" | "text" | "readFileSync" | "readFile" | "read_text"
        ) || k.starts_with("requests.")
            || k.starts_with("httpx.")
    })
}
