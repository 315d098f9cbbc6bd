//! Places on disk that matter: where credentials live and where code that
//! runs again is installed. Shared by tool text and server source.

use std::sync::LazyLock;

use regex::Regex;

static CREDENTIAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(",
        r"(^|[/\\~])\.ssh([/\\]|$)|\bid_(rsa|dsa|ecdsa|ed25519)\b",
        r"|[/\\~]\.aws([/\\]|$)|\.aws[/\\]credentials|\.azure[/\\]|gcloud[/\\](credentials|application_default)",
        r"|(^|[/\\~\s'`])\.env(\.[a-z]+)?($|['`\s])|[/\\]\.env\b",
        r"|\.npmrc\b|\.pypirc\b|\.git-credentials\b|\.netrc\b|\.gnupg\b|\.password-store\b",
        r"|[/\\~]\.kube([/\\]|$)|\.docker[/\\]config\.json",
        r"|\bmcp\.json\b|claude_desktop_config\.json|\.claude\.json\b|[/\\]\.cursor[/\\]|mcp_config\.json|mcp_settings\.json",
        r"|/etc/shadow\b|/etc/passwd\b|/etc/sudoers\b",
        r"|\blogin data\b|\bcookies\.sqlite\b|[/\\]cookies\b|key[34]\.db\b|logins\.json\b|[/\\]local state\b",
        r"|\.mozilla[/\\]firefox|google[/\\]chrome[/\\]|chromium[/\\]|bravesoftware|\.config[/\\]google-chrome",
        r"|keychains?[/\\]|\.bitcoin[/\\]|wallet\.dat\b|\.electrum\b|metamask",
        r"|\.bash_history\b|\.zsh_history\b|[/\\~]\.(bashrc|zshrc|bash_profile|zprofile|profile)\b",
        r")"
    ))
    .expect("credential pattern")
});

static PERSISTENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(",
        r"\bcrontab\b|/etc/cron|/var/spool/cron|\bcron\.d\b",
        r"|[/\\~]\.(bashrc|bash_profile|zshrc|zprofile|profile|zshenv|bash_login)\b|config[/\\]fish[/\\]config\.fish",
        r"|\bauthorized_keys\b",
        r"|systemd[/\\]user|/etc/systemd/system|\.config[/\\]autostart",
        r"|launchagents|launchdaemons",
        r"|currentversion\\+run\b|start menu\\+programs\\+startup|\\startup\\",
        r"|\.git[/\\]hooks[/\\]|/etc/rc\.local|/etc/ld\.so\.preload|\bsitecustomize\.py\b|\.pth$",
        r")"
    ))
    .expect("persistence pattern")
});

/// The whole path-like word around a match: `~/.ssh/id_rsa`, not `/.ssh/`.
fn word(text: &str, start: usize, end: usize) -> &str {
    let stop = |c: char| c.is_whitespace() || "\"'`,;()[]{}<>|".contains(c);
    let s = text[..start].rfind(stop).map_or(0, |i| {
        i + text[i..].chars().next().map_or(1, char::len_utf8)
    });
    let e = text[end..].find(stop).map_or(text.len(), |i| end + i);
    text[s..e].trim_end_matches(['.', ':'])
}

/// The credential path named in `text`, if any, as the whole word.
pub fn credential(text: &str) -> Option<&str> {
    CREDENTIAL
        .find(text)
        .map(|m| word(text, m.start(), m.end()))
        .filter(|w| !w.is_empty())
}

/// The start-up place named in `text`, if any, as the whole word.
pub fn persistence(text: &str) -> Option<&str> {
    PERSISTENCE
        .find(text)
        .map(|m| word(text, m.start(), m.end()))
        .filter(|w| !w.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_paths() {
        for t in [
            "~/.ssh/id_rsa",
            "read ~/.cursor/mcp.json first",
            "C:\\Users\\me\\.aws\\credentials",
            "/home/me/.env",
            "the .env file",
            "~/.config/google-chrome/Default/Login Data",
            "~/.kube/config",
        ] {
            assert!(credential(t).is_some(), "{t}");
        }
        for t in [
            "process.env.HOME",
            "environment",
            "ssh into the box",
            "the config file",
            "dotenv",
        ] {
            assert_eq!(credential(t), None, "{t}");
        }
    }

    #[test]
    fn persistence_paths() {
        for t in [
            "~/.bashrc",
            "/etc/cron.d/x",
            "~/Library/LaunchAgents/x.plist",
            "~/.ssh/authorized_keys",
        ] {
            assert!(persistence(t).is_some(), "{t}");
        }
        assert_eq!(persistence("bash the bug"), None);
    }
}
