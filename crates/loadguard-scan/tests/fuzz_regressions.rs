//! Every input that ever made a fuzz target fail, kept in
//! `fuzz/regressions/<target>/` and replayed here the way the target runs
//! it, with the target's own checks (see `fuzz/fuzz_targets/`).

use std::path::Path;

use loadguard_pickle::Policy;
use loadguard_scan::{Format, ScanOptions, scan_named};

/// The names the `artifact` target picks from with its first byte.
const NAMES: &[&str] = &[
    "model.bin",
    "model.pkl",
    "README.md",
    "config.json",
    "tokenizer_config.json",
    "chat_template.jinja",
    "model.safetensors",
    "model.onnx",
    "weights.h5",
    "model.gguf",
    "data.npy",
    "archive.tar",
    "x",
    "modeling.py",
    ".gitattributes",
    "model.sig",
];

#[test]
fn artifact_regressions_scan_and_hold_the_targets_checks() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions/artifact");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("regressions folder") {
        let path = entry.expect("entry").path();
        let input = std::fs::read(&path).expect("input");
        let Some((&pick, data)) = input.split_first() else {
            continue;
        };
        let name = NAMES[usize::from(pick) % NAMES.len()];
        let report = scan_named(
            &data,
            Some(name),
            Policy::builtin(),
            &ScanOptions::default(),
        );
        if matches!(report.format, Format::Unsupported(_)) {
            assert!(
                report.findings.iter().any(|f| f.rule.code == "LG001"),
                "{}: unsupported without a finding",
                path.display()
            );
        }
        for f in &report.findings {
            if f.location.members.is_empty()
                && let Some(o) = f.location.offset
            {
                assert!(
                    o <= data.len() as u64,
                    "{}: {} at {o}",
                    path.display(),
                    f.rule.code
                );
            }
        }
        n += 1;
    }
    assert!(n >= 1, "no regression inputs in {}", dir.display());
}
