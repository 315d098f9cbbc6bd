loadguard_core::declare_rule! {
    /// ## What it does
    /// Lists a file whose format loadguard does not scan (yet), so that nothing in a
    /// scanned folder is skipped silently.
    ///
    /// ## Why is this bad?
    /// It is not, in itself: the finding is informational. But "not scanned" is not
    /// "safe", and a file that a loader opens by content could still carry code.
    ///
    /// ## Example
    /// ```text
    /// model.bin: unsupported format (zip archive)
    /// ```
    ///
    /// ## How to fix
    /// Nothing, if the file is not something you will load. Otherwise convert it to a format loadguard
    /// scans.
    ///
    /// ## References
    /// - [CWE-693](https://cwe.mitre.org/data/definitions/693.html)
    pub(crate) static RULE = {
        code: "LG001",
        name: "unsupported-format",
        summary: "a file whose format loadguard does not scan",
        severity: Info,
        confidence: High,
        cwe: 693,
    };
}
