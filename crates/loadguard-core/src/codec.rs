//! Small decoders that several scanners need for data found inside artifacts.

/// Decodes base64 the way Python's `base64.b64decode` (and the `base64`
/// codec) does by default, `binascii.a2b_base64` without strict mode: for
/// reading what a loader decodes inside an artifact, not for signature
/// material (which the signing crate decodes strictly). Characters outside
/// the standard alphabet are skipped (URL-safe `-` and `_` included, as
/// Python skips them); decoding stops at a complete padding; leftover bits
/// that do not make a byte are an error, as in Python ("Incorrect padding").
pub fn base64_decode_python(s: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut quad = 0u8;
    let mut pads = 0u8;
    for &c in s {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                if quad >= 2 {
                    pads += 1;
                    if quad + pads >= 4 {
                        // A complete quantum: flush its bytes; what follows
                        // is not decoded.
                        if quad == 2 {
                            out.push((acc >> 4) as u8);
                        } else {
                            out.extend_from_slice(&[(acc >> 10) as u8, (acc >> 2) as u8]);
                        }
                        return Some(out);
                    }
                }
                continue;
            }
            _ => continue,
        };
        pads = 0;
        acc = (acc << 6) | u32::from(v);
        quad += 1;
        if quad == 4 {
            out.extend_from_slice(&[(acc >> 16) as u8, (acc >> 8) as u8, acc as u8]);
            acc = 0;
            quad = 0;
        }
    }
    match quad {
        0 => Some(out),
        // One leftover character cannot make a byte; two or three without
        // padding are "Incorrect padding" in Python.
        _ => None,
    }
}

/// Lower-case hexadecimal, two digits per byte.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// Encodes standard base64 with padding.
pub fn base64_encode(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = u32::from(chunk[0]) << 16
            | u32::from(chunk.get(1).copied().unwrap_or(0)) << 8
            | u32::from(chunk.get(2).copied().unwrap_or(0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(TABLE[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_as_python_b64decode_does() {
        assert_eq!(
            base64_decode_python(b"aGVsbG8=").as_deref(),
            Some(&b"hello"[..])
        );
        // Non-alphabet characters are skipped, URL-safe ones too.
        assert_eq!(
            base64_decode_python(b"aGV\nsbG8=").as_deref(),
            Some(&b"hello"[..])
        );
        assert_eq!(
            base64_decode_python(b"aG!Vs-bG_8=").as_deref(),
            Some(&b"hello"[..])
        );
        // Decoding stops after a complete padding.
        assert_eq!(
            base64_decode_python(b"aGk=trailing").as_deref(),
            Some(&b"hi"[..])
        );
        // Incorrect padding.
        assert_eq!(base64_decode_python(b"aGVsbG8"), None);
        for text in [
            &b""[..],
            b"h",
            b"he",
            b"hel",
            b"hello",
            &[0xfb, 0xff, 0x00, 0x10],
        ] {
            let encoded = base64_encode(text);
            assert_eq!(
                base64_decode_python(encoded.as_bytes()).as_deref(),
                Some(text)
            );
        }
        assert_eq!(base64_encode(b"hello"), "aGVsbG8=");
        assert_eq!(hex(&[0x00, 0xab, 0x10]), "00ab10");
    }
}
