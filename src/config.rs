//! `loadguard.toml`, or `[tool.loadguard]` in `pyproject.toml`, found from
//! the working directory upwards, never from the scanned target: a config
//! file inside a scanned folder is ignored (and reported) unless the user
//! names it with `--config`. Unknown keys are errors.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct Config {
    /// Exit 1 when a finding reaches this severity (`never` to always exit 0).
    pub(crate) fail_on: Option<String>,
    pub(crate) strict: Option<bool>,
    #[serde(default)]
    pub(crate) rules: Rules,
    /// Extra exact callables to allow in pickles, each with a reason.
    #[serde(default)]
    pub(crate) allow: Vec<Allow>,
    #[serde(default)]
    pub(crate) limits: ConfigLimits,
    #[serde(default)]
    pub(crate) signature: SignatureConfig,
}

/// Who must have signed the scanned model folders. Paths are relative to
/// the configuration file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct SignatureConfig {
    /// A scanned folder without `model.sig` is high (`SIG001`).
    pub(crate) require: Option<bool>,
    pub(crate) key: Option<PathBuf>,
    pub(crate) certificate_chain: Option<PathBuf>,
    pub(crate) identity: Option<String>,
    pub(crate) issuer: Option<String>,
    pub(crate) trust_root: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct Rules {
    /// Rule codes or names whose findings are dropped.
    #[serde(default)]
    pub(crate) ignore: Vec<String>,
    /// Per-rule severity overrides: `PKL001 = "high"`.
    #[serde(default)]
    pub(crate) severity: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Allow {
    pub(crate) name: String,
    pub(crate) reason: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ConfigLimits {
    pub(crate) max_stack: Option<usize>,
    pub(crate) max_marks: Option<usize>,
    pub(crate) max_memo: Option<usize>,
    pub(crate) max_globals: Option<usize>,
    pub(crate) max_depth: Option<u32>,
    pub(crate) max_findings: Option<usize>,
    pub(crate) max_container_depth: Option<u32>,
    pub(crate) max_member_bytes: Option<u64>,
    pub(crate) max_ratio: Option<u64>,
    pub(crate) max_opcodes: Option<u64>,
    pub(crate) file_timeout: Option<f64>,
    pub(crate) max_artifact_bytes: Option<u64>,
    pub(crate) max_members: Option<usize>,
    pub(crate) max_decoded_in_flight: Option<u64>,
    pub(crate) max_signature_bytes: Option<u64>,
}

#[derive(Deserialize)]
struct PyProject {
    tool: Option<PyProjectTool>,
}

#[derive(Deserialize)]
struct PyProjectTool {
    loadguard: Option<toml::Value>,
}

/// Names of files that configure a scanner; found inside a target they are
/// attacker-controlled.
pub(crate) const CONFIG_NAMES: &[&str] = &[
    "loadguard.toml",
    ".loadguard.toml",
    ".loadguardignore",
    ".picklescanignore",
    ".modelscanignore",
    ".oxvaultignore",
    "modelaudit.yaml",
];

/// Where the configuration came from.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub(crate) config: Config,
    pub(crate) path: Option<PathBuf>,
    /// A discovered file that was ignored because it lies in a scanned target.
    pub(crate) ignored_in_target: Option<PathBuf>,
}

pub(crate) fn parse(text: &str, path: &Path) -> Result<Config> {
    let is_pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
    if is_pyproject {
        let py: PyProject =
            toml::from_str(text).with_context(|| format!("{}: invalid TOML", path.display()))?;
        let Some(value) = py.tool.and_then(|t| t.loadguard) else {
            return Ok(Config::default());
        };
        return value
            .try_into()
            .with_context(|| format!("{}: invalid [tool.loadguard]", path.display()));
    }
    toml::from_str(text)
        .with_context(|| format!("{}: invalid loadguard configuration", path.display()))
}

fn has_loadguard_table(path: &Path) -> bool {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| toml::from_str::<PyProject>(&t).ok())
        .and_then(|p| p.tool)
        .and_then(|t| t.loadguard)
        .is_some()
}

