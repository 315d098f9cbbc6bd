//! `scan --mcp` (the configs MCP clients read on this machine) and
//! `mcp pin` (the lock file of tool hashes).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use loadguard_mcp::discover::{self, Os, Places};
use loadguard_mcp::{Artifact, Lock};

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .map(PathBuf::from)
}

/// The MCP configs that exist: every client's user config, the project
/// configs under `cwd`, and the files of Continue's config folders.
pub(crate) fn discovered(cwd: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut candidates = discover::project_configs(cwd);
    if let Some(home) = home() {
        let places = Places {
            appdata: std::env::var_os("APPDATA").map(PathBuf::from),
            xdg_config: std::env::var_os("XDG_CONFIG_HOME").map(PathBuf::from),
            home: home.clone(),
        };
        candidates.extend(discover::user_configs(Os::current(), &places));
        for folder in discover::config_folders(&home, cwd) {
            if let Ok(entries) = std::fs::read_dir(&folder.path) {
                let mut files: Vec<PathBuf> = entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.is_file())
                    .collect();
                files.sort();
                out.extend(files);
            }
        }
    }
    for c in candidates {
        if c.path.is_file() && !out.contains(&c.path) {
            out.push(c.path);
        }
    }
    out
}

pub(crate) fn load_lock(path: &Path) -> Result<Arc<Lock>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Lock::from_json(&text)
        .map(Arc::new)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Pins the tools of every tool list and server source under `paths`.
pub(crate) fn pin(paths: &[PathBuf], lock_path: &Path, out: &mut dyn Write) -> Result<()> {
    let mut lock = if lock_path.is_file() {
        (*load_lock(lock_path)?).clone()
    } else {
        Lock::default()
    };
    let mut pinned = 0;
    for root in paths {
        if !root.exists() {
            bail!("{}: no such file or directory", root.display());
        }
        for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
            let entry = entry.with_context(|| format!("walking {}", root.display()))?;
            if !entry.file_type().is_file() {
                continue;
            }
            let path = entry.path();
            let name = path.to_string_lossy();
            if !loadguard_mcp::maybe(&name) {
                continue;
            }
            let data =
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            let Some(scanned) = loadguard_mcp::scan(&name, &data, None) else {
                continue;
            };
            if !matches!(scanned.artifact, Artifact::ToolList | Artifact::Source(_))
                || scanned.servers.is_empty()
            {
                continue;
            }
            for s in &scanned.servers {
                writeln!(
                    out,
                    "pinned {} tool(s) of server `{}` from {}",
                    s.tools.len(),
                    s.server,
                    path.display()
                )?;
                pinned += s.tools.len();
            }
            lock.pin(&scanned.servers);
        }
    }
    if pinned == 0 {
        bail!("no MCP tools found to pin (give saved tools/list JSON or server source)");
    }
    std::fs::write(lock_path, lock.to_json())
        .with_context(|| format!("writing {}", lock_path.display()))?;
    writeln!(out, "wrote {}", lock_path.display())?;
    Ok(())
}

/// Variables the server keeps: enough to find its interpreter, nothing
/// else of the user's environment (no tokens, no keys).
const KEPT_ENV: &[&str] = &[
    "PATH",
    "HOME",
    "USERPROFILE",
    "SYSTEMROOT",
    "TMPDIR",
    "TEMP",
    "TMP",
    "LANG",
];

