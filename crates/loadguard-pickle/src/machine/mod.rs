//! The symbolic unpickler: a stack machine with marks and a memo that runs
//! every opcode the way `Modules/_pickle.c` does, except that nothing is
//! imported or called. Values are tracked symbolically (a string, a global,
//! the result of calling a global...), which is what resolves STACK_GLOBAL
//! through the memo, calls on call results, and arguments handed to
//! trampolines.

use std::collections::HashMap;

use loadguard_core::{Confidence, Finding, Location, Rule, Severity};

use crate::decode::{Arg, DecodeError, Instruction, IntValue, decode_at};
use crate::opcode::Opcode;
use crate::policy::{AllowKind, Category, Class, Policy};
use crate::rules;
use crate::{Limits, Options, StreamInfo};

mod calls;
mod frames;
mod nested;
mod render;
mod step;
mod values;

use calls::GlobalEntry;
use values::{Src, Value};

/// Marks a call whose callee was not a global.
const DYNAMIC: u32 = u32::MAX;
/// Marks a tuple whose items were not stored (the tuple store limit).
const OPAQUE: u32 = u32::MAX;
/// How many items of each tuple are kept for argument checks and messages.
const TUPLE_KEEP: usize = 8;

/// Errors that end a stream, with CPython's wording where it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StreamError {
    Decode(DecodeError),
    Underflow,
    NoMark,
    MissingMemo(u64),
    OddItems(&'static str),
    StackGlobalNeedsStr,
    NotCallable,
    BadExtCode,
    NoStop,
    /// The opcode or time limit was reached (reported as its own finding).
    Stopped,
}

impl std::fmt::Display for StreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Decode(e) => write!(f, "{e}"),
            Self::Underflow => f.write_str("unpickling stack underflow"),
            Self::NoMark => f.write_str("could not find MARK"),
            Self::MissingMemo(k) => write!(f, "memo value not found at index {k}"),
            Self::OddItems(op) => write!(f, "odd number of items for {op}"),
            Self::StackGlobalNeedsStr => f.write_str("STACK_GLOBAL requires str"),
            Self::NotCallable => f.write_str("a constant is called (TypeError in CPython)"),
            Self::BadExtCode => f.write_str("EXT specifies code <= 0"),
            Self::NoStop => f.write_str("the stream ends without STOP"),
            Self::Stopped => f.write_str("the scan stopped at its opcode or time limit"),
        }
    }
}

/// Which limit was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LimitKind {
    Stack,
    Marks,
    Memo,
}

/// A nested payload to scan after the current stream.
#[derive(Debug)]
pub(crate) struct Nested {
    pub(crate) bytes: NestedBytes,
    pub(crate) label: String,
    /// Found by its look (a bytes constant shaped like a pickle), not handed
    /// to a deserializer: parse errors inside it are not findings.
    pub(crate) sniffed: bool,
}

#[derive(Debug)]
pub(crate) enum NestedBytes {
    Input { start: usize, len: usize },
    Owned(Vec<u8>),
}

/// The view of an unpickler reading a `BytesIO` where a line argument
/// crossed a frame's end: the bytes without `from..to`, the frame opened
/// at `frame_at` ending at `from` (the reader dropped the rest of it).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Splice {
    pub(crate) frame_at: usize,
    pub(crate) from: usize,
    pub(crate) to: usize,
}

/// The findings and facts one stream produced.
#[derive(Debug, Default)]
pub(crate) struct StreamResult {
    pub(crate) findings: Vec<Finding>,
    pub(crate) nested: Vec<Nested>,
    pub(crate) info: StreamInfo,
    /// Set when the stream failed before its first opcode completed.
    pub(crate) failed_at_start: bool,
    /// Set when the stream failed because the data ended inside it.
    pub(crate) truncated: bool,
    /// A line-argument opcode crossed its FRAME's end: how an unpickler
    /// reading a `BytesIO` reads the stream.
    pub(crate) line_splice: Option<Splice>,
    /// The stream ended inside a line argument with no newline: the
    /// pure-Python unpickler takes the line without its last byte
    /// (`readline()[:-1]`) and goes on.
    pub(crate) eof_line: bool,
    /// The walk stopped at the opcode or time limit.
    pub(crate) stopped: bool,
    /// The end of the FRAME that the STOP lies inside, when bytes of the
    /// frame follow the STOP: where a loader that read the frame whole
    /// (from a `BytesIO`) starts its next `load()`.
    pub(crate) frame_tail: Option<usize>,
}

