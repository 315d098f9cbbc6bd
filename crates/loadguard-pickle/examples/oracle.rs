//! The engine's side of the loader oracle (`oracle/pickle_oracle.py`):
//! reads records from standard input (a 4-byte little-endian length, then
//! that many bytes), scans each with the built-in policy, and writes one
//! JSON line per record: every stream's extent, completion and error, the
//! globals it names (after the Python 2 mapping) with how often each is
//! called, and the findings' rule codes.
//!
//! `cargo run --release -p loadguard-pickle --example oracle < records`

use std::io::{self, BufWriter, Read, Write};

use loadguard_pickle::{Options, scan};
use serde_json::json;

fn main() -> io::Result<()> {
    let mut input = io::stdin().lock();
    let mut out = BufWriter::new(io::stdout().lock());
    let options = Options::default();
    let mut len = [0u8; 4];
    loop {
        match input.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(e),
        }
        let mut data = vec![0u8; u32::from_le_bytes(len) as usize];
        input.read_exact(&mut data)?;
        let report = scan(&data, &options);
        let streams: Vec<_> = report
            .streams
            .iter()
            .map(|s| {
                json!({
                    "start": s.start,
                    "end": s.end,
                    "complete": s.complete,
                    "error": s.error,
                    "globals": s.globals.iter().map(|g| json!([g.module, g.name, g.attribute, g.invoked])).collect::<Vec<_>>(),
                })
            })
            .collect();
        let findings: Vec<_> = report
            .findings
            .iter()
            .map(|f| json!([f.rule.code, f.severity.to_string(), f.message]))
            .collect();
        serde_json::to_writer(&mut out, &json!({"streams": streams, "findings": findings}))?;
        out.write_all(b"\n")?;
        // The harness waits for each answer before sending the next record.
        out.flush()?;
    }
    Ok(())
}