/// Starts a stdio MCP server, asks for its tools and kills it: the
/// `tools/list` result (with the server's `serverInfo`) as pretty JSON.
pub(crate) fn list_tools(
    argv: &[String],
    launch: bool,
    timeout: std::time::Duration,
) -> Result<String> {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    if !launch {
        bail!(
            "listing tools starts the server, and its code runs on this machine with your rights; pass --launch to do it anyway (`loadguard scan` never starts a server: scan its source, or a saved tools/list answer)"
        );
    }
    let Some((program, args)) = argv.split_first() else {
        bail!("no server command given (after --)");
    };
    let _ = writeln!(
        std::io::stderr(),
        "loadguard: warning: starting `{}`: the server's code runs now, with a minimal environment, for at most {} s",
        argv.join(" "),
        timeout.as_secs()
    );
    let mut cmd = Command::new(program);
    cmd.args(args)
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for k in KEPT_ENV {
        if let Some(v) = std::env::var_os(k) {
            cmd.env(k, v);
        }
    }
    let mut child = cmd.spawn().with_context(|| format!("starting {program}"))?;
    let result = talk(&mut child, timeout);
    let _ = child.kill();
    let _ = child.wait();
    return result;

    fn talk(child: &mut std::process::Child, timeout: std::time::Duration) -> Result<String> {
        let mut stdin = child.stdin.take().context("server stdin")?;
        let stdout = child.stdout.take().context("server stdout")?;
        let (tx, rx) = std::sync::mpsc::channel::<serde_json::Value>();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Ok(v) = serde_json::from_str(&line)
                    && tx.send(v).is_err()
                {
                    break;
                }
            }
        });
        let send = |stdin: &mut std::process::ChildStdin, v: serde_json::Value| -> Result<()> {
            writeln!(stdin, "{v}").context("writing to the server")?;
            stdin.flush().context("writing to the server")
        };
        let deadline = std::time::Instant::now() + timeout;
        let wait_for = |id: u64| -> Result<serde_json::Value> {
            loop {
                let left = deadline.saturating_duration_since(std::time::Instant::now());
                let msg = rx
                    .recv_timeout(left)
                    .map_err(|_| anyhow::anyhow!("no answer from the server within the timeout"))?;
                if msg.get("id").and_then(serde_json::Value::as_u64) == Some(id) {
                    if let Some(e) = msg.get("error") {
                        bail!("the server answered with an error: {e}");
                    }
                    return Ok(msg
                        .get("result")
                        .cloned()
                        .unwrap_or(serde_json::Value::Null));
                }
            }
        };
        send(
            &mut stdin,
            serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "loadguard", "version": env!("CARGO_PKG_VERSION")}}}),
        )?;
        let init = wait_for(1)?;
        send(
            &mut stdin,
            serde_json::json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        )?;
        send(
            &mut stdin,
            serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
        )?;
        let mut tools = wait_for(2)?;
        if let (Some(obj), Some(info)) = (tools.as_object_mut(), init.get("serverInfo")) {
            obj.insert("serverInfo".to_owned(), info.clone());
        }
        Ok(serde_json::to_string_pretty(&tools)? + "\n")
    }
}

/// A module an MCP server file imports from its own package, read from
/// beside the file: `./lib.js` (also `lib.ts`, `lib/index.js`), `.utils`,
/// `..pkg.mod`, `helpers` (`helpers.py`, `helpers/__init__.py`). Files over
/// the source limit are not read.
pub(crate) fn sibling(dir: &Path, spec: &str) -> Option<(String, Vec<u8>)> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if spec.starts_with("./") || spec.starts_with("../") {
        let base = dir.join(spec);
        candidates.push(base.clone());
        let s = spec.to_ascii_lowercase();
        for (from, to) in [
            (".js", "ts"),
            (".js", "tsx"),
            (".mjs", "mts"),
            (".cjs", "cts"),
        ] {
            if s.ends_with(from) {
                candidates.push(base.with_extension(to));
            }
        }
        if Path::new(spec).extension().is_none() {
            for ext in ["js", "ts", "mjs", "tsx"] {
                candidates.push(base.with_extension(ext));
            }
            candidates.push(base.join("index.js"));
            candidates.push(base.join("index.ts"));
        }
    } else {
        let dots = spec.chars().take_while(|c| *c == '.').count();
        let rest = &spec[dots..];
        if rest.is_empty() || rest.contains(['/', '\\']) {
            return None;
        }
        let mut base = dir.to_path_buf();
        for _ in 1..dots {
            base.pop();
        }
        let rel: PathBuf = rest.split('.').collect();
        candidates.push(base.join(&rel).with_extension("py"));
        candidates.push(base.join(&rel).join("__init__.py"));
    }
    candidates.into_iter().find_map(|c| {
        let meta = std::fs::metadata(&c).ok()?;
        if !meta.is_file() || meta.len() > loadguard_mcp::MAX_SOURCE_BYTES as u64 {
            return None;
        }
        let name = c.file_name()?.to_string_lossy().into_owned();
        Some((name, std::fs::read(&c).ok()?))
    })
}