impl Machine<'_> {
    /// Whether the stream has done something `pickle.load` cannot undo by
    /// failing: named a global (which imports its module), pushed a
    /// callable it cannot name, or called something.
    fn has_effects(&self) -> bool {
        self.effects
    }
}

/// Aggregates event findings per key (rule code + what) so that a DUP bomb of
/// unresolved globals is one finding with a count, not a million.
#[derive(Debug, Default)]
struct Events {
    findings: Vec<Finding>,
    index: HashMap<String, usize>,
}

impl Events {
    fn add(&mut self, key: String, make: impl FnOnce() -> Finding) {
        match self.index.get(&key) {
            Some(&i) => {
                self.findings[i].occurrences = self.findings[i].occurrences.saturating_add(1)
            }
            None => {
                self.index.insert(key, self.findings.len());
                self.findings.push(make());
            }
        }
    }
}

/// Runs one stream starting at `start`.
pub(crate) struct Machine<'a> {
    data: &'a [u8],
    policy: &'a Policy,
    limits: &'a Limits,
    options: &'a Options,
    strict: bool,
    stream_index: u32,

    stack: Vec<Value>,
    marks: Vec<usize>,
    memo: Vec<Value>,
    memo_sparse: HashMap<u64, Value>,
    /// Distinct memo keys set so far: MEMOIZE's key (CPython's `memo_len`).
    memo_count: u64,
    proto: u8,
    tuples: Vec<Value>,
    owned: Vec<Vec<u8>>,
    globals: Vec<GlobalEntry>,
    global_index: HashMap<(bool, String, String), u32>,
    /// Past `max_globals`: the shared entry of each verdict.
    global_overflow: HashMap<String, u32>,
    events: Events,
    nested: Vec<Nested>,
    frame_end: Option<usize>,
    /// The offset of the FRAME opcode that opened the current frame.
    frame_at: usize,
    line_splice: Option<Splice>,
    eof_line: bool,
    fast_path: bool,
    /// The global id of `joblib.numpy_pickle.NumpyArrayWrapper`, once seen.
    joblib_wrapper: Option<u32>,
    /// Items SETITEM(S) put into the state dict of a NumpyArrayWrapper:
    /// (stack index of the dict, items).
    wrapper_state: Option<(usize, Vec<(Value, Value)>)>,
    differential_frame_reported: bool,
    tuple_store_reported: bool,
    /// A module was imported, or a callable pushed or called: what
    /// `pickle.load` cannot take back by raising afterwards.
    effects: bool,
}

impl<'a> Machine<'a> {
    pub(crate) fn new(
        data: &'a [u8],
        policy: &'a Policy,
        options: &'a Options,
        stream_index: u32,
    ) -> Self {
        Self {
            data,
            policy,
            limits: &options.limits,
            options,
            strict: options.strict,
            stream_index,
            stack: Vec::new(),
            marks: Vec::new(),
            memo: Vec::new(),
            memo_sparse: HashMap::new(),
            memo_count: 0,
            proto: 0,
            tuples: Vec::new(),
            owned: Vec::new(),
            globals: Vec::new(),
            global_index: HashMap::new(),
            global_overflow: HashMap::new(),
            events: Events::default(),
            nested: Vec::new(),
            frame_end: None,
            frame_at: 0,
            line_splice: None,
            eof_line: false,
            fast_path: !options.reference_path_only,
            joblib_wrapper: None,
            wrapper_state: None,
            differential_frame_reported: false,
            tuple_store_reported: false,
            effects: false,
        }
    }

