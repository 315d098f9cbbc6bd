//! Inputs that made the `documents` fuzz target fail, kept in
//! `fuzz/regressions/documents/` (the first byte picks the reader, as in
//! the target) and replayed here with what must hold for each.

use std::path::Path;

use loadguard_docs::{Kind, Limits};

#[test]
fn a_panic_in_the_parquet_crate_is_caught_and_reported() {
    // Found on 2026-11-30: a dictionary page shorter than its values make
    // parquet 60.1's `read_num_bytes` assert. The reader is third-party
    // code on hostile bytes: the panic must end as a finding that says the
    // file was not read whole, never as the end of the process or "safe".
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/regressions/documents/parquet-reader-panic-4e085f16");
    let input = std::fs::read(path).expect("regression input");
    let (&pick, data) = input.split_first().expect("not empty");
    assert_eq!(pick % 10, 5, "the input picks the Parquet reader");
    let limits = Limits {
        max_bytes: 1 << 20,
        max_nodes: 20_000,
        max_rows: 2_000,
        max_pages: 50,
    };
    // The panic message would go to standard error; the test does not care.
    let findings = loadguard_docs::scan(Kind::Parquet, data, &limits);
    let failed = findings
        .iter()
        .find(|f| f.message.contains("the Parquet reader failed"))
        .unwrap_or_else(|| panic!("{findings:?}"));
    assert_eq!(failed.rule.code, "DOC007");
}
