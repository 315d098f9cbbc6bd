//! MCP client configs: every client's shape read into one list of servers,
//! then each server checked for what starting it does.

use serde_json::{Map, Value};

use loadguard_core::{Finding, Location, Rule, Severity};

use crate::document::{Positions, as_arg};
use crate::{rules, secrets, shell};

/// One server entry, whatever the client's shape.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Server {
    /// Where the entry is: `mcpServers.github`, `projects./home/me/x.mcpServers.db`.
    pub key: String,
    pub name: String,
    /// The program and its arguments, for a local (stdio) server.
    pub argv: Vec<String>,
    pub env: Vec<(String, String)>,
    pub url: Option<String>,
    pub headers: Vec<(String, String)>,
    pub cwd: Option<String>,
    /// Whether the entry carries an auth setting other than headers.
    pub auth: bool,
}

/// The servers of a config and the entries that could not be read.
#[derive(Debug, Default)]
pub struct Config {
    pub servers: Vec<Server>,
    pub unknown: Vec<String>,
}

/// Keys whose value maps server names to entries, by client.
const SERVER_MAPS: &[&str] = &[
    "mcpServers",  // Claude, Cursor, Windsurf, Gemini, Kiro, Cline, Roo, Amazon Q, LM Studio
    "servers",     // VS Code mcp.json
    "mcp_servers", // Codex config.toml
    "context_servers", // Zed settings.json
    "mcp",         // opencode
    "extensions",  // Goose config.yaml
];

fn looks_like_entry(v: &Value) -> bool {
    v.as_object().is_some_and(|o| {
        [
            "command",
            "cmd",
            "url",
            "serverUrl",
            "httpUrl",
            "uri",
            "args",
            "type",
            "transport",
        ]
        .iter()
        .any(|k| o.contains_key(*k))
    })
}

/// The servers of `root`, or `None` when it is not an MCP config.
pub fn servers(root: &Value) -> Option<Config> {
    let mut config = Config::default();
    let mut any = false;
    collect(root, "", &mut config, &mut any);
    // Claude Code keeps per-project servers in ~/.claude.json.
    if let Some(projects) = root.get("projects").and_then(Value::as_object) {
        for (dir, p) in projects {
            collect(p, &format!("projects.{dir}."), &mut config, &mut any);
        }
    }
    // VS Code settings.json: "mcp": {"servers": {...}}
    if let Some(mcp) = root.get("mcp").filter(|m| m.get("servers").is_some()) {
        collect(mcp, "mcp.", &mut config, &mut any);
    }
    any.then_some(config)
}

fn collect(obj: &Value, prefix: &str, config: &mut Config, any: &mut bool) {
    for key in SERVER_MAPS {
        let Some(map) = obj.get(*key) else { continue };
        let entries: Vec<(String, &Value)> = match map {
            Value::Object(m) => m.iter().map(|(k, v)| (k.clone(), v)).collect(),
            // Continue: a list of entries with a `name`.
            Value::Array(a) if *key == "mcpServers" => a
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let name = v
                        .get("name")
                        .and_then(Value::as_str)
                        .map_or_else(|| i.to_string(), str::to_owned);
                    (name, v)
                })
                .collect(),
            _ => continue,
        };
        // Generic keys count only when their entries look like servers.
        let specific = matches!(*key, "mcpServers" | "mcp_servers" | "context_servers");
        if !specific && !entries.iter().any(|(_, v)| looks_like_entry(v)) {
            continue;
        }
        *any = true;
        for (name, entry) in entries {
            let at = format!("{prefix}{key}.{name}");
            match server(&name, &at, entry) {
                Some(s) => config.servers.push(s),
                None => config.unknown.push(at),
            }
        }
    }
}

