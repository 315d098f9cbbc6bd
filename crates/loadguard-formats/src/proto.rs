//! A minimal protobuf wire-format reader: fields with their numbers and
//! values, lengths checked against the buffer, nothing allocated. Enough to
//! walk ONNX and TensorFlow messages without their schemas compiled in.

/// One field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire<'a> {
    Varint(u64),
    Fixed64(u64),
    Bytes(&'a [u8]),
    Fixed32(u32),
}

/// A field: its number, value, and offset in the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field<'a> {
    pub number: u64,
    pub value: Wire<'a>,
    pub offset: usize,
}

/// Why a buffer is not a valid message, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtoError {
    pub offset: usize,
    pub reason: &'static str,
}

fn varint(buf: &[u8], pos: &mut usize) -> Result<u64, ProtoError> {
    let start = *pos;
    let mut v = 0u64;
    for shift in (0..70).step_by(7) {
        let Some(&b) = buf.get(*pos) else {
            return Err(ProtoError {
                offset: start,
                reason: "truncated varint",
            });
        };
        *pos += 1;
        if shift == 63 && b > 1 {
            return Err(ProtoError {
                offset: start,
                reason: "varint overflows 64 bits",
            });
        }
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err(ProtoError {
        offset: start,
        reason: "varint longer than 10 bytes",
    })
}

/// Every field of a message, in order; stops at the first malformed one.
pub fn fields(buf: &[u8]) -> Result<Vec<Field<'_>>, ProtoError> {
    match fields_prefix(buf) {
        (fields, None) => Ok(fields),
        (_, Some(e)) => Err(e),
    }
}

/// The field number and wire type of the key at `offset`, if it decodes.
pub fn key_at(buf: &[u8], offset: usize) -> Option<(u64, u8)> {
    let mut pos = offset;
    let key = varint(buf, &mut pos).ok()?;
    Some((key >> 3, (key & 7) as u8))
}

/// The fields before the first malformed one, and the error, if any: what
/// a truncated message still shows of itself.
pub fn fields_prefix(buf: &[u8]) -> (Vec<Field<'_>>, Option<ProtoError>) {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < buf.len() {
        match field_at(buf, &mut pos) {
            Ok(f) => out.push(f),
            Err(e) => return (out, Some(e)),
        }
    }
    (out, None)
}

fn field_at<'a>(buf: &'a [u8], at: &mut usize) -> Result<Field<'a>, ProtoError> {
    let offset = *at;
    let mut pos = *at;
    let key = varint(buf, &mut pos)?;
    let number = key >> 3;
    if number == 0 {
        return Err(ProtoError {
            offset,
            reason: "field number 0",
        });
    }
    let fixed = |pos: usize, n: usize, reason: &'static str| {
        buf.get(pos..pos + n).ok_or(ProtoError { offset, reason })
    };
    let value = match key & 7 {
        0 => Wire::Varint(varint(buf, &mut pos)?),
        1 => {
            let b = fixed(pos, 8, "truncated fixed64")?;
            pos += 8;
            Wire::Fixed64(u64::from_le_bytes(b.try_into().unwrap_or_default()))
        }
        2 => {
            let n = varint(buf, &mut pos)?;
            let end = usize::try_from(n)
                .ok()
                .and_then(|n| pos.checked_add(n))
                .filter(|&e| e <= buf.len())
                .ok_or(ProtoError {
                    offset,
                    reason: "length-delimited field runs past its message",
                })?;
            let b = &buf[pos..end];
            pos = end;
            Wire::Bytes(b)
        }
        5 => {
            let b = fixed(pos, 4, "truncated fixed32")?;
            pos += 4;
            Wire::Fixed32(u32::from_le_bytes(b.try_into().unwrap_or_default()))
        }
        _ => {
            return Err(ProtoError {
                offset,
                reason: "unsupported wire type (groups or invalid)",
            });
        }
    };
    *at = pos;
    Ok(Field {
        number,
        value,
        offset,
    })
}

impl<'a> Field<'a> {
    pub fn bytes(&self) -> Option<&'a [u8]> {
        match self.value {
            Wire::Bytes(b) => Some(b),
            _ => None,
        }
    }

    pub fn text(&self) -> Option<String> {
        self.bytes()
            .map(|b| String::from_utf8_lossy(b).into_owned())
    }

    pub fn varint(&self) -> Option<u64> {
        match self.value {
            Wire::Varint(v) => Some(v),
            _ => None,
        }
    }

    /// Offset of the field's payload relative to the buffer it came from.
    pub fn payload_offset(&self, parent: &[u8]) -> usize {
        self.bytes().map_or(self.offset, |b| {
            b.as_ptr() as usize - parent.as_ptr() as usize
        })
    }
}

/// The text of field `n` as a protobuf parser sets it: a singular field
/// given more than once keeps the last occurrence. Empty when absent.
pub fn text_of(fields: &[Field<'_>], n: u64) -> String {
    fields
        .iter()
        .rev()
        .find(|f| f.number == n)
        .and_then(Field::text)
        .unwrap_or_default()
}

/// Field numbers among `singular` that occur more than once: readers that
/// take the first occurrence see something else than protobuf's last.
pub fn repeated_singular(fields: &[Field<'_>], singular: &[u64]) -> Vec<u64> {
    singular
        .iter()
        .copied()
        .filter(|n| fields.iter().filter(|f| f.number == *n).count() > 1)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_and_rejects_lies() {
        // field 1 varint 7, field 2 bytes "ab", field 3 fixed32.
        let buf = [0x08, 0x07, 0x12, 0x02, b'a', b'b', 0x1d, 1, 0, 0, 0];
        let f = fields(&buf).expect("valid");
        assert_eq!(f.len(), 3);
        assert_eq!(f[0].varint(), Some(7));
        assert_eq!(f[1].bytes(), Some(&b"ab"[..]));
        assert!(fields(&[0x12, 0x05, b'a']).is_err());
        assert!(fields(&[0x08]).is_err());
        assert!(fields(&[0x0b]).is_err());
        assert!(
            fields(&[
                0x12, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01
            ])
            .is_err()
        );
    }
}
