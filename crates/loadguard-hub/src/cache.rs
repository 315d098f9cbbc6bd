//! The local Hugging Face cache, as `huggingface_hub` lays it out:
//! `$HF_HUB_CACHE/models--org--name/{refs/<rev>, blobs/<etag>,
//! snapshots/<commit>/<path> -> ../../blobs/<etag>}`.
//!
//! Snapshot entries are symlinks into `blobs/`; a link that resolves outside
//! the cache is never followed (a finding instead). Offline mode
//! (`HF_HUB_OFFLINE=1`) resolves `hf:` targets here only.

use std::path::{Path, PathBuf};

use crate::target::HubTarget;

/// `$HF_HOME`, or `$XDG_CACHE_HOME/huggingface`, or `~/.cache/huggingface`.
pub fn hf_home() -> PathBuf {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    var("HF_HOME").unwrap_or_else(|| {
        var("XDG_CACHE_HOME")
            .or_else(|| var("HOME").map(|h| h.join(".cache")))
            .unwrap_or_else(|| PathBuf::from(".cache"))
            .join("huggingface")
    })
}

/// `$HF_HUB_CACHE`, the legacy `$HUGGINGFACE_HUB_CACHE`, or `$HF_HOME/hub`.
pub fn hub_cache() -> PathBuf {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    var("HF_HUB_CACHE")
        .or_else(|| var("HUGGINGFACE_HUB_CACHE"))
        .unwrap_or_else(|| hf_home().join("hub"))
}

/// Whether `HF_HUB_OFFLINE` (or `TRANSFORMERS_OFFLINE`) asks for no network.
pub fn offline() -> bool {
    ["HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"].iter().any(|k| {
        std::env::var(k).is_ok_and(|v| {
            matches!(
                v.trim().to_ascii_lowercase().as_str(),
                "1" | "true" | "yes" | "on"
            )
        })
    })
}

/// The cache folder of a repository.
pub fn repo_dir(cache: &Path, t: &HubTarget) -> PathBuf {
    cache.join(format!(
        "{}--{}",
        t.kind.cache_prefix(),
        t.repo_id.replace('/', "--")
    ))
}

/// The snapshot folder of a target: a commit revision directly, otherwise
/// through `refs/<revision>`. `(commit, folder)`.
pub fn snapshot(cache: &Path, t: &HubTarget) -> Option<(String, PathBuf)> {
    let repo = repo_dir(cache, t);
    let rev = t.revision();
    let is_commit = rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit());
    let commit = if is_commit {
        rev.to_owned()
    } else {
        // `refs/pr/1` maps to subfolders; `..` was refused when parsing.
        std::fs::read_to_string(repo.join("refs").join(rev))
            .ok()?
            .trim()
            .to_owned()
    };
    if commit.len() != 40 || !commit.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let dir = repo.join("snapshots").join(&commit);
    dir.is_dir().then_some((commit, dir))
}

/// Every snapshot folder in the cache: `(repo folder name, commit, path)`.
pub fn all_snapshots(cache: &Path) -> Vec<(String, String, PathBuf)> {
    let mut out = Vec::new();
    let Ok(repos) = std::fs::read_dir(cache) else {
        return out;
    };
    for repo in repos.flatten() {
        let name = repo.file_name().to_string_lossy().into_owned();
        if !["models--", "datasets--", "spaces--"]
            .iter()
            .any(|p| name.starts_with(p))
        {
            continue;
        }
        let Ok(snaps) = std::fs::read_dir(repo.path().join("snapshots")) else {
            continue;
        };
        for s in snaps.flatten() {
            if s.path().is_dir() {
                out.push((
                    name.clone(),
                    s.file_name().to_string_lossy().into_owned(),
                    s.path(),
                ));
            }
        }
    }
    out.sort();
    out
}

/// Where a snapshot entry really is, if it stays inside the cache: the
/// resolved path, or why it may not be read.
pub fn contained(cache: &Path, entry: &Path) -> Result<PathBuf, String> {
    let root = cache
        .canonicalize()
        .map_err(|e| format!("the cache folder cannot be resolved: {e}"))?;
    let real = entry
        .canonicalize()
        .map_err(|e| format!("the entry cannot be resolved (a dangling link?): {e}"))?;
    if real.starts_with(&root) {
        Ok(real)
    } else {
        Err(format!(
            "it resolves to {}, outside the cache",
            real.display()
        ))
    }
}
