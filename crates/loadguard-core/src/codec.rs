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
        assert_eq!(
            super::base64_decode(b"aGV\nsbG8").as_deref(),
            Some(&b"hello"[..])
        );
    }
}