    /// Runs the stream that starts at `start` to its STOP or first error.
    pub(crate) fn run(mut self, start: usize) -> StreamResult {
        let mut info = StreamInfo {
            start,
            end: start,
            protocol: 0,
            opcodes: 0,
            complete: false,
            stopped: false,
            error: None,
            effects: false,
            globals: Vec::new(),
        };
        let mut pos = start;
        let outcome = loop {
            if pos >= self.data.len() {
                break Err((pos, StreamError::NoStop));
            }
            info.opcodes += 1;
            if info.opcodes > self.limits.max_opcodes
                || (info.opcodes & 0xfff == 1
                    && self
                        .options
                        .deadline
                        .is_some_and(|d| std::time::Instant::now() >= d))
            {
                self.stopped_finding(pos, info.opcodes > self.limits.max_opcodes);
                break Err((pos, StreamError::Stopped));
            }
            if self.fast_path
                && let Some(next) = self.fast_step(pos)
            {
                pos = next;
                continue;
            }
            let ins = match decode_at(self.data, pos) {
                Ok(ins) => ins,
                Err(e) => {
                    // A line read across the frame's end may decode in the
                    // view of a reader that drops the rest of the frame.
                    if self.line_splice.is_none() {
                        self.line_splice = self.splice_at(pos);
                    }
                    self.eof_line = matches!(e, DecodeError::Truncated { .. })
                        && matches!(
                            self.data.get(pos),
                            Some(
                                b'c' | b'i' | b'I' | b'L' | b'F' | b'S' | b'V' | b'g' | b'p' | b'P'
                            )
                        )
                        && memchr::memchr(b'\n', &self.data[pos..]).is_none_or(|_| {
                            // GLOBAL and INST read two lines: the first may end.
                            matches!(self.data[pos], b'c' | b'i')
                                && memchr::memchr(b'\n', &self.data[pos..]).is_some_and(|nl| {
                                    memchr::memchr(b'\n', &self.data[pos + nl + 1..]).is_none()
                                })
                        });
                    break Err((pos, StreamError::Decode(e)));
                }
            };
            self.check_frame(&ins);
            let opcode = ins.opcode;
            let end = ins.end;
            match self.step(ins, start) {
                Ok(Flow::Continue) => pos = end,
                Ok(Flow::Jump(to)) => pos = to,
                Ok(Flow::Stop) => {
                    pos = end;
                    break Ok(());
                }
                Ok(Flow::Limit(kind)) => {
                    self.limit_finding(kind, pos, opcode);
                    let r = self.walk_degraded(end);
                    info.opcodes += r.1;
                    pos = r.0;
                    break r.2;
                }
                Err(e) => break Err((pos, e)),
            }
        };
        info.end = pos;
        info.protocol = self.proto;
        info.effects = self.has_effects();
        info.globals = self
            .globals
            .iter()
            .map(|g| crate::GlobalUse {
                module: g.module.clone(),
                name: g.name.clone(),
                attribute: g.attribute,
                invoked: g.invoked,
            })
            .collect();
        let stopped = matches!(outcome, Err((_, StreamError::Stopped)));
        info.stopped = stopped;
        let failed_at_start = !stopped && matches!(outcome, Err((p, _)) if p == start);
        let truncated = matches!(
            outcome,
            Err((
                _,
                StreamError::NoStop | StreamError::Decode(DecodeError::Truncated { .. })
            ))
        );
        match outcome {
            Ok(()) => info.complete = true,
            Err((offset, error)) => {
                info.error = Some(format!("{error} at offset {offset}"));
                info.end = offset;
                if !failed_at_start && !stopped {
                    let opcode = self
                        .data
                        .get(offset)
                        .and_then(|b| Opcode::from_byte(*b))
                        .map(Opcode::name);
                    self.malformed_finding(offset, opcode, &error);
                }
            }
        }
        let frame_tail = self.frame_end.filter(|&fe| info.complete && fe > info.end);
        let mut findings = self.global_findings();
        findings.append(&mut self.events.findings);
        StreamResult {
            findings,
            nested: self.nested,
            info,
            failed_at_start,
            truncated,
            frame_tail,
            line_splice: self.line_splice,
            eof_line: self.eof_line,
            stopped,
        }
    }

