//! Install hooks: code a package runs when it is installed, before anyone
//! uses it. npm lifecycle scripts of `package.json`; `setup.py` custom
//! commands and whatever it does at import (read with the Python front end
//! of the source analysis).

use serde_json::Value;

use loadguard_core::{Finding, Location, Severity};

use crate::document::position;
use crate::{rules, shell, source};

/// Hooks npm runs on `npm install` of a registry package; `prepare` runs
/// for git dependencies and local installs only.
const NPM_HOOKS: &[&str] = &[
    "preinstall",
    "install",
    "postinstall",
    "prepare",
    "preprepare",
    "postprepare",
];

fn suspicious(script: &str) -> Option<&'static str> {
    let l = script.to_ascii_lowercase();
    if shell::downloads_and_runs(script) {
        return Some("downloads code and runs it");
    }
    if shell::reverse_shell(script) {
        return Some("opens a reverse shell");
    }
    if l.contains("node -e")
        || l.contains("node --eval")
        || l.contains("python -c")
        || l.contains("python3 -c")
        || l.contains("eval ")
        || l.contains("eval(")
    {
        return Some("runs inline code");
    }
    if l.contains("base64") || l.contains("atob(") || l.contains("fromcharcode") {
        return Some("decodes a payload");
    }
    if l.contains("curl ")
        || l.contains("wget ")
        || l.contains("invoke-webrequest")
        || l.contains("http://")
        || l.contains("https://")
    {
        return Some("reaches the network");
    }
    None
}

pub(crate) fn scan(lower: &str, text: &str) -> Vec<Finding> {
    if lower == "setup.py" {
        return setup_py(text);
    }
    if lower == "pyproject.toml" {
        return pyproject(text);
    }
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let Some(scripts) = v.get("scripts").and_then(Value::as_object) else {
        return out;
    };
    for hook in NPM_HOOKS {
        let Some(script) = scripts.get(*hook).and_then(Value::as_str) else {
            continue;
        };
        let (line, column, _) = position(text, &format!("\"{hook}\""), 0);
        let (sev, why) = match suspicious(script) {
            Some(why) => (Severity::Critical, why.to_owned()),
            None if hook.contains("prepare") => {
                (Severity::Low, "runs for git and local installs".to_owned())
            }
            None => (Severity::Medium, "runs at every install".to_owned()),
        };
        out.push(
            Finding::builder(
                &rules::install_hook::RULE,
                format!("npm `{hook}` script `{script}` {why}"),
            )
            .severity(sev)
            .at(Location::default()
                .with_logical(format!("scripts.{hook}"))
                .with_line_column(line, column))
            .build(),
        );
    }
    out
}

fn setup_py(text: &str) -> Vec<Finding> {
    let mut out = source::scan(text, source::Language::Python, "setup").findings;
    if let Some(at) = text.find("cmdclass") {
        let (line, column, _) = position(text, "cmdclass", at);
        let sev = if out.iter().any(|f| f.severity >= Severity::High) {
            Severity::Critical
        } else {
            Severity::Medium
        };
        out.push(
            Finding::builder(&rules::install_hook::RULE, "setup.py replaces install commands (`cmdclass`): its code runs when the package is installed".to_owned())
                .severity(sev)
                .at(Location::default().with_logical("cmdclass").with_line_column(line, column))
                .build(),
        );
    }
    out
}

/// Build code of the package itself, run by pip when it builds or installs
/// the package: an in-tree backend, hatch custom hooks, setuptools
/// command classes.
fn pyproject(text: &str) -> Vec<Finding> {
    let Ok(v) = toml::from_str::<toml::Value>(text) else {
        return Vec::new();
    };
    let get = |path: &[&str]| path.iter().try_fold(&v, |cur, k| cur.get(*k));
    let mut found: Vec<(&str, String)> = Vec::new();
    if get(&["build-system", "backend-path"]).is_some() {
        let backend = get(&["build-system", "build-backend"])
            .and_then(toml::Value::as_str)
            .unwrap_or("?");
        found.push(("backend-path", format!("the build backend `{backend}` is code of the package itself (`backend-path`): it runs when pip builds or installs it")));
    }
    if get(&["tool", "hatch", "build", "hooks", "custom"]).is_some()
        || get(&["tool", "hatch", "build", "targets"])
            .and_then(toml::Value::as_table)
            .is_some_and(|t| {
                t.values()
                    .any(|target| target.get("hooks").and_then(|h| h.get("custom")).is_some())
            })
    {
        found.push(("hooks", "a hatch custom build hook (`hatch_build.py`) runs when the package is built or installed".to_owned()));
    }
    if get(&["tool", "setuptools", "cmdclass"]).is_some() {
        found.push((
            "cmdclass",
            "setuptools command classes replace build or install commands".to_owned(),
        ));
    }
    found
        .into_iter()
        .map(|(needle, msg)| {
            let (line, column, _) = position(text, needle, 0);
            Finding::builder(&rules::install_hook::RULE, msg)
                .severity(Severity::Medium)
                .at(Location::default()
                    .with_logical(needle)
                    .with_line_column(line, column))
                .build()
        })
        .collect()
}
