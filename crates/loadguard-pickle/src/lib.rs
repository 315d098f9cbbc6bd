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
pub mod embedded;
mod machine;
pub mod opcode;
pub mod policy;
pub mod rules;

use std::collections::{HashMap, HashSet};

use loadguard_core::{Finding, Location, Severity};

use crate::machine::{Machine, NestedBytes, Splice};
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
    /// Opcodes per stream; past it the rest of the buffer is not scanned.
    pub max_opcodes: u64,
    /// Distinct globals kept per stream. Past it, a new global is still
    /// judged, and shares the entry of the first one past the limit with
    /// the same verdict (names on an allowlist are few and always kept).
    pub max_globals: usize,
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
            max_opcodes: 1 << 32,
            max_globals: 1 << 16,
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
    /// When the scan must end: past it, the stream being walked stops and
    /// the rest of the buffer is not scanned (PKL008, high). Checked every
    /// few thousand opcodes; `None` never stops.
    pub deadline: Option<std::time::Instant>,
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
    /// The walk stopped at the opcode or time limit inside this stream.
    pub stopped: bool,
    pub error: Option<String>,
    /// The stream named a global (importing its module) or called
    /// something before it ended: what `pickle.load` cannot take back by
    /// raising afterwards.
    pub effects: bool,
    /// Every global the stream names (after the Python 2 mapping), and
    /// every attribute it reaches with `getattr`, in first-use order: what
    /// `find_class` would be asked for, for differential tests against
    /// CPython's unpickler.
    pub globals: Vec<GlobalUse>,
}

/// A global as the machine saw it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GlobalUse {
    pub module: String,
    /// The (dotted) name.
    pub name: String,
    /// Reached by `getattr` on another global, not imported.
    pub attribute: bool,
    /// How many times it was called (REDUCE, INST, OBJ, NEWOBJ, handed to a
    /// helper that calls it).
    pub invoked: u32,
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

/// What `pickle.load` would make of the first stream of some bytes, found
/// by running the symbolic unpickler over them (nothing is imported or
/// called). This is the one test of "is this a pickle": any bytes the
/// unpickler accepts are one, however short the first stream and wherever
/// its first global is; bytes it rejects before naming or calling anything
/// are not a dangerous pickle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    /// The first stream reaches STOP: `pickle.load` returns a value.
    /// `effects`: it named a global or called something on the way.
    Loads { end: usize, effects: bool },
    /// The stream fails, but only after naming a global or calling
    /// something: what ran before the error has run.
    FailsAfterEffects { offset: usize },
    /// `pickle.load` raises at `offset` before naming or calling anything.
    Rejected { offset: usize },
    /// The bytes end inside the first stream before anything was named:
    /// a window too short to tell, or a truncated pickle.
    Incomplete,
}

impl Probe {
    /// Whether the bytes must be scanned as a pickle (or, for
    /// [`Probe::Incomplete`], looked at further).
    pub fn is_pickle(self) -> bool {
        !matches!(self, Self::Rejected { .. })
    }

    /// Whether the first stream names a global or calls something.
    pub fn has_effects(self) -> bool {
        matches!(
            self,
            Self::Loads { effects: true, .. } | Self::FailsAfterEffects { .. }
        )
    }
}

/// Runs the first stream of `data` through the unpickler model; see [`Probe`].
pub fn probe(data: &[u8]) -> Probe {
    if data.is_empty() {
        return Probe::Incomplete;
    }
    let options = Options::default();
    let result = Machine::new(data, Policy::builtin(), &options, 0).run(0);
    let info = &result.info;
    if info.complete {
        Probe::Loads {
            end: info.end,
            effects: info.effects,
        }
    } else if info.effects {
        Probe::FailsAfterEffects { offset: info.end }
    } else if result.truncated {
        Probe::Incomplete
    } else {
        Probe::Rejected { offset: info.end }
    }
}

/// Whether `data` may be a pickle: [`probe`] does not reject it.
pub fn sniff(data: &[u8]) -> bool {
    probe(data).is_pickle()
}

