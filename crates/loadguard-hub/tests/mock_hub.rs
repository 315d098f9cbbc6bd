//! A Hub-shaped HTTP server on 127.0.0.1, written here: revision info, a
//! recursive tree listing in two pages, `resolve` URLs that redirect LFS
//! files to a second "CDN" host, Range and no-Range modes, gated, missing
//! and rate-limited repositories. Real requests, real sockets, counted.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};

use loadguard_core::Severity;
use loadguard_hub::client::{Client, HubConfig, HubError};
use loadguard_hub::target;
use loadguard_pickle::Policy;
use loadguard_scan::ScanOptions;

const SHA: &str = "0123456789abcdef0123456789abcdef01234567";
const TOKEN: &str = "hf_secret_test_token";

/// A file's bytes: stored, or computed for any range (a 2 GB checkpoint
/// that no test holds in memory).
#[derive(Clone)]
enum Body {
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
struct VirtualZip {
    head: Vec<u8>,
    storage: u64,
    tail: Vec<u8>,
}

impl VirtualZip {
    fn new(pickle: &[u8], storage: u64) -> Self {
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

fn crc32(data: &[u8]) -> u32 {
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
fn many_member_zip(n: usize, pickle: &[u8]) -> Vec<u8> {
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
struct Seen {
    host: String,
    path: String,
    authorization: Option<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Range,
    IgnoreRange,
}

struct Repo {
    files: Vec<(String, Body, bool)>,
    status: Option<(u16, &'static str)>,
}

struct Hub {
    api: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures")
            .join(rel),
    )
    .expect("fixture")
}

fn read_request(stream: &TcpStream) -> Option<(String, HashMap<String, String>)> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
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

fn respond(mut stream: TcpStream, status: u16, headers: &[(&str, String)], body: &[u8]) {
    let mut head = format!(
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
    let _ = stream.flush();
}

/// Serves file bytes with or without Range.
fn serve_file(stream: TcpStream, headers: &HashMap<String, String>, body: &Body, mode: Mode) {
    let len = body.len();
    let range = headers
        .get("range")
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.split_once('-'))
        .and_then(|(a, b)| Some((a.parse::<u64>().ok()?, b.parse::<u64>().ok()?)));
    match (mode, range) {
        (Mode::Range, Some((a, b))) if a < len => {
            let b = b.min(len - 1);
            respond(
                stream,
                206,
                &[("Content-Range", format!("bytes {a}-{b}/{len}"))],
                &body.range(a, b),
            );
        }
        _ if len <= 64 << 20 => respond(stream, 200, &[], &body.range(0, len.saturating_sub(1))),
        // A server that ignores Range on a huge file: a body too large to read.
        _ => respond(stream, 200, &[], &vec![0u8; (64 << 20) + 1]),
    }
}

fn start(repos: HashMap<String, Repo>, mode: Mode) -> Hub {
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
                let _ = &api_for_links;
                route(stream, &path, &headers, &repos, &cdn_addr, mode);
            }
        });
    }
    Hub {
        api: api_addr,
        seen,
    }
}

fn route(
    stream: TcpStream,
    path: &str,
    headers: &HashMap<String, String>,
    repos: &HashMap<String, Repo>,
    cdn: &str,
    mode: Mode,
) {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    if let Some(rest) = path.strip_prefix("/api/models/") {
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
                        r#", "lfs": {{"oid": "{}", "size": {}}}"#,
                        "ab".repeat(32),
                        body.len()
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
                    r#"{{"type": "file", "path": "{name}", "size": {}{lfs}, "securityFileStatus": {{"status": "{status}"}}}}"#,
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
                        "</api/models/{id}/tree/{SHA}?recursive=true&expand=true&cursor=2>; rel=\"next\""
                    )),
                )
            };
            let mut entries: Vec<String> = page.iter().map(entry).collect();
            if link.is_some() {
                entries.push(r#"{"type": "directory", "path": "sub"}"#.into());
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
                    ("X-Linked-Size", body.len().to_string()),
                ],
                b"",
            );
        }
        return serve_file(stream, headers, body, mode);
    }
    respond(stream, 404, &[], b"")
}

