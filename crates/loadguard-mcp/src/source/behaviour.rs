//! What server code does that no tool argument asks for: local data sent
//! to fixed endpoints, credential reads, persistence, sabotage, decoded
//! payloads, descriptions computed at run time, hard-coded secrets.

use std::collections::HashMap;

use loadguard_core::Severity;

use super::Analysis;
use super::ir::{Call, Func, Val};
use super::sinks::{self, Kind};
use super::taint::{external_url, host};
use crate::{paths, rules, secrets, shell};

impl Analysis<'_> {
    /// Tools whose description is computed at run time.
    pub(super) fn unresolved(&mut self) {
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

    pub(super) fn behaviour(&mut self) {
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
                        format!("{place} runs `{}`", shell::clip(&line, 120)),
                    );
                } else if shell::downloads_and_runs(&line) {
                    self.report(
                        &rules::obfuscated_code::RULE,
                        None,
                        c.line,
                        place.to_owned(),
                        format!(
                            "{place} downloads code and runs it: `{}`",
                            shell::clip(&line, 120)
                        ),
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
                    let leaked = parts
                        .iter()
                        .find_map(|v| local_data_in(v, data))
                        .or_else(|| paths::credential(&line).map(|_| "a credential file"));
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
                        shell::clip(&shown, 120)
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
            let leaked = payload.iter().find_map(|v| local_data_in(v, data));
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

    pub(super) fn secrets(&mut self, src: &str) {
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

/// What local data a value carries: a variable holding some, the whole
/// environment, a read, a credential path.
fn local_data_in(v: &Val, data: &HashMap<String, &'static str>) -> Option<&'static str> {
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
