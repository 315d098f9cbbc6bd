//! `--format jsonl`: one JSON object per line and per target, for batch runs
//! and pipelines (docs/batch.md). A record carries the target as it was
//! given, so a run can resume from its own output.

use std::io::{self, Write};

use loadguard_core::Verdict;
use serde::Serialize;

use crate::output::json::{self, JsonFinding, JsonTarget, SCHEMA_VERSION, Tool};
use crate::scan::Target;

#[derive(Serialize)]
struct Record<'a> {
    schema_version: u32,
    tool: Tool,
    /// The target exactly as given (a line of `--targets`, or an argument).
    target: &'a str,
    verdict: &'static str,
    /// Why the target could not be scanned at all (it is then `not-scanned`).
    error: Option<&'a str>,
    /// Seconds spent on the target.
    seconds: f64,
    files: Vec<JsonTarget<'a>>,
    findings: Vec<JsonFinding<'a>>,
}

/// The verdict of one target: the worst of its files, or `not-scanned`
/// when it could not be scanned at all (never `safe`).
fn verdict(files: &[Target], error: Option<&str>) -> Verdict {
    let worst = files
        .iter()
        .map(Target::verdict)
        .max()
        .unwrap_or(Verdict::Safe);
    if error.is_some() {
        worst.max(Verdict::NotScanned)
    } else {
        worst
    }
}

/// Writes one record: a line of JSON and its newline, in one write.
/// Returns the target's verdict.
pub(crate) fn write_record(
    out: &mut dyn Write,
    target: &str,
    files: &[Target],
    error: Option<&str>,
    seconds: f64,
) -> io::Result<Verdict> {
    let verdict = verdict(files, error);
    let record = Record {
        schema_version: SCHEMA_VERSION,
        tool: json::TOOL,
        target,
        verdict: verdict.as_str(),
        error,
        seconds: (seconds * 1000.0).round() / 1000.0,
        files: files.iter().map(json::target).collect(),
        findings: files
            .iter()
            .flat_map(|t| t.findings.iter().map(json::finding))
            .collect(),
    };
    let mut line = serde_json::to_vec(&record).map_err(io::Error::other)?;
    line.push(b'\n');
    out.write_all(&line)?;
    Ok(verdict)
}
