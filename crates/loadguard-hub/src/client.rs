//! The Hub's HTTP API, synchronously, on `ureq` with rustls. What the client
//! does on its own rather than leaving to the HTTP library:
//!
//! - **Redirects** are followed here (at most [`MAX_REDIRECTS`]): the token
//!   goes only to the configured endpoint's origin (scheme, host, port),
//!   never to the CDN a file redirects to, nor to any third host, nor to
//!   the same host over plain HTTP.
//! - **Sizes** are bounded: API answers by [`MAX_API_BYTES`], file reads by
//!   what the caller asks for; a server that ignores `Range` is detected (a
//!   `200` where `206` was asked) and never read past the caller's bound.
//! - **Retries** on `429` and `5xx`, bounded in count and wait
//!   (`Retry-After` honoured up to [`MAX_RETRY_WAIT`]).
//! - **Errors** name the repository and what went wrong (`RepoNotFound`,
//!   `GatedRepo`, rate limits), never the token.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::target::{HubTarget, percent_encode};

pub const MAX_REDIRECTS: usize = 5;
pub const MAX_API_BYTES: u64 = 64 << 20;
pub const MAX_RETRIES: u32 = 3;
pub const MAX_RETRY_WAIT: Duration = Duration::from_secs(10);
/// Tree listing pages followed at most (each holds up to 1,000 entries).
pub const MAX_PAGES: usize = 1000;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error("{0}: not found (repository, revision or file)")]
    NotFound(String),
    #[error("{0}: gated or private; a token with access is needed (HF_TOKEN)")]
    Gated(String),
    #[error("{0}: rate limited by the Hub; try again later")]
    RateLimited(String),
    #[error("{0}: HTTP {1}")]
    Status(String, u16),
    #[error("{0}: {1}")]
    Transport(String, String),
    #[error("{0}: {1}")]
    Protocol(String, String),
    #[error("offline (HF_HUB_OFFLINE=1): {0} is not in the local cache")]
    Offline(String),
}

/// Requests and bytes, for the progress line and the benchmark.
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub bytes: AtomicU64,
}

impl Stats {
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }
}

/// Where and how to reach the Hub.
#[derive(Debug, Clone)]
pub struct HubConfig {
    /// `HF_ENDPOINT` or `https://huggingface.co`, without a trailing `/`.
    pub endpoint: String,
    pub token: Option<String>,
    pub timeout: Duration,
}

impl HubConfig {
    /// The endpoint alone (`HF_ENDPOINT` or the public Hub), to recognise
    /// Hub URLs on the command line without reading a token.
    pub fn from_env_endpoint() -> String {
        std::env::var("HF_ENDPOINT")
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| "https://huggingface.co".to_owned())
            .trim_end_matches('/')
            .to_owned()
    }

    /// From the environment, as `huggingface_hub` reads it: `HF_ENDPOINT`;
    /// `HF_TOKEN`, then `HUGGING_FACE_HUB_TOKEN`, then the file
    /// `$HF_TOKEN_PATH` or `$HF_HOME/token`.
    pub fn from_env() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let endpoint = Self::from_env_endpoint();
        let token = var("HF_TOKEN")
            .or_else(|| var("HUGGING_FACE_HUB_TOKEN"))
            .or_else(|| {
                let path = var("HF_TOKEN_PATH")
                    .map(std::path::PathBuf::from)
                    .unwrap_or_else(|| crate::cache::hf_home().join("token"));
                std::fs::read_to_string(path)
                    .ok()
                    .map(|t| t.trim().to_owned())
                    .filter(|t| !t.is_empty())
            })
            .map(|t| t.trim().to_owned());
        Self {
            endpoint,
            token,
            timeout: Duration::from_secs(60),
        }
    }
}

/// A file of a repository at a commit, as the listing describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoFile {
    pub path: String,
    pub size: u64,
    /// sha256 of the content, for LFS files.
    pub lfs_sha256: Option<String>,
    /// The Xet content hash, for files stored on Xet (`xetHash`).
    pub xet_hash: Option<String>,
    /// The Hub's own scan status of the file (`securityFileStatus.status`).
    pub hub_status: Option<String>,
}

/// A connection to the Hub.
pub struct Client {
    agent: ureq::Agent,
    pub config: HubConfig,
    pub stats: Arc<Stats>,
    endpoint_origin: Option<(String, String, u16)>,
}

/// A response's parts that matter here.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
    /// The `Link` header's `rel="next"` target.
    pub(crate) next: Option<String>,
    pub(crate) content_range: Option<String>,
    pub(crate) error_code: Option<String>,
    /// The URL that finally answered (after redirects).
    pub(crate) url: String,
}

