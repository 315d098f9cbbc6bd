//! loadguard's pickle engine: a static, opcode-level simulation of Python's
//! unpickler. Bytes in, findings out; no I/O, no Python, nothing imported or
//! called.
//!
//! ```
//! use loadguard_pickle::{scan, Options};
//!
//! // cposix\nsystem\n(Vtouch /tmp/x\ntR.  -- posix.system("touch /tmp/x")
//! let report = scan(b"cposix\nsystem\n(Vtouch /tmp/x\ntR.", &Options::default());
//! assert_eq!(report.findings[0].rule.code, "PKL101");
//! assert_eq!(report.findings[0].callable.as_deref(), Some("posix.system"));
//! ```
#![forbid(unsafe_code)]

pub mod decode;
mod machine;
pub mod opcode;
pub mod policy;
pub mod rules;

use loadguard_core::{Finding, Location, Severity};

use crate::machine::{Machine, NestedBytes};
pub use crate::policy::Policy;

/// Explicit resource limits. Each one, when reached, is reported as a
/// `pickle-limit-exceeded` finding; none of them makes a scan stop early.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Values on the stack.
    pub max_stack: usize,
    /// Open MARKs.
    pub max_marks: usize,
    /// Distinct memo keys per stream.
    pub max_memo: usize,
    /// Tuple items kept for argument checks, per stream.
    pub max_tuple_values: usize,
    /// Pickles nested in pickles (bytes handed to `pickle.loads`...).
    pub max_depth: u32,
    /// Findings per scanned buffer; the most severe are kept.
    pub max_findings: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_stack: 1 << 22,
            max_marks: 1 << 20,
            max_memo: 1 << 22,
            max_tuple_values: 1 << 22,
            max_depth: 8,
            max_findings: 1000,
        }
    }
}

/// How to scan.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub limits: Limits,
    /// Unknown callables that are invoked become high instead of medium.
    pub strict: bool,
    /// Stop after this many streams: what follows is not pickle data for
    /// the loader (legacy `torch.save` writes five pickles, then raw
    /// storages). `None` scans every stream.
    pub max_streams: Option<u32>,
    /// The pickle belongs to a TorchScript archive: `__torch__.*` globals are
    /// the archive's compiled classes (torch's C++ unpickler resolves them
    /// from its `code/` tree), not Python imports.
    pub torchscript_classes: bool,
    /// Run every opcode through the reference implementation, without the
    /// fast path for common data opcodes. For differential tests.
    #[doc(hidden)]
    pub reference_path_only: bool,
}

/// What one pickle stream in the buffer looked like.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamInfo {
    pub start: usize,
    /// Just past the STOP, or the offset of the error.
    pub end: usize,
    /// The protocol in force at the end (0 when there was no PROTO).
    pub protocol: u8,
    pub opcodes: u64,
    /// Reached STOP without error.
    pub complete: bool,
    pub error: Option<String>,
}

/// The result of scanning one buffer.
#[derive(Debug, Default)]
pub struct PickleReport {
    pub findings: Vec<Finding>,
    pub streams: Vec<StreamInfo>,
}

/// Scans `data`, every pickle stream in it (not just the first), with the
/// built-in policy.
pub fn scan(data: &[u8], options: &Options) -> PickleReport {
    scan_with_policy(data, options, Policy::builtin())
}

/// Scans `data` with a given policy (e.g. one with user-allowed names).
pub fn scan_with_policy(data: &[u8], options: &Options, policy: &Policy) -> PickleReport {
    let mut report = scan_depth(data, options, policy, 0);
    cap_findings(&mut report.findings, options.limits.max_findings);
    report
}

/// Whether `data` starts like a pickle: a PROTO header, or (protocols 0
/// and 1 have none) a stream whose first instructions CPython would accept
/// and that reaches STOP or names a plausible global.
pub fn sniff(data: &[u8]) -> bool {
    match data {
        [0x80, v, ..] => *v <= opcode::HIGHEST_PROTOCOL && data.len() > 2,
        [] => false,
        _ => sniff_protocol_0(data),
    }
}

/// A stricter test for bytes that are usually not pickles (tensor storages
/// in a checkpoint): a PROTO header, and a trial parse of the window that
/// reaches STOP, runs to the end of the window, or names a plausible global
/// before failing.
pub fn sniff_strict(window: &[u8]) -> bool {
    if !matches!(window, [0x80, v, ..] if *v <= opcode::HIGHEST_PROTOCOL) {
        return sniff_protocol_0(window);
    }
    let mut saw_global = false;
    let mut count = 0;
    for ins in decode::instructions(window, 0) {
        let Ok(ins) = ins else {
            return saw_global;
        };
        count += 1;
        if let decode::Arg::Global { module, name } = ins.arg {
            saw_global |= is_dotted_identifier(module) && is_dotted_identifier(name);
        }
        if ins.opcode == opcode::Opcode::Stop {
            return count >= 2;
        }
    }
    true
}

