loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags a zip whose end-of-central-directory record, central directory or a local header cannot be read or points outside the file.
    ///
    /// ## Why is this bad?
    /// A scanner that stops at the first broken entry is bypassed by a corrupt entry placed before `data.pkl` (modelscan #354). loadguard reports the break and scans every member it can still reach.
    ///
    /// ## Example
    /// ```text
    /// central directory entry 0: local header offset past the end of the file
    /// ```
    ///
    /// ## How to fix
    /// Re-download or re-create the archive. Treat a broken archive from an untrusted source as
    /// hostile.
    ///
    /// ## References
    /// - [CWE-20](https://cwe.mitre.org/data/definitions/20.html)
    pub static RULE = {
        code: "ZIP008",
        name: "zip-malformed",
        summary: "the zip structure is broken; what could be read was scanned",
        severity: High,
        confidence: High,
        cwe: 20,
    };
}
