//! The container layer and format validators on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = loadguard_scan::ScanOptions::default();
    let _ = loadguard_scan::scan(&data, loadguard_pickle::Policy::builtin(), &options);
});
