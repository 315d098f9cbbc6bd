//! `hf:` targets and Hub URLs: which repository, which revision.
//!
//! `hf:org/name`, `hf:name` (legacy single-segment ids), `@revision` (a
//! branch, tag or commit; a revision with `/` such as `refs/pr/1` may be
//! percent-encoded), `hf:datasets/org/name`, `hf:spaces/org/name`, and
//! `https://huggingface.co/org/name[/tree/rev]` (or the same under the
//! configured endpoint).

/// The kind of repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepoKind {
    Model,
    Dataset,
    Space,
}

impl RepoKind {
    /// The path segment of the API (`/api/models/...`).
    pub fn api(self) -> &'static str {
        match self {
            Self::Model => "models",
            Self::Dataset => "datasets",
            Self::Space => "spaces",
        }
    }

    /// The prefix of file URLs (`/datasets/org/name/resolve/...`).
    pub fn url_prefix(self) -> &'static str {
        match self {
            Self::Model => "",
            Self::Dataset => "datasets/",
            Self::Space => "spaces/",
        }
    }

    /// The folder prefix in the local cache (`models--org--name`).
    pub fn cache_prefix(self) -> &'static str {
        self.api()
    }
}

/// A repository and the revision asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubTarget {
    pub kind: RepoKind,
    /// `org/name` or a legacy `name`.
    pub repo_id: String,
    /// As given (decoded); `None` means `main`.
    pub revision: Option<String>,
}

impl HubTarget {
    /// The revision to resolve.
    pub fn revision(&self) -> &str {
        self.revision.as_deref().unwrap_or("main")
    }

    /// `hf:org/name@rev` (or `hf:datasets/...`), for reports.
    pub fn display(&self, commit: Option<&str>) -> String {
        let kind = match self.kind {
            RepoKind::Model => "",
            RepoKind::Dataset => "datasets/",
            RepoKind::Space => "spaces/",
        };
        format!(
            "hf:{kind}{}@{}",
            self.repo_id,
            commit.unwrap_or(self.revision())
        )
    }
}

/// Why a target cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a Hugging Face repository: {0}")]
pub struct TargetError(pub String);

/// Whether `s` looks like a Hub target (`hf:...` or a Hub URL under
/// `endpoint`).
pub fn is_hub_target(s: &str, endpoint: &str) -> bool {
    s.starts_with("hf:")
        || s.starts_with(&format!("{}/", endpoint.trim_end_matches('/')))
        || s.starts_with("https://huggingface.co/")
}

/// Parses `hf:...` or a Hub URL.
pub fn parse(s: &str, endpoint: &str) -> Result<HubTarget, TargetError> {
    let err = || TargetError(s.to_owned());
    if let Some(rest) = s.strip_prefix("hf:") {
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let (id, revision) = match rest.split_once('@') {
            Some((id, rev)) => (id, Some(percent_decode(rev).ok_or_else(err)?)),
            None => (rest, None),
        };
        let (kind, id) = kind_and_id(id);
        return build(kind, id, revision).ok_or_else(err);
    }
    let base = [endpoint.trim_end_matches('/'), "https://huggingface.co"]
        .into_iter()
        .find_map(|b| s.strip_prefix(&format!("{b}/")))
        .ok_or_else(err)?;
    let (kind, path) = kind_and_id(base.trim_end_matches('/'));
    let parts: Vec<&str> = path.split('/').collect();
    let (id_parts, revision) = match parts.iter().position(|p| *p == "tree" || *p == "blob") {
        Some(i) => {
            let rev = match parts.get(i + 1) {
                Some(r) => Some(percent_decode(r).ok_or_else(err)?),
                None => None,
            };
            (&parts[..i], rev)
        }
        None => (&parts[..], None),
    };
    build(kind, &id_parts.join("/"), revision).ok_or_else(err)
}

fn kind_and_id(s: &str) -> (RepoKind, &str) {
    if let Some(rest) = s.strip_prefix("datasets/") {
        (RepoKind::Dataset, rest)
    } else if let Some(rest) = s.strip_prefix("spaces/") {
        (RepoKind::Space, rest)
    } else if let Some(rest) = s.strip_prefix("models/") {
        (RepoKind::Model, rest)
    } else {
        (RepoKind::Model, s)
    }
}

fn build(kind: RepoKind, id: &str, revision: Option<String>) -> Option<HubTarget> {
    let parts: Vec<&str> = id.split('/').collect();
    let valid = |p: &str| {
        !p.is_empty()
            && p != "."
            && p != ".."
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    if parts.is_empty() || parts.len() > 2 || !parts.iter().all(|p| valid(p)) {
        return None;
    }
    if revision.as_deref().is_some_and(|r| {
        r.is_empty()
            || r.split('/').any(|p| p == ".." || p.is_empty())
            || r.chars().any(char::is_control)
    }) {
        return None;
    }
    Some(HubTarget {
        kind,
        repo_id: id.to_owned(),
        revision,
    })
}

/// `%2F` and friends; `None` on a malformed escape or non-UTF-8 result.
pub fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Percent-encodes one path segment (or a revision): everything but
/// unreserved characters.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const E: &str = "https://huggingface.co";

    fn t(kind: RepoKind, id: &str, rev: Option<&str>) -> HubTarget {
        HubTarget {
            kind,
            repo_id: id.into(),
            revision: rev.map(str::to_owned),
        }
    }

    #[test]
    fn targets_and_urls() {
        assert_eq!(
            parse("hf:org/name", E),
            Ok(t(RepoKind::Model, "org/name", None))
        );
        assert_eq!(parse("hf:gpt2", E), Ok(t(RepoKind::Model, "gpt2", None)));
        assert_eq!(
            parse("hf:org/name@refs%2Fpr%2F1", E),
            Ok(t(RepoKind::Model, "org/name", Some("refs/pr/1")))
        );
        assert_eq!(
            parse("hf:datasets/org/data@v1.0", E),
            Ok(t(RepoKind::Dataset, "org/data", Some("v1.0")))
        );
        assert_eq!(
            parse("hf:spaces/org/app", E),
            Ok(t(RepoKind::Space, "org/app", None))
        );
        assert_eq!(
            parse("https://huggingface.co/org/name/tree/dev", E),
            Ok(t(RepoKind::Model, "org/name", Some("dev")))
        );
        assert_eq!(
            parse("http://127.0.0.1:9/datasets/org/d", "http://127.0.0.1:9"),
            Ok(t(RepoKind::Dataset, "org/d", None))
        );
        for bad in [
            "hf:",
            "hf:a/b/c",
            "hf:../x",
            "hf:org/na me",
            "hf:org/name@",
            "hf:o/n@a%2F..%2Fb",
            "http://evil/o/n",
        ] {
            assert!(parse(bad, E).is_err(), "{bad}");
        }
        assert_eq!(percent_encode("refs/pr/1"), "refs%2Fpr%2F1");
        assert_eq!(
            t(RepoKind::Dataset, "o/d", None).display(Some("abc")),
            "hf:datasets/o/d@abc"
        );
    }
}
