//! Every fixture the project has, mutated (bytes flipped, truncated,
//! spliced), through the whole artifact scanner. What must hold for every
//! mutation: no panic; nothing is silently unsupported (a target that was
//! not scanned carries a finding that says so); top-level offsets point
//! inside the file; and a mutated malicious pickle whose bytes up to the
//! payload's call are untouched (and that is no shorter: a FRAME is read
//! whole before any of it runs) is "not safe": CPython runs exactly those
//! opcodes before anything the mutation changed, so the payload still runs.

use std::path::Path;

use loadguard_core::{Severity, Verdict};
use loadguard_pickle::Policy;
use loadguard_scan::{Format, Report, ScanOptions, scan_named};

/// The invariants of one scan of `data`. `payload_runs`: the bytes up to
/// a dangerous call are those of a malicious original.
fn check(report: &Report, data: &[u8], path: &Path, payload_runs: bool, what: &str) {
    if let Format::Unsupported(_) = report.format {
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.rule.code == "LG001" || f.rule.code == "HUB003"),
            "{}: {what}: unsupported without a finding",
            path.display()
        );
    }
    for f in &report.findings {
        if f.location.members.is_empty()
            && let Some(offset) = f.location.offset
        {
            assert!(
                offset <= data.len() as u64,
                "{}: {what}: {} at offset {offset} past the end ({})",
                path.display(),
                f.rule.code,
                data.len()
            );
        }
    }
    if payload_runs {
        let verdict = Verdict::from_findings(&report.findings);
        assert!(
            verdict == Verdict::NotSafe,
            "{}: {what}: the payload still runs, but the verdict is {verdict:?}: {:?} {:#?}",
            path.display(),
            report.format,
            report.findings
        );
    }
}

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.metadata().is_ok_and(|m| m.len() <= 256 * 1024) {
            out.push(p);
        }
    }
}

#[test]
fn mutated_fixtures_never_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let mut all = Vec::new();
    files(&root, &mut all);
    all.sort();
    assert!(all.len() > 100, "{}", all.len());
    let options = ScanOptions::default();
    // A fixed seed in CI; LOADGUARD_FUZZ_SEED and LOADGUARD_FUZZ_ROUNDS widen
    // the search by hand.
    let mut seed: u32 = std::env::var("LOADGUARD_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x9e37_79b9);
    let rounds: usize = std::env::var("LOADGUARD_FUZZ_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(24);
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed
    };
    for path in &all {
        let data = std::fs::read(path).expect("read");
        if data.is_empty() {
            continue;
        }
        let name = path.file_name().and_then(|n| n.to_str());
        let malicious = name.is_some_and(|n| n.ends_with(".pkl"))
            && path
                .parent()
                .and_then(|p| p.file_name())
                .is_some_and(|d| d == "malicious" || d == "variants");
        let report = scan_named(&data.as_slice(), name, Policy::builtin(), &options);
        // Where the first dangerous call of a malicious pickle is.
        let call_at = report
            .findings
            .iter()
            .filter(|f| {
                f.severity >= Severity::High
                    && f.callable.is_some()
                    && f.location.members.is_empty()
            })
            .filter_map(|f| f.location.offset)
            .min()
            .filter(|_| malicious)
            .and_then(|o| usize::try_from(o).ok());
        assert!(
            !malicious || call_at.is_some(),
            "{}: malicious fixture without a located dangerous call",
            path.display()
        );
        check(&report, &data, path, call_at.is_some(), "original");
        for round in 0..rounds {
            let mut m = data.clone();
            let i = next() as usize % m.len();
            match next() % 4 {
                0 => m[i] ^= (next() % 255 + 1) as u8,
                1 => m.truncate(i),
                2 => {
                    let j = next() as usize % m.len();
                    let (a, b) = (i.min(j), i.max(j));
                    m.drain(a..b.min(a + 64));
                }
                _ => {
                    let span: Vec<u8> = m[i..m.len().min(i + 16)].to_vec();
                    m.splice(i..i, span);
                }
            }
            let report = scan_named(&m.as_slice(), name, Policy::builtin(), &options);
            // Not shorter either: a FRAME must be complete before CPython
            // runs anything in it, so a deletion after the call can stop it.
            let untouched =
                call_at.is_some_and(|at| m.len() >= data.len() && m[..=at] == data[..=at]);
            check(&report, &m, path, untouched, &format!("mutation {round}"));
        }
    }
}
