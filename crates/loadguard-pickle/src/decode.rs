//! Decoding one opcode and its argument exactly as CPython's C unpickler
//! (`Modules/_pickle.c`) reads it, so that no stream means one thing to
//! loadguard and another to `pickle.load`.
//!
//! Notable parities: `INT` and `LONG` text is parsed with base 0 (`I0x10`),
//! like `strtol`/`int(s, 0)` (pickletools uses base 10); `STRING` arguments are
//! unquoted and unescaped like a Python bytes literal; `UNICODE` is
//! raw-unicode-escape; `GLOBAL` operands are UTF-8 and `INST` operands ASCII.

use std::borrow::Cow;

use crate::opcode::{HIGHEST_PROTOCOL, Opcode};

/// An integer value as the unpickler would build it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntValue {
    Small(i64),
    /// Does not fit in 64 bits; the value itself never matters to a scan.
    Big,
    /// `INT` with the text `00` or `01` is a bool in CPython.
    Bool(bool),
}

/// The decoded argument of an opcode.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg<'a> {
    None,
    Int(IntValue),
    Float(f64),
    /// Text, as UTF-8 (surrogates encoded the way CPython's `surrogatepass`
    /// does). Borrowed from the input when no decoding was needed.
    Text(Cow<'a, [u8]>),
    /// A Python 2 `str` (STRING, BINSTRING, SHORT_BINSTRING): bytes that the
    /// unpickler decodes with its `encoding` (ASCII by default).
    Py2Str(Cow<'a, [u8]>),
    Bytes(&'a [u8]),
    /// GLOBAL and INST operands.
    Global {
        module: &'a str,
        name: &'a str,
    },
    /// Memo index for GET/PUT forms.
    Memo(u64),
    Proto(u8),
    /// Extension code of EXT1/EXT2/EXT4.
    Ext(u32),
    Frame(u64),
    /// PERSID's text persistent id.
    PersId(&'a str),
}

/// One decoded instruction.
#[derive(Debug, Clone, PartialEq)]
pub struct Instruction<'a> {
    pub opcode: Opcode,
    pub arg: Arg<'a>,
    /// Offset of the opcode byte.
    pub offset: usize,
    /// Offset just past the argument.
    pub end: usize,
}

/// Why a stream could not be decoded at some offset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("invalid load key {byte:#04x}")]
    InvalidOpcode { byte: u8 },
    #[error("pickle data was truncated in the argument of {opcode}")]
    Truncated { opcode: &'static str },
    #[error("{opcode}: {reason}")]
    BadArgument {
        opcode: &'static str,
        reason: &'static str,
    },
    #[error("unsupported pickle protocol {version}")]
    UnsupportedProtocol { version: u8 },
}

/// Decodes the instruction at `pos`. `data[pos]` must exist.
#[inline(always)]
pub fn decode_at(data: &[u8], pos: usize) -> Result<Instruction<'_>, DecodeError> {
    let byte = data[pos];
    let opcode = Opcode::from_byte(byte).ok_or(DecodeError::InvalidOpcode { byte })?;
    let mut r = Reader {
        data,
        pos: pos + 1,
        opcode,
    };
    let arg = match opcode {
        Opcode::Mark
        | Opcode::Stop
        | Opcode::Pop
        | Opcode::PopMark
        | Opcode::Dup
        | Opcode::None
        | Opcode::BinPersId
        | Opcode::Reduce
        | Opcode::Append
        | Opcode::Build
        | Opcode::Dict
        | Opcode::EmptyDict
        | Opcode::Appends
        | Opcode::List
        | Opcode::EmptyList
        | Opcode::Obj
        | Opcode::SetItem
        | Opcode::Tuple
        | Opcode::EmptyTuple
        | Opcode::SetItems
        | Opcode::NewObj
        | Opcode::Tuple1
        | Opcode::Tuple2
        | Opcode::Tuple3
        | Opcode::NewTrue
        | Opcode::NewFalse
        | Opcode::EmptySet
        | Opcode::AddItems
        | Opcode::FrozenSet
        | Opcode::NewObjEx
        | Opcode::StackGlobal
        | Opcode::Memoize
        | Opcode::NextBuffer
        | Opcode::ReadOnlyBuffer => Arg::None,
        Opcode::BinInt1 => Arg::Int(IntValue::Small(i64::from(r.take(1)?[0]))),
        Opcode::BinInt2 => Arg::Int(IntValue::Small(i64::from(r.u16()?))),
        Opcode::BinInt => Arg::Int(IntValue::Small(i64::from(r.u32()? as i32))),
        Opcode::Int => {
            let line = r.line()?;
            Arg::Int(parse_int_line(line).ok_or(r.bad("could not convert string to int"))?)
        }
        Opcode::Long => {
            let mut line = r.line()?;
            if line.last() == Some(&b'L') {
                line = &line[..line.len() - 1];
            }
            Arg::Int(py_long_from_string(line, 0).ok_or(r.bad("invalid literal for int()"))?)
        }
        Opcode::Long1 => {
            let n = r.take(1)?[0] as usize;
            Arg::Int(int_from_le_twos_complement(r.take(n)?))
        }
        Opcode::Long4 => {
            let n = r.u32()? as i32;
            if n < 0 {
                return Err(r.bad("LONG pickle has negative byte count"));
            }
            Arg::Int(int_from_le_twos_complement(r.take(n as usize)?))
        }
        Opcode::Float => {
            let line = r.line()?;
            Arg::Float(parse_float_line(line).ok_or(r.bad("could not convert string to float"))?)
        }
        Opcode::BinFloat => {
            let b = r.take(8)?;
            let mut a = [0u8; 8];
            a.copy_from_slice(b);
            Arg::Float(f64::from_be_bytes(a))
        }
        Opcode::String => {
            let line = r.line()?;
            let n = line.len();
            if n < 2 || line[0] != line[n - 1] || (line[0] != b'\'' && line[0] != b'"') {
                return Err(r.bad("the STRING opcode argument must be quoted"));
            }
            let inner = &line[1..n - 1];
            Arg::Py2Str(decode_bytes_escape(inner).ok_or(r.bad("invalid escape in STRING"))?)
        }
        Opcode::BinString => {
            let n = r.u32()? as usize;
            Arg::Py2Str(Cow::Borrowed(r.take(n)?))
        }
        Opcode::ShortBinString => {
            let n = r.take(1)?[0] as usize;
            Arg::Py2Str(Cow::Borrowed(r.take(n)?))
        }
        Opcode::Unicode => {
            let line = r.line()?;
            Arg::Text(decode_raw_unicode_escape(line).ok_or(r.bad("truncated \\uXXXX escape"))?)
        }
        Opcode::BinUnicode => {
            let n = r.u32()? as usize;
            r.utf8_text(n)?
        }
        Opcode::ShortBinUnicode => {
            let n = r.take(1)?[0] as usize;
            r.utf8_text(n)?
        }
        Opcode::BinUnicode8 => {
            let n = r.size8()?;
            r.utf8_text(n)?
        }
        Opcode::BinBytes => {
            let n = r.u32()? as usize;
            Arg::Bytes(r.take(n)?)
        }
        Opcode::ShortBinBytes => {
            let n = r.take(1)?[0] as usize;
            Arg::Bytes(r.take(n)?)
        }
        Opcode::BinBytes8 | Opcode::ByteArray8 => {
            let n = r.size8()?;
            Arg::Bytes(r.take(n)?)
        }
        Opcode::Global => {
            let module = r.line()?;
            let name = r.line()?;
            let module =
                std::str::from_utf8(module).map_err(|_| r.bad("module name is not UTF-8"))?;
            let name = std::str::from_utf8(name).map_err(|_| r.bad("global name is not UTF-8"))?;
            Arg::Global { module, name }
        }
        Opcode::Inst => {
            let module = r.line()?;
            let name = r.line()?;
            if !module.is_ascii() || !name.is_ascii() {
                return Err(r.bad("INST operands must be ASCII"));
            }
            // ASCII was checked just above, so these conversions cannot fail.
            let module = std::str::from_utf8(module).map_err(|_| r.bad("not ASCII"))?;
            let name = std::str::from_utf8(name).map_err(|_| r.bad("not ASCII"))?;
            Arg::Global { module, name }
        }
        Opcode::PersId => {
            let line = r.line()?;
            if !line.is_ascii() {
                return Err(r.bad("persistent IDs in protocol 0 must be ASCII strings"));
            }
            Arg::PersId(std::str::from_utf8(line).map_err(|_| r.bad("not ASCII"))?)
        }
        Opcode::Get | Opcode::Put => {
            let line = r.line()?;
            match py_long_from_string(line, 10) {
                Some(IntValue::Small(i)) if i >= 0 => Arg::Memo(i as u64),
                Some(IntValue::Small(_)) if opcode == Opcode::Put => {
                    return Err(r.bad("negative PUT argument"));
                }
                // A negative GET key is simply absent from the memo.
                Some(IntValue::Small(_)) => Arg::Memo(u64::MAX),
                _ => return Err(r.bad("invalid memo key")),
            }
        }
        Opcode::BinGet | Opcode::BinPut => Arg::Memo(u64::from(r.take(1)?[0])),
        Opcode::LongBinGet | Opcode::LongBinPut => Arg::Memo(u64::from(r.u32()?)),
        Opcode::Proto => {
            let version = r.take(1)?[0];
            if version > HIGHEST_PROTOCOL {
                return Err(DecodeError::UnsupportedProtocol { version });
            }
            Arg::Proto(version)
        }
        Opcode::Ext1 => Arg::Ext(u32::from(r.take(1)?[0])),
        Opcode::Ext2 => Arg::Ext(u32::from(r.u16()?)),
        Opcode::Ext4 => Arg::Ext(r.u32()?),
        Opcode::Frame => Arg::Frame(r.size8()? as u64),
    };
    Ok(Instruction {
        opcode,
        arg,
        offset: pos,
        end: r.pos,
    })
}

/// Every instruction of one stream, from `start` to its STOP (included), or
/// to the first error. This is the disassembler; the engine uses
/// [`decode_at`] directly.
pub fn instructions(data: &[u8], start: usize) -> Instructions<'_> {
    Instructions {
        data,
        pos: start,
        done: false,
    }
}

