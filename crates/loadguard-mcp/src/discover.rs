//! Where MCP clients keep their configs, on Linux, macOS and Windows, and
//! the project files they read from a working folder. Paths only: the
//! caller checks which exist.

use std::path::{Path, PathBuf};

/// The operating system whose layout to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Linux,
    MacOs,
    Windows,
}

impl Os {
    pub fn current() -> Self {
        if cfg!(target_os = "macos") {
            Self::MacOs
        } else if cfg!(windows) {
            Self::Windows
        } else {
            Self::Linux
        }
    }
}

/// The folders the layout is relative to.
#[derive(Debug, Clone)]
pub struct Places {
    pub home: PathBuf,
    /// `%APPDATA%` on Windows (default `home\AppData\Roaming`).
    pub appdata: Option<PathBuf>,
    /// `$XDG_CONFIG_HOME` on Linux (default `~/.config`).
    pub xdg_config: Option<PathBuf>,
}

/// One place a client reads a config from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub client: &'static str,
    pub path: PathBuf,
}

/// The user-level config files of every known client on `os`.
pub fn user_configs(os: Os, p: &Places) -> Vec<Candidate> {
    let h = &p.home;
    let config = match os {
        Os::Linux => p.xdg_config.clone().unwrap_or_else(|| h.join(".config")),
        Os::MacOs => h.join("Library/Application Support"),
        Os::Windows => p
            .appdata
            .clone()
            .unwrap_or_else(|| h.join("AppData").join("Roaming")),
    };
    let mut out = Vec::new();
    let mut add = |client: &'static str, path: PathBuf| out.push(Candidate { client, path });
    // Claude Desktop has no official Linux build; its config path there is the community one.
    add(
        "Claude Desktop",
        config.join("Claude").join("claude_desktop_config.json"),
    );
    add("Claude Code", h.join(".claude.json"));
    add("Claude Code", h.join(".claude").join("settings.json"));
    add("Cursor", h.join(".cursor").join("mcp.json"));
    add("VS Code", config.join("Code").join("User").join("mcp.json"));
    add(
        "VS Code",
        config.join("Code").join("User").join("settings.json"),
    );
    add(
        "VS Code Insiders",
        config.join("Code - Insiders").join("User").join("mcp.json"),
    );
    add("VS Code", h.join(".vscode").join("mcp.json"));
    add(
        "GitHub Copilot CLI",
        h.join(".copilot").join("mcp-config.json"),
    );
    add(
        "Windsurf",
        h.join(".codeium").join("windsurf").join("mcp_config.json"),
    );
    add("Gemini CLI", h.join(".gemini").join("settings.json"));
    add(
        "Antigravity",
        h.join(".gemini")
            .join("antigravity")
            .join("mcp_config.json"),
    );
    add("Codex", h.join(".codex").join("config.toml"));
    add(
        "Zed",
        match os {
            Os::Windows => config.join("Zed").join("settings.json"),
            _ => h.join(".config").join("zed").join("settings.json"),
        },
    );
    add("Continue", h.join(".continue").join("config.yaml"));
    add("Continue", h.join(".continue").join("config.json"));
    for ext in ["Code", "Cursor", "Windsurf"] {
        let storage = config.join(ext).join("User").join("globalStorage");
        add(
            "Cline",
            storage
                .join("saoudrizwan.claude-dev")
                .join("settings")
                .join("cline_mcp_settings.json"),
        );
        add(
            "Roo Code",
            storage
                .join("rooveterinaryinc.roo-cline")
                .join("settings")
                .join("mcp_settings.json"),
        );
    }
    add("Kiro", h.join(".kiro").join("settings").join("mcp.json"));
    add(
        "opencode",
        h.join(".config").join("opencode").join("opencode.json"),
    );
    add(
        "opencode",
        h.join(".config").join("opencode").join("opencode.jsonc"),
    );
    add(
        "Goose",
        match os {
            Os::Windows => config
                .join("Block")
                .join("goose")
                .join("config")
                .join("config.yaml"),
            _ => h.join(".config").join("goose").join("config.yaml"),
        },
    );
    add("Amazon Q", h.join(".aws").join("amazonq").join("mcp.json"));
    add("LM Studio", h.join(".lmstudio").join("mcp.json"));
    if os == Os::Linux {
        add("Codex", PathBuf::from("/etc/codex/config.toml"));
    }
    out
}

/// Project-level config files under a working folder.
pub fn project_configs(dir: &Path) -> Vec<Candidate> {
    [
        ("Claude Code", ".mcp.json"),
        ("Cursor", ".cursor/mcp.json"),
        ("VS Code", ".vscode/mcp.json"),
        ("VS Code", ".vscode/settings.json"),
        ("Gemini CLI", ".gemini/settings.json"),
        ("Codex", ".codex/config.toml"),
        ("Zed", ".zed/settings.json"),
        ("Kiro", ".kiro/settings/mcp.json"),
        ("Roo Code", ".roo/mcp.json"),
        ("Amazon Q", ".amazonq/mcp.json"),
        ("opencode", "opencode.json"),
        ("opencode", "opencode.jsonc"),
        ("Windsurf", ".windsurf/mcp.json"),
        ("Continue", ".continue/config.yaml"),
    ]
    .into_iter()
    .map(|(client, rel)| Candidate {
        client,
        path: dir.join(rel),
    })
    .collect()
}

/// Continue also reads every file of `.continue/mcpServers/`.
pub fn config_folders(home: &Path, dir: &Path) -> Vec<Candidate> {
    vec![
        Candidate {
            client: "Continue",
            path: home.join(".continue").join("mcpServers"),
        },
        Candidate {
            client: "Continue",
            path: dir.join(".continue").join("mcpServers"),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_os_has_the_clients() {
        let p = Places {
            home: PathBuf::from("/h"),
            appdata: None,
            xdg_config: None,
        };
        for os in [Os::Linux, Os::MacOs, Os::Windows] {
            let c = user_configs(os, &p);
            for client in [
                "Claude Desktop",
                "Claude Code",
                "Cursor",
                "VS Code",
                "Windsurf",
                "Gemini CLI",
                "Codex",
                "Zed",
                "Continue",
                "Cline",
                "Roo Code",
                "Kiro",
                "opencode",
                "Goose",
                "Amazon Q",
                "LM Studio",
            ] {
                assert!(c.iter().any(|x| x.client == client), "{client} on {os:?}");
            }
        }
        let mac = user_configs(Os::MacOs, &p);
        assert!(mac.iter().any(|c| c.path
            == Path::new("/h/Library/Application Support/Claude/claude_desktop_config.json")));
        let win = user_configs(
            Os::Windows,
            &Places {
                home: PathBuf::from("C:/Users/me"),
                appdata: Some(PathBuf::from("C:/Users/me/AppData/Roaming")),
                xdg_config: None,
            },
        );
        assert!(win.iter().any(|c| c.path
            == Path::new("C:/Users/me/AppData/Roaming/Claude/claude_desktop_config.json")));
    }
}
