//! Renderers: one file per output format, each a function over the targets.

pub(crate) mod cyclonedx;
pub(crate) mod github;
pub(crate) mod json;
pub(crate) mod jsonl;
pub(crate) mod sarif;
pub(crate) mod text;
