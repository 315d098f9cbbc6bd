//! Symbolic values: spans of the input or owned decoded buffers (`Src`), the
//! values the stack and memo hold (`Value`, 16 bytes each), and tuples.

use super::*;

/// A span of the input, or (with `OWNED` set in `pos`) the index of a
/// decoded buffer owned by the stream. Stored flattened in [`Value`] so that
/// a value is 16 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Src {
    pub(super) pos: u64,
    pub(super) len: u32,
}

pub(super) const OWNED: u64 = 1 << 63;

impl Src {
    pub(super) fn input(start: usize, len: usize) -> Self {
        Self {
            pos: start as u64,
            // Longer constants are never names nor nested pickles we scan.
            len: u32::try_from(len).unwrap_or(u32::MAX),
        }
    }

    pub(super) fn owned(index: usize) -> Self {
        Self {
            pos: OWNED | index as u64,
            len: 0,
        }
    }

    pub(super) fn input_range(self) -> Option<(usize, usize)> {
        (self.pos & OWNED == 0 && self.len != u32::MAX)
            .then_some((self.pos as usize, self.len as usize))
    }
}

/// What the machine knows about a value on the stack or in the memo.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Value {
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
    pub(super) fn str(src: Src) -> Self {
        Self::Str {
            pos: src.pos,
            len: src.len,
        }
    }

    pub(super) fn bytes(src: Src) -> Self {
        Self::Bytes {
            pos: src.pos,
            len: src.len,
        }
    }

    pub(super) fn as_str(self) -> Option<Src> {
        match self {
            Self::Str { pos, len } => Some(Src { pos, len }),
            _ => None,
        }
    }

    pub(super) fn as_bytes(self) -> Option<Src> {
        match self {
            Self::Bytes { pos, len } => Some(Src { pos, len }),
            _ => None,
        }
    }

    pub(super) fn is_callable_like(self) -> bool {
        matches!(
            self,
            Self::Global(_) | Self::Call { .. } | Self::Persistent | Self::Opaque
        )
    }
}

impl<'a> Machine<'a> {
    pub(super) fn src_bytes(&self, src: Src) -> &[u8] {
        if src.pos & OWNED != 0 {
            &self.owned[(src.pos & !OWNED) as usize]
        } else {
            let start = src.pos as usize;
            &self.data[start..start + src.len as usize]
        }
    }

    pub(super) fn text_src(&mut self, arg: Arg<'a>, ins_offset: usize) -> Src {
        match arg {
            Arg::Text(cow) | Arg::Py2Str(cow) => self.cow_src(cow),
            _ => Src::input(ins_offset, 0),
        }
    }

    pub(super) fn cow_src(&mut self, cow: std::borrow::Cow<'a, [u8]>) -> Src {
        match cow {
            std::borrow::Cow::Borrowed(b) => Src::input(self.offset_of(b), b.len()),
            std::borrow::Cow::Owned(v) => {
                self.owned.push(v);
                Src::owned(self.owned.len() - 1)
            }
        }
    }

    pub(super) fn offset_of(&self, slice: &[u8]) -> usize {
        slice.as_ptr() as usize - self.data.as_ptr() as usize
    }

    pub(super) fn make_tuple(
        &mut self,
        items_from: usize,
        offset: usize,
        opcode: &'static str,
    ) -> Value {
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

    pub(super) fn tuple_items(&self, v: Value) -> &[Value] {
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
}

/// Values whose Python type is only known at load time (or strings):
/// STACK_GLOBAL accepts them if they are strings when the file is loaded.
pub(super) fn may_be_str(v: Value) -> bool {
    matches!(
        v,
        Value::Str { .. } | Value::Call { .. } | Value::Persistent | Value::Opaque
    )
}

/// The Python type of a constant value, for `getattr` on it.
pub(super) fn constant_type(v: Value) -> Option<&'static str> {
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

/// str -> bytes with latin-1, as `_codecs.encode(s, 'latin1')` does.
pub(super) fn latin1_bytes(utf8: &[u8]) -> Option<Vec<u8>> {
    let s = std::str::from_utf8(utf8).ok()?;
    s.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect()
}

pub(super) fn hex_decode(s: &[u8]) -> Option<Vec<u8>> {
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