/// A stricter test for bytes that are usually not pickles (tensor storages
/// in a checkpoint, joblib array data). `whole`: the window is all of the
/// bytes (a small storage), not a prefix of them.
///
/// With a PROTO header: a trial parse of the window that reaches STOP, runs
/// to the end of a window that is only a prefix (a pickle longer than the
/// window), or names a plausible global or does something before it fails.
/// Without one: a stream that loads with an effect, or names or calls
/// something before it fails.
///
/// An extension code (EXT1/2/4) alone is not enough: floats decode as such
/// streams (`0.958` is `83 4c db 54 ...`, EXT2; `66561.0f` is `80 00 82 47`,
/// PROTO 0 and EXT1), and with an unregistered code (every code, in a
/// process that registered none) `pickle.load` fails without importing
/// anything. Nor is running to the end of all the bytes without a STOP:
/// `pickle.load` then fails.
pub fn sniff_strict(window: &[u8], whole: bool) -> bool {
    // Most tensor bytes fail at their first byte.
    if !matches!(decode::instructions(window, 0).next(), Some(Ok(_))) {
        return false;
    }
    if !matches!(window, [0x80, v, ..] if *v <= opcode::HIGHEST_PROTOCOL) {
        return acts(window);
    }
    let mut saw_global = false;
    let mut count = 0;
    for ins in decode::instructions(window, 0) {
        let Ok(ins) = ins else {
            return saw_global || acts(window);
        };
        count += 1;
        if let decode::Arg::Global { module, name } = ins.arg {
            saw_global |= is_dotted_identifier(module) && is_dotted_identifier(name);
        }
        if ins.opcode == opcode::Opcode::Stop {
            return count >= 2;
        }
    }
    !whole || saw_global || acts(window)
}

/// Whether the unpickler model, run over `window`, names a global or calls
/// something in an instruction it executed (an EXT code alone does not
/// count; an instruction that fails did nothing).
fn acts(window: &[u8]) -> bool {
    let executed = match probe(window) {
        Probe::Loads { effects: true, end } => end,
        Probe::FailsAfterEffects { offset } => offset,
        _ => return false,
    };
    names_or_calls(&window[..executed.min(window.len())])
}

/// Whether the instructions that decode from the start of `data` name a
/// global or call something (before the first that does not decode).
fn names_or_calls(data: &[u8]) -> bool {
    use opcode::Opcode;
    decode::instructions(data, 0)
        .map_while(Result::ok)
        .any(|ins| {
            matches!(
                ins.opcode,
                Opcode::Global
                    | Opcode::StackGlobal
                    | Opcode::Inst
                    | Opcode::Obj
                    | Opcode::Reduce
                    | Opcode::NewObj
                    | Opcode::NewObjEx
            )
        })
}

/// The magic number a legacy `torch.save` pickles first.
const TORCH_LEGACY_MAGIC: u128 = 0x1950_a86a_20f9_469c_fc6c;

/// Whether the first stream of `data` loads to the legacy `torch.save`
/// magic number, in any encoding the unpickler accepts (`LONG1` at
/// protocol 2 as torch writes it, but also `LONG`/`INT` text in any base
/// `int(s, 0)` reads, `LONG4`, framed, memoized): `torch.load` only compares
/// the loaded value.
pub fn is_torch_legacy_magic(data: &[u8]) -> bool {
    use opcode::Opcode;
    let mut value = None;
    for ins in decode::instructions(data, 0) {
        let Ok(ins) = ins else {
            return false;
        };
        match ins.opcode {
            Opcode::Proto
            | Opcode::Frame
            | Opcode::Memoize
            | Opcode::Put
            | Opcode::BinPut
            | Opcode::LongBinPut => {}
            Opcode::Long1 | Opcode::Long4 if value.is_none() => {
                let header = if ins.opcode == Opcode::Long1 { 2 } else { 5 };
                value = le_signed_to_u128(&data[ins.offset + header..ins.end]);
                if value.is_none() {
                    return false;
                }
            }
            Opcode::Int | Opcode::Long if value.is_none() => {
                value = int_text_to_u128(&data[ins.offset + 1..ins.end]);
                if value.is_none() {
                    return false;
                }
            }
            Opcode::Stop => return value == Some(TORCH_LEGACY_MAGIC),
            _ => return false,
        }
    }
    false
}

fn le_signed_to_u128(bytes: &[u8]) -> Option<u128> {
    if bytes.len() > 16 || bytes.last().is_some_and(|b| b & 0x80 != 0) {
        return None;
    }
    Some(
        bytes
            .iter()
            .rev()
            .fold(0u128, |acc, &b| (acc << 8) | u128::from(b)),
    )
}