fn bytes(b: Vec<u8>) -> Body {
    Body::Bytes(Arc::new(b))
}

fn client(hub: &Hub) -> Client {
    Client::new(HubConfig {
        endpoint: hub.api.clone(),
        token: Some(TOKEN.into()),
        timeout: std::time::Duration::from_secs(30),
    })
}

fn scan(hub: &Hub, spec: &str) -> Result<loadguard_hub::RepoScan, HubError> {
    let c = client(hub);
    let t = target::parse(spec, &hub.api).expect("target");
    loadguard_hub::scan_repo(
        &c,
        &t,
        Policy::builtin(),
        &ScanOptions::default(),
        |_, _| {},
    )
}

fn worst(r: &loadguard_hub::RepoScan, file: &str) -> Severity {
    r.files
        .iter()
        .find(|f| f.path.ends_with(file))
        .and_then(|f| f.findings.iter().map(|x| x.severity).max())
        .unwrap_or(Severity::Info)
}

fn codes(r: &loadguard_hub::RepoScan) -> Vec<&'static str> {
    let mut c: Vec<_> = r
        .findings
        .iter()
        .chain(r.files.iter().flat_map(|f| f.findings.iter()))
        .map(|f| f.rule.code)
        .collect();
    c.sort_unstable();
    c.dedup();
    c
}

