//! What parallel scans hold together: eight threads scanning eight gzip
//! streams at once, each decoding to 2 MiB, under a process-wide budget of
//! 4 MiB of decoded bytes. Its own test binary, so that no other test's
//! scans share the process's pool.

use std::io::Write;
use std::sync::Barrier;

use loadguard_core::Verdict;
use loadguard_pickle::Policy;
use loadguard_scan::inflight::decoded_in_flight;
use loadguard_scan::{ContainerLimits, ScanOptions, scan};

const BUDGET: u64 = 4 << 20;

/// A payload, then 2 MiB of `N` opcodes, gzipped (about 500x).
fn stream(i: usize) -> Vec<u8> {
    let mut body = b"\x80\x02cos\nsystem\n(S'touch /tmp/loadguard-canary".to_vec();
    body.extend_from_slice(format!("-{i}'\ntR").as_bytes());
    body.resize(body.len() + (2 << 20), b'N');
    body.push(b'.');
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&body).expect("gz");
    gz.finish().expect("gz")
}

#[test]
fn parallel_scans_hold_at_most_the_budget_plus_the_largest_holder() {
    let streams: Vec<Vec<u8>> = (0..8).map(stream).collect();
    let options = ScanOptions {
        limits: ContainerLimits {
            max_in_flight: BUDGET,
            ..ContainerLimits::default()
        },
        ..ScanOptions::default()
    };
    let start = Barrier::new(streams.len());
    let verdicts: Vec<Verdict> = std::thread::scope(|s| {
        let handles: Vec<_> = streams
            .iter()
            .map(|data| {
                let (start, options) = (&start, &options);
                s.spawn(move || {
                    start.wait();
                    let report = scan(&data.as_slice(), Policy::builtin(), options);
                    assert!(
                        report.findings.iter().all(|f| f.rule.code != "ARC004"),
                        "{:?}",
                        report.findings
                    );
                    Verdict::from_findings(&report.findings)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("scan thread"))
            .collect()
    });
    // Every stream was decoded whole and its payload found.
    assert!(
        verdicts.iter().all(|v| *v == Verdict::NotSafe),
        "{verdicts:?}"
    );
    let stats = decoded_in_flight();
    assert_eq!(
        stats.held, 0,
        "decoded bytes still charged after every scan ended"
    );
    // Each stream's buffer is 4 MiB (its 2 MiB and the doubling before it);
    // eight at once would be 32 MiB. Past the budget only the largest
    // holder goes on, by at most its own buffer; and a waiter that saw
    // nothing released for the stall time (a machine too loaded to finish
    // one scan in 5 s) by its own.
    assert!(stats.peak >= 2 << 20, "nothing was charged: {stats:?}");
    assert!(
        stats.peak <= BUDGET + (4 << 20) * (1 + stats.forced),
        "{stats:?}"
    );
}
