loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags zip members found by walking local file headers that no central directory entry points at.
    ///
    /// ## Why is this bad?
    /// Readers that walk local headers (streaming unzip tools) see a member that directory-based readers and scanners never list.
    ///
    /// ## Example
    /// ```text
    /// PK\x03\x04 ... payload.pkl   (absent from the central directory)
    /// ```
    ///
    /// ## How to fix
    /// Re-create the archive with a standard writer; a member hidden from the directory is a deliberate
    /// trick.
    ///
    /// ## References
    /// - [CWE-436](https://cwe.mitre.org/data/definitions/436.html)
    pub static RULE = {
        code: "ZIP005",
        name: "zip-hidden-member",
        summary: "a local file header that the central directory does not list",
        severity: High,
        confidence: High,
        cwe: 436,
    };
}
