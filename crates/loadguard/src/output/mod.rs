//! Renderers: one file per output format, each a function over the targets.

pub(crate) mod json;
pub(crate) mod text;
