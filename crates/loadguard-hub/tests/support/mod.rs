//! A Hub-shaped HTTP server on 127.0.0.1 for the tests (this crate's and
//! the CLI's): revision info, a recursive tree listing in two pages,
//! `resolve` URLs that redirect LFS files to a second "CDN" host (and on to
//! a third), Range and no-Range modes, gated, missing and rate-limited
//! repositories. Real sockets; every request is recorded.
#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};

pub const SHA: &str = "0123456789abcdef0123456789abcdef01234567";
pub const TOKEN: &str = "hf_secret_test_token";

/// A file's bytes: stored, or computed for any range (a 2 GB checkpoint
/// that no test holds in memory).
#[derive(Clone)]
pub enum Body {
    Bytes(Arc<Vec<u8>>),
    Virtual(Arc<VirtualZip>),
}

impl Body {
    fn len(&self) -> u64 {
        match self {
            Self::Bytes(b) => b.len() as u64,
            Self::Virtual(v) => v.len(),
        }
    }

    fn range(&self, a: u64, b: u64) -> Vec<u8> {
        match self {
            Self::Bytes(v) => v[a as usize..=b as usize].to_vec(),
            Self::Virtual(v) => v.range(a, b),
        }
    }
}

/// A torch.save zip with `data.pkl` and one STORED storage of `n` zero
/// bytes: the real bytes are its headers and directory; the storage is
/// computed.
pub struct VirtualZip {
    head: Vec<u8>,
    storage: u64,
    tail: Vec<u8>,
}

impl VirtualZip {
    pub fn new(pickle: &[u8], storage: u64) -> Self {
        let mut head = Vec::new();
        let mut cd = Vec::new();
        let mut add = |name: &str, data: Option<&[u8]>, size: u64, head: &mut Vec<u8>| {
            let offset = head.len() as u64;
            let crc = data.map_or(0, crc32);
            let mut lh = vec![0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0];
            lh.extend(crc.to_le_bytes());
            lh.extend((size as u32).to_le_bytes());
            lh.extend((size as u32).to_le_bytes());
            lh.extend((name.len() as u16).to_le_bytes());
            lh.extend(0u16.to_le_bytes());
            lh.extend(name.as_bytes());
            head.extend(&lh);
            if let Some(d) = data {
                head.extend(d);
            }
            let mut c = vec![0x50, 0x4b, 0x01, 0x02, 20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0];
            c.extend(crc.to_le_bytes());
            c.extend((size as u32).to_le_bytes());
            c.extend((size as u32).to_le_bytes());
            c.extend((name.len() as u16).to_le_bytes());
            c.extend([0u8; 12]);
            c.extend((offset as u32).to_le_bytes());
            c.extend(name.as_bytes());
            cd.push(c);
        };
        add(
            "archive/data.pkl",
            Some(pickle),
            pickle.len() as u64,
            &mut head,
        );
        add("archive/data/0", None, storage, &mut head);
        let cd_offset = head.len() as u64 + storage;
        let cd_bytes: Vec<u8> = cd.concat();
        let mut tail = cd_bytes.clone();
        tail.extend([0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 2, 0, 2, 0]);
        tail.extend((cd_bytes.len() as u32).to_le_bytes());
        tail.extend((cd_offset as u32).to_le_bytes());
        tail.extend(0u16.to_le_bytes());
        Self {
            head,
            storage,
            tail,
        }
    }

    /// Any file: real `head`, `storage` zero bytes, real `tail`.
    pub fn raw(head: Vec<u8>, storage: u64, tail: Vec<u8>) -> Self {
        Self {
            head,
            storage,
            tail,
        }
    }

    fn len(&self) -> u64 {
        self.head.len() as u64 + self.storage + self.tail.len() as u64
    }

    fn range(&self, a: u64, b: u64) -> Vec<u8> {
        let h = self.head.len() as u64;
        (a..=b)
            .map(|i| {
                if i < h {
                    self.head[i as usize]
                } else if i < h + self.storage {
                    0
                } else {
                    self.tail[(i - h - self.storage) as usize]
                }
            })
            .collect()
    }
}

pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A plain zip of many small STORED members (a checkpoint of 200,000
/// tensors), built in memory.
pub fn many_member_zip(n: usize, pickle: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut cd = Vec::new();
    let mut entries = vec![("archive/data.pkl".to_owned(), pickle.to_vec())];
    entries.extend((0..n).map(|i| (format!("archive/data/{i}"), vec![1u8, 2, 3, 4])));
    for (name, data) in &entries {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let mut lh = vec![0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        lh.extend(crc.to_le_bytes());
        lh.extend((data.len() as u32).to_le_bytes());
        lh.extend((data.len() as u32).to_le_bytes());
        lh.extend((name.len() as u16).to_le_bytes());
        lh.extend(0u16.to_le_bytes());
        lh.extend(name.as_bytes());
        out.extend(lh);
        out.extend(data);
        let mut c = vec![0x50, 0x4b, 0x01, 0x02, 20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        c.extend(crc.to_le_bytes());
        c.extend((data.len() as u32).to_le_bytes());
        c.extend((data.len() as u32).to_le_bytes());
        c.extend((name.len() as u16).to_le_bytes());
        c.extend([0u8; 12]);
        c.extend(offset.to_le_bytes());
        c.extend(name.as_bytes());
        cd.extend(c);
    }
    let cd_offset = out.len() as u32;
    let count = entries.len().min(0xffff) as u16;
    out.extend(&cd);
    out.extend([0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0]);
    out.extend(count.to_le_bytes());
    out.extend(count.to_le_bytes());
    out.extend((cd.len() as u32).to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

#[derive(Debug, Clone)]
pub struct Seen {
    pub host: String,
    pub path: String,
    pub authorization: Option<String>,
}

#[derive(Clone, Copy, PartialEq)]
pub enum Mode {
    Range,
    IgnoreRange,
    /// Honours ranges, but refuses (403) every range that starts below the
    /// bound: the end of a zip reads, its members do not.
    FailBelow(u64),
}

pub struct Repo {
    pub files: Vec<(String, Body, bool)>,
    pub status: Option<(u16, &'static str)>,
}

pub struct Hub {
    pub api: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

pub fn fixture(rel: &str) -> Vec<u8> {
    // Used from this crate's tests and from the CLI's (the workspace root).
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = [
        manifest.join("tests/fixtures"),
        manifest.join("../../tests/fixtures"),
    ]
    .into_iter()
    .find(|p| p.join("malicious").is_dir())
    .expect("fixtures folder");
    std::fs::read(root.join(rel)).expect("fixture")
}

thread_local! {
    /// The request being answered is a HEAD: headers only.
    static HEAD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

pub fn read_request(stream: &TcpStream) -> Option<(String, HashMap<String, String>)> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    HEAD.with(|h| h.set(line.starts_with("HEAD ")));
    let path = line.split_whitespace().nth(1)?.to_owned();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).ok()? == 0 || h == "\r\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    Some((path, headers))
}

pub fn respond(mut stream: TcpStream, status: u16, headers: &[(&str, String)], body: &[u8]) {
    let mut head = format!(
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    if !HEAD.with(std::cell::Cell::get) {
        let _ = stream.write_all(body);
    }
    let _ = stream.flush();
}

/// A stable fake content hash for a file name (the mock's ETag).
pub fn etag(name: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}{h:016x}{h:016x}{h:016x}")
}

/// Serves file bytes with or without Range.
pub fn serve_file(stream: TcpStream, headers: &HashMap<String, String>, body: &Body, mode: Mode) {
    let len = body.len();
    let range = headers
        .get("range")
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.split_once('-'))
        .and_then(|(a, b)| Some((a.parse::<u64>().ok()?, b.parse::<u64>().ok()?)));
    match (mode, range) {
        (Mode::FailBelow(bound), Some((a, _))) if a < bound => respond(stream, 403, &[], b"{}"),
        (Mode::Range | Mode::FailBelow(_), Some((a, b))) if a < len => {
            let b = b.min(len - 1);
            respond(
                stream,
                206,
                &[("Content-Range", format!("bytes {a}-{b}/{len}"))],
                &body.range(a, b),
            );
        }
        _ if len <= 64 << 20 => respond(
            stream,
            200,
            &[
                ("X-Repo-Commit", SHA.to_owned()),
                ("ETag", "\"f00d\"".to_owned()),
            ],
            &body.range(0, len.saturating_sub(1)),
        ),
        // A server that ignores Range on a huge file: a body too large to read.
        _ => respond(stream, 200, &[], &vec![0u8; (64 << 20) + 1]),
    }
}

pub fn start(repos: HashMap<String, Repo>, mode: Mode) -> Hub {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let cdn = TcpListener::bind("127.0.0.1:0").expect("bind");
    let cdn_addr = format!("http://{}", cdn.local_addr().expect("addr"));
    let third = TcpListener::bind("127.0.0.1:0").expect("bind");
    let third_addr = format!("http://{}", third.local_addr().expect("addr"));
    let api = TcpListener::bind("127.0.0.1:0").expect("bind");
    let api_addr = format!("http://{}", api.local_addr().expect("addr"));
    let repos = Arc::new(repos);
    // The CDN and the third host: serve `/cdn/<repo>/<path>`; the CDN sends
    // `/hop/...` on to the third host.
    for (listener, name) in [(cdn, "cdn"), (third, "third")] {
        let repos = Arc::clone(&repos);
        let seen = Arc::clone(&seen);
        let third_addr = third_addr.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let Some((path, headers)) = read_request(&stream) else {
                    continue;
                };
                seen.lock().expect("lock").push(Seen {
                    host: name.into(),
                    path: path.clone(),
                    authorization: headers.get("authorization").cloned(),
                });
                if let Some(rest) = path.strip_prefix("/hop/") {
                    respond(
                        stream,
                        302,
                        &[("Location", format!("{third_addr}/cdn/{rest}"))],
                        b"",
                    );
                    continue;
                }
                let file = path.strip_prefix("/cdn/").and_then(|rest| {
                    repos.iter().find_map(|(id, repo)| {
                        let p = rest.strip_prefix(&format!("{id}/"))?;
                        repo.files
                            .iter()
                            .find(|(n, _, _)| n == p)
                            .map(|(_, b, _)| b.clone())
                    })
                });
                match file {
                    Some(body) => serve_file(stream, &headers, &body, mode),
                    None => respond(stream, 404, &[], b"no"),
                }
            }
        });
    }
    {
        let seen = Arc::clone(&seen);
        let repos = Arc::clone(&repos);
        let api_for_links = api_addr.clone();
        std::thread::spawn(move || {
            for stream in api.incoming().flatten() {
                let Some((path, headers)) = read_request(&stream) else {
                    continue;
                };
                seen.lock().expect("lock").push(Seen {
                    host: "api".into(),
                    path: path.clone(),
                    authorization: headers.get("authorization").cloned(),
                });
                route(
                    stream,
                    &path,
                    &headers,
                    &repos,
                    &cdn_addr,
                    &api_for_links,
                    mode,
                );
            }
        });
    }
    Hub {
        api: api_addr,
        seen,
    }
}

pub fn route(
    stream: TcpStream,
    path: &str,
    headers: &HashMap<String, String>,
    repos: &HashMap<String, Repo>,
    cdn: &str,
    api: &str,
    mode: Mode,
) {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    // Dataset repositories answer like model repositories, under their own
    // prefixes (`/api/datasets/`, `/datasets/{id}/resolve/`).
    let path = path.strip_prefix("/datasets").unwrap_or(path);
    if let Some(rest) = path
        .strip_prefix("/api/models/")
        .or_else(|| path.strip_prefix("/api/datasets/"))
    {
        let Some((id, tail)) = repos
            .keys()
            .find_map(|id| rest.strip_prefix(&format!("{id}/")).map(|t| (id, t)))
        else {
            return respond(
                stream,
                404,
                &[("X-Error-Code", "RepoNotFound".into())],
                b"{}",
            );
        };
        let repo = &repos[id];
        if let Some((status, code)) = repo.status {
            return respond(
                stream,
                status,
                &[("X-Error-Code", code.into()), ("Retry-After", "0".into())],
                b"{}",
            );
        }
        if tail.starts_with("revision/") {
            let body = format!(r#"{{"id": "{id}", "sha": "{SHA}"}}"#);
            return respond(stream, 200, &[], body.as_bytes());
        }
        if tail == format!("tree/{SHA}") {
            let entry = |(name, body, lfs): &(String, Body, bool)| {
                let lfs = if *lfs {
                    format!(
                        r#", "lfs": {{"oid": "{}", "size": {}, "pointerSize": 132}}, "xetHash": "{}""#,
                        "ab".repeat(32),
                        body.len(),
                        "cd".repeat(32)
                    )
                } else {
                    String::new()
                };
                let status = if name.ends_with(".pkl") {
                    "unsafe"
                } else {
                    "safe"
                };
                format!(
                    r#"{{"type": "file", "oid": "{}", "path": "{name}", "size": {}{lfs}, "securityFileStatus": {{"status": "{status}", "avScan": {{"virusFound": false, "virusNames": null}}, "pickleImportScan": null}}}}"#,
                    &etag(name)[..40],
                    body.len()
                )
            };
            let half = repo.files.len() / 2;
            let (page, link) = if query.contains("cursor=2") {
                (&repo.files[half..], None)
            } else {
                (
                    &repo.files[..half],
                    Some(format!(
                        "<{api}/api/models/{id}/tree/{SHA}?recursive=true&expand=true&cursor=2>; rel=\"next\""
                    )),
                )
            };
            let mut entries: Vec<String> = page.iter().map(entry).collect();
            if link.is_some() {
                entries.push(r#"{"type": "directory", "oid": "0000000000000000000000000000000000000000", "path": "sub"}"#.into());
            }
            let body = format!("[{}]", entries.join(","));
            let headers: Vec<(&str, String)> = link.into_iter().map(|l| ("Link", l)).collect();
            return respond(stream, 200, &headers, body.as_bytes());
        }
        return respond(stream, 404, &[], b"{}");
    }
    // /{id}/resolve/{sha}/{path}
    for (id, repo) in repos {
        let Some(p) = path.strip_prefix(&format!("/{id}/resolve/{SHA}/")) else {
            continue;
        };
        let Some((_, body, lfs)) = repo.files.iter().find(|(n, _, _)| n == p) else {
            return respond(
                stream,
                404,
                &[("X-Error-Code", "EntryNotFound".into())],
                b"",
            );
        };
        if *lfs {
            // LFS files live on the CDN; `hop/` files take one more redirect.
            let target = if p.starts_with("hop") {
                format!("{cdn}/hop/{id}/{p}")
            } else {
                format!("{cdn}/cdn/{id}/{p}")
            };
            return respond(
                stream,
                302,
                &[
                    ("Location", target),
                    ("X-Repo-Commit", SHA.to_owned()),
                    ("X-Linked-Size", body.len().to_string()),
                    ("X-Linked-Etag", format!("\"{}\"", etag(p))),
                ],
                b"",
            );
        }
        return serve_file(stream, headers, body, mode);
    }
    respond(stream, 404, &[], b"")
}

pub fn bytes(b: Vec<u8>) -> Body {
    Body::Bytes(Arc::new(b))
}

pub fn poisoned_and_clean() -> HashMap<String, Repo> {
    let mut repos = HashMap::new();
    repos.insert(
        "o/poisoned".to_owned(),
        Repo {
            files: vec![
                (
                    "README.md".into(),
                    bytes(fixture("cards/malicious/AT004.md")),
                    false,
                ),
                (
                    "config.json".into(),
                    bytes(br#"{"model_type": "x", "auto_map": {"AutoModel": "m.M"}}"#.to_vec()),
                    false,
                ),
                (
                    "payload.pkl".into(),
                    bytes(fixture("malicious/os_system_p2.pkl")),
                    true,
                ),
                (
                    "pytorch_model.bin".into(),
                    bytes(fixture("containers/malicious/payload.pt")),
                    true,
                ),
                (
                    "model.safetensors".into(),
                    bytes(fixture("containers/benign/model.safetensors")),
                    true,
                ),
                (
                    "template.gguf".into(),
                    bytes(fixture("containers/malicious/ssti_template.gguf")),
                    true,
                ),
                (
                    "hop.pt".into(),
                    bytes(fixture("containers/malicious/payload.pt")),
                    true,
                ),
            ],
            status: None,
        },
    );
    repos.insert(
        "o/clean".to_owned(),
        Repo {
            files: vec![
                (
                    "config.json".into(),
                    bytes(br#"{"model_type": "bert", "hidden_size": 4}"#.to_vec()),
                    false,
                ),
                (
                    "state_dict.pt".into(),
                    bytes(fixture("containers/benign/state_dict.pt")),
                    true,
                ),
                (
                    "tokenizer.model".into(),
                    bytes(b"\x0a\x05hello".to_vec()),
                    false,
                ),
            ],
            status: None,
        },
    );
    repos.insert(
        "o/gated".to_owned(),
        Repo {
            files: vec![],
            status: Some((401, "GatedRepo")),
        },
    );
    repos.insert(
        "o/busy".to_owned(),
        Repo {
            files: vec![],
            status: Some((429, "RateLimited")),
        },
    );
    repos
}