/// Scheme, host and port of a URL (`http::Uri`, as ureq reads it): the
/// token goes to the endpoint's origin only, so neither another host nor a
/// downgrade to plain HTTP on the same host receives it.
fn origin_key(url: &str) -> Option<(String, String, u16)> {
    let uri: ureq::http::Uri = url.parse().ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let port = uri.port_u16().or(match scheme.as_str() {
        "https" => Some(443),
        "http" => Some(80),
        _ => None,
    })?;
    Some((scheme, uri.host()?.to_ascii_lowercase(), port))
}

/// `scheme://authority` of a URL, to resolve an absolute-path reference.
fn origin_of(url: &str) -> String {
    match url.parse::<ureq::http::Uri>() {
        Ok(uri) => match (uri.scheme_str(), uri.authority()) {
            (Some(scheme), Some(authority)) => format!("{scheme}://{authority}"),
            _ => url.to_owned(),
        },
        Err(_) => url.to_owned(),
    }
}

impl Client {
    pub fn new(config: HubConfig) -> Self {
        let agent = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .timeout_global(Some(config.timeout))
            .user_agent("loadguard")
            .build()
            .new_agent();
        Self {
            agent,
            endpoint_origin: origin_key(&config.endpoint),
            config,
            stats: Arc::new(Stats::default()),
        }
    }

    /// GET `url` (following redirects, retrying), reading at most `limit`
    /// body bytes. `range` asks for `bytes=a-b` (inclusive).
    pub(crate) fn get(
        &self,
        url: &str,
        range: Option<(u64, u64)>,
        limit: u64,
        what: &str,
    ) -> Result<Answer, HubError> {
        let mut url = url.to_owned();
        let mut attempt = 0;
        let mut redirects = 0;
        loop {
            let mut req = self.agent.get(&url).header("Accept-Encoding", "identity");
            if let Some((a, b)) = range {
                req = req.header("Range", &format!("bytes={a}-{b}"));
            }
            // The token goes to the configured Hub only.
            if let Some(token) = &self.config.token
                && self.endpoint_origin.is_some()
                && origin_key(&url) == self.endpoint_origin
            {
                req = req.header("Authorization", &format!("Bearer {token}"));
            }
            self.stats.requests.fetch_add(1, Ordering::Relaxed);
            let mut resp = req
                .call()
                .map_err(|e| HubError::Transport(what.to_owned(), self.redact(&e.to_string())))?;
            let status = resp.status().as_u16();
            let header = |name: &str| {
                resp.headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            if matches!(status, 301 | 302 | 303 | 307 | 308) {
                redirects += 1;
                if redirects > MAX_REDIRECTS {
                    return Err(HubError::Protocol(
                        what.to_owned(),
                        "too many redirects".into(),
                    ));
                }
                let location = header("Location").ok_or_else(|| {
                    HubError::Protocol(what.to_owned(), "redirect without Location".into())
                })?;
                url = if location.starts_with('/') {
                    format!("{}{location}", origin_of(&url))
                } else if location.starts_with("http://") || location.starts_with("https://") {
                    location
                } else {
                    return Err(HubError::Protocol(
                        what.to_owned(),
                        "redirect to an unsupported location".into(),
                    ));
                };
                continue;
            }
            if (status == 429 || status >= 500) && attempt < MAX_RETRIES {
                attempt += 1;
                let wait = header("Retry-After")
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map_or(Duration::from_millis(200 << attempt), Duration::from_secs)
                    .min(MAX_RETRY_WAIT);
                std::thread::sleep(wait);
                continue;
            }
            let next = header("Link").and_then(|l| next_link(&l));
            let content_range = header("Content-Range");
            let error_code = header("X-Error-Code");
            let body = resp.body_mut().with_config().limit(limit).read_to_vec();
            let body = match body {
                Ok(b) => b,
                // A body over the limit: keep what the caller may read.
                Err(ureq::Error::BodyExceedsLimit(_)) => {
                    return Err(HubError::Protocol(
                        what.to_owned(),
                        format!("answer larger than {limit} bytes"),
                    ));
                }
                Err(e) => {
                    return Err(HubError::Transport(
                        what.to_owned(),
                        self.redact(&e.to_string()),
                    ));
                }
            };
            self.stats
                .bytes
                .fetch_add(body.len() as u64, Ordering::Relaxed);
            return Ok(Answer {
                status,
                body,
                next,
                content_range,
                error_code,
                url,
            });
        }
    }

    fn redact(&self, s: &str) -> String {
        match &self.config.token {
            Some(t) if !t.is_empty() => s.replace(t.as_str(), "<token>"),
            _ => s.to_owned(),
        }
    }

    /// Maps an error status to an error.
    pub(crate) fn check(&self, a: &Answer, what: &str) -> Result<(), HubError> {
        match a.status {
            200..=299 => Ok(()),
            401 | 403 if a.error_code.as_deref() != Some("RepoNotFound") => {
                Err(HubError::Gated(what.to_owned()))
            }
            401 | 404 => Err(HubError::NotFound(what.to_owned())),
            429 => Err(HubError::RateLimited(what.to_owned())),
            s => Err(HubError::Status(what.to_owned(), s)),
        }
    }

    fn api_json(
        &self,
        url: &str,
        what: &str,
    ) -> Result<(serde_json::Value, Option<String>), HubError> {
        let a = self.get(url, None, MAX_API_BYTES, what)?;
        self.check(&a, what)?;
        let v = serde_json::from_slice(&a.body)
            .map_err(|e| HubError::Protocol(what.to_owned(), format!("not JSON: {e}")))?;
        Ok((v, a.next))
    }

    /// The commit a revision names (`GET /api/{kind}/{id}/revision/{rev}`).
    pub fn resolve_commit(&self, t: &HubTarget) -> Result<String, HubError> {
        let what = t.display(None);
        let url = format!(
            "{}/api/{}/{}/revision/{}",
            self.config.endpoint,
            t.kind.api(),
            t.repo_id,
            percent_encode(t.revision())
        );
        let (v, _) = self.api_json(&url, &what)?;
        let sha = v["sha"].as_str().unwrap_or_default();
        if sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(sha.to_ascii_lowercase())
        } else {
            Err(HubError::Protocol(
                what,
                "the revision did not resolve to a commit".into(),
            ))
        }
    }