    /// The walk stops here: the opcode limit (`opcodes`) or the deadline.
    fn stopped_finding(&mut self, offset: usize, opcodes: bool) {
        let why = if opcodes {
            format!("opcode limit ({}) reached", self.limits.max_opcodes)
        } else {
            "time limit reached".to_owned()
        };
        let location = Location::at_offset(offset as u64).with_stream(self.stream_index);
        self.events.findings.push(
            Finding::builder(
                &rules::limit_exceeded::RULE,
                format!("{why}; the rest of the data from here on was not scanned"),
            )
            .severity(Severity::High)
            .at(location)
            .build(),
        );
    }

    fn location(&self, offset: usize, opcode: &'static str) -> Location {
        Location::at_offset(offset as u64)
            .with_opcode(opcode)
            .with_stream(self.stream_index)
    }

    fn event(
        &mut self,
        rule: &'static Rule,
        key: &str,
        offset: usize,
        opcode: &'static str,
        message: impl FnOnce() -> String,
    ) {
        let location = self.location(offset, opcode);
        self.events.add(format!("{}:{key}", rule.code), || {
            Finding::builder(rule, message()).at(location).build()
        });
    }

    #[inline]
    fn fence(&self) -> usize {
        self.marks.last().copied().unwrap_or(0)
    }

    #[inline]
    fn pop(&mut self) -> Result<Value, StreamError> {
        if self.stack.len() <= self.fence() {
            return Err(StreamError::Underflow);
        }
        self.stack.pop().ok_or(StreamError::Underflow)
    }

    #[inline]
    fn top(&self) -> Result<Value, StreamError> {
        if self.stack.len() <= self.fence() {
            return Err(StreamError::Underflow);
        }
        self.stack.last().copied().ok_or(StreamError::Underflow)
    }

    #[inline]
    fn push(&mut self, v: Value) -> Result<(), LimitKind> {
        if self.stack.len() >= self.limits.max_stack {
            return Err(LimitKind::Stack);
        }
        self.stack.push(v);
        Ok(())
    }

    /// Pops the last MARK and returns the stack position it marked.
    #[inline]
    fn pop_mark(&mut self) -> Result<usize, StreamError> {
        self.marks.pop().ok_or(StreamError::NoMark)
    }

    fn memo_get(&self, key: u64) -> Result<Value, StreamError> {
        let found = match self.memo.get(key as usize) {
            Some(Value::Unset) | None => self.memo_sparse.get(&key).copied(),
            Some(v) => Some(*v),
        };
        found.ok_or(StreamError::MissingMemo(key))
    }

    #[inline]
    fn memo_put(&mut self, key: u64, v: Value) -> Result<(), LimitKind> {
        // Dense storage for the indices picklers write (0, 1, 2...); a hash
        // map for far-away keys so LONG_BINPUT 0xffffffff costs one entry.
        let dense_ok = key < (self.memo.len() as u64).saturating_mul(2).max(1 << 16);
        if dense_ok {
            let k = key as usize;
            if k >= self.memo.len() {
                self.memo.resize(k + 1, Value::Unset);
            }
            // A key first stored sparsely moves here; it is not a new key.
            if self.memo[k] == Value::Unset && self.memo_sparse.remove(&key).is_none() {
                self.memo_count += 1;
            }
            self.memo[k] = v;
        } else if self.memo_sparse.insert(key, v).is_none() {
            self.memo_count += 1;
        }
        if self.memo_count as usize > self.limits.max_memo {
            return Err(LimitKind::Memo);
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Continue,
    Stop,
    Limit(LimitKind),
    /// Continue at this offset (joblib's inline array data was skipped).
    Jump(usize),
}

#[cfg(test)]
mod tests {
    #[test]
    fn values_stay_small() {
        // The memo and stack hold millions of these.
        assert_eq!(std::mem::size_of::<super::Value>(), 16);
    }
}
