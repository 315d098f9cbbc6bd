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

/// Marks a call whose callee was not a global.
const DYNAMIC: u32 = u32::MAX;
/// Marks a tuple whose items were not stored (the tuple store limit).
const OPAQUE: u32 = u32::MAX;
/// How many items of each tuple are kept for argument checks and messages.
const TUPLE_KEEP: usize = 8;

/// A span of the input, or (with `OWNED` set in `pos`) the index of a
/// decoded buffer owned by the stream. Stored flattened in [`Value`] so that
/// a value is 16 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Src {
    pos: u64,
    len: u32,
}

const OWNED: u64 = 1 << 63;

impl Src {
    fn input(start: usize, len: usize) -> Self {
        Self {
            pos: start as u64,
            // Longer constants are never names nor nested pickles we scan.
            len: u32::try_from(len).unwrap_or(u32::MAX),
        }
    }

    fn owned(index: usize) -> Self {
        Self {
            pos: OWNED | index as u64,
            len: 0,
        }
    }

    fn input_range(self) -> Option<(usize, usize)> {
        (self.pos & OWNED == 0 && self.len != u32::MAX)
            .then_some((self.pos as usize, self.len as usize))
    }
}

/// What the machine knows about a value on the stack or in the memo.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Value {
    None,
    Bool(bool),
    Int(i64),
    BigInt,
    Float,
    Str {
        pos: u64,
        len: u32,
    },
    Bytes {
        pos: u64,
        len: u32,
    },
    Buffer,
    Tuple {
        start: u32,
        len: u32,
    },
    List,
    Dict,
    Set,
    FrozenSet,
    /// A global: an index into the stream's globals table.
    Global(u32),
    /// The result of calling a global (or of a dynamic call).
    Call {
        callee: u32,
        args_start: u32,
        args_len: u32,
    },
    /// What `persistent_load` returned.
    Persistent,
    /// A global pushed by EXT1/2/4, or a STACK_GLOBAL whose operands were
    /// computed: a callable loadguard cannot name.
    Opaque,
    /// An empty memo slot; never on the stack.
    Unset,
}

impl Value {
    fn str(src: Src) -> Self {
        Self::Str {
            pos: src.pos,
            len: src.len,
        }
    }

    fn bytes(src: Src) -> Self {
        Self::Bytes {
            pos: src.pos,
            len: src.len,
        }
    }

    fn as_str(self) -> Option<Src> {
        match self {
            Self::Str { pos, len } => Some(Src { pos, len }),
            _ => None,
        }
    }

    fn as_bytes(self) -> Option<Src> {
        match self {
            Self::Bytes { pos, len } => Some(Src { pos, len }),
            _ => None,
        }
    }

    fn is_callable_like(self) -> bool {
        matches!(
            self,
            Self::Global(_) | Self::Call { .. } | Self::Persistent | Self::Opaque
        )
    }
}

