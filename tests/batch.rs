//! Batch mode end to end: `--targets`, `--format jsonl`, resume, sharding,
//! budgets, standard input. The Hub side is in tests/cli_hub.rs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn loadguard(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_loadguard"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run loadguard");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `loadguard scan --no-config --targets targets.txt --format jsonl`, then `extra`.
fn batch(dir: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec![
        "scan",
        "--no-config",
        "--targets",
        "targets.txt",
        "--format",
        "jsonl",
    ];
    args.extend_from_slice(extra);
    loadguard(dir, &args)
}

fn records(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn by_target(records: &[serde_json::Value]) -> HashMap<String, serde_json::Value> {
    records
        .iter()
        .map(|r| {
            (
                r["target"].as_str().unwrap_or_default().to_owned(),
                r.clone(),
            )
        })
        .collect()
}

/// A work folder with a malicious pickle, a folder of clean real-library
/// pickles, and `n` small clean copies.
fn workspace(n: usize) -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::copy(
        fixtures().join("malicious/codecs_open.pkl"),
        root.join("bad.pkl"),
    )
    .expect("copy");
    std::fs::create_dir(root.join("clean")).expect("mkdir");
    for f in ["sklearn_pipeline.pkl", "numpy_arrays_p5.pkl"] {
        std::fs::copy(
            fixtures().join("benign").join(f),
            root.join("clean").join(f),
        )
        .expect("copy");
    }
    let mut targets = vec!["bad.pkl".to_owned(), "clean".to_owned()];
    for i in 0..n {
        let name = format!("small-{i}.pkl");
        std::fs::copy(
            fixtures().join("benign/python_data_p4.pkl"),
            root.join(&name),
        )
        .expect("copy");
        targets.push(name);
    }
    (dir, targets)
}

#[test]
fn one_record_per_target_as_given() {
    let (dir, _) = workspace(0);
    let root = dir.path();
    std::fs::write(
        root.join("targets.txt"),
        "# models to check\nbad.pkl\n\n  clean  \nmissing.pt\nbad.pkl\n",
    )
    .expect("write");
    let (code, out, err) = batch(root, &[]);
    // A failing finding wins over an unreadable target.
    assert_eq!(code, 1, "{err}");
    let recs = records(&out);
    assert_eq!(recs.len(), 3, "{out}");
    let by = by_target(&recs);
    let bad = &by["bad.pkl"];
    assert_eq!(bad["verdict"], "not-safe");
    assert_eq!(bad["schema_version"], 1);
    assert_eq!(bad["files"][0]["path"], "bad.pkl");
    assert!(
        bad["findings"]
            .as_array()
            .is_some_and(|f| f.iter().any(|f| f["callable"] == "codecs.open")),
        "{bad}"
    );
    let clean = &by["clean"];
    assert_eq!(clean["verdict"], "safe", "{clean}");
    assert_eq!(clean["error"], serde_json::Value::Null);
    // Two pickles and the folder's signature status.
    assert_eq!(clean["files"].as_array().map(Vec::len), Some(3), "{clean}");
    let missing = &by["missing.pt"];
    assert_eq!(missing["verdict"], "not-scanned");
    assert!(
        missing["error"]
            .as_str()
            .is_some_and(|e| e.contains("no such file")),
        "{missing}"
    );
    // Without the failing target, the missing one makes it exit 2.
    std::fs::write(root.join("targets.txt"), "clean\nmissing.pt\n").expect("write");
    let (code, _, _) = batch(root, &[]);
    assert_eq!(code, 2);
}

#[test]
fn jsonl_works_for_ordinary_scans_and_standard_input() {
    let (dir, _) = workspace(0);
    let (code, out, err) = loadguard(
        dir.path(),
        &[
            "scan",
            "--no-config",
            "--format",
            "jsonl",
            "clean",
            "bad.pkl",
        ],
    );
    assert_eq!(code, 1, "{err}");
    let by = by_target(&records(&out));
    assert_eq!(by.len(), 2);
    assert_eq!(by["clean"]["verdict"], "safe");
    assert_eq!(by["bad.pkl"]["verdict"], "not-safe");

    // `--targets -` reads the list from standard input.
    let mut child = Command::new(env!("CARGO_BIN_EXE_loadguard"))
        .current_dir(dir.path())
        .args(["scan", "--no-config", "--format", "jsonl", "--targets", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), b"clean\nbad.pkl\n")
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(1));
    let by = by_target(&records(&String::from_utf8_lossy(&out.stdout)));
    assert_eq!(by.len(), 2);
    assert_eq!(by["bad.pkl"]["verdict"], "not-safe");

    // `-` reads standard input, named by --stdin-filename.
    let bytes = std::fs::read(fixtures().join("malicious/codecs_open.pkl")).expect("read");
    let mut child = Command::new(env!("CARGO_BIN_EXE_loadguard"))
        .args([
            "scan",
            "--no-config",
            "--format",
            "json",
            "--stdin-filename",
            "upload.pkl",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), &bytes).expect("write");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["targets"][0]["path"], "upload.pkl");
    assert_eq!(report["verdict"], "not-safe");
}

