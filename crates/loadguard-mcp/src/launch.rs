//! What a launch line fetches: the package a runner downloads (and whether
//! its version is pinned or known vulnerable) and the container it starts
//! (and with which host privileges).

use crate::config::{Reporter, Server};
use crate::rules;

/// Runner flags that take a value (the value is not the package).
const NPX_VALUE_FLAGS: &[&str] = &[
    "--package",
    "-p",
    "--registry",
    "--cache",
    "--userconfig",
    "-c",
    "--call",
];
const UVX_VALUE_FLAGS: &[&str] = &[
    "--from",
    "--with",
    "--python",
    "-p",
    "--index",
    "--index-url",
    "--extra-index-url",
    "--with-requirements",
];
const DOCKER_VALUE_FLAGS: &[&str] = &[
    "-e",
    "--env",
    "-v",
    "--volume",
    "--name",
    "-p",
    "--publish",
    "--network",
    "--net",
    "--mount",
    "-w",
    "--workdir",
    "--entrypoint",
    "-u",
    "--user",
    "--env-file",
    "--add-host",
    "--cap-add",
    "--cap-drop",
    "--platform",
    "-l",
    "--label",
    "--cpus",
    "--memory",
    "-m",
    "--device",
    "--pull",
    "--pid",
    "--ipc",
    "--userns",
    "--security-opt",
    "-h",
    "--hostname",
    "--tmpfs",
    "--ulimit",
    "--runtime",
    "--dns",
    "--group-add",
    "--log-driver",
    "--restart",
    "--shm-size",
    "--init-path",
];

/// The first operand after `start`, skipping flags (and their values).
fn operand<'a>(args: &'a [String], value_flags: &[&str]) -> Option<(usize, &'a str)> {
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "--" {
            return args.get(i + 1).map(|s| (i + 1, s.as_str()));
        }
        if a.starts_with('-') {
            if value_flags.contains(&a) {
                i += 1;
            }
            i += 1;
            continue;
        }
        return Some((i, a));
    }
    None
}

fn flag_value<'a>(args: &'a [String], flags: &[&str]) -> Option<&'a str> {
    args.iter().enumerate().find_map(|(i, a)| {
        flags.iter().find_map(|f| {
            if a == f {
                args.get(i + 1).map(String::as_str)
            } else {
                a.strip_prefix(&format!("{f}=")[..])
            }
        })
    })
}

/// An npm spec split into name and version (`@scope/x@1.2.3`).
fn npm_spec(spec: &str) -> (&str, Option<&str>) {
    let search_from = usize::from(spec.starts_with('@'));
    match spec[search_from..].find('@') {
        Some(i) => (&spec[..search_from + i], Some(&spec[search_from + i + 1..])),
        None => (spec, None),
    }
}

/// A Python spec split into name and version (`x==1.2.3`, `x@1.2.3`).
fn py_spec(spec: &str) -> (&str, Option<&str>) {
    for sep in ["==", "@"] {
        if let Some((n, v)) = spec.split_once(sep) {
            return (n.trim(), Some(v.trim()));
        }
    }
    let name_end = spec
        .find(['<', '>', '~', '!', '[', ';'])
        .unwrap_or(spec.len());
    (&spec[..name_end], None)
}

fn exact(version: Option<&str>) -> bool {
    version.is_some_and(|v| {
        let core = v.split(['-', '+']).next().unwrap_or(v);
        let parts: Vec<&str> = core.split('.').collect();
        parts.len() >= 2
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    })
}

fn local(spec: &str) -> bool {
    spec.starts_with('.')
        || spec.starts_with('/')
        || spec.starts_with('~')
        || spec.contains('\\')
        || spec.starts_with("file:")
        || spec.starts_with("git+")
}

