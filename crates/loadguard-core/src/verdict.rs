use std::fmt;

use crate::{Finding, Severity};

/// The answer to "may I load this?", per target and overall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    /// Nothing found above `low`.
    Safe,
    /// The target was not scanned (its content was not understood) and
    /// nothing found asks for more: never "safe".
    NotScanned,
    /// Something needs a human: an unknown callable, a malformed or partly
    /// analysed file.
    Review,
    /// A finding at `high` or above.
    NotSafe,
}

impl Verdict {
    /// The verdict that a set of findings deserves. `review_at` is the lowest
    /// severity that asks for review (medium by default).
    pub fn from_findings<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Self {
        findings
            .into_iter()
            .map(|f| Self::for_severity(f.severity))
            .max()
            .unwrap_or(Self::Safe)
    }

    pub fn for_severity(severity: Severity) -> Self {
        match severity {
            Severity::Info | Severity::Low => Self::Safe,
            Severity::Medium => Self::Review,
            Severity::High | Severity::Critical => Self::NotSafe,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Safe => "safe",
            Self::NotScanned => "not-scanned",
            Self::Review => "review",
            Self::NotSafe => "not-safe",
        }
    }

    /// Words for a person reading a terminal.
    pub fn headline(self) -> &'static str {
        match self {
            Self::Safe => "safe to load",
            Self::NotScanned => "not scanned",
            Self::Review => "review before loading",
            Self::NotSafe => "NOT SAFE to load",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
