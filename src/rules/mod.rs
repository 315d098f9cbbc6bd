//! Rules of the scanner itself (not of one format engine).

pub(crate) mod target_config;
pub(crate) mod unsupported_format;
