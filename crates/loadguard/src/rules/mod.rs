//! Rules of the scanner itself (not of one format engine).

pub(crate) mod unsupported_format;
