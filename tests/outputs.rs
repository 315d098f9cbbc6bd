//! Every output format on a fixed set of fixtures (insta snapshots), SARIF
//! validated against the 2.1.0 schema, the per-rule fixtures, and the
//! configuration matrix.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// Runs loadguard in `dir` with a scrubbed environment.
fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_loadguard"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("run loadguard");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).replace(env!("CARGO_PKG_VERSION"), "[VERSION]"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const SNAPSHOT_SET: &[&str] = &[
    "tests/fixtures/benign/python_data_p4.pkl",
    "tests/fixtures/malicious/os_system_p2.pkl",
    "tests/fixtures/rules/ZIP002/duplicate.pt",
    "tests/fixtures/rules/ZIP003/flag_bits.pt",
];

fn snapshot_run(format: &str) -> String {
    let mut args = vec![
        "scan",
        "--no-config",
        "--format",
        format,
        "--color",
        "never",
    ];
    args.extend_from_slice(SNAPSHOT_SET);
    let (code, out, err) = run_in(&root(), &args);
    assert_eq!(code, 1, "{err}");
    out
}

#[test]
fn snapshot_text() {
    insta::assert_snapshot!(snapshot_run("text"));
}

#[test]
fn snapshot_json() {
    insta::assert_snapshot!(snapshot_run("json"));
}

#[test]
fn snapshot_github() {
    insta::assert_snapshot!(snapshot_run("github"));
}

#[test]
fn snapshot_cyclonedx() {
    insta::assert_snapshot!(snapshot_run("cyclonedx"));
}

#[test]
fn snapshot_sarif_and_schema() {
    let out = snapshot_run("sarif");
    let sarif: serde_json::Value = serde_json::from_str(&out).expect("json");
    let schema_text =
        std::fs::read_to_string(root().join("tests/fixtures/sarif/sarif-schema-2.1.0.json"))
            .expect("schema");
    let schema: serde_json::Value = serde_json::from_str(&schema_text).expect("schema json");
    let validator = jsonschema::validator_for(&schema).expect("compile schema");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // Every rule is in the driver, with security-severity and a CWE tag.
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(rules.len() >= 40);
    assert!(rules.iter().all(|r| {
        r["properties"]["security-severity"].is_string()
            && r["properties"]["tags"]
                .to_string()
                .contains("external/cwe/cwe-")
    }));
    // Results point at the right rule and carry fingerprints.
    for res in sarif["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        let idx = res["ruleIndex"].as_u64().unwrap_or(u64::MAX) as usize;
        assert_eq!(rules[idx]["id"], res["ruleId"]);
        assert!(res["partialFingerprints"]["loadguard/v1"].is_string());
    }
    insta::assert_snapshot!(out);
}

#[test]
fn every_rule_has_a_fixture_that_triggers_it() {
    let (_, rules_out, _) = run_in(&root(), &["rules"]);
    let codes: Vec<String> = rules_out
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect();
    assert!(codes.len() >= 40);
    // Rules about Hub repositories and caches need a Hub (or a cache): the
    // Hub-shaped server and the cache layout of crates/loadguard-hub/tests
    // trigger each of them.
    // LG003 needs a budget flag: tests/batch.rs triggers it. LG004 needs a
    // file truncated during its scan: src/scan.rs's tests trigger it.
    let needs_hub = [
        "HUB001", "HUB004", "HUB006", "HUB007", "HUB010", "LG003", "LG004",
    ];
    for code in codes.iter().filter(|c| !needs_hub.contains(&c.as_str())) {
        let dir = format!("tests/fixtures/rules/{code}");
        assert!(
            root().join(&dir).is_dir(),
            "{code} has no fixture folder {dir}"
        );
        // With the vectors' public key, so that signature rules can fire.
        let key = "tests/fixtures/model-signing/keys/signing-key-pub.pem";
        let mut args = vec!["scan", "--no-config", "--key", key, "--format", "json"];
        // Rug-pull rules compare with the pins of the folder's lock file.
        let lock = format!("{dir}/mcp.lock.json");
        if root().join(&lock).is_file() {
            args.extend(["--mcp-lock", &lock]);
        }
        args.push(&dir);
        let (_, out, err) = run_in(&root(), &args);
        let report: serde_json::Value =
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
        let hit = report["findings"]
            .as_array()
            .is_some_and(|f| f.iter().any(|f| f["rule"] == code.as_str()));
        assert!(hit, "{dir} does not trigger {code}: {report:#}");
    }
}

