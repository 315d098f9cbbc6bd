//! The container layer and format validators on arbitrary bytes, under a
//! name the first byte picks (names decide text formats and how loud "not
//! scanned" is). What must hold besides "no crash": an unsupported result
//! says why, and top-level offsets stay inside the input (the body is
//! `loadguard_scan::fuzz_artifact`, which the regression test replays).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    loadguard_scan::fuzz_artifact(input);
});