fn string_list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a.iter().map(as_arg).collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn pairs(v: Option<&Value>) -> Vec<(String, String)> {
    match v {
        Some(Value::Object(m)) => m.iter().map(|(k, v)| (k.clone(), as_arg(v))).collect(),
        // Goose and Continue also accept a list of KEY=VALUE strings.
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(|s| {
                let (k, v) = s.split_once('=').unwrap_or((s, ""));
                (k.to_owned(), v.to_owned())
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn server(name: &str, key: &str, entry: &Value) -> Option<Server> {
    let o: &Map<String, Value> = entry.as_object()?;
    let mut s = Server {
        key: key.to_owned(),
        name: name.to_owned(),
        ..Server::default()
    };
    // command: a string (most), an array (opencode), an object (Zed).
    match o.get("command").or_else(|| o.get("cmd")) {
        Some(Value::String(c)) => s.argv.push(c.clone()),
        Some(Value::Array(a)) => s.argv.extend(a.iter().map(as_arg)),
        Some(Value::Object(c)) => {
            if let Some(p) = c.get("path").and_then(Value::as_str) {
                s.argv.push(p.to_owned());
            }
            s.argv.extend(string_list(c.get("args")));
            s.env.extend(pairs(c.get("env")));
        }
        _ => {}
    }
    if !s.argv.is_empty() {
        s.argv.extend(string_list(o.get("args")));
    }
    for k in ["env", "environment", "envs"] {
        s.env.extend(pairs(o.get(k)));
    }
    s.url = ["url", "serverUrl", "httpUrl", "uri"]
        .iter()
        .find_map(|k| o.get(*k).and_then(Value::as_str))
        .map(str::to_owned);
    for k in ["headers", "http_headers"] {
        s.headers.extend(pairs(o.get(k)));
    }
    if let Some(h) = o.get("requestInit").and_then(|r| r.get("headers")) {
        s.headers.extend(pairs(Some(h)));
    }
    s.cwd = o.get("cwd").and_then(Value::as_str).map(str::to_owned);
    s.auth = [
        "oauth",
        "auth",
        "bearer_token",
        "bearer_token_env_var",
        "env_http_headers",
        "authProviderType",
    ]
    .iter()
    .any(|k| o.contains_key(*k));
    let builtin = o.get("type").and_then(Value::as_str) == Some("builtin")
        || o.get("source").and_then(Value::as_str) == Some("extension")
        || o.get("settings").is_some() && s.argv.is_empty() && s.url.is_none();
    if s.argv.is_empty() && s.url.is_none() && !builtin {
        return None;
    }
    Some(s)
}

/// Scans a config: every server's launch line, environment and remote.
pub fn scan(text: &str, root: &Value) -> Vec<Finding> {
    let Some(config) = servers(root) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let positions = Positions::new(text);
    if root.get(crate::document::YAML_TRUNCATED).is_some() {
        out.push(
            Finding::builder(
                &rules::unknown_entry::RULE,
                format!(
                    "YAML aliases expand past {} nodes (an alias bomb?): the rest was not expanded or checked",
                    crate::document::MAX_YAML_NODES
                ),
            )
            .severity(Severity::Medium)
            .at(Location::default().with_logical("yaml aliases"))
            .build(),
        );
    }
    for key in &config.unknown {
        let leaf = key.rsplit('.').next().unwrap_or(key);
        let (line, column, _) = positions.find(&format!("\"{leaf}\""), 0);
        out.push(
            Finding::builder(
                &rules::unknown_entry::RULE,
                format!("server entry `{key}` names neither a command nor a URL in any shape loadguard knows; it was not checked"),
            )
            .at(Location::default().with_logical(key.clone()).with_line_column(line, column))
            .build(),
        );
    }
    // Servers come in the order they are written (serde_json keeps it: the
    // workspace builds it with `preserve_order`): each is looked for after
    // the one before, from the start when it is not there.
    let mut after = 0;
    for s in &config.servers {
        after = check(&positions, after, s, &mut out);
    }
    out
}

pub(crate) struct Reporter<'a> {
    positions: &'a Positions<'a>,
    server: &'a Server,
    at: usize,
    out: &'a mut Vec<Finding>,
}

impl Reporter<'_> {
    pub(crate) fn report(
        &mut self,
        rule: &'static Rule,
        severity: Option<Severity>,
        field: &str,
        needle: &str,
        message: String,
    ) {
        let (line, column, _) = self.positions.find(needle, self.at);
        let mut b = Finding::builder(rule, format!("server `{}`: {message}", self.server.name));
        if let Some(sev) = severity {
            b = b.severity(sev);
        }
        let logical = if field.is_empty() {
            self.server.key.clone()
        } else {
            format!("{}.{field}", self.server.key)
        };
        self.out.push(
            b.at(Location::default()
                .with_logical(logical)
                .with_line_column(line, column))
                .build(),
        );
    }
}

/// Checks one server, found in the text at or after `after`; returns
/// where it was found.
fn check(positions: &Positions<'_>, after: usize, s: &Server, out: &mut Vec<Finding>) -> usize {
    let (_, _, mut at) = positions.find(&s.name, after);
    if at == 0 && after > 0 {
        at = positions.find(&s.name, 0).2;
    }
    let mut r = Reporter {
        positions,
        server: s,
        at,
        out,
    };
    secrets_of(s, &mut r);
    if let Some(url) = &s.url {
        remote(s, url, &mut r);
    }
    if !s.argv.is_empty() {
        launch(s, &mut r);
    }
    at
}

fn secrets_of(s: &Server, r: &mut Reporter<'_>) {
    let fields = s
        .env
        .iter()
        .map(|(k, v)| ("env", Some(k.as_str()), v.as_str()))
        .chain(
            s.headers
                .iter()
                .map(|(k, v)| ("headers", Some(k.as_str()), v.as_str())),
        )
        .chain(s.argv.iter().skip(1).map(|a| ("args", None, a.as_str())))
        .chain(s.url.iter().map(|u| ("url", None, u.as_str())));
    let mut found = Vec::new();
    for (field, name, value) in fields {
        // `--api-key=...` carries its own name.
        let (name, value) = match (name, value.split_once('=')) {
            (None, Some((k, v))) if k.starts_with('-') => (Some(k), v),
            _ => (name, value),
        };
        if let Some(secret) = secrets::find(name, value) {
            found.push((field, name.unwrap_or(field).to_owned(), secret));
        }
    }
    for (field, name, secret) in found {
        r.report(
            &rules::config_secret::RULE,
            None,
            &format!("{field}.{name}"),
            &name,
            format!(
                "{} written in clear in `{name}` ({})",
                secret.kind, secret.preview
            ),
        );
    }
}

/// The loopback interface, by name or address (brackets allowed).
pub(crate) fn is_loopback(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h == "localhost" || h.ends_with(".localhost") || h == "::1" || h.starts_with("127.")
}

/// Scheme and host of a URL (an IPv6 host keeps its brackets).
pub(crate) fn host_of(url: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit('@').next()?;
    let host = match authority.find(']') {
        Some(end) if authority.starts_with('[') => &authority[..=end],
        _ => authority.split(':').next()?,
    };
    Some((scheme, host))
}

fn remote(s: &Server, url: &str, r: &mut Reporter<'_>) {
    let Some((scheme, host)) = host_of(url) else {
        return;
    };
    if is_loopback(host) {
        return;
    }
    if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("ws") {
        r.report(
            &rules::insecure_remote::RULE,
            None,
            "url",
            url,
            format!("remote server on plain {scheme}:// at {host}: anyone on the path can rewrite its tool descriptions and results"),
        );
        return;
    }
    let authed = s.auth
        || s.headers.iter().any(|(k, _)| {
            let k = k.to_ascii_lowercase();
            k.contains("auth") || k.contains("key") || k.contains("token")
        })
        || url.contains("token=")
        || url.contains("key=");
    if !authed {
        r.report(
            &rules::insecure_remote::RULE,
            Some(Severity::Low),
            "url",
            url,
            format!("remote server at {host} with no authentication header in the config (the client may still use OAuth)"),
        );
    }
}

fn launch(s: &Server, r: &mut Reporter<'_>) {
    let argv = &s.argv;
    // A whole command line written into `command`.
    let line = argv.join(" ");
    let prog = shell::program(&argv[0]);
    let script = shell::inline_script(argv).or_else(|| {
        (argv.len() == 1 && argv[0].contains(' ') && argv[0].contains(['|', ';', '&', '$', '`']))
            .then(|| ("shell", argv[0].clone()))
    });
    // A script that downloads and runs code is reported as that; any other
    // script as a shell wrapper; a plain launch line only when it downloads.
    let (how, text) = script.as_ref().map_or(("", &line), |(how, s)| (*how, s));
    if shell::downloads_and_runs(text) {
        r.report(
            &rules::download_and_run::RULE,
            None,
            "command",
            &argv[0],
            format!(
                "the launch line downloads code and runs it: `{}`",
                shell::clip(text, 160)
            ),
        );
    } else if script.is_some() {
        r.report(
            &rules::shell_wrapper::RULE,
            None,
            "command",
            &argv[0],
            format!("started through {how}: `{}`", shell::clip(text, 160)),
        );
    }
    crate::launch::packages(s, &prog, r);
    broad_grants(s, r);
    untrusted_paths(s, r);
}

fn broad_grants(s: &Server, r: &mut Reporter<'_>) {
    let container = matches!(shell::program(&s.argv[0]).as_str(), "docker" | "podman");
    if container {
        return; // mounts are the container rule's
    }
    for a in s.argv.iter().skip(1) {
        let t = a.trim();
        let norm = if t.len() > 1 {
            t.trim_end_matches(['/', '\\'])
        } else {
            t
        };
        let broad = matches!(
            norm.to_ascii_lowercase().as_str(),
            "/" | "~"
                | "$home"
                | "${home}"
                | "%userprofile%"
                | "${env:home}"
                | "${userhome}"
                | "c:"
                | "c:\\"
                | "/home"
                | "/users"
                | "/root"
        );
        if broad {
            r.report(
                &rules::broad_filesystem::RULE,
                None,
                "args",
                a,
                format!(
                    "given `{a}`: the server (and every agent that calls it) reaches the whole {}",
                    if norm == "/" || norm.starts_with("c:") || norm.eq_ignore_ascii_case("c:") {
                        "disk"
                    } else {
                        "home folder, keys included"
                    }
                ),
            );
        }
    }
}

fn untrusted_paths(s: &Server, r: &mut Reporter<'_>) {
    let temp = |p: &str| {
        let l = p.to_ascii_lowercase().replace('\\', "/");
        [
            "/tmp/",
            "/var/tmp/",
            "/dev/shm/",
            "/private/tmp/",
            "%temp%",
            "$tmpdir",
            "${tmpdir}",
            "/appdata/local/temp/",
            "/windows/temp/",
            "/downloads/",
        ]
        .iter()
        .any(|t| l.starts_with(t.trim_start_matches('/')) || l.contains(t))
    };
    let prog = shell::program(&s.argv[0]);
    let interpreted = prog.starts_with("python")
        || matches!(
            prog.as_str(),
            "node" | "bun" | "deno" | "sh" | "bash" | "ruby" | "perl"
        );
    let mut places: Vec<(&str, &str)> = vec![("command", s.argv[0].as_str())];
    if interpreted && let Some(script) = s.argv.get(1) {
        places.push(("args", script.as_str()));
    }
    if let Some(cwd) = &s.cwd {
        places.push(("cwd", cwd.as_str()));
    }
    for (field, p) in places {
        if temp(p) {
            r.report(
                &rules::untrusted_launch_path::RULE,
                None,
                field,
                p,
                format!("started from `{p}`, a folder other users or downloads can write"),
            );
        }
    }
}

#[cfg(test)]
mod tests;