/// Finds and reads the configuration. `explicit` is `--config`; `targets`
/// are the scanned paths, inside which discovery must not look.
pub(crate) fn load(
    explicit: Option<&Path>,
    disabled: bool,
    cwd: &Path,
    targets: &[PathBuf],
) -> Result<Loaded> {
    if let Some(path) = explicit {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        return Ok(Loaded {
            config: parse(&text, path)?,
            path: Some(path.to_owned()),
            ignored_in_target: None,
        });
    }
    let none = Loaded {
        config: Config::default(),
        path: None,
        ignored_in_target: None,
    };
    if disabled {
        return Ok(none);
    }
    let targets: Vec<PathBuf> = targets
        .iter()
        .filter_map(|t| t.canonicalize().ok())
        .collect();
    let mut dir = cwd.canonicalize().unwrap_or_else(|_| cwd.to_owned());
    loop {
        for name in ["loadguard.toml", "pyproject.toml"] {
            let candidate = dir.join(name);
            if !candidate.is_file()
                || (name == "pyproject.toml" && !has_loadguard_table(&candidate))
            {
                continue;
            }
            if targets.iter().any(|t| candidate.starts_with(t)) {
                return Ok(Loaded {
                    ignored_in_target: Some(candidate),
                    ..none
                });
            }
            let text = std::fs::read_to_string(&candidate)?;
            return Ok(Loaded {
                config: parse(&text, &candidate)?,
                path: Some(candidate),
                ignored_in_target: None,
            });
        }
        if !dir.pop() {
            return Ok(none);
        }
    }
}

impl Config {
    /// Checks values that serde cannot: severities, rule names, allowed names.
    pub(crate) fn validate(&self, known_rule: impl Fn(&str) -> bool) -> Result<()> {
        if let Some(f) = &self.fail_on
            && f != "never"
            && loadguard_core::Severity::parse(f).is_none()
        {
            bail!("fail-on = {f:?}: expected info, low, medium, high, critical or never");
        }
        for r in self.rules.ignore.iter().chain(self.rules.severity.keys()) {
            if !known_rule(r) {
                bail!("rules: no rule named {r:?} (`loadguard rules` lists them)");
            }
        }
        for (r, s) in &self.rules.severity {
            if loadguard_core::Severity::parse(s).is_none() {
                bail!("rules.severity.{r} = {s:?}: not a severity");
            }
        }
        for a in &self.allow {
            if !a.name.contains('.') || a.name.contains('*') || a.name.contains(char::is_whitespace)
            {
                bail!("allow: {:?} is not an exact `module.qualname`", a.name);
            }
            if a.reason.trim().is_empty() {
                bail!("allow: {:?} needs a reason", a.name);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_errors() {
        let p = Path::new("loadguard.toml");
        assert!(parse("fail-on = \"high\"\nbogus = 1\n", p).is_err());
        assert!(parse("[limits]\nmax-stak = 1\n", p).is_err());
        assert!(
            parse("[[allow]]\nname = \"a.b\"\n", p).is_err(),
            "reason is required"
        );
        let c = parse("fail-on = \"medium\"\n[rules]\nignore = [\"PKL002\"]\n[[allow]]\nname = \"mylib.build\"\nreason = \"ours\"\n", p)
            .expect("valid");
        assert_eq!(c.fail_on.as_deref(), Some("medium"));
        assert_eq!(c.allow[0].name, "mylib.build");
    }

    #[test]
    fn pyproject_table() {
        let p = Path::new("pyproject.toml");
        let c = parse(
            "[project]\nname = \"x\"\n[tool.loadguard]\nstrict = true\n",
            p,
        )
        .expect("valid");
        assert_eq!(c.strict, Some(true));
        assert!(parse("[tool.loadguard]\nnope = 1\n", p).is_err());
        let c = parse("[project]\nname = \"x\"\n", p).expect("no table is fine");
        assert_eq!(c.strict, None);
    }

    #[test]
    fn validation() {
        let known = |r: &str| r == "PKL002";
        let p = Path::new("loadguard.toml");
        assert!(
            parse("fail-on = \"severe\"", p)
                .expect("toml")
                .validate(known)
                .is_err()
        );
        assert!(
            parse("[rules]\nignore = [\"NOPE\"]", p)
                .expect("toml")
                .validate(known)
                .is_err()
        );
        assert!(
            parse("[[allow]]\nname = \"os.*\"\nreason = \"x\"", p)
                .expect("toml")
                .validate(known)
                .is_err()
        );
        assert!(
            parse("[[allow]]\nname = \"a.b\"\nreason = \" \"", p)
                .expect("toml")
                .validate(known)
                .is_err()
        );
        assert!(
            parse("[rules]\nignore = [\"PKL002\"]", p)
                .expect("toml")
                .validate(known)
                .is_ok()
        );
    }
}
