use std::marker::PhantomData;

use crate::{Confidence, Rule, Severity};

/// Where a finding is: the file, the path of members inside it (container
/// members, nested pickles), and the byte offset within the innermost one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Location {
    /// The file on disk (or the URL-like name of a remote artifact). Filled in
    /// by the file scanner; engines that see only bytes leave it empty.
    pub path: String,
    /// Members from outermost to innermost, e.g. `["archive/data.pkl"]`, or a
    /// nested pickle such as `["data.pkl", "bytes@0x1c"]`.
    pub members: Vec<String>,
    /// Byte offset within the innermost member (or the file when there is none).
    pub offset: Option<u64>,
    /// Name of the pickle opcode at `offset`, when the finding is about one.
    pub opcode: Option<&'static str>,
    /// Index of the pickle stream inside its member (0 for the first).
    pub stream: Option<u32>,
    /// A place inside the format: a tensor name, a metadata key, a graph
    /// node, a layer.
    pub logical: Option<String>,
    /// 1-based line and column, for text.
    pub line: Option<u32>,
    pub column: Option<u32>,
}

impl Location {
    /// A location at a byte offset of the data being scanned.
    pub fn at_offset(offset: u64) -> Self {
        Self {
            offset: Some(offset),
            ..Self::default()
        }
    }

    /// A location that names a whole file.
    pub fn file(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            ..Self::default()
        }
    }

    pub fn with_opcode(mut self, opcode: &'static str) -> Self {
        self.opcode = Some(opcode);
        self
    }

    pub fn with_logical(mut self, logical: impl Into<String>) -> Self {
        self.logical = Some(logical.into());
        self
    }

    pub fn with_line_column(mut self, line: u32, column: u32) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    pub fn with_stream(mut self, stream: u32) -> Self {
        self.stream = Some(stream);
        self
    }

    /// The members joined for display: `a.zip → archive/data.pkl`.
    pub fn member_path(&self) -> Option<String> {
        (!self.members.is_empty()).then(|| self.members.join(" → "))
    }
}

/// One thing a rule found, with its evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub rule: &'static Rule,
    pub severity: Severity,
    pub confidence: Confidence,
    /// One line that says what was found and why it matters.
    pub message: String,
    /// The callable involved (`os.system`), when the finding is about one.
    pub callable: Option<String>,
    /// The arguments it was given, rendered, when known.
    pub arguments: Option<String>,
    pub location: Location,
    /// How many times the same thing was seen in the same stream; the
    /// location is the first.
    pub occurrences: u32,
}

impl Finding {
    /// Starts a finding for `rule`, with the rule's default severity and
    /// confidence. It cannot be built until it is given a location.
    pub fn builder(rule: &'static Rule, message: impl Into<String>) -> FindingBuilder<Unlocated> {
        FindingBuilder {
            finding: Self {
                rule,
                severity: rule.severity,
                confidence: rule.confidence,
                message: message.into(),
                callable: None,
                arguments: None,
                location: Location::default(),
                occurrences: 1,
            },
            state: PhantomData,
        }
    }

    /// Places this finding inside an outer container: the outer path and
    /// member come first, the finding's own members after them.
    pub fn nest_in(&mut self, path: &str, members: &[String]) {
        if self.location.path.is_empty() {
            self.location.path = path.to_owned();
        }
        if !members.is_empty() {
            let mut all = members.to_vec();
            all.append(&mut self.location.members);
            self.location.members = all;
        }
    }
}

/// Type state of a [`FindingBuilder`] that has no location yet.
#[derive(Debug)]
pub struct Unlocated;
/// Type state of a [`FindingBuilder`] that has a location and can be built.
#[derive(Debug)]
pub struct Located;

/// Builds a [`Finding`]. `build()` exists only once `at()` gave a location, so
/// a finding without evidence of where it is does not compile.
#[derive(Debug)]
pub struct FindingBuilder<State> {
    finding: Finding,
    state: PhantomData<State>,
}

impl<State> FindingBuilder<State> {
    pub fn severity(mut self, severity: Severity) -> Self {
        self.finding.severity = severity;
        self
    }

    pub fn confidence(mut self, confidence: Confidence) -> Self {
        self.finding.confidence = confidence;
        self
    }

    pub fn callable(mut self, callable: impl Into<String>) -> Self {
        self.finding.callable = Some(callable.into());
        self
    }

    pub fn arguments(mut self, arguments: Option<String>) -> Self {
        self.finding.arguments = arguments;
        self
    }
}

impl FindingBuilder<Unlocated> {
    pub fn at(self, location: Location) -> FindingBuilder<Located> {
        FindingBuilder {
            finding: Finding {
                location,
                ..self.finding
            },
            state: PhantomData,
        }
    }
}

impl FindingBuilder<Located> {
    pub fn build(self) -> Finding {
        self.finding
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::declare_rule! {
        /// ## What it does
        /// Test rule.
        static TEST_RULE = {
            code: "TST001",
            name: "test-rule",
            summary: "a rule for tests",
            severity: High,
            confidence: Medium,
            cwe: 20,
        };
    }

    #[test]
    fn builder_takes_rule_defaults_and_location() {
        let f = Finding::builder(&TEST_RULE, "msg")
            .at(Location::at_offset(7).with_opcode("REDUCE"))
            .build();
        assert_eq!(f.severity, Severity::High);
        assert_eq!(f.confidence, Confidence::Medium);
        assert_eq!(f.location.offset, Some(7));
        assert_eq!(f.location.opcode, Some("REDUCE"));
        assert!(TEST_RULE.docs.contains("Test rule."));
    }

    #[test]
    fn nesting_prepends_outer_members() {
        let mut f = Finding::builder(&TEST_RULE, "msg")
            .at(Location {
                members: vec!["bytes@0x10".into()],
                ..Location::at_offset(3)
            })
            .build();
        f.nest_in("model.pt", &["archive/data.pkl".into()]);
        assert_eq!(f.location.path, "model.pt");
        assert_eq!(
            f.location.member_path().as_deref(),
            Some("archive/data.pkl → bytes@0x10")
        );
    }

    #[test]
    fn severities_are_ordered() {
        assert!(Severity::Critical > Severity::High);
        assert!(Severity::Low > Severity::Info);
        assert_eq!(Severity::parse("medium"), Some(Severity::Medium));
        assert_eq!(Severity::parse("bogus"), None);
    }
}
