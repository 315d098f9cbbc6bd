loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags a member whose local file header and central directory entry disagree on the name.
    ///
    /// ## Why is this bad?
    /// Readers disagree on which name is real: Python's `zipfile` refuses the member, PyTorch's reader uses the central directory. A scanner that trusts one view misses a pickle that the loader reads through the other (CVE-2025-1944).
    ///
    /// ## Example
    /// ```text
    /// central directory: archive/data.pkl   local header: archive/datap.kl
    /// ```
    ///
    /// ## How to fix
    /// Re-create the archive with a standard writer (`torch.save`, `zipfile`). Treat the file as
    /// hostile if it came from elsewhere.
    ///
    /// ## References
    /// - [CWE-436](https://cwe.mitre.org/data/definitions/436.html)
    /// - CVE-2025-1944
    pub static RULE = {
        code: "ZIP001",
        name: "zip-name-mismatch",
        summary: "a zip member's local header names a different file than the central directory",
        severity: High,
        confidence: High,
        cwe: 436,
    };
}