/// Iterator returned by [`instructions`].
#[derive(Debug)]
pub struct Instructions<'a> {
    data: &'a [u8],
    pos: usize,
    done: bool,
}

impl<'a> Iterator for Instructions<'a> {
    type Item = Result<Instruction<'a>, (usize, DecodeError)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.pos >= self.data.len() {
            return None;
        }
        match decode_at(self.data, self.pos) {
            Ok(ins) => {
                self.pos = ins.end;
                self.done = ins.opcode == Opcode::Stop;
                Some(Ok(ins))
            }
            Err(e) => {
                self.done = true;
                Some(Err((self.pos, e)))
            }
        }
    }
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    opcode: Opcode,
}

impl<'a> Reader<'a> {
    #[inline]
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.data.len())
            .ok_or(DecodeError::Truncated {
                opcode: self.opcode.name(),
            })?;
        let s = &self.data[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    #[inline]
    fn u16(&mut self) -> Result<u16, DecodeError> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    #[inline]
    fn u32(&mut self) -> Result<u32, DecodeError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// An 8-byte size, which CPython rejects above `PY_SSIZE_T_MAX`.
    fn size8(&mut self) -> Result<usize, DecodeError> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        let v = u64::from_le_bytes(a);
        if v > i64::MAX as u64 {
            return Err(self.bad("size exceeds the system's maximum size"));
        }
        // A size beyond the address space cannot be present: report truncation.
        usize::try_from(v).map_err(|_| DecodeError::Truncated {
            opcode: self.opcode.name(),
        })
    }

    /// A line without its `\n`; a missing `\n` is truncation, as in CPython.
    fn line(&mut self) -> Result<&'a [u8], DecodeError> {
        let rest = &self.data[self.pos..];
        let nl = memchr_newline(rest).ok_or(DecodeError::Truncated {
            opcode: self.opcode.name(),
        })?;
        self.pos += nl + 1;
        Ok(&rest[..nl])
    }

    fn utf8_text(&mut self, n: usize) -> Result<Arg<'a>, DecodeError> {
        let b = self.take(n)?;
        if is_utf8_surrogatepass(b) {
            Ok(Arg::Text(Cow::Borrowed(b)))
        } else {
            Err(self.bad("text is not valid UTF-8"))
        }
    }

    fn bad(&self, reason: &'static str) -> DecodeError {
        DecodeError::BadArgument {
            opcode: self.opcode.name(),
            reason,
        }
    }
}

