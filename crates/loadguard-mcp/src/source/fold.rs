//! Decoders that constant folding applies to literal arguments, so that
//! `base64.b64decode("b3Muc3lzdGVt")`, `bytes.fromhex(...)`,
//! `codecs.decode(..., "rot13")`, `Buffer.from(..., "base64")` and
//! `String.fromCharCode(...)` are read as the strings they produce.

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

const TOLERANT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);

/// Base64 (standard or URL-safe, padded or not), as text.
pub(crate) fn base64(s: &str) -> Option<String> {
    let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let std = GeneralPurpose::new(&base64::alphabet::STANDARD, TOLERANT);
    let url = GeneralPurpose::new(&base64::alphabet::URL_SAFE, TOLERANT);
    let bytes = std.decode(&clean).or_else(|_| url.decode(&clean)).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

pub(crate) fn hex(s: &str) -> Option<String> {
    let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if !clean.len().is_multiple_of(2) || !clean.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let bytes: Vec<u8> = (0..clean.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(&clean[i..i + 2], 16).ok())
        .collect();
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

pub(crate) fn rot13(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'a'..='z' => char::from(b'a' + (c as u8 - b'a' + 13) % 26),
            'A'..='Z' => char::from(b'A' + (c as u8 - b'A' + 13) % 26),
            _ => c,
        })
        .collect()
}

/// Decodes by codec name as Python's `codecs.decode` or Node's `Buffer`
/// would.
pub(crate) fn by_name(s: &str, codec: &str) -> Option<String> {
    match codec.to_ascii_lowercase().replace('-', "_").as_str() {
        "rot13" | "rot_13" => Some(rot13(s)),
        "base64" | "base64url" | "base64_codec" | "b64" => base64(s),
        "hex" | "hex_codec" => hex(s),
        "utf8" | "utf_8" | "ascii" | "latin1" | "binary" => Some(s.to_owned()),
        _ => None,
    }
}

/// Characters from code points (`chr`, `String.fromCharCode`).
pub(crate) fn chars(codes: &[i64]) -> Option<String> {
    codes
        .iter()
        .map(|&c| u32::try_from(c).ok().and_then(char::from_u32))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoders() {
        assert_eq!(base64("b3Muc3lzdGVt").as_deref(), Some("os.system"));
        assert_eq!(base64("b3Muc3lzdGVt\n").as_deref(), Some("os.system"));
        assert_eq!(hex("7e2f2e737368").as_deref(), Some("~/.ssh"));
        assert_eq!(rot13("flfgrz"), "system");
        assert_eq!(by_name("flfgrz", "rot_13").as_deref(), Some("system"));
        assert_eq!(
            chars(&[126, 47, 46, 115, 115, 104]).as_deref(),
            Some("~/.ssh")
        );
    }
}