/// One distinct global of a stream, and how the stream used it.
#[derive(Debug)]
struct GlobalEntry {
    /// `module.name` after the Python 2 mapping, as judged.
    display: String,
    /// The module and the (dotted) name, after the mapping.
    module: String,
    name: String,
    /// Reached by `getattr`, not imported: only worth reporting when it is
    /// called or dangerous.
    attribute: bool,
    class: Class,
    first_offset: usize,
    first_opcode: &'static str,
    invoked: u32,
    invoke_offset: usize,
    invoke_opcode: &'static str,
    invoke_args: Option<String>,
}

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
        let failed_at_start = matches!(outcome, Err((p, _)) if p == start);
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
                if !failed_at_start {
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
        }
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

    // ---- the stack, as _pickle.c's Pdata with its fence -------------------

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

    // ---- memo ---------------------------------------------------------------

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

    // ---- strings -------------------------------------------------------------

    fn src_bytes(&self, src: Src) -> &[u8] {
        if src.pos & OWNED != 0 {
            &self.owned[(src.pos & !OWNED) as usize]
        } else {
            let start = src.pos as usize;
            &self.data[start..start + src.len as usize]
        }
    }

    fn text_src(&mut self, arg: Arg<'a>, ins_offset: usize) -> Src {
        match arg {
            Arg::Text(cow) | Arg::Py2Str(cow) => self.cow_src(cow),
            _ => Src::input(ins_offset, 0),
        }
    }

    fn cow_src(&mut self, cow: std::borrow::Cow<'a, [u8]>) -> Src {
        match cow {
            std::borrow::Cow::Borrowed(b) => Src::input(self.offset_of(b), b.len()),
            std::borrow::Cow::Owned(v) => {
                self.owned.push(v);
                Src::owned(self.owned.len() - 1)
            }
        }
    }

    fn offset_of(&self, slice: &[u8]) -> usize {
        slice.as_ptr() as usize - self.data.as_ptr() as usize
    }

    // ---- tuples ----------------------------------------------------------------

    fn make_tuple(&mut self, items_from: usize, offset: usize, opcode: &'static str) -> Value {
        let len = self.stack.len() - items_from;
        let keep = len.min(TUPLE_KEEP);
        let start = if self.tuples.len() + keep > self.limits.max_tuple_values {
            if !self.tuple_store_reported {
                self.tuple_store_reported = true;
                self.event(
                    &rules::limit_exceeded::RULE,
                    "tuple-store",
                    offset,
                    opcode,
                    || {
                        "tuple store limit reached: later tuples are tracked without their items"
                            .to_owned()
                    },
                );
            }
            OPAQUE
        } else {
            let s = self.tuples.len() as u32;
            self.tuples
                .extend_from_slice(&self.stack[items_from..items_from + keep]);
            s
        };
        self.stack.truncate(items_from);
        Value::Tuple {
            start,
            len: len.min(u32::MAX as usize) as u32,
        }
    }

    fn tuple_items(&self, v: Value) -> &[Value] {
        match v {
            Value::Tuple { start, len } if start != OPAQUE => {
                let keep = (len as usize).min(TUPLE_KEEP);
                &self.tuples[start as usize..start as usize + keep]
            }
            Value::Call {
                args_start,
                args_len,
                ..
            } if args_start != OPAQUE => {
                let keep = (args_len as usize).min(TUPLE_KEEP);
                &self.tuples[args_start as usize..args_start as usize + keep]
            }
            _ => &[],
        }
    }

    // ---- globals -----------------------------------------------------------------

    fn intern_global(
        &mut self,
        module: &str,
        name: &str,
        offset: usize,
        opcode: &'static str,
    ) -> u32 {
        // `find_class` imports the module: an effect, unless the name could
        // never be imported (`anvas {` from a CSS file read as GLOBAL).
        self.effects |= crate::is_dotted_identifier(module);
        let legacy = self.proto < 3;
        let key = (legacy, module.to_owned(), name.to_owned());
        if let Some(&id) = self.global_index.get(&key) {
            return id;
        }
        // Python 2 names are mapped whatever the protocol: at protocol >= 3
        // CPython would fail to import them, so judging the mapped name only
        // errs on the side of reporting.
        let (m, n) = self.policy.map_python2(module, name);
        let class = if self.options.torchscript_classes
            && (m == "__torch__" || m.starts_with("__torch__."))
        {
            Class::Allowed(AllowKind::Plain)
        } else {
            self.policy.classify(m, n)
        };
        let display = format!("{m}.{n}");
        let id = self.globals.len() as u32;
        if display == "joblib.numpy_pickle.NumpyArrayWrapper" {
            // joblib writes array bytes right after this object's BUILD.
            self.joblib_wrapper = Some(id);
        }
        self.globals.push(GlobalEntry {
            display,
            module: m.to_owned(),
            name: n.to_owned(),
            attribute: false,
            class,
            first_offset: offset,
            first_opcode: opcode,
            invoked: 0,
            invoke_offset: 0,
            invoke_opcode: "",
            invoke_args: None,
        });
        self.global_index.insert(key, id);
        id
    }

    fn mark_invoked(&mut self, id: u32, offset: usize, opcode: &'static str, args: Option<String>) {
        let g = &mut self.globals[id as usize];
        if g.invoked == 0 {
            g.invoke_offset = offset;
            g.invoke_opcode = opcode;
            g.invoke_args = args;
        }
        g.invoked = g.invoked.saturating_add(1);
    }

    // ---- calls --------------------------------------------------------------------

    /// A call of `callee` with `args` (REDUCE, INST, OBJ, NEWOBJ, NEWOBJ_EX).
    fn call(
        &mut self,
        callee: Value,
        args: Value,
        offset: usize,
        opcode: &'static str,
    ) -> Result<Value, StreamError> {
        let (args_start, args_len) = match args {
            Value::Tuple { start, len } => (start, len),
            _ => (OPAQUE, 0),
        };
        match callee {
            Value::Global(id) => {
                // Only the first call's arguments are kept (rendering every
                // call of a checkpoint's 200,000 tensor rebuilds was a third
                // of its scan).
                let rendered = if self.globals[id as usize].invoked == 0 {
                    self.render_args(args)
                } else {
                    None
                };
                self.mark_invoked(id, offset, opcode, rendered);
                let result = self.judge_call(id, args, offset, opcode);
                Ok(result.unwrap_or(Value::Call {
                    callee: id,
                    args_start,
                    args_len,
                }))
            }
            Value::Call { .. } | Value::Persistent | Value::Opaque => {
                self.effects = true;
                // A helper may return what it was handed (`max((f,))`,
                // `copy.copy(f)`): every global in its arguments may be
                // what is called now.
                if let Value::Call {
                    callee: helper,
                    args_start,
                    args_len,
                } = callee
                {
                    let handed = Value::Tuple {
                        start: args_start,
                        len: args_len,
                    };
                    let inner: Vec<Value> = self.tuple_items(handed).to_vec();
                    let via = if helper == DYNAMIC {
                        "a computed callable".to_owned()
                    } else {
                        format!("`{}`", self.globals[helper as usize].display)
                    };
                    self.invoke_handed_callables(
                        &inner,
                        offset,
                        opcode,
                        &format!("the result of {via}, then called"),
                        0,
                    );
                }
                let what = self.render(callee, 2);
                self.event(&rules::dynamic_call::RULE, &what, offset, opcode, || {
                    format!("calls a value computed at load time: {what}")
                });
                Ok(Value::Call {
                    callee: DYNAMIC,
                    args_start,
                    args_len,
                })
            }
            _ => Err(StreamError::NotCallable),
        }
    }

    /// Argument-aware checks for allowlisted callables with a shape, for
    /// trampolines and resolvers, and nested payloads for deserializers.
    /// Returns a replacement value for the call result, if any.
    fn judge_call(
        &mut self,
        id: u32,
        args: Value,
        offset: usize,
        opcode: &'static str,
    ) -> Option<Value> {
        let class = self.globals[id as usize].class.clone();
        let name = self.globals[id as usize].display.clone();
        let items: Vec<Value> = self.tuple_items(args).to_vec();
        if name == "builtins.getattr" {
            return self.resolve_getattr(&items, offset, opcode);
        }
        match class {
            Class::Allowed(AllowKind::Trampoline) => {
                self.invoke_handed_callables(&items, offset, opcode, &name, 0);
                None
            }
            Class::Allowed(AllowKind::Resolver) => {
                Some(self.resolve_call(&items, offset, opcode, &name))
            }
            Class::Allowed(AllowKind::Shape) => {
                self.check_shape(&name, &items, offset, opcode);
                None
            }
            Class::Dangerous {
                category: Category::Deserialize,
                ..
            } => {
                if let Some(first) = items.first().copied() {
                    // `loads`-style callables take pickle bytes: scan whatever
                    // they get. Others (`numpy.load(path)`) only when the
                    // argument is itself a pickle.
                    let takes_bytes = name.ends_with("loads")
                        || name.ends_with("_load_from_bytes")
                        || name.ends_with("load_config");
                    self.queue_nested_argument(first, &name, takes_bytes);
                }
                None
            }
            _ => None,
        }
    }

    fn invoke_handed_callables(
        &mut self,
        items: &[Value],
        offset: usize,
        opcode: &'static str,
        via: &str,
        depth: u32,
    ) {
        for &item in items {
            match item {
                Value::Global(g) => {
                    let via_text = format!("handed to {via}");
                    self.mark_invoked(g, offset, opcode, Some(via_text));
                }
                Value::Tuple { .. } if depth < 3 => {
                    let inner: Vec<Value> = self.tuple_items(item).to_vec();
                    self.invoke_handed_callables(&inner, offset, opcode, via, depth + 1);
                }
                _ => {}
            }
        }
    }

    /// `_ufunc_reconstruct(module, name)` and friends: resolve like a GLOBAL.
    fn resolve_call(
        &mut self,
        items: &[Value],
        offset: usize,
        opcode: &'static str,
        via: &str,
    ) -> Value {
        match items {
            // `(module, name)`, or scipy's `(module, qualname, self)`.
            [m, n, ..] if items.len() <= 3 && m.as_str().is_some() && n.as_str().is_some() => {
                let (Some(m), Some(n)) = (m.as_str(), n.as_str()) else {
                    return Value::Opaque;
                };
                let module = String::from_utf8_lossy(self.src_bytes(m)).into_owned();
                let name = String::from_utf8_lossy(self.src_bytes(n)).into_owned();
                Value::Global(self.intern_global(&module, &name, offset, opcode))
            }
            _ => {
                let via = via.to_owned();
                self.event(
                    &rules::unresolved_global::RULE,
                    &via,
                    offset,
                    opcode,
                    || {
                        format!(
                            "`{via}` resolves a callable from values that are not string constants"
                        )
                    },
                );
                Value::Opaque
            }
        }
    }

    /// `getattr(target, 'name')` is the attribute `target.name`: judged by
    /// the same policy as a global of that path. A global's attribute is
    /// `module.qualname.name` (`getattr(ZoneInfo, '_unpickle')` is
    /// `zoneinfo.ZoneInfo._unpickle`, how CPython pickles class methods); an
    /// instance's is its class's (`cls.method`, a bound method); a
    /// constant's is its type's (`getattr('', 'join')` is
    /// `builtins.str.join`). A computed name or target is a gadget: `None`
    /// leaves the call result opaque and reports it.
    fn resolve_getattr(
        &mut self,
        items: &[Value],
        offset: usize,
        opcode: &'static str,
    ) -> Option<Value> {
        let resolved = match items {
            [target, attr] => attr.as_str().and_then(|a| {
                let attr = String::from_utf8_lossy(self.src_bytes(a)).into_owned();
                let (module, name) = match *target {
                    Value::Global(g) => {
                        let g = &self.globals[g as usize];
                        (g.module.clone(), g.name.clone())
                    }
                    // An object made by an allowed or unknown callable: its
                    // class's attribute. A dangerous callable's result can be
                    // anything (`import_module('os')`): not resolved.
                    Value::Call { callee: g, .. }
                        if g != DYNAMIC
                            && !matches!(
                                self.globals[g as usize].class,
                                Class::Dangerous { .. }
                            ) =>
                    {
                        let g = &self.globals[g as usize];
                        (g.module.clone(), g.name.clone())
                    }
                    other => ("builtins".to_owned(), constant_type(other)?.to_owned()),
                };
                Some((module, format!("{name}.{attr}")))
            }),
            _ => None,
        };
        match resolved {
            Some((module, name)) => {
                let id = self.intern_global(&module, &name, offset, opcode);
                self.globals[id as usize].attribute = true;
                Some(Value::Global(id))
            }
            None => {
                let args = self.render_items(items);
                let key = format!("builtins.getattr{args}");
                self.event(&rules::attribute_gadget::RULE, &key, offset, opcode, || {
                    format!("`builtins.getattr` is called as `builtins.getattr{args}`: an attribute loadguard cannot name")
                });
                None
            }
        }
    }

    fn check_shape(&mut self, name: &str, items: &[Value], offset: usize, opcode: &'static str) {
        let ok = match name {
            // type(None), type(NotImplemented), type(...): NoneType and friends.
            "builtins.type" => match items {
                [Value::None] => true,
                [Value::Global(g)] => matches!(
                    self.globals[*g as usize].display.as_str(),
                    "builtins.NotImplemented" | "builtins.Ellipsis"
                ),
                _ => false,
            },
            // iter(x); iter(callable, sentinel) calls the callable.
            "builtins.iter" => items.len() == 1 && !items[0].is_callable_like(),
            _ => false,
        };
        if !ok {
            let args = self.render_items(items);
            let key = format!("{name}{args}");
            let msg_name = name.to_owned();
            let rule = if name == "builtins.iter" {
                &rules::callback_invoker::RULE
            } else {
                &rules::attribute_gadget::RULE
            };
            self.event(rule, &key, offset, opcode, || {
                format!("`{msg_name}` is called as `{msg_name}{args}`, not in the one shape ordinary pickles use")
            });
        }
    }

    /// Bytes handed to a deserializer are scanned as a nested pickle.
    fn queue_nested_argument(&mut self, arg: Value, via: &str, takes_bytes: bool) {
        let label = format!("argument of {via}");
        let bytes = match arg {
            Value::Bytes { .. } if arg.as_bytes().and_then(Src::input_range).is_some() => {
                let (start, len) = arg
                    .as_bytes()
                    .and_then(Src::input_range)
                    .unwrap_or_default();
                NestedBytes::Input { start, len }
            }
            _ => match self.decoded_bytes(arg) {
                Some(bytes) => NestedBytes::Owned(bytes),
                None => return,
            },
        };
        let slice: &[u8] = match &bytes {
            NestedBytes::Input { start, len } => &self.data[*start..*start + *len],
            NestedBytes::Owned(v) => v,
        };
        if !takes_bytes && !crate::sniff(slice) {
            return;
        }
        // The same constant may already be queued because it looked like a
        // pickle: scan it once, under the deserializer's name.
        if let NestedBytes::Input { start, .. } = bytes
            && let Some(existing) = self
                .nested
                .iter_mut()
                .find(|n| matches!(n.bytes, NestedBytes::Input { start: s, .. } if s == start))
        {
            existing.label = label;
            existing.sniffed = false;
            return;
        }
        self.nested.push(Nested {
            bytes,
            label,
            sniffed: false,
        });
    }

    /// The bytes a value stands for, when it is a constant or a decoding call
    /// of a constant: `_codecs.encode(s, 'latin1')`, `base64.b64decode(s)`,
    /// `binascii.unhexlify(s)`, `bytes.fromhex(s)`.
    fn decoded_bytes(&self, v: Value) -> Option<Vec<u8>> {
        match v {
            Value::Bytes { pos, len } => Some(self.src_bytes(Src { pos, len }).to_vec()),
            Value::Str { pos, len } => latin1_bytes(self.src_bytes(Src { pos, len })),
            Value::Call { callee, .. } if callee != DYNAMIC => {
                let name = self.globals[callee as usize].display.as_str();
                let items = self.tuple_items(v);
                let first = items.first().copied()?;
                let raw = match first {
                    Value::Str { pos, len } | Value::Bytes { pos, len } => {
                        self.src_bytes(Src { pos, len })
                    }
                    _ => return None,
                };
                match name {
                    "_codecs.encode" | "codecs.encode" => latin1_bytes(raw),
                    "base64.b64decode"
                    | "base64.standard_b64decode"
                    | "base64.decodebytes"
                    | "binascii.a2b_base64" => loadguard_core::codec::base64_decode_python(raw),
                    // Python maps `-_` to `+/` first.
                    "base64.urlsafe_b64decode" => {
                        let mapped: Vec<u8> = raw
                            .iter()
                            .map(|&c| match c {
                                b'-' => b'+',
                                b'_' => b'/',
                                c => c,
                            })
                            .collect();
                        loadguard_core::codec::base64_decode_python(&mapped)
                    }
                    "base64.b16decode"
                    | "binascii.unhexlify"
                    | "binascii.a2b_hex"
                    | "builtins.bytes.fromhex" => hex_decode(raw),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    // ---- rendering for messages ---------------------------------------------------

    fn render_args(&self, args: Value) -> Option<String> {
        match args {
            Value::Tuple { .. } => Some(self.render(args, 3)),
            Value::Opaque | Value::Call { .. } => Some(format!("*{}", self.render(args, 2))),
            _ => None,
        }
    }

    fn render_items(&self, items: &[Value]) -> String {
        let inner: Vec<String> = items.iter().map(|v| self.render(*v, 2)).collect();
        if items.len() == 1 {
            format!("({},)", inner[0])
        } else {
            format!("({})", inner.join(", "))
        }
    }

    fn render(&self, v: Value, depth: u32) -> String {
        match v {
            Value::None => "None".into(),
            Value::Bool(b) => if b { "True" } else { "False" }.into(),
            Value::Int(i) => i.to_string(),
            Value::BigInt => "<int>".into(),
            Value::Float => "<float>".into(),
            Value::Str { pos, len } => python_repr_str(self.src_bytes(Src { pos, len })),
            Value::Bytes { pos, len } => {
                let b = self.src_bytes(Src { pos, len });
                if b.len() <= 40 {
                    python_repr_bytes(b)
                } else {
                    format!("<{} bytes>", b.len())
                }
            }
            Value::Buffer => "<buffer>".into(),
            Value::Tuple { len, .. } => {
                if depth == 0 {
                    return "(...)".into();
                }
                let items: Vec<String> = self
                    .tuple_items(v)
                    .iter()
                    .map(|i| self.render(*i, depth - 1))
                    .collect();
                let more = if (len as usize) > items.len() {
                    ", ..."
                } else {
                    ""
                };
                if len == 1 && items.len() == 1 {
                    format!("({},)", items[0])
                } else {
                    format!("({}{more})", items.join(", "))
                }
            }
            Value::List => "[...]".into(),
            Value::Dict => "{...}".into(),
            Value::Set | Value::FrozenSet => "{...}".into(),
            Value::Global(g) => self.globals[g as usize].display.clone(),
            Value::Call { callee, .. } => {
                let name = if callee == DYNAMIC {
                    "<computed>".to_owned()
                } else {
                    self.globals[callee as usize].display.clone()
                };
                if depth == 0 {
                    format!("{name}(...)")
                } else {
                    let items = self.tuple_items(v);
                    format!("{name}{}", self.render_items_depth(items, depth - 1))
                }
            }
            Value::Persistent => "<persistent id>".into(),
            Value::Opaque | Value::Unset => "<unresolved global>".into(),
        }
    }

    fn render_items_depth(&self, items: &[Value], depth: u32) -> String {
        let inner: Vec<String> = items.iter().map(|v| self.render(*v, depth)).collect();
        format!("({})", inner.join(", "))
    }

    // ---- per-opcode semantics ---------------------------------------------------------

    /// The hottest data opcodes of ordinary pickles, decoded in place. Only
    /// cases with no error, no limit and no finding are taken here; anything
    /// else returns `None` and goes through `step`, which is the reference
    /// (tests run every fixture both ways and compare).
    #[inline(always)]
    fn fast_step(&mut self, pos: usize) -> Option<usize> {
        let data = self.data;
        let op = data[pos];
        let arg = |n: usize| data.get(pos + 1..pos + 1 + n);
        let (next, value) = match op {
            b'(' => {
                if self.marks.len() >= self.limits.max_marks {
                    return None;
                }
                (pos + 1, None)
            }
            b'}' => (pos + 1, Some(Value::Dict)),
            b']' => (pos + 1, Some(Value::List)),
            b')' => (pos + 1, Some(Value::Tuple { start: 0, len: 0 })),
            b'N' => (pos + 1, Some(Value::None)),
            0x88 => (pos + 1, Some(Value::Bool(true))),
            0x89 => (pos + 1, Some(Value::Bool(false))),
            b'K' => (pos + 2, Some(Value::Int(i64::from(arg(1)?[0])))),
            b'M' => {
                let b = arg(2)?;
                (
                    pos + 3,
                    Some(Value::Int(i64::from(u16::from_le_bytes([b[0], b[1]])))),
                )
            }
            b'J' => {
                let b = arg(4)?;
                (
                    pos + 5,
                    Some(Value::Int(i64::from(i32::from_le_bytes([
                        b[0], b[1], b[2], b[3],
                    ])))),
                )
            }
            b'G' => {
                arg(8)?;
                (pos + 9, Some(Value::Float))
            }
            0x8c => {
                let n = usize::from(arg(1)?[0]);
                let text = data.get(pos + 2..pos + 2 + n)?;
                if !text.is_ascii() {
                    return None;
                }
                (pos + 2 + n, Some(Value::str(Src::input(pos + 2, n))))
            }
            b'h' => (pos + 2, Some(self.memo_get(u64::from(arg(1)?[0])).ok()?)),
            b'j' => {
                let b = arg(4)?;
                let key = u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
                (pos + 5, Some(self.memo_get(key).ok()?))
            }
            0x94 | b'q' | b'r' => {
                let (next, key) = match op {
                    0x94 => (pos + 1, self.memo_count),
                    b'q' => (pos + 2, u64::from(arg(1)?[0])),
                    _ => {
                        let b = arg(4)?;
                        (
                            pos + 5,
                            u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])),
                        )
                    }
                };
                if self.memo_count as usize >= self.limits.max_memo || self.crosses_frame(pos, next)
                {
                    return None;
                }
                let top = self.top().ok()?;
                let k = key as usize;
                if k == self.memo.len() && self.memo_sparse.is_empty() {
                    // Picklers number memo entries 0, 1, 2...: append.
                    self.memo.push(top);
                    self.memo_count += 1;
                } else {
                    self.memo_put(key, top).ok()?;
                }
                return Some(next);
            }
            b'u' | b'e' if self.joblib_wrapper.is_none() => {
                // SETITEMS / APPENDS onto a container the pickle built.
                let m = *self.marks.last()?;
                let fence = self.marks.len().checked_sub(2).map_or(0, |i| self.marks[i]);
                let len = self.stack.len();
                if m > len || m <= fence || (op == b'u' && !(len - m).is_multiple_of(2)) {
                    return None;
                }
                if !matches!(
                    self.stack[m - 1],
                    Value::Dict | Value::List | Value::Call { .. }
                ) {
                    return None;
                }
                self.marks.pop();
                self.stack.truncate(m);
                return Some(pos + 1);
            }
            _ => return None,
        };
        if self.crosses_frame(pos, next) {
            return None;
        }
        match value {
            Some(v) => {
                if self.stack.len() >= self.limits.max_stack {
                    return None;
                }
                self.stack.push(v);
            }
            None => self.marks.push(self.stack.len()),
        }
        Some(next)
    }

    #[inline(always)]
    fn crosses_frame(&self, pos: usize, next: usize) -> bool {
        self.frame_end.is_some_and(|end| pos < end && next > end)
    }

    /// The BytesIO view of a line-argument opcode at `offset` in the
    /// current frame, if its argument crosses the frame's end.
    fn splice_at(&self, offset: usize) -> Option<Splice> {
        let end = self.frame_end.filter(|&e| offset < e)?;
        line_splice(self.data, offset, end).map(|(from, to)| Splice {
            frame_at: self.frame_at,
            from,
            to,
        })
    }

    fn check_frame(&mut self, ins: &Instruction<'_>) {
        if let Some(end) = self.frame_end
            && ins.offset < end
            && ins.end > end
        {
            let splice = self.splice_at(ins.offset);
            // The first crossing that readers see differently makes the
            // other view (which finds the crossings after it).
            if self.line_splice.is_none() {
                self.line_splice = splice;
            }
            if self.differential_frame_reported {
                return;
            }
            self.differential_frame_reported = true;
            let two_views = if splice.is_some() {
                ": an unpickler reading a buffered file reads its argument on across the \
                 frame's end, one reading a BytesIO drops the rest of the frame and reads the \
                 argument from the frame's end; both were scanned"
            } else {
                ""
            };
            self.event(
                &rules::parser_differential::RULE,
                "frame-cross",
                ins.offset,
                ins.opcode.name(),
                || {
                    format!(
                        "{} crosses the end of its FRAME{two_views}",
                        ins.opcode.name()
                    )
                },
            );
        }
    }

    fn step(&mut self, ins: Instruction<'a>, stream_start: usize) -> Result<Flow, StreamError> {
        let offset = ins.offset;
        let op = ins.opcode;
        let name = op.name();
        macro_rules! push {
            ($v:expr) => {
                if let Err(kind) = self.push($v) {
                    return Ok(Flow::Limit(kind));
                }
            };
        }
        match op {
            Opcode::Mark => {
                if self.marks.len() >= self.limits.max_marks {
                    return Ok(Flow::Limit(LimitKind::Marks));
                }
                self.marks.push(self.stack.len());
            }
            Opcode::Stop => {
                self.pop()?;
                return Ok(Flow::Stop);
            }
            Opcode::Pop => {
                if self.marks.last() == Some(&self.stack.len()) {
                    self.marks.pop();
                } else {
                    self.pop()?;
                }
            }
            Opcode::PopMark => {
                let m = self.pop_mark()?;
                self.stack.truncate(m);
            }
            Opcode::Dup => {
                let v = self.top()?;
                push!(v);
            }
            Opcode::Int
            | Opcode::Long
            | Opcode::BinInt
            | Opcode::BinInt1
            | Opcode::BinInt2
            | Opcode::Long1
            | Opcode::Long4 => {
                if matches!(op, Opcode::Int | Opcode::Long) {
                    self.check_int_text(offset, name);
                }
                let v = match ins.arg {
                    Arg::Int(IntValue::Small(i)) => Value::Int(i),
                    Arg::Int(IntValue::Bool(b)) => Value::Bool(b),
                    _ => Value::BigInt,
                };
                push!(v);
            }
            Opcode::Float | Opcode::BinFloat => push!(Value::Float),
            Opcode::None => push!(Value::None),
            Opcode::NewTrue => push!(Value::Bool(true)),
            Opcode::NewFalse => push!(Value::Bool(false)),
            Opcode::String
            | Opcode::BinString
            | Opcode::ShortBinString
            | Opcode::Unicode
            | Opcode::BinUnicode
            | Opcode::ShortBinUnicode
            | Opcode::BinUnicode8 => {
                let src = self.text_src(ins.arg, offset);
                push!(Value::str(src));
            }
            Opcode::BinBytes | Opcode::ShortBinBytes | Opcode::BinBytes8 | Opcode::ByteArray8 => {
                let Arg::Bytes(b) = ins.arg else {
                    return Err(StreamError::Underflow);
                };
                let start = self.offset_of(b);
                if looks_like_pickle(b) {
                    self.nested.push(Nested {
                        bytes: NestedBytes::Input {
                            start,
                            len: b.len(),
                        },
                        label: format!("bytes@{offset:#x}"),
                        sniffed: true,
                    });
                }
                push!(Value::bytes(Src::input(start, b.len())));
            }
            Opcode::NextBuffer => push!(Value::Buffer),
            Opcode::ReadOnlyBuffer => {
                self.top()?;
            }
            Opcode::EmptyTuple => push!(Value::Tuple { start: 0, len: 0 }),
            Opcode::Tuple => {
                let m = self.pop_mark()?;
                if m > self.stack.len() {
                    return Err(StreamError::Underflow);
                }
                let t = self.make_tuple(m, offset, name);
                push!(t);
            }
            Opcode::Tuple1 | Opcode::Tuple2 | Opcode::Tuple3 => {
                let n = match op {
                    Opcode::Tuple1 => 1,
                    Opcode::Tuple2 => 2,
                    _ => 3,
                };
                if self.stack.len() < n || self.stack.len() - n < self.fence() {
                    return Err(StreamError::Underflow);
                }
                let from = self.stack.len() - n;
                let t = self.make_tuple(from, offset, name);
                push!(t);
            }
            Opcode::EmptyList => push!(Value::List),
            Opcode::EmptyDict => push!(Value::Dict),
            Opcode::EmptySet => push!(Value::Set),
            Opcode::List | Opcode::FrozenSet => {
                let m = self.pop_mark()?;
                self.stack.truncate(m);
                push!(if op == Opcode::List {
                    Value::List
                } else {
                    Value::FrozenSet
                });
            }
            Opcode::Dict => {
                let m = self.pop_mark()?;
                if !(self.stack.len() - m).is_multiple_of(2) {
                    return Err(StreamError::OddItems("DICT"));
                }
                self.stack.truncate(m);
                push!(Value::Dict);
            }
            Opcode::Append => {
                let len = self.stack.len();
                if len < 2 || len - 1 <= self.fence() {
                    return Err(StreamError::Underflow);
                }
                self.check_mutation(self.stack[len - 2], offset, name);
                self.stack.pop();
            }
            Opcode::Appends | Opcode::AddItems => {
                let m = self.pop_mark()?;
                if m > self.stack.len() || m <= self.fence() {
                    return Err(StreamError::Underflow);
                }
                if m < self.stack.len() {
                    self.check_mutation(self.stack[m - 1], offset, name);
                }
                self.stack.truncate(m);
            }
            Opcode::SetItem => {
                let len = self.stack.len();
                if len < 3 || len - 2 <= self.fence() {
                    return Err(StreamError::Underflow);
                }
                self.check_mutation(self.stack[len - 3], offset, name);
                self.record_wrapper_state(len - 3, len - 2);
                self.stack.truncate(len - 2);
            }
            Opcode::SetItems => {
                let m = self.pop_mark()?;
                if m > self.stack.len() || m <= self.fence() {
                    return Err(StreamError::Underflow);
                }
                if !(self.stack.len() - m).is_multiple_of(2) {
                    return Err(StreamError::OddItems("SETITEMS"));
                }
                if m < self.stack.len() {
                    self.check_mutation(self.stack[m - 1], offset, name);
                    self.record_wrapper_state(m - 1, m);
                }
                self.stack.truncate(m);
            }
            Opcode::Get | Opcode::BinGet | Opcode::LongBinGet => {
                let Arg::Memo(k) = ins.arg else {
                    return Err(StreamError::Underflow);
                };
                let v = self.memo_get(k)?;
                push!(v);
            }
            Opcode::Put | Opcode::BinPut | Opcode::LongBinPut => {
                let Arg::Memo(k) = ins.arg else {
                    return Err(StreamError::Underflow);
                };
                let v = self.top()?;
                if let Err(kind) = self.memo_put(k, v) {
                    return Ok(Flow::Limit(kind));
                }
            }
            Opcode::Memoize => {
                let v = self.top()?;
                let k = self.memo_count;
                if let Err(kind) = self.memo_put(k, v) {
                    return Ok(Flow::Limit(kind));
                }
            }
            Opcode::Global => {
                let Arg::Global { module, name: attr } = ins.arg else {
                    return Err(StreamError::Underflow);
                };
                let id = self.intern_global(module, attr, offset, name);
                push!(Value::Global(id));
            }
            Opcode::StackGlobal => {
                let n = self.pop()?;
                let m = self.pop()?;
                let v = match (m, n) {
                    (Value::Str { pos: mp, len: ml }, Value::Str { pos: np, len: nl }) => {
                        let (ms, ns) = (Src { pos: mp, len: ml }, Src { pos: np, len: nl });
                        let module = String::from_utf8_lossy(self.src_bytes(ms)).into_owned();
                        let attr = String::from_utf8_lossy(self.src_bytes(ns)).into_owned();
                        Value::Global(self.intern_global(&module, &attr, offset, name))
                    }
                    (a, b) if may_be_str(a) && may_be_str(b) => {
                        let what = format!("({}, {})", self.render(a, 2), self.render(b, 2));
                        self.event(&rules::unresolved_global::RULE, &what, offset, name, || {
                            format!("STACK_GLOBAL takes its module and name from values computed at load time: {what}")
                        });
                        self.effects = true;
                        Value::Opaque
                    }
                    _ => return Err(StreamError::StackGlobalNeedsStr),
                };
                push!(v);
            }
            Opcode::Inst => {
                let Arg::Global { module, name: attr } = ins.arg else {
                    return Err(StreamError::Underflow);
                };
                let m = self.pop_mark()?;
                let args = self.make_tuple(m.min(self.stack.len()), offset, name);
                let id = self.intern_global(module, attr, offset, name);
                let r = self.call(Value::Global(id), args, offset, name)?;
                push!(r);
            }
            Opcode::Obj => {
                let m = self.pop_mark()?;
                if self.stack.len() <= m {
                    return Err(StreamError::Underflow);
                }
                let cls = self.stack[m];
                let args = self.make_tuple(m + 1, offset, name);
                self.stack.truncate(m);
                let r = self.call(cls, args, offset, name)?;
                push!(r);
            }
            Opcode::Reduce => {
                let args = self.pop()?;
                let callee = self.pop()?;
                let r = self.call(callee, args, offset, name)?;
                push!(r);
            }
            Opcode::NewObj => {
                let args = self.pop()?;
                let cls = self.pop()?;
                let r = self.call(cls, args, offset, name)?;
                push!(r);
            }
            Opcode::NewObjEx => {
                let _kwargs = self.pop()?;
                let args = self.pop()?;
                let cls = self.pop()?;
                let r = self.call(cls, args, offset, name)?;
                push!(r);
            }
            Opcode::Build => {
                let state = self.pop()?;
                let inst = self.top()?;
                if let (Some(w), Value::Call { callee, .. }) = (self.joblib_wrapper, inst)
                    && callee == w
                {
                    let dict_index = self.stack.len();
                    return self.joblib_array(state, dict_index, ins.end, offset);
                }
                match inst {
                    Value::Global(_) | Value::Opaque => {
                        self.mutation_finding(inst, state, offset, name)
                    }
                    // BUILD calls the class's __setstate__.
                    Value::Call { callee, .. } if callee != DYNAMIC => {
                        let g = &self.globals[callee as usize];
                        if g.invoked == 0 {
                            self.mark_invoked(callee, offset, name, None);
                        }
                    }
                    _ => {}
                }
            }
            Opcode::PersId => push!(Value::Persistent),
            Opcode::BinPersId => {
                let pid = self.pop()?;
                // Legacy torch.save records module classes as the persistent
                // id ('module', cls, source_file, source); torch's
                // persistent_load returns cls itself.
                let v = match self.tuple_items(pid) {
                    [tag, Value::Global(g), ..]
                        if tag.as_str().is_some_and(|s| self.src_bytes(s) == b"module") =>
                    {
                        Value::Global(*g)
                    }
                    _ => Value::Persistent,
                };
                push!(v);
            }
            Opcode::Ext1 | Opcode::Ext2 | Opcode::Ext4 => {
                let Arg::Ext(code) = ins.arg else {
                    return Err(StreamError::Underflow);
                };
                if code == 0 {
                    return Err(StreamError::BadExtCode);
                }
                self.event(&rules::extension_registry::RULE, &code.to_string(), offset, name, || {
                    format!("{name} pushes the global registered under extension code {code}; which callable that is depends on the loading process")
                });
                self.effects = true;
                push!(Value::Opaque);
            }
            Opcode::Proto => {
                let Arg::Proto(v) = ins.arg else {
                    return Err(StreamError::Underflow);
                };
                if offset != stream_start && v != self.proto {
                    let was = self.proto;
                    self.event(&rules::parser_differential::RULE, "proto", offset, name, || {
                        format!("PROTO {v} in the middle of the stream changes how later names resolve (was {was})")
                    });
                }
                self.proto = v;
            }
            Opcode::Frame => {
                let Arg::Frame(n) = ins.arg else {
                    return Err(StreamError::Underflow);
                };
                // The C unpickler requires the whole frame to be present;
                // the pure-Python one (joblib's) takes what the file has as
                // the frame and runs it. The rest is scanned as that reader
                // reads it.
                let frame_end = ins
                    .end
                    .checked_add(n as usize)
                    .filter(|&e| e <= self.data.len());
                let frame_end = match frame_end {
                    Some(e) => e,
                    None => {
                        self.event(
                            &rules::parser_differential::RULE,
                            "frame-past-end",
                            offset,
                            name,
                            || {
                                format!(
                                    "FRAME says {n} bytes and {} remain: the C unpickler \
                                     (pickle.load, torch.load) refuses it, the pure-Python one \
                                     (joblib.load) runs what remains as the frame; scanned as \
                                     the latter",
                                    self.data.len() - ins.end
                                )
                            },
                        );
                        self.data.len()
                    }
                };
                if let Some(prev) = self.frame_end
                    && offset < prev
                    && !self.differential_frame_reported
                {
                    self.differential_frame_reported = true;
                    self.event(
                        &rules::parser_differential::RULE,
                        "frame-nested",
                        offset,
                        name,
                        || "a FRAME starts before the previous frame ended".to_owned(),
                    );
                }
                self.frame_end = Some(frame_end);
                self.frame_at = offset;
            }
        }
        Ok(Flow::Continue)
    }

    /// INT/LONG text that only base-0 parsing reads this way.
    fn check_int_text(&mut self, offset: usize, name: &'static str) {
        let rest = &self.data[offset + 1..];
        let line = &rest[..rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len())];
        let digits = line.strip_suffix(b"L").unwrap_or(line);
        let digits = digits.strip_prefix(b"-").unwrap_or(digits);
        let plain = !digits.is_empty()
            && digits.iter().all(u8::is_ascii_digit)
            && (digits.len() == 1 || digits[0] != b'0' || digits == b"00" || digits == b"01");
        if !plain {
            let text = String::from_utf8_lossy(line).into_owned();
            self.event(&rules::parser_differential::RULE, &format!("int:{text}"), offset, name, || {
                format!("{name} text {text:?} is read in base 0 by CPython but not by pickletools-based scanners")
            });
        }
    }

    fn check_mutation(&mut self, target: Value, offset: usize, opcode: &'static str) {
        if matches!(target, Value::Global(_) | Value::Opaque) {
            self.mutation_finding(target, Value::None, offset, opcode);
        }
    }

    fn mutation_finding(
        &mut self,
        target: Value,
        state: Value,
        offset: usize,
        opcode: &'static str,
    ) {
        let what = self.render(target, 1);
        let state_text = if state == Value::None {
            String::new()
        } else {
            format!(" with {}", self.render(state, 2))
        };
        self.event(
            &rules::global_mutation::RULE,
            &format!("{what}:{opcode}"),
            offset,
            opcode,
            || format!("{opcode} modifies the global `{what}`{state_text}"),
        );
    }

    fn limit_finding(&mut self, kind: LimitKind, offset: usize, opcode: Opcode) {
        let (what, limit) = match kind {
            LimitKind::Stack => ("stack depth", self.limits.max_stack),
            LimitKind::Marks => ("MARK depth", self.limits.max_marks),
            LimitKind::Memo => ("memo size", self.limits.max_memo),
        };
        self.event(&rules::limit_exceeded::RULE, what, offset, opcode.name(), || {
            format!("{what} limit ({limit}) reached; the rest of the stream was checked for globals only")
        });
    }

    fn malformed_finding(
        &mut self,
        offset: usize,
        opcode: Option<&'static str>,
        error: &StreamError,
    ) {
        let text = error.to_string();
        let location = Location::at_offset(offset as u64).with_stream(self.stream_index);
        let location = match opcode {
            Some(op) => location.with_opcode(op),
            None => location,
        };
        // The unpickler raises here. Before any global was named or any
        // call made, nothing ran: the bytes are not a loadable pickle, not
        // a dangerous one.
        let finding = if self.has_effects() {
            Finding::builder(
                &rules::malformed::RULE,
                format!("malformed pickle: {text}; the unpickler stops here"),
            )
        } else {
            Finding::builder(
                &rules::malformed::RULE,
                format!("not a loadable pickle: {text}; the unpickler raises before naming or calling anything"),
            )
            .severity(Severity::Low)
        };
        self.events.findings.push(finding.at(location).build());
    }

    /// After a limit: decode the rest of the stream without tracking values,
    /// judging every GLOBAL and INST, and STACK_GLOBAL when its operands are
    /// the two string constants just before it (what every pickler writes).
    fn walk_degraded(&mut self, mut pos: usize) -> (usize, u64, Result<(), (usize, StreamError)>) {
        self.stack = Vec::new();
        self.marks = Vec::new();
        self.memo = Vec::new();
        self.memo_sparse = HashMap::new();
        let mut recent: [Option<(usize, usize)>; 2] = [None, None];
        let mut count = 0u64;
        loop {
            if pos >= self.data.len() {
                return (pos, count, Err((pos, StreamError::NoStop)));
            }
            let ins = match decode_at(self.data, pos) {
                Ok(ins) => ins,
                Err(e) => return (pos, count, Err((pos, StreamError::Decode(e)))),
            };
            count += 1;
            let name = ins.opcode.name();
            match &ins.arg {
                Arg::Global { module, name: attr } => {
                    let id = self.intern_global(module, attr, ins.offset, name);
                    if ins.opcode == Opcode::Inst {
                        self.mark_invoked(id, ins.offset, name, None);
                    }
                }
                Arg::Text(cow) | Arg::Py2Str(cow) => {
                    let range = match cow {
                        std::borrow::Cow::Borrowed(b) => Some((self.offset_of(b), b.len())),
                        std::borrow::Cow::Owned(_) => None,
                    };
                    recent = [recent[1], range];
                }
                _ => {}
            }
            if ins.opcode == Opcode::StackGlobal {
                if let [Some((ms, ml)), Some((ns, nl))] = recent {
                    let module = String::from_utf8_lossy(&self.data[ms..ms + ml]).into_owned();
                    let attr = String::from_utf8_lossy(&self.data[ns..ns + nl]).into_owned();
                    let id = self.intern_global(&module, &attr, ins.offset, name);
                    // Without values, assume it is called.
                    self.mark_invoked(id, ins.offset, name, None);
                } else {
                    self.event(&rules::unresolved_global::RULE, "degraded", ins.offset, name, || {
                        "STACK_GLOBAL after a limit was reached: its operands could not be resolved".to_owned()
                    });
                }
            }
            if !matches!(
                ins.opcode,
                Opcode::Memoize | Opcode::BinPut | Opcode::LongBinPut | Opcode::Put | Opcode::Frame
            ) && !matches!(ins.arg, Arg::Text(_) | Arg::Py2Str(_))
            {
                recent = [None, None];
            }
            pos = ins.end;
            if ins.opcode == Opcode::Stop {
                return (pos, count, Ok(()));
            }
        }
    }

    // ---- joblib: array bytes inline in the stream ---------------------------------

    /// Keeps the items set into a dict that is the state of a joblib
    /// NumpyArrayWrapper (the dict at `dict_index`, items from `from`).
    fn record_wrapper_state(&mut self, dict_index: usize, from: usize) {
        let Some(w) = self.joblib_wrapper else { return };
        let is_wrapper_state = dict_index >= 1
            && self.stack[dict_index] == Value::Dict
            && matches!(self.stack[dict_index - 1], Value::Call { callee, .. } if callee == w);
        if !is_wrapper_state {
            return;
        }
        let items: Vec<(Value, Value)> = self.stack[from..]
            .chunks(2)
            .take(32)
            .map(|p| (p[0], p[1]))
            .collect();
        match &mut self.wrapper_state {
            Some((i, existing)) if *i == dict_index => existing.extend(items),
            _ => self.wrapper_state = Some((dict_index, items)),
        }
    }

    fn state_value(&self, items: &[(Value, Value)], key: &str) -> Option<Value> {
        items
            .iter()
            .rev()
            .find(|(k, _)| {
                k.as_str()
                    .is_some_and(|s| self.src_bytes(s) == key.as_bytes())
            })
            .map(|(_, v)| *v)
    }

    /// `joblib.load` reads an array's bytes right after the BUILD of its
    /// NumpyArrayWrapper (`NumpyArrayWrapper.read_array`): an alignment byte
    /// and padding, then either raw data (shape x itemsize) or, for object
    /// arrays, a complete nested pickle. Skip the raw data, scan the pickle.
    fn joblib_array(
        &mut self,
        state: Value,
        dict_index: usize,
        after: usize,
        offset: usize,
    ) -> Result<Flow, StreamError> {
        let items = match self.wrapper_state.take() {
            Some((i, items)) if i == dict_index && state == Value::Dict => items,
            _ => Vec::new(),
        };
        let bad = |this: &mut Self, why: String| {
            this.event(&rules::malformed::RULE, "joblib", offset, "BUILD", || {
                format!("joblib array wrapper: {why}; the rest of the stream cannot be located")
            });
        };
        let dtype = self
            .state_value(&items, "dtype")
            .and_then(|d| self.dtype_code(d));
        let shape = self.state_value(&items, "shape");
        let (Some((kind, itemsize)), Some(shape)) = (dtype, shape) else {
            bad(self, "no readable shape and dtype in its state".into());
            return Err(StreamError::NoStop);
        };
        let mut pos = after;
        let object = kind == 'O'
            || (kind == 'V' && matches!(self.data.get(pos..pos + 2), Some([0x80, 2..=5])));
        // Raw data is aligned: a padding-length byte, then that much padding.
        // Object arrays are a nested pickle with no padding.
        if !object
            && matches!(
                self.state_value(&items, "numpy_array_alignment_bytes"),
                Some(Value::Int(_))
            )
        {
            let Some(&pad) = self.data.get(pos) else {
                return Err(StreamError::NoStop);
            };
            pos += 1 + usize::from(pad);
        }
        if object {
            // A complete pickle of the object array, read by a nested unpickler.
            let nested =
                Machine::new(self.data, self.policy, self.options, self.stream_index).run(pos);
            for mut f in nested.findings {
                f.location
                    .members
                    .insert(0, format!("joblib object array @{pos:#x}"));
                self.events.findings.push(f);
            }
            self.nested.extend(nested.nested);
            if !nested.info.complete {
                return Err(StreamError::NoStop);
            }
            return Ok(Flow::Jump(nested.info.end));
        }
        let dims: Vec<Value> = match shape {
            Value::Tuple { len, .. } if (len as usize) <= TUPLE_KEEP => {
                self.tuple_items(shape).to_vec()
            }
            _ => {
                bad(self, "shape is not a small tuple of integers".into());
                return Err(StreamError::NoStop);
            }
        };
        let mut count: u64 = 1;
        for d in dims {
            let Value::Int(n) = d else {
                bad(self, "shape is not a tuple of integers".into());
                return Err(StreamError::NoStop);
            };
            count = u64::try_from(n)
                .ok()
                .and_then(|n| count.checked_mul(n))
                .unwrap_or(u64::MAX);
        }
        let size = count
            .checked_mul(itemsize)
            .and_then(|s| usize::try_from(s).ok());
        let Some(end) = size
            .and_then(|s| pos.checked_add(s))
            .filter(|&e| e <= self.data.len())
        else {
            bad(
                self,
                format!("array data of {count} x {itemsize} bytes runs past the end of the data"),
            );
            return Err(StreamError::NoStop);
        };
        // The skipped bytes are data to joblib; to plain pickle.load they are
        // opcodes. Scan them if they look like a pickle.
        let window = &self.data[pos..end.min(pos + 64 * 1024)];
        if crate::sniff_strict(window, end - pos == window.len()) {
            self.nested.push(Nested {
                bytes: NestedBytes::Input {
                    start: pos,
                    len: end - pos,
                },
                label: format!("joblib array data @{pos:#x}"),
                sniffed: true,
            });
        }
        Ok(Flow::Jump(end))
    }

    /// (kind, itemsize) of a `numpy.dtype('f8', ...)` call.
    fn dtype_code(&self, v: Value) -> Option<(char, u64)> {
        let Value::Call { callee, .. } = v else {
            return None;
        };
        if callee == DYNAMIC || !self.globals[callee as usize].display.ends_with(".dtype") {
            return None;
        }
        let code = self.tuple_items(v).first()?.as_str()?;
        let code = std::str::from_utf8(self.src_bytes(code)).ok()?;
        let code = code.trim_start_matches(['<', '>', '|', '=']);
        let kind = code.chars().next()?;
        let n: u64 = code[kind.len_utf8()..].parse().ok()?;
        Some((kind, if kind == 'U' { n * 4 } else { n }))
    }

    // ---- findings from the globals table -----------------------------------------

    fn global_findings(&self) -> Vec<Finding> {
        let mut out = Vec::new();
        for g in &self.globals {
            let invoked = g.invoked > 0;
            let (offset, opcode) = if invoked {
                (g.invoke_offset, g.invoke_opcode)
            } else {
                (g.first_offset, g.first_opcode)
            };
            let location = self.location(offset, opcode);
            let how = if invoked {
                match &g.invoke_args {
                    Some(a) if a.starts_with("handed to ") => format!("is {a}"),
                    Some(a) => format!("is called with {a}"),
                    None => format!("is invoked by {opcode}"),
                }
            } else {
                "is imported".to_owned()
            };
            let finding = match &g.class {
                Class::Allowed(_) => continue,
                Class::Unknown if g.attribute && !invoked => continue,
                Class::Dangerous {
                    category,
                    matched,
                    confidence,
                } => {
                    let via = if matched == &g.display || matched.starts_with(&g.display) {
                        String::new()
                    } else {
                        format!(" (reaches `{matched}`)")
                    };
                    Finding::builder(
                        category.rule(),
                        format!("`{}`{via} {how}: it {}", g.display, category.describe()),
                    )
                    .confidence(*confidence)
                    .callable(g.display.clone())
                    .arguments(g.invoke_args.clone().filter(|_| invoked))
                    .at(location)
                    .build()
                }
                Class::Reaches { category, chain } if invoked => Finding::builder(
                    category.rule(),
                    format!(
                        "`{}` {how}: it is on no list, but its source shows it reaches `{chain}` with its arguments: it {}",
                        g.display,
                        category.describe()
                    ),
                )
                .confidence(Confidence::Medium)
                .callable(g.display.clone())
                .arguments(g.invoke_args.clone())
                .at(location)
                .build(),
                Class::Reaches { chain, .. } => Finding::builder(
                    &rules::unknown_global::RULE,
                    format!(
                        "`{}` is imported but not called; it is on no allowlist, and calling it reaches `{chain}`",
                        g.display
                    ),
                )
                .callable(g.display.clone())
                .at(location)
                .build(),
                Class::Unknown if invoked => {
                    let sev = if self.strict {
                        Severity::High
                    } else {
                        Severity::Medium
                    };
                    Finding::builder(
                        &rules::unknown_callable::RULE,
                        format!(
                            "`{}` {how}; it is on no allowlist, so its behaviour is unknown",
                            g.display
                        ),
                    )
                    .severity(sev)
                    .confidence(Confidence::Medium)
                    .callable(g.display.clone())
                    .arguments(g.invoke_args.clone())
                    .at(location)
                    .build()
                }
                Class::Unknown => Finding::builder(
                    &rules::unknown_global::RULE,
                    format!(
                        "`{}` is imported but not called; it is on no allowlist",
                        g.display
                    ),
                )
                .callable(g.display.clone())
                .at(location)
                .build(),
            };
            let mut finding = finding;
            finding.occurrences = g.invoked.max(1);
            out.push(finding);
        }
        out
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

/// Values whose Python type is only known at load time (or strings):
/// STACK_GLOBAL accepts them if they are strings when the file is loaded.
/// Where the `BytesIO` view of the opcode at `offset` departs from the
/// bytes, when its argument crosses the frame ending at `frame_end`.
/// CPython's C unpickler reads an argument from its frame buffer, and when
/// the buffer holds too little (no newline, for a line) it drops what was
/// left of the frame and reads the argument from the file instead
/// (`_Unpickler_Read`, `_Unpickler_Readline`). A buffered file's look-ahead
/// holds the bytes after the frame too, so there the argument runs on; and
/// the data of bytes and bytearrays is read with `_Unpickler_ReadInto`,
/// which takes what the buffer holds first, so it runs on for every
/// reader. `Some((from, frame_end))`: a BytesIO reader sees the stream
/// without `from..frame_end`.
fn line_splice(data: &[u8], offset: usize, frame_end: usize) -> Option<(usize, usize)> {
    /// One read of an opcode's argument.
    enum Read {
        Line,
        Fixed(usize),
        /// A little-endian length of this many bytes, then that many bytes
        /// (`true`: read with `_Unpickler_ReadInto`, which runs on).
        Counted(usize, bool),
    }
    let reads: &[Read] = match data.get(offset)? {
        b'c' | b'i' => &[Read::Line, Read::Line],
        b'I' | b'L' | b'F' | b'S' | b'V' | b'g' | b'p' | b'P' => &[Read::Line],
        b'K' | b'h' | b'q' | 0x80 | 0x82 => &[Read::Fixed(1)],
        b'M' | 0x83 => &[Read::Fixed(2)],
        b'J' | b'j' | b'r' | 0x84 => &[Read::Fixed(4)],
        b'G' | 0x95 => &[Read::Fixed(8)],
        b'U' | 0x8c | 0x8a => &[Read::Counted(1, false)],
        b'C' => &[Read::Counted(1, true)],
        b'T' | b'X' | 0x8b => &[Read::Counted(4, false)],
        b'B' => &[Read::Counted(4, true)],
        0x8d => &[Read::Counted(8, false)],
        0x8e | 0x96 => &[Read::Counted(8, true)],
        _ => return None,
    };
    let mut pos = offset + 1;
    for read in reads {
        if pos >= frame_end {
            return None;
        }
        match *read {
            Read::Line => match memchr::memchr(b'\n', &data[pos..frame_end]) {
                Some(nl) => pos += nl + 1,
                None => return Some((pos, frame_end)),
            },
            Read::Fixed(n) => {
                if frame_end - pos < n {
                    return Some((pos, frame_end));
                }
                pos += n;
            }
            Read::Counted(k, runs_on) => {
                if frame_end - pos < k {
                    return Some((pos, frame_end));
                }
                let mut len = [0u8; 8];
                len[..k].copy_from_slice(&data[pos..pos + k]);
                let n = u64::from_le_bytes(len);
                pos += k;
                if runs_on {
                    return None;
                }
                if pos < frame_end && ((frame_end - pos) as u64) < n {
                    return Some((pos, frame_end));
                }
                pos = pos.saturating_add(usize::try_from(n).unwrap_or(usize::MAX));
            }
        }
    }
    None
}

fn may_be_str(v: Value) -> bool {
    matches!(
        v,
        Value::Str { .. } | Value::Call { .. } | Value::Persistent | Value::Opaque
    )
}

/// The Python type of a constant value, for `getattr` on it.
fn constant_type(v: Value) -> Option<&'static str> {
    Some(match v {
        Value::None => "NoneType",
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::BigInt => "int",
        Value::Float => "float",
        Value::Str { .. } => "str",
        Value::Bytes { .. } => "bytes",
        Value::Tuple { .. } => "tuple",
        Value::List => "list",
        Value::Dict => "dict",
        Value::Set => "set",
        Value::FrozenSet => "frozenset",
        _ => return None,
    })
}

