//! Every input that ever made a fuzz target fail, kept in
//! `fuzz/regressions/<target>/` and replayed here through the target's own
//! body (`loadguard_scan::fuzz_artifact`), checks included.

use std::path::Path;

#[test]
fn artifact_regressions_scan_and_hold_the_targets_checks() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions/artifact");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("regressions folder") {
        let input = std::fs::read(entry.expect("entry").path()).expect("input");
        loadguard_scan::fuzz_artifact(&input);
        n += 1;
    }
    assert!(n >= 1, "no regression inputs in {}", dir.display());
}
