//! Taint from tool parameters: which functions validate, which results
//! carry their arguments, and the walk from each tool into the sinks.

use std::collections::{BTreeSet, HashMap, HashSet};

use loadguard_core::Severity;

use super::Analysis;
use super::ir::{Call, Func, Module, Val};
use super::sinks::{self, Kind};
use crate::rules;

/// Functions that check their own parameter (containment, allowlist,
/// pattern): a value passed through them comes back validated.
pub(super) fn validators(m: &Module) -> HashSet<String> {
    let mut out: HashSet<String> = HashSet::new();
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
                    names_validator(&out, &c.callee)
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

/// Whether `callee` calls one of `validators`, by its full name (an
/// imported `utils.check`) or its last segment (`self.check`).
fn names_validator(validators: &HashSet<String>, callee: &str) -> bool {
    validators.contains(callee) || validators.contains(callee.rsplit('.').next().unwrap_or(callee))
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

pub(super) fn host(url: &str) -> Option<String> {
    crate::config::host_of(url).map(|(_, h)| h.to_ascii_lowercase())
}

/// Loopback, or no real destination: the unspecified address, no host.
fn loopback(h: &str) -> bool {
    crate::config::is_loopback(h) || h == "0.0.0.0" || h.is_empty()
}

/// The external URL literal (or fragment) of a value: `https://x.example/...`.
pub(super) fn external_url(v: &Val) -> Option<String> {
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
    fn clean(&self, v: &Val) -> bool {
        v.sanitized || v.calls.iter().any(|c| names_validator(&self.validators, c))
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
        self.checked
            .get(&std::ptr::from_ref(f).addr())
            .is_some_and(|set| set.contains(i))
    }

    /// Per function (by address), the identifiers it hands to validators;
    /// computed once, after the validators are known.
    pub(super) fn index_checked(&mut self) {
        let m = self.m;
        for f in &m.funcs {
            let set: HashSet<String> = f
                .calls
                .iter()
                .filter(|c| names_validator(&self.validators, &c.callee))
                .flat_map(|c| c.args.iter().flat_map(|a| a.idents.iter().cloned()))
                .collect();
            if !set.is_empty() {
                self.checked.insert(std::ptr::from_ref(f).addr(), set);
            }
        }
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
    pub(super) fn propagation(&mut self) {
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

    pub(super) fn tools(&mut self) {
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
            .any(|n| self.names.guard_paths.contains(n.as_str()));
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
}
