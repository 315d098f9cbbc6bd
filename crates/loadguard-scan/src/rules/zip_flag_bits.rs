loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags members whose general-purpose flags set bit 0 (encrypted), bit 5 (compressed patched data) or bit 6 (strong encryption).
    ///
    /// ## Why is this bad?
    /// Python's `zipfile` refuses such members, so scanners built on it skip them, while PyTorch's reader ignores the bits and loads the data (CVE-2025-1945). loadguard reads the data as PyTorch would.
    ///
    /// ## Example
    /// ```text
    /// flags 0x0001 on archive/data.pkl
    /// ```
    ///
    /// ## How to fix
    /// Re-create the archive without encryption or patch flags; no model writer sets them.
    ///
    /// ## References
    /// - [CWE-436](https://cwe.mitre.org/data/definitions/436.html)
    /// - CVE-2025-1945
    pub static RULE = {
        code: "ZIP003",
        name: "zip-flag-bits",
        summary: "a zip member sets encryption or patched-data flag bits",
        severity: High,
        confidence: High,
        cwe: 436,
    };
}