#[inline]
fn memchr_newline(s: &[u8]) -> Option<usize> {
    s.iter().position(|&b| b == b'\n')
}

/// UTF-8 as CPython decodes it with `surrogatepass`: lone surrogates encoded
/// in three bytes are accepted.
pub fn is_utf8_surrogatepass(b: &[u8]) -> bool {
    if b.is_ascii() || std::str::from_utf8(b).is_ok() {
        return true;
    }
    let mut i = 0;
    while i < b.len() {
        match std::str::from_utf8(&b[i..]) {
            Ok(_) => return true,
            Err(e) => {
                i += e.valid_up_to();
                // A surrogate: ED A0..BF 80..BF.
                if b.len() >= i + 3
                    && b[i] == 0xED
                    && (0xA0..=0xBF).contains(&b[i + 1])
                    && (0x80..=0xBF).contains(&b[i + 2])
                {
                    i += 3;
                } else {
                    return false;
                }
            }
        }
    }
    true
}

fn int_from_le_twos_complement(b: &[u8]) -> IntValue {
    if b.is_empty() {
        return IntValue::Small(0);
    }
    if b.len() > 8 {
        // Sign-extension bytes may still make it fit.
        let negative = b[b.len() - 1] & 0x80 != 0;
        let fill = if negative { 0xFF } else { 0x00 };
        if b[8..].iter().all(|&x| x == fill) && ((b[7] & 0x80 != 0) == negative) {
            return int_from_le_twos_complement(&b[..8]);
        }
        return IntValue::Big;
    }
    let negative = b[b.len() - 1] & 0x80 != 0;
    let mut a = if negative { [0xFFu8; 8] } else { [0u8; 8] };
    a[..b.len()].copy_from_slice(b);
    IntValue::Small(i64::from_le_bytes(a))
}