/// Known vulnerable versions: (package, first fixed version, advisory).
const VULNERABLE: &[(&str, &str, &str)] = &[
    (
        "mcp-remote",
        "0.1.16",
        "CVE-2025-6514: OS command injection through the authorization URL of a malicious server",
    ),
    (
        "@modelcontextprotocol/inspector",
        "0.14.1",
        "CVE-2025-49596: unauthenticated proxy lets a web page run commands",
    ),
    (
        "@modelcontextprotocol/server-filesystem",
        "2025.7.1",
        "CVE-2025-53109/CVE-2025-53110: symlink and prefix-match escapes of the allowed folders",
    ),
];

fn older(version: &str, than: &str) -> bool {
    let parse = |v: &str| -> Vec<u64> {
        v.split(['-', '+'])
            .next()
            .unwrap_or(v)
            .split('.')
            .map(|p| p.parse().unwrap_or(0))
            .collect()
    };
    parse(version) < parse(than)
}

pub(crate) fn packages(s: &Server, prog: &str, r: &mut Reporter<'_>) {
    let args = &s.argv[1..];
    let (runner, spec, python) = match prog {
        "npx" | "bunx" => (
            prog.to_owned(),
            flag_value(args, &["--package", "-p"])
                .or_else(|| operand(args, NPX_VALUE_FLAGS).map(|o| o.1)),
            false,
        ),
        "pnpm" | "yarn" | "bun" if args.first().is_some_and(|a| a == "dlx" || a == "x") => (
            format!("{prog} {}", args[0]),
            operand(&args[1..], NPX_VALUE_FLAGS).map(|o| o.1),
            false,
        ),
        "npm" if args.first().is_some_and(|a| a == "exec" || a == "x") => (
            "npm exec".to_owned(),
            flag_value(args, &["--package", "-p"])
                .or_else(|| operand(&args[1..], NPX_VALUE_FLAGS).map(|o| o.1)),
            false,
        ),
        "uvx" => (
            "uvx".to_owned(),
            flag_value(args, &["--from"]).or_else(|| operand(args, UVX_VALUE_FLAGS).map(|o| o.1)),
            true,
        ),
        "uv" if args.len() > 2 && args[0] == "tool" && args[1] == "run" => (
            "uv tool run".to_owned(),
            flag_value(args, &["--from"])
                .or_else(|| operand(&args[2..], UVX_VALUE_FLAGS).map(|o| o.1)),
            true,
        ),
        "pipx" if args.first().is_some_and(|a| a == "run") => (
            "pipx run".to_owned(),
            flag_value(args, &["--spec"]).or_else(|| {
                operand(
                    &args[1..],
                    &["--spec", "--python", "--pip-args", "--index-url"],
                )
                .map(|o| o.1)
            }),
            true,
        ),
        "docker" | "podman" => {
            container(s, prog, r);
            return;
        }
        _ => return,
    };
    let Some(spec) = spec.filter(|sp| !local(sp)) else {
        return;
    };
    let (name, version) = if python {
        py_spec(spec)
    } else {
        npm_spec(spec)
    };
    if !exact(version) {
        let shown = version.map_or_else(
            || "no version".to_owned(),
            |v| format!("`{v}`, not an exact version"),
        );
        r.report(
            &rules::unpinned_package::RULE,
            None,
            "args",
            spec,
            format!("`{runner}` fetches `{name}` with {shown}: whatever the registry serves at each start runs"),
        );
        return;
    }
    let version = version.unwrap_or_default();
    if let Some((_, fixed, advisory)) = VULNERABLE
        .iter()
        .find(|(n, fixed, _)| *n == name && older(version, fixed))
    {
        r.report(
            &rules::vulnerable_package::RULE,
            None,
            "args",
            spec,
            format!("`{name}@{version}` is vulnerable ({advisory}); fixed in {fixed}"),
        );
    }
}

