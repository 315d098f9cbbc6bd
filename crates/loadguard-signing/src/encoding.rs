//! Signature material is decoded strictly, with maintained crates: base64
//! with the standard alphabet and canonical padding (`base64ct`, constant
//! time; the Sigstore bundle and the checkpoint note format write exactly
//! that), PEM by RFC 7468 (`pem-rfc7468`). A bundle that another decoder
//! would read differently is refused, not guessed at.

use base64ct::{Base64, Encoding};

/// Standard base64, canonical padding, no whitespace.
pub(crate) fn base64(s: &str) -> Option<Vec<u8>> {
    Base64::decode_vec(s).ok()
}

/// Standard base64 with padding.
pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    Base64::encode_string(bytes)
}

/// The PEM blocks labelled `label` in `text`, each decoded by RFC 7468
/// (text between blocks, such as a file's comments, is skipped; inside a
/// block nothing but the encapsulated base64 is accepted).
pub(crate) fn pem_blocks(text: &str, label: &str) -> Result<Vec<Vec<u8>>, String> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(&begin) {
        let stop = rest[start..]
            .find(&end)
            .ok_or_else(|| format!("unterminated PEM {label}"))?
            + start
            + end.len();
        let (found, der) = pem_rfc7468::decode_vec(&rest.as_bytes()[start..stop])
            .map_err(|e| format!("bad PEM {label}: {e}"))?;
        if found != label {
            return Err(format!("PEM label {found:?}, expected {label:?}"));
        }
        out.push(der);
        rest = &rest[stop..];
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_is_canonical_and_standard() {
        assert_eq!(base64("aGVsbG8=").as_deref(), Some(&b"hello"[..]));
        for bad in [
            "aGVsbG8",
            "aGVs=bG8",
            "aGVsbG9=",
            "aGV sbG8=",
            "-_8=",
            "aGVsbG8==",
        ] {
            assert_eq!(base64(bad), None, "{bad}");
        }
        assert_eq!(base64_encode(b"hello"), "aGVsbG8=");
    }

    #[test]
    fn pem_blocks_are_strict_inside() {
        let good =
            "comment\n-----BEGIN PUBLIC KEY-----\naGVsbG8=\n-----END PUBLIC KEY-----\ntrailer";
        assert_eq!(
            pem_blocks(good, "PUBLIC KEY").expect("pem"),
            vec![b"hello".to_vec()]
        );
        let bad = "-----BEGIN PUBLIC KEY-----\naGV!sbG8=\n-----END PUBLIC KEY-----";
        assert!(pem_blocks(bad, "PUBLIC KEY").is_err());
        assert!(
            pem_blocks("no pem here", "CERTIFICATE")
                .expect("empty")
                .is_empty()
        );
    }
}