/// `INT` as `load_int` parses it: `strtol(s, &end, 0)`, accepted when it stops
/// at the newline or a NUL; otherwise `PyLong_FromString(s, NULL, 0)`.
fn parse_int_line(line: &[u8]) -> Option<IntValue> {
    // The C code sees the line followed by "\n\0".
    let mut buf = Vec::with_capacity(line.len() + 2);
    buf.extend_from_slice(line);
    buf.extend_from_slice(b"\n\0");
    let (value, end) = c_strtol_base0(&buf);
    if let Some(x) = value
        && (buf[end] == b'\n' || buf[end] == 0)
    {
        // len includes the newline: "00\n" and "01\n" are bools.
        if line.len() == 2 && (x == 0 || x == 1) {
            return Some(IntValue::Bool(x == 1));
        }
        return Some(IntValue::Small(x));
    }
    py_long_from_string(line, 0)
}

fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// glibc `strtol(s, &end, 0)` over a NUL-terminated buffer. Returns `None` as
/// the value on overflow (ERANGE), with the end offset.
fn c_strtol_base0(s: &[u8]) -> (Option<i64>, usize) {
    let mut i = 0;
    while is_c_space(s[i]) {
        i += 1;
    }
    let negative = match s[i] {
        b'-' => {
            i += 1;
            true
        }
        b'+' => {
            i += 1;
            false
        }
        _ => false,
    };
    let mut base = 10u32;
    if s[i] == b'0' && matches!(s[i + 1], b'x' | b'X') && (s[i + 2] as char).is_ascii_hexdigit() {
        base = 16;
        i += 2;
    } else if s[i] == b'0' {
        base = 8;
    }
    let digits_start = i;
    let mut acc: i128 = 0;
    let mut overflow = false;
    while let Some(d) = (s[i] as char).to_digit(base) {
        acc = acc * i128::from(base) + i128::from(d);
        if acc > i128::from(i64::MAX) + 1 {
            overflow = true;
            acc = i128::from(i64::MAX) + 1;
        }
        i += 1;
    }
    if i == digits_start {
        return (Some(0), 0);
    }
    let v = if negative { -acc } else { acc };
    if overflow || v > i128::from(i64::MAX) || v < i128::from(i64::MIN) {
        return (None, i);
    }
    (Some(v as i64), i)
}