fn poisoned_and_clean() -> HashMap<String, Repo> {
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

#[test]
fn payloads_are_found_through_the_hub_and_a_clean_repo_is_clean() {
    let hub = start(poisoned_and_clean(), Mode::Range);
    let r = scan(&hub, "hf:o/poisoned").expect("scan");
    assert_eq!(r.commit, SHA);
    assert_eq!(r.files.len(), 7, "both pages of the listing");
    assert!(worst(&r, "payload.pkl") >= Severity::Critical);
    assert!(worst(&r, "pytorch_model.bin") >= Severity::Critical);
    assert!(worst(&r, "hop.pt") >= Severity::Critical);
    assert!(worst(&r, "template.gguf") >= Severity::High);
    assert!(worst(&r, "README.md") >= Severity::High);
    for code in ["HUB001", "HUB007", "HUB010", "AT016", "PKL101", "GG005"] {
        assert!(
            codes(&r).contains(&code),
            "{code} missing from {:?}",
            codes(&r)
        );
    }
    // Every finding names the repository, the commit and the file.
    for f in r.files.iter().flat_map(|f| f.findings.iter()) {
        assert!(
            f.location
                .path
                .starts_with(&format!("hf:o/poisoned@{SHA}/")),
            "{}",
            f.location.path
        );
    }
    let clean = scan(&hub, &format!("hf:o/clean@{SHA}")).expect("scan");
    let worst_clean = clean
        .files
        .iter()
        .flat_map(|f| f.findings.iter())
        .map(|f| (f.severity, f.rule.code))
        .max();
    assert!(
        worst_clean.is_none_or(|(s, _)| s <= Severity::Low),
        "{worst_clean:?}"
    );
    assert!(clean.findings.is_empty(), "a pinned commit is not HUB001");
}

#[test]
fn the_token_reaches_the_hub_only() {
    let hub = start(poisoned_and_clean(), Mode::Range);
    scan(&hub, "hf:o/poisoned").expect("scan");
    let seen = hub.seen.lock().expect("lock").clone();
    let bearer = format!("Bearer {TOKEN}");
    assert!(
        seen.iter()
            .any(|s| s.host == "api" && s.authorization.as_deref() == Some(bearer.as_str()))
    );
    let elsewhere: Vec<_> = seen.iter().filter(|s| s.host != "api").collect();
    assert!(elsewhere.iter().any(|s| s.host == "cdn"));
    assert!(
        elsewhere
            .iter()
            .all(|s| s.path.starts_with("/cdn/") || s.path.starts_with("/hop/"))
    );
    assert!(
        elsewhere.iter().any(|s| s.host == "third"),
        "the hop to a third host was followed"
    );
    assert!(
        elsewhere.iter().all(|s| s.authorization.is_none()),
        "{:?}",
        elsewhere
            .iter()
            .filter(|s| s.authorization.is_some())
            .collect::<Vec<_>>()
    );
}

#[test]
fn hub_errors_are_clear() {
    let hub = start(poisoned_and_clean(), Mode::Range);
    assert!(matches!(scan(&hub, "hf:o/gated"), Err(HubError::Gated(_))));
    assert!(matches!(
        scan(&hub, "hf:o/missing"),
        Err(HubError::NotFound(_))
    ));
    assert!(matches!(
        scan(&hub, "hf:o/busy"),
        Err(HubError::RateLimited(_))
    ));
}

#[test]
fn a_server_that_ignores_range_is_detected() {
    let hub = start(poisoned_and_clean(), Mode::IgnoreRange);
    let r = scan(&hub, "hf:o/poisoned").expect("scan");
    // Small files are read whole instead: the payloads are still found.
    assert!(worst(&r, "pytorch_model.bin") >= Severity::Critical);
    assert!(codes(&r).contains(&"PKL101"));
}

#[test]
fn a_large_file_behind_a_server_that_ignores_range_is_not_scanned_and_says_so() {
    let mut repos = HashMap::new();
    let zip = VirtualZip::new(&fixture("malicious/os_system_p2.pkl"), 2 << 30);
    repos.insert(
        "o/big".to_owned(),
        Repo {
            files: vec![(
                "pytorch_model.bin".into(),
                Body::Virtual(Arc::new(zip)),
                true,
            )],
            status: None,
        },
    );
    let hub = start(repos, Mode::IgnoreRange);
    let r = scan(&hub, &format!("hf:o/big@{SHA}")).expect("scan");
    let file = &r.files[0];
    assert!(
        file.findings.iter().any(|f| f.rule.code == "HUB004"),
        "{:#?}",
        file.findings
    );
    assert!(!file.findings.iter().any(|f| f.rule.code == "PKL101"));
}

/// (requests, bytes) for scanning one file of a repository.
fn cost(repo: &str, file: Body) -> (u64, u64, loadguard_hub::RepoScan) {
    let mut repos = HashMap::new();
    repos.insert(
        repo.to_owned(),
        Repo {
            files: vec![("pytorch_model.bin".into(), file, true)],
            status: None,
        },
    );
    let hub = start(repos, Mode::Range);
    let c = client(&hub);
    let t = target::parse(&format!("hf:{repo}@{SHA}"), &hub.api).expect("target");
    let r = loadguard_hub::scan_repo(
        &c,
        &t,
        Policy::builtin(),
        &ScanOptions::default(),
        |_, _| {},
    )
    .expect("scan");
    (c.stats.requests(), c.stats.bytes(), r)
}

#[test]
fn a_2gb_checkpoint_costs_a_few_requests() {
    let payload = fixture("malicious/os_system_p2.pkl");
    let zip = VirtualZip::new(&payload, 2 << 30);
    let (requests, bytes, r) = cost("o/big", Body::Virtual(Arc::new(zip)));
    eprintln!("2 GB single-tensor checkpoint: {requests} requests, {bytes} bytes");
    assert!(requests <= 10, "{requests} requests");
    assert!(bytes <= 5 << 20, "{bytes} bytes");
    assert!(
        worst(&r, "pytorch_model.bin") >= Severity::Critical,
        "{:#?}",
        r.files
    );
}

#[test]
fn a_checkpoint_of_200000_tensors_costs_few_requests() {
    let payload = fixture("malicious/os_system_p2.pkl");
    let zip = many_member_zip(200_000, &payload);
    let (requests, bytes, r) = cost("o/many", bytes(zip));
    eprintln!("200,000-tensor checkpoint: {requests} requests, {bytes} bytes");
    assert!(requests <= 50, "{requests} requests");
    assert!(worst(&r, "pytorch_model.bin") >= Severity::Critical);
}
