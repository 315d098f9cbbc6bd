//! Payloads inside the stream: bytes handed to a deserializer (a pickle in
//! a pickle, base64, hex, zlib) queued as nested streams, and joblib's
//! inline numpy arrays, whose raw data is skipped as joblib skips it.

use super::values::{hex_decode, latin1_bytes};
use super::*;

impl<'a> Machine<'a> {
    /// Bytes handed to a deserializer are scanned as a nested pickle.
    pub(super) fn queue_nested_argument(&mut self, arg: Value, via: &str, takes_bytes: bool) {
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
    pub(super) fn decoded_bytes(&self, v: Value) -> Option<Vec<u8>> {
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

    /// Keeps the items set into a dict that is the state of a joblib
    /// NumpyArrayWrapper (the dict at `dict_index`, items from `from`).
    pub(super) fn record_wrapper_state(&mut self, dict_index: usize, from: usize) {
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

    pub(super) fn state_value(&self, items: &[(Value, Value)], key: &str) -> Option<Value> {
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
    pub(super) fn joblib_array(
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
    pub(super) fn dtype_code(&self, v: Value) -> Option<(char, u64)> {
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
}

/// A bytes constant that is a complete pickle: PROTO 2-5 first, STOP last.
pub(super) fn looks_like_pickle(b: &[u8]) -> bool {
    b.len() >= 4 && b[0] == 0x80 && (2..=5).contains(&b[1]) && b[b.len() - 1] == b'.'
}
