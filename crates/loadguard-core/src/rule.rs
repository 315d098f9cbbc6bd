use std::fmt;

/// How bad a finding is for someone about to load the artifact.
///
/// Ordered, so that filtering is a comparison: `Info < Low < ... < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Self; 5] = [
        Self::Info,
        Self::Low,
        Self::Medium,
        Self::High,
        Self::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|sev| sev.as_str() == s)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How sure the rule is that the finding is what it says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Static metadata of one rule. Declare rules with [`crate::declare_rule!`] so
/// that the doc comment becomes the rule's documentation.
#[derive(Debug)]
pub struct Rule {
    /// Stable short code, e.g. `PKL101`. Never reused.
    pub code: &'static str,
    /// Kebab-case name, e.g. `pickle-command-execution`.
    pub name: &'static str,
    /// One line, shown in `loadguard rules`.
    pub summary: &'static str,
    pub severity: Severity,
    pub confidence: Confidence,
    /// CWE number, e.g. 502 for CWE-502.
    pub cwe: u32,
    /// Markdown documentation: What it does / Why is this bad / Example / References.
    pub docs: &'static str,
}

impl Rule {
    pub fn cwe_id(&self) -> String {
        format!("CWE-{}", self.cwe)
    }

    /// Where the rule's documentation lives in the repository.
    pub fn doc_url(&self) -> String {
        format!(
            "https://github.com/loadguard/loadguard/blob/main/docs/rules/{}.md",
            self.code
        )
    }
}

impl PartialEq for Rule {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
    }
}
impl Eq for Rule {}

/// Declares a rule as a `pub static`, keeping its doc comment as its documentation.
///
/// ```
/// loadguard_core::declare_rule! {
///     /// ## What it does
///     /// Flags things.
///     pub static EXAMPLE_RULE = {
///         code: "EX001",
///         name: "example-rule",
///         summary: "flags things",
///         severity: Info,
///         confidence: High,
///         cwe: 20,
///     };
/// }
/// assert!(EXAMPLE_RULE.docs.contains("Flags things."));
/// ```
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis static $ident:ident = {
            code: $code:literal,
            name: $name:literal,
            summary: $summary:literal,
            severity: $severity:ident,
            confidence: $confidence:ident,
            cwe: $cwe:literal $(,)?
        };
    ) => {
        $(#[doc = $doc])*
        $vis static $ident: $crate::Rule = $crate::Rule {
            code: $code,
            name: $name,
            summary: $summary,
            severity: $crate::Severity::$severity,
            confidence: $crate::Confidence::$confidence,
            cwe: $cwe,
            docs: concat!($($doc, "\n"),*),
        };
    };
}
