//! Opcode by opcode: the fast path for the common opcodes of large model
//! pickles, the full step, and what a stream that stops early or reaches
//! a limit reports.

use super::nested::looks_like_pickle;
use super::values::may_be_str;
use super::*;

impl<'a> Machine<'a> {
    /// The hottest data opcodes of ordinary pickles, decoded in place. Only
    /// cases with no error, no limit and no finding are taken here; anything
    /// else returns `None` and goes through `step`, which is the reference
    /// (tests run every fixture both ways and compare).
    #[inline(always)]
    pub(super) fn fast_step(&mut self, pos: usize) -> Option<usize> {
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

    pub(super) fn step(
        &mut self,
        ins: Instruction<'a>,
        stream_start: usize,
    ) -> Result<Flow, StreamError> {
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
                // A FRAME inside a frame. The pure-Python unpickler refuses
                // it. The C unpickler holds the outer frame in its buffer:
                // when the new frame fits in what is left of it, it rewinds
                // and reads on in that buffer (its end stays the outer
                // frame's); when it does not, a reader of a BytesIO drops
                // the rest of the outer frame and reads the new frame from
                // the file after it (`load_frame`, `_Unpickler_Read`),
                // while a buffered file's look-ahead runs on. Both views
                // are scanned (a splice, as for arguments crossing a frame).
                if let Some(prev) = self.frame_end
                    && offset < prev
                {
                    let drops = frame_end > prev && ins.end < prev;
                    if drops && self.line_splice.is_none() {
                        self.line_splice = Some(Splice {
                            frame_at: self.frame_at,
                            from: ins.end,
                            to: prev,
                        });
                    }
                    if !self.differential_frame_reported {
                        self.differential_frame_reported = true;
                        self.event(
                            &rules::parser_differential::RULE,
                            "frame-nested",
                            offset,
                            name,
                            || {
                                if drops {
                                    "a FRAME starts before the previous frame ended and reaches \
                                     past it: an unpickler reading a BytesIO drops the rest of \
                                     the previous frame and reads the new one after it, one \
                                     reading a buffered file reads on; both were scanned"
                                        .to_owned()
                                } else {
                                    "a FRAME starts before the previous frame ended".to_owned()
                                }
                            },
                        );
                    }
                    if frame_end <= prev {
                        // Rewound inside the outer frame's buffer.
                        return Ok(Flow::Continue);
                    }
                }
                self.frame_end = Some(frame_end);
                self.frame_at = offset;
            }
        }
        Ok(Flow::Continue)
    }

    /// INT/LONG text that only base-0 parsing reads this way.
    pub(super) fn check_int_text(&mut self, offset: usize, name: &'static str) {
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

    pub(super) fn check_mutation(&mut self, target: Value, offset: usize, opcode: &'static str) {
        if matches!(target, Value::Global(_) | Value::Opaque) {
            self.mutation_finding(target, Value::None, offset, opcode);
        }
    }

    pub(super) fn mutation_finding(
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

    pub(super) fn limit_finding(&mut self, kind: LimitKind, offset: usize, opcode: Opcode) {
        let (what, limit) = match kind {
            LimitKind::Stack => ("stack depth", self.limits.max_stack),
            LimitKind::Marks => ("MARK depth", self.limits.max_marks),
            LimitKind::Memo => ("memo size", self.limits.max_memo),
        };
        self.event(&rules::limit_exceeded::RULE, what, offset, opcode.name(), || {
            format!("{what} limit ({limit}) reached; the rest of the stream was checked for globals only")
        });
    }

    pub(super) fn malformed_finding(
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
    pub(super) fn walk_degraded(
        &mut self,
        mut pos: usize,
    ) -> (usize, u64, Result<(), (usize, StreamError)>) {
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
}
