loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags `trust_remote_code=True`. In a fenced code block it is low (custom architectures document
    /// it); in prose or metadata it is medium.
    ///
    /// ## Why is this bad?
    /// `trust_remote_code=True` runs the repository's Python code in the loading process.
    ///
    /// ## Example
    /// ```text
    /// Load with trust_remote_code=True for best results.
    /// ```
    ///
    /// ## How to fix
    /// Review the repository's code first; pin the revision.
    ///
    /// ## References
    /// - [CWE-94](https://cwe.mitre.org/data/definitions/94.html)
    pub static RULE = {
        code: "AT013",
        name: "text-trust-remote-code",
        summary: "text asks to load with trust_remote_code=True",
        severity: Medium,
        confidence: High,
        cwe: 94,
    };
}