fn container(s: &Server, prog: &str, r: &mut Reporter<'_>) {
    let args = &s.argv[1..];
    let Some(run) = args.iter().position(|a| a == "run" || a == "create") else {
        return;
    };
    let opts = &args[run + 1..];
    let image = operand(opts, DOCKER_VALUE_FLAGS);
    let opts = image.map_or(opts, |(i, _)| &opts[..i]);
    let mut bad: Vec<String> = Vec::new();
    let mut i = 0;
    while i < opts.len() {
        let a = opts[i].as_str();
        let (flag, value) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v)),
            _ => (
                a,
                opts.get(i + 1)
                    .map(String::as_str)
                    .filter(|_| DOCKER_VALUE_FLAGS.contains(&a)),
            ),
        };
        let v = value.unwrap_or_default();
        match flag {
            "--privileged" => bad.push("--privileged".to_owned()),
            "--cap-add"
                if matches!(
                    v.to_ascii_uppercase().as_str(),
                    "ALL" | "SYS_ADMIN" | "SYS_PTRACE" | "SYS_MODULE" | "DAC_READ_SEARCH"
                ) =>
            {
                bad.push(format!("--cap-add {v}"));
            }
            "--network" | "--net" | "--pid" | "--ipc" | "--userns" | "--uts" if v == "host" => {
                bad.push(format!("{flag} host"))
            }
            "--security-opt" if v.contains("unconfined") => bad.push(format!("--security-opt {v}")),
            "-v" | "--volume" | "--mount" => {
                let source = if flag == "--mount" {
                    v.split(',')
                        .find_map(|kv| {
                            kv.strip_prefix("source=")
                                .or_else(|| kv.strip_prefix("src="))
                        })
                        .unwrap_or_default()
                } else {
                    v.split(':').next().unwrap_or_default()
                };
                let src = source.trim_end_matches('/');
                let host = src.is_empty() && source.starts_with('/')
                    || matches!(
                        src,
                        "~" | "$HOME"
                            | "${HOME}"
                            | "/etc"
                            | "/root"
                            | "/home"
                            | "/Users"
                            | "/var/run"
                            | "/run"
                            | "/proc"
                            | "/sys"
                            | "/dev"
                    )
                    || src.ends_with("docker.sock")
                    || src.ends_with("podman.sock")
                    || src.ends_with("containerd.sock")
                    || src.ends_with("/.ssh")
                    || src.ends_with("/.aws");
                if host {
                    bad.push(format!("{flag} {v}"));
                }
            }
            _ => {}
        }
        i += if value.is_some() && !a.contains('=') {
            2
        } else {
            1
        };
    }
    for b in bad {
        let needle = b.split_whitespace().last().unwrap_or(&b).to_owned();
        r.report(
            &rules::privileged_container::RULE,
            None,
            "args",
            &needle,
            format!("`{prog} run` with `{b}`: code in the container reaches the host"),
        );
    }
    if let Some((_, image)) = image {
        let (repo, digest) = image
            .split_once('@')
            .map_or((image, false), |(r, d)| (r, d.starts_with("sha256:")));
        let last = repo.rsplit('/').next().unwrap_or(repo);
        let tag = last.split_once(':').map(|(_, t)| t);
        if !digest && tag.is_none_or(|t| t == "latest") {
            r.report(
                &rules::unpinned_package::RULE,
                None,
                "args",
                image,
                format!(
                    "`{prog} run` starts `{image}` with {}: the registry decides what runs",
                    if tag.is_some() {
                        "the mutable `latest` tag"
                    } else {
                        "no tag or digest"
                    }
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_and_versions() {
        assert_eq!(npm_spec("@scope/x@1.2.3"), ("@scope/x", Some("1.2.3")));
        assert_eq!(npm_spec("@scope/x"), ("@scope/x", None));
        assert_eq!(npm_spec("x@latest"), ("x", Some("latest")));
        assert_eq!(
            py_spec("mcp-server-fetch==2025.4.7"),
            ("mcp-server-fetch", Some("2025.4.7"))
        );
        assert_eq!(py_spec("x>=1"), ("x", None));
        assert!(exact(Some("1.2.3")) && exact(Some("2025.4.7")) && exact(Some("1.0.0-beta.1")));
        assert!(
            !exact(Some("latest")) && !exact(Some("^1.2.0")) && !exact(Some("1")) && !exact(None)
        );
        assert!(
            older("0.1.15", "0.1.16") && !older("0.1.16", "0.1.16") && older("0.6.3", "2025.7.1")
        );
    }
}