/// `INT`/`LONG` text (with its newline): `int(s, 0)` for a non-negative
/// value, which the decoder has already validated.
fn int_text_to_u128(line: &[u8]) -> Option<u128> {
    let text = std::str::from_utf8(line).ok()?;
    let t = text.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\0');
    let t = t.strip_suffix('L').unwrap_or(t);
    let t = t.strip_prefix('+').unwrap_or(t);
    let lower = t.to_ascii_lowercase();
    let (digits, radix) = if let Some(d) = lower.strip_prefix("0x") {
        (d, 16)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (d, 8)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (d, 2)
    } else {
        (lower.as_str(), 10)
    };
    let digits: String = digits.chars().filter(|&c| c != '_').collect();
    u128::from_str_radix(&digits, radix).ok()
}

pub(crate) fn is_dotted_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|part| {
            let mut chars = part.chars();
            chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
                && chars.all(|c| c == '_' || c.is_alphanumeric())
        })
}

/// How many places a later stream may start from (see [`walk_streams`]).
const MAX_VIEWS: usize = 64;

/// How many spliced views (see [`Splice`]) one buffer gets.
const MAX_SPLICES: u32 = 4;

fn scan_depth(data: &[u8], options: &Options, policy: &Policy, depth: u32) -> PickleReport {
    scan_views(data, options, policy, depth, MAX_SPLICES)
}

fn scan_views(
    data: &[u8],
    options: &Options,
    policy: &Policy,
    depth: u32,
    splices: u32,
) -> PickleReport {
    let mut report = PickleReport::default();
    let mut views = Walk {
        pending: vec![0],
        seen: HashSet::new(),
        stream_index: 0,
        splices: Vec::new(),
        tails: 0,
        eof_line: false,
        stopped: false,
    };
    while !views.stopped
        && let Some(start) = views.pending.pop()
    {
        walk_streams(data, start, &mut views, &mut report, options, policy, depth);
    }
    let splices = if views.stopped { 0 } else { splices };
    // The view of an unpickler reading a BytesIO, where a line argument
    // crossed a frame's end: the same bytes without the rest of the frame.
    if splices > 0
        && let Some(&Splice { frame_at, from, to }) = views.splices.first()
    {
        let mut spliced = Vec::with_capacity(data.len() - (to - from));
        spliced.extend_from_slice(&data[..from]);
        spliced.extend_from_slice(&data[to..]);
        // The frame now ends where the reader dropped it.
        let len = (from - (frame_at + 9)) as u64;
        spliced[frame_at + 1..frame_at + 9].copy_from_slice(&len.to_le_bytes());
        let alt = scan_views(&spliced, options, policy, depth, splices - 1);
        let shift = |o: usize| if o >= from { o + (to - from) } else { o };
        merge_view(&mut report, alt, shift);
    }
    // The pure-Python unpickler's view of a last line with no newline: it
    // drops the line's last byte as if it were one (`readline()[:-1]`).
    if splices > 0 && views.eof_line && !data.is_empty() {
        let mut ended = data.to_vec();
        *ended.last_mut().expect("not empty") = b'\n';
        report.findings.push(
            Finding::builder(
                &rules::parser_differential::RULE,
                "the data ends inside a line with no newline: the C unpickler refuses it, the \
                 pure-Python one (joblib.load) reads the line without its last byte and goes \
                 on; scanned as the latter"
                    .to_owned(),
            )
            .at(Location::at_offset(data.len() as u64 - 1))
            .build(),
        );
        let alt = scan_views(&ended, options, policy, depth, splices - 1);
        merge_view(&mut report, alt, |o| o);
    }
    report.streams.sort_by_key(|s| s.start);
    report
}

