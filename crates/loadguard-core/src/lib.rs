//! Findings, rules, severities and verdicts shared by every loadguard scanner.
//!
//! Scanners (the pickle engine, container readers, format validators) produce
//! [`Finding`]s that point at a [`Rule`]. A finding cannot be built without a
//! [`Location`]: see [`FindingBuilder`].
#![forbid(unsafe_code)]

pub mod codec;
mod finding;
pub mod pyescape;
mod rule;
mod verdict;

pub use finding::{Finding, FindingBuilder, Located, Location, Unlocated};
pub use rule::{Confidence, Rule, Severity};
pub use verdict::Verdict;
