//! Credentials written as literals: one detector for config values and
//! source strings. It names the kind of key and never returns the value.

use std::sync::LazyLock;

use regex::Regex;

/// Known key shapes, most specific first.
static SHAPES: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        ("private key", r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
        ("AWS access key", r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"),
        ("Anthropic API key", r"\bsk-ant-[A-Za-z0-9_-]{20,}"),
        (
            "OpenAI API key",
            r"\bsk-(?:proj-|svcacct-)?[A-Za-z0-9_-]{20,}",
        ),
        ("GitHub token", r"\bgh[pousr]_[A-Za-z0-9]{30,}"),
        ("GitHub token", r"\bgithub_pat_[A-Za-z0-9_]{22,}"),
        ("GitLab token", r"\bglpat-[A-Za-z0-9_-]{20,}"),
        ("Slack token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
        (
            "Slack webhook",
            r"hooks\.slack\.com/services/T[A-Za-z0-9]+/[A-Za-z0-9]+/[A-Za-z0-9]+",
        ),
        (
            "Discord webhook",
            r"discord(?:app)?\.com/api/webhooks/\d+/[A-Za-z0-9_-]{20,}",
        ),
        ("Stripe key", r"\b(?:sk|rk)_live_[A-Za-z0-9]{16,}"),
        ("Hugging Face token", r"\bhf_[A-Za-z0-9]{30,}"),
        ("Google API key", r"\bAIza[0-9A-Za-z_-]{35}"),
        ("npm token", r"\bnpm_[A-Za-z0-9]{36}"),
        (
            "JSON web token",
            r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}",
        ),
        ("bearer token", r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]{20,}"),
    ]
    .into_iter()
    .map(|(k, p)| (k, Regex::new(p).expect("secret pattern")))
    .collect()
});

/// Names of variables, env entries and headers that hold secrets.
static SECRET_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(token|secret|passw(or)?d|passwd|api[_-]?key|access[_-]?key|private[_-]?key|auth|credential|session[_-]?key)")
        .expect("name pattern")
});

/// A value that refers to a secret kept elsewhere, or says "put yours here".
fn is_reference_or_placeholder(value: &str) -> bool {
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    v.contains("${")
        || v.starts_with('$')
        || v.contains("{env:")
        || (v.starts_with('%') && v.ends_with('%'))
        || (v.starts_with('<') && v.ends_with('>'))
        || [
            "your",
            "xxx",
            "changeme",
            "example",
            "placeholder",
            "replace",
            "dummy",
            "redacted",
            "***",
            "...",
        ]
        .iter()
        .any(|p| lower.contains(p))
        || has_long_run(v)
}

/// `AKIAXXXXXXXXXXXXXXXX`, `sk-000000000000000000`: a run of one character.
fn has_long_run(v: &str) -> bool {
    let mut run = 0;
    let mut prev = None;
    for c in v.chars() {
        if Some(c) == prev {
            run += 1;
            if run >= 7 {
                return true;
            }
        } else {
            run = 0;
        }
        prev = Some(c);
    }
    false
}

/// A secret found in a value: its kind and a redacted preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secret {
    pub kind: &'static str,
    pub preview: String,
}

/// The preview of a secret: its first characters and its length.
fn redact(value: &str) -> String {
    let head: String = value.chars().take(4).collect();
    format!("{head}… ({} characters)", value.chars().count())
}

/// A secret in `value`, by shape, or by `name` when the value is a long
/// literal that looks random.
pub fn find(name: Option<&str>, value: &str) -> Option<Secret> {
    if value.len() < 8 || value.len() > 8192 {
        return None;
    }
    for (kind, re) in SHAPES.iter() {
        if let Some(m) = re.find(value) {
            if is_reference_or_placeholder(m.as_str()) {
                continue;
            }
            return Some(Secret {
                kind,
                preview: redact(m.as_str()),
            });
        }
    }
    let name = name?;
    if !SECRET_NAME.is_match(name) || is_reference_or_placeholder(value) {
        return None;
    }
    let v = value.trim();
    // A secret is one word, long, and mixes letters with digits or symbols.
    let random = v.len() >= 12
        && !v.contains(char::is_whitespace)
        && !v.contains("://")
        && !v.starts_with('/')
        && v.chars().any(|c| c.is_ascii_alphabetic())
        && v.chars().any(|c| c.is_ascii_digit());
    random.then(|| Secret {
        kind: "literal secret",
        preview: redact(v),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_found_and_never_printed() {
        let s = find(None, "ghp_R4nd0mLooking1234567890abcdefABCDEF").expect("github");
        assert_eq!(s.kind, "GitHub token");
        assert!(!s.preview.contains("R4nd0m"));
        assert_eq!(
            find(Some("X"), "AKIA4J7QZ2MLK5NBV3XC").map(|s| s.kind),
            Some("AWS access key")
        );
        assert_eq!(
            find(Some("OPENAI_API_KEY"), "sk-proj-8fJ2kLm9Qx7vN3bT5wR1yZ6a").map(|s| s.kind),
            Some("OpenAI API key")
        );
        assert_eq!(
            find(
                Some("Authorization"),
                "Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0"
            )
            .map(|s| s.kind),
            Some("bearer token")
        );
    }

    #[test]
    fn references_and_placeholders_are_not_secrets() {
        for v in [
            "${input:github_token}",
            "${env:GITHUB_TOKEN}",
            "$GITHUB_TOKEN",
            "{env:OPENAI_API_KEY}",
            "%API_KEY%",
            "<your-token-here>",
            "YOUR_API_KEY_HERE",
            "AKIAXXXXXXXXXXXXXXXX",
            "AKIAIOSFODNN7EXAMPLE",
            "Bearer ${input:token}",
        ] {
            assert_eq!(find(Some("API_TOKEN"), v), None, "{v}");
        }
        // Named like a secret but not one: a path, a URL, a word.
        assert_eq!(find(Some("AUTH_FILE"), "/home/me/.config/token"), None);
        assert_eq!(find(Some("AUTH_MODE"), "oauth-device-flow"), None);
        assert_eq!(find(Some("PATH"), "a8f3k2-b9c1-4d2e-8f7a"), None);
        assert!(find(Some("DB_PASSWORD"), "hunter2-Xk93-prod").is_some());
    }
}
