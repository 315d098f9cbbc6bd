//! `hf:` targets and `--hf-cache` in `loadguard scan`: the CLI side of the
//! `loadguard-hub` crate (network only for an `hf:` target or a Hub URL).

use std::io::{IsTerminal, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use loadguard_hub::client::{Client, HubConfig};
use loadguard_hub::{ScannedFile, cache, target};

use crate::scan::{Budget, Scanner, Target};

/// Splits the command line into local paths and Hub targets.
pub(crate) fn split(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<String>) {
    let endpoint = HubConfig::from_env_endpoint();
    let mut local = Vec::new();
    let mut hub = Vec::new();
    for p in paths {
        match p.to_str() {
            Some(s) if target::is_hub_target(s, &endpoint) => hub.push(s.to_owned()),
            _ => local.push(p.clone()),
        }
    }
    (local, hub)
}

fn to_target(f: ScannedFile) -> Target {
    Target {
        path: f.path,
        format: f.format,
        size: f.size,
        findings: f.findings,
        error: None,
        sha256: None,
        external_data: Vec::new(),
    }
}

/// Scans Hub targets: through the network, or from the local cache with
/// `HF_HUB_OFFLINE=1`.
pub(crate) fn scan_targets(
    specs: &[String],
    scanner: &Scanner,
    budget: &Budget,
    progress: bool,
) -> Result<Vec<Target>> {
    let config = HubConfig::from_env();
    let mut out = Vec::new();
    for spec in specs {
        let t = target::parse(spec, &config.endpoint)?;
        if cache::offline() {
            let root = cache::hub_cache();
            let Some((commit, dir)) = cache::snapshot(&root, &t) else {
                bail!(
                    "offline (HF_HUB_OFFLINE=1): {} is not in the local cache {}",
                    t.display(None),
                    root.display()
                );
            };
            let name = t.display(Some(&commit));
            for f in loadguard_hub::scan_snapshot(
                &root,
                &name,
                &dir,
                &scanner.policy,
                &scanner.options,
                crate::mmap::open,
            ) {
                out.push(to_target(f));
            }
            continue;
        }
        let client = Client::new(config.clone());
        let mut n = 0usize;
        let mut stop = None;
        let repo = loadguard_hub::scan_repo(
            &client,
            &t,
            &scanner.policy,
            &scanner.options,
            |f, stats| {
                n += 1;
                if progress {
                    let _ = write!(
                        std::io::stderr(),
                        "\r\x1b[Kloadguard: {} ({n} files, {} requests, {:.1} MB)",
                        f.path,
                        stats.requests(),
                        stats.bytes() as f64 / 1e6
                    );
                }
                stop = budget
                    .out_of_time()
                    .or_else(|| budget.out_of_bytes(stats.bytes()));
                if stop.is_some() {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        )
        .with_context(|| format!("scanning {spec}"))?;
        if progress {
            let _ = write!(std::io::stderr(), "\r\x1b[K");
        }
        out.push(Target::folder(repo.name.clone(), repo.findings));
        out.extend(repo.files.into_iter().map(to_target));
        if let Some(why) = &stop {
            out.extend(
                repo.unscanned
                    .into_iter()
                    .map(|(path, size)| Target::over_budget(path, size, why)),
            );
        }
    }
    Ok(out)
}

/// Every snapshot of the local cache (`--hf-cache`).
pub(crate) fn scan_cache(scanner: &Scanner) -> Vec<Target> {
    let root = cache::hub_cache();
    let mut out = Vec::new();
    for (repo, commit, dir) in cache::all_snapshots(&root) {
        let shown = Path::new(&root).join(&repo).join("snapshots").join(&commit);
        for f in loadguard_hub::scan_snapshot(
            &root,
            &shown.display().to_string(),
            &dir,
            &scanner.policy,
            &scanner.options,
            crate::mmap::open,
        ) {
            out.push(to_target(f));
        }
    }
    out
}

/// Whether a progress line may be printed.
pub(crate) fn progress_allowed(quiet: bool, no_progress: bool) -> bool {
    !quiet && !no_progress && std::io::stderr().is_terminal()
}
