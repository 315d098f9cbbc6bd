//! `loadguard scan hf:...` end to end: the binary, `HF_ENDPOINT` pointing at
//! the Hub-shaped server of crates/loadguard-hub/tests/support on 127.0.0.1.

#[path = "../crates/loadguard-hub/tests/support/mod.rs"]
mod support;

use std::process::Command;

use support::{Mode, Repo, SHA, TOKEN, bytes, fixture, poisoned_and_clean, start};

fn loadguard(endpoint: &str, env: &[(&str, &str)], args: &[&str]) -> (i32, String, String) {
    let home = tempfile::tempdir().expect("home");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_loadguard"));
    cmd.args(args)
        .env("HF_ENDPOINT", endpoint)
        .env("HF_HOME", home.path())
        .env_remove("HF_TOKEN")
        .env_remove("HUGGING_FACE_HUB_TOKEN")
        .env_remove("HF_HUB_OFFLINE")
        .env_remove("HF_HUB_CACHE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run loadguard");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn scan_hf_targets_end_to_end() {
    let hub = start(poisoned_and_clean(), Mode::Range);
    let (code, out, err) = loadguard(
        &hub.api,
        &[("HF_TOKEN", TOKEN)],
        &["scan", "--no-config", "--format", "json", "hf:o/poisoned"],
    );
    assert_eq!(code, 1, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(report["verdict"], "not-safe");
    let paths: Vec<String> = report["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["path"].as_str().map(str::to_owned))
        .collect();
    assert!(
        paths.contains(&format!("hf:o/poisoned@{SHA}/pytorch_model.bin")),
        "{paths:?}"
    );
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    for code in ["PKL101", "HUB001", "HUB007", "HUB010", "AT016", "GG005"] {
        assert!(rules.contains(&code), "{code}: {rules:?}");
    }
    // A pinned clean repository exits 0.
    let (code, out, err) = loadguard(
        &hub.api,
        &[],
        &["scan", "--no-config", &format!("hf:o/clean@{SHA}")],
    );
    assert_eq!(code, 0, "{out}{err}");
    // Gated, missing: a clear error and exit 2, the token never printed.
    let (code, _, err) = loadguard(&hub.api, &[("HF_TOKEN", TOKEN)], &["scan", "hf:o/gated"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("gated or private") && !err.contains(TOKEN),
        "{err}"
    );
    let (code, _, err) = loadguard(&hub.api, &[], &["scan", "hf:o/nothing-here"]);
    assert_eq!(code, 2);
    assert!(err.contains("not found"), "{err}");
}

#[test]
fn offline_mode_reads_the_cache_only() {
    let cache = tempfile::tempdir().expect("cache");
    let snap = cache.path().join("models--o--cached/snapshots").join(SHA);
    std::fs::create_dir_all(&snap).expect("snapshot");
    std::fs::create_dir_all(cache.path().join("models--o--cached/refs")).expect("refs");
    std::fs::write(cache.path().join("models--o--cached/refs/main"), SHA).expect("ref");
    std::fs::write(
        snap.join("model.pkl"),
        std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/malicious/os_system_p2.pkl"),
        )
        .expect("fixture"),
    )
    .expect("write");
    let cache_dir = cache.path().to_str().unwrap_or_default();
    // No server at all: the endpoint is unreachable, the cache answers.
    let offline = [("HF_HUB_OFFLINE", "1"), ("HF_HUB_CACHE", cache_dir)];
    let (code, out, err) = loadguard(
        "http://127.0.0.1:9",
        &offline,
        &["scan", "--no-config", "hf:o/cached"],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains(&format!("hf:o/cached@{SHA}/model.pkl")),
        "{out}"
    );
    let (code, _, err) = loadguard("http://127.0.0.1:9", &offline, &["scan", "hf:o/elsewhere"]);
    assert_eq!(code, 2);
    assert!(err.contains("not in the local cache"), "{err}");
    // --hf-cache scans every cached snapshot.
    let (code, out, _) = loadguard(
        "http://127.0.0.1:9",
        &[("HF_HUB_CACHE", cache_dir)],
        &["scan", "--no-config", "--hf-cache"],
    );
    assert_eq!(code, 1);
    assert!(out.contains("model.pkl"), "{out}");
}

#[test]
fn batch_of_hub_targets_with_a_byte_budget() {
    let hub = start(poisoned_and_clean(), Mode::Range);
    let dir = tempfile::tempdir().expect("tempdir");
    let list = dir.path().join("repos.txt");
    let clean = format!("hf:o/clean@{SHA}");
    std::fs::write(
        &list,
        format!("hf:o/poisoned\n{clean}\nhf:o/nothing-here\n"),
    )
    .expect("write");
    let list = list.to_str().unwrap_or_default();
    let (code, out, err) = loadguard(
        &hub.api,
        &[],
        &[
            "scan",
            "--no-config",
            "--targets",
            list,
            "--format",
            "jsonl",
            "--jobs",
            "2",
        ],
    );
    assert_eq!(code, 1, "{err}");
    let records: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("record"))
        .collect();
    let get = |t: &str| {
        records
            .iter()
            .find(|r| r["target"] == t)
            .unwrap_or_else(|| panic!("no record for {t}: {out}"))
    };
    assert_eq!(get("hf:o/poisoned")["verdict"], "not-safe");
    // Clean, apart from a tokenizer.model that no loader executes (info).
    assert_eq!(get(&clean)["verdict"], "not-scanned", "{}", get(&clean));
    assert!(
        get(&clean)["findings"]
            .as_array()
            .is_some_and(|f| f.iter().all(|f| f["severity"] == "info")),
        "{}",
        get(&clean)
    );
    let missing = get("hf:o/nothing-here");
    assert_eq!(missing["verdict"], "not-scanned");
    assert!(
        missing["error"]
            .as_str()
            .is_some_and(|e| e.contains("not found")),
        "{missing}"
    );

    // One byte of budget: the first file is downloaded, every later one is
    // named as not scanned, and the repository is never called safe.
    let (_, out, err) = loadguard(
        &hub.api,
        &[],
        &[
            "scan",
            "--no-config",
            "--format",
            "jsonl",
            "--target-max-bytes",
            "1",
            &clean,
        ],
    );
    let record: serde_json::Value =
        serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {err}"));
    let files = record["files"].as_array().cloned().unwrap_or_default();
    let skipped = record["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "LG003")
        .count();
    // The repository's own entry, one scanned file, the rest skipped.
    assert!(files.len() > 3, "{record}");
    assert_eq!(skipped, files.len() - 2, "{record}");
    assert_eq!(record["verdict"], "review");
}

#[test]
fn a_dataset_repository_is_scanned_as_documents() {
    let mut repos = std::collections::HashMap::new();
    repos.insert(
        "d/corpus".to_owned(),
        Repo {
            files: vec![
                (
                    "train.jsonl".into(),
                    bytes(fixture("documents/hidden/AT005__poisoned_row.jsonl")),
                    true,
                ),
                (
                    "pages/about.html".into(),
                    bytes(fixture("documents/hidden/DOC001__display_none.html")),
                    false,
                ),
                (
                    "papers/paper.pdf".into(),
                    bytes(fixture("documents/twins/DOC003__white_text.pdf")),
                    true,
                ),
                (
                    "README.md".into(),
                    bytes(b"# A question-answering corpus\n\nThree rows.\n".to_vec()),
                    false,
                ),
            ],
            status: None,
        },
    );
    let hub = start(repos, Mode::Range);
    let (code, out, err) = loadguard(
        &hub.api,
        &[],
        &[
            "scan",
            "--no-config",
            "--format",
            "json",
            "hf:datasets/d/corpus",
        ],
    );
    assert_eq!(code, 1, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).expect("json");
    let found: Vec<(String, String)> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_owned(),
                f["location"]["path"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    let prefix = format!("hf:datasets/d/corpus@{SHA}/");
    assert!(
        found.contains(&("AT005".into(), format!("{prefix}train.jsonl"))),
        "{found:?}"
    );
    assert!(
        found.contains(&("DOC001".into(), format!("{prefix}pages/about.html"))),
        "{found:?}"
    );
    // The visible-only paper is a scanned PDF with nothing in it.
    let paper = report["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["path"] == format!("{prefix}papers/paper.pdf").as_str())
        .cloned()
        .unwrap_or_default();
    assert_eq!(paper["format"], "pdf", "{report:#}");
    assert_eq!(paper["verdict"], "safe", "{paper:#}");
}