/// Adds another reader's view of the same buffer to `report`: its findings
/// (offsets mapped back by `shift`) that are not already there, and its
/// streams (a stream that one reader loads whole is a whole stream).
fn merge_view(report: &mut PickleReport, alt: PickleReport, shift: impl Fn(usize) -> usize) {
    // Keyed, not searched: a view of a buffer with many distinct findings
    // or many streams must not cost their square.
    let mut known: HashSet<(&'static str, String, Location)> = report
        .findings
        .iter()
        .map(|g| (g.rule.code, g.message.clone(), g.location.clone()))
        .collect();
    for mut f in alt.findings {
        // Its own frame crossing is the one this view was made for.
        if f.rule == &rules::parser_differential::RULE && f.message.contains("its FRAME") {
            continue;
        }
        if f.location.members.is_empty()
            && let Some(o) = f.location.offset
        {
            f.location.offset = Some(shift(o as usize) as u64);
        }
        if known.insert((f.rule.code, f.message.clone(), f.location.clone())) {
            report.findings.push(f);
        }
    }
    let mut at: HashMap<usize, usize> = report
        .streams
        .iter()
        .enumerate()
        .map(|(i, t)| (t.start, i))
        .collect();
    for mut s in alt.streams {
        s.start = shift(s.start);
        s.end = shift(s.end);
        match at.get(&s.start) {
            Some(&i) => {
                let t = &mut report.streams[i];
                if s.complete && !t.complete {
                    t.complete = true;
                    t.end = s.end;
                    t.error = None;
                }
                let mut has: HashSet<GlobalUse> = t.globals.iter().cloned().collect();
                for g in s.globals {
                    if has.insert(g.clone()) {
                        t.globals.push(g);
                    }
                }
            }
            None => {
                at.insert(s.start, report.streams.len());
                report.streams.push(s);
            }
        }
    }
}

/// The places streams are read from: more than one when loaders disagree
/// on where the next stream starts.
struct Walk {
    pending: Vec<usize>,
    seen: HashSet<usize>,
    stream_index: u32,
    /// Line arguments that crossed a frame's end.
    splices: Vec<Splice>,
    /// Frame tails queued as start points so far (at most [`MAX_VIEWS`]).
    tails: usize,
    /// A stream ended inside a line with no newline (see [`scan_views`]).
    eof_line: bool,
    /// A stream stopped at the opcode or time limit: nothing more is
    /// walked in this buffer.
    stopped: bool,
}

/// Reads the streams from `start` on, as `pickle.load` called in a loop
/// does (torch legacy, joblib). A STOP inside a FRAME with bytes of the
/// frame after it is read two ways by CPython: an unpickler reading a
/// buffered file continues right after the STOP, one reading a `BytesIO`
/// (which took the frame whole) at the frame's end. Both views are walked;
/// a start already walked is not walked again.
fn walk_streams(
    data: &[u8],
    start: usize,
    views: &mut Walk,
    report: &mut PickleReport,
    options: &Options,
    policy: &Policy,
    depth: u32,
) {
    let mut pos = start;
    // After trailing data or an error, streams are found by resynchronising
    // on PROTO headers; errors inside those are part of the junk.
    let mut resyncing = false;
    let mut trailing_reported = false;
    while pos < data.len() {
        if options
            .max_streams
            .is_some_and(|max| views.stream_index >= max)
            || !views.seen.insert(pos)
        {
            break;
        }
        let result = Machine::new(data, policy, options, views.stream_index).run(pos);
        views.splices.extend(result.line_splice);
        views.eof_line |= result.eof_line;
        if result.stopped {
            // Past the opcode or time limit: what was found so far, then
            // nothing more in this buffer.
            report.findings.extend(result.findings);
            report.streams.push(result.info);
            views.stopped = true;
            return;
        }
        if result.failed_at_start {
            if pos == 0 && !resyncing {
                let error = result.info.error.unwrap_or_default();
                // Rejected before anything was named or called: nothing ran.
                report.findings.push(
                    Finding::builder(
                        &rules::malformed::RULE,
                        format!("not a loadable pickle: {error}"),
                    )
                    .severity(Severity::Low)
                    .at(Location::at_offset(0))
                    .build(),
                );
                return;
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
        if let Some(tail) = result.frame_tail {
            // The bound counts the views made, not the streams walked: a
            // file of many streams still gets its frame tails scanned.
            let scanned = views.tails < MAX_VIEWS;
            report.findings.push(
                Finding::builder(
                    &rules::parser_differential::RULE,
                    format!(
                        "STOP at offset {} lies inside a FRAME that ends at {tail}: the next \
                         stream starts at {end} for an unpickler reading a file and at {tail} \
                         for one reading a BytesIO; {}",
                        end - 1,
                        if scanned {
                            "both were scanned".to_owned()
                        } else {
                            format!("the latter was not scanned ({MAX_VIEWS} such views already)")
                        }
                    ),
                )
                .severity(if scanned {
                    Severity::Medium
                } else {
                    Severity::High
                })
                .at(Location::at_offset(end as u64 - 1))
                .build(),
            );
            if scanned {
                views.tails += 1;
                views.pending.push(tail);
            }
        }
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
                report,
                bytes,
                &nested.label,
                nested.sniffed,
                options,
                policy,
                depth,
            );
        }
        report.streams.push(result.info);
        views.stream_index += 1;
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