#[test]
fn completions_are_generated() {
    let (code, out, _) = run_in(&root(), &["completions", "bash"]);
    assert_eq!(code, 0);
    assert!(out.contains("loadguard") && out.contains("scan"));
}

// ---- configuration matrix ------------------------------------------------------

fn malicious_copy(dir: &Path) -> PathBuf {
    let p = dir.join("model.pkl");
    std::fs::copy(root().join("tests/fixtures/malicious/codecs_open.pkl"), &p).expect("copy");
    p
}

#[test]
fn config_in_the_working_directory_applies() {
    let work = tempfile::tempdir().expect("tempdir");
    let models = tempfile::tempdir().expect("tempdir");
    let model = malicious_copy(models.path());
    let m = model.to_str().unwrap_or_default();
    assert_eq!(run_in(work.path(), &["scan", m]).0, 1);
    // codecs.open is high; fail-on critical in the config lets it pass.
    std::fs::write(
        work.path().join("loadguard.toml"),
        "fail-on = \"critical\"\n",
    )
    .expect("write");
    assert_eq!(run_in(work.path(), &["scan", m]).0, 0);
    // Found from a subfolder too (walks up).
    let sub = work.path().join("a/b");
    std::fs::create_dir_all(&sub).expect("mkdir");
    assert_eq!(run_in(&sub, &["scan", m]).0, 0);
    // --no-config ignores it; the flag beats the file.
    assert_eq!(run_in(work.path(), &["scan", "--no-config", m]).0, 1);
    assert_eq!(run_in(work.path(), &["scan", "--fail-on", "high", m]).0, 1);
}

#[test]
fn pyproject_tool_table_applies() {
    let work = tempfile::tempdir().expect("tempdir");
    let models = tempfile::tempdir().expect("tempdir");
    let m = malicious_copy(models.path());
    std::fs::write(
        work.path().join("pyproject.toml"),
        "[project]\nname = \"x\"\n[tool.loadguard.rules]\nignore = [\"pickle-filesystem-access\"]\n",
    )
    .expect("write");
    let (code, out, _) = run_in(
        work.path(),
        &["scan", "--color", "never", m.to_str().unwrap_or_default()],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("suppressed"), "{out}");
}