/// A bytes constant that is a complete pickle: PROTO 2-5 first, STOP last.
fn looks_like_pickle(b: &[u8]) -> bool {
    b.len() >= 4 && b[0] == 0x80 && (2..=5).contains(&b[1]) && b[b.len() - 1] == b'.'
}

/// str -> bytes with latin-1, as `_codecs.encode(s, 'latin1')` does.
fn latin1_bytes(utf8: &[u8]) -> Option<Vec<u8>> {
    let s = std::str::from_utf8(utf8).ok()?;
    s.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect()
}

fn hex_decode(s: &[u8]) -> Option<Vec<u8>> {
    let digits: Vec<u8> = s
        .iter()
        .copied()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    digits
        .chunks(2)
        .map(|p| {
            let hi = (p[0] as char).to_digit(16)?;
            let lo = (p[1] as char).to_digit(16)?;
            Some((hi * 16 + lo) as u8)
        })
        .collect()
}

/// A short Python-like repr of a str, for messages.
fn python_repr_str(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b);
    let mut out = String::from("'");
    for (i, c) in s.chars().enumerate() {
        if i >= 120 {
            out.push('…');
            break;
        }
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&c.escape_default().to_string()),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

fn python_repr_bytes(b: &[u8]) -> String {
    let mut out = String::from("b'");
    for &c in b {
        match c {
            b'\'' => out.push_str("\\'"),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(c as char),
            _ => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn values_stay_small() {
        // The memo and stack hold millions of these.
        assert_eq!(std::mem::size_of::<super::Value>(), 16);
    }
}
