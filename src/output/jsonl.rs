//! `--format jsonl`: one JSON object per line and per target, for batch runs
//! and pipelines (docs/batch.md). A record carries the target as it was
//! given, so a run can resume from its own output. With `--per-file`, one
//! record per file of the target instead, all written together when the
//! target is done: a file's verdict can depend on the others (ONNX external
//! data, a campaign across documents, the folder's signature), so it is
//! final only then.

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
    /// `--per-file`: the file this record is about (`null` when the target
    /// has none: an error, an empty folder), its place among the target's
    /// records and how many there are.
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    file_index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    file_count: Option<usize>,
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

/// Writes a target's records: one, or with `per_file` one per file (at
/// least one), as lines of JSON in a single write. Returns the target's
/// verdict.
pub(crate) fn write_records<'a>(
    out: &mut dyn Write,
    target: &'a str,
    files: &'a [Target],
    error: Option<&'a str>,
    seconds: f64,
    per_file: bool,
) -> io::Result<Verdict> {
    let verdict = verdict(files, error);
    let seconds = (seconds * 1000.0).round() / 1000.0;
    let record = |files: &'a [Target], verdict: Verdict| Record {
        schema_version: SCHEMA_VERSION,
        tool: json::TOOL,
        target,
        verdict: verdict.as_str(),
        error,
        seconds,
        file: None,
        file_index: None,
        file_count: None,
        files: files.iter().map(json::target).collect(),
        findings: files
            .iter()
            .flat_map(|t| t.findings.iter().map(json::finding))
            .collect(),
    };
    let mut lines = Vec::new();
    let mut push = |r: &Record<'_>| -> io::Result<()> {
        serde_json::to_writer(&mut lines, r).map_err(io::Error::other)?;
        lines.push(b'\n');
        Ok(())
    };
    if !per_file {
        push(&record(files, verdict))?;
    } else if files.is_empty() {
        push(&Record {
            file: Some(None),
            file_index: Some(0),
            file_count: Some(0),
            ..record(files, verdict)
        })?;
    } else {
        for (i, file) in files.iter().enumerate() {
            let one = std::slice::from_ref(file);
            push(&Record {
                file: Some(Some(&file.path)),
                file_index: Some(i),
                file_count: Some(files.len()),
                ..record(one, self::verdict(one, error))
            })?;
        }
    }
    out.write_all(&lines)?;
    Ok(verdict)
}
