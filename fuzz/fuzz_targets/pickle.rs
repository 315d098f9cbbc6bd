//! The pickle engine on arbitrary bytes: never panics, and the fast path
//! agrees with the reference path.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loadguard_pickle::{Options, scan};

fuzz_target!(|data: &[u8]| {
    let fast = scan(data, &Options::default());
    let reference = scan(
        data,
        &Options {
            reference_path_only: true,
            ..Options::default()
        },
    );
    let codes = |r: &loadguard_pickle::PickleReport| {
        let mut v: Vec<_> = r
            .findings
            .iter()
            .map(|f| (f.rule.code, f.location.offset, f.message.clone()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(codes(&fast), codes(&reference));
});