    /// Every file at `commit` (recursive tree listing, all pages).
    pub fn list_files(&self, t: &HubTarget, commit: &str) -> Result<Vec<RepoFile>, HubError> {
        let what = t.display(Some(commit));
        let mut url = format!(
            "{}/api/{}/{}/tree/{commit}?recursive=true&expand=true",
            self.config.endpoint,
            t.kind.api(),
            t.repo_id
        );
        let mut files = Vec::new();
        for _ in 0..MAX_PAGES {
            let (v, next) = self.api_json(&url, &what)?;
            for e in v.as_array().into_iter().flatten() {
                if e["type"].as_str() != Some("file") {
                    continue;
                }
                let Some(path) = e["path"].as_str() else {
                    continue;
                };
                files.push(RepoFile {
                    path: path.to_owned(),
                    size: e["size"].as_u64().unwrap_or(0),
                    lfs_sha256: e["lfs"]["oid"].as_str().map(str::to_owned),
                    xet_hash: e["xetHash"].as_str().map(str::to_owned),
                    hub_status: e["securityFileStatus"]["status"]
                        .as_str()
                        .map(str::to_owned),
                });
            }
            match next {
                // Pages must stay on the endpoint (a listing cannot send the
                // token elsewhere: `get` would not attach it anyway).
                Some(n) => {
                    url = if n.starts_with('/') {
                        format!("{}{n}", origin_of(&self.config.endpoint))
                    } else {
                        n
                    }
                }
                None => return Ok(files),
            }
        }
        Err(HubError::Protocol(
            what,
            "the tree listing has too many pages".into(),
        ))
    }

    /// The URL of a file's bytes at a commit. Every segment of the
    /// listing's path is encoded, `.` and `..` included, so that a hostile
    /// listing cannot walk the request to another URL of the Hub.
    pub fn file_url(&self, t: &HubTarget, commit: &str, path: &str) -> String {
        let encoded: Vec<String> = path
            .split('/')
            .map(|seg| match seg {
                "." => "%2E".to_owned(),
                ".." => "%2E%2E".to_owned(),
                s => percent_encode(s),
            })
            .collect();
        format!(
            "{}/{}{}/resolve/{commit}/{}",
            self.config.endpoint,
            t.kind.url_prefix(),
            t.repo_id,
            encoded.join("/")
        )
    }
}

/// `<url>; rel="next"` from a `Link` header.
fn next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        params
            .split(';')
            .any(|p| p.trim().replace(' ', "") == "rel=\"next\"")
            .then(|| {
                url.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_owned()
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_headers_and_hosts() {
        assert_eq!(
            next_link(r#"<https://h/api/models/o/m/tree/x?cursor=2>; rel="next""#).as_deref(),
            Some("https://h/api/models/o/m/tree/x?cursor=2")
        );
        assert_eq!(next_link(r#"<https://h/x>; rel="prev""#), None);
        let key = |u: &str| origin_key(u).map(|(s, h, p)| format!("{s}://{h}:{p}"));
        assert_eq!(
            key("http://127.0.0.1:8080/a/b").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            key("https://HuggingFace.co/x").as_deref(),
            Some("https://huggingface.co:443")
        );
        assert_eq!(
            key("https://huggingface.co:443/").as_deref(),
            Some("https://huggingface.co:443")
        );
        // A downgrade to plain HTTP on the same host is another origin.
        assert_ne!(
            key("http://huggingface.co/x"),
            key("https://huggingface.co/x")
        );
        // Userinfo is not the host.
        assert_eq!(
            key("https://huggingface.co@evil.example/x").as_deref(),
            Some("https://evil.example:443")
        );
        assert_eq!(
            origin_of("https://huggingface.co/api/x"),
            "https://huggingface.co"
        );
    }
}
