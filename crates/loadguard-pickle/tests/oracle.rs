//! Regressions found by the loader oracle (`oracle/pickle_oracle.py`): for
//! each stream in `tests/oracle/`, the `.json` beside it records what
//! CPython's own unpickler made of it (a recording `find_class`, nothing
//! imported): every global it resolved and called, and the streams it
//! loaded whole. The engine must name every such global, count every such
//! call, and load those streams whole too.

use std::path::Path;

use loadguard_pickle::{Options, scan};

fn pair(v: &serde_json::Value) -> (String, String) {
    let s = |i: usize| v[i].as_str().expect("name").to_owned();
    (s(0), s(1))
}

#[test]
fn the_engine_sees_what_cpython_resolves_and_calls() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("oracle folder") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "pkl") {
            continue;
        }
        let data = std::fs::read(&path).expect("stream");
        let expect: serde_json::Value = serde_json::from_slice(
            &std::fs::read(path.with_extension("json")).expect("expectation"),
        )
        .expect("json");
        let report = scan(&data, &Options::default());
        let named: Vec<(String, String, u32)> = report
            .streams
            .iter()
            .flat_map(|s| &s.globals)
            .filter(|g| !g.attribute)
            .map(|g| (g.module.clone(), g.name.clone(), g.invoked))
            .collect();
        let codes: Vec<&str> = report.findings.iter().map(|f| f.rule.code).collect();
        let name = path.display();
        for g in expect["resolved"].as_array().expect("resolved") {
            let (m, n) = pair(g);
            assert!(
                named.iter().any(|(a, b, _)| *a == m && *b == n),
                "{name}: CPython resolves {m}.{n}; the engine named {named:?}"
            );
        }
        for g in expect["called"].as_array().expect("called") {
            let (m, n) = pair(g);
            assert!(
                named.iter().any(|(a, b, k)| *a == m && *b == n && *k > 0),
                "{name}: CPython calls {m}.{n}; the engine saw {named:?}"
            );
        }
        for start in expect["whole_streams"].as_array().expect("streams") {
            let start = start.as_u64().expect("offset") as usize;
            let stream = report.streams.iter().find(|s| s.start == start);
            assert!(
                stream.is_some_and(|s| s.complete),
                "{name}: CPython loads the stream at {start} whole: {:?} {codes:?}",
                report.streams
            );
        }
        checked += 1;
    }
    assert!(checked >= 8, "{checked} regressions");
}

/// `PROTO 4`, then `body` in one FRAME, then `after` outside it.
fn framed(body: &[u8], after: &[u8]) -> Vec<u8> {
    let mut v = b"\x80\x04\x95".to_vec();
    v.extend_from_slice(&(body.len() as u64).to_le_bytes());
    v.extend_from_slice(body);
    v.extend_from_slice(after);
    v
}

fn codes(data: &[u8]) -> Vec<&'static str> {
    scan(data, &Options::default())
        .findings
        .iter()
        .map(|f| f.rule.code)
        .collect()
}

#[test]
fn a_payload_after_a_frame_that_a_stop_ends_early_is_seen() {
    // A `BytesIO` reader starts the next load() at the frame's end, where a
    // protocol-0 payload waits; a buffered file's reader starts right after
    // the STOP, where `S'` opens a string that swallows the payload's first
    // line, so the file's view alone hides it.
    let data = framed(
        b"N.S'",
        b"cos\nsystem\n(S'touch /tmp/loadguard-canary'\ntR.",
    );
    let found = codes(&data);
    assert!(found.contains(&"PKL101"), "{found:?}");
    assert!(found.contains(&"PKL009"), "{found:?}");
}

#[test]
fn a_global_read_across_a_frame_end_is_judged_as_a_bytesio_reader_reads_it() {
    // A buffered file reads the module line on across the frame's end:
    // `collectionsos`, unknown. A BytesIO reader drops the rest of the
    // frame and reads the line from its end: `os`, then `system`.
    let data = framed(
        b"ccollections",
        b"os\nsystem\n(S'touch /tmp/loadguard-canary'\ntR.",
    );
    let found = codes(&data);
    assert!(found.contains(&"PKL101"), "{found:?}");
    assert!(found.contains(&"PKL009"), "{found:?}");
}

#[test]
fn a_frame_longer_than_the_data_is_run_as_joblib_runs_it() {
    // The C unpickler refuses a FRAME that claims more bytes than remain;
    // the pure-Python unpickler (joblib.load's) takes what remains as the
    // frame and runs it (checked against joblib.load by the oracle).
    let mut data = b"\x80\x04\x95".to_vec();
    data.extend_from_slice(&(1u64 << 20).to_le_bytes());
    data.extend_from_slice(b"cos\nsystem\n(S'touch /tmp/loadguard-canary'\ntR.");
    let found = codes(&data);
    assert!(found.contains(&"PKL101"), "{found:?}");
    assert!(found.contains(&"PKL009"), "{found:?}");
}

#[test]
fn a_last_line_without_newline_is_read_as_joblib_reads_it() {
    // `readline()[:-1]` in the pure-Python unpickler drops the last byte of
    // a line at the end of the data whatever it is: `systemX` is `system`,
    // and INST calls it.
    let data = b"\x80\x02(S'touch /tmp/loadguard-canary'\nios\nsystemX";
    let found = codes(data);
    assert!(found.contains(&"PKL101"), "{found:?}");
    assert!(found.contains(&"PKL009"), "{found:?}");
}

#[test]
fn a_frame_tail_after_many_streams_is_still_scanned() {
    // The bound on extra views counts views, not streams: after 100 plain
    // streams, the tail view that reveals the payload is still walked.
    let mut data = b"\x80\x02N.".repeat(100);
    data.extend_from_slice(&framed(
        b"N.S'",
        b"cos\nsystem\n(S'touch /tmp/loadguard-canary'\ntR.",
    ));
    let found = codes(&data);
    assert!(found.contains(&"PKL101"), "{found:?}");
}
