loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags member names that appear twice in the central directory, and names that are equal when case is ignored.
    ///
    /// ## Why is this bad?
    /// PyTorch's reader (miniz) matches names case-insensitively and takes the first match; Python's `zipfile` takes the last. A benign copy can hide a malicious one from a scanner that reads only one. loadguard scans every copy.
    ///
    /// ## Example
    /// ```text
    /// archive/data.pkl (malicious) ... archive/data.pkl (benign)
    /// ```
    ///
    /// ## How to fix
    /// Re-create the archive so that each member name appears once; treat duplicates from an untrusted
    /// source as hostile.
    ///
    /// ## References
    /// - [CWE-436](https://cwe.mitre.org/data/definitions/436.html)
    pub static RULE = {
        code: "ZIP002",
        name: "zip-duplicate-member",
        summary: "two zip members have the same name, or names that differ only in case",
        severity: High,
        confidence: High,
        cwe: 436,
    };
}