fn sniff_protocol_0(data: &[u8]) -> bool {
    let window = &data[..data.len().min(64 * 1024)];
    let mut saw_identifier_global = false;
    let mut count = 0;
    for ins in decode::instructions(window, 0) {
        let Ok(ins) = ins else {
            return saw_identifier_global;
        };
        count += 1;
        if let decode::Arg::Global { module, name } = ins.arg {
            if !is_dotted_identifier(module) || !is_dotted_identifier(name) {
                return false;
            }
            saw_identifier_global = true;
        }
        if ins.opcode == opcode::Opcode::Stop {
            // A lone "." or "N." is not worth calling a pickle.
            return count >= 2 && ins.end == data.len() || count >= 3;
        }
    }
    saw_identifier_global
}

fn is_dotted_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|part| {
            let mut chars = part.chars();
            chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
                && chars.all(|c| c == '_' || c.is_alphanumeric())
        })
}

fn scan_depth(data: &[u8], options: &Options, policy: &Policy, depth: u32) -> PickleReport {
    let mut report = PickleReport::default();
    let mut pos = 0;
    let mut stream_index = 0u32;
    // After trailing data or an error, streams are found by resynchronising
    // on PROTO headers; errors inside those are part of the junk.
    let mut resyncing = false;
    let mut trailing_reported = false;
    while pos < data.len() {
        if options.max_streams.is_some_and(|max| stream_index >= max) {
            break;
        }
        let result = Machine::new(data, policy, options, stream_index).run(pos);
        if result.failed_at_start {
            if pos == 0 && !resyncing {
                let error = result.info.error.unwrap_or_default();
                report.findings.push(
                    Finding::builder(
                        &rules::malformed::RULE,
                        format!("not a pickle stream: {error}"),
                    )
                    .at(Location::at_offset(0))
                    .build(),
                );
                return report;
            }
            if !resyncing && !trailing_reported {
                trailing_reported = true;
                report.findings.push(
                    Finding::builder(
                        &rules::trailing_data::RULE,
                        format!(
                            "{} bytes after the last pickle stream are not a pickle",
                            data.len() - pos
                        ),
                    )
                    .at(Location::at_offset(pos as u64))
                    .build(),
                );
            }
            match next_proto_header(data, pos + 1) {
                Some(p) => {
                    pos = p;
                    resyncing = true;
                    continue;
                }
                None => break,
            }
        }
        let complete = result.info.complete;
        let end = result.info.end;
        let mut findings = result.findings;
        if resyncing {
            findings.retain(|f| f.rule != &rules::malformed::RULE);
        }
        report.findings.append(&mut findings);
        for nested in result.nested {
            let bytes: &[u8] = match &nested.bytes {
                NestedBytes::Input { start, len } => &data[*start..*start + *len],
                NestedBytes::Owned(v) => v,
            };
            scan_nested(
                &mut report,
                bytes,
                &nested.label,
                nested.sniffed,
                options,
                policy,
                depth,
            );
        }
        report.streams.push(result.info);
        stream_index += 1;
        if complete {
            pos = end;
            resyncing = false;
        } else {
            match next_proto_header(data, end + 1) {
                Some(p) => {
                    pos = p;
                    resyncing = true;
                }
                None => break,
            }
        }
    }
    report
}

fn scan_nested(
    report: &mut PickleReport,
    bytes: &[u8],
    label: &str,
    sniffed: bool,
    options: &Options,
    policy: &Policy,
    depth: u32,
) {
    if depth + 1 > options.limits.max_depth {
        report.findings.push(
            Finding::builder(
                &rules::limit_exceeded::RULE,
                format!(
                    "nested pickle depth limit ({}) reached; {label} was not scanned",
                    options.limits.max_depth
                ),
            )
            .at(Location::at_offset(0))
            .build(),
        );
        return;
    }
    let inner = scan_depth(bytes, options, policy, depth + 1);
    for mut f in inner.findings {
        if sniffed && (f.rule == &rules::malformed::RULE || f.rule == &rules::trailing_data::RULE) {
            continue;
        }
        f.location.members.insert(0, label.to_owned());
        report.findings.push(f);
    }
}

fn next_proto_header(data: &[u8], from: usize) -> Option<usize> {
    let rest = data.get(from..)?;
    rest.windows(2)
        .position(|w| w[0] == 0x80 && w[1] <= opcode::HIGHEST_PROTOCOL)
        .map(|p| from + p)
}

/// Keeps the `max` most severe findings and says that the rest were dropped.
fn cap_findings(findings: &mut Vec<Finding>, max: usize) {
    if findings.len() <= max {
        return;
    }
    let dropped = findings.len() - max;
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    findings.truncate(max);
    findings.push(
        Finding::builder(
            &rules::limit_exceeded::RULE,
            format!("finding limit ({max}) reached; {dropped} less severe findings were dropped"),
        )
        .severity(Severity::High)
        .at(Location::at_offset(0))
        .build(),
    );
}
