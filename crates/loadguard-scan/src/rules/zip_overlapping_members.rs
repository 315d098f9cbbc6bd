loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags members whose local header and data ranges overlap another member's, including two directory entries pointing at one local header.
    ///
    /// ## Why is this bad?
    /// Overlapping entries are how zip bombs and "zip cloaking" (one byte range read as two different members) are built.
    ///
    /// ## Example
    /// ```text
    /// central directory entries 1 and 2 both start at offset 0x40
    /// ```
    ///
    /// ## How to fix
    /// Do not load or extract the file: overlapping members are how zip bombs and cloaked members are
    /// built.
    ///
    /// ## References
    /// - [CWE-436](https://cwe.mitre.org/data/definitions/436.html)
    /// - CVE-2026-115905
    pub static RULE = {
        code: "ZIP006",
        name: "zip-overlapping-members",
        summary: "zip members whose data overlap",
        severity: High,
        confidence: High,
        cwe: 436,
    };
}