#[test]
fn config_inside_the_target_is_ignored_and_reported() {
    let models = tempfile::tempdir().expect("tempdir");
    malicious_copy(models.path());
    std::fs::write(
        models.path().join("loadguard.toml"),
        "fail-on = \"never\"\n",
    )
    .expect("write");
    std::fs::write(models.path().join(".loadguardignore"), "PKL110\n").expect("write");
    // Scanning "." from inside the downloaded folder: its config must not apply.
    let (code, out, err) = run_in(models.path(), &["scan", "--format", "json", "."]);
    assert_eq!(code, 1, "{out}");
    assert!(err.contains("ignoring"), "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).expect("json");
    let lg002 = report["findings"]
        .as_array()
        .map_or(0, |f| f.iter().filter(|f| f["rule"] == "LG002").count());
    assert_eq!(lg002, 2, "{report:#}");
    // Named explicitly, the user opts in.
    let (code, _, _) = run_in(models.path(), &["scan", "--config", "loadguard.toml", "."]);
    assert_eq!(code, 0);
}

#[test]
fn signature_policy_from_the_config() {
    let work = tempfile::tempdir().expect("tempdir");
    let vectors = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/model-signing");
    let model = vectors.join("v1.1.0-sigstore");
    let m = model.to_str().unwrap_or_default();
    let sig_rules = |args: &[&str]| {
        let mut all = vec!["scan", "--format", "json"];
        all.extend_from_slice(args);
        let (_, out, err) = run_in(work.path(), &all);
        let report: serde_json::Value =
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
        report["findings"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter(|f| f["rule"].as_str().is_some_and(|r| r.starts_with("SIG")))
            .map(|f| {
                format!(
                    "{} {}",
                    f["rule"].as_str().unwrap_or(""),
                    f["severity"].as_str().unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
    };
    std::fs::write(
        work.path().join("loadguard.toml"),
        "[signature]\nrequire = true\nidentity = \"stefanb@us.ibm.com\"\nissuer = \"https://sigstore.verify.ibm.com/oauth2\"\n",
    )
    .expect("write");
    assert_eq!(sig_rules(&[m]), ["SIG005 info", "SIG006 low"]);
    // The flag wins over the file.
    assert_eq!(
        sig_rules(&["--identity", "eve@example.com", m]),
        ["SIG002 critical"]
    );
    // `require` makes a folder without model.sig high.
    let unsigned = tempfile::tempdir().expect("tempdir");
    std::fs::write(unsigned.path().join("config.json"), "{}").expect("write");
    assert_eq!(
        sig_rules(&[unsigned.path().to_str().unwrap_or_default()]),
        ["SIG001 high"]
    );
    // Paths are relative to the configuration file.
    std::fs::copy(
        vectors.join("keys/signing-key-pub.pem"),
        work.path().join("pub.pem"),
    )
    .expect("copy");
    std::fs::write(
        work.path().join("loadguard.toml"),
        "[signature]\nkey = \"pub.pem\"\n",
    )
    .expect("write");
    let sub = work.path().join("sub");
    std::fs::create_dir_all(&sub).expect("mkdir");
    let keyed = vectors.join("v1.1.0-elliptic-key");
    let (_, out, _) = run_in(
        &sub,
        &[
            "scan",
            "--format",
            "json",
            keyed.to_str().unwrap_or_default(),
        ],
    );
    assert!(out.contains("SIG005"), "{out}");
    // The size limit on model.sig comes from [limits] too.
    std::fs::write(
        work.path().join("loadguard.toml"),
        "[limits]\nmax-signature-bytes = 100\n[signature]\nkey = \"pub.pem\"\n",
    )
    .expect("write");
    let (_, out, _) = run_in(
        &sub,
        &[
            "scan",
            "--format",
            "json",
            keyed.to_str().unwrap_or_default(),
        ],
    );
    assert!(out.contains("over the 100-byte limit"), "{out}");
}

#[test]
fn bad_config_is_an_error() {
    let work = tempfile::tempdir().expect("tempdir");
    let models = tempfile::tempdir().expect("tempdir");
    let m = malicious_copy(models.path());
    let m = m.to_str().unwrap_or_default();
    for bad in [
        "unknown-key = 1\n",
        "fail-on = \"severe\"\n",
        "[rules]\nignore = [\"NOPE999\"]\n",
        "[[allow]]\nname = \"mylib.build\"\n",
        "[[allow]]\nname = \"os.*\"\nreason = \"no wildcards\"\n",
        "[limits]\nmax-stak = 3\n",
        "[signature]\nidentities = [\"a\"]\n",
    ] {
        std::fs::write(work.path().join("loadguard.toml"), bad).expect("write");
        let (code, _, err) = run_in(work.path(), &["scan", m]);
        assert_eq!(code, 2, "{bad:?} should be rejected: {err}");
        assert!(err.contains("loadguard.toml"), "{err}");
    }
}

#[test]
fn allow_entries_need_a_reason_and_apply() {
    let work = tempfile::tempdir().expect("tempdir");
    let models = tempfile::tempdir().expect("tempdir");
    let p = models.path().join("custom.pkl");
    std::fs::write(&p, b"\x80\x04\x8c\x05mylib\x8c\x05build\x93)R.").expect("write");
    std::fs::write(
        work.path().join("loadguard.toml"),
        "strict = true\n[[allow]]\nname = \"mylib.build\"\nreason = \"our own rebuild helper\"\n",
    )
    .expect("write");
    assert_eq!(
        run_in(work.path(), &["scan", p.to_str().unwrap_or_default()]).0,
        0
    );
    assert_eq!(
        run_in(
            work.path(),
            &[
                "scan",
                "--no-config",
                "--strict",
                p.to_str().unwrap_or_default()
            ]
        )
        .0,
        1
    );
}
