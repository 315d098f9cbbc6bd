//! Every fixture the project has, mutated (bytes flipped, truncated,
//! spliced), through the whole artifact scanner: it must never panic, and
//! must always return a report.

use std::path::Path;

use loadguard_pickle::Policy;
use loadguard_scan::{ScanOptions, scan_named};

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
        let _ = scan_named(&data.as_slice(), name, Policy::builtin(), &options);
        for _ in 0..rounds {
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
            let _ = scan_named(&m.as_slice(), name, Policy::builtin(), &options);
        }
    }
}