#[test]
fn an_interrupted_run_resumes_where_it_stopped() {
    let (dir, targets) = workspace(20);
    let root = dir.path();
    std::fs::write(root.join("targets.txt"), targets.join("\n")).expect("write");
    let args = ["--output", "out.jsonl", "--jobs", "3"];
    let (code, out, err) = batch(root, &args);
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty(), "records go to --output: {out}");
    let full = std::fs::read_to_string(root.join("out.jsonl")).expect("read");
    assert_eq!(records(&full).len(), targets.len());

    // Interrupt it: keep five records and half of the sixth.
    let lines: Vec<&str> = full.lines().collect();
    let cut = format!(
        "{}\n{}",
        lines[..5].join("\n"),
        &lines[5][..lines[5].len() / 2]
    );
    std::fs::write(root.join("out.jsonl"), &cut).expect("write");
    let (code, _, err) = batch(root, &args);
    // The exit code answers for the whole output, old records included.
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!("{} target(s) scanned", targets.len() - 5)),
        "{err}"
    );
    let resumed = records(&std::fs::read_to_string(root.join("out.jsonl")).expect("read"));
    let mut got: Vec<String> = resumed
        .iter()
        .map(|r| r["target"].as_str().unwrap_or_default().to_owned())
        .collect();
    got.sort();
    let mut want = targets.clone();
    want.sort();
    assert_eq!(got, want, "every target exactly once");

    // Nothing left: a third run scans nothing and still fails on bad.pkl.
    let (code, _, err) = batch(root, &args);
    assert_eq!(code, 1);
    assert!(err.contains("0 target(s) scanned"), "{err}");
}

#[test]
fn shards_cover_every_target_exactly_once() {
    let (dir, targets) = workspace(60);
    let root = dir.path();
    std::fs::write(root.join("targets.txt"), targets.join("\n")).expect("write");
    let mut seen: Vec<String> = Vec::new();
    for i in 0..4 {
        let shard = format!("{i}/4");
        let (_, out, err) = batch(root, &["--shard", &shard]);
        let recs = records(&out);
        assert!(
            !recs.is_empty() && recs.len() < targets.len(),
            "shard {shard}: {err}"
        );
        seen.extend(
            recs.iter()
                .map(|r| r["target"].as_str().unwrap_or_default().to_owned()),
        );
    }
    seen.sort();
    let mut want = targets;
    want.sort();
    assert_eq!(seen, want);
    let (code, _, err) = batch(root, &["--shard", "4/4"]);
    assert_eq!(code, 2);
    assert!(err.contains("I/N"), "{err}");
}

#[test]
fn budgets_name_every_file_they_leave_out() {
    let (dir, _) = workspace(0);
    let root = dir.path();
    let sizes: Vec<u64> = ["numpy_arrays_p5.pkl", "sklearn_pipeline.pkl"]
        .iter()
        .map(|f| std::fs::metadata(root.join("clean").join(f)).map_or(0, |m| m.len()))
        .collect();
    // Room for the first file (in path order), not for the second.
    let budget = (sizes[0] + sizes[1] - 1).to_string();
    let (code, out, err) = loadguard(
        root,
        &[
            "scan",
            "--no-config",
            "--format",
            "jsonl",
            "--target-max-bytes",
            &budget,
            "clean",
        ],
    );
    assert_eq!(code, 0, "medium does not fail the default --fail-on: {err}");
    let rec = &records(&out)[0];
    assert_eq!(rec["verdict"], "review", "never safe: {rec}");
    let skipped: Vec<&str> = rec["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "LG003")
        .filter_map(|f| f["location"]["path"].as_str())
        .collect();
    assert_eq!(skipped, ["clean/sklearn_pipeline.pkl"], "{rec}");

    // A time budget that is over before the first file: every file named.
    let (_, out, _) = loadguard(
        root,
        &[
            "scan",
            "--no-config",
            "--format",
            "json",
            "--target-timeout",
            "0.000000001",
            "clean",
        ],
    );
    let report: serde_json::Value = serde_json::from_str(&out).expect("json");
    let lg003 = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "LG003")
        .count();
    assert_eq!(lg003, 2, "{report:#}");
    assert_eq!(report["verdict"], "review");
}

#[test]
fn batch_flags_need_batch_mode() {
    let (dir, _) = workspace(0);
    let (code, _, err) = loadguard(dir.path(), &["scan", "--output", "o.jsonl", "clean"]);
    assert_eq!(code, 2);
    assert!(err.contains("--format jsonl"), "{err}");
    let (code, _, err) = loadguard(dir.path(), &["scan", "--targets", "t.txt"]);
    assert_eq!(code, 2);
    assert!(err.contains("--format jsonl"), "{err}");
}

