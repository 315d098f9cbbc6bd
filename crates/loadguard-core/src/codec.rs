//! Small decoders that several scanners need for data found inside artifacts.

/// Decodes standard or URL-safe base64, ignoring padding and whitespace.
/// `None` on any other character.
pub fn base64_decode(s: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for &c in s {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => continue,
            c if c.is_ascii_whitespace() => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
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
    #[test]
    fn decodes_standard_and_url_safe() {
        assert_eq!(
            super::base64_decode(b"aGVsbG8=").as_deref(),
            Some(&b"hello"[..])
        );
        assert_eq!(
            super::base64_decode(b"-_8=").as_deref(),
            Some(&[0xfb, 0xff][..])
        );
        assert_eq!(super::base64_decode(b"aGV!sbG8"), None);
        for text in [
            &b""[..],
            b"h",
            b"he",
            b"hel",
            b"hello",
            &[0xfb, 0xff, 0x00, 0x10],
        ] {
            let encoded = super::base64_encode(text);
            assert_eq!(encoded.len() % 4, 0);
            assert_eq!(
                super::base64_decode(encoded.as_bytes()).as_deref(),
                Some(text)
            );
        }
        assert_eq!(super::base64_encode(b"hello"), "aGVsbG8=");
        assert_eq!(
            super::base64_decode(b"aGV\nsbG8").as_deref(),
            Some(&b"hello"[..])
        );
    }
}