/// `PyLong_FromString(s, NULL, base)` on `s` as a C string (it ends at the
/// first NUL), for base 0 or 10.
fn py_long_from_string(s: &[u8], base: u32) -> Option<IntValue> {
    let s = match s.iter().position(|&b| b == 0) {
        Some(nul) => &s[..nul],
        None => s,
    };
    let mut i = 0;
    while i < s.len() && is_c_space(s[i]) {
        i += 1;
    }
    let mut negative = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        negative = s[i] == b'-';
        i += 1;
    }
    let mut base = base;
    let mut leading_zero_rule = false;
    if base == 0 {
        if i + 1 < s.len()
            && s[i] == b'0'
            && matches!(s[i + 1], b'x' | b'X' | b'o' | b'O' | b'b' | b'B')
        {
            base = match s[i + 1] {
                b'x' | b'X' => 16,
                b'o' | b'O' => 8,
                _ => 2,
            };
            i += 2;
            // An underscore may follow the prefix.
            if i < s.len() && s[i] == b'_' {
                i += 1;
            }
        } else {
            base = 10;
            leading_zero_rule = i < s.len() && s[i] == b'0';
        }
    }
    let start = i;
    let mut acc: i128 = 0;
    let mut big = false;
    let mut last_was_digit = false;
    let mut all_zero = true;
    while i < s.len() {
        let c = s[i];
        if c == b'_' {
            if !last_was_digit {
                return None;
            }
            last_was_digit = false;
            i += 1;
            continue;
        }
        match (c as char).to_digit(base) {
            Some(d) => {
                all_zero &= d == 0;
                if !big {
                    acc = acc * i128::from(base) + i128::from(d);
                    if acc > i128::from(u64::MAX) {
                        big = true;
                    }
                }
                last_was_digit = true;
                i += 1;
            }
            None => break,
        }
    }
    if i == start || !last_was_digit {
        return None;
    }
    if leading_zero_rule && !all_zero {
        return None;
    }
    while i < s.len() && is_c_space(s[i]) {
        i += 1;
    }
    if i != s.len() {
        return None;
    }
    let v = if negative { -acc } else { acc };
    if big || v > i128::from(i64::MAX) || v < i128::from(i64::MIN) {
        return Some(IntValue::Big);
    }
    Some(IntValue::Small(v as i64))
}

/// `PyOS_string_to_double` followed by `load_float`'s end check.
fn parse_float_line(line: &[u8]) -> Option<f64> {
    let mut i = 0;
    if i < line.len() && (line[i] == b'+' || line[i] == b'-') {
        i += 1;
    }
    let rest = &line[i..];
    let lower: Vec<u8> = rest.iter().take(8).map(u8::to_ascii_lowercase).collect();
    let (num_end, special) = if lower.starts_with(b"infinity") {
        (i + 8, true)
    } else if lower.starts_with(b"inf") || lower.starts_with(b"nan") {
        (i + 3, true)
    } else {
        let mut j = i;
        let mut digits = 0;
        while j < line.len() && line[j].is_ascii_digit() {
            j += 1;
            digits += 1;
        }
        if j < line.len() && line[j] == b'.' {
            j += 1;
            while j < line.len() && line[j].is_ascii_digit() {
                j += 1;
                digits += 1;
            }
        }
        if digits == 0 {
            return None;
        }
        if j < line.len() && (line[j] == b'e' || line[j] == b'E') {
            let mut k = j + 1;
            if k < line.len() && (line[k] == b'+' || line[k] == b'-') {
                k += 1;
            }
            let exp_start = k;
            while k < line.len() && line[k].is_ascii_digit() {
                k += 1;
            }
            if k > exp_start {
                j = k;
            }
        }
        (j, false)
    };
    // The next character must be the newline (end of line) or a NUL.
    if num_end < line.len() && line[num_end] != 0 {
        return None;
    }
    let text = std::str::from_utf8(&line[..num_end]).ok()?;
    let value: f64 = text.parse().ok()?;
    if value.is_infinite() && !special {
        // CPython raises OverflowError.
        return None;
    }
    Some(value)
}

/// `PyBytes_DecodeEscape`: the escapes of a Python bytes literal.
fn decode_bytes_escape(s: &[u8]) -> Option<Cow<'_, [u8]>> {
    if !s.contains(&b'\\') {
        return Some(Cow::Borrowed(s));
    }
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        i += 1;
        if c != b'\\' {
            out.push(c);
            continue;
        }
        let Some(&e) = s.get(i) else {
            return None; // "Trailing \ in string"
        };
        i += 1;
        match e {
            b'\n' => {}
            b'\\' => out.push(b'\\'),
            b'\'' => out.push(b'\''),
            b'"' => out.push(b'"'),
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b't' => out.push(b'\t'),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b'v' => out.push(0x0b),
            b'a' => out.push(0x07),
            b'0'..=b'7' => {
                let mut v = u32::from(e - b'0');
                for _ in 0..2 {
                    match s.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push((v & 0xFF) as u8);
            }
            b'x' => {
                let hi = (*s.get(i)? as char).to_digit(16)?;
                let lo = (*s.get(i + 1)? as char).to_digit(16)?;
                out.push((hi * 16 + lo) as u8);
                i += 2;
            }
            other => {
                out.push(b'\\');
                out.push(other);
            }
        }
    }
    Some(Cow::Owned(out))
}

