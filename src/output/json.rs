//! `--format json`, schema version 1. These structs are the frozen public
//! schema (documented in docs/json-schema.md); they are not the internal types.

use std::io::{self, Write};

use loadguard_core::{Finding, Verdict};
use serde::Serialize;

use crate::scan::Target;

pub(crate) const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    schema_version: u32,
    tool: Tool,
    verdict: &'static str,
    targets: Vec<JsonTarget<'a>>,
    findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
pub(crate) struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
pub(crate) struct JsonTarget<'a> {
    path: &'a str,
    format: &'static str,
    size: u64,
    verdict: &'static str,
    findings: usize,
    error: Option<&'a str>,
}

#[derive(Serialize)]
pub(crate) struct JsonFinding<'a> {
    rule: &'static str,
    name: &'static str,
    severity: &'static str,
    confidence: &'static str,
    cwe: String,
    message: &'a str,
    callable: Option<&'a str>,
    arguments: Option<&'a str>,
    occurrences: u32,
    location: JsonLocation<'a>,
    help: String,
}

#[derive(Serialize)]
struct JsonLocation<'a> {
    path: &'a str,
    member: Option<String>,
    members: &'a [String],
    offset: Option<u64>,
    opcode: Option<&'static str>,
    stream: Option<u32>,
    logical: Option<&'a str>,
    line: Option<u32>,
    column: Option<u32>,
}

pub(crate) fn finding(f: &Finding) -> JsonFinding<'_> {
    JsonFinding {
        rule: f.rule.code,
        name: f.rule.name,
        severity: f.severity.as_str(),
        confidence: f.confidence.as_str(),
        cwe: f.rule.cwe_id(),
        message: &f.message,
        callable: f.callable.as_deref(),
        arguments: f.arguments.as_deref(),
        occurrences: f.occurrences,
        location: JsonLocation {
            path: &f.location.path,
            member: f.location.member_path(),
            members: &f.location.members,
            offset: f.location.offset,
            opcode: f.location.opcode,
            stream: f.location.stream,
            logical: f.location.logical.as_deref(),
            line: f.location.line,
            column: f.location.column,
        },
        help: f.rule.doc_url(),
    }
}

pub(crate) fn target(t: &Target) -> JsonTarget<'_> {
    JsonTarget {
        path: &t.path,
        format: t.format.name(),
        size: t.size,
        verdict: t.verdict().as_str(),
        findings: t.findings.len(),
        error: t.error.as_deref(),
    }
}

pub(crate) const TOOL: Tool = Tool {
    name: "loadguard",
    version: env!("CARGO_PKG_VERSION"),
};

pub(crate) fn render(out: &mut dyn Write, targets: &[Target], verdict: Verdict) -> io::Result<()> {
    let report = Report {
        schema_version: SCHEMA_VERSION,
        tool: TOOL,
        verdict: verdict.as_str(),
        targets: targets.iter().map(target).collect(),
        findings: targets
            .iter()
            .flat_map(|t| t.findings.iter().map(finding))
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &report).map_err(io::Error::other)?;
    writeln!(out)
}
