//! Rules of the scanner itself (not of one format engine).

pub(crate) mod budget;
pub(crate) mod target_config;
