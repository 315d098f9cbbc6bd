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
