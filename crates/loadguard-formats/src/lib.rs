//! Validators for the formats that replace pickle: they cannot run code by
//! design, but a hostile file still tests every length, offset and string.
//! Bytes in, findings out; no I/O.
#![forbid(unsafe_code)]

pub mod gguf;
pub mod json;
pub mod keras;
pub mod onnx;
pub mod proto;
pub mod rules;
pub mod safetensors;
pub mod template;
pub mod tensorflow;

/// How far from the end a zip's end-of-central-directory record can start:
/// its 22 bytes plus a comment of up to 65,535.
pub const ZIP_EOCD_WINDOW: usize = 22 + 65_535;

/// The offset in `tail` (the last `ZIP_EOCD_WINDOW` bytes of a file, or
/// fewer) of the last zip end-of-central-directory signature with room for
/// the whole record. Shared by the zip reader and the polyglot checks.
pub fn last_zip_eocd(tail: &[u8]) -> Option<usize> {
    if tail.len() < 22 {
        return None;
    }
    (0..=tail.len() - 22)
        .rev()
        .find(|&i| &tail[i..i + 4] == b"PK\x05\x06")
}