/// A corpus folder of ordinary documents and a planted campaign, and a
/// second folder with one hidden instruction.
fn corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let docs = dir.path().join("corpus");
    std::fs::create_dir_all(&docs).expect("mkdir");
    for (from, name) in [
        ("rules/DOC008/supplier_1.html", "supplier_1.html"),
        ("rules/DOC008/supplier_2.html", "supplier_2.html"),
        ("rules/DOC008/supplier_3.html", "supplier_3.html"),
        ("documents/benign/news_article.html", "news_article.html"),
        ("documents/benign/cv.docx", "cv.docx"),
        ("documents/benign/inventory.csv", "inventory.csv"),
    ] {
        std::fs::copy(fixtures().join(from), docs.join(name)).expect("copy");
    }
    let other = dir.path().join("other");
    std::fs::create_dir_all(&other).expect("mkdir");
    std::fs::copy(
        fixtures().join("documents/hidden/DOC001__display_none.html"),
        other.join("page.html"),
    )
    .expect("copy");
    dir
}

#[test]
fn per_file_writes_one_record_per_document_with_campaigns() {
    let dir = corpus();
    let (code, out, err) = loadguard(
        dir.path(),
        &[
            "scan",
            "--no-config",
            "--format",
            "jsonl",
            "--per-file",
            "corpus",
            "other",
        ],
    );
    assert_eq!(code, 1, "{err}");
    let records = records(&out);
    let files: HashMap<String, &serde_json::Value> = records
        .iter()
        .filter_map(|r| Some((r["file"].as_str()?.to_owned(), r)))
        .collect();
    // Every document has its own record, each with its target, place and
    // count, and one file entry whose findings are the record's.
    for name in ["news_article.html", "cv.docx", "inventory.csv"] {
        let r = files[&format!("corpus/{name}")];
        assert_eq!(r["target"], "corpus");
        assert_eq!(r["verdict"], "safe", "{r}");
        assert_eq!(r["files"].as_array().map(Vec::len), Some(1));
    }
    let corpus: Vec<&serde_json::Value> =
        records.iter().filter(|r| r["target"] == "corpus").collect();
    let count = corpus[0]["file_count"].as_u64().expect("file_count");
    assert_eq!(corpus.len() as u64, count);
    let mut indexes: Vec<u64> = corpus
        .iter()
        .map(|r| r["file_index"].as_u64().expect("file_index"))
        .collect();
    indexes.sort_unstable();
    assert_eq!(indexes, (0..count).collect::<Vec<_>>());
    // The campaign is computed over the whole target and reported once.
    for i in 1..=3 {
        assert_eq!(
            files[&format!("corpus/supplier_{i}.html")]["verdict"],
            "not-safe"
        );
    }
    let campaigns = records
        .iter()
        .flat_map(|r| r["findings"].as_array().into_iter().flatten())
        .filter(|f| f["rule"] == "DOC008")
        .count();
    assert_eq!(campaigns, 1, "{out}");
    assert_eq!(files["other/page.html"]["target"], "other");
    assert_eq!(files["other/page.html"]["verdict"], "not-safe");

    // Without --format jsonl the flag is refused, not ignored.
    let (code, _, err) = loadguard(dir.path(), &["scan", "--no-config", "--per-file", "corpus"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--per-file"), "{err}");
}

#[test]
fn per_file_resume_rescans_a_target_whose_records_were_cut_short() {
    let dir = corpus();
    let root = dir.path();
    std::fs::write(root.join("targets.txt"), "other\ncorpus\n").expect("write");
    let args = ["--per-file", "--output", "out.jsonl", "--jobs", "1"];
    let (code, _, err) = batch(root, &args);
    assert_eq!(code, 1, "{err}");
    let full = std::fs::read_to_string(root.join("out.jsonl")).expect("read");
    let all = records(&full);
    // Interrupt it inside the last target's records: its first two lines
    // and half of the third.
    let last = all.last().expect("records")["target"].clone();
    let first_of_last = all.iter().position(|r| r["target"] == last).expect("last");
    let lines: Vec<&str> = full.lines().collect();
    let cut = format!(
        "{}\n{}",
        lines[..first_of_last + 2].join("\n"),
        &lines[first_of_last + 2][..10]
    );
    std::fs::write(root.join("out.jsonl"), &cut).expect("write");
    let (code, _, err) = batch(root, &args);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("1 target(s) scanned"), "{err}");
    let resumed = records(&std::fs::read_to_string(root.join("out.jsonl")).expect("read"));
    let mut got: Vec<(String, String)> = resumed
        .iter()
        .map(|r| (r["target"].to_string(), r["file"].to_string()))
        .collect();
    let mut want: Vec<(String, String)> = all
        .iter()
        .map(|r| (r["target"].to_string(), r["file"].to_string()))
        .collect();
    got.sort();
    want.sort();
    assert_eq!(got, want, "every file's record exactly once");
}