/// `raw_unicode_escape` decoding to UTF-8 (surrogates kept as CPython's
/// surrogatepass would encode them).
fn decode_raw_unicode_escape(s: &[u8]) -> Option<Cow<'_, [u8]>> {
    if s.is_ascii() && !s.contains(&b'\\') {
        return Some(Cow::Borrowed(s));
    }
    let mut out = Vec::with_capacity(s.len() + 8);
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        i += 1;
        if c != b'\\' || i >= s.len() {
            push_code_point(&mut out, u32::from(c));
            continue;
        }
        let e = s[i];
        i += 1;
        let count = match e {
            b'u' => 4,
            b'U' => 8,
            _ => {
                out.push(b'\\');
                push_code_point(&mut out, u32::from(e));
                continue;
            }
        };
        let hex = s.get(i..i + count)?;
        let mut cp = 0u32;
        for &h in hex {
            cp = cp * 16 + (h as char).to_digit(16)?;
        }
        if cp > 0x10FFFF {
            return None;
        }
        i += count;
        push_code_point(&mut out, cp);
    }
    Some(Cow::Owned(out))
}

/// Encodes a code point as UTF-8, surrogates included (as surrogatepass does).
fn push_code_point(out: &mut Vec<u8>, cp: u32) {
    match cp {
        0..=0x7F => out.push(cp as u8),
        0x80..=0x7FF => {
            out.push(0xC0 | (cp >> 6) as u8);
            out.push(0x80 | (cp & 0x3F) as u8);
        }
        0x800..=0xFFFF => {
            out.push(0xE0 | (cp >> 12) as u8);
            out.push(0x80 | ((cp >> 6) & 0x3F) as u8);
            out.push(0x80 | (cp & 0x3F) as u8);
        }
        _ => {
            out.push(0xF0 | (cp >> 18) as u8);
            out.push(0x80 | ((cp >> 12) & 0x3F) as u8);
            out.push(0x80 | ((cp >> 6) & 0x3F) as u8);
            out.push(0x80 | (cp & 0x3F) as u8);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arg(data: &[u8]) -> Result<Arg<'_>, DecodeError> {
        decode_at(data, 0).map(|i| i.arg)
    }

    #[test]
    fn int_text_uses_base_zero_like_strtol() {
        assert_eq!(arg(b"I0x10\n"), Ok(Arg::Int(IntValue::Small(16))));
        assert_eq!(arg(b"I010\n"), Ok(Arg::Int(IntValue::Small(8))));
        assert_eq!(arg(b"I-5\n"), Ok(Arg::Int(IntValue::Small(-5))));
        assert_eq!(arg(b"I 7\n"), Ok(Arg::Int(IntValue::Small(7))));
        assert_eq!(arg(b"I00\n"), Ok(Arg::Int(IntValue::Bool(false))));
        assert_eq!(arg(b"I01\n"), Ok(Arg::Int(IntValue::Bool(true))));
        // strtol fails on '_' and '0o'; PyLong_FromString(s, 0) accepts them.
        assert_eq!(arg(b"I1_000\n"), Ok(Arg::Int(IntValue::Small(1000))));
        assert_eq!(arg(b"I0o17\n"), Ok(Arg::Int(IntValue::Small(15))));
        assert_eq!(arg(b"I0b101\n"), Ok(Arg::Int(IntValue::Small(5))));
        // An empty line is 0 to strtol.
        assert_eq!(arg(b"I\n"), Ok(Arg::Int(IntValue::Small(0))));
        // Embedded NUL ends the C string.
        assert_eq!(arg(b"I12\0zz\n"), Ok(Arg::Int(IntValue::Small(12))));
        assert_eq!(
            arg(b"I99999999999999999999999\n"),
            Ok(Arg::Int(IntValue::Big))
        );
        assert!(arg(b"I08\n").is_err());
        assert!(arg(b"I0x\n").is_err());
        assert!(arg(b"Iabc\n").is_err());
        assert!(matches!(arg(b"I12"), Err(DecodeError::Truncated { .. })));
    }

    #[test]
    fn long_text_strips_l_and_uses_base_zero() {
        assert_eq!(arg(b"L0x10L\n"), Ok(Arg::Int(IntValue::Small(16))));
        assert_eq!(arg(b"L123\n"), Ok(Arg::Int(IntValue::Small(123))));
        assert_eq!(
            arg(b"L0x1950A86A20F9469CFC6CL\n"),
            Ok(Arg::Int(IntValue::Big))
        );
        // Python's int(s, 0) refuses leading zeros.
        assert!(arg(b"L010\n").is_err());
        assert_eq!(arg(b"L000\n"), Ok(Arg::Int(IntValue::Small(0))));
    }

    #[test]
    fn binary_ints() {
        assert_eq!(arg(b"K\xff"), Ok(Arg::Int(IntValue::Small(255))));
        assert_eq!(arg(b"M\x01\x02"), Ok(Arg::Int(IntValue::Small(0x0201))));
        assert_eq!(arg(b"J\xff\xff\xff\xff"), Ok(Arg::Int(IntValue::Small(-1))));
        assert_eq!(arg(b"\x8a\x01\xff"), Ok(Arg::Int(IntValue::Small(-1))));
        assert_eq!(arg(b"\x8a\x00"), Ok(Arg::Int(IntValue::Small(0))));
        assert_eq!(
            arg(b"\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01"),
            Ok(Arg::Int(IntValue::Big))
        );
        assert_eq!(
            arg(b"\x8b\x02\x00\x00\x00\x00\x01"),
            Ok(Arg::Int(IntValue::Small(256)))
        );
        assert!(arg(b"\x8b\xff\xff\xff\xff").is_err());
    }

    #[test]
    fn floats() {
        assert_eq!(arg(b"F1.5\n"), Ok(Arg::Float(1.5)));
        assert_eq!(arg(b"F-2e3\n"), Ok(Arg::Float(-2000.0)));
        assert!(matches!(arg(b"Finf\n"), Ok(Arg::Float(f)) if f.is_infinite()));
        assert!(matches!(arg(b"Fnan\n"), Ok(Arg::Float(f)) if f.is_nan()));
        assert!(arg(b"F1e999\n").is_err());
        assert!(arg(b"F 1.0\n").is_err());
        assert!(arg(b"F1.0x\n").is_err());
        assert_eq!(arg(b"G?\xf0\x00\x00\x00\x00\x00\x00"), Ok(Arg::Float(1.0)));
    }

    #[test]
    fn string_is_unquoted_and_unescaped() {
        assert_eq!(arg(b"S'os'\n"), Ok(Arg::Py2Str(Cow::Borrowed(b"os"))));
        assert_eq!(
            arg(b"S\"a\\x41\\101\\n\"\n"),
            Ok(Arg::Py2Str(Cow::Owned(b"aAA\n".to_vec())))
        );
        assert_eq!(
            arg(b"S'a\\q'\n"),
            Ok(Arg::Py2Str(Cow::Owned(b"a\\q".to_vec())))
        );
        assert!(arg(b"S'unterminated\n").is_err());
        assert!(arg(b"Sbare\n").is_err());
        assert!(arg(b"S'\\x4'\n").is_err());
        assert_eq!(arg(b"U\x02os"), Ok(Arg::Py2Str(Cow::Borrowed(b"os"))));
        assert_eq!(
            arg(b"T\x02\x00\x00\x00os"),
            Ok(Arg::Py2Str(Cow::Borrowed(b"os")))
        );
    }

    #[test]
    fn unicode_is_raw_unicode_escape() {
        assert_eq!(arg(b"Vos\n"), Ok(Arg::Text(Cow::Borrowed(b"os"))));
        assert_eq!(
            arg(b"V\\u006fs\n"),
            Ok(Arg::Text(Cow::Owned(b"os".to_vec())))
        );
        assert_eq!(
            arg(b"V\\U0000006fs\n"),
            Ok(Arg::Text(Cow::Owned(b"os".to_vec())))
        );
        // Other escapes are kept as written; latin-1 bytes become code points.
        assert_eq!(arg(b"V\\n\n"), Ok(Arg::Text(Cow::Owned(b"\\n".to_vec()))));
        assert_eq!(
            arg(b"V\xe9\n"),
            Ok(Arg::Text(Cow::Owned("é".as_bytes().to_vec())))
        );
        assert!(arg(b"V\\u12\n").is_err());
        // A lone surrogate survives, as with surrogatepass.
        assert_eq!(
            arg(b"V\\ud800\n"),
            Ok(Arg::Text(Cow::Owned(vec![0xED, 0xA0, 0x80])))
        );
    }

    #[test]
    fn binary_unicode_is_utf8_with_surrogatepass() {
        assert_eq!(arg(b"\x8c\x02os"), Ok(Arg::Text(Cow::Borrowed(b"os"))));
        assert_eq!(
            arg(b"X\x02\x00\x00\x00os"),
            Ok(Arg::Text(Cow::Borrowed(b"os")))
        );
        assert_eq!(
            arg(b"\x8d\x02\x00\x00\x00\x00\x00\x00\x00os"),
            Ok(Arg::Text(Cow::Borrowed(b"os")))
        );
        assert!(arg(b"\x8c\x03\xed\xa0\x80").is_ok());
        assert!(arg(b"\x8c\x01\xff").is_err());
        assert!(matches!(
            arg(b"\x8c\x05os"),
            Err(DecodeError::Truncated { .. })
        ));
    }

    #[test]
    fn bytes_opcodes() {
        assert_eq!(arg(b"C\x02ab"), Ok(Arg::Bytes(b"ab")));
        assert_eq!(arg(b"B\x01\x00\x00\x00z"), Ok(Arg::Bytes(b"z")));
        assert_eq!(
            arg(b"\x8e\x01\x00\x00\x00\x00\x00\x00\x00z"),
            Ok(Arg::Bytes(b"z"))
        );
        assert_eq!(
            arg(b"\x96\x01\x00\x00\x00\x00\x00\x00\x00z"),
            Ok(Arg::Bytes(b"z"))
        );
        // A length beyond isize::MAX is refused before any allocation.
        assert!(arg(b"\x8e\xff\xff\xff\xff\xff\xff\xff\xff").is_err());
        assert!(matches!(
            arg(b"\x8e\xff\xff\xff\xff\xff\xff\xff\x7f"),
            Err(DecodeError::Truncated { .. })
        ));
    }

    #[test]
    fn globals_and_inst() {
        assert_eq!(
            arg(b"cos\nsystem\n"),
            Ok(Arg::Global {
                module: "os",
                name: "system"
            })
        );
        assert_eq!(
            arg(b"ios\nsystem\n"),
            Ok(Arg::Global {
                module: "os",
                name: "system"
            })
        );
        assert!(arg(b"cos\nsys\xfftem\n").is_err());
        assert!(arg(b"ios\nsyst\xc3\xa9m\n").is_err());
        assert!(matches!(
            arg(b"cos\nsystem"),
            Err(DecodeError::Truncated { .. })
        ));
    }

    #[test]
    fn memo_opcodes() {
        assert_eq!(arg(b"g12\n"), Ok(Arg::Memo(12)));
        assert_eq!(arg(b"p 3 \n"), Ok(Arg::Memo(3)));
        assert!(arg(b"p-1\n").is_err());
        assert!(arg(b"p0x1\n").is_err());
        assert_eq!(arg(b"h\x05"), Ok(Arg::Memo(5)));
        assert_eq!(arg(b"j\x01\x00\x00\x01"), Ok(Arg::Memo(0x0100_0001)));
        assert_eq!(arg(b"r\x00\x00\x00\x00"), Ok(Arg::Memo(0)));
    }

    #[test]
    fn proto_ext_frame_persid() {
        assert_eq!(arg(b"\x80\x05"), Ok(Arg::Proto(5)));
        assert_eq!(
            arg(b"\x80\x06"),
            Err(DecodeError::UnsupportedProtocol { version: 6 })
        );
        assert_eq!(arg(b"\x82\xf0"), Ok(Arg::Ext(0xf0)));
        assert_eq!(arg(b"\x83\x01\x02"), Ok(Arg::Ext(0x0201)));
        assert_eq!(arg(b"\x84\x01\x00\x00\x80"), Ok(Arg::Ext(0x8000_0001)));
        assert_eq!(
            arg(b"\x95\x10\x00\x00\x00\x00\x00\x00\x00"),
            Ok(Arg::Frame(16))
        );
        assert_eq!(arg(b"Pstorage0\n"), Ok(Arg::PersId("storage0")));
        assert!(arg(b"P\xff\n").is_err());
        assert_eq!(arg(b"\xff"), Err(DecodeError::InvalidOpcode { byte: 0xff }));
    }

    #[test]
    fn disassembler_stops_at_stop_and_reports_errors() {
        let ops: Vec<_> = instructions(b"\x80\x04K\x01.junk", 0).collect();
        assert_eq!(ops.len(), 3);
        assert!(ops.iter().all(Result::is_ok));
        let ops: Vec<_> = instructions(b"K\x01\xff", 0).collect();
        assert_eq!(ops.len(), 2);
        assert!(matches!(
            ops[1],
            Err((2, DecodeError::InvalidOpcode { byte: 0xff }))
        ));
    }
}
