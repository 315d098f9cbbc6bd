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
